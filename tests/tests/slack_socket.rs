//! Slack over Socket Mode, end to end: a real `secbot serve` router with an app-level token and
//! no signing secret, a local WebSocket stand-in for Slack's Socket Mode endpoint (its URL handed
//! out by `apps.connections.open` on the wiremock Web API), and replies posted to that Web API.
//! Covers hello, an `events_api` envelope acknowledged and answered in its thread, a redelivered
//! envelope answered once, a `disconnect` followed by a new connection where the thread goes on,
//! a slash command, and the HTTP routes refusing requests without a signing secret.

use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use secbot_slack::testing::{self, fixture, fixtures, header};
use secbot_tests::Server;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use wiremock::matchers::{header as has_header, method, path};
use wiremock::{Mock, ResponseTemplate};

const APP_TOKEN: &str = "xapp-1-A0SECBOT-1795970800-3f2a9c";
const TOKEN: &str = "xoxb-test-socket-workspace";

type Socket = WebSocketStream<tokio::net::TcpStream>;

/// Slack's side of Socket Mode: each connection secbot opens, as it is accepted.
struct Link {
    connections: mpsc::Receiver<Socket>,
}

impl Link {
    async fn start() -> (Link, String) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
        let url = format!("ws://{}/link/?ticket=stand-in", listener.local_addr().expect("address"));
        let (to_test, connections) = mpsc::channel(8);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                if let Ok(socket) = tokio_tungstenite::accept_async(stream).await
                    && to_test.send(socket).await.is_err()
                {
                    return;
                }
            }
        });
        (Link { connections }, url)
    }

    /// The next connection secbot opens, greeted with `hello` as Slack does.
    async fn accept(&mut self) -> Socket {
        let mut socket = tokio::time::timeout(Duration::from_secs(10), self.connections.recv())
            .await
            .expect("secbot connects within 10 s")
            .expect("the stand-in runs");
        socket.send(Message::Text(fixtures::SOCKET_HELLO.into())).await.expect("hello sent");
        socket
    }
}

/// Sends an envelope and returns secbot's acknowledgement of it.
async fn deliver(socket: &mut Socket, envelope: &Value) -> Value {
    socket.send(Message::Text(envelope.to_string().into())).await.expect("sent");
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("acknowledged within 10 s")
            .expect("the socket stays open")
            .expect("a frame");
        if let Message::Text(text) = frame {
            return serde_json::from_str(text.as_str()).expect("an acknowledgement is JSON");
        }
    }
}

/// An `events_api` envelope carrying `event`.
fn envelope(id: &str, event: Value, retry_attempt: u32) -> Value {
    let mut envelope = fixture(fixtures::SOCKET_EVENTS_API);
    envelope["envelope_id"] = json!(id);
    envelope["payload"] = event;
    envelope["retry_attempt"] = json!(retry_attempt);
    envelope["retry_reason"] = json!(if retry_attempt > 0 { "timeout" } else { "" });
    envelope
}

#[tokio::test]
async fn socket_mode_answers_in_threads_once_and_reconnects_when_slack_asks() {
    let api = testing::web_api().await;
    let (mut link, url) = Link::start().await;
    Mock::given(method("POST"))
        .and(path("/api/apps.connections.open"))
        .and(has_header("authorization", format!("Bearer {APP_TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true, "url": url})))
        .mount(&api)
        .await;
    let api_url = format!("{}/api/", api.uri());
    let server = Server::start(&[
        ("SECBOT_SLACK_APP_TOKEN", APP_TOKEN),
        ("SECBOT_SLACK_BOT_TOKEN", TOKEN),
        ("SECBOT_SLACK_API_URL", api_url.as_str()),
    ])
    .await;
    let mut socket = link.accept().await;

    // A mention arrives as an events_api envelope: acknowledged with its id, answered in its thread.
    let mention = fixture(fixtures::APP_MENTION);
    let thread = mention["event"]["ts"].as_str().expect("ts").to_owned();
    let ack = deliver(&mut socket, &envelope("env-1", mention.clone(), 0)).await;
    assert_eq!(ack, json!({"envelope_id": "env-1"}));
    server.settle().await;
    let posts = testing::calls(&api, "chat.postMessage").await;
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(posts[0]["thread_ts"], json!(thread), "answered under the mention");
    assert!(header(&posts[0]).starts_with("Critical risks"), "{}", header(&posts[0]));
    let name = testing::item(&posts[0], 2);

    // Slack delivers it again (as it does when an acknowledgement came late): acknowledged,
    // not answered twice.
    let ack = deliver(&mut socket, &envelope("env-2", mention, 1)).await;
    assert_eq!(ack, json!({"envelope_id": "env-2"}));
    server.settle().await;
    assert_eq!(testing::calls(&api, "chat.postMessage").await.len(), 1, "a redelivery is answered once");

    // Slack asks for a new connection: secbot opens one, and the thread goes on there.
    socket.send(Message::Text(fixtures::SOCKET_DISCONNECT.into())).await.expect("disconnect sent");
    let mut socket = link.accept().await;
    let follow_up = testing::reply_in_thread("how do I fix the 2nd one?", &thread, "1795970860.000200");
    let ack = deliver(&mut socket, &envelope("env-3", follow_up, 0)).await;
    assert_eq!(ack, json!({"envelope_id": "env-3"}));
    server.settle().await;
    let posts = testing::calls(&api, "chat.postMessage").await;
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[1]["thread_ts"], json!(thread), "in the same thread");
    assert!(
        header(&posts[1]).starts_with("Fix:") && header(&posts[1]).contains(&name),
        "{}",
        header(&posts[1])
    );
    let opened = api
        .received_requests()
        .await
        .expect("recorded")
        .iter()
        .filter(|r| r.url.path() == "/api/apps.connections.open")
        .count();
    assert_eq!(opened, 2, "one connection, then one more after the disconnect");

    // A slash command comes through the same socket and is answered in its channel.
    let command = fixture(fixtures::SOCKET_SLASH_COMMANDS);
    let id = command["envelope_id"].clone();
    let ack = deliver(&mut socket, &command).await;
    assert_eq!(ack["envelope_id"], id);
    server.settle().await;
    let posts = testing::calls(&api, "chat.postMessage").await;
    assert_eq!(posts.len(), 3);
    assert_eq!(posts[2]["channel"], "C0SECOPS");

    // Without a signing secret, nothing reaches secbot over HTTP.
    let refused = reqwest::Client::new()
        .post(format!("{}/slack/events", server.url))
        .header("content-type", "application/json")
        .body(fixtures::APP_MENTION)
        .send()
        .await
        .expect("the server answers");
    assert_eq!(refused.status(), 503);
    assert!(refused.text().await.expect("a reason").contains("Socket Mode"));
}
