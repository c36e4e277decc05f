//! The common [`Card`] rendered as Block Kit: header, mrkdwn sections, fields for facts, context
//! for badges and notices, rich-text code blocks with their language, and buttons that carry
//! their action. Slack's limits are respected by splitting, never by cutting silently: long text
//! spreads over several sections, and a card larger than one message continues in the next.

use secbot_chat::{Action, ActionStyle, ButtonRef, Card, CommentForm, Link, Payload, ResponseId, Severity};
use serde::{Deserialize, Serialize};
use slack_morphism::prelude::*;

/// Blocks in one message.
pub const MAX_BLOCKS: usize = 50;
/// Characters in a section's text.
pub const MAX_SECTION: usize = 3_000;
/// Characters in one field.
pub const MAX_FIELD: usize = 2_000;
/// Fields in one section.
pub const MAX_FIELDS: usize = 10;
/// Characters in a header.
pub const MAX_HEADER: usize = 150;
/// Characters in a button label.
pub const MAX_LABEL: usize = 75;
/// Characters in a button value.
pub const MAX_VALUE: usize = 2_000;
/// Buttons in one actions block.
pub const MAX_ACTIONS: usize = 25;
/// Elements in one context block.
pub const MAX_CONTEXT: usize = 10;
/// Characters of the plain-text fallback kept for notifications.
pub const MAX_FALLBACK: usize = 3_000;
/// Characters in a modal's title.
const MAX_MODAL_TITLE: usize = 24;

/// The prefix of every button's `action_id`; the rest is the button's index in
/// [`Card::buttons`] order.
pub const ACTION_PREFIX: &str = "secbot:";
/// A button `value` that refers to the stored reply because the payload is too long to carry.
pub const STORED_PREFIX: &str = "stored:";
/// The `callback_id` of the feedback modal.
pub const FEEDBACK_CALLBACK: &str = "secbot_feedback";
/// The block and action id of the feedback modal's text box.
pub const COMMENT_INPUT: &str = "comment";

/// One Slack message of a rendered card: its blocks and its plain-text fallback.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// At most [`MAX_BLOCKS`] blocks.
    pub blocks: Vec<SlackBlock>,
    /// The notification and screen-reader text.
    pub text: String,
}

impl Message {
    /// The message as slack-morphism content.
    pub fn content(&self) -> SlackMessageContent {
        SlackMessageContent::new().with_text(self.text.clone()).with_blocks(self.blocks.clone())
    }
}

/// Escapes text from cloud data or people for mrkdwn: `&`, `<` and `>` become entities, so
/// nothing can ping `<!channel>`, mention a user or hide a link.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Splits text into pieces of at most `max` characters, at line breaks where it can, then at
/// spaces, then anywhere.
pub fn split(text: &str, max: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while rest.chars().count() > max {
        let cut = rest.char_indices().nth(max).map_or(rest.len(), |(i, _)| i);
        let head = &rest[..cut];
        let at = head
            .rfind('\n')
            .filter(|&i| i > 0)
            .or_else(|| head.rfind(' ').filter(|&i| i > 0))
            .map_or(cut, |i| i + 1);
        // Never split inside an escaped entity.
        let at = match rest[..at].rfind('&') {
            Some(amp) if !rest[amp..at].contains(';') && at - amp < 6 && amp > 0 => amp,
            _ => at,
        };
        pieces.push(rest[..at].trim_end_matches('\n').to_owned());
        rest = &rest[at..];
    }
    if !rest.is_empty() || pieces.is_empty() {
        pieces.push(rest.to_owned());
    }
    pieces
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn mrkdwn(text: String) -> SlackBlockText {
    SlackBlockText::MarkDown(SlackBlockMarkDownText::new(text))
}

/// Plain text within `max` characters; never empty, which Slack refuses (and with it the whole
/// message).
fn plain(text: &str, max: usize) -> SlackBlockPlainTextOnly {
    let text = if text.trim().is_empty() { "—" } else { text };
    SlackBlockPlainTextOnly::from(clip(text, max))
}

fn emoji(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => ":red_circle:",
        Severity::High => ":large_orange_circle:",
        Severity::Medium => ":large_yellow_circle:",
        Severity::Low => ":large_blue_circle:",
    }
}

fn sections(text: &str) -> impl Iterator<Item = SlackBlock> {
    split(text, MAX_SECTION).into_iter().map(|piece| SlackSectionBlock::new().with_text(mrkdwn(piece)).into())
}

fn context(texts: Vec<String>) -> Vec<SlackBlock> {
    let elements: Vec<String> =
        texts.into_iter().flat_map(|t| split(&t, MAX_FIELD)).filter(|t| !t.is_empty()).collect();
    elements
        .chunks(MAX_CONTEXT)
        .map(|chunk| {
            SlackContextBlock::new(
                chunk
                    .iter()
                    .map(|t| SlackContextBlockElement::MarkDown(SlackBlockMarkDownText::new(t.clone())))
                    .collect(),
            )
            .into()
        })
        .collect()
}

/// Turns a button into Block Kit; `index` is its place in [`Card::buttons`].
fn button(action: &Action, index: usize) -> SlackActionBlockElement {
    let encoded = action.payload.encode();
    let value = if encoded.chars().count() <= MAX_VALUE {
        encoded
    } else {
        format!("{STORED_PREFIX}{}", action.payload.response_id)
    };
    let mut element = SlackBlockButtonElement::new(plain(&action.label, MAX_LABEL))
        .with_action_id(format!("{ACTION_PREFIX}{index}").into())
        .with_value(value);
    if action.label.chars().count() > MAX_LABEL {
        element = element.with_accessibility_label(clip(&action.label, MAX_LABEL).into());
    }
    match action.style {
        ActionStyle::Primary => element.with_style(SlackBlockButtonStyle::Primary),
        ActionStyle::Danger => element.with_style(SlackBlockButtonStyle::Danger),
        ActionStyle::Default => element,
    }
    .into()
}

/// The card's link buttons: they open a page and carry nothing secbot reads (a click still
/// reaches interactivity, where an action id without secbot's prefix is ignored).
fn links(links: &[Link]) -> Vec<SlackBlock> {
    let buttons: Vec<SlackActionBlockElement> = links
        .iter()
        .filter(|l| l.is_showable())
        .filter_map(|l| Some((l, l.url.parse().ok()?)))
        .enumerate()
        .map(|(n, (link, url))| {
            SlackBlockButtonElement::new(plain(&link.label, MAX_LABEL))
                .with_action_id(format!("link-{n}").into())
                .with_url(url)
                .into()
        })
        .collect();
    if buttons.is_empty() {
        return Vec::new();
    }
    vec![SlackActionsBlock::new(buttons).into()]
}

fn actions(buttons: &[(usize, &Action)]) -> Vec<SlackBlock> {
    buttons
        .chunks(MAX_ACTIONS)
        .map(|chunk| SlackActionsBlock::new(chunk.iter().map(|(i, a)| button(a, *i)).collect()).into())
        .collect()
}

fn code(title: &str, language: &str, text: &str) -> Vec<SlackBlock> {
    let pieces = split(text.trim_end(), MAX_SECTION);
    let count = pieces.len();
    pieces
        .into_iter()
        .enumerate()
        .map(|(n, piece)| {
            let heading = if count > 1 { format!("{title} ({}/{count})", n + 1) } else { title.to_owned() };
            SlackRichTextBlock::new(vec![
                SlackRichTextSection::new(vec![SlackRichTextInlineElement::Text(
                    SlackRichTextText::new(heading).bold(),
                )])
                .into(),
                SlackRichTextPreformatted::new(vec![SlackRichTextInlineElement::Text(
                    SlackRichTextText::new(piece),
                )])
                .with_language(language.to_owned())
                .into(),
            ])
            .into()
        })
        .collect()
}

/// Renders a card as one or more Slack messages (more only when it exceeds [`MAX_BLOCKS`]);
/// `fallback` is the plain text for notifications.
pub fn render(card: &Card, fallback: &str) -> Vec<Message> {
    paginate(card_blocks(card, Vec::new()), &card.title, fallback)
}

/// Renders a card posted on someone's behalf (a slash command's answer), opening with who
/// asked what, since Slack does not show the command itself.
pub fn render_asked(card: &Card, fallback: &str, user: &str, question: &str) -> Vec<Message> {
    let preface = context(vec![format!("<@{user}> asked: _{}_", escape(question))]);
    paginate(card_blocks(card, preface), &card.title, fallback)
}

fn card_blocks(card: &Card, preface: Vec<SlackBlock>) -> Vec<SlackBlock> {
    let mut blocks: Vec<SlackBlock> = preface;
    let mut index = 0usize;
    let mut next = |n: usize| {
        let start = index;
        index += n;
        start
    };

    let title = escape(&card.title);
    blocks.push(SlackHeaderBlock::new(plain(&card.title, MAX_HEADER)).into());
    if card.title.chars().count() > MAX_HEADER {
        blocks.extend(sections(&format!("*{title}*")));
    }
    let mut badges: Vec<String> = Vec::new();
    if let Some(level) = card.severity {
        badges.push(format!("{} *{}*", emoji(level), level.label()));
    }
    badges.extend(card.badges.iter().map(|b| escape(b)));
    if !badges.is_empty() {
        blocks.extend(context(vec![badges.join("  ·  ")]));
    }
    if let Some(summary) = &card.summary {
        blocks.extend(sections(&escape(summary)));
    }
    let fields: Vec<SlackBlockText> = card
        .facts
        .iter()
        .flat_map(|fact| {
            let text = format!("*{}*\n{}", escape(&fact.label), escape(&fact.value));
            split(&text, MAX_FIELD)
        })
        .map(mrkdwn)
        .collect();
    for chunk in fields.chunks(MAX_FIELDS) {
        blocks.push(SlackSectionBlock::new().with_fields(chunk.to_vec()).into());
    }
    for section in &card.sections {
        let mut text = format!("*{}*", escape(&section.heading));
        for (n, line) in section.lines.iter().enumerate() {
            let bullet = if section.numbered { format!("{}.", n + 1) } else { "•".to_owned() };
            text.push_str(&format!("\n{bullet} {}", escape(line)));
        }
        blocks.extend(sections(&text));
    }
    for (n, item) in card.items.iter().enumerate() {
        blocks.push(SlackDividerBlock::new().into());
        let mut text = match item.severity {
            Some(level) => format!("{} *{}. {}*", emoji(level), card.item_number(n), escape(&item.title)),
            None => format!("*{}. {}*", card.item_number(n), escape(&item.title)),
        };
        if let Some(subtitle) = &item.subtitle {
            text.push('\n');
            text.push_str(&escape(subtitle));
        }
        blocks.extend(sections(&text));
        if !item.facts.is_empty() {
            blocks.extend(context(
                item.facts.iter().map(|f| format!("*{}:* {}", escape(&f.label), escape(&f.value))).collect(),
            ));
        }
        let start = next(item.actions.len());
        let numbered: Vec<(usize, &Action)> =
            item.actions.iter().enumerate().map(|(i, a)| (start + i, a)).collect();
        blocks.extend(actions(&numbered));
    }
    if !card.items.is_empty() {
        blocks.push(SlackDividerBlock::new().into());
    }
    for block in &card.code {
        blocks.extend(code(&block.title, &block.language, &block.code));
    }
    let start = next(card.actions.len());
    let numbered: Vec<(usize, &Action)> =
        card.actions.iter().enumerate().map(|(i, a)| (start + i, a)).collect();
    blocks.extend(actions(&numbered));
    blocks.extend(links(&card.links));
    if !card.notices.is_empty() {
        blocks.extend(context(
            card.notices.iter().map(|n| format!(":information_source: {}", escape(n))).collect(),
        ));
    }
    if let Some(footer) = &card.footer {
        blocks.extend(context(vec![escape(&footer.question)]));
        let start = next(footer.actions.len());
        let numbered: Vec<(usize, &Action)> =
            footer.actions.iter().enumerate().map(|(i, a)| (start + i, a)).collect();
        blocks.extend(actions(&numbered));
    }
    blocks
}

/// Splits blocks into messages of at most [`MAX_BLOCKS`]; each continuation says so.
fn paginate(blocks: Vec<SlackBlock>, title: &str, fallback: &str) -> Vec<Message> {
    // The top-level text is read as mrkdwn and drives notifications: escape it like the rest.
    let escaped = escape(fallback);
    let mut pieces = split(&escaped, MAX_FALLBACK - 1);
    let first = if pieces.len() > 1 { format!("{}…", pieces.swap_remove(0)) } else { escaped };
    if blocks.len() <= MAX_BLOCKS {
        return vec![Message { blocks, text: first }];
    }
    let mut messages = Vec::new();
    let mut rest = blocks.into_iter().peekable();
    let mut part = 1;
    while rest.peek().is_some() {
        let mut page: Vec<SlackBlock> = Vec::new();
        if part > 1 {
            page.extend(context(vec![format!("_{} (continued, part {part})_", escape(title))]));
        }
        while page.len() < MAX_BLOCKS {
            match rest.next() {
                Some(block) => page.push(block),
                None => break,
            }
        }
        let text = if part == 1 {
            first.clone()
        } else {
            format!("{} (continued, part {part})", escape(&clip(title, 200)))
        };
        messages.push(Message { blocks: page, text });
        part += 1;
    }
    messages
}

/// What the feedback modal remembers about the click that opened it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModalContext {
    /// The form (reply and rating).
    pub form: CommentForm,
    /// The channel of the rated card.
    pub channel: String,
    /// The thread of the rated card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<String>,
}

/// The modal asking for a few words about a rating.
pub fn comment_modal(context: &ModalContext) -> SlackView {
    let input = SlackBlockPlainTextInputElement::new()
        .with_action_id(COMMENT_INPUT.into())
        .with_multiline(true)
        .with_max_length(2_000)
        .with_placeholder(plain("A few words help secbot get it right next time", 150));
    let form = &context.form;
    SlackView::Modal(
        SlackModalView::new(
            plain(&form.title, MAX_MODAL_TITLE),
            vec![
                SlackSectionBlock::new()
                    .with_text(mrkdwn(format!("You rated this answer *{}*.", form.rating.label())))
                    .into(),
                SlackInputBlock::new(
                    plain(&form.question, 2_000),
                    SlackInputBlockElement::PlainTextInput(input),
                )
                .with_block_id(COMMENT_INPUT.into())
                .into(),
            ],
        )
        .with_callback_id(FEEDBACK_CALLBACK.into())
        .with_submit(plain("Send", MAX_MODAL_TITLE))
        .with_close(plain("Cancel", MAX_MODAL_TITLE))
        .with_private_metadata(serde_json::to_string(context).unwrap_or_default()),
    )
}

/// Decodes a clicked button from its `action_id` and `value`; `None` if it is not secbot's.
pub fn pressed(action_id: &str, value: Option<&str>) -> Option<Result<ButtonRef, secbot_chat::ActionError>> {
    let index: usize = action_id.strip_prefix(ACTION_PREFIX)?.parse().ok()?;
    let value = value.unwrap_or_default();
    Some(match value.strip_prefix(STORED_PREFIX) {
        Some(id) => Ok(ButtonRef::Stored { response_id: ResponseId(id.to_owned()), index }),
        None => Payload::decode(value).map(|p| ButtonRef::Inline(Box::new(p))),
    })
}

#[cfg(test)]
mod tests;
