//! How posture facts appear on cards: finding rows, counts, dates, owners, subjects.

use std::collections::BTreeMap;

use secbot_chat::{
    Action, ActionStyle, Card, Command, Fact, Intent, Item, Link, Reading, Severity, Slots, Subject,
};
use time::Date;

use super::{Answer, Request, SkillError};
use crate::posture::{Finding, Governance, PostureSource, Subscription, Vulnerability};

/// The display name of a subscription id.
pub(crate) fn subscription_name(subscriptions: &[Subscription], id: &str) -> String {
    subscriptions
        .iter()
        .find(|s| s.id.eq_ignore_ascii_case(id))
        .map_or_else(|| id.to_owned(), |s| s.name.clone())
}

/// The subject of one finding.
pub fn finding_subject(f: &Finding) -> Subject {
    Subject::Finding { recommendation: f.recommendation.key.clone(), resource: f.resource.id.clone() }
}

/// "3 critical, 5 high, 2 medium" (most serious first, zero counts left out).
pub(crate) fn level_counts(by_level: &BTreeMap<Severity, usize>) -> String {
    let parts: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|level| {
            by_level.get(level).filter(|n| **n > 0).map(|n| format!("{n} {}", level.as_str()))
        })
        .collect();
    if parts.is_empty() { "none".to_owned() } else { parts.join(", ") }
}

/// "Fri 4 Dec 2026".
pub(crate) fn date_label(date: Date) -> String {
    let weekday = &date.weekday().to_string()[..3];
    let month = &date.month().to_string()[..3];
    format!("{weekday} {} {month} {}", date.day(), date.year())
}

/// "dana@contoso.com, due Fri 4 Dec 2026 (overdue by 3 days)".
pub(crate) fn governance_text(g: &Governance, today: Date) -> String {
    let days = (g.due - today).whole_days();
    let when = match days {
        d if d < 0 => format!(" (overdue by {} day{})", -d, if d == -1 { "" } else { "s" }),
        0 => " (due today)".to_owned(),
        d => format!(" (in {d} day{})", if d == 1 { "" } else { "s" }),
    };
    format!("{}, due {}{when}", g.owner, date_label(g.due))
}

/// "DataExfiltration" → "Data exfiltration".
pub(crate) fn threat_label(threat: &str) -> String {
    let mut out = String::new();
    for (i, c) in threat.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
            out.extend(c.to_lowercase());
        } else if i == 0 {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// "2 critical, 3 high — worst: CVE-2021-44228 in log4j-core (fixed in 2.15.0, exploit known)".
pub(crate) fn vulnerability_fact(vulns: &[Vulnerability]) -> Option<Fact> {
    let worst = vulns.first()?;
    let mut counts: BTreeMap<Severity, usize> = BTreeMap::new();
    for v in vulns {
        *counts.entry(v.severity).or_default() += 1;
    }
    let fix = match &worst.fixed_version {
        Some(v) => format!("fixed in {v}"),
        None => "no fix yet".to_owned(),
    };
    let exploit = if worst.exploit_known { ", exploit known" } else { "" };
    Some(Fact::new(
        "CVEs",
        format!(
            "{} — worst: {} in {} (CVSS {:.1}, {fix}{exploit})",
            level_counts(&counts),
            worst.cve,
            worst.package,
            worst.cvss
        ),
    ))
}

/// The standard buttons of a finding: remediate, explain, assign.
pub(crate) fn finding_actions(req: &Request<'_>, subject: &Subject) -> Vec<Action> {
    vec![
        Action::run("Remediate", req.response_id, Intent::Remediate, Some(subject.clone()))
            .styled(ActionStyle::Primary),
        Action::run("Explain", req.response_id, Intent::Explain, Some(subject.clone())),
        Action::run("Assign", req.response_id, Intent::Delegate, Some(subject.clone())),
    ]
}

/// A finding as a list row: recommendation, where it is, why it ranks where it does.
pub(crate) async fn finding_item(
    req: &Request<'_>,
    f: &Finding,
    subscriptions: &[Subscription],
    actions: bool,
) -> Result<Item, SkillError> {
    let resource = &f.resource;
    let mut facts = Vec::new();
    if !f.risk_factors.is_empty() {
        facts.push(Fact::new("Risk factors", f.risk_factors.join(", ")));
    }
    if f.attack_paths > 0 {
        facts.push(Fact::new("Attack paths", f.attack_paths.to_string()));
    }
    if f.recommendation.reports_cves() {
        let vulns = req.source.vulnerabilities(&resource.id).await?;
        facts.extend(vulnerability_fact(&vulns));
    }
    if let Some(g) = &f.governance {
        facts.push(Fact::new("Owner", governance_text(g, req.today)));
    }
    let level = match f.risk {
        Some(_) => format!("{} risk", f.level().label()),
        None => format!("{} severity", f.level().label()),
    };
    let subtitle = format!(
        "{} · {} · {} · {level}",
        resource.name,
        resource.kind.label(),
        subscription_name(subscriptions, &resource.subscription)
    );
    let subject = finding_subject(f);
    Ok(Item {
        title: f.recommendation.name.clone(),
        subtitle: Some(subtitle),
        severity: Some(f.level()),
        facts,
        actions: if actions { finding_actions(req, &subject) } else { Vec::new() },
    })
}

/// The "Open in Defender for Cloud" link of a finding or recommendation: the portal's
/// recommendation blade for its assessment key, on the resource when the resource is an Azure
/// one (the portal of the source's cloud). `None` for other subjects.
pub(crate) fn portal_link(req: &Request<'_>, subject: &Subject) -> Option<Link> {
    let (key, resource) = match subject {
        Subject::Finding { recommendation, resource } => (recommendation, Some(resource)),
        Subject::Recommendation { key } => (key, None),
        _ => return None,
    };
    let portal = req.source.info().portal;
    let mut url =
        format!("{portal}/#blade/Microsoft_Azure_Security/RecommendationsBlade/assessmentKey/{key}");
    if let Some(id) = resource.filter(|id| id.to_lowercase().starts_with("/subscriptions/")) {
        let encoded: String = id
            .to_lowercase()
            .bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => char::from(b).to_string(),
                other => format!("%{other:02x}"),
            })
            .collect();
        url.push_str("/resourceId/");
        url.push_str(&encoded);
    }
    let link = Link { label: "Open in Defender for Cloud".to_owned(), url };
    link.is_showable().then_some(link)
}

/// A short human description of a subject ("Secure transfer… on stlogsprod").
pub async fn describe_subject(source: &dyn PostureSource, subject: &Subject) -> String {
    match subject {
        Subject::Finding { recommendation, resource } => {
            let rec = source.recommendation(recommendation).await.ok().flatten();
            let res = source.resource(resource).await.ok().flatten();
            match (rec, res) {
                (Some(rec), Some(res)) => format!("{} on {}", rec.name, res.name),
                _ => "that finding".to_owned(),
            }
        }
        Subject::Recommendation { key } => match source.recommendation(key).await.ok().flatten() {
            Some(rec) => rec.name.clone(),
            None => "that recommendation".to_owned(),
        },
        Subject::Resource { id } => match source.resource(id).await.ok().flatten() {
            Some(res) => res.name.clone(),
            None => "that resource".to_owned(),
        },
        Subject::AttackPath { id } => format!("attack path {id}"),
        Subject::Alert { id } => match source.alert(id).await.ok().flatten() {
            Some(alert) => format!("{} on {}", alert.name, alert.entity),
            None => "that alert".to_owned(),
        },
        Subject::List { items, .. } => format!("the list of {} items", items.len()),
    }
}

/// The card that asks which item a follow-up means, never guessing.
pub(crate) async fn clarify(
    req: &Request<'_>,
    intent: Intent,
    candidates: &[Subject],
) -> Result<Answer, SkillError> {
    let verb = match intent {
        Intent::Remediate => "fix",
        Intent::Explain => "explain",
        Intent::Delegate => "assign",
        Intent::Summarize => "summarize",
        Intent::AttackPaths => "check for attack paths",
        _ => "look at",
    };
    let mut card = Card::titled("Which one do you mean?");
    let slots = Slots {
        assignee: req.parse.slots.assignee.clone(),
        due: req.parse.slots.due,
        due_text: req.parse.slots.due_text.clone(),
        ..Slots::default()
    };
    if candidates.is_empty() {
        card.summary = Some(format!(
            "I'm not sure what to {verb}: this thread has no finding or list yet. Start with a list, then refer to an item by its number (\"the 2nd one\") or name."
        ));
        card.actions = super::help::starters(req.response_id, 3);
        return Ok(Answer::card(card));
    }
    card.summary = Some(format!("Pick the item to {verb}, or name it in your message."));
    for (n, subject) in candidates.iter().take(10).enumerate() {
        let label = describe_subject(req.source, subject).await;
        card.items.push(Item {
            title: format!("{}. {label}", n + 1),
            subtitle: None,
            severity: None,
            facts: Vec::new(),
            actions: vec![Action::new(
                format!("{} #{}", capitalized(verb), n + 1),
                req.response_id,
                Command::Run { intent, subject: Some(subject.clone()), slots: slots.clone(), offset: 0 },
            )],
        });
    }
    Ok(Answer::card(card))
}

/// The card that asks which reading of an unclear prompt was meant: a button per reading
/// ("Explain vm-web-01 · Fix vm-web-01 · Show top risks"), never a guess.
pub(crate) async fn readings(
    req: &Request<'_>,
    readings: &[(Intent, Option<Subject>, f32)],
) -> (Answer, Vec<Reading>) {
    let mut card = Card::titled("I'm not sure what you mean");
    card.summary = Some(
        "I could read that more than one way. Pick what you meant, or ask again in other words.".to_owned(),
    );
    let mut offered = Vec::new();
    for (intent, subject, confidence) in readings {
        let verb = match intent {
            Intent::ListRisks => "Show top risks",
            Intent::Summarize => "Summarize",
            Intent::Explain => "Explain",
            Intent::Remediate => "Fix",
            Intent::Delegate => "Assign",
            Intent::AttackPaths => "Show attack paths",
            Intent::Status => "Show delegated work",
            _ => "What can you do?",
        };
        let label = match subject {
            Some(subject) => {
                let name = describe_subject(req.source, subject).await;
                let short = name.rsplit(" on ").next().unwrap_or(&name).to_owned();
                format!("{verb} {short}")
            }
            None if *intent == Intent::Summarize => "Summarize our posture".to_owned(),
            None => verb.to_owned(),
        };
        let command = if *intent == Intent::Help {
            Command::Ask { text: "help".to_owned() }
        } else {
            Command::Run { intent: *intent, subject: subject.clone(), slots: Slots::default(), offset: 0 }
        };
        card.actions.push(Action::new(label.clone(), req.response_id, command));
        offered.push(Reading { intent: *intent, label, confidence: *confidence });
    }
    (Answer::card(card), offered)
}

pub(crate) fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
