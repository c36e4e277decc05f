//! When to try a call to another service again: a bounded backoff that honours the platform's
//! `Retry-After`, and the one retry loop every chat client runs its calls in.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::calls;
pub use crate::calls::Failure;

/// A retry schedule: exponential from `base`, capped, for at most `attempts` tries in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Tries allowed in all, including the first.
    pub attempts: u32,
    /// The first wait.
    pub base: Duration,
    /// The longest wait.
    pub cap: Duration,
}

impl Default for Backoff {
    /// Five tries: waits of 0.5, 1, 2 and 4 seconds (or what the platform asks, up to 30 s).
    fn default() -> Backoff {
        Backoff { attempts: 5, base: Duration::from_millis(500), cap: Duration::from_secs(30) }
    }
}

impl Backoff {
    /// How long to wait before try number `attempt + 1` after try `attempt` (1-based) failed,
    /// or `None` when there should be no further try.
    pub fn wait(&self, attempt: u32, failure: Failure) -> Option<Duration> {
        if attempt >= self.attempts {
            return None;
        }
        let exponential =
            self.base.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1))).min(self.cap);
        match failure {
            Failure::Permanent => None,
            Failure::Throttled(Some(asked)) => Some(asked.min(self.cap)),
            Failure::Throttled(None) | Failure::Transient => Some(exponential),
        }
    }

    /// Runs a call until it succeeds, fails for good, or the schedule is spent: `once` makes one
    /// try (given its number, from 1) and says why it failed and what to return if it was the
    /// last. Every try is recorded in [`calls`] as `service` and `method`, and each wait logged.
    pub async fn retry<T, E, Fut>(
        &self,
        service: &str,
        method: &str,
        mut once: impl FnMut(u32) -> Fut,
    ) -> Result<T, E>
    where
        Fut: Future<Output = Result<T, (Failure, E)>>,
    {
        let mut attempt = 1;
        loop {
            let started = Instant::now();
            let (failure, error) = match once(attempt).await {
                Ok(value) => {
                    let elapsed = started.elapsed();
                    calls::record(calls::Try { service, method, failure: None, elapsed, retried: false });
                    return Ok(value);
                }
                Err(failed) => failed,
            };
            let wait = self.wait(attempt, failure);
            let elapsed = started.elapsed();
            calls::record(calls::Try {
                service,
                method,
                failure: Some(failure),
                elapsed,
                retried: wait.is_some(),
            });
            let Some(wait) = wait else { return Err(error) };
            tracing::info!(service, method, attempt, wait_ms = wait.as_millis() as u64, ?failure, "retrying");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// Reads an HTTP status (and `Retry-After` seconds) into a [`Failure`], or `None` for success.
    pub fn classify(status: u16, retry_after: Option<&str>) -> Option<Failure> {
        match status {
            200..=299 => None,
            429 => Some(Failure::Throttled(retry_after.and_then(seconds))),
            408 | 412 | 500..=599 => Some(Failure::Transient),
            _ => Some(Failure::Permanent),
        }
    }
}

/// The longest wait a platform's `Retry-After` is taken at its word for.
const LONGEST_ASKED: f64 = 86_400.0;

/// A number of seconds as a platform writes it in `Retry-After` or a rate-limit body ("2",
/// "0.25"): `None` for anything else (negative, not a number, infinite, an HTTP date), and at most
/// a day, so no value a platform or a proxy sends can make secbot panic or wait forever.
pub fn seconds(text: &str) -> Option<Duration> {
    text.trim().parse::<f64>().ok().and_then(wait_of)
}

/// A wait a platform asked for in seconds, read as [`seconds`] reads text.
pub fn wait_of(seconds: f64) -> Option<Duration> {
    if !(seconds.is_finite() && seconds >= 0.0) {
        return None;
    }
    Duration::try_from_secs_f64(seconds.min(LONGEST_ASKED)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_then_stop_and_respect_retry_after() {
        let b = Backoff::default();
        assert_eq!(b.wait(1, Failure::Transient), Some(Duration::from_millis(500)));
        assert_eq!(b.wait(3, Failure::Transient), Some(Duration::from_secs(2)));
        assert_eq!(b.wait(5, Failure::Transient), None, "five tries in all");
        assert_eq!(b.wait(1, Failure::Throttled(Some(Duration::from_secs(1)))), Some(Duration::from_secs(1)));
        assert_eq!(
            b.wait(1, Failure::Throttled(Some(Duration::from_secs(300)))),
            Some(Duration::from_secs(30)),
            "capped"
        );
        assert_eq!(b.wait(1, Failure::Permanent), None);
    }

    #[tokio::test]
    async fn a_call_is_tried_until_it_succeeds_or_fails_for_good_or_the_schedule_ends() {
        let b = Backoff { attempts: 3, base: Duration::from_millis(10), cap: Duration::from_secs(1) };
        let tries = std::sync::atomic::AtomicU32::new(0);
        let count = || tries.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        let ok: Result<u32, &str> = b
            .retry("test", "flaky", |n| async move {
                if n < 3 { Err((Failure::Transient, "down")) } else { Ok(n) }
            })
            .await;
        assert_eq!(ok, Ok(3));
        let spent: Result<(), &str> = b
            .retry("test", "down", |_| async {
                count();
                Err((Failure::Transient, "down"))
            })
            .await;
        assert_eq!((spent, tries.swap(0, std::sync::atomic::Ordering::SeqCst)), (Err("down"), 3));
        let refused: Result<(), &str> = b
            .retry("test", "wrong", |_| async {
                count();
                Err((Failure::Permanent, "bad request"))
            })
            .await;
        assert_eq!((refused, tries.load(std::sync::atomic::Ordering::SeqCst)), (Err("bad request"), 1));
    }

    #[test]
    fn statuses_are_classified() {
        assert_eq!(Backoff::classify(200, None), None);
        assert_eq!(Backoff::classify(429, Some("1")), Some(Failure::Throttled(Some(Duration::from_secs(1)))));
        assert_eq!(Backoff::classify(503, None), Some(Failure::Transient));
        assert_eq!(Backoff::classify(412, None), Some(Failure::Transient));
        assert_eq!(Backoff::classify(403, None), Some(Failure::Permanent));
    }

    #[test]
    fn any_retry_after_is_read_without_panicking() {
        for junk in ["-1", "NaN", "inf", "-inf", "1e400", "", "soon", "Wed, 21 Oct 2026 07:28:00 GMT"] {
            assert_eq!(Backoff::classify(429, Some(junk)), Some(Failure::Throttled(None)), "{junk}");
        }
        assert_eq!(seconds("0.25"), Some(Duration::from_millis(250)));
        assert_eq!(seconds("1e300"), Some(Duration::from_secs(86_400)), "at most a day");
    }
}
