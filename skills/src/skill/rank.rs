//! Ranking skills by how well their descriptions and examples match a prompt (BM25), for
//! security questions that no cue phrase matched.

use std::collections::HashMap;

use secbot_chat::Intent;

use super::SKILLS;

const K1: f64 = 1.2;
const B: f64 = 0.75;

fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| {
            w.len() > 2
                && !matches!(
                    *w,
                    "the" | "and" | "for" | "you" | "are" | "what" | "how" | "with" | "this" | "that" | "our"
                )
        })
        .map(|w| w.trim_end_matches('s').to_owned())
        .collect()
}

/// The answering skills ranked by BM25 relevance to the prompt, best first, with their scores;
/// skills with no overlap are left out.
pub fn rank(prompt: &str) -> Vec<(Intent, f64)> {
    let docs: Vec<(Intent, Vec<String>)> = SKILLS
        .iter()
        .filter(|s| s.intent != Intent::Help)
        .map(|s| {
            (
                s.intent,
                words(&format!("{} {} {}", s.name.replace('_', " "), s.description, s.examples.join(" "))),
            )
        })
        .collect();
    let n = docs.len() as f64;
    let avg = docs.iter().map(|(_, d)| d.len()).sum::<usize>() as f64 / n;
    let mut df: HashMap<&str, usize> = HashMap::new();
    for (_, doc) in &docs {
        let mut seen: Vec<&str> = doc.iter().map(String::as_str).collect();
        seen.sort_unstable();
        seen.dedup();
        for w in seen {
            *df.entry(w).or_default() += 1;
        }
    }
    let query = words(prompt);
    let mut scored: Vec<(Intent, f64)> = docs
        .iter()
        .map(|(intent, doc)| {
            let len = doc.len() as f64;
            let score: f64 = query
                .iter()
                .map(|q| {
                    let tf = doc.iter().filter(|w| *w == q).count() as f64;
                    if tf == 0.0 {
                        return 0.0;
                    }
                    let d = df.get(q.as_str()).copied().unwrap_or(0) as f64;
                    let idf = ((n - d + 0.5) / (d + 0.5) + 1.0).ln();
                    idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / avg))
                })
                .sum();
            (*intent, score)
        })
        .filter(|(_, s)| *s > 0.0)
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1));
    scored
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_and_examples_rank_the_right_skill_first() {
        assert_eq!(rank("governance owner for defender work, overdue by owner")[0].0, Intent::Status);
        assert_eq!(rank("chain of weaknesses from exposed entry point to target")[0].0, Intent::AttackPaths);
        assert_eq!(rank("scripts in bicep or terraform")[0].0, Intent::Remediate);
        assert!(rank("zebra xylophone").is_empty());
    }
}
