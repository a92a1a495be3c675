//! Predicates about where code runs on a server: module scope, per-request functions (route
//! handlers, middleware, loaders, server actions, tRPC procedures, NestJS controller methods),
//! and what a name was imported from. Shared by the memory rules.

use super::syntax::{is_function, method_call, string_value, unwrap_expression};
use super::{FileCx, Frame};
use crate::analysis::node::NodeExt;
use tree_sitter::Node;

/// Methods of Express/Koa/Fastify/Hono apps and routers that register a request handler.
const ROUTE_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "del", "all", "use", "options", "head",
];

/// Names a module exports for code that runs once per request: Next.js route handlers, Remix and
/// React Router loaders and actions, `getServerSideProps`.
const REQUEST_EXPORTS: &[&str] = &[
    "GET",
    "POST",
    "PUT",
    "PATCH",
    "DELETE",
    "HEAD",
    "OPTIONS",
    "loader",
    "action",
    "getServerSideProps",
];

/// NestJS decorators of controller methods that handle a request.
const NEST_ROUTE_DECORATORS: &[&str] = &[
    "@Get(",
    "@Post(",
    "@Put(",
    "@Patch(",
    "@Delete(",
    "@All(",
    "@Head(",
    "@Options(",
];

/// Whether the walk is at module scope: in no function or class, except functions that run where
/// they stand (IIFEs, callbacks of `xs.forEach(...)`/`xs.map(...)` run while the module loads).
pub fn at_module_scope(cx: &FileCx) -> bool {
    cx.frames.iter().all(|frame| match frame {
        Frame::Function {
            transparent,
            per_element,
            ..
        } => *transparent || per_element.is_some(),
        Frame::Loop { .. } => true,
        Frame::Class { .. } => false,
    })
}

/// The module specifier `name` was imported or required from, if any.
pub fn import_of<'c>(cx: &'c FileCx, name: &str) -> Option<&'c str> {
    cx.imports.get(name).map(String::as_str)
}

/// Whether `name` was imported from one of `packages` (`pkg` or `pkg/sub`).
pub fn imported_from(cx: &FileCx, name: &str, packages: &[&str]) -> bool {
    import_of(cx, name).is_some_and(|spec| {
        packages
            .iter()
            .any(|p| spec == *p || spec.strip_prefix(p).is_some_and(|r| r.starts_with('/')))
    })
}

/// Whether the file starts with a `"use client"` directive (it may still be pre-rendered, but it
/// is not server code in the sense of these rules).
pub fn is_client_module(src: &str) -> bool {
    directive(src, "use client")
}

/// Whether the file starts with a `"use server"` directive (every export is a server action).
pub fn is_server_action_module(src: &str) -> bool {
    directive(src, "use server")
}

fn directive(src: &str, name: &str) -> bool {
    let mut rest = src.trim_start();
    // Leading comments may precede a directive.
    loop {
        if let Some(after) = rest.strip_prefix("//") {
            rest = after.split_once('\n').map_or("", |(_, r)| r).trim_start();
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, r)| r).trim_start();
        } else {
            break;
        }
    }
    [format!("\"{name}\""), format!("'{name}'")]
        .iter()
        .any(|d| rest.starts_with(d.as_str()))
}

/// The innermost function around the current node that runs once per request, as
/// (function node, what kind of handler it is). Looks through callbacks nested in it.
pub fn request_handler<'t>(cx: &FileCx<'t>) -> Option<(Node<'t>, &'static str)> {
    let n = cx.ancestors.len();
    for i in (0..n).rev() {
        let node = cx.ancestors[i];
        if !is_function(node.k()) {
            continue;
        }
        let parent = i.checked_sub(1).map(|j| cx.ancestors[j]);
        let grandparent = i.checked_sub(2).map(|j| cx.ancestors[j]);
        let great = i.checked_sub(3).map(|j| cx.ancestors[j]);
        if let Some(kind) = handler_kind(node, parent, grandparent, great, cx) {
            return Some((node, kind));
        }
        // `export default function handler(req, res)` in a Next.js `pages/api/` file.
        if parent.is_some_and(|p| {
            p.k() == "export_statement" && cx.text(p).starts_with("export default")
        }) && cx
            .project
            .package_for(cx.path)
            .and_then(|p| rendered_route(cx.path, p))
            .is_some_and(|what| what.ends_with("API route"))
        {
            return Some((node, "API route"));
        }
    }
    None
}

/// What kind of per-request function `function` is, given its nearest ancestors.
pub(crate) fn handler_kind(
    function: Node,
    parent: Option<Node>,
    grandparent: Option<Node>,
    great: Option<Node>,
    cx: &FileCx,
) -> Option<&'static str> {
    let src = cx.src;
    // app.get('/x', handler), router.use(middleware), fastify.post(path, opts, handler)
    if let (Some(args), Some(call)) = (parent, grandparent) {
        if args.k() == "arguments" {
            if let Some((object, method, _)) = method_call(call, src) {
                if ROUTE_METHODS.contains(&method) && is_route_call(object, args, method, cx) {
                    return Some(if method == "use" {
                        "middleware"
                    } else {
                        "route handler"
                    });
                }
                if matches!(method, "query" | "mutation" | "subscription")
                    && src[object.byte_range()].contains("rocedure")
                {
                    return Some("tRPC procedure");
                }
                if method == "addHook" {
                    return Some("request hook");
                }
                // server.on("request", (req, res) => ...), io.on("connection", (socket) => ...)
                if let Some(kind) = event_handler(object, method, args, function, cx) {
                    return Some(kind);
                }
            }
            // http.createServer((req, res) => ...), createServer(options, listener)
            if let Some(callee) = call.field("function") {
                if is_create_server(callee, cx) && args.named_child(0).is_some() {
                    return Some("request listener");
                }
            }
        }
        // fastify.route({ handler }) and server.route({ method, path, handler })
        if args.k() == "pair" {
            let key = args.field("key").map(|k| &src[k.byte_range()]);
            let route_object = call.k() == "object";
            if key == Some("handler") && route_object && great.is_some_and(|a| a.k() == "arguments")
            {
                return Some("route handler");
            }
        }
    }
    // export async function GET() {} / export const loader = async () => {}
    let exported_name = match (function.k(), parent) {
        ("function_declaration" | "generator_function_declaration", Some(p))
            if p.k() == "export_statement" =>
        {
            function.field("name")
        }
        (_, Some(p)) if p.k() == "variable_declarator" => {
            let exported = grandparent
                .zip(great)
                .is_some_and(|(_, e)| e.k() == "export_statement");
            p.field("name").filter(|_| exported)
        }
        _ => None,
    };
    // export const POST = withError("route", async (req) => {}): a handler wrapped by the
    // project's own middleware, also several deep (`withAuth(withError(fn))`).
    let exported_name = exported_name.or_else(|| wrapped_export(cx));
    if let Some(name) = exported_name {
        let name = &src[name.byte_range()];
        if REQUEST_EXPORTS.contains(&name) {
            return Some(match name {
                "loader" | "action" => "loader",
                "getServerSideProps" => "getServerSideProps",
                _ => "route handler",
            });
        }
        if is_server_action_module(src) {
            return Some("server action");
        }
    }
    if function.k() != "method_definition" && has_use_server(function, src) {
        return Some("server action");
    }
    // @Get() handle() {} in a NestJS controller
    if function.k() == "method_definition" && has_route_decorator(function, src) {
        return Some("controller method");
    }
    None
}

/// The name of the exported variable whose value wraps the function being entered in calls:
/// `export const GET = withError("name", async (req) => {})`, up to three wrappers deep. The
/// function is an argument of each call, the outermost call is the variable's value.
pub(crate) fn wrapped_export<'t>(cx: &FileCx<'t>) -> Option<Node<'t>> {
    let mut i = cx.ancestors.len();
    let mut wrappers = 0;
    loop {
        let args = *cx.ancestors.get(i.checked_sub(1)?)?;
        let call = *cx.ancestors.get(i.checked_sub(2)?)?;
        if args.k() != "arguments" || call.k() != "call_expression" || wrappers == 3 {
            break;
        }
        wrappers += 1;
        i -= 2;
    }
    if wrappers == 0 {
        return None;
    }
    let declarator = *cx.ancestors.get(i.checked_sub(1)?)?;
    let export = *cx.ancestors.get(i.checked_sub(3)?)?;
    (declarator.k() == "variable_declarator" && export.k() == "export_statement")
        .then(|| declarator.field("name"))
        .flatten()
}

/// Modules whose `createServer` takes a request listener.
const HTTP_MODULES: &[&str] = &[
    "http",
    "https",
    "http2",
    "node:http",
    "node:https",
    "node:http2",
];

/// `http.createServer`, `https.createServer`, or `createServer` imported from one of them.
fn is_create_server(callee: Node, cx: &FileCx) -> bool {
    match callee.k() {
        "identifier" => {
            cx.text(callee) == "createServer"
                && import_of(cx, "createServer").is_some_and(|m| HTTP_MODULES.contains(&m))
        }
        "member_expression" => {
            callee
                .field("property")
                .is_some_and(|p| cx.text(p) == "createServer" || cx.text(p) == "createSecureServer")
                && callee.field("object").is_some_and(|o| {
                    let name = cx.text(o);
                    import_of(cx, name).is_some_and(|m| HTTP_MODULES.contains(&m))
                        || HTTP_MODULES.contains(&name)
                })
        }
        _ => false,
    }
}

/// Receivers whose `connection` event fires once per client: WebSocket and Socket.IO servers,
/// their namespaces, and net/http servers.
const CONNECTION_RECEIVERS: &[&str] = &["io", "wss", "ws", "server", "socket", "nsp", "namespace"];

/// `server.on("request", listener)` runs per request; `io.on("connection", handler)` and
/// `wss.on("connection", handler)` once per client connection.
fn event_handler(
    object: Node,
    method: &str,
    args: Node,
    function: Node,
    cx: &FileCx,
) -> Option<&'static str> {
    if !matches!(method, "on" | "once" | "addListener") {
        return None;
    }
    let event = args
        .named_child(0)
        .map(unwrap_expression)
        .and_then(|e| string_value(e, cx.src))?;
    let is_listener = args
        .named_child(1)
        .is_some_and(|l| l.byte_range() == function.byte_range());
    if !is_listener {
        return None;
    }
    match event {
        "request" => Some("request listener"),
        "connection" | "connect" => {
            // `wss`, `this.io`, `io.of("/admin")`: a segment of the receiver names the server.
            let receiver = cx.text(object).to_ascii_lowercase();
            receiver
                .split(['.', '('])
                .any(|segment| CONNECTION_RECEIVERS.iter().any(|r| segment.ends_with(r)))
                .then_some("connection handler")
        }
        _ => None,
    }
}

/// `app.get('/path', fn)`: a route method on something that is not an array or a map, with a
/// path (or, for `use`, a function) as its first argument.
fn is_route_call(object: Node, args: Node, method: &str, cx: &FileCx) -> bool {
    let Some(first) = args.named_child(0) else {
        return false;
    };
    let first = unwrap_expression(first);
    let path_first = matches!(first.k(), "string" | "template_string" | "regex")
        && string_value(first, cx.src).is_none_or(|s| s.starts_with('/') || s == "*");
    let object = cx.text(object);
    let routerish = ["app", "router", "server", "fastify", "api", "route", "hono"]
        .iter()
        .any(|r| object.to_ascii_lowercase().contains(r));
    // next-connect: `const router = createRouter()` (or `nc()`), then `router.get(handler)`.
    let next_connect = cx
        .imports
        .iter()
        .filter(|(_, module)| module.as_str() == "next-connect")
        .any(|(local, _)| {
            cx.src.contains(&format!("{object} = {local}("))
                || cx.src.contains(&format!("{object} = {local}<"))
        });
    if next_connect {
        return true;
    }
    match method {
        "use" => routerish,
        _ => path_first && (routerish || args.named_child_count() >= 2),
    }
}

/// A `"use server"` directive as the first statement of a function body.
fn has_use_server(function: Node, src: &str) -> bool {
    let Some(body) = function.field("body") else {
        return false;
    };
    if body.k() != "statement_block" {
        return false;
    }
    body.named_child(0).is_some_and(|first| {
        first.k() == "expression_statement"
            && first
                .named_child(0)
                .and_then(|s| string_value(s, src))
                .is_some_and(|s| s == "use server")
    })
}

/// NestJS `@Get()`-style decorators on a method (children of the method, or its preceding
/// siblings in the class body, depending on the grammar).
fn has_route_decorator(method: Node, src: &str) -> bool {
    let decorated = |node: Node| {
        node.k() == "decorator"
            && NEST_ROUTE_DECORATORS
                .iter()
                .any(|d| src[node.byte_range()].starts_with(d))
    };
    let mut cursor = method.walk();
    if method.children(&mut cursor).any(decorated) {
        return true;
    }
    let mut previous = method.prev_named_sibling();
    while let Some(node) = previous {
        if node.k() != "decorator" {
            break;
        }
        if decorated(node) {
            return true;
        }
        previous = node.prev_named_sibling();
    }
    false
}

/// What a file is to the framework that renders its package on the server per request, if it
/// is a route module that framework loads: `a Next.js layout`, `a Next.js page`, `a Remix route`.
/// Client components among them (`"use client"`) are rendered on the server too.
pub fn rendered_route(path: &std::path::Path, package: &crate::project::Package) -> Option<String> {
    use crate::project::Ssr;
    let ssr = package.ssr?;
    let path = crate::source::absolute(path);
    let rel = path.strip_prefix(&package.dir).ok()?;
    let parts: Vec<&str> = rel.iter().filter_map(|c| c.to_str()).collect();
    let (file, dirs) = parts.split_last()?;
    let stem = file.split('.').next().unwrap_or(file);
    // `app/...` or `src/app/...`, the route folder at the package's root.
    let under = |root: &str| -> Option<&[&str]> {
        match dirs {
            [first, rest @ ..] if *first == root => Some(rest),
            ["src", first, rest @ ..] if *first == root => Some(rest),
            _ => None,
        }
    };
    let name = ssr.name();
    match ssr {
        Ssr::Next => {
            if under("app").is_some() {
                let kind = match stem {
                    "page" => "page",
                    "layout" => "layout",
                    "template" => "template",
                    "default" => "default page",
                    "not-found" | "error" | "global-error" | "loading" => "special page",
                    "route" => "route handler",
                    _ => return None,
                };
                return Some(format!("a {name} {kind}"));
            }
            let pages = under("pages")?;
            Some(match (pages.first(), stem) {
                (Some(&"api"), _) => format!("a {name} API route"),
                (None, "_app") => format!("the {name} app component"),
                (None, "_document") => format!("the {name} document"),
                _ => format!("a {name} page"),
            })
        }
        Ssr::Remix | Ssr::ReactRouter => {
            let app = under("app")?;
            match (app.first(), stem) {
                (None, "root") => Some(format!("the {name} root route")),
                (None, "entry") if file.starts_with("entry.server.") => {
                    Some(format!("the {name} server entry"))
                }
                (Some(&"routes"), _) => Some(format!("a {name} route")),
                _ => None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::{Package, Ssr};
    use std::path::{Path, PathBuf};

    #[test]
    fn route_modules_of_server_rendering_frameworks() {
        let package = |ssr| Package {
            dir: PathBuf::from("/w/app"),
            ssr: Some(ssr),
            ..Package::default()
        };
        let route = |ssr, path: &str| rendered_route(Path::new(path), &package(ssr));
        assert_eq!(
            route(Ssr::Next, "/w/app/src/app/(shop)/cart/page.tsx").as_deref(),
            Some("a Next.js page")
        );
        assert_eq!(
            route(Ssr::Next, "/w/app/app/layout.tsx").as_deref(),
            Some("a Next.js layout")
        );
        assert_eq!(
            route(Ssr::Next, "/w/app/app/api/x/route.ts").as_deref(),
            Some("a Next.js route handler")
        );
        assert_eq!(route(Ssr::Next, "/w/app/app/providers.tsx"), None);
        assert_eq!(
            route(Ssr::Next, "/w/app/pages/_app.tsx").as_deref(),
            Some("the Next.js app component")
        );
        assert_eq!(
            route(Ssr::Next, "/w/app/src/pages/api/hook.ts").as_deref(),
            Some("a Next.js API route")
        );
        assert_eq!(
            route(Ssr::Next, "/w/app/src/pages/teams/[id].tsx").as_deref(),
            Some("a Next.js page")
        );
        // A folder named `app` deeper down is not the router's.
        assert_eq!(route(Ssr::Next, "/w/app/src/features/app/page.tsx"), None);
        assert_eq!(route(Ssr::Next, "/w/other/app/page.tsx"), None);
        assert_eq!(
            route(Ssr::Remix, "/w/app/app/root.tsx").as_deref(),
            Some("the Remix root route")
        );
        assert_eq!(
            route(Ssr::ReactRouter, "/w/app/app/routes/home.tsx").as_deref(),
            Some("a React Router route")
        );
        assert_eq!(
            route(Ssr::Remix, "/w/app/app/entry.server.tsx").as_deref(),
            Some("the Remix server entry")
        );
        assert_eq!(route(Ssr::Remix, "/w/app/app/entry.client.tsx"), None);
        let none = Package {
            dir: PathBuf::from("/w/app"),
            ..Package::default()
        };
        assert_eq!(
            rendered_route(Path::new("/w/app/app/page.tsx"), &none),
            None
        );
    }
}
