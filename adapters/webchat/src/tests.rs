//! The web chat API against an assistant that records what it is asked.

use std::sync::Mutex;

use async_trait::async_trait;
use axum::body::Body;
use axum::http::Request;
use secbot_chat::{AssistantError, Card, Intent, Outcome, Reply, Slots};
use tower::ServiceExt;

use super::*;

#[derive(Default)]
struct Recorder {
    prompts: Mutex<Vec<Prompt>>,
    comments: Mutex<Vec<Feedback>>,
}

#[async_trait]
impl Assistant for Recorder {
    async fn answer(&self, prompt: Prompt) -> Reply {
        let reply = Reply::new(
            ResponseId("r1".into()),
            "help",
            Intent::Help,
            Slots::default(),
            Card::titled(format!("echo {}", prompt.text)),
        );
        self.prompts.lock().unwrap().push(prompt);
        reply
    }

    async fn act(&self, click: Click) -> Outcome {
        Outcome::Reply(Reply::new(
            click.payload.response_id,
            "help",
            Intent::Help,
            Slots::default(),
            Card::titled("clicked"),
        ))
    }

    async fn comment(&self, feedback: Feedback) -> Result<(), AssistantError> {
        self.comments.lock().unwrap().push(feedback);
        Ok(())
    }

    async fn claim(&self, _: Platform, _: &str) -> Result<bool, AssistantError> {
        Ok(true)
    }

    async fn ratings(&self, _: &Origin, _: &ResponseId) -> Result<Vec<Feedback>, AssistantError> {
        Ok(self.comments.lock().unwrap().clone())
    }

    async fn stored_payload(&self, _: &ResponseId, _: usize) -> Result<Option<Payload>, AssistantError> {
        Ok(None)
    }
}

fn app(token: Option<&str>) -> (Router, Arc<Recorder>) {
    let recorder = Arc::new(Recorder::default());
    let options = WebchatOptions {
        token: token.map(str::to_owned),
        suggestions: vec!["help".into()],
        source: "demo".into(),
    };
    (Webchat::new(recorder.clone(), options).routes(), recorder)
}

fn post(path: &str, body: &str, user: Option<&str>, token: Option<&str>) -> Request<Body> {
    let mut request = Request::post(path).header("content-type", "application/json");
    if let Some(user) = user {
        request = request.header("x-webchat-user", user);
    }
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

async fn json_of(response: Response) -> serde_json::Value {
    let bytes = axum::body::to_bytes(response.into_body(), MAX_BODY).await.unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn a_message_becomes_a_prompt_in_its_thread() {
    let (app, recorder) = app(None);
    let response = app
        .oneshot(post("/webchat/messages", r#"{"thread":"t-1","text":"hi"}"#, Some("u1"), None))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json_of(response).await["reply"]["card"]["title"], "echo hi");
    let prompts = recorder.prompts.lock().unwrap();
    assert_eq!(prompts[0].origin.platform, Platform::Webchat);
    assert_eq!(prompts[0].origin.thread.as_deref(), Some("t-1"));
    assert_eq!(prompts[0].origin.user.id, "u1");
}

#[tokio::test]
async fn bad_requests_get_a_reason_and_reach_nobody() {
    let (app, recorder) = app(None);
    let cases = [
        post("/webchat/messages", r#"{"thread":"t-1","text":"hi"}"#, None, None),
        post("/webchat/messages", r#"{"thread":"../etc","text":"hi"}"#, Some("u1"), None),
        post("/webchat/messages", "{not json", Some("u1"), None),
        post("/webchat/actions", r#"{"thread":"t","payload":{"do":"explode"}}"#, Some("u1"), None),
        post("/webchat/feedback", r#"{"thread":"t","response_id":"r1","rating":"meh"}"#, Some("u1"), None),
    ];
    for request in cases {
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let body = json_of(response).await;
        assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()), "{body}");
    }
    assert!(recorder.prompts.lock().unwrap().is_empty());
}

#[tokio::test]
async fn with_a_token_every_call_must_carry_it() {
    let (app, recorder) = app(Some("0123456789abcdef"));
    let denied = app
        .clone()
        .oneshot(post("/webchat/messages", r#"{"thread":"t","text":"hi"}"#, Some("u1"), Some("wrong")))
        .await
        .unwrap();
    assert_eq!(denied.status(), StatusCode::UNAUTHORIZED);
    assert!(recorder.prompts.lock().unwrap().is_empty());
    let allowed = app
        .oneshot(post(
            "/webchat/messages",
            r#"{"thread":"t","text":"hi"}"#,
            Some("u1"),
            Some("0123456789abcdef"),
        ))
        .await
        .unwrap();
    assert_eq!(allowed.status(), StatusCode::OK);
}

#[tokio::test]
async fn without_a_token_only_loopback_names_are_answered() {
    let (open, recorder) = app(None);
    let addressed = |host: &str, origin: Option<&str>| {
        let mut request = post("/webchat/messages", r#"{"thread":"t","text":"hi"}"#, Some("u1"), None);
        request.headers_mut().insert("host", host.parse().unwrap());
        if let Some(origin) = origin {
            request.headers_mut().insert("origin", origin.parse().unwrap());
        }
        request
    };
    for (host, origin) in [
        ("attacker.example", None),
        ("attacker.example:3978", Some("http://attacker.example:3978")),
        ("127.0.0.1:3978", Some("http://attacker.example")),
        ("secbot.tunnel.example", None),
        ("10.0.0.5:3978", None),
    ] {
        let response = open.clone().oneshot(addressed(host, origin)).await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{host} {origin:?}");
        let body = json_of(response).await;
        assert!(body["error"].as_str().unwrap().contains("SECBOT_WEBCHAT_TOKEN"), "{body}");
    }
    assert!(recorder.prompts.lock().unwrap().is_empty(), "nothing reached the assistant");
    for (host, origin) in [
        ("127.0.0.1:3978", Some("http://127.0.0.1:3978")),
        ("localhost:3978", Some("http://localhost:3978")),
        ("[::1]:3978", None),
        ("127.0.0.1", None),
    ] {
        let response = open.clone().oneshot(addressed(host, origin)).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{host} {origin:?}");
    }
    let (with_token, _) = app(Some("0123456789abcdef"));
    let mut request = addressed("secbot.tunnel.example", Some("https://secbot.tunnel.example"));
    request.headers_mut().insert("authorization", "Bearer 0123456789abcdef".parse().unwrap());
    assert_eq!(
        with_token.oneshot(request).await.unwrap().status(),
        StatusCode::OK,
        "with its token, any name"
    );
}

#[tokio::test]
async fn feedback_is_stored_and_read_back() {
    let (app, _) = app(None);
    let stored = app
        .clone()
        .oneshot(post(
            "/webchat/feedback",
            r#"{"thread":"t","response_id":"r1","rating":"needs_improvement","comment":"wrong vm"}"#,
            Some("u1"),
            None,
        ))
        .await
        .unwrap();
    assert_eq!(stored.status(), StatusCode::OK);
    let read = app
        .oneshot(
            Request::get("/webchat/feedback/r1").header("x-webchat-user", "u1").body(Body::empty()).unwrap(),
        )
        .await
        .unwrap();
    let body = json_of(read).await;
    assert_eq!(body["ratings"][0]["rating"], "needs_improvement");
    assert_eq!(body["ratings"][0]["comment"], "wrong vm");
}

#[tokio::test]
async fn the_page_is_served_with_a_strict_content_security_policy() {
    let (app, _) = app(None);
    let response = app.oneshot(Request::get("/").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let csp = response.headers().get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
    assert!(csp.contains("default-src 'self'"));
    let bytes = axum::body::to_bytes(response.into_body(), MAX_BODY).await.unwrap();
    assert!(String::from_utf8_lossy(&bytes).contains("/webchat/assets/app.js"));
}
