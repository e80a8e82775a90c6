/*
 * tty.h — the console as pxVM processes see it: stdin, stdout and stderr,
 * the foreground process, the two input modes and Ctrl-C.
 *
 * The console contract (docs/isolation.md, docs/pxvm-abi.md "Console input")
 * is kept here, once, for every platform:
 *   - Typed bytes (PS/2 keyboard, serial line) arrive through tty_input*;
 *     in cooked mode (the default) a line discipline edits, echoes (as typed
 *     while the foreground waits in READ; typed ahead, when a cooked READ
 *     takes the line) and hands complete lines to the foreground
 *     process's READ on fd 0; in raw mode
 *     (TTYMODE, per process, in force while it is the foreground) the bytes
 *     go to it as typed: no echo, no editing, escape sequences passed
 *     through, READ returns what is there (at least one byte).
 *   - Ctrl-C is never data. It ends the foreground job (its process group)
 *     unless the foreground process catches it (INTR); then it is an
 *     interrupt: a blocked READ, SLEEP, WAIT or IPC_RECV returns -EINTR
 *     (an LLM call too, when hv_poll next runs: pxvm/hv.h),
 *     else it stays pending (the next console READ returns -EINTR, INTR_TAKE
 *     reports it). A second Ctrl-C within TTY_INTR_KILL_US of a caught one
 *     ends the job all the same, unless the process is then waiting in READ
 *     for the user (a prompt). Pid 1 is never ended by Ctrl-C.
 *   - Console output (WRITE/PRINT to fd 1, 2) is taken by the platform as it
 *     has room; a writer whose output does not fit blocks (BLOCK_OUTPUT)
 *     and goes on, first blocked first served, when the platform calls
 *     tty_output_ready. It never spins.
 * Portable: the kernel and the host simulator feed it the same way.
 */
#ifndef PXVM_TTY_H
#define PXVM_TTY_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

struct proc;

/* tty_init: empty the input queue; no foreground process; zero the
 * latency log; register tty_proc_gone as a teardown hook. */
void tty_init(void);

/* tty_input_at: `n` typed bytes from a keyboard or the serial line, typed at
 * `typed_us` (pxhost_time_us's clock: the input interrupt's time, or the
 * earliest the platform knows). Not from an interrupt handler: call from
 * pxhost_poll. Wakes a foreground READ. */
void tty_input_at(const char *bytes, size_t n, uint64_t typed_us);

/* tty_input: tty_input_at typed now. */
void tty_input(const char *bytes, size_t n);

/* tty_read: READ on fd 0 for `p` into guest address buf, at most len bytes:
 * a line (cooked) or what is queued (raw), -EINTR for a pending interrupt,
 * -EFAULT. Returns 1 when `p` blocked (BLOCK_READ), else 0 with R0 set. */
int tty_read(struct proc *p, uint32_t buf, uint32_t len);

/* tty_write: WRITE (nl = 0) or PRINT (nl = 1: a '\n' after the bytes) of the
 * `len` bytes at guest address buf to console fd 1 or 2 for `p` (the range
 * checked by the caller). What the platform takes goes out now; when it does
 * not take everything, or others wait before it, `p` blocks (BLOCK_OUTPUT)
 * and R0 = len when it is done. Returns 1 when `p` blocked, else 0 with R0 =
 * len. */
int tty_write(struct proc *p, int fd, uint32_t buf, uint32_t len, int nl);

/* tty_output_ready: the platform's output has room again: blocked writers go
 * on, in the order they blocked (main context, between quanta). */
void tty_output_ready(void);

/* tty_mode: TTYMODE for `p`: PXVM_TTY_COOKED or PXVM_TTY_RAW. A line being
 * typed when the foreground turns raw is kept as typed-ahead bytes. Returns
 * the previous mode, or -PXE_EINVAL. */
int tty_mode(struct proc *p, uint32_t mode);

/* tty_intr: INTR for `p`: PXVM_INTR_DEFAULT or PXVM_INTR_CATCH (returns the
 * previous setting, 0 or 1) or PXVM_INTR_TAKE (returns 1 and clears a
 * pending interrupt, else 0); -PXE_EINVAL for another op. */
int tty_intr(struct proc *p, uint32_t op);

/* tty_resumed: the scheduler is about to run `p`: if a READ it blocked in
 * got input, that READ returns now: its input latency is recorded. */
void tty_resumed(struct proc *p);

/* The input latency log: from when a line (or, raw, a byte) was typed to when
 * the READ that gets it returns. Lines later than INPUT_LATENCY_MAX_US are
 * logged as warnings too. */
struct tty_latency {
	uint64_t count;   /* READs that returned typed input */
	uint64_t max_us, last_us;
	uint32_t max_pid; /* who waited longest */
	uint64_t over;    /* how many took longer than INPUT_LATENCY_MAX_US */
};
void tty_latency(struct tty_latency *out);
void tty_latency_reset(void);

/* tty_set_foreground / tty_foreground: the pid whose READ gets input (set by
 * the kernel: no permission check; 0 = none). */
void tty_set_foreground(uint32_t pid);
uint32_t tty_foreground(void);

/* tty_setfg: SETFG for `caller`: give the console to `pid` (0 = the caller).
 * Allowed when pid is the caller or one of its descendants, and the caller
 * holds the console (is the foreground, an ancestor of it, or there is none).
 * Holding the console gives no protection from Ctrl-C (see above). Returns
 * 0, -PXE_ESRCH or -PXE_EPERM. */
int tty_setfg(struct proc *caller, uint32_t pid);

struct snapw;
struct snapr;
/* tty_snap_save / tty_snap_load: the input queue, the line being typed, the foreground, the last
 * Ctrl-C given as an interrupt (as the time since: rebased on `now_us`) and
 * the order of blocked writers, as section TTY v2
 * (pxvm/snap.h); load with `apply` false only checks, true loads into the
 * module just reset by its init. 0 or -PXE_EINVAL. */
void tty_snap_save(struct snapw *w, uint64_t now_us);
int tty_snap_load(struct snapr *r, bool apply, uint64_t now_us);

#endif /* PXVM_TTY_H */
