//! Shared set-up for secbot's end-to-end tests: an engine over the demo tenant with a store in
//! memory, and origins for each platform.

use std::sync::Arc;

use secbot::engine::{Engine, Policy};
use secbot::source::{self, SourceOptions};
use secbot::store::{SqlStore, Store};
use secbot_chat::{Origin, Person, Platform};
use time::OffsetDateTime;

/// The day every end-to-end test's demo tenant is built for.
pub const DAY: time::Date = time::macros::date!(2026 - 11 - 25);

/// An engine over the demo tenant for [`DAY`], and its store (SQLite in memory).
pub async fn engine() -> (Arc<Engine>, Arc<dyn Store>) {
    engine_with(Policy::default()).await
}

/// The same, applying a policy (scopes, budgets).
pub async fn engine_with(policy: Policy) -> (Arc<Engine>, Arc<dyn Store>) {
    let loaded = source::load(&SourceOptions { day: Some(DAY), ..SourceOptions::default() })
        .expect("the demo tenant loads");
    let store: Arc<dyn Store> = Arc::new(SqlStore::in_memory().await.expect("an in-memory store"));
    (Arc::new(Engine::new(loaded.source, loaded.lexicon, store.clone()).with_policy(policy)), store)
}

/// A message origin in a thread, at noon on [`DAY`].
pub fn origin(platform: Platform, thread: &str, user: &str) -> Origin {
    Origin {
        platform,
        tenant: "T1".to_owned(),
        channel: "C1".to_owned(),
        thread: Some(thread.to_owned()),
        message: None,
        user: Person { id: user.to_owned(), name: user.to_owned(), email: None },
        time: OffsetDateTime::new_utc(DAY, time::Time::from_hms(12, 0, 0).expect("a valid time")),
    }
}
