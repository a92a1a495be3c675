//! `in-memory-filter`: every row of a table loaded, then filtered, searched or counted in
//! JavaScript.

use super::{Category, Check, FileCheck, FixKind, Rule};
use crate::analysis::node::NodeExt;
use crate::analysis::prisma::{
    model_name, model_of, narrows, prisma_call, resolved_options, PrismaCall,
};
use crate::analysis::syntax::{method_call, property, unwrap_expression};
use crate::analysis::{Condition, FileCx, Frame, Sink};
use crate::diagnostic::{ByteSpan, Diagnostic, Severity};
use tree_sitter::Node;

pub static RULE: Rule = Rule {
    id: "in-memory-filter",
    category: Category::Query,
    severity: Severity::Warning,
    fix: FixKind::None,
    summary: "all rows loaded, then filtered, searched or counted in JavaScript",
    doc: include_str!("../../rules/in-memory-filter.md"),
    options: &[],
    needles: &[
        &[
            ".findMany(",
            ".from(",
            ".findAll(",
            ".find(",
            ".findBy(",
            ".getMany(",
            ".selectFrom(",
            ".select(",
        ],
        &[
            ".filter(",
            ".find(",
            ".some(",
            ".every(",
            ".length",
            ".reduce(",
            ".findIndex(",
            ".includes(",
        ],
    ],
    precheck: None,
    check: Check::Stateful(|| Box::<InMemoryFilter>::default()),
};

/// A variable holding the rows of an unbounded query.
struct Rows {
    name: String,
    /// Reported already: one finding per variable.
    reported: std::cell::Cell<bool>,
    /// The function it was declared in (0: module scope).
    scope: usize,
    query: ByteSpan,
    model: String,
    /// How many rows the query loads is a fact, not a guess, and whether that fact is the
    /// table's growth itself (see [`rows_known`]).
    known: (bool, bool),
    /// What would bound the query: `take` (Prisma, TypeORM), `limit` (the others).
    bound: &'static str,
    conditions: Vec<Condition>,
}

#[derive(Default)]
struct InMemoryFilter {
    rows: Vec<Rows>,
}

impl FileCheck for InMemoryFilter {
    fn enter(&mut self, node: Node, cx: &FileCx, sink: &mut Sink) {
        if cx.is_test || cx.is_script {
            return;
        }
        match node.k() {
            "variable_declarator" => {
                let (Some(name), Some(value)) = (node.field("name"), node.field("value")) else {
                    return;
                };
                if name.k() != "identifier" {
                    return;
                }
                let Some(call) = unbounded_query(value, cx) else {
                    // Drizzle, TypeORM, Sequelize, Mongoose, Kysely, Knex rows, judged as
                    // `unbounded-find-many` judges them.
                    if let Some((call, verdict)) = orm_rows(value, cx) {
                        self.rows.push(Rows {
                            reported: std::cell::Cell::new(false),
                            name: cx.text(name).to_string(),
                            scope: innermost_function(cx),
                            query: call.call.byte_range(),
                            model: verdict.model,
                            known: (verdict.known, verdict.size_known),
                            bound: if call.orm == crate::analysis::orm::Orm::TypeOrm {
                                "take"
                            } else {
                                "limit"
                            },
                            conditions: call.conditions.clone(),
                        });
                    }
                    return;
                };
                self.rows.push(Rows {
                    reported: std::cell::Cell::new(false),
                    name: cx.text(name).to_string(),
                    scope: innermost_function(cx),
                    query: call.call.byte_range(),
                    model: model_name(&call, cx),
                    known: rows_known(&call, cx),
                    bound: "take",
                    conditions: call.conditions.clone(),
                });
            }
            "call_expression" => {
                let Some((object, method, _)) = method_call(node, cx.src) else {
                    return;
                };
                let Some(verb) = verb_for(method) else { return };
                let callee = node.field("function").expect("method call");
                self.report_use(object, verb, callee.byte_range(), cx, sink);
            }
            "member_expression" => {
                // `(await prisma.x.findMany()).length`: rows fetched only to be counted. A
                // variable's `.length` is not reported: the rows are usually used as well.
                let is_length = node
                    .field("property")
                    .is_some_and(|p| cx.text(p) == "length");
                let Some(object) = node.field("object").filter(|_| is_length) else {
                    return;
                };
                if unwrap_expression(object).k() != "identifier" {
                    self.report_use(object, Verb::Count, node.byte_range(), cx, sink);
                }
            }
            _ => {}
        }
    }

    fn finish(&mut self, _cx: &FileCx, _sink: &mut Sink) {}
}

#[derive(Clone, Copy)]
enum Verb {
    Filter,
    Search,
    Count,
    Aggregate,
}

fn verb_for(method: &str) -> Option<Verb> {
    match method {
        "filter" => Some(Verb::Filter),
        "find" | "findIndex" | "some" | "every" | "includes" => Some(Verb::Search),
        "reduce" => Some(Verb::Aggregate),
        _ => None,
    }
}

impl InMemoryFilter {
    fn report_use(&self, object: Node, verb: Verb, span: ByteSpan, cx: &FileCx, sink: &mut Sink) {
        let object = unwrap_expression(object);
        let (shown, query, model, known, bound, conditions) = if object.k() == "identifier" {
            let name = cx.text(object);
            let scopes: Vec<usize> = std::iter::once(0)
                .chain(cx.frames.iter().filter_map(|f| match f {
                    Frame::Function { id, .. } => Some(*id),
                    _ => None,
                }))
                .collect();
            let Some(rows) = self
                .rows
                .iter()
                .rev()
                .find(|r| r.name == name && scopes.contains(&r.scope))
            else {
                return;
            };
            // Searched once per element of another loop (`bids.map((b) => offers.find(...))`):
            // the rows are a lookup table loaded once, and a query per element instead would be
            // an N+1; what they cost is `unbounded-find-many`'s to say (civitai's auctions).
            if looked_up_per_element(rows.scope, cx) {
                return;
            }
            if rows.reported.replace(true) {
                return;
            }
            (
                format!("`{name}`"),
                rows.query.clone(),
                rows.model.clone(),
                rows.known,
                rows.bound,
                rows.conditions.clone(),
            )
        } else if let Some(call) = unbounded_query(object, cx) {
            (
                format!("`{}`", call.callee),
                call.call.byte_range(),
                model_name(&call, cx),
                rows_known(&call, cx),
                "take",
                call.conditions.clone(),
            )
        } else {
            return;
        };
        let (did, help) = match verb {
            Verb::Filter => ("filtered", "move the condition into `where` so that the database returns only the rows you keep"),
            Verb::Search => ("searched", "use `findFirst({ where })` for one row, or `count({ where })` for a yes or no"),
            Verb::Count => ("counted", "use `count({ where })`: the database counts without sending the rows"),
            Verb::Aggregate => ("aggregated", "use `aggregate({ _sum: { ... }, where })` or `groupBy`: the database sums without sending the rows"),
        };
        sink.report(
            Diagnostic::new(
                RULE.id,
                span,
                format!("{shown} holds every matching `{model}` row (no `{bound}`) and is {did} in JavaScript"),
            )
            .with_help(help)
            .with_label(query, "loads them all")
            // A fact only when the schema or the config shows the table growing: configuration
            // and catalog tables are small enough to filter in memory.
            .guessed(!known.0)
            .high_where_it_runs(!known.1),
            conditions,
        );
    }
}

/// Whether the walk is in a loop or a per-element callback inside the function `scope` (0: the
/// module), the rows' own.
fn looked_up_per_element(scope: usize, cx: &FileCx) -> bool {
    let start = if scope == 0 {
        0
    } else {
        match cx
            .frames
            .iter()
            .position(|f| matches!(f, Frame::Function { id, .. } if *id == scope))
        {
            Some(i) => i + 1,
            None => return false,
        }
    };
    cx.frames[start..].iter().any(|f| match f {
        Frame::Loop { .. } => true,
        Frame::Function { per_element, .. } => per_element.is_some(),
        _ => false,
    })
}

/// Whether the rows `call` loads are many by a fact, as `unbounded-find-many` judges it: the
/// table is known to be large, or it is a child table read whole. The second: whether that rests
/// on the table's growth itself, not only on reading a child table whole (which is high where a
/// request, resolver or job reaches it).
fn rows_known(call: &PrismaCall, cx: &FileCx) -> (bool, bool) {
    let model = model_name(call, cx);
    let filter = resolved_options(call, cx).and_then(|o| property(o, "where", cx.src));
    let filtered = filter.is_some();
    // The rows of a time window: as many as that time writes, a guess.
    if filter
        .is_some_and(|w| crate::analysis::prisma::filters_time_range(w, model_of(call, cx), cx))
    {
        return (false, false);
    }
    // A large table by the database's statistics, read with no filter: a fact.
    let measured = !filtered
        && model_of(call, cx)
            .and_then(|m| crate::analysis::prisma::table_numbers(m, cx))
            .is_some_and(|(size, _)| size == crate::project::stats::Size::Large);
    let size = measured || crate::analysis::prisma::growth_is_known(&model, cx);
    (
        size || (!filtered && crate::analysis::prisma::is_child_table(&model, cx)),
        size,
    )
}

/// `await db.select().from(t)`, `await repo.find(...)`: a query of another ORM that
/// `unbounded-find-many` would report.
fn orm_rows<'t>(
    value: Node<'t>,
    cx: &FileCx<'t>,
) -> Option<(
    crate::analysis::orm::OrmCall<'t>,
    crate::rules::unbounded_find_many::OrmVerdict,
)> {
    let call = crate::analysis::orm::orm_call(unwrap_expression(value), cx)?;
    let verdict = crate::rules::unbounded_find_many::judge_orm(&call, cx)?;
    Some((call, verdict))
}

/// `await prisma.x.findMany(...)` with no `take` and no narrowing `where`.
fn unbounded_query<'t>(value: Node<'t>, cx: &FileCx<'t>) -> Option<PrismaCall<'t>> {
    let call = prisma_call(unwrap_expression(value), cx)?;
    if call.operation != "findMany" {
        return None;
    }
    let options = resolved_options(&call, cx);
    if options.is_none() && call.arguments.named_child_count() > 0 {
        return None;
    }
    let src = cx.src;
    let has = |key| options.and_then(|o| property(o, key, src));
    if has("take").is_some() {
        return None;
    }
    if has("where").is_some_and(|w| narrows(w, model_of(&call, cx), cx)) {
        return None;
    }
    // A table the database's statistics call small: filtering it in memory costs little.
    if model_of(&call, cx)
        .and_then(|m| crate::analysis::prisma::table_numbers(m, cx))
        .is_some_and(|(size, _)| size == crate::project::stats::Size::Small)
    {
        return None;
    }
    Some(call)
}

fn innermost_function(cx: &FileCx) -> usize {
    cx.frames
        .iter()
        .rev()
        .find_map(|f| match f {
            Frame::Function { id, .. } => Some(*id),
            _ => None,
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::messages;

    fn found(src: &str) -> Vec<String> {
        messages("in-memory-filter", src)
    }

    #[test]
    fn fail() {
        assert_eq!(
            found("async function f() { const events = await prisma.event.findMany(); return events.filter((e) => e.kind === 'click'); }"),
            ["`events` holds every matching `Event` row (no `take`) and is filtered in JavaScript"]
        );
        for src in [
            "async function f() { return (await prisma.user.findMany({ where: { active: true } })).length; }",
            "async function f(email) { const users = await prisma.user.findMany(); return users.find((u) => u.email === email); }",
            "async function f() { return (await prisma.order.findMany()).reduce((s, o) => s + o.total, 0); }",
            "async function f() { const rows = await prisma.order.findMany(); return rows.map((r) => r.id).filter(Boolean) && rows.some((r) => r.open); }",
        ] {
            assert!(!found(src).is_empty(), "{src}");
        }
    }

    #[test]
    fn one_finding_per_variable() {
        let src = "async function f() { const rows = await prisma.event.findMany(); rows.filter(a); rows.find(b); }";
        assert_eq!(found(src).len(), 1, "{:?}", found(src));
    }

    #[test]
    fn pass() {
        for src in [
            "async function f() { const events = await prisma.event.findMany({ take: 100 }); return events.filter(Boolean); }",
            "async function f(teamId) { const members = await prisma.member.findMany({ where: { teamId } }); return members.filter((m) => m.admin); }",
            "async function f() { const events = await prisma.event.findMany(); return events.map((e) => e.id); }",
            "async function f(list) { const events = await prisma.event.findMany(); return list.filter(Boolean); }",
            "async function f() { const n = await prisma.event.count(); return [n].filter(Boolean); }",
            // the rows are processed; their length is incidental
            "async function f() { const jobs = await prisma.job.findMany({ where: { status: 'PENDING' } }); if (jobs.length === 0) return; for (const j of jobs) run(j); }",
            // a lookup table loaded once and searched per element of another list
            "async function f(bids) { const offers = await prisma.offer.findMany(); return bids.map((b) => offers.find((o) => o.id === b.offerId)); }",
            "async function f(bids) { const offers = await prisma.offer.findMany(); for (const b of bids) { if (offers.some((o) => o.id === b.offerId)) settle(b); } }",
        ] {
            assert!(found(src).is_empty(), "{src}: {:?}", found(src));
        }
    }
}
