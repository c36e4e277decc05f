//! Slack Socket Mode: secbot opens WebSocket connections to Slack instead of taking webhooks, so
//! it needs neither a public URL nor a signing secret. Each connection's URL comes from
//! `apps.connections.open` with the app-level token (against the configured Web API URL, like
//! every other call); every envelope is handed to the same code as its HTTP twin
//! ([`events::take`], [`interactivity::take`], [`commands::take`]) and acknowledged with its
//! `envelope_id` as soon as that code has taken it, which for a message means stored. An
//! envelope that could not be stored is not acknowledged, so Slack delivers it again; a
//! redelivered envelope (`retry_attempt` > 0) meets the inbox's key and is answered once.
//! `disconnect` messages, closed sockets and silent ones lead to a new connection.
//!
//! Why not slack-morphism's Socket Mode listener: it runs only on slack-morphism's own hyper
//! connector (a second HTTP stack beside the reqwest transport every other Slack call uses, with
//! its own idea of the API's URL), and it hands callbacks typed events, which would have to be
//! serialized back into the payloads the inbox stores and the HTTP routes read. Speaking the
//! protocol here takes one module and keeps one path from payload to answer.

use std::time::Duration;

use axum::body::to_bytes;
use axum::response::Response;
use futures_util::{SinkExt as _, StreamExt as _};
use secbot_chat::delivery::{Backoff, Failure};
use serde::Deserialize;
use serde_json::{Value, json};
use slack_morphism::prelude::*;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

use crate::queued::SlashCommand;
use crate::{Slack, commands, events, interactivity};

/// How long a connection may stay silent before it is taken for dead: Slack pings every few
/// seconds, so a minute without a frame means the link is gone.
const SILENCE: Duration = Duration::from_secs(60);

/// Reconnecting after a failure: from half a second, doubling, at most every 30 s, for ever.
const RECONNECT: Backoff =
    Backoff { attempts: u32::MAX, base: Duration::from_millis(500), cap: Duration::from_secs(30) };

/// Socket Mode for one app: `connections` WebSocket connections opened with the app-level token.
pub struct SocketMode {
    slack: Slack,
    token: String,
    connections: usize,
}

impl std::fmt::Debug for SocketMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SocketMode").field("connections", &self.connections).finish_non_exhaustive()
    }
}

/// Why a connection ended without an error.
#[derive(Debug)]
enum Ended {
    /// Slack sent `disconnect` (it is about to close the link, or wants a fresh one).
    Disconnect(String),
    /// The socket closed.
    Closed,
}

/// A message from Slack over the socket.
#[derive(Debug, Deserialize)]
struct Frame {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    envelope_id: Option<String>,
    #[serde(default)]
    payload: Option<Value>,
    #[serde(default)]
    retry_attempt: Option<u32>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    num_connections: Option<u32>,
}

impl SocketMode {
    pub(crate) fn new(slack: Slack, token: String, connections: usize) -> SocketMode {
        SocketMode { slack, token, connections: connections.max(1) }
    }

    /// Keeps the connections open until `stop` is cancelled.
    pub async fn run(self, stop: CancellationToken) {
        let mut all = tokio::task::JoinSet::new();
        for n in 0..self.connections {
            all.spawn(connection(self.slack.clone(), self.token.clone(), n, stop.clone()));
        }
        while all.join_next().await.is_some() {}
    }
}

/// One connection, opened again whenever it ends, until `stop`.
async fn connection(slack: Slack, token: String, n: usize, stop: CancellationToken) {
    let mut failures = 0u32;
    loop {
        let ended = tokio::select! {
            () = stop.cancelled() => return,
            ended = session(&slack, &token, n) => ended,
        };
        match ended {
            Ok(Ended::Disconnect(reason)) => {
                failures = 0;
                tracing::info!(connection = n, reason, "Slack asked for a new Socket Mode connection");
            }
            Ok(Ended::Closed) => {
                failures = 0;
                tracing::info!(connection = n, "the Socket Mode connection closed; opening another");
            }
            Err(err) => {
                failures += 1;
                let wait = RECONNECT.wait(failures, Failure::Transient).unwrap_or(RECONNECT.cap);
                tracing::warn!(
                    connection = n,
                    error = %err,
                    wait_ms = wait.as_millis() as u64,
                    "Socket Mode connection failed; trying again"
                );
                tokio::select! {
                    () = stop.cancelled() => return,
                    () = tokio::time::sleep(wait) => {}
                }
            }
        }
    }
}

/// Opens a connection and serves it until it ends.
async fn session(slack: &Slack, token: &str, n: usize) -> Result<Ended, String> {
    let token = SlackApiToken::new(token.to_owned().into());
    let session = slack.client.open_session(&token);
    let opened = session
        .apps_connections_open(&SlackApiAppsConnectionOpenRequest::new())
        .await
        .map_err(|e| format!("apps.connections.open: {}", crate::api::error_code(&e)))?;
    // The URL holds a ticket that admits whoever holds it: it is never logged.
    let (socket, _) = tokio_tungstenite::connect_async(opened.url.0.as_str())
        .await
        .map_err(|e| format!("connecting: {}", e.to_string().replace(opened.url.0.as_str(), "<url>")))?;
    let (mut sink, mut frames) = socket.split();
    let (acks, mut to_send) = mpsc::channel::<String>(256);
    loop {
        tokio::select! {
            Some(ack) = to_send.recv() => {
                sink.send(Message::Text(ack.into())).await.map_err(|e| format!("acknowledging: {e}"))?;
            }
            frame = tokio::time::timeout(SILENCE, frames.next()) => {
                let text = match frame {
                    Err(_) => return Err(format!("nothing from Slack for {} s", SILENCE.as_secs())),
                    Ok(None) | Ok(Some(Ok(Message::Close(_)))) => return Ok(Ended::Closed),
                    Ok(Some(Err(e))) => return Err(format!("reading: {e}")),
                    Ok(Some(Ok(Message::Text(text)))) => text,
                    Ok(Some(Ok(Message::Ping(_)))) => {
                        // tungstenite queued the pong; send it now.
                        sink.flush().await.map_err(|e| format!("answering a ping: {e}"))?;
                        continue;
                    }
                    Ok(Some(Ok(_))) => continue,
                };
                let frame: Frame = match serde_json::from_str(text.as_str()) {
                    Ok(frame) => frame,
                    Err(err) => {
                        tracing::warn!(connection = n, error = %err, "ignored a Socket Mode message secbot cannot read");
                        continue;
                    }
                };
                match frame.kind.as_str() {
                    "hello" => tracing::info!(connection = n, connections = frame.num_connections, "Socket Mode connected"),
                    "disconnect" => return Ok(Ended::Disconnect(frame.reason.unwrap_or_default())),
                    _ => {
                        let slack = slack.clone();
                        let acks = acks.clone();
                        // Taken in a task of its own, so a slow store does not hold up the frames
                        // behind it; the acknowledgement goes out through this connection.
                        slack.tasks.clone().spawn(async move {
                            if let Some(ack) = take(&slack, frame).await {
                                let _ = acks.send(ack).await;
                            }
                        });
                    }
                }
            }
        }
    }
}

/// Hands an envelope to the code its HTTP twin reaches, and returns the acknowledgement to send:
/// `None` when it could not be taken (Slack delivers it again).
async fn take(slack: &Slack, frame: Frame) -> Option<String> {
    let id = frame.envelope_id?;
    let payload = frame.payload.unwrap_or(Value::Null);
    let retry = frame.retry_attempt.unwrap_or(0).to_string();
    let response = match frame.kind.as_str() {
        "events_api" => events::take(slack.clone(), &payload.to_string(), &retry).await,
        "interactive" => interactivity::take(slack.clone(), &payload.to_string()).await,
        "slash_commands" => match serde_json::from_value::<SlashCommand>(payload) {
            Ok(command) => commands::take(slack.clone(), command).await,
            Err(err) => {
                tracing::warn!(error = %err, "a Socket Mode slash command secbot cannot read; acknowledged");
                return Some(json!({ "envelope_id": id }).to_string());
            }
        },
        other => {
            tracing::debug!(kind = other, "a Socket Mode envelope secbot does not use; acknowledged");
            return Some(json!({ "envelope_id": id }).to_string());
        }
    };
    acknowledgement(id, response).await
}

/// The acknowledgement of an envelope whose HTTP twin answered `response`: its JSON body, if
/// any, rides along as the payload (a slash command's ephemeral text, a modal's errors); a
/// 5xx means it was not taken, so there is none; a 4xx (a payload secbot cannot read) would
/// fail the same way again, so it is acknowledged.
async fn acknowledgement(id: String, response: Response) -> Option<String> {
    let status = response.status();
    if status.is_server_error() {
        tracing::warn!(
            status = status.as_u16(),
            "a Socket Mode envelope was not taken; Slack will send it again"
        );
        return None;
    }
    let body = to_bytes(response.into_body(), crate::MAX_BODY).await.unwrap_or_default();
    let payload = if status.is_success() { serde_json::from_slice::<Value>(&body).ok() } else { None };
    Some(
        match payload {
            Some(payload) if payload.is_object() => json!({ "envelope_id": id, "payload": payload }),
            _ => json!({ "envelope_id": id }),
        }
        .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;
    use axum::http::StatusCode;
    use axum::response::IntoResponse as _;

    #[tokio::test]
    async fn an_envelope_is_acknowledged_with_its_answer_and_not_when_it_was_not_taken() {
        let taken = acknowledgement("e1".into(), StatusCode::OK.into_response()).await;
        assert_eq!(taken.as_deref(), Some(r#"{"envelope_id":"e1"}"#));
        let answered =
            acknowledgement("e2".into(), axum::Json(json!({"text": "run it again"})).into_response()).await;
        let answered: Value = serde_json::from_str(&answered.expect("acknowledged")).expect("JSON");
        assert_eq!(answered, json!({"envelope_id": "e2", "payload": {"text": "run it again"}}));
        assert_eq!(acknowledgement("e3".into(), StatusCode::SERVICE_UNAVAILABLE.into_response()).await, None);
        let unreadable = acknowledgement("e4".into(), StatusCode::BAD_REQUEST.into_response()).await;
        assert_eq!(unreadable.as_deref(), Some(r#"{"envelope_id":"e4"}"#));
    }

    #[test]
    fn slack_s_frames_are_read() {
        for (name, text) in [
            ("hello", fixtures::SOCKET_HELLO),
            ("disconnect", fixtures::SOCKET_DISCONNECT),
            ("events_api", fixtures::SOCKET_EVENTS_API),
            ("slash_commands", fixtures::SOCKET_SLASH_COMMANDS),
        ] {
            let frame: Frame = serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(frame.kind, name);
        }
        let envelope: Frame = serde_json::from_str(fixtures::SOCKET_EVENTS_API).unwrap();
        assert!(envelope.envelope_id.is_some() && envelope.payload.is_some());
        let command: Frame = serde_json::from_str(fixtures::SOCKET_SLASH_COMMANDS).unwrap();
        let command: SlashCommand =
            serde_json::from_value(command.payload.unwrap()).expect("a slash command");
        assert_eq!(command.command, "/secbot");
    }
}
