//! Turning a prompt into words: lowercasing, quoted phrases, tokens, typo correction, stems.

use rustc_hash::FxHashSet;
use std::sync::OnceLock;

/// How people address secbot in a message (the platforms strip their own mention markup).
const BOT_HANDLE: &str = "@secbot";

/// What a resource name becomes in [`Text::words`].
pub(crate) const NAME: &str = "_name_";

/// A prompt broken into the forms the parser works on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Text {
    /// The prompt as written, with typographic quotes made plain.
    pub(crate) original: String,
    /// The prompt, lowercase, with nothing removed (for markup such as `</card>`).
    pub(crate) raw: String,
    /// Phrases the prompt put in quotes, as written.
    pub(crate) quoted: Vec<String>,
    /// Whole tokens, lowercase, as written (resource names, mentions, dates stay whole).
    pub(crate) tokens: Vec<String>,
    /// Words after splitting hyphenated words and correcting typos; resource names are
    /// replaced by [`NAME`] so their parts ("vm" in "vm-web-01") are not read as words.
    pub(crate) words: Vec<String>,
    /// The resource names found, in order.
    pub(crate) names: Vec<String>,
    /// `words` joined by single spaces, for phrase patterns.
    pub(crate) norm: String,
}

impl Text {
    /// Joins a first and a last name written apart into the one handle `is_handle` knows ("li
    /// wei" is li.wei), so the person is read as one word.
    pub(crate) fn join_names(&mut self, is_handle: &dyn Fn(&str) -> bool) {
        let mut i = 0;
        let mut joined = false;
        while i + 1 < self.words.len() {
            let handle = format!("{}.{}", self.words[i], self.words[i + 1]);
            if is_handle(&handle) {
                self.words.splice(i..i + 2, [handle]);
                joined = true;
            }
            i += 1;
        }
        if joined {
            self.norm = self.words.join(" ");
        }
    }

    /// Reads a prompt; tokens for which `is_name` holds (resource names) stay whole.
    pub(crate) fn new(prompt: &str, vocabulary: &Vocabulary, is_name: &dyn Fn(&str) -> bool) -> Text {
        let prompt = without_courtesy(prompt);
        let cleaned: String = prompt
            .chars()
            .map(|c| match c {
                '\u{2018}' | '\u{2019}' | '`' => '\'',
                '\u{201C}' | '\u{201D}' => '"',
                c if c.is_control() => ' ',
                c => c,
            })
            .collect();
        let quoted = quoted_phrases(&cleaned);
        let raw = cleaned.to_lowercase();
        let lowered = match raw.contains("w/") {
            true => std::borrow::Cow::Owned(raw.replace("w/o", "without").replace("w/", "with ")),
            false => std::borrow::Cow::Borrowed(raw.as_str()),
        };
        let tokens: Vec<String> = lowered.split_whitespace().filter_map(clean_token).collect();
        let mut words = Vec::new();
        let mut names = Vec::new();
        for token in &tokens {
            if is_name(token) && !token.starts_with(['@', '#']) {
                words.push(NAME.to_owned());
                names.push(token.clone());
                continue;
            }
            // "No.3", "nr.2": the number sign and the number, as "no 3".
            if let Some((sign, n)) = token.split_once('.')
                && matches!(sign, "no" | "nr" | "num")
                && !n.is_empty()
                && n.len() <= 2
                && n.bytes().all(|b| b.is_ascii_digit())
            {
                words.push(sign.to_owned());
                words.push(n.to_owned());
                continue;
            }
            if keeps_whole(token) {
                words.push(token.clone());
                continue;
            }
            for part in token.split(['-', '/', '_']).filter(|p| !p.is_empty()) {
                words.push(vocabulary.correct(part));
            }
        }
        let norm = words.join(" ");
        Text { raw, original: cleaned, quoted, tokens, words, names, norm }
    }

    /// True when the word occurs.
    pub(crate) fn has(&self, word: &str) -> bool {
        self.words.iter().any(|w| w == word)
    }
}

/// The prompt without the greeting or thanks it opens with ("Good morning, kindly let me know
/// …", "Thank you. Can you explain …"), when a request follows, without a "can you let me
/// know" before its question and without the reason given after it ("I need it for the
/// weekly report"); a greeting or a thanks alone is read as written.
fn without_courtesy(prompt: &str) -> &str {
    static OPENING: OnceLock<regex::Regex> = OnceLock::new();
    let opening = OPENING.get_or_init(|| {
        regex::Regex::new(concat!(
            r"(?i)^\s*(?:",
            // A greeting or an apology, then anything: "Good morning, kindly …", "Sorry, I mean …".
            r"(?:(?:good\s+(?:morning|afternoon|evening|day)|hi|hello|hallo|dear\s+\w+|greetings|excuse\s+me|sorry|pardon)(?:\s+(?:team|all|everyone|secbot|bot|again))?\s*[,.!:;]+\s*)",
            // Thanks only when a sentence ends there: "Thank you. Can you …"; "thanks, I'll take
            // it after lunch" is people talking to each other.
            r"|(?:(?:thanks?(?:\s+you)?(?:\s+(?:so\s+much|a\s+lot|very\s+much|again))?|many\s+thanks|thx|obrigad[oa]|danke(?:\s+sch(?:ö|oe)n)?|gracias|merci|cheers|great|perfect|noted)\s*[.!]+\s*)",
            r")+"
        ))
        .expect("valid courtesy pattern")
    });
    let prompt = match opening.find(prompt) {
        Some(m) if prompt[m.end()..].split_whitespace().count() >= 2 => &prompt[m.end()..],
        _ => prompt,
    };
    // "Can you let me know what Priya is working on?": the question is what follows.
    static WRAPPER: OnceLock<regex::Regex> = OnceLock::new();
    let wrapper = WRAPPER.get_or_init(|| {
        regex::Regex::new(r"(?i)^\s*(?:(?:can|could|would|will)\s+(?:you|u)\s+(?:please\s+|kindly\s+)?|please\s+|kindly\s+|pls\s+)?(?:let\s+me\s+know|tell\s+me|inform\s+me|i\s+(?:would\s+like|want|need|wish)\s+to\s+know)(?:\s+please)?\s*,?\s+((?:what|who|whether|if|which|how|when|why|where)\b)")
            .expect("valid wrapper pattern")
    });
    let prompt = match wrapper.captures(prompt).and_then(|c| c.get(1)) {
        Some(question) => &prompt[question.start()..],
        None => prompt,
    };
    // "… who owns which findings. I need it for the weekly report.": the reason given after
    // the question points at nothing in the thread.
    static REASON: OnceLock<regex::Regex> = OnceLock::new();
    let reason = REASON.get_or_init(|| {
        regex::Regex::new(r"(?i)[.?!]\s+(?:(?:i|we)\s+(?:need|want|have\s+to|must|would\s+need|will\s+need)\s+(?:it|this|that|them|these)\s+(?:for|because|to)|(?:this|it)\s+is\s+(?:required|needed|mandatory|for|because)|(?:it's|its)\s+for)\b")
            .expect("valid reason pattern")
    });
    match reason.find(prompt) {
        Some(m) => &prompt[..m.start() + 1],
        None => prompt,
    }
}

/// The prompt's sentences, as written: split after `.`, `!`, `?` or `;` followed by a space
/// and a letter, and at a dash between spaces ("prob unrelated but while i'm here — what's
/// open on app-checkout-api?"). "no. 2", "vs. last week" and "node.js" stay whole.
pub(crate) fn sentences(prompt: &str) -> Vec<&str> {
    const ABBREVIATIONS: [&str; 8] = ["no", "nr", "vs", "e.g", "i.e", "approx", "etc", "st"];
    const DASHES: [&str; 4] = [" \u{2014} ", " \u{2013} ", " -- ", " - "];
    let mut out = Vec::new();
    let mut start = 0;
    let mut at = 0;
    while let Some((i, c)) = prompt[at..].char_indices().next().map(|(i, c)| (at + i, c)) {
        let dash = DASHES.iter().find(|d| prompt[i..].starts_with(**d));
        // Where the sentence ends, and where the next one may start.
        let (cut, mut next) = match dash {
            Some(d) => (i, i + d.len()),
            None if matches!(c, '.' | '!' | '?' | ';') => {
                let marks = prompt[i..]
                    .find(|c: char| !matches!(c, '.' | '!' | '?' | ';'))
                    .unwrap_or(prompt.len() - i);
                (i + marks, i + marks)
            }
            None => {
                at = i + c.len_utf8();
                continue;
            }
        };
        let spaced = dash.is_some() || prompt[next..].starts_with(char::is_whitespace);
        next += prompt[next..].len() - prompt[next..].trim_start().len();
        let letter_follows = prompt[next..].chars().next().is_some_and(|c| c.is_alphabetic() || c == '"');
        let before = prompt[start..i].rsplit(char::is_whitespace).next().unwrap_or("").to_lowercase();
        let abbreviation = c == '.' && dash.is_none() && ABBREVIATIONS.contains(&before.as_str());
        if spaced && letter_follows && !abbreviation {
            let sentence = prompt[start..cut].trim();
            if !sentence.is_empty() {
                out.push(sentence);
            }
            start = next;
            at = next;
        } else {
            at = cut.max(i + c.len_utf8());
        }
    }
    let last = prompt[start..].trim();
    if !last.is_empty() {
        out.push(last);
    }
    out
}

/// True for tokens that are names, not words: mentions, channels, resource-like names with
/// digits, dates, CVE ids, versions.
pub(crate) fn keeps_whole(token: &str) -> bool {
    token.starts_with('@')
        || token.starts_with('#')
        || token.starts_with('/')
        || (token.contains(['-', '.', '_', ':'])
            && token.chars().any(|c| c.is_ascii_digit())
            && !token.starts_with("sev-")
            && !number_and_word(token))
        || token.starts_with("cve-")
        // "12/15", "3/1/2027": a date, not three numbers.
        || (token.contains('/')
            && token.starts_with(|c: char| c.is_ascii_digit())
            && token.chars().all(|c| c.is_ascii_digit() || c == '/'))
}

/// "0-day", "30-day", "24-hour", "2-factor": a number and a word, read as the two words.
fn number_and_word(token: &str) -> bool {
    token.split_once('-').is_some_and(|(n, w)| {
        !n.is_empty()
            && n.chars().all(|c| c.is_ascii_digit())
            && !w.is_empty()
            && w.chars().all(|c| c.is_ascii_lowercase())
    })
}

fn clean_token(raw: &str) -> Option<String> {
    let keep =
        |c: char| c.is_alphanumeric() || matches!(c, '@' | '#' | '.' | '-' | '_' | '/' | ':' | '\'' | ';');
    let token: std::borrow::Cow<str> = match raw.chars().all(keep) {
        true => raw.into(),
        false => raw.chars().filter(|&c| keep(c)).collect::<String>().into(),
    };
    let token = token.trim_start_matches(['.', '-', ':', '\'', ';', '/']);
    let token = token.trim_end_matches(['.', '-', ':', '\'', ';', '/', '#', '@']);
    // "what's" → "whats"; "monday's" and "@web-team's" lose the possessive.
    const CONTRACTED: [&str; 12] = [
        "what's", "it's", "that's", "there's", "here's", "who's", "where's", "how's", "he's", "she's",
        "let's", "one's",
    ];
    let token = if CONTRACTED.contains(&token) { token } else { token.strip_suffix("'s").unwrap_or(token) };
    // "li.wei@contoso.com" is li.wei: the address's person, not its domain.
    let token = match token.split_once('@') {
        Some((person, domain)) if !person.is_empty() && domain.contains('.') => person,
        _ => token,
    };
    let token: String = match token {
        "tl;dr" => "tldr".into(),
        // Addressing secbot is not naming a person: "@secbot who owns #3" asks secbot.
        BOT_HANDLE => "secbot".into(),
        _ if token.contains(['\'', ';']) => token.replace(['\'', ';'], ""),
        _ => token.to_owned(),
    };
    (!token.is_empty()).then_some(token)
}

fn quoted_phrases(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for quote in ['"', '\''] {
        let mut rest = text;
        while let Some(start) = rest.find(quote) {
            // A quote opens at the start of the text or after a space/parenthesis/colon.
            let opens = start == 0 || rest[..start].ends_with([' ', '(', ':', '[']);
            let after = &rest[start + 1..];
            if !opens {
                rest = after;
                continue;
            }
            let Some(end) = after.find(quote) else { break };
            let phrase = after[..end].trim();
            if phrase.split_whitespace().count() >= 2 {
                out.push(phrase.to_owned());
            }
            rest = &after[end + 1..];
        }
    }
    out
}

/// The words the parser knows, and how to correct a typo to one of them.
#[derive(Debug, Default)]
pub(crate) struct Vocabulary {
    targets: FxHashSet<String>,
    known: FxHashSet<String>,
    /// The targets by length, each with the set of letters it uses.
    by_length: Vec<Vec<(String, u32)>>,
}

/// The letters a word uses, one bit each: an edit adds at most one letter the other word
/// lacks and removes at most one, which rules out most candidates before measuring distance.
fn letters(word: &str) -> u32 {
    word.bytes().filter(u8::is_ascii_lowercase).fold(0, |m, b| m | 1 << (b - b'a'))
}

/// Common words that are never corrected, even when one letter away from a known word.
const PROTECTED: &str = "a about above after thoughts shall again against all also am an and any are as at be because been before \
being below between both but by can cannot could did do does doing dont down during each few for from further had \
has have having he her here hers him his how i if in into is it its itself just me more most my no nor not now of \
off on once only or other our ours out over own same she should so some such than that the their them then there \
these they this those through to too under until up very was we were what when where which while who whom why will \
with would you your yours yes yeah ok okay pls plz please thanks thank thx hi hey hello yo lol nice cool good great \
sure need needs want wants like make made get got give gave take took put set see saw seen look looks know think \
tell told say said ask asked let lets go goes going come came keep kept stop start started run runs ran turn turned \
one two three four five six seven eight nine ten first last next new old same other another every everything \
anything something nothing someone anyone everyone team teams week weeks day days month months year years time \
today tomorrow yesterday tonight morning night monday tuesday wednesday thursday friday saturday sunday mon tue \
wed thu fri sat sun jan feb mar apr may jun jul aug sep oct nov dec end eod eow eom eoq eoy sprint quarter due \
date deadline stuff thing things way ways lot bit much many most least less more still yet ever never always \
already again back away right left well really actually quite rather very data code file files page pages link \
links name names list lists item items one ones these those via per vs etc ie eg rn asap fyi btw imo tho though \
bad worse worst best better big bigger biggest small top bottom high higher low lower real main open close \
closed shut sure rain game lunch book room score price weather world cup joke jokes funny movie music food \
restart reboot resize scale deploy deployed rollback roll provision translate reset create delete remove upgrade \
install order buy schedule migrate rename move clone bullet bullets points point paragraph plain english cloud \
legacy prod dev test staging online offline quick short long version pick worry dangerous safe stale";

/// Words (beyond the catalog's) that typos are corrected to.
const TARGETS: &str = "show list which what whats critical criticals high medium low severity exposed expose \
exposure publicly public internet resources resource risks risk risky findings finding vulnerabilities \
vulnerability vulnerable sensitive storage accounts account summarize summarise summary overview explain \
explanation remediate remediation remediating assign assigned reassign delegate delegated status overdue \
unassigned attack attacks paths path radius blast lateral movement choke help usage recommendations \
recommendation services service vaults vault databases database clusters cluster kubernetes machines machine \
virtual identity identities network networks subscription subscriptions registry registries container containers \
image images exemption exempt harden hardening secure security encryption encrypted enable enabled disable policy \
fix fixes fixing script scripts powershell terraform bicep steps problem problems issue issues ignore instructions \
token tokens password passwords secret secrets delete weekly daily recap threat threats impact progress accessible \
tomorrow friday monday tuesday wednesday thursday saturday sunday owner happened changed posture defender \
configuration protection management ports restrict trusted authorized findings everything anything applications \
application recommend exploit exploitable patch patched unpatched permissions permission privileged overprivileged \
assignment assignments delegation workload plate command commands example examples prompts question questions \
quota budget limit limits digest brief briefly remediated outstanding current currently summaries sumary \
important dangerous danger matter matters downtime break breaking compromise compromised reach reachable \
pivot graph escalation escalate privilege crown jewels lock down internal external facing storage buckets bucket \
instances instance servers server vms databases clusters registries functions function apps app webapps joke \
weather explain explains explained explaining details detail describe describes context mean means meaning does \
second third fourth fifth sixth seventh eighth ninth tenth score";

impl Vocabulary {
    /// The built-in vocabulary plus the given words (recommendation names, ...).
    pub(crate) fn new<'a>(extra: impl IntoIterator<Item = &'a str>) -> Vocabulary {
        let mut targets: FxHashSet<String> = TARGETS.split_whitespace().map(str::to_owned).collect();
        for word in extra {
            for part in word.to_lowercase().split(|c: char| !c.is_ascii_alphabetic()) {
                if part.len() >= 4 {
                    targets.insert(part.to_owned());
                }
            }
        }
        let mut by_length: Vec<Vec<(String, u32)>> = vec![Vec::new(); 32];
        for word in &targets {
            if word.len() < by_length.len() {
                by_length[word.len()].push((word.clone(), letters(word)));
            }
        }
        for bucket in &mut by_length {
            bucket.sort();
        }
        Vocabulary { targets, known: FxHashSet::default(), by_length }
    }

    /// The same vocabulary leaving these words (and their parts) alone without correcting
    /// anything towards them: recommendation names are full of ordinary words ("track",
    /// "lake") that a typo must not turn into.
    pub(crate) fn knowing<'a>(mut self, words: impl IntoIterator<Item = &'a str>) -> Vocabulary {
        for word in words {
            for part in word.to_lowercase().split(|c: char| !c.is_ascii_alphabetic()) {
                if part.len() >= 4 && !self.targets.contains(part) {
                    self.known.insert(part.to_owned());
                }
            }
        }
        self
    }

    /// The word itself when it is a word people write (protected, a target, or used in more
    /// than one prompt of the corpus) or too short to correct safely, else the closest target
    /// within the typo budget (one edit up to seven letters, two beyond), else the word itself.
    pub(crate) fn correct(&self, word: &str) -> String {
        if let Some(fixed) = short_typo(word) {
            return fixed.to_owned();
        }
        if word.len() < 5
            || !word.chars().all(|c| c.is_ascii_alphabetic())
            || self.targets.contains(word)
            || protected().contains(word)
            || self.known.contains(word)
            || written().contains(word)
        {
            return word.to_owned();
        }
        let budget = if word.len() <= 7 { 1 } else { 2 };
        let mut best: Option<(usize, bool, &str)> = None;
        let lo = word.len().saturating_sub(budget);
        let hi = (word.len() + budget).min(self.by_length.len() - 1);
        if lo > hi {
            return word.to_owned();
        }
        let mine = letters(word);
        let edits = budget as u32;
        for bucket in &self.by_length[lo..=hi] {
            for (candidate, theirs) in bucket {
                if (mine & !theirs).count_ones() > edits || (theirs & !mine).count_ones() > edits {
                    continue;
                }
                let distance = osa_within(word, candidate, budget);
                if distance == 0 || distance > budget {
                    continue;
                }
                let same_start = candidate.as_bytes()[0] == word.as_bytes()[0];
                if distance == 2 && !same_start {
                    continue;
                }
                // Equal edits: a dropped letter is the likelier typo, so prefer the longer word.
                let better = match best {
                    None => true,
                    Some((d, s, c)) => {
                        (distance, !same_start, std::cmp::Reverse(candidate.len()), candidate.as_str())
                            < (d, !s, std::cmp::Reverse(c.len()), c)
                    }
                };
                if better {
                    best = Some((distance, same_start, candidate));
                }
            }
        }
        best.map_or_else(|| word.to_owned(), |(_, _, w)| w.to_owned())
    }
}

/// Words people write: those used in at least two prompts of the corpus, except the ones that
/// look like a typo of a far more common target ("critcal" next to "critical").
fn written() -> &'static FxHashSet<String> {
    static WORDS: OnceLock<FxHashSet<String>> = OnceLock::new();
    WORDS.get_or_init(|| {
        let counts = super::corpus::word_counts();
        let targets: Vec<&str> = TARGETS.split_whitespace().collect();
        counts
            .iter()
            .filter(|(word, n)| {
                **n >= 2
                    && !targets.iter().any(|t| {
                        t.len().abs_diff(word.len()) <= 1
                            && t != word
                            && counts.get(*t).copied().unwrap_or(0) >= 5 * **n
                            && osa_within(word, t, 1) <= 1
                    })
            })
            .map(|(word, _)| word.clone())
            .collect()
    })
}

fn protected() -> &'static FxHashSet<&'static str> {
    static WORDS: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| PROTECTED.split_whitespace().collect())
}

/// Three-letter typos common in chat that the general rule (four letters and up) cannot catch.
fn short_typo(word: &str) -> Option<&'static str> {
    Some(match word {
        "fxi" | "fux" => "fix",
        "hlp" | "hep" | "hlep" | "hepl" => "help",
        "lst" => "list",
        "wht" | "wat" | "waht" | "whta" => "what",
        "wats" | "wahts" => "whats",
        "alrt" | "alret" => "alert",
        "alrts" | "alrets" | "alerst" => "alerts",
        "owsn" | "onws" => "owns",
        "shw" | "shwo" | "sho" => "show",
        "sumary" | "summry" => "summary",
        "vulns" => "vulnerabilities",
        "vuln" => "vulnerability",
        "crits" => "criticals",
        "u" => "you",
        "ur" => "your",
        "r" => "are",
        "y" => "why",
        "thru" => "through",
        "gimme" => "give me",
        "abt" => "about",
        "bc" => "because",
        "tihs" | "thsi" | "ths" => "this",
        "taht" | "tht" => "that",
        "teh" | "hte" => "the",
        "nxt" => "next",
        "wich" | "whih" | "whcih" => "which",
        _ => return None,
    })
}

/// Optimal string alignment distance: edits, where swapping two neighbours is one edit.
#[cfg(test)]
pub(crate) fn osa_distance(a: &str, b: &str) -> usize {
    osa_within(a, b, usize::MAX)
}

/// The optimal string alignment distance when it is at most `limit`, else something above
/// `limit`: rows stop once every cell is past it. Words up to 40 letters use the stack.
fn osa_within(a: &str, b: &str, limit: usize) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len().abs_diff(b.len()) > limit {
        return limit.saturating_add(1);
    }
    if a.len() > 40 || b.len() > 40 {
        return if a == b { 0 } else { limit.saturating_add(1).max(a.len().max(b.len())) };
    }
    // Three rows of the distance table (two back, one back, this one), reused in turn; cells
    // fit a byte because both words are at most 40 bytes.
    let mut rows = [[0u8; 41]; 3];
    for (j, cell) in rows[1].iter_mut().enumerate().take(b.len() + 1) {
        *cell = j as u8;
    }
    let limit_u8 = u8::try_from(limit).unwrap_or(u8::MAX);
    for i in 1..=a.len() {
        let (cur_at, prev_at, prev2_at) = ((i + 1) % 3, i % 3, (i + 2) % 3);
        let [r0, r1, r2] = &mut rows;
        let (prev2, prev, cur) = match (prev2_at, prev_at, cur_at) {
            (0, 1, 2) => (&*r0, &*r1, r2),
            (1, 2, 0) => (&*r1, &*r2, r0),
            _ => (&*r2, &*r0, r1),
        };
        cur[0] = i as u8;
        let mut best = cur[0];
        for j in 1..=b.len() {
            let cost = u8::from(a[i - 1] != b[j - 1]);
            let mut cell = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cell = cell.min(prev2[j - 2] + 1);
            }
            cur[j] = cell;
            best = best.min(cell);
        }
        if best > limit_u8 {
            return limit.saturating_add(1);
        }
    }
    usize::from(rows[(a.len() + 1) % 3][b.len()])
}

/// A light stemmer for matching names: "closed", "closing", "closes" all become "clos".
pub(crate) fn stem(word: &str) -> String {
    let w = word;
    for suffix in ["ations", "ation", "ings", "ing", "ions", "ion", "ied", "ies", "ed", "es", "ly", "s"] {
        if w.len() > suffix.len() + if suffix == "ly" { 4 } else { 2 }
            && let Some(base) = w.strip_suffix(suffix)
        {
            return match suffix {
                "ied" | "ies" => format!("{base}y"),
                _ => base.to_owned(),
            };
        }
    }
    w.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prompt_splits_into_its_sentences_but_not_at_numbers_or_abbreviations() {
        assert_eq!(
            sentences("oh wrong thread lol. ok list crit findings"),
            ["oh wrong thread lol.", "ok list crit findings"]
        );
        assert_eq!(
            sentences("Why is it so low? Kindly show me the findings there."),
            ["Why is it so low?", "Kindly show me the findings there."]
        );
        assert_eq!(
            sentences("prob unrelated but while i'm here \u{2014} what's open on app-checkout-api?"),
            ["prob unrelated but while i'm here", "what's open on app-checkout-api?"]
        );
        assert_eq!(sentences("6 - whats that"), ["6", "whats that"]);
        for whole in [
            "info about no. 2",
            "is vm-web-01 worse vs. last week",
            "the node.js one",
            "fix #2!!",
            "v1.2.3 ok",
            "wait...what",
        ] {
            assert_eq!(sentences(whole), [whole], "{whole}");
        }
        assert_eq!(sentences("ok!!! now the 3rd ;)"), ["ok!!!", "now the 3rd ;)"]);
        assert!(sentences("  ").is_empty());
        assert_eq!(sentences("é. ü — ö"), ["é.", "ü", "ö"]);
    }

    fn text(prompt: &str) -> Text {
        Text::new(
            prompt,
            &Vocabulary::new(["Management ports should be closed on your virtual machines"]),
            &|t| t == "stlogsprod",
        )
    }

    #[test]
    fn typos_are_corrected_to_known_words_but_common_words_stay() {
        let t = text("shwo critcal risks for publicly exposd resources");
        assert_eq!(t.norm, "show critical risks for publicly exposed resources");
        assert_eq!(text("asign to @dana by fri").norm, "assign to @dana by fri");
        assert_eq!(text("hlp").norm, "help");
        assert_eq!(text("what's the weather").norm, "whats the weather");
        assert_eq!(text("remdiate this plz").norm, "remediate this plz");
        assert_eq!(
            text("Good morning, kindly let me know the overdue items").norm,
            "kindly let me know the overdue items"
        );
        assert_eq!(text("Thank you. Can you explain it?").norm, "can you explain it");
        assert_eq!(text("Thanks!").norm, "thanks", "a thanks alone is what it says");
        assert_eq!(text("thanks for the list").norm, "thanks for the list");
        assert_eq!(
            text("Can you let me know what Priya is working on currently?").norm,
            "what priya is working on currently"
        );
        assert_eq!(text("Please tell me who owns which findings.").norm, "who owns which findings");
        assert_eq!(
            text("Which critical findings have no owner? This is required by our internal policy.").norm,
            "which critical findings have no owner"
        );
        assert_eq!(text("fix it. we need it today").norm, "fix it we need it today", "no reason, a deadline");
        assert_eq!(text("tell me about the 2nd one").norm, "tell me about the 2nd one");
        assert_eq!(text("thanks, I'll take it after lunch").norm, "thanks ill take it after lunch");
    }

    #[test]
    fn names_mentions_and_dates_stay_whole() {
        let t = text("Assign vm-web-01 to @li.wei by 2026-12-15, see CVE-2021-44228!");
        assert!(t.tokens.contains(&"vm-web-01".to_owned()));
        assert!(t.words.contains(&"@li.wei".to_owned()));
        assert!(t.words.contains(&"2026-12-15".to_owned()));
        assert!(t.words.contains(&"cve-2021-44228".to_owned()));
        assert_eq!(text("internet-facing VMs").norm, "internet facing vms");
    }

    #[test]
    fn quoted_phrases_are_kept_as_written_but_apostrophes_are_not_quotes() {
        let t = text("Help me remediate 'Storage accounts should restrict network access' asap");
        assert_eq!(t.quoted, ["Storage accounts should restrict network access"]);
        assert!(text("what's the risk if i leave it").quoted.is_empty());
        assert_eq!(
            text(r#"explain "Secure transfer to storage accounts should be enabled""#).quoted.len(),
            1
        );
    }

    #[test]
    fn words_of_any_length_are_read_without_panicking() {
        for word in ["criticalriskspubliclyexposedresourcesnow", &"a".repeat(34), &"ab".repeat(1_000)] {
            let t = text(&format!("show {word} please"));
            assert!(t.norm.starts_with("show "), "{}", t.norm);
            assert!(t.norm.ends_with(" please"), "{}", t.norm);
        }
    }

    #[test]
    fn distances_count_a_swap_as_one_edit() {
        assert_eq!(osa_distance("fxi", "fix"), 1);
        assert_eq!(osa_distance("critcal", "critical"), 1);
        assert_eq!(osa_distance("kitten", "sitting"), 3);
        assert_eq!(stem("closed"), "clos");
        assert_eq!(stem("closing"), "clos");
        assert_eq!(stem("protection"), "protect");
        assert_eq!(stem("policies"), "policy");
    }
}
