//! `prisma-client-singleton`: `new PrismaClient()` per request or per call, or per module reload in
//! a Next.js app without the `globalThis` guard.

use super::{Category, Check, FileCheck, FixKind, Rule};
use crate::analysis::node::NodeExt;
use crate::analysis::syntax::is_function;
use crate::analysis::{FileCx, Frame, Sink};
use crate::diagnostic::{Applicability, ByteSpan, Diagnostic, Edit, Fix, Severity};
use tree_sitter::Node;

pub static RULE: Rule = Rule {
    id: "prisma-client-singleton",
    category: Category::Memory,
    severity: Severity::Warning,
    fix: FixKind::Safe,
    summary: "`new PrismaClient()` per request, or per hot reload in Next.js without the `globalThis` guard",
    doc: include_str!("../../rules/prisma-client-singleton.md"),
    options: &[],
    needles: &[&["new PrismaClient"]],
    precheck: None,
    check: Check::Stateful(|| Box::<Singleton>::default()),
};

/// A client constructed inside a function, reported unless the function runs once.
struct InFunction {
    span: ByteSpan,
    function: Option<String>,
    /// The function hands the client to its caller (`return new PrismaClient()`, `return
    /// client`): a factory, whose caller may keep what it returns.
    returned: bool,
}

#[derive(Default)]
struct Singleton {
    in_functions: Vec<InFunction>,
    /// Functions called at module scope: they run once per module load.
    called_at_module_scope: Vec<String>,
    /// Calls made inside functions: (the caller's name, or `None` for a factory passed to a
    /// module-level memoizer such as `singleton("prisma", () => ...)`; the callee as written).
    calls_in_functions: Vec<(Option<String>, String)>,
}

impl FileCheck for Singleton {
    fn enter(&mut self, node: Node, cx: &FileCx, sink: &mut Sink) {
        if cx.is_test || cx.is_script {
            return;
        }
        let in_function = cx
            .frames
            .iter()
            .any(|f| matches!(f, Frame::Function { .. }));
        if node.k() == "call_expression" {
            if let Some(callee) = node.field("function") {
                let callee = cx.text(callee).to_string();
                if !in_function {
                    // `export default fastifyPlugin(prismaPlugin, { ... })`: a server plugin,
                    // which the app registers once at startup.
                    let plugin = callee.to_ascii_lowercase();
                    if plugin == "fp" || plugin.ends_with("plugin") {
                        if let Some(args) = node.field("arguments") {
                            let mut cursor = args.walk();
                            for arg in args.named_children(&mut cursor) {
                                if arg.k() == "identifier" {
                                    self.called_at_module_scope.push(cx.text(arg).to_string());
                                }
                            }
                        }
                    }
                    self.called_at_module_scope.push(callee);
                } else if let Some((function, memo)) = innermost_function(cx) {
                    // `globalForPrisma.prisma = createPrismaClient()` under `if
                    // (!globalForPrisma.prisma)`, `cached ??= create()`, `x ?? create()`: the
                    // result is kept, so the call runs once, as a memoizer's callback does.
                    let memo = memo || kept_result(node, cx);
                    let caller = (!memo).then(|| function_name(function, cx)).flatten();
                    self.calls_in_functions
                        .push((caller.or(memo.then_some(String::new())), callee));
                }
            }
            return;
        }
        if node.k() != "new_expression" {
            return;
        }
        let is_prisma = node
            .field("constructor")
            .is_some_and(|c| matches!(cx.text(c), "PrismaClient" | "Prisma.PrismaClient"));
        if !is_prisma {
            return;
        }
        if in_function {
            if let Some(function) = self.per_call(node, cx) {
                self.in_functions.push(function);
            }
        } else {
            module_level(node, cx, sink);
        }
    }

    fn finish(&mut self, cx: &FileCx, sink: &mut Sink) {
        let once = self.run_once();
        let mut reported = std::collections::HashSet::new();
        for found in self.in_functions.drain(..) {
            if found
                .function
                .as_ref()
                .is_some_and(|f| self.called_at_module_scope.contains(f))
            {
                continue;
            }
            // A factory whose every call in this file runs once (from module scope or from a
            // memoizer's callback, also through other such functions). Exported, it may be
            // called per request elsewhere: medium.
            let is_exported = |f: &str| cx.exports_declared(f);
            let exported = found.function.as_deref().is_some_and(is_exported);
            let called_once = found.function.as_ref().is_some_and(|f| once.contains(f));
            if called_once && !exported {
                continue;
            }
            // Two constructions in one function (`pool ? new PrismaClient(a) : new
            // PrismaClient(b)`) are one client per call: reported once.
            if let Some(f) = &found.function {
                if !reported.insert(f.clone()) {
                    continue;
                }
            }
            // An exported factory this file never calls (`createDatabaseClient(url)`): how its
            // callers in other files keep the client is not seen here. A request handler's name
            // (`GET`, `loader`) says it runs per request.
            // Also a helper such a factory calls (`createPrismaClients()` returns `{ dbRead,
            // dbWrite }`, each made by an inner `createPrismaClient`).
            let uncalled_export = |f: &str| {
                is_exported(f)
                    && !self.called_at_module_scope.iter().any(|c| c == f)
                    && !self.calls_in_functions.iter().any(|(_, c)| c == f)
                    && !is_handler_name(f)
            };
            let factory = found.returned
                && found.function.as_deref().is_some_and(|f| {
                    let mut callers = self
                        .calls_in_functions
                        .iter()
                        .filter(|(_, c)| c == f)
                        .peekable();
                    uncalled_export(f)
                        || (!self.called_at_module_scope.iter().any(|c| c == f)
                            && callers.peek().is_some()
                            && callers.all(|(caller, _)| {
                                caller
                                    .as_deref()
                                    .is_some_and(|c| c != f && uncalled_export(c))
                            }))
                });
            let message = match &found.function {
                Some(name) => format!("`new PrismaClient()` runs on every call of `{name}`: each call opens a new connection pool"),
                None => "`new PrismaClient()` runs on every call of this function: each call opens a new connection pool".to_string(),
            };
            sink.report(
                Diagnostic::new(RULE.id, found.span, message)
                    .with_help(
                        "create the client once, at module scope (in Next.js with the `globalThis` guard), and import it where it is needed",
                    )
                    .guessed(called_once || factory),
                Vec::new(),
            );
        }
    }
}

impl Singleton {
    /// Functions of this file whose every call here runs once per process: from module scope,
    /// from a memoizer's callback, or from another such function.
    fn run_once(&self) -> std::collections::HashSet<String> {
        let mut once: std::collections::HashSet<String> =
            self.called_at_module_scope.iter().cloned().collect();
        once.insert(String::new()); // the memoizers' callbacks
        for _ in 0..8 {
            let mut changed = false;
            let callees: std::collections::HashSet<&String> =
                self.calls_in_functions.iter().map(|(_, c)| c).collect();
            for callee in callees {
                if once.contains(callee) {
                    continue;
                }
                let all_once = self
                    .calls_in_functions
                    .iter()
                    .filter(|(_, c)| c == callee)
                    .all(|(caller, _)| caller.as_ref().is_some_and(|c| once.contains(c)));
                if all_once {
                    once.insert(callee.clone());
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        once.remove("");
        once
    }

    /// A client made inside a function, unless it is memoized (assigned to something that
    /// outlives the call, or behind `??`/`||`) or the function disconnects it again (a script).
    fn per_call(&self, node: Node, cx: &FileCx) -> Option<InFunction> {
        let mut function = None;
        for ancestor in cx.ancestors.iter().rev() {
            match ancestor.k() {
                "assignment_expression" | "augmented_assignment_expression" => return None,
                "binary_expression" => {
                    let text = cx.text(*ancestor);
                    if text.contains("??") || text.contains("||") {
                        return None;
                    }
                }
                kind if is_function(kind) => {
                    function = Some(*ancestor);
                    break;
                }
                _ => {}
            }
        }
        let function = function?;
        if cx.text(function).contains("$disconnect") {
            return None;
        }
        // `remember('prisma', () => new PrismaClient())` at module scope: a memoizing helper
        // runs the factory once.
        let index = cx.ancestors.iter().position(|a| a.id() == function.id())?;
        // (A route registration, `app.get('/', (req, res) => ...)`, also passes a function to a
        // module-level call, but does not keep its result.)
        let is_argument = is_kept_argument(cx, index);
        let outermost = !cx.ancestors[..index].iter().any(|a| is_function(a.k()));
        if is_argument && outermost {
            return None;
        }
        // `(async () => { ... })();` at module scope: runs once, as the module loads (a
        // script's body).
        if outermost && is_iife(index, cx) {
            return None;
        }
        Some(InFunction {
            span: node.byte_range(),
            function: function_name(function, cx),
            returned: is_returned(node, function, index, cx),
        })
    }
}

/// Whether the call being entered hands its result to something that outlives the enclosing
/// function, so that later calls find it there: an assignment to a member (`global.prisma =
/// f()`, `this.client = f()`), `??=`/`||=`, or the right of `??`/`||` (`cached ?? f()`).
fn kept_result(node: Node, cx: &FileCx) -> bool {
    let mut child = node;
    for ancestor in cx.ancestors.iter().rev() {
        match ancestor.k() {
            "parenthesized_expression"
            | "await_expression"
            | "as_expression"
            | "non_null_expression"
            | "satisfies_expression" => {}
            "assignment_expression" => {
                return ancestor.field("right").map(|r| r.id()) == Some(child.id())
                    && ancestor.field("left").is_some_and(|l| {
                        matches!(l.k(), "member_expression" | "subscript_expression")
                    });
            }
            "augmented_assignment_expression" => {
                let op = ancestor.field("operator").map_or("", |o| cx.text(o));
                return matches!(op, "??=" | "||=");
            }
            "binary_expression" => {
                let op = ancestor.field("operator").map_or("", |o| cx.text(o));
                return matches!(op, "??" | "||")
                    && ancestor.field("right").map(|r| r.id()) == Some(child.id());
            }
            _ => return false,
        }
        child = *ancestor;
    }
    false
}

/// Whether the client constructed at `node` is what `function` (at `index` among the
/// ancestors) returns: in a `return` statement or an arrow's expression body, or held by a
/// variable the function returns.
fn is_returned(node: Node, function: Node, index: usize, cx: &FileCx) -> bool {
    let chain = &cx.ancestors[index + 1..];
    if chain.iter().any(|a| a.k() == "return_statement") {
        return true;
    }
    let body = function.field("body");
    if body.is_some_and(|b| b.k() != "statement_block")
        && chain
            .first()
            .is_some_and(|a| Some(a.id()) == body.map(|b| b.id()))
    {
        return true;
    }
    if body.is_some_and(|b| b.id() == node.id()) {
        return true;
    }
    let declared = chain
        .iter()
        .rev()
        .find(|a| a.k() == "variable_declarator")
        .and_then(|d| d.field("name"))
        .filter(|n| n.k() == "identifier")
        .map(|n| cx.text(n));
    declared.is_some_and(|name| {
        let text = cx.text(function);
        [";", "\n", " ", "}"]
            .iter()
            .any(|end| text.contains(&format!("return {name}{end}")))
    })
}

/// Whether the function at `index` among the ancestors is called where it is written:
/// `(async () => { ... })()`, `(function () { ... })()`.
fn is_iife(index: usize, cx: &FileCx) -> bool {
    let function = cx.ancestors[index];
    let mut at = index;
    let mut callee = function;
    while at > 0 && cx.ancestors[at - 1].k() == "parenthesized_expression" {
        at -= 1;
        callee = cx.ancestors[at];
    }
    at > 0
        && cx.ancestors[at - 1].k() == "call_expression"
        && cx.ancestors[at - 1]
            .field("function")
            .is_some_and(|f| f.id() == callee.id())
}

/// Names that frameworks call per request: route handlers of Next.js, Remix/React Router,
/// SvelteKit and Astro.
fn is_handler_name(name: &str) -> bool {
    matches!(
        name,
        "GET"
            | "POST"
            | "PUT"
            | "PATCH"
            | "DELETE"
            | "HEAD"
            | "OPTIONS"
            | "ALL"
            | "loader"
            | "action"
            | "handler"
            | "load"
            | "getServerSideProps"
    )
}

/// The name a function is known by: its own, or the variable or property it is assigned to.
fn function_name(function: Node, cx: &FileCx) -> Option<String> {
    if let Some(name) = function.field("name") {
        return Some(cx.text(name).to_string());
    }
    let index = cx.ancestors.iter().position(|a| a.id() == function.id())?;
    let parent = cx.ancestors.get(index.checked_sub(1)?)?;
    match parent.k() {
        "variable_declarator" | "pair" | "public_field_definition" => parent
            .field("name")
            .or_else(|| parent.field("key"))
            .map(|n| cx.text(n).to_string()),
        _ => None,
    }
}

fn module_level(node: Node, cx: &FileCx, sink: &mut Sink) {
    let uses_next = cx.project.package_for(cx.path).is_some_and(|p| p.uses_next);
    if !uses_next {
        return;
    }
    let guarded = ["globalThis", "global.", "global[", "global as"]
        .iter()
        .any(|g| cx.contains(g));
    if guarded || uses_http_adapter(cx) {
        return;
    }
    let mut diagnostic = Diagnostic::new(
        RULE.id,
        node.byte_range(),
        "a module-level `new PrismaClient()` in a Next.js app is created again on every hot reload, each with its own connection pool",
    )
    .with_help("keep one client on `globalThis` across reloads: `const prisma = globalForPrisma.prisma ?? new PrismaClient()`, stored back outside production");
    diagnostic.fix = guard_fix(node, cx);
    sink.report(diagnostic, Vec::new());
}

/// Driver adapters that send each query over HTTP (PlanetScale's and Neon's HTTP drivers,
/// Cloudflare D1): the client holds no connection pool, so a second client after a reload
/// holds no connections either.
const HTTP_ADAPTERS: &[&str] = &[
    "@prisma/adapter-planetscale",
    "PrismaNeonHTTP",
    "@prisma/adapter-d1",
];

fn uses_http_adapter(cx: &FileCx) -> bool {
    HTTP_ADAPTERS.iter().any(|a| cx.contains(a))
}

/// Rewrites `[export] const NAME = new PrismaClient(ARGS);` to the `globalThis` guard.
fn guard_fix(node: Node, cx: &FileCx) -> Option<Fix> {
    let n = cx.ancestors.len();
    let declarator = *cx.ancestors.get(n.checked_sub(1)?)?;
    let declaration = *cx.ancestors.get(n.checked_sub(2)?)?;
    if declarator.k() != "variable_declarator"
        || declaration.k() != "lexical_declaration"
        || declaration.named_child_count() != 1
    {
        return None;
    }
    let name = cx.text(declarator.field("name")?);
    if !name
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
    {
        return None;
    }
    let exported = n >= 3 && cx.ancestors[n - 3].k() == "export_statement";
    let statement = if exported {
        cx.ancestors[n - 3]
    } else {
        declaration
    };
    let typescript = matches!(
        cx.path.extension().and_then(|e| e.to_str()),
        Some("ts" | "tsx" | "mts" | "cts")
    );
    let holder = if typescript {
        format!("const globalForPrisma = globalThis as unknown as {{ {name}?: PrismaClient }};")
    } else {
        "const globalForPrisma = globalThis;".to_string()
    };
    let export = if exported { "export " } else { "" };
    let construct = cx.text(node);
    let replacement = format!(
        "{holder}\n\n{export}const {name} = globalForPrisma.{name} ?? {construct};\n\nif (process.env.NODE_ENV !== \"production\") globalForPrisma.{name} = {name};"
    );
    Some(Fix {
        applicability: Applicability::Safe,
        message: "keep the client on `globalThis` across hot reloads".to_string(),
        edits: vec![Edit {
            span: statement.byte_range(),
            replacement,
        }],
    })
}

/// The innermost function around the walk, and whether it runs inside a factory passed to a
/// module-level memoizer (`export const prisma = singleton("prisma", () => ...)`), directly or
/// in a function the factory defines (`{ buildWriter: (url) => buildWriterClient(url) }`).
fn innermost_function<'t>(cx: &FileCx<'t>) -> Option<(Node<'t>, bool)> {
    // Bounded: a call 50,000 levels deep in one function is not looked up that far.
    let n = cx.ancestors.len();
    let index = n
        - 1
        - cx.ancestors
            .iter()
            .rev()
            .take(64)
            .position(|a| is_function(a.k()))?;
    let function = cx.ancestors[index];
    // The outermost function sits near the top of the tree: found from the root.
    let outer = cx.ancestors.iter().position(|a| is_function(a.k()))?;
    Some((function, is_kept_argument(cx, outer)))
}

/// Whether the function at `cx.ancestors[index]` is an argument of a call whose result is
/// kept (`const prisma = singleton("prisma", () => ...)`): a memoizer, not a route registration.
fn is_kept_argument(cx: &FileCx, index: usize) -> bool {
    index >= 3
        && cx.ancestors[index - 1].k() == "arguments"
        && cx.ancestors[index - 2].k() == "call_expression"
        && matches!(
            cx.ancestors[index - 3].k(),
            "variable_declarator" | "assignment_expression" | "export_statement"
        )
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::messages;

    fn found(src: &str) -> Vec<String> {
        messages("prisma-client-singleton", src)
    }

    #[test]
    fn fail() {
        assert_eq!(
            found("export async function GET() { const prisma = new PrismaClient(); return prisma.user.findMany({ take: 10 }); }"),
            ["`new PrismaClient()` runs on every call of `GET`: each call opens a new connection pool"]
        );
        assert_eq!(
            found("export const getDb = () => new PrismaClient();").len(),
            1
        );
        // Exported and never called here: the callers elsewhere may keep it (medium); called
        // per call here, or a handler: high.
        let tier = |src: &str| -> Vec<_> {
            crate::rules::test_support::lint_rule("prisma-client-singleton", src, None)
                .into_iter()
                .map(|d| d.confidence)
                .collect()
        };
        use crate::diagnostic::Confidence::{High, Medium};
        assert_eq!(
            tier("export function createDatabaseClient(url) { return new PrismaClient({ datasourceUrl: url }); }"),
            [Medium]
        );
        assert_eq!(
            tier("export function getDb() { return new PrismaClient(); }\nexport async function GET() { return getDb().user.count(); }"),
            [High]
        );
        assert_eq!(
            tier("export function make(url) {\n  const client = new PrismaClient({ datasourceUrl: url }).$extends({});\n  return client;\n}"),
            [Medium]
        );
        // Made by an inner helper of an exported factory that returns it (civitai's
        // `createPrismaClients`).
        assert_eq!(
            tier("export function createClients() {\n  const make = (url) => { const c = new PrismaClient({ datasourceUrl: url }); return c; };\n  const dbWrite = make(a);\n  return { dbWrite, dbRead: make(b) };\n}"),
            [Medium]
        );
        // Used and dropped, not returned: a client per call.
        assert_eq!(
            tier("export async function reserve() { const local = new PrismaClient(); await local.stock.count(); }"),
            [High]
        );
        assert_eq!(
            tier("export async function loader() { const db = new PrismaClient(); return db.user.count(); }"),
            [High]
        );
        assert_eq!(found("app.get('/', async (req, res) => { const db = new PrismaClient(); res.json(await db.user.count()); });").len(), 1);
    }

    #[test]
    fn pass() {
        for src in [
            "export const prisma = new PrismaClient();",
            "let client; export function getClient() { if (!client) { client = new PrismaClient(); } return client; }",
            "export function getClient() { return (globalThis.prisma ??= new PrismaClient()); }",
            "const createClient = () => new PrismaClient().$extends({}); export const prisma = globalForPrisma.prisma ?? createClient();",
            "async function main() { const prisma = new PrismaClient(); await prisma.user.count(); await prisma.$disconnect(); } main();",
            "class Db { constructor() { this.client = new PrismaClient(); } }",
            "export const prisma = remember('prisma', () => new PrismaClient({ log: ['warn'] }));",
            // a server plugin, registered once at startup
            "import fastifyPlugin from 'fastify-plugin'; async function prismaPlugin(fastify) { const prisma = new PrismaClient(); fastify.decorate('prisma', prisma); } export default fastifyPlugin(prismaPlugin, { name: 'prisma' });",
            // a script's body, run once
            "(async () => { const prisma = new PrismaClient(); await run(prisma); process.exit(0); })();",
        ] {
            assert!(found(src).is_empty(), "{src}: {:?}", found(src));
        }
    }

    #[test]
    fn factories_called_once() {
        // A factory called only from a memoizer's callback, through another function.
        let once = "function build(url) { return pool ? new PrismaClient({ adapter }) : new PrismaClient({ datasources: { db: { url } } }); }\nfunction getClient() { return build(env.URL); }\nexport const prisma = singleton('prisma', () => getClient());";
        assert!(found(once).is_empty(), "{:?}", found(once));
        // Exported, it may be called per request from another file: medium, and once for the
        // two constructions of its ternary.
        let exported = once.replace("function build(", "export function build(");
        let d = crate::rules::test_support::lint_rule("prisma-client-singleton", &exported, None);
        assert_eq!(
            d.iter().map(|d| d.confidence).collect::<Vec<_>>(),
            [crate::diagnostic::Confidence::Medium]
        );
        // Called from a function the memoizer's factory defines: still once.
        let nested = "export function build(url) { return new PrismaClient({ datasources: { db: { url } } }); }\nexport const topology = singleton('t', () => makeTopology({ buildLegacy: (url) => build(url) }));";
        let d = crate::rules::test_support::lint_rule("prisma-client-singleton", nested, None);
        assert_eq!(
            d.iter().map(|d| d.confidence).collect::<Vec<_>>(),
            [crate::diagnostic::Confidence::Medium]
        );
        // Also called from a handler: per request.
        let handler =
            format!("{once}\nexport async function GET() {{ return build(x).user.count(); }}");
        assert_eq!(found(&handler).len(), 1, "{:?}", found(&handler));
    }

    #[test]
    fn a_factory_whose_result_is_kept_runs_once() {
        // comp's lazy client: the only call is kept on `global` behind a check.
        for keep in [
            "if (!globalForPrisma.prisma) { globalForPrisma.prisma = createPrismaClient(); } return globalForPrisma.prisma;",
            "return (globalThis.prisma ??= createPrismaClient());",
            "return globalForPrisma.prisma ?? (globalForPrisma.prisma = createPrismaClient());",
            "cache.client ||= createPrismaClient(); return cache.client;",
        ] {
            let src = format!("function createPrismaClient() {{ return new PrismaClient({{ adapter }}); }}\nfunction getClient() {{ {keep} }}\nexport const db = new Proxy({{}}, {{ get: (_t, p) => getClient()[p] }});");
            assert!(found(&src).is_empty(), "{keep}: {:?}", found(&src));
        }
        // Handed out fresh, or kept in a local: a new client per call.
        for fresh in [
            "return createPrismaClient();",
            "const client = createPrismaClient(); return client;",
            "return createPrismaClient() ?? fallback;",
        ] {
            let src = format!("function createPrismaClient() {{ return new PrismaClient({{ adapter }}); }}\nexport async function GET() {{ {fresh} }}");
            assert_eq!(found(&src).len(), 1, "{fresh}: {:?}", found(&src));
        }
    }
}
