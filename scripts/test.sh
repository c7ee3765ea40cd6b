#!/usr/bin/env bash
# The whole test suite: what `make test` and CI run.
#   1. every Swift test suite (unit, recorded PBX traffic, real dbus-daemon, Kamailio, sipp,
#      the built binary with the real xdg-open, the short fault soak), then the benchmark's
#      decision check and a smoke run of every fuzz target;
#   2. the Debian package: built, linted, installed with apt-get and exercised (needs root:
#      it runs under CI or as root, and is skipped with a notice otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh --test
swift build --build-tests
# Suites that need a session bus or a SIP server start their own private
# instances on loopback; nothing here depends on the developer's desktop.
# One test at a time: several suites measure time (retransmission timers, backoff,
# prompt cancellation) and would fail for no fault of their own while the CPU-heavy
# fuzz suites hold both cores of a small machine.
swift test --skip-build --no-parallel
# The benchmark's CI form: callpop, a panoramisk script and a plain-C client must make the
# same decisions on the recorded AMI streams (timings are never pass/fail on a shared machine).
scripts/bench.sh --check
# Every libFuzzer target for a few seconds (Fuzz/README.md): 30 s in all, after building
# them with the sanitizers in .build-fuzz. The long runs are `make fuzz`.
Fuzz/run.sh smoke 30
if [[ $(id -u) -eq 0 || -n "${CI:-}" ]]; then
    make packaging-test
else
    echo "test.sh: packaging test skipped (it installs the .deb system-wide): run 'sudo make packaging-test'" >&2
fi
