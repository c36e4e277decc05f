//! Shared set-up for secbot's end-to-end tests: an engine over the demo tenant with a store in
//! memory, and origins for each platform.

use std::sync::Arc;

use secbot::engine::{Engine, Policy};
use secbot::source::{self, SourceOptions};
use secbot::store::{SqlStore, Store};
use secbot_chat::{Origin, Person, Platform};
use time::OffsetDateTime;

/// The day every end-to-end test's demo tenant is built for.
pub const DAY: time::Date = time::macros::date!(2026 - 11 - 25);

/// An engine over the demo tenant for [`DAY`], and its store (SQLite in memory).
pub async fn engine() -> (Arc<Engine>, Arc<dyn Store>) {
    engine_with(Policy::default()).await
}

/// The same, applying a policy (scopes, budgets).
pub async fn engine_with(policy: Policy) -> (Arc<Engine>, Arc<dyn Store>) {
    let store: Arc<dyn Store> = Arc::new(SqlStore::in_memory().await.expect("an in-memory store"));
    (engine_on(store.clone(), policy), store)
}

/// An engine over the demo tenant for [`DAY`] on an existing store: another replica, or the
/// same deployment after its policy changed.
pub fn engine_on(store: Arc<dyn Store>, policy: Policy) -> Arc<Engine> {
    let loaded = source::load(&SourceOptions { day: Some(DAY), ..SourceOptions::default() })
        .expect("the demo tenant loads");
    Arc::new(Engine::new(loaded.source, loaded.lexicon, store).with_policy(policy))
}

/// A message origin in a thread, at noon on [`DAY`].
pub fn origin(platform: Platform, thread: &str, user: &str) -> Origin {
    Origin {
        platform,
        tenant: "T1".to_owned(),
        channel: "C1".to_owned(),
        thread: Some(thread.to_owned()),
        message: None,
        user: Person { id: user.to_owned(), name: user.to_owned(), email: None },
        roles: Vec::new(),
        service_url: None,
        time: OffsetDateTime::new_utc(DAY, time::Time::from_hms(12, 0, 0).expect("a valid time")),
    }
}

/// A secbot server running in this process on a loopback port, wired as `secbot serve` wires
/// it: configuration from `SECBOT_*` pairs, the demo tenant for [`DAY`], and the store the
/// configuration names (SQLite in memory unless `SECBOT_DATABASE_URL` is given).
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The engine behind every route.
    pub engine: Arc<Engine>,
    /// Its store.
    pub store: Arc<dyn Store>,
    /// Work started after a webhook was acknowledged.
    pub tasks: tokio_util::task::TaskTracker,
    /// The scheduler (watches, reminders), for tests to tick with their own clock.
    pub scheduler: secbot::schedule::Scheduler,
}

impl Server {
    /// Starts a server with these settings (names with the `SECBOT_` prefix).
    pub async fn start(settings: &[(&str, &str)]) -> Server {
        Server::start_on(settings, None).await
    }

    /// Starts a server with these settings over `store` when given (a restart keeps what the
    /// last server stored), else over the store the settings name. `SECBOT_DATA` serves a
    /// snapshot file instead of the demo tenant.
    pub async fn start_on(settings: &[(&str, &str)], store: Option<Arc<dyn Store>>) -> Server {
        let env = settings.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned()));
        let raw = secbot::config::Raw::load(None, env).expect("the settings load");
        let config = secbot::config::Config::from_raw(&raw).expect("the settings are valid");
        let store: Arc<dyn Store> = match (store, &config.database_url) {
            (Some(store), _) => store,
            (None, Some(_)) => config.open_store().await.expect("the database opens"),
            (None, None) => {
                Arc::new(SqlStore::open("sqlite::memory:", config.encryption_key).await.expect("a store"))
            }
        };
        let loaded = source::load(&SourceOptions::of(&config, Some(DAY))).expect("the tenant loads");
        let app = secbot::server::App::build(config, store.clone(), loaded);
        let (engine, tasks, scheduler) = (app.engine.clone(), app.tasks.clone(), app.scheduler());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        tokio::spawn(secbot::server::run(app, listener, std::future::pending()));
        // The adapters register their queue workers as the router is built in that task: wait
        // until it answers, so work queued right away (a scheduler tick) has its worker.
        let health = format!("{url}/healthz");
        for _ in 0..200 {
            if reqwest::get(&health).await.is_ok_and(|r| r.status().is_success()) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        Server { url, engine, store, tasks, scheduler }
    }

    /// Waits until every reply started after an acknowledgement has been sent.
    pub async fn settle(&self) {
        self.tasks.close();
        self.tasks.wait().await;
        self.tasks.reopen();
    }
}

/// Asks `prompt` on `platform` in a thread of its own, then presses every button of the answer
/// through the one action path: the answer, and each button with what pressing it led to.
pub async fn press_every_button(
    engine: &Engine,
    platform: secbot_chat::Platform,
    thread: &str,
    prompt: &str,
) -> (secbot_chat::Reply, Vec<(secbot_chat::Action, secbot_chat::Outcome)>) {
    use secbot_chat::{Assistant, Click, Prompt};
    let reply = engine
        .answer(Prompt { origin: origin(platform, thread, "ana"), text: prompt.to_owned(), mentions: vec![] })
        .await;
    let mut pressed = Vec::new();
    for action in reply.card.buttons() {
        let click = Click { origin: origin(platform, thread, "ana"), payload: action.payload.clone() };
        pressed.push((action.clone(), engine.act(click).await));
    }
    (reply, pressed)
}

/// Plays one thread as `secbot chat --json` does (lines typed, `/press LABEL` for a button) with
/// no usage limit, and returns each reply as JSON.
pub async fn thread(lines: &[&str]) -> Vec<serde_json::Value> {
    let (engine, _) = engine_with(Policy::unlimited()).await;
    let mut chat = secbot::terminal::Chat::new(&engine, secbot::terminal::Output::Json, Some(DAY));
    let mut replies = Vec::new();
    for line in lines {
        let mut out = Vec::new();
        chat.line(line, &mut out).await.expect("written to memory");
        let printed = String::from_utf8(out).expect("UTF-8");
        replies.push(serde_json::from_str(printed.lines().last().expect("a reply")).expect("JSON"));
    }
    replies
}

/// A Discord snowflake made at noon on the demo tenant's day, so relative dates resolve against
/// it; `n` makes it unique.
pub fn snowflake(n: u64) -> String {
    let noon = time::OffsetDateTime::new_utc(DAY, time::Time::MIDNIGHT + time::Duration::hours(12));
    let millis = u64::try_from(noon.unix_timestamp()).unwrap_or_default() * 1000 - 1_420_070_400_000;
    ((millis << 22) + n).to_string()
}

/// A new, empty schema of the PostgreSQL server tests share (TEST_PG_URL), or `None` when there
/// is none and SECBOT_REQUIRE_PG is not set (the caller then skips `what`).
pub async fn postgres(what: &str) -> Option<String> {
    let Ok(url) = std::env::var("TEST_PG_URL") else {
        assert!(
            std::env::var_os("SECBOT_REQUIRE_PG").is_none(),
            "SECBOT_REQUIRE_PG is set but TEST_PG_URL is not"
        );
        eprintln!("skipped: set TEST_PG_URL=postgres://… to run {what}");
        return None;
    };
    Some(SqlStore::fresh_schema(&url).await.expect("postgres reachable"))
}
