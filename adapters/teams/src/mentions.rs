//! A message's text as secbot reads it: the bot's own `<at>…</at>` mention removed, other
//! mentions written as `@Name` and listed as people, found through the activity's mention
//! entities (never by matching names in the text).

use secbot_chat::Person;

use crate::activity::Activity;

/// The prompt text of a message and the people it mentions, in order of their entities.
pub(crate) fn read(activity: &Activity) -> (String, Vec<Person>) {
    let bot = activity.recipient.as_ref().map(|r| r.id.as_str()).filter(|id| !id.is_empty());
    let mut text = activity.text.clone().unwrap_or_default();
    let mut people: Vec<Person> = Vec::new();
    for entity in activity.entities.iter().filter(|e| e.kind.eq_ignore_ascii_case("mention")) {
        let Some(mentioned) = entity.mentioned.as_ref().filter(|m| !m.id.is_empty()) else { continue };
        let name = mentioned.name.clone().unwrap_or_default();
        let tag = entity.text.clone().filter(|t| !t.is_empty()).unwrap_or_else(|| format!("<at>{name}</at>"));
        if Some(mentioned.id.as_str()) == bot {
            text = text.replace(&tag, " ");
            continue;
        }
        let shown =
            tag_name(&tag).map(decode_entities).filter(|n| !n.trim().is_empty()).unwrap_or(name.clone());
        text = text.replace(&tag, &format!("@{shown}"));
        if !people.iter().any(|p| p.id == mentioned.id) {
            let name = if name.trim().is_empty() { shown } else { name };
            people.push(Person { id: mentioned.id.clone(), name, email: None });
        }
    }
    let text = decode_entities(&strip_tags(&text));
    (text.split_whitespace().collect::<Vec<_>>().join(" "), people)
}

/// The name inside `<at>Name</at>`.
fn tag_name(tag: &str) -> Option<&str> {
    let inner = tag.trim().strip_prefix("<at>")?;
    Some(inner.strip_suffix("</at>").unwrap_or(inner))
}

/// Removes leftover `<at>` and `</at>` tags that no entity accounted for, keeping their text.
fn strip_tags(text: &str) -> String {
    text.replace("<at>", "").replace("</at>", "")
}

/// Decodes the HTML entities Teams uses in message text.
fn decode_entities(text: &str) -> String {
    text.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn activity(text: &str, entities: serde_json::Value) -> Activity {
        serde_json::from_value(serde_json::json!({
            "type": "message",
            "text": text,
            "recipient": {"id": "28:bot", "name": "secbot"},
            "entities": entities,
        }))
        .expect("parses")
    }

    fn mention(id: &str, name: &str) -> serde_json::Value {
        serde_json::json!({"type": "mention", "mentioned": {"id": id, "name": name}, "text": format!("<at>{name}</at>")})
    }

    #[test]
    fn only_the_bots_own_mention_is_stripped() {
        let a = activity(
            "<at>secbot</at> assign it to <at>Dana Whitfield</at> by Friday\n",
            serde_json::json!([mention("28:bot", "secbot"), mention("29:dana", "Dana Whitfield"), {"type": "clientInfo"}]),
        );
        let (text, people) = read(&a);
        assert_eq!(text, "assign it to @Dana Whitfield by Friday");
        assert_eq!(people, vec![Person { id: "29:dana".into(), name: "Dana Whitfield".into(), email: None }]);
    }

    #[test]
    fn the_fixture_with_two_mentions_reads_as_a_delegation() {
        let a: Activity =
            serde_json::from_str(include_str!("../fixtures/message_channel_mention.json")).expect("parses");
        let (text, people) = read(&a);
        assert_eq!(text, "assign it to @Dana Whitfield by Friday");
        assert_eq!(people.len(), 1);
        assert_eq!(people[0].name, "Dana Whitfield");
        assert!(people[0].id.starts_with("29:"));
    }

    #[test]
    fn a_mention_without_text_is_found_by_the_mentioned_name() {
        let a: Activity =
            serde_json::from_str(include_str!("../fixtures/message_group_chat.json")).expect("parses");
        let (text, people) = read(&a);
        assert_eq!(text, "what's overdue?");
        assert!(people.is_empty());
    }

    #[test]
    fn a_mention_of_the_bot_in_the_middle_is_removed_and_names_are_not_trusted() {
        let a = activity(
            "ask <at>secbot</at> about <at>Li &amp; Wei</at>, not <at>secbot</at> &lt;3",
            serde_json::json!([mention("28:bot", "secbot"), {"type": "mention", "mentioned": {"id": "29:li", "name": "Li Wei"}, "text": "<at>Li &amp; Wei</at>"}]),
        );
        let (text, people) = read(&a);
        assert_eq!(text, "ask about @Li & Wei, not <3");
        assert_eq!(people[0].name, "Li Wei");
    }

    #[test]
    fn stray_tags_lose_their_markup_and_repeated_mentions_are_listed_once() {
        let a = activity(
            "<at>Raj</at> and <at>Raj</at> and <at>Nobody</at>",
            serde_json::json!([mention("29:raj", "Raj"), mention("29:raj", "Raj")]),
        );
        let (text, people) = read(&a);
        assert_eq!(text, "@Raj and @Raj and Nobody");
        assert_eq!(people.len(), 1);
    }
}
