//! secbot's Discord adapter: the HTTP interactions endpoint (`POST /discord/interactions`) with
//! Ed25519-verified requests, cards rendered as embeds and buttons within Discord's limits, and
//! answers sent through interaction webhooks.
//!
//! # Interactions, and the Gateway for channel messages
//!
//! Over HTTP, Discord posts interactions to secbot and secbot answers them: the
//! `/secbot ask prompt:<text>` and `/secbot help` slash commands, the buttons on its cards and
//! the feedback forms (modals) they open. Register the commands with
//! `secbot manifest discord --register` (see [`commands`] and [`register`]). "@secbot …" typed in
//! a channel reaches secbot only over the Gateway: with `SECBOT_DISCORD_GATEWAY=on`, the bot
//! token and the privileged Message Content intent, [`gateway`] answers mentions and direct
//! messages, and follow-ups in the threads it starts, as Slack's adapter does.
//!
//! # Conversations and threads
//!
//! In a thread, the thread is the conversation: every `/secbot ask` there shares its context
//! (the subject and the last list), and the channel is the thread's parent. Outside threads a
//! channel is one conversation, and so is a direct message with the bot. When an answer posted
//! in a server channel is a list and a bot token is configured, secbot starts a thread from it,
//! named after the card, and carries the channel's context into the thread
//! ([`secbot_chat::Assistant::continue_thread`]), so follow-ups asked there with
//! `/secbot ask` ("how do I fix the 2nd one?") resolve against that list. A button click is
//! answered in the context of the channel or thread its card is in.
//!
//! # Flow
//!
//! 1. Every request's signature (`X-Signature-Ed25519` over `X-Signature-Timestamp` and the
//!    body, with the application's public key) and timestamp (within five minutes) are checked;
//!    a failure is answered 401 and nothing else happens. `PING` is answered `{"type":1}`.
//! 2. A command is acknowledged at once with a deferred response (`{"type":5}`); the answer is
//!    edited in later through `PATCH /webhooks/{application_id}/{token}/messages/@original`.
//! 3. A button press is answered with the updated card (`UPDATE_MESSAGE`), a new (possibly
//!    ephemeral) message, or a feedback modal; a rating is stored before the answer goes out.
//! 4. Every interaction id is claimed through [`secbot_chat::Assistant::claim`], so a duplicate
//!    delivery is acknowledged but never processed twice, on any replica.

mod adapter;
mod announce;
mod api;
mod commands;
mod custom_id;
mod endpoint;
mod escape;
pub mod gateway;
mod interaction;
pub mod limits;
mod options;
mod render;
mod verify;

pub use adapter::Adapter;
pub use api::ApiError;
pub use commands::{commands, register};
pub use endpoint::MAX_BODY;
pub use options::{DiscordOptions, OptionsError};
pub use render::message;
