//! secbot's Slack adapter: the Events API, interactivity and the `/secbot` slash command, with
//! every request verified by the signing secret, cards rendered as Block Kit, and replies posted
//! through the Web API after the request is acknowledged.
//!
//! Where a Slack request is handled, by route:
//! - `POST /slack/events`: [`events`] (mentions, direct messages, follow-ups in secbot's threads)
//! - `POST /slack/interactivity`: [`interactivity`] (button clicks, the feedback modal)
//! - `POST /slack/commands`: [`commands`] (`/secbot …`)
//! - `GET /slack/install`, `GET /slack/oauth/callback`: [`install`] (OAuth v2 installs)
//! - Socket Mode (no public URL): [`socket`] opens the WebSocket connections and hands each
//!   envelope to the same code as the routes above
//!
//! Replies go out through [`deliver`]; cards become Block Kit in [`blocks`].

pub mod api;
pub mod blocks;
pub mod commands;
pub mod deliver;
pub mod events;
pub mod fixtures;
pub mod inbound;
pub mod install;
pub mod interactivity;
pub mod manifest;
pub mod queued;
pub mod socket;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod verify;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use secbot_chat::delivery::Backoff;
use secbot_chat::{Assistant, AssistantError, Inbox, Person, Platform, Secret};
use slack_morphism::prelude::*;
use tokio_util::task::TaskTracker;

/// The largest request body Slack sends secbot (events and interaction payloads are far smaller).
pub const MAX_BODY: usize = 1024 * 1024;

/// How the Slack adapter is set up (what `secbot serve`'s configuration produces).
#[derive(Debug, Clone)]
pub struct SlackOptions {
    /// The app's signing secret; every HTTP request must be signed with it. Without one, Slack
    /// reaches secbot over Socket Mode only and the HTTP routes refuse everything.
    pub signing_secret: Option<Secret>,
    /// The app-level token (`xapp-…`, scope `connections:write`) that turns Socket Mode on.
    pub app_token: Option<Secret>,
    /// How many Socket Mode connections to keep open (Slack spreads envelopes over them).
    pub socket_connections: usize,
    /// A single workspace's bot token (`xoxb-…`); without it, tokens come from OAuth installs.
    pub bot_token: Option<Secret>,
    /// The OAuth client id, for `/slack/install`.
    pub client_id: Option<String>,
    /// The OAuth client secret, for `/slack/oauth/callback`.
    pub client_secret: Option<Secret>,
    /// The Web API base URL, such as `https://slack.com/api`.
    pub api_url: String,
    /// Slack's authorize page, where `/slack/install` sends the browser.
    pub authorize_url: String,
    /// The URL Slack reaches secbot at, for the OAuth redirect.
    pub public_url: Option<String>,
    /// Retries of Web API calls.
    pub backoff: Backoff,
    /// The workspaces (team ids) secbot answers; empty answers every workspace that installs it.
    pub allowed_teams: Vec<String>,
}

impl SlackOptions {
    /// Options for a signing secret and a single workspace's bot token, calling `api_url`.
    pub fn new(
        signing_secret: impl Into<String>,
        bot_token: Option<String>,
        api_url: impl Into<String>,
    ) -> SlackOptions {
        SlackOptions {
            signing_secret: Some(Secret::new(signing_secret)),
            app_token: None,
            socket_connections: 1,
            bot_token: bot_token.map(Secret::new),
            client_id: None,
            client_secret: None,
            api_url: api_url.into(),
            authorize_url: install::AUTHORIZE_URL.to_owned(),
            public_url: None,
            backoff: Backoff::default(),
            allowed_teams: Vec::new(),
        }
    }
}

/// A workspace's installation, as the OAuth flow records it.
#[derive(Clone, PartialEq, Eq)]
pub struct Installed {
    /// The workspace (team id).
    pub team: String,
    /// The bot token for that workspace.
    pub token: String,
    /// What Slack said about the install (team name, bot user, scopes), as JSON.
    pub meta: serde_json::Value,
}

impl std::fmt::Debug for Installed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Installed").field("team", &self.team).finish_non_exhaustive()
    }
}

/// Where per-workspace bot tokens are kept (the binary keeps them encrypted in its store).
#[async_trait]
pub trait Installations: Send + Sync {
    /// Records (or replaces) a workspace's installation.
    async fn save(&self, installed: Installed) -> Result<(), AssistantError>;
    /// The bot token of a workspace, if secbot is installed there.
    async fn token(&self, team: &str) -> Result<Option<String>, AssistantError>;
}

/// What the Slack routes share.
#[derive(Clone)]
pub(crate) struct Slack {
    pub(crate) assistant: Arc<dyn Assistant>,
    pub(crate) installations: Arc<dyn Installations>,
    pub(crate) options: Arc<SlackOptions>,
    pub(crate) client: Arc<api::Client>,
    pub(crate) verifier: verify::Verifier,
    pub(crate) people: moka::future::Cache<(String, String), Person>,
    /// Each person's offset from UTC in seconds, from their profile's time zone.
    pub(crate) offsets: moka::future::Cache<(String, String), i32>,
    pub(crate) tasks: TaskTracker,
    pub(crate) inbox: Arc<dyn Inbox>,
}

impl Slack {
    /// True when secbot answers this workspace; anything from another is dropped (and logged)
    /// before it is claimed, read or answered.
    pub(crate) fn admits(&self, team: &str) -> bool {
        let allowed = &self.options.allowed_teams;
        let admitted = allowed.is_empty() || allowed.iter().any(|t| t == team);
        if !admitted {
            tracing::warn!(
                team,
                "ignored a request from a Slack workspace not in SECBOT_SLACK_ALLOWED_TEAMS"
            );
        }
        admitted
    }

    /// The bot token for a workspace: the configured one, or the workspace's installation.
    pub(crate) async fn token(&self, team: &str) -> Option<SlackApiToken> {
        if let Some(token) = &self.options.bot_token {
            return Some(SlackApiToken::new(token.expose().to_owned().into()).with_team_id(team.into()));
        }
        match self.installations.token(team).await {
            Ok(Some(token)) => Some(SlackApiToken::new(token.into()).with_team_id(team.into())),
            Ok(None) => {
                tracing::warn!(
                    team,
                    "secbot is not installed in this workspace; install it at /slack/install"
                );
                None
            }
            Err(err) => {
                tracing::warn!(team, error = %err, "could not read the workspace's installation");
                None
            }
        }
    }
}

/// The Slack adapter, built once: its HTTP routes under `/slack/` and, when an app-level token
/// is set, its Socket Mode connections, both taking events, clicks and commands the same way.
/// Messages from the Events API and slash commands go through `inbox`, where the adapter
/// registers the worker that answers and posts them; other work done after a request is
/// acknowledged runs on `tasks`, which shutdown waits for.
pub struct Adapter {
    state: Slack,
}

impl Adapter {
    /// The adapter answering through `assistant`.
    pub fn new(
        assistant: Arc<dyn Assistant>,
        installations: Arc<dyn Installations>,
        options: SlackOptions,
        tasks: TaskTracker,
        inbox: Arc<dyn Inbox>,
    ) -> Adapter {
        let client = api::Transport::new(&options.api_url, options.backoff).client();
        let state = Slack {
            assistant,
            installations,
            verifier: verify::Verifier::of(options.signing_secret.as_ref().map(Secret::expose)),
            options: Arc::new(options),
            client: Arc::new(client),
            people: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(Duration::from_secs(3600))
                .build(),
            offsets: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(Duration::from_secs(3600))
                .build(),
            tasks,
            inbox: inbox.clone(),
        };
        inbox.register(Platform::Slack, Arc::new(events::Replies(state.clone())));
        Adapter { state }
    }

    /// The routes under `/slack/`.
    pub fn routes(&self) -> Router {
        Router::new()
            .route("/slack/events", post(events::handle))
            .route("/slack/interactivity", post(interactivity::handle))
            .route("/slack/commands", post(commands::handle))
            .route("/slack/install", get(install::start))
            .route(manifest::CALLBACK_PATH, get(install::finish))
            .layer(DefaultBodyLimit::max(MAX_BODY))
            .with_state(self.state.clone())
    }

    /// The Socket Mode connections, when an app-level token is set.
    pub fn socket_mode(&self) -> Option<socket::SocketMode> {
        let token = self.state.options.app_token.as_ref()?.expose().to_owned();
        Some(socket::SocketMode::new(self.state.clone(), token, self.state.options.socket_connections))
    }
}
