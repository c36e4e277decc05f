//! Slack, as tests meet it: requests signed the way Slack signs them, payload fixtures shaped
//! like Slack's, and the Web API as a wiremock server that answers every method secbot calls.
//! Compiled for this crate's tests and, with the `testing` feature, for other crates' tests.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

pub use crate::fixtures::{self, deliver, fixture, mention, reply_in_thread, signed};

/// The people of the test workspace: user id, display name, email.
pub const PEOPLE: [(&str, &str, &str); 3] = [
    ("U0RAJ", "raj", "raj@contoso.com"),
    ("U0DANA", "Dana Whitfield", "dana@contoso.com"),
    ("U0SAM", "sam", "sam@contoso.com"),
];

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

/// A `block_actions` click on `label` of a message posted with `message_ts`; each click has an
/// `action_ts` and `trigger_id` of its own, as every click in Slack has.
pub fn click(posted: &Value, message_ts: &str, label: &str, response_url: &str) -> Value {
    static CLICKS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = CLICKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let pressed = button(posted, label);
    let mut click = fixture(fixtures::BLOCK_ACTIONS);
    click["actions"][0]["action_ts"] = json!(format!("1795970901.{n:06}"));
    click["trigger_id"] = json!(format!("8204419375.1795970900.{n:06}"));
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

fn blocks(posted: &Value) -> impl Iterator<Item = &Value> {
    posted["blocks"].as_array().into_iter().flatten()
}
