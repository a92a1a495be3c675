//! TypeORM's data model: `@Entity` classes read from their source, as [`Model`]s the query rules
//! judge with, the way they judge Prisma models. A text scan, like the Prisma schema reader: an
//! entity file is a class of decorated properties, and reading it must not cost a second parse.
//!
//! What is read: primary columns (`@PrimaryGeneratedColumn`, `@PrimaryColumn`,
//! `@ObjectIdColumn`) and unique ones (`@Column({ unique: true })`, `@Index({ unique: true })`,
//! a one-to-one relation) as unique; `@ManyToOne` relations and their `@JoinColumn({ name })` and
//! `<relation>Id` columns as foreign keys; `@OneToMany`/`@ManyToMany` as to-many fields;
//! class-level `@Unique([...])` and `@Index([...], { unique: true })` as compound keys;
//! `Date` columns and `@CreateDateColumn` as timestamps, `@UpdateDateColumn`/`@VersionColumn`
//! as rows that are edited; a `@leaklint growing` or `@leaklint bounded` comment above the class.

use super::schema::{Field, Growth, Model};
use std::path::Path;

/// The entities a TypeORM source file declares.
pub fn entities(path: &Path, text: &str) -> Vec<Model> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find("@Entity(").map(|i| from + i) {
        from = at + "@Entity(".len();
        let Some(class_at) = text[from..].find("class ").map(|i| from + i) else {
            break;
        };
        let name: String = text[class_at + 6..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
            .collect();
        if name.is_empty() {
            continue;
        }
        let Some(open) = text[class_at..].find('{').map(|i| class_at + i) else {
            break;
        };
        let close = matching_brace(text, open).unwrap_or(text.len());
        let before = &text[text[..at].rfind('}').map_or(0, |i| i + 1)..class_at];
        let header = &text[class_at..open];
        let mut model = Model {
            inherits: header.contains(" extends "),
            name: name.clone(),
            fields: Vec::new(),
            foreign_keys: Vec::new(),
            compound_unique: Vec::new(),
            indexes: Vec::new(),
            growth: if before.contains("@leaklint growing") {
                Some(Growth::Growing)
            } else if before.contains("@leaklint bounded") {
                Some(Growth::Bounded)
            } else {
                None
            },
            file: path.to_path_buf(),
            table: Some(entity_table(&text[from..class_at], &name)),
        };
        for decorator in decorators(before) {
            let unique = decorator.name == "Unique"
                || (decorator.name == "Index" && decorator.args.contains("unique: true"));
            if let Some(list) = string_list(decorator.args) {
                if unique {
                    model.compound_unique.push(list);
                } else if decorator.name == "Index" {
                    model.indexes.push(list);
                }
            }
        }
        let mut parents = Vec::new();
        for member in members(&text[open + 1..close]) {
            parents.extend(read_member(&mut model, member));
        }
        // `teamId` beside `@ManyToOne() team`: the column holds the key, and is as optional as
        // the relation (its TypeScript type rarely says).
        for (relation, join) in parents {
            let optional = model.field(&relation).is_none_or(|f| f.optional);
            for column in [Some(format!("{relation}Id")), join].into_iter().flatten() {
                if let Some(field) = model.fields.iter_mut().find(|f| f.name == column) {
                    field.optional = optional;
                    if !model.foreign_keys.contains(&column) {
                        model.foreign_keys.push(column);
                    }
                }
            }
        }
        from = close.min(text.len());
        out.push(model);
    }
    out
}

struct Decorator<'s> {
    name: &'s str,
    /// The text between the parentheses.
    args: &'s str,
}

/// The decorators written in `text`, in order: `@Name(args)` or `@Name`.
fn decorators(text: &str) -> Vec<Decorator<'_>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find('@').map(|i| from + i) {
        let name_end = text[at + 1..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(text.len(), |i| at + 1 + i);
        let name = &text[at + 1..name_end];
        from = name_end;
        if name.is_empty() {
            continue;
        }
        let args = if text[name_end..].starts_with('(') {
            let end = matching(text, name_end, b'(', b')').unwrap_or(text.len());
            from = end.min(text.len());
            &text[name_end + 1..end.min(text.len())]
        } else {
            ""
        };
        out.push(Decorator { name, args });
    }
    out
}

/// Reads one class member: its decorators and `name?: Type` declaration. Returns a parent
/// relation (`@ManyToOne`, `@TreeParent`) with its `@JoinColumn` name.
fn read_member(model: &mut Model, member: &str) -> Option<(String, Option<String>)> {
    let decorators = decorators(member);
    if decorators.is_empty() {
        return None;
    }
    // The declaration follows the last decorator.
    let last = member.rfind('@').unwrap_or(0);
    let after_last = match member[last..].find('(') {
        Some(open)
            if member[last..open + last]
                .chars()
                .skip(1)
                .all(|c| c.is_alphanumeric() || c == '_') =>
        {
            matching(member, last + open, b'(', b')').map_or(member.len(), |e| e + 1)
        }
        _ => member[last + 1..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(member.len(), |i| last + 1 + i),
    };
    let declaration = member[after_last..].trim();
    let mut words = declaration.split_whitespace().peekable();
    while words.peek().is_some_and(|w| {
        matches!(
            *w,
            "public" | "private" | "protected" | "readonly" | "declare" | "override" | "static"
        )
    }) {
        words.next();
    }
    let rest: String = words.collect::<Vec<_>>().join(" ");
    let name: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
        .collect();
    if name.is_empty() || rest[name.len()..].trim_start().starts_with('(') {
        return None; // a method or an accessor
    }
    let annotation = rest[name.len()..]
        .trim_start_matches(['?', '!'])
        .trim_start()
        .strip_prefix(':')
        .map(|t| t.split(['=', ';']).next().unwrap_or("").trim())
        .unwrap_or("");
    let mut field = Field {
        name: name.clone(),
        type_name: plain_type(annotation),
        list: annotation.trim_end().ends_with("[]"),
        optional: rest[name.len()..].starts_with('?') || annotation.contains("null"),
        unique: false,
        updated_at: false,
        column: None,
    };
    let mut is_column = false;
    let mut parent = None;
    for d in &decorators {
        match d.name {
            "PrimaryGeneratedColumn" | "PrimaryColumn" | "ObjectIdColumn" => {
                field.unique = true;
                is_column = true;
            }
            "Column" => {
                is_column = true;
                field.column = named_option(d.args);
                field.unique |= d.args.contains("unique: true");
                if ["timestamp", "datetime", "'date'", "\"date\""]
                    .iter()
                    .any(|t| d.args.contains(t))
                {
                    field.type_name = "DateTime".into();
                }
            }
            "Index" if d.args.contains("unique: true") => field.unique = true,
            "Index" => model.indexes.push(vec![name.clone()]),
            "CreateDateColumn" | "DeleteDateColumn" => {
                field.type_name = "DateTime".into();
                is_column = true;
            }
            "UpdateDateColumn" | "VersionColumn" => {
                field.type_name = "DateTime".into();
                field.updated_at = true;
                is_column = true;
            }
            "ManyToOne" | "OneToOne" | "OneToMany" | "ManyToMany" => {
                if let Some(target) = relation_target(d.args) {
                    field.type_name = target;
                }
                field.list = matches!(d.name, "OneToMany" | "ManyToMany");
                if d.name == "ManyToOne" {
                    model.foreign_keys.push(name.clone());
                    // Nullable unless it says otherwise; a row deleted with its parent belongs
                    // to it.
                    let compact = d.args.replace([' ', '"', '\''], "");
                    field.optional = !(compact.contains("nullable:false")
                        || compact.contains("onDelete:CASCADE"));
                    parent = Some((name.clone(), None));
                }
                if d.name == "OneToOne" {
                    // One row per parent: its key picks one row.
                    field.unique = true;
                }
            }
            "TreeParent" => {
                model.foreign_keys.push(name.clone());
                field.optional = true; // the roots have none
                parent = Some((name.clone(), None));
            }
            _ => {}
        }
    }
    for d in decorators.iter().filter(|d| d.name == "JoinColumn") {
        if let (Some(column), Some((_, join))) = (quoted_after(d.args, "name:"), parent.as_mut()) {
            *join = Some(column.to_string());
        }
    }
    if is_column && field.type_name == "Date" {
        field.type_name = "DateTime".into();
    }
    model.fields.push(field);
    parent
}

/// `() => Team` or `(type) => Team` or `'Team'`: the related entity.
fn relation_target(args: &str) -> Option<String> {
    let first = args.split(',').next()?.trim();
    let target = match first.find("=>") {
        Some(arrow) => first[arrow + 2..].trim(),
        None => first.trim_matches(['\'', '"']),
    };
    let name: String = target
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// `Team[]`, `Promise<Team[]>`, `Relation<Team>`, `string | null` -> `Team`, `string`.
fn plain_type(annotation: &str) -> String {
    let mut t = annotation.split('|').next().unwrap_or("").trim();
    for wrapper in ["Promise<", "Relation<", "Lazy<"] {
        if let Some(inner) = t.strip_prefix(wrapper) {
            t = inner.strip_suffix('>').unwrap_or(inner);
        }
    }
    t.trim_end_matches("[]").trim().to_string()
}

/// The quoted string after `key` in `text`: `name: 'team_id'` -> `team_id`.
fn quoted_after<'s>(text: &'s str, key: &str) -> Option<&'s str> {
    let rest = text[text.find(key)? + key.len()..].trim_start();
    let quote = rest
        .chars()
        .next()
        .filter(|c| matches!(c, '\'' | '"' | '`'))?;
    let end = rest[1..].find(quote)?;
    Some(&rest[1..1 + end])
}

/// The strings of the first `[...]` in `text`: `['teamId', 'userId']`.
fn string_list(text: &str) -> Option<Vec<String>> {
    let open = text.find('[')?;
    let close = open + text[open..].find(']')?;
    let list: Vec<String> = text[open + 1..close]
        .split(',')
        .map(|s| s.trim().trim_matches(['\'', '"', '`']).to_string())
        .filter(|s| !s.is_empty())
        .collect();
    (!list.is_empty()).then_some(list)
}

/// The class body split into members: at `;` and line ends outside brackets, and after a
/// method's body.
fn members(body: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = body.as_bytes();
    let mut depth = 0usize;
    let mut start = 0;
    let mut decorated = false;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(next) = past_comment(body, i) {
            i = next;
            continue;
        }
        match bytes[i] {
            b'\'' | b'"' | b'`' => i = skip_string(bytes, i),
            b'(' | b'{' | b'[' => depth += 1,
            b')' | b']' => depth = depth.saturating_sub(1),
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    // The end of a method body or an object initialiser.
                    out.push(&body[start..=i]);
                    start = i + 1;
                    decorated = false;
                }
            }
            b'@' if depth == 0 => decorated = true,
            b';' if depth == 0 => {
                out.push(&body[start..=i]);
                start = i + 1;
                decorated = false;
            }
            b'\n' if depth == 0 => {
                // A line that declares a property ends the member unless only decorators came.
                let line = body[start..i].trim();
                let only_decorators = line.is_empty()
                    || line.lines().last().is_some_and(|l| {
                        let l = l.trim();
                        l.starts_with('@') && (l.ends_with(')') || !l.contains('('))
                    });
                if !(line.is_empty() || decorated && only_decorators) {
                    out.push(&body[start..i]);
                    start = i + 1;
                    decorated = false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if start < body.len() {
        out.push(&body[start..]);
    }
    out
}

/// The index just past the comment that starts at `i`, if one does (or the end).
fn past_comment(text: &str, i: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    if bytes.get(i) != Some(&b'/') {
        return None;
    }
    match bytes.get(i + 1) {
        Some(b'/') => Some(text[i..].find('\n').map_or(bytes.len(), |e| i + e)),
        Some(b'*') => Some(
            text[i + 2..]
                .find("*/")
                .map_or(bytes.len(), |e| i + 2 + e + 2),
        ),
        _ => None,
    }
}

/// The index just past the string that opens at `i` (or the end).
fn skip_string(bytes: &[u8], i: usize) -> usize {
    let quote = bytes[i];
    let mut j = i + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 1,
            c if c == quote => return j,
            _ => {}
        }
        j += 1;
    }
    bytes.len()
}

fn matching_brace(text: &str, open: usize) -> Option<usize> {
    matching(text, open, b'{', b'}')
}

/// The index of the bracket that closes the one at `open`, skipping strings and comments.
fn matching(text: &str, open: usize, left: u8, right: u8) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        if let Some(next) = past_comment(text, i) {
            i = next;
            continue;
        }
        match bytes[i] {
            b'\'' | b'"' | b'`' => i = skip_string(bytes, i),
            c if c == left => depth += 1,
            c if c == right => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The table of `@Entity("pnodes")` or `@Entity({ name: "pnodes" })` (`args` starts after the
/// parenthesis), else TypeORM's default: the class name in snake case (`PnodeObservation` ->
/// `pnode_observation`).
fn entity_table(args: &str, class: &str) -> String {
    let args = args.split(')').next().unwrap_or("").trim();
    let quoted = |t: &str| {
        let t = t.trim_start();
        let quote = t.chars().next().filter(|c| matches!(c, '"' | '\'' | '`'))?;
        let rest = &t[1..];
        Some(rest[..rest.find(quote)?].to_string()).filter(|s| !s.is_empty())
    };
    quoted(args)
        .or_else(|| named_option(args))
        .unwrap_or_else(|| {
            let mut out = String::new();
            for (i, c) in class.chars().enumerate() {
                if c.is_ascii_uppercase() && i > 0 {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
            }
            out
        })
}

/// `name: "x"` in a decorator's options.
fn named_option(args: &str) -> Option<String> {
    let at = args.find("name:")? + "name:".len();
    let rest = args[at..].trim_start();
    let quote = rest
        .chars()
        .next()
        .filter(|c| matches!(c, '"' | '\'' | '`'))?;
    let rest = &rest[1..];
    Some(rest[..rest.find(quote)?].to_string()).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENTITY: &str = r#"
import { Entity, Column, PrimaryGeneratedColumn, ManyToOne, OneToMany, JoinColumn, Index, Unique, CreateDateColumn, UpdateDateColumn } from "typeorm";

@Entity("teams")
export class Team {
  @PrimaryGeneratedColumn("uuid")
  id: string;

  @Column({ unique: true })
  slug: string;

  @OneToMany(() => Member, (m) => m.team)
  members: Member[];

  get label(): string {
    return `team ${this.slug}`;
  }
}

// @leaklint growing
@Entity()
@Unique(["teamId", "email"])
@Index(["email", "createdAt"])
export class Member {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column()
  teamId: string;

  @ManyToOne(() => Team, (t) => t.members, { onDelete: "CASCADE" })
  @JoinColumn({ name: "teamId" })
  team: Team;

  @Index()
  @Column({ type: "varchar", length: 200 })
  email: string;

  @CreateDateColumn()
  createdAt: Date;

  @UpdateDateColumn()
  updatedAt: Date;
}
"#;

    #[test]
    fn reads_keys_relations_and_timestamps() {
        let models = entities(Path::new("team.entity.ts"), ENTITY);
        assert_eq!(models[0].table.as_deref(), Some("teams"));
        let names: Vec<_> = models.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["Team", "Member"]);
        let team = &models[0];
        assert!(team.field("id").unwrap().unique);
        assert!(team.field("slug").unwrap().unique);
        let members = team.field("members").unwrap();
        assert!(members.list);
        assert_eq!(members.type_name, "Member");
        assert!(team.field("label").is_none(), "a getter is not a column");
        assert!(team.foreign_keys.is_empty());
        assert_eq!(team.growth, None);

        let member = &models[1];
        assert_eq!(member.growth, Some(Growth::Growing));
        assert_eq!(member.compound_unique, [vec!["teamId", "email"]]);
        assert_eq!(member.indexes, [vec!["email", "createdAt"], vec!["email"]]);
        assert!(member.foreign_keys.contains(&"team".to_string()));
        assert!(member.foreign_keys.contains(&"teamId".to_string()));
        // Deleted with its team: a required parent, and so is its key column.
        assert!(!member.field("team").unwrap().optional);
        assert!(!member.field("teamId").unwrap().optional);
        assert!(!member.field("email").unwrap().unique);
        assert_eq!(member.field("team").unwrap().type_name, "Team");
        assert!(!member.field("team").unwrap().list);
        assert_eq!(member.field("createdAt").unwrap().type_name, "DateTime");
        assert!(member.field("updatedAt").unwrap().updated_at);
    }

    #[test]
    fn one_to_one_is_unique_and_indexes_are_keys() {
        let text = "@Entity()\n@Index(['userId', 'day'], { unique: true })\nclass Usage {\n  @PrimaryColumn() id: string;\n  @OneToOne(() => User) @JoinColumn() owner: User;\n  @Index({ unique: true }) @Column() token: string;\n  @Column({ type: 'timestamp' }) day: string;\n}\n";
        let models = entities(Path::new("u.ts"), text);
        let usage = &models[0];
        assert!(usage.field("owner").unwrap().unique);
        assert!(usage.field("token").unwrap().unique);
        assert_eq!(usage.field("day").unwrap().type_name, "DateTime");
        assert_eq!(usage.compound_unique, [vec!["userId", "day"]]);
        assert!(usage.foreign_keys.is_empty());
    }

    #[test]
    fn table_names_are_the_entitys_or_typeorms_default() {
        for (text, table) in [
            ("@Entity({ name: \"audit_rows\", schema: \"x\" })\nclass AuditRow { @Column({ name: \"row_key\" }) key: string; }", "audit_rows"),
            ("@Entity()\nclass PnodeGossipObservation { @Column() key: string; }", "pnode_gossip_observation"),
            ("@Entity('members')\nclass Member { @Column() key: string; }", "members"),
        ] {
            let models = entities(Path::new("e.ts"), text);
            assert_eq!(models[0].table.as_deref(), Some(table), "{text}");
        }
        let models = entities(
            Path::new("e.ts"),
            "@Entity()\nclass A { @Column({ name: \"row_key\" }) key: string; }",
        );
        assert_eq!(
            models[0].field("key").and_then(|f| f.column.as_deref()),
            Some("row_key")
        );
    }

    #[test]
    fn a_base_class_may_hold_more_columns() {
        let text = "@Entity()\nexport class Product extends VendureEntity implements HasCustomFields {\n  @ManyToOne(() => Asset) asset: Asset;\n  @Column({ type: Date, nullable: true }) deletedAt: Date | null;\n}\n";
        let product = &entities(Path::new("p.ts"), text)[0];
        assert!(product.inherits);
        let plain = text.replace(" extends VendureEntity", "");
        let product = &entities(Path::new("p.ts"), &plain)[0];
        assert!(!product.inherits);
    }

    #[test]
    fn parents_are_nullable_unless_they_say() {
        let text = "@Entity()\nclass Rate {\n  @ManyToOne(type => Zone, zone => zone.rates)\n  zone: Zone;\n  @Column() zoneId: string;\n  @ManyToOne(() => Plan, { nullable: false })\n  @JoinColumn({ name: 'plan_ref' })\n  plan: Plan;\n  @Column() plan_ref: string;\n  @TreeParent() parent: Rate;\n}\n";
        let rate = &entities(Path::new("r.ts"), text)[0];
        assert!(rate.field("zone").unwrap().optional);
        assert!(rate.field("zoneId").unwrap().optional);
        assert!(!rate.field("plan").unwrap().optional);
        assert!(!rate.field("plan_ref").unwrap().optional);
        assert!(rate.foreign_keys.contains(&"plan_ref".to_string()));
        assert!(rate.foreign_keys.contains(&"parent".to_string()));
        assert!(rate.field("parent").unwrap().optional);
    }

    #[test]
    fn tolerates_broken_input() {
        for text in [
            "@Entity(",
            "@Entity() class",
            "@Entity() class A {",
            "@Entity() class A { @Column( x: string; }",
            "@Entity() class A { @ManyToOne(() => ) b: B; @@@ }",
            "@Entity() class A { 'unterminated ",
            "@Entity() class É { @Column() é: string }",
        ] {
            let _ = entities(Path::new("x.ts"), text);
        }
        let deep = format!("@Entity() class A {{ {} }}", "(".repeat(100_000));
        assert_eq!(entities(Path::new("x.ts"), &deep).len(), 1);
    }
}
