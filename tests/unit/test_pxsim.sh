#!/bin/sh
# test_pxsim.sh PXSIM PXASM INCDIR RAMDISK — the host simulator: programs run
# as in the kernel (same VM, scheduler, syscalls, tty, PixelFS, VRAM layout),
# faults are reported and give 128 + fault, the screen it draws is the same in
# every GOP pixel format and stride (drivers/fb.c's encode/decode paths); then
# pxOS booted from the built ramdisk (RAMDISK) with scripted console input:
# the shell, its builtins, history, background jobs, kill, Ctrl-C and end of
# input, and the tools and demos (ps, ls, cat, forkdemo, pingpong, swarm);
# watching with Ctrl-] and --watch, and --who (docs/watching.md).
set -u
PXSIM=$1 PXASM=$2 INC=$3 RAMDISK=$4
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

printf '/apps/hello\n/apps/crash\n/apps/primes\n' > "$tmp/rc3"
"$PXSIM" --quiet --add "$tmp/hello.pxe=/apps/hello" --add "$tmp/crash.pxe=/apps/crash" \
	--add "$tmp/primes.pxe=/apps/primes" --add "$tmp/rc3=/boot/initrc" "$tmp/init.pxe" >"$tmp/out" 2>"$tmp/err"; rc=$?
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

# A process blocked with nothing that could wake it ends the run: status 125.
printf '.include "pxos.inc"\n_start:\n    IMM32 R1, 0x4000\n    IMM8 R2, 4\n    IMM8 R3, 0\n    SYSCALL SYS_IPC_RECV\n    HALT\n' > "$tmp/recv.pxs"
asm recv "$tmp/recv.pxs"
"$PXSIM" --quiet "$tmp/recv.pxe" >/dev/null 2>"$tmp/err"; rc=$?
check "a process blocked forever ends the run with 125" sh -c "[ $rc -eq 125 ] && grep -q 'nothing left to wake them' '$tmp/err'"

# ---- pxOS booted in the simulator, driven through the console -------------------
# boot SCRIPT [pxsim options...]: boot the ramdisk, type SCRIPT; $tmp/out, $tmp/err, $rc.
boot() {
	script=$1; shift
	"$PXSIM" --quiet --fs "$RAMDISK" --boot --type "$script" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
}
has() { grep -q -- "$1" "$tmp/out"; }          # has TEXT: in stdout
has_err() { grep -q -- "$1" "$tmp/err"; }      # has_err TEXT: in stderr
lacks() { ! grep -q -- "$1" "$tmp/out"; }

boot 'help\necho hello   world\nls\nls /apps\nls /nope\ncat /boot/motd.txt\ncat /nope\nnosuch\n'
check "boot: init runs /boot/initrc" sh -c "grep -q 'init: /apps/hello exited with status 0' '$tmp/out' && grep -q 'primes: 1900 primes below 16384' '$tmp/out' && grep -q 'init: done, 2 programs run' '$tmp/out'"
check "boot: init starts the shell" has "init: started the shell /boot/sh as pid 4"
check "the shell prompts and the tty echoes the input" has 'sh\$ echo hello   world'
check "help lists the builtins" sh -c "grep -q '  history  ' '$tmp/out' && grep -q '  kill PID|%JOB...' '$tmp/out' && grep -q '  ps  ' '$tmp/out'"
check "help lists the programs in /apps" sh -c "grep '^Programs in /apps:' '$tmp/out' | grep -q ' cat cp df dmesg edit forkdemo hello ls .*mv .*pingpong primes ps rm sleep snapshot swarm'"
check "echo" has "^hello   world\$"
check "ls / shows the directories" sh -c "grep -q '^dir  *- apps/' '$tmp/out' && grep -q '^dir  *- boot/' '$tmp/out'"
check "ls /apps shows programs with their sizes" grep -q "^program  *[0-9][0-9]* forkdemo" "$tmp/out"
check "ls of a missing path says so" has_err "ls: /nope: no such file or directory"
check "the shell reports a nonzero exit" has_err "sh: ls (pid [0-9]*) exited with status 1"
check "cat writes a file" has "Every process you start lives in a 128x128 tile"
check "cat of a missing file says so" has_err "cat: /nope: no such file or directory"
check "an unknown command is reported" has_err "sh: nosuch: command not found"
check "end of input ends the shell, then init" sh -c "grep -q 'init: the shell exited with status 0' '$tmp/out' && [ $rc -eq 0 ]"

boot 'ps\necho one\necho two\nhistory\n!2\n!!\n!99\n!x\n&\nexit 3\n'
check "ps (a builtin) shows init (blocked) and the shell running it" sh -c "grep -q '^    1     0     1 blocked:wait .* init' '$tmp/out' && grep -q '^    4     1     4 running .* sh' '$tmp/out'"
check "ps counts" has "ps: 2 processes, 32 table entries"
check "ps shows the slots: init's, the shell's" sh -c "grep -q '^    1     0     1 blocked:wait      0 ' '$tmp/out' && grep -q '^    4     1     4 running  *[0-9-] ' '$tmp/out'"
check "history numbers the commands" sh -c "grep -q '^    2  echo one' '$tmp/out' && grep -q '^    4  history' '$tmp/out'"
check "!N runs command N again" test "$(grep -c '^one$' "$tmp/out")" -eq 3
check "!99 is not in the history" has_err "sh: !99: event not found"
check "!x is not an event" has_err "sh: !x: event not found"
check "a lone & is a syntax error" has_err "sh: syntax error: nothing before '&'"
check "exit STATUS" has "init: the shell exited with status 3"

boot 'sleep 100 &\njobs\nps\nwait\nsleep 50 &\nsleep 200\necho after\nwait 77\nwait x\n'
check "& starts a background job" has "^\[5\] sleep"
check "jobs lists it: a job (process group) of one process" has "^\[5\] 1 process: sleep"
check "ps shows the sleeper blocked, in a job of its own" grep -q "^    5     4     5 blocked:sleep .* sleep" "$tmp/out"
check "wait collects the job" has "\[5\] done sleep (status 0)"
check "an ended job is reported at the next prompt" sh -c "grep -A1 '^sh\$ sleep 200' '$tmp/out' | grep -q '^\[[0-9]*\] done sleep (status 0)'"
check "wait for a process that is not a child" has_err "sh: wait: no such child process"
check "wait with a bad PID" has_err "usage: wait \[PID\]"

boot 'swarm 4 0 &\nsleep 300\nps\nkill 5\nkill 5\nkill 1\nkill\nsleep 50\nps\n'
check "swarm forks 4 drawers" has "swarm: 4 drawers, pids 6 7 8 9"
check "ps shows swarm and its drawers, all in swarm's job" test "$(grep -c '^    [6-9]     5     5 [a-z:]* .* swarm' "$tmp/out")" -eq 4
check "the busy drawers are preempted (runnable)" grep -q "^    7     5     5 runnable .* swarm" "$tmp/out"
check "kill stops a background job, reported at once" has "\[5\] done swarm (killed)"
check "killing it again: no such process" has_err "sh: kill: 5: no such process"
check "the shell may not kill init" has_err "sh: kill: 1: operation not permitted"
check "kill without a PID" has_err "usage: kill PID|%JOB..."
check "the drawers stop when swarm is gone" sh -c "tail -n 4 '$tmp/out' | grep -q 'ps: 2 processes'"
# The screen while the swarm runs: each drawer's colour fills its own canvas.
boot 'swarm 4 0 &\nsleep 300\n' --max-steps 80000000 --png "$tmp/swarm.png"
check "the run stops at --max-steps with the swarm alive" [ $rc -eq 124 ]
/usr/bin/python3 - "$tmp/swarm.png" "$root/tests/qemu" >"$tmp/py" 2>&1 <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
import pxqemu
img = pxqemu.Image.load_png(sys.argv[1])
def v(i):
    r, g, b = img.get_pixel(i, 0)
    return r | g << 8 | b << 16
assert v(0) == 0x4F7870, "no substrate record in row 0"
slots = v(4)
canvases = [(v(18 + 4 * s + 2), v(18 + 4 * s + 3)) for s in range(slots)]
for rgb in ((255, 64, 64), (64, 255, 64), (64, 128, 255), (255, 220, 64)):  # drawers 0..3
    counts = [sum(1 for y in range(cy, cy + 128) for x in range(cx, cx + 128) if img.get_pixel(x, y) == rgb)
              for cx, cy in canvases]
    assert max(counts) >= 100, "no canvas with the drawer colour %s: %s" % (rgb, counts)
    print(rgb, counts)
PY
pyrc=$?
check "every drawer drew on its canvas" [ $pyrc -eq 0 ]
[ $pyrc -eq 0 ] || cat "$tmp/py"

# The table has NPROC entries whatever the screen: 8 drawers beside init,
# the shell and swarm, with 8 slots at 1280x800.
boot 'swarm 8 5\nps\n'
check "swarm: all 8 drawers run, more processes than slots" grep -q "^swarm: 8 drawers done" "$tmp/out"
check "ps: the table has 32 entries" has "ps: 2 processes, 32 table entries"

# No screen: every process runs unseen, the shell and the programs work.
boot 'ls /apps\nhello\nswarm 3 5\nps\n' --screen none
check "no screen: init runs initrc" grep -q "init: done, 2 programs run" "$tmp/out"
check "no screen: the shell runs ls" grep -q "^program  *[0-9][0-9]* hello" "$tmp/out"
check "no screen: hello greets" grep -q "^hello: Hello, world!" "$tmp/out"
check "no screen: swarm's drawers run unseen" grep -q "^swarm: 3 drawers done" "$tmp/out"
check "no screen: ps lists the processes" grep -q "ps: 2 processes, 32 table entries" "$tmp/out"
check "no screen: no process has a slot" sh -c "sed -n '/PID  PPID  PGID STATE/,/^ps:/p' '$tmp/out' | awk 'NR > 1 && !/^ps:/ { n++; if (\$5 != \"-\") bad++ } END { exit !(n >= 2 && !bad) }'"
check "no screen: end of input ends the shell" sh -c "grep -q 'init: the shell exited with status 0' '$tmp/out' && [ $rc -eq 0 ]"
"$PXSIM" --screen none --png "$tmp/x.png" "$tmp/hello.pxe" >/dev/null 2>"$tmp/err"; rc=$?
check "no screen: --png is refused" sh -c "[ $rc -eq 2 ] && grep -q 'needs a screen' '$tmp/err'"

# 640x480 has two slots: init and the foreground `sleep` are shown, swarm's
# drawers run unseen until Ctrl-^ pages: 8 live processes make 4 pages, and
# page 3 shows pids 7 and 8, drawers 1 and 2, on the canvases they drew all
# along.
boot 'swarm 4 0 &\nsleep 5000\n' --screen 640x480 --at '100:\x1e' --at '150:\x1e' --max-steps 80000000 \
	--png "$tmp/page.png"
check "640x480: the run stops at --max-steps with everything alive" [ $rc -eq 124 ]
/usr/bin/python3 - "$tmp/page.png" "$root/tests/qemu" >"$tmp/py" 2>&1 <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
import pxqemu
img = pxqemu.Image.load_png(sys.argv[1])
def v(i):
    r, g, b = img.get_pixel(i, 0)
    return r | g << 8 | b << 16
assert v(0) == 0x4F7870, "no substrate record in row 0"
assert v(4) == 2, "640x480 should have 2 slots, not %d" % v(4)
for slot, rgb in ((0, (64, 255, 64)), (1, (64, 128, 255))):  # drawers 1 and 2
    cx, cy = v(18 + 4 * slot + 2), v(18 + 4 * slot + 3)
    n = sum(1 for y in range(cy, cy + 128) for x in range(cx, cx + 128) if img.get_pixel(x, y) == rgb)
    assert n >= 100, "slot %d: %d pixels of %s" % (slot, n, rgb)
    tx, ty = v(18 + 4 * slot), v(18 + 4 * slot + 1)
    r, g, b = img.get_pixel(tx + 0x100 // 4, ty)  # the pid word of the system area
    assert r == 7 + slot, "slot %d's tile shows pid %d" % (slot, r)
    print(slot, n)
PY
pyrc=$?
check "640x480: paging shows the drawers the slots did not" [ $pyrc -eq 0 ]
[ $pyrc -eq 0 ] || cat "$tmp/py"

boot 'swarm 2 0\nps\n' --at '400:\x03'
check "Ctrl-C kills the foreground program" has_err "sh: swarm (pid 5) killed"
check "the shell prompts again after Ctrl-C" grep -q "^sh\$ ps" "$tmp/out"
boot 'swarm 2 0 &\nsleep 100 &\nwait\necho waited\n' --at '500:\x03'
check "wait gives the job the console: Ctrl-C ends it" has "^\[5\] done swarm (killed)"
check "... then wait goes on with the next job" sh -c "grep -q '^\[8\] done sleep (status 0)' '$tmp/out' && grep -q '^waited' '$tmp/out'"
boot '\x03echo still here\n'
check "Ctrl-C at the prompt does not end the shell" has "^still here"

boot 'cat\nline one\nline two\n\x04echo back\n'
check "cat copies stdin until Ctrl-D" test "$(grep -c '^line two$' "$tmp/out")" -eq 2
check "the shell gets the console back" has "^back"

boot 'forkdemo\npingpong 50\npingpong x\n'
check "forkdemo: the child has its own copy" has "forkdemo: child: I am pid 6, my parent is pid 5, value = 99"
check "forkdemo: the parent waits for it" has "forkdemo: parent: child 6 exited with status 42, value = 7"
check "pingpong: 50 round trips" grep -q "pingpong: 50 round trips between pid 7 and pid 8 in [0-9]* ms; ponger exited with status 0" "$tmp/out"
check "pingpong with a bad count" has_err "usage: pingpong"

# The virtual clock: 5 s of SLEEP take no real time, and runs repeat exactly.
start=$(date +%s)
boot 'sleep 5000\nswarm 3 40\nps\n' --png "$tmp/a.png"; cp "$tmp/out" "$tmp/out.a"
boot 'sleep 5000\nswarm 3 40\nps\n' --png "$tmp/b.png"
end=$(date +%s)
check "sleeping 5 s takes no real time" [ $((end - start)) -lt 5 ]
check "the same input gives the same run" cmp -s "$tmp/out.a" "$tmp/out"
check "... and the same screen" cmp -s "$tmp/a.png" "$tmp/b.png"

# init follows /boot/initrc: comments, blank lines, arguments, CR LF line ends.
printf '# a comment\r\n/apps/hello\r\n\r\n   /apps/sleep 10\r\n/apps/ls /nope\n/apps/missing\n' > "$tmp/initrc"
boot '' --add "$tmp/initrc=/boot/initrc"
check "initrc: each command runs, with its arguments" sh -c "grep -q 'init: /apps/sleep exited with status 0' '$tmp/out' && grep -q 'init: /apps/ls exited with status 1' '$tmp/out'"
check "initrc: a missing program is reported" has "init: /apps/missing could not start: no such file or directory"
check "initrc: four commands run" has "init: done, 4 programs run"

# init starts the shell whatever /boot/initrc holds (docs/isolation.md): no
# initrc (it runs nothing else), one with lines that are not text, one with a
# program that waits for console input it cannot get (init keeps the console
# and ends it after INIT_PROG_MS).
asm sh "$root/userland/boot/sh.pxs" && asm cat "$root/userland/apps/cat.pxs" &&
	asm hostile "$root/tests/programs/hostile.pxs" && asm flood "$root/tests/programs/flood.pxs" ||
	{ echo "not ok - assembling the shell, cat and the hostile programs"; cat "$tmp/asm.log"; exit 1; }
"$PXSIM" --quiet --add "$tmp/hello.pxe=/apps/hello" --add "$tmp/sh.pxe=/boot/sh" --type 'echo shell here\n' \
	"$tmp/init.pxe" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "no initrc: init says so and runs nothing" sh -c "grep -q 'init: no /boot/initrc (no such file or directory): no start-up programs' '$tmp/out' && grep -q 'init: done, 0 programs run' '$tmp/out' && ! grep -q 'Hello, world' '$tmp/out'"
check "no initrc: the shell starts" sh -c "grep -q '^shell here' '$tmp/out' && grep -q 'init: the shell exited with status 0' '$tmp/out'"
printf '/apps/hello\n\001\002 garbage \377\n/apps/cat\n/apps/hello\n' > "$tmp/initrc"
boot 'echo shell here\n' --add "$tmp/initrc=/boot/initrc" --add "$tmp/cat.pxe=/apps/cat"
check "initrc: a line that is not text is skipped" has "init: /boot/initrc line 2: not a command (bytes that are not text), skipped"
check "initrc: a program waiting for the console is ended" sh -c "grep -q 'init: /apps/cat still runs after 10000 ms (start-up programs get no console input): ending it' '$tmp/out' && grep -q 'init: /apps/cat was killed' '$tmp/out'"
check "initrc: the next program runs, then the shell" sh -c "grep -q 'init: done, 3 programs run' '$tmp/out' && grep -q '^shell here' '$tmp/out'"

# The hostile programs (tests/programs/hostile.pxs) in the simulator: the
# job limit stops a fork bomb, the shell's builtins see and end it; Ctrl-C
# that is caught, then again within a second; an output flood costs virtual
# time (system calls are charged in time, as they cost the kernel time).
boot '/test/hostile forkbomb &\nsleep 100\njobs\nps\nkill %5\nsleep 50\njobs\nps\n' \
	--add "$tmp/hostile.pxe=/test/hostile" --max-steps 50000000
check "fork bomb: FORK is refused at the job limit" has_err "hostile: fork refused: too many processes in this job"
check "fork bomb: the kernel says why, once" test "$(grep -c 'no new process: job 5 (hostile, 16 processes) holds 16' "$tmp/err")" -eq 1
check "fork bomb: jobs shows the job with 16 processes" has "^\[5\] 16 processes: /test/hostile"
check "fork bomb: ps lists it" has "ps: 18 processes, 32 table entries"
check "fork bomb: kill %5 ends all of it" sh -c "grep -q '^\[5\] done /test/hostile (killed)' '$tmp/out' && tail -n 4 '$tmp/out' | grep -q 'ps: 2 processes'"
boot '/test/hostile catch\necho after\n' --add "$tmp/hostile.pxe=/test/hostile" --at '300:\x03' --at '2000:\x03' \
	--at '2500:\x03'
check "Ctrl-C caught: the program goes on" test "$(grep -c '^hostile: caught Ctrl-C, spinning on' "$tmp/out")" -eq 2
check "a second Ctrl-C within a second ends it" sh -c "grep -q 'sh: /test/hostile (pid 5) killed' '$tmp/err' && grep -q '^after' '$tmp/out'"
boot '/test/hostile nofg\necho after\n' --add "$tmp/hostile.pxe=/test/hostile" --at '300:\x03'
check "SETFG 0 gives no shelter from Ctrl-C" sh -c "grep -q 'sh: /test/hostile (pid 5) killed' '$tmp/err' && grep -q '^after' '$tmp/out'"
"$PXSIM" --quiet "$tmp/flood.pxe" 16 >"$tmp/out" 2>"$tmp/err"
ms=$(sed -n 's/^flood: 65536 newlines in \([0-9]*\) ms$/\1/p' "$tmp/out")
check "flood: 16 writes of 4096 newlines cost virtual time (at least 5 ms at 100 MIPS)" [ "${ms:-0}" -ge 5 ]
# A flood in the background makes the clock run as it makes the kernel's: the
# shell's 1000 ms sleep ends within 5 million instructions (50 ms at 100 MIPS
# if system calls cost no time) while glyphs, LAYER_USE shows or full-canvas
# RECTs flood.
for mode in text layers rects; do
	boot "/test/hostile $mode &\nsleep 1000\nkill %5\necho slept\n" --add "$tmp/hostile.pxe=/test/hostile" \
		--max-steps 5000000
	check "$mode flood in the background: its system calls cost virtual time" \
		sh -c "[ $rc -eq 0 ] && grep -q 'slept' '$tmp/out' && grep -q '\[5\] done /test/hostile (killed)' '$tmp/out'"
done

# Files (docs/pxvm-abi.md "Files", docs/isolation.md): the system's files are
# read-only, /home and /tmp are writable with quotas, cp/mv/rm/df, relative
# names in /home, the shell's search path; no silent ends (a null call, an
# empty RET).
asm replace "$root/tests/programs/replace.pxs" && asm fillfs "$root/tests/programs/fillfs.pxs" &&
	asm nullcall "$root/tests/programs/nullcall.pxs" ||
	{ echo "not ok - assembling the file test programs"; cat "$tmp/asm.log"; exit 1; }
boot '/test/replace\nls /apps\ncp /apps/hello hi\nhi\ncp /apps/hello ls\nls\nls /home\nmv hi /tmp/hi\n/tmp/hi\nmv /tmp/hi /apps/hi\nrm /apps/ls nothing\n' \
	--add "$tmp/replace.pxe=/test/replace"
check "files: a program cannot replace /apps/ls or /boot/sh" sh -c "[ \$(grep -c '^replace: /apps/ls: read-only file system' '$tmp/out') -eq 5 ] && [ \$(grep -c '^replace: /boot/sh: read-only file system' '$tmp/out') -eq 4 ] && ! grep -q SUCCEEDED '$tmp/out'"
check "files: ls still works after the attempt" grep -q "^program  *[0-9]* ls\$" "$tmp/out"
check "files: cp into /home, run by its bare name" grep -q "^hello: Hello, world!.*(pid 8)" "$tmp/out"
check "files: the shell runs /apps/ls before /home/ls" sh -c "grep -A1 '^sh\$ ls\$' '$tmp/out' | grep -q '^dir  *- apps/'"
check "files: ls /home lists the copies, in RAM" sh -c "grep -q '^program  *[0-9]* hi (ram)' '$tmp/out' && grep -q '^program  *[0-9]* ls (ram)' '$tmp/out'"
check "files: mv from /home to /tmp copies, and the copy runs" grep -q "^hello: Hello, world!.*(pid 13)" "$tmp/out"
check "files: mv into /apps is refused" has_err "mv: /tmp/hi -> /apps/hi: read-only file system"
check "files: rm of a system file is refused, of a missing one too" sh -c "grep -q 'rm: /apps/ls: read-only file system' '$tmp/err' && grep -q 'rm: nothing: no such file or directory' '$tmp/err'"
boot '/test/fillfs /tmp/f\ndf\n/test/fillfs /tmp/e 0\n/test/fillfs /home/h 1000\nrm /tmp/f0 /tmp/f1\n/test/fillfs /tmp/g\ndf\n' \
	--add "$tmp/fillfs.pxe=/test/fillfs"
check "files: /tmp's byte quota stops a filler" has "^fillfs: made 9 files, 524288 bytes; then: quota of /home or /tmp used up"
check "files: df shows /tmp full" grep -q "^/tmp  *9  *16  *524288  *524288" "$tmp/out"
check "files: /tmp's file quota stops the next one" has "^fillfs: made 7 files, 0 bytes; then: quota of /home or /tmp used up"
check "files: /home has its own quota" has "^fillfs: made 48 files, 48000 bytes; then: quota of /home or /tmp used up"
check "files: rm gives the room back" has "^fillfs: made 2 files, 131072 bytes; then: quota of /home or /tmp used up"
check "files: df after rm" grep -q "^/tmp  *16  *16  *524288  *524288" "$tmp/out"
boot '/test/nullcall\n/test/nullcall ret\necho still here\n' --add "$tmp/nullcall.pxe=/test/nullcall"
check "no silent ends: a null call is fault 9, reported" sh -c "grep -q 'pid 5 (nullcall) stopped by fault 9: jump or call to a null pointer' '$tmp/err' && grep -q 'sh: /test/nullcall (pid 5) stopped by fault 9' '$tmp/err'"
check "no silent ends: RET on an empty stack is fault 10, reported" sh -c "grep -q 'pid 6 (nullcall) stopped by fault 10: RET on an empty stack' '$tmp/err' && grep -q 'sh: /test/nullcall (pid 6) stopped by fault 10' '$tmp/err'"
check "no silent ends: neither ran on" sh -c "! grep -q 'still running after' '$tmp/out'"
check "no silent ends: the shell goes on" has "^still here"

# --add puts host files beside the image's; options are checked.
printf 'a note from the host\n' > "$tmp/note.txt"
boot 'cat note.txt\nls /home\nrm note.txt\nls /home\n' --add "$tmp/note.txt=/home/note.txt"
check "--add with --fs: the file is there" has "^a note from the host"
check "--add into /home: a RAM file there, which rm removes" sh -c "[ \$(grep -c '^data  *21 note.txt (ram)' '$tmp/out') -eq 1 ] && ! grep -q 'no such file' '$tmp/err'"
"$PXSIM" --fs "$RAMDISK" --boot --type 'bad\q' >/dev/null 2>"$tmp/err"; rc=$?
check "a bad escape in --type is refused" sh -c "[ $rc -eq 2 ] && grep -q 'bad escape' '$tmp/err'"
"$PXSIM" --fs "$RAMDISK" --boot --at 'soon:x' >/dev/null 2>"$tmp/err"; rc=$?
check "a bad --at is refused" sh -c "[ $rc -eq 2 ] && grep -q 'MS:STRING' '$tmp/err'"
"$PXSIM" --boot "$tmp/hello.pxe" >/dev/null 2>"$tmp/err"; rc=$?
check "--boot without /boot/init says so" sh -c "[ $rc -eq 2 ] && grep -q '/boot/init: no such file' '$tmp/err'"

# Watching (docs/watching.md): Ctrl-] on the console watches the foreground
# process, and `who` (--who) says which instruction wrote a word and when: the
# word at the top of mutants' stack is a return address, written by a CALL.
# A second Ctrl-] stops watching, and with it the log.
who() { "$PXSIM" --quiet --fs "$RAMDISK" --max-steps 400000 --who 1:0xeffc "$@" /apps/mutants 500 2>/dev/null; }
who --at '200:\x1d' > "$tmp/out"
check "Ctrl-] watches the foreground process: who names the CALL" \
	grep -Eq '^  step [0-9]+ \(run began at [0-9.]+ s\): 0x0[0-9a-f]{3} CALL 0x0[0-9A-F]{3} \(word 0x[0-9a-f]{8}\) stored 4 bytes at 0xeffc; word 0xeffc became 0x0000[0-9a-f]{4}$' "$tmp/out"
check "... newest first, at most WATCH_WHO_MAX (8)" has "^who pid 1 word 0xeffc = 0x0000[0-9a-f]\{4\}, at step 405867: [1-8] writes, newest first"
who --at '200:\x1d' --at '400:\x1d' > "$tmp/out"
check "a second Ctrl-] stops watching" has "^who 1:0xeffc: pid 1 is not watched"
who --watch 1:log > "$tmp/out"
check "--watch PID:log keeps the log from the start" has "^who pid 1 word 0xeffc = .*: [1-8] writes, newest first"
"$PXSIM" --quiet --watch 1:colour "$tmp/hello.pxe" >/dev/null 2>"$tmp/err"; rc=$?
check "a bad --watch is refused" sh -c "[ $rc -eq 2 ] && grep -q 'WHAT is all' '$tmp/err'"

[ $fail -eq 0 ] && echo "test_pxsim: all $n checks passed"
exit $fail
