//! The demo tenant's security alerts: each alert type of `data/alerts.json` raised once on a
//! resource of its kind, spread over the week before the tenant's day (three of them last
//! night), a few already in progress, resolved or dismissed.

use std::sync::{Arc, OnceLock};

use secbot_chat::{Cloud, ResourceKind, Severity};
use serde::Deserialize;
use time::{Duration, OffsetDateTime, Time};

use super::rng::Rng;
use crate::posture::{Alert, AlertStatus, Resource, SourceInfo, Subscription};

/// One alert type the demo raises, with the text it is shown with.
#[derive(Debug, Deserialize)]
pub(crate) struct AlertTemplate {
    alert_type: String,
    name: String,
    severity: String,
    kind: String,
    cloud: String,
    product: String,
    tactics: Vec<String>,
    description: String,
    remediation: Vec<String>,
    #[serde(default)]
    incident: bool,
}

/// The embedded alert types.
pub(crate) fn templates() -> &'static [AlertTemplate] {
    static TEMPLATES: OnceLock<Vec<AlertTemplate>> = OnceLock::new();
    TEMPLATES.get_or_init(|| {
        serde_json::from_str(include_str!("../../data/alerts.json")).expect("data/alerts.json is valid")
    })
}

/// Hours before the tenant's day starts at which each alert was detected, in template order:
/// the first three fall last night.
const HOURS_BEFORE: [i64; 20] =
    [1, 3, 5, 9, 14, 20, 27, 33, 41, 50, 58, 66, 79, 93, 110, 128, 141, 150, 158, 165];

/// The alerts of a demo tenant built for `today`.
pub(crate) fn raise(
    today: time::Date,
    seed: &Rng,
    resources: &[Arc<Resource>],
    subscriptions: &[Subscription],
) -> Vec<Alert> {
    let mut rng = seed.fork("alerts");
    let midnight = OffsetDateTime::new_utc(today, Time::MIDNIGHT);
    let mut alerts = Vec::new();
    for (i, t) in templates().iter().enumerate() {
        let (Ok(kind), Ok(cloud)) = (t.kind.parse::<ResourceKind>(), t.cloud.parse::<Cloud>()) else {
            continue;
        };
        let informational = t.severity.eq_ignore_ascii_case("informational");
        let severity =
            if informational { Severity::Low } else { t.severity.parse().unwrap_or(Severity::Medium) };
        let (resource, entity, subscription, group) = if kind == ResourceKind::Subscription {
            let Some(sub) = subscriptions.iter().find(|s| s.cloud == cloud) else { continue };
            (None, sub.name.clone(), sub.id.clone(), String::new())
        } else {
            // Windows detections land on Windows machines, SSH ones on Linux machines.
            let os = if t.alert_type.contains("Windows") || t.alert_type.starts_with("Antimalware") {
                Some("windows")
            } else if t.alert_type.contains("Ssh") {
                Some("linux")
            } else {
                None
            };
            let runs = |r: &Resource| {
                os.is_none_or(|os| r.tags.iter().any(|(k, v)| k == "os" && v.eq_ignore_ascii_case(os)))
            };
            let mut candidates: Vec<&Arc<Resource>> =
                resources.iter().filter(|r| r.kind == kind && r.cloud == cloud && runs(r)).collect();
            if candidates.is_empty() {
                candidates = resources.iter().filter(|r| r.kind == kind && r.cloud == cloud).collect();
            }
            if candidates.is_empty() {
                continue;
            }
            let r = *rng.pick(&candidates);
            (
                Some(r.id.clone()),
                r.name.clone(),
                r.subscription.clone(),
                r.resource_group.clone().unwrap_or_default(),
            )
        };
        let ip = format!("{}.{}", rng.pick(&["203.0.113", "198.51.100", "192.0.2"]), 10 + rng.below(240));
        let account =
            rng.pick(&["svc-deploy", "build-agent", "j.morgan@contoso.com", "backup-operator"]).to_string();
        let fill = |text: &str| {
            text.replace("{{resource}}", &entity).replace("{{ip}}", &ip).replace("{{account}}", &account)
        };
        let hours = HOURS_BEFORE[i % HOURS_BEFORE.len()];
        let detected = midnight - Duration::hours(hours) - Duration::minutes(rng.range(0, 59));
        let status = match i % 8 {
            _ if hours < 24 => AlertStatus::Active,
            3 => AlertStatus::InProgress,
            5 => AlertStatus::Resolved,
            7 => AlertStatus::Dismissed,
            _ => AlertStatus::Active,
        };
        let location = if cloud == Cloud::Azure { "westeurope" } else { "centralus" };
        let name = format!(
            "{}_{}-{}-{}-{}-{}",
            2_518_000_000_000_000_000u64 + rng.below(999_999_999_999),
            rng.hex(8),
            rng.hex(4),
            rng.hex(4),
            rng.hex(4),
            rng.hex(12)
        );
        let group_part = if group.is_empty() { String::new() } else { format!("/resourceGroups/{group}") };
        let id = format!(
            "/subscriptions/{subscription}{group_part}/providers/Microsoft.Security/locations/{location}/alerts/{name}"
        );
        alerts.push(Alert {
            portal: Alert::portal_link(SourceInfo::PUBLIC_PORTAL, &id),
            id,
            alert_type: t.alert_type.clone(),
            name: t.name.clone(),
            severity,
            informational,
            status,
            description: fill(&t.description),
            remediation: t.remediation.iter().map(|s| fill(s)).collect(),
            entity,
            resource,
            kind,
            subscription,
            cloud,
            tactics: t.tactics.clone(),
            product: t.product.clone(),
            detected,
            incident: t.incident,
        });
    }
    alerts
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use crate::demo::{DemoOptions, tenant};

    #[test]
    fn the_demo_raises_every_alert_type_on_a_resource_it_has() {
        let data = tenant(&DemoOptions::for_day(date!(2026 - 11 - 25)));
        assert_eq!(data.alerts.len(), super::templates().len(), "every alert type found a resource");
        for a in &data.alerts {
            assert!(!a.remediation.is_empty() && !a.description.contains("{{"), "{} is filled in", a.name);
            if let Some(id) = &a.resource {
                let r = data.resources.iter().find(|r| &r.id == id).expect("the alert's resource exists");
                assert_eq!((r.kind, r.cloud, r.name.as_str()), (a.kind, a.cloud, a.entity.as_str()));
            }
            assert!(a.portal.as_deref().is_some_and(|p| p.starts_with("https://portal.azure.com/#blade/")));
        }
        let last_night = data
            .alerts
            .iter()
            .filter(|a| a.detected.date() == date!(2026 - 11 - 24) && a.detected.hour() >= 18)
            .count();
        assert_eq!(last_night, 3);
        assert!(data.alerts.iter().any(|a| !a.status.is_open()), "some alerts are already closed");
        assert_eq!(data.alerts.iter().filter(|a| a.incident).count(), 1);
    }
}
