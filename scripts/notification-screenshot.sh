#!/usr/bin/env bash
# Screenshots of the built agent's call notification under two real notification servers,
# each on a virtual X display and a private session bus:
#   docs/images/notification-dunst.png    stock Debian dunst (its /etc/xdg/dunst/dunstrc as is):
#                                          the actions live in its context menu
#   docs/images/notification-buttons.png  notification-daemon, which shows action buttons
#
#   scripts/notification-screenshot.sh [OUTPUT-DIRECTORY]     (default docs/images)
#
# Needs Debian's xvfb, dunst, notification-daemon, dbus-daemon and imagemagick
# (scripts/deps.sh --test). SCRATCH sets the SwiftPM scratch path (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/images}
scratch=${SCRATCH:-.build}

for tool in Xvfb dunst dbus-daemon import convert /usr/lib/notification-daemon/notification-daemon; do
    command -v "$tool" >/dev/null || {
        echo "$tool is missing: apt-get install xvfb dunst notification-daemon dbus-daemon imagemagick" >&2
        exit 1
    }
done

if [ -z "${CALLPOP_IN_PRIVATE_BUS:-}" ]; then
    swift build --scratch-path "$scratch" --product callpop >/dev/null
    mkdir -p "$out"
    # One private bus per server, so the second does not find the first.
    for server in dunst buttons; do
        CALLPOP_IN_PRIVATE_BUS=$server scripts/dbus-test-bus.sh "$0" "$@"
    done
    exit 0
fi

binary=$(swift build --scratch-path "$scratch" --show-bin-path)/callpop
tmp=$(mktemp -d -t callpop-shot.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT

# -displayfd prints the display number once the server accepts clients.
exec 3< <(exec Xvfb -displayfd 1 -screen 0 900x400x24 -nolisten tcp 2>/dev/null)
pids+=($!)
read -r display <&3
export DISPLAY=":$display"
# Nothing of the developer's own desktop: configuration, themes and data from a fresh HOME.
export HOME=$tmp XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/data XDG_STATE_HOME=$tmp/state

case "$CALLPOP_IN_PRIVATE_BUS" in
    dunst) dunst >"$tmp/server.log" 2>&1 & ;;
    buttons) /usr/lib/notification-daemon/notification-daemon >"$tmp/server.log" 2>&1 & ;;
esac
pids+=($!)

# The agent, with two on-click rules, reading a ringing call from a FIFO; nothing is opened.
mkfifo "$tmp/events"
cat >"$tmp/config.toml" <<EOF
[user]
number = "201"

[pbx]
source = "events"
path = "$tmp/events"

[launch]
opener = "/bin/true"

[[popup]]
name = "Open in CRM"
trigger = "on-click"
url = "https://crm.example.com/contacts?phone={CALLERNUM}"

[[popup]]
name = "New ticket"
trigger = "on-click"
url = "https://desk.example.com/tickets/new?from={CALLERNUM}"
EOF
# The agent waits for the notification server's name; give the server a moment to take it.
for _ in $(seq 50); do
    dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.GetNameOwner \
        string:org.freedesktop.Notifications >/dev/null 2>&1 && break
    sleep 0.1
done
"$binary" run --config "$tmp/config.toml" >"$tmp/agent.log" 2>&1 &
pids+=($!)
printf '%s\n' '{"call":"demo","state":"ringing","direction":"incoming","number":"+44 20 7123 4567","name":"Jane Doe <Acme & Sons>"}' >"$tmp/events"

# The server draws after it answered on the bus; give it a moment to paint.
sleep 2
shot=$out/notification-$CALLPOP_IN_PRIVATE_BUS.png
# The screen is black but for the notification: trim to it, and leave a small margin.
import -window root "$tmp/screen.png"
convert "$tmp/screen.png" -trim +repage -bordercolor black -border 8 "$shot"
echo "saved $shot ($(identify -format '%wx%h' "$shot"))"
