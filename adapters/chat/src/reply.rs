//! What secbot answers: a card with an id that feedback and buttons refer to.

use serde::{Deserialize, Serialize};

use crate::action::ResponseId;
use crate::card::Card;
use crate::prompt::Person;
use crate::slots::{Intent, Slots};
use crate::subject::Subject;

/// A private message secbot sends along with a reply, such as telling a delegated owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DirectMessage {
    /// Who receives it.
    pub to: Person,
    /// What they receive.
    pub card: Card,
    /// The plain-text fallback of the card.
    pub text: String,
}

/// secbot's answer to a prompt or a click, before any platform renders it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// Identifies this reply for feedback and buttons.
    pub response_id: ResponseId,
    /// The skill that produced it (`"list_risks"`, `"remediate"`, ...).
    pub skill: String,
    /// The intent read from the prompt.
    pub intent: Intent,
    /// The slots read from the prompt (after context was applied).
    pub slots: Slots,
    /// The card to render.
    pub card: Card,
    /// The plain-text fallback: notifications, screen readers, terminals.
    pub text: String,
    /// Shown only to the person who asked or clicked.
    #[serde(default)]
    pub ephemeral: bool,
    /// What the reply is about; it becomes the thread's subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<crate::subject::Subject>,
    /// Private messages to send with the reply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub direct: Vec<DirectMessage>,
    /// For a clarifying question: the readings secbot weighed, most likely first, each offered
    /// as a button.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub readings: Vec<Reading>,
}

/// One way secbot could read an unclear prompt, offered back as a button.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    /// The intent of this reading.
    pub intent: Intent,
    /// The button's label ("Explain #1").
    pub label: String,
    /// How likely secbot found it, from 0 to 1.
    pub confidence: f32,
}

impl Reply {
    /// A reply whose fallback text is the card's own plain-text rendering.
    pub fn new(response_id: ResponseId, skill: &str, intent: Intent, slots: Slots, card: Card) -> Reply {
        let text = card.to_plain_text();
        Reply {
            response_id,
            skill: skill.to_owned(),
            intent,
            slots,
            card,
            text,
            ephemeral: false,
            subject: None,
            direct: Vec::new(),
            readings: Vec::new(),
        }
    }

    /// Sets what the reply is about.
    pub fn about(mut self, subject: Option<Subject>) -> Reply {
        self.subject = subject;
        self
    }
}
