//! list_risks: open findings matching the prompt's filters, most risky first, five at a time.

use secbot_chat::{Action, ActionStyle, Card, Command, Intent, Severity, Slots, Subject};

use super::present::{finding_item, finding_subject, level_counts, subscription_name};
use super::{Answer, Request, SkillError, query};

/// Items shown per page unless the prompt asks for a number ("top 10").
pub(crate) const PAGE: usize = 5;

/// The most items a page shows whatever number is asked for: a card stays readable and within
/// every platform's size limits.
const MOST: usize = 10;

/// Items to show on a page of a list: the number the prompt asked for, within reason.
pub(crate) fn page_size(slots: &Slots) -> usize {
    slots.count.map_or(PAGE, |n| (n as usize).clamp(1, MOST))
}

pub(crate) async fn run(req: &Request<'_>) -> Result<Answer, SkillError> {
    if req.parse.best_fix {
        return super::score::gains(req).await;
    }
    if req.parse.slots.alerts == Some(true) {
        return super::alerts::list(req).await;
    }
    let slots = &req.parse.slots;
    let query = query::build(req, slots).await?;
    if let Some(unknown) = &query.unknown {
        return Ok(Answer::card(not_found(req, unknown)));
    }
    let offset = req.offset as usize;
    let page = req.source.findings(&query.filter, offset, page_size(slots)).await?;
    let mut card =
        Card::titled(title(slots, query.resource.as_ref().map(|r| r.name.as_str()), &query.subscriptions));
    card.severity = page.items.first().map(|f| f.level());
    if page.total == 0 {
        card.summary = Some(
            "No open findings match. Either nothing is wrong there, or the filters are narrower than you meant.".to_owned(),
        );
        if slots.has_filters() || slots.resource.is_some() {
            card.actions.push(Action::new(
                "Show all open risks",
                req.response_id,
                Command::Run { intent: Intent::ListRisks, subject: None, slots: Slots::default(), offset: 0 },
            ));
        }
        // An empty list is still the list the thread shows (and, on a named resource, it
        // makes the thread about that resource).
        let about = Subject::List { items: Vec::new(), on: query.resource.as_ref().map(|r| r.id.clone()) };
        return Ok(Answer::card(card).about(Some(about)));
    }
    if offset >= page.total {
        card.summary = Some(format!("That's the whole list: {} findings match.", page.total));
        return Ok(Answer::card(card));
    }
    let shown = page.items.len();
    let ranking = if slots.vulnerabilities == Some(true) {
        "Vulnerability findings on resources with matching CVEs, most risky first"
    } else {
        "Most risky first"
    };
    let levels =
        if page.by_level.len() > 1 { format!(" ({})", level_counts(&page.by_level)) } else { String::new() };
    card.summary = Some(format!(
        "{} open finding{} match{levels}. {ranking}; showing {}–{}.",
        page.total,
        if page.total == 1 { "" } else { "s" },
        offset + 1,
        offset + shown
    ));
    if slots.vulnerabilities == Some(true) {
        let min = slots.severity.iter().copied().min().unwrap_or(Severity::Low);
        if min > Severity::Low {
            card.notices.push(format!("CVEs counted: {} severity and above.", min.as_str()));
        }
    }
    card.first_item = offset + 1;
    let mut subjects = Vec::new();
    for f in &page.items {
        card.items.push(finding_item(req, f, &query.subscriptions, true).await?);
        subjects.push(finding_subject(f));
    }
    let unscored: Vec<String> = page
        .items
        .iter()
        .filter(|f| f.risk.is_none())
        .map(|f| subscription_name(&query.subscriptions, &f.resource.subscription))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if !unscored.is_empty() {
        card.notices.push(format!(
            "Risk levels need Defender CSPM; findings in {} are ranked by severity instead.",
            unscored.join(", ")
        ));
    }
    card.actions.push(Action::new(
        "Summarize these",
        req.response_id,
        Command::Run { intent: Intent::Summarize, subject: None, slots: slots.clone(), offset: 0 },
    ));
    if offset + shown < page.total {
        card.actions.push(
            Action::new(
                format!("Show more ({} left)", page.total - offset - shown),
                req.response_id,
                Command::Run {
                    intent: Intent::ListRisks,
                    subject: None,
                    slots: slots.clone(),
                    offset: (offset + shown) as u32,
                },
            )
            .styled(ActionStyle::Primary),
        );
    }
    if slots.exposure.is_some() || slots.sensitive_data.is_some() {
        card.actions.push(Action::new(
            "Attack paths",
            req.response_id,
            Command::Run { intent: Intent::AttackPaths, subject: None, slots: slots.clone(), offset: 0 },
        ));
    }
    Ok(Answer::card(card)
        .about(Some(Subject::List { items: subjects, on: query.resource.as_ref().map(|r| r.id.clone()) })))
}

/// "Critical risks on internet-exposed resources", "Resources with high severity
/// vulnerabilities", "Open findings on vm-web-01".
pub(crate) fn title(
    slots: &Slots,
    resource: Option<&str>,
    subscriptions: &[crate::posture::Subscription],
) -> String {
    let levels = |levels: &[Severity]| {
        let mut names: Vec<&str> = levels.iter().map(|l| l.as_str()).collect();
        names.sort_by_key(|n| std::cmp::Reverse(n.parse::<Severity>().ok()));
        match names.as_slice() {
            [] => String::new(),
            [one] => (*one).to_owned(),
            [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        }
    };
    let mut title = if slots.vulnerabilities == Some(true) {
        let level = levels(&slots.severity);
        if level.is_empty() {
            "Resources with vulnerabilities".to_owned()
        } else {
            format!("Resources with {level} severity vulnerabilities")
        }
    } else {
        let level = levels(&slots.severity);
        if level.is_empty() {
            if slots.has_filters() || resource.is_some() {
                "Open risks".to_owned()
            } else {
                "Top risks".to_owned()
            }
        } else {
            format!("{} risks", super::present::capitalized(&level))
        }
    };
    if let Some(kind) = slots.resource_type {
        title.push_str(&format!(" on {}", kind.plural()));
        if slots.exposure.is_some() {
            title = title.replacen(
                &format!(" on {}", kind.plural()),
                &format!(" on internet-exposed {}", kind.plural()),
                1,
            );
        }
    } else if slots.exposure.is_some() {
        title.push_str(" on internet-exposed resources");
    }
    if slots.sensitive_data == Some(true) {
        title.push_str(" to sensitive data");
    }
    if let Some(resource) = resource {
        title.push_str(&format!(" on {resource}"));
    }
    if let Some(cloud) = slots.cloud {
        title.push_str(&format!(" in {}", cloud.label()));
    }
    if let Some(sub) = &slots.subscription {
        let name = subscriptions
            .iter()
            .find(|s| s.name.to_lowercase().starts_with(&sub.to_lowercase()))
            .map_or(sub.as_str(), |s| s.name.as_str());
        title.push_str(&format!(" in {name}"));
    }
    if slots.unassigned == Some(true) {
        title.push_str(" that nobody owns");
    }
    title
}

pub(crate) fn not_found(req: &Request<'_>, unknown: &str) -> Card {
    let mut card = Card::titled("Nothing by that name");
    card.summary = Some(format!(
        "I couldn't find {unknown} in the data secbot can see. Check the spelling, or ask for a list and pick from it."
    ));
    card.actions = super::help::starters(req.response_id, 2);
    card
}

#[cfg(test)]
mod tests {
    use super::*;
    use secbot_chat::{Exposure, ResourceKind};

    #[test]
    fn titles_read_like_the_question() {
        let subs = [];
        let critical_public = Slots {
            severity: vec![Severity::Critical],
            exposure: Some(Exposure::Public),
            ..Slots::default()
        };
        assert_eq!(title(&critical_public, None, &subs), "Critical risks on internet-exposed resources");
        let sensitive =
            Slots { severity: vec![Severity::Critical], sensitive_data: Some(true), ..Slots::default() };
        assert_eq!(title(&sensitive, None, &subs), "Critical risks to sensitive data");
        let vulns = Slots { severity: vec![Severity::High], vulnerabilities: Some(true), ..Slots::default() };
        assert_eq!(title(&vulns, None, &subs), "Resources with high severity vulnerabilities");
        let kinds = Slots {
            severity: vec![Severity::Medium, Severity::Low, Severity::High],
            resource_type: Some(ResourceKind::StorageAccount),
            exposure: Some(Exposure::Public),
            ..Slots::default()
        };
        assert_eq!(
            title(&kinds, None, &subs),
            "High, medium and low risks on internet-exposed storage accounts"
        );
        assert_eq!(title(&Slots::default(), None, &subs), "Top risks");
        assert_eq!(title(&Slots::default(), Some("vm-web-01"), &subs), "Open risks on vm-web-01");
    }
}
