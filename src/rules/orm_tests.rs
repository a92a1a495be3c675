//! ORM recognition ([`crate::analysis::orm`]) tested through the rules that use it.

use crate::rules::test_support::lint_rule;

fn count(rule: &str, src: &str) -> usize {
    lint_rule(rule, src, None).len()
}

#[test]
fn each_orm_in_a_loop() {
    for src in [
        "import { User } from './models'; import { Op } from 'sequelize'; async function f(ids) { for (const id of ids) { await User.findByPk(id); } }",
        "import { User } from './models/user'; import mongoose from 'mongoose'; async function f(ids) { for (const id of ids) { await User.findById(id).lean(); } }",
        "import { Group } from './models'; import { Op } from 'sequelize'; async function f(ids) { for (const id of ids) { await Group.scope({ method: ['withMembers', id] }).findByPk(id); } }",
        "import { User } from './models'; import { Op } from 'sequelize'; async function f(ids) { for (const id of ids) { await sequelize.transaction(async (transaction) => { await User.findByPk(id, { transaction }); }); } }",
        "import { Comment } from './models'; import { Op } from 'sequelize'; async function f(links) { for (const link of links) { if (link.url) { const commentId = parse(link.url); await Comment.findByPk(commentId); } } }",
        // document chunks are rows, not batches
        "import { DataSource } from 'typeorm'; async function f(ds: DataSource, response) { await Promise.all(response.chunks.map(async (chunk) => { try { const dChunk = ds.getRepository(Chunk).create({ text: chunk.text }); await ds.getRepository(Chunk).save(dChunk); } catch (e) {} })); }",
        "import { Repository } from 'typeorm'; class S { constructor(private users: Repository<User>) {} async f(ids) { for (const id of ids) { await this.users.findOneBy({ id }); } } }",
        "import { AppDataSource } from './ds'; import { In } from 'typeorm'; async function f(ids) { for (const id of ids) { await AppDataSource.getRepository(User).findOne({ where: { id } }); } }",
        "import { eq } from 'drizzle-orm'; async function f(db, ids) { for (const id of ids) { await db.select().from(users).where(eq(users.id, id)); } }",
        "import { eq } from 'drizzle-orm'; async function f(db, ids) { for (const id of ids) { await db.query.users.findFirst({ where: eq(users.id, id) }); } }",
        "import { Kysely } from 'kysely'; async function f(db, ids) { for (const id of ids) { await db.selectFrom('users').where('id', '=', id).executeTakeFirst(); } }",
        "import { Pool } from 'pg'; const pool = new Pool(); async function f(ids) { for (const id of ids) { await pool.query('SELECT * FROM users WHERE id = $1', [id]); } }",
        "import { Pool } from 'pg'; const pool = new Pool(); const Q = 'SELECT * FROM users WHERE id = $1'; async function f(ids) { for (const id of ids) { await pool.query(Q, [id]); } }",
    ] {
        assert_eq!(count("query-in-loop", src), 1, "{src}");
    }
}

#[test]
fn near_misses_are_not_queries() {
    for src in [
        // Map.delete in a Drizzle file
        "import { eq } from 'drizzle-orm'; function f(xs, seen) { for (const x of xs) { seen.delete(x.id); } }",
        // Map.delete, Set.add, axios, lodash, array.find
        "import axios from 'axios'; import _ from 'lodash'; import { Op } from 'sequelize'; async function f(ids, map) { for (const id of ids) { map.delete(id); await axios.get(`/u/${id}`); _.find(ids, id); ids.find((x) => x === id); } }",
        // a repository class's own methods, not a TypeORM repository
        "import { In } from 'typeorm'; class S { constructor(private users: UsersRepository) {} async f(ids) { for (const id of ids) { await this.users.findOne(id); } } }",
        // rows of a repository query searched in memory
        "import { In } from 'typeorm'; class S { async f(xs) { const workspaces = await this.ds.getRepository(Workspace).find({ where: { id: In(xs) } }); return xs.map((x) => workspaces.find((w) => w.id === x.id)); } }",
        // a command's static factory, with Mongoose in the package
        "import mongoose from 'mongoose'; import { ApplyCommand } from './commands'; async function f(xs) { for (const x of xs) { await this.apply.execute(ApplyCommand.create({ x })); } }",
        // no ORM imported: a method that happens to be named findAll
        "import { User } from './models'; async function f(ids) { for (const id of ids) { await User.findAll({ where: { id } }); } }",
        // a Drizzle insert of one slice per iteration, written over several lines
        "import { eq } from 'drizzle-orm'; async function f(db, data) { for (let i = 0; i < data.length; i += 500) { const batch = data.slice(i, i + 500);\n await db\n  .insert(institutions)\n  .values(\n          batch.map((x) => ({ id: x.id })),\n  ); } }",
        // a Drizzle chain batched with inArray over the chunk
        "import { inArray } from 'drizzle-orm'; async function f(db, chunks) { for (const chunk of chunks) { await db.select().from(users).where(inArray(users.id, chunk)); } }",
        // Drizzle fragments are not statements
        "import { sql } from 'drizzle-orm'; function f(xs) { return xs.map((x) => sql`${users.age} > ${x}`); }",
    ] {
        assert_eq!(count("query-in-loop", src), 0, "{src}");
    }
}

#[test]
fn unbounded_reads() {
    for src in [
        "import { Comment } from './models'; import { Op } from 'sequelize'; Comment.findAll({ where: { resolved: false } });",
        "import { Invoice } from './models'; import { Op } from 'sequelize'; Invoice.findAll({ where: { unpaid: true } });",
        "import { Comment } from './models'; import { Op } from 'sequelize'; Comment.findAll({ where: { [Op.or]: [{ id: c.parentId }, { resolved: false }] } });",
        "import { Event } from './models/event'; import mongoose from 'mongoose'; Event.find({ kind: 'click' }).lean();",
        "import { eq } from 'drizzle-orm'; async function f(db) { return db.select().from(events).where(eq(events.kind, 'x')); }",
        "import { Repository } from 'typeorm'; class S { constructor(private events: Repository<Event>) {} f() { return this.events.find(); } }",
    ] {
        assert_eq!(count("unbounded-find-many", src), 1, "{src}");
    }
    for src in [
        "import { Comment } from './models'; import { Op } from 'sequelize'; Comment.findAll({ where: { documentId } });",
        "import { Comment } from './models'; import { Op } from 'sequelize'; Comment.findAll({ limit: 25 });",
        "import { Repository } from 'typeorm'; class S { constructor(private leads: Repository<Lead>) {} f(chatflowid) { return this.leads.find({ where: { chatflowid } }); } }",
        // every member of `[Op.or]` picks by a key; a condition built by `sequelize.where`
        "import { Comment } from './models'; import { Op } from 'sequelize'; Comment.findAll({ where: { [Op.or]: [{ id: c.parentId }, { parentCommentId: c.parentId }] } });",
        "import { Integration } from './models'; import { Op } from 'sequelize'; Integration.findAll({ where: { service: 'gitlab', [Op.and]: sequelize.where(sequelize.literal('x @> :p'), Op.eq, true) } });",
        "import { Event } from './models/event'; import mongoose from 'mongoose'; Event.find({ $or: [{ userId }, { ownerId: userId }] }).lean();",
        "import { Event } from './models/event'; import mongoose from 'mongoose'; Event.find({ kind: 'click' }).limit(50);",
        "import { Event } from './models/event'; import mongoose from 'mongoose'; Event.find({ userId }).lean();",
        "import { eq, and } from 'drizzle-orm'; async function f(db) { return db.select().from(events).where(and(eq(events.teamId, teamId), eq(events.kind, 'x'))); }",
        "import { count } from 'drizzle-orm'; async function f(db) { return db.select({ n: count() }).from(events); }",
        "import { sql } from 'drizzle-orm'; async function f(db) { const q = db.select().from(events); return q.limit(10); }",
    ] {
        assert_eq!(count("unbounded-find-many", src), 0, "{src}");
    }
}

#[test]
fn knex_queries() {
    let k = "import knex from 'knex'; const db = knex({ client: 'pg' });";
    for src in [
        "async function f(ids) { for (const id of ids) { await db('users').where({ id }).first(); } }",
        "async function f(ids) { for (const id of ids) { await db('users').where('id', id); } }",
        "class S { async f(ids) { return Promise.all(ids.map((id) => this.knex('orders').where('user_id', id))); } }",
        "async function f(ids) { for (const id of ids) { await db.select('*').from('users').where('id', id); } }",
        "async function f(trx: Knex.Transaction, rows) { for (const row of rows) { await trx('events').insert(row); } }",
        "async function f(rows) { rows.forEach(async (row) => { await db('events').where({ id: row.id }).del(); }); }",
    ] {
        assert_eq!(count("query-in-loop", &format!("{k} {src}")), 1, "{src}");
    }
    for src in [
        // one query for the chunk
        "async function f(chunks) { for (const chunk of chunks) { await db('users').whereIn('id', chunk); } }",
        // i18n `t('key')`, a subquery, DDL, SQL text
        "async function f(t, xs) { for (const x of xs) { t('users'); } }",
        "async function f(xs) { for (const x of xs) { await db('a').whereIn('id', db('b').select('a_id')).first(); } }",
        "async function f(xs) { for (const x of xs) { await db.schema.createTable(x, () => {}); } }",
        "function f(xs) { return xs.map((x) => db('users').where('id', x).toSQL()); }",
        // builders embedded in another query, or held by a variable through a ternary
        "function f(q, ids) { q.unionAll(Array.from(ids).map((id) => db.select('a').from(id))); }",
        "function f(xs, one) { return xs.map((x) => { const q = one ? db.count('a').from(x) : db.countDistinct('a').from(x); return q.toQuery(); }); }",
        // loop-invariant
        "async function f(xs) { for (const x of xs) { await db('settings').first(); } }",
        // a name that merely holds a Knex result, a cache named like a table, a connection bound
        "async function f(xs) { for (const x of xs) { const hasTable = await db.schema.hasTable(x); const domain = await db('domains').whereIn('id', xs); redis.remove.domain(domain); Objection.Model.knex(this.knex); } }",
    ] {
        assert_eq!(count("query-in-loop", &format!("{k} {src}")), 0, "{src}");
    }
    // without knex in the file or its package, `db('users')` is not Knex
    assert_eq!(
        count(
            "query-in-loop",
            "async function f(db, ids) { for (const id of ids) { await db('users').where('id', id); } }"
        ),
        0
    );
    for src in [
        "const x = require('knex')({}); async function f() { return x('events').where('kind', 'click'); }",
        "async function f() { return db('events').where('kind', 'click'); }",
        "async function f() { return await db('events'); }",
        "async function f() { return db.select('id').from('events').orderBy('id'); }",
    ] {
        assert_eq!(
            count("unbounded-find-many", &format!("{k} {src}")),
            1,
            "{src}"
        );
    }
    for src in [
        "async function f(teamId) { return db('events').where('team_id', teamId); }",
        "async function f(id) { return db('events').where({ id }); }",
        "async function f() { return db('events').where('kind', 'click').limit(50); }",
        "async function f() { return db('events').where('kind', 'click').first(); }",
        "async function f() { return db('events').count('id as n'); }",
        "async function f(ids) { return db('events').whereIn('id', ids); }",
        "async function f() { const q = db('events'); return q.limit(10); }",
        "async function f(d) { const hasTable = await db.schema.hasTable('events'); const domain = await db('domains').where({ id: d }).first(); redis.remove.domain(domain); cache.events('x'); }",
    ] {
        assert_eq!(
            count("unbounded-find-many", &format!("{k} {src}")),
            0,
            "{src}"
        );
    }
    assert_eq!(
        count(
            "oversized-page",
            &format!(
                "{k} async function f() {{ return db('events').where('kind', 'x').limit(5000); }}"
            )
        ),
        1
    );
}

#[test]
fn oversized_pages() {
    for src in [
        "import { Comment } from './models'; import { Op } from 'sequelize'; Comment.findAll({ where: { documentId }, limit: 5000 });",
        "import { sql } from 'drizzle-orm'; async function f(db) { return db.select().from(events).limit(5000); }",
        "import { Client } from '@elastic/elasticsearch'; const es = new Client({}); es.search({ index: 'records', body: { size: 5000, query: {} } });",
    ] {
        assert_eq!(count("oversized-page", src), 1, "{src}");
    }
    for src in [
        "import { Client } from '@elastic/elasticsearch'; const es = new Client({}); es.search({ index: 'records', body: { size: 0, aggs: { t: { terms: { size: 10000 } } } } });",
        "const fuse = new Fuse(xs); fuse.search({ size: 5000, index: 1 });",
    ] {
        assert_eq!(count("oversized-page", src), 0, "{src}");
    }
}

#[test]
fn typeorm_entity_of_a_request_scoped_get_repository() {
    // Vendure's `connection.getRepository(ctx, Entity)`: the entity is the class-named argument.
    let found = lint_rule(
        "unbounded-find-many",
        "import { Repository } from 'typeorm'; class S { async all(ctx) { return this.connection.getRepository(ctx, PaymentMethod).find({ where: { enabled: true } }); } }",
        None,
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].message.contains("`PaymentMethod`"),
        "{}",
        found[0].message
    );
}

#[test]
fn typeorm_builders_and_local_repositories() {
    // An aliased builder is judged (the alias is no options object), and names the
    // repository's entity.
    let aliased = "import { Repository } from 'typeorm'; class J { constructor(private readonly repo: Repository<Job>) {} pending() { return this.repo.createQueryBuilder('job').where('job.status = :s', { s }).getMany(); } }";
    let found = lint_rule("unbounded-find-many", aliased, None);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].message.contains("`Job`"), "{}", found[0].message);
    // A builder narrowed by a key is not reported.
    assert_eq!(
        count(
            "unbounded-find-many",
            &aliased.replace("'job.status = :s', { s }", "'job.id = :id', { id }")
        ),
        0
    );
    // `const repo = getRepository(Entity)` names the entity.
    let local = "import { getRepository } from 'typeorm'; export async function f() { const requests = getRepository(MediaRequest); return (await requests.find({ where: { status: 1 } })).length; }";
    let found = lint_rule("unbounded-find-many", local, None);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].message.contains("`MediaRequest`"),
        "{}",
        found[0].message
    );
}
