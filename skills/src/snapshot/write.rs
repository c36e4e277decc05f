//! Tenant data written out as the Resource Graph rows [`super::read`] reads back.

use std::io::{self, Write};

use secbot_chat::Cloud;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{RowWriter, group_from_id};
use crate::posture::{Alert, PathStep};
use crate::tenant::TenantData;

/// Writes tenant data as Resource Graph rows, in the `{"data": [...]}` shape of a Resource Graph
/// response, which [`super::read`] reads back; one row at a time, so the JSON is never held
/// whole. The number of rows written.
pub fn write(data: &TenantData, out: impl Write) -> io::Result<usize> {
    let mut rows = RowWriter::new(out)?;
    for s in &data.subscriptions {
        rows.row(&json!({
            "id": format!("/subscriptions/{}", s.id),
            "name": s.name,
            "type": "microsoft.resources/subscriptions",
            "subscriptionId": s.id,
            "properties": {"displayName": s.name, "cloud": s.cloud.as_str()},
        }))?;
        for plan in &s.plans {
            rows.row(&json!({
                "id": format!("/subscriptions/{}/providers/Microsoft.Security/pricings/{}", s.id, plan.pricing_name()),
                "name": plan.pricing_name(),
                "type": "microsoft.security/pricings",
                "subscriptionId": s.id,
                "properties": {"pricingTier": "Standard"},
            }))?;
        }
    }
    for r in &data.resources {
        let tags: Map<String, Value> =
            r.tags.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
        rows.row(&json!({
            "id": r.id,
            "name": r.name,
            "type": r.resource_type.to_ascii_lowercase(),
            "location": r.region,
            "resourceGroup": r.resource_group,
            "subscriptionId": r.subscription,
            "tags": tags,
        }))?;
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
        rows.row(&json!({
            "id": id,
            "name": rec.key,
            "type": "microsoft.security/assessments",
            "subscriptionId": res.subscription,
            "resourceGroup": res.resource_group,
            "location": res.region,
            "properties": properties,
        }))?;
        if let Some(g) = &f.governance {
            rows.row(&json!({
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
            }))?;
        }
        if rec.reports_cves() {
            for (n, v) in data.vulnerabilities.get(f.resource as usize).into_iter().flatten().enumerate() {
                rows.row(&json!({
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
                }))?;
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
        rows.row(&json!({
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
        }))?;
    }
    for alert in &data.alerts {
        rows.row(&alert_row(alert))?;
    }
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
        rows.row(&json!({
            "id": format!("/subscriptions/{}/providers/Microsoft.Security/secureScores/ascScore", s.subscription),
            "name": "ascScore",
            "type": "microsoft.security/securescores",
            "subscriptionId": s.subscription,
            "properties": {
                "displayName": "ASC score",
                "score": {"current": s.current, "max": s.max, "percentage": (s.percent() / 100.0 * 10_000.0).round() / 10_000.0},
            },
        }))?;
    }
    for c in &score.controls {
        let name: String = c.name.chars().filter(|ch| ch.is_ascii_alphanumeric()).collect();
        rows.row(&json!({
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
        }))?;
    }
    rows.finish(false)
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

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}
