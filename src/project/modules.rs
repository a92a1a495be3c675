//! Which modules hold a Prisma client: those that construct one (`new PrismaClient`), extend one
//! (`.$extends(...)`), or re-export one (`export * from`, `export { prisma } from`: barrel
//! files). Linted files report their text as they are read; imported modules outside the linted
//! set are read from disk once. Neither is parsed: a text scan is enough and keeps one parse per
//! linted file.

use super::schema::Model;
use super::Project;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::Mutex;

/// Texts that mark a module as making a Prisma client.
const CLIENT_MARKERS: &[&str] = &["new PrismaClient", ".$extends("];

const EXTENSIONS: &[&str] = &["ts", "tsx", "mts", "cts", "js", "jsx", "mjs", "cjs"];

/// How many barrel files deep a re-export is followed.
const MAX_REEXPORT_DEPTH: usize = 4;

#[derive(Debug, Clone, Default)]
pub(super) struct Facts {
    makes_client: bool,
    reexports: Vec<String>,
    /// Relative `.json` files the text names (for `super::data`).
    pub(super) json_files: Vec<String>,
}

/// Module facts by absolute path.
#[derive(Default)]
pub struct Modules {
    facts: Mutex<HashMap<PathBuf, Facts>>,
    /// GraphQL types some schema returns as a list (`() => [Post]`, `posts: [Post!]!`), from
    /// every module read that mentions GraphQL.
    listed_types: Mutex<std::collections::HashSet<String>>,
    /// TypeORM entities declared in each module read for them.
    entities: Mutex<HashMap<PathBuf, Arc<Vec<Model>>>>,
}

impl Modules {
    /// Forgets every module read (their files may have changed).
    pub fn clear(&self) {
        self.facts.lock().expect("no panics while held").clear();
        self.listed_types
            .lock()
            .expect("no panics while held")
            .clear();
        self.entities.lock().expect("no panics while held").clear();
    }

    /// The TypeORM entity `name` that `specifier`, imported from `importer`, exports: declared in
    /// the module it names, or re-exported by a barrel (followed [`MAX_REEXPORT_DEPTH`] deep).
    pub fn entity(
        &self,
        project: &Project,
        importer: &Path,
        specifier: &str,
        name: &str,
    ) -> Option<Model> {
        let mut pending = vec![(importer.to_path_buf(), specifier.to_string(), 0)];
        while let Some((from, specifier, depth)) = pending.pop() {
            for file in project.resolve(&from, &specifier) {
                if crate::source::leaves_root(&file, &project.root) {
                    continue;
                }
                if let Some(model) = self.entities_in(&file).iter().find(|m| m.name == name) {
                    return Some(model.clone());
                }
                if depth < MAX_REEXPORT_DEPTH {
                    if let Some(facts) = self.facts_for(&file) {
                        pending.extend(
                            facts
                                .reexports
                                .into_iter()
                                .map(|r| (file.clone(), r, depth + 1)),
                        );
                    }
                }
            }
        }
        None
    }

    /// The entities `file` declares, read once.
    pub fn entities_in(&self, file: &Path) -> Arc<Vec<Model>> {
        let key = crate::source::absolute(file);
        if let Some(known) = self
            .entities
            .lock()
            .expect("no panics while held")
            .get(&key)
        {
            return known.clone();
        }
        let found = match crate::source::read_text(&key) {
            Ok(text) if text.contains("@Entity(") => super::entities::entities(&key, &text),
            _ => Vec::new(),
        };
        let found = Arc::new(found);
        self.entities
            .lock()
            .expect("no panics while held")
            .insert(key, found.clone());
        found
    }

    /// Records what a linted file's text shows.
    pub fn record(&self, path: &Path, text: &str) {
        if text.contains("graphql") || text.contains("gql`") || text.contains("typeDefs") {
            let listed = listed_types_in(text);
            if !listed.is_empty() {
                self.listed_types
                    .lock()
                    .expect("no panics while held")
                    .extend(listed);
            }
        }
        let facts = facts_of(text);
        self.facts
            .lock()
            .expect("no panics while held")
            .insert(crate::source::absolute(path), facts);
    }

    /// Whether `specifier`, imported from `importer`, names a module that holds a Prisma client.
    pub fn specifier_holds_client(
        &self,
        project: &Project,
        importer: &Path,
        specifier: &str,
    ) -> bool {
        self.holds_client(project, importer, specifier, 0)
    }

    fn holds_client(
        &self,
        project: &Project,
        importer: &Path,
        specifier: &str,
        depth: usize,
    ) -> bool {
        if depth > MAX_REEXPORT_DEPTH {
            return false;
        }
        project
            .resolve(importer, specifier)
            .into_iter()
            .any(|file| {
                if crate::source::leaves_root(&file, &project.root) {
                    return false;
                }
                let Some(facts) = self.facts_for(&file) else {
                    return false;
                };
                facts.makes_client
                    || facts
                        .reexports
                        .iter()
                        .any(|next| self.holds_client(project, &file, next, depth + 1))
            })
    }

    pub(super) fn facts_for(&self, file: &Path) -> Option<Facts> {
        let key = crate::source::absolute(file);
        if let Some(known) = self.facts.lock().expect("no panics while held").get(&key) {
            return Some(known.clone());
        }
        let text = crate::source::read_text(&key).ok()?;
        let facts = facts_of(&text);
        self.facts
            .lock()
            .expect("no panics while held")
            .insert(key, facts.clone());
        Some(facts)
    }
}

impl Modules {
    /// Whether some GraphQL schema of the modules read returns `type_name` in a list; `None`
    /// when no module read declared any list type (nothing to go by).
    pub fn is_listed_type(&self, type_name: &str) -> Option<bool> {
        let listed = self.listed_types.lock().expect("no panics while held");
        (!listed.is_empty()).then(|| listed.contains(type_name))
    }
}

/// The type names a GraphQL schema written in `text` returns in lists: code-first decorators
/// (`@Query(() => [Post])`, `@Field(type => [Post], ...)`, `@ResolveField(() => [Post])`) and SDL
/// (`posts: [Post!]!`, `users(first: Int): [User]`). `[Post]` must follow `=>` or `:`.
pub fn listed_types_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices('[') {
        let before = text.get(..at).unwrap_or("").trim_end();
        if !(before.ends_with("=>") || before.ends_with(':')) {
            continue;
        }
        let rest = text.get(at + 1..).unwrap_or("").trim_start();
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_uppercase()) {
            continue;
        }
        let after = rest
            .get(name.len()..)
            .unwrap_or("")
            .trim_start()
            .trim_start_matches('!')
            .trim_start();
        if after.starts_with(']') {
            out.push(name);
        }
    }
    out
}

fn facts_of(text: &str) -> Facts {
    Facts {
        makes_client: CLIENT_MARKERS.iter().any(|m| text.contains(m)),
        reexports: reexport_specifiers(text),
        json_files: super::data::json_references(text),
    }
}

/// The modules a file re-exports from: `export * from "x"`, `export { a } from "x"` (also over
/// several lines), `export * as ns from "x"`.
pub fn reexport_specifiers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_export = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("export ") || line.starts_with("export{") || line.starts_with("export*")
        {
            in_export = true;
        } else if line.starts_with("import ")
            || line.starts_with("const ")
            || line.starts_with("function ")
        {
            in_export = false;
        }
        if !in_export {
            continue;
        }
        if let Some(at) = line.find("from ") {
            let rest = line[at + 5..].trim_start();
            if let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
                if let Some(end) = rest[1..].find(quote) {
                    out.push(rest[1..1 + end].to_string());
                }
            }
            in_export = false;
        } else if line.ends_with(';') {
            in_export = false;
        }
    }
    out
}

/// The files a module path may name: itself, with each extension, an `index` file, and
/// TypeScript's `./x.js` -> `./x.ts`.
pub fn candidates(base: &Path) -> Vec<PathBuf> {
    candidates_with(base, &|p: &Path| p.is_file())
}

/// Like [`candidates`], with `exists` deciding which files exist.
pub fn candidates_with(base: &Path, exists: &dyn Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut out = vec![base.to_path_buf()];
    let text = base.to_string_lossy();
    for js in [".js", ".mjs", ".cjs", ".jsx"] {
        if let Some(stem) = text.strip_suffix(js) {
            for ext in ["ts", "tsx", "mts", "cts"] {
                out.push(PathBuf::from(format!("{stem}.{ext}")));
            }
        }
    }
    for ext in EXTENSIONS {
        out.push(PathBuf::from(format!("{text}.{ext}")));
    }
    for ext in EXTENSIONS {
        out.push(base.join(format!("index.{ext}")));
    }
    out.retain(|p| exists(p));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_reexports() {
        let text = "export * from './client';\nexport {\n  prisma,\n  type Prisma,\n} from \"./db\";\nexport const x = 1;\nexport * as kysely from './kysely'\nimport { a } from './not-an-export';\n";
        assert_eq!(reexport_specifiers(text), ["./client", "./db", "./kysely"]);
    }

    #[test]
    fn graphql_list_types_from_decorators_and_sdl() {
        let text = "@Query(() => [Post])\n@Field((type) => [ Comment ], { nullable: true })\nconst typeDefs = gql`\n  type Query { users(first: Int): [User!]! }\n  type Team { tags: [String] }\n`;\nconst xs = [Foo];\nconst ys: [Bar, Baz] = pair;\nimports: [UserModule],\n";
        assert_eq!(
            super::listed_types_in(text),
            vec!["Post", "Comment", "User", "String", "UserModule"]
        );
    }
}
