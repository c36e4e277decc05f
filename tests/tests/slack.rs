//! Slack end to end: signed requests shaped like Slack's, sent to a real `secbot serve` router,
//! with wiremock standing in for Slack's Web API. Covers mentions, follow-ups without a mention,
//! retries, refusals, feedback and its modal, delegation with a direct message, the slash
//! command, throttling, OAuth installs, and Block Kit checked by Slack's own SDK.

use secbot_chat::{Rating, ResponseId};
use secbot_slack::testing::{self, buttons, fixture, fixtures, header, titles};
use secbot_slack::verify::signature as sign;
use secbot_tests::Server;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const SECRET: &str = "e2e-signing-secret-5f1c0a9b7d3e";
const TOKEN: &str = "xoxb-test-e2e-workspace";
const MENTION: &str = fixtures::APP_MENTION;
const FOLLOW_UP: &str = fixtures::MESSAGE_IN_THREAD;
const DIRECT: &str = fixtures::MESSAGE_IM;
const VERIFY: &str = fixtures::URL_VERIFICATION;
const SUBMIT: &str = fixtures::VIEW_SUBMISSION;
const COMMAND: &str = fixtures::SLASH_COMMAND;

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

struct Slack {
    api: MockServer,
    server: Server,
    http: reqwest::Client,
}

impl Slack {
    async fn start() -> Slack {
        Slack::with(&[]).await
    }

    async fn with(extra: &[(&str, &str)]) -> Slack {
        let api = testing::web_api().await;
        let api_url = format!("{}/api/", api.uri());
        let mut settings =
            vec![("SECBOT_SLACK_SIGNING_SECRET", SECRET), ("SECBOT_SLACK_API_URL", api_url.as_str())];
        if !extra.iter().any(|(k, _)| *k == "SECBOT_SLACK_CLIENT_ID") {
            settings.push(("SECBOT_SLACK_BOT_TOKEN", TOKEN));
        }
        settings.extend_from_slice(extra);
        let server = Server::start(&settings).await;
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Slack { api, server, http }
    }

    async fn signed(
        &self,
        route: &str,
        content_type: &str,
        body: &str,
        retry: Option<u32>,
    ) -> reqwest::Response {
        testing::signed(&self.http, &format!("{}{route}", self.server.url), SECRET, body.to_owned(), retry)
            .header("content-type", content_type)
            .send()
            .await
            .expect("the server answers")
    }

    async fn event(&self, event: &Value) -> reqwest::Response {
        self.signed("/slack/events", "application/json", &event.to_string(), None).await
    }

    async fn interact(&self, payload: &Value) -> reqwest::Response {
        let body = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
        self.signed("/slack/interactivity", "application/x-www-form-urlencoded", &body, None).await
    }

    /// Every request secbot made to a Web API method (or path), bodies as JSON.
    async fn calls(&self, method: &str) -> Vec<Value> {
        testing::calls(&self.api, method).await
    }

    /// Asks in a thread with a mention and returns secbot's reply as posted.
    async fn mention(&self, text: &str, ts: &str) -> Value {
        let before = self.calls("chat.postMessage").await.len();
        let event = testing::mention(text, ts);
        assert_eq!(self.event(&event).await.status(), 200);
        self.server.settle().await;
        let posts = self.calls("chat.postMessage").await;
        assert_eq!(posts.len(), before + 1, "one reply to {text:?}");
        posts[before].clone()
    }

    /// Says something in a thread without mentioning secbot.
    async fn say(&self, text: &str, thread: &str, ts: &str) -> reqwest::Response {
        let event = testing::reply_in_thread(text, thread, ts);
        let response = self.event(&event).await;
        self.server.settle().await;
        response
    }

    /// A click on the button labelled `label` of a posted message.
    fn click_of(&self, posted: &Value, message_ts: &str, label: &str) -> Value {
        testing::click(posted, message_ts, label, &format!("{}/respond", self.api.uri()))
    }
}

/// The response id a posted card's rating buttons carry.
fn response_id(posted: &Value) -> ResponseId {
    let rate =
        buttons(posted).into_iter().find(|b| b["text"]["text"] == "Looks right").expect("a feedback footer");
    let payload: Value = serde_json::from_str(rate["value"].as_str().unwrap()).unwrap();
    ResponseId(payload["r"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_mention_is_acknowledged_first_then_answered_in_its_thread() {
    let slack = Slack::start().await;
    // Slack's users.info is slow today: the acknowledgement must not wait for it.
    Mock::given(path("/api/users.info"))
        .respond_with(move |r: &Request| {
            testing::users_info(r).set_delay(std::time::Duration::from_millis(700))
        })
        .with_priority(1)
        .mount(&slack.api)
        .await;
    let response = slack.event(&fixture(MENTION)).await;
    assert_eq!(response.status(), 200);
    assert!(slack.calls("chat.postMessage").await.is_empty(), "acknowledged before anything was posted");
    slack.server.settle().await;
    let posts = slack.calls("chat.postMessage").await;
    assert_eq!(posts.len(), 1);
    let reply = &posts[0];
    assert_eq!(reply["channel"], "C0SECOPS");
    assert_eq!(reply["thread_ts"], "1795970800.000100", "answered under the mention");
    assert!(!reply["text"].as_str().unwrap().is_empty(), "a plain-text fallback is always set");
    assert_eq!(reply["blocks"][0]["type"], "header");
    assert!(header(reply).starts_with("Critical risks"), "{}", header(reply));
    let items: Vec<String> =
        titles(reply).into_iter().filter(|t| t.contains("*1. ") || t.contains("*2. ")).collect();
    assert_eq!(items.len(), 2, "the list's items are shown: {:?}", titles(reply));
    assert!(buttons(reply).iter().any(|b| b["text"]["text"] == "Remediate"));
    let requests = slack.api.received_requests().await.unwrap();
    let post = requests.iter().find(|r| r.url.path() == "/api/chat.postMessage").unwrap();
    assert_eq!(post.headers.get("authorization").unwrap(), &format!("Bearer {TOKEN}"));
}

#[tokio::test]
async fn a_follow_up_in_the_thread_without_a_mention_fixes_the_item_it_names() {
    let slack = Slack::start().await;
    let list = slack.mention("show critical risks for publicly exposed resources", "1795970800.000100").await;
    let name = testing::item(&list, 2);
    let response = slack.say("how do I fix the 2nd one?", "1795970800.000100", "1795970860.000200").await;
    assert_eq!(response.status(), 200);
    let posts = slack.calls("chat.postMessage").await;
    assert_eq!(posts.len(), 2);
    let fix = &posts[1];
    assert_eq!(fix["thread_ts"], "1795970800.000100", "in the same thread");
    assert!(header(fix).starts_with("Fix:"), "{}", header(fix));
    assert!(header(fix).contains(&name), "{} is about {name}", header(fix));
    assert!(fix["blocks"].to_string().contains("rich_text_preformatted"), "with scripts as code blocks");
    // People talking among themselves in the thread are left alone.
    slack.say("thanks, I'll take it after lunch", "1795970800.000100", "1795970900.000300").await;
    assert_eq!(slack.calls("chat.postMessage").await.len(), 2);
}

#[tokio::test]
async fn retried_and_duplicated_deliveries_are_answered_once() {
    let slack = Slack::start().await;
    let event = fixture(MENTION);
    let body = event.to_string();
    let (a, b, c) = tokio::join!(
        slack.signed("/slack/events", "application/json", &body, None),
        slack.signed("/slack/events", "application/json", &body, Some(1)),
        slack.signed("/slack/events", "application/json", &body, Some(2)),
    );
    assert!([a.status(), b.status(), c.status()].iter().all(|s| *s == 200), "every delivery is acknowledged");
    // The same message also arrives as message.channels with another event id.
    let mut twin = fixture(FOLLOW_UP);
    twin["event"]["text"] = event["event"]["text"].clone();
    twin["event"]["ts"] = event["event"]["ts"].clone();
    twin["event"].as_object_mut().unwrap().remove("thread_ts");
    twin["event_id"] = json!("Ev0TWIN");
    assert_eq!(slack.event(&twin).await.status(), 200);
    slack.server.settle().await;
    assert_eq!(slack.calls("chat.postMessage").await.len(), 1);
}

#[tokio::test]
async fn unsigned_stale_and_malformed_requests_are_refused_and_nothing_is_posted() {
    let slack = Slack::start().await;
    let body = fixture(MENTION).to_string();
    let url = format!("{}/slack/events", slack.server.url);
    let send = |signature: String, ts: String, body: String| {
        let http = slack.http.clone();
        let url = url.clone();
        async move {
            http.post(&url)
                .header("x-slack-signature", signature)
                .header("x-slack-request-timestamp", ts)
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    let ts = now();
    let bad = send(sign("not-the-secret", ts, &body), ts.to_string(), body.clone()).await;
    assert_eq!(bad.status(), 401);
    let reason: Value = bad.json().await.unwrap();
    assert!(reason["error"].as_str().unwrap().contains("signature"), "{reason}");
    let old = now() - 600;
    assert_eq!(send(sign(SECRET, old, &body), old.to_string(), body.clone()).await.status(), 401);
    let tampered = body.replace("critical", "all");
    assert_eq!(send(sign(SECRET, ts, &body), ts.to_string(), tampered).await.status(), 401);
    let missing = slack.http.post(&url).body(body.clone()).send().await.unwrap();
    assert_eq!(missing.status(), 401);
    for route in ["/slack/interactivity", "/slack/commands"] {
        let unsigned = slack
            .http
            .post(format!("{}{route}", slack.server.url))
            .body("payload=%7B%7D")
            .send()
            .await
            .unwrap();
        assert_eq!(unsigned.status(), 401, "{route}");
    }
    let malformed =
        slack.signed("/slack/events", "application/json", "{\"type\": \"event_callback\", ", None).await;
    assert_eq!(malformed.status(), 400);
    let not_a_payload = slack
        .signed("/slack/interactivity", "application/x-www-form-urlencoded", "payload=%7Bnope", None)
        .await;
    assert_eq!(not_a_payload.status(), 400);
    let no_command =
        slack.signed("/slack/commands", "application/x-www-form-urlencoded", "text=hi", None).await;
    assert_eq!(no_command.status(), 400);
    slack.server.settle().await;
    assert!(slack.api.received_requests().await.unwrap().is_empty(), "nothing reached Slack");
}

#[tokio::test]
async fn a_workspace_off_the_allow_list_gets_nothing() {
    let event = testing::mention("show critical risks", "1732536000.000900");
    let team = event["team_id"].as_str().expect("the fixture names its workspace").to_owned();
    let slack = Slack::with(&[("SECBOT_SLACK_ALLOWED_TEAMS", "T0OTHERTEAM")]).await;
    assert_eq!(slack.event(&event).await.status(), 200, "acknowledged, so Slack does not retry");
    slack.server.settle().await;
    assert!(slack.calls("chat.postMessage").await.is_empty(), "but not answered");
    assert!(slack.calls("users.info").await.is_empty(), "nor read about");

    let allowed = format!("T0OTHERTEAM,{team}");
    let slack = Slack::with(&[("SECBOT_SLACK_ALLOWED_TEAMS", allowed.as_str())]).await;
    let posted = slack.mention("show critical risks", "1732536000.000901").await;
    let mut click = slack.click_of(&posted, "1732536000.000950", "Looks right");
    click["team"]["id"] = json!("T0OTHERTEAM2");
    assert_eq!(slack.interact(&click).await.status(), 200);
    slack.server.settle().await;
    assert!(
        slack.server.store.feedback(&response_id(&posted)).await.unwrap().is_empty(),
        "a click from another workspace is not stored"
    );
}

#[tokio::test]
async fn the_url_verification_challenge_is_echoed() {
    let slack = Slack::start().await;
    let response = slack.event(&fixture(VERIFY)).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["challenge"], fixture(VERIFY)["challenge"]);
}

#[tokio::test]
async fn ratings_are_stored_before_the_ack_and_comments_come_through_the_modal() {
    let slack = Slack::start().await;
    let reply =
        slack.mention("show critical risks for publicly exposed resources", "1795970800.000100").await;
    let id = response_id(&reply);
    let message_ts = "1795971001.000100";

    let looks_right = slack.click_of(&reply, message_ts, "Looks right");
    assert_eq!(slack.interact(&looks_right).await.status(), 200);
    // Already stored when Slack hears back: no waiting for background work.
    let stored = slack.server.store.feedback(&id).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].rating, Rating::LooksRight);
    assert_eq!(stored[0].origin.user.id, "U0RAJ");
    slack.server.settle().await;
    let thanks = slack.calls("/respond").await;
    assert_eq!(thanks.len(), 1, "a short thank-you");
    assert_eq!(thanks[0]["response_type"], "ephemeral");

    let needs = slack.click_of(&reply, message_ts, "Needs improvement");
    assert_eq!(slack.interact(&needs).await.status(), 200);
    slack.server.settle().await;
    let opened = slack.calls("views.open").await;
    assert_eq!(opened.len(), 1, "the modal opens");
    assert_eq!(opened[0]["trigger_id"], needs["trigger_id"]);
    let view = &opened[0]["view"];
    assert_eq!(view["type"], "modal");

    let mut submit = fixture(SUBMIT);
    submit["view"]["private_metadata"] = view["private_metadata"].clone();
    submit["view"]["state"]["values"]["comment"]["comment"]["value"] =
        json!("It missed the storage account in Data Platform");
    let response = slack.interact(&submit).await;
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().is_empty(), "an empty answer closes the modal");
    let stored = slack.server.store.feedback(&id).await.unwrap();
    assert_eq!(stored.len(), 1, "one person's rating of one answer is changed, not duplicated");
    assert_eq!(stored[0].rating, Rating::NeedsImprovement);
    assert_eq!(stored[0].comment, "It missed the storage account in Data Platform");
}

#[tokio::test]
async fn a_comment_that_cannot_be_saved_keeps_the_modal_open() {
    let slack = Slack::start().await;
    let mut submit = fixture(SUBMIT);
    submit["view"]["private_metadata"] = json!("not what secbot wrote");
    let response = slack.interact(&submit).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["response_action"], "errors");
    assert!(body["errors"]["comment"].as_str().unwrap().contains("press the rating button again"));
}

#[tokio::test]
async fn delegating_confirms_updates_the_card_and_messages_the_owner() {
    let slack = Slack::start().await;
    let thread = "1795970800.000100";
    slack.mention("show critical risks for publicly exposed resources", thread).await;
    slack.say("assign the 2nd one to <@U0DANA> by Friday", thread, "1795970870.000400").await;
    let posts = slack.calls("chat.postMessage").await;
    assert_eq!(posts.len(), 2);
    let confirm = &posts[1];
    assert_eq!(header(confirm), "Assign to Dana Whitfield?");
    assert!(confirm["blocks"].to_string().contains("dana@contoso.com"), "the owner's email from users.info");
    let card_ts = "1795971002.000100";
    let click = slack.click_of(confirm, card_ts, "Confirm");
    assert_eq!(slack.interact(&click).await.status(), 200);
    slack.server.settle().await;

    let updates = slack.calls("chat.update").await;
    assert_eq!(updates.len(), 1, "the confirm card is replaced");
    assert_eq!(updates[0]["ts"], card_ts);
    assert_eq!(updates[0]["channel"], "C0SECOPS");
    let updated = updates[0]["blocks"].to_string();
    assert!(updated.contains("Dana Whitfield") && updated.contains("Due"), "{updated}");

    let opened = slack.calls("conversations.open").await;
    assert_eq!(opened.len(), 1);
    assert_eq!(opened[0]["users"], json!(["U0DANA"]));
    let posts = slack.calls("chat.postMessage").await;
    let dm = posts.iter().find(|p| p["channel"] == "D0DANA").expect("a direct message to the owner");
    assert!(buttons(dm).iter().any(|b| b["text"]["text"] == "Remediate"), "with the remediate button");
    let assigned = slack.server.store.delegations().await.unwrap();
    assert_eq!(assigned.len(), 1);
    assert_eq!(assigned[0].delegation.owner.email.as_deref(), Some("dana@contoso.com"));
}

#[tokio::test]
async fn due_dates_are_the_asker_s_own_days_in_their_slack_time_zone() {
    let slack = Slack::start().await;
    // Raj works from Honolulu (UTC-10), as his Slack profile says.
    let mut raj = fixture(fixtures::USERS_INFO);
    raj["user"]["id"] = json!("U0RAJ");
    raj["user"]["profile"]["display_name"] = json!("raj");
    raj["user"]["profile"]["email"] = json!("raj@contoso.com");
    raj["user"]["tz"] = json!("Pacific/Honolulu");
    raj["user"]["tz_offset"] = json!(-36_000);
    Mock::given(path("/api/users.info"))
        .and(query_param("user", "U0RAJ"))
        .respond_with(ResponseTemplate::new(200).set_body_json(raj))
        .with_priority(1)
        .mount(&slack.api)
        .await;
    // 03:00 UTC on 29 November is 17:00 on the 28th for him: his "tomorrow" is the 29th.
    let thread = "1795921200.000100";
    slack.mention("show critical risks for publicly exposed resources", thread).await;
    slack.say("assign the 2nd one to <@U0DANA> by tomorrow", thread, "1795921270.000400").await;
    let confirm = slack.calls("chat.postMessage").await[1].clone();
    assert_eq!(header(&confirm), "Assign to Dana Whitfield?");
    let click = slack.click_of(&confirm, "1795921300.000100", "Confirm");
    assert_eq!(slack.interact(&click).await.status(), 200);
    slack.server.settle().await;
    let assigned = slack.server.store.delegations().await.unwrap();
    assert_eq!(assigned.len(), 1);
    assert_eq!(assigned[0].delegation.due, time::macros::date!(2026 - 11 - 29), "his tomorrow, not UTC's");
}

#[tokio::test]
async fn an_owner_named_without_a_mention_is_found_by_email_for_the_direct_message() {
    let slack = Slack::start().await;
    let thread = "1795970800.000100";
    slack.mention("show critical risks for publicly exposed resources", thread).await;
    slack.say("assign the 1st one to sam by Friday", thread, "1795970870.000400").await;
    let confirm = slack.calls("chat.postMessage").await[1].clone();
    assert!(confirm["blocks"].to_string().contains("sam@contoso.com"), "{}", titles(&confirm).join(" / "));
    slack.interact(&slack.click_of(&confirm, "1795971002.000100", "Confirm")).await;
    slack.server.settle().await;
    let requests = slack.api.received_requests().await.unwrap();
    let lookup =
        requests.iter().find(|r| r.url.path() == "/api/users.lookupByEmail").expect("looked up by email");
    assert_eq!(lookup.url.query_pairs().find(|(k, _)| k == "email").unwrap().1, "sam@contoso.com");
    assert_eq!(slack.calls("conversations.open").await[0]["users"], json!(["U0SAM"]));
}

#[tokio::test]
async fn the_slash_command_answers_in_the_channel_and_its_thread_keeps_the_context() {
    let slack = Slack::start().await;
    let body =
        COMMAND.trim().replace("what+is+overdue%3F", "show+critical+risks+for+publicly+exposed+resources");
    let response = slack.signed("/slack/commands", "application/x-www-form-urlencoded", &body, None).await;
    assert_eq!(response.status(), 200);
    slack.server.settle().await;
    let posts = slack.calls("chat.postMessage").await;
    assert_eq!(posts.len(), 1);
    let answer = &posts[0];
    assert_eq!(answer["channel"], "C0SECOPS");
    assert!(answer.get("thread_ts").is_none(), "a new message in the channel");
    let asked = answer["blocks"][0]["elements"][0]["text"].as_str().unwrap();
    assert!(asked.contains("<@U0RAJ> asked") && asked.contains("/secbot show critical risks"), "{asked}");
    // The mock gave the answer this ts; a follow-up in its thread knows what "the 1st one" is.
    let root = "1795971001.000100";
    slack.say("explain the 1st one", root, "1795971100.000500").await;
    let posts = slack.calls("chat.postMessage").await;
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[1]["thread_ts"], root);
    let name = testing::item(answer, 1);
    assert!(header(&posts[1]).contains(&name), "{} explains {name}", header(&posts[1]));
}

#[tokio::test]
async fn where_secbot_is_not_a_member_the_command_answers_through_its_response_url() {
    let slack = Slack::start().await;
    Mock::given(path("/api/chat.postMessage"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(r#"{"ok":false,"error":"not_in_channel"}"#, "application/json"),
        )
        .with_priority(1)
        .mount(&slack.api)
        .await;
    let url = format!("{}/respond", slack.api.uri());
    let body = COMMAND.trim().replace(
        "https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT0CONTOSO%2F8204419375%2Fq2Yw3NvQpXo9",
        &serde_urlencoded::to_string([("u", &url)]).unwrap()[2..],
    );
    assert_eq!(
        slack.signed("/slack/commands", "application/x-www-form-urlencoded", &body, None).await.status(),
        200
    );
    slack.server.settle().await;
    let responses = slack.calls("/respond").await;
    assert_eq!(responses.len(), 1);
    assert_eq!(responses[0]["response_type"], "in_channel");
    assert_eq!(header(&responses[0]), "Overdue work");
}

#[tokio::test]
async fn a_direct_message_is_answered_at_the_top_level_of_the_conversation() {
    let slack = Slack::start().await;
    assert_eq!(slack.event(&fixture(DIRECT)).await.status(), 200);
    slack.server.settle().await;
    let posts = slack.calls("chat.postMessage").await;
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["channel"], "D0DANA");
    assert!(posts[0].get("thread_ts").is_none());
}

#[tokio::test]
async fn throttled_posts_wait_for_retry_after_and_are_sent_once() {
    let slack = Slack::start().await;
    Mock::given(path("/api/chat.postMessage"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_raw(r#"{"ok":false,"error":"ratelimited"}"#, "application/json"),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&slack.api)
        .await;
    assert_eq!(slack.event(&fixture(MENTION)).await.status(), 200);
    slack.server.settle().await;
    let requests = slack.api.received_requests().await.unwrap();
    let posts: Vec<&Request> = requests.iter().filter(|r| r.url.path() == "/api/chat.postMessage").collect();
    assert_eq!(posts.len(), 2, "the throttled try and one more");
    assert_eq!(posts[0].body, posts[1].body, "the same message, sent again");
    assert!(slack.calls("chat.postEphemeral").await.is_empty(), "no error was shown: it got through");
}

#[tokio::test]
async fn slack_errors_reach_the_asker_in_plain_words() {
    let slack = Slack::start().await;
    Mock::given(path("/api/chat.postMessage"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(r#"{"ok":false,"error":"is_archived"}"#, "application/json"),
        )
        .with_priority(1)
        .mount(&slack.api)
        .await;
    slack.event(&fixture(MENTION)).await;
    slack.server.settle().await;
    let told = slack.calls("chat.postEphemeral").await;
    assert_eq!(told.len(), 1);
    assert_eq!(told[0]["user"], "U0RAJ");
    assert!(told[0]["text"].as_str().unwrap().contains("archived"), "{}", told[0]);
}

#[tokio::test]
async fn a_workspace_installed_with_oauth_is_answered_with_its_own_token() {
    let key = "a".repeat(64);
    let slack = Slack::with(&[
        ("SECBOT_SLACK_CLIENT_ID", "4203.9917"),
        ("SECBOT_SLACK_CLIENT_SECRET", "oauth-client-secret-e2e"),
        ("SECBOT_PUBLIC_URL", "https://secbot.example.com"),
        ("SECBOT_ENCRYPTION_KEY", &key),
    ])
    .await;
    Mock::given(method("GET"))
        .and(path("/api/oauth.v2.access"))
        .and(query_param("code", "code-from-slack"))
        .and(wiremock::matchers::header(
            "authorization",
            "Basic NDIwMy45OTE3Om9hdXRoLWNsaWVudC1zZWNyZXQtZTJl",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_raw(fixtures::OAUTH_V2_ACCESS, "application/json"))
        .expect(1)
        .mount(&slack.api)
        .await;

    let start = slack.http.get(format!("{}/slack/install", slack.server.url)).send().await.unwrap();
    assert_eq!(start.status(), 302);
    let location = url::Url::parse(start.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(location.as_str().split('?').next().unwrap(), "https://slack.com/oauth/v2/authorize");
    let query: std::collections::HashMap<String, String> = location.query_pairs().into_owned().collect();
    assert_eq!(query["client_id"], "4203.9917");
    assert_eq!(query["redirect_uri"], "https://secbot.example.com/slack/oauth/callback");
    assert!(query["scope"].contains("chat:write") && query["scope"].contains("users:read.email"));
    let cookie = start.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();

    let callback = format!("{}/slack/oauth/callback", slack.server.url);
    let forged = slack
        .http
        .get(&callback)
        .query(&[("code", "code-from-slack"), ("state", "1.2.3")])
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    let no_cookie = slack
        .http
        .get(&callback)
        .query(&[("code", "code-from-slack"), ("state", &query["state"])])
        .send()
        .await
        .unwrap();
    assert_eq!(no_cookie.status(), 400);
    let done = slack
        .http
        .get(&callback)
        .query(&[("code", "code-from-slack"), ("state", &query["state"])])
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    assert!(done.text().await.unwrap().contains("secbot is now in Contoso"));
    let saved = slack.server.store.installation("slack", "T0CONTOSO").await.unwrap().expect("stored");
    assert_eq!(saved.token, "xoxb-test-contoso-install");

    slack.event(&fixture(MENTION)).await;
    slack.server.settle().await;
    let requests = slack.api.received_requests().await.unwrap();
    let post = requests.iter().find(|r| r.url.path() == "/api/chat.postMessage").expect("answered");
    assert_eq!(post.headers.get("authorization").unwrap(), "Bearer xoxb-test-contoso-install");
}

/// Runs Slack's own SDK (slack_sdk from PyPI) over what secbot posted; skipped unless it is
/// installed, required when SECBOT_REQUIRE_SCHEMAS=1 (as in CI).
#[tokio::test]
async fn slacks_sdk_accepts_every_message_and_modal_secbot_sent() {
    let python = std::process::Command::new("python3").args(["-c", "import slack_sdk"]).status();
    if !python.is_ok_and(|s| s.success()) {
        assert!(
            std::env::var("SECBOT_REQUIRE_SCHEMAS").as_deref() != Ok("1"),
            "slack_sdk is required: python3 -m pip install slack_sdk==3.48.0"
        );
        eprintln!("skipped: slack_sdk is not installed (python3 -m pip install slack_sdk==3.48.0)");
        return;
    }
    let slack = Slack::start().await;
    let thread = "1795970800.000100";
    let prompts = [
        "show critical risks for publicly exposed resources",
        "summarize our posture for the weekly standup",
        "show attack paths to sensitive data",
        "what's overdue?",
        "explain Secure transfer to storage accounts should be enabled",
        "what can you do?",
    ];
    let mut first = Value::Null;
    for (n, prompt) in prompts.iter().enumerate() {
        let posted = slack.mention(prompt, &format!("17959708{n:02}.000100")).await;
        if n == 0 {
            first = posted;
        }
    }
    slack.say("how do I fix the 2nd one?", thread, "1795970860.000200").await;
    let needs = slack.click_of(&first, "1795971001.000100", "Needs improvement");
    slack.interact(&needs).await;
    slack.server.settle().await;
    let messages: Vec<Value> = slack.calls("chat.postMessage").await;
    let views: Vec<Value> = slack.calls("views.open").await.into_iter().map(|v| v["view"].clone()).collect();
    assert!(messages.len() >= 7 && views.len() == 1);
    let file = std::env::temp_dir().join(format!("secbot-slack-blocks-{}.json", std::process::id()));
    std::fs::write(&file, json!({ "messages": messages, "views": views }).to_string()).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/slack/validate_blocks.py");
    let output = std::process::Command::new("python3").arg(script).arg(&file).output().unwrap();
    let _ = std::fs::remove_file(&file);
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "slack_sdk found problems:\n{report}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(report.contains("0 problems"), "{report}");
}
