#!/bin/sh
# test_pxsim.sh PXSIM PXASM INCDIR — the host runner: programs run as in the
# kernel (same VM, scheduler, syscalls, PixelFS, VRAM layout), faults are
# reported and give 128 + fault, and the screen it draws is the same in every
# GOP pixel format and stride (drivers/fb.c's encode/decode paths).
set -u
PXSIM=$1 PXASM=$2 INC=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
check() { # check NAME CONDITION...
	n=$((n + 1))
	name=$1; shift
	if "$@"; then echo "ok $n - $name"; else echo "not ok $n - $name"; fail=1; fi
}
asm() { "$PXASM" -I "$INC" -I "$root/userland/lib" -o "$tmp/$1.pxe" "$2" >"$tmp/asm.log" 2>&1; }

asm hello "$root/userland/apps/hello.pxs" && asm primes "$root/userland/apps/primes.pxs" &&
	asm init "$root/userland/boot/init.pxs" && asm crash "$root/tests/programs/crash.pxs" ||
	{ echo "not ok - assembling the test programs"; cat "$tmp/asm.log"; exit 1; }

"$PXSIM" --quiet "$tmp/hello.pxe" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "hello exits 0" [ $rc -eq 0 ]
check "hello greets" grep -q "hello: Hello, world! from a pxVM process living in VRAM (pid 1)" "$tmp/out"

"$PXSIM" --quiet --add "$tmp/hello.pxe=/apps/hello" --add "$tmp/crash.pxe=/apps/crash" \
	--add "$tmp/primes.pxe=/apps/primes" "$tmp/init.pxe" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "init exits 0 although a child faulted" [ $rc -eq 0 ]
check "crash is stopped by a jump fault" grep -q "pid 3 (crash) stopped by fault 6: jump target outside memory" "$tmp/err"
check "crash does not run past the jump" sh -c "! grep -q 'still running after the jump' '$tmp/out'"
check "init reports the fault" grep -q "init: /apps/crash was stopped by fault 6" "$tmp/out"
check "primes runs after the fault" grep -q "primes: 1900 primes below 16384" "$tmp/out"
check "init finishes" grep -q "init: done, 3 programs run" "$tmp/out"

"$PXSIM" --quiet "$tmp/crash.pxe" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "a faulting program's status is 128 + fault (134)" [ $rc -eq 134 ]

# The same program drawn in every pixel format and a wide stride gives the same picture.
for f in bgrx rgbx bitmask; do
	"$PXSIM" --quiet --format $f --png "$tmp/$f.png" "$tmp/hello.pxe" >/dev/null 2>&1
	check "hello in $f" [ -s "$tmp/$f.png" ]
done
"$PXSIM" --quiet --stride 1400 --png "$tmp/stride.png" "$tmp/hello.pxe" >/dev/null 2>&1
check "rgbx draws what bgrx draws" cmp -s "$tmp/bgrx.png" "$tmp/rgbx.png"
check "bitmask draws what bgrx draws" cmp -s "$tmp/bgrx.png" "$tmp/bitmask.png"
check "a stride wider than the screen draws the same" cmp -s "$tmp/bgrx.png" "$tmp/stride.png"

"$PXSIM" --quiet --screen 640x480 "$tmp/hello.pxe" >/dev/null 2>&1
check "640x480 has room for a slot" [ $? -eq 0 ]
"$PXSIM" --quiet --screen 200x150 "$tmp/hello.pxe" >/dev/null 2>"$tmp/err"; rc=$?
check "a screen too small is refused with a message" sh -c "[ $rc -eq 2 ] && grep -q 'too small' '$tmp/err'"
"$PXSIM" "$tmp/missing.pxe" >/dev/null 2>"$tmp/err"; rc=$?
check "a missing program is refused with a message" sh -c "[ $rc -eq 2 ] && grep -q 'missing.pxe' '$tmp/err'"
printf 'not a program' > "$tmp/text.pxe"
"$PXSIM" "$tmp/text.pxe" >/dev/null 2>"$tmp/err"; rc=$?
check "a file that is not a program is refused" sh -c "[ $rc -eq 2 ] && grep -q 'not a valid pxVM executable' '$tmp/err'"

# A loop that never ends is stopped by --max-steps (status 124).
printf '_start:\n    JMP _start\n' > "$tmp/spin.pxs"
asm spin "$tmp/spin.pxs"
"$PXSIM" --quiet --max-steps 100000 "$tmp/spin.pxe" >/dev/null 2>&1; rc=$?
check "a busy loop is stopped by the step budget" [ $rc -eq 124 ]

[ $fail -eq 0 ] && echo "test_pxsim: all $n checks passed"
exit $fail
