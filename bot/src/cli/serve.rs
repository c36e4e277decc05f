//! `secbot serve` (the default): start-up, from the configuration to a listening server.

use std::time::Instant;

use anyhow::Context as _;
use secbot::config::Config;
use secbot::server;
use secbot::source::{self, SourceOptions};

use super::{Cli, init_logging, raw_config};

/// One sentence per platform: on, or the settings that turn it on.
pub(super) fn adapters_summary(config: &Config) -> Vec<String> {
    let state = |on: bool, name: &str, needs: &str| {
        if on { format!("{name} is on.") } else { format!("{name} is off (set {needs}).") }
    };
    vec![
        state(
            config.slack.is_some(),
            "Slack",
            "SECBOT_SLACK_SIGNING_SECRET, or SECBOT_SLACK_APP_TOKEN for Socket Mode",
        ),
        state(config.teams.is_some(), "Teams", "SECBOT_TEAMS_APP_ID and SECBOT_TEAMS_APP_PASSWORD"),
        state(config.discord.is_some(), "Discord", "SECBOT_DISCORD_PUBLIC_KEY"),
        state(config.webchat_enabled(), "The web chat", "SECBOT_WEBCHAT_TOKEN to use it beyond loopback"),
    ]
}

/// Serves until SIGTERM or Ctrl-C, then lets work in flight finish.
pub(super) async fn run(cli: &Cli, listen: Option<String>, log_format: Option<String>) -> anyhow::Result<()> {
    let started = Instant::now();
    let raw = raw_config(cli, listen, log_format)?;
    let mut config = Config::from_raw(&raw)?;
    config.prepare_data_dir()?;
    config.ensure_admin_token()?;
    init_logging(config.log_format, "info", config.otlp_endpoint.as_deref());
    for warning in raw.warnings.iter().cloned().chain(config.warnings()) {
        tracing::warn!("{warning}");
    }
    // Train the intent model now rather than on the first message someone sends, while the
    // tenant loads.
    let model = tokio::task::spawn_blocking(secbot_skills::intent::corpus::model);
    let listener = server::bind(config.listen).await?;
    let addr = listener.local_addr().context("the listener has no address")?;
    let metrics_listener = match config.metrics_listen {
        Some(at) => Some(server::bind(at).await.map_err(|mut e| {
            e.key = "SECBOT_METRICS_LISTEN (metrics_listen)".to_owned();
            e
        })?),
        None => None,
    };
    let store = config.open_store().await?;
    let loaded = source::from_config(&config, &SourceOptions::of(&config, cli.source.day)).await?;
    model.await.context("the intent model could not be trained")?;
    tracing::info!(
        findings = loaded.findings,
        resources = loaded.resources,
        "loaded {}",
        loaded.source.info().name
    );
    for line in adapters_summary(&config) {
        tracing::info!("{line}");
    }
    let webchat = config.webchat_enabled();
    let app = server::App::build(config, store.clone(), loaded);
    server::spawn_retention(store, app.config.clone());
    if let Some(listener) = metrics_listener {
        let at = listener.local_addr().context("the metrics listener has no address")?;
        tracing::info!("serving /metrics on http://{at}/metrics");
        let routes = server::ops::metrics_router(app.clone());
        tokio::spawn(async move { axum::serve(listener, routes).await });
    }
    tracing::info!(ready_in_ms = started.elapsed().as_millis() as u64, "listening on http://{addr}");
    if webchat {
        let hint =
            if app.config.webchat_token.is_some() { " (add ?token=<SECBOT_WEBCHAT_TOKEN>)" } else { "" };
        println!("secbot is ready: open http://{addr}/ for the web chat{hint}");
    } else {
        println!(
            "secbot is ready on http://{addr} (web chat off: set SECBOT_WEBCHAT_TOKEN to use it beyond loopback)"
        );
    }
    server::serve(app, listener).await?;
    tracing::info!("stopped");
    Ok(())
}
