//! Mounting the Slack adapter: its options from the configuration, and workspace installations
//! kept (encrypted) in the store.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axum::Router;
use secbot_chat::AssistantError;
use secbot_slack::{Installations, Installed, SlackOptions};

use super::App;
use crate::store::{Installation, Store};

/// Installations in the store, with tokens cached for a minute (a token is read per event).
struct StoredInstallations {
    store: Arc<dyn Store>,
    tokens: moka::future::Cache<String, String>,
}

#[async_trait]
impl Installations for StoredInstallations {
    async fn save(&self, installed: Installed) -> Result<(), AssistantError> {
        let installation = Installation {
            platform: "slack".to_owned(),
            workspace: installed.team.clone(),
            token: installed.token.clone(),
            meta: installed.meta,
        };
        self.store.save_installation(&installation).await?;
        self.tokens.insert(installed.team, installed.token).await;
        Ok(())
    }

    async fn token(&self, team: &str) -> Result<Option<String>, AssistantError> {
        if let Some(token) = self.tokens.get(team).await {
            return Ok(Some(token));
        }
        let found = self.store.installation("slack", team).await?;
        if let Some(installation) = &found {
            self.tokens.insert(team.to_owned(), installation.token.clone()).await;
        }
        Ok(found.map(|i| i.token))
    }
}

/// The Slack adapter for this configuration: its routes, and its Socket Mode connections when
/// an app-level token is set, running until the server stops.
pub(super) fn router(app: &App, slack: &SlackOptions) -> Router {
    let options = slack.clone();
    let installations = StoredInstallations {
        store: app.engine.store().clone(),
        tokens: moka::future::Cache::builder()
            .max_capacity(10_000)
            .time_to_live(Duration::from_secs(60))
            .build(),
    };
    let adapter = secbot_slack::Adapter::new(
        app.engine.clone(),
        Arc::new(installations),
        options,
        app.tasks.clone(),
        Arc::new(app.queue.clone()),
    );
    if let Some(socket) = adapter.socket_mode() {
        tokio::spawn(socket.run(app.stopping.clone()));
    }
    adapter.routes()
}
