#!/bin/sh
# test_bench.sh PXBENCH BENCHDIR — the benchmark programs of `make bench`, run
# once at a small size: pxVM (bare interpreter and under the scheduler) and
# Lua 5.4 must both print the result computed in C by `pxbench ref`.
set -u
PXBENCH=$1 DIR=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
LUA=${LUA:-lua5.4}
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
	if command -v "$LUA" >/dev/null 2>&1; then
		got=$("$LUA" "$root/tests/bench/$1.lua" "$2")
		check "Lua $1($2)" "$want" "$got"
	else
		n=$((n + 1)); echo "not ok $n - $LUA not installed (make deps)"; fail=1
	fi
done
# The full-size results are the C reference values quoted in docs/performance.md.
check "loop reference" "loop: 987459712" "$("$PXBENCH" ref loop)"
check "fib reference" "fib: 832040" "$("$PXBENCH" ref fib)"
check "sieve reference" "sieve: 5133" "$("$PXBENCH" ref sieve)"
check "copy reference" "copy: 1559316480" "$("$PXBENCH" ref copy)"

# Under the scheduler: 5 copies at once all print the same right result.
check "5 x fib(15) under the scheduler" "$("$PXBENCH" ref fib 15)" "$("$PXBENCH" procs 5 "$DIR/fib.pxe" 15 | first)"
check "3 x sieve(1) under the scheduler" "$("$PXBENCH" ref sieve 1)" "$("$PXBENCH" procs 3 "$DIR/sieve.pxe" 1 | first)"
# The in-QEMU program's report, on the host.
out=$("$PXBENCH" run "$DIR/qbench.pxe" 1000000 | first)
case $out in
"qbench: 2000004 instructions in "*" ms: "*" instructions/s" | "qbench: too short to time"*) r=ok ;;
*) r="$out" ;;
esac
check "qbench report" ok "$r"
# A wrong result is caught: pxbench procs fails when the copies disagree or fault.
"$PXBENCH" procs 2 "$DIR/qbench.pxe" 0 >/dev/null 2>&1; rc=$?
check "pxbench procs fails on a non-zero exit or differing output" 1 "$rc"

[ $fail -eq 0 ] && echo "bench programs: all $n checks passed"
exit $fail
