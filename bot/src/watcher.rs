//! The periodic check of every channel's watches. Each tick one replica claims the tick in the
//! store (the others skip it), re-reads the posture source, checks each watch, queues the
//! notices as jobs under keys that post each one once, and only then records what the watch
//! has seen. A replica that dies mid-tick leaves the next tick to whoever claims it: the
//! notices it queued are not queued again (same keys), the ones it did not are.

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
    /// Watches checked.
    pub watches: usize,
    /// Notices newly queued.
    pub queued: usize,
    /// Watches that could not be checked (tried again next tick).
    pub failed: usize,
}

/// Checks the watches every interval.
#[derive(Clone)]
pub struct Watcher {
    engine: Arc<Engine>,
    inbox: Arc<dyn Inbox>,
    interval: Duration,
}

impl std::fmt::Debug for Watcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watcher").field("interval", &self.interval).finish_non_exhaustive()
    }
}

impl Watcher {
    /// A watcher over the engine, queueing notices into `inbox`, checking every `interval`.
    pub fn new(engine: Arc<Engine>, inbox: Arc<dyn Inbox>, interval: Duration) -> Watcher {
        Watcher { engine, inbox, interval: interval.max(Duration::from_secs(1)) }
    }

    /// One check of every watch, as of `now` (the clock is the caller's, so tests can move it).
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
        let watches = match self.engine.all_watches().await {
            Ok(watches) => watches,
            Err(err) => {
                tracing::warn!(error = %err, "watches not checked: the store is unavailable");
                return Ticked { failed: 1, ..Ticked::default() };
            }
        };
        if watches.is_empty() {
            return Ticked::default();
        }
        // Fresh data for every watch (a snapshot file that changed is read again).
        self.engine.source().clear_cache();
        let mut ticked = Ticked { watches: watches.len(), ..Ticked::default() };
        for watch in &watches {
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
