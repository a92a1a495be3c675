#!/usr/bin/env bash
# Cost of very large files: for N = 1,000, 4,000 and 8,000 queries in loops, one file per shape
# (examples/gen_large.rs), times the release binary on each file (best of RUNS) and checks that
# every finding is reported. Linear code takes about twice as long for 8,000 as for 4,000;
# quadratic code four times. PASS when, for every shape, time(8,000) <= MAX_GROWTH x
# time(4,000) and the counts are exact. See bench/README.md.
#
#   RUNS=N          timed runs per file   (default: 3)
#   MAX_GROWTH=X    allowed 8,000/4,000   (default: 3)
#
# Exit status: 0 PASS, 1 FAIL, 2 setup error.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUNS="${RUNS:-3}"
MAX_GROWTH="${MAX_GROWTH:-3}"
LEAKLINT=target/release/leaklint

echo "==> cargo build --release --examples --bins" >&2
cargo build --release --examples --bins >&2 || exit 2

dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT

now_ns() { date +%s%N; }

declare -A seconds
status=0
printf '%-16s %6s %10s %9s %8s\n' shape N bytes seconds findings
for n in 1000 4000 8000; do
    while IFS=$'\t' read -r file expected; do
        shape="${file%-*}"
        best=""
        for _ in $(seq "$RUNS"); do
            start=$(now_ns)
            code=0
            "$LEAKLINT" check "$dir/$file" --format json --select query-in-loop >"$dir/out.json" || code=$?
            end=$(now_ns)
            [[ $code -eq 1 ]] || { echo "bench: $file: exit code $code" >&2; exit 2; }
            ns=$((end - start))
            if [[ -z "$best" || $ns -lt $best ]]; then best=$ns; fi
        done
        found=$(grep -c '"rule": "query-in-loop"' "$dir/out.json" || true)
        secs=$(awk -v ns="$best" 'BEGIN { printf "%.3f", ns / 1e9 }')
        seconds["$shape,$n"]=$secs
        printf '%-16s %6s %10s %9s %8s\n' "$shape" "$n" "$(wc -c <"$dir/$file")" "$secs" "$found"
        if [[ "$found" != "$expected" ]]; then
            echo "FAIL: $file: $found findings, expected $expected" >&2
            status=1
        fi
    done < <(target/release/examples/gen_large "$dir" "$n")
done
for shape in one-loop many-loops helpers sequelize sql; do
    growth=$(awk -v a="${seconds["$shape,8000"]}" -v b="${seconds["$shape,4000"]}" \
        'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    verdict=ok
    if awk -v g="$growth" -v m="$MAX_GROWTH" 'BEGIN { exit !(g > m) }'; then
        verdict=FAIL
        status=1
    fi
    echo "$shape: 8,000 / 4,000 = $growth ($verdict)"
done
if [[ $status -eq 0 ]]; then echo PASS; else echo FAIL; fi
exit $status
