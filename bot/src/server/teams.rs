//! Mounting the Teams adapter: its options from the configuration.

use std::sync::Arc;

use axum::Router;
use secbot_teams::TeamsOptions;

use super::App;
use crate::config::TeamsConfig;

/// The Teams route (`POST /api/messages`) for this configuration.
pub(super) fn router(app: &App, teams: &TeamsConfig) -> Router {
    let options = TeamsOptions {
        app_id: teams.app_id.clone(),
        app_password: teams.app_password.expose().to_owned(),
        tenant_id: teams.tenant_id.clone(),
        openid_url: teams.openid_url.clone(),
        token_url: teams.token_url.clone(),
        allowed_service_urls: teams.allowed_service_urls.clone(),
        allowed_tenants: teams.allowed_tenants.clone(),
    };
    secbot_teams::router(app.engine.clone(), options, app.tasks.clone(), Arc::new(app.queue.clone()))
}
