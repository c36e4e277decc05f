//! Security alerts as the skills answer them: a list ("last night's high severity alerts"), one
//! alert explained, and what to do about it from the alert's own remediation steps. Delegating
//! an alert goes through the delegate skill like a finding.

use secbot_chat::{
    Action, ActionStyle, Card, Command, Fact, Intent, Item, Link, Section, Severity, Slots, Subject,
};
use time::{OffsetDateTime, UtcOffset};

use super::list_risks::page_size;
use super::present::subscription_name;
use super::{Answer, Request, SkillError};
use crate::posture::{Alert, AlertFilter, AlertStatus, Subscription};

/// The subject of an alert.
pub(crate) fn subject(alert: &Alert) -> Subject {
    Subject::Alert { id: alert.id.clone() }
}

/// When something happened, as a card shows it: "Sat 5 Dec 22:14 UTC".
pub(crate) fn moment(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "{} {} {} {:02}:{:02} UTC",
        &t.weekday().to_string()[..3],
        t.day(),
        &t.month().to_string()[..3],
        t.hour(),
        t.minute()
    )
}

/// The filter a prompt's slots ask for, within the channel's scope.
pub(crate) fn filter(req: &Request<'_>, slots: &Slots, subscriptions: &[Subscription]) -> AlertFilter {
    let mut scope = req.scope.to_vec();
    if let Some(named) = &slots.subscription {
        let wanted: Vec<String> = subscriptions
            .iter()
            .filter(|s| s.name.eq_ignore_ascii_case(named) || s.id.eq_ignore_ascii_case(named))
            .map(|s| s.id.clone())
            .collect();
        scope = if scope.is_empty() {
            wanted
        } else {
            scope.into_iter().filter(|s| wanted.contains(s)).collect()
        };
        if scope.is_empty() {
            scope.push(named.clone());
        }
    }
    // Defender rates alerts up to high: "critical alerts" are its high ones.
    let mut severities: Vec<Severity> =
        slots.severity.iter().map(|s| if *s == Severity::Critical { Severity::High } else { *s }).collect();
    severities.dedup();
    AlertFilter {
        severities,
        since: slots.since,
        until: slots.until,
        closed_too: false,
        subscriptions: scope,
        kinds: slots.resource_type.into_iter().collect(),
        clouds: slots.cloud.into_iter().collect(),
        resource: None,
    }
}

/// The open alerts a list question asks for, most severe and newest first, five at a time.
pub(crate) async fn list(req: &Request<'_>) -> Result<Answer, SkillError> {
    let slots = &req.parse.slots;
    let subs = req.source.subscriptions().await?;
    let mut filter = filter(req, slots, &subs);
    if let Some(name) = &slots.resource {
        match req.source.resources_named(name).await?.into_iter().find(|r| {
            filter.subscriptions.is_empty()
                || filter.subscriptions.iter().any(|s| s.eq_ignore_ascii_case(&r.subscription))
        }) {
            Some(r) => filter.resource = Some(r.id.clone()),
            None => {
                let mut card = Card::titled(format!("I don't know {name}"));
                card.summary = Some(format!(
                    "No resource named {name} is in this channel's subscriptions. Check the name, or ask for all open alerts."
                ));
                return Ok(Answer::card(card));
            }
        }
    }
    let alerts = req.source.alerts(&filter).await?;
    let offset = req.offset as usize;
    let mut card = Card::titled(title(slots));
    if alerts.is_empty() {
        card.summary = Some(if let Some(name) = &slots.resource {
            format!("No open security alerts on {name}.")
        } else if slots.has_filters() {
            "No open security alerts match. Nothing was detected there, or the filters are narrower than you meant.".to_owned()
        } else {
            "No open security alerts: Defender for Cloud has detected nothing that still needs someone."
                .to_owned()
        });
        if slots.has_filters() {
            card.actions.push(open_alerts(req, "Show all open alerts"));
        }
        return Ok(Answer::card(card).about(Some(Subject::list(Vec::new()))));
    }
    if offset >= alerts.len() {
        card.summary = Some(format!("That's the whole list: {} alerts match.", alerts.len()));
        return Ok(Answer::card(card));
    }
    let page = &alerts[offset..alerts.len().min(offset + page_size(slots))];
    card.severity = page.first().map(|a| a.severity);
    let mut counts: Vec<String> = Vec::new();
    for level in [Severity::High, Severity::Medium, Severity::Low] {
        let n = alerts.iter().filter(|a| a.severity == level).count();
        if n > 0 {
            counts.push(format!("{n} {}", level.as_str()));
        }
    }
    card.summary = Some(format!(
        "{} open alert{} ({}). Most severe and newest first; showing {}–{}.",
        alerts.len(),
        if alerts.len() == 1 { "" } else { "s" },
        counts.join(", "),
        offset + 1,
        offset + page.len()
    ));
    card.first_item = offset + 1;
    for a in page {
        card.items.push(item(req, a, &subs));
    }
    if offset + page.len() < alerts.len() {
        card.actions.push(Action::new(
            "Show more",
            req.response_id,
            Command::Run {
                intent: Intent::ListRisks,
                subject: None,
                slots: slots.clone(),
                offset: (offset + page.len()) as u32,
            },
        ));
    }
    Ok(Answer::card(card).about(Some(Subject::list(page.iter().map(|a| subject(a)).collect()))))
}

/// A button that lists every open alert.
pub(crate) fn open_alerts(req: &Request<'_>, label: &str) -> Action {
    let slots = Slots { alerts: Some(true), ..Slots::default() };
    Action::new(
        label,
        req.response_id,
        Command::Run { intent: Intent::ListRisks, subject: None, slots, offset: 0 },
    )
}

fn title(slots: &Slots) -> String {
    let mut title = String::new();
    if let [only] = slots.severity.as_slice() {
        title.push_str(&format!("{} severity ", only.label()));
    }
    title.push_str(if title.is_empty() { "Open security alerts" } else { "security alerts" });
    if let Some(kind) = slots.resource_type {
        title.push_str(&format!(" on {}", kind.plural()));
    }
    if let Some(cloud) = slots.cloud {
        title.push_str(&format!(" in {}", cloud.label()));
    }
    match (slots.since, slots.until) {
        (Some(since), Some(until)) => {
            title.push_str(&format!(" from {} to {}", moment(since), moment(until)));
        }
        (Some(since), None) => title.push_str(&format!(" since {}", moment(since))),
        _ => {}
    }
    title
}

/// One alert as a list row, with its buttons.
pub(crate) fn item(req: &Request<'_>, a: &Alert, subs: &[Subscription]) -> Item {
    let subject = subject(a);
    Item {
        title: a.name.clone(),
        subtitle: Some({
            let place = subscription_name(subs, &a.subscription);
            if a.entity == place {
                format!("{place} · {}", moment(a.detected))
            } else {
                format!("{} · {place} · {}", a.entity, moment(a.detected))
            }
        }),
        severity: Some(a.severity),
        facts: if a.status.is_open() { Vec::new() } else { vec![Fact::new("Status", a.status.to_string())] },
        actions: vec![
            Action::run("Explain", req.response_id, Intent::Explain, Some(subject.clone())),
            Action::run("What to do", req.response_id, Intent::Remediate, Some(subject.clone())),
            Action::run("Delegate", req.response_id, Intent::Delegate, Some(subject)),
        ],
    }
}

fn link(a: &Alert) -> Option<Link> {
    let link = Link { label: "Open in Defender for Cloud".to_owned(), url: a.portal.clone()? };
    link.is_showable().then_some(link)
}

fn facts(a: &Alert, subs: &[Subscription]) -> Vec<Fact> {
    let mut facts = vec![
        Fact::new("Severity", a.severity_label()),
        Fact::new("Status", a.status.to_string()),
        Fact::new("Detected", moment(a.detected)),
        Fact::new("On", format!("{} ({})", a.entity, subscription_name(subs, &a.subscription))),
    ];
    if !a.tactics.is_empty() {
        facts.push(Fact::new("MITRE ATT&CK", a.tactics.join(", ")));
    }
    if !a.product.is_empty() {
        facts.push(Fact::new("Raised by", a.product.clone()));
    }
    facts
}

/// The note on an alert's card that it is already resolved or dismissed.
fn closed(a: &Alert) -> Option<String> {
    (!a.status.is_open()).then(|| format!("This alert is already {}.", a.status.to_string().to_lowercase()))
}

/// The card for an alert the source no longer has (or never had).
fn gone() -> Answer {
    let mut card = Card::titled("That alert is gone");
    card.summary = Some(
        "Defender for Cloud no longer has that alert. Ask for open alerts to see what is current.".to_owned(),
    );
    Answer::card(card)
}

/// What an alert is: what was detected, where, when, and how serious.
pub(crate) async fn explain(req: &Request<'_>, id: &str) -> Result<Answer, SkillError> {
    let Some(a) = req.source.alert(id).await? else { return Ok(gone()) };
    let subs = req.source.subscriptions().await?;
    let mut card = Card::titled(a.name.clone());
    card.severity = Some(a.severity);
    if a.incident {
        card.badges.push("Incident".to_owned());
    }
    card.summary = Some(a.description.clone());
    card.facts = facts(&a, &subs);
    card.sections.push(Section {
        heading: "Why it matters".to_owned(),
        lines: vec![why(&a)],
        numbered: false,
    });
    card.notices.extend(closed(&a));
    let subject = subject(&a);
    card.actions = vec![
        Action::new(
            "What to do",
            req.response_id,
            Command::Run {
                intent: Intent::Remediate,
                subject: Some(subject.clone()),
                slots: Slots::default(),
                offset: 0,
            },
        )
        .styled(ActionStyle::Primary),
        Action::run("Delegate", req.response_id, Intent::Delegate, Some(subject.clone())),
    ];
    card.links.extend(link(&a));
    Ok(Answer::card(card).about(Some(subject)))
}

/// "Has anyone picked it up?" about an alert: where it stands in Defender for Cloud, which
/// keeps a state but no owner for alerts.
pub(crate) async fn status(req: &Request<'_>, id: &str) -> Result<Answer, SkillError> {
    let Some(a) = req.source.alert(id).await? else { return Ok(gone()) };
    let subs = req.source.subscriptions().await?;
    let mut card = Card::titled(format!("Status: {} on {}", a.name, a.entity));
    card.severity = Some(a.severity);
    card.summary = Some(match a.status {
        AlertStatus::Active => "Nobody has picked it up in Defender for Cloud: the alert is still Active. Defender keeps no owner on alerts; assign it here (\"assign it to @dana by Friday\") and secbot keeps the owner and reminds them.".to_owned(),
        AlertStatus::InProgress => "Someone is on it: Defender for Cloud shows the alert In progress. Defender keeps no owner on alerts; assign it here to record who.".to_owned(),
        AlertStatus::Resolved => "It is closed: Defender for Cloud shows the alert Resolved.".to_owned(),
        AlertStatus::Dismissed => "It is closed: the alert was dismissed in Defender for Cloud.".to_owned(),
    });
    card.facts = facts(&a, &subs);
    let subject = subject(&a);
    card.actions = vec![
        Action::run("Delegate", req.response_id, Intent::Delegate, Some(subject.clone()))
            .styled(ActionStyle::Primary),
        Action::run("What to do", req.response_id, Intent::Remediate, Some(subject.clone())),
    ];
    card.links.extend(link(&a));
    Ok(Answer::card(card).about(Some(subject)))
}

/// Why an alert of this severity and stage deserves attention, in a sentence.
fn why(a: &Alert) -> String {
    let stage = match a.tactics.first().map(String::as_str) {
        Some("InitialAccess") | Some("PreAttack") | Some("Probing") => "someone trying to get in",
        Some("Execution") => "code running that should not be",
        Some("Persistence") => "an attacker making sure they can come back",
        Some("PrivilegeEscalation") => "an attempt to gain more rights",
        Some("DefenseEvasion") => "an attempt to hide from detection",
        Some("CredentialAccess") => "an attempt to steal credentials or keys",
        Some("Discovery") => "someone mapping what is there",
        Some("LateralMovement") => "an attacker moving from one resource to the next",
        Some("Collection") | Some("Exfiltration") => "data being gathered or taken out",
        Some("CommandAndControl") => "a resource talking to an attacker's infrastructure",
        Some("Impact") => "damage being done: encryption, deletion or resources abused",
        _ => "suspicious activity",
    };
    let urgency = match (a.severity, a.informational) {
        (_, true) => {
            "Defender rates it informational: worth a look when you have time, alone it proves nothing."
        }
        (Severity::High | Severity::Critical, _) => {
            "Defender rates it high: it is likely a real compromise, so look at it now."
        }
        (Severity::Medium, _) => "Defender rates it medium: suspicious and worth checking today.",
        (Severity::Low, _) => "Defender rates it low: often benign, but check whether it was expected.",
    };
    format!("It points at {stage} on {}. {urgency}", a.entity)
}

/// What to do about an alert: its own remediation steps, then how to close it.
pub(crate) async fn remediate(req: &Request<'_>, id: &str) -> Result<Answer, SkillError> {
    let Some(a) = req.source.alert(id).await? else { return Ok(gone()) };
    let mut card = Card::titled(format!("What to do: {}", a.name));
    card.severity = Some(a.severity);
    card.summary =
        Some(format!("Detected on {} at {}. The alert's own steps:", a.entity, moment(a.detected)));
    let mut steps = a.remediation.clone();
    if steps.is_empty() {
        steps.push(format!(
            "Find out who or what caused the activity on {} and whether it was expected.",
            a.entity
        ));
    }
    card.sections.push(Section { heading: "Steps".to_owned(), lines: steps, numbered: true });
    // A machine that may be in an attacker's hands: the commands that contain it, in its cloud's
    // CLI.
    if let Some(script) = super::containment::script(&a) {
        card.sections.push(Section {
            heading: "Contain it".to_owned(),
            lines: vec![format!(
                "If {} may be compromised, the commands below keep its disks for the investigation, cut its network off and take its cloud credentials away, then stop it. Its service goes down: agree on that with its owner first.",
                a.entity
            )],
            numbered: false,
        });
        card.code.push(script);
    }
    card.sections.push(Section {
        heading: "Then close it".to_owned(),
        lines: vec![
            "Set the alert to Resolved in Defender for Cloud once it is handled, or Dismissed if it turned out to be expected activity, so the next person does not investigate it again.".to_owned(),
            "If the same activity is expected to recur, create an alert suppression rule scoped to that resource instead of dismissing it each time.".to_owned(),
        ],
        numbered: false,
    });
    card.notices.extend(closed(&a));
    let subject = subject(&a);
    card.actions = vec![
        Action::run("Explain", req.response_id, Intent::Explain, Some(subject.clone())),
        Action::run("Delegate", req.response_id, Intent::Delegate, Some(subject.clone())),
    ];
    card.links.extend(link(&a));
    Ok(Answer::card(card).about(Some(subject)))
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    #[test]
    fn moments_read_in_utc() {
        assert_eq!(super::moment(datetime!(2026-12-05 22:14 UTC)), "Sat 5 Dec 22:14 UTC");
        assert_eq!(super::moment(datetime!(2026-12-06 01:05 +02:00)), "Sat 5 Dec 23:05 UTC");
    }
}
