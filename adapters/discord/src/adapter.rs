//! The Discord adapter as a whole: the interactions endpoint and the Gateway connection, wired to
//! the inbox through one worker that answers what was queued (slash commands, heard messages,
//! notices) and sends the answers the way each came.

use std::sync::Arc;

use axum::Router;
use secbot_chat::{Assistant, Inbox, Platform, Sent, Worker};
use tokio_util::task::TaskTracker;

use crate::announce;
use crate::api::Api;
use crate::endpoint::{ACK_BUDGET, Endpoint, Outgoing, endpoint, routes};
use crate::gateway::{self, Gateway};
use crate::options::DiscordOptions;

/// The Discord adapter, built once: the interactions route and, when `options.gateway` is on
/// (with a bot token), its Gateway connection, both answering through the same inbox. Slash
/// commands and heard messages go through `inbox`, where the adapter registers the worker that
/// answers them and posts the answers; other work after the HTTP answer (late button answers,
/// modals) is spawned on `tasks`, so a graceful shutdown can wait for it. A public key that is
/// not a valid Ed25519 key is logged and every request refused (check it first with
/// [`DiscordOptions::check`]).
pub struct Adapter {
    endpoint: Endpoint,
    gateway: Option<String>,
}

impl Adapter {
    /// The adapter answering for the application in `options`.
    pub fn new(
        assistant: Arc<dyn Assistant>,
        options: DiscordOptions,
        tasks: TaskTracker,
        inbox: Arc<dyn Inbox>,
    ) -> Adapter {
        let endpoint = wired(endpoint(assistant, &options, tasks, inbox, Api::new(&options), ACK_BUDGET));
        let gateway = options.bot_token.as_ref().filter(|_| options.gateway).map(|t| t.expose().to_owned());
        Adapter { endpoint, gateway }
    }

    /// `POST /discord/interactions`.
    pub fn routes(&self) -> Router {
        routes(self.endpoint.clone())
    }

    /// The Gateway connection, when it is on.
    pub fn gateway(&self) -> Option<Gateway> {
        Some(Gateway::new(self.endpoint.clone(), self.gateway.clone()?))
    }
}

/// The endpoint, with the worker that answers its queued work registered on its inbox.
pub(crate) fn wired(endpoint: Endpoint) -> Endpoint {
    endpoint.0.inbox.register(Platform::Discord, Arc::new(Replies(endpoint.clone())));
    endpoint
}

/// The Discord side of the queue: answers stored slash commands and edits the answers in.
struct Replies(Endpoint);

#[async_trait::async_trait]
impl Worker for Replies {
    async fn answer(&self, payload: serde_json::Value) -> Option<serde_json::Value> {
        if let Some(notice) = secbot_chat::Notice::in_payload(&payload) {
            let notice = notice
                .inspect_err(
                    |err| tracing::error!(error = %err, "a stored notice is unreadable; it is not posted"),
                )
                .ok()?;
            return serde_json::to_value(announce::Announcing::of(notice)).ok();
        }
        if payload.get("gateway").is_some() {
            let stored = serde_json::from_value::<gateway::Stored>(payload)
                .inspect_err(|err| tracing::error!(error = %err, "a stored Discord message is unreadable"))
                .ok()?;
            return serde_json::to_value(gateway::answer(&self.0, stored.gateway).await?).ok();
        }
        let outgoing = self.0.answer_command(payload).await?;
        serde_json::to_value(outgoing).ok()
    }

    async fn send(&self, outgoing: serde_json::Value) -> Sent {
        if outgoing.get("notice").is_some() {
            return match serde_json::from_value::<announce::Announcing>(outgoing) {
                Ok(announcing) => announce::send(&self.0, announcing).await,
                Err(err) => Sent::Failed(format!("a stored notice is unreadable: {err}")),
            };
        }
        if outgoing.get("heard").is_some() {
            return match serde_json::from_value::<gateway::Posting>(outgoing) {
                Ok(posting) => gateway::send(&self.0, posting).await,
                Err(err) => Sent::Failed(format!("a stored reply is unreadable: {err}")),
            };
        }
        match serde_json::from_value::<Outgoing>(outgoing) {
            Ok(outgoing) => self.0.send_command(outgoing).await,
            Err(err) => Sent::Failed(format!("a stored reply is unreadable: {err}")),
        }
    }
}
