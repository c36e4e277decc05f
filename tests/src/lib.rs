//! Shared set-up for secbot's end-to-end tests: an engine over the demo tenant with an
//! in-memory store, and origins for each platform.

use std::sync::Arc;

use secbot::engine::Engine;
use secbot::source::{self, SourceOptions};
use secbot::store::{MemoryStore, Store};
use secbot_chat::{Origin, Person, Platform};
use time::OffsetDateTime;

/// The day every end-to-end test's demo tenant is built for.
pub const DAY: time::Date = time::macros::date!(2026 - 11 - 25);

/// An engine over the demo tenant for [`DAY`], and its store.
pub fn engine() -> (Arc<Engine>, Arc<dyn Store>) {
    let loaded = source::load(&SourceOptions { day: Some(DAY), ..SourceOptions::default() })
        .expect("the demo tenant loads");
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    (Arc::new(Engine::new(loaded.source, loaded.lexicon, store.clone(), Vec::new())), store)
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
