//! Measuring the parser against labelled prompts (one JSON object a line: `prompt`, `intent`,
//! `slots`, `needs_context`), as `secbot eval` and the parser's tests do.

use std::collections::{BTreeMap, BTreeSet};

use secbot_chat::Intent;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::Date;

use super::model::Model;
use super::{Lexicon, parse, parse_with, resolve_due_phrase};

/// One labelled prompt.
#[derive(Debug, Clone, Deserialize)]
pub struct Labelled {
    /// The paraphrase family it belongs to (`remediate/format-bicep-followup`), for k-fold
    /// splits that hold out whole families.
    #[serde(default)]
    pub family: Option<String>,
    /// The prompt.
    pub prompt: String,
    /// The expected intent (the first one, when a careful reader would accept several).
    #[serde(deserialize_with = "first_intent")]
    pub intent: Intent,
    /// Every intent a careful reader would accept.
    #[serde(skip)]
    pub accepted: Vec<Intent>,
    /// Why an out-of-scope or unsafe prompt is declined (`small_talk`, `secrets`, …).
    #[serde(default)]
    pub reason: Option<String>,
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
    /// Its family, when the set has families.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// The expected intent.
    pub expected_intent: Intent,
    /// The parsed intent.
    pub intent: Intent,
    /// How sure the parser was.
    pub confidence: f32,
    /// Expected slots that were missed or wrong.
    pub expected_slots: BTreeMap<String, Value>,
    /// The slots the parser read (compared keys only).
    pub slots: BTreeMap<String, Value>,
}

/// Precision and recall of one intent.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct IntentScore {
    /// Prompts labelled with it.
    pub expected: usize,
    /// Prompts read as it.
    pub predicted: usize,
    /// Prompts labelled with it and read as it.
    pub right: usize,
}

impl IntentScore {
    /// Of the prompts read as this intent, the share that were.
    pub fn precision(&self) -> f64 {
        share(self.right, self.predicted)
    }

    /// Of the prompts that were this intent, the share read as it.
    pub fn recall(&self) -> f64 {
        share(self.right, self.expected)
    }
}

fn share(n: usize, d: usize) -> f64 {
    if d == 0 { 1.0 } else { n as f64 / d as f64 }
}

/// The slots the issue tracker calls core: the list filters.
pub const CORE_SLOTS: [&str; 6] =
    ["severity", "exposure", "sensitive_data", "vulnerabilities", "resource_type", "cloud"];

/// How well the parser did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Prompts evaluated.
    pub prompts: usize,
    /// Share with the right intent.
    pub intent_accuracy: f64,
    /// Share whose compared slots all match exactly.
    pub slot_accuracy: f64,
    /// Share whose core slots ([`CORE_SLOTS`]) all match exactly, present or absent.
    pub core_slot_accuracy: f64,
    /// Slot values found and right, over all slot values expected (recall) and read (precision).
    pub slot_precision: f64,
    /// See `slot_precision`.
    pub slot_recall: f64,
    /// Share with the right `needs_context`.
    pub context_accuracy: f64,
    /// Precision and recall per intent.
    pub per_intent: BTreeMap<String, IntentScore>,
    /// Per slot: prompts where the slot (expected or read) was right, and prompts where it was
    /// expected or read at all.
    pub per_slot: BTreeMap<String, (usize, usize)>,
    /// How often each expected intent (first key) was read as each intent (second key).
    pub confusion: BTreeMap<String, BTreeMap<String, usize>>,
    /// Expected calibration error: how far the parser's confidence is from how often it is
    /// right, averaged over ten confidence bins.
    pub calibration_error: f64,
    /// The prompts with a wrong intent or wrong slots.
    pub misses: Vec<Miss>,
}

impl Report {
    /// The confusion matrix as aligned text, expected intents down, read intents across.
    pub fn confusion_table(&self) -> String {
        let names: Vec<&str> = Intent::ALL.iter().map(|i| i.as_str()).collect();
        let short = |n: &str| n.chars().take(8).collect::<String>();
        let mut out = format!("{:>14}", "expected \\ read");
        for n in &names {
            out.push_str(&format!(" {:>8}", short(n)));
        }
        out.push('\n');
        for expected in &names {
            let Some(row) = self.confusion.get(*expected) else { continue };
            out.push_str(&format!("{:>14}", short(expected)));
            for got in &names {
                let n = row.get(*got).copied().unwrap_or(0);
                out.push_str(&format!(" {:>8}", if n == 0 { ".".to_owned() } else { n.to_string() }));
            }
            out.push('\n');
        }
        out
    }
}

/// Reads labelled prompts, one JSON object a line; blank lines are skipped. `intent` is one
/// intent or a list of those a careful reader would accept.
pub fn read_labelled(jsonl: &str) -> Result<Vec<Labelled>, serde_json::Error> {
    jsonl
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let mut row: Labelled = serde_json::from_str(line)?;
            let value: Value = serde_json::from_str(line)?;
            row.accepted = match value.get("intent") {
                Some(Value::Array(all)) => all.iter().filter_map(|v| v.as_str()?.parse().ok()).collect(),
                _ => vec![row.intent],
            };
            Ok(row)
        })
        .collect()
}

fn first_intent<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Intent, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(Intent),
        Many(Vec<Intent>),
    }
    match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(intent) => Ok(intent),
        OneOrMany::Many(all) => {
            all.first().copied().ok_or_else(|| serde::de::Error::custom("an empty list of intents"))
        }
    }
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
    evaluate_with(rows, lexicon, today, |_| None)
}

/// Like [`evaluate`], reading row `i` with the model `model_of(i)` when it gives one (a
/// fold's model, for held-out figures) and the lexicon's own model otherwise.
pub fn evaluate_with<'m>(
    rows: &[Labelled],
    lexicon: &Lexicon,
    today: Date,
    model_of: impl Fn(usize) -> Option<&'m Model>,
) -> Report {
    let compared: BTreeSet<String> = rows.iter().flat_map(|r| r.slots.keys().cloned()).collect();
    let mut report = Report { prompts: rows.len(), ..Report::default() };
    let (mut intents, mut slots_ok, mut core_ok, mut context_ok) = (0usize, 0usize, 0usize, 0usize);
    let (mut found, mut read, mut expected_total) = (0usize, 0usize, 0usize);
    let mut bins = [(0usize, 0usize, 0f64); 10];
    for (i, row) in rows.iter().enumerate() {
        let parsed = match model_of(i) {
            Some(model) => parse_with(&row.prompt, lexicon, model, today),
            None => parse(&row.prompt, lexicon, today),
        };
        let mut all: BTreeMap<String, Value> = BTreeMap::new();
        if let Value::Object(map) = serde_json::to_value(&parsed.slots).unwrap_or(Value::Null) {
            for (key, value) in map {
                let key = if key == "due_text" { "due".to_owned() } else { key };
                if !(key == "due" && all.contains_key("due")) {
                    all.insert(key.clone(), canonical(&key, &value, today));
                }
            }
        }
        if let Some(text) = &parsed.slots.due_text
            && parsed.slots.due.is_none()
        {
            all.insert("due".into(), canonical("due", &Value::String(text.clone()), today));
        }
        if let Some(tool) = parsed.tool {
            all.insert("tool".into(), Value::String(tool.to_owned()));
        }
        let got: BTreeMap<String, Value> =
            all.iter().filter(|(k, _)| compared.contains(*k)).map(|(k, v)| (k.clone(), v.clone())).collect();
        let want: BTreeMap<String, Value> = row
            .slots
            .iter()
            .filter(|(k, _)| compared.contains(*k))
            .map(|(k, v)| (k.clone(), canonical(k, v, today)))
            .collect();
        let intent_right = row.accepted.contains(&parsed.intent);
        let slots_right = got == want;
        let core = |m: &BTreeMap<String, Value>| -> Vec<Option<Value>> {
            CORE_SLOTS.iter().map(|k| m.get(*k).cloned()).collect()
        };
        let core_right =
            core(&all) == core(&row.slots.iter().map(|(k, v)| (k.clone(), canonical(k, v, today))).collect());
        intents += usize::from(intent_right);
        slots_ok += usize::from(slots_right);
        core_ok += usize::from(core_right);
        context_ok += usize::from(parsed.needs_context == row.needs_context);
        expected_total += want.len();
        read += got.len();
        found += want.iter().filter(|(k, v)| got.get(*k) == Some(v)).count();
        for key in want.keys().chain(got.keys()).collect::<BTreeSet<_>>() {
            let entry = report.per_slot.entry(key.clone()).or_default();
            entry.0 += usize::from(want.get(key) == got.get(key));
            entry.1 += 1;
        }
        let expected = if intent_right { parsed.intent } else { row.intent };
        report.per_intent.entry(expected.to_string()).or_default().expected += 1;
        report.per_intent.entry(parsed.intent.to_string()).or_default().predicted += 1;
        if intent_right {
            report.per_intent.entry(expected.to_string()).or_default().right += 1;
        }
        *report
            .confusion
            .entry(expected.to_string())
            .or_default()
            .entry(parsed.intent.to_string())
            .or_default() += 1;
        let bin = ((parsed.confidence * 10.0) as usize).min(9);
        bins[bin].0 += 1;
        bins[bin].1 += usize::from(intent_right);
        bins[bin].2 += f64::from(parsed.confidence);
        if !intent_right || !slots_right {
            report.misses.push(Miss {
                prompt: row.prompt.clone(),
                family: row.family.clone(),
                expected_intent: row.intent,
                intent: parsed.intent,
                confidence: parsed.confidence,
                expected_slots: want,
                slots: got,
            });
        }
    }
    report.intent_accuracy = share(intents, rows.len());
    report.slot_accuracy = share(slots_ok, rows.len());
    report.core_slot_accuracy = share(core_ok, rows.len());
    report.context_accuracy = share(context_ok, rows.len());
    report.slot_precision = share(found, read);
    report.slot_recall = share(found, expected_total);
    report.calibration_error = bins
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, right, confidence)| {
            let n = *n as f64;
            (n / rows.len().max(1) as f64) * (confidence / n - *right as f64 / n).abs()
        })
        .sum();
    report
}
