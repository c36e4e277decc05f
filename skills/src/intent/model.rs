//! The statistical half of understanding: a multinomial logistic regression over hashed
//! features of a prompt (word unigrams and bigrams, character n-grams of each word, and what the
//! exact extractors and cue rules found), trained from the corpus in `skills/corpus`. Pure Rust,
//! deterministic (fixed feature hash, fixed example order, no randomness), and small: one row
//! of class weights per hash bucket.

use secbot_chat::Intent;

use super::cues::{DeclineReason, UnsafeReason};

/// What the model tells apart: the answering intents, the kinds of decline and the kinds of
/// refusal. Finer classes than [`Intent`] because "thanks!" and "which PCI controls fail?" are
/// both out of scope but have nothing else in common.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Label {
    /// An intent a skill answers.
    Answer(Intent),
    /// Out of scope, for this reason.
    Decline(DeclineReason),
    /// Unsafe, for this reason.
    Refuse(UnsafeReason),
}

impl Label {
    /// Every label, in the model's class order.
    pub const ALL: [Label; 20] = [
        Label::Answer(Intent::ListRisks),
        Label::Answer(Intent::Summarize),
        Label::Answer(Intent::Explain),
        Label::Answer(Intent::Remediate),
        Label::Answer(Intent::Delegate),
        Label::Answer(Intent::AttackPaths),
        Label::Answer(Intent::Status),
        Label::Answer(Intent::Help),
        Label::Decline(DeclineReason::SmallTalk),
        Label::Decline(DeclineReason::Unrelated),
        Label::Decline(DeclineReason::Operation),
        Label::Decline(DeclineReason::Uncovered),
        Label::Refuse(UnsafeReason::Secrets),
        Label::Refuse(UnsafeReason::Injection),
        Label::Refuse(UnsafeReason::Exfiltration),
        Label::Refuse(UnsafeReason::Destructive),
        Label::Refuse(UnsafeReason::MassMention),
        Label::Refuse(UnsafeReason::Scope),
        Label::Refuse(UnsafeReason::ScoreGaming),
        Label::Refuse(UnsafeReason::Offensive),
    ];

    /// The intent this label answers with.
    pub fn intent(self) -> Intent {
        match self {
            Label::Answer(intent) => intent,
            Label::Decline(_) => Intent::OutOfScope,
            Label::Refuse(_) => Intent::Unsafe,
        }
    }

    /// The label of a labelled line: its intent, and for declines and refusals its reason
    /// (`small_talk`, `secrets`, …); a decline or refusal without a known reason is `None`.
    pub fn of(intent: Intent, reason: Option<&str>) -> Option<Label> {
        match intent {
            Intent::OutOfScope => DeclineReason::parse(reason?).map(Label::Decline),
            Intent::Unsafe => UnsafeReason::parse(reason?).map(Label::Refuse),
            intent => Some(Label::Answer(intent)),
        }
    }

    fn index(self) -> usize {
        Label::ALL.iter().position(|l| *l == self).unwrap_or(0)
    }
}

/// Bits of the feature hash: 2^16 buckets.
const BITS: u32 = 16;
const BUCKETS: usize = 1 << BITS;
const CLASSES: usize = Label::ALL.len();

/// A prompt as the model sees it: hashed feature buckets with their values, normalized to unit
/// length so that long prompts do not outvote short ones.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Features {
    all: Vec<(u32, f32)>,
    /// Only the indicators (concepts, cues, slots), for training the model to lean on them.
    flags: Vec<(u32, f32)>,
}

/// Collects the features of one prompt.
#[derive(Debug, Default)]
pub(crate) struct FeatureSet {
    buckets: Vec<(u32, f32)>,
    flags: Vec<(u32, f32)>,
}

/// How much each kind of feature weighs before normalization: indicators (concepts, cues,
/// slots) count double and character grams half, so that the model leans on meaning more than
/// on spelling. Chosen on held-out folds.
const FLAG: f32 = 2.0;
const PAIR: f32 = 1.0;
const WORD: f32 = 1.0;
const BIGRAM: f32 = 1.0;
const CHAR: f32 = 0.5;

/// FNV-1a over a feature's tag and parts, so a feature never needs its string built.
fn hash(tag: u8, parts: &[&str]) -> u32 {
    hash_bytes(tag, parts.iter().map(|p| p.as_bytes()))
}

fn hash_bytes<'a>(tag: u8, parts: impl IntoIterator<Item = &'a [u8]>) -> u32 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |b: u8| {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    };
    eat(tag);
    for part in parts {
        for &b in part {
            eat(b);
        }
        eat(0xff);
    }
    // Fold the high bits in: FNV's low bits alone mix poorly.
    ((h ^ (h >> 29) ^ (h >> 47)) as u32) & (BUCKETS as u32 - 1)
}

impl FeatureSet {
    /// A named indicator ("cue fired", "names a resource").
    pub(crate) fn flag(&mut self, name: &str) {
        self.push_flag(hash(b'f', &[name]), FLAG);
    }

    /// Two indicators together, so a linear model can learn what they mean jointly ("exempt"
    /// with "all" is score gaming; either alone is not).
    pub(crate) fn pair(&mut self, a: &str, b: &str) {
        self.push_flag(hash(b'p', &[a, b]), PAIR);
    }

    /// A named indicator with a number in it ("cue 12 fired").
    pub(crate) fn flag_n(&mut self, name: &str, n: usize) {
        self.push_flag(hash(b'n', &[name, &n.to_string()]), FLAG);
    }

    /// Word unigrams, bigrams, the first word, and the character 3-, 4- and 5-grams of each
    /// word with its boundaries marked, which carry a typo or an unseen inflection to the
    /// right intent.
    pub(crate) fn words(&mut self, words: &[&str]) {
        // A word, a bigram and about three character grams per letter.
        self.buckets.reserve(words.iter().map(|w| 3 * w.len() + 3).sum::<usize>() + 1);
        let mut previous = "<s>";
        for (i, word) in words.iter().enumerate() {
            self.buckets.push((hash(b'w', &[word]), WORD));
            self.buckets.push((hash(b'b', &[previous, word]), BIGRAM));
            if i == 0 {
                self.buckets.push((hash(b'0', &[word]), WORD));
            }
            previous = word;
            self.char_grams(word);
        }
        self.buckets.push((hash(b'b', &[previous, "</s>"]), BIGRAM));
    }

    fn char_grams(&mut self, word: &str) {
        if word.starts_with('_') || !word.is_ascii() {
            return;
        }
        let mut padded = [0u8; 40];
        let bytes = word.as_bytes();
        if bytes.len() + 2 > padded.len() {
            return;
        }
        padded[0] = b'<';
        padded[1..=bytes.len()].copy_from_slice(bytes);
        padded[bytes.len() + 1] = b'>';
        let padded = &padded[..bytes.len() + 2];
        for n in 3..=5 {
            if padded.len() < n || (n == padded.len() && n <= 4) {
                continue;
            }
            for gram in padded.windows(n) {
                self.buckets.push((hash_bytes(b'c', [gram]), CHAR));
            }
        }
    }

    fn push_flag(&mut self, bucket: u32, value: f32) {
        self.buckets.push((bucket, value));
        self.flags.push((bucket, value));
    }

    /// The features, each bucket once, scaled to unit length.
    pub(crate) fn finish(self) -> Features {
        Features { all: unit(self.buckets), flags: unit(self.flags) }
    }
}

fn unit(buckets: Vec<(u32, f32)>) -> Vec<(u32, f32)> {
    // Sorted as plain integers (the bucket in the high half), which sorts several times faster
    // than by a key.
    let mut keyed: Vec<u64> =
        buckets.iter().map(|&(b, v)| (u64::from(b) << 32) | u64::from(v.to_bits())).collect();
    keyed.sort_unstable();
    let mut out: Vec<(u32, f32)> = Vec::with_capacity(keyed.len());
    for (b, v) in keyed.into_iter().map(|k| ((k >> 32) as u32, f32::from_bits(k as u32))) {
        match out.last_mut() {
            Some((last, value)) if *last == b => *value += v,
            _ => out.push((b, v)),
        }
    }
    out.retain(|(_, v)| *v != 0.0);
    let norm = out.iter().map(|(_, v)| v * v).sum::<f32>().sqrt().max(1.0);
    for (_, v) in &mut out {
        *v /= norm;
    }
    out
}

impl Features {
    /// The indicators alone, as a training example of their own.
    pub fn flags_only(&self) -> Features {
        Features { all: self.flags.clone(), flags: self.flags.clone() }
    }
}

/// How training runs.
#[derive(Debug, Clone, Copy)]
pub struct TrainOptions {
    /// Passes over the examples.
    pub epochs: usize,
    /// The first step size; it decays as 1 / (1 + t / n).
    pub learning_rate: f32,
    /// L2 regularization strength.
    pub l2: f32,
}

impl Default for TrainOptions {
    /// Ten passes from a step of 2.0, chosen on held-out folds (`secbot eval`): 87.0% of held-out
    /// prompts read right against 85.9% with six passes from 0.6; averaging the weights over
    /// the steps did not help.
    fn default() -> TrainOptions {
        TrainOptions { epochs: 10, learning_rate: 2.0, l2: 2e-5 }
    }
}

/// The trained model: a weight per (bucket, class) and a bias per class. The weights are kept
/// as 16-bit fixed point (times `scale`): half the table's memory, so fewer cache misses per
/// prediction, and held-out predictions do not change.
#[derive(Clone)]
pub struct Model {
    weights: Vec<i16>,
    scale: f32,
    bias: [f32; CLASSES],
    /// Softmax temperature, fitted on held-out predictions so probabilities are calibrated.
    temperature: f32,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model").field("classes", &CLASSES).field("temperature", &self.temperature).finish()
    }
}

/// The model's reading of a prompt: a probability per label, in [`Label::ALL`] order.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction(pub [f32; CLASSES]);

impl Prediction {
    /// The most likely label and its probability.
    pub fn best(&self) -> (Label, f32) {
        let (i, p) =
            self.0.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map_or((0, 0.0), |(i, p)| (i, *p));
        (Label::ALL[i], p)
    }

    /// The probability of each intent (declines and refusals summed), most likely first.
    pub fn intents(&self) -> Vec<(Intent, f32)> {
        let mut out: Vec<(Intent, f32)> = Vec::with_capacity(Label::ALL.len());
        for (label, p) in Label::ALL.iter().zip(self.0) {
            match out.iter_mut().find(|(i, _)| *i == label.intent()) {
                Some((_, q)) => *q += p,
                None => out.push((label.intent(), p)),
            }
        }
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        out
    }

    /// The most likely label among those of one intent.
    pub fn best_of(&self, intent: Intent) -> Option<Label> {
        Label::ALL
            .iter()
            .zip(self.0)
            .filter(|(l, _)| l.intent() == intent)
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(l, _)| *l)
    }
}

impl Model {
    /// Trains on labelled feature sets; the examples are visited in the order given, every
    /// epoch, so the same corpus always gives the same model.
    pub fn train(examples: &[(Features, Label)], options: TrainOptions) -> Model {
        let mut weights = vec![0f32; BUCKETS * CLASSES];
        let mut bias = [0f32; CLASSES];
        let n = examples.len().max(1) as f32;
        let mut step = 0f32;
        // Visit the examples interleaved (a stride coprime with the count) rather than grouped
        // by file, deterministically.
        let stride = coprime_stride(examples.len());
        for _ in 0..options.epochs {
            let mut at = 0usize;
            for _ in 0..examples.len() {
                let (features, label) = &examples[at];
                at = (at + stride) % examples.len();
                let lr = options.learning_rate / (1.0 + step / n);
                step += 1.0;
                let mut probs = bias;
                for &(bucket, value) in &features.all {
                    let row = &weights[bucket as usize * CLASSES..][..CLASSES];
                    for (o, w) in probs.iter_mut().zip(row) {
                        *o += w * value;
                    }
                }
                softmax(&mut probs);
                let truth = label.index();
                let decay = 1.0 - lr * options.l2;
                // Classes the model already all but rules out get no update: their gradient is
                // nil, and skipping them makes training several times faster.
                let mut active = [0usize; CLASSES];
                let mut n_active = 0;
                for (c, p) in probs.iter().enumerate() {
                    if c == truth || *p > 1e-4 {
                        active[n_active] = c;
                        n_active += 1;
                    }
                }
                for &(bucket, value) in &features.all {
                    let row = &mut weights[bucket as usize * CLASSES..][..CLASSES];
                    for &c in &active[..n_active] {
                        let gradient = probs[c] - if c == truth { 1.0 } else { 0.0 };
                        row[c] = row[c] * decay - lr * gradient * value;
                    }
                }
                for (c, b) in bias.iter_mut().enumerate() {
                    let gradient = probs[c] - if c == truth { 1.0 } else { 0.0 };
                    *b -= lr * gradient * 0.1;
                }
            }
        }
        let largest = weights.iter().fold(0f32, |m, w| m.max(w.abs())).max(f32::MIN_POSITIVE);
        let scale = largest / f32::from(i16::MAX);
        let weights = weights.iter().map(|w| (w / scale).round() as i16).collect();
        Model { weights, scale, bias, temperature: 1.0 }
    }

    /// The same model with another softmax temperature.
    pub fn with_temperature(mut self, temperature: f32) -> Model {
        self.temperature = temperature.max(0.05);
        self
    }

    fn scores(&self, features: &Features, out: &mut [f32; CLASSES], temperature: f32) {
        let mut sum = [0f32; CLASSES];
        for &(bucket, value) in &features.all {
            let row = &self.weights[bucket as usize * CLASSES..][..CLASSES];
            for (o, w) in sum.iter_mut().zip(row) {
                *o += f32::from(*w) * value;
            }
        }
        for ((o, s), b) in out.iter_mut().zip(sum).zip(self.bias) {
            *o = (s * self.scale + b) / temperature;
        }
    }

    /// The probability of each label for a prompt's features.
    pub fn predict(&self, features: &Features) -> Prediction {
        let mut out = [0f32; CLASSES];
        self.scores(features, &mut out, self.temperature);
        softmax(&mut out);
        Prediction(out)
    }

    /// The raw class scores (before the temperature), for fitting the temperature.
    pub(crate) fn logits(&self, features: &Features) -> [f32; CLASSES] {
        let mut out = [0f32; CLASSES];
        self.scores(features, &mut out, 1.0);
        out
    }
}

/// The temperature that minimizes the negative log-likelihood of held-out predictions.
pub fn fit_temperature(held_out: &[([f32; CLASSES], Label)]) -> f32 {
    let loss = |t: f32| -> f64 {
        held_out
            .iter()
            .map(|(logits, label)| {
                let mut p = logits.map(|l| l / t);
                softmax(&mut p);
                -f64::from(p[label.index()].max(1e-9)).ln()
            })
            .sum()
    };
    let mut best = (1.0f32, f64::INFINITY);
    let mut t = 0.3f32;
    while t <= 4.0 {
        let l = loss(t);
        if l < best.1 {
            best = (t, l);
        }
        t += 0.05;
    }
    best.0
}

fn softmax(x: &mut [f32; CLASSES]) {
    let max = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in x.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in x.iter_mut() {
        *v /= sum;
    }
}

fn coprime_stride(n: usize) -> usize {
    fn gcd(a: usize, b: usize) -> usize {
        if b == 0 { a } else { gcd(b, a % b) }
    }
    if n <= 2 {
        return 1;
    }
    let mut stride = (n as f64 * 0.618) as usize;
    while gcd(stride, n) != 1 {
        stride += 1;
    }
    stride
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features(words: &[&str]) -> Features {
        let mut set = FeatureSet::default();
        set.words(words);
        set.finish()
    }

    #[test]
    fn features_are_deterministic_unit_length_and_share_character_grams_across_typos() {
        let a = features(&["remediate", "this"]);
        assert_eq!(a, features(&["remediate", "this"]));
        let length: f32 = a.all.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
        assert!((length - 1.0).abs() < 1e-4, "{length}");
        let typo = features(&["remdiate", "this"]);
        let shared = a.all.iter().filter(|(b, _)| typo.all.iter().any(|(c, _)| c == b)).count();
        assert!(shared >= 5, "a one-letter typo keeps most character grams ({shared})");
    }

    #[test]
    fn a_trained_model_separates_what_it_was_taught_and_is_calibrated_by_temperature() {
        let fix = Label::Answer(Intent::Remediate);
        let list = Label::Answer(Intent::ListRisks);
        let examples = vec![
            (features(&["how", "do", "i", "fix", "it"]), fix),
            (features(&["fix", "this", "please"]), fix),
            (features(&["remediation", "steps"]), fix),
            (features(&["show", "critical", "risks"]), list),
            (features(&["list", "public", "storage"]), list),
            (features(&["top", "risks", "in", "aws"]), list),
        ];
        let model = Model::train(&examples, TrainOptions::default());
        assert_eq!(model.predict(&features(&["fix", "it"])).best().0, fix);
        assert_eq!(model.predict(&features(&["show", "risks"])).best().0, list);
        let sure = model.predict(&features(&["fix", "it"])).best().1;
        let softer = model.clone().with_temperature(3.0).predict(&features(&["fix", "it"])).best().1;
        assert!(softer < sure, "a higher temperature lowers confidence ({softer} vs {sure})");
        let probs = model.predict(&features(&["anything"]));
        assert!((probs.0.iter().sum::<f32>() - 1.0).abs() < 1e-4);
    }

    #[test]
    fn the_fitted_temperature_minimizes_held_out_loss() {
        let mut confident = [0f32; CLASSES];
        confident[0] = 10.0;
        // Overconfident and wrong half the time: the best temperature is above 1.
        let held_out = vec![(confident, Label::ALL[0]), (confident, Label::ALL[1])];
        assert!(fit_temperature(&held_out) > 1.0);
    }
}
