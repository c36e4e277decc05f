//! What secbot does on its own, every interval: it checks each channel's watches, posts the
//! digests that are due and sends the reminders of delegated work that are due. Each tick one replica claims the tick in the store
//! (the others skip it), re-reads the posture source, queues the notices as jobs under keys that
//! post each one once, and only then records what it has announced. A replica that dies
//! mid-tick leaves the next tick to whoever claims it: the notices it queued are not queued
//! again (same keys), the ones it did not are.

use std::sync::Arc;
use std::time::Duration;

use secbot_chat::Inbox;
use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;

use crate::engine::Engine;

/// What one tick did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ticked {
    /// Another replica had claimed this tick; nothing was checked here.
    pub skipped: bool,
    /// Watches (digests included) looked at.
    pub watches: usize,
    /// Notices newly queued.
    pub queued: usize,
    /// Watches that could not be checked (tried again next tick).
    pub failed: usize,
    /// Reminders newly queued (and assignments closed because their finding was fixed).
    pub reminders: usize,
    /// Digests newly queued.
    pub digests: usize,
}

/// Checks the watches and sends due digests and reminders every interval.
#[derive(Clone)]
pub struct Scheduler {
    engine: Arc<Engine>,
    inbox: Arc<dyn Inbox>,
    interval: Duration,
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler").field("interval", &self.interval).finish_non_exhaustive()
    }
}

impl Scheduler {
    /// A scheduler over the engine, queueing notices into `inbox`, ticking every `interval`.
    pub fn new(engine: Arc<Engine>, inbox: Arc<dyn Inbox>, interval: Duration) -> Scheduler {
        Scheduler { engine, inbox, interval: interval.max(Duration::from_secs(1)) }
    }

    /// One tick as of `now` (the clock is the caller's, so tests can move it): every watch
    /// checked, every due digest and reminder sent.
    pub async fn tick(&self, now: OffsetDateTime) -> Ticked {
        let every = self.interval.as_secs().max(1);
        let slot = now.unix_timestamp().div_euclid(i64::try_from(every).unwrap_or(i64::MAX));
        let until = now + self.interval;
        match self.engine.store().claim(&format!("watch-tick:{slot}"), now, until).await {
            Ok(true) => {}
            Ok(false) => return Ticked { skipped: true, ..Ticked::default() },
            Err(err) => {
                tracing::warn!(error = %err, "watches not checked: the store is unavailable");
                return Ticked { failed: 1, ..Ticked::default() };
            }
        }
        // Fresh data for every watch and reminder (a snapshot file that changed is read again).
        self.engine.source().clear_cache();
        let mut ticked = Ticked { reminders: self.remind(now).await, ..Ticked::default() };
        let watches = match self.engine.all_watches().await {
            Ok(watches) => watches,
            Err(err) => {
                tracing::warn!(error = %err, "watches not checked: the store is unavailable");
                return Ticked { failed: 1, ..ticked };
            }
        };
        ticked.watches = watches.len();
        for watch in &watches {
            if watch.digest.is_some() {
                match self.digest(watch, now).await {
                    Ok(queued) => ticked.digests += queued,
                    Err(err) => {
                        ticked.failed += 1;
                        tracing::warn!(watch = %watch.id, error = %err, "a digest could not be sent; trying again next time");
                    }
                }
                continue;
            }
            match self.check(watch, now).await {
                Ok(queued) => ticked.queued += queued,
                Err(err) => {
                    ticked.failed += 1;
                    tracing::warn!(watch = %watch.id, error = %err, "a watch could not be checked; trying again next time");
                }
            }
        }
        let metrics = self.engine.metrics();
        metrics.add("secbot_watch_checks_total", Vec::new(), ticked.watches as f64);
        metrics.add("secbot_watch_notices_total", Vec::new(), ticked.queued as f64);
        ticked
    }

    /// Queues the reminders due at `now`, recording each once it is queued; how many.
    async fn remind(&self, now: OffsetDateTime) -> usize {
        let due = match self.engine.due_reminders(now).await {
            Ok(due) => due,
            Err(err) => {
                tracing::warn!(error = %err, "reminders not sent: the store is unavailable");
                return 0;
            }
        };
        let mut queued = 0;
        for (key, notice, delegation, state) in due {
            let accepted = match notice.job(key) {
                Ok(job) => self.inbox.accept(job).await.map_err(|e| e.to_string()),
                Err(err) => Err(err.to_string()),
            };
            match accepted {
                Ok(new) => {
                    queued += usize::from(new);
                    if let Err(err) = self.engine.reminded(&delegation, &state, now).await {
                        tracing::warn!(error = %err, delegation, "a reminder went out but was not recorded");
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %err, delegation, "a reminder could not be queued; trying next time");
                }
            }
        }
        self.engine.metrics().add("secbot_reminders_total", Vec::new(), queued as f64);
        queued
    }

    /// Queues a channel's digest when one is due, then records it; how many were queued.
    async fn digest(&self, record: &crate::store::WatchRecord, now: OffsetDateTime) -> anyhow::Result<usize> {
        let Some((key, notice, next)) = self.engine.due_digest(record, now).await? else { return Ok(0) };
        let queued = self.inbox.accept(notice.job(key)?).await?;
        self.engine.digested(&next).await?;
        Ok(usize::from(queued))
    }

    async fn check(&self, watch: &crate::store::WatchRecord, now: OffsetDateTime) -> anyhow::Result<usize> {
        let check = self.engine.check_watch(watch, now).await?;
        let mut queued = 0;
        for (key, notice) in &check.notices {
            let job = notice.job(key.clone())?;
            if self.inbox.accept(job).await? {
                queued += 1;
            }
        }
        self.engine.checked(watch, &check, now).await.map_err(anyhow::Error::msg)?;
        if !check.notices.is_empty() {
            tracing::info!(watch = %watch.id, notices = check.notices.len(), queued, "a watch found changes");
        }
        Ok(queued)
    }

    /// Ticks every interval until `stopping` is cancelled; the first tick comes one interval
    /// after start-up. (Not a task shutdown waits for: the notices a tick queued are.)
    pub fn start(self, stopping: CancellationToken) {
        tokio::spawn(async move {
            let mut timer = tokio::time::interval(self.interval);
            timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            timer.tick().await;
            loop {
                tokio::select! {
                    () = stopping.cancelled() => return,
                    _ = timer.tick() => {}
                }
                let ticked = self.tick(OffsetDateTime::now_utc()).await;
                tracing::debug!(?ticked, "checked the watches");
            }
        });
    }
}
