#!/usr/bin/env bash
# `leaklint stats` benchmark: a throwaway PostgreSQL cluster with N_TABLES tables (half of them
# with a foreign key to one of the others, a few thousand rows in every tenth pair), ANALYZE,
# then the release binary timed collecting it. See bench/README.md.
#
# Environment overrides:
#   RUNS=N       timed runs                              (default: 10)
#   N_TABLES=N   tables, even                            (default: 600)
#   ROWS=N       rows of each filled child table         (default: 5000)
#
# Exit status: 0 done, 2 setup error (no PostgreSQL, build failed, cluster did not start).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUNS="${RUNS:-10}"
N_TABLES="${N_TABLES:-600}"
ROWS="${ROWS:-5000}"
LEAKLINT="$PWD/target/release/leaklint"

die() {
    echo "bench: $*" >&2
    exit 2
}

(( N_TABLES % 2 == 0 && N_TABLES >= 2 )) || die "N_TABLES must be even"

bin=""
if command -v initdb >/dev/null 2>&1; then
    bin="$(dirname "$(readlink -f "$(command -v initdb)")")"
else
    for d in /usr/lib/postgresql/*/bin; do [[ -x "$d/initdb" ]] && bin="$d"; done
fi
[[ -n "$bin" && -x "$bin/pg_ctl" && -x "$bin/psql" ]] || die "no PostgreSQL (initdb, pg_ctl, psql): apt-get install postgresql"

echo "==> cargo build --release --bins" >&2
cargo build --release --bins >&2 || die "build failed"

tmp="$(mktemp -d -t leaklint-bench-stats-XXXXXX)"
# PostgreSQL refuses to run as root: as the postgres user then.
as_pg=()
if [[ "$(id -u)" == 0 ]]; then
    as_pg=(runuser -u postgres --)
    chown postgres: "$tmp"
fi
cleanup() {
    "${as_pg[@]}" "$bin/pg_ctl" -D "$tmp/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
password="bench-pw-$RANDOM$RANDOM"
echo "$password" >"$tmp/pwfile"
[[ ${#as_pg[@]} -eq 0 ]] || chown postgres: "$tmp/pwfile"

echo "==> initdb and start on 127.0.0.1:$port" >&2
(cd "$tmp" && "${as_pg[@]}" "$bin/initdb" -D "$tmp/data" -U bench --pwfile="$tmp/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 --no-sync --locale=C -E UTF8 >/dev/null) \
    || die "initdb failed"
cat >>"$tmp/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$tmp'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
(cd "$tmp" && "${as_pg[@]}" "$bin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 start >/dev/null) \
    || { cat "$tmp/server.log" >&2; die "the cluster did not start"; }

psql() { "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$tmp" -p "$port" -U bench "$@"; }
psql -d postgres -c "CREATE DATABASE bench"

half=$(( N_TABLES / 2 ))
echo "==> $N_TABLES tables ($half with a foreign key), rows in every tenth pair, ANALYZE" >&2
{
    echo "BEGIN;"
    for (( i = 0; i < half; i++ )); do
        printf 'CREATE TABLE parent_%04d (id serial PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());\n' "$i"
        printf 'CREATE TABLE child_%04d (id bigserial PRIMARY KEY, parent_id int NOT NULL REFERENCES parent_%04d(id), payload text, created_at timestamptz NOT NULL DEFAULT now());\n' "$i" "$i"
        printf 'CREATE INDEX ON child_%04d (parent_id);\n' "$i"
        # A transaction per 100 pairs: one for all would run out of locks past a few thousand.
        (( i % 100 == 99 )) && echo "COMMIT; BEGIN;"
        if (( i % 10 == 0 )); then
            printf "INSERT INTO parent_%04d (name) SELECT 'p' || g FROM generate_series(1, 2000) g;\n" "$i"
            printf "INSERT INTO child_%04d (parent_id, payload) SELECT 1 + (g * 7919) %% 2000, 'c' || g FROM generate_series(1, %d) g;\n" "$i" "$ROWS"
        fi
    done
    echo "COMMIT;"
    echo "ANALYZE;"
} | psql -d bench

# In the environment, so that no command line shown holds the password.
export DATABASE_URL="postgresql://bench:$password@127.0.0.1:$port/bench"
out="$tmp/stats.json"
"$LEAKLINT" stats -o "$out" 2>"$tmp/first.txt" || { cat "$tmp/first.txt" >&2; die "leaklint stats failed"; }
summary="$(grep 'wrote' "$tmp/first.txt" | sed 's/^leaklint: //')"

echo "collected: $summary"
if command -v hyperfine >/dev/null 2>&1; then
    hyperfine --warmup 1 --runs "$RUNS" --export-json "$tmp/hyperfine.json" \
        "$LEAKLINT stats -o '$out'" >&2
    median="$(python3 -c "import json, sys; print('%.3f' % json.load(open(sys.argv[1]))['results'][0]['median'])" "$tmp/hyperfine.json")"
else
    times=()
    "$LEAKLINT" stats -o "$out" 2>/dev/null # warm-up
    for (( r = 0; r < RUNS; r++ )); do
        start=$(date +%s%N)
        "$LEAKLINT" stats -o "$out" 2>/dev/null
        end=$(date +%s%N)
        times+=("$(( (end - start) / 1000 ))")
    done
    median="$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.3f", a[int((NR + 1) / 2)] / 1e6 }')"
fi
tables="$(python3 -c "import json, sys; f = json.load(open(sys.argv[1])); print(len(f['tables']), sum(len(t['foreign_keys']) for t in f['tables']))" "$out")"
echo "tables, foreign keys: $tables"
echo "median of $RUNS runs: ${median} s (connect, one read-only transaction, write the file)"
