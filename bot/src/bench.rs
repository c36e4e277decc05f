//! `secbot bench`: how fast secbot takes and answers what Slack sends, measured on this machine
//! against a bare HTTP handler in the same run, and how fast it reads prompts. A load generator in
//! this binary sends signed `app_mention` events over loopback to a server running on its own
//! runtime (as `secbot serve` runs it, SQLite store in a scratch directory) whose Slack Web API is
//! a minimal local stand-in. Every scenario is bounded and stops by itself; `--smoke` runs each
//! for a moment, failing on an error, never on a timing.

use std::future::Future;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use axum::Json;
use axum::extract::{Path, State};
use axum::routing::any;
use serde::Serialize;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot};

use crate::config::{Config, Raw};
use crate::server::App;
use crate::source::{self, SourceOptions};
use crate::store::{SqlStore, Store};

/// What `secbot bench` can measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scenario {
    /// Signed Slack events acknowledged and answered by `secbot serve`'s router.
    Ingress,
    /// The same load against a bare handler answering 200, for scale.
    Baseline,
    /// Prompts read per second on one core.
    Parse,
    /// `secbot serve` from exec to `/readyz`, and its resident memory, on a generated demo tenant
    /// and on a snapshot file of the same size (with the export that writes it).
    Startup,
    /// Each sample prompt and thread follow-up answered end to end by the engine (parse,
    /// context, query, card, and the store's writes, SQLite in a file) on demo tenants of
    /// growing size: p50 and p99 per prompt.
    Skills,
}

/// How much load each scenario gets.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// The scenarios to run, in order.
    pub scenarios: Vec<Scenario>,
    /// Events sent with a fixed number in flight.
    pub events: usize,
    /// How many are in flight.
    pub concurrency: usize,
    /// How long the fixed-rate phase sends.
    pub rate_phase: Duration,
    /// Prompts `parse` reads, taking the corpus's in turn.
    pub parse_prompts: usize,
    /// Findings of the tenant `startup` serves.
    pub startup_findings: usize,
    /// The tenant sizes `skills` answers on.
    pub skills_findings: Vec<usize>,
    /// How many times `skills` asks each prompt at each size.
    pub skills_rounds: usize,
}

impl BenchOptions {
    /// The full run: thousands of events, seconds at a fixed rate, the whole corpus five times.
    pub fn full(scenarios: Vec<Scenario>) -> BenchOptions {
        BenchOptions {
            scenarios,
            events: 4_000,
            concurrency: 16,
            rate_phase: Duration::from_secs(10),
            parse_prompts: 40_000,
            startup_findings: 1_000_000,
            skills_findings: vec![10_000, 100_000, 1_000_000, 10_000_000],
            skills_rounds: 30,
        }
    }

    /// A moment of each scenario, for CI: it fails on an error, never on a timing.
    pub fn smoke(scenarios: Vec<Scenario>) -> BenchOptions {
        BenchOptions {
            scenarios,
            events: 100,
            concurrency: 8,
            rate_phase: Duration::from_millis(500),
            parse_prompts: 500,
            startup_findings: 10_000,
            skills_findings: vec![10_000],
            skills_rounds: 2,
        }
    }
}

const SECRET: &str = "bench-signing-secret";

/// The published sample prompts the events ask, in turn.
const PROMPTS: [&str; 6] = [
    "show critical risks for publicly exposed resources",
    "show attack paths to sensitive data",
    "what's overdue?",
    "summarize our posture",
    "which fixes raise our secure score the most?",
    "show resources with high severity vulnerabilities",
];

/// Latencies of one phase, sorted.
#[derive(Debug, Clone, Serialize)]
struct Latency {
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

impl Latency {
    fn of(mut took: Vec<Duration>) -> Latency {
        took.sort_unstable();
        let at = |p: f64| {
            took.get(((took.len().saturating_sub(1)) as f64 * p).round() as usize)
                .map_or(0.0, |d| d.as_secs_f64() * 1e3)
        };
        Latency { p50_ms: at(0.50), p90_ms: at(0.90), p99_ms: at(0.99), max_ms: at(1.0) }
    }
}

/// What a load phase measured.
#[derive(Debug, Clone, Serialize)]
struct Phase {
    sent: usize,
    acknowledged: usize,
    /// Turned away with 503 because the server was at its in-flight limit (load shedding, which
    /// Slack answers by sending the event again).
    shed: usize,
    per_second: f64,
    latency: Latency,
}

/// One scenario's figures, printed as a table row and a JSON line.
#[derive(Debug, Clone, Serialize)]
struct Figures {
    scenario: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    closed_loop: Option<Phase>,
    #[serde(skip_serializing_if = "Option::is_none")]
    concurrency: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    answers_per_second: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    at_half_peak: Option<Phase>,
    #[serde(skip_serializing_if = "Option::is_none")]
    prompts_per_second: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    startup: Vec<Started>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    skills: Vec<Answered>,
}

/// The answers at one tenant size: every prompt's latencies, and all of them together.
#[derive(Debug, Clone, Serialize)]
struct Answered {
    findings: usize,
    /// Seconds to build and index the tenant.
    built_seconds: f64,
    all: Latency,
    prompts: Vec<PromptLatency>,
}

/// One prompt's latencies at one size.
#[derive(Debug, Clone, Serialize)]
struct PromptLatency {
    prompt: &'static str,
    /// Asked in a thread whose last answer is a list (a follow-up), or in a new thread.
    follow_up: bool,
    /// The skill that answered it.
    skill: String,
    latency: Latency,
}

/// One start-up measured: a command run to its end, or a server run until it was ready.
#[derive(Debug, Clone, Serialize)]
struct Started {
    what: String,
    findings: usize,
    seconds: f64,
    /// Peak resident memory (VmHWM), in MiB.
    peak_mib: f64,
}

impl Figures {
    fn named(scenario: &'static str) -> Figures {
        Figures {
            scenario,
            closed_loop: None,
            concurrency: None,
            answers_per_second: None,
            at_half_peak: None,
            prompts_per_second: None,
            startup: Vec::new(),
            skills: Vec::new(),
        }
    }

    fn row(&self) -> String {
        let phase = |p: &Option<Phase>| {
            p.as_ref().map_or_else(
                || "-".to_owned(),
                |p| {
                    let shed = if p.shed > 0 { format!(" ({} shed)", p.shed) } else { String::new() };
                    format!(
                        "{:>8.0}/s p50 {:.2} p99 {:.2} max {:.2} ms{shed}",
                        p.per_second, p.latency.p50_ms, p.latency.p99_ms, p.latency.max_ms
                    )
                },
            )
        };
        let answers = self.answers_per_second.map_or_else(|| "-".to_owned(), |a| format!("{a:.0}/s"));
        let parse = self.prompts_per_second.map_or_else(|| "-".to_owned(), |p| format!("{p:.0}/s"));
        if !self.startup.is_empty() {
            let runs: Vec<String> = self
                .startup
                .iter()
                .map(|s| {
                    format!(
                        "{} ({} findings): {:.1} s, peak {:.0} MiB",
                        s.what, s.findings, s.seconds, s.peak_mib
                    )
                })
                .collect();
            return format!("{:<9} {}", self.scenario, runs.join("; "));
        }
        if !self.skills.is_empty() {
            let sizes: Vec<String> = self
                .skills
                .iter()
                .map(|a| {
                    let slowest =
                        a.prompts.iter().max_by(|x, y| x.latency.p99_ms.total_cmp(&y.latency.p99_ms));
                    let slowest = slowest.map_or_else(String::new, |p| {
                        format!(", slowest p99 {:.2} ms ({:?})", p.latency.p99_ms, p.prompt)
                    });
                    format!(
                        "{} findings: p50 {:.2} p99 {:.2} ms{slowest}",
                        a.findings, a.all.p50_ms, a.all.p99_ms
                    )
                })
                .collect();
            return format!("{:<9} {}", self.scenario, sizes.join("; "));
        }
        format!(
            "{:<9} {:<44} {:<10} {:<44} {}",
            self.scenario,
            phase(&self.closed_loop),
            answers,
            phase(&self.at_half_peak),
            parse
        )
    }
}

/// Runs the scenarios and prints a table, then one JSON line per scenario.
pub async fn run(options: &BenchOptions, out: &mut impl Write) -> anyhow::Result<()> {
    let mut all = Vec::new();
    for scenario in &options.scenarios {
        let figures = match scenario {
            Scenario::Ingress => ingress(options).await?,
            Scenario::Baseline => baseline(options).await?,
            Scenario::Parse => parse(options).await?,
            Scenario::Startup => startup(options).await?,
            Scenario::Skills => skills(options).await?,
        };
        all.push(figures);
    }
    let in_flight = format!("acks, {} in flight", options.concurrency);
    writeln!(
        out,
        "{:<9} {in_flight:<44} {:<10} {:<44} parse (1 core)",
        "scenario", "answers", "acks at half the peak rate"
    )?;
    for figures in &all {
        writeln!(out, "{}", figures.row())?;
    }
    for figures in &all {
        writeln!(out, "{}", serde_json::to_string(figures)?)?;
    }
    Ok(())
}

/// A server on a runtime and thread of its own, as a separate process would be; it stops when
/// dropped.
struct Served {
    url: String,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Served {
    /// Binds a loopback port and runs `serve` on it until stopped; returns once it is ready.
    fn start<F, Fut>(name: &str, serve: F) -> anyhow::Result<Served>
    where
        F: FnOnce(TcpListener, oneshot::Receiver<()>, std::sync::mpsc::Sender<anyhow::Result<()>>) -> Fut
            + Send
            + 'static,
        Fut: Future<Output = ()>,
    {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").context("binding a loopback port")?;
        listener.set_nonblocking(true)?;
        let url = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = oneshot::channel();
        let (ready, is_ready) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new().name(name.to_owned()).spawn(move || {
            let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(err) => {
                    let _ = ready.send(Err(err.into()));
                    return;
                }
            };
            runtime.block_on(async move {
                match TcpListener::from_std(listener) {
                    Ok(listener) => serve(listener, stopped, ready).await,
                    Err(err) => {
                        let _ = ready.send(Err(err.into()));
                    }
                }
            });
        })?;
        is_ready.recv().context("the server thread ended before it was ready")??;
        Ok(Served { url, stop: Some(stop), thread: Some(thread) })
    }

    /// Serves `routes` as they are, until stopped.
    fn routes(name: &str, routes: axum::Router) -> anyhow::Result<Served> {
        Served::start(name, |listener, stopped, ready| async move {
            let _ = ready.send(Ok(()));
            let _ = axum::serve(listener, routes)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        })
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Slack's Web API as the bench needs it, answering with Slack's own shapes: every post accepted
/// and counted, the asker found.
async fn slack_api(State(posts): State<Arc<AtomicUsize>>, Path(method): Path<String>) -> Json<Value> {
    use secbot_slack::fixtures;
    Json(match method.as_str() {
        "chat.postMessage" => {
            let n = posts.fetch_add(1, Ordering::SeqCst) + 1;
            let ts = format!("1796{n:06}.000200");
            let mut answer = fixtures::fixture(fixtures::CHAT_POST_MESSAGE);
            answer["ts"] = json!(ts);
            answer["message"]["ts"] = json!(ts);
            answer
        }
        "users.info" => fixtures::fixture(fixtures::USERS_INFO),
        _ => fixtures::fixture(fixtures::OK),
    })
}

/// The events' bodies, each a new message (unique `ts` and event id) asking a sample prompt.
fn event(n: usize) -> String {
    let ts = format!("1795{n:06}.000100");
    secbot_slack::fixtures::mention(PROMPTS[n % PROMPTS.len()], &ts).to_string()
}

/// `events` events with `in_flight` outstanding at any time, numbered from `first`.
async fn closed_loop(url: &str, first: usize, events: usize, in_flight: usize) -> anyhow::Result<Phase> {
    let http = reqwest::Client::new();
    let gate = Arc::new(Semaphore::new(in_flight));
    let started = Instant::now();
    let mut sends = Vec::with_capacity(events);
    for n in first..first + events {
        let permit = gate.clone().acquire_owned().await?;
        let (http, url, body) = (http.clone(), url.to_owned(), event(n));
        sends.push(tokio::spawn(async move {
            let at = Instant::now();
            let status = secbot_slack::fixtures::deliver(&http, &url, SECRET, body, None).await;
            drop(permit);
            (status, at.elapsed())
        }));
    }
    finish(sends, started).await
}

/// Events sent at a fixed rate for `duration`, each timed from when it was due (so a server
/// that stalls is charged for the wait, not just for the requests that got through).
async fn open_loop(url: &str, first: usize, rate: f64, duration: Duration) -> anyhow::Result<Phase> {
    let http = reqwest::Client::new();
    let count = ((rate * duration.as_secs_f64()) as usize).max(1);
    let interval = Duration::from_secs_f64(1.0 / rate.max(1.0));
    let started = Instant::now();
    let mut sends = Vec::with_capacity(count);
    for i in 0..count {
        let due = started + interval * i as u32;
        tokio::time::sleep_until(due.into()).await;
        let (http, url, body) = (http.clone(), url.to_owned(), event(first + i));
        sends.push(tokio::spawn(async move {
            let status = secbot_slack::fixtures::deliver(&http, &url, SECRET, body, None).await;
            (status, due.elapsed())
        }));
    }
    finish(sends, started).await
}

async fn finish(
    sends: Vec<tokio::task::JoinHandle<(u16, Duration)>>,
    started: Instant,
) -> anyhow::Result<Phase> {
    let sent = sends.len();
    let mut took = Vec::with_capacity(sent);
    let (mut shed, mut failed) = (0, std::collections::BTreeMap::<u16, usize>::new());
    for send in sends {
        match send.await? {
            (200, latency) => took.push(latency),
            (503, _) => shed += 1,
            (status, _) => *failed.entry(status).or_default() += 1,
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    if !failed.is_empty() {
        let statuses: Vec<String> = failed.iter().map(|(s, n)| format!("{n} × {s}")).collect();
        bail!("of {sent} events, some were refused: {} (0 = no answer)", statuses.join(", "));
    }
    let acknowledged = took.len();
    Ok(Phase {
        sent,
        acknowledged,
        shed,
        per_second: acknowledged as f64 / elapsed,
        latency: Latency::of(took),
    })
}

async fn ingress(options: &BenchOptions) -> anyhow::Result<Figures> {
    // As `secbot serve` does, the intent model is trained before the first event arrives.
    tokio::task::spawn_blocking(secbot_skills::intent::corpus::model).await?;
    let posts = Arc::new(AtomicUsize::new(0));
    let counted = posts.clone();
    let routes = axum::Router::new().route("/api/{method}", any(slack_api)).with_state(counted);
    let api = Served::routes("bench-slack-api", routes)?;
    let dir = std::env::temp_dir().join(format!("secbot-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).context("creating a scratch directory")?;
    let env: Vec<(String, String)> = [
        ("SECBOT_SLACK_SIGNING_SECRET", SECRET.to_owned()),
        ("SECBOT_SLACK_BOT_TOKEN", "xoxb-bench".to_owned()),
        ("SECBOT_SLACK_API_URL", format!("{}/api", api.url)),
        ("SECBOT_DATA_DIR", dir.display().to_string()),
        ("SECBOT_BUDGET_HOUR", "1000000000".to_owned()),
        ("SECBOT_BUDGET_MONTH", "1000000000".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let config = Config::from_raw(&Raw::load(None, env)?)?;
    let data = dir.clone();
    let server = Served::start("bench-secbot", move |listener, stopped, ready| async move {
        let built = async {
            let store: Arc<dyn Store> = Arc::new(SqlStore::in_dir(&data, None).await?);
            let loaded = source::load(&SourceOptions::default())?;
            anyhow::Ok(App::build(config, store, loaded))
        };
        let app = match built.await {
            Ok(app) => app,
            Err(err) => {
                let _ = ready.send(Err(err));
                return;
            }
        };
        let tasks = app.tasks.clone();
        let _ = ready.send(Ok(()));
        crate::server::run(app, listener, async {
            let _ = stopped.await;
        })
        .await;
        tasks.close();
        tasks.wait().await;
    })?;
    let url = format!("{}/slack/events", server.url);
    let started = Instant::now();
    let closed = closed_loop(&url, 0, options.events, options.concurrency).await?;
    let limit = Duration::from_secs(300);
    while posts.load(Ordering::SeqCst) < options.events && started.elapsed() < limit {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let answered = posts.load(Ordering::SeqCst);
    if answered < options.events {
        bail!("{answered} of {} events were answered within {} s", options.events, limit.as_secs());
    }
    let answers = answered as f64 / started.elapsed().as_secs_f64();
    let half = open_loop(&url, options.events, closed.per_second / 2.0, options.rate_phase).await?;
    drop(server);
    drop(api);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(Figures {
        closed_loop: Some(closed),
        concurrency: Some(options.concurrency),
        answers_per_second: Some(answers),
        at_half_peak: Some(half),
        ..Figures::named("ingress")
    })
}

async fn baseline(options: &BenchOptions) -> anyhow::Result<Figures> {
    let server =
        Served::routes("bench-baseline", axum::Router::new().route("/slack/events", any(|| async { "" })))?;
    let url = format!("{}/slack/events", server.url);
    let closed = closed_loop(&url, 0, options.events, options.concurrency).await?;
    let half = open_loop(&url, options.events, closed.per_second / 2.0, options.rate_phase).await?;
    Ok(Figures {
        closed_loop: Some(closed),
        concurrency: Some(options.concurrency),
        at_half_peak: Some(half),
        ..Figures::named("baseline")
    })
}

async fn parse(options: &BenchOptions) -> anyhow::Result<Figures> {
    let wanted = options.parse_prompts;
    let rate = tokio::task::spawn_blocking(move || {
        use secbot_skills::demo::{self, DemoOptions};
        use secbot_skills::intent::{Lexicon, corpus, parse};
        let today = time::OffsetDateTime::now_utc().date();
        let lexicon = Lexicon::of_tenant(&demo::tenant(&DemoOptions::for_day(today)));
        let prompts: Vec<&str> = corpus::prompts().iter().map(|r| r.prompt.as_str()).collect();
        // Warm up: the model, lazily built tables and the regex engines' caches.
        for p in prompts.iter().take(wanted.min(prompts.len())) {
            std::hint::black_box(parse(p, &lexicon, today));
        }
        let started = Instant::now();
        for p in prompts.iter().cycle().take(wanted) {
            std::hint::black_box(parse(p, &lexicon, today));
        }
        wanted as f64 / started.elapsed().as_secs_f64()
    })
    .await?;
    Ok(Figures { prompts_per_second: Some(rate), ..Figures::named("parse") })
}

/// Peak resident memory of a process (VmHWM), in MiB; 0 where /proc does not say.
fn peak_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

/// Runs `secbot serve` with `args` until `/readyz` answers 200 (at most five minutes).
async fn serve_until_ready(
    what: &str,
    findings: usize,
    args: &[String],
    data_dir: &std::path::Path,
) -> anyhow::Result<Started> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let started = Instant::now();
    let mut child = std::process::Command::new(std::env::current_exe()?)
        .arg("serve")
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(args)
        .env("SECBOT_DATA_DIR", data_dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .context("starting secbot serve")?;
    let ready = wait_ready(&mut child, port, what, started).await;
    let peak = peak_mib(child.id());
    let _ = child.kill();
    let _ = child.wait();
    ready?;
    Ok(Started { what: what.to_owned(), findings, seconds: started.elapsed().as_secs_f64(), peak_mib: peak })
}

/// Waits until the server on `port` answers `/readyz` with 200.
async fn wait_ready(
    child: &mut std::process::Child,
    port: u16,
    what: &str,
    started: Instant,
) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/readyz");
    loop {
        if http.get(&url).send().await.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        if let Some(status) = child.try_wait()? {
            bail!("secbot serve ({what}) exited before it was ready: {status}");
        }
        if started.elapsed() > Duration::from_secs(300) {
            bail!("secbot serve ({what}) was not ready within five minutes");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

async fn startup(options: &BenchOptions) -> anyhow::Result<Figures> {
    let findings = options.startup_findings;
    let dir = std::env::temp_dir().join(format!("secbot-bench-startup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).context("creating a scratch directory")?;
    let scale = ["--scale".to_owned(), findings.to_string()];
    let demo = serve_until_ready("demo tenant", findings, &scale, &dir).await?;

    // The snapshot path a real tenant takes: written by `secbot demo export`, then served.
    let file = dir.join("snapshot.json");
    let started = Instant::now();
    let mut child = std::process::Command::new(std::env::current_exe()?)
        .args(["demo", "export", "--out"])
        .arg(&file)
        .args(&scale)
        .stdout(std::process::Stdio::null())
        .spawn()
        .context("starting secbot demo export")?;
    // VmHWM is read while the export runs: once it exits, /proc forgets it.
    let mut peak = 0f64;
    let status = loop {
        peak = peak.max(peak_mib(child.id()));
        if let Some(status) = child.try_wait()? {
            break status;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    if !status.success() {
        bail!("secbot demo export failed: {status}");
    }
    let exported = Started {
        what: "export".to_owned(),
        findings,
        seconds: started.elapsed().as_secs_f64(),
        peak_mib: peak,
    };
    let data = ["--data".to_owned(), file.display().to_string()];
    let snapshot = serve_until_ready("snapshot", findings, &data, &dir).await?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(Figures { startup: vec![demo, exported, snapshot], ..Figures::named("startup") })
}

/// The sample prompts `skills` asks, each in a new thread.
const SAMPLES: [&str; 16] = [
    "Show critical risks for publicly exposed resources",
    "Show critical risks to sensitive data",
    "Show resources with high severity vulnerabilities",
    "which storage accounts are open to the internet?",
    "crit findings in aws pls",
    "what's overdue?",
    "show unassigned high severity recommendations",
    "what's on my plate?",
    "summarize our posture for the weekly standup",
    "what happened overnight?",
    "show attack paths to sensitive data",
    "how do I fix kv-payments-prod",
    "explain Secure transfer to storage accounts should be enabled",
    "what can you do?",
    "what's our secure score?",
    "which fixes raise our secure score the most?",
];

/// The follow-ups `skills` asks in turn in a thread that starts with [`SAMPLES`]' first list.
const FOLLOW_UPS: [&str; 7] = [
    "explain the 2nd one",
    "how do I fix it?",
    "terraform for it",
    "assign it to @dana by friday",
    "who owns it?",
    "show more",
    "summarize these",
];

/// Where a `skills` prompt is asked: a thread of its own on the terminal.
fn bench_origin(thread: String) -> secbot_chat::Origin {
    secbot_chat::Origin {
        platform: secbot_chat::Platform::Terminal,
        tenant: "bench".into(),
        channel: "bench".into(),
        thread: Some(thread),
        message: None,
        user: secbot_chat::Person::named("dana"),
        roles: Vec::new(),
        service_url: None,
        time: time::OffsetDateTime::now_utc(),
    }
}

async fn skills(options: &BenchOptions) -> anyhow::Result<Figures> {
    use secbot_chat::{Assistant, Prompt};
    tokio::task::spawn_blocking(secbot_skills::intent::corpus::model).await?;
    let mut sizes = Vec::new();
    for &scale in &options.skills_findings {
        let dir = std::env::temp_dir().join(format!("secbot-bench-skills-{}", std::process::id()));
        std::fs::create_dir_all(&dir).context("creating a scratch directory")?;
        let started = Instant::now();
        let loaded = tokio::task::spawn_blocking(move || {
            source::load(&SourceOptions { scale: Some(scale), ..SourceOptions::default() })
        })
        .await??;
        let built_seconds = started.elapsed().as_secs_f64();
        let findings = loaded.findings;
        let store: Arc<dyn Store> = Arc::new(SqlStore::in_dir(&dir, None).await?);
        let engine = crate::engine::Engine::new(loaded.source, loaded.lexicon, store)
            .with_policy(crate::engine::Policy::unlimited());
        let ask = |thread: String, text: &str| {
            let prompt = Prompt { origin: bench_origin(thread), text: text.to_owned(), mentions: Vec::new() };
            let engine = &engine;
            async move {
                let started = Instant::now();
                let reply = engine.answer(prompt).await;
                (started.elapsed(), reply)
            }
        };
        let mut timed: Vec<(&'static str, bool, String, Vec<Duration>)> = SAMPLES
            .iter()
            .map(|p| (*p, false, String::new(), Vec::new()))
            .chain(FOLLOW_UPS.iter().map(|p| (*p, true, String::new(), Vec::new())))
            .collect();
        // Round 0 warms up what is worked out on first use (the secure score, caches).
        for round in 0..=options.skills_rounds {
            for (i, prompt) in SAMPLES.iter().enumerate() {
                let (took, reply) = ask(format!("s{findings}-{round}-{i}"), prompt).await;
                if reply.card.title.is_empty() {
                    bail!("{prompt:?} got an empty answer at {findings} findings");
                }
                if round > 0 {
                    timed[i].2 = reply.skill;
                    timed[i].3.push(took);
                }
            }
            let thread = format!("f{findings}-{round}");
            ask(thread.clone(), SAMPLES[0]).await;
            for (i, prompt) in FOLLOW_UPS.iter().enumerate() {
                let (took, reply) = ask(thread.clone(), prompt).await;
                if round > 0 {
                    timed[SAMPLES.len() + i].2 = reply.skill;
                    timed[SAMPLES.len() + i].3.push(took);
                }
            }
        }
        let all = Latency::of(timed.iter().flat_map(|(_, _, _, t)| t.iter().copied()).collect());
        let prompts = timed
            .into_iter()
            .map(|(prompt, follow_up, skill, took)| PromptLatency {
                prompt,
                follow_up,
                skill,
                latency: Latency::of(took),
            })
            .collect();
        sizes.push(Answered { findings, built_seconds, all, prompts });
        drop(engine);
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(Figures { skills: sizes, ..Figures::named("skills") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_read_from_the_sorted_latencies() {
        let took: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        let l = Latency::of(took);
        assert_eq!(
            (l.p50_ms.round(), l.p90_ms.round(), l.p99_ms.round(), l.max_ms),
            (51.0, 90.0, 99.0, 100.0)
        );
        assert_eq!(Latency::of(Vec::new()).max_ms, 0.0);
    }
}
