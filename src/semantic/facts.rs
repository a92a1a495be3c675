//! What each function of one file does, as small owned data that outlives the file's tree: the
//! queries it sends and which of its parameters their filters use, the calls it makes (resolved
//! through the file's bindings to a function, a method of a known class, or an import), and the
//! module's exports. Gathered in the analysis' one walk; the project [`super::index`] links the
//! files and computes summaries from these facts.
//!
//! A function that owns facts is a named one: a declaration, a method, an arrow or function
//! bound to a name, an object literal's member, an export. Inline callbacks (`xs.map(x => ...)`,
//! `withRetry(() => ...)`) are part of the function they are written in.

use super::bindings::{Bindings, Builder, ExportKind, SymbolId, SymbolKind};
use crate::analysis::entry::{Entry, EntryKind};
use crate::analysis::node::NodeExt;
use crate::analysis::query::recognize;
use crate::analysis::refs::{Entity, Target};
use crate::analysis::syntax::{is_class, is_function, unwrap_expression};
use crate::analysis::{type_subject, Condition, FileCx, Frame, Handle};
use std::collections::HashMap;
use std::ops::Range;
use tree_sitter::Node;

/// At most this many parameters are followed (one bit each).
pub const MAX_PARAMS: usize = 64;

/// A query a function sends.
#[derive(Debug, Clone)]
pub struct QueryFact {
    pub callee: String,
    pub line: u32,
    pub is_write: bool,
    /// Bit `i`: the query's arguments use parameter `i` (or a name derived from it).
    pub deps: u64,
    /// Facts of other files the receiver depends on (an imported Prisma client).
    pub conditions: Vec<Condition>,
    /// Runs for some calls only: in a branch, or after an early `if (...) return` of its
    /// function (`if (entity.name) return entity.name;`: a lookup done when not yet loaded).
    pub guarded: bool,
}

/// A call a function makes.
#[derive(Debug, Clone)]
pub struct CallFact {
    pub target: Target,
    /// Per argument: the caller's parameters it uses.
    pub args: Vec<u64>,
    pub line: u32,
    /// The call's bytes, for the rule that judges it (`f(x)()` holds two calls that start
    /// together).
    pub site: (usize, usize),
    /// Made for some calls of its function only (see [`QueryFact::guarded`]).
    pub guarded: bool,
}

#[derive(Debug, Clone)]
pub struct FnFacts {
    /// `getMembers`, `UserRepo.findByUser`, `userDal.findById`.
    pub name: String,
    pub line: u32,
    pub queries: Vec<QueryFact>,
    pub calls: Vec<CallFact>,
    /// The object literal it returns, for factories (`(db) => ({ findById })`).
    pub returns_object: Option<u32>,
    /// Reads a module-level cache before it queries: repeated calls do not repeat the query.
    pub memoized: bool,
    /// The function's bytes.
    pub range: (usize, usize),
}

/// An entry point of the file: a function a platform calls (a route handler, a resolver, a
/// job), named or inline, with its bytes.
#[derive(Debug, Clone)]
pub struct EntryFact {
    pub entry: Entry,
    pub range: (usize, usize),
    pub line: u32,
}

#[derive(Debug, Clone, Default)]
pub struct ClassFacts {
    pub name: String,
    /// Where the class node starts, as typed receivers name it ([`Condition::TypedReceiver`]).
    pub start: usize,
    pub methods: Vec<(String, u32)>,
    pub extends: Option<Entity>,
    /// The data-layer handle its `extends` clause names outright (`extends PrismaClient`,
    /// `extends Repository<User>`).
    pub handle: Option<Handle>,
    /// Fields, constructor parameter properties and `this.x = new X()` assignments: what each
    /// holds, by its declared type or constructor.
    pub fields: Vec<FieldFacts>,
    /// The interfaces its `implements` clause names (`IUserStore`), by name.
    pub implements: Vec<String>,
}

/// A class field and what its type says it holds.
#[derive(Debug, Clone)]
pub struct FieldFacts {
    pub name: String,
    /// The class (or import) its type or constructor names.
    pub entity: Option<Entity>,
    /// The handle its type names outright (`PrismaService`, `Repository<User>`).
    pub handle: Option<Handle>,
}

#[derive(Debug, Clone, Default)]
pub struct ObjectFacts {
    pub members: Vec<(String, Entity)>,
}

/// Everything the project index needs of one file.
#[derive(Debug, Clone, Default)]
pub struct FileFacts {
    pub functions: Vec<FnFacts>,
    pub classes: Vec<ClassFacts>,
    pub objects: Vec<ObjectFacts>,
    pub exports: Vec<(String, Entity)>,
    /// Calls at module level (not in any function), which may still run in a loop.
    pub module_calls: Vec<CallFact>,
    /// The file's entry points, in the order the walk entered them (outer before inner).
    pub entries: Vec<EntryFact>,
    /// The whole file is a script or a test: every call in it starts there.
    pub file_kind: Option<EntryKind>,
}

impl FileFacts {
    /// The call at bytes `site`.
    pub fn call_at(&self, site: (usize, usize)) -> Option<&CallFact> {
        self.functions
            .iter()
            .flat_map(|f| &f.calls)
            .chain(&self.module_calls)
            .find(|c| c.site == site)
    }

    /// Whether nothing in the file can be called or imported: its facts need not be kept.
    pub fn is_empty(&self) -> bool {
        self.functions.is_empty()
            && self.exports.is_empty()
            && (self.module_calls.is_empty()
                || (self.entries.is_empty() && self.file_kind.is_none()))
    }

    /// The innermost function that holds byte `at`.
    pub fn function_at(&self, at: usize) -> Option<u32> {
        let mut best: Option<(u32, usize)> = None;
        for (i, f) in self.functions.iter().enumerate() {
            let (start, end) = f.range;
            if start <= at && at < end && best.is_none_or(|(_, len)| end - start < len) {
                best = Some((i as u32, end - start));
            }
        }
        best.map(|(i, _)| i)
    }

    /// The innermost entry point that holds byte `at`.
    pub fn entry_at(&self, at: usize) -> Option<&EntryFact> {
        self.entries
            .iter()
            .filter(|e| e.range.0 <= at && at < e.range.1)
            .min_by_key(|e| e.range.1 - e.range.0)
    }
}

/// How a call names its callee, before bindings are resolved.
#[derive(Debug, Clone)]
enum Callee {
    /// `f(...)`: the reference's start.
    Name(usize),
    /// `x.m(...)`
    Member(usize, String),
    /// `this.m(...)`
    This(String),
    /// `this.field.m(...)`
    ThisField(String, String),
}

struct FnDraft {
    range: Range<usize>,
    node_id: usize,
    name: String,
    line: u32,
    parent: Option<u32>,
    returns_object: Option<usize>,
    memoized: bool,
}

struct ClassDraft<'t> {
    node_start: usize,
    name: String,
    methods: Vec<(String, u32)>,
    /// Field name -> the type or constructor name it holds (wrappers like `Pick<T, K>` looked
    /// through).
    fields: Vec<(String, String)>,
    /// Field name -> the handle its type names outright.
    field_handles: Vec<(String, Handle)>,
    extends: Option<&'t str>,
    handle: Option<Handle>,
    implements: Vec<String>,
}

enum MemberDraft {
    Fn(u32),
    /// A name: `{ find }`, `{ find: findUser }`.
    Ref(usize),
}

struct ObjectDraft {
    start: usize,
    /// What the object is known by in messages: `userDal`, `makeUserDal()`.
    name: Option<String>,
    members: Vec<(String, MemberDraft)>,
}

struct QueryDraft {
    owner: Option<u32>,
    range: Range<usize>,
    fact: QueryFact,
}

struct CallDraft {
    owner: Option<u32>,
    class: Option<u32>,
    callee: Callee,
    args: Vec<Range<usize>>,
    line: u32,
    site: (usize, usize),
    guarded: bool,
}

/// Gathers a file's bindings and facts during the analysis walk.
pub struct Collector<'t> {
    src: &'t str,
    pub bindings: Builder<'t>,
    functions: Vec<FnDraft>,
    /// Open owner functions, innermost last, by node id.
    owners: Vec<(usize, u32)>,
    classes: Vec<ClassDraft<'t>>,
    open_classes: Vec<(usize, u32)>,
    objects: Vec<ObjectDraft>,
    objects_by_start: HashMap<usize, u32>,
    queries: Vec<QueryDraft>,
    calls: Vec<CallDraft>,
    /// Module-level collections read with `.get`/`.has` inside a function: (owner, name start).
    cache_reads: Vec<(u32, usize)>,
    entries: Vec<EntryFact>,
}

impl<'t> Collector<'t> {
    pub fn new(src: &'t str) -> Self {
        Collector {
            src,
            bindings: Builder::new(src),
            functions: Vec::new(),
            owners: Vec::new(),
            classes: Vec::new(),
            open_classes: Vec::new(),
            objects: Vec::new(),
            objects_by_start: HashMap::new(),
            queries: Vec::new(),
            calls: Vec::new(),
            cache_reads: Vec::new(),
            entries: Vec::new(),
        }
    }

    fn text(&self, node: Node) -> &'t str {
        self.src.get(node.byte_range()).unwrap_or("")
    }

    fn owner(&self) -> Option<u32> {
        self.owners.last().map(|(_, f)| *f)
    }

    fn class(&self) -> Option<u32> {
        self.open_classes.last().map(|(_, c)| *c)
    }

    /// Called for every named node, after the walk's own frame bookkeeping.
    pub fn enter(&mut self, node: Node<'t>, field: Option<&str>, cx: &FileCx<'t>) {
        let parent = cx.parent();
        self.bindings.enter(node, field, parent);
        let kind = node.k();
        if is_function(kind) {
            if let Some(entry) = crate::analysis::entry::classify(node, cx) {
                self.entries.push(EntryFact {
                    entry,
                    range: (node.start_byte(), node.end_byte()),
                    line: node.start_position().row as u32 + 1,
                });
            }
            self.function(node, cx);
        } else if is_class(kind) {
            self.class_node(node, cx);
        } else if kind == "call_expression" {
            self.call(node, cx);
        } else if kind == "object" {
            self.object(node, cx);
        } else if kind == "assignment_expression" {
            self.this_assignment(node);
        } else if kind == "public_field_definition" {
            self.field_initializer(node);
        }
    }

    pub fn leave(&mut self, node: Node<'t>) {
        self.bindings.leave(node);
        if self.owners.last().is_some_and(|(id, _)| *id == node.id()) {
            self.owners.pop();
        }
        if self
            .open_classes
            .last()
            .is_some_and(|(id, _)| *id == node.id())
        {
            self.open_classes.pop();
        }
    }

    /// The name a function is known by, if it is a named one (not an inline callback), and the
    /// object literal it is a member of.
    fn function_name(&self, node: Node<'t>, cx: &FileCx<'t>) -> Option<(String, Option<u32>)> {
        if let Some(name) = node
            .field("name")
            .filter(|_| node.k() != "function_expression")
        {
            let name = self.text(name).to_string();
            let parent = cx.parent();
            if node.k() == "method_definition" {
                if let Some(object) = parent.filter(|p| p.k() == "object") {
                    return Some((
                        name,
                        self.objects_by_start.get(&object.start_byte()).copied(),
                    ));
                }
            }
            return Some((name, None));
        }
        let parent = cx.parent()?;
        match parent.k() {
            "variable_declarator" => {
                let name = parent.field("name").filter(|n| n.k() == "identifier")?;
                Some((self.text(name).to_string(), None))
            }
            "pair" => {
                let key = parent.field("key")?;
                let object = cx.ancestors.get(cx.ancestors.len().checked_sub(2)?)?;
                let object = self.objects_by_start.get(&object.start_byte()).copied();
                Some((self.text(key).trim_matches(['"', '\'']).to_string(), object))
            }
            "public_field_definition" => {
                let name = parent.field("name")?;
                Some((self.text(name).to_string(), None))
            }
            "assignment_expression" => {
                let left = self.text(parent.field("left")?);
                let name = left.rsplit('.').next()?;
                Some((name.to_string(), None))
            }
            "export_statement" => Some(("default".to_string(), None)),
            _ => None,
        }
    }

    fn function(&mut self, node: Node<'t>, cx: &FileCx<'t>) {
        let Some((name, object)) = self.function_name(node, cx) else {
            return;
        };
        let class = self.class().filter(|_| {
            matches!(node.k(), "method_definition")
                || cx
                    .parent()
                    .is_some_and(|p| p.k() == "public_field_definition")
        });
        let shown = match (class, object) {
            (Some(c), _) => format!("{}.{name}", self.classes[c as usize].name),
            (None, Some(o)) => match &self.objects[o as usize].name {
                Some(object) => format!("{object}.{name}"),
                None => name.clone(),
            },
            _ => name.clone(),
        };
        let id = self.functions.len() as u32;
        // `(db) => ({ ... })`: a factory of an object of functions.
        let returns_object = node
            .field("body")
            .map(unwrap_expression)
            .filter(|b| b.k() == "object")
            .map(|b| b.start_byte());
        self.functions.push(FnDraft {
            range: node.byte_range(),
            node_id: node.id(),
            name: shown,
            line: node.start_position().row as u32 + 1,
            parent: self.owner(),
            returns_object,
            memoized: false,
        });
        self.owners.push((node.id(), id));
        if let Some(c) = class {
            self.classes[c as usize].methods.push((name.clone(), id));
        }
        if let Some(o) = object {
            self.objects[o as usize]
                .members
                .push((name, MemberDraft::Fn(id)));
        }
    }

    fn class_node(&mut self, node: Node<'t>, cx: &FileCx<'t>) {
        let name = node
            .field("name")
            .map(|n| self.text(n).to_string())
            .or_else(|| {
                let parent = cx.parent()?;
                (parent.k() == "variable_declarator")
                    .then(|| parent.field("name").map(|n| self.text(n).to_string()))
                    .flatten()
            })
            .unwrap_or_else(|| "default".to_string());
        let mut fields = Vec::new();
        let mut field_handles = Vec::new();
        if let Some(Frame::Class { typed_fields, .. }) = cx.frames.last() {
            for (field, ty) in typed_fields {
                let ty = ty.trim().trim_start_matches(':');
                if let Some(handle) = Handle::named_in(ty, cx) {
                    field_handles.push((field.clone(), handle));
                }
                let subject = type_subject(ty);
                if !leading_name(subject).is_empty() {
                    fields.push((field.clone(), subject.to_string()));
                }
            }
        }
        let mut cursor = node.walk();
        let clause = node
            .named_children(&mut cursor)
            .find(|c| c.k() == "class_heritage")
            .and_then(|h| {
                let mut inner = h.walk();
                let clause = h
                    .named_children(&mut inner)
                    .find(|c| c.k() == "extends_clause");
                clause
            });
        let extends = clause.and_then(|c| c.field("value")).map(|v| self.text(v));
        let implements = implemented_names(node, self.src);
        // `extends Repository<User>`: the type arguments are beside the value.
        let handle = clause.and_then(|c| {
            Handle::named_in(self.text(c).trim_start_matches("extends").trim_start(), cx)
        });
        let id = self.classes.len() as u32;
        self.classes.push(ClassDraft {
            node_start: node.start_byte(),
            name,
            methods: Vec::new(),
            fields,
            field_handles,
            extends,
            handle,
            implements,
        });
        self.open_classes.push((node.id(), id));
    }

    /// `this.repo = new UserRepo(db)` in a constructor.
    fn this_assignment(&mut self, node: Node<'t>) {
        let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else {
            return;
        };
        let Some(class) = self.class() else { return };
        if left.k() != "member_expression" || left.field("object").is_none_or(|o| o.k() != "this") {
            return;
        }
        let Some(field) = left.field("property").map(|p| self.text(p).to_string()) else {
            return;
        };
        if let Some(ctor) = constructed_name(unwrap_expression(right), self.src) {
            self.classes[class as usize]
                .fields
                .push((field, ctor.to_string()));
        }
    }

    /// `private repo = new UserRepo()`.
    fn field_initializer(&mut self, node: Node<'t>) {
        let Some(class) = self.class() else { return };
        let (Some(name), Some(value)) = (node.field("name"), node.field("value")) else {
            return;
        };
        if let Some(ctor) = constructed_name(unwrap_expression(value), self.src) {
            let field = self.text(name).to_string();
            self.classes[class as usize]
                .fields
                .push((field, ctor.to_string()));
        }
    }

    /// Object literals that may be a module's or a factory's set of functions.
    fn object(&mut self, node: Node<'t>, cx: &FileCx<'t>) {
        // `() => ({ ... })`: look through the parentheses.
        let Some(parent) = cx
            .ancestors
            .iter()
            .rev()
            .find(|a| a.k() != "parenthesized_expression")
            .copied()
        else {
            return;
        };
        let holds = match parent.k() {
            "variable_declarator" | "return_statement" | "export_statement" | "arrow_function" => {
                true
            }
            "assignment_expression" => parent.field("left").is_some_and(|l| {
                self.text(l).starts_with("module.exports") || self.text(l).starts_with("exports.")
            }),
            _ => false,
        };
        if !holds {
            return;
        }
        let mut members = Vec::new();
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            match child.k() {
                "shorthand_property_identifier" => {
                    members.push((
                        self.text(child).to_string(),
                        MemberDraft::Ref(child.start_byte()),
                    ));
                }
                "pair" => {
                    let (Some(key), Some(value)) = (child.field("key"), child.field("value"))
                    else {
                        continue;
                    };
                    let value = unwrap_expression(value);
                    if value.k() == "identifier" {
                        let key = self.text(key).trim_matches(['"', '\'']).to_string();
                        members.push((key, MemberDraft::Ref(value.start_byte())));
                    }
                }
                _ => {}
            }
        }
        let name = match parent.k() {
            "variable_declarator" => parent
                .field("name")
                .filter(|n| n.k() == "identifier")
                .map(|n| self.text(n).to_string()),
            "return_statement" | "arrow_function" => self
                .owner()
                .map(|o| format!("{}()", self.functions[o as usize].name)),
            _ => None,
        };
        let id = self.objects.len() as u32;
        self.objects.push(ObjectDraft {
            start: node.start_byte(),
            name,
            members,
        });
        self.objects_by_start.insert(node.start_byte(), id);
        // `function make() { return { ... } }`
        if parent.k() == "return_statement" {
            if let Some(owner) = self.owner() {
                let draft = &mut self.functions[owner as usize];
                if draft.returns_object.is_none() {
                    draft.returns_object = Some(node.start_byte());
                }
            }
        }
    }

    fn call(&mut self, node: Node<'t>, cx: &FileCx<'t>) {
        let store = || {
            node.field("function")
                .and_then(|f| f.field("property"))
                .is_some_and(|p| crate::analysis::stores::is_store_method(self.text(p)))
                && crate::analysis::stores::uses_stores(cx)
        };
        let query = (may_be_query(node, self.src) || store())
            .then(|| recognize(node, cx))
            .flatten();
        if let Some(query) = query {
            self.queries.push(QueryDraft {
                owner: self.owner(),
                range: node.byte_range(),
                fact: QueryFact {
                    callee: query.callee,
                    line: node.start_position().row as u32 + 1,
                    is_write: query.is_write,
                    deps: 0,
                    conditions: query.conditions,
                    guarded: guarded(node, cx),
                },
            });
            // `this.users.findOne(...)` with `users` of a project's own type: also a call of
            // its method, in case the type is not a data-layer handle.
            let typed = self.queries.last().is_some_and(|q| {
                q.fact
                    .conditions
                    .iter()
                    .any(|c| matches!(c, Condition::TypedReceiver { .. }))
            });
            if !typed {
                return;
            }
        }
        let Some(function) = node.field("function") else {
            return;
        };
        let Some(arguments) = node.field("arguments").filter(|a| a.k() == "arguments") else {
            return;
        };
        let callee = match function.k() {
            "identifier" => Callee::Name(function.start_byte()),
            "member_expression" => {
                let (Some(object), Some(property)) =
                    (function.field("object"), function.field("property"))
                else {
                    return;
                };
                let method = self.text(property).to_string();
                let object = unwrap_expression(object);
                match object.k() {
                    "identifier" => {
                        if matches!(method.as_str(), "get" | "has") {
                            if let Some(owner) = self.owner() {
                                self.cache_reads.push((owner, object.start_byte()));
                            }
                        }
                        Callee::Member(object.start_byte(), method)
                    }
                    "this" => Callee::This(method),
                    "member_expression" => {
                        let inner = object.field("object");
                        match (inner, object.field("property")) {
                            (Some(t), Some(field)) if t.k() == "this" => {
                                Callee::ThisField(self.text(field).to_string(), method)
                            }
                            _ => return,
                        }
                    }
                    _ => return,
                }
            }
            _ => return,
        };
        let mut cursor = arguments.walk();
        let args = arguments
            .named_children(&mut cursor)
            .filter(|a| a.k() != "comment")
            .take(MAX_PARAMS)
            .map(|a| a.byte_range())
            .collect();
        self.calls.push(CallDraft {
            owner: self.owner(),
            class: self.class(),
            callee,
            args,
            line: node.start_position().row as u32 + 1,
            site: (node.start_byte(), node.end_byte()),
            guarded: guarded(node, cx),
        });
    }

    /// Resolves the drafts through the file's bindings.
    pub fn finish(self) -> FileFacts {
        let Collector {
            bindings,
            functions,
            classes,
            objects,
            queries,
            calls,
            cache_reads,
            src,
            entries,
            ..
        } = self;
        let bindings = bindings.finish();
        let fn_by_node: HashMap<usize, u32> = functions
            .iter()
            .enumerate()
            .map(|(i, f)| (f.range.start, i as u32))
            .collect();
        let class_by_start: HashMap<usize, u32> = classes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.node_start, i as u32))
            .collect();
        let object_by_start: HashMap<usize, u32> = objects
            .iter()
            .enumerate()
            .map(|(i, o)| (o.start, i as u32))
            .collect();
        let resolver = Resolver {
            src,
            bindings: &bindings,
            fn_by_node: &fn_by_node,
            class_by_start: &class_by_start,
            object_by_start: &object_by_start,
        };
        let deps = Deps::new(&bindings, &functions);

        let summaries = functions
            .iter()
            .map(|f| FnFacts {
                name: f.name.clone(),
                line: f.line,
                queries: Vec::new(),
                calls: Vec::new(),
                returns_object: f
                    .returns_object
                    .and_then(|s| object_by_start.get(&s).copied()),
                memoized: f.memoized,
                range: (f.range.start, f.range.end),
            })
            .collect();
        let mut out = FileFacts {
            functions: summaries,
            entries,
            ..FileFacts::default()
        };
        for (owner, name_start) in cache_reads {
            let holds_cache = bindings
                .reference_at(name_start)
                .and_then(|r| r.symbol)
                .map(|s| bindings.symbol(s))
                .is_some_and(|s| {
                    s.scope == 0
                        && s.value.is_some_and(|v| {
                            let text = src.get(v.byte_range()).unwrap_or("");
                            [
                                "new Map",
                                "new LRU",
                                "new QuickLRU",
                                "new NodeCache",
                                "new WeakMap",
                            ]
                            .iter()
                            .any(|m| text.starts_with(m))
                        })
                });
            if holds_cache {
                out.functions[owner as usize].memoized = true;
            }
        }
        for q in queries {
            let mut fact = q.fact;
            if let Some(owner) = q.owner {
                fact.deps = deps.of_range(q.range, owner);
                out.functions[owner as usize].queries.push(fact);
            }
        }
        for c in calls {
            let Some(target) = resolver.callee(&c.callee, c.class, &classes) else {
                continue;
            };
            let args = c
                .args
                .iter()
                .map(|r| c.owner.map_or(0, |o| deps.of_range(r.clone(), o)))
                .collect();
            let fact = CallFact {
                target,
                args,
                line: c.line,
                site: c.site,
                guarded: c.guarded,
            };
            match c.owner {
                Some(owner) => out.functions[owner as usize].calls.push(fact),
                None => out.module_calls.push(fact),
            }
        }
        out.classes = classes
            .iter()
            .map(|c| ClassFacts {
                name: c.name.clone(),
                start: c.node_start,
                methods: c.methods.clone(),
                extends: c.extends.and_then(|e| resolver.type_entity(e, 0)),
                handle: c.handle,
                implements: c.implements.clone(),
                fields: c
                    .fields
                    .iter()
                    .map(|(name, ty)| FieldFacts {
                        name: name.clone(),
                        entity: resolver.type_entity(ty, 0),
                        handle: c
                            .field_handles
                            .iter()
                            .find(|(f, _)| f == name)
                            .map(|(_, h)| *h),
                    })
                    .collect(),
            })
            .collect();
        out.objects = objects
            .iter()
            .map(|o| ObjectFacts {
                members: o
                    .members
                    .iter()
                    .filter_map(|(key, m)| {
                        let entity = match m {
                            MemberDraft::Fn(f) => Entity::Fn(*f),
                            MemberDraft::Ref(start) => {
                                let symbol = bindings.reference_at(*start)?.symbol?;
                                resolver.entity_of(symbol, 0)?
                            }
                        };
                        Some((key.clone(), entity))
                    })
                    .collect(),
            })
            .collect();
        for export in &bindings.exports {
            let entity = match &export.kind {
                ExportKind::Local(name) => bindings
                    .module_symbol(name)
                    .and_then(|s| resolver.entity_of(s, 0)),
                ExportKind::Value(start) => resolver.entity_at(*start),
                ExportKind::ReExport(from) => Some(Entity::Import(from.clone())),
                ExportKind::Star(specifier) => Some(Entity::Star(specifier.clone())),
            };
            if let Some(entity) = entity {
                out.exports.push((export.name.clone(), entity));
            }
        }
        out
    }
}

/// The method names of every data layer's queries (`findMany`, `where`, `execute`...).
fn query_methods() -> &'static std::collections::HashSet<&'static str> {
    use crate::analysis::{orm, prisma, sql};
    static METHODS: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    METHODS.get_or_init(|| {
        [
            prisma::OPERATION_NEEDLES,
            orm::ORM_NEEDLES,
            orm::OTHER_LAYER_NEEDLES,
            orm::KNEX_NEEDLES,
            sql::SQL_NEEDLES,
        ]
        .into_iter()
        .flatten()
        .filter_map(|n| n.strip_prefix('.')?.strip_suffix('('))
        .collect()
    })
}

/// A cheap look before the recognisers: a tagged template, a call whose chain has a method
/// some data layer's queries end in, or a Knex-style call of a table. Most calls are neither.
fn may_be_query(node: Node, src: &str) -> bool {
    if node
        .field("arguments")
        .is_some_and(|a| a.k() == "template_string")
    {
        return true;
    }
    let methods = query_methods();
    let mut current = node;
    for _ in 0..32 {
        let Some(function) = current.field("function") else {
            return false;
        };
        match function.k() {
            "member_expression" => {
                let method = function
                    .field("property")
                    .map_or("", |p| &src[p.byte_range()]);
                if methods.contains(method) || method.starts_with("$") {
                    return true;
                }
                match function.field("object").map(unwrap_expression) {
                    Some(object) if object.k() == "call_expression" => current = object,
                    _ => return false,
                }
            }
            // `knex('users')`, `trx('t')`, `db(TableName.X)`
            _ => return current.id() != node.id() || src[function.byte_range()].contains("nex"),
        }
    }
    false
}

/// `new UserRepo(...)` -> `UserRepo`.
fn constructed_name<'s>(value: Node, src: &'s str) -> Option<&'s str> {
    if value.k() != "new_expression" {
        return None;
    }
    let ctor = value.field("constructor")?;
    (ctor.k() == "identifier")
        .then(|| src.get(ctor.byte_range()))
        .flatten()
}

/// `Readonly<UserRepo>` is not unwrapped; `UserRepo<T>` -> `UserRepo`; `ns.Repo` -> `ns.Repo`.
fn leading_name(ty: &str) -> &str {
    let ty = ty.trim();
    let end = ty
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$' || c == '.'))
        .unwrap_or(ty.len());
    &ty[..end]
}

/// Which parameters of a function a range of its code uses.
struct Deps {
    /// Per symbol: (owner function, parameters it carries).
    of_symbol: Vec<Option<(u32, u64)>>,
    references: Vec<(usize, Option<SymbolId>)>,
}

impl Deps {
    fn new(bindings: &Bindings, functions: &[FnDraft]) -> Deps {
        let owner_of_node: HashMap<usize, u32> = functions
            .iter()
            .enumerate()
            .map(|(i, f)| (f.node_id, i as u32))
            .collect();
        let references: Vec<(usize, Option<SymbolId>)> = bindings
            .references
            .iter()
            .map(|r| (r.span.start, r.symbol))
            .collect();
        let owner_at = OwnerAt::new(functions);
        let mut of_symbol: Vec<Option<(u32, u64)>> = vec![None; bindings.symbols.len()];
        // Declaration order: a name's value can only use names declared before it.
        for (id, symbol) in bindings.symbols.iter().enumerate() {
            if let Some((function, index)) = symbol.param {
                if let Some(owner) = owner_of_node.get(&function) {
                    let bit = if index < MAX_PARAMS { 1u64 << index } else { 0 };
                    of_symbol[id] = Some((*owner, bit));
                    continue;
                }
            }
            if !matches!(
                symbol.kind,
                SymbolKind::Const | SymbolKind::Let | SymbolKind::Var
            ) {
                continue;
            }
            let Some(owner) = owner_at.at(symbol.span.start) else {
                continue;
            };
            let Some(value) = symbol.value else { continue };
            let mask = mask_in(&references, &of_symbol, value.byte_range(), owner);
            of_symbol[id] = Some((owner, mask));
        }
        Deps {
            of_symbol,
            references,
        }
    }

    fn of_range(&self, range: Range<usize>, owner: u32) -> u64 {
        mask_in(&self.references, &self.of_symbol, range, owner)
    }
}

fn mask_in(
    references: &[(usize, Option<SymbolId>)],
    of_symbol: &[Option<(u32, u64)>],
    range: Range<usize>,
    owner: u32,
) -> u64 {
    let from = references.partition_point(|(at, _)| *at < range.start);
    let mut mask = 0;
    for (at, symbol) in &references[from..] {
        if *at >= range.end {
            break;
        }
        if let Some(Some((o, m))) = symbol.map(|s| of_symbol[s as usize]) {
            if o == owner {
                mask |= m;
            }
        }
    }
    mask
}

/// The innermost owner function around a byte offset.
struct OwnerAt {
    /// (start, end, parent) by function index, in document order of start.
    ranges: Vec<(usize, usize, Option<u32>)>,
}

impl OwnerAt {
    fn new(functions: &[FnDraft]) -> Self {
        OwnerAt {
            ranges: functions
                .iter()
                .map(|f| (f.range.start, f.range.end, f.parent))
                .collect(),
        }
    }

    fn at(&self, offset: usize) -> Option<u32> {
        let after = self
            .ranges
            .partition_point(|(start, _, _)| *start <= offset);
        let mut candidate = after.checked_sub(1).map(|i| i as u32);
        // Walk out through the enclosing owners until one holds the offset.
        for _ in 0..256 {
            let c = candidate?;
            let (start, end, parent) = self.ranges[c as usize];
            if start <= offset && offset < end {
                return Some(c);
            }
            candidate = parent;
        }
        None
    }
}

/// Turns names into entities through the file's bindings.
struct Resolver<'a, 't> {
    src: &'t str,
    bindings: &'a Bindings<'t>,
    fn_by_node: &'a HashMap<usize, u32>,
    class_by_start: &'a HashMap<usize, u32>,
    object_by_start: &'a HashMap<usize, u32>,
}

/// How many aliases (`const a = b`, type aliases) are followed.
const MAX_ALIASES: usize = 8;

impl Resolver<'_, '_> {
    /// The entity a node that starts at `start` is: a function, class or object literal.
    fn entity_at(&self, start: usize) -> Option<Entity> {
        self.fn_by_node
            .get(&start)
            .map(|f| Entity::Fn(*f))
            .or_else(|| self.class_by_start.get(&start).map(|c| Entity::Class(*c)))
            .or_else(|| self.object_by_start.get(&start).map(|o| Entity::Object(*o)))
    }

    /// What a symbol holds, as far as this file tells.
    fn entity_of(&self, symbol: SymbolId, depth: usize) -> Option<Entity> {
        if depth > MAX_ALIASES {
            return None;
        }
        let s = self.bindings.symbol(symbol);
        if let Some(from) = &s.import {
            return Some(Entity::Import(from.clone()));
        }
        if let Some(value) = s.value {
            if let Some(entity) = self.entity_at(value.start_byte()) {
                return Some(entity);
            }
            match value.k() {
                "identifier" => {
                    let name = self.src.get(value.byte_range())?;
                    let next = self.bindings.lookup(name, s.scope)?;
                    if next != symbol {
                        return self.entity_of(next, depth + 1);
                    }
                }
                "new_expression" => {
                    let name = constructed_name(value, self.src)?;
                    let class = self.type_entity_in(name, s.scope, depth + 1)?;
                    return Some(Entity::Instance(Box::new(class)));
                }
                "call_expression" => {
                    let function = value.field("function")?;
                    if function.k() == "identifier" {
                        let name = self.src.get(function.byte_range())?;
                        let factory = self.bindings.lookup(name, s.scope)?;
                        let base = self.entity_of(factory, depth + 1)?;
                        return Some(Entity::Returned(Box::new(base)));
                    }
                }
                _ => {}
            }
        }
        if let Some(ty) = s.type_text {
            let class = self.type_entity_in(ty, s.scope, depth + 1)?;
            return Some(Entity::Instance(Box::new(class)));
        }
        None
    }

    /// A type (or constructor) name seen from module scope.
    fn type_entity(&self, ty: &str, depth: usize) -> Option<Entity> {
        self.type_entity_in(ty, 0, depth)
    }

    fn type_entity_in(&self, ty: &str, scope: u32, depth: usize) -> Option<Entity> {
        if depth > MAX_ALIASES {
            return None;
        }
        let name = leading_name(ty);
        if name.is_empty() || name.contains('.') {
            return None;
        }
        let symbol = self.bindings.lookup(name, scope)?;
        let s = self.bindings.symbol(symbol);
        match s.kind {
            SymbolKind::Class => s.value.and_then(|v| self.entity_at(v.start_byte())),
            SymbolKind::Import => s.import.clone().map(Entity::Import),
            SymbolKind::Type => self.type_entity_in(s.type_text?, 0, depth + 1),
            _ => None,
        }
    }

    fn callee(
        &self,
        callee: &Callee,
        class: Option<u32>,
        classes: &[ClassDraft],
    ) -> Option<Target> {
        let from_reference = |start: usize| -> Option<Entity> {
            let symbol = self.bindings.reference_at(start)?.symbol?;
            self.entity_of(symbol, 0)
        };
        match callee {
            Callee::Name(start) => Some(Target {
                base: from_reference(*start)?,
                member: None,
            }),
            Callee::Member(start, method) => Some(Target {
                base: from_reference(*start)?,
                member: Some(method.clone()),
            }),
            Callee::This(method) => Some(Target {
                base: Entity::Class(class?),
                member: Some(method.clone()),
            }),
            Callee::ThisField(field, method) => {
                let draft = &classes[class? as usize];
                let (_, ty) = draft.fields.iter().rev().find(|(f, _)| f == field)?;
                Some(Target {
                    base: Entity::Instance(Box::new(self.type_entity(ty, 0)?)),
                    member: Some(method.clone()),
                })
            }
        }
    }
}

/// The interface names of a class's `implements` clause: `IUserStore` in
/// `class UserStore extends Base implements IUserStore, Disposable`.
fn implemented_names(class: Node, src: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor = class.walk();
    let Some(heritage) = class
        .named_children(&mut cursor)
        .find(|c| c.k() == "class_heritage")
    else {
        return out;
    };
    let mut inner = heritage.walk();
    for clause in heritage.named_children(&mut inner) {
        if clause.k() != "implements_clause" {
            continue;
        }
        let mut types = clause.walk();
        for ty in clause.named_children(&mut types) {
            let text = src.get(ty.byte_range()).unwrap_or("");
            let name = text.split('<').next().unwrap_or(text).trim();
            if !name.is_empty() && !name.contains(['.', ' ']) {
                out.push(name.to_string());
            }
        }
    }
    out
}

/// How many enclosing nodes [`guarded`] looks through before it gives up (not guarded).
const GUARD_DEPTH: usize = 64;

/// Whether `node` runs for some calls of its function only: it sits in a branch (`if`, `switch`,
/// a ternary, the right of `&&`/`||`/`??`, a `catch`) or after an `if (...) return x.loaded;`
/// of a block around it, within the innermost function. Walks the ancestors the analysis keeps.
pub fn guarded(node: Node, cx: &FileCx) -> bool {
    let mut child = node;
    // Bounded: 50,000 nested calls must not cost 50,000 steps each.
    for &n in cx.ancestors.iter().rev().take(GUARD_DEPTH) {
        if crate::analysis::syntax::is_function(n.k()) {
            break;
        }
        let branch = crate::analysis::syntax::is_branch(n, child)
            || (n.k() == "statement_block" && returns_early_before(n, child));
        if branch {
            return true;
        }
        child = n;
    }
    false
}

/// Whether a statement of `block` before `child` is an `if` that returns data the caller
/// passed in (`if (entity.name) return entity.name;`, `return parent[field]`): the query below is
/// a fallback for data not loaded yet. Guards on input (`if (!id) return null;`, `throw`) are
/// not: the query still runs on every real call.
fn returns_early_before(block: Node, child: Node) -> bool {
    let leaves = |n: Node| {
        n.kind() == "return_statement"
            && n.named_child(0)
                .map(unwrap_expression)
                .is_some_and(|v| matches!(v.kind(), "member_expression" | "subscript_expression"))
    };
    crate::analysis::syntax::if_before_leaves(block, child, leaves)
}
