//! The durable path of a message from a platform to its reply: an adapter acknowledges a
//! delivery only once the [`Inbox`] has stored it as a [`Job`], and hands the rest to its
//! [`Worker`]: answering the job (the reply to send) and sending that reply, again and again
//! until the platform accepts it. The binary's queue keeps jobs and replies in the store, so
//! neither a crash nor an hour-long outage of the chat API loses a message or answers it twice.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{AssistantError, Origin, Platform, Reply, ThreadKey};

/// A message accepted from a platform, with what its worker needs to answer it.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// The platform whose worker answers it.
    pub platform: Platform,
    /// The platform's dedupe key (a Slack message's team, channel and `ts`): a job is stored
    /// once however many times, and to however many replicas, it is delivered.
    pub key: String,
    /// What the worker reads to answer it, in the adapter's own shape.
    pub payload: Value,
}

/// A message secbot posts on its own rather than in answer to someone: a watch's new finding or
/// a digest (a new top-level message, whose thread is then about what it shows), or a word in an
/// existing thread (a finding was fixed, a reminder of delegated work). It travels through the queue as a job like any other, so it is posted
/// once, retried while the platform fails, and resumed after a restart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    /// Where it goes: the platform, workspace and channel (with Teams' service URL) a watch was
    /// set up in; with `thread` set it is posted in that thread, else as a new message.
    pub place: Origin,
    /// What is posted.
    pub reply: Reply,
    /// For a new message: the key its thread's context was stored under before the platform
    /// named the thread; once posted, the adapter moves it to the new thread with
    /// [`Assistant::continue_thread`](crate::Assistant::continue_thread).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens: Option<ThreadKey>,
}

impl Notice {
    /// The job that posts it, stored under `key` (so it is posted once however often it is
    /// accepted).
    pub fn job(&self, key: String) -> Result<Job, serde_json::Error> {
        let notice = serde_json::to_value(self)?;
        Ok(Job { platform: self.place.platform, key, payload: serde_json::json!({ "notice": notice }) })
    }

    /// The notice a job's payload carries, when it carries one (an adapter's worker checks this
    /// before reading the payload as its own).
    pub fn in_payload(payload: &Value) -> Option<Result<Notice, serde_json::Error>> {
        payload.get("notice").map(Notice::deserialize)
    }

    /// The thread a posted notice started: the place's channel with the platform's id of the
    /// new thread.
    pub fn started(&self, thread: &str) -> ThreadKey {
        ThreadKey { thread: thread.to_owned(), ..self.place.thread_key() }
    }
}

/// How one attempt to send a reply ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Sent {
    /// The platform accepted all of it.
    Done,
    /// The platform failed or throttled; `rest` (what is still to send, in the worker's own
    /// shape) is sent again later, after `after` when the platform said how long to wait.
    Retry {
        /// What the platform asked to wait (a validated `Retry-After`).
        after: Option<Duration>,
        /// Why, for the log and the store.
        reason: String,
        /// What remains to be sent.
        rest: Value,
    },
    /// The platform refused it for good (a deleted channel, a revoked token); the worker has
    /// already told whoever it could.
    Failed(String),
}

/// An adapter's side of the queue: answering its jobs and sending their replies.
#[async_trait]
pub trait Worker: Send + Sync {
    /// Answers a job's payload: the reply to send, in the worker's own shape, or `None` when
    /// nothing is to be sent (a message overheard in a thread that needs no answer).
    async fn answer(&self, payload: Value) -> Option<Value>;

    /// Sends (what is left of) a reply once.
    async fn send(&self, outgoing: Value) -> Sent;
}

/// Where adapters put what they acknowledge.
#[async_trait]
pub trait Inbox: Send + Sync {
    /// Makes `worker` the one that answers `platform`'s jobs.
    fn register(&self, platform: Platform, worker: Arc<dyn Worker>);

    /// Stores a job durably: `Ok(true)` when it is new and will be answered, `Ok(false)` when
    /// the key was already accepted (a retry or a second replica's copy), `Err` when it could
    /// not be stored (the platform should be asked to retry).
    async fn accept(&self, job: Job) -> Result<bool, AssistantError>;
}

/// An inbox for adapters' tests and fuzzing (feature `testing`): each new key is answered and
/// sent once, before `accept` returns, with no storage and no retries (the binary's queue,
/// tested there, does those).
#[cfg(any(test, feature = "testing"))]
#[derive(Default)]
pub struct InlineInbox {
    seen: std::sync::Mutex<std::collections::HashSet<String>>,
    workers: std::sync::Mutex<Vec<(Platform, Arc<dyn Worker>)>>,
}

#[cfg(any(test, feature = "testing"))]
#[async_trait]
impl Inbox for InlineInbox {
    fn register(&self, platform: Platform, worker: Arc<dyn Worker>) {
        if let Ok(mut workers) = self.workers.lock() {
            workers.push((platform, worker));
        }
    }

    async fn accept(&self, job: Job) -> Result<bool, AssistantError> {
        let new = self.seen.lock().map(|mut seen| seen.insert(job.key.clone())).unwrap_or(false);
        if !new {
            return Ok(false);
        }
        let worker = self
            .workers
            .lock()
            .ok()
            .and_then(|w| w.iter().find(|(p, _)| *p == job.platform).map(|(_, w)| w.clone()));
        if let Some(worker) = worker
            && let Some(outgoing) = worker.answer(job.payload).await
        {
            worker.send(outgoing).await;
        }
        Ok(true)
    }
}
