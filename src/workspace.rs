//! Which configuration and which project each linted file belongs to. Each file gets the
//! nearest `leaklint.toml` above it, layered on the configs of the folders above that one up to
//! a `root = true` config, with the `[[overrides]]` that match it applied; and the project facts
//! of the repository that holds it. Files that share both are linted together, so the answer
//! never depends on the order in which paths were given.

use crate::config::{self, Config, ConfigError, Level};
use crate::discover::{self, Discovered};
use crate::project::Project;
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
            if config::says_root(&at) {
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
            layered = config::load_onto(
                layered,
                file,
                &display_path(file, &self.cwd),
                &crate::rules::Registry,
            )?;
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
    project_root_with(file, fallback, &mut HashMap::new())
}

/// [`project_root`], remembering which folders are roots: a walk of thousands of files in a few
/// hundred folders asks the file system a few hundred times, not once per file and marker.
fn project_root_with(file: &Path, fallback: &Path, roots: &mut HashMap<PathBuf, bool>) -> PathBuf {
    let absolute = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    absolute
        .ancestors()
        .skip(1)
        .find(|dir| {
            if let Some(known) = roots.get(*dir) {
                return *known;
            }
            let root = crate::project::is_root(dir);
            roots.insert(dir.to_path_buf(), root);
            root
        })
        .map(Path::to_path_buf)
        .unwrap_or_else(|| fallback.to_path_buf())
}

/// Files linted together: ((), project root). Files whose configs differ in rule levels, rule
/// options or `[prisma]` settings share a group, so that cross-file facts (the semantic index)
/// span them: each file is analysed with its own config and the data model of its own
/// `[prisma] schema`, and each finding takes the level of its own file's config.
type GroupKey = ((), PathBuf);

/// A group: a config enabling every rule some file of it enables, its files, and the config of
/// each file, by the path findings show and by the path it is linted as.
struct Group {
    config: Config,
    files: Discovered,
    per_file: HashMap<String, Arc<Config>>,
    configs: HashMap<PathBuf, Arc<Config>>,
}

/// The `[prisma] schema` settings of a group's files (`None`: discovered), each a project.
fn schema_settings(group: &Group) -> std::collections::BTreeSet<Option<String>> {
    let mut out: std::collections::BTreeSet<Option<String>> = group
        .configs
        .values()
        .map(|c| c.prisma_schema.clone())
        .collect();
    out.insert(group.config.prisma_schema.clone());
    out
}

/// Lints `settings.paths`, each file with its own configuration and project.
pub fn lint(settings: &Settings) -> Result<Report, RunError> {
    let mut resolver = Resolver::new(&settings.config, settings.nested_configs, &settings.cwd);
    let mut errors = Vec::new();
    let mut groups: BTreeMap<GroupKey, Group> = BTreeMap::new();
    // One shared copy of each distinct effective config.
    let mut effective: HashMap<(Option<PathBuf>, Vec<usize>), Arc<Config>> = HashMap::new();
    let mut seen = std::collections::HashSet::new();
    for path in &settings.paths {
        let walk_config = resolver.config_for(path).map_err(RunError::Config)?;
        let found = if settings.unsaved_text(path).is_some() {
            // An unsaved buffer: linted as the file it names, which may not exist yet.
            Discovered {
                files: crate::source::Lang::from_path(path)
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
        let mut roots = HashMap::new();
        for (file, lang) in found.files {
            if !seen.insert(std::path::absolute(&file).unwrap_or_else(|_| file.clone())) {
                continue;
            }
            let (config, matched) = resolver.effective(&file).map_err(RunError::Config)?;
            if config.is_excluded(&file) {
                continue;
            }
            let config = effective
                .entry((config.path.clone(), matched))
                .or_insert_with(|| Arc::new(config))
                .clone();
            let key = ((), project_root_with(&file, &fallback, &mut roots));
            let group = groups.entry(key).or_insert_with(|| Group {
                config: (*config).clone(),
                files: Discovered::default(),
                per_file: HashMap::new(),
                configs: HashMap::new(),
            });
            enable_rules_of(&mut group.config, &config);
            group.configs.insert(file.clone(), config.clone());
            group
                .per_file
                .insert(display_path(&file, &settings.cwd), config);
            group.files.files.push((file, lang));
        }
    }
    let mut report = Report::default();
    let local = ProjectCache::default();
    let cache = settings.projects.as_ref().unwrap_or(&local);
    let mut projects = cache.0.lock().unwrap_or_else(|e| e.into_inner());
    // Files named one by one (pre-commit, an editor buffer): the modules they import are linted
    // for their facts too, and, outside a language server, the project is read around them
    // rather than by walking the whole repository.
    let named_files = !settings.paths.is_empty()
        && settings
            .paths
            .iter()
            .all(|p| settings.unsaved_text(p).is_some() || p.is_file());
    let targeted = named_files && settings.projects.is_none();
    for ((_, root), mut group) in groups {
        let started = std::time::Instant::now();
        let files: Vec<PathBuf> = group.files.files.iter().map(|(p, _)| p.clone()).collect();
        // The project of each `[prisma] schema` setting among the group's files.
        let mut by_schema: BTreeMap<Option<String>, Arc<Project>> = BTreeMap::new();
        let context;
        if targeted {
            let mut loader = crate::project::targeted::Loader::new(&root);
            for file in &files {
                loader.visit(file);
            }
            context = context_of(&mut loader, &files, &root, &mut resolver, settings);
            add_context(&mut group, &context, &mut resolver)?;
            let mut schemas = 0;
            for setting in schema_settings(&group) {
                let (mut project, count) = loader
                    .finish_for(setting.as_deref())
                    .expect("a targeted loader builds its project");
                project.load_stats(&group.config.stats);
                schemas += count;
                by_schema.insert(setting, Arc::new(project));
            }
            report.notes.push(format!(
                "project facts read around {}: {}, {}, {} linted for their facts, in {:.2?}",
                crate::render::plural(files.len(), "file"),
                crate::render::plural(loader.manifests, "manifest"),
                crate::render::plural(schemas, "schema file"),
                crate::render::plural(context.len(), "imported module"),
                started.elapsed()
            ));
        } else {
            let base = group.config.clone();
            let mut load = |setting: &Option<String>| {
                projects
                    .entry((root.clone(), setting.clone()))
                    .or_insert_with(|| {
                        let config = Config {
                            prisma_schema: setting.clone(),
                            ..base.clone()
                        };
                        let mut project = Project::load(std::slice::from_ref(&root), &config);
                        project.load_stats(&config.stats);
                        Arc::new(project)
                    })
                    .clone()
            };
            let main = load(&group.config.prisma_schema);
            context = if named_files {
                let mut loader = crate::project::targeted::Loader::over(&main);
                let context = context_of(&mut loader, &files, &root, &mut resolver, settings);
                add_context(&mut group, &context, &mut resolver)?;
                context
            } else {
                Vec::new()
            };
            for setting in schema_settings(&group) {
                let project = load(&setting);
                by_schema.insert(setting, project);
            }
        }
        // The group's project answers what does not depend on the schema (modules, packages);
        // each file's analysis gets the project of its own `[prisma] schema`.
        let project = by_schema
            .get(&group.config.prisma_schema)
            .cloned()
            .expect("the group's own schema setting is loaded");
        stats_notes(&project, &mut report);
        let file_projects: HashMap<PathBuf, Arc<Project>> = if by_schema.len() > 1 {
            group
                .configs
                .iter()
                .filter(|(_, c)| c.prisma_schema != group.config.prisma_schema)
                .filter_map(|(f, c)| Some((f.clone(), by_schema.get(&c.prisma_schema)?.clone())))
                .collect()
        } else {
            HashMap::new()
        };
        let paths: Vec<PathBuf> = group.files.files.iter().map(|(p, _)| p.clone()).collect();
        let group_settings = Settings {
            paths,
            config: group.config,
            context: Arc::new(context.iter().cloned().collect()),
            file_configs: Arc::new(std::mem::take(&mut group.configs)),
            file_projects: Arc::new(file_projects),
            walked: settings.paths.iter().any(|p| p.is_dir()),
            ..settings.clone()
        };
        let mut part = crate::lint_files(&group_settings, group.files, &project)?;
        report.context.extend(context);
        apply_file_levels(&mut part, &group.per_file);
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for config in group.per_file.values() {
            if let Some(path) = &config.path {
                *counts.entry(display_path(path, &settings.cwd)).or_default() += 1;
            }
        }
        for (path, n) in counts {
            report.notes.push(format!(
                "config {path} for {}",
                crate::render::plural(n, "file")
            ));
        }
        merge(&mut report, part);
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

/// The modules `files` import that the repository walk would lint in the same group (the same
/// project, not excluded): linted for their facts.
fn context_of(
    loader: &mut crate::project::targeted::Loader,
    files: &[PathBuf],
    root: &Path,
    resolver: &mut Resolver,
    settings: &Settings,
) -> Vec<PathBuf> {
    // Folders the walk of the root would not enter, by the root's config.
    let walk_config = resolver.config_for(root).ok();
    let text = |path: &Path| match settings.unsaved_text(path) {
        Some(text) => Some(text.to_string()),
        None => crate::source::read_text(path).ok(),
    };
    let mut wanted = |file: &Path| {
        if project_root(file, root) != root {
            return false;
        }
        if let Some(walk) = &walk_config {
            let excluded_above = file
                .ancestors()
                .skip(1)
                .take_while(|d| d.starts_with(root) && *d != root)
                .any(|d| walk.is_excluded(d));
            if excluded_above {
                return false;
            }
        }
        match resolver.effective(file) {
            Ok((config, _)) => !config.is_excluded(file),
            Err(_) => false,
        }
    };
    loader.context(files, &text, &mut wanted)
}

/// Adds the context files to a group: linted with the rules their configs turn on (as the
/// repository walk would), findings dropped.
fn add_context(
    group: &mut Group,
    context: &[PathBuf],
    resolver: &mut Resolver,
) -> Result<(), RunError> {
    for file in context {
        let Some(lang) = crate::source::Lang::from_path(file) else {
            continue;
        };
        let (config, _) = resolver.effective(file).map_err(RunError::Config)?;
        enable_rules_of(&mut group.config, &config);
        group.configs.insert(file.clone(), Arc::new(config));
        group.files.files.push((file.clone(), lang));
    }
    // In path order, as the walk lists them.
    group
        .files
        .files
        .sort_by_cached_key(|(path, _)| crate::source::absolute(path));
    Ok(())
}

/// Project facts by (project root, `[prisma] schema`): they depend on the config only through
/// the schema, so groups of one repository share them. A language server keeps one across runs.
#[derive(Clone, Default)]
pub struct ProjectCache(Arc<std::sync::Mutex<HashMap<ProjectKey, Arc<Project>>>>);

/// (project root, `[prisma] schema`).
type ProjectKey = (PathBuf, Option<String>);

impl ProjectCache {
    /// Forgets every project (a manifest, schema or config changed).
    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// Forgets what the projects read of modules as text (a source file changed on disk).
    pub fn forget_modules(&self) {
        for project in self.0.lock().unwrap_or_else(|e| e.into_inner()).values() {
            project.modules.clear();
        }
    }
}

impl std::fmt::Debug for ProjectCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProjectCache")
    }
}

/// Turns on in `group` every rule `file` turns on, so that one run covers every file's rules.
fn enable_rules_of(group: &mut Config, file: &Config) {
    for rule in crate::rules::RULES {
        if group.level(rule) == Level::Off && file.level(rule) != Level::Off {
            group.rules.entry(rule.id).or_default().level = Some(file.level(rule));
        }
    }
}

/// Gives each finding the level its own file's config sets: dropped when the rule is off there.
fn apply_file_levels(report: &mut Report, per_file: &HashMap<String, Arc<Config>>) {
    report.findings.retain_mut(|f| {
        let Some(config) = per_file.get(&f.path) else {
            return true;
        };
        match config.level(f.rule) {
            Level::Off => false,
            Level::On(severity) => {
                if !f.severity_from_rule {
                    f.severity = severity;
                }
                true
            }
        }
    });
}

fn merge(into: &mut Report, part: Report) {
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
    for (rule, n) in part.hidden {
        *into.hidden.entry(rule).or_default() += n;
    }
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
    let _ = writeln!(out, "confidence = \"{}\"", config.confidence.as_str());
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
    let stats = &config.stats;
    let _ = writeln!(out, "\n[stats]");
    match &stats.file {
        Some(file) => {
            let _ = writeln!(out, "file = {:?}", file.display().to_string());
        }
        None => {
            let _ = writeln!(
                out,
                "# file: .leaklint/stats.json at the project root, when present"
            );
        }
    }
    let _ = writeln!(out, "max-age-days = {}", stats.max_age_days);
    for (key, value) in [
        ("few-children", stats.few_children),
        ("many-children", stats.many_children),
        ("small-table", stats.small_table),
        ("large-table", stats.large_table),
    ] {
        let _ = writeln!(out, "{key} = {value}");
    }
    Ok(out)
}

/// What the run says of a project's statistics file: an unusable one is an error (the exit code
/// says so, and no number of it is trusted); stale ones are a warning, once; `--verbose` names
/// the file, its age and the tables no model maps to.
fn stats_notes(project: &Project, report: &mut Report) {
    if let Some((path, message)) = &project.stats_error {
        report.errors.push(crate::FileError {
            path: path.display().to_string(),
            message: format!("statistics not used: {message}"),
        });
    }
    let Some(stats) = &project.stats else {
        return;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let shown = stats
        .path
        .strip_prefix(&project.root)
        .unwrap_or(&stats.path);
    if stats.is_stale(now) {
        let days = stats.file.age_secs(now).unwrap_or(0) / 86_400;
        let warning = format!(
            "{} is {days} days old (older than `[stats] max-age-days = {}`): its numbers are used, but collect them again with `leaklint stats`",
            shown.display(),
            stats.thresholds.max_age_days
        );
        if !report.warnings.contains(&warning) {
            report.warnings.push(warning);
        }
    }
    report
        .notes
        .push(stats.describe(&project.models(), now, &project.root));
}
