#!/usr/bin/env bash
# esp-replace.sh — edit the files on the EFI System Partition of a pxOS image.
#
#   iso/esp-replace.sh IMG ESP_PATH LOCAL_FILE    put LOCAL_FILE at ESP_PATH
#                                                 (replaces it; makes parent dirs)
#   iso/esp-replace.sh --delete IMG ESP_PATH      delete the file ESP_PATH
#   iso/esp-replace.sh --extract IMG ESP_PATH OUT copy the file ESP_PATH to OUT
#
# IMG is a raw GPT disk image (build/pxos.img), a hybrid ISO (build/pxos.iso:
# its GPT partition 2 is also its El Torito image), or a bare FAT image; the
# ESP is the first GPT partition of type EF00, found with sgdisk. ESP_PATH is
# absolute, with / or \ as separators, e.g. /pxos/boot.cfg.
#
# IMG is edited in place, so work on a copy (tests/qemu/pxqemu.py make_variant
# does). The edit is atomic: it is made on a temporary copy beside IMG that is
# renamed over IMG only when every step succeeded; on any error IMG is unchanged.
set -euo pipefail

export MTOOLS_SKIP_CHECK=1

die() { echo "esp-replace.sh: $*" >&2; exit 1; }
usage() { sed -n '2,16s/^# \{0,1\}//p' "$0" >&2; exit 2; }

for tool in mcopy mdel mmd mdir sgdisk; do
	command -v "$tool" >/dev/null 2>&1 ||
		die "'$tool' not found: install mtools and gdisk (or run 'make deps')"
done

mode=put
case ${1:-} in
--delete) mode=delete; shift; [ $# -eq 2 ] || usage ;;
--extract) mode=extract; shift; [ $# -eq 3 ] || usage ;;
-h | --help) usage ;;
-*) usage ;;
*) [ $# -eq 3 ] || usage ;;
esac

img=$1
path=${2//\\//}
[ -f "$img" ] || die "image '$img' not found"
case $path in
/*) ;;
*) die "ESP path '$2' must be absolute (start with /)" ;;
esac
path=$(printf '%s' "$path" | tr -s /)
[ "$path" != / ] || die "ESP path '$2' names the root directory, not a file"
path=${path%/}

# Byte offset of the ESP inside IMG.
esp_offset() {
	local table ss start
	if table=$(sgdisk --print -- "$1" 2>/dev/null); then
		ss=$(printf '%s\n' "$table" | sed -n 's/^Sector size (logical): \([0-9]*\) bytes.*/\1/p')
		start=$(printf '%s\n' "$table" |
			awk '$1 ~ /^[0-9]+$/ && $6 == "EF00" { print $2; exit }')
		if [ -n "$start" ] && [ -n "$ss" ]; then
			echo $((start * ss))
			return
		fi
	fi
	# No GPT with an ESP: accept a bare FAT image (boot sector signature and a
	# FAT type string where FAT12/16 or FAT32 keep it).
	local sig fat1216 fat32
	sig=$(od -An -tx1 -j510 -N2 -- "$1" | tr -d ' \n')
	fat1216=$(dd if="$1" bs=1 skip=54 count=3 status=none | tr -d '\0')
	fat32=$(dd if="$1" bs=1 skip=82 count=5 status=none | tr -d '\0')
	if [ "$sig" = 55aa ] && { [ "$fat1216" = FAT ] || [ "$fat32" = FAT32 ]; }; then
		echo 0
		return
	fi
	die "'$1' has no GPT partition of type EF00 and is not a FAT image"
}

off=$(esp_offset "$img")
target() { printf '%s@@%s' "$1" "$off"; }

# exists IMGFILE PATH: is PATH a file or directory on the ESP?
exists() { mdir -b -i "$(target "$1")" "::$2" >/dev/null 2>&1; }
is_dir() { mdir -b -i "$(target "$1")" "::$2/." >/dev/null 2>&1; }

if [ "$mode" = extract ]; then
	out=$3
	if ! exists "$img" "$path" || is_dir "$img" "$path"; then
		die "no file '$path' on the ESP of '$img'"
	fi
	mcopy -n -i "$(target "$img")" "::$path" "$out" ||
		die "could not copy '$path' out of '$img'"
	exit 0
fi

if [ "$mode" = put ]; then
	src=$3
	[ -f "$src" ] || die "local file '$src' not found (or not a regular file)"
fi

work=$(mktemp "$(dirname -- "$img")/.esp-edit.XXXXXX")
trap 'rm -f -- "$work"' EXIT
cp --reflink=auto --preserve=mode -- "$img" "$work"

case $mode in
delete)
	exists "$work" "$path" || die "no file '$path' on the ESP of '$img'"
	! is_dir "$work" "$path" || die "'$path' on the ESP of '$img' is a directory"
	mdel -i "$(target "$work")" "::$path" || die "could not delete '$path' from '$img'"
	;;
put)
	! is_dir "$work" "$path" || die "'$path' on the ESP of '$img' is a directory"
	# Make the missing parent directories, outermost first.
	parent=${path%/*}
	dir=
	IFS=/ read -r -a parts <<<"${parent#/}"
	for part in "${parts[@]}"; do
		[ -n "$part" ] || continue
		dir=$dir/$part
		if ! exists "$work" "$dir"; then
			mmd -i "$(target "$work")" "::$dir" || die "could not make '$dir' on '$img'"
		elif ! is_dir "$work" "$dir"; then
			die "'$dir' on the ESP of '$img' is a file, not a directory"
		fi
	done
	mcopy -o -i "$(target "$work")" -- "$src" "::$path" ||
		die "could not write '$path' on '$img' (is the ESP full?); '$img' is unchanged"
	;;
esac

mv -f -- "$work" "$img"
trap - EXIT
