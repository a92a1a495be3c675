//! The project index: every parsed file's facts, linked through their imports and exports, and
//! the summary of each function computed bottom-up over the call graph to a fixed point.
//!
//! A summary says which parameters of a function end up in the filter of a query it sends,
//! directly or through the functions it calls (in this file or another, through imports,
//! re-exports, barrels, class methods, instances and factories). Recursion needs no special case:
//! the fixed point is reached when no summary grows, and summaries only grow (at most 128 bits
//! per function), so it is reached in a bounded number of rounds.

use super::facts::{FieldFacts, FileFacts, MAX_PARAMS};
use crate::analysis::entry::EntryKind;
use crate::analysis::refs::{Entity, ImportFrom, Imported, Target};
use crate::analysis::{Condition, Handle};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A function: (file, function) indices.
pub type FnId = (u32, u32);

/// How many re-exports, aliases, base classes or chain links are followed.
const MAX_DEPTH: usize = 8;
/// How many rounds the fixed point may take (each is linear in the number of calls).
const MAX_ROUNDS: usize = 64;

/// Why a summary bit is set.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// The function's own query, by index.
    Query(u32),
    /// A call passes the parameter to `callee`'s parameter `bit`; whether that call is
    /// guarded ([`crate::semantic::facts::CallFact::guarded`]).
    Call(FnId, u8, bool),
}

#[derive(Debug, Clone, Default)]
struct Summary {
    /// Parameters that reach the filter of a read.
    reads: u64,
    /// Parameters that reach a write.
    writes: u64,
    /// (write?, bit) -> why.
    why: Vec<(bool, u8, Step)>,
}

/// What an entity resolves to across files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resolved {
    Fn(FnId),
    Class(u32, u32),
    Object(u32, u32),
    /// What calling the function returns.
    Returned(FnId),
    Module(u32),
}

/// One step of an N+1 chain: a function and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainStep {
    pub name: String,
    pub path: PathBuf,
    pub line: u32,
}

/// The query a call leads to, and the functions in between.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// The called function first, then each function it calls on the way to the query.
    pub steps: Vec<ChainStep>,
    pub query: String,
    pub query_path: PathBuf,
    pub query_line: u32,
    pub is_write: bool,
    /// The query, or a call on the way to it, runs for some calls only (a fallback after
    /// `if (x.loaded) return x.loaded`, a branch): how often it runs is not known.
    pub guarded: bool,
}

/// Every parsed file's facts, linked.
pub struct Index {
    files: Vec<(PathBuf, FileFacts)>,
    by_path: HashMap<PathBuf, u32>,
    summaries: Vec<Vec<Summary>>,
    /// Per file, function and call: the function it calls, where known.
    callees: Vec<Vec<Vec<Option<FnId>>>>,
    /// (importer's folder, specifier) -> file.
    resolved_specifiers: RefCell<HashMap<(PathBuf, String), Option<u32>>>,
    /// Export lookups left for the current resolution: barrels of barrels fan out.
    budget: std::cell::Cell<u32>,
    /// While set, imports of files that are not indexed are noted in `gaps`.
    noting_gaps: std::cell::Cell<bool>,
    gaps: RefCell<Vec<(PathBuf, String)>>,
    /// Interface name -> the classes that implement it (`implements IUserStore`).
    implementers: HashMap<String, Vec<(u32, u32)>>,
    /// Callee -> its call sites (file, the call's first byte, the calling function), built the
    /// first time a finding asks where it runs.
    callers: std::cell::OnceCell<Callers>,
}

/// Callee -> (file, the call's first byte, the calling function, `None` at module level).
type Callers = HashMap<FnId, Vec<(u32, usize, Option<u32>)>>;

/// An entry point that reaches a finding, and how many calls away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    pub kind: EntryKind,
    pub name: String,
    pub path: PathBuf,
    pub line: u32,
    pub hops: u32,
}

/// Where a finding runs: the entry points found above it (requests first, then jobs, scripts and
/// tests; nearest first within each), and whether every
/// path up the call graph ended at one (`complete`); a function whose callers are not known
/// (exported, called from a file not indexed, or past the search's bounds) leaves it open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reached {
    pub entries: Vec<Reach>,
    pub complete: bool,
}

/// Function names so common that a file which mentions one tells nothing about its callers.
const GENERIC_NAMES: &[&str] = &[
    "apply",
    "call",
    "create",
    "default",
    "delete",
    "exec",
    "execute",
    "find",
    "findAll",
    "findMany",
    "findOne",
    "handle",
    "handler",
    "init",
    "list",
    "main",
    "process",
    "query",
    "remove",
    "save",
    "then",
    "update",
    "constructor",
    "bind",
    "render",
    "start",
    "stop",
];

/// How many functions the search up from one finding visits, and how many calls up it goes.
const REACH_VISITS: usize = 256;
const REACH_HOPS: u32 = 12;

/// How many export lookups one call target may take.
const LOOKUP_BUDGET: u32 = 512;

/// Resolves an import specifier to candidate files, given which files exist.
pub type SpecifierResolver<'a> = dyn Fn(&Path, &str, &dyn Fn(&Path) -> bool) -> Vec<PathBuf> + 'a;

impl Index {
    /// Links `files` (absolute paths) and computes every summary. `holds` says whether a query's
    /// conditions (an imported client, say) hold; `resolve` maps import specifiers to files.
    pub fn build(
        files: Vec<(PathBuf, FileFacts)>,
        resolve: &SpecifierResolver,
        holds: &dyn Fn(&Path, &[Condition]) -> bool,
    ) -> Index {
        let by_path = files
            .iter()
            .enumerate()
            .map(|(i, (p, _))| (p.clone(), i as u32))
            .collect();
        let mut implementers: HashMap<String, Vec<(u32, u32)>> = HashMap::new();
        for (f, (path, facts)) in files.iter().enumerate() {
            for (c, class) in facts.classes.iter().enumerate() {
                if is_test_double(path, &class.name) {
                    continue;
                }
                for name in &class.implements {
                    implementers
                        .entry(name.clone())
                        .or_default()
                        .push((f as u32, c as u32));
                }
            }
        }
        let mut index = Index {
            files,
            by_path,
            summaries: Vec::new(),
            callees: Vec::new(),
            resolved_specifiers: RefCell::new(HashMap::new()),
            budget: std::cell::Cell::new(LOOKUP_BUDGET),
            noting_gaps: std::cell::Cell::new(false),
            gaps: RefCell::new(Vec::new()),
            implementers,
            callers: std::cell::OnceCell::new(),
        };
        index.callees = (0..index.files.len())
            .map(|f| {
                index.files[f]
                    .1
                    .functions
                    .iter()
                    .map(|func| {
                        func.calls
                            .iter()
                            .map(|c| index.resolve_fn(f as u32, &c.target, resolve))
                            .collect()
                    })
                    .collect()
            })
            .collect();
        index.summaries = index
            .files
            .iter()
            .enumerate()
            .map(|(f, (path, facts))| {
                facts
                    .functions
                    .iter()
                    .map(|func| {
                        let mut summary = Summary::default();
                        if func.memoized {
                            return summary;
                        }
                        for (q, query) in func.queries.iter().enumerate() {
                            if !holds(path, &query.conditions)
                                || !index.receivers_hold_in(f as u32, &query.conditions, resolve)
                            {
                                continue;
                            }
                            let bits = query.deps;
                            let set = if query.is_write {
                                &mut summary.writes
                            } else {
                                &mut summary.reads
                            };
                            let new = bits & !*set;
                            *set |= bits;
                            for bit in ones(new) {
                                summary
                                    .why
                                    .push((query.is_write, bit, Step::Query(q as u32)));
                            }
                        }
                        summary
                    })
                    .collect()
            })
            .collect();
        index.fixed_point();
        index
    }

    fn fixed_point(&mut self) {
        for _ in 0..MAX_ROUNDS {
            let mut changed = false;
            for f in 0..self.files.len() {
                for g in 0..self.files[f].1.functions.len() {
                    if self.files[f].1.functions[g].memoized {
                        continue;
                    }
                    for (c, call) in self.files[f].1.functions[g].calls.iter().enumerate() {
                        let Some(callee) = self.callees[f][g][c] else {
                            continue;
                        };
                        let (reads, writes) = {
                            let s = &self.summaries[callee.0 as usize][callee.1 as usize];
                            (s.reads, s.writes)
                        };
                        if reads | writes == 0 {
                            continue;
                        }
                        let guarded = call.guarded;
                        let summary = &mut self.summaries[f][g];
                        for (k, mask) in call.args.iter().enumerate().take(MAX_PARAMS) {
                            if *mask == 0 {
                                continue;
                            }
                            for (write, bits) in [(false, reads), (true, writes)] {
                                if bits & (1 << k) == 0 {
                                    continue;
                                }
                                let set = if write {
                                    &mut summary.writes
                                } else {
                                    &mut summary.reads
                                };
                                let new = mask & !*set;
                                if new == 0 {
                                    continue;
                                }
                                *set |= new;
                                changed = true;
                                for bit in ones(new) {
                                    summary.why.push((
                                        write,
                                        bit,
                                        Step::Call(callee, k as u8, guarded),
                                    ));
                                }
                            }
                        }
                    }
                }
            }
            if !changed {
                return;
            }
        }
    }

    /// The N+1 a call makes when it runs once per element, passing the element in the arguments
    /// `element_args` (bit per argument): the chain to the query it leads to.
    pub fn per_element_query(
        &self,
        path: &Path,
        target: &Target,
        element_args: u64,
        resolve: &SpecifierResolver,
    ) -> Option<Chain> {
        let file = *self.by_path.get(path)?;
        let callee = self.resolve_fn(file, target, resolve)?;
        let summary = &self.summaries[callee.0 as usize][callee.1 as usize];
        let (write, bits) = if summary.reads & element_args != 0 {
            (false, summary.reads & element_args)
        } else if summary.writes & element_args != 0 {
            (true, summary.writes & element_args)
        } else {
            return None;
        };
        self.chain(callee, write, bits.trailing_zeros() as u8)
    }

    fn chain(&self, mut at: FnId, write: bool, mut bit: u8) -> Option<Chain> {
        let mut steps = Vec::new();
        let mut guarded = false;
        for _ in 0..MAX_DEPTH * 2 {
            let (path, facts) = &self.files[at.0 as usize];
            let function = &facts.functions[at.1 as usize];
            steps.push(ChainStep {
                name: function.name.clone(),
                path: path.clone(),
                line: function.line,
            });
            let summary = &self.summaries[at.0 as usize][at.1 as usize];
            let (_, _, step) = summary
                .why
                .iter()
                .find(|(w, b, _)| *w == write && *b == bit)?;
            match *step {
                Step::Query(q) => {
                    let query = &function.queries[q as usize];
                    return Some(Chain {
                        steps,
                        query: query.callee.clone(),
                        query_path: path.clone(),
                        query_line: query.line,
                        is_write: write,
                        guarded: guarded || query.guarded,
                    });
                }
                Step::Call(next, next_bit, call_guarded) => {
                    guarded |= call_guarded;
                    at = next;
                    bit = next_bit;
                }
            }
        }
        None
    }

    /// The names of functions and methods that send a query through a parameter, as callers
    /// write them (`findById` for `UserRepo.findById`): files that mention none of them cannot
    /// call into the data layer.
    pub fn querying_names(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (f, (_, facts)) in self.files.iter().enumerate() {
            for (g, function) in facts.functions.iter().enumerate() {
                let s = &self.summaries[f][g];
                if s.reads | s.writes == 0 {
                    continue;
                }
                let name = function.name.rsplit('.').next().unwrap_or(&function.name);
                if name.len() >= 2 && name != "default" {
                    out.push(name.to_string());
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    fn file_of(&self, importer: u32, specifier: &str, resolve: &SpecifierResolver) -> Option<u32> {
        let path = &self.files[importer as usize].0;
        let dir = path.parent().unwrap_or(Path::new("/")).to_path_buf();
        let key = (dir, specifier.to_string());
        if let Some(known) = self.resolved_specifiers.borrow().get(&key) {
            if known.is_none() && self.noting_gaps.get() {
                self.gaps
                    .borrow_mut()
                    .push((path.clone(), specifier.to_string()));
            }
            return *known;
        }
        let exists = |p: &Path| self.by_path.contains_key(p);
        let found = resolve(path, specifier, &exists)
            .into_iter()
            .find_map(|p| self.by_path.get(&p).copied());
        if found.is_none() && self.noting_gaps.get() {
            self.gaps
                .borrow_mut()
                .push((path.clone(), specifier.to_string()));
        }
        self.resolved_specifiers.borrow_mut().insert(key, found);
        found
    }

    /// Whether every typed receiver among `conditions` (of a query in the file at `path`) is the
    /// data-layer handle it must be ([`Condition::TypedReceiver`]); other conditions are not
    /// this index's to settle.
    pub fn receivers_hold(
        &self,
        path: &Path,
        conditions: &[Condition],
        resolve: &SpecifierResolver,
    ) -> bool {
        if !conditions
            .iter()
            .any(|c| matches!(c, Condition::TypedReceiver { .. }))
        {
            return true;
        }
        self.by_path
            .get(path)
            .is_some_and(|f| self.receivers_hold_in(*f, conditions, resolve))
    }

    fn receivers_hold_in(
        &self,
        file: u32,
        conditions: &[Condition],
        resolve: &SpecifierResolver,
    ) -> bool {
        conditions.iter().all(|c| match c {
            Condition::TypedReceiver {
                class_start,
                fields,
                handle,
                negated,
            } => self.receiver_is(file, *class_start, fields, *handle, resolve) != *negated,
            _ => true,
        })
    }

    /// The imports (importer, specifier) of files this index lacks that typed receivers among
    /// `receivers` (file, conditions) stop at: parsing those files may settle them.
    pub fn receiver_gaps<'c>(
        &self,
        receivers: impl Iterator<Item = (&'c Path, &'c [Condition])>,
        resolve: &SpecifierResolver,
    ) -> Vec<(PathBuf, String)> {
        self.noting_gaps.set(true);
        for (path, conditions) in receivers {
            if let Some(f) = self.by_path.get(path) {
                self.receivers_hold_in(*f, conditions, resolve);
            }
        }
        self.noting_gaps.set(false);
        let mut gaps = std::mem::take(&mut *self.gaps.borrow_mut());
        gaps.sort();
        gaps.dedup();
        gaps
    }

    /// Every typed receiver condition of the indexed queries, by file.
    pub fn typed_receivers(&self) -> Vec<(&Path, &[Condition])> {
        let mut out = Vec::new();
        for (path, facts) in &self.files {
            for function in &facts.functions {
                for query in &function.queries {
                    if query
                        .conditions
                        .iter()
                        .any(|c| matches!(c, Condition::TypedReceiver { .. }))
                    {
                        out.push((path.as_path(), query.conditions.as_slice()));
                    }
                }
            }
        }
        out
    }

    /// Whether `this` of the class at `class_start` in `file`, then its `fields` in turn, lead to
    /// a `handle`: each field's declared type (or constructor) names a class, followed across
    /// files; the last one must name the handle outright or be a class that extends it.
    fn receiver_is(
        &self,
        file: u32,
        class_start: usize,
        fields: &[String],
        handle: Handle,
        resolve: &SpecifierResolver,
    ) -> bool {
        self.budget.set(LOOKUP_BUDGET);
        let Some(class) = self.files[file as usize]
            .1
            .classes
            .iter()
            .position(|c| c.start == class_start)
        else {
            return false;
        };
        let mut at = (file, class as u32);
        for (i, name) in fields.iter().enumerate() {
            let Some((owner, field)) = self.field(at, name, resolve, 0) else {
                return false;
            };
            let last = i + 1 == fields.len();
            if let Some(named) = field.handle {
                return last && named == handle;
            }
            let Some(entity) = &field.entity else {
                return false;
            };
            match self.resolve(owner, entity, resolve, 0) {
                Some(Resolved::Class(f, c)) => at = (f, c),
                _ => return false,
            }
        }
        self.class_is(at, handle, resolve, 0)
    }

    /// A field of a class or of one of its base classes, with the file that declares it.
    fn field(
        &self,
        (file, class): (u32, u32),
        name: &str,
        resolve: &SpecifierResolver,
        depth: usize,
    ) -> Option<(u32, &FieldFacts)> {
        if depth > MAX_DEPTH {
            return None;
        }
        let facts = &self.files[file as usize].1.classes[class as usize];
        if let Some(field) = facts.fields.iter().rev().find(|f| f.name == name) {
            return Some((file, field));
        }
        match self.resolve(file, facts.extends.as_ref()?, resolve, depth + 1)? {
            Resolved::Class(f, c) => self.field((f, c), name, resolve, depth + 1),
            _ => None,
        }
    }

    /// Whether a class is a `handle`: its `extends` names it, or extends a class that is.
    fn class_is(
        &self,
        (file, class): (u32, u32),
        handle: Handle,
        resolve: &SpecifierResolver,
        depth: usize,
    ) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        let facts = &self.files[file as usize].1.classes[class as usize];
        if let Some(named) = facts.handle {
            return named == handle;
        }
        let Some(base) = &facts.extends else {
            return false;
        };
        match self.resolve(file, base, resolve, depth + 1) {
            Some(Resolved::Class(f, c)) => self.class_is((f, c), handle, resolve, depth + 1),
            _ => false,
        }
    }

    fn resolve_fn(&self, file: u32, target: &Target, resolve: &SpecifierResolver) -> Option<FnId> {
        self.budget.set(LOOKUP_BUDGET);
        let base = self.resolve(file, &target.base, resolve, 0)?;
        let resolved = match &target.member {
            Some(member) => self.member(base, member, resolve, 0)?,
            None => base,
        };
        match resolved {
            Resolved::Fn(id) => Some(id),
            _ => None,
        }
    }

    fn resolve(
        &self,
        file: u32,
        entity: &Entity,
        resolve: &SpecifierResolver,
        depth: usize,
    ) -> Option<Resolved> {
        if depth > MAX_DEPTH {
            return None;
        }
        match entity {
            Entity::Fn(f) => Some(Resolved::Fn((file, *f))),
            Entity::Class(c) => Some(Resolved::Class(file, *c)),
            Entity::Object(o) => Some(Resolved::Object(file, *o)),
            Entity::Instance(inner) => self.resolve(file, inner, resolve, depth + 1),
            Entity::Returned(inner) => match self.resolve(file, inner, resolve, depth + 1)? {
                Resolved::Fn(id) => Some(Resolved::Returned(id)),
                // `new`-less construction through a class reference is not a call result.
                _ => None,
            },
            Entity::Import(from) => self
                .import(file, from, resolve, depth + 1)
                .or_else(|| self.sole_implementer(from)),
            Entity::Star(_) => None,
        }
    }

    /// A value typed with an imported interface (`store: IUserStore`) is an instance of the one
    /// class in the project that implements it, when there is exactly one: dependency injection
    /// through interfaces. With two or more implementations the call is not followed.
    fn sole_implementer(&self, from: &ImportFrom) -> Option<Resolved> {
        let Imported::Named(name) = &from.imported else {
            return None;
        };
        match self.implementers.get(name)?.as_slice() {
            [(file, class)] => Some(Resolved::Class(*file, *class)),
            _ => None,
        }
    }

    fn import(
        &self,
        file: u32,
        from: &ImportFrom,
        resolve: &SpecifierResolver,
        depth: usize,
    ) -> Option<Resolved> {
        let target = self.file_of(file, &from.specifier, resolve)?;
        match &from.imported {
            Imported::Named(name) => self.export(target, name, resolve, depth),
            Imported::Default => self
                .export(target, "default", resolve, depth)
                .or_else(|| self.export(target, "=", resolve, depth)),
            Imported::Namespace => Some(Resolved::Module(target)),
            Imported::Module => self
                .export(target, "=", resolve, depth)
                .or(Some(Resolved::Module(target))),
        }
    }

    fn export(
        &self,
        file: u32,
        name: &str,
        resolve: &SpecifierResolver,
        depth: usize,
    ) -> Option<Resolved> {
        let left = self.budget.get();
        if depth > MAX_DEPTH || left == 0 {
            return None;
        }
        self.budget.set(left - 1);
        let exports = &self.files[file as usize].1.exports;
        if let Some((_, entity)) = exports.iter().find(|(n, _)| n == name) {
            return self.resolve(file, entity, resolve, depth + 1);
        }
        for (n, entity) in exports {
            if let (true, Entity::Star(specifier)) = (n == "*", entity) {
                let Some(next) = self.file_of(file, specifier, resolve) else {
                    continue;
                };
                if let Some(found) = self.export(next, name, resolve, depth + 1) {
                    return Some(found);
                }
            }
        }
        // CommonJS read through ES imports: `import { find } from './cjs'`.
        if name != "=" && name != "default" {
            if let Some((_, entity)) = exports.iter().find(|(n, _)| n == "=") {
                let value = self.resolve(file, entity, resolve, depth + 1)?;
                return self.member(value, name, resolve, depth + 1);
            }
        }
        None
    }

    fn member(
        &self,
        of: Resolved,
        name: &str,
        resolve: &SpecifierResolver,
        depth: usize,
    ) -> Option<Resolved> {
        if depth > MAX_DEPTH {
            return None;
        }
        match of {
            Resolved::Fn(_) => None,
            Resolved::Module(file) => self.export(file, name, resolve, depth + 1),
            Resolved::Object(file, o) => {
                let object = &self.files[file as usize].1.objects[o as usize];
                let (_, entity) = object.members.iter().find(|(n, _)| n == name)?;
                self.resolve(file, entity, resolve, depth + 1)
            }
            Resolved::Class(file, c) => {
                let class = &self.files[file as usize].1.classes[c as usize];
                if let Some((_, f)) = class.methods.iter().rev().find(|(n, _)| n == name) {
                    return Some(Resolved::Fn((file, *f)));
                }
                let base = self.resolve(file, class.extends.as_ref()?, resolve, depth + 1)?;
                self.member(base, name, resolve, depth + 1)
            }
            Resolved::Returned((file, f)) => {
                let o = self.files[file as usize].1.functions[f as usize].returns_object?;
                self.member(Resolved::Object(file, o), name, resolve, depth + 1)
            }
        }
    }

    fn callers(&self, resolve: &SpecifierResolver) -> &Callers {
        self.callers.get_or_init(|| {
            let mut out: Callers = HashMap::new();
            for (f, (_, facts)) in self.files.iter().enumerate() {
                for (g, function) in facts.functions.iter().enumerate() {
                    for (c, call) in function.calls.iter().enumerate() {
                        if let Some(callee) = self.callees[f][g][c] {
                            out.entry(callee).or_default().push((
                                f as u32,
                                call.site.0,
                                Some(g as u32),
                            ));
                        }
                    }
                }
                for call in &facts.module_calls {
                    if let Some(callee) = self.resolve_fn(f as u32, &call.target, resolve) {
                        out.entry(callee)
                            .or_default()
                            .push((f as u32, call.site.0, None));
                    }
                }
            }
            out
        })
    }

    /// The entry points that reach byte `at` of the file at `path` through calls: the entry it
    /// is written in, or those above the function it is in, breadth first.
    pub fn reached_from(&self, path: &Path, at: usize, resolve: &SpecifierResolver) -> Reached {
        self.search_up(path, at, resolve).0
    }

    /// The names callers would call the functions by at which the search up from byte `at`
    /// stopped for want of callers (`findExpired` for `TrashService.findExpired`): files that
    /// mention them may hold the callers. Names too common to tell callers by are left out.
    pub fn reach_frontier(
        &self,
        path: &Path,
        at: usize,
        resolve: &SpecifierResolver,
    ) -> Vec<String> {
        let (_, frontier) = self.search_up(path, at, resolve);
        let mut out: Vec<String> = frontier
            .into_iter()
            .filter_map(|(f, g)| {
                let name = &self.files[f as usize].1.functions[g as usize].name;
                let short = name.rsplit('.').next().unwrap_or(name);
                (short.len() >= 4 && !GENERIC_NAMES.contains(&short)).then(|| short.to_string())
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    fn search_up(
        &self,
        path: &Path,
        at: usize,
        resolve: &SpecifierResolver,
    ) -> (Reached, Vec<FnId>) {
        let mut reached = Reached::default();
        let mut frontier = Vec::new();
        let Some(&file) = self.by_path.get(path) else {
            return (reached, frontier);
        };
        let reach = |f: u32, at: usize, hops: u32| -> Option<Reach> {
            let (path, facts) = &self.files[f as usize];
            let whole_file = |kind| Reach {
                kind,
                name: String::new(),
                path: path.clone(),
                line: 1,
                hops,
            };
            // Test code is test code; a script by its name that serves requests (a route
            // file named `*.seed.ts`) is what its entry points say.
            if facts.file_kind == Some(EntryKind::Test) {
                return Some(whole_file(EntryKind::Test));
            }
            facts
                .entry_at(at)
                .map(|e| Reach {
                    kind: e.entry.kind,
                    name: e.entry.name.clone(),
                    path: path.clone(),
                    line: e.line,
                    hops,
                })
                .or_else(|| facts.file_kind.map(whole_file))
        };
        if let Some(r) = reach(file, at, 0) {
            reached.entries.push(r);
            reached.complete = true;
            return (reached, frontier);
        }
        let Some(start) = self.files[file as usize].1.function_at(at) else {
            return (reached, frontier);
        };
        let callers = self.callers(resolve);
        let mut seen: std::collections::HashSet<FnId> = Default::default();
        let mut queue = std::collections::VecDeque::from([((file, start), 0u32)]);
        seen.insert((file, start));
        let mut open = false;
        while let Some((at_fn, hops)) = queue.pop_front() {
            let sites = callers.get(&at_fn).map(Vec::as_slice).unwrap_or(&[]);
            if sites.is_empty() {
                open = true;
            }
            // Every function on the way up, not only those with no caller seen: a file not
            // parsed yet may call one that has callers already (an admin controller beside a
            // request route), and what reaches the finding decides its tier.
            frontier.push(at_fn);
            for &(f, site, caller) in sites {
                if let Some(r) = reach(f, site, hops + 1) {
                    if !reached.entries.contains(&r) {
                        reached.entries.push(r);
                    }
                    continue;
                }
                match caller {
                    Some(g) if hops + 1 < REACH_HOPS && seen.len() < REACH_VISITS => {
                        if seen.insert((f, g)) {
                            queue.push_back(((f, g), hops + 1));
                        }
                    }
                    // Module code that is no entry point (it runs as the module loads), or
                    // past the bounds: not known.
                    _ => open = true,
                }
            }
        }
        // Production code first (requests, then jobs), then scripts and tests; nearest first
        // within each.
        reached.entries.sort_by(|a, b| {
            (a.kind, a.hops, &a.path, a.line).cmp(&(b.kind, b.hops, &b.path, b.line))
        });
        reached.complete = !open && !reached.entries.is_empty();
        (reached, frontier)
    }

    /// The facts back, to build a larger index.
    pub fn into_files(self) -> Vec<(PathBuf, FileFacts)> {
        self.files
    }

    /// Number of files and functions indexed, for `--verbose`.
    pub fn size(&self) -> (usize, usize) {
        (
            self.files.len(),
            self.files.iter().map(|(_, f)| f.functions.len()).sum(),
        )
    }
}

/// A fake, mock or stub written for tests (`fakes/fake-user-store.ts`, `class InMemoryUserStore`):
/// not the implementation production code is given.
fn is_test_double(path: &Path, class: &str) -> bool {
    let doubles = ["Fake", "Mock", "Stub", "Dummy", "InMemory"];
    doubles.iter().any(|d| class.starts_with(d))
        || path.components().any(|c| {
            let part = c.as_os_str().to_string_lossy().to_ascii_lowercase();
            matches!(
                part.as_str(),
                "fakes" | "fake" | "mocks" | "__mocks__" | "stubs" | "test" | "tests" | "__tests__"
            ) || part.starts_with("fake-")
                || part.starts_with("mock-")
                || part.contains(".test.")
                || part.contains(".spec.")
        })
}

/// The set bits of `mask`, lowest first.
fn ones(mask: u64) -> impl Iterator<Item = u8> {
    (0..64u8).filter(move |b| mask & (1 << b) != 0)
}
