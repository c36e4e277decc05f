//! Answer latency at scale: builds the demo tenant grown to N findings (default 1,000,000;
//! `SECBOT_BENCH_FINDINGS` overrides), reports start-up time and peak memory, then answers each
//! sample prompt repeatedly in fresh threads and reports p50/p95 per prompt.
//! Run with `cargo bench -p secbot --bench prompts`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use secbot::engine::Engine;
use secbot::source::{self, SourceOptions};
use secbot::store::SqlStore;
use secbot_chat::{Assistant, Origin, Person, Platform, Prompt};
use time::OffsetDateTime;

const PROMPTS: [&str; 16] = [
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

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let findings: usize =
        std::env::var("SECBOT_BENCH_FINDINGS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let rounds: usize = std::env::var("SECBOT_BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let started = Instant::now();
    let loaded = source::load(&SourceOptions { scale: Some(findings), ..SourceOptions::default() })
        .expect("demo tenant");
    let load_time = started.elapsed();
    println!(
        "tenant: {} findings on {} resources, built and indexed in {:.2} s, peak RSS {:.0} MiB",
        loaded.findings,
        loaded.resources,
        load_time.as_secs_f64(),
        peak_rss_mib().unwrap_or(f64::NAN)
    );
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let store = runtime.block_on(SqlStore::in_memory()).expect("store");
    let policy = secbot::engine::Policy {
        limits: secbot::store::Limits { hour: u64::MAX / 4, month: u64::MAX / 4, channel_hour: None },
        ..secbot::engine::Policy::default()
    };
    let engine = Engine::new(loaded.source, loaded.lexicon, Arc::new(store)).with_policy(policy);
    println!("{:<62} {:>9} {:>9}", "prompt", "p50", "p95");
    let mut all = Vec::new();
    for prompt in PROMPTS {
        let mut times = Vec::with_capacity(rounds);
        for round in 0..rounds {
            let origin = Origin {
                platform: Platform::Terminal,
                tenant: "bench".into(),
                channel: "bench".into(),
                thread: Some(format!("{prompt}-{round}")),
                message: None,
                user: Person::named("dana"),
                roles: Vec::new(),
                service_url: None,
                time: OffsetDateTime::now_utc(),
            };
            let t = Instant::now();
            let reply =
                runtime.block_on(engine.answer(Prompt { origin, text: prompt.to_owned(), mentions: vec![] }));
            times.push(t.elapsed());
            assert!(!reply.card.title.is_empty());
        }
        times.sort();
        println!(
            "{prompt:<62} {:>7.3}ms {:>7.3}ms",
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.95).as_secs_f64() * 1e3
        );
        all.extend(times);
    }
    all.sort();
    println!(
        "all prompts: p50 {:.3} ms, p95 {:.3} ms; peak RSS {:.0} MiB",
        percentile(&all, 0.5).as_secs_f64() * 1e3,
        percentile(&all, 0.95).as_secs_f64() * 1e3,
        peak_rss_mib().unwrap_or(f64::NAN)
    );
}
