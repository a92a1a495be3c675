//! Project facts for a few named files (a pre-commit hook's staged files, `--stdin-filename`, an
//! editor buffer), without walking the repository: the `package.json` and `tsconfig.json` of
//! each folder from those files up to the project root, the packages the root declares as its
//! workspace, the Prisma schemas where Prisma looks for them in those packages, and the local
//! modules the files import (followed a few imports deep), so that cross-file facts see the
//! repository or service a loop calls.
//!
//! What the whole-repository walk ([`Project::load`]) sees and this does not: `package.json`
//! files that are neither workspace members nor above a file read, and `.prisma` files outside
//! Prisma's own places (`schema.prisma`, `prisma/`, the `prisma.schema` of `package.json`).

use super::{read_package, read_tsconfig, Project};
use crate::discover::{IGNORE_FILES, SKIPPED_DIRS};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet, VecDeque};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// How many imports deep the modules of the named files are followed.
pub const MAX_CONTEXT_DEPTH: usize = 6;
/// How many imported modules are read at most, nearest first.
pub const MAX_CONTEXT_FILES: usize = 256;

/// What a folder listing says of one entry.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    File,
    Dir,
    /// A symbolic link: asked about with `metadata`, as `Path::is_file` would.
    Link,
    Other,
}

/// Folder listings, read once each: an import is tried with a dozen extensions and `index`
/// files, and one `read_dir` answers them all.
#[derive(Default)]
pub struct Listings(RefCell<HashMap<PathBuf, Option<HashMap<OsString, Kind>>>>);

impl Listings {
    fn kind(&self, path: &Path) -> Option<Kind> {
        let (dir, name) = (path.parent()?, path.file_name()?);
        let mut map = self.0.borrow_mut();
        let listing = map
            .entry(dir.to_path_buf())
            .or_insert_with(|| read_listing(dir));
        listing.as_ref()?.get(name).copied()
    }

    fn entries(&self, dir: &Path, keep: fn(Kind) -> bool) -> Vec<PathBuf> {
        let mut map = self.0.borrow_mut();
        let listing = map
            .entry(dir.to_path_buf())
            .or_insert_with(|| read_listing(dir));
        let mut out: Vec<PathBuf> = listing
            .iter()
            .flatten()
            .filter(|(_, k)| keep(**k))
            .map(|(n, _)| dir.join(n))
            .collect();
        out.sort();
        out
    }

    /// Whether `path` is a regular file, following links (as `Path::is_file`).
    pub fn is_file(&self, path: &Path) -> bool {
        match self.kind(path) {
            Some(Kind::File) => true,
            Some(Kind::Link) => path.is_file(),
            _ => false,
        }
    }

    fn is_dir(&self, path: &Path) -> bool {
        match self.kind(path) {
            Some(Kind::Dir) => true,
            Some(Kind::Link) => path.is_dir(),
            _ => false,
        }
    }

    /// Whether `path` is itself a symbolic link (the walk does not follow them).
    pub fn is_link(&self, path: &Path) -> bool {
        self.kind(path) == Some(Kind::Link)
    }

    fn subdirs(&self, dir: &Path) -> Vec<PathBuf> {
        self.entries(dir, |k| k == Kind::Dir)
    }

    fn files(&self, dir: &Path) -> Vec<PathBuf> {
        self.entries(dir, |k| matches!(k, Kind::File | Kind::Link))
    }
}

fn read_listing(dir: &Path) -> Option<HashMap<OsString, Kind>> {
    let entries = std::fs::read_dir(dir).ok()?;
    let mut out = HashMap::new();
    for entry in entries.flatten() {
        let kind = match entry.file_type() {
            Ok(t) if t.is_file() => Kind::File,
            Ok(t) if t.is_dir() => Kind::Dir,
            Ok(t) if t.is_symlink() => Kind::Link,
            _ => Kind::Other,
        };
        out.insert(entry.file_name(), kind);
    }
    Some(out)
}

/// The ignore files the repository walk honours (`.gitignore`, `.ignore`, `.leaklintignore` of
/// each folder and above, `.git/info/exclude`, the global git excludes), asked about one path.
pub struct Ignores {
    by_dir: HashMap<PathBuf, Vec<Gitignore>>,
    global: Gitignore,
    exclude: HashMap<PathBuf, Option<Gitignore>>,
}

impl Ignores {
    pub fn new() -> Self {
        Ignores {
            by_dir: HashMap::new(),
            global: Gitignore::global().0,
            exclude: HashMap::new(),
        }
    }

    /// The matchers of `dir`, strongest first (`.leaklintignore`, `.ignore`, `.gitignore`).
    fn of_dir(&mut self, dir: &Path) -> &[Gitignore] {
        self.by_dir.entry(dir.to_path_buf()).or_insert_with(|| {
            IGNORE_FILES
                .iter()
                .rev()
                .filter_map(|name| {
                    let path = dir.join(name);
                    // Only regular files are read (a FIFO would block).
                    if !std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
                        return None;
                    }
                    let mut builder = GitignoreBuilder::new(dir);
                    builder.add(&path);
                    builder.build().ok()
                })
                .collect()
        })
    }

    /// Whether the walk of `root` skips `path` (a file, or a folder when `is_dir`): by an
    /// ignore file of a folder at or above its own, deepest first.
    fn decides(&mut self, path: &Path, is_dir: bool, root: &Path) -> bool {
        for dir in path.ancestors().skip(1) {
            for matcher in self.of_dir(dir) {
                let m = matcher.matched(path, is_dir);
                if m.is_ignore() {
                    return true;
                }
                if m.is_whitelist() {
                    return false;
                }
            }
        }
        let git_dir = root.join(".git");
        let exclude = self
            .exclude
            .entry(root.to_path_buf())
            .or_insert_with(|| {
                let file = git_dir.join("info/exclude");
                if !std::fs::metadata(&file).is_ok_and(|m| m.is_file()) {
                    return None;
                }
                let mut builder = GitignoreBuilder::new(root);
                builder.add(&file);
                builder.build().ok()
            })
            .as_ref();
        for matcher in exclude.into_iter().chain([&self.global]) {
            let m = matcher.matched(path, is_dir);
            if m.is_ignore() {
                return true;
            }
            if m.is_whitelist() {
                return false;
            }
        }
        false
    }

    /// Whether the walk of `root` would never reach `file`: it or a folder on the way is
    /// hidden, a dependency or build folder, or ignored.
    pub fn skips(&mut self, file: &Path, root: &Path) -> bool {
        let Ok(below) = file.strip_prefix(root) else {
            return true;
        };
        let mut at = root.to_path_buf();
        let parts: Vec<_> = below.components().collect();
        for (i, part) in parts.iter().enumerate() {
            let name = part.as_os_str().to_string_lossy();
            let is_dir = i + 1 < parts.len();
            if name.starts_with('.') || (is_dir && SKIPPED_DIRS.contains(&name.as_ref())) {
                return true;
            }
            at.push(part);
            if self.decides(&at, is_dir, root) {
                return true;
            }
        }
        false
    }
}

impl Default for Ignores {
    fn default() -> Self {
        Self::new()
    }
}

/// The project a [`Loader`] builds, or one loaded before (a language server's, from the walk).
enum Held<'a> {
    Building(Box<Project>),
    Loaded(&'a Project),
}

/// Builds a [`Project`] folder by folder, from the files that need it; or, over a project
/// loaded by the repository walk, only finds the modules files import.
pub struct Loader<'a> {
    project: Held<'a>,
    /// Folders whose `tsconfig.json` (and `package.json`) were looked for.
    seen: HashSet<PathBuf>,
    /// Folders whose `package.json` was looked for.
    seen_packages: HashSet<PathBuf>,
    pub listings: Listings,
    pub ignores: RefCell<Ignores>,
    /// Manifests read (`package.json`, `tsconfig.json`, workspace declarations).
    pub manifests: usize,
    /// Files visited that may hold Drizzle tables (by their path): read for the data model.
    drizzle_candidates: Vec<PathBuf>,
}

impl<'a> Loader<'a> {
    /// Over a project the repository walk loaded: nothing more is read for it.
    pub fn over(project: &'a Project) -> Loader<'a> {
        Loader {
            project: Held::Loaded(project),
            seen: HashSet::new(),
            seen_packages: HashSet::new(),
            listings: Listings::default(),
            ignores: RefCell::new(Ignores::new()),
            manifests: 0,
            drizzle_candidates: Vec::new(),
        }
    }

    /// The root's own manifests and the packages its workspace declares (`workspaces` of
    /// `package.json`, `pnpm-workspace.yaml`, `lerna.json`).
    pub fn new(root: &Path) -> Loader<'a> {
        let root = crate::source::absolute(root);
        let mut loader = Loader {
            project: Held::Building(Box::new(Project {
                root: root.clone(),
                ..Project::default()
            })),
            seen: HashSet::new(),
            seen_packages: HashSet::new(),
            listings: Listings::default(),
            ignores: RefCell::new(Ignores::new()),
            manifests: 0,
            drizzle_candidates: Vec::new(),
        };
        loader.look_at(&root);
        let mut patterns = Vec::new();
        if loader.listings.is_file(&root.join("package.json")) {
            if let Some(json) = super::read_json(&root.join("package.json")) {
                let list = &json["workspaces"];
                let list = if list.is_array() {
                    list
                } else {
                    &list["packages"]
                };
                patterns.extend(strings(list));
            }
        }
        if loader.listings.is_file(&root.join("lerna.json")) {
            if let Some(json) = super::read_json(&root.join("lerna.json")) {
                patterns.extend(strings(&json["packages"]));
            }
            loader.manifests += 1;
        }
        if loader.listings.is_file(&root.join("pnpm-workspace.yaml")) {
            if let Ok(text) = crate::source::read_text(&root.join("pnpm-workspace.yaml")) {
                patterns.extend(pnpm_packages(&text));
            }
            loader.manifests += 1;
        }
        let (negated, patterns): (Vec<String>, Vec<String>) =
            patterns.into_iter().partition(|p| p.starts_with('!'));
        let negated: Vec<globset::GlobMatcher> = negated
            .iter()
            .filter_map(|p| {
                let p = p.trim_start_matches('!').trim_start_matches("./");
                globset::Glob::new(p.trim_end_matches('/')).ok()
            })
            .map(|g| g.compile_matcher())
            .collect();
        for pattern in patterns {
            for dir in loader.expand(&root, pattern.trim_start_matches("./")) {
                let relative = dir.strip_prefix(&root).unwrap_or(&dir).to_path_buf();
                if negated.iter().any(|n| n.is_match(&relative)) {
                    continue;
                }
                if !loader.ignores_skip(&dir.join("package.json"), &root) {
                    loader.read_package(&dir);
                }
            }
        }
        loader
    }

    /// The folders a workspace pattern (`apps/*`, `packages/**`) names.
    fn expand(&self, root: &Path, pattern: &str) -> Vec<PathBuf> {
        let mut dirs = vec![root.to_path_buf()];
        for segment in pattern.trim_end_matches('/').split('/') {
            let mut next = Vec::new();
            for dir in dirs {
                if segment == "**" {
                    // Every folder below, not into dependencies, build output or hidden ones.
                    let mut stack = vec![dir];
                    while let Some(d) = stack.pop() {
                        if next.len() > 10_000 {
                            break;
                        }
                        for sub in self.listings.subdirs(&d) {
                            let name = sub.file_name().unwrap_or_default().to_string_lossy();
                            if !name.starts_with('.') && !SKIPPED_DIRS.contains(&name.as_ref()) {
                                stack.push(sub);
                            }
                        }
                        next.push(d);
                    }
                } else if segment.contains(['*', '?', '[', '{']) {
                    let Ok(glob) = globset::Glob::new(segment) else {
                        continue;
                    };
                    let glob = glob.compile_matcher();
                    for sub in self.listings.subdirs(&dir) {
                        let name = sub.file_name().unwrap_or_default();
                        if glob.is_match(name) && !name.to_string_lossy().starts_with('.') {
                            next.push(sub);
                        }
                    }
                } else if !segment.is_empty() && segment != "." {
                    let sub = dir.join(segment);
                    if self.listings.is_dir(&sub) {
                        next.push(sub);
                    }
                } else {
                    next.push(dir);
                }
            }
            dirs = next;
        }
        dirs
    }

    /// Reads the `package.json` and `tsconfig.json` of `dir`, once each.
    fn look_at(&mut self, dir: &Path) {
        self.read_package(dir);
        if !self.seen.insert(dir.to_path_buf()) {
            return;
        }
        let Held::Building(project) = &mut self.project else {
            return;
        };
        let tsconfig = dir.join("tsconfig.json");
        if self.listings.is_file(&tsconfig) {
            self.manifests += 1;
            if let Some(t) = read_tsconfig(&tsconfig) {
                // Deepest folders first, as the repository walk sorts them.
                let depth = t.dir.components().count();
                let at = project
                    .tsconfigs
                    .partition_point(|q| q.dir.components().count() >= depth);
                project.tsconfigs.insert(at, t);
            }
        }
    }

    /// Reads the `package.json` of `dir`, once (a workspace member's `tsconfig.json` matters
    /// only to the files under it, read when one of them is visited).
    fn read_package(&mut self, dir: &Path) {
        if !self.seen_packages.insert(dir.to_path_buf()) {
            return;
        }
        let Held::Building(project) = &mut self.project else {
            return;
        };
        let package = dir.join("package.json");
        if self.listings.is_file(&package) {
            self.manifests += 1;
            if let Some(p) = read_package(&package) {
                let depth = p.dir.components().count();
                let at = project
                    .packages
                    .partition_point(|q| q.dir.components().count() >= depth);
                project.packages.insert(at, p);
            }
        }
    }

    /// Reads the manifests of every folder from `file` up to the root that the repository walk
    /// would read (not hidden, ignored, or a dependency folder).
    pub fn visit(&mut self, file: &Path) {
        if matches!(self.project, Held::Loaded(_)) {
            return;
        }
        let root = self.project().root.clone();
        let file = crate::source::absolute(file);
        if super::drizzle::may_hold_tables(&file) && !self.drizzle_candidates.contains(&file) {
            self.drizzle_candidates.push(file.clone());
        }
        let mut dirs: Vec<PathBuf> = file
            .ancestors()
            .skip(1)
            .take_while(|d| d.starts_with(&root))
            .map(Path::to_path_buf)
            .collect();
        dirs.reverse();
        for dir in dirs {
            if self.seen.contains(&dir) {
                continue;
            }
            if dir != root && self.ignores_skip(&dir.join("package.json"), &root) {
                // The walk does not enter this folder, nor any below it.
                self.seen.insert(dir);
                continue;
            }
            self.look_at(&dir);
        }
    }

    pub fn project(&self) -> &Project {
        match &self.project {
            Held::Building(p) => p,
            Held::Loaded(p) => p,
        }
    }

    /// A project of the manifests read, with the Prisma schemas of its packages: where Prisma
    /// looks for them (`prisma.schema` of `package.json`, `prisma/`, `schema.prisma`), or the
    /// `[prisma] schema` setting (anchored). Also returns how many schema files it read. `None`
    /// over a loaded project.
    pub fn finish_for(&self, configured: Option<&str>) -> Option<(Project, usize)> {
        let Held::Building(building) = &self.project else {
            return None;
        };
        let root = building.root.clone();
        let mut files: Vec<PathBuf> = Vec::new();
        if let Some(configured) = configured {
            let path = crate::source::absolute(Path::new(configured));
            if path.is_dir() {
                self.prisma_files_under(&path, &mut files);
            }
        } else {
            let mut dirs: Vec<(PathBuf, Option<String>)> = building
                .packages
                .iter()
                .map(|p| (p.dir.clone(), p.prisma_schema.clone()))
                .collect();
            if !dirs.iter().any(|(d, _)| *d == root) {
                dirs.push((root.clone(), None));
            }
            for (dir, declared) in dirs {
                let single = dir.join("schema.prisma");
                if self.listings.is_file(&single) && !self.ignores_skip(&single, &root) {
                    files.push(single);
                }
                self.prisma_files_under(&dir.join("prisma"), &mut files);
                if let Some(declared) = declared {
                    let path = crate::source::normalize(&dir.join(declared));
                    if self.listings.is_dir(&path) {
                        self.prisma_files_under(&path, &mut files);
                    } else if self.listings.is_file(&path)
                        && path.extension().is_some_and(|e| e == "prisma")
                        && !self.ignores_skip(&path, &root)
                    {
                        files.push(path);
                    }
                }
            }
        }
        files.sort();
        files.dedup();
        let count = files.len();
        let mut project = Project {
            root: root.clone(),
            packages: building.packages.clone(),
            tsconfigs: building.tsconfigs.clone(),
            // The tables of the modules the named files import (a schema module, its barrel).
            drizzle: super::drizzle_schema(&self.drizzle_candidates, &root),
            ..Project::default()
        };
        if let Some(configured) = configured {
            let path = crate::source::absolute(Path::new(configured));
            let files = if path.is_dir() { files } else { vec![path] };
            let mut schema = super::Schema::default();
            for file in files {
                if let Ok(text) = crate::source::read_text(&file) {
                    schema.add_file(file, &text);
                }
            }
            project.schemas.insert(PathBuf::new(), schema);
        } else {
            for file in files {
                project.add_schema_file(file);
            }
        }
        Some((project, count))
    }

    fn ignores_skip(&self, path: &Path, root: &Path) -> bool {
        self.ignores.borrow_mut().skips(path, root)
    }

    /// The `.prisma` files under `dir` the repository walk reads: not in `migrations/`, hidden
    /// or ignored folders.
    fn prisma_files_under(&self, dir: &Path, out: &mut Vec<PathBuf>) {
        let root = self.project().root.clone();
        if !self.listings.is_dir(dir) || self.ignores_skip(&dir.join("x.prisma"), &root) {
            return;
        }
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for file in self.listings.files(&d) {
                let name = file.file_name().unwrap_or_default().to_string_lossy();
                let in_migrations = file.components().any(|c| c.as_os_str() == "migrations");
                if name.ends_with(".prisma")
                    && !in_migrations
                    && !self.ignores_skip(&file, &root)
                    && !self.listings.is_link(&file)
                {
                    out.push(file);
                }
            }
            for sub in self.listings.subdirs(&d) {
                let name = sub.file_name().unwrap_or_default().to_string_lossy();
                if !name.starts_with('.') && !SKIPPED_DIRS.contains(&name.as_ref()) {
                    stack.push(sub);
                }
            }
        }
    }
}

fn strings(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The `packages:` list of a `pnpm-workspace.yaml` (block or flow style).
fn pnpm_packages(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    let unquote = |s: &str| s.trim().trim_matches(|c| c == '"' || c == '\'').to_string();
    for line in text.lines() {
        let code = line.split(" #").next().unwrap_or("");
        if code.trim().is_empty() || code.trim_start().starts_with('#') {
            continue;
        }
        if !code.starts_with([' ', '\t', '-']) {
            inside = false;
            if let Some(rest) = code.strip_prefix("packages:") {
                let rest = rest.trim();
                if let Some(flow) = rest.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
                    out.extend(flow.split(',').map(unquote).filter(|s| !s.is_empty()));
                } else {
                    inside = true;
                }
            }
            continue;
        }
        if inside {
            if let Some(item) = code.trim_start().strip_prefix('-') {
                out.push(unquote(item));
            }
        }
    }
    out
}

/// The module specifiers a text names in imports, re-exports, `import()` and `require()`: a
/// text scan, generous (a specifier in a comment is taken too; that only reads one more file).
pub fn import_specifiers(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let quote = bytes[i];
        if quote != b'"' && quote != b'\'' {
            i += 1;
            continue;
        }
        let Some(len) = bytes[i + 1..]
            .iter()
            .take(300)
            .position(|&b| b == quote || b == b'\n')
        else {
            i += 1;
            continue;
        };
        let end = i + 1 + len;
        if bytes[end] != quote {
            i = end;
            continue;
        }
        // The word before the literal: `from`, `import`, `require(`, `import(`.
        let mut j = i;
        while j > 0 && matches!(bytes[j - 1], b' ' | b'\t' | b'\n' | b'\r' | b'(') {
            j -= 1;
        }
        let word_end = j;
        while j > 0 && bytes[j - 1].is_ascii_alphabetic() {
            j -= 1;
        }
        let word = &bytes[j..word_end];
        if matches!(word, b"from" | b"import" | b"require") {
            if let Some(s) = text.get(i + 1..end) {
                if !s.is_empty() && !out.iter().any(|o| o == s) {
                    out.push(s.to_string());
                }
            }
        }
        i = end + 1;
    }
    out
}

impl Loader<'_> {
    /// The local modules `files` import, breadth first up to [`MAX_CONTEXT_DEPTH`] imports deep
    /// and [`MAX_CONTEXT_FILES`] files, that `wanted` accepts (files the repository walk would
    /// lint with the same configuration); each is visited (its folders' manifests read) before
    /// its own imports are resolved. `text` gives a file's text (an unsaved buffer, or the disk).
    pub fn context(
        &mut self,
        files: &[PathBuf],
        text: &dyn Fn(&Path) -> Option<String>,
        wanted: &mut dyn FnMut(&Path) -> bool,
    ) -> Vec<PathBuf> {
        let root = self.project().root.clone();
        let mut seen: HashSet<PathBuf> = files.iter().map(|f| crate::source::absolute(f)).collect();
        let mut queue: VecDeque<(PathBuf, usize)> = VecDeque::new();
        for file in files {
            self.visit(file);
            queue.push_back((crate::source::absolute(file), 0));
        }
        let mut out = Vec::new();
        'files: while let Some((file, depth)) = queue.pop_front() {
            if depth >= MAX_CONTEXT_DEPTH {
                continue;
            }
            let Some(source) = text(&file) else { continue };
            for specifier in import_specifiers(&source) {
                if !self.project().may_be_local(&file, &specifier) {
                    continue;
                }
                let listings = &self.listings;
                let targets = self
                    .project()
                    .resolve_with(&file, &specifier, &|p: &Path| listings.is_file(p));
                for target in targets {
                    let target = crate::source::absolute(&target);
                    if !seen.insert(target.clone())
                        || crate::source::Lang::from_path(&target).is_none()
                        || self.listings.is_link(&target)
                        || self.ignores_skip(&target, &root)
                        || !wanted(&target)
                    {
                        continue;
                    }
                    self.visit(&target);
                    out.push(target.clone());
                    if out.len() >= MAX_CONTEXT_FILES {
                        break 'files;
                    }
                    queue.push_back((target, depth + 1));
                }
            }
        }
        out.sort();
        out
    }
}
