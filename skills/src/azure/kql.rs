//! KQL for Azure Resource Graph, built from typed parts. Query syntax comes only from
//! `&'static str` fragments written in this crate; every value — a resource name, a
//! recommendation key, an owner, a date — enters a query as a literal rendered by [`quote`] or
//! `datetime(...)`, so no value can change what a query does.

use std::fmt::{self, Write as _};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A KQL string literal for `value`: single-quoted, with backslash, quote, tab and line breaks
/// escaped as the Kusto grammar requires.
pub(crate) fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A KQL `datetime(...)` literal in UTC.
fn datetime(value: OffsetDateTime) -> String {
    let utc = value.to_offset(time::UtcOffset::UTC);
    format!("datetime({})", utc.format(&Rfc3339).unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned()))
}

/// The Resource Graph table a query reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Table {
    /// Defender for Cloud's assessments, sub-assessments, attack paths, governance assignments.
    SecurityResources,
    /// Azure resources.
    Resources,
    /// Subscriptions, resource groups and management groups.
    ResourceContainers,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::SecurityResources => "securityresources",
            Table::Resources => "resources",
            Table::ResourceContainers => "resourcecontainers",
        }
    }
}

/// How a text column is compared with a literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextOp {
    /// `=~`: equal, ignoring case.
    EqualsIgnoreCase,
    /// `startswith` (ignoring case).
    StartsWith,
    /// `endswith` (ignoring case).
    EndsWith,
    /// `contains` (ignoring case).
    Contains,
}

impl TextOp {
    fn symbol(self) -> &'static str {
        match self {
            TextOp::EqualsIgnoreCase => "=~",
            TextOp::StartsWith => "startswith",
            TextOp::EndsWith => "endswith",
            TextOp::Contains => "contains",
        }
    }
}

/// How a datetime column is compared with a literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeOp {
    /// `<`.
    Before,
    /// `>=`.
    AtOrAfter,
}

/// Whether a list membership test minds case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Case {
    /// `in` / `!in`.
    Sensitive,
    /// `in~` / `!in~`.
    Ignored,
}

/// A condition of a `where` stage.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cond {
    /// A fixed condition written in this crate.
    Is(&'static str),
    /// A column compared with a text literal.
    Text {
        /// The column.
        column: &'static str,
        /// The comparison.
        op: TextOp,
        /// The value, rendered as a literal.
        value: String,
    },
    /// A column compared with a datetime literal.
    Time {
        /// The column.
        column: &'static str,
        /// The comparison.
        op: TimeOp,
        /// The value.
        value: OffsetDateTime,
    },
    /// A column is (or is not) one of a list of text literals.
    OneOf {
        /// The column.
        column: &'static str,
        /// The values, rendered as literals.
        values: Vec<String>,
        /// Whether case matters.
        case: Case,
        /// `!in` instead of `in`.
        negated: bool,
    },
    /// Every condition holds (true when empty).
    All(Vec<Cond>),
    /// Some condition holds (false when empty).
    Any(Vec<Cond>),
}

impl Cond {
    fn list<S: Into<String>>(
        column: &'static str,
        values: impl IntoIterator<Item = S>,
        case: Case,
        negated: bool,
    ) -> Cond {
        Cond::OneOf { column, values: values.into_iter().map(Into::into).collect(), case, negated }
    }

    /// `column in~ (values)`.
    pub(crate) fn one_of<S: Into<String>>(column: &'static str, values: impl IntoIterator<Item = S>) -> Cond {
        Cond::list(column, values, Case::Ignored, false)
    }

    /// `column !in~ (values)`.
    pub(crate) fn none_of<S: Into<String>>(
        column: &'static str,
        values: impl IntoIterator<Item = S>,
    ) -> Cond {
        Cond::list(column, values, Case::Ignored, true)
    }

    /// `column in (values)`, minding case.
    pub(crate) fn one_of_exactly<S: Into<String>>(
        column: &'static str,
        values: impl IntoIterator<Item = S>,
    ) -> Cond {
        Cond::list(column, values, Case::Sensitive, false)
    }

    /// `column !in (values)`, minding case.
    pub(crate) fn none_of_exactly<S: Into<String>>(
        column: &'static str,
        values: impl IntoIterator<Item = S>,
    ) -> Cond {
        Cond::list(column, values, Case::Sensitive, true)
    }

    /// `column op 'value'`.
    pub(crate) fn text(column: &'static str, op: TextOp, value: impl Into<String>) -> Cond {
        Cond::Text { column, op, value: value.into() }
    }

    fn is_always_true(&self) -> bool {
        match self {
            Cond::All(parts) => parts.iter().all(Cond::is_always_true),
            _ => false,
        }
    }

    fn render(&self, out: &mut String, nested: bool) {
        match self {
            Cond::Is(text) => out.push_str(text),
            Cond::Text { column, op, value } => {
                let _ = write!(out, "{column} {} {}", op.symbol(), quote(value));
            }
            Cond::Time { column, op, value } => {
                let symbol = match op {
                    TimeOp::Before => "<",
                    TimeOp::AtOrAfter => ">=",
                };
                let _ = write!(out, "{column} {symbol} {}", datetime(*value));
            }
            Cond::OneOf { values, negated, .. } if values.is_empty() => {
                out.push_str(if *negated { "true" } else { "false" });
            }
            Cond::OneOf { column, values, case, negated } => {
                let op = match (negated, case) {
                    (false, Case::Sensitive) => "in",
                    (false, Case::Ignored) => "in~",
                    (true, Case::Sensitive) => "!in",
                    (true, Case::Ignored) => "!in~",
                };
                let list: Vec<String> = values.iter().map(|v| quote(v)).collect();
                let _ = write!(out, "{column} {op} ({})", list.join(", "));
            }
            Cond::All(parts) | Cond::Any(parts) => {
                let parts: Vec<&Cond> = parts.iter().filter(|p| !p.is_always_true()).collect();
                let joiner = if matches!(self, Cond::All(_)) { " and " } else { " or " };
                match parts.as_slice() {
                    [] => out.push_str(if matches!(self, Cond::All(_)) { "true" } else { "false" }),
                    [one] => one.render(out, nested),
                    many => {
                        if nested {
                            out.push('(');
                        }
                        for (i, part) in many.iter().enumerate() {
                            if i > 0 {
                                out.push_str(joiner);
                            }
                            part.render(out, true);
                        }
                        if nested {
                            out.push(')');
                        }
                    }
                }
            }
        }
    }
}

/// One stage of a query, after its table.
#[derive(Debug, Clone, PartialEq)]
enum Stage {
    Where(Cond),
    Extend(&'static str),
    JoinLeftOuter { right: Box<Query>, on: &'static str },
    JoinInner { right: Box<Query>, on: &'static str },
    Summarize(&'static str),
    Project(&'static str),
    Distinct(&'static str),
    OrderBy(&'static str),
}

/// A Resource Graph query: a table and its stages.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Query {
    table: Table,
    stages: Vec<Stage>,
}

impl Query {
    /// A query over a table.
    pub(crate) fn from(table: Table) -> Query {
        Query { table, stages: Vec::new() }
    }

    /// The table the query reads first.
    pub(crate) fn table(&self) -> Table {
        self.table
    }

    /// `| where cond` (left out when the condition is always true).
    pub(crate) fn filter(mut self, cond: Cond) -> Query {
        if !cond.is_always_true() {
            self.stages.push(Stage::Where(cond));
        }
        self
    }

    /// `| extend columns`.
    pub(crate) fn extend(mut self, columns: &'static str) -> Query {
        self.stages.push(Stage::Extend(columns));
        self
    }

    /// `| join kind=leftouter (right) on column`.
    pub(crate) fn join_left_outer(mut self, right: Query, on: &'static str) -> Query {
        self.stages.push(Stage::JoinLeftOuter { right: Box::new(right), on });
        self
    }

    /// `| join kind=inner (right) on column`.
    pub(crate) fn join_inner(mut self, right: Query, on: &'static str) -> Query {
        self.stages.push(Stage::JoinInner { right: Box::new(right), on });
        self
    }

    /// `| summarize aggregates`.
    pub(crate) fn summarize(mut self, aggregates: &'static str) -> Query {
        self.stages.push(Stage::Summarize(aggregates));
        self
    }

    /// `| project columns`.
    pub(crate) fn project(mut self, columns: &'static str) -> Query {
        self.stages.push(Stage::Project(columns));
        self
    }

    /// `| distinct columns`.
    pub(crate) fn distinct(mut self, columns: &'static str) -> Query {
        self.stages.push(Stage::Distinct(columns));
        self
    }

    /// `| order by columns`.
    pub(crate) fn order_by(mut self, columns: &'static str) -> Query {
        self.stages.push(Stage::OrderBy(columns));
        self
    }

    fn render(&self, out: &mut String, separator: &str) {
        out.push_str(self.table.name());
        for stage in &self.stages {
            out.push_str(separator);
            match stage {
                Stage::Where(cond) => {
                    out.push_str("where ");
                    cond.render(out, false);
                }
                Stage::Extend(columns) => {
                    let _ = write!(out, "extend {columns}");
                }
                Stage::JoinLeftOuter { right, on } | Stage::JoinInner { right, on } => {
                    let kind = if matches!(stage, Stage::JoinInner { .. }) { "inner" } else { "leftouter" };
                    let _ = write!(out, "join kind={kind} (");
                    right.render(out, " | ");
                    let _ = write!(out, ") on {on}");
                }
                Stage::Summarize(aggregates) => {
                    let _ = write!(out, "summarize {aggregates}");
                }
                Stage::Project(columns) => {
                    let _ = write!(out, "project {columns}");
                }
                Stage::Distinct(columns) => {
                    let _ = write!(out, "distinct {columns}");
                }
                Stage::OrderBy(columns) => {
                    let _ = write!(out, "order by {columns}");
                }
            }
        }
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.render(&mut out, "\n| ");
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_escape_everything_that_could_end_them() {
        assert_eq!(quote("plain"), "'plain'");
        assert_eq!(quote("x' or 1==1 | project secrets //"), r"'x\' or 1==1 | project secrets //'");
        assert_eq!(quote(r"back\slash"), r"'back\\slash'");
        assert_eq!(quote("a\nb\r\tc"), r"'a\nb\r\tc'");
        assert_eq!(quote(r"\'"), r"'\\\''");
    }

    #[test]
    fn queries_render_stage_by_stage() {
        let q = Query::from(Table::SecurityResources)
            .filter(Cond::Is("type == 'microsoft.security/assessments'"))
            .filter(Cond::All(vec![
                Cond::text("name", TextOp::EqualsIgnoreCase, "k'1"),
                Cond::Any(vec![Cond::one_of("a", ["x"]), Cond::none_of_exactly("b", ["y", "z"])]),
                Cond::one_of("c", Vec::<String>::new()),
            ]))
            .filter(Cond::All(Vec::new()))
            .filter(Cond::Time {
                column: "t",
                op: TimeOp::AtOrAfter,
                value: time::macros::datetime!(2026-11-24 18:00 +02:00),
            })
            .join_left_outer(
                Query::from(Table::Resources).filter(Cond::one_of_exactly("k", ["v"])).project("k"),
                "k",
            )
            .order_by("id asc");
        assert_eq!(
            q.to_string(),
            "securityresources\n\
             | where type == 'microsoft.security/assessments'\n\
             | where name =~ 'k\\'1' and (a in~ ('x') or b !in ('y', 'z')) and false\n\
             | where t >= datetime(2026-11-24T16:00:00Z)\n\
             | join kind=leftouter (resources | where k in ('v') | project k) on k\n\
             | order by id asc"
        );
    }
}
