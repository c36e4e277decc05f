//! The posture model: recommendations, resources, findings, vulnerabilities, attack paths and
//! governance assignments, as Defender for Cloud describes them.

use std::fmt;
use std::sync::Arc;

use secbot_chat::{Cloud, ResourceKind, Severity};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// A Defender for Cloud plan; some answers need one (attack paths need Defender CSPM).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Plan {
    /// The free posture checks every subscription gets.
    FoundationalCspm,
    /// Defender CSPM: risk levels, attack paths, data-aware posture.
    DefenderCspm,
    /// Defender for Servers.
    DefenderServers,
    /// Defender for Containers.
    DefenderContainers,
    /// Defender for SQL.
    DefenderSql,
    /// Defender for Storage.
    DefenderStorage,
    /// Defender for App Service.
    DefenderAppService,
    /// Defender for DevOps.
    DefenderDevops,
}

impl Plan {
    /// The plan's product name.
    pub fn label(self) -> &'static str {
        match self {
            Plan::FoundationalCspm => "Foundational CSPM",
            Plan::DefenderCspm => "Defender CSPM",
            Plan::DefenderServers => "Defender for Servers",
            Plan::DefenderContainers => "Defender for Containers",
            Plan::DefenderSql => "Defender for SQL",
            Plan::DefenderStorage => "Defender for Storage",
            Plan::DefenderAppService => "Defender for App Service",
            Plan::DefenderDevops => "Defender for DevOps",
        }
    }

    /// The name of the plan in Defender for Cloud's pricings API (`CloudPosture`, ...).
    pub fn pricing_name(self) -> &'static str {
        match self {
            Plan::FoundationalCspm => "Foundational",
            Plan::DefenderCspm => "CloudPosture",
            Plan::DefenderServers => "VirtualMachines",
            Plan::DefenderContainers => "Containers",
            Plan::DefenderSql => "SqlServers",
            Plan::DefenderStorage => "StorageAccounts",
            Plan::DefenderAppService => "AppServices",
            Plan::DefenderDevops => "DevOps",
        }
    }

    /// The plan named by a pricings API name, if secbot knows it.
    pub fn from_pricing_name(name: &str) -> Option<Plan> {
        [
            Plan::DefenderCspm,
            Plan::DefenderServers,
            Plan::DefenderContainers,
            Plan::DefenderSql,
            Plan::DefenderStorage,
            Plan::DefenderAppService,
            Plan::DefenderDevops,
        ]
        .into_iter()
        .find(|plan| plan.pricing_name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A subscription, AWS account or GCP project, with the plans enabled on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    /// The subscription id, account id or project id.
    pub id: String,
    /// The display name.
    pub name: String,
    /// The cloud.
    pub cloud: Cloud,
    /// The paid plans enabled (Foundational CSPM is always on and not listed).
    pub plans: Vec<Plan>,
}

impl Subscription {
    /// True when the plan is on for this subscription.
    pub fn has(&self, plan: Plan) -> bool {
        plan == Plan::FoundationalCspm || self.plans.contains(&plan)
    }
}

/// Low, moderate or high: user impact and implementation effort of a fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Effort {
    /// Low.
    Low,
    /// Moderate.
    Moderate,
    /// High.
    High,
}

impl fmt::Display for Effort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Effort::Low => "Low",
            Effort::Moderate => "Moderate",
            Effort::High => "High",
        })
    }
}

/// What a recommendation is about; used to decide which risk factors apply to its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// Internet exposure and reachability.
    Exposure,
    /// Sensitive data.
    SensitiveData,
    /// Vulnerabilities (CVEs).
    Vulnerabilities,
    /// Identity and access.
    Identity,
    /// Encryption.
    Encryption,
    /// Logging and monitoring.
    Logging,
    /// Network controls.
    Network,
    /// Patching and updates.
    Patching,
    /// Malware protection.
    Malware,
}

/// A script that fixes a recommendation, with template variables such as `{{name}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Script {
    /// The tool (`azure_cli`, `powershell`, `bicep`, `terraform`, `aws_cli`, `gcloud`).
    pub tool: String,
    /// The language for highlighting.
    pub language: String,
    /// The script, with `{{name}}`, `{{resource_group}}`, ... to fill in.
    pub code: String,
}

/// How to fix a recommendation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remediation {
    /// The steps, in order.
    pub steps: Vec<String>,
    /// Scripts for the steps.
    pub scripts: Vec<Script>,
    /// Why there is no script in a language that cannot make this change (a deletion in
    /// Bicep, patching inside a machine in Terraform), by tool, so asking for it gets the reason.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub unavailable: std::collections::BTreeMap<String, String>,
}

/// A security recommendation (assessment metadata).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    /// The assessment key (a GUID).
    pub key: String,
    /// The current display name.
    pub name: String,
    /// Earlier display names.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The static severity.
    pub severity: Severity,
    /// The category (Compute, Data, IdentityAndAccess, Networking, ...).
    pub category: String,
    /// Threats it protects against (`DataExfiltration`, ...).
    #[serde(default)]
    pub threats: Vec<String>,
    /// How much fixing it affects users.
    pub user_impact: Option<Effort>,
    /// How much work fixing it takes.
    pub implementation_effort: Option<Effort>,
    /// The kind of resource it applies to.
    pub kind: ResourceKind,
    /// The ARM resource types it applies to.
    #[serde(default)]
    pub arm_types: Vec<String>,
    /// The cloud.
    pub cloud: Cloud,
    /// The plan that produces it.
    pub plan: Plan,
    /// What it is about.
    #[serde(default)]
    pub signals: Vec<Signal>,
    /// What the check looks for.
    pub description: Option<String>,
    /// Why it matters.
    pub why: Option<String>,
    /// What changes for users and workloads when it is fixed.
    pub fix_effect: Option<String>,
    /// How to fix it.
    pub remediation: Option<Remediation>,
}

/// Recommendations whose findings carry CVE sub-assessments (one per vulnerability found):
/// machines (Qualys and Defender Vulnerability Management) and container images in registries
/// or running.
const CVE_RECOMMENDATIONS: [&str; 7] = [
    "1195afff-c881-495e-9bc5-1486211ae03f",
    "71992a2a-d168-42e0-b10e-6b45fa2ecddb",
    "c0b7cfc6-3172-465a-b378-53c7ff2cc0d5",
    "c609cf0f-71ab-41e9-a3c6-9a1f7fe1b8d5",
    "dbd0cb49-b563-45e7-9724-889e799fa648",
    "33422d8f-ab1e-42be-bc9a-38685bb567b9",
    "e9acaf48-d2cf-45a3-a6e7-3caa2ef769e0",
];

impl Recommendation {
    /// True when findings of this recommendation list individual CVEs.
    pub fn reports_cves(&self) -> bool {
        CVE_RECOMMENDATIONS.iter().any(|k| k.eq_ignore_ascii_case(&self.key))
    }

    /// True when findings of this recommendation are about identities, wherever Defender
    /// reports them: on an identity, or on the subscription whose accounts it checks (MFA,
    /// owners, external and deprecated accounts). "Risky identities" means these.
    pub fn about_identities(&self) -> bool {
        self.kind == ResourceKind::Identity
            || self.kind == ResourceKind::Subscription
                && self.category.eq_ignore_ascii_case("IdentityAndAccess")
    }

    /// True when the recommendation is about the signal.
    pub fn is_about(&self, signal: Signal) -> bool {
        self.signals.contains(&signal)
    }
}

/// A cloud resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    /// The resource id (ARM id, ARN, GCP resource name).
    pub id: String,
    /// The name.
    pub name: String,
    /// The kind.
    pub kind: ResourceKind,
    /// The provider's resource type (`Microsoft.Compute/virtualMachines`, `AWS::EC2::Instance`).
    pub resource_type: String,
    /// The subscription, account or project id.
    pub subscription: String,
    /// The resource group (Azure only).
    pub resource_group: Option<String>,
    /// The region.
    pub region: String,
    /// The cloud.
    pub cloud: Cloud,
    /// Tags, as the cloud reports them (untrusted text).
    #[serde(default)]
    pub tags: Vec<(String, String)>,
    /// Reachable from the internet.
    pub internet_exposed: bool,
    /// The sensitive-data classification, when the resource holds sensitive data.
    pub sensitive_data: Option<String>,
}

/// A container image's name without its tag ("checkout-api" of "checkout-api:1.14.2"), which
/// people use for it; `None` for a name with no tag.
pub fn untagged(name: &str) -> Option<&str> {
    name.rsplit_once(':').map(|(repository, _)| repository).filter(|r| !r.is_empty() && !r.contains("//"))
}

/// Whether a resource passes a recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Status {
    /// Fails the check: there is something to fix.
    Unhealthy,
    /// Passes the check.
    Healthy,
    /// The check does not apply (exempted, off by policy, unsupported).
    NotApplicable,
}

impl Status {
    /// The name Defender for Cloud uses (`Unhealthy`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unhealthy => "Unhealthy",
            Status::Healthy => "Healthy",
            Status::NotApplicable => "NotApplicable",
        }
    }
}

/// An owner and due date recorded for a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Governance {
    /// The owner's email.
    pub owner: String,
    /// When remediation is due.
    pub due: Date,
    /// Secure score is not affected until the due date.
    pub grace_period: bool,
}

impl Governance {
    /// True when the due date has passed on `today`.
    pub fn is_overdue(&self, today: Date) -> bool {
        self.due < today
    }
}

/// One recommendation evaluated on one resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The recommendation.
    pub recommendation: Arc<Recommendation>,
    /// The resource.
    pub resource: Arc<Resource>,
    /// Pass or fail.
    pub status: Status,
    /// The contextual risk level (needs Defender CSPM; `None` when not evaluated).
    pub risk: Option<Severity>,
    /// The context that raises the risk ("Internet exposure", "Sensitive data", ...).
    pub risk_factors: Vec<String>,
    /// Attack paths this finding is on.
    pub attack_paths: u32,
    /// When Defender first evaluated it.
    #[serde(with = "time::serde::rfc3339")]
    pub first_seen: OffsetDateTime,
    /// When its status last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub status_changed: OffsetDateTime,
    /// The owner and due date, when assigned.
    pub governance: Option<Governance>,
}

impl Finding {
    /// The level used to rank and filter: the risk level when evaluated, else the severity.
    pub fn level(&self) -> Severity {
        self.risk.unwrap_or(self.recommendation.severity)
    }
}

/// A known vulnerability (CVE) found on a machine or container image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vulnerability {
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
    /// The version found.
    pub installed_version: Option<String>,
    /// The first fixed version, if a fix exists.
    pub fixed_version: Option<String>,
    /// A public exploit is known.
    pub exploit_known: bool,
}

/// One hop of an attack path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathStep {
    /// The resource id of this hop.
    pub resource: String,
    /// Its name.
    pub name: String,
    /// What makes the hop possible ("Exposed to the internet", "Has permission to").
    pub insight: String,
}

/// A chain of weaknesses an attacker could follow from an entry point to a target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttackPath {
    /// The attack path id.
    pub id: String,
    /// The template name ("Internet exposed VM has high severity vulnerabilities").
    pub name: String,
    /// What the path is.
    pub description: String,
    /// The subscription it was found in.
    pub subscription: String,
    /// The risk level.
    pub risk: Severity,
    /// Risk categories ("Exposed to the internet", "Data exfiltration").
    pub risk_factors: Vec<String>,
    /// The hops, entry point first and target last.
    pub steps: Vec<PathStep>,
    /// The findings on the path, as (recommendation key, resource id); fixing them breaks it.
    pub findings: Vec<(String, String)>,
    /// How to break the path.
    pub break_steps: Vec<String>,
}

impl AttackPath {
    /// The entry point's resource id.
    pub fn entry(&self) -> &str {
        self.steps.first().map(|s| s.resource.as_str()).unwrap_or_default()
    }

    /// The target's resource id.
    pub fn target(&self) -> &str {
        self.steps.last().map(|s| s.resource.as_str()).unwrap_or_default()
    }
}

/// A request to assign an owner and due date to a finding, written to Defender for Cloud.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentRequest {
    /// The recommendation key.
    pub recommendation: String,
    /// The resource id.
    pub resource: String,
    /// The owner's email (or name when no email is known).
    pub owner: String,
    /// The due date.
    pub due: Date,
    /// Keep secure score unaffected until the due date.
    pub grace_period: bool,
    /// Email the owner and their manager.
    pub notify: bool,
}

/// Where a posture source's data comes from, for cards and `/readyz`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// A short name ("demo tenant", "snapshot.json", "Azure tenant 72f9…").
    pub name: String,
    /// True for embedded or offline data.
    pub offline: bool,
    /// The Azure portal its findings open in (`https://portal.azure.com`, or a sovereign
    /// cloud's portal), for "Open in Defender for Cloud" links.
    pub portal: String,
}

impl SourceInfo {
    /// The public cloud's portal.
    pub const PUBLIC_PORTAL: &'static str = "https://portal.azure.com";

    /// The portal of the cloud whose Resource Manager endpoint is `management_url`.
    pub fn portal_of(management_url: &str) -> &'static str {
        let host = management_url.trim_start_matches("https://").split('/').next().unwrap_or_default();
        match host {
            h if h.ends_with("usgovcloudapi.net") => "https://portal.azure.us",
            h if h.ends_with("chinacloudapi.cn") => "https://portal.azure.cn",
            _ => SourceInfo::PUBLIC_PORTAL,
        }
    }
}
