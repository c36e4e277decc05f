use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

use super::*;
use crate::store::SqlStore;

/// A worker whose sends fail `failures` times (throttled or transient) before Slack-like
/// acceptance; it counts answers and accepted sends per job.
struct Flaky {
    failures: usize,
    retry_after: Option<Duration>,
    answered: Mutex<Vec<String>>,
    attempts: AtomicUsize,
    sent: Mutex<Vec<Value>>,
}

impl Flaky {
    fn new(failures: usize) -> Arc<Flaky> {
        Arc::new(Flaky {
            failures,
            retry_after: None,
            answered: Mutex::default(),
            attempts: AtomicUsize::new(0),
            sent: Mutex::default(),
        })
    }
}

#[async_trait]
impl Worker for Flaky {
    async fn answer(&self, payload: Value) -> Option<Value> {
        let text = payload["text"].as_str().unwrap_or_default().to_owned();
        self.answered.lock().unwrap().push(text.clone());
        (!text.is_empty()).then(|| json!({ "reply": text, "part": 0 }))
    }

    async fn send(&self, outgoing: Value) -> Sent {
        let attempt = self.attempts.fetch_add(1, Ordering::SeqCst);
        if attempt < self.failures {
            let mut rest = outgoing;
            rest["part"] = json!(attempt + 1);
            return Sent::Retry { after: self.retry_after, reason: "503 from the chat API".to_owned(), rest };
        }
        self.sent.lock().unwrap().push(outgoing);
        Sent::Done
    }
}

fn quick() -> QueueOptions {
    QueueOptions {
        workers: 4,
        lease: Duration::from_secs(30),
        poll: Duration::from_millis(10),
        deadline: Duration::from_secs(30),
        retry_base: Duration::from_millis(5),
        retry_cap: Duration::from_millis(20),
        takeover: false,
    }
}

async fn store() -> Arc<dyn Store> {
    Arc::new(SqlStore::in_memory().await.unwrap())
}

fn job(key: &str, text: &str) -> Job {
    Job { platform: Platform::Slack, key: key.to_owned(), payload: json!({ "text": text }) }
}

async fn until(what: &str, done: impl Fn() -> bool) {
    for _ in 0..500 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting until {what}");
}

async fn states(store: &dyn Store) -> HashMap<JobState, u64> {
    store.job_counts().await.unwrap().into_iter().collect()
}

#[tokio::test]
async fn a_job_is_accepted_once_and_answered_once_however_often_it_is_delivered() {
    let store = store().await;
    let worker = Flaky::new(0);
    let queue = Queue::new(store.clone(), Arc::new(Metrics::default()), quick(), TaskTracker::new());
    queue.register(Platform::Slack, worker.clone());
    queue.start();
    // Five deliveries at once, as Slack's retries and a second event type would arrive.
    let copies: Vec<_> = (0..5)
        .map(|_| {
            let queue = queue.clone();
            tokio::spawn(async move { queue.accept(job("slack:T1:C1:1.0001", "show critical risks")).await })
        })
        .collect();
    let mut accepted = Vec::new();
    for copy in copies {
        accepted.push(copy.await.unwrap().unwrap());
    }
    assert_eq!(accepted.iter().filter(|new| **new).count(), 1, "{accepted:?}");
    until("the reply is sent", || worker.sent.lock().unwrap().len() == 1).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(worker.answered.lock().unwrap().len(), 1);
    assert_eq!(worker.sent.lock().unwrap().len(), 1);
    assert_eq!(states(store.as_ref()).await.get(&JobState::Sent), Some(&1));
}

#[tokio::test]
async fn a_reply_the_platform_refuses_for_a_while_is_sent_once_it_comes_back_with_what_was_left() {
    let store = store().await;
    let worker = Flaky::new(3);
    let queue = Queue::new(store.clone(), Arc::new(Metrics::default()), quick(), TaskTracker::new());
    queue.register(Platform::Slack, worker.clone());
    queue.start();
    assert!(queue.accept(job("k1", "fix the 2nd one")).await.unwrap());
    until("the reply is sent", || worker.sent.lock().unwrap().len() == 1).await;
    assert_eq!(worker.attempts.load(Ordering::SeqCst), 4, "three refusals, then accepted");
    assert_eq!(worker.sent.lock().unwrap()[0]["part"], 3, "each retry sends what the last one left");
    assert_eq!(worker.answered.lock().unwrap().len(), 1, "answered once, sent four times");
}

#[tokio::test]
async fn a_reply_not_accepted_before_the_deadline_is_given_up_and_recorded() {
    let store = store().await;
    let worker = Flaky::new(usize::MAX);
    let metrics = Arc::new(Metrics::default());
    let options = QueueOptions { deadline: Duration::from_millis(100), ..quick() };
    let queue = Queue::new(store.clone(), metrics.clone(), options, TaskTracker::new());
    queue.register(Platform::Slack, worker.clone());
    queue.start();
    assert!(queue.accept(job("k1", "summarize")).await.unwrap());
    let failed =
        || metrics.counter("secbot_replies_failed_total", &[("platform", "slack"), ("reason", "deadline")]);
    until("the reply is given up", || failed() == 1.0).await;
    assert_eq!(states(store.as_ref()).await.get(&JobState::Failed), Some(&1));
    assert!(worker.attempts.load(Ordering::SeqCst) >= 2, "it was tried until the deadline");
}

#[tokio::test]
async fn a_message_with_nothing_to_say_is_finished_without_a_send() {
    let store = store().await;
    let worker = Flaky::new(0);
    let queue = Queue::new(store.clone(), Arc::new(Metrics::default()), quick(), TaskTracker::new());
    queue.register(Platform::Slack, worker.clone());
    queue.start();
    assert!(queue.accept(job("k1", "")).await.unwrap());
    until("the message is answered", || worker.answered.lock().unwrap().len() == 1).await;
    for _ in 0..100 {
        if states(store.as_ref()).await.get(&JobState::Silent) == Some(&1) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(states(store.as_ref()).await.get(&JobState::Silent), Some(&1));
    assert_eq!(worker.attempts.load(Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_crashed_process_accepted_is_answered_after_a_restart_and_what_it_sent_is_not_sent_again() {
    let store = store().await;
    // The crashed process: it stored three messages (and acknowledged them), answered one and
    // sent it, answered another without sending it, and held all three under its lease.
    let dead = Lease {
        owner: "dead-replica".to_owned(),
        now: OffsetDateTime::now_utc(),
        until: OffsetDateTime::now_utc() + time::Duration::hours(1),
    };
    let jobs = [job("k1", "first"), job("k2", "second"), job("k3", "third")];
    assert_eq!(store.enqueue(&jobs, &dead).await.unwrap(), vec![true, true, true]);
    let failed_send = JobUpdate::Retry {
        rest: json!({"reply": "second"}),
        due: OffsetDateTime::now_utc(),
        error: "503".to_owned(),
    };
    // Recorded together, in any order; a job the replica does not hold is answered `false`.
    let steps = [
        ("k2".to_owned(), failed_send),
        ("k1".to_owned(), JobUpdate::Finished(JobState::Sent, None)),
        ("k9".to_owned(), JobUpdate::Finished(JobState::Sent, None)),
    ];
    assert_eq!(store.update_jobs("dead-replica", &steps).await.unwrap(), [true, true, false]);

    // A replica sharing the store sends the reply waiting for a retry (nobody holds it) but
    // leaves the message the dead process still holds; the restarted process (SQLite: the
    // store is its own) takes that over at once.
    let replica_worker = Flaky::new(0);
    let replica = Queue::new(store.clone(), Arc::new(Metrics::default()), quick(), TaskTracker::new());
    replica.register(Platform::Slack, replica_worker.clone());
    replica.start();
    until("the waiting reply is sent", || replica_worker.sent.lock().unwrap().len() == 1).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    replica.stop();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        replica_worker.sent.lock().unwrap()[0]["reply"],
        "second",
        "sent as stored, not answered again"
    );
    assert!(replica_worker.answered.lock().unwrap().is_empty(), "a live lease is respected");

    let worker = Flaky::new(0);
    let options = QueueOptions { takeover: true, ..quick() };
    let restarted = Queue::new(store.clone(), Arc::new(Metrics::default()), options, TaskTracker::new());
    restarted.register(Platform::Slack, worker.clone());
    restarted.start();
    until("the held message is answered and sent", || worker.sent.lock().unwrap().len() == 1).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(worker.sent.lock().unwrap().len(), 1);
    assert_eq!(worker.sent.lock().unwrap()[0]["reply"], "third");
    assert_eq!(*worker.answered.lock().unwrap(), vec!["third".to_owned()]);
    assert!(
        !store.enqueue(&[job("k1", "first")], &restarted.shared.lease()).await.unwrap()[0],
        "still a duplicate"
    );
}

#[test]
fn retries_back_off_exponentially_with_jitter_and_honour_what_the_platform_asked() {
    let options = QueueOptions::default();
    assert_eq!(retry_wait(&options, 1, None, 1.0), Duration::from_secs(1));
    assert_eq!(retry_wait(&options, 3, None, 1.0), Duration::from_secs(4));
    assert_eq!(retry_wait(&options, 30, None, 1.0), Duration::from_secs(60), "capped");
    assert_eq!(retry_wait(&options, 3, None, 0.5), Duration::from_secs(2), "jittered");
    assert_eq!(retry_wait(&options, 1, Some(Duration::from_secs(7)), 0.5), Duration::from_secs(7));
    assert_eq!(
        retry_wait(&options, 1, Some(Duration::from_secs(86_400)), 1.0),
        options.deadline,
        "never longer than the deadline"
    );
    for _ in 0..100 {
        let j = jitter();
        assert!((0.5..=1.0).contains(&j), "{j}");
    }
}
