//! PostgreSQL restarted in the middle of a burst, under two `secbot serve` replicas sharing it:
//! every event Slack delivers (and delivers again while secbot answers 503) is answered exactly
//! once. Prints events sent, answered, lost and duplicated.
//!
//! Needs TEST_PG_URL and TEST_PG_RESTART, a shell command that restarts that server (CI sets
//! both; SECBOT_REQUIRE_PG=1 makes their absence a failure). It is a test binary of its own
//! because it takes the shared server away from every other test while it runs.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

mod support;

use secbot_slack::testing;
use serde_json::json;
use support::Server;

const SECRET: &str = "pg-restart-signing-secret-41c9";
const EVENTS: usize = 20;

fn start(database: &str, api: &str, data_dir: &std::path::Path) -> Server {
    Server::start_in(
        data_dir,
        &[
            ("SECBOT_DATABASE_URL", database),
            ("SECBOT_SLACK_SIGNING_SECRET", SECRET),
            ("SECBOT_SLACK_BOT_TOKEN", "xoxb-test-pg-restart"),
            ("SECBOT_SLACK_API_URL", api),
            ("SECBOT_BUDGET_HOUR", "100000"),
        ],
    )
}

fn thread_of(n: usize) -> String {
    format!("1795973{n:03}.000100")
}

/// Delivers event `n` to `replica` as Slack does: again (marked as a retry) after anything but
/// a 200 within the client's timeout, until it is acknowledged; how many deliveries that took.
async fn deliver_until_acknowledged(http: reqwest::Client, replica: String, n: usize) -> Option<u32> {
    let mut event = testing::mention("summarize our posture", &thread_of(n));
    event["event_id"] = json!(format!("Ev0PGRESTART{n:03}"));
    let url = format!("{replica}/slack/events");
    for attempt in 0..120u32 {
        let retry = (attempt > 0).then_some(attempt);
        if testing::deliver(&http, &url, SECRET, event.to_string(), retry).await == 200 {
            return Some(attempt + 1);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restarted_during_a_burst_loses_no_event_and_answers_none_twice() {
    let Some(pg) = support::postgres("a PostgreSQL restart during a burst") else { return };
    let Ok(restart) = std::env::var("TEST_PG_RESTART") else {
        assert!(
            std::env::var_os("SECBOT_REQUIRE_PG").is_none(),
            "SECBOT_REQUIRE_PG is set but TEST_PG_RESTART (a command restarting the server) is not"
        );
        eprintln!("skipped: set TEST_PG_RESTART to a command that restarts the server at TEST_PG_URL");
        return;
    };
    let database = support::fresh_schema(&pg).await;
    let api = testing::web_api().await;
    let api_url = format!("{}/api", api.uri());
    let dir = support::scratch("pg-restart");
    let replicas = [start(&database, &api_url, &dir.join("a")), start(&database, &api_url, &dir.join("b"))];
    // Slack gives up on a delivery after 3 seconds and sends it again.
    let http = reqwest::Client::builder().timeout(Duration::from_secs(3)).build().expect("an HTTP client");

    // The events arrive over two seconds; the database goes away and comes back under them.
    let sends: Vec<_> = (0..EVENTS)
        .map(|n| {
            let (http, replica) = (http.clone(), replicas[n % 2].url.clone());
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(100) * n as u32).await;
                deliver_until_acknowledged(http, replica, n).await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let restarted = tokio::task::spawn_blocking(move || {
        std::process::Command::new("sh").args(["-c", &restart]).output().expect("the restart command runs")
    })
    .await
    .expect("the restart finished");
    assert!(restarted.status.success(), "{}", String::from_utf8_lossy(&restarted.stderr));
    let mut deliveries = 0;
    for send in sends {
        deliveries += send.await.expect("a delivery").expect("every event is acknowledged in the end");
    }

    let started = Instant::now();
    let per_thread = |posts: &[serde_json::Value]| {
        let mut threads: BTreeMap<String, usize> = BTreeMap::new();
        for post in posts {
            *threads.entry(post["thread_ts"].as_str().unwrap_or_default().to_owned()).or_default() += 1;
        }
        threads
    };
    while per_thread(&testing::calls(&api, "chat.postMessage").await).len() < EVENTS
        && started.elapsed() < Duration::from_secs(120)
    {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let threads = per_thread(&testing::calls(&api, "chat.postMessage").await);
    let answered = (0..EVENTS).filter(|n| threads.contains_key(&thread_of(*n))).count();
    let duplicated: usize = threads.values().map(|n| n.saturating_sub(1)).sum();
    let lost = EVENTS - answered;
    println!(
        "PostgreSQL restarted during a burst, two replicas: events sent {EVENTS} ({deliveries} deliveries), answered {answered}, lost {lost}, duplicated {duplicated}"
    );
    assert_eq!((lost, duplicated), (0, 0));
}
