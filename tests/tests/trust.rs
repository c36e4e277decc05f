//! The trust boundary, tried as an attacker would: a forged, altered or replayed button, a
//! subject outside the channel's scope, a delegation decided by someone else. Each is refused
//! with nothing leaked, and the legitimate path next to it still works.

use secbot::engine::Policy;
use secbot_chat::{
    Assistant, Click, Command, Feedback, Intent, Outcome, Payload, Platform, Prompt, Rating, Reply,
    ResponseId, Slots, Subject,
};
use secbot_skills::posture::FindingFilter;
use secbot_tests::{Server, engine, engine_on, engine_with, origin};
use serde_json::{Value, json};

/// The demo tenant's AWS account: the scope of the channels below.
const AWS: &str = "491827365012";

fn ask(text: &str, channel: &str, user: &str) -> Prompt {
    let mut origin = origin(Platform::Slack, "t1", user);
    origin.channel = channel.to_owned();
    Prompt { origin, text: text.to_owned(), mentions: vec![] }
}

fn click(payload: &Payload, channel: &str, user: &str) -> Click {
    let mut origin = origin(Platform::Slack, "t1", user);
    origin.channel = channel.to_owned();
    Click { origin, payload: payload.clone() }
}

fn refused(outcome: &Outcome) -> Option<&Reply> {
    match outcome {
        Outcome::Reply(r) if r.skill == "refused" => Some(r),
        _ => None,
    }
}

/// A finding on an Azure resource (outside [`AWS`]): (recommendation key, resource id, resource name).
async fn azure_finding(engine: &secbot::engine::Engine) -> (String, String, String) {
    let page = engine.source().findings(&FindingFilter::default(), 0, 200).await.expect("findings");
    let finding = page
        .items
        .iter()
        .find(|f| f.resource.subscription != AWS && f.resource.id.starts_with("/subscriptions/"))
        .expect("an Azure finding");
    (finding.recommendation.key.clone(), finding.resource.id.clone(), finding.resource.name.clone())
}

#[tokio::test]
async fn forged_web_chat_buttons_reach_nothing_outside_the_scope() {
    let server = Server::start(&[("SECBOT_SCOPE", AWS)]).await;
    let (key, resource, name) = azure_finding(&server.engine).await;
    let http = reqwest::Client::new();
    let post = |path: &str, body: Value| {
        http.post(format!("{}{path}", server.url)).header("x-webchat-user", "mallory").json(&body).send()
    };
    let answer: Value = post("/webchat/messages", json!({"thread": "w1", "text": "show critical risks"}))
        .await
        .expect("the web chat answers")
        .json()
        .await
        .expect("JSON");
    let reply: Reply = serde_json::from_value(answer["reply"].clone()).expect("a reply");
    assert!(!reply.card.items.is_empty(), "the scoped channel sees its own risks");

    // The legitimate path: a button the answer carries.
    let shown = reply.card.items[0].actions[0].payload.clone();
    let legit: Value = post("/webchat/actions", json!({"thread": "w1", "payload": shown}))
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON");
    assert_ne!(legit["reply"]["skill"], "refused", "{legit}");

    let finding = Subject::Finding { recommendation: key, resource: resource.clone() };
    let forged = [
        Command::Run {
            intent: Intent::Remediate,
            subject: Some(finding.clone()),
            slots: Slots::default(),
            offset: 0,
        },
        Command::Run {
            intent: Intent::Explain,
            subject: Some(finding.clone()),
            slots: Slots::default(),
            offset: 0,
        },
        Command::Run {
            intent: Intent::Summarize,
            subject: Some(Subject::Resource { id: resource.clone() }),
            slots: Slots::default(),
            offset: 0,
        },
        Command::Run {
            intent: Intent::Delegate,
            subject: Some(finding.clone()),
            slots: Slots::default(),
            offset: 0,
        },
        Command::Run {
            intent: Intent::AttackPaths,
            subject: Some(Subject::list(vec![finding.clone()])),
            slots: Slots::default(),
            offset: 0,
        },
    ];
    for (n, command) in forged.into_iter().enumerate() {
        // On a real answer's id, and on one secbot never gave.
        for response_id in [reply.response_id.clone(), ResponseId("aaaaaaaaaaaaaaaa".into())] {
            let payload = Payload { response_id, command: command.clone() };
            let response = post("/webchat/actions", json!({"thread": "w1", "payload": payload}))
                .await
                .expect("answered");
            assert!(response.status().is_success());
            let text = response.text().await.expect("a body");
            assert!(text.contains("\"skill\":\"refused\""), "forged button {n}: {text}");
            assert!(!text.contains(&name) && !text.contains(&resource), "forged button {n} leaked: {text}");
        }
    }
}

#[tokio::test]
async fn a_prompt_naming_a_resource_outside_the_scope_is_refused() {
    let mut policy = Policy::default();
    policy.channel_scopes.insert("C-aws".into(), vec![AWS.into()]);
    let (engine, _) = engine_with(policy).await;
    let (_, resource, name) = azure_finding(&engine).await;
    for prompt in [format!("how do I fix {name}?"), format!("explain the risks on {name}")] {
        let reply = engine.answer(ask(&prompt, "C-aws", "ana")).await;
        let text = serde_json::to_string(&reply).expect("serializes");
        assert!(!text.contains(&resource), "{prompt}: {text}");
        assert!(reply.card.items.is_empty() && reply.card.code.is_empty(), "{prompt}: {text}");
        let everywhere = engine.answer(ask(&prompt, "C-all", "ana")).await;
        assert!(
            serde_json::to_string(&everywhere).expect("serializes").contains(&name),
            "an unscoped channel still gets {prompt} answered"
        );
    }
}

#[tokio::test]
async fn a_thread_narrowed_to_a_scope_reaches_nothing_it_showed_before() {
    let (wide, store) = engine().await;
    let list = wide.answer(ask("show critical risks", "C1", "ana")).await;
    let first = list.card.items[0].subtitle.clone().expect("a resource line");
    assert!(!first.contains("contoso-aws"), "the first risk is an Azure one: {first}");
    let fix = list.card.items[0].actions[0].payload.clone();

    let mut policy = Policy::default();
    policy.channel_scopes.insert("C1".into(), vec![AWS.into()]);
    let narrowed = engine_on(store, policy);
    let follow_up = narrowed.answer(ask("how do I fix the 1st one?", "C1", "ana")).await;
    assert_eq!(follow_up.skill, "refused", "{follow_up:?}");
    assert!(follow_up.card.summary.as_deref().unwrap_or_default().contains("outside the subscriptions"));
    assert!(follow_up.card.code.is_empty());
    let pressed = narrowed.act(click(&fix, "C1", "ana")).await;
    let Outcome::Reply(reply) = pressed else { panic!("a reply") };
    assert_eq!(reply.skill, "refused", "the button shown before the scope narrowed: {reply:?}");
}

#[tokio::test]
async fn a_button_acts_only_in_the_channel_it_was_shown_in_and_only_as_shown() {
    let (engine, _) = engine().await;
    let reply = engine.answer(ask("show critical risks for publicly exposed resources", "C1", "ana")).await;
    let button = reply.card.items[0].actions[0].payload.clone();

    let elsewhere = engine.act(click(&button, "C2", "ana")).await;
    let note = refused(&elsewhere).expect("a click replayed in another channel is refused");
    assert!(note.card.title.contains("wasn't shown in this channel"), "{}", note.card.title);

    let mut other_team = click(&button, "C1", "ana");
    other_team.origin.tenant = "T-other".into();
    assert!(refused(&engine.act(other_team).await).is_some(), "or in another workspace");

    let mut altered = button.clone();
    if let Command::Run { offset, .. } = &mut altered.command {
        *offset = 40;
    }
    let note = engine.act(click(&altered, "C1", "ana")).await;
    assert!(
        refused(&note).is_some_and(|r| r.card.title.contains("doesn't match")),
        "an altered payload is refused: {note:?}"
    );

    let here = engine.act(click(&button, "C1", "bob")).await;
    assert!(refused(&here).is_none(), "anyone in the channel may press it there: {here:?}");
}

#[tokio::test]
async fn a_comment_names_only_an_answer_shown_where_it_is_written() {
    let (engine, store) = engine().await;
    let reply = engine.answer(ask("what's overdue?", "C1", "ana")).await;
    let feedback = |channel: &str| {
        let mut origin = origin(Platform::Slack, "t1", "bob");
        origin.channel = channel.to_owned();
        Feedback {
            origin,
            response_id: reply.response_id.clone(),
            rating: Rating::NeedsImprovement,
            comment: "wrong owner".into(),
        }
    };
    let err = engine.comment(feedback("C2")).await.expect_err("another channel's answer");
    assert!(err.to_string().contains("wasn't shown in this channel"), "{err}");
    assert!(store.feedback(&reply.response_id).await.expect("read").is_empty());
    engine.comment(feedback("C1")).await.expect("its own channel's answer");
    assert_eq!(store.feedback(&reply.response_id).await.expect("read").len(), 1);
}

#[tokio::test]
async fn the_web_chat_shows_the_ratings_of_its_own_answers_only() {
    let server = Server::start(&[]).await;
    let http = reqwest::Client::new();
    let ratings_of = |id: String| {
        http.get(format!("{}/webchat/feedback/{id}", server.url)).header("x-webchat-user", "mallory").send()
    };
    let mine: Value = http
        .post(format!("{}/webchat/messages", server.url))
        .header("x-webchat-user", "mallory")
        .json(&json!({"thread": "w1", "text": "what's overdue?"}))
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON");
    let own =
        ratings_of(mine["reply"]["response_id"].as_str().expect("an id").to_owned()).await.expect("answered");
    assert_eq!(own.status(), 200);
    let slack = server.engine.answer(ask("what's overdue?", "C1", "ana")).await;
    server
        .engine
        .comment(Feedback {
            origin: origin(Platform::Slack, "t1", "ana"),
            response_id: slack.response_id.clone(),
            rating: Rating::NeedsImprovement,
            comment: "private words".into(),
        })
        .await
        .expect("stored");
    let other = ratings_of(slack.response_id.0.clone()).await.expect("answered");
    assert_eq!(other.status(), 403);
    assert!(!other.text().await.expect("a body").contains("private words"));
}

async fn proposal(engine: &secbot::engine::Engine) -> Payload {
    engine.answer(ask("Show critical risks to sensitive data", "C1", "ana")).await;
    let proposal = engine.answer(ask("assign the 1st one to @dana by Friday", "C1", "ana")).await;
    proposal
        .card
        .buttons()
        .find(|a| matches!(a.payload.command, Command::Confirm { .. }))
        .expect("a Confirm button")
        .payload
        .clone()
}

#[tokio::test]
async fn only_the_asker_or_an_approver_decides_a_delegation() {
    let (engine, store) = engine().await;
    let confirm = proposal(&engine).await;
    let by_bob = engine.act(click(&confirm, "C1", "bob")).await;
    let note = refused(&by_bob).expect("a bystander cannot confirm");
    assert!(note.card.title.starts_with("Only ana (who asked for this assignment)"), "{}", note.card.title);
    assert!(store.delegations().await.expect("read").is_empty(), "nothing was recorded");
    let by_ana = engine.act(click(&confirm, "C1", "ana")).await;
    assert!(matches!(by_ana, Outcome::Replace(_)), "the asker confirms: {by_ana:?}");
    assert_eq!(store.delegations().await.expect("read").len(), 1);

    let policy = Policy { approvers: vec!["carol".into()], ..Policy::default() };
    let (engine, store) = engine_with(policy).await;
    let confirm = proposal(&engine).await;
    let by_carol = engine.act(click(&confirm, "C1", "carol")).await;
    assert!(matches!(by_carol, Outcome::Replace(_)), "an approver confirms: {by_carol:?}");
    assert_eq!(store.delegations().await.expect("read").len(), 1);

    // A channel's own approvers, named by a role the platform says the clicker has.
    let mut policy = Policy::default();
    policy.channel_approvers.insert("C1".into(), vec!["1100000000000000004".into()]);
    let (engine, store) = engine_with(policy).await;
    let confirm = proposal(&engine).await;
    let mut without_role = click(&confirm, "C1", "erin");
    without_role.origin.roles = vec!["1100000000000000009".into()];
    assert!(refused(&engine.act(without_role).await).is_some(), "another role is not enough");
    let mut with_role = click(&confirm, "C1", "erin");
    with_role.origin.roles = vec!["1100000000000000004".into()];
    let decided = engine.act(with_role).await;
    assert!(matches!(decided, Outcome::Replace(_)), "the channel's approver role confirms: {decided:?}");
    assert_eq!(store.delegations().await.expect("read").len(), 1);
}
