/*
 * tty.c — the console's cooked line discipline and stdin; see tty.h.
 *
 * Typed bytes are edited into a line by the line editor (pxvm/lineedit.h:
 * appending, BS/DEL, Ctrl-U, CR/LF/CR LF, ESC sequences swallowed), echoed
 * through pxhost_output as pid 0. What the console adds:
 *   Ctrl-^ (Ctrl-6)  (VIEW_PAGE_KEY) shows the next page of processes in the
 *                    visible slots (pxvm/view.h); never part of the input
 *   Ctrl-]           (WATCH_KEY) watching on or off for the foreground
 *                    process (pxvm/watch.h); never part of the input
 *   end of line      the line ('\n' is part of it) becomes readable
 *   Ctrl-D           on an empty line: end of input (the next READ returns 0);
 *                    otherwise makes the line readable without a '\n'
 *   Ctrl-C           "^C"; discards the line and the typed-ahead input, and
 *                    kills the foreground process (status STATUS_KILLED) unless
 *                    it is pid 1 or a console owner (it gave itself the console
 *                    with SETFG, or got it back when its foreground child
 *                    ended: a shell at its prompt). A console owner instead
 *                    gets an empty line ("\n") so it can prompt again.
 * Finished lines wait in a queue of TTY_INPUT_MAX bytes (a line that does not
 * fit is dropped with a warning). READ on fd 0 returns at most one line.
 * Only the foreground process reads; another reader blocks until it becomes
 * the foreground. When nobody is the foreground, the first reader becomes it.
 */
#include "tty.h"
#include "lineedit.h"
#include "proc.h"
#include "proc_pxvm.h"
#include "view.h"
#include "watch.h"
#include "host.h"
#include "port.h"

#define TTY_EOF 0x100u /* end-of-input mark in the queue */

static uint16_t queue[TTY_INPUT_MAX];
static uint32_t q_head, q_count;
static char line[TTY_LINE_MAX];
static struct lineedit ed;  /* the line being typed, in `line` */
static uint32_t fg;       /* foreground pid, 0 = none */
static bool fg_owner;     /* the foreground is a console owner (see above) */

static void echo_to(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	pxhost_output(0, 1, s, n);
}

static void echo(const char *s, size_t n) { echo_to(0, s, n); }

/* tty_proc_gone: `p` ended; if it was the foreground, its parent becomes it. */
static void tty_proc_gone(struct proc *p);

void tty_init(void)
{
	proc_on_gone(tty_proc_gone);
	q_head = q_count = 0;
	lineedit_init(&ed, line, sizeof(line), echo_to, 0); /* room kept for the '\n' */
	fg = 0;
	fg_owner = false;
}

uint32_t tty_foreground(void) { return fg; }

/* deliver: READ for `p` from the queue into its saved buffer: R0 = bytes up
 * to and including the first '\n' (at most io_len), or 0 for an end mark. */
static void deliver(struct proc *p)
{
	uint8_t out[TTY_LINE_MAX];
	uint32_t n = 0;
	if (queue[q_head] == TTY_EOF) {
		q_head = (q_head + 1) % TTY_INPUT_MAX;
		q_count--;
		p->vm.r[0] = 0;
		return;
	}
	while (q_count && n < p->io_len && n < sizeof(out) && queue[q_head] != TTY_EOF) {
		uint8_t c = (uint8_t)queue[q_head];
		out[n++] = c;
		q_head = (q_head + 1) % TTY_INPUT_MAX;
		q_count--;
		if (c == '\n')
			break;
	}
	pxvm_write(&p->vm, p->io_buf, out, n); /* range checked in tty_read */
	p->vm.r[0] = n;
}

/* try_deliver: hand queued input to a foreground process blocked in READ. */
static void try_deliver(void)
{
	struct proc *p = proc_find(fg);
	if (p && q_count && p->state == PROC_BLOCKED && p->block == BLOCK_READ) {
		deliver(p);
		proc_wake(p);
	}
}

static void push(uint16_t v)
{
	queue[(q_head + q_count) % TTY_INPUT_MAX] = v;
	q_count++;
}

/* commit: make the edited line (plus `nl`) readable. */
static void commit(bool nl)
{
	if (q_count + ed.len + nl > TTY_INPUT_MAX) {
		pxhost_log(2, "tty: input queue full, line of %u bytes dropped", ed.len);
	} else {
		for (uint32_t i = 0; i < ed.len; i++)
			push((uint8_t)line[i]);
		if (nl)
			push('\n');
	}
	lineedit_clear(&ed);
	try_deliver();
}

static void interrupt(void)
{
	echo("^C\n", 3);
	lineedit_clear(&ed);
	q_count = 0;
	struct proc *p = proc_find(fg);
	if (p && p->state != PROC_ZOMBIE && p->pid != 1 && !fg_owner) {
		pxhost_log(1, "tty: Ctrl-C kills pid %u (%s)", p->pid, p->name);
		proc_request_kill(0, p->pid);
		return;
	}
	commit(true);
}

static void input_byte(uint8_t c)
{
	if (c == VIEW_PAGE_KEY) { /* a hot key, whatever else is being typed */
		view_page(-1);
		return;
	}
	if (c == WATCH_KEY) { /* a hot key too: watch the foreground process, or stop */
		struct proc *p = proc_find(fg);
		if (p && p->state != PROC_ZOMBIE && proc_pxvm_watch(p, p->vm.watch ? 0 : WATCH_ALL) == 0)
			pxhost_log(1, "tty: watching pid %u (%s) %s", p->pid, p->name, p->vm.watch ? "on" : "off");
		return;
	}
	switch (lineedit_feed(&ed, c)) {
	case LE_LINE:
		commit(true);
		return;
	case LE_FLUSH:
		commit(false);
		return;
	case LE_EOF:
		if (q_count < TTY_INPUT_MAX) {
			push(TTY_EOF);
			try_deliver();
		}
		return;
	case LE_INTR:
		interrupt();
		return;
	case LE_NONE:
		return;
	}
}

void tty_input(const char *bytes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		input_byte((uint8_t)bytes[i]);
}

int tty_read(struct proc *p, uint32_t buf, uint32_t len)
{
	if (!pxvm_range_ok(buf, len)) {
		p->vm.r[0] = (uint32_t)-PXE_EFAULT;
		return 0;
	}
	if (!len) {
		p->vm.r[0] = 0;
		return 0;
	}
	struct proc *f = proc_find(fg);
	if (!f || f->state == PROC_ZOMBIE) {
		fg = p->pid;
		fg_owner = false;
	}
	p->io_buf = buf;
	p->io_len = len;
	if (p->pid == fg && q_count) {
		deliver(p);
		return 0;
	}
	proc_block(p, BLOCK_READ);
	return 1;
}

void tty_set_foreground(uint32_t pid)
{
	fg = pid;
	fg_owner = false;
	try_deliver();
}

int tty_setfg(struct proc *caller, uint32_t pid)
{
	if (!pid)
		pid = caller->pid;
	struct proc *t = proc_find(pid);
	if (!t || t->state == PROC_ZOMBIE)
		return -PXE_ESRCH;
	if (t != caller && !proc_is_ancestor(caller->pid, pid))
		return -PXE_EPERM;
	struct proc *f = proc_find(fg);
	bool holds = !f || f->state == PROC_ZOMBIE || fg == caller->pid || proc_is_ancestor(caller->pid, fg);
	if (!holds)
		return -PXE_EPERM;
	fg = pid;
	fg_owner = t == caller;
	try_deliver();
	return 0;
}

static void tty_proc_gone(struct proc *p)
{
	if (p->pid != fg)
		return;
	struct proc *parent = proc_find(p->ppid);
	if (parent && parent->state != PROC_ZOMBIE) {
		fg = parent->pid;
		fg_owner = true;
		try_deliver();
	} else {
		fg = 0;
		fg_owner = false;
	}
}
