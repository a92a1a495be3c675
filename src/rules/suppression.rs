//! Engine checks on suppression comments. Their logic lives in the `suppress` module, the layer above; these entries
//! give them ids, docs and severities like any rule.

use super::{Category, Check, FixKind, Rule};
use crate::diagnostic::Severity;

pub static INVALID: Rule = Rule {
    id: "invalid-suppression",
    category: Category::Suppression,
    severity: Severity::Warning,
    fix: FixKind::None,
    summary: "a suppression comment that names no rule or an unknown rule",
    doc: include_str!("../../rules/invalid-suppression.md"),
    options: &[],
    needles: &[&["leaklint-disable"]],
    precheck: None,
    check: Check::None,
};

pub static UNUSED: Rule = Rule {
    id: "unused-suppression",
    category: Category::Suppression,
    severity: Severity::Warning,
    fix: FixKind::None,
    summary: "a suppression comment that silenced nothing (with --report-unused-suppressions)",
    doc: include_str!("../../rules/unused-suppression.md"),
    options: &[],
    needles: &[&["leaklint-disable"]],
    precheck: None,
    check: Check::None,
};
