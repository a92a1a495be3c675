//! Helpers that keep rule tests to one line per case.

use crate::analyze;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::project::schema::Schema;
use crate::project::Project;
use crate::rules::RULES;
use crate::source::Lang;
use std::path::{Path, PathBuf};

/// Diagnostics of every rule for a TypeScript snippet at `src/app.ts`, with the default config
/// and no schema. Facts that would need other files (an imported client) count as not holding.
pub fn lint(src: &str) -> Vec<Diagnostic> {
    lint_with(src, None, &Config::default(), "src/app.ts")
}

/// Like [`lint`], with a Prisma schema's text, a config and a file path.
pub fn lint_with(src: &str, schema: Option<&str>, config: &Config, path: &str) -> Vec<Diagnostic> {
    let mut project = Project::default();
    if let Some(text) = schema {
        let mut parsed = Schema::default();
        parsed.add_file(PathBuf::from("schema.prisma"), text);
        // The empty key is where a configured schema lives: it applies to every file.
        project.schemas.insert(PathBuf::new(), parsed);
    }
    let rules: Vec<_> = RULES.to_vec();
    let analysis = analyze(
        Path::new(path),
        src,
        Lang::TypeScript,
        config,
        &project,
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

/// The diagnostics of one rule.
pub fn lint_rule(rule: &str, src: &str, schema: Option<&str>) -> Vec<Diagnostic> {
    lint_with(src, schema, &Config::default(), "src/app.ts")
        .into_iter()
        .filter(|d| d.rule == rule)
        .collect()
}

/// The messages of one rule's diagnostics, with no schema.
pub fn messages(rule: &str, src: &str) -> Vec<String> {
    lint_rule(rule, src, None)
        .into_iter()
        .map(|d| d.message)
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
