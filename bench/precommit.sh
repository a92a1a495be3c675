#!/usr/bin/env bash
# Pre-commit benchmark: `leaklint check` on a few staged files of a 4,000-file
# monorepo, as the pre-commit hook runs it. See bench/README.md.
#
# Environment overrides:
#   RUNS=N        timed runs of each command           (default: 21)
#   N_FILES=N     corpus size, used when generating it (default: 4000)
#   STAGED=N      files named on the command line      (default: 5)
#   TARGET_MS=X   pass if the median is at most X ms   (default: 10)
#   CORPUS=DIR    corpus directory                     (default: target/bench-precommit)
#   THREADS=N     --threads for leaklint               (default: leaklint's own)
#
# Exit status: 0 PASS, 1 FAIL (median above target), 2 setup error.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUNS="${RUNS:-21}"
N_FILES="${N_FILES:-4000}"
STAGED="${STAGED:-5}"
TARGET_MS="${TARGET_MS:-10}"
CORPUS="${CORPUS:-target/bench-precommit}"
THREADS="${THREADS:-}"
LEAKLINT="$PWD/target/release/leaklint"

die() {
    echo "bench: $*" >&2
    exit 2
}

[[ -n "${EPOCHREALTIME:-}" ]] || die "needs bash 5 (EPOCHREALTIME)"

echo "==> cargo build --release --examples --bins" >&2
cargo build --release --examples --bins >&2

if [[ ! -f "$CORPUS/MANIFEST.tsv" ]]; then
    rm -rf "$CORPUS"
    echo "==> generating $CORPUS ($N_FILES files)" >&2
    target/release/examples/gen_corpus "$CORPUS" "$N_FILES" >&2
    # A repository root, as pre-commit runs in one.
    git -C "$CORPUS" init -q
fi
[[ -d "$CORPUS/.git" ]] || die "$CORPUS is not a git repository (delete it to regenerate)"

cd "$CORPUS"
# The staged files: evenly spaced over the manifest's source files in packages
# (services, routes, components, ...), the same ones on every run.
mapfile -t sources < <(awk -F'\t' 'NR > 1 && $1 ~ /^(apps|packages)\// && $1 ~ /\.(ts|tsx|js|jsx|mjs|cjs|mts|cts)$/ && $1 !~ /\.d\.ts$/ { print $1 }' MANIFEST.tsv | sort)
(( ${#sources[@]} >= STAGED )) || die "corpus has only ${#sources[@]} source files"
staged=()
step=$(( ${#sources[@]} / STAGED ))
for (( i = 0; i < STAGED; i++ )); do
    staged+=("${sources[$(( i * step + step / 2 ))]}")
done
repo_files=$(git ls-files --others --exclude-standard | grep -cE '\.(ts|tsx|js|jsx|mjs|cjs|mts|cts)$' || true)

threads=()
[[ -n "$THREADS" ]] && threads=(--threads "$THREADS")

# median_ms CMD... -> median wall time of RUNS runs in milliseconds (2 decimals)
median_ms() {
    local times=() start end
    "$@" >/dev/null 2>&1 || true # warm-up (page cache)
    for (( r = 0; r < RUNS; r++ )); do
        start=$EPOCHREALTIME
        "$@" >/dev/null 2>&1 || true
        end=$EPOCHREALTIME
        times+=("$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", (e - s) * 1000 }')")
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.2f", a[int((NR + 1) / 2)] }'
}

echo "corpus: $CORPUS ($repo_files source files, git repository)"
echo "staged ($STAGED):"
for f in "${staged[@]}"; do
    printf '  %7d bytes  %s\n' "$(wc -c <"$f")" "$f"
done
echo

# The run pre-commit makes.
total=$(median_ms "$LEAKLINT" check --quiet --format json "${threads[@]}" "${staged[@]}")
# Process start, argument parsing and exit alone.
startup=$(median_ms "$LEAKLINT" --version)
# The staged files alone, copied out of the repository: no project, no imports to follow.
alone_dir="$(mktemp -d)"
trap 'rm -rf "$alone_dir"' EXIT
mkdir "$alone_dir/.git"
alone_files=()
for f in "${staged[@]}"; do
    mkdir -p "$alone_dir/$(dirname "$f")"
    cp "$f" "$alone_dir/$f"
    alone_files+=("$f")
done
alone=$(cd "$alone_dir" && median_ms "$LEAKLINT" check --quiet --format json "${threads[@]}" "${alone_files[@]}")
# The slow path for comparison: a folder among the paths turns the targeted load off
# (the whole repository is walked for manifests, imports are not followed).
mkdir -p .bench-empty
slow=$(median_ms "$LEAKLINT" check --quiet --format json "${threads[@]}" "${staged[@]}" .bench-empty)

# One verbose run: what was read, and the time of the targeted load.
verbose="$("$LEAKLINT" check --verbose --format json "${threads[@]}" "${staged[@]}" 2>&1 >/dev/null || true)"
facts=$(grep -o 'project facts read around.*' <<<"$verbose" || echo "n/a")
index=$(grep -o 'semantic index:.*' <<<"$verbose" || echo "n/a")
read_line=$(grep -oE '[0-9]+ files? read, [0-9]+ parsed, in .*' <<<"$verbose" || echo "n/a")

printf 'median of %d runs, wall ms\n' "$RUNS"
printf '  %-58s %8s\n' "leaklint check on the staged files (the hook)" "$total"
printf '  %-58s %8s\n' "  process start and exit (leaklint --version)" "$startup"
printf '  %-58s %8s\n' "  the staged files alone (no project, no imports)" "$alone"
printf '  %-58s %8s\n' "same files, whole repository walked (slow path)" "$slow"
echo "verbose run:"
echo "  $facts"
echo "  $index"
echo "  $read_line"

if awk -v t="$total" -v max="$TARGET_MS" 'BEGIN { exit !(t <= max) }'; then
    echo "PASS: $total ms <= $TARGET_MS ms"
    exit 0
fi
echo "FAIL: $total ms > $TARGET_MS ms"
exit 1
