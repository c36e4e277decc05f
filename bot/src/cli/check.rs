//! `secbot config check`: every setting with where it came from, the warnings, and which
//! platforms are on.

use std::io::Write;

use secbot::config::Config;

use super::serve::adapters_summary;
use super::{Cli, raw_config};

/// Prints the configuration and fails on the first mistake in it.
pub(super) fn run(cli: &Cli, out: &mut impl Write) -> anyhow::Result<()> {
    let raw = raw_config(cli, None, None)?;
    for warning in &raw.warnings {
        writeln!(out, "warning: {warning}")?;
    }
    for (key, value, origin) in raw.describe() {
        writeln!(out, "{key:<58} = {value}  [{origin}]")?;
    }
    let config = Config::from_raw(&raw)?;
    config.prepare_data_dir()?;
    for warning in config.warnings() {
        writeln!(out, "warning: {warning}")?;
    }
    writeln!(out, "\nThe configuration is valid. {}", adapters_summary(&config).join(" "))?;
    Ok(())
}
