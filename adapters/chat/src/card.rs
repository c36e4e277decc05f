//! The platform-neutral card every reply carries; adapters render it as Block Kit, Adaptive
//! Cards or Discord embeds, and [`Card::to_plain_text`] renders it as text.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::action::{Action, Command};
use crate::action::{Rating, ResponseId};
use crate::vocabulary::Severity;

/// A button that opens a web page (the finding in the Azure portal) rather than asking secbot
/// anything; no click reaches secbot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The button label.
    pub label: String,
    /// The page it opens (https only).
    pub url: String,
}

impl Link {
    /// The longest URL a link may have (Discord's limit, the strictest of the platforms).
    pub const MAX_URL: usize = 512;

    /// True when every platform can show it: an `https://` URL of at most [`Link::MAX_URL`]
    /// characters without spaces, quotes or control characters. Renderers leave out the rest.
    pub fn is_showable(&self) -> bool {
        self.url.starts_with("https://")
            && self.url.len() <= Link::MAX_URL
            && !self
                .url
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\\'))
    }
}

/// A label and a value, shown side by side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    /// What the value is ("Owner").
    pub label: String,
    /// The value ("dana@contoso.com").
    pub value: String,
}

impl Fact {
    /// A fact from a label and a value.
    pub fn new(label: impl Into<String>, value: impl Into<String>) -> Fact {
        Fact { label: label.into(), value: value.into() }
    }
}

/// A headed block of text lines, such as "Why it matters" or "Steps".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// The heading.
    pub heading: String,
    /// The lines, each a sentence or a step.
    pub lines: Vec<String>,
    /// Whether the lines are numbered steps rather than bullet points.
    #[serde(default)]
    pub numbered: bool,
}

/// One row of a list, such as a finding, with its own buttons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// The main line ("Management ports should be closed on your virtual machines").
    pub title: String,
    /// A second line ("vm-web-01 · virtual machine · Contoso Production").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// Risk level or severity badge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// Details, such as risk factors or the owner.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<Fact>,
    /// The item's own buttons.
    #[serde(default)]
    pub actions: Vec<Action>,
}

/// A block of code or a script, with the language it is written in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeBlock {
    /// What the code is ("Azure CLI").
    pub title: String,
    /// The language for highlighting (`bash`, `powershell`, `bicep`, `hcl`).
    pub language: String,
    /// The code itself.
    pub code: String,
}

/// The footer every answer carries: "How's this response?" and the three rating buttons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Footer {
    /// The question ("How's this response?").
    pub question: String,
    /// Looks right / Needs improvement / Inappropriate.
    pub actions: Vec<Action>,
}

impl Footer {
    /// The question every footer asks.
    pub const QUESTION: &'static str = "How's this response?";

    /// The feedback footer for one reply.
    pub fn for_response(response_id: &ResponseId) -> Footer {
        Footer {
            question: Footer::QUESTION.to_owned(),
            actions: Rating::ALL
                .into_iter()
                .map(|rating| Action::new(rating.label(), response_id, Command::Rate { rating }))
                .collect(),
        }
    }
}

/// A platform-neutral card: the body of every reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    /// The title.
    pub title: String,
    /// One or two sentences under the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The severity badge of the whole card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// Short labels shown with the title ("Limited capacity").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub badges: Vec<String>,
    /// Label/value pairs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<Fact>,
    /// Headed blocks of text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<Section>,
    /// The rows of a list.
    #[serde(default)]
    pub items: Vec<Item>,
    /// The number the first row is shown with: a list's second page continues at 6.
    #[serde(default, skip_serializing_if = "first_is_one")]
    pub first_item: usize,
    /// Code and scripts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub code: Vec<CodeBlock>,
    /// The card's own buttons.
    #[serde(default)]
    pub actions: Vec<Action>,
    /// Buttons that open a page elsewhere, shown after the card's own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// A picture drawn by the server (a digest's trend), shown where the platform shows images.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<crate::Chart>,
    /// Notes about the answer itself: usage, limited capacity, what was left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<String>,
    /// The feedback footer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub footer: Option<Footer>,
}

fn first_is_one(first: &usize) -> bool {
    *first <= 1
}

impl Card {
    /// The number a row is shown with (its 0-based index on this card plus where the card's
    /// list starts), so "the 7th" means the same row to everyone.
    pub fn item_number(&self, index: usize) -> usize {
        self.first_item.max(1) + index
    }

    /// A card with only a title.
    pub fn titled(title: impl Into<String>) -> Card {
        Card { title: title.into(), ..Card::default() }
    }

    /// Every button, in the order they are shown: each item's, the card's, then the footer's.
    pub fn buttons(&self) -> impl Iterator<Item = &Action> {
        self.items
            .iter()
            .flat_map(|item| item.actions.iter())
            .chain(self.actions.iter())
            .chain(self.footer.iter().flat_map(|footer| footer.actions.iter()))
    }

    /// The card as plain text, for notifications, screen readers and logs.
    pub fn to_plain_text(&self) -> String {
        self.render_text(false)
    }

    /// The card as plain text with each button numbered in [`Card::buttons`] order, so a
    /// terminal user can press one by number.
    pub fn to_numbered_text(&self) -> String {
        self.render_text(true)
    }

    fn render_text(&self, numbered: bool) -> String {
        let mut out = String::new();
        let mut button = 0usize;
        let mut buttons = |actions: &[Action], out: &mut String, indent: &str| {
            if actions.is_empty() {
                return;
            }
            out.push_str(indent);
            let labels: Vec<String> = actions
                .iter()
                .map(|action| {
                    button += 1;
                    if numbered {
                        format!("[{button}: {}]", action.label)
                    } else {
                        format!("[{}]", action.label)
                    }
                })
                .collect();
            out.push_str(&labels.join(" "));
            out.push('\n');
        };

        match self.severity {
            Some(level) => writeln!(out, "[{}] {}", level.label(), self.title),
            None => writeln!(out, "{}", self.title),
        }
        .ok();
        if !self.badges.is_empty() {
            writeln!(out, "({})", self.badges.join(", ")).ok();
        }
        if let Some(summary) = &self.summary {
            writeln!(out, "{summary}").ok();
        }
        for fact in &self.facts {
            writeln!(out, "{}: {}", fact.label, fact.value).ok();
        }
        for section in &self.sections {
            writeln!(out, "\n{}", section.heading).ok();
            for (n, line) in section.lines.iter().enumerate() {
                if section.numbered {
                    writeln!(out, "  {}. {line}", n + 1).ok();
                } else {
                    writeln!(out, "  - {line}").ok();
                }
            }
        }
        if !self.items.is_empty() {
            out.push('\n');
        }
        for (n, item) in self.items.iter().enumerate() {
            match item.severity {
                Some(level) => writeln!(out, "{}. [{}] {}", self.item_number(n), level.label(), item.title),
                None => writeln!(out, "{}. {}", self.item_number(n), item.title),
            }
            .ok();
            if let Some(subtitle) = &item.subtitle {
                writeln!(out, "   {subtitle}").ok();
            }
            for fact in &item.facts {
                writeln!(out, "   {}: {}", fact.label, fact.value).ok();
            }
            buttons(&item.actions, &mut out, "   ");
        }
        for block in &self.code {
            writeln!(out, "\n{} ({}):\n{}", block.title, block.language, block.code.trim_end()).ok();
        }
        if !self.actions.is_empty() {
            out.push('\n');
            buttons(&self.actions, &mut out, "");
        }
        for notice in &self.notices {
            writeln!(out, "Note: {notice}").ok();
        }
        if let Some(footer) = &self.footer {
            write!(out, "{} ", footer.question).ok();
            buttons(&footer.actions, &mut out, "");
        }
        out.trim_end().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slots::Intent;

    fn sample() -> Card {
        let id = ResponseId("r1".into());
        Card {
            title: "Critical risks".into(),
            first_item: 1,
            summary: Some("2 findings match.".into()),
            severity: Some(Severity::Critical),
            items: vec![Item {
                title: "Management ports should be closed".into(),
                subtitle: Some("vm-web-01".into()),
                severity: Some(Severity::Critical),
                facts: vec![Fact::new("Risk factors", "Internet exposure")],
                actions: vec![Action::run("Remediate", &id, Intent::Remediate, None)],
            }],
            actions: vec![Action::run("Summarize", &id, Intent::Summarize, None)],
            footer: Some(Footer::for_response(&id)),
            ..Card::default()
        }
    }

    #[test]
    fn buttons_are_listed_items_first_then_card_then_footer() {
        let card = sample();
        let labels: Vec<&str> = card.buttons().map(|a| a.label.as_str()).collect();
        assert_eq!(labels, ["Remediate", "Summarize", "Looks right", "Needs improvement", "Inappropriate"]);
    }

    #[test]
    fn numbered_text_numbers_buttons_in_the_same_order() {
        let text = sample().to_numbered_text();
        assert!(text.starts_with("[Critical] Critical risks\n2 findings match."), "{text}");
        assert!(text.contains("1. [Critical] Management ports should be closed\n   vm-web-01\n   Risk factors: Internet exposure\n   [1: Remediate]"));
        assert!(text.contains("[2: Summarize]"));
        assert!(
            text.ends_with("How's this response? [3: Looks right] [4: Needs improvement] [5: Inappropriate]")
        );
        assert!(!sample().to_plain_text().contains("1: Remediate"));
    }

    #[test]
    fn the_documented_json_always_has_items_and_actions() {
        let json = serde_json::to_value(Card::titled("Hi")).unwrap();
        assert_eq!(json, serde_json::json!({"title": "Hi", "items": [], "actions": []}));
    }
}
