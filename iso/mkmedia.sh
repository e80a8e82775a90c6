#!/usr/bin/env bash
# mkmedia.sh — build pxOS boot media without root and without loop devices.
#
#   iso/mkmedia.sh fat     OUT.img ESP_DIR  FAT32 image of the ESP tree, 64 MiB
#   iso/mkmedia.sh fat-fit OUT.img ESP_DIR  FAT16 image of the ESP tree, sized to
#                                           fit (4..31 MiB): the El Torito image
#   iso/mkmedia.sh disk    OUT.img FAT.img  raw GPT disk: one ESP (EF00) at 1 MiB
#   iso/mkmedia.sh iso     OUT.iso FAT.img  hybrid ISO: El Torito EFI boot image and
#                                           GPT partition 2 (EF00) = FAT.img
#
# Every output is written to OUT.tmp and renamed only when complete, so a failed
# run leaves the previous output (or none) and never a half-made image.
# Layout and the reasons for it: docs/media.md.
set -euo pipefail

ESP_MIB=${ESP_MIB:-64}        # size of the EFI System Partition on the raw disk
# An El Torito entry gives its image size as a 16-bit count of 512-byte sectors,
# so the ISO's boot image must stay below 32 MiB (docs/media.md).
ISO_ESP_MAX_MIB=31
ISO_ESP_MIN_MIB=4
ALIGN_MIB=1                   # the ESP starts at 1 MiB (LBA 2048)
ESP_LABEL=PXOS-ESP            # FAT volume label (11 characters at most)
ISO_VOLID=PXOS                # ISO 9660 volume identifier
# The ESP's partition GUID (as GPT calls it, "unique"): fixed, so the loader and
# the docs can name it, and rebuilds stay byte-comparable. The disk GUID is random.
ESP_PART_GUID=7078f3a1-05e5-4b1c-9d2a-70784f530001

export MTOOLS_SKIP_CHECK=1    # mtools: do not insist on a CHS-geometry-aligned size

die() { echo "mkmedia.sh: $*" >&2; exit 1; }

need() {
	local tool pkg
	for tool in "$@"; do
		case $tool in
		sgdisk) pkg=gdisk ;; mkfs.fat) pkg=dosfstools ;; mcopy | mmd) pkg=mtools ;;
		*) pkg=$tool ;;
		esac
		command -v "$tool" >/dev/null 2>&1 ||
			die "'$tool' not found: install the Debian package '$pkg' (or run 'make deps')"
	done
}

# OUT.tmp is removed on any failure.
TMP_OUT=
cleanup() { if [ -n "$TMP_OUT" ]; then rm -f -- "$TMP_OUT"; fi; }
trap cleanup EXIT

check_tree() {
	local dir=$1 f
	[ -d "$dir" ] || die "ESP tree '$dir' is not a directory"
	for f in EFI/BOOT/BOOTX64.EFI pxos/kernel.elf pxos/pixelfs.png pxos/boot.cfg; do
		[ -f "$dir/$f" ] || die "ESP tree '$dir' lacks $f (the loader needs it)"
	done
}

# Bytes the tree takes on a FAT file system with 512-byte clusters: every file
# and directory rounded up to a cluster, plus a cluster per entry for names.
tree_bytes() {
	local dir=$1
	(cd "$dir" && find . -mindepth 1 -printf '%s\n') |
		awk '{ n += int(($1 + 511) / 512) * 512 + 512 } END { print n + 0 }'
}

# fill_fat IMG DIR: copy the tree DIR into the FAT image IMG.
fill_fat() {
	local img=$1 dir=$2 rel
	# Directories first (sorted, so parents come before children), then files.
	while IFS= read -r -d '' rel; do
		mmd -i "$img" "::/$rel"
	done < <(cd "$dir" && find . -mindepth 1 -type d -printf '%P\0' | sort -z)
	while IFS= read -r -d '' rel; do
		if ! mcopy -m -o -i "$img" -- "$dir/$rel" "::/$rel"; then
			die "could not copy $rel into the FAT image (is the ESP full?)"
		fi
	done < <(cd "$dir" && find . -type f -printf '%P\0' | sort -z)
}

# fat OUT ESP_DIR: a FAT32 file system image of exactly ESP_MIB MiB holding ESP_DIR.
make_fat() {
	local out=$1 dir=$2 need_bytes
	need mkfs.fat mcopy mmd
	check_tree "$dir"
	need_bytes=$(tree_bytes "$dir")
	# FAT32 at 512-byte clusters spends about 1% on the two FATs.
	if [ "$need_bytes" -gt $(((ESP_MIB << 20) * 97 / 100)) ]; then
		die "ESP tree '$dir' needs $need_bytes bytes: more than the ${ESP_MIB} MiB ESP holds"
	fi
	TMP_OUT=$out.tmp
	rm -f -- "$TMP_OUT"
	truncate -s "${ESP_MIB}M" -- "$TMP_OUT"
	# -F 32: FAT32 (UEFI 2.10 §13.3.1.1: the ESP on a hard disk is FAT32);
	# -S 512 -s 1: 512-byte sectors and clusters, so 64 MiB has > 65525 clusters
	# (the FAT32 minimum); -h: hidden sectors = the partition's start LBA;
	# --invariant: no random volume ID or time stamps in the boot sector.
	mkfs.fat -F 32 -S 512 -s 1 -h $((ALIGN_MIB * 2048)) -n "$ESP_LABEL" --invariant \
		-- "$TMP_OUT" >/dev/null
	fill_fat "$TMP_OUT" "$dir"
	mv -f -- "$TMP_OUT" "$out"
	TMP_OUT=
}

# fat-fit OUT ESP_DIR: the smallest FAT16 image (whole MiB, ISO_ESP_MIN_MIB up to
# ISO_ESP_MAX_MIB) that holds ESP_DIR with a quarter to spare, for El Torito.
make_fat_fit() {
	local out=$1 dir=$2 need_bytes mib
	need mkfs.fat mcopy mmd
	check_tree "$dir"
	need_bytes=$(tree_bytes "$dir")
	# The FATs and root directory of a 31 MiB FAT16 take < 300 KiB: 1 MiB covers them.
	if [ "$need_bytes" -gt $(((ISO_ESP_MAX_MIB - 1) << 20)) ]; then
		die "ESP tree '$dir' needs $need_bytes bytes: an El Torito boot image holds at" \
			"most ${ISO_ESP_MAX_MIB} MiB (a 16-bit count of 512-byte sectors);" \
			"make the ramdisk smaller, or use the raw disk image (make img)"
	fi
	mib=$(((need_bytes * 5 / 4 + (1 << 20) + (1 << 20) - 1) >> 20))
	[ "$mib" -ge "$ISO_ESP_MIN_MIB" ] || mib=$ISO_ESP_MIN_MIB
	[ "$mib" -le "$ISO_ESP_MAX_MIB" ] || mib=$ISO_ESP_MAX_MIB
	TMP_OUT=$out.tmp
	rm -f -- "$TMP_OUT"
	truncate -s "${mib}M" -- "$TMP_OUT"
	# FAT16 with 512-byte clusters: 4085..65524 clusters = 2..32 MiB.
	mkfs.fat -F 16 -S 512 -s 1 -n "$ESP_LABEL" --invariant -- "$TMP_OUT" >/dev/null
	fill_fat "$TMP_OUT" "$dir"
	mv -f -- "$TMP_OUT" "$out"
	TMP_OUT=
}

# disk OUT FAT: GPT disk = 1 MiB (protective MBR, GPT header and entries),
# the ESP, 1 MiB (backup GPT at the end).
make_disk() {
	local out=$1 fat=$2 fat_bytes start_lba size_lba
	need sgdisk dd
	[ -f "$fat" ] || die "FAT image '$fat' not found"
	fat_bytes=$(stat -c %s -- "$fat")
	[ $((fat_bytes % (1 << 20))) -eq 0 ] || die "FAT image '$fat' is not a whole number of MiB"
	start_lba=$((ALIGN_MIB * 2048))
	size_lba=$((fat_bytes / 512))
	TMP_OUT=$out.tmp
	rm -f -- "$TMP_OUT"
	truncate -s $((fat_bytes + (2 * ALIGN_MIB << 20))) -- "$TMP_OUT"
	sgdisk --clear \
		--new=1:"$start_lba":+"$size_lba" \
		--typecode=1:EF00 \
		--change-name=1:"EFI System Partition" \
		--partition-guid=1:"$ESP_PART_GUID" \
		-- "$TMP_OUT" >/dev/null
	# Check that sgdisk put the partition where the FAT image will go.
	local got
	got=$(sgdisk --info=1 -- "$TMP_OUT" | sed -n 's/^First sector: \([0-9]*\).*/\1/p')
	[ "$got" = "$start_lba" ] || die "sgdisk placed the ESP at LBA '$got', not $start_lba"
	dd if="$fat" of="$TMP_OUT" bs=1M seek="$ALIGN_MIB" conv=notrunc status=none
	mv -f -- "$TMP_OUT" "$out"
	TMP_OUT=
}

# iso OUT FAT: ISO 9660 with an El Torito no-emulation EFI boot entry (platform
# 0xEF) whose image is the appended partition 2 (the FAT ESP), plus an MBR/GPT so
# that the same file written raw to a USB stick boots as a GPT disk.
make_iso() {
	local out=$1 fat=$2 root
	need xorriso
	[ -f "$fat" ] || die "FAT image '$fat' not found"
	[ "$(stat -c %s -- "$fat")" -le $((ISO_ESP_MAX_MIB << 20)) ] ||
		die "FAT image '$fat' is over ${ISO_ESP_MAX_MIB} MiB: too big for El Torito (use 'fat-fit')"
	root=$(mktemp -d)
	# The ISO 9660 tree holds only a README: firmware boots from the ESP, and a
	# second copy of the kernel and ramdisk would double the ISO's size.
	cat >"$root/README.TXT" <<-'EOF'
		pxOS boot medium. The EFI System Partition (FAT32) holds the system:
		  /EFI/BOOT/BOOTX64.EFI  /pxos/kernel.elf  /pxos/pixelfs.png  /pxos/boot.cfg
		Boot with UEFI (Secure Boot off); see docs/media.md in the pxOS tree.
	EOF
	TMP_OUT=$out.tmp
	rm -f -- "$TMP_OUT"
	if ! xorriso -as mkisofs -quiet \
		-o "$TMP_OUT" -V "$ISO_VOLID" -r -J \
		-append_partition 2 0xef "$fat" \
		-e --interval:appended_partition_2:all:: -no-emul-boot \
		-appended_part_as_gpt \
		"$root" 2>"$root.log"; then
		cat "$root.log" >&2
		rm -rf -- "$root" "$root.log"
		die "xorriso failed to make '$out'"
	fi
	rm -rf -- "$root" "$root.log"
	mv -f -- "$TMP_OUT" "$out"
	TMP_OUT=
}

usage() {
	sed -n '2,12s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
fat) [ $# -eq 2 ] || usage; make_fat "$@" ;;
fat-fit) [ $# -eq 2 ] || usage; make_fat_fit "$@" ;;
disk) [ $# -eq 2 ] || usage; make_disk "$@" ;;
iso) [ $# -eq 2 ] || usage; make_iso "$@" ;;
*) usage ;;
esac
