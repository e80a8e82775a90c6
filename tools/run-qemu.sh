#!/usr/bin/env bash
# run-qemu.sh — boot a pxOS image in QEMU with OVMF (`make run`, `make debug`).
#
#   tools/run-qemu.sh [--debug] IMG
#
# IMG is a raw disk image (build/pxos.img, attached as a SATA disk) or an ISO
# (*.iso, attached as a CD-ROM). It is opened with snapshot=on: the guest's
# writes go to a temporary overlay and IMG is never modified.
#
# Machine: q35, 512 MiB, OVMF (read-only OVMF_CODE_4M.fd + a per-run copy of
# OVMF_VARS_4M.fd under the build directory), isa-debug-exit at port 0xf4 (a
# guest `out` of v ends QEMU with status (v << 1) | 1), -no-reboot, no NIC.
# TCG by default; KVM=1 asks for KVM (used only if /dev/kvm works).
# Window: GTK (else SDL) when $DISPLAY or $WAYLAND_DISPLAY is set, else VNC on
# 127.0.0.1 (the first free port from 5900).
# Serial console: this terminal, through the host bridge tools/pxbridge (the
# LLM relay; docs/bridge-protocol.md): QEMU's serial port is a Unix socket
# (BUILD/qemu-run/serial-PID.sock) that pxbridge connects to; Ctrl-] opens its
# menu (q quits, which also stops QEMU). pxbridge's options come from
# $PXBRIDGE_ARGS (e.g. "--url http://127.0.0.1:1234 --model NAME"; /home is
# kept in BUILD/home unless they say --home DIR or --no-home), its log
# goes to BUILD/pxbridge.log. BRIDGE=0 uses the plain stdio serial console
# instead (no LLM relay; Ctrl-A X quits QEMU), as does a missing pxbridge.
# Extra QEMU arguments: $QEMU_EXTRA (split on white space).
#
# --debug: QEMU waits, paused, for gdb on tcp::1234 (-s -S); its serial output
# goes to BUILD/debug-serial.log; gdb is started on BUILD/kernel.elf (or
# $KERNEL_ELF) with `target remote :1234`; QEMU is stopped when gdb exits.
#
# Environment: BUILD (default: IMG's directory), QEMU (qemu-system-x86_64),
# OVMF_CODE, OVMF_VARS (firmware files), KVM, QEMU_EXTRA, KERNEL_ELF, GDB,
# BRIDGE, PXBRIDGE (default BUILD/tools/pxbridge), PXBRIDGE_ARGS.
set -euo pipefail

die() { echo "run-qemu: $*" >&2; exit 1; }
say() { echo "run-qemu: $*" >&2; }
usage() { sed -n '2,35s/^# \{0,1\}//p' "$0" >&2; exit 2; }

debug=0
case ${1:-} in
--debug) debug=1; shift ;;
-h | --help) usage ;;
esac
[ $# -eq 1 ] || usage
img=$1

QEMU=${QEMU:-qemu-system-x86_64}
OVMF_CODE=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
OVMF_VARS=${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}
GDB=${GDB:-gdb}

command -v "$QEMU" >/dev/null 2>&1 ||
	die "'$QEMU' not found: install qemu-system-x86 (run 'make deps')"
for f in "$OVMF_CODE" "$OVMF_VARS"; do
	[ -f "$f" ] || die "firmware file '$f' not found: install ovmf (run 'make deps')"
done
[ -f "$img" ] || die "image '$img' not found: build it first ('make img' or 'make iso')"

BUILD=${BUILD:-$(dirname -- "$img")}
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if [ "$debug" = 1 ]; then
	kernel=${KERNEL_ELF:-$BUILD/kernel.elf}
	[ -f "$kernel" ] || die "kernel '$kernel' not found: build it first ('make')"
	command -v "$GDB" >/dev/null 2>&1 || die "'$GDB' not found: install gdb (run 'make deps')"
	if port_in_use 1234; then
		die "TCP port 1234 is in use (another 'make debug'?): QEMU's -s needs it"
	fi
fi
rundir=$BUILD/qemu-run
mkdir -p -- "$rundir"

# Per-run copy of the UEFI variable store (QEMU writes it; the packaged file is
# read-only and shared).
vars=$(mktemp "$rundir/OVMF_VARS.XXXXXX.fd")
qemu_pid=
cleanup() {
	if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
		kill "$qemu_pid" 2>/dev/null || true
		wait "$qemu_pid" 2>/dev/null || true
	fi
	if [ -n "${bridge_sock:-}" ]; then rm -f -- "$bridge_sock"; fi
	rm -f -- "$vars" "${errlog:-}"
}
trap cleanup EXIT
cp -- "$OVMF_VARS" "$vars"

# QEMU options are comma-separated lists, not mistaken array separators.
# shellcheck disable=SC2054
args=(-M q35 -m 512
	-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE"
	-drive "if=pflash,format=raw,unit=1,file=$vars"
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
	-no-reboot -nic none)

# shellcheck disable=SC2054
case $img in
*.iso | *.ISO)
	args+=(-drive "if=none,id=bootmedia,media=cdrom,format=raw,readonly=on,file=$img"
		-device ide-cd,drive=bootmedia,bus=ide.1,bootindex=0) ;;
*)
	args+=(-drive "if=none,id=bootmedia,format=raw,snapshot=on,file=$img"
		-device ide-hd,drive=bootmedia,bus=ide.0,bootindex=0) ;;
esac

# kvm_probe: run OVMF under KVM for 2 s (no disk, firmware variables on a
# snapshot) and fail, printing QEMU's first complaint, if KVM cannot run it.
# Some hosts open /dev/kvm fine and then fail on the first guest instruction.
kvm_probe() {
	local out status
	out=$({ sleep 2; printf 'quit\n'; } | timeout 30 "$QEMU" -accel kvm -M q35 -cpu host \
		-m 128 -nodefaults -display none -monitor stdio \
		-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE" \
		-drive "if=pflash,format=raw,unit=1,snapshot=on,file=$vars" 2>&1 >/dev/null)
	status=$?
	if [ "$status" -ne 0 ] || printf '%s\n' "$out" | grep -q 'KVM internal error\|error'; then
		printf '%s\n' "$out" | grep -m1 -i 'error' || echo "QEMU exited with status $status"
		return 1
	fi
}

# Accelerator: TCG unless KVM=1 and a KVM guest really runs.
accel=tcg
if [ "${KVM:-0}" = 1 ]; then
	if [ ! -e /dev/kvm ]; then
		say "KVM=1, but /dev/kvm does not exist (no KVM module, or no hardware virtualisation): using TCG"
	elif [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		say "KVM=1, but /dev/kvm is not readable and writable by $(id -un) (join the 'kvm' group): using TCG"
	elif ! why=$(kvm_probe); then
		say "KVM=1, but a KVM guest fails here ($why): using TCG"
	else
		accel=kvm
	fi
fi
if [ "$accel" = kvm ]; then
	args+=(-accel kvm -cpu host)
	say "accelerator: KVM"
else
	args+=(-accel tcg -cpu max)
	say "accelerator: TCG (KVM=1 make run asks for KVM)"
fi

# Display.
has_display() { "$QEMU" -display help 2>/dev/null | grep -qx "$1"; }
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
	if has_display gtk; then
		args+=(-display gtk)
	elif has_display sdl; then
		say "QEMU has no GTK display here: using SDL"
		args+=(-display sdl)
	else
		die "a display is set but QEMU has neither GTK nor SDL: install qemu-system-gui, or unset DISPLAY/WAYLAND_DISPLAY to use VNC"
	fi
else
	vnc=0
	while port_in_use $((5900 + vnc)); do
		vnc=$((vnc + 1))
		[ "$vnc" -lt 100 ] || die "no free VNC port in 5900..5999 on 127.0.0.1"
	done
	args+=(-display none -vnc "127.0.0.1:$vnc")
	screen="VNC 127.0.0.1:$((5900 + vnc))"
fi

# Extra arguments, split on white space on purpose.
# shellcheck disable=SC2206
extra=(${QEMU_EXTRA:-})

PXBRIDGE=${PXBRIDGE:-$BUILD/tools/pxbridge}
if [ "$debug" = 0 ] && [ "${BRIDGE:-1}" != 0 ]; then
	if [ ! -x "$PXBRIDGE" ]; then
		say "pxbridge not found at $PXBRIDGE (build it with 'make'): plain serial console, no LLM relay"
	else
		if [ -n "${screen:-}" ]; then
			say "no display: the screen is on $screen; the serial console is this terminal"
		fi
		bridge_sock=$rundir/serial-$$.sock
		# Unix socket paths are limited to 107 bytes.
		if [ ${#bridge_sock} -gt 100 ]; then
			bridge_sock=$(mktemp -u /tmp/pxos-serial-XXXXXX.sock)
		fi
		rm -f -- "$bridge_sock"
		say "serial console through pxbridge: Ctrl-] opens its menu (q quits QEMU too); log in $BUILD/pxbridge.log"
		errlog=$(mktemp "$rundir/qemu-stderr.XXXXXX")
		# QEMU waits (wait=on) until pxbridge is connected, so no output is lost.
		"$QEMU" "${args[@]}" -chardev "socket,id=serial0,path=$bridge_sock,server=on,wait=on" \
			-serial chardev:serial0 -monitor none "${extra[@]}" </dev/null 2>"$errlog" &
		qemu_pid=$!
		# Options are split on white space on purpose.
		# shellcheck disable=SC2206
		bargs=(${PXBRIDGE_ARGS:-})
		# pxOS's /home is kept in BUILD/home (docs/bridge-protocol.md, "Files"),
		# unless PXBRIDGE_ARGS says --home DIR or --no-home.
		case " ${PXBRIDGE_ARGS:-} " in
		*" --home "* | *" --no-home "*) ;;
		*) bargs+=(--home "$BUILD/home") ;;
		esac
		set +e
		"$PXBRIDGE" --socket "$bridge_sock" --wait 30 --log "$BUILD/pxbridge.log" "${bargs[@]}"
		bstatus=$?
		# pxbridge ended: the user quit (stop QEMU) or QEMU ended (collect it).
		if kill -0 "$qemu_pid" 2>/dev/null; then
			sleep 0.5
			kill -0 "$qemu_pid" 2>/dev/null && kill "$qemu_pid" 2>/dev/null
		fi
		wait "$qemu_pid"
		status=$?
		qemu_pid=
		set -e
		# QEMU's notes about the socket and the SIGTERM on quitting are expected.
		grep -v -e 'info: QEMU waiting for connection' -e 'terminating on signal' -- "$errlog" >&2 || true
		[ "$bstatus" -eq 0 ] || say "pxbridge exited with status $bstatus (see $BUILD/pxbridge.log)"
		if [ $((status % 2)) -eq 1 ] && ! grep -q "^$(basename -- "$QEMU"):" "$errlog"; then
			code=$((status >> 1))
			say "pxOS ended QEMU through isa-debug-exit with code $code"
			exit "$code"
		fi
		[ "$status" -eq 0 ] || [ "$status" -eq 143 ] || say "QEMU exited with status $status"
		exit 0
	fi
fi

if [ "$debug" = 0 ]; then
	if [ -n "${screen:-}" ]; then
		say "no display: the screen is on $screen; the serial console is this terminal"
	fi
	say "serial console: Ctrl-A X quits QEMU, Ctrl-A C toggles the QEMU monitor"
	errlog=$(mktemp "$rundir/qemu-stderr.XXXXXX")
	set +e
	# QEMU's stderr goes to the terminal and, through tee, to errlog.
	{ "$QEMU" "${args[@]}" -serial mon:stdio "${extra[@]}" 2>&1 1>&3 3>&- |
		tee -a "$errlog" >&2; } 3>&1
	status=${PIPESTATUS[0]}
	set -e
	# QEMU's own failures print "qemu-system-x86_64: ..." lines; an odd status
	# without them is the guest's isa-debug-exit code.
	if [ $((status % 2)) -eq 1 ] && ! grep -q "^$(basename -- "$QEMU"):" "$errlog"; then
		code=$((status >> 1))
		say "pxOS ended QEMU through isa-debug-exit with code $code"
		exit "$code"
	fi
	[ "$status" -eq 0 ] || say "QEMU exited with status $status"
	exit "$status"
fi

# --debug
seriallog=$BUILD/debug-serial.log
: >"$seriallog"
"$QEMU" "${args[@]}" -s -S -serial "file:$seriallog" -monitor none "${extra[@]}" </dev/null &
qemu_pid=$!
# Wait until the gdb stub listens (without connecting to it).
for _ in $(seq 100); do
	kill -0 "$qemu_pid" 2>/dev/null || { wait "$qemu_pid" || true; die "QEMU failed to start"; }
	if ss -Hltn 'sport = :1234' 2>/dev/null | grep -q .; then break; fi
	sleep 0.1
done
say "QEMU is paused at the reset vector with its gdb stub on tcp::1234"
say "serial output goes to $seriallog (follow it with: tail -f $seriallog)"
if [ -n "${screen:-}" ]; then say "no display: the screen is on $screen"; fi
say "the kernel (linked at 0xFFFFFFFF80000000) is not in memory until the loader"
say "loads it: use hardware breakpoints, e.g. 'hbreak kmain', then 'continue'"
set +e
"$GDB" -q "$kernel" -ex "target remote :1234"
set -e
say "gdb exited: stopping QEMU"
