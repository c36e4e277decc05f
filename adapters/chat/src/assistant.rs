//! The one interface every platform adapter talks to: answer a prompt, handle a click, store a
//! comment, and claim an event so a retried delivery is answered once.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::action::{ButtonRef, Payload};
use crate::action::{Rating, ResponseId};
use crate::prompt::{Origin, Platform, Prompt, ThreadKey};
use crate::reply::Reply;

/// A button press, in platform-neutral form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Click {
    /// Who pressed it, where and when (the thread is the card's thread).
    pub origin: Origin,
    /// What the button carries.
    pub payload: Payload,
}

/// A rating with the words a person wrote in the feedback form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feedback {
    /// Who rated, where and when.
    pub origin: Origin,
    /// The reply that was rated.
    pub response_id: ResponseId,
    /// The rating.
    pub rating: Rating,
    /// What the person wrote; may be empty.
    pub comment: String,
}

/// A form for a few words about a rating (a Slack modal, a Teams card input, a Discord modal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentForm {
    /// The reply being rated.
    pub response_id: ResponseId,
    /// The rating already stored.
    pub rating: Rating,
    /// The form's title.
    pub title: String,
    /// The question above the text box.
    pub question: String,
}

/// What a click leads to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Post a new reply in the card's thread (ephemeral if the reply says so).
    Reply(Reply),
    /// Replace the card that was clicked.
    Replace(Reply),
    /// Open a form for a comment; its submission goes to [`Assistant::comment`].
    Comment(CommentForm),
}

/// A failure an adapter can report, worded for the person who sees it.
#[derive(Debug, thiserror::Error)]
pub enum AssistantError {
    /// The store could not be reached or refused the write; nothing was recorded.
    #[error("secbot could not save that right now ({0}); please try again in a minute")]
    Store(String),
    /// The request does not refer to anything secbot knows.
    #[error("{0}")]
    NotFound(String),
    /// The request names something the asker may not act on here (another channel's reply).
    #[error("{0}")]
    Refused(String),
}

/// secbot as the adapters see it. The binary implements it; adapters hold it as a trait object.
#[async_trait]
pub trait Assistant: Send + Sync {
    /// Answers a prompt with a reply (never fails: problems become a plain-sentence card).
    async fn answer(&self, prompt: Prompt) -> Reply;

    /// Answers a message posted in a thread without addressing secbot (no mention), when the
    /// thread is one secbot already answers in and the message reads as a question for it, so
    /// follow-ups in a triage thread need no mention; `None` to stay silent. An assistant that
    /// keeps no threads (the default) never answers one.
    async fn overheard(&self, prompt: Prompt) -> Option<Reply> {
        let _ = prompt;
        None
    }

    /// Carries a conversation's context to the thread it continues in, for a reply posted at a
    /// channel's top level that became the root of a thread (a slash command's answer). An
    /// assistant that keeps no context (the default) has nothing to carry.
    async fn continue_thread(&self, from: &ThreadKey, to: &ThreadKey) -> Result<(), AssistantError> {
        let _ = (from, to);
        Ok(())
    }

    /// Handles a button press through the one action path every platform shares.
    async fn act(&self, click: Click) -> Outcome;

    /// Stores a rating with its comment; durable when it returns `Ok`.
    async fn comment(&self, feedback: Feedback) -> Result<(), AssistantError>;

    /// Claims a delivery by its platform event id; `true` the first time, `false` for a retry
    /// or duplicate (on any replica sharing the store).
    async fn claim(&self, platform: Platform, event_id: &str) -> Result<bool, AssistantError>;

    /// Every rating stored for a reply (one per person), for showing a person their rating;
    /// only for a reply shown where `asker` is (`AssistantError::Refused` otherwise).
    async fn ratings(
        &self,
        asker: &Origin,
        response_id: &ResponseId,
    ) -> Result<Vec<Feedback>, AssistantError>;

    /// The payload of the `index`-th button (in [`crate::Card::buttons`] order) of a stored
    /// reply, for platforms whose buttons cannot carry the payload itself.
    async fn stored_payload(
        &self,
        response_id: &ResponseId,
        index: usize,
    ) -> Result<Option<Payload>, AssistantError>;

    /// The payload a pressed button stands for: carried whole, or looked up in the stored
    /// reply. `Err` is the sentence to show whoever pressed it.
    async fn payload_of(&self, button: ButtonRef) -> Result<Payload, String> {
        match button {
            ButtonRef::Inline(payload) => Ok(*payload),
            ButtonRef::Stored { response_id, index } => {
                match self.stored_payload(&response_id, index).await {
                    Ok(Some(payload)) => Ok(payload),
                    Ok(None) => Err(EXPIRED.to_owned()),
                    Err(err) => Err(err.to_string()),
                }
            }
        }
    }
}

/// What whoever presses a button of an answer secbot no longer keeps is told, on every platform.
pub const EXPIRED: &str =
    "That button belongs to an answer secbot no longer keeps. Ask the question again to get a fresh card.";
