//! Drizzle tables read into the data model: `pgTable("name", { ... }, (t) => [...])` (and
//! `mysqlTable`, `sqliteTable`, a `pgTableCreator` result), with each column's type, `.notNull()`,
//! `.primaryKey()`, `.unique()` and `.references(() => other.id)`, and the table's `primaryKey`,
//! `unique`, `uniqueIndex` and `index` constraints. A table is keyed by the variable that holds it
//! (`export const gitProvider = pgTable("git_provider", ...)`), the name queries use
//! (`.from(gitProvider)`, `db.query.gitProvider`). Parsed with tree-sitter, walked with an explicit
//! stack; anything unexpected is skipped.

use super::schema::{Field, Model};
use std::path::Path;
use tree_sitter::{Node, Parser};

/// How many nodes of one file are visited at most: a schema file is a few thousand.
const MAX_NODES: usize = 400_000;

/// The tables `text` (the source of `path`) defines.
pub fn tables(path: &Path, text: &str) -> Vec<Model> {
    let language: tree_sitter::Language = if path
        .extension()
        .is_some_and(|e| e == "ts" || e == "mts" || e == "cts")
    {
        tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into()
    } else {
        tree_sitter_typescript::LANGUAGE_TSX.into()
    };
    let mut parser = Parser::new();
    if parser.set_language(&language).is_err() {
        return Vec::new();
    }
    let Some(tree) = parser.parse(text, None) else {
        return Vec::new();
    };
    let src = text;
    let mut out = Vec::new();
    let mut stack = vec![tree.root_node()];
    let mut visited = 0;
    while let Some(node) = stack.pop() {
        visited += 1;
        if visited > MAX_NODES {
            break;
        }
        if node.kind() == "variable_declarator" {
            if let Some(model) = table(node, path, src) {
                out.push(model);
                continue;
            }
        }
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        // Reversed, so that tables come out in the order the file declares them.
        stack.extend(children.into_iter().rev());
    }
    out
}

fn text<'t>(node: Node, src: &'t str) -> &'t str {
    src.get(node.byte_range()).unwrap_or("")
}

/// `NAME = pgTable("table", { columns }, constraints)`.
fn table(declarator: Node, path: &Path, src: &str) -> Option<Model> {
    let name = declarator.child_by_field_name("name")?;
    if name.kind() != "identifier" {
        return None;
    }
    let call = declarator.child_by_field_name("value")?;
    if call.kind() != "call_expression" {
        return None;
    }
    let function = text(call.child_by_field_name("function")?, src);
    let function = function.rsplit('.').next().unwrap_or(function);
    if !(function.ends_with("Table") || function == "table") {
        return None;
    }
    let args = call.child_by_field_name("arguments")?;
    let first = args.named_child(0)?;
    if !matches!(first.kind(), "string" | "template_string") {
        return None;
    }
    let columns = args.named_child(1).filter(|c| c.kind() == "object")?;
    let mut model = Model {
        name: text(name, src).to_string(),
        fields: Vec::new(),
        foreign_keys: Vec::new(),
        compound_unique: Vec::new(),
        indexes: Vec::new(),
        growth: marked_growth(declarator, src),
        file: path.to_path_buf(),
        inherits: false,
        table: Some(text(first, src).trim_matches(['"', '\'', '`']).to_string()),
    };
    let mut cursor = columns.walk();
    for pair in columns.named_children(&mut cursor) {
        if pair.kind() == "spread_element" {
            // Columns shared through a spread (`...timestamps`): not seen here.
            model.inherits = true;
            continue;
        }
        if pair.kind() != "pair" {
            continue;
        }
        let (Some(key), Some(value)) = (
            pair.child_by_field_name("key"),
            pair.child_by_field_name("value"),
        ) else {
            continue;
        };
        let column = text(key, src).trim_matches(['"', '\'']).to_string();
        column_into(&mut model, column, value, src);
    }
    if let Some(constraints) = args.named_child(2) {
        constraints_into(&mut model, constraints, src);
    }
    Some(model)
}

/// A `// @leaklint growing` (or `bounded`) comment right above the table's declaration.
fn marked_growth(declarator: Node, src: &str) -> Option<super::schema::Growth> {
    let mut statement = declarator.parent()?;
    if statement
        .parent()
        .is_some_and(|p| p.kind() == "export_statement")
    {
        statement = statement.parent()?;
    }
    let mut previous = statement.prev_named_sibling();
    while let Some(comment) = previous.filter(|p| p.kind() == "comment") {
        let text = text(comment, src);
        if text.contains("@leaklint growing") {
            return Some(super::schema::Growth::Growing);
        }
        if text.contains("@leaklint bounded") {
            return Some(super::schema::Growth::Bounded);
        }
        previous = comment.prev_named_sibling();
    }
    None
}

/// One column: `text("org_id").notNull().references(() => organization.id)`.
fn column_into(model: &mut Model, column: String, value: Node, src: &str) {
    let mut methods: Vec<(&str, Option<Node>)> = Vec::new();
    let mut node = value;
    let base = loop {
        if node.kind() != "call_expression" {
            return;
        }
        let Some(function) = node.child_by_field_name("function") else {
            return;
        };
        match function.kind() {
            "member_expression" => {
                let method = function
                    .child_by_field_name("property")
                    .map_or("", |p| text(p, src));
                methods.push((method, node.child_by_field_name("arguments")));
                match function.child_by_field_name("object") {
                    Some(object) => node = object,
                    None => return,
                }
            }
            "identifier" => break (text(function, src), node),
            _ => return,
        }
        if methods.len() > 32 {
            return;
        }
    };
    let (base, base_call) = base;
    let base_args = base_call
        .child_by_field_name("arguments")
        .map_or("", |a| text(a, src));
    let has = |m: &str| methods.iter().any(|(name, _)| *name == m);
    let primary = has("primaryKey");
    let type_name = column_type(base, base_args);
    let mut field = Field {
        name: column.clone(),
        type_name,
        list: has("array"),
        optional: !(has("notNull") || primary),
        unique: primary || has("unique"),
        updated_at: has("$onUpdate") || has("$onUpdateFn"),
        // `text("org_id")`: the database's name for it.
        column: base_call
            .child_by_field_name("arguments")
            .and_then(|a| a.named_child(0))
            .filter(|a| a.kind() == "string")
            .map(|a| text(a, src).trim_matches(['"', '\'']).to_string()),
    };
    if field.list {
        field.unique = false;
    }
    let target = methods
        .iter()
        .find(|(name, _)| *name == "references")
        .and_then(|(_, args)| referenced_table(args.as_ref()?.named_child(0)?, src));
    let optional = field.optional;
    model.fields.push(field);
    if let Some(target) = target {
        model.foreign_keys.push(column.clone());
        // The relation the key stands for, so that the model's parents can be followed.
        model.fields.push(Field {
            name: format!("{column}.references"),
            type_name: target,
            list: false,
            optional,
            unique: false,
            updated_at: false,
            column: None,
        });
    }
}

/// The type a column builder stands for, in the data model's terms.
fn column_type(base: &str, args: &str) -> String {
    let lower = base.to_ascii_lowercase();
    let name = match lower.as_str() {
        "timestamp" | "date" | "datetime" | "time" => "DateTime",
        // sqlite-core: `integer("at", { mode: "timestamp" })`
        "integer" | "int" if args.contains("timestamp") => "DateTime",
        "text" | "varchar" | "char" | "uuid" | "citext" | "cuid" | "cuid2" | "nanoid" | "ulid" => {
            "String"
        }
        "integer" | "int" | "serial" | "bigserial" | "smallserial" | "bigint" | "smallint"
        | "tinyint" | "mediumint" | "real" | "double" | "doubleprecision" | "numeric"
        | "decimal" | "float" => "Int",
        "boolean" | "bool" => "Boolean",
        "json" | "jsonb" => "Json",
        "blob" | "bytea" | "binary" | "varbinary" => "Bytes",
        // `gitProviderType("type")`: a `pgEnum`, a closed set of values.
        _ => "Enum",
    };
    name.to_string()
}

/// `() => organization.id` (or `() => schema.organization.id`): `organization`.
fn referenced_table(arrow: Node, src: &str) -> Option<String> {
    let body = if arrow.kind() == "arrow_function" {
        arrow.child_by_field_name("body")?
    } else {
        arrow
    };
    if body.kind() != "member_expression" {
        return None;
    }
    let object = body.child_by_field_name("object")?;
    let table = text(object, src);
    Some(table.rsplit('.').next().unwrap_or(table).to_string())
}

/// The third argument: `(t) => [index("x").on(t.a), unique().on(t.a, t.b), primaryKey({ columns:
/// [t.a, t.b] })]`, or the older object form `(t) => ({ x: index("x").on(t.a) })`.
fn constraints_into(model: &mut Model, constraints: Node, src: &str) {
    let mut stack = vec![constraints];
    let mut visited = 0;
    while let Some(node) = stack.pop() {
        visited += 1;
        if visited > 20_000 {
            return;
        }
        if node.kind() == "call_expression" {
            if let Some((kind, columns)) = constraint(node, src) {
                match kind {
                    Constraint::Unique if columns.len() == 1 => {
                        if let Some(f) = model.fields.iter_mut().find(|f| f.name == columns[0]) {
                            f.unique = true;
                        }
                        model.compound_unique.push(columns);
                    }
                    Constraint::Unique => model.compound_unique.push(columns),
                    Constraint::Index => model.indexes.push(columns),
                }
                continue;
            }
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
}

enum Constraint {
    Unique,
    Index,
}

/// `index("x").on(t.a, t.b)`, `uniqueIndex("x").on(t.a)`, `unique().on(t.a)`,
/// `primaryKey({ columns: [t.a, t.b] })`, `primaryKey(t.a, t.b)`.
fn constraint(call: Node, src: &str) -> Option<(Constraint, Vec<String>)> {
    let function = call.child_by_field_name("function")?;
    let args = call.child_by_field_name("arguments")?;
    let (base, column_args) = match function.kind() {
        // `.on(...)`, maybe after `.using("gin", ...)`-style links: the base is the first call.
        "member_expression"
            if function
                .child_by_field_name("property")
                .is_some_and(|p| text(p, src) == "on") =>
        {
            let mut object = function.child_by_field_name("object")?;
            while object.kind() == "call_expression" {
                let f = object.child_by_field_name("function")?;
                if f.kind() == "identifier" {
                    break;
                }
                object = f.child_by_field_name("object")?;
            }
            let f = object.child_by_field_name("function")?;
            (text(f, src), args)
        }
        "identifier" if text(function, src) == "primaryKey" => {
            let first = args.named_child(0)?;
            let columns = if first.kind() == "object" {
                let mut cursor = first.walk();
                let pair = first.named_children(&mut cursor).find(|p| {
                    p.child_by_field_name("key")
                        .is_some_and(|k| text(k, src) == "columns")
                })?;
                pair.child_by_field_name("value")?
            } else {
                args
            };
            ("primaryKey", columns)
        }
        _ => return None,
    };
    let kind = match base {
        "index" => Constraint::Index,
        "uniqueIndex" | "unique" | "primaryKey" => Constraint::Unique,
        _ => return None,
    };
    let mut cursor = column_args.walk();
    let columns: Vec<String> = column_args
        .named_children(&mut cursor)
        .filter(|c| c.kind() == "member_expression")
        .filter_map(|c| c.child_by_field_name("property"))
        .map(|p| text(p, src).to_string())
        .collect();
    (!columns.is_empty()).then_some((kind, columns))
}

/// Whether a file may hold Drizzle tables, by its path: `schema.ts`, `schema/*.ts`,
/// `*.schema.ts`, `tables/*.ts`, `db/*.ts`.
pub fn may_hold_tables(path: &Path) -> bool {
    let is_source = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e, "ts" | "mts" | "cts" | "js" | "mjs" | "cjs"));
    if !is_source {
        return false;
    }
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.ends_with(".d.ts") || crate::source::is_test_file(path) {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    lower.contains("schema")
        || lower.contains("table")
        || path.components().any(|c| {
            let c = c.as_os_str().to_str().unwrap_or("").to_ascii_lowercase();
            matches!(
                c.as_str(),
                "schema" | "schemas" | "tables" | "db" | "database" | "models"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLES: &str = r#"
import { pgTable, text, timestamp, integer, index, uniqueIndex, primaryKey, unique } from "drizzle-orm/pg-core";
import { sqliteTable } from "drizzle-orm/sqlite-core";

export const organization = pgTable("organization", {
  id: text("id").primaryKey(),
  slug: text("slug").notNull().unique(),
  tier: tierEnum("tier").notNull(),
});

export const gitProvider = pgTable(
  "git_provider",
  {
    gitProviderId: text("gitProviderId").notNull().primaryKey(),
    organizationId: text("organizationId")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    token: text("token"),
    createdAt: timestamp("created_at").notNull().defaultNow(),
    tags: text("tags").array(),
  },
  (t) => [index("gp_token").on(t.token), uniqueIndex("gp_org_name").on(t.organizationId, t.gitProviderId)],
);

// @leaklint growing -- a row per sign-in
export const membership = pgTable("membership", {
  userId: text("user_id").notNull(),
  orgId: text("org_id").references(() => schema.organization.id),
  at: integer("at", { mode: "timestamp" }),
}, (t) => ({ pk: primaryKey({ columns: [t.userId, t.orgId] }), one: unique().on(t.userId) }));

const notATable = makeThing("x", {});
"#;

    #[test]
    fn reads_columns_keys_references_and_constraints() {
        let models = tables(Path::new("schema.ts"), TABLES);
        let names: Vec<_> = models.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["organization", "gitProvider", "membership"]);
        let org = &models[0];
        assert!(org.field("id").unwrap().unique);
        assert!(org.field("slug").unwrap().unique);
        assert_eq!(org.field("tier").unwrap().type_name, "Enum");
        let gp = &models[1];
        // The database's names, for the statistics file (the column's name is its builder's
        // argument: `text("organizationId")`).
        assert_eq!(gp.table.as_deref(), Some("git_provider"));
        assert_eq!(
            gp.field("organizationId").and_then(|f| f.column.as_deref()),
            Some("organizationId")
        );
        assert_eq!(gp.foreign_keys, ["organizationId"]);
        let key = gp.field("organizationId").unwrap();
        assert!(!key.optional && !key.unique);
        assert_eq!(
            gp.field("organizationId.references").unwrap().type_name,
            "organization"
        );
        assert!(gp.field("token").unwrap().optional);
        assert_eq!(gp.field("createdAt").unwrap().type_name, "DateTime");
        assert!(gp.field("tags").unwrap().list);
        assert_eq!(gp.indexes, [vec!["token"]]);
        assert_eq!(
            gp.compound_unique,
            [vec!["organizationId", "gitProviderId"]]
        );
        let m = &models[2];
        assert_eq!(m.field("at").unwrap().type_name, "DateTime");
        assert_eq!(
            m.field("orgId.references").unwrap().type_name,
            "organization"
        );
        assert!(m.field("userId").unwrap().unique);
        assert_eq!(m.growth, Some(crate::project::schema::Growth::Growing));
        assert_eq!(gp.growth, None);
        assert_eq!(m.compound_unique.len(), 2);
    }

    #[test]
    fn tolerates_broken_and_odd_input() {
        assert!(tables(Path::new("a.ts"), "export const x = pgTable(").is_empty());
        assert!(tables(Path::new("a.ts"), "\u{0}\u{1}binary").is_empty());
        let deep = format!(
            "export const t = pgTable('t', {{ a: {}text('a'){} }});",
            "(".repeat(3000),
            ")".repeat(3000)
        );
        let _ = tables(Path::new("a.ts"), &deep);
    }

    #[test]
    fn schema_files_by_path() {
        for p in [
            "src/db/schema.ts",
            "src/db/schema/users.ts",
            "lib/user.schema.ts",
            "server/tables/a.ts",
            "packages/db/src/users.ts",
        ] {
            assert!(may_hold_tables(Path::new(p)), "{p}");
        }
        for p in [
            "src/app/page.tsx",
            "src/lib/util.ts",
            "src/db/schema.test.ts",
            "src/db/schema.d.ts",
        ] {
            assert!(!may_hold_tables(Path::new(p)), "{p}");
        }
    }
}
