#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages callpop needs, skipping what is already there. Uses
# sudo when not root.
#   scripts/deps.sh              what building and running need (make demo, make install)
#   scripts/deps.sh --test       that, and every tool the test suite and the benchmark run (make test, make bench)
#   scripts/deps.sh --packaging  that, the test tools, and .deb building and checking (CI)
set -euo pipefail

packages=(
    # build: the C libraries behind the CCurl, CDBus and CLDAP module maps
    pkg-config libcurl4-openssl-dev libdbus-1-dev libldap-dev
    # run: the URL opener
    xdg-utils
)
if [[ "${1:-}" == "--test" || "${1:-}" == "--packaging" || -n "${CI:-}" ]]; then
    packages+=(
        # tests: a real session bus, a real SIP server and SIP phones
        dbus-daemon kamailio kamailio-presence-modules sip-tester openssl
        # tests of the tel:/callto:/sip: handler entry (desktop-file-validate)
        desktop-file-utils
        # tests: directories for caller lookup (scripts/test-servers/): OpenLDAP and Radicale
        slapd ldap-utils radicale curl
        # tests of notifications on a real X server: Xvfb, stock dunst, notification-daemon
        # (buttons), the icons and fonts they draw, ImageMagick for the screenshots
        xvfb dunst notification-daemon adwaita-icon-theme fonts-dejavu-core imagemagick
        # the benchmark (scripts/bench.sh; --check runs in CI): the C clients and server, the
        # panoramisk client's virtual environment, instruction counts
        gcc libc6-dev python3 python3-venv valgrind
    )
fi
if [[ "${1:-}" == "--packaging" || -n "${CI:-}" ]]; then
    # .deb building and checking
    packages+=(dpkg-dev fakeroot lintian systemd file binutils)
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
    exit 0
fi
echo "deps: installing ${missing[*]}" >&2
sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
if [[ " ${missing[*]} " == *" slapd "* ]]; then
    # The tests start their own slapd from a generated configuration: the package must not
    # ask questions, nor create and start a system directory of its own.
    echo "slapd slapd/no_configuration boolean true" | "${sudo[@]}" debconf-set-selections
fi
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
