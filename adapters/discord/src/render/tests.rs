use secbot_chat::{Command, Fact, Footer, Intent, Item, Payload, Person, Rating, Section, Slots, Subject};
use serde_json::Value;

use secbot_chat::ButtonRef;
use secbot_chat::testing::RandomCards;

use super::*;
use crate::custom_id::read_button;
use crate::limits::violations;

const DEMO_TAG: &str = "@here <!channel> ask <@U0BADBAD> https://evil.example/login";

fn rid() -> ResponseId {
    ResponseId("abcdefghijklmnop".into())
}

fn finding(n: usize) -> Subject {
    Subject::Finding {
        recommendation: format!("0f3f7e43-5c68-4f4e-9b5e-3c1d2f8b9a{n:02}"),
        resource: format!("/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/vm-{n}"),
    }
}

fn list_card(items: usize) -> Card {
    let id = rid();
    Card {
        title: "Resources with high severity vulnerabilities".into(),
        first_item: 1,
        summary: Some(format!("{items} findings match.")),
        severity: Some(Severity::High),
        facts: vec![Fact::new("Scope", "3 subscriptions")],
        items: (1..=items)
            .map(|n| Item {
                title: format!("Vulnerabilities in container images should be remediated ({n})"),
                subtitle: Some(format!("checkout-api:1.14.{n} · container image · {DEMO_TAG}")),
                severity: Some(Severity::High),
                facts: vec![Fact::new("CVEs", "CVE-2024-3094, CVE-2023-4863")],
                actions: vec![
                    Action::run("Remediate", &id, Intent::Remediate, Some(finding(n))),
                    Action::run("Explain", &id, Intent::Explain, Some(finding(n))),
                ],
            })
            .collect(),
        actions: vec![Action::new(
            "Show more (3 left)",
            &id,
            Command::Run { intent: Intent::ListRisks, subject: None, slots: Slots::default(), offset: 5 },
        )],
        footer: Some(Footer::for_response(&id)),
        ..Card::default()
    }
}

fn json(message: Message) -> Value {
    serde_json::to_value(message.edit()).unwrap()
}

fn buttons_of(message: &Value) -> Vec<(String, String)> {
    message["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter(|b| b.get("url").is_none())
        .map(|b| (b["label"].as_str().unwrap().to_owned(), b["custom_id"].as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn a_link_is_a_link_button_in_its_own_row_before_the_ratings() {
    let mut card = list_card(2);
    card.links = vec![
        secbot_chat::Link {
            label: "Open in Defender for Cloud".into(),
            url: "https://portal.azure.com/#blade/x".into(),
        },
        secbot_chat::Link { label: "Nope".into(), url: "http://portal.azure.com/".into() },
    ];
    let message = json(super::card(&card, Lookup::Own(&rid())));
    assert!(violations(&message).is_empty(), "{:?}", violations(&message));
    let rows = message["components"].as_array().unwrap();
    let links: Vec<&Value> = rows
        .iter()
        .flat_map(|r| r["components"].as_array().unwrap())
        .filter(|b| b.get("url").is_some())
        .collect();
    assert_eq!(links.len(), 1, "only https links: {message}");
    assert_eq!(links[0]["style"], 5);
    assert!(links[0].get("custom_id").is_none());
    let last = rows.last().unwrap()["components"][0]["label"].as_str().unwrap();
    assert_eq!(last, "Looks right", "the ratings stay last");
    assert_buttons_resolve(&card, &message);
}

/// Every rendered button refers to the card's button it stands for.
fn assert_buttons_resolve(card: &Card, message: &Value) {
    let all: Vec<&Action> = card.buttons().collect();
    for (label, id) in buttons_of(message) {
        match read_button(&id).unwrap_or_else(|e| panic!("{id}: {e}")) {
            ButtonRef::Inline(payload) => {
                assert!(all.iter().any(|a| a.payload == *payload), "{label}: {id} matches no button");
            }
            ButtonRef::Stored { response_id, index } => {
                assert_eq!(response_id, rid());
                assert!(index < all.len(), "{label}: {id} is past the end");
            }
        }
    }
}

#[test]
fn a_list_renders_items_as_fields_with_their_buttons() {
    let card = list_card(5);
    let message = json(super::card(&card, Lookup::Own(&rid())));
    assert!(violations(&message).is_empty(), "{:?}", violations(&message));
    let embed = &message["embeds"][0];
    assert_eq!(embed["title"], "[High] Resources with high severity vulnerabilities");
    assert_eq!(embed["color"], 0xEA580C);
    assert_eq!(embed["description"], "5 findings match.");
    assert_eq!(embed["fields"][0]["name"], "Scope");
    assert_eq!(embed["fields"][0]["inline"], true);
    let item = &embed["fields"][1];
    assert_eq!(item["name"], "1. High · Vulnerabilities in container images should be remediated (1)");
    assert!(item["value"].as_str().unwrap().contains("checkout-api:1.14.1"));
    assert!(item["value"].as_str().unwrap().contains("**CVEs:** CVE-2024-3094"));
    assert_eq!(embed["footer"]["text"], "How's this response?");

    let labels: Vec<String> = buttons_of(&message).into_iter().map(|(label, _)| label).collect();
    assert_eq!(&labels[..4], ["1. Remediate", "1. Explain", "2. Remediate", "2. Explain"]);
    assert_eq!(
        &labels[labels.len() - 4..],
        ["Show more (3 left)", "Looks right", "Needs improvement", "Inappropriate"]
    );
    let buttons = buttons_of(&message);
    assert_eq!(buttons[2], ("2. Remediate".to_owned(), "s:abcdefghijklmnop:2".to_owned()));
    assert_eq!(card.buttons().nth(2).map(|a| a.label.as_str()), Some("Remediate"));
    let rows = message["components"].as_array().unwrap();
    assert_eq!(rows.len(), 4, "two rows of item buttons, the card's own, the ratings");
    assert_buttons_resolve(&card, &message);
    assert_eq!(message["allowed_mentions"]["parse"], serde_json::json!([]));
}

#[test]
fn short_payloads_ride_inline_and_long_ones_refer_to_the_stored_reply() {
    let card = list_card(1);
    let message = json(super::card(&card, Lookup::Own(&rid())));
    let ids: Vec<String> = buttons_of(&message).into_iter().map(|(_, id)| id).collect();
    assert_eq!(ids[0], "s:abcdefghijklmnop:0", "a finding payload is longer than 100 characters");
    assert!(ids.last().unwrap().starts_with("p:{"), "{ids:?}");
    let rating = read_button(ids.last().unwrap()).unwrap();
    assert_eq!(
        rating,
        ButtonRef::Inline(Box::new(Payload {
            response_id: rid(),
            command: Command::Rate { rating: Rating::Inappropriate }
        }))
    );
}

#[test]
fn without_a_stored_reply_long_buttons_are_named_not_dropped_silently() {
    let card = list_card(1);
    let message = json(super::card(&card, Lookup::Alongside(&list_reply_of(Card::default()))));
    let labels: Vec<String> = buttons_of(&message).into_iter().map(|(label, _)| label).collect();
    assert!(!labels.contains(&"1. Remediate".to_owned()));
    let footer = message["embeds"][0]["footer"]["text"].as_str().unwrap();
    assert!(footer.contains("Not shown here: 1. Remediate, 1. Explain; ask secbot"), "{footer}");
}

#[test]
fn cloud_text_cannot_ping_link_or_format() {
    let mut card = list_card(2);
    card.title = DEMO_TAG.into();
    card.summary = Some(format!("{DEMO_TAG} **bold** [click](https://evil.example)"));
    card.notices = vec![DEMO_TAG.into()];
    card.badges = vec!["@everyone".into()];
    let message = json(super::card(&card, Lookup::Own(&rid())));
    let text = message.to_string().to_lowercase();
    for bad in ["@here", "@everyone", "<@u0badbad>", "](https", "**bold**"] {
        assert!(!text.contains(bad), "{bad} survived in {text}");
    }
    assert!(text.contains("https://evil.example/login"));
    assert_eq!(message["allowed_mentions"], serde_json::json!({"parse": [], "users": [], "roles": []}));
}

#[test]
fn item_buttons_beyond_the_budget_are_named_with_a_way_to_ask() {
    let card = list_card(12);
    let message = json(super::card(&card, Lookup::Own(&rid())));
    assert!(violations(&message).is_empty(), "{:?}", violations(&message));
    let labels: Vec<String> = buttons_of(&message).into_iter().map(|(label, _)| label).collect();
    assert_eq!(labels.len(), 7 * 2 + 1 + 3, "whole items in three rows, one row of the card's, the ratings");
    assert!(labels.contains(&"7. Explain".to_owned()) && !labels.contains(&"8. Remediate".to_owned()));
    let footer = message["embeds"][0]["footer"]["text"].as_str().unwrap();
    assert!(footer.contains("Buttons for items 8–12 are left out"), "{footer}");
    assert!(footer.contains("how do I fix the 8th?"), "{footer}");
}

#[test]
fn code_is_fenced_and_split_across_fields_when_long() {
    let script: String =
        (0..400).map(|n| format!("az vm update --name vm-{n} --set tags.fixed=true\n")).collect();
    let mut card = Card::titled("Fix it");
    card.code = vec![CodeBlock { title: "Azure CLI".into(), language: "bash".into(), code: script }];
    let message = json(super::card(&card, Lookup::Own(&rid())));
    assert!(violations(&message).is_empty(), "{:?}", violations(&message));
    let code = &message["embeds"][1];
    assert_eq!(code["title"], "Azure CLI");
    assert!(code["description"].as_str().unwrap().starts_with("```bash\naz vm update --name vm-0 "));
    assert!(code["description"].as_str().unwrap().ends_with("\n```"));
    let fields = code["fields"].as_array().unwrap();
    assert!(!fields.is_empty(), "the rest continues in fields");
    assert!(fields.iter().all(|f| f["value"].as_str().unwrap().starts_with("```bash\n")));
    let footer = message["embeds"][1]["footer"]["text"].as_str().unwrap();
    assert!(footer.contains("Azure CLI:") && footer.contains("of 400 lines shown"), "{footer}");
}

#[test]
fn sections_are_headed_and_numbered() {
    let mut card = Card::titled("Why it matters");
    card.sections = vec![Section {
        heading: "Steps".into(),
        lines: vec!["Open the portal".into(), "Turn on *secure* transfer".into()],
        numbered: true,
    }];
    card.notices = vec!["You've used 85% of this hour's budget.".into()];
    let message = json(super::card(&card, Lookup::Alongside(&list_reply_of(Card::default()))));
    assert_eq!(
        message["embeds"][0]["description"],
        "**Steps**\n1. Open the portal\n2. Turn on \\*secure\\* transfer"
    );
    assert_eq!(message["embeds"][0]["footer"]["text"], "Note: You've used 85% of this hour's budget.");
    assert_eq!(message["embeds"][0]["color"], NEUTRAL);
}

#[test]
fn an_owner_notice_pings_only_the_owner_and_keeps_the_buttons_it_can() {
    let owner = Person { id: "1100000000000000077".into(), name: "dana.w".into(), email: None };
    let mut reply = list_reply_of(list_card(1));
    let mut dm = Card::titled("You own a finding: @everyone fix vm-1");
    dm.items = vec![Item {
        title: "Vulnerabilities in container images should be remediated".into(),
        subtitle: Some("checkout-api:1.14.1".into()),
        severity: None,
        facts: vec![],
        actions: vec![
            Action::run("Remediate", &rid(), Intent::Remediate, Some(finding(1)))
                .styled(ActionStyle::Primary),
            Action::run("Summarize", &rid(), Intent::Summarize, Some(finding(1))),
        ],
    }];
    let direct = DirectMessage { to: owner, text: dm.to_plain_text(), card: dm };
    reply.direct = vec![direct.clone()];
    let message = serde_json::to_value(notice(&direct, &reply).follow_up(false)).unwrap();
    assert_eq!(message["content"], "<@1100000000000000077> You own a finding: @\u{200b}everyone fix vm-1");
    assert_eq!(message["allowed_mentions"]["users"], serde_json::json!(["1100000000000000077"]));
    assert_eq!(message["allowed_mentions"]["parse"], serde_json::json!([]));
    assert!(violations(&message).is_empty());
    let buttons = buttons_of(&message);
    assert_eq!(
        buttons[0],
        ("1. Remediate".to_owned(), "s:abcdefghijklmnop:0".to_owned()),
        "the reply's own Remediate"
    );
    let footer = message["embeds"][0]["footer"]["text"].as_str().unwrap();
    assert!(footer.contains("Not shown here: 1. Summarize"), "{footer}");

    let by_name = DirectMessage { to: Person::named("dana@contoso.com"), ..direct };
    let message = serde_json::to_value(notice(&by_name, &reply).follow_up(false)).unwrap();
    assert!(message["content"].as_str().unwrap().starts_with("dana@contoso.com — "));
    assert_eq!(message["allowed_mentions"]["users"], serde_json::json!([]));
}

fn list_reply_of(card: Card) -> Reply {
    Reply::new(rid(), "list_risks", Intent::ListRisks, Slots::default(), card)
}

#[test]
fn an_ephemeral_response_carries_the_flag() {
    let response = serde_json::to_value(Message::note("Thanks for the feedback.").response(true)).unwrap();
    assert_eq!(response["flags"], 64);
    assert_eq!(response["content"], "Thanks for the feedback.");
    let public =
        serde_json::to_value(super::card(&list_card(1), Lookup::Own(&rid())).follow_up(false)).unwrap();
    assert!(public.get("flags").is_none());
    let update =
        serde_json::to_value(super::card(&list_card(1), Lookup::Own(&rid())).response(false)).unwrap();
    assert!(update.get("flags").is_none());
}

/// The text outside code blocks, where Discord renders mentions and markdown (code is shown
/// as written, so a script can be copied exactly).
fn outside_code(text: &str) -> String {
    text.split("```").step_by(2).collect()
}

#[test]
fn any_card_renders_within_every_discord_limit() {
    let mut rng = RandomCards::new(0x5ECB_07D1_5C0D);
    for n in 0..400 {
        let card = rng.card(&rid());
        let stored = rng.chance(80).then(rid);
        let elsewhere = list_reply_of(Card::default());
        let lookup = stored.as_ref().map_or(Lookup::Alongside(&elsewhere), Lookup::Own);
        let message = json(super::card(&card, lookup));
        let broken = violations(&message);
        assert!(broken.is_empty(), "card {n} breaks {broken:?}");
        let mut shown = Vec::new();
        for embed in message["embeds"].as_array().unwrap() {
            shown.extend([&embed["title"], &embed["description"], &embed["footer"]["text"]]);
            for field in embed["fields"].as_array().into_iter().flatten() {
                shown.extend([&field["name"], &field["value"]]);
            }
        }
        let text: String =
            shown.iter().map(|v| outside_code(&v.as_str().unwrap_or_default().to_lowercase())).collect();
        for bad in ["@everyone", "@here", "<@1"] {
            if let Some(at) = text.find(bad) {
                panic!(
                    "card {n}: {bad} in …{}…",
                    &text[text[..at].char_indices().rev().nth(40).map_or(0, |(i, _)| i)..]
                );
            }
        }
        if let Some(footer) = &card.footer {
            let labels: Vec<String> = buttons_of(&message).into_iter().map(|(label, _)| label).collect();
            let ratings: Vec<&str> = footer.actions.iter().map(|a| a.label.as_str()).collect();
            assert_eq!(&labels[labels.len() - 3..], ratings, "card {n}: the ratings are always there");
        }
        if stored.is_some() {
            assert_buttons_resolve(&card, &message);
        }
        let response = serde_json::to_value(super::card(&card, lookup).response(false)).unwrap();
        assert!(violations(&response).is_empty(), "card {n} as a response");
    }
}
