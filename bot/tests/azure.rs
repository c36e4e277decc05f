//! Defender for Cloud through the binary, with wiremock as Azure AD, Resource Graph and the
//! pricings API serving the demo tenant's rows: `secbot sync` writes a snapshot that
//! `secbot serve --data` answers from exactly as the live source does, `SECBOT_SOURCE=azure`
//! serves the tenant live, and `secbot cache clear` reaches the running server.

mod support;

use std::process::{Command, Output};

use secbot_skills::azure::testing::{MockAzure, Rows, SECRET, TENANT};
use secbot_skills::demo::{self, DemoOptions};
use serde_json::Value;
use support::{Server, scratch};

const PROMPT: &str = r#"{"thread":"t-1","text":"show critical risks for publicly exposed resources"}"#;

fn settings(azure: &MockAzure) -> Vec<(&'static str, String)> {
    vec![
        ("SECBOT_AZURE_TENANT_ID", TENANT.to_owned()),
        ("SECBOT_AZURE_CLIENT_ID", "secbot-app".to_owned()),
        ("SECBOT_AZURE_CLIENT_SECRET", SECRET.to_owned()),
        ("SECBOT_AZURE_AUTHORITY_URL", azure.server.uri()),
        ("SECBOT_AZURE_MANAGEMENT_URL", azure.server.uri()),
    ]
}

/// Runs `secbot ARGS` off the async runtime, so the mock keeps answering meanwhile.
async fn secbot(args: &[&str], env: &[(&'static str, String)]) -> Output {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let env = env.to_vec();
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_secbot"))
            .args(&args)
            .envs(env)
            .env_remove("SECBOT_LOG")
            .output()
            .expect("secbot runs")
    })
    .await
    .expect("the command finished")
}

async fn ask(server: &Server) -> Value {
    let client = server.client();
    let (status, body) =
        tokio::task::spawn_blocking(move || client.post("/webchat/messages", PROMPT)).await.unwrap();
    assert_eq!(status, 200, "{body}");
    let reply: Value = serde_json::from_str(&body).unwrap();
    reply["reply"]["card"].clone()
}

fn items(card: &Value) -> Vec<String> {
    card["items"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_synced_snapshot_is_served_offline_with_the_answers_the_live_tenant_gives() {
    let day = time::macros::date!(2026 - 11 - 25);
    let mut written = Vec::new();
    secbot_skills::snapshot::write(&demo::tenant(&DemoOptions::for_day(day)), &mut written).expect("written");
    let tenant: Value = serde_json::from_slice(&written).expect("JSON");
    let azure = MockAzure::start(Rows::new(&tenant)).await;
    let env = settings(&azure);
    let dir = scratch("azure-sync");
    let file = dir.join("snapshot.json");

    let output = secbot(&["sync", "--out", file.to_str().unwrap()], &env).await;
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(said.starts_with("Wrote ") && said.contains("secbot serve --data"), "{said}");
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert!(written["data"].as_array().unwrap().len() > 1_000, "the whole tenant, across every page");
    assert!(!std::fs::read_to_string(&file).unwrap().contains(SECRET), "no secret in the snapshot");
    let left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, vec!["snapshot.json".to_owned()], "the partial file became the snapshot");

    // A sync that fails leaves the snapshot it would have replaced as it was.
    let before = std::fs::read(&file).unwrap();
    let mut refused = env.clone();
    refused.retain(|(k, _)| *k != "SECBOT_AZURE_CLIENT_SECRET");
    refused.push(("SECBOT_AZURE_CLIENT_SECRET", "not-the-secret".to_owned()));
    let failed = secbot(&["sync", "--out", file.to_str().unwrap()], &refused).await;
    assert!(!failed.status.success());
    assert!(
        String::from_utf8_lossy(&failed.stderr).contains("left as it was"),
        "{}",
        String::from_utf8_lossy(&failed.stderr)
    );
    assert!(std::fs::read(&file).unwrap() == before, "the old snapshot is untouched");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "no partial file is left behind");

    let offline = Server::start_with(&dir.join("offline"), &["--data", file.to_str().unwrap()], &[]);
    let offline_card = ask(&offline).await;

    let mut live_env: Vec<(&str, String)> = env.clone();
    live_env.push(("SECBOT_SOURCE", "azure".to_owned()));
    let live_env_refs: Vec<(&str, &str)> = live_env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let live = Server::start_in(&dir.join("live"), &live_env_refs);
    let live_card = ask(&live).await;
    assert!(!items(&live_card).is_empty());
    assert_eq!(items(&offline_card), items(&live_card), "offline answers like live");
    assert_eq!(offline_card["summary"], live_card["summary"]);

    let live_data = dir.join("live");
    let cleared = secbot(
        &["cache", "clear", "--url", &live.url],
        &[("SECBOT_DATA_DIR", live_data.to_str().unwrap().to_owned())],
    )
    .await;
    assert!(cleared.status.success(), "{}", String::from_utf8_lossy(&cleared.stderr));
    assert!(String::from_utf8_lossy(&cleared.stdout).contains(&format!("Azure tenant {TENANT}")));
    let before = azure.graph_requests().await.len();
    let again = ask(&live).await;
    assert_eq!(items(&again), items(&live_card));
    assert!(azure.graph_requests().await.len() > before, "after clearing, the question reads Azure again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_without_azure_settings_says_what_to_set() {
    let output = secbot(&["sync", "--out", "/tmp/never-written.json"], &[]).await;
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("SECBOT_AZURE_TENANT_ID"), "{err}");
    let nobody = secbot(
        &["cache", "clear", "--url", "http://127.0.0.1:9"],
        &[("SECBOT_ADMIN_TOKEN", "any".to_owned())],
    )
    .await;
    assert!(!nobody.status.success());
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("is `secbot serve` running there?"));
}
