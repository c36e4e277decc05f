//! A whole tenant held in memory and served from indexes: the demo tenant and offline snapshots
//! both load into [`TenantData`] and are served by [`IndexedSource`].

mod bits;
mod index;

use std::collections::HashMap;
use std::sync::Arc;

use secbot_chat::{Person, Severity};
use time::OffsetDateTime;

pub use index::IndexedSource;

use crate::posture::{AttackPath, Governance, Recommendation, Resource, Status, Subscription, Vulnerability};

/// The context that raises a finding's risk, as a small set of flags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct RiskFactors(pub u8);

impl RiskFactors {
    /// The resource is reachable from the internet.
    pub const INTERNET_EXPOSURE: RiskFactors = RiskFactors(1);
    /// The resource holds sensitive data.
    pub const SENSITIVE_DATA: RiskFactors = RiskFactors(2);
    /// The resource is a step on an attack path to another resource.
    pub const LATERAL_MOVEMENT: RiskFactors = RiskFactors(4);
    /// The resource has vulnerabilities with a known exploit.
    pub const EXPLOITABLE: RiskFactors = RiskFactors(8);

    const NAMES: [(RiskFactors, &'static str); 4] = [
        (RiskFactors::INTERNET_EXPOSURE, "Internet exposure"),
        (RiskFactors::SENSITIVE_DATA, "Sensitive data"),
        (RiskFactors::LATERAL_MOVEMENT, "Lateral movement"),
        (RiskFactors::EXPLOITABLE, "Exploitable vulnerabilities"),
    ];

    /// True when every flag of `other` is set.
    pub fn contains(self, other: RiskFactors) -> bool {
        self.0 & other.0 == other.0
    }

    /// Sets the flags of `other`.
    pub fn insert(&mut self, other: RiskFactors) {
        self.0 |= other.0;
    }

    /// True when no flag is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// How many flags are set.
    pub fn count(self) -> u32 {
        self.0.count_ones()
    }

    /// The names Defender for Cloud shows for the flags set.
    pub fn names(self) -> Vec<String> {
        RiskFactors::NAMES.iter().filter(|(f, _)| self.contains(*f)).map(|(_, n)| (*n).to_owned()).collect()
    }

    /// Reads risk factor names as Defender for Cloud writes them, matching on the words Microsoft
    /// uses ("internet", "sensitive", "lateral", "exploit"); other factors are not tracked.
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> RiskFactors {
        let mut factors = RiskFactors::default();
        for name in names {
            let name = name.to_ascii_lowercase();
            if name.contains("internet") || name.contains("exposed") {
                factors.insert(RiskFactors::INTERNET_EXPOSURE);
            }
            if name.contains("sensitive") {
                factors.insert(RiskFactors::SENSITIVE_DATA);
            }
            if name.contains("lateral") {
                factors.insert(RiskFactors::LATERAL_MOVEMENT);
            }
            if name.contains("exploit") || name.contains("critical vulnerab") {
                factors.insert(RiskFactors::EXPLOITABLE);
            }
        }
        factors
    }
}

/// One finding in compact form: indexes into the tenant's recommendations and resources.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingRecord {
    /// Index into [`TenantData::recommendations`].
    pub recommendation: u32,
    /// Index into [`TenantData::resources`].
    pub resource: u32,
    /// Pass or fail.
    pub status: Status,
    /// The contextual risk level, when evaluated.
    pub risk: Option<Severity>,
    /// The context that raises the risk.
    pub risk_factors: RiskFactors,
    /// Attack paths the finding is on.
    pub attack_paths: u16,
    /// When it was first evaluated.
    pub first_seen: OffsetDateTime,
    /// When its status last changed.
    pub status_changed: OffsetDateTime,
    /// The owner and due date, if assigned.
    pub governance: Option<Governance>,
}

/// A tenant's whole security posture, before indexing.
#[derive(Debug, Clone, Default)]
pub struct TenantData {
    /// What the data is ("demo tenant", a file name).
    pub name: String,
    /// Subscriptions, accounts and projects.
    pub subscriptions: Vec<Subscription>,
    /// Recommendations referenced by findings.
    pub recommendations: Vec<Arc<Recommendation>>,
    /// Resources referenced by findings.
    pub resources: Vec<Arc<Resource>>,
    /// The findings, each pointing at its recommendation and resource by index.
    pub findings: Vec<FindingRecord>,
    /// Vulnerabilities per resource, indexed like `resources` (may be shorter).
    pub vulnerabilities: Vec<Vec<Arc<Vulnerability>>>,
    /// Attack paths.
    pub attack_paths: Vec<AttackPath>,
    /// Security alerts.
    pub alerts: Vec<crate::posture::Alert>,
    /// People of the tenant's directory (owners, channel members).
    pub people: Vec<Person>,
    /// The secure score as the source reported it (per subscription and per control), when it
    /// did; otherwise it is worked out from the findings.
    pub score: Option<crate::posture::ScoreCard>,
}

/// The secure score worked out from findings the way Defender for Cloud scores controls: a
/// control scores its points times the share of its resources that pass every one of its
/// recommendations; a subscription's score is the sum over the controls it has resources in.
pub(crate) fn score_of(
    subscriptions: &[crate::posture::Subscription],
    recommendations: &[Arc<Recommendation>],
    resources: &[Arc<Resource>],
    findings: &[FindingRecord],
) -> crate::posture::ScoreCard {
    use crate::posture::{CONTROLS, ControlScore, ScoreCard, SecureScore, control_of};
    let sub_index: HashMap<String, usize> =
        subscriptions.iter().enumerate().map(|(i, s)| (s.id.to_ascii_lowercase(), i)).collect();
    let control: Vec<usize> = recommendations.iter().map(|r| control_of(r)).collect();
    // (subscription, control) → resource → passes everything in the control so far.
    let mut members: HashMap<(usize, usize), HashMap<u32, bool>> = HashMap::new();
    let mut unhealthy: HashMap<(usize, u32), u32> = HashMap::new();
    for f in findings {
        let Some(&sub) = sub_index.get(&resources[f.resource as usize].subscription.to_ascii_lowercase())
        else {
            continue;
        };
        if f.status == Status::NotApplicable {
            continue;
        }
        let healthy = f.status == Status::Healthy;
        let passes = members
            .entry((sub, control[f.recommendation as usize]))
            .or_default()
            .entry(f.resource)
            .or_insert(true);
        *passes &= healthy;
        if !healthy {
            *unhealthy.entry((sub, f.recommendation)).or_default() += 1;
        }
    }
    let mut unhealthy: Vec<(String, String, u32)> = unhealthy
        .into_iter()
        .map(|((sub, rec), n)| (subscriptions[sub].id.clone(), recommendations[rec as usize].key.clone(), n))
        .collect();
    unhealthy.sort();
    let mut controls: Vec<ControlScore> = members
        .into_iter()
        .map(|((sub, c), members)| {
            let healthy = members.values().filter(|p| **p).count() as u32;
            let total = members.len() as u32;
            let (name, max) = CONTROLS[c];
            let mut keys: Vec<String> = recommendations
                .iter()
                .zip(&control)
                .filter(|(_, rc)| **rc == c)
                .map(|(r, _)| r.key.clone())
                .collect();
            keys.sort();
            ControlScore {
                subscription: subscriptions[sub].id.clone(),
                name: name.to_owned(),
                current: if total == 0 { 0.0 } else { max * f64::from(healthy) / f64::from(total) },
                max,
                healthy,
                unhealthy: total - healthy,
                recommendations: keys,
            }
        })
        .collect();
    controls.sort_by(|a, b| (&a.subscription, &a.name).cmp(&(&b.subscription, &b.name)));
    let scores = subscriptions
        .iter()
        .filter_map(|s| {
            let mine: Vec<&ControlScore> = controls.iter().filter(|c| c.subscription == s.id).collect();
            (!mine.is_empty()).then(|| SecureScore {
                subscription: s.id.clone(),
                current: mine.iter().map(|c| c.current).sum(),
                max: mine.iter().map(|c| c.max).sum(),
            })
        })
        .collect();
    ScoreCard { scores, controls, unhealthy }
}
