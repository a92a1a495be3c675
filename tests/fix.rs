//! `--fix` never loses a byte: atomic replacement, a file changed during the run is left alone,
//! a failed write leaves the original whole, read-only files are refused, symlinks stay links,
//! CRLF files keep their line endings, and fixes are not applied inside syntax errors.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_leaklint");

/// An unbounded include with an unsafe `take` fix at line 2.
const INCLUDE: &str = "import { prisma } from './db';\nexport const f = (id: string) => prisma.node.findUnique({ where: { id }, include: { events: true } });\n";
const FIXED: &str = "import { prisma } from './db';\nexport const f = (id: string) => prisma.node.findUnique({ where: { id }, include: { events: { take: 100 } } });\n";

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn fix(dir: &Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args([
        "check",
        ".",
        "--fix",
        "--unsafe-fixes",
        // The include below has no schema to check it against: a medium-confidence finding.
        "--confidence",
        "medium",
        "--format",
        "compact",
    ])
    .current_dir(dir)
    .env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "{out:?}"
    );
    out
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Files of `dir` (not recursive) other than the ones named: temporary files left behind.
fn leftovers(dir: &Path, expected: &[&str]) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !expected.contains(&n.as_str()))
        .collect()
}

#[test]
fn fix_is_written_and_keeps_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/a.ts", INCLUDE.as_bytes());
    let file = dir.path().join("src/a.ts");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = fix(dir.path(), &[]);
    assert!(stderr(&out).contains("fixed 1 finding"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), FIXED);
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    assert!(leftovers(&dir.path().join("src"), &["a.ts"]).is_empty());
}

#[test]
fn failed_write_leaves_the_original_whole() {
    // Debug builds fail the write half-way when `LEAKLINT_TEST_FAIL_WRITE` is set, as a full
    // disk does.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/a.ts", INCLUDE.as_bytes());
    let out = fix(dir.path(), &[("LEAKLINT_TEST_FAIL_WRITE", "1")]);
    let err = stderr(&out);
    assert!(err.contains("not fixed: src/a.ts"), "{err}");
    assert!(err.contains("no space left"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("src/a.ts")).unwrap(),
        INCLUDE
    );
    assert!(leftovers(&dir.path().join("src"), &["a.ts"]).is_empty());
}

#[test]
fn read_only_file_is_not_fixed() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/a.ts", INCLUDE.as_bytes());
    let file = dir.path().join("src/a.ts");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = fix(dir.path(), &[]);
    assert!(stderr(&out).contains("read-only"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), INCLUDE);
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o444);
}

#[test]
fn symlinked_file_is_fixed_through_the_link() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "real/a.ts", INCLUDE.as_bytes());
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::os::unix::fs::symlink("../real/a.ts", dir.path().join("src/link.ts")).unwrap();
    let mut cmd = Command::new(BIN);
    let out = cmd
        .args([
            "check",
            "src/link.ts",
            "--fix",
            "--unsafe-fixes",
            "--confidence",
            "medium",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(stderr(&out).contains("fixed 1 finding"), "{}", stderr(&out));
    let link = dir.path().join("src/link.ts");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("real/a.ts")).unwrap(),
        FIXED
    );
}

#[test]
fn crlf_file_keeps_its_line_endings() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "package.json",
        br#"{"name":"web","dependencies":{"next":"14.0.0","@prisma/client":"5.0.0"}}"#,
    );
    write(
        dir.path(),
        "src/lib/db.ts",
        b"import { PrismaClient } from '@prisma/client';\r\nexport const prisma = new PrismaClient();\r\n",
    );
    let out = fix(dir.path(), &[]);
    assert!(stderr(&out).contains("fixed 1 finding"), "{}", stderr(&out));
    let text = std::fs::read_to_string(dir.path().join("src/lib/db.ts")).unwrap();
    assert!(text.contains("globalForPrisma"), "{text}");
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "a bare LF: {text:?}"
    );
}

#[test]
fn no_fix_inside_a_syntax_error() {
    let dir = tempfile::tempdir().unwrap();
    // The statement of the include is broken (`id: }`): not fixed. A file whose error is
    // elsewhere is fixed.
    let broken = "import { prisma } from './db';\nexport const f = (id: string) => prisma.node.findUnique({ where: { id: }, include: { events: true } });\n";
    write(dir.path(), "src/broken.ts", broken.as_bytes());
    let elsewhere = format!("{INCLUDE}const x = ;\n");
    write(dir.path(), "src/elsewhere.ts", elsewhere.as_bytes());
    let _ = fix(dir.path(), &[]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("src/broken.ts")).unwrap(),
        broken
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("src/elsewhere.ts")).unwrap(),
        format!("{FIXED}const x = ;\n")
    );
}

#[test]
fn lines_appended_during_the_run_are_not_lost() {
    // Another process appends to the file while leaklint runs over many files: every appended
    // line is still there afterwards (the fix is refused as "changed while fixing", or lands
    // before the appends).
    let dir = tempfile::tempdir().unwrap();
    for i in 0..400 {
        write(dir.path(), &format!("src/other{i}.ts"), INCLUDE.as_bytes());
    }
    write(dir.path(), "src/a.ts", INCLUDE.as_bytes());
    let file = dir.path().join("src/a.ts");
    let appender = {
        let file = file.clone();
        std::thread::spawn(move || {
            for i in 0..200 {
                use std::io::Write;
                let mut f = std::fs::OpenOptions::new()
                    .append(true)
                    .open(&file)
                    .unwrap();
                writeln!(f, "// appended {i}").unwrap();
                drop(f);
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        })
    };
    let _ = fix(dir.path(), &[]);
    appender.join().unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    for i in 0..200 {
        assert!(
            text.contains(&format!("// appended {i}\n")),
            "line {i} lost:\n{text}"
        );
    }
}
