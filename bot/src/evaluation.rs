//! Measuring understanding end to end: labelled threads are played through the engine as
//! `secbot chat --json` plays them, and each turn is checked against its labels (the skill that
//! answered, what the reply is about, the script language, names in the text, the owner).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;
use time::Date;

use crate::engine::Engine;
use crate::terminal::{Chat, Output};

/// One turn of a labelled thread.
#[derive(Debug, Clone, Deserialize)]
pub struct Turn {
    /// What the person types (or `/press LABEL`).
    pub say: String,
    /// The skills that would be a right answer.
    pub skills: Vec<String>,
    /// What the reply must be about: `list`, `item:N`, `same` or `resource:NAME`.
    #[serde(default)]
    pub subject: Option<String>,
    /// A script language the reply must carry (`bicep`, `terraform`, `powershell`, `bash`,
    /// `aws`, `gcloud`).
    #[serde(default)]
    pub code: Option<String>,
    /// Words the reply's text must contain.
    #[serde(default)]
    pub text: Option<String>,
    /// The reply must name the owner of the item it is about, or say it has none.
    #[serde(default)]
    pub owner: bool,
}

/// A labelled thread.
#[derive(Debug, Clone, Deserialize)]
pub struct Conversation {
    /// Its name, for reports.
    pub name: String,
    /// Its turns, in order.
    pub turns: Vec<Turn>,
}

/// Reads labelled threads, one JSON object a line; blank lines are skipped.
pub fn read_threads(jsonl: &str) -> Result<Vec<Conversation>, serde_json::Error> {
    jsonl.lines().filter(|l| !l.trim().is_empty()).map(serde_json::from_str).collect()
}

/// True when the file holds labelled threads rather than labelled prompts.
pub fn is_thread_file(jsonl: &str) -> bool {
    jsonl
        .lines()
        .find(|l| !l.trim().is_empty())
        .and_then(|l| serde_json::from_str::<Value>(l).ok())
        .is_some_and(|v| v.get("turns").is_some())
}

/// How a thread set went.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ThreadReport {
    /// Threads played.
    pub threads: usize,
    /// Turns played.
    pub turns: usize,
    /// Turns whose every label held.
    pub right: usize,
    /// One line per wrong turn: the thread, what was said, what went wrong.
    pub misses: Vec<String>,
    /// Per skill a turn wanted (its first label): how those turns went.
    pub by_skill: BTreeMap<String, SkillTally>,
}

/// How the turns that wanted one skill went, without their text: what a held-out set may tell.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SkillTally {
    /// Turns that wanted this skill.
    pub turns: usize,
    /// Turns whose every label held.
    pub right: usize,
    /// Turns answered by a skill none of their labels accept, counted by the skill that answered.
    pub answered_by: BTreeMap<String, usize>,
    /// Turns answered by a right skill but about the wrong thing (subject, script, words, owner).
    pub wrong_subject: usize,
}

impl ThreadReport {
    /// The share of turns right.
    pub fn accuracy(&self) -> f64 {
        if self.turns == 0 { 1.0 } else { self.right as f64 / self.turns as f64 }
    }
}

/// What identifies a reply's subject: its kind, recommendation and resource.
fn key(subject: &Value) -> (Option<&str>, Option<&str>, Option<&str>) {
    let field = |name: &str| subject.get(name).and_then(Value::as_str);
    (field("kind"), field("recommendation"), field("resource"))
}

/// Plays every thread on an engine of its own, as a new `secbot chat --json` would, and checks
/// every turn. `new_engine` gives a fresh one each time: a hand-over one thread confirms would
/// otherwise change the owners a later thread's labels were written against. `day` pins the
/// date the threads are held on, as `--day` does.
pub async fn play<F, E>(
    new_engine: impl Fn() -> F,
    day: Option<Date>,
    conversations: &[Conversation],
) -> Result<ThreadReport, E>
where
    F: std::future::Future<Output = Result<Arc<Engine>, E>>,
{
    let mut report = ThreadReport { threads: conversations.len(), ..ThreadReport::default() };
    for conversation in conversations {
        let engine = new_engine().await?;
        let mut chat = Chat::new(&engine, Output::Json, day);
        let mut replies: Vec<Value> = Vec::new();
        for turn in &conversation.turns {
            let mut out = Vec::new();
            // Writing to memory cannot fail; a turn that prints nothing counts as wrong below.
            let _ = chat.line(&turn.say, &mut out).await;
            let printed = String::from_utf8_lossy(&out);
            let reply = printed
                .lines()
                .rev()
                .find_map(|l| serde_json::from_str::<Value>(l).ok())
                .unwrap_or(Value::Null);
            replies.push(reply);
        }
        report.turns += conversation.turns.len();
        let (mut last_list, mut previous) = (Value::Null, Value::Null);
        // The rows of the last list as its cards showed them, across its pages.
        let mut shown_rows: Vec<Value> = Vec::new();
        for (turn, reply) in conversation.turns.iter().zip(&replies) {
            let why = check(turn, reply, &last_list, &shown_rows, &previous);
            let wanted = turn.skills.first().cloned().unwrap_or_default();
            let tally = report.by_skill.entry(wanted).or_default();
            tally.turns += 1;
            let skill = reply.get("skill").and_then(Value::as_str).unwrap_or("none");
            if why.is_empty() {
                tally.right += 1;
            } else if turn.skills.iter().any(|s| s == skill) {
                tally.wrong_subject += 1;
            } else {
                *tally.answered_by.entry(skill.to_owned()).or_default() += 1;
            }
            if why.is_empty() {
                report.right += 1;
            } else {
                let said: String = turn.say.chars().take(50).collect();
                report.misses.push(format!("{} / {said:?}: {}", conversation.name, why.join(", ")));
            }
            let subject = reply.get("subject").cloned().unwrap_or(Value::Null);
            if subject.get("kind").and_then(Value::as_str) == Some("list") {
                last_list = subject.clone();
                add_page(&mut shown_rows, &reply["card"]);
            }
            previous = subject;
        }
    }
    Ok(report)
}

/// Puts a list card's rows where they are numbered: a first page starts the rows again, a
/// later page ("showing 6–10") follows the rows shown before it.
fn add_page(rows: &mut Vec<Value>, card: &Value) {
    let first = card["first_item"].as_u64().map_or(1, |n| n.max(1) as usize);
    rows.resize(first - 1, Value::Null);
    rows.extend(card["items"].as_array().cloned().unwrap_or_default());
}

/// What is wrong with a reply to a turn (nothing when every label holds).
fn check(
    turn: &Turn,
    reply: &Value,
    last_list: &Value,
    shown_rows: &[Value],
    previous: &Value,
) -> Vec<String> {
    let mut why = Vec::new();
    let subject = reply.get("subject").cloned().unwrap_or(Value::Null);
    let skill = reply.get("skill").and_then(Value::as_str).unwrap_or_default();
    if !turn.skills.iter().any(|s| s == skill) {
        why.push(format!("skill {skill}"));
    }
    let wanted = turn.subject.as_deref().unwrap_or_default();
    let nth = |items: &Value, n: usize| items.as_array().and_then(|a| a.get(n.checked_sub(1)?)).cloned();
    if wanted == "list" {
        if subject.get("kind").and_then(Value::as_str) != Some("list") {
            why.push("not a list".to_owned());
        }
    } else if let Some(n) = wanted.strip_prefix("item:").and_then(|n| n.parse::<usize>().ok()) {
        let item = nth(&last_list["items"], n).unwrap_or(Value::Null);
        if item.is_null() || key(&item) != key(&subject) {
            why.push(format!("not item {n} of the last list"));
        }
    } else if wanted == "same" {
        let kind = subject.get("kind").and_then(Value::as_str);
        if previous.is_null() || key(previous) != key(&subject) || matches!(kind, None | Some("list")) {
            why.push("subject changed".to_owned());
        }
    } else if let Some(name) = wanted.strip_prefix("resource:")
        && !subject.to_string().contains(name)
    {
        why.push(format!("not about {name}"));
    }
    if let Some(code) = &turn.code {
        let blocks = reply["card"]["code"].as_array().cloned().unwrap_or_default();
        let languages: String = blocks
            .iter()
            .map(|b| {
                format!(
                    "{} {}",
                    b["title"].as_str().unwrap_or_default(),
                    b["language"].as_str().unwrap_or_default()
                )
                .to_lowercase()
            })
            .collect::<Vec<_>>()
            .join(" ");
        if !languages.contains(code.as_str()) {
            why.push(format!("no {code} code"));
        }
    }
    let text = reply.get("text").and_then(Value::as_str).unwrap_or_default().to_lowercase();
    if let Some(words) = &turn.text
        && !text.contains(&words.to_lowercase())
    {
        why.push(format!("text lacks {words:?}"));
    }
    if turn.owner
        && let Some(n) = wanted.strip_prefix("item:").and_then(|n| n.parse::<usize>().ok())
    {
        let facts = n
            .checked_sub(1)
            .and_then(|i| shown_rows.get(i))
            .map(|i| i["facts"].to_string())
            .unwrap_or_default();
        let owner = facts
            .split('@')
            .next()
            .filter(|_| facts.contains('@'))
            .and_then(|before| before.rsplit(|c: char| !(c.is_ascii_lowercase() || c == '.')).next())
            .filter(|o| !o.is_empty());
        // A row without an owner is answered right by saying nobody owns it.
        let named = match owner {
            Some(o) => text.contains(o),
            None => ["nobody owns", "no owner", "unassigned"].iter().any(|w| text.contains(w)),
        };
        if !named {
            why.push("owner not named".to_owned());
        }
    }
    why
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn owner_turn() -> Turn {
        Turn {
            say: "who owns #1".to_owned(),
            skills: vec!["status".to_owned()],
            subject: Some("item:1".to_owned()),
            code: None,
            text: None,
            owner: true,
        }
    }

    #[test]
    fn an_owner_question_is_right_when_the_reply_names_the_owner_or_says_there_is_none() {
        let subject = json!({"kind": "finding", "recommendation": "r", "resource": "vm-1"});
        let list = json!({"kind": "list", "items": [subject]});
        let reply = |text: &str| json!({"skill": "status", "subject": subject, "text": text});
        let owned = [json!({"facts": [{"label": "Owner", "value": "dana@contoso.com, due in 3 days"}]})];
        let unowned = [json!({"facts": [{"label": "Attack paths", "value": "2"}]})];
        let turn = owner_turn();
        assert!(check(&turn, &reply("Owner: dana@contoso.com"), &list, &owned, &Value::Null).is_empty());
        assert_eq!(
            check(&turn, &reply("Nobody owns this yet."), &list, &owned, &Value::Null),
            ["owner not named"]
        );
        assert!(check(&turn, &reply("Nobody owns this yet."), &list, &unowned, &Value::Null).is_empty());
        assert_eq!(
            check(&turn, &reply("State: Unhealthy"), &list, &unowned, &Value::Null),
            ["owner not named"]
        );
    }

    #[test]
    fn rows_keep_their_numbers_across_the_pages_of_a_list() {
        let row = |n: u32| json!({"title": format!("row {n}")});
        let mut rows = Vec::new();
        add_page(&mut rows, &json!({"first_item": 1, "items": [row(1), row(2), row(3), row(4), row(5)]}));
        add_page(&mut rows, &json!({"first_item": 6, "items": [row(6)]}));
        assert_eq!(rows.len(), 6);
        assert_eq!(rows[5], row(6), "the first row of page two is row 6");
        add_page(&mut rows, &json!({"items": [row(9)]}));
        assert_eq!(rows, [row(9)], "a new list starts over");
    }

    #[test]
    fn a_name_the_reply_must_hold_is_matched_whatever_its_case() {
        let turn = Turn {
            text: Some("Contoso Data Platform".to_owned()),
            owner: false,
            subject: None,
            ..owner_turn()
        };
        let reply = json!({"skill": "status", "text": "Secure score\ncontoso data platform: 45%"});
        assert!(check(&turn, &reply, &Value::Null, &[], &Value::Null).is_empty());
        let other = json!({"skill": "status", "text": "Contoso Production: 31%"});
        assert_eq!(
            check(&turn, &other, &Value::Null, &[], &Value::Null),
            ["text lacks \"Contoso Data Platform\""]
        );
    }
}
