//! Mounting the Discord adapter: its options from the configuration.

use axum::Router;
use secbot_discord::DiscordOptions;

use super::App;
use crate::config::DiscordConfig;

/// The Discord options a configuration sets.
pub fn options(discord: &DiscordConfig) -> DiscordOptions {
    DiscordOptions {
        public_key: discord.public_key,
        app_id: discord.app_id.clone(),
        bot_token: discord.bot_token.as_ref().map(|t| t.expose().to_owned()),
        api_url: discord.api_url.clone(),
        allowed_guilds: discord.allowed_guilds.clone(),
        gateway: discord.gateway,
    }
}

/// The Discord route (`POST /discord/interactions`) for this configuration, and its Gateway
/// connection when it is on, running until the server stops.
pub(super) fn router(app: &App, discord: &DiscordConfig) -> Router {
    let adapter = secbot_discord::Adapter::new(
        app.engine.clone(),
        options(discord),
        app.tasks.clone(),
        std::sync::Arc::new(app.queue.clone()),
    );
    if let Some(gateway) = adapter.gateway() {
        tokio::spawn(gateway.run(app.stopping.clone()));
    }
    adapter.routes()
}
