//! `secbot serve` as a process: the operations endpoints, a clean exit on SIGTERM, start-up
//! refusing bad configuration with one line, and the web chat driven by a real headless
//! Chromium (tests/browser/webchat.mjs, with playwright-core from npm).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

mod support;

use support::{Server, scratch, workspace};

#[test]
fn feedback_survives_kill_9_right_after_the_click_is_acknowledged() {
    let data = scratch("durable");
    let server = Server::start_in(&data, &[]);
    let (status, body) = server
        .post("/webchat/messages", r#"{"thread":"t-1","text":"show critical risks to sensitive data"}"#);
    assert_eq!(status, 200, "{body}");
    let reply: serde_json::Value = serde_json::from_str(&body).expect("json");
    let id = reply["reply"]["response_id"].as_str().expect("a response id").to_owned();
    let looks_right = reply["reply"]["card"]["footer"]["actions"][0]["payload"].clone();
    let (status, _) = server
        .post("/webchat/actions", &serde_json::json!({"thread": "t-1", "payload": looks_right}).to_string());
    assert_eq!(status, 200, "the click is acknowledged");
    server.kill();
    let again = Server::start_in(&data, &[]);
    let (status, ratings) = again.get(&format!("/webchat/feedback/{id}"));
    assert_eq!(status, 200);
    assert!(ratings.contains("\"rating\":\"looks_right\""), "{ratings}");
    let (code, _) = again.terminate();
    assert_eq!(code, Some(0));
}

#[test]
fn admin_requests_need_the_token_the_server_wrote_for_its_own_machine() {
    let data = scratch("admin");
    let server = Server::start_in(&data, &[]);
    let (status, body) = server.post("/admin/cache/clear", "");
    assert_eq!(status, 401, "a loopback peer alone is not enough: {body}");
    assert!(body.contains("admin token"), "{body}");
    let token = std::fs::read_to_string(data.join("admin.token")).expect("serve wrote its admin token");
    assert_eq!(token.trim().len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("admin.token")).expect("metadata").permissions().mode();
        assert_eq!(mode & 0o077, 0, "only its owner can read it: {mode:o}");
    }
    let cleared = Command::new(env!("CARGO_BIN_EXE_secbot"))
        .args(["cache", "clear", "--url", &server.url])
        .env("SECBOT_DATA_DIR", &data)
        .output()
        .expect("secbot runs");
    let said = String::from_utf8_lossy(&cleared.stdout);
    assert!(cleared.status.success(), "{said} {}", String::from_utf8_lossy(&cleared.stderr));
    assert!(said.starts_with("Cleared the cache"), "{said}");
    let elsewhere = Command::new(env!("CARGO_BIN_EXE_secbot"))
        .args(["cache", "clear", "--url", &server.url])
        .env("SECBOT_DATA_DIR", scratch("admin-elsewhere"))
        .env("SECBOT_ADMIN_TOKEN", "not-the-token")
        .output()
        .expect("secbot runs");
    assert!(!elsewhere.status.success());
    assert!(String::from_utf8_lossy(&elsewhere.stderr).contains("admin token"));
    server.terminate();
}

/// Reads what the server sends on `stream` until it closes the connection or 5 s pass; `None`
/// when it kept the connection open that long.
fn until_closed(stream: &mut std::net::TcpStream) -> Option<String> {
    use std::io::Read;
    stream.set_read_timeout(Some(Duration::from_secs(5))).expect("a read timeout");
    let mut got = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return Some(String::from_utf8_lossy(&got).into_owned()),
            Ok(n) => got.extend_from_slice(&buffer[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return Some(String::from_utf8_lossy(&got).into_owned());
            }
            Err(_) => return None,
        }
    }
}

#[test]
fn slow_clients_time_out_and_requests_beyond_the_limit_get_503() {
    use std::io::Write;
    use std::net::TcpStream;
    let server =
        Server::start("bounds", &[("SECBOT_REQUEST_TIMEOUT_SECS", "1"), ("SECBOT_MAX_IN_FLIGHT", "1")]);
    let address = server.url.trim_start_matches("http://").to_owned();

    // A head that never ends: the connection is closed after the head deadline.
    let mut silent = TcpStream::connect(&address).expect("connects");
    silent.write_all(b"POST /webchat/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n").expect("writes");
    assert!(until_closed(&mut silent).is_some(), "a connection whose head never arrives is closed");

    // A body that never arrives: 408, and the request no longer counts as in flight.
    let mut slow = TcpStream::connect(&address).expect("connects");
    let head = "POST /webchat/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Webchat-User: u1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"thread\":";
    slow.write_all(head.as_bytes()).expect("writes");
    std::thread::sleep(Duration::from_millis(200));
    let (status, body) = server.get("/healthz");
    assert_eq!(status, 503, "one request is in flight and the limit is one: {body}");
    assert!(body.contains("SECBOT_MAX_IN_FLIGHT"), "{body}");
    let answer = until_closed(&mut slow).expect("the slow request is answered");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert_eq!(server.get("/healthz"), (200, "ok\n".to_owned()), "and the server answers again");
    server.terminate();
}

#[test]
fn the_web_chat_answers_only_requests_addressed_to_this_machine() {
    use std::io::Write;
    let server = Server::start("rebinding", &[]);
    let address = server.url.trim_start_matches("http://").to_owned();
    let body = r#"{"thread":"t-1","text":"show critical risks"}"#;
    let ask = |host: &str| {
        let mut stream = std::net::TcpStream::connect(&address).expect("connects");
        write!(
            stream,
            "POST /webchat/messages HTTP/1.1\r\nHost: {host}\r\nX-Webchat-User: tester\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("writes");
        until_closed(&mut stream).expect("answered")
    };
    let rebound = ask("attacker.example:3978");
    assert!(rebound.starts_with("HTTP/1.1 403"), "{rebound}");
    assert!(!rebound.contains("findings"), "no posture data: {rebound}");
    let local = ask(&address);
    assert!(local.starts_with("HTTP/1.1 200"), "{local}");
    assert!(local.contains("findings"), "{local}");
    server.terminate();
}

#[test]
fn health_metrics_and_a_clean_exit_on_sigterm() {
    let server = Server::start("ops", &[]);
    assert_eq!(server.get("/healthz"), (200, "ok\n".to_owned()));
    let (status, ready) = server.get("/readyz");
    assert_eq!(status, 200, "{ready}");
    assert!(ready.contains("\"ready\":true"));
    let (status, slack) = server.get("/slack/events");
    assert_eq!(status, 503, "an adapter without credentials is off");
    assert!(slack.contains("SECBOT_SLACK_SIGNING_SECRET"), "{slack}");
    let (status, metrics) = server.get("/metrics");
    assert_eq!(status, 200);
    assert!(metrics.contains("secbot_http_requests_total{route=\"/healthz\",status=\"200\"} 1"), "{metrics}");
    let (code, took) = server.terminate();
    assert_eq!(code, Some(0), "SIGTERM exits 0");
    assert!(took < Duration::from_secs(10), "stopped in {took:?}");
}

fn start_up_error(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let data = scratch("bad-config");
    let mut command = Command::new(env!("CARGO_BIN_EXE_secbot"));
    command.args(args).env("SECBOT_DATA_DIR", &data).stdout(Stdio::null()).stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let output = command.output().expect("secbot runs");
    (output.status.code(), String::from_utf8_lossy(&output.stderr).trim().to_owned())
}

#[test]
fn wrong_configuration_stops_start_up_with_one_line_naming_the_key_and_the_fix() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let busy = format!("127.0.0.1:{}", taken.local_addr().expect("addr").port());
    let bad_toml = scratch("toml").join("secbot.toml");
    std::fs::write(&bad_toml, "listen = \"127.0.0.1:3978\nwebchat = on\n").expect("write");
    type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (vec!["serve"], vec![("SECBOT_LISTEN", "127.0.0.1:99999")], "SECBOT_LISTEN (listen)"),
        (vec!["serve", "--listen", &busy], vec![], "SECBOT_LISTEN (listen): cannot listen"),
        (
            vec!["serve"],
            vec![("SECBOT_DATA_DIR", "/etc/hostname/secbot")],
            "SECBOT_DATA_DIR (data_dir): cannot write",
        ),
        (vec!["serve", "--config", bad_toml.to_str().expect("utf-8 path")], vec![], "is not valid TOML"),
        (vec!["serve"], vec![("SECBOT_SOURCE", "cloud")], "SECBOT_SOURCE (source)"),
    ];
    for (args, env, expected) in cases {
        let (code, stderr) = start_up_error(&args, &env);
        assert_eq!(code, Some(2), "{args:?} {env:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "one clear line: {stderr}");
        assert!(stderr.contains(expected), "{stderr}");
    }
    drop(taken);
}

#[test]
fn config_check_prints_the_effective_configuration_with_secrets_masked() {
    let output = Command::new(env!("CARGO_BIN_EXE_secbot"))
        .args(["config", "check"])
        .env("SECBOT_DATA_DIR", scratch("check"))
        .env("SECBOT_SLACK_SIGNING_SECRET", "very-secret-signing-value")
        .env("SECBOT_SLACK_BOT_TOKEN", "xoxb-not-for-your-eyes")
        .output()
        .expect("secbot runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("slack_signing_secret (SECBOT_SLACK_SIGNING_SECRET)"));
    assert!(!stdout.contains("very-secret") && !stdout.contains("xoxb-not"), "{stdout}");
    assert!(stdout.contains("The configuration is valid."));
}

/// Runs the headless-browser test when Node, playwright-core and Chromium are present; CI sets
/// SECBOT_REQUIRE_BROWSER=1 so a missing piece fails instead of skipping.
#[test]
fn the_web_chat_works_in_a_real_browser() {
    let browser_dir = workspace().join("tests/browser");
    let chromium = std::env::var("CHROMIUM_PATH").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    let ready = browser_dir.join("node_modules/playwright-core").is_dir()
        && Path::new(&chromium).exists()
        && Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if !ready {
        assert!(
            std::env::var_os("SECBOT_REQUIRE_BROWSER").is_none(),
            "the browser test needs node, `npm ci --prefix tests/browser` and Chromium at {chromium}"
        );
        eprintln!(
            "skipping the browser test: run `npm ci --prefix tests/browser` and install chromium to run it"
        );
        return;
    }
    let server = Server::start("browser", &[]);
    let screenshot = workspace().join("target/webchat.png");
    let output = Command::new("node")
        .arg(browser_dir.join("webchat.mjs"))
        .env("SECBOT_URL", &server.url)
        .env("CHROMIUM_PATH", &chromium)
        .env("SECBOT_SCREENSHOT", &screenshot)
        .output()
        .expect("node runs");
    let log =
        format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "the browser test failed:\n{log}");
    assert!(log.contains("webchat browser test passed"), "{log}");
    assert!(screenshot.is_file(), "a screenshot was saved");
    assert!(workspace().join("target/webchat-digest.png").is_file(), "the digest's screenshot was saved");
    let (_, metrics) = server.get("/metrics");
    assert!(metrics.contains("secbot_feedback_total{rating=\"looks_right\"} 1"), "{metrics}");
    let (code, _) = server.terminate();
    assert_eq!(code, Some(0));
}

/// Every span in the OTLP/JSON bodies a collector received.
fn spans_of(bodies: &[serde_json::Value]) -> Vec<serde_json::Value> {
    bodies
        .iter()
        .flat_map(|b| b["resourceSpans"].as_array().cloned().unwrap_or_default())
        .flat_map(|r| r["scopeSpans"].as_array().cloned().unwrap_or_default())
        .flat_map(|s| s["spans"].as_array().cloned().unwrap_or_default())
        .collect()
}

fn attribute(span: &serde_json::Value, key: &str) -> Option<String> {
    span["attributes"].as_array()?.iter().find(|a| a["key"] == key).and_then(|a| {
        let value = &a["value"];
        value["stringValue"]
            .as_str()
            .map(str::to_owned)
            .or_else(|| value["intValue"].as_str().map(str::to_owned))
    })
}

#[tokio::test]
async fn traces_reach_an_otlp_collector_and_metrics_have_their_own_listener() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let collector = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/traces"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
        .mount(&collector)
        .await;
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").expect("a port").local_addr().expect("address").port();
    let metrics_at = format!("127.0.0.1:{port}");
    let endpoint = collector.uri();
    let server = tokio::task::spawn_blocking(move || {
        Server::start(
            "otlp",
            &[("SECBOT_OTLP_ENDPOINT", endpoint.as_str()), ("SECBOT_METRICS_LISTEN", metrics_at.as_str())],
        )
    })
    .await
    .expect("started");
    let client = server.client();
    let (status, body, on_main, on_own) = tokio::task::spawn_blocking(move || {
        let (status, body) = client.post(
            "/webchat/messages",
            r#"{"thread":"t-otlp","text":"show critical risks to sensitive data"}"#,
        );
        let on_main = client.get("/metrics");
        let on_own = support::Client { url: format!("http://127.0.0.1:{port}") }.get("/metrics");
        (status, body, on_main, on_own)
    })
    .await
    .expect("asked");
    assert_eq!(status, 200, "{body}");
    let response_id = serde_json::from_str::<serde_json::Value>(&body).expect("JSON")["reply"]["response_id"]
        .as_str()
        .expect("a response id")
        .to_owned();
    assert_eq!(on_main.0, 404, "/metrics is off the main listener when it has its own");
    assert_eq!(on_own.0, 200);
    assert!(
        on_own.1.contains("process_resident_memory_bytes") && on_own.1.contains("secbot_http_requests_total"),
        "{}",
        on_own.1
    );

    // The request and the answer inside it arrive as one trace, the answer nested in the request.
    let mut spans = Vec::new();
    for _ in 0..100 {
        let bodies: Vec<serde_json::Value> = collector
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .filter_map(|r| serde_json::from_slice(&r.body).ok())
            .collect();
        spans = spans_of(&bodies);
        if spans.iter().any(|s| s["name"] == "answer") && spans.iter().any(|s| s["name"] == "request") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let answer = spans.iter().find(|s| s["name"] == "answer").expect("an answer span");
    assert_eq!(attribute(answer, "skill").as_deref(), Some("list_risks"));
    assert_eq!(attribute(answer, "response_id"), Some(response_id));
    assert_eq!(attribute(answer, "platform").as_deref(), Some("webchat"));
    let request = spans
        .iter()
        .find(|s| s["name"] == "request" && s["spanId"] == answer["parentSpanId"])
        .expect("the answer's parent is its request");
    assert_eq!(request["traceId"], answer["traceId"]);
    assert_eq!(attribute(request, "route").as_deref(), Some("/webchat/messages"));
    assert_eq!(attribute(request, "status").as_deref(), Some("200"));
    assert!(attribute(request, "request_id").is_some_and(|id| id.len() == 16));
    assert_eq!(request["traceId"].as_str().map(str::len), Some(32));
    server.kill();
}
