//! What secbot's clients of other services (the chat platforms' APIs, Azure) report about each
//! try of a call: the service, the method, how it ended, how long it took, and whether it will
//! be tried again. The binary turns these into `/metrics`; until it sets a recorder, nothing is
//! kept.

use std::sync::{Arc, RwLock};
use std::time::Duration;

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

/// One try of a call to another service.
#[derive(Debug, Clone, Copy)]
pub struct Try<'a> {
    /// The service: `slack`, `teams`, `discord`, `azure`.
    pub service: &'a str,
    /// The method or route, without ids (`chat.postMessage`, `POST /channels/{id}/messages`).
    pub method: &'a str,
    /// Why it failed; `None` when it succeeded.
    pub failure: Option<Failure>,
    /// How long the try took.
    pub elapsed: Duration,
    /// True when the call will be tried again after this one.
    pub retried: bool,
}

impl Try<'_> {
    /// How the try ended, as a metric label: `ok`, `throttled`, `failed` (the service failed or
    /// could not be reached) or `refused` (the request was wrong or not allowed).
    pub fn outcome(&self) -> &'static str {
        match self.failure {
            None => "ok",
            Some(Failure::Throttled(_)) => "throttled",
            Some(Failure::Transient) => "failed",
            Some(Failure::Permanent) => "refused",
        }
    }
}

/// Where tries are reported.
pub type Recorder = Arc<dyn Fn(&Try<'_>) + Send + Sync>;

static RECORDER: RwLock<Option<Recorder>> = RwLock::new(None);

/// Reports every later try to `recorder` (process-wide: the last one set wins).
pub fn set_recorder(recorder: Recorder) {
    if let Ok(mut slot) = RECORDER.write() {
        *slot = Some(recorder);
    }
}

/// Reports one try.
pub fn record(done: Try<'_>) {
    let recorder = RECORDER.read().ok().and_then(|slot| slot.clone());
    if let Some(recorder) = recorder {
        recorder(&done);
    }
}

/// A route with its ids taken out (every run of digits, and every segment holding one, becomes
/// `{id}`), so a metric has one series per kind of call rather than one per channel.
pub fn route_of(route: &str) -> String {
    route
        .split('/')
        .map(|segment| if segment.chars().any(|c| c.is_ascii_digit()) { "{id}" } else { segment })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_lose_their_ids_and_outcomes_name_the_failure() {
        assert_eq!(route_of("POST /channels/1200000000000000002/messages"), "POST /channels/{id}/messages");
        assert_eq!(route_of("GET /gateway/bot"), "GET /gateway/bot");
        let done = Try {
            service: "slack",
            method: "chat.postMessage",
            failure: None,
            elapsed: Duration::ZERO,
            retried: false,
        };
        assert_eq!(done.outcome(), "ok");
        assert_eq!(Try { failure: Some(Failure::Throttled(None)), ..done }.outcome(), "throttled");
        assert_eq!(Try { failure: Some(Failure::Permanent), ..done }.outcome(), "refused");
    }
}
