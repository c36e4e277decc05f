//! Notices in the web chat: what secbot posts on its own (a watch's new finding, and later the
//! word that it was fixed) waits on a board the page polls (`GET /webchat/notices?after=N`);
//! a notice that starts a thread becomes a new thread in the page's list, whose context is the
//! notice's. The board holds the latest [`BOARD_SIZE`] notices in memory: a page that was closed
//! longer than that, or a server restart, loses the older ones from the page (the findings are
//! still there to ask about).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use secbot_chat::{Assistant, Notice, Reply, Sent, Worker};
use serde::{Deserialize, Serialize};

/// How many notices the board keeps.
pub const BOARD_SIZE: usize = 500;

/// A notice as the page gets it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Posted {
    /// Its place on the board: the page asks for what came after the last one it saw.
    pub seq: u64,
    /// The thread it goes in.
    pub thread: String,
    /// It starts that thread.
    pub starts: bool,
    /// What is shown.
    pub reply: Reply,
}

/// The notices waiting for the page.
#[derive(Default)]
pub(crate) struct Board {
    posted: Mutex<(u64, VecDeque<Posted>)>,
}

impl Board {
    /// Notices after `seq`, oldest first, and the last seq there is.
    pub(crate) fn after(&self, seq: u64) -> (Vec<Posted>, u64) {
        let Ok(posted) = self.posted.lock() else { return (Vec::new(), seq) };
        (posted.1.iter().filter(|p| p.seq > seq).cloned().collect(), posted.0)
    }

    fn push(&self, thread: String, starts: bool, reply: Reply) {
        let Ok(mut posted) = self.posted.lock() else { return };
        posted.0 += 1;
        let seq = posted.0;
        posted.1.push_back(Posted { seq, thread, starts, reply });
        while posted.1.len() > BOARD_SIZE {
            posted.1.pop_front();
        }
    }
}

/// The web chat's side of the queue: it only posts notices (prompts are answered in the
/// request that asks them).
pub(crate) struct Notices {
    pub(crate) board: Arc<Board>,
    pub(crate) assistant: Arc<dyn Assistant>,
}

/// The thread a notice goes in: its own, or a new one named after its reply.
fn thread_of(notice: &Notice) -> String {
    notice.place.thread.clone().unwrap_or_else(|| format!("watch-{}", notice.reply.response_id))
}

#[async_trait]
impl Worker for Notices {
    async fn answer(&self, payload: serde_json::Value) -> Option<serde_json::Value> {
        match Notice::in_payload(&payload)? {
            Ok(notice) => serde_json::to_value(notice).ok(),
            Err(err) => {
                tracing::error!(error = %err, "a stored notice is unreadable; it is not posted");
                None
            }
        }
    }

    async fn send(&self, outgoing: serde_json::Value) -> Sent {
        let notice = match serde_json::from_value::<Notice>(outgoing) {
            Ok(notice) => notice,
            Err(err) => return Sent::Failed(format!("a stored notice is unreadable: {err}")),
        };
        let thread = thread_of(&notice);
        if let Some(opens) = &notice.opens
            && let Err(err) = self.assistant.continue_thread(opens, &notice.started(&thread)).await
        {
            return match serde_json::to_value(&notice) {
                Ok(rest) => Sent::Retry { after: None, reason: err.to_string(), rest },
                Err(_) => Sent::Failed(err.to_string()),
            };
        }
        self.board.push(thread, notice.opens.is_some(), notice.reply);
        Sent::Done
    }
}
