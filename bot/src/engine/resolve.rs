//! The context resolver: decides what a prompt is about. In order: what the prompt names
//! (a resource or recommendation, or a position in the last list: "the 2nd one", "the key vault
//! one"), then the thread's subject; a follow-up that resolves to nothing gets a clarifying
//! question, never a guess.

use secbot_chat::{Intent, ResourceKind, Slots, Subject};
use secbot_skills::intent::Parse;
use secbot_skills::posture::{PostureError, PostureSource};
use secbot_skills::skill;

use crate::store::ThreadContext;

/// What the engine will run.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Plan {
    /// Run a skill on a subject (or on the slots alone).
    Run {
        /// The skill's intent.
        intent: Intent,
        /// The slots, after refining the thread's last list.
        slots: Slots,
        /// What it runs on.
        subject: Option<Subject>,
    },
    /// Ask which of these the prompt means.
    Clarify {
        /// The intent to run once chosen.
        intent: Intent,
        /// The slots to run with.
        slots: Slots,
        /// The candidates (possibly none).
        candidates: Vec<Subject>,
        /// Why secbot asks, when it is more than "which one".
        reason: Option<String>,
    },
}

fn kind_words(kind: ResourceKind) -> &'static [&'static str] {
    match kind {
        ResourceKind::VirtualMachine => &["vm", "machine", "server", "instance"],
        ResourceKind::StorageAccount => &["storage", "bucket"],
        ResourceKind::SqlDatabase => &["database", "sql", "db"],
        ResourceKind::KeyVault => &["vault", "kv"],
        ResourceKind::KubernetesCluster => &["cluster", "aks", "kubernetes", "k8s"],
        ResourceKind::Identity => &["identity", "principal"],
        ResourceKind::AppService => &["app", "function"],
        ResourceKind::ContainerImage => &["image", "container"],
        ResourceKind::ContainerRegistry => &["registry"],
        ResourceKind::CosmosDb => &["cosmos"],
        ResourceKind::Network => &["network", "vnet", "nsg"],
        ResourceKind::Subscription => &["subscription"],
        ResourceKind::Other => &[],
    }
}

/// Narrows a finding to its recommendation or its resource when the prompt says "this
/// recommendation" or "this storage account".
async fn narrow(source: &dyn PostureSource, subject: Subject, text: &str) -> Subject {
    let Subject::Finding { recommendation, resource } = &subject else { return subject };
    let text = text.to_lowercase();
    if text.contains("recommendation") || text.contains(" rec ") || text.ends_with(" rec") {
        return Subject::Recommendation { key: recommendation.clone() };
    }
    if text.contains("resource") {
        return Subject::Resource { id: resource.clone() };
    }
    if let Ok(Some(res)) = source.resource(resource).await
        && (text.contains(&format!("this {}", res.kind.label()))
            || text.contains(&format!("that {}", res.kind.label())))
        && kind_words(res.kind).iter().any(|w| text.contains(w))
    {
        return Subject::Resource { id: resource.clone() };
    }
    subject
}

/// Decides the skill, slots and subject for a prompt in a thread.
pub(crate) async fn plan(
    source: &dyn PostureSource,
    parse: &Parse,
    text: &str,
    context: &ThreadContext,
    scope: &[String],
) -> Result<Plan, PostureError> {
    let mut intent = parse.intent;
    let mut slots = parse.slots.clone();
    let last = context.last_list.as_ref();

    // A refinement of the last list keeps its other filters (and its kind of list).
    if let Some(last) = last
        && (parse.refinement || (parse.needs_context && intent == Intent::ListRisks && slots.has_filters()))
        && slots.resource.is_none()
        && slots.recommendation.is_none()
    {
        slots = slots.refine(&last.slots);
        if intent == Intent::ListRisks && matches!(last.intent, Intent::Status | Intent::AttackPaths) {
            intent = last.intent;
        }
        return Ok(Plan::Run { intent, slots, subject: None });
    }

    // 1. What the prompt names.
    let mut subject = None;
    if let Some(name) = &slots.resource {
        let found = source.resources_named(name).await?;
        let visible = found
            .into_iter()
            .find(|r| scope.is_empty() || scope.iter().any(|s| s.eq_ignore_ascii_case(&r.subscription)));
        if let Some(resource) = visible {
            subject = Some(match &parse.recommendation_key {
                Some(key) if source.finding(key, &resource.id).await?.is_some() => {
                    Subject::Finding { recommendation: key.clone(), resource: resource.id.clone() }
                }
                _ => Subject::Resource { id: resource.id.clone() },
            });
        }
    } else if let Some(key) = &parse.recommendation_key {
        subject = Some(Subject::Recommendation { key: key.clone() });
    }

    // 2. A position in the last list.
    if subject.is_none()
        && let Some(n) = slots.ordinal
    {
        let items = last.map(|l| l.items.clone()).unwrap_or_default();
        let list = Subject::List { items: items.clone() };
        match list.nth(n) {
            Some(item) => subject = Some(item.clone()),
            None => {
                let reason = if items.is_empty() {
                    "There is no list in this thread yet, so I can't tell which one you mean.".to_owned()
                } else {
                    format!(
                        "The last list in this thread has {} item{}, so there is no {}.",
                        items.len(),
                        if items.len() == 1 { "" } else { "s" },
                        position(n)
                    )
                };
                return Ok(Plan::Clarify { intent, slots, candidates: items, reason: Some(reason) });
            }
        }
    }

    // 3. "the key vault one" / "the sql ones": items of the last list of that kind.
    if subject.is_none()
        && parse.needs_context
        && let (Some(kind), Some(last)) = (slots.resource_type, last)
    {
        let mut matching = Vec::new();
        for item in &last.items {
            if let Some(id) = item.resource_id()
                && let Ok(Some(res)) = source.resource(id).await
                && res.kind == kind
            {
                matching.push(item.clone());
            }
        }
        match matching.len() {
            0 => {}
            1 => subject = matching.pop(),
            _ if intent == Intent::Delegate => subject = Some(Subject::List { items: matching }),
            _ => return Ok(Plan::Clarify { intent, slots, candidates: matching, reason: None }),
        }
        if subject.is_some() {
            slots.resource_type = None;
        }
    }

    // 4. The thread's subject.
    let needs = skill::info(intent).needs_subject;
    let filtered = slots.has_filters() || slots.resource.is_some() || slots.recommendation.is_some();
    if subject.is_none() && (parse.needs_context || (needs && !filtered)) {
        match (&context.subject, intent) {
            (Some(Subject::List { .. }), Intent::Summarize) => {
                if let Some(last) = last {
                    slots = last.slots.clone();
                }
            }
            (Some(Subject::List { items }), Intent::Delegate) if plural(text) => {
                subject = Some(Subject::List { items: items.clone() });
            }
            (Some(Subject::List { items }), _) if needs => {
                if items.len() == 1 {
                    subject = items.first().cloned();
                } else {
                    return Ok(Plan::Clarify { intent, slots, candidates: items.clone(), reason: None });
                }
            }
            (Some(Subject::List { .. }), _) => {}
            (Some(s), _) => subject = Some(narrow(source, s.clone(), text).await),
            (None, _) if needs => {
                return Ok(Plan::Clarify { intent, slots, candidates: Vec::new(), reason: None });
            }
            (None, _) => {}
        }
    }
    if needs && subject.is_none() && !filtered {
        let candidates = last.map(|l| l.items.clone()).unwrap_or_default();
        return Ok(Plan::Clarify { intent, slots, candidates, reason: None });
    }
    Ok(Plan::Run { intent, slots, subject })
}

fn plural(text: &str) -> bool {
    let text = format!(" {} ", text.to_lowercase());
    [" them ", " these ", " those ", " all of them ", " all ", " ones ", " everything "]
        .iter()
        .any(|w| text.contains(w))
}

fn position(n: i32) -> String {
    match n {
        -1 => "last one".to_owned(),
        n if n % 10 == 1 && n % 100 != 11 => format!("{n}st"),
        n if n % 10 == 2 && n % 100 != 12 => format!("{n}nd"),
        n if n % 10 == 3 && n % 100 != 13 => format!("{n}rd"),
        n => format!("{n}th"),
    }
}
