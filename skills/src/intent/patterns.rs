//! Many regexes matched against one short text. Running each pattern costs a search set-up
//! and a scan per pattern; instead one Aho-Corasick pass over the literals that each pattern's
//! matches must start with finds the few patterns worth running.

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use regex::Regex;
use regex_syntax::hir::literal::{ExtractKind, Extractor};

/// An ordered list of patterns that answers "which of them match this text".
pub(crate) struct PatternSet {
    patterns: Vec<Regex>,
    /// Every literal some pattern's matches start or end with.
    gate: AhoCorasick,
    /// For each literal of the gate, the patterns whose matches may start with it
    /// ([`Edge::Start`]) or end with it ([`Edge::End`]).
    edges: Vec<Vec<(Edge, usize)>>,
    /// Bitsets of the patterns the gate cannot rule out by their first literal, and by their
    /// last (matches that may start or end with anything).
    open_start: Vec<u64>,
    open_end: Vec<u64>,
}

/// Which end of a match a literal stands at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    Start,
    End,
}

impl std::fmt::Debug for PatternSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PatternSet").field("patterns", &self.patterns.len()).finish()
    }
}

fn set(bits: &mut [u64], i: usize) {
    bits[i / 64] |= 1 << (i % 64);
}

impl PatternSet {
    /// Compiles the patterns; they are written in this crate, so an invalid one is a bug that
    /// every test run reports.
    pub(crate) fn new<'a>(patterns: impl IntoIterator<Item = &'a str>) -> PatternSet {
        let patterns: Vec<Regex> =
            patterns.into_iter().map(|p| Regex::new(p).expect("valid built-in pattern")).collect();
        let words = patterns.len().div_ceil(64);
        let (mut open_start, mut open_end) = (vec![0u64; words], vec![0u64; words]);
        let mut literals: Vec<Vec<u8>> = Vec::new();
        let mut edges: Vec<Vec<(Edge, usize)>> = Vec::new();
        for (edge, open) in [(Edge::Start, &mut open_start), (Edge::End, &mut open_end)] {
            let mut extractor = Extractor::new();
            extractor.kind(if edge == Edge::Start { ExtractKind::Prefix } else { ExtractKind::Suffix });
            extractor.limit_total(2_000);
            for (i, pattern) in patterns.iter().enumerate() {
                let seq = regex_syntax::parse(pattern.as_str()).ok().map(|hir| extractor.extract(&hir));
                // A finite set of literals, none empty: every match starts (ends) with one.
                let gated = seq
                    .as_ref()
                    .and_then(|seq| seq.literals())
                    .filter(|lits| !lits.is_empty() && lits.iter().all(|l| !l.as_bytes().is_empty()));
                let Some(lits) = gated else {
                    set(open, i);
                    continue;
                };
                for lit in lits {
                    match literals.iter().position(|l| l == lit.as_bytes()) {
                        Some(at) => edges[at].push((edge, i)),
                        None => {
                            literals.push(lit.as_bytes().to_vec());
                            edges.push(vec![(edge, i)]);
                        }
                    }
                }
            }
        }
        // A DFA: the gate runs on every prompt and is built once.
        let gate = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::DFA))
            .build(&literals)
            .expect("the gate's literals build an automaton");
        PatternSet { patterns, gate, edges, open_start, open_end }
    }

    /// The pattern at an index.
    pub(crate) fn pattern(&self, index: usize) -> &Regex {
        &self.patterns[index]
    }

    /// The indices of the patterns that match the text, in order.
    pub(crate) fn matching(&self, text: &str) -> Vec<usize> {
        let (mut starts, mut ends) = (self.open_start.clone(), self.open_end.clone());
        for found in self.gate.find_overlapping_iter(text) {
            for &(edge, i) in &self.edges[found.pattern().as_usize()] {
                set(if edge == Edge::Start { &mut starts } else { &mut ends }, i);
            }
        }
        let mut out = Vec::new();
        for (word, (starts, ends)) in starts.iter().zip(&ends).enumerate() {
            let mut bits = starts & ends;
            while bits != 0 {
                let i = word * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if self.patterns[i].is_match(text) {
                    out.push(i);
                }
            }
        }
        out
    }

    /// How many patterns the gate can rule out, of all (for the tests).
    #[cfg(test)]
    fn gated(&self) -> usize {
        let open = self.open_start.iter().zip(&self.open_end).map(|(s, e)| (s & e).count_ones() as usize);
        self.patterns.len() - open.sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gate_finds_exactly_what_running_every_pattern_finds() {
        let sources = [
            r"\b(assign|reassign)\b",
            r"\bput (me|@\S+) as owner\b",
            r"(^|\s)@(here|channel)\b",
            r".{0,3}risk",
            r"\w+ tenant too",
            r"(^|\s)\w+\b",
            r"\bhow (do|can) i\b.{0,20}\bfix\b",
            r"\b(fix|patch)\b",
        ];
        let set = PatternSet::new(sources);
        // Only a pattern whose matches may both start and end with anything cannot be gated.
        assert_eq!(set.gated(), 7);
        let texts = [
            "assign it to @dana",
            "put @sam as owner please",
            "@here look",
            "hey @channel",
            "top risks",
            "how do i actually fix it",
            "nothing relevant at all",
            "reassigned",
            "their tenant too",
            "",
        ];
        for text in texts {
            let every: Vec<usize> = (0..sources.len()).filter(|&i| set.pattern(i).is_match(text)).collect();
            assert_eq!(set.matching(text), every, "{text}");
        }
        assert_eq!(set.matching("how can i fix the 2nd"), vec![5, 6, 7]);
    }
}
