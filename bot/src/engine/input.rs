//! Checks on a prompt's text before it is parsed: empty, too long, or not text at all.

/// The longest prompt secbot reads, in characters.
pub const MAX_PROMPT_CHARS: usize = 2_000;

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
    if letters == 0 || odd * 3 > chars {
        return Err(Unreadable::NotText);
    }
    Ok(cleaned)
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
    }
}
