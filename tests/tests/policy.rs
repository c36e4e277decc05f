//! Usage budgets and channel scopes, through the engine every platform uses.

use secbot::engine::Policy;
use secbot::store::Limits;
use secbot_chat::{Assistant, Platform, Prompt};
use secbot_tests::{engine_with, origin};

fn ask(text: &str, channel: &str) -> Prompt {
    let mut origin = origin(Platform::Slack, "t1", "ana");
    origin.channel = channel.to_owned();
    Prompt { origin, text: text.to_owned(), mentions: vec![] }
}

#[tokio::test]
async fn replies_warn_at_80_percent_and_stop_at_the_budget() {
    let policy = Policy {
        limits: Limits { hour: 5, month: 1_000, channel_hour: None },
        capacity_owner: Some("Priya Nair".into()),
        ..Policy::default()
    };
    let (engine, store) = engine_with(policy).await;
    let first = engine.answer(ask("show critical risks to sensitive data", "C1")).await;
    assert!(first.card.notices.iter().all(|n| !n.contains("compute budget")), "{:?}", first.card.notices);
    let second = engine.answer(ask("show critical risks to sensitive data", "C1")).await;
    assert!(
        second.card.notices.iter().any(|n| n.contains("used 80% of its compute budget (4 of 5 units)")),
        "{:?}",
        second.card.notices
    );
    let third = engine.answer(ask("show critical risks to sensitive data", "C1")).await;
    assert_eq!(third.card.title, "Usage limit reached");
    let summary = third.card.summary.clone().unwrap();
    assert!(
        summary.contains("4 of its 5 compute units")
            && summary.contains("resets at")
            && summary.contains("Priya Nair can raise it"),
        "{summary}"
    );
    assert!(third.card.items.is_empty(), "the prompt was not run");
    assert!(third.card.footer.is_some(), "even a refusal can be rated");
    let help = engine.answer(ask("what can you do?", "C1")).await;
    assert_eq!(help.skill, "help", "free skills still answer");
    let usage = store.usage(origin(Platform::Slack, "t1", "ana").time).await.unwrap();
    let hour: u64 = usage.iter().filter(|r| r.period.starts_with("h:")).map(|r| r.units).sum();
    assert_eq!(hour, 4, "usage equals the cost of the prompts that ran");
}

#[tokio::test]
async fn a_channel_sees_only_the_subscriptions_it_is_scoped_to() {
    let mut policy = Policy::default();
    policy.channel_scopes.insert("C-aws".into(), vec!["491827365012".into()]);
    let (engine, _) = engine_with(policy).await;
    let scoped = engine.answer(ask("show critical risks for publicly exposed resources", "C-aws")).await;
    assert!(!scoped.card.items.is_empty());
    for item in &scoped.card.items {
        assert!(
            item.subtitle.as_deref().unwrap_or_default().contains("contoso-aws-prod"),
            "{:?}",
            item.subtitle
        );
    }
    let other = engine.answer(ask("show critical risks for publicly exposed resources", "C-general")).await;
    assert!(
        other.card.items.iter().any(|i| !i
            .subtitle
            .as_deref()
            .unwrap_or_default()
            .contains("contoso-aws-prod"))
    );
    let named = engine.answer(ask("show risks on vm-web-01", "C-aws")).await;
    assert_eq!(named.card.title, "Nothing by that name", "a resource outside the scope is not found");
}
