//! Making untrusted text inert in Adaptive Card `TextBlock`s and facts, which Teams renders as
//! Markdown: no link, no auto-linked URL, no `<at>` mention tag, no HTML entity, no emphasis.
//!
//! Teams clients disagree on Markdown backslash escapes, so everything that could make a link
//! or a mention is broken with a zero-width space (U+200B), which every client shows as
//! nothing; emphasis characters get a backslash escape.

/// The zero-width space that breaks link, URL, tag and entity syntax without changing what a
/// person sees.
const ZWSP: char = '\u{200B}';

/// `text` as literal Markdown for a `TextBlock`: lines become paragraphs, and nothing in it
/// can become a link, a mention, an entity or formatting.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (n, line) in text.lines().enumerate() {
        if n > 0 {
            out.push_str("\n\n");
        }
        escape_line(line, &mut out);
    }
    out
}

fn escape_line(line: &str, out: &mut String) {
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' | '*' | '_' | '~' | '`' | '[' => {
                out.push('\\');
                out.push(c);
            }
            ']' => {
                out.push_str("\\]");
                if chars.get(i + 1) == Some(&'(') {
                    out.push(ZWSP);
                }
            }
            '<' | '&' => {
                out.push(c);
                out.push(ZWSP);
            }
            ':' if chars.get(i + 1) == Some(&'/') && chars.get(i + 2) == Some(&'/') => {
                out.push(':');
                out.push(ZWSP);
            }
            'w' | 'W' if starts_www(&chars[i..]) && (i == 0 || !chars[i - 1].is_alphanumeric()) => {
                out.extend(&chars[i..i + 3]);
                out.push(ZWSP);
                i += 3;
                continue;
            }
            '\t' => out.push_str("    "),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
        i += 1;
    }
}

fn starts_www(chars: &[char]) -> bool {
    chars.len() >= 4 && chars[..3].iter().all(|c| c.eq_ignore_ascii_case(&'w')) && chars[3] == '.'
}

/// A code line for a monospace `TextBlock`: escaped like [`escape`], with leading spaces kept
/// as no-break spaces so indentation survives Markdown.
pub(crate) fn escape_code_line(line: &str) -> String {
    let trimmed = line.trim_start_matches([' ', '\t']);
    let indent: usize =
        line[..line.len() - trimmed.len()].chars().map(|c| if c == '\t' { 4 } else { 1 }).sum();
    let mut out: String = std::iter::repeat_n('\u{00A0}', indent).collect();
    escape_line(trimmed, &mut out);
    out
}

/// Splits text into pieces of at most `max` characters, at a space or line break where there
/// is one in the second half of the piece; joining the pieces gives back the text.
pub(crate) fn chunks(text: &str, max: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while rest.chars().count() > max {
        let hard = rest.char_indices().nth(max).map_or(rest.len(), |(at, _)| at);
        let half = rest.char_indices().nth(max / 2).map_or(0, |(at, _)| at);
        let cut = rest[..hard].rfind([' ', '\n']).filter(|at| *at >= half).map_or(hard, |at| at + 1);
        pieces.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    pieces.push(rest);
    pieces
}

/// Shortens `text` to at most `max` characters, ending with "…" when anything was left out.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_tag_values_cannot_mention_or_link() {
        let tag = "@here <!channel> ask <@U0BADBAD> https://evil.example/login";
        let safe = escape(tag);
        assert!(!safe.contains("<!"), "{safe}");
        assert!(!safe.contains("<@"), "{safe}");
        assert!(!safe.contains("://"), "{safe}");
        assert_eq!(safe.replace(ZWSP, ""), tag, "only invisible characters were added");
    }

    #[test]
    fn markdown_links_and_at_tags_are_broken() {
        let safe = escape("[click](https://evil.example) <at>Dana</at> www.evil.example &lt;at&gt;");
        assert!(!safe.contains("]("), "{safe}");
        assert!(!safe.contains("<at>"), "{safe}");
        assert!(!safe.contains("www."), "{safe}");
        assert!(!safe.contains("&lt;"), "{safe}");
        assert!(safe.starts_with("\\[click\\]\u{200B}("), "{safe}");
    }

    #[test]
    fn emphasis_is_escaped_and_lines_become_paragraphs() {
        assert_eq!(escape("a *b* _c_\nnext"), "a \\*b\\* \\_c\\_\n\nnext");
        assert_eq!(escape("C:\\temp"), "C:\\\\temp");
        assert_eq!(escape("bell\u{7}"), "bell ");
        assert_eq!(escape("awww.x"), "awww.x", "only a word starting with www. is broken");
    }

    #[test]
    fn code_keeps_its_indentation() {
        assert_eq!(escape_code_line("  az vm *"), "\u{00A0}\u{00A0}az vm \\*");
        assert_eq!(escape_code_line("\tx"), "\u{00A0}\u{00A0}\u{00A0}\u{00A0}x");
    }

    #[test]
    fn chunks_join_back_to_the_text() {
        let text = "word ".repeat(1000);
        let pieces = chunks(&text, 300);
        assert!(pieces.len() > 10);
        assert!(pieces.iter().all(|p| p.chars().count() <= 300));
        assert_eq!(pieces.concat(), text);
        let solid = "x".repeat(1001);
        let pieces = chunks(&solid, 250);
        assert_eq!(pieces.len(), 5);
        assert_eq!(pieces.concat(), solid);
        assert_eq!(chunks("", 10), vec![""]);
        let wide = "é".repeat(30);
        assert_eq!(chunks(&wide, 7).concat(), wide);
    }

    #[test]
    fn shortened_labels_say_so() {
        assert_eq!(shorten("short", 10), "short");
        assert_eq!(shorten("a longer label", 8), "a longe…");
        assert_eq!(shorten("a longer label", 8).chars().count(), 8);
    }
}
