//! watch: what a channel's standing question shows — the findings it matches now, the card
//! that starts a watch, the list of a channel's watches, and what a check posts on its own: a
//! new finding (the first message of its own thread), a burst of them (one card), and the word
//! in that thread once it is fixed.

use secbot_chat::{Action, ActionStyle, Card, Command, Intent, Item, Slots, Subject};
use time::OffsetDateTime;

use super::present::{describe_subject, finding_item, finding_subject};
use super::{Answer, Request, SkillError, list_risks, query};
use crate::posture::{AlertStatus, PostureError, Status};

/// Findings read per call while collecting everything a watch matches.
const BATCH: usize = 1_000;

/// Every open finding (or, for a question about alerts, every open alert) matching `slots`
/// within the channel's scope, most risky first. A name that matches nothing is an error: a
/// watch on it would never fire.
pub async fn matching(req: &Request<'_>, slots: &Slots) -> Result<Vec<Subject>, SkillError> {
    if slots.alerts == Some(true) {
        let subs = req.source.subscriptions().await?;
        // A watch announces what is new from now on, whatever window the question named.
        let slots = Slots { since: None, until: None, ..slots.clone() };
        let alerts = req.source.alerts(&super::alerts::filter(req, &slots, &subs)).await?;
        return Ok(alerts.iter().map(|a| super::alerts::subject(a)).collect());
    }
    let query = query::build(req, slots).await?;
    if let Some(unknown) = query.unknown {
        return Err(PostureError::NotFound(format!("nothing in this tenant is named \"{unknown}\"")).into());
    }
    let mut found = Vec::new();
    loop {
        let page = req.source.findings(&query.filter, found.len(), BATCH).await?;
        let read = page.items.len();
        found.extend(page.items.iter().map(finding_subject));
        if read == 0 || found.len() >= page.total {
            return Ok(found);
        }
    }
}

/// One of a channel's watches, as the list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchLine {
    /// The watch's id (for its Stop button).
    pub id: String,
    /// The question as asked.
    pub question: String,
    /// Who set it up.
    pub by: String,
    /// When it was set up; findings older than this are not news.
    pub since: OffsetDateTime,
}

/// The card that confirms a new watch: what it matches now (not announced) and how often it
/// is checked.
pub fn started(req: &Request<'_>, watch: &WatchLine, open_now: usize, every_minutes: u64) -> Answer {
    let mut card = Card::titled(format!("Watching: {}", watch.question));
    let (noun, ends) = if req.parse.slots.alerts == Some(true) {
        ("alert", "resolved or dismissed")
    } else {
        ("finding", "fixed")
    };
    let already = match open_now {
        0 => "Nothing matches right now.".to_owned(),
        1 => format!("1 {noun} matches already; it is not announced (ask the question to see it)."),
        n => format!("{n} {noun}s match already; they are not announced (ask the question to see them)."),
    };
    card.summary = Some(format!(
        "I check every {every_minutes} minute{} and post each new {noun} that matches here, as its own thread; when it is {ends} I say so in that thread. {already}",
        if every_minutes == 1 { "" } else { "s" }
    ));
    card.actions = vec![
        Action::new("Stop watching", req.response_id, Command::Unwatch { watch: watch.id.clone() }),
        Action::new("All watches here", req.response_id, Command::Ask { text: "watches".to_owned() }),
    ];
    Answer::card(card)
}

/// The card listing a channel's watches, each with its Stop button.
pub fn listed(req: &Request<'_>, watches: &[WatchLine]) -> Answer {
    let mut card = Card::titled("Watches in this channel");
    if watches.is_empty() {
        card.summary = Some(
            "Nothing is watched here. Try \"watch critical risks for publicly exposed resources\"."
                .to_owned(),
        );
        return Answer::card(card);
    }
    card.summary = Some(format!(
        "{} watch{}. New findings that match are posted here as their own threads; \"unwatch 2\" stops the second.",
        watches.len(),
        if watches.len() == 1 { "" } else { "es" }
    ));
    card.items = watches
        .iter()
        .enumerate()
        .map(|(n, w)| Item {
            title: w.question.clone(),
            subtitle: Some(format!("Set up by {} on {}", w.by, w.since.date())),
            severity: None,
            facts: Vec::new(),
            actions: vec![Action::new(
                format!("Stop watching {}", n + 1),
                req.response_id,
                Command::Unwatch { watch: w.id.clone() },
            )],
        })
        .collect();
    Answer::card(card)
}

/// The card that says a watch stopped.
pub fn stopped(question: &str) -> Card {
    let mut card = Card::titled(format!("Stopped watching: {question}"));
    card.summary =
        Some("Nothing more is posted for it. Threads already started stay as they are.".to_owned());
    card
}

/// A new finding, as the first message of its own thread: what it is, why it matters and the
/// usual buttons; the thread is about that finding.
pub async fn opened(req: &Request<'_>, subject: &Subject, question: &str) -> Result<Answer, SkillError> {
    let single = Request { subject: Some(subject), ..*req };
    let mut answer = super::run(Intent::Explain, &single).await?;
    answer.card.title = format!("New: {}", answer.card.title);
    answer
        .card
        .notices
        .insert(0, format!("New since the last check of the watch \u{201c}{question}\u{201d}."));
    answer.subject = Some(subject.clone());
    Ok(answer)
}

/// Many new findings at once (a bad deploy): one list card with a button for the whole list,
/// instead of a thread each.
pub async fn burst(
    req: &Request<'_>,
    subjects: &[Subject],
    slots: &Slots,
    question: &str,
) -> Result<Answer, SkillError> {
    let query = query::build(req, slots).await?;
    let (noun, which) =
        if slots.alerts == Some(true) { ("alerts", "most severe") } else { ("findings", "most risky") };
    let mut card = Card::titled(format!("{} new {noun}: {question}", subjects.len()));
    card.summary = Some(format!(
        "{} {noun} started matching the watch since the last check; the {} {which} are below. Ask about any of them in this thread (\"explain the 2nd\").",
        subjects.len(),
        list_risks::PAGE.min(subjects.len())
    ));
    for subject in subjects.iter().take(list_risks::PAGE) {
        match subject {
            Subject::Finding { recommendation, resource } => {
                if let Some(f) = req.source.finding(recommendation, resource).await? {
                    card.items.push(finding_item(req, &f, &query.subscriptions, true).await?);
                }
            }
            Subject::Alert { id } => {
                if let Some(a) = req.source.alert(id).await? {
                    card.items.push(super::alerts::item(req, &a, &query.subscriptions));
                }
            }
            _ => {}
        }
    }
    card.severity = card.items.first().and_then(|i| i.severity);
    card.actions = vec![
        Action::new(
            "Show all",
            req.response_id,
            Command::Run { intent: Intent::ListRisks, subject: None, slots: slots.clone(), offset: 0 },
        )
        .styled(ActionStyle::Primary),
    ];
    Ok(Answer::card(card).about(Some(Subject::list(subjects.to_vec()))))
}

/// The word in a finding's thread that it is no longer open: fixed, exempted, or gone with its
/// resource.
pub async fn fixed(req: &Request<'_>, subject: &Subject) -> Result<Answer, SkillError> {
    let named = describe_subject(req.source, subject).await;
    if let Subject::Alert { id } = subject {
        let alert = req.source.alert(id).await?;
        let mut card = Card::titled(format!("Resolved: {named}"));
        card.summary = Some(
            match alert.map(|a| a.status) {
                Some(AlertStatus::Resolved) => {
                    "The alert was resolved in Defender for Cloud. Nothing more to do here."
                }
                Some(AlertStatus::Dismissed) => {
                    "The alert was dismissed in Defender for Cloud (judged benign or a false positive)."
                }
                Some(_) => {
                    "It no longer matches the watch's filters (its severity changed); it is still open."
                }
                None => "Defender for Cloud no longer reports this alert.",
            }
            .to_owned(),
        );
        return Ok(Answer::card(card).about(Some(subject.clone())));
    }
    let still = match subject {
        Subject::Finding { recommendation, resource } => {
            req.source.finding(recommendation, resource).await?.map(|f| f.status)
        }
        _ => None,
    };
    let mut card = Card::titled(format!("Resolved: {named}"));
    card.summary = Some(match still {
        Some(Status::Healthy) => "Defender for Cloud now reports this finding as healthy. Nothing more to do here.",
        Some(Status::Unhealthy) => {
            "It no longer matches the watch's filters (its risk or exposure changed); it is still open."
        }
        _ => "Defender for Cloud no longer reports it: the resource or the recommendation is gone, or it was exempted.",
    }
    .to_owned());
    Ok(Answer::card(card).about(Some(subject.clone())))
}
