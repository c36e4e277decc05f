//! `secbot manifest slack|teams|discord`: each platform's app definition, and Discord's
//! command registration.

use std::io::Write;
use std::path::Path;

use anyhow::Context as _;
use secbot::config::ConfigError;

use super::{Cli, load_config, public_url, write_out};

/// Discord's application commands, written out and registered with `register`.
pub(super) async fn discord(
    cli: &Cli,
    path: &Path,
    register: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let skills: Vec<(&str, &str)> =
        secbot_skills::skill::SKILLS.iter().map(|s| (s.name, s.description)).collect();
    let commands = secbot_discord::commands(&skills);
    write_out(path, &format!("{}\n", serde_json::to_string_pretty(&commands)?), out)?;
    if register {
        let config = load_config(cli)?;
        let discord = config.discord.as_ref().ok_or_else(|| ConfigError {
            key: "SECBOT_DISCORD_PUBLIC_KEY (discord_public_key)".to_owned(),
            problem: "Discord is not configured; set it, SECBOT_DISCORD_APP_ID and SECBOT_DISCORD_BOT_TOKEN"
                .to_owned(),
        })?;
        let options = discord.clone();
        let registered = secbot_discord::register(&options, &commands)
            .await
            .context("Discord did not take the commands")?;
        eprintln!("Registered {registered} command(s) with Discord for application {}.", options.app_id);
    }
    Ok(())
}

/// The Teams app package (a zip) for the bot's App ID and public URL.
pub(super) fn teams(
    cli: &Cli,
    app_id: Option<&str>,
    url: Option<&str>,
    path: &Path,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let url = public_url(cli, url)?;
    let app_id = match app_id {
        Some(id) => id.to_owned(),
        None => load_config(cli)?.teams.map(|t| t.app_id).ok_or_else(|| ConfigError {
            key: "--app-id".to_owned(),
            problem: "is needed (or SECBOT_TEAMS_APP_ID): the bot's Microsoft App ID".to_owned(),
        })?,
    };
    let commands = secbot_skills::skill::menu(32, 128);
    let package = secbot_teams::manifest(&app_id, &url, &commands)
        .map_err(|e| ConfigError { key: "--app-id / --url".to_owned(), problem: e.to_string() })?;
    std::fs::write(path, &package).with_context(|| format!("cannot write {}", path.display()))?;
    writeln!(
        out,
        "Wrote the Teams app package to {}; upload it in Teams under Apps › Manage your apps.",
        path.display()
    )?;
    Ok(())
}

/// The Slack app manifest, for HTTP events or Socket Mode.
pub(super) fn slack(
    cli: &Cli,
    url: Option<&str>,
    socket_mode: bool,
    path: &Path,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    use secbot_slack::manifest::{Reach, manifest_yaml};
    let configured = load_config(cli).ok();
    let socket_mode = socket_mode
        || configured.as_ref().and_then(|c| c.slack.as_ref()).is_some_and(|s| s.app_token.is_some());
    // Over Socket Mode the URL is optional: only OAuth installs come back to it.
    let url = match (socket_mode, url) {
        (true, None) => configured.and_then(|c| c.public_url),
        (_, given) => Some(public_url(cli, given)?),
    };
    let reach = match &url {
        _ if socket_mode => Reach::SocketMode(url.as_deref()),
        Some(url) => Reach::Http(url),
        None => Reach::SocketMode(None),
    };
    let yaml = manifest_yaml(reach).map_err(|e| ConfigError {
        key: "--url".to_owned(),
        problem: format!(
            "`{}` is not a URL ({e}); write it like https://secbot.example.com",
            url.as_deref().unwrap_or_default()
        ),
    })?;
    write_out(path, &yaml, out)
}
