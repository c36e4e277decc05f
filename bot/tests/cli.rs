//! The `secbot` binary driven as a user would: a scripted `secbot chat --json` conversation and
//! `secbot ask --json -` over good and bad input.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;
use time::{Duration, OffsetDateTime, Weekday};

fn run(args: &[&str], input: &str) -> Vec<Value> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_secbot"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("secbot starts");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("input written");
    let output = child.wait_with_output().expect("secbot finishes");
    assert!(output.status.success(), "secbot failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout)
        .expect("utf-8 output")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// What identifies a finding subject (the JSON reply adds its resource's name; a button's
/// payload does not carry it).
fn finding(subject: &serde_json::Value) -> (&serde_json::Value, &serde_json::Value, &serde_json::Value) {
    (&subject["kind"], &subject["recommendation"], &subject["resource"])
}

fn next_friday(today: time::Date) -> time::Date {
    let ahead = (7 + 4 - i64::from(today.weekday().number_days_from_monday())) % 7;
    today + Duration::days(if ahead == 0 { 7 } else { ahead })
}

#[test]
fn a_triage_thread_keeps_its_context_from_list_to_fix_to_delegation_to_status() {
    let today = OffsetDateTime::now_utc().date();
    let script = "show critical risks for publicly exposed resources\nhow do I fix the 2nd one?\nassign it to @dana by Friday\n/press confirm\nwhat's overdue?\n";
    let replies = run(&["chat", "--json"], script);
    assert_eq!(replies.len(), 5, "one JSON reply per input line");

    let list = &replies[0];
    assert_eq!(list["skill"], "list_risks");
    assert_eq!(list["slots"]["severity"], "critical");
    assert_eq!(list["slots"]["exposure"], "public");
    let items = list["card"]["items"].as_array().expect("items");
    assert!(items.len() >= 3, "the list has real items");
    assert!(items.iter().all(|i| i["severity"] == "critical"));
    let second = &items[1]["actions"][0]["payload"]["subject"];
    assert_eq!(second["kind"], "finding");

    let fix = &replies[1];
    assert_eq!(fix["skill"], "remediate");
    assert_eq!(fix["slots"]["ordinal"], 2);
    assert_eq!(finding(&fix["subject"]), finding(second), "the remediation is of exactly the 2nd item");
    assert!(
        fix["subject"]["resource_name"].is_string(),
        "the JSON reply names the resource: {}",
        fix["subject"]
    );
    assert!(!fix["card"]["code"].as_array().expect("scripts").is_empty());

    let confirm = &replies[2];
    assert_eq!(confirm["skill"], "delegate");
    assert_eq!(confirm["slots"]["assignee"], "@dana");
    let friday = next_friday(today);
    assert_eq!(friday.weekday(), Weekday::Friday);
    assert_eq!(confirm["slots"]["due"], friday.to_string(), "the due date is resolved");
    assert_eq!(finding(&confirm["subject"]), finding(second), "the delegation is about the thread's finding");
    let labels: Vec<&str> =
        confirm["card"]["actions"].as_array().unwrap().iter().map(|a| a["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["Confirm", "Cancel"]);

    let recorded = &replies[3];
    assert_eq!(recorded["outcome"], "replace", "the confirmation card is updated in place");
    assert!(recorded["card"]["title"].as_str().unwrap().starts_with("Assigned to Dana"));
    assert_eq!(recorded["direct"][0]["to"]["email"], "dana@contoso.com", "the owner is told");

    let status = &replies[4];
    assert_eq!(status["skill"], "status");
    assert_eq!(status["card"]["title"], "Overdue work");
    assert!(!status["card"]["items"].as_array().unwrap().is_empty());
}

#[test]
fn the_three_documented_prompts_give_ranked_cards_from_the_demo_tenant() {
    let replies = run(
        &["ask", "--json", "-"],
        "Show critical risks for publicly exposed resources\nShow critical risks to sensitive data\nShow resources with high severity vulnerabilities\n",
    );
    let titles: Vec<&str> = replies.iter().map(|r| r["card"]["title"].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        [
            "Critical risks on internet-exposed resources",
            "Critical risks to sensitive data",
            "Resources with high severity vulnerabilities"
        ]
    );
    let rank = |s: &str| ["low", "medium", "high", "critical"].iter().position(|l| *l == s).unwrap();
    for reply in &replies {
        assert!(!reply["response_id"].as_str().unwrap().is_empty());
        assert!(reply["text"].as_str().unwrap().contains(reply["card"]["title"].as_str().unwrap()));
        let items = reply["card"]["items"].as_array().unwrap();
        assert!(items.len() >= 3, "{}", reply["card"]["title"]);
        let levels: Vec<usize> = items.iter().map(|i| rank(i["severity"].as_str().unwrap())).collect();
        assert!(levels.windows(2).all(|w| w[0] >= w[1]), "ranked by risk: {levels:?}");
        let footer: Vec<&str> = reply["card"]["footer"]["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["label"].as_str().unwrap())
            .collect();
        assert_eq!(footer, ["Looks right", "Needs improvement", "Inappropriate"]);
    }
    let vulns = &replies[2]["card"]["items"][0]["facts"];
    assert!(
        vulns.as_array().unwrap().iter().any(|f| f["label"] == "CVEs"),
        "vulnerability rows name their CVEs"
    );
}

#[test]
fn bad_input_gets_a_clear_answer_and_never_a_crash() {
    let long = "a".repeat(100_000);
    let junk = "\u{0}\u{1}\u{2}\u{3}\u{FFFD}\u{FFFD}";
    let input = format!("\n{long}\n{junk}\nhow do I fix the 9th one?\n");
    let replies = run(&["ask", "--json", "-"], &input);
    assert_eq!(replies.len(), 4);
    assert_eq!(replies[0]["card"]["title"], "Ask me something");
    assert_eq!(replies[1]["card"]["title"], "That message is too long");
    assert_eq!(replies[2]["card"]["title"], "I couldn't read that");
    assert_eq!(replies[3]["card"]["title"], "Which one do you mean?");
    assert!(
        replies[3]["card"]["summary"].as_str().unwrap().contains("no list"),
        "{}",
        replies[3]["card"]["summary"]
    );
}

#[test]
fn an_ordinal_past_the_end_of_the_list_is_explained() {
    let replies = run(&["chat", "--json"], "show critical risks to sensitive data\nexplain the 9th one\n");
    assert_eq!(replies[1]["card"]["title"], "Which one do you mean?");
    let summary = replies[1]["card"]["summary"].as_str().unwrap();
    assert!(summary.contains("has 5 items") && summary.contains("no 9th"), "{summary}");
    assert_eq!(replies[1]["card"]["items"].as_array().unwrap().len(), 5, "the items are offered as buttons");
}

#[test]
fn feedback_buttons_store_ratings_and_ask_for_words_when_something_was_wrong() {
    let replies = run(
        &["chat", "--json"],
        "what can you do?\n/press Looks right\n/press Needs improvement\nthe examples did not cover AWS\n",
    );
    assert_eq!(replies[0]["skill"], "help");
    assert_eq!(replies[1]["outcome"], "reply");
    assert_eq!(replies[1]["ephemeral"], true);
    assert_eq!(replies[2]["outcome"], "comment");
    assert_eq!(replies[2]["rating"], "needs_improvement");
    assert_eq!(replies[3]["outcome"], "comment_saved");
}
