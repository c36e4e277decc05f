//! attack_paths: chains of weaknesses from an exposed entry point to a valuable target, which
//! fixes break the most of them, and the blast radius of a resource. Needs Defender CSPM; without
//! it the answer says so and shows what it can instead.

use std::collections::HashMap;
use std::sync::Arc;

use secbot_chat::{
    Action, ActionStyle, Card, Command, Fact, Intent, Item, Section, Severity, Slots, Subject,
};

use super::present::{finding_item, level_counts, subscription_name};
use super::{Answer, Request, SkillError, query};
use crate::posture::{AttackPath, AttackPathFilter, FindingFilter, Plan, Subscription};

const PAGE: usize = 5;

pub(crate) async fn run(req: &Request<'_>) -> Result<Answer, SkillError> {
    let slots = &req.parse.slots;
    let query = query::build(req, slots).await?;
    if let Some(unknown) = &query.unknown {
        return Ok(Answer::card(super::list_risks::not_found(req, unknown)));
    }
    let wanted: Vec<&Subscription> = query
        .subscriptions
        .iter()
        .filter(|s| {
            query.filter.subscriptions.is_empty()
                || query.filter.subscriptions.iter().any(|id| id.eq_ignore_ascii_case(&s.id))
        })
        .filter(|s| query.filter.clouds.is_empty() || query.filter.clouds.contains(&s.cloud))
        .collect();
    let (covered, uncovered): (Vec<&Subscription>, Vec<&Subscription>) =
        wanted.iter().partition(|s| s.has(Plan::DefenderCspm));
    if covered.is_empty() {
        return limited(req, &uncovered).await;
    }
    let mut filter = AttackPathFilter {
        subscriptions: covered.iter().map(|s| s.id.clone()).collect(),
        clouds: query.filter.clouds.clone(),
        min_risk: slots.severity.iter().copied().min(),
        kind: slots.resource_type,
        internet_exposed: slots.exposure.map(|_| true),
        sensitive_data: slots.sensitive_data,
        resource: query.resource.as_ref().map(|r| r.id.clone()),
        recommendation: req.parse.recommendation_key.clone(),
    };
    match req.subject {
        Some(Subject::AttackPath { id }) => {
            let paths = req.source.attack_paths(&filter).await?;
            return match paths.iter().find(|p| &p.id == id) {
                Some(path) => detail(req, path, &query.subscriptions).await,
                None => {
                    let mut card = Card::titled("That attack path is gone");
                    card.summary = Some(
                        "Defender for Cloud no longer reports it; its weaknesses may have been fixed."
                            .to_owned(),
                    );
                    Ok(Answer::card(card))
                }
            };
        }
        Some(Subject::Resource { id }) | Some(Subject::Finding { resource: id, .. })
            if filter.resource.is_none() =>
        {
            filter.resource = Some(id.clone());
        }
        Some(Subject::List { items, .. })
            if filter.resource.is_none()
                && let Some(listed) = listed_resources(items) =>
        {
            let paths = req.source.attack_paths(&filter).await?;
            return on_the_list(req, &paths, &listed, items).await;
        }
        _ => {}
    }
    let paths = req.source.attack_paths(&filter).await?;
    let text = req.prompt.text.to_lowercase();
    let mut answer = if req.parse.best_fix
        || ["choke", "single fix", "breaks the most", "break the most", "most attack paths", "on the most"]
            .iter()
            .any(|w| text.contains(w))
    {
        chokepoints(req, &paths, slots).await?
    } else {
        list(req, &paths, &filter, slots, &query.subscriptions).await?
    };
    if !uncovered.is_empty() {
        answer.card.notices.push(format!(
            "Defender CSPM is off in {}, so attack paths there are not analysed.",
            uncovered.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }
    Ok(answer)
}

/// The resources a list of findings or resources shows, in order, each once; `None` for a list
/// of anything else (attack paths).
fn listed_resources(items: &[Subject]) -> Option<Vec<String>> {
    let mut ids: Vec<String> = Vec::new();
    for item in items {
        let id = item.resource_id()?;
        if !ids.iter().any(|known| known == id) {
            ids.push(id.to_owned());
        }
    }
    (!ids.is_empty()).then_some(ids)
}

/// "Are any of those on an attack path?": which rows of the thread's list sit on a path, and
/// the paths through them. The thread keeps its list, so "#1" still means its first row.
async fn on_the_list(
    req: &Request<'_>,
    paths: &[Arc<AttackPath>],
    listed: &[String],
    items: &[Subject],
) -> Result<Answer, SkillError> {
    let touches = |path: &AttackPath, id: &str| {
        path.steps.iter().any(|s| s.resource == id) || path.findings.iter().any(|(_, r)| r == id)
    };
    let through: Vec<&Arc<AttackPath>> =
        paths.iter().filter(|p| listed.iter().any(|id| touches(p, id))).collect();
    let mut on_path = Vec::new();
    for (n, item) in items.iter().enumerate() {
        let Some(id) = item.resource_id() else { continue };
        if through.iter().any(|p| touches(p, id)) {
            let name = req.source.resource(id).await?.map_or_else(|| id.to_owned(), |r| r.name.clone());
            on_path.push(format!("#{} ({name})", n + 1));
        }
    }
    let mut card = Card::titled("Attack paths through this list");
    card.severity = through.iter().map(|p| p.risk).max();
    card.summary = Some(match on_path.len() {
        0 => format!(
            "None of the {} rows is on an attack path Defender for Cloud found; fix them by severity.",
            items.len()
        ),
        n => format!(
            "{n} of the {} rows {} on an attack path: {}. {} path{} go{} through them, most risky first.",
            items.len(),
            if n == 1 { "is" } else { "are" },
            on_path.join(", "),
            through.len(),
            if through.len() == 1 { "" } else { "s" },
            if through.len() == 1 { "es" } else { "" },
        ),
    });
    for path in through.iter().take(PAGE) {
        card.items.push(Item {
            title: path.name.clone(),
            subtitle: Some(route(path)),
            severity: Some(path.risk),
            facts: Vec::new(),
            actions: vec![Action::run(
                "Details",
                req.response_id,
                Intent::AttackPaths,
                Some(Subject::AttackPath { id: path.id.clone() }),
            )],
        });
    }
    Ok(Answer::card(card).about(req.subject.cloned()))
}

/// The button that lists every risk on an internet-exposed resource: where attack paths have
/// nothing to show, exposure is the next best lead.
fn show_exposed(req: &Request<'_>) -> Action {
    Action::new(
        "Show exposed risks",
        req.response_id,
        Command::Run {
            intent: Intent::ListRisks,
            subject: None,
            slots: Slots { exposure: Some(secbot_chat::Exposure::Public), ..Slots::default() },
            offset: 0,
        },
    )
}

fn route(path: &AttackPath) -> String {
    path.steps.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(" → ")
}

async fn list(
    req: &Request<'_>,
    paths: &[Arc<AttackPath>],
    filter: &AttackPathFilter,
    slots: &Slots,
    subs: &[Subscription],
) -> Result<Answer, SkillError> {
    let mut title = "Attack paths".to_owned();
    if let Some(min) = filter.min_risk {
        title = format!("{} attack paths", super::present::capitalized(min.as_str()));
    }
    if let Some(resource) = &filter.resource {
        let name = req.source.resource(resource).await?.map_or_else(|| resource.clone(), |r| r.name.clone());
        title.push_str(&format!(" through {name}"));
    }
    if let Some(kind) = filter.kind {
        title.push_str(&format!(" involving {}", kind.plural()));
    }
    if filter.internet_exposed == Some(true) {
        title.push_str(" from the internet");
    }
    if filter.sensitive_data == Some(true) {
        title.push_str(" to sensitive data");
    }
    let mut card = Card::titled(title);
    if paths.is_empty() {
        card.summary = Some(match &filter.resource {
            Some(_) => "No attack path Defender for Cloud found starts from or goes through it: its blast radius in the graph is empty.".to_owned(),
            None => "Defender for Cloud found no attack paths matching that.".to_owned(),
        });
        card.actions = vec![show_exposed(req)];
        // ("is that box on any attack path?" with none: the thread stays on the box.)
        let asked = req.subject.filter(|s| matches!(s, Subject::Finding { .. } | Subject::Resource { .. }));
        return Ok(Answer::card(card).about(asked.cloned()));
    }
    let offset = (req.offset as usize).min(paths.len());
    let mut by_level = std::collections::BTreeMap::new();
    for p in paths {
        *by_level.entry(p.risk).or_insert(0usize) += 1;
    }
    card.severity = paths.first().map(|p| p.risk);
    let shown = &paths[offset..(offset + super::list_risks::page_size(&req.parse.slots)).min(paths.len())];
    card.summary = Some(format!(
        "{} attack path{} ({}); showing {}–{}, most risky first.",
        paths.len(),
        if paths.len() == 1 { "" } else { "s" },
        level_counts(&by_level),
        offset + 1,
        offset + shown.len()
    ));
    // The next page goes on counting: "the 7th" is the second row of page two.
    card.first_item = offset + 1;
    for path in shown {
        let mut facts = vec![Fact::new("Subscription", subscription_name(subs, &path.subscription))];
        if !path.risk_factors.is_empty() {
            facts.push(Fact::new("Risk", path.risk_factors.join(", ")));
        }
        let mut actions = vec![Action::run(
            "Details",
            req.response_id,
            Intent::AttackPaths,
            Some(Subject::AttackPath { id: path.id.clone() }),
        )];
        if let Some((rec, res)) = path.findings.first() {
            if let Some(rec_meta) = req.source.recommendation(rec).await? {
                let res_name =
                    req.source.resource(res).await?.map_or_else(|| res.clone(), |r| r.name.clone());
                facts.push(Fact::new("Fix first", format!("{} on {res_name}", rec_meta.name)));
            }
            actions.push(
                Action::run(
                    "Break it",
                    req.response_id,
                    Intent::Remediate,
                    Some(Subject::Finding { recommendation: rec.clone(), resource: res.clone() }),
                )
                .styled(ActionStyle::Primary),
            );
        }
        card.items.push(Item {
            title: path.name.clone(),
            subtitle: Some(route(path)),
            severity: Some(path.risk),
            facts,
            actions,
        });
    }
    if offset + shown.len() < paths.len() {
        card.actions.push(Action::new(
            format!("Show more ({} left)", paths.len() - offset - shown.len()),
            req.response_id,
            Command::Run {
                intent: Intent::AttackPaths,
                subject: None,
                slots: slots.clone(),
                offset: (offset + shown.len()) as u32,
            },
        ));
    }
    card.actions.push(Action::ask(
        "Which fix breaks the most?",
        req.response_id,
        "which single fix breaks the most attack paths?",
    ));
    // "is that on an attack path?" keeps the thread on what "that" was; a question about paths
    // in general makes the paths the thread's list.
    // ("Which attack paths end at stdatalakecurated?" names the resource: its paths are the
    // list, and the thread stays on the resource through it.)
    let named = req.parse.slots.resource.is_some();
    let subject = match req.subject {
        Some(asked @ Subject::Finding { .. }) => asked.clone(),
        Some(asked @ Subject::Resource { .. }) if !named => asked.clone(),
        _ => Subject::List {
            items: shown.iter().map(|p| Subject::AttackPath { id: p.id.clone() }).collect(),
            on: filter.resource.clone(),
        },
    };
    Ok(Answer::card(card).about(Some(subject)))
}

async fn detail(req: &Request<'_>, path: &AttackPath, subs: &[Subscription]) -> Result<Answer, SkillError> {
    let mut card = Card::titled(path.name.clone());
    card.severity = Some(path.risk);
    card.summary = Some(path.description.clone());
    card.facts.push(Fact::new("Risk", path.risk.label()));
    card.facts.push(Fact::new("Subscription", subscription_name(subs, &path.subscription)));
    if !path.risk_factors.is_empty() {
        card.facts.push(Fact::new("Categories", path.risk_factors.join(", ")));
    }
    card.sections.push(Section {
        heading: "The path".to_owned(),
        lines: path.steps.iter().map(|s| format!("{} — {}", s.name, s.insight)).collect(),
        numbered: true,
    });
    if !path.break_steps.is_empty() {
        card.sections.push(Section {
            heading: "How to break it".to_owned(),
            lines: path.break_steps.clone(),
            numbered: true,
        });
    }
    for (rec, res) in path.findings.iter().take(6) {
        if let Some(f) = req.source.finding(rec, res).await? {
            card.items.push(finding_item(req, &f, subs, true).await?);
        }
    }
    if !path.findings.is_empty() {
        card.notices
            .push(format!("Fixing any one of the {} findings on it breaks this path.", path.findings.len()));
    }
    Ok(Answer::card(card).about(Some(Subject::AttackPath { id: path.id.clone() })))
}

async fn chokepoints(
    req: &Request<'_>,
    paths: &[Arc<AttackPath>],
    slots: &Slots,
) -> Result<Answer, SkillError> {
    let mut card = Card::titled("Fixes that break the most attack paths");
    if paths.is_empty() {
        card.summary =
            Some("Defender for Cloud found no attack paths here, so there is nothing to break.".to_owned());
        return Ok(Answer::card(card));
    }
    let subs = req.source.subscriptions().await?;
    if let Some(kind) = slots.resource_type {
        // "Which identities sit on the most attack paths?": count resources of that kind.
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for path in paths {
            for step in &path.steps {
                counts.entry(step.resource.as_str()).or_default();
            }
        }
        let mut ranked: Vec<(String, String, usize)> = Vec::new();
        for (id, _) in counts {
            if let Some(r) = req.source.resource(id).await?
                && r.kind == kind
            {
                let n = paths.iter().filter(|p| p.steps.iter().any(|s| s.resource == id)).count();
                ranked.push((r.name.clone(), id.to_owned(), n));
            }
        }
        ranked.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
        card.title = format!("{} on the most attack paths", super::present::capitalized(kind.plural()));
        card.summary = Some(format!("Across {} attack paths.", paths.len()));
        for (name, id, n) in ranked.into_iter().take(PAGE) {
            card.items.push(Item {
                title: name,
                subtitle: Some(format!("on {n} of {} paths", paths.len())),
                severity: None,
                facts: Vec::new(),
                actions: vec![Action::run(
                    "Blast radius",
                    req.response_id,
                    Intent::AttackPaths,
                    Some(Subject::Resource { id }),
                )],
            });
        }
        return Ok(Answer::card(card));
    }
    let mut counts: HashMap<(&str, &str), usize> = HashMap::new();
    for path in paths {
        for (rec, res) in &path.findings {
            *counts.entry((rec.as_str(), res.as_str())).or_default() += 1;
        }
    }
    let mut ranked: Vec<((&str, &str), usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    card.summary = Some(format!(
        "Each fix below removes a weakness that the listed number of the {} attack paths depend on.",
        paths.len()
    ));
    let mut items = Vec::new();
    let mut fixes = Vec::new();
    for ((rec, res), n) in ranked.into_iter().take(PAGE) {
        if let Some(f) = req.source.finding(rec, res).await? {
            let mut item = finding_item(req, &f, &subs, true).await?;
            item.facts.insert(0, Fact::new("Breaks", format!("{n} of {} paths", paths.len())));
            items.push(item);
            fixes.push(Subject::Finding { recommendation: rec.to_owned(), resource: res.to_owned() });
        }
    }
    card.severity = items.first().and_then(|i| i.severity).or(Some(Severity::High));
    card.items = items;
    // The fixes are the thread's list; "that fix" after "which single fix breaks the most?" is
    // its first row (the resolver reads it so).
    let subject = Some(Subject::list(fixes));
    Ok(Answer::card(card).about(subject))
}

async fn limited(req: &Request<'_>, uncovered: &[&Subscription]) -> Result<Answer, SkillError> {
    let mut card = Card::titled("Attack paths: limited capacity");
    card.badges.push("Limited capacity".to_owned());
    let names: Vec<&str> = uncovered.iter().map(|s| s.name.as_str()).collect();
    card.summary = Some(format!(
        "Attack path analysis needs the Defender CSPM plan, which is off for {}. Until it's on, here are the internet-exposed findings that attack paths usually start from.",
        if names.is_empty() {
            "the subscriptions in this channel's scope".to_owned()
        } else {
            names.join(", ")
        }
    ));
    let filter = FindingFilter {
        internet_exposed: Some(true),
        subscriptions: uncovered.iter().map(|s| s.id.clone()).collect(),
        ..FindingFilter::default()
    };
    let subs = req.source.subscriptions().await?;
    let page = req.source.findings(&filter, 0, 3).await?;
    for f in &page.items {
        card.items.push(finding_item(req, f, &subs, true).await?);
    }
    card.notices.push(
        "A subscription owner can turn on Defender CSPM in Defender for Cloud, under Environment settings."
            .to_owned(),
    );
    card.actions = vec![show_exposed(req)];
    Ok(Answer::card(card))
}
