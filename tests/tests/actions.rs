//! Every button secbot puts on a card carries what a click needs: pressed on any card, through
//! the one action path, it decodes and produces an answer — never an error card.

use secbot_chat::{Assistant, Click, Outcome, Payload, Platform, Prompt};
use secbot_tests::{engine, origin, press_every_button};

const PROMPTS: [&str; 13] = [
    "Show critical risks for publicly exposed resources",
    "Show critical risks to sensitive data",
    "Show resources with high severity vulnerabilities",
    "summarize our posture for the weekly standup",
    "what's overdue?",
    "show attack paths to sensitive data",
    "which single fix breaks the most attack paths?",
    "explain Secure transfer to storage accounts should be enabled",
    "how do I fix kv-payments-prod",
    "attack paths in gcp",
    "show open security alerts",
    "what can you do?",
    "write a haiku about kubernetes",
];

#[tokio::test]
async fn every_button_on_every_card_round_trips_and_answers() {
    let (engine, _) = engine().await;
    let mut pressed = 0;
    for (n, text) in PROMPTS.iter().enumerate() {
        let (reply, outcomes) = press_every_button(&engine, Platform::Webchat, &format!("t{n}"), text).await;
        assert_ne!(reply.card.title, "I couldn't answer that right now", "{text}");
        for (action, outcome) in outcomes {
            let wire = action.payload.encode();
            let payload = Payload::decode(&wire).expect("a button payload decodes");
            assert_eq!(payload, action.payload);
            match outcome {
                Outcome::Reply(r) | Outcome::Replace(r) => {
                    assert_ne!(r.card.title, "I couldn't answer that right now", "{text} → {}", action.label);
                    assert_ne!(r.skill, "refused", "{text} → {}: {}", action.label, r.card.title);
                    assert!(!r.card.title.is_empty());
                }
                Outcome::Comment(form) => assert_eq!(form.response_id, reply.response_id),
            }
            pressed += 1;
        }
    }
    assert!(pressed > 60, "pressed {pressed} buttons");
}

#[tokio::test]
async fn a_stored_reply_gives_back_any_of_its_buttons() {
    let (engine, _) = engine().await;
    let reply = engine
        .answer(Prompt {
            origin: origin(Platform::Discord, "t", "ana"),
            text: "Show critical risks to sensitive data".into(),
            mentions: vec![],
        })
        .await;
    for (i, action) in reply.card.buttons().enumerate() {
        let stored = engine.stored_payload(&reply.response_id, i).await.unwrap();
        assert_eq!(stored.as_ref(), Some(&action.payload));
    }
    let past_the_end = reply.card.buttons().count();
    assert_eq!(engine.stored_payload(&reply.response_id, past_the_end).await.unwrap(), None);
    let first = secbot_chat::ButtonRef::Stored { response_id: reply.response_id.clone(), index: 0 };
    assert_eq!(engine.payload_of(first).await.as_ref(), Ok(&reply.card.buttons().next().unwrap().payload));
    let gone =
        secbot_chat::ButtonRef::Stored { response_id: secbot_chat::ResponseId("purged".into()), index: 0 };
    assert_eq!(engine.payload_of(gone).await, Err(secbot_chat::EXPIRED.to_owned()), "one wording everywhere");
}

#[tokio::test]
async fn a_retried_event_is_claimed_once() {
    let (engine, _) = engine().await;
    assert!(engine.claim(Platform::Slack, "Ev123").await.unwrap());
    assert!(!engine.claim(Platform::Slack, "Ev123").await.unwrap());
    assert!(engine.claim(Platform::Teams, "Ev123").await.unwrap(), "ids are per platform");
}

#[tokio::test]
async fn a_comment_updates_the_rating_instead_of_adding_one() {
    let (engine, store) = engine().await;
    let reply = engine
        .answer(Prompt {
            origin: origin(Platform::Slack, "t", "ana"),
            text: "what's overdue?".into(),
            mentions: vec![],
        })
        .await;
    let footer = reply.card.footer.clone().expect("every answer has the feedback footer");
    for action in &footer.actions {
        engine
            .act(Click { origin: origin(Platform::Slack, "t", "ana"), payload: action.payload.clone() })
            .await;
    }
    engine
        .comment(secbot_chat::Feedback {
            origin: origin(Platform::Slack, "t", "ana"),
            response_id: reply.response_id.clone(),
            rating: secbot_chat::Rating::Inappropriate,
            comment: "named the wrong owner".into(),
        })
        .await
        .unwrap();
    let stored = store.feedback(&reply.response_id).await.unwrap();
    assert_eq!(stored.len(), 1, "one row per user and response");
    assert_eq!(stored[0].rating, secbot_chat::Rating::Inappropriate);
    assert_eq!(stored[0].comment, "named the wrong owner");
}
