use secbot_chat::{Delegation, Footer, Intent, Person, Subject};

use super::*;
use crate::limits::{CARD_BYTES, CODE_CHARS, MESSAGE_BYTES};
use crate::paging::size;
use crate::webhook::card_message;

const HOSTILE: &str =
    "@here <!channel> ask <@U0BADBAD> https://evil.example/login [x](https://evil.example) <at>Dana</at>";

fn id() -> ResponseId {
    ResponseId("r1abcdefghijklmn".into())
}

fn finding(n: usize) -> Subject {
    Subject::Finding {
        recommendation: format!("rec-{n}"),
        resource: format!("/subscriptions/s/resourceGroups/rg/vm-{n}"),
    }
}

fn sample() -> Card {
    let id = id();
    Card {
        title: "Critical risks to sensitive data".into(),
        first_item: 1,
        summary: Some("3 findings match.\nMost risky first.".into()),
        severity: Some(Severity::Critical),
        badges: vec!["Limited capacity".into()],
        facts: vec![Fact::new("Scope", "Contoso Production"), Fact::new("Tag", HOSTILE)],
        sections: vec![Section {
            heading: "Steps".into(),
            lines: vec!["Open the portal".into(), "Fix it".into()],
            numbered: true,
        }],
        items: vec![
            Item {
                title: "Storage accounts should restrict network access".into(),
                subtitle: Some(HOSTILE.into()),
                severity: Some(Severity::High),
                facts: vec![Fact::new("Risk factors", "Internet exposure")],
                actions: vec![Action::run("Remediate", &id, Intent::Remediate, Some(finding(1)))],
            },
            Item {
                title: "Low one".into(),
                subtitle: None,
                severity: Some(Severity::Low),
                facts: vec![],
                actions: vec![Action::run("Explain", &id, Intent::Explain, Some(finding(2)))],
            },
        ],
        code: vec![CodeBlock {
            title: "Azure CLI".into(),
            language: "bash".into(),
            code: "az storage account update \\\n  --name st_prod_data \\\n  --default-action Deny".into(),
        }],
        actions: vec![
            Action::run("Summarize", &id, Intent::Summarize, None).styled(ActionStyle::Primary),
            Action::ask("Show high risks too", &id, "show high risks"),
        ],
        chart: None,
        links: vec![secbot_chat::Link {
            label: "Open in Defender for Cloud".into(),
            url: "https://portal.azure.com/#blade/x/k".into(),
        }],
        notices: vec!["Usage is at 85% of this hour's budget.".into()],
        footer: Some(Footer::for_response(&id)),
    }
}

fn walk<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    match value {
        Value::Object(map) => {
            out.push(value);
            for child in map.values() {
                walk(child, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
        _ => {}
    }
}

fn nodes(card: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    walk(card, &mut out);
    out
}

fn of_type<'a>(card: &'a Value, kind: &str) -> Vec<&'a Value> {
    nodes(card).into_iter().filter(|n| n["type"] == kind).collect()
}

/// Buttons as a person sees them: `Action.Execute` and `Action.ShowCard`, not the `Action.Submit`
/// fallbacks or the submit buttons inside a shown card.
/// The buttons that reach secbot (links open a page instead).
fn buttons(card: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    for set in of_type(card, "ActionSet") {
        for action in set["actions"].as_array().into_iter().flatten() {
            if action["type"] != "Action.OpenUrl" {
                out.push(action);
            }
        }
    }
    out
}

#[test]
fn a_card_renders_as_one_adaptive_card_1_5() {
    let pages = render_card(&sample(), Some(&id()));
    assert_eq!(pages.len(), 1);
    let card = &pages[0];
    assert_eq!(card["type"], "AdaptiveCard");
    assert_eq!(card["version"], "1.5");
    assert_eq!(card["$schema"], "http://adaptivecards.io/schemas/adaptive-card.json");
    assert!(card.get("msteams").is_none(), "no mention entities, no host properties");
    let header = &card["body"][0];
    assert_eq!(header["style"], "attention");
    assert_eq!(header["items"][0]["text"], "Critical risks to sensitive data");
    assert_eq!(header["items"][1]["text"], "Critical · Limited capacity");
    assert_eq!(header["items"][2]["text"], "3 findings match.\n\nMost risky first.");
    assert_eq!(card["body"][1]["type"], "FactSet");
    let rows = of_type(card, "ColumnSet");
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0]["columns"][0]["items"][0]["text"],
        "1.\u{00A0}Storage accounts should restrict network access"
    );
    assert_eq!(rows[0]["columns"][1]["items"][0]["text"], "High");
    assert_eq!(rows[0]["columns"][1]["items"][0]["color"], "attention");
    assert_eq!(rows[1]["columns"][1]["items"][0]["color"], "accent");
    let styles: Vec<&Value> = of_type(card, "Container").iter().map(|c| &c["style"]).collect();
    assert!(styles.contains(&&json!("attention")) && styles.contains(&&json!("accent")));
    let links = of_type(card, "Action.OpenUrl");
    assert_eq!(links.len(), 1);
    assert_eq!(links[0]["url"], "https://portal.azure.com/#blade/x/k");
    assert_eq!(links[0]["title"], "Open in Defender for Cloud");
}

#[test]
fn code_is_a_teams_code_block_with_a_monospace_fallback() {
    let card = &render_card(&sample(), None)[0];
    let blocks = of_type(card, "CodeBlock");
    assert_eq!(blocks.len(), 1);
    let block = blocks[0];
    assert_eq!(block["codeSnippet"], sample().code[0].code);
    assert_eq!(block["language"], "Bash");
    assert_eq!(block["startLineNumber"], 1);
    assert_eq!(block["fallback"]["type"], "TextBlock");
    assert_eq!(block["fallback"]["fontType"], "monospace");
    assert_eq!(
        block["fallback"]["text"],
        "az storage account update \\\\\n\n\u{00A0}\u{00A0}--name st\\_prod\\_data \\\\\n\n\u{00A0}\u{00A0}--default-action Deny"
    );
    let keys: Vec<&String> = block.as_object().map(|o| o.keys().collect()).unwrap_or_default();
    assert_eq!(keys, ["codeSnippet", "fallback", "language", "startLineNumber", "type"]);
}

#[test]
fn buttons_are_action_execute_with_the_payload_and_a_submit_fallback() {
    let card = &render_card(&sample(), Some(&id()))[0];
    let shown = buttons(card);
    let labels: Vec<&str> = shown.iter().filter_map(|b| b["title"].as_str()).collect();
    assert_eq!(
        labels,
        [
            "Remediate",
            "Explain",
            "Summarize",
            "Show high risks too",
            "Looks right",
            "Needs improvement",
            "Inappropriate"
        ]
    );
    let sample = sample();
    for (button, action) in shown.iter().zip(sample.buttons()) {
        if button["type"] == "Action.ShowCard" {
            continue;
        }
        assert_eq!(button["type"], "Action.Execute");
        let data = &button["data"];
        assert_eq!(
            data[DATA_PAYLOAD].as_str().map(Payload::decode).and_then(Result::ok).as_ref(),
            Some(&action.payload)
        );
        assert_eq!(button["fallback"]["type"], "Action.Submit");
        assert_eq!(&button["fallback"]["data"], data, "the same data on both paths");
        assert!(button["verb"].as_str().is_some_and(|v| v.starts_with("secbot.")));
    }
    assert_eq!(shown[2]["style"], "positive");
    assert_eq!(shown[4]["verb"], "secbot.rate");
}

#[test]
fn critical_ratings_collect_a_comment_in_the_card() {
    let card = &render_card(&sample(), Some(&id()))[0];
    let shown = buttons(card);
    for (button, rating) in shown[5..].iter().zip([Rating::NeedsImprovement, Rating::Inappropriate]) {
        assert_eq!(button["type"], "Action.ShowCard");
        let inner = &button["card"];
        assert_eq!(inner["body"][0]["type"], "Input.Text");
        assert_eq!(inner["body"][0]["id"], comment_input_id(rating));
        assert_eq!(inner["body"][0]["isMultiline"], true);
        let send = &inner["actions"][0];
        assert_eq!(send["type"], "Action.Execute");
        let payload =
            send["data"][DATA_PAYLOAD].as_str().map(Payload::decode).and_then(Result::ok).expect("a payload");
        assert_eq!(payload.command, Command::Rate { rating });
        assert_eq!(payload.response_id, id());
    }
    let ids: Vec<&Value> = of_type(card, "Input.Text").iter().map(|i| &i["id"]).collect();
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1], "input ids are unique in a card");
}

#[test]
fn untrusted_text_never_becomes_a_link_or_a_mention() {
    let card = &render_card(&sample(), Some(&id()))[0];
    let text = serde_json::to_string(card).expect("serializes");
    for bad in ["<@", "<!", "<at>", "://evil", "](", "\"entities\""] {
        assert!(!text.contains(bad), "{bad} in {text}");
    }
    let subtitle = of_type(card, "TextBlock")
        .into_iter()
        .filter_map(|t| t["text"].as_str())
        .find(|t| t.contains("U0BADBAD"))
        .expect("the hostile subtitle is shown");
    assert_eq!(
        subtitle.replace(['\u{200B}', '\\'], ""),
        HOSTILE,
        "shown as written once the invisible escapes are taken out"
    );
}

#[test]
fn long_payloads_refer_to_the_stored_reply_by_button_index() {
    let id = id();
    let many: Vec<Subject> = (0..25).map(finding).collect();
    let delegation = Delegation {
        subject: Subject::list(many),
        owner: Person {
            id: "29:dana".into(),
            name: "Dana Whitfield".into(),
            email: Some("dana@contoso.com".into()),
        },
        due: time::macros::date!(2026 - 11 - 28),
    };
    let mut card = Card::titled("Assign to Dana Whitfield?");
    card.items.push(Item {
        title: "one".into(),
        subtitle: None,
        severity: None,
        facts: vec![],
        actions: vec![Action::run("Remediate", &id, Intent::Remediate, Some(finding(1)))],
    });
    card.actions = vec![
        Action::new("Confirm", &id, Command::Confirm { delegation: delegation.clone() })
            .styled(ActionStyle::Primary),
        Action::new("Cancel", &id, Command::Cancel { delegation }),
    ];
    card.footer = Some(Footer::for_response(&id));
    let stored = &render_card(&card, Some(&id))[0];
    let shown = buttons(stored);
    assert!(shown[0]["data"][DATA_PAYLOAD].is_string(), "short payloads stay inline");
    assert_eq!(shown[1]["data"], json!({DATA_REPLY: id.as_str(), DATA_BUTTON: 1}));
    assert_eq!(shown[2]["data"], json!({DATA_REPLY: id.as_str(), DATA_BUTTON: 2}));
    assert_eq!(shown[1]["style"], "positive");
    let unstored = &render_card(&card, None)[0];
    assert!(
        buttons(unstored)[1]["data"][DATA_PAYLOAD].is_string(),
        "without a stored reply the payload is inline"
    );
    let other = ResponseId("another".into());
    assert!(buttons(&render_card(&card, Some(&other))[0])[1]["data"][DATA_PAYLOAD].is_string());
}

#[test]
fn long_labels_are_shortened_with_the_full_label_as_tooltip() {
    let id = id();
    let label = "Show critical risks for publicly exposed resources in Contoso Production and Contoso Dev";
    let mut card = Card::titled("Help");
    card.actions = vec![Action::ask(label, &id, label)];
    let page = &render_card(&card, None)[0];
    let button = buttons(page)[0];
    let title = button["title"].as_str().expect("a title");
    assert_eq!(title.chars().count(), LABEL_CHARS);
    assert!(title.ends_with('…'));
    assert_eq!(button["tooltip"], label);
}

#[test]
fn the_comment_form_asks_and_submits_the_rating() {
    let form = CommentForm {
        response_id: id(),
        rating: Rating::Inappropriate,
        title: "Help secbot improve".into(),
        question: "What was inappropriate about this answer?".into(),
    };
    let card = render_comment_form(&form);
    assert_eq!(card["version"], "1.5");
    assert_eq!(card["body"][1]["id"], comment_input_id(Rating::Inappropriate));
    let data = &card["actions"][0]["data"];
    let payload = data[DATA_PAYLOAD].as_str().map(Payload::decode).and_then(Result::ok).expect("a payload");
    assert_eq!(payload.command, Command::Rate { rating: Rating::Inappropriate });
}

/// A small deterministic generator for the synthetic cards.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % below.max(1)
    }

    fn text(&mut self, max: usize) -> String {
        let words = [
            "vm-web-01",
            "storage",
            "<at>x</at>",
            "https://a.example/p",
            "**bold**",
            "é",
            "🚨",
            "\\",
            "\"q\"",
            "_",
            "line\n",
            "\t",
            "[l](u)",
        ];
        let len = self.next(max + 1);
        let mut out = String::new();
        while out.chars().count() < len {
            out.push_str(words[self.next(words.len())]);
            out.push(' ');
        }
        out
    }
}

fn synthetic(rng: &mut Lcg, n: usize) -> Card {
    let id = ResponseId(format!("synthetic{n:07}"));
    let severity = |rng: &mut Lcg| {
        [None, Some(Severity::Low), Some(Severity::Medium), Some(Severity::High), Some(Severity::Critical)]
            [rng.next(5)]
    };
    let long = if n.is_multiple_of(10) { 12_000 } else { 300 };
    let items = (0..rng.next(if n.is_multiple_of(7) { 60 } else { 15 }))
        .map(|i| Item {
            title: rng.text(long),
            subtitle: Some(rng.text(200)),
            severity: severity(rng),
            facts: (0..rng.next(4))
                .map(|_| {
                    Fact::new(
                        rng.text(if n.is_multiple_of(11) { 3_000 } else { 40 }),
                        rng.text(if n.is_multiple_of(13) { 9_000 } else { 120 }),
                    )
                })
                .collect(),
            actions: (0..rng.next(8))
                .map(|a| Action::run(rng.text(90), &id, Intent::Remediate, Some(finding(i * 10 + a))))
                .collect(),
        })
        .collect();
    Card {
        title: rng.text(if n.is_multiple_of(5) { 6_000 } else { 120 }),
        first_item: 1,
        summary: Some(rng.text(800)),
        severity: severity(rng),
        badges: vec![rng.text(30)],
        facts: (0..rng.next(6)).map(|_| Fact::new(rng.text(30), rng.text(500))).collect(),
        sections: (0..rng.next(3))
            .map(|_| Section {
                heading: rng.text(60),
                lines: (0..rng.next(10)).map(|_| rng.text(400)).collect(),
                numbered: rng.next(2) == 0,
            })
            .collect(),
        items,
        code: (0..rng.next(3))
            .map(|_| CodeBlock {
                title: rng.text(40),
                language: ["bash", "powershell", "hcl", "bicep"][rng.next(4)].into(),
                code: (0..rng.next(if n.is_multiple_of(3) { 400 } else { 40 }))
                    .map(|_| rng.text(100))
                    .collect::<Vec<_>>()
                    .join("\n"),
            })
            .collect(),
        actions: (0..rng.next(12)).map(|_| Action::ask(rng.text(80), &id, rng.text(200))).collect(),
        chart: None,
        links: Vec::new(),
        notices: (0..rng.next(3)).map(|_| rng.text(300)).collect(),
        footer: Some(Footer::for_response(&id)),
    }
}

/// Every card, however long, renders into messages within every limit, and nothing is lost:
/// all buttons are there, and the code, titles and facts read back whole.
#[test]
fn two_hundred_synthetic_cards_stay_within_every_limit() {
    let mut rng = Lcg(0x5ec_b07);
    let mut pages_seen = 0;
    for n in 0..200 {
        let card = synthetic(&mut rng, n);
        let id = card.footer.as_ref().map(|f| f.actions[0].payload.response_id.clone());
        let pages = render_card(&card, id.as_ref());
        pages_seen += pages.len();
        let mut executes = 0;
        let mut rows = 0;
        let mut snippets = String::new();
        for page in &pages {
            assert!(size(page) <= CARD_BYTES, "card {n}: a page has {} bytes", size(page));
            let message = card_message(page.clone(), &card.title, Some("1732536000123"));
            assert!(size(&message) <= MESSAGE_BYTES, "card {n}: a message has {} bytes", size(&message));
            for set in of_type(page, "ActionSet") {
                let actions = set["actions"].as_array().map_or(0, Vec::len);
                assert!((1..=ACTIONS_PER_SET).contains(&actions), "card {n}: {actions} actions in a set");
            }
            for node in nodes(page) {
                if let Some(title) = node.get("title").and_then(Value::as_str)
                    && node["type"].as_str().is_some_and(|t| t.starts_with("Action."))
                {
                    assert!(
                        title.chars().count() <= LABEL_CHARS,
                        "card {n}: a {}-character label",
                        title.chars().count()
                    );
                }
                if node["type"] == "FactSet" {
                    for fact in node["facts"].as_array().into_iter().flatten() {
                        assert!(
                            size(fact) <= 2 * crate::paging::TEXT_BLOCK_BYTES,
                            "card {n}: a {}-byte fact",
                            size(fact)
                        );
                    }
                }
                if node["type"] == "TextBlock" {
                    let bytes = size(node);
                    assert!(
                        bytes <= crate::paging::TEXT_BLOCK_BYTES || node.get("fontType").is_some(),
                        "card {n}: a {bytes}-byte TextBlock"
                    );
                }
            }
            executes += buttons(page).len();
            rows += of_type(page, "ColumnSet").len();
            for block in of_type(page, "CodeBlock") {
                let snippet = block["codeSnippet"].as_str().unwrap_or_default();
                assert!(snippet.chars().count() <= CODE_CHARS);
                assert!(
                    size(block) <= crate::paging::CODE_BLOCK_BYTES,
                    "card {n}: a {}-byte CodeBlock",
                    size(block)
                );
                snippets.push_str(snippet);
            }
        }
        assert_eq!(executes, card.buttons().count(), "card {n}: every button is shown once");
        assert_eq!(rows, card.items.len(), "card {n}: every item is shown once");
        let code: String = card.code.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(snippets, code, "card {n}: the code reads back whole, in order");
        if pages.len() > 1 {
            assert!(
                pages[1..]
                    .iter()
                    .all(|p| p["body"][0]["text"].as_str().is_some_and(|t| t.contains("(continued, ")))
            );
        }
    }
    eprintln!("{pages_seen} pages for 200 cards");
    assert!(pages_seen > 230, "some cards needed several messages ({pages_seen} pages)");
}

/// Whatever text a card holds, nothing Teams renders as Markdown becomes a link, a mention or
/// an entity, and every card stays within the size limits.
#[test]
fn any_card_keeps_cloud_text_inert_and_within_limits() {
    let mut rng = secbot_chat::testing::RandomCards::new(0x7EA5_CA4D);
    for n in 0..200 {
        let card = rng.card(&id());
        for page in render_card(&card, Some(&id())) {
            assert!(size(&page) <= CARD_BYTES, "card {n}: a page has {} bytes", size(&page));
            let mut shown: Vec<String> = Vec::new();
            for node in nodes(&page) {
                match node["type"].as_str().unwrap_or_default() {
                    "TextBlock" => shown.push(node["text"].as_str().unwrap_or_default().to_owned()),
                    "FactSet" => {
                        for fact in node["facts"].as_array().into_iter().flatten() {
                            shown.push(fact["title"].as_str().unwrap_or_default().to_owned());
                            shown.push(fact["value"].as_str().unwrap_or_default().to_owned());
                        }
                    }
                    _ => {}
                }
            }
            for text in shown {
                for bad in ["<at>", "<@", "<!", "](", "://", "&amp;"] {
                    assert!(!text.contains(bad), "card {n}: {bad} in {text}");
                }
            }
        }
    }
}
