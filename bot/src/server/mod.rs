//! `secbot serve`: one process serving every chat platform's webhooks, the web chat, and the
//! operations endpoints (`/healthz`, `/readyz`, `/metrics`), with graceful shutdown.

pub mod discord;
pub mod listen;
pub mod ops;
mod slack;
mod teams;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use secbot_chat::Assistant;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::{Config, ConfigError};
use crate::engine::Engine;
use crate::metrics::Metrics;
use crate::queue::{Queue, QueueOptions};

/// What the routes share.
#[derive(Clone)]
pub struct App {
    /// The engine every adapter talks to.
    pub engine: Arc<Engine>,
    /// The metrics.
    pub metrics: Arc<Metrics>,
    /// The configuration.
    pub config: Arc<Config>,
    /// Work started after a webhook was acknowledged; shutdown waits for it.
    pub tasks: TaskTracker,
    /// The durable queue between acknowledgements and replies.
    pub queue: Queue,
    /// Cancelled when the server stops taking work: connections secbot opens itself (Slack's
    /// Socket Mode) close then.
    pub stopping: CancellationToken,
}

impl App {
    /// The application a configuration describes, over a store and a loaded posture source:
    /// the engine applying the configured policy and recording into shared metrics. `secbot
    /// serve`, the end-to-end tests and the benchmarks all start here.
    pub fn build(config: Config, store: Arc<dyn crate::store::Store>, loaded: crate::source::Loaded) -> App {
        let queue = QueueOptions::of(&config);
        App::build_with(config, store, loaded, queue)
    }

    /// [`App::build`] with the queue's timings given (tests shorten its waits).
    pub fn build_with(
        config: Config,
        store: Arc<dyn crate::store::Store>,
        loaded: crate::source::Loaded,
        queue: QueueOptions,
    ) -> App {
        let metrics = Arc::new(Metrics::default());
        let recorded = metrics.clone();
        secbot_chat::calls::set_recorder(Arc::new(move |done| recorded.outbound(done)));
        let tasks = TaskTracker::new();
        let queue = Queue::new(store.clone(), metrics.clone(), queue, tasks.clone());
        let engine = Engine::new(loaded.source, loaded.lexicon, store)
            .with_policy(crate::engine::Policy::from_config(&config))
            .with_metrics(metrics.clone());
        App {
            engine: Arc::new(engine),
            metrics,
            config: Arc::new(config),
            tasks,
            queue,
            stopping: CancellationToken::new(),
        }
    }
}

impl App {
    /// The check of the channels' watches this application runs every watch interval (tests
    /// tick it themselves, with their own clock).
    pub fn scheduler(&self) -> crate::schedule::Scheduler {
        crate::schedule::Scheduler::new(
            self.engine.clone(),
            Arc::new(self.queue.clone()),
            self.config.watch_interval,
        )
    }
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("listen", &self.config.listen).finish()
    }
}

/// A platform whose adapter is off: its routes answer 503 with what to configure.
fn off(platform: &'static str, needs: &'static str) -> Router {
    let handler = move || async move {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(
                serde_json::json!({ "error": format!("{platform} is not configured on this secbot: set {needs} (see `secbot config check`)") }),
            ),
        )
    };
    Router::new().fallback(any(handler))
}

/// Every route secbot serves.
pub fn router(app: App) -> Router {
    let assistant: Arc<dyn Assistant> = app.engine.clone();
    let mut router = Router::new().merge(ops::router(app.clone()));
    if app.config.webchat_enabled() {
        let options = secbot_webchat::WebchatOptions {
            token: app.config.webchat_token.as_ref().map(|t| t.expose().to_owned()),
            suggestions: secbot_skills::skill::STARTERS.iter().map(|s| (*s).to_owned()).collect(),
            source: {
                let info = app.engine.source().info();
                if info.offline { format!("{} (offline)", info.name) } else { info.name }
            },
        };
        let webchat = secbot_webchat::Webchat::new(assistant.clone(), options);
        secbot_chat::Inbox::register(&app.queue, secbot_chat::Platform::Webchat, webchat.worker());
        router = router.merge(webchat.routes());
    }
    router = match &app.config.slack {
        Some(slack) => router.merge(slack::router(&app, slack)),
        None => router.nest(
            "/slack",
            off(
                "Slack",
                "SECBOT_SLACK_SIGNING_SECRET (or SECBOT_SLACK_APP_TOKEN) and SECBOT_SLACK_BOT_TOKEN",
            ),
        ),
    };
    router = match &app.config.teams {
        Some(teams) => router.merge(teams::router(&app, teams)),
        None => router.nest(
            "/api/messages",
            off("Microsoft Teams", "SECBOT_TEAMS_APP_ID and SECBOT_TEAMS_APP_PASSWORD"),
        ),
    };
    router = match &app.config.discord {
        Some(discord) => router.merge(discord::router(&app, discord)),
        None => {
            router.nest("/discord", off("Discord", "SECBOT_DISCORD_PUBLIC_KEY and SECBOT_DISCORD_APP_ID"))
        }
    };
    router.route_layer(middleware::from_fn_with_state(app.metrics, track)).fallback(not_found)
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, axum::Json(serde_json::json!({ "error": "no such route; secbot serves /, /webchat/…, /slack/…, /api/messages, /discord/interactions, /healthz, /readyz and /metrics" })))
        .into_response()
}

async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    use tracing::Instrument as _;
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    // The caller's request id when it sends one (a proxy's X-Request-Id), else a new one.
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128)
        .map_or_else(new_request_id, str::to_owned);
    let span = tracing::info_span!(
        "request",
        route = %route,
        method = %request.method(),
        request_id = %request_id,
        status = tracing::field::Empty,
    );
    let started = Instant::now();
    let response = next.run(request).instrument(span.clone()).await;
    span.record("status", response.status().as_u16());
    metrics.add(
        "secbot_http_requests_total",
        vec![("route", route.clone()), ("status", response.status().as_u16().to_string())],
        1.0,
    );
    metrics.observe("secbot_http_request_duration_seconds", vec![("route", route)], started.elapsed());
    response
}

/// A request id: 16 random hex digits.
fn new_request_id() -> String {
    let mut bytes = [0u8; 8];
    let _ = getrandom::fill(&mut bytes);
    hex::encode(bytes)
}

/// Purges what is older than the configured retention periods (transcripts, rating comments,
/// delegations), at start-up and hourly.
pub fn spawn_retention(store: Arc<dyn crate::store::Store>, config: Arc<Config>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every.tick().await;
            let now = time::OffsetDateTime::now_utc();
            match store.purge_before(&config.cutoffs(now), now).await {
                Ok(purged) => tracing::info!(
                    replies = purged.replies,
                    contexts = purged.contexts,
                    comments = purged.feedback,
                    delegations = purged.delegations,
                    claims = purged.claims,
                    "retention purge"
                ),
                Err(err) => tracing::warn!(error = %err, "retention purge failed; will retry in an hour"),
            }
        }
    });
}

/// Binds the listener, naming the setting to change when it cannot.
pub async fn bind(addr: SocketAddr) -> Result<TcpListener, ConfigError> {
    TcpListener::bind(addr).await.map_err(|e| {
        let fix = match e.kind() {
            std::io::ErrorKind::AddrInUse => "another process uses that port; stop it or choose another port",
            std::io::ErrorKind::PermissionDenied => "this user may not listen there; use a port above 1024",
            _ => "choose an address of this machine, such as 127.0.0.1:3978",
        };
        ConfigError {
            key: "SECBOT_LISTEN (listen)".to_owned(),
            problem: format!("cannot listen on {addr} ({e}); {fix}"),
        }
    })
}

/// Resolves when the process is asked to stop (SIGTERM or Ctrl-C).
async fn stop_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

/// Serves `app` on `listener` within its configured bounds until `stop` resolves.
pub async fn run(app: App, listener: TcpListener, stop: impl std::future::Future<Output = ()>) {
    let bounds = listen::Bounds::of(&app.config);
    let queue = app.queue.clone();
    let stopping = app.stopping.clone();
    let scheduler = app.scheduler();
    let routes = router(app);
    queue.start();
    scheduler.start(stopping.clone());
    listen::run(listener, routes, bounds, async move {
        stop.await;
        stopping.cancel();
    })
    .await;
}

/// Serves until SIGTERM/SIGINT, then stops accepting, lets in-flight requests and replies finish
/// within the configured grace period, and returns.
pub async fn serve(app: App, listener: TcpListener) -> anyhow::Result<()> {
    let grace = app.config.shutdown_grace;
    let tasks = app.tasks.clone();
    let queue = app.queue.clone();
    let stopping = Arc::new(Notify::new());
    let signalled = stopping.clone();
    let signalled_at = Arc::new(std::sync::OnceLock::new());
    let at = signalled_at.clone();
    tokio::spawn(async move {
        stop_signal().await;
        let _ = at.set(Instant::now());
        tracing::info!("shutting down: finishing in-flight replies");
        signalled.notify_waiters();
    });
    let wait = stopping.clone();
    let server = run(app, listener, async move { wait.notified().await });
    let deadline = async {
        stopping.notified().await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        () = server => {}
        () = deadline => tracing::warn!("requests still running after {} s; stopping anyway", grace.as_secs()),
    }
    queue.stop();
    tasks.close();
    let left = time_left(grace, signalled_at.get().copied(), Instant::now());
    if tokio::time::timeout(left, tasks.wait()).await.is_err() {
        tracing::warn!(pending = tasks.len(), "replies still pending at shutdown were dropped");
    }
    Ok(())
}

/// How long replies still queued may run at shutdown: what is left of the grace period counted
/// from the stop signal (not from start-up), and at least a moment to flush what is nearly done.
fn time_left(grace: Duration, signalled: Option<Instant>, now: Instant) -> Duration {
    let since = signalled.map(|at| now.saturating_duration_since(at)).unwrap_or_default();
    grace.saturating_sub(since).max(Duration::from_millis(100))
}

#[cfg(test)]
mod shutdown_tests {
    use super::*;

    #[test]
    fn the_grace_period_counts_from_the_stop_signal() {
        let grace = Duration::from_secs(10);
        let now = Instant::now();
        let signalled = now.checked_sub(Duration::from_secs(2));
        assert_eq!(
            time_left(grace, signalled, now),
            Duration::from_secs(8),
            "however long the server ran before"
        );
        let long_ago = now.checked_sub(Duration::from_secs(60));
        assert_eq!(time_left(grace, long_ago, now), Duration::from_millis(100), "a spent grace period ends");
        assert_eq!(time_left(grace, None, now), grace, "a stop without a signal (tests) gets all of it");
    }
}
