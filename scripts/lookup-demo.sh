#!/usr/bin/env bash
# Caller lookup against one directory of each type, all on 127.0.0.1: the test servers'
# Radicale (CardDAV) and slapd (LDAP), Tests/Tools/http_server.py as a CRM's JSON API, and a
# vCard export. Writes a configuration, runs `callpop lookup` for a few numbers, stops
# everything. docs/lookup.md quotes its output.
#
#   scripts/lookup-demo.sh [CALLPOP_BINARY]     (default: .build/debug/callpop)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
binary=${1:-$root/.build/debug/callpop}
work=$(mktemp -d /tmp/callpop-lookup-demo.XXXXXX)
chmod 700 "$work"
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
dav=$(free_port); ldap=$(free_port); ldaps=$(free_port)
# slapd drops to the openldap user when started as root: its directory must not sit in ours.
slapd_dir=$(mktemp -u /tmp/callpop-lookup-demo-slapd.XXXXXX)
cleanup() {
    [[ -f "$work/http.pid" ]] && kill "$(cat "$work/http.pid")" 2>/dev/null || true
    bash "$root/scripts/test-servers/radicale.sh" stop "$work/radicale" >/dev/null 2>&1 || true
    bash "$root/scripts/test-servers/slapd.sh" stop "$slapd_dir" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
bash "$root/scripts/test-servers/radicale.sh" start "$work/radicale" "$dav" >/dev/null
bash "$root/scripts/test-servers/slapd.sh" start "$slapd_dir" "$ldap" "$ldaps" >/dev/null
cat > "$work/crm.json" <<'JSON'
{"routes": {"/api/contacts/%2B49301112223": [{"body": "{\"result\":{\"records\":[{\"name\":\"Clara Client\",\"id\":4711,\"company\":{\"name\":\"Client & Co\"},\"url\":\"https://crm.example.com/contacts/4711\"}]}}"}]},
 "default": {"status": 404, "body": "{}"}}
JSON
/usr/bin/python3 "$root/Tests/Tools/http_server.py" --script "$work/crm.json" --log "$work/crm.log" --port-file "$work/crm.port" &
echo $! > "$work/http.pid"
for ((i = 0; i < 100; i++)); do [[ -s "$work/crm.port" ]] && break; sleep 0.05; done
crm=$(cat "$work/crm.port")
mkdir -p "$work/home/.config/callpop" "$work/contacts"
printf 'anna-secret\n' > "$work/home/.config/callpop/radicale-password"
printf 'reader-secret\n' > "$work/home/.config/callpop/ldap-password"
printf 'demo-token\n' > "$work/home/.config/callpop/crm-token"
chmod 600 "$work/home/.config/callpop/"*
printf 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Emil Export\r\nTEL;TYPE=CELL:+49 (0)151 2345 6789\r\nEND:VCARD\r\n' > "$work/contacts/emil.vcf"
cat > "$work/config.toml" <<TOML
[user]
number = "201"
country_code = "49"

[[directory]]
name = "radicale"
type = "carddav"
url = "http://127.0.0.1:$dav/anna/contacts/"
timeout = "10s"                         # the first sync of a new Radicale takes seconds
user = "anna"
password_file = "~/.config/callpop/radicale-password"
record_hosts = ["crm.example.com"]

[[directory]]
name = "company"
type = "ldap"
uri = "ldap://127.0.0.1:$ldap"
bind_dn = "uid=reader,dc=example,dc=com"
password_file = "~/.config/callpop/ldap-password"
base = "ou=people,dc=example,dc=com"
record_hosts = ["crm.example.com"]

[[directory]]
name = "crm"
type = "http"
url = "http://127.0.0.1:$crm/api/contacts/{CALLERNUM:e164}"
token_file = "~/.config/callpop/crm-token"
name_field = "result.records[0].name"
company_field = "result.records[0].company.name"
url_field = "result.records[0].url"
id_field = "result.records[0].id"
record_hosts = ["crm.example.com"]

[[directory]]
name = "exports"
type = "file"
path = "$work/contacts"
TOML
export HOME=$work/home XDG_CACHE_HOME=$work/cache
run() {
    local shown=()
    for word in "$@"; do [[ $word == --* ]] && shown+=("$word") || shown+=("'$word'"); done
    echo "\$ callpop lookup ${shown[*]}"
    "$binary" lookup --config "$work/config.toml" "$@" | sed "s#$work#/tmp/…#g; s#127.0.0.1:[0-9]*#127.0.0.1:PORT#g"
    echo
}
run "040/1234567"
run "+49 30 111 22 23"
run "0151 23456789"
run "0401234566"
run "*)(uid=*"
run --json "L0#0401234567"
