//! `secbot bench`: the scenarios asked for, or all of them.

use std::io::Write;

use secbot::bench::{self, BenchOptions, Scenario};

/// Runs the scenarios (every one when none is named), for a moment each with `smoke`.
pub(super) async fn run(scenarios: &[Scenario], smoke: bool, out: &mut impl Write) -> anyhow::Result<()> {
    let scenarios = if scenarios.is_empty() {
        vec![Scenario::Ingress, Scenario::Baseline, Scenario::Parse, Scenario::Startup, Scenario::Skills]
    } else {
        scenarios.to_vec()
    };
    let options = if smoke { BenchOptions::smoke(scenarios) } else { BenchOptions::full(scenarios) };
    bench::run(&options, out).await
}
