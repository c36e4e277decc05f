//! summarize: counts, affected resources and top risks of a finding, a recommendation, a
//! resource, a list or the whole posture, and what changed recently.

use secbot_chat::{Action, ActionStyle, Card, Command, Fact, Intent, Section, Slots, Subject};
use time::{Duration, OffsetDateTime, Time};

use super::list_risks::title as list_title;
use super::present::{
    date_label, finding_item, finding_subject, governance_text, level_counts, subscription_name,
    vulnerability_fact,
};
use super::{Answer, Request, SkillError, query};
use crate::posture::{AttackPathFilter, Finding, FindingFilter, Plan, PostureSummary, Status};

pub(crate) async fn run(req: &Request<'_>) -> Result<Answer, SkillError> {
    if req.parse.slots.alerts == Some(true) && !matches!(req.subject, Some(Subject::Alert { .. })) {
        return super::alerts::list(req).await;
    }
    match req.subject {
        Some(Subject::Alert { id }) => super::alerts::explain(req, id).await,
        Some(Subject::Finding { recommendation, resource }) => finding(req, recommendation, resource).await,
        Some(Subject::Recommendation { key }) => {
            let filter = FindingFilter {
                recommendation: Some(key.clone()),
                ..query::build(req, &Slots::default()).await?.filter
            };
            let rec = req.source.recommendation(key).await?;
            let title = rec.as_ref().map_or_else(|| "Summary".to_owned(), |r| format!("Summary: {}", r.name));
            let mut answer = overview(req, &filter, title, false).await?;
            if let Some(description) = rec.and_then(|r| r.description.clone()) {
                answer.card.sections.insert(
                    0,
                    Section {
                        heading: "What it checks".to_owned(),
                        lines: vec![description],
                        numbered: false,
                    },
                );
            }
            Ok(answer.about(Some(Subject::Recommendation { key: key.clone() })))
        }
        Some(Subject::Resource { id }) => {
            let filter = FindingFilter { resource: Some(id.clone()), ..FindingFilter::default() };
            let name = req.source.resource(id).await?.map_or_else(|| id.clone(), |r| r.name.clone());
            Ok(overview(req, &filter, format!("Summary: {name}"), false)
                .await?
                .about(Some(Subject::Resource { id: id.clone() })))
        }
        _ if req.parse.best_fix => super::score::gains(req).await,
        _ if req.parse.secure_score && req.parse.slots.resource.is_none() => super::score::summary(req).await,
        _ => {
            let query = query::build(req, &req.parse.slots).await?;
            if let Some(unknown) = &query.unknown {
                return Ok(Answer::card(super::list_risks::not_found(req, unknown)));
            }
            let slots = &req.parse.slots;
            let whole =
                !slots.has_filters() && slots.resource.is_none() && req.parse.recommendation_key.is_none();
            let title = if whole {
                "Posture summary".to_owned()
            } else {
                format!(
                    "Summary: {}",
                    list_title(slots, query.resource.as_ref().map(|r| r.name.as_str()), &query.subscriptions)
                )
            };
            if let Some(since) = changes_since(&req.prompt.text.to_lowercase(), req.prompt.origin.time) {
                return changed(req, &query.filter, since, &query.subscriptions).await;
            }
            let answer = overview(req, &query.filter, title, whole).await?;
            Ok(answer)
        }
    }
}

/// The start of the period a "what changed" prompt asks about, if it asks.
fn changes_since(text: &str, now: OffsetDateTime) -> Option<OffsetDateTime> {
    let asks = [
        "overnight",
        "since",
        "changed",
        "what happened",
        "new ",
        "pop up",
        "popped up",
        "weekend",
        "digest",
    ]
    .iter()
    .any(|w| text.contains(w));
    if !asks {
        return None;
    }
    let day_start = |d: time::Date| OffsetDateTime::new_utc(d, Time::MIDNIGHT);
    let today = now.date();
    for (name, day) in crate::intent::dates::WEEKDAYS {
        if text.contains(&format!("since {name}")) {
            let back = (7 + today.weekday().number_days_from_monday() - day.number_days_from_monday()) % 7;
            let back = if back == 0 { 7 } else { back };
            return Some(day_start(today - Duration::days(i64::from(back))));
        }
    }
    if text.contains("weekend") {
        let back = (today.weekday().number_days_from_monday() + 2) % 7;
        return Some(day_start(today - Duration::days(i64::from(back.max(1)))));
    }
    if text.contains("last week") || text.contains("this week") {
        return Some(day_start(today - Duration::days(7)));
    }
    Some(day_start(today - Duration::days(1)))
}

/// What changed since a moment: findings that opened (most risky first) and findings resolved.
async fn changed(
    req: &Request<'_>,
    filter: &FindingFilter,
    since: OffsetDateTime,
    subscriptions: &[crate::posture::Subscription],
) -> Result<Answer, SkillError> {
    let opened =
        req.source.findings(&FindingFilter { changed_since: Some(since), ..filter.clone() }, 0, 3).await?;
    let resolved = req
        .source
        .findings(
            &FindingFilter { changed_since: Some(since), statuses: vec![Status::Healthy], ..filter.clone() },
            0,
            0,
        )
        .await?
        .total;
    let mut card = Card::titled(format!("What changed since {}", date_label(since.date())));
    card.severity = opened.items.first().map(|f| f.level());
    card.summary = Some(if opened.total == 0 && resolved == 0 {
        "Nothing changed: no finding opened or was resolved in that time.".to_owned()
    } else {
        format!(
            "{} finding{} opened ({}) and {resolved} {} resolved.",
            opened.total,
            if opened.total == 1 { "" } else { "s" },
            level_counts(&opened.by_level),
            if resolved == 1 { "was" } else { "were" }
        )
    });
    card.facts.push(Fact::new("Since", format!("{} 00:00 UTC", date_label(since.date()))));
    for f in &opened.items {
        card.items.push(finding_item(req, f, subscriptions, true).await?);
    }
    card.actions = vec![Action::new(
        "Show top risks",
        req.response_id,
        Command::Run { intent: Intent::ListRisks, subject: None, slots: Slots::default(), offset: 0 },
    )];
    Ok(Answer::card(card).about(shown_list(&opened.items)))
}

/// The findings a summary shows, numbered, as the thread's list: "the top one" or "#2" after a
/// summary means the row shown with that number.
fn shown_list(findings: &[Finding]) -> Option<Subject> {
    (!findings.is_empty()).then(|| Subject::list(findings.iter().map(finding_subject).collect()))
}

async fn overview(
    req: &Request<'_>,
    filter: &FindingFilter,
    title: String,
    whole: bool,
) -> Result<Answer, SkillError> {
    let summary: PostureSummary = req.source.summary(filter, req.today).await?;
    let subs = req.source.subscriptions().await?;
    let mut card = Card::titled(title);
    card.severity =
        secbot_chat::Severity::ALL.into_iter().find(|l| summary.by_level.get(l).is_some_and(|n| *n > 0));
    if summary.findings == 0 {
        card.summary = Some("No open findings match: nothing to summarize.".to_owned());
        return Ok(Answer::card(card));
    }
    card.summary = Some(format!(
        "{} open finding{} on {} resource{}: {}.",
        summary.findings,
        if summary.findings == 1 { "" } else { "s" },
        summary.resources,
        if summary.resources == 1 { "" } else { "s" },
        level_counts(&summary.by_level)
    ));
    card.facts.push(Fact::new("Internet-exposed", format!("{} findings", summary.internet_exposed)));
    card.facts.push(Fact::new("Sensitive data", format!("{} findings", summary.sensitive_data)));
    card.facts.push(Fact::new("Assigned", format!("{} ({} overdue)", summary.assigned, summary.overdue)));
    if summary.by_cloud.len() > 1 {
        card.facts.push(Fact::new(
            "By cloud",
            summary.by_cloud.iter().map(|(c, n)| format!("{} {n}", c.label())).collect::<Vec<_>>().join(", "),
        ));
    }
    if whole {
        let scoped: Vec<_> = subs
            .iter()
            .filter(|s| req.scope.is_empty() || req.scope.iter().any(|id| id.eq_ignore_ascii_case(&s.id)))
            .collect();
        let with_cspm: Vec<String> =
            scoped.iter().filter(|s| s.has(Plan::DefenderCspm)).map(|s| s.id.clone()).collect();
        if !with_cspm.is_empty() {
            let paths = req
                .source
                .attack_paths(&AttackPathFilter { subscriptions: with_cspm, ..AttackPathFilter::default() })
                .await?;
            card.facts.push(Fact::new("Attack paths", paths.len().to_string()));
        }
        let without: Vec<&str> =
            scoped.iter().filter(|s| !s.has(Plan::DefenderCspm)).map(|s| s.name.as_str()).collect();
        if !without.is_empty() {
            card.notices.push(format!(
                "Defender CSPM is off in {}: no risk levels or attack paths there.",
                without.join(", ")
            ));
        }
    }
    if !summary.top_recommendations.is_empty() {
        card.sections.push(Section {
            heading: "Most common open recommendations".to_owned(),
            lines: summary
                .top_recommendations
                .iter()
                .map(|(_, name, n)| format!("{name} — {n} finding{}", if *n == 1 { "" } else { "s" }))
                .collect(),
            numbered: false,
        });
    }
    if !summary.by_owner.is_empty() && summary.by_owner.len() <= 8 {
        card.sections.push(Section {
            heading: "Owners".to_owned(),
            lines: summary
                .by_owner
                .iter()
                .map(|(owner, (n, late))| format!("{owner}: {n} assigned, {late} overdue"))
                .collect(),
            numbered: false,
        });
    }
    let top = req.source.findings(filter, 0, 3).await?;
    for f in &top.items {
        card.items.push(finding_item(req, f, &subs, true).await?);
    }
    let slots = req.parse.slots.clone();
    card.actions = vec![
        Action::new(
            "Show the list",
            req.response_id,
            Command::Run { intent: Intent::ListRisks, subject: None, slots, offset: 0 },
        )
        .styled(ActionStyle::Primary),
        Action::ask("What's overdue?", req.response_id, "What's overdue?"),
    ];
    Ok(Answer::card(card).about(shown_list(&top.items)))
}

async fn finding(req: &Request<'_>, recommendation: &str, resource: &str) -> Result<Answer, SkillError> {
    let Some(f) = req.source.finding(recommendation, resource).await? else {
        let mut card = Card::titled("That finding is gone");
        card.summary =
            Some("It may have been fixed or removed since it was shown. Ask for a fresh list.".to_owned());
        return Ok(Answer::card(card));
    };
    let subs = req.source.subscriptions().await?;
    let mut card = Card::titled(format!("Summary: {} on {}", f.recommendation.name, f.resource.name));
    card.severity = Some(f.level());
    card.summary = Some(format!(
        "{} {} on a {} in {}; {} since {}.",
        f.level().label(),
        if f.risk.is_some() { "risk" } else { "severity" },
        f.resource.kind.label(),
        subscription_name(&subs, &f.resource.subscription),
        if f.status == Status::Unhealthy { "open" } else { "in this state" },
        date_label(f.status_changed.date())
    ));
    if !f.risk_factors.is_empty() {
        card.facts.push(Fact::new("Risk factors", f.risk_factors.join(", ")));
    }
    if f.attack_paths > 0 {
        card.facts.push(Fact::new("Attack paths", f.attack_paths.to_string()));
    }
    if f.recommendation.reports_cves() {
        card.facts.extend(vulnerability_fact(&req.source.vulnerabilities(&f.resource.id).await?));
    }
    card.facts.push(Fact::new(
        "Owner",
        f.governance.as_ref().map_or_else(|| "unassigned".to_owned(), |g| governance_text(g, req.today)),
    ));
    if let Some(description) = &f.recommendation.description {
        card.sections.push(Section {
            heading: "What it checks".to_owned(),
            lines: vec![description.clone()],
            numbered: false,
        });
    }
    let subject = finding_subject(&f);
    card.actions = super::present::finding_actions(req, &subject);
    Ok(Answer::card(card).about(Some(subject)))
}
