//! A pre-order walk over a tree-sitter tree with a cursor and an explicit ancestor stack: no
//! recursion, so input nested 20,000 deep cannot overflow the stack, and no `Node::parent`, which
//! costs O(depth) per call.

use super::node::tables;
use tree_sitter::{Node, Tree};

/// What the walk tells a visitor about each named node it enters.
pub trait Visitor<'t> {
    /// The walk's ancestor stack (named and unnamed ancestors, root first), kept by the visitor
    /// so that it can read it while the walk moves.
    fn ancestors(&mut self) -> &mut Vec<Node<'t>>;
    /// `field` is the node's field name in its parent, if any.
    fn enter(&mut self, node: Node<'t>, field: Option<&'static str>);
    /// Called after all of a named node's descendants were visited.
    fn leave(&mut self, node: Node<'t>);
}

/// Visits every named node of `tree` in document order.
pub fn walk<'t>(tree: &'t Tree, visitor: &mut impl Visitor<'t>) {
    let mut cursor = tree.walk();
    visitor.ancestors().clear();
    loop {
        let node = cursor.node();
        if node.is_named() {
            visitor.enter(node, tables().field_name(cursor.field_id()));
        }
        if cursor.goto_first_child() {
            visitor.ancestors().push(node);
            continue;
        }
        if node.is_named() {
            visitor.leave(node);
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
            let parent = visitor
                .ancestors()
                .pop()
                .expect("cursor and stack move together");
            if parent.is_named() {
                visitor.leave(parent);
            }
        }
    }
}

/// Visits `node` and its descendants in document order with a cursor, at most `limit` nodes, so
/// that a pathological subtree cannot make a small question costly. `visit` gets each node and
/// its field name, and returns whether to descend into it.
pub fn visit_subtree<'t>(
    node: Node<'t>,
    limit: usize,
    mut visit: impl FnMut(Node<'t>, Option<&'static str>) -> bool,
) {
    let mut cursor = node.walk();
    let mut depth = 0usize;
    let mut visited = 0usize;
    loop {
        visited += 1;
        let descend = visit(cursor.node(), tables().field_name(cursor.field_id()));
        if visited >= limit {
            return;
        }
        if descend && cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            if depth == 0 {
                return;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            cursor.goto_parent();
            depth -= 1;
        }
    }
}

/// The named descendants of `node` (itself included) in document order, at most `limit` nodes.
pub fn descendants<'t>(node: Node<'t>, limit: usize) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    visit_subtree(node, limit, |n, _| {
        if n.is_named() {
            out.push(n);
        }
        true
    });
    out
}
