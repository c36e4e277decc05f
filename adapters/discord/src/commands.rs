//! The application command list secbot registers (`/secbot ask` and `/secbot help`), and its
//! registration.

use serde_json::{Value, json};

use crate::api::{Api, ApiError};
use crate::options::DiscordOptions;

/// The longest command or option description Discord accepts.
const DESCRIPTION: usize = 100;
/// The skill whose description describes `/secbot help`.
const HELP_SKILL: &str = "help";

/// The application command list: one `secbot` slash command (`CHAT_INPUT`) with the
/// subcommands `ask` (a required string option `prompt`) and `help`, usable in servers and in
/// direct messages with the bot. `skills` are the skills' `(name, description)` in the order
/// help lists them: the names make up `ask`'s description and the `help` skill's description
/// is `help`'s. The result is what `manifest/discord/commands.json` holds and what
/// [`register`] sends.
pub fn commands(skills: &[(&str, &str)]) -> Value {
    let names: Vec<String> = skills
        .iter()
        .filter(|(name, _)| *name != HELP_SKILL)
        .map(|(name, _)| name.replace('_', " "))
        .collect();
    let help = skills
        .iter()
        .find(|(name, _)| *name == HELP_SKILL)
        .map_or("What secbot can do, with prompts to try.", |(_, description)| description);
    json!([{
        "name": "secbot",
        "type": 1,
        "description": "secbot, a security copilot for your cloud security posture",
        "contexts": [0, 1],
        "integration_types": [0],
        "options": [
            {
                "type": 1,
                "name": "ask",
                "description": listing("Ask about your posture: ", &names),
                "options": [{
                    "type": 3,
                    "name": "prompt",
                    "description": "Your question, e.g. show critical risks; mention a member to delegate to them",
                    "required": true,
                }],
            },
            {
                "type": 1,
                "name": "help",
                "description": shorten(help),
            },
        ],
    }])
}

/// Replaces the application's global commands with `commands` (Discord's bulk overwrite,
/// `PUT /applications/{app_id}/commands` with the bot token), retrying 429 after
/// `Retry-After`; returns how many commands Discord now has.
pub async fn register(options: &DiscordOptions, commands: &Value) -> Result<usize, ApiError> {
    let registered = Api::new(options).put_commands(commands).await?;
    Ok(registered.as_array().map_or(0, Vec::len))
}

/// `lead` and as many of `names` as fit in a description, with `…` when some are left out.
fn listing(lead: &str, names: &[String]) -> String {
    for shown in (0..=names.len()).rev() {
        let mut text = format!("{lead}{}", names[..shown].join(", "));
        if shown < names.len() {
            text.push_str(", …");
        }
        if text.chars().count() <= DESCRIPTION {
            return text;
        }
    }
    shorten(lead.trim_end_matches([' ', ':']))
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= DESCRIPTION {
        return text.to_owned();
    }
    let cut: String = text.chars().take(DESCRIPTION - 1).collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SKILLS: [(&str, &str); 3] = [
        ("list_risks", "Lists open findings ranked by risk."),
        ("attack_paths", "Shows attack paths."),
        ("help", "Says what secbot can do, with sample prompts to try."),
    ];

    fn descriptions(value: &Value, out: &mut Vec<(String, String)>) {
        if let Some(d) = value.get("description").and_then(Value::as_str) {
            out.push((value["name"].as_str().unwrap_or_default().to_owned(), d.to_owned()));
        }
        for child in
            value.as_array().into_iter().flatten().chain(value["options"].as_array().into_iter().flatten())
        {
            descriptions(child, out);
        }
    }

    #[test]
    fn the_command_has_ask_with_a_required_prompt_and_help() {
        let list = commands(&SKILLS);
        let secbot = &list[0];
        assert_eq!(secbot["name"], "secbot");
        assert_eq!(secbot["type"], 1);
        assert_eq!(secbot["options"][0]["name"], "ask");
        assert_eq!(secbot["options"][0]["description"], "Ask about your posture: list risks, attack paths");
        assert_eq!(secbot["options"][0]["options"][0]["name"], "prompt");
        assert_eq!(secbot["options"][0]["options"][0]["type"], 3);
        assert_eq!(secbot["options"][0]["options"][0]["required"], true);
        assert_eq!(secbot["options"][1]["name"], "help");
        assert_eq!(secbot["options"][1]["description"], SKILLS[2].1);
    }

    #[test]
    fn names_and_descriptions_respect_discords_limits_for_any_skill_list() {
        let long = "x".repeat(300);
        let many: Vec<(String, String)> = (0..40)
            .map(|n| (format!("skill_number_{n}"), long.clone()))
            .chain([("help".into(), long.clone())])
            .collect();
        let borrowed: Vec<(&str, &str)> = many.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        for list in [commands(&SKILLS), commands(&borrowed), commands(&[])] {
            let mut found = Vec::new();
            descriptions(&list, &mut found);
            assert_eq!(found.len(), 4);
            for (name, description) in found {
                assert!((1..=32).contains(&name.len()), "{name}");
                assert!(
                    name.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
                );
                assert!((1..=100).contains(&description.chars().count()), "{name}: {description}");
            }
        }
        let crowded = commands(&borrowed);
        assert!(crowded[0]["options"][0]["description"].as_str().unwrap().ends_with(", …"));
    }
}
