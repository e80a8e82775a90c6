#!/bin/sh
# test_bench.sh PXBENCH BENCHDIR PYTHON — the benchmark programs of `make bench`, run
# once at a small size: pxVM (bare interpreter and under the scheduler), Lua
# 5.4 and LuaJIT (-joff and with its JIT) must all print the result computed
# in C by `pxbench ref`; so must the watched interpreter and the one built
# without watching (pxbench-nowatch, the baseline of make bench's watching
# table), whose plain run loop must be the same machine code as pxOS's. And
# bench.py itself starts as make bench starts it (PYTHON tests/bench/bench.py:
# its folder first on the module path) and imports all it uses.
set -u
PXBENCH=$1 DIR=$2 PYTHON=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
LUA=${LUA:-lua5.4}
LUAJIT=${LUAJIT:-luajit}
n=0 fail=0
check() { # check NAME EXPECTED ACTUAL
	n=$((n + 1))
	if [ "$2" = "$3" ]; then echo "ok $n - $1"; else echo "not ok $n - $1: want '$2', got '$3'"; fail=1; fi
}
first() { head -n 1; }

for case in "loop 100000" "loop 0" "fib 20" "fib 1" "sieve 2" "copy 3" "copy 0"; do
	set -- $case
	want=$("$PXBENCH" ref "$1" "$2")
	got=$("$PXBENCH" run "$DIR/$1.pxe" "$2" | first)
	check "pxVM $1($2)" "$want" "$got"
	# Lua 5.4, LuaJIT's interpreter (-joff) and LuaJIT with its JIT: the
	# scripts must parse and compute the same in all three (make bench).
	for lua in "$LUA" "$LUAJIT -joff" "$LUAJIT"; do
		if command -v "${lua%% *}" >/dev/null 2>&1; then
			got=$($lua "$root/tests/bench/$1.lua" "$2" 2>&1)
			check "$lua $1($2)" "$want" "$got"
		else
			n=$((n + 1)); echo "not ok $n - ${lua%% *} not installed (make deps)"; fail=1
		fi
	done
done
# The full-size results are the C reference values quoted in docs/performance.md.
check "loop reference" "loop: 987459712" "$("$PXBENCH" ref loop)"
check "fib reference" "fib: 832040" "$("$PXBENCH" ref fib)"
check "sieve reference" "sieve: 5133" "$("$PXBENCH" ref sieve)"
check "copy reference" "copy: 1559316480" "$("$PXBENCH" ref copy)"

# Under the scheduler: 5 copies at once all print the same right result.
check "5 x fib(15) under the scheduler" "$("$PXBENCH" ref fib 15)" "$("$PXBENCH" procs 5 "$DIR/fib.pxe" 15 | first)"
check "3 x sieve(1) under the scheduler" "$("$PXBENCH" ref sieve 1)" "$("$PXBENCH" procs 3 "$DIR/sieve.pxe" 1 | first)"
# Watching (make bench's "watching off" table): the watched run computes the
# same and logs the stores; pxbench-nowatch has no watching (its watched run
# logs nothing) and its run loop is, instruction for instruction, the plain
# copy every unwatched process runs: the off path adds nothing inside the loop.
NOWATCH=$(dirname "$PXBENCH")/pxbench-nowatch
build=$(cd "$DIR/../.." && pwd)
want=$("$PXBENCH" ref fib 20)
check "pxbench-nowatch fib(20)" "$want" "$("$NOWATCH" run "$DIR/fib.pxe" 20 | first)"
out=$("$PXBENCH" watched "$DIR/fib.pxe" 20)
check "watched fib(20)" "$want" "$(echo "$out" | first)"
check "watched fib(20) logs its stores" "watch: 43806 writes logged, 0 words of rewritten code" \
	"$(echo "$out" | grep '^watch:')"
check "pxbench-nowatch has no watching" "watch: 0 writes logged, 0 words of rewritten code" \
	"$("$NOWATCH" watched "$DIR/fib.pxe" 20 | grep '^watch:')"
run_plain() { objdump -d --no-show-raw-insn "$1" | awk '/<run_plain>:/,/^$/' | sed 's/^ *[0-9a-f]*:[[:space:]]*//'; }
a=$(run_plain "$build/host/pxvm/vm.o" | cksum) b=$(run_plain "$build/host/tests/bench/vm_nowatch.o" | cksum)
lines=$(run_plain "$build/host/pxvm/vm.o" | wc -l)
[ "$lines" -gt 1000 ] && same=yes || same="no run_plain in vm.o ($lines lines)"
[ "$a" = "$b" ] || same="run_plain differs: $a / $b"
check "run_plain is the same code with and without watching" yes "$same"

# The in-QEMU program's report, on the host: 10^7 steps take milliseconds on
# any machine (so M > 0), and R = floor(I * 1000 / M).
out=$("$PXBENCH" run "$DIR/qbench.pxe" 10000000 | first)
ms=$(echo "$out" | sed -n 's/^qbench: 20000004 instructions in \([1-9][0-9]*\) ms: [0-9]* instructions\/s$/\1/p')
if [ -n "$ms" ]; then
	want="qbench: 20000004 instructions in $ms ms: $((20000004 * 1000 / ms)) instructions/s"
else
	want="qbench: 20000004 instructions in M ms (M > 0): R instructions/s"
fi
check "qbench report" "$want" "$out"
# A wrong result is caught: pxbench procs fails when the copies disagree or fault.
"$PXBENCH" procs 2 "$DIR/qbench.pxe" 0 >/dev/null 2>&1; rc=$?
check "pxbench procs fails on a non-zero exit or differing output" 1 "$rc"

# make bench's script: started the way make bench starts it, it imports every
# module it uses (pxqemu, unittest, ...) before reading its options; a
# benchmark script beside it that shadowed a standard module (copy.py: unittest
# imports copy) broke that, and make bench with it.
out=$("$PYTHON" "$root/tests/bench/bench.py" --help 2>&1); rc=$?
check "bench.py starts and imports all it uses" "0: usage: bench.py" "$rc: $(echo "$out" | head -n 1 | cut -c 1-15)"

[ $fail -eq 0 ] && echo "bench programs: all $n checks passed"
exit $fail
