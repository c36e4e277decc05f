//! Security alerts: what Defender for Cloud's threat protection detected on a resource (a brute
//! force, a malicious upload, a miner), as opposed to a recommendation's posture finding.

use std::fmt;

use secbot_chat::{Cloud, ResourceKind, Severity};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Where an alert stands in its triage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AlertStatus {
    /// New; nobody has acted on it.
    Active,
    /// Someone is working on it.
    InProgress,
    /// Handled.
    Resolved,
    /// Judged benign or a false positive.
    Dismissed,
}

impl AlertStatus {
    /// True while the alert still needs someone (active or in progress).
    pub fn is_open(self) -> bool {
        matches!(self, AlertStatus::Active | AlertStatus::InProgress)
    }

    /// The status as Defender for Cloud spells it (`Active`, `InProgress`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            AlertStatus::Active => "Active",
            AlertStatus::InProgress => "InProgress",
            AlertStatus::Resolved => "Resolved",
            AlertStatus::Dismissed => "Dismissed",
        }
    }

    /// The status named by Defender for Cloud's spelling, case-insensitive.
    pub fn parse(name: &str) -> Option<AlertStatus> {
        [AlertStatus::Active, AlertStatus::InProgress, AlertStatus::Resolved, AlertStatus::Dismissed]
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(name.trim()))
    }
}

impl fmt::Display for AlertStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AlertStatus::Active => "Active",
            AlertStatus::InProgress => "In progress",
            AlertStatus::Resolved => "Resolved",
            AlertStatus::Dismissed => "Dismissed",
        })
    }
}

/// A Defender for Cloud security alert (or incident: several correlated alerts).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// The alert's ARM id (`…/providers/Microsoft.Security/locations/{loc}/alerts/{name}`).
    pub id: String,
    /// The detection that raised it (`Storage.Blob_AnonymousAccessAnomaly`).
    pub alert_type: String,
    /// The display name.
    pub name: String,
    /// The severity; Defender's "Informational" is kept as `informational` with severity Low.
    pub severity: Severity,
    /// Defender rated it informational (shown instead of "low").
    #[serde(default)]
    pub informational: bool,
    /// Where it stands.
    pub status: AlertStatus,
    /// What was detected.
    pub description: String,
    /// What to do, in order, as the alert itself says.
    #[serde(default)]
    pub remediation: Vec<String>,
    /// The name of the resource, host or account it is about.
    pub entity: String,
    /// The id of the resource it is about, when it is one resource.
    #[serde(default)]
    pub resource: Option<String>,
    /// The kind of that resource.
    pub kind: ResourceKind,
    /// The subscription, account or project.
    pub subscription: String,
    /// The cloud.
    pub cloud: Cloud,
    /// MITRE ATT&CK tactics (`InitialAccess`, ...).
    #[serde(default)]
    pub tactics: Vec<String>,
    /// The Defender plan that raised it ("Defender for Storage").
    #[serde(default)]
    pub product: String,
    /// When the activity started.
    #[serde(with = "time::serde::rfc3339")]
    pub detected: OffsetDateTime,
    /// An incident: several alerts correlated into one story.
    #[serde(default)]
    pub incident: bool,
    /// The portal's page for the alert, as the source gave it.
    #[serde(default)]
    pub portal: Option<String>,
}

impl Alert {
    /// The severity as people read it ("high", or "informational").
    pub fn severity_label(&self) -> &'static str {
        if self.informational { "informational" } else { self.severity.as_str() }
    }

    /// The portal's page for an alert: Defender for Cloud's alert blade on `portal` (the
    /// public or a sovereign cloud's portal host), built from the alert's ARM id.
    pub fn portal_link(portal: &str, id: &str) -> Option<String> {
        let after = |key: &str| super::arm_id::segment_after(id, key);
        let (subscription, location, name) = (after("subscriptions")?, after("locations")?, after("alerts")?);
        let group = after("resourceGroups").unwrap_or("");
        Some(format!(
            "{}/#blade/Microsoft_Azure_Security_AzureDefenderForData/AlertBlade/alertId/{name}/subscriptionId/{subscription}/resourceGroup/{group}/referencedFrom/alertDeepLink/location/{location}",
            portal.trim_end_matches('/')
        ))
    }

    /// True when it is in one of these subscriptions (empty: every subscription).
    pub fn in_scope(&self, scope: &[String]) -> bool {
        scope.is_empty() || scope.iter().any(|s| s.eq_ignore_ascii_case(&self.subscription))
    }
}

/// Which alerts a question asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertFilter {
    /// Severities (empty: all).
    #[serde(default)]
    pub severities: Vec<Severity>,
    /// Only alerts detected at or after this time.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub since: Option<OffsetDateTime>,
    /// Only alerts detected before this time.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub until: Option<OffsetDateTime>,
    /// Resolved and dismissed alerts too (by default only open ones).
    #[serde(default)]
    pub closed_too: bool,
    /// Subscription ids (the channel's scope and any named subscription; empty: all).
    #[serde(default)]
    pub subscriptions: Vec<String>,
    /// Resource kinds.
    #[serde(default)]
    pub kinds: Vec<ResourceKind>,
    /// Clouds to keep; empty means every cloud.
    #[serde(default)]
    pub clouds: Vec<Cloud>,
    /// One resource id.
    #[serde(default)]
    pub resource: Option<String>,
}

impl AlertFilter {
    /// True when the alert passes the filter.
    pub fn matches(&self, alert: &Alert) -> bool {
        (self.closed_too || alert.status.is_open())
            && (self.severities.is_empty() || self.severities.contains(&alert.severity))
            && self.since.is_none_or(|t| alert.detected >= t)
            && self.until.is_none_or(|t| alert.detected < t)
            && alert.in_scope(&self.subscriptions)
            && (self.kinds.is_empty() || self.kinds.contains(&alert.kind))
            && (self.clouds.is_empty() || self.clouds.contains(&alert.cloud))
            && self
                .resource
                .as_ref()
                .is_none_or(|id| alert.resource.as_ref().is_some_and(|r| r.eq_ignore_ascii_case(id)))
    }

    /// Orders alerts as a list shows them: open before closed, most severe first, newest first.
    pub fn rank(alerts: &mut [std::sync::Arc<Alert>]) {
        alerts.sort_by(|a, b| {
            b.status
                .is_open()
                .cmp(&a.status.is_open())
                .then(b.severity.cmp(&a.severity))
                .then(a.informational.cmp(&b.informational))
                .then(b.detected.cmp(&a.detected))
                .then(a.id.cmp(&b.id))
        });
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use time::macros::datetime;

    use super::*;

    fn alert(id: &str, severity: Severity, status: AlertStatus, detected: OffsetDateTime) -> Arc<Alert> {
        Arc::new(Alert {
            id: id.to_owned(),
            alert_type: "VM_Test".to_owned(),
            name: id.to_owned(),
            severity,
            informational: false,
            status,
            description: String::new(),
            remediation: Vec::new(),
            entity: "vm-01".to_owned(),
            resource: Some(
                "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-01"
                    .to_owned(),
            ),
            kind: ResourceKind::VirtualMachine,
            subscription: "S1".to_owned(),
            cloud: Cloud::Azure,
            tactics: Vec::new(),
            product: String::new(),
            detected,
            incident: false,
            portal: None,
        })
    }

    #[test]
    fn the_filter_keeps_open_alerts_in_scope_in_the_window() {
        let a = alert("a", Severity::High, AlertStatus::Active, datetime!(2026-12-05 23:00 UTC));
        let filter = AlertFilter {
            since: Some(datetime!(2026-12-05 18:00 UTC)),
            subscriptions: vec!["s1".to_owned()],
            ..AlertFilter::default()
        };
        assert!(filter.matches(&a));
        assert!(!AlertFilter { subscriptions: vec!["s2".to_owned()], ..filter.clone() }.matches(&a));
        assert!(!AlertFilter { since: Some(datetime!(2026-12-06 00:00 UTC)), ..filter.clone() }.matches(&a));
        assert!(!AlertFilter { severities: vec![Severity::Low], ..filter.clone() }.matches(&a));
        let closed = alert("b", Severity::High, AlertStatus::Dismissed, datetime!(2026-12-05 23:00 UTC));
        assert!(!filter.matches(&closed));
        assert!(AlertFilter { closed_too: true, ..filter }.matches(&closed));
    }

    #[test]
    fn ranking_puts_open_severe_recent_alerts_first() {
        let mut list = vec![
            alert("old-high", Severity::High, AlertStatus::Active, datetime!(2026-12-01 00:00 UTC)),
            alert("closed", Severity::High, AlertStatus::Resolved, datetime!(2026-12-05 00:00 UTC)),
            alert("medium", Severity::Medium, AlertStatus::Active, datetime!(2026-12-05 00:00 UTC)),
            alert("new-high", Severity::High, AlertStatus::InProgress, datetime!(2026-12-04 00:00 UTC)),
        ];
        AlertFilter::rank(&mut list);
        let order: Vec<&str> = list.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(order, ["new-high", "old-high", "medium", "closed"]);
    }

    #[test]
    fn statuses_read_defender_spelling() {
        assert_eq!(AlertStatus::parse("inprogress"), Some(AlertStatus::InProgress));
        assert_eq!(AlertStatus::parse(" Dismissed"), Some(AlertStatus::Dismissed));
        assert_eq!(AlertStatus::parse("closed"), None);
        assert!(!AlertStatus::Resolved.is_open());
    }
}
