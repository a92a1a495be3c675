//! The machine formats field by field: SARIF (validated against the official 2.1.0 schema,
//! vendored in tests/schemas), GitLab Code Quality, JUnit, Checkstyle, `--statistics`, rule doc
//! links and fixability.

mod common;

use common::{fixtures, run, write_files};
use serde_json::Value;

const N_PLUS_ONE: &str = "import { prisma } from './db';\nexport async function load(ids: string[]) {\n  for (const id of ids) {\n    await prisma.user.findUnique({ where: { id } });\n  }\n}\n";
const URL: &str = "https://github.com/leaklint/leaklint/blob/main/rules/query-in-loop.md";

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn sarif_validator() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(include_str!("schemas/sarif-schema-2.1.0.json")).unwrap();
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

fn assert_valid_sarif(log: &Value) {
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF: {errors:#?}");
}

#[test]
fn the_schema_check_rejects_invalid_sarif() {
    // The validator is not a rubber stamp.
    let bad = serde_json::json!({ "version": "2.1.0", "runs": [ { "tool": {} } ] });
    assert!(!sarif_validator().is_valid(&bad));
    let bad_level = serde_json::json!({ "version": "2.1.0", "runs": [ { "tool": { "driver": { "name": "x" } },
        "results": [ { "message": { "text": "m" }, "level": "warn" } ] } ] });
    assert!(!sarif_validator().is_valid(&bad_level));
}

#[test]
fn sarif_field_by_field_and_against_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("src/n1.ts", N_PLUS_ONE)]);
    let out = run(dir.path(), &["check", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1));
    let log: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_valid_sarif(&log);
    assert_eq!(log["version"], "2.1.0");
    let run0 = &log["runs"][0];
    let driver = &run0["tool"]["driver"];
    assert_eq!(driver["name"], "leaklint");
    assert_eq!(
        driver["informationUri"],
        "https://github.com/leaklint/leaklint"
    );
    let rules = driver["rules"].as_array().unwrap();
    let rule = rules.iter().find(|r| r["id"] == "query-in-loop").unwrap();
    assert_eq!(rule["helpUri"], URL);
    assert_eq!(rule["name"], "QueryInLoop");
    assert!(rule["fullDescription"]["text"]
        .as_str()
        .unwrap()
        .starts_with("Finds a Prisma query issued once per element of a collection"));
    assert!(rule["help"]["markdown"]
        .as_str()
        .unwrap()
        .contains("## Why is this bad?"));
    assert_eq!(rule["defaultConfiguration"]["level"], "warning");
    let result = &run0["results"][0];
    assert_eq!(result["ruleId"], "query-in-loop");
    let index = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], "query-in-loop");
    assert_eq!(result["level"], "warning");
    assert!(result["message"]["text"]
        .as_str()
        .unwrap()
        .starts_with("prisma.user.findUnique runs once per element of ids\nhelp: load all rows"));
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "src/n1.ts");
    assert_eq!(
        location["region"],
        serde_json::json!({ "startLine": 4, "startColumn": 11, "endLine": 4, "endColumn": 52 })
    );
    let related = &result["relatedLocations"][0];
    assert_eq!(related["message"]["text"], "loop over ids");
    assert_eq!(related["physicalLocation"]["region"]["startLine"], 3);
    let fingerprint = result["partialFingerprints"]["leaklint/v1"]
        .as_str()
        .unwrap();
    assert_eq!(fingerprint.len(), 16);
    // The fingerprint ignores lines added above the finding.
    write_files(
        dir.path(),
        &[("src/n1.ts", &format!("// a comment\n\n{N_PLUS_ONE}"))],
    );
    let moved: Value =
        serde_json::from_str(&stdout(&run(dir.path(), &["check", "--format", "sarif"]))).unwrap();
    assert_eq!(
        moved["runs"][0]["results"][0]["partialFingerprints"]["leaklint/v1"],
        fingerprint
    );
    assert_eq!(
        moved["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        6
    );
}

#[test]
fn sarif_of_a_project_with_fixes_and_unreadable_files_is_valid() {
    let out = run(
        &fixtures().join("prisma-monorepo"),
        &["check", "--format", "sarif"],
    );
    let log: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_valid_sarif(&log);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let fixed = results
        .iter()
        .find(|r| r["ruleId"] == "prisma-client-singleton" && r["fixes"].is_array())
        .expect("a finding with a fix");
    let change = &fixed["fixes"][0]["artifactChanges"][0];
    assert_eq!(
        change["artifactLocation"]["uri"],
        "apps/web/src/lib/prisma.ts"
    );
    assert_eq!(change["replacements"][0]["deletedRegion"]["startLine"], 4);
    assert!(change["replacements"][0]["insertedContent"]["text"]
        .as_str()
        .unwrap()
        .contains("globalForPrisma"));
    assert!(fixed["fixes"][0]["description"]["text"]
        .as_str()
        .unwrap()
        .ends_with("(safe)"));

    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("a.ts", N_PLUS_ONE)]);
    std::fs::write(dir.path().join("bad.ts"), b"const a = \"\xff\";\n").unwrap();
    let out = run(dir.path(), &["check", "--format", "sarif"]);
    let log: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_valid_sarif(&log);
    let note = &log["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
    assert_eq!(note["level"], "error");
    assert_eq!(
        note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "bad.ts"
    );
    // A clean run is a valid log with no results.
    let clean = tempfile::tempdir().unwrap();
    write_files(clean.path(), &[("a.ts", "export const a = 1;\n")]);
    let out = run(clean.path(), &["check", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(0));
    let log: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_valid_sarif(&log);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn gitlab_code_quality_field_by_field() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[("src/n1.ts", N_PLUS_ONE), ("src/n2.ts", N_PLUS_ONE)],
    );
    let out = run(dir.path(), &["check", "--format", "gitlab"]);
    assert_eq!(out.status.code(), Some(1));
    let issues: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let issue = &issues[0];
    assert_eq!(issue["type"], "issue");
    assert_eq!(issue["check_name"], "query-in-loop");
    assert_eq!(issue["severity"], "minor");
    assert_eq!(issue["categories"], serde_json::json!(["Performance"]));
    assert!(issue["description"]
        .as_str()
        .unwrap()
        .starts_with("prisma.user.findUnique runs once per element of ids: load all rows"));
    assert_eq!(
        issue["location"],
        serde_json::json!({ "path": "src/n1.ts", "lines": { "begin": 4, "end": 4 } })
    );
    // Same code in two files: two different fingerprints.
    assert_ne!(issue["fingerprint"], issues[1]["fingerprint"]);
    assert_eq!(issues.as_array().unwrap().len(), 2);
}

#[test]
fn junit_field_by_field() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("src/n<1>.ts", N_PLUS_ONE)]);
    let out = run(dir.path(), &["check", "--format", "junit"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let expected = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"leaklint\" tests=\"1\" failures=\"1\" errors=\"0\">\n  <testsuite name=\"src/n&lt;1&gt;.ts\" tests=\"1\" failures=\"1\" errors=\"0\">\n    <testcase name=\"query-in-loop at 4:11\" classname=\"src/n&lt;1&gt;.ts\" file=\"src/n&lt;1&gt;.ts\" line=\"4\">\n      <failure message=\"prisma.user.findUnique runs once per element of ids\" type=\"warning\">src/n&lt;1&gt;.ts:4:11: prisma.user.findUnique runs once per element of ids&#10;help: load all rows with one user.findMany({ where: { id: { in: ids } } }) before the loop and look them up in a Map keyed by id</failure>\n    </testcase>\n  </testsuite>\n</testsuites>\n";
    assert_eq!(text, expected);
    let clean = tempfile::tempdir().unwrap();
    write_files(clean.path(), &[("a.ts", "export const a = 1;\n")]);
    let text = stdout(&run(clean.path(), &["check", "--format", "junit"]));
    assert!(
        text.contains("<testcase name=\"no problems found\" classname=\"leaklint\"/>"),
        "{text}"
    );
}

#[test]
fn checkstyle_field_by_field() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("src/n1.ts", N_PLUS_ONE)]);
    let out = run(dir.path(), &["check", "--format", "checkstyle"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n  <file name=\"src/n1.ts\">\n    <error line=\"4\" column=\"11\" severity=\"warning\" message=\"prisma.user.findUnique runs once per element of ids\" source=\"leaklint.query-in-loop\"/>\n  </file>\n</checkstyle>\n"
    );
}

#[test]
fn statistics_count_findings_per_rule_and_fixable() {
    let out = run(
        &fixtures().join("prisma-monorepo"),
        &["check", "--statistics"],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let json: Value = serde_json::from_str(&stdout(&run(
        &fixtures().join("prisma-monorepo"),
        &["check", "--statistics", "--format", "json"],
    )))
    .unwrap();
    let all: Value = serde_json::from_str(&stdout(&run(
        &fixtures().join("prisma-monorepo"),
        &["check", "--format", "json"],
    )))
    .unwrap();
    let diagnostics = all["diagnostics"].as_array().unwrap();
    let rows = json.as_array().unwrap();
    let total: u64 = rows.iter().map(|r| r["count"].as_u64().unwrap()).sum();
    assert_eq!(total as usize, diagnostics.len());
    for row in rows {
        let rule = row["rule"].as_str().unwrap();
        let of_rule: Vec<&Value> = diagnostics.iter().filter(|d| d["rule"] == rule).collect();
        assert_eq!(
            row["count"].as_u64().unwrap() as usize,
            of_rule.len(),
            "{rule}"
        );
        let safe = of_rule
            .iter()
            .filter(|d| d["fix"]["applicability"] == "safe")
            .count();
        let unsafe_ = of_rule
            .iter()
            .filter(|d| d["fix"]["applicability"] == "unsafe")
            .count();
        assert_eq!(row["fixable"].as_u64().unwrap() as usize, safe, "{rule}");
        assert_eq!(
            row["unsafe_fixable"].as_u64().unwrap() as usize,
            unsafe_,
            "{rule}"
        );
        let line = text
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(rule))
            .unwrap();
        assert!(
            line.trim_start().starts_with(&row["count"].to_string()),
            "{line}"
        );
        if safe > 0 {
            assert!(line.contains(&format!("{safe} fixable")), "{line}");
        }
    }
    assert!(
        text.contains("fixable with `leaklint check --fix`"),
        "{text}"
    );
}

#[test]
fn human_output_links_the_rule_doc_and_says_what_is_fixable() {
    let out = run(
        &fixtures().join("prisma-monorepo"),
        &["check", "--color", "never"],
    );
    let text = stdout(&out);
    assert!(
        text.contains("prisma-client-singleton (https://github.com/leaklint/leaklint/blob/main/rules/prisma-client-singleton.md)"),
        "{text}"
    );
    assert!(
        text.contains("fixable with `leaklint check --fix`:"),
        "{text}"
    );
    assert!(
        text.contains("fixable with `leaklint check --fix --unsafe-fixes` (review it):"),
        "{text}"
    );
}
