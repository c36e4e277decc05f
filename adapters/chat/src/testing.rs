//! Random cards for the renderers' property tests (feature `testing`): every field filled with
//! text that mixes what cloud data can hold — mentions and markup in every platform's syntax,
//! code fences, links, emoji, CJK, long ARM ids — at sizes past every platform's limits. The
//! generator is deterministic, so a failing card is found again by its seed and number.

use crate::action::{Action, ActionStyle, Command};
use crate::action::{Rating, ResponseId};
use crate::card::{Card, CodeBlock, Fact, Footer, Item, Link, Section};
use crate::slots::{Intent, Slots};
use crate::subject::Subject;
use crate::vocabulary::Severity;

/// Pieces random text is made of: the markup each platform would read, and ordinary data.
const PIECES: [&str; 25] = [
    "word ",
    "checkout-api:1.14.2 ",
    "CVE-2024-3094 ",
    "@everyone ",
    "@here ",
    "<@123456789012345678> ",
    "<@&42> ",
    "<!channel> ",
    "<!here|here> ",
    "<@U0ADMIN> ",
    "<https://evil.example|click> ",
    "&amp; & < > ",
    "**bold** ",
    "*bold* ",
    "```",
    "\n",
    "🔥",
    "漢字テキスト",
    "[x](https://evil.example) ",
    "_under_ ",
    "\\",
    "- ",
    "# ",
    "{{ADAPTIVE}} ${expr} ",
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod/providers/x ",
];

/// A small xorshift generator of cards.
#[derive(Debug, Clone)]
pub struct RandomCards(u64);

impl RandomCards {
    /// A generator starting from `seed` (not zero).
    pub fn new(seed: u64) -> RandomCards {
        RandomCards(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// Text of up to `max` characters (roughly) made of [`PIECES`].
    pub fn text(&mut self, max: usize) -> String {
        let len = self.below(max + 1);
        let mut out = String::new();
        let mut count = 0;
        while count < len {
            let piece = PIECES[self.below(PIECES.len())];
            out.push_str(piece);
            count += piece.chars().count();
        }
        out
    }

    /// A finding subject numbered `n`.
    pub fn finding(n: usize) -> Subject {
        Subject::Finding {
            recommendation: format!("00000000-0000-0000-0000-{n:012}"),
            resource: format!(
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-{n}"
            ),
        }
    }

    /// A button of any kind and style on reply `response_id`.
    pub fn action(&mut self, response_id: &ResponseId) -> Action {
        let label = self.text(120);
        let command = match self.below(4) {
            0 => Command::Rate { rating: Rating::ALL[self.below(3)] },
            1 => Command::Ask { text: self.text(200) },
            2 => Command::Run {
                intent: Intent::Remediate,
                subject: Some(RandomCards::finding(self.below(100))),
                slots: Slots::default(),
                offset: 0,
            },
            _ => Command::Run {
                intent: Intent::ListRisks,
                subject: None,
                slots: Slots::default(),
                offset: self.below(50) as u32,
            },
        };
        let style = [ActionStyle::Default, ActionStyle::Primary, ActionStyle::Danger][self.below(3)];
        Action::new(label, response_id, command).styled(style)
    }

    /// A trend chart of random periods, or none.
    fn chart(&mut self) -> Option<crate::Chart> {
        let periods: Vec<[usize; 4]> = (0..self.below(14))
            .map(|_| [self.below(50), self.below(200), self.below(400), self.below(300)])
            .collect();
        self.chance(30).then(|| crate::chart::trend(&periods, self.text(300)))
    }

    /// A card with every part filled at random, for reply `response_id`.
    pub fn card(&mut self, response_id: &ResponseId) -> Card {
        let facts = |rng: &mut RandomCards, n: usize, long: usize| -> Vec<Fact> {
            (0..rng.below(n)).map(|_| Fact::new(rng.text(300), rng.text(long))).collect()
        };
        Card {
            title: self.text(400),
            first_item: 1,
            summary: self.chance(80).then(|| self.text(3_000)),
            severity: self.chance(70).then(|| Severity::ALL[self.below(4)]),
            badges: (0..self.below(4)).map(|_| self.text(40)).collect(),
            facts: facts(self, 40, 1_500),
            sections: (0..self.below(5))
                .map(|_| Section {
                    heading: self.text(300),
                    lines: (0..self.below(30)).map(|_| self.text(500)).collect(),
                    numbered: self.chance(50),
                })
                .collect(),
            items: (0..self.below(40))
                .map(|_| Item {
                    title: self.text(300),
                    subtitle: self.chance(70).then(|| self.text(400)),
                    severity: self.chance(70).then(|| Severity::ALL[self.below(4)]),
                    facts: facts(self, 5, 400),
                    actions: (0..self.below(8)).map(|_| self.action(response_id)).collect(),
                })
                .collect(),
            code: (0..self.below(4))
                .map(|_| CodeBlock {
                    title: self.text(300),
                    language: ["bash", "powershell", "hcl", "bicep", "", "weird lang!"][self.below(6)].into(),
                    code: self.text(8_000),
                })
                .collect(),
            actions: (0..self.below(30)).map(|_| self.action(response_id)).collect(),
            links: (0..self.below(3))
                .map(|_| Link {
                    label: self.text(100),
                    url: format!(
                        "https://portal.azure.com/#blade/Microsoft_Azure_Security/x/{}",
                        self.text(60)
                    ),
                })
                .collect(),
            chart: self.chart(),
            notices: (0..self.below(5)).map(|_| self.text(600)).collect(),
            footer: self.chance(90).then(|| Footer::for_response(response_id)),
        }
    }
}
