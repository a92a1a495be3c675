#!/bin/sh
# Builds the seed corpora from this repository's own fixtures and rule docs (never fetched code):
#   corpus/analyze  every fixture source file and every code block of rules/*.md
#   corpus/config   every leaklint.toml of the fixtures, the README's config example, and the
#                   suppression comments found in the fixtures
#   corpus/sql      every line of the fixtures that holds a SELECT/INSERT/UPDATE/DELETE/WITH
set -eu
cd "$(dirname "$0")"
root=..
rm -rf corpus/analyze corpus/config corpus/sql
mkdir -p corpus/analyze corpus/config corpus/sql

n=0
for f in $(find "$root/fixtures" -type f \( -name '*.ts' -o -name '*.tsx' -o -name '*.js' -o -name '*.jsx' -o -name '*.mjs' -o -name '*.cjs' -o -name '*.mts' -o -name '*.cts' \) | sort); do
    n=$((n + 1))
    cp "$f" "corpus/analyze/fixture-$n"
done
# Code blocks of the rule docs: one seed per block.
for doc in "$root"/rules/*.md; do
    base=$(basename "$doc" .md)
    awk -v out="corpus/analyze/doc-$base" '
        /^```(ts|tsx|js|typescript|javascript)/ { inside = 1; i++; file = out "-" i; next }
        /^```/ { inside = 0; next }
        inside { print > file }
    ' "$doc"
done

n=0
for f in $(find "$root/fixtures" -name 'leaklint.toml' | sort); do
    n=$((n + 1))
    cp "$f" "corpus/config/fixture-$n"
done
awk '/^```toml/ { inside = 1; i++; next } /^```/ { inside = 0; next } inside { print > ("corpus/config/readme-" i) }' "$root/README.md"
grep -rhoE '(//|/\*).*leaklint-disable.*' "$root/fixtures" "$root/rules" 2>/dev/null | sort -u | awk '{ print > ("corpus/config/suppression-" NR) }'

grep -rhiE '(select|insert|update|delete|with) ' "$root/fixtures" --include='*.ts' --include='*.js' --include='*.tsx' \
    | grep -iE 'select |insert into|update |delete from' \
    | sed -E 's/^[^`"'"'"']*[`"'"'"']//; s/[`"'"'"'][^`"'"'"']*$//' \
    | sort -u | awk '{ print > ("corpus/sql/fixture-" NR) }'

for d in analyze config sql; do
    echo "$d: $(ls corpus/$d | wc -l) seeds"
done
