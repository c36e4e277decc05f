//! `secbot sync`: Defender for Cloud's tenant written to a snapshot file.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;
use secbot::config::Config;

use super::{Cli, Partial, raw_config};

/// `secbot sync`: pages through the Defender for Cloud tenant with a progress bar and writes
/// the snapshot.
pub(super) async fn run(cli: &Cli, path: &Path, out: &mut impl Write) -> anyhow::Result<()> {
    let mut raw = raw_config(cli, None, None)?;
    raw.set("source", "azure".to_owned());
    let config = Config::from_raw(&raw)?;
    let azure = config.azure.as_ref().context("Defender for Cloud is not configured (SECBOT_AZURE_*)")?;
    let source = secbot_skills::azure::AzureSource::new(azure.clone())
        .context("the Defender for Cloud settings are not usable")?;
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {pos} rows read from Defender for Cloud ({elapsed})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let started = Instant::now();
    let mut partial = Partial::create(path)?;
    let synced = source.sync(&|rows| bar.set_position(rows as u64), &mut partial.writer).await;
    bar.finish_and_clear();
    let rows = synced.context("the sync stopped; the snapshot file was left as it was")?;
    partial.commit()?;
    writeln!(
        out,
        "Wrote {rows} rows to {} in {:.1} s. Serve them offline with `secbot serve --data {}`.",
        path.display(),
        started.elapsed().as_secs_f64(),
        path.display()
    )?;
    Ok(())
}
