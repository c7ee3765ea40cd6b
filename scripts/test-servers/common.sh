# Shared by the test-server scripts (sourced).

# stop_and_remove DIR PIDFILE: SIGTERM the server whose pid is in DIR/PIDFILE, SIGKILL it
# after 5 s, then remove DIR.
stop_and_remove() {
    local dir=$1 pidfile=$1/$2
    if [[ -f "$pidfile" ]]; then
        local pid
        pid=$(cat "$pidfile")
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
}
