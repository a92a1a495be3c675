//! The config parser (`leaklint.toml`) and the suppression-comment parser on arbitrary text.
#![no_main]

use leaklint::diagnostic::{ByteSpan, LineIndex};
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = leaklint::config::parse(
        text,
        "leaklint.toml",
        PathBuf::from("/fuzz"),
        &leaklint::rules::Registry,
    );
    // Every line as a comment, and the whole text as one block comment.
    let index = LineIndex::new(text);
    let mut comments: Vec<ByteSpan> = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let end = start + line.trim_end_matches(['\n', '\r']).len();
        comments.push(start..end);
        start += line.len();
    }
    comments.push(0..text.len());
    let (mut suppressions, _) = leaklint::suppress::parse(text, &comments, &index);
    let _ = leaklint::suppress::unused(&suppressions, &["query-in-loop"]);
    let _ = leaklint::suppress::apply(Vec::new(), &mut suppressions, &index);
});
