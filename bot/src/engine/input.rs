//! Checks on a prompt's text before it is parsed: empty, too long, or not text at all.

/// The longest prompt secbot reads, in characters.
pub use secbot_skills::intent::MAX_PROMPT_CHARS;

/// What is wrong with a prompt's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unreadable {
    /// Nothing but whitespace.
    Empty,
    /// Longer than [`MAX_PROMPT_CHARS`].
    TooLong(usize),
    /// Mostly control characters, replacement characters or symbols.
    NotText,
}

/// The prompt with control characters removed and whitespace trimmed, or why it can't be read.
pub(crate) fn clean(text: &str) -> Result<String, Unreadable> {
    let chars = text.chars().count();
    if chars > MAX_PROMPT_CHARS {
        return Err(Unreadable::TooLong(chars));
    }
    let odd = text.chars().filter(|c| (c.is_control() && !c.is_whitespace()) || *c == '\u{FFFD}').count();
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .filter(|c| *c != '\u{FFFD}')
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if cleaned.is_empty() && odd == 0 {
        return Err(Unreadable::Empty);
    }
    let letters = cleaned.chars().filter(|c| c.is_alphanumeric()).count();
    // "🙏🙏" or "👍" is a reaction, which the parser reads as small talk.
    let reaction = cleaned.chars().any(is_emoji);
    if (letters == 0 && !reaction) || odd * 3 > chars {
        return Err(Unreadable::NotText);
    }
    Ok(cleaned)
}

/// True for pictographs and the characters that join or vary them.
pub(crate) fn is_emoji(c: char) -> bool {
    matches!(u32::from(c), 0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2300..=0x23FF | 0x2B00..=0x2BFF | 0xFE0F | 0x200D)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_are_cleaned_or_refused_with_a_reason() {
        assert_eq!(clean("  show\tcritical\n risks  "), Ok("show critical risks".to_owned()));
        assert_eq!(clean("   \n\t "), Err(Unreadable::Empty));
        assert_eq!(clean(&"a".repeat(100_000)), Err(Unreadable::TooLong(100_000)));
        assert_eq!(clean("\u{0}\u{1}\u{2}\u{FFFD}\u{FFFD}ab"), Err(Unreadable::NotText));
        assert_eq!(clean("%%% ### !!!"), Err(Unreadable::NotText));
        assert_eq!(clean("é risques critiques"), Ok("é risques critiques".to_owned()));
        assert_eq!(clean("🙏🙏"), Ok("🙏🙏".to_owned()));
    }
}
