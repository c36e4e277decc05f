//! The queue between an acknowledgement and its reply. Adapters hand each delivery to
//! [`Queue::accept`], which returns once the store has committed it; the store's writer puts
//! everything that arrived while the previous commit ran into one transaction (group commit), so
//! a burst of deliveries is acknowledged after one fsync. A bounded
//! pool of workers answers the jobs and sends the replies; a reply the platform does not accept
//! is tried again with backoff and jitter (or after the platform's `Retry-After`) until the
//! delivery deadline, and every step is in the store, so after a crash or a restart the work
//! resumes where it was, on this replica or, once its lease lapses, on another.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use async_trait::async_trait;
use secbot_chat::{AssistantError, Inbox, Job, Platform, Sent, Worker};
use time::OffsetDateTime;
use tokio::sync::Semaphore;
use tokio_util::task::TaskTracker;

use crate::metrics::Metrics;
use crate::store::{JobRecord, JobState, JobUpdate, Lease, Store};

/// How the queue works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueOptions {
    /// Jobs answered or sent at once by this process.
    pub workers: usize,
    /// How long a replica holds a job before another may take it over.
    pub lease: Duration,
    /// How often the store is asked for jobs that are due (retries, and what a dead replica left).
    pub poll: Duration,
    /// How long after a message was accepted its reply is still tried; then it is given up
    /// (`SECBOT_DELIVERY_DEADLINE_SECS`).
    pub deadline: Duration,
    /// The first wait after a failed send; each further failure doubles it.
    pub retry_base: Duration,
    /// The longest wait between two sends.
    pub retry_cap: Duration,
    /// Free every lease at start-up: the store is this process's alone (SQLite), so what a
    /// crash left behind resumes at once.
    pub takeover: bool,
}

impl QueueOptions {
    /// The queue a configuration asks for: its delivery deadline, and a takeover of what a
    /// crash left when the store is SQLite (one process's own file).
    pub fn of(config: &crate::config::Config) -> QueueOptions {
        QueueOptions {
            deadline: config.delivery_deadline,
            takeover: config.database_url.is_none(),
            ..QueueOptions::default()
        }
    }
}

impl Default for QueueOptions {
    fn default() -> QueueOptions {
        QueueOptions {
            workers: 64,
            lease: Duration::from_secs(120),
            poll: Duration::from_millis(500),
            deadline: Duration::from_secs(3600),
            retry_base: Duration::from_secs(1),
            retry_cap: Duration::from_secs(60),
            takeover: false,
        }
    }
}

/// The most due jobs one poll leases.
const POLL_LIMIT: u32 = 256;

/// The durable queue: the [`Inbox`] the adapters accept into, and the workers behind it.
#[derive(Clone)]
pub struct Queue {
    shared: Arc<Shared>,
}

struct Shared {
    store: Arc<dyn Store>,
    metrics: Arc<Metrics>,
    options: QueueOptions,
    owner: String,
    workers: RwLock<HashMap<Platform, Arc<dyn Worker>>>,
    permits: Semaphore,
    /// Jobs this process is working on, so a poll does not start them twice.
    running: Mutex<HashSet<String>>,
    tasks: TaskTracker,
    /// Set at shutdown: no more due jobs are taken (what is running finishes).
    stopped: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue").field("owner", &self.shared.owner).finish_non_exhaustive()
    }
}

fn replica_id() -> String {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos();
        bytes = (nanos as u64).to_le_bytes();
    }
    format!("{}-{}", std::process::id(), hex::encode(bytes))
}

impl Queue {
    /// A queue over `store`; its work runs on `tasks` (which shutdown waits for). Call
    /// [`Queue::start`] once the adapters have registered their workers.
    pub fn new(
        store: Arc<dyn Store>,
        metrics: Arc<Metrics>,
        options: QueueOptions,
        tasks: TaskTracker,
    ) -> Queue {
        let shared = Arc::new(Shared {
            store,
            metrics,
            options,
            owner: replica_id(),
            workers: RwLock::new(HashMap::new()),
            permits: Semaphore::new(options.workers.max(1)),
            running: Mutex::new(HashSet::new()),
            tasks,
            stopped: std::sync::atomic::AtomicBool::new(false),
        });
        Queue { shared }
    }

    /// Starts polling the store for due jobs: retries, and what a crash or another replica left.
    pub fn start(&self) {
        let shared = self.shared.clone();
        tokio::spawn(async move {
            if shared.options.takeover {
                match shared.store.release_leases().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(jobs = n, "resuming work left unfinished by the last run"),
                    Err(err) => tracing::warn!(error = %err, "could not resume unfinished work yet"),
                }
            }
            let mut every = tokio::time::interval(shared.options.poll);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                if shared.stopped.load(std::sync::atomic::Ordering::Relaxed) {
                    return;
                }
                shared.poll().await;
            }
        });
    }
}

impl Queue {
    /// Stops taking due jobs (at shutdown); what runs finishes, and what is left resumes at the
    /// next start.
    pub fn stop(&self) {
        self.shared.stopped.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

#[async_trait]
impl Inbox for Queue {
    fn register(&self, platform: Platform, worker: Arc<dyn Worker>) {
        if let Ok(mut workers) = self.shared.workers.write() {
            workers.insert(platform, worker);
        }
    }

    async fn accept(&self, job: Job) -> Result<bool, AssistantError> {
        // A task of its own: the platform may hang up while the commit runs (Slack waits 3 s),
        // and a job committed for a request that went away must still be started here rather
        // than wait for its lease to lapse.
        let shared = self.shared.clone();
        tokio::spawn(async move { shared.accept(job).await })
            .await
            .map_err(|_| AssistantError::Store("secbot is shutting down".to_owned()))?
    }
}

impl Shared {
    async fn accept(self: Arc<Self>, job: Job) -> Result<bool, AssistantError> {
        let lease = self.lease();
        let stored = self.store.enqueue(std::slice::from_ref(&job), &lease).await;
        let new = match stored.as_deref() {
            Ok([new]) => *new,
            Ok(_) => {
                return Err(AssistantError::Store("the store did not answer for the message".to_owned()));
            }
            Err(err) => {
                tracing::warn!(error = %err, "could not store an incoming message; the platform will retry");
                return Err(AssistantError::Store(err.to_string()));
            }
        };
        let platform = vec![("platform", job.platform.to_string())];
        if new {
            self.metrics.add("secbot_jobs_accepted_total", platform, 1.0);
            let record =
                JobRecord { job, state: JobState::New, outgoing: None, attempts: 0, created: lease.now };
            self.spawn(record);
        } else {
            self.metrics.add("secbot_events_deduplicated_total", platform, 1.0);
        }
        Ok(new)
    }

    fn lease(&self) -> Lease {
        let now = OffsetDateTime::now_utc();
        Lease { owner: self.owner.clone(), now, until: now + self.options.lease }
    }

    async fn poll(self: &Arc<Self>) {
        let free = self.permits.available_permits();
        if free == 0 {
            return;
        }
        let limit = u32::try_from(free).unwrap_or(POLL_LIMIT).min(POLL_LIMIT);
        match self.store.lease_due(&self.lease(), limit).await {
            Ok(jobs) => {
                for job in jobs {
                    self.clone().spawn(job);
                }
            }
            Err(err) => tracing::warn!(error = %err, "could not read due jobs; trying again shortly"),
        }
    }

    fn spawn(self: Arc<Self>, job: JobRecord) {
        let fresh = self.running.lock().is_ok_and(|mut running| running.insert(job.job.key.clone()));
        if !fresh {
            return;
        }
        let tasks = self.tasks.clone();
        tasks.spawn(async move {
            let key = job.job.key.clone();
            if let Ok(_permit) = self.permits.acquire().await {
                self.run(job).await;
            }
            if let Ok(mut running) = self.running.lock() {
                running.remove(&key);
            }
        });
    }

    fn worker(&self, platform: Platform) -> Option<Arc<dyn Worker>> {
        self.workers.read().ok().and_then(|w| w.get(&platform).cloned())
    }

    /// Takes one job a step or two further: answers it if it is new, then sends its reply once.
    async fn run(&self, job: JobRecord) {
        use tracing::Instrument as _;
        let span = tracing::info_span!(
            "job",
            platform = %job.job.platform,
            job = %job.job.key,
            attempt = job.attempts + 1,
        );
        self.step(job).instrument(span).await;
    }

    async fn step(&self, job: JobRecord) {
        let key = job.job.key.clone();
        let platform = job.job.platform;
        let Some(worker) = self.worker(platform) else {
            let why = format!("{platform} is no longer configured on this secbot");
            tracing::warn!(job = %key, "{why}; the message is not answered");
            self.update(&key, platform, JobUpdate::Finished(JobState::Failed, Some(why))).await;
            return;
        };
        // A fresh answer is sent before anything is written: the reply is stored (as the outbox)
        // only when a send fails. A crash in between answers the message again after the restart.
        let outgoing = match (job.state, job.outgoing) {
            (JobState::Answered, Some(outgoing)) => outgoing,
            (JobState::New, _) => match worker.answer(job.job.payload).await {
                Some(outgoing) => outgoing,
                None => {
                    self.update(&key, platform, JobUpdate::Finished(JobState::Silent, None)).await;
                    return;
                }
            },
            _ => return,
        };
        let update = match worker.send(outgoing).await {
            Sent::Done => {
                self.metrics.add("secbot_replies_sent_total", vec![("platform", platform.to_string())], 1.0);
                JobUpdate::Finished(JobState::Sent, None)
            }
            Sent::Failed(why) => {
                self.failed(platform, "refused");
                JobUpdate::Finished(JobState::Failed, Some(why))
            }
            Sent::Retry { after, reason, rest } => {
                let now = OffsetDateTime::now_utc();
                let waited = now - job.created;
                if waited >= self.options.deadline {
                    tracing::error!(job = %key, %platform, attempts = job.attempts + 1, reason, "gave up sending a reply: the platform did not accept it before the delivery deadline (SECBOT_DELIVERY_DEADLINE_SECS)");
                    self.failed(platform, "deadline");
                    JobUpdate::Finished(
                        JobState::Failed,
                        Some(format!("not accepted before the deadline: {reason}")),
                    )
                } else {
                    let wait = retry_wait(&self.options, job.attempts + 1, after, jitter());
                    tracing::info!(job = %key, %platform, attempt = job.attempts + 1, wait_ms = wait.as_millis() as u64, reason, "the platform did not take the reply; trying again");
                    self.metrics.add(
                        "secbot_delivery_retries_total",
                        vec![("platform", platform.to_string())],
                        1.0,
                    );
                    JobUpdate::Retry { rest, due: now + wait, error: reason }
                }
            }
        };
        self.update(&key, platform, update).await;
    }

    fn failed(&self, platform: Platform, reason: &str) {
        self.metrics.add(
            "secbot_replies_failed_total",
            vec![("platform", platform.to_string()), ("reason", reason.to_owned())],
            1.0,
        );
    }

    /// Records a step; `false` when this replica no longer holds the job. While the store is
    /// down (a database restart) the step is tried again with backoff for up to half the lease:
    /// a reply already sent but not recorded as sent would otherwise be sent again by whoever
    /// takes the job over. Past that, the job is left to whoever holds it, or to this replica
    /// once the lease lapses.
    async fn update(&self, key: &str, platform: Platform, update: JobUpdate) -> bool {
        let step = [(key.to_owned(), update)];
        let started = tokio::time::Instant::now();
        let mut attempt = 0u32;
        loop {
            match self.store.update_jobs(&self.owner, &step).await.as_deref() {
                Ok([true]) => return true,
                Ok(_) => {
                    tracing::info!(job = %key, %platform, "another replica took this job over");
                    return false;
                }
                Err(err) => {
                    attempt += 1;
                    let wait = retry_wait(&self.options, attempt, None, jitter());
                    if started.elapsed() + wait >= self.options.lease / 2 {
                        tracing::warn!(job = %key, %platform, error = %err, "could not record a job's progress; it resumes when its lease lapses");
                        return false;
                    }
                    tracing::info!(job = %key, %platform, error = %err, "could not record a job's progress yet; trying again");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
}

/// A factor in [0.5, 1.0) that spreads retries of many replies apart.
fn jitter() -> f64 {
    let mut byte = [0u8; 2];
    if getrandom::fill(&mut byte).is_err() {
        return 0.75;
    }
    0.5 + f64::from(u16::from_le_bytes(byte)) / f64::from(u16::MAX) / 2.0
}

/// How long to wait before send number `attempt + 1`: what the platform asked for when it said
/// (capped at the deadline), otherwise exponential from the base, capped, times `jitter`.
fn retry_wait(options: &QueueOptions, attempt: u32, asked: Option<Duration>, jitter: f64) -> Duration {
    if let Some(asked) = asked {
        return asked.min(options.deadline);
    }
    let exponential =
        options.retry_base.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1).min(20)));
    exponential.min(options.retry_cap).mul_f64(jitter.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests;
