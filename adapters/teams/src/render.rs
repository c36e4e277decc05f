//! Adaptive Card 1.5 rendering of secbot's platform-neutral [`Card`]: a header container styled
//! by severity, a `FactSet`, sections, one container per list item (a `ColumnSet` row with its
//! facts and buttons), code as Teams `CodeBlock`s with a monospace fallback, `Action.Execute`
//! buttons (each with an `Action.Submit` fallback) and the feedback footer, whose critical
//! ratings open an in-card comment box. Long cards are split into several messages
//! ([`crate::paging`]).

use secbot_chat::{Action, ActionStyle, Card, CodeBlock, Command, CommentForm, Fact, Item, Payload, Rating};
use secbot_chat::{ResponseId, Section, Severity};
use serde_json::{Value, json};

use crate::limits::{ACTIONS_PER_SET, COMMENT_CHARS, INLINE_PAYLOAD_BYTES, LABEL_CHARS, TEXT_CHARS};
use crate::markdown::{chunks, escape, escape_code_line, shorten};
use crate::paging::{self, SCHEMA, TEXT_BLOCK_BYTES};

/// The key of a button's data holding its encoded [`Payload`].
pub(crate) const DATA_PAYLOAD: &str = "secbot";
/// The key of a button's data holding the id of the stored reply whose button it is.
pub(crate) const DATA_REPLY: &str = "secbot_reply";
/// The key of a button's data holding its index among the stored reply's buttons.
pub(crate) const DATA_BUTTON: &str = "secbot_button";

/// The id of the comment box that goes with a rating; its value arrives in the action's data
/// under this key.
pub(crate) fn comment_input_id(rating: Rating) -> String {
    format!("comment_{}", rating.as_str())
}

/// Renders a card as one or more Adaptive Cards 1.5, in the order they are to be posted, each
/// within [`crate::limits::CARD_BYTES`]. `stored_as` is the id of the reply the card is stored
/// under; when given, a button whose payload is too long to carry refers to it by index instead.
pub fn render_card(card: &Card, stored_as: Option<&ResponseId>) -> Vec<Value> {
    let mut renderer = Renderer { stored_as, next_button: 0 };
    let mut blocks = vec![Renderer::header(card)];
    if !card.facts.is_empty() {
        blocks.push(fact_set(&card.facts));
    }
    if let Some(chart) = &card.chart {
        blocks.push(json!({
            "type": "Image",
            "url": chart.data_url(),
            "altText": shorten(&chart.alt, TEXT_CHARS),
            "size": "Stretch",
        }));
    }
    for section in &card.sections {
        blocks.push(section_block(section));
    }
    for (n, item) in card.items.iter().enumerate() {
        blocks.push(renderer.item(card.item_number(n), item));
    }
    for code in &card.code {
        blocks.extend(code_blocks(code));
    }
    if !card.actions.is_empty() {
        blocks.push(container(renderer.action_sets(&card.actions), false));
    }
    let links: Vec<Value> = card
        .links
        .iter()
        .filter(|l| l.is_showable())
        .map(|l| json!({"type": "Action.OpenUrl", "title": shorten(&l.label, LABEL_CHARS), "url": l.url}))
        .collect();
    if !links.is_empty() {
        let sets =
            links.chunks(ACTIONS_PER_SET).map(|set| json!({"type": "ActionSet", "actions": set})).collect();
        blocks.push(container(sets, false));
    }
    if !card.notices.is_empty() {
        let notices = card.notices.iter().flat_map(|n| text_blocks(n, notice)).collect();
        blocks.push(container(notices, true));
    }
    if let Some(footer) = &card.footer {
        let mut items = text_blocks(
            &footer.question,
            |t| json!({"type": "TextBlock", "text": t, "isSubtle": true, "wrap": true}),
        );
        items.extend(renderer.action_sets(&footer.actions));
        blocks.push(container(items, true));
    }
    paging::paginate(&card.title, blocks)
}

/// The Adaptive Card that asks for a few words about a rating, for a click whose outcome is a
/// comment form.
pub fn render_comment_form(form: &CommentForm) -> Value {
    let payload =
        Payload { response_id: form.response_id.clone(), command: Command::Rate { rating: form.rating } };
    let data = json!({ DATA_PAYLOAD: payload.encode() });
    let mut body = text_blocks(
        &form.title,
        |t| json!({"type": "TextBlock", "text": t, "weight": "bolder", "size": "medium", "wrap": true}),
    );
    body.push(comment_box(form.rating, &form.question));
    json!({
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": "1.5",
        "body": body,
        "actions": [execute("Send feedback", "secbot.rate", data, ActionStyle::Primary)],
    })
}

struct Renderer<'a> {
    stored_as: Option<&'a ResponseId>,
    next_button: usize,
}

impl Renderer<'_> {
    fn header(card: &Card) -> Value {
        let mut items = Vec::new();
        for (n, part) in pieces(&card.title, TEXT_CHARS).into_iter().enumerate() {
            let mut title = json!({"type": "TextBlock", "text": part, "weight": "bolder", "wrap": true});
            if n == 0 {
                title["size"] = json!("large");
                title["style"] = json!("heading");
            } else {
                title["spacing"] = json!("none");
            }
            items.push(title);
        }
        let badges: Vec<&str> = card
            .severity
            .map(Severity::label)
            .into_iter()
            .chain(card.badges.iter().map(String::as_str))
            .collect();
        if !badges.is_empty() {
            let tint = card.severity.map(tone);
            items.extend(text_blocks(&badges.join(" · "), |t| {
                let mut line = json!({
                    "type": "TextBlock", "text": t, "weight": "bolder", "size": "small", "spacing": "none", "wrap": true,
                });
                if let Some(tint) = tint {
                    line["color"] = json!(tint);
                }
                line
            }));
        }
        if let Some(summary) = &card.summary {
            items.extend(text_blocks(summary, |t| json!({"type": "TextBlock", "text": t, "wrap": true})));
        }
        let mut header = container(items, false);
        if let Some(level) = card.severity {
            header["style"] = json!(tone(level));
        }
        header
    }

    fn item(&mut self, n: usize, item: &Item) -> Value {
        let mut title = pieces(&item.title, TEXT_CHARS).into_iter();
        let first = title.next().unwrap_or_default();
        let mut columns = vec![json!({
            "type": "Column",
            "width": "stretch",
            "items": [{
                "type": "TextBlock",
                "text": format!("{n}.\u{00A0}{first}"),
                "weight": "bolder",
                "wrap": true,
            }],
        })];
        if let Some(level) = item.severity {
            columns.push(json!({
                "type": "Column",
                "width": "auto",
                "items": [{
                    "type": "TextBlock", "text": level.label(), "color": tone(level),
                    "weight": "bolder", "size": "small",
                }],
            }));
        }
        let mut items = vec![json!({"type": "ColumnSet", "columns": columns})];
        for part in title {
            items.push(json!({"type": "TextBlock", "text": part, "weight": "bolder", "spacing": "none", "wrap": true}));
        }
        if let Some(subtitle) = &item.subtitle {
            items.extend(text_blocks(subtitle, |t| {
                json!({"type": "TextBlock", "text": t, "isSubtle": true, "spacing": "none", "wrap": true})
            }));
        }
        if !item.facts.is_empty() {
            items.push(fact_set(&item.facts));
        }
        items.extend(self.action_sets(&item.actions));
        let mut row = container(items, true);
        if let Some(level) = item.severity {
            row["style"] = json!(tone(level));
        }
        row
    }

    fn action_sets(&mut self, actions: &[Action]) -> Vec<Value> {
        let buttons: Vec<Value> = actions.iter().map(|a| self.button(a)).collect();
        buttons.chunks(ACTIONS_PER_SET).map(|set| json!({"type": "ActionSet", "actions": set})).collect()
    }

    /// A button: `Action.Execute` (with an `Action.Submit` fallback), or for a rating that asks
    /// for a comment, an `Action.ShowCard` holding the comment box and its submit button.
    fn button(&mut self, action: &Action) -> Value {
        let index = self.next_button;
        self.next_button += 1;
        let data = self.data(&action.payload, index);
        match action.payload.command {
            Command::Rate { rating } if rating.wants_comment() => {
                let question = match rating {
                    Rating::Inappropriate => "What was inappropriate about this answer?",
                    _ => "What was wrong or missing?",
                };
                json!({
                    "type": "Action.ShowCard",
                    "title": shorten(&action.label, LABEL_CHARS),
                    "card": {
                        "type": "AdaptiveCard",
                        "body": [comment_box(rating, question)],
                        "actions": [execute("Send feedback", "secbot.rate", data, ActionStyle::Primary)],
                    },
                })
            }
            ref command => execute(&action.label, verb(command), data, action.style),
        }
    }

    fn data(&self, payload: &Payload, index: usize) -> Value {
        let encoded = payload.encode();
        match self.stored_as {
            Some(reply) if encoded.len() > INLINE_PAYLOAD_BYTES && payload.response_id == *reply => {
                json!({ DATA_REPLY: reply.as_str(), DATA_BUTTON: index })
            }
            _ => json!({ DATA_PAYLOAD: encoded }),
        }
    }
}

fn verb(command: &Command) -> &'static str {
    match command {
        Command::Run { .. } => "secbot.run",
        Command::Ask { .. } => "secbot.ask",
        Command::Confirm { .. } => "secbot.confirm",
        Command::Cancel { .. } => "secbot.cancel",
        Command::Rate { .. } => "secbot.rate",
        Command::Unwatch { .. } => "secbot.unwatch",
        Command::Done { .. } => "secbot.done",
        Command::Snooze { .. } => "secbot.snooze",
    }
}

fn execute(label: &str, verb: &str, data: Value, style: ActionStyle) -> Value {
    let title = shorten(label, LABEL_CHARS);
    let mut submit = json!({"type": "Action.Submit", "title": title, "data": data});
    let mut button = json!({"type": "Action.Execute", "title": title, "verb": verb, "data": data});
    if title != label {
        let tooltip = shorten(label, TEXT_CHARS);
        button["tooltip"] = json!(tooltip);
        submit["tooltip"] = json!(tooltip);
    }
    let style = match style {
        ActionStyle::Default => None,
        ActionStyle::Primary => Some("positive"),
        ActionStyle::Danger => Some("destructive"),
    };
    if let Some(style) = style {
        button["style"] = json!(style);
        submit["style"] = json!(style);
    }
    button["fallback"] = submit;
    button
}

fn comment_box(rating: Rating, question: &str) -> Value {
    json!({
        "type": "Input.Text",
        "id": comment_input_id(rating),
        "label": question,
        "isMultiline": true,
        "maxLength": COMMENT_CHARS,
        "placeholder": "A few words help secbot improve (optional)",
    })
}

/// The container style and the text colour of a severity (the two enums share these names).
fn tone(level: Severity) -> &'static str {
    match level {
        Severity::Critical | Severity::High => "attention",
        Severity::Medium => "warning",
        Severity::Low => "accent",
    }
}

fn container(items: Vec<Value>, separator: bool) -> Value {
    let mut block = json!({"type": "Container", "items": items});
    if separator {
        block["separator"] = json!(true);
        block["spacing"] = json!("medium");
    }
    block
}

fn notice(text: String) -> Value {
    json!({"type": "TextBlock", "text": text, "isSubtle": true, "size": "small", "wrap": true})
}

/// Text escaped and split into pieces of at most `max` characters, each small enough that a
/// `TextBlock` or fact holding it stays within [`TEXT_BLOCK_BYTES`]; nothing is left out.
fn pieces(text: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    split_text(text, max, &mut out);
    out
}

fn split_text(text: &str, max: usize, out: &mut Vec<String>) {
    for piece in chunks(text, max) {
        let escaped = escape(piece);
        if paging::size(&json!(escaped)) > TEXT_BLOCK_BYTES - BLOCK_OVERHEAD_BYTES && max > 1 {
            split_text(piece, max / 2, out);
        } else {
            out.push(escaped);
        }
    }
}

/// Room for a `TextBlock`'s other properties (and a list marker) next to its text.
const BLOCK_OVERHEAD_BYTES: usize = 512;

/// Text as one or more `TextBlock`s built by `make` from its [`pieces`].
fn text_blocks(text: &str, make: impl Fn(String) -> Value) -> Vec<Value> {
    pieces(text, TEXT_CHARS).into_iter().map(make).collect()
}

/// Facts as a `FactSet`; a label or value longer than a block allows continues in further
/// rows (a continued value under "…").
fn fact_set(facts: &[Fact]) -> Value {
    let mut rows = Vec::new();
    for fact in facts {
        let mut labels = pieces(&fact.label, TEXT_CHARS / 4);
        let last = labels.pop().unwrap_or_default();
        for label in labels {
            rows.push(json!({"title": label, "value": ""}));
        }
        for (n, value) in pieces(&fact.value, TEXT_CHARS).into_iter().enumerate() {
            let title = if n == 0 { last.clone() } else { "…".to_owned() };
            rows.push(json!({"title": title, "value": value}));
        }
    }
    json!({"type": "FactSet", "facts": rows})
}

fn section_block(section: &Section) -> Value {
    let mut items = text_blocks(
        &section.heading,
        |t| json!({"type": "TextBlock", "text": t, "weight": "bolder", "wrap": true}),
    );
    for (n, line) in section.lines.iter().enumerate() {
        let marker = if section.numbered { format!("{}.", n + 1) } else { "•".to_owned() };
        for (part, text) in pieces(line, TEXT_CHARS).into_iter().enumerate() {
            let shown = if part == 0 { format!("{marker}\u{00A0}{text}") } else { text };
            items.push(json!({"type": "TextBlock", "text": shown, "wrap": true, "spacing": "small"}));
        }
    }
    container(items, true)
}

/// Teams' `CodeBlock` languages, by secbot's language names.
fn code_language(language: &str) -> &'static str {
    match language.to_ascii_lowercase().as_str() {
        "bash" | "sh" | "shell" | "azure_cli" | "aws_cli" | "gcloud" | "az" => "Bash",
        "powershell" | "pwsh" | "ps1" => "PowerShell",
        "json" => "JSON",
        "python" | "py" => "Python",
        "sql" | "kql" => "SQL",
        "xml" => "XML",
        "javascript" | "js" => "JavaScript",
        "typescript" | "ts" => "TypeScript",
        "go" => "Go",
        "java" => "Java",
        "csharp" | "c#" => "C#",
        "dos" | "cmd" | "batch" => "DOS",
        _ => "PlainText",
    }
}

/// A code block as one or more titled `CodeBlock`s ("part 2 of 3"), each with a monospace
/// fallback; the parts' snippets joined give back the code.
fn code_blocks(code: &CodeBlock) -> Vec<Value> {
    let mut parts = Vec::new();
    split_code(&code.code, crate::limits::CODE_CHARS, &mut parts);
    let total = parts.len();
    let mut line = 1usize;
    let mut blocks = Vec::with_capacity(total);
    for (n, part) in parts.into_iter().enumerate() {
        let title = if total == 1 {
            code.title.clone()
        } else {
            format!("{} (part {} of {total})", code.title, n + 1)
        };
        let mut items = text_blocks(
            &title,
            |t| json!({"type": "TextBlock", "text": t, "weight": "bolder", "wrap": true}),
        );
        items.push(code_element(part, &code.language, line));
        line += part.matches('\n').count();
        blocks.push(container(items, true));
    }
    blocks
}

fn split_code<'a>(code: &'a str, max: usize, out: &mut Vec<&'a str>) {
    for piece in chunks(code, max) {
        if paging::size(&code_element(piece, "", 1)) > paging::CODE_BLOCK_BYTES && max > 1 {
            split_code(piece, max / 2, out);
        } else {
            out.push(piece);
        }
    }
}

fn code_element(code: &str, language: &str, start_line: usize) -> Value {
    let fallback: Vec<String> = code.lines().map(escape_code_line).collect();
    json!({
        "type": "CodeBlock",
        "codeSnippet": code,
        "language": code_language(language),
        "startLineNumber": start_line,
        "fallback": {
            "type": "TextBlock",
            "text": fallback.join("\n\n"),
            "fontType": "monospace",
            "wrap": true,
        },
    })
}

#[cfg(test)]
mod tests;
