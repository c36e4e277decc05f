//! Understanding measured honestly: the intent model is trained on four fifths of the corpus's
//! paraphrase families and read on the fifth it never saw, five times over; the figures are
//! the held-out ones, per intent and per slot.

use secbot_skills::demo::{self, DemoOptions};
use secbot_skills::intent::eval::{Report, evaluate_with};
use secbot_skills::intent::{Lexicon, corpus};
use time::macros::date;

fn demo_lexicon() -> Lexicon {
    Lexicon::of_tenant(&demo::tenant(&DemoOptions::for_day(date!(2026 - 11 - 25))))
}

fn held_out() -> Report {
    let rows = corpus::prompts();
    let lexicon = demo_lexicon();
    let (models, fold) = corpus::cross_validate(rows, 5, &Lexicon::catalog());
    evaluate_with(rows, &lexicon, date!(2026 - 11 - 25), |i| Some(models[fold[i]].as_ref()))
}

#[test]
fn held_out_families_stay_above_the_floor() {
    let rows = corpus::prompts();
    let families: std::collections::BTreeSet<&str> =
        rows.iter().filter_map(|r| r.family.as_deref()).collect();
    assert!(rows.len() >= 3_000, "the corpus has {} prompts", rows.len());
    let report = held_out();
    if std::env::var_os("SECBOT_SHOW_MISSES").is_some() {
        for miss in &report.misses {
            eprintln!("{}", serde_json::to_string(miss).unwrap());
        }
    }
    eprintln!(
        "{} prompts in {} families, 5 folds by family: intent {:.3}, core slots {:.3}, all slots {:.3}, needs_context {:.3}, calibration error {:.3}",
        report.prompts,
        families.len(),
        report.intent_accuracy,
        report.core_slot_accuracy,
        report.slot_accuracy,
        report.context_accuracy,
        report.calibration_error
    );
    for (intent, score) in &report.per_intent {
        eprintln!(
            "  {intent:>13}: precision {:.3} recall {:.3} ({})",
            score.precision(),
            score.recall(),
            score.expected
        );
    }
    for (slot, (right, total)) in &report.per_slot {
        eprintln!("  slot {slot:>15}: {right}/{total}");
    }
    eprintln!("{}", report.confusion_table());
    // Floors under today's held-out figures (intent 0.860, core slots 0.931), so that a change
    // that makes understanding worse on meanings the model never saw fails here. The goals are
    // 0.95 and 0.92; the closing note of the understanding issue says where the misses are.
    assert!(report.intent_accuracy >= 0.85, "held-out intent accuracy {:.3}", report.intent_accuracy);
    assert!(
        report.core_slot_accuracy >= 0.92,
        "held-out core slot accuracy {:.3}",
        report.core_slot_accuracy
    );
}
