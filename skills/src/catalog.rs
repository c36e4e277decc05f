//! The embedded reference data: recommendation metadata with secbot's own explanations and
//! remediation scripts, a table of well-known CVEs, and attack path templates.
//!
//! Names, keys, severities and categories are Defender for Cloud facts (see NOTICE.md); every
//! description, explanation and remediation step is secbot's own text.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use secbot_chat::{Cloud, ResourceKind, Severity};
use serde::Deserialize;

use crate::posture::{Effort, Plan, Recommendation, Remediation, Signal};

const RECOMMENDATIONS: &str = include_str!("../data/recommendations.json");
const CVES: &str = include_str!("../data/cves.json");
const ATTACK_PATHS: &str = include_str!("../data/attack_paths.json");

/// A well-known CVE the demo tenant places on machines and images.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CveEntry {
    /// The CVE id.
    pub cve: String,
    /// A short title.
    pub title: String,
    /// The CVSS v3 base score.
    pub cvss: f32,
    /// The severity.
    pub severity: Severity,
    /// The affected package.
    pub package: String,
    /// The package ecosystem (`maven`, `debian`, `windows`, ...).
    pub ecosystem: String,
    /// The affected version range.
    pub affected: String,
    /// The first fixed version.
    pub fixed_version: Option<String>,
    /// A public exploit is known.
    pub exploit_known: bool,
    /// The kinds of resource it shows up on.
    pub targets: Vec<ResourceKind>,
}

/// A kind of attack path Defender for Cloud detects, and how to break it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AttackTemplate {
    /// The template's display name.
    pub name: String,
    /// The cloud (`Azure`, `AWS`, `GitHub`).
    pub cloud: String,
    /// What the path is.
    pub description: String,
    /// The kind of the entry point.
    pub entry_kind: ResourceKind,
    /// The kind of the target.
    pub target_kind: ResourceKind,
    /// The conditions that make the path ("internet_exposure", "high_vulnerabilities", ...).
    pub requires: Vec<String>,
    /// How to break it.
    pub break_steps: Vec<String>,
}

#[derive(Deserialize)]
struct Record {
    key: Option<String>,
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    severity: Severity,
    category: String,
    #[serde(default)]
    threats: Vec<String>,
    user_impact: Option<Effort>,
    implementation_effort: Option<Effort>,
    kind: ResourceKind,
    #[serde(default)]
    arm_types: Vec<String>,
    cloud: String,
    plan: Plan,
    #[serde(default)]
    signals: Vec<Signal>,
    description: Option<String>,
    why: Option<String>,
    fix_effect: Option<String>,
    remediation: Option<Remediation>,
}

/// The embedded catalog.
#[derive(Debug)]
pub struct Catalog {
    recommendations: Vec<Arc<Recommendation>>,
    by_key: HashMap<String, usize>,
    cves: Vec<CveEntry>,
    attack_templates: Vec<AttackTemplate>,
}

impl Catalog {
    /// The catalog compiled into the binary, parsed once.
    pub fn embedded() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            Catalog::parse(RECOMMENDATIONS, CVES, ATTACK_PATHS).expect("the embedded catalog is valid JSON")
        })
    }

    fn parse(recommendations: &str, cves: &str, attack_paths: &str) -> Result<Catalog, serde_json::Error> {
        let records: Vec<Record> = serde_json::from_str(recommendations)?;
        let recommendations: Vec<Arc<Recommendation>> = records
            .into_iter()
            .map(|r| {
                let cloud = match r.cloud.as_str() {
                    "AWS" => Cloud::Aws,
                    "GCP" => Cloud::Gcp,
                    _ => Cloud::Azure,
                };
                let key = r.key.unwrap_or_else(|| derived_key(&r.name));
                let name = r.name.replace('\u{FFFD}', "'");
                Arc::new(Recommendation {
                    key,
                    name,
                    aliases: r.aliases,
                    severity: r.severity,
                    category: r.category,
                    threats: r.threats,
                    user_impact: r.user_impact,
                    implementation_effort: r.implementation_effort,
                    kind: r.kind,
                    arm_types: r.arm_types,
                    cloud,
                    plan: r.plan,
                    signals: r.signals,
                    description: r.description,
                    why: r.why,
                    fix_effect: r.fix_effect,
                    remediation: r.remediation,
                })
            })
            .collect();
        let by_key =
            recommendations.iter().enumerate().map(|(i, r)| (r.key.to_ascii_lowercase(), i)).collect();
        Ok(Catalog {
            recommendations,
            by_key,
            cves: serde_json::from_str(cves)?,
            attack_templates: serde_json::from_str(attack_paths)?,
        })
    }

    /// Every recommendation.
    pub fn recommendations(&self) -> &[Arc<Recommendation>] {
        &self.recommendations
    }

    /// A recommendation by its key (case-insensitive).
    pub fn get(&self, key: &str) -> Option<&Arc<Recommendation>> {
        self.by_key.get(&key.to_ascii_lowercase()).map(|&i| &self.recommendations[i])
    }

    /// The CVE table.
    pub fn cves(&self) -> &[CveEntry] {
        &self.cves
    }

    /// The attack path templates.
    pub fn attack_templates(&self) -> &[AttackTemplate] {
        &self.attack_templates
    }
}

/// A stable key for a recommendation whose assessment key is not published: `x-` and a hash of
/// its name, so it can never collide with a real (GUID) key.
fn derived_key(name: &str) -> String {
    let hash =
        name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("x-{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_catalog_parses_and_keys_are_unique() {
        let catalog = Catalog::embedded();
        assert!(catalog.recommendations().len() >= 200);
        assert_eq!(catalog.by_key.len(), catalog.recommendations().len(), "duplicate keys");
        assert!(catalog.cves().len() >= 30);
        assert!(catalog.attack_templates().len() >= 20);
    }

    #[test]
    fn authored_recommendations_have_steps_and_scripts_with_known_variables() {
        let authored: Vec<_> =
            Catalog::embedded().recommendations().iter().filter(|r| r.remediation.is_some()).collect();
        assert_eq!(
            authored.len(),
            Catalog::embedded().recommendations().len(),
            "every recommendation is authored"
        );
        for rec in authored {
            let fix = rec.remediation.as_ref().unwrap();
            assert!(fix.steps.len() >= 3, "{} has too few steps", rec.name);
            // A script per language, or the reason the language cannot make the change (a
            // retired platform has steps only).
            assert!(fix.scripts.len() + fix.unavailable.len() >= 2, "{} has too few scripts", rec.name);
            assert!(
                rec.description.is_some() && rec.why.is_some() && rec.fix_effect.is_some(),
                "{} lacks what it checks, why it matters or what the fix changes",
                rec.name
            );
            for script in &fix.scripts {
                let mut rest = script.code.as_str();
                while let Some(start) = rest.find("{{") {
                    let end = rest[start..].find("}}").expect("closed variable") + start;
                    let var = rest[start + 2..end].trim_end_matches('?');
                    assert!(
                        crate::skill::remediate::VARIABLES.contains(&var),
                        "{}: unknown variable {var}",
                        rec.name
                    );
                    rest = &rest[end + 2..];
                }
            }
        }
    }

    #[test]
    fn keys_are_found_case_insensitively_and_derived_keys_cannot_look_real() {
        let catalog = Catalog::embedded();
        let first = &catalog.recommendations()[0];
        assert_eq!(catalog.get(&first.key.to_ascii_uppercase()).map(|r| &r.key), Some(&first.key));
        assert!(derived_key("Storage account public access should be disallowed").starts_with("x-"));
        assert_ne!(derived_key("a"), derived_key("b"));
    }
}
