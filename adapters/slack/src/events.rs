//! `POST /slack/events`: the Events API. Mentions of secbot, direct messages to it, and
//! messages in threads it already answers in become prompts; everything else (bots, secbot
//! itself, edits, deletions, broadcasts) is ignored. The request is acknowledged at once and the
//! answer is posted in the thread afterwards; a message is answered once however many times
//! (and to however many replicas) Slack delivers it.

use async_trait::async_trait;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use secbot_chat::{Job, Notice, Origin, Platform, Prompt, Sent, Worker};
use slack_morphism::prelude::*;
use time::OffsetDateTime;

use crate::deliver::{Outgoing, Place, Progress, Via};
use crate::inbound;
use crate::queued::{Incoming, Stored};
use crate::verify::{Rejection, Signed};
use crate::{Slack, manifest};

/// Picks the message out of an event, or `None` for events secbot does not answer.
pub fn incoming(callback: &SlackPushEventCallback) -> Option<Incoming> {
    let bot_user = callback
        .authorizations
        .as_ref()
        .and_then(|all| all.iter().find(|a| a.is_bot.unwrap_or(true)))
        .map(|a| a.user_id.to_string())
        .or_else(|| callback.authed_users.as_ref().and_then(|u| u.first()).map(ToString::to_string));
    let team = callback.team_id.to_string();
    match &callback.event {
        SlackEventCallbackBody::AppMention(event) => {
            if event.edited.is_some() || Some(event.user.to_string()) == bot_user {
                return None;
            }
            let ts = event.origin.ts.to_string();
            Some(Incoming {
                team,
                channel: event.channel.to_string(),
                thread: Some(event.origin.thread_ts.as_ref().map_or_else(|| ts.clone(), ToString::to_string)),
                ts,
                user: event.user.to_string(),
                text: event.content.text.clone().unwrap_or_default(),
                addressed: true,
                bot_user,
            })
        }
        SlackEventCallbackBody::Message(event) => {
            if event.subtype.is_some() || event.hidden == Some(true) || event.sender.bot_id.is_some() {
                return None;
            }
            let user = event.sender.user.as_ref()?.to_string();
            if Some(&user) == bot_user.as_ref() {
                return None;
            }
            let channel = event.origin.channel.as_ref()?.to_string();
            let text = event.content.as_ref().and_then(|c| c.text.clone()).unwrap_or_default();
            let ts = event.origin.ts.to_string();
            let thread_ts = event.origin.thread_ts.as_ref().map(ToString::to_string);
            let direct = event.origin.channel_type.as_ref().is_some_and(|t| t.0 == "im");
            let mentioned = bot_user.as_deref().is_some_and(|bot| inbound::mentions(&text, bot));
            let (thread, addressed) = match (direct, mentioned, thread_ts) {
                (true, _, thread) => (thread, true),
                (false, true, thread) => (Some(thread.unwrap_or_else(|| ts.clone())), true),
                (false, false, Some(thread)) => (Some(thread), false),
                (false, false, None) => return None,
            };
            Some(Incoming { team, channel, ts, thread, user, text, addressed, bot_user })
        }
        _ => None,
    }
}

/// When a Slack `ts` ("1700000000.000100") happened.
pub fn time_of(ts: &str) -> OffsetDateTime {
    ts.split('.')
        .next()
        .and_then(|s| s.parse::<i64>().ok())
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or_else(OffsetDateTime::now_utc)
}

pub(crate) async fn handle(State(slack): State<Slack>, headers: HeaderMap, Signed(text): Signed) -> Response {
    let retry = headers.get("x-slack-retry-num").and_then(|v| v.to_str().ok()).unwrap_or("0");
    take(slack, &text, retry).await
}

/// Takes an Events API callback however it came (a signed request, a Socket Mode envelope):
/// a message for secbot is stored for answering, and the response says whether it was.
pub(crate) async fn take(slack: Slack, text: &str, retry: &str) -> Response {
    let event: SlackPushEvent = match serde_json::from_str(text) {
        Ok(event) => event,
        Err(err) => return Rejection::malformed("the event", err).into_response(),
    };
    match event {
        SlackPushEvent::UrlVerification(check) => {
            Json(serde_json::json!({ "challenge": check.challenge })).into_response()
        }
        SlackPushEvent::AppRateLimited(limited) => {
            tracing::warn!(team = %limited.team_id, "Slack is dropping events for this workspace: more than 30,000 in an hour");
            StatusCode::OK.into_response()
        }
        SlackPushEvent::EventCallback(callback) if !slack.admits(callback.team_id.as_ref()) => {
            StatusCode::OK.into_response()
        }
        SlackPushEvent::EventCallback(callback) => accept(slack, &callback, retry).await,
    }
}

async fn accept(slack: Slack, callback: &SlackPushEventCallback, retry: &str) -> Response {
    let Some(message) = incoming(callback) else {
        return StatusCode::OK.into_response();
    };
    // One key per message, not per event: a mention arrives as both `app_mention` and
    // `message.*` with different event ids, and a retry repeats the event id; both share
    // (channel, ts). The inbox inserts it if absent in the shared store, so any replica accepts
    // it exactly once, and Slack gets its 200 only once the message is stored.
    let key = format!("slack:{}:{}:{}", message.team, message.channel, message.ts);
    let payload = match serde_json::to_value(Stored::Message(message)) {
        Ok(payload) => payload,
        Err(err) => return Rejection::malformed("the event", err).into_response(),
    };
    match slack.inbox.accept(Job { platform: Platform::Slack, key, payload }).await {
        Ok(true) => {}
        Ok(false) => {
            tracing::debug!(event_id = %callback.event_id, retry, "already accepted; ignoring the repeat");
        }
        Err(err) => {
            tracing::warn!(error = %err, "could not record the event; asking Slack to retry");
            return Rejection::new(StatusCode::SERVICE_UNAVAILABLE, err.to_string()).into_response();
        }
    }
    StatusCode::OK.into_response()
}

/// The Slack side of the queue: answers stored messages and posts the replies.
pub(crate) struct Replies(pub(crate) Slack);

#[async_trait]
impl Worker for Replies {
    async fn answer(&self, payload: serde_json::Value) -> Option<serde_json::Value> {
        if let Some(notice) = Notice::in_payload(&payload) {
            let notice = notice
                .inspect_err(
                    |err| tracing::error!(error = %err, "a stored notice is unreadable; it is not posted"),
                )
                .ok()?;
            return serde_json::to_value(Outgoing::of_notice(notice)).ok();
        }
        let outgoing = match serde_json::from_value(payload) {
            Ok(Stored::Message(message)) => self.0.answer(message).await?,
            Ok(Stored::Command { command }) => self.0.answer_command(command).await,
            Ok(Stored::Click { click }) => self.0.answer_click(*click).await,
            Err(err) => {
                tracing::error!(error = %err, "a stored Slack message is unreadable; it is not answered");
                return None;
            }
        };
        serde_json::to_value(outgoing)
            .inspect_err(|err| tracing::error!(error = %err, "a reply could not be stored"))
            .ok()
    }

    async fn send(&self, outgoing: serde_json::Value) -> Sent {
        match serde_json::from_value::<Outgoing>(outgoing) {
            Ok(outgoing) => self.0.send(outgoing).await,
            Err(err) => Sent::Failed(format!("a stored reply is unreadable: {err}")),
        }
    }
}

impl Slack {
    /// The reply to a stored message and where it goes; `None` when an overheard message
    /// needs none.
    async fn answer(&self, message: Incoming) -> Option<Outgoing> {
        let token = self.token(&message.team).await;
        let asker = self.person(token.as_ref(), &message.team, &message.user).await;
        let (text, mentions) =
            self.words(token.as_ref(), &message.team, &message.text, message.bot_user.as_deref()).await;
        let origin = Origin {
            platform: Platform::Slack,
            tenant: message.team.clone(),
            channel: message.channel.clone(),
            thread: message.thread.clone(),
            message: Some(message.ts.clone()),
            user: asker,
            roles: Vec::new(),
            service_url: None,
            time: self.local(&message.team, &message.user, time_of(&message.ts)).await,
        };
        let prompt = Prompt { origin, text, mentions };
        let reply = if message.addressed {
            Some(self.assistant.answer(prompt).await)
        } else {
            self.assistant.overheard(prompt).await
        }?;
        let place = Place {
            team: message.team,
            channel: message.channel,
            thread: message.thread,
            user: message.user,
            response_url: None,
        };
        Some(Outgoing {
            place,
            reply,
            progress: Progress::default(),
            asked: None,
            opens: None,
            via: Via::Post,
        })
    }
}

/// The events secbot subscribes to, as the manifest lists them.
pub const SUBSCRIBED: &[&str] = manifest::BOT_EVENTS;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queued::SlashCommand;

    fn callback(fixture: &str) -> SlackPushEventCallback {
        match serde_json::from_str::<SlackPushEvent>(fixture).unwrap() {
            SlackPushEvent::EventCallback(callback) => callback,
            other => panic!("not an event callback: {other:?}"),
        }
    }

    #[test]
    fn a_mention_at_the_top_level_starts_a_thread_on_itself() {
        let m = incoming(&callback(include_str!("../fixtures/app_mention.json"))).unwrap();
        assert!(m.addressed);
        assert_eq!(m.thread.as_deref(), Some(m.ts.as_str()));
        assert_eq!(m.bot_user.as_deref(), Some("U0SECBOT"));
    }

    #[test]
    fn thread_replies_without_a_mention_are_overheard_and_top_level_chatter_is_ignored() {
        let m = incoming(&callback(include_str!("../fixtures/message_in_thread.json"))).unwrap();
        assert!(!m.addressed);
        assert_eq!(m.thread.as_deref(), Some("1795970800.000100"));
        let top: serde_json::Value =
            serde_json::from_str(include_str!("../fixtures/message_in_thread.json")).unwrap();
        let mut top = top;
        top["event"].as_object_mut().unwrap().remove("thread_ts");
        assert_eq!(incoming(&callback(&top.to_string())), None);
    }

    #[test]
    fn bots_edits_and_secbot_itself_are_ignored() {
        let base: serde_json::Value =
            serde_json::from_str(include_str!("../fixtures/message_in_thread.json")).unwrap();
        let mut bot = base.clone();
        bot["event"]["bot_id"] = "B0OTHER".into();
        assert_eq!(incoming(&callback(&bot.to_string())), None);
        let mut edit = base.clone();
        edit["event"]["subtype"] = "message_changed".into();
        assert_eq!(incoming(&callback(&edit.to_string())), None);
        let mut me = base.clone();
        me["event"]["user"] = "U0SECBOT".into();
        assert_eq!(incoming(&callback(&me.to_string())), None);
        let mut broadcast = base;
        broadcast["event"]["subtype"] = "thread_broadcast".into();
        assert_eq!(incoming(&callback(&broadcast.to_string())), None);
    }

    #[test]
    fn direct_messages_are_addressed_and_stay_at_the_top_level() {
        let m = incoming(&callback(include_str!("../fixtures/message_im.json"))).unwrap();
        assert!(m.addressed);
        assert_eq!(m.thread, None);
    }

    #[test]
    fn the_queue_reads_messages_stored_before_commands_were_queued_and_commands_round_trip() {
        let m = incoming(&callback(include_str!("../fixtures/app_mention.json"))).unwrap();
        let untagged = serde_json::to_value(&m).unwrap();
        assert_eq!(serde_json::from_value::<Stored>(untagged).unwrap(), Stored::Message(m));
        let command: SlashCommand =
            serde_urlencoded::from_str(include_str!("../fixtures/slash_command.txt").trim()).unwrap();
        let stored = serde_json::to_value(Stored::Command { command: command.clone() }).unwrap();
        assert_eq!(serde_json::from_value::<Stored>(stored).unwrap(), Stored::Command { command });
    }

    #[test]
    fn slack_timestamps_become_times() {
        assert_eq!(time_of("1795970800.000100").unix_timestamp(), 1_795_970_800);
    }
}
