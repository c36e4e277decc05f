use secbot_chat::{
    Action, CodeBlock, Command, Fact, Footer, Intent, Item, Link, Rating, Section, Slots, Subject,
};

use super::*;

fn id() -> ResponseId {
    ResponseId("r-42".into())
}

fn list(items: usize) -> Card {
    let id = id();
    Card {
        title: "Critical risks for publicly exposed resources".into(),
        first_item: 1,
        summary: Some("3 findings match. The riskiest are listed first.".into()),
        severity: Some(Severity::Critical),
        badges: vec!["Internet exposed".into()],
        facts: vec![Fact::new("Subscription", "Contoso Production")],
        sections: vec![Section {
            heading: "Why it matters".into(),
            lines: vec!["One".into(), "Two".into()],
            numbered: true,
        }],
        items: (0..items)
            .map(|n| Item {
                title: format!("Finding {n}"),
                subtitle: Some(format!("vm-web-{n:02} · virtual machine")),
                severity: Some(Severity::High),
                facts: vec![Fact::new("Risk factors", "Internet exposure")],
                actions: vec![Action::run(
                    "Remediate",
                    &id,
                    Intent::Remediate,
                    Some(Subject::Finding {
                        recommendation: "k".into(),
                        resource: format!("/subscriptions/s/vm-{n}"),
                    }),
                )],
            })
            .collect(),
        code: vec![CodeBlock {
            title: "Azure CLI".into(),
            language: "bash".into(),
            code: "az vm update -n vm\n".into(),
        }],
        actions: vec![Action::run("Summarize", &id, Intent::Summarize, None)],
        chart: None,
        links: vec![
            Link {
                label: "Open in Defender for Cloud".into(),
                url: "https://portal.azure.com/#blade/x/k".into(),
            },
            Link { label: "Not a link".into(), url: "javascript:alert(1)".into() },
        ],
        notices: vec!["Used 80% of this hour's budget.".into()],
        footer: Some(Footer::for_response(&id)),
    }
}

fn json(messages: &[Message]) -> serde_json::Value {
    serde_json::to_value(messages.iter().map(|m| &m.blocks).collect::<Vec<_>>()).unwrap()
}

#[test]
fn a_list_card_has_header_badges_fields_items_code_buttons_and_the_feedback_footer() {
    let messages = render(&list(2), "fallback text");
    assert_eq!(messages.len(), 1);
    let blocks = json(&messages)[0].clone();
    let types: Vec<&str> = blocks.as_array().unwrap().iter().map(|b| b["type"].as_str().unwrap()).collect();
    assert_eq!(types[0], "header");
    assert_eq!(types[1], "context");
    assert!(types.contains(&"rich_text"));
    assert_eq!(messages[0].text, "fallback text");
    let text = blocks.to_string();
    assert!(text.contains(":red_circle: *Critical*"));
    assert!(text.contains("*Subscription*\\nContoso Production"));
    assert!(text.contains("\"language\":\"bash\""));
    assert!(text.contains("How's this response?"));
    // Buttons are numbered in Card::buttons order and carry their payload.
    let buttons: Vec<&serde_json::Value> = blocks
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["type"] == "actions")
        .flat_map(|b| b["elements"].as_array().unwrap())
        .collect();
    let labels: Vec<&str> = buttons.iter().map(|b| b["text"]["text"].as_str().unwrap()).collect();
    assert_eq!(
        labels,
        [
            "Remediate",
            "Remediate",
            "Summarize",
            "Open in Defender for Cloud",
            "Looks right",
            "Needs improvement",
            "Inappropriate"
        ],
        "only the https link is shown"
    );
    assert_eq!(buttons[3]["url"], "https://portal.azure.com/#blade/x/k");
    assert!(buttons[3].get("value").is_none(), "a link carries nothing secbot reads");
    assert!(pressed(buttons[3]["action_id"].as_str().unwrap(), None).is_none(), "its click is not secbot's");
    let ids: Vec<&str> = buttons.iter().map(|b| b["action_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["secbot:0", "secbot:1", "secbot:2", "link-0", "secbot:3", "secbot:4", "secbot:5"]);
    let rate = pressed("secbot:4", buttons[5]["value"].as_str()).unwrap().unwrap();
    assert_eq!(
        rate,
        ButtonRef::Inline(Box::new(Payload {
            response_id: id(),
            command: Command::Rate { rating: Rating::NeedsImprovement }
        }))
    );
}

#[test]
fn cloud_text_cannot_ping_the_channel_or_hide_links() {
    let mut card = Card::titled("Storage <!channel>");
    card.summary = Some("owner=<@U0ADMIN> & <https://evil.example|click>".into());
    card.items = vec![Item {
        title: "stwebassets <!here>".into(),
        subtitle: None,
        severity: None,
        facts: vec![Fact::new("Tag", "<!everyone>")],
        actions: vec![],
    }];
    let messages = render(&card, "Storage <!channel> owner=<@U0ADMIN>");
    assert_eq!(
        messages[0].text, "Storage &lt;!channel&gt; owner=&lt;@U0ADMIN&gt;",
        "the fallback is escaped too"
    );
    let blocks = json(&messages);
    assert_eq!(
        blocks[0][0]["text"]["type"], "plain_text",
        "a header is plain text, which Slack never parses"
    );
    // Everything Slack reads as mrkdwn is escaped.
    let mrkdwn: Vec<String> = blocks[0]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| {
            let mut texts = vec![b["text"].clone()];
            texts.extend(b["elements"].as_array().cloned().unwrap_or_default());
            texts.extend(b["fields"].as_array().cloned().unwrap_or_default());
            texts
        })
        .filter(|t| t["type"] == "mrkdwn")
        .map(|t| t["text"].as_str().unwrap().to_owned())
        .collect();
    let text = mrkdwn.join("\n");
    assert!(text.contains("stwebassets"), "{text}");
    assert!(!text.contains("<!channel>") && !text.contains("<!here>") && !text.contains("<!everyone>"));
    assert!(!text.contains("<@U0ADMIN>") && !text.contains("<https://"));
    assert!(text.contains("owner=&lt;@U0ADMIN&gt; &amp; &lt;https://evil.example|click&gt;"));
}

#[test]
fn long_text_is_split_into_sections_within_the_limit_and_nothing_is_lost() {
    let mut card = Card::titled("Long");
    let summary: String = (0..900).map(|n| format!("word{n} ")).collect();
    card.summary = Some(summary.clone());
    let messages = render(&card, "x");
    let sections: Vec<String> = json(&messages)[0]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["type"] == "section")
        .map(|b| b["text"]["text"].as_str().unwrap().to_owned())
        .collect();
    assert!(sections.len() >= 3, "{} sections", sections.len());
    assert!(sections.iter().all(|s| s.chars().count() <= MAX_SECTION));
    let joined: String = sections.join(" ").split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(joined, summary.split_whitespace().collect::<Vec<_>>().join(" "));
}

#[test]
fn a_card_over_fifty_blocks_continues_in_a_second_message() {
    let messages = render(&list(20), "fallback");
    assert!(messages.len() >= 2, "{} messages", messages.len());
    assert!(messages.iter().all(|m| m.blocks.len() <= MAX_BLOCKS));
    let all = json(&messages).to_string();
    assert!(all.contains("Finding 19"), "the last item is still shown");
    assert!(all.contains("continued, part 2"));
    assert!(messages[1].text.contains("continued"));
}

#[test]
fn long_labels_are_shortened_and_long_payloads_are_looked_up() {
    let id = id();
    let mut card = Card::titled("Buttons");
    let long_text = "x".repeat(3_000);
    card.actions = vec![Action::ask("A".repeat(100), &id, long_text)];
    let blocks = json(&render(&card, "x"));
    let button =
        &blocks[0].as_array().unwrap().iter().find(|b| b["type"] == "actions").unwrap()["elements"][0];
    assert_eq!(button["text"]["text"].as_str().unwrap().chars().count(), MAX_LABEL);
    let value = button["value"].as_str().unwrap();
    assert_eq!(value, "stored:r-42");
    assert_eq!(
        pressed("secbot:0", Some(value)).unwrap().unwrap(),
        ButtonRef::Stored { response_id: id, index: 0 }
    );
}

#[test]
fn buttons_that_are_not_secbots_are_ignored_and_broken_ones_are_errors() {
    assert!(pressed("button", Some("clicked")).is_none());
    assert!(pressed("secbot:0", Some("{not json")).unwrap().is_err());
}

#[test]
fn splitting_prefers_line_breaks_and_never_cuts_an_entity() {
    assert_eq!(split("aaa\nbbb", 5), ["aaa", "bbb"]);
    let pieces = split("abcd&amp;efgh", 6);
    assert!(pieces.iter().all(|p| !p.ends_with('&') && !p.ends_with("&am")), "{pieces:?}");
    assert_eq!(pieces.concat(), "abcd&amp;efgh");
    assert_eq!(split("", 10), [""]);
}

#[test]
fn the_comment_modal_remembers_the_rating_and_where_it_came_from() {
    let context = ModalContext {
        form: secbot_chat::CommentForm {
            response_id: id(),
            rating: Rating::Inappropriate,
            title: "Help secbot improve".into(),
            question: "What was inappropriate about this answer?".into(),
        },
        channel: "C0SECOPS".into(),
        thread: Some("1795970800.000100".into()),
    };
    let view = serde_json::to_value(comment_modal(&context)).unwrap();
    assert_eq!(view["type"], "modal");
    assert_eq!(view["callback_id"], FEEDBACK_CALLBACK);
    assert_eq!(view["blocks"][1]["block_id"], COMMENT_INPUT);
    assert_eq!(view["blocks"][1]["element"]["action_id"], COMMENT_INPUT);
    let back: ModalContext = serde_json::from_str(view["private_metadata"].as_str().unwrap()).unwrap();
    assert_eq!(back, context);
    let _ = Slots::default();
}

/// Every text object in a block, with the limit it has there: (kind, text, limit).
fn texts(block: &serde_json::Value) -> Vec<(String, String, usize)> {
    let text = |t: &serde_json::Value, limit: usize| {
        (
            t["type"].as_str().unwrap_or_default().to_owned(),
            t["text"].as_str().unwrap_or_default().to_owned(),
            limit,
        )
    };
    let mut out = Vec::new();
    match block["type"].as_str().unwrap_or_default() {
        "header" => out.push(text(&block["text"], MAX_HEADER)),
        "section" => {
            if block.get("text").is_some() {
                out.push(text(&block["text"], MAX_SECTION));
            }
            let fields = block["fields"].as_array().cloned().unwrap_or_default();
            assert!(fields.len() <= MAX_FIELDS, "{} fields", fields.len());
            out.extend(fields.iter().map(|f| text(f, MAX_FIELD)));
        }
        "context" => {
            let elements = block["elements"].as_array().cloned().unwrap_or_default();
            assert!(elements.len() <= MAX_CONTEXT, "{} context elements", elements.len());
            out.extend(elements.iter().map(|e| text(e, MAX_SECTION)));
        }
        "actions" => {
            let buttons = block["elements"].as_array().cloned().unwrap_or_default();
            assert!(buttons.len() <= MAX_ACTIONS, "{} buttons", buttons.len());
            for button in &buttons {
                out.push(text(&button["text"], MAX_LABEL));
                let value = button["value"].as_str().unwrap_or_default();
                assert!(
                    value.chars().count() <= MAX_VALUE,
                    "a value of {} characters",
                    value.chars().count()
                );
                assert!(button["action_id"].as_str().unwrap_or_default().len() <= 255);
            }
        }
        "rich_text" | "divider" => {}
        other => panic!("a block of type {other} the renderer does not make"),
    }
    out
}

#[test]
fn any_card_renders_within_every_slack_limit_and_cloud_text_stays_inert() {
    let mut rng = secbot_chat::testing::RandomCards::new(0x51AC_B10C_4A11);
    for n in 0..300 {
        let card = rng.card(&id());
        let messages = render(&card, &card.to_plain_text());
        for message in &messages {
            assert!(message.blocks.len() <= MAX_BLOCKS, "card {n}: {} blocks", message.blocks.len());
            assert!(message.text.chars().count() <= MAX_FALLBACK, "card {n}: the fallback is too long");
            assert!(
                !message.text.contains("<!") && !message.text.contains("<@"),
                "card {n}: {}",
                message.text
            );
            for block in serde_json::to_value(&message.blocks).unwrap().as_array().unwrap() {
                for (kind, text, limit) in texts(block) {
                    let length = text.chars().count();
                    assert!(
                        (1..=limit).contains(&length),
                        "card {n}: a {kind} of {length} characters (1 to {limit})"
                    );
                    if kind == "mrkdwn" {
                        for bad in ["<!", "<@", "<http", "<#"] {
                            assert!(!text.contains(bad), "card {n}: {bad} in {text}");
                        }
                    }
                }
            }
        }
        if let Some(footer) = &card.footer {
            let last = serde_json::to_value(&messages.last().unwrap().blocks).unwrap();
            let labels: Vec<String> = last
                .as_array()
                .unwrap()
                .iter()
                .filter(|b| b["type"] == "actions")
                .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
                .map(|e| e["text"]["text"].as_str().unwrap_or_default().to_owned())
                .collect();
            let ratings: Vec<&str> = footer.actions.iter().map(|a| a.label.as_str()).collect();
            assert!(
                labels.ends_with(&ratings.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()),
                "card {n}: {labels:?}"
            );
        }
    }
}
