//! help: what secbot can do, with sample prompts as buttons.

use secbot_chat::{Action, Card, Fact, ResponseId, Section};

use super::{Answer, Request, SKILLS};

/// The prompts suggested on an empty thread and in help, most useful first.
pub const STARTERS: [&str; 6] = [
    "Show critical risks for publicly exposed resources",
    "Show critical risks to sensitive data",
    "Show resources with high severity vulnerabilities",
    "What's overdue?",
    "Show attack paths to sensitive data",
    "Summarize our posture",
];

/// Buttons that ask the first `n` starter prompts.
pub fn starters(response_id: &ResponseId, n: usize) -> Vec<Action> {
    STARTERS.iter().take(n).map(|p| Action::ask(*p, response_id, *p)).collect()
}

/// Suggested prompts for a platform's command menu (Teams command lists, Discord choices):
/// (prompt, what it does) pairs, one per skill, each prompt the skill's first example that fits
/// `max_prompt` characters and each description cut to `max_description`.
pub fn menu(max_prompt: usize, max_description: usize) -> Vec<(String, String)> {
    SKILLS
        .iter()
        .filter_map(|skill| {
            let prompt = skill.examples.iter().find(|e| e.chars().count() <= max_prompt)?;
            let mut description: String = skill.description.chars().take(max_description).collect();
            if description.chars().count() < skill.description.chars().count() {
                description.pop();
                description.push('…');
            }
            Some(((*prompt).to_owned(), description))
        })
        .collect()
}

fn label(name: &str) -> &'static str {
    match name {
        "list_risks" => "Find risks",
        "summarize" => "Summarize",
        "explain" => "Explain",
        "remediate" => "Fix",
        "delegate" => "Delegate",
        "attack_paths" => "Attack paths",
        "status" => "Track work",
        _ => "Help",
    }
}

pub(crate) fn run(req: &Request<'_>) -> Answer {
    let mut card = Card::titled("What secbot can do");
    card.summary = Some(
        "Ask about your cloud security posture in plain words. In a thread, follow-ups such as \"how do I fix the 2nd one?\" or \"assign it to @dana by Friday\" stay about what the thread is about."
            .to_owned(),
    );
    card.sections.push(Section {
        heading: "What you can ask".to_owned(),
        lines: SKILLS
            .iter()
            .filter(|s| s.name != "help")
            .map(|s| format!("{} — {} e.g. \"{}\"", label(s.name), s.description, s.examples[0]))
            .collect(),
        numbered: false,
    });
    card.sections.push(Section {
        heading: "On call".to_owned(),
        lines: vec![
            "Watch — post each new finding that matches as its own thread, and say when it is fixed, e.g. \"watch critical risks for publicly exposed resources\"; \"watches\" lists them.".to_owned(),
            "Digest — a daily or weekly summary with a trend chart, e.g. \"send a digest every Monday at 9:00\"; \"digest\" shows one now.".to_owned(),
            "Reminders — delegated work is reminded before it is due and when overdue, with Done and Snooze buttons.".to_owned(),
        ],
        numbered: false,
    });
    let info = req.source.info();
    card.facts
        .push(Fact::new("Data", if info.offline { format!("{} (offline)", info.name) } else { info.name }));
    card.actions = starters(req.response_id, 4);
    Answer::card(card)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_menu_offers_one_fitting_prompt_per_skill() {
        let menu = menu(32, 128);
        assert!(menu.len() >= 6, "{menu:?}");
        assert!(
            menu.iter().all(|(p, d)| p.chars().count() <= 32 && d.chars().count() <= 128 && !d.is_empty())
        );
        assert!(menu.iter().any(|(p, _)| p == "What's overdue?"));
        let tight = super::menu(32, 20);
        assert!(tight.iter().all(|(_, d)| d.ends_with('…') && d.chars().count() == 20), "{tight:?}");
    }
}
