//! Payloads Slack sends secbot and answers its Web API gives, as the files in `fixtures/`
//! (shaped like Slack's documentation and SDK tests), events built from them, and requests signed
//! as Slack signs them: for tests, and for the load generator of `secbot bench`.

use serde_json::{Value, json};

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
/// Socket Mode's first message on a new connection.
pub const SOCKET_HELLO: &str = include_str!("../fixtures/socket_hello.json");
/// Socket Mode asking for a new connection.
pub const SOCKET_DISCONNECT: &str = include_str!("../fixtures/socket_disconnect.json");
/// An Events API envelope over Socket Mode (the `app_mention` of [`APP_MENTION`]).
pub const SOCKET_EVENTS_API: &str = include_str!("../fixtures/socket_events_api.json");
/// A slash command envelope over Socket Mode (the command of [`SLASH_COMMAND`]).
pub const SOCKET_SLASH_COMMANDS: &str = include_str!("../fixtures/socket_slash_commands.json");
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

/// A fixture as JSON.
pub fn fixture(text: &str) -> Value {
    serde_json::from_str(text).expect("a JSON fixture")
}

/// An `app_mention` of secbot saying `text`, sent at `ts`.
pub fn mention(text: &str, ts: &str) -> Value {
    let mut event = fixture(APP_MENTION);
    event["event"]["text"] = json!(format!("<@U0SECBOT> {text}"));
    event["event"]["ts"] = json!(ts);
    event["event"]["event_ts"] = json!(ts);
    event["event_id"] = json!(format!("Ev{}", ts.replace('.', "")));
    event
}

/// A message in `thread` saying `text` without mentioning secbot, sent at `ts`.
pub fn reply_in_thread(text: &str, thread: &str, ts: &str) -> Value {
    let mut event = fixture(MESSAGE_IN_THREAD);
    event["event"]["text"] = json!(text);
    event["event"]["thread_ts"] = json!(thread);
    event["event"]["ts"] = json!(ts);
    event["event"]["event_ts"] = json!(ts);
    event["event_id"] = json!(format!("Ev{}", ts.replace('.', "")));
    event
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
        .header("x-slack-signature", crate::verify::signature(secret, ts, &body))
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
