#!/usr/bin/env bash
# Speed benchmark: leaklint vs. a bare walk + read + tree-sitter parse of the
# same files (examples/bare_parse.rs) on a synthetic monorepo
# (examples/gen_corpus.rs). See bench/README.md.
#
# Environment overrides:
#   THREADS=N        worker threads for both tools   (default: nproc)
#   RUNS=N           timed runs per tool              (default: 5)
#   TARGET_RATIO=X   pass if leaklint/bare <= X       (default: 1.3)
#   CORPUS=DIR       corpus directory                 (default: target/bench-corpus)
#   N_FILES=N SEED=S corpus size and seed, used only when generating it
#
# Exit status: 0 PASS, 1 FAIL (ratio above target), 2 setup error.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

THREADS="${THREADS:-$(nproc)}"
RUNS="${RUNS:-5}"
TARGET_RATIO="${TARGET_RATIO:-1.3}"
CORPUS="${CORPUS:-target/bench-corpus}"
N_FILES="${N_FILES:-6000}"
SEED="${SEED:-}"

BARE=target/release/examples/bare_parse
LEAKLINT=target/release/leaklint

die() {
    echo "bench: $*" >&2
    exit 2
}

echo "==> cargo build --release --examples --bins" >&2
cargo build --release --examples --bins >&2

if [[ ! -f "$CORPUS/MANIFEST.tsv" ]]; then
    rm -rf "$CORPUS"
    echo "==> generating corpus in $CORPUS ($N_FILES files)" >&2
    # shellcheck disable=SC2086 # SEED is optional
    target/release/examples/gen_corpus "$CORPUS" "$N_FILES" $SEED >&2
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# /usr/bin/time reports peak RSS (and CPU time); without it those columns
# read n/a.
TIME_BIN=""
if [[ -x /usr/bin/time ]] && /usr/bin/time -f '%M %U %S' -o "$tmp/probe" true 2>/dev/null; then
    TIME_BIN=/usr/bin/time
fi

now_ns() { date +%s%N; }

# run_one TOOL OUT TIME_FILE -> prints elapsed wall seconds; TIME_FILE gets
# "peak_rss_kb user_s sys_s" when /usr/bin/time is available.
run_one() {
    local tool="$1" out="$2" rss="$3" start end status=0
    local cmd
    if [[ "$tool" == bare ]]; then
        cmd=("$BARE" "$CORPUS" --threads "$THREADS")
    else
        cmd=("$LEAKLINT" check "$CORPUS" --format json --quiet --threads "$THREADS")
    fi
    if [[ -n "$TIME_BIN" ]]; then
        cmd=("$TIME_BIN" -f '%M %U %S' -o "$rss" "${cmd[@]}")
    fi
    start=$(now_ns)
    "${cmd[@]}" >"$out" 2>"$out.err" || status=$?
    end=$(now_ns)
    # leaklint exits 1 when it reports findings, which the corpus guarantees.
    if [[ "$tool" == bare && $status -ne 0 ]] || [[ "$tool" == leaklint && $status -gt 1 ]]; then
        cat "$out.err" >&2
        die "$tool exited with status $status"
    fi
    awk -v s="$start" -v e="$end" 'BEGIN { printf "%.4f\n", (e - s) / 1e9 }'
}

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo "==> machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown CPU), load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')" >&2
echo "==> warm-up (1 run each), then $RUNS timed runs each, interleaved, --threads $THREADS" >&2
run_one bare "$tmp/bare.out" "$tmp/bare.rss.0" >/dev/null
run_one leaklint "$tmp/leak.out" "$tmp/leak.rss.0" >/dev/null

: >"$tmp/bare.times"
: >"$tmp/leak.times"
for i in $(seq 1 "$RUNS"); do
    run_one bare "$tmp/bare.out" "$tmp/bare.rss.$i" >>"$tmp/bare.times"
    run_one leaklint "$tmp/leak.out" "$tmp/leak.rss.$i" >>"$tmp/leak.times"
    echo "    run $i: bare $(tail -n1 "$tmp/bare.times") s, leaklint $(tail -n1 "$tmp/leak.times") s" >&2
done

bare_files=$(awk '/^files:/ { print $2 }' "$tmp/bare.out")
bare_bytes=$(awk '/^bytes:/ { print $2 }' "$tmp/bare.out")
bare_errors=$(awk '/^files_with_errors:/ { print $2 }' "$tmp/bare.out")

# leaklint's file count comes from its JSON summary; bytes are taken from the
# bare walk (same walk, same files) unless the counts disagree.
leak_files=""
if command -v jq >/dev/null 2>&1; then
    leak_files=$(jq -r '.summary.files // empty' "$tmp/leak.out" 2>/dev/null || true)
    leak_findings=$(jq -r '.diagnostics | length' "$tmp/leak.out" 2>/dev/null || echo '?')
else
    leak_files=$(grep -o '"files": *[0-9]*' "$tmp/leak.out" | head -n1 | grep -o '[0-9]*$' || true)
    leak_findings=$(grep -c '"rule":' "$tmp/leak.out" || true)
fi
leak_files="${leak_files:-$bare_files}"
leak_bytes="$bare_bytes"
bytes_note=""
if [[ "$leak_files" != "$bare_files" ]]; then
    bytes_note=" (MB assumed equal to bare: file counts differ!)"
fi

bare_med=$(median <"$tmp/bare.times")
leak_med=$(median <"$tmp/leak.times")

# Timed runs only (suffix 1..RUNS; 0 is the warm-up). /usr/bin/time may
# prepend a "Command exited with non-zero status" line: keep the last line.
time_lines() { for f in "$tmp/$1".rss.[1-9]*; do [[ -f "$f" ]] && tail -n1 "$f"; done; }
peak_rss() { # max peak RSS in MB over the timed runs, or n/a
    if [[ -z "$TIME_BIN" ]]; then echo n/a; return; fi
    time_lines "$1" | awk '$1 ~ /^[0-9]+$/ && $1 > m { m = $1 } END { if (m) printf "%.1f\n", m / 1024; else print "n/a" }'
}
cpu_median() { # median user+sys seconds over the timed runs, or n/a
    if [[ -z "$TIME_BIN" ]]; then echo n/a; return; fi
    local v
    v=$(time_lines "$1" | awk 'NF == 3 { printf "%.2f\n", $2 + $3 }' | median)
    echo "${v:-n/a}"
}
bare_rss=$(peak_rss bare)
leak_rss=$(peak_rss leak)
bare_cpu=$(cpu_median bare)
leak_cpu=$(cpu_median leak)

row() { # tool files bytes median cpu rss
    awk -v t="$1" -v f="$2" -v b="$3" -v s="$4" -v c="$5" -v r="$6" 'BEGIN {
        printf "%-10s %7d %8.1f %10.3f %9.0f %8.2f %9s %8s\n", t, f, b / 1e6, s, f / s, b / 1e6 / s, c, r
    }'
}

echo
printf "%-10s %7s %8s %10s %9s %8s %9s %8s\n" tool files MB "median s" "files/s" "MB/s" "cpu s" "RSS MB"
row bare "$bare_files" "$bare_bytes" "$bare_med" "$bare_cpu" "$bare_rss"
row leaklint "$leak_files" "$leak_bytes" "$leak_med" "$leak_cpu" "$leak_rss"
echo
echo "runs (s): bare [$(paste -sd' ' "$tmp/bare.times")], leaklint [$(paste -sd' ' "$tmp/leak.times")]"
echo "threads: $THREADS; corpus: $CORPUS; bare parse errors: $bare_errors; leaklint findings: $leak_findings$bytes_note"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?') (wall times are only meaningful on an otherwise idle machine)"
if [[ "$bare_cpu" != n/a && "$leak_cpu" != n/a ]]; then
    awk -v l="$leak_cpu" -v b="$bare_cpu" 'BEGIN { if (b > 0) printf "cpu-time ratio leaklint/bare: %.2f (informational)\n", l / b }'
fi

verdict=$(awk -v l="$leak_med" -v b="$bare_med" -v t="$TARGET_RATIO" 'BEGIN {
    r = l / b
    printf "ratio leaklint/bare: %.2f (target <= %s): %s\n", r, t, (r <= t ? "PASS" : "FAIL")
}')
echo "$verdict"
[[ "$verdict" == *PASS ]]
