//! status: delegated work — what is assigned, overdue or unassigned, and by whom.

use secbot_chat::{Card, Fact, Section, Slots, Subject};

use super::present::{finding_item, finding_subject, governance_text, level_counts, subscription_name};
use super::{Answer, Request, SkillError, query};
use crate::posture::FindingFilter;

pub(crate) async fn run(req: &Request<'_>) -> Result<Answer, SkillError> {
    match req.subject {
        Some(Subject::Finding { recommendation, resource }) => {
            return one(req, recommendation, resource).await;
        }
        Some(Subject::Alert { id }) => return super::alerts::status(req, id).await,
        Some(Subject::List { items, on: None }) if items.iter().any(|i| i.recommendation_key().is_some()) => {
            return rows(req, items).await;
        }
        _ => {}
    }
    let slots: &Slots = &req.parse.slots;
    let query = query::build(req, slots).await?;
    if let Some(unknown) = &query.unknown {
        return Ok(Answer::card(super::list_risks::not_found(req, unknown)));
    }
    let unassigned = slots.unassigned == Some(true);
    let overdue = slots.overdue == Some(true);
    // A resource named, or the one the thread is about ("who owns it" after its findings).
    let resource = match (&query.resource, req.subject) {
        (Some(named), _) => Some(named.clone()),
        (None, Some(Subject::Resource { id })) => req.source.resource(id).await?,
        _ => None,
    };
    // ("is that overdue?" after who is on it: the work on it that is late.)
    if let Some(resource) = &resource
        && !unassigned
        && slots.assignee.is_none()
    {
        let filter = FindingFilter {
            resource: Some(resource.id.clone()),
            due_before: overdue.then_some(req.today),
            assigned: overdue.then_some(true),
            ..query.filter.clone()
        };
        return owners(req, &filter, &resource.name, &query, Some(resource.id.clone())).await;
    }
    // "who owns it?" about a recommendation: each of its open findings with its owner.
    if let Some(Subject::Recommendation { key }) = req.subject
        && let Some(rec) = req.source.recommendation(key).await?
        && slots.assignee.is_none()
    {
        let filter = FindingFilter {
            recommendation: Some(key.clone()),
            assigned: unassigned.then_some(false),
            due_before: overdue.then_some(req.today),
            ..query.filter.clone()
        };
        let answer = owners(req, &filter, &rec.name, &query, None).await?;
        // The thread stays on the recommendation; its rows are there to pick from.
        return Ok(answer.about(Some(Subject::Recommendation { key: key.clone() })));
    }
    let mut filter = FindingFilter { assigned: Some(!unassigned), ..query.filter.clone() };
    let owner = owner_email(req, slots.assignee.as_deref()).await?;
    filter.owner = owner.clone();
    if unassigned {
        filter.owner = None;
        filter.due_before = None;
    }
    let summary = req.source.summary(&filter, req.today).await?;
    let title = match (unassigned, overdue, &owner) {
        (true, _, _) => "Unassigned findings".to_owned(),
        (false, true, Some(o)) => format!("Overdue work for {o}"),
        (false, true, None) => "Overdue work".to_owned(),
        (false, false, Some(o)) => format!("Work assigned to {o}"),
        (false, false, None) => "Delegated work".to_owned(),
    };
    let mut card = Card::titled(title);
    if summary.findings == 0 {
        card.summary = Some(match (unassigned, overdue) {
            (true, _) => "Every open finding that matches has an owner.".to_owned(),
            (false, true) => "Nothing that matches is overdue.".to_owned(),
            (false, false) => "Nothing that matches is assigned to anyone yet. Assign findings from a list (\"assign the 2nd one to @dana by Friday\").".to_owned(),
        });
        card.actions = super::help::starters(req.response_id, 2);
        return Ok(Answer::card(card));
    }
    card.summary = Some(if unassigned {
        format!(
            "{} open finding{} have no owner ({}).",
            summary.findings,
            if summary.findings == 1 { "" } else { "s" },
            level_counts(&summary.by_level)
        )
    } else {
        format!(
            "{} assigned finding{}: {} overdue, {} on time.",
            summary.assigned,
            if summary.assigned == 1 { "" } else { "s" },
            summary.overdue,
            summary.assigned - summary.overdue
        )
    });
    if !unassigned && summary.by_owner.len() > 1 {
        let mut owners: Vec<(&String, &(usize, usize))> = summary.by_owner.iter().collect();
        owners.sort_by(|a, b| b.1.1.cmp(&a.1.1).then(b.1.0.cmp(&a.1.0)).then(a.0.cmp(b.0)));
        card.sections.push(Section {
            heading: "By owner".to_owned(),
            lines: owners
                .iter()
                .take(8)
                .map(|(o, (n, late))| format!("{o}: {n} assigned, {late} overdue"))
                .collect(),
            numbered: false,
        });
    }
    // Overdue work first, then the rest by risk.
    let mut items = Vec::new();
    if !unassigned {
        let late = FindingFilter { due_before: Some(req.today), ..filter.clone() };
        items.extend(req.source.findings(&late, 0, 5).await?.items);
    }
    if !overdue && items.len() < 5 {
        let more = req.source.findings(&filter, 0, 10).await?.items;
        for f in more {
            if items.len() >= 5 {
                break;
            }
            if !items.iter().any(|i| finding_subject(i) == finding_subject(&f)) {
                items.push(f);
            }
        }
    }
    for f in &items {
        card.items.push(finding_item(req, f, &query.subscriptions, true).await?);
    }
    let subject = Subject::list(items.iter().map(finding_subject).collect());
    Ok(Answer::card(card).about(Some(subject)))
}

/// "Is anyone on stdatalakecurated?", "who owns it?" about soft delete: each open finding
/// on the resource, or of the recommendation, with its owner. `on` is the resource they are
/// all on, for the thread.
async fn owners(
    req: &Request<'_>,
    filter: &FindingFilter,
    name: &str,
    query: &query::Query,
    on: Option<String>,
) -> Result<Answer, SkillError> {
    let summary = req.source.summary(filter, req.today).await?;
    let page = req.source.findings(filter, 0, 5).await?;
    let late = filter.due_before.is_some();
    let (title, place) = match on {
        Some(_) if late => (format!("Overdue on {name}"), format!("on {name}")),
        Some(_) => (format!("Who's on {name}"), format!("on {name}")),
        None => (format!("Who's on: {name}"), "of it".to_owned()),
    };
    let mut card = Card::titled(title);
    card.summary = Some(match (summary.findings, summary.assigned) {
        (0, _) if late => format!("Nothing {place} is past its due date."),
        (n, _) if late => format!(
            "{n} finding{} {place} {} past {} due date.",
            if n == 1 { "" } else { "s" },
            if n == 1 { "is" } else { "are" },
            if n == 1 { "its" } else { "their" },
        ),
        (0, _) => format!("Nothing {place} is open, so there is nothing to own."),
        (n, 0) => format!(
            "Nobody owns any of the {n} open finding{} {place} yet. Assign one from the list (\"give the 1st to @dana by Friday\").",
            if n == 1 { "" } else { "s" },
        ),
        (n, a) => format!(
            "{a} of the {n} open finding{} {place} {} an owner ({} overdue){}.",
            if n == 1 { "" } else { "s" },
            if a == 1 { "has" } else { "have" },
            summary.overdue,
            owner_names(req, filter).await?.map(|names| format!(": {names}")).unwrap_or_default()
        ),
    });
    for f in &page.items {
        card.items.push(finding_item(req, f, &query.subscriptions, true).await?);
    }
    card.first_item = 1;
    let subject = Subject::List { items: page.items.iter().map(finding_subject).collect(), on };
    Ok(Answer::card(card).about(Some(subject)))
}

/// Who owns the assigned findings a filter matches, for a summary line: "omar@contoso.com and
/// priya@contoso.com", with "and others" past the first few.
async fn owner_names(req: &Request<'_>, filter: &FindingFilter) -> Result<Option<String>, SkillError> {
    const SHOWN: usize = 3;
    let assigned = FindingFilter { assigned: Some(true), ..filter.clone() };
    let mut owners: Vec<String> = Vec::new();
    let mut more = false;
    for f in req.source.findings(&assigned, 0, 20).await?.items {
        let Some(g) = &f.governance else { continue };
        if owners.iter().any(|o| o.eq_ignore_ascii_case(&g.owner)) {
            continue;
        }
        if owners.len() == SHOWN {
            more = true;
            break;
        }
        owners.push(g.owner.clone());
    }
    Ok(match (owners.as_slice(), more) {
        ([], _) => None,
        ([one], false) => Some(one.clone()),
        ([some @ .., last], false) => Some(format!("{} and {last}", some.join(", "))),
        (some, true) => Some(format!("{} and others", some.join(", "))),
    })
}

/// "Who owns those?" after a list: each of its findings with its owner, in the list's order.
async fn rows(req: &Request<'_>, items: &[Subject]) -> Result<Answer, SkillError> {
    let mut found = Vec::new();
    for item in items {
        if let Subject::Finding { recommendation, resource } = item
            && let Some(f) = req.source.finding(recommendation, resource).await?
        {
            found.push(f);
        }
    }
    let owned = found.iter().filter(|f| f.governance.is_some()).count();
    let late =
        found.iter().filter(|f| f.governance.as_ref().is_some_and(|g| g.is_overdue(req.today))).count();
    let mut card = Card::titled("Who's on these");
    card.summary = Some(match (found.len(), owned) {
        (0, _) => "None of those findings is open any more. Ask for a fresh list.".to_owned(),
        (n, 0) => {
            format!("Nobody owns any of these {n} yet. Assign one (\"give the 1st to @dana by Friday\").")
        }
        (n, a) => format!("{a} of these {n} have an owner ({late} overdue)."),
    });
    let subs = req.source.subscriptions().await?;
    for f in &found {
        card.items.push(finding_item(req, f, &subs, true).await?);
    }
    card.first_item = 1;
    let subject = Subject::list(found.iter().map(finding_subject).collect());
    Ok(Answer::card(card).about(Some(subject)))
}

/// The email (or name) of the owner asked about, if any.
async fn owner_email(req: &Request<'_>, assignee: Option<&str>) -> Result<Option<String>, SkillError> {
    let Some(assignee) = assignee else { return Ok(None) };
    let user = &req.prompt.origin.user;
    let handle = match assignee {
        "me" => {
            if let Some(email) = &user.email {
                return Ok(Some(email.clone()));
            }
            user.id.clone()
        }
        other => other.trim_start_matches('@').to_owned(),
    };
    if let Some(p) = req
        .prompt
        .mentions
        .iter()
        .find(|p| p.id.eq_ignore_ascii_case(&handle) || p.name.eq_ignore_ascii_case(&handle))
        && let Some(email) = &p.email
    {
        return Ok(Some(email.clone()));
    }
    Ok(Some(match req.source.person(&handle).await? {
        Some(p) => p.email.unwrap_or(p.name),
        None if assignee == "me" => user.name.clone(),
        None => handle,
    }))
}

async fn one(req: &Request<'_>, recommendation: &str, resource: &str) -> Result<Answer, SkillError> {
    let Some(f) = req.source.finding(recommendation, resource).await? else {
        let mut card = Card::titled("That finding is gone");
        card.summary = Some("It may have been fixed or removed. Ask for a fresh list.".to_owned());
        return Ok(Answer::card(card));
    };
    let subs = req.source.subscriptions().await?;
    let mut card = Card::titled(format!("Status: {} on {}", f.recommendation.name, f.resource.name));
    card.severity = Some(f.level());
    card.summary = Some(match &f.governance {
        Some(g) if g.is_overdue(req.today) => format!("Overdue: {}.", governance_text(g, req.today)),
        Some(g) => format!("On track: {}.", governance_text(g, req.today)),
        None => "Nobody owns this yet.".to_owned(),
    });
    card.facts.push(Fact::new("State", f.status.as_str()));
    card.facts.push(Fact::new("Subscription", subscription_name(&subs, &f.resource.subscription)));
    let subject = finding_subject(&f);
    card.actions = super::present::finding_actions(req, &subject);
    Ok(Answer::card(card).about(Some(subject)))
}
