//! Reminders for delegated work, the engine's side: before the due date and once it is overdue,
//! a reminder in the thread where the work was delegated (with Done and Snooze buttons) and a
//! direct message to the owner; Done asks the source whether the finding is fixed and closes
//! the work when it is; Snooze holds the reminders for a day, three days or a week.

use secbot_chat::{
    Action, ActionStyle, Card, Command, DirectMessage, Fact, Intent, Notice, Origin, Outcome, Reply, Slots,
    Subject,
};
use secbot_skills::posture::Status;
use secbot_skills::skill::{Answer, describe_subject};
use time::{Duration, OffsetDateTime};

use super::{Engine, Shown, new_response_id};
use crate::store::{DelegationRecord, ReminderState, StoreError};

/// The skill name reminder replies are stored and counted under.
const SKILL: &str = "reminder";

/// The snoozes offered, in days.
const SNOOZES: [(u8, &str); 3] = [(1, "Snooze 1 day"), (3, "Snooze 3 days"), (7, "Snooze 1 week")];

/// What a reminder says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Due {
    /// Due today or tomorrow.
    Soon,
    /// Past its due date.
    Overdue,
}

/// Whether the finding or alert a delegation is about is still open, per the source: `Ok(None)`
/// for work that is not one finding or alert (nothing to check), `Err` when the source cannot say now.
async fn still_open(
    engine: &Engine,
    subject: &Subject,
) -> Result<Option<bool>, secbot_skills::posture::PostureError> {
    match subject {
        Subject::Finding { recommendation, resource } => {
            let found = engine.source.finding(recommendation, resource).await?;
            Ok(Some(found.is_some_and(|f| f.status == Status::Unhealthy)))
        }
        Subject::Alert { id } => Ok(Some(engine.source.alert(id).await?.is_some_and(|a| a.status.is_open()))),
        _ => Ok(None),
    }
}

impl Engine {
    /// The reminders due at `now` across every recorded delegation, each under the key that
    /// posts it once, with the state to record once they are queued; a delegation whose finding
    /// was fixed meanwhile is closed with a word in its thread.
    pub async fn due_reminders(
        &self,
        now: OffsetDateTime,
    ) -> Result<Vec<(String, Notice, String, ReminderState)>, StoreError> {
        let mut due = Vec::new();
        for record in self.store.delegations().await? {
            let id = record.response_id.as_str().to_owned();
            let mut state = self.store.reminder(&id).await?.unwrap_or_default();
            if state.done || state.snoozed_until.is_some_and(|until| until > now) {
                continue;
            }
            let today = now.date();
            let deadline = record.delegation.due;
            let kind = if today > deadline && !state.overdue_sent {
                Due::Overdue
            } else if today <= deadline && deadline - today <= Duration::days(1) && !state.soon_sent {
                Due::Soon
            } else {
                continue;
            };
            let place = Origin { time: now, message: None, ..record.origin.clone() };
            if matches!(still_open(self, &record.delegation.subject).await, Ok(Some(false))) {
                state.done = true;
                let reply = self.closed_reply(&place, &record).await;
                due.push((format!("reminder:{id}:closed"), Notice { place, reply, opens: None }, id, state));
                continue;
            }
            let key = match kind {
                Due::Soon => {
                    state.soon_sent = true;
                    format!("reminder:{id}:soon")
                }
                Due::Overdue => {
                    state.overdue_sent = true;
                    format!("reminder:{id}:overdue:{}", state.snoozes)
                }
            };
            let reply = self.reminder_reply(&place, &record, kind).await;
            due.push((key, Notice { place, reply, opens: None }, id, state));
        }
        Ok(due)
    }

    /// Records where a delegation's reminders stand once its reminder is queued.
    pub async fn reminded(
        &self,
        delegation: &str,
        state: &ReminderState,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.store.save_reminder(delegation, state, now).await
    }

    async fn reminder_reply(&self, place: &Origin, record: &DelegationRecord, kind: Due) -> Reply {
        let d = &record.delegation;
        let what = describe_subject(self.source.as_ref(), &d.subject).await;
        let id = new_response_id();
        let (title, summary) = match kind {
            Due::Soon => (
                format!("Due {}: {what}", if d.due == place.time.date() { "today" } else { "tomorrow" }),
                format!("{} owns this; it is due on {}.", d.owner.name, d.due),
            ),
            Due::Overdue => (
                format!("Overdue: {what}"),
                format!(
                    "{} owns this; it was due on {} and is still open in Defender for Cloud.",
                    d.owner.name, d.due
                ),
            ),
        };
        let mut card = Card::titled(title);
        card.summary = Some(summary);
        card.facts = vec![Fact::new("Owner", d.owner.name.clone()), Fact::new("Due", d.due.to_string())];
        let delegation = record.response_id.as_str().to_owned();
        card.actions = vec![
            Action::new("Done", &id, Command::Done { delegation: delegation.clone() })
                .styled(ActionStyle::Primary),
        ];
        card.actions.extend(SNOOZES.iter().map(|(days, label)| {
            Action::new(*label, &id, Command::Snooze { delegation: delegation.clone(), days: *days })
        }));
        card.actions.push(Action::run("How do I fix it?", &id, Intent::Remediate, Some(d.subject.clone())));
        let mut dm = Card::titled(card.title.clone());
        dm.summary = Some(format!(
            "{} Done and Snooze are on the reminder in the thread where it was assigned to you.",
            card.summary.clone().unwrap_or_default()
        ));
        let direct = DirectMessage { to: d.owner.clone(), text: dm.title.clone(), card: dm };
        let answer = Answer { card, subject: Some(d.subject.clone()), direct: vec![direct] };
        let mut reply = Self::finish(id, Intent::Status, Slots::default(), answer, SKILL);
        self.remember(place, "", &mut reply, Some(Shown::default())).await;
        reply
    }

    async fn closed_reply(&self, place: &Origin, record: &DelegationRecord) -> Reply {
        let what = describe_subject(self.source.as_ref(), &record.delegation.subject).await;
        let mut card = Card::titled(format!("Closed: {what}"));
        card.summary = Some(format!(
            "Defender for Cloud reports it fixed; {}'s assignment is closed and no more reminders go out.",
            record.delegation.owner.name
        ));
        let answer = Answer { card, subject: Some(record.delegation.subject.clone()), direct: Vec::new() };
        let mut reply = Self::finish(new_response_id(), Intent::Status, Slots::default(), answer, SKILL);
        self.remember(place, "", &mut reply, Some(Shown::default())).await;
        reply
    }

    /// The delegation a Done or Snooze button names, when the person pressing it may decide
    /// about it (its owner, whoever assigned it, or an approver) in the place it was assigned.
    async fn decidable(&self, origin: &Origin, delegation: &str) -> Result<DelegationRecord, Reply> {
        let records = self
            .store
            .delegations()
            .await
            .map_err(|e| Self::note(&format!("{e}. Try again in a minute.")))?;
        let Some(record) = records.into_iter().find(|r| r.response_id.as_str() == delegation) else {
            return Err(Self::note("That assignment is no longer recorded."));
        };
        let who = origin.user.id.as_str();
        let approvers = self.policy.approvers_of(&origin.channel);
        let allowed = who == record.delegation.owner.id
            || who == record.origin.user.id
            || approvers.iter().any(|a| *a == who || origin.roles.iter().any(|r| r == a));
        if !super::trust::same_place(&record.origin, origin) || !allowed {
            tracing::warn!(user = %origin.user.id, delegation, "refused a reminder button");
            return Err(Self::note(&format!(
                "Only {} or whoever assigned it can close or snooze this.",
                record.delegation.owner.name
            )));
        }
        Ok(record)
    }

    /// Done: asks the source whether the finding is fixed; closes the assignment when it is.
    pub(super) async fn done(&self, origin: &Origin, delegation: &str) -> Outcome {
        let record = match self.decidable(origin, delegation).await {
            Ok(record) => record,
            Err(note) => return Outcome::Reply(note),
        };
        self.source.clear_cache();
        let mut state = match self.store.reminder(delegation).await {
            Ok(state) => state.unwrap_or_default(),
            Err(err) => return Outcome::Reply(Self::note(&format!("{err}. Try again in a minute."))),
        };
        let reply = match still_open(self, &record.delegation.subject).await {
            Err(err) => {
                return Outcome::Reply(Self::note(&format!(
                    "I couldn't ask Defender for Cloud whether it is fixed ({err}). Press Done again in a minute."
                )));
            }
            Ok(Some(true)) => {
                let what = describe_subject(self.source.as_ref(), &record.delegation.subject).await;
                let mut card = Card::titled(format!("Still open: {what}"));
                card.summary = Some(
                    "Defender for Cloud still reports this finding as open. A fix can take up to a day to be evaluated; press Done again once it shows as healthy. Reminders continue until then.".to_owned(),
                );
                let answer =
                    Answer { card, subject: Some(record.delegation.subject.clone()), direct: Vec::new() };
                let mut reply =
                    Self::finish(new_response_id(), Intent::Status, Slots::default(), answer, SKILL);
                self.remember(origin, "", &mut reply, Some(Shown::default())).await;
                reply
            }
            _ => {
                state.done = true;
                self.closed_reply(origin, &record).await
            }
        };
        if let Err(err) = self.store.save_reminder(delegation, &state, origin.time).await {
            return Outcome::Reply(Self::note(&format!("{err}. Try again in a minute.")));
        }
        Outcome::Reply(reply)
    }

    /// Snooze: no reminder for `days` days; an overdue one comes again after that.
    pub(super) async fn snooze(&self, origin: &Origin, delegation: &str, days: u8) -> Outcome {
        if let Err(note) = self.decidable(origin, delegation).await {
            return Outcome::Reply(note);
        }
        let days = days.clamp(1, 30);
        let mut state = match self.store.reminder(delegation).await {
            Ok(state) => state.unwrap_or_default(),
            Err(err) => return Outcome::Reply(Self::note(&format!("{err}. Try again in a minute."))),
        };
        let until = origin.time + Duration::days(i64::from(days));
        state.snoozed_until = Some(until);
        state.overdue_sent = false;
        state.snoozes += 1;
        if let Err(err) = self.store.save_reminder(delegation, &state, origin.time).await {
            return Outcome::Reply(Self::note(&format!("{err}. Try again in a minute.")));
        }
        let mut reply = Self::note(&format!(
            "Snoozed: no reminder until {} ({} day{}).",
            until.date(),
            days,
            if days == 1 { "" } else { "s" }
        ));
        reply.ephemeral = false;
        reply.skill = SKILL.to_owned();
        Outcome::Reply(reply)
    }
}
