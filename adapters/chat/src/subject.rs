//! What a prompt, a reply or a button is about.

use serde::{Deserialize, Serialize};

/// The thing a conversation is about, by the posture source's ids: a follow-up such as "how do I
/// fix it?" or a button click is resolved against it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Subject {
    /// A recommendation, across every resource it applies to.
    Recommendation {
        /// The assessment key (a GUID).
        key: String,
    },
    /// A resource, with every finding on it.
    Resource {
        /// The resource id (an ARM id, an ARN, a GCP resource name).
        id: String,
    },
    /// One recommendation on one resource.
    Finding {
        /// The assessment key of the recommendation.
        recommendation: String,
        /// The resource id.
        resource: String,
    },
    /// An attack path.
    AttackPath {
        /// The attack path id.
        id: String,
    },
    /// A security alert.
    Alert {
        /// The alert's id.
        id: String,
    },
    /// The ordered items of a list that was shown; "the 2nd one" picks from it.
    List {
        /// The items, in the order shown.
        items: Vec<Subject>,
        /// The resource id the list is about, when it is one resource's findings or the attack
        /// paths through one resource: "it" in a follow-up is that resource.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on: Option<String>,
    },
}

impl Subject {
    /// A list of items shown.
    pub fn list(items: Vec<Subject>) -> Subject {
        Subject::List { items, on: None }
    }

    /// The item at a 1-based position of a list (`-1` is the last one); `None` for other
    /// subjects or a position past the end.
    pub fn nth(&self, ordinal: i32) -> Option<&Subject> {
        let Subject::List { items, .. } = self else { return None };
        Subject::at(items, ordinal)
    }

    /// The item of `items` at a 1-based position (`-1` is the last one); `None` past the end.
    pub fn at(items: &[Subject], ordinal: i32) -> Option<&Subject> {
        let index = match ordinal {
            0 => return None,
            n if n < 0 => items.len().checked_sub(n.unsigned_abs() as usize)?,
            n => n as usize - 1,
        };
        items.get(index)
    }

    /// The recommendation key this subject is about, if exactly one.
    pub fn recommendation_key(&self) -> Option<&str> {
        match self {
            Subject::Recommendation { key } => Some(key),
            Subject::Finding { recommendation, .. } => Some(recommendation),
            _ => None,
        }
    }

    /// The resource id this subject is about, if exactly one.
    pub fn resource_id(&self) -> Option<&str> {
        match self {
            Subject::Resource { id } => Some(id),
            Subject::Finding { resource, .. } => Some(resource),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> Subject {
        Subject::list((1..=3).map(|i| Subject::Resource { id: format!("r{i}") }).collect())
    }

    #[test]
    fn ordinals_are_one_based_and_negative_counts_from_the_end() {
        let list = list();
        assert_eq!(list.nth(1), Some(&Subject::Resource { id: "r1".into() }));
        assert_eq!(list.nth(3), Some(&Subject::Resource { id: "r3".into() }));
        assert_eq!(list.nth(-1), Some(&Subject::Resource { id: "r3".into() }));
        assert_eq!(list.nth(-3), Some(&Subject::Resource { id: "r1".into() }));
        assert_eq!(list.nth(4), None);
        assert_eq!(list.nth(0), None);
        assert_eq!(list.nth(-4), None);
        assert_eq!(Subject::Resource { id: "x".into() }.nth(1), None);
    }

    #[test]
    fn subjects_serialize_with_a_kind_tag() {
        let finding = Subject::Finding { recommendation: "k".into(), resource: "r".into() };
        let json = serde_json::to_value(&finding).unwrap();
        assert_eq!(json, serde_json::json!({"kind": "finding", "recommendation": "k", "resource": "r"}));
        assert_eq!(finding.recommendation_key(), Some("k"));
        assert_eq!(finding.resource_id(), Some("r"));
    }
}
