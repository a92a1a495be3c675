//! The semantic model: what names refer to and what functions do, so that rules judge from facts
//! instead of from what one function of one file looks like.
//!
//! A layer of its own: above the syntax layer (`analysis`, whose [`FileCx`](crate::analysis::FileCx)
//! and conditions it reads) and below the rules, which get their facts from it. Nothing here
//! uses a rule.
//!
//! - [`bindings`]: per file, scopes, declarations, references and the module record (imports,
//!   exports, re-exports, CommonJS), built in the analysis' one walk.
//! - [`facts`]: per file, each named function's queries (and which parameters reach their
//!   filters) and calls (resolved to functions, methods of known classes, instances, factories
//!   or imports), as small owned data; trees are dropped with their file.
//! - [`index`]: across files, exports linked to their definitions through the project's module
//!   resolution, and function summaries computed bottom-up over the call graph to a fixed point.
//!
//! What it does not follow: values typed `any` or not annotated where their class cannot be seen
//! (`const repo = container.get(...)`), dynamic dispatch (`handlers[name](...)`), computed
//! member names, and functions passed as values and called elsewhere.

pub mod bindings;
pub mod facts;
pub mod importers;
pub mod index;
