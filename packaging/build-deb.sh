#!/usr/bin/env bash
# Builds the Debian binary package out/callpop_<version>_<arch>.deb from this checkout:
# a release build with the Swift runtime linked statically, a staging tree with every
# installed file, DEBIAN/control with Depends computed by dpkg-shlibdeps from what the
# binary really links, then dpkg-deb. Needs: swift, dpkg-dev, binutils, gzip.
#
#   packaging/build-deb.sh                 # or: make deb
#   SCRATCH=.build-x OUT=/tmp/out packaging/build-deb.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
scratch=${SCRATCH:-$root/.build-pkg-release}
out=${OUT:-$root/out}
stage=$out/stage
say() { printf 'build-deb: %s\n' "$*" >&2; }

cd "$root"

# 1. The binary: release, Swift runtime and Foundation linked in, symbols stripped,
# hardened like Debian's default build flags (full RELRO, bind now).
release=(-c release --static-swift-stdlib -Xlinker -s -Xlinker -z -Xlinker relro -Xlinker -z -Xlinker now
    --scratch-path "$scratch")
say "swift build ${release[*]}"
swift build "${release[@]}" --product callpop
binary=$(swift build "${release[@]}" --show-bin-path)/callpop
# The man page generator from swift-argument-parser, a small debug build beside it.
swift build --scratch-path "$scratch" --product generate-manual >/dev/null
generate_manual=$(swift build --scratch-path "$scratch" --show-bin-path)/generate-manual

# 2. Versions: the binary's --version must match the Debian changelog's upstream part.
upstream=$("$binary" --version)
deb_version=$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)
if [[ "${deb_version%-*}" != "$upstream" ]]; then
    say "packaging/debian/changelog says $deb_version but callpop --version says $upstream: add a changelog entry"
    exit 1
fi
arch=$(dpkg --print-architecture)
changelog_date=$(dpkg-parsechangelog -l packaging/debian/changelog -S Date)
export SOURCE_DATE_EPOCH=$(date -u -d "$changelog_date" +%s)

# 3. The staging tree: the files `make install` installs (scripts/install.sh, PREFIX=/usr),
# then what only a Debian package carries.
rm -rf "$stage"
mkdir -p "$stage/DEBIAN"
doc=$stage/usr/share/doc/callpop
# What dh_strip removes besides the symbols: the compilers' .comment and .note sections.
strip --remove-section=.comment --remove-section=.note -o "$out/callpop.stripped" "$binary"
scripts/install.sh --prefix /usr --destdir "$stage" --binary "$out/callpop.stripped" --generate-manual "$generate_manual"
rm -f "$out/callpop.stripped"
install -m 0644 packaging/debian/copyright "$doc/copyright"
gzip -9n < packaging/debian/changelog > "$doc/changelog.Debian.gz"
# Debian policy 12.3: documentation larger than 4 kB is compressed (as dh_compress does).
find "$doc" -type f -name '*.md' -size +4k -exec gzip -9n {} +
install -D -m 0644 packaging/debian/lintian-overrides "$stage/usr/share/lintian/overrides/callpop"
chmod -R u=rwX,go=rX "$stage/usr"
find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

# 4. DEBIAN/control: Depends from the ELF NEEDED entries (dpkg-shlibdeps maps each
# library to its package and minimum version), plus the URL opener callpop runs and
# procps for /bin/kill, which the unit's ExecReload= runs.
shlibs_dir=$(mktemp -d)
trap 'rm -rf "$shlibs_dir"' EXIT
mkdir -p "$shlibs_dir/debian"
printf 'Source: callpop\n\nPackage: callpop\nArchitecture: any\n' > "$shlibs_dir/debian/control"
shlibs=$(cd "$shlibs_dir" && dpkg-shlibdeps -O "$stage/usr/bin/callpop" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[[ -n "$shlibs" ]] || { say "dpkg-shlibdeps found no dependencies"; exit 1; }
depends="$shlibs, procps, xdg-utils"
installed_size=$(du -sk --apparent-size "$stage/usr" | cut -f1)
sed -e "s|@VERSION@|$deb_version|" -e "s|@ARCH@|$arch|" -e "s|@DEPENDS@|$depends|" \
    -e "s|@INSTALLED_SIZE@|$installed_size|" packaging/debian/control.in > "$stage/DEBIAN/control"
(cd "$stage" && find usr -type f -print0 | sort -z | xargs -0 md5sum) > "$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"

# 5. The package.
deb=$out/callpop_${deb_version}_${arch}.deb
rm -f "$out"/callpop_*.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
say "built $deb ($(stat -c %s "$deb") bytes; /usr/bin/callpop $(stat -c %s "$stage/usr/bin/callpop") bytes)"
say "Depends: $depends"
echo "$deb"
