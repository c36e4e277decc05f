//! Slack webhook throughput: `secbot serve`'s router on loopback with its SQLite store in a
//! file (WAL), wiremock as Slack's Web API, and signed `app_mention` events sent with a fixed
//! number in flight. Reports how fast events are acknowledged (p50/p95/p99) and how many are
//! answered end to end per second (event sent → `chat.postMessage` received).
//! Run with `cargo bench -p secbot --bench slack`; `SECBOT_BENCH_EVENTS` (default 2,000) and
//! `SECBOT_BENCH_CONCURRENCY` (default 32) change the load. The run is bounded and stops by itself.

use std::sync::Arc;
use std::time::{Duration, Instant};

use secbot::config::{Config, Raw};
use secbot::server::App;
use secbot::source::{self, SourceOptions};
use secbot::store::{SqlStore, Store};
use secbot_slack::testing;
use tokio::sync::Semaphore;

const SECRET: &str = "bench-signing-secret";
const PROMPTS: [&str; 5] = [
    "show critical risks for publicly exposed resources",
    "what's overdue?",
    "summarize our posture",
    "show attack paths to sensitive data",
    "explain Secure transfer to storage accounts should be enabled",
];

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let events: usize =
        std::env::var("SECBOT_BENCH_EVENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000);
    let in_flight: usize =
        std::env::var("SECBOT_BENCH_CONCURRENCY").ok().and_then(|v| v.parse().ok()).unwrap_or(32);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(run(events, in_flight));
}

async fn run(events: usize, in_flight: usize) {
    // As `secbot serve` does, the intent model is trained before the first event arrives.
    tokio::task::spawn_blocking(secbot_skills::intent::corpus::model).await.expect("the model trains");
    let api = testing::web_api().await;
    let api_url = format!("{}/api", api.uri());
    let dir = std::env::temp_dir().join(format!("secbot-bench-slack-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let env = [
        ("SECBOT_SLACK_SIGNING_SECRET", SECRET),
        ("SECBOT_SLACK_BOT_TOKEN", "xoxb-bench"),
        ("SECBOT_SLACK_API_URL", api_url.as_str()),
        ("SECBOT_BUDGET_HOUR", "100000000"),
        ("SECBOT_BUDGET_MONTH", "100000000"),
    ];
    let raw = Raw::load(None, env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))).expect("settings");
    let config = Config::from_raw(&raw).expect("valid settings");
    let store: Arc<dyn Store> = Arc::new(SqlStore::in_dir(&dir, None).await.expect("a SQLite store"));
    let loaded = source::load(&SourceOptions::default()).expect("the demo tenant");
    let app = App::build(config, store, loaded);
    let tasks = app.tasks.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
    let url = format!("http://{}/slack/events", listener.local_addr().expect("an address"));
    tokio::spawn(secbot::server::run(app, listener, std::future::pending()));

    let http = reqwest::Client::new();
    let gate = Arc::new(Semaphore::new(in_flight));
    let started = Instant::now();
    let mut sent = Vec::with_capacity(events);
    for n in 0..events {
        let permit = gate.clone().acquire_owned().await.expect("the gate stays open");
        let (http, url) = (http.clone(), url.clone());
        let body = testing::mention(PROMPTS[n % PROMPTS.len()], &format!("1795{n:06}.000100")).to_string();
        sent.push(tokio::spawn(async move {
            let at = Instant::now();
            let status = testing::deliver(&http, &url, SECRET, body, None).await;
            drop(permit);
            (status, at.elapsed())
        }));
    }
    let mut acks = Vec::with_capacity(events);
    for handle in sent {
        let (status, took) = handle.await.expect("a delivery");
        assert_eq!(status, 200, "every event is acknowledged");
        acks.push(took);
    }
    let acked = started.elapsed();
    let deadline = Instant::now() + Duration::from_secs(300);
    while testing::calls(&api, "chat.postMessage").await.len() < events && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let answered = started.elapsed();
    let posts = testing::calls(&api, "chat.postMessage").await.len();
    acks.sort_unstable();
    println!("{events} signed app_mention events, {in_flight} in flight, demo tenant, SQLite file store");
    println!(
        "acknowledged: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms; all {events} in {:.2} s",
        ms(percentile(&acks, 0.50)),
        ms(percentile(&acks, 0.95)),
        ms(percentile(&acks, 0.99)),
        ms(acks[acks.len() - 1]),
        acked.as_secs_f64()
    );
    println!(
        "answered: {posts} replies posted in {:.2} s ({:.0} events/s end to end)",
        answered.as_secs_f64(),
        posts as f64 / answered.as_secs_f64()
    );
    tasks.close();
    tasks.wait().await;
    let _ = std::fs::remove_dir_all(&dir);
}
