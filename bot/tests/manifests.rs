//! The committed platform manifests are what `secbot manifest …` generates from the code today;
//! a change to the commands, events or scopes without regenerating them fails here.

use std::process::Command;

const URL: &str = "https://secbot.example.com";

fn generate(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_secbot"))
        .args(args)
        .env_remove("SECBOT_PUBLIC_URL")
        .output()
        .expect("secbot runs")
}

fn committed(path: &str) -> String {
    let file = format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn the_slack_manifest_is_current() {
    let output = generate(&["manifest", "slack", "--url", URL]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        committed("manifest/slack/manifest.yaml"),
        "manifest/slack/manifest.yaml is stale: run `cargo run -p secbot -- manifest slack --url {URL} --out manifest/slack/manifest.yaml`"
    );
}

#[test]
fn a_manifest_needs_a_real_url() {
    for args in [&["manifest", "slack"][..], &["manifest", "slack", "--url", "secbot.example.com"][..]] {
        let output = generate(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&output.stderr);
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(err.contains("--url") && err.contains("https://"), "{err}");
    }
}
