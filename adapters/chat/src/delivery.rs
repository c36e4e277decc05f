//! When to try a chat API call again: a bounded backoff that honours the platform's
//! `Retry-After`, shared by every adapter's client (the waiting itself is theirs).

use std::time::Duration;

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

/// Why a call failed, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Throttled (HTTP 429 or the platform's equivalent), maybe with a `Retry-After`.
    Throttled(Option<Duration>),
    /// The platform failed (5xx, 412, timeouts, connection errors): worth another try.
    Transient,
    /// The request itself is wrong or refused (4xx): another try would fail the same way.
    Permanent,
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
