//! Mounting the Teams adapter with the options the configuration produced.

use std::sync::Arc;

use axum::Router;
use secbot_teams::TeamsOptions;

use super::App;

/// The Teams route (`POST /api/messages`) for these options.
pub(super) fn router(app: &App, teams: &TeamsOptions) -> Router {
    secbot_teams::router(app.engine.clone(), teams.clone(), app.tasks.clone(), Arc::new(app.queue.clone()))
}
