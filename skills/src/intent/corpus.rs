//! The labelled corpus the intent model learns from (`skills/corpus`), embedded in the binary so
//! that secbot trains the same model everywhere without reading or downloading anything, and
//! the k-fold-by-family split that measures it honestly.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use std::sync::{Arc, OnceLock};

use super::eval::{Labelled, read_labelled};
use super::model::{Features, Label, Model, TrainOptions, fit_temperature};
use super::{Lexicon, features_of};

/// The corpus files, each a JSON line per labelled prompt.
const PROMPT_FILES: [(&str, &str); 15] = [
    ("list_risks.jsonl", include_str!("../../corpus/prompts/list_risks.jsonl")),
    ("summarize_explain.jsonl", include_str!("../../corpus/prompts/summarize_explain.jsonl")),
    ("remediate_delegate.jsonl", include_str!("../../corpus/prompts/remediate_delegate.jsonl")),
    ("status_attack_help.jsonl", include_str!("../../corpus/prompts/status_attack_help.jsonl")),
    ("decline_refuse.jsonl", include_str!("../../corpus/prompts/decline_refuse.jsonl")),
    ("r2_list_summarize.jsonl", include_str!("../../corpus/prompts/r2_list_summarize.jsonl")),
    ("r2_explain_fix_delegate.jsonl", include_str!("../../corpus/prompts/r2_explain_fix_delegate.jsonl")),
    ("r2_status_attack_help.jsonl", include_str!("../../corpus/prompts/r2_status_attack_help.jsonl")),
    ("r2_decline_refuse.jsonl", include_str!("../../corpus/prompts/r2_decline_refuse.jsonl")),
    ("r3_skills.jsonl", include_str!("../../corpus/prompts/r3_skills.jsonl")),
    ("r3_declines.jsonl", include_str!("../../corpus/prompts/r3_declines.jsonl")),
    ("r4_phenomena.jsonl", include_str!("../../corpus/prompts/r4_phenomena.jsonl")),
    ("r5_declines_help.jsonl", include_str!("../../corpus/prompts/r5_declines_help.jsonl")),
    ("r6_alerts.jsonl", include_str!("../../corpus/prompts/r6_alerts.jsonl")),
    ("r7_families.jsonl", include_str!("../../corpus/prompts/r7_families.jsonl")),
];

/// The corpus's labelled threads, in the format `secbot eval` reads.
pub const THREADS: &str = include_str!("../../corpus/threads.jsonl");

/// The softmax temperature fitted on the corpus's held-out folds (see `secbot eval --folds`):
/// it makes the model's probabilities match how often it is right.
pub const TEMPERATURE: f32 = 0.9;

/// Every labelled prompt of the embedded corpus.
pub fn prompts() -> &'static [Labelled] {
    static ROWS: OnceLock<Vec<Labelled>> = OnceLock::new();
    ROWS.get_or_init(|| {
        PROMPT_FILES
            .iter()
            .flat_map(|(name, text)| match read_labelled(text) {
                Ok(rows) => rows,
                // A test reads every file, so a broken line cannot ship; at run time the rest of
                // the corpus still trains a model.
                Err(err) => {
                    tracing::error!(file = name, error = %err, "a corpus file does not parse");
                    Vec::new()
                }
            })
            .collect()
    })
}

/// How many prompts of the corpus use each word (lowercase letters only, three or more).
pub(crate) fn word_counts() -> &'static FxHashMap<String, usize> {
    static COUNTS: OnceLock<FxHashMap<String, usize>> = OnceLock::new();
    COUNTS.get_or_init(|| {
        let mut seen: FxHashMap<String, usize> = FxHashMap::default();
        for row in prompts() {
            let mut words: Vec<String> = row
                .prompt
                .to_lowercase()
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| w.len() >= 3)
                .map(str::to_owned)
                .collect();
            words.sort();
            words.dedup();
            for word in words {
                *seen.entry(word).or_default() += 1;
            }
        }
        seen
    })
}

/// The model trained on the whole embedded corpus, once per process.
pub fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| train(prompts(), &Lexicon::catalog()).with_temperature(TEMPERATURE))
}

/// The training examples of labelled prompts (lines without a usable label are skipped): each
/// prompt as written and, when it has enough words, once more with a fixed quarter of its
/// words left out, so no single word carries a meaning alone.
pub fn examples(rows: &[Labelled], lexicon: &Lexicon) -> Vec<(Features, Label)> {
    examples_by_row(rows, lexicon).into_iter().flatten().collect()
}

/// The prompt with every word whose position and text hash to 0 mod 4 left out.
fn thinned(prompt: &str) -> Option<String> {
    let words: Vec<&str> = prompt.split_whitespace().collect();
    if words.len() < 5 {
        return None;
    }
    let kept: Vec<&str> = words
        .iter()
        .enumerate()
        .filter(|(i, w)| !(fnv(w) + *i as u64).is_multiple_of(4))
        .map(|(_, w)| *w)
        .collect();
    (kept.len() < words.len() && !kept.is_empty()).then(|| kept.join(" "))
}

/// A model trained on labelled prompts.
pub fn train(rows: &[Labelled], lexicon: &Lexicon) -> Model {
    Model::train(&augment(examples(rows, lexicon)), TrainOptions::default())
}

/// Each example twice: as written, and as its indicators alone, so the model learns to read
/// concepts and cues by themselves and not only through the words of one phrasing.
fn augment(examples: Vec<(Features, Label)>) -> Vec<(Features, Label)> {
    let flags: Vec<(Features, Label)> = examples.iter().map(|(f, l)| (f.flags_only(), *l)).collect();
    examples.into_iter().chain(flags).collect()
}

/// The fold of each row when rows are split `k` ways by family: every line of a family lands in
/// the same fold, so a held-out fold holds meanings the model never saw phrased. Rows without a
/// family are their own family.
pub fn folds(rows: &[Labelled], k: usize) -> Vec<usize> {
    let mut families: BTreeMap<&str, usize> = BTreeMap::new();
    for row in rows {
        let next = families.len();
        families.entry(row.family.as_deref().unwrap_or(&row.prompt)).or_insert(next);
    }
    // Families are dealt to folds round-robin in a fixed shuffled order, so each fold gets a mix
    // of intents.
    let mut order: Vec<(&str, usize)> = families.into_iter().collect();
    order.sort_by_key(|(name, _)| fnv(name));
    let fold_of: BTreeMap<&str, usize> =
        order.iter().enumerate().map(|(i, (name, _))| (*name, i % k)).collect();
    rows.iter().map(|row| fold_of[row.family.as_deref().unwrap_or(&row.prompt)]).collect()
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// Held-out predictions: for each fold, a model trained on the other folds reads the fold's
/// prompts. Returns one model per fold (index = fold) and each row's fold.
pub fn cross_validate(rows: &[Labelled], k: usize, lexicon: &Lexicon) -> (Vec<Arc<Model>>, Vec<usize>) {
    let fold = folds(rows, k);
    let all = examples_by_row(rows, lexicon);
    let models = (0..k)
        .map(|f| {
            let training: Vec<(Features, Label)> =
                all.iter().zip(&fold).filter(|(_, g)| **g != f).flat_map(|(e, _)| e.clone()).collect();
            Arc::new(Model::train(&augment(training), TrainOptions::default()).with_temperature(TEMPERATURE))
        })
        .collect();
    (models, fold)
}

/// The temperature that calibrates held-out predictions of `cross_validate`'s models.
pub fn calibrate(rows: &[Labelled], models: &[Arc<Model>], fold: &[usize], lexicon: &Lexicon) -> f32 {
    let held_out: Vec<_> = examples_by_row(rows, lexicon)
        .into_iter()
        .zip(fold)
        .filter_map(|(e, f)| {
            e.into_iter().next().map(|(features, label)| (models[*f].logits(&features), label))
        })
        .collect();
    fit_temperature(&held_out)
}

/// Each row's training examples (none when it has no usable label), read on every core: the
/// rows are cut into one contiguous run per thread and put back in order, so the result does
/// not depend on the machine.
fn examples_by_row(rows: &[Labelled], lexicon: &Lexicon) -> Vec<Vec<(Features, Label)>> {
    let one = |row: &Labelled| {
        let Some(label) = Label::of(row.intent, row.reason.as_deref()) else { return Vec::new() };
        let mut out = vec![(features_of(&row.prompt, lexicon), label)];
        if let Some(thin) = thinned(&row.prompt) {
            out.push((features_of(&thin, lexicon), label));
        }
        out
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let chunk = rows.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let parts: Vec<_> = rows
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(one).collect::<Vec<_>>()))
            .collect();
        parts.into_iter().flat_map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_corpus_file_parses_and_every_line_has_a_family_and_a_label() {
        for (name, text) in PROMPT_FILES {
            let rows = read_labelled(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(rows.len() >= 100, "{name} has {} lines", rows.len());
            for row in &rows {
                assert!(row.family.is_some(), "{name}: {:?} has no family", row.prompt);
                assert!(
                    Label::of(row.intent, row.reason.as_deref()).is_some(),
                    "{name}: {:?} has no usable label",
                    row.prompt
                );
            }
        }
    }

    #[test]
    fn folds_keep_families_together_and_are_balanced() {
        let rows = prompts();
        let fold = folds(rows, 5);
        let mut of_family: BTreeMap<&str, usize> = BTreeMap::new();
        for (row, f) in rows.iter().zip(&fold) {
            let family = row.family.as_deref().unwrap_or_default();
            assert_eq!(*of_family.entry(family).or_insert(*f), *f, "{family} is split across folds");
        }
        for f in 0..5 {
            let size = fold.iter().filter(|g| **g == f).count();
            assert!(size * 10 >= rows.len(), "fold {f} holds {size} of {} lines", rows.len());
        }
    }
}
