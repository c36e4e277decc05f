//! digest: a channel's daily or weekly summary — open findings by severity and how they moved
//! since the last digest, the secure score and its change, the most serious new findings, the
//! security alerts raised meanwhile, delegated work due soon or overdue, and a chart of the trend over the last eight periods
//! (worked out from each finding's first-seen and status-change dates, so the first digest has
//! a trend too).

use secbot_chat::{Action, Card, Command, Fact, Intent, Section, Severity, Slots, Subject, chart};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::present::{finding_subject, level_counts};
use super::{Answer, Request, SkillError, query};
use crate::posture::{AlertFilter, Finding, FindingFilter, Status};

/// Periods the trend chart shows.
pub const TREND_PERIODS: usize = 8;

/// Findings read per call.
const BATCH: usize = 1_000;

/// What a digest measured, kept for the next one's changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Measured {
    /// Open findings by level, in [`Severity::ALL`] order.
    pub counts: [usize; 4],
    /// The secure score in percent, when the source has one.
    pub score: Option<f64>,
}

/// Delegated work as the digest lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkLine {
    /// What it is about.
    pub subject: Subject,
    /// Who owns it.
    pub owner: String,
    /// When it is due.
    pub due: time::Date,
}

fn index(level: Severity) -> usize {
    Severity::ALL.iter().position(|l| *l == level).unwrap_or(3)
}

async fn all(req: &Request<'_>, filter: &FindingFilter) -> Result<Vec<Finding>, SkillError> {
    let mut found = Vec::new();
    loop {
        let page = req.source.findings(filter, found.len(), BATCH).await?;
        let read = page.items.len();
        found.extend(page.items);
        if read == 0 || found.len() >= page.total {
            return Ok(found);
        }
    }
}

/// Open findings by level at each moment of `ends`: open now and first seen by then, or fixed
/// now but only after then.
fn reconstruct(open: &[Finding], fixed: &[Finding], ends: &[OffsetDateTime]) -> Vec<[usize; 4]> {
    ends.iter()
        .map(|end| {
            let mut counts = [0; 4];
            let was_open = open.iter().filter(|f| f.first_seen <= *end);
            let fixed_later = fixed.iter().filter(|f| f.first_seen <= *end && f.status_changed > *end);
            for f in was_open.chain(fixed_later) {
                counts[index(f.level())] += 1;
            }
            counts
        })
        .collect()
}

/// The digest card for the period of `period` ending at `now`, after the digest of `previous`
/// (when there was one); what it measured, for the next.
pub async fn build(
    req: &Request<'_>,
    title: &str,
    now: OffsetDateTime,
    period: Duration,
    previous: Option<(OffsetDateTime, Measured)>,
    work: &[WorkLine],
) -> Result<(Answer, Measured), SkillError> {
    let scope = query::build(req, &Slots::default()).await?;
    let open = all(req, &scope.filter).await?;
    let fixed_filter = FindingFilter { statuses: vec![Status::Healthy], ..scope.filter.clone() };
    let fixed = all(req, &fixed_filter).await?;
    let mut counts = [0; 4];
    for f in &open {
        counts[index(f.level())] += 1;
    }
    let score = req
        .source
        .secure_score()
        .await
        .ok()
        .map(|card| card.overall(req.scope))
        .filter(|s| s.max > 0.0)
        .map(|s| s.percent());
    let measured = Measured { counts, score };
    let since = previous.map_or(now - period, |(at, _)| at);
    let before = previous.map_or_else(
        || reconstruct(&open, &fixed, &[since]).first().copied().unwrap_or_default(),
        |(_, m)| m.counts,
    );

    let mut card = Card::titled(title);
    let total: usize = counts.iter().sum();
    let was: usize = before.iter().sum();
    let change = match total.cmp(&was) {
        std::cmp::Ordering::Greater => format!("up {} since {}", total - was, since.date()),
        std::cmp::Ordering::Less => format!("down {} since {}", was - total, since.date()),
        std::cmp::Ordering::Equal => format!("no change since {}", since.date()),
    };
    let by_level = Severity::ALL.iter().zip(counts).map(|(l, n)| (*l, n)).collect();
    card.summary = Some(format!("{total} open findings ({}), {change}.", level_counts(&by_level)));
    card.severity = Severity::ALL.iter().zip(counts).find(|(_, n)| *n > 0).map(|(l, _)| *l);
    for (level, (now_n, was_n)) in Severity::ALL.iter().zip(counts.iter().zip(before)) {
        let delta = i64::try_from(*now_n).unwrap_or(0) - i64::try_from(was_n).unwrap_or(0);
        let sign = if delta > 0 { "+" } else { "" };
        card.facts.push(Fact::new(level.label(), format!("{now_n} ({sign}{delta})")));
    }
    if let Some(score) = score {
        let moved = match previous.and_then(|(_, m)| m.score) {
            Some(last) if (score - last).abs() >= 0.05 => {
                format!(" ({}{:.1} points)", if score > last { "+" } else { "" }, score - last)
            }
            Some(_) => " (unchanged)".to_owned(),
            None => String::new(),
        };
        card.facts.push(Fact::new("Secure score", format!("{score:.1}%{moved}")));
    }

    let mut new: Vec<&Finding> = open.iter().filter(|f| f.first_seen > since).collect();
    new.sort_by(|a, b| b.level().cmp(&a.level()).then(b.first_seen.cmp(&a.first_seen)));
    let top: Vec<&Finding> = new.iter().take(5).copied().collect();
    card.sections.push(Section {
        heading: format!("New since {} ({})", since.date(), new.len()),
        lines: if top.is_empty() {
            vec!["Nothing new.".to_owned()]
        } else {
            top.iter()
                .map(|f| format!("{} on {} ({})", f.recommendation.name, f.resource.name, f.level().label()))
                .collect()
        },
        numbered: !top.is_empty(),
    });
    let subs = req.source.subscriptions().await?;
    let alerts = AlertFilter {
        since: Some(since),
        closed_too: true,
        ..super::alerts::filter(req, &Slots::default(), &subs)
    };
    let raised = req.source.alerts(&alerts).await?;
    if !raised.is_empty() {
        let open = raised.iter().filter(|a| a.status.is_open()).count();
        let mut lines = vec![format!(
            "{} raised, {open} still open{}.",
            raised.len(),
            if open == raised.len() { "" } else { " (the rest resolved or dismissed)" }
        )];
        lines.extend(raised.iter().filter(|a| a.status.is_open()).take(3).map(|a| {
            format!(
                "{} on {} ({}, {})",
                a.name,
                a.entity,
                a.severity.label(),
                super::alerts::moment(a.detected)
            )
        }));
        card.sections.push(Section {
            heading: format!("Security alerts since {}", since.date()),
            lines,
            numbered: false,
        });
    }
    let today = now.date();
    let overdue: Vec<&WorkLine> = work.iter().filter(|w| w.due < today).collect();
    let soon: Vec<&WorkLine> =
        work.iter().filter(|w| w.due >= today && w.due <= today + Duration::days(7)).collect();
    if !overdue.is_empty() || !soon.is_empty() {
        let mut lines = Vec::new();
        for w in &overdue {
            let what = super::describe_subject(req.source, &w.subject).await;
            lines.push(format!("Overdue since {}: {what} ({})", w.due, w.owner));
        }
        for w in &soon {
            let what = super::describe_subject(req.source, &w.subject).await;
            lines.push(format!("Due {}: {what} ({})", w.due, w.owner));
        }
        card.sections.push(Section { heading: "Delegated work".to_owned(), lines, numbered: false });
    }

    let ends: Vec<OffsetDateTime> =
        (0..TREND_PERIODS).rev().map(|n| now - period * i32::try_from(n).unwrap_or(0)).collect();
    let periods = reconstruct(&open, &fixed, &ends);
    let totals: Vec<String> = periods.iter().map(|p| p.iter().sum::<usize>().to_string()).collect();
    let unit = if period >= Duration::days(7) { "weeks" } else { "days" };
    card.chart = Some(chart::trend(
        &periods,
        format!(
            "Open findings over the last {TREND_PERIODS} {unit}, by severity (critical, high, medium, low from the bottom): {}.",
            totals.join(", ")
        ),
    ));
    card.actions = vec![
        Action::new(
            "Critical and high risks",
            req.response_id,
            Command::Run {
                intent: Intent::ListRisks,
                subject: None,
                slots: Slots { severity: vec![Severity::Critical, Severity::High], ..Slots::default() },
                offset: 0,
            },
        ),
        Action::run("What's overdue?", req.response_id, Intent::Status, None),
    ];
    if !raised.is_empty() {
        card.actions.push(super::alerts::open_alerts(req, "Open alerts"));
    }
    let subjects: Vec<Subject> = top.iter().map(|f| finding_subject(f)).collect();
    let about = (!subjects.is_empty()).then(|| Subject::list(subjects));
    Ok((Answer { card, subject: about, direct: Vec::new() }, measured))
}
