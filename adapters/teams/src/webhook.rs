//! `POST /api/messages`: verify the token, drop duplicates, then answer — a message at once with
//! the reply sent from a task, a card action in the HTTP response (Teams waits at most a few
//! seconds for it), the bot's installation with a welcome card.

mod announce;

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use secbot_chat::delivery::Backoff;
use secbot_chat::{
    Assistant, ButtonRef, Click, Command, CommentForm, DirectMessage, Feedback, Inbox, Job, Notice, Outcome,
    Payload, Person, Platform, Prompt, Reply, ResponseId, Sent, Worker,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio_util::task::TaskTracker;

use crate::TeamsOptions;
use crate::activity::{Activity, split_thread};
use crate::auth::{AuthError, Verifier};
use crate::connector::Connector;
use crate::limits::SUMMARY_CHARS;
use crate::markdown::shorten;
use crate::mentions;
use crate::render::{
    DATA_BUTTON, DATA_PAYLOAD, DATA_REPLY, comment_input_id, render_card, render_comment_form,
};
use crate::token::Tokens;

/// The content type of an Adaptive Card attachment and of an invoke response that replaces a card.
const CARD_TYPE: &str = "application/vnd.microsoft.card.adaptive";

/// The content type of an invoke response that shows a short message.
const MESSAGE_TYPE: &str = "application/vnd.microsoft.activity.message";

/// What the adapter shares between requests and the tasks they start.
pub(crate) struct Adapter {
    assistant: Arc<dyn Assistant>,
    verifier: Verifier,
    connector: Connector,
    tasks: TaskTracker,
    inbox: Arc<dyn Inbox>,
    /// The tenants answered (the single tenant and the allowed ones); empty: any.
    tenants: Vec<String>,
}

/// What a card action came to, before it is delivered.
enum Handled {
    /// Replace the clicked card.
    Replace(Reply),
    /// Post a new reply in the card's thread.
    Post(Reply),
    /// Show a short message to the person who clicked.
    Note(String),
    /// Ask for a comment with a form.
    Form(CommentForm),
}

impl Adapter {
    /// The adapter for one bot.
    pub(crate) fn new(
        assistant: Arc<dyn Assistant>,
        options: TeamsOptions,
        tasks: TaskTracker,
        inbox: Arc<dyn Inbox>,
    ) -> Adapter {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        let openid_url = if options.openid_url.trim().is_empty() {
            crate::DEFAULT_OPENID_URL.to_owned()
        } else {
            options.openid_url.clone()
        };
        let token_url = if options.token_url.trim().is_empty() {
            crate::default_token_url(options.tenant_id.as_deref())
        } else {
            options.token_url.clone()
        };
        let tokens = Tokens::new(
            http.clone(),
            token_url,
            options.app_id.clone(),
            options.app_password.expose().to_owned(),
            Backoff::default(),
        );
        let connector =
            Connector::new(http.clone(), tokens, &options.allowed_service_urls, Backoff::default());
        let tenants = options.tenant_id.iter().chain(&options.allowed_tenants).cloned().collect();
        Adapter {
            assistant,
            verifier: Verifier::new(http, options.app_id, openid_url),
            connector,
            tasks,
            inbox,
            tenants,
        }
    }

    /// True when secbot answers the activity's tenant; an activity without one is answered
    /// only when no tenant is configured.
    fn admits(&self, activity: &Activity) -> bool {
        if self.tenants.is_empty() {
            return true;
        }
        let tenant = activity.tenant().unwrap_or_default();
        self.tenants.iter().any(|t| t.eq_ignore_ascii_case(tenant))
    }

    /// `None` for the first delivery of an activity (claimed by conversation and id, across
    /// replicas); for a retry or duplicate, the `duplicate` answer; 503 when the store cannot tell.
    async fn repeated(&self, activity: &Activity, duplicate: impl FnOnce() -> Response) -> Option<Response> {
        let key = dedupe_key(activity)?;
        match self.assistant.claim(Platform::Teams, &key).await {
            Ok(true) => None,
            Ok(false) => Some(duplicate()),
            Err(err) => {
                tracing::warn!(error = %err, "could not record the activity id; asking Teams to retry");
                Some(error(StatusCode::SERVICE_UNAVAILABLE, &err.to_string()))
            }
        }
    }

    async fn message(self: &Arc<Self>, activity: Activity, raw: Value) -> Response {
        if let Some(value) = activity.value.as_ref() {
            if is_card_data(value) {
                return self.submit(activity, raw).await;
            }
            if activity.text.as_deref().is_none_or(|t| t.trim().is_empty()) {
                return StatusCode::OK.into_response();
            }
        }
        // An activity without an id cannot be told from its retries; it is answered each time.
        let key = dedupe_key(&activity).unwrap_or_else(|| format!("teams:unnamed:{}", unique_suffix()));
        match self.inbox.accept(Job { platform: Platform::Teams, key, payload: raw }).await {
            Ok(_) => StatusCode::OK.into_response(),
            Err(err) => {
                tracing::warn!(error = %err, "could not record the activity; asking Teams to retry");
                error(StatusCode::SERVICE_UNAVAILABLE, &err.to_string())
            }
        }
    }

    /// The reply to a stored message; mentioned people get their email from the roster.
    async fn answer(&self, activity: &Activity) -> Reply {
        let (text, mut mentioned) = mentions::read(activity);
        for person in &mut mentioned {
            if let Some(member) = self.member(activity, &person.id).await {
                person.email = member.address();
            }
        }
        let prompt = Prompt { origin: activity.origin(), text, mentions: mentioned };
        self.assistant.answer(prompt).await
    }

    /// Posts the pages of a queued reply not posted yet, then its direct messages.
    async fn send_queued(&self, mut outgoing: Outgoing) -> Sent {
        let Ok(activity) = Activity::deserialize(&outgoing.activity) else {
            return Sent::Failed("a stored Teams activity is unreadable".to_owned());
        };
        let reply = &outgoing.reply;
        let service_url = activity.service_url.as_deref().unwrap_or_default();
        let pages = render_card(&reply.card, Some(&reply.response_id));
        for page in pages.into_iter().skip(outgoing.posted) {
            let message = card_message(page, &reply.card.title, reply_to(&activity));
            if let Err(err) = self.connector.send(service_url, activity.conversation_id(), &message).await {
                let reason = err.to_string();
                if !err.is_transient() {
                    tracing::warn!(error = %err, "a Teams reply was refused");
                    return Sent::Failed(reason);
                }
                return match serde_json::to_value(&outgoing) {
                    Ok(rest) => Sent::Retry { after: None, reason, rest },
                    Err(_) => Sent::Failed(reason),
                };
            }
            outgoing.posted += 1;
        }
        self.send_direct(&activity, &reply.direct).await;
        Sent::Done
    }

    async fn member(&self, activity: &Activity, user: &str) -> Option<crate::connector::Member> {
        let service_url = activity.service_url.as_deref().unwrap_or_default();
        let scope = activity.team().unwrap_or_else(|| split_thread(activity.conversation_id()).0);
        match self.connector.member(service_url, scope, user).await {
            Ok(member) => Some(member),
            Err(err) => {
                tracing::info!(error = %err, "could not look up a conversation member");
                None
            }
        }
    }

    async fn invoke(self: &Arc<Self>, activity: Activity, raw: Value) -> Response {
        if activity.name.as_deref() != Some("adaptiveCard/action") {
            return StatusCode::NOT_IMPLEMENTED.into_response();
        }
        if let Some(answer) = self.repeated(&activity, || toast("That was already done.")).await {
            return answer;
        }
        let data = activity
            .value
            .as_ref()
            .and_then(|v| v.get("action"))
            .and_then(|a| a.get("data"))
            .cloned()
            .unwrap_or(Value::Null);
        match self.click(&activity, &data).await {
            Handled::Replace(reply) => {
                let first = render_card(&reply.card, Some(&reply.response_id)).into_iter().next();
                // The first page goes back in the response; the rest and the direct messages are
                // queued, so they go out (again and again while Teams fails) even after a restart.
                self.queue_reply(&activity, raw, reply, 1).await;
                invoke_response(
                    json!({"statusCode": 200, "type": CARD_TYPE, "value": first.unwrap_or_else(|| json!({}))}),
                )
            }
            Handled::Post(reply) => {
                let title = reply.card.title.clone();
                self.queue_reply(&activity, raw, reply, 0).await;
                toast(&format!("Answered in the conversation: {}", shorten(&title, 120)))
            }
            Handled::Note(text) => toast(&text),
            Handled::Form(form) => {
                let adapter = self.clone();
                self.tasks.spawn(async move { adapter.post_form(&activity, &form).await });
                toast("Tell secbot more in the form below.")
            }
        }
    }

    /// A card submitted with `Action.Submit` (older clients): handled at once so a rating is
    /// stored before Teams hears back; a reply it leads to is queued before then too, and the
    /// rest (a card updated in place, a note, the comment form) is shown from a task.
    async fn submit(self: &Arc<Self>, activity: Activity, raw: Value) -> Response {
        if let Some(answer) = self.repeated(&activity, || StatusCode::OK.into_response()).await {
            return answer;
        }
        let data = activity.value.clone().unwrap_or(Value::Null);
        match self.click(&activity, &data).await {
            Handled::Post(reply) => self.queue_reply(&activity, raw, reply, 0).await,
            handled => {
                let adapter = self.clone();
                self.tasks.spawn(async move { adapter.show(&activity, handled).await });
            }
        }
        StatusCode::OK.into_response()
    }

    /// Shows what a submitted card led to, at once: the card updated in place (or posted where
    /// the activity does not name it), a reply, a note or the comment form.
    async fn show(&self, activity: &Activity, handled: Handled) {
        match handled {
            Handled::Replace(reply) => {
                let mut pages = render_card(&reply.card, Some(&reply.response_id)).into_iter();
                let replaced = match (pages.next(), activity.reply_to_id.as_deref()) {
                    (Some(first), Some(card_id)) => {
                        let update = card_message(first, &reply.card.title, None);
                        self.update(activity, card_id, &update).await
                    }
                    (Some(first), None) => {
                        self.post_pages(activity, &reply.card.title, vec![first]).await;
                        true
                    }
                    (None, _) => true,
                };
                if replaced {
                    self.post_pages(activity, &reply.card.title, pages.collect()).await;
                }
                self.send_direct(activity, &reply.direct).await;
            }
            Handled::Post(reply) => {
                self.post(activity, &reply).await;
                self.send_direct(activity, &reply.direct).await;
            }
            Handled::Note(text) => self.send(activity, &text_message(&text)).await,
            Handled::Form(form) => self.post_form(activity, &form).await,
        }
    }

    /// Runs a card action through the assistant: a rating with its comment is stored directly,
    /// anything else takes the shared action path.
    async fn click(&self, activity: &Activity, data: &Value) -> Handled {
        let payload = match self.payload(data).await {
            Ok(payload) => payload,
            Err(problem) => return Handled::Note(problem),
        };
        let origin = activity.origin();
        if let Command::Rate { rating } = payload.command
            && let Some(comment) = data.get(comment_input_id(rating))
        {
            let comment = comment.as_str().unwrap_or_default().to_owned();
            let feedback = Feedback { origin, response_id: payload.response_id, rating, comment };
            return match self.assistant.comment(feedback).await {
                Ok(()) => Handled::Note("Thanks for the feedback; it was saved.".to_owned()),
                Err(err) => Handled::Note(err.to_string()),
            };
        }
        match self.assistant.act(Click { origin, payload }).await {
            Outcome::Replace(reply) => Handled::Replace(reply),
            Outcome::Reply(reply) if reply.ephemeral => Handled::Note(shorten(&reply.text, 300)),
            Outcome::Reply(reply) => Handled::Post(reply),
            Outcome::Comment(form) => Handled::Form(form),
        }
    }

    /// The payload a button carries, or the one it refers to in the store.
    async fn payload(&self, data: &Value) -> Result<Payload, String> {
        if let Some(text) = data.get(DATA_PAYLOAD).and_then(Value::as_str) {
            return Payload::decode(text).map_err(|e| e.to_string());
        }
        let reply = data.get(DATA_REPLY).and_then(Value::as_str);
        let index = data.get(DATA_BUTTON).and_then(Value::as_u64).and_then(|i| usize::try_from(i).ok());
        if let (Some(reply), Some(index)) = (reply, index) {
            let button = ButtonRef::Stored { response_id: ResponseId(reply.to_owned()), index };
            return self.assistant.payload_of(button).await;
        }
        Err("That button isn't one of secbot's; ask the question again to get a fresh card.".to_owned())
    }

    async fn conversation_update(self: &Arc<Self>, activity: Activity) -> Response {
        if !activity.adds_the_bot() {
            return StatusCode::OK.into_response();
        }
        if let Some(answer) = self.repeated(&activity, || StatusCode::OK.into_response()).await {
            return answer;
        }
        let adapter = self.clone();
        self.tasks.spawn(async move {
            let prompt = Prompt { origin: activity.origin(), text: "help".to_owned(), mentions: Vec::new() };
            let reply = adapter.assistant.answer(prompt).await;
            adapter.post(&activity, &reply).await;
        });
        StatusCode::OK.into_response()
    }

    /// Posts a reply's card (all its pages) into the activity's conversation or thread.
    /// Queues what a card action answered (its pages from `posted` on, then its direct
    /// messages) to be sent like any reply; where the store cannot take it, it is sent at once.
    async fn queue_reply(self: &Arc<Self>, activity: &Activity, raw: Value, reply: Reply, posted: usize) {
        let key = format!(
            "{}:answer",
            dedupe_key(activity).unwrap_or_else(|| format!("teams:unnamed:{}", unique_suffix()))
        );
        let outgoing = Outgoing { activity: raw, reply, posted };
        let payload = match serde_json::to_value(&outgoing) {
            Ok(answered) => json!({ ANSWERED: answered }),
            Err(err) => {
                tracing::error!(error = %err, "a card action's answer could not be queued");
                return;
            }
        };
        if let Err(err) = self.inbox.accept(Job { platform: Platform::Teams, key, payload }).await {
            tracing::warn!(error = %err, "could not queue a card action's answer; sending it now");
            let adapter = self.clone();
            let activity = activity.clone();
            self.tasks.spawn(async move {
                let Outgoing { reply, posted, .. } = outgoing;
                let pages =
                    render_card(&reply.card, Some(&reply.response_id)).into_iter().skip(posted).collect();
                adapter.post_pages(&activity, &reply.card.title, pages).await;
                adapter.send_direct(&activity, &reply.direct).await;
            });
        }
    }

    async fn post(&self, activity: &Activity, reply: &Reply) {
        let pages = render_card(&reply.card, Some(&reply.response_id));
        self.post_pages(activity, &reply.card.title, pages).await;
    }

    async fn post_pages(&self, activity: &Activity, title: &str, pages: Vec<Value>) {
        for page in pages {
            self.send(activity, &card_message(page, title, reply_to(activity))).await;
        }
    }

    async fn post_form(&self, activity: &Activity, form: &CommentForm) {
        self.send(activity, &card_message(render_comment_form(form), &form.title, reply_to(activity))).await;
    }

    async fn send(&self, activity: &Activity, message: &Value) {
        let service_url = activity.service_url.as_deref().unwrap_or_default();
        if let Err(err) = self.connector.send(service_url, activity.conversation_id(), message).await {
            tracing::warn!(error = %err, "a Teams reply was not delivered");
        }
    }

    async fn update(&self, activity: &Activity, card_id: &str, message: &Value) -> bool {
        let service_url = activity.service_url.as_deref().unwrap_or_default();
        match self.connector.update(service_url, activity.conversation_id(), card_id, message).await {
            Ok(()) => true,
            Err(err) => {
                tracing::warn!(error = %err, "a Teams card was not updated");
                false
            }
        }
    }

    /// Sends each direct message to its person in a 1:1 chat with the bot.
    async fn send_direct(&self, activity: &Activity, direct: &[DirectMessage]) {
        let service_url = activity.service_url.as_deref().unwrap_or_default();
        let bot = activity.recipient.as_ref().map_or_else(
            || json!({"id": ""}),
            |r| json!({"id": r.id, "name": r.name.clone().unwrap_or_default()}),
        );
        for message in direct {
            let Some(user) = self.teams_user(activity, &message.to).await else {
                tracing::warn!(to = %message.to.name, "no Teams account found for a direct message; not sent");
                continue;
            };
            match self.connector.personal_chat(service_url, &bot, &user, activity.tenant()).await {
                Ok(chat) => {
                    for page in render_card(&message.card, None) {
                        let body = card_message(page, &message.card.title, None);
                        if let Err(err) = self.connector.send(service_url, &chat, &body).await {
                            tracing::warn!(error = %err, "a direct message was not delivered");
                        }
                    }
                }
                Err(err) => tracing::warn!(error = %err, "could not open a 1:1 chat for a direct message"),
            }
        }
    }

    /// The Teams user id (`29:…`) of a person: theirs when they were mentioned, else found
    /// among the conversation's members by Azure AD object id or email address.
    async fn teams_user(&self, activity: &Activity, person: &Person) -> Option<String> {
        if person.id.starts_with("29:") {
            return Some(person.id.clone());
        }
        let by_id = crate::activity::is_guid(&person.id).then_some(person.id.as_str());
        for key in by_id.into_iter().chain(person.email.as_deref()) {
            if let Some(member) = self.member(activity, key).await.filter(|m| !m.id.is_empty()) {
                return Some(member.id);
            }
        }
        None
    }
}

/// The message a reply answers: the asker's message; clicks and installs answer none.
fn reply_to(activity: &Activity) -> Option<&str> {
    (activity.kind == "message" && activity.value.is_none()).then_some(activity.id.as_deref()).flatten()
}

/// Whether a card submit's value is secbot's button data.
fn is_card_data(value: &Value) -> bool {
    value.get(DATA_PAYLOAD).is_some() || value.get(DATA_REPLY).is_some()
}

/// An outbound message holding one card.
pub(crate) fn card_message(card: Value, summary: &str, reply_to: Option<&str>) -> Value {
    let mut message = json!({
        "type": "message",
        "summary": shorten(summary, SUMMARY_CHARS),
        "attachments": [{"contentType": CARD_TYPE, "content": card}],
    });
    if let Some(id) = reply_to {
        message["replyToId"] = json!(id);
    }
    message
}

fn text_message(text: &str) -> Value {
    json!({"type": "message", "textFormat": "plain", "text": text})
}

fn invoke_response(body: Value) -> Response {
    (StatusCode::OK, Json(body)).into_response()
}

fn toast(text: &str) -> Response {
    invoke_response(json!({"statusCode": 200, "type": MESSAGE_TYPE, "value": text}))
}

fn error(status: StatusCode, text: &str) -> Response {
    (status, Json(json!({"error": text}))).into_response()
}

/// An activity the Bot Framework vouches for: a valid token for this bot, whose `serviceUrl`
/// and channel match the activity, calling back only an allowed `serviceUrl`, from a tenant
/// secbot serves. The only way `/api/messages` reads its body, so nothing else is parsed.
pub(crate) struct Authenticated(Activity, Value);

impl FromRequest<Arc<Adapter>> for Authenticated {
    type Rejection = Response;

    async fn from_request(request: Request, adapter: &Arc<Adapter>) -> Result<Authenticated, Response> {
        let authorization =
            request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let verified = match Verifier::bearer(authorization.as_deref()) {
            Ok(token) => adapter.verifier.verify(token).await,
            Err(err) => Err(err),
        };
        let verified = verified.map_err(|err| refuse(&err))?;
        let body = Bytes::from_request(request, adapter).await.map_err(IntoResponse::into_response)?;
        let not_an_activity = || error(StatusCode::BAD_REQUEST, "the body is not a Bot Framework activity");
        let raw: Value = serde_json::from_slice(&body).map_err(|_| not_an_activity())?;
        let activity = Activity::deserialize(&raw).map_err(|_| not_an_activity())?;
        verified
            .check_activity(activity.service_url.as_deref(), activity.channel_id.as_deref())
            .map_err(|err| refuse(&err))?;
        let service_url = activity.service_url.as_deref().unwrap_or_default();
        if !adapter.connector.allows(service_url) {
            tracing::warn!(
                service_url,
                "refusing an activity whose serviceUrl is not allowed; add its prefix to SECBOT_TEAMS_ALLOWED_SERVICE_URLS if it is a Microsoft host"
            );
            return Err(error(
                StatusCode::FORBIDDEN,
                "the activity's serviceUrl is not on this bot's allow-list",
            ));
        }
        if !adapter.admits(&activity) {
            tracing::warn!(
                tenant = activity.tenant().unwrap_or_default(),
                "refused an activity from a tenant not in SECBOT_TEAMS_TENANT_ID or SECBOT_TEAMS_ALLOWED_TENANTS"
            );
            return Err(error(StatusCode::FORBIDDEN, "this bot does not serve that tenant"));
        }
        Ok(Authenticated(activity, raw))
    }
}

/// The dedupe key of an activity: its conversation and id (Teams repeats message ids across
/// conversations, never within one).
fn dedupe_key(activity: &Activity) -> Option<String> {
    let id = activity.id.as_deref().filter(|id| !id.is_empty())?;
    Some(format!("teams:{}:{id}", activity.conversation_id()))
}

/// A suffix no other key has, for activities without an id.
fn unique_suffix() -> String {
    let now = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    format!("{now}-{}", std::process::id())
}

/// The key of a queued job that carries a card action's answer, already made, to be sent.
const ANSWERED: &str = "answered";

/// A reply on its way to Teams: the activity it answers (as Teams sent it), the reply, and how
/// many of its card's pages went out.
#[derive(Debug, Serialize, Deserialize)]
struct Outgoing {
    activity: Value,
    reply: Reply,
    #[serde(default)]
    posted: usize,
}

/// The Teams side of the queue: answers stored messages and posts the replies.
pub(crate) struct Replies(pub(crate) Arc<Adapter>);

#[async_trait::async_trait]
impl Worker for Replies {
    async fn answer(&self, payload: Value) -> Option<Value> {
        if let Some(notice) = Notice::in_payload(&payload) {
            let notice = notice
                .inspect_err(
                    |err| tracing::error!(error = %err, "a stored notice is unreadable; it is not posted"),
                )
                .ok()?;
            return serde_json::to_value(announce::Announcing::of(notice)).ok();
        }
        if let Some(answered) = payload.get(ANSWERED) {
            return Some(answered.clone());
        }
        let activity = Activity::deserialize(&payload)
            .inspect_err(|err| tracing::error!(error = %err, "a stored Teams activity is unreadable"))
            .ok()?;
        let reply = self.0.answer(&activity).await;
        serde_json::to_value(Outgoing { activity: payload, reply, posted: 0 }).ok()
    }

    async fn send(&self, outgoing: Value) -> Sent {
        if outgoing.get("notice").is_some() {
            return match serde_json::from_value::<announce::Announcing>(outgoing) {
                Ok(announcing) => self.0.announce(announcing).await,
                Err(err) => Sent::Failed(format!("a stored notice is unreadable: {err}")),
            };
        }
        match serde_json::from_value::<Outgoing>(outgoing) {
            Ok(outgoing) => self.0.send_queued(outgoing).await,
            Err(err) => Sent::Failed(format!("a stored reply is unreadable: {err}")),
        }
    }
}

/// The `/api/messages` handler.
pub(crate) async fn messages(
    State(adapter): State<Arc<Adapter>>,
    Authenticated(activity, raw): Authenticated,
) -> Response {
    tracing::debug!(kind = %activity.kind, id = activity.id.as_deref().unwrap_or_default(), "Teams activity");
    match activity.kind.as_str() {
        "message" => adapter.message(activity, raw).await,
        "invoke" => adapter.invoke(activity, raw).await,
        "conversationUpdate" => adapter.conversation_update(activity).await,
        _ => StatusCode::OK.into_response(),
    }
}

fn refuse(err: &AuthError) -> Response {
    tracing::info!(problem = %err, "refused a Teams request");
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::UNAUTHORIZED);
    error(status, &err.to_string())
}
