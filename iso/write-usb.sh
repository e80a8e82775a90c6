#!/usr/bin/env bash
# write-usb.sh — write the pxOS disk image to a USB stick, safely.
#
#   iso/write-usb.sh [--yes] [--dry-run] IMAGE DEV
#   make usb DEV=/dev/sdX [YES=1]
#
# DEV is a whole removable or USB disk (/dev/sdX, not /dev/sdX1), or a regular
# file (the image is then copied into it, for tests and copies). Refused, before
# anything is written: a partition; a disk that holds a mounted file system, or
# swap, or / /boot /usr /var /home (the system disk); a disk that is neither
# removable nor on USB; a disk smaller than the image. The disk's model, size and
# bus are shown and the user must type "yes" on a terminal; --yes (or YES=1)
# skips the question, for scripts. --dry-run does every check and writes nothing.
# After writing, the bytes on DEV are compared with IMAGE. Exit status: 0 written
# (or a dry run that passed every check), 1 refused or failed, 2 usage.
set -euo pipefail

die() { echo "write-usb: $*" >&2; exit 1; }
usage() { sed -n '4,5s/^# \{0,1\}/usage: /p' "$0" >&2; exit 2; }

yes=${YES:-}
[ "$yes" = 1 ] || yes=
dry=
while [ $# -gt 0 ]; do
	case $1 in
	--yes | -y) yes=1 ;;
	--dry-run | -n) dry=1 ;;
	--help | -h) usage ;;
	--) shift; break ;;
	-*) echo "write-usb: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
	shift
done
[ $# -eq 2 ] || usage
img=$1
dev=$2
[ -n "$dev" ] || die "no target: give DEV=/dev/sdX (lsblk lists the disks; a USB stick shows TRAN usb)"
[ -f "$img" ] || die "image '$img' not found (run make first)"
img_bytes=$(stat -Lc %s -- "$img")
img_mib=$(((img_bytes + (1 << 20) - 1) >> 20))

human() { numfmt --to=iec-i --suffix=B "$1" 2>/dev/null || echo "$1 bytes"; }

confirm() {
	local what=$1 answer
	if [ -n "$yes" ]; then
		echo "write-usb: --yes given: writing $img ($img_mib MiB) to $what"
		return 0
	fi
	[ -t 0 ] || die "not writing to $what without a yes: no terminal to ask on (pass --yes, or YES=1 to make)"
	printf 'Write %s (%s MiB) to %s?\nEverything on it will be lost. Type yes to go on: ' "$img" "$img_mib" "$what"
	IFS= read -r answer || answer=
	[ "$answer" = yes ] || die "not confirmed (answer was '$answer'): nothing written"
}

# verify TARGET: the first img_bytes bytes of TARGET are the image.
verify() {
	if cmp -n "$img_bytes" -- "$img" "$1" >/dev/null; then
		echo "write-usb: verified: $1 holds the image ($img_bytes bytes)"
	else
		die "verification failed: $1 does not hold the image (a failing stick?)"
	fi
}

# ---- a regular file ---------------------------------------------------------
if [ ! -e "$dev" ] || [ -f "$dev" ]; then
	[ -e "$dev" ] || [ -d "$(dirname -- "$dev")" ] || die "'$dev': no such file or directory"
	[ "$(realpath -m -- "$dev")" != "$(realpath -- "$img")" ] || die "'$dev' is the image itself"
	echo "write-usb: $dev is a regular file, not a device: the image is copied into it"
	if [ -n "$dry" ]; then
		echo "write-usb: dry run: every check passed; nothing written"
		exit 0
	fi
	confirm "the file $dev"
	dd if="$img" of="$dev" bs=4M conv=notrunc,fsync status=none
	verify "$dev"
	exit 0
fi

# ---- a block device ---------------------------------------------------------
[ -b "$dev" ] || die "'$dev' is neither a block device nor a regular file"
command -v lsblk >/dev/null || die "lsblk not found: install util-linux"
node=$(realpath -- "$dev")
name=$(basename -- "$node")
type=$(lsblk -dno TYPE -- "$node" 2>/dev/null | head -n1 | tr -d ' ')
case $type in
disk | loop) ;;
part) die "$dev is a partition: give the whole disk (e.g. /dev/sdb, not /dev/sdb1)" ;;
*) die "$dev is a '$type' device, not a disk" ;;
esac

# Every node of the disk: itself and its partitions (and whatever sits on them).
mapfile -t nodes < <(lsblk -lnpo NAME -- "$node")

# The system disk: backs / /boot /boot/efi /usr /var /home, or swap.
system_sources() {
	local m
	for m in / /boot /boot/efi /usr /var /home; do
		findmnt -no SOURCE --target "$m" 2>/dev/null || true
	done
	tail -n +2 /proc/swaps 2>/dev/null | awk '{ print $1 }'
}
while IFS= read -r src; do
	[ -n "$src" ] && [ -b "$src" ] || continue
	src=$(realpath -- "$src")
	for n in "${nodes[@]}"; do
		if [ "$n" = "$src" ]; then
			die "$dev is a system disk ($src holds the running system: /, /boot, /usr, /var, /home or swap): refused"
		fi
	done
done < <(system_sources)

# Mounted anywhere (any partition of it).
for n in "${nodes[@]}"; do
	where=$(findmnt -rno TARGET --source "$n" 2>/dev/null | head -n1 || true)
	[ -z "$where" ] || die "$dev is in use: $n is mounted on $where (unmount it first): refused"
done

rm=$(cat "/sys/block/$name/removable" 2>/dev/null || echo 0)
tran=$(lsblk -dno TRAN -- "$node" 2>/dev/null | tr -d ' ')
model=$(lsblk -dno VENDOR,MODEL -- "$node" 2>/dev/null | sed 's/  */ /g; s/^ //; s/ $//')
bytes=$(lsblk -bdno SIZE -- "$node" 2>/dev/null | tr -d ' ')
[ -n "$bytes" ] || bytes=0
echo "write-usb: $dev: ${model:-unknown model}, $(human "$bytes"), bus ${tran:-unknown}, removable ${rm}"
if [ "$rm" != 1 ] && [ "$tran" != usb ]; then
	die "$dev is neither removable nor on USB (a fixed internal disk?): refused"
fi
[ "$bytes" -ge "$img_bytes" ] || die "$dev holds $(human "$bytes"), the image needs $(human "$img_bytes"): refused"

if [ -n "$dry" ]; then
	echo "write-usb: dry run: every check passed; nothing written"
	exit 0
fi
confirm "$dev (${model:-unknown model}, $(human "$bytes"))"
dd if="$img" of="$node" bs=4M conv=fsync oflag=direct status=progress
sync
# Read back past the page cache.
echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true
verify "$node"
echo "write-usb: done: boot the PC from $dev with UEFI (docs/media.md, 'On a real PC')"
