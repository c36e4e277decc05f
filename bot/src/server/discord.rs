//! Mounting the Discord adapter with the options the configuration produced.

use axum::Router;
use secbot_discord::DiscordOptions;

use super::App;

/// The Discord route (`POST /discord/interactions`) for these options, and its Gateway
/// connection when it is on, running until the server stops.
pub(super) fn router(app: &App, discord: &DiscordOptions) -> Router {
    let adapter = secbot_discord::Adapter::new(
        app.engine.clone(),
        discord.clone(),
        app.tasks.clone(),
        std::sync::Arc::new(app.queue.clone()),
    );
    if let Some(gateway) = adapter.gateway() {
        tokio::spawn(gateway.run(app.stopping.clone()));
    }
    adapter.routes()
}
