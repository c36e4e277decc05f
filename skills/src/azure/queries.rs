//! The Resource Graph queries secbot runs. Each part of a [`FindingFilter`] becomes a typed
//! condition over columns computed the way [`crate::snapshot`] reads rows, so the rows a query
//! returns always include every finding the filter matches (the source then applies the filter
//! exactly). Values enter only as literals (see [`super::kql`]).

use secbot_chat::{Cloud, ResourceKind, Severity};
use time::{Date, Duration, OffsetDateTime, Time};

use super::kql::{Cond, Query, Table, TextOp, TimeOp};
use crate::catalog::Catalog;
use crate::posture::kinds::{IMAGE_MARK, IMAGE_SUFFIX, KIND_PREFIXES};
use crate::posture::{AlertFilter, FindingFilter, Status};

const WHERE_ASSESSMENTS: Cond = Cond::Is("type == 'microsoft.security/assessments'");
const WHERE_SUBASSESSMENTS: Cond = Cond::Is("type == 'microsoft.security/assessments/subassessments'");
const WHERE_GOVERNANCE: Cond = Cond::Is("type == 'microsoft.security/assessments/governanceassignments'");
const WHERE_ATTACK_PATHS: Cond = Cond::Is("type == 'microsoft.security/attackpaths'");
const WHERE_ALERTS: Cond = Cond::Is("type == 'microsoft.security/locations/alerts'");
const WHERE_SECURE_SCORES: Cond = Cond::Is(
    "type in~ ('microsoft.security/securescores', 'microsoft.security/securescores/securescorecontrols')",
);
const WHERE_SUBSCRIPTIONS: Cond = Cond::Is("type == 'microsoft.resources/subscriptions'");

/// The assessed resource's id as written (`resourceDetails.Id`, else the id before
/// `/providers/Microsoft.Security/assessments/`), and lower-cased for joins.
const RESOURCE_ID: &str = "rawResourceId = coalesce(tostring(properties.resourceDetails.Id), \
     tostring(properties.resourceDetails.id), tostring(properties.resourceDetails.AzureResourceId), \
     extract('(?i)^(.*?)/providers/microsoft.security/assessments/', 1, id))";
const RESOURCE_ID_LOWER: &str = "resourceId = tolower(rawResourceId)";
/// The resource a sub-assessment is on: the one in front of its parent assessment in its id.
const SUBASSESSED_RESOURCE_ID: &str = "rawResourceId = coalesce(\
     extract('(?i)^(.*?)/providers/microsoft.security/assessments/', 1, id), \
     tostring(properties.resourceDetails.Id), tostring(properties.resourceDetails.id), \
     tostring(properties.resourceDetails.AzureResourceId))";

/// Columns the finding conditions test.
const FINDING_COLUMNS: &str = "statusCode = tostring(properties.status.code), \
     riskLevel = tolower(trim(' ', tostring(properties.risk.level))), \
     metadataSeverity = tolower(trim(' ', tostring(properties.metadata.severity))), \
     resourceType = tolower(coalesce(tostring(properties.resourceDetails.ResourceType), \
     tostring(properties.resourceDetails.resourceType))), \
     resourceSource = tolower(coalesce(tostring(properties.resourceDetails.Source), \
     tostring(properties.resourceDetails.source))), \
     statusChanged = coalesce(todatetime(properties.status.statusChangeDate), \
     todatetime(properties.status.firstEvaluationDate), datetime(1970-01-01))";
const CLOUD: &str = "cloud = case(resourceSource == 'aws', 'aws', resourceSource == 'gcp', 'gcp', \
     rawResourceId startswith_cs 'arn:aws', 'aws', \
     rawResourceId startswith_cs '//' and rawResourceId contains_cs '.googleapis.com/', 'gcp', 'azure')";
const RESOURCE_NAME: &str = "resourceName = coalesce(tostring(properties.resourceDetails.ResourceName), \
     tostring(properties.resourceDetails.resourceName))";

/// Per resource: how many of its assessments name internet exposure or sensitive data as a
/// risk factor (the words [`crate::tenant::RiskFactors::parse`] looks for).
const RISK_FACTOR_WORDS: &str = "riskFactors = tolower(tostring(properties.risk.riskFactors))";
const SIGNALS: &str = "resourceExposureSignals = countif(riskFactors contains 'internet' or \
     riskFactors contains 'exposed'), resourceSensitiveSignals = countif(riskFactors contains 'sensitive') \
     by resourceId";

const ASSESSMENT_KEY: &str =
    "assessmentKey = strcat(resourceId, '/providers/microsoft.security/assessments/', tolower(name))";
const GOVERNANCE_COLUMNS: &str = "assessmentKey = tolower(coalesce(tostring(properties.assignedResourceId), \
     extract('^(.*?)/governanceAssignments/', 1, id))), governanceOwner = tostring(properties.owner), \
     governanceDue = todatetime(properties.remediationDueDate)";
const FINDING_SEVERITY: &str = "statusSeverity = tolower(trim(' ', tostring(properties.status.severity))), \
     detailSeverity = tolower(trim(' ', tostring(properties.additionalData.vulnerabilityDetails.severity)))";
const EFFECTIVE_SEVERITY: &str = "findingSeverity = iff(statusSeverity in ('low', 'medium', 'moderate', \
     'high', 'critical'), statusSeverity, iff(detailSeverity in ('low', 'medium', 'moderate', 'high', \
     'critical'), detailSeverity, ''))";

/// The columns of a raw `securityresources` row, plus the resource signals secbot computes.
const ROW: &str = "id, name, type, tenantId, location, resourceGroup, subscriptionId, properties, tags, \
     resourceExposureSignals, resourceSensitiveSignals";
const RESOURCE_ROW: &str = "id, name, type, location, resourceGroup, subscriptionId, tags";

/// Resource ids (lower case) that attack path insights mark as internet-exposed or holding
/// sensitive data; the risk factors of assessments are counted by the query itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PathSignals {
    /// Marked "Exposed to the internet".
    pub(crate) exposed: Vec<String>,
    /// Marked "Contains sensitive data".
    pub(crate) sensitive: Vec<String>,
}

/// The names a severity is written with, lower case (as `Severity::from_str` reads them).
fn severity_names(level: Severity) -> &'static [&'static str] {
    match level {
        Severity::Low => &["low"],
        Severity::Medium => &["medium", "moderate"],
        Severity::High => &["high"],
        Severity::Critical => &["critical"],
    }
}

fn names_of(levels: &[Severity]) -> Vec<&'static str> {
    levels.iter().flat_map(|l| severity_names(*l).iter().copied()).collect()
}

fn all_names() -> Vec<&'static str> {
    names_of(&Severity::ALL)
}

/// A recommendation's severity is the catalog's when the key is known, else the metadata's
/// (Medium when it is missing), so the condition admits both.
fn severity_cond(levels: &[Severity]) -> Cond {
    let known: Vec<String> = Catalog::embedded()
        .recommendations()
        .iter()
        .filter(|r| levels.contains(&r.severity) && !r.key.starts_with("x-"))
        .map(|r| r.key.clone())
        .collect();
    let mut any = Vec::new();
    if !known.is_empty() {
        any.push(Cond::one_of("name", known));
    }
    any.push(Cond::one_of_exactly("metadataSeverity", names_of(levels)));
    any.push(Cond::none_of_exactly("metadataSeverity", all_names()));
    Cond::Any(any)
}

fn level_cond(levels: &[Severity]) -> Cond {
    Cond::Any(vec![
        Cond::one_of_exactly("riskLevel", names_of(levels)),
        Cond::All(vec![Cond::none_of_exactly("riskLevel", all_names()), severity_cond(levels)]),
    ])
}

fn status_cond(statuses: &[Status]) -> Cond {
    Cond::Any(
        statuses
            .iter()
            .map(|s| match s {
                Status::Unhealthy => Cond::one_of_exactly("statusCode", ["Unhealthy"]),
                Status::Healthy => Cond::one_of_exactly("statusCode", ["Healthy"]),
                Status::NotApplicable => Cond::none_of_exactly("statusCode", ["Healthy", "Unhealthy"]),
            })
            .collect(),
    )
}

/// The condition for resource kinds, or `None` when it cannot narrow the rows (a kind of
/// "other" is whatever no prefix matches).
fn kind_cond(kinds: &[ResourceKind]) -> Option<Cond> {
    if kinds.is_empty() || kinds.contains(&ResourceKind::Other) {
        return None;
    }
    let mut any = vec![Cond::Is("isempty(resourceType)")];
    if kinds.contains(&ResourceKind::Identity) {
        let keys = Catalog::embedded().recommendations().iter().filter(|r| r.about_identities());
        any.push(Cond::one_of("name", keys.map(|r| r.key.clone())));
    }
    for kind in kinds {
        if *kind == ResourceKind::ContainerImage {
            any.push(Cond::text("resourceType", TextOp::EndsWith, IMAGE_SUFFIX));
            any.push(Cond::text("resourceType", TextOp::Contains, IMAGE_MARK));
        }
        for (k, prefixes) in KIND_PREFIXES {
            if k == *kind {
                any.extend(prefixes.iter().map(|p| Cond::text("resourceType", TextOp::StartsWith, *p)));
            }
        }
    }
    Some(Cond::Any(any))
}

/// True when the kind condition admits a provider type (the same test KQL makes), for tests.
#[cfg(test)]
fn kind_cond_admits(kinds: &[ResourceKind], resource_type: &str) -> bool {
    if kinds.is_empty() || kinds.contains(&ResourceKind::Other) || resource_type.is_empty() {
        return true;
    }
    let t = resource_type.to_lowercase();
    kinds.iter().any(|kind| {
        (*kind == ResourceKind::ContainerImage && (t.ends_with(IMAGE_SUFFIX) || t.contains(IMAGE_MARK)))
            || KIND_PREFIXES
                .iter()
                .any(|(k, prefixes)| k == kind && prefixes.iter().any(|p| t.starts_with(p)))
    })
}

fn cloud_name(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Azure => "azure",
        Cloud::Aws => "aws",
        Cloud::Gcp => "gcp",
    }
}

/// Midnight UTC of the day after `day`: every due date on or before `day` is earlier.
fn end_of(day: Date) -> OffsetDateTime {
    (day + Duration::days(1)).with_time(Time::MIDNIGHT).assume_utc()
}

fn assessments() -> Query {
    Query::from(Table::SecurityResources)
        .filter(WHERE_ASSESSMENTS)
        .extend(RESOURCE_ID)
        .extend(RESOURCE_ID_LOWER)
}

/// Assessments matching a filter, each with its resource's exposure and sensitive-data
/// signals, in id order.
pub(crate) fn findings(filter: &FindingFilter, paths: &PathSignals) -> Query {
    let mut row = vec![status_cond(&filter.wanted_statuses())];
    if let Some(key) = &filter.recommendation {
        row.push(Cond::text("name", TextOp::EqualsIgnoreCase, key.clone()));
    }
    if let Some(id) = &filter.resource {
        row.push(Cond::text("resourceId", TextOp::EqualsIgnoreCase, id.clone()));
    }
    if !filter.levels.is_empty() {
        row.push(level_cond(&filter.levels));
    }
    if !filter.risk_levels.is_empty() {
        row.push(Cond::one_of_exactly("riskLevel", names_of(&filter.risk_levels)));
    }
    if !filter.severities.is_empty() {
        row.push(severity_cond(&filter.severities));
    }
    if let Some(kinds) = kind_cond(&filter.kinds) {
        row.push(kinds);
    }
    if !filter.clouds.is_empty() {
        row.push(Cond::one_of_exactly("cloud", filter.clouds.iter().map(|c| cloud_name(*c))));
    }
    if let Some(since) = filter.changed_since {
        row.push(Cond::Time { column: "statusChanged", op: TimeOp::AtOrAfter, value: since });
    }
    if filter.vulnerabilities_at_least.is_some() {
        let keys = Catalog::embedded().recommendations().iter().filter(|r| r.reports_cves());
        row.push(Cond::one_of("name", keys.map(|r| r.key.clone())));
    }
    let signals = Query::from(Table::SecurityResources)
        .filter(WHERE_ASSESSMENTS)
        .extend(RESOURCE_ID)
        .extend(RESOURCE_ID_LOWER)
        .extend(RISK_FACTOR_WORDS)
        .summarize(SIGNALS);
    let mut query = assessments()
        .extend(FINDING_COLUMNS)
        .extend(CLOUD)
        .filter(Cond::All(row))
        .join_left_outer(signals, "resourceId");

    let mut context = Vec::new();
    match filter.internet_exposed {
        Some(true) => context.push(Cond::Any(vec![
            Cond::Is("resourceExposureSignals > 0"),
            Cond::one_of("resourceId", paths.exposed.clone()),
        ])),
        Some(false) => context.push(Cond::All(vec![
            Cond::Is("(isnull(resourceExposureSignals) or resourceExposureSignals == 0)"),
            Cond::none_of("resourceId", paths.exposed.clone()),
        ])),
        None => {}
    }
    match filter.sensitive_data {
        Some(true) => context.push(Cond::Any(vec![
            Cond::Is("resourceSensitiveSignals > 0"),
            Cond::one_of("resourceId", paths.sensitive.clone()),
        ])),
        Some(false) => context.push(Cond::All(vec![
            Cond::Is("(isnull(resourceSensitiveSignals) or resourceSensitiveSignals == 0)"),
            Cond::none_of("resourceId", paths.sensitive.clone()),
        ])),
        None => {}
    }
    query = query.filter(Cond::All(context));

    if filter.owner.is_some() || filter.assigned.is_some() || filter.due_before.is_some() {
        let governance = Query::from(Table::SecurityResources)
            .filter(WHERE_GOVERNANCE)
            .extend(GOVERNANCE_COLUMNS)
            .project("assessmentKey, governanceOwner, governanceDue");
        let mut owned = Vec::new();
        if filter.assigned == Some(false) {
            owned.push(Cond::Is("isnull(governanceDue)"));
        } else {
            owned.push(Cond::Is("isnotnull(governanceDue)"));
        }
        if let Some(owner) = &filter.owner {
            let mut any = vec![Cond::text("governanceOwner", TextOp::EqualsIgnoreCase, owner.clone())];
            if owner.eq_ignore_ascii_case("unspecified") {
                any.push(Cond::Is("isempty(governanceOwner)"));
            }
            owned.push(Cond::Any(any));
        }
        if let Some(day) = filter.due_before {
            owned.push(Cond::Time { column: "governanceDue", op: TimeOp::Before, value: end_of(day) });
        }
        query = query
            .extend(ASSESSMENT_KEY)
            .join_left_outer(governance, "assessmentKey")
            .filter(Cond::All(owned));
    }

    if let Some(min) = filter.vulnerabilities_at_least {
        let vulnerable =
            subassessments_at_least(min).summarize("resourceVulnerabilities = count() by resourceId");
        query =
            query.join_left_outer(vulnerable, "resourceId").filter(Cond::Is("resourceVulnerabilities > 0"));
    }
    query.project(ROW).order_by("id asc")
}

/// Every assessment (any status) of these resources, so their context is complete.
pub(crate) fn assessments_on(resource_ids: &[String]) -> Query {
    assessments().filter(Cond::one_of("resourceId", resource_ids.iter().cloned())).order_by("id asc")
}

/// Every assessment of one recommendation.
pub(crate) fn assessments_of(key: &str) -> Query {
    Query::from(Table::SecurityResources)
        .filter(WHERE_ASSESSMENTS)
        .filter(Cond::text("name", TextOp::EqualsIgnoreCase, key))
        .order_by("id asc")
}

/// Every assessment of resources with this name.
pub(crate) fn assessments_named(name: &str) -> Query {
    assessments()
        .extend(RESOURCE_NAME)
        .filter(Cond::Any(vec![
            Cond::text("resourceName", TextOp::EqualsIgnoreCase, name),
            Cond::text("resourceId", TextOp::EndsWith, format!("/{name}")),
        ]))
        .order_by("id asc")
}

/// Every assessment in scope (for snapshots).
pub(crate) fn all_assessments() -> Query {
    Query::from(Table::SecurityResources).filter(WHERE_ASSESSMENTS).order_by("id asc")
}

/// Every governance assignment in scope.
pub(crate) fn governance() -> Query {
    Query::from(Table::SecurityResources).filter(WHERE_GOVERNANCE).order_by("id asc")
}

/// The governance assignments of one finding.
pub(crate) fn governance_of(recommendation: &str, resource: &str) -> Query {
    let key = format!("{resource}/providers/microsoft.security/assessments/{recommendation}");
    Query::from(Table::SecurityResources)
        .filter(WHERE_GOVERNANCE)
        .extend(GOVERNANCE_COLUMNS)
        .filter(Cond::text("assessmentKey", TextOp::EqualsIgnoreCase, key))
        .order_by("id asc")
}

/// Sub-assessments (CVEs) at or above a severity, or whose severity is only known from CVSS.
pub(crate) fn subassessments_at_least(min: Severity) -> Query {
    let levels: Vec<Severity> = Severity::ALL.into_iter().filter(|l| *l >= min).collect();
    Query::from(Table::SecurityResources)
        .filter(WHERE_SUBASSESSMENTS)
        .extend(SUBASSESSED_RESOURCE_ID)
        .extend(RESOURCE_ID_LOWER)
        .extend(FINDING_SEVERITY)
        .extend(EFFECTIVE_SEVERITY)
        .filter(Cond::Any(vec![
            Cond::one_of_exactly("findingSeverity", names_of(&levels)),
            Cond::Is("isempty(findingSeverity)"),
        ]))
}

/// The sub-assessments (CVEs) found on one resource.
pub(crate) fn subassessments_on(resource: &str) -> Query {
    Query::from(Table::SecurityResources)
        .filter(WHERE_SUBASSESSMENTS)
        .extend(SUBASSESSED_RESOURCE_ID)
        .extend(RESOURCE_ID_LOWER)
        .filter(Cond::text("resourceId", TextOp::EqualsIgnoreCase, resource))
        .order_by("id asc")
}

/// Every sub-assessment in scope (for snapshots).
pub(crate) fn all_subassessments() -> Query {
    Query::from(Table::SecurityResources).filter(WHERE_SUBASSESSMENTS).order_by("id asc")
}

/// Every attack path in scope.
pub(crate) fn attack_paths() -> Query {
    Query::from(Table::SecurityResources).filter(WHERE_ATTACK_PATHS).order_by("id asc")
}

/// Columns the alert conditions test: Resource Graph spells alert properties `Status`,
/// `Severity` and `StartTimeUtc`, the REST API `status`, ...; both are read.
const ALERT_COLUMNS: &str = "alertStatus = tolower(coalesce(tostring(properties.Status), tostring(properties.status))), \
     alertSeverity = tolower(coalesce(tostring(properties.Severity), tostring(properties.severity))), \
     alertStart = coalesce(todatetime(properties.StartTimeUtc), todatetime(properties.startTimeUtc), \
     todatetime(properties.TimeGeneratedUtc), todatetime(properties.timeGeneratedUtc))";

/// Security alerts in scope: open ones unless closed ones are asked for too, in the time
/// window asked for, of the severities asked for (Low also reads Informational, as secbot
/// shows informational alerts as low). Kinds, clouds and resources are filtered on the rows.
pub(crate) fn alerts(filter: &AlertFilter) -> Query {
    let mut row = Vec::new();
    if !filter.closed_too {
        row.push(Cond::one_of_exactly("alertStatus", ["active", "inprogress"]));
    }
    if !filter.severities.is_empty() {
        let mut names = names_of(&filter.severities);
        if filter.severities.contains(&Severity::Low) {
            names.push("informational");
        }
        row.push(Cond::one_of_exactly("alertSeverity", names));
    }
    if let Some(since) = filter.since {
        row.push(Cond::Time { column: "alertStart", op: TimeOp::AtOrAfter, value: since });
    }
    if let Some(until) = filter.until {
        row.push(Cond::Time { column: "alertStart", op: TimeOp::Before, value: until });
    }
    Query::from(Table::SecurityResources)
        .filter(WHERE_ALERTS)
        .extend(ALERT_COLUMNS)
        .filter(Cond::All(row))
        .order_by("alertStart desc, id asc")
}

/// One alert by id.
pub(crate) fn alert(id: &str) -> Query {
    Query::from(Table::SecurityResources).filter(WHERE_ALERTS).filter(Cond::text(
        "id",
        TextOp::EqualsIgnoreCase,
        id.to_owned(),
    ))
}

/// Every subscription's secure score and the controls it is made of.
pub(crate) fn secure_scores() -> Query {
    Query::from(Table::SecurityResources).filter(WHERE_SECURE_SCORES).order_by("id asc")
}

/// How many resources fail each recommendation, per subscription: how a control's potential
/// score increase is shared among its recommendations.
pub(crate) fn unhealthy_counts() -> Query {
    Query::from(Table::SecurityResources)
        .filter(WHERE_ASSESSMENTS)
        .filter(Cond::Is("properties.status.code =~ 'Unhealthy'"))
        .summarize("unhealthy = count() by subscriptionId, key = tolower(name)")
        .order_by("subscriptionId asc, key asc")
}

/// The subscriptions in scope, with their display names.
pub(crate) fn subscriptions() -> Query {
    Query::from(Table::ResourceContainers).filter(WHERE_SUBSCRIPTIONS).order_by("id asc")
}

/// Azure resources by id: names, regions and tags.
pub(crate) fn resources_by_id(ids: &[String]) -> Query {
    Query::from(Table::Resources)
        .filter(Cond::one_of("id", ids.iter().cloned()))
        .project(RESOURCE_ROW)
        .order_by("id asc")
}

/// Azure resources with this name.
pub(crate) fn resources_named(name: &str) -> Query {
    Query::from(Table::Resources)
        .filter(Cond::text("name", TextOp::EqualsIgnoreCase, name))
        .project(RESOURCE_ROW)
        .order_by("id asc")
}

/// The distinct names and types of assessed resources.
pub(crate) fn assessed_names() -> Query {
    Query::from(Table::SecurityResources)
        .filter(WHERE_ASSESSMENTS)
        .extend(RESOURCE_NAME)
        .extend(
            "resourceType = coalesce(tostring(properties.resourceDetails.ResourceType), \
             tostring(properties.resourceDetails.resourceType))",
        )
        .filter(Cond::Is("isnotempty(resourceName)"))
        .distinct("resourceName, resourceType")
        .order_by("resourceName asc")
}

/// Azure resources that Defender for Cloud assesses (for snapshots).
pub(crate) fn assessed_resources() -> Query {
    let assessed = Query::from(Table::SecurityResources)
        .filter(WHERE_ASSESSMENTS)
        .extend(RESOURCE_ID)
        .extend(RESOURCE_ID_LOWER);
    Query::from(Table::Resources)
        .extend("resourceId = tolower(id)")
        .join_inner(assessed.distinct("resourceId"), "resourceId")
        .project(RESOURCE_ROW)
        .order_by("id asc")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::posture::kind_of_type;

    #[test]
    fn the_kind_condition_admits_every_type_of_the_kind() {
        let mut types: Vec<String> =
            Catalog::embedded().recommendations().iter().flat_map(|r| r.arm_types.iter().cloned()).collect();
        types.extend(
            [
                "Microsoft.ContainerRegistry/registries/images",
                "AWS::EC2::Instance",
                "AWS::S3::Bucket",
                "compute.googleapis.com/Instance",
                "sqladmin.googleapis.com/Instance",
                "Microsoft.Network/networkSecurityGroups",
                "Microsoft.Batch/batchAccounts",
            ]
            .map(str::to_owned),
        );
        for t in &types {
            let kind = kind_of_type(t);
            assert!(kind_cond_admits(&[kind], t), "{t} is a {kind:?} but the query would drop it");
        }
    }

    #[test]
    fn a_filter_becomes_conditions_on_computed_columns() {
        let filter = FindingFilter {
            levels: vec![Severity::Critical],
            internet_exposed: Some(true),
            clouds: vec![Cloud::Aws],
            owner: Some("dana@contoso.com".into()),
            ..FindingFilter::default()
        };
        let paths = PathSignals { exposed: vec!["/subscriptions/s/vm".into()], sensitive: Vec::new() };
        let kql = findings(&filter, &paths).to_string();
        assert!(kql.starts_with("securityresources\n| where type == 'microsoft.security/assessments'\n"));
        assert!(kql.contains("(riskLevel in ('critical') or (riskLevel !in ("), "{kql}");
        assert!(kql.contains("cloud in ('aws')"), "{kql}");
        assert!(
            kql.contains("resourceExposureSignals > 0 or resourceId in~ ('/subscriptions/s/vm')"),
            "{kql}"
        );
        assert!(kql.contains("governanceOwner =~ 'dana@contoso.com'"), "{kql}");
        assert!(kql.ends_with("| order by id asc"), "{kql}");
        assert_eq!(kql.matches("join kind=").count(), 2, "at most three joins, as Resource Graph allows");
    }

    #[test]
    fn an_identity_filter_keeps_the_account_assessments_on_subscriptions() {
        let filter = FindingFilter { kinds: vec![ResourceKind::Identity], ..FindingFilter::default() };
        let kql = findings(&filter, &PathSignals::default()).to_string();
        let mfa = Catalog::embedded()
            .recommendations()
            .iter()
            .find(|r| {
                r.name == "MFA should be enabled on accounts with owner permissions on your subscription"
            })
            .expect("in the catalog");
        assert!(mfa.about_identities());
        assert!(kql.contains(&mfa.key.to_lowercase()) || kql.contains(&mfa.key), "{kql}");
        assert!(
            kql.contains("resourceType startswith"),
            "identity resources are still matched by type: {kql}"
        );
    }
}
