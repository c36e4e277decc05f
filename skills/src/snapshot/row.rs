//! One Resource Graph row read into what it says, without looking at any other row, so rows can
//! be read on every core while the tenant is put together from them in order ([`super::Builder`]).

use std::sync::LazyLock;

use memchr::memmem;
use secbot_chat::{Cloud, Severity};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{
    alert_of_row, assessed_resource, assessment_prefix, get, path, path_steps, plain, severity, signal,
    signalled, split_assessment_id, strings, subassessed_resource, text, text_of, time_of,
};
use crate::catalog::Catalog;
use crate::posture::{Alert, AttackPath, ControlScore, Governance, Plan, SecureScore, Status, Vulnerability};
use crate::tenant::RiskFactors;

/// What one row says, by the row's type.
#[derive(Debug)]
pub(super) enum Row {
    /// An assessment: one finding.
    Assessment(Box<AssessmentRow>),
    /// A sub-assessment: one vulnerability of a resource.
    Subassessment(Box<(ResourceSeed, Vulnerability)>),
    /// A governance assignment: who owns a finding and by when.
    Governance(Box<GovernanceRow>),
    /// An attack path.
    AttackPath(Box<AttackPath>),
    /// A security alert.
    Alert(Box<Alert>),
    /// A subscription's secure score.
    Score(SecureScore),
    /// One control of a subscription's secure score.
    Control(ControlScore),
    /// A subscription's name and cloud.
    Subscription {
        /// Its id.
        id: String,
        /// Its display name.
        name: Option<String>,
        /// Its cloud.
        cloud: Option<Cloud>,
    },
    /// A Defender plan that is on for a subscription.
    Pricing {
        /// The subscription's id.
        subscription: String,
        /// The plan.
        plan: Plan,
    },
    /// A resource row: the resource's name, region and tags.
    Resource(Box<ResourceRow>),
    /// A row of a type secbot does not read.
    Other,
}

/// Where a row says a resource is, with what it says about it: enough to add the resource the
/// first time a row names it. Held in one string, as most rows name a resource already known.
#[derive(Debug)]
pub(super) struct ResourceSeed {
    /// The id, then the other fields, back to back.
    text: String,
    /// Where the id, source, type, name, subscription, resource group and location end in
    /// `text`; a field the row does not give is empty.
    ends: [u32; 7],
}

impl ResourceSeed {
    /// A resource's id, then its source (cloud), type, name, subscription, resource group and
    /// location where the row gives them.
    pub(super) fn new(id: &str, fields: [Option<&str>; 6]) -> ResourceSeed {
        let mut text =
            String::with_capacity(id.len() + fields.iter().flatten().map(|f| f.len()).sum::<usize>());
        let mut ends = [0u32; 7];
        text.push_str(id);
        ends[0] = text.len() as u32;
        for (i, field) in fields.into_iter().enumerate() {
            text.push_str(field.unwrap_or_default());
            ends[i + 1] = text.len() as u32;
        }
        ResourceSeed { text, ends }
    }

    fn of(id: &str, row: &Value) -> ResourceSeed {
        let details = path(row, &["properties", "resourceDetails"]);
        let detail = |key: &str| details.and_then(|d| text(d, &[key]));
        let (source, kind, name) = (detail("Source"), detail("ResourceType"), detail("ResourceName"));
        let (subscription, group, location) =
            (text(row, &["subscriptionId"]), text(row, &["resourceGroup"]), text(row, &["location"]));
        ResourceSeed::new(id, [&source, &kind, &name, &subscription, &group, &location].map(|f| f.as_deref()))
    }

    fn field(&self, i: usize) -> Option<&str> {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        Some(&self.text[start..self.ends[i] as usize]).filter(|f| !f.is_empty())
    }

    /// The resource's id.
    pub(super) fn id(&self) -> &str {
        &self.text[..self.ends[0] as usize]
    }

    /// Its cloud, as Defender spells it (`Azure`, `Aws`, `Gcp`).
    pub(super) fn source(&self) -> Option<&str> {
        self.field(1)
    }

    /// Its resource type.
    pub(super) fn resource_type(&self) -> Option<&str> {
        self.field(2)
    }

    /// Its display name.
    pub(super) fn name(&self) -> Option<&str> {
        self.field(3)
    }

    /// Its subscription's id.
    pub(super) fn subscription(&self) -> Option<&str> {
        self.field(4)
    }

    /// Its resource group.
    pub(super) fn resource_group(&self) -> Option<&str> {
        self.field(5)
    }

    /// Its region.
    pub(super) fn location(&self) -> Option<&str> {
        self.field(6)
    }
}

/// How a row describes a recommendation the embedded catalog does not know.
#[derive(Debug)]
pub(super) struct Described {
    pub(super) metadata: Option<Value>,
    pub(super) name: Option<String>,
    pub(super) resource_type: String,
}

/// An assessment row.
#[derive(Debug)]
pub(super) struct AssessmentRow {
    pub(super) key: String,
    pub(super) resource: ResourceSeed,
    /// Set when the catalog lacks the recommendation.
    pub(super) described: Option<Described>,
    pub(super) status: Status,
    pub(super) risk: Option<Severity>,
    pub(super) factors: RiskFactors,
    /// The resource is internet-exposed, by the risk factors or a signal column.
    pub(super) exposed: bool,
    /// The resource holds sensitive data, by the risk factors or a signal column.
    pub(super) sensitive: bool,
    pub(super) attack_paths: u16,
    pub(super) first_seen: OffsetDateTime,
    pub(super) status_changed: OffsetDateTime,
}

/// A governance assignment row.
#[derive(Debug)]
pub(super) struct GovernanceRow {
    pub(super) key: String,
    pub(super) resource: String,
    pub(super) governance: Governance,
}

/// A resource row.
#[derive(Debug)]
pub(super) struct ResourceRow {
    pub(super) seed: ResourceSeed,
    /// The row's `name`, which names the resource better than its id.
    pub(super) name: Option<String>,
    pub(super) tags: Option<Vec<(String, String)>>,
}

impl Row {
    /// Reads a row; `None` for JSON that is not a row (it has no `type`).
    pub(super) fn of(row: &Value) -> Option<Row> {
        get(row, "type")?;
        Some(match text_of(row, "type").as_str() {
            "microsoft.security/assessments" => {
                assessment(row).map_or(Row::Other, |a| Row::Assessment(Box::new(a)))
            }
            "microsoft.security/assessments/subassessments" => {
                subassessment(row).map_or(Row::Other, |s| Row::Subassessment(Box::new(s)))
            }
            "microsoft.security/assessments/governanceassignments" => {
                governance(row).map_or(Row::Other, |g| Row::Governance(Box::new(g)))
            }
            "microsoft.security/attackpaths" => Row::AttackPath(Box::new(attack_path(row))),
            "microsoft.security/locations/alerts" => {
                alert_of_row(row).map_or(Row::Other, |a| Row::Alert(Box::new(a)))
            }
            "microsoft.security/securescores" => Row::Score(secure_score(row)),
            "microsoft.security/securescores/securescorecontrols" => Row::Control(score_control(row)),
            "microsoft.resources/subscriptions" => match text(row, &["subscriptionId"]) {
                Some(id) => Row::Subscription {
                    id,
                    name: text(row, &["properties", "displayName"]).or_else(|| text(row, &["name"])),
                    cloud: text(row, &["properties", "cloud"]).and_then(|c| c.parse().ok()),
                },
                None => Row::Other,
            },
            "microsoft.security/pricings" => {
                let tier = text(row, &["properties", "pricingTier"]).unwrap_or_default();
                match (
                    text(row, &["subscriptionId"]),
                    text(row, &["name"]).and_then(|n| Plan::from_pricing_name(&n)),
                    tier.eq_ignore_ascii_case("standard"),
                ) {
                    (Some(subscription), Some(plan), true) => Row::Pricing { subscription, plan },
                    _ => Row::Other,
                }
            }
            t if !t.starts_with("microsoft.security/") && !t.is_empty() => match text(row, &["id"]) {
                Some(id) => Row::Resource(Box::new(ResourceRow {
                    seed: ResourceSeed::of(&id, row),
                    name: text(row, &["name"]),
                    tags: match get(row, "tags") {
                        Some(Value::Object(tags)) => Some(
                            tags.iter()
                                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                                .collect(),
                        ),
                        _ => None,
                    },
                })),
                None => Row::Other,
            },
            _ => Row::Other,
        })
    }
}

fn assessment(row: &Value) -> Option<AssessmentRow> {
    let key = text(row, &["name"])?;
    let resource = ResourceSeed::of(&assessed_resource(row)?, row);
    let described = Catalog::embedded().get(&key).is_none().then(|| Described {
        metadata: path(row, &["properties", "metadata"]).filter(|m| m.is_object()).cloned(),
        name: text(row, &["properties", "displayName"]),
        resource_type: text(row, &["properties", "resourceDetails", "ResourceType"]).unwrap_or_default(),
    });
    let status = match text(row, &["properties", "status", "code"]).as_deref() {
        Some("Healthy") => Status::Healthy,
        Some("Unhealthy") => Status::Unhealthy,
        _ => Status::NotApplicable,
    };
    let factors_text = strings(path(row, &["properties", "risk", "riskFactors"]));
    let factors = RiskFactors::parse(factors_text.iter().map(String::as_str));
    let first_seen =
        time_of(row, &["properties", "status", "firstEvaluationDate"]).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    Some(AssessmentRow {
        exposed: factors.contains(RiskFactors::INTERNET_EXPOSURE)
            || signalled(row, "resourceExposureSignals"),
        sensitive: factors.contains(RiskFactors::SENSITIVE_DATA)
            || signalled(row, "resourceSensitiveSignals"),
        key,
        resource,
        described,
        status,
        risk: severity(text(row, &["properties", "risk", "level"])),
        factors,
        attack_paths: strings(path(row, &["properties", "risk", "attackPathsReferences"])).len() as u16,
        first_seen,
        status_changed: time_of(row, &["properties", "status", "statusChangeDate"]).unwrap_or(first_seen),
    })
}

fn subassessment(row: &Value) -> Option<(ResourceSeed, Vulnerability)> {
    let resource = ResourceSeed::of(&subassessed_resource(row)?, row);
    let props = get(row, "properties").unwrap_or(&Value::Null);
    let data = get(props, "additionalData").unwrap_or(&Value::Null);
    let details = get(data, "vulnerabilityDetails").unwrap_or(&Value::Null);
    let cve = text(details, &["cveId"])
        .or_else(|| {
            get(data, "cve")
                .and_then(|c| c.as_array())
                .and_then(|a| a.first())
                .and_then(|c| text(c, &["title"]))
        })
        .or_else(|| text(props, &["id"]))
        .unwrap_or_default();
    let cvss = [
        path(details, &["cvss", "3.0", "base"]),
        path(data, &["cvss", "3.0", "base"]),
        get(data, "cvssV30Score"),
    ]
    .into_iter()
    .flatten()
    .find_map(Value::as_f64)
    .unwrap_or(0.0) as f32;
    let level = severity(text(props, &["status", "severity"]))
        .or_else(|| severity(text(details, &["severity"])))
        .unwrap_or_else(|| Severity::from_cvss(cvss));
    let software = get(data, "softwareDetails").unwrap_or(&Value::Null);
    let exploit = path(details, &["exploitabilityAssessment"])
        .map(|e| {
            ["exploitStepsPublished", "exploitStepsVerified", "isInExploitKit"]
                .iter()
                .any(|k| get(e, k).and_then(Value::as_bool).unwrap_or(false))
        })
        .unwrap_or(false);
    let vulnerability = Vulnerability {
        title: text(props, &["displayName"]).map(|t| plain(&t)).unwrap_or_else(|| cve.clone()),
        cve,
        cvss,
        severity: level,
        package: text(software, &["packageName"]).unwrap_or_else(|| "unknown package".to_owned()),
        installed_version: text(software, &["version"]),
        fixed_version: text(software, &["fixedVersion"]),
        exploit_known: exploit,
    };
    Some((resource, vulnerability))
}

fn governance(row: &Value) -> Option<GovernanceRow> {
    let assigned = text(row, &["properties", "assignedResourceId"]).or_else(|| {
        text(row, &["id"]).map(|id| id.split("/governanceAssignments/").next().unwrap_or(&id).to_owned())
    })?;
    let (key, resource) = split_assessment_id(&assigned)?;
    let due = time_of(row, &["properties", "remediationDueDate"])?.date();
    Some(GovernanceRow {
        key,
        resource,
        governance: Governance {
            owner: text(row, &["properties", "owner"]).unwrap_or_else(|| "unspecified".to_owned()),
            due,
            grace_period: path(row, &["properties", "isGracePeriod"])
                .and_then(Value::as_bool)
                .unwrap_or(false),
        },
    })
}

fn attack_path(row: &Value) -> AttackPath {
    let props = get(row, "properties").unwrap_or(&Value::Null);
    let mut findings = Vec::new();
    if let Some(Value::Object(map)) = get(props, "assessments") {
        for ids in map.values() {
            for id in strings(Some(ids)) {
                findings.extend(split_assessment_id(&id));
            }
        }
    }
    let risk = severity(text(props, &["potentialImpact"]).or_else(|| text(props, &["riskLevel"])))
        .unwrap_or(Severity::High);
    let mut risk_factors = strings(get(props, "riskCategories"));
    risk_factors.extend(strings(get(props, "riskFactors")));
    AttackPath {
        id: text(row, &["name"]).or_else(|| text(props, &["AttackPathID"])).unwrap_or_default(),
        name: text(props, &["displayName"]).unwrap_or_else(|| "Attack path".to_owned()),
        description: text(props, &["description"]).map(|d| plain(&d)).unwrap_or_default(),
        subscription: text(row, &["subscriptionId"]).unwrap_or_default(),
        risk,
        risk_factors,
        steps: path_steps(props),
        findings,
        break_steps: strings(get(props, "manualRemediationSteps")),
    }
}

/// Points scored and available in a secure score row (`properties.score.current`, `.max`).
fn points(row: &Value) -> (f64, f64) {
    let of = |key: &str| path(row, &["properties", "score", key]).and_then(Value::as_f64).unwrap_or(0.0);
    (of("current"), of("max"))
}

/// A subscription's secure score (`microsoft.security/securescores`, the `ascScore` row).
fn secure_score(row: &Value) -> SecureScore {
    let (current, max) = points(row);
    SecureScore { subscription: text(row, &["subscriptionId"]).unwrap_or_default(), current, max }
}

/// One control of a subscription's secure score
/// (`microsoft.security/securescores/securescorecontrols`), with the recommendations its
/// definition lists.
fn score_control(row: &Value) -> ControlScore {
    let (current, max) = points(row);
    let count = |key: &str| path(row, &["properties", key]).and_then(Value::as_u64).unwrap_or(0) as u32;
    let recommendations = path(row, &["properties", "definition", "properties", "assessmentDefinitions"])
        .and_then(Value::as_array)
        .map(|defs| {
            defs.iter()
                .filter_map(|d| text(d, &["id"]))
                .map(|id| id.rsplit('/').next().unwrap_or(&id).to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    ControlScore {
        subscription: text(row, &["subscriptionId"]).unwrap_or_default(),
        name: text(row, &["properties", "displayName"]).unwrap_or_else(|| text_of(row, "name")),
        current,
        max,
        healthy: count("healthyResourceCount"),
        unhealthy: count("unhealthyResourceCount"),
        recommendations,
    }
}

/// The quick way through the rows that make up most of a snapshot (assessments, governance
/// assignments and resources): their text read straight into the fields secbot uses, borrowing
/// strings, without building a JSON tree first. `None` sends the row the general way
/// ([`Row::of`]): rows of other types, recommendations the catalog lacks (their metadata is read
/// whole), strings with escapes, and anything shaped other than Resource Graph writes it. When
/// it reads a row, it reads it as [`Row::of`] does (tested on every row of the demo tenant).
pub(super) fn quick(text: &[u8]) -> Option<Row> {
    static ASSESSMENT: LazyLock<memmem::Finder<'static>> =
        LazyLock::new(|| memmem::Finder::new(b"\"microsoft.security/assessments\""));
    static GOVERNANCE: LazyLock<memmem::Finder<'static>> =
        LazyLock::new(|| memmem::Finder::new(b"\"microsoft.security/assessments/governanceassignments\""));
    static SECURITY: LazyLock<memmem::Finder<'static>> =
        LazyLock::new(|| memmem::Finder::new(b"microsoft.security/"));
    // A cheap look at the text first, so rows of other types are not parsed twice.
    if ASSESSMENT.find(text).is_none() && GOVERNANCE.find(text).is_none() && SECURITY.find(text).is_some() {
        return None;
    }
    let row: wire::Row<'_> = serde_json::from_slice(text).ok()?;
    let kind = row.kind.to_ascii_lowercase();
    match kind.as_str() {
        "microsoft.security/assessments" => quick_assessment(row),
        "microsoft.security/assessments/governanceassignments" => quick_governance(row),
        "" | "microsoft.resources/subscriptions" => None,
        other if other.starts_with("microsoft.security/") => None,
        _ => quick_resource(row),
    }
}

/// A non-empty string, owned.
fn given(s: Option<&str>) -> Option<String> {
    s.filter(|s| !s.is_empty()).map(str::to_owned)
}

/// A time written in RFC 3339, when there is one.
fn quick_time(s: Option<&str>) -> Option<OffsetDateTime> {
    s.filter(|s| !s.is_empty()).and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok())
}

fn quick_assessment(row: wire::Row<'_>) -> Option<Row> {
    let key = given(row.name)?;
    Catalog::embedded().get(&key)?;
    let props = row.properties?;
    let details = props.details.unwrap_or_default();
    let resource_id = given(details.id)
        .or_else(|| given(details.azure_id))
        .or_else(|| given(row.id).as_deref().and_then(assessment_prefix))?;
    let status = props.status.unwrap_or_default();
    let risk = props.risk.unwrap_or_default();
    let factors = RiskFactors::parse(risk.factors.iter().copied());
    let first_seen = quick_time(status.first).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    Some(Row::Assessment(Box::new(AssessmentRow {
        key,
        resource: ResourceSeed::new(
            &resource_id,
            [details.source, details.kind, details.name, row.subscription, row.resource_group, row.location],
        ),
        described: None,
        status: match status.code {
            Some("Healthy") => Status::Healthy,
            Some("Unhealthy") => Status::Unhealthy,
            _ => Status::NotApplicable,
        },
        risk: severity(given(risk.level)),
        exposed: factors.contains(RiskFactors::INTERNET_EXPOSURE) || signal(row.exposure.as_ref()),
        sensitive: factors.contains(RiskFactors::SENSITIVE_DATA) || signal(row.sensitive.as_ref()),
        factors,
        attack_paths: risk.paths.len() as u16,
        first_seen,
        status_changed: quick_time(status.changed).unwrap_or(first_seen),
    })))
}

fn quick_governance(row: wire::Row<'_>) -> Option<Row> {
    let props = row.properties.unwrap_or_default();
    let assigned = given(props.assigned).or_else(|| {
        given(row.id).map(|id| id.split("/governanceAssignments/").next().unwrap_or(&id).to_owned())
    })?;
    let (key, resource) = split_assessment_id(&assigned)?;
    let due = quick_time(props.due)?.date();
    Some(Row::Governance(Box::new(GovernanceRow {
        key,
        resource,
        governance: Governance {
            owner: given(props.owner).unwrap_or_else(|| "unspecified".to_owned()),
            due,
            grace_period: props.grace_period.unwrap_or(false),
        },
    })))
}

fn quick_resource(row: wire::Row<'_>) -> Option<Row> {
    let id = given(row.id)?;
    // Details under a resource's properties are spelt one way only there; the general way
    // reads them.
    if row.properties.as_ref().is_some_and(|p| p.details.is_some()) {
        return None;
    }
    Some(Row::Resource(Box::new(ResourceRow {
        seed: ResourceSeed::new(&id, [None, None, None, row.subscription, row.resource_group, row.location]),
        name: given(row.name),
        tags: row.tags.map(|tags| tags.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect()),
    })))
}

/// The rows [`quick`] reads, as Resource Graph spells them.
mod wire {
    use std::collections::BTreeMap;

    use serde::Deserialize;
    use serde_json::Value;

    #[derive(Deserialize)]
    pub(super) struct Row<'a> {
        #[serde(rename = "type")]
        pub(super) kind: &'a str,
        #[serde(default)]
        pub(super) id: Option<&'a str>,
        #[serde(default)]
        pub(super) name: Option<&'a str>,
        #[serde(rename = "subscriptionId", default)]
        pub(super) subscription: Option<&'a str>,
        #[serde(rename = "resourceGroup", default)]
        pub(super) resource_group: Option<&'a str>,
        #[serde(default)]
        pub(super) location: Option<&'a str>,
        #[serde(borrow, default)]
        pub(super) properties: Option<Properties<'a>>,
        #[serde(rename = "resourceExposureSignals", default)]
        pub(super) exposure: Option<Value>,
        #[serde(rename = "resourceSensitiveSignals", default)]
        pub(super) sensitive: Option<Value>,
        /// A resource's tags, in key order as a JSON object reads them.
        #[serde(borrow, default)]
        pub(super) tags: Option<BTreeMap<&'a str, &'a str>>,
    }

    #[derive(Deserialize, Default)]
    pub(super) struct Properties<'a> {
        #[serde(rename = "resourceDetails", borrow, default)]
        pub(super) details: Option<Details<'a>>,
        #[serde(borrow, default)]
        pub(super) status: Option<Status<'a>>,
        #[serde(borrow, default)]
        pub(super) risk: Option<Risk<'a>>,
        #[serde(rename = "assignedResourceId", default)]
        pub(super) assigned: Option<&'a str>,
        #[serde(default)]
        pub(super) owner: Option<&'a str>,
        #[serde(rename = "remediationDueDate", default)]
        pub(super) due: Option<&'a str>,
        #[serde(rename = "isGracePeriod", default)]
        pub(super) grace_period: Option<bool>,
    }

    #[derive(Deserialize, Default)]
    pub(super) struct Details<'a> {
        #[serde(rename = "Source", alias = "source", default)]
        pub(super) source: Option<&'a str>,
        #[serde(rename = "Id", alias = "id", default)]
        pub(super) id: Option<&'a str>,
        #[serde(rename = "AzureResourceId", alias = "azureResourceId", default)]
        pub(super) azure_id: Option<&'a str>,
        #[serde(rename = "ResourceName", alias = "resourceName", default)]
        pub(super) name: Option<&'a str>,
        #[serde(rename = "ResourceType", alias = "resourceType", default)]
        pub(super) kind: Option<&'a str>,
    }

    #[derive(Deserialize, Default)]
    pub(super) struct Status<'a> {
        #[serde(default)]
        pub(super) code: Option<&'a str>,
        #[serde(rename = "firstEvaluationDate", default)]
        pub(super) first: Option<&'a str>,
        #[serde(rename = "statusChangeDate", default)]
        pub(super) changed: Option<&'a str>,
    }

    #[derive(Deserialize, Default)]
    pub(super) struct Risk<'a> {
        #[serde(default)]
        pub(super) level: Option<&'a str>,
        #[serde(rename = "riskFactors", borrow, default)]
        pub(super) factors: Vec<&'a str>,
        #[serde(rename = "attackPathsReferences", borrow, default)]
        pub(super) paths: Vec<&'a str>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{self, DemoOptions};

    /// Every row of a text, as (its text, what the general way reads).
    fn rows_of(text: &[u8]) -> Vec<(Vec<u8>, Option<Row>)> {
        let doc: Value = serde_json::from_slice(text).unwrap();
        doc["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| (serde_json::to_vec(row).unwrap(), Row::of(row)))
            .collect()
    }

    #[test]
    fn the_quick_way_reads_rows_as_the_general_way_does() {
        let tenant = demo::tenant(&DemoOptions::for_day(time::macros::date!(2026 - 11 - 25)));
        let mut text = Vec::new();
        super::super::write(&tenant, &mut text).unwrap();
        let mut read_quick = [0; 3];
        for (bytes, general) in rows_of(&text) {
            let kind = match &general {
                Some(Row::Assessment(_)) => Some(0),
                Some(Row::Governance(_)) => Some(1),
                Some(Row::Resource(_)) => Some(2),
                _ => None,
            };
            match quick(&bytes) {
                Some(row) => assert_eq!(
                    format!("{:?}", Some(row)),
                    format!("{general:?}"),
                    "{}",
                    String::from_utf8_lossy(&bytes)
                ),
                None => assert!(kind.is_none(), "{} goes the quick way", String::from_utf8_lossy(&bytes)),
            }
            if let Some(kind) = kind {
                read_quick[kind] += 1;
            }
        }
        let owned = tenant.findings.iter().filter(|f| f.governance.is_some()).count();
        assert_eq!(read_quick[0], tenant.findings.len(), "every finding is an assessment row");
        assert_eq!(read_quick[1], owned, "every owned finding has a governance row");
        assert!(read_quick[2] > 0, "resource rows are read");
    }

    #[test]
    fn rows_the_quick_way_cannot_read_alike_go_the_general_way() {
        let key = "1195afff-c881-495e-9bc5-1486211ae03f";
        let vm = "/subscriptions/s1/resourcegroups/rg/providers/microsoft.compute/virtualmachines/vm1";
        let row = |props: Value| {
            serde_json::to_vec(&serde_json::json!({
                "id": format!("{vm}/providers/Microsoft.Security/assessments/{key}"),
                "name": key,
                "type": "microsoft.security/assessments",
                "properties": props,
                "resourceExposureSignals": "2",
            }))
            .unwrap()
        };
        let plain = row(
            serde_json::json!({"status": {"code": "Unhealthy"}, "risk": {"riskFactors": ["Sensitive data"]}}),
        );
        let Some(Row::Assessment(a)) = quick(&plain) else { panic!("a plain row goes the quick way") };
        assert_eq!(a.resource.id(), vm, "the resource comes from the id when the row has no details");
        assert!(a.exposed && a.sensitive, "signal columns count as written by Resource Graph");
        for odd in [
            serde_json::json!({"risk": {"riskFactors": "Internet exposure"}}),
            serde_json::json!({"displayName": "x", "resourceDetails": {"Id": "a\"b"}}),
            serde_json::json!("not an object"),
        ] {
            let bytes = row(odd.clone());
            assert!(quick(&bytes).is_none(), "{odd} goes the general way");
        }
        let vm_row = |tags: Value, props: Value| {
            serde_json::to_vec(&serde_json::json!({
                "id": vm, "name": "vm1", "type": "Microsoft.Compute/virtualMachines", "tags": tags, "properties": props,
            }))
            .unwrap()
        };
        let Some(Row::Resource(r)) = quick(&vm_row(serde_json::json!({"b": "2", "a": "1"}), Value::Null))
        else {
            panic!("a plain resource row goes the quick way")
        };
        assert_eq!(
            r.tags,
            Some(vec![("a".into(), "1".into()), ("b".into(), "2".into())]),
            "tags in key order"
        );
        for (tags, props) in [
            (serde_json::json!({"cost": 3}), Value::Null),
            (Value::Null, serde_json::json!({"resourceDetails": {"Source": "Azure"}})),
            (Value::Null, serde_json::json!({"status": "Running"})),
        ] {
            assert!(
                quick(&vm_row(tags.clone(), props.clone())).is_none(),
                "{tags} {props} go the general way"
            );
        }
        let unknown = String::from_utf8(plain).unwrap().replace(key, "00000000-0000-0000-0000-000000000000");
        assert!(quick(unknown.as_bytes()).is_none(), "a recommendation the catalog lacks is read whole");
    }
}
