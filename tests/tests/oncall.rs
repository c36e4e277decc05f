//! On-call triage end to end: watches and reminders. A channel asks secbot to watch a question;
//! the tenant (a snapshot file served live) changes between ticks of a clock the test moves;
//! each new finding arrives as a new top-level message whose thread is about it, a burst
//! arrives as one card, a fix is said in the finding's thread, and nothing is posted twice —
//! not on a tick run again, not after a restart, not with two replicas. Delegated work gets a
//! reminder before it is due and once it is overdue, in its thread and to its owner, and its
//! Done and Snooze buttons work.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use secbot::store::Store;
use secbot_chat::{Platform, Subject, ThreadKey};
use secbot_skills::demo::{self, DemoOptions};
use secbot_skills::posture::{AlertStatus, Status};
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
    let mut text = Vec::new();
    secbot_skills::snapshot::write(&data, &mut text).expect("the snapshot is written");
    // A rewrite the server must notice even within the file system's timestamp resolution:
    // the size changes whenever the content does here.
    std::fs::write(file, text).expect("the snapshot is written");
}

/// The demo tenant served from a snapshot file in a scratch folder (removed when dropped), which
/// a test rewrites between ticks.
struct Tenant {
    dir: PathBuf,
    file: PathBuf,
    full: TenantData,
}

impl Tenant {
    fn new(name: &str) -> Tenant {
        let dir = scratch(name);
        let file = dir.join("tenant.json");
        let full = demo::tenant(&DemoOptions::for_day(DAY));
        write_tenant(&file, &full, &[], &[]);
        Tenant { dir, file, full }
    }

    /// Serves the tenant as `change` leaves it.
    fn edit(&self, change: impl FnOnce(&mut TenantData)) {
        let mut data = self.full.clone();
        change(&mut data);
        let file = std::fs::File::create(&self.file).expect("the snapshot file opens");
        secbot_skills::snapshot::write(&data, std::io::BufWriter::new(file))
            .expect("the snapshot is written");
    }

    /// Serves the tenant without the `hidden` findings and with the `healthy` ones passing.
    fn write(&self, hidden: &[(String, String)], healthy: &[(String, String)]) {
        write_tenant(&self.file, &self.full, hidden, healthy);
    }
}

impl Drop for Tenant {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
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

    /// The thread the last message posted in Slack starts (the mock names messages by count).
    async fn last_thread(&self) -> String {
        format!("1795971{:03}.000100", self.posts().await.len())
    }

    /// The stored context of a thread of the channel.
    async fn context(&self, thread: &str) -> secbot::store::ThreadContext {
        let key = ThreadKey {
            platform: Platform::Slack,
            tenant: TEAM.into(),
            channel: CHANNEL.into(),
            thread: thread.to_owned(),
        };
        self.server.store.context(&key).await.unwrap().expect("the thread has a context")
    }

    /// Ticks the scheduler at `at` and waits for what it started (notices outside Slack).
    async fn tick_quietly(&self, at: OffsetDateTime) -> secbot::schedule::Ticked {
        let ticked = self.server.scheduler.tick(at).await;
        self.server.settle().await;
        ticked
    }

    /// Ticks the scheduler at `at` and returns what was posted in Slack meanwhile: at least one message
    /// per notice it queued (a send that failed once is retried by the queue within seconds).
    async fn tick(&self, at: OffsetDateTime) -> (secbot::schedule::Ticked, Vec<Value>) {
        let before = self.posts().await.len();
        let ticked = self.server.scheduler.tick(at).await;
        self.server.settle().await;
        let queued = ticked.queued + ticked.reminders + ticked.digests;
        for _ in 0..100 {
            if self.posts().await.len() >= before + queued {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            self.server.settle().await;
        }
        (ticked, self.posts().await[before..].to_vec())
    }
}

/// Where something happened, for work set up without a chat message.
fn place(
    platform: Platform,
    tenant: &str,
    channel: &str,
    thread: Option<&str>,
    user: &str,
) -> secbot_chat::Origin {
    secbot_chat::Origin {
        platform,
        tenant: tenant.into(),
        channel: channel.into(),
        thread: thread.map(str::to_owned),
        message: None,
        user: secbot_chat::Person::named(user),
        roles: Vec::new(),
        service_url: None,
        time: OffsetDateTime::now_utc(),
    }
}

/// Records the first open finding of `full` as assigned to `owner` in `at`, due on `due`, under
/// delegation id `id`; the finding.
async fn assign(
    server: &Server,
    full: &TenantData,
    id: &str,
    at: secbot_chat::Origin,
    owner: secbot_chat::Person,
    due: time::Date,
) -> (String, String) {
    let open = full.findings.iter().find(|f| f.status == Status::Unhealthy).expect("an open finding");
    let finding = (
        full.recommendations[open.recommendation as usize].key.clone(),
        full.resources[open.resource as usize].id.clone(),
    );
    let record = secbot::store::DelegationRecord {
        response_id: secbot_chat::ResponseId(id.into()),
        delegation: secbot_chat::Delegation {
            subject: Subject::Finding { recommendation: finding.0.clone(), resource: finding.1.clone() },
            owner,
            due,
        },
        origin: at,
    };
    server.store.save_delegation(&record).await.expect("the assignment is stored");
    finding
}

fn finding_of(subject: &Subject) -> (String, String) {
    match subject {
        Subject::Finding { recommendation, resource } => (recommendation.clone(), resource.clone()),
        other => panic!("a watch matches findings, not {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_posts_each_new_finding_once_as_its_own_thread() {
    let tenant = Tenant::new("slack");
    let channel = Channel::start(&tenant.file, None, None).await;

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
    tenant.write(&held, &[]);
    let (_, posted) = channel.tick(tick(2)).await;
    assert!(posted.is_empty(), "findings that went away before being announced say nothing");
    tenant.write(&twenty, &[]);
    let (ticked, posted) = channel.tick(tick(3)).await;
    assert_eq!((ticked.queued, posted.len()), (1, 1), "one new finding, one message: {ticked:?}");
    let new = &posted[0];
    assert_eq!(new["channel"], CHANNEL);
    assert!(new.get("thread_ts").is_none(), "a new finding is a new top-level message: {new}");
    assert!(header(new).starts_with("New: "), "{}", header(new));
    assert!(buttons(new).iter().any(|b| b["text"]["text"] == "Looks right"), "the usual footer");
    let thread = channel.last_thread().await;
    let context = channel.context(&thread).await;
    assert_eq!(
        context.subject.as_ref().map(finding_of),
        Some(one[0].clone()),
        "the thread is about the new finding"
    );
    // A follow-up in that thread is about that finding.
    let fix = channel.mention_in("how do I fix it?", "1795972000.000100", Some(&thread)).await;
    assert_eq!(fix["thread_ts"], thread.as_str());
    let name =
        &tenant.full.recommendations.iter().find(|r| r.key == one[0].0).expect("its recommendation").name;
    assert!(
        testing::titles(&fix).iter().any(|t| t.contains(name.as_str())),
        "the fix is for the new finding ({name}): {:?}",
        testing::titles(&fix)
    );

    // The same tick run again (another replica, a retry) claims nothing and posts nothing.
    let (ticked, posted) = channel.tick(tick(3)).await;
    assert!(ticked.skipped && posted.is_empty(), "{ticked:?}");

    // Twenty at once: one grouped card, not twenty threads.
    tenant.write(&[], &[]);
    let (ticked, posted) = channel.tick(tick(4)).await;
    assert_eq!((ticked.queued, posted.len()), (1, 1), "{ticked:?}");
    assert!(header(&posted[0]).starts_with("20 new findings"), "{}", header(&posted[0]));
    assert!(buttons(&posted[0]).iter().any(|b| b["text"]["text"] == "Show all"));
    assert!(posted[0].get("thread_ts").is_none());

    // The first one is fixed: a word in its thread, nowhere else.
    tenant.write(&[], &one);
    let (ticked, posted) = channel.tick(tick(5)).await;
    assert_eq!((ticked.queued, posted.len()), (1, 1), "{ticked:?}");
    assert_eq!(posted[0]["thread_ts"], thread.as_str(), "said in the finding's thread");
    assert!(header(&posted[0]).starts_with("Resolved: "), "{}", header(&posted[0]));

    // A restart over the same store: nothing is announced again.
    let store = channel.server.store.clone();
    let api = channel.api;
    let restarted = Channel::start(&tenant.file, Some(store), Some(api)).await;
    let (ticked, posted) = restarted.tick(tick(6)).await;
    assert_eq!((ticked.watches, ticked.queued, posted.len()), (1, 0, 0), "{ticked:?}");

    // "watches" lists it; "unwatch 1" stops it, and later changes say nothing.
    let listed = restarted.mention("watches", "1795973000.000100").await;
    assert!(header(&listed).starts_with("Watches in this channel"), "{}", header(&listed));
    let stopped = restarted.mention("unwatch 1", "1795973100.000100").await;
    assert!(header(&stopped).starts_with("Stopped watching"), "{}", header(&stopped));
    tenant.write(&held, &[]);
    tenant.write(&[], &[]);
    let (ticked, posted) = restarted.tick(tick(7)).await;
    assert_eq!((ticked.watches, posted.len()), (0, 0), "{ticked:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_on_alerts_opens_a_thread_per_new_alert_and_says_when_it_is_resolved() {
    let tenant = Tenant::new("alerts");
    let alert = tenant
        .full
        .alerts
        .iter()
        .find(|a| a.severity == secbot_chat::Severity::High && a.status.is_open())
        .expect("the demo has an open high severity alert")
        .clone();
    let without = |data: &mut TenantData| data.alerts.retain(|a| a.id != alert.id);
    tenant.edit(without);
    let channel = Channel::start(&tenant.file, None, None).await;

    let started = channel.mention("watch high severity alerts", "1795980900.000100").await;
    assert!(header(&started).starts_with("Watching: high severity alerts"), "{}", header(&started));
    let watches = channel.server.store.watches(Some((Platform::Slack, TEAM, CHANNEL))).await.unwrap();
    let baseline = channel.server.store.watched(&watches[0].id).await.unwrap();
    let open_high = tenant
        .full
        .alerts
        .iter()
        .filter(|a| a.severity == secbot_chat::Severity::High && a.status.is_open() && a.id != alert.id)
        .count();
    assert_eq!(baseline.len(), open_high, "the open high severity alerts are the baseline");
    assert!(baseline.iter().all(|w| matches!(w.subject, Subject::Alert { .. })));

    let start = OffsetDateTime::now_utc();
    let tick = |n: i64| start + Duration::seconds(300 * n);
    let (ticked, posted) = channel.tick(tick(1)).await;
    assert_eq!((ticked.queued, posted.len()), (0, 0), "nothing new: {ticked:?}");

    // Defender raises the alert: a new top-level message whose thread is about it.
    tenant.edit(|_| {});
    let (ticked, posted) = channel.tick(tick(2)).await;
    assert_eq!((ticked.queued, posted.len()), (1, 1), "{ticked:?}");
    let new = &posted[0];
    assert!(new.get("thread_ts").is_none(), "{new}");
    assert_eq!(header(new), format!("New: {}", alert.name));
    let links: Vec<String> =
        buttons(new).iter().filter_map(|b| b["url"].as_str().map(str::to_owned)).collect();
    assert!(
        links.iter().any(|url| url.contains("/AlertBlade/alertId/")),
        "an Open in Defender for Cloud link to the alert: {links:?}"
    );
    let thread = channel.last_thread().await;
    let context = channel.context(&thread).await;
    assert_eq!(context.subject, Some(Subject::Alert { id: alert.id.clone() }));

    // "What should I do about it?" in that thread: the alert's own steps.
    let todo = channel.mention_in("what should I do about it?", "1795982000.000100", Some(&thread)).await;
    assert_eq!(header(&todo), format!("What to do: {}", alert.name));
    let step: String =
        alert.remediation[0].chars().take_while(|c| !"&<>\"'`*_".contains(*c)).take(24).collect();
    assert!(
        testing::titles(&todo).join("\n").contains(&step),
        "the alert's first step ({step}) is shown: {:?}",
        testing::titles(&todo)
    );

    // Someone resolves it in Defender for Cloud: a word in its thread, nowhere else.
    tenant.edit(|data| {
        for a in data.alerts.iter_mut().filter(|a| a.id == alert.id) {
            a.status = AlertStatus::Resolved;
        }
    });
    let (ticked, posted) = channel.tick(tick(3)).await;
    assert_eq!((ticked.queued, posted.len()), (1, 1), "{ticked:?}");
    assert_eq!(posted[0]["thread_ts"], thread.as_str());
    assert!(header(&posted[0]).starts_with("Resolved: "), "{}", header(&posted[0]));
    assert!(posted[0].to_string().contains("resolved in Defender for Cloud"), "{}", posted[0]);
    let (ticked, posted) = channel.tick(tick(4)).await;
    assert_eq!((ticked.queued, posted.len()), (0, 0), "said once: {ticked:?}");

    // A burst of six new alerts arrives as one card, not six threads (the first stays resolved).
    tenant.edit(|data| {
        for a in data.alerts.iter_mut().filter(|a| a.id == alert.id) {
            a.status = AlertStatus::Resolved;
        }
        for n in 0..6 {
            let mut copy = alert.clone();
            copy.id = format!("{}-{n}", alert.id);
            data.alerts.push(copy);
        }
    });
    let (ticked, posted) = channel.tick(tick(5)).await;
    assert_eq!((ticked.queued, posted.len()), (1, 1), "{ticked:?}");
    assert!(header(&posted[0]).starts_with("6 new alerts"), "{}", header(&posted[0]));
    assert!(buttons(&posted[0]).iter().any(|b| b["text"]["text"] == "Show all"));
}

/// The web chat's notice board after notice `after`, as the page reads it.
async fn board(server: &Server, after: u64) -> Value {
    let url = format!("{}/webchat/notices?after={after}", server.url);
    let response = reqwest::Client::new().get(url).header("x-webchat-user", "ana").send().await;
    response.expect("the board answers").json().await.expect("the board is JSON")
}

/// Where a platform's notices were seen: the new thread's id, after the first notice.
async fn first_notice(platform: Platform, mock: &wiremock::MockServer, server: &Server) -> String {
    let requests = mock.received_requests().await.unwrap_or_default();
    let paths: Vec<String> = requests.iter().map(|r| format!("{} {}", r.method, r.url.path())).collect();
    match platform {
        Platform::Discord => {
            assert!(paths.contains(&"POST /channels/1200000000000000001/messages".to_owned()), "{paths:?}");
            assert!(
                paths.contains(
                    &"POST /channels/1200000000000000001/messages/1300000000000000001/threads".to_owned()
                ),
                "a thread is started from the notice: {paths:?}"
            );
            "1300000000000000001".to_owned()
        }
        Platform::Teams => {
            let started = requests
                .iter()
                .find(|r| r.url.path() == "/amer/v3/conversations")
                .expect("a new thread in the channel");
            let body: Value = serde_json::from_slice(&started.body).unwrap();
            assert_eq!(body["channelData"]["channel"]["id"], "19:watchroom@thread.tacv2");
            assert_eq!(
                body["activity"]["attachments"][0]["contentType"],
                "application/vnd.microsoft.card.adaptive"
            );
            "1733000000001".to_owned()
        }
        _ => {
            let notices = board(server, 0).await;
            let first = &notices["notices"][0];
            assert_eq!(first["starts"], true, "{notices}");
            assert!(first["reply"]["card"]["title"].as_str().unwrap().starts_with("New: "));
            first["thread"].as_str().unwrap().to_owned()
        }
    }
}

/// The path a later notice in that thread was posted to (the web chat: the board's thread).
async fn later_notice(platform: Platform, mock: &wiremock::MockServer, server: &Server) -> String {
    match platform {
        Platform::Webchat => {
            let notices = board(server, 1).await;
            assert_eq!(notices["notices"][0]["starts"], false);
            notices["notices"][0]["thread"].as_str().unwrap().to_owned()
        }
        _ => {
            let requests = mock.received_requests().await.unwrap_or_default();
            let last = requests
                .iter()
                .rev()
                .find(|r| r.method.as_str() == "POST" && r.url.path() != "/token")
                .unwrap();
            last.url.path().to_owned()
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notices_reach_discord_teams_and_the_web_chat() {
    use secbot_chat::{Assistant, Origin, Prompt};
    use wiremock::matchers::{method, path, path_regex};
    use wiremock::{Mock, ResponseTemplate};

    for platform in [Platform::Discord, Platform::Teams, Platform::Webchat] {
        let served = Tenant::new(platform.as_str());
        let mock = wiremock::MockServer::start().await;
        let reply = |body: Value| ResponseTemplate::new(200).set_body_json(body);
        Mock::given(method("POST"))
            .and(path_regex(r"^/channels/\d+/messages$"))
            .respond_with(reply(serde_json::json!({"id": "1300000000000000001"})))
            .mount(&mock)
            .await;
        Mock::given(method("POST"))
            .and(path_regex(r"^/channels/\d+/messages/\d+/threads$"))
            .respond_with(reply(serde_json::json!({"id": "1300000000000000001"})))
            .mount(&mock)
            .await;
        Mock::given(method("POST"))
            .and(path("/token"))
            .respond_with(reply(
                serde_json::json!({"token_type": "Bearer", "expires_in": 3599, "access_token": "t"}),
            ))
            .mount(&mock)
            .await;
        Mock::given(method("POST"))
            .and(path("/amer/v3/conversations"))
            .respond_with(reply(serde_json::json!({
                "id": "19:watchroom@thread.tacv2;messageid=1733000000001",
                "activityId": "1733000000001"
            })))
            .mount(&mock)
            .await;
        Mock::given(method("POST"))
            .and(path_regex(r"^/amer/v3/conversations/[^/]+/activities$"))
            .respond_with(reply(serde_json::json!({"id": "1:posted"})))
            .mount(&mock)
            .await;
        let uri = mock.uri();
        let token_url = format!("{uri}/token");
        let data = served.file.display().to_string();
        let settings = [
            ("SECBOT_DATA", data.as_str()),
            ("SECBOT_DISCORD_PUBLIC_KEY", "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"),
            ("SECBOT_DISCORD_APP_ID", "1100000000000000001"),
            ("SECBOT_DISCORD_BOT_TOKEN", "bot-token"),
            ("SECBOT_DISCORD_API_URL", uri.as_str()),
            ("SECBOT_TEAMS_APP_ID", "00000000-0000-0000-0000-00000000b07a"),
            ("SECBOT_TEAMS_APP_PASSWORD", "test-app-password"),
            ("SECBOT_TEAMS_TOKEN_URL", token_url.as_str()),
            ("SECBOT_TEAMS_ALLOWED_SERVICE_URLS", uri.as_str()),
        ];
        let server = Server::start_on(&settings, None).await;
        let (tenant, channel, service_url) = match platform {
            Platform::Discord => ("1000000000000000001", "1200000000000000001", None),
            Platform::Teams => (
                "72f988bf-86f1-41af-91ab-2d7cd011db47",
                "19:watchroom@thread.tacv2",
                Some(format!("{uri}/amer/")),
            ),
            _ => ("local", "webchat", None),
        };
        let origin = Origin { service_url, ..place(platform, tenant, channel, None, "ana") };
        let prompt =
            Prompt { origin: origin.clone(), text: "watch high severity findings".into(), mentions: vec![] };
        let started = server.engine.answer(prompt).await;
        assert!(started.card.title.starts_with("Watching: "), "{platform}: {}", started.card.title);
        let watches = server.store.watches(Some((platform, tenant, channel))).await.unwrap();
        let baseline = server.store.watched(&watches[0].id).await.unwrap();
        let one = vec![finding_of(&baseline[0].subject)];
        let start = OffsetDateTime::now_utc();
        let tick = |n: i64| start + Duration::seconds(300 * n);

        served.write(&one, &[]);
        server.scheduler.tick(tick(1)).await;
        served.write(&[], &[]);
        let ticked = server.scheduler.tick(tick(2)).await;
        server.settle().await;
        assert_eq!(ticked.queued, 1, "{platform}: {ticked:?}");
        let thread = first_notice(platform, &mock, &server).await;
        let key =
            ThreadKey { platform, tenant: tenant.into(), channel: channel.into(), thread: thread.clone() };
        let context =
            server.store.context(&key).await.unwrap().unwrap_or_else(|| panic!("{platform}: {key}"));
        assert_eq!(context.subject.as_ref().map(finding_of), Some(one[0].clone()), "{platform}");

        served.write(&[], &one);
        let ticked = server.scheduler.tick(tick(3)).await;
        server.settle().await;
        assert_eq!(ticked.queued, 1, "{platform}: {ticked:?}");
        let later = later_notice(platform, &mock, &server).await;
        let expected = match platform {
            Platform::Discord => format!("/channels/{thread}/messages"),
            Platform::Teams => {
                let conversation = format!("{channel};messageid={thread}");
                let encoded: String = url::form_urlencoded::byte_serialize(conversation.as_bytes()).collect();
                format!("/amer/v3/conversations/{encoded}/activities")
            }
            _ => thread.clone(),
        };
        assert_eq!(later, expected, "{platform}: the fix is said in the finding's thread");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_postgres_post_each_notice_exactly_once() {
    use secbot_chat::{Assistant, Prompt};
    let Some(database) = secbot_tests::postgres("two replicas ticking the same watches").await else {
        return;
    };
    let tenant = Tenant::new("replicas");
    let api = testing::web_api().await;
    let api_url = format!("{}/api/", api.uri());
    let data = tenant.file.display().to_string();
    let settings = [
        ("SECBOT_DATABASE_URL", database.as_str()),
        ("SECBOT_SLACK_SIGNING_SECRET", SECRET),
        ("SECBOT_SLACK_BOT_TOKEN", TOKEN),
        ("SECBOT_SLACK_API_URL", api_url.as_str()),
        ("SECBOT_DATA", data.as_str()),
    ];
    let a = Server::start_on(&settings, None).await;
    let b = Server::start_on(&settings, None).await;
    let origin = place(Platform::Slack, TEAM, CHANNEL, None, "U0RAJ");
    let prompt = Prompt { origin, text: "watch high severity findings".into(), mentions: vec![] };
    assert!(a.engine.answer(prompt).await.card.title.starts_with("Watching: "));
    let watches = b.store.watches(None).await.unwrap();
    let baseline = b.store.watched(&watches[0].id).await.unwrap();
    let toggled: Vec<(String, String)> = baseline.iter().take(10).map(|w| finding_of(&w.subject)).collect();

    // Each tick hides a different third of ten findings: some come back (a new thread each),
    // some go (a word in their thread, when they had one). Both replicas tick at once.
    let (mut open, mut threaded) = ([true; 10], [false; 10]);
    let (mut expected_new, mut expected_fixed) = (0, 0);
    let start = OffsetDateTime::now_utc();
    for tick in 1..=20_i64 {
        let hidden: Vec<usize> = (0..10).filter(|j| (tick as usize + j).is_multiple_of(3)).collect();
        let names: Vec<(String, String)> = hidden.iter().map(|j| toggled[*j].clone()).collect();
        tenant.write(&names, &[]);
        for j in 0..10 {
            let visible = !hidden.contains(&j);
            if visible && !open[j] {
                (open[j], threaded[j]) = (true, true);
                expected_new += 1;
            } else if !visible && open[j] {
                open[j] = false;
                if threaded[j] {
                    expected_fixed += 1;
                }
            }
        }
        let at = start + Duration::seconds(300 * tick);
        let (x, y) = tokio::join!(a.scheduler.tick(at), b.scheduler.tick(at + Duration::seconds(1)));
        assert!(x.skipped != y.skipped, "exactly one replica checks tick {tick}: {x:?} / {y:?}");
        a.settle().await;
        b.settle().await;
    }
    let posts = testing::calls(&api, "chat.postMessage").await;
    let new = posts.iter().filter(|p| header(p).starts_with("New: ")).count();
    let fixed = posts.iter().filter(|p| header(p).starts_with("Resolved: ")).count();
    eprintln!(
        "posted {new} new-finding threads (expected {expected_new}) and {fixed} fixes (expected {expected_fixed})"
    );
    assert!(expected_new > 10 && expected_fixed > 10, "the ticks change enough to count");
    assert_eq!((new, fixed), (expected_new, expected_fixed), "each notice exactly once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delegated_work_is_reminded_in_its_thread_and_its_buttons_work() {
    let tenant = Tenant::new("reminders");
    let channel = Channel::start(&tenant.file, None, None).await;
    // Raj assigned an open finding to Dana in an on-call thread, due tomorrow.
    let start = OffsetDateTime::now_utc();
    let thread = "1795970800.000100";
    let dana = secbot_chat::Person {
        id: "U0DANA".into(),
        name: "Dana Whitfield".into(),
        email: Some("dana@contoso.com".into()),
    };
    let at = place(Platform::Slack, TEAM, CHANNEL, Some(thread), "U0RAJ");
    let finding =
        assign(&channel.server, &tenant.full, "dlg0000000000001", at, dana, start.date() + Duration::days(1))
            .await;

    // The day before: one reminder in the thread, and a direct message to Dana.
    let (ticked, posted) = channel.tick(start).await;
    assert_eq!(ticked.reminders, 1, "{ticked:?}");
    let in_thread: Vec<&Value> = posted.iter().filter(|p| p["thread_ts"] == thread).collect();
    assert_eq!(in_thread.len(), 1, "{posted:?}");
    let reminder = in_thread[0].clone();
    assert!(header(&reminder).starts_with("Due tomorrow: "), "{}", header(&reminder));
    let labels: Vec<String> =
        buttons(&reminder).iter().map(|b| b["text"]["text"].as_str().unwrap().to_owned()).collect();
    for wanted in ["Done", "Snooze 1 day", "Snooze 3 days", "Snooze 1 week"] {
        assert!(labels.iter().any(|l| l == wanted), "{wanted} in {labels:?}");
    }
    let opened = testing::calls(&channel.api, "conversations.open").await;
    assert_eq!(opened.len(), 1, "a direct message to the owner");
    assert!(posted.iter().any(|p| p["channel"] != CHANNEL), "the direct message is posted");
    let (ticked, posted) = channel.tick(start + Duration::seconds(300)).await;
    assert_eq!((ticked.reminders, posted.len()), (0, 0), "reminded once");

    // Snooze 1 day, pressed in Slack.
    let respond = format!("{}/respond", channel.api.uri());
    let click = |label: &str| testing::click(&reminder, "1795971500.000100", label, &respond);
    let interact = |payload: Value| {
        let body = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
        let url = format!("{}/slack/interactivity", channel.server.url);
        let http = channel.http.clone();
        async move {
            let request = testing::signed(&http, &url, SECRET, body, None)
                .header("content-type", "application/x-www-form-urlencoded");
            assert_eq!(request.send().await.unwrap().status(), 200);
        }
    };
    let answers_before = testing::calls(&channel.api, "/respond").await.len() + channel.posts().await.len();
    interact(click("Snooze 1 day")).await;
    channel.server.settle().await;
    let state = channel.server.store.reminder("dlg0000000000001").await.unwrap().expect("a state");
    assert!(state.snoozed_until.is_some_and(|u| u > start + Duration::hours(23)), "{state:?}");
    assert!(
        testing::calls(&channel.api, "/respond").await.len() + channel.posts().await.len() > answers_before,
        "the snooze is answered"
    );

    // Two days on it is overdue, and the snooze is over: one overdue reminder.
    let (ticked, posted) = channel.tick(start + Duration::days(2)).await;
    assert_eq!(ticked.reminders, 1, "{ticked:?}");
    let overdue = posted.iter().find(|p| p["thread_ts"] == thread).expect("in the thread");
    assert!(header(overdue).starts_with("Overdue: "), "{}", header(overdue));

    // Done while Defender still reports it open: it stays open.
    let before = channel.posts().await.len() + testing::calls(&channel.api, "/respond").await.len();
    interact(click("Done")).await;
    channel.server.settle().await;
    let said = [channel.posts().await, testing::calls(&channel.api, "/respond").await].concat();
    assert!(said.len() > before);
    assert!(said.iter().any(|p| header(p).starts_with("Still open: ")), "Done re-checks the source");
    assert!(!channel.server.store.reminder("dlg0000000000001").await.unwrap().unwrap().done);

    // Fixed: Done closes it, and no reminder follows.
    tenant.write(&[], std::slice::from_ref(&finding));
    interact(click("Done")).await;
    channel.server.settle().await;
    let said = [channel.posts().await, testing::calls(&channel.api, "/respond").await].concat();
    assert!(said.iter().any(|p| header(p).starts_with("Closed: ")), "Done closes fixed work");
    assert!(channel.server.store.reminder("dlg0000000000001").await.unwrap().unwrap().done);
    let (ticked, _) = channel.tick(start + Duration::days(5)).await;
    assert_eq!(ticked.reminders, 0, "{ticked:?}");

    // Someone else in the channel may not close it.
    let mut stranger = click("Done");
    stranger["user"]["id"] = serde_json::json!("U0SAM");
    let before = channel.posts().await.len() + testing::calls(&channel.api, "/respond").await.len();
    interact(stranger).await;
    channel.server.settle().await;
    let said = [channel.posts().await, testing::calls(&channel.api, "/respond").await].concat();
    assert!(said[before..].iter().all(|p| !header(p).starts_with("Closed")), "refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_daily_digest_is_posted_once_a_day_with_its_chart() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, ResponseTemplate};
    let tenant = Tenant::new("digest");
    let channel = Channel::start(&tenant.file, None, None).await;
    let uri = channel.api.uri();
    let json = |body: Value| ResponseTemplate::new(200).set_body_json(body);
    Mock::given(method("GET"))
        .and(path("/api/files.getUploadURLExternal"))
        .respond_with(json(serde_json::json!({"ok": true, "upload_url": format!("{uri}/upload/F0TREND"), "file_id": "F0TREND"})))
        .mount(&channel.api)
        .await;
    Mock::given(method("POST"))
        .and(path("/upload/F0TREND"))
        .respond_with(ResponseTemplate::new(200).set_body_string("OK - 1234"))
        .mount(&channel.api)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/files.completeUploadExternal"))
        .respond_with(json(serde_json::json!({"ok": true, "files": [{"id": "F0TREND", "title": "Trend"}]})))
        .mount(&channel.api)
        .await;

    let scheduled = channel.mention("send a digest every day at 9:00", "1795970950.000100").await;
    assert!(header(&scheduled).starts_with("Daily digest scheduled"), "{}", header(&scheduled));
    // The next 09:00 after it was asked, in the asker's time zone (Slack's profile says it).
    let watches = channel.server.store.watches(None).await.unwrap();
    let plan = watches[0].digest.clone().expect("a digest plan");
    let offset = time::UtcOffset::from_whole_seconds(plan.offset).unwrap();
    let asked = OffsetDateTime::from_unix_timestamp(1_795_970_950).unwrap().to_offset(offset);
    let nine = |day: time::Date| day.with_hms(9, 0, 0).unwrap().assume_offset(offset);
    let next =
        if nine(asked.date()) > asked { nine(asked.date()) } else { nine(asked.date() + Duration::days(1)) };

    // An alert Defender raised two hours before the digest.
    let raised = tenant.full.alerts.iter().find(|a| a.status.is_open()).expect("an open alert").clone();
    tenant.edit(|data| {
        for a in data.alerts.iter_mut().filter(|a| a.id == raised.id) {
            a.detected = next - Duration::hours(2);
        }
    });

    let (ticked, posted) = channel.tick(next - Duration::minutes(1)).await;
    assert_eq!((ticked.digests, posted.len()), (0, 0), "not before 09:00: {ticked:?}");
    let (ticked, posted) = channel.tick(next + Duration::minutes(2)).await;
    assert_eq!((ticked.digests, posted.len()), (1, 1), "{ticked:?}");
    let digest = &posted[0];
    assert!(header(digest).starts_with("Daily digest, "), "{}", header(digest));
    assert!(digest.get("thread_ts").is_none(), "a digest is a new message, its thread for follow-ups");
    let text = testing::titles(digest).join("\n");
    assert!(text.contains("open findings"), "{text}");
    assert!(text.contains("New since"), "{text}");
    assert!(text.contains("Security alerts since") && text.contains(&raised.name), "{text}");
    assert!(buttons(digest).iter().any(|b| b["text"]["text"] == "Open alerts"));
    let shared = testing::calls(&channel.api, "files.completeUploadExternal").await;
    assert_eq!(shared.len(), 1, "the chart is shared once");
    let root = channel.last_thread().await;
    assert_eq!(shared[0]["channel_id"], CHANNEL);
    assert_eq!(shared[0]["thread_ts"], root.as_str(), "in the digest's thread");
    let uploads = channel.api.received_requests().await.unwrap();
    let png = uploads.iter().find(|r| r.url.path() == "/upload/F0TREND").expect("the PNG was uploaded");
    assert_eq!(&png.body[..4], b"\x89PNG");

    // The same day again, and after a restart of the clock's tick: nothing more.
    let (ticked, posted) = channel.tick(next + Duration::hours(3)).await;
    assert_eq!((ticked.digests, posted.len()), (0, 0), "{ticked:?}");
    let (ticked, _) = channel.tick(next + Duration::days(1) + Duration::minutes(1)).await;
    assert_eq!(ticked.digests, 1, "the next day's");

    // "digest" shows one now, and "watches" lists the schedule.
    let now_digest = channel.mention("digest", "1795973200.000100").await;
    assert!(header(&now_digest).starts_with("Digest for "), "{}", header(&now_digest));
    let listed = channel.mention("watches", "1795973300.000100").await;
    assert!(
        testing::titles(&listed).join(" ").contains("Daily digest, every day at 09:00 (UTC"),
        "{:?}",
        testing::titles(&listed)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_in_the_web_chat_is_snoozed_and_closed_from_its_buttons() {
    let tenant = Tenant::new("webchat-reminders");
    let channel = Channel::start(&tenant.file, None, None).await;
    let start = OffsetDateTime::now_utc();
    let at = place(Platform::Webchat, "local", "webchat", Some("t-oncall"), "ana");
    let ana = secbot_chat::Person::named("ana");
    let finding =
        assign(&channel.server, &tenant.full, "dlgwebchat000001", at, ana, start.date() - Duration::days(1))
            .await;
    let ticked = channel.tick_quietly(start).await;
    assert_eq!(ticked.reminders, 1, "{ticked:?}");

    let http = reqwest::Client::new();
    let board = board(&channel.server, 0).await;
    let notice = &board["notices"][0];
    assert_eq!(notice["thread"], "t-oncall", "in the thread where it was assigned: {board}");
    assert_eq!(notice["starts"], false);
    let reply = &notice["reply"];
    assert!(reply["card"]["title"].as_str().unwrap().starts_with("Overdue: "), "{reply}");
    let action = |label: &str| {
        reply["card"]["actions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["label"] == label)
            .unwrap_or_else(|| panic!("{label} on {reply}"))["payload"]
            .clone()
    };
    let press = |payload: Value, user: &'static str| {
        let http = http.clone();
        let url = format!("{}/webchat/actions", channel.server.url);
        async move {
            let response = http
                .post(url)
                .header("x-webchat-user", user)
                .json(&serde_json::json!({ "thread": "t-oncall", "payload": payload }))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            response.json::<Value>().await.unwrap()
        }
    };
    let stranger = press(action("Done"), "mallory").await;
    assert!(stranger.to_string().contains("Only ana"), "{stranger}");
    let snoozed = press(action("Snooze 3 days"), "ana").await;
    assert!(snoozed.to_string().contains("Snoozed"), "{snoozed}");
    let state = channel.server.store.reminder("dlgwebchat000001").await.unwrap().unwrap();
    assert!(state.snoozed_until.is_some_and(|u| u > start + Duration::days(2)), "{state:?}");
    let ticked = channel.tick_quietly(start + Duration::days(1)).await;
    assert_eq!(ticked.reminders, 0, "snoozed: {ticked:?}");
    let ticked = channel.tick_quietly(start + Duration::days(4)).await;
    assert_eq!(ticked.reminders, 1, "overdue again once the snooze is over: {ticked:?}");
    tenant.write(&[], std::slice::from_ref(&finding));
    let done = press(action("Done"), "ana").await;
    assert!(done.to_string().contains("Closed: "), "{done}");
}
