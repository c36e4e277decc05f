//! Splitting a rendered card across messages so each stays within [`CARD_BYTES`]: body blocks
//! are packed in order, a block too large for a page is split into smaller containers, fact
//! sets or action sets, and every page but the first says it continues an earlier one.

use serde_json::{Map, Value, json};

use crate::limits::CARD_BYTES;
use crate::markdown::{escape, shorten};

/// The JSON Schema URL every card names.
pub(crate) const SCHEMA: &str = "http://adaptivecards.io/schemas/adaptive-card.json";

/// The most bytes of JSON one `TextBlock` (or fact value) may take; the renderer splits text
/// further when escaping makes it larger.
pub(crate) const TEXT_BLOCK_BYTES: usize = 8 * 1024;

/// The most bytes of JSON one `CodeBlock` with its fallback may take.
pub(crate) const CODE_BLOCK_BYTES: usize = 16 * 1024;

/// Room left on every page for the "continued" lines and the card's own properties.
const PAGE_RESERVE: usize = 1024;

/// The size of a JSON value as sent, in bytes.
pub(crate) fn size(value: &Value) -> usize {
    serde_json::to_string(value).map_or(usize::MAX, |s| s.len())
}

fn card(body: Vec<Value>) -> Value {
    json!({"type": "AdaptiveCard", "$schema": SCHEMA, "version": "1.5", "body": body})
}

/// Packs body blocks into as few cards as fit [`CARD_BYTES`] each, in order; a card's title
/// heads every continuation.
pub(crate) fn paginate(title: &str, blocks: Vec<Value>) -> Vec<Value> {
    let budget = CARD_BYTES - size(&card(Vec::new())) - PAGE_RESERVE;
    let mut pages: Vec<Vec<Value>> = vec![Vec::new()];
    let mut used = 0;
    for block in blocks.into_iter().flat_map(|b| fit(b, budget)) {
        let bytes = size(&block) + 1;
        if used + bytes > budget && pages.last().is_some_and(|p| !p.is_empty()) {
            pages.push(Vec::new());
            used = 0;
        }
        if let Some(page) = pages.last_mut() {
            page.push(block);
        }
        used += bytes;
    }
    let total = pages.len();
    pages
        .into_iter()
        .enumerate()
        .map(|(n, mut body)| {
            if total > 1 {
                if n > 0 {
                    let line = format!("{} (continued, {} of {total})", shorten(title, 80), n + 1);
                    body.insert(0, json!({"type": "TextBlock", "text": escape(&line), "isSubtle": true, "wrap": true}));
                }
                if n + 1 < total {
                    let line = format!("Continued in the next message ({} of {total}).", n + 1);
                    body.push(json!({"type": "TextBlock", "text": line, "isSubtle": true, "size": "small", "wrap": true}));
                }
            }
            card(body)
        })
        .collect()
}

/// The block itself when it fits `budget`, otherwise consecutive smaller blocks of the same kind
/// holding the same content.
fn fit(block: Value, budget: usize) -> Vec<Value> {
    if size(&block) <= budget {
        return vec![block];
    }
    match block.get("type").and_then(Value::as_str) {
        Some("Container") => split_list(block, "items", budget, true),
        Some("FactSet") => split_list(block, "facts", budget, false),
        Some("ActionSet") => split_list(block, "actions", budget, false),
        _ => vec![block],
    }
}

fn split_list(block: Value, key: &str, budget: usize, nested: bool) -> Vec<Value> {
    let Value::Object(mut shell) = block else { return vec![block] };
    let children = match shell.remove(key) {
        Some(Value::Array(children)) => children,
        Some(other) => {
            shell.insert(key.to_owned(), other);
            return vec![Value::Object(shell)];
        }
        None => return vec![Value::Object(shell)],
    };
    let room = budget.saturating_sub(size(&Value::Object(shell.clone())) + key.len() + 8);
    let mut groups: Vec<Vec<Value>> = Vec::new();
    let mut group = Vec::new();
    let mut used = 0;
    let expanded: Vec<Value> =
        if nested { children.into_iter().flat_map(|c| fit(c, room)).collect() } else { children };
    for child in expanded {
        let bytes = size(&child) + 1;
        if used + bytes > room && !group.is_empty() {
            groups.push(std::mem::take(&mut group));
            used = 0;
        }
        group.push(child);
        used += bytes;
    }
    if !group.is_empty() {
        groups.push(group);
    }
    groups.into_iter().enumerate().map(|(n, group)| part(&shell, key, group, n > 0)).collect()
}

fn part(shell: &Map<String, Value>, key: &str, children: Vec<Value>, continuation: bool) -> Value {
    let mut part = shell.clone();
    part.insert(key.to_owned(), Value::Array(children));
    if continuation {
        part.remove("separator");
        part.insert("spacing".to_owned(), json!("none"));
    }
    Value::Object(part)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(n: usize) -> Value {
        json!({"type": "TextBlock", "text": "x".repeat(n), "wrap": true})
    }

    #[test]
    fn a_small_card_is_one_page_without_continuation_lines() {
        let pages = paginate("Title", vec![text(10)]);
        assert_eq!(pages.len(), 1);
        assert_eq!(pages[0]["body"].as_array().map(Vec::len), Some(1));
    }

    #[test]
    fn big_containers_are_split_across_pages_in_order() {
        let items: Vec<Value> = (0..40).map(|_| text(2_000)).collect();
        let pages = paginate("Title", vec![json!({"type": "Container", "separator": true, "items": items})]);
        assert!(pages.len() >= 3, "{}", pages.len());
        let mut blocks = 0;
        for (n, page) in pages.iter().enumerate() {
            assert!(size(page) <= CARD_BYTES, "page {n} is {} bytes", size(page));
            for block in page["body"].as_array().into_iter().flatten() {
                if block["type"] == "Container" {
                    blocks += block["items"].as_array().map_or(0, Vec::len);
                }
            }
        }
        assert_eq!(blocks, 40, "nothing was dropped");
        assert!(pages[1]["body"][0]["text"].as_str().is_some_and(|t| t.contains("continued, 2 of")));
        let last = pages.len() - 1;
        assert!(pages[0]["body"].as_array().and_then(|b| b.last()).is_some_and(|b| {
            b["text"].as_str().is_some_and(|t| t.starts_with("Continued in the next message"))
        }));
        assert!(
            pages[last]["body"].as_array().and_then(|b| b.last()).is_some_and(|b| b["type"] == "Container")
        );
    }

    #[test]
    fn big_fact_sets_and_action_sets_are_split() {
        let facts: Vec<Value> = (0..30).map(|_| json!({"title": "t", "value": "v".repeat(2_000)})).collect();
        let pages = paginate("T", vec![json!({"type": "FactSet", "facts": facts})]);
        assert!(pages.len() >= 2);
        let count: usize = pages
            .iter()
            .flat_map(|p| p["body"].as_array().into_iter().flatten())
            .filter(|b| b["type"] == "FactSet")
            .map(|b| b["facts"].as_array().map_or(0, Vec::len))
            .sum();
        assert_eq!(count, 30);
    }
}
