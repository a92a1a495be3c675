//! Suppression comments:
//! `// leaklint-disable-next-line RULE[, RULE...] [-- reason]`, `// leaklint-disable-line ...` and
//! `/* leaklint-disable-file ... */`.
//!
//! Above the rule registry: rule names in comments are checked against it, and the two
//! suppression rules' ids are its.

use crate::diagnostic::{ByteSpan, Diagnostic, LineIndex};
use crate::rules::{self, suppression};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    NextLine,
    Line,
    File,
}

/// One parsed suppression comment.
#[derive(Debug)]
pub struct Suppression {
    scope: Scope,
    /// The line it applies to (1-based); unused for file scope.
    line: usize,
    /// The comment's span.
    span: ByteSpan,
    /// Known rule ids it names, and whether each silenced something.
    rules: Vec<(&'static str, bool)>,
}

/// Parses the suppression comments among `comments`; returns them and the diagnostics for
/// malformed ones (no rule named, unknown rule).
pub fn parse(
    text: &str,
    comments: &[ByteSpan],
    index: &LineIndex,
) -> (Vec<Suppression>, Vec<Diagnostic>) {
    let mut suppressions = Vec::new();
    let mut invalid = Vec::new();
    for span in comments {
        let raw = &text[span.clone()];
        let body = raw
            .strip_prefix("//")
            .or_else(|| {
                raw.strip_prefix("/*")
                    .map(|b| b.strip_suffix("*/").unwrap_or(b))
            })
            .unwrap_or(raw)
            .trim()
            .trim_start_matches('*')
            .trim();
        let (scope, rest) = if let Some(rest) = body.strip_prefix("leaklint-disable-next-line") {
            (Scope::NextLine, rest)
        } else if let Some(rest) = body.strip_prefix("leaklint-disable-line") {
            (Scope::Line, rest)
        } else if let Some(rest) = body.strip_prefix("leaklint-disable-file") {
            (Scope::File, rest)
        } else if body.starts_with("leaklint-disable") {
            invalid.push(Diagnostic::new(
                suppression::INVALID.id,
                span.clone(),
                "unknown suppression directive",
            ).with_help("write `leaklint-disable-next-line RULE`, `leaklint-disable-line RULE` or `leaklint-disable-file RULE`"));
            continue;
        } else {
            continue;
        };
        if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
            continue;
        }
        // Rule names end at a `--` word: the reason follows it, and may be empty.
        let names: Vec<&str> = rest
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|n| !n.is_empty())
            .take_while(|n| *n != "--")
            .collect();
        if names.is_empty() {
            invalid.push(
                Diagnostic::new(
                    suppression::INVALID.id,
                    span.clone(),
                    "suppression names no rule",
                )
                .with_help("name the rules it silences, e.g. `leaklint-disable-next-line query-in-loop -- why`"),
            );
            continue;
        }
        let mut known = Vec::new();
        for name in names {
            match rules::find(name) {
                Some(rule) => known.push((rule.id, false)),
                None => {
                    let help = match rules::did_you_mean(name) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "`leaklint rules` lists every rule".to_string(),
                    };
                    invalid.push(
                        Diagnostic::new(
                            suppression::INVALID.id,
                            span.clone(),
                            format!("suppression names unknown rule `{name}`"),
                        )
                        .with_help(help),
                    );
                }
            }
        }
        if known.is_empty() {
            continue;
        }
        let line = match scope {
            Scope::NextLine => index.line(span.end) + 1,
            Scope::Line => index.line(span.start),
            Scope::File => 0,
        };
        suppressions.push(Suppression {
            scope,
            line,
            span: span.clone(),
            rules: known,
        });
    }
    (suppressions, invalid)
}

/// Removes the diagnostics a suppression silences, marking those suppressions used.
pub fn apply(
    diagnostics: Vec<Diagnostic>,
    suppressions: &mut [Suppression],
    index: &LineIndex,
) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .filter(|d| {
            let line = index.line(d.span.start);
            let mut silenced = false;
            for s in suppressions.iter_mut() {
                if s.scope != Scope::File && s.line != line {
                    continue;
                }
                for (rule, used) in s.rules.iter_mut() {
                    if *rule == d.rule {
                        *used = true;
                        silenced = true;
                    }
                }
            }
            !silenced
        })
        .collect()
}

/// A diagnostic for every rule named in a suppression that silenced nothing, among the rules that
/// ran (a suppression for a rule switched off in this run is not unused, just idle).
pub fn unused(suppressions: &[Suppression], ran: &[&str]) -> Vec<Diagnostic> {
    suppressions
        .iter()
        .flat_map(|s| {
            s.rules
                .iter()
                .filter(|(rule, used)| !used && ran.contains(rule))
                .map(|(rule, _)| {
                    Diagnostic::new(
                        suppression::UNUSED.id,
                        s.span.clone(),
                        format!("suppression of `{rule}` silenced nothing"),
                    )
                    .with_help("remove it, or move it to the line it was meant for")
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comments(text: &str) -> Vec<ByteSpan> {
        // Test inputs hold one comment per line, from `//` or `/*` to the line's end.
        let mut out = Vec::new();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            if let Some(i) = line.find("//").or_else(|| line.find("/*")) {
                out.push(offset + i..offset + line.trim_end().len());
            }
            offset += line.len();
        }
        out
    }

    fn diag(text: &str, needle: &str) -> Diagnostic {
        let start = text.find(needle).unwrap();
        Diagnostic::new("query-in-loop", start..start + needle.len(), "m")
    }

    #[test]
    fn next_line_and_same_line_silence_only_their_line() {
        let text = "// leaklint-disable-next-line query-in-loop -- three ids at most\nA\nB // leaklint-disable-line query-in-loop\nC\n";
        let index = LineIndex::new(text);
        let (mut sups, invalid) = parse(text, &comments(text), &index);
        assert!(invalid.is_empty());
        let kept = apply(
            vec![diag(text, "A"), diag(text, "B"), diag(text, "C")],
            &mut sups,
            &index,
        );
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].span.start, text.find('C').unwrap());
        assert!(unused(&sups, &["query-in-loop"]).is_empty());
    }

    #[test]
    fn file_scope_silences_everywhere() {
        let text = "/* leaklint-disable-file query-in-loop -- script */\nA\nB\n";
        let index = LineIndex::new(text);
        let (mut sups, _) = parse(text, &comments(text), &index);
        let kept = apply(vec![diag(text, "A"), diag(text, "B")], &mut sups, &index);
        assert!(kept.is_empty());
    }

    #[test]
    fn unknown_and_missing_rules_are_reported() {
        let text = "// leaklint-disable-next-line query-in-lop\nA\n// leaklint-disable-line\n";
        let index = LineIndex::new(text);
        let (sups, invalid) = parse(text, &comments(text), &index);
        assert!(sups.is_empty(), "nothing valid to apply");
        assert_eq!(invalid.len(), 2);
        assert_eq!(
            invalid[0].message,
            "suppression names unknown rule `query-in-lop`"
        );
        assert_eq!(
            invalid[0].help.as_deref(),
            Some("did you mean `query-in-loop`?")
        );
        assert_eq!(invalid[1].message, "suppression names no rule");
    }

    #[test]
    fn unused_is_reported_only_for_rules_that_ran() {
        let text = "// leaklint-disable-next-line query-in-loop\nA\n";
        let index = LineIndex::new(text);
        let (sups, _) = parse(text, &comments(text), &index);
        assert_eq!(unused(&sups, &["query-in-loop"]).len(), 1);
        assert!(unused(&sups, &[]).is_empty());
    }

    #[test]
    fn ordinary_comments_are_ignored() {
        let text = "// leaklint-disabled is not a directive\n// see leaklint-disable-line docs\n";
        let index = LineIndex::new(text);
        let (sups, invalid) = parse(text, &comments(text), &index);
        assert!(sups.is_empty());
        assert_eq!(
            invalid.len(),
            1,
            "`leaklint-disabled` looks like a typo of a directive"
        );
    }
}
