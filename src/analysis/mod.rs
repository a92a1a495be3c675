//! The syntax layer: the tree-sitter parse of one file, the scopes a node sits in (loops,
//! callbacks, functions, classes), the module's imports and constant literals ([`FileCx`]), and
//! the recognition of ORM, Prisma and SQL calls. It sits below the semantic layer and the
//! rules, which both read [`FileCx`]; the per-file driver that runs them over one walk is
//! `analyze` in the crate root.

pub mod entry;
pub mod node;
pub mod orm;
pub mod prisma;
pub mod query;
pub mod refs;
pub mod server;
pub mod sql;
pub mod stores;
pub mod syntax;
pub mod walk;

use crate::config::Config;
use crate::diagnostic::{ByteSpan, Diagnostic};
use crate::project::schema::Schema;
use crate::project::Project;
use crate::source::Lang;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use tree_sitter::{Node, Parser, Tree};

impl Lang {
    /// Where this grammar's name tables are kept.
    fn tables(self) -> &'static std::sync::OnceLock<node::Tables> {
        static TYPESCRIPT: std::sync::OnceLock<node::Tables> = std::sync::OnceLock::new();
        static TSX: std::sync::OnceLock<node::Tables> = std::sync::OnceLock::new();
        match self {
            Lang::TypeScript => &TYPESCRIPT,
            Lang::Tsx | Lang::JavaScript => &TSX,
        }
    }

    fn language(self) -> tree_sitter::Language {
        match self {
            Lang::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Lang::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            // Measured on 863 JavaScript files of five real repositories (README, "Which
            // grammar parses JavaScript"): TSX had the fewest errors on .js, .mjs, .cjs and .jsx.
            Lang::JavaScript => tree_sitter_typescript::LANGUAGE_TSX.into(),
        }
    }
}

thread_local! {
    static PARSERS: RefCell<HashMap<Lang, Parser>> = RefCell::new(HashMap::new());
}

/// Makes `lang`'s name tables the ones this thread's nodes are read with (the analysis does this
/// itself; tests that walk a tree of their own call it).
pub fn use_grammar(lang: Lang) {
    node::set_language(&lang.language(), lang.tables());
}

/// Parses `text` with this thread's parser for `lang`.
pub fn parse(text: &str, lang: Lang) -> Option<Tree> {
    PARSERS.with(|parsers| {
        let mut parsers = parsers.borrow_mut();
        let parser = parsers.entry(lang).or_insert_with(|| {
            let mut parser = Parser::new();
            parser
                .set_language(&lang.language())
                .expect("bundled grammar is compatible");
            parser
        });
        // Cancelled past the deadline; the parser is reset so the next file starts afresh.
        let started = std::time::Instant::now();
        let deadline = std::time::Duration::from_millis(PARSE_TIMEOUT_MS.load(Ordering::Relaxed));
        let mut past_deadline = |_: &tree_sitter::ParseState| started.elapsed() > deadline;
        let bytes = text.as_bytes();
        let tree = parser.parse_with_options(
            &mut |at, _| bytes.get(at..).unwrap_or_default(),
            None,
            Some(tree_sitter::ParseOptions::new().progress_callback(&mut past_deadline)),
        );
        if tree.is_none() {
            parser.reset();
        }
        tree
    })
}

/// How long a parse may take, in milliseconds (`parse-timeout-ms`, set once per run).
pub static PARSE_TIMEOUT_MS: AtomicU64 = AtomicU64::new(crate::config::DEFAULT_PARSE_TIMEOUT_MS);

/// A fact that must hold for a pending diagnostic to be reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// The identifier is not a constant array/object literal or enum of this module.
    NotLiteral(String),
    /// The identifier is bound to a client constructed in this file, or imported from a module
    /// that constructs one.
    ImportedClient(String),
    /// Resolved form of `ImportedClient`: the module at `specifier` (as written in the import)
    /// constructs a Prisma client.
    ClientModule(String),
    /// The module at `specifier` is bulk data (a JSON file, or a module that requires JSON files)
    /// of at least `min_bytes` when its size is known. The diagnostic's message says how much in
    /// place of [`DATA_PLACEHOLDER`].
    BulkData { specifier: String, min_bytes: u64 },
    /// The call at bytes `site` runs once per element, with the element in the
    /// arguments `element_args` (a bit each): it is an N+1 when what it calls sends a query that
    /// depends on one of them. Settled by the file's facts into [`Condition::Calls`].
    CallSite {
        site: (usize, usize),
        element_args: u64,
        /// The calls run in the same tick (GraphQL field resolvers), where Prisma batches
        /// `findUnique` by itself.
        same_tick: bool,
    },
    /// Resolved form of `CallSite`: the callee, for the project index. The message says what it
    /// runs in place of [`QUERY_PLACEHOLDER`] and the help shows the chain in place of
    /// [`CHAIN_PLACEHOLDER`].
    Calls {
        target: refs::Target,
        element_args: u64,
        same_tick: bool,
    },
    /// The receiver is `this` of the class that starts at byte `class_start`, or reached from it
    /// through the typed `fields` (`this.users`, `this._user.model`): settled by the project
    /// index, which follows the fields' declared types and the classes' `extends` across files to
    /// a data-layer `handle` (`class DatabaseService extends PrismaClient`, `class UserRepository
    /// extends Repository<User>`).
    /// The file is imported, directly or through other modules, by a route module its package's
    /// framework renders on the server per request (a Next.js layout importing a `"use client"`
    /// providers module). The message says which in place of [`RENDER_PLACEHOLDER`]; with no such
    /// route seen, the finding is medium and says so.
    RenderedOnServer,
    TypedReceiver {
        class_start: usize,
        fields: Vec<String>,
        handle: Handle,
        /// Holds when the receiver is *not* the handle: the same call read as a call of the
        /// project's own method.
        negated: bool,
    },
}

/// A data-layer handle a typed receiver can turn out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handle {
    /// A Prisma client (or a class that extends one), whose model delegates send queries.
    PrismaClient,
    /// A TypeORM `Repository<E>`, `EntityManager` or a class that extends `Repository`.
    TypeOrmRepository,
}

impl Handle {
    /// The handle a type annotation or an `extends` clause names outright, as written:
    /// `PrismaService`, `Pick<PrismaService, T>`, `Repository<User>`, `TreeRepository<Folder>`.
    pub fn named_by(ty: &str) -> Option<Handle> {
        let ty = ty.trim().trim_start_matches(':').trim();
        if syntax::mentions_prisma_type(ty) {
            return Some(Handle::PrismaClient);
        }
        let subject = type_subject(ty);
        [
            "Repository<",
            "MongoRepository<",
            "TreeRepository<",
            "EntityManager",
        ]
        .iter()
        .any(|p| subject.starts_with(p))
        .then_some(Handle::TypeOrmRepository)
    }

    /// [`Handle::named_by`] in a file: a `Repository` the file imports from a module other than
    /// TypeORM (the project's own Mongoose or Drizzle base class) is not TypeORM's.
    pub fn named_in(ty: &str, cx: &FileCx) -> Option<Handle> {
        let handle = Handle::named_by(ty)?;
        if handle == Handle::TypeOrmRepository {
            let subject = type_subject(ty.trim().trim_start_matches(':').trim());
            if Handle::not_typeorms(subject, cx) {
                return None;
            }
        }
        Some(handle)
    }

    /// Whether the type or class `written` (`Repository<User>`, `orm.Repository`) is imported
    /// from a module other than TypeORM: the project's own class of that name.
    pub fn not_typeorms(written: &str, cx: &FileCx) -> bool {
        let name = written.split(['<', '.']).next().unwrap_or(written).trim();
        cx.imports
            .get(name)
            .is_some_and(|specifier| !specifier.contains("typeorm"))
    }
}

/// The type a wrapper type is about: `Pick<PrismaService, T>` -> `PrismaService`; other types
/// are themselves. Utility types that keep their argument's members are looked through.
pub fn type_subject(ty: &str) -> &str {
    let mut ty = ty.trim();
    for _ in 0..4 {
        let Some((head, rest)) = ty.split_once('<') else {
            return ty;
        };
        if !matches!(
            head.trim(),
            "Pick" | "Omit" | "Partial" | "Readonly" | "Required" | "NonNullable"
        ) {
            return ty;
        }
        // The first argument, up to a top-level `,` or the closing `>`.
        let mut depth = 0usize;
        let mut end = rest.len();
        for (i, c) in rest.char_indices() {
            match c {
                '<' | '(' | '[' | '{' => depth += 1,
                '>' | ')' | ']' | '}' if depth == 0 => {
                    end = i;
                    break;
                }
                '>' | ')' | ']' | '}' => depth -= 1,
                ',' if depth == 0 => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        ty = rest.get(..end).unwrap_or(rest).trim();
    }
    ty
}

/// Written in a message where the query a called function leads to goes.
pub const QUERY_PLACEHOLDER: &str = "{query}";
/// Written in a help where the chain of calls to the query goes.
pub const CHAIN_PLACEHOLDER: &str = "{chain}";

/// Written in a message where the size of the data behind a [`Condition::BulkData`] goes.
pub const DATA_PLACEHOLDER: &str = "{data}";

/// Where [`Condition::RenderedOnServer`] puts the route that renders the module.
pub const RENDER_PLACEHOLDER: &str = "{rendered}";

/// A diagnostic and the facts it waits on.
#[derive(Debug, Clone)]
pub struct Pending {
    pub diagnostic: Diagnostic,
    pub conditions: Vec<Condition>,
}

/// Where rules put what they find.
#[derive(Default)]
pub struct Sink {
    pub pending: Vec<Pending>,
    /// Raw SQL statements that did not parse, so were not judged (listed under `--verbose`).
    pub unparsed_sql: usize,
}

impl Sink {
    pub fn report(&mut self, diagnostic: Diagnostic, conditions: Vec<Condition>) {
        self.pending.push(Pending {
            diagnostic,
            conditions,
        });
    }
}

/// How a loop or a per-element callback repeats its body.
#[derive(Debug, Clone)]
pub struct Iteration<'t> {
    /// The collection iterated, when the loop walks one.
    pub collection: Option<Node<'t>>,
    /// The loop header or the `xs.map` callee.
    pub header: ByteSpan,
    /// Loop variables (callback parameters), and the names declared at the top of the loop's
    /// body: what one iteration works on.
    pub vars: syntax::Vars,
    /// The loop's or callback's body, for names derived deeper in it ([`syntax::derived_names`]).
    pub body: Option<Node<'t>>,
    /// `Promise.all(...)` around a `.map`: every iteration runs at once.
    pub concurrent: Option<ByteSpan>,
    /// Whether this is a callback of an array method (`map`, `forEach`, ...) rather than a loop.
    pub callback: Option<&'static str>,
    /// `$transaction(xs.map(...))`: the calls are collected and sent as one batch.
    pub batched: bool,
    /// A GraphQL field resolver on a non-root type (`User.posts`): it runs once per parent
    /// object a query returns, with the parent in `vars`.
    pub resolver: Option<String>,
    /// The resolver's type is named like a wrapper returned once per request (`SearchResponse`,
    /// `UserConnection`, `CreatePostPayload`): whether its parents come in lists is a guess.
    pub wrapper_type: bool,
    /// The GraphQL type whose field the resolver resolves (`User` of `@Resolver(() => User)`,
    /// of `User: { posts }`), when the source names it.
    pub parent_type: Option<String>,
}

/// A scope that a node sits in, innermost last.
#[derive(Debug, Clone)]
pub enum Frame<'t> {
    Loop {
        id: usize,
        iteration: Iteration<'t>,
    },
    Function {
        id: usize,
        /// A callback of `map`/`forEach`/... that runs once per element.
        per_element: Option<Iteration<'t>>,
        /// Runs as part of its enclosing code (an IIFE, a `$transaction` callback).
        transparent: bool,
        /// Parameters that hold a Prisma client (the `tx` of `$transaction`, typed parameters).
        client_params: Vec<String>,
        /// Parameters with a type annotation, as (name, type text).
        typed_params: Vec<(String, String)>,
    },
    Class {
        id: usize,
        /// Where the class node starts: the key the project index knows it by.
        start: usize,
        /// Whether it has an `extends` clause.
        extends_any: bool,
        /// `class X extends PrismaClient`.
        extends_prisma: bool,
        /// What it extends, as written: `Repository<User>` in `class X extends Repository<User>
        /// implements Y`.
        heritage: Option<&'t str>,
        /// Fields and constructor parameter properties that hold a Prisma client.
        client_fields: Vec<String>,
        /// Fields and constructor parameters with a type annotation, as (name, type text).
        typed_fields: Vec<(String, String)>,
    },
}

impl Frame<'_> {
    /// The id of the node that opened the scope.
    pub fn id(&self) -> usize {
        match self {
            Frame::Loop { id, .. } | Frame::Function { id, .. } | Frame::Class { id, .. } => *id,
        }
    }
}

/// What a rule sees of the file while the walk is at a node.
pub struct FileCx<'t> {
    pub path: &'t Path,
    /// Project-wide facts (packages, schemas, modules).
    pub project: &'t Project,
    /// The Prisma schema this file's package uses, if one was found.
    pub schema: Option<&'t Schema>,
    /// The dependencies of this file's package and of the workspace packages it depends on.
    pub dependencies: Vec<&'t str>,
    /// Whether the file is test code ([`crate::source::is_test_file`]).
    pub is_test: bool,
    /// Whether the file is a one-off script ([`crate::source::is_script_file`]).
    pub is_script: bool,
    pub src: &'t str,
    pub config: &'t Config,
    /// Ancestors of the current node, root first.
    pub ancestors: Vec<Node<'t>>,
    /// Scopes of the current node, outermost first.
    pub frames: Vec<Frame<'t>>,
    /// Local name -> module specifier, for every import and `require` seen so far.
    pub imports: HashMap<String, String>,
    /// Variables bound to `new PrismaClient(...)` (or `.$extends(...)` of one) in this file.
    pub local_clients: HashSet<String>,
    /// Module constants bound to array or object literals without spreads, and enums.
    pub literal_consts: HashSet<String>,
    /// Byte spans of every comment.
    pub comments: Vec<ByteSpan>,
    /// The declarators of each large block the walk entered ([`syntax::declared_value`]).
    pub declarations: HashMap<usize, syntax::Declarations<'t>>,
    /// Questions about the whole text, answered once per file ([`FileCx::contains`]).
    pub text_index: syntax::TextIndex,
    /// The TypeORM entities this file declares, read the first time a query asks.
    pub entities: std::cell::OnceCell<Vec<crate::project::schema::Model>>,
}

impl<'t> FileCx<'t> {
    /// The source text of a node.
    pub fn text(&self, node: Node) -> &'t str {
        &self.src[node.byte_range()]
    }

    /// Whether the file's text holds `needle`: one scan per needle and file, however often
    /// it is asked (rules ask once per call; a file may hold thousands).
    pub fn contains(&self, needle: &str) -> bool {
        self.text_index.contains(needle, self.src)
    }

    /// What follows each `name = ` and `name: ` in the file (`name` a whole word), up to the end
    /// of the line or a `;`: one scan per file.
    pub fn assignments(&self, name: &str) -> Vec<&'t str> {
        self.text_index.assignments(name, self.src)
    }

    /// Whether the file exports the function or constant `name` where it declares it (`export
    /// function name`, `export async function name`, `export const name`): other modules may
    /// call it.
    pub fn exports_declared(&self, name: &str) -> bool {
        [
            "export function ",
            "export async function ",
            "export const ",
        ]
        .iter()
        .any(|prefix| {
            let written = format!("{prefix}{name}");
            self.src.match_indices(&written).any(|(at, _)| {
                !self
                    .src
                    .get(at + written.len()..)
                    .and_then(|rest| rest.chars().next())
                    .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$')
            })
        })
    }

    /// Whether `{prefix}{name}{suffix}` occurs in the file with `name` a whole word: one scan per
    /// (prefix, suffix) and file.
    pub fn names(&self, prefix: &str, name: &str, suffix: &str) -> bool {
        self.text_index.named(prefix, name, suffix, self.src)
    }

    /// Whether this file's package (or a workspace package it depends on) depends on `package`.
    pub fn depends_on(&self, package: &str) -> bool {
        self.dependencies.contains(&package)
    }

    /// The parent of the current node.
    pub fn parent(&self) -> Option<Node<'t>> {
        self.ancestors.last().copied()
    }
}

/// The condition under which `receiver` (`this`, `this.users`, `this._user.model`) is a
/// `handle`, for the project index to settle: `None` when it is not rooted at the `this` of a
/// class (or is `this` of a class that extends nothing), or goes through more than a few fields.
pub fn typed_receiver(receiver: Node, cx: &FileCx, handle: Handle) -> Option<Condition> {
    use node::NodeExt;
    const MAX_FIELDS: usize = 4;
    let mut fields = Vec::new();
    let mut at = syntax::unwrap_expression(receiver);
    while at.k() == "member_expression" {
        if fields.len() == MAX_FIELDS {
            return None;
        }
        let property = at.field("property")?;
        if property.k() != "property_identifier" {
            return None;
        }
        fields.push(cx.text(property).to_string());
        at = syntax::unwrap_expression(at.field("object")?);
    }
    if at.k() != "this" {
        return None;
    }
    fields.reverse();
    let (start, extends_any) = cx.frames.iter().rev().find_map(|frame| match frame {
        Frame::Class {
            start, extends_any, ..
        } => Some((*start, *extends_any)),
        _ => None,
    })?;
    if fields.is_empty() && !extends_any {
        return None;
    }
    Some(Condition::TypedReceiver {
        class_start: start,
        fields,
        handle,
        negated: false,
    })
}

#[cfg(test)]
mod handle_tests {
    use super::{type_subject, Handle};

    #[test]
    fn wrappers_are_looked_through() {
        assert_eq!(type_subject("Pick<PrismaService, T>"), "PrismaService");
        assert_eq!(type_subject("Readonly<Partial<Db>>"), "Db");
        assert_eq!(type_subject("Omit<Map<string, X>, 'a'>"), "Map<string, X>");
        assert_eq!(
            type_subject("ModelRepository<'user'>"),
            "ModelRepository<'user'>"
        );
        assert_eq!(type_subject("Pick<"), "");
    }

    #[test]
    fn handles_named_outright() {
        assert_eq!(
            Handle::named_by(": PrismaService"),
            Some(Handle::PrismaClient)
        );
        assert_eq!(
            Handle::named_by("Pick<PrismaService, 'user'>"),
            Some(Handle::PrismaClient)
        );
        assert_eq!(
            Handle::named_by("Repository<User>"),
            Some(Handle::TypeOrmRepository)
        );
        assert_eq!(
            Handle::named_by("Readonly<TreeRepository<Folder>>"),
            Some(Handle::TypeOrmRepository)
        );
        assert_eq!(Handle::named_by("UsersRepository"), None);
        assert_eq!(Handle::named_by("HttpService"), None);
    }
}
