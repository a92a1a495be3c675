//! The semantic model through the binary: calls followed across files and barrels, on projects
//! the tests write.

mod common;

use common::{findings, run_json};

fn write(dir: &std::path::Path, files: &[(String, String)]) {
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn project(extra: Vec<(String, String)>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut files = vec![
        (
            "package.json".to_string(),
            r#"{ "name": "app", "dependencies": { "@prisma/client": "5" } }"#.to_string(),
        ),
        (
            "src/repo.ts".to_string(),
            "import { prisma } from './db';\nexport async function load(id: string) {\n  return prisma.item.findMany({ where: { ownerId: id } });\n}\n".to_string(),
        ),
        (
            "src/db.ts".to_string(),
            "import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n".to_string(),
        ),
    ];
    files.extend(extra);
    write(dir.path(), &files);
    dir
}

#[test]
fn a_chain_of_barrels_is_followed() {
    let mut files = vec![(
        "src/b0.ts".to_string(),
        "export * from './repo';\n".to_string(),
    )];
    for level in 1..4 {
        files.push((
            format!("src/b{level}.ts"),
            format!("export * from './b{}';\n", level - 1),
        ));
    }
    files.push((
        "src/use.ts".to_string(),
        "import { load } from './b3';\nexport async function all(ids: string[]) {\n  for (const id of ids) {\n    await load(id);\n  }\n}\n".to_string(),
    ));
    let dir = project(files);
    let (_, json) = run_json(dir.path(), &["."]);
    let found = findings(&json);
    assert_eq!(
        found,
        [("src/use.ts".to_string(), 4, "query-in-loop".to_string())],
        "{json:#}"
    );
    let message = json["diagnostics"][0]["message"].as_str().unwrap();
    assert!(message.contains("src/repo.ts:3"), "{message}");
}

#[test]
fn barrels_that_fan_out_do_not_blow_up() {
    // Eight levels of barrels, each re-exporting eight others: 8^8 paths without a bound.
    let mut files = Vec::new();
    for level in 0..8 {
        for i in 0..8 {
            let text: String = if level == 0 {
                format!("export const v{i} = {i};\n")
            } else {
                (0..8)
                    .map(|j| format!("export * from './l{}_{j}';\n", level - 1))
                    .collect()
            };
            files.push((format!("src/l{level}_{i}.ts"), text));
        }
    }
    files.push((
        "src/use.ts".to_string(),
        "import { missing } from './l7_0';\nimport { load } from './repo';\nexport async function all(ids: string[]) {\n  for (const id of ids) {\n    await missing(id);\n    await load(id);\n  }\n}\n".to_string(),
    ));
    let dir = project(files);
    let (_, json) = run_json(dir.path(), &["."]);
    assert_eq!(
        findings(&json),
        [("src/use.ts".to_string(), 6, "query-in-loop".to_string())],
        "{json:#}"
    );
}
