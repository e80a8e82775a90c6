#!/usr/bin/env bash
# micropython.sh — fetch MicroPython's source for pxOS's Python guests
# (docs/python.md), never kept in the repository.
#
#   micropython.sh DIR
#
# Leaves the pinned source tree in DIR/src (DIR is build/micropython) and the
# file DIR/src/.pxos-ok naming the version once it is complete. The source is
# Debian's source package micropython MP_VERSION from the Debian suite after
# bookworm (bookworm has none): its .orig.tar.xz is downloaded with apt-get
# through a private source list and private package lists under DIR/apt, so
# the system's lists are not touched, then checked against MP_SHA256 before it
# is unpacked. A tarball already in DIR with the right checksum is used as it
# is (no network). Exit status 0 when DIR/src is ready; 1 with a message
# otherwise (no network, a checksum that does not match: the file is kept
# aside as .bad and nothing is unpacked).
set -euo pipefail

MP_VERSION=1.25.0+ds-1
MP_TARBALL=micropython_1.25.0+ds.orig.tar.xz
MP_SHA256=7b25be99a502f070b2de81dafc08da7051d992325d6e67daa9045a918fffdbea
MP_TOPDIR=micropython-1.25.0
MP_SUITE=trixie

dir=${1:?usage: micropython.sh DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
src="$dir/src"
stamp="$src/.pxos-ok"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$MP_VERSION $MP_SHA256" ]; then
	exit 0
fi

sum_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$MP_SHA256" ]; }

tarball="$dir/$MP_TARBALL"
if ! sum_ok "$tarball"; then
	echo "micropython: fetching Debian source package micropython $MP_VERSION ($MP_SUITE) with apt-get"
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "micropython: apt-get not found: pxOS fetches MicroPython's Debian source package with it" >&2
		exit 1
	fi
	# The mirror and key of the system's own Debian source list, a suite of
	# our choosing, deb-src only.
	uris=http://deb.debian.org/debian
	key=/usr/share/keyrings/debian-archive-keyring.gpg
	for f in /etc/apt/sources.list.d/debian.sources; do
		[ -f "$f" ] || continue
		u=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' "$f" | grep -v security | head -1 || true)
		k=$(sed -n 's/^Signed-By: *\([^ ]*\).*/\1/p' "$f" | head -1 || true)
		[ -n "$u" ] && uris=$u
		[ -n "$k" ] && [ -f "$k" ] && key=$k
	done
	apt="$dir/apt"
	rm -rf "$apt"
	mkdir -p "$apt/lists/partial" "$apt/get"
	cat >"$apt/pxos.sources" <<EOF
Types: deb-src
URIs: $uris
Suites: $MP_SUITE
Components: main
Signed-By: $key
EOF
	opts=(-o "Dir::Etc::sourcelist=$apt/pxos.sources" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$apt/lists"
	      -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
	if ! apt-get "${opts[@]}" update >"$apt/update.log" 2>&1; then
		tail -5 "$apt/update.log" >&2
		echo "micropython: apt-get update of the $MP_SUITE source list failed (network?); log: $apt/update.log" >&2
		exit 1
	fi
	if ! (cd "$apt/get" && apt-get "${opts[@]}" source --download-only "micropython=$MP_VERSION") \
		>"$apt/source.log" 2>&1; then
		tail -5 "$apt/source.log" >&2
		echo "micropython: apt-get source micropython=$MP_VERSION failed; log: $apt/source.log" >&2
		exit 1
	fi
	if ! sum_ok "$apt/get/$MP_TARBALL"; then
		mv -f "$apt/get/$MP_TARBALL" "$dir/$MP_TARBALL.bad" 2>/dev/null || true
		echo "micropython: $MP_TARBALL does not have the pinned SHA-256 $MP_SHA256 (kept as $dir/$MP_TARBALL.bad)" >&2
		exit 1
	fi
	mv -f "$apt/get/$MP_TARBALL" "$tarball"
	rm -rf "$apt"
fi

echo "micropython: unpacking $MP_TARBALL (SHA-256 checked) into $src"
rm -rf "$src" "$dir/$MP_TOPDIR"
tar -C "$dir" -xJf "$tarball"
mv "$dir/$MP_TOPDIR" "$src"
echo "$MP_VERSION $MP_SHA256" >"$stamp"
