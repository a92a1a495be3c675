//! Store requests ([`crate::analysis::stores`]) tested through `query-in-loop`.

use crate::config::Config;
use crate::project::{Package, Project};
use crate::source::Lang;
use std::path::{Path, PathBuf};

/// The `query-in-loop` findings of `src` in a package depending on `deps`.
fn findings(deps: &[&str], src: &str) -> Vec<String> {
    let project = Project {
        packages: vec![Package {
            dir: PathBuf::from("/p"),
            dependencies: deps.iter().map(|d| d.to_string()).collect(),
            ..Package::default()
        }],
        ..Project::default()
    };
    crate::analyze(
        Path::new("/p/src/a.ts"),
        src,
        Lang::TypeScript,
        &Config::default(),
        &project,
        &[&crate::rules::query_in_loop::RULE],
    )
    .unwrap()
    .pending
    .into_iter()
    .map(|p| p.diagnostic.message)
    .collect()
}

#[test]
fn store_requests_per_element_are_found() {
    let es = ["@elastic/elasticsearch"];
    let cases: &[(&[&str], &str)] = &[
        (&es, "import { Client } from '@elastic/elasticsearch'; const client = new Client({}); async function f(ids) { for (const id of ids) { await client.get({ index: 'r', id }); } }"),
        (&es, "async function f(ids) { for (const id of ids) { await getElasticsearchClient().search({ query: { term: { id } } }); } }"),
        (&["@opensearch-project/opensearch"], "async function f(ids) { return Promise.all(ids.map((id) => this.opensearch.exists({ index: 'r', id }))); }"),
        (&["mongodb"], "async function f(rows) { for (const r of rows) { await db.collection('users').findOne({ _id: r.owner }); } }"),
        (&["ioredis"], "import Redis from 'ioredis'; const cache = new Redis(); async function f(ids) { for (const id of ids) { await cache.hgetall(`u:${id}`); } }"),
        (&["redis"], "async function f(ids) { for (const id of ids) { await redisClient.get(id); } }"),
    ];
    for (deps, src) in cases {
        assert_eq!(findings(deps, src).len(), 1, "{src}");
    }
}

#[test]
fn other_receivers_and_batches_are_not_store_requests() {
    let cases: &[(&[&str], &str)] = &[
        // the store is not a dependency: a search SDK of another kind
        (&["algoliasearch"], "async function f(qs) { for (const q of qs) { await esIndex.search(q); } }"),
        // named for something else
        (&["@elastic/elasticsearch"], "async function f(qs) { for (const q of qs) { await searchClient.search(q); } }"),
        (&["ioredis"], "const local = new Map(); function f(ids) { return ids.map((id) => local.get(id)); }"),
        (&["ioredis"], "async function f(ids) { const p = redis.pipeline(); for (const id of ids) { p.get(id); } await p.exec(); }"),
        (&["ioredis"], "async function f(ids) { return redis.mget(ids); }"),
        (&["mongodb"], "async function f(rows) { for (const r of rows) { await users.findOne(r.id); } }"),
    ];
    for (deps, src) in cases {
        assert!(
            findings(deps, src).is_empty(),
            "{src}: {:?}",
            findings(deps, src)
        );
    }
}
