//! Nothing acknowledged is lost, nothing is answered twice: `secbot serve` as a process, signed
//! Slack events and slash commands, and a Slack Web API (wiremock) that fails on cue. Each test prints how many
//! events were sent and answered and how many were lost or duplicated.
//! - the chat API answers 503 for a minute while events arrive;
//! - the process is killed (SIGKILL) after Slack got its 200s and before any reply went out,
//!   then restarted;
//! - SIGTERM arrives during a burst, then the process is restarted;
//! - the process is killed after acknowledging slash commands, then restarted;
//! - the process is killed after acknowledging button clicks, then restarted.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod support;

use secbot_slack::testing;
use serde_json::{Value, json};
use support::{Server, scratch};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const SECRET: &str = "delivery-signing-secret-5b2e";
const EVENTS: usize = 20;

/// `chat.postMessage` as a Slack that is down (503) or up, keeping what it accepted.
#[derive(Default)]
struct PostMessage {
    down: AtomicBool,
    delay: Mutex<Duration>,
    counter: AtomicU64,
    accepted: Mutex<Vec<Value>>,
}

#[derive(Clone)]
struct Responder(Arc<PostMessage>);

impl Respond for Responder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let state = &self.0;
        if state.down.load(Ordering::SeqCst) {
            return ResponseTemplate::new(503).set_body_string("service unavailable");
        }
        let sent: Value = serde_json::from_slice(&request.body).unwrap_or_default();
        let n = state.counter.fetch_add(1, Ordering::SeqCst) + 1;
        let ts = format!("1795972{n:03}.000100");
        state.accepted.lock().unwrap().push(sent.clone());
        let body = json!({ "ok": true, "channel": sent["channel"], "ts": ts, "message": { "ts": ts } });
        ResponseTemplate::new(200)
            .set_body_raw(body.to_string(), "application/json")
            .set_delay(*state.delay.lock().unwrap())
    }
}

async fn slack() -> (MockServer, Arc<PostMessage>) {
    let api = testing::web_api().await;
    let state = Arc::new(PostMessage::default());
    Mock::given(method("POST"))
        .and(path("/api/chat.postMessage"))
        .respond_with(Responder(state.clone()))
        .with_priority(1)
        .mount(&api)
        .await;
    (api, state)
}

fn start(data: &std::path::Path, api: &MockServer) -> Server {
    let api_url = format!("{}/api", api.uri());
    Server::start_in(
        data,
        &[
            ("SECBOT_SLACK_SIGNING_SECRET", SECRET),
            ("SECBOT_SLACK_BOT_TOKEN", "xoxb-test-delivery"),
            ("SECBOT_SLACK_API_URL", &api_url),
            ("SECBOT_BUDGET_HOUR", "100000"),
        ],
    )
}

fn thread_of(n: usize) -> String {
    format!("1795970{n:03}.000100")
}

/// The events of a burst: mentions, each starting its own thread.
fn mentions() -> Vec<(&'static str, String)> {
    (0..EVENTS)
        .map(|n| {
            let mut event = testing::mention("summarize our posture", &thread_of(n));
            event["event_id"] = json!(format!("Ev0DELIVERY{n:03}"));
            ("/slack/events", event.to_string())
        })
        .collect()
}

/// Who types the n-th slash command of a burst.
fn commander(n: usize) -> String {
    format!("U0CMD{n:03}")
}

/// The slash commands of a burst, each typed by another person (in the fixture's shape).
fn commands() -> Vec<(&'static str, String)> {
    (0..EVENTS)
        .map(|n| {
            let body = testing::fixtures::SLASH_COMMAND
                .trim()
                .replace("user_id=U0RAJ", &format!("user_id={}", commander(n)))
                .replace(
                    "trigger_id=8204419375.1795970800.5c2f1e",
                    &format!("trigger_id=8204419375.1795970800.{n:06}"),
                );
            ("/slack/commands", body)
        })
        .collect()
}

/// Sends the requests (all at once) and returns how many were acknowledged with 200.
async fn burst(url: &str, requests: Vec<(&'static str, String)>) -> usize {
    let http = reqwest::Client::new();
    let sends: Vec<_> = requests
        .into_iter()
        .map(|(route, body)| {
            let (http, url) = (http.clone(), format!("{url}{route}"));
            tokio::spawn(async move { testing::deliver(&http, &url, SECRET, body, None).await })
        })
        .collect();
    let mut acked = 0;
    for send in sends {
        if send.await.unwrap() == 200 {
            acked += 1;
        }
    }
    acked
}

/// Which request of a burst a post answers: the mention's thread, or the command's asker
/// named in the card's first line (a command's answer starts a thread of its own).
fn answered(post: &Value) -> Option<usize> {
    if let Some(thread) = post["thread_ts"].as_str() {
        return (0..EVENTS).find(|n| thread_of(*n) == thread);
    }
    let opening = post["blocks"][0]["elements"][0]["text"].as_str()?;
    (0..EVENTS).find(|n| opening.starts_with(&format!("<@{}>", commander(*n))))
}

/// Waits (at most `limit`) until every request of the burst has a reply, then a moment longer
/// for any duplicate; prints and returns (answered, lost, duplicated).
async fn tally(state: &PostMessage, what: &str, limit: Duration) -> (usize, usize, usize) {
    let started = Instant::now();
    let per_request = || {
        let mut replies: BTreeMap<usize, usize> = BTreeMap::new();
        for post in state.accepted.lock().unwrap().iter() {
            if let Some(n) = answered(post) {
                *replies.entry(n).or_default() += 1;
            }
        }
        replies
    };
    while per_request().len() < EVENTS && started.elapsed() < limit {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let replies = per_request();
    let answered = replies.len();
    let duplicated: usize = replies.values().map(|n| n.saturating_sub(1)).sum();
    let lost = EVENTS - answered;
    println!("{what}: sent {EVENTS}, answered {answered}, lost {lost}, duplicated {duplicated}");
    (answered, lost, duplicated)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chat_api_down_for_a_minute_loses_no_reply_and_sends_none_twice() {
    let (api, state) = slack().await;
    let data = scratch("delivery-outage");
    let server = start(&data, &api);
    state.down.store(true, Ordering::SeqCst);
    assert_eq!(
        burst(&server.url, mentions()).await,
        EVENTS,
        "every event is acknowledged while Slack's API is down"
    );
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert!(state.accepted.lock().unwrap().is_empty());
    state.down.store(false, Ordering::SeqCst);
    let (_, lost, duplicated) = tally(&state, "503 for 60 s", Duration::from_secs(150)).await;
    assert_eq!((lost, duplicated), (0, 0));
    let (_, metrics) = server.get("/metrics");
    assert!(metrics.contains("secbot_delivery_retries_total{platform=\"slack\"}"), "{metrics}");
    assert!(metrics.contains("secbot_jobs{state=\"sent\"} 20"), "{metrics}");
}

/// Sends a burst while Slack's API is down, kills the process (SIGKILL) once every request is
/// acknowledged and before any reply went out, restarts it, and counts the replies.
async fn kill_9_then_restart(requests: Vec<(&'static str, String)>, what: &str, scratch_name: &str) {
    let (api, state) = slack().await;
    let data = scratch(scratch_name);
    let server = start(&data, &api);
    state.down.store(true, Ordering::SeqCst);
    assert_eq!(burst(&server.url, requests).await, EVENTS);
    tokio::time::sleep(Duration::from_secs(1)).await;
    server.kill();
    assert!(state.accepted.lock().unwrap().is_empty(), "no reply went out before the crash");
    state.down.store(false, Ordering::SeqCst);
    let _restarted = start(&data, &api);
    let (_, lost, duplicated) = tally(&state, what, Duration::from_secs(60)).await;
    assert_eq!((lost, duplicated), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_after_the_acks_then_a_restart_answers_every_event_exactly_once() {
    kill_9_then_restart(mentions(), "kill -9 and restart", "delivery-kill").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_a_burst_then_a_restart_answers_every_event_exactly_once() {
    let (api, state) = slack().await;
    *state.delay.lock().unwrap() = Duration::from_millis(300);
    let data = scratch("delivery-sigterm");
    let server = start(&data, &api);
    assert_eq!(burst(&server.url, mentions()).await, EVENTS);
    let (code, _) = server.terminate();
    assert_eq!(code, Some(0), "a clean exit");
    let _restarted = start(&data, &api);
    let (_, lost, duplicated) = tally(&state, "SIGTERM during a burst", Duration::from_secs(60)).await;
    assert_eq!((lost, duplicated), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_after_slash_commands_are_acknowledged_then_a_restart_answers_each_once() {
    kill_9_then_restart(commands(), "slash commands, kill -9 and restart", "delivery-kill-commands").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_after_button_clicks_are_acknowledged_then_a_restart_answers_each_once() {
    let (api, state) = slack().await;
    let data = scratch("delivery-kill-clicks");
    let server = start(&data, &api);
    // Twenty lists, each in its own thread, while Slack is up.
    let lists: Vec<(&'static str, String)> = (0..EVENTS)
        .map(|n| {
            let mut event = testing::mention("show critical risks", &thread_of(n));
            event["event_id"] = json!(format!("Ev0CLICKS{n:03}"));
            ("/slack/events", event.to_string())
        })
        .collect();
    assert_eq!(burst(&server.url, lists).await, EVENTS);
    let (_, lost, _) = tally(&state, "the lists to click on", Duration::from_secs(60)).await;
    assert_eq!(lost, 0);
    // Slack's API goes down; someone presses "Summarize these" on every list.
    let posted: Vec<Value> = std::mem::take(&mut *state.accepted.lock().unwrap());
    state.down.store(true, Ordering::SeqCst);
    let respond = format!("{}/respond", api.uri());
    let clicks: Vec<(&'static str, String)> = posted
        .iter()
        .map(|post| {
            let ts = post["thread_ts"].as_str().expect("a list in its thread").replace(".000100", ".000200");
            let click = testing::click(post, &ts, "Summarize these", &respond);
            ("/slack/interactivity", serde_urlencoded::to_string([("payload", click.to_string())]).unwrap())
        })
        .collect();
    assert_eq!(burst(&server.url, clicks).await, EVENTS, "every click is acknowledged while Slack is down");
    tokio::time::sleep(Duration::from_secs(1)).await;
    server.kill();
    assert!(state.accepted.lock().unwrap().is_empty(), "no answer went out before the crash");
    state.down.store(false, Ordering::SeqCst);
    let _restarted = start(&data, &api);
    let (_, lost, duplicated) =
        tally(&state, "button clicks, kill -9 and restart", Duration::from_secs(60)).await;
    assert_eq!((lost, duplicated), (0, 0));
    let headers: Vec<String> = state.accepted.lock().unwrap().iter().map(testing::header).collect();
    assert!(headers.iter().all(|h| h.starts_with("Summary")), "each click ran its action: {headers:?}");
}
