//! The statistics file (`.leaklint/stats.json`, written by `leaklint stats`): row estimates per
//! table and fan-out per foreign key, taken from the database's own planner statistics. It holds
//! names and numbers only, never a row value.
//!
//! Format (version 1):
//! ```json
//! {
//!   "version": 1,
//!   "collected_at": "2026-12-04T21:30:00Z",
//!   "server": { "kind": "postgresql", "version": "15.18" },
//!   "database": "app",
//!   "tables": [
//!     { "schema": "public", "name": "PnodeGossipObservation", "rows": 4200000,
//!       "inserts": 4300000, "last_analyze": "2026-12-04T21:00:00Z",
//!       "foreign_keys": [
//!         { "columns": ["pnodeId"], "references": { "schema": "public", "table": "Pnode", "columns": ["id"] },
//!           "distinct_parents": 3800, "avg_children": 1105.3, "max_children": 2400 } ] }
//!   ]
//! }
//! ```
//! `rows` is the planner's estimate (`pg_class.reltuples`, `sqlite_stat1`, MySQL's
//! `TABLE_ROWS`), `inserts` the rows inserted since the server's statistics were reset (a growth
//! hint; absent where the server keeps no such count), `max_children` the most children one
//! parent has (from the most common value's frequency; absent when the server keeps none, then
//! the average is all that is known).

use super::schema::Model;
pub use crate::config::StatsSettings as Thresholds;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The statistics file's format version this build reads and writes.
pub const VERSION: u32 = 1;

/// The default location, relative to the project root.
pub const DEFAULT_PATH: &str = ".leaklint/stats.json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatsFile {
    pub version: u32,
    /// RFC 3339, UTC (`2026-12-04T21:30:00Z`).
    pub collected_at: String,
    pub server: Server,
    /// The database's name (never the URL: it may hold a password).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    pub tables: Vec<TableStats>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Server {
    /// `postgresql`, `sqlite`, `mysql` or `mariadb`.
    pub kind: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableStats {
    /// `public`; `main` for SQLite; the database name for MySQL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    pub name: String,
    /// Estimated rows.
    pub rows: f64,
    /// Rows inserted since the server's statistics were reset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inserts: Option<u64>,
    /// When the planner's statistics were last gathered (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_analyze: Option<String>,
    #[serde(default)]
    pub foreign_keys: Vec<ForeignKeyStats>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForeignKeyStats {
    /// The child's columns, in key order.
    pub columns: Vec<String>,
    pub references: Reference,
    /// Distinct non-null values of the key: parents that have children.
    pub distinct_parents: f64,
    /// Children per parent that has any.
    pub avg_children: f64,
    /// The most children one parent has, when the server's statistics tell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_children: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    pub table: String,
    pub columns: Vec<String>,
}

impl StatsFile {
    /// Reads and checks a statistics file.
    pub fn read(path: &Path) -> Result<StatsFile, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<StatsFile, String> {
        let file: StatsFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if file.version != VERSION {
            return Err(format!(
                "statistics format version {} (this leaklint reads version {VERSION}): collect them again with `leaklint stats`",
                file.version
            ));
        }
        if parse_rfc3339(&file.collected_at).is_none() {
            return Err(format!(
                "`collected_at` is not an RFC 3339 UTC time: {:?}",
                file.collected_at
            ));
        }
        Ok(file)
    }

    /// Seconds since the statistics were collected, at `now` (Unix seconds).
    pub fn age_secs(&self, now: i64) -> Option<i64> {
        parse_rfc3339(&self.collected_at).map(|t| now - t)
    }
}

/// What the numbers say of a table or a relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// Few enough rows that reading them whole is no incident.
    Small,
    /// As many as the thresholds call large.
    Large,
    /// Between the two: the numbers decide nothing.
    Between,
}

/// A loaded statistics file, indexed for lookups by the data model's names.
#[derive(Debug, Clone)]
pub struct Stats {
    pub file: StatsFile,
    /// Where it was read from.
    pub path: PathBuf,
    pub thresholds: Thresholds,
    /// Normalised table name -> indexes into `file.tables` (several schemas may hold one name).
    by_name: HashMap<String, Vec<usize>>,
}

/// Lower case without `_`: `pnode_gossip_observation` and `PnodeGossipObservation` meet.
fn normalise(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_' && *c != '"' && *c != '`')
        .flat_map(char::to_lowercase)
        .collect()
}

impl Stats {
    pub fn new(file: StatsFile, path: PathBuf, thresholds: Thresholds) -> Stats {
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, table) in file.tables.iter().enumerate() {
            by_name.entry(normalise(&table.name)).or_default().push(i);
        }
        Stats {
            file,
            path,
            thresholds,
            by_name,
        }
    }

    /// The statistics of the table called `name` (a SQL name, `schema.name`, or a model's name
    /// that the table spells in snake case or in the plural: `User` -> `users`). A name held by
    /// tables of several schemas picks the default schema's (`public`, `main`), else none.
    pub fn table(&self, name: &str) -> Option<&TableStats> {
        let (schema, bare) = match name.rsplit_once('.') {
            Some((s, n)) => (Some(s.trim_matches(['"', '`'])), n),
            None => (None, name),
        };
        let key = normalise(bare);
        if key.is_empty() {
            return None;
        }
        let candidates = [key.clone(), format!("{key}s"), format!("{key}es")];
        let hits = candidates.iter().find_map(|k| self.by_name.get(k))?;
        let tables = hits.iter().map(|&i| &self.file.tables[i]);
        let pick = |pred: &dyn Fn(&TableStats) -> bool| {
            let mut found = tables.clone().filter(|t| pred(t));
            let first = found.next();
            first.filter(|_| found.next().is_none())
        };
        match schema {
            Some(s) => pick(&|t: &TableStats| t.schema.as_deref() == Some(s)),
            None => pick(&|_| true).or_else(|| {
                pick(&|t: &TableStats| {
                    matches!(t.schema.as_deref(), None | Some("public" | "main" | "dbo"))
                })
            }),
        }
    }

    /// The statistics of a model's table: its mapped name (`@@map`, Drizzle's table name,
    /// `@Entity("name")`), else its own name.
    pub fn for_model(&self, model: &Model) -> Option<&TableStats> {
        self.table(model.table.as_deref().unwrap_or(&model.name))
    }

    /// The foreign key of `child`'s table that points at `parent`'s table, when there is
    /// exactly one (a table with two keys to `User`, author and assignee, does not say which a
    /// relation follows).
    pub fn relation(&self, parent: &Model, child: &Model) -> Option<&ForeignKeyStats> {
        let parent_table = self.for_model(parent)?;
        let child_table = self.for_model(child)?;
        let mut keys = child_table.foreign_keys.iter().filter(|k| {
            self.table(&match &k.references.schema {
                Some(s) => format!("{s}.{}", k.references.table),
                None => k.references.table.clone(),
            })
            .is_some_and(|t| std::ptr::eq(t, parent_table))
        });
        let first = keys.next();
        first.filter(|_| keys.next().is_none())
    }

    /// The foreign key of `model`'s table whose first column is the field `field` (its `@map`
    /// column name when it has one).
    pub fn key_of(&self, model: &Model, field: &str) -> Option<&ForeignKeyStats> {
        let column = model
            .field(field)
            .and_then(|f| f.column.as_deref())
            .unwrap_or(field);
        self.for_model(model)?.foreign_keys.iter().find(|k| {
            k.columns
                .first()
                .is_some_and(|c| normalise(c) == normalise(column))
        })
    }

    /// Whether a whole table is small, large, or neither.
    pub fn table_size(&self, table: &TableStats) -> Size {
        if table.rows < self.thresholds.small_table {
            Size::Small
        } else if table.rows >= self.thresholds.large_table {
            Size::Large
        } else {
            Size::Between
        }
    }

    /// Whether the children one parent has through `key` are few, many, or neither.
    pub fn fan_out(&self, key: &ForeignKeyStats) -> Size {
        let most = key.max_children.unwrap_or(key.avg_children);
        if most <= self.thresholds.few_children {
            Size::Small
        } else if key.avg_children >= self.thresholds.many_children {
            Size::Large
        } else {
            Size::Between
        }
    }

    /// Whether the statistics are older than the configured age at `now` (Unix seconds).
    pub fn is_stale(&self, now: i64) -> bool {
        self.file
            .age_secs(now)
            .is_some_and(|age| age > self.thresholds.max_age_days as i64 * 86_400)
    }
}

/// Reads the statistics a project's config points at (`[stats] file`), else
/// `<root>/.leaklint/stats.json` when it exists. `Ok(None)`: no statistics; `Err`: a file that is
/// there (or configured) and cannot be used, with why.
pub fn load(root: &Path, settings: &Thresholds) -> Result<Option<Stats>, (PathBuf, String)> {
    let (path, configured) = match &settings.file {
        Some(path) => (path.clone(), true),
        None => (root.join(DEFAULT_PATH), false),
    };
    if !configured && !path.exists() {
        return Ok(None);
    }
    // Read as any linted file is: a FIFO or a huge file is refused, not waited on.
    let text = crate::source::read_text(&path).map_err(|e| (path.clone(), e.to_string()))?;
    let file = StatsFile::parse(&text).map_err(|e| (path.clone(), e))?;
    Ok(Some(Stats::new(file, path, settings.clone())))
}

impl Stats {
    /// For `--verbose`: which file, how old, how many tables, and those no model of `models`
    /// maps to (a few named).
    pub fn describe(&self, models: &[&Model], now: i64, root: &Path) -> String {
        let shown = self.path.strip_prefix(root).unwrap_or(&self.path);
        let age = self
            .file
            .age_secs(now)
            .map(|a| {
                let days = a.max(0) / 86_400;
                match days {
                    0 => "today".to_string(),
                    1 => "1 day old".to_string(),
                    n => format!("{n} days old"),
                }
            })
            .unwrap_or_default();
        let mapped: std::collections::HashSet<*const TableStats> = models
            .iter()
            .filter_map(|m| self.for_model(m).map(|t| t as *const TableStats))
            .collect();
        let unmapped: Vec<&str> = self
            .file
            .tables
            .iter()
            .filter(|t| !mapped.contains(&(*t as *const TableStats)))
            .map(|t| t.name.as_str())
            .collect();
        let mut text = format!(
            "statistics from {} ({} {}, collected {}, {age}): {} tables",
            shown.display(),
            self.file.server.kind,
            self.file.server.version,
            self.file.collected_at,
            self.file.tables.len()
        );
        if models.is_empty() {
            text.push_str(", no data model to map them to");
        } else if unmapped.is_empty() {
            text.push_str(", every one mapped to a model");
        } else {
            let mut names = unmapped
                .iter()
                .take(8)
                .copied()
                .collect::<Vec<_>>()
                .join(", ");
            if unmapped.len() > 8 {
                names.push_str(&format!(" and {} more", unmapped.len() - 8));
            }
            text.push_str(&format!(
                ", {} not mapped to a model: {names}",
                unmapped.len()
            ));
        }
        text
    }
}

/// "about 1,100 each, up to 2,400 (4.2M rows in all)": what a relation's numbers say, for
/// messages; with `parent` ("about 1,500 per `Pnode`") where the message names one parent.
pub fn describe_fan_out(key: &ForeignKeyStats, child: &TableStats, parent: Option<&str>) -> String {
    let mut text = match parent {
        Some(parent) => format!("about {} per `{parent}`", count(key.avg_children)),
        None => format!("about {} each", count(key.avg_children)),
    };
    if let Some(max) = key.max_children.filter(|m| *m > key.avg_children * 1.5) {
        text.push_str(&format!(", up to {}", count(max)));
    }
    text.push_str(&format!(" ({} rows in all)", count(child.rows)));
    text
}

/// A row count as people write it: `950`, `1,100`, `42,000`, `4.2M`.
pub fn count(n: f64) -> String {
    let n = n.max(0.0);
    // 999,999 reads as 1M, not 1,000,000.
    if n >= 999_500.0 {
        let m = n / 1_000_000.0;
        if m >= 100.0 {
            format!("{}M", m.round())
        } else {
            format!("{:.1}M", m).replace(".0M", "M")
        }
    } else {
        // Two significant figures above 1,000: estimates are not exact.
        let n = n.round() as u64;
        let n = if n >= 10_000 {
            (n + 500) / 1000 * 1000
        } else if n >= 1000 {
            (n + 50) / 100 * 100
        } else {
            n
        };
        crate::diagnostic::thousands(n)
    }
}

/// Unix seconds as RFC 3339 UTC (`2026-12-04T21:30:00Z`).
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The Unix seconds of `YYYY-MM-DDTHH:MM:SS[.fff]Z` (also with a `+00:00` offset, or a space
/// for the `T`). Other offsets are read too; anything else is `None`.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let text = text.trim();
    let b = text.as_bytes();
    if b.len() < 19 || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(r)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut rest = text.get(19..)?;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = frac.get(digits..)?;
    }
    let offset = match rest {
        "Z" | "z" | "" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let hh: i64 = rest.get(1..3)?.parse().ok()?;
            let mm: i64 = rest
                .get(3..)
                .map(|r| r.trim_start_matches(':'))
                .filter(|r| !r.is_empty())
                .map_or(Some(0), |r| r.parse().ok())?;
            sign * (hh * 3600 + mm * 60)
        }
    };
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_796_419_800), "2026-12-04T21:30:00Z");
        assert_eq!(parse_rfc3339("2026-12-04T21:30:00Z"), Some(1_796_419_800));
        assert_eq!(
            parse_rfc3339("2026-12-04 22:30:00.123+01:00"),
            Some(1_796_419_800)
        );
        assert_eq!(
            parse_rfc3339("2024-02-29T00:00:00Z")
                .map(rfc3339)
                .as_deref(),
            Some("2024-02-29T00:00:00Z")
        );
        for bad in [
            "",
            "2026-13-01T00:00:00Z",
            "2026-12-04",
            "yesterday",
            "2026-12-04T21:30:00Q",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn reads_what_it_documents() {
        let text = r#"{ "version": 1, "collected_at": "2026-12-04T21:30:00Z",
          "server": { "kind": "postgresql", "version": "15.18" }, "database": "app",
          "tables": [ { "schema": "public", "name": "PnodeGossipObservation", "rows": 4200000,
            "inserts": 4300000, "last_analyze": "2026-12-04T21:00:00Z",
            "foreign_keys": [ { "columns": ["pnodeId"],
              "references": { "schema": "public", "table": "Pnode", "columns": ["id"] },
              "distinct_parents": 3800, "avg_children": 1105.3, "max_children": 2400 } ] },
            { "name": "Pnode", "rows": 3800 } ] }"#;
        let file = StatsFile::parse(text).unwrap();
        assert_eq!(file.tables.len(), 2);
        assert_eq!(file.tables[0].foreign_keys[0].max_children, Some(2400.0));
        assert_eq!(file.tables[1].foreign_keys, vec![]);
        assert_eq!(file.age_secs(1_796_419_800 + 60), Some(60));
        let again = StatsFile::parse(&serde_json::to_string(&file).unwrap()).unwrap();
        assert_eq!(again, file);
        let future = text.replace("\"version\": 1", "\"version\": 2");
        assert!(StatsFile::parse(&future).unwrap_err().contains("version 2"));
        let bad_time = text.replace("2026-12-04T21:30:00Z", "last tuesday");
        assert!(StatsFile::parse(&bad_time).is_err());
    }

    fn table(
        schema: Option<&str>,
        name: &str,
        rows: f64,
        keys: Vec<ForeignKeyStats>,
    ) -> TableStats {
        TableStats {
            schema: schema.map(str::to_string),
            name: name.into(),
            rows,
            inserts: None,
            last_analyze: None,
            foreign_keys: keys,
        }
    }

    fn key(column: &str, parent: &str, avg: f64, max: Option<f64>) -> ForeignKeyStats {
        ForeignKeyStats {
            columns: vec![column.into()],
            references: Reference {
                schema: None,
                table: parent.into(),
                columns: vec!["id".into()],
            },
            distinct_parents: 10.0,
            avg_children: avg,
            max_children: max,
        }
    }

    fn model(name: &str, table: Option<&str>) -> Model {
        let mut schema = crate::project::schema::Schema::default();
        let map = table.map_or(String::new(), |t| format!("@@map(\"{t}\")"));
        schema.add_file(
            "s.prisma".into(),
            &format!(
                "model {name} {{\n id String @id\n ownerId String @map(\"owner_id\")\n {map}\n}}\n"
            ),
        );
        schema.models.remove(name).unwrap()
    }

    fn stats(tables: Vec<TableStats>) -> Stats {
        let file = StatsFile {
            version: VERSION,
            collected_at: "2026-12-01T00:00:00Z".into(),
            server: Server {
                kind: "postgresql".into(),
                version: "15".into(),
            },
            database: None,
            tables,
        };
        Stats::new(file, "s.json".into(), Thresholds::default())
    }

    #[test]
    fn tables_are_found_by_the_names_models_give_them() {
        let s = stats(vec![
            table(Some("public"), "users", 10.0, vec![]),
            table(Some("public"), "pnode_gossip_observation", 20.0, vec![]),
            table(Some("public"), "Team", 30.0, vec![]),
            table(Some("audit"), "Team", 31.0, vec![]),
            table(Some("a"), "Doc", 40.0, vec![]),
            table(Some("b"), "Doc", 41.0, vec![]),
        ]);
        assert_eq!(s.table("users").map(|t| t.rows), Some(10.0));
        assert_eq!(s.table("User").map(|t| t.rows), Some(10.0), "plural");
        assert_eq!(
            s.table("PnodeGossipObservation").map(|t| t.rows),
            Some(20.0)
        );
        assert_eq!(s.table("\"public\".\"users\"").map(|t| t.rows), Some(10.0));
        // Two schemas: the default one wins, else the name says nothing.
        assert_eq!(s.table("Team").map(|t| t.rows), Some(30.0));
        assert_eq!(s.table("audit.Team").map(|t| t.rows), Some(31.0));
        assert_eq!(s.table("Doc"), None);
        assert_eq!(s.table("b.Doc").map(|t| t.rows), Some(41.0));
        assert_eq!(s.table(""), None);
        assert_eq!(s.table("nothing"), None);
        // `@@map` beats the model's name.
        assert_eq!(
            s.for_model(&model("Account", Some("users")))
                .map(|t| t.rows),
            Some(10.0)
        );
        assert_eq!(s.for_model(&model("Account", None)), None);
    }

    #[test]
    fn relations_follow_the_one_key_to_the_parent() {
        let s = stats(vec![
            table(None, "Owner", 5.0, vec![]),
            table(
                None,
                "Thing",
                50.0,
                vec![key("owner_id", "Owner", 10.0, Some(40.0))],
            ),
            table(
                None,
                "Task",
                50.0,
                vec![
                    key("author_id", "Owner", 10.0, None),
                    key("assignee_id", "Owner", 10.0, None),
                ],
            ),
        ]);
        let owner = model("Owner", None);
        let thing = model("Thing", None);
        assert_eq!(
            s.relation(&owner, &thing).map(|k| k.avg_children),
            Some(10.0)
        );
        // Two keys to the parent: which one a relation follows is not known.
        assert_eq!(s.relation(&owner, &model("Task", None)), None);
        // A field's `@map` column finds its key.
        assert!(s.key_of(&thing, "ownerId").is_some());
        assert!(s.key_of(&thing, "id").is_none());
    }

    #[test]
    fn thresholds_judge_fan_out_and_size() {
        let s = stats(vec![]);
        assert_eq!(s.fan_out(&key("k", "P", 2.0, Some(3.0))), Size::Small);
        assert_eq!(
            s.fan_out(&key("k", "P", 80.0, None)),
            Size::Small,
            "the average when no max"
        );
        assert_eq!(
            s.fan_out(&key("k", "P", 20.0, Some(900.0))),
            Size::Between,
            "skewed"
        );
        assert_eq!(s.fan_out(&key("k", "P", 1100.0, Some(2400.0))), Size::Large);
        assert_eq!(s.table_size(&table(None, "t", 999.0, vec![])), Size::Small);
        assert_eq!(
            s.table_size(&table(None, "t", 5000.0, vec![])),
            Size::Between
        );
        assert_eq!(
            s.table_size(&table(None, "t", 10_000.0, vec![])),
            Size::Large
        );
        let day = 86_400;
        let collected = parse_rfc3339("2026-12-01T00:00:00Z").unwrap();
        assert!(!s.is_stale(collected + 30 * day));
        assert!(s.is_stale(collected + 31 * day));
    }

    #[test]
    fn counts_read_as_estimates() {
        for (n, text) in [
            (0.0, "0"),
            (7.4, "7"),
            (950.0, "950"),
            (1105.3, "1,100"),
            (2449.0, "2,400"),
            (42_400.0, "42,000"),
            (999_999.0, "1M"),
            (12_345.0, "12,000"),
            (4_200_000.0, "4.2M"),
            (3_000_000.0, "3M"),
            (123_456_789.0, "123M"),
            (-5.0, "0"),
        ] {
            assert_eq!(count(n), text, "{n}");
        }
    }
}
