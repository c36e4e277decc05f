//! `secbot eval`: the parser and the thread resolver measured on labelled files, or on the
//! corpus's held-out families.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use secbot::engine::{Engine, Policy};
use secbot::source::{self, SourceOptions};
use secbot::store::{SqlStore, Store};
use time::OffsetDateTime;

use super::{Cli, load_config};

pub(super) async fn run(
    cli: &Cli,
    files: &[PathBuf],
    folds: usize,
    misses: bool,
    json: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    use secbot::evaluation;
    use secbot_skills::intent::{corpus, eval};
    let options = SourceOptions::of(&load_config(cli)?, cli.source.day);
    let loaded = source::load(&options)?;
    let today = cli.source.day.unwrap_or_else(|| OffsetDateTime::now_utc().date());
    // Each thread gets the tenant as loaded and an empty store, as a new `secbot chat` does.
    let new_engine = || async {
        let loaded = source::load(&options)?;
        let store: Arc<dyn Store> = Arc::new(SqlStore::in_memory().await?);
        anyhow::Ok(Arc::new(
            Engine::new(loaded.source, loaded.lexicon, store).with_policy(Policy::unlimited()),
        ))
    };
    let mut sets: Vec<(String, String)> = Vec::new();
    for file in files {
        let text =
            std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
        sets.push((file.display().to_string(), text));
    }
    if files.is_empty() {
        let rows = corpus::prompts();
        if folds < 2 {
            anyhow::bail!("--folds must be at least 2 to hold families out");
        }
        let training = secbot_skills::intent::Lexicon::catalog();
        let (models, fold) = corpus::cross_validate(rows, folds, &training);
        let report =
            eval::evaluate_with(rows, &loaded.lexicon.get(), today, |i| Some(models[fold[i]].as_ref()));
        let families: std::collections::BTreeSet<&str> =
            rows.iter().filter_map(|r| r.family.as_deref()).collect();
        writeln!(
            out,
            "corpus: {} prompts in {} paraphrase families, {folds} folds by family (each family read by a model that never saw it)",
            rows.len(),
            families.len()
        )?;
        print_prompt_report(&report, misses, json, out)?;
        let fitted = corpus::calibrate(rows, &models, &fold, &training);
        writeln!(
            out,
            "temperature that calibrates the held-out folds: {fitted:.2} (in use: {:.2})",
            corpus::TEMPERATURE
        )?;
        sets.push(("corpus threads".to_owned(), corpus::THREADS.to_owned()));
    }
    for (name, text) in sets {
        if evaluation::is_thread_file(&text) {
            let threads = evaluation::read_threads(&text)
                .with_context(|| format!("{name} is not a labelled thread file (one JSON object a line)"))?;
            let report = evaluation::play(new_engine, cli.source.day, &threads).await?;
            writeln!(
                out,
                "{name}: {} threads, {}/{} turns right ({:.1}%)",
                report.threads,
                report.right,
                report.turns,
                report.accuracy() * 100.0
            )?;
            for (skill, tally) in &report.by_skill {
                let instead: Vec<String> =
                    tally.answered_by.iter().map(|(s, n)| format!("{s} {n}")).collect();
                writeln!(
                    out,
                    "  {skill:<13} {:>3}/{:<3} right; wrong skill: {}; right skill, wrong subject: {}",
                    tally.right,
                    tally.turns,
                    if instead.is_empty() { "none".to_owned() } else { instead.join(", ") },
                    tally.wrong_subject
                )?;
            }
            if misses {
                for miss in &report.misses {
                    writeln!(out, "  miss {miss}")?;
                }
            }
        } else {
            let rows = eval::read_labelled(&text)
                .with_context(|| format!("{name} is not a labelled prompt file (one JSON object a line)"))?;
            writeln!(out, "{name}:")?;
            print_prompt_report(&eval::evaluate(&rows, &loaded.lexicon.get(), today), misses, json, out)?;
        }
    }
    Ok(())
}

fn print_prompt_report(
    report: &secbot_skills::intent::eval::Report,
    misses: bool,
    json: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(report)?)?;
        return Ok(());
    }
    if misses {
        for miss in &report.misses {
            writeln!(out, "  miss: {}", serde_json::to_string(miss)?)?;
        }
    }
    writeln!(
        out,
        "  {} prompts: intent {:.1}%, core slots {:.1}%, all slots {:.1}% (precision {:.1}%, recall {:.1}%), needs_context {:.1}%, calibration error {:.3}",
        report.prompts,
        report.intent_accuracy * 100.0,
        report.core_slot_accuracy * 100.0,
        report.slot_accuracy * 100.0,
        report.slot_precision * 100.0,
        report.slot_recall * 100.0,
        report.context_accuracy * 100.0,
        report.calibration_error
    )?;
    writeln!(out, "  per intent (precision / recall / prompts):")?;
    for (intent, score) in &report.per_intent {
        writeln!(
            out,
            "    {intent:<13} {:>5.1}% {:>5.1}% {:>5}",
            score.precision() * 100.0,
            score.recall() * 100.0,
            score.expected
        )?;
    }
    writeln!(out, "  per slot (right / stated or read):")?;
    for (slot, (right, total)) in &report.per_slot {
        writeln!(out, "    {slot:<16} {right:>5} / {total}")?;
    }
    writeln!(out, "  confusion:")?;
    for line in report.confusion_table().lines() {
        writeln!(out, "    {line}")?;
    }
    Ok(())
}
