//! What the whole project tells us that one file does not: its packages (and which use Next.js),
//! Prisma schemas, TypeScript path aliases, which modules hold a Prisma client, and which are bulk
//! data (JSON files, sized from the file system). Loaded once, before files are linted, by one
//! walk of the project that reads only `package.json`, `tsconfig.json` and `.prisma` files.

pub mod data;
pub mod drizzle;
pub mod entities;
pub mod modules;
pub mod schema;
pub mod stats;
pub mod targeted;

use crate::config::Config;
use crate::source::absolute;
use ignore::WalkBuilder;
pub use modules::Modules;
use schema::Schema;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A `package.json` and what leaklint uses of it.
#[derive(Debug, Clone, Default)]
pub struct Package {
    pub dir: PathBuf,
    pub name: Option<String>,
    /// Depends on `next`.
    pub uses_next: bool,
    /// `exports["."]`, `module`, `main`, `types`, in that order of preference.
    pub entries: Vec<String>,
    /// `"prisma": { "schema": ... }`.
    pub prisma_schema: Option<String>,
    /// Names of every dependency (all kinds).
    pub dependencies: Vec<String>,
    /// The framework that renders this package's pages on the server per request, if any.
    pub ssr: Option<Ssr>,
}

/// A framework that renders pages on the server for every request, client components included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ssr {
    /// Next.js (App Router and Pages Router), unless `output: "export"` makes it a static site.
    Next,
    /// Remix, unless `ssr: false` makes it a single-page app.
    Remix,
    /// React Router in framework mode (Remix's successor), unless `ssr: false`.
    ReactRouter,
}

impl Ssr {
    pub fn name(self) -> &'static str {
        match self {
            Ssr::Next => "Next.js",
            Ssr::Remix => "Remix",
            Ssr::ReactRouter => "React Router",
        }
    }
}

/// Remix and React Router (framework mode) packages that render routes on the server.
const REMIX_PACKAGES: &[&str] = &[
    "@remix-run/node",
    "@remix-run/react",
    "@remix-run/server-runtime",
    "@remix-run/cloudflare",
    "@react-router/dev",
    "@react-router/node",
    "@react-router/serve",
];

/// Which framework renders the pages of the package in `dir` on the server, given whether it
/// depends on each name: none for a static export (`output: "export"` in `next.config.*`) or a
/// single-page app (`ssr: false` in `react-router.config.*` or the Vite config).
fn server_renderer(dir: &Path, has_dep: &dyn Fn(&str) -> bool) -> Option<Ssr> {
    let config_says = |stems: &[&str], setting: &dyn Fn(&str) -> bool| {
        stems.iter().any(|stem| {
            ["js", "mjs", "cjs", "ts", "mts"].iter().any(|ext| {
                crate::source::read_text(&dir.join(format!("{stem}.{ext}")))
                    .is_ok_and(|text| setting(&text))
            })
        })
    };
    if has_dep("next") {
        let static_export = |text: &str| {
            let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            compact.contains("output:\"export\"") || compact.contains("output:'export'")
        };
        return (!config_says(&["next.config"], &static_export)).then_some(Ssr::Next);
    }
    if REMIX_PACKAGES.iter().any(|p| has_dep(p)) {
        let spa = |text: &str| {
            let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            compact.contains("ssr:false")
        };
        let framework = if REMIX_PACKAGES
            .iter()
            .any(|p| p.starts_with("@react-router/") && has_dep(p))
        {
            Ssr::ReactRouter
        } else {
            Ssr::Remix
        };
        return (!config_says(&["react-router.config", "vite.config"], &spa)).then_some(framework);
    }
    None
}

/// `compilerOptions.paths` of one `tsconfig.json`.
#[derive(Debug, Clone, Default)]
pub struct TsConfig {
    pub dir: PathBuf,
    /// Folder the targets are relative to (`baseUrl`, else the tsconfig's folder).
    pub base: PathBuf,
    /// (`@/*`, [`./src/*`]).
    pub paths: Vec<(String, Vec<String>)>,
}

/// Project-wide facts.
#[derive(Default)]
pub struct Project {
    pub root: PathBuf,
    pub packages: Vec<Package>,
    pub tsconfigs: Vec<TsConfig>,
    /// Schemas by the folder of the package that owns them (or the config's schema path).
    pub schemas: BTreeMap<PathBuf, Schema>,
    /// Every Drizzle table of the project, by the variable that holds it: one namespace, since
    /// a monorepo's tables are defined in one package and queried from others.
    pub drizzle: Schema,
    pub modules: Modules,
    /// The database's statistics (`.leaklint/stats.json`), when the project has them.
    pub stats: Option<stats::Stats>,
    /// A statistics file that is there and could not be used, and why.
    pub stats_error: Option<(PathBuf, String)>,
}

impl std::fmt::Debug for Project {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Project({})", self.root.display())
    }
}

/// Folders that hold a project's root: version control, or a workspace manifest.
const ROOT_MARKERS: &[&str] = &[
    ".git",
    "pnpm-workspace.yaml",
    "turbo.json",
    "lerna.json",
    "nx.json",
];

/// Whether `dir` holds a project's root (version control or a workspace manifest).
pub fn is_root(dir: &Path) -> bool {
    ROOT_MARKERS.iter().any(|m| {
        let marker = dir.join(m);
        marker.exists() && (*m != "turbo.json" || !is_package_turbo_config(&marker))
    })
}

/// A workspace package's own `turbo.json` (`{ "extends": ["//"], ... }`, Turborepo's package
/// configurations) marks a package, not the repository's root (typehero's `apps/web`).
fn is_package_turbo_config(path: &Path) -> bool {
    crate::source::read_text(path).is_ok_and(|text| {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        compact.contains("\"extends\":[\"//\"")
    })
}

/// At most this many bytes of candidate files are read for Drizzle tables, and none larger than
/// [`DRIZZLE_FILE_BYTES`]: schema files are small, bundles in a `db/` folder are not.
const DRIZZLE_BYTES: u64 = 32 << 20;
const DRIZZLE_FILE_BYTES: u64 = 1 << 20;

/// The Drizzle tables of `files` (candidates by their path), read only from those that mention
/// both a table constructor and Drizzle.
pub(crate) fn drizzle_schema(files: &[PathBuf], root: &Path) -> Schema {
    let mut schema = Schema::default();
    let mut budget = DRIZZLE_BYTES;
    for file in files {
        let size = std::fs::metadata(file).map_or(u64::MAX, |m| m.len());
        if size > DRIZZLE_FILE_BYTES || size > budget || crate::source::leaves_root(file, root) {
            continue;
        }
        budget -= size;
        let Ok(text) = crate::source::read_text(file) else {
            continue;
        };
        if !(text.contains("Table(") && text.contains("drizzle")) {
            continue;
        }
        let tables = drizzle::tables(file, &text);
        if tables.is_empty() {
            continue;
        }
        schema.files.push(file.clone());
        for model in tables {
            schema.models.entry(model.name.clone()).or_insert(model);
        }
    }
    schema
}

impl Project {
    /// Finds the project around `paths` and reads its manifests and schemas.
    pub fn load(paths: &[PathBuf], config: &Config) -> Project {
        let first = paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
        let start = absolute(&first);
        let start = if start.is_file() {
            start.parent().map(Path::to_path_buf).unwrap_or(start)
        } else {
            start
        };
        let root = start
            .ancestors()
            .find(|dir| is_root(dir))
            .map(Path::to_path_buf)
            .unwrap_or(start);
        let mut project = Project {
            root: root.clone(),
            ..Project::default()
        };
        let mut prisma_files: Vec<PathBuf> = Vec::new();
        let mut drizzle_files: Vec<PathBuf> = Vec::new();
        // Ignore files that are not regular files are never read (discover.rs says why).
        let odd_above = root
            .ancestors()
            .any(|d| crate::discover::odd_ignore_file(d).is_some());
        let walker = WalkBuilder::new(&root)
            .hidden(true)
            .require_git(false)
            .parents(!odd_above)
            .git_ignore(!odd_above)
            .git_global(!odd_above && crate::discover::odd_global_git_excludes().is_none())
            .git_exclude(!odd_above)
            .ignore(!odd_above)
            .filter_entry(|e| {
                let name = e.file_name().to_string_lossy();
                let is_dir = e.file_type().is_some_and(|t| t.is_dir());
                !(is_dir
                    && (crate::discover::SKIPPED_DIRS.contains(&name.as_ref())
                        || crate::discover::odd_ignore_file(e.path()).is_some()))
            })
            .build();
        for entry in walker.flatten() {
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let path = entry.path();
            match path.file_name().and_then(|n| n.to_str()) {
                Some("package.json") => {
                    if let Some(p) = read_package(path) {
                        project.packages.push(p);
                    }
                }
                Some("tsconfig.json") => {
                    if let Some(t) = read_tsconfig(path) {
                        project.tsconfigs.push(t);
                    }
                }
                Some(name) if name.ends_with(".prisma") => {
                    let in_migrations = path.components().any(|c| c.as_os_str() == "migrations");
                    if !in_migrations {
                        prisma_files.push(path.to_path_buf());
                    }
                }
                _ if drizzle::may_hold_tables(path) => drizzle_files.push(path.to_path_buf()),
                _ => {}
            }
        }
        // Deepest folders first, so that the nearest package or tsconfig is found first.
        project
            .packages
            .sort_by_key(|p| std::cmp::Reverse(p.dir.components().count()));
        project
            .tsconfigs
            .sort_by_key(|t| std::cmp::Reverse(t.dir.components().count()));

        project.drizzle = drizzle_schema(&drizzle_files, &root);
        if let Some(configured) = &config.prisma_schema {
            let path = absolute(&config.root.join(configured));
            let files: Vec<PathBuf> = if path.is_dir() {
                prisma_files
                    .iter()
                    .filter(|f| f.starts_with(&path))
                    .cloned()
                    .collect()
            } else {
                vec![path.clone()]
            };
            let mut schema = Schema::default();
            for file in files {
                if crate::source::leaves_root(&file, &root) {
                    continue;
                }
                if let Ok(text) = crate::source::read_text(&file) {
                    schema.add_file(file, &text);
                }
            }
            project.schemas.insert(PathBuf::new(), schema);
        } else {
            // Each schema file belongs to the nearest package: a multi-file schema (a folder of
            // `.prisma` files) is one schema, and each package of a monorepo has its own.
            for file in prisma_files {
                project.add_schema_file(file);
            }
        }
        project
    }

    /// Reads the statistics file `settings` name (or the default one) into the project.
    pub fn load_stats(&mut self, settings: &crate::config::StatsSettings) {
        match stats::load(&self.root, settings) {
            Ok(found) => self.stats = found,
            Err(error) => self.stats_error = Some(error),
        }
    }

    /// Every model of the project's Prisma schemas and Drizzle tables.
    pub fn models(&self) -> Vec<&schema::Model> {
        self.schemas
            .values()
            .chain(std::iter::once(&self.drizzle))
            .flat_map(|s| s.models.values())
            .collect()
    }

    /// Reads a `.prisma` file into the schema of the nearest package that holds it (or of the
    /// root): a multi-file schema is one schema, and each package of a monorepo has its own.
    fn add_schema_file(&mut self, file: PathBuf) {
        let owner = self
            .package_for(&file)
            .map(|p| p.dir.clone())
            .unwrap_or_else(|| self.root.clone());
        if let Ok(text) = crate::source::read_text(&file) {
            self.schemas.entry(owner).or_default().add_file(file, &text);
        }
    }

    /// The nearest package whose folder holds `file`.
    pub fn package_for(&self, file: &Path) -> Option<&Package> {
        let file = absolute(file);
        self.packages.iter().find(|p| file.starts_with(&p.dir))
    }

    /// Whether the package that holds `file`, or a workspace package it depends on, depends on
    /// `dependency` (the ORM or driver behind code that only sees a re-exported client).
    /// Every dependency of a file's package and of the workspace packages it depends on.
    pub fn dependencies_of(&self, file: &Path) -> Vec<&str> {
        let Some(package) = self.package_for(file) else {
            return Vec::new();
        };
        let mut out: Vec<&str> = package.dependencies.iter().map(String::as_str).collect();
        for p in &self.packages {
            if p.name
                .as_ref()
                .is_some_and(|n| package.dependencies.contains(n))
            {
                out.extend(p.dependencies.iter().map(String::as_str));
            }
        }
        out
    }

    pub fn depends_on(&self, file: &Path, dependency: &str) -> bool {
        let Some(package) = self.package_for(file) else {
            return false;
        };
        let has = |p: &Package| p.dependencies.iter().any(|d| d == dependency);
        has(package)
            || self.packages.iter().any(|p| {
                p.name
                    .as_ref()
                    .is_some_and(|n| package.dependencies.contains(n))
                    && has(p)
            })
    }

    /// The schema a source file uses: the configured one; else its own package's; else that of a
    /// workspace package it depends on (`apps/web` -> `@acme/database`); else the project's only
    /// one.
    pub fn schema_for(&self, file: &Path) -> Option<&Schema> {
        if let Some(configured) = self.schemas.get(Path::new("")) {
            return Some(configured);
        }
        let file = absolute(file);
        let own = self
            .schemas
            .iter()
            .filter(|(dir, _)| file.starts_with(dir))
            .max_by_key(|(dir, _)| dir.components().count())
            .map(|(_, s)| s);
        let from_dependency = || {
            let package = self.package_for(&file)?;
            self.packages
                .iter()
                .filter(|p| {
                    p.name
                        .as_ref()
                        .is_some_and(|n| package.dependencies.contains(n))
                })
                .find_map(|p| self.schemas.get(&p.dir))
        };
        own.or_else(from_dependency).or_else(|| {
            (self.schemas.len() == 1)
                .then(|| self.schemas.values().next())
                .flatten()
        })
    }

    /// The files an import specifier may name, from `importer`: relative paths, tsconfig path
    /// aliases, and workspace packages.
    pub fn resolve(&self, importer: &Path, specifier: &str) -> Vec<PathBuf> {
        self.resolve_with(importer, specifier, &|p: &Path| p.is_file())
    }

    /// Like [`Project::resolve`], with `exists` deciding which candidate files exist (the
    /// project index asks only about files it has facts for, without touching the disk).
    pub fn resolve_with(
        &self,
        importer: &Path,
        specifier: &str,
        exists: &dyn Fn(&Path) -> bool,
    ) -> Vec<PathBuf> {
        let importer = absolute(importer);
        if specifier.starts_with("./")
            || specifier.starts_with("../")
            || specifier == "."
            || specifier == ".."
        {
            let base = importer.parent().unwrap_or(Path::new("/")).join(specifier);
            return modules::candidates_with(&crate::source::normalize(&base), exists);
        }
        let mut out = Vec::new();
        if let Some(tsconfig) = self.tsconfigs.iter().find(|t| importer.starts_with(&t.dir)) {
            for (pattern, targets) in &tsconfig.paths {
                let Some(rest) = match_alias(pattern, specifier) else {
                    continue;
                };
                for target in targets {
                    let target = target.replace('*', rest);
                    out.extend(modules::candidates_with(
                        &crate::source::normalize(&tsconfig.base.join(target)),
                        exists,
                    ));
                }
            }
        }
        if !out.is_empty() {
            return out;
        }
        // A workspace package, or a subpath of one (`@repo/db/client`).
        for package in &self.packages {
            let Some(name) = &package.name else { continue };
            if specifier == name {
                for entry in &package.entries {
                    out.extend(modules::candidates_with(
                        &crate::source::normalize(&package.dir.join(entry)),
                        exists,
                    ));
                }
                for fallback in ["index", "src/index"] {
                    out.extend(modules::candidates_with(
                        &package.dir.join(fallback),
                        exists,
                    ));
                }
            } else if let Some(sub) = specifier.strip_prefix(&format!("{name}/")) {
                out.extend(modules::candidates_with(&package.dir.join(sub), exists));
                out.extend(modules::candidates_with(
                    &package.dir.join("src").join(sub),
                    exists,
                ));
            }
        }
        out
    }

    /// Whether `specifier`, imported from `importer`, may name a module of this project (a
    /// relative path, a tsconfig alias, a workspace package) rather than an npm package. Decided
    /// from names only.
    pub fn may_be_local(&self, importer: &Path, specifier: &str) -> bool {
        if specifier.starts_with('.') || specifier.starts_with('/') {
            return true;
        }
        let importer = absolute(importer);
        let aliased = self
            .tsconfigs
            .iter()
            .find(|t| importer.starts_with(&t.dir))
            .is_some_and(|t| {
                t.paths
                    .iter()
                    .any(|(p, _)| match_alias(p, specifier).is_some())
            });
        aliased
            || self.packages.iter().any(|p| {
                p.name.as_ref().is_some_and(|name| {
                    specifier == name || specifier.starts_with(&format!("{name}/"))
                })
            })
    }
}

/// `@/*` matches `@/lib/db` with rest `lib/db`; an exact pattern matches only itself.
fn match_alias<'a>(pattern: &str, specifier: &'a str) -> Option<&'a str> {
    match pattern.split_once('*') {
        Some((prefix, suffix)) => specifier
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(suffix)),
        None => (pattern == specifier).then_some(""),
    }
}

fn read_json(path: &Path) -> Option<serde_json::Value> {
    let text = crate::source::read_text(path).ok()?;
    jsonc_parser::parse_to_serde_value::<serde_json::Value>(&text, &Default::default()).ok()
}

fn read_package(path: &Path) -> Option<Package> {
    let json = read_json(path)?;
    let dir = absolute(path.parent()?);
    let has_dep = |name: &str| {
        ["dependencies", "devDependencies", "peerDependencies"]
            .iter()
            .any(|k| json[k].get(name).is_some())
    };
    let mut entries = Vec::new();
    let exports = &json["exports"];
    let dot = if exports.is_string() {
        exports
    } else {
        &exports["."]
    };
    collect_strings(dot, &mut entries);
    for key in ["module", "main", "types", "typings"] {
        if let Some(s) = json[key].as_str() {
            entries.push(s.to_string());
        }
    }
    let dependencies = ["dependencies", "devDependencies", "peerDependencies"]
        .iter()
        .filter_map(|k| json[k].as_object())
        .flat_map(|deps| deps.keys().cloned())
        .collect();
    let ssr = server_renderer(&dir, &has_dep);
    Some(Package {
        dir,
        dependencies,
        name: json["name"].as_str().map(str::to_string),
        uses_next: has_dep("next"),
        ssr,
        entries,
        prisma_schema: json["prisma"]["schema"].as_str().map(str::to_string),
    })
}

/// Every string in a conditional-exports value (`{ "types": ..., "default": ... }`).
fn collect_strings(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Object(map) => {
            for v in map.values() {
                if let serde_json::Value::String(s) = v {
                    out.push(s.clone());
                }
            }
        }
        _ => {}
    }
}

fn read_tsconfig(path: &Path) -> Option<TsConfig> {
    read_tsconfig_from(path, 0).map(|(t, _)| t)
}

/// How many `extends` deep a tsconfig's `paths` are looked for.
const MAX_TSCONFIG_EXTENDS: usize = 5;

/// A tsconfig's `paths` and the folder they are relative to, also when they come from the
/// config it `extends` (a relative path, or the last of a list; packages in `node_modules` are
/// not followed); and whether `baseUrl` was set (else the base is the folder of the config that
/// set `paths`).
fn read_tsconfig_from(path: &Path, depth: usize) -> Option<(TsConfig, bool)> {
    let json = read_json(path)?;
    let dir = absolute(path.parent()?);
    let options = &json["compilerOptions"];
    let own_base = options["baseUrl"]
        .as_str()
        .map(|b| crate::source::normalize(&dir.join(b)));
    let own_paths: Option<Vec<(String, Vec<String>)>> = options["paths"].as_object().map(|map| {
        map.iter()
            .map(|(k, v)| {
                let targets = v
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|t| t.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                (k.clone(), targets)
            })
            .collect()
    });
    let extended = || {
        if depth >= MAX_TSCONFIG_EXTENDS {
            return None;
        }
        let list: Vec<&str> = match &json["extends"] {
            serde_json::Value::String(s) => vec![s.as_str()],
            serde_json::Value::Array(a) => a.iter().filter_map(|v| v.as_str()).collect(),
            _ => Vec::new(),
        };
        list.into_iter()
            .rev()
            .filter(|e| e.starts_with("./") || e.starts_with("../"))
            .find_map(|e| {
                let mut target = crate::source::normalize(&dir.join(e));
                if target.extension().is_none_or(|x| x != "json") {
                    target.as_mut_os_string().push(".json");
                }
                read_tsconfig_from(&target, depth + 1)
            })
    };
    let (base, paths, explicit) = match (own_paths, own_base) {
        (Some(paths), Some(base)) => (base, paths, true),
        (Some(paths), None) => match extended() {
            Some((parent, true)) => (parent.base, paths, true),
            _ => (dir.clone(), paths, false),
        },
        (None, own_base) => match extended() {
            Some((parent, parent_explicit)) => match own_base {
                Some(base) => (base, parent.paths, true),
                None => (parent.base, parent.paths, parent_explicit),
            },
            None => {
                let explicit = own_base.is_some();
                (
                    own_base.unwrap_or_else(|| dir.clone()),
                    Vec::new(),
                    explicit,
                )
            }
        },
    };
    Some((TsConfig { dir, base, paths }, explicit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_framework_renders_a_package_on_the_server() {
        let dir = tempfile::tempdir().unwrap();
        let read = |deps: &str, config: Option<(&str, &str)>| {
            let pkg = dir
                .path()
                .join(format!("p{}", deps.len() + config.map_or(0, |c| c.1.len())));
            std::fs::create_dir_all(&pkg).unwrap();
            std::fs::write(
                pkg.join("package.json"),
                format!(r#"{{ "dependencies": {{ {deps} }} }}"#),
            )
            .unwrap();
            if let Some((name, text)) = config {
                std::fs::write(pkg.join(name), text).unwrap();
            }
            read_package(&pkg.join("package.json")).unwrap().ssr
        };
        assert_eq!(read(r#""next": "15""#, None), Some(Ssr::Next));
        assert_eq!(
            read(
                r#""next": "15""#,
                Some(("next.config.mjs", "export default { output: 'export' };"))
            ),
            None
        );
        assert_eq!(
            read(
                r#""next": "15""#,
                Some((
                    "next.config.ts",
                    "export default { output: \"standalone\" };"
                ))
            ),
            Some(Ssr::Next)
        );
        assert_eq!(read(r#""@remix-run/node": "2""#, None), Some(Ssr::Remix));
        assert_eq!(
            read(r#""@react-router/dev": "7""#, None),
            Some(Ssr::ReactRouter)
        );
        assert_eq!(
            read(
                r#""@react-router/dev": "7""#,
                Some(("react-router.config.ts", "export default { ssr: false }"))
            ),
            None
        );
        assert_eq!(read(r#""react-router-dom": "6", "vite": "6""#, None), None);
    }

    #[test]
    fn a_package_turbo_config_is_no_root() {
        let dir = tempfile::tempdir().unwrap();
        let web = dir.path().join("apps/web");
        std::fs::create_dir_all(&web).unwrap();
        std::fs::write(dir.path().join("turbo.json"), r#"{ "tasks": {} }"#).unwrap();
        std::fs::write(
            web.join("turbo.json"),
            "{\n  \"extends\": [ \"//\" ],\n  \"tasks\": {}\n}",
        )
        .unwrap();
        assert!(is_root(dir.path()));
        assert!(!is_root(&web));
        // The project around a file of the package is the repository's.
        std::fs::create_dir_all(web.join("src")).unwrap();
        std::fs::write(web.join("src/a.ts"), "").unwrap();
        let project = Project::load(&[web.join("src/a.ts")], &Config::default());
        assert_eq!(project.root, absolute(dir.path()));
    }

    #[test]
    fn aliases() {
        assert_eq!(match_alias("@/*", "@/lib/db"), Some("lib/db"));
        assert_eq!(match_alias("~/*", "@/lib/db"), None);
        assert_eq!(match_alias("@db", "@db"), Some(""));
    }
}
