//! Notices secbot posts in a Discord channel on its own (a watch's new finding, and later the
//! word that it was fixed): a channel message with the bot token, then a thread started from it
//! — named after the card — whose context is the notice's; a later notice goes in that thread.

use secbot_chat::{Notice, Reply, Sent};
use serde::{Deserialize, Serialize};

use crate::api::{Api, ApiError};
use crate::endpoint::Endpoint;
use crate::escape::{fit, plain};
use crate::interaction::DIRECT_TENANT;
use crate::limits::THREAD_NAME;
use crate::render::render;

/// A notice on its way, and how far it got (a retry picks up there).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Announcing {
    pub(crate) notice: Notice,
    /// The id of the message once posted.
    #[serde(default)]
    posted: Option<String>,
}

impl Announcing {
    /// A notice not sent yet.
    pub(crate) fn of(notice: Notice) -> Announcing {
        Announcing { notice, posted: None }
    }
}

/// Posts a reply in a channel or thread with the bot token, its chart (if any) attached as an
/// image; the message id.
pub(crate) async fn post_reply(api: &Api, channel: &str, reply: &Reply) -> Result<String, ApiError> {
    api.post_message(channel, &render(reply).create(), reply.card.chart.as_ref()).await
}

/// Posts a notice: in its thread when it names one; else in the channel, then (in a server) a
/// thread from the message that carries on what the notice is about.
pub(crate) async fn send(endpoint: &Endpoint, mut announcing: Announcing) -> Sent {
    let shared = &endpoint.0;
    let place = &announcing.notice.place;
    let target = place.thread.clone().unwrap_or_else(|| place.channel.clone());
    let message = match &announcing.posted {
        Some(message) => message.clone(),
        None => match post_reply(&shared.api, &target, &announcing.notice.reply).await {
            Ok(message) => message,
            Err(err) if err.is_transient() => {
                let reason = err.to_string();
                return match serde_json::to_value(&announcing) {
                    Ok(rest) => Sent::Retry { after: None, reason, rest },
                    Err(_) => Sent::Failed(reason),
                };
            }
            Err(err) => return Sent::Failed(err.to_string()),
        },
    };
    announcing.posted = Some(message.clone());
    let notice = &announcing.notice;
    for direct in &notice.reply.direct {
        // As for answers heard over the Gateway: the owner is told where the notice is.
        if let Err(err) = shared
            .api
            .post_message(&target, &crate::render::notice(direct, &notice.reply).create(), None)
            .await
        {
            tracing::warn!(error = %err, "could not tell the owner about their reminder");
        }
    }
    let Some(opens) = &notice.opens else { return Sent::Done };
    let thread = if notice.place.tenant == DIRECT_TENANT {
        // A direct message has no threads: the conversation is about the notice now.
        String::new()
    } else {
        let name = fit(&plain(&notice.reply.card.title.replace(['\n', '\r'], " ")), THREAD_NAME);
        if let Err(err) = shared.api.start_thread(&notice.place.channel, &message, &name).await {
            tracing::warn!(error = %err, "could not start a thread for a notice; follow-ups go in the channel");
            return Sent::Done;
        }
        message
    };
    if let Err(err) = shared.assistant.continue_thread(opens, &notice.started(&thread)).await {
        tracing::warn!(error = %err, "the notice's thread starts without its context");
    }
    Sent::Done
}
