//! Slack, as tests meet it: requests signed the way Slack signs them, payload fixtures shaped
//! like Slack's, and the Web API as a wiremock server that answers every method secbot calls.
//! Compiled for this crate's tests and, with the `testing` feature, for other crates' tests.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// Payloads Slack sends secbot and answers its Web API gives, as files in `fixtures/`.
pub mod fixtures {
    /// An `app_mention` event at a channel's top level.
    pub const APP_MENTION: &str = include_str!("../fixtures/app_mention.json");
    /// A `message` event in a thread, without a mention.
    pub const MESSAGE_IN_THREAD: &str = include_str!("../fixtures/message_in_thread.json");
    /// A `message` event in a direct message.
    pub const MESSAGE_IM: &str = include_str!("../fixtures/message_im.json");
    /// The `url_verification` handshake.
    pub const URL_VERIFICATION: &str = include_str!("../fixtures/url_verification.json");
    /// A `block_actions` click on a message in a thread.
    pub const BLOCK_ACTIONS: &str = include_str!("../fixtures/block_actions.json");
    /// A `view_submission` of the feedback modal.
    pub const VIEW_SUBMISSION: &str = include_str!("../fixtures/view_submission.json");
    /// A `/secbot` slash command, form-encoded.
    pub const SLASH_COMMAND: &str = include_str!("../fixtures/slash_command.txt");
    /// `chat.postMessage`'s answer.
    pub const CHAT_POST_MESSAGE: &str = include_str!("../fixtures/api/chat.postMessage.json");
    /// `chat.update`'s answer.
    pub const CHAT_UPDATE: &str = include_str!("../fixtures/api/chat.update.json");
    /// `users.info`'s answer.
    pub const USERS_INFO: &str = include_str!("../fixtures/api/users.info.json");
    /// `users.lookupByEmail`'s answer.
    pub const USERS_LOOKUP_BY_EMAIL: &str = include_str!("../fixtures/api/users.lookupByEmail.json");
    /// `conversations.open`'s answer.
    pub const CONVERSATIONS_OPEN: &str = include_str!("../fixtures/api/conversations.open.json");
    /// `views.open`'s answer.
    pub const VIEWS_OPEN: &str = include_str!("../fixtures/api/views.open.json");
    /// `oauth.v2.access`'s answer.
    pub const OAUTH_V2_ACCESS: &str = include_str!("../fixtures/api/oauth.v2.access.json");
    /// A bare `{"ok": true}`.
    pub const OK: &str = include_str!("../fixtures/api/ok.json");
}

/// The people of the test workspace: user id, display name, email.
pub const PEOPLE: [(&str, &str, &str); 3] = [
    ("U0RAJ", "raj", "raj@contoso.com"),
    ("U0DANA", "Dana Whitfield", "dana@contoso.com"),
    ("U0SAM", "sam", "sam@contoso.com"),
];

/// A fixture as JSON.
pub fn fixture(text: &str) -> Value {
    serde_json::from_str(text).expect("a JSON fixture")
}

/// Slack's `X-Slack-Signature` for a body sent at `ts`.
pub fn sign(secret: &str, ts: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(format!("v0:{ts}:{body}").as_bytes());
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

/// A request of `body` to `url` as Slack sends it: signed with `secret` at the current time,
/// with the retry headers of delivery number `retry + 1` when given.
pub fn signed(
    http: &reqwest::Client,
    url: &str,
    secret: &str,
    body: String,
    retry: Option<u32>,
) -> reqwest::RequestBuilder {
    let ts = time::OffsetDateTime::now_utc().unix_timestamp();
    let request = http
        .post(url)
        .header("x-slack-request-timestamp", ts.to_string())
        .header("x-slack-signature", sign(secret, ts, &body))
        .body(body);
    match retry {
        Some(n) => {
            request.header("x-slack-retry-num", n.to_string()).header("x-slack-retry-reason", "http_timeout")
        }
        None => request,
    }
}

/// Sends [`signed`]'s request; the HTTP status, 0 when nothing answered.
pub async fn deliver(
    http: &reqwest::Client,
    url: &str,
    secret: &str,
    body: String,
    retry: Option<u32>,
) -> u16 {
    signed(http, url, secret, body, retry).send().await.map(|r| r.status().as_u16()).unwrap_or(0)
}

fn json_body(body: impl ToString) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.to_string(), "application/json")
}

/// A `users.*` answer for the person a query names (by `user` id or by `email`).
fn person(request: &Request, by: &str, template: &str, missing: &str) -> ResponseTemplate {
    let wanted =
        request.url.query_pairs().find(|(k, _)| k == by).map(|(_, v)| v.into_owned()).unwrap_or_default();
    let found =
        PEOPLE.iter().find(|(id, _, email)| if by == "email" { *email == wanted } else { *id == wanted });
    match found {
        Some((id, name, email)) => {
            let mut body = fixture(template);
            body["user"]["id"] = json!(id);
            body["user"]["profile"]["display_name"] = json!(name);
            body["user"]["profile"]["email"] = json!(email);
            json_body(body)
        }
        None => json_body(json!({ "ok": false, "error": missing })),
    }
}

/// `users.info`'s answer for the user a request asks about (`user_not_found` for strangers).
pub fn users_info(request: &Request) -> ResponseTemplate {
    person(request, "user", fixtures::USERS_INFO, "user_not_found")
}

/// Slack's Web API under `/api/` (and a response URL at `/respond`), answering every method
/// secbot calls as Slack does. Each posted message gets its own `ts`: `1795971001.000100`,
/// `1795971002.000100`, and so on.
pub async fn web_api() -> MockServer {
    let api = MockServer::start().await;
    mount_web_api(&api).await;
    api
}

/// Mounts [`web_api`]'s methods on a server of the caller's (one that records no requests,
/// for runs of millions).
pub async fn mount_web_api(api: &MockServer) {
    let counter = Arc::new(AtomicU64::new(0));
    let posted = move |request: &Request| {
        let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
        let sent: Value = serde_json::from_slice(&request.body).unwrap_or_default();
        let mut body = fixture(fixtures::CHAT_POST_MESSAGE);
        let ts = format!("1795971{n:03}.000100");
        body["ts"] = json!(ts);
        body["message"]["ts"] = json!(ts);
        body["channel"] = sent["channel"].clone();
        json_body(body)
    };
    let mounts = [
        ("POST", "/api/chat.postEphemeral", fixtures::OK),
        ("POST", "/api/chat.update", fixtures::CHAT_UPDATE),
        ("POST", "/api/views.open", fixtures::VIEWS_OPEN),
        ("POST", "/api/conversations.open", fixtures::CONVERSATIONS_OPEN),
    ];
    for (verb, route, answer) in mounts {
        Mock::given(method(verb)).and(path(route)).respond_with(json_body(answer)).mount(api).await;
    }
    Mock::given(method("POST")).and(path("/api/chat.postMessage")).respond_with(posted).mount(api).await;
    Mock::given(method("GET")).and(path("/api/users.info")).respond_with(users_info).mount(api).await;
    Mock::given(method("GET"))
        .and(path("/api/users.lookupByEmail"))
        .respond_with(|r: &Request| person(r, "email", fixtures::USERS_LOOKUP_BY_EMAIL, "users_not_found"))
        .mount(api)
        .await;
    Mock::given(method("POST"))
        .and(path("/respond"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(api)
        .await;
}

/// Every request made to a Web API method (`chat.postMessage`) or path (`/respond`), bodies as
/// JSON.
pub async fn calls(api: &MockServer, method: &str) -> Vec<Value> {
    let path = if method.starts_with('/') { method.to_owned() } else { format!("/api/{method}") };
    api.received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.url.path() == path)
        .map(|r| serde_json::from_slice(&r.body).unwrap_or(Value::Null))
        .collect()
}

/// The buttons of a posted message, in order.
pub fn buttons(posted: &Value) -> Vec<Value> {
    blocks(posted)
        .filter(|b| b["type"] == "actions")
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// The button labelled `label` of a posted message.
pub fn button(posted: &Value, label: &str) -> Value {
    buttons(posted)
        .into_iter()
        .find(|b| b["text"]["text"] == label)
        .unwrap_or_else(|| panic!("no {label:?} button in {}", titles(posted).join(" / ")))
}

/// The header and section texts of a posted message.
pub fn titles(posted: &Value) -> Vec<String> {
    blocks(posted)
        .filter(|b| b["type"] == "header" || b["type"] == "section")
        .filter_map(|b| b["text"]["text"].as_str().map(str::to_owned))
        .collect()
}

/// The header of a posted message.
pub fn header(posted: &Value) -> String {
    let header = blocks(posted).find(|b| b["type"] == "header");
    header.and_then(|b| b["text"]["text"].as_str()).unwrap_or_default().to_owned()
}

/// The title of the `n`-th item (1-based) of a posted list.
pub fn item(posted: &Value, n: usize) -> String {
    let marker = format!("*{n}. ");
    titles(posted)
        .iter()
        .find_map(|t| t.split(&marker).nth(1).and_then(|rest| rest.split('*').next()).map(str::to_owned))
        .unwrap_or_else(|| panic!("no item {n} in {}", titles(posted).join(" / ")))
}

/// A `block_actions` click on `label` of a message posted with `message_ts`.
pub fn click(posted: &Value, message_ts: &str, label: &str, response_url: &str) -> Value {
    let pressed = button(posted, label);
    let mut click = fixture(fixtures::BLOCK_ACTIONS);
    click["actions"][0]["action_id"] = pressed["action_id"].clone();
    click["actions"][0]["value"] = pressed["value"].clone();
    click["actions"][0]["text"]["text"] = json!(label);
    click["container"]["message_ts"] = json!(message_ts);
    click["message"]["ts"] = json!(message_ts);
    click["message"]["blocks"] = posted["blocks"].clone();
    click["response_url"] = json!(response_url);
    match posted["thread_ts"].as_str() {
        Some(thread) => {
            click["container"]["thread_ts"] = json!(thread);
            click["message"]["thread_ts"] = json!(thread);
        }
        None => {
            click["container"].as_object_mut().map(|c| c.remove("thread_ts"));
            click["message"].as_object_mut().map(|m| m.remove("thread_ts"));
        }
    }
    click
}

/// An `app_mention` of secbot saying `text`, sent at `ts`.
pub fn mention(text: &str, ts: &str) -> Value {
    let mut event = fixture(fixtures::APP_MENTION);
    event["event"]["text"] = json!(format!("<@U0SECBOT> {text}"));
    event["event"]["ts"] = json!(ts);
    event["event"]["event_ts"] = json!(ts);
    event["event_id"] = json!(format!("Ev{}", ts.replace('.', "")));
    event
}

/// A message in `thread` saying `text` without mentioning secbot, sent at `ts`.
pub fn reply_in_thread(text: &str, thread: &str, ts: &str) -> Value {
    let mut event = fixture(fixtures::MESSAGE_IN_THREAD);
    event["event"]["text"] = json!(text);
    event["event"]["thread_ts"] = json!(thread);
    event["event"]["ts"] = json!(ts);
    event["event"]["event_ts"] = json!(ts);
    event["event_id"] = json!(format!("Ev{}", ts.replace('.', "")));
    event
}

fn blocks(posted: &Value) -> impl Iterator<Item = &Value> {
    posted["blocks"].as_array().into_iter().flatten()
}
