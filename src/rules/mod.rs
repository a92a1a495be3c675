//! The rule registry: the one list that `rules`, `explain`, `--select`, config validation and the
//! docs tests all read. A rule id is written only in its rule's file.
//!
//! Rules sit above the syntax layer (`analysis`) and the semantic model (`semantic`), the places
//! they get facts from; the per-file driver that runs their checks is in the crate root.

use crate::analysis::{FileCx, Sink};
use crate::config::{KnownRules, RuleOption, RuleSpec};
use crate::diagnostic::Severity;
use tree_sitter::Node;

pub mod framework_dev_mode;
pub mod in_memory_filter;
pub mod listener_in_handler;
pub mod memory_session_store;
pub mod oversized_page;
pub mod prisma_client_singleton;
pub mod query_in_loop;
pub mod raw_select_unbounded;
pub mod session_seed_copy;
pub mod shared_query_client;
pub mod suppression;
pub mod unbounded_cache_config;
pub mod unbounded_find_many;
pub mod unbounded_include;
pub mod unbounded_module_cache;

/// What area of trouble a rule is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Query,
    Memory,
    Suppression,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Query => "query",
            Category::Memory => "memory",
            Category::Suppression => "suppression",
        }
    }
}

/// Whether and how a rule can fix what it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixKind {
    None,
    Safe,
    Unsafe,
    Suggestion,
}

impl FixKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FixKind::None => "no",
            FixKind::Safe => "safe",
            FixKind::Unsafe => "unsafe",
            FixKind::Suggestion => "suggestion",
        }
    }
}

/// A rule: its metadata, its documentation and its check.
pub struct Rule {
    pub id: &'static str,
    pub category: Category,
    pub severity: Severity,
    pub fix: FixKind,
    /// One line for `leaklint rules`.
    pub summary: &'static str,
    /// The user documentation, `rules/<id>.md`.
    pub doc: &'static str,
    pub options: &'static [RuleOption],
    /// A file is only parsed for this rule when its text contains, for every group, one of the
    /// group's strings: text that cannot hold a finding is never parsed.
    pub needles: &'static [&'static [&'static str]],
    /// A finer text test, run only when the needles matched, for what needles cannot say
    /// (a module-level declaration at the start of a line).
    pub precheck: Option<fn(&str) -> bool>,
    pub check: Check,
}

/// How a rule looks at a parsed file. All rules share one walk of each tree.
#[derive(Clone, Copy)]
pub enum Check {
    /// Engine checks that run outside the walk (suppressions).
    None,
    /// Called for every named node, with no state of its own.
    Node(fn(Node, &FileCx, &mut Sink)),
    /// A checker made fresh for each file: it sees every named node, keeps what it needs (spans,
    /// names; not nodes), and reports when the walk is done.
    Stateful(fn() -> Box<dyn FileCheck>),
}

impl Check {
    pub fn is_some(&self) -> bool {
        !matches!(self, Check::None)
    }
}

/// A per-file checker for rules that decide only after seeing the whole module.
pub trait FileCheck {
    fn enter(&mut self, node: Node, cx: &FileCx, sink: &mut Sink);
    fn finish(&mut self, cx: &FileCx, sink: &mut Sink);
}

impl RuleSpec for Rule {
    fn id(&self) -> &'static str {
        self.id
    }
    fn severity(&self) -> Severity {
        self.severity
    }
    fn options(&self) -> &'static [RuleOption] {
        self.options
    }
}

/// The registry, as config validation sees it ([`KnownRules`]).
pub struct Registry;

impl KnownRules for Registry {
    fn find(&self, id: &str) -> Option<&'static dyn RuleSpec> {
        find(id).map(|r| r as &'static dyn RuleSpec)
    }
    fn did_you_mean(&self, id: &str) -> Option<&'static str> {
        did_you_mean(id)
    }
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id)
    }
}

/// Every rule, in the order `leaklint rules` lists them.
pub static RULES: &[&Rule] = &[
    &unbounded_include::RULE,
    &unbounded_find_many::RULE,
    &query_in_loop::RULE,
    &in_memory_filter::RULE,
    &oversized_page::RULE,
    &unbounded_module_cache::RULE,
    &unbounded_cache_config::RULE,
    &session_seed_copy::RULE,
    &memory_session_store::RULE,
    &listener_in_handler::RULE,
    &raw_select_unbounded::RULE,
    &prisma_client_singleton::RULE,
    &shared_query_client::RULE,
    &framework_dev_mode::RULE,
    &suppression::INVALID,
    &suppression::UNUSED,
];

/// The rule with this id.
pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.id == id)
}

/// The known rule id closest to a misspelt one, when one is close enough to suggest.
pub fn did_you_mean(id: &str) -> Option<&'static str> {
    RULES
        .iter()
        .map(|r| (strsim::jaro_winkler(id, r.id), r.id))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, id)| id)
}

#[cfg(test)]
mod orm_tests;
#[cfg(test)]
mod store_tests;
#[cfg(test)]
pub(crate) mod test_support;
