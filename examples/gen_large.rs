//! Generates the very large files of `bench/large-files.sh`: one file per shape, each with N
//! queries in loops (`cargo run --release --example gen_large -- DIR N`). Prints each file's
//! name and the number of `query-in-loop` findings it must give.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: gen_large DIR N");
    let n: usize = args
        .next()
        .and_then(|n| n.parse().ok())
        .expect("usage: gen_large DIR N");
    let dir = Path::new(&dir);
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("package.json"),
        r#"{ "name": "large", "dependencies": { "@prisma/client": "5", "pg": "8", "sequelize": "6" } }"#,
    )
    .unwrap();
    std::fs::write(dir.join("leaklint.toml"), "max-file-size = 16777216\n").unwrap();
    type Shape = (&'static str, fn(usize) -> String);
    let shapes: [Shape; 5] = [
        ("one-loop", one_loop),
        ("many-loops", many_loops),
        ("helpers", helpers),
        ("sequelize", sequelize),
        ("sql", sql),
    ];
    for (name, make) in shapes {
        let file = format!("{name}-{n}.ts");
        std::fs::write(dir.join(&file), make(n)).unwrap();
        println!("{file}\t{n}");
    }
}

/// One loop body holding `n` queries.
fn one_loop(n: usize) -> String {
    let mut s = String::from("export async function f(xs: string[]) {\n  for (const x of xs) {\n");
    for i in 0..n {
        writeln!(
            s,
            "    await prisma.user.findMany({{ where: {{ id: x, n: {i} }} }});"
        )
        .unwrap();
    }
    s + "  }\n}\n"
}

/// `n` loops with one query each.
fn many_loops(n: usize) -> String {
    let mut s = String::from("export async function f(xs: string[]) {\n");
    for i in 0..n {
        writeln!(
            s,
            "  for (const x of xs) {{ await prisma.user.findMany({{ where: {{ id: x, n: {i} }} }}); }}"
        )
        .unwrap();
    }
    s + "}\n"
}

/// `n` calls of a helper that queries, each with a name declared at the top of the body.
fn helpers(n: usize) -> String {
    let mut s = String::from(
        "async function load(id: string) { return prisma.user.findMany({ where: { id } }); }\nexport async function f(xs: { id: string }[]) {\n  for (const x of xs) {\n",
    );
    for i in 0..n {
        writeln!(s, "    const v{i} = x.id + '{i}';\n    await load(v{i});").unwrap();
    }
    s + "  }\n}\n"
}

/// `n` Sequelize queries beside `n` calls on other capitalised receivers.
fn sequelize(n: usize) -> String {
    let mut s = String::from(
        "import { Model } from 'sequelize';\nclass User extends Model {}\nexport async function f(xs: string[]) {\n  for (const x of xs) {\n",
    );
    for i in 0..n {
        writeln!(
            s,
            "    await User.findAll({{ where: {{ id: x, n: {i} }} }});\n    await M{i}.findOne({{ where: {{ id: x }} }});"
        )
        .unwrap();
    }
    s + "  }\n}\n"
}

/// `n` raw SQL queries, each through a constant declared before it.
fn sql(n: usize) -> String {
    let mut s = String::from(
        "import { Pool } from 'pg';\nconst pool = new Pool();\nexport async function f(xs: string[]) {\n  for (const x of xs) {\n",
    );
    for i in 0..n {
        writeln!(
            s,
            "    const q{i} = 'SELECT * FROM t WHERE id = $1 AND n = {i}';\n    await pool.query(q{i}, [x]);"
        )
        .unwrap();
    }
    s + "  }\n}\n"
}
