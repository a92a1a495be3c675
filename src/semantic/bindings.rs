//! Bindings of one file: scopes, declarations and the references that name them, built during the
//! one walk the analysis already does (no second pass over the tree, no recursion), in flat tables
//! indexed by ids, as `oxc_semantic` does. References are resolved once the walk is over, so
//! hoisted functions and `var`s, and names used before their `let` in a closure, resolve as
//! JavaScript resolves them.
//!
//! The module record (imports, exports, re-exports, `require`, `module.exports`) is kept here
//! too: it is what the project index links files through.

use crate::analysis::node::NodeExt;
use crate::analysis::refs::{ImportFrom, Imported};
use crate::analysis::syntax::{is_function, required_module, string_value, unwrap_expression};
use std::collections::HashMap;
use std::ops::Range;
use tree_sitter::Node;

pub type ScopeId = u32;
pub type SymbolId = u32;

/// What opened a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    Module,
    Function,
    Class,
    Block,
    Catch,
    /// The head of a `for`/`for...of`/`for...in` loop.
    For,
}

#[derive(Debug, Clone)]
pub struct Scope {
    pub kind: ScopeKind,
    pub parent: Option<ScopeId>,
    pub range: Range<usize>,
}

/// How a name was declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    Var,
    Let,
    Const,
    Function,
    Class,
    Param,
    Import,
    CatchParam,
    /// `enum`, `type`, `interface`.
    Type,
}

/// One declared name.
#[derive(Debug, Clone)]
pub struct Symbol<'t> {
    pub name: &'t str,
    pub kind: SymbolKind,
    pub scope: ScopeId,
    /// The span of the declaring name.
    pub span: Range<usize>,
    /// What the name is bound to: a declarator's initializer (wrappers removed), or the function
    /// or class node it names. Destructured names have none.
    pub value: Option<Node<'t>>,
    /// The type annotation as written, without the colon (`UserRepo`, `Repository<User>`).
    pub type_text: Option<&'t str>,
    pub import: Option<ImportFrom>,
    /// For parameters: the function node's id and the parameter's position.
    pub param: Option<(usize, usize)>,
}

/// An identifier used as a value, and what it names.
#[derive(Debug, Clone)]
pub struct Reference<'t> {
    pub span: Range<usize>,
    pub name: &'t str,
    pub scope: ScopeId,
    /// `None`: a global, or a name this file does not declare.
    pub symbol: Option<SymbolId>,
}

/// What a module exports under one name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportKind {
    /// A name declared in this module (`export function f`, `export { a as b }`,
    /// `module.exports = a`).
    Local(String),
    /// An expression that is not a name (`export default async () => ...`,
    /// `module.exports = { ... }`): its byte start, to find its facts.
    Value(usize),
    /// `export { a as b } from './x'`, `export * as ns from './x'`.
    ReExport(ImportFrom),
    /// `export * from './x'` (its name is `*`).
    Star(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    /// The exported name; `default` for default exports and `module.exports = ...`.
    pub name: String,
    pub kind: ExportKind,
}

/// The bindings of one file.
#[derive(Debug, Default)]
pub struct Bindings<'t> {
    pub scopes: Vec<Scope>,
    pub symbols: Vec<Symbol<'t>>,
    /// In document order.
    pub references: Vec<Reference<'t>>,
    pub exports: Vec<Export>,
    names: HashMap<(ScopeId, &'t str), SymbolId>,
}

impl<'t> Bindings<'t> {
    /// The symbol `name` refers to from `scope`, looking outwards.
    pub fn lookup(&self, name: &str, mut scope: ScopeId) -> Option<SymbolId> {
        loop {
            if let Some(id) = self.names.get(&(scope, name)) {
                return Some(*id);
            }
            scope = self.scopes.get(scope as usize)?.parent?;
        }
    }

    /// The reference whose identifier starts at `start`.
    pub fn reference_at(&self, start: usize) -> Option<&Reference<'t>> {
        let at = self
            .references
            .binary_search_by_key(&start, |r| r.span.start)
            .ok()?;
        self.references.get(at)
    }

    /// The references inside `range`, in document order.
    pub fn references_in(&self, range: Range<usize>) -> &[Reference<'t>] {
        let from = self
            .references
            .partition_point(|r| r.span.start < range.start);
        let to = self
            .references
            .partition_point(|r| r.span.start < range.end);
        &self.references[from..to.max(from)]
    }

    pub fn symbol(&self, id: SymbolId) -> &Symbol<'t> {
        &self.symbols[id as usize]
    }

    /// The symbol a module-scope name is bound to.
    pub fn module_symbol(&self, name: &str) -> Option<SymbolId> {
        self.names.get(&(0, name)).copied()
    }
}

/// Builds [`Bindings`] as the walk enters and leaves nodes.
pub struct Builder<'t> {
    src: &'t str,
    out: Bindings<'t>,
    /// Open scopes, innermost last, with the id of the node that opened each.
    stack: Vec<(ScopeId, usize)>,
    /// Starts of identifiers that declare a name rather than use one.
    declaring: std::collections::HashSet<usize>,
}

impl<'t> Builder<'t> {
    pub fn new(src: &'t str) -> Self {
        Builder {
            src,
            out: Bindings::default(),
            stack: Vec::new(),
            declaring: Default::default(),
        }
    }

    /// The innermost open scope.
    pub fn current(&self) -> ScopeId {
        self.stack.last().map(|(s, _)| *s).unwrap_or(0)
    }

    fn text(&self, node: Node) -> &'t str {
        self.src.get(node.byte_range()).unwrap_or("")
    }

    fn push_scope(&mut self, kind: ScopeKind, node: Node) {
        let id = self.out.scopes.len() as ScopeId;
        let parent = self.stack.last().map(|(s, _)| *s);
        self.out.scopes.push(Scope {
            kind,
            parent,
            range: node.byte_range(),
        });
        self.stack.push((id, node.id()));
    }

    /// The nearest function or module scope: where `var` lands.
    fn var_scope(&self) -> ScopeId {
        self.stack
            .iter()
            .rev()
            .map(|(s, _)| *s)
            .find(|s| {
                matches!(
                    self.out.scopes[*s as usize].kind,
                    ScopeKind::Function | ScopeKind::Module
                )
            })
            .unwrap_or(0)
    }

    fn declare(&mut self, scope: ScopeId, name_node: Node<'t>, kind: SymbolKind) -> SymbolId {
        let name = self.text(name_node);
        self.declaring.insert(name_node.start_byte());
        let id = self.out.symbols.len() as SymbolId;
        self.out.symbols.push(Symbol {
            name,
            kind,
            scope,
            span: name_node.byte_range(),
            value: None,
            type_text: None,
            import: None,
            param: None,
        });
        // A later declaration of the same name in the same scope (`var x; var x;`, overloads)
        // shadows the earlier one for lookups.
        self.out.names.insert((scope, name), id);
        id
    }

    /// Declares every name a binding pattern binds (`x`, `{ a, b: c = 1 }`, `[d, ...e]`). Default
    /// values are left to the walk: they hold references, not declarations.
    fn declare_pattern(
        &mut self,
        scope: ScopeId,
        pattern: Node<'t>,
        kind: SymbolKind,
    ) -> Vec<SymbolId> {
        let mut out = Vec::new();
        let mut stack = vec![pattern];
        let mut budget = 2000usize;
        while let Some(node) = stack.pop() {
            budget = budget.saturating_sub(1);
            if budget == 0 {
                break;
            }
            match node.k() {
                "identifier" | "shorthand_property_identifier_pattern" => {
                    out.push(self.declare(scope, node, kind));
                }
                "pair_pattern" => stack.extend(node.field("value")),
                "assignment_pattern" | "object_assignment_pattern" => {
                    stack.extend(node.field("left"))
                }
                "object_pattern" | "array_pattern" | "rest_pattern" => {
                    let mut cursor = node.walk();
                    let children: Vec<Node> = node.named_children(&mut cursor).collect();
                    stack.extend(children.into_iter().rev());
                }
                _ => {}
            }
        }
        out
    }

    /// Called for every named node in document order, with its parent.
    pub fn enter(&mut self, node: Node<'t>, field: Option<&str>, parent: Option<Node<'t>>) {
        let kind = node.k();
        match kind {
            "program" => self.push_scope(ScopeKind::Module, node),
            "identifier" | "shorthand_property_identifier"
                if !self.declaring.contains(&node.start_byte()) =>
            {
                self.out.references.push(Reference {
                    span: node.byte_range(),
                    name: self.text(node),
                    scope: self.current(),
                    symbol: None,
                });
            }
            "statement_block" => {
                let function_body =
                    field == Some("body") && parent.is_some_and(|p| is_function(p.k()));
                if !function_body {
                    self.push_scope(ScopeKind::Block, node);
                }
            }
            "for_statement" => self.push_scope(ScopeKind::For, node),
            "for_in_statement" => {
                self.push_scope(ScopeKind::For, node);
                if let (Some(left), Some(decl)) = (node.field("left"), node.field("kind")) {
                    let (scope, kind) = match self.text(decl) {
                        "var" => (self.var_scope(), SymbolKind::Var),
                        "let" => (self.current(), SymbolKind::Let),
                        _ => (self.current(), SymbolKind::Const),
                    };
                    self.declare_pattern(scope, left, kind);
                }
            }
            "catch_clause" => {
                self.push_scope(ScopeKind::Catch, node);
                if let Some(param) = node.field("parameter") {
                    let scope = self.current();
                    self.declare_pattern(scope, param, SymbolKind::CatchParam);
                }
            }
            "class_declaration" | "abstract_class_declaration" | "class" => {
                if let Some(name) = node.field("name") {
                    if kind != "class" {
                        let scope = self.current();
                        let id = self.declare(scope, name, SymbolKind::Class);
                        self.out.symbols[id as usize].value = Some(node);
                    }
                }
                self.push_scope(ScopeKind::Class, node);
            }
            "enum_declaration" | "type_alias_declaration" | "interface_declaration" => {
                if let Some(name) = node.field("name") {
                    let scope = self.current();
                    let id = self.declare(scope, name, SymbolKind::Type);
                    if kind == "type_alias_declaration" {
                        self.out.symbols[id as usize].type_text =
                            node.field("value").map(|v| self.text(v));
                    }
                }
            }
            "variable_declarator" => self.declarator(node, parent),
            "import_statement" => self.import(node),
            "export_statement" => self.export(node),
            "assignment_expression" => self.commonjs_export(node),
            _ if is_function(kind) => self.function(node),
            _ => {}
        }
    }

    /// Called after a named node's descendants.
    pub fn leave(&mut self, node: Node<'t>) {
        if self.stack.last().is_some_and(|(_, id)| *id == node.id()) {
            self.stack.pop();
        }
    }

    fn function(&mut self, node: Node<'t>) {
        // A declaration's name belongs to the enclosing scope; a named function expression's
        // name only to its own.
        let declared_outside = matches!(
            node.k(),
            "function_declaration" | "generator_function_declaration"
        );
        if declared_outside {
            if let Some(name) = node.field("name") {
                let scope = self.current();
                let id = self.declare(scope, name, SymbolKind::Function);
                self.out.symbols[id as usize].value = Some(node);
            }
        }
        self.push_scope(ScopeKind::Function, node);
        let scope = self.current();
        if !declared_outside && matches!(node.k(), "function_expression" | "function") {
            if let Some(name) = node.field("name") {
                let id = self.declare(scope, name, SymbolKind::Function);
                self.out.symbols[id as usize].value = Some(node);
            }
        }
        if let Some(single) = node.field("parameter") {
            let id = self.declare(scope, single, SymbolKind::Param);
            self.out.symbols[id as usize].param = Some((node.id(), 0));
            return;
        }
        let Some(params) = node.field("parameters") else {
            return;
        };
        let mut cursor = params.walk();
        let params: Vec<Node> = params
            .named_children(&mut cursor)
            .filter(|p| p.k() != "comment")
            .collect();
        for (index, param) in params.into_iter().enumerate() {
            let (pattern, ty) = match param.k() {
                "required_parameter" | "optional_parameter" => {
                    (param.field("pattern"), param.field("type"))
                }
                _ => (Some(param), None),
            };
            let Some(pattern) = pattern else { continue };
            if pattern.k() == "this" {
                continue;
            }
            let type_text = ty.map(|t| annotation_text(self.text(t)));
            for id in self.declare_pattern(scope, pattern, SymbolKind::Param) {
                let symbol = &mut self.out.symbols[id as usize];
                symbol.param = Some((node.id(), index));
                if pattern.k() == "identifier" {
                    symbol.type_text = type_text;
                }
            }
        }
    }

    fn declarator(&mut self, node: Node<'t>, parent: Option<Node<'t>>) {
        let Some(name) = node.field("name") else {
            return;
        };
        let keyword = parent.map(|p| p.k());
        let (scope, kind) = match keyword {
            Some("variable_declaration") => (self.var_scope(), SymbolKind::Var),
            Some("lexical_declaration")
                if parent.is_some_and(|p| self.text(p).starts_with("let")) =>
            {
                (self.current(), SymbolKind::Let)
            }
            _ => (self.current(), SymbolKind::Const),
        };
        let value = node.field("value").map(unwrap_expression);
        let type_text = node.field("type").map(|t| annotation_text(self.text(t)));
        let required = value.and_then(|v| required_module(v, self.src));
        if name.k() == "identifier" {
            let id = self.declare(scope, name, kind);
            let symbol = &mut self.out.symbols[id as usize];
            symbol.value = value;
            symbol.type_text = type_text;
            symbol.import = required.map(|(specifier, member)| ImportFrom {
                specifier: specifier.to_string(),
                imported: member.map_or(Imported::Module, |m| Imported::Named(m.to_string())),
            });
            return;
        }
        // `const { a, b: c } = require('./x')`: each name is one export of the module.
        let renames = if name.k() == "object_pattern" {
            destructured_keys(name, self.src)
        } else {
            Vec::new()
        };
        for id in self.declare_pattern(scope, name, kind) {
            let Some((specifier, None)) = required else {
                continue;
            };
            let local = self.out.symbols[id as usize].name;
            let key = renames
                .iter()
                .find(|(_, l)| *l == local)
                .map_or(local, |(k, _)| k);
            self.out.symbols[id as usize].import = Some(ImportFrom {
                specifier: specifier.to_string(),
                imported: Imported::Named(key.to_string()),
            });
        }
    }

    fn import(&mut self, node: Node<'t>) {
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        let specifier = node
            .field("source")
            .or_else(|| {
                children
                    .iter()
                    .find(|c| c.k() == "import_require_clause")
                    .and_then(|c| c.field("source"))
            })
            .and_then(|s| string_value(s, self.src));
        let Some(specifier) = specifier else {
            return;
        };
        for child in children {
            match child.k() {
                "import_clause" => {
                    let mut clause_cursor = child.walk();
                    let parts: Vec<Node> = child.named_children(&mut clause_cursor).collect();
                    for part in parts {
                        match part.k() {
                            "identifier" => self.import_name(part, specifier, Imported::Default),
                            "namespace_import" => {
                                if let Some(local) = part.named_child(0) {
                                    self.import_name(local, specifier, Imported::Namespace);
                                }
                            }
                            "named_imports" => {
                                let mut named = part.walk();
                                let specs: Vec<Node> = part.named_children(&mut named).collect();
                                for spec in specs {
                                    let Some(imported) = spec.field("name") else {
                                        continue;
                                    };
                                    self.declaring.insert(imported.start_byte());
                                    let local = spec.field("alias").unwrap_or(imported);
                                    let name = unquote(self.text(imported)).to_string();
                                    let imported = if name == "default" {
                                        Imported::Default
                                    } else {
                                        Imported::Named(name)
                                    };
                                    self.import_name(local, specifier, imported);
                                }
                            }
                            _ => {}
                        }
                    }
                }
                // `import x = require('y')`
                "import_require_clause" => {
                    if let Some(local) = child.named_child(0).filter(|n| n.k() == "identifier") {
                        let source = child
                            .field("source")
                            .and_then(|s| string_value(s, self.src))
                            .unwrap_or(specifier);
                        self.import_name(local, source, Imported::Module);
                    }
                }
                _ => {}
            }
        }
    }

    fn import_name(&mut self, local: Node<'t>, specifier: &str, imported: Imported) {
        let id = self.declare(0, local, SymbolKind::Import);
        self.out.symbols[id as usize].import = Some(ImportFrom {
            specifier: specifier.to_string(),
            imported,
        });
    }

    fn export(&mut self, node: Node<'t>) {
        let source = node
            .field("source")
            .and_then(|s| string_value(s, self.src))
            .map(str::to_string);
        let text = self.text(node);
        let is_default = text.starts_with("export default");
        if let Some(declaration) = node.field("declaration") {
            for name in declared_names(declaration, self.src) {
                self.out.exports.push(Export {
                    name: name.to_string(),
                    kind: ExportKind::Local(name.to_string()),
                });
            }
            return;
        }
        if let Some(value) = node.field("value") {
            let value = unwrap_expression(value);
            let kind = if value.k() == "identifier" {
                ExportKind::Local(self.text(value).to_string())
            } else {
                ExportKind::Value(value.start_byte())
            };
            let name = if is_default { "default" } else { "=" };
            self.out.exports.push(Export {
                name: name.to_string(),
                kind,
            });
            return;
        }
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        for child in children {
            match child.k() {
                "export_clause" => {
                    let mut clause = child.walk();
                    let specs: Vec<Node> = child.named_children(&mut clause).collect();
                    for spec in specs {
                        let Some(name) = spec.field("name") else {
                            continue;
                        };
                        let local = unquote(self.text(name)).to_string();
                        let exported = spec
                            .field("alias")
                            .map_or(local.clone(), |a| unquote(self.text(a)).to_string());
                        if source.is_some() {
                            // Not a reference to a local name.
                            self.declaring.insert(name.start_byte());
                            if let Some(alias) = spec.field("alias") {
                                self.declaring.insert(alias.start_byte());
                            }
                        } else if let Some(alias) = spec.field("alias") {
                            self.declaring.insert(alias.start_byte());
                        }
                        let kind = match &source {
                            Some(specifier) => ExportKind::ReExport(ImportFrom {
                                specifier: specifier.clone(),
                                imported: if local == "default" {
                                    Imported::Default
                                } else {
                                    Imported::Named(local)
                                },
                            }),
                            None => ExportKind::Local(local),
                        };
                        self.out.exports.push(Export {
                            name: exported,
                            kind,
                        });
                    }
                }
                "namespace_export" => {
                    if let (Some(alias), Some(specifier)) = (child.named_child(0), &source) {
                        self.declaring.insert(alias.start_byte());
                        self.out.exports.push(Export {
                            name: unquote(self.text(alias)).to_string(),
                            kind: ExportKind::ReExport(ImportFrom {
                                specifier: specifier.clone(),
                                imported: Imported::Namespace,
                            }),
                        });
                    }
                }
                // `export = x` (TypeScript's CommonJS export)
                "identifier" if text.starts_with("export =") => {
                    self.out.exports.push(Export {
                        name: "=".to_string(),
                        kind: ExportKind::Local(self.text(child).to_string()),
                    });
                }
                _ if text.starts_with("export =") && child.k() != "comment" => {
                    self.out.exports.push(Export {
                        name: "=".to_string(),
                        kind: ExportKind::Value(unwrap_expression(child).start_byte()),
                    });
                }
                _ => {}
            }
        }
        if let (Some(specifier), true) = (
            &source,
            text.starts_with("export *") && !text.contains(" as "),
        ) {
            self.out.exports.push(Export {
                name: "*".to_string(),
                kind: ExportKind::Star(specifier.clone()),
            });
        }
    }

    /// `module.exports = x`, `module.exports = { a, b }`, `exports.a = ...`,
    /// `module.exports.a = ...`.
    fn commonjs_export(&mut self, node: Node<'t>) {
        let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else {
            return;
        };
        let target = self.text(left);
        let right = unwrap_expression(right);
        let name = if target == "module.exports" {
            "=".to_string()
        } else if let Some(name) = target
            .strip_prefix("module.exports.")
            .or_else(|| target.strip_prefix("exports."))
        {
            if !name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
            {
                return;
            }
            name.to_string()
        } else {
            return;
        };
        let kind = if right.k() == "identifier" {
            ExportKind::Local(self.text(right).to_string())
        } else {
            ExportKind::Value(right.start_byte())
        };
        self.out.exports.push(Export { name, kind });
    }

    /// Resolves every reference and hands over the tables.
    pub fn finish(mut self) -> Bindings<'t> {
        let mut references = std::mem::take(&mut self.out.references);
        for reference in &mut references {
            reference.symbol = self.out.lookup(reference.name, reference.scope);
        }
        self.out.references = references;
        self.out
    }
}

/// `: UserRepo` -> `UserRepo`.
fn annotation_text(text: &str) -> &str {
    text.trim_start_matches(':').trim()
}

fn unquote(text: &str) -> &str {
    text.trim_matches(|c| c == '"' || c == '\'')
}

/// The names a declaration declares: a function's, a class's, a `const`'s.
fn declared_names<'s>(declaration: Node, src: &'s str) -> Vec<&'s str> {
    let text = |n: Node| src.get(n.byte_range()).unwrap_or("");
    match declaration.k() {
        "lexical_declaration" | "variable_declaration" => {
            let mut cursor = declaration.walk();
            declaration
                .named_children(&mut cursor)
                .filter_map(|d| d.field("name"))
                .filter(|n| n.k() == "identifier")
                .map(text)
                .collect()
        }
        _ => declaration.field("name").map(text).into_iter().collect(),
    }
}

/// `{ a, b: c }` -> [(a, a), (b, c)]: each key and the local name it binds.
fn destructured_keys<'s>(pattern: Node, src: &'s str) -> Vec<(&'s str, &'s str)> {
    let text = |n: Node| src.get(n.byte_range()).unwrap_or("");
    let mut out = Vec::new();
    let mut cursor = pattern.walk();
    for child in pattern.named_children(&mut cursor) {
        match child.k() {
            "shorthand_property_identifier_pattern" => out.push((text(child), text(child))),
            "pair_pattern" => {
                if let (Some(key), Some(value)) = (child.field("key"), child.field("value")) {
                    let value = if value.k() == "assignment_pattern" {
                        value.field("left").unwrap_or(value)
                    } else {
                        value
                    };
                    out.push((text(key), text(value)));
                }
            }
            "object_assignment_pattern" => {
                if let Some(left) = child.field("left") {
                    out.push((text(left), text(left)));
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::parse;
    use crate::source::Lang;

    /// Builds the bindings of `src` with the same walk the analysis uses.
    fn with_bindings(src: &str, check: impl FnOnce(&Bindings, &str)) {
        let tree = parse(src, Lang::TypeScript).expect("parses");
        crate::analysis::use_grammar(Lang::TypeScript);
        struct V<'t> {
            builder: Builder<'t>,
            ancestors: Vec<Node<'t>>,
        }
        impl<'t> crate::analysis::walk::Visitor<'t> for V<'t> {
            fn ancestors(&mut self) -> &mut Vec<Node<'t>> {
                &mut self.ancestors
            }
            fn enter(&mut self, node: Node<'t>, field: Option<&'static str>) {
                let parent = self.ancestors.last().copied();
                self.builder.enter(node, field, parent);
            }
            fn leave(&mut self, node: Node<'t>) {
                self.builder.leave(node);
            }
        }
        let mut v = V {
            builder: Builder::new(src),
            ancestors: Vec::new(),
        };
        crate::analysis::walk::walk(&tree, &mut v);
        let bindings = v.builder.finish();
        check(&bindings, src);
    }

    /// The symbol the `nth` (0-based) use of `name` as a value resolves to: its kind and the
    /// byte offset of its declaration, or `None` for a global.
    fn resolved(b: &Bindings, name: &str, nth: usize) -> Option<(SymbolKind, usize)> {
        let reference = b
            .references
            .iter()
            .filter(|r| r.name == name)
            .nth(nth)
            .unwrap_or_else(|| panic!("no use #{nth} of {name}"));
        reference.symbol.map(|s| {
            let s = b.symbol(s);
            (s.kind, s.span.start)
        })
    }

    #[test]
    fn shadowing_resolves_to_the_innermost_declaration() {
        let src = "const x = 1; function f() { const x = 2; return x; } use(x);";
        with_bindings(src, |b, src| {
            let inner = src.find("x = 2").unwrap();
            assert_eq!(resolved(b, "x", 0), Some((SymbolKind::Const, inner)));
            assert_eq!(resolved(b, "x", 1), Some((SymbolKind::Const, 6)));
            assert_eq!(resolved(b, "use", 0), None, "a global");
        });
    }

    #[test]
    fn blocks_and_catch_and_for_heads_have_their_own_scope() {
        let src = "let e = 0; try { } catch (e) { log(e); } for (const e of xs) { log(e); } { const e = 3; log(e); } log(e);";
        with_bindings(src, |b, src| {
            assert_eq!(resolved(b, "e", 0).unwrap().0, SymbolKind::CatchParam);
            assert_eq!(
                resolved(b, "e", 1),
                Some((SymbolKind::Const, src.find("e of").unwrap()))
            );
            assert_eq!(
                resolved(b, "e", 2),
                Some((SymbolKind::Const, src.find("e = 3").unwrap()))
            );
            assert_eq!(resolved(b, "e", 3), Some((SymbolKind::Let, 4)));
        });
    }

    #[test]
    fn functions_and_vars_are_hoisted() {
        let src = "run(); function run() { if (a) { var v = 1; } return v; } const g = () => later; let later = 1;";
        with_bindings(src, |b, src| {
            assert_eq!(resolved(b, "run", 0).unwrap().0, SymbolKind::Function);
            assert_eq!(
                resolved(b, "v", 0),
                Some((SymbolKind::Var, src.find("v = 1").unwrap())),
                "`var` in a block belongs to the function"
            );
            assert_eq!(resolved(b, "later", 0).unwrap().0, SymbolKind::Let);
        });
    }

    #[test]
    fn destructuring_renames_defaults_and_rest() {
        let src = "function f({ siteId: sid, limit = max, ...rest }, [first, , third]) { return [sid, limit, rest, first, third, siteId]; }";
        with_bindings(src, |b, src| {
            for name in ["sid", "limit", "rest", "first", "third"] {
                let (kind, _) = resolved(b, name, 0).unwrap_or_else(|| panic!("{name}"));
                assert_eq!(kind, SymbolKind::Param, "{name}");
            }
            assert_eq!(resolved(b, "siteId", 0), None, "a key is not a binding");
            assert_eq!(resolved(b, "max", 0), None, "a default value is a use");
            let sid = b.symbols.iter().find(|s| s.name == "sid").unwrap();
            assert_eq!(sid.param.map(|p| p.1), Some(0));
            let third = b.symbols.iter().find(|s| s.name == "third").unwrap();
            assert_eq!(third.param.map(|p| p.1), Some(1));
            assert!(src.contains("third"));
        });
    }

    #[test]
    fn imports_default_named_namespace_and_require() {
        let src = "import db, { findUser as find, type X } from './db';\nimport * as repo from '../repo';\nconst { members: m, teams } = require('./dal');\nconst knex = require('knex');\nconst one = require('./one').one;\nimport legacy = require('./legacy');\nuse(db, find, repo, m, teams, knex, one, legacy);";
        with_bindings(src, |b, _| {
            let import_of = |name: &str| {
                let r = b.references.iter().find(|r| r.name == name).unwrap();
                b.symbol(r.symbol.unwrap()).import.clone().unwrap()
            };
            let named = |s: &str| Imported::Named(s.to_string());
            assert_eq!(import_of("db").imported, Imported::Default);
            assert_eq!(import_of("find").imported, named("findUser"));
            assert_eq!(import_of("find").specifier, "./db");
            assert_eq!(import_of("repo").imported, Imported::Namespace);
            assert_eq!(import_of("m").imported, named("members"));
            assert_eq!(import_of("teams").specifier, "./dal");
            assert_eq!(import_of("knex").imported, Imported::Module);
            assert_eq!(import_of("one").imported, named("one"));
            assert_eq!(import_of("legacy").imported, Imported::Module);
        });
    }

    #[test]
    fn exports_and_reexports() {
        let src = "export function a() {}\nexport const b = 1, c = 2;\nconst d = 3;\nexport { d as e, d };\nexport { f as g, default as h } from './f';\nexport * from './all';\nexport * as ns from './ns';\nexport default class K {}\n";
        with_bindings(src, |b, _| {
            let find = |name: &str| {
                b.exports
                    .iter()
                    .find(|e| e.name == name)
                    .map(|e| e.kind.clone())
                    .unwrap_or_else(|| panic!("no export {name}"))
            };
            let local = |s: &str| ExportKind::Local(s.to_string());
            assert_eq!(find("a"), local("a"));
            assert_eq!(find("c"), local("c"));
            assert_eq!(find("e"), local("d"));
            assert_eq!(find("d"), local("d"));
            assert_eq!(
                find("g"),
                ExportKind::ReExport(ImportFrom {
                    specifier: "./f".into(),
                    imported: Imported::Named("f".into())
                })
            );
            assert_eq!(
                find("h"),
                ExportKind::ReExport(ImportFrom {
                    specifier: "./f".into(),
                    imported: Imported::Default
                })
            );
            assert_eq!(find("*"), ExportKind::Star("./all".into()));
            assert_eq!(
                find("ns"),
                ExportKind::ReExport(ImportFrom {
                    specifier: "./ns".into(),
                    imported: Imported::Namespace
                })
            );
            assert_eq!(find("K"), local("K"));
            // `export { d as e }` uses `d`; `export { f } from` uses nothing here.
            assert!(b
                .references
                .iter()
                .any(|r| r.name == "d" && r.symbol.is_some()));
            assert!(!b.references.iter().any(|r| r.name == "f"));
        });
    }

    #[test]
    fn commonjs_exports() {
        let src = "function find() {}\nmodule.exports = { find, other: () => 1 };\nexports.helper = function () {};\nmodule.exports.more = find;\n";
        with_bindings(src, |b, _| {
            let names: Vec<&str> = b.exports.iter().map(|e| e.name.as_str()).collect();
            assert_eq!(names, ["=", "helper", "more"]);
            assert_eq!(b.exports[2].kind, ExportKind::Local("find".into()));
            assert!(matches!(b.exports[0].kind, ExportKind::Value(_)));
        });
        let src = "class Repo {}\nexport = Repo;\n";
        with_bindings(src, |b, _| {
            assert_eq!(
                b.exports,
                [Export {
                    name: "=".into(),
                    kind: ExportKind::Local("Repo".into())
                }]
            );
        });
    }

    #[test]
    fn parameter_properties_and_types_are_recorded() {
        let src = "class S { constructor(private readonly repo: UserRepo, db?: Db) {} run() { return repo; } }";
        with_bindings(src, |b, _| {
            let repo = b.symbols.iter().find(|s| s.name == "repo").unwrap();
            assert_eq!(repo.kind, SymbolKind::Param);
            assert_eq!(repo.type_text, Some("UserRepo"));
            let db = b.symbols.iter().find(|s| s.name == "db").unwrap();
            assert_eq!(db.type_text, Some("Db"));
            // `repo` in another method is not the constructor's parameter.
            assert_eq!(resolved(b, "repo", 0), None);
        });
    }

    #[test]
    fn class_fields_are_not_locals() {
        let src =
            "const repo = 1; class S { repo = new Repo(); f() { return this.repo && repo; } }";
        with_bindings(src, |b, _| {
            assert_eq!(resolved(b, "repo", 0), Some((SymbolKind::Const, 6)));
            assert_eq!(resolved(b, "Repo", 0), None);
        });
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let depth = 20_000;
        let src = format!("{}x{}", "(".repeat(depth), ")".repeat(depth));
        with_bindings(&src, |b, _| {
            assert!(b.references.len() <= 1);
        });
        let src = format!("{}{}", "if (a) {".repeat(depth), "}".repeat(depth));
        with_bindings(&src, |b, _| assert!(b.scopes.len() > depth));
    }
}
