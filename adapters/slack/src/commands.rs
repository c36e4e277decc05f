//! `POST /slack/commands`: the `/secbot <prompt>` slash command (form-encoded). The command is
//! acknowledged at once; the answer is posted in the channel with who asked, so the team sees
//! it and follow-ups in its thread keep their context. Where secbot is not a member of the
//! channel, the answer goes through the command's response URL instead.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use secbot_chat::{Origin, Platform, Prompt, ThreadKey};
use serde::Deserialize;
use slack_morphism::errors::SlackClientError;
use time::OffsetDateTime;

use crate::Slack;
use crate::api::error_code;
use crate::blocks;
use crate::deliver::Place;
use crate::verify::{Rejection, Signed};

/// The slash command secbot registers.
pub const COMMAND: &str = "/secbot";

/// The fields of a slash command secbot reads (Slack sends more).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SlashCommand {
    /// The workspace.
    pub team_id: String,
    /// Where the command was typed.
    pub channel_id: String,
    /// Who typed it.
    pub user_id: String,
    /// Their username.
    #[serde(default)]
    pub user_name: Option<String>,
    /// The command (`/secbot`).
    pub command: String,
    /// What follows the command.
    #[serde(default)]
    pub text: String,
    /// Where to answer when secbot cannot post in the channel.
    pub response_url: String,
    /// For opening a modal.
    pub trigger_id: String,
}

pub(crate) async fn handle(State(slack): State<Slack>, Signed(text): Signed) -> Response {
    if text.split('&').any(|pair| pair == "ssl_check=1") {
        return StatusCode::OK.into_response();
    }
    let command: SlashCommand = match serde_urlencoded::from_str(&text) {
        Ok(command) => command,
        Err(err) => return Rejection::malformed("the slash command", err).into_response(),
    };
    if !slack.admits(&command.team_id) {
        return StatusCode::OK.into_response();
    }
    let worker = slack.clone();
    slack.tasks.spawn(async move { worker.command(command).await });
    StatusCode::OK.into_response()
}

fn not_a_member(err: &SlackClientError) -> bool {
    matches!(error_code(err).as_str(), "not_in_channel" | "channel_not_found")
}

impl Slack {
    async fn command(&self, command: SlashCommand) {
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
            time: OffsetDateTime::now_utc(),
        };
        let from = origin.thread_key();
        let reply = self.assistant.answer(Prompt { origin, text: text.clone(), mentions }).await;
        let place = Place {
            team: command.team_id.clone(),
            channel: command.channel_id.clone(),
            thread: None,
            user: command.user_id.clone(),
            response_url: Some(command.response_url.clone()),
        };
        let Some(token) = token.filter(|_| !reply.ephemeral) else {
            self.deliver(None, &place, &reply).await;
            return;
        };
        let question = format!("{} {}", command.command, text);
        let messages = blocks::render_asked(&reply.card, &reply.text, &command.user_id, question.trim());
        match self.post(&token, &command.channel_id, None, &messages).await {
            Ok(ts) => {
                let to = ThreadKey { thread: ts, ..from.clone() };
                if let Err(err) = self.assistant.continue_thread(&from, &to).await {
                    tracing::warn!(error = %err, "follow-ups in the command's thread will start without context");
                }
            }
            Err(err) if not_a_member(&err) => {
                for message in &messages {
                    if let Err(err) = self.respond(&command.response_url, message, "in_channel", None).await {
                        self.tell(Some(&token), &place, &err).await;
                        return;
                    }
                }
            }
            Err(err) => {
                self.tell(Some(&token), &place, &err).await;
                return;
            }
        }
        self.deliver_direct(Some(&token), &place, &reply.direct).await;
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
