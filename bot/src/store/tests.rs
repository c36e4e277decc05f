//! One test suite, run against both engines: SQLite (a file) and PostgreSQL (when TEST_PG_URL
//! names a server; CI always sets it, and SECBOT_REQUIRE_PG=1 makes its absence a failure).

use std::sync::Arc;

use secbot_chat::{
    Card, Delegation, Intent, Origin, Person, Platform, Rating, Reply, ResponseId, Slots, Subject, ThreadKey,
};
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};

use sqlx::Row;

use super::*;

const KEY: [u8; 32] = [7; 32];

fn origin(user: &str, time: OffsetDateTime) -> Origin {
    Origin {
        platform: Platform::Slack,
        tenant: "T1".into(),
        channel: "C1".into(),
        thread: Some("1700000000.000100".into()),
        message: None,
        user: Person::named(user),
        roles: Vec::new(),
        service_url: None,
        time,
    }
}

fn reply(id: &str) -> Reply {
    Reply::new(
        ResponseId(id.into()),
        "list_risks",
        Intent::ListRisks,
        Slots::default(),
        Card::titled("Top risks"),
    )
    .about(Some(Subject::Resource { id: "/subscriptions/s/x".into() }))
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", crate::engine::new_response_id())
}

async fn sqlite() -> SqlStore {
    let dir = std::env::temp_dir().join(unique("secbot-store"));
    std::fs::create_dir_all(&dir).unwrap();
    SqlStore::in_dir(&dir, Some(KEY)).await.expect("sqlite store")
}

/// A store in a fresh PostgreSQL schema, or `None` when no server is configured.
async fn postgres() -> Option<SqlStore> {
    let Ok(url) = std::env::var("TEST_PG_URL") else {
        assert!(
            std::env::var_os("SECBOT_REQUIRE_PG").is_none(),
            "SECBOT_REQUIRE_PG is set but TEST_PG_URL is not"
        );
        eprintln!("skipping the PostgreSQL run: set TEST_PG_URL=postgres://… to include it");
        return None;
    };
    let schema = unique("t").replace('-', "_");
    let admin = SqlStore::open(&url, None).await.expect("postgres reachable");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin.pool)
        .await
        .expect("schema");
    let separator = if url.contains('?') { '&' } else { '?' };
    let scoped = format!("{url}{separator}options=-c%20search_path%3D{schema}");
    Some(SqlStore::open(&scoped, Some(KEY)).await.expect("postgres store"))
}

async fn suite(store: Arc<SqlStore>) {
    let now = datetime!(2026-11-29 07:42 UTC);

    // Thread contexts.
    let thread = ThreadKey {
        platform: Platform::Slack,
        tenant: "T1".into(),
        channel: "C1".into(),
        thread: "1.2".into(),
    };
    assert_eq!(store.context(&thread).await.unwrap(), None);
    let context =
        ThreadContext { subject: Some(Subject::AttackPath { id: "p1".into() }), ..ThreadContext::default() };
    store.save_context(&thread, &context).await.unwrap();
    assert_eq!(store.context(&thread).await.unwrap(), Some(context));
    let replaced =
        ThreadContext { subject: Some(Subject::Resource { id: "r".into() }), ..ThreadContext::default() };
    store.save_context(&thread, &replaced).await.unwrap();
    assert_eq!(store.context(&thread).await.unwrap(), Some(replaced));

    // Replies.
    let record = ReplyRecord { origin: origin("U1", now), prompt: "show risks".into(), reply: reply("r1") };
    store.save_reply(&record).await.unwrap();
    assert_eq!(store.reply(&ResponseId("r1".into())).await.unwrap(), Some(record));
    assert_eq!(store.reply(&ResponseId("nope".into())).await.unwrap(), None);
    // One answer's context and reply, together.
    let turn =
        ReplyRecord { origin: origin("U9", now), prompt: "fix the 2nd".into(), reply: reply("r-turn") };
    let after =
        ThreadContext { subject: Some(Subject::Resource { id: "r2".into() }), ..ThreadContext::default() };
    store.save_turn(Some((&thread, &after)), &turn).await.unwrap();
    assert_eq!(store.context(&thread).await.unwrap(), Some(after.clone()));
    assert_eq!(store.reply(&ResponseId("r-turn".into())).await.unwrap(), Some(turn));
    let unchanged = ReplyRecord { origin: origin("U9", now), prompt: "eh".into(), reply: reply("r-turn2") };
    store.save_turn(None, &unchanged).await.unwrap();
    assert_eq!(store.context(&thread).await.unwrap(), Some(after), "no context given, none changed");
    assert!(store.reply(&ResponseId("r-turn2".into())).await.unwrap().is_some());

    // Feedback: one row per user and reply; a repeated click keeps the comment.
    let rate = |user: &str, rating: Rating, comment: &str, at: OffsetDateTime| FeedbackRecord {
        response_id: ResponseId("r1".into()),
        origin: origin(user, at),
        rating,
        comment: comment.into(),
        skill: "list_risks".into(),
        intent: "list_risks".into(),
        at,
    };
    store.save_feedback(&rate("U1", Rating::NeedsImprovement, "", now)).await.unwrap();
    store.save_feedback(&rate("U1", Rating::NeedsImprovement, "wrong vm", now)).await.unwrap();
    store.save_feedback(&rate("U1", Rating::NeedsImprovement, "", now + Duration::seconds(1))).await.unwrap();
    store.save_feedback(&rate("U2", Rating::LooksRight, "", now)).await.unwrap();
    let stored = store.feedback(&ResponseId("r1".into())).await.unwrap();
    assert_eq!(stored.len(), 2);
    let u1 = stored.iter().find(|f| f.origin.user.id == "U1").unwrap();
    assert_eq!((u1.rating, u1.comment.as_str()), (Rating::NeedsImprovement, "wrong vm"));
    store.save_feedback(&rate("U1", Rating::LooksRight, "", now + Duration::seconds(2))).await.unwrap();
    let changed = store.feedback(&ResponseId("r1".into())).await.unwrap();
    assert_eq!(changed.len(), 2, "a changed rating replaces, never duplicates");
    assert!(changed.iter().all(|f| f.rating == Rating::LooksRight));
    assert_eq!(store.feedback_since(now + Duration::seconds(2)).await.unwrap().len(), 1);

    // Claims: insert-if-absent, exactly one winner under concurrency, reusable after expiry.
    let key = unique("Ev");
    let mut claims = Vec::new();
    for _ in 0..40 {
        let store = store.clone();
        let key = key.clone();
        claims.push(tokio::spawn(async move {
            store.claim(&key, now, now + Duration::minutes(10)).await.unwrap()
        }));
    }
    let mut winners = 0;
    for c in claims {
        winners += usize::from(c.await.unwrap());
    }
    assert_eq!(winners, 1, "one delivery wins the claim");
    assert!(!store.claim(&key, now + Duration::minutes(5), now + Duration::minutes(15)).await.unwrap());
    assert!(
        store.claim(&key, now + Duration::minutes(11), now + Duration::minutes(21)).await.unwrap(),
        "an expired claim can be taken again"
    );

    // Delegations.
    let delegation = Delegation {
        subject: Subject::Finding { recommendation: "k".into(), resource: "r".into() },
        owner: Person {
            id: "dana".into(),
            name: "Dana Whitfield".into(),
            email: Some("dana@contoso.com".into()),
        },
        due: date!(2026 - 12 - 04),
    };
    let d = DelegationRecord { response_id: ResponseId("r1".into()), delegation, origin: origin("U1", now) };
    store.save_delegation(&d).await.unwrap();
    store.save_delegation(&d).await.unwrap();
    assert_eq!(store.delegations().await.unwrap(), vec![d.clone()]);

    // Usage: atomic under concurrency; a charge over budget is refused and not counted.
    let tenant = unique("T");
    let mut charges = Vec::new();
    for _ in 0..60 {
        let store = store.clone();
        let tenant = tenant.clone();
        charges.push(tokio::spawn(async move {
            let charge = Charge {
                tenant,
                channel: "C1".into(),
                skill: "list_risks".into(),
                units: 3,
                now,
                limits: Limits { hour: 150, month: 1_000, channel_hour: None },
            };
            store.charge(&charge).await.unwrap()
        }));
    }
    let mut allowed = 0;
    for c in charges {
        allowed += usize::from(c.await.unwrap().allowed);
    }
    assert_eq!(allowed, 50, "exactly the budget is spent");
    let rows: Vec<UsageRow> =
        store.usage(now).await.unwrap().into_iter().filter(|r| r.tenant == tenant).collect();
    assert_eq!(rows.iter().filter(|r| r.period.starts_with("h:")).map(|r| r.units).sum::<u64>(), 150);
    assert_eq!(rows.iter().filter(|r| r.period.starts_with("m:")).map(|r| r.units).sum::<u64>(), 150);
    let next_hour = Charge {
        tenant: tenant.clone(),
        channel: "C1".into(),
        skill: "explain".into(),
        units: 3,
        now: now + Duration::hours(1),
        limits: Limits { hour: 150, month: 1_000, channel_hour: Some(2) },
    };
    let refused = store.charge(&next_hour).await.unwrap();
    assert!(!refused.allowed, "the channel's own budget applies");
    assert_eq!(refused.hour_used, 0);

    // Installations: tokens are encrypted at rest.
    let install = Installation {
        platform: "slack".into(),
        workspace: "T1".into(),
        token: "xoxb-1234-secret-token".into(),
        meta: serde_json::json!({"bot_user_id": "UBOT"}),
    };
    store.save_installation(&install).await.unwrap();
    assert_eq!(store.installation("slack", "T1").await.unwrap(), Some(install));
    let raw: String = sqlx::query("SELECT secret FROM installations WHERE workspace = 'T1'")
        .fetch_one(&store.pool)
        .await
        .unwrap()
        .try_get("secret")
        .unwrap();
    assert!(!raw.contains("xoxb") && !raw.is_empty(), "no plaintext token in the database");

    // Transcripts and purges.
    let old = ReplyRecord {
        origin: origin("U1", now - Duration::days(40)),
        prompt: "old".into(),
        reply: reply("r0"),
    };
    store.save_reply(&old).await.unwrap();
    let (replies, ratings) = store.transcripts("U1").await.unwrap();
    assert_eq!(replies.len(), 2);
    assert_eq!(ratings.len(), 1);
    let cutoffs = Cutoffs {
        transcripts: now - Duration::days(30),
        comments: now - Duration::days(30),
        delegations: now - Duration::days(365),
    };
    let purged = store.purge_before(&cutoffs, now + Duration::days(2)).await.unwrap();
    assert_eq!(purged.replies, 1);
    assert!(purged.claims >= 1);
    assert_eq!((purged.feedback, purged.delegations), (0, 0), "recent comments and delegations stay");
    store.save_feedback(&rate("U2", Rating::NeedsImprovement, "named the wrong owner", now)).await.unwrap();
    let later =
        Cutoffs { comments: now + Duration::days(1), delegations: now + Duration::days(1), ..cutoffs };
    let purged = store.purge_before(&later, now + Duration::days(2)).await.unwrap();
    assert!(purged.feedback >= 1, "comments past their retention are cleared: {purged:?}");
    assert!(
        store.feedback_since(now - Duration::days(1)).await.unwrap().iter().all(|f| f.comment.is_empty())
    );
    assert!(!store.feedback_since(now - Duration::days(1)).await.unwrap().is_empty(), "the ratings stay");
    assert!(purged.delegations >= 1 && store.delegations().await.unwrap().is_empty(), "{purged:?}");
    store.save_delegation(&d).await.unwrap();
    let gone = store.purge_user("U1").await.unwrap();
    assert_eq!((gone.replies, gone.feedback, gone.delegations), (1, 1, 1));
    assert!(store.delegations().await.unwrap().is_empty(), "the delegations U1 asked for are gone too");
    assert!(store.transcripts("U1").await.unwrap().0.is_empty());
    store.ping().await.unwrap();
}

fn lease(owner: &str, now: OffsetDateTime, secs: i64) -> Lease {
    Lease { owner: owner.to_owned(), now, until: now + Duration::seconds(secs) }
}

fn job(key: &str) -> secbot_chat::Job {
    secbot_chat::Job {
        platform: Platform::Slack,
        key: key.to_owned(),
        payload: serde_json::json!({ "text": format!("prompt of {key}"), "user": "U1" }),
    }
}

/// The inbox and outbox: dedupe on insert, leases that two replicas never share, progress only
/// by the holder, and nothing of the prompt kept once a job is done.
async fn jobs_suite(store: Arc<SqlStore>) {
    let now = OffsetDateTime::now_utc();
    let keys: Vec<String> = (0..40).map(|i| unique(&format!("job{i}"))).collect();
    let mut burst: Vec<secbot_chat::Job> = keys.iter().map(|k| job(k)).collect();
    burst.push(job(&keys[0]));
    let new = store.enqueue(&burst, &lease("a", now, -1)).await.unwrap();
    assert_eq!(new.iter().filter(|n| **n).count(), 40, "a repeat inside one commit is a duplicate too");
    assert!(!new[40]);
    assert!(!store.enqueue(&[job(&keys[1])], &lease("b", now, 60)).await.unwrap()[0]);

    // Two replicas lease at the same moment: each job goes to exactly one of them.
    let (lease_a, lease_b) = (lease("a", now, 60), lease("b", now, 60));
    let (a, b) = tokio::join!(store.lease_due(&lease_a, 30), store.lease_due(&lease_b, 30));
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut all: Vec<&str> = a.iter().chain(&b).map(|j| j.job.key.as_str()).collect();
    assert_eq!(all.len(), 40, "{} + {}", a.len(), b.len());
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 40, "no job leased twice");
    assert!(store.lease_due(&lease("c", now, 60), 30).await.unwrap().is_empty(), "held leases are respected");
    let first = a.first().or(b.first()).unwrap();
    assert_eq!(first.state, JobState::New);
    assert_eq!(first.job.payload["user"], "U1");
    let holder = if a.is_empty() { "b" } else { "a" };
    let key = first.job.key.clone();

    let due = now + Duration::seconds(30);
    let retry = JobUpdate::Retry { rest: serde_json::json!({"n": 2}), due, error: "503".to_owned() };
    let step = [(key.clone(), retry)];
    assert_eq!(store.update_jobs("c", &step).await.unwrap(), [false], "not c's");
    assert_eq!(store.update_jobs(holder, &step).await.unwrap(), [true]);
    assert!(
        store.lease_due(&lease("c", now + Duration::seconds(5), 60), 50).await.unwrap().is_empty(),
        "not due yet"
    );
    let later = store.lease_due(&lease("c", due + Duration::seconds(61), 60), 50).await.unwrap();
    let again = later.iter().find(|j| j.job.key == key).expect("due again, and every lapsed lease is free");
    assert_eq!((again.state, again.attempts), (JobState::Answered, 1));
    assert_eq!(again.outgoing, Some(serde_json::json!({"n": 2})), "what was left to send");
    assert_eq!(later.len(), 40, "the other leases lapsed too");
    let sent = [(key.clone(), JobUpdate::Finished(JobState::Sent, None))];
    assert_eq!(store.update_jobs("c", &sent).await.unwrap(), [true]);
    let row = sqlx::query("SELECT payload, outgoing FROM jobs WHERE job_key = $1")
        .bind(&key)
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(row.try_get::<String, _>("payload").unwrap(), "{}", "the prompt is not kept");
    assert_eq!(row.try_get::<Option<String>, _>("outgoing").unwrap(), None);
    assert!(store.release_leases().await.unwrap() >= 39);
    let counts: std::collections::HashMap<JobState, u64> =
        store.job_counts().await.unwrap().into_iter().collect();
    assert!(counts[&JobState::Sent] >= 1 && counts[&JobState::New] >= 39, "{counts:?}");
    let cutoffs = Cutoffs { transcripts: now, comments: now, delegations: now };
    let purged = store.purge_before(&cutoffs, now + CLAIM_TTL + Duration::minutes(1)).await.unwrap();
    assert!(purged.jobs >= 1, "finished jobs go after a day");
    let unfinished = keys.iter().find(|k| **k != key).unwrap();
    assert!(
        !store.enqueue(&[job(unfinished)], &lease("a", now, 60)).await.unwrap()[0],
        "unfinished ones stay"
    );
}

#[tokio::test]
async fn the_jobs_suite_passes_on_sqlite() {
    jobs_suite(Arc::new(sqlite().await)).await;
}

#[tokio::test]
async fn the_jobs_suite_passes_on_postgres() {
    if let Some(store) = postgres().await {
        jobs_suite(Arc::new(store)).await;
    }
}

#[tokio::test]
async fn the_store_suite_passes_on_sqlite() {
    suite(Arc::new(sqlite().await)).await;
}

#[tokio::test]
async fn the_store_suite_passes_on_postgres() {
    if let Some(store) = postgres().await {
        assert_eq!(store.database(), sql::Database::Postgres);
        suite(Arc::new(store)).await;
    }
}

#[tokio::test]
async fn tokens_need_the_right_key() {
    let dir = std::env::temp_dir().join(unique("secbot-keys"));
    std::fs::create_dir_all(&dir).unwrap();
    let keyless = SqlStore::in_dir(&dir, None).await.unwrap();
    let install = Installation {
        platform: "slack".into(),
        workspace: "T9".into(),
        token: "xoxb-9".into(),
        meta: serde_json::json!({}),
    };
    assert!(matches!(keyless.save_installation(&install).await, Err(StoreError::NoKey)));
    let keyed = SqlStore::in_dir(&dir, Some(KEY)).await.unwrap();
    keyed.save_installation(&install).await.unwrap();
    let other = SqlStore::in_dir(&dir, Some([9; 32])).await.unwrap();
    assert!(matches!(other.installation("slack", "T9").await, Err(StoreError::Undecryptable)));
}

#[tokio::test]
async fn a_bad_database_url_says_what_to_use_and_hides_the_password() {
    let err = SqlStore::open("mysql://bot:hunter2@db/secbot", None).await.unwrap_err().to_string();
    assert!(err.contains("SECBOT_DATABASE_URL") && err.contains("postgres://"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
}

#[test]
fn a_thread_keeps_the_lists_shown_before_its_last_one() {
    let list = |id: &str| ListContext {
        intent: Intent::ListRisks,
        slots: Slots::default(),
        items: vec![Subject::Resource { id: id.into() }],
        page_start: 0,
    };
    let mut context = ThreadContext::default();
    for id in ["a", "b", "c", "b"] {
        context.show_list(list(id));
    }
    assert_eq!(context.last_list, Some(list("b")));
    let earlier: Vec<_> = context.earlier_lists.iter().map(|l| l.items.clone()).collect();
    assert_eq!(earlier, [list("a").items, list("c").items], "a list shown again is kept once");
    for id in ["d", "e", "f", "g", "h"] {
        context.show_list(list(id));
    }
    assert_eq!(context.earlier_lists.len(), 4, "only the few latest are kept");
    assert_eq!(context.earlier_lists.last(), Some(&list("g")));
}
