//! What a button does, carried in the button itself so any replica can handle the click.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::prompt::Person;
use crate::slots::{Intent, Slots};
use crate::subject::Subject;

/// How a button is drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStyle {
    /// An ordinary button.
    #[default]
    Default,
    /// The button secbot suggests pressing.
    Primary,
    /// A button that writes something or cannot be undone lightly.
    Danger,
}

/// A proposed assignment of a finding or recommendation to an owner, waiting for confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delegation {
    /// What is delegated.
    pub subject: Subject,
    /// Who will own it.
    pub owner: Person,
    /// When it is due.
    #[serde(with = "crate::dates::iso_date")]
    pub due: Date,
}

/// What pressing a button does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum Command {
    /// Runs a skill on a subject with the given slots, starting at `offset` in a list.
    Run {
        /// The skill's intent.
        intent: Intent,
        /// What it runs on.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        subject: Option<Subject>,
        /// The filters and values to run with.
        #[serde(default, skip_serializing_if = "is_empty_slots")]
        slots: Slots,
        /// How many list items to skip (for "Show more").
        #[serde(default, skip_serializing_if = "is_zero")]
        offset: u32,
    },
    /// Asks a prompt as if the person had typed it (suggested prompts).
    Ask {
        /// The prompt text.
        text: String,
    },
    /// Confirms a proposed delegation: records it and tells the owner.
    Confirm {
        /// The delegation to record.
        delegation: Delegation,
    },
    /// Drops a proposed delegation.
    Cancel {
        /// The delegation that is not wanted.
        delegation: Delegation,
    },
    /// Rates the reply the button belongs to.
    Rate {
        /// The rating.
        rating: Rating,
    },
    /// Stops one of the channel's watches.
    Unwatch {
        /// The watch's id.
        watch: String,
    },
    /// Says delegated work is done: secbot asks the source to check and closes it when fixed.
    Done {
        /// The delegation's id.
        delegation: String,
    },
    /// Holds a delegation's reminders for some days.
    Snooze {
        /// The delegation's id.
        delegation: String,
        /// For how many days.
        days: u8,
    },
}

fn is_empty_slots(slots: &Slots) -> bool {
    *slots == Slots::default()
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// What a button carries: the reply it belongs to and what it does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payload {
    /// The reply the button was shown on.
    #[serde(rename = "r")]
    pub response_id: ResponseId,
    /// What pressing it does.
    #[serde(flatten)]
    pub command: Command,
}

/// A button payload that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("this button's data could not be read ({0}); ask the question again to get a fresh card")]
pub struct ActionError(#[from] serde_json::Error);

impl Payload {
    /// The compact text form carried in a button's value or data.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("a payload always serializes")
    }

    /// Reads a payload written by [`Payload::encode`].
    pub fn decode(text: &str) -> Result<Payload, ActionError> {
        Ok(serde_json::from_str(text)?)
    }
}

/// A pressed button as a platform carries it back: the whole payload, or (where the payload
/// is too long for the platform's button) the reply and position to look it up by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ButtonRef {
    /// The payload was in the button.
    Inline(Box<Payload>),
    /// Button `index` (in [`crate::Card::buttons`] order) of the stored reply `response_id`.
    Stored {
        /// The reply whose card holds the button.
        response_id: ResponseId,
        /// The button's place among the card's buttons.
        index: usize,
    },
}

/// A button on a card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    /// The button label.
    pub label: String,
    /// How the button is drawn.
    #[serde(default)]
    pub style: ActionStyle,
    /// What the button carries.
    pub payload: Payload,
}

impl Action {
    /// A default-style button.
    pub fn new(label: impl Into<String>, response_id: &ResponseId, command: Command) -> Action {
        Action {
            label: label.into(),
            style: ActionStyle::Default,
            payload: Payload { response_id: response_id.clone(), command },
        }
    }

    /// The same button drawn in another style.
    pub fn styled(mut self, style: ActionStyle) -> Action {
        self.style = style;
        self
    }

    /// A button that runs a skill on a subject.
    pub fn run(
        label: impl Into<String>,
        response_id: &ResponseId,
        intent: Intent,
        subject: Option<Subject>,
    ) -> Action {
        Action::new(label, response_id, Command::Run { intent, subject, slots: Slots::default(), offset: 0 })
    }

    /// A button that asks a prompt.
    pub fn ask(label: impl Into<String>, response_id: &ResponseId, text: impl Into<String>) -> Action {
        Action::new(label, response_id, Command::Ask { text: text.into() })
    }
}

/// Identifies one reply; feedback, button clicks and transcripts refer to it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ResponseId(pub String);

impl ResponseId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ResponseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's rating of one reply, from the footer "How's this response?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// The answer was right.
    LooksRight,
    /// The answer was wrong or incomplete.
    NeedsImprovement,
    /// The answer should not have been given.
    Inappropriate,
}

impl Rating {
    /// Every rating, in footer order.
    pub const ALL: [Rating; 3] = [Rating::LooksRight, Rating::NeedsImprovement, Rating::Inappropriate];

    /// The button label.
    pub fn label(self) -> &'static str {
        match self {
            Rating::LooksRight => "Looks right",
            Rating::NeedsImprovement => "Needs improvement",
            Rating::Inappropriate => "Inappropriate",
        }
    }

    /// The snake_case name used in storage, exports and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::LooksRight => "looks_right",
            Rating::NeedsImprovement => "needs_improvement",
            Rating::Inappropriate => "inappropriate",
        }
    }

    /// True when secbot asks for a few words to go with the rating.
    pub fn wants_comment(self) -> bool {
        !matches!(self, Rating::LooksRight)
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip_through_their_text_form() {
        let payload = Payload {
            response_id: ResponseId("r1".into()),
            command: Command::Run {
                intent: Intent::Remediate,
                subject: Some(Subject::Finding {
                    recommendation: "k".into(),
                    resource: "/subscriptions/s/x".into(),
                }),
                slots: Slots::default(),
                offset: 0,
            },
        };
        let text = payload.encode();
        assert_eq!(
            text,
            r#"{"r":"r1","do":"run","intent":"remediate","subject":{"kind":"finding","recommendation":"k","resource":"/subscriptions/s/x"}}"#
        );
        assert_eq!(Payload::decode(&text).unwrap(), payload);
    }

    #[test]
    fn unreadable_payloads_say_what_to_do_next() {
        let err = Payload::decode("{not json").unwrap_err();
        assert!(err.to_string().contains("ask the question again"));
        assert!(Payload::decode(r#"{"r":"x","do":"explode"}"#).is_err());
    }

    #[test]
    fn only_critical_ratings_ask_for_a_comment() {
        assert!(!Rating::LooksRight.wants_comment());
        assert!(Rating::NeedsImprovement.wants_comment());
        assert!(Rating::Inappropriate.wants_comment());
        assert_eq!(serde_json::to_value(Rating::NeedsImprovement).unwrap(), "needs_improvement");
    }
}
