//! A small, tolerant reader of Prisma schemas: models, fields, relations and `///` doc comments.
//! Unknown syntax is skipped, never fatal. No maintained Rust crate parses `.prisma` files (the
//! Prisma engines' `psl` is not published), and we only need the data model's shape.

use std::collections::HashMap;
use std::path::PathBuf;

/// What a `/// @leaklint growing|bounded` doc comment, or the config, says about a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Growth {
    Growing,
    Bounded,
}

/// One field of a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    /// The type name without `[]` or `?`.
    pub type_name: String,
    pub list: bool,
    pub optional: bool,
    /// `@id` or `@unique`.
    pub unique: bool,
    /// `@updatedAt`: the row is edited after it is written, so the table is not append-only.
    pub updated_at: bool,
    /// The column's name in the database when it differs from the field's (`@map("pnode_id")`,
    /// Drizzle's `text("org_id")`, TypeORM's `@Column({ name })`).
    pub column: Option<String>,
}

/// A model and what we know of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    pub name: String,
    pub fields: Vec<Field>,
    /// Scalar fields named in `@relation(fields: [...])`: foreign keys to a parent.
    pub foreign_keys: Vec<String>,
    /// Fields of compound `@@id([...])` / `@@unique([...])`.
    pub compound_unique: Vec<Vec<String>>,
    /// Columns of each non-unique index (`@@index([a, b])`, TypeORM `@Index()`), leading column
    /// first: what the application looks rows up by.
    pub indexes: Vec<Vec<String>>,
    pub growth: Option<Growth>,
    /// Where the model is declared, for messages.
    pub file: PathBuf,
    /// Some of its columns are declared elsewhere (a TypeORM entity that extends a base class):
    /// what it lacks is not known.
    pub inherits: bool,
    /// The table's name in the database when the data model says it (`@@map("pnodes")`,
    /// Drizzle's `pgTable("pnodes", ...)`, `@Entity("pnodes")`), for the statistics file.
    pub table: Option<String>,
}

impl Model {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// A parsed schema: every model of every file that makes it up.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    /// By model name (`PnodeGossipObservation`).
    pub models: HashMap<String, Model>,
    /// `datasource` provider (`postgresql`, `mysql`, ...).
    pub provider: Option<String>,
    /// The files read.
    pub files: Vec<PathBuf>,
}

impl Schema {
    /// Parses and adds one schema file's text.
    pub fn add_file(&mut self, path: PathBuf, text: &str) {
        let mut doc = String::new();
        let mut current: Option<Model> = None;
        let mut in_datasource = false;
        let mut depth = 0usize;
        for raw in text.lines() {
            let line = raw.trim();
            if let Some(comment) = line.strip_prefix("///") {
                doc.push_str(comment.trim());
                doc.push('\n');
                continue;
            }
            let line = strip_comment(line);
            if line.is_empty() {
                continue;
            }
            if depth == 0 {
                let mut words = line.split_whitespace();
                let keyword = words.next().unwrap_or("");
                let name = words.next().unwrap_or("").trim_end_matches('{');
                if line.ends_with('{') {
                    depth = 1;
                    if keyword == "model" && !name.is_empty() {
                        current = Some(Model {
                            inherits: false,
                            name: name.to_string(),
                            fields: Vec::new(),
                            foreign_keys: Vec::new(),
                            compound_unique: Vec::new(),
                            indexes: Vec::new(),
                            growth: growth_in(&doc),
                            file: path.clone(),
                            table: None,
                        });
                    }
                    in_datasource = keyword == "datasource";
                }
                doc.clear();
                continue;
            }
            if line.starts_with('}') {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    if let Some(model) = current.take() {
                        self.models.insert(model.name.clone(), model);
                    }
                    in_datasource = false;
                }
                doc.clear();
                continue;
            }
            if in_datasource {
                if let Some(value) = line.strip_prefix("provider") {
                    let value = value
                        .trim()
                        .trim_start_matches('=')
                        .trim()
                        .trim_matches('"');
                    self.provider = Some(value.to_string());
                }
                continue;
            }
            if let Some(model) = current.as_mut() {
                parse_member(model, line, &doc);
            }
            doc.clear();
        }
        if let Some(model) = current.take() {
            self.models.insert(model.name.clone(), model);
        }
        self.files.push(path);
    }

    /// The model behind a client delegate name (`pnodeGossipObservation`).
    pub fn model_for_delegate(&self, delegate: &str) -> Option<&Model> {
        let mut chars = delegate.chars();
        let first = chars.next()?;
        let capitalised: String = first.to_uppercase().chain(chars).collect();
        self.models
            .get(&capitalised)
            .or_else(|| self.models.get(delegate))
            .or_else(|| {
                // Names like `URLRecord` map to `uRLRecord`: compare case-insensitively.
                self.models
                    .values()
                    .find(|m| m.name.eq_ignore_ascii_case(delegate))
            })
    }
}

/// Removes a trailing `// comment` (not inside a string).
fn strip_comment(line: &str) -> &str {
    let mut in_string = false;
    let bytes = line.as_bytes();
    for i in 0..bytes.len() {
        match bytes[i] {
            b'"' => in_string = !in_string,
            b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => return line[..i].trim(),
            _ => {}
        }
    }
    line.trim()
}

fn growth_in(doc: &str) -> Option<Growth> {
    if doc.contains("@leaklint growing") {
        Some(Growth::Growing)
    } else if doc.contains("@leaklint bounded") {
        Some(Growth::Bounded)
    } else {
        None
    }
}

fn parse_member(model: &mut Model, line: &str, _doc: &str) {
    if let Some(rest) = line.strip_prefix("@@") {
        if let Some(args) = rest.strip_prefix("map(") {
            model.table = first_string(args);
        } else if rest.starts_with("id(") || rest.starts_with("unique(") {
            if let Some(list) = bracket_list(rest) {
                model.compound_unique.push(list);
            }
        } else if let Some(args) = rest.strip_prefix("index(") {
            // `@@index([a, b])`, `@@index(fields: [a])`, `@@index(a)`.
            let list = bracket_list(args).or_else(|| {
                let name: String = args
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                (!name.is_empty()).then(|| vec![name])
            });
            if let Some(list) = list.filter(|l| !l.is_empty()) {
                model.indexes.push(list);
            }
        }
        return;
    }
    let mut words = line.split_whitespace();
    let (Some(name), Some(ty)) = (words.next(), words.next()) else {
        return;
    };
    if !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return;
    }
    let attributes = &line[line.find(ty).map(|i| i + ty.len()).unwrap_or(line.len())..];
    let list = ty.ends_with("[]");
    let optional = ty.ends_with('?');
    let type_name = ty.trim_end_matches("[]").trim_end_matches('?').to_string();
    if let Some(at) = attributes.find("@relation(") {
        if let Some(fields_at) = attributes[at..].find("fields:") {
            if let Some(list) = bracket_list(&attributes[at + fields_at..]) {
                model.foreign_keys.extend(list);
            }
        }
    }
    let unique = has_attribute(attributes, "@id") || has_attribute(attributes, "@unique");
    model.fields.push(Field {
        name: name.to_string(),
        type_name,
        list,
        optional,
        unique,
        updated_at: has_attribute(attributes, "@updatedAt"),
        column: attributes
            .find("@map(")
            .and_then(|at| first_string(&attributes[at + "@map(".len()..])),
    });
}

/// The first `"quoted"` string of `text` (`"pnodes")`, `name: "pnodes")`).
fn first_string(text: &str) -> Option<String> {
    let start = text.find('"')? + 1;
    let end = start + text[start..].find('"')?;
    Some(text[start..end].to_string()).filter(|s| !s.is_empty())
}

fn has_attribute(attributes: &str, name: &str) -> bool {
    attributes.match_indices(name).any(|(i, _)| {
        let next = attributes[i + name.len()..].chars().next();
        !next.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// The names in the first `[a, b]` of `text`.
fn bracket_list(text: &str) -> Option<Vec<String>> {
    let start = text.find('[')?;
    let end = start + text[start..].find(']')?;
    Some(
        text[start + 1..end]
            .split(',')
            .map(|s| s.trim().split('(').next().unwrap_or("").trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
    )
}

/// Words that, in a model's name, mark rows that accrue over time. Measured on the schemas of
/// documenso, rallly and umami (see the rule doc of `unbounded-include`).
const GROWING_WORDS: &[&str] = &[
    "event",
    "view",
    "click",
    "message",
    "reading",
    "observation",
    "sample",
    "log",
    "audit",
    "notification",
    "response",
    "heartbeat",
    "metric",
    "activity",
    "history",
    "visit",
    "impression",
    "hit",
    "ping",
    "trace",
    "snapshot",
    "measurement",
    "telemetry",
    "delivery",
    "attempt",
    "execution",
    "webhookcall",
    "answer",
    "comment",
    "reply",
    "transaction",
    "payment",
    "invoice",
    "revision",
    "version",
    "change",
    "entry",
    "report",
    "analytics",
    "stat",
    "job",
];

/// Words that, in a model's name, mark a lookup table that stays small.
const BOUNDED_WORDS: &[&str] = &[
    // the migrations a tool has applied: one row per migration file
    "migration",
    "migrations",
    "setting",
    "settings",
    "config",
    "configuration",
    "preference",
    "preferences",
    "plan",
    "role",
    "permission",
    "country",
    "currency",
    "locale",
    "language",
    "feature",
    "flag",
    "category",
    "type",
    "kind",
    "template",
    "claim",
    "tier",
];

/// Whether a model's name says it is a lookup table (`SiteSettings`, `SubscriptionPlan`).
pub fn name_suggests_bounded(model: &str) -> bool {
    head_words(model)
        .last()
        .is_some_and(|w| BOUNDED_WORDS.contains(&w.as_str()))
}

/// The words of a model's name without the suffix a naming convention adds to every entity,
/// repository or table name: `AutomationTriggerTypeEntity`, `RoleRepository`, `CountryModel`.
fn head_words(model: &str) -> Vec<String> {
    let mut words = words(model);
    while words.len() > 1
        && words.last().is_some_and(|w| {
            matches!(
                w.as_str(),
                "entity" | "entities" | "model" | "repository" | "repo" | "table" | "schema"
            )
        })
    {
        words.pop();
    }
    words
}

/// Whether a model's rows accrue over time, judged from its name: `DocumentAuditLog`,
/// `PnodeGossipObservation`, `WebsiteEvent`. Split into words so that `Reviewer` is not `view`.
pub fn name_suggests_growth(model: &str) -> bool {
    // The head noun, the last word, says what a row is: `ScheduledEventInvite` is an invite,
    // not an event.
    // In a join table, `TagsOnResponses`, a row is a tag.
    let words = head_words(model);
    let head = match words.iter().position(|w| w == "on") {
        Some(i) if i > 0 => words.get(i - 1),
        _ => words.last(),
    };
    head.is_some_and(|w| {
        let singular = w.strip_suffix('s').unwrap_or(w);
        GROWING_WORDS.contains(&singular) || GROWING_WORDS.contains(&w.as_str())
    })
}

/// `DocumentAuditLog` -> `["document", "audit", "log"]`; `URLHit` -> `["url", "hit"]`;
/// `website_event` -> `["website", "event"]`.
pub fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let chars: Vec<char> = name.chars().collect();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' || c == '-' {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        let boundary = c.is_uppercase()
            && !current.is_empty()
            && (chars[i - 1].is_lowercase() || chars.get(i + 1).is_some_and(|n| n.is_lowercase()));
        if boundary {
            out.push(std::mem::take(&mut current));
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = r#"
datasource db {
  provider = "postgresql" // the database
  url      = env("DATABASE_URL")
}

/// A node of the network.
model Pnode {
  id                  String                   @id @default(cuid())
  pubkey              String                   @unique
  gossipObservations  PnodeGossipObservation[]
  owner               User?                    @relation(fields: [ownerId], references: [id])
  ownerId             String?
  @@index([pubkey])
}

/// @leaklint bounded
/// At most a handful per node.
model PnodeGossipObservation {
  id         String   @id
  pnodeId    String
  pnode      Pnode    @relation(fields: [pnodeId], references: [id], onDelete: Cascade)
  observedAt DateTime
  @@unique([pnodeId, observedAt])
}

enum Role {
  ADMIN
  USER
}
"#;

    #[test]
    fn parses_models_fields_relations_and_docs() {
        let mut schema = Schema::default();
        schema.add_file(PathBuf::from("schema.prisma"), SCHEMA);
        assert_eq!(schema.provider.as_deref(), Some("postgresql"));
        assert_eq!(schema.models.len(), 2);
        let pnode = schema.model_for_delegate("pnode").unwrap();
        let observations = pnode.field("gossipObservations").unwrap();
        assert!(observations.list);
        assert_eq!(observations.type_name, "PnodeGossipObservation");
        assert!(pnode.field("owner").unwrap().optional);
        assert!(pnode.field("pubkey").unwrap().unique);
        assert_eq!(pnode.foreign_keys, ["ownerId"]);
        assert_eq!(pnode.growth, None);
        let obs = schema.model_for_delegate("pnodeGossipObservation").unwrap();
        assert_eq!(obs.growth, Some(Growth::Bounded));
        assert_eq!(obs.foreign_keys, ["pnodeId"]);
        assert_eq!(obs.compound_unique, [vec!["pnodeId", "observedAt"]]);
    }

    #[test]
    fn reads_indexes_in_every_form() {
        let mut schema = Schema::default();
        schema.add_file(
            PathBuf::from("s.prisma"),
            "model P {\n id String @id\n a String\n b String\n c String\n @@index(a)\n @@index([b, c], map: \"ix\")\n @@index(fields: [c(sort: Desc)])\n @@unique([a, b])\n}\n",
        );
        let p = &schema.models["P"];
        assert_eq!(p.indexes, [vec!["a"], vec!["b", "c"], vec!["c"]]);
        assert_eq!(p.compound_unique, [vec!["a", "b"]]);
    }

    #[test]
    fn tolerates_broken_input() {
        let mut schema = Schema::default();
        schema.add_file(
            PathBuf::from("a.prisma"),
            "model {\n ??? \n}}}\nmodel A {\n id Int @id\n",
        );
        schema.add_file(PathBuf::from("b.prisma"), "\u{0}\u{1}garbage { [ ( \n");
        assert!(schema.models.contains_key("A"));
    }

    #[test]
    fn growth_from_names() {
        for grows in [
            "DocumentAuditLog",
            "PnodeGossipObservation",
            "WebsiteEvent",
            "PageViews",
            "webhook_delivery",
            "Notification",
        ] {
            assert!(name_suggests_growth(grows), "{grows}");
        }
        for stays in [
            "Recipient",
            "TeamMember",
            "Reviewer",
            "Eventually",
            "Document",
            "Logo",
            "Field",
            "ScheduledEventInvite",
            "EventType",
        ] {
            assert!(!name_suggests_growth(stays), "{stays}");
        }
        assert_eq!(words("URLHit"), ["url", "hit"]);
    }

    #[test]
    fn convention_suffixes_are_not_the_head_noun() {
        assert!(name_suggests_bounded("AutomationTriggerTypeEntity"));
        assert!(name_suggests_bounded("automationActionTypeRepository"));
        assert!(name_suggests_bounded("CountryModel"));
        assert!(name_suggests_growth("AuditLogEntity"));
        assert!(!name_suggests_bounded("UserEntity"));
        // A model named after the convention word alone keeps it.
        assert_eq!(head_words("Entity"), ["entity"]);
    }
}
