//! Deterministic, offline reading of a prompt: its intent, its slots and a confidence.
//!
//! The parser normalizes the text (typos corrected against the words it knows), refuses what is
//! unsafe, declines what is out of scope, scores each intent by its cue phrases and reads the
//! slots: severity, exposure, sensitive data, vulnerabilities, resource type, cloud,
//! subscription, recommendation (quoted or paraphrased), resource, ordinal, assignee and due
//! date (resolved against the prompt's day).

mod cues;
pub(crate) mod dates;
pub mod eval;
mod extract;
mod recommend;
mod text;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use secbot_chat::{Cloud, Exposure, Intent, ResourceKind, Slots};
use serde::Serialize;
use time::Date;

pub use cues::{DeclineReason, UnsafeReason};
pub use dates::resolve_due_phrase;

use self::recommend::RecommendationMatcher;
use self::text::{Text, Vocabulary};
use crate::catalog::Catalog;
use crate::posture::{Recommendation, Subscription};

/// What the parser knows about a tenant: recommendation names, resource names, subscriptions
/// and people, so it can recognise them in a prompt.
#[derive(Debug)]
pub struct Lexicon {
    vocabulary: Vocabulary,
    recommendations: RecommendationMatcher,
    resources: HashMap<String, ResourceKind>,
    subscriptions: Vec<(Vec<String>, String)>,
    people: HashSet<String>,
}

impl Lexicon {
    /// A lexicon of the embedded catalog plus a tenant's recommendations, resources,
    /// subscriptions and people.
    pub fn new<'a>(
        recommendations: impl IntoIterator<Item = &'a Arc<Recommendation>>,
        resources: impl IntoIterator<Item = (&'a str, ResourceKind)>,
        subscriptions: &[Subscription],
        people: impl IntoIterator<Item = &'a str>,
    ) -> Lexicon {
        let mut names: Vec<(String, String, ResourceKind)> = Vec::new();
        let mut seen = HashSet::new();
        for rec in Catalog::embedded().recommendations().iter().chain(recommendations) {
            for name in std::iter::once(&rec.name).chain(rec.aliases.iter()) {
                if seen.insert((rec.key.clone(), name.clone())) {
                    names.push((rec.key.clone(), name.clone(), rec.kind));
                }
            }
        }
        let recommendations =
            RecommendationMatcher::new(names.iter().map(|(k, n, kind)| (k.as_str(), n.as_str(), *kind)));
        let people: HashSet<String> = people.into_iter().map(str::to_lowercase).collect();
        let pattern_words = cues::pattern_words();
        let vocabulary = Vocabulary::new(
            recommendations
                .names()
                .chain(subscriptions.iter().map(|s| s.name.as_str()))
                .chain(people.iter().map(String::as_str))
                .chain(pattern_words.iter().map(String::as_str)),
        );
        let resources = resources.into_iter().map(|(name, kind)| (name.to_lowercase(), kind)).collect();
        let subscriptions = subscriptions
            .iter()
            .map(|s| {
                let words = s
                    .name
                    .to_lowercase()
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(str::to_owned)
                    .collect();
                (words, s.name.clone())
            })
            .collect();
        Lexicon { vocabulary, recommendations, resources, subscriptions, people }
    }

    /// A lexicon of the embedded catalog only (no tenant).
    pub fn catalog() -> Lexicon {
        Lexicon::new([], [], &[], [])
    }

    /// The prompt as the parser reads it: lowercase words, typos corrected, resource names
    /// replaced by a marker (for diagnostics such as `secbot eval`).
    pub fn normalize(&self, prompt: &str) -> String {
        Text::new(prompt, &self.vocabulary, &|t| self.is_resource(t)).norm
    }

    fn is_resource(&self, token: &str) -> bool {
        self.resources.contains_key(token) || extract::looks_like_resource(token)
    }

    fn resource_kind(&self, name: &str) -> Option<ResourceKind> {
        self.resources.get(name).copied().or_else(|| extract::kind_from_name(name))
    }
}

/// What a prompt asks for, as read by the parser.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parse {
    /// The intent.
    pub intent: Intent,
    /// The slots.
    pub slots: Slots,
    /// How sure the parser is of the intent, from 0 to 1.
    pub confidence: f32,
    /// The prompt refers to the thread's subject or last list.
    pub needs_context: bool,
    /// A list prompt that narrows or widens the previous list.
    pub refinement: bool,
    /// The cloud implied by a service name ("EC2") when none is named.
    pub implied_cloud: Option<Cloud>,
    /// The kind of the named resource, when known.
    pub resource_kind: Option<ResourceKind>,
    /// The key of the named recommendation, when it is in the catalog.
    pub recommendation_key: Option<String>,
    /// The script tool asked for (`powershell`, `bicep`, `terraform`, `azure_cli`, ...).
    pub tool: Option<&'static str>,
    /// An exemption or risk acceptance is asked for, not a fix.
    pub exemption: bool,
    /// Why the prompt is refused, for `unsafe`.
    pub refusal: Option<UnsafeReason>,
    /// Why the prompt is declined, for `out_of_scope`.
    pub decline: Option<DeclineReason>,
    /// No intent cue fired; the intent is a guess from the prompt's security words.
    pub guessed: bool,
}

impl Parse {
    fn bare(intent: Intent) -> Parse {
        Parse {
            intent,
            slots: Slots::default(),
            confidence: 1.0,
            needs_context: false,
            refinement: false,
            implied_cloud: None,
            resource_kind: None,
            recommendation_key: None,
            tool: None,
            exemption: false,
            refusal: None,
            decline: None,
            guessed: false,
        }
    }
}

/// Reads a prompt. `today` is the day the prompt was written, for relative due dates.
pub fn parse(prompt: &str, lexicon: &Lexicon, today: Date) -> Parse {
    let text = Text::new(prompt, &lexicon.vocabulary, &|t| lexicon.is_resource(t));
    if text.words.is_empty() {
        return Parse { confidence: 0.0, ..Parse::bare(Intent::Help) };
    }
    if let Some(reason) = cues::refusal(&text) {
        return Parse {
            refusal: Some(reason),
            needs_context: extract::deictic(&text),
            ..Parse::bare(Intent::Unsafe)
        };
    }
    if cues::is_bare_help(&text) {
        return Parse::bare(Intent::Help);
    }

    let mut slots = read_slots(&text, lexicon);
    let resource_kind = slots.resource.as_deref().and_then(|r| lexicon.resource_kind(r));
    let subscription_words: Vec<String> = slots
        .subscription
        .iter()
        .flat_map(|s| {
            s.to_lowercase().split(|c: char| !c.is_alphanumeric()).map(str::to_owned).collect::<Vec<_>>()
        })
        .collect();
    let plain: Vec<&str> = text
        .words
        .iter()
        .map(String::as_str)
        .filter(|w| {
            !w.starts_with(['@', '#']) && *w != text::NAME && !subscription_words.iter().any(|s| s == w)
        })
        .collect();
    let named = text.quoted.iter().find_map(|q| lexicon.recommendations.quoted(q)).or_else(|| {
        lexicon.recommendations.paraphrase(&plain.join(" "), slots.resource_type.or(resource_kind))
    });
    let recommendation_key = named.as_ref().and_then(|n| n.key.clone());
    slots.recommendation = named.map(|n| n.name);

    let mut scores = cues::score(&text);
    let mut bump = |intent: Intent, by: f32| match scores.iter_mut().find(|(i, _)| *i == intent) {
        Some((_, s)) => *s += by,
        None => scores.push((intent, by)),
    };
    let mention = text.words.iter().any(|w| w.starts_with('@'));
    let due = dates::find_due(&text.norm, today, false);
    if due.is_some() && (mention || text.norm.contains(" team")) {
        bump(Intent::Delegate, 4.0);
    }
    if slots.has_filters() || slots.resource.is_some() {
        bump(Intent::ListRisks, 1.0);
    }
    let domain = extract::domain(&text)
        || slots.has_filters()
        || slots.resource.is_some()
        || slots.recommendation.is_some();
    let best = scores
        .iter()
        .copied()
        .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| priority(b.0).cmp(&priority(a.0))));
    let strong_help = best.is_some_and(|(i, s)| i == Intent::Help && s >= 5.0);
    if !strong_help && let Some(reason) = cues::decline(&text, domain || best.is_some()) {
        let operational_fix = reason == DeclineReason::Operation
            && best.is_some_and(|(i, s)| matches!(i, Intent::Remediate | Intent::Explain) && s >= 8.0);
        if !operational_fix {
            return Parse { decline: Some(reason), ..Parse::bare(Intent::OutOfScope) };
        }
    }
    let (intent, top) = best.unwrap_or((Intent::ListRisks, 0.0));
    let guessed = best.is_none();
    let second = scores.iter().filter(|(i, _)| *i != intent).map(|(_, s)| *s).fold(0.0, f32::max);
    let confidence = if guessed { 0.3 } else { (top / (top + second + 1.0)).clamp(0.0, 1.0) };

    // Slots that only make sense for some intents.
    if matches!(intent, Intent::Delegate | Intent::Status) {
        slots.assignee = extract::assignee(&text, &|name| lexicon.people.contains(name));
    }
    if intent == Intent::Status {
        let norm = &text.norm;
        let has = |words: &[&str]| words.iter().any(|w| format!(" {norm} ").contains(&format!(" {w} ")));
        if has(&[
            "unassigned",
            "no owner",
            "without owner",
            "without an owner",
            "nobody owns",
            "no one owns",
            "not assigned",
        ]) {
            slots.unassigned = Some(true);
        } else if has(&["overdue", "past due", "late", "behind schedule", "behind", "overdeu"]) {
            slots.overdue = Some(true);
        }
    }
    if intent == Intent::Delegate {
        let dated = dates::find_due(&text.norm, today, true);
        slots.due = dated.as_ref().and_then(|d| d.date);
        slots.due_text = dated.map(|d| d.text);
    }
    if matches!(intent, Intent::Help | Intent::OutOfScope) {
        slots = Slots::default();
    }

    let explicit = slots.resource.is_some() || slots.recommendation.is_some();
    let deictic = extract::deictic(&text) || slots.ordinal.is_some();
    let refinement = matches!(intent, Intent::ListRisks | Intent::Status | Intent::AttackPaths)
        && !explicit
        && extract::refinement(&text)
        && slots.has_filters();
    let needs_context = match intent {
        Intent::Help | Intent::OutOfScope | Intent::Unsafe => false,
        _ if refinement || slots.ordinal.is_some() => true,
        Intent::Delegate => !explicit && (deictic || !slots.has_filters()),
        Intent::Explain | Intent::Remediate => !explicit && (deictic || !slots.has_filters()),
        Intent::Summarize => {
            !explicit
                && !extract::broad(&text)
                && (deictic || !slots.has_filters())
                && !text.norm.contains("recap")
                && !text.norm.contains("digest")
        }
        _ => deictic && !explicit,
    };

    Parse {
        intent,
        slots,
        confidence,
        needs_context,
        refinement,
        implied_cloud: extract::implied_cloud(&text),
        resource_kind,
        recommendation_key,
        tool: extract::tool(&text),
        exemption: extract::exemption(&text),
        refusal: None,
        decline: None,
        guessed,
    }
}

/// Which intent wins a tie: the more specific first.
fn priority(intent: Intent) -> u8 {
    match intent {
        Intent::Unsafe => 0,
        Intent::Delegate => 1,
        Intent::AttackPaths => 2,
        Intent::Status => 3,
        Intent::Remediate => 4,
        Intent::Explain => 5,
        Intent::Summarize => 6,
        Intent::Help => 7,
        Intent::ListRisks => 8,
        Intent::OutOfScope => 9,
    }
}

fn read_slots(text: &Text, lexicon: &Lexicon) -> Slots {
    // Words inside a quoted recommendation name describe the recommendation, not filters:
    // only the resource type is read from them.
    let outside = if text.quoted.is_empty() {
        None
    } else {
        let mut rest = text.original.clone();
        for q in &text.quoted {
            rest = rest.replace(q.as_str(), " ");
        }
        Some(Text::new(&rest, &lexicon.vocabulary, &|t| lexicon.is_resource(t)))
    };
    let filters = outside.as_ref().unwrap_or(text);
    let resource = text
        .tokens
        .iter()
        .map(|t| t.trim_end_matches(['?', '!', ',', '.']))
        .find(|t| lexicon.is_resource(t))
        .map(str::to_owned);
    Slots {
        severity: extract::severities(filters),
        exposure: extract::public(filters).then_some(Exposure::Public),
        sensitive_data: extract::sensitive(filters).then_some(true),
        vulnerabilities: extract::vulnerabilities(filters).then_some(true),
        resource_type: extract::resource_kind(text),
        cloud: extract::cloud(filters),
        subscription: subscription(text, lexicon),
        resource,
        ordinal: extract::ordinal(text),
        ..Slots::default()
    }
}

/// A subscription named in the prompt: a known name (or its first words, "Contoso Dev"), as
/// written, or "the X subscription", or a capitalized name after "in" ("in Contoso Sandbox").
fn subscription(text: &Text, lexicon: &Lexicon) -> Option<String> {
    known_subscription(text, lexicon).or_else(|| {
        static NAMED: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        static SUFFIXED: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        let suffixed = SUFFIXED.get_or_init(|| {
            regex::Regex::new(r"(?i)\b(?:in|for|on|from) (?:the |our |my )?([A-Za-z0-9][\w-]*(?: [A-Za-z0-9][\w-]*)?) (?:subscription|sub|aws account|gcp project)\b")
                .expect("valid pattern")
        });
        let named = NAMED.get_or_init(|| {
            regex::Regex::new(r"\b(?:in|for|from) ([A-Z][a-z0-9]+(?: [A-Z][\w/-]*){1,2})").expect("valid pattern")
        });
        let candidate = suffixed
            .captures(&text.original)
            .or_else(|| named.captures(&text.original))
            .map(|c| c[1].trim().to_owned())?;
        let lower = candidate.to_lowercase();
        let reserved = [
            "azure", "aws", "gcp", "google", "amazon", "prod", "production", "every", "each", "all", "this", "that", "our", "my", "a",
            "an", "the", "your", "one", "any", "which", "what", "their", "its",
        ];
        (!reserved.contains(&lower.as_str()) && !reserved.iter().any(|r| lower.starts_with(&format!("{r} ")))).then_some(candidate)
    })
}

fn known_subscription(text: &Text, lexicon: &Lexicon) -> Option<String> {
    for (words, name) in &lexicon.subscriptions {
        if text.tokens.iter().any(|t| t == &name.to_lowercase()) {
            return Some(name.clone());
        }
        for len in (2..=words.len()).rev() {
            let phrase = words[..len].join(" ");
            if find_words(&text.norm, &phrase) {
                return Some(as_written(&text.original, &words[..len]).unwrap_or(phrase));
            }
        }
    }
    None
}

fn find_words(norm: &str, phrase: &str) -> bool {
    format!(" {norm} ").contains(&format!(" {phrase} "))
}

/// The words as they appear in the original prompt (their case and separators).
fn as_written(raw: &str, words: &[String]) -> Option<String> {
    let pattern = words.iter().map(|w| regex::escape(w)).collect::<Vec<_>>().join(r"[\s/\-_]+");
    let found = regex::Regex::new(&format!(r"(?i)\b{pattern}\b")).ok()?.find(raw)?;
    Some(found.as_str().to_owned())
}
