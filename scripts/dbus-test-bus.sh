#!/usr/bin/env bash
# Runs a command on a private D-Bus session bus, then stops the bus.
#
#   scripts/dbus-test-bus.sh COMMAND [ARG...]
#
# The bus has no service activation (nothing starts by itself), so what owns
# a name on it is exactly what the command started. DBUS_SESSION_BUS_ADDRESS
# points at it while COMMAND runs. Needs Debian's dbus-daemon.
set -euo pipefail

if ! command -v dbus-daemon >/dev/null; then
    echo "dbus-daemon is not installed: apt-get install dbus-daemon" >&2
    exit 1
fi

dir=$(mktemp -d -t callpop-bus.XXXXXX)
cat >"$dir/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$dir/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF

# --fork returns once the bus listens; it prints the address, then the pid.
{ read -r address; read -r pid; } < <(dbus-daemon --config-file="$dir/bus.conf" --fork --print-address=1 --print-pid=1)
cleanup() {
    # dbus-daemon ignores SIGTERM in this setup; SIGKILL is what stops it.
    kill -KILL "$pid" 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT

export DBUS_SESSION_BUS_ADDRESS="$address"
"$@"
