//! secbot's Microsoft Teams adapter: Bot Framework activities with their JWT validated, cards
//! rendered as Adaptive Cards 1.5, and replies sent through the Bot Connector.
//!
//! The adapter serves `POST /api/messages` ([`router`]). Every activity must carry a Bot
//! Framework bearer token, validated against the OpenID metadata and its signing keys before
//! anything else happens (failures are an [`AuthError`]: 401, or 403 for a valid token whose
//! key does not endorse the channel or whose `serviceurl` claim is not the activity's). A
//! message is acknowledged at once and answered from a task on the caller's [`TaskTracker`];
//! an `adaptiveCard/action` invoke is answered in the HTTP response (a replacement card or a
//! short message); the bot's installation gets one welcome card. Replies go to the connector at
//! the activity's `serviceUrl`, and only when that URL is on the allow-list, so the bot's token
//! never reaches another host. In a channel, replies are posted to the thread's conversation id
//! (`…;messageid=<root>`), which is what makes them land in the thread.
//!
//! ## Buttons
//!
//! Every button is an `Action.Execute` whose `data` is `{"secbot": "<Payload::encode()>"}`, with
//! an `Action.Submit` fallback carrying the same data (a `message` activity with that `value`
//! works the same way). A payload longer than [`limits::INLINE_PAYLOAD_BYTES`] is left in the
//! store: the button carries `{"secbot_reply": "<response id>", "secbot_button": <index>}`.
//! "Needs improvement" and "Inappropriate" open a comment box in the card itself
//! (`Action.ShowCard`); its submit stores the rating with the comment.
//!
//! ## Cards and the Adaptive Card 1.5 schema
//!
//! Cards ([`render_card`]) use only elements of the official Adaptive Card 1.5 schema, with one
//! documented exception: code is shown with Teams' `CodeBlock` element (a Teams host extension,
//! not part of the schema), and every `CodeBlock` carries a `fallback` monospace `TextBlock`.
//! Validation against the schema therefore follows this allow-list rule: a `CodeBlock` must
//! have exactly the properties `type`, `codeSnippet`, `language`, `startLineNumber` and
//! `fallback`, a `language` from Teams' list, and a schema-valid `fallback`; it is then
//! replaced by that fallback, and the card must validate against the official schema as is.
//! Nothing else is allow-listed (no `msteams` property, no mention entities). The end-to-end
//! tests check every card this way with `tests/teams-schema/validate.py`.
//!
//! A card larger than [`limits::CARD_BYTES`] is split into several messages, each saying it
//! continues the previous one; text, facts and code are split, never cut. Text from the cloud
//! is escaped so it cannot become a link or a mention.

mod activity;
mod auth;
mod connector;
mod failure;
mod icons;
pub mod limits;
mod manifest;
mod markdown;
mod mentions;
mod paging;
mod render;
#[cfg(any(test, feature = "testing"))]
pub mod signing_keys;
mod token;
mod webhook;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::post;
use secbot_chat::{Assistant, Secret};
use tokio_util::task::TaskTracker;

pub use activity::{Account, Activity, ChannelData, Conversation, Entity, IdOnly};
pub use auth::AuthError;
pub use manifest::{MANIFEST_VERSION, ManifestError, TEMPLATE_PATH, manifest};
pub use render::{render_card, render_comment_form};

/// The Bot Framework OpenID metadata document inbound tokens are checked against.
pub const DEFAULT_OPENID_URL: &str = "https://login.botframework.com/v1/.well-known/openidconfiguration";

/// The connector hosts the bot may send its token to when nothing else is configured: the
/// commercial, GCC and GCC High Teams services.
pub const DEFAULT_ALLOWED_SERVICE_URLS: [&str; 3] = [
    "https://smba.trafficmanager.net/",
    "https://smba.infra.gcc.teams.microsoft.com/",
    "https://smba.infra.gov.teams.microsoft.us/",
];

/// The largest activity body accepted on `/api/messages`.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How the Teams adapter is set up (what `secbot serve`'s configuration produces from
/// `SECBOT_TEAMS_*`).
#[derive(Debug, Clone)]
pub struct TeamsOptions {
    /// The bot's Microsoft App ID: the audience of inbound tokens and the client id of outbound ones.
    pub app_id: String,
    /// The app's client secret, used only to get connector tokens; never logged or shown.
    pub app_password: Secret,
    /// The tenant of a single-tenant bot; `None` for a multi-tenant one.
    pub tenant_id: Option<String>,
    /// The Bot Framework OpenID metadata URL (empty means [`DEFAULT_OPENID_URL`]).
    pub openid_url: String,
    /// The Azure AD token endpoint (empty means [`default_token_url`] of `tenant_id`).
    pub token_url: String,
    /// URL prefixes (scheme and host included) a `serviceUrl` must start with to be called.
    pub allowed_service_urls: Vec<String>,
    /// Further tenants secbot answers besides `tenant_id`; when both are empty it answers any
    /// tenant the bot is installed in.
    pub allowed_tenants: Vec<String>,
}

impl TeamsOptions {
    /// Options with the default endpoints and allow-list for a bot's app id and password.
    pub fn new(
        app_id: impl Into<String>,
        app_password: impl Into<String>,
        tenant_id: Option<String>,
    ) -> Self {
        let token_url = default_token_url(tenant_id.as_deref());
        TeamsOptions {
            app_id: app_id.into(),
            app_password: Secret::new(app_password),
            tenant_id,
            openid_url: DEFAULT_OPENID_URL.to_owned(),
            token_url,
            allowed_service_urls: DEFAULT_ALLOWED_SERVICE_URLS.iter().map(|s| (*s).to_owned()).collect(),
            allowed_tenants: Vec::new(),
        }
    }
}

/// The Azure AD client-credentials endpoint for a single-tenant bot's tenant, or the
/// multi-tenant `botframework.com` one.
pub fn default_token_url(tenant_id: Option<&str>) -> String {
    format!(
        "https://login.microsoftonline.com/{}/oauth2/v2.0/token",
        tenant_id.filter(|t| !t.trim().is_empty()).unwrap_or("botframework.com")
    )
}

/// The Teams routes: `POST /api/messages`. Messages go through `inbox`, where this adapter
/// registers the worker that answers and posts them; replies to card actions sent after the
/// HTTP answer run on `tasks`, which graceful shutdown waits for.
pub fn router(
    assistant: Arc<dyn Assistant>,
    options: TeamsOptions,
    tasks: TaskTracker,
    inbox: Arc<dyn secbot_chat::Inbox>,
) -> Router {
    let adapter = Arc::new(webhook::Adapter::new(assistant, options, tasks, inbox.clone()));
    inbox.register(secbot_chat::Platform::Teams, Arc::new(webhook::Replies(adapter.clone())));
    Router::new()
        .route("/api/messages", post(webhook::messages))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(adapter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_never_shows_in_debug_output() {
        let options = TeamsOptions::new("app", "very-secret-password", None);
        let shown = format!("{options:?}");
        assert!(!shown.contains("very-secret-password"), "{shown}");
        assert!(shown.contains("app_password: Secret(••••)"), "{shown}");
    }

    #[test]
    fn the_token_url_follows_the_tenant() {
        assert_eq!(
            default_token_url(None),
            "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
        );
        assert_eq!(default_token_url(Some("t-1")), "https://login.microsoftonline.com/t-1/oauth2/v2.0/token");
        assert_eq!(
            TeamsOptions::new("a", "p", Some("t-1".to_owned())).token_url,
            default_token_url(Some("t-1"))
        );
    }
}
