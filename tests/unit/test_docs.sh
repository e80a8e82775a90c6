#!/bin/sh
# test_docs.sh GEN — the opcode, syscall, error and fault tables in
# docs/pxvm-isa.md and docs/pxvm-abi.md must be exactly what
# `gen-pxos-inc --markdown` prints from pxvm/isa.h and pxvm/abi.h, so the docs
# cannot drift from the one definition. To refresh a table, paste the
# generator's section over it.
set -eu
gen=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$gen" --markdown > "$tmp/all.md"
fail=0
for section in opcodes syscalls errors faults; do
	sed -n "/: $section -->/,/^\$/p" "$tmp/all.md" | sed '/^$/d' > "$tmp/$section.md"
	[ -s "$tmp/$section.md" ] || { echo "test_docs: generator printed no $section table"; exit 1; }
	found=no
	for doc in "$root/docs/pxvm-isa.md" "$root/docs/pxvm-abi.md"; do
		sed -n "/: $section -->/,/^\$/p" "$doc" | sed '/^$/d' > "$tmp/doc.md"
		if [ -s "$tmp/doc.md" ]; then
			found=yes
			if ! cmp -s "$tmp/$section.md" "$tmp/doc.md"; then
				echo "test_docs: the $section table in ${doc#$root/} is stale:"
				diff -u "$tmp/doc.md" "$tmp/$section.md" || true
				fail=1
			fi
		fi
	done
	[ $found = yes ] || { echo "test_docs: no $section table in docs/pxvm-*.md"; fail=1; }
done
[ $fail = 0 ] && echo "test_docs: ISA and ABI tables in docs match pxvm/isa.h and pxvm/abi.h"
exit $fail
