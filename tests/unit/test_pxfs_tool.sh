#!/bin/sh
# test_pxfs_tool.sh — shell-level test of the PixelFS host tool: build a folder,
# list, verify, extract and compare bytes, cat, rebuild identically, corrupt and
# see verify fail naming the file, and the error cases of every command.
#
# usage: test_pxfs_tool.sh PATH-TO-pxfs      (make check-unit runs it)
# Prints one "ok"/"not ok" line per check; exit status 1 if any check failed.
set -u
PXFS=${1:?usage: test_pxfs_tool.sh PATH-TO-pxfs}
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM
n=0
fails=0

pass() { n=$((n + 1)); echo "ok $n - $1"; }
fail() {
	n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"
	sed 's/^/#   stdout: /' "$T/out"; sed 's/^/#   stderr: /' "$T/err"
}
# px ARGS...: run pxfs, keeping stdout, stderr and the status.
px() { "$PXFS" "$@" >"$T/out" 2>"$T/err"; st=$?; }
# expect_ok DESC: the last px succeeded.
expect_ok() { if [ "$st" -eq 0 ]; then pass "$1"; else fail "$1 (status $st)"; fi; }
# expect_err DESC TEXT: the last px failed with status 1 and TEXT on stderr,
# every stderr line in the `pxfs: ` form.
expect_err() {
	if [ "$st" -eq 1 ] && grep -qF -- "$2" "$T/err" && ! grep -qv '^pxfs: ' "$T/err"; then
		pass "$1"
	else
		fail "$1 (status $st, wanted 1 and '$2')"
	fi
}
# expect_usage DESC TEXT: the last px failed with status 1 and printed usage TEXT.
expect_usage() {
	if [ "$st" -eq 1 ] && grep -qF -- "$2" "$T/err"; then
		pass "$1"
	else
		fail "$1 (status $st, wanted 1 and '$2')"
	fi
}
# check DESC COMMAND...: a plain assertion.
check() {
	d=$1; shift
	if "$@" >/dev/null 2>&1; then pass "$d"; else fail "$d"; fi
}
out_has() { grep -qF -- "$1" "$T/out"; }
err_has() { grep -qF -- "$1" "$T/err"; }

# ---- A tree with every kind of file ---------------------------------------------
R=$T/root
mkdir -p "$R/boot" "$R/apps/games" "$R/etc" "$R/data" "$R/docs"
# A PXE1 header (magic, version 1, flags 0, entry 0x200, image_size 4) + 4 bytes.
pxe() { printf 'PXE1\001\000\000\000\000\002\000\000\004\000\000\000%s' "$1"; }
pxe 'init' >"$R/boot/init.pxe"
pxe 'shel' >"$R/boot/shell.pxe"
pxe 'helo' >"$R/apps/hello"              # magic without the suffix: a program
echo 'not a program' >"$R/apps/fake.pxe" # suffix without the magic: a program, warned
echo 'Welcome to pxOS' >"$R/etc/motd.txt"
echo 'key = value' >"$R/etc/pxos.cfg"
echo '# pxOS' >"$R/README.md"
head -c 5000 /dev/urandom >"$R/data/blob"
head -c 61440 /dev/urandom >"$R/apps/games/big"
head -c 1024 /dev/urandom >"$R/data/row"
head -c 1025 /dev/urandom >"$R/data/row1"
head -c 1 /dev/urandom >"$R/data/one"
head -c 3 /dev/urandom >"$R/data/three"
: >"$R/data/empty"
echo 'spaces' >"$R/docs/a b.bin"
NFILES=15
IMG=$T/fs.png

px build "$IMG" "$R"
expect_ok "build a tree"
check "build reports the file count" out_has "$NFILES files"
check "build warns about a .pxe without PXE1 header" err_has "fake.pxe: no PXE1 header"

px list "$IMG"
expect_ok "list a good image"
check "list shows the geometry" out_has "PixelFS v1, 256 x "
awk 'NR > 3 { print $1 }' "$T/out" >"$T/ids"
seq 1 $NFILES >"$T/ids.want"
check "ids are 1..$NFILES" cmp -s "$T/ids" "$T/ids.want"
awk 'NR > 3 { sub(/^ *[0-9]+ +[a-z?0-9]+ +[0-9]+ +0x[0-9a-f]+ +[0-9]+ +/, ""); print }' \
	"$T/out" >"$T/paths"
LC_ALL=C sort "$T/paths" >"$T/paths.sorted"
check "files are sorted by path" cmp -s "$T/paths" "$T/paths.sorted"
check "path list has every file" test "$(wc -l <"$T/paths")" -eq $NFILES
# type_of PATH: the TYPE column of that file in the listing.
type_of() { awk -v p="$1" 'NR > 3 && $NF == p { print $2 }' "$T/out"; }
check "boot/init.pxe is the program /boot/init" test "$(type_of /boot/init)" = program
check "apps/hello (PXE1 magic) is a program" test "$(type_of /apps/hello)" = program
check "apps/fake.pxe is the program /apps/fake" test "$(type_of /apps/fake)" = program
check ".txt is text" test "$(type_of /etc/motd.txt)" = text
check ".cfg is text" test "$(type_of /etc/pxos.cfg)" = text
check ".md is text" test "$(type_of /README.md)" = text
check "other files are data" test "$(type_of /data/blob)" = data
check "a path with a space is kept" out_has "/docs/a b.bin"

px verify "$IMG"
expect_ok "verify a good image"
check "verify says ok" out_has "ok, $NFILES files"

px extract "$IMG" "$T/x1"
expect_ok "extract a good image"
# Every program comes out as PATH.pxe, also one that had no suffix in the tree.
check "extract writes the program /apps/hello as apps/hello.pxe" \
	cmp -s "$R/apps/hello" "$T/x1/apps/hello.pxe"
mv "$T/x1/apps/hello.pxe" "$T/x1/apps/hello"
check "extract gives back the tree byte for byte (.pxe restored)" diff -r "$R" "$T/x1"

for f in /boot/init:boot/init.pxe /etc/motd.txt:etc/motd.txt /data/blob:data/blob \
	/apps/games/big:apps/games/big /data/empty:data/empty "/docs/a b.bin:docs/a b.bin"; do
	path=${f%%:*}; src=${f#*:}
	"$PXFS" cat "$IMG" "$path" >"$T/cat" 2>"$T/err"
	check "cat $path gives its bytes" cmp -s "$T/cat" "$R/$src"
done

px build "$T/again.png" "$T/x1"
expect_ok "build the extracted tree"
check "rebuilding the extracted tree gives the same PNG" cmp -s "$IMG" "$T/again.png"

px build "$T/narrow.png" "$R" --width 32
expect_ok "build with --width 32"
px list "$T/narrow.png"
check "--width 32 gives a 32-pixel-wide image" out_has "PixelFS v1, 32 x "
px verify "$T/narrow.png"
expect_ok "verify the narrow image"
px build "$T/wide.png" "$R" --width=4096
expect_ok "build with --width=4096"

# ---- Corrupt images ----------------------------------------------------------------
px corrupt "$IMG" "$T/bad-file.png" --file /data/blob
expect_ok "corrupt --file"
px verify "$T/bad-file.png"
expect_err "verify fails on a corrupt file, naming it" "/data/blob: checksum mismatch"
check "verify counts the bad file" err_has "1 of $NFILES files bad"
px list "$T/bad-file.png"
check "list marks the bad file" out_has "/data/blob  BAD: checksum mismatch"
check "list fails on a corrupt file" test "$st" -eq 1
"$PXFS" cat "$T/bad-file.png" /etc/motd.txt >"$T/cat" 2>"$T/err"
check "the other files stay readable" cmp -s "$T/cat" "$R/etc/motd.txt"
px cat "$T/bad-file.png" /data/blob
expect_err "cat of the corrupt file says why" "/data/blob: checksum mismatch in"
px extract "$T/bad-file.png" "$T/x2"
expect_err "extract reports the corrupt file" "/data/blob: checksum mismatch"
check "extract skips the corrupt file" test ! -e "$T/x2/data/blob"
rm -f "$T/x1/data/blob"
mv "$T/x2/apps/hello.pxe" "$T/x2/apps/hello"
check "extract writes every other file" diff -r "$T/x1" "$T/x2"

px corrupt "$IMG" "$T/bad.png" --file /data/blob --at 4999
expect_ok "corrupt --file --at the last byte"
px verify "$T/bad.png"
expect_err "the last byte is checked too" "/data/blob: checksum mismatch"
px corrupt "$IMG" "$T/bad.png" --file /data/blob --at 5000
expect_err "corrupt --at past the file is refused" "outside /data/blob"
px corrupt "$IMG" "$T/bad.png" --file /data/empty
expect_err "corrupt of an empty file is refused" "empty file"

px corrupt "$IMG" "$T/bad.png" --super
expect_ok "corrupt --super"
px verify "$T/bad.png"
expect_err "verify fails on a corrupt superblock" "superblock checksum mismatch"
px corrupt "$IMG" "$T/bad.png" --super --at 0
px verify "$T/bad.png"
expect_err "a broken magic is not a PixelFS image" "bad magic: not a PixelFS image"
px corrupt "$IMG" "$T/bad.png" --super --at 4
px verify "$T/bad.png"
expect_err "a broken version is reported" "unsupported PixelFS version"
px corrupt "$IMG" "$T/bad.png" --dir
expect_ok "corrupt --dir"
px verify "$T/bad.png"
expect_err "verify fails on a corrupt directory" "directory checksum mismatch"
px list "$T/bad.png"
expect_err "list fails on a corrupt directory" "directory checksum mismatch"
px extract "$T/bad.png" "$T/x3"
expect_err "extract fails on a corrupt directory" "directory checksum mismatch"
px corrupt "$IMG" "$T/bad.png" --super --dir
expect_usage "corrupt needs exactly one region" "usage: pxfs corrupt"

# ---- Build errors ------------------------------------------------------------------
mkdir -p "$T/clash"
pxe 'aaaa' >"$T/clash/x.pxe"
echo other >"$T/clash/x"
px build "$T/clash.png" "$T/clash"
expect_err "two files that become one path are refused" "both become /x"
check "the clash names both files" err_has "$T/clash/x.pxe"
check "a failed build writes nothing" test ! -e "$T/clash.png"

mkdir -p "$T/clash2/a"
pxe 'aaaa' >"$T/clash2/a.pxe"
echo b >"$T/clash2/a/b"
px build "$T/clash2.png" "$T/clash2"
expect_err "a file that is also a directory is refused" "which is also the directory of /a/b"

echo keep >"$T/keep.png"
px build "$T/keep.png" "$T/clash"
check "a failed build leaves an existing output alone" test "$(cat "$T/keep.png")" = keep

px build "$T/none.png" "$T/does-not-exist"
expect_err "a missing root is reported" "does-not-exist: No such file or directory"
px build "$T/none.png" "$R/README.md"
expect_err "a root that is a file is reported" "README.md: not a directory"
px build "$T/none.png" "$R" --width 31
expect_err "--width below 32 is refused" "not a width in 32..4096"
px build "$T/none.png" "$R" --width 4097
expect_err "--width above 4096 is refused" "not a width in 32..4096"
px build "$T/none.png" "$R" --width abc
expect_err "--width must be a number" "'abc' is not a width"
px build "$T/none.png"
expect_usage "build without ROOTDIR prints its usage" "usage: pxfs build"

long=$T/long/$(printf '%090d' 0) # /<90 digits>/bcdef: 97 bytes
mkdir -p "$long"
echo x >"$long/bcdef"
px build "$T/none.png" "$T/long"
expect_err "a path longer than 95 bytes is refused" "bytes long (95 at most)"
rm -rf "$T/long"
mkdir -p "$T/ok95/$(printf '%089d' 0)"
echo x >"$T/ok95/$(printf '%089d' 0)/abcd"
px build "$T/ok95.png" "$T/ok95"
expect_ok "a path of exactly 95 bytes is accepted"

mkdir -p "$T/emptyname"
echo x >"$T/emptyname/.pxe"
px build "$T/none.png" "$T/emptyname"
expect_err "a file named .pxe is refused" "name is empty without its .pxe suffix"

mkdir -p "$T/many"
i=0
while [ $i -le 1024 ]; do : >"$T/many/f$i"; i=$((i + 1)); done
px build "$T/none.png" "$T/many"
expect_err "more than 1024 files are refused" "a PixelFS image holds at most 1024"
rm -f "$T/many/f1024"
px build "$T/many.png" "$T/many"
expect_ok "1024 files are accepted"
px verify "$T/many.png"
expect_ok "an image of 1024 files verifies"

mkdir -p "$T/huge"
head -c 2200000 /dev/zero >"$T/huge/big"
px build "$T/none.png" "$T/huge" --width 32
expect_err "too much data for one image is refused" "try a larger --width"

mkdir -p "$T/fifo"
mkfifo "$T/fifo/pipe"
px build "$T/none.png" "$T/fifo"
expect_err "a FIFO is refused" "pipe: not a regular file or directory"

# A file its reader may not open. Root reads every file (CAP_DAC_OVERRIDE), so
# as root pxfs runs without the two capabilities that bypass file modes.
mkdir -p "$T/unreadable"
echo secret >"$T/unreadable/f"
chmod 000 "$T/unreadable/f"
if [ "$(id -u)" -eq 0 ]; then
	setpriv --bounding-set=-dac_override,-dac_read_search "$PXFS" build "$T/none.png" \
		"$T/unreadable" >"$T/out" 2>"$T/err"
	st=$?
else
	px build "$T/none.png" "$T/unreadable"
fi
expect_err "an unreadable file is reported" "f: Permission denied"
chmod 600 "$T/unreadable/f"
check "no failed build wrote its output" test ! -e "$T/none.png"

# ---- Reading errors ------------------------------------------------------------------
px cat "$IMG" /no/such/file
expect_err "cat of a missing path" "/no/such/file: no such file in"
px cat "$IMG" /boot/init.pxe
expect_err "programs are stored without .pxe" "/boot/init.pxe: no such file"
px extract "$IMG" "$T/x1"
expect_err "extract does not overwrite files" "exists already: not overwritten"
echo 'not a png' >"$T/text.png"
px verify "$T/text.png"
expect_err "a file that is not a PNG" "not a readable PNG"
px list "$T/missing.png"
expect_err "a missing image" "missing.png: No such file or directory"
# An 8-bit RGB (not RGBA) PNG of 64 x 2 pixels, written with Python's zlib.
/usr/bin/python3 - "$T/rgb.png" <<'EOF'
import struct, sys, zlib
w, h = 64, 2
raw = b"".join(b"\0" + bytes(3 * w) for _ in range(h))
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
EOF
px verify "$T/rgb.png"
expect_err "an RGB PNG is refused" "not an 8-bit RGBA PNG (3 channels)"
px frobnicate
expect_err "an unknown command" "frobnicate: unknown command"
"$PXFS" >"$T/out" 2>"$T/err"
check "no command: usage and status 1" test $? -eq 1 -a -s "$T/err"
"$PXFS" --help >"$T/out" 2>"$T/err"
check "--help: usage on stdout, status 0" test $? -eq 0 -a -s "$T/out"

echo "# $n checks, $fails failed"
[ "$fails" -eq 0 ]
