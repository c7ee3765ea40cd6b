#!/usr/bin/env bash
# A throw-away OpenLDAP server for the LDAP tests, on 127.0.0.1 only.
#
#   slapd.sh start DIR LDAP_PORT LDAPS_PORT   generate config, TLS files and data in DIR (new or
#                                             empty), load them and start slapd; prints when ready
#   slapd.sh stop DIR                         stop it and remove DIR
#
# Unprivileged: slapd binds high ports and, when started as root (CI), drops to the openldap
# user. Configuration is a generated slapd.conf with the mdb backend in DIR; the directory holds
# inetOrgPerson entries whose numbers are written in mixed formats (see people() below; the
# tests in Tests/CallPopLDAPTests rely on them). The TLS certificate is signed by a CA made here
# (DIR/ca.pem), for StartTLS and ldaps:// tests.
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"

usage() { echo "usage: $0 start DIR LDAP_PORT LDAPS_PORT | stop DIR" >&2; exit 2; }

people() {
    # uid|cn|o|attribute|number — one line per number; a uid may repeat for more numbers.
    cat <<'PEOPLE'
anna|Anna Alster|Alster GmbH|telephoneNumber|+49 40 1234567
bernd|Bernd Berg|Berg & Söhne|telephoneNumber|040/7654321
bernd|Bernd Berg|Berg & Söhne|mobile|0171 2345678
clara|Clara Client||telephoneNumber|0049 (0)30 1112223
dieter|Dieter Dom||homePhone|+49-89-998877
emil|Emil Elb|Elb (AG)|telephoneNumber|(040) 555 12 34
frank|Frank Fog|Fog Ltd|mobile|+44 20 7123 4567
gina|Gina Grün||telephoneNumber|+49 40 1234568
hugo|Hugo Haus||telephoneNumber|201
PEOPLE
    # A few hundred more in rotating formats of +49 40 3000000+N.
    local formats=("+49 40 %d" "040 %d" "0049 40 %d" "+49 (0)40 %d" "040-%d" "(040) %d")
    for ((n = 0; n < 240; n++)); do
        local number=$((3000000 + n))
        # shellcheck disable=SC2059
        printf "gen%03d|Generated %03d||telephoneNumber|$(printf "${formats[n % 6]}" "$number")\n" "$n" "$n"
    done
}

ldif() {
    cat <<'BASE'
dn: dc=example,dc=com
objectClass: dcObject
objectClass: organization
o: Example
dc: example

dn: ou=people,dc=example,dc=com
objectClass: organizationalUnit
ou: people

dn: uid=reader,dc=example,dc=com
objectClass: account
objectClass: simpleSecurityObject
uid: reader
userPassword: reader-secret

BASE
    local previous=""
    while IFS='|' read -r uid cn o attribute number; do
        if [[ "$uid" != "$previous" ]]; then
            [[ -n "$previous" ]] && echo
            printf 'dn: uid=%s,ou=people,dc=example,dc=com\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: %s\n' \
                "$uid" "$uid" "$cn" "${cn##* }"
            [[ -n "$o" ]] && printf 'o: %s\n' "$o"
            printf 'labeledURI: https://crm.example.com/contacts/%s Record of %s\n' "$uid" "$uid"
            previous="$uid"
        fi
        printf '%s: %s\n' "$attribute" "$number"
    done < <(people)
    echo
}

start() {
    local dir=$1 port=$2 tls_port=$3
    mkdir -p "$dir/db"
    dir=$(cd "$dir" && pwd)
    # TLS: a CA and a server certificate for 127.0.0.1.
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=callpop test CA" \
        -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1\n' > "$dir/san.ext"
    openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
        -extfile "$dir/san.ext" -out "$dir/server.pem" 2>/dev/null

    cat > "$dir/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile $dir/slapd.pid
argsfile $dir/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
TLSCACertificateFile $dir/ca.pem
TLSCertificateFile $dir/server.pem
TLSCertificateKeyFile $dir/server.key
sizelimit 500

database mdb
maxsize 67108864
suffix "dc=example,dc=com"
rootdn "cn=admin,dc=example,dc=com"
rootpw admin-secret
directory $dir/db
index objectClass eq
index telephoneNumber,mobile,homePhone eq,sub
access to attrs=userPassword by anonymous auth by * none
access to * by users read by anonymous read
CONF
    ldif > "$dir/data.ldif"
    slapadd -q -f "$dir/slapd.conf" -l "$dir/data.ldif"
    local run_as=()
    if [[ $(id -u) -eq 0 ]]; then
        chown -R openldap:openldap "$dir"
        run_as=(-u openldap -g openldap)
    fi
    chmod 700 "$dir"
    slapd -f "$dir/slapd.conf" -h "ldap://127.0.0.1:$port/ ldaps://127.0.0.1:$tls_port/" "${run_as[@]}" 2> "$dir/slapd.log"
    for ((i = 0; i < 100; i++)); do
        if ldapsearch -x -LLL -H "ldap://127.0.0.1:$port" -b "" -s base namingContexts >/dev/null 2>&1; then
            echo "slapd ready on 127.0.0.1:$port (ldaps $tls_port), pid $(cat "$dir/slapd.pid")"
            return 0
        fi
        sleep 0.1
    done
    echo "slapd did not start; see $dir/slapd.log" >&2
    cat "$dir/slapd.log" >&2 || true
    return 1
}

stop() {
    stop_and_remove "$1" slapd.pid
}

case "${1:-}" in
    start) [[ $# -eq 4 ]] || usage; start "$2" "$3" "$4" ;;
    stop) [[ $# -eq 2 ]] || usage; stop "$2" ;;
    *) usage ;;
esac
