//! Defender for Cloud's secure score: each subscription's score, the security controls it is
//! made of, and how many points fixing each recommendation can bring back.
//!
//! A control is worth `max` points in a subscription; it scores `max × healthy ÷ (healthy +
//! unhealthy)` resources, so its potential increase is `max − current`. That potential is
//! shared among the control's failing recommendations in proportion to the resources each one
//! fails on: fixing a recommendation everywhere brings back up to its share.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

/// One subscription's secure score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecureScore {
    /// The subscription, account or project id.
    pub subscription: String,
    /// Points scored.
    pub current: f64,
    /// Points available.
    pub max: f64,
}

impl SecureScore {
    /// The score as a percentage of the points available.
    pub fn percent(&self) -> f64 {
        percent(self.current, self.max)
    }
}

/// One security control of the secure score in one subscription.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlScore {
    /// The subscription, account or project id.
    pub subscription: String,
    /// The control's display name ("Enable MFA").
    pub name: String,
    /// Points scored.
    pub current: f64,
    /// Points available.
    pub max: f64,
    /// Resources that pass every recommendation of the control.
    pub healthy: u32,
    /// Resources that fail at least one.
    pub unhealthy: u32,
    /// The recommendation keys the control is made of.
    pub recommendations: Vec<String>,
}

impl ControlScore {
    /// The points fixing the control would bring back.
    pub fn potential(&self) -> f64 {
        (self.max - self.current).max(0.0)
    }
}

/// How many points fixing one recommendation everywhere in scope can bring back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreGain {
    /// The recommendation key.
    pub recommendation: String,
    /// The control it counts towards.
    pub control: String,
    /// Points, summed over the subscriptions in scope.
    pub points: f64,
    /// Resources it fails on in scope.
    pub unhealthy: u32,
}

/// The secure score of the subscriptions a source can see.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScoreCard {
    /// Each subscription's score.
    pub scores: Vec<SecureScore>,
    /// Each subscription's controls.
    pub controls: Vec<ControlScore>,
    /// (subscription, recommendation key, unhealthy resources) for every failing
    /// recommendation: how a control's potential is shared.
    pub unhealthy: Vec<(String, String, u32)>,
}

/// Defender for Cloud's security controls and the points each is worth.
pub const CONTROLS: [(&str, f64); 15] = [
    ("Enable MFA", 10.0),
    ("Secure management ports", 8.0),
    ("Remediate vulnerabilities", 6.0),
    ("Apply system updates", 6.0),
    ("Enable encryption at rest", 4.0),
    ("Encrypt data in transit", 4.0),
    ("Manage access and permissions", 4.0),
    ("Remediate security configurations", 4.0),
    ("Restrict unauthorized network access", 4.0),
    ("Apply adaptive application control", 3.0),
    ("Enable endpoint protection", 2.0),
    ("Protect applications against DDoS attacks", 2.0),
    ("Enable auditing and logging", 1.0),
    ("Enable enhanced security features", 0.0),
    ("Implement security best practices", 0.0),
];

/// The control (an index into [`CONTROLS`]) a recommendation counts towards, read from what
/// it is about and its name; for sources that report findings but no secure score.
pub fn control_of(rec: &super::Recommendation) -> usize {
    use super::Signal;
    let name = rec.name.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| name.contains(w));
    let index = |control: &str| CONTROLS.iter().position(|(n, _)| *n == control).unwrap_or(14);
    if has(&["mfa", "multi-factor", "multifactor"]) {
        index("Enable MFA")
    } else if has(&["management port", "just-in-time", "just in time", "rdp", "ssh"]) {
        index("Secure management ports")
    } else if rec.is_about(Signal::Vulnerabilities) || has(&["vulnerabilit"]) {
        index("Remediate vulnerabilities")
    } else if rec.is_about(Signal::Patching) || has(&["system update", "updates", "patch"]) {
        index("Apply system updates")
    } else if has(&["transit", "tls", "https", "ssl", "secure transfer"]) {
        index("Encrypt data in transit")
    } else if rec.is_about(Signal::Encryption) || has(&["encrypt", "customer-managed key", "cmk"]) {
        index("Enable encryption at rest")
    } else if has(&["ddos"]) {
        index("Protect applications against DDoS attacks")
    } else if has(&["adaptive application"]) {
        index("Apply adaptive application control")
    } else if rec.is_about(Signal::Malware) || has(&["endpoint protection", "antimalware"]) {
        index("Enable endpoint protection")
    } else if rec.is_about(Signal::Logging) || has(&["log", "audit", "diagnostic", "monitor"]) {
        index("Enable auditing and logging")
    } else if has(&["defender for", "microsoft defender"]) {
        index("Enable enhanced security features")
    } else if rec.is_about(Signal::Identity)
        || has(&["permission", "owner", "identit", "account", "role", "access key"])
    {
        index("Manage access and permissions")
    } else if rec.is_about(Signal::Network)
        || rec.is_about(Signal::Exposure)
        || has(&["network", "firewall", "public", "private", "port", "ip "])
    {
        index("Restrict unauthorized network access")
    } else {
        index("Remediate security configurations")
    }
}

fn percent(current: f64, max: f64) -> f64 {
    if max <= 0.0 { 0.0 } else { (current / max * 100.0).clamp(0.0, 100.0) }
}

fn in_scope(scope: &[String], subscription: &str) -> bool {
    scope.is_empty() || scope.iter().any(|s| s.eq_ignore_ascii_case(subscription))
}

impl ScoreCard {
    /// The scores of the subscriptions in scope (every one when `scope` is empty).
    pub fn scores_in(&self, scope: &[String]) -> Vec<&SecureScore> {
        self.scores.iter().filter(|s| in_scope(scope, &s.subscription)).collect()
    }

    /// The combined score in scope: points scored and available, summed.
    pub fn overall(&self, scope: &[String]) -> SecureScore {
        let scores = self.scores_in(scope);
        SecureScore {
            subscription: String::new(),
            current: scores.iter().map(|s| s.current).sum(),
            max: scores.iter().map(|s| s.max).sum(),
        }
    }

    /// Controls in scope, summed across subscriptions by name, with the most points to win
    /// back first.
    pub fn controls_in(&self, scope: &[String]) -> Vec<ControlScore> {
        let mut by_name: BTreeMap<&str, ControlScore> = BTreeMap::new();
        for c in self.controls.iter().filter(|c| in_scope(scope, &c.subscription)) {
            let entry = by_name.entry(&c.name).or_insert_with(|| ControlScore {
                subscription: String::new(),
                name: c.name.clone(),
                current: 0.0,
                max: 0.0,
                healthy: 0,
                unhealthy: 0,
                recommendations: Vec::new(),
            });
            entry.current += c.current;
            entry.max += c.max;
            entry.healthy += c.healthy;
            entry.unhealthy += c.unhealthy;
            for r in &c.recommendations {
                if !entry.recommendations.contains(r) {
                    entry.recommendations.push(r.clone());
                }
            }
        }
        let mut controls: Vec<ControlScore> = by_name.into_values().collect();
        controls.sort_by(|a, b| b.potential().total_cmp(&a.potential()).then_with(|| a.name.cmp(&b.name)));
        controls
    }

    /// Each failing recommendation's share of its control's potential increase, summed over
    /// the subscriptions in scope, biggest first.
    pub fn gains(&self, scope: &[String]) -> Vec<ScoreGain> {
        let mut control_of: HashMap<(&str, &str), &ControlScore> = HashMap::new();
        for c in self.controls.iter().filter(|c| in_scope(scope, &c.subscription)) {
            for r in &c.recommendations {
                control_of.insert((c.subscription.as_str(), r.as_str()), c);
            }
        }
        // Resources failing each control's recommendations, per subscription: the shares'
        // denominators.
        let mut failing: HashMap<(&str, &str), u32> = HashMap::new();
        for (sub, rec, n) in self.unhealthy.iter().filter(|(s, _, _)| in_scope(scope, s)) {
            if let Some(c) = control_of.get(&(sub.as_str(), rec.as_str())) {
                *failing.entry((sub.as_str(), c.name.as_str())).or_default() += n;
            }
        }
        let mut gains: BTreeMap<&str, ScoreGain> = BTreeMap::new();
        for (sub, rec, n) in self.unhealthy.iter().filter(|(s, _, _)| in_scope(scope, s)) {
            let Some(control) = control_of.get(&(sub.as_str(), rec.as_str())) else { continue };
            let total = failing.get(&(sub.as_str(), control.name.as_str())).copied().unwrap_or(0).max(1);
            let points = control.potential() * f64::from(*n) / f64::from(total);
            let entry = gains.entry(rec).or_insert_with(|| ScoreGain {
                recommendation: rec.clone(),
                control: control.name.clone(),
                points: 0.0,
                unhealthy: 0,
            });
            entry.points += points;
            entry.unhealthy += n;
        }
        let mut gains: Vec<ScoreGain> = gains.into_values().filter(|g| g.points > 0.0).collect();
        gains.sort_by(|a, b| {
            b.points.total_cmp(&a.points).then_with(|| a.recommendation.cmp(&b.recommendation))
        });
        gains
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card() -> ScoreCard {
        let control = |sub: &str, name: &str, current: f64, max: f64, recs: &[&str]| ControlScore {
            subscription: sub.into(),
            name: name.into(),
            current,
            max,
            healthy: 0,
            unhealthy: 0,
            recommendations: recs.iter().map(|r| (*r).to_owned()).collect(),
        };
        ScoreCard {
            scores: vec![
                SecureScore { subscription: "a".into(), current: 12.0, max: 20.0 },
                SecureScore { subscription: "b".into(), current: 2.0, max: 20.0 },
            ],
            controls: vec![
                control("a", "Enable MFA", 6.0, 10.0, &["mfa"]),
                control("a", "Secure management ports", 6.0, 10.0, &["jit", "ports"]),
                control("b", "Enable MFA", 0.0, 10.0, &["mfa"]),
            ],
            unhealthy: vec![
                ("a".into(), "mfa".into(), 2),
                ("a".into(), "jit".into(), 3),
                ("a".into(), "ports".into(), 1),
                ("b".into(), "mfa".into(), 5),
            ],
        }
    }

    #[test]
    fn the_overall_score_sums_points_in_scope() {
        let card = card();
        assert!((card.overall(&[]).percent() - 35.0).abs() < 1e-9);
        assert!((card.overall(&["A".into()]).percent() - 60.0).abs() < 1e-9);
    }

    #[test]
    fn a_controls_potential_is_shared_by_its_failing_recommendations() {
        let gains = card().gains(&[]);
        // MFA: 4 points in a and 10 in b, all of it MFA's.
        assert_eq!(gains[0].recommendation, "mfa");
        assert!((gains[0].points - 14.0).abs() < 1e-9);
        // Management ports: 4 points in a, 3 of 4 failing resources are JIT's.
        let jit = gains.iter().find(|g| g.recommendation == "jit").unwrap();
        assert!((jit.points - 3.0).abs() < 1e-9);
        let total: f64 = gains.iter().map(|g| g.points).sum();
        assert!((total - 18.0).abs() < 1e-9, "the shares add up to the controls' potential");
        assert!((card().gains(&["a".into()])[0].points - 4.0).abs() < 1e-9);
    }
}
