//! `secbot bench --smoke` as CI runs it: every scenario runs to the end without an error and
//! reports its figures (which are never judged here: timings belong in BENCHMARKS.md).

use std::process::Command;

use serde_json::Value;

#[test]
fn every_bench_scenario_runs_and_reports_what_it_measured() {
    let output = Command::new(env!("CARGO_BIN_EXE_secbot"))
        .args(["bench", "--smoke"])
        .output()
        .expect("secbot starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let lines: Vec<Value> = stdout
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let named: Vec<&str> = lines.iter().filter_map(|l| l["scenario"].as_str()).collect();
    assert_eq!(named, ["ingress", "baseline", "parse", "startup", "skills"]);
    for line in &lines[..2] {
        for phase in ["closed_loop", "at_half_peak"] {
            let p = &line[phase];
            assert!(p["sent"].as_u64().unwrap() > 0, "{line}");
            let count = |field: &str| p[field].as_u64().unwrap();
            assert_eq!(count("acknowledged") + count("shed"), count("sent"), "acknowledged or shed: {line}");
            assert!(count("acknowledged") > 0, "{line}");
            assert!(p["latency"]["max_ms"].as_f64().unwrap() >= p["latency"]["p50_ms"].as_f64().unwrap());
        }
    }
    assert!(lines[0]["answers_per_second"].as_f64().unwrap() > 0.0, "events were answered");
    assert!(lines[2]["prompts_per_second"].as_f64().unwrap() > 0.0);
    let started: Vec<&str> =
        lines[3]["startup"].as_array().unwrap().iter().filter_map(|s| s["what"].as_str()).collect();
    assert_eq!(started, ["demo tenant", "export", "snapshot"], "{}", lines[3]);
    for run in lines[3]["startup"].as_array().unwrap() {
        assert!(run["seconds"].as_f64().unwrap() > 0.0 && run["findings"] == 10_000, "{run}");
    }
    let sizes = lines[4]["skills"].as_array().unwrap();
    assert_eq!(sizes.len(), 1);
    assert_eq!(sizes[0]["findings"], 10_000);
    let prompts = sizes[0]["prompts"].as_array().unwrap();
    assert_eq!(prompts.len(), 23, "16 sample prompts and 7 follow-ups");
    let skill_of = |text: &str| {
        prompts.iter().find(|p| p["prompt"] == text).and_then(|p| p["skill"].as_str()).unwrap_or_default()
    };
    // The timings are of the answers meant: the follow-ups are read in their thread.
    assert_eq!(skill_of("explain the 2nd one"), "explain");
    assert_eq!(skill_of("terraform for it"), "remediate");
    assert_eq!(skill_of("assign it to @dana by friday"), "delegate");
    assert_eq!(skill_of("show more"), "list_risks");
    for p in prompts {
        assert!(p["latency"]["p50_ms"].as_f64().unwrap() > 0.0, "{p}");
    }
    assert!(stdout.lines().next().unwrap_or_default().starts_with("scenario"), "a table first");
}
