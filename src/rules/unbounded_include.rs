//! `unbounded-include`: an `include` or `select` of a to-many relation with no `take`, where the
//! relation grows without bound.

use super::{Category, Check, FixKind, Rule};
use crate::analysis::node::NodeExt;
use crate::analysis::prisma::growth_is_known;
use crate::analysis::prisma::{
    is_growing, model_name, model_of, narrows, narrows_relation, prisma_call, resolved_options,
    READ_NEEDLES, READ_OPERATIONS,
};
use crate::analysis::syntax::{property, property_key, resolve_object, unwrap_expression};
use crate::analysis::{FileCx, Sink};
use crate::config::OptionValue;
use crate::config::{OptionKind, RuleOption};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::project::schema::Growth;
use crate::project::schema::{name_suggests_growth, Model};
use crate::project::stats::Size;
use tree_sitter::Node;

pub static RULE: Rule = Rule {
    id: "unbounded-include",
    category: Category::Query,
    severity: Severity::Warning,
    fix: FixKind::Unsafe,
    summary: "`include`/`select` of a to-many relation with no `take`",
    doc: include_str!("../../rules/unbounded-include.md"),
    options: &[
        RuleOption {
            name: "relations",
            kind: OptionKind::String,
            default: "growing",
            description: "\"growing\": relations whose rows accrue, or nested under an unbounded list; \"all\": every to-many relation",
        },
        RuleOption {
            name: "take",
            kind: OptionKind::Integer { min: 1 },
            default: "100",
            description: "the `take` the fix inserts",
        },
    ],
    needles: &[&["include", "select"], READ_NEEDLES],
    precheck: None,
    check: Check::Node(check),
};

/// How many nested `include`/`select` levels are followed.
const MAX_DEPTH: usize = 8;

struct Level<'t, 's> {
    object: Node<'t>,
    model: Option<&'s Model>,
    model_label: String,
    /// Whether this level is already one of many rows loaded without a bound.
    many_above: bool,
    /// Whether this level is one row (`findUnique`, `findFirst`, or a to-one relation of one).
    one: bool,
    depth: usize,
}

fn check(node: Node, cx: &FileCx, sink: &mut Sink) {
    if node.k() != "call_expression" || cx.is_test || cx.is_script {
        return;
    }
    let Some(call) = prisma_call(node, cx) else {
        return;
    };
    if !READ_OPERATIONS.contains(&call.operation) || call.operation == "count" {
        return;
    }
    let Some(options) = resolved_options(&call, cx) else {
        return;
    };
    let src = cx.src;
    let all = matches!(cx.config.option(RULE.id, "relations"), Some(OptionValue::String(s)) if s == "all");
    let fix_take = match cx.config.option(RULE.id, "take") {
        Some(OptionValue::Integer(n)) if *n > 0 => *n,
        _ => 100,
    };
    let mut cursor = options.walk();
    let spread = options
        .named_children(&mut cursor)
        .any(|c| c.k() == "spread_element");
    let unbounded_list = call.operation == "findMany"
        && !spread
        && property(options, "take", src).is_none()
        && !property(options, "where", src).is_some_and(|w| narrows(w, model_of(&call, cx), cx));
    let mut stack: Vec<Level> = Vec::new();
    let one = matches!(
        call.operation,
        "findUnique" | "findUniqueOrThrow" | "findFirst" | "findFirstOrThrow"
    );
    // A list of the rows of a time window (`endAt: { gte: dayStart, lt: dayEnd }`): how many
    // parents it holds is a guess, so what their children cost is too (civitai's auctions).
    let windowed = property(options, "where", src)
        .is_some_and(|w| crate::analysis::prisma::filters_time_range(w, model_of(&call, cx), cx));
    push_children(
        &mut stack,
        options,
        model_of(&call, cx),
        model_name(&call, cx),
        (unbounded_list, one),
        0,
        cx,
    );

    while let Some(level) = stack.pop() {
        let mut cursor = level.object.walk();
        for pair in level.object.named_children(&mut cursor) {
            if pair.k() != "pair" {
                continue;
            }
            let (Some(key), Some(value)) = (pair.field("key"), pair.field("value")) else {
                continue;
            };
            let Some(relation) = property_key(key, src) else {
                continue;
            };
            let value = unwrap_expression(value);
            // `messages: false` loads nothing.
            if relation == "_count" || value.k() == "false" {
                continue;
            }
            // `versions: latestVersion`: the options a variable above holds. A value leaklint
            // cannot see (a parameter, an import, `opts.versions`) may well carry a `take`.
            let nested = resolve_object(value, cx);
            let unseen = nested.is_none() && !matches!(value.k(), "true" | "false");
            let Some((to_many, target_model, target_name)) =
                relation_of(relation, nested, &level, cx)
            else {
                continue;
            };
            let has_take = nested.is_some_and(|o| property(o, "take", src).is_some());
            // `members: { where: { userId } }`: the include itself picks rows by a key.
            let narrowed = nested
                .and_then(|o| property(o, "where", src))
                .is_some_and(|w| narrows_relation(w, target_model, cx));
            let unbounded = to_many && !has_take && !narrowed;
            // The database's statistics, when the project has them, decide: a relation whose
            // parents have few children is bounded whatever its shape; one with many grows.
            let numbers = match (level.model, target_model) {
                (Some(parent), Some(child)) if unbounded => {
                    crate::analysis::prisma::relation_numbers(parent, child, level.one, cx)
                }
                _ => None,
            };
            let measured = numbers.as_ref().map(|(size, _)| *size);
            let cleared = measured == Some(Size::Small);
            let measured_large = measured == Some(Size::Large);
            let grows = unbounded && !cleared && (measured_large || is_growing(&target_name, cx));
            // Under rows already reported (a growing relation, a list with no bound), children
            // that a key pairs with their parent (`@@id([messageId, userId])`: one mention per
            // user named, one reaction per emoji) come a few per parent: the rows above are the
            // cost, reported there (linen: 34 of 60 findings were a message's mentions,
            // reactions and attachments).
            let few_per_parent = level.many_above
                && !grows
                && target_model.is_some_and(crate::analysis::prisma::keyed_per_parent);
            if unbounded && !cleared && !few_per_parent && (all || grows || level.many_above) {
                let why = if let Some((Size::Large, text)) = &numbers {
                    text.clone()
                } else if grows {
                    format!("`{target_name}` rows accrue over time")
                } else if level.many_above {
                    format!(
                        "and so for every `{}` row of a list with no bound",
                        level.model_label
                    )
                } else {
                    "a to-many relation".to_string()
                };
                let message = if level.many_above && !grows {
                    format!(
                        "`{relation}` loads every `{target_name}` of each `{}`, {why}",
                        level.model_label
                    )
                } else if level.one {
                    format!(
                        "`{relation}` loads every `{target_name}` of the `{}`: {why}, with no `take`",
                        level.model_label
                    )
                } else {
                    format!(
                        "`{relation}` loads every `{target_name}` of each `{}`: {why}, with no `take`",
                        level.model_label
                    )
                };
                // Only `true` and an object literal: `messages: includeMessages` (a boolean
                // variable) would become an include that always loads.
                // Options held by a variable (`include: documentInclude`) may be shared by other
                // queries: only options written in this call are edited.
                let in_call = node.byte_range().contains(&pair.start_byte());
                let fix = match nested {
                    _ if !in_call => None,
                    None if value.k() == "true" => Some(Edit {
                        span: value.byte_range(),
                        replacement: format!("{{ take: {fix_take} }}"),
                    }),
                    None => None,
                    Some(o) if o.id() != value.id() => None,
                    Some(o) => Some(Edit {
                        span: o.start_byte() + 1..o.start_byte() + 1,
                        replacement: format!(" take: {fix_take},"),
                    }),
                };
                // A fact when the schema says the relation is to-many and why it is large
                // rests on the data model or the config: the relation's rows are a history, or
                // the list above is one of a table that grows by the same evidence.
                let above_known = level.model.is_some_and(|m| growth_is_known(&m.name, cx));
                // One parent's history replayed from its start (a conversation's messages in
                // ascending order, for the chat view or an agent's context) is what the reader
                // needs whole: a page would cut the start off. Newest first, or unordered, a
                // `take` is the natural bound.
                let replayed = level.one && nested.is_some_and(|o| ascending(o, cx));
                // One row's children: as many as that row's life gathers, which the schema does
                // not say (an invoice's payments and activity stay few, a conversation's messages
                // do not). The statistics, a doc comment or the config can; the shape and the
                // name cannot (nextcrm: 4 such findings read at high, none real).
                let declared = cx.config.prisma_growing.contains(&target_name)
                    || target_model.is_some_and(|m| m.growth == Some(Growth::Growing));
                let one_parent = level.one && !measured_large && !declared;
                let guessed = level.model.is_none()
                    || unseen
                    || replayed
                    || one_parent
                    || (windowed && level.many_above && !grows)
                    || if grows {
                        !(measured_large || growth_is_known(&target_name, cx))
                    } else {
                        !above_known
                    };
                sink.report(
                    Diagnostic {
                        confidence: if guessed {
                            crate::diagnostic::Confidence::Medium
                        } else {
                            crate::diagnostic::Confidence::High
                        },
                        fix: fix.map(|fix| Fix {
                            applicability: Applicability::Unsafe,
                            message: format!("add `take: {fix_take}`"),
                            edits: vec![fix],
                        }),
                        ..Diagnostic::new(RULE.id, pair.byte_range(), message)
                            .with_help(format!(
                                "bound it: `{relation}: {{ take: {fix_take}, orderBy: {{ createdAt: 'desc' }} }}` keeps the newest; `_count: {{ select: {{ {relation}: true }} }}` if you only need how many"
                            ))
                            .with_label(node.field("function").map(|f| f.byte_range()).unwrap_or(node.byte_range()), format!("in this `{}`", call.operation))
                    },
                    call.conditions.clone(),
                );
            }
            if let Some(o) = nested {
                push_children(
                    &mut stack,
                    o,
                    target_model,
                    target_name,
                    // Children multiply only under a list that is unbounded itself: the top-level
                    // list, or a growing relation. A document's recipients stay few.
                    (level.many_above || grows, level.one && !to_many),
                    level.depth + 1,
                    cx,
                );
            }
        }
    }
}

/// `orderBy: { createdAt: 'asc' }` (also in a list, or `orderBy: { createdAt: { sort: 'asc' } }`):
/// rows in the order they were written.
fn ascending(options: Node, cx: &FileCx) -> bool {
    property(options, "orderBy", cx.src).is_some_and(|order| {
        let text = cx.text(order);
        (text.contains("'asc'") || text.contains("\"asc\"")) && !text.contains("desc")
    })
}

fn push_children<'t, 's>(
    stack: &mut Vec<Level<'t, 's>>,
    options: Node<'t>,
    model: Option<&'s Model>,
    model_label: String,
    (many_above, one): (bool, bool),
    depth: usize,
    cx: &FileCx<'t>,
) {
    if depth >= MAX_DEPTH {
        return;
    }
    for key in ["include", "select"] {
        if let Some(object) = property(options, key, cx.src).and_then(|o| resolve_object(o, cx)) {
            stack.push(Level {
                object,
                model,
                model_label: model_label.clone(),
                many_above,
                one,
                depth,
            });
        }
    }
}

/// What `relation` in an include/select of `level.model` is: (to-many, its model, its model's
/// name). `None` for scalars. Without a schema, a relation is recognised by its shape: a plural
/// name whose value is an options object, or whose name says it grows (`events: true`).
fn relation_of<'s>(
    relation: &str,
    nested: Option<Node>,
    level: &Level<'_, 's>,
    cx: &FileCx<'s>,
) -> Option<(bool, Option<&'s Model>, String)> {
    if let Some(model) = level.model {
        let field = model.field(relation)?;
        let target = cx.schema?.models.get(&field.type_name)?;
        return Some((field.list, Some(target), target.name.clone()));
    }
    let plural = relation.ends_with('s') && !relation.ends_with("ss") && !relation.ends_with("us");
    let looks_relation = nested.is_some() || name_suggests_growth(relation);
    if !(plural && looks_relation) {
        return None;
    }
    let singular = relation
        .strip_suffix("ies")
        .map(|s| format!("{s}y"))
        .unwrap_or_else(|| relation.trim_end_matches('s').to_string());
    let mut chars = singular.chars();
    let name: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    Some((true, None, name))
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::lint_rule;

    const SCHEMA: &str = "model Pnode {\n id String @id\n gossipObservations PnodeGossipObservation[]\n statsSamples StatsSample[]\n recipients Recipient[]\n owner User @relation(fields: [ownerId], references: [id])\n ownerId String\n}\nmodel PnodeGossipObservation {\n id String @id\n pnodeId String\n pnode Pnode @relation(fields: [pnodeId], references: [id])\n}\nmodel StatsSample {\n id String @id\n pnodeId String\n pnode Pnode @relation(fields: [pnodeId], references: [id])\n}\n/// @leaklint growing\nmodel Recipient {\n id String @id\n pnodeId String\n pnode Pnode @relation(fields: [pnodeId], references: [id])\n}\nmodel User {\n id String @id\n pnodes Pnode[]\n teams Team[]\n}\nmodel Team {\n id String @id\n userId String\n user User @relation(fields: [userId], references: [id])\n}\n";

    fn found(src: &str) -> Vec<String> {
        lint_rule("unbounded-include", src, Some(SCHEMA))
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    #[test]
    fn seed_004_every_observation_of_every_node() {
        let found = found("prisma.pnode.findMany({ include: { gossipObservations: { orderBy: { observedAt: 'desc' } }, statsSamples: { orderBy: { timestamp: 'desc' }, take: 10 } } });");
        assert_eq!(found, ["`gossipObservations` loads every `PnodeGossipObservation` of each `Pnode`: `PnodeGossipObservation` rows accrue over time, with no `take`"]);
    }

    #[test]
    fn fail() {
        for src in [
            // a growing relation, even under a narrowed query
            "prisma.pnode.findUnique({ where: { id }, include: { statsSamples: true } });",
            // a doc comment marks Recipient as growing
            "prisma.pnode.findFirst({ where: { id }, select: { recipients: true } });",
            // nested: every pnode of every user of a list with no bound
            "prisma.user.findMany({ include: { pnodes: true } });",
            // deep: the growing relation two levels down
            "prisma.user.findUnique({ where: { id }, include: { pnodes: { include: { gossipObservations: true } } } });",
        ] {
            assert_eq!(found(src).len(), 1, "{src}: {:?}", found(src));
        }
    }

    #[test]
    fn pass() {
        for src in [
            "prisma.pnode.findMany({ include: { gossipObservations: { take: 1 } } });",
            "prisma.pnode.findMany({ include: { owner: true } });",
            // `false` loads nothing
            "prisma.user.findMany({ include: { pnodes: false } });",
            "prisma.pnode.findMany({ include: { _count: { select: { gossipObservations: true } } } });",
            // a small relation under a narrowed query
            "prisma.user.findUnique({ where: { id }, include: { teams: true } });",
            "prisma.user.findMany({ where: { id: { in: ids } }, include: { teams: true } });",
            // the include picks rows by a key itself
            "prisma.pnode.findUnique({ where: { id }, include: { statsSamples: { where: { id: sampleId } } } });",
            // a small relation's children under a narrowed query are not N x M
            "prisma.user.findUnique({ where: { id }, include: { teams: { include: { user: true } }, pnodes: { include: { recipients: { take: 5 } } } } });",
            // writes are not reads
            "prisma.pnode.update({ where: { id }, data: {}, include: { gossipObservations: true } });",
        ] {
            assert!(found(src).is_empty(), "{src}: {:?}", found(src));
        }
    }

    #[test]
    fn relations_all_flags_every_to_many() {
        let mut config = crate::config::Config::default();
        config.rules.insert(
            "unbounded-include",
            crate::config::RuleConfig {
                level: None,
                options: [(
                    "relations",
                    crate::config::OptionValue::String("all".into()),
                )]
                .into(),
            },
        );
        let found = crate::rules::test_support::lint_with(
            "prisma.user.findUnique({ where: { id }, include: { teams: true } });",
            Some(SCHEMA),
            &config,
            "src/app.ts",
        );
        assert_eq!(
            found
                .iter()
                .filter(|d| d.rule == "unbounded-include")
                .count(),
            1
        );
    }

    #[test]
    fn fix_inserts_take() {
        let d = &lint_rule(
            "unbounded-include",
            "prisma.pnode.findUnique({ where: { id }, include: { statsSamples: true } });",
            Some(SCHEMA),
        )[0];
        let fix = d.fix.as_ref().unwrap();
        assert_eq!(fix.edits[0].replacement, "{ take: 100 }");
    }

    #[test]
    fn fix_only_on_true_or_an_object_literal() {
        let fix_of = |include: &str| {
            let src = format!("prisma.pnode.findUnique({{ where: {{ id }}, include: {{ statsSamples: {include} }} }});");
            let found = lint_rule("unbounded-include", &src, Some(SCHEMA));
            assert_eq!(found.len(), 1, "{include}: {found:#?}");
            found[0]
                .fix
                .as_ref()
                .map(|f| f.edits[0].replacement.clone())
        };
        assert_eq!(
            fix_of("{ orderBy: { at: 'desc' } }").as_deref(),
            Some(" take: 100,")
        );
        // A boolean variable: `{ take: 100 }` would load the relation always.
        assert_eq!(fix_of("includeSamples"), None);
        assert_eq!(fix_of("options.samples"), None);
    }

    #[test]
    fn without_a_schema_names_decide() {
        let src = "prisma.node.findUnique({ where: { id }, include: { events: true, members: true, tags: { where: { x } } } });";
        let found = lint_rule("unbounded-include", src, None);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].message.starts_with("`events`"));
    }

    #[test]
    fn a_history_is_append_only() {
        use crate::diagnostic::Confidence::{High, Medium};
        // Rows with a parent and a timestamp that are never edited: a history, a fact.
        let history = "model Doc {\n id String @id\n views View[]\n}\nmodel View {\n id String @id\n docId String\n doc Doc @relation(fields: [docId], references: [id])\n viewedAt DateTime\n}\n";
        // The same shape with `@updatedAt`: versions of a document are edited, not appended.
        let edited = history.replace(
            "viewedAt DateTime",
            "createdAt DateTime\n updatedAt DateTime @updatedAt",
        );
        let src = "prisma.doc.findMany({ where: { ownerId }, include: { views: true } });";
        let tiers = |schema: &str| -> Vec<_> {
            lint_rule("unbounded-include", src, Some(schema))
                .into_iter()
                .map(|d| d.confidence)
                .collect()
        };
        assert_eq!(tiers(history), [High]);
        // One document's views: as many as its life gathers, which the shape does not say (a
        // guess), unless a doc comment or the config says the table grows.
        let one = lint_rule(
            "unbounded-include",
            "prisma.doc.findUnique({ where: { id }, include: { views: true } });",
            Some(history),
        );
        assert_eq!(one[0].confidence, Medium);
        assert_eq!(
            one[0].message,
            "`views` loads every `View` of the `Doc`: `View` rows accrue over time, with no `take`"
        );
        let marked = history.replace("model View {", "/// @leaklint growing\nmodel View {");
        let replayed = |order: &str| {
            lint_rule(
                "unbounded-include",
                &format!("prisma.doc.findUnique({{ where: {{ id }}, include: {{ views: {{ orderBy: {order} }} }} }});"),
                Some(&marked),
            )[0]
            .confidence
        };
        assert_eq!(replayed("{ viewedAt: 'desc' }"), High);
        // Replayed from the start (a transcript): the reader needs all of it, a guess.
        assert_eq!(replayed("{ viewedAt: 'asc' }"), Medium);
        // A to-many relation under the rows of a time window: how many parents, a guess.
        let window = "/// @leaklint growing\nmodel Auction {\n id String @id\n endAt DateTime\n bids Bid[]\n}\nmodel Bid {\n id String @id\n auctionId String\n auction Auction @relation(fields: [auctionId], references: [id])\n updatedAt DateTime @updatedAt\n}\n";
        let bids = |src: &str| {
            lint_rule("unbounded-include", src, Some(window))
                .into_iter()
                .map(|d| d.confidence)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            bids("prisma.auction.findMany({ where: { endAt: { gte: start, lt: end } }, select: { bids: true } });"),
            [Medium]
        );
        assert_eq!(
            bids(
                "prisma.auction.findMany({ where: { finalized: true }, select: { bids: true } });"
            ),
            [High]
        );
        // A list of documents each with every view, in any order: the incident.
        let list = lint_rule(
            "unbounded-include",
            "prisma.doc.findMany({ include: { views: { orderBy: { viewedAt: 'asc' } } } });",
            Some(history),
        );
        assert_eq!(list[0].confidence, High);
        assert_eq!(tiers(&edited), [Medium]);
        // An `updatedAt` kept by hand says the same.
        let by_hand = history.replace(
            "viewedAt DateTime",
            "createdAt DateTime\n updatedAt DateTime @default(now())",
        );
        assert_eq!(tiers(&by_hand), [Medium]);
        // One row per step of the parent (`@@unique([docId, stepId])`): bounded by the steps.
        let per_step = history.replace(
            "viewedAt DateTime\n",
            "viewedAt DateTime\n stepId String\n @@unique([docId, stepId])\n",
        );
        assert_eq!(tiers(&per_step), [Medium]);
        // One side of a many-to-many (a view linked to tags, which list their views) is a thing
        // others are linked to, not a log.
        let linked = history.replace("viewedAt DateTime\n", "viewedAt DateTime\n tags Tag[]\n")
            + "model Tag {\n id String @id\n views View[]\n}\n";
        assert_eq!(tiers(&linked), [Medium]);
        // Children of its own (one-to-many) do not change that it is appended to.
        let children = history.replace(
            "viewedAt DateTime\n",
            "viewedAt DateTime\n reactions Reaction[]\n",
        ) + "model Reaction {\n id String @id\n viewId String\n view View @relation(fields: [viewId], references: [id])\n}\n";
        assert_eq!(tiers(&children), [High]);
        // A date beside the key bounds nothing: one row per day, for ever.
        let per_day = history.replace(
            "viewedAt DateTime\n",
            "viewedAt DateTime\n @@unique([docId, viewedAt])\n",
        );
        assert_eq!(tiers(&per_day), [High]);
    }

    #[test]
    fn keyed_children_under_reported_rows_are_not_reported_again() {
        let schema = "model Thread {\n id String @id\n messages Message[]\n}\nmodel Message {\n id String @id\n threadId String\n thread Thread @relation(fields: [threadId], references: [id])\n sentAt DateTime\n mentions Mention[]\n reactions Reaction[]\n views View[]\n}\nmodel User {\n id String @id\n mentions Mention[]\n}\nmodel Mention {\n messageId String\n message Message @relation(fields: [messageId], references: [id])\n userId String\n user User @relation(fields: [userId], references: [id])\n @@id([messageId, userId])\n}\nmodel Reaction {\n messageId String\n message Message @relation(fields: [messageId], references: [id])\n name String\n count Int\n @@id([messageId, name])\n}\nmodel View {\n id String @id\n messageId String\n message Message @relation(fields: [messageId], references: [id])\n at DateTime\n @@unique([messageId, at])\n}\n";
        let found = |src: &str| -> Vec<String> {
            lint_rule("unbounded-include", src, Some(schema))
                .into_iter()
                .map(|d| d.message.split('`').nth(1).unwrap_or("").to_string())
                .collect()
        };
        // The messages are the cost; a message's mentions and reactions are a few each. Its
        // views, keyed by a time, are a history of their own.
        assert_eq!(
            found("async function f(id) { return prisma.thread.findUnique({ where: { id }, include: { messages: { include: { mentions: true, reactions: true, views: true } } } }); }"),
            ["messages", "views"]
        );
    }

    #[test]
    fn options_held_by_variables() {
        // `take` in a const the include names: bounded.
        for src in [
            "const latest = { take: 1, orderBy: { observedAt: 'desc' } };\nasync function f(id) { return prisma.pnode.findUnique({ where: { id }, include: { gossipObservations: latest } }); }",
            "const include = { gossipObservations: { take: 1 } };\nasync function f(id) { return prisma.pnode.findUnique({ where: { id }, include }); }",
            "async function f(id) { const args = { where: { id }, include: { statsSamples: { take: 5 } } }; return prisma.pnode.findUnique(args); }",
        ] {
            assert!(found(src).is_empty(), "{src}: {:?}", found(src));
        }
        // The same shapes without the `take` are read through the variables too.
        let shared = "const include = { gossipObservations: true };\nasync function f(id) { return prisma.pnode.findUnique({ where: { id }, include }); }";
        let d = lint_rule("unbounded-include", shared, Some(SCHEMA));
        assert_eq!(d.len(), 1, "{d:#?}");
        // The const may be shared by other queries: no edit to it.
        assert!(d[0].fix.is_none());
        let args = "async function f(id) { const args = { where: { id }, include: { statsSamples: true } }; return prisma.pnode.findUnique(args); }";
        assert_eq!(found(args).len(), 1);
        // A value leaklint cannot see (a parameter) is reported at medium confidence only.
        let unseen = "async function f(id, opts) { return prisma.pnode.findUnique({ where: { id }, include: { statsSamples: opts.samples } }); }";
        let d = lint_rule("unbounded-include", unseen, Some(SCHEMA));
        assert_eq!(
            d.iter().map(|d| d.confidence).collect::<Vec<_>>(),
            [crate::diagnostic::Confidence::Medium]
        );
    }
}
