//! `oversized-page`: a page size above a ceiling, such as `take: 5000`.

use super::{Category, Check, FixKind, Rule};
use crate::analysis::node::NodeExt;
use crate::analysis::orm::{orm_call, OrmCall};
use crate::analysis::prisma::{model_name, prisma_call};
use crate::analysis::syntax::{
    first_object_argument, method_call, nested_pairs, property, string_value, unwrap_expression,
};
use crate::analysis::{FileCx, Sink};
use crate::config::OptionValue;
use crate::config::{OptionKind, RuleOption};
use crate::diagnostic::thousands;
use crate::diagnostic::{Diagnostic, Severity};
use tree_sitter::Node;

pub static RULE: Rule = Rule {
    id: "oversized-page",
    category: Category::Query,
    severity: Severity::Warning,
    fix: FixKind::None,
    summary: "a page size (`take`, `limit`, Elasticsearch `size`) above a configurable ceiling",
    doc: include_str!("../../rules/oversized-page.md"),
    options: &[RuleOption {
        name: "max",
        kind: OptionKind::Integer { min: 1 },
        default: "1000",
        description: "the largest page size not reported",
    }],
    needles: &[
        &["take", "limit", "size:"],
        &[
            ".find",
            ".count(",
            ".aggregate(",
            ".groupBy(",
            "$queryRaw",
            ".from(",
            ".search(",
            ".limit(",
            ".query(",
            ".execute(",
            ".getMany(",
            ".selectFrom(",
        ],
    ],
    precheck: None,
    check: Check::Node(check),
};

const DEFAULT_MAX: i64 = 1000;

fn check(node: Node, cx: &FileCx, sink: &mut Sink) {
    if node.k() != "call_expression" || cx.is_test || cx.is_script {
        return;
    }
    let max = match cx.config.option(RULE.id, "max") {
        Some(OptionValue::Integer(n)) => *n,
        _ => DEFAULT_MAX,
    };
    let Some(call) = prisma_call(node, cx) else {
        if let Some(call) = orm_call(node, cx) {
            check_orm(&call, max, cx, sink);
        } else {
            check_search(node, max, cx, sink);
        }
        return;
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
        // A `groupBy` returns one small row per group (the keys and the aggregates), not
        // model rows: ten thousand of them are a few hundred kilobytes. Still worth a look
        // (what is done with the groups often is a second query per page), so medium.
        let grouped = call.operation == "groupBy";
        let message = if grouped {
            format!(
                "`take: {size}` returns up to {} groups of `{}` in one call",
                thousands(size.unsigned_abs()),
                model_name(&call, cx)
            )
        } else {
            format!(
                "`take: {size}` loads up to {} `{}` rows in one call",
                thousands(size.unsigned_abs()),
                model_name(&call, cx)
            )
        };
        sink.report(
            Diagnostic::new(RULE.id, pair, message)
                .with_help(format!(
                    "page with `take` of at most {max} and a `cursor`, or aggregate in the database (`count`, `groupBy`) if you only need totals"
                ))
                .guessed(grouped),
            call.conditions.clone(),
        );
    }
}

/// `{ limit: 5000 }` (Sequelize, Drizzle), `{ take: 5000 }` (TypeORM), `.limit(5000)` and
/// `.take(5000)` in a chain.
fn check_orm(call: &OrmCall, max: i64, cx: &FileCx, sink: &mut Sink) {
    let mut sizes: Vec<(Node, String)> = Vec::new();
    if let Some(options) = call.options {
        for key in ["limit", "take"] {
            if let Some(value) = property(options, key, cx.src) {
                let pair = value.parent().unwrap_or(value);
                sizes.push((value, cx.text(pair).to_string()));
            }
        }
    }
    for (method, args) in &call.links {
        if matches!(*method, "limit" | "take") {
            if let Some(value) = args.named_child(0) {
                sizes.push((value, format!(".{method}({})", cx.text(value))));
            }
        }
    }
    let model = call.model.as_deref().unwrap_or("row");
    for (value, shown) in sizes {
        let Some(size) = integer(value, cx).filter(|n| n.abs() > max) else {
            continue;
        };
        let span = value
            .parent()
            .map(|p| p.byte_range())
            .unwrap_or(value.byte_range());
        sink.report(
            Diagnostic::new(
                RULE.id,
                span,
                format!(
                    "`{shown}` loads up to {} `{model}` rows in one call",
                    thousands(size.unsigned_abs())
                ),
            )
            .with_help(format!(
                "page with at most {max} rows and a keyset filter on the last id seen, or aggregate in the database if you only need totals"
            )),
            call.conditions.clone(),
        );
    }
}

/// Elasticsearch and OpenSearch clients' `search({ index, size })` (or `body: { size }`).
fn check_search(node: Node, max: i64, cx: &FileCx, sink: &mut Sink) {
    let Some((_, "search", args)) = method_call(node, cx.src) else {
        return;
    };
    let Some(request) = first_object_argument(args) else {
        return;
    };
    let src = cx.src;
    let body = property(request, "body", src).filter(|b| b.k() == "object");
    let is_search = property(request, "index", src).is_some()
        || body.is_some()
        || property(request, "query", src).is_some();
    if !is_search || !uses_search_client(cx) {
        return;
    }
    let size =
        property(request, "size", src).or_else(|| body.and_then(|b| property(b, "size", src)));
    let Some(value) = size else {
        return;
    };
    let Some(size) = integer(value, cx).filter(|n| n.abs() > max) else {
        return;
    };
    let span = value
        .parent()
        .map(|p| p.byte_range())
        .unwrap_or(value.byte_range());
    let index = property(request, "index", src)
        .and_then(|i| string_value(i, src))
        .map(|i| format!(" of `{i}`"))
        .unwrap_or_default();
    sink.report(
        Diagnostic::new(
            RULE.id,
            span,
            format!(
                "`size: {size}` loads up to {} documents{index} in one search",
                thousands(size.unsigned_abs())
            ),
        )
        .with_help(format!(
            "page with `size` of at most {max} and `search_after`, use `size: 0` with aggregations if you only need totals, or scroll with a point in time"
        )),
        Vec::new(),
    );
}

/// The Elasticsearch or OpenSearch client is a dependency or an import of the file.
fn uses_search_client(cx: &FileCx) -> bool {
    const CLIENTS: &[&str] = &[
        "@elastic/elasticsearch",
        "@opensearch-project/opensearch",
        "elasticsearch",
    ];
    cx.imports.values().any(|s| CLIENTS.contains(&s.as_str()))
        || CLIENTS.iter().any(|c| cx.depends_on(c))
}

/// A literal integer: `5000`, `-5000`, `5_000`.
fn integer(value: Node, cx: &FileCx) -> Option<i64> {
    let value = unwrap_expression(value);
    let text = cx.text(value).replace('_', "");
    text.parse().ok()
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
    fn group_by_returns_groups_not_rows() {
        let found = lint_rule(
            "oversized-page",
            "prisma.customer.groupBy({ by: ['linkId'], _count: true, take: 10000 });",
            None,
        );
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].message,
            "`take: 10000` returns up to 10,000 groups of `Customer` in one call"
        );
        assert_eq!(found[0].confidence, crate::diagnostic::Confidence::Medium);
        let rows = lint_rule(
            "oversized-page",
            "prisma.customer.findMany({ take: 10000 });",
            None,
        );
        assert_eq!(rows[0].confidence, crate::diagnostic::Confidence::High);
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
