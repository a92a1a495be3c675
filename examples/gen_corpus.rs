//! Deterministic synthetic TypeScript/JavaScript monorepo for the speed
//! benchmark (`bench/run.sh`).
//!
//! ```text
//! cargo run --release --example gen_corpus -- OUT_DIR [N_FILES=6000] [SEED]
//! ```
//!
//! Writes `N_FILES` source files (`.ts`, `.tsx`, `.js`, `.jsx`, `.mjs`,
//! `.cjs`, `.mts`, `.cts`) laid out like a Next.js + Express + Prisma
//! monorepo: `apps/*` and `packages/*` workspaces holding React components,
//! App Router pages and route handlers, tRPC routers, Prisma services,
//! Express routes, middleware, queue jobs, hooks, utilities, schemas, tests,
//! configs and scripts. Sizes follow a per-kind log-normal distribution
//! clamped to 0.5-40 KB. Roughly 7% of the files contain an N+1 query (a
//! Prisma call awaited inside a `for`/`for...of` loop or a `.map`/`.forEach`
//! callback); a few percent contain a memory-retention pattern (unbounded
//! module-level caches, listeners or intervals never released). Many more
//! contain near-misses: batched queries next to loops, loops that await
//! `fetch` or the filesystem, effects that clean up after themselves.
//!
//! On top of the `N_FILES` counted sources it writes files both tools must
//! skip (`node_modules/`, `.next/`, `dist/`, `coverage/`, hidden dirs,
//! `.d.ts`, a gitignored `generated/` dir) and non-source files (JSON, CSS,
//! Markdown, Prisma schema). `MANIFEST.tsv` at the root lists every counted
//! file with its kind, size and the patterns planted in it.
//!
//! Same arguments, same bytes: only a xorshift PRNG seeded from `SEED` is
//! used, and no hash-map iteration order leaks into the output.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const DEFAULT_FILES: usize = 6000;
const DEFAULT_SEED: u64 = 0x1EA4_C0DE_2024_0001;
const MIN_SIZE: f64 = 500.0;
const MAX_SIZE: f64 = 40.0 * 1024.0;

// ---------------------------------------------------------------------------
// PRNG
// ---------------------------------------------------------------------------

/// xorshift64* — tiny, fast, and good enough for picking templates.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // splitmix64 the seed so that 0 and small seeds are fine.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Rng(if z == 0 { 0x2545_F491_4F6C_DD1D } else { z })
    }

    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1).
    fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0);
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    /// Standard normal (Box-Muller).
    fn normal(&mut self) -> f64 {
        let u1 = self.f64().max(1e-12);
        let u2 = self.f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    fn weighted<T: Copy>(&mut self, xs: &[(T, u32)]) -> T {
        let total: u32 = xs.iter().map(|x| x.1).sum();
        let mut r = self.below(total as usize) as u32;
        for &(v, w) in xs {
            if r < w {
                return v;
            }
            r -= w;
        }
        xs[xs.len() - 1].0
    }
}

// ---------------------------------------------------------------------------
// Domain vocabulary
// ---------------------------------------------------------------------------

struct Model {
    /// camelCase singular, as used on the Prisma client (`prisma.orderItem`).
    name: &'static str,
    plural: &'static str,
    parent: Option<&'static str>,
    /// Main human-readable string field.
    text: &'static str,
    /// A numeric field.
    num: &'static str,
    statuses: &'static [&'static str],
}

const MODELS: &[Model] = &[
    Model {
        name: "user",
        plural: "users",
        parent: None,
        text: "email",
        num: "loginCount",
        statuses: &["active", "invited", "disabled"],
    },
    Model {
        name: "team",
        plural: "teams",
        parent: None,
        text: "name",
        num: "seatCount",
        statuses: &["trial", "active", "churned"],
    },
    Model {
        name: "membership",
        plural: "memberships",
        parent: Some("team"),
        text: "role",
        num: "weight",
        statuses: &["pending", "active", "revoked"],
    },
    Model {
        name: "workspace",
        plural: "workspaces",
        parent: None,
        text: "slug",
        num: "storageUsed",
        statuses: &["active", "archived"],
    },
    Model {
        name: "project",
        plural: "projects",
        parent: Some("workspace"),
        text: "name",
        num: "budget",
        statuses: &["planned", "active", "done", "archived"],
    },
    Model {
        name: "task",
        plural: "tasks",
        parent: Some("project"),
        text: "title",
        num: "estimate",
        statuses: &["todo", "in_progress", "blocked", "done"],
    },
    Model {
        name: "post",
        plural: "posts",
        parent: Some("user"),
        text: "title",
        num: "viewCount",
        statuses: &["draft", "published", "archived"],
    },
    Model {
        name: "comment",
        plural: "comments",
        parent: Some("post"),
        text: "body",
        num: "likes",
        statuses: &["visible", "hidden", "flagged"],
    },
    Model {
        name: "customer",
        plural: "customers",
        parent: None,
        text: "email",
        num: "lifetimeValue",
        statuses: &["lead", "active", "churned"],
    },
    Model {
        name: "order",
        plural: "orders",
        parent: Some("customer"),
        text: "reference",
        num: "total",
        statuses: &["pending", "paid", "shipped", "refunded", "cancelled"],
    },
    Model {
        name: "orderItem",
        plural: "orderItems",
        parent: Some("order"),
        text: "sku",
        num: "quantity",
        statuses: &["reserved", "fulfilled", "returned"],
    },
    Model {
        name: "category",
        plural: "categories",
        parent: None,
        text: "slug",
        num: "position",
        statuses: &["visible", "hidden"],
    },
    Model {
        name: "product",
        plural: "products",
        parent: Some("category"),
        text: "name",
        num: "price",
        statuses: &["draft", "active", "discontinued"],
    },
    Model {
        name: "review",
        plural: "reviews",
        parent: Some("product"),
        text: "body",
        num: "rating",
        statuses: &["pending", "approved", "rejected"],
    },
    Model {
        name: "invoice",
        plural: "invoices",
        parent: Some("customer"),
        text: "number",
        num: "amountDue",
        statuses: &["draft", "open", "paid", "void"],
    },
    Model {
        name: "payment",
        plural: "payments",
        parent: Some("invoice"),
        text: "provider",
        num: "amount",
        statuses: &["pending", "succeeded", "failed"],
    },
    Model {
        name: "subscription",
        plural: "subscriptions",
        parent: Some("customer"),
        text: "plan",
        num: "quantity",
        statuses: &["trialing", "active", "past_due", "canceled"],
    },
    Model {
        name: "notification",
        plural: "notifications",
        parent: Some("user"),
        text: "kind",
        num: "priority",
        statuses: &["unread", "read", "dismissed"],
    },
    Model {
        name: "session",
        plural: "sessions",
        parent: Some("user"),
        text: "userAgent",
        num: "ttl",
        statuses: &["active", "expired", "revoked"],
    },
    Model {
        name: "channel",
        plural: "channels",
        parent: Some("workspace"),
        text: "name",
        num: "memberCount",
        statuses: &["open", "archived"],
    },
    Model {
        name: "message",
        plural: "messages",
        parent: Some("channel"),
        text: "body",
        num: "reactionCount",
        statuses: &["sent", "edited", "deleted"],
    },
    Model {
        name: "auditLog",
        plural: "auditLogs",
        parent: Some("workspace"),
        text: "action",
        num: "severity",
        statuses: &["recorded", "exported"],
    },
    Model {
        name: "webhook",
        plural: "webhooks",
        parent: Some("workspace"),
        text: "url",
        num: "failureCount",
        statuses: &["enabled", "disabled"],
    },
    Model {
        name: "shipment",
        plural: "shipments",
        parent: Some("order"),
        text: "trackingNumber",
        num: "weight",
        statuses: &["label_created", "in_transit", "delivered"],
    },
    Model {
        name: "address",
        plural: "addresses",
        parent: Some("customer"),
        text: "city",
        num: "version",
        statuses: &["current", "previous"],
    },
    Model {
        name: "apiKey",
        plural: "apiKeys",
        parent: Some("team"),
        text: "prefix",
        num: "usageCount",
        statuses: &["active", "revoked"],
    },
    Model {
        name: "attachment",
        plural: "attachments",
        parent: Some("task"),
        text: "fileName",
        num: "size",
        statuses: &["uploading", "ready", "failed"],
    },
    Model {
        name: "invite",
        plural: "invites",
        parent: Some("team"),
        text: "email",
        num: "resendCount",
        statuses: &["sent", "accepted", "expired"],
    },
];

fn model(name: &str) -> &'static Model {
    MODELS
        .iter()
        .find(|m| m.name == name)
        .expect("unknown model")
}

/// (parent, child) pairs derived from `MODELS`.
fn relations() -> Vec<(&'static Model, &'static Model)> {
    MODELS
        .iter()
        .filter_map(|c| c.parent.map(|p| (model(p), c)))
        .collect()
}

const FEATURES: &[&str] = &[
    "billing",
    "dashboard",
    "settings",
    "onboarding",
    "admin",
    "analytics",
    "inbox",
    "catalog",
    "checkout",
    "auth",
    "reports",
    "team",
    "projects",
    "notifications",
    "search",
    "profile",
    "integrations",
    "support",
    "marketing",
    "inventory",
    "orders",
    "calendar",
    "files",
    "chat",
];

const UI_NOUNS: &[&str] = &[
    "Table",
    "List",
    "Card",
    "Panel",
    "Dialog",
    "Form",
    "Header",
    "Sidebar",
    "Badge",
    "Menu",
    "Drawer",
    "Grid",
    "Row",
    "Summary",
    "Chart",
    "Toolbar",
    "Filters",
    "Tabs",
    "Banner",
    "Picker",
    "Preview",
    "Timeline",
    "Stats",
    "EmptyState",
    "Skeleton",
    "Avatar",
    "Modal",
];

const UTIL_NAMES: &[&str] = &[
    "format",
    "dates",
    "currency",
    "strings",
    "arrays",
    "objects",
    "retry",
    "debounce",
    "slug",
    "validation",
    "errors",
    "logger",
    "env",
    "http",
    "url",
    "colors",
    "csv",
    "pagination",
    "permissions",
    "feature-flags",
    "analytics",
    "storage",
    "crypto",
    "time",
    "numbers",
    "queue",
    "rate-limit",
    "cache",
    "i18n",
    "markdown",
    "sanitize",
    "diff",
    "tree",
    "sort",
];

const SUFFIXES: &[&str] = &[
    "",
    "",
    "",
    "",
    "",
    "ForAdmin",
    "WithStats",
    "Internal",
    "V2",
    "ForExport",
    "Detailed",
    "ForOwner",
    "Legacy",
    "Scoped",
    "Public",
];

fn pascal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut upper = true;
    for ch in s.chars() {
        if ch == '-' || ch == '_' {
            upper = true;
        } else if upper {
            out.extend(ch.to_uppercase());
            upper = false;
        } else {
            out.push(ch);
        }
    }
    out
}

fn kebab(s: &str) -> String {
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if ch.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------
//
// Placeholders are `$key$` (ASCII letters/digits between two dollars), so
// JS template literals (`${x}`) and currency (`$${x}`) pass through intact.
//
//   m M ms Ms     parent model (camel, Pascal, plural, Pascal plural)
//   c C cs Cs     child model (a relation m -> c via c.$m$Id)
//   db            Prisma client expression (prisma, db, ctx.db, this.prisma, ...)
//   mt mn         text / numeric field of m      ct cn   same for c
//   st st2        status values of m
//   n n2          small integers
//   sfx           function-name suffix           Name    component name
//   area Area     feature name                   key     object-key suffix

struct Vars {
    pairs: Vec<(&'static str, String)>,
}

impl Vars {
    fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }

    fn set(&mut self, key: &'static str, value: String) {
        if let Some(slot) = self.pairs.iter_mut().find(|(k, _)| *k == key) {
            slot.1 = value;
        } else {
            self.pairs.push((key, value));
        }
    }
}

fn fill(tpl: &str, vars: &Vars, out: &mut String) {
    let bytes = tpl.as_bytes();
    let mut i = 0;
    let mut last = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' {
            let start = i + 1;
            let mut j = start;
            while j < bytes.len() && j - start < 12 && bytes[j].is_ascii_alphanumeric() {
                j += 1;
            }
            if j > start && j < bytes.len() && bytes[j] == b'$' {
                if let Some(v) = vars.get(&tpl[start..j]) {
                    out.push_str(&tpl[last..i]);
                    out.push_str(v);
                    i = j + 1;
                    last = i;
                    continue;
                }
            }
        }
        i += 1;
    }
    out.push_str(&tpl[last..]);
}

// --- Prisma services (TS) --------------------------------------------------

const SERVICE_UNITS: &[&str] = &[
    r#"
/**
 * Loads a single $m$ by id, or throws when it does not exist.
 */
export async function get$M$ById$sfx$(id: string, opts: { with$Cs$?: boolean } = {}) {
  const $m$ = await $db$.$m$.findUnique({
    where: { id },
    include: opts.with$Cs$ ? { $cs$: { orderBy: { createdAt: 'desc' }, take: $n$ } } : undefined,
  });
  if (!$m$) {
    throw new NotFoundError(`$M$ ${id} not found`);
  }
  return $m$;
}
"#,
    r#"
export async function list$Ms$$sfx$(params: ListParams<Prisma.$M$WhereInput>) {
  const { page = 1, pageSize = $n$, where = {}, orderBy = { createdAt: 'desc' as const } } = params;
  const [items, total] = await Promise.all([
    $db$.$m$.findMany({
      where: { ...where, deletedAt: null },
      orderBy,
      skip: (page - 1) * pageSize,
      take: pageSize,
    }),
    $db$.$m$.count({ where: { ...where, deletedAt: null } }),
  ]);
  return {
    items,
    total,
    page,
    pageCount: Math.max(1, Math.ceil(total / pageSize)),
  };
}
"#,
    r#"
const create$M$Schema = z.object({
  $mt$: z.string().min(1).max(191),
  $mn$: z.number().int().nonnegative().default(0),
  status: z.enum(['$st$', '$st2$']).default('$st$'),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

export type Create$M$Input = z.infer<typeof create$M$Schema>;

export async function create$M$$sfx$(input: Create$M$Input, actorId: string) {
  const data = create$M$Schema.parse(input);
  const created = await $db$.$m$.create({
    data: {
      ...data,
      createdById: actorId,
    },
  });
  logger.info({ id: created.id, actorId }, '$m$ created');
  return created;
}
"#,
    r#"
export async function update$M$$sfx$(id: string, patch: Partial<Pick<$M$, '$mt$' | '$mn$' | 'status'>>) {
  const existing = await $db$.$m$.findUnique({ where: { id }, select: { id: true, status: true, version: true } });
  if (!existing) {
    throw new NotFoundError('$M$ not found');
  }
  if (existing.status === '$st2$' && patch.status !== undefined && patch.status !== existing.status) {
    throw new ConflictError(`Cannot change status of a $st2$ $m$`);
  }
  return $db$.$m$.update({
    where: { id, version: existing.version },
    data: { ...patch, version: { increment: 1 } },
  });
}
"#,
    r#"
export async function archive$M$$sfx$(id: string, reason?: string) {
  return $db$.$m$.update({
    where: { id },
    data: {
      status: '$st2$',
      deletedAt: new Date(),
      archiveReason: reason ?? null,
    },
    select: { id: true, status: true, deletedAt: true },
  });
}
"#,
    r#"
export async function transfer$Cs$$sfx$(fromId: string, toId: string) {
  return $db$.$transaction(async (tx) => {
    const [from, to] = await Promise.all([
      tx.$m$.findUniqueOrThrow({ where: { id: fromId } }),
      tx.$m$.findUniqueOrThrow({ where: { id: toId } }),
    ]);
    if (from.status !== to.status) {
      throw new ConflictError('Both $ms$ must share a status');
    }
    const moved = await tx.$c$.updateMany({
      where: { $m$Id: from.id },
      data: { $m$Id: to.id },
    });
    await tx.auditLog.create({
      data: { action: '$m$.transfer', metadata: { fromId, toId, count: moved.count } },
    });
    return moved.count;
  });
}
"#,
    r#"
export async function $m$Stats$sfx$(since: Date) {
  const grouped = await $db$.$m$.groupBy({
    by: ['status'],
    where: { createdAt: { gte: since } },
    _count: { _all: true },
    _sum: { $mn$: true },
  });
  const byStatus: Record<string, { count: number; $mn$: number }> = {};
  for (const row of grouped) {
    byStatus[row.status] = {
      count: row._count._all,
      $mn$: Number(row._sum.$mn$ ?? 0),
    };
  }
  return byStatus;
}
"#,
    r#"
/**
 * Loads $ms$ together with their $cs$ using two queries instead of one per
 * $m$.
 */
export async function list$Ms$With$Cs$$sfx$(where: Prisma.$M$WhereInput = {}) {
  const $ms$ = await $db$.$m$.findMany({ where, take: $n2$ });
  const ids = $ms$.map(($m$) => $m$.id);
  const $cs$ = await $db$.$c$.findMany({ where: { $m$Id: { in: ids } } });
  const by$M$ = new Map<string, typeof $cs$>();
  for (const $c$ of $cs$) {
    const bucket = by$M$.get($c$.$m$Id) ?? [];
    bucket.push($c$);
    by$M$.set($c$.$m$Id, bucket);
  }
  return $ms$.map(($m$) => ({ ...$m$, $cs$: by$M$.get($m$.id) ?? [] }));
}
"#,
    r#"
export async function upsert$M$$sfx$(externalId: string, payload: { $mt$: string; $mn$?: number }) {
  return $db$.$m$.upsert({
    where: { externalId },
    create: { externalId, $mt$: payload.$mt$, $mn$: payload.$mn$ ?? 0, status: '$st$' },
    update: { $mt$: payload.$mt$, ...(payload.$mn$ !== undefined ? { $mn$: payload.$mn$ } : {}) },
  });
}
"#,
    r#"
export function summarize$Ms$$sfx$(rows: Array<Pick<$M$, 'status' | '$mn$' | 'createdAt'>>) {
  let total = 0;
  let newest: Date | null = null;
  const counts = new Map<string, number>();
  for (const row of rows) {
    total += Number(row.$mn$ ?? 0);
    counts.set(row.status, (counts.get(row.status) ?? 0) + 1);
    if (!newest || row.createdAt > newest) {
      newest = row.createdAt;
    }
  }
  return {
    total,
    average: rows.length ? total / rows.length : 0,
    newest,
    counts: Object.fromEntries(counts),
  };
}
"#,
    r#"
export async function search$Ms$$sfx$(term: string, limit = $n$) {
  const q = term.trim();
  if (q.length < 2) return [];
  return $db$.$m$.findMany({
    where: {
      OR: [
        { $mt$: { contains: q, mode: 'insensitive' } },
        { id: q },
      ],
      status: { not: '$st2$' },
    },
    select: { id: true, $mt$: true, status: true, updatedAt: true },
    orderBy: { updatedAt: 'desc' },
    take: limit,
  });
}
"#,
    r#"
export async function delete$Cs$For$M$$sfx$($m$Id: string) {
  const { count } = await $db$.$c$.deleteMany({ where: { $m$Id } });
  if (count > 0) {
    await $db$.$m$.update({ where: { id: $m$Id }, data: { $cs$UpdatedAt: new Date() } });
  }
  return count;
}
"#,
    r#"
export async function bulkSet$M$Status$sfx$(ids: string[], status: '$st$' | '$st2$') {
  if (ids.length === 0) return { count: 0 };
  const chunks = chunk(ids, 500);
  let count = 0;
  for (const ids of chunks) {
    const res = await $db$.$m$.updateMany({ where: { id: { in: ids } }, data: { status } });
    count += res.count;
  }
  return { count };
}
"#,
];

/// Units with an N+1 query. `$db$` is the client expression.
const N1_UNITS: &[&str] = &[
    r#"
export async function list$Ms$With$Cs$Slow$sfx$(where: Prisma.$M$WhereInput = {}) {
  const $ms$ = await $db$.$m$.findMany({ where, orderBy: { createdAt: 'desc' } });
  const result = [];
  for (const $m$ of $ms$) {
    const $cs$ = await $db$.$c$.findMany({ where: { $m$Id: $m$.id } });
    result.push({ ...$m$, $cs$ });
  }
  return result;
}
"#,
    r#"
export async function with$C$Counts$sfx$($ms$: Array<{ id: string }>) {
  return Promise.all(
    $ms$.map(async ($m$) => {
      const count = await $db$.$c$.count({ where: { $m$Id: $m$.id } });
      return { ...$m$, $c$Count: count };
    }),
  );
}
"#,
    r#"
export async function resolve$M$For$Cs$$sfx$($cs$: Array<{ id: string; $m$Id: string }>) {
  const out: Array<{ id: string; $m$: $M$ | null }> = [];
  for (const $c$ of $cs$) {
    const $m$ = await $db$.$m$.findUnique({ where: { id: $c$.$m$Id } });
    out.push({ id: $c$.id, $m$ });
  }
  return out;
}
"#,
    r#"
export async function reorder$Cs$$sfx$(items: Array<{ id: string; position: number }>) {
  items.forEach(async (item) => {
    await $db$.$c$.update({ where: { id: item.id }, data: { position: item.position } });
  });
}
"#,
    r#"
export async function load$Ms$ByIds$sfx$(ids: string[]) {
  const rows: $M$[] = [];
  for (let i = 0; i < ids.length; i++) {
    const row = await $db$.$m$.findUnique({ where: { id: ids[i] } });
    if (row) {
      rows.push(row);
    }
  }
  return rows;
}
"#,
    r#"
export async function import$Cs$$sfx$($m$Id: string, rows: Array<{ $ct$: string; $cn$?: number }>) {
  let created = 0;
  for (const row of rows) {
    await $db$.$c$.create({
      data: { $m$Id, $ct$: row.$ct$, $cn$: row.$cn$ ?? 0 },
    });
    created += 1;
  }
  return created;
}
"#,
    r#"
export async function latest$C$Per$M$$sfx$($m$Ids: string[]) {
  const latest = await Promise.all(
    $m$Ids.map(($m$Id) =>
      $db$.$c$.findFirst({
        where: { $m$Id },
        orderBy: { createdAt: 'desc' },
      }),
    ),
  );
  return latest.filter(Boolean);
}
"#,
];

// --- tRPC routers ----------------------------------------------------------

const TRPC_UNITS: &[&str] = &[
    r#"
  list$key$: protectedProcedure
    .input(z.object({ cursor: z.string().nullish(), limit: z.number().min(1).max(100).default($n$) }))
    .query(async ({ ctx, input }) => {
      const items = await $db$.$m$.findMany({
        where: { workspaceId: ctx.session.workspaceId },
        take: input.limit + 1,
        cursor: input.cursor ? { id: input.cursor } : undefined,
        orderBy: { createdAt: 'desc' },
      });
      let nextCursor: string | undefined;
      if (items.length > input.limit) {
        nextCursor = items.pop()?.id;
      }
      return { items, nextCursor };
    }),
"#,
    r#"
  byId$key$: protectedProcedure.input(z.object({ id: z.string().cuid() })).query(async ({ ctx, input }) => {
    const $m$ = await $db$.$m$.findFirst({
      where: { id: input.id, workspaceId: ctx.session.workspaceId },
      include: { $cs$: { take: $n$, orderBy: { createdAt: 'desc' } } },
    });
    if (!$m$) {
      throw new TRPCError({ code: 'NOT_FOUND', message: '$M$ not found' });
    }
    return $m$;
  }),
"#,
    r#"
  create$key$: protectedProcedure
    .input(
      z.object({
        $mt$: z.string().min(1),
        $mn$: z.number().optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      return $db$.$m$.create({
        data: {
          ...input,
          status: '$st$',
          createdBy: { connect: { id: ctx.session.user.id } },
        },
      });
    }),
"#,
    r#"
  update$key$: protectedProcedure
    .input(z.object({ id: z.string(), $mt$: z.string().optional(), status: z.enum(['$st$', '$st2$']).optional() }))
    .mutation(async ({ ctx, input }) => {
      const { id, ...data } = input;
      await assertCanEdit(ctx.session, '$m$', id);
      return $db$.$m$.update({ where: { id }, data });
    }),
"#,
    r#"
  remove$key$: adminProcedure.input(z.object({ id: z.string() })).mutation(async ({ ctx, input }) => {
    await $db$.$transaction([
      $db$.$c$.deleteMany({ where: { $m$Id: input.id } }),
      $db$.$m$.delete({ where: { id: input.id } }),
    ]);
    return { ok: true as const };
  }),
"#,
    r#"
  stats$key$: protectedProcedure.query(async ({ ctx }) => {
    const rows = await $db$.$m$.groupBy({
      by: ['status'],
      where: { workspaceId: ctx.session.workspaceId },
      _count: true,
    });
    return rows.reduce<Record<string, number>>((acc, row) => {
      acc[row.status] = row._count;
      return acc;
    }, {});
  }),
"#,
];

const TRPC_N1_UNITS: &[&str] = &[
    r#"
  with$Cs$$key$: protectedProcedure.query(async ({ ctx }) => {
    const $ms$ = await $db$.$m$.findMany({ where: { workspaceId: ctx.session.workspaceId } });
    const rows = [];
    for (const $m$ of $ms$) {
      const $cs$ = await $db$.$c$.findMany({ where: { $m$Id: $m$.id }, take: $n$ });
      rows.push({ ...$m$, $cs$ });
    }
    return rows;
  }),
"#,
    r#"
  summaries$key$: protectedProcedure.input(z.object({ ids: z.array(z.string()).max(200) })).query(({ ctx, input }) =>
    Promise.all(
      input.ids.map(async (id) => {
        const [$m$, $cs$] = await Promise.all([
          $db$.$m$.findUnique({ where: { id } }),
          $db$.$c$.count({ where: { $m$Id: id } }),
        ]);
        return { id, $mt$: $m$?.$mt$ ?? null, $cs$ };
      }),
    ),
  ),
"#,
];

// --- Express (TS) ----------------------------------------------------------

const EXPRESS_UNITS: &[&str] = &[
    r#"
router.get('/$ms$', requireAuth, async (req: Request, res: Response, next: NextFunction) => {
  try {
    const page = Number(req.query.page ?? 1);
    const pageSize = Math.min(Number(req.query.pageSize ?? $n$), 100);
    const where: Prisma.$M$WhereInput = req.query.status ? { status: String(req.query.status) } : {};
    const [items, total] = await Promise.all([
      $db$.$m$.findMany({ where, skip: (page - 1) * pageSize, take: pageSize, orderBy: { createdAt: 'desc' } }),
      $db$.$m$.count({ where }),
    ]);
    res.json({ items, total, page, pageSize });
  } catch (err) {
    next(err);
  }
});
"#,
    r#"
router.get('/$ms$/:id', requireAuth, async (req: Request<{ id: string }>, res: Response, next: NextFunction) => {
  try {
    const $m$ = await $db$.$m$.findUnique({
      where: { id: req.params.id },
      include: { $cs$: true },
    });
    if (!$m$) {
      return res.status(404).json({ error: '$M$ not found' });
    }
    return res.json($m$);
  } catch (err) {
    return next(err);
  }
});
"#,
    r#"
router.post('/$ms$', requireAuth, validate(create$M$Body), async (req: Request, res: Response, next: NextFunction) => {
  try {
    const body = req.body as Create$M$Body;
    const created = await $db$.$m$.create({
      data: { ...body, status: '$st$', ownerId: req.user!.id },
    });
    res.status(201).location(`/$ms$/${created.id}`).json(created);
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
      res.status(409).json({ error: 'A $m$ with this $mt$ already exists' });
      return;
    }
    next(err);
  }
});
"#,
    r#"
router.patch('/$ms$/:id', requireAuth, async (req: Request<{ id: string }>, res: Response, next: NextFunction) => {
  try {
    const allowed = ['$mt$', '$mn$', 'status'] as const;
    const data: Record<string, unknown> = {};
    for (const key of allowed) {
      if (key in req.body) {
        data[key] = req.body[key];
      }
    }
    const updated = await $db$.$m$.update({ where: { id: req.params.id }, data });
    res.json(updated);
  } catch (err) {
    next(err);
  }
});
"#,
    r#"
router.delete('/$ms$/:id', requireAuth, requireRole('admin'), async (req: Request<{ id: string }>, res: Response) => {
  await $db$.$m$.update({ where: { id: req.params.id }, data: { deletedAt: new Date(), status: '$st2$' } });
  res.status(204).end();
});
"#,
    r#"
router.get('/$ms$/:id/$cs$', requireAuth, async (req: Request<{ id: string }>, res: Response, next: NextFunction) => {
  try {
    const $cs$ = await $db$.$c$.findMany({
      where: { $m$Id: req.params.id },
      orderBy: { createdAt: 'asc' },
      take: $n2$,
    });
    res.json({ data: $cs$.map(serialize$C$) });
  } catch (err) {
    next(err);
  }
});

function serialize$C$($c$: $C$) {
  return {
    id: $c$.id,
    $ct$: $c$.$ct$,
    createdAt: $c$.createdAt.toISOString(),
  };
}
"#,
];

const EXPRESS_N1_UNITS: &[&str] = &[
    r#"
router.get('/$ms$/export', requireAuth, async (req: Request, res: Response, next: NextFunction) => {
  try {
    const $ms$ = await $db$.$m$.findMany({ where: { status: '$st$' } });
    const rows: string[] = ['id,$mt$,$cs$'];
    for (const $m$ of $ms$) {
      const count = await $db$.$c$.count({ where: { $m$Id: $m$.id } });
      rows.push([$m$.id, JSON.stringify($m$.$mt$), count].join(','));
    }
    res.type('text/csv').send(rows.join('\n'));
  } catch (err) {
    next(err);
  }
});
"#,
    r#"
router.post('/$ms$/bulk', requireAuth, async (req: Request, res: Response) => {
  const items: Array<{ id: string; status: string }> = req.body.items ?? [];
  const results = await Promise.all(
    items.map(async (item) => {
      const updated = await $db$.$m$.update({ where: { id: item.id }, data: { status: item.status } });
      return { id: updated.id, status: updated.status };
    }),
  );
  res.json({ results });
});
"#,
];

// --- Next.js route handlers ------------------------------------------------

const ROUTE_HANDLERS: &[&str] = &[
    r#"
export async function GET(request: NextRequest) {
  const session = await getServerSession(authOptions);
  if (!session) {
    return NextResponse.json({ error: 'Unauthorized' }, { status: 401 });
  }
  const { searchParams } = new URL(request.url);
  const take = Math.min(Number(searchParams.get('take') ?? $n$), 100);
  const $ms$ = await $db$.$m$.findMany({
    where: { ownerId: session.user.id },
    orderBy: { updatedAt: 'desc' },
    take,
  });
  return NextResponse.json({ data: $ms$ });
}
"#,
    r#"
export async function POST(request: NextRequest) {
  const session = await getServerSession(authOptions);
  if (!session) {
    return NextResponse.json({ error: 'Unauthorized' }, { status: 401 });
  }
  const json = await request.json();
  const parsed = $m$Input.safeParse(json);
  if (!parsed.success) {
    return NextResponse.json({ error: parsed.error.flatten() }, { status: 422 });
  }
  const created = await $db$.$m$.create({ data: { ...parsed.data, ownerId: session.user.id } });
  revalidatePath('/$ms$');
  return NextResponse.json(created, { status: 201 });
}
"#,
    r#"
export async function PATCH(request: NextRequest, { params }: { params: { id: string } }) {
  const body = (await request.json()) as Partial<{ $mt$: string; status: string }>;
  try {
    const updated = await $db$.$m$.update({ where: { id: params.id }, data: body });
    return NextResponse.json(updated);
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025') {
      return new NextResponse(null, { status: 404 });
    }
    throw error;
  }
}
"#,
    r#"
export async function DELETE(_request: NextRequest, { params }: { params: { id: string } }) {
  await $db$.$m$.delete({ where: { id: params.id } });
  return new NextResponse(null, { status: 204 });
}
"#,
];

// --- React components (TSX) ------------------------------------------------

const COMPONENT_UNITS: &[&str] = &[
    r#"
interface $Name$Props {
  $ms$: $M$Summary[];
  onSelect?: (id: string) => void;
  isLoading?: boolean;
}

export function $Name$({ $ms$, onSelect, isLoading = false }: $Name$Props) {
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<'asc' | 'desc'>('desc');
  const filtered = useMemo(() => {
    const q = query.trim().toLowerCase();
    const rows = q ? $ms$.filter((row) => String(row.$mt$).toLowerCase().includes(q)) : $ms$;
    return [...rows].sort((a, b) => (sort === 'asc' ? 1 : -1) * (a.createdAt.getTime() - b.createdAt.getTime()));
  }, [$ms$, query, sort]);

  if (isLoading) {
    return <Spinner label="Loading $ms$" />;
  }

  return (
    <section className="space-y-4">
      <header className="flex items-center justify-between">
        <h2 className="text-lg font-semibold">$Title$</h2>
        <div className="flex gap-2">
          <input
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder="Search $ms$"
            className="rounded-md border px-2 py-1 text-sm"
          />
          <Button variant="ghost" size="sm" onClick={() => setSort(sort === 'asc' ? 'desc' : 'asc')}>
            {sort === 'asc' ? 'Oldest' : 'Newest'}
          </Button>
        </div>
      </header>
      {filtered.length === 0 ? (
        <EmptyState title="No $ms$ yet" description="Create your first $m$ to get started." />
      ) : (
        <ul className="divide-y rounded-md border">
          {filtered.map((row) => (
            <li key={row.id} className="flex items-center justify-between px-3 py-2 hover:bg-muted/50">
              <button type="button" className="truncate text-left font-medium" onClick={() => onSelect?.(row.id)}>
                {row.$mt$}
              </button>
              <StatusBadge status={row.status} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
"#,
    r#"
type $Name$Props = {
  $m$: $M$;
  compact?: boolean;
  actions?: React.ReactNode;
};

export const $Name$ = ({ $m$, compact, actions }: $Name$Props) => {
  const updated = formatRelative($m$.updatedAt);
  return (
    <Card className={cn('relative', compact && 'p-2')}>
      <CardHeader className="flex flex-row items-start justify-between gap-4">
        <div>
          <CardTitle className="text-base">{$m$.$mt$}</CardTitle>
          <CardDescription>Updated {updated}</CardDescription>
        </div>
        {actions}
      </CardHeader>
      {!compact && (
        <CardContent className="grid grid-cols-2 gap-2 text-sm">
          <dl>
            <dt className="text-muted-foreground">Status</dt>
            <dd>
              <StatusBadge status={$m$.status} />
            </dd>
          </dl>
          <dl>
            <dt className="text-muted-foreground">$MnLabel$</dt>
            <dd className="tabular-nums">{formatNumber($m$.$mn$)}</dd>
          </dl>
        </CardContent>
      )}
    </Card>
  );
};
"#,
    r#"
export function $Name$Form({ defaultValues, onSubmit }: { defaultValues?: Partial<$M$FormValues>; onSubmit: (values: $M$FormValues) => Promise<void> }) {
  const form = useForm<$M$FormValues>({
    resolver: zodResolver($m$FormSchema),
    defaultValues: { $mt$: '', status: '$st$', ...defaultValues },
  });
  const [pending, startTransition] = useTransition();

  const handleSubmit = form.handleSubmit((values) => {
    startTransition(async () => {
      try {
        await onSubmit(values);
        toast.success('$M$ saved');
        form.reset(values);
      } catch (error) {
        toast.error(error instanceof Error ? error.message : 'Something went wrong');
      }
    });
  });

  return (
    <Form {...form}>
      <form onSubmit={handleSubmit} className="space-y-6">
        <FormField
          control={form.control}
          name="$mt$"
          render={({ field }) => (
            <FormItem>
              <FormLabel>$MtLabel$</FormLabel>
              <FormControl>
                <Input autoComplete="off" {...field} />
              </FormControl>
              <FormMessage />
            </FormItem>
          )}
        />
        <FormField
          control={form.control}
          name="status"
          render={({ field }) => (
            <FormItem>
              <FormLabel>Status</FormLabel>
              <Select onValueChange={field.onChange} defaultValue={field.value}>
                <SelectTrigger>
                  <SelectValue placeholder="Pick a status" />
                </SelectTrigger>
                <SelectContent>
                  <SelectItem value="$st$">$st$</SelectItem>
                  <SelectItem value="$st2$">$st2$</SelectItem>
                </SelectContent>
              </Select>
            </FormItem>
          )}
        />
        <Button type="submit" disabled={pending || !form.formState.isDirty}>
          {pending ? <Loader2 className="mr-2 h-4 w-4 animate-spin" /> : null}
          Save
        </Button>
      </form>
    </Form>
  );
}
"#,
    r#"
function $Name$Row({ row, selected, onToggle }: { row: $M$Row; selected: boolean; onToggle: (id: string) => void }) {
  return (
    <tr className={selected ? 'bg-accent' : undefined}>
      <td className="w-8">
        <Checkbox checked={selected} onCheckedChange={() => onToggle(row.id)} aria-label={`Select ${row.$mt$}`} />
      </td>
      <td className="font-medium">{row.$mt$}</td>
      <td>
        <StatusBadge status={row.status} />
      </td>
      <td className="text-right tabular-nums">{formatNumber(row.$mn$)}</td>
    </tr>
  );
}

export default function $Name$({ rows }: { rows: $M$Row[] }) {
  const [selected, setSelected] = useState<Set<string>>(() => new Set());
  const toggle = useCallback((id: string) => {
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(id)) {
        next.delete(id);
      } else {
        next.add(id);
      }
      return next;
    });
  }, []);
  const total = useMemo(() => rows.reduce((sum, r) => sum + (r.$mn$ ?? 0), 0), [rows]);

  return (
    <table className="w-full text-sm">
      <thead>
        <tr>
          <th />
          <th className="text-left">$MtLabel$</th>
          <th className="text-left">Status</th>
          <th className="text-right">$MnLabel$</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <$Name$Row key={row.id} row={row} selected={selected.has(row.id)} onToggle={toggle} />
        ))}
      </tbody>
      <tfoot>
        <tr>
          <td colSpan={3}>{selected.size} selected</td>
          <td className="text-right font-semibold">{formatNumber(total)}</td>
        </tr>
      </tfoot>
    </table>
  );
}
"#,
    r#"
export function use$Name$State(initial: $M$Filter = {}) {
  const [filter, setFilter] = useState<$M$Filter>(initial);
  const debounced = useDebounce(filter, 250);
  const query = api.$m$.list.useInfiniteQuery(
    { limit: $n$, ...debounced },
    { getNextPageParam: (last) => last.nextCursor, staleTime: 30_000 },
  );
  const items = useMemo(() => query.data?.pages.flatMap((p) => p.items) ?? [], [query.data]);
  return { filter, setFilter, items, ...query };
}
"#,
    r#"
export function $Name$Skeleton({ rows = $n$ }: { rows?: number }) {
  return (
    <div className="space-y-2" aria-busy="true">
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="h-9 animate-pulse rounded bg-muted" />
      ))}
    </div>
  );
}
"#,
    r#"
export function $Name$Live({ channel }: { channel: string }) {
  const [events, setEvents] = useState<$M$Event[]>([]);
  useEffect(() => {
    const source = new EventSource(`/api/$ms$/stream?channel=${encodeURIComponent(channel)}`);
    const onMessage = (e: MessageEvent) => {
      setEvents((prev) => [JSON.parse(e.data) as $M$Event, ...prev].slice(0, 50));
    };
    source.addEventListener('message', onMessage);
    return () => {
      source.removeEventListener('message', onMessage);
      source.close();
    };
  }, [channel]);
  return (
    <ol className="space-y-1 text-xs">
      {events.map((event) => (
        <li key={event.id}>
          <span className="font-mono">{event.type}</span> {event.$mt$}
        </li>
      ))}
    </ol>
  );
}
"#,
];

const COMPONENT_LEAK_UNITS: &[&str] = &[
    r#"
export function $Name$Viewport({ children }: { children: React.ReactNode }) {
  const [width, setWidth] = useState(() => (typeof window === 'undefined' ? 0 : window.innerWidth));
  useEffect(() => {
    const onResize = () => setWidth(window.innerWidth);
    window.addEventListener('resize', onResize);
  }, []);
  return <div data-width={width}>{children}</div>;
}
"#,
    r#"
export function $Name$Ticker({ $m$Id }: { $m$Id: string }) {
  const [data, setData] = useState<$M$ | null>(null);
  useEffect(() => {
    setInterval(async () => {
      const res = await fetch(`/api/$ms$/${$m$Id}`);
      setData(await res.json());
    }, 5000);
  }, [$m$Id]);
  return <pre className="text-xs">{JSON.stringify(data, null, 2)}</pre>;
}
"#,
];

// --- Hooks (TS) ------------------------------------------------------------

const HOOK_UNITS: &[&str] = &[
    r#"
export function use$M$$sfx$(id: string | undefined) {
  return api.$m$.byId.useQuery({ id: id ?? '' }, { enabled: Boolean(id), staleTime: 60_000 });
}
"#,
    r#"
export function use$Ms$Mutation$sfx$() {
  const utils = api.useUtils();
  return api.$m$.update.useMutation({
    onMutate: async (input) => {
      await utils.$m$.byId.cancel({ id: input.id });
      const previous = utils.$m$.byId.getData({ id: input.id });
      utils.$m$.byId.setData({ id: input.id }, (old) => (old ? { ...old, ...input } : old));
      return { previous };
    },
    onError: (_err, input, context) => {
      if (context?.previous) {
        utils.$m$.byId.setData({ id: input.id }, context.previous);
      }
    },
    onSettled: () => utils.$m$.list.invalidate(),
  });
}
"#,
    r#"
export function useLocal$M$Draft$sfx$(key: string) {
  const [draft, setDraft] = useState<Partial<$M$> | null>(() => {
    if (typeof window === 'undefined') return null;
    const raw = window.localStorage.getItem(`draft:$m$:${key}`);
    return raw ? (JSON.parse(raw) as Partial<$M$>) : null;
  });
  useEffect(() => {
    if (draft) {
      window.localStorage.setItem(`draft:$m$:${key}`, JSON.stringify(draft));
    } else {
      window.localStorage.removeItem(`draft:$m$:${key}`);
    }
  }, [key, draft]);
  return [draft, setDraft] as const;
}
"#,
    r#"
export function use$Ms$Poll$sfx$(enabled: boolean, intervalMs = $n$_000) {
  const [$ms$, set$Ms$] = useState<$M$[]>([]);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let cancelled = false;
    const tick = async () => {
      try {
        const res = await fetch('/api/$ms$');
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const body = (await res.json()) as { data: $M$[] };
        if (!cancelled) set$Ms$(body.data);
      } catch (e) {
        if (!cancelled) setError(e as Error);
      }
    };
    void tick();
    const timer = setInterval(tick, intervalMs);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [enabled, intervalMs]);
  return { $ms$, error };
}
"#,
    r#"
export function use$M$Selection$sfx$<T extends { id: string }>(items: T[]) {
  const [ids, setIds] = useState<string[]>([]);
  const selected = useMemo(() => items.filter((item) => ids.includes(item.id)), [items, ids]);
  const toggle = useCallback((id: string) => {
    setIds((prev) => (prev.includes(id) ? prev.filter((x) => x !== id) : [...prev, id]));
  }, []);
  const clear = useCallback(() => setIds([]), []);
  return { ids, selected, toggle, clear };
}
"#,
];

// --- Utilities (TS) --------------------------------------------------------

const UTIL_UNITS: &[&str] = &[
    r#"
export function groupBy$sfx$<T, K extends PropertyKey>(items: readonly T[], key: (item: T) => K): Record<K, T[]> {
  const out = {} as Record<K, T[]>;
  for (const item of items) {
    const k = key(item);
    (out[k] ??= []).push(item);
  }
  return out;
}
"#,
    r#"
export function chunk$sfx$<T>(items: readonly T[], size: number): T[][] {
  if (size <= 0) throw new RangeError('size must be positive');
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}
"#,
    r#"
export async function retry$sfx$<T>(fn: () => Promise<T>, { attempts = $n$, baseMs = 200 }: { attempts?: number; baseMs?: number } = {}): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      return await fn();
    } catch (error) {
      lastError = error;
      const delay = baseMs * 2 ** attempt + Math.random() * baseMs;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
  throw lastError;
}
"#,
    r#"
export function slugify$sfx$(input: string): string {
  return input
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
}
"#,
    r#"
const currencyFormatters = new Map<string, Intl.NumberFormat>();

export function formatCurrency$sfx$(amount: number, currency = 'USD', locale = 'en-US'): string {
  const key = `${locale}:${currency}`;
  let fmt = currencyFormatters.get(key);
  if (!fmt) {
    fmt = new Intl.NumberFormat(locale, { style: 'currency', currency });
    currencyFormatters.set(key, fmt);
  }
  return fmt.format(amount / 100);
}
"#,
    r#"
export function debounce$sfx$<A extends unknown[]>(fn: (...args: A) => void, wait = 300) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const debounced = (...args: A) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => fn(...args), wait);
  };
  debounced.cancel = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  return debounced;
}
"#,
    r#"
export async function fetchAll$sfx$<T>(urls: string[], init?: RequestInit): Promise<T[]> {
  const results: T[] = [];
  for (const url of urls) {
    const res = await fetch(url, init);
    if (!res.ok) {
      throw new HttpError(res.status, `GET ${url} failed`);
    }
    results.push((await res.json()) as T);
  }
  return results;
}
"#,
    r#"
export function deepMerge$sfx$<T extends Record<string, unknown>>(target: T, ...sources: Array<Partial<T>>): T {
  const out: Record<string, unknown> = { ...target };
  for (const source of sources) {
    for (const [key, value] of Object.entries(source)) {
      const prev = out[key];
      if (isPlainObject(prev) && isPlainObject(value)) {
        out[key] = deepMerge$sfx$(prev, value);
      } else if (value !== undefined) {
        out[key] = value;
      }
    }
  }
  return out as T;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
"#,
    r#"
export function parseCsv$sfx$(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === delimiter) {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (ch !== '\r') {
      field += ch;
    }
  }
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
"#,
    r#"
export const formatRelative$sfx$ = (date: Date | string | number, now: Date = new Date()): string => {
  const d = date instanceof Date ? date : new Date(date);
  const diff = Math.round((d.getTime() - now.getTime()) / 1000);
  const units: Array<[Intl.RelativeTimeFormatUnit, number]> = [
    ['year', 31_536_000],
    ['month', 2_592_000],
    ['week', 604_800],
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];
  const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  for (const [unit, seconds] of units) {
    if (Math.abs(diff) >= seconds) {
      return rtf.format(Math.round(diff / seconds), unit);
    }
  }
  return rtf.format(diff, 'second');
};
"#,
    r#"
export class LruCache$sfx$<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly max = $n2$) {}

  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): this {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.max) {
      const oldest = this.map.keys().next().value as K;
      this.map.delete(oldest);
    }
    return this;
  }
}
"#,
    r#"
export function assertNever$sfx$(value: never, message = 'Unexpected value'): never {
  throw new Error(`${message}: ${JSON.stringify(value)}`);
}

export function isNonNullable$sfx$<T>(value: T): value is NonNullable<T> {
  return value !== null && value !== undefined;
}
"#,
];

const UTIL_LEAK_UNITS: &[&str] = &[r#"
const memo$sfx$ = new Map<string, unknown>();

export function memoize$sfx$<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  return (...args: A) => {
    const key = JSON.stringify(args);
    if (memo$sfx$.has(key)) {
      return memo$sfx$.get(key) as R;
    }
    const value = fn(...args);
    memo$sfx$.set(key, value);
    return value;
  };
}
"#];

// --- Types / schemas / constants (TS) --------------------------------------

const TYPES_UNITS: &[&str] = &[
    r#"
export interface $M$Summary {
  id: string;
  $mt$: string;
  status: $M$Status;
  $mn$: number;
  createdAt: Date;
  updatedAt: Date;
  owner?: { id: string; name: string | null };
}

export type $M$Status = '$st$' | '$st2$';
"#,
    r#"
export const $m$Schema$sfx$ = z.object({
  id: z.string().cuid(),
  $mt$: z.string().min(1).max(191),
  $mn$: z.coerce.number().int().min(0),
  status: z.enum(['$st$', '$st2$']),
  tags: z.array(z.string().max(32)).max(20).default([]),
  createdAt: z.coerce.date(),
});

export type $M$Input$sfx$ = z.input<typeof $m$Schema$sfx$>;
export type $M$Output$sfx$ = z.output<typeof $m$Schema$sfx$>;
"#,
    r#"
export enum $M$Event$sfx$ {
  Created = '$m$.created',
  Updated = '$m$.updated',
  Deleted = '$m$.deleted',
  StatusChanged = '$m$.status_changed',
}

export type $M$EventPayload$sfx$ =
  | { type: $M$Event$sfx$.Created; $m$: $M$Summary }
  | { type: $M$Event$sfx$.Updated; $m$: $M$Summary; changes: Array<keyof $M$Summary> }
  | { type: $M$Event$sfx$.Deleted; id: string }
  | { type: $M$Event$sfx$.StatusChanged; id: string; from: string; to: string };
"#,
    r#"
export const $AREA$_ROUTES$sfx$ = {
  index: '/$area$',
  detail: (id: string) => `/$area$/${id}`,
  edit: (id: string) => `/$area$/${id}/edit`,
  settings: '/$area$/settings',
} as const;

export const $AREA$_PAGE_SIZE$sfx$ = $n$;
export const $AREA$_FEATURES$sfx$ = ['export', 'bulk-edit', 'audit', 'webhooks'] as const;
export type $Area$Feature$sfx$ = (typeof $AREA$_FEATURES$sfx$)[number];
"#,
    r#"
export type Paginated$sfx$<T> = {
  items: T[];
  nextCursor?: string | null;
  total?: number;
};

export type WithRelations$sfx$<T, R extends Record<string, unknown>> = T & { [K in keyof R]: R[K] };

export type DeepPartial$sfx$<T> = T extends object ? { [K in keyof T]?: DeepPartial$sfx$<T[K]> } : T;
"#,
];

// --- Middleware (TS) -------------------------------------------------------

const MIDDLEWARE_UNITS: &[&str] = &[
    r#"
export function requireRole$sfx$(...roles: Role[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    const user = req.user;
    if (!user) {
      return res.status(401).json({ error: 'Unauthenticated' });
    }
    if (roles.length > 0 && !roles.includes(user.role)) {
      return res.status(403).json({ error: 'Forbidden' });
    }
    return next();
  };
}
"#,
    r#"
export async function authenticate$sfx$(req: Request, res: Response, next: NextFunction) {
  const header = req.headers.authorization ?? '';
  const token = header.startsWith('Bearer ') ? header.slice(7) : req.cookies?.session;
  if (!token) {
    return next();
  }
  try {
    const session = await $db$.session.findUnique({
      where: { token },
      include: { user: { select: { id: true, email: true, role: true } } },
    });
    if (session && session.expiresAt > new Date()) {
      req.user = session.user;
    }
    return next();
  } catch (err) {
    return next(err);
  }
}
"#,
    r#"
export function requestLogger$sfx$(req: Request, res: Response, next: NextFunction) {
  const start = process.hrtime.bigint();
  res.on('finish', () => {
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    logger.info({ method: req.method, url: req.originalUrl, status: res.statusCode, ms }, 'request');
  });
  next();
}
"#,
    r#"
export function errorHandler$sfx$(err: unknown, req: Request, res: Response, _next: NextFunction) {
  if (err instanceof ZodError) {
    return res.status(400).json({ error: 'ValidationError', issues: err.issues });
  }
  if (err instanceof HttpError) {
    return res.status(err.status).json({ error: err.message });
  }
  logger.error({ err, url: req.originalUrl }, 'unhandled error');
  return res.status(500).json({ error: 'Internal Server Error' });
}
"#,
];

const MIDDLEWARE_LEAK_UNITS: &[&str] = &[
    r#"
const hits$sfx$ = new Map<string, number[]>();

export function rateLimit$sfx$({ windowMs = 60_000, max = $n2$ } = {}) {
  return (req: Request, res: Response, next: NextFunction) => {
    const key = req.ip ?? 'unknown';
    const now = Date.now();
    const recent = (hits$sfx$.get(key) ?? []).filter((t) => now - t < windowMs);
    recent.push(now);
    hits$sfx$.set(key, recent);
    if (recent.length > max) {
      res.setHeader('Retry-After', Math.ceil(windowMs / 1000));
      return res.status(429).json({ error: 'Too many requests' });
    }
    return next();
  };
}
"#,
    r#"
export function trackConnections$sfx$(req: Request, res: Response, next: NextFunction) {
  process.on('SIGTERM', () => {
    if (!res.headersSent) {
      res.status(503).end();
    }
  });
  next();
}
"#,
];

// --- Jobs / workers (TS) ---------------------------------------------------

const JOB_UNITS: &[&str] = &[
    r#"
export const $m$Worker$sfx$ = new Worker<$M$JobData>(
  '$ms$',
  async (job) => {
    const $m$ = await $db$.$m$.findUnique({ where: { id: job.data.$m$Id } });
    if (!$m$) {
      logger.warn({ jobId: job.id }, '$m$ vanished before processing');
      return;
    }
    await job.updateProgress(50);
    await $db$.$m$.update({ where: { id: $m$.id }, data: { status: '$st2$', processedAt: new Date() } });
  },
  { connection, concurrency: $n$ },
);
"#,
    r#"
export async function expireStale$Ms$$sfx$(olderThanDays = $n$) {
  const cutoff = new Date(Date.now() - olderThanDays * 86_400_000);
  const { count } = await $db$.$m$.updateMany({
    where: { status: '$st$', updatedAt: { lt: cutoff } },
    data: { status: '$st2$' },
  });
  logger.info({ count, cutoff }, 'expired stale $ms$');
  return count;
}
"#,
    r#"
export async function sweep$Ms$Paginated$sfx$(batchSize = 500) {
  let cursor: string | undefined;
  let processed = 0;
  for (;;) {
    const batch = await $db$.$m$.findMany({
      take: batchSize,
      ...(cursor ? { skip: 1, cursor: { id: cursor } } : {}),
      orderBy: { id: 'asc' },
      select: { id: true, status: true },
    });
    if (batch.length === 0) break;
    processed += batch.length;
    cursor = batch[batch.length - 1].id;
  }
  return processed;
}
"#,
    r#"
cron.schedule('$n$ * * * *', async () => {
  const started = Date.now();
  try {
    const removed = await $db$.session.deleteMany({ where: { expiresAt: { lt: new Date() } } });
    metrics.histogram('job.duration', Date.now() - started, { job: 'purge-sessions' });
    logger.info({ removed: removed.count }, 'purged sessions');
  } catch (err) {
    logger.error({ err }, 'purge sessions failed');
  }
});
"#,
];

const JOB_N1_UNITS: &[&str] = &[
    r#"
export async function sync$Ms$Nightly$sfx$() {
  const pending = await $db$.$m$.findMany({ where: { status: '$st$' }, take: 1000 });
  for (const $m$ of pending) {
    const $cs$ = await $db$.$c$.findMany({ where: { $m$Id: $m$.id } });
    const total = $cs$.reduce((sum, x) => sum + Number(x.$cn$ ?? 0), 0);
    await $db$.$m$.update({ where: { id: $m$.id }, data: { $mn$: total, syncedAt: new Date() } });
  }
}
"#,
    r#"
export async function notifyOwners$sfx$($m$Ids: string[]) {
  await Promise.all(
    $m$Ids.map(async (id) => {
      const owner = await $db$.user.findFirst({ where: { $ms$: { some: { id } } } });
      if (owner) {
        await mailer.send({ to: owner.email, template: '$m$-update', data: { id } });
      }
    }),
  );
}
"#,
];

const JOB_LEAK_UNITS: &[&str] = &[r#"
const seen$Ms$$sfx$: string[] = [];

export function startPoller$sfx$() {
  setInterval(async () => {
    const fresh = await $db$.$m$.findMany({ where: { createdAt: { gt: new Date(Date.now() - 60_000) } }, select: { id: true } });
    for (const row of fresh) {
      seen$Ms$$sfx$.push(row.id);
    }
  }, 10_000);
}
"#];

// --- Tests (TS/TSX) --------------------------------------------------------

const TEST_UNITS: &[&str] = &[
    r#"
  it('returns the $m$ when it exists', async () => {
    prismaMock.$m$.findUnique.mockResolvedValue(build$M$({ id: '$m$_1' }));
    const result = await service.get$M$ById('$m$_1');
    expect(result.id).toBe('$m$_1');
    expect(prismaMock.$m$.findUnique).toHaveBeenCalledWith(expect.objectContaining({ where: { id: '$m$_1' } }));
  });
"#,
    r#"
  it('throws NotFoundError for unknown ids', async () => {
    prismaMock.$m$.findUnique.mockResolvedValue(null);
    await expect(service.get$M$ById('missing')).rejects.toBeInstanceOf(NotFoundError);
  });
"#,
    r#"
  it.each([
    ['$st$', true],
    ['$st2$', false],
  ])('canEdit(%s) === %s', (status, expected) => {
    expect(canEdit(build$M$({ status }))).toBe(expected);
  });
"#,
    r#"
  describe('pagination', () => {
    beforeEach(() => {
      prismaMock.$m$.findMany.mockResolvedValue(Array.from({ length: $n$ }, (_, i) => build$M$({ id: `$m$_${i}` })));
      prismaMock.$m$.count.mockResolvedValue($n2$);
    });

    it('computes the page count', async () => {
      const page = await service.list$Ms$({ page: 1, pageSize: $n$ });
      expect(page.pageCount).toBe(Math.ceil($n2$ / $n$));
      expect(page.items).toHaveLength($n$);
    });
  });
"#,
    r#"
  test('summarizes rows', () => {
    const rows = [build$M$({ $mn$: 3 }), build$M$({ $mn$: 4 }), build$M$({ $mn$: 5, status: '$st2$' })];
    const summary = summarize$Ms$(rows);
    expect(summary.total).toBe(12);
    expect(summary.counts).toMatchObject({ '$st2$': 1 });
  });
"#,
];

const TEST_TSX_UNITS: &[&str] = &[
    r#"
  it('renders an empty state', () => {
    render(<$Name$ $ms$={[]} />);
    expect(screen.getByText(/no $ms$ yet/i)).toBeInTheDocument();
  });
"#,
    r#"
  it('calls onSelect with the row id', async () => {
    const onSelect = vi.fn();
    const user = userEvent.setup();
    render(<$Name$ $ms$={[build$M$({ id: 'a', $mt$: 'Alpha' })]} onSelect={onSelect} />);
    await user.click(screen.getByRole('button', { name: 'Alpha' }));
    expect(onSelect).toHaveBeenCalledWith('a');
  });
"#,
    r#"
  it('filters by the search box', async () => {
    const user = userEvent.setup();
    const rows = [build$M$({ $mt$: 'Alpha' }), build$M$({ $mt$: 'Beta' })];
    render(<$Name$ $ms$={rows} />);
    await user.type(screen.getByPlaceholderText(/search/i), 'bet');
    expect(screen.queryByText('Alpha')).not.toBeInTheDocument();
    expect(screen.getByText('Beta')).toBeVisible();
  });
"#,
];

const TEST_N1_UNITS: &[&str] = &[r#"
  beforeAll(async () => {
    const fixtures = Array.from({ length: $n$ }, (_, i) => ({ $mt$: `fixture-${i}`, status: '$st$' }));
    for (const data of fixtures) {
      await prisma.$m$.create({ data });
    }
  });
"#];

// --- Pages (TSX server components) -----------------------------------------

const PAGE_HELPERS: &[&str] = &[
    r#"
async function get$M$(id: string) {
  const $m$ = await $db$.$m$.findUnique({
    where: { id },
    include: { $cs$: { orderBy: { createdAt: 'desc' }, take: $n$ } },
  });
  if (!$m$) notFound();
  return $m$;
}
"#,
    r#"
export async function generateMetadata({ params }: PageProps): Promise<Metadata> {
  const $m$ = await $db$.$m$.findUnique({ where: { id: params.id }, select: { $mt$: true } });
  return {
    title: $m$ ? `${$m$.$mt$} · $Title$` : '$Title$',
  };
}
"#,
    r#"
function $Name$Header({ title, count }: { title: string; count: number }) {
  return (
    <div className="flex items-end justify-between border-b pb-4">
      <div>
        <h1 className="text-2xl font-bold tracking-tight">{title}</h1>
        <p className="text-sm text-muted-foreground">{count} total</p>
      </div>
      <Link href="/$area$/new" className={buttonVariants({ size: 'sm' })}>
        New $m$
      </Link>
    </div>
  );
}
"#,
];

const PAGE_N1_HELPERS: &[&str] = &[r#"
async function load$Ms$WithOwners() {
  const $ms$ = await $db$.$m$.findMany({ take: $n$, orderBy: { updatedAt: 'desc' } });
  return Promise.all(
    $ms$.map(async ($m$) => ({
      ...$m$,
      owner: await $db$.user.findUnique({ where: { id: $m$.ownerId }, select: { name: true, image: true } }),
    })),
  );
}
"#];

const PAGE_MAIN: &str = r#"
export default async function $Name$Page({ params, searchParams }: PageProps) {
  const session = await auth();
  if (!session) redirect('/login');
  const page = Number(searchParams?.page ?? 1);
  const [$ms$, total] = await Promise.all([
    $db$.$m$.findMany({
      where: { workspaceId: session.workspaceId },
      skip: (page - 1) * $n$,
      take: $n$,
      orderBy: { createdAt: 'desc' },
    }),
    $db$.$m$.count({ where: { workspaceId: session.workspaceId } }),
  ]);

  return (
    <main className="container space-y-6 py-8">
      <PageHeader title="$Title$" count={total} newHref="/$area$/new" />
      <Suspense fallback={<div className="h-40 animate-pulse rounded bg-muted" />}>
        <ul className="grid gap-4 md:grid-cols-2 lg:grid-cols-3">
          {$ms$.map(($m$) => (
            <li key={$m$.id}>
              <Link href={`/$area$/${$m$.id}`} className="block rounded-lg border p-4 hover:shadow-sm">
                <p className="font-medium">{$m$.$mt$}</p>
                <p className="text-xs text-muted-foreground">{$m$.status}</p>
              </Link>
            </li>
          ))}
        </ul>
      </Suspense>
      <Pagination page={page} total={total} pageSize={$n$} />
    </main>
  );
}
"#;

// --- JavaScript (legacy Express, JSX, scripts, configs) --------------------

const LEGACY_JS_UNITS: &[&str] = &[
    r#"
router.get('/$ms$', async (req, res, next) => {
  try {
    const limit = Math.min(parseInt(req.query.limit, 10) || $n$, 100);
    const $ms$ = await prisma.$m$.findMany({ take: limit, orderBy: { createdAt: 'desc' } });
    res.json($ms$);
  } catch (err) {
    next(err);
  }
});
"#,
    r#"
router.get('/$ms$/:id', async (req, res) => {
  const $m$ = await prisma.$m$.findUnique({ where: { id: req.params.id } });
  if (!$m$) return res.status(404).send({ message: 'Not found' });
  res.send($m$);
});
"#,
    r#"
router.post('/$ms$', express.json(), async function (req, res, next) {
  const { $mt$, $mn$ } = req.body || {};
  if (!$mt$) {
    return res.status(400).json({ message: '$mt$ is required' });
  }
  try {
    const created = await prisma.$m$.create({ data: { $mt$, $mn$: Number($mn$) || 0 } });
    res.status(201).json(created);
  } catch (e) {
    next(e);
  }
});
"#,
    r#"
function toDto$sfx$($m$) {
  return {
    id: $m$.id,
    $mt$: $m$.$mt$,
    status: $m$.status,
    createdAt: $m$.createdAt && $m$.createdAt.toISOString(),
  };
}
"#,
];

const LEGACY_JS_N1_UNITS: &[&str] = &[r#"
router.get('/$ms$/with-$cs$', async (req, res, next) => {
  try {
    const $ms$ = await prisma.$m$.findMany();
    for (const $m$ of $ms$) {
      $m$.$cs$ = await prisma.$c$.findMany({ where: { $m$Id: $m$.id } });
    }
    res.json($ms$);
  } catch (err) {
    next(err);
  }
});
"#];

const LEGACY_JS_LEAK_UNITS: &[&str] = &[r#"
const requestLog = [];

router.use((req, res, next) => {
  requestLog.push({ url: req.originalUrl, at: Date.now(), headers: req.headers });
  next();
});
"#];

const JSX_UNITS: &[&str] = &[
    r#"
export function $Name$({ $ms$ = [], onSelect }) {
  const [open, setOpen] = useState(false);
  const visible = open ? $ms$ : $ms$.slice(0, 5);
  return (
    <div className="$area$-list">
      {visible.map(($m$) => (
        <div key={$m$.id} className="$area$-item" onClick={() => onSelect && onSelect($m$.id)}>
          <strong>{$m$.$mt$}</strong>
          <small>{$m$.status}</small>
        </div>
      ))}
      {$ms$.length > 5 && (
        <button type="button" onClick={() => setOpen(!open)}>
          {open ? 'Show less' : `Show all ${$ms$.length}`}
        </button>
      )}
    </div>
  );
}
"#,
    r#"
export default function $Name$Modal({ isOpen, onClose, title, children }) {
  useEffect(() => {
    if (!isOpen) return undefined;
    const onKey = (e) => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [isOpen, onClose]);
  if (!isOpen) return null;
  return (
    <div className="modal-backdrop" role="dialog" aria-modal="true">
      <div className="modal">
        <h3>{title}</h3>
        {children}
        <button onClick={onClose}>Close</button>
      </div>
    </div>
  );
}
"#,
];

const SCRIPT_UNITS: &[&str] = &[
    r#"
async function walk$sfx$(dir) {
  const out = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      out.push(...(await walk$sfx$(full)));
    } else if (/\.(t|j)sx?$/.test(entry.name)) {
      out.push(full);
    }
  }
  return out;
}
"#,
    r#"
async function rewriteImports$sfx$(files) {
  let changed = 0;
  for (const file of files) {
    const src = await fs.readFile(file, 'utf8');
    const next = src.replace(/from ['"]@\/lib\/(\w+)['"]/g, "from '@acme/utils/$1'");
    if (next !== src) {
      await fs.writeFile(file, next);
      changed++;
    }
  }
  console.log(`rewrote ${changed} of ${files.length} files`);
}
"#,
    r#"
function parseArgs$sfx$(argv) {
  const args = { dryRun: false, limit: $n$, only: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dry-run') args.dryRun = true;
    else if (a === '--limit') args.limit = Number(argv[++i]);
    else if (a.startsWith('--only=')) args.only.push(a.slice(7));
  }
  return args;
}
"#,
    r#"
async function backfill$Ms$$sfx$() {
  const total = await prisma.$m$.count({ where: { $mt$: null } });
  console.log(`backfilling ${total} $ms$`);
  const { count } = await prisma.$m$.updateMany({ where: { $mt$: null }, data: { $mt$: 'unknown' } });
  console.log(`updated ${count}`);
}
"#,
];

const SCRIPT_N1_UNITS: &[&str] = &[r#"
async function seed$Ms$$sfx$() {
  const rows = Array.from({ length: $n2$ }, (_, i) => ({ $mt$: `seed-$m$-${i}`, status: '$st$' }));
  for (const data of rows) {
    await prisma.$m$.create({ data });
  }
  console.log(`seeded ${rows.length} $ms$`);
}
"#];

// ---------------------------------------------------------------------------
// File kinds
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Component,
    Page,
    Hook,
    Util,
    Types,
    Service,
    TrpcRouter,
    ExpressRoute,
    RouteHandler,
    Middleware,
    Job,
    Test,
    Script,
    Config,
    LegacyJs,
    Jsx,
}

impl Kind {
    const ALL: [Kind; 16] = [
        Kind::Component,
        Kind::Page,
        Kind::Hook,
        Kind::Util,
        Kind::Types,
        Kind::Service,
        Kind::TrpcRouter,
        Kind::ExpressRoute,
        Kind::RouteHandler,
        Kind::Middleware,
        Kind::Job,
        Kind::Test,
        Kind::Script,
        Kind::Config,
        Kind::LegacyJs,
        Kind::Jsx,
    ];

    /// Relative frequency (per mille) in the corpus.
    fn weight(self) -> u32 {
        match self {
            Kind::Component => 270,
            Kind::Page => 55,
            Kind::Hook => 50,
            Kind::Util => 120,
            Kind::Types => 70,
            Kind::Service => 100,
            Kind::TrpcRouter => 40,
            Kind::ExpressRoute => 50,
            Kind::RouteHandler => 30,
            Kind::Middleware => 20,
            Kind::Job => 20,
            Kind::Test => 100,
            Kind::Script => 20,
            Kind::Config => 15,
            Kind::LegacyJs => 15,
            Kind::Jsx => 25,
        }
    }

    /// Median target size in bytes (log-normal).
    fn median_size(self) -> f64 {
        match self {
            Kind::Component => 3200.0,
            Kind::Page => 3000.0,
            Kind::Hook => 1800.0,
            Kind::Util => 2200.0,
            Kind::Types => 1500.0,
            Kind::Service => 5500.0,
            Kind::TrpcRouter => 6000.0,
            Kind::ExpressRoute => 4500.0,
            Kind::RouteHandler => 2400.0,
            Kind::Middleware => 1600.0,
            Kind::Job => 3200.0,
            Kind::Test => 3800.0,
            Kind::Script => 1800.0,
            Kind::Config => 700.0,
            Kind::LegacyJs => 3500.0,
            Kind::Jsx => 2200.0,
        }
    }

    /// Probability that a file of this kind gets an N+1 unit.
    fn n1_rate(self) -> f64 {
        match self {
            Kind::Service => 0.22,
            Kind::TrpcRouter => 0.25,
            Kind::ExpressRoute => 0.18,
            Kind::RouteHandler => 0.12,
            Kind::Page => 0.08,
            Kind::Job => 0.35,
            Kind::Test => 0.04,
            Kind::Script => 0.2,
            Kind::LegacyJs => 0.25,
            _ => 0.0,
        }
    }

    /// Probability that a file of this kind gets a memory-retention unit.
    fn leak_rate(self) -> f64 {
        match self {
            Kind::Component => 0.03,
            Kind::Util => 0.04,
            Kind::Middleware => 0.2,
            Kind::Job => 0.12,
            Kind::LegacyJs => 0.1,
            _ => 0.0,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Component => "component",
            Kind::Page => "page",
            Kind::Hook => "hook",
            Kind::Util => "util",
            Kind::Types => "types",
            Kind::Service => "service",
            Kind::TrpcRouter => "trpc-router",
            Kind::ExpressRoute => "express-route",
            Kind::RouteHandler => "route-handler",
            Kind::Middleware => "middleware",
            Kind::Job => "job",
            Kind::Test => "test",
            Kind::Script => "script",
            Kind::Config => "config",
            Kind::LegacyJs => "legacy-js",
            Kind::Jsx => "jsx-component",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum WsType {
    Next,
    Express,
    Worker,
    Ui,
    Lib,
    Db,
    Legacy,
}

struct Workspace {
    dir: String,
    ty: WsType,
    /// Import alias for the Prisma client in this workspace.
    db_import: &'static str,
    db_ident: &'static str,
    configs_left: Vec<&'static str>,
}

fn hosts(ty: WsType, kind: Kind) -> bool {
    use Kind::*;
    match ty {
        WsType::Next => matches!(
            kind,
            Component
                | Page
                | Hook
                | Util
                | Types
                | Service
                | TrpcRouter
                | RouteHandler
                | Middleware
                | Test
                | Config
                | Script
        ),
        WsType::Express => matches!(
            kind,
            ExpressRoute | Service | Middleware | Util | Types | Test | Job | Config | Script
        ),
        WsType::Worker => matches!(kind, Job | Service | Util | Types | Test | Config | Script),
        WsType::Ui => matches!(kind, Component | Hook | Util | Types | Test | Config | Jsx),
        WsType::Lib => matches!(kind, Util | Types | Test | Config),
        WsType::Db => matches!(kind, Service | Types | Script | Util | Config | Test),
        WsType::Legacy => matches!(kind, LegacyJs | Jsx | Script | Config),
    }
}

fn make_workspaces(rng: &mut Rng, n_files: usize) -> Vec<Workspace> {
    let count = (n_files / 150).clamp(7, 200);
    let plan: [(WsType, &[&str]); 7] = [
        (
            WsType::Next,
            &[
                "web",
                "admin",
                "dashboard",
                "storefront",
                "portal",
                "console",
                "marketing",
                "partner-hub",
            ],
        ),
        (
            WsType::Express,
            &[
                "api",
                "gateway",
                "billing-api",
                "public-api",
                "webhooks",
                "auth-service",
            ],
        ),
        (WsType::Worker, &["worker", "scheduler", "mailer", "ingest"]),
        (WsType::Ui, &["ui", "design-system", "charts"]),
        (
            WsType::Lib,
            &["utils", "validators", "config", "sdk", "analytics"],
        ),
        (WsType::Db, &["db", "prisma", "data"]),
        (WsType::Legacy, &["legacy-admin", "legacy-api"]),
    ];
    let weights: [u32; 7] = [34, 22, 10, 10, 12, 6, 6];
    let mut out = Vec::new();
    let mut used = HashSet::new();
    for i in 0..count {
        // the first seven cover every type once, the rest are weighted
        let t = if i < plan.len() {
            i
        } else {
            let ws: Vec<(usize, u32)> = weights.iter().copied().enumerate().collect();
            rng.weighted(&ws)
        };
        let (ty, names) = plan[t];
        let base = *rng.pick(names);
        let mut name = base.to_string();
        let mut k = 2;
        while !used.insert(name.clone()) {
            name = format!("{base}-{k}");
            k += 1;
        }
        let parent = match ty {
            WsType::Ui | WsType::Lib | WsType::Db => "packages",
            _ => "apps",
        };
        let (db_import, db_ident) = match ty {
            WsType::Next => *rng.pick(&[
                ("~/server/db", "db"),
                ("@/lib/prisma", "prisma"),
                ("@acme/db", "prisma"),
            ]),
            WsType::Legacy => ("../db", "prisma"),
            _ => *rng.pick(&[
                ("../lib/prisma", "prisma"),
                ("@acme/db", "prisma"),
                ("../db/client", "db"),
            ]),
        };
        let configs: &[&str] = match ty {
            WsType::Next => &[
                "next.config.mjs",
                "tailwind.config.ts",
                "postcss.config.cjs",
                "vitest.config.ts",
                "playwright.config.ts",
                "eslint.config.mjs",
            ],
            WsType::Express | WsType::Worker => &[
                "vitest.config.ts",
                "tsup.config.ts",
                "eslint.config.js",
                "jest.config.cjs",
            ],
            WsType::Ui => &[
                "tailwind.config.js",
                "tsup.config.ts",
                "vitest.config.mts",
                "postcss.config.js",
            ],
            WsType::Lib | WsType::Db => {
                &["tsup.config.ts", "vitest.config.ts", "eslint.config.mjs"]
            }
            WsType::Legacy => &[
                "webpack.config.js",
                "babel.config.js",
                "jest.config.js",
                "gulpfile.js",
            ],
        };
        out.push(Workspace {
            dir: format!("{parent}/{name}"),
            ty,
            db_import,
            db_ident,
            configs_left: configs.to_vec(),
        });
    }
    out
}

// ---------------------------------------------------------------------------
// File generation
// ---------------------------------------------------------------------------

struct FileSpec {
    kind: Kind,
    ws: usize,
    path: String,
    primary: &'static Model,
    area: &'static str,
    target: usize,
    n1: bool,
    leak: bool,
}

struct Planned {
    path: String,
    kind: Kind,
    n_plus_one: bool,
    leak: bool,
}

struct Gen<'a> {
    rng: Rng,
    relations: Vec<(&'static Model, &'static Model)>,
    used_paths: HashSet<String>,
    workspaces: &'a mut Vec<Workspace>,
}

fn title_case(s: &str) -> String {
    let mut out = String::new();
    for (i, word) in kebab(&pascal(s)).split('-').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&pascal(word));
    }
    out
}

impl Gen<'_> {
    fn pick_relation(&mut self, primary: &'static Model) -> (&'static Model, &'static Model) {
        if self.rng.chance(0.75) {
            let own: Vec<_> = self
                .relations
                .iter()
                .copied()
                .filter(|(p, c)| p.name == primary.name || c.name == primary.name)
                .collect();
            if !own.is_empty() {
                return *self.rng.pick(&own);
            }
        }
        *self.rng.pick(&self.relations)
    }

    fn vars(&mut self, primary: &'static Model, db: &str, area: &str) -> Vars {
        let (m, c) = self.pick_relation(primary);
        let st = *self.rng.pick(m.statuses);
        let mut st2 = *self.rng.pick(m.statuses);
        if st2 == st {
            st2 = m.statuses
                [(m.statuses.iter().position(|s| *s == st).unwrap_or(0) + 1) % m.statuses.len()];
        }
        let name = format!("{}{}", pascal(m.name), self.rng.pick(UI_NOUNS));
        let sfx = self.rng.pick(SUFFIXES).to_string();
        let key = self
            .rng
            .pick(&["", "", "", "All", "Mine", "Recent", "ForTeam", "Admin"])
            .to_string();
        let n = self.rng.range(5, 50);
        let n2 = self.rng.range(50, 1000);
        let mut v = Vars {
            pairs: Vec::with_capacity(32),
        };
        v.set("m", m.name.to_string());
        v.set("M", pascal(m.name));
        v.set("ms", m.plural.to_string());
        v.set("Ms", pascal(m.plural));
        v.set("c", c.name.to_string());
        v.set("C", pascal(c.name));
        v.set("cs", c.plural.to_string());
        v.set("Cs", pascal(c.plural));
        v.set("db", db.to_string());
        v.set("mt", m.text.to_string());
        v.set("mn", m.num.to_string());
        v.set("ct", c.text.to_string());
        v.set("cn", c.num.to_string());
        v.set("MtLabel", title_case(m.text));
        v.set("MnLabel", title_case(m.num));
        v.set("st", st.to_string());
        v.set("st2", st2.to_string());
        v.set("n", n.to_string());
        v.set("n2", n2.to_string());
        v.set("sfx", sfx);
        v.set("key", key);
        v.set("Name", name);
        v.set("Title", title_case(m.plural));
        v.set("area", area.to_string());
        v.set("Area", pascal(area));
        v.set("AREA", area.to_uppercase().replace('-', "_"));
        v
    }

    fn unique_path(&mut self, mut candidate: impl FnMut(&mut Rng) -> String) -> String {
        for _ in 0..6 {
            let p = candidate(&mut self.rng);
            if self.used_paths.insert(p.clone()) {
                return p;
            }
        }
        let p = candidate(&mut self.rng);
        let (stem, ext) = split_ext(&p);
        let mut k = 2;
        loop {
            let q = format!("{stem}{k}{ext}");
            if self.used_paths.insert(q.clone()) {
                return q;
            }
            k += 1;
        }
    }

    fn path_for(&mut self, kind: Kind, ws: usize, primary: &'static Model, area: &str) -> String {
        let w = &self.workspaces[ws];
        let dir = w.dir.clone();
        let ty = w.ty;
        let m = primary.name;
        let mk = kebab(m);
        let mp = pascal(m);
        match kind {
            Kind::Component => self.unique_path(|r| match ty {
                WsType::Ui => format!(
                    "{dir}/src/components/{}{}.tsx",
                    pick_prefix(r),
                    r.pick(UI_NOUNS)
                ),
                _ => format!("{dir}/src/components/{area}/{mp}{}.tsx", r.pick(UI_NOUNS)),
            }),
            Kind::Jsx => self.unique_path(|r| {
                format!("{dir}/src/components/{area}/{mp}{}.jsx", r.pick(UI_NOUNS))
            }),
            Kind::Page => self.unique_path(|r| {
                let leaf = *r.pick(&[
                    "page.tsx",
                    "page.tsx",
                    "page.tsx",
                    "layout.tsx",
                    "[id]/page.tsx",
                    "[id]/edit/page.tsx",
                    "new/page.tsx",
                ]);
                let group = *r.pick(&["(app)", "(dashboard)", "(marketing)", "[locale]"]);
                format!("{dir}/src/app/{group}/{area}/{}/{leaf}", primary.plural)
            }),
            Kind::RouteHandler => self.unique_path(|r| {
                let leaf = *r.pick(&[
                    "route.ts",
                    "[id]/route.ts",
                    "export/route.ts",
                    "[id]/{c}/route.ts",
                ]);
                let leaf = leaf.replace("{c}", &kebab(r.pick(MODELS).plural));
                format!("{dir}/src/app/api/{}/{leaf}", kebab(primary.plural))
            }),
            Kind::Hook => self.unique_path(|r| {
                format!(
                    "{dir}/src/hooks/use{mp}{}.ts",
                    r.pick(&[
                        "",
                        "s",
                        "Query",
                        "Mutations",
                        "Filters",
                        "Selection",
                        "Draft"
                    ])
                )
            }),
            Kind::Util => self.unique_path(|r| {
                let sub = *r.pick(&["lib", "utils", "lib/server", "helpers"]);
                format!("{dir}/src/{sub}/{}.ts", r.pick(UTIL_NAMES))
            }),
            Kind::Types => self.unique_path(|r| match r.below(3) {
                0 => format!("{dir}/src/types/{mk}.ts"),
                1 => format!("{dir}/src/schemas/{mk}.schema.ts"),
                _ => format!("{dir}/src/constants/{area}.ts"),
            }),
            Kind::Service => self.unique_path(|r| match ty {
                WsType::Next => format!(
                    "{dir}/src/server/services/{mk}{}.service.ts",
                    r.pick(&["", "-query", "-admin", "-sync"])
                ),
                WsType::Db => format!("{dir}/src/repositories/{mk}.repository.ts"),
                _ => format!(
                    "{dir}/src/services/{mk}{}.service.ts",
                    r.pick(&["", "-query", "-admin", "-billing"])
                ),
            }),
            Kind::TrpcRouter => self.unique_path(|r| {
                format!(
                    "{dir}/src/server/api/routers/{}{m}.ts",
                    r.pick(&["", "admin/", "public/", "internal/"])
                )
            }),
            Kind::ExpressRoute => self.unique_path(|r| match r.below(3) {
                0 => format!("{dir}/src/routes/{mk}.routes.ts"),
                1 => format!("{dir}/src/controllers/{mk}.controller.ts"),
                _ => format!("{dir}/src/routes/v{}/{mk}.ts", r.range(1, 3)),
            }),
            Kind::Middleware => self.unique_path(|r| {
                let name = *r.pick(&[
                    "auth",
                    "rate-limit",
                    "logging",
                    "errors",
                    "cors",
                    "tenant",
                    "session",
                    "metrics",
                ]);
                format!("{dir}/src/middleware/{name}.ts")
            }),
            Kind::Job => self.unique_path(|r| {
                let sub = *r.pick(&["jobs", "workers", "cron"]);
                format!(
                    "{dir}/src/{sub}/{mk}-{}.ts",
                    r.pick(&["sync", "cleanup", "digest", "reindex", "notify", "export"])
                )
            }),
            Kind::Test => {
                let tsx = matches!(ty, WsType::Next | WsType::Ui) && self.rng.chance(0.45);
                self.unique_path(|r| {
                    let stem = if tsx {
                        format!("{mp}{}", r.pick(UI_NOUNS))
                    } else {
                        format!(
                            "{mk}{}",
                            r.pick(&["", ".service", ".router", "-utils", ".routes"])
                        )
                    };
                    let ext = if tsx { "tsx" } else { "ts" };
                    match r.below(3) {
                        0 => format!("{dir}/src/__tests__/{stem}.test.{ext}"),
                        1 => format!("{dir}/tests/{area}/{stem}.spec.{ext}"),
                        _ => format!("{dir}/src/{area}/{stem}.test.{ext}"),
                    }
                })
            }
            Kind::Script => self.unique_path(|r| {
                let name = *r.pick(&[
                    "seed",
                    "backfill",
                    "migrate-data",
                    "codemod",
                    "generate-sitemap",
                    "sync-stripe",
                    "check-env",
                    "release",
                ]);
                let ext = *r.pick(&["mjs", "mjs", "js", "ts", "mts", "cjs", "cts"]);
                let base = if r.chance(0.3) {
                    "scripts".to_string()
                } else {
                    format!("{dir}/scripts")
                };
                format!("{base}/{name}-{mk}.{ext}")
            }),
            Kind::Config => {
                let w = &mut self.workspaces[ws];
                if w.configs_left.is_empty() {
                    self.unique_path(|r| format!("{dir}/config/{}.config.js", r.pick(UTIL_NAMES)))
                } else {
                    let i = self.rng.below(w.configs_left.len());
                    let name = w.configs_left.remove(i);
                    self.unique_path(|_| format!("{dir}/{name}"))
                }
            }
            Kind::LegacyJs => self.unique_path(|r| {
                let sub = *r.pick(&["server/routes", "server/controllers", "routes"]);
                format!("{dir}/{sub}/{mk}.js")
            }),
        }
    }

    /// Generates the text of one file; also says whether an N+1 unit and a
    /// retention unit were actually planted.
    fn render(&mut self, spec: &FileSpec) -> (String, bool, bool) {
        let FileSpec {
            kind,
            ws,
            ref path,
            primary,
            area,
            target,
            n1,
            leak,
        } = *spec;
        let (db_import, db_ident) = {
            let w = &self.workspaces[ws];
            (w.db_import, w.db_ident)
        };
        let mut out = String::with_capacity(target + 4096);
        let mut v = self.vars(primary, db_ident, area);
        let banner = self.rng.chance(0.15);
        if banner {
            out.push_str("/**\n * @file Generated benchmark fixture. Not real code.\n */\n");
        }

        // Header, unit pools and footer per kind.
        let (header, units, n1_units, leak_units, footer, indent_units): (
            String,
            &[&str],
            &[&str],
            &[&str],
            String,
            bool,
        ) = match kind {
            Kind::Service => {
                let class_style = db_ident == "prisma" && self.rng.chance(0.2);
                let db = if class_style { "this.prisma" } else { db_ident };
                v.set("db", db.to_string());
                let mut h = String::new();
                let _ = writeln!(
                    h,
                    "import type {{ Prisma, {} }} from '@prisma/client';",
                    v.get("M").unwrap_or("User")
                );
                if !class_style {
                    let _ = writeln!(h, "import {{ {db_ident} }} from '{db_import}';");
                } else {
                    h.push_str("import { PrismaClient } from '@prisma/client';\n");
                }
                h.push_str("import { z } from 'zod';\n");
                h.push_str("import { logger } from '../lib/logger';\n");
                h.push_str("import { ConflictError, NotFoundError } from '../lib/errors';\n");
                h.push_str("import { chunk } from '../lib/arrays';\n");
                h.push_str("import type { ListParams } from '../types/pagination';\n");
                if class_style {
                    // Class bodies take methods; wrap function units as methods
                    // by emitting them inside a namespace-like class.
                    let _ = write!(h, "\nexport class {}Service {{\n  constructor(private readonly prisma: PrismaClient) {{}}\n", v.get("M").unwrap_or("User"));
                    (
                        h,
                        SERVICE_METHOD_UNITS,
                        SERVICE_METHOD_N1_UNITS,
                        &[][..],
                        "}\n".to_string(),
                        true,
                    )
                } else {
                    (h, SERVICE_UNITS, N1_UNITS, &[][..], String::new(), false)
                }
            }
            Kind::TrpcRouter => {
                let db = *self.rng.pick(&["ctx.db", "ctx.prisma"]);
                v.set("db", db.to_string());
                let mut h = String::new();
                h.push_str(
                    "import { TRPCError } from '@trpc/server';\nimport { z } from 'zod';\n\n",
                );
                h.push_str("import { adminProcedure, createTRPCRouter, protectedProcedure } from '~/server/api/trpc';\n");
                h.push_str("import { assertCanEdit } from '~/server/auth/permissions';\n\n");
                let _ = writeln!(
                    h,
                    "export const {}Router = createTRPCRouter({{",
                    primary.name
                );
                (
                    h,
                    TRPC_UNITS,
                    TRPC_N1_UNITS,
                    &[][..],
                    "});\n".to_string(),
                    false,
                )
            }
            Kind::ExpressRoute => {
                let mut h = String::new();
                h.push_str("import { Router, type NextFunction, type Request, type Response } from 'express';\n");
                h.push_str("import { Prisma } from '@prisma/client';\n");
                let _ = writeln!(h, "import {{ {db_ident} }} from '{db_import}';");
                h.push_str("import { requireAuth, requireRole } from '../middleware/auth';\nimport { validate } from '../middleware/validate';\n");
                let _ = writeln!(
                    h,
                    "import {{ create{0}Body, type Create{0}Body }} from '../schemas/{1}';\n",
                    pascal(primary.name),
                    kebab(primary.name)
                );
                h.push_str("const router = Router();\n");
                (
                    h,
                    EXPRESS_UNITS,
                    EXPRESS_N1_UNITS,
                    &[][..],
                    "\nexport default router;\n".to_string(),
                    false,
                )
            }
            Kind::RouteHandler => {
                let mut h = String::new();
                h.push_str("import { NextResponse, type NextRequest } from 'next/server';\nimport { revalidatePath } from 'next/cache';\n");
                h.push_str("import { getServerSession } from 'next-auth';\nimport { Prisma } from '@prisma/client';\n\n");
                h.push_str("import { authOptions } from '@/lib/auth';\n");
                let _ = writeln!(h, "import {{ {db_ident} }} from '{db_import}';",);
                let _ = writeln!(
                    h,
                    "import {{ {}Input }} from '@/lib/validators/{}';",
                    primary.name,
                    kebab(primary.name)
                );
                h.push_str("\nexport const dynamic = 'force-dynamic';\n");
                (h, ROUTE_HANDLERS, N1_UNITS, &[][..], String::new(), false)
            }
            Kind::Page => {
                let mut h = String::new();
                h.push_str("import type { Metadata } from 'next';\nimport Link from 'next/link';\nimport { notFound, redirect } from 'next/navigation';\nimport { Suspense } from 'react';\n\n");
                h.push_str("import { auth } from '@/lib/auth';\n");
                let _ = writeln!(h, "import {{ {db_ident} }} from '{db_import}';");
                h.push_str("import { buttonVariants } from '@/components/ui/button';\nimport { Pagination } from '@/components/pagination';\nimport { PageHeader } from '@/components/page-header';\n\n");
                h.push_str("type PageProps = { params: { id: string }; searchParams?: Record<string, string | undefined> };\n");
                (
                    h,
                    PAGE_HELPERS,
                    PAGE_N1_HELPERS,
                    &[][..],
                    String::new(),
                    false,
                )
            }
            Kind::Component => {
                let mut h = String::new();
                if self.rng.chance(0.6) {
                    h.push_str("'use client';\n\n");
                }
                h.push_str("import * as React from 'react';\nimport { useCallback, useEffect, useMemo, useState, useTransition } from 'react';\n");
                h.push_str("import { useForm } from 'react-hook-form';\nimport { zodResolver } from '@hookform/resolvers/zod';\nimport { Loader2 } from 'lucide-react';\nimport { toast } from 'sonner';\n\n");
                h.push_str("import { Button } from '@/components/ui/button';\nimport { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';\n");
                h.push_str("import { cn, formatNumber, formatRelative } from '@/lib/utils';\nimport { api } from '@/trpc/react';\n");
                let _ = writeln!(h, "import type {{ {0}, {0}Summary, {0}Row, {0}Filter, {0}Event, {0}FormValues }} from '@/types/{1}';", v.get("M").unwrap_or("User"), kebab(primary.name));
                (
                    h,
                    COMPONENT_UNITS,
                    &[][..],
                    COMPONENT_LEAK_UNITS,
                    String::new(),
                    false,
                )
            }
            Kind::Jsx => {
                let h = "import React, { useEffect, useState } from 'react';\nimport PropTypes from 'prop-types';\n\nimport './styles.css';\n".to_string();
                (h, JSX_UNITS, &[][..], &[][..], String::new(), false)
            }
            Kind::Hook => {
                let h = format!(
                    "import {{ useCallback, useEffect, useMemo, useState }} from 'react';\n\nimport {{ api }} from '@/trpc/react';\nimport type {{ {} }} from '@/types/{}';\n",
                    v.get("M").unwrap_or("User"),
                    kebab(primary.name)
                );
                (h, HOOK_UNITS, &[][..], &[][..], String::new(), false)
            }
            Kind::Util => {
                let h = "import { HttpError } from './errors';\n".to_string();
                (
                    h,
                    UTIL_UNITS,
                    &[][..],
                    UTIL_LEAK_UNITS,
                    String::new(),
                    false,
                )
            }
            Kind::Types => {
                let h = "import { z } from 'zod';\n".to_string();
                (h, TYPES_UNITS, &[][..], &[][..], String::new(), false)
            }
            Kind::Middleware => {
                let mut h = String::new();
                h.push_str("import type { NextFunction, Request, Response } from 'express';\nimport { ZodError } from 'zod';\n\n");
                let _ = writeln!(h, "import {{ {db_ident} }} from '{db_import}';");
                h.push_str("import { HttpError } from '../lib/errors';\nimport { logger } from '../lib/logger';\nimport type { Role } from '../types/auth';\n");
                (
                    h,
                    MIDDLEWARE_UNITS,
                    &[][..],
                    MIDDLEWARE_LEAK_UNITS,
                    String::new(),
                    false,
                )
            }
            Kind::Job => {
                let mut h = String::new();
                h.push_str("import { Worker } from 'bullmq';\nimport cron from 'node-cron';\n\n");
                let _ = writeln!(h, "import {{ {db_ident} }} from '{db_import}';");
                h.push_str("import { connection } from '../lib/redis';\nimport { logger } from '../lib/logger';\nimport { mailer } from '../lib/mailer';\nimport { metrics } from '../lib/metrics';\n");
                let _ = writeln!(
                    h,
                    "import type {{ {}JobData }} from '../types/jobs';",
                    pascal(primary.name)
                );
                (
                    h,
                    JOB_UNITS,
                    JOB_N1_UNITS,
                    JOB_LEAK_UNITS,
                    String::new(),
                    false,
                )
            }
            Kind::Test => {
                let tsx = path.ends_with(".tsx");
                let mut h = String::new();
                h.push_str("import { beforeAll, beforeEach, describe, expect, it, test, vi } from 'vitest';\n");
                if tsx {
                    h.push_str("import { render, screen } from '@testing-library/react';\nimport userEvent from '@testing-library/user-event';\n\n");
                    let _ = writeln!(
                        h,
                        "import {{ {} }} from '../components/{}';",
                        v.get("Name").unwrap_or("X"),
                        v.get("Name").unwrap_or("X")
                    );
                } else {
                    h.push_str("import { prismaMock } from '../test/prisma-mock';\nimport { prisma } from '../lib/prisma';\n\n");
                    let _ = writeln!(h, "import * as service from '../services/{}.service';\nimport {{ canEdit, summarize{} }} from '../services/{}.service';\nimport {{ NotFoundError }} from '../lib/errors';", kebab(primary.name), v.get("Ms").unwrap_or("X"), kebab(primary.name));
                }
                let _ = writeln!(
                    h,
                    "import {{ build{} }} from '../test/factories';\n",
                    v.get("M").unwrap_or("X")
                );
                let _ = writeln!(h, "describe('{}', () => {{", v.get("Name").unwrap_or("X"));
                let (units, n1_units) = if tsx {
                    (TEST_TSX_UNITS, &[][..])
                } else {
                    (TEST_UNITS, TEST_N1_UNITS)
                };
                (h, units, n1_units, &[][..], "});\n".to_string(), false)
            }
            Kind::Script => {
                let mut h = String::new();
                if path.ends_with(".cjs") || path.ends_with(".cts") {
                    h.push_str("const fs = require('node:fs/promises');\nconst path = require('node:path');\nconst { PrismaClient } = require('@prisma/client');\n\nconst prisma = new PrismaClient();\n");
                } else {
                    h.push_str("#!/usr/bin/env node\nimport fs from 'node:fs/promises';\nimport path from 'node:path';\nimport { PrismaClient } from '@prisma/client';\n\nconst prisma = new PrismaClient();\n");
                }
                let footer = "\nasync function main() {\n  const args = parseArgs(process.argv.slice(2));\n  if (args.dryRun) {\n    console.log('dry run', args);\n    return;\n  }\n  const files = await walk(process.cwd());\n  console.log(`found ${files.length} files`);\n}\n\nmain()\n  .catch((err) => {\n    console.error(err);\n    process.exitCode = 1;\n  })\n  .finally(() => prisma.$disconnect());\n".to_string();
                (h, SCRIPT_UNITS, SCRIPT_N1_UNITS, &[][..], footer, false)
            }
            Kind::LegacyJs => {
                let h = "'use strict';\n\nconst express = require('express');\nconst { PrismaClient } = require('@prisma/client');\n\nconst prisma = new PrismaClient();\nconst router = express.Router();\n".to_string();
                (
                    h,
                    LEGACY_JS_UNITS,
                    LEGACY_JS_N1_UNITS,
                    LEGACY_JS_LEAK_UNITS,
                    "\nmodule.exports = router;\n".to_string(),
                    false,
                )
            }
            Kind::Config => {
                out.push_str(&config_file(&mut self.rng, path));
                return (out, false, false);
            }
        };

        out.push_str(&header);
        let mut body: Vec<String> = Vec::new();
        let mut size = out.len() + footer.len();
        let main_page = kind == Kind::Page && path.ends_with("page.tsx");
        if main_page {
            size += PAGE_MAIN.len();
        }
        // Route handlers: each HTTP verb at most once, then service-style helpers.
        let mut verbs: Vec<&str> = if kind == Kind::RouteHandler {
            ROUTE_HANDLERS.to_vec()
        } else {
            Vec::new()
        };
        loop {
            let tpl: &str = if !verbs.is_empty() {
                let i = self.rng.below(verbs.len());
                verbs.remove(i)
            } else {
                let pool = if kind == Kind::RouteHandler {
                    SERVICE_UNITS
                } else if kind == Kind::Page && self.rng.chance(0.4) {
                    // pages also define small presentational components
                    &COMPONENT_UNITS[1..]
                } else {
                    units
                };
                pool[self.rng.below(pool.len())]
            };
            let mut s = String::new();
            fill(tpl, &v, &mut s);
            if indent_units {
                s = indent_as_method(&s);
            }
            size += s.len();
            body.push(s);
            if size >= target {
                break;
            }
            // fresh names for the next unit (biased towards the primary model)
            let db = v.get("db").unwrap_or(db_ident).to_string();
            let name = v.get("Name").unwrap_or("").to_string();
            v = self.vars(primary, &db, area);
            if kind == Kind::Test {
                // a test file exercises one component / service
                v.set("Name", name);
            }
        }
        let planted_n1 = n1 && !n1_units.is_empty();
        let planted_leak = leak && !leak_units.is_empty();
        if planted_n1 {
            let tpl = *self.rng.pick(n1_units);
            let mut s = String::new();
            fill(tpl, &v, &mut s);
            if indent_units {
                s = indent_as_method(&s);
            }
            let at = self.rng.below(body.len() + 1);
            body.insert(at, s);
        }
        if planted_leak {
            let tpl = *self.rng.pick(leak_units);
            let mut s = String::new();
            fill(tpl, &v, &mut s);
            let at = self.rng.below(body.len() + 1);
            body.insert(at, s);
        }
        for s in &body {
            out.push_str(s);
        }
        if main_page {
            fill(PAGE_MAIN, &v, &mut out);
        }
        out.push_str(&footer);
        (out, planted_n1, planted_leak)
    }
}

/// Methods for class-style services (`this.prisma`).
const SERVICE_METHOD_UNITS: &[&str] = &[
    r#"
async findById$sfx$(id: string) {
  const $m$ = await $db$.$m$.findUnique({ where: { id } });
  if (!$m$) {
    throw new NotFoundError(`$M$ ${id} not found`);
  }
  return $m$;
}
"#,
    r#"
async list$sfx$(where: Prisma.$M$WhereInput = {}, take = $n$) {
  return $db$.$m$.findMany({ where, take, orderBy: { createdAt: 'desc' } });
}
"#,
    r#"
async create$sfx$(data: Prisma.$M$CreateInput) {
  const created = await $db$.$m$.create({ data });
  logger.debug({ id: created.id }, '$m$ created');
  return created;
}
"#,
    r#"
async listWith$Cs$$sfx$(ids: string[]) {
  const [$ms$, $cs$] = await Promise.all([
    $db$.$m$.findMany({ where: { id: { in: ids } } }),
    $db$.$c$.findMany({ where: { $m$Id: { in: ids } } }),
  ]);
  return $ms$.map(($m$) => ({ ...$m$, $cs$: $cs$.filter(($c$) => $c$.$m$Id === $m$.id) }));
}
"#,
    r#"
private toView$sfx$($m$: $M$) {
  const { id, status, createdAt } = $m$;
  return { id, status, createdAt: createdAt.toISOString(), label: String($m$.$mt$ ?? '') };
}
"#,
];

const SERVICE_METHOD_N1_UNITS: &[&str] = &[r#"
async hydrate$Cs$$sfx$($ms$: $M$[]) {
  const out = [];
  for (const $m$ of $ms$) {
    out.push({ ...$m$, $cs$: await $db$.$c$.findMany({ where: { $m$Id: $m$.id } }) });
  }
  return out;
}
"#];

fn indent_as_method(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 16);
    for line in s.split_inclusive('\n') {
        if line.trim().is_empty() {
            out.push_str(line);
        } else {
            out.push_str("  ");
            out.push_str(line);
        }
    }
    out
}

const UI_PREFIXES: &[&str] = &[
    "",
    "Data",
    "Inline",
    "Async",
    "Sortable",
    "Responsive",
    "Command",
    "Multi",
    "Nav",
    "Color",
    "Date",
    "File",
];

fn pick_prefix(rng: &mut Rng) -> &'static str {
    UI_PREFIXES[rng.below(UI_PREFIXES.len())]
}

fn split_ext(p: &str) -> (&str, &str) {
    let name_start = p.rfind('/').map_or(0, |i| i + 1);
    match p[name_start..].find('.') {
        Some(i) => p.split_at(name_start + i),
        None => (p, ""),
    }
}

fn config_file(rng: &mut Rng, path: &str) -> String {
    let mut out = String::new();
    if path.ends_with(".js") || path.ends_with(".cjs") || path.ends_with(".mjs") {
        out.push_str("// @ts-check\n");
    }
    let _ = write!(
        out,
        "/**\n * Build tooling for this workspace. Shared presets live in packages/config;\n * keep overrides here minimal and explain why they are needed.\n *\n * Last reviewed: 202{}-0{}-1{}\n */\n",
        rng.range(2, 5),
        rng.range(1, 9),
        rng.range(0, 9)
    );
    out.push_str(&config_body(rng, path));
    out
}

fn config_body(rng: &mut Rng, path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    let esm = path.ends_with(".mjs") || path.ends_with(".ts") || path.ends_with(".mts");
    let export = if esm {
        "export default"
    } else {
        "module.exports ="
    };
    let n = rng.range(2, 9);
    if name.starts_with("next.config") {
        format!(
            "/** @type {{import('next').NextConfig}} */\nconst nextConfig = {{\n  reactStrictMode: true,\n  poweredByHeader: false,\n  images: {{\n    remotePatterns: [{{ protocol: 'https', hostname: '**.example.com' }}],\n  }},\n  experimental: {{\n    serverActions: {{ bodySizeLimit: '{n}mb' }},\n  }},\n  async redirects() {{\n    return [{{ source: '/home', destination: '/', permanent: true }}];\n  }},\n  transpilePackages: ['@acme/ui', '@acme/utils'],\n}};\n\nexport default nextConfig;\n"
        )
    } else if name.starts_with("tailwind.config") {
        format!(
            "{export} {{\n  darkMode: ['class'],\n  content: ['./src/**/*.{{ts,tsx}}', '../../packages/ui/src/**/*.{{ts,tsx}}'],\n  theme: {{\n    container: {{ center: true, padding: '2rem' }},\n    extend: {{\n      colors: {{\n        border: 'hsl(var(--border))',\n        primary: {{ DEFAULT: 'hsl(var(--primary))', foreground: 'hsl(var(--primary-foreground))' }},\n      }},\n      borderRadius: {{ lg: 'var(--radius)', md: 'calc(var(--radius) - {n}px)' }},\n    }},\n  }},\n  plugins: [],\n}};\n"
        )
    } else if name.starts_with("vitest.config") || name.starts_with("playwright.config") {
        format!(
            "import {{ defineConfig }} from 'vitest/config';\n\nexport default defineConfig({{\n  test: {{\n    environment: '{}',\n    globals: true,\n    setupFiles: ['./src/test/setup.ts'],\n    coverage: {{ provider: 'v8', reporter: ['text', 'lcov'], thresholds: {{ lines: {} }} }},\n  }},\n}});\n",
            if rng.chance(0.5) { "jsdom" } else { "node" },
            60 + n * 3
        )
    } else if name.starts_with("tsup.config") {
        format!("import {{ defineConfig }} from 'tsup';\n\nexport default defineConfig({{\n  entry: ['src/index.ts'],\n  format: ['esm', 'cjs'],\n  dts: true,\n  sourcemap: true,\n  clean: true,\n  target: 'es20{}',\n}});\n", 18 + n)
    } else if name.starts_with("webpack.config") {
        "const path = require('path');\n\nmodule.exports = (env, argv) => ({\n  entry: './src/index.jsx',\n  output: { path: path.resolve(__dirname, 'public/build'), filename: '[name].[contenthash].js' },\n  devtool: argv.mode === 'production' ? false : 'eval-source-map',\n  module: {\n    rules: [\n      { test: /\\.jsx?$/, exclude: /node_modules/, use: 'babel-loader' },\n      { test: /\\.css$/, use: ['style-loader', 'css-loader'] },\n    ],\n  },\n  resolve: { extensions: ['.js', '.jsx'] },\n});\n".to_string()
    } else if name.starts_with("eslint.config") {
        format!("{}\n{export} [\n  {{ ignores: ['dist/**', '.next/**', 'coverage/**'] }},\n  {{\n    files: ['**/*.{{ts,tsx}}'],\n    rules: {{\n      'no-console': ['warn', {{ allow: ['warn', 'error'] }}],\n      'max-depth': ['error', {n}],\n    }},\n  }},\n];\n", if esm { "import js from '@eslint/js';\n" } else { "const js = require('@eslint/js');\n" })
    } else {
        format!("{export} {{\n  presets: [['@babel/preset-env', {{ targets: {{ node: 'current' }} }}], '@babel/preset-react'],\n  testEnvironment: 'node',\n  testTimeout: {}000,\n  moduleNameMapper: {{ '^@/(.*)$': '<rootDir>/src/$1' }},\n  plugins: [\n    ['module-resolver', {{ root: ['./src'] }}],\n  ],\n}};\n", n)
    }
}

// ---------------------------------------------------------------------------
// Files both tools must skip, and non-source files
// ---------------------------------------------------------------------------

fn write_file(root: &Path, rel: &str, text: &str) -> io::Result<()> {
    let path = root.join(rel);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(path, text)
}

fn write_extras(
    rng: &mut Rng,
    root: &Path,
    workspaces: &[Workspace],
    n_files: usize,
) -> io::Result<(usize, usize)> {
    let mut skipped = 0;
    let mut other = 0;
    write_file(
        root,
        ".gitignore",
        "node_modules\n.next\ndist\ncoverage\n/generated\n*.log\n.env*\n",
    )?;
    other += 1;
    write_file(root, "package.json", "{\n  \"name\": \"acme\",\n  \"private\": true,\n  \"workspaces\": [\"apps/*\", \"packages/*\"]\n}\n")?;
    write_file(
        root,
        "README.md",
        "# acme\n\nSynthetic monorepo generated by leaklint's gen_corpus for benchmarking.\n",
    )?;
    write_file(root, "tsconfig.base.json", "{\n  \"compilerOptions\": { \"strict\": true, \"target\": \"ES2022\", \"module\": \"ESNext\", \"jsx\": \"preserve\" }\n}\n")?;
    other += 3;

    // Dependency and build output: a few percent of the source count.
    let libs = [
        "react-dom",
        "lodash",
        "zod",
        "@prisma/client",
        "date-fns",
        "express",
        "next",
        "@trpc/server",
    ];
    let n_skip = (n_files / 25).max(20);
    for i in 0..n_skip {
        let lib = libs[(i / 8) % libs.len()];
        let (rel, body) = match i % 8 {
            0..=2 => (
                format!("node_modules/{lib}/dist/chunk-{i}.js"),
                minified_js(rng, 4000),
            ),
            3 => (
                format!("node_modules/{lib}/types/t{i}.d.ts"),
                "export declare function run(): void;\n".to_string(),
            ),
            4 => {
                let w = &workspaces[i % workspaces.len()];
                (
                    format!("{}/.next/server/chunks/{i}.js", w.dir),
                    minified_js(rng, 3000),
                )
            }
            5 => {
                let w = &workspaces[i % workspaces.len()];
                (
                    format!("{}/dist/index-{i}.js", w.dir),
                    minified_js(rng, 2000),
                )
            }
            6 => (
                format!("coverage/lcov-report/block-{i}.js"),
                minified_js(rng, 1500),
            ),
            _ => (
                format!("generated/prisma/runtime-{i}.js"),
                minified_js(rng, 2500),
            ),
        };
        write_file(root, &rel, &body)?;
        skipped += 1;
    }
    for w in workspaces {
        write_file(
            root,
            &format!("{}/package.json", w.dir),
            &format!(
                "{{\n  \"name\": \"@acme/{}\",\n  \"private\": true\n}}\n",
                w.dir.rsplit('/').next().unwrap_or("x")
            ),
        )?;
        write_file(
            root,
            &format!("{}/tsconfig.json", w.dir),
            "{ \"extends\": \"../../tsconfig.base.json\", \"include\": [\"src\"] }\n",
        )?;
        other += 2;
        match w.ty {
            WsType::Next | WsType::Ui => {
                write_file(
                    root,
                    &format!("{}/src/types/global.d.ts", w.dir),
                    "declare module '*.svg' {\n  const src: string;\n  export default src;\n}\n",
                )?;
                write_file(root, &format!("{}/next-env.d.ts", w.dir), "/// <reference types=\"next\" />\n/// <reference types=\"next/image-types/global\" />\n")?;
                write_file(root, &format!("{}/.storybook/main.ts", w.dir), "export default { stories: ['../src/**/*.stories.tsx'], framework: '@storybook/react-vite' };\n")?;
                write_file(
                    root,
                    &format!("{}/src/styles/globals.css", w.dir),
                    "@tailwind base;\n@tailwind components;\n@tailwind utilities;\n",
                )?;
                skipped += 3;
                other += 1;
            }
            WsType::Db => {
                write_file(
                    root,
                    &format!("{}/prisma/schema.prisma", w.dir),
                    &prisma_schema(),
                )?;
                other += 1;
            }
            _ => {
                write_file(
                    root,
                    &format!("{}/.eslintrc.cjs", w.dir),
                    "module.exports = { root: true, extends: ['@acme/eslint-config'] };\n",
                )?;
                skipped += 1;
            }
        }
    }
    Ok((skipped, other))
}

fn minified_js(rng: &mut Rng, approx: usize) -> String {
    let mut s = String::from("\"use strict\";");
    let mut i = 0;
    while s.len() < approx {
        let _ = write!(
            s,
            "var a{i}=function(e,t){{return e&&e.__esModule?e:{{default:e,n:{}}}}};",
            rng.below(1000)
        );
        i += 1;
    }
    s.push('\n');
    s
}

fn prisma_schema() -> String {
    let mut s = String::from("generator client {\n  provider = \"prisma-client-js\"\n}\n\ndatasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n");
    for m in MODELS {
        let _ = write!(s, "\nmodel {} {{\n  id        String   @id @default(cuid())\n  {}  String\n  {}  Int @default(0)\n  status    String\n  createdAt DateTime @default(now())\n  updatedAt DateTime @updatedAt\n", pascal(m.name), m.text, m.num);
        if let Some(p) = m.parent {
            let _ = writeln!(
                s,
                "  {p}Id String\n  {p} {} @relation(fields: [{p}Id], references: [id])",
                pascal(p)
            );
        }
        s.push_str("}\n");
    }
    s
}

// ---------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------

fn percentile(sorted: &[usize], p: f64) -> usize {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn run(out_dir: &Path, n_files: usize, seed: u64) -> io::Result<()> {
    let mut rng = Rng::new(seed);
    let mut workspaces = make_workspaces(&mut rng, n_files);
    let kind_weights: Vec<(Kind, u32)> = Kind::ALL.iter().map(|&k| (k, k.weight())).collect();

    let mut gen = Gen {
        rng: Rng::new(seed ^ 0xA5A5_5A5A_DEAD_BEEF),
        relations: relations(),
        used_paths: HashSet::new(),
        workspaces: &mut workspaces,
    };

    fs::create_dir_all(out_dir)?;
    let mut manifest = String::from("path\tkind\tbytes\tn_plus_one\tretention\n");
    let mut sizes = Vec::with_capacity(n_files);
    let mut per_kind = vec![(0usize, 0usize, 0usize); Kind::ALL.len()];
    let mut per_ext: Vec<(String, usize)> = Vec::new();
    let mut planned: Vec<Planned> = Vec::with_capacity(n_files);

    for _ in 0..n_files {
        let kind = rng.weighted(&kind_weights);
        let candidates: Vec<usize> = (0..gen.workspaces.len())
            .filter(|&i| hosts(gen.workspaces[i].ty, kind))
            .filter(|&i| kind != Kind::Config || !gen.workspaces[i].configs_left.is_empty())
            .collect();
        let (kind, candidates) = if candidates.is_empty() {
            // every config slot taken: make it a script instead
            let c: Vec<usize> = (0..gen.workspaces.len())
                .filter(|&i| hosts(gen.workspaces[i].ty, Kind::Script))
                .collect();
            (Kind::Script, c)
        } else {
            (kind, candidates)
        };
        let ws = *rng.pick(&candidates);
        let primary = rng.pick(MODELS);
        let area = *rng.pick(FEATURES);
        let target =
            (kind.median_size() * (0.85 * rng.normal()).exp()).clamp(MIN_SIZE, MAX_SIZE) as usize;
        let n1 = rng.chance(kind.n1_rate());
        let leak = rng.chance(kind.leak_rate());

        let path = gen.path_for(kind, ws, primary, area);
        let spec = FileSpec {
            kind,
            ws,
            path,
            primary,
            area,
            target,
            n1,
            leak,
        };
        let (text, has_n1, has_leak) = gen.render(&spec);
        let path = spec.path;
        write_file(out_dir, &path, &text)?;

        let ki = Kind::ALL.iter().position(|&k| k == kind).unwrap_or(0);
        per_kind[ki].0 += 1;
        per_kind[ki].1 += text.len();
        per_kind[ki].2 += usize::from(has_n1);
        let ext = split_ext(&path)
            .1
            .rsplit('.')
            .next()
            .unwrap_or("")
            .to_string();
        match per_ext.iter_mut().find(|(e, _)| *e == ext) {
            Some(slot) => slot.1 += 1,
            None => per_ext.push((ext, 1)),
        }
        sizes.push(text.len());
        let _ = writeln!(
            manifest,
            "{path}\t{}\t{}\t{}\t{}",
            kind.label(),
            text.len(),
            u8::from(has_n1),
            u8::from(has_leak)
        );
        planned.push(Planned {
            path,
            kind,
            n_plus_one: has_n1,
            leak: has_leak,
        });
    }

    let (skipped, other) = write_extras(&mut rng, out_dir, gen.workspaces, n_files)?;
    fs::write(out_dir.join("MANIFEST.tsv"), manifest)?;

    // Summary.
    let total: usize = sizes.iter().sum();
    let n1_files = planned.iter().filter(|p| p.n_plus_one).count();
    let leak_files = planned.iter().filter(|p| p.leak).count();
    let jsx_like = planned
        .iter()
        .filter(|p| p.kind == Kind::Jsx || p.path.ends_with(".tsx"))
        .count();
    sizes.sort_unstable();
    println!("corpus: {}", out_dir.display());
    println!("seed: {seed:#x}");
    println!(
        "source files: {n_files} ({:.1} MB, {jsx_like} with JSX)",
        total as f64 / 1e6
    );
    println!(
        "sizes: min {} B, p50 {} B, p90 {} B, p99 {} B, max {} B, mean {} B",
        sizes.first().copied().unwrap_or(0),
        percentile(&sizes, 0.5),
        percentile(&sizes, 0.9),
        percentile(&sizes, 0.99),
        sizes.last().copied().unwrap_or(0),
        total / n_files.max(1)
    );
    println!(
        "n+1 files: {n1_files} ({:.1}%)",
        100.0 * n1_files as f64 / n_files.max(1) as f64
    );
    println!(
        "retention files: {leak_files} ({:.1}%)",
        100.0 * leak_files as f64 / n_files.max(1) as f64
    );
    println!("excluded files (node_modules, build output, hidden, .d.ts, gitignored): {skipped}");
    println!("non-source files: {other}");
    println!("workspaces: {}", gen.workspaces.len());
    per_ext.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let exts: Vec<String> = per_ext.iter().map(|(e, n)| format!(".{e} {n}")).collect();
    println!("extensions: {}", exts.join(", "));
    println!("{:<15} {:>6} {:>9} {:>5}", "kind", "files", "KB", "n+1");
    for (i, k) in Kind::ALL.iter().enumerate() {
        let (n, b, x) = per_kind[i];
        println!("{:<15} {:>6} {:>9} {:>5}", k.label(), n, b / 1024, x);
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() || args.len() > 3 || args[0].starts_with('-') {
        eprintln!("usage: gen_corpus OUT_DIR [N_FILES={DEFAULT_FILES}] [SEED]");
        return ExitCode::from(2);
    }
    let out_dir = PathBuf::from(&args[0]);
    let n_files = match args.get(1).map(|s| s.parse::<usize>()) {
        None => DEFAULT_FILES,
        Some(Ok(n)) if n > 0 => n,
        _ => {
            eprintln!("gen_corpus: N_FILES must be a positive integer");
            return ExitCode::from(2);
        }
    };
    let seed = match args.get(2) {
        None => DEFAULT_SEED,
        Some(s) => {
            let parsed = match s.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => s.parse::<u64>(),
            };
            match parsed {
                Ok(v) => v,
                Err(_) => {
                    eprintln!("gen_corpus: SEED must be an integer (decimal or 0x-hex)");
                    return ExitCode::from(2);
                }
            }
        }
    };
    if out_dir.exists()
        && fs::read_dir(&out_dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(false)
    {
        eprintln!(
            "gen_corpus: {} exists and is not empty; remove it first",
            out_dir.display()
        );
        return ExitCode::from(2);
    }
    match run(&out_dir, n_files, seed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("gen_corpus: {err}");
            ExitCode::FAILURE
        }
    }
}
