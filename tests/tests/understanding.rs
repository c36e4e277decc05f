//! Following threads: the corpus's labelled conversations are played through the engine turn by
//! turn, as `secbot chat --json` plays them, and every turn is checked: the skill that answered,
//! what it was about (the list, its N-th item, the same finding, a named resource), the script
//! language, the names in the text and the owner.

use secbot::engine::Policy;
use secbot::evaluation::{play, read_threads};
use secbot_skills::intent::corpus;
use secbot_tests::thread;

/// The demo tenant as loaded and an empty store, for each thread.
async fn fresh_engine() -> Result<std::sync::Arc<secbot::engine::Engine>, std::convert::Infallible> {
    Ok(secbot_tests::engine_with(Policy::unlimited()).await.0)
}

#[tokio::test]
async fn the_corpus_threads_are_followed_turn_by_turn() {
    let threads = read_threads(corpus::THREADS).expect("the corpus threads parse");
    let turns: usize = threads.iter().map(|t| t.turns.len()).sum();
    assert!(threads.len() >= 60 && turns >= 200, "{} threads, {turns} turns", threads.len());
    let report = play(fresh_engine, Some(secbot_tests::DAY), &threads).await.expect("a fresh engine");
    for miss in &report.misses {
        eprintln!("miss {miss}");
    }
    eprintln!(
        "{} threads: {}/{} turns right ({:.3})",
        report.threads,
        report.right,
        report.turns,
        report.accuracy()
    );
    // A floor under today's figure on the fixed demo day: 1,278 of 1,409 (0.907), each thread
    // on a fresh engine, with the threads written apart and then developed on (each set's
    // figure as written is in skills/corpus/README.md; the `j-…`, `m-…` and `o-…` sets' labels
    // were written against 2026-12-07's tenant, and some rows move on the fixed day: 1,301
    // (0.923) that day); the goal is 0.92.
    assert!(report.accuracy() >= 0.90, "turns right {:.3}", report.accuracy());
}

#[tokio::test]
async fn threads_written_apart_from_the_corpus_are_followed() {
    // Nothing was built from these threads (but `threads-k`, read at the end of its session, and
    // `threads-q`, `threads-s` and `threads-u`, read and fixed from in their sessions).
    // On the fixed demo day (2026-11-25), each thread on a fresh engine, at the end of
    // 2026-12-07 (as written in brackets): 101 of 112 (0.902) for the first set (91), 103 of 118
    // (0.873) for the second, 107 of 130 (0.823) for the third (85), 103 of 133 (0.774) for the
    // fourth (93), 114 of 149 (0.765) for the fifth (96), 100 of 148 (0.676) for the sixth (98),
    // 101 of 146 (0.692) for the seventh (97), 112 of 147 (0.762) for the eighth (109), 128 of
    // 146 (0.877) for the ninth (read; 102), 113 of 139 (0.813) for the tenth (118 on its own
    // day), 133 of 150 (0.887) for the eleventh (read; 107 on its own day) and 100 of 146
    // (0.685) for the twelfth (never read; 100), all under the goal of 0.92; these floors keep
    // them from slipping while the gap is closed. Written on 2026-12-07 evening: the thirteenth
    // (read; 113 of 149 before its fixes, 132 after) and the fourteenth (never read; 108 of 150
    // before, 111 after); that session also moved the sixth to 103, the eighth to 114, the
    // tenth to 114 and the fifth (read) to 117. Written on 2026-12-07 night: the fifteenth
    // (read; 103 of 149 before its fixes on its own day, 133 after; 102 and 132 on the fixed day)
    // and the sixteenth (never read; 98 of 145 before, 101 after; 96 and 99 on the fixed day).
    // Written on 2026-12-08: the seventeenth (read; 111 of 150 before its fixes, 131 after) and
    // the eighteenth (never read; 118 before and after). Written later on 2026-12-08: the
    // nineteenth (read; 111 of 150 before its fixes, 129 after) and the twentieth (never read;
    // 105 of 149 before, 104 after). Since then the threads are held at noon
    // of the tenant's day, not on the wall clock's (which had moved "today" under the fixed
    // day's figures as the calendar went on); so held, the fixed day reads every set as its own
    // day does but the seventh (106 of 146, 109 on its own day).
    for (file, floor) in [
        ("threads.jsonl", 0.85),
        ("threads-later.jsonl", 0.85),
        ("threads-g.jsonl", 0.78),
        ("threads-i.jsonl", 0.76),
        ("threads-k.jsonl", 0.74),
        ("threads-l.jsonl", 0.65),
        ("threads-n.jsonl", 0.68),
        ("threads-p.jsonl", 0.73),
        ("threads-q.jsonl", 0.78),
        ("threads-r.jsonl", 0.78),
        ("threads-s.jsonl", 0.80),
        ("threads-t.jsonl", 0.65),
        ("threads-u.jsonl", 0.80),
        ("threads-v.jsonl", 0.70),
        ("threads-w.jsonl", 0.84),
        ("threads-x.jsonl", 0.64),
        ("threads-y.jsonl", 0.83),
        ("threads-z.jsonl", 0.76),
        ("threads-aa.jsonl", 0.76),
        ("threads-ab.jsonl", 0.67),
    ] {
        let path = format!("{}/heldout/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).expect("the held-out threads");
        let threads = read_threads(&text).expect("they parse");
        let report = play(fresh_engine, Some(secbot_tests::DAY), &threads).await.expect("a fresh engine");
        eprintln!(
            "held-out {file}: {}/{} turns right ({:.3})",
            report.right,
            report.turns,
            report.accuracy()
        );
        assert!(report.accuracy() >= floor, "{file}: turns right {:.3}", report.accuracy());
    }
}

#[test]
fn prompts_written_apart_from_the_corpus_meet_the_goals() {
    use secbot_skills::demo::{self, DemoOptions};
    use secbot_skills::intent::{Lexicon, eval};
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/heldout/prompts.jsonl");
    let text = std::fs::read_to_string(path).expect("the held-out prompts");
    let rows = eval::read_labelled(&text).expect("they parse");
    assert!(rows.len() >= 350, "{} held-out prompts", rows.len());
    let lexicon = Lexicon::of_tenant(&demo::tenant(&DemoOptions::for_day(secbot_tests::DAY)));
    let report = eval::evaluate(&rows, &lexicon, secbot_tests::DAY);
    eprintln!(
        "held-out set: intent {:.3}, core slots {:.3}",
        report.intent_accuracy, report.core_slot_accuracy
    );
    // The goals of the understanding issue (today: 0.980 and 0.950).
    assert!(report.intent_accuracy >= 0.95, "intent {:.3}", report.intent_accuracy);
    assert!(report.core_slot_accuracy >= 0.92, "core slots {:.3}", report.core_slot_accuracy);
}

fn skill(reply: &serde_json::Value) -> &str {
    reply["skill"].as_str().unwrap_or_default()
}

fn text(reply: &serde_json::Value) -> String {
    reply["text"].as_str().unwrap_or_default().to_lowercase()
}

#[tokio::test]
async fn follow_ups_point_into_the_thread_in_every_form() {
    let r = thread(&[
        "show critical risks for publicly exposed resources",
        "#3",
        "bicep pls",
        "and the 2nd?",
        "keep going",
        "the 7th one",
    ])
    .await;
    let items = r[0]["subject"]["items"].as_array().expect("a list").clone();
    assert_eq!(skill(&r[1]), "explain", "a bare reference looks at the item");
    assert_eq!(r[1]["subject"], items[2]);
    assert_eq!(skill(&r[2]), "remediate", "a script language alone asks for the fix");
    assert_eq!(r[2]["subject"], items[2]);
    assert_eq!(skill(&r[3]), "remediate", "\"and the 2nd?\" asks the same of another item");
    assert_eq!(r[3]["subject"], items[1]);
    assert_eq!(skill(&r[4]), "list_risks");
    assert_eq!(r[4]["card"]["first_item"], 6, "the next page keeps numbering");
    let all = r[4]["subject"]["items"].as_array().expect("a list");
    assert!(all.len() > 5 && all[..5] == items[..5], "the thread's list grows with each page");
    assert_eq!(r[5]["subject"], all[6], "\"the 7th\" is the row numbered 7");
}

#[tokio::test]
async fn people_and_their_work_are_answered_about_them() {
    let r = thread(&["what's sam working on?", "and priya?"]).await;
    assert_eq!(skill(&r[0]), "status");
    assert!(text(&r[0]).contains("sam"), "{}", text(&r[0]));
    assert_eq!(skill(&r[1]), "status");
    assert!(text(&r[1]).contains("priya"), "{}", text(&r[1]));
    let r = thread(&["show critical risks for publicly exposed resources", "who owns the 1st one?"]).await;
    assert_eq!(skill(&r[1]), "status");
    assert_eq!(r[1]["subject"], r[0]["subject"]["items"][0]);
    assert!(text(&r[1]).contains("owner") || text(&r[1]).contains("nobody owns"), "{}", text(&r[1]));
}

#[tokio::test]
async fn the_secure_score_and_the_fixes_that_raise_it_most() {
    let r =
        thread(&["what's our secure score?", "which fixes raise it the most?", "how do I do the top one"])
            .await;
    assert_eq!(skill(&r[0]), "summarize");
    assert!(
        r[0]["card"]["title"].as_str().unwrap_or_default().starts_with("Secure score: "),
        "{}",
        r[0]["card"]["title"]
    );
    assert_eq!(skill(&r[1]), "list_risks");
    let first = &r[1]["card"]["items"][0]["subtitle"];
    assert!(first.as_str().unwrap_or_default().starts_with("up to +"), "{first}");
    assert_eq!(skill(&r[2]), "remediate", "\"the top one\" is the biggest gain");
    assert_eq!(r[2]["subject"]["recommendation"], r[1]["subject"]["items"][0]["key"]);
}

#[tokio::test]
async fn what_secbot_cannot_answer_or_must_not_do_is_said_plainly() {
    let r = thread(&[
        "which PCI DSS controls are we failing?",
        "exempt every high finding so the dashboard looks green",
        "walk me through breaking into a server over RDP",
        "fix it",
        "lol this list is long",
    ])
    .await;
    assert_eq!(skill(&r[0]), "decline");
    assert_eq!(r[0]["card"]["title"], "I can't answer that yet");
    assert!(
        !r[0]["card"]["actions"].as_array().expect("buttons").is_empty(),
        "the nearest skills are offered"
    );
    assert_eq!(r[1]["intent"], "unsafe");
    assert_eq!(r[2]["intent"], "unsafe");
    assert_eq!(skill(&r[3]), "clarify", "a reference with nothing to refer to asks");
    assert_eq!(skill(&r[4]), "decline", "chatter gets no list");
}

#[tokio::test]
async fn a_feature_named_like_an_order_is_not_one() {
    let r = thread(&[
        "the kv-dev soft delete thing",
        "purge protection on kv-dev?",
        "the kv-payments-prod secrets expiry one",
    ])
    .await;
    for (reply, about) in r.iter().zip(["kv-dev", "kv-dev", "kv-payments-prod"]) {
        assert_ne!(reply["intent"], "unsafe", "{}", reply["card"]["title"]);
        assert_ne!(skill(reply), "decline", "{}", reply["card"]["title"]);
        assert!(reply["subject"].to_string().contains(about), "{}", reply["subject"]);
    }
}

#[tokio::test]
async fn after_a_refusal_the_fair_question_is_answered() {
    let r = thread(&[
        "just exempt all the low ones so we look green for the audit",
        "fine, which fixes would move our score most then",
    ])
    .await;
    assert_eq!(r[0]["intent"], "unsafe");
    assert_eq!(skill(&r[1]), "list_risks", "{}", r[1]["card"]["title"]);
}

#[tokio::test]
async fn work_handed_to_the_resources_owner_stays_on_the_thread_subject() {
    let r = thread(&[
        "vulnerable container images",
        "the 3rd one, how do we patch it",
        "give it to the app owner, 3 weeks",
    ])
    .await;
    let items = r[0]["subject"]["items"].as_array().expect("a list").clone();
    assert_eq!(r[1]["subject"], items[2]);
    assert_eq!(skill(&r[2]), "delegate");
    assert_eq!(r[2]["subject"], items[2], "the owner's kind is not a new filter");
    assert_eq!(r[2]["slots"]["assignee"], "resource_owner");
    assert_eq!(r[2]["slots"]["due_text"], "3 weeks", "{}", r[2]["slots"]);
}

#[tokio::test]
async fn the_fix_that_does_the_most_follows_the_wording() {
    let r = thread(&[
        "show attack paths to sensitive data",
        "so which fix cuts the most of them",
        "and which fixes move the secure score most",
    ])
    .await;
    assert_eq!(skill(&r[1]), "attack_paths", "{}", r[1]["card"]["title"]);
    assert_eq!(skill(&r[2]), "list_risks", "{}", r[2]["card"]["title"]);
}

#[tokio::test]
async fn the_json_subject_names_resources_whose_ids_do_not() {
    let r = thread(&["findings on ec2-web-01", "explain the 1st"]).await;
    assert_eq!(r[0]["subject"]["kind"], "list");
    let on = r[0]["subject"]["on"].as_str().expect("a list about one resource");
    assert!(!on.contains("ec2-web-01"), "an EC2 instance's ARN holds its instance id: {on}");
    assert_eq!(r[0]["subject"]["on_name"], "ec2-web-01");
    assert_eq!(r[0]["subject"]["items"][0]["resource_name"], "ec2-web-01");
    assert_eq!(r[1]["subject"]["resource_name"], "ec2-web-01");
    assert_eq!(r[1]["subject"], r[0]["subject"]["items"][0]);
}

#[tokio::test]
async fn naming_a_clouds_cli_asks_for_the_language_not_for_another_finding() {
    let r = thread(&["top aws risks", "explain the 3rd", "aws cli pls"]).await;
    assert_eq!(r[1]["subject"], r[0]["subject"]["items"][2]);
    assert_eq!(skill(&r[2]), "remediate");
    assert_eq!(r[2]["subject"], r[1]["subject"], "the same finding, in the AWS CLI");
    let languages: Vec<&str> = r[2]["card"]["code"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["language"].as_str())
        .collect();
    assert!(!languages.is_empty(), "{}", r[2]["text"]);
    // Without a thread, the cloud still picks what to fix.
    let fresh = thread(&["azure cli to fix the top risk"]).await;
    assert_eq!(skill(&fresh[0]), "remediate");
    assert_eq!(fresh[0]["slots"]["cloud"], "azure");
}

#[tokio::test]
async fn attack_paths_of_those_are_the_paths_through_the_threads_list() {
    let r = thread(&["critical risks on public resources", "are any of those on an attack path?", "fix #2"])
        .await;
    assert_eq!(skill(&r[1]), "attack_paths");
    assert!(text(&r[1]).contains("of the 5 rows"), "{}", text(&r[1]));
    assert_eq!(r[1]["subject"], r[0]["subject"], "the thread keeps its list");
    assert_eq!(skill(&r[2]), "remediate");
    assert_eq!(r[2]["subject"], r[0]["subject"]["items"][1]);
}

#[tokio::test]
async fn a_follow_up_narrows_someones_work_and_a_new_question_starts_over() {
    let r = thread(&["what does priya still have open", "is any of it overdue"]).await;
    assert_eq!(skill(&r[1]), "status");
    assert_eq!(r[1]["slots"]["assignee"], "priya", "{}", r[1]["slots"]);
    assert_eq!(r[1]["slots"]["overdue"], true);
    let r = thread(&["is dana sitting on anything overdue", "ok list crit stuff nobody owns yet"]).await;
    assert!(r[1]["slots"]["assignee"].is_null(), "a new question keeps nothing of dana's: {}", r[1]["slots"]);
    // After "which one do you mean?", a question of its own is not the answer.
    let r = thread(&["assign it to raj", "what's open on sql-orders-prod"]).await;
    assert_eq!(skill(&r[0]), "clarify");
    assert_eq!(skill(&r[1]), "list_risks");
}

#[tokio::test]
async fn the_fixes_that_break_the_most_paths_are_what_follow_ups_point_at() {
    let r = thread(&[
        "attack paths in prod?",
        "which single fix breaks the most of them",
        "how do I do that fix",
    ])
    .await;
    assert_eq!(skill(&r[1]), "attack_paths");
    // The card shows the fixes ranked, so its subject is that list; "that fix" is its first.
    assert_eq!(r[1]["subject"]["kind"], "list", "the fixes ranked: {}", r[1]["subject"]);
    assert_eq!(skill(&r[2]), "remediate");
    assert_eq!(r[2]["subject"], r[1]["subject"]["items"][0]);
    let r = thread(&[
        "What are the attack paths that reach sensitive data?",
        "Which single fix breaks the most of them?",
        "Put that on Omar's plate, due end of next week please",
    ])
    .await;
    assert_eq!(skill(&r[2]), "delegate", "{}", text(&r[2]));
    assert_eq!(r[2]["subject"], r[1]["subject"]["items"][0]);
    let r = thread(&["which fixes break the most attack paths", "fix the 2nd"]).await;
    assert_eq!(r[0]["subject"]["kind"], "list");
    assert_eq!(r[1]["subject"], r[0]["subject"]["items"][1]);
}

#[tokio::test]
async fn rows_named_in_words_or_by_a_bare_number_and_times_that_are_not_pointers() {
    let r = thread(&["top risks", "more on item one", "patch 4", "what's on sam's list this week?"]).await;
    let items = r[0]["subject"]["items"].as_array().expect("a list").clone();
    assert_eq!(skill(&r[1]), "explain");
    assert_eq!(r[1]["subject"], items[0]);
    assert_eq!(skill(&r[2]), "remediate");
    assert_eq!(r[2]["subject"], items[3]);
    assert_eq!(skill(&r[3]), "status", "\"this week\" is a time, not a pointer into the thread");
    assert!(text(&r[3]).contains("sam"), "{}", text(&r[3]));
}

#[tokio::test]
async fn a_row_handed_to_someone_is_delegated_and_ok_alone_is_not_a_pointer() {
    let r = thread(&["list crits in prod", "ok, just #1 to sam then", "ok"]).await;
    assert_eq!(skill(&r[1]), "delegate", "{}", r[1]["text"]);
    assert_eq!(r[1]["slots"]["assignee"], "sam");
    assert_eq!(r[1]["subject"], r[0]["subject"]["items"][0]);
    assert_eq!(skill(&r[2]), "decline", "\"ok\" is an acknowledgement, not \"the same again\"");
}

#[tokio::test]
async fn a_language_asked_for_before_the_finding_was_named_is_the_one_answered_in() {
    let r = thread(&["bicep pls", "for the secure transfer finding on stinvoicesprod"]).await;
    assert_eq!(skill(&r[0]), "clarify", "no finding yet");
    assert_eq!(skill(&r[1]), "remediate");
    assert!(r[1]["subject"].to_string().contains("stinvoicesprod"), "{}", r[1]["subject"]);
    assert_eq!(r[1]["card"]["code"][0]["language"], "bicep", "{}", r[1]["card"]["code"]);
}

#[tokio::test]
async fn the_fix_that_breaks_the_most_of_a_resources_attack_paths_stays_on_paths() {
    let r = thread(&[
        "attack paths into sql-orders-prod?",
        "which single fix cuts the most of them",
        "powershell for that one pls",
    ])
    .await;
    assert_eq!(skill(&r[0]), "attack_paths");
    assert_eq!(skill(&r[1]), "attack_paths", "the paths just shown, not the secure score: {}", text(&r[1]));
    assert!(text(&r[1]).contains("attack paths"), "{}", text(&r[1]));
    assert_eq!(skill(&r[2]), "remediate");
    assert_eq!(r[2]["subject"], r[1]["subject"]["items"][0], "the fix named first");
    assert_eq!(r[2]["card"]["code"][0]["title"], "PowerShell");
}

#[tokio::test]
async fn the_resource_owner_named_after_a_fix_takes_that_fix_not_the_resources_list() {
    let r = thread(&[
        "anything open on kv-payments-prod?",
        "how do I fix the secret expiration one?",
        "assign to the resource owner, 30 days",
    ])
    .await;
    assert_eq!(skill(&r[2]), "delegate");
    assert_eq!(
        r[2]["subject"], r[1]["subject"],
        "\"resource owner\" says who, not what: {}",
        r[2]["subject"]
    );
}

#[tokio::test]
async fn a_path_looked_at_step_by_step_is_walked_and_its_resource_is_the_threads_to_shorten() {
    let r = thread(&["attack paths through vm-sql-01?", "how do i fix sql-01"]).await;
    assert_eq!(skill(&r[1]), "remediate", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"]["resource_name"], "vm-sql-01");
    // A path looked at step by step is walked, not fixed.
    let r = thread(&["show attack paths that reach sensitive data", "ok the first one, step by step"]).await;
    assert_eq!(skill(&r[1]), "attack_paths");
    assert_eq!(r[1]["subject"], r[0]["subject"]["items"][0]);
}

#[tokio::test]
async fn a_subscription_named_in_a_refused_prompt_is_still_where_the_thread_is() {
    let r = thread(&[
        "exempt everything on Contoso Dev/Test",
        "fine. what are the worst ones there",
        "top 5 worst there",
    ])
    .await;
    assert_eq!(r[0]["intent"], "unsafe");
    for reply in &r[1..] {
        assert_eq!(skill(reply), "list_risks", "{}", text(reply));
        assert_eq!(reply["slots"]["subscription"], "Contoso Dev/Test", "{}", reply["slots"]);
    }
}

#[tokio::test]
async fn an_item_picked_by_its_words_with_no_list_is_the_tenants_one_resource_so_described() {
    let r = thread(&["is it fixed yet?", "the sql billing thing", "when's it due", "ok who owns it"]).await;
    assert_eq!(skill(&r[0]), "clarify");
    for reply in &r[1..] {
        assert_eq!(skill(reply), "status", "{}", text(reply));
        assert_eq!(reply["subject"]["on_name"], "sql-billing-prod", "{}", reply["subject"]);
    }
    // Words that fit several resources pick none.
    let r = thread(&["the prod one"]).await;
    assert!(r[0]["subject"]["on_name"].is_null(), "{}", r[0]["subject"]);
}

#[tokio::test]
async fn a_subscription_compared_shows_the_scores_side_by_side_and_unowned_ones_are_a_list() {
    let r =
        thread(&["what's the secure score for Contoso Data Platform?", "compare it with Contoso Dev/Test"])
            .await;
    assert_eq!(skill(&r[1]), "summarize", "{}", text(&r[1]));
    for name in ["contoso data platform", "contoso dev/test"] {
        assert!(text(&r[1]).contains(name), "{name}: {}", text(&r[1]));
    }
    let r = thread(&["list the unowned ones"]).await;
    assert_eq!(skill(&r[0]), "list_risks", "{}", text(&r[0]));
    assert_eq!(r[0]["slots"]["unassigned"], true, "{}", r[0]["slots"]);
}

#[tokio::test]
async fn a_row_of_an_empty_list_is_asked_for_with_the_reason_said() {
    let r = thread(&["any findings on iam-role-ci-deploy?", "the 2nd one"]).await;
    assert_eq!(r[0]["subject"]["items"].as_array().map(Vec::len), Some(0), "{}", r[0]["subject"]);
    assert_eq!(skill(&r[1]), "clarify");
    assert!(text(&r[1]).contains("had nothing in it"), "{}", text(&r[1]));
}

#[tokio::test]
async fn the_rows_a_summary_shows_are_the_threads_list_and_do_repeats_the_last_ask() {
    let r = thread(&[
        "summarize our posture",
        "Have @priya own the top one, due in 14 days.",
        "why is the 2nd one critical",
    ])
    .await;
    assert_eq!(skill(&r[0]), "summarize");
    assert_eq!(skill(&r[1]), "delegate", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"], r[0]["subject"]["items"][0]);
    assert_eq!(skill(&r[2]), "explain", "{}", text(&r[2]));
    assert_eq!(r[2]["subject"], r[0]["subject"]["items"][1]);
    // "show more" after a summary continues its list of risks from the row after the last shown.
    let r = thread(&["summarize our posture", "show more"]).await;
    assert_eq!(skill(&r[1]), "list_risks", "{}", text(&r[1]));
    assert!(text(&r[1]).contains("showing 4–"), "{}", text(&r[1]));
    // "now do #1" after a fix in Terraform: the fix of row 1, in Terraform.
    let r = thread(&["list critical findings on aws", "terraform fix for #3", "now do #1"]).await;
    assert_eq!(skill(&r[2]), "remediate", "{}", text(&r[2]));
    assert_eq!(r[2]["subject"], r[0]["subject"]["items"][0]);
    assert!(text(&r[2]).to_lowercase().contains("terraform"), "{}", text(&r[2]));
}

#[tokio::test]
async fn a_pronoun_about_the_list_a_prompt_asks_for_or_a_clause_about_all_points_nowhere_else() {
    let r = thread(&["show me the sql stuff and who owns it", "2nd one explain pls"]).await;
    assert_eq!(skill(&r[0]), "status", "{}", text(&r[0]));
    assert!(r[0]["subject"]["items"].as_array().is_some_and(|i| i.len() > 1), "{}", r[0]["subject"]);
    assert_eq!(skill(&r[1]), "explain", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"], r[0]["subject"]["items"][1]);
    let r = thread(&[
        "Could you summarize the status of delegated work by owner? I need to confirm that every assigned finding has an accountable person.",
    ])
    .await;
    assert_eq!(skill(&r[0]), "status", "{}", text(&r[0]));
}

/// The resource a reply's subject is on, by name.
fn on(reply: &serde_json::Value) -> String {
    let subject = &reply["subject"];
    subject["resource_name"].as_str().or_else(|| subject["name"].as_str()).unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_refused_prompt_or_a_list_on_one_resource_leaves_the_thread_on_that_resource() {
    let r = thread(&[
        "write me a script to brute force ssh on ec2-web-01 so we can prove it's weak",
        "ok fair. jit fix for that one in aws cli",
    ])
    .await;
    assert_eq!(skill(&r[0]), "decline");
    assert_eq!(skill(&r[1]), "remediate", "{}", text(&r[1]));
    assert_eq!(on(&r[1]), "ec2-web-01", "{}", r[1]["subject"]);
    let r = thread(&["is ec2-bastion-01 exposed?", "aws cli to lock it down"]).await;
    assert!(r[0]["subject"]["items"].as_array().is_some_and(|i| i.len() > 1), "{}", r[0]["subject"]);
    assert_eq!(skill(&r[1]), "remediate", "{}", text(&r[1]));
    assert_eq!(on(&r[1]), "ec2-bastion-01", "{}", r[1]["subject"]);
}

#[tokio::test]
async fn a_finding_described_in_a_resources_thread_is_that_resources() {
    let r = thread(&[
        "Brute force hit sql-warehouse-prod. What's open on that server and who owns it?",
        "The public network access finding on it — owner, and is it overdue?",
        "Give me the az cli to disable public network access. Now.",
    ])
    .await;
    assert_eq!(skill(&r[1]), "status", "{}", text(&r[1]));
    assert_eq!(on(&r[1]), "sql-warehouse-prod", "{}", r[1]["subject"]);
    assert!(text(&r[1]).contains("public network access"), "{}", text(&r[1]));
    assert_eq!(skill(&r[2]), "remediate", "{}", text(&r[2]));
    assert_eq!(r[2]["subject"], r[1]["subject"]);
    // "kill public access" describes the finding the thread is on; it asks for no new list.
    let r = thread(&[
        "any of our storage accounts wide open to the internet?",
        "the s3 finance exports one, how bad is it",
        "aws cli pls, wanna kill public access rn",
    ])
    .await;
    assert_eq!(on(&r[1]), "s3-finance-exports", "{}", r[1]["subject"]);
    assert_eq!(skill(&r[2]), "remediate", "{}", text(&r[2]));
    assert_eq!(on(&r[2]), "s3-finance-exports", "{}", r[2]["subject"]);
}

#[tokio::test]
async fn the_number_of_rows_asked_for_is_shown_and_pointed_into() {
    let r =
        thread(&["Sprint planning. Top 10 risks, please.", "#10 to @sam, due the 18th", "show more"]).await;
    assert_eq!(r[0]["subject"]["items"].as_array().map(Vec::len), Some(10), "{}", text(&r[0]));
    assert_eq!(skill(&r[1]), "delegate", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"], r[0]["subject"]["items"][9]);
    assert!(text(&r[2]).contains("showing 11–20"), "{}", text(&r[2]));
    let r = thread(&["what do we have open in aws?", "assign 3 to li.wei, due in 10 days"]).await;
    assert_eq!(skill(&r[1]), "delegate", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"], r[0]["subject"]["items"][2]);
}

#[tokio::test]
async fn a_correction_asks_the_same_of_the_item_meant() {
    let r = thread(&[
        "storage findings pls, need to hand some out",
        "stwebassets secure transfer -> jules by the 20th",
        "no wait, not that one — the stdatalakeraw01 one",
    ])
    .await;
    assert_eq!(skill(&r[1]), "delegate", "{}", text(&r[1]));
    assert_eq!(skill(&r[2]), "delegate", "{}", text(&r[2]));
    assert_eq!(on(&r[2]), "stdatalakeraw01", "{}", r[2]["subject"]);
    assert!(text(&r[2]).contains("jules"), "{}", text(&r[2]));
    assert_eq!(r[2]["slots"]["due"], r[1]["slots"]["due"]);
    let r = thread(&[
        "show key vault issues",
        "why does soft delete on kv-dev matter?",
        "no, the other soft delete one — the payments vault",
    ])
    .await;
    assert_eq!(on(&r[1]), "kv-dev");
    assert_eq!(skill(&r[2]), "explain", "{}", text(&r[2]));
    assert_eq!(on(&r[2]), "kv-payments-prod", "{}", r[2]["subject"]);
}

#[tokio::test]
async fn owners_and_due_dates_asked_for_formally_are_a_question_not_a_hand_over() {
    let r = thread(&[
        "For our quarterly SOC 2 evidence package, could you please provide a list of all remediation items that are currently past their agreed due date, together with the responsible owner for each?",
        "Regarding the first item, please confirm the assigned owner and the original due date for the record.",
    ])
    .await;
    assert_eq!(skill(&r[0]), "status", "{}", text(&r[0]));
    assert_eq!(r[0]["slots"]["overdue"], true, "{}", r[0]["slots"]);
    assert_eq!(skill(&r[1]), "status", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"], r[0]["subject"]["items"][0]);
}

#[tokio::test]
async fn an_arrow_to_a_person_hands_the_row_over_by_the_date_written() {
    let r = thread(&["show me dana's open items", "kv soft delete one -> alex by 12/15"]).await;
    assert_eq!(skill(&r[1]), "delegate", "{}", text(&r[1]));
    assert!(text(&r[1]).contains("alex"), "{}", text(&r[1]));
    assert_eq!(r[1]["slots"]["due"], "2026-12-15", "{}", r[1]["slots"]);
}

#[tokio::test]
async fn an_image_is_named_without_its_tag_and_a_word_of_a_row_answers_which_one() {
    let r = thread(&["who's already on checkout-api?"]).await;
    assert_eq!(skill(&r[0]), "status", "{}", text(&r[0]));
    assert!(text(&r[0]).contains("checkout-api:1.14.2"), "{}", text(&r[0]));
    let r = thread(&["show me the aws stuff", "fix the ec2 JIT one", "the bastion. aws cli"]).await;
    assert_eq!(skill(&r[1]), "clarify", "{}", text(&r[1]));
    assert_eq!(skill(&r[2]), "remediate", "{}", text(&r[2]));
    assert_eq!(on(&r[2]), "ec2-bastion-01", "{}", r[2]["subject"]);
}

#[tokio::test]
async fn an_attack_reported_on_a_resource_is_a_question_about_it() {
    let r = thread(&["Possible exfil from s3-finance-exports. Everything open on it + attack paths."]).await;
    assert_ne!(skill(&r[0]), "decline", "{}", text(&r[0]));
    assert!(text(&r[0]).contains("s3-finance-exports"), "{}", text(&r[0]));
}

#[tokio::test]
async fn a_row_numbered_and_named_is_that_row() {
    let r = thread(&[
        "High severity alerts. Now.",
        "#2 malicious file on stinvoicesprod — what is it, what do we do.",
    ])
    .await;
    assert_eq!(r[1]["subject"], r[0]["subject"]["items"][1], "{}", text(&r[1]));
}

#[tokio::test]
async fn the_one_a_prompt_describes_is_picked_from_the_list_while_the_thread_is_on_another_row() {
    let r = thread(&["show key vault issues", "explain #1", "and sam can take the dev one, by friday"]).await;
    assert_eq!(skill(&r[1]), "explain", "{}", text(&r[1]));
    assert_eq!(skill(&r[2]), "delegate", "{}", text(&r[2]));
    assert_eq!(r[2]["subject"]["resource_name"], "kv-dev", "{}", text(&r[2]));
}

#[tokio::test]
async fn a_question_that_stands_alone_is_answered_in_a_new_thread_whatever_its_pronouns() {
    let r = thread(&["what else does alex have that's late?"]).await;
    assert_eq!(skill(&r[0]), "status", "{}", text(&r[0]));
    assert!(text(&r[0]).contains("alex"), "{}", text(&r[0]));
    let r = thread(&["I need each finding that is past its due date, with its owner"]).await;
    assert_eq!(skill(&r[0]), "status", "{}", text(&r[0]));
    assert_eq!(r[0]["slots"]["overdue"], true, "{}", r[0]["slots"]);
}

#[tokio::test]
async fn misspelt_ordinals_and_pronouns_still_point_into_the_thread() {
    let r = thread(&["top risks", "explian the secnd one", "how do i fix tihs"]).await;
    assert_eq!(skill(&r[1]), "explain", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"], r[0]["subject"]["items"][1]);
    assert_eq!(skill(&r[2]), "remediate", "{}", text(&r[2]));
    assert_eq!(r[2]["subject"], r[0]["subject"]["items"][1]);
}

#[tokio::test]
async fn the_owners_of_those_are_the_owners_of_the_lists_rows() {
    let r = thread(&["storage risks across all clouds", "who owns those?", "the 2nd one"]).await;
    assert_eq!(skill(&r[1]), "status", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"]["items"], r[0]["subject"]["items"], "{}", text(&r[1]));
    assert_eq!(r[2]["subject"], r[0]["subject"]["items"][1], "{}", text(&r[2]));
}

#[tokio::test]
async fn the_one_on_another_resource_is_the_threads_recommendation_there() {
    let r = thread(&[
        "explain Key vaults should have soft delete enabled",
        "is the kv-app-prod one assigned to anyone?",
    ])
    .await;
    assert_eq!(skill(&r[1]), "status", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"]["resource_name"], "kv-app-prod", "{}", r[1]["subject"]);
    assert_eq!(r[1]["subject"]["recommendation"], r[0]["subject"]["key"], "{}", text(&r[1]));
}

#[tokio::test]
async fn a_greeting_by_name_is_not_a_question_about_secbot() {
    let r = thread(&["morning secbot ☕ what's overdue?"]).await;
    assert_eq!(skill(&r[0]), "status", "{}", text(&r[0]));
    assert_eq!(r[0]["slots"]["overdue"], true, "{}", r[0]["slots"]);
    let r = thread(&["hey secbot, what can you do?"]).await;
    assert_eq!(skill(&r[0]), "help", "{}", text(&r[0]));
}

#[tokio::test]
async fn the_quickest_way_to_raise_the_score_is_the_fixes_ranked_by_gain() {
    let r = thread(&["what's the quickest way to raise our secure score?"]).await;
    assert_eq!(skill(&r[0]), "list_risks", "{}", text(&r[0]));
    assert!(text(&r[0]).contains("points"), "{}", text(&r[0]));
}

#[tokio::test]
async fn an_alert_is_picked_by_what_it_is_and_where_it_fired() {
    let r = thread(&[
        "open high severity alerts",
        "what's the response for the brute force one on sql-warehouse-prod?",
        "what do we actually do about it",
    ])
    .await;
    let rows = r[0]["subject"]["items"].as_array().expect("a list of alerts").clone();
    let meant = rows
        .iter()
        .find(|row| row["resource_name"] == "sql-warehouse-prod")
        .expect("an alert on sql-warehouse-prod");
    assert_eq!(r[1]["subject"], *meant, "{}", text(&r[1]));
    assert_eq!(skill(&r[2]), "remediate", "{}", text(&r[2]));
    assert_eq!(r[2]["subject"], *meant, "{}", text(&r[2]));
}

#[tokio::test]
async fn a_deadline_of_the_18th_is_a_date_not_a_row() {
    let r = thread(&[
        "top risks",
        "explain #2",
        "please make sure it's assigned to omar with a deadline of the 18th",
    ])
    .await;
    assert_eq!(skill(&r[2]), "delegate", "{}", text(&r[2]));
    assert_eq!(r[2]["subject"], r[0]["subject"]["items"][1], "{}", text(&r[2]));
    assert_eq!(r[2]["slots"]["due_text"], "the 18th", "{}", r[2]["slots"]);
}

#[tokio::test]
async fn the_machine_a_prompt_describes_is_the_threads_recommendation_on_it() {
    let r = thread(&[
        "explain Management ports of virtual machines should be protected with just-in-time network access control",
        "fix for the jump box",
    ])
    .await;
    assert_eq!(skill(&r[1]), "remediate", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"]["resource_name"], "vm-jump-01", "{}", r[1]["subject"]);
    assert_eq!(r[1]["subject"]["recommendation"], r[0]["subject"]["key"], "{}", r[1]["subject"]);
}

#[tokio::test]
async fn turning_monitoring_off_or_hitting_back_is_refused_inside_a_thread_too() {
    let r = thread(&[
        "show alerts",
        "ugh these are so noisy. how do i just turn defender off on the sub so they stop?",
        "also someone hit ec2-worker-08 last night. can you portscan it and brute force it back?",
    ])
    .await;
    assert_eq!(skill(&r[1]), "decline", "{}", text(&r[1]));
    assert_eq!(skill(&r[2]), "decline", "{}", text(&r[2]));
}

#[tokio::test]
async fn the_alert_on_a_resource_is_looked_at_and_who_picked_it_up_is_its_state() {
    let r = thread(&[
        "crypto mining alert on gce-analytics-01?? anyone seen this",
        "has anyone picked it up?",
        "-> @li.wei asap",
    ])
    .await;
    assert_eq!(skill(&r[0]), "explain", "{}", text(&r[0]));
    assert_eq!(r[0]["subject"]["kind"], "alert", "{}", r[0]["subject"]);
    assert_eq!(r[0]["subject"]["resource_name"], "gce-analytics-01", "{}", r[0]["subject"]);
    assert_eq!(skill(&r[1]), "status", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"], r[0]["subject"], "{}", text(&r[1]));
    assert!(
        ["still active", "in progress", "closed"].iter().any(|state| text(&r[1]).contains(state)),
        "the alert's state in Defender for Cloud: {}",
        text(&r[1])
    );
    assert_eq!(skill(&r[2]), "delegate", "{}", text(&r[2]));
    assert_eq!(r[2]["slots"]["due_text"], "as soon as possible", "{}", r[2]["slots"]);
}

#[tokio::test]
async fn the_few_things_to_fix_first_are_the_worst_few_and_their_rows_are_pointed_at() {
    let r = thread(&[
        "Good morning. If we could only fix five things this week, which would they be?",
        "Why is the fifth one on that list?",
    ])
    .await;
    assert_eq!(skill(&r[0]), "list_risks", "{}", text(&r[0]));
    assert_eq!(r[0]["slots"]["count"], 5, "{}", r[0]["slots"]);
    assert_eq!(skill(&r[1]), "explain", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"], r[0]["subject"]["items"][4], "{}", text(&r[1]));
}

#[tokio::test]
async fn containing_a_machine_an_alert_fired_on_is_written_in_its_clouds_cli() {
    let r = thread(&["crypto mining alert on gce-analytics-01", "containment steps, gcloud"]).await;
    assert_eq!(skill(&r[1]), "remediate", "{}", text(&r[1]));
    let code = r[1]["card"]["code"].as_array().expect("a script").clone();
    assert!(code.iter().any(|c| c["title"].as_str().unwrap_or_default().starts_with("gcloud")), "{code:?}");
    assert!(
        code.iter().any(|c| c["code"].as_str().unwrap_or_default().contains("gce-analytics-01")),
        "{code:?}"
    );
}

#[tokio::test]
async fn a_row_numbered_in_another_language_or_misheard_is_still_that_row() {
    for (ask, n) in [
        ("el segundo, cómo lo arreglo?", 1),
        ("warum ist Nummer drei so kritisch?", 2),
        ("explain number to", 1),
    ] {
        let r = thread(&["top risks", ask]).await;
        assert_eq!(r[1]["subject"], r[0]["subject"]["items"][n], "{ask}: {}", text(&r[1]));
    }
}

#[tokio::test]
async fn a_corrected_name_asks_the_last_question_of_the_person_meant() {
    let r = thread(&["what's raj working on?", "sorry, I meant priya not raj"]).await;
    assert_eq!(skill(&r[1]), "status", "{}", text(&r[1]));
    assert_eq!(r[1]["slots"]["assignee"], "priya", "{}", r[1]["slots"]);
}

#[tokio::test]
async fn the_next_page_of_attack_paths_goes_on_counting() {
    let r = thread(&["attack paths pls", "more", "details on the 7th"]).await;
    assert!(text(&r[1]).contains("\n6. "), "page two starts at 6: {}", text(&r[1]));
    assert!(!text(&r[1]).contains("\n1. "), "{}", text(&r[1]));
    assert_eq!(r[2]["subject"], r[1]["subject"]["items"][6], "{}", text(&r[2]));
}

#[tokio::test]
async fn a_pronoun_after_a_list_takes_its_top_row_and_says_so_but_a_hand_over_asks() {
    let r = thread(&["show critical risks", "how do I fix it?"]).await;
    assert_eq!(skill(&r[1]), "remediate", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"], r[0]["subject"]["items"][0]);
    assert!(text(&r[1]).contains("you didn't say which one"), "{}", text(&r[1]));
    let r = thread(&["show critical risks", "assign it to @dana by friday"]).await;
    assert_eq!(skill(&r[1]), "clarify", "a hand-over writes, so it asks: {}", text(&r[1]));
}

#[tokio::test]
async fn rows_a_card_shows_beside_its_subject_are_counted_from() {
    let r = thread(&["attack paths that end at stdatalakecurated", "details on the 2nd"]).await;
    let rows: Vec<&str> =
        r[0]["card"]["items"].as_array().expect("rows").iter().filter_map(|i| i["title"].as_str()).collect();
    assert!(rows.len() >= 2, "{rows:?}");
    assert_eq!(skill(&r[1]), "attack_paths", "{}", text(&r[1]));
    assert!(text(&r[1]).contains(&rows[1].to_lowercase()), "row 2 is {:?}: {}", rows[1], text(&r[1]));
}

#[tokio::test]
async fn a_question_about_a_set_with_nothing_to_explain_lists_it() {
    let r = thread(&["what does defender flag on the gcp side?"]).await;
    assert_eq!(skill(&r[0]), "list_risks", "{}", text(&r[0]));
    assert_eq!(r[0]["slots"]["cloud"], "gcp", "{}", r[0]["slots"]);
    for ask in [
        "what does critical mean?",
        "eli5 just in time vm access pls",
        "whats the real risk of password ssh on linux vms",
    ] {
        let r = thread(&[ask]).await;
        assert_ne!(skill(&r[0]), "list_risks", "{ask}: a meaning or a risk is not a list: {}", text(&r[0]));
    }
    let r = thread(&["what's open on the aws account?"]).await;
    assert_eq!(r[0]["slots"]["cloud"], "aws", "{}", r[0]["slots"]);
    assert!(r[0]["slots"]["resource_type"].is_null(), "the account is where, not what: {}", r[0]["slots"]);
}

#[tokio::test]
async fn dates_after_from_since_and_after_are_not_rows() {
    let r = thread(&["I'm off from the 18th for two weeks. What's critical and unassigned?"]).await;
    assert_eq!(skill(&r[0]), "list_risks", "{}", text(&r[0]));
    assert!(r[0]["slots"]["ordinal"].is_null(), "{}", r[0]["slots"]);
    assert_eq!(r[0]["slots"]["unassigned"], true, "{}", r[0]["slots"]);
}

#[tokio::test]
async fn a_summary_of_the_list_keeps_the_rows_counted_from() {
    let r = thread(&["show aws findings", "how many of those are critical?", "who owns the 4th one?"]).await;
    assert_eq!(skill(&r[1]), "summarize", "{}", text(&r[1]));
    assert_eq!(r[2]["subject"], r[0]["subject"]["items"][3], "{}", text(&r[2]));
}

#[tokio::test]
async fn owners_of_a_recommendation_are_its_findings_owners_and_the_thread_stays_on_it() {
    let r = thread(&["explain key vaults should have soft delete enabled", "who owns it?"]).await;
    assert_eq!(skill(&r[1]), "status", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"], r[0]["subject"], "{}", text(&r[1]));
    assert!(text(&r[1]).contains("soft delete"), "{}", text(&r[1]));
}

#[tokio::test]
async fn an_alert_pasted_by_its_title_or_link_is_that_alert() {
    let r = thread(&[
        "saw this in #sec-alerts: <https://portal.azure.com/#view/Microsoft_Azure_Security/AlertBlade/alertId/2518000758566581208|Malicious file uploaded to storage account> is it real?",
        "what do we do about it",
    ])
    .await;
    assert_eq!(skill(&r[0]), "explain", "{}", text(&r[0]));
    assert_eq!(r[0]["subject"]["kind"], "alert", "{}", r[0]["subject"]);
    assert_eq!(skill(&r[1]), "remediate", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"], r[0]["subject"]);
}

#[tokio::test]
async fn taking_back_a_hand_over_to_ask_about_it_first_is_that_question() {
    let r = thread(&[
        "assign the s3 finance exports bucket to li.wei by friday",
        "actually wait, don't. explain it to me first",
    ])
    .await;
    assert_eq!(skill(&r[1]), "explain", "{}", text(&r[1]));
}

#[tokio::test]
async fn several_rows_at_once_are_handed_over_together_and_same_date_keeps_the_date() {
    let r = thread(&[
        "what's critical and unassigned?",
        "first three to omar, due the 17th",
        "the 4th goes to priya, same date",
    ])
    .await;
    let items = r[0]["subject"]["items"].as_array().expect("a list").clone();
    assert_eq!(skill(&r[1]), "delegate", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"]["items"].as_array().map(Vec::len), Some(3), "{}", r[1]["subject"]);
    assert_eq!(r[1]["subject"]["items"][2], items[2]);
    assert_eq!(skill(&r[2]), "delegate", "{}", text(&r[2]));
    assert_eq!(r[2]["subject"], items[3]);
    assert_eq!(r[2]["slots"]["due"], r[1]["slots"]["due"], "{}", r[2]["slots"]);
}

#[tokio::test]
async fn breaking_an_attack_path_by_its_number_fixes_its_first_step() {
    let r = thread(&["attack paths through vm-web-03", "how do i break #1"]).await;
    let break_it = &r[0]["card"]["items"][0]["actions"][1]["payload"]["subject"];
    assert_eq!(skill(&r[1]), "remediate", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"]["recommendation"], break_it["recommendation"], "{}", text(&r[1]));
    assert_eq!(r[1]["subject"]["resource"], break_it["resource"], "{}", text(&r[1]));
}

#[tokio::test]
async fn that_machine_after_its_findings_is_the_machine() {
    let r = thread(&["what's open on vm-jump-01?", "is that machine part of any attack path?"]).await;
    assert_eq!(skill(&r[1]), "attack_paths", "{}", text(&r[1]));
    assert!(text(&r[1]).contains("vm-jump-01"), "{}", text(&r[1]));
}

#[tokio::test]
async fn the_cloud_asked_about_is_the_one_named_last_and_a_list_of_clouds_is_every_cloud() {
    let r = thread(&["we're ~90% AWS and GCP, azure is a sliver. what does defender flag on the gcp side?"])
        .await;
    assert_eq!(r[0]["slots"]["cloud"], "gcp", "{}", r[0]["slots"]);
    let r = thread(&["show me all public-facing VMs across azure, aws and gcp"]).await;
    assert!(r[0]["slots"]["cloud"].is_null(), "{}", r[0]["slots"]);
}

#[tokio::test]
async fn a_resource_named_by_what_it_is_and_a_word_of_its_name_is_that_resource() {
    for (ask, name) in [
        ("how do I fix the payments vault", "kv-payments-prod"),
        ("steps to lock down the finance bucket", "s3-finance-exports"),
        ("explain the jump box findings", "vm-jump-01"),
    ] {
        let r = thread(&[ask]).await;
        assert_eq!(r[0]["slots"]["resource"], name, "{ask}: {}", r[0]["slots"]);
    }
    let r = thread(&["list the web vms"]).await;
    assert!(r[0]["slots"]["resource"].is_null(), "several web machines: {}", r[0]["slots"]);
}

#[tokio::test]
async fn someones_work_is_handed_to_someone_else_as_a_whole() {
    let r = thread(&[
        "what does raj have that's overdue?",
        "move all of raj's overdue items to omar, due friday",
    ])
    .await;
    let late = r[0]["subject"]["items"].as_array().expect("raj's late work").clone();
    assert_eq!(skill(&r[1]), "delegate", "{}", text(&r[1]));
    assert_eq!(r[1]["slots"]["assignee"], "omar", "{}", r[1]["slots"]);
    let moved = r[1]["subject"]["items"].as_array().expect("several findings").clone();
    assert_eq!(moved.len(), late.len(), "{}", text(&r[1]));
    let r = thread(&["show critical risks", "hand the whole list to dana by friday"]).await;
    assert_eq!(skill(&r[1]), "delegate", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"]["items"].as_array().map(Vec::len), Some(5), "{}", r[1]["subject"]);
}

#[tokio::test]
async fn a_persons_work_or_everyones_is_asked_whatever_the_pronoun() {
    let r = thread(&[
        "which critical ones have nobody?",
        "and for the ones that are assigned, what does it look like per person?",
        "anything with dana's name on it that's late?",
    ])
    .await;
    assert_eq!(skill(&r[1]), "status", "{}", text(&r[1]));
    assert!(text(&r[1]).contains("by owner"), "everyone's work: {}", text(&r[1]));
    assert_eq!(skill(&r[2]), "status", "{}", text(&r[2]));
    assert_eq!(r[2]["slots"]["assignee"], "dana", "{}", r[2]["slots"]);
    assert!(text(&r[2]).contains("overdue work for dana"), "{}", text(&r[2]));
}

#[tokio::test]
async fn that_machine_after_an_alert_is_the_machine_it_fired_on() {
    let r = thread(&[
        "crypto mining alert on gce-analytics-01??",
        "that vm also has a public IP finding right? who owns it",
    ])
    .await;
    assert_eq!(skill(&r[1]), "status", "{}", text(&r[1]));
    assert_ne!(r[1]["subject"]["kind"], "alert", "{}", r[1]["subject"]);
    assert!(r[1]["subject"].to_string().contains("gce-analytics-01"), "{}", r[1]["subject"]);
}

#[tokio::test]
async fn a_row_described_by_a_kind_its_fix_names_or_its_owner_is_that_row() {
    // The first list's third row is "SQL servers on machines should have vulnerability findings
    // resolved" on vm-etl-02, owned by omar; the other rows on that machine are network rules.
    let r =
        thread(&["show critical risks for publicly exposed resources", "remediation for the sql one"]).await;
    assert_eq!(skill(&r[1]), "remediate", "{}", text(&r[1]));
    assert!(text(&r[1]).contains("sql servers on machines"), "{}", text(&r[1]));
    let r = thread(&["show critical risks for publicly exposed resources", "explain the one owned by omar"])
        .await;
    assert!(text(&r[1]).contains("sql servers on machines"), "{}", text(&r[1]));
}

#[tokio::test]
async fn rows_that_fit_a_description_equally_give_the_first_said_so_but_a_hand_over_asks() {
    // Rows 2 and 4 both concern network security groups.
    let r =
        thread(&["show critical risks for publicly exposed resources", "the nsg thing, how to fix"]).await;
    assert_eq!(skill(&r[1]), "remediate", "{}", text(&r[1]));
    assert!(text(&r[1]).contains("#2 and #4 both fit"), "{}", text(&r[1]));
    let r =
        thread(&["show critical risks for publicly exposed resources", "give the nsg one to dana by friday"])
            .await;
    assert_eq!(skill(&r[1]), "clarify", "{}", text(&r[1]));
    assert_eq!(r[1]["card"]["items"].as_array().map(Vec::len), Some(2), "{}", text(&r[1]));
}

#[tokio::test]
async fn a_button_the_last_card_lacks_is_read_as_typed_and_every_line_gets_json() {
    let r = thread(&[
        "show critical risks for publicly exposed resources",
        "explain the 2nd",
        "/press Bicep",
        "/press 99",
    ])
    .await;
    assert_eq!(skill(&r[2]), "remediate", "{}", text(&r[2]));
    assert!(
        text(&r[2]).contains("network security groups") && text(&r[2]).contains("bicep"),
        "{}",
        text(&r[2])
    );
    assert!(r[3]["error"].as_str().is_some_and(|e| e.contains("no button 99")), "{}", r[3]);
}

#[tokio::test]
async fn next_and_the_one_before_walk_the_list_from_the_row_the_thread_is_on() {
    let r = thread(&[
        "show critical risks for publicly exposed resources",
        "explain the 2nd",
        "the next one",
        "next",
    ])
    .await;
    assert_eq!(skill(&r[2]), "explain", "{}", text(&r[2]));
    assert_eq!(r[2]["subject"], r[0]["subject"]["items"][2]);
    assert_eq!(r[3]["subject"], r[0]["subject"]["items"][3]);
    let r = thread(&[
        "show me high severity findings on key vaults",
        "explain the 4th",
        "no wait, the one before",
    ])
    .await;
    assert_eq!(skill(&r[2]), "explain", "{}", text(&r[2]));
    assert_eq!(r[2]["subject"], r[0]["subject"]["items"][2]);
    // After a list, "next" is its next page; an ordinal word alone is that row.
    let r = thread(&["alerts", "next", "first"]).await;
    assert!(text(&r[1]).contains("showing 6–10"), "{}", text(&r[1]));
    assert_eq!(skill(&r[2]), "explain", "{}", text(&r[2]));
    assert_eq!(r[2]["subject"], r[1]["subject"]["items"][0]);
}

#[tokio::test]
async fn same_for_another_row_after_a_hand_over_hands_it_over_the_same_way() {
    let r =
        thread(&["anything on fire rn", "2nd one whats the fix", "k assign to me fri", "same for 3"]).await;
    assert_eq!(skill(&r[3]), "delegate", "{}", text(&r[3]));
    assert_eq!(r[3]["subject"], r[0]["subject"]["items"][2]);
    assert!(text(&r[3]).contains("fri 27 nov"), "{}", text(&r[3]));
}

#[tokio::test]
async fn a_due_date_pushed_after_a_hand_over_is_the_same_hand_over_by_the_new_day() {
    let r =
        thread(&["what's overdue", "assign the 3rd to sam by friday", "and push the due date to the 18th"])
            .await;
    assert_eq!(skill(&r[2]), "delegate", "{}", text(&r[2]));
    assert_eq!(r[2]["subject"], r[0]["subject"]["items"][2]);
    assert!(text(&r[2]).contains("sam okafor") && text(&r[2]).contains("18 dec"), "{}", text(&r[2]));
    // "the 15th dec" is a day, not a row.
    let r = thread(&[
        "what does li.wei have open?",
        "Please reassign all of them to raj@contoso.com with due date 15th Dec",
    ])
    .await;
    assert_eq!(skill(&r[1]), "delegate", "{}", text(&r[1]));
    assert!(text(&r[1]).contains("15 dec"), "{}", text(&r[1]));
}

#[tokio::test]
async fn a_pasted_alert_link_is_that_alert_looked_at_and_a_clouds_product_is_no_resource() {
    let r = thread(&[
        "can someone look at this? <https://portal.azure.com/#view/Microsoft_Azure_Security/AlertBlade/alertId/2518000736224663203_96aa8c3e/subscriptionId/491827365012|Successful SSH brute force attack> on ec2",
        "what do we do first",
    ])
    .await;
    assert_eq!(skill(&r[0]), "explain", "{}", text(&r[0]));
    assert_eq!(r[0]["subject"]["kind"], "alert", "{}", r[0]["subject"]);
    assert_eq!(skill(&r[1]), "remediate", "{}", text(&r[1]));
    let r = thread(&[
        "vm-jump-01 is in the list — which findings exactly are on this machine?",
        "The one with JIT — we don't use JIT, we have Azure Bastion for this. Can I make an exemption?",
    ])
    .await;
    assert_eq!(r[1]["subject"]["resource_name"], "vm-jump-01", "{}", text(&r[1]));
}

#[tokio::test]
async fn findings_asked_for_an_audit_are_listed_and_the_other_account_of_the_same_fix_is_picked() {
    let r = thread(&[
        "Hallo, short question: which storage accounts are open to the public internet? We must check this for the GDPR audit.",
    ])
    .await;
    assert_eq!(skill(&r[0]), "list_risks", "{}", text(&r[0]));
    let r = thread(&[
        "show me what's open on the Azure storage accounts",
        "how do I fix the secure transfer one",
        "the datalake one",
    ])
    .await;
    assert_eq!(skill(&r[2]), "remediate", "{}", text(&r[2]));
    assert!(text(&r[2]).contains("secure transfer") && text(&r[2]).contains("datalake"), "{}", text(&r[2]));
}

#[tokio::test]
async fn rows_are_named_as_people_write_them() {
    // "No.3", "and after that", "fix first".
    let r = thread(&[
        "Please teach me the list of machines which have high severity vulnerabilities.",
        "I want to know the owner of No.3.",
    ])
    .await;
    assert_eq!(skill(&r[1]), "status", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"], r[0]["subject"]["items"][2]);
    let r =
        thread(&["can you list the critical stuff?", "explain number 1 pls", "next", "and after that"]).await;
    assert_eq!(skill(&r[3]), "explain", "{}", text(&r[3]));
    assert_eq!(r[3]["subject"], r[0]["subject"]["items"][2]);
    let r = thread(&["critical risks", "fix first"]).await;
    assert_eq!(skill(&r[1]), "remediate", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"], r[0]["subject"]["items"][0]);
    // "my #1" is what matters most, not a row; "The second, it passes by which identity?" asks
    // about the second path.
    let r = thread(&[
        "We're a hospital, so anything that could touch patient records is my #1. What's open on resources that hold sensitive data?",
    ])
    .await;
    assert_eq!(skill(&r[0]), "list_risks", "{}", text(&r[0]));
    let r = thread(&[
        "what are the attack paths which finish on a key vault?",
        "The second, it passes by which identity?",
    ])
    .await;
    assert_eq!(skill(&r[1]), "attack_paths", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"], r[0]["subject"]["items"][1]);
}

#[tokio::test]
async fn a_hand_over_reads_the_date_its_deadline_word_introduces_and_a_full_name() {
    let r = thread(&[
        "Is stcustomerdata01 open to the public?",
        "who's on the hook for the public access one on it",
        "7 Jan is way too late. Move it to raj, due the 14th of this month please.",
    ])
    .await;
    assert_eq!(skill(&r[2]), "delegate", "{}", text(&r[2]));
    assert_eq!(r[2]["subject"], r[1]["subject"]);
    assert!(text(&r[2]).contains("raj patel") && text(&r[2]).contains("14 dec"), "{}", text(&r[2]));
    let r = thread(&["critical risks", "please assign the 2nd to Li Wei, deadline is 12/25"]).await;
    assert_eq!(skill(&r[1]), "delegate", "{}", text(&r[1]));
    assert!(text(&r[1]).contains("li wei") && text(&r[1]).contains("25 dec"), "{}", text(&r[1]));
}

#[tokio::test]
async fn a_pasted_alert_mail_is_that_alert_and_its_paths_are_its_resources() {
    let mail = "got this in my inbox, is it legit and what do I do?\n\n> Microsoft Defender for Cloud\n> *High severity alert* - Successful SSH brute force attack\n> Resource: ec2-worker-08\n> Subscription: contoso-aws-prod";
    let r = thread(&[mail, "is it on an attack path?"]).await;
    assert_eq!(r[0]["subject"]["kind"], "alert", "{}", text(&r[0]));
    assert_eq!(r[0]["subject"]["resource_name"], "ec2-worker-08", "{}", text(&r[0]));
    assert_eq!(skill(&r[1]), "attack_paths", "{}", text(&r[1]));
    assert!(text(&r[1]).contains("through ec2-worker-08"), "{}", text(&r[1]));
}

#[tokio::test]
async fn one_finding_of_a_named_resource_or_all_of_them() {
    let r = thread(&["who owns the SQL vulnerability one on vm-etl-02?"]).await;
    assert_eq!(skill(&r[0]), "status", "{}", text(&r[0]));
    assert_eq!(r[0]["subject"]["kind"], "finding", "{}", text(&r[0]));
    assert!(text(&r[0]).contains("sql servers on machines"), "{}", text(&r[0]));
    let r = thread(&["explain vm-etl-02", "who is owner of the findings on this VM today?"]).await;
    assert_eq!(skill(&r[1]), "status", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"]["on_name"], "vm-etl-02", "{}", r[1]["subject"]);
    // "raj's?": raj's work; "what should we take?": the worst first.
    let r = thread(&["overdue stuff", "raj's?", "Planning next sprint. What should we take?"]).await;
    assert_eq!(skill(&r[1]), "status", "{}", text(&r[1]));
    assert!(text(&r[1]).contains("raj"), "{}", text(&r[1]));
    assert_eq!(skill(&r[2]), "list_risks", "{}", text(&r[2]));
}

#[tokio::test]
async fn each_labelled_thread_starts_from_the_tenant_as_loaded() {
    // The first thread hands a finding to priya; the second asks who owns it and must hear the
    // owner the demo tenant gives it, as a new `secbot chat` would.
    let lines = [
        r#"{"name": "a", "turns": [{"say": "critical risks", "skills": ["list_risks"]}, {"say": "assign the 1st to priya by friday", "skills": ["delegate"]}, {"say": "/press Confirm", "skills": ["delegate"]}]}"#,
        r#"{"name": "b", "turns": [{"say": "critical risks", "skills": ["list_risks"]}, {"say": "who owns the 1st?", "skills": ["status"], "text": "nobody owns this yet"}]}"#,
    ];
    let threads = read_threads(&lines.join("\n")).expect("they parse");
    let report = play(fresh_engine, Some(secbot_tests::DAY), &threads).await.expect("a fresh engine");
    assert_eq!(report.right, 5, "{:?}", report.misses);
}

#[tokio::test]
async fn a_question_that_names_attack_paths_is_about_them_and_a_reaction_is_no_request() {
    let r = thread(&[
        "show critical risks",
        "explain #1",
        "ok but how many attack paths actually go through it? really?",
    ])
    .await;
    assert_eq!(skill(&r[2]), "attack_paths", "{}", text(&r[2]));
    assert!(text(&r[2]).contains("through vm-etl-02"), "{}", text(&r[2]));
}

#[tokio::test]
async fn a_doubted_owner_is_looked_up_again_and_the_rest_go_to_the_next_person() {
    let r = thread(&[
        "who owns the SQL vulnerability one on vm-etl-02?",
        "are you sure? I'm pretty sure priya took that one",
    ])
    .await;
    assert_eq!(skill(&r[1]), "status", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"], r[0]["subject"]);
    assert!(text(&r[1]).contains("omar"), "{}", text(&r[1]));
    // "give the rest to omar": the rows the first hand-over left.
    let r = thread(&[
        "critical risks",
        "ok, the first 3 go to sam by the 20th",
        "give the rest to omar, due jan 8",
    ])
    .await;
    let items = r[0]["subject"]["items"].as_array().expect("a list").clone();
    assert_eq!(skill(&r[2]), "delegate", "{}", text(&r[2]));
    assert_eq!(r[2]["subject"]["items"], serde_json::json!(items[3..].to_vec()), "{}", text(&r[2]));
    assert!(text(&r[2]).contains("omar"), "{}", text(&r[2]));
    // "4 to jules, same date": the row, by the day just given.
    let r = thread(&["critical risks", "1 and 2 to sam, due friday", "4 to jules, same date"]).await;
    assert_eq!(skill(&r[2]), "delegate", "{}", text(&r[2]));
    assert_eq!(r[2]["subject"], r[0]["subject"]["items"][3]);
    assert_eq!(r[2]["slots"]["due"], r[1]["slots"]["due"]);
}

#[tokio::test]
async fn paths_and_alerts_numbered_as_people_write_them() {
    let r = thread(&["attack paths", "explain path 2", "the 1st path: walk me through each hop"]).await;
    let items = r[0]["subject"]["items"].as_array().expect("a list").clone();
    assert_eq!(skill(&r[1]), "attack_paths", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"], items[1]);
    assert_eq!(skill(&r[2]), "attack_paths", "walking a path is not an attack: {}", text(&r[2]));
    assert_eq!(r[2]["subject"], items[0]);
    // After looking at the 6th path, "the 3rd" is still the 3rd path.
    let r = thread(&[
        "attack paths to sensitive data",
        "show more",
        "the 6th: where does it end?",
        "go back to the 3rd, the sql-orders-prod one. what breaks it",
    ])
    .await;
    assert_eq!(skill(&r[3]), "attack_paths", "{}", text(&r[3]));
    assert_eq!(r[3]["subject"], r[1]["subject"]["items"][2]);
    // "what would I have to fix to break it?" is the path, whose card lists its fixes.
    let r = thread(&["attack paths", "ok, the 1st path - what would I have to fix to break it?"]).await;
    assert_eq!(skill(&r[1]), "attack_paths", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"], r[0]["subject"]["items"][0]);
    // "#4 wat do" about an alert is what to do about it.
    let r = thread(&["show all high alerts", "#4 wat do"]).await;
    assert_eq!(skill(&r[1]), "remediate", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"], r[0]["subject"]["items"][3]);
}

#[tokio::test]
async fn short_and_literal_follow_ups_about_a_row() {
    // "the 3 who is owner", "when is due", "ok pass to raj same date".
    let r = thread(&[
        "opa, show critcal risks pls",
        "the 3 who is owner",
        "when is due",
        "ok pass to raj same date",
    ])
    .await;
    let third = r[0]["subject"]["items"][2].clone();
    assert_eq!(skill(&r[1]), "status", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"], third);
    assert_eq!(skill(&r[2]), "status", "{}", text(&r[2]));
    assert_eq!(r[2]["subject"], third);
    assert_eq!(skill(&r[3]), "delegate", "{}", text(&r[3]));
    assert_eq!(r[3]["subject"], third);
    // A question about a numbered row is about that row, not a narrower list.
    let r = thread(&[
        "Which findings are past their due date? I need owner names and dates.",
        "Item 4, the SQL database: what data is exposed there?",
    ])
    .await;
    assert_eq!(skill(&r[1]), "explain", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"], r[0]["subject"]["items"][3]);
    // "thoughts on the 2nd?" is a row, and a person mentioned beside it is not whose work is asked.
    let r = thread(&[
        "risks on stdatalakecurated?",
        "thoughts on the 2nd? and who should take it, dana already has one there",
        "fine, give it to dana, end of month",
    ])
    .await;
    assert_eq!(r[1]["subject"], r[0]["subject"]["items"][1], "{}", text(&r[1]));
    assert_eq!(skill(&r[2]), "delegate", "{}", text(&r[2]));
    assert_eq!(r[2]["subject"], r[0]["subject"]["items"][1]);
    // "and the 5th, the key vault one?" asks the last question again.
    let r = thread(&[
        "show me the critical findings, most risky first",
        "how would we fix #1?",
        "and the 5th, the key vault one?",
    ])
    .await;
    assert_eq!(skill(&r[2]), "remediate", "{}", text(&r[2]));
    assert_eq!(r[2]["subject"], r[0]["subject"]["items"][4]);
    // "who owns the patching one" is the system updates row.
    let r = thread(&["paged for vm-web-03. anything critical on it", "who owns the patching one"]).await;
    assert_eq!(skill(&r[1]), "status", "{}", text(&r[1]));
    assert!(text(&r[1]).contains("system updates"), "{}", text(&r[1]));
}

#[tokio::test]
async fn lead_ins_pages_spans_and_deadlines_written_plainly() {
    let r = thread(&["who drank my oat milk", "ok real question: risks on stdatalakecurated?"]).await;
    assert_eq!(skill(&r[1]), "list_risks", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"]["kind"], "list");
    let r = thread(&["happy monday everyone ☕ ok bot, what's critical today?"]).await;
    assert_eq!(skill(&r[0]), "list_risks", "{}", text(&r[0]));
    // "show me also the next five" pages the same list.
    let r = thread(&[
        "Please show me all findings with the severity critical.",
        "Thank you. Can you please show me also the next five?",
    ])
    .await;
    assert_eq!(r[1]["slots"]["severity"], r[0]["slots"]["severity"], "{}", text(&r[1]));
    assert!(text(&r[1]).contains("showing 6"), "{}", text(&r[1]));
    // "the points one until three", then "the deadline shall be 15. December".
    let r = thread(&[
        "Please give me the open risks of the storage account stdatalakecurated.",
        "Then please assign the points one until three also to Dana, with deadline 18. December.",
        "Excuse me, I have made a mistake. The deadline shall be 15. December, not 18.",
    ])
    .await;
    assert_eq!(skill(&r[1]), "delegate", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"]["items"].as_array().map(Vec::len), Some(3), "{}", r[1]["subject"]);
    assert_eq!(skill(&r[2]), "delegate", "{}", text(&r[2]));
    assert!(text(&r[2]).contains("15 dec") && text(&r[2]).contains("dana"), "{}", text(&r[2]));
    // "assign it to me, I'm sam".
    let r = thread(&[
        "what's on raj's plate?",
        "the first one there, assign it to me, I'm sam, i'll take it over",
    ])
    .await;
    assert_eq!(skill(&r[1]), "delegate", "{}", text(&r[1]));
    assert_eq!(r[1]["slots"]["assignee"], "sam");
}

#[tokio::test]
async fn an_address_is_its_person_bash_alone_is_the_cli_and_one_of_a_kind_asks_which() {
    let r = thread(&["can you show me everything li.wei@contoso.com has"]).await;
    assert_eq!(skill(&r[0]), "status", "{}", text(&r[0]));
    assert!(text(&r[0]).contains("li.wei"), "{}", text(&r[0]));
    let r = thread(&["critical risks", "how do I fix the 2nd one?", "bash"]).await;
    assert_eq!(skill(&r[2]), "remediate", "{}", text(&r[2]));
    assert_eq!(r[2]["subject"], r[1]["subject"]);
    assert_eq!(r[2]["card"]["code"][0]["language"], "bash", "{}", r[2]["card"]["code"]);
    // "the vm one" with several machine rows: which one, not all of them.
    let r = thread(&["critical risks", "give the vm one to sam by friday"]).await;
    assert_eq!(skill(&r[1]), "clarify", "{}", text(&r[1]));
}

#[tokio::test]
async fn a_hand_over_goes_through_in_the_few_words_people_answer_with() {
    let r = thread(&[
        "show critical risks",
        "assign the vm-etl-02 one to dana",
        "2",
        "yes",
        "lol",
        "friday",
        "yes",
        "yes",
    ])
    .await;
    let items = r[0]["subject"]["items"].as_array().expect("a list").clone();
    assert_eq!(skill(&r[1]), "clarify", "several rows are on vm-etl-02: a hand-over asks which");
    assert_eq!(skill(&r[2]), "delegate", "a number alone answers which one");
    assert_eq!(r[2]["subject"], items[1]);
    assert!(text(&r[2]).contains("by when"), "{}", text(&r[2]));
    assert!(text(&r[3]).starts_with("by when"), "a yes picks no date: {}", text(&r[3]));
    assert_eq!(skill(&r[4]), "decline");
    assert_eq!(skill(&r[5]), "delegate", "a day alone answers \"By when?\", past the chatter");
    assert_eq!(r[5]["subject"], items[1]);
    assert!(r[5]["slots"]["due"].is_string() && r[5]["slots"]["assignee"] == "dana", "{}", r[5]["slots"]);
    assert_eq!(skill(&r[6]), "delegate", "\"yes\" presses Confirm");
    assert!(text(&r[6]).starts_with("assigned to dana"), "{}", text(&r[6]));
    assert_eq!(skill(&r[7]), "decline", "once recorded, nothing waits for a yes");

    let r = thread(&[
        "attack paths",
        "3",
        "show critical risks",
        "assign the 2nd to sam by friday",
        "never mind",
    ])
    .await;
    let paths = r[0]["subject"]["items"].as_array().expect("a list").clone();
    assert_eq!(skill(&r[1]), "attack_paths", "a number alone is a row of the list");
    assert_eq!(r[1]["subject"], paths[2]);
    assert_eq!(skill(&r[4]), "delegate", "\"never mind\" presses Cancel");
    assert!(text(&r[4]).starts_with("not assigned"), "{}", text(&r[4]));
}

#[tokio::test]
async fn the_findings_on_the_threads_resource_are_its_own() {
    let r = thread(&[
        "how do I fix sql-warehouse-prod",
        "what recs are open on that server",
        "explain the 2nd",
        "owner is who?",
    ])
    .await;
    assert_eq!(skill(&r[1]), "list_risks");
    assert!(text(&r[1]).contains("open risks on sql-warehouse-prod"), "{}", text(&r[1]));
    assert_eq!(skill(&r[3]), "status", "a few words asking who are about the thread's row");
    assert_eq!(r[3]["subject"], r[2]["subject"]);

    let r =
        thread(&["show high risks", "#3", "ok forget the money. what's wrong with it security-wise"]).await;
    let name = r[1]["subject"]["resource_name"].as_str().expect("a row on a resource").to_owned();
    assert_eq!(skill(&r[2]), "list_risks");
    assert!(text(&r[2]).contains(&format!("open risks on {name}")), "{}", text(&r[2]));
}

#[tokio::test]
async fn all_of_someones_work_goes_to_another_when_a_pronoun_names_them() {
    let r = thread(&["what has omar pending?", "pass all of him to raj until the 21 of december"]).await;
    assert_eq!(skill(&r[1]), "delegate");
    let handed = r[1]["subject"]["items"].as_array().expect("a list of rows").len();
    assert!(text(&r[0]).contains(&format!("{handed} assigned findings")), "all of omar's: {handed}");
    assert!(text(&r[1]).contains("raj patel will own these"), "{}", text(&r[1]));
    assert_eq!(r[1]["slots"]["due"], "2026-12-21");
}

#[tokio::test]
async fn a_thread_goes_back_to_a_list_it_showed_before() {
    let r = thread(&[
        "critical risks",
        "what about high",
        "go back to the first list. #3 there — who owns it?",
        "explain the 2nd",
    ])
    .await;
    let first = r[0]["subject"]["items"].as_array().expect("a list").clone();
    assert_eq!(skill(&r[2]), "status");
    assert_eq!(r[2]["subject"], first[2], "#3 of the first list");
    assert_eq!(r[3]["subject"], first[1], "the thread counts from the list it went back to");

    let r = thread(&[
        "container images with vulns",
        "and the clusters?",
        "ok back to the images — the payments one, how do we remediate",
        "the image sam owns from that same list, is it still overdue?",
    ])
    .await;
    assert_eq!(skill(&r[2]), "remediate");
    assert!(text(&r[2]).contains("payments-svc"), "{}", text(&r[2]));
    assert_eq!(skill(&r[3]), "status");
    assert!(text(&r[3]).contains("sam@contoso.com"), "the row sam owns: {}", text(&r[3]));
    assert_ne!(r[3]["subject"]["kind"], "list", "one row, not all of sam's work");

    let r = thread(&["what does omar have", "and li.wei?", "back to omar's list — the cosmos one, explain"])
        .await;
    assert_eq!(skill(&r[2]), "explain", "going back to someone's list hands nothing over");
    assert!(text(&r[2]).contains("cosmos-catalog-prod"), "{}", text(&r[2]));
}

#[tokio::test]
async fn a_row_asked_about_in_other_words_stays_that_row() {
    let r = thread(&[
        "Need an evidence trail: all open security alerts, newest first",
        "Number 2, the malicious file — which storage account exactly, and when?",
    ])
    .await;
    let alerts = r[0]["subject"]["items"].as_array().expect("a list").clone();
    assert_eq!(skill(&r[1]), "explain", "no word of paths: a look at the alert");
    assert_eq!(r[1]["subject"], alerts[1]);

    let r = thread(&[
        "what is li.wei working on",
        "is the 3rd one late?",
        "i mean is it past the due date or not, sorry",
        "who do i ask about it then",
    ])
    .await;
    assert_eq!(r[2]["subject"], r[1]["subject"], "\"it\" is the row, not li.wei's overdue list");
    assert_eq!(skill(&r[3]), "status", "whom to ask is its owner");
    assert_eq!(r[3]["subject"], r[1]["subject"]);
}

#[tokio::test]
async fn a_row_is_picked_by_its_due_date_and_a_date_moved_keeps_its_owner() {
    let r = thread(&[
        "what does dana have?",
        "which of those is due next",
        "give her oldest overdue one to jules",
    ])
    .await;
    let items = r[0]["subject"]["items"].as_array().expect("a list").clone();
    assert_eq!(skill(&r[1]), "status");
    assert!(items.contains(&r[1]["subject"]), "a row of the list: {}", r[1]["subject"]);
    assert!(!text(&r[1]).contains("overdue by"), "the next deadline is ahead: {}", text(&r[1]));
    assert_eq!(skill(&r[2]), "delegate");
    assert!(items.contains(&r[2]["subject"]), "a row of the list: {}", r[2]["subject"]);
    assert_ne!(r[2]["subject"], r[1]["subject"], "the oldest overdue one is not the one due next");

    let r =
        thread(&["what does dana have?", "the 1st one", "can you push its deadline to next friday"]).await;
    assert_eq!(skill(&r[2]), "delegate");
    assert!(text(&r[2]).starts_with("move the due date"), "no one named keeps the owner: {}", text(&r[2]));
    assert!(text(&r[2]).contains("dana"), "{}", text(&r[2]));
    assert_eq!(r[2]["subject"], r[1]["subject"]);
    let r = thread(&["what does dana have?", "the 1st one", "postpone it by two weeks"]).await;
    assert_eq!(skill(&r[2]), "delegate", "a date moved by a span");
    assert!(text(&r[2]).starts_with("move the due date"), "{}", text(&r[2]));
}

#[tokio::test]
async fn an_alert_named_by_its_title_and_resource_is_that_alert_and_yep_confirms() {
    let r = thread(&[
        "Successful SSH brute force attack ec2-worker-08 what is this",
        "what do i do first",
        "hand it to li wei due tomorrow",
        "yep do it",
    ])
    .await;
    assert_eq!(r[0]["subject"]["kind"], "alert", "{}", r[0]["subject"]);
    assert_eq!(skill(&r[1]), "remediate");
    assert_eq!(r[1]["subject"], r[0]["subject"]);
    assert_eq!(skill(&r[2]), "delegate");
    assert_eq!(r[2]["slots"]["assignee"], "li.wei", "a first and last name are one person");
    assert!(text(&r[3]).starts_with("assigned to li wei"), "{}", text(&r[3]));
}

#[tokio::test]
async fn someones_work_is_asked_for_by_their_name_and_by_who_the_asker_says_they_are() {
    let r = thread(&["alex and li wei both have 4. show alex's", "i'm raj — what's on my plate?"]).await;
    assert_eq!(skill(&r[0]), "status");
    assert!(text(&r[0]).contains("assigned to alex@"), "{}", text(&r[0]));
    assert_eq!(skill(&r[1]), "status");
    assert!(text(&r[1]).contains("assigned to raj@"), "{}", text(&r[1]));
    let r = thread(&[
        "What *can't* you show me? e.g. policy compliance, Entra sign-in logs, on-prem",
        "ISO 27001 A.8.8 (technical vulnerabilities): what open vulnerability findings do we have?",
    ])
    .await;
    assert_eq!(skill(&r[0]), "help", "a question about secbot, whatever it lists");
    assert_eq!(skill(&r[1]), "list_risks", "findings asked for under a standard's heading");
}

#[tokio::test]
async fn an_alert_on_a_named_or_the_threads_machine_is_that_alert() {
    let r = thread(&[
        "vm-app-04 anything open on it",
        "also <https://portal.azure.com/#blade/Microsoft_Azure_Security/AlertBlade|Detected encoded executable in command line data> on the same box explain",
        "nvm, more urgent: the ssh brute force alert on ec2-worker-08 — what do i do",
    ])
    .await;
    assert_eq!(skill(&r[1]), "explain", "a pasted alert on the thread's machine");
    assert_eq!(r[1]["subject"]["kind"], "alert", "{}", r[1]["subject"]);
    assert_eq!(skill(&r[2]), "remediate");
    assert_eq!(r[2]["subject"]["kind"], "alert", "the one alert on the machine named: {}", r[2]["subject"]);
    assert_eq!(r[2]["subject"]["resource_name"], "ec2-worker-08");
}

#[tokio::test]
async fn work_nobody_has_is_listed_and_a_resources_people_are_its_owners() {
    let r = thread(&["how many critical findings have nobody on them?", "list them"]).await;
    assert_eq!(skill(&r[0]), "list_risks", "a count of unowned work is its list");
    assert_eq!(r[0]["slots"]["unassigned"], true, "{}", r[0]["slots"]);
    assert_eq!(skill(&r[1]), "list_risks", "\"list them\" lists, it does not sum up again");
    assert_eq!(r[1]["slots"]["unassigned"], true, "{}", r[1]["slots"]);
    let r = thread(&[
        "Who is accountable for the sql-billing-prod items, and is any of it past due?",
        "Which attack paths end at stdatalakecurated?",
        "Walk me through the first one.",
    ])
    .await;
    assert!(text(&r[0]).starts_with("who's on sql-billing-prod"), "its owners: {}", text(&r[0]));
    assert_eq!(r[1]["subject"]["kind"], "list", "the paths named are the thread's list");
    let paths = r[1]["subject"]["items"].as_array().expect("a list").clone();
    assert_eq!(r[2]["subject"], paths[0]);
}

#[tokio::test]
async fn a_machine_paged_for_its_one_alert_and_a_resources_late_work_stay_on_it() {
    let r = thread(&["paged. ssh brute force on ec2-worker-08. real?", "what do i do"]).await;
    assert_eq!(skill(&r[0]), "explain", "{}", text(&r[0]));
    assert_eq!(
        r[0]["subject"]["kind"], "alert",
        "the one alert on a machine with no finding: {}",
        r[0]["subject"]
    );
    assert_eq!(skill(&r[1]), "remediate");
    assert_eq!(r[1]["subject"], r[0]["subject"], "the thread stays on the alert");
    let r = thread(&[
        "is stcustomerdata01 exposed to the internet?",
        "is anyone on it?",
        "is that overdue?",
        "is there an attack path through it?",
    ])
    .await;
    assert!(text(&r[2]).starts_with("overdue on stcustomerdata01"), "its late work: {}", text(&r[2]));
    assert_eq!(skill(&r[3]), "attack_paths");
    assert_eq!(r[3]["subject"]["kind"], "resource", "the paths through it: {}", r[3]["subject"]);
    assert_eq!(r[3]["subject"]["name"], "stcustomerdata01");
    let r = thread(&["Show me the open points of Jules", "Sorry, only the ones which are overdue."]).await;
    assert!(text(&r[1]).starts_with("overdue work for jules"), "still jules's work: {}", text(&r[1]));
}

#[tokio::test]
async fn notes_to_teammates_counts_of_late_work_and_alerts_described_in_words() {
    let r = thread(&["what's overdue?", "<@U024BE7LH> fyi ^"]).await;
    assert_eq!(skill(&r[1]), "decline", "a teammate looped in is no hand-over: {}", text(&r[1]));
    let r = thread(&["How many findings are past their remediation due date as of today?"]).await;
    assert_eq!(skill(&r[0]), "status", "{}", text(&r[0]));
    assert_eq!(r[0]["slots"]["overdue"], true, "{}", r[0]["slots"]);
    let r = thread(&["what is dana working on", "whats the first one about"]).await;
    assert_eq!(skill(&r[1]), "explain", "what a row is about is a look at it");
    assert_eq!(r[1]["subject"], r[0]["subject"]["items"][0]);
    let r = thread(&[
        "the authorized IP ranges one on aks-prod-eastus, terraform pls",
        "is that related to the exposed k8s dashboard alert from yesterday?",
    ])
    .await;
    assert_eq!(skill(&r[1]), "explain", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"]["kind"], "alert", "{}", r[1]["subject"]);
    assert!(text(&r[1]).contains("kubernetes dashboard"), "{}", text(&r[1]));
    let r = thread(&["move dana's two overdue ones to sam, due next friday"]).await;
    assert_eq!(skill(&r[0]), "delegate", "{}", text(&r[0]));
    assert_eq!(r[0]["subject"]["kind"], "list", "dana's late work: {}", r[0]["subject"]);
    let r =
        thread(&["actually keep legacy-reporting:0.3.1 with priya, it's blocked on a vendor anyway"]).await;
    assert_eq!(skill(&r[0]), "delegate", "{}", text(&r[0]));
    let r = thread(&[
        "show critical risks",
        "Are any of the items on this list unassigned?",
        "Could you email this to the board distribution list?",
    ])
    .await;
    assert!(text(&r[1]).starts_with("who's on these"), "the rows' owners: {}", text(&r[1]));
    assert_eq!(r[1]["subject"]["items"], r[0]["subject"]["items"]);
    assert_eq!(skill(&r[2]), "decline", "secbot answers where it is asked: {}", text(&r[2]));
}

#[tokio::test]
async fn a_thread_on_one_resource_keeps_it_for_paths_and_owners() {
    // "paths?" after one machine's findings: the paths through that machine, not every path.
    let r = thread(&["show findings on vm-web-03", "paths?", "who owns the findings on vm-web-03"]).await;
    assert_eq!(skill(&r[1]), "attack_paths", "{}", text(&r[1]));
    assert_eq!(r[1]["subject"]["kind"], "resource", "{}", r[1]["subject"]);
    assert!(text(&r[1]).contains("through vm-web-03"), "{}", text(&r[1]));
    // The owners are named in the summary, not only row by row.
    assert_eq!(skill(&r[2]), "status", "{}", text(&r[2]));
    assert!(text(&r[2]).contains("have an owner (3 overdue): "), "{}", text(&r[2]));
    assert!(text(&r[2]).contains("@contoso.com and others"), "{}", text(&r[2]));
}

#[tokio::test]
async fn alerts_asked_about_tersely_and_asks_to_silence_them() {
    let r = thread(&[
        "are we under attack right now?",
        "alrts last 24h",
        "can u just mute everything for it till 9am",
        "thanks!! I'll message alex",
    ])
    .await;
    assert_eq!(skill(&r[0]), "list_risks", "{}", text(&r[0]));
    assert!(text(&r[0]).contains("open alerts"), "{}", text(&r[0]));
    assert_eq!(skill(&r[1]), "list_risks", "{}", text(&r[1]));
    assert!(text(&r[1]).contains("alerts"), "{}", text(&r[1]));
    // Silencing detection is lowering protection: refused with the reason.
    assert_eq!(skill(&r[2]), "decline", "{}", text(&r[2]));
    assert!(text(&r[2]).contains("destructive"), "{}", text(&r[2]));
    // A note about what the writer will do next is not a hand-over to alex.
    assert_eq!(skill(&r[3]), "decline", "{}", text(&r[3]));
    assert!(!text(&r[3]).contains("alex"), "{}", text(&r[3]));
}

#[tokio::test]
async fn a_teammates_load_is_their_work_whatever_the_thread_was_on() {
    // A mention secbot cannot put a name to gives way to the teammate the question names.
    let r = thread(&["<@U07RAJ21> is out from the 14th. what does raj have due before then?"]).await;
    assert_eq!(skill(&r[0]), "status", "{}", text(&r[0]));
    assert!(text(&r[0]).contains("raj@contoso.com"), "{}", text(&r[0]));
    // "how much does omar have" is his load, not a question about cost; "after that" is a time,
    // not the row the thread was on.
    let r = thread(&[
        "which critical findings have no owner yet?",
        "hmm wait, how much does omar already have?",
        "explain the 1st",
        "how loaded is dana after that?",
    ])
    .await;
    assert_eq!(skill(&r[1]), "status", "{}", text(&r[1]));
    assert!(text(&r[1]).contains("work assigned to omar@contoso.com"), "{}", text(&r[1]));
    assert_eq!(skill(&r[3]), "status", "{}", text(&r[3]));
    assert!(text(&r[3]).contains("work assigned to dana@contoso.com"), "{}", text(&r[3]));
}

#[tokio::test]
async fn a_bare_paths_after_one_finding_is_its_resources_paths() {
    let r = thread(&["show critical risks", "explain the 1st", "paths?", "show our attack paths"]).await;
    assert_eq!(skill(&r[2]), "attack_paths", "{}", text(&r[2]));
    assert_eq!(r[2]["subject"]["kind"], "resource", "{}", r[2]["subject"]);
    assert!(text(&r[2]).contains("attack paths through vm-etl-02"), "{}", text(&r[2]));
    // Asked for in full, they are all of them.
    assert_eq!(skill(&r[3]), "attack_paths", "{}", text(&r[3]));
    assert!(!text(&r[3]).contains("through"), "{}", text(&r[3]));
}
