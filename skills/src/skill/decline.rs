//! The answer to prompts secbot refuses (unsafe) or declines (out of scope): a plain sentence
//! that says why, and what it can do instead.

use secbot_chat::{Action, Card, Intent};

use super::{Answer, Request, help};
use crate::intent::{DeclineReason, UnsafeReason};

pub(crate) fn run(req: &Request<'_>) -> Answer {
    let (title, summary) = match (req.parse.intent, req.parse.refusal, req.parse.decline) {
        (Intent::Unsafe, Some(UnsafeReason::Injection), _) => (
            "I can't do that",
            "My rules are the same in every conversation and a message can't change them. Ask me about your security posture instead.",
        ),
        (Intent::Unsafe, Some(UnsafeReason::Secrets), _) => (
            "I can't share secrets",
            "secbot never reads or shows secrets, keys, tokens, passwords or connection strings. If a credential may be exposed, rotate it; I can show the related findings and how to fix them.",
        ),
        (Intent::Unsafe, Some(UnsafeReason::Exfiltration), _) => (
            "I only answer here",
            "I don't send security data to other channels, email addresses, partners or public places. Share findings through your organization's approved process.",
        ),
        (Intent::Unsafe, Some(UnsafeReason::Destructive), _) => (
            "I don't make destructive changes",
            "I don't delete resources or turn off protections such as Defender, MFA or firewalls. I can show what's wrong with a resource and how to fix it safely.",
        ),
        (Intent::Unsafe, Some(UnsafeReason::MassMention), _) => (
            "I don't notify everyone",
            "I never mention @here, @channel or @everyone. To hand work to someone, assign it to a named person with a due date.",
        ),
        (Intent::Unsafe, Some(UnsafeReason::ScoreGaming), _) => (
            "I won't hide findings to move the score",
            "Exempting or hiding findings in bulk makes the dashboard look better without making anything safer, and auditors see through it. I can rank the fixes that raise your secure score the most, or help you request an exemption for one finding with a real reason.",
        ),
        (Intent::Unsafe, Some(UnsafeReason::Offensive), _) => (
            "I don't help attack systems",
            "I won't write exploits, break into machines, crack credentials or evade detection. To show a risk is real, I can explain what an attacker could reach from it (attack paths) and how to close it.",
        ),
        (Intent::Unsafe, _, _) => (
            "That's outside what I'm allowed to do",
            "I only see the subscriptions this channel is scoped to, and every change I record needs your confirmation first. Ask about what this channel can see.",
        ),
        (_, _, Some(DeclineReason::SmallTalk)) => (
            "Happy to help",
            "Whenever you're ready, ask me about your cloud security posture: risks, fixes, owners and attack paths.",
        ),
        (_, _, Some(DeclineReason::Operation)) => (
            "I don't change resources",
            "I don't restart, scale, deploy or create resources. I can show the risks on a resource and give you the steps and scripts to fix them.",
        ),
        (_, _, Some(DeclineReason::Uncovered)) => (
            "I can't answer that yet",
            "That's a fair security question, but secbot has no data for it: it reads Defender for Cloud's posture and security alerts (findings, alerts, secure score, attack paths and who owns what), not compliance mappings, SIEM queries, sign-in logs or costs. These are the closest things I can do:",
        ),
        _ => (
            "That's outside what I do",
            "I answer questions about your cloud security posture: risks, fixes, owners and attack paths.",
        ),
    };
    let mut card = Card::titled(title);
    card.summary = Some(summary.to_owned());
    card.actions = if req.parse.decline == Some(DeclineReason::Uncovered) {
        nearest(req)
    } else {
        help::starters(req.response_id, 3)
    };
    // A refused prompt that names a resource leaves the thread about that resource.
    Answer { card, subject: req.subject.cloned(), direct: Vec::new() }
}

/// Buttons for the skills nearest to what was asked, by their descriptions and examples;
/// the starter prompts when none is near.
fn nearest(req: &Request<'_>) -> Vec<Action> {
    let ranked: Vec<Action> = super::rank::rank(&req.prompt.text)
        .into_iter()
        .take(3)
        .filter_map(|(intent, _)| {
            let example =
                super::info(intent).examples.iter().find(|e| !e.contains("this") && !e.contains(" it "))?;
            Some(Action::ask(*example, req.response_id, *example))
        })
        .collect();
    if ranked.is_empty() { help::starters(req.response_id, 3) } else { ranked }
}
