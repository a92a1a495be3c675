//! Rule and analysis code never slices the source by computed byte offsets (`&src[a..b]`):
//! offsets from a tree with syntax errors, or one byte past a match, need not fall on character
//! boundaries, and such a slice panics (found by the fuzzer). Text between offsets is taken with
//! `syntax::text_between`, `str::get` or `FileCx::text`.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
}

#[test]
fn no_source_slicing_by_offsets() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src/analysis", "src/rules", "src/semantic"] {
        if root.join(dir).is_dir() {
            rust_files(&root.join(dir), &mut files);
        }
    }
    // `src[`, `text[`, `source[`, `rest[`, `line[`, `statement[` indexed by a range.
    let pattern =
        regex::Regex::new(r"\b(src|text|source|rest|line|statement|body|sql)\s*\[[^\]]*\.\.")
            .unwrap();
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if pattern.is_match(code) {
                found.push(format!(
                    "{}:{}: {}",
                    file.strip_prefix(root).unwrap().display(),
                    i + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "slices of the source by byte offsets (use syntax::text_between or str::get):\n{}",
        found.join("\n")
    );
}
