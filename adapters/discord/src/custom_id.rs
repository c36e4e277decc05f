//! What a button's or a modal's `custom_id` (at most 100 characters) carries.
//!
//! A button carries its whole [`Payload`] as `p:<encoded payload>` when that fits, and otherwise
//! a reference `s:<response_id>:<index>` to the `index`-th button (in [`secbot_chat::Card::buttons`]
//! order) of the stored reply, which any replica can look up. A feedback modal carries
//! `m:<response_id>:<rating>`.

use secbot_chat::{ActionError, ButtonRef, Payload, Rating, ResponseId};

use crate::limits::CUSTOM_ID;

const INLINE: &str = "p:";
const STORED: &str = "s:";
const MODAL: &str = "m:";

/// The `custom_id` of the comment box inside a feedback modal.
pub(crate) const COMMENT_INPUT: &str = "comment";

/// A `custom_id` secbot did not write.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CustomIdError {
    /// Not one of secbot's forms.
    #[error("this button or form isn't one secbot made; ask the question again to get a fresh card")]
    Foreign,
    /// secbot's form, but its payload does not decode.
    #[error(transparent)]
    Payload(#[from] ActionError),
}

/// The inline form of a payload, when it fits in a `custom_id`.
pub(crate) fn inline(payload: &Payload) -> Option<String> {
    let id = format!("{INLINE}{}", payload.encode());
    (crate::escape::width(&id) <= CUSTOM_ID).then_some(id)
}

/// The reference form for the `index`-th button of a stored reply, when the id fits.
pub(crate) fn stored(response_id: &ResponseId, index: usize) -> Option<String> {
    let id = format!("{STORED}{response_id}:{index}");
    (crate::escape::width(&id) <= CUSTOM_ID && !response_id.as_str().contains(':')).then_some(id)
}

/// Reads a button's `custom_id`.
pub(crate) fn read_button(custom_id: &str) -> Result<ButtonRef, CustomIdError> {
    if let Some(encoded) = custom_id.strip_prefix(INLINE) {
        return Ok(ButtonRef::Inline(Box::new(Payload::decode(encoded)?)));
    }
    let (response_id, index) = custom_id
        .strip_prefix(STORED)
        .and_then(|rest| rest.rsplit_once(':'))
        .ok_or(CustomIdError::Foreign)?;
    let index = index.parse().map_err(|_| CustomIdError::Foreign)?;
    if response_id.is_empty() {
        return Err(CustomIdError::Foreign);
    }
    Ok(ButtonRef::Stored { response_id: ResponseId(response_id.to_owned()), index })
}

/// The `custom_id` of the feedback modal for a rating of a reply, when it fits.
pub(crate) fn modal(response_id: &ResponseId, rating: Rating) -> Option<String> {
    let id = format!("{MODAL}{response_id}:{}", rating.as_str());
    (crate::escape::width(&id) <= CUSTOM_ID && !response_id.as_str().contains(':')).then_some(id)
}

/// Reads a feedback modal's `custom_id` back into the reply and the rating.
pub(crate) fn read_modal(custom_id: &str) -> Result<(ResponseId, Rating), CustomIdError> {
    let (response_id, rating) =
        custom_id.strip_prefix(MODAL).and_then(|rest| rest.split_once(':')).ok_or(CustomIdError::Foreign)?;
    let rating = Rating::ALL.into_iter().find(|r| r.as_str() == rating).ok_or(CustomIdError::Foreign)?;
    if response_id.is_empty() {
        return Err(CustomIdError::Foreign);
    }
    Ok((ResponseId(response_id.to_owned()), rating))
}

#[cfg(test)]
mod tests {
    use secbot_chat::{Command, Intent, Slots, Subject};

    use super::*;

    fn rid() -> ResponseId {
        ResponseId("abcdefghijklmnop".into())
    }

    #[test]
    fn short_payloads_travel_inline() {
        let payload = Payload { response_id: rid(), command: Command::Rate { rating: Rating::LooksRight } };
        let id = inline(&payload).unwrap();
        assert!(id.len() <= 100, "{id}");
        assert_eq!(read_button(&id).unwrap(), ButtonRef::Inline(Box::new(payload)));
    }

    #[test]
    fn long_payloads_become_references() {
        let payload = Payload {
            response_id: rid(),
            command: Command::Run {
                intent: Intent::Remediate,
                subject: Some(Subject::Finding {
                    recommendation: "0f3f7e43-5c68-4f4e-9b5e-3c1d2f8b9a01".into(),
                    resource: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/vm"
                        .into(),
                }),
                slots: Slots::default(),
                offset: 0,
            },
        };
        assert_eq!(inline(&payload), None);
        let id = stored(&rid(), 7).unwrap();
        assert_eq!(id, "s:abcdefghijklmnop:7");
        assert_eq!(read_button(&id).unwrap(), ButtonRef::Stored { response_id: rid(), index: 7 });
        assert_eq!(stored(&ResponseId("x".repeat(120)), 1), None);
    }

    #[test]
    fn modals_carry_the_reply_and_the_rating() {
        let id = modal(&rid(), Rating::Inappropriate).unwrap();
        assert_eq!(read_modal(&id).unwrap(), (rid(), Rating::Inappropriate));
        assert!(read_modal("m:abc:great").is_err());
    }

    #[test]
    fn foreign_ids_are_refused_with_a_next_step() {
        for id in ["click_one", "s:abc", "s::1", "s:abc:x", "p:{bad", "m:", "test"] {
            let err = read_button(id).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(err.contains("ask the question again"), "{id}: {err}");
        }
    }
}
