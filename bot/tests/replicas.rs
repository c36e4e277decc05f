//! Two `secbot serve` processes sharing one PostgreSQL behave as one bot: Slack events delivered
//! to both (and retried) are answered once, usage is counted exactly, a thread's context written
//! by one is used by the other, and a click on a card one made is handled by the other.
//!
//! Needs TEST_PG_URL (CI sets it; SECBOT_REQUIRE_PG=1 makes its absence a failure).

use std::time::Duration;

mod support;

use secbot::store::{SqlStore, Store};
use secbot_chat::{Intent, Rating, ResponseId};
use secbot_slack::testing;
use serde_json::{Value, json};
use support::Server;
use wiremock::MockServer;

const SECRET: &str = "replica-signing-secret-77a1";
/// The prompts of the 50 events, cycled, with the skill each one runs.
const PROMPTS: [(&str, Intent); 5] = [
    ("show critical risks for publicly exposed resources", Intent::ListRisks),
    ("summarize our posture for the weekly standup", Intent::Summarize),
    ("show attack paths to sensitive data", Intent::AttackPaths),
    ("what's overdue?", Intent::Status),
    ("explain Secure transfer to storage accounts should be enabled", Intent::Explain),
];

fn start(database: &str, api: &str, data_dir: &std::path::Path) -> Server {
    Server::start_with(
        data_dir,
        &["--day", "2026-11-25"],
        &[
            ("SECBOT_DATABASE_URL", database),
            ("SECBOT_SLACK_SIGNING_SECRET", SECRET),
            ("SECBOT_SLACK_BOT_TOKEN", "xoxb-test-replicas"),
            ("SECBOT_SLACK_API_URL", api),
            ("SECBOT_BUDGET_HOUR", "100000"),
        ],
    )
}

async fn deliver(
    http: &reqwest::Client,
    replica: &str,
    route: &str,
    body: String,
    retry: Option<u32>,
) -> u16 {
    testing::deliver(http, &format!("{replica}{route}"), SECRET, body, retry).await
}

fn event(n: usize, text: &str, ts: &str) -> String {
    let mut event = testing::mention(text, ts);
    event["event_id"] = json!(format!("Ev0REPLICA{n:03}"));
    event.to_string()
}

/// Waits (at most a minute) for `n` posts, then a moment longer to catch any extra.
async fn wait_for_posts(api: &MockServer, n: usize) -> Vec<Value> {
    for _ in 0..600 {
        if testing::calls(api, "chat.postMessage").await.len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    testing::calls(api, "chat.postMessage").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_one_postgres_behave_as_one_bot() {
    let Some(pg) = support::postgres("two replicas on one database") else { return };
    let database = support::fresh_schema(&pg).await;
    let api = testing::web_api().await;
    let api_url = format!("{}/api", api.uri());
    let dir = support::scratch("replicas");
    // The first replica migrates the schema; the second finds it ready.
    let a = start(&database, &api_url, &dir.join("a"));
    let b = start(&database, &api_url, &dir.join("b"));
    let http = reqwest::Client::new();

    // 50 distinct events, each delivered to both replicas and retried to both: 200 deliveries.
    let mut deliveries = Vec::new();
    let mut expected_units = 0u64;
    for n in 0..50 {
        let (text, intent) = PROMPTS[n % PROMPTS.len()];
        expected_units += u64::from(secbot_skills::skill::info(intent).cost);
        let body = event(n, text, &format!("1795970{n:03}.000100"));
        for (replica, retry) in [(&a.url, None), (&b.url, None), (&a.url, Some(1)), (&b.url, Some(2))] {
            let (http, replica, body) = (http.clone(), replica.clone(), body.clone());
            deliveries.push(tokio::spawn(async move {
                deliver(&http, &replica, "/slack/events", body, retry).await
            }));
        }
    }
    assert_eq!(deliveries.len(), 200);
    for delivery in deliveries {
        assert_eq!(delivery.await.unwrap(), 200, "every delivery is acknowledged");
    }
    let replies = wait_for_posts(&api, 50).await;
    assert_eq!(replies.len(), 50, "exactly one reply per event");
    let mut threads: Vec<&str> = replies.iter().filter_map(|p| p["thread_ts"].as_str()).collect();
    threads.sort_unstable();
    threads.dedup();
    assert_eq!(threads.len(), 50, "one reply in each event's thread");

    let store = SqlStore::open(&database, None).await.expect("the shared store");
    // Usage counts against the month the messages were written in (their Slack timestamps), not
    // the month the test runs in.
    let written = time::OffsetDateTime::from_unix_timestamp(1_795_970_000).expect("a valid time");
    let used: u64 = store
        .usage(written)
        .await
        .unwrap()
        .iter()
        .filter(|row| row.period.starts_with("m:"))
        .map(|row| row.units)
        .sum();
    assert_eq!(used, expected_units, "usage is the sum of the skills' costs");

    // A thread started on A (and only A) continues on B: B knows what "the 2nd one" is.
    let root = "1795970999.000100";
    assert_eq!(deliver(&http, &a.url, "/slack/events", event(99, PROMPTS[0].0, root), None).await, 200);
    let after = wait_for_posts(&api, 51).await;
    assert_eq!(after.len(), 51);
    let list = after[50].clone();
    assert_eq!(list["thread_ts"], root);
    let second = testing::item(&list, 2);
    let mut follow = testing::reply_in_thread("how do I fix the 2nd one?", root, "1795971000.000100");
    follow["event_id"] = json!("Ev0REPLICAFOLLOW");
    assert_eq!(deliver(&http, &b.url, "/slack/events", follow.to_string(), None).await, 200);
    let after = wait_for_posts(&api, 52).await;
    assert_eq!(after.len(), 52);
    assert_eq!(after[51]["thread_ts"], root);
    assert!(
        testing::header(&after[51]).contains(&second),
        "B fixed {second}: {}",
        testing::header(&after[51])
    );

    // Buttons on A's card, pressed on B.
    let click_on_b = |label: &str| {
        let click = testing::click(&list, "1795971051.000100", label, &format!("{}/respond", api.uri()));
        serde_urlencoded::to_string([("payload", click.to_string())]).unwrap()
    };
    assert_eq!(deliver(&http, &b.url, "/slack/interactivity", click_on_b("Remediate"), None).await, 200);
    let after = wait_for_posts(&api, 53).await;
    assert_eq!(after.len(), 53);
    assert!(testing::header(&after[52]).starts_with("Fix:"), "{}", testing::header(&after[52]));
    assert_eq!(deliver(&http, &b.url, "/slack/interactivity", click_on_b("Looks right"), None).await, 200);
    let payload: Value =
        serde_json::from_str(testing::button(&list, "Looks right")["value"].as_str().unwrap()).unwrap();
    let rated = store.feedback(&ResponseId(payload["r"].as_str().unwrap().to_owned())).await.unwrap();
    assert_eq!(rated.len(), 1);
    assert_eq!(rated[0].rating, Rating::LooksRight);
    assert_eq!(rated[0].skill, "list_risks", "the rating knows the reply the other replica made");

    drop((a, b));
    let _ = std::fs::remove_dir_all(&dir);
}
