#!/usr/bin/env bash
# Shows a sample call notification with callpop's own notifier under a real
# notification daemon (dunst) on a virtual X display and a private bus, and
# saves a screenshot.
#
#   scripts/notification-screenshot.sh [OUTPUT.png]     (default docs/images/notification.png)
#
# Needs Debian's xvfb, dunst, dbus-daemon and imagemagick. SCRATCH sets the
# SwiftPM scratch path (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/images/notification.png}
scratch=${SCRATCH:-.build}

for tool in Xvfb dunst dbus-daemon import; do
    command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install xvfb dunst dbus-daemon imagemagick" >&2; exit 1; }
done

# Build first, so the timed part below is only the notification itself.
swift build --scratch-path "$scratch" --build-tests >/dev/null

if [ -z "${CALLPOP_IN_PRIVATE_BUS:-}" ]; then
    CALLPOP_IN_PRIVATE_BUS=1 exec scripts/dbus-test-bus.sh "$0" "$@"
fi

tmp=$(mktemp -d -t callpop-shot.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT

# -displayfd prints the display number once the server accepts clients.
exec 3< <(exec Xvfb -displayfd 1 -screen 0 640x200x24 -nolisten tcp 2>/dev/null)
pids+=($!)
read -r display <&3
export DISPLAY=":$display"

cat >"$tmp/dunstrc" <<'CONF'
[global]
    width = 420
    height = 200
    origin = top-right
    offset = 12x12
    font = DejaVu Sans 11
    markup = full
    format = "<b>%s</b>\n%b"
    icon_theme = Adwaita
    enable_recursive_icon_lookup = true
    min_icon_size = 48
    max_icon_size = 48
    frame_width = 2
    frame_color = "#4a90d9"
    corner_radius = 6
    padding = 12
    horizontal_padding = 12
    show_indicators = yes
    background = "#fafafa"
    foreground = "#202020"
[urgency_critical]
    background = "#fafafa"
    foreground = "#202020"
    frame_color = "#4a90d9"
    timeout = 0
CONF
dunst -config "$tmp/dunstrc" >"$tmp/dunst.log" 2>&1 &
pids+=($!)

CALLPOP_NOTIFICATION_DEMO=1 swift test --scratch-path "$scratch" --skip-build --filter showSampleNotification >"$tmp/test.log" 2>&1 \
    || { cat "$tmp/test.log" "$tmp/dunst.log" >&2; exit 1; }

# dunst draws after it answered on the bus; give it a moment to paint.
sleep 1
mkdir -p "$(dirname "$out")"
import -window root -crop 460x120+180+0 +repage "$out"
echo "saved $out"
