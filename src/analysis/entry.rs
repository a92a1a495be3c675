//! Entry points: the functions a platform calls, where the code of a request, a job or a
//! command starts. A function is classified as the walk enters it (its ancestors are known, the
//! function itself not yet among them); the project index then walks the call graph up from a
//! finding to the entry points that reach it (the semantic index's `reached_from`).
//!
//! Requests: route handlers and middleware (Express, Koa, Fastify, Hono; Next.js route
//! exports and API routes; NestJS controller methods), tRPC procedures, server actions, Remix
//! and React Router loaders and actions, `getServerSideProps`, GraphQL resolvers. Jobs: NestJS
//! `@Cron`/`@Interval`/`@Timeout`/`@Process` methods, BullMQ processors and `Worker`s,
//! node-cron, node-schedule, `cron`'s `CronJob`, `setInterval`, Agenda, pg-boss, Inngest and
//! trigger.dev tasks. Scripts and tests are whole files ([`crate::source`]).

use super::node::NodeExt;
use super::server::handler_kind;
use super::syntax::{method_call, string_value, unwrap_expression};
use super::FileCx;
use std::path::{Component, Path};
use tree_sitter::Node;

/// What kind of code an entry point starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntryKind {
    /// A request: route handler, middleware, procedure, action, loader.
    Request,
    /// A GraphQL resolver (a request too).
    Resolver,
    /// A scheduled or queued job.
    Job,
    /// A script, migration or seed, run by hand.
    Script,
    /// Test code.
    Test,
}

impl EntryKind {
    /// The name the JSON output uses.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Request => "request",
            EntryKind::Resolver => "resolver",
            EntryKind::Job => "job",
            EntryKind::Script => "script",
            EntryKind::Test => "test",
        }
    }

    /// Whether the code runs once per request.
    pub fn serves_requests(self) -> bool {
        matches!(self, EntryKind::Request | EntryKind::Resolver)
    }
}

/// An entry point as it is named to the user: `GET /api/teams/[id]`, `cron job
/// TrashService.cleanup`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: EntryKind,
    pub name: String,
}

/// Decorators of NestJS (and type-graphql) methods that a GraphQL server calls.
const RESOLVER_DECORATORS: &[&str] = &[
    "@Query(",
    "@Mutation(",
    "@Subscription(",
    "@ResolveField(",
    "@FieldResolver(",
    "@ResolveProperty(",
];

/// Decorators of NestJS methods a scheduler or a queue calls.
const JOB_DECORATORS: &[(&str, &str)] = &[
    ("@Cron(", "cron job"),
    ("@Interval(", "interval job"),
    ("@Timeout(", "timeout job"),
    ("@Process(", "queue processor"),
    ("@SqsMessageHandler(", "queue consumer"),
    ("@RabbitSubscribe(", "queue consumer"),
];

/// Calls that schedule their function argument: (callee as written, ends with, what it is).
const SCHEDULING_CALLS: &[(&str, &str)] = &[
    ("cron.schedule", "cron job"),
    ("nodeCron.schedule", "cron job"),
    ("schedule.scheduleJob", "scheduled job"),
    ("scheduleJob", "scheduled job"),
    ("CronJob.from", "cron job"),
    ("setInterval", "interval job"),
    ("agenda.define", "Agenda job"),
    ("boss.work", "pg-boss worker"),
    ("createFunction", "Inngest function"),
];

/// Constructors that run their function argument as a job.
const JOB_CONSTRUCTORS: &[(&str, &str)] = &[("CronJob", "cron job"), ("Worker", "queue worker")];

/// Functions whose options object's `run` is a job (trigger.dev v3).
const TASK_FACTORIES: &[&str] = &["task", "schemaTask", "schedules.task"];

/// The entry point `function` is, if any.
pub fn classify<'t>(function: Node<'t>, cx: &FileCx<'t>) -> Option<Entry> {
    let n = cx.ancestors.len();
    let up = |k: usize| n.checked_sub(k).map(|i| cx.ancestors[i]);
    let (parent, grandparent, great) = (up(1), up(2), up(3));
    if let Some(kind) = handler_kind(function, parent, grandparent, great, cx) {
        return Some(request_entry(function, kind, parent, grandparent, cx));
    }
    if function.k() == "method_definition" {
        return decorated_method(function, cx).or_else(|| route_object_handler(function, cx));
    }
    if let Some(entry) = scheduled(function, parent, grandparent, cx) {
        return Some(entry);
    }
    if let Some(entry) = pages_api_route(function, parent, cx) {
        return Some(entry);
    }
    resolver_map_member(function, parent, grandparent, up(4), cx)
}

fn request_entry<'t>(
    function: Node<'t>,
    kind: &'static str,
    parent: Option<Node<'t>>,
    grandparent: Option<Node<'t>>,
    cx: &FileCx<'t>,
) -> Entry {
    let request = |name: String| Entry {
        kind: EntryKind::Request,
        name,
    };
    let src = cx.src;
    match kind {
        "route handler" | "middleware" => {
            // app.get('/teams/:id', handler)
            if let Some((_, method, args)) = grandparent.and_then(|c| method_call(c, src)) {
                let path = args
                    .named_child(0)
                    .map(unwrap_expression)
                    .and_then(|p| string_value(p, src));
                return request(match (kind, path) {
                    ("middleware", Some(p)) => format!("middleware on {p}"),
                    ("middleware", None) => "middleware".to_string(),
                    (_, Some(p)) => format!("{} {p}", method.to_ascii_uppercase()),
                    (_, None) => method.to_ascii_uppercase(),
                });
            }
            // export async function GET() {} in app/api/teams/[id]/route.ts, or wrapped:
            // export const GET = withAuth(async () => {})
            let name = exported_name(function, parent, src)
                .or_else(|| {
                    crate::analysis::server::wrapped_export(cx).map(|n| &src[n.byte_range()])
                })
                .unwrap_or("handler");
            request(match route_of(cx.path, "app") {
                Some(route) => format!("{name} {route}"),
                None => format!("`{name}` handler"),
            })
        }
        "tRPC procedure" => {
            // `byId: publicProcedure.query(...)` in a router, or `export const getFoldersRoute =
            // authenticatedProcedure.query(...)`.
            let key = cx
                .ancestors
                .iter()
                .rev()
                .take(8)
                .find(|a| matches!(a.k(), "pair" | "variable_declarator"))
                .and_then(|p| p.field("key").or_else(|| p.field("name")))
                .map(|k| src[k.byte_range()].trim_matches(['"', '\'']));
            // `adminProcedure.input(...).query(...)`, `protectedProcedure.requiresPermission(
            // "admin").query(...)`: a procedure only admins may call.
            let admin = grandparent.is_some_and(|call| admin_builder(call, src));
            let what = if admin {
                "tRPC admin procedure"
            } else {
                "tRPC procedure"
            };
            request(match key {
                Some(k) => format!("{what} `{k}`"),
                None => what.to_string(),
            })
        }
        "controller method" => request(controller_route(function, cx)),
        "loader" | "getServerSideProps" => {
            let name = exported_name(function, parent, src)
                .or_else(|| {
                    crate::analysis::server::wrapped_export(cx).map(|n| &src[n.byte_range()])
                })
                .unwrap_or(kind);
            let route = route_of(cx.path, "routes").or_else(|| route_of(cx.path, "pages"));
            request(match route {
                Some(r) => format!("`{name}` of {r}"),
                None => format!("`{name}`"),
            })
        }
        "server action" => request(match exported_name(function, parent, src) {
            Some(name) => format!("server action `{name}`"),
            None => "server action".to_string(),
        }),
        other => request(other.to_string()),
    }
}

/// Whether a tRPC procedure's builder names admins: its root (`adminProcedure`) or a link before
/// the operation (`.requiresPermission("admin")`, `.use(isAdmin)`), not the `.input(...)`,
/// `.output(...)` and `.meta(...)` schemas, which may name anything.
fn admin_builder(operation: Node, src: &str) -> bool {
    let (root, links) = super::orm::chain(operation, src);
    let text = |n: Node| src.get(n.byte_range()).unwrap_or("").to_ascii_lowercase();
    text(root).contains("admin")
        || links[..links.len().saturating_sub(1)]
            .iter()
            .filter(|(method, _)| !matches!(*method, "input" | "output" | "meta"))
            .any(|(method, args)| {
                method.to_ascii_lowercase().contains("admin") || text(*args).contains("admin")
            })
}

/// The name an exported function is declared with (`export async function GET`, `export const
/// loader = ...`).
fn exported_name<'t>(
    function: Node<'t>,
    parent: Option<Node<'t>>,
    src: &'t str,
) -> Option<&'t str> {
    let name = function.field("name").or_else(|| {
        parent
            .filter(|p| p.k() == "variable_declarator")?
            .field("name")
    })?;
    Some(&src[name.byte_range()])
}

/// The route a file stands for under the folder `root` (`app`, `pages`, `routes`): `/api/teams/[id]`
/// for `src/app/api/teams/[id]/route.ts`, without route groups (`(auth)`) and slots (`@modal`).
pub fn route_of(path: &Path, root: &str) -> Option<String> {
    let parts: Vec<&str> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect();
    let at = parts.iter().rposition(|p| *p == root)?;
    let mut route = String::new();
    let (dirs, file) = parts[at + 1..].split_at(parts.len().saturating_sub(at + 2));
    for dir in dirs {
        if dir.starts_with('(') || dir.starts_with('@') {
            continue;
        }
        route.push('/');
        route.push_str(dir);
    }
    let stem = file.first().and_then(|f| f.split('.').next()).unwrap_or("");
    if !matches!(stem, "route" | "page" | "index" | "_index" | "") {
        route.push('/');
        route.push_str(&file[0][..file[0].rfind('.').unwrap_or(file[0].len())]);
    }
    if route.is_empty() {
        route.push('/');
    }
    Some(route)
}

/// The decorators of a method: its children or the decorators just before it.
fn decorators<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    let mut cursor = node.walk();
    out.extend(node.children(&mut cursor).filter(|c| c.k() == "decorator"));
    let mut previous = node.prev_named_sibling();
    while let Some(d) = previous.filter(|d| d.k() == "decorator") {
        out.push(d);
        previous = d.prev_named_sibling();
    }
    out
}

/// The class around the walk and its decorators (on the class, or on its `export`).
fn enclosing_class<'t>(cx: &FileCx<'t>) -> Option<(Node<'t>, Vec<Node<'t>>)> {
    let class = *cx
        .ancestors
        .iter()
        .rev()
        .take(4)
        .find(|a| super::syntax::is_class(a.k()))?;
    let mut found = decorators(class);
    if let Some(export) = class.parent().filter(|p| p.k() == "export_statement") {
        let mut cursor = export.walk();
        found.extend(
            export
                .children(&mut cursor)
                .filter(|c| c.k() == "decorator"),
        );
    }
    Some((class, found))
}

/// A method a controller registers by reference in a route object: `this.route({ method:
/// 'post', path: '/:id', handler: this.changePassword })` (Unleash's controllers). Named by the
/// object's method and path.
fn route_object_handler<'t>(method: Node<'t>, cx: &FileCx<'t>) -> Option<Entry> {
    let name = cx.text(method.field("name")?);
    if !cx.contains("this.route(") {
        return None;
    }
    let src = cx.src;
    let needle = format!("handler: this.{name}");
    let mut from = 0;
    while let Some(found) = src.get(from..).and_then(|rest| rest.find(&needle)) {
        let at = from + found;
        from = at + needle.len();
        let next = src.get(from..).and_then(|r| r.chars().next());
        if next.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        // The route object around it.
        let start = src.get(..at)?.rfind("this.route(")?;
        let end = src.get(from..)?.find("})").map_or(src.len(), |e| from + e);
        let object = src.get(start..end)?;
        let value_of = |key: &str| -> Option<String> {
            let at = object.find(&format!("{key}:"))? + key.len() + 1;
            let rest = object.get(at..)?.trim_start();
            let quote = rest
                .chars()
                .next()
                .filter(|q| matches!(q, '\'' | '"' | '`'))?;
            let rest = rest.get(1..)?;
            Some(rest.get(..rest.find(quote)?)?.to_string())
        };
        let verb = value_of("method").map(|m| m.to_ascii_uppercase());
        let path = value_of("path");
        return Some(Entry {
            kind: EntryKind::Request,
            name: match (verb, path) {
                (Some(v), Some(p)) => format!("{v} {}", if p.is_empty() { "/" } else { &p }),
                _ => format!("route handler `{name}`"),
            },
        });
    }
    None
}

fn decorated_method<'t>(method: Node<'t>, cx: &FileCx<'t>) -> Option<Entry> {
    let src = cx.src;
    let own = decorators(method);
    let text = |d: &Node| &src[d.byte_range()];
    let class = enclosing_class(cx);
    let name = {
        let method_name = method.field("name").map_or("", |n| &src[n.byte_range()]);
        let class_name = class
            .as_ref()
            .and_then(|(c, _)| c.field("name"))
            .map_or("", |n| &src[n.byte_range()]);
        if class_name.is_empty() {
            method_name.to_string()
        } else {
            format!("{class_name}.{method_name}")
        }
    };
    if own
        .iter()
        .any(|d| RESOLVER_DECORATORS.iter().any(|r| text(d).starts_with(r)))
    {
        return Some(Entry {
            kind: EntryKind::Resolver,
            name: format!("resolver `{name}`"),
        });
    }
    if let Some((_, what)) = JOB_DECORATORS
        .iter()
        .find(|(d, _)| own.iter().any(|o| text(o).starts_with(d)))
    {
        return Some(Entry {
            kind: EntryKind::Job,
            name: format!("{what} `{name}`"),
        });
    }
    // @Processor('emails') class EmailProcessor extends WorkerHost { async process(job) {} }
    let processor = class
        .as_ref()
        .is_some_and(|(_, ds)| ds.iter().any(|d| text(d).starts_with("@Processor(")));
    let method_name = method.field("name").map(|n| &src[n.byte_range()]);
    if processor && method_name == Some("process") {
        return Some(Entry {
            kind: EntryKind::Job,
            name: format!("queue processor `{name}`"),
        });
    }
    None
}

/// `GET /teams/:id` for `@Get(':id')` in `@Controller('teams')`.
fn controller_route(method: Node, cx: &FileCx) -> String {
    let src = cx.src;
    let argument = |d: &str| -> Option<String> {
        let open = d.find('(')?;
        let inner = d[open + 1..].trim_end_matches(')').trim();
        let quoted = inner.trim_matches(['\'', '"', '`']);
        (inner.len() > quoted.len() && !quoted.contains(['\'', '"', '`', ',']))
            .then(|| quoted.trim_matches('/').to_string())
    };
    let verb = decorators(method).into_iter().find_map(|d| {
        let t = &src[d.byte_range()];
        let verb = t.strip_prefix('@')?.split('(').next()?;
        matches!(
            verb,
            "Get" | "Post" | "Put" | "Patch" | "Delete" | "All" | "Head" | "Options"
        )
        .then(|| (verb.to_ascii_uppercase(), argument(t)))
    });
    let prefix = enclosing_class(cx).and_then(|(_, ds)| {
        ds.iter().find_map(|d| {
            let t = &src[d.byte_range()];
            t.starts_with("@Controller(").then(|| argument(t)).flatten()
        })
    });
    let Some((verb, path)) = verb else {
        return "controller method".to_string();
    };
    let mut route = String::new();
    for part in [prefix, path].into_iter().flatten() {
        if !part.is_empty() {
            route.push('/');
            route.push_str(&part);
        }
    }
    if route.is_empty() {
        route.push('/');
    }
    format!("{verb} {route}")
}

/// A function a scheduler or a queue runs: an argument of `cron.schedule(...)`, `new
/// CronJob(...)`, `new Worker(...)`, `setInterval(...)`, or the `run` of a trigger.dev task.
fn scheduled<'t>(
    function: Node<'t>,
    parent: Option<Node<'t>>,
    grandparent: Option<Node<'t>>,
    cx: &FileCx<'t>,
) -> Option<Entry> {
    let src = cx.src;
    let job = |what: &str, name: Option<&str>| Entry {
        kind: EntryKind::Job,
        name: match name {
            Some(n) => format!("{what} `{n}`"),
            None => what.to_string(),
        },
    };
    let (parent, call) = (parent?, grandparent?);
    if parent.k() == "arguments" {
        let first_string = parent
            .named_child(0)
            .filter(|f| f.id() != function.id())
            .map(unwrap_expression)
            .and_then(|f| string_value(f, src));
        if call.k() == "new_expression" {
            let constructor = call.field("constructor").map(|c| &src[c.byte_range()])?;
            let (_, what) = JOB_CONSTRUCTORS.iter().find(|(c, _)| *c == constructor)?;
            return Some(job(what, first_string));
        }
        if call.k() != "call_expression" {
            return None;
        }
        let callee = call.field("function").map(|c| &src[c.byte_range()])?;
        if let Some((_, what)) = SCHEDULING_CALLS
            .iter()
            .find(|(c, _)| callee == *c || callee.ends_with(&format!(".{c}")))
        {
            return Some(job(what, first_string));
        }
        // queue.process('name', job => ...) (Bull): a queue by its name.
        if let Some((object, "process", _)) = method_call(call, src) {
            if src[object.byte_range()]
                .to_ascii_lowercase()
                .contains("queue")
            {
                return Some(job("queue processor", first_string));
            }
        }
        return None;
    }
    // task({ id: 'send-digest', run: async () => {} }), new CronJob({ onTick })
    if parent.k() != "pair" || call.k() != "object" {
        return None;
    }
    let key = parent.field("key").map(|k| &src[k.byte_range()])?;
    let factory = call
        .parent()
        .filter(|a| a.k() == "arguments")
        .and_then(|a| a.parent())?;
    let callee = match factory.k() {
        "call_expression" => factory.field("function"),
        "new_expression" => factory.field("constructor"),
        _ => None,
    }
    .map(|c| &src[c.byte_range()])?;
    let id = || {
        let mut cursor = call.walk();
        let found = call.named_children(&mut cursor).find_map(|p| {
            (p.k() == "pair" && p.field("key").is_some_and(|k| &src[k.byte_range()] == "id"))
                .then(|| p.field("value").and_then(|v| string_value(v, src)))
                .flatten()
        });
        found
    };
    match key {
        "run" if TASK_FACTORIES.contains(&callee) => Some(job("task", id())),
        "onTick" if callee == "CronJob" || callee == "CronJob.from" => Some(job("cron job", None)),
        _ => None,
    }
}

/// The default export of a Next.js API route (`pages/api/teams/[id].ts`), also when it is
/// declared first and exported by name (`export default handler`, `export default withAuth(handler)`).
fn pages_api_route<'t>(
    function: Node<'t>,
    parent: Option<Node<'t>>,
    cx: &FileCx<'t>,
) -> Option<Entry> {
    if !cx.path.to_string_lossy().contains("pages") {
        return None;
    }
    let route = route_of(cx.path, "pages").filter(|r| r.starts_with("/api"))?;
    let parent = parent?;
    let default = parent.k() == "export_statement" && cx.text(parent).starts_with("export default");
    let named = exported_name(function, Some(parent), cx.src).is_some_and(|name| {
        cx.names("export default ", name, "")
            || (cx.names("(", name, ")") || cx.names("(", name, ","))
                && cx.contains("export default")
    });
    // `export default withAuth(handler, { administrator: true })`: a wrapper that admits only
    // admins (zipline).
    let admin_only = named
        && cx
            .src
            .find("export default")
            .and_then(|at| cx.src.get(at..))
            .is_some_and(|rest| {
                let end = rest.find(';').unwrap_or(rest.len()).min(400);
                rest.get(..end)
                    .is_some_and(|text| text.to_ascii_lowercase().contains("admin"))
            });
    (default || named).then(|| Entry {
        kind: EntryKind::Request,
        name: if admin_only {
            format!("API route {route} (admin)")
        } else {
            format!("API route {route}")
        },
    })
}

/// `Query: { teams: () => ... }` in a resolver map of a file that uses GraphQL: a root field.
fn resolver_map_member<'t>(
    function: Node<'t>,
    parent: Option<Node<'t>>,
    object: Option<Node<'t>>,
    type_pair: Option<Node<'t>>,
    cx: &FileCx<'t>,
) -> Option<Entry> {
    let src = cx.src;
    let (field, object, type_pair) = match (function.k(), parent?) {
        ("method_definition", _) => return None,
        (_, p) if p.k() == "pair" => (p.field("key")?, object?, type_pair?),
        _ => return None,
    };
    if object.k() != "object" || type_pair.k() != "pair" {
        return None;
    }
    let type_name = src[type_pair.field("key")?.byte_range()].trim_matches(['"', '\'']);
    if !matches!(type_name, "Query" | "Mutation" | "Subscription")
        || !super::syntax::uses_graphql(cx)
    {
        return None;
    }
    Some(Entry {
        kind: EntryKind::Resolver,
        name: format!("resolver `{type_name}.{}`", &src[field.byte_range()]),
    })
}

/// Whether an entry point is an admin tool, by where it is or the route it serves: a folder or
/// file named `admin` (`admin/`, `admin-api/`, `*.admin.ts`, `admin.controller.ts`), or a
/// route under `/admin`.
pub fn is_admin(path: &Path, name: &str) -> bool {
    let admin_part = |s: &str| {
        s.to_ascii_lowercase()
            .split(['-', '_', '.'])
            .any(|w| w == "admin")
    };
    path.components().any(|c| match c {
        Component::Normal(s) => s.to_str().is_some_and(admin_part),
        _ => false,
    }) || name.contains("/admin")
        || name.starts_with("tRPC admin procedure")
        || name.ends_with("(admin)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_from_paths() {
        let p = Path::new("apps/web/src/app/api/teams/[id]/route.ts");
        assert_eq!(route_of(p, "app").as_deref(), Some("/api/teams/[id]"));
        let p = Path::new("app/(auth)/@modal/login/page.tsx");
        assert_eq!(route_of(p, "app").as_deref(), Some("/login"));
        let p = Path::new("src/pages/api/teams/[id].ts");
        assert_eq!(route_of(p, "pages").as_deref(), Some("/api/teams/[id]"));
        let p = Path::new("src/pages/api/index.ts");
        assert_eq!(route_of(p, "pages").as_deref(), Some("/api"));
        assert_eq!(route_of(Path::new("src/lib/x.ts"), "app"), None);
    }

    #[test]
    fn admin_by_folder_file_or_route() {
        assert!(is_admin(Path::new("src/admin/teams.ts"), "GET /teams"));
        assert!(is_admin(Path::new("src/api/admin-api/x.ts"), "x"));
        assert!(is_admin(Path::new("src/team/team.admin.resolver.ts"), "x"));
        assert!(is_admin(Path::new("src/x.ts"), "GET /admin/teams"));
        assert!(is_admin(
            Path::new("src/pages/api/invite.ts"),
            "API route /api/invite (admin)"
        ));
        assert!(!is_admin(
            Path::new("src/administration/x.ts"),
            "GET /teams"
        ));
        assert!(!is_admin(Path::new("src/badminton/x.ts"), "GET /teams"));
    }
}
