#!/usr/bin/env bash
# Idle resident memory of the shipped binary against the C floor (Benchmarks/idle/floor.c:
# libcurl and libdbus initialised, libldap linked, connected to the session bus, waiting in poll), one agent
# and two agents from the same binary (two users on one machine), on a private session bus,
# following a FIFO nobody writes to. Prints RSS and private-dirty memory after 12 s, then
# counts the wake-ups (voluntary context switches of all threads) of each over IDLE_SECONDS.
#   scripts/idle-rss.sh            builds the release binary as the .deb ships it (packaging/build-deb.sh)
#   BINARY=path scripts/idle-rss.sh
#   IDLE_SECONDS=60 (default)      how long the wake-ups are counted
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

if [[ -z "${BINARY:-}" ]]; then
    packaging/build-deb.sh >/dev/null
    BINARY=out/stage/usr/bin/callpop
fi
cc -O2 -o "$work/floor" Benchmarks/idle/floor.c $(pkg-config --cflags --libs libcurl dbus-1) -lldap

# A bus with nothing to activate (no notification server): the agent waits as on a desktop
# where the notification server is not running yet; the floor does not talk to one either.
dbus-daemon --config-file=scripts/private-bus.conf --nofork --address="unix:path=$work/bus" --print-address=3 3>"$work/bus.address" &
pids+=($!)
for _ in $(seq 50); do [[ -s "$work/bus.address" ]] && break; sleep 0.1; done
export DBUS_SESSION_BUS_ADDRESS="unix:path=$work/bus"

printf '[user]\nnumber = "201"\n[[popup]]\nname = "CRM"\ntrigger = "ringing"\nurl = "https://crm.example.com/?n={CALLERNUM}"\n' > "$work/config.toml"
started=0
start_agent() {
    mkfifo "$work/events-$1"
    "$BINARY" run --config "$work/config.toml" --events "$work/events-$1" --no-control >/dev/null 2>&1 &
    started=$!
    pids+=($started)
}

# Pages of the files read at start-up stay cached; drop them when we may, so each run starts alike.
sync; { echo 3 > /proc/sys/vm/drop_caches; } 2>/dev/null || true

report() {
    local label=$1 pid=$2
    awk -v label="$label" '/^Rss:/ {rss=$2} /^Private_Dirty:/ {dirty=$2} /^Pss:/ {pss=$2}
        END {printf "%-34s RSS %6.1f MB   PSS %6.1f MB   private dirty %5.1f MB\n", label, rss/1024, pss/1024, dirty/1024}' \
        "/proc/$pid/smaps_rollup"
}
"$work/floor" > "$work/floor.out" 2>&1 &
floor=$!
pids+=($floor)
start_agent 1
one=$started
sleep 12
report "C floor (libcurl, libdbus, libldap)" "$floor"
report "callpop, one agent" "$one"
start_agent 2
two=$started
sleep 12
report "callpop, first of two agents" "$one"
report "callpop, second of two agents" "$two"

# Wake-ups: every voluntary context switch of every thread is the thread going to sleep
# after it woke, so the sum over the window is the wake-ups (signals and exits aside).
switches() {
    local pid=$1 total=0 n
    for status in /proc/"$pid"/task/*/status; do
        n=$(awk '/^voluntary_ctxt_switches:/ {print $2}' "$status" 2>/dev/null || echo 0)
        total=$((total + ${n:-0}))
    done
    echo "$total"
}
threads() { ls /proc/"$1"/task | wc -l; }
idle=${IDLE_SECONDS:-60}
declare -A before
for pid in "$floor" "$one" "$two"; do before[$pid]=$(switches "$pid"); done
sleep "$idle"
for entry in "C floor (libcurl, libdbus, libldap):$floor" "callpop, first of two agents:$one" "callpop, second of two agents:$two"; do
    pid=${entry##*:}
    printf '%-34s %d threads, %d wake-ups in %d s\n' "${entry%:*}" "$(threads "$pid")" \
        $(( $(switches "$pid") - ${before[$pid]} )) "$idle"
done
