//! Digests, the engine's side: "send a digest every Monday at 9:00" (or "daily digest at 8am")
//! schedules a channel's digest in the asker's local time; "digest" shows one now. A scheduled
//! digest is a watch with a plan, so "watches" lists it and "unwatch 2" or its Stop button
//! stops it; the scheduler posts it as a new message whose thread is about its new findings.

use std::sync::LazyLock;

use regex::Regex;
use secbot_chat::{Action, Command, Intent, Notice, Origin, Prompt, Reply, ResponseId, Slots};
use secbot_skills::intent::Parse;
use secbot_skills::skill::Answer;
use secbot_skills::skill::digest::{self, WorkLine};
use time::{Duration, OffsetDateTime, UtcOffset};

use super::{Engine, WatchError, new_response_id};
use crate::store::{DigestPlan, WatchRecord};

/// The skill name digest replies are stored and counted under.
const SKILL: &str = "digest";

const DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/// A digest command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DigestCommand {
    /// "digest": one now, for the last day.
    Now,
    /// "send a digest every Monday at 9:00": weekdays (0 = Monday; empty = every day), hour,
    /// minute.
    Schedule(Vec<u8>, u8, u8),
}

static DIGEST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:please\s+)?(?:(?:send|post|give|show|schedule|set\s+up)\s+)?(?:(?:me|us|this\s+channel)\s+)?(?:an?\s+|the\s+)?(?P<kind>daily|weekly)?\s*(?:posture\s+|security\s+)?digest(?:\s+now)?(?P<rest>(?:\s+(?:every|each|on|at|for|daily|weekly|weekdays?|mondays?|tuesdays?|wednesdays?|thursdays?|fridays?|saturdays?|sundays?|day|morning|\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)?|h|o'clock|this\s+channel))*)\s*[.!?]?$",
    )
    .expect("a valid pattern")
});

static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bat\s+(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<half>am|pm|a\.m\.|p\.m\.)?")
        .expect("a valid pattern")
});

/// The digest command a prompt is, if it is one.
pub(crate) fn command(text: &str) -> Option<DigestCommand> {
    let found = DIGEST.captures(text.trim())?;
    let rest = found.name("rest").map_or("", |m| m.as_str()).to_lowercase();
    let kind = found.name("kind").map(|m| m.as_str().to_lowercase());
    let mut days: Vec<u8> = DAYS
        .iter()
        .enumerate()
        .filter(|(_, d)| rest.contains(*d))
        .filter_map(|(n, _)| u8::try_from(n).ok())
        .collect();
    if rest.contains("weekday") {
        days = vec![0, 1, 2, 3, 4];
    }
    let time = TIME.captures(&rest);
    if kind.is_none()
        && days.is_empty()
        && time.is_none()
        && !rest.contains("every")
        && !rest.contains("daily")
    {
        return Some(DigestCommand::Now);
    }
    if days.is_empty() && (kind.as_deref() == Some("weekly") || rest.contains("weekly")) {
        days = vec![0];
    }
    let (mut hour, mut minute) = (9u8, 0u8);
    if let Some(time) = time {
        hour = time["h"].parse().ok()?;
        minute = time.name("m").map_or(Some(0), |m| m.as_str().parse().ok())?;
        match time.name("half").map(|h| h.as_str().to_lowercase().starts_with('p')) {
            Some(true) if hour < 12 => hour += 12,
            Some(false) if hour == 12 => hour = 0,
            _ => {}
        }
        if hour > 23 || minute > 59 {
            return None;
        }
    }
    Some(DigestCommand::Schedule(days, hour, minute))
}

/// The latest time at or before `now` the plan schedules a digest for.
pub(crate) fn latest_due(plan: &DigestPlan, now: OffsetDateTime) -> Option<OffsetDateTime> {
    let offset = UtcOffset::from_whole_seconds(plan.offset).unwrap_or(UtcOffset::UTC);
    let local = now.to_offset(offset);
    let at = time::Time::from_hms(plan.hour, plan.minute, 0).ok()?;
    (0..8).map(|back| local.date() - Duration::days(back)).find_map(|day| {
        let when = day.with_time(at).assume_offset(offset);
        let weekday = day.weekday().number_days_from_monday();
        (when <= now && (plan.days.is_empty() || plan.days.contains(&weekday))).then_some(when)
    })
}

/// "every Monday at 09:00 (UTC+01:00)".
fn describe(plan: &DigestPlan) -> String {
    let days = match plan.days.as_slice() {
        [] => "every day".to_owned(),
        [0, 1, 2, 3, 4] => "every weekday".to_owned(),
        days => {
            let names: Vec<String> = days
                .iter()
                .filter_map(|d| DAYS.get(usize::from(*d)))
                .map(|d| format!("{}{}", d[..1].to_uppercase(), &d[1..]))
                .collect();
            format!("every {}", names.join(" and "))
        }
    };
    let offset = UtcOffset::from_whole_seconds(plan.offset).unwrap_or(UtcOffset::UTC);
    let (h, m, _) = offset.as_hms();
    format!(
        "{days} at {:02}:{:02} (UTC{}{:02}:{:02})",
        plan.hour,
        plan.minute,
        if plan.offset < 0 { '-' } else { '+' },
        h.abs(),
        m.abs()
    )
}

fn weekly(plan: &DigestPlan) -> bool {
    plan.days.len() == 1
}

impl Engine {
    /// Answers a digest command typed in a channel.
    pub(super) async fn digest_command(&self, origin: &Origin, command: DigestCommand) -> Reply {
        let id = new_response_id();
        match command {
            DigestCommand::Now => {
                let title = format!("Digest for {}", origin.time.date());
                match self.digest_answer(origin, &id, &title, Duration::days(1), None).await {
                    Ok((answer, _)) => Self::finish(id, Intent::Summarize, Slots::default(), answer, SKILL),
                    Err(err) => {
                        Self::digest_note(id, "I couldn't put the digest together", format!("{err}."))
                    }
                }
            }
            DigestCommand::Schedule(days, hour, minute) => {
                if origin.platform == secbot_chat::Platform::Terminal {
                    return Self::digest_note(
                        id,
                        "Digests post to a channel",
                        "Set up a digest in Slack, Teams, Discord or the web chat; ask \"digest\" here to see one now.".to_owned(),
                    );
                }
                let plan = DigestPlan {
                    days,
                    hour,
                    minute,
                    offset: origin.time.offset().whole_seconds(),
                    last: None,
                    measured: None,
                };
                let when = describe(&plan);
                let kind = if weekly(&plan) { "Weekly" } else { "Daily" };
                let record = WatchRecord {
                    id: id.as_str().chars().take(12).collect(),
                    origin: Origin { thread: None, message: None, ..origin.clone() },
                    question: format!("{kind} digest, {when}"),
                    slots: Slots::default(),
                    created: origin.time,
                    digest: Some(DigestPlan { last: latest_due(&plan, origin.time), ..plan }),
                };
                if let Err(err) = self.store.save_watch(&record, &[]).await {
                    return Self::digest_note(
                        id,
                        "I couldn't schedule that digest",
                        format!("{err}. Try again in a minute."),
                    );
                }
                tracing::info!(watch = %record.id, channel = %origin.channel, "scheduled a digest");
                let actions = vec![
                    Action::new("Stop this digest", &id, Command::Unwatch { watch: record.id.clone() }),
                    Action::new("Show one now", &id, Command::Ask { text: "digest".to_owned() }),
                ];
                let summary = format!(
                    "I'll post a digest here {when}: open findings by severity and their trend, the secure score, what's new, and delegated work due or overdue. Ask \"digest\" to see one now."
                );
                Self::card_reply(id, SKILL, &format!("{kind} digest scheduled"), summary, actions)
            }
        }
    }

    fn digest_note(id: ResponseId, title: &str, summary: String) -> Reply {
        Self::card_reply(id, SKILL, title, summary, Vec::new())
    }

    /// A digest's card and what it measured, for `origin`'s channel at its time.
    async fn digest_answer(
        &self,
        origin: &Origin,
        id: &ResponseId,
        title: &str,
        period: Duration,
        previous: Option<(OffsetDateTime, digest::Measured)>,
    ) -> Result<(Answer, digest::Measured), WatchError> {
        let prompt = Prompt { origin: origin.clone(), text: String::new(), mentions: Vec::new() };
        let parse = Parse::of_command(Intent::Summarize, Slots::default());
        let mut work = Vec::new();
        for record in self.store.delegations().await? {
            let done = self.store.reminder(record.response_id.as_str()).await?.is_some_and(|s| s.done);
            if !done && super::trust::same_place(&record.origin, origin) {
                work.push(WorkLine {
                    subject: record.delegation.subject,
                    owner: record.delegation.owner.name,
                    due: record.delegation.due,
                });
            }
        }
        let req = self.request(origin, &prompt, &parse, id, None);
        Ok(digest::build(&req, title, origin.time, period, previous, &work).await?)
    }

    /// The digest a plan has due at `now`, if one is: its job key, the notice, and the record to
    /// store once it is queued.
    pub async fn due_digest(
        &self,
        record: &WatchRecord,
        now: OffsetDateTime,
    ) -> Result<Option<(String, Notice, WatchRecord)>, WatchError> {
        let Some(plan) = &record.digest else { return Ok(None) };
        let Some(due) = latest_due(plan, now) else { return Ok(None) };
        if plan.last.is_some_and(|last| last >= due) {
            return Ok(None);
        }
        let offset = UtcOffset::from_whole_seconds(plan.offset).unwrap_or(UtcOffset::UTC);
        let origin =
            Origin { time: now.to_offset(offset), thread: None, message: None, ..record.origin.clone() };
        let period = if weekly(plan) { Duration::weeks(1) } else { Duration::days(1) };
        let title = if weekly(plan) {
            format!("Weekly digest, week to {}", origin.time.date())
        } else {
            format!("Daily digest, {}", origin.time.date())
        };
        let id = new_response_id();
        let previous = plan.last.zip(plan.measured);
        let (answer, measured) = self.digest_answer(&origin, &id, &title, period, previous).await?;
        let pending = format!("{}{}:{}", crate::store::NOTICE_PREFIX, record.id, due.unix_timestamp());
        let notice = self.thread_notice(&origin, &pending, id, answer, SKILL).await;
        let next = WatchRecord {
            digest: Some(DigestPlan { last: Some(due), measured: Some(measured), ..plan.clone() }),
            ..record.clone()
        };
        Ok(Some((format!("digest:{}:{}", record.id, due.unix_timestamp()), notice, next)))
    }

    /// Records a digest that was queued.
    pub async fn digested(&self, record: &WatchRecord) -> Result<(), WatchError> {
        Ok(self.store.save_watch(record, &[]).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_commands_say_when() {
        assert_eq!(
            command("send a digest every Monday at 9:00"),
            Some(DigestCommand::Schedule(vec![0], 9, 0))
        );
        assert_eq!(command("daily digest at 8am"), Some(DigestCommand::Schedule(vec![], 8, 0)));
        assert_eq!(
            command("weekly digest on fridays at 4:30pm"),
            Some(DigestCommand::Schedule(vec![4], 16, 30))
        );
        assert_eq!(
            command("digest every weekday at 07:15"),
            Some(DigestCommand::Schedule(vec![0, 1, 2, 3, 4], 7, 15))
        );
        assert_eq!(command("weekly digest"), Some(DigestCommand::Schedule(vec![0], 9, 0)));
        assert_eq!(command("digest"), Some(DigestCommand::Now));
        assert_eq!(command("send the digest now"), Some(DigestCommand::Now));
        assert_eq!(command("digest at 25:00"), None);
        assert_eq!(command("summarize our posture for the weekly standup"), None);
        assert_eq!(command("what's in the digest of vulnerabilities on vm-web-01?"), None);
    }

    #[test]
    fn the_latest_due_time_follows_the_days_and_the_local_time() {
        let plan = DigestPlan { days: vec![0], hour: 9, minute: 0, offset: 3600, last: None, measured: None };
        // Saturday 2026-12-05 12:00 UTC: the last Monday 09:00 at UTC+1 was 2026-11-30 08:00 UTC.
        let now = time::macros::datetime!(2026-12-05 12:00 UTC);
        assert_eq!(latest_due(&plan, now), Some(time::macros::datetime!(2026-11-30 08:00 UTC)));
        let daily = DigestPlan { days: vec![], ..plan };
        assert_eq!(latest_due(&daily, now), Some(time::macros::datetime!(2026-12-05 08:00 UTC)));
        let early = time::macros::datetime!(2026-12-05 07:59 UTC);
        assert_eq!(latest_due(&daily, early), Some(time::macros::datetime!(2026-12-04 08:00 UTC)));
        assert_eq!(describe(&plan), "every Monday at 09:00 (UTC+01:00)");
    }
}
