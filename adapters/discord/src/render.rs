//! A card as a Discord message: embeds and buttons within every Discord limit.
//!
//! The card's severity is the embed colour; facts are inline fields; each list item is a field
//! with its buttons in an action row; code is fenced in its own embed, split across fields when
//! long. Buttons are budgeted (25 in all): the footer's ratings first, then the card's own
//! actions, then item actions by item. Whatever does not fit is named in the embed footer
//! rather than cut silently. All card text is escaped (see [`crate::escape`]) and every message
//! allows no mentions except, for an owner's notice, that owner.

use std::collections::HashSet;
use std::num::NonZeroU64;

use secbot_chat::{Action, ActionStyle, Card, CodeBlock, DirectMessage, Reply, ResponseId, Severity};
use serenity::builder::{
    CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed, CreateEmbedFooter,
    CreateInteractionResponseFollowup, CreateInteractionResponseMessage, CreateMessage,
    EditInteractionResponse,
};
use serenity::model::application::ButtonStyle;
use serenity::model::channel::MessageFlags;
use serenity::model::id::UserId;

use crate::custom_id;
use crate::escape::{code, fit, language, markdown, plain, width};
use crate::limits::{
    CONTENT, DESCRIPTION, EMBEDS, EMBEDS_TOTAL, FIELD_NAME, FIELD_VALUE, FIELDS, FOOTER, LABEL, ROW_BUTTONS,
    ROWS, TITLE,
};

/// Characters of the footer kept for the card's notices.
const NOTICES_MAX: usize = 1_000;
/// Characters of the footer kept for saying what was left out.
const LEFT_OUT_MAX: usize = 500;
/// Characters of the description kept for the badges and summary, so a long summary still
/// leaves room for the list.
const HEAD_MAX: usize = 1_500;
/// The shortest tail of a text worth showing cut rather than leaving out.
const WORTH_CUTTING: usize = 60;
/// The colour of a card without a severity (Discord's blurple).
const NEUTRAL: u32 = 0x5865F2;

/// A message ready to send: what every response, edit and follow-up body is made of.
#[derive(Debug, Clone, Default)]
pub(crate) struct Message {
    /// The text above the embeds (only an owner's notice uses it).
    pub content: String,
    /// The card.
    pub embeds: Vec<CreateEmbed>,
    /// The buttons.
    pub components: Vec<CreateActionRow>,
    /// The one person this message may ping.
    pub mention: Option<UserId>,
}

impl Message {
    /// A message of one plain sentence, for errors and acknowledgements.
    pub fn note(text: &str) -> Message {
        Message { content: fit(&markdown(text), CONTENT), ..Message::default() }
    }

    fn allowed_mentions(&self) -> CreateAllowedMentions {
        let allowed = CreateAllowedMentions::new().empty_users().empty_roles();
        match self.mention {
            Some(user) => allowed.users([user]),
            None => allowed,
        }
    }

    /// The `data` of an interaction response of type 4 (new message) or 7 (update).
    pub fn response(self, ephemeral: bool) -> CreateInteractionResponseMessage {
        let allowed = self.allowed_mentions();
        let data = CreateInteractionResponseMessage::new()
            .content(self.content)
            .embeds(self.embeds)
            .components(self.components)
            .allowed_mentions(allowed);
        if ephemeral { data.ephemeral(true) } else { data }
    }

    /// The body of `PATCH …/messages/@original`.
    pub fn edit(self) -> EditInteractionResponse {
        let allowed = self.allowed_mentions();
        EditInteractionResponse::new()
            .content(self.content)
            .embeds(self.embeds)
            .components(self.components)
            .allowed_mentions(allowed)
    }

    /// The body of `POST /channels/{channel}/messages`, for answers to messages read from the
    /// Gateway.
    pub fn create(self) -> CreateMessage {
        let allowed = self.allowed_mentions();
        CreateMessage::new()
            .content(self.content)
            .embeds(self.embeds)
            .components(self.components)
            .allowed_mentions(allowed)
    }

    /// The body of a follow-up `POST /webhooks/{app}/{token}`.
    pub fn follow_up(self, ephemeral: bool) -> CreateInteractionResponseFollowup {
        let allowed = self.allowed_mentions();
        let mut body = CreateInteractionResponseFollowup::new()
            .content(self.content)
            .embeds(self.embeds)
            .components(self.components)
            .allowed_mentions(allowed);
        if ephemeral {
            body = body.flags(MessageFlags::EPHEMERAL);
        }
        body
    }
}

/// A reply as the body Discord receives when the deferred answer is edited in
/// (`PATCH /webhooks/{application_id}/{token}/messages/@original`): embeds, components and
/// `allowed_mentions`. Exposed so tests and tools can check real cards against
/// [`crate::limits::violations`].
pub fn message(reply: &Reply) -> serde_json::Value {
    serde_json::to_value(render(reply).edit()).unwrap_or_default()
}

/// Where a button whose payload is too long for a `custom_id` can be found again.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Lookup<'a> {
    /// The card is stored as this reply: its buttons are referred to by position.
    Own(&'a ResponseId),
    /// The card goes with this stored reply (an owner's notice): a button is referred to by the
    /// reply's button with the same payload, and cannot be carried without one.
    Alongside(&'a Reply),
}

impl Lookup<'_> {
    fn custom_id(self, slot: &Slot<'_>) -> Option<String> {
        match self {
            Lookup::Own(response_id) => custom_id::stored(response_id, slot.index),
            Lookup::Alongside(reply) => reply
                .card
                .buttons()
                .position(|a| a.payload == slot.action.payload)
                .and_then(|index| custom_id::stored(&reply.response_id, index)),
        }
    }
}

/// Renders a reply's card; its buttons can refer to the stored reply by position.
pub(crate) fn render(reply: &Reply) -> Message {
    card(&reply.card, Lookup::Own(&reply.response_id))
}

/// Tells a delegated owner about their assignment (sent with `reply`), pinging only them.
pub(crate) fn notice(direct: &DirectMessage, reply: &Reply) -> Message {
    let mut message = card(&direct.card, Lookup::Alongside(reply));
    let user = direct.to.id.parse::<NonZeroU64>().ok().map(UserId::from);
    let lead = match user {
        Some(user) => format!("<@{user}> "),
        None => format!("{} — ", plain(&direct.to.name)),
    };
    message.content = fit(&format!("{lead}{}", plain(&direct.card.title)), CONTENT);
    message.mention = user;
    message
}

/// Renders a card; `lookup` says how buttons whose payload is too long for a `custom_id` are
/// found again (those that cannot be are left out, and said to be).
pub(crate) fn card(card: &Card, lookup: Lookup<'_>) -> Message {
    let mut left_out = Vec::new();
    let components = buttons(card, lookup, &mut left_out);
    let embeds = embeds(card, &mut left_out);
    Message { content: String::new(), embeds, components, mention: None }
}

fn colour(severity: Option<Severity>) -> u32 {
    match severity {
        Some(Severity::Critical) => 0xB91C1C,
        Some(Severity::High) => 0xEA580C,
        Some(Severity::Medium) => 0xEAB308,
        Some(Severity::Low) => 0x2563EB,
        None => NEUTRAL,
    }
}

fn badge(severity: Option<Severity>) -> String {
    severity.map(|s| format!("[{}] ", s.label())).unwrap_or_default()
}

/// One embed being filled.
#[derive(Default)]
struct Draft {
    title: String,
    description: String,
    fields: Vec<(String, String, bool)>,
}

/// The embeds of a message being filled within the per-message character budget.
struct Embeds {
    drafts: Vec<Draft>,
    left: usize,
}

impl Embeds {
    fn current(&mut self) -> &mut Draft {
        if self.drafts.is_empty() {
            self.drafts.push(Draft::default());
        }
        let last = self.drafts.len() - 1;
        &mut self.drafts[last]
    }

    /// Room for a field: in the current embed, or in a new one while embeds remain.
    fn field_room(&mut self) -> bool {
        if self.current().fields.len() < FIELDS {
            return true;
        }
        if self.drafts.len() < EMBEDS {
            self.drafts.push(Draft::default());
            return true;
        }
        false
    }

    /// Adds a field if it fits (its value cut when worth it); false when it does not.
    fn field(&mut self, name: &str, value: &str, inline: bool) -> bool {
        let name = if name.trim().is_empty() { "—".to_owned() } else { fit(name, FIELD_NAME) };
        let value = if value.trim().is_empty() { "—".to_owned() } else { value.to_owned() };
        let room = self.left.saturating_sub(width(&name));
        if !self.field_room() || room < WORTH_CUTTING.min(width(&value)) {
            return false;
        }
        let value = fit(&value, FIELD_VALUE.min(room));
        self.left -= width(&name) + width(&value);
        self.current().fields.push((name, value, inline));
        true
    }
}

fn embeds(card: &Card, left_out: &mut Vec<String>) -> Vec<CreateEmbed> {
    let title = fit(&plain(&format!("{}{}", badge(card.severity), card.title)), TITLE);
    let title = if title.trim().is_empty() { "secbot".to_owned() } else { title };
    let notices = fit(
        &card.notices.iter().map(|n| format!("Note: {}", plain(n))).collect::<Vec<_>>().join("\n"),
        NOTICES_MAX,
    );
    let question = card.footer.as_ref().map(|f| fit(&plain(&f.question), 200)).unwrap_or_default();
    let reserved = width(&notices) + width(&question) + LEFT_OUT_MAX + 2;
    let mut out = Embeds { drafts: Vec::new(), left: EMBEDS_TOTAL - width(&title) - reserved };
    out.current().title = title;

    let mut head = String::new();
    if !card.badges.is_empty() {
        let badges: Vec<String> = card.badges.iter().map(|b| format!("**{}**", markdown(b))).collect();
        head.push_str(&badges.join(" · "));
        head.push('\n');
    }
    if let Some(summary) = &card.summary {
        head.push_str(&markdown(summary));
    }
    let head = fit(head.trim_end(), HEAD_MAX.min(out.left));
    out.left -= width(&head);
    out.current().description = head;

    let mut facts_shown = 0;
    for fact in &card.facts {
        if !out.field(&markdown(&fact.label), &markdown(&fact.value), true) {
            break;
        }
        facts_shown += 1;
    }
    if facts_shown < card.facts.len() {
        left_out.push(format!(
            "{} of {} facts are left out.",
            card.facts.len() - facts_shown,
            card.facts.len()
        ));
    }

    let mut items_shown = 0;
    for (n, item) in card.items.iter().enumerate() {
        let level = item.severity.map(|s| format!("{} · ", s.label())).unwrap_or_default();
        let name = markdown(&format!("{}. {level}{}", card.item_number(n), item.title));
        let mut value = Vec::new();
        if let Some(subtitle) = &item.subtitle {
            value.push(markdown(subtitle));
        }
        for fact in &item.facts {
            value.push(format!("**{}:** {}", markdown(&fact.label), markdown(&fact.value)));
        }
        if !out.field(&name, &value.join("\n"), false) {
            break;
        }
        items_shown += 1;
    }
    if items_shown < card.items.len() {
        left_out.push(format!(
            "Items {}–{} don't fit in one Discord message; ask about them by number, e.g. \"explain the {}\".",
            items_shown + 1,
            card.items.len(),
            ordinal(items_shown + 1)
        ));
    }

    let mut text_cut = false;
    let mut description = std::mem::take(&mut out.drafts[0].description);
    let mut description_width = width(&description);
    'sections: for section in &card.sections {
        let mut block = vec![format!("**{}**", markdown(&section.heading))];
        for (n, line) in section.lines.iter().enumerate() {
            let marker = if section.numbered { format!("{}. ", n + 1) } else { "• ".to_owned() };
            block.push(format!("{marker}{}", markdown(line)));
        }
        for (i, line) in block.iter().enumerate() {
            let separator = match (description.is_empty(), i) {
                (true, _) => "",
                (false, 0) => "\n\n",
                (false, _) => "\n",
            };
            let room = (DESCRIPTION - description_width).min(out.left);
            let needed = width(separator) + width(line);
            if needed <= room {
                description.push_str(separator);
                description.push_str(line);
                description_width += needed;
                out.left -= needed;
            } else {
                if room >= WORTH_CUTTING + width(separator) {
                    let cut = fit(line, room - width(separator));
                    description.push_str(separator);
                    description.push_str(&cut);
                    out.left -= width(separator) + width(&cut);
                }
                text_cut = true;
                break 'sections;
            }
        }
    }
    out.drafts[0].description = description;
    if text_cut {
        left_out.push("Some of the text is left out to fit Discord's 6,000-character limit.".to_owned());
    }

    for block in &card.code {
        code_embed(&mut out, block, left_out);
    }

    let mut footer: Vec<String> = Vec::new();
    if !notices.is_empty() {
        footer.push(notices);
    }
    if !left_out.is_empty() {
        footer.push(fit(&plain(&left_out.join(" ")), LEFT_OUT_MAX));
    }
    if !question.is_empty() {
        footer.push(question);
    }
    let footer = fit(&footer.join("\n"), FOOTER);
    let colour = colour(card.severity);
    let count = out.drafts.len();
    out.drafts
        .into_iter()
        .enumerate()
        .map(|(i, draft)| {
            let mut embed = CreateEmbed::new().colour(colour);
            if !draft.title.is_empty() {
                embed = embed.title(draft.title);
            }
            if !draft.description.is_empty() {
                embed = embed.description(draft.description);
            }
            embed = embed.fields(draft.fields);
            if i + 1 == count && !footer.is_empty() {
                embed = embed.footer(CreateEmbedFooter::new(footer.clone()));
            }
            embed
        })
        .collect()
}

/// Adds a code block as its own embed: the first part in the description, the rest in fields,
/// each part fenced; what does not fit is named.
fn code_embed(out: &mut Embeds, block: &CodeBlock, left_out: &mut Vec<String>) {
    let lang = language(&block.language);
    let fence_open = format!("```{lang}\n");
    let fence = width(&fence_open) + width("\n```");
    let title = fit(&plain(&block.title), TITLE);
    let lines: Vec<String> = code(block.code.trim_end()).lines().map(str::to_owned).collect();
    let total = lines.len();
    if out.drafts.len() >= EMBEDS || out.left < width(&title) + fence + WORTH_CUTTING {
        left_out
            .push(format!("The {} code doesn't fit in this message; ask for it on its own.", block.title));
        return;
    }
    out.left -= width(&title);
    out.drafts.push(Draft { title, ..Draft::default() });

    let mut shown = 0;
    let mut first = true;
    while shown < total {
        let limit = if first { DESCRIPTION } else { FIELD_VALUE };
        let name = "(continued)";
        let overhead = fence + if first { 0 } else { width(name) };
        if !first && !out.field_room() {
            break;
        }
        let room = limit.min(out.left).saturating_sub(overhead);
        if room < WORTH_CUTTING {
            break;
        }
        let mut part = String::new();
        let mut used = 0;
        while shown < total {
            let line = &lines[shown];
            let extra = width(line) + usize::from(!part.is_empty());
            if used + extra <= room {
                if !part.is_empty() {
                    part.push('\n');
                }
                part.push_str(line);
                used += extra;
                shown += 1;
            } else if part.is_empty() {
                part = fit(line, room);
                used = width(&part);
                shown += 1;
            } else {
                break;
            }
        }
        let fenced = format!("{fence_open}{part}\n```");
        out.left -= width(&fenced) + if first { 0 } else { width(name) };
        let draft = out.current();
        if first {
            draft.description = fenced;
        } else {
            draft.fields.push((name.to_owned(), fenced, false));
        }
        first = false;
    }
    if shown < total {
        left_out.push(format!(
            "{}: {shown} of {total} lines shown; the rest doesn't fit in a Discord message.",
            block.title
        ));
    }
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn style(action: &Action) -> ButtonStyle {
    match action.style {
        ActionStyle::Primary => ButtonStyle::Primary,
        ActionStyle::Danger => ButtonStyle::Danger,
        ActionStyle::Default => ButtonStyle::Secondary,
    }
}

/// A button with its place in [`Card::buttons`] order and the label it is shown with.
struct Slot<'a> {
    index: usize,
    action: &'a Action,
    label: String,
}

impl<'a> Slot<'a> {
    /// The button after the `index` ones already numbered.
    fn next(index: &mut usize, action: &'a Action, prefix: String) -> Slot<'a> {
        *index += 1;
        Slot { index: *index - 1, action, label: format!("{prefix}{}", action.label) }
    }
}

/// Lays the card's buttons out in at most five rows of five: the footer's ratings on the last
/// row, the card's own actions above it, and item actions (whole items, in order) in the rows
/// left.
fn buttons(card: &Card, lookup: Lookup<'_>, left_out: &mut Vec<String>) -> Vec<CreateActionRow> {
    let mut index = 0;
    let items: Vec<(usize, Vec<Slot>)> = card
        .items
        .iter()
        .enumerate()
        .map(|(n, item)| {
            (n + 1, item.actions.iter().map(|a| Slot::next(&mut index, a, format!("{}. ", n + 1))).collect())
        })
        .collect();
    let own: Vec<Slot> = card.actions.iter().map(|a| Slot::next(&mut index, a, String::new())).collect();
    let ratings: Vec<Slot> = card
        .footer
        .iter()
        .flat_map(|f| &f.actions)
        .map(|a| Slot::next(&mut index, a, String::new()))
        .collect();

    let mut ids = HashSet::new();
    let mut unsendable = Vec::new();
    let mut id_of = |slot: &Slot| -> Option<String> {
        let inline = custom_id::inline(&slot.action.payload).filter(|id| !ids.contains(id));
        let id = inline.or_else(|| lookup.custom_id(slot));
        match id {
            Some(id) if ids.insert(id.clone()) => Some(id),
            _ => {
                unsendable.push(slot.label.clone());
                None
            }
        }
    };
    let mut to_button = |slot: &Slot| {
        id_of(slot).map(|id| {
            let label = fit(&plain(&slot.label), LABEL);
            let label = if label.trim().is_empty() { "…".to_owned() } else { label };
            CreateButton::new(id).label(label).style(style(slot.action))
        })
    };

    let mut rows_left = ROWS;
    let mut footer_rows = Vec::new();
    for chunk in ratings.chunks(ROW_BUTTONS).take(rows_left) {
        footer_rows.push(chunk.iter().filter_map(&mut to_button).collect::<Vec<_>>());
    }
    rows_left -= footer_rows.len();
    let mut link_row: Vec<CreateButton> = card
        .links
        .iter()
        .filter(|l| l.is_showable())
        .take(ROW_BUTTONS)
        .map(|l| {
            let label = fit(&plain(&l.label), LABEL);
            let label = if label.trim().is_empty() { "Open".to_owned() } else { label };
            CreateButton::new_link(l.url.clone()).label(label)
        })
        .collect();
    if rows_left == 0 {
        link_row.clear();
    } else if !link_row.is_empty() {
        rows_left -= 1;
    }
    let own_rows_needed = own.len().div_ceil(ROW_BUTTONS);
    let own_rows = own_rows_needed.min(rows_left);
    let mut card_rows = Vec::new();
    for chunk in own.chunks(ROW_BUTTONS).take(own_rows) {
        card_rows.push(chunk.iter().filter_map(&mut to_button).collect::<Vec<_>>());
    }
    if own_rows < own_rows_needed {
        left_out.push(format!(
            "{} of the card's buttons are left out (Discord allows 25).",
            own.len() - own_rows * ROW_BUTTONS
        ));
    }
    rows_left -= own_rows;

    let mut slots_left = rows_left * ROW_BUTTONS;
    let mut item_buttons = Vec::new();
    let mut first_missing = None;
    for (n, slots) in &items {
        if slots.is_empty() {
            continue;
        }
        if first_missing.is_none() && slots.len() <= slots_left {
            slots_left -= slots.len();
            item_buttons.extend(slots.iter().filter_map(&mut to_button));
        } else {
            first_missing.get_or_insert(*n);
        }
    }
    if let Some(first) = first_missing {
        left_out.push(format!(
            "Buttons for items {first}–{} are left out (Discord allows 25); ask instead, e.g. \"how do I fix the {}?\"",
            items.len(),
            ordinal(first)
        ));
    }
    if !unsendable.is_empty() {
        left_out.push(format!("Not shown here: {}; ask secbot for them instead.", unsendable.join(", ")));
    }

    let mut rows: Vec<Vec<CreateButton>> = item_buttons.chunks(ROW_BUTTONS).map(<[_]>::to_vec).collect();
    rows.extend(card_rows);
    rows.push(link_row);
    rows.extend(footer_rows);
    rows.into_iter().filter(|row| !row.is_empty()).map(CreateActionRow::Buttons).collect()
}

#[cfg(test)]
mod tests;
