//! explain: why a finding matters — what the check looks for, the context that raises its
//! risk, the threats, and what fixing it changes for users.

use secbot_chat::{Action, ActionStyle, Card, Fact, Intent, Section, Subject};

use super::present::{
    date_label, finding_item, finding_subject, governance_text, level_counts, portal_link, subscription_name,
    threat_label, vulnerability_fact,
};
use super::{Answer, Request, SkillError, query};
use crate::posture::{Finding, FindingFilter, Recommendation};

/// What each threat category means, in secbot's words.
fn threat_meaning(threat: &str) -> Option<&'static str> {
    Some(match threat.to_ascii_lowercase().as_str() {
        "accountbreach" => "an attacker takes over a user or service account and acts with its rights",
        "dataexfiltration" => "data is copied out of your environment to somewhere an attacker controls",
        "dataspillage" => "sensitive data ends up where it shouldn't be, such as a public share or a log",
        "denialofservice" => "a service is made unavailable by flooding it or exhausting its resources",
        "elevationofprivilege" => "someone with limited access gains higher permissions, up to full control",
        "maliciousinsider" => "a person with legitimate access misuses it",
        "missingcoverage" => "a gap in monitoring or protection lets attacks go unnoticed",
        "threatresistance" => "defenses against common attacks such as malware and exploits are weaker",
        _ => return None,
    })
}

pub(crate) async fn run(req: &Request<'_>) -> Result<Answer, SkillError> {
    let text = req.prompt.text.to_lowercase();
    match req.subject {
        Some(Subject::Alert { id }) => super::alerts::explain(req, id).await,
        Some(Subject::Finding { recommendation, resource }) => {
            match req.source.finding(recommendation, resource).await? {
                Some(f) => finding(req, &f, &text).await,
                None => Ok(Answer::card(gone(req))),
            }
        }
        Some(Subject::Resource { id }) => {
            let filter = FindingFilter {
                resource: Some(id.clone()),
                subscriptions: req.scope.to_vec(),
                ..FindingFilter::default()
            };
            let page = req.source.findings(&filter, 0, 4).await?;
            let Some(top) = page.items.first() else {
                let mut card = Card::titled("Nothing open here");
                card.summary = Some(
                    "That resource has no open findings, so there is no risk to explain right now."
                        .to_owned(),
                );
                return Ok(Answer::card(card));
            };
            let mut answer = finding(req, top, &text).await?;
            if page.total > 1 {
                answer.card.notices.push(format!(
                    "{} has {} open findings ({}); this is the most risky one.",
                    top.resource.name,
                    page.total,
                    level_counts(&page.by_level)
                ));
                let subs = req.source.subscriptions().await?;
                for other in page.items.iter().skip(1) {
                    let mut item = finding_item(req, other, &subs, false).await?;
                    item.actions = vec![Action::run(
                        "Explain",
                        req.response_id,
                        Intent::Explain,
                        Some(finding_subject(other)),
                    )];
                    answer.card.items.push(item);
                }
            }
            Ok(answer)
        }
        Some(Subject::Recommendation { key }) => recommendation(req, key, &text).await,
        _ => match &req.parse.recommendation_key {
            Some(key) => recommendation(req, key, &text).await,
            None => Ok(Answer::card(glossary(req, &text))),
        },
    }
}

async fn finding(req: &Request<'_>, f: &Finding, text: &str) -> Result<Answer, SkillError> {
    let rec = &f.recommendation;
    let res = &f.resource;
    let subs = req.source.subscriptions().await?;
    let mut card = Card::titled(rec.name.clone());
    card.severity = Some(f.level());
    card.summary = Some(format!(
        "{} on {} ({}, {}).",
        match f.risk {
            Some(level) => format!("{} risk", level.label()),
            None => format!("{} severity", rec.severity.label()),
        },
        res.name,
        res.kind.label(),
        subscription_name(&subs, &res.subscription)
    ));
    card.facts = facts(rec);
    card.facts.push(Fact::new(
        "Risk level",
        match f.risk {
            Some(level) => level.label().to_owned(),
            None => "not evaluated (needs Defender CSPM)".to_owned(),
        },
    ));
    card.facts.push(Fact::new("Status", f.status.as_str()));

    let mut context = Vec::new();
    if res.internet_exposed {
        context.push("It is reachable from the internet, so anyone can try to exploit it.".to_owned());
    }
    if let Some(class) = &res.sensitive_data {
        context.push(format!("It holds sensitive data ({class})."));
    }
    if f.attack_paths > 0 {
        context.push(format!(
            "It is on {} attack path{} Defender for Cloud found; fixing it helps break them.",
            f.attack_paths,
            if f.attack_paths == 1 { "" } else { "s" }
        ));
    }
    if rec.reports_cves() {
        let vulns = req.source.vulnerabilities(&res.id).await?;
        if let Some(fact) = vulnerability_fact(&vulns) {
            context.push(format!("Known vulnerabilities: {}.", fact.value));
        }
    }
    let open_days = (req.today - f.status_changed.date()).whole_days().max(0);
    context.push(format!("Open since {} ({open_days} days).", date_label(f.status_changed.date())));
    if let Some(g) = &f.governance {
        context.push(format!("Owner: {}.", governance_text(g, req.today)));
    }

    let mut sections = explanation(rec);
    sections.insert(
        usize::from(!sections.is_empty()).min(sections.len()),
        Section { heading: format!("On {}", res.name), lines: context, numbered: false },
    );
    if asks_about_impact(text)
        && let Some(pos) = sections.iter().position(|s| s.heading == "If you fix it")
    {
        let fix = sections.remove(pos);
        sections.insert(0, fix);
    }
    card.sections = sections;
    let subject = finding_subject(f);
    card.actions = vec![
        Action::run("Remediate", req.response_id, Intent::Remediate, Some(subject.clone()))
            .styled(ActionStyle::Primary),
        Action::run("Assign", req.response_id, Intent::Delegate, Some(subject.clone())),
    ];
    if f.attack_paths > 0 {
        card.actions.push(Action::run(
            "Attack paths",
            req.response_id,
            Intent::AttackPaths,
            Some(Subject::Resource { id: res.id.clone() }),
        ));
    }
    card.links.extend(portal_link(req, &subject));
    Ok(Answer::card(card).about(Some(subject)))
}

async fn recommendation(req: &Request<'_>, key: &str, text: &str) -> Result<Answer, SkillError> {
    let Some(rec) = req.source.recommendation(key).await? else {
        return Ok(Answer::card(gone(req)));
    };
    let query = query::build(req, &secbot_chat::Slots::default()).await?;
    let filter = FindingFilter { recommendation: Some(rec.key.clone()), ..query.filter };
    let page = req.source.findings(&filter, 0, 3).await?;
    let mut card = Card::titled(rec.name.clone());
    card.severity = Some(rec.severity);
    card.summary = Some(if page.total == 0 {
        "No resource in this channel's scope fails this recommendation right now.".to_owned()
    } else {
        format!(
            "Open on {} resource{} ({}).",
            page.total,
            if page.total == 1 { "" } else { "s" },
            level_counts(&page.by_level)
        )
    });
    card.facts = facts(&rec);
    let mut sections = explanation(&rec);
    if asks_about_impact(text)
        && let Some(pos) = sections.iter().position(|s| s.heading == "If you fix it")
    {
        let fix = sections.remove(pos);
        sections.insert(0, fix);
    }
    card.sections = sections;
    for f in &page.items {
        card.items.push(finding_item(req, f, &query.subscriptions, true).await?);
    }
    let subject = Subject::Recommendation { key: rec.key.clone() };
    card.actions = vec![
        Action::run("Remediate", req.response_id, Intent::Remediate, Some(subject.clone()))
            .styled(ActionStyle::Primary),
    ];
    card.links.extend(portal_link(req, &subject));
    Ok(Answer::card(card).about(Some(subject)))
}

fn facts(rec: &Recommendation) -> Vec<Fact> {
    let mut facts =
        vec![Fact::new("Severity", rec.severity.label()), Fact::new("Category", rec.category.clone())];
    if let Some(impact) = rec.user_impact {
        facts.push(Fact::new("User impact", impact.to_string()));
    }
    if let Some(effort) = rec.implementation_effort {
        facts.push(Fact::new("Effort", effort.to_string()));
    }
    facts
}

fn explanation(rec: &Recommendation) -> Vec<Section> {
    let mut sections = Vec::new();
    let line = |heading: &str, text: &Option<String>| {
        text.as_ref().map(|t| Section {
            heading: heading.to_owned(),
            lines: vec![t.clone()],
            numbered: false,
        })
    };
    sections.extend(line("What it checks", &rec.description));
    sections.extend(line("Why it matters", &rec.why));
    if !rec.threats.is_empty() {
        sections.push(Section {
            heading: "Threats".to_owned(),
            lines: rec
                .threats
                .iter()
                .map(|t| match threat_meaning(t) {
                    Some(meaning) => format!("{}: {meaning}.", threat_label(t)),
                    None => threat_label(t),
                })
                .collect(),
            numbered: false,
        });
    }
    let mut fix = Vec::new();
    if let Some(effect) = &rec.fix_effect {
        fix.push(effect.clone());
    }
    if let (Some(impact), Some(effort)) = (rec.user_impact, rec.implementation_effort) {
        fix.push(format!("User impact: {impact}. Implementation effort: {effort}."));
    }
    if !fix.is_empty() {
        sections.push(Section { heading: "If you fix it".to_owned(), lines: fix, numbered: false });
    }
    if rec.description.is_none() && rec.why.is_none() {
        sections.push(Section {
            heading: "About this recommendation".to_owned(),
            lines: vec!["secbot's catalog has no explanation of this recommendation yet; the facts above are what Defender for Cloud reports.".to_owned()],
            numbered: false,
        });
    }
    sections
}

fn asks_about_impact(text: &str) -> bool {
    ["break", "downtime", "outage", "impact", "affect", "disrupt", "side effect"]
        .iter()
        .any(|w| text.contains(w))
}

fn glossary(req: &Request<'_>, text: &str) -> Card {
    const THREATS: [&str; 8] = [
        "AccountBreach",
        "DataExfiltration",
        "DataSpillage",
        "DenialOfService",
        "ElevationOfPrivilege",
        "MaliciousInsider",
        "MissingCoverage",
        "ThreatResistance",
    ];
    let squashed: String = text.chars().filter(|c| c.is_ascii_alphabetic()).collect();
    let named: Vec<&str> =
        THREATS.iter().copied().filter(|t| squashed.contains(&t.to_ascii_lowercase())).collect();
    let mut card =
        Card::titled(if named.is_empty() { "Threat categories" } else { "What that threat means" });
    let shown = if named.is_empty() { THREATS.to_vec() } else { named };
    card.sections.push(Section {
        heading: "Defender for Cloud's threat categories".to_owned(),
        lines: shown
            .iter()
            .map(|t| format!("{}: {}.", threat_label(t), threat_meaning(t).unwrap_or_default()))
            .collect(),
        numbered: false,
    });
    card.summary = Some("Recommendations list the threats they protect against. Ask \"why does this matter?\" about a finding for its own explanation.".to_owned());
    card.actions = super::help::starters(req.response_id, 2);
    card
}

fn gone(req: &Request<'_>) -> Card {
    let mut card = Card::titled("That finding is gone");
    card.summary = Some(
        "I can't find that finding any more: it may have been fixed or removed since the list was shown. Ask for a fresh list."
            .to_owned(),
    );
    card.actions = super::help::starters(req.response_id, 2);
    card
}
