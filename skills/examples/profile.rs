//! Times the posture source's heavy queries at scale, for working on the index:
//! `cargo run --release -p secbot-skills --example profile [FINDINGS]`.

use std::time::Instant;

use secbot_skills::demo::{self, DemoOptions};
use secbot_skills::posture::{AttackPathFilter, FindingFilter, PostureSource, Status};
use secbot_skills::tenant::IndexedSource;

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let today = time::OffsetDateTime::now_utc().date();
    let source =
        IndexedSource::new(demo::tenant(&DemoOptions { findings: Some(n), ..DemoOptions::for_day(today) }));
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    let time = |label: &str, f: &mut dyn FnMut()| {
        let start = Instant::now();
        for _ in 0..20 {
            f();
        }
        println!("{label:<40} {:>8.3} ms", start.elapsed().as_secs_f64() * 1e3 / 20.0);
    };
    let all = FindingFilter::default();
    time("summary(all unhealthy)", &mut || drop(rt.block_on(source.summary(&all, today))));
    time("findings(all unhealthy, 3)", &mut || drop(rt.block_on(source.findings(&all, 0, 3))));
    let healthy = FindingFilter { statuses: vec![Status::Healthy], ..FindingFilter::default() };
    time("findings(healthy, 0)", &mut || drop(rt.block_on(source.findings(&healthy, 0, 0))));
    time("attack_paths(all)", &mut || drop(rt.block_on(source.attack_paths(&AttackPathFilter::default()))));
    time("subscriptions", &mut || drop(rt.block_on(source.subscriptions())));
    let overdue = FindingFilter { assigned: Some(true), due_before: Some(today), ..FindingFilter::default() };
    time("summary(overdue)", &mut || drop(rt.block_on(source.summary(&overdue, today))));
    time("findings(overdue, 5)", &mut || drop(rt.block_on(source.findings(&overdue, 0, 5))));
}
