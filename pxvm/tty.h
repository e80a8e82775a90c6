/*
 * tty.h — the console as pxVM processes see it: stdin, the foreground process.
 *
 * Typed bytes (PS/2 keyboard, serial line) arrive through tty_input(); a cooked
 * line discipline echoes them, handles backspace and Ctrl-C/Ctrl-D, and hands
 * complete lines to the foreground process's READ on fd 0. Portable: the
 * kernel and the host simulator feed it the same way.
 */
#ifndef PXVM_TTY_H
#define PXVM_TTY_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

struct proc;

/* tty_init: empty the input queue; no foreground process; register
 * tty_proc_gone as a teardown hook. */
void tty_init(void);

/* tty_input: `n` typed bytes from a keyboard or the serial line (not from an
 * interrupt handler: call from pxhost_poll). Wakes a foreground READ. */
void tty_input(const char *bytes, size_t n);

/* tty_read: READ on fd 0 for `p` into guest address buf, at most len bytes.
 * Returns 1 when `p` blocked (BLOCK_READ), else 0 with R0 set. */
int tty_read(struct proc *p, uint32_t buf, uint32_t len);

/* tty_set_foreground / tty_foreground: the pid whose READ gets input (set by
 * the kernel: no permission check; 0 = none). */
void tty_set_foreground(uint32_t pid);
uint32_t tty_foreground(void);

/* tty_setfg: SETFG for `caller`: give the console to `pid` (0 = the caller).
 * Allowed when pid is the caller or one of its descendants, and the caller
 * holds the console (is the foreground, an ancestor of it, or there is none).
 * A process that gives the console to itself becomes a console owner: Ctrl-C
 * does not kill it (see tty.c). Returns 0, -PXE_ESRCH or -PXE_EPERM. */
int tty_setfg(struct proc *caller, uint32_t pid);

struct snapw;
struct snapr;
/* tty_snap_save / tty_snap_load: the input queue, the line being typed and the foreground as section TTY v1
 * (pxvm/snap.h); load with `apply` false only checks, true loads into the
 * module just reset by its init. 0 or -PXE_EINVAL. */
void tty_snap_save(struct snapw *w);
int tty_snap_load(struct snapr *r, bool apply);

#endif /* PXVM_TTY_H */
