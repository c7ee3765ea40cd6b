#!/usr/bin/env bash
# Measures what docs/install.md quotes — the .deb, the installed program, the installed
# size — on a fresh release build and package (packaging/build-deb.sh), and prints it.
# With --update, also writes the sentence into docs/install.md between its
# `<!-- sizes -->` markers, so the numbers in the docs come from the build, never by hand.
#
#   scripts/sizes.sh              # or: make sizes
#   scripts/sizes.sh --update
#   CALLPOP_DEB=out/callpop_0.1.0-1_amd64.deb scripts/sizes.sh   # measure a package built already
set -euo pipefail
cd "$(dirname "$0")/.."

deb=${CALLPOP_DEB:-$(packaging/build-deb.sh | tail -n 1)}
[[ -f "$deb" ]] || { echo "sizes: no package at '$deb'" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -x "$deb" "$work/root"
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1000000 }'; }
version=$(dpkg-deb -f "$deb" Version)
arch=$(dpkg-deb -f "$deb" Architecture)
installed_kib=$(dpkg-deb -f "$deb" Installed-Size)
sentence="Sizes of ${version%-*} on $arch (measured by \`scripts/sizes.sh\`): the \`.deb\` is $(mb "$(stat -c %s "$deb")"), \`/usr/bin/callpop\` $(mb "$(stat -c %s "$work/root/usr/bin/callpop")"), $(mb $((installed_kib * 1024))) installed in all."
echo "$sentence"

if [[ "${1:-}" == "--update" ]]; then
    # Replace the line after the opening marker; the markers stay.
    awk -v sentence="$sentence" '
        /<!-- sizes -->/ { print; print sentence; skip = 1; next }
        /<!-- \/sizes -->/ { skip = 0 }
        !skip { print }
    ' docs/install.md > "$work/install.md"
    grep -q '<!-- sizes -->' "$work/install.md" || { echo "sizes: docs/install.md has no <!-- sizes --> marker" >&2; exit 1; }
    cp "$work/install.md" docs/install.md
    echo "sizes: updated docs/install.md" >&2
fi
