//! Watches end to end on Slack: a channel asks secbot to watch a question; the tenant (a
//! snapshot file served live) changes between ticks of a clock the test moves; each new
//! finding arrives as a new top-level message whose thread is about it, a burst arrives as one
//! card, a fix is said in the finding's thread, and nothing is posted twice — not on a tick
//! run again, not after a restart.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use secbot::store::Store;
use secbot_chat::{Platform, Subject, ThreadKey};
use secbot_skills::demo::{self, DemoOptions};
use secbot_skills::posture::Status;
use secbot_skills::tenant::TenantData;
use secbot_slack::testing::{self, buttons, header};
use secbot_tests::{DAY, Server};
use serde_json::Value;
use time::{Duration, OffsetDateTime};

const SECRET: &str = "watch-signing-secret-0c1d";
const TOKEN: &str = "xoxb-test-watch";
const TEAM: &str = "T0CONTOSO";
const CHANNEL: &str = "C0SECOPS";

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("secbot-watch-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

/// The demo tenant with the findings `hidden` names (recommendation key, resource id) left
/// out, and those `healthy` names passing, written where the server reads it.
fn write_tenant(file: &Path, full: &TenantData, hidden: &[(String, String)], healthy: &[(String, String)]) {
    let mut data = full.clone();
    let key = |data: &TenantData, f: &secbot_skills::tenant::FindingRecord| {
        (
            data.recommendations[f.recommendation as usize].key.clone(),
            data.resources[f.resource as usize].id.clone(),
        )
    };
    let keep: Vec<bool> = data.findings.iter().map(|f| !hidden.contains(&key(full, f))).collect();
    let mut kept = keep.iter();
    data.findings.retain(|_| *kept.next().unwrap_or(&true));
    for i in 0..data.findings.len() {
        if healthy.contains(&key(full, &data.findings[i])) {
            data.findings[i].status = Status::Healthy;
        }
    }
    let text = secbot_skills::snapshot::write(&data).to_string();
    // A rewrite the server must notice even within the file system's timestamp resolution:
    // the size changes whenever the content does here.
    std::fs::write(file, text).expect("the snapshot is written");
}

struct Channel {
    api: wiremock::MockServer,
    server: Server,
    http: reqwest::Client,
}

impl Channel {
    async fn start(data: &Path, store: Option<Arc<dyn Store>>, api: Option<wiremock::MockServer>) -> Channel {
        let api = match api {
            Some(api) => api,
            None => testing::web_api().await,
        };
        let api_url = format!("{}/api/", api.uri());
        let data = data.display().to_string();
        let settings = [
            ("SECBOT_SLACK_SIGNING_SECRET", SECRET),
            ("SECBOT_SLACK_BOT_TOKEN", TOKEN),
            ("SECBOT_SLACK_API_URL", api_url.as_str()),
            ("SECBOT_DATA", data.as_str()),
            ("SECBOT_WATCH_BURST", "5"),
            ("SECBOT_BUDGET_HOUR", "100000"),
        ];
        let server = Server::start_on(&settings, store).await;
        Channel { api, server, http: reqwest::Client::new() }
    }

    async fn mention(&self, text: &str, ts: &str) -> Value {
        self.mention_in(text, ts, None).await
    }

    /// A mention of secbot saying `text` at `ts`, in `thread` when given.
    async fn mention_in(&self, text: &str, ts: &str, thread: Option<&str>) -> Value {
        let before = self.posts().await.len();
        let mut event = testing::mention(text, ts);
        if let Some(thread) = thread {
            event["event"]["thread_ts"] = serde_json::json!(thread);
        }
        let body = event.to_string();
        let url = format!("{}/slack/events", self.server.url);
        assert_eq!(testing::deliver(&self.http, &url, SECRET, body, None).await, 200);
        self.server.settle().await;
        let posts = self.posts().await;
        assert_eq!(posts.len(), before + 1, "one reply to {text:?}");
        posts[before].clone()
    }

    async fn posts(&self) -> Vec<Value> {
        testing::calls(&self.api, "chat.postMessage").await
    }

    /// Ticks the watches at `at` and returns what was posted meanwhile.
    async fn tick(&self, at: OffsetDateTime) -> (secbot::watcher::Ticked, Vec<Value>) {
        let before = self.posts().await.len();
        let ticked = self.server.watcher.tick(at).await;
        self.server.settle().await;
        (ticked, self.posts().await[before..].to_vec())
    }
}

fn finding_of(subject: &Subject) -> (String, String) {
    match subject {
        Subject::Finding { recommendation, resource } => (recommendation.clone(), resource.clone()),
        other => panic!("a watch matches findings, not {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_posts_each_new_finding_once_as_its_own_thread() {
    let dir = scratch("slack");
    let file = dir.join("tenant.json");
    let full = demo::tenant(&DemoOptions::for_day(DAY));
    write_tenant(&file, &full, &[], &[]);
    let channel = Channel::start(&file, None, None).await;

    let started = channel.mention("watch high severity findings", "1795970900.000100").await;
    assert!(header(&started).starts_with("Watching: high severity findings"), "{}", header(&started));
    assert!(buttons(&started).iter().any(|b| b["text"]["text"] == "Stop watching"));
    let watches = channel.server.store.watches(Some((Platform::Slack, TEAM, CHANNEL))).await.unwrap();
    assert_eq!(watches.len(), 1);
    let baseline = channel.server.store.watched(&watches[0].id).await.unwrap();
    assert!(baseline.len() > 21, "enough findings match to hold some back: {}", baseline.len());
    let one = vec![finding_of(&baseline[0].subject)];
    let twenty: Vec<(String, String)> = baseline[1..21].iter().map(|w| finding_of(&w.subject)).collect();
    let held: Vec<(String, String)> = one.iter().chain(&twenty).cloned().collect();

    let start = OffsetDateTime::now_utc();
    let tick = |n: i64| start + Duration::seconds(300 * n);

    // Nothing new: what was open when the watch started is never announced.
    let (ticked, posted) = channel.tick(tick(1)).await;
    assert_eq!((ticked.watches, ticked.queued, posted.len()), (1, 0, 0), "{ticked:?}");

    // 21 findings go away (silently: they had no thread), then one comes back: one new thread.
    write_tenant(&file, &full, &held, &[]);
    let (_, posted) = channel.tick(tick(2)).await;
    assert!(posted.is_empty(), "findings that went away before being announced say nothing");
    write_tenant(&file, &full, &twenty, &[]);
    let (ticked, posted) = channel.tick(tick(3)).await;
    assert_eq!((ticked.queued, posted.len()), (1, 1), "one new finding, one message: {ticked:?}");
    let new = &posted[0];
    assert_eq!(new["channel"], CHANNEL);
    assert!(new.get("thread_ts").is_none(), "a new finding is a new top-level message: {new}");
    assert!(header(new).starts_with("New: "), "{}", header(new));
    assert!(buttons(new).iter().any(|b| b["text"]["text"] == "Looks right"), "the usual footer");
    let root = channel.posts().await.len();
    let thread = format!("1795971{root:03}.000100");
    let key = ThreadKey {
        platform: Platform::Slack,
        tenant: TEAM.into(),
        channel: CHANNEL.into(),
        thread: thread.clone(),
    };
    let context = channel.server.store.context(&key).await.unwrap().expect("the new thread has a context");
    assert_eq!(
        context.subject.as_ref().map(finding_of),
        Some(one[0].clone()),
        "the thread is about the new finding"
    );
    // A follow-up in that thread is about that finding.
    let fix = channel.mention_in("how do I fix it?", "1795972000.000100", Some(&thread)).await;
    assert_eq!(fix["thread_ts"], thread.as_str());
    let name = &full.recommendations.iter().find(|r| r.key == one[0].0).expect("its recommendation").name;
    assert!(
        testing::titles(&fix).iter().any(|t| t.contains(name.as_str())),
        "the fix is for the new finding ({name}): {:?}",
        testing::titles(&fix)
    );

    // The same tick run again (another replica, a retry) claims nothing and posts nothing.
    let (ticked, posted) = channel.tick(tick(3)).await;
    assert!(ticked.skipped && posted.is_empty(), "{ticked:?}");

    // Twenty at once: one grouped card, not twenty threads.
    write_tenant(&file, &full, &[], &[]);
    let (ticked, posted) = channel.tick(tick(4)).await;
    assert_eq!((ticked.queued, posted.len()), (1, 1), "{ticked:?}");
    assert!(header(&posted[0]).starts_with("20 new findings"), "{}", header(&posted[0]));
    assert!(buttons(&posted[0]).iter().any(|b| b["text"]["text"] == "Show all"));
    assert!(posted[0].get("thread_ts").is_none());

    // The first one is fixed: a word in its thread, nowhere else.
    write_tenant(&file, &full, &[], &one);
    let (ticked, posted) = channel.tick(tick(5)).await;
    assert_eq!((ticked.queued, posted.len()), (1, 1), "{ticked:?}");
    assert_eq!(posted[0]["thread_ts"], thread.as_str(), "said in the finding's thread");
    assert!(header(&posted[0]).starts_with("Resolved: "), "{}", header(&posted[0]));

    // A restart over the same store: nothing is announced again.
    let store = channel.server.store.clone();
    let api = channel.api;
    let restarted = Channel::start(&file, Some(store), Some(api)).await;
    let (ticked, posted) = restarted.tick(tick(6)).await;
    assert_eq!((ticked.watches, ticked.queued, posted.len()), (1, 0, 0), "{ticked:?}");

    // "watches" lists it; "unwatch 1" stops it, and later changes say nothing.
    let listed = restarted.mention("watches", "1795973000.000100").await;
    assert!(header(&listed).starts_with("Watches in this channel"), "{}", header(&listed));
    let stopped = restarted.mention("unwatch 1", "1795973100.000100").await;
    assert!(header(&stopped).starts_with("Stopped watching"), "{}", header(&stopped));
    write_tenant(&file, &full, &held, &[]);
    write_tenant(&file, &full, &[], &[]);
    let (ticked, posted) = restarted.tick(tick(7)).await;
    assert_eq!((ticked.watches, posted.len()), (0, 0), "{ticked:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
