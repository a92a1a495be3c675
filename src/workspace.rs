//! Which configuration and which project each linted file belongs to. Each file gets the
//! nearest `leaklint.toml` above it, layered on the configs of the folders above that one up to
//! a `root = true` config, with the `[[overrides]]` that match it applied; and the project facts
//! of the repository that holds it. Files that share both are linted together, so the answer
//! never depends on the order in which paths were given.

use crate::config::{self, Config, ConfigError};
use crate::discover::{self, Discovered};
use crate::{display_path, Report, RunError, Settings};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Finds and caches the configuration chain of each folder.
pub struct Resolver {
    base: Config,
    nested: bool,
    cwd: PathBuf,
    /// Nearest config file of each folder asked about.
    nearest: HashMap<PathBuf, Option<PathBuf>>,
    /// Layered configuration by nearest config file.
    chains: HashMap<PathBuf, Arc<Config>>,
}

impl Resolver {
    /// With `nested` false every file gets `base`; otherwise `base` applies only to files with
    /// no `leaklint.toml` above them.
    pub fn new(base: &Config, nested: bool, cwd: &Path) -> Self {
        Resolver {
            base: base.clone(),
            nested,
            cwd: cwd.to_path_buf(),
            nearest: HashMap::new(),
            chains: HashMap::new(),
        }
    }

    /// The configuration of `path` (a file or folder), overrides not yet applied.
    pub fn config_for(&mut self, path: &Path) -> Result<Arc<Config>, Box<ConfigError>> {
        if !self.nested {
            return Ok(Arc::new(self.base.clone()));
        }
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let dir = if absolute.is_dir() {
            absolute
        } else {
            absolute.parent().map(Path::to_path_buf).unwrap_or(absolute)
        };
        let Some(nearest) = self.nearest_file(&dir) else {
            return Ok(Arc::new(self.base.clone()));
        };
        if let Some(chain) = self.chains.get(&nearest) {
            return Ok(chain.clone());
        }
        // The nearest file and those above it, up to one that says `root = true`.
        let mut layers = vec![nearest.clone()];
        let mut at = nearest.clone();
        loop {
            let one = config::load(&at, &display_path(&at, &self.cwd))?;
            if one.is_root {
                break;
            }
            let parent_dir = at.parent().and_then(Path::parent).map(Path::to_path_buf);
            let Some(above) = parent_dir.and_then(|d| self.nearest_file(&d)) else {
                break;
            };
            layers.push(above.clone());
            at = above;
        }
        let mut layered = Config::default();
        for file in layers.iter().rev() {
            layered = config::load_onto(layered, file, &display_path(file, &self.cwd))?;
        }
        let chain = Arc::new(layered);
        self.chains.insert(nearest, chain.clone());
        Ok(chain)
    }

    /// The effective configuration of one file: its chain with matching overrides applied.
    pub fn effective(&mut self, file: &Path) -> Result<(Config, Vec<usize>), Box<ConfigError>> {
        Ok(self.config_for(file)?.for_file(file))
    }

    fn nearest_file(&mut self, dir: &Path) -> Option<PathBuf> {
        if let Some(known) = self.nearest.get(dir) {
            return known.clone();
        }
        let candidate = dir.join(config::FILE_NAME);
        let found = if candidate.is_file() {
            Some(candidate)
        } else {
            dir.parent().and_then(|p| self.nearest_file(p))
        };
        self.nearest.insert(dir.to_path_buf(), found.clone());
        found
    }
}

/// The folder whose project facts `file` gets: the nearest version-control or workspace root
/// above it, else `fallback` (the folder the run was started on).
pub fn project_root(file: &Path, fallback: &Path) -> PathBuf {
    let absolute = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    absolute
        .ancestors()
        .skip(1)
        .find(|dir| crate::project::is_root(dir))
        .map(Path::to_path_buf)
        .unwrap_or_else(|| fallback.to_path_buf())
}

/// Files linted together: (nearest config file, overrides that matched, project root).
type GroupKey = (Option<PathBuf>, Vec<usize>, PathBuf);

/// Lints `settings.paths`, each file with its own configuration and project.
pub fn lint(settings: &Settings) -> Result<Report, RunError> {
    let mut resolver = Resolver::new(&settings.config, settings.nested_configs, &settings.cwd);
    let mut errors = Vec::new();
    let mut groups: BTreeMap<GroupKey, (Config, Discovered)> = BTreeMap::new();
    let mut seen = std::collections::HashSet::new();
    for path in &settings.paths {
        let walk_config = resolver.config_for(path).map_err(RunError::Config)?;
        let found = if settings.unsaved_text(path).is_some() {
            // An unsaved buffer: linted as the file it names, which may not exist yet.
            Discovered {
                files: crate::analysis::Lang::from_path(path)
                    .map(|lang| (path.clone(), lang))
                    .into_iter()
                    .collect(),
                errors: Vec::new(),
            }
        } else {
            discover::discover(std::slice::from_ref(path), &walk_config, settings.no_ignore)
                .map_err(|discover::DiscoverError::NotFound(p)| RunError::PathNotFound(p))?
        };
        errors.extend(found.errors);
        // Outside a repository, the project is the working folder when the path is under it
        // (so that `check app/src/x.ts` still sees `app/package.json`), else the path itself.
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.clone());
        let fallback = if absolute.starts_with(&settings.cwd) {
            settings.cwd.clone()
        } else if absolute.is_dir() {
            absolute
        } else {
            absolute.parent().map(Path::to_path_buf).unwrap_or(absolute)
        };
        for (file, lang) in found.files {
            if !seen.insert(std::path::absolute(&file).unwrap_or_else(|_| file.clone())) {
                continue;
            }
            let (config, matched) = resolver.effective(&file).map_err(RunError::Config)?;
            if config.is_excluded(&file) {
                continue;
            }
            let key = (config.path.clone(), matched, project_root(&file, &fallback));
            groups
                .entry(key)
                .or_insert_with(|| (config, Discovered::default()))
                .1
                .files
                .push((file, lang));
        }
    }
    let mut report = Report::default();
    // Project facts depend on the config only through `[prisma] schema`: groups of one
    // repository share them.
    let mut projects: HashMap<(PathBuf, Option<String>), crate::project::Project> = HashMap::new();
    for ((_, _, root), (config, discovered)) in groups {
        let project = projects
            .entry((root.clone(), config.prisma_schema.clone()))
            .or_insert_with(|| crate::project::Project::load(std::slice::from_ref(&root), &config));
        let paths: Vec<PathBuf> = discovered.files.iter().map(|(p, _)| p.clone()).collect();
        let group_settings = Settings {
            paths,
            config,
            ..settings.clone()
        };
        let part = crate::lint_files(&group_settings, discovered, project)?;
        merge(&mut report, part, &group_settings);
    }
    for (path, message) in errors {
        report.errors.push(crate::FileError {
            path: display_path(&path, &settings.cwd),
            message,
        });
    }
    report.sort();
    Ok(report)
}

fn merge(into: &mut Report, part: Report, settings: &Settings) {
    if let Some(path) = &settings.config.path {
        into.notes.push(format!(
            "config {} for {} files",
            display_path(path, &settings.cwd),
            settings.paths.len()
        ));
    }
    into.findings.extend(part.findings);
    into.files += part.files;
    into.parsed += part.parsed;
    into.skipped.extend(part.skipped);
    into.errors.extend(part.errors);
    into.syntax_errors.extend(part.syntax_errors);
    for note in part.notes {
        if !into.notes.contains(&note) {
            into.notes.push(note);
        }
    }
    into.unparsed_sql.extend(part.unparsed_sql);
    into.sources.extend(part.sources);
}

/// The resolved configuration of `file`, as TOML with comments saying where it came from
/// (`leaklint check --show-config FILE`).
pub fn show_config(
    resolver: &mut Resolver,
    file: &Path,
    cwd: &Path,
) -> Result<String, Box<ConfigError>> {
    use crate::config::{Level, OptionValue};
    use std::fmt::Write;
    let chain = resolver.config_for(file)?;
    let (config, matched) = chain.for_file(file);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# resolved configuration for {}",
        display_path(file, cwd)
    );
    if config.files.is_empty() {
        let _ = writeln!(out, "# no leaklint.toml applies: defaults");
    } else {
        let _ = writeln!(out, "# config files, outermost first:");
        for f in &config.files {
            let _ = writeln!(out, "#   {}", display_path(f, cwd));
        }
    }
    if !matched.is_empty() {
        let globs: Vec<String> = matched
            .iter()
            .map(|&i| chain.overrides[i].patterns.join(", "))
            .collect();
        let _ = writeln!(out, "# overrides applied: {}", globs.join("; "));
    }
    if config.is_excluded(file) {
        let _ = writeln!(out, "# this file is excluded: it is not linted");
    }
    let quote = |s: &str| format!("{s:?}");
    let list = |items: &[String]| {
        let quoted: Vec<String> = items.iter().map(|s| quote(s)).collect();
        format!("[{}]", quoted.join(", "))
    };
    let mut excludes = Vec::new();
    for e in &config.excludes {
        let prefix = display_path(&e.root, cwd);
        for p in &e.patterns {
            excludes.push(if prefix.is_empty() || prefix == "." {
                p.clone()
            } else {
                format!("{prefix}/{p}")
            });
        }
    }
    let _ = writeln!(out, "exclude = {}", list(&excludes));
    let _ = writeln!(out, "max-file-size = {}", config.max_file_size);
    let _ = writeln!(out, "\n[rules]");
    for rule in crate::rules::RULES {
        let level = match config.level(rule) {
            Level::Off => "off",
            Level::On(s) => s.as_str(),
        };
        let mut options = Vec::new();
        for option in rule.options {
            let Some(value) = config.option(rule.id, option.name) else {
                continue;
            };
            let shown = match value {
                OptionValue::Level(Level::Off) => quote("off"),
                OptionValue::Level(Level::On(s)) => quote(s.as_str()),
                OptionValue::Integer(n) => n.to_string(),
                OptionValue::Bool(b) => b.to_string(),
                OptionValue::String(s) => quote(s),
                OptionValue::StringList(l) => list(l),
            };
            options.push(format!("{} = {shown}", option.name));
        }
        if options.is_empty() {
            let _ = writeln!(out, "{} = {}", rule.id, quote(level));
        } else {
            let _ = writeln!(
                out,
                "{} = {{ severity = {}, {} }}",
                rule.id,
                quote(level),
                options.join(", ")
            );
        }
    }
    let _ = writeln!(out, "\n[prisma]");
    let _ = writeln!(out, "clients = {}", list(&config.prisma_clients));
    if let Some(schema) = &config.prisma_schema {
        let _ = writeln!(
            out,
            "schema = {}",
            quote(&display_path(Path::new(schema), cwd))
        );
    }
    let _ = writeln!(out, "growing = {}", list(&config.prisma_growing));
    let _ = writeln!(out, "bounded = {}", list(&config.prisma_bounded));
    Ok(out)
}
