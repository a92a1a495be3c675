//! Query calls of ORMs and query builders other than Prisma: Drizzle, TypeORM, Sequelize,
//! Mongoose and Kysely. As with Prisma, a call counts only when its receiver resolves to the ORM:
//! the ORM is a dependency of the file's package (or imported by the file), and the receiver is
//! what that ORM hands out: a model class (`User.findAll`), a repository typed, injected or
//! obtained with `getRepository`, a Drizzle database's `select().from(...)` chain or `db.query.<t>`.

use super::node::NodeExt;
use super::syntax::{first_object_argument, method_call, unwrap_expression};
use super::walk::descendants;
use super::{FileCx, Frame};
use tree_sitter::Node;

/// An ORM or query builder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orm {
    Drizzle,
    TypeOrm,
    Sequelize,
    Mongoose,
    Kysely,
    Knex,
}

impl Orm {
    /// The packages that bring it.
    fn packages(self) -> &'static [&'static str] {
        match self {
            Orm::Drizzle => &["drizzle-orm"],
            Orm::TypeOrm => &["typeorm", "@nestjs/typeorm"],
            Orm::Sequelize => &["sequelize", "sequelize-typescript", "@sequelize/core"],
            Orm::Mongoose => &["mongoose", "@nestjs/mongoose", "@typegoose/typegoose"],
            Orm::Kysely => &["kysely"],
            Orm::Knex => &["knex"],
        }
    }
}

/// What a query call returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returns {
    Many,
    One,
    Count,
    Write,
}

/// Strings one of which a file must contain to hold a query call of these ORMs.
/// Packages that mean a project talks to its data through something other than Prisma.
pub const DATA_LAYER_PACKAGES: &[&str] = &[
    "sequelize",
    "sequelize-typescript",
    "mongoose",
    "typeorm",
    "drizzle-orm",
    "kysely",
    "knex",
    "pg",
    "postgres",
    "mysql",
    "mysql2",
    "better-sqlite3",
    "sqlite3",
    "slonik",
    "@vercel/postgres",
    "@neondatabase/serverless",
    "@elastic/elasticsearch",
    "@opensearch-project/opensearch",
];

/// ORM methods that only the other data layers call; Prisma projects do not look for them
/// ([`other_layer_needle`]).
pub const OTHER_LAYER_NEEDLES: &[&str] = &[
    ".findAll(",
    ".findByPk(",
    ".findAndCountAll(",
    ".findOne(",
    ".find(",
    ".findBy(",
    ".findOneBy(",
    ".findById(",
    ".findAndCount(",
    ".countDocuments(",
    ".from(",
    ".getMany(",
    ".getOne(",
    ".getRawMany(",
    ".getManyAndCount(",
    ".selectFrom(",
    ".save(",
    ".insert(",
    ".destroy(",
    ".search(",
    ".limit(",
    "limit",
    "size:",
];

/// Knex's needles: `knex('t').where(...)`, `.first()`, `.del()`; `knex` for the rest.
pub const KNEX_NEEDLES: &[&str] = &[
    ".where(",
    ".whereIn(",
    ".first(",
    ".select(",
    ".del(",
    ".pluck(",
    "knex",
];

/// Whether only the other data layers (not Prisma) call for `needle`: their ORM methods, Knex,
/// and raw SQL other than Prisma's own `$queryRaw`.
pub fn other_layer_needle(needle: &str) -> bool {
    OTHER_LAYER_NEEDLES.contains(&needle)
        || KNEX_NEEDLES.contains(&needle)
        || (super::sql::SQL_NEEDLES.contains(&needle) && needle != "$queryRaw")
}

pub const ORM_NEEDLES: &[&str] = &[
    ".findAll(",
    ".findByPk(",
    ".findAndCountAll(",
    ".findOne(",
    ".find(",
    ".findBy(",
    ".findOneBy(",
    ".findById(",
    ".countDocuments(",
    ".findMany(",
    ".findFirst(",
    ".from(",
    ".getMany(",
    ".getOne(",
    ".getRawMany(",
    ".selectFrom(",
    ".count(",
    ".save(",
    ".create(",
    ".update(",
    ".insert(",
    ".destroy(",
    ".updateOne(",
    ".insertInto(",
];

/// A recognised query call of one of these ORMs.
#[derive(Debug, Clone)]
pub struct OrmCall<'t> {
    pub orm: Orm,
    /// The outermost call of the chain: what runs.
    pub call: Node<'t>,
    /// `User.findAll`, `db.select().from(users)`, as written (whitespace collapsed, arguments of
    /// the operation elided).
    pub callee: String,
    /// The model, entity or table, when the call names it.
    pub model: Option<String>,
    pub operation: &'t str,
    pub returns: Returns,
    /// The options object (`{ where, limit }`), or Mongoose's and TypeORM `findBy`'s filter.
    pub options: Option<Node<'t>>,
    /// The chain's links after the operation: (method, arguments).
    pub links: Vec<(&'t str, Node<'t>)>,
    /// What must hold in other files for the receiver to be a data-layer handle (a field typed
    /// with a project's own repository class).
    pub conditions: Vec<super::Condition>,
    /// The chain starts at a variable that holds a query builder (`const qb =
    /// repo.createQueryBuilder('v'); ...; qb.getMany()`): statements in between may have added
    /// a `where` or a `take` that the links do not show, so only the query's existence is known.
    pub via_variable: bool,
}

impl OrmCall<'_> {
    pub fn is_write(&self) -> bool {
        self.returns == Returns::Write
    }

    /// Whether the chain calls `method` after the operation.
    pub fn has_link(&self, methods: &[&str]) -> bool {
        self.links.iter().any(|(m, _)| methods.contains(m))
    }
}

/// The links of a method chain ending at `call`, root first, and the root receiver.
/// A method chain from its outermost call: its root (what the first method is called on) and
/// its links in order, (method, arguments).
pub(crate) fn chain<'t>(call: Node<'t>, src: &'t str) -> (Node<'t>, Vec<(&'t str, Node<'t>)>) {
    let mut links = Vec::new();
    let mut current = call;
    while let Some((object, method, args)) = method_call(current, src) {
        links.push((method, args));
        current = unwrap_expression(object);
        // Knex's `.or.whereNotIn(...)`, `.and.where(...)`, `.not.where(...)`: a property link.
        current = knex_modifier_object(current, src).unwrap_or(current);
        if links.len() > 32 || current.k() != "call_expression" {
            break;
        }
    }
    links.reverse();
    (current, links)
}

/// Knex's modifier properties: `q.where(...).or.whereNotIn(...)`.
const KNEX_MODIFIERS: &[&str] = &["or", "and", "not"];

/// `q.where(...).or` -> `q.where(...)`: Knex's modifier properties keep the chain going.
fn knex_modifier_object<'t>(node: Node<'t>, src: &str) -> Option<Node<'t>> {
    if node.k() != "member_expression" {
        return None;
    }
    let property = node.field("property")?;
    let object = unwrap_expression(node.field("object")?);
    (KNEX_MODIFIERS.contains(&src.get(property.byte_range())?) && object.k() == "call_expression")
        .then_some(object)
}

/// Whether the current call is the object of a further call in its chain (`x.find()` in
/// `x.find().limit(1)`); `.then`/`.catch`/`.finally` do not extend a query chain.
fn continues(cx: &FileCx) -> bool {
    let n = cx.ancestors.len();
    if n < 2 {
        return false;
    }
    let (mut member, mut call) = (cx.ancestors[n - 1], cx.ancestors[n - 2]);
    // `q.where(...).or.whereNotIn(...)`: look past the modifier property.
    if n >= 3
        && call.k() == "member_expression"
        && member
            .field("property")
            .is_some_and(|p| KNEX_MODIFIERS.contains(&cx.text(p)))
    {
        (member, call) = (call, cx.ancestors[n - 3]);
    }
    // `await q.select<Row>(...)`: the grammar puts the `await` around the member.
    if call.k() == "await_expression" && n >= 3 {
        call = cx.ancestors[n - 3];
    }
    member.k() == "member_expression"
        && call.k() == "call_expression"
        && super::syntax::call_target(call) == Some(member)
        && member
            .field("property")
            .is_some_and(|p| !matches!(cx.text(p), "then" | "catch" | "finally"))
}

/// `await q.select<Row>('a')`, read by the grammar as `(await q.select)<Row>('a')`: the call is
/// awaited although no `await_expression` encloses it ([`super::syntax::call_target`]).
fn misparsed_await(call: Node) -> bool {
    call.field("type_arguments").is_some()
        && call
            .field("function")
            .is_some_and(|f| f.k() == "await_expression")
}

/// Whether the file's package (or a workspace package it depends on) uses `orm`, or the file
/// imports it.
/// The TypeORM entity class `name` as a data model: declared in this file, or in the module this
/// file imports it from (through barrels). `None` when it cannot be found.
pub fn typeorm_entity(name: &str, cx: &FileCx) -> Option<crate::project::schema::Model> {
    let here = cx.entities.get_or_init(|| {
        if cx.contains("@Entity(") {
            crate::project::entities::entities(cx.path, cx.src)
        } else {
            Vec::new()
        }
    });
    if let Some(model) = here.iter().find(|m| m.name == name) {
        return Some(model.clone());
    }
    let specifier = cx.imports.get(name)?;
    cx.project
        .modules
        .entity(cx.project, cx.path, specifier, name)
}

pub fn uses(orm: Orm, cx: &FileCx) -> bool {
    let packages = orm.packages();
    packages.iter().any(|p| cx.depends_on(p))
        || cx.imports.values().any(|specifier| {
            packages.iter().any(|p| {
                specifier
                    .strip_prefix(p)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            })
        })
}

/// What runs a TypeORM query builder.
const TYPEORM_TERMINALS: &[&str] = &[
    "getMany",
    "getRawMany",
    "getManyAndCount",
    "stream",
    "getOne",
    "getOneOrFail",
    "getRawOne",
    "getExists",
    "getCount",
];

/// The ORM call `node` is, if it is one.
pub fn orm_call<'t>(node: Node<'t>, cx: &FileCx<'t>) -> Option<OrmCall<'t>> {
    if node.k() != "call_expression" || continues(cx) {
        return None;
    }
    let src = cx.src;
    let (root, mut links) = chain(node, src);
    // `qb.getMany()` with `const qb = repo.createQueryBuilder('v')...` above: the builder's chain
    // goes on here.
    let terminal = links
        .last()
        .is_some_and(|(m, _)| TYPEORM_TERMINALS.contains(m));
    let builder = (root.k() == "identifier" && terminal)
        .then(|| super::syntax::declared_value(cx.text(root), root, cx))
        .flatten()
        .filter(|v| v.k() == "call_expression")
        .map(|v| chain(v, src))
        .filter(|(_, l)| l.iter().any(|(m, _)| *m == "createQueryBuilder"));
    let via_variable = builder.is_some();
    // `qb.getMany`, as messages name it.
    let variable_call = via_variable.then(|| {
        let method = links.last().map_or("", |(m, _)| *m);
        format!("{}.{method}", cx.text(root))
    });
    let root = match builder {
        Some((builder_root, mut builder_links)) => {
            builder_links.append(&mut links);
            links = builder_links;
            builder_root
        }
        None => root,
    };
    // `repo.find({...}).then(f)`: the query is the inner call, recognised on its own.
    if links.len() > 1
        && links
            .last()
            .is_some_and(|(m, _)| matches!(*m, "then" | "catch" | "finally"))
    {
        return None;
    }
    let mut conditions = Vec::new();
    let recognised = sequelize(root, &links, cx)
        .or_else(|| mongoose(root, &links, cx))
        .or_else(|| {
            let (recognised, condition) = typeorm(root, &links, cx)?;
            conditions.extend(condition);
            Some(recognised)
        })
        .or_else(|| drizzle(root, &links, cx))
        .or_else(|| kysely(root, &links, cx));
    let Some(recognised) = recognised else {
        return knex(node, root, &links, cx);
    };
    let (orm, op_index, returns, model) = recognised;
    // `const query = db.select()...`: a builder composed further before it runs.
    let composed = cx.parent().is_some_and(|p| p.k() == "variable_declarator")
        && !misparsed_await(node)
        && !matches!(orm, Orm::Sequelize)
        && (orm != Orm::TypeOrm || links[op_index].0 == "createQueryBuilder");
    if composed {
        return None;
    }
    let (operation, arguments) = links[op_index];
    let options = match (orm, operation) {
        (Orm::TypeOrm, _) if is_entity_argument(arguments, cx) => {
            arguments.named_child(1).filter(|a| a.k() == "object")
        }
        (Orm::Sequelize, "findByPk") => arguments.named_child(1).filter(|a| a.k() == "object"),
        // Chains: the first call's object is a projection or a table, not options.
        (Orm::Kysely, _)
        | (Orm::TypeOrm, "createQueryBuilder")
        | (
            Orm::Drizzle,
            "select" | "selectDistinct" | "selectDistinctOn" | "insert" | "update" | "delete",
        ) => None,
        _ => first_object_argument(arguments),
    };
    let callee = if let Some(shown) = variable_call {
        // The builder's own chain is in another statement.
        shown
    } else if matches!(orm, Orm::Drizzle | Orm::Kysely) && links.len() > 1 {
        // Name the table: `db.select().from(users)`, `db.delete(sessions)`, `db.selectFrom('users')`.
        let upto = links
            .iter()
            .position(|(m, _)| *m == "from")
            .filter(|_| links[op_index].0.starts_with("select"))
            .unwrap_or(op_index);
        shown_chain(root, &links[..=upto], cx)
    } else {
        let function = node.field("function")?;
        let end = if op_index + 1 == links.len() {
            function.end_byte()
        } else {
            arguments.start_byte()
        };
        super::prisma::collapse_whitespace(super::syntax::text_between(src, node.start_byte(), end))
    };
    Some(OrmCall {
        orm,
        call: node,
        callee,
        model,
        operation,
        returns,
        options,
        links: links[op_index + 1..].to_vec(),
        conditions,
        via_variable,
    })
}

/// A chain as written, short arguments kept and long ones elided: `db.select(...).from(users)`.
fn shown_chain(root: Node, links: &[(&str, Node)], cx: &FileCx) -> String {
    let mut out = super::prisma::collapse_whitespace(cx.text(root));
    for (method, args) in links {
        let text = super::prisma::collapse_whitespace(cx.text(*args));
        // A projection says less than the table it reads.
        let projection = method.starts_with("select") && args.named_child_count() > 0;
        let args = if text.len() <= 40 && !projection {
            text.as_str()
        } else {
            "(...)"
        };
        out.push_str(&format!(".{method}{args}"));
    }
    out
}

type Recognised = (Orm, usize, Returns, Option<String>);

/// `Array`, `Object`, `Promise`, ...: PascalCase receivers that are not models.
const GLOBALS: &[&str] = &[
    "Array", "Object", "Promise", "Math", "JSON", "Date", "Number", "String", "Reflect", "Intl",
    "Buffer", "Symbol", "Map", "Set", "Error", "URL", "Boolean", "BigInt", "Atomics",
];

/// A PascalCase identifier imported by the file or declared in it: a model class.
fn model_class<'t>(receiver: Node<'t>, cx: &FileCx<'t>) -> Option<&'t str> {
    let name = match receiver.k() {
        "identifier" => cx.text(receiver),
        // `db.User`, `models.User`, `sequelize.models.User`.
        "member_expression" => cx.text(receiver.field("property")?),
        _ => return None,
    };
    let pascal = name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && name.chars().any(|c| c.is_ascii_lowercase());
    if !pascal || GLOBALS.contains(&name) {
        return None;
    }
    // A model comes from a models module, or is declared as one here: `UserCommand.create`
    // (a DTO factory) is not a query.
    let from_models = cx.imports.get(name).is_some_and(|s| {
        let s = s.to_ascii_lowercase();
        s.contains("model") || s.contains("entit") || s.contains("schema")
    });
    let known = receiver.k() == "member_expression"
        || from_models
        || name.ends_with("Model")
        || cx.names("class ", name, " extends Model")
        || cx.names("class ", name, " extends BaseEntity")
        || cx.names("", name, " = mongoose.model")
        || cx.names("", name, " = model(")
        || cx.names("", name, " = model<")
        || cx.names("", name, " = sequelize.define");
    known.then_some(name)
}

fn sequelize(root: Node, links: &[(&str, Node)], cx: &FileCx) -> Option<Recognised> {
    // `User.scope('withTeam').findAll(...)`, `User.unscoped().findOne(...)`.
    let index = links
        .iter()
        .position(|(m, _)| !matches!(*m, "scope" | "unscoped" | "schema"))?;
    let (operation, _) = links[index];
    let returns = match operation {
        "findAll" => Returns::Many,
        "findOne" | "findByPk" | "findOrCreate" => Returns::One,
        "count" | "findAndCountAll" | "max" | "min" | "sum" => Returns::Count,
        "create" | "bulkCreate" | "update" | "destroy" | "upsert" | "increment" => Returns::Write,
        _ => return None,
    };
    if links.len() > index + 1 {
        return None;
    }
    let model = model_class(root, cx)?;
    // `findOne`/`count`/`create`/`update` are Mongoose's too: decide by the package.
    if !uses(Orm::Sequelize, cx) {
        return None;
    }
    let returns = if operation == "findAndCountAll" {
        Returns::Many
    } else {
        returns
    };
    Some((Orm::Sequelize, index, returns, Some(model.to_string())))
}

fn mongoose(root: Node, links: &[(&str, Node)], cx: &FileCx) -> Option<Recognised> {
    let (operation, _) = *links.first()?;
    let returns = match operation {
        "find" | "aggregate" => Returns::Many,
        "findOne" | "findById" => Returns::One,
        "countDocuments" | "estimatedDocumentCount" | "distinct" => Returns::Count,
        "create" | "insertMany" | "updateOne" | "updateMany" | "deleteOne" | "deleteMany"
        | "findOneAndUpdate" | "findByIdAndUpdate" | "findOneAndDelete" | "findByIdAndDelete"
        | "replaceOne" | "bulkWrite" => Returns::Write,
        _ => return None,
    };
    let model = match root.k() {
        "member_expression" if root.field("object").is_some_and(|o| o.k() == "this") => {
            let field = cx.text(root.field("property")?);
            let typed = declared_type(root, cx).is_some_and(|t| t.starts_with("Model<"));
            (typed || field.ends_with("Model")).then(|| field.to_string())?
        }
        _ => model_class(root, cx)?.to_string(),
    };
    if !uses(Orm::Mongoose, cx) || (uses(Orm::Sequelize, cx) && operation != "find") {
        return None;
    }
    Some((Orm::Mongoose, 0, returns, Some(model)))
}

/// The type annotation of an identifier (a parameter) or of `this.field`, from the frames.
fn declared_type<'t>(receiver: Node, cx: &'t FileCx) -> Option<&'t str> {
    let (name, on_this) = match receiver.k() {
        "identifier" => (cx.text(receiver), false),
        "member_expression" if receiver.field("object")?.k() == "this" => {
            (cx.text(receiver.field("property")?), true)
        }
        _ => return None,
    };
    cx.frames.iter().rev().find_map(|frame| {
        let typed = match frame {
            Frame::Function { typed_params, .. } if !on_this => typed_params,
            Frame::Class { typed_fields, .. } if on_this => typed_fields,
            _ => return None,
        };
        typed
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.trim_start_matches(':').trim())
    })
}

/// `name = ds.getRepository(X)` or `name: Repository<X>` somewhere in the file.
fn bound_to_repository(name: &str, cx: &FileCx) -> bool {
    declared_as(name, cx, |statement| {
        // `= ds.getRepository(User)`, not `= await ds.getRepository(User).find()`: a name that
        // holds a query's rows is not a repository.
        let getter = statement
            .rfind("getRepository(")
            .is_some_and(|at| !statement.get(at..).unwrap_or("").contains(")."));
        getter || statement.contains("Repository<") || statement.contains("EntityManager")
    })
}

/// Whether the file assigns or annotates `name` (`name = ...`, `name: ...`, a whole word) with a
/// statement, up to its end of line or `;`, that `test` accepts. The file's assignments are
/// found in one pass, the first time one is asked for ([`FileCx::assignments`]).
fn declared_as(name: &str, cx: &FileCx, test: impl Fn(&str) -> bool) -> bool {
    cx.assignments(name).iter().any(|statement| test(statement))
}

fn typeorm(
    root: Node,
    links: &[(&str, Node)],
    cx: &FileCx,
) -> Option<(Recognised, Option<super::Condition>)> {
    // Query builder: `<repo>.createQueryBuilder(...)...getMany()`.
    if let Some(qb) = links.iter().position(|(m, _)| *m == "createQueryBuilder") {
        let (terminal, _) = *links.last()?;
        let returns = match terminal {
            "getMany" | "getRawMany" | "getManyAndCount" | "stream" => Returns::Many,
            "getOne" | "getOneOrFail" | "getRawOne" | "getExists" => Returns::One,
            "getCount" => Returns::Count,
            _ => return None,
        };
        if !uses(Orm::TypeOrm, cx) {
            return None;
        }
        // `manager.createQueryBuilder(User, 'u')` names the entity; `repo.createQueryBuilder('u')`
        // an alias, and the repository's type the entity.
        let model = links[qb]
            .1
            .named_child(0)
            .filter(|a| {
                a.k() == "identifier" && cx.text(*a).starts_with(|c: char| c.is_ascii_uppercase())
            })
            .map(|a| cx.text(a).to_string())
            .or_else(|| {
                (qb == 0)
                    .then(|| declared_type(root, cx).and_then(type_argument))
                    .flatten()
                    .map(str::to_string)
            });
        return Some(((Orm::TypeOrm, qb, returns, model), None));
    }
    let index = links.iter().position(|(m, _)| {
        !matches!(
            *m,
            "getRepository" | "getMongoRepository" | "getTreeRepository" | "withRepository"
        )
    })?;
    let (operation, args) = links[index];
    // `rows.find((r) => ...)`: TypeORM takes options, never a callback.
    if args
        .named_child(0)
        .is_some_and(|a| matches!(a.k(), "arrow_function" | "function_expression" | "function"))
    {
        return None;
    }
    let returns = match operation {
        "find" | "findBy" | "findAndCount" | "findAndCountBy" => Returns::Many,
        "findOne" | "findOneBy" | "findOneOrFail" | "findOneByOrFail" => Returns::One,
        "count" | "countBy" | "exist" | "exists" | "existsBy" | "sum" | "average" | "maximum"
        | "minimum" => Returns::Count,
        "save" | "insert" | "update" | "upsert" | "delete" | "remove" | "softDelete"
        | "increment" | "decrement" => Returns::Write,
        _ => return None,
    };
    let from_getter = index > 0;
    let receiver_type = declared_type(root, cx);
    // `Repository<User>`, not a project's own `UsersRepository` class.
    let typed = receiver_type
        .is_some_and(|t| super::Handle::named_in(t, cx) == Some(super::Handle::TypeOrmRepository));
    let name = match root.k() {
        "identifier" => cx.text(root),
        "member_expression" => cx.text(root.field("property")?),
        _ => "",
    };
    let manager = name == "manager" || name == "entityManager" || name.ends_with("EntityManager");
    let local = root.k() == "identifier" && bound_to_repository(name, cx);
    // `this.find()` in `class X extends Repository<E>`: the class itself says so.
    let inherited = inherited_repository(root, cx);
    let typed = typed || inherited.is_some();
    // `this.users` typed with the project's own `UsersRepository`, or `this` in a class that
    // extends something: the project index decides whether it is a `Repository`.
    let custom = (!(from_getter || typed || manager || local))
        .then(|| super::typed_receiver(root, cx, super::Handle::TypeOrmRepository))
        .flatten();
    if !(from_getter || typed || manager || local || custom.is_some()) || !uses(Orm::TypeOrm, cx) {
        return None;
    }
    let model = if from_getter {
        // `getRepository(User)`, also `getRepository(ctx, User)` (a request-scoped wrapper):
        // the entity is the argument named like a class.
        let args = links[index - 1].1;
        let mut cursor = args.walk();
        let named: Vec<Node> = args.named_children(&mut cursor).collect();
        named
            .iter()
            .find(|a| {
                a.k() == "identifier" && cx.text(**a).starts_with(|c: char| c.is_ascii_uppercase())
            })
            .or(named.first())
            .map(|a| cx.text(*a).to_string())
    } else if let Some(entity) = args.named_child(0).filter(|_| is_entity_argument(args, cx)) {
        Some(cx.text(entity).to_string())
    } else {
        receiver_type
            .or(inherited)
            .and_then(type_argument)
            .map(str::to_string)
            .or_else(|| local.then(|| repository_entity(root, cx)).flatten())
    };
    Some(((Orm::TypeOrm, index, returns, model), custom))
}

/// `User` for `repo` in `const repo = getRepository(User)` (also `ds.getRepository(User)`,
/// `manager.getRepository(ctx, User)`).
fn repository_entity(root: Node, cx: &FileCx) -> Option<String> {
    let value = super::syntax::declared_value(cx.text(root), root, cx)?;
    if value.k() != "call_expression" {
        return None;
    }
    let args = value.field("arguments")?;
    let function = value.field("function")?;
    let name = match function.k() {
        "identifier" => cx.text(function),
        "member_expression" => cx.text(function.field("property")?),
        _ => return None,
    };
    if !matches!(
        name,
        "getRepository" | "getMongoRepository" | "getTreeRepository"
    ) {
        return None;
    }
    let mut cursor = args.walk();
    let entity = args
        .named_children(&mut cursor)
        .find(|a| {
            a.k() == "identifier" && cx.text(*a).starts_with(|c: char| c.is_ascii_uppercase())
        })
        .map(|a| cx.text(a).to_string());
    entity
}

/// The `Repository<E>` (or `TreeRepository`, `MongoRepository`, `AbstractRepository`) the
/// innermost class extends, when `root` is `this` in it (`this.repository` and `this.manager`
/// for `AbstractRepository`).
fn inherited_repository<'t>(root: Node, cx: &FileCx<'t>) -> Option<&'t str> {
    let heritage = cx.frames.iter().rev().find_map(|frame| match frame {
        Frame::Class { heritage, .. } => Some(*heritage),
        _ => None,
    })??;
    let written = heritage.split('<').next().unwrap_or(heritage).trim();
    let base = written.rsplit('.').next().unwrap_or(written);
    // The project's own `Repository` base class (a Mongoose or Drizzle wrapper) is not TypeORM's.
    if super::Handle::not_typeorms(written, cx) {
        return None;
    }
    let through = match root.k() {
        "this" => "",
        "member_expression" if root.field("object")?.k() == "this" => {
            cx.text(root.field("property")?)
        }
        _ => return None,
    };
    let holds = match base {
        "Repository" | "TreeRepository" | "MongoRepository" => through.is_empty(),
        "AbstractRepository" => matches!(through, "repository" | "manager"),
        _ => false,
    };
    holds.then_some(heritage)
}

/// `User` in `Repository<User>`.
fn type_argument(ty: &str) -> Option<&str> {
    let (_, inner) = ty.split_once('<')?;
    let inner = inner.rsplit_once('>').map_or(inner, |(i, _)| i).trim();
    (!inner.is_empty()).then_some(inner)
}

/// `manager.find(User, { ... })`: the entity class comes first.
fn is_entity_argument(args: Node, cx: &FileCx) -> bool {
    args.named_child(0).is_some_and(|a| {
        a.k() == "identifier"
            && cx
                .text(a)
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_uppercase())
    })
}

fn drizzle(root: Node, links: &[(&str, Node)], cx: &FileCx) -> Option<Recognised> {
    let (first, first_args) = *links.first()?;
    // `db.query.users.findMany({...})`.
    if root.k() == "member_expression" && matches!(first, "findMany" | "findFirst") {
        let holder = root.field("object")?;
        let is_query = holder.k() == "member_expression"
            && holder
                .field("property")
                .is_some_and(|p| cx.text(p) == "query");
        if !is_query || !uses(Orm::Drizzle, cx) {
            return None;
        }
        let returns = if first == "findMany" {
            Returns::Many
        } else {
            Returns::One
        };
        let table = cx.text(root.field("property")?).to_string();
        return Some((Orm::Drizzle, 0, returns, Some(table)));
    }
    if !matches!(root.k(), "identifier" | "member_expression") {
        return None;
    }
    let returns = match first {
        "select" | "selectDistinct" | "selectDistinctOn" => {
            let from = links.iter().find(|(m, _)| *m == "from")?;
            // Totals, per group or not, are not rows.
            let aggregate = first_object_argument(first_args).is_some_and(|fields| {
                let text = cx.text(fields).to_ascii_lowercase();
                ["count(", "sum(", "avg(", "min(", "max("]
                    .iter()
                    .any(|a| text.contains(a))
            });
            let returns = if aggregate {
                Returns::Count
            } else {
                Returns::Many
            };
            if !uses(Orm::Drizzle, cx) {
                return None;
            }
            let table = from.1.named_child(0).map(|t| cx.text(t).to_string());
            return Some((Orm::Drizzle, 0, returns, table));
        }
        "insert" | "update" | "delete" => Returns::Write,
        _ => return None,
    };
    let shaped = links
        .iter()
        .skip(1)
        .any(|(m, _)| matches!(*m, "values" | "set" | "where" | "returning"));
    if !shaped || !uses(Orm::Drizzle, cx) || first_args.named_child_count() != 1 {
        return None;
    }
    let table = first_args.named_child(0).map(|t| cx.text(t).to_string());
    Some((Orm::Drizzle, 0, returns, table))
}

fn kysely(_root: Node, links: &[(&str, Node)], cx: &FileCx) -> Option<Recognised> {
    let (first, args) = *links.first()?;
    let (terminal, _) = *links.last()?;
    let returns = match (first, terminal) {
        ("selectFrom", "execute" | "stream") => Returns::Many,
        ("selectFrom", "executeTakeFirst" | "executeTakeFirstOrThrow") => Returns::One,
        (
            "insertInto" | "updateTable" | "deleteFrom",
            "execute" | "executeTakeFirst" | "executeTakeFirstOrThrow",
        ) => Returns::Write,
        _ => return None,
    };
    if !uses(Orm::Kysely, cx) {
        return None;
    }
    let table = args
        .named_child(0)
        .map(|t| cx.text(t).trim_matches(['\'', '"']).to_string());
    Some((Orm::Kysely, 0, returns, table))
}

/// Names a Knex instance or transaction goes by.
const KNEX_NAMES: &[&str] = &[
    "knex",
    "db",
    "trx",
    "tx",
    "database",
    "connection",
    "conn",
    "transaction",
];

/// Whether `name` calls tables of a Knex instance: a usual name (`knex`, `db`, `trx`), or one
/// the file declares as one: `const pg = knex({...})`, `= require('knex')(...)`,
/// `trx: Knex.Transaction`, `= await knex.transaction()`.
fn is_knex_name(name: &str, cx: &FileCx) -> bool {
    usual_knex_name(name) || declared_knex(name, cx)
}

fn usual_knex_name(name: &str) -> bool {
    KNEX_NAMES.contains(&name) || name.ends_with("Knex") || name.ends_with("knex")
}

fn declared_knex(name: &str, cx: &FileCx) -> bool {
    declared_as(name, cx, |statement| {
        let value = statement.trim_start();
        let value = value.strip_prefix("await ").unwrap_or(value);
        // `= knex('users')...` holds a query builder of one table, not an instance; so does a
        // parameter typed `Knex.QueryBuilder` (a builder handed in to be composed).
        let builder = ["knex(", "Knex("].iter().any(|p| {
            value
                .strip_prefix(p)
                .is_some_and(|rest| rest.trim_start().starts_with(['\'', '"', '`']))
        }) || value.starts_with("Knex.QueryBuilder");
        !builder
            && [
                "knex(",
                "Knex(",
                "Knex<",
                "Knex.",
                "Knex,",
                "Knex)",
                "require('knex')",
                "require(\"knex\")",
                "knex.transaction(",
            ]
            .iter()
            .any(|p| value.starts_with(p))
            || value.trim_end() == "Knex"
    })
}

/// A table name: `'users'`, `TABLE`, `tables.users`.
fn is_table_argument(args: Node) -> bool {
    args.named_child_count() == 1
        && args.named_child(0).is_some_and(|a| {
            matches!(
                a.k(),
                "string" | "template_string" | "identifier" | "member_expression"
            )
        })
}

/// What a Knex chain does, from its links: writes win over `first()`, which wins over counts.
/// Chains turned into SQL text or used as subqueries (`toSQL`, `as`) do not run.
fn knex_returns(links: &[(&str, Node)]) -> Option<Returns> {
    let mut returns = Returns::Many;
    for (method, _) in links {
        returns = match *method {
            "then" | "catch" | "finally" | "toString" | "toSQL" | "toQuery" | "toNative" | "as"
            | "clone" | "columnInfo" => return None,
            "insert" | "update" | "del" | "delete" | "increment" | "decrement" | "upsert"
            | "truncate" | "merge" | "ignore" => Returns::Write,
            "first" if returns != Returns::Write => Returns::One,
            "count" | "countDistinct" | "sum" | "sumDistinct" | "avg" | "avgDistinct" | "min"
            | "max"
                if returns == Returns::Many =>
            {
                Returns::Count
            }
            _ => returns,
        };
    }
    Some(returns)
}

/// Links that start a Knex chain on the instance itself: `knex.select('*').from('users')`.
const KNEX_STARTS: &[&str] = &[
    "select",
    "from",
    "table",
    "into",
    "insert",
    "update",
    "del",
    "delete",
    "first",
    "pluck",
    "count",
    "distinct",
    "column",
    "columns",
    "withSchema",
    "queryBuilder",
];

/// Knex: `knex('users').where(...)`, `this.knex('users')...`, `trx('users').insert(...)`,
/// `knex.select('*').from('users')`. The callee must be a Knex instance by name or declaration,
/// and the file's package must depend on `knex` (or the file import it). A builder passed as an
/// argument is a subquery, not a query of its own.
fn knex<'t>(
    node: Node<'t>,
    root: Node<'t>,
    links: &[(&'t str, Node<'t>)],
    cx: &FileCx<'t>,
) -> Option<OrmCall<'t>> {
    let src = cx.src;
    // Cheap first: most calls are not Knex, and naming checks scan the file.
    if !uses(Orm::Knex, cx) {
        return None;
    }
    // (links that follow the table, the table argument, the text that names the query)
    let (rest, table, shown_end) = if root.k() == "call_expression" {
        let function = root.field("function")?;
        let args = root.field("arguments")?;
        if function.k() != "identifier" || !is_table_argument(args) {
            return None;
        }
        // `db('users')`; `knex(TABLE)` or a table constant only on a name declared as Knex.
        let name = cx.text(function);
        let literal = args
            .named_child(0)
            .is_some_and(|a| matches!(a.k(), "string" | "template_string"));
        let known = if literal {
            is_knex_name(name, cx)
        } else {
            name == "knex" || declared_knex(name, cx)
        };
        if !known {
            return None;
        }
        (links, args.named_child(0)?, root.end_byte())
    } else {
        let (first, first_args) = *links.first()?;
        let root_name = match root.k() {
            "identifier" => cx.text(root),
            "member_expression" => cx.text(root.field("property")?),
            "this" => "this",
            _ => return None,
        };
        // A literal, or a `const TABLE = 'events'` in scope.
        let literal_table = first_args.named_child_count() == 1
            && first_args.named_child(0).is_some_and(|a| match a.k() {
                "string" | "template_string" => true,
                "identifier" => super::syntax::declared_value(cx.text(a), node, cx)
                    .is_some_and(|v| v.k() == "string"),
                _ => false,
            });
        if usual_knex_name(first) && literal_table {
            // `this.knex('users')`, `ctx.db('users')`: a property, so a usual name and a literal
            // table (`Model.knex(this.knex)` binds a connection, `cache.domain(d)` is not Knex).
            (
                &links[1..],
                first_args.named_child(0)?,
                first_args.end_byte(),
            )
        } else if KNEX_STARTS.contains(&first) && is_knex_name(root_name, cx) {
            let (_, args) = links
                .iter()
                .find(|(m, a)| matches!(*m, "from" | "table" | "into") && is_table_argument(*a))?;
            (links, args.named_child(0)?, args.end_byte())
        } else {
            return None;
        }
    };
    let returns = knex_returns(rest)?;
    // A subquery (`whereIn('id', knex('b').select('id'))`), or a builder composed further
    // (also one of two held by a variable: `const q = one ? knex.count(...) : knex.countDistinct(...)`).
    let holder = cx
        .ancestors
        .iter()
        .rev()
        .find(|a| !matches!(a.k(), "parenthesized_expression" | "ternary_expression"));
    if holder.is_some_and(|p| matches!(p.k(), "arguments" | "variable_declarator"))
        && !misparsed_await(node)
    {
        return None;
    }
    if knex_subquery(cx) {
        return None;
    }
    let operation = match returns {
        Returns::Many => "select",
        Returns::One => "first",
        Returns::Count => "count",
        Returns::Write => rest
            .iter()
            .rev()
            .find(|(m, _)| {
                matches!(
                    *m,
                    "insert" | "update" | "del" | "delete" | "increment" | "decrement" | "upsert"
                )
            })
            .map_or("insert", |(m, _)| *m),
    };
    let model = knex_table_name(table, node, cx);
    Some(OrmCall {
        orm: Orm::Knex,
        call: node,
        callee: super::prisma::collapse_whitespace(super::syntax::text_between(
            src,
            if misparsed_await(node) {
                root.start_byte()
            } else {
                node.start_byte()
            },
            shown_end,
        )),
        model,
        operation,
        returns,
        options: None,
        links: rest.to_vec(),
        conditions: Vec::new(),
        via_variable: false,
    })
}

/// Builder methods whose arguments are queries they embed, not run: `unionAll(xs.map((x) =>
/// knex.select(...).from(x)))`, `with('t', ...)`.
const KNEX_EMBEDDING: &[&str] = &[
    "union",
    "unionAll",
    "intersect",
    "except",
    "with",
    "withRecursive",
    "withMaterialized",
    "whereIn",
    "whereNotIn",
    "whereExists",
    "whereNotExists",
    "from",
    "join",
    "leftJoin",
    "innerJoin",
];

/// Whether the Knex chain being entered is built inside the arguments of an embedding builder
/// method (through a `.map` callback, an arrow's body, a ternary), a few levels up.
fn knex_subquery(cx: &FileCx) -> bool {
    let mut seen_arguments = false;
    for a in cx.ancestors.iter().rev().take(12) {
        match a.k() {
            "arguments" => seen_arguments = true,
            "call_expression" if seen_arguments => {
                let method = a
                    .field("function")
                    .filter(|f| f.k() == "member_expression")
                    .and_then(|f| f.field("property"))
                    .map(|p| cx.text(p));
                if method.is_some_and(|m| KNEX_EMBEDDING.contains(&m)) {
                    return true;
                }
                // Through `xs.map(...)` and `Array.from(...)`; any other call runs what it gets.
                if !matches!(method, Some("map" | "flatMap" | "from")) {
                    return false;
                }
                seen_arguments = false;
            }
            "arrow_function"
            | "parenthesized_expression"
            | "ternary_expression"
            | "array"
            | "spread_element" => {}
            "statement_block"
            | "return_statement"
            | "function_declaration"
            | "method_definition" => return false,
            _ => {}
        }
    }
    false
}

/// The table a Knex call names: `'users'`, `'users as u'`, or a `const TABLE = 'users'` in scope;
/// none for a table built at run time (`${T.ROLES} as r`, `T.ROLES`).
fn knex_table_name(table: Node, at: Node, cx: &FileCx) -> Option<String> {
    let literal = match table.k() {
        "identifier" => super::syntax::declared_value(cx.text(table), at, cx)?,
        _ => table,
    };
    let name = match literal.k() {
        "string" => super::syntax::string_value(literal, cx.src)?,
        "template_string" if literal.named_child_count() == 0 => cx.text(literal).trim_matches('`'),
        _ => return None,
    };
    let name = name.split_whitespace().next()?;
    Some(name.to_string())
}

/// Whether a Knex chain's `where` narrows to a key: `where({ id })`, `where('user_id', x)`,
/// `where('id', '=', x)`, `whereIn('id', ids)`, `whereRaw('id = ?')`. A filter built elsewhere
/// (a variable, a callback) is assumed to narrow.
pub fn knex_where_narrows(
    call: &OrmCall,
    cx: &FileCx,
    narrows_object: impl Fn(Node) -> bool,
) -> bool {
    call.links.iter().any(|(method, args)| {
        let Some(first) = args.named_child(0) else {
            return false;
        };
        match *method {
            "where" | "andWhere" | "whereIn" => match first.k() {
                "object" => narrows_object(first) || object_picks_by_value(first),
                "string" | "template_string" => {
                    let value = args.named_child(args.named_child_count().saturating_sub(1));
                    let operator = (args.named_child_count() == 3)
                        .then(|| args.named_child(1))
                        .flatten()
                        .map(|o| cx.text(o).trim_matches(['\'', '"']));
                    args.named_child_count() >= 2
                        && operator.is_none_or(|o| o == "=" || o.eq_ignore_ascii_case("in"))
                        && (key_like(cx.text(first)) || value.is_some_and(is_picked_value))
                }
                // built elsewhere: `where(match)`, `where(normalize(match))`, a callback
                "identifier"
                | "member_expression"
                | "call_expression"
                | "arrow_function"
                | "function_expression"
                | "function" => true,
                _ => false,
            },
            "whereRaw" => typeorm_key_filter(&cx.text(first).to_ascii_lowercase()),
            _ => false,
        }
    })
}

/// A value a caller picks (a variable, a field, a call), not a literal: `where('project',
/// projectId)` filters to one project even when the column is not named like a key. The column's
/// role is not known without the table's definition, so such a filter is taken to narrow: the
/// guess does not make a finding.
fn is_picked_value(value: Node) -> bool {
    matches!(
        super::syntax::unwrap_expression(value).k(),
        "identifier" | "member_expression" | "subscript_expression" | "call_expression"
    )
}

/// `where({ project: projectId })`, `where({ feature })`: equality on a picked value.
fn object_picks_by_value(object: Node) -> bool {
    let mut cursor = object.walk();
    let picked = object
        .named_children(&mut cursor)
        .any(|member| match member.k() {
            "shorthand_property_identifier" => true,
            "pair" => member.field("value").is_some_and(is_picked_value),
            _ => false,
        });
    picked
}

/// Keys that pick rows of one owner or one thing: `id`, `_id`, `*Id`, `*_id`.
pub fn key_like(key: &str) -> bool {
    let key = key.rsplit('.').next().unwrap_or(key);
    let key = key.trim_matches(['\'', '"', '`']);
    key == "id"
        || key == "_id"
        || key.ends_with("Id")
        || key.ends_with("_id")
        || key.ends_with("ID")
        // `userUid`, `user_uid`: a user's key
        || key.ends_with("Uid")
        || key.ends_with("_uid")
        || matches!(key, "uid" | "email" | "slug" | "token" | "username" | "key")
        // the user who owns the row, kept as a plain column (teable: no `@relation` at all)
        || matches!(key, "createdBy" | "created_by" | "ownedBy" | "owned_by")
        // all-lowercase columns: `chatflowid`, `userid`; not `paid`, `valid`, `android`
        || (key.len() > 4
            && key.ends_with("id")
            && key.chars().all(|c| c.is_ascii_lowercase())
            && ![
                "paid", "valid", "invalid", "void", "avoid", "android", "rapid", "liquid",
                "fluid", "hybrid", "humid", "lipid", "acid", "vivid", "solid", "stupid", "squid",
                "candid", "morbid", "timid", "placid",
            ]
            .iter()
            .any(|w| key.ends_with(w)))
}

/// Whether a chain's `where` narrows to a key: Drizzle's `eq(t.userId, x)` / `inArray(t.id, xs)`,
/// Kysely's `where('user_id', '=', x)`, TypeORM's `where('u.id = :id')`. A filter built elsewhere
/// (a variable) is assumed to narrow.
pub fn chain_where_narrows(call: &OrmCall, cx: &FileCx) -> bool {
    chain_where_narrows_in(call, None, cx)
}

/// [`chain_where_narrows`] with the table's data model (a Drizzle table).
pub fn chain_where_narrows_in(
    call: &OrmCall,
    model: Option<&crate::project::schema::Model>,
    cx: &FileCx,
) -> bool {
    call.links
        .iter()
        .filter(|(m, _)| matches!(*m, "where" | "andWhere"))
        .any(|(_, args)| {
            let Some(first) = args.named_child(0) else {
                return false;
            };
            match first.k() {
                "identifier" | "member_expression" | "subscript_expression" => true,
                "string" | "template_string" => {
                    let text = cx.text(first).to_ascii_lowercase();
                    let second = args.named_child(1).map(|a| cx.text(a));
                    // Kysely: `where('user_id', '=', x)`.
                    if matches!(second, Some("'='" | "\"=\"" | "'in'" | "\"in\"")) {
                        return key_like(cx.text(first));
                    }
                    // TypeORM: `where('u.id = :id')`, `where('u.ownerId IN (:...ids)')`.
                    typeorm_key_filter(&text)
                }
                _ => narrows_by_call_in(first, model, cx),
            }
        })
}

fn typeorm_key_filter(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    words.windows(2).any(|w| {
        let column = w[0].rsplit('.').next().unwrap_or(w[0]);
        (column == "id" || column.ends_with("id")) && matches!(w[1], "=" | "in")
    })
}

/// `eq(t.userId, x)`, `inArray(t.id, ids)`, or an `and(...)` holding one. Conditions spread in
/// from a list built elsewhere (`and(...conditions)`) are assumed to narrow, as Prisma's are.
pub fn narrows_by_call(node: Node, cx: &FileCx) -> bool {
    narrows_by_call_in(node, None, cx)
}

/// [`narrows_by_call`] with the table's data model (a Drizzle table): a column narrows when it is
/// a key by its name or by the model (primary, unique, foreign, a looked-up indexed text). A
/// column chosen at run time (`t[`${kind}Id`]`, `kind ? t.aId : t.bId` with both keys) and
/// conditions joined elsewhere (`sql.join(conditions)`) cannot be judged: assumed to narrow.
pub fn narrows_by_call_in(
    node: Node,
    model: Option<&crate::project::schema::Model>,
    cx: &FileCx,
) -> bool {
    let key_column = |column: Node, value: Option<Node>| -> bool {
        let column = unwrap_expression(column);
        let by_name = |name: &str| {
            key_like(name) || model.is_some_and(|m| super::prisma::picks_by_column(m, name, value))
        };
        match column.k() {
            "member_expression" => column
                .field("property")
                .is_some_and(|p| by_name(cx.text(p))),
            "subscript_expression" => true,
            "ternary_expression" => [column.field("consequence"), column.field("alternative")]
                .into_iter()
                .all(|b| {
                    b.map(unwrap_expression).is_some_and(|b| {
                        b.k() == "member_expression"
                            && b.field("property").is_some_and(|p| by_name(cx.text(p)))
                    })
                }),
            _ => false,
        }
    };
    descendants(node, 400).into_iter().any(|n| {
        if n.k() == "spread_element" {
            return true;
        }
        if n.k() != "call_expression" {
            return false;
        }
        let Some(function) = n.field("function") else {
            return false;
        };
        let name = cx.text(function);
        if name == "sql.join" {
            return true;
        }
        let name = name.rsplit('.').next().unwrap_or(name);
        if !matches!(name, "eq" | "inArray") {
            return false;
        }
        let args = n.field("arguments");
        args.and_then(|a| a.named_child(0))
            .is_some_and(|column| key_column(column, args.and_then(|a| a.named_child(1))))
    })
}
