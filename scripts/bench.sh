#!/usr/bin/env bash
# The benchmark anyone can rerun (`make bench`), and its CI form (`scripts/bench.sh --check`).
#
#   scripts/bench.sh            release build; callpop vs a panoramisk script vs a plain-C
#                               splitter on the recorded AMI streams (throughput, callgrind
#                               instructions per event, start to first decision, event → spawn
#                               latency), then the callpop-bench sections (decision, spawn, ami),
#                               then idle memory and wake-ups against a C floor (scripts/idle-rss.sh)
#   scripts/bench.sh --check    debug build; only checks that the three make the same decisions
#   scripts/bench.sh [--check] -- OPTIONS   passes OPTIONS to Benchmarks/ami-bench/run_bench.py
#                               (e.g. -- --loops 500 --latency-calls 1000 for a short run)
#
# The C programs are built into .build-bench/, and panoramisk is installed into a virtual
# environment there (python3 -m venv; pip install); nothing of it goes into git.
set -euo pipefail
cd "$(dirname "$0")/.."

check=0
if [[ "${1:-}" == "--check" ]]; then
    check=1
    shift
fi
[[ "${1:-}" == "--" ]] && shift

out=.build-bench
mkdir -p "$out"
cc=${CC:-cc}
src=Benchmarks/ami-bench
for program in replay splitter; do
    "$cc" -O2 -std=c11 -Wall -Wextra -Werror -o "$out/ami-$program" "$src/$program.c" "$src/decide.c" "$src/md5.c"
done
"$cc" -O2 -shared -fPIC -o "$out/valgrind-sigsuspend.so" "$src/valgrind-sigsuspend.c"
# Static when the C library allows it: no dynamic loader runs between the spawn and the clock.
"$cc" -O2 -static -o "$out/stub-opener" "$src/stub-opener.c" 2>/dev/null \
    || "$cc" -O2 -o "$out/stub-opener" "$src/stub-opener.c"

venv="$out/venv"
if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c 'import panoramisk' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'panoramisk==1.4'
fi

if ((check)); then
    swift build --product callpop > "$out/build.log" || { cat "$out/build.log" >&2; exit 1; }
    callpop=$(swift build --show-bin-path)/callpop
    exec python3 "$src/run_bench.py" --check --callpop "$callpop" --python "$venv/bin/python" --bin "$out" "$@"
fi

release=(swift build -c release --scratch-path .build-release)
# swift build reports its errors on standard output: shown only when the build fails.
for product in callpop callpop-bench; do
    "${release[@]}" --product "$product" > "$out/build.log" || { cat "$out/build.log" >&2; exit 1; }
done
bin=$("${release[@]}" --show-bin-path)
python3 "$src/run_bench.py" --callpop "$bin/callpop" --python "$venv/bin/python" --bin "$out" "$@"
echo
echo "callpop-bench (in-process sections):"
"$bin/callpop-bench"
# Idle: the shipped binary (release, static Swift runtime, stripped) against the C floor.
echo
echo "idle, following a FIFO (scripts/idle-rss.sh):"
scripts/idle-rss.sh
