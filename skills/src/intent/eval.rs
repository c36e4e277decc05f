//! Measuring the parser against labelled prompts (one JSON object a line: `prompt`, `intent`,
//! `slots`, `needs_context`), as `secbot eval` and the parser's tests do.

use std::collections::{BTreeMap, BTreeSet};

use secbot_chat::Intent;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::Date;

use super::{Lexicon, parse, resolve_due_phrase};

/// One labelled prompt.
#[derive(Debug, Clone, Deserialize)]
pub struct Labelled {
    /// The prompt.
    pub prompt: String,
    /// The expected intent.
    pub intent: Intent,
    /// The expected slots, as in the labelled file.
    #[serde(default)]
    pub slots: BTreeMap<String, Value>,
    /// Whether the prompt needs the thread's context.
    #[serde(default)]
    pub needs_context: bool,
}

/// A prompt the parser got wrong, for the report.
#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    /// The prompt.
    pub prompt: String,
    /// The expected intent.
    pub expected_intent: Intent,
    /// The parsed intent.
    pub intent: Intent,
    /// Expected slots that were missed or wrong.
    pub expected_slots: BTreeMap<String, Value>,
    /// The slots the parser read (compared keys only).
    pub slots: BTreeMap<String, Value>,
}

/// How well the parser did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Prompts evaluated.
    pub prompts: usize,
    /// Share with the right intent.
    pub intent_accuracy: f64,
    /// Share whose compared slots all match exactly.
    pub slot_accuracy: f64,
    /// Slot values found and right, over all slot values expected (recall) and read (precision).
    pub slot_precision: f64,
    /// See `slot_precision`.
    pub slot_recall: f64,
    /// Share with the right `needs_context`.
    pub context_accuracy: f64,
    /// Intent accuracy per expected intent.
    pub per_intent: BTreeMap<String, (usize, usize)>,
    /// The prompts with a wrong intent or wrong slots.
    pub misses: Vec<Miss>,
}

/// Reads labelled prompts, one JSON object a line; blank lines are skipped.
pub fn read_labelled(jsonl: &str) -> Result<Vec<Labelled>, serde_json::Error> {
    jsonl.lines().filter(|l| !l.trim().is_empty()).map(serde_json::from_str).collect()
}

fn canonical(key: &str, value: &Value, today: Date) -> Value {
    match (key, value) {
        ("severity", Value::String(s)) => Value::Array(vec![Value::String(s.to_lowercase())]),
        ("severity", Value::Array(items)) => {
            let set: BTreeSet<String> =
                items.iter().filter_map(Value::as_str).map(str::to_lowercase).collect();
            Value::Array(set.into_iter().map(Value::String).collect())
        }
        ("due", Value::String(s)) => match resolve_due_phrase(s, today) {
            Some(date) => Value::String(date.to_string()),
            None => Value::String(s.to_lowercase().trim_start_matches("the ").to_owned()),
        },
        (_, Value::String(s)) => Value::String(s.to_lowercase()),
        (_, other) => other.clone(),
    }
}

/// Parses every prompt with `lexicon` as if written on `today` and compares with the labels.
/// Only slot names that the labelled set uses somewhere are compared.
pub fn evaluate(rows: &[Labelled], lexicon: &Lexicon, today: Date) -> Report {
    let compared: BTreeSet<String> = rows.iter().flat_map(|r| r.slots.keys().cloned()).collect();
    let mut report = Report { prompts: rows.len(), ..Report::default() };
    let (mut intents, mut slots_ok, mut context_ok) = (0usize, 0usize, 0usize);
    let (mut found, mut read, mut expected_total) = (0usize, 0usize, 0usize);
    for row in rows {
        let parsed = parse(&row.prompt, lexicon, today);
        let mut got: BTreeMap<String, Value> = BTreeMap::new();
        if let Value::Object(map) = serde_json::to_value(&parsed.slots).unwrap_or(Value::Null) {
            for (key, value) in map {
                let key = if key == "due_text" { "due".to_owned() } else { key };
                if compared.contains(&key) && !(key == "due" && got.contains_key("due")) {
                    got.insert(key.clone(), canonical(&key, &value, today));
                }
            }
        }
        if let Some(text) = &parsed.slots.due_text
            && parsed.slots.due.is_none()
            && compared.contains("due")
        {
            got.insert("due".into(), canonical("due", &Value::String(text.clone()), today));
        }
        let want: BTreeMap<String, Value> = row
            .slots
            .iter()
            .filter(|(k, _)| compared.contains(*k))
            .map(|(k, v)| (k.clone(), canonical(k, v, today)))
            .collect();
        let intent_right = parsed.intent == row.intent;
        let slots_right = got == want;
        intents += usize::from(intent_right);
        slots_ok += usize::from(slots_right);
        context_ok += usize::from(parsed.needs_context == row.needs_context);
        expected_total += want.len();
        read += got.len();
        found += want.iter().filter(|(k, v)| got.get(*k) == Some(v)).count();
        let entry = report.per_intent.entry(row.intent.to_string()).or_default();
        entry.0 += usize::from(intent_right);
        entry.1 += 1;
        if !intent_right || !slots_right {
            report.misses.push(Miss {
                prompt: row.prompt.clone(),
                expected_intent: row.intent,
                intent: parsed.intent,
                expected_slots: want,
                slots: got,
            });
        }
    }
    let share = |n: usize, d: usize| if d == 0 { 1.0 } else { n as f64 / d as f64 };
    report.intent_accuracy = share(intents, rows.len());
    report.slot_accuracy = share(slots_ok, rows.len());
    report.context_accuracy = share(context_ok, rows.len());
    report.slot_precision = share(found, read);
    report.slot_recall = share(found, expected_total);
    report
}
