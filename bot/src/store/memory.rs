//! The in-memory store: everything in maps, gone when the process ends.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use secbot_chat::{ResponseId, ThreadKey};
use time::OffsetDateTime;

use super::{DelegationRecord, FeedbackRecord, ReplyRecord, Store, StoreError, StoreResult, ThreadContext};

#[derive(Debug, Default)]
struct State {
    contexts: HashMap<ThreadKey, ThreadContext>,
    replies: HashMap<ResponseId, ReplyRecord>,
    feedback: Vec<FeedbackRecord>,
    claims: HashMap<String, OffsetDateTime>,
    delegations: Vec<DelegationRecord>,
}

/// A store that keeps everything in memory (for `secbot ask`, `secbot chat` and tests).
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> StoreResult<T> {
        let mut state =
            self.state.lock().map_err(|_| StoreError::Unavailable("memory store lock poisoned".into()))?;
        Ok(f(&mut state))
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn ping(&self) -> StoreResult<()> {
        self.with(|_| ())
    }

    async fn context(&self, thread: &ThreadKey) -> StoreResult<Option<ThreadContext>> {
        self.with(|s| s.contexts.get(thread).cloned())
    }

    async fn save_context(&self, thread: &ThreadKey, context: &ThreadContext) -> StoreResult<()> {
        self.with(|s| {
            s.contexts.insert(thread.clone(), context.clone());
        })
    }

    async fn save_reply(&self, record: &ReplyRecord) -> StoreResult<()> {
        self.with(|s| {
            s.replies.insert(record.reply.response_id.clone(), record.clone());
        })
    }

    async fn reply(&self, id: &ResponseId) -> StoreResult<Option<ReplyRecord>> {
        self.with(|s| s.replies.get(id).cloned())
    }

    async fn save_feedback(&self, feedback: &FeedbackRecord) -> StoreResult<()> {
        self.with(|s| {
            let same = |f: &FeedbackRecord| {
                f.response_id == feedback.response_id && f.origin.user.id == feedback.origin.user.id
            };
            match s.feedback.iter_mut().find(|f| same(f)) {
                Some(existing) => *existing = feedback.clone(),
                None => s.feedback.push(feedback.clone()),
            }
        })
    }

    async fn feedback(&self, id: &ResponseId) -> StoreResult<Vec<FeedbackRecord>> {
        self.with(|s| s.feedback.iter().filter(|f| &f.response_id == id).cloned().collect())
    }

    async fn claim(&self, key: &str, now: OffsetDateTime, expires: OffsetDateTime) -> StoreResult<bool> {
        self.with(|s| match s.claims.get(key) {
            Some(until) if *until > now => false,
            _ => {
                s.claims.insert(key.to_owned(), expires);
                true
            }
        })
    }

    async fn save_delegation(&self, record: &DelegationRecord) -> StoreResult<()> {
        self.with(|s| s.delegations.insert(0, record.clone()))
    }

    async fn delegations(&self) -> StoreResult<Vec<DelegationRecord>> {
        self.with(|s| s.delegations.clone())
    }
}
