/*
 * klog.h — the kernel log and console output.
 *
 * Every log line goes to the serial console (when a UART is present) and to the
 * on-screen console in the kernel region of VRAM (once the substrate is up), as
 *   [    1.234567] INFO  pixelfs: mounted 5 files
 * with the time since the loader started (TSC-based, see drivers/timer.h) and a
 * level. Lines below the level set by the `loglevel=` boot option are dropped.
 * A log line starts on a fresh line: when the consoles are in the middle of
 * one (a prompt, a half-typed line, output without its newline), a newline
 * comes first; and when that line is the one a reader is typing
 * (klog_set_input_line), it is drawn again after the log lines, before the
 * next output or at the next klog_poll, so the typing goes on under them.
 */
#ifndef PXOS_KLOG_H
#define PXOS_KLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum klog_level { KLOG_DEBUG = 0, KLOG_INFO = 1, KLOG_WARN = 2, KLOG_ERROR = 3 };

/* klog: one log line from subsystem `sys` (e.g. "pmm"); newline added. */
void klog(enum klog_level level, const char *sys, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define kdebug(sys, ...) klog(KLOG_DEBUG, sys, __VA_ARGS__)
#define kinfo(sys, ...)  klog(KLOG_INFO, sys, __VA_ARGS__)
#define kwarn(sys, ...)  klog(KLOG_WARN, sys, __VA_ARGS__)
#define kerror(sys, ...) klog(KLOG_ERROR, sys, __VA_ARGS__)

/* klog_set_level: drop lines below `level`. */
void klog_set_level(enum klog_level level);

/* kprintf: raw formatted text to the console (no timestamp, no newline added). */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* klog_write: kernel text to every console output (serial and screen),
 * through the output escaper (pxvm/escape.h): text the kernel relays (an LLM
 * answer, a process name) cannot send a control sequence either. Never waits
 * for the serial line (except with interrupts off, or klog_set_wait): what
 * does not fit in its ring waits in a backlog of KLOG_BACKLOG bytes, drained
 * by klog_poll before any process output; past that it is dropped and the
 * drop is noted on the line. */
void klog_write(const char *s, size_t n);

/* klog_set_wait: `wait`: kernel text that finds the ring and the backlog full
 * waits for room (bounded: serial_tx_text_wait) instead of being dropped. The
 * monitor sets it while it is open (its output is all that runs then). */
void klog_set_wait(bool wait);

/* klog_backlog: bytes of kernel text waiting for the serial line now. */
size_t klog_backlog(void);

/* klog_report: the backlog's counters, with kprintf (monitor `irq`). */
void klog_report(void);

/* klog_guest_output: `n` bytes process `pid` wrote to fd 1 or 2 (or the tty's
 * echo, pid 0) to both consoles through the guest output escaper, which keeps
 * its state between calls of the same pid (a sequence split between two
 * writes is held until complete; when another pid writes, what is held is
 * shown as text). With `all`, everything is taken as kernel text is (the
 * backlog, never waiting). Without, it stops before a piece that might not
 * fit in the serial ring (none fits while kernel text waits in the backlog)
 * and returns the bytes taken: the caller blocks the process and retries
 * after serial_tx_notify(ESCAPE_OUT_MAX(KLOG_CHUNK) + klog_backlog(), ...)
 * (KLOG_CHUNK: kernel/param.h). */
size_t klog_guest_output(uint32_t pid, const char *s, size_t n, bool all);

/* klog_guest_room: guest bytes that surely fit in the serial ring now. */
size_t klog_guest_room(void);

/* klog_poll: main context, between quanta and while the monitor waits: move
 * the backlog into the serial ring as room frees, drain the ring where no
 * interrupt does, run its wake-ups, and redraw the screen console if it
 * scrolled (at most once per CONSOLE_FRAME_US). */
void klog_poll(void);

/* klog_set_input_line: `open` says whether the line the consoles are on is
 * being typed (the console's reader waits for input); klog redraws such a
 * line after the log lines that interrupted it, unless it moved the cursor
 * to another row (CSI A, B, H, f, J: a full-screen program's) or was longer
 * than KLOG_REDRAW_MAX bytes. kmain registers it. */
void klog_set_input_line(bool (*open)(void));

/* klog_read: up to `len` bytes of the newest log lines (the last KLOG_KEEP
 * bytes of klog's lines, ASCII: pxvm/logring.h) from position `from` into
 * dst; *next = the position after them; returns the bytes copied. An old
 * position reads from the oldest line kept. Any process may read them
 * (KLOG_READ): no line holds a secret (docs/pxvm-abi.md). */
size_t klog_read(uint32_t from, char *dst, size_t len, uint32_t *next);

/* klog_error_count: number of KLOG_ERROR lines so far (the boot's health). */
unsigned klog_error_count(void);

#endif /* PXOS_KLOG_H */
