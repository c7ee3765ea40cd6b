#!/usr/bin/env bash
# A throw-away Radicale CardDAV server for the CardDAV tests, on 127.0.0.1 only.
#
#   radicale.sh start DIR PORT   generate config, a user and an address book in DIR (new or
#                                empty) and start Radicale; prints when ready
#   radicale.sh stop DIR         stop it and remove DIR
#
# User "anna", password "anna-secret"; address book /anna/contacts/ with a few hundred
# contacts, vCard 3.0 and 4.0, numbers in mixed formats (see the generator below; the tests
# in Tests/CallPopLookupTests/RadicaleTests.swift rely on it). Runs as the calling user.
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"

usage() { echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2; }

generate() {
    local book=$1
    # Radicale's own interpreter, not a version manager's, so its modules are found.
    /usr/bin/python3 - "$book" <<'PY'
import json, os, sys
book = sys.argv[1]
os.makedirs(book, exist_ok=True)
with open(os.path.join(book, ".Radicale.props"), "w") as f:
    json.dump({"tag": "VADDRESSBOOK", "D:displayname": "Contacts"}, f)

def card(uid, version, name, numbers, org=None, url=None):
    lines = ["BEGIN:VCARD", "VERSION:%s" % version, "UID:%s" % uid, "FN:%s" % name.replace(",", "\\,"),
             "N:%s;%s;;;" % (name.split()[-1], name.split()[0])]
    if org: lines.append("ORG:%s" % org.replace(";", "\\;"))
    if url: lines.append("URL:%s" % url)
    for kind, number in numbers:
        if version == "4.0":
            tel = "tel:" + number.replace(" ", "-") if number.startswith("+") else number
            lines.append("TEL;VALUE=%s;TYPE=%s:%s" % ("uri" if tel.startswith("tel:") else "text", kind, tel))
        else:
            lines.append("TEL;TYPE=%s:%s" % (kind.upper(), number))
    lines.append("END:VCARD")
    return "\r\n".join(lines) + "\r\n"

named = [
    ("anna", "3.0", "Anna Alster", [("work", "+49 40 1234567")], "Alster GmbH", "https://crm.example.com/contacts/anna"),
    ("bernd", "4.0", "Bernd Berg", [("work", "040/7654321"), ("cell", "+49 171 2345678")], "Berg & Söhne", None),
    ("clara", "3.0", "Clara Client", [("home", "0049 (0)30 1112223")], None, None),
    ("frank", "4.0", "Frank Fog", [("cell", "+44 20 7123 4567")], "Fog; Ltd", None),
    ("gina", "3.0", "Gina Grün", [("work", "+49 40 1234568")], None, None),
]
for uid, version, name, numbers, org, url in named:
    with open(os.path.join(book, uid + ".vcf"), "w") as f:
        f.write(card(uid, version, name, numbers, org, url))

formats = ["+49 40 %d", "040 %d", "0049 40 %d", "+49 (0)40 %d", "040-%d", "(040) %d", "+4940%d"]
for n in range(300):
    number = formats[n % len(formats)] % (3000000 + n)
    version = "4.0" if n % 2 else "3.0"
    with open(os.path.join(book, "person-%03d.vcf" % n), "w") as f:
        f.write(card("person-%03d" % n, version, "Person %03d" % n, [("work", number)]))
PY
}

start() {
    local dir=$1 port=$2
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    chmod 700 "$dir"
    generate "$dir/collections/collection-root/anna/contacts"
    printf 'anna:anna-secret\n' > "$dir/users"
    cat > "$dir/config" <<CONF
[server]
hosts = 127.0.0.1:$port
[auth]
type = htpasswd
htpasswd_filename = $dir/users
htpasswd_encryption = plain
[rights]
type = owner_only
[storage]
filesystem_folder = $dir/collections
[logging]
level = warning
CONF
    /usr/bin/python3 -m radicale --config "$dir/config" > "$dir/radicale.log" 2>&1 &
    echo $! > "$dir/radicale.pid"
    for ((i = 0; i < 100; i++)); do
        local code
        code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/" || true)
        if [[ "$code" != "000" ]]; then
            echo "radicale ready on 127.0.0.1:$port, pid $(cat "$dir/radicale.pid")"
            return 0
        fi
        sleep 0.1
    done
    echo "radicale did not start; see $dir/radicale.log" >&2
    cat "$dir/radicale.log" >&2 || true
    return 1
}

stop() {
    stop_and_remove "$1" radicale.pid
}

case "${1:-}" in
    start) [[ $# -eq 3 ]] || usage; start "$2" "$3" ;;
    stop) [[ $# -eq 2 ]] || usage; stop "$2" ;;
    *) usage ;;
esac
