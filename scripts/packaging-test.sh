#!/usr/bin/env bash
# The packaging checks CI runs: build the .deb, inspect it, lintian, install it with
# apt-get (so its Depends resolve), then exercise the *installed* files as a new user
# would. Runs as root (or with sudo) on Debian 12 with the Swift toolchain and
#   dpkg-dev lintian desktop-file-utils systemd xdg-utils binutils file
# installed (scripts/deps.sh --packaging). Prints `packaging: N passed, M failed`
# last and exits non-zero when anything failed.
#
#   scripts/packaging-test.sh               # builds the package first (packaging/build-deb.sh)
#   CALLPOP_DEB=out/callpop_0.1.0-1_amd64.deb scripts/packaging-test.sh   # checks a built one
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
passed=0
failed=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pass() { passed=$((passed + 1)); printf 'ok    %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf 'FAIL  %s\n' "$1"; [[ -n "${2:-}" ]] && printf '%s\n' "$2" | sed 's/^/      /'; }
# check NAME COMMAND...: runs the command, keeps its output for the failure report.
check() {
    local name=$1 output
    shift
    if output=$("$@" 2>&1); then pass "$name"; else fail "$name" "$output"; fi
}
# A check that needs a tool: outside CI a missing tool skips it with the reason;
# in CI (CI=true) a missing tool is a failure.
need() {
    command -v "$1" >/dev/null && return 0
    if [[ "${CI:-}" == "true" ]]; then fail "$2: $1 is not installed"; else printf 'skip  %s: %s is not installed\n' "$2" "$1"; fi
    return 1
}
sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)

# --- Build ------------------------------------------------------------------
if [[ -n "${CALLPOP_DEB:-}" ]]; then
    deb=$(realpath "$CALLPOP_DEB")
else
    if deb=$(packaging/build-deb.sh | tail -n 1) && [[ -f "$deb" ]]; then pass "make deb builds $(basename "$deb")"; else
        fail "packaging/build-deb.sh"
        printf 'packaging: %d passed, %d failed\n' "$passed" "$failed"
        exit 1
    fi
fi
printf 'info  %s: %s bytes\n' "$(basename "$deb")" "$(stat -c %s "$deb")"
upstream=$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)
upstream=${upstream%-*}

# --- Contents -----------------------------------------------------------------
dpkg-deb -x "$deb" "$work/root"
dpkg-deb -f "$deb" Depends > "$work/depends"
binary=$work/root/usr/bin/callpop
printf 'info  /usr/bin/callpop: %s bytes\n' "$(stat -c %s "$binary")"

# Every installed file outside the documentation is listed in the manifest, exactly.
(cd "$work/root" && find . -type f -o -type l | sed 's|^\./|/|' | grep -v '^/usr/share/doc/callpop/' | sort) > "$work/files"
check "files outside /usr/share/doc match packaging/install-manifest.txt" \
    diff -u <(grep -v '^#' packaging/install-manifest.txt | awk 'NF { print $1 }' | sort) "$work/files"
for f in copyright changelog.Debian.gz examples/config.toml; do
    check "documentation has /usr/share/doc/callpop/$f" test -s "$work/root/usr/share/doc/callpop/$f"
done
# Pages over 4 kB are compressed, as dh_compress does (Debian policy 12.3).
check "documentation has /usr/share/doc/callpop/README.md(.gz)" \
    bash -c "test -s '$work/root/usr/share/doc/callpop/README.md' || test -s '$work/root/usr/share/doc/callpop/README.md.gz'"
check "nothing autostarts for every user (no /etc/xdg/autostart)" test ! -e "$work/root/etc/xdg/autostart"
for dep in libc6 libcurl4 libdbus-1-3 procps xdg-utils; do
    check "Depends names $dep" grep -Eq "(^|, )$dep( |,|$)" "$work/depends"
done
check "Depends names no Swift package" bash -c "! grep -qi swift '$work/depends'"
check "the binary is stripped" bash -c "file '$binary' | grep -q ', stripped'"
check "the binary does not link the Swift runtime dynamically (objdump NEEDED)" \
    bash -c "objdump -p '$binary' | grep NEEDED | grep -Eq 'libc\\.so' && ! objdump -p '$binary' | grep NEEDED | grep -Eiq 'swift|Foundation|dispatch|BlocksRuntime'"

# The man page documents every configuration key the loader accepts.
# (The table names, the default password variable and the directory types, which are a
# dictionary's keys, are no keys of the file: they are left out.)
keys=$(sed -n '/^enum ConfigSchema/,/^}/p' Sources/CallPopConfig/ConfigSchema.swift |
    sed '/static let tables/,/\]/d; /static let ruleLists/d; /defaultPasswordEnvironment/d' |
    grep -oP '"[a-z_]+"(?!\s*:)' | tr -d '"' | sort -u)
zcat "$work/root/usr/share/man/man5/callpop.toml.5.gz" > "$work/callpop.toml.5"
page=$(cat "$work/callpop.toml.5")
missing=$(for k in $keys; do grep -Eq "^\\.It Ic (\\[[a-z]+\\] )?$k( |$)" <<<"$page" || echo "$k"; done)
check "callpop.toml(5) documents every key of ConfigSchema.swift" test -z "$missing" || printf '      missing: %s\n' $missing
defaults=$(grep -c '^Default' <<<"$page")
items=$(grep -c '^\.It Ic ' <<<"$page")
check "callpop.toml(5) gives a Default: for each of its $items keys" test "$defaults" -ge "$items"
check "callpop(1) has FILES and lists every subcommand" bash -c "
    zcat '$work/root/usr/share/man/man1/callpop.1.gz' > '$work/callpop.1'
    grep -q '^\\.Sh FILES' '$work/callpop.1' &&
    for c in run check simulate demo init autostart; do grep -q \"^\\.It Em \$c\" '$work/callpop.1' || exit 1; done"
if need man "man pages render without warnings"; then
    for p in callpop.1 callpop.toml.5; do
        check "man renders $p without warnings" bash -c "out=\$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l '$work/$p' 2>&1 >/dev/null); test -z \"\$out\" || { echo \"\$out\"; exit 1; }"
    done
fi
check "bash completion parses" bash -n "$work/root/usr/share/bash-completion/completions/callpop"
if command -v zsh >/dev/null; then check "zsh completion parses" zsh -n "$work/root/usr/share/zsh/vendor-completions/_callpop"; fi
if command -v fish >/dev/null; then check "fish completion parses" fish --no-execute "$work/root/usr/share/fish/vendor_completions.d/callpop.fish"; fi

# --- lintian --------------------------------------------------------------------
if need lintian "lintian"; then
    lintian --pedantic --display-info "$deb" > "$work/lintian" 2>&1
    status=$?
    grep -v '^running with root' "$work/lintian" | sed 's/^/      /'
    check "lintian reports no errors" test "$status" -eq 0 -a "$(grep -c '^E:' "$work/lintian")" -eq 0
fi

# --- The unit and the autostart entry -------------------------------------------
if need desktop-file-validate "desktop-file-validate"; then
    check "desktop-file-validate callpop.desktop" desktop-file-validate "$work/root/usr/share/callpop/callpop.desktop"
    check "desktop-file-validate callpop-dial.desktop" desktop-file-validate "$work/root/usr/share/applications/callpop-dial.desktop"
    check "desktop-file-validate applications/callpop.desktop" desktop-file-validate "$work/root/usr/share/applications/callpop.desktop"
fi

# --- Installed with apt-get -------------------------------------------------------
check "apt-get install ./$(basename "$deb")" \
    env DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "$deb"
check "the installed callpop is from the package" bash -c "dpkg -S /usr/bin/callpop | grep -q '^callpop:'"
check "/usr/bin/callpop --version says $upstream" bash -c "test \"\$(/usr/bin/callpop --version)\" = '$upstream'"
check "ldd /usr/bin/callpop: all found, no libswiftCore.so" \
    bash -c "out=\$(ldd /usr/bin/callpop) && ! grep -q 'not found' <<<\"\$out\" && ! grep -q libswiftCore <<<\"\$out\""
example=/usr/share/doc/callpop/examples/config.toml
check "callpop check on the installed example" /usr/bin/callpop check --config "$example"

if need systemd-analyze "systemd-analyze verify"; then
    mkdir -m 700 "$work/runtime"
    man_option=()
    command -v man >/dev/null || man_option=(--man=no)
    check "systemd-analyze --user verify callpop.service" \
        env XDG_RUNTIME_DIR="$work/runtime" systemd-analyze --user "${man_option[@]}" verify /usr/lib/systemd/user/callpop.service
fi

# A dry run of the installed binary on recorded events: the exact decisions, with a
# hostile caller name encoded, nothing launched.
cat > "$work/events.ndjson" <<'EOF'
{"call":"c1","state":"ringing","direction":"incoming","number":"+442071234567","name":"John Doe","called":"5550100"}
{"call":"c1","state":"ringing","direction":"incoming","number":"+442071234567","name":"John Doe","called":"5550100"}
{"call":"c1","state":"answered","direction":"incoming","number":"+442071234567"}
{"call":"c2","state":"ringing","direction":"outgoing","number":"02079460000"}
{"call":"c3","state":"ringing","direction":"incoming","number":"+44 20 7946 0001","name":"Eve $(touch /tmp/pwned) & <b>"}
{"call":"c4","state":"ringing","direction":"incoming","number":"202","name":"Bob Builder"}
EOF
cat > "$work/expected" <<'EOF'
{"call":"c1","rule":"New ticket","rule_id":"new-ticket","trigger":"on-click","direction":"incoming","decision":"offer","action":"url","url":"https://desk.example.com/tickets/new?To=John%20Doe&From=%2B442071234567","argv":["xdg-open","https://desk.example.com/tickets/new?To=John%20Doe&From=%2B442071234567"],"number":"+442071234567","name":"John Doe"}
{"call":"c1","rule":"CRM contact","rule_id":"crm-contact","trigger":"ringing","direction":"incoming","decision":"launch","action":"url","url":"https://crm.example.com/contacts/search?phone=%2B442071234567&name=John%20Doe","argv":["xdg-open","https://crm.example.com/contacts/search?phone=%2B442071234567&name=John%20Doe"],"number":"+442071234567","name":"John Doe"}
{"call":"c2","rule":"New ticket","rule_id":"new-ticket","trigger":"on-click","direction":"outgoing","decision":"offer","action":"url","url":"https://desk.example.com/tickets/new?To=&From=02079460000","argv":["xdg-open","https://desk.example.com/tickets/new?To=&From=02079460000"],"number":"02079460000","name":""}
{"call":"c2","rule":"Call log","rule_id":"call-log","trigger":"call-generation","direction":"outgoing","decision":"launch","action":"app","argv":["logger","-t","callpop","calling 02079460000"],"number":"02079460000","name":""}
EOF
(cd "$work" && /usr/bin/callpop run --config "$example" --events "$work/events.ndjson" --dry-run --json > "$work/decisions" 2> "$work/run.log")
status=$?
check "callpop run --events --dry-run exits 0" test "$status" -eq 0
check "the dry run decides exactly the expected popups" diff -u "$work/expected" <(head -n 4 "$work/decisions")
check "the hostile caller name arrives percent-encoded" \
    grep -qF '"url":"https://crm.example.com/contacts/search?phone=%2B442079460001&name=Eve%20%24%28touch%20%2Ftmp%2Fpwned%29%20%26%20%3Cb%3E"' "$work/decisions"
check "a colleague (202) gets no automatic popup" bash -c "! grep -q '\"call\":\"c4\".*\"decision\":\"launch\"' '$work/decisions'"

# A new user: callpop init, check, autostart, with the installed files and a fresh HOME.
home=$work/home
mkdir -p "$home"
as_user() { env -i HOME="$home" PATH=/usr/bin:/bin LANG=C.UTF-8 "$@"; }
check "callpop run without a configuration points to callpop init" \
    bash -c "out=\$(env -i HOME='$home' PATH=/usr/bin:/bin /usr/bin/callpop run 2>&1); test \$? -ne 0 && grep -q 'callpop init' <<<\"\$out\""
check "callpop init --number 201 writes the starter" as_user /usr/bin/callpop init --number 201 --name "Test User"
check "the starter has mode 600 in a 700 directory" \
    test "$(stat -c %a "$home/.config/callpop/config.toml") $(stat -c %a "$home/.config/callpop")" = "600 700"
check "callpop check passes on the starter" as_user /usr/bin/callpop check
check "callpop init refuses to overwrite without --force" bash -c "! env -i HOME='$home' PATH=/usr/bin:/bin /usr/bin/callpop init --number 999"
# The starter has no [pbx]: an agent started from it would stop at every login.
check "callpop autostart enable refuses the starter (no [pbx]) and says why" bash -c "
    out=\$(env -i HOME='$home' PATH=/usr/bin:/bin /usr/bin/callpop autostart enable 2>&1); test \$? -eq 1 &&
    grep -q 'not enabled: no PBX is configured' <<<\"\$out\" && test ! -e '$home/.config/autostart/callpop.desktop'"
printf '\n[pbx]\nsource = "events"\npath = "%s/events.fifo"\n' "$home" >> "$home/.config/callpop/config.toml"
check "callpop autostart enable (no user manager: XDG entry)" as_user /usr/bin/callpop autostart enable
check "~/.config/autostart/callpop.desktop links the installed entry" \
    test "$(readlink "$home/.config/autostart/callpop.desktop")" = /usr/share/callpop/callpop.desktop
check "callpop autostart status exits 0 when enabled" as_user /usr/bin/callpop autostart status
check "callpop autostart enable --method systemd replaces the entry with the unit link" bash -c "
    env -i HOME='$home' PATH=/usr/bin:/bin /usr/bin/callpop autostart enable --method systemd --no-now &&
    test \"\$(readlink '$home/.config/systemd/user/graphical-session.target.wants/callpop.service')\" = /usr/lib/systemd/user/callpop.service &&
    test ! -e '$home/.config/autostart/callpop.desktop'"
check "callpop autostart disable removes it; status then exits 1" bash -c "
    env -i HOME='$home' PATH=/usr/bin:/bin /usr/bin/callpop autostart disable &&
    test ! -e '$home/.config/systemd/user/graphical-session.target.wants/callpop.service' &&
    ! env -i HOME='$home' PATH=/usr/bin:/bin /usr/bin/callpop autostart status"

# With a user manager (its socket path exists) whose session reached graphical-session.target,
# enable picks the unit and tells the manager through systemctl --user (without waiting for
# readiness); where the target is not reached (Xfce, i3, ...) it picks the XDG entry. A
# recording stand-in for systemctl is first on PATH.
mkdir -p "$work/fakebin" "$work/run/systemd"
touch "$work/run/systemd/private"
cat > "$work/fakebin/systemctl" <<EOF
#!/bin/sh
echo "\$*" >> "$work/systemctl.log"
case "\$*" in
    *"is-active --quiet graphical-session.target") [ -e "$work/target-active" ] && exit 0; exit 3 ;;
    *is-active*) exit 3 ;;
esac
exit 0
EOF
chmod +x "$work/fakebin/systemctl"
touch "$work/target-active"
check "where graphical-session.target is active, enable links the unit and runs daemon-reload, start --no-block" bash -c "
    env -i HOME='$home' PATH='$work/fakebin:/usr/bin:/bin' XDG_RUNTIME_DIR='$work/run' /usr/bin/callpop autostart enable &&
    test -L '$home/.config/systemd/user/graphical-session.target.wants/callpop.service' &&
    diff <(grep -v graphical-session.target '$work/systemctl.log') <(printf -- '--user daemon-reload\n--user start --no-block callpop.service\n')"
rm -f "$work/target-active"
check "on a desktop without graphical-session.target (XFCE), enable picks the XDG entry" bash -c "
    out=\$(env -i HOME='$home' PATH='$work/fakebin:/usr/bin:/bin' XDG_RUNTIME_DIR='$work/run' DISPLAY=:0 XDG_CURRENT_DESKTOP=XFCE /usr/bin/callpop autostart enable) &&
    grep -q 'this session (XFCE) does not start graphical-session.target' <<<\"\$out\" &&
    test -L '$home/.config/autostart/callpop.desktop' && test ! -e '$home/.config/systemd/user/graphical-session.target.wants/callpop.service'"

# --- Removal ----------------------------------------------------------------------
check "apt-get remove callpop removes the binary and the unit" bash -c "
    DEBIAN_FRONTEND=noninteractive ${sudo[*]} apt-get remove -y -q callpop >/dev/null &&
    test ! -e /usr/bin/callpop -a ! -e /usr/lib/systemd/user/callpop.service"

printf 'packaging: %d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
