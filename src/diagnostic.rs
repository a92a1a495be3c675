//! Diagnostics as plain data: what a rule found, where, and what to do about it.
//! Nothing here knows how a diagnostic is rendered.

use serde::Serialize;
use std::ops::Range;

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    /// The lowercase name used in configs and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parses `error`, `warning` or `info`.
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "error" => Some(Severity::Error),
            "warning" | "warn" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }
}

/// How sure a finding is. Ordered: `Medium < High`.
///
/// `High`: the finding rests on facts (what a name is bound to, the data model, the code's own
/// bounds). `Medium`: it rests on a guess (a table's growth judged from its name, a relation or
/// key with no data model to check it against, options built out of sight). Only `High` is
/// reported unless `--confidence medium` or the config's `confidence = "medium"` asks for more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Medium,
    #[default]
    High,
}

impl Confidence {
    /// The lowercase name used in configs and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }

    /// Parses `high` or `medium`.
    pub fn parse(s: &str) -> Option<Confidence> {
        match s {
            "high" => Some(Confidence::High),
            "medium" => Some(Confidence::Medium),
            _ => None,
        }
    }
}

/// How safe it is to apply a fix without review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    Safe,
    Unsafe,
    Suggestion,
}

/// A byte range into a file's text (after any byte-order mark was removed).
pub type ByteSpan = Range<usize>;

/// Secondary context for a diagnostic: a span and what it has to do with the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub message: String,
    pub span: ByteSpan,
}

/// One replacement of a span by new text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub span: ByteSpan,
    pub replacement: String,
}

/// A fix: edits to apply together, and how safe that is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    pub message: String,
    pub edits: Vec<Edit>,
}

/// An entry point that reaches a finding: where its code runs (`GET /api/teams/[id]`, a cron
/// job, a script), nearest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryPoint {
    /// `request`, `resolver`, `job`, `script` or `test`.
    pub kind: &'static str,
    /// How it is named: `GET /teams/:id`, `cron job `TrashService.cleanup``; the path for
    /// scripts and tests.
    pub name: String,
    pub path: String,
    pub line: u32,
}

/// What a rule reports for one file, with byte spans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: &'static str,
    /// `None`: the rule's configured severity. A rule sets it only when one rule reports at two
    /// levels (query-in-loop's reads and writes).
    pub severity: Option<Severity>,
    pub message: String,
    pub help: Option<String>,
    pub span: ByteSpan,
    pub labels: Vec<Label>,
    pub fix: Option<Fix>,
    /// `Medium` when the rule had to guess; see [`Confidence`].
    pub confidence: Confidence,
    /// The entry points that reach it through calls, nearest first (at most 16), where the
    /// project index knows them.
    pub reached_from: Vec<EntryPoint>,
    /// High only where a request, a resolver or a job is seen to reach it: the rule's fact holds
    /// (a child table read whole) but its cost depends on running where traffic or data is.
    /// Not part of any output.
    pub high_where_it_runs: bool,
    /// A field resolver's parent type: its N+1 is high only if some schema of the project
    /// returns that type in a list. Not part of any output.
    pub parent_type: Option<String>,
}

impl Diagnostic {
    /// A diagnostic at `span`, at the rule's configured severity.
    pub fn new(rule: &'static str, span: ByteSpan, message: impl Into<String>) -> Self {
        Diagnostic {
            rule,
            severity: None,
            message: message.into(),
            help: None,
            span,
            labels: Vec::new(),
            fix: None,
            confidence: Confidence::High,
            reached_from: Vec::new(),
            high_where_it_runs: false,
            parent_type: None,
        }
    }

    /// Marks the finding as resting on a guess (see [`Confidence`]).
    pub fn guessed(mut self, guessed: bool) -> Self {
        if guessed {
            self.confidence = Confidence::Medium;
        }
        self
    }

    /// See [`Diagnostic::high_where_it_runs`].
    pub fn high_where_it_runs(mut self, yes: bool) -> Self {
        self.high_where_it_runs = yes;
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_label(mut self, span: ByteSpan, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            message: message.into(),
            span,
        });
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }
}

/// A 1-based line and a 1-based column counted in Unicode scalar values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// Maps byte offsets of one text to lines and columns.
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr_newlines(text.as_bytes()));
        LineIndex { text, line_starts }
    }

    /// The line and column of a byte offset; offsets inside a character count as that character.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let mut end = offset;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let column = self.text[start..end].chars().count() + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// 1-based line number of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        self.line_col(offset).line
    }
}

/// Offsets just after each line break: `\n`, `\r\n`, or a lone `\r` (old Mac files), as
/// JavaScript counts them.
fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr2_iter(b'\n', b'\r', bytes)
        .filter(|&i| bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n'))
        .map(|i| i + 1)
}

/// `4200000` as people write it in a message: `4,200,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "é = 1;\r\nconst ü = prisma;";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(0), LineCol { line: 1, column: 1 });
        // 'é' is two bytes: byte 2 is the space, the second character.
        assert_eq!(index.line_col(2), LineCol { line: 1, column: 2 });
        let p = text.find("prisma").unwrap();
        assert_eq!(
            index.line_col(p),
            LineCol {
                line: 2,
                column: 11
            }
        );
    }

    #[test]
    fn lone_carriage_returns_break_lines() {
        let text = "a\rbb\r\nc";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(2), LineCol { line: 2, column: 1 });
        assert_eq!(
            index.line_col(text.len() - 1),
            LineCol { line: 3, column: 1 }
        );
    }

    #[test]
    fn offset_past_end_is_clamped() {
        let index = LineIndex::new("a\nb");
        assert_eq!(index.line_col(99), LineCol { line: 2, column: 2 });
    }
}
