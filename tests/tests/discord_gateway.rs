//! Discord's Gateway, end to end: a real `secbot serve` router with `SECBOT_DISCORD_GATEWAY=on`,
//! a local WebSocket stand-in for the Gateway (its URL handed out by `GET /gateway/bot` on the
//! wiremock REST API), and answers posted to that API. A mention in a channel is answered in a
//! thread started from it, a follow-up in that thread is answered there without a mention, and
//! people's own talk is left alone.

use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use secbot_tests::{Server, snowflake};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use wiremock::matchers::{header, method, path, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const APP: &str = "1200000000000000009";
const BOT: &str = "1200000000000000099";
const GUILD: &str = "1200000000000000001";
const CHANNEL: &str = "1200000000000000002";
const ASKER: &str = "1200000000000000005";
const TOKEN: &str = "bot-token-gateway";

/// `MESSAGE_CREATE` as the Gateway sends it.
fn message_create(seq: u64, id: &str, channel: &str, content: &str, mentions: Value) -> Value {
    json!({"op": 0, "s": seq, "t": "MESSAGE_CREATE", "d": {
        "id": id, "type": 0, "channel_id": channel, "guild_id": GUILD, "content": content,
        "author": {"id": ASKER, "username": "ana.lopez", "global_name": "Ana Lopez", "discriminator": "0"},
        "member": {"nick": null, "roles": [], "joined_at": "2026-01-05T12:00:00.000000+00:00"},
        "mentions": mentions, "mention_roles": [], "attachments": [], "embeds": [],
        "timestamp": "2026-11-25T12:00:00.000000+00:00", "tts": false, "mention_everyone": false, "pinned": false,
    }})
}

async fn send(socket: &mut WebSocketStream<tokio::net::TcpStream>, payload: &Value) {
    socket.send(Message::Text(payload.to_string().into())).await.expect("sent");
}

/// The next JSON payload secbot sends (heartbeats left out).
async fn receive(socket: &mut WebSocketStream<tokio::net::TcpStream>) -> Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("secbot sends within 10 s")
            .expect("the socket stays open")
            .expect("a frame");
        if let Message::Text(text) = frame {
            let payload: Value = serde_json::from_str(text.as_str()).expect("JSON");
            if payload["op"] != 1 {
                return payload;
            }
        }
    }
}

/// The bodies of the messages secbot posted to a channel or thread, once there are `n`.
async fn posted(api: &MockServer, channel: &str, n: usize) -> Vec<Value> {
    let route = format!("/channels/{channel}/messages");
    for _ in 0..500 {
        let posts: Vec<Value> = api
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .filter(|r| r.method.as_str() == "POST" && r.url.path() == route)
            .map(|r| serde_json::from_slice(&r.body).expect("JSON"))
            .collect();
        if posts.len() >= n {
            return posts;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("secbot did not post {n} message(s) to {channel}");
}

fn title(post: &Value) -> String {
    post["embeds"][0]["title"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_mention_is_answered_in_a_new_thread_and_follow_ups_there_without_one() {
    let api = MockServer::start().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
    let gateway = format!("ws://{}", listener.local_addr().expect("address"));
    Mock::given(method("GET"))
        .and(path("/gateway/bot"))
        .and(header("authorization", format!("Bot {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"url": gateway, "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}})))
        .mount(&api)
        .await;
    let mention_id = snowflake(40);
    Mock::given(method("POST"))
        .and(path(format!("/channels/{CHANNEL}/messages/{mention_id}/threads")))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": mention_id, "type": 11,
            "guild_id": GUILD, "parent_id": CHANNEL, "owner_id": BOT, "name": "Critical risks"})))
        .expect(1)
        .mount(&api)
        .await;
    Mock::given(method("POST"))
        .and(path_regex(r"^/channels/\d+/messages$"))
        .respond_with(|request: &Request| {
            let channel = request.url.path().split('/').nth(2).unwrap_or_default().to_owned();
            ResponseTemplate::new(200).set_body_json(json!({"id": snowflake(90), "channel_id": channel}))
        })
        .mount(&api)
        .await;
    let api_url = api.uri();
    let _server = Server::start(&[
        ("SECBOT_DISCORD_PUBLIC_KEY", &hex::encode([0x3b; 32])),
        ("SECBOT_DISCORD_APP_ID", APP),
        ("SECBOT_DISCORD_BOT_TOKEN", TOKEN),
        ("SECBOT_DISCORD_API_URL", &api_url),
        ("SECBOT_DISCORD_GATEWAY", "on"),
    ])
    .await;

    let (stream, _) = tokio::time::timeout(Duration::from_secs(10), listener.accept())
        .await
        .expect("secbot connects within 10 s")
        .expect("accepted");
    let mut socket = tokio_tungstenite::accept_async(stream).await.expect("a WebSocket");
    send(&mut socket, &json!({"op": 10, "d": {"heartbeat_interval": 41_250}})).await;
    let identify = receive(&mut socket).await;
    assert_eq!(identify["op"], 2);
    assert_eq!(identify["d"]["token"], TOKEN);
    let intents = identify["d"]["intents"].as_u64().expect("intents");
    assert_ne!(intents & (1 << 15), 0, "the Message Content intent");
    assert_ne!(intents & (1 << 9), 0, "guild messages");
    send(
        &mut socket,
        &json!({"op": 0, "s": 1, "t": "READY", "d": {"v": 10,
        "user": {"id": BOT, "username": "secbot", "bot": true, "discriminator": "0"},
        "session_id": "gateway-session-1", "resume_gateway_url": gateway,
        "guilds": [{"id": GUILD, "unavailable": true}], "application": {"id": APP, "flags": 0}}}),
    )
    .await;
    send(&mut socket, &json!({"op": 0, "s": 2, "t": "GUILD_CREATE", "d": {"id": GUILD, "threads": []}}))
        .await;

    // People talking in the channel are left alone.
    send(&mut socket, &message_create(3, &snowflake(30), CHANNEL, "anyone up for lunch?", json!([]))).await;
    // A mention is answered in a thread started from it.
    let mention = message_create(
        4,
        &mention_id,
        CHANNEL,
        &format!("<@{BOT}> show critical risks for publicly exposed resources"),
        json!([{"id": BOT, "username": "secbot", "bot": true, "discriminator": "0"}]),
    );
    send(&mut socket, &mention).await;
    let answers = posted(&api, &mention_id, 1).await;
    assert!(title(&answers[0]).contains("Critical risks"), "{}", title(&answers[0]));
    assert!(answers[0]["components"].as_array().is_some_and(|rows| !rows.is_empty()), "with buttons");

    // Discord announces the thread; a follow-up in it needs no mention.
    send(&mut socket, &json!({"op": 0, "s": 5, "t": "THREAD_CREATE", "d": {"id": mention_id, "type": 11,
        "guild_id": GUILD, "parent_id": CHANNEL, "owner_id": BOT, "name": "Critical risks", "newly_created": true}}))
    .await;
    send(
        &mut socket,
        &message_create(6, &snowflake(60), &mention_id, "how do I fix the 2nd one?", json!([])),
    )
    .await;
    let answers = posted(&api, &mention_id, 2).await;
    assert!(title(&answers[1]).contains("Fix:"), "{}", title(&answers[1]));
    // About the list's 2nd item: its field is "2. [High] <title>"; the fix names its resource.
    let second = answers[0]["embeds"][0]["fields"]
        .as_array()
        .and_then(|fields| fields.iter().find(|f| f["name"].as_str().is_some_and(|n| n.starts_with("2. "))))
        .map(|f| f["name"].as_str().unwrap_or_default().to_owned())
        .expect("the list has a 2nd item");
    let fix = answers[1].to_string();
    let named = second.split_whitespace().filter(|w| w.contains('-') && w.len() > 4).collect::<Vec<_>>();
    assert!(
        named.iter().any(|w| fix.contains(w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-'))),
        "{second} / {fix}"
    );
    // A thank-you in the thread is not answered.
    send(
        &mut socket,
        &message_create(7, &snowflake(70), &mention_id, "thanks, on it after lunch", json!([])),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(posted(&api, &mention_id, 2).await.len(), 2);
    assert!(
        !api.received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .any(|r| r.url.path() == format!("/channels/{CHANNEL}/messages")),
        "nothing was posted in the channel itself"
    );
}
