//! `oversized-page`: a page size above a ceiling, such as `take: 5000`.

use super::{Category, Check, FixKind, OptionKind, Rule, RuleOption};
use crate::analysis::node::NodeExt;
use crate::analysis::prisma::{model_name, prisma_call, OPERATION_NEEDLES};
use crate::analysis::syntax::{nested_pairs, unwrap_expression};
use crate::analysis::{FileCx, Sink};
use crate::config::OptionValue;
use crate::diagnostic::{Diagnostic, Severity};
use tree_sitter::Node;

pub static RULE: Rule = Rule {
    id: "oversized-page",
    category: Category::Query,
    severity: Severity::Warning,
    fix: FixKind::None,
    summary: "a page size (`take`) above a configurable ceiling",
    doc: include_str!("../../rules/oversized-page.md"),
    options: &[RuleOption {
        name: "max",
        kind: OptionKind::Integer,
        default: "1000",
        description: "the largest page size not reported",
    }],
    needles: &[&["take"], OPERATION_NEEDLES],
    precheck: None,
    check: Check::Node(check),
};

const DEFAULT_MAX: i64 = 1000;

fn check(node: Node, cx: &FileCx, sink: &mut Sink) {
    if node.k() != "call_expression" || cx.is_test || cx.is_script {
        return;
    }
    let Some(call) = prisma_call(node, cx) else {
        return;
    };
    let max = match cx.config.option(RULE.id, "max") {
        Some(OptionValue::Integer(n)) => *n,
        _ => DEFAULT_MAX,
    };
    for (key, value) in nested_pairs(call.arguments, cx.src) {
        if key != "take" {
            continue;
        }
        let Some(size) = integer(value, cx) else {
            continue;
        };
        if size.abs() <= max {
            continue;
        }
        let pair = value
            .parent()
            .map(|p| p.byte_range())
            .unwrap_or(value.byte_range());
        sink.report(
            Diagnostic::new(
                RULE.id,
                pair,
                format!(
                    "`take: {size}` loads up to {} `{}` rows in one call",
                    thousands(size.unsigned_abs()),
                    model_name(&call, cx)
                ),
            )
            .with_help(format!(
                "page with `take` of at most {max} and a `cursor`, or aggregate in the database (`count`, `groupBy`) if you only need totals"
            )),
            call.conditions.clone(),
        );
    }
}

/// A literal integer: `5000`, `-5000`, `5_000`.
fn integer(value: Node, cx: &FileCx) -> Option<i64> {
    let value = unwrap_expression(value);
    let text = cx.text(value).replace('_', "");
    text.parse().ok()
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::lint_rule;

    #[test]
    fn fail() {
        for src in [
            "prisma.record.findMany({ take: 5000 });",
            "prisma.record.findMany({ take: -5_000 });",
            "prisma.user.findUnique({ where: { id }, include: { events: { take: 20000 } } });",
        ] {
            assert_eq!(lint_rule("oversized-page", src, None).len(), 1, "{src}");
        }
        let found = lint_rule(
            "oversized-page",
            "db.record.findMany({ take: 5000 });",
            None,
        );
        assert_eq!(
            found[0].message,
            "`take: 5000` loads up to 5,000 `Record` rows in one call"
        );
    }

    #[test]
    fn pass() {
        for src in [
            "prisma.record.findMany({ take: 1000 });",
            "prisma.record.findMany({ take: limit });",
            "prisma.record.findMany({ take: 50, skip: 5000 });",
            "api.records.findMany({ take: 5000 });",
            "const x = { take: 5000 };",
        ] {
            assert!(lint_rule("oversized-page", src, None).is_empty(), "{src}");
        }
    }
}
