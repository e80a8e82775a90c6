#!/bin/sh
# test_pxdis_roundtrip.sh PXDIS PXASM PXFS BUILD — the disassembler's round
# trip over every program: pxdis each .pxe, reassemble the output with pxasm,
# and the new .pxe must equal the original byte for byte. The same for the raw
# image (--raw) and for the program read from a PixelFS image (--fs).
# The programs are found by glob: every .pxe under BUILD/userland,
# BUILD/tests/programs and BUILD/tests/bench (the benchmarks), so new
# programs are covered without changes here.
set -u
PXDIS=$1 PXASM=$2 PXFS=$3 BUILD=$4
set -- $(find "$BUILD/userland" "$BUILD/tests/programs" "$BUILD/tests/bench" -name '*.pxe' 2>/dev/null | LC_ALL=C sort)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); echo "not ok $n - $1"; fail=1; }

[ $# -gt 0 ] || { echo "not ok - no programs in $BUILD/userland or $BUILD/tests/programs"; exit 1; }
count=0
for pxe in "$@"; do
	name=$(echo "$pxe" | sed "s|^$BUILD/||; s|/|_|g; s|\.pxe\$||")
	count=$((count + 1))
	if ! "$PXDIS" -o "$tmp/$name.pxs" "$pxe" 2>"$tmp/err"; then
		bad "$pxe: pxdis failed: $(cat "$tmp/err")"; continue
	fi
	if ! "$PXASM" -o "$tmp/$name.pxe" "$tmp/$name.pxs" >"$tmp/err" 2>&1; then
		bad "$pxe: the disassembly does not assemble"; sed 's/^/#   /' "$tmp/err"; continue
	fi
	if cmp -s "$pxe" "$tmp/$name.pxe"; then
		ok "$pxe: pxdis | pxasm gives the same .pxe ($(wc -c <"$pxe") bytes)"
	else
		bad "$pxe: reassembled .pxe differs"; cmp "$pxe" "$tmp/$name.pxe" | sed 's/^/#   /'
	fi
	# the output must not be trivially all data: code is found and labelled
	grep -q '^_start:' "$tmp/$name.pxs" && grep -Eq '^ +(SYSCALL|CALL|JMP|HALT)' "$tmp/$name.pxs" ||
		bad "$pxe: no _start label or no instructions in the disassembly"
	# raw: the image without its header, at pxasm's base
	tail -c +17 "$pxe" > "$tmp/$name.bin"
	"$PXDIS" --raw -o "$tmp/$name.raw.pxs" "$tmp/$name.bin" 2>"$tmp/err" &&
		"$PXASM" --raw -o "$tmp/$name.raw.bin" "$tmp/$name.raw.pxs" >"$tmp/err" 2>&1 &&
		cmp -s "$tmp/$name.bin" "$tmp/$name.raw.bin" && ok "$pxe: --raw round trip" ||
		bad "$pxe: --raw round trip: $(cat "$tmp/err")"
done
echo "# $count programs"

# Every program from one PixelFS image (the tools' own image builder).
if [ -x "$PXFS" ]; then
	mkdir -p "$tmp/root/p"
	i=0
	for pxe in "$@"; do i=$((i + 1)); cp "$pxe" "$tmp/root/p/prog$i"; done
	if "$PXFS" build "$tmp/fs.png" "$tmp/root" >"$tmp/err" 2>&1; then
		i=0
		for pxe in "$@"; do
			i=$((i + 1))
			"$PXDIS" --fs "$tmp/fs.png" -o "$tmp/fs$i.pxs" "/p/prog$i" 2>"$tmp/err" &&
				"$PXASM" -o "$tmp/fs$i.pxe" "$tmp/fs$i.pxs" >"$tmp/err" 2>&1 &&
				cmp -s "$pxe" "$tmp/fs$i.pxe" && ok "$pxe: --fs round trip" ||
				bad "$pxe: --fs round trip: $(cat "$tmp/err")"
		done
	else
		bad "pxfs build: $(cat "$tmp/err")"
	fi
else
	bad "no pxfs tool at $PXFS"
fi

[ $fail -eq 0 ] && echo "pxdis round trip: all $n checks passed"
exit $fail
