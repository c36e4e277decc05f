//! Conversations that go on without mentioning secbot: in a thread it answers in, it replies to
//! what clearly asks it and stays out of the people's own talk; and a context follows a reply
//! that became a thread's root.

use secbot_chat::{Assistant, Platform, Prompt, ThreadKey};
use secbot_tests::{engine, origin};

fn prompt(thread: &str, text: &str) -> Prompt {
    Prompt { origin: origin(Platform::Slack, thread, "raj"), text: text.to_owned(), mentions: vec![] }
}

#[tokio::test]
async fn in_a_thread_secbot_answers_follow_ups_and_ignores_chatter() {
    let (engine, _) = engine().await;
    assert!(
        engine.overheard(prompt("t1", "how do I fix the 2nd one?")).await.is_none(),
        "a thread secbot never answered in is not its business"
    );
    engine.answer(prompt("t1", "show critical risks for publicly exposed resources")).await;
    for chatter in
        ["thanks!", "ok I'll take a look after lunch", "lol", "can someone check the storage account?"]
    {
        assert!(engine.overheard(prompt("t1", chatter)).await.is_none(), "{chatter}");
    }
    let fix =
        engine.overheard(prompt("t1", "how do I fix the 2nd one?")).await.expect("a follow-up is answered");
    assert_eq!(fix.skill, "remediate");
    let narrowed =
        engine.overheard(prompt("t1", "what about the high ones")).await.expect("a refinement is answered");
    assert_eq!(narrowed.skill, "list_risks");
}

#[tokio::test]
async fn a_context_follows_the_reply_into_its_new_thread() {
    let (engine, _) = engine().await;
    let mut top = prompt("unused", "show critical risks for publicly exposed resources");
    top.origin.thread = None;
    let from = top.origin.thread_key();
    let listed = engine.answer(top).await;
    let to = ThreadKey { thread: "1795970801.000150".to_owned(), ..from.clone() };
    engine.continue_thread(&from, &to).await.unwrap();
    let fix = engine.answer(prompt("1795970801.000150", "how do I fix the 1st one?")).await;
    assert_eq!(fix.skill, "remediate");
    let first = listed.card.items[0].title.clone();
    assert!(fix.card.title.contains(&first), "{} should be about {first}", fix.card.title);
}

#[tokio::test]
async fn a_message_secbot_cannot_read_leaves_the_thread_as_it_was() {
    let (engine, _) = engine().await;
    let listed = engine.answer(prompt("t2", "show critical risks for publicly exposed resources")).await;
    let fix = engine.answer(prompt("t2", "how do I fix the 2nd one?")).await;
    assert_eq!(fix.skill, "remediate");
    for unreadable in ["   ", "\u{0}\u{1}\u{2}\u{3}\u{4}\u{5}\u{6}\u{7}"] {
        let reply = engine.answer(prompt("t2", unreadable)).await;
        assert_eq!(reply.skill, "input", "{unreadable:?}");
    }
    // "And the 3rd?" asks what was asked last, of another item: still a fix.
    let next = engine.answer(prompt("t2", "and the 3rd?")).await;
    assert_eq!(next.skill, "remediate");
    let third = listed.card.items[2].title.clone();
    assert!(next.card.title.contains(&third), "{} should be about {third}", next.card.title);
}
