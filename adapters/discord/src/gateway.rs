//! Discord's Gateway, for "@secbot …" typed in a channel: secbot keeps one Gateway connection
//! (`SECBOT_DISCORD_GATEWAY=on`, with the bot token) and reads `MESSAGE_CREATE`. A message that
//! mentions secbot, or any message in a direct conversation, is answered; in a server channel
//! the answer starts a thread from the message and is posted there, and every later message in
//! a thread secbot started is heard like a follow-up in a Slack thread (answered when it is one,
//! left alone when people talk among themselves). Buttons and slash commands stay on the HTTP
//! interactions endpoint.
//!
//! Reading message text needs the privileged Message Content intent, switched on in the
//! developer portal (Bot › Privileged Gateway Intents); without it Discord closes the connection
//! with 4014 and secbot says so. A message is stored in the inbox under its id before it is
//! answered, so each replica may hold its own connection and a message is still answered once;
//! Discord does not deliver a message again, so a message the store cannot take is retried for a
//! few seconds and then logged as lost.
//!
//! The connection speaks the Gateway protocol (hello, identify, heartbeats and their
//! acknowledgements, resume after a dropped connection or a `RECONNECT`, a fresh session after
//! `INVALID_SESSION`) over tokio-tungstenite rather than serenity's client, which would bring its
//! own HTTP stack and cache and hand over typed events to turn back into the stored payload.

use std::collections::HashMap;
use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use secbot_chat::delivery::{Backoff, Failure};
use secbot_chat::{Job, Origin, Person, Platform, Prompt, Reply, Sent, Subject};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::OffsetDateTime;
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_util::sync::CancellationToken;

use crate::endpoint::Endpoint;
use crate::escape::{fit, plain};
use crate::interaction::{DIRECT_TENANT, Member, User, display_name, read_mentions, snowflake_time};
use crate::limits::THREAD_NAME;
use crate::render::notice;

/// Guilds (threads and their parents), guild messages, direct messages and message content.
const INTENTS: u64 = (1 << 0) | (1 << 9) | (1 << 12) | (1 << 15);

/// Reconnecting after a failure: from a second, doubling, at most every minute, for ever.
const RECONNECT: Backoff =
    Backoff { attempts: u32::MAX, base: Duration::from_secs(1), cap: Duration::from_secs(60) };

/// Tries at storing a heard message before it is given up as lost.
const STORE_TRIES: u32 = 5;

/// The Gateway connection of one bot.
pub struct Gateway {
    endpoint: Endpoint,
    token: String,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway").finish_non_exhaustive()
    }
}

/// A session Discord can resume.
#[derive(Debug, Clone)]
struct Session {
    id: String,
    resume_url: String,
}

/// What the connection knows: who secbot is and which threads exist (with their parent
/// channel and who started them), from `READY`, `GUILD_CREATE` and the `THREAD_*` events.
#[derive(Debug, Default)]
struct Known {
    bot: Option<String>,
    threads: HashMap<String, Thread>,
    session: Option<Session>,
    seq: Option<u64>,
}

/// A thread channel.
#[derive(Debug, Clone, Deserialize)]
struct Thread {
    id: String,
    #[serde(default)]
    parent_id: Option<String>,
    #[serde(default)]
    owner_id: Option<String>,
}

/// How a connection ended.
enum Ended {
    /// Connect again (resuming when there is a session).
    Again,
    /// Wait, then connect again.
    Failed(String),
    /// Connecting again cannot help: a person must change a setting.
    Fatal(&'static str),
}

/// A Gateway payload.
#[derive(Debug, Deserialize)]
struct Payload {
    op: u8,
    #[serde(default)]
    d: Value,
    #[serde(default)]
    s: Option<u64>,
    #[serde(default)]
    t: Option<String>,
}

/// `MESSAGE_CREATE`'s message, with the fields secbot reads.
#[derive(Debug, Deserialize)]
struct Created {
    id: String,
    channel_id: String,
    #[serde(default)]
    guild_id: Option<String>,
    author: User,
    #[serde(default)]
    member: Option<Member>,
    #[serde(default)]
    content: String,
    #[serde(default)]
    mentions: Vec<User>,
}

/// A message heard on the Gateway, as the inbox keeps it until it is answered.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Heard {
    /// The message id (a snowflake).
    pub id: String,
    /// The server; `None` in a direct conversation.
    pub guild: Option<String>,
    /// The channel (a thread's parent).
    pub channel: String,
    /// The thread it was written in.
    pub thread: Option<String>,
    /// Who wrote it.
    pub author: Person,
    /// Their roles in the server.
    pub roles: Vec<String>,
    /// The text, secbot's mention taken out and other mentions as `@name`.
    pub text: String,
    /// The people it mentions.
    pub mentions: Vec<Person>,
    /// True when it is addressed to secbot (a mention, a direct message); otherwise it is a
    /// message in one of secbot's threads.
    pub addressed: bool,
}

impl Heard {
    /// True for a mention in a server channel outside a thread: the answer starts a thread.
    fn starts_thread(&self) -> bool {
        self.guild.is_some() && self.thread.is_none()
    }

    /// Where it happened, in the common model; a mention that starts a thread is already in it.
    fn origin(&self) -> Origin {
        let thread = self.thread.clone().or_else(|| self.starts_thread().then(|| self.id.clone()));
        Origin {
            platform: Platform::Discord,
            tenant: self.guild.clone().unwrap_or_else(|| DIRECT_TENANT.to_owned()),
            channel: self.channel.clone(),
            thread,
            message: Some(self.id.clone()),
            user: self.author.clone(),
            roles: self.roles.clone(),
            service_url: None,
            time: snowflake_time(&self.id).unwrap_or_else(OffsetDateTime::now_utc),
        }
    }
}

/// The stored form of a heard message: `{"gateway": …}`, beside stored slash commands.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Stored {
    pub gateway: Heard,
}

/// An answer to a heard message on its way, and how far it got.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Posting {
    pub heard: Heard,
    pub reply: Reply,
    #[serde(default)]
    pub thread_started: bool,
    /// The thread could not be started (no permission there): the answer goes in the channel.
    #[serde(default)]
    pub in_channel: bool,
    #[serde(default)]
    pub posted: Option<String>,
}

impl Gateway {
    pub(crate) fn new(endpoint: Endpoint, token: String) -> Gateway {
        Gateway { endpoint, token }
    }

    /// Keeps the connection open (resuming or reconnecting as Discord asks) until `stop`.
    pub async fn run(self, stop: CancellationToken) {
        let mut known = Known::default();
        let mut failures = 0u32;
        loop {
            let ended = tokio::select! {
                () = stop.cancelled() => return,
                ended = self.connect(&mut known) => ended,
            };
            match ended {
                Ended::Again => failures = 0,
                Ended::Fatal(why) => {
                    tracing::error!("Discord's Gateway refused secbot: {why}");
                    return;
                }
                Ended::Failed(why) => {
                    failures += 1;
                    let wait = RECONNECT.wait(failures, Failure::Transient).unwrap_or(RECONNECT.cap);
                    tracing::warn!(error = %why, wait_ms = wait.as_millis() as u64, "Discord Gateway connection failed; trying again");
                    tokio::select! {
                        () = stop.cancelled() => return,
                        () = tokio::time::sleep(wait) => {}
                    }
                }
            }
        }
    }

    async fn connect(&self, known: &mut Known) -> Ended {
        let base = match &known.session {
            Some(session) => session.resume_url.clone(),
            None => match self.endpoint.0.api.gateway_url().await {
                Ok(url) => url,
                Err(err) if !err.is_transient() => {
                    return Ended::Fatal("GET /gateway/bot was refused; check SECBOT_DISCORD_BOT_TOKEN");
                }
                Err(err) => return Ended::Failed(err.to_string()),
            },
        };
        let url = format!("{}/?v=10&encoding=json", base.trim_end_matches('/'));
        let socket = match tokio_tungstenite::connect_async(url.as_str()).await {
            Ok((socket, _)) => socket,
            Err(err) => return Ended::Failed(format!("connecting: {err}")),
        };
        let (mut sink, mut frames) = socket.split();
        let mut beat: Option<tokio::time::Interval> = None;
        let mut acked = true;
        loop {
            let tick = async {
                match beat.as_mut() {
                    Some(beat) => {
                        beat.tick().await;
                    }
                    None => std::future::pending().await,
                }
            };
            let frame = tokio::select! {
                () = tick => {
                    if !acked {
                        return Ended::Failed("Discord stopped acknowledging heartbeats".to_owned());
                    }
                    acked = false;
                    if let Err(err) = sink.send(Frame::Text(json!({"op": 1, "d": known.seq}).to_string().into())).await {
                        return Ended::Failed(format!("heartbeat: {err}"));
                    }
                    continue;
                }
                frame = frames.next() => frame,
            };
            let text = match frame {
                None => return Ended::Again,
                Some(Err(err)) => return Ended::Failed(format!("reading: {err}")),
                Some(Ok(Frame::Text(text))) => text,
                Some(Ok(Frame::Close(close))) => return closed(close.map(|c| c.code), known),
                Some(Ok(_)) => continue,
            };
            let payload: Payload = match serde_json::from_str(text.as_str()) {
                Ok(payload) => payload,
                Err(err) => {
                    tracing::warn!(error = %err, "ignored a Gateway message secbot cannot read");
                    continue;
                }
            };
            if payload.s.is_some() {
                known.seq = payload.s;
            }
            let answer = match payload.op {
                0 => {
                    self.dispatch(payload.t.as_deref().unwrap_or_default(), payload.d, known);
                    None
                }
                1 => Some(json!({"op": 1, "d": known.seq})),
                7 => return Ended::Again,
                9 => {
                    if payload.d != Value::Bool(true) {
                        known.session = None;
                        known.seq = None;
                    }
                    tokio::time::sleep(Duration::from_secs(2)).await;
                    return Ended::Again;
                }
                10 => {
                    let every = payload.d["heartbeat_interval"].as_u64().unwrap_or(41_250).max(1_000);
                    let every = Duration::from_millis(every);
                    beat = Some(tokio::time::interval_at(tokio::time::Instant::now() + every / 2, every));
                    Some(match (&known.session, known.seq) {
                        (Some(session), Some(seq)) => json!({"op": 6, "d": {
                            "token": self.token, "session_id": session.id, "seq": seq}}),
                        _ => json!({"op": 2, "d": {
                            "token": self.token,
                            "intents": INTENTS,
                            "properties": {"os": std::env::consts::OS, "browser": "secbot", "device": "secbot"},
                        }}),
                    })
                }
                11 => {
                    acked = true;
                    None
                }
                _ => None,
            };
            if let Some(answer) = answer
                && let Err(err) = sink.send(Frame::Text(answer.to_string().into())).await
            {
                return Ended::Failed(format!("writing: {err}"));
            }
        }
    }

    fn dispatch(&self, event: &str, d: Value, known: &mut Known) {
        match event {
            "READY" => {
                known.bot = d["user"]["id"].as_str().map(str::to_owned);
                known.session = match (d["session_id"].as_str(), d["resume_gateway_url"].as_str()) {
                    (Some(id), Some(url)) => Some(Session { id: id.to_owned(), resume_url: url.to_owned() }),
                    _ => None,
                };
                tracing::info!("connected to Discord's Gateway");
            }
            "GUILD_CREATE" | "THREAD_LIST_SYNC" => {
                for thread in d["threads"].as_array().into_iter().flatten() {
                    if let Ok(thread) = Thread::deserialize(thread) {
                        known.threads.insert(thread.id.clone(), thread);
                    }
                }
            }
            "THREAD_CREATE" | "THREAD_UPDATE" => {
                if let Ok(thread) = Thread::deserialize(&d) {
                    known.threads.insert(thread.id.clone(), thread);
                }
            }
            "THREAD_DELETE" => {
                if let Some(id) = d["id"].as_str() {
                    known.threads.remove(id);
                }
            }
            "MESSAGE_CREATE" => match Created::deserialize(&d) {
                Ok(created) => {
                    if let Some(heard) = self.hear(created, known) {
                        let endpoint = self.endpoint.clone();
                        self.endpoint.0.tasks.spawn(async move { store(&endpoint, heard).await });
                    }
                }
                Err(err) => tracing::warn!(error = %err, "a Discord message secbot cannot read"),
            },
            _ => {}
        }
    }

    /// The message as secbot keeps it, when it is for secbot: a mention, a direct message, or a
    /// message in a thread secbot started.
    fn hear(&self, created: Created, known: &Known) -> Option<Heard> {
        let bot = known.bot.as_deref()?;
        if created.author.bot {
            return None;
        }
        if !crate::options::admits(&self.endpoint.0.allowed_guilds, created.guild_id.as_deref()) {
            return None;
        }
        let mentioned = created.mentions.iter().any(|u| u.id == bot);
        let thread = known.threads.get(&created.channel_id);
        let ours = thread.is_some_and(|t| t.owner_id.as_deref() == Some(bot));
        let addressed = created.guild_id.is_none() || mentioned;
        if !addressed && !ours {
            return None;
        }
        let (channel, thread) = match thread.and_then(|t| t.parent_id.clone()) {
            Some(parent) => (parent, Some(created.channel_id.clone())),
            None => (created.channel_id.clone(), None),
        };
        let content = created.content.replace(&format!("<@{bot}>"), "").replace(&format!("<@!{bot}>"), "");
        let (text, mentions) = read_mentions(content.trim(), |id| {
            created.mentions.iter().find(|u| u.id == id).map(User::person)
        });
        let name = display_name(created.member.as_ref(), &created.author);
        let member = created.member.unwrap_or_default();
        Some(Heard {
            id: created.id,
            guild: created.guild_id,
            channel,
            thread,
            author: Person { id: created.author.id, name, email: None },
            roles: member.roles,
            text,
            mentions,
            addressed,
        })
    }
}

/// How a closed connection goes on: some close codes mean a setting is wrong.
fn closed(code: Option<CloseCode>, known: &mut Known) -> Ended {
    match code.map(u16::from) {
        Some(4004) => Ended::Fatal("the bot token was refused (4004); check SECBOT_DISCORD_BOT_TOKEN"),
        Some(4014) => Ended::Fatal(
            "the Message Content intent is not enabled (4014); turn it on in the developer portal under Bot › Privileged Gateway Intents",
        ),
        Some(4010..=4013) => Ended::Fatal("the Gateway settings were refused (shard or intents)"),
        Some(4007 | 4009) => {
            known.session = None;
            known.seq = None;
            Ended::Again
        }
        _ => Ended::Again,
    }
}

/// Stores a heard message in the inbox (keyed by its id, so any replica's copy is answered
/// once), retrying for a few seconds while the store is down.
async fn store(endpoint: &Endpoint, heard: Heard) {
    let key = format!("discord-message:{}", heard.id);
    let Ok(payload) = serde_json::to_value(Stored { gateway: heard }) else { return };
    for attempt in 1..=STORE_TRIES {
        let job = Job { platform: Platform::Discord, key: key.clone(), payload: payload.clone() };
        match endpoint.0.inbox.accept(job).await {
            Ok(_) => return,
            Err(err) if attempt < STORE_TRIES => {
                tracing::warn!(error = %err, attempt, "could not store a Discord message; trying again");
                tokio::time::sleep(Duration::from_millis(500 * u64::from(attempt))).await;
            }
            Err(err) => {
                tracing::error!(error = %err, key, "a Discord message was lost: the store did not take it");
            }
        }
    }
}

/// The answer to a stored message: secbot's reply to a mention or direct message, or to a
/// follow-up in its thread when it is one.
pub(crate) async fn answer(endpoint: &Endpoint, heard: Heard) -> Option<Posting> {
    let prompt =
        Prompt { origin: heard.origin(), text: heard.text.clone(), mentions: heard.mentions.clone() };
    let assistant = &endpoint.0.assistant;
    let reply =
        if heard.addressed { assistant.answer(prompt).await } else { assistant.overheard(prompt).await? };
    Some(Posting { heard, reply, thread_started: false, in_channel: false, posted: None })
}

/// Posts an answer: starts the thread first when the message was a mention in a channel, then
/// posts the card there, then each owner's notice. Picks up where a failed try stopped.
pub(crate) async fn send(endpoint: &Endpoint, mut posting: Posting) -> Sent {
    let api = &endpoint.0.api;
    let heard = &posting.heard;
    if heard.starts_thread() && !posting.thread_started {
        let name = fit(&plain(&thread_name(heard, &posting.reply)), THREAD_NAME);
        match api.start_thread(&heard.channel, &heard.id, &name).await {
            Ok(()) => {}
            Err(err) if err.is_transient() => return retry(&posting, err.to_string()),
            Err(err) => {
                tracing::warn!(error = %err, "could not start a thread for the answer; answering in the channel");
                posting.in_channel = true;
            }
        }
        posting.thread_started = true;
    }
    let heard = &posting.heard;
    let place = match &heard.thread {
        Some(thread) => thread.clone(),
        None if heard.starts_thread() && !posting.in_channel => heard.id.clone(),
        None => heard.channel.clone(),
    };
    if posting.posted.is_none() {
        match crate::announce::post_reply(api, &place, &posting.reply).await {
            Ok(id) => posting.posted = Some(id),
            Err(err) if err.is_transient() => return retry(&posting, err.to_string()),
            Err(err) => return Sent::Failed(err.to_string()),
        }
    }
    for message in &posting.reply.direct {
        if let Err(err) = api.post_message(&place, &notice(message, &posting.reply).create(), None).await {
            tracing::warn!(error = %err, "could not tell the owner about their assignment");
        }
    }
    Sent::Done
}

fn retry(posting: &Posting, reason: String) -> Sent {
    match serde_json::to_value(posting) {
        Ok(rest) => Sent::Retry { after: None, reason, rest },
        Err(_) => Sent::Failed(reason),
    }
}

/// A thread's name: the card's title for a list, else what was asked.
fn thread_name(heard: &Heard, reply: &Reply) -> String {
    let is_list = matches!(&reply.subject, Some(Subject::List { items, .. }) if !items.is_empty());
    let name =
        if is_list || heard.text.trim().is_empty() { reply.card.title.clone() } else { heard.text.clone() };
    name.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_codes_that_need_a_person_stop_reconnecting_and_session_losses_start_afresh() {
        let mut known = Known {
            session: Some(Session { id: "s".into(), resume_url: "wss://r".into() }),
            seq: Some(7),
            ..Known::default()
        };
        assert!(
            matches!(closed(Some(CloseCode::from(4014)), &mut known), Ended::Fatal(why) if why.contains("Message Content"))
        );
        assert!(
            matches!(closed(Some(CloseCode::from(4004)), &mut known), Ended::Fatal(why) if why.contains("BOT_TOKEN"))
        );
        assert!(matches!(closed(Some(CloseCode::from(4000)), &mut known), Ended::Again));
        assert!(known.session.is_some(), "an unknown error resumes");
        assert!(matches!(closed(Some(CloseCode::from(4009)), &mut known), Ended::Again));
        assert!(known.session.is_none() && known.seq.is_none(), "a timed-out session identifies again");
    }
}
