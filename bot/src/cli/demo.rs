//! `secbot demo export`: the demo tenant written as a snapshot file, as `secbot sync` writes a
//! real one.

use std::io::Write;
use std::path::Path;

use anyhow::Context as _;
use time::OffsetDateTime;

use super::{Cli, Partial};

/// Writes the demo tenant (grown to `--scale`, with `--seed` and `--day`) to `path`, or to
/// standard output for "-".
pub(super) fn export(cli: &Cli, path: &Path, out: &mut impl Write) -> anyhow::Result<()> {
    let day = cli.source.day.unwrap_or_else(|| OffsetDateTime::now_utc().date());
    let mut options = secbot_skills::demo::DemoOptions::for_day(day);
    options.findings = cli.source.scale;
    if let Some(seed) = cli.source.seed {
        options.seed = seed;
    }
    let tenant = secbot_skills::demo::tenant(&options);
    if path.as_os_str() == "-" {
        secbot_skills::snapshot::write(&tenant, std::io::BufWriter::new(out))?;
        return Ok(());
    }
    let mut partial = Partial::create(path)?;
    secbot_skills::snapshot::write(&tenant, &mut partial.writer)
        .with_context(|| format!("cannot write {}", path.display()))?;
    partial.commit()
}
