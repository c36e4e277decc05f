//! Discord's message limits, and a check of a message body against every one of them.

use serde_json::Value;

use crate::escape::width;

/// Characters in a message's `content`.
pub const CONTENT: usize = 2_000;
/// Embeds in one message.
pub const EMBEDS: usize = 10;
/// Characters across every embed's title, description, field names and values, footer and author.
pub const EMBEDS_TOTAL: usize = 6_000;
/// Characters in an embed title.
pub const TITLE: usize = 256;
/// Characters in an embed description.
pub const DESCRIPTION: usize = 4_096;
/// Fields in one embed.
pub const FIELDS: usize = 25;
/// Characters in a field name.
pub const FIELD_NAME: usize = 256;
/// Characters in a field value.
pub const FIELD_VALUE: usize = 1_024;
/// Characters in an embed footer.
pub const FOOTER: usize = 2_048;
/// Action rows in one message.
pub const ROWS: usize = 5;
/// Buttons in one action row.
pub const ROW_BUTTONS: usize = 5;
/// Characters in a button label.
pub const LABEL: usize = 80;
/// Characters in a component's `custom_id`.
pub const CUSTOM_ID: usize = 100;
/// Characters in a modal title.
pub const MODAL_TITLE: usize = 45;
/// Characters in a text input's label.
pub const INPUT_LABEL: usize = 45;
/// Characters in a thread name.
pub const THREAD_NAME: usize = 100;

/// Every Discord limit a message body (`content`, `embeds`, `components`) breaks, worded for a
/// test failure or a log line; empty when the message can be sent.
pub fn violations(message: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let text = |v: &Value| v.as_str().map_or(0, width);
    let content = text(&message["content"]);
    if content > CONTENT {
        found.push(format!("content has {content} characters (limit {CONTENT})"));
    }
    let embeds = message["embeds"].as_array().map(Vec::as_slice).unwrap_or_default();
    if embeds.len() > EMBEDS {
        found.push(format!("{} embeds (limit {EMBEDS})", embeds.len()));
    }
    let mut total = 0;
    for (n, embed) in embeds.iter().enumerate() {
        let mut check = |what: &str, value: &Value, limit: usize, required: bool| {
            let len = text(value);
            total += len;
            if len > limit {
                found.push(format!("embed {n} {what} has {len} characters (limit {limit})"));
            }
            if required && value.as_str().is_none_or(|s| s.trim().is_empty()) {
                found.push(format!("embed {n} {what} is empty"));
            }
        };
        check("title", &embed["title"], TITLE, false);
        check("description", &embed["description"], DESCRIPTION, false);
        check("footer", &embed["footer"]["text"], FOOTER, false);
        check("author", &embed["author"]["name"], FIELD_NAME, false);
        let fields = embed["fields"].as_array().map(Vec::as_slice).unwrap_or_default();
        for field in fields {
            check("field name", &field["name"], FIELD_NAME, true);
            check("field value", &field["value"], FIELD_VALUE, true);
        }
        if fields.len() > FIELDS {
            found.push(format!("embed {n} has {} fields (limit {FIELDS})", fields.len()));
        }
    }
    if total > EMBEDS_TOTAL {
        found.push(format!("embeds have {total} characters in all (limit {EMBEDS_TOTAL})"));
    }
    let rows = message["components"].as_array().map(Vec::as_slice).unwrap_or_default();
    if rows.len() > ROWS {
        found.push(format!("{} action rows (limit {ROWS})", rows.len()));
    }
    let mut ids = std::collections::HashSet::new();
    for (r, row) in rows.iter().enumerate() {
        let buttons = row["components"].as_array().map(Vec::as_slice).unwrap_or_default();
        if buttons.is_empty() || buttons.len() > ROW_BUTTONS {
            found.push(format!("row {r} has {} buttons (1 to {ROW_BUTTONS})", buttons.len()));
        }
        for button in buttons {
            let label = text(&button["label"]);
            if label == 0 || label > LABEL {
                found.push(format!("a button label in row {r} has {label} characters (1 to {LABEL})"));
            }
            if button["style"] == 5 {
                // A link button: a URL, and no custom id (Discord sends no interaction for it).
                let url = button["url"].as_str().unwrap_or_default();
                if !url.starts_with("https://") || url.len() > secbot_chat::Link::MAX_URL {
                    found.push(format!("a link button in row {r} has the URL {url:?}"));
                }
                if button.get("custom_id").is_some() {
                    found.push(format!("a link button in row {r} has a custom_id"));
                }
                continue;
            }
            let id = button["custom_id"].as_str().unwrap_or_default();
            if id.is_empty() || width(id) > CUSTOM_ID {
                found.push(format!("custom_id {id:?} has {} characters (1 to {CUSTOM_ID})", width(id)));
            }
            if !ids.insert(id.to_owned()) {
                found.push(format!("custom_id {id:?} is used twice"));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_small_message_passes() {
        let message = json!({
            "content": "",
            "embeds": [{"title": "t", "description": "d", "fields": [{"name": "n", "value": "v"}]}],
            "components": [{"type": 1, "components": [{"type": 2, "label": "Go", "custom_id": "a"}]}],
        });
        assert!(violations(&message).is_empty());
    }

    #[test]
    fn every_broken_limit_is_named() {
        let long = "x".repeat(5_000);
        let button = json!({"type": 2, "label": "", "custom_id": "same"});
        let message = json!({
            "content": "y".repeat(2_001),
            "embeds": [{"title": long, "fields": [{"name": "", "value": "v"}]}],
            "components": [{"type": 1, "components": [button, button]}],
        });
        let found = violations(&message).join("\n");
        for expected in ["content has 2001", "title has 5000", "field name is empty", "label", "used twice"] {
            assert!(found.contains(expected), "{expected} missing from:\n{found}");
        }
    }
}
