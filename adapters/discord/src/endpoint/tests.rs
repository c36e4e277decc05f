use std::collections::HashSet;
use std::sync::Mutex;

use async_trait::async_trait;
use axum::body::Body;
use axum::http::Request;
use ed25519_dalek::{Signer, SigningKey};
use secbot_chat::delivery::Backoff;
use secbot_chat::{
    Action, AssistantError, Card, Command, Delegation, DirectMessage, Footer, Intent, Item, Person, Prompt,
    Rating, ResponseId, Slots, ThreadKey,
};
use serde_json::Value;
use tower::ServiceExt;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;
use crate::verify::{SIGNATURE, TIMESTAMP};

const APP: &str = "1100000000000000009";
const ASK_TOKEN: &str = "aW50ZXJhY3Rpb246MTU3NTExODg1NzgzMDQwMDAwMTphc2s";
const CLICK_TOKEN: &str = "aW50ZXJhY3Rpb246MTU3NTExODg1NzgzMDQwMDAwNTpjbGljaw";
const ANSWER_MESSAGE: &str = "1100000000000000050";
const OWNER: &str = "1100000000000000077";

fn key() -> SigningKey {
    SigningKey::from_bytes(&[42; 32])
}

fn rid() -> ResponseId {
    ResponseId("abcdefghijklmnop".into())
}

fn finding() -> Subject {
    Subject::Finding {
        recommendation: "0f3f7e43-5c68-4f4e-9b5e-3c1d2f8b9a01".into(),
        resource: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/vm-web-01"
            .into(),
    }
}

fn list_reply() -> Reply {
    let id = rid();
    let card = Card {
        title: "Resources with high severity vulnerabilities".into(),
        first_item: 1,
        items: vec![Item {
            title: "Vulnerabilities in container images should be remediated".into(),
            subtitle: Some("checkout-api:1.14.2".into()),
            severity: None,
            facts: vec![],
            actions: vec![Action::run("Remediate", &id, Intent::Remediate, Some(finding()))],
        }],
        footer: Some(Footer::for_response(&id)),
        ..Card::default()
    };
    Reply::new(id, "list_risks", Intent::ListRisks, Slots::default(), card)
        .about(Some(Subject::list(vec![finding()])))
}

fn note(text: &str) -> Reply {
    let mut reply =
        Reply::new(ResponseId("n1".into()), "feedback", Intent::Help, Slots::default(), Card::titled(text));
    reply.ephemeral = true;
    reply
}

/// An assistant that records what it is asked and answers from a script.
#[derive(Default)]
struct Fake {
    claimed: Mutex<HashSet<String>>,
    prompts: Mutex<Vec<Prompt>>,
    clicks: Mutex<Vec<Click>>,
    comments: Mutex<Vec<Feedback>>,
    continued: Mutex<Vec<(ThreadKey, ThreadKey)>>,
    outcome: Mutex<Option<Outcome>>,
    act_delay: Duration,
}

impl Fake {
    fn answering(outcome: Outcome) -> Fake {
        Fake { outcome: Mutex::new(Some(outcome)), ..Fake::default() }
    }

    fn calls(&self) -> usize {
        self.prompts.lock().unwrap().len()
            + self.clicks.lock().unwrap().len()
            + self.comments.lock().unwrap().len()
    }
}

#[async_trait]
impl Assistant for Fake {
    async fn answer(&self, prompt: Prompt) -> Reply {
        self.prompts.lock().unwrap().push(prompt);
        list_reply()
    }

    async fn continue_thread(&self, from: &ThreadKey, to: &ThreadKey) -> Result<(), AssistantError> {
        self.continued.lock().unwrap().push((from.clone(), to.clone()));
        Ok(())
    }

    async fn act(&self, click: Click) -> Outcome {
        tokio::time::sleep(self.act_delay).await;
        self.clicks.lock().unwrap().push(click);
        self.outcome
            .lock()
            .unwrap()
            .clone()
            .unwrap_or_else(|| Outcome::Reply(note("Thanks for the feedback.")))
    }

    async fn comment(&self, feedback: Feedback) -> Result<(), AssistantError> {
        self.comments.lock().unwrap().push(feedback);
        Ok(())
    }

    async fn claim(&self, _: Platform, event_id: &str) -> Result<bool, AssistantError> {
        Ok(self.claimed.lock().unwrap().insert(event_id.to_owned()))
    }

    async fn ratings(
        &self,
        _: &secbot_chat::Origin,
        _: &ResponseId,
    ) -> Result<Vec<Feedback>, AssistantError> {
        Ok(self.comments.lock().unwrap().clone())
    }

    async fn stored_payload(
        &self,
        response_id: &ResponseId,
        index: usize,
    ) -> Result<Option<Payload>, AssistantError> {
        let reply = list_reply();
        Ok((*response_id == reply.response_id)
            .then(|| reply.card.buttons().nth(index).map(|a| a.payload.clone()))
            .flatten())
    }
}

struct Setup {
    fake: Arc<Fake>,
    server: MockServer,
    router: Router,
    tasks: TaskTracker,
}

impl Setup {
    async fn new(fake: Fake, bot_token: Option<&str>) -> Setup {
        let server = MockServer::start().await;
        for (verb, route, body) in [
            (
                "PATCH",
                format!("/webhooks/{APP}/{ASK_TOKEN}/messages/@original"),
                json!({"id": ANSWER_MESSAGE}),
            ),
            (
                "PATCH",
                format!("/webhooks/{APP}/{CLICK_TOKEN}/messages/@original"),
                json!({"id": ANSWER_MESSAGE}),
            ),
            ("POST", format!("/webhooks/{APP}/{CLICK_TOKEN}"), json!({"id": "1100000000000000051"})),
            ("POST", format!("/channels/1100000000000000002/messages/{ANSWER_MESSAGE}/threads"), json!({})),
        ] {
            Mock::given(method(verb))
                .and(path(route))
                .respond_with(ResponseTemplate::new(200).set_body_json(body))
                .mount(&server)
                .await;
        }
        let fake = Arc::new(fake);
        let mut options = DiscordOptions::new(key().verifying_key().to_bytes(), APP);
        options.api_url = server.uri();
        options.bot_token = bot_token.map(secbot_chat::Secret::new);
        let api = Api::new(&options).with_backoff(Backoff {
            attempts: 2,
            base: Duration::from_millis(5),
            cap: Duration::from_millis(5),
        });
        let tasks = TaskTracker::new();
        let router = routes(crate::adapter::wired(endpoint(
            fake.clone(),
            &options,
            tasks.clone(),
            Arc::new(secbot_chat::inbox::InlineInbox::default()),
            api,
            Duration::from_millis(200),
        )));
        Setup { fake, server, router, tasks }
    }

    async fn post(&self, body: &str) -> (StatusCode, Value) {
        let timestamp = OffsetDateTime::now_utc().unix_timestamp().to_string();
        let signature = key().sign(format!("{timestamp}{body}").as_bytes());
        let request = Request::post("/discord/interactions")
            .header(SIGNATURE, hex::encode(signature.to_bytes()))
            .header(TIMESTAMP, timestamp)
            .header("content-type", "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap();
        self.send(request).await
    }

    async fn send(&self, request: Request<Body>) -> (StatusCode, Value) {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), MAX_BODY).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    async fn settle(&self) {
        self.tasks.close();
        self.tasks.wait().await;
        self.tasks.reopen();
    }

    async fn requests(&self) -> Vec<(String, String, Value)> {
        self.server
            .received_requests()
            .await
            .unwrap()
            .into_iter()
            .map(|r| {
                (
                    r.method.to_string(),
                    r.url.path().to_owned(),
                    serde_json::from_slice(&r.body).unwrap_or(Value::Null),
                )
            })
            .collect()
    }
}

fn fixture(name: &str) -> Value {
    let text = match name {
        "ping" => include_str!("../../fixtures/ping.json"),
        "ask" => include_str!("../../fixtures/command_ask.json"),
        "thread" => include_str!("../../fixtures/command_ask_in_thread.json"),
        "mention" => include_str!("../../fixtures/command_ask_mention.json"),
        "dm" => include_str!("../../fixtures/command_help_dm.json"),
        "click" => include_str!("../../fixtures/component_button.json"),
        _ => include_str!("../../fixtures/modal_submit.json"),
    };
    serde_json::from_str(text).unwrap()
}

fn click(custom_id: &str) -> String {
    let mut value = fixture("click");
    value["data"]["custom_id"] = json!(custom_id);
    value.to_string()
}

#[tokio::test]
async fn ping_is_answered_with_pong() {
    let setup = Setup::new(Fake::default(), None).await;
    let (status, body) = setup.post(&fixture("ping").to_string()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"type": 1}));
}

#[tokio::test]
async fn a_bad_signature_gets_401_and_nothing_else() {
    let setup = Setup::new(Fake::default(), Some("bot-token")).await;
    let body = fixture("ask").to_string();
    let timestamp = OffsetDateTime::now_utc().unix_timestamp().to_string();
    let forged = SigningKey::from_bytes(&[1; 32]).sign(format!("{timestamp}{body}").as_bytes());
    let stale = (OffsetDateTime::now_utc().unix_timestamp() - 301).to_string();
    let stale_signature = key().sign(format!("{stale}{body}").as_bytes());
    for (signature, at) in [
        (hex::encode(forged.to_bytes()), timestamp.clone()),
        (hex::encode(stale_signature.to_bytes()), stale),
    ] {
        let request = Request::post("/discord/interactions")
            .header(SIGNATURE, signature)
            .header(TIMESTAMP, at)
            .body(Body::from(body.clone()))
            .unwrap();
        let (status, answer) = setup.send(request).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(answer, Value::Null, "no body");
    }
    let unsigned = Request::post("/discord/interactions").body(Body::from(body)).unwrap();
    assert_eq!(setup.send(unsigned).await.0, StatusCode::UNAUTHORIZED);
    setup.settle().await;
    assert_eq!(setup.fake.calls(), 0);
    assert!(setup.fake.claimed.lock().unwrap().is_empty());
    assert!(setup.requests().await.is_empty(), "no outbound call");
}

#[tokio::test]
async fn a_list_answer_in_a_channel_is_edited_in_and_starts_a_thread_for_follow_ups() {
    let setup = Setup::new(Fake::default(), Some("bot-token")).await;
    let (status, body) = setup.post(&fixture("ask").to_string()).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"type": 5})));
    setup.settle().await;

    let prompts = setup.fake.prompts.lock().unwrap().clone();
    assert_eq!(prompts.len(), 1);
    assert_eq!(prompts[0].text, "Show resources with high severity vulnerabilities");
    assert_eq!(prompts[0].origin.channel, "1100000000000000002");
    assert_eq!(prompts[0].origin.thread, None);

    let requests = setup.requests().await;
    let calls: Vec<(&str, &str)> = requests.iter().map(|(m, p, _)| (m.as_str(), p.as_str())).collect();
    let original = format!("/webhooks/{APP}/{ASK_TOKEN}/messages/@original");
    let thread = format!("/channels/1100000000000000002/messages/{ANSWER_MESSAGE}/threads");
    assert_eq!(calls, [("PATCH", original.as_str()), ("POST", thread.as_str())]);
    let edit = &requests[0].2;
    assert_eq!(edit["embeds"][0]["title"], "Resources with high severity vulnerabilities");
    assert_eq!(edit["allowed_mentions"]["parse"], json!([]));
    assert!(violations(edit).is_empty());
    assert_eq!(requests[1].2["name"], "Resources with high severity vulnerabilities");
    let auth = setup.server.received_requests().await.unwrap()[1].headers.get("authorization").cloned();
    assert_eq!(auth.unwrap().to_str().unwrap(), "Bot bot-token");

    let continued = setup.fake.continued.lock().unwrap().clone();
    let from = prompts[0].origin.thread_key();
    assert_eq!(continued, [(from.clone(), ThreadKey { thread: ANSWER_MESSAGE.into(), ..from })]);
}

#[tokio::test]
async fn without_a_bot_token_no_thread_is_started() {
    let setup = Setup::new(Fake::default(), None).await;
    setup.post(&fixture("ask").to_string()).await;
    setup.settle().await;
    let methods: Vec<String> = setup.requests().await.into_iter().map(|(m, _, _)| m).collect();
    assert_eq!(methods, ["PATCH"]);
    assert!(setup.fake.continued.lock().unwrap().is_empty());
}

#[tokio::test]
async fn in_a_thread_the_thread_is_the_conversation() {
    let setup = Setup::new(Fake::default(), Some("bot-token")).await;
    let mut ask = fixture("thread");
    ask["token"] = json!(ASK_TOKEN);
    setup.post(&ask.to_string()).await;
    setup.settle().await;
    let origin = setup.fake.prompts.lock().unwrap()[0].origin.clone();
    assert_eq!(
        (origin.channel.as_str(), origin.thread.as_deref()),
        ("1100000000000000002", Some("1100000000000000040"))
    );
    let methods: Vec<String> = setup.requests().await.into_iter().map(|(m, _, _)| m).collect();
    assert_eq!(methods, ["PATCH"], "no new thread inside a thread");
}

#[tokio::test]
async fn help_in_a_direct_message() {
    let setup = Setup::new(Fake::default(), Some("bot-token")).await;
    let mut help = fixture("dm");
    help["token"] = json!(ASK_TOKEN);
    setup.post(&help.to_string()).await;
    setup.settle().await;
    let prompt = setup.fake.prompts.lock().unwrap()[0].clone();
    assert_eq!(
        (prompt.text.as_str(), prompt.origin.tenant.as_str(), prompt.origin.thread),
        ("help", "dm", None)
    );
}

#[tokio::test]
async fn a_mention_becomes_the_owner() {
    let setup = Setup::new(Fake::default(), None).await;
    let mut ask = fixture("mention");
    ask["token"] = json!(ASK_TOKEN);
    setup.post(&ask.to_string()).await;
    setup.settle().await;
    let prompt = setup.fake.prompts.lock().unwrap()[0].clone();
    assert!(prompt.text.starts_with("assign the 1st one to @dana.w by Friday"), "{}", prompt.text);
    assert_eq!(prompt.mentions, [Person { id: OWNER.into(), name: "dana.w".into(), email: None }]);
}

#[tokio::test]
async fn the_same_interaction_twice_is_processed_once() {
    let setup = Setup::new(Fake::default(), None).await;
    for _ in 0..2 {
        assert_eq!(setup.post(&fixture("ask").to_string()).await.1, json!({"type": 5}));
    }
    setup.settle().await;
    assert_eq!(setup.fake.prompts.lock().unwrap().len(), 1);
    let patches = setup.requests().await.into_iter().filter(|(m, _, _)| m == "PATCH").count();
    assert_eq!(patches, 1);

    let body = click("s:abcdefghijklmnop:0");
    assert_eq!(setup.post(&body).await.1["type"], 4);
    assert_eq!(setup.post(&body).await.1, json!({"type": 6}));
    assert_eq!(setup.fake.clicks.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn an_unknown_command_is_answered_privately() {
    let setup = Setup::new(Fake::default(), None).await;
    let mut other = fixture("ask");
    other["data"]["name"] = json!("cardsearch");
    let (_, body) = setup.post(&other.to_string()).await;
    assert_eq!(body["type"], 4);
    assert_eq!(body["data"]["flags"], 64);
    assert!(body["data"]["content"].as_str().unwrap().contains("/secbot ask"));
}

#[tokio::test]
async fn a_stored_button_runs_its_payload_where_the_card_is() {
    let setup = Setup::new(Fake::answering(Outcome::Reply(list_reply())), None).await;
    let (_, body) = setup.post(&click("s:abcdefghijklmnop:0")).await;
    assert_eq!(body["type"], 4);
    assert!(body["data"].get("flags").is_none(), "a public reply");
    assert!(violations(&body["data"]).is_empty());
    let click = setup.fake.clicks.lock().unwrap()[0].clone();
    assert_eq!(click.payload, list_reply().card.buttons().next().unwrap().payload);
    assert_eq!(
        (click.origin.channel.as_str(), click.origin.thread.as_deref()),
        ("1100000000000000002", None)
    );
    assert_eq!(click.origin.user.name, "Ana Lopez");
}

#[tokio::test]
async fn feedback_is_stored_and_thanked_privately() {
    let setup = Setup::new(Fake::default(), None).await;
    let looks_right = custom_id::inline(&Payload {
        response_id: rid(),
        command: Command::Rate { rating: Rating::LooksRight },
    })
    .unwrap();
    let (_, body) = setup.post(&click(&looks_right)).await;
    assert_eq!(body["type"], 4);
    assert_eq!(body["data"]["flags"], 64);
    assert_eq!(body["data"]["embeds"][0]["title"], "Thanks for the feedback.");
}

#[tokio::test]
async fn needs_improvement_opens_a_modal_whose_submission_is_stored() {
    let form = CommentForm {
        response_id: rid(),
        rating: Rating::NeedsImprovement,
        title: "Help secbot improve".into(),
        question: "What was wrong or missing? Please tell us as much as you like".into(),
    };
    let setup = Setup::new(Fake::answering(Outcome::Comment(form)), None).await;
    let rate = custom_id::inline(&Payload {
        response_id: rid(),
        command: Command::Rate { rating: Rating::NeedsImprovement },
    })
    .unwrap();
    let (_, body) = setup.post(&click(&rate)).await;
    assert_eq!(body["type"], 9);
    assert_eq!(body["data"]["custom_id"], "m:abcdefghijklmnop:needs_improvement");
    assert_eq!(body["data"]["title"], "Help secbot improve");
    let input = &body["data"]["components"][0]["components"][0];
    assert_eq!(input["custom_id"], COMMENT_INPUT);
    assert_eq!(input["style"], 2, "a paragraph");
    assert!(input["label"].as_str().unwrap().chars().count() <= 45);

    let (_, thanks) = setup.post(&fixture("modal").to_string()).await;
    assert_eq!(thanks["type"], 4);
    assert_eq!(thanks["data"]["flags"], 64);
    let comments = setup.fake.comments.lock().unwrap().clone();
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].rating, Rating::NeedsImprovement);
    assert_eq!(comments[0].response_id, rid());
    assert_eq!(comments[0].comment, "The CVE list missed the base image.");
}

#[tokio::test]
async fn confirming_a_delegation_updates_the_card_and_pings_only_the_owner() {
    let owner = Person { id: OWNER.into(), name: "dana.w".into(), email: None };
    let delegation =
        Delegation { subject: finding(), owner: owner.clone(), due: time::macros::date!(2026 - 11 - 27) };
    let mut confirmed = list_reply();
    confirmed.card = Card::titled("Assigned to dana.w, due Friday");
    confirmed.direct = vec![DirectMessage {
        to: owner,
        card: Card::titled("You own a finding: vm-web-01"),
        text: "You own a finding: vm-web-01".into(),
    }];
    let setup = Setup::new(Fake::answering(Outcome::Replace(confirmed)), None).await;
    let confirm = Payload { response_id: rid(), command: Command::Confirm { delegation } };
    let id = custom_id::inline(&confirm).unwrap_or_else(|| "s:abcdefghijklmnop:0".into());
    let (_, body) = setup.post(&click(&id)).await;
    assert_eq!(body["type"], 7);
    assert_eq!(body["data"]["embeds"][0]["title"], "Assigned to dana.w, due Friday");
    setup.settle().await;
    let requests = setup.requests().await;
    assert_eq!(requests.len(), 1);
    let (verb, route, notice) = &requests[0];
    assert_eq!((verb.as_str(), route.as_str()), ("POST", format!("/webhooks/{APP}/{CLICK_TOKEN}").as_str()));
    assert_eq!(notice["content"], format!("<@{OWNER}> You own a finding: vm-web-01"));
    assert_eq!(notice["allowed_mentions"], json!({"parse": [], "users": [OWNER], "roles": []}));
}

#[tokio::test]
async fn a_slow_click_is_deferred_then_answered() {
    let slow =
        Fake { act_delay: Duration::from_millis(400), ..Fake::answering(Outcome::Replace(list_reply())) };
    let setup = Setup::new(slow, None).await;
    let (_, body) = setup.post(&click("s:abcdefghijklmnop:0")).await;
    assert_eq!(body, json!({"type": 6}));
    setup.settle().await;
    let requests = setup.requests().await;
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].0, "PATCH");
    assert_eq!(requests[0].1, format!("/webhooks/{APP}/{CLICK_TOKEN}/messages/@original"));
}

#[tokio::test]
async fn foreign_buttons_and_menus_get_a_next_step() {
    let setup = Setup::new(Fake::default(), None).await;
    let (_, body) = setup.post(&click("click_one")).await;
    assert!(body["data"]["content"].as_str().unwrap().contains("ask the question again"));
    let mut menu: Value = serde_json::from_str(&click("class_select_1")).unwrap();
    menu["id"] = json!("1575118857830400099");
    menu["data"]["component_type"] = json!(3);
    let (_, body) = setup.post(&menu.to_string()).await;
    assert!(body["data"]["content"].as_str().unwrap().contains("only have buttons"));
    assert_eq!(setup.fake.clicks.lock().unwrap().len(), 0);
}

#[tokio::test]
async fn a_signed_but_unreadable_body_is_a_bad_request() {
    let setup = Setup::new(Fake::default(), None).await;
    assert_eq!(setup.post("{\"type\": \"x\"}").await.0, StatusCode::BAD_REQUEST);
    assert_eq!(setup.post("{\"type\": 2}").await.0, StatusCode::BAD_REQUEST);
    assert_eq!(
        setup.post("{\"type\": 4, \"id\": \"1\", \"token\": \"t\"}").await.1,
        json!({"type": 8, "data": {"choices": []}})
    );
}

#[test]
fn every_fixture_is_read() {
    for name in ["ping", "ask", "thread", "mention", "dm", "click", "modal"] {
        let text = fixture(name).to_string();
        serde_json::from_str::<Envelope>(&text).unwrap();
        serde_json::from_str::<Interaction>(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}
