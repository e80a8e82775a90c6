#!/usr/bin/env bash
# deps.sh — install the Debian packages pxOS needs to build, run and test
# (`make deps`). Idempotent: asks dpkg which are missing and runs apt-get only
# for those; prints one line and changes nothing when all are present.
# Runs apt-get as root directly, else through sudo; says what to do otherwise.
set -euo pipefail

PACKAGES=(
	gcc make binutils nasm gnu-efi     # compilers, loader (GNU-EFI) and kernel
	qemu-system-x86 qemu-system-gui    # QEMU; -gui has its GTK/SDL window
	ovmf                               # UEFI firmware for QEMU
	mtools dosfstools xorriso gdisk    # boot media without root or loop devices
	sbsigntool efitools openssl        # Secure Boot: sign the loader, enroll test keys
	libstb-dev zlib1g-dev              # PNG decoding (kernel), PNG writing (tools)
	libcmocka-dev                      # host unit tests
	libcurl4-openssl-dev libcjson-dev  # tools/pxbridge: HTTP to LLM servers, JSON
	console-setup-linux                # PSF console fonts in /usr/share/consolefonts
	python3 gdb clang lua5.4           # test drivers, make debug, fuzzing, benchmarks
)

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
