//! The whole per-file analysis with every rule, on arbitrary bytes, as TypeScript and as TSX:
//! parse, walk, rules, suppressions, and placing every span as lines and columns.
#![no_main]

use leaklint::config::Config;
use leaklint::diagnostic::LineIndex;
use leaklint::project::Project;
use leaklint::rules::RULES;
use leaklint::{analyze, source::Lang};
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::OnceLock;

fn project() -> &'static Project {
    static PROJECT: OnceLock<Project> = OnceLock::new();
    PROJECT.get_or_init(Project::default)
}

fn run(text: &str, lang: Lang, path: &str) {
    let config = Config::default();
    let rules: Vec<_> = RULES.to_vec();
    let Some(analysis) = analyze(Path::new(path), text, lang, &config, project(), &rules) else {
        return;
    };
    let index = LineIndex::new(text);
    let diagnostics: Vec<_> = analysis.pending.into_iter().map(|p| p.diagnostic).collect();
    for d in &diagnostics {
        let _ = index.line_col(d.span.start);
        let _ = index.line_col(d.span.end);
        for label in &d.labels {
            let _ = index.line_col(label.span.start);
            let _ = index.line_col(label.span.end);
        }
        if let Some(fix) = &d.fix {
            for edit in &fix.edits {
                assert!(edit.span.start <= edit.span.end && edit.span.end <= text.len());
                assert!(
                    text.is_char_boundary(edit.span.start) && text.is_char_boundary(edit.span.end)
                );
            }
        }
        assert!(d.span.start <= d.span.end && d.span.end <= text.len());
    }
    let (mut suppressions, _invalid) = leaklint::suppress::parse(text, &analysis.comments, &index);
    let _ = leaklint::suppress::apply(diagnostics, &mut suppressions, &index);
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    run(text, Lang::TypeScript, "src/app.ts");
    run(text, Lang::Tsx, "src/app.tsx");
});
