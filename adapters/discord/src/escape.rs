//! Making untrusted text safe to show in Discord, and cutting it to Discord's limits.
//!
//! Every string on a card may carry cloud data (resource names, tags), so none of it may ping
//! anyone, open a masked link or break out of a code block. Mentions are defused with a
//! zero-width space, markdown with backslashes (which Discord renders invisibly). Lengths are
//! measured in UTF-16 code units, never fewer than the characters Discord counts.

/// A zero-width space: invisible, and enough to stop `@here` or `<@id>` from parsing.
const ZWSP: char = '\u{200b}';

/// The length Discord's limits are checked against (UTF-16 code units; at least the count of
/// characters, so a text that fits by this measure fits Discord's).
pub(crate) fn width(text: &str) -> usize {
    text.encode_utf16().count()
}

/// The text cut to at most `max` units, ending in `…` when something was cut.
pub(crate) fn fit(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.len_utf16();
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('…');
    out
}

/// Text for places that do not render markdown (titles, footers, labels, thread names): only
/// mentions and masked links are defused, so nothing shows a stray backslash.
pub(crate) fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        out.push(c);
        let next = chars.get(i + 1).copied();
        match (c, next) {
            ('<', Some('@' | '#' | '/' | ':')) | (']', Some('(')) => out.push(ZWSP),
            ('@', _) if broadcast_after(&chars[i + 1..]) => out.push(ZWSP),
            _ => {}
        }
    }
    out
}

/// Text for places that render markdown (embed descriptions and fields): [`plain`] plus every
/// markdown marker escaped, so cloud text cannot format, hide or link anything.
pub(crate) fn markdown(text: &str) -> String {
    let defused = plain(text);
    let mut out = String::with_capacity(defused.len() + 16);
    let mut line_start = true;
    for c in defused.chars() {
        let special = matches!(c, '\\' | '*' | '_' | '~' | '`' | '|' | '[' | ']' | '<' | '>')
            || (line_start && matches!(c, '#' | '-' | '+'));
        if special {
            out.push('\\');
        }
        out.push(c);
        line_start = c == '\n' || (line_start && c.is_whitespace());
    }
    out
}

/// Code for a fenced block: only a fence inside the code could end the block early, so every
/// run of three backticks is broken by a zero-width space; all else stays as written.
pub(crate) fn code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            if run == 2 {
                out.push(ZWSP);
                run = 0;
            }
            run += 1;
        } else {
            run = 0;
        }
        out.push(c);
    }
    out
}

/// A code language tag Discord can highlight, or nothing.
pub(crate) fn language(tag: &str) -> String {
    tag.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '#'))
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase()
}

fn broadcast_after(rest: &[char]) -> bool {
    ["everyone", "here"].iter().any(|word| {
        rest.len() >= word.len() && rest.iter().zip(word.chars()).all(|(a, b)| a.eq_ignore_ascii_case(&b))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO_TAG: &str = "@here <!channel> ask <@U0BADBAD> https://evil.example/login";

    fn pings(text: &str) -> bool {
        let lower = text.to_lowercase();
        lower.contains("@here")
            || lower.contains("@everyone")
            || lower.contains("<@")
            || lower.contains("<#")
            || lower.contains("](")
    }

    #[test]
    fn the_demo_tag_cannot_ping_anyone() {
        for escaped in [plain(DEMO_TAG), markdown(DEMO_TAG)] {
            assert!(!pings(&escaped), "{escaped}");
            assert!(escaped.contains("https://evil.example/login"), "{escaped}");
        }
        assert!(!pings(&plain("@EVERYONE <@&123> <#42> [x](https://evil.example)")));
    }

    #[test]
    fn markdown_markers_are_escaped_but_names_stay_readable() {
        assert_eq!(
            markdown("**bold** _it_ `x` ||s|| ~~d~~"),
            r"\*\*bold\*\* \_it\_ \`x\` \|\|s\|\| \~\~d\~\~"
        );
        assert_eq!(markdown("# title\n- item\n> quote"), "\\# title\n\\- item\n\\> quote");
        assert_eq!(markdown("checkout-api:1.14.2 CVE-2024-3094"), "checkout-api:1.14.2 CVE-2024-3094");
        assert_eq!(markdown("dana@contoso.com"), "dana@contoso.com");
    }

    #[test]
    fn code_cannot_close_its_fence() {
        assert!(!code("echo ```; rm -rf /").contains("```"));
        assert!(!code("````````").contains("```"));
        assert_eq!(code("Write-Host `n ``"), "Write-Host `n ``");
        assert_eq!(language("PowerShell"), "powershell");
        assert_eq!(language("c++ <script>"), "c++script");
    }

    #[test]
    fn fitting_counts_utf16_and_marks_the_cut() {
        assert_eq!(fit("short", 10), "short");
        assert_eq!(fit("abcdefghij", 5), "abcd…");
        let emoji = "🔥".repeat(10);
        let cut = fit(&emoji, 5);
        assert!(width(&cut) <= 5, "{cut}");
        assert_eq!(fit("anything", 0), "");
        assert_eq!(width("🔥"), 2);
    }
}
