//! Offline snapshots: a tenant's security data as Azure Resource Graph rows — the
//! `securityresources` types (assessments, sub-assessments, attack paths, governance
//! assignments, pricings), `resourcecontainers` subscriptions and `resources` rows — read into a
//! [`TenantData`] and written back out. `secbot serve --data FILE` serves such a file, so a real
//! export can be answered offline.
//!
//! Internet exposure and sensitive data are read where Defender for Cloud reports them: the
//! risk factors of assessments and the insights of attack paths (both need Defender CSPM).
//! Assessment rows that secbot queries live also carry `resourceExposureSignals` and
//! `resourceSensitiveSignals`: how many assessments of the same resource list those risk
//! factors, counted by Resource Graph, so a partial set of rows still knows its resources' context.
//!
//! The same row parsing serves snapshots and the live Azure source ([`crate::azure`]), so both
//! answer alike from the same rows.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use secbot_chat::{Cloud, ResourceKind, Severity};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::catalog::Catalog;
use crate::posture::{
    Alert, AlertStatus, AttackPath, ControlScore, Effort, Governance, PathStep, Plan, Recommendation,
    Remediation, Resource, ScoreCard, SecureScore, Status, Subscription, Vulnerability, cloud_of_id,
    kind_of_type,
};
use crate::tenant::{FindingRecord, RiskFactors, TenantData};

/// A snapshot that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The text is not JSON.
    #[error("it is not valid JSON ({0})")]
    Json(#[from] serde_json::Error),
    /// The JSON holds no rows secbot recognises.
    #[error(
        "it holds no Azure Resource Graph rows (expected an array of rows, or an object with a \"data\" array)"
    )]
    NoRows,
}

/// A case-insensitive lookup of a JSON object's key (Defender writes `Id` and `id`).
fn get<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    let map = value.as_object()?;
    map.get(key).or_else(|| map.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v))
}

fn path<'a>(value: &'a Value, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().try_fold(value, |v, k| get(v, k))
}

fn text(value: &Value, keys: &[&str]) -> Option<String> {
    path(value, keys).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned)
}

fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        Some(Value::String(s)) if !s.is_empty() => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn time_of(value: &Value, keys: &[&str]) -> Option<OffsetDateTime> {
    text(value, keys).and_then(|s| OffsetDateTime::parse(&s, &Rfc3339).ok())
}

fn severity(value: Option<String>) -> Option<Severity> {
    value.and_then(|s| s.parse().ok())
}

fn effort(value: Option<String>) -> Option<Effort> {
    match value?.to_ascii_lowercase().as_str() {
        "low" => Some(Effort::Low),
        "moderate" | "medium" => Some(Effort::Moderate),
        "high" => Some(Effort::High),
        _ => None,
    }
}

/// Strips HTML tags and entities from Microsoft's metadata text.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(if c == '\u{FFFD}' { '\'' } else { c }),
            _ => {}
        }
    }
    let decoded = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    if decoded.contains('<') {
        plain(&decoded)
    } else {
        decoded.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// True when a count column that Resource Graph added to a row is above zero.
fn signalled(row: &Value, column: &str) -> bool {
    match get(row, column) {
        Some(Value::Number(n)) => n.as_f64().is_some_and(|n| n > 0.0),
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.trim().parse::<f64>().is_ok_and(|n| n > 0.0),
        _ => false,
    }
}

/// The resource id an assessment row is about.
fn assessed_resource(row: &Value) -> Option<String> {
    let details = path(row, &["properties", "resourceDetails"]);
    details
        .and_then(|d| text(d, &["Id"]).or_else(|| text(d, &["AzureResourceId"])))
        .or_else(|| id_prefix(row))
}

/// The resource id in front of `/providers/Microsoft.Security/assessments/` in a row's id.
fn id_prefix(row: &Value) -> Option<String> {
    let id = text(row, &["id"])?;
    let lower = id.to_ascii_lowercase();
    lower.find("/providers/microsoft.security/assessments/").map(|at| id[..at].to_owned())
}

/// The resource a sub-assessment's finding is on: the parent assessment's resource (the one
/// in its id), since a sub-assessment's own `resourceDetails` may name an image or a package
/// inside it (Defender Vulnerability Management writes `/repositories/.../images/sha256:...`).
fn subassessed_resource(row: &Value) -> Option<String> {
    id_prefix(row).filter(|p| !p.is_empty()).or_else(|| assessed_resource(row))
}

/// (recommendation key, resource id) of an assessment id.
fn split_assessment_id(id: &str) -> Option<(String, String)> {
    let lower = id.to_ascii_lowercase();
    let at = lower.find("/providers/microsoft.security/assessments/")?;
    let key = id[at + "/providers/microsoft.security/assessments/".len()..].split('/').next()?.to_owned();
    Some((key, id[..at].to_owned()))
}

/// Collects the rows of a snapshot: an array, `{"data": [...]}` (a Resource Graph response),
/// `{"rows": [...]}`, or an object whose values are arrays of rows.
fn rows(value: Value) -> Vec<Value> {
    match value {
        Value::Array(rows) => rows.into_iter().filter(|r| get(r, "type").is_some()).collect(),
        Value::Object(map) => {
            let mut out = Vec::new();
            for (_, v) in map {
                if let Value::Array(items) = v {
                    out.extend(items.into_iter().filter(|i| get(i, "type").is_some()));
                }
            }
            out
        }
        _ => Vec::new(),
    }
}

/// A recommendation built from Defender for Cloud's assessment metadata (the `properties` of an
/// `assessmentMetadata` entry or an assessment's `metadata`), for keys the embedded catalog lacks.
pub(crate) fn recommendation_from_metadata(
    key: &str,
    name: Option<String>,
    meta: &Value,
    resource_type: String,
) -> Recommendation {
    let name = name.or_else(|| text(meta, &["displayName"])).unwrap_or_else(|| key.to_owned());
    Recommendation {
        key: key.to_owned(),
        name: plain(&name),
        aliases: Vec::new(),
        severity: severity(text(meta, &["severity"])).unwrap_or(Severity::Medium),
        category: strings(get(meta, "categories")).into_iter().next().unwrap_or_else(|| "Other".to_owned()),
        threats: strings(get(meta, "threats")),
        user_impact: effort(text(meta, &["userImpact"])),
        implementation_effort: effort(text(meta, &["implementationEffort"])),
        kind: kind_of_type(&resource_type),
        arm_types: if resource_type.is_empty() { Vec::new() } else { vec![resource_type] },
        cloud: Cloud::Azure,
        plan: Plan::FoundationalCspm,
        signals: Vec::new(),
        description: text(meta, &["description"]).map(|d| plain(&d)).filter(|d| d.len() > 3),
        why: None,
        fix_effect: None,
        remediation: text(meta, &["remediationDescription"])
            .map(|r| plain(&r))
            .filter(|r| r.len() > 3)
            .map(|r| Remediation { steps: vec![r], scripts: Vec::new() }),
    }
}

#[derive(Default)]
struct Builder<'a> {
    metadata: Option<&'a HashMap<String, Value>>,
    subscriptions: BTreeMap<String, Subscription>,
    recommendations: Vec<Arc<Recommendation>>,
    rec_index: HashMap<String, u32>,
    resources: Vec<Resource>,
    res_index: HashMap<String, u32>,
    findings: Vec<FindingRecord>,
    finding_index: HashMap<(u32, u32), usize>,
    vulnerabilities: HashMap<u32, Vec<Arc<Vulnerability>>>,
    attack_paths: Vec<AttackPath>,
    alerts: Vec<Alert>,
    score: ScoreCard,
}

/// Points scored and available in a secure score row (`properties.score.current`, `.max`).
fn points(row: &Value) -> (f64, f64) {
    let of = |key: &str| path(row, &["properties", "score", key]).and_then(Value::as_f64).unwrap_or(0.0);
    (of("current"), of("max"))
}

impl Builder<'_> {
    /// A subscription's secure score (`microsoft.security/securescores`, the `ascScore` row).
    fn secure_score(&mut self, row: &Value) {
        let subscription = text(row, &["subscriptionId"]).unwrap_or_default();
        let (current, max) = points(row);
        self.score.scores.push(SecureScore { subscription, current, max });
    }

    /// One control of a subscription's secure score
    /// (`microsoft.security/securescores/securescorecontrols`), with the recommendations its
    /// definition lists.
    fn score_control(&mut self, row: &Value) {
        let subscription = text(row, &["subscriptionId"]).unwrap_or_default();
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
        self.score.controls.push(ControlScore {
            subscription,
            name: text(row, &["properties", "displayName"]).unwrap_or_else(|| text_of(row, "name")),
            current,
            max,
            healthy: count("healthyResourceCount"),
            unhealthy: count("unhealthyResourceCount"),
            recommendations,
        });
    }

    fn subscription(&mut self, id: &str, cloud: Cloud) -> &mut Subscription {
        self.subscriptions.entry(id.to_ascii_lowercase()).or_insert_with(|| Subscription {
            id: id.to_owned(),
            name: id.to_owned(),
            cloud,
            plans: Vec::new(),
        })
    }

    fn resource(&mut self, id: &str, row: &Value) -> u32 {
        if let Some(&i) = self.res_index.get(&id.to_ascii_lowercase()) {
            return i;
        }
        let details = path(row, &["properties", "resourceDetails"]).cloned().unwrap_or(Value::Null);
        let cloud = match text(&details, &["Source"]).map(|s| s.to_ascii_lowercase()).as_deref() {
            Some("aws") => Cloud::Aws,
            Some("gcp") => Cloud::Gcp,
            _ => cloud_of_id(id),
        };
        let resource_type = text(&details, &["ResourceType"]).unwrap_or_else(|| type_from_id(id));
        let name = text(&details, &["ResourceName"])
            .unwrap_or_else(|| id.rsplit('/').next().unwrap_or(id).to_owned());
        let subscription = text(row, &["subscriptionId"]).unwrap_or_else(|| subscription_from_id(id));
        let resource_group = text(row, &["resourceGroup"]).or_else(|| group_from_id(id));
        let index = self.resources.len() as u32;
        self.resources.push(Resource {
            id: id.to_owned(),
            name,
            kind: kind_of_type(&resource_type),
            resource_type,
            subscription: subscription.clone(),
            resource_group,
            region: text(row, &["location"]).unwrap_or_default(),
            cloud,
            tags: Vec::new(),
            internet_exposed: false,
            sensitive_data: None,
        });
        self.res_index.insert(id.to_ascii_lowercase(), index);
        if !subscription.is_empty() {
            self.subscription(&subscription, cloud);
        }
        index
    }

    fn recommendation(&mut self, key: &str, row: &Value) -> u32 {
        if let Some(&i) = self.rec_index.get(&key.to_ascii_lowercase()) {
            return i;
        }
        let rec = match Catalog::embedded().get(key) {
            Some(known) => known.clone(),
            None => {
                let listed = self.metadata.and_then(|m| m.get(&key.to_ascii_lowercase()));
                let meta = path(row, &["properties", "metadata"])
                    .filter(|m| m.is_object())
                    .or(listed)
                    .cloned()
                    .unwrap_or(Value::Null);
                let name = text(row, &["properties", "displayName"]);
                let resource_type =
                    text(row, &["properties", "resourceDetails", "ResourceType"]).unwrap_or_default();
                Arc::new(recommendation_from_metadata(key, name, &meta, resource_type))
            }
        };
        let index = self.recommendations.len() as u32;
        self.rec_index.insert(key.to_ascii_lowercase(), index);
        self.recommendations.push(rec);
        index
    }

    fn assessment(&mut self, row: &Value) {
        let Some(key) = text(row, &["name"]) else { return };
        let Some(resource_id) = assessed_resource(row) else { return };
        let res = self.resource(&resource_id, row);
        let rec = self.recommendation(&key, row);
        let status = match text(row, &["properties", "status", "code"]).as_deref() {
            Some("Healthy") => Status::Healthy,
            Some("Unhealthy") => Status::Unhealthy,
            _ => Status::NotApplicable,
        };
        let factors_text = strings(path(row, &["properties", "risk", "riskFactors"]));
        let factors = RiskFactors::parse(factors_text.iter().map(String::as_str));
        let resource = &mut self.resources[res as usize];
        if factors.contains(RiskFactors::INTERNET_EXPOSURE) || signalled(row, "resourceExposureSignals") {
            resource.internet_exposed = true;
        }
        if (factors.contains(RiskFactors::SENSITIVE_DATA) || signalled(row, "resourceSensitiveSignals"))
            && resource.sensitive_data.is_none()
        {
            resource.sensitive_data = Some("Sensitive".to_owned());
        }
        let first_seen = time_of(row, &["properties", "status", "firstEvaluationDate"])
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let record = FindingRecord {
            recommendation: rec,
            resource: res,
            status,
            risk: severity(text(row, &["properties", "risk", "level"])),
            risk_factors: factors,
            attack_paths: strings(path(row, &["properties", "risk", "attackPathsReferences"])).len() as u16,
            first_seen,
            status_changed: time_of(row, &["properties", "status", "statusChangeDate"]).unwrap_or(first_seen),
            governance: None,
        };
        match self.finding_index.get(&(rec, res)) {
            Some(&i) => self.findings[i] = record,
            None => {
                self.finding_index.insert((rec, res), self.findings.len());
                self.findings.push(record);
            }
        }
    }

    fn subassessment(&mut self, row: &Value) {
        let Some(resource_id) = subassessed_resource(row) else { return };
        let res = self.resource(&resource_id, row);
        let props = get(row, "properties").cloned().unwrap_or(Value::Null);
        let data = get(&props, "additionalData").cloned().unwrap_or(Value::Null);
        let details = get(&data, "vulnerabilityDetails").cloned().unwrap_or(Value::Null);
        let cve = text(&details, &["cveId"])
            .or_else(|| {
                get(&data, "cve")
                    .and_then(|c| c.as_array())
                    .and_then(|a| a.first())
                    .and_then(|c| text(c, &["title"]))
            })
            .or_else(|| text(&props, &["id"]))
            .unwrap_or_default();
        let cvss = [
            path(&details, &["cvss", "3.0", "base"]),
            path(&data, &["cvss", "3.0", "base"]),
            get(&data, "cvssV30Score"),
        ]
        .into_iter()
        .flatten()
        .find_map(Value::as_f64)
        .unwrap_or(0.0) as f32;
        let level = severity(text(&props, &["status", "severity"]))
            .or_else(|| severity(text(&details, &["severity"])))
            .unwrap_or_else(|| Severity::from_cvss(cvss));
        let software = get(&data, "softwareDetails").cloned().unwrap_or(Value::Null);
        let exploit = path(&details, &["exploitabilityAssessment"])
            .map(|e| {
                ["exploitStepsPublished", "exploitStepsVerified", "isInExploitKit"]
                    .iter()
                    .any(|k| get(e, k).and_then(Value::as_bool).unwrap_or(false))
            })
            .unwrap_or(false);
        let vulnerability = Vulnerability {
            title: text(&props, &["displayName"]).map(|t| plain(&t)).unwrap_or_else(|| cve.clone()),
            cve,
            cvss,
            severity: level,
            package: text(&software, &["packageName"]).unwrap_or_else(|| "unknown package".to_owned()),
            installed_version: text(&software, &["version"]),
            fixed_version: text(&software, &["fixedVersion"]),
            exploit_known: exploit,
        };
        self.vulnerabilities.entry(res).or_default().push(Arc::new(vulnerability));
    }

    fn governance(&mut self, row: &Value) -> Option<()> {
        let assigned = text(row, &["properties", "assignedResourceId"]).or_else(|| {
            text(row, &["id"]).map(|id| id.split("/governanceAssignments/").next().unwrap_or(&id).to_owned())
        })?;
        let (key, resource) = split_assessment_id(&assigned)?;
        let rec = *self.rec_index.get(&key.to_ascii_lowercase())?;
        let res = *self.res_index.get(&resource.to_ascii_lowercase())?;
        let i = *self.finding_index.get(&(rec, res))?;
        let due = time_of(row, &["properties", "remediationDueDate"])?.date();
        self.findings[i].governance = Some(Governance {
            owner: text(row, &["properties", "owner"]).unwrap_or_else(|| "unspecified".to_owned()),
            due,
            grace_period: path(row, &["properties", "isGracePeriod"])
                .and_then(Value::as_bool)
                .unwrap_or(false),
        });
        Some(())
    }

    fn attack_path(&mut self, row: &Value) {
        let props = get(row, "properties").cloned().unwrap_or(Value::Null);
        let steps = path_steps(&props);
        for step in &steps {
            if let Some(&i) = self.res_index.get(&step.resource.to_ascii_lowercase()) {
                let resource = &mut self.resources[i as usize];
                match insight_signal(&step.insight) {
                    Some(PathSignal::InternetExposure) => resource.internet_exposed = true,
                    Some(PathSignal::SensitiveData) => {
                        resource.sensitive_data.get_or_insert_with(|| "Sensitive".to_owned());
                    }
                    None => {}
                }
            }
        }
        let mut findings = Vec::new();
        if let Some(Value::Object(map)) = get(&props, "assessments") {
            for ids in map.values() {
                for id in strings(Some(ids)) {
                    findings.extend(split_assessment_id(&id));
                }
            }
        }
        let risk = severity(text(&props, &["potentialImpact"]).or_else(|| text(&props, &["riskLevel"])))
            .unwrap_or(Severity::High);
        let mut risk_factors = strings(get(&props, "riskCategories"));
        risk_factors.extend(strings(get(&props, "riskFactors")));
        self.attack_paths.push(AttackPath {
            id: text(row, &["name"]).or_else(|| text(&props, &["AttackPathID"])).unwrap_or_default(),
            name: text(&props, &["displayName"]).unwrap_or_else(|| "Attack path".to_owned()),
            description: text(&props, &["description"]).map(|d| plain(&d)).unwrap_or_default(),
            subscription: text(row, &["subscriptionId"]).unwrap_or_default(),
            risk,
            risk_factors,
            steps,
            findings,
            break_steps: strings(get(&props, "manualRemediationSteps")),
        });
    }
}

/// The hops of an attack path row, entry point first and target last.
fn path_steps(props: &Value) -> Vec<PathStep> {
    let entities: Vec<Value> =
        path(props, &["graphComponent", "entities"]).and_then(Value::as_array).cloned().unwrap_or_default();
    let insights: Vec<Value> =
        path(props, &["graphComponent", "insights"]).and_then(Value::as_array).cloned().unwrap_or_default();
    let connections: Vec<Value> = path(props, &["graphComponent", "connections"])
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let entity = |internal: &str| {
        entities.iter().find(|e| text(e, &["entityInternalId"]).as_deref() == Some(internal))
    };
    let step = |internal: &str, fallback: &str| -> PathStep {
        let e = entity(internal);
        let resource = e
            .and_then(|e| text(e, &["entityIdentifiers", "azureResourceId"]))
            .unwrap_or_else(|| internal.to_owned());
        let insight = insights
            .iter()
            .find(|i| text(i, &["entityInternalId"]).as_deref() == Some(internal))
            .and_then(|i| text(i, &["title"]))
            .unwrap_or_else(|| fallback.to_owned());
        PathStep {
            name: e
                .and_then(|e| text(e, &["entityName"]))
                .unwrap_or_else(|| resource.rsplit('/').next().unwrap_or(&resource).to_owned()),
            resource,
            insight,
        }
    };
    let entry = text(props, &["entryPointEntityInternalID"]).or_else(|| text(props, &["entryPoint"]));
    let target = text(props, &["targetEntityInternalID"]).or_else(|| text(props, &["target"]));
    let mut steps = Vec::new();
    if let Some(entry) = &entry {
        steps.push(step(entry, "Entry point"));
        let mut current = entry.clone();
        for _ in 0..connections.len() {
            let next = connections
                .iter()
                .find(|c| text(c, &["sourceEntityInternalId"]).as_deref() == Some(current.as_str()));
            let Some(next) = next.and_then(|c| {
                Some((text(c, &["targetEntityInternalId"])?, text(c, &["title"]).unwrap_or_default()))
            }) else {
                break;
            };
            if steps.iter().any(|s: &PathStep| s.resource == next.0) {
                break;
            }
            steps.push(step(&next.0, &next.1));
            current = next.0;
        }
        if let Some(target) = &target
            && current != *target
        {
            steps.push(step(target, "Target"));
        }
    }
    steps
}

/// What an attack path's insight says about the resource it is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PathSignal {
    /// "Exposed to the internet".
    InternetExposure,
    /// "Contains sensitive data".
    SensitiveData,
}

fn insight_signal(insight: &str) -> Option<PathSignal> {
    match insight.to_ascii_lowercase() {
        s if s.contains("exposed to the internet") => Some(PathSignal::InternetExposure),
        s if s.contains("sensitive data") => Some(PathSignal::SensitiveData),
        _ => None,
    }
}

/// The resources an attack path row goes through, entry point first.
pub(crate) fn attack_path_resources(row: &Value) -> Vec<String> {
    let props = get(row, "properties").cloned().unwrap_or(Value::Null);
    path_steps(&props).into_iter().map(|step| step.resource).collect()
}

/// The resources an attack path row marks as internet-exposed or holding sensitive data, as
/// (resource id, signal); reading the row sets the same flags on those resources.
pub(crate) fn attack_path_signals(row: &Value) -> Vec<(String, PathSignal)> {
    let props = get(row, "properties").cloned().unwrap_or(Value::Null);
    path_steps(&props)
        .into_iter()
        .filter_map(|step| insight_signal(&step.insight).map(|signal| (step.resource, signal)))
        .collect()
}

fn subscription_from_id(id: &str) -> String {
    let lower = id.to_ascii_lowercase();
    lower
        .strip_prefix("/subscriptions/")
        .and_then(|rest| rest.split('/').next())
        .map(str::to_owned)
        .unwrap_or_default()
}

fn group_from_id(id: &str) -> Option<String> {
    let parts: Vec<&str> = id.split('/').collect();
    parts
        .iter()
        .position(|p| p.eq_ignore_ascii_case("resourcegroups"))
        .and_then(|i| parts.get(i + 1))
        .map(|s| (*s).to_owned())
}

fn type_from_id(id: &str) -> String {
    // `arn:aws:eks:us-east-1:123456789012:cluster/name` → `aws::eks::cluster`.
    if let Some(rest) = id.strip_prefix("arn:aws:") {
        let fields: Vec<&str> = rest.splitn(5, ':').collect();
        if let [service, _, _, resource] = fields.as_slice() {
            let kind = resource.split(['/', ':']).next().unwrap_or_default();
            return format!("aws::{service}::{kind}");
        }
    }
    // `//compute.googleapis.com/projects/p/zones/z/instances/name` → `compute.googleapis.com/instance`.
    if let Some(rest) = id.strip_prefix("//") {
        let parts: Vec<&str> = rest.split('/').collect();
        if parts.len() >= 3 {
            let collection = parts[parts.len() - 2];
            return format!("{}/{}", parts[0], collection.strip_suffix('s').unwrap_or(collection));
        }
    }
    let parts: Vec<&str> = id.split('/').collect();
    match parts.iter().rposition(|p| p.eq_ignore_ascii_case("providers")) {
        Some(i) if parts.len() > i + 2 => format!("{}/{}", parts[i + 1], parts[i + 2]),
        _ if id.to_ascii_lowercase().starts_with("/subscriptions/") => {
            "Microsoft.Resources/subscriptions".to_owned()
        }
        _ => String::new(),
    }
}

/// Reads a snapshot; `name` names the source on cards (usually the file name).
pub fn read(json: &str, name: &str) -> Result<TenantData, SnapshotError> {
    let rows = rows(serde_json::from_str(json)?);
    if rows.is_empty() {
        return Err(SnapshotError::NoRows);
    }
    Ok(build(rows.iter(), name, None))
}

/// Reads Resource Graph rows into tenant data: assessments first (in the order given), then
/// every other row in the order given. `metadata` (assessment metadata properties by lower-case
/// key) describes recommendations that neither the embedded catalog nor the rows describe.
pub(crate) fn build<'r>(
    rows: impl Iterator<Item = &'r Value> + Clone,
    name: &str,
    metadata: Option<&HashMap<String, Value>>,
) -> TenantData {
    let kind = |row: &Value| text_of(row, "type");
    let mut b = Builder { metadata, ..Builder::default() };
    for row in rows.clone().filter(|r| kind(r) == "microsoft.security/assessments") {
        b.assessment(row);
    }
    for row in rows {
        match kind(row).as_str() {
            "microsoft.security/assessments/subassessments" => b.subassessment(row),
            "microsoft.security/attackpaths" => b.attack_path(row),
            "microsoft.security/locations/alerts" => b.alerts.extend(alert_of_row(row)),
            "microsoft.security/securescores" => b.secure_score(row),
            "microsoft.security/securescores/securescorecontrols" => b.score_control(row),
            "microsoft.security/assessments/governanceassignments" => {
                b.governance(row);
            }
            "microsoft.resources/subscriptions" => {
                if let Some(id) = text(row, &["subscriptionId"]) {
                    let display = text(row, &["properties", "displayName"]).or_else(|| text(row, &["name"]));
                    let sub = b.subscription(&id, Cloud::Azure);
                    if let Some(display) = display {
                        sub.name = display;
                    }
                    if let Some(cloud) = text(row, &["properties", "cloud"]).and_then(|c| c.parse().ok()) {
                        sub.cloud = cloud;
                    }
                }
            }
            "microsoft.security/pricings" => {
                let tier = text(row, &["properties", "pricingTier"]).unwrap_or_default();
                if let (Some(id), Some(plan), true) = (
                    text(row, &["subscriptionId"]),
                    text(row, &["name"]).and_then(|n| Plan::from_pricing_name(&n)),
                    tier.eq_ignore_ascii_case("standard"),
                ) {
                    let sub = b.subscription(&id, Cloud::Azure);
                    if !sub.plans.contains(&plan) {
                        sub.plans.push(plan);
                    }
                }
            }
            t if !t.starts_with("microsoft.security/") && !t.is_empty() => {
                if let Some(id) = text(row, &["id"]) {
                    let i = b.resource(&id, row);
                    let resource = &mut b.resources[i as usize];
                    if let Some(Value::Object(tags)) = get(row, "tags") {
                        resource.tags = tags
                            .iter()
                            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                            .collect();
                    }
                    if let Some(name) = text(row, &["name"]) {
                        resource.name = name;
                    }
                    if let Some(location) = text(row, &["location"]) {
                        resource.region = location;
                    }
                }
            }
            _ => {}
        }
    }
    for alert in &mut b.alerts {
        // The resource rows know a resource's kind and cloud better than its id does.
        if let Some(&i) = alert.resource.as_ref().and_then(|id| b.res_index.get(&id.to_ascii_lowercase())) {
            alert.kind = b.resources[i as usize].kind;
            alert.cloud = b.resources[i as usize].cloud;
        }
    }
    let mut vulnerabilities: Vec<Vec<Arc<Vulnerability>>> = vec![Vec::new(); b.resources.len()];
    for (i, v) in b.vulnerabilities {
        vulnerabilities[i as usize] = v;
    }
    TenantData {
        name: name.to_owned(),
        subscriptions: b.subscriptions.into_values().collect(),
        recommendations: b.recommendations,
        resources: b.resources.into_iter().map(Arc::new).collect(),
        findings: b.findings,
        vulnerabilities,
        attack_paths: b.attack_paths,
        alerts: b.alerts,
        people: Vec::new(),
        score: (!b.score.scores.is_empty()).then_some(b.score),
    }
}

/// A security alert from its Resource Graph row (`microsoft.security/locations/alerts`); the
/// properties are read case-insensitively, as Resource Graph spells them `AlertDisplayName` and
/// the REST API `alertDisplayName`. `None` for a row without an id.
pub(crate) fn alert_of_row(row: &Value) -> Option<Alert> {
    let id = text(row, &["id"])?;
    let props = get(row, "properties").cloned().unwrap_or(Value::Null);
    let resource = match get(&props, "resourceIdentifiers") {
        Some(Value::Array(ids)) => ids.iter().find_map(|r| text(r, &["azureResourceId"])),
        _ => None,
    };
    let rated = text(&props, &["severity"]).unwrap_or_default();
    let informational = rated.eq_ignore_ascii_case("informational");
    let severity = if informational { Some(Severity::Low) } else { severity(Some(rated)) };
    let resource_type = text(&props, &["extendedProperties", "resourceType"])
        .or_else(|| resource.as_deref().map(type_from_id))
        .unwrap_or_default();
    let subscription = text(row, &["subscriptionId"]).unwrap_or_else(|| subscription_from_id(&id));
    let detected = time_of(&props, &["startTimeUtc"]).or_else(|| time_of(&props, &["timeGeneratedUtc"]))?;
    Some(Alert {
        alert_type: text(&props, &["alertType"]).unwrap_or_default(),
        name: text(&props, &["alertDisplayName"]).unwrap_or_else(|| "Security alert".to_owned()),
        severity: severity.unwrap_or(Severity::Medium),
        informational,
        status: text(&props, &["status"]).and_then(|s| AlertStatus::parse(&s)).unwrap_or(AlertStatus::Active),
        description: text(&props, &["description"]).map(|d| plain(&d)).unwrap_or_default(),
        remediation: strings(get(&props, "remediationSteps"))
            .iter()
            .flat_map(|s| {
                s.split(['\r', '\n'])
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .collect(),
        entity: text(&props, &["compromisedEntity"])
            .or_else(|| resource.as_ref().and_then(|r| r.rsplit('/').next()).map(str::to_owned))
            .unwrap_or_default(),
        // An alert on no one resource is about the subscription (a correlated incident, a
        // Resource Manager detection).
        kind: if resource.is_some() { kind_of_type(&resource_type) } else { ResourceKind::Subscription },
        cloud: resource.as_deref().map_or(Cloud::Azure, cloud_of_id),
        resource,
        subscription,
        tactics: text(&props, &["intent"])
            .map(|i| i.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default(),
        product: text(&props, &["productComponentName"]).unwrap_or_default(),
        detected,
        incident: path(&props, &["isIncident"]).and_then(Value::as_bool).unwrap_or(false),
        portal: text(&props, &["alertUri"]),
        id,
    })
}

/// The Resource Graph row of an alert, as [`alert_of_row`] reads it.
fn alert_row(a: &Alert) -> Value {
    let location =
        a.id.split('/').skip_while(|p| !p.eq_ignore_ascii_case("locations")).nth(1).unwrap_or("centralus");
    json!({
        "id": a.id,
        "name": a.id.rsplit('/').next().unwrap_or_default(),
        "type": "microsoft.security/locations/alerts",
        "subscriptionId": a.subscription,
        "location": location,
        "resourceGroup": group_from_id(&a.id),
        "properties": {
            "AlertType": a.alert_type,
            "AlertDisplayName": a.name,
            "Severity": if a.informational { "Informational" } else { a.severity.label() },
            "Status": a.status.as_str(),
            "Description": a.description,
            "RemediationSteps": a.remediation,
            "CompromisedEntity": a.entity,
            "ResourceIdentifiers": a.resource.iter().map(|r| json!({"Type": "AzureResource", "AzureResourceId": r})).collect::<Vec<_>>(),
            "Intent": a.tactics.join(", "),
            "ProductComponentName": a.product,
            "ProductName": "Microsoft Defender for Cloud",
            "StartTimeUtc": rfc3339(a.detected),
            "TimeGeneratedUtc": rfc3339(a.detected),
            "IsIncident": a.incident,
            "AlertUri": a.portal,
        },
    })
}

fn text_of(row: &Value, key: &str) -> String {
    text(row, &[key]).map(|s| s.to_ascii_lowercase()).unwrap_or_default()
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// Writes tenant data as Resource Graph rows, in the `{"data": [...]}` shape of a Resource Graph
/// response, which [`read`] reads back.
pub fn write(data: &TenantData) -> Value {
    let mut rows: Vec<Value> = Vec::new();
    for s in &data.subscriptions {
        rows.push(json!({
            "id": format!("/subscriptions/{}", s.id),
            "name": s.name,
            "type": "microsoft.resources/subscriptions",
            "subscriptionId": s.id,
            "properties": {"displayName": s.name, "cloud": s.cloud.as_str()},
        }));
        for plan in &s.plans {
            rows.push(json!({
                "id": format!("/subscriptions/{}/providers/Microsoft.Security/pricings/{}", s.id, plan.pricing_name()),
                "name": plan.pricing_name(),
                "type": "microsoft.security/pricings",
                "subscriptionId": s.id,
                "properties": {"pricingTier": "Standard"},
            }));
        }
    }
    for r in &data.resources {
        let tags: Map<String, Value> =
            r.tags.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
        rows.push(json!({
            "id": r.id,
            "name": r.name,
            "type": r.resource_type.to_ascii_lowercase(),
            "location": r.region,
            "resourceGroup": r.resource_group,
            "subscriptionId": r.subscription,
            "tags": tags,
        }));
    }
    for f in &data.findings {
        let rec = &data.recommendations[f.recommendation as usize];
        let res = &data.resources[f.resource as usize];
        let id = format!("{}/providers/Microsoft.Security/assessments/{}", res.id, rec.key);
        let mut properties = json!({
            "displayName": rec.name,
            "resourceDetails": {
                "Source": match res.cloud { Cloud::Azure => "Azure", Cloud::Aws => "Aws", Cloud::Gcp => "Gcp" },
                "Id": res.id,
                "ResourceName": res.name,
                "ResourceType": res.resource_type,
            },
            "status": {
                "code": f.status.as_str(),
                "firstEvaluationDate": rfc3339(f.first_seen),
                "statusChangeDate": rfc3339(f.status_changed),
            },
            "metadata": {
                "displayName": rec.name,
                "severity": rec.severity.label(),
                "categories": [rec.category],
                "threats": rec.threats,
                "assessmentType": "BuiltIn",
            },
        });
        if let Some(level) = f.risk {
            let mut factors = f.risk_factors.names();
            if res.internet_exposed && !factors.iter().any(|n| n == "Internet exposure") {
                factors.push("Internet exposure".to_owned());
            }
            properties["risk"] = json!({"level": level.label(), "riskFactors": factors, "attackPathsReferences": vec![Value::Null; usize::from(f.attack_paths)].iter().enumerate().map(|(i, _)| format!("/attackPaths/{i}")).collect::<Vec<_>>()});
        }
        rows.push(json!({
            "id": id,
            "name": rec.key,
            "type": "microsoft.security/assessments",
            "subscriptionId": res.subscription,
            "resourceGroup": res.resource_group,
            "location": res.region,
            "properties": properties,
        }));
        if let Some(g) = &f.governance {
            rows.push(json!({
                "id": format!("{id}/governanceAssignments/{}", rec.key),
                "name": rec.key,
                "type": "microsoft.security/assessments/governanceassignments",
                "subscriptionId": res.subscription,
                "properties": {
                    "assignedResourceId": id.to_ascii_lowercase(),
                    "owner": g.owner,
                    "remediationDueDate": format!("{}T00:00:00Z", g.due),
                    "isGracePeriod": g.grace_period,
                },
            }));
        }
        if crate::catalog::reports_cves(&rec.key) {
            for (n, v) in data.vulnerabilities.get(f.resource as usize).into_iter().flatten().enumerate() {
                rows.push(json!({
                    "id": format!("{id}/subassessments/{n}"),
                    "name": n.to_string(),
                    "type": "microsoft.security/assessments/subassessments",
                    "subscriptionId": res.subscription,
                    "properties": {
                        "id": v.cve,
                        "displayName": v.title,
                        "resourceDetails": {"id": res.id},
                        "status": {"code": "Unhealthy", "severity": v.severity.label()},
                        "additionalData": {
                            "assessedResourceType": "AzureContainerRegistryVulnerability",
                            "vulnerabilityDetails": {
                                "cveId": v.cve,
                                "severity": v.severity.label(),
                                "cvss": {"3.0": {"base": v.cvss}},
                                "exploitabilityAssessment": {"exploitStepsPublished": v.exploit_known},
                            },
                            "softwareDetails": {"packageName": v.package, "version": v.installed_version, "fixedVersion": v.fixed_version},
                        },
                    },
                }));
            }
        }
    }
    for p in &data.attack_paths {
        let internal = |s: &PathStep| format!("entity:{}", s.resource);
        let mut assessments = Map::new();
        for (key, resource) in &p.findings {
            let entity = format!("entity:{resource}");
            let list = assessments.entry(entity).or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(items) = list {
                items.push(Value::String(format!(
                    "{resource}/providers/Microsoft.Security/assessments/{key}"
                )));
            }
        }
        rows.push(json!({
            "id": format!("/subscriptions/{}/providers/Microsoft.Security/attackPaths/{}", p.subscription, p.id),
            "name": p.id,
            "type": "microsoft.security/attackpaths",
            "subscriptionId": p.subscription,
            "properties": {
                "displayName": p.name,
                "description": p.description,
                "potentialImpact": p.risk.label(),
                "riskCategories": p.risk_factors,
                "manualRemediationSteps": p.break_steps,
                "entryPointEntityInternalID": p.steps.first().map(internal),
                "targetEntityInternalID": p.steps.last().map(internal),
                "assessments": assessments,
                "graphComponent": {
                    "entities": p.steps.iter().map(|s| json!({"entityInternalId": internal(s), "entityName": s.name, "entityIdentifiers": {"azureResourceId": s.resource}})).collect::<Vec<_>>(),
                    "connections": p.steps.windows(2).map(|w| json!({"sourceEntityInternalId": internal(&w[0]), "targetEntityInternalId": internal(&w[1]), "title": w[1].insight})).collect::<Vec<_>>(),
                    "insights": p.steps.iter().map(|s| json!({"entityInternalId": internal(s), "title": s.insight})).collect::<Vec<_>>(),
                },
            },
        }));
    }
    rows.extend(data.alerts.iter().map(alert_row));
    let score = match &data.score {
        Some(score) => score.clone(),
        None => crate::tenant::score_of(
            &data.subscriptions,
            &data.recommendations,
            &data.resources,
            &data.findings,
        ),
    };
    for s in &score.scores {
        rows.push(json!({
            "id": format!("/subscriptions/{}/providers/Microsoft.Security/secureScores/ascScore", s.subscription),
            "name": "ascScore",
            "type": "microsoft.security/securescores",
            "subscriptionId": s.subscription,
            "properties": {
                "displayName": "ASC score",
                "score": {"current": s.current, "max": s.max, "percentage": (s.percent() / 100.0 * 10_000.0).round() / 10_000.0},
            },
        }));
    }
    for c in &score.controls {
        let name: String = c.name.chars().filter(|ch| ch.is_ascii_alphanumeric()).collect();
        rows.push(json!({
            "id": format!("/subscriptions/{}/providers/Microsoft.Security/secureScores/ascScore/secureScoreControls/{name}", c.subscription),
            "name": name,
            "type": "microsoft.security/securescores/securescorecontrols",
            "subscriptionId": c.subscription,
            "properties": {
                "displayName": c.name,
                "score": {"current": c.current, "max": c.max},
                "healthyResourceCount": c.healthy,
                "unhealthyResourceCount": c.unhealthy,
                "definition": {"properties": {"displayName": c.name, "maxScore": c.max, "assessmentDefinitions": c.recommendations.iter().map(|k| json!({"id": format!("/providers/Microsoft.Security/assessmentMetadata/{k}")})).collect::<Vec<_>>()}},
            },
        }));
    }
    json!({ "totalRecords": rows.len(), "count": rows.len(), "resultTruncated": "false", "data": rows })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{self, DemoOptions};
    use time::macros::date;

    #[test]
    fn a_written_tenant_reads_back_with_the_same_findings() {
        let original = demo::tenant(&DemoOptions::for_day(date!(2026 - 11 - 25)));
        let text = serde_json::to_string(&write(&original)).unwrap();
        let back = read(&text, "snapshot.json").unwrap();
        assert_eq!(back.findings.len(), original.findings.len());
        assert_eq!(back.attack_paths.len(), original.attack_paths.len());
        assert_eq!(back.alerts.len(), original.alerts.len());
        for (read, written) in back.alerts.iter().zip(&original.alerts) {
            let (read, written) =
                (serde_json::to_value(read).unwrap(), serde_json::to_value(written).unwrap());
            for (field, value) in written.as_object().into_iter().flatten() {
                assert_eq!(
                    &read[field], value,
                    "the alert's {field} is written as a Resource Graph row and read back"
                );
            }
        }
        assert_eq!(back.subscriptions.len(), original.subscriptions.len());
        let assigned = |d: &TenantData| d.findings.iter().filter(|f| f.governance.is_some()).count();
        assert_eq!(assigned(&back), assigned(&original));
        let cves = |d: &TenantData| d.vulnerabilities.iter().map(Vec::len).sum::<usize>();
        let with_cve_findings: usize = original
            .findings
            .iter()
            .filter(|f| {
                crate::catalog::reports_cves(&original.recommendations[f.recommendation as usize].key)
            })
            .map(|f| original.vulnerabilities[f.resource as usize].len())
            .sum();
        assert_eq!(
            cves(&back),
            with_cve_findings,
            "every CVE of a CVE finding is written as a sub-assessment"
        );
        assert_eq!(
            with_cve_findings,
            cves(&original),
            "the demo only places CVEs where a CVE finding reports them"
        );
        let levels = |d: &TenantData| {
            let mut v: Vec<Option<Severity>> = d.findings.iter().map(|f| f.risk).collect();
            v.sort();
            v
        };
        assert_eq!(levels(&back), levels(&original));
        let names: Vec<&str> = back.subscriptions.iter().map(|s| s.name.as_str()).collect();
        assert!(names.contains(&"Contoso Production"));
        assert!(back.subscriptions.iter().any(|s| s.has(Plan::DefenderCspm)));
    }

    #[test]
    fn documented_row_shapes_are_read() {
        let rows = json!({"data": [
            {
                "id": "/subscriptions/s1/resourcegroups/rg-web/providers/microsoft.compute/virtualmachines/vm-web-01/providers/Microsoft.Security/assessments/1195afff-c881-495e-9bc5-1486211ae03f",
                "name": "1195afff-c881-495e-9bc5-1486211ae03f",
                "type": "microsoft.security/assessments",
                "subscriptionId": "s1",
                "properties": {
                    "resourceDetails": {"Source": "Azure", "Id": "/subscriptions/s1/resourcegroups/rg-web/providers/microsoft.compute/virtualmachines/vm-web-01", "ResourceName": "vm-web-01", "ResourceType": "Microsoft.Compute/virtualMachines"},
                    "displayName": "Remediate vulnerabilities found on your virtual machines (powered by Qualys)",
                    "status": {"code": "Unhealthy", "firstEvaluationDate": "2026-05-02T08:11:41.000Z", "statusChangeDate": "2026-05-02T08:11:41.000Z"},
                    "risk": {"level": "Critical", "riskFactors": ["Internet exposure", "Sensitive data"], "attackPathsReferences": ["/x"]}
                }
            },
            {
                "id": "/subscriptions/s1/resourcegroups/rg-web/providers/microsoft.compute/virtualmachines/vm-web-01/providers/Microsoft.Security/assessments/1195afff-c881-495e-9bc5-1486211ae03f/governanceAssignments/g1",
                "name": "g1",
                "type": "microsoft.security/assessments/governanceassignments",
                "properties": {"assignedResourceId": "/subscriptions/s1/resourcegroups/rg-web/providers/microsoft.compute/virtualmachines/vm-web-01/providers/microsoft.security/assessments/1195afff-c881-495e-9bc5-1486211ae03f", "owner": "alice@contoso.com", "remediationDueDate": "2026-06-30T00:00:00.0000000Z", "isGracePeriod": true}
            }
        ]});
        let data = read(&rows.to_string(), "rows").unwrap();
        assert_eq!(data.findings.len(), 1);
        let f = &data.findings[0];
        assert_eq!(f.risk, Some(Severity::Critical));
        assert_eq!(f.governance.as_ref().map(|g| g.owner.as_str()), Some("alice@contoso.com"));
        let r = &data.resources[0];
        assert!(r.internet_exposed && r.sensitive_data.is_some());
        assert_eq!(r.kind, secbot_chat::ResourceKind::VirtualMachine);
        assert_eq!(r.resource_group.as_deref(), Some("rg-web"));
        assert!(matches!(read("[1, 2]", "x"), Err(SnapshotError::NoRows)));
    }

    #[test]
    fn cves_belong_to_the_assessed_resource_and_live_signal_columns_count() {
        let registry =
            "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr1";
        let key = "c0b7cfc6-3172-465a-b378-53c7ff2cc0d5";
        let rows = json!({"data": [
            {
                "id": format!("{registry}/providers/Microsoft.Security/assessments/{key}"),
                "name": key,
                "type": "microsoft.security/assessments",
                "subscriptionId": "s1",
                "properties": {"resourceDetails": {"Source": "Azure", "Id": registry}, "status": {"code": "Unhealthy"}},
                "resourceExposureSignals": 2,
                "resourceSensitiveSignals": 0
            },
            {
                "id": format!("{registry}/providers/Microsoft.Security/assessments/{key}/subassessments/cve1"),
                "name": "cve1",
                "type": "microsoft.security/assessments/subassessments",
                "properties": {
                    "id": "CVE-2022-42969",
                    "resourceDetails": {"id": "/repositories/web/images/sha256:4af8", "source": "Azure"},
                    "status": {"code": "Unhealthy", "severity": "High"},
                    "additionalData": {"vulnerabilityDetails": {"cveId": "CVE-2022-42969", "cvss": {"3.0": {"base": 7.5}}}}
                }
            }
        ]});
        let data = read(&rows.to_string(), "rows").unwrap();
        assert_eq!(data.resources.len(), 1, "the image is not a resource of its own");
        assert_eq!(data.vulnerabilities[0][0].cve, "CVE-2022-42969");
        assert!(data.resources[0].internet_exposed && data.resources[0].sensitive_data.is_none());
        assert!(matches!(read("{not json", "x"), Err(SnapshotError::Json(_))));
    }
}
