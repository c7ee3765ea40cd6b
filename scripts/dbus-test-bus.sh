#!/usr/bin/env bash
# Runs a command on a private D-Bus session bus, then stops the bus.
#
#   scripts/dbus-test-bus.sh COMMAND [ARG...]
#
# The bus (scripts/private-bus.conf) has no service activation, so what owns
# a name on it is exactly what the command started. DBUS_SESSION_BUS_ADDRESS
# points at it while COMMAND runs. Needs Debian's dbus-daemon.
set -euo pipefail

if ! command -v dbus-daemon >/dev/null; then
    echo "dbus-daemon is not installed: apt-get install dbus-daemon" >&2
    exit 1
fi

config="$(cd "$(dirname "$0")" && pwd)/private-bus.conf"
dir=$(mktemp -d -t callpop-bus.XXXXXX)

pid=""
cleanup() {
    if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; fi
    rm -rf "$dir"
}
trap cleanup EXIT

# --fork returns once the bus listens; it prints the address, then the pid.
{ read -r address; read -r pid; } < <(dbus-daemon --config-file="$config" --address="unix:path=$dir/bus" --fork --print-address=1 --print-pid=1)

export DBUS_SESSION_BUS_ADDRESS="$address"
"$@"
