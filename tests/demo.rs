//! The README's first five minutes: the demo's output, as the README shows it, is the real
//! output of the binary.

mod common;

use std::path::Path;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

/// The text of the first ```text block after `heading` in the README.
fn block_after(readme: &str, heading: &str) -> String {
    let at = readme
        .find(heading)
        .unwrap_or_else(|| panic!("README has {heading:?}"));
    let start = readme[at..].find("```text\n").unwrap() + at + "```text\n".len();
    let end = readme[start..].find("```\n").unwrap() + start;
    readme[start..end].to_string()
}

#[test]
fn the_readme_shows_the_real_demo_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = readme();
    let out = common::run_default(root, &["check", "fixtures/demo", "--format", "compact"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        block_after(&readme, "--format compact` prints one line per finding"),
        String::from_utf8(out.stdout).unwrap()
    );
    let out = common::run_default(root, &["check", "fixtures/demo", "--color", "never"]);
    let human = String::from_utf8(out.stdout).unwrap();
    let shown = block_after(&readme, "a link to the rule's documentation:");
    assert!(
        human.contains(&shown),
        "README block not in the output:\n{shown}\n---\n{human}"
    );
}

#[test]
fn the_demo_shows_each_headline_incident_and_a_fix() {
    // The default tier: what a newcomer sees.
    let (_, json) = common::run_json(&common::fixtures().join("demo"), &["--confidence", "high"]);
    let rules: std::collections::BTreeSet<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    for rule in [
        "unbounded-include",
        "query-in-loop",
        "unbounded-module-cache",
        "session-seed-copy",
        "listener-in-handler",
    ] {
        assert!(rules.contains(rule), "{rule} missing: {rules:?}");
    }
    let safe = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["fix"]["applicability"] == "safe")
        .count();
    assert_eq!(safe, 1, "one finding `--fix` fixes");
    // The same N+1 behind a helper in another file is followed, at medium confidence: through a
    // helper, whether the query is the cost is a guess.
    let (_, json) = common::run_json(
        &common::fixtures().join("demo"),
        &["--confidence", "medium"],
    );
    let n1 = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| {
            d["rule"] == "query-in-loop"
                && d["message"]
                    .as_str()
                    .unwrap()
                    .contains("src/lib/readings.ts")
        })
        .expect("the N+1 through latestReadings");
    assert_eq!(n1["confidence"], "medium");
    // No test markers in what the README shows.
    for file in [
        "src/server/dashboard.ts",
        "src/server/app.js",
        "src/lib/db.ts",
    ] {
        let text = std::fs::read_to_string(common::fixtures().join("demo").join(file)).unwrap();
        assert!(
            !text.contains("// expect:") && !text.contains("// ok:"),
            "{file}"
        );
    }
}
