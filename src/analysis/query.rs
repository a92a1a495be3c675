//! One question every data-layer recogniser answers: is this call a query, and which? Used by the
//! semantic layer to summarise what a function does to the database.

use super::node::NodeExt;
use super::orm::orm_call;
use super::prisma::{collapse_whitespace, prisma_call};
use super::sql::sql_text;
use super::{Condition, FileCx};
use tree_sitter::Node;

/// A query call, whichever library sends it.
#[derive(Debug, Clone)]
pub struct Query {
    /// `prisma.member.findMany`, `knex('users')...`, `pool.query`, as written.
    pub callee: String,
    pub is_write: bool,
    /// What must hold in other files for the receiver to be a client (an imported Prisma client).
    pub conditions: Vec<Condition>,
}

/// The query `node` sends, if it is one: a Prisma operation, another ORM's or query builder's
/// query, or a raw SQL statement sent by a driver.
pub fn recognize(node: Node, cx: &FileCx) -> Option<Query> {
    if node.k() != "call_expression" {
        return None;
    }
    if let Some(call) = prisma_call(node, cx) {
        return Some(Query {
            is_write: call.is_write(),
            callee: call.callee,
            conditions: call.conditions,
        });
    }
    if let Some(call) = orm_call(node, cx) {
        return Some(Query {
            is_write: call.is_write(),
            callee: call.callee,
            conditions: call.conditions,
        });
    }
    if let Some(call) = super::stores::store_call(node, cx) {
        return Some(Query {
            callee: call.callee,
            is_write: call.is_write,
            conditions: Vec::new(),
        });
    }
    let sql = sql_text(node, cx)?;
    let passed_on = cx.parent().is_some_and(|p| p.k() == "arguments");
    if passed_on || !sql.is_statement() || cx.text(sql.call).starts_with("Prisma.sql") {
        return None;
    }
    let callee = match node.field("function") {
        Some(f) if f.k() == "member_expression" => collapse_whitespace(cx.text(f)),
        Some(f) => format!("{}`...`", cx.text(f)),
        None => return None,
    };
    Some(Query {
        callee,
        is_write: sql.is_write(),
        conditions: Vec::new(),
    })
}
