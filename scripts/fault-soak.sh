#!/usr/bin/env bash
# The fault soak of issue #10 in its long form: the built agent against a replaying Asterisk
# (Tests/Tools/ami_replay.py) and a recording notification server on a private bus, through
# 200 connection cuts in a 600-call stream, a notification server that leaves mid-call, a
# broken configuration reloaded, a missing opener and 200 programs that never end.
# The short form (60 calls, 20 cuts, 12 programs) runs with the rest of the tests in
# `make test`; its results are printed as lines starting with "soak:".
#
#   scripts/fault-soak.sh          long form
#   CALLPOP_SOAK=short scripts/fault-soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh --test
swift build --build-tests
CALLPOP_SOAK=${CALLPOP_SOAK:-long} swift test --skip-build --filter FaultSoakTests 2>&1 | grep -E '^soak:|✘|✔ Test run|Expectation' 
