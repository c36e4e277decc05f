//! What a prompt asks for: its intent and the slots it fills.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::Date;

use crate::vocabulary::{Cloud, ResourceKind, Severity, UnknownTerm};

/// What a prompt wants secbot to do; each answering intent has one skill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// List findings, filtered and ranked by risk.
    ListRisks,
    /// Summarize a recommendation, a resource, a list or the whole posture.
    Summarize,
    /// Explain why something matters.
    Explain,
    /// Give remediation steps and scripts.
    Remediate,
    /// Assign an owner and a due date.
    Delegate,
    /// Show attack paths and how to break them.
    AttackPaths,
    /// Report on delegated work.
    Status,
    /// Say what secbot can do.
    Help,
    /// Anything that is not about cloud security posture.
    OutOfScope,
    /// A request secbot must refuse.
    Unsafe,
}

impl Intent {
    /// Every intent.
    pub const ALL: [Intent; 10] = [
        Intent::ListRisks,
        Intent::Summarize,
        Intent::Explain,
        Intent::Remediate,
        Intent::Delegate,
        Intent::AttackPaths,
        Intent::Status,
        Intent::Help,
        Intent::OutOfScope,
        Intent::Unsafe,
    ];

    /// The snake_case name (`"list_risks"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Intent::ListRisks => "list_risks",
            Intent::Summarize => "summarize",
            Intent::Explain => "explain",
            Intent::Remediate => "remediate",
            Intent::Delegate => "delegate",
            Intent::AttackPaths => "attack_paths",
            Intent::Status => "status",
            Intent::Help => "help",
            Intent::OutOfScope => "out_of_scope",
            Intent::Unsafe => "unsafe",
        }
    }
}

impl fmt::Display for Intent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Intent {
    type Err = UnknownTerm;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Intent::ALL
            .into_iter()
            .find(|intent| intent.as_str() == s.trim())
            .ok_or_else(|| UnknownTerm { value: s.to_owned(), expected: "intent" })
    }
}

/// The values a prompt states, named as in secbot's documented JSON interface: lowercase
/// severities, `exposure: "public"`, snake_case resource types, `due` as an ISO date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slots {
    /// Severities or risk levels asked for ("critical", or several).
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "one_or_many")]
    pub severity: Vec<Severity>,
    /// Risk levels asked for explicitly ("risk level high").
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "one_or_many")]
    pub risk_level: Vec<Severity>,
    /// `"public"` for internet-exposed resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exposure: Option<Exposure>,
    /// Only resources holding sensitive data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitive_data: Option<bool>,
    /// Only resources with vulnerability findings (CVEs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vulnerabilities: Option<bool>,
    /// One kind of resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<ResourceKind>,
    /// One cloud.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud: Option<Cloud>,
    /// A subscription, account or project, by name or id as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription: Option<String>,
    /// A recommendation's display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<String>,
    /// A resource's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// A 1-based position in the last list shown (`-1` for the last one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ordinal: Option<i32>,
    /// How many rows a list should show ("top 10", "the 3 worst"), when the prompt says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// Who should own the work, as written ("@dana", "me").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// The due date, resolved against the prompt's time.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "crate::dates::iso_date::option")]
    pub due: Option<Date>,
    /// The due date as written ("by Friday"), kept when it could not be resolved too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_text: Option<String>,
    /// Only work that is past its due date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overdue: Option<bool>,
    /// Only findings nobody owns yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unassigned: Option<bool>,
    /// The question is about security alerts (what threat protection detected), not posture
    /// findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alerts: Option<bool>,
    /// Only what happened at or after this time ("last night", "since Monday").
    #[serde(default, skip_serializing_if = "Option::is_none", with = "time::serde::rfc3339::option")]
    pub since: Option<time::OffsetDateTime>,
    /// Only what happened before this time.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "time::serde::rfc3339::option")]
    pub until: Option<time::OffsetDateTime>,
    /// The script language to answer in (`terraform`, `powershell`, …), for a remediation
    /// card's buttons that show the same fix in another language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
}

impl Slots {
    /// True when the slots narrow a list of findings (as opposed to naming a subject).
    pub fn has_filters(&self) -> bool {
        !self.severity.is_empty()
            || !self.risk_level.is_empty()
            || self.exposure.is_some()
            || self.sensitive_data.is_some()
            || self.vulnerabilities.is_some()
            || self.resource_type.is_some()
            || self.cloud.is_some()
            || self.subscription.is_some()
            || self.overdue.is_some()
            || self.unassigned.is_some()
            || self.since.is_some()
    }

    /// Drops the filters a prompt's words set when they described one item rather than a set
    /// ("the public access one", "the bastion"): severities, risk levels, exposure, sensitive
    /// data, vulnerabilities, resource type and cloud.
    pub fn clear_descriptive_filters(&mut self) {
        self.severity.clear();
        self.risk_level.clear();
        self.exposure = None;
        self.sensitive_data = None;
        self.vulnerabilities = None;
        self.resource_type = None;
        self.cloud = None;
    }

    /// Copies every filter this one leaves empty from `base`: a refinement such as "only the
    /// critical ones" keeps the earlier list's other filters.
    pub fn refine(&self, base: &Slots) -> Slots {
        fn pick<T: Clone>(own: &Option<T>, base: &Option<T>) -> Option<T> {
            own.clone().or_else(|| base.clone())
        }
        Slots {
            severity: if self.severity.is_empty() { base.severity.clone() } else { self.severity.clone() },
            risk_level: if self.risk_level.is_empty() {
                base.risk_level.clone()
            } else {
                self.risk_level.clone()
            },
            exposure: pick(&self.exposure, &base.exposure),
            sensitive_data: pick(&self.sensitive_data, &base.sensitive_data),
            vulnerabilities: pick(&self.vulnerabilities, &base.vulnerabilities),
            resource_type: pick(&self.resource_type, &base.resource_type),
            cloud: pick(&self.cloud, &base.cloud),
            subscription: pick(&self.subscription, &base.subscription),
            overdue: pick(&self.overdue, &base.overdue),
            unassigned: pick(&self.unassigned, &base.unassigned),
            alerts: pick(&self.alerts, &base.alerts),
            since: pick(&self.since, &base.since),
            until: pick(&self.until, &base.until),
            count: pick(&self.count, &base.count),
            ..self.clone()
        }
    }
}

/// The only exposure secbot filters on: reachable from the internet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Exposure {
    /// Reachable from the internet.
    Public,
}

/// Serializes one severity as a string and several as a list, as the labelled prompts do.
mod one_or_many {
    use super::*;

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(Severity),
        Many(Vec<Severity>),
    }

    pub fn serialize<S: Serializer>(levels: &[Severity], serializer: S) -> Result<S::Ok, S::Error> {
        match levels {
            [one] => one.serialize(serializer),
            many => many.serialize(serializer),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Severity>, D::Error> {
        Ok(match OneOrMany::deserialize(deserializer)? {
            OneOrMany::One(level) => vec![level],
            OneOrMany::Many(levels) => levels,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn slots_serialize_as_the_documented_interface() {
        let slots = Slots {
            severity: vec![Severity::Critical],
            exposure: Some(Exposure::Public),
            resource_type: Some(ResourceKind::StorageAccount),
            due: Some(time::macros::date!(2026 - 12 - 04)),
            ..Slots::default()
        };
        let json = serde_json::to_value(&slots).unwrap();
        assert_eq!(
            json,
            json!({"severity": "critical", "exposure": "public", "resource_type": "storage_account", "due": "2026-12-04"})
        );
        assert_eq!(serde_json::from_value::<Slots>(json).unwrap(), slots);
    }

    #[test]
    fn several_severities_serialize_as_a_list() {
        let slots: Slots = serde_json::from_value(json!({"severity": ["medium", "low"]})).unwrap();
        assert_eq!(slots.severity, vec![Severity::Medium, Severity::Low]);
        assert_eq!(serde_json::to_value(&slots).unwrap(), json!({"severity": ["medium", "low"]}));
    }

    #[test]
    fn a_refinement_keeps_the_base_filters_it_does_not_override() {
        let base = Slots {
            severity: vec![Severity::Critical],
            exposure: Some(Exposure::Public),
            ..Slots::default()
        };
        let narrower = Slots { cloud: Some(Cloud::Aws), ..Slots::default() };
        let refined = narrower.refine(&base);
        assert_eq!(refined.severity, vec![Severity::Critical]);
        assert_eq!(refined.exposure, Some(Exposure::Public));
        assert_eq!(refined.cloud, Some(Cloud::Aws));
        let wider = Slots { severity: vec![Severity::Medium, Severity::Low], ..Slots::default() };
        assert_eq!(wider.refine(&base).severity, vec![Severity::Medium, Severity::Low]);
    }

    #[test]
    fn intents_parse_from_their_names() {
        for intent in Intent::ALL {
            assert_eq!(intent.as_str().parse::<Intent>(), Ok(intent));
        }
        assert!("chit_chat".parse::<Intent>().is_err());
    }
}
