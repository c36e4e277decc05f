//! The engine's trust boundary: a button acts only where it was shown and only as it was shown,
//! a subject is answered only within the scope of the channel asking, and a delegation is
//! decided only by the person who proposed it or an approver. Every check takes who is asking
//! and where from the platform's signed request, never from a button's payload.

use secbot_chat::{Origin, Payload, Subject};
use secbot_skills::posture::{AttackPathFilter, PostureResult, PostureSource};

use crate::store::ReplyRecord;

/// Why a click or a subject was refused, worded for the person who clicked or asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// The button's reply is not stored (never given, or purged by retention).
    #[error("{}", secbot_chat::EXPIRED)]
    Unknown,
    /// The reply was shown on another platform, workspace or channel.
    #[error(
        "That button wasn't shown in this channel, so I didn't act on it. Ask the question here to get a card of your own."
    )]
    Elsewhere,
    /// The payload is not one of the reply's buttons.
    #[error(
        "That button's data doesn't match what secbot showed, so I didn't act on it. Ask the question again to get a fresh card."
    )]
    Altered,
    /// The subject lies outside the channel's subscriptions.
    #[error(
        "That is outside the subscriptions this channel can see, so I can't show it here. Ask in a channel scoped to it, or ask your secbot administrator to widen this channel's scope."
    )]
    OutOfScope,
    /// Someone other than the proposer or an approver tried to decide a delegation.
    #[error("Only {asker} (who asked for this assignment) or an approver can confirm or cancel it.")]
    NotTheirs {
        /// The proposer's display name.
        asker: String,
    },
    /// The store could not be read.
    #[error("secbot couldn't check that button right now ({0}); try again in a minute.")]
    Unavailable(String),
}

/// True when `clicked` happened where `shown` was shown: the same platform, workspace (tenant,
/// guild) and channel. Threads are not compared: a card can be answered from its channel.
pub fn same_place(shown: &Origin, clicked: &Origin) -> bool {
    shown.platform == clicked.platform && shown.tenant == clicked.tenant && shown.channel == clicked.channel
}

/// Checks a click against the stored reply it names: shown in this place, with exactly this
/// button on it.
pub fn check_click(stored: Option<&ReplyRecord>, clicked: &Origin, payload: &Payload) -> Result<(), Refused> {
    let stored = check_place(stored, clicked)?;
    if !stored.reply.card.buttons().any(|b| b.payload == *payload) {
        return Err(Refused::Altered);
    }
    Ok(())
}

/// Checks that a stored reply exists and was shown where `clicked` happened; for feedback,
/// which names a reply but carries no button.
pub fn check_place<'a>(
    stored: Option<&'a ReplyRecord>,
    clicked: &Origin,
) -> Result<&'a ReplyRecord, Refused> {
    let stored = stored.ok_or(Refused::Unknown)?;
    if !same_place(&stored.origin, clicked) {
        return Err(Refused::Elsewhere);
    }
    Ok(stored)
}

/// Checks that the person clicking may decide the delegation proposed in `proposal`: its
/// asker, or one of `approvers` (platform user ids, or role ids the platform says they have).
pub fn check_decider(proposal: &ReplyRecord, clicked: &Origin, approvers: &[&str]) -> Result<(), Refused> {
    let who = clicked.user.id.as_str();
    let approved = approvers.iter().any(|a| *a == who || clicked.roles.iter().any(|r| r == a));
    if who == proposal.origin.user.id || approved {
        return Ok(());
    }
    Err(Refused::NotTheirs { asker: proposal.origin.user.name.clone() })
}

/// True when every resource, finding, attack path and list item of `subject` lies in one of
/// the `scope` subscriptions (an empty scope admits everything). A recommendation is catalog
/// metadata: the skills narrow its findings to the scope themselves. An id the source does not
/// know is admitted only when it names no subscription outside the scope: there is nothing of
/// it to show.
pub async fn admits(source: &dyn PostureSource, scope: &[String], subject: &Subject) -> PostureResult<bool> {
    if scope.is_empty() {
        return Ok(true);
    }
    let mut pending = vec![subject];
    let mut paths = None;
    while let Some(subject) = pending.pop() {
        let admitted = match subject {
            Subject::Recommendation { .. } => true,
            Subject::Resource { id } | Subject::Finding { resource: id, .. } => {
                resource_in(source, scope, id).await?
            }
            Subject::AttackPath { id } => {
                if paths.is_none() {
                    paths = Some(source.attack_paths(&AttackPathFilter::default()).await?);
                }
                paths.iter().flatten().find(|p| &p.id == id).is_none_or(|p| listed(scope, &p.subscription))
            }
            Subject::Alert { id } => match source.alert(id).await? {
                Some(alert) => alert.in_scope(scope),
                None => subscription_of(id).is_none_or(|s| listed(scope, s)),
            },
            Subject::List { items, on } => {
                if let Some(on) = on
                    && !resource_in(source, scope, on).await?
                {
                    return Ok(false);
                }
                pending.extend(items);
                true
            }
        };
        if !admitted {
            return Ok(false);
        }
    }
    Ok(true)
}

async fn resource_in(source: &dyn PostureSource, scope: &[String], id: &str) -> PostureResult<bool> {
    if let Some(resource) = source.resource(id).await? {
        return Ok(listed(scope, &resource.subscription));
    }
    Ok(subscription_of(id).is_none_or(|s| listed(scope, s)))
}

fn listed(scope: &[String], subscription: &str) -> bool {
    scope.iter().any(|s| s.eq_ignore_ascii_case(subscription))
}

/// The subscription an ARM id names (`/subscriptions/<id>/…`).
fn subscription_of(id: &str) -> Option<&str> {
    let mut parts = id.split('/').filter(|p| !p.is_empty());
    while let Some(part) = parts.next() {
        if part.eq_ignore_ascii_case("subscriptions") {
            return parts.next();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm_ids_name_their_subscription_in_any_case() {
        assert_eq!(subscription_of("/subscriptions/abc/resourceGroups/rg/providers/x/y/z"), Some("abc"));
        assert_eq!(subscription_of("/SUBSCRIPTIONS/abc"), Some("abc"));
        assert_eq!(subscription_of("arn:aws:ec2:us-east-1:123:instance/i-1"), None);
        assert_eq!(subscription_of("/subscriptions"), None);
    }

    #[tokio::test]
    async fn an_alert_is_admitted_only_in_a_scope_holding_its_subscription() {
        use secbot_skills::demo::{DemoOptions, tenant};
        use secbot_skills::tenant::IndexedSource;
        let data = tenant(&DemoOptions::for_day(time::macros::date!(2026 - 11 - 25)));
        let alert =
            data.alerts.iter().find(|a| a.resource.is_some()).expect("an alert on a resource").clone();
        let other =
            data.subscriptions.iter().find(|s| s.id != alert.subscription).expect("another subscription");
        let source = IndexedSource::new(data.clone());
        let subject = Subject::Alert { id: alert.id.clone() };
        let own = vec![alert.subscription.to_uppercase()];
        assert!(admits(&source, &own, &subject).await.unwrap());
        assert!(
            !admits(&source, std::slice::from_ref(&other.id), &subject).await.unwrap(),
            "a forged button"
        );
        let listed = Subject::list(vec![subject.clone()]);
        assert!(
            !admits(&source, std::slice::from_ref(&other.id), &listed).await.unwrap(),
            "inside a list too"
        );
        let unknown = Subject::Alert {
            id: format!(
                "/subscriptions/{}/providers/Microsoft.Security/locations/westeurope/alerts/gone",
                alert.subscription
            ),
        };
        assert!(
            !admits(&source, std::slice::from_ref(&other.id), &unknown).await.unwrap(),
            "an unknown id naming another subscription"
        );
    }
}
