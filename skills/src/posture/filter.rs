//! Filters over findings and attack paths, and the shapes of their results.

use std::collections::BTreeMap;

use secbot_chat::{Cloud, ResourceKind, Severity};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use super::model::{Finding, Status};

/// Which findings to return. Empty lists and `None` mean "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingFilter {
    /// Levels (the risk level where evaluated, else the severity).
    pub levels: Vec<Severity>,
    /// Contextual risk levels only (findings without a risk level never match).
    pub risk_levels: Vec<Severity>,
    /// Static severities of the recommendation.
    pub severities: Vec<Severity>,
    /// Only internet-exposed resources (or only not exposed).
    pub internet_exposed: Option<bool>,
    /// Only resources holding sensitive data.
    pub sensitive_data: Option<bool>,
    /// Only vulnerability findings on resources with a CVE at or above this severity.
    pub vulnerabilities_at_least: Option<Severity>,
    /// Resource kinds; identities also take in the subscription-level findings about
    /// accounts ([`super::Recommendation::about_identities`]).
    pub kinds: Vec<ResourceKind>,
    /// Clouds to keep; empty means every cloud.
    pub clouds: Vec<Cloud>,
    /// Subscription ids (the channel's scope and any named subscription).
    pub subscriptions: Vec<String>,
    /// Statuses; empty means Unhealthy only.
    pub statuses: Vec<Status>,
    /// One recommendation key.
    pub recommendation: Option<String>,
    /// One resource id.
    pub resource: Option<String>,
    /// Findings owned by this email (case-insensitive).
    pub owner: Option<String>,
    /// Findings with (or without) an owner.
    pub assigned: Option<bool>,
    /// Findings whose due date is before this day.
    pub due_before: Option<Date>,
    /// Findings whose status changed at or after this time.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub changed_since: Option<OffsetDateTime>,
}

impl FindingFilter {
    /// The statuses the filter asks for, defaulting to Unhealthy.
    pub fn wanted_statuses(&self) -> Vec<Status> {
        if self.statuses.is_empty() { vec![Status::Unhealthy] } else { self.statuses.clone() }
    }

    /// True when a finding passes every part of the filter. Sources that index their data use
    /// it to check their indexes in tests; it is the definition of the filter.
    pub fn matches(&self, finding: &Finding, max_cve: Option<Severity>) -> bool {
        let rec = &finding.recommendation;
        let res = &finding.resource;
        let any = |list: &[Severity], value: Severity| list.is_empty() || list.contains(&value);
        self.wanted_statuses().contains(&finding.status)
            && any(&self.levels, finding.level())
            && (self.risk_levels.is_empty() || finding.risk.is_some_and(|r| self.risk_levels.contains(&r)))
            && any(&self.severities, rec.severity)
            && self.internet_exposed.is_none_or(|want| res.internet_exposed == want)
            && self.sensitive_data.is_none_or(|want| res.sensitive_data.is_some() == want)
            && self
                .vulnerabilities_at_least
                .is_none_or(|min| rec.reports_cves() && max_cve.is_some_and(|worst| worst >= min))
            && (self.kinds.is_empty()
                || self.kinds.contains(&res.kind)
                || self.kinds.contains(&ResourceKind::Identity) && rec.about_identities())
            && (self.clouds.is_empty() || self.clouds.contains(&res.cloud))
            && (self.subscriptions.is_empty()
                || self.subscriptions.iter().any(|s| s.eq_ignore_ascii_case(&res.subscription)))
            && self.recommendation.as_ref().is_none_or(|key| key.eq_ignore_ascii_case(&rec.key))
            && self.resource.as_ref().is_none_or(|id| id.eq_ignore_ascii_case(&res.id))
            && self.owner.as_ref().is_none_or(|owner| {
                finding.governance.as_ref().is_some_and(|g| g.owner.eq_ignore_ascii_case(owner))
            })
            && self.assigned.is_none_or(|want| finding.governance.is_some() == want)
            && self.due_before.is_none_or(|day| finding.governance.as_ref().is_some_and(|g| g.due < day))
            && self.changed_since.is_none_or(|since| finding.status_changed >= since)
    }
}

/// One page of findings and what the whole match looks like.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FindingPage {
    /// How many findings match in all.
    pub total: usize,
    /// How many of them at each level (risk level where evaluated, else severity).
    pub by_level: BTreeMap<Severity, usize>,
    /// The requested page, most risky first.
    pub items: Vec<Finding>,
}

/// Counts over the findings matching a filter.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PostureSummary {
    /// Findings matching.
    pub findings: usize,
    /// Distinct resources with a matching finding.
    pub resources: usize,
    /// Matching findings per level.
    pub by_level: BTreeMap<Severity, usize>,
    /// Matching findings per resource kind.
    pub by_kind: BTreeMap<ResourceKind, usize>,
    /// Matching findings per cloud.
    pub by_cloud: BTreeMap<Cloud, usize>,
    /// Matching findings on internet-exposed resources.
    pub internet_exposed: usize,
    /// Matching findings on resources with sensitive data.
    pub sensitive_data: usize,
    /// Matching findings with an owner, and how many of those are overdue.
    pub assigned: usize,
    /// Assigned findings past their due date.
    pub overdue: usize,
    /// The recommendations with the most matching findings: (key, name, count), most first.
    pub top_recommendations: Vec<(String, String, usize)>,
    /// Per owner: (assigned findings, of which overdue).
    pub by_owner: BTreeMap<String, (usize, usize)>,
}

/// Which attack paths to return.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttackPathFilter {
    /// Subscription ids; empty means all in scope.
    pub subscriptions: Vec<String>,
    /// Clouds to keep; empty means every cloud.
    pub clouds: Vec<Cloud>,
    /// Minimum risk level.
    pub min_risk: Option<Severity>,
    /// Paths whose entry point or target is of this kind.
    pub kind: Option<ResourceKind>,
    /// Paths that start from an internet-exposed resource.
    pub internet_exposed: Option<bool>,
    /// Paths that reach a resource with sensitive data.
    pub sensitive_data: Option<bool>,
    /// Paths that go through this resource.
    pub resource: Option<String>,
    /// Paths that a finding of this recommendation is on.
    pub recommendation: Option<String>,
}
