//! Fast node kinds and fields. tree-sitter's `Node::kind()` converts a C string (strlen and UTF-8
//! validation) on every call, and `child_by_field_name` scans the grammar's field names with
//! `strncmp`; both showed up as a sixth of a profile. Here each grammar's kind and field names
//! are tabled once, and the walk's thread knows which grammar it is on.

use std::cell::Cell;
use std::collections::HashMap;
use std::num::NonZeroU16;
use std::sync::OnceLock;
use tree_sitter::{Language, Node};

/// One grammar's names.
pub struct Tables {
    kinds: Vec<&'static str>,
    field_names: Vec<Option<&'static str>>,
    field_ids: HashMap<&'static str, NonZeroU16>,
}

impl Tables {
    fn new(language: &Language) -> Tables {
        let kinds = (0..language.node_kind_count() as u16)
            .map(|id| language.node_kind_for_id(id).unwrap_or(""))
            .collect();
        let field_names: Vec<Option<&'static str>> = (0..=language.field_count() as u16)
            .map(|id| language.field_name_for_id(id))
            .collect();
        let field_ids = field_names
            .iter()
            .enumerate()
            .filter_map(|(id, name)| Some((name.as_ref().copied()?, NonZeroU16::new(id as u16)?)))
            .collect();
        Tables {
            kinds,
            field_names,
            field_ids,
        }
    }

    /// The name of a field id.
    pub fn field_name(&self, id: Option<NonZeroU16>) -> Option<&'static str> {
        *self.field_names.get(usize::from(id?.get()))?
    }
}

thread_local! {
    static CURRENT: Cell<Option<&'static Tables>> = const { Cell::new(None) };
}

/// Makes `language` the grammar this thread's nodes come from, until the next call.
pub fn set_language(language: &Language, slot: &'static OnceLock<Tables>) {
    let tables = slot.get_or_init(|| Tables::new(language));
    CURRENT.with(|c| c.set(Some(tables)));
}

/// This thread's grammar tables.
pub fn tables() -> &'static Tables {
    CURRENT
        .with(|c| c.get())
        .expect("set_language runs before nodes are inspected")
}

/// Kinds and fields through the tables.
pub trait NodeExt<'t> {
    /// `Node::kind`, without the C string conversion.
    fn k(&self) -> &'static str;
    /// `Node::child_by_field_name`, without the scan of field names.
    fn field(&self, name: &str) -> Option<Node<'t>>;
}

impl<'t> NodeExt<'t> for Node<'t> {
    fn k(&self) -> &'static str {
        tables()
            .kinds
            .get(usize::from(self.kind_id()))
            .copied()
            .unwrap_or("")
    }

    fn field(&self, name: &str) -> Option<Node<'t>> {
        let id = tables().field_ids.get(name)?;
        self.child_by_field_id(id.get())
    }
}
