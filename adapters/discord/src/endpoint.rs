//! `POST /discord/interactions`: verifies each request, answers within Discord's three seconds
//! and does the rest on the task tracker.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use secbot_chat::{
    Assistant, Click, CommentForm, Feedback, Inbox, Job, Origin, Outcome, Payload, Platform, Reply, Sent,
    Subject, ThreadKey,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use serenity::builder::{CreateActionRow, CreateInputText, CreateInteractionResponse, CreateModal};
use serenity::model::application::InputTextStyle;
use time::OffsetDateTime;
use tokio_util::task::TaskTracker;

use crate::api::Api;
use crate::custom_id::{self, COMMENT_INPUT};
use crate::escape::{fit, plain};
use crate::interaction::{
    APPLICATION_COMMAND, AUTOCOMPLETE, Envelope, Interaction, MESSAGE_COMPONENT, MODAL_SUBMIT, PING,
};
use crate::limits::{INPUT_LABEL, MODAL_TITLE, THREAD_NAME, violations};
use crate::options::DiscordOptions;
use crate::render::{Message, notice, render};
use crate::verify::Verifier;

/// The largest request body accepted; interactions are a few kilobytes.
pub const MAX_BODY: usize = 1024 * 1024;

/// How long a button press may take before it is acknowledged with a deferred update and
/// answered later (Discord invalidates an interaction not answered within three seconds).
pub(crate) const ACK_BUDGET: Duration = Duration::from_millis(2_500);
/// Discord's component type of a button.
const BUTTON: u8 = 2;
/// The longest comment a feedback modal accepts (what secbot stores).
const COMMENT_MAX: u16 = 2_000;

/// What the handler and the Gateway connection share.
pub(crate) struct Shared {
    pub(crate) assistant: Arc<dyn Assistant>,
    pub(crate) inbox: Arc<dyn Inbox>,
    verifier: Verifier,
    pub(crate) api: Api,
    pub(crate) tasks: TaskTracker,
    ack_budget: Duration,
    pub(crate) allowed_guilds: Vec<String>,
}

#[derive(Clone)]
pub(crate) struct Endpoint(pub(crate) Arc<Shared>);

pub(crate) fn routes(endpoint: Endpoint) -> Router {
    Router::new()
        .route("/discord/interactions", post(interactions))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(endpoint)
}

pub(crate) fn endpoint(
    assistant: Arc<dyn Assistant>,
    options: &DiscordOptions,
    tasks: TaskTracker,
    inbox: Arc<dyn Inbox>,
    api: Api,
    ack_budget: Duration,
) -> Endpoint {
    let key = options
        .verifying_key()
        .map_err(|err| tracing::error!(error = %err, "every Discord request will be refused"))
        .ok();
    let shared = Shared {
        assistant,
        inbox,
        verifier: Verifier::new(key),
        api,
        tasks,
        ack_budget,
        allowed_guilds: options.allowed_guilds.clone(),
    };
    Endpoint(Arc::new(shared))
}

/// An interaction body Discord signed with the application's key: the only way the
/// interactions route reads its body, so nothing unsigned is parsed (401 before that).
struct Signed(Bytes);

impl FromRequest<Endpoint> for Signed {
    type Rejection = Response;

    async fn from_request(request: Request, endpoint: &Endpoint) -> Result<Signed, Response> {
        let headers = request.headers().clone();
        let body = Bytes::from_request(request, endpoint).await.map_err(IntoResponse::into_response)?;
        let now = OffsetDateTime::now_utc().unix_timestamp();
        if let Err(why) = endpoint.0.verifier.verify(&headers, &body, now) {
            tracing::debug!(reason = %why, "refused a Discord request");
            return Err(StatusCode::UNAUTHORIZED.into_response());
        }
        Ok(Signed(body))
    }
}

async fn interactions(State(endpoint): State<Endpoint>, Signed(body): Signed) -> Response {
    // The body is parsed once; the type, the interaction and the stored job are read from it.
    let raw: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(raw) => raw,
        Err(err) => return unreadable(&err),
    };
    let kind = match Envelope::deserialize(&raw) {
        Ok(envelope) => envelope.kind,
        Err(err) => return unreadable(&err),
    };
    if kind == PING {
        return ([(header::CONTENT_TYPE, "application/json")], r#"{"type":1}"#).into_response();
    }
    let interaction = match Interaction::deserialize(&raw) {
        Ok(interaction) => interaction,
        Err(err) => return unreadable(&err),
    };
    if !crate::options::admits(&endpoint.0.allowed_guilds, interaction.guild_id.as_deref()) {
        tracing::warn!(
            guild = interaction.guild_id.as_deref().unwrap_or("direct message"),
            "refused an interaction from a server not in SECBOT_DISCORD_ALLOWED_GUILDS"
        );
        return ephemeral("This secbot doesn't serve this server. Ask its administrator to add it.");
    }
    match kind {
        APPLICATION_COMMAND => endpoint.command(interaction, raw).await,
        MESSAGE_COMPONENT => endpoint.component(interaction).await,
        MODAL_SUBMIT => endpoint.modal(interaction).await,
        AUTOCOMPLETE => Json(json!({ "type": 8, "data": { "choices": [] } })).into_response(),
        other => {
            tracing::debug!(kind = other, "an interaction type secbot does not handle");
            (
                StatusCode::BAD_REQUEST,
                Json(json!({ "error": "secbot does not handle this interaction type" })),
            )
                .into_response()
        }
    }
}

fn unreadable(err: &serde_json::Error) -> Response {
    tracing::warn!(error = %err, "a signed Discord interaction could not be read");
    (StatusCode::BAD_REQUEST, Json(json!({ "error": "the interaction could not be read" }))).into_response()
}

/// A command's answer on its way: the interaction as Discord sent it, the reply, and the id of
/// the message once the answer was edited in.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Outgoing {
    interaction: serde_json::Value,
    reply: Reply,
    #[serde(default)]
    shown: Option<String>,
}

/// An ephemeral message of one sentence, as the interaction's answer.
fn ephemeral(text: &str) -> Response {
    Json(CreateInteractionResponse::Message(Message::note(text).response(true))).into_response()
}

/// The answer to a duplicate delivery: acknowledged, nothing changed.
fn already_handled() -> Response {
    Json(json!({ "type": 6 })).into_response()
}

impl Endpoint {
    async fn command(&self, interaction: Interaction, raw: serde_json::Value) -> Response {
        if interaction.asked().is_none() {
            return ephemeral(
                "secbot answers /secbot ask and /secbot help; this command is not one of them. Ask an admin to run secbot manifest discord --register.",
            );
        }
        if interaction.person().is_none() || interaction.channel_id().is_none() {
            return ephemeral("secbot could not tell who asked or where; try again in a channel or a DM.");
        }
        let job =
            Job { platform: Platform::Discord, key: format!("discord:{}", interaction.id), payload: raw };
        match self.0.inbox.accept(job).await {
            Ok(new) => {
                if !new {
                    tracing::debug!(interaction = %interaction.id, "duplicate Discord command ignored");
                }
                Json(json!({ "type": 5 })).into_response()
            }
            Err(err) => ephemeral(&err.to_string()),
        }
    }

    /// The answer to a stored command, and what to do with it.
    pub(crate) async fn answer_command(&self, raw: serde_json::Value) -> Option<Outgoing> {
        let interaction = Interaction::deserialize(&raw)
            .inspect_err(|err| tracing::error!(error = %err, "a stored Discord command is unreadable"))
            .ok()?;
        let asked = interaction.asked()?;
        let origin = interaction.origin()?;
        let reply = self.0.assistant.answer(interaction.prompt(origin, &asked)).await;
        Some(Outgoing { interaction: raw, reply, shown: None })
    }

    /// Edits a queued answer into the deferred response (again, while Discord fails), then
    /// starts a thread for a list and tells its owners.
    pub(crate) async fn send_command(&self, mut outgoing: Outgoing) -> Sent {
        let shared = &self.0;
        let Ok(interaction) = Interaction::deserialize(&outgoing.interaction) else {
            return Sent::Failed("a stored Discord command is unreadable".to_owned());
        };
        let Some(origin) = interaction.origin() else {
            return Sent::Failed("a stored Discord command has no origin".to_owned());
        };
        let reply = &outgoing.reply;
        let message = match outgoing.shown.clone() {
            Some(message) => message,
            None => match self.edit_card(&interaction.token, reply).await {
                Ok(message) => message,
                Err(err) if err.is_transient() => {
                    let reason = err.to_string();
                    return match serde_json::to_value(&outgoing) {
                        Ok(rest) => Sent::Retry { after: None, reason, rest },
                        Err(_) => Sent::Failed(reason),
                    };
                }
                Err(err) => {
                    tracing::warn!(error = %err, response_id = %reply.response_id, "the card was refused; sending it as text");
                    match self.edit_note(&interaction.token, &reply.text).await {
                        Some(message) => message,
                        None => return Sent::Failed(err.to_string()),
                    }
                }
            },
        };
        outgoing.shown = Some(message.clone());
        let is_list = matches!(&reply.subject, Some(Subject::List { items, .. }) if !items.is_empty());
        if interaction.in_server_channel() && is_list && shared.api.has_bot_token() && !message.is_empty() {
            self.start_thread(&origin, &message, &reply.card.title).await;
        }
        self.notify(&interaction.token, reply).await;
        Sent::Done
    }

    /// Starts a thread from a list posted in a channel and carries the channel's context (the
    /// list just shown) into it, so follow-ups asked in the thread resolve against the list.
    async fn start_thread(&self, origin: &Origin, message: &str, title: &str) {
        let shared = &self.0;
        let name = fit(&plain(&title.replace(['\n', '\r'], " ")), THREAD_NAME);
        if let Err(err) = shared.api.start_thread(&origin.channel, message, &name).await {
            tracing::warn!(error = %err, "could not start a thread for the list's follow-ups");
            return;
        }
        let from = origin.thread_key();
        let to = ThreadKey { thread: message.to_owned(), ..from.clone() };
        if let Err(err) = shared.assistant.continue_thread(&from, &to).await {
            tracing::warn!(error = %err, thread = %to, "the new thread starts without the list's context");
        }
    }

    /// Edits a reply's card into the deferred answer; the message's id.
    async fn edit_card(&self, token: &str, reply: &Reply) -> Result<String, crate::api::ApiError> {
        let body = render(reply).edit();
        if let Ok(value) = serde_json::to_value(&body) {
            let broken = violations(&value);
            if !broken.is_empty() {
                tracing::error!(response_id = %reply.response_id, limits = ?broken, "a rendered card breaks Discord's limits");
            }
        }
        self.0.api.edit_original(token, &body, reply.card.chart.as_ref()).await
    }

    async fn edit_note(&self, token: &str, text: &str) -> Option<String> {
        match self.0.api.edit_original(token, &Message::note(text).edit(), None).await {
            Ok(id) => Some(id),
            Err(err) => {
                tracing::error!(error = %err, "could not answer a Discord command");
                None
            }
        }
    }

    /// Tells each owner the reply has a message for, pinging only them, in the interaction's
    /// channel or thread.
    async fn notify(&self, token: &str, reply: &Reply) {
        for message in &reply.direct {
            if let Err(err) = self.0.api.follow_up(token, &notice(message, reply).follow_up(false)).await {
                tracing::warn!(error = %err, "could not tell the owner about their assignment");
            }
        }
    }

    /// Claims an interaction answered in the HTTP response: `Err` carries the answer to give
    /// instead when it was already handled or the store is down.
    async fn claim(&self, interaction: &Interaction) -> Result<(), Response> {
        match self.0.assistant.claim(Platform::Discord, &interaction.id).await {
            Ok(true) => Ok(()),
            Ok(false) => {
                tracing::debug!(interaction = %interaction.id, "duplicate Discord interaction ignored");
                Err(already_handled())
            }
            Err(err) => Err(ephemeral(&err.to_string())),
        }
    }

    async fn component(&self, interaction: Interaction) -> Response {
        if let Err(answer) = self.claim(&interaction).await {
            return answer;
        }
        if interaction.data.component_type != Some(BUTTON) {
            return ephemeral(
                "secbot's cards only have buttons; ask the question again to get a fresh card.",
            );
        }
        let payload = match self.payload(interaction.data.custom_id.as_deref().unwrap_or_default()).await {
            Ok(payload) => payload,
            Err(why) => return ephemeral(&why),
        };
        let Some(origin) = interaction.origin() else {
            return ephemeral("secbot could not tell who pressed the button or where.");
        };
        let assistant = self.0.assistant.clone();
        let mut acting = self.0.tasks.spawn(async move { assistant.act(Click { origin, payload }).await });
        match tokio::time::timeout(self.0.ack_budget, &mut acting).await {
            Ok(Ok(outcome)) => self.respond(&interaction, outcome),
            Ok(Err(err)) => {
                tracing::error!(error = %err, "a button press failed");
                ephemeral("secbot hit a problem with that button; please try again.")
            }
            Err(_) => {
                let endpoint = self.clone();
                self.0.tasks.spawn(async move {
                    if let Ok(outcome) = acting.await {
                        endpoint.answer_late(&interaction, outcome).await;
                    }
                });
                already_handled()
            }
        }
    }

    async fn payload(&self, custom_id: &str) -> Result<Payload, String> {
        let button = custom_id::read_button(custom_id).map_err(|e| e.to_string())?;
        self.0.assistant.payload_of(button).await
    }

    /// The HTTP answer to a button press.
    fn respond(&self, interaction: &Interaction, outcome: Outcome) -> Response {
        match outcome {
            Outcome::Reply(reply) => {
                self.spawn_notify(interaction, &reply);
                let data = render(&reply).response(reply.ephemeral);
                Json(CreateInteractionResponse::Message(data)).into_response()
            }
            Outcome::Replace(reply) => {
                self.spawn_notify(interaction, &reply);
                Json(CreateInteractionResponse::UpdateMessage(render(&reply).response(false))).into_response()
            }
            Outcome::Comment(form) => match modal(&form) {
                Some(modal) => Json(CreateInteractionResponse::Modal(modal)).into_response(),
                None => ephemeral("Thanks for the feedback."),
            },
        }
    }

    fn spawn_notify(&self, interaction: &Interaction, reply: &Reply) {
        if reply.direct.is_empty() {
            return;
        }
        let endpoint = self.clone();
        let token = interaction.token.clone();
        let reply = reply.clone();
        self.0.tasks.spawn(async move { endpoint.notify(&token, &reply).await });
    }

    /// Answers a button press that was acknowledged with a deferred update because it took
    /// too long.
    async fn answer_late(&self, interaction: &Interaction, outcome: Outcome) {
        let api = &self.0.api;
        let token = &interaction.token;
        let (sent, reply) = match outcome {
            Outcome::Replace(reply) => (
                api.edit_original(token, &render(&reply).edit(), reply.card.chart.as_ref()).await,
                Some(reply),
            ),
            Outcome::Reply(reply) => {
                (api.follow_up(token, &render(&reply).follow_up(reply.ephemeral)).await, Some(reply))
            }
            Outcome::Comment(_) => {
                let note =
                    Message::note("Thanks, your rating is saved. Press the button again to add a few words.");
                (api.follow_up(token, &note.follow_up(true)).await, None)
            }
        };
        if let Err(err) = sent {
            tracing::warn!(error = %err, "could not answer a slow button press");
        }
        if let Some(reply) = reply {
            self.notify(token, &reply).await;
        }
    }

    async fn modal(&self, interaction: Interaction) -> Response {
        if let Err(answer) = self.claim(&interaction).await {
            return answer;
        }
        let (response_id, rating) =
            match custom_id::read_modal(interaction.data.custom_id.as_deref().unwrap_or_default()) {
                Ok(read) => read,
                Err(err) => return ephemeral(&err.to_string()),
            };
        let Some(origin) = interaction.origin() else {
            return ephemeral("secbot could not tell who sent the feedback.");
        };
        let comment = interaction.comment(COMMENT_INPUT);
        match self.0.assistant.comment(Feedback { origin, response_id, rating, comment }).await {
            Ok(()) => ephemeral("Thanks, your feedback is saved."),
            Err(err) => ephemeral(&err.to_string()),
        }
    }
}

/// The feedback modal for a rating: one paragraph for a few words.
fn modal(form: &CommentForm) -> Option<CreateModal> {
    let id = custom_id::modal(&form.response_id, form.rating)?;
    let input = CreateInputText::new(
        InputTextStyle::Paragraph,
        fit(&plain(&form.question), INPUT_LABEL),
        COMMENT_INPUT,
    )
    .required(false)
    .max_length(COMMENT_MAX)
    .placeholder("A few words help secbot improve (optional)");
    Some(
        CreateModal::new(id, fit(&plain(&form.title), MODAL_TITLE))
            .components(vec![CreateActionRow::InputText(input)]),
    )
}

#[cfg(test)]
mod tests;
