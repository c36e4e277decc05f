//! Slack's message text read back into words: mentions of secbot removed, other people's
//! mentions collected (for delegation) and written as `@U…`, channel and link markup reduced to
//! their labels, and Slack's three entities decoded.

/// One piece of a Slack message's markup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token<'a> {
    /// Plain text, still entity-encoded.
    Text(&'a str),
    /// `<@U123>` or `<@U123|name>`.
    User(&'a str),
    /// `<#C123|general>`, `<!here>`, `<https://…|label>`: shown as this label.
    Label(String),
}

/// Splits Slack markup into text, user mentions and labelled references.
pub fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>').map(|i| open + i) else { break };
        if open > 0 {
            out.push(Token::Text(&rest[..open]));
        }
        let inner = &rest[open + 1..close];
        let (target, label) = match inner.split_once('|') {
            Some((target, label)) => (target, Some(label)),
            None => (inner, None),
        };
        out.push(match target.chars().next() {
            Some('@') => Token::User(&target[1..]),
            Some('#') => Token::Label(format!("#{}", label.unwrap_or(&target[1..]))),
            Some('!') => {
                let name = target[1..].split('^').next().unwrap_or_default();
                Token::Label(format!("@{}", label.unwrap_or(name)))
            }
            _ => Token::Label(label.unwrap_or(target).to_owned()),
        });
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        out.push(Token::Text(rest));
    }
    out
}

/// Decodes the three entities Slack encodes in message text.
pub fn unescape(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// A message's text made readable: secbot's own mention removed, other users kept as `@U…`,
/// and the ids of the users mentioned, in order and without repeats.
pub fn read(text: &str, bot_user: Option<&str>) -> (String, Vec<String>) {
    let mut words = String::with_capacity(text.len());
    let mut mentioned: Vec<String> = Vec::new();
    for token in tokens(text) {
        match token {
            Token::Text(t) => words.push_str(&unescape(t)),
            Token::User(id) if Some(id) == bot_user => {}
            Token::User(id) => {
                words.push('@');
                words.push_str(id);
                if !mentioned.iter().any(|m| m == id) {
                    mentioned.push(id.to_owned());
                }
            }
            Token::Label(label) => words.push_str(&unescape(&label)),
        }
    }
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    (words, mentioned)
}

/// True when the text mentions the given user.
pub fn mentions(text: &str, user: &str) -> bool {
    tokens(text).iter().any(|t| matches!(t, Token::User(id) if *id == user))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bots_mention_goes_and_people_stay_as_ids() {
        let (text, people) = read("<@U0BOT> assign it to <@U0DANA|dana> by Friday", Some("U0BOT"));
        assert_eq!(text, "assign it to @U0DANA by Friday");
        assert_eq!(people, ["U0DANA"]);
    }

    #[test]
    fn channels_links_and_broadcasts_become_their_labels() {
        let (text, people) = read(
            "<@U0BOT> see <#C024BE7LR|sec-oncall> and <https://portal.azure.com|the portal> &lt;now&gt; <!here>",
            Some("U0BOT"),
        );
        assert_eq!(text, "see #sec-oncall and the portal <now> @here");
        assert!(people.is_empty());
    }

    #[test]
    fn repeated_mentions_are_listed_once_and_unclosed_markup_is_text() {
        let (text, people) = read("<@U1> and <@U1> and <@U2> <oops", None);
        assert_eq!(text, "@U1 and @U1 and @U2 <oops");
        assert_eq!(people, ["U1", "U2"]);
        assert!(mentions("hi <@U2>", "U2"));
        assert!(!mentions("hi U2", "U2"));
    }
}
