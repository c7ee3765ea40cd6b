#!/usr/bin/env bash
# The whole test suite: what `make test` and CI run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
swift build --build-tests
# Suites that need a session bus or a SIP server start their own private
# instances on loopback; nothing here depends on the developer's desktop.
swift test --skip-build
