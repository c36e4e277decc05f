//! Offline snapshots: a tenant's security data as Azure Resource Graph rows — the
//! `securityresources` types (assessments, sub-assessments, attack paths, governance
//! assignments, pricings, alerts, secure scores), `resourcecontainers` subscriptions and
//! `resources` rows — read into a [`TenantData`] and written back out. `secbot serve --data
//! FILE` serves such a file, so a real export can be answered offline.
//!
//! Both directions stream ([`stream`]): rows are read as the file is, parsed on every core, and
//! written one at a time, so a snapshot of millions of findings takes the memory of the tenant
//! it describes, not of its JSON.
//!
//! Internet exposure and sensitive data are read where Defender for Cloud reports them: the
//! risk factors of assessments and the insights of attack paths (both need Defender CSPM).
//! Assessment rows that secbot queries live also carry `resourceExposureSignals` and
//! `resourceSensitiveSignals`: how many assessments of the same resource list those risk
//! factors, counted by Resource Graph, so a partial set of rows still knows its resources' context.
//!
//! The same row parsing ([`row`]) serves snapshots and the live Azure source ([`crate::azure`]),
//! so both answer alike from the same rows.

mod row;
mod stream;
mod write;

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use secbot_chat::{Cloud, ResourceKind, Severity};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::catalog::Catalog;
use crate::posture::arm_id;
use crate::posture::{
    Alert, AlertStatus, AttackPath, Effort, PathStep, Plan, Recommendation, Remediation, Resource, ScoreCard,
    Subscription, Vulnerability, cloud_of_id, kind_of_type,
};
use crate::tenant::{FindingRecord, TenantData};
use row::{AssessmentRow, Described, GovernanceRow, ResourceRow, ResourceSeed, Row};
pub use stream::RowWriter;
pub use write::write;

/// A snapshot that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The file could not be read.
    #[error("it cannot be read ({0})")]
    Io(#[from] std::io::Error),
    /// The text is not JSON.
    #[error("it is not valid JSON at byte {at} ({problem})")]
    Json {
        /// Where in the text, counted in bytes from its start.
        at: u64,
        /// What is wrong there.
        problem: String,
    },
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
    signal(get(row, column))
}

/// True when a signal column's value is above zero.
fn signal(value: Option<&Value>) -> bool {
    match value {
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
    assessment_prefix(&text(row, &["id"])?)
}

/// The part of an id in front of `/providers/Microsoft.Security/assessments/`.
fn assessment_prefix(id: &str) -> Option<String> {
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
            .map(|r| Remediation { steps: vec![r], scripts: Vec::new(), unavailable: Default::default() }),
    }
}

/// Puts a tenant together from rows read in order: assessments as they come, every other row
/// after the last one (a sub-assessment, a governance assignment or a resource row may come
/// before the assessment of its resource: Resource Graph returns tables in any order).
#[derive(Default)]
struct Builder<'a> {
    metadata: Option<&'a HashMap<String, Value>>,
    subscriptions: BTreeMap<String, Subscription>,
    recommendations: Vec<Arc<Recommendation>>,
    rec_index: FxHashMap<String, u32>,
    resources: Vec<Resource>,
    res_index: FxHashMap<String, u32>,
    findings: Vec<FindingRecord>,
    finding_index: FxHashMap<(u32, u32), usize>,
    vulnerabilities: HashMap<u32, Vec<Arc<Vulnerability>>>,
    attack_paths: Vec<AttackPath>,
    alerts: Vec<Alert>,
    score: ScoreCard,
    /// Rows other than assessments, kept for [`Builder::finish`].
    later: Vec<Row>,
    /// How many rows were read.
    rows: usize,
    /// A lower-cased id or key to look up, kept to save an allocation per row.
    lower: String,
}

/// Lower-cases `text` into `into`.
fn lower_into<'s>(into: &'s mut String, text: &str) -> &'s str {
    into.clear();
    into.push_str(text);
    into.make_ascii_lowercase();
    into
}

impl Builder<'_> {
    /// Takes in the next row.
    fn add(&mut self, row: Row) {
        self.rows += 1;
        match row {
            Row::Assessment(a) => self.assessment(*a),
            Row::Other => {}
            other => self.later.push(other),
        }
    }

    fn apply(&mut self, row: Row) {
        match row {
            Row::Assessment(a) => self.assessment(*a),
            Row::Subassessment(s) => {
                let (seed, vulnerability) = *s;
                let res = self.resource(&seed);
                self.vulnerabilities.entry(res).or_default().push(Arc::new(vulnerability));
            }
            Row::Governance(g) => self.governance(*g),
            Row::AttackPath(p) => self.attack_path(*p),
            Row::Alert(a) => self.alerts.push(*a),
            Row::Score(s) => self.score.scores.push(s),
            Row::Control(c) => self.score.controls.push(c),
            Row::Subscription { id, name, cloud } => {
                let sub = self.subscription(&id, Cloud::Azure);
                if let Some(name) = name {
                    sub.name = name;
                }
                if let Some(cloud) = cloud {
                    sub.cloud = cloud;
                }
            }
            Row::Pricing { subscription, plan } => {
                let sub = self.subscription(&subscription, Cloud::Azure);
                if !sub.plans.contains(&plan) {
                    sub.plans.push(plan);
                }
            }
            Row::Resource(r) => {
                let ResourceRow { seed, name, tags } = *r;
                let i = self.resource(&seed);
                let resource = &mut self.resources[i as usize];
                if let Some(tags) = tags {
                    resource.tags = tags;
                }
                if let Some(name) = name {
                    resource.name = name;
                }
                if let Some(location) = seed.location() {
                    resource.region = location.to_owned();
                }
            }
            Row::Other => {}
        }
    }

    fn subscription(&mut self, id: &str, cloud: Cloud) -> &mut Subscription {
        self.subscriptions.entry(id.to_ascii_lowercase()).or_insert_with(|| Subscription {
            id: id.to_owned(),
            name: id.to_owned(),
            cloud,
            plans: Vec::new(),
        })
    }

    /// The index of the resource a row names, added the first time.
    fn resource(&mut self, seed: &ResourceSeed) -> u32 {
        if let Some(&i) = self.res_index.get(lower_into(&mut self.lower, seed.id())) {
            return i;
        }
        let lower = self.lower.clone();
        let id = seed.id().to_owned();
        let cloud = match seed.source().map(|s| s.to_ascii_lowercase()).as_deref() {
            Some("aws") => Cloud::Aws,
            Some("gcp") => Cloud::Gcp,
            _ => cloud_of_id(&id),
        };
        let resource_type = seed.resource_type().map_or_else(|| type_from_id(&id), str::to_owned);
        let name = seed.name().map_or_else(|| id.rsplit('/').next().unwrap_or(&id).to_owned(), str::to_owned);
        let subscription = seed.subscription().map_or_else(|| subscription_from_id(&id), str::to_owned);
        let resource_group = seed.resource_group().map(str::to_owned).or_else(|| group_from_id(&id));
        let index = self.resources.len() as u32;
        if !subscription.is_empty() {
            self.subscription(&subscription, cloud);
        }
        self.resources.push(Resource {
            id,
            name,
            kind: kind_of_type(&resource_type),
            resource_type,
            subscription,
            resource_group,
            region: seed.location().unwrap_or_default().to_owned(),
            cloud,
            tags: Vec::new(),
            internet_exposed: false,
            sensitive_data: None,
        });
        self.res_index.insert(lower, index);
        index
    }

    fn recommendation(&mut self, key: &str, described: Option<Described>) -> u32 {
        if let Some(&i) = self.rec_index.get(lower_into(&mut self.lower, key)) {
            return i;
        }
        let lower = self.lower.clone();
        let rec = match (Catalog::embedded().get(key), described) {
            (Some(known), _) => known.clone(),
            (None, described) => {
                let Described { metadata, name, resource_type } = described.unwrap_or(Described {
                    metadata: None,
                    name: None,
                    resource_type: String::new(),
                });
                let listed = self.metadata.and_then(|m| m.get(&lower));
                let meta = metadata.as_ref().or(listed).unwrap_or(&Value::Null);
                Arc::new(recommendation_from_metadata(key, name, meta, resource_type))
            }
        };
        let index = self.recommendations.len() as u32;
        self.rec_index.insert(lower, index);
        self.recommendations.push(rec);
        index
    }

    fn assessment(&mut self, a: AssessmentRow) {
        let res = self.resource(&a.resource);
        let rec = self.recommendation(&a.key, a.described);
        let resource = &mut self.resources[res as usize];
        resource.internet_exposed |= a.exposed;
        if a.sensitive && resource.sensitive_data.is_none() {
            resource.sensitive_data = Some("Sensitive".to_owned());
        }
        let record = FindingRecord {
            recommendation: rec,
            resource: res,
            status: a.status,
            risk: a.risk,
            risk_factors: a.factors,
            attack_paths: a.attack_paths,
            first_seen: a.first_seen,
            status_changed: a.status_changed,
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

    fn governance(&mut self, g: GovernanceRow) {
        let found = self
            .rec_index
            .get(&g.key.to_ascii_lowercase())
            .zip(self.res_index.get(&g.resource.to_ascii_lowercase()))
            .and_then(|(&rec, &res)| self.finding_index.get(&(rec, res)));
        if let Some(&i) = found {
            self.findings[i].governance = Some(g.governance);
        }
    }

    fn attack_path(&mut self, p: AttackPath) {
        for step in &p.steps {
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
        self.attack_paths.push(p);
    }

    /// The tenant, once every row was added; `name` names the source on cards.
    fn finish(mut self, name: &str) -> TenantData {
        for row in std::mem::take(&mut self.later) {
            self.apply(row);
        }
        let b = self;
        let mut alerts = b.alerts;
        for alert in &mut alerts {
            // The resource rows know a resource's kind and cloud better than its id does.
            if let Some(&i) = alert.resource.as_ref().and_then(|id| b.res_index.get(&id.to_ascii_lowercase()))
            {
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
            alerts,
            people: Vec::new(),
            score: (!b.score.scores.is_empty()).then_some(b.score),
        }
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
    arm_id::subscription(id).map(str::to_ascii_lowercase).unwrap_or_default()
}

fn group_from_id(id: &str) -> Option<String> {
    arm_id::resource_group(id).map(str::to_owned)
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

/// Reads a snapshot as it streams in (see [`stream`]); `name` names the source on cards
/// (usually the file name).
pub fn read(input: impl Read + Send, name: &str) -> Result<TenantData, SnapshotError> {
    let mut b = Builder::default();
    let parse = |bytes: &[u8]| match row::quick(bytes) {
        Some(row) => Ok(Some(row)),
        None => serde_json::from_slice::<Value>(bytes).map(|v| Row::of(&v)),
    };
    stream::each_row(input, parse, |row| {
        if let Some(row) = row {
            b.add(row);
        }
    })?;
    if b.rows == 0 {
        return Err(SnapshotError::NoRows);
    }
    Ok(b.finish(name))
}

/// Reads Resource Graph rows into tenant data: assessments first (in the order given), then
/// every other row in the order given. `metadata` (assessment metadata properties by lower-case
/// key) describes recommendations that neither the embedded catalog nor the rows describe.
pub(crate) fn build<'r>(
    rows: impl Iterator<Item = &'r Value>,
    name: &str,
    metadata: Option<&HashMap<String, Value>>,
) -> TenantData {
    let mut b = Builder { metadata, ..Builder::default() };
    for row in rows.filter_map(Row::of) {
        b.add(row);
    }
    b.finish(name)
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

fn text_of(row: &Value, key: &str) -> String {
    text(row, &[key]).map(|s| s.to_ascii_lowercase()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{self, DemoOptions};
    use serde_json::json;
    use time::macros::date;

    #[test]
    fn a_written_tenant_reads_back_with_the_same_findings() {
        let original = demo::tenant(&DemoOptions::for_day(date!(2026 - 11 - 25)));
        let mut text = Vec::new();
        let rows = write(&original, &mut text).unwrap();
        assert!(rows > original.findings.len());
        let back = read(text.as_slice(), "snapshot.json").unwrap();
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
            .filter(|f| original.recommendations[f.recommendation as usize].reports_cves())
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
                "id": "/subscriptions/s1/resourcegroups/rg-web/providers/microsoft.compute/virtualmachines/vm-web-01",
                "name": "VM-Web-01",
                "type": "microsoft.compute/virtualmachines",
                "location": "westeurope",
                "tags": {"owner": "web-team"}
            },
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
        let data = read(rows.to_string().as_bytes(), "rows").unwrap();
        assert_eq!(data.findings.len(), 1);
        let f = &data.findings[0];
        assert_eq!(f.risk, Some(Severity::Critical));
        assert_eq!(f.governance.as_ref().map(|g| g.owner.as_str()), Some("alice@contoso.com"));
        let r = &data.resources[0];
        assert!(r.internet_exposed && r.sensitive_data.is_some());
        assert_eq!(r.kind, secbot_chat::ResourceKind::VirtualMachine);
        assert_eq!(r.resource_group.as_deref(), Some("rg-web"));
        assert_eq!(data.resources.len(), 1, "the resource row and the assessment name one resource");
        assert_eq!(
            (r.name.as_str(), r.region.as_str(), r.tags.clone()),
            ("VM-Web-01", "westeurope", vec![("owner".to_owned(), "web-team".to_owned())]),
            "a resource row before its assessment still names, places and tags the resource"
        );
        assert!(matches!(read("[1, 2]".as_bytes(), "x"), Err(SnapshotError::NoRows)));
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
        let data = read(rows.to_string().as_bytes(), "rows").unwrap();
        assert_eq!(data.resources.len(), 1, "the image is not a resource of its own");
        assert_eq!(data.vulnerabilities[0][0].cve, "CVE-2022-42969");
        assert!(data.resources[0].internet_exposed && data.resources[0].sensitive_data.is_none());
        assert!(matches!(read("{not json".as_bytes(), "x"), Err(SnapshotError::Json { at: 1, .. })));
    }
}
