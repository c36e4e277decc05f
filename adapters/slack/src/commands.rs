//! `POST /slack/commands`: the `/secbot <prompt>` slash command (form-encoded). The command is
//! acknowledged once the queue has stored it; the answer is posted in the channel with who
//! asked, so the team sees it and follow-ups in its thread keep their context. Where secbot is
//! not a member of the channel, the answer goes through the command's response URL instead.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use secbot_chat::{Job, Origin, Platform, Prompt};
use time::OffsetDateTime;

use crate::Slack;
use crate::deliver::Outgoing;
use crate::deliver::{Asked, Place, Progress, Via};
use crate::queued::{SlashCommand, Stored};
use crate::verify::{Rejection, Signed};

/// The slash command secbot registers.
pub const COMMAND: &str = "/secbot";

pub(crate) async fn handle(State(slack): State<Slack>, Signed(text): Signed) -> Response {
    if text.split('&').any(|pair| pair == "ssl_check=1") {
        return StatusCode::OK.into_response();
    }
    let command: SlashCommand = match serde_urlencoded::from_str(&text) {
        Ok(command) => command,
        Err(err) => return Rejection::malformed("the slash command", err).into_response(),
    };
    take(slack, command).await
}

/// Takes a `/secbot` command however it came (a signed request's form, a Socket Mode
/// envelope): it is stored for answering, or the asker is told to run it again.
pub(crate) async fn take(slack: Slack, command: SlashCommand) -> Response {
    if !slack.admits(&command.team_id) {
        return StatusCode::OK.into_response();
    }
    let key = format!("slack-command:{}:{}", command.team_id, command.trigger_id);
    let payload = match serde_json::to_value(Stored::Command { command }) {
        Ok(payload) => payload,
        Err(err) => return Rejection::malformed("the slash command", err).into_response(),
    };
    match slack.inbox.accept(Job { platform: Platform::Slack, key, payload }).await {
        Ok(_) => StatusCode::OK.into_response(),
        Err(err) => {
            // Slack does not send a slash command again: the person who typed it is told, in
            // the only answer Slack shows them, that it was not taken.
            tracing::warn!(error = %err, "could not record the slash command");
            Json(serde_json::json!({
                "response_type": "ephemeral",
                "text": "secbot could not take that command just now (its storage is unavailable). \
                         Please run it again in a minute.",
            }))
            .into_response()
        }
    }
}

impl Slack {
    /// The answer to a stored slash command and where it goes: the command's channel, posted
    /// on the asker's behalf.
    pub(crate) async fn answer_command(&self, command: SlashCommand) -> Outgoing {
        let token = self.token(&command.team_id).await;
        let mut asker = self.person(token.as_ref(), &command.team_id, &command.user_id).await;
        if asker.name == asker.id
            && let Some(name) = &command.user_name
        {
            asker.name = name.clone();
        }
        let (text, mentions) = self.words(token.as_ref(), &command.team_id, &command.text, None).await;
        let origin = Origin {
            platform: Platform::Slack,
            tenant: command.team_id.clone(),
            channel: command.channel_id.clone(),
            thread: None,
            message: None,
            user: asker,
            roles: Vec::new(),
            service_url: None,
            time: self.local(&command.team_id, &command.user_id, OffsetDateTime::now_utc()).await,
        };
        let from = origin.thread_key();
        let reply = self.assistant.answer(Prompt { origin, text: text.clone(), mentions }).await;
        let place = Place {
            team: command.team_id,
            channel: command.channel_id,
            thread: None,
            user: command.user_id,
            response_url: Some(command.response_url),
        };
        let question = format!("{} {}", command.command, text).trim().to_owned();
        Outgoing {
            place,
            reply,
            progress: Progress::default(),
            asked: Some(Asked { question, from }),
            opens: None,
            via: Via::Post,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slash_command_body_is_read() {
        let command: SlashCommand =
            serde_urlencoded::from_str(include_str!("../fixtures/slash_command.txt").trim()).unwrap();
        assert_eq!(command.command, COMMAND);
        assert_eq!(command.text, "what is overdue?");
        assert_eq!(command.channel_id, "C0SECOPS");
        assert!(command.response_url.starts_with("https://hooks.slack.com/commands/"));
    }
}
