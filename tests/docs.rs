//! Meta-tests: every registered rule has a doc with the required headings, its Example triggers
//! the rule and its "Use instead" does not.

mod common;

use common::{findings, run_json, write_files};
use leaklint::rules::RULES;

const HEADINGS: &[&str] = &[
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
    "## Options",
    "## Confidence",
    "## Known limitations",
];

/// The first ```ts block after `heading`.
fn code_after<'a>(doc: &'a str, heading: &str) -> &'a str {
    let section = &doc[doc.find(heading).unwrap()..];
    let start = section.find("```ts\n").expect("a ts code block") + 6;
    let rest = &section[start..];
    &rest[..rest.find("```").unwrap()]
}

#[test]
fn every_rule_has_a_complete_doc() {
    for rule in RULES {
        assert!(
            rule.doc.starts_with(&format!("# {}\n", rule.id)),
            "{}: title",
            rule.id
        );
        let mut last = 0;
        for heading in HEADINGS {
            let at = rule
                .doc
                .find(heading)
                .unwrap_or_else(|| panic!("{}: missing {heading}", rule.id));
            assert!(at >= last, "{}: {heading} out of order", rule.id);
            last = at;
        }
    }
}

#[test]
fn every_example_triggers_its_rule_and_every_fix_does_not() {
    for rule in RULES {
        for (heading, should_fire) in [("## Example", true), ("## Use instead", false)] {
            let dir = tempfile::tempdir().unwrap();
            write_files(
                dir.path(),
                &[("example.ts", code_after(rule.doc, heading)), ("db.ts", "")],
            );
            // An example stands alone, with no schema: some of its findings are medium.
            let (_, json) = run_json(
                dir.path(),
                &[
                    "--report-unused-suppressions",
                    "--confidence",
                    "medium",
                    "example.ts",
                ],
            );
            let fired = findings(&json).iter().any(|(_, _, r)| r == rule.id);
            assert_eq!(fired, should_fire, "{}: {heading}\n{json:#}", rule.id);
        }
    }
}
