//! Raw SQL: the statement judged in every dialect, and the text extracted from the calls that
//! send it (a tagged template, a string, a template with `${}` holes) and judged by the rules.
#![no_main]

use leaklint::analysis::sql::select_bound;
use leaklint::config::Config;
use leaklint::project::Project;
use leaklint::rules::RULES;
use leaklint::{analyze, source::Lang};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for dialect in ["postgresql", "mysql", "sqlite", "generic"] {
        let _ = select_bound(text, dialect, None);
    }
    let escaped = text.replace('\\', "\\\\").replace('`', "\\`");
    let quoted = text
        .replace('\\', "\\\\")
        .replace('\'', "\\'")
        .replace('\n', " ");
    let sources = [
        format!("import {{ prisma }} from './db';\nfor (const id of ids) {{ await prisma.$queryRaw`{escaped}`; }}\n"),
        format!("import {{ Pool }} from 'pg';\nconst pool = new Pool();\nfor (const id of ids) {{ await pool.query('{quoted}', [id]); }}\n"),
        format!("import knex from 'knex';\nfor (const id of ids) {{ await knex.raw(`{escaped} ${{id}} {escaped}`); }}\n"),
    ];
    let config = Config::default();
    let project = Project::default();
    let rules: Vec<_> = RULES.to_vec();
    for source in &sources {
        let _ = analyze(
            Path::new("src/db.ts"),
            source,
            Lang::TypeScript,
            &config,
            &project,
            &rules,
        );
    }
});
