//! The parser measured on secbot's own labelled prompts (tests/fixtures/prompts.jsonl).

use secbot_skills::demo::{self, DemoOptions};
use secbot_skills::intent::Lexicon;
use secbot_skills::intent::eval::{evaluate, read_labelled};
use secbot_skills::tenant::IndexedSource;
use time::macros::date;

const PROMPTS: &str = include_str!("fixtures/prompts.jsonl");

fn demo_lexicon() -> Lexicon {
    let today = date!(2026 - 11 - 25);
    let data = demo::tenant(&DemoOptions::for_day(today));
    let people: Vec<String> = data.people.iter().map(|p| p.id.clone()).collect();
    let source = IndexedSource::new(data.clone());
    Lexicon::new(
        source.recommendations(),
        data.resources.iter().map(|r| (r.name.as_str(), r.kind)),
        &data.subscriptions,
        people.iter().map(String::as_str),
    )
}

#[test]
fn intent_and_slot_accuracy_meet_the_bar_on_our_own_prompts() {
    let rows = read_labelled(PROMPTS).expect("the fixture parses");
    assert!(rows.len() >= 200, "the project's own set has at least 200 prompts");
    let report = evaluate(&rows, &demo_lexicon(), date!(2026 - 11 - 25));
    if std::env::var_os("SECBOT_SHOW_MISSES").is_some() {
        for miss in &report.misses {
            eprintln!("{}", serde_json::to_string(miss).unwrap());
        }
    }
    eprintln!(
        "prompts {} intent {:.3} slots {:.3} (precision {:.3}, recall {:.3}) context {:.3}",
        report.prompts,
        report.intent_accuracy,
        report.slot_accuracy,
        report.slot_precision,
        report.slot_recall,
        report.context_accuracy
    );
    assert!(report.intent_accuracy >= 0.90, "intent accuracy {:.3}", report.intent_accuracy);
    assert!(report.slot_accuracy >= 0.85, "slot accuracy {:.3}", report.slot_accuracy);
}
