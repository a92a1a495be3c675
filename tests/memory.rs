//! What users see for the memory-retention rules: the human output of each memory fixture
//! project, snapshotted so that reviewers read messages, labels and help as rendered.

mod common;

use common::{fixtures, run};

fn human(project: &str) -> String {
    let out = run(&fixtures().join(project), &["check", "--color", "never"]);
    assert_eq!(out.status.code(), Some(1), "{project} has findings");
    String::from_utf8(out.stdout).expect("utf-8 output")
}

#[test]
fn human_output_of_the_express_session_project() {
    insta::assert_snapshot!("express_session_human", human("express-session"));
}

#[test]
fn human_output_of_the_caches_project() {
    insta::assert_snapshot!("caches_human", human("caches"));
}

#[test]
fn human_output_of_the_listeners_project() {
    insta::assert_snapshot!("listeners_human", human("listeners"));
}

#[test]
fn human_output_of_the_nextjs_server_project() {
    insta::assert_snapshot!("nextjs_server_human", human("nextjs-server"));
}
