//! Calls to data stores that are not ORMs or SQL drivers: Elasticsearch and OpenSearch clients,
//! MongoDB's native driver and Redis clients. Each is a round trip to a server, so one per
//! element of a collection is an N+1 as much as an ORM query is (seed 002: a record resolved with
//! one Elasticsearch search per referenced id).
//!
//! A receiver is a store's client when the file's package depends on the store's package and the
//! receiver is bound to the client's constructor (`new Client(...)` from `@elastic/elasticsearch`,
//! `new Redis(...)`, `createClient()` from `redis`), or is named for the store (`esClient`,
//! `getElasticsearchClient()`, `redis`, `this.redisClient`), or (MongoDB) the chain goes through
//! `.collection(name)`.

use super::node::NodeExt;
use super::server::import_of;
use super::syntax::{declared_value, unwrap_expression};
use super::FileCx;
use tree_sitter::Node;

/// A store leaklint knows the round trips of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    /// Elasticsearch or OpenSearch.
    Search,
    /// MongoDB's native driver.
    Mongo,
    Redis,
}

/// A call that sends one request to a store.
#[derive(Debug, Clone)]
pub struct StoreCall {
    pub store: Store,
    /// `esClient.search`, `db.collection("users").findOne`, `redis.hgetall`, as written.
    pub callee: String,
    pub is_write: bool,
}

impl StoreCall {
    /// How to send the requests of a loop as one.
    pub fn help(&self) -> &'static str {
        match (self.store, self.is_write) {
            (Store::Search, false) => "fetch every element's document in one request: `mget` with all ids, `msearch` with one search per element, or one `search` with a `terms` query over all keys",
            (Store::Search, true) => "send the writes in one `bulk` request (`helpers.bulk` in the official client)",
            (Store::Mongo, false) => "load all documents with one `find({ <field>: { $in: ids } })` before the loop and look them up in a `Map`",
            (Store::Mongo, true) => "send the writes together with `bulkWrite([...])` or `insertMany(docs)`",
            (Store::Redis, false) => "read every key in one round trip: `mget`/`hmget`, or queue the reads on a `pipeline()` (`multi()`) and `exec()` it once",
            (Store::Redis, true) => "queue the writes on a `pipeline()` (`multi()`) and `exec()` it once, or use `mset`",
        }
    }
}

/// Strings one of which a file must hold to call a store's client; used only in projects whose
/// packages depend on a store ([`project_uses_stores`]).
pub const STORE_NEEDLES: &[&str] = &[
    "lasticsearch",
    "penSearch",
    "pensearch",
    "esClient",
    ".collection(",
    "edis",
];

/// Whether any of the dependencies is a store's client package.
pub fn project_uses_stores<'a>(mut dependencies: impl Iterator<Item = &'a str>) -> bool {
    dependencies.any(|d| {
        SEARCH_PACKAGES.contains(&d) || MONGO_PACKAGES.contains(&d) || REDIS_PACKAGES.contains(&d)
    })
}

/// Packages of each store's clients.
const SEARCH_PACKAGES: &[&str] = &[
    "@elastic/elasticsearch",
    "@opensearch-project/opensearch",
    "elasticsearch",
];
const MONGO_PACKAGES: &[&str] = &["mongodb"];
const REDIS_PACKAGES: &[&str] = &["ioredis", "redis", "@redis/client", "@upstash/redis"];

/// Elasticsearch/OpenSearch client methods that send one request: (method, writes).
const SEARCH_METHODS: &[(&str, bool)] = &[
    ("search", false),
    ("get", false),
    ("exists", false),
    ("count", false),
    ("index", true),
    ("update", true),
    ("delete", true),
    ("create", true),
];

/// MongoDB collection methods: (method, writes).
const MONGO_METHODS: &[(&str, bool)] = &[
    ("findOne", false),
    ("find", false),
    ("countDocuments", false),
    ("aggregate", false),
    ("distinct", false),
    ("insertOne", true),
    ("updateOne", true),
    ("updateMany", true),
    ("replaceOne", true),
    ("deleteOne", true),
    ("findOneAndUpdate", true),
];

/// Redis commands, as the clients name them: (method, writes). Batches (`mget`, `pipeline`) are
/// the fix, not the problem.
const REDIS_METHODS: &[(&str, bool)] = &[
    ("get", false),
    ("hget", false),
    ("hgetall", false),
    ("hGetAll", false),
    ("hGet", false),
    ("smembers", false),
    ("sMembers", false),
    ("sismember", false),
    ("sIsMember", false),
    ("exists", false),
    ("lrange", false),
    ("lRange", false),
    ("zrange", false),
    ("zRange", false),
    ("ttl", false),
    ("set", true),
    ("hset", true),
    ("hSet", true),
    ("del", true),
    ("expire", true),
    ("incr", true),
    ("sadd", true),
    ("sAdd", true),
    ("lpush", true),
    ("lPush", true),
];

/// Every method name above, for a cheap look before [`store_call`].
pub fn is_store_method(method: &str) -> bool {
    [SEARCH_METHODS, MONGO_METHODS, REDIS_METHODS]
        .iter()
        .any(|methods| methods.iter().any(|(m, _)| *m == method))
}

/// Whether the file's package (or a workspace package it depends on) uses one of the stores.
pub fn uses_stores(cx: &FileCx) -> bool {
    project_uses_stores(cx.dependencies.iter().copied())
}

/// The store request `node` sends, if it is one.
pub fn store_call(node: Node, cx: &FileCx) -> Option<StoreCall> {
    if node.k() != "call_expression" {
        return None;
    }
    let function = node
        .field("function")
        .filter(|f| f.k() == "member_expression")?;
    let method = cx.text(function.field("property")?);
    let receiver = unwrap_expression(function.field("object")?);
    let depends = |packages: &[&str]| cx.dependencies.iter().any(|d| packages.contains(d));
    let callee = || crate::analysis::prisma::collapse_whitespace(cx.text(function));
    // `db.collection("users").findOne(...)`
    if let Some(&(_, is_write)) = MONGO_METHODS.iter().find(|(m, _)| *m == method) {
        let through_collection = receiver.k() == "call_expression"
            && receiver
                .field("function")
                .and_then(|f| f.field("property"))
                .is_some_and(|p| cx.text(p) == "collection");
        if through_collection && depends(MONGO_PACKAGES) {
            return Some(StoreCall {
                store: Store::Mongo,
                callee: callee(),
                is_write,
            });
        }
    }
    if let Some(&(_, is_write)) = SEARCH_METHODS.iter().find(|(m, _)| *m == method) {
        if depends(SEARCH_PACKAGES)
            && is_client(
                receiver,
                cx,
                SEARCH_PACKAGES,
                &["elastic", "opensearch", "es"],
            )
        {
            return Some(StoreCall {
                store: Store::Search,
                callee: callee(),
                is_write,
            });
        }
    }
    if let Some(&(_, is_write)) = REDIS_METHODS.iter().find(|(m, _)| *m == method) {
        if depends(REDIS_PACKAGES) && is_client(receiver, cx, REDIS_PACKAGES, &["redis"]) {
            return Some(StoreCall {
                store: Store::Redis,
                callee: callee(),
                is_write,
            });
        }
    }
    None
}

/// Whether `receiver` is a client of one of `packages`: a name bound to its constructor or to
/// `createClient()`, or a name (variable, field, getter) whose words include one of `words`.
fn is_client(receiver: Node, cx: &FileCx, packages: &[&str], words: &[&str]) -> bool {
    let name_node = match receiver.k() {
        // `getElasticsearchClient().search(...)`
        "call_expression" => match receiver.field("function") {
            Some(f) => f,
            None => return false,
        },
        _ => receiver,
    };
    let name = match name_node.k() {
        "identifier" => cx.text(name_node),
        // `this.redis`, `ctx.es`, `services.search.client`: the last name says what it is,
        // or the one before a generic `client`.
        "member_expression" => {
            let text = cx.text(name_node);
            let mut parts = text.rsplit('.');
            let last = parts.next().unwrap_or(text);
            if last.eq_ignore_ascii_case("client") {
                parts.next().unwrap_or(last)
            } else {
                last
            }
        }
        _ => return false,
    };
    if name_node.k() == "identifier" {
        if let Some(value) = declared_value(name, name_node, cx) {
            if constructs_client(value, cx, packages) {
                return true;
            }
        }
        if import_of(cx, name).is_some_and(|m| packages.contains(&m)) {
            return true;
        }
    }
    let named = crate::project::schema::words(name);
    words.iter().any(|w| {
        named
            .iter()
            .any(|n| n == w || n.starts_with(w) && *w != "es")
    })
}

/// `new Client(...)`, `new Redis(...)`, `createClient(...)`, `await createClient(...).connect()`
/// with the constructor imported from one of `packages`.
fn constructs_client(value: Node, cx: &FileCx, packages: &[&str]) -> bool {
    let mut value = unwrap_expression(value);
    for _ in 0..4 {
        match value.k() {
            "await_expression" => match value.named_child(0) {
                Some(inner) => value = unwrap_expression(inner),
                None => return false,
            },
            "new_expression" => {
                return value
                    .field("constructor")
                    .is_some_and(|c| root_imported_from(c, cx, packages));
            }
            "call_expression" => {
                let Some(function) = value.field("function") else {
                    return false;
                };
                // `createClient(...).connect()`
                if let Some(object) = function
                    .field("object")
                    .filter(|o| o.k() == "call_expression")
                {
                    value = object;
                    continue;
                }
                return root_imported_from(function, cx, packages);
            }
            _ => return false,
        }
    }
    false
}

/// `Client`, `es.Client`, `redis.createClient`: the root name imported from one of `packages`.
fn root_imported_from(node: Node, cx: &FileCx, packages: &[&str]) -> bool {
    let mut node = node;
    while node.k() == "member_expression" {
        match node.field("object") {
            Some(o) => node = o,
            None => return false,
        }
    }
    node.k() == "identifier" && import_of(cx, cx.text(node)).is_some_and(|m| packages.contains(&m))
}
