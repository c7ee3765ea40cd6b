#!/usr/bin/env bash
# Builds and runs callpop's libFuzzer targets (Fuzz/README.md).
#
#   Fuzz/run.sh smoke [SECONDS]        every target for SECONDS in all (default 30), as CI does
#   Fuzz/run.sh long [RUNS] [TARGET…]  each target (default: all) for RUNS executions (default 10,000,000)
#   Fuzz/run.sh replay TARGET FILE…    run inputs (a crash-… file) through the sanitized build once
#
# The build lives in .build-fuzz (release, -sanitize=fuzzer,address); corpora grow in
# .build-fuzz/corpus/TARGET, seeded from the recorded fixtures by Fuzz/seed-corpora.py; a crash
# is kept in .build-fuzz/crashes/TARGET/ and ends the run with status 1. Each run ends with one
# line of figures per target: executions, seconds, coverage (edges and features), corpus size,
# crashes. Fuzzing is CPU-heavy: it runs at the lowest priority, one target at a time.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-smoke}
shift || true
targets=(ami-framer ami-session sip-message dialog-info ndjson config template vcard csv carddav json-answer)
scratch=.build-fuzz
binary=$scratch/release/callpop-fuzz

# The Swift runtime's own crash reporter would race AddressSanitizer's report: leave it to ASan.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}

build() {
    echo "fuzz: building the sanitized targets in $scratch (release, libFuzzer, AddressSanitizer)" >&2
    # lld: ld.gold fails on these objects with an internal error in its DWARF reader.
    nice -n 19 swift build -c release --scratch-path "$scratch" --product callpop-fuzz \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -DCALLPOP_FUZZING -Xswiftc -use-ld=lld >&2
    python3 Fuzz/seed-corpora.py "$scratch/corpus"
}

# The longest input libFuzzer makes: a few AMI events, a NOTIFY, a configuration file.
max_len() {
    case $1 in
        dialog-info | carddav) echo 8192 ;;
        template) echo 2048 ;;
        *) echo 4096 ;;
    esac
}

# run TARGET LIMIT-OPTION: fuzzes TARGET and prints its figures; returns 1 on a crash.
run() {
    local target=$1 limit=$2 log
    mkdir -p "$scratch/corpus/$target" "$scratch/crashes/$target" "$scratch/logs"
    log=$scratch/logs/$target.log
    local start status=0
    start=$(date +%s)
    nice -n 19 "$binary" "$target" "$scratch/corpus/$target" "$limit" -max_len="$(max_len "$target")" \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$scratch/crashes/$target/" \
        >"$log" 2>&1 || status=$?
    local seconds=$(( $(date +%s) - start ))
    local runs cov ft corpus crashes
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    corpus=$(find "$scratch/corpus/$target" -type f | wc -l)
    crashes=$(find "$scratch/crashes/$target" -type f | wc -l)
    printf '| %s | %s | %s s | %s | %s | %s | %s |\n' "$target" "${runs:-?}" "$seconds" "${cov:-?}" "${ft:-?}" "$corpus" "$crashes"
    if [[ $status -ne 0 ]]; then
        echo "fuzz: $target found a problem (status $status); log: $log" >&2
        grep -E 'check failed|ERROR: AddressSanitizer|Fatal error|deadly signal|Test unit written' "$log" >&2 || tail -20 "$log" >&2
        return 1
    fi
}

header() {
    echo "| target | executions | time | coverage (edges) | features | corpus | crashes kept |"
    echo "|---|---|---|---|---|---|---|"
}

case $mode in
    smoke)
        total=${1:-30}
        build
        per=$(( total / ${#targets[@]} ))
        (( per >= 1 )) || per=1
        header
        failed=0
        for target in "${targets[@]}"; do run "$target" -max_total_time="$per" || failed=1; done
        exit $failed
        ;;
    long)
        runs=${1:-10000000}
        shift || true
        (( $# > 0 )) && targets=("$@")
        build
        header
        failed=0
        for target in "${targets[@]}"; do run "$target" -runs="$runs" || failed=1; done
        exit $failed
        ;;
    replay)
        build
        target=$1
        shift
        nice -n 19 "$binary" "$target" "$@"
        ;;
    *)
        sed -n '2,12p' "$0" >&2
        exit 2
        ;;
esac
