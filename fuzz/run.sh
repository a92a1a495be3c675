#!/bin/sh
# Runs fuzz targets for SECONDS each (default 60), one after another on one core, from the
# seed corpus (built by seed.sh when missing). Crashes land in fuzz/artifacts/<target>/.
# Prints the executions of each target at the end.
#   fuzz/run.sh 600                  # analyze, config and sql, 600 s each
#   fuzz/run.sh 600 config sql       # only these
#   SANITIZER=none fuzz/run.sh 600   # without AddressSanitizer: 2-4x the executions
# Leak detection is off: the analysis keeps per-thread parsers and caches on purpose, and
# LeakSanitizer's scans after each input made the analyze target four times slower. Memory
# errors in tree-sitter's C are still caught by AddressSanitizer.
set -eu
cd "$(dirname "$0")"
seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-analyze config sql}
[ -d corpus/analyze ] || ./seed.sh
mkdir -p logs
for target in $targets; do
    mkdir -p "corpus/$target" "artifacts/$target"
    cargo +nightly fuzz run ${SANITIZER:+-s "$SANITIZER"} "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -detect_leaks=0 -artifact_prefix="artifacts/$target/" -print_final_stats=1 \
        > "logs/$target.log" 2>&1 || echo "$target: stopped with a finding, see logs/$target.log and artifacts/$target/"
    runs=$(grep -a 'stat::number_of_executed_units' "logs/$target.log" | tail -1 | awk '{print $2}')
    echo "$target: ${runs:-?} executions in ${seconds}s"
done
