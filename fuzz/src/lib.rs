//! The fuzzing harness: secbot's real inbound routes (Slack, Teams, Discord, the web chat) with
//! a stand-in assistant that echoes what it was given into its cards, so fuzzed text also
//! reaches every renderer, and wiremock standing in for the platforms' APIs. A fuzz target
//! sends bytes the way a platform would, correctly signed, and waits for the work started after
//! the acknowledgement; any panic, in the handler or in that work, aborts the run.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use ed25519_dalek::{Signer, SigningKey};
use hmac::{Hmac, KeyInit, Mac};
use secbot_chat::{
    Action, Assistant, AssistantError, Card, Click, CodeBlock, Command, Feedback, Footer, Intent, Item,
    Outcome, Payload, Platform, Prompt, Reply, ResponseId, Slots, Subject,
};
use sha2::Sha256;
use tokio::runtime::Runtime;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The Slack signing secret the harness signs with.
const SLACK_SECRET: &str = "fuzz-signing-secret";
/// The Teams app id tokens are addressed to (the stand-in's).
const TEAMS_APP: &str = secbot_teams::signing_keys::APP_ID;
/// The Discord application id.
const DISCORD_APP: &str = "1100000000000000000";
/// How long the work after an acknowledgement may take before the harness stops waiting.
const SETTLE: Duration = Duration::from_secs(5);

/// An assistant that answers everything with a card built from what it was given.
struct Echo;

fn card_of(text: &str, id: &ResponseId) -> Card {
    let subject = Subject::Finding { recommendation: text.to_owned(), resource: text.to_owned() };
    let mut card = Card::titled(text);
    card.summary = Some(text.to_owned());
    card.items = vec![Item {
        title: text.to_owned(),
        subtitle: Some(text.to_owned()),
        severity: None,
        facts: vec![secbot_chat::Fact::new(text, text)],
        actions: vec![
            Action::run("Remediate", id, Intent::Remediate, Some(subject)),
            Action::ask(text, id, text),
        ],
    }];
    card.code =
        vec![CodeBlock { title: text.to_owned(), language: "bash".to_owned(), code: text.to_owned() }];
    card.notices = vec![text.to_owned()];
    card.footer = Some(Footer::for_response(id));
    card
}

fn reply_to(text: &str) -> Reply {
    let id = ResponseId("fuzzreplyaaaaaaa".to_owned());
    let card = card_of(text, &id);
    Reply::new(id, "list_risks", Intent::ListRisks, Slots::default(), card)
}

#[async_trait::async_trait]
impl Assistant for Echo {
    async fn answer(&self, prompt: Prompt) -> Reply {
        reply_to(&prompt.text)
    }

    async fn act(&self, click: Click) -> Outcome {
        match click.payload.command {
            Command::Rate { rating } if rating.wants_comment() => {
                Outcome::Comment(secbot_chat::CommentForm {
                    response_id: click.payload.response_id,
                    rating,
                    title: "Help secbot improve".to_owned(),
                    question: "What was wrong?".to_owned(),
                })
            }
            Command::Ask { text } => Outcome::Reply(reply_to(&text)),
            _ => Outcome::Replace(reply_to(&click.origin.user.name)),
        }
    }

    async fn comment(&self, _: Feedback) -> Result<(), AssistantError> {
        Ok(())
    }

    async fn claim(&self, _: Platform, _: &str) -> Result<bool, AssistantError> {
        Ok(true)
    }

    async fn ratings(
        &self,
        _: &secbot_chat::Origin,
        _: &ResponseId,
    ) -> Result<Vec<Feedback>, AssistantError> {
        Ok(Vec::new())
    }

    async fn stored_payload(&self, id: &ResponseId, index: usize) -> Result<Option<Payload>, AssistantError> {
        Ok(reply_to(id.as_str()).card.buttons().nth(index).map(|a| a.payload.clone()))
    }
}

/// One platform's routes, the runtime they run on and the stand-ins they call.
pub struct Harness {
    runtime: Runtime,
    router: Router,
    tasks: TaskTracker,
    mock: MockServer,
    /// What the stand-in answers; remounted every [`REMOUNT_EVERY`] requests, because
    /// wiremock keeps every request a mounted mock matched (recording off or not).
    stand_in: StandIn,
    sent: std::sync::atomic::AtomicU64,
    /// A Teams token for the stand-in connector's URL (signing one per input would dominate).
    teams: Option<String>,
    discord: Option<SigningKey>,
}

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime")
}

/// How many requests the harness sends before it clears and remounts its stand-in's mocks.
const REMOUNT_EVERY: u64 = 2_000;

/// A stand-in server that keeps no record of the millions of requests a run sends it.
async fn unrecorded() -> MockServer {
    MockServer::builder().disable_request_recording().start().await
}

/// Which platform API the stand-in plays.
enum StandIn {
    /// Slack's Web API.
    Slack,
    /// The Bot Framework: OpenID metadata and this key, the token endpoint, the connector.
    Teams(serde_json::Value),
    /// Discord's API (and anything else): success for every call.
    Accepting,
    /// Nothing is called.
    Nothing,
}

impl StandIn {
    async fn mount(&self, mock: &MockServer) {
        match self {
            StandIn::Slack => secbot_slack::testing::mount_web_api(mock).await,
            StandIn::Teams(jwk) => {
                secbot_teams::signing_keys::publish(mock, vec![jwk.clone()]).await;
                accept_all(mock, 201).await;
            }
            StandIn::Accepting => accept_all(mock, 200).await,
            StandIn::Nothing => {}
        }
    }
}

/// Answers a token request with a token and every other call with success.
async fn accept_all(mock: &MockServer, status: u16) {
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            serde_json::json!({"token_type": "Bearer", "expires_in": 3599, "access_token": "t"}),
        ))
        .mount(mock)
        .await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(status).set_body_json(serde_json::json!({"id": "1", "ok": true})))
        .mount(mock)
        .await;
}

impl Harness {
    /// Slack's routes, signing with [`SLACK_SECRET`], wiremock as the Web API.
    pub fn slack() -> Harness {
        let runtime = runtime();
        let tasks = TaskTracker::new();
        let stand_in = StandIn::Slack;
        let (router, mock) = runtime.block_on(async {
            let mock = unrecorded().await;
            stand_in.mount(&mock).await;
            let mut options = secbot_slack::SlackOptions::new(
                SLACK_SECRET,
                Some("xoxb-fuzz".to_owned()),
                format!("{}/api/", mock.uri()),
            );
            options.backoff = secbot_chat::delivery::Backoff { attempts: 1, ..options.backoff };
            let router = secbot_slack::Adapter::new(
                Arc::new(Echo),
                Arc::new(NoInstallations),
                options,
                tasks.clone(),
                Arc::new(secbot_chat::inbox::InlineInbox::default()),
            )
            .routes();
            (router, mock)
        });
        Harness::new(runtime, router, tasks, mock, stand_in)
    }

    /// Teams' route, with a test key published as the Bot Framework's and wiremock as the
    /// connector and token endpoint.
    pub fn teams() -> Harness {
        let runtime = runtime();
        let tasks = TaskTracker::new();
        let key = secbot_teams::signing_keys::TestKey::new("fuzz-key");
        let stand_in = StandIn::Teams(key.jwk(Some(&["msteams"])));
        let (router, mock) = runtime.block_on(async {
            let mock = unrecorded().await;
            stand_in.mount(&mock).await;
            let mut options = secbot_teams::TeamsOptions::new(TEAMS_APP, "fuzz-password", None);
            options.openid_url = format!("{}/openid", mock.uri());
            options.token_url = format!("{}/token", mock.uri());
            options.allowed_service_urls = vec![mock.uri()];
            (
                secbot_teams::router(
                    Arc::new(Echo),
                    options,
                    tasks.clone(),
                    Arc::new(secbot_chat::inbox::InlineInbox::default()),
                ),
                mock,
            )
        });
        let token = key.sign(&secbot_teams::signing_keys::claims(&format!("{}/amer/", mock.uri())));
        Harness { teams: Some(token), ..Harness::new(runtime, router, tasks, mock, stand_in) }
    }

    /// Discord's route, with a signing key made for the run and wiremock as the API.
    pub fn discord() -> Harness {
        let runtime = runtime();
        let tasks = TaskTracker::new();
        let key = SigningKey::from_bytes(&[42; 32]);
        let stand_in = StandIn::Accepting;
        let (router, mock) = runtime.block_on(async {
            let mock = unrecorded().await;
            stand_in.mount(&mock).await;
            let mut options =
                secbot_discord::DiscordOptions::new(key.verifying_key().to_bytes(), DISCORD_APP);
            options.bot_token = Some(secbot_chat::Secret::new("fuzz-bot-token"));
            options.api_url = mock.uri();
            (
                secbot_discord::Adapter::new(
                    Arc::new(Echo),
                    options,
                    tasks.clone(),
                    Arc::new(secbot_chat::inbox::InlineInbox::default()),
                )
                .routes(),
                mock,
            )
        });
        Harness { discord: Some(key), ..Harness::new(runtime, router, tasks, mock, stand_in) }
    }

    /// The web chat's routes, on loopback without a token.
    pub fn webchat() -> Harness {
        let runtime = runtime();
        let tasks = TaskTracker::new();
        let mock = runtime.block_on(unrecorded());
        let options = secbot_webchat::WebchatOptions {
            token: None,
            suggestions: vec!["help".to_owned()],
            source: "demo".to_owned(),
        };
        let router = secbot_webchat::Webchat::new(Arc::new(Echo), options).routes();
        Harness::new(runtime, router, tasks, mock, StandIn::Nothing)
    }

    fn new(
        runtime: Runtime,
        router: Router,
        tasks: TaskTracker,
        mock: MockServer,
        stand_in: StandIn,
    ) -> Harness {
        Harness {
            runtime,
            router,
            tasks,
            mock,
            stand_in,
            sent: std::sync::atomic::AtomicU64::new(0),
            teams: None,
            discord: None,
        }
    }

    /// Sends a request through the routes and waits for the work it started.
    pub fn send(&self, request: Request<Body>) {
        let sent = self.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        self.runtime.block_on(async {
            if sent.is_multiple_of(REMOUNT_EVERY) {
                self.mock.reset().await;
                self.stand_in.mount(&self.mock).await;
            }
            let response = self.router.clone().oneshot(request).await.expect("the router is infallible");
            let _ = axum::body::to_bytes(response.into_body(), 4 << 20).await;
            self.tasks.close();
            let _ = tokio::time::timeout(SETTLE, self.tasks.wait()).await;
            self.tasks.reopen();
        });
    }

    /// A Slack request to `route` with `body`, signed as Slack signs it.
    pub fn slack_request(&self, route: &str, content_type: &str, body: &[u8]) -> Request<Body> {
        let ts = time::OffsetDateTime::now_utc().unix_timestamp();
        let mut mac =
            <Hmac<Sha256> as KeyInit>::new_from_slice(SLACK_SECRET.as_bytes()).expect("any key length");
        mac.update(format!("v0:{ts}:").as_bytes());
        mac.update(body);
        let signature = format!("v0={}", hex::encode(mac.finalize().into_bytes()));
        Request::post(route)
            .header("content-type", content_type)
            .header("x-slack-request-timestamp", ts.to_string())
            .header("x-slack-signature", signature)
            .body(Body::from(body.to_vec()))
            .expect("a request")
    }

    /// A Bot Framework activity with a valid token. When the body is a JSON object, its
    /// `serviceUrl` and `channelId` are set to what the token vouches for, so the fuzzed
    /// activity gets past authentication and into the handler.
    pub fn teams_request(&self, body: &[u8]) -> Request<Body> {
        let token = self.teams.as_ref().expect("a Teams harness");
        let service_url = format!("{}/amer/", self.mock.uri());
        let body = match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(serde_json::Value::Object(mut activity)) => {
                activity.insert("serviceUrl".to_owned(), service_url.into());
                activity.insert("channelId".to_owned(), "msteams".into());
                serde_json::to_vec(&activity).expect("serializes")
            }
            _ => body.to_vec(),
        };
        Request::post("/api/messages")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .body(Body::from(body))
            .expect("a request")
    }

    /// A Discord interaction, signed with the harness's key.
    pub fn discord_request(&self, body: &[u8]) -> Request<Body> {
        let key = self.discord.as_ref().expect("a Discord harness");
        let ts = time::OffsetDateTime::now_utc().unix_timestamp().to_string();
        let mut signed = ts.clone().into_bytes();
        signed.extend_from_slice(body);
        let signature = key.sign(&signed);
        Request::post("/discord/interactions")
            .header("content-type", "application/json")
            .header("x-signature-ed25519", hex::encode(signature.to_bytes()))
            .header("x-signature-timestamp", ts)
            .body(Body::from(body.to_vec()))
            .expect("a request")
    }

    /// A web chat API call from loopback.
    pub fn webchat_request(&self, route: &str, body: &[u8]) -> Request<Body> {
        Request::post(route)
            .header("content-type", "application/json")
            .header("host", "127.0.0.1:3978")
            .header("x-webchat-user", "fuzz")
            .body(Body::from(body.to_vec()))
            .expect("a request")
    }
}

/// No OAuth installations: the harness answers with its configured bot token.
struct NoInstallations;

#[async_trait::async_trait]
impl secbot_slack::Installations for NoInstallations {
    async fn save(&self, _: secbot_slack::Installed) -> Result<(), AssistantError> {
        Ok(())
    }

    async fn token(&self, _: &str) -> Result<Option<String>, AssistantError> {
        Ok(None)
    }
}

/// A form body with one field, percent-encoded as a platform sends it.
pub fn form_field(name: &str, value: &[u8]) -> Vec<u8> {
    let mut body = format!("{name}=").into_bytes();
    for &b in value {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            body.push(b);
        } else {
            body.extend_from_slice(format!("%{b:02X}").as_bytes());
        }
    }
    body
}

/// What each fuzz target does with one input; the binaries in `fuzz_targets/` call these, and
/// the tests replay the committed corpus through them.
pub mod targets {
    use std::sync::LazyLock;

    use secbot_skills::demo::{self, DemoOptions};
    use secbot_skills::intent::{Lexicon, parse};

    use super::{Harness, form_field};

    static SLACK: LazyLock<Harness> = LazyLock::new(Harness::slack);
    static TEAMS: LazyLock<Harness> = LazyLock::new(Harness::teams);
    static DISCORD: LazyLock<Harness> = LazyLock::new(Harness::discord);
    static WEBCHAT: LazyLock<Harness> = LazyLock::new(Harness::webchat);
    static LEXICON: LazyLock<Lexicon> =
        LazyLock::new(|| Lexicon::of_tenant(&demo::tenant(&DemoOptions::for_day(DAY))));
    const DAY: time::Date = time::macros::date!(2026 - 11 - 25);

    /// `POST /slack/events`: any body, correctly signed.
    pub fn slack_events(body: &[u8]) {
        SLACK.send(SLACK.slack_request("/slack/events", "application/json", body));
    }

    /// `POST /slack/interactivity`: any `payload` form field (block actions, view submissions).
    pub fn slack_interactivity(payload: &[u8]) {
        let form = form_field("payload", payload);
        SLACK.send(SLACK.slack_request("/slack/interactivity", "application/x-www-form-urlencoded", &form));
    }

    /// `POST /slack/commands`: any form body.
    pub fn slack_commands(body: &[u8]) {
        SLACK.send(SLACK.slack_request("/slack/commands", "application/x-www-form-urlencoded", body));
    }

    /// `POST /api/messages`: any Bot Framework activity with a valid token.
    pub fn teams_activity(body: &[u8]) {
        TEAMS.send(TEAMS.teams_request(body));
    }

    /// `POST /discord/interactions`: any interaction, correctly signed.
    pub fn discord_interaction(body: &[u8]) {
        DISCORD.send(DISCORD.discord_request(body));
    }

    /// The web chat's API: the first byte picks the message, action or feedback route.
    pub fn webchat(input: &[u8]) {
        let Some((&pick, body)) = input.split_first() else { return };
        let route = ["/webchat/messages", "/webchat/actions", "/webchat/feedback"][usize::from(pick % 3)];
        WEBCHAT.send(WEBCHAT.webchat_request(route, body));
    }

    /// A button's data: the payload text every platform decodes (which must round-trip), and
    /// Slack's `action_id` and `value` (the first line is the `action_id`).
    pub fn button_payload(input: &[u8]) {
        let Ok(text) = std::str::from_utf8(input) else { return };
        if let Ok(payload) = secbot_chat::Payload::decode(text) {
            let again = secbot_chat::Payload::decode(&payload.encode()).expect("an encoded payload decodes");
            assert_eq!(again, payload, "payloads round-trip");
        }
        let (action_id, value) = text.split_once('\n').unwrap_or((text, ""));
        let _ = secbot_slack::blocks::pressed(action_id, Some(value));
    }

    /// The prompt parser on any text, against the demo tenant's lexicon.
    pub fn prompt(input: &[u8]) {
        let text = String::from_utf8_lossy(input);
        let parsed = parse(&text, &LEXICON, DAY);
        assert!((0.0..=1.0).contains(&parsed.confidence), "confidence {}", parsed.confidence);
    }

    /// Snapshot files (Azure Resource Graph rows, as `secbot sync` writes them).
    pub fn snapshot(input: &[u8]) {
        let _ = secbot_skills::snapshot::read(input, "fuzz.json");
    }

    /// What a target does with one input.
    pub type Target = fn(&[u8]);

    /// Every target by name, as `fuzz/corpus/<name>` holds its seeds.
    pub const ALL: [(&str, Target); 9] = [
        ("slack_events", slack_events),
        ("slack_interactivity", slack_interactivity),
        ("slack_commands", slack_commands),
        ("teams_activity", teams_activity),
        ("discord_interaction", discord_interaction),
        ("webchat", webchat),
        ("button_payload", button_payload),
        ("prompt", prompt),
        ("snapshot", snapshot),
    ];
}

#[cfg(test)]
mod tests {
    use super::targets;

    use std::sync::atomic::{AtomicBool, Ordering};

    static PANICKED: AtomicBool = AtomicBool::new(false);

    /// Replays every committed corpus input through its target, as a fuzz run starts: none may
    /// panic (also not in work a handler spawned, which the runtime would otherwise swallow),
    /// and every target has seeds.
    #[test]
    fn the_committed_corpus_replays_without_a_panic() {
        let report = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICKED.store(true, Ordering::SeqCst);
            report(info);
        }));
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        for (name, target) in targets::ALL {
            let dir = root.join(name);
            let mut inputs = 0;
            for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
                let path = entry.expect("a corpus entry").path();
                target(&std::fs::read(&path).expect("a corpus file"));
                inputs += 1;
            }
            assert!(inputs > 0, "{name} has no seeds");
            assert!(!PANICKED.load(Ordering::SeqCst), "{name} panicked on a corpus input");
        }
    }
}
