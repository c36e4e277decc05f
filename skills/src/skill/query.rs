//! Turning slots into a posture query, within the channel's scope.

use std::sync::Arc;

use secbot_chat::{Severity, Slots, Subject};

use super::{Request, SkillError};
use crate::posture::{FindingFilter, Resource, Subscription};

/// A query built from slots, with what could not be resolved.
pub(crate) struct Query {
    /// The filter to run.
    pub(crate) filter: FindingFilter,
    /// The named resource, when one was named and found.
    pub(crate) resource: Option<Arc<Resource>>,
    /// A name that matched nothing ("no resource named x"); the answer says so instead of
    /// guessing.
    pub(crate) unknown: Option<String>,
    /// The subscriptions in scope.
    pub(crate) subscriptions: Vec<Subscription>,
}

/// Builds the finding filter for slots: severity, exposure, data, vulnerabilities, kind,
/// cloud, subscription, resource and recommendation, limited to the channel's scope.
/// The filter for every finding of a recommendation or resource subject, within `scope`;
/// `None` for other subjects.
pub(crate) fn subject_filter(subject: &Subject, scope: &[String]) -> Option<FindingFilter> {
    let filter = match subject {
        Subject::Recommendation { key } => {
            FindingFilter { recommendation: Some(key.clone()), ..FindingFilter::default() }
        }
        Subject::Resource { id } => FindingFilter { resource: Some(id.clone()), ..FindingFilter::default() },
        _ => return None,
    };
    Some(FindingFilter { subscriptions: scope.to_vec(), ..filter })
}

pub(crate) async fn build(req: &Request<'_>, slots: &Slots) -> Result<Query, SkillError> {
    let all = req.source.subscriptions().await?;
    let in_scope: Vec<Subscription> = all
        .into_iter()
        .filter(|s| req.scope.is_empty() || req.scope.iter().any(|id| id.eq_ignore_ascii_case(&s.id)))
        .collect();
    let mut filter = FindingFilter::default();
    let mut unknown = None;
    if slots.vulnerabilities == Some(true) {
        filter.vulnerabilities_at_least = Some(slots.severity.iter().copied().min().unwrap_or(Severity::Low));
    } else {
        filter.levels = slots.severity.clone();
    }
    filter.risk_levels = slots.risk_level.clone();
    filter.internet_exposed = slots.exposure.map(|_| true);
    filter.sensitive_data = slots.sensitive_data;
    filter.kinds = slots.resource_type.into_iter().collect();
    filter.clouds =
        slots.cloud.or(req.parse.implied_cloud.filter(|_| slots.resource.is_none())).into_iter().collect();
    let mut subscriptions = in_scope.clone();
    if let Some(named) = &slots.subscription {
        let wanted = named.to_lowercase();
        let words = |s: &str| -> Vec<String> {
            s.to_lowercase()
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let wanted_words = words(&wanted);
        let matching: Vec<Subscription> = in_scope
            .iter()
            .filter(|s| {
                let name = words(&s.name);
                s.id.eq_ignore_ascii_case(named)
                    || s.name.to_lowercase() == wanted
                    || s.name.to_lowercase().starts_with(&format!("{wanted} "))
                    || s.name.to_lowercase().starts_with(&format!("{wanted}/"))
                    // "the data platform sub" is Contoso Data Platform.
                    || (!wanted_words.is_empty()
                        && name.windows(wanted_words.len()).any(|w| w == wanted_words.as_slice()))
            })
            .cloned()
            .collect();
        if matching.is_empty() {
            unknown = Some(format!("a subscription named \"{named}\" in this channel's scope"));
        }
        subscriptions = matching;
    }
    filter.subscriptions = if req.scope.is_empty() && slots.subscription.is_none() {
        Vec::new()
    } else {
        subscriptions.iter().map(|s| s.id.clone()).collect()
    };
    if filter.subscriptions.is_empty() && (slots.subscription.is_some() || !req.scope.is_empty()) {
        // Nothing in scope matches: a filter that matches nothing.
        filter.subscriptions = vec!["-".to_owned()];
    }
    let mut resource = None;
    if let Some(name) = &slots.resource {
        let found = req.source.resources_named(name).await?;
        let visible: Vec<Arc<Resource>> = found
            .into_iter()
            .filter(|r| {
                req.scope.is_empty() || req.scope.iter().any(|id| id.eq_ignore_ascii_case(&r.subscription))
            })
            .collect();
        match visible.first() {
            Some(r) => {
                filter.resource = Some(r.id.clone());
                filter.kinds.clear();
                filter.clouds.clear();
                resource = Some(r.clone());
            }
            None => unknown = Some(format!("a resource named \"{name}\"")),
        }
    }
    if let Some(key) = &req.parse.recommendation_key {
        filter.recommendation = Some(key.clone());
    } else if let Some(name) = &slots.recommendation {
        unknown = unknown.or_else(|| Some(format!("a recommendation named \"{name}\"")));
    }
    if slots.overdue == Some(true) {
        filter.due_before = Some(req.today);
    }
    if slots.unassigned == Some(true) {
        filter.assigned = Some(false);
    }
    Ok(Query { filter, resource, unknown, subscriptions: in_scope })
}
