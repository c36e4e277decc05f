//! Discord end to end: signed interactions posted to the real endpoint over HTTP, answered by
//! the engine over the demo tenant, with a mock standing in for Discord's API.

use std::sync::Arc;
use std::time::Duration;

use ed25519_dalek::{Signer, SigningKey};
use secbot::engine::Engine;
use secbot::store::Store;
use secbot_chat::{Assistant, Outcome, Payload, Platform, Rating, ResponseId};
use secbot_discord::limits::violations;
use secbot_tests::{Server, engine, press_every_button, snowflake};
use serde_json::{Value, json};
use time::OffsetDateTime;
use tokio_util::task::TaskTracker;
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const APP: &str = "1200000000000000009";
const GUILD: &str = "1200000000000000001";
const CHANNEL: &str = "1200000000000000002";
/// The id Discord gives every message the mock creates; a thread started from it has it too.
const MESSAGE: &str = "1200000000000000050";
const OWNER: &str = "1200000000000000077";

fn channel() -> Value {
    json!({"id": CHANNEL, "type": 0, "guild_id": GUILD, "name": "cloud-security", "parent_id": null})
}

fn thread() -> Value {
    json!({"id": MESSAGE, "type": 11, "guild_id": GUILD, "parent_id": CHANNEL, "name": "Resources"})
}

fn member(user: &str) -> Value {
    json!({
        "nick": null,
        "roles": [],
        "permissions": "2251799813685247",
        "user": {"id": user, "username": format!("user.{user}"), "global_name": "Ana Lopez", "discriminator": "0"},
    })
}

/// An interaction of `kind` with `data`, in `channel`, by `user`.
fn interaction(n: u64, kind: u8, channel: Value, user: &str, data: Value) -> Value {
    json!({
        "id": snowflake(n),
        "application_id": APP,
        "type": kind,
        "token": format!("token-{n}"),
        "version": 1,
        "guild_id": GUILD,
        "channel_id": channel["id"],
        "channel": channel,
        "member": member(user),
        "locale": "en-US",
        "app_permissions": "2248473465835073",
        "entitlements": [],
        "attachment_size_limit": 10485760,
        "data": data,
    })
}

fn ask(n: u64, channel: Value, prompt: &str) -> Value {
    let data = json!({
        "id": "1200000000000000010",
        "name": "secbot",
        "type": 1,
        "options": [{"name": "ask", "type": 1, "options": [{"name": "prompt", "type": 3, "value": prompt}]}],
    });
    interaction(n, 2, channel, "1200000000000000005", data)
}

fn press(n: u64, channel: Value, user: &str, custom_id: &str) -> Value {
    let mut click =
        interaction(n, 3, channel, user, json!({"component_type": 2, "custom_id": custom_id, "id": 7}));
    click["message"] = json!({"id": MESSAGE, "channel_id": CHANNEL, "content": "", "embeds": [], "type": 20});
    click
}

fn submit(n: u64, user: &str, custom_id: &str, comment: &str) -> Value {
    let data = json!({
        "custom_id": custom_id,
        "components": [{"type": 1, "components": [{"type": 4, "custom_id": "comment", "value": comment}]}],
    });
    let mut modal = interaction(n, 5, channel(), user, data);
    modal["message"] = json!({"id": MESSAGE, "channel_id": CHANNEL});
    modal
}

struct Discord {
    url: String,
    api: MockServer,
    tasks: TaskTracker,
    engine: Arc<Engine>,
    store: Arc<dyn Store>,
    http: reqwest::Client,
    key: SigningKey,
}

impl Discord {
    async fn start() -> Discord {
        Discord::start_with(&[]).await
    }

    async fn start_with(extra: &[(&str, &str)]) -> Discord {
        let api = MockServer::start().await;
        for (verb, route) in [
            ("PATCH", format!(r"^/webhooks/{APP}/[^/]+/messages/@original$")),
            ("POST", format!(r"^/webhooks/{APP}/[^/]+$")),
            ("POST", r"^/channels/\d+/messages/\d+/threads$".to_owned()),
        ] {
            Mock::given(method(verb))
                .and(path_regex(route))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": MESSAGE})))
                .mount(&api)
                .await;
        }
        let key = SigningKey::from_bytes(&[23; 32]);
        // Configured as `secbot serve` is: SECBOT_DISCORD_* settings.
        let public_key = hex::encode(key.verifying_key().to_bytes());
        let api_url = api.uri();
        let mut settings = vec![
            ("SECBOT_DISCORD_PUBLIC_KEY", public_key.as_str()),
            ("SECBOT_DISCORD_APP_ID", APP),
            ("SECBOT_DISCORD_BOT_TOKEN", "bot-token"),
            ("SECBOT_DISCORD_API_URL", &api_url),
        ];
        settings.extend_from_slice(extra);
        let server = Server::start(&settings).await;
        let url = format!("{}/discord/interactions", server.url);
        let (tasks, engine, store) = (server.tasks.clone(), server.engine.clone(), server.store.clone());
        Discord { url, api, tasks, engine, store, http: reqwest::Client::new(), key }
    }

    async fn post(&self, body: &Value) -> Value {
        let (status, answer) =
            self.post_signed(body, &self.key, OffsetDateTime::now_utc().unix_timestamp()).await;
        assert_eq!(status, 200, "{answer}");
        serde_json::from_str(&answer).unwrap()
    }

    async fn post_signed(&self, body: &Value, key: &SigningKey, at: i64) -> (u16, String) {
        let body = body.to_string();
        let signature = key.sign(format!("{at}{body}").as_bytes());
        let response = self
            .http
            .post(&self.url)
            .header("x-signature-ed25519", hex::encode(signature.to_bytes()))
            .header("x-signature-timestamp", at.to_string())
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// Waits for the work done after the HTTP answers.
    async fn settle(&self) {
        self.tasks.close();
        self.tasks.wait().await;
        self.tasks.reopen();
    }

    /// The calls Discord's API received: method, path and JSON body.
    async fn calls(&self) -> Vec<(String, String, Value)> {
        let requests = self.api.received_requests().await.unwrap();
        requests
            .into_iter()
            .map(|r| {
                let body = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
                (r.method.to_string(), r.url.path().to_owned(), body)
            })
            .collect()
    }

    async fn edits(&self) -> Vec<Value> {
        self.calls().await.into_iter().filter(|(m, _, _)| m == "PATCH").map(|(_, _, body)| body).collect()
    }
}

/// Every string the embeds show, joined.
fn shown(message: &Value) -> String {
    let mut out = String::new();
    for embed in message["embeds"].as_array().into_iter().flatten() {
        for part in [&embed["title"], &embed["description"], &embed["footer"]["text"]] {
            out.push_str(part.as_str().unwrap_or_default());
            out.push('\n');
        }
        for field in embed["fields"].as_array().into_iter().flatten() {
            out.push_str(&format!(
                "{}\n{}\n",
                field["name"].as_str().unwrap(),
                field["value"].as_str().unwrap()
            ));
        }
    }
    out
}

fn button(message: &Value, label: &str) -> String {
    message["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .find(|b| b["label"] == label)
        .and_then(|b| b["custom_id"].as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("no {label:?} button in {}", message["components"]))
}

fn response_id(custom_id: &str) -> ResponseId {
    Payload::decode(custom_id.strip_prefix("p:").unwrap()).unwrap().response_id
}

#[tokio::test]
async fn ping_is_answered_and_a_forged_request_gets_401_and_nothing_else() {
    let discord = Discord::start().await;
    let ping = json!({"id": snowflake(1), "application_id": APP, "type": 1, "token": "t", "version": 1});
    assert_eq!(discord.post(&ping).await, json!({"type": 1}));

    let command = ask(2, channel(), "Show resources with high severity vulnerabilities");
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let forger = SigningKey::from_bytes(&[24; 32]);
    for (key, at) in [(&forger, now), (&discord.key, now - 600), (&discord.key, now + 600)] {
        let (status, body) = discord.post_signed(&command, key, at).await;
        assert_eq!((status, body.as_str()), (401, ""));
    }
    discord.settle().await;
    assert!(discord.calls().await.is_empty(), "no call to Discord");
    let id = snowflake(2);
    assert!(
        discord.engine.claim(Platform::Discord, &id).await.unwrap(),
        "the forged interaction was never claimed"
    );
}

#[tokio::test]
async fn a_server_off_the_allow_list_gets_a_refusal_and_nothing_else() {
    let discord = Discord::start_with(&[("SECBOT_DISCORD_ALLOWED_GUILDS", GUILD)]).await;
    let mut foreign = ask(1, channel(), "Show critical risks to sensitive data");
    foreign["guild_id"] = json!("1000000000000000099");
    let mut direct = ask(2, channel(), "Show critical risks to sensitive data");
    direct.as_object_mut().unwrap().remove("guild_id");
    for refused in [foreign, direct] {
        let answer = discord.post(&refused).await;
        assert_eq!(answer["type"], 4, "{answer}");
        assert_eq!(answer["data"]["flags"], 64, "only the asker sees it: {answer}");
        assert!(answer["data"]["content"].as_str().unwrap_or_default().contains("doesn't serve this server"));
    }
    discord.settle().await;
    assert!(discord.calls().await.is_empty(), "nothing was answered or posted");
    let answer = discord.post(&ask(3, channel(), "Show critical risks to sensitive data")).await;
    assert_eq!(answer, json!({"type": 5}), "an allowed server is answered");
}

#[tokio::test]
async fn a_list_is_edited_in_and_its_thread_carries_the_follow_ups() {
    let discord = Discord::start().await;
    let answer = discord.post(&ask(1, channel(), "Show resources with high severity vulnerabilities")).await;
    assert_eq!(answer, json!({"type": 5}));
    discord.settle().await;

    let calls = discord.calls().await;
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(
        (calls[0].0.as_str(), calls[0].1.as_str()),
        ("PATCH", format!("/webhooks/{APP}/token-1/messages/@original").as_str())
    );
    let list = &calls[0].2;
    assert!(violations(list).is_empty(), "{:?}", violations(list));
    let text = shown(list);
    assert!(text.contains("Resources with high severity vulnerabilities"), "{text}");
    assert!(text.contains("checkout-api:1.14.2"), "{text}");
    assert!(text.contains("CVE-2023-45288"), "{text}");
    assert_eq!(list["allowed_mentions"]["parse"], json!([]));
    assert_eq!(calls[1].1, format!("/channels/{CHANNEL}/messages/{MESSAGE}/threads"));
    assert_eq!(calls[1].2["name"], "Resources with high severity vulnerabilities");

    discord.post(&ask(2, thread(), "how do I fix the 2nd one?")).await;
    discord.settle().await;
    let edits = discord.edits().await;
    assert_eq!(edits.len(), 2);
    let fix = shown(&edits[1]);
    assert!(fix.contains("payments-svc:0.9.4"), "the 2nd item of the list: {fix}");
    assert!(violations(&edits[1]).is_empty());
}

#[tokio::test]
async fn remediate_on_an_item_answers_with_that_items_fix() {
    let discord = Discord::start().await;
    discord.post(&ask(1, channel(), "Show resources with high severity vulnerabilities")).await;
    discord.settle().await;
    let list = discord.edits().await.remove(0);
    let remediate = button(&list, "4. Remediate");

    let answer = discord.post(&press(2, channel(), "1200000000000000005", &remediate)).await;
    assert_eq!(answer["type"], 4);
    let fix = &answer["data"];
    assert!(violations(fix).is_empty(), "{:?}", violations(fix));
    let text = shown(fix);
    assert!(text.contains("checkout-api:1.14.2"), "{text}");
    assert!(text.contains("```"), "the fix has a script: {text}");
}

#[tokio::test]
async fn ratings_and_comments_are_stored_before_the_answer() {
    let discord = Discord::start().await;
    discord.post(&ask(1, channel(), "Show resources with high severity vulnerabilities")).await;
    discord.settle().await;
    let list = discord.edits().await.remove(0);
    let looks_right = button(&list, "Looks right");
    let response = response_id(&looks_right);

    let thanks = discord.post(&press(2, channel(), "1200000000000000005", &looks_right)).await;
    assert_eq!((thanks["type"].clone(), thanks["data"]["flags"].clone()), (json!(4), json!(64)));
    let stored = discord.store.feedback(&response).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].rating, Rating::LooksRight);

    let needs_work = button(&list, "Needs improvement");
    let modal = discord.post(&press(3, channel(), "1200000000000000006", &needs_work)).await;
    assert_eq!(modal["type"], 9);
    let modal_id = modal["data"]["custom_id"].as_str().unwrap().to_owned();
    let saved =
        discord.post(&submit(4, "1200000000000000006", &modal_id, "It missed the base image's CVEs.")).await;
    assert_eq!((saved["type"].clone(), saved["data"]["flags"].clone()), (json!(4), json!(64)));
    let ratings = discord.store.feedback(&response).await.unwrap();
    let comment =
        ratings.iter().find(|f| f.rating == Rating::NeedsImprovement).expect("the comment is stored");
    assert_eq!(comment.comment, "It missed the base image's CVEs.");
    assert_eq!(comment.origin.user.id, "1200000000000000006");
    assert_eq!(comment.origin.platform, Platform::Discord);
}

#[tokio::test]
async fn the_same_interaction_delivered_twice_is_processed_once() {
    let discord = Discord::start().await;
    let command = ask(1, channel(), "Show resources with high severity vulnerabilities");
    assert_eq!(discord.post(&command).await, json!({"type": 5}));
    assert_eq!(discord.post(&command).await, json!({"type": 5}));
    discord.settle().await;
    assert_eq!(discord.edits().await.len(), 1, "one answer");

    let list = discord.edits().await.remove(0);
    let looks_right = button(&list, "Looks right");
    let click = press(2, channel(), "1200000000000000005", &looks_right);
    assert_eq!(discord.post(&click).await["type"], 4);
    assert_eq!(discord.post(&click).await, json!({"type": 6}), "acknowledged, nothing done");
    assert_eq!(discord.store.feedback(&response_id(&looks_right)).await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_answer_discord_fails_to_take_is_edited_in_once_it_recovers() {
    let discord = Discord::start().await;
    // Discord answers 503 to the first six edits: the client's own retries (five) and the
    // queue's first attempt fail, the queue's next attempt lands.
    Mock::given(method("PATCH"))
        .and(path_regex(format!(r"^/webhooks/{APP}/[^/]+/messages/@original$")))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(6)
        .with_priority(1)
        .mount(&discord.api)
        .await;
    let command = ask(1, channel(), "summarize our posture");
    assert_eq!(discord.post(&command).await, json!({"type": 5}), "acknowledged once stored");
    let mut edits = 0;
    for _ in 0..300 {
        edits = discord.edits().await.len();
        if edits >= 7 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let all = discord.edits().await;
    assert!(all.len() >= 7, "six refused, then the answer: {edits}");
    // Editing the original answer is idempotent: whatever went out after the refusals is the
    // same card (a CI run once saw it edited in twice).
    let accepted = &all[6..];
    assert!(accepted.iter().all(|e| e == &accepted[0]), "one answer, however often it was edited in");
    assert!(accepted.len() <= 2, "not sent again and again: {}", all.len());
    let last = all.last().unwrap();
    assert!(!shown(last).is_empty(), "the card, not a note: {last}");
    assert!(shown(last).to_lowercase().contains("posture"), "{}", shown(last));
}

#[tokio::test]
async fn delegating_to_a_mentioned_member_confirms_and_pings_only_them() {
    let discord = Discord::start().await;
    discord.post(&ask(1, channel(), "Show resources with high severity vulnerabilities")).await;
    discord.settle().await;
    let mut assign = ask(2, thread(), &format!("assign the 1st one to <@{OWNER}> by Friday"));
    assign["data"]["resolved"] = json!({
        "users": {OWNER: {"id": OWNER, "username": "dana.w", "global_name": "Dana Wright", "discriminator": "0"}},
        "members": {OWNER: {"nick": null, "roles": [], "permissions": "0"}},
    });
    discord.post(&assign).await;
    discord.settle().await;
    let proposal = discord.edits().await.remove(1);
    let text = shown(&proposal);
    assert!(text.contains("dana.w") && text.contains("nginx-ingress:1.9.4"), "{text}");

    let confirm = button(&proposal, "Confirm");
    let confirmed = discord.post(&press(3, thread(), "1200000000000000005", &confirm)).await;
    assert_eq!(confirmed["type"], 7, "the card is updated in place");
    assert!(violations(&confirmed["data"]).is_empty());
    discord.settle().await;
    let calls = discord.calls().await;
    let (_, route, notice) = calls.last().unwrap();
    assert_eq!(route, &format!("/webhooks/{APP}/token-3"));
    assert!(notice["content"].as_str().unwrap().starts_with(&format!("<@{OWNER}> ")), "{notice}");
    assert_eq!(notice["allowed_mentions"], json!({"parse": [], "users": [OWNER], "roles": []}));
    assert!(violations(notice).is_empty());
}

#[tokio::test]
async fn every_card_from_the_skills_fits_discord() {
    const PROMPTS: [&str; 15] = [
        "Show critical risks for publicly exposed resources",
        "Show critical risks to sensitive data",
        "Show resources with high severity vulnerabilities",
        "summarize our posture for the weekly standup",
        "what's overdue?",
        "show attack paths to sensitive data",
        "which single fix breaks the most attack paths?",
        "explain Secure transfer to storage accounts should be enabled",
        "how do I fix kv-payments-prod",
        "Terraform to fix vm-sql-01",
        "attack paths in gcp",
        "show open security alerts",
        "what can you do?",
        "write a haiku about kubernetes",
        "@here <!channel> ask <@U0BADBAD> https://evil.example/login",
    ];
    let (engine, _) = engine().await;
    let mut cards = 0;
    for (n, text) in PROMPTS.iter().enumerate() {
        let (reply, outcomes) = press_every_button(&engine, Platform::Discord, &format!("t{n}"), text).await;
        let mut replies = vec![reply];
        for (_, outcome) in outcomes {
            if let Outcome::Reply(r) | Outcome::Replace(r) = outcome {
                replies.push(r);
            }
        }
        for reply in replies {
            let message = secbot_discord::message(&reply);
            let broken = violations(&message);
            assert!(broken.is_empty(), "{text} → {}: {broken:?}", reply.card.title);
            let lower = shown(&message).to_lowercase();
            assert!(!lower.contains("@here") && !lower.contains("<@u0badbad>"), "{text}: {lower}");
            let buttons = message["components"].as_array().map_or(0, |rows| {
                rows.iter().map(|r| r["components"].as_array().map_or(0, Vec::len)).sum::<usize>()
            });
            let wanted = reply.card.buttons().count() + reply.card.links.len();
            let said = shown(&message);
            assert!(
                buttons == wanted || said.contains("left out") || said.contains("Not shown here"),
                "{text}: {buttons} of {wanted} buttons, silently"
            );
            cards += 1;
        }
    }
    assert!(cards > 60, "checked {cards} cards");
}
