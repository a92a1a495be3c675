//! `shared-query-client`: one TanStack `QueryClient` at module scope in code that renders on the
//! server, so every request shares (and keeps) one cache.

use super::{Category, Check, FixKind, Rule};
use crate::analysis::node::NodeExt;
use crate::analysis::server::{at_module_scope, imported_from, is_client_module};
use crate::analysis::{self, Condition, FileCx, Sink};
use crate::diagnostic::{Diagnostic, Severity};
use tree_sitter::Node;

pub static RULE: Rule = Rule {
    id: "shared-query-client",
    category: Category::Memory,
    severity: Severity::Warning,
    fix: FixKind::None,
    summary:
        "one TanStack QueryClient at module scope in server-rendered code, shared by all requests",
    doc: include_str!("../../rules/shared-query-client.md"),
    options: &[],
    needles: &[&["new QueryClient"]],
    precheck: None,
    check: Check::Node(check),
};

const PACKAGES: &[&str] = &[
    "@tanstack/react-query",
    "@tanstack/query-core",
    "@tanstack/solid-query",
    "@tanstack/vue-query",
    "@tanstack/svelte-query",
    "react-query",
];

/// Text that shows a module runs per request on the server.
const SERVER_MARKERS: &[(&str, &str)] = &[
    ("export async function loader", "it exports a `loader`"),
    ("export function loader", "it exports a `loader`"),
    ("export const loader", "it exports a `loader`"),
    ("getServerSideProps", "it exports `getServerSideProps`"),
    (
        "renderToPipeableStream",
        "it calls `renderToPipeableStream`",
    ),
    (
        "renderToReadableStream",
        "it calls `renderToReadableStream`",
    ),
    ("renderToString", "it calls `renderToString`"),
    ("dehydrate(", "it dehydrates the cache for the client"),
];

/// Next.js app-router files that are server components unless marked `"use client"`.
const APP_ROUTER_FILES: &[&str] = &[
    "page",
    "layout",
    "template",
    "route",
    "default",
    "not-found",
];

fn check(node: Node, cx: &FileCx, sink: &mut Sink) {
    if node.k() != "new_expression" || cx.is_test || !at_module_scope(cx) {
        return;
    }
    let Some(constructor) = node.field("constructor") else {
        return;
    };
    if !imported_from(cx, cx.text(constructor), PACKAGES) || browser_only(cx) {
        return;
    }
    let help = "create the client per request on the server and once in the browser: `const [queryClient] = useState(() => new QueryClient())` in a component, or TanStack's `isServer ? makeQueryClient() : (browserQueryClient ??= makeQueryClient())`; in a loader or request handler, `new QueryClient()` inside it";
    let package = cx.project.package_for(cx.path);
    // A route module the framework renders on the server, client components included.
    let route = package.and_then(|p| {
        let what = analysis::server::rendered_route(cx.path, p)?;
        let name = cx.path.file_name()?.to_str()?;
        Some(format!(
            "`{name}` is {what}, rendered on the server for every request"
        ))
    });
    let reason = route.or_else(|| {
        (!is_client_module(cx.src))
            .then(|| server_rendered(cx))
            .flatten()
    });
    if let Some(reason) = reason {
        let message = format!(
            "one `QueryClient` at module scope serves every request this server renders ({reason}): {CONSEQUENCE}"
        );
        sink.report(
            Diagnostic::new(RULE.id, node.byte_range(), message).with_help(help),
            Vec::new(),
        );
        return;
    }
    // Any other module of a server-rendering app: shared when a route imports it, which the
    // project's imports settle.
    if package.is_some_and(|p| p.ssr.is_some()) {
        let message = format!(
            "one `QueryClient` at module scope serves every request this server renders ({}): {CONSEQUENCE}",
            analysis::RENDER_PLACEHOLDER
        );
        sink.report(
            Diagnostic::new(RULE.id, node.byte_range(), message).with_help(help),
            vec![Condition::RenderedOnServer],
        );
    }
}

/// What a shared client does: on the server its queries are never garbage-collected (`gcTime`
/// is `Infinity` during server rendering), and one request's data is there for the next.
const CONSEQUENCE: &str = "its cache keeps every query each request makes, never collected on the server, and shows one user's data to the next";

/// Whether the client is made only in the browser: under `typeof window !== "undefined"`,
/// `isServer`/`isBrowser` or a similar test, or in a module that starts a single-page app.
fn browser_only(cx: &FileCx) -> bool {
    if CLIENT_MARKERS.iter().any(|m| cx.contains(m)) {
        return true;
    }
    cx.ancestors.iter().any(|a| {
        matches!(
            a.k(),
            "ternary_expression" | "if_statement" | "binary_expression"
        ) && a
            .field("condition")
            .or_else(|| a.field("left"))
            .is_some_and(|c| {
                let text = cx.text(c);
                [
                    "typeof window",
                    "typeof document",
                    "isServer",
                    "isBrowser",
                    "isClient",
                ]
                .iter()
                .any(|t| text.contains(t))
            })
    })
}

/// Text that shows a module runs in the browser: a single-page app's entry or data router.
const CLIENT_MARKERS: &[&str] = &[
    "react-router-dom",
    "createBrowserRouter",
    "createRoot(",
    "hydrateRoot(",
    "ReactDOM.render(",
];

/// Why this file runs on the server per request, if it does.
fn server_rendered(cx: &FileCx) -> Option<String> {
    if CLIENT_MARKERS.iter().any(|m| cx.contains(m)) {
        return None;
    }
    let name = cx.path.file_name()?.to_str()?;
    let stem = name.split('.').next().unwrap_or(name);
    if name.starts_with("entry.server.") {
        return Some("it is the server entry".to_string());
    }
    if name.contains(".server.") || stem == "server" {
        return Some(format!("`{name}` is server code"));
    }
    let in_app_dir = cx.path.components().any(|c| c.as_os_str() == "app");
    if in_app_dir && APP_ROUTER_FILES.contains(&stem) && name.matches('.').count() == 1 {
        return Some(format!("`{name}` is a server component"));
    }
    SERVER_MARKERS
        .iter()
        .find(|(marker, _)| cx.contains(marker))
        .map(|(_, reason)| reason.to_string())
}

#[cfg(test)]
mod tests {
    use crate::analyze;
    use crate::config::Config;
    use crate::rules::test_support::{assert_fails, assert_passes};
    use crate::source::Lang;

    fn lint_at(path: &str, src: &str) -> usize {
        let config = Config::default();
        analyze(
            std::path::Path::new(path),
            src,
            Lang::Tsx,
            &config,
            &crate::project::Project::default(),
            &[&super::RULE],
        )
        .unwrap()
        .pending
        .len()
    }

    #[test]
    fn fail() {
        let cases = [
            // seed 001: React Router module with a loader
            "import { QueryClient } from '@tanstack/react-query'; const queryClient = new QueryClient(); export async function loader() { return queryClient.fetchQuery({ queryKey: ['x'], queryFn }); }",
            "import { QueryClient, dehydrate } from '@tanstack/react-query'; export const qc = new QueryClient(); export const getServerSideProps = async () => ({ props: { state: dehydrate(qc) } });",
        ];
        for case in cases {
            assert_fails(case);
        }
        let q = "import { QueryClient } from '@tanstack/react-query'; const queryClient = new QueryClient();";
        assert_eq!(lint_at("app/entry.server.tsx", q), 1);
        assert_eq!(lint_at("src/app/dashboard/page.tsx", q), 1);
        assert_eq!(lint_at("app/routes/users.server.ts", q), 1);
    }

    #[test]
    fn pass() {
        let cases = [
            "import { QueryClient } from '@tanstack/react-query'; export async function loader() { const queryClient = new QueryClient(); return queryClient.fetchQuery({ queryKey: ['x'], queryFn }); }",
            "import { QueryClient } from '@tanstack/react-query'; export function App() { const [queryClient] = useState(() => new QueryClient()); return null; }",
            // a client-only module (a Vite SPA entry)
            "import { QueryClient } from '@tanstack/react-query'; const queryClient = new QueryClient(); createRoot(el).render(<App />);",
            "'use client'; import { QueryClient, dehydrate } from '@tanstack/react-query'; const queryClient = new QueryClient(); export function P() { dehydrate(queryClient); }",
            // a single-page app's data router: loaders run in the browser
            "import { QueryClient } from '@tanstack/react-query'; import { useLoaderData } from 'react-router-dom'; const queryClient = new QueryClient(); export const loader = async () => queryClient.ensureQueryData(q);",
        ];
        for case in cases {
            assert_passes(case);
        }
        let q = "'use client';\nimport { QueryClient } from '@tanstack/react-query'; const queryClient = new QueryClient();";
        assert_eq!(lint_at("src/app/layout.tsx", q), 0);
        let q = "import { QueryClient } from '@tanstack/react-query'; const queryClient = new QueryClient();";
        assert_eq!(lint_at("src/main.tsx", q), 0);
        assert_eq!(lint_at("src/app/providers.tsx", q), 0);
    }
}
