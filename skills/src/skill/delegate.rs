//! delegate: propose an owner and a due date for a finding (or a filtered set of them), and
//! only after the asker confirms, record the governance assignment and tell the owner.

use secbot_chat::{
    Action, ActionStyle, Card, Command, Delegation, DirectMessage, Fact, Intent, Item, Person, Slots, Subject,
};
use time::{Date, Duration};

use super::present::{date_label, finding_subject, subscription_name};
use super::{Answer, Request, SkillError, query};
use crate::posture::{AssignmentRequest, Finding, PostureError};

/// The most findings one confirmation assigns.
const BULK_LIMIT: usize = 25;

pub(crate) async fn run(req: &Request<'_>) -> Result<Answer, SkillError> {
    if let Some(Subject::Alert { id }) = req.subject {
        return alert(req, id).await;
    }
    let (findings, total) = targets(req).await?;
    if findings.is_empty() {
        let mut card = Card::titled("Nothing to assign");
        card.summary = Some("I couldn't find an open finding to assign. Ask for a list, then assign one of its items (\"assign the 2nd one to @dana by Friday\").".to_owned());
        card.actions = super::help::starters(req.response_id, 2);
        return Ok(Answer::card(card));
    }
    let subject = if findings.len() == 1 {
        finding_subject(&findings[0])
    } else {
        Subject::list(findings.iter().map(finding_subject).collect())
    };
    let slots = &req.parse.slots;
    // "push its deadline to next friday": a new day with no one named keeps the owner the work
    // already has.
    let current =
        match findings.iter().map(|f| f.governance.as_ref().map(|g| g.owner.as_str())).collect::<Vec<_>>() {
            owners
                if (slots.due.is_some() || req.parse.due_shift.is_some())
                    && owners.windows(2).all(|w| w[0] == w[1]) =>
            {
                owners.first().copied().flatten()
            }
            _ => None,
        };
    // "postpone it by two weeks": that long after the day the work is due (or today, when that
    // has passed).
    let shifted = req.parse.due_shift.filter(|_| slots.due.is_none()).map(|days| {
        let latest = findings.iter().filter_map(|f| f.governance.as_ref().map(|g| g.due)).max();
        latest.unwrap_or(req.today).max(req.today) + time::Duration::days(days)
    });
    let Some(owner) = owner(req, slots.assignee.as_deref().or(current), &findings).await? else {
        return Ok(ask_owner(req, &subject, slots, &findings).about(Some(subject)));
    };
    let due = match slots.due.or(shifted) {
        Some(due) if due >= req.today => due,
        other => {
            return Ok(ask_due(req, &subject, &owner, slots.due_text.as_deref(), other).about(Some(subject)));
        }
    };
    let delegation = Delegation { subject: subject.clone(), owner: owner.clone(), due };
    let subs = req.source.subscriptions().await?;
    let keeps = findings.iter().all(|f| {
        f.governance
            .as_ref()
            .is_some_and(|g| owner.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(&g.owner)))
    });
    let mut card = Card::titled(if keeps {
        format!("Move the due date to {}?", date_label(due))
    } else {
        format!("Assign to {}?", owner.name)
    });
    card.summary = Some(format!(
        "{} will {} {}, due {}. Nothing is recorded until you confirm.",
        owner.name,
        if keeps { "keep" } else { "own" },
        if findings.len() == 1 {
            "this finding".to_owned()
        } else {
            format!("these {} findings", findings.len())
        },
        date_label(due)
    ));
    card.facts = owner_facts(&owner, due, req.today);
    for f in &findings {
        card.items.push(Item {
            title: f.recommendation.name.clone(),
            subtitle: Some(format!(
                "{} · {}",
                f.resource.name,
                subscription_name(&subs, &f.resource.subscription)
            )),
            severity: Some(f.level()),
            facts: f
                .governance
                .as_ref()
                .map(|g| Fact::new("Currently", format!("{} due {}", g.owner, date_label(g.due))))
                .into_iter()
                .collect(),
            actions: Vec::new(),
        });
    }
    if total > findings.len() {
        card.notices.push(format!(
            "{total} findings match; this assigns the {} most risky. Narrow the request to assign the rest.",
            findings.len()
        ));
    }
    if owner.email.is_none() {
        card.notices.push(format!(
            "I don't know an email address for {}; Defender for Cloud records the owner as written and can't email them.",
            owner.name
        ));
    }
    card.actions = decide(req, delegation);
    Ok(Answer::card(card).about(Some(subject)))
}

/// The Confirm and Cancel buttons of a proposed delegation.
fn decide(req: &Request<'_>, delegation: Delegation) -> Vec<Action> {
    vec![
        Action::new("Confirm", req.response_id, Command::Confirm { delegation: delegation.clone() })
            .styled(ActionStyle::Primary),
        Action::new("Cancel", req.response_id, Command::Cancel { delegation }),
    ]
}

/// Proposes an owner and due date for an alert's triage. Defender for Cloud records no owner
/// on alerts, so secbot keeps the delegation itself (and reminds the owner).
async fn alert(req: &Request<'_>, id: &str) -> Result<Answer, SkillError> {
    let Some(alert) = req.source.alert(id).await? else {
        let mut card = Card::titled("Nothing to assign");
        card.summary = Some(
            "Defender for Cloud no longer has that alert. Ask for open alerts to pick a current one."
                .to_owned(),
        );
        return Ok(Answer::card(card));
    };
    let subject = Subject::Alert { id: alert.id.clone() };
    let slots = &req.parse.slots;
    let Some(owner) = owner(req, slots.assignee.as_deref(), &[]).await? else {
        return Ok(ask_owner(req, &subject, slots, &[]).about(Some(subject)));
    };
    let due = match slots.due {
        Some(due) if due >= req.today => due,
        other => {
            return Ok(ask_due(req, &subject, &owner, slots.due_text.as_deref(), other).about(Some(subject)));
        }
    };
    let mut card = Card::titled(format!("Assign to {}?", owner.name));
    card.summary = Some(format!(
        "{} will triage this alert, due {}. Nothing is recorded until you confirm.",
        owner.name,
        date_label(due)
    ));
    card.facts = alert_facts(&owner, due, req.today);
    card.items.push(Item {
        title: alert.name.clone(),
        subtitle: Some(format!("{} · {}", alert.entity, super::alerts::moment(alert.detected))),
        severity: Some(alert.severity),
        facts: Vec::new(),
        actions: Vec::new(),
    });
    card.notices.push(
        "Defender for Cloud keeps no owner on alerts: secbot records this one and reminds them.".to_owned(),
    );
    card.actions = decide(req, Delegation { subject: subject.clone(), owner, due });
    Ok(Answer::card(card).about(Some(subject)))
}

/// The owner and due date of an alert's triage (a governance grace period is about findings
/// and the secure score, which alerts do not touch).
fn alert_facts(owner: &Person, due: Date, today: Date) -> Vec<Fact> {
    owner_facts(owner, due, today).into_iter().filter(|f| f.label != "Grace period").collect()
}

/// Records nothing at the source (alerts have no owner there); the confirmation card and the
/// owner's direct message.
async fn confirm_alert(req: &Request<'_>, delegation: &Delegation, id: &str) -> Result<Answer, SkillError> {
    let owner = &delegation.owner;
    let Some(alert) = req.source.alert(id).await? else {
        let mut card = Card::titled("The assignment was not recorded");
        card.summary =
            Some("Defender for Cloud no longer has that alert, so nothing was assigned.".to_owned());
        return Ok(Answer::card(card));
    };
    let mut card = Card::titled(format!("Assigned to {}", owner.name));
    card.summary = Some(format!(
        "{} triages {} on {}, due {}. I'll remind them here before it is due.",
        owner.name,
        alert.name,
        alert.entity,
        date_label(delegation.due)
    ));
    card.facts = alert_facts(owner, delegation.due, req.today);
    card.facts.push(Fact::new("Assigned by", req.prompt.origin.user.name.clone()));
    let subject = Subject::Alert { id: alert.id.clone() };
    card.actions = vec![Action::run("What to do", req.response_id, Intent::Remediate, Some(subject.clone()))];
    let mut direct = Vec::new();
    if owner.id != req.prompt.origin.user.id && !owner.id.contains(' ') {
        let mut dm = Card::titled(format!("You've been assigned an alert: {}", alert.name));
        dm.severity = Some(alert.severity);
        dm.summary = Some(format!(
            "{} asked you to triage this alert on {} by {}.",
            req.prompt.origin.user.name,
            alert.entity,
            date_label(delegation.due)
        ));
        dm.actions = vec![
            Action::run("What to do", req.response_id, Intent::Remediate, Some(subject.clone()))
                .styled(ActionStyle::Primary),
            Action::run("Explain", req.response_id, Intent::Explain, Some(subject.clone())),
        ];
        let text = dm.to_plain_text();
        direct.push(DirectMessage { to: owner.clone(), card: dm, text });
    }
    Ok(Answer { card, subject: Some(subject), direct })
}

/// The findings to assign: the subject's, or those the slots describe (most risky first).
async fn targets(req: &Request<'_>) -> Result<(Vec<Finding>, usize), SkillError> {
    let filter = match req.subject {
        Some(Subject::Finding { recommendation, resource }) => {
            let found: Vec<Finding> =
                req.source.finding(recommendation, resource).await?.into_iter().collect();
            let n = found.len();
            return Ok((found, n));
        }
        Some(Subject::List { items, .. }) => {
            let mut found = Vec::new();
            for item in items.iter().take(BULK_LIMIT) {
                if let Subject::Finding { recommendation, resource } = item
                    && let Some(f) = req.source.finding(recommendation, resource).await?
                {
                    found.push(f);
                }
            }
            let n = items.len();
            return Ok((found, n));
        }
        Some(subject) if let Some(filter) = query::subject_filter(subject, req.scope) => filter,
        _ => {
            let query = query::build(req, &req.parse.slots).await?;
            if query.unknown.is_some() {
                return Ok((Vec::new(), 0));
            }
            query.filter
        }
    };
    let page = req.source.findings(&filter, 0, BULK_LIMIT).await?;
    Ok((page.items, page.total))
}

/// Who "me", "@dana", "storage team" or "resource_owner" is.
async fn owner(
    req: &Request<'_>,
    assignee: Option<&str>,
    findings: &[Finding],
) -> Result<Option<Person>, SkillError> {
    let Some(assignee) = assignee else { return Ok(None) };
    let asker = &req.prompt.origin.user;
    let person = match assignee {
        "me" => {
            let mut me = asker.clone();
            if me.email.is_none()
                && let Some(known) = req.source.person(&me.id).await?.or(req.source.person(&me.name).await?)
            {
                me.email = known.email;
            }
            me
        }
        "resource_owner" => {
            let tagged = findings.first().and_then(|f| {
                f.resource.tags.iter().find(|(k, _)| k.eq_ignore_ascii_case("owner")).map(|(_, v)| v.clone())
            });
            match tagged {
                // Anyone who can tag a resource can write any address there: only one in an
                // allowed domain is mailed (the directory's people always are).
                Some(owner) => req.source.person(&owner).await?.unwrap_or_else(|| Person {
                    id: owner.clone(),
                    name: owner.clone(),
                    email: in_domains(&owner, req.notify_domains).then(|| owner.clone()),
                }),
                None => return Ok(None),
            }
        }
        handle => {
            let bare = handle.trim_start_matches('@');
            // "@dana" names the mentioned "Dana Whitfield" (Teams puts the display name in the
            // text), as do her id and "dana.whitfield".
            let mentioned = req.prompt.mentions.iter().find(|p| {
                p.id.eq_ignore_ascii_case(bare)
                    || p.name.eq_ignore_ascii_case(bare)
                    || p.name.replace(' ', ".").eq_ignore_ascii_case(bare)
                    || p.name.split_whitespace().next().is_some_and(|first| first.eq_ignore_ascii_case(bare))
            });
            match mentioned {
                Some(p) if p.email.is_some() => p.clone(),
                Some(p) => {
                    let known = req.source.person(&p.name).await?;
                    Person { email: known.and_then(|k| k.email), ..p.clone() }
                }
                None => req.source.person(bare).await?.unwrap_or_else(|| Person::named(bare)),
            }
        }
    };
    Ok(Some(person))
}

/// True when `address` is a mail address in one of `domains` (or a subdomain of one).
fn in_domains(address: &str, domains: &[String]) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else { return false };
    let domain = domain.to_ascii_lowercase();
    !local.is_empty()
        && domains.iter().map(|d| d.trim_start_matches('@').to_ascii_lowercase()).any(|allowed| {
            domain == allowed || domain.strip_suffix(&allowed).is_some_and(|rest| rest.ends_with('.'))
        })
}

fn owner_facts(owner: &Person, due: Date, today: Date) -> Vec<Fact> {
    let days = (due - today).whole_days();
    vec![
        Fact::new(
            "Owner",
            match &owner.email {
                Some(email) => format!("{} ({email})", owner.name),
                None => owner.name.clone(),
            },
        ),
        Fact::new(
            "Due",
            format!(
                "{} ({})",
                date_label(due),
                match days {
                    0 => "today".to_owned(),
                    1 => "tomorrow".to_owned(),
                    d => format!("in {d} days"),
                }
            ),
        ),
        Fact::new("Grace period", "on: secure score is not affected until the due date"),
    ]
}

fn ask_owner(req: &Request<'_>, subject: &Subject, slots: &Slots, findings: &[Finding]) -> Answer {
    let mut card = Card::titled("Who should own this?");
    let what = if findings.len() == 1 {
        format!("{} on {}", findings[0].recommendation.name, findings[0].resource.name)
    } else {
        format!("these {} findings", findings.len())
    };
    let untagged = match findings {
        [one] if slots.assignee.as_deref() == Some("resource_owner") => {
            format!("{} has no owner tag, so I can't tell who owns it. ", one.resource.name)
        }
        _ => String::new(),
    };
    card.summary = Some(format!(
        "{untagged}Reply with the owner and a due date for {what}, for example \"assign it to @dana by Friday\"."
    ));
    let mine = Slots {
        assignee: Some("me".to_owned()),
        due: slots.due,
        due_text: slots.due_text.clone(),
        ..Slots::default()
    };
    card.actions = vec![Action::new(
        "Assign to me",
        req.response_id,
        Command::Run { intent: Intent::Delegate, subject: Some(subject.clone()), slots: mine, offset: 0 },
    )];
    Answer::card(card)
}

fn ask_due(
    req: &Request<'_>,
    subject: &Subject,
    owner: &Person,
    written: Option<&str>,
    past: Option<Date>,
) -> Answer {
    let mut card = Card::titled("By when?");
    // "these 9" when a hand-over is of several rows ("pass all of omar's to raj").
    let (what, them) = match subject {
        Subject::List { items, .. } if items.len() > 1 => (format!("these {}", items.len()), "them"),
        _ => ("it".to_owned(), "it"),
    };
    card.summary = Some(match (past, written) {
        (Some(day), _) => format!("{} is in the past. Pick a due date for {}.", date_label(day), owner.name),
        (None, Some(text)) => format!(
            "I can't tell which date \"{text}\" is. Pick a due date for {}, or reply with one.",
            owner.name
        ),
        (None, None) => format!(
            "When should {} have {what} fixed? Pick a date or reply with one (\"by Friday\", \"in two weeks\").",
            owner.name
        ),
    });
    let today = req.today;
    let friday =
        today + Duration::days(i64::from((11 - today.weekday().number_days_from_monday()) % 7).max(1));
    let end_of_month = {
        let days = time::util::days_in_month(today.month(), today.year());
        Date::from_calendar_date(today.year(), today.month(), days).unwrap_or(today)
    };
    let mut choices = vec![("Friday", friday), ("In 2 weeks", today + Duration::days(14))];
    if end_of_month > today + Duration::days(2) {
        choices.push(("End of month", end_of_month));
    } else {
        choices.push(("In 30 days", today + Duration::days(30)));
    }
    card.actions = choices
        .into_iter()
        .map(|(label, day)| {
            let delegation = Delegation { subject: subject.clone(), owner: owner.clone(), due: day };
            Action::new(
                format!("{label} ({})", date_label(day)),
                req.response_id,
                Command::Confirm { delegation },
            )
        })
        .collect();
    // Who it goes to, as the proposal shows it: "Li Wei" alone does not say which li.
    if let Some(email) = &owner.email {
        card.facts.push(Fact::new("Owner", format!("{} ({email})", owner.name)));
    }
    card.notices.push(format!("Pressing a date assigns {them} to {} right away.", owner.name));
    Answer::card(card)
}

/// Records a confirmed delegation in the posture source and builds the card that replaces the
/// confirmation, with a message for the owner.
pub(crate) async fn confirm(req: &Request<'_>, delegation: &Delegation) -> Result<Answer, SkillError> {
    if let Subject::Alert { id } = &delegation.subject {
        return confirm_alert(req, delegation, id).await;
    }
    let pairs: Vec<(String, String)> = match &delegation.subject {
        Subject::Finding { recommendation, resource } => vec![(recommendation.clone(), resource.clone())],
        Subject::List { items, .. } => items
            .iter()
            .filter_map(|s| match s {
                Subject::Finding { recommendation, resource } => {
                    Some((recommendation.clone(), resource.clone()))
                }
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let owner = &delegation.owner;
    let owner_id = owner.email.clone().unwrap_or_else(|| owner.name.clone());
    let mut done = Vec::new();
    let mut failed: Vec<(String, PostureError)> = Vec::new();
    for (recommendation, resource) in &pairs {
        let request = AssignmentRequest {
            recommendation: recommendation.clone(),
            resource: resource.clone(),
            owner: owner_id.clone(),
            due: delegation.due,
            grace_period: true,
            notify: owner.email.is_some(),
        };
        match req.source.assign(&request).await {
            Ok(_) => {
                if let Some(f) = req.source.finding(recommendation, resource).await? {
                    done.push(f);
                }
            }
            Err(err) => failed.push((resource.clone(), err)),
        }
    }
    let mut card = if done.is_empty() {
        let mut card = Card::titled("The assignment was not recorded");
        card.summary = Some(match failed.first() {
            Some((_, err)) => format!("Defender for Cloud refused it: {err}. Nothing was assigned."),
            None => "Those findings no longer exist, so nothing was assigned.".to_owned(),
        });
        card
    } else {
        let mut card = Card::titled(format!("Assigned to {}", owner.name));
        card.summary = Some(format!(
            "{} finding{} assigned to {}, due {}{}",
            done.len(),
            if done.len() == 1 { "" } else { "s" },
            owner.name,
            date_label(delegation.due),
            if owner.email.is_some() {
                ". Defender for Cloud will email them, and I've messaged them here."
            } else {
                "."
            }
        ));
        card
    };
    card.facts = owner_facts(owner, delegation.due, req.today);
    card.facts.push(Fact::new("Assigned by", req.prompt.origin.user.name.clone()));
    for f in &done {
        card.items.push(Item {
            title: f.recommendation.name.clone(),
            subtitle: Some(f.resource.name.clone()),
            severity: Some(f.level()),
            facts: Vec::new(),
            actions: vec![Action::run(
                "Remediate",
                req.response_id,
                Intent::Remediate,
                Some(finding_subject(f)),
            )],
        });
    }
    if !failed.is_empty() && !done.is_empty() {
        card.notices.push(format!("{} could not be assigned: {}", failed.len(), failed[0].1));
    }
    let mut direct = Vec::new();
    if !done.is_empty() && owner.id != req.prompt.origin.user.id && !owner.id.contains(' ') {
        let first = &done[0];
        let mut dm = Card::titled(if done.len() == 1 {
            format!("You've been assigned: {}", first.recommendation.name)
        } else {
            format!("You've been assigned {} findings", done.len())
        });
        dm.summary = Some(format!(
            "{} asked you to fix {} by {}. It shows as yours in Defender for Cloud.",
            req.prompt.origin.user.name,
            if done.len() == 1 { format!("this on {}", first.resource.name) } else { "these".to_owned() },
            date_label(delegation.due)
        ));
        for f in done.iter().take(10) {
            dm.items.push(Item {
                title: f.recommendation.name.clone(),
                subtitle: Some(f.resource.name.clone()),
                severity: Some(f.level()),
                facts: Vec::new(),
                actions: vec![
                    Action::run("Remediate", req.response_id, Intent::Remediate, Some(finding_subject(f)))
                        .styled(ActionStyle::Primary),
                    Action::run("Explain", req.response_id, Intent::Explain, Some(finding_subject(f))),
                ],
            });
        }
        dm.notices
            .push("Don't want these messages? Ask whoever assigned it to reassign the work.".to_owned());
        let text = dm.to_plain_text();
        direct.push(DirectMessage { to: owner.clone(), card: dm, text });
    }
    let subject =
        if done.len() == 1 { Some(finding_subject(&done[0])) } else { Some(delegation.subject.clone()) };
    Ok(Answer { card, subject, direct })
}

pub(crate) fn cancelled(delegation: &Delegation) -> Card {
    let mut card = Card::titled("Not assigned");
    card.summary =
        Some(format!("Nothing was recorded; {} was not assigned anything.", delegation.owner.name));
    card
}

#[cfg(test)]
mod tests {
    use super::in_domains;

    #[test]
    fn only_addresses_in_the_allowed_domains_are_mailed() {
        let domains = vec!["contoso.com".to_owned(), "@fabrikam.io".to_owned()];
        assert!(in_domains("dana@contoso.com", &domains));
        assert!(in_domains("Dana@Security.CONTOSO.com", &domains), "subdomains count");
        assert!(in_domains("ops@fabrikam.io", &domains));
        assert!(!in_domains("mallory@evilcontoso.com", &domains), "a suffix is not a subdomain");
        assert!(!in_domains("mallory@contoso.com.evil.example", &domains));
        assert!(!in_domains("contoso.com", &domains), "not an address");
        assert!(!in_domains("@contoso.com", &domains));
        assert!(!in_domains("dana@contoso.com", &[]), "no domains, no mail");
    }
}
