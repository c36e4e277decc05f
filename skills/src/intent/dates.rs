//! Due dates as people write them ("by Friday", "in two weeks", "EOM", "2026-12-15"), resolved
//! against the day a prompt was written.

use std::sync::OnceLock;

use regex::Regex;
use time::{Date, Duration, Month, OffsetDateTime, Weekday};

/// A due date found in a prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Due {
    /// The phrase, normalized ("friday", "14 days", "end of month").
    pub(crate) text: String,
    /// The day it means, when it can be known ("end of sprint" cannot).
    pub(crate) date: Option<Date>,
}

/// The period a question about events covers ("last night", "since Monday", "in the past 3
/// days"), as `(since, until)` in UTC, resolved against the prompt's day: "last night" is
/// 18:00 the day before to 08:00, "today" from midnight, "yesterday" the whole day before,
/// "this week" from Monday, "past N days" (or hours, rounded up to days) from N days back.
pub(crate) fn window(prompt: &str, today: Date) -> Option<(Option<OffsetDateTime>, Option<OffsetDateTime>)> {
    static WINDOW: OnceLock<Regex> = OnceLock::new();
    let window = WINDOW.get_or_init(|| {
        Regex::new(r"(?i)\b(?P<night>last\s+night'?s?|overnight|over\s+night|tonight'?s?)\b|\b(?P<today>today'?s?|this\s+morning'?s?)\b|\b(?P<yesterday>yesterday'?s?)\b|\b(?P<week>this\s+week'?s?)\b|\b(?P<weekend>(over\s+)?the\s+weekend|this\s+weekend)\b|\b(?:in\s+|over\s+|during\s+|from\s+)?(?:the\s+)?(?:last|past|previous)\s+(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)?\s*(?P<unit>hours?|hrs?|h|days?|weeks?)\b|\bsince\s+(?P<since>monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thurs|fri|sat|sun)\b")
            .expect("valid window pattern")
    });
    let at = |day: Date, hour: u8| day.with_hms(hour, 0, 0).ok().map(|t| t.assume_utc());
    let c = window.captures(prompt)?;
    let yesterday = today.previous_day()?;
    if c.name("night").is_some() {
        return Some((at(yesterday, 18), at(today, 8)));
    }
    if c.name("today").is_some() {
        return Some((at(today, 0), None));
    }
    if c.name("yesterday").is_some() {
        return Some((at(yesterday, 0), at(today, 0)));
    }
    if c.name("week").is_some() {
        let back = i64::from(today.weekday().number_days_from_monday());
        return Some((at(today - Duration::days(back), 0), None));
    }
    if c.name("weekend").is_some() {
        let back = i64::from(today.weekday().number_days_from_monday()) + 2;
        let saturday = today - Duration::days(if back > 6 { back - 7 } else { back });
        return Some((at(saturday, 0), at(saturday + Duration::days(2), 0)));
    }
    if let Some(unit) = c.name("unit") {
        let n = c.name("n").and_then(|n| number(&n.as_str().to_ascii_lowercase())).unwrap_or(1).clamp(1, 366);
        let unit = unit.as_str().to_ascii_lowercase();
        let days = match unit.chars().next() {
            Some('h') => (n + 23) / 24,
            Some('w') => n * 7,
            _ => n,
        };
        return Some((at(today - Duration::days(days), 0), None));
    }
    if let Some(name) = c.name("since")
        && let Some((_, day)) = weekday(&name.as_str().to_ascii_lowercase())
    {
        let back = (i64::from(today.weekday().number_days_from_monday())
            - i64::from(day.number_days_from_monday()))
        .rem_euclid(7);
        return Some((at(today - Duration::days(back), 0), None));
    }
    None
}

/// The days of the week by name, Monday first.
pub(crate) const WEEKDAYS: [(&str, Weekday); 7] = [
    ("monday", Weekday::Monday),
    ("tuesday", Weekday::Tuesday),
    ("wednesday", Weekday::Wednesday),
    ("thursday", Weekday::Thursday),
    ("friday", Weekday::Friday),
    ("saturday", Weekday::Saturday),
    ("sunday", Weekday::Sunday),
];

const MONTHS: [(&str, Month); 12] = [
    ("january", Month::January),
    ("february", Month::February),
    ("march", Month::March),
    ("april", Month::April),
    ("may", Month::May),
    ("june", Month::June),
    ("july", Month::July),
    ("august", Month::August),
    ("september", Month::September),
    ("october", Month::October),
    ("november", Month::November),
    ("december", Month::December),
];

fn weekday(word: &str) -> Option<(&'static str, Weekday)> {
    let word = word.trim_end_matches('.');
    if word.len() < 3 {
        return None;
    }
    WEEKDAYS.iter().find(|(name, _)| name.starts_with(word) && (word.len() >= 3)).map(|(n, d)| (*n, *d))
}

fn month(word: &str) -> Option<Month> {
    if word.len() < 3 {
        return None;
    }
    MONTHS.iter().find(|(name, _)| name.starts_with(word)).map(|(_, m)| *m)
}

fn number(word: &str) -> Option<i64> {
    const WORDS: [&str; 13] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve",
    ];
    match word {
        "a" | "an" => Some(1),
        _ => word.parse().ok().or_else(|| WORDS.iter().position(|w| *w == word).map(|n| n as i64)),
    }
}

fn patterns() -> &'static [Regex; 8] {
    static PATTERNS: OnceLock<[Regex; 8]> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let r = |p: &str| Regex::new(p).expect("valid due-date pattern");
        [
            // 0: ISO dates.
            r(r"\b(\d{4}-\d{2}-\d{2})\b"),
            // 1: in/within N days|weeks|months, N day deadline.
            r(r"\b(?:in|within|due|of|a|with)?\s*(\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+(business days?|working days?|day|days|week|weeks|wk|wks|month|months|hours|hour|hrs)\b"),
            // 2: end of day/week/month/quarter/year/sprint and abbreviations.
            r(r"\b(end of (?:the )?(?:day|week|month|quarter|year|sprint)|eod|eow|eom|eoq|eoy|cob)\b"),
            // 3: next week/month/sprint/quarter.
            r(r"\b(next (?:week|month|sprint|quarter|year))\b"),
            // 4: weekdays, optionally after next/this.
            r(r"\b(?:(next|this|coming)\s+)?(mon|monday|tue|tues|tuesday|wed|weds|wednesday|thu|thur|thurs|thursday|fri|friday|sat|saturday|sun|sunday)\b"),
            // 5: tomorrow / today / tonight.
            r(r"\b(tomorrow|tmrw|today|tonight)\b"),
            // 6: the 20th, dec 15, 15 december.
            r(r"\b(?:the (\d{1,2})(?:st|nd|rd|th)\b|(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? (\d{1,2})(?:st|nd|rd|th)?\b|(\d{1,2})(?:st|nd|rd|th)? (?:of )?(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b)"),
            // 7: numeric dates, day and month either way round: 12/15, 15/12, 15.12., 3/1/2027.
            r(r"\b(\d{1,2})[/.](\d{1,2})(?:[/.](\d{4}|\d{2}))?\b\.?"),
        ]
    })
}

/// The first due date in the normalized prompt, resolved against `today`. `dated_context`
/// says whether a bare weekday or "the 20th" counts (after "by", "due", "until", ... or in
/// a delegation).
pub(crate) fn find_due(norm: &str, today: Date, dated_context: bool) -> Option<Due> {
    let [iso, span, end_of, next, day, relative, day_of_month, numeric] = patterns();
    let mut found: Vec<(usize, Due)> = Vec::new();
    if let Some(c) = iso.captures(norm) {
        let m = c.get(1)?;
        let date = Date::parse(m.as_str(), time::macros::format_description!("[year]-[month]-[day]")).ok();
        found.push((m.start(), Due { text: m.as_str().to_owned(), date }));
    }
    for c in span.captures_iter(norm) {
        let (Some(n), Some(unit)) = (c.get(1), c.get(2)) else { continue };
        let Some(count) = number(n.as_str()) else { continue };
        // "top 5 days" is not a deadline; require a deadline-ish neighbour.
        let whole = c.get(0).map_or("", |m| m.as_str());
        let before = &norm[..c.get(0).map_or(0, |m| m.start())];
        let after = norm[c.get(0).map_or(0, |m| m.end())..].trim_start();
        // "2 weeks from today", "a week from tomorrow": counted from that day.
        let from = [("from now", 0), ("from today", 0), ("from tomorrow", 1), ("from tmrw", 1)]
            .into_iter()
            .find(|(words, _)| after.starts_with(words));
        let base = today + Duration::days(from.map_or(0, |(_, days)| days));
        let deadline = from.is_some()
            || whole.starts_with("in")
            || whole.starts_with("within")
            || whole.starts_with("due")
            || norm[c.get(0).map_or(0, |m| m.end())..].trim_start().starts_with("deadline")
            || before.ends_with("due ")
            || before.ends_with("by ")
            || before.ends_with("within ")
            // In a delegation, a span that ends the prompt is its deadline: "@sam, 2 weeks".
            || (dated_context && matches!(norm[c.get(0).map_or(0, |m| m.end())..].trim(), "" | "from now" | "tops" | "max" | "or so"))
            // "assign it to raj with 2 weeks to fix".
            || (dated_context && whole.starts_with("with"));
        if !deadline {
            continue;
        }
        let (unit_name, date) = match unit.as_str() {
            "day" | "days" => ("days", base.checked_add(Duration::days(count))),
            "week" | "weeks" | "wk" | "wks" => ("weeks", base.checked_add(Duration::weeks(count))),
            "hours" | "hour" | "hrs" => ("hours", base.checked_add(Duration::days((count + 23) / 24))),
            u if u.starts_with("business") || u.starts_with("working") => {
                let mut date = Some(base);
                let mut left = count;
                while left > 0 {
                    date = date.and_then(Date::next_day);
                    if date.is_some_and(|d| !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)) {
                        left -= 1;
                    }
                }
                (if u.starts_with("business") { "business days" } else { "working days" }, date)
            }
            _ => ("months", add_months(base, count)),
        };
        let mut text =
            format!("{count} {}", if count == 1 { unit_name.trim_end_matches('s') } else { unit_name });
        if let Some((words, 1)) = from {
            text = format!("{text} {words}");
        }
        found.push((n.start(), Due { text, date }));
    }
    if let Some(m) = end_of.find(norm) {
        let phrase = match m.as_str() {
            "eod" | "cob" => "end of day".to_owned(),
            "eow" => "end of week".to_owned(),
            "eom" => "end of month".to_owned(),
            "eoq" => "end of quarter".to_owned(),
            "eoy" => "end of year".to_owned(),
            other => other.replace("end of the ", "end of "),
        };
        // ("eod tomorrow" is tomorrow's end of day.)
        let tomorrow = ["tomorrow", "tmrw"].iter().any(|w| norm[m.end()..].trim_start().starts_with(w));
        let date = match phrase.as_str() {
            "end of day" if tomorrow => Some(today + Duration::days(1)),
            "end of day" => Some(today),
            "end of week" => Some(this_or_next(today, Weekday::Friday, true)),
            "end of month" => Some(last_of_month(today.year(), today.month())),
            "end of quarter" => {
                let last = Month::try_from(((today.month() as u8 - 1) / 3 + 1) * 3).ok()?;
                Some(last_of_month(today.year(), last))
            }
            "end of year" => Date::from_calendar_date(today.year(), Month::December, 31).ok(),
            _ => None,
        };
        found.push((m.start(), Due { text: phrase, date }));
    }
    // "-> @li.wei asap": as soon as possible is today, where a date is expected.
    if dated_context
        && let Some(start) = norm.find("asap").or_else(|| norm.find("as soon as possible"))
        && norm[..start].chars().last().is_none_or(|c| !c.is_alphanumeric())
    {
        found.push((start, Due { text: "as soon as possible".to_owned(), date: Some(today) }));
    }
    if let Some(m) = next.find(norm) {
        let date = match m.as_str() {
            "next week" => Some(this_or_next(today, Weekday::Monday, false) + Duration::days(4)),
            "next month" => {
                let first_next = last_of_month(today.year(), today.month()) + Duration::days(1);
                Some(last_of_month(first_next.year(), first_next.month()))
            }
            _ => None,
        };
        found.push((m.start(), Due { text: m.as_str().to_owned(), date }));
    }
    for c in day.captures_iter(norm) {
        let Some(name) = c.get(2) else { continue };
        let Some((full, weekday)) = weekday(name.as_str()) else { continue };
        let modifier = c.get(1).map(|m| m.as_str());
        let start = c.get(0).map_or(0, |m| m.start());
        let before = norm[..start].trim_end();
        let dated = dated_context
            || modifier.is_some()
            || ["by", "due", "until", "before", "till", "deadline"].iter().any(|w| before.ends_with(w));
        if !dated {
            continue;
        }
        let date = match modifier {
            Some("next") => {
                this_or_next(today, Weekday::Monday, false)
                    + Duration::days(i64::from(weekday.number_days_from_monday()))
            }
            _ => this_or_next(today, weekday, false),
        };
        let text = match modifier {
            Some(m) => format!("{m} {full}"),
            None => full.to_owned(),
        };
        found.push((start, Due { text, date: Some(date) }));
    }
    if let Some(c) = relative.captures(norm) {
        let m = c.get(1)?;
        let (text, date) = match m.as_str() {
            "tomorrow" | "tmrw" => ("tomorrow", today + Duration::days(1)),
            "tonight" => ("tonight", today),
            _ => ("today", today),
        };
        found.push((m.start(), Due { text: text.to_owned(), date: Some(date) }));
    }
    for c in day_of_month.captures_iter(norm) {
        let start = c.get(0).map_or(0, |m| m.start());
        if let Some(d) = c.get(1) {
            // "the 2nd" is usually a list position; only "by the 20th" is a date.
            let before = norm[..start].trim_end();
            // ("push the due date to the 18th" is a day; "move it to the 2nd" is a row.)
            let past_rows = d.as_str().parse::<u8>().is_ok_and(|n| n > 10)
                && ["to", "for", "date"].iter().any(|w| before.ends_with(&format!(" {w}")));
            if !past_rows
                && !["by", "due", "until", "before", "on", "till", "deadline", "deadline of", "date of"]
                    .iter()
                    .any(|w| before.ends_with(w))
            {
                continue;
            }
            // "put @priya on the 2nd one" points at a row.
            let after = norm[c.get(0).map_or(0, |m| m.end())..].split_whitespace().next().unwrap_or_default();
            if [
                "one",
                "ones",
                "item",
                "finding",
                "row",
                "entry",
                "rec",
                "issue",
                "recommendation",
                "result",
                "resource",
            ]
            .contains(&after)
            {
                continue;
            }
            let Ok(day) = d.as_str().parse::<u8>() else { continue };
            let date = next_day_of_month(today, day);
            found.push((start, Due { text: format!("the {}", &c[0][4..]), date }));
        } else {
            let (mon, day) = match (c.get(2), c.get(3), c.get(4), c.get(5)) {
                (Some(m), Some(d), _, _) | (_, _, Some(d), Some(m)) => (m.as_str(), d.as_str()),
                _ => continue,
            };
            let (Some(month), Ok(day)) = (month(mon), day.parse::<u8>()) else { continue };
            let this_year = Date::from_calendar_date(today.year(), month, day).ok();
            let date = match this_year {
                Some(d) if d >= today => Some(d),
                _ => Date::from_calendar_date(today.year() + 1, month, day).ok(),
            };
            found.push((start, Due { text: c[0].to_owned(), date }));
        }
    }
    for c in numeric.captures_iter(norm) {
        let start = c.get(0).map_or(0, |m| m.start());
        // "by 12/15", "due 15.12.": a number pair is a date only where a date is expected (a
        // CVSS of 9.8 is not the 9th of August).
        let before = norm[..start].trim_end();
        let slash = c[0].contains('/');
        if !((dated_context && slash)
            || ["by", "due", "until", "before", "on", "till", "deadline", "deadline is", "due date is"]
                .iter()
                .any(|w| before.ends_with(w)))
        {
            continue;
        }
        let (Ok(a), Ok(b)) = (c[1].parse::<u8>(), c[2].parse::<u8>()) else { continue };
        let year =
            c.get(3).and_then(|y| y.as_str().parse::<i32>().ok()).map(|y| if y < 100 { 2000 + y } else { y });
        let on = |month: u8, day: u8| -> Option<Date> {
            let month = Month::try_from(month).ok()?;
            match year {
                Some(year) => Date::from_calendar_date(year, month, day).ok(),
                None => [today.year(), today.year() + 1]
                    .into_iter()
                    .filter_map(|y| Date::from_calendar_date(y, month, day).ok())
                    .find(|d| *d >= today),
            }
        };
        // Month first (12/15) or day first (15/12): whichever reading is a date; when both
        // are, the nearer one that is still ahead.
        let date = match (on(a, b), on(b, a)) {
            (Some(x), Some(y)) => Some(if (x >= today) == (y >= today) { x.min(y) } else { x.max(y) }),
            (x, y) => x.or(y),
        };
        if date.is_some() {
            found.push((start, Due { text: c[0].trim_end_matches('.').to_owned(), date }));
        }
    }
    // "7 Jan is too late. Move it to raj, due the 14th": a date a deadline word introduces
    // wins over one merely mentioned; otherwise the first.
    let introduced = |start: usize| {
        let before = norm[..start].trim_end();
        let before = before.strip_suffix(" the").or_else(|| before.strip_suffix(" on")).unwrap_or(before);
        ["due", "by", "until", "till", "til", "before", "deadline", "deadline is", "to"].iter().any(|w| {
            before.ends_with(w) && before[..before.len() - w.len()].chars().last().is_none_or(|c| c == ' ')
        })
    };
    // "raj had it since nov 11": a day in the past the prompt looks back to is no deadline.
    found.retain(|(start, _)| {
        !["since", "from", "after", "was due", "opened"]
            .iter()
            .any(|w| norm[..*start].trim_end().ends_with(w))
    });
    found.sort_by_key(|(start, _)| (!introduced(*start), *start));
    found.into_iter().next().map(|(_, due)| due)
}

/// The next `weekday` after `today` (or `today` itself when `inclusive`).
fn this_or_next(today: Date, weekday: Weekday, inclusive: bool) -> Date {
    let ahead = (7 + i64::from(weekday.number_days_from_monday())
        - i64::from(today.weekday().number_days_from_monday()))
        % 7;
    let ahead = if ahead == 0 && !inclusive { 7 } else { ahead };
    today + Duration::days(ahead)
}

fn last_of_month(year: i32, month: Month) -> Date {
    let days = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, days).unwrap_or(Date::MIN)
}

fn add_months(today: Date, months: i64) -> Option<Date> {
    let total = i64::from(today.year()) * 12 + i64::from(today.month() as u8 - 1) + months;
    let year = i32::try_from(total.div_euclid(12)).ok()?;
    let month = Month::try_from(u8::try_from(total.rem_euclid(12) + 1).ok()?).ok()?;
    let day = today.day().min(time::util::days_in_month(month, year));
    Date::from_calendar_date(year, month, day).ok()
}

fn next_day_of_month(today: Date, day: u8) -> Option<Date> {
    let this = Date::from_calendar_date(today.year(), today.month(), day).ok().filter(|d| *d >= today);
    this.or_else(|| {
        let next = last_of_month(today.year(), today.month()) + Duration::days(1);
        Date::from_calendar_date(next.year(), next.month(), day).ok()
    })
}

/// Resolves a due phrase written on its own ("Friday", "14 days") as the parser would.
pub fn resolve_due_phrase(phrase: &str, today: Date) -> Option<Date> {
    find_due(&format!("due {}", phrase.to_lowercase()), today, true).and_then(|d| d.date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    // 2026-11-25 is a Wednesday.
    const TODAY: Date = date!(2026 - 11 - 25);

    #[test]
    fn periods_resolve_to_utc_windows_around_the_prompts_day() {
        use time::macros::datetime;
        let w = |text: &str| window(text, TODAY);
        // 2026-11-25 is a Wednesday.
        assert_eq!(
            w("last night's alerts"),
            Some((Some(datetime!(2026-11-24 18:00 UTC)), Some(datetime!(2026-11-25 08:00 UTC))))
        );
        assert_eq!(w("anything overnight?"), w("last night"));
        assert_eq!(w("alerts today"), Some((Some(datetime!(2026-11-25 00:00 UTC)), None)));
        assert_eq!(
            w("yesterday's incidents"),
            Some((Some(datetime!(2026-11-24 00:00 UTC)), Some(datetime!(2026-11-25 00:00 UTC))))
        );
        assert_eq!(w("this week"), Some((Some(datetime!(2026-11-23 00:00 UTC)), None)));
        assert_eq!(w("in the last 24 hours"), Some((Some(datetime!(2026-11-24 00:00 UTC)), None)));
        assert_eq!(w("past three days"), Some((Some(datetime!(2026-11-22 00:00 UTC)), None)));
        assert_eq!(w("since monday"), Some((Some(datetime!(2026-11-23 00:00 UTC)), None)));
        assert_eq!(w("since friday"), Some((Some(datetime!(2026-11-20 00:00 UTC)), None)));
        assert_eq!(
            w("over the weekend"),
            Some((Some(datetime!(2026-11-21 00:00 UTC)), Some(datetime!(2026-11-23 00:00 UTC))))
        );
        assert_eq!(w("show open alerts"), None);
    }

    fn due(text: &str) -> Option<(String, Option<Date>)> {
        find_due(text, TODAY, false).map(|d| (d.text, d.date))
    }

    #[test]
    fn a_day_looked_back_to_is_no_deadline() {
        assert_eq!(
            due("raj had it since nov 11 reassign to omar eod tomorrow"),
            Some(("end of day".into(), Some(date!(2026 - 11 - 26))))
        );
        assert_eq!(
            due("it was due nov 20, move it to dec 4"),
            Some(("dec 4".into(), Some(date!(2026 - 12 - 04))))
        );
    }

    #[test]
    fn weekdays_resolve_to_the_next_one() {
        assert_eq!(due("assign it to @dana by friday"), Some(("friday".into(), Some(date!(2026 - 11 - 27)))));
        assert_eq!(due("asign to @dana by fri"), Some(("friday".into(), Some(date!(2026 - 11 - 27)))));
        assert_eq!(due("due wednesday"), Some(("wednesday".into(), Some(date!(2026 - 12 - 02)))));
        assert_eq!(due("due next wednesday"), Some(("next wednesday".into(), Some(date!(2026 - 12 - 02)))));
        assert_eq!(due("due next friday"), Some(("next friday".into(), Some(date!(2026 - 12 - 04)))));
        assert_eq!(due("what happened on the weekend"), None);
        assert_eq!(due("progress on monday's standup"), None);
    }

    #[test]
    fn spans_and_ends_of_periods_resolve() {
        assert_eq!(due("in two weeks"), Some(("2 weeks".into(), Some(date!(2026 - 12 - 09)))));
        assert_eq!(
            due("move it to raj, 2 weeks from today"),
            Some(("2 weeks".into(), Some(date!(2026 - 12 - 09))))
        );
        assert_eq!(
            due("raj, a week from tomorrow"),
            Some(("1 week from tomorrow".into(), Some(date!(2026 - 12 - 03))))
        );
        assert_eq!(due("within 48 hours"), Some(("48 hours".into(), Some(date!(2026 - 11 - 27)))));
        // 2026-11-25 is a Wednesday: five business days skip the weekend.
        assert_eq!(
            due("due in 5 business days"),
            Some(("5 business days".into(), Some(date!(2026 - 12 - 02))))
        );
        assert_eq!(due("with a 14 day deadline"), Some(("14 days".into(), Some(date!(2026 - 12 - 09)))));
        assert_eq!(due("due within 30 days"), Some(("30 days".into(), Some(date!(2026 - 12 - 25)))));
        assert_eq!(due("by end of month"), Some(("end of month".into(), Some(date!(2026 - 11 - 30)))));
        assert_eq!(due("due eom"), Some(("end of month".into(), Some(date!(2026 - 11 - 30)))));
        assert_eq!(due("by eow"), Some(("end of week".into(), Some(date!(2026 - 11 - 27)))));
        assert_eq!(due("by end of quarter"), Some(("end of quarter".into(), Some(date!(2026 - 12 - 31)))));
        assert_eq!(due("due end of sprint"), Some(("end of sprint".into(), None)));
        assert_eq!(due("show the top 5 risks"), None);
        let in_delegation = |text: &str| find_due(text, TODAY, true).map(|d| (d.text, d.date));
        assert_eq!(
            in_delegation("delegate to the image owner 2 weeks"),
            Some(("2 weeks".into(), Some(date!(2026 - 12 - 09)))),
            "a span that ends a delegation is its deadline"
        );
        assert_eq!(
            in_delegation("hand the 4th to li.wei no rush like 30 days"),
            Some(("30 days".into(), Some(date!(2026 - 12 - 25))))
        );
        assert_eq!(in_delegation("give sam the findings of the last 5 days to fix"), None);
        assert_eq!(due("findings from the last 2 weeks"), None, "outside a delegation a span is a period");
    }

    #[test]
    fn calendar_dates_resolve() {
        assert_eq!(due("until the 21 of december").and_then(|d| d.1), Some(date!(2026 - 12 - 21)));
        assert_eq!(due("due 2026-12-15"), Some(("2026-12-15".into(), Some(date!(2026 - 12 - 15)))));
        assert_eq!(due("by the 20th"), Some(("the 20th".into(), Some(date!(2026 - 12 - 20)))));
        assert_eq!(
            due("assign it to omar with a deadline of the 18th"),
            Some(("the 18th".into(), Some(date!(2026 - 12 - 18))))
        );
        assert_eq!(due("put @priya on the 2nd one"), None, "a row, not a day");
        assert_eq!(
            find_due("-> @li.wei asap", TODAY, true).map(|d| (d.text, d.date)),
            Some(("as soon as possible".into(), Some(TODAY)))
        );
        assert_eq!(due("fix it asap"), None, "outside a delegation it is urgency, not a date");
        assert_eq!(
            due("put @priya on it, due on the 2nd"),
            Some(("the 2nd".into(), Some(date!(2026 - 12 - 02))))
        );
        assert_eq!(due("by dec 3"), Some(("dec 3".into(), Some(date!(2026 - 12 - 03)))));
        assert_eq!(due("by 3 march"), Some(("3 march".into(), Some(date!(2027 - 03 - 03)))));
        assert_eq!(due("needs doing by tomorrow"), Some(("tomorrow".into(), Some(date!(2026 - 11 - 26)))));
        assert_eq!(due("kv one -> alex by 12/15"), Some(("12/15".into(), Some(date!(2026 - 12 - 15)))));
        assert_eq!(due("due 15.12."), Some(("15.12".into(), Some(date!(2026 - 12 - 15)))));
        assert_eq!(
            due("sam takes it, deadline is 18.12."),
            Some(("18.12".into(), Some(date!(2026 - 12 - 18))))
        );
        assert_eq!(due("the due date is 18.12"), Some(("18.12".into(), Some(date!(2026 - 12 - 18)))));
        assert_eq!(due("the score is 18.12"), None, "a number, not a day");
        assert_eq!(due("by 3/1/2027"), Some(("3/1/2027".into(), Some(date!(2027 - 01 - 03)))));
        assert_eq!(due("the one with the 9.8 cve"), None, "a score, not a day");
        assert_eq!(resolve_due_phrase("15.12", TODAY), Some(date!(2026 - 12 - 15)));
        assert_eq!(resolve_due_phrase("Friday", TODAY), Some(date!(2026 - 11 - 27)));
        assert_eq!(resolve_due_phrase("14 days", TODAY), Some(date!(2026 - 12 - 09)));
    }
}
