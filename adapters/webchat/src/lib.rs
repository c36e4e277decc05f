//! secbot's web chat: a single page (HTML, CSS and JavaScript embedded in the binary, nothing
//! fetched from elsewhere) and the small JSON API under `/webchat/` that is its adapter. It turns
//! browser requests into the common model and hands them to the same [`Assistant`] the chat
//! platforms use, so every button takes the same action path.
//!
//! The web chat is for local use: the server only mounts it on a loopback address or with a
//! token, which every API call must then carry as `Authorization: Bearer …`.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use secbot_chat::{
    Assistant, AssistantError, Click, Feedback, Origin, Payload, Person, Platform, Prompt, Rating,
    ResponseId, Worker,
};
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;

mod notices;

pub use notices::{BOARD_SIZE, Posted};

const INDEX: &str = include_str!("../assets/index.html");
const APP: &str = include_str!("../assets/app.js");
const STYLE: &str = include_str!("../assets/style.css");

/// The largest request body accepted (a prompt longer than secbot reads still gets an answer
/// saying so).
pub const MAX_BODY: usize = 256 * 1024;

/// How the web chat is set up.
#[derive(Debug, Clone, Default)]
pub struct WebchatOptions {
    /// A token every API call must carry; `None` on loopback.
    pub token: Option<String>,
    /// Prompts suggested on an empty thread.
    pub suggestions: Vec<String>,
    /// Where secbot's data comes from, shown in the page.
    pub source: String,
}

#[derive(Clone)]
struct WebState {
    assistant: Arc<dyn Assistant>,
    options: Arc<WebchatOptions>,
    board: Arc<notices::Board>,
}

/// A request the web chat refuses, as `{"error": "..."}` with a 4xx status.
#[derive(Debug)]
struct Refusal(StatusCode, String);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

impl From<JsonRejection> for Refusal {
    fn from(rejection: JsonRejection) -> Refusal {
        Refusal(
            StatusCode::BAD_REQUEST,
            format!("the request body is not what the web chat sends: {}", rejection.body_text()),
        )
    }
}

/// The web chat: its routes, and the worker that puts secbot's notices on the board its page
/// polls.
pub struct Webchat {
    state: WebState,
}

impl Webchat {
    /// The web chat answering through `assistant`.
    pub fn new(assistant: Arc<dyn Assistant>, options: WebchatOptions) -> Webchat {
        Webchat { state: WebState { assistant, options: Arc::new(options), board: Arc::default() } }
    }

    /// The page at `/`, its assets and the JSON API under `/webchat/`.
    pub fn routes(&self) -> Router {
        router(self.state.clone())
    }

    /// The worker that posts notices for [`secbot_chat::Platform::Webchat`].
    pub fn worker(&self) -> Arc<dyn Worker> {
        Arc::new(notices::Notices {
            board: self.state.board.clone(),
            assistant: self.state.assistant.clone(),
        })
    }
}

fn router(state: WebState) -> Router {
    Router::new()
        .route("/", get(|| async { page(INDEX, "text/html; charset=utf-8") }))
        .route("/webchat/assets/app.js", get(|| async { page(APP, "text/javascript; charset=utf-8") }))
        .route("/webchat/assets/style.css", get(|| async { page(STYLE, "text/css; charset=utf-8") }))
        .route("/webchat/config", get(config))
        .route("/webchat/messages", post(message))
        .route("/webchat/actions", post(action))
        .route("/webchat/feedback", post(feedback))
        .route("/webchat/feedback/{response_id}", get(ratings))
        .route("/webchat/notices", get(notices))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

fn page(body: &'static str, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'"),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

fn safe_id(value: &str) -> bool {
    (1..=64).contains(&value.len())
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Checks the token (when one is set) and reads the browser's user id.
/// True for a `Host` or `Origin` naming this machine by a loopback name (`localhost`,
/// `127.0.0.1`, `[::1]`), with or without a port and scheme.
fn loopback_name(value: &str) -> bool {
    let rest = value.split_once("://").map_or(value, |(_, rest)| rest);
    let host = match rest.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => rest.split([':', '/']).next().unwrap_or_default(),
    };
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn caller(state: &WebState, headers: &HeaderMap) -> Result<Person, Refusal> {
    // Without a token the web chat answers only requests addressed to this machine by a
    // loopback name: a page on another site that rebinds its name to 127.0.0.1, or a tunnel
    // or proxy on this host, reaches it under another name and is refused.
    if state.options.token.is_none() {
        let named = [header::HOST, header::ORIGIN]
            .into_iter()
            .filter_map(|name| headers.get(name))
            .map(|v| v.to_str().unwrap_or_default());
        for value in named {
            if !loopback_name(value) {
                tracing::warn!(
                    name = value,
                    "refused a web chat request addressed by a name other than loopback"
                );
                return Err(Refusal(
                    StatusCode::FORBIDDEN,
                    "this web chat answers only at http://127.0.0.1 or http://localhost; to reach it any other way, set SECBOT_WEBCHAT_TOKEN and open the link with ?token=…".into(),
                ));
            }
        }
    }
    if let Some(token) = &state.options.token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        if !constant_time_eq(given.as_bytes(), token.as_bytes()) {
            return Err(Refusal(
                StatusCode::UNAUTHORIZED,
                "the web chat needs its token; open the link with ?token=… that the server printed".into(),
            ));
        }
    }
    let id = headers.get("x-webchat-user").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !safe_id(id) {
        return Err(Refusal(
            StatusCode::BAD_REQUEST,
            "missing or invalid X-Webchat-User header; reload the page".into(),
        ));
    }
    Ok(Person { id: id.to_owned(), name: "Web chat user".to_owned(), email: None })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn origin(thread: &str, user: Person) -> Result<Origin, Refusal> {
    if !safe_id(thread) {
        return Err(Refusal(
            StatusCode::BAD_REQUEST,
            "the thread id must be 1–64 letters, digits, - or _".into(),
        ));
    }
    Ok(Origin {
        platform: Platform::Webchat,
        tenant: "local".to_owned(),
        channel: "webchat".to_owned(),
        thread: Some(thread.to_owned()),
        message: None,
        user,
        roles: Vec::new(),
        service_url: None,
        time: OffsetDateTime::now_utc(),
    })
}

async fn config(
    State(state): State<WebState>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, Refusal> {
    caller(&state, &headers)?;
    Ok(Json(json!({ "suggestions": state.options.suggestions, "source": state.options.source })))
}

#[derive(Deserialize)]
struct MessageBody {
    thread: String,
    text: String,
}

async fn message(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Result<Json<MessageBody>, JsonRejection>,
) -> Result<Json<serde_json::Value>, Refusal> {
    let user = caller(&state, &headers)?;
    let Json(body) = body?;
    let origin = origin(&body.thread, user)?;
    let reply = state.assistant.answer(Prompt { origin, text: body.text, mentions: Vec::new() }).await;
    Ok(Json(json!({ "reply": reply })))
}

#[derive(Deserialize)]
struct ActionBody {
    thread: String,
    payload: serde_json::Value,
}

async fn action(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Result<Json<ActionBody>, JsonRejection>,
) -> Result<Response, Refusal> {
    let user = caller(&state, &headers)?;
    let Json(body) = body?;
    let origin = origin(&body.thread, user)?;
    let payload: Payload = serde_json::from_value(body.payload).map_err(|e| {
        Refusal(
            StatusCode::BAD_REQUEST,
            format!("this button's data could not be read ({e}); ask the question again"),
        )
    })?;
    let outcome = state.assistant.act(Click { origin, payload }).await;
    Ok(Json(outcome).into_response())
}

#[derive(Deserialize)]
struct FeedbackBody {
    thread: String,
    response_id: String,
    rating: Rating,
    #[serde(default)]
    comment: String,
}

async fn feedback(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Result<Json<FeedbackBody>, JsonRejection>,
) -> Result<Json<serde_json::Value>, Refusal> {
    let user = caller(&state, &headers)?;
    let Json(body) = body?;
    if !safe_id(&body.response_id) {
        return Err(Refusal(StatusCode::BAD_REQUEST, "that response id is not one secbot gave".into()));
    }
    let origin = origin(&body.thread, user)?;
    let feedback = Feedback {
        origin,
        response_id: ResponseId(body.response_id),
        rating: body.rating,
        comment: body.comment,
    };
    state.assistant.comment(feedback).await.map_err(|e| match e {
        AssistantError::Refused(why) => Refusal(StatusCode::FORBIDDEN, why),
        other => Refusal(StatusCode::SERVICE_UNAVAILABLE, other.to_string()),
    })?;
    Ok(Json(json!({ "ok": true })))
}

async fn ratings(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(response_id): Path<String>,
) -> Result<Json<serde_json::Value>, Refusal> {
    let user = caller(&state, &headers)?;
    if !safe_id(&response_id) {
        return Err(Refusal(StatusCode::BAD_REQUEST, "that response id is not one secbot gave".into()));
    }
    // The web chat's own answers only: ratings of a Slack or Teams answer are not its to show.
    let asker = origin("ratings", user)?;
    let stored = state.assistant.ratings(&asker, &ResponseId(response_id)).await.map_err(|e| match e {
        AssistantError::Refused(why) => Refusal(StatusCode::FORBIDDEN, why),
        other => Refusal(StatusCode::SERVICE_UNAVAILABLE, other.to_string()),
    })?;
    let ratings: Vec<serde_json::Value> = stored
        .into_iter()
        .map(|f| json!({ "rating": f.rating, "comment": f.comment, "user": f.origin.user.id }))
        .collect();
    Ok(Json(json!({ "ratings": ratings })))
}

#[derive(Deserialize)]
struct After {
    #[serde(default)]
    after: u64,
}

/// What secbot posted on its own since the page last asked (`?after=` the last `seq` it saw).
async fn notices(
    State(state): State<WebState>,
    headers: HeaderMap,
    after: Result<Query<After>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<serde_json::Value>, Refusal> {
    caller(&state, &headers)?;
    let Query(after) = after.map_err(|e| {
        Refusal(StatusCode::BAD_REQUEST, format!("`after` must be the number of the last notice seen ({e})"))
    })?;
    let (posted, last) = state.board.after(after.after);
    Ok(Json(json!({ "notices": posted, "last": last })))
}

#[cfg(test)]
mod tests;
