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

use serde::{Deserialize, Serialize};
use std::path::Path;

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
}
