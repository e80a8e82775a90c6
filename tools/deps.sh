#!/usr/bin/env bash
# deps.sh — install the Debian packages pxOS needs to build, run and test
# (`make deps`). Idempotent: asks dpkg which are missing and runs apt-get only
# for those; prints one line and changes nothing when all are present.
# Runs apt-get as root directly, else through sudo; says what to do otherwise.
#
# deps.sh --check GROUP... — the Makefile's quick look (a few milliseconds,
# no dpkg) before it builds: for each package of the GROUPs (build: what
# `make` needs; test: what check-unit and check-qemu add; run: make run and
# debug; extra: clang, without which the fuzz targets use their standalone
# driver), is its key command or file there? Prints nothing when all are, else one line naming what is
# missing and saying to run `make deps`. Always exits 0.
set -euo pipefail

# package                 group   what shows it is installed (command, or /path)
TABLE=(
	"gcc                      build   gcc"
	"make                     build   make"
	"binutils                 build   ld objcopy objdump"
	"nasm                     build   nasm"
	"gnu-efi                  build   /usr/include/efi/efi.h /usr/lib/crt0-efi-x86_64.o"
	"mtools                   build   mcopy mmd"
	"dosfstools               build   mkfs.fat"
	"gdisk                    build   sgdisk"
	"libstb-dev               build   /usr/include/stb/stb_image.h"
	"zlib1g-dev               build   /usr/include/zlib.h"
	"libcurl4-openssl-dev     build   /usr/include/x86_64-linux-gnu/curl/curl.h"
	"libcjson-dev             build   /usr/include/cjson/cJSON.h"
	"console-setup-linux      build   /usr/share/consolefonts/Lat15-Terminus16.psf.gz"
	"python3                  build   /usr/bin/python3"
	"xz-utils                 build   xz"
	"debian-archive-keyring   build   /usr/share/keyrings/debian-archive-keyring.gpg"
	"libcmocka-dev            test    /usr/include/cmocka.h"
	"xorriso                  test    xorriso"
	"qemu-system-x86          test    qemu-system-x86_64"
	"ovmf                     test    /usr/share/OVMF/OVMF_CODE_4M.fd"
	"lua5.4                   test    lua5.4"
	"sbsigntool               test    sbsign"
	"efitools                 test    cert-to-efi-sig-list sign-efi-sig-list"
	"openssl                  test    openssl"
	"luajit                   test    luajit"
	"clang                    extra   clang"
	"qemu-system-gui          run     /usr/lib/x86_64-linux-gnu/qemu/ui-gtk.so"
	"gdb                      run     gdb"
)

if [ "${1:-}" = --check ]; then
	shift
	absent=()
	for row in "${TABLE[@]}"; do
		read -r pkg group probes <<<"$row"
		case " $* " in *" $group "*) ;; *) continue ;; esac
		for probe in $probes; do
			if [ "${probe#/}" != "$probe" ]; then
				[ -e "$probe" ] && continue
			else
				command -v "$probe" >/dev/null 2>&1 && continue
			fi
			absent+=("$probe (package $pkg)")
			break
		done
	done
	if [ ${#absent[@]} -ne 0 ]; then
		list=$(printf '%s, ' "${absent[@]}")
		echo "missing ${list%, }: run \`make deps\` to install the Debian packages pxOS needs"
	fi
	exit 0
fi

PACKAGES=()
for row in "${TABLE[@]}"; do
	PACKAGES+=("${row%% *}")
done

missing=()
for pkg in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PACKAGES[@]} Debian packages pxOS needs are installed"
	exit 0
fi

echo "deps: installing ${#missing[@]} missing package(s): ${missing[*]}"

if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: apt-get not found: pxOS's set-up needs Debian 12 (or a derivative)." >&2
	echo "deps: install these by hand: ${missing[*]}" >&2
	exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
	as_root=()
elif command -v sudo >/dev/null 2>&1; then
	as_root=(sudo)
else
	echo "deps: not root and sudo is not installed, so apt-get cannot run." >&2
	echo "deps: as root, run: apt-get update && apt-get install -y ${missing[*]}" >&2
	exit 1
fi

run() {
	if ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive "$@"; then
		echo "deps: '$*' failed (see above)." >&2
		echo "deps: as root, run: apt-get update && apt-get install -y ${missing[*]}" >&2
		exit 1
	fi
}

run apt-get update
run apt-get install -y --no-upgrade "${missing[@]}"

# apt-get can succeed and still leave a package out (e.g. held back).
still=()
for pkg in "${missing[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
	[ "$status" = installed ] || still+=("$pkg")
done
if [ ${#still[@]} -ne 0 ]; then
	echo "deps: still not installed after apt-get: ${still[*]}" >&2
	exit 1
fi
echo "deps: installed ${missing[*]}"
