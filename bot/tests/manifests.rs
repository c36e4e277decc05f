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

#[test]
fn a_socket_mode_manifest_needs_no_url_and_an_app_token_asks_for_one() {
    let flagged = generate(&["manifest", "slack", "--socket-mode"]);
    assert!(flagged.status.success(), "{}", String::from_utf8_lossy(&flagged.stderr));
    let yaml = String::from_utf8(flagged.stdout).unwrap();
    assert!(yaml.contains("socket_mode_enabled: true") && !yaml.contains("request_url"), "{yaml}");
    let configured = Command::new(env!("CARGO_BIN_EXE_secbot"))
        .args(["manifest", "slack"])
        .env_remove("SECBOT_PUBLIC_URL")
        .env("SECBOT_SLACK_APP_TOKEN", "xapp-1-A0SECBOT-1-abc")
        .env("SECBOT_SLACK_BOT_TOKEN", "xoxb-1")
        .output()
        .expect("secbot runs");
    assert!(configured.status.success(), "{}", String::from_utf8_lossy(&configured.stderr));
    assert!(String::from_utf8_lossy(&configured.stdout).contains("socket_mode_enabled: true"));
}

#[test]
fn the_discord_command_list_is_current() {
    let output = generate(&["manifest", "discord"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let generated: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let committed: serde_json::Value =
        serde_json::from_str(&committed("manifest/discord/commands.json")).expect("JSON");
    assert_eq!(
        generated, committed,
        "manifest/discord/commands.json is stale: run `cargo run -p secbot -- manifest discord --out manifest/discord/commands.json`"
    );
}

#[test]
fn the_teams_package_is_a_zip_for_a_real_app_id() {
    let out = std::env::temp_dir().join(format!("secbot-teams-{}.zip", std::process::id()));
    let app_id = "00000000-0000-4000-8000-00000000b07a";
    let output =
        generate(&["manifest", "teams", "--app-id", app_id, "--url", URL, "--out", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let zip = std::fs::read(&out).expect("the package");
    let _ = std::fs::remove_file(&out);
    assert!(zip.starts_with(b"PK\x03\x04"), "a zip file");
    let bad = generate(&["manifest", "teams", "--app-id", "not-a-guid", "--url", URL]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("GUID"));
}
