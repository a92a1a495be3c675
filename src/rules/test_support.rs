//! Helpers that keep rule tests to one line per case.

use crate::analysis::{analyze, Lang};
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::rules::RULES;

/// Diagnostics of every rule for a TypeScript snippet, with the default config. Facts that would
/// need other files (an imported client) count as not holding.
pub fn lint(src: &str) -> Vec<Diagnostic> {
    let config = Config::default();
    let rules: Vec<_> = RULES.to_vec();
    let analysis = analyze(
        std::path::Path::new("src/app.ts"),
        src,
        Lang::TypeScript,
        &config,
        &rules,
    )
    .expect("parses");
    analysis
        .pending
        .into_iter()
        .filter(|p| p.conditions.is_empty())
        .map(|p| p.diagnostic)
        .collect()
}

#[track_caller]
pub fn assert_fails(src: &str) {
    let found = lint(src);
    assert!(!found.is_empty(), "expected a finding in:\n{src}");
}

#[track_caller]
pub fn assert_passes(src: &str) {
    let found = lint(src);
    assert!(
        found.is_empty(),
        "expected no finding in:\n{src}\nfound: {found:#?}"
    );
}
