//! `secbot cache clear`: asks a running server to read its source afresh.

use std::io::Write;

use anyhow::Context as _;

use super::{Cli, load_config};

/// Posts to the server's `/admin/cache/clear` with the admin token.
pub(super) async fn clear(cli: &Cli, url: Option<&str>, out: &mut impl Write) -> anyhow::Result<()> {
    let config = load_config(cli)?;
    let base = url.map(str::to_owned).unwrap_or_else(|| format!("http://{}", config.listen));
    let token = config.read_admin_token().with_context(|| {
        format!(
            "no admin token: set SECBOT_ADMIN_TOKEN, or run this where `secbot serve` wrote {}",
            config.admin_token_file().display()
        )
    })?;
    let response = reqwest::Client::new()
        .post(format!("{}/admin/cache/clear", base.trim_end_matches('/')))
        .bearer_auth(token)
        .send()
        .await
        .with_context(|| format!("no secbot answers at {base}; is `secbot serve` running there? (--url)"))?;
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    if !status.is_success() {
        anyhow::bail!("{base} refused: {}", body["error"].as_str().unwrap_or("no reason given"));
    }
    writeln!(out, "Cleared the cache of {} at {base}.", body["source"].as_str().unwrap_or("the source"))?;
    Ok(())
}
