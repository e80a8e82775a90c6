/*
 * tty.c — the console's cooked line discipline and stdin; see tty.h.
 *
 * Typed bytes are edited into a line (echoed through pxhost_output as pid 0):
 *   printable bytes, TAB and bytes >= 0x80  appended (a full line drops them)
 *   CR, LF or CR LF  ends the line ('\n' is part of it) and makes it readable
 *   BS or DEL        erases the last byte ("\b \b")
 *   Ctrl-U           erases the whole line
 *   Ctrl-D           on an empty line: end of input (the next READ returns 0);
 *                    otherwise makes the line readable without a '\n'
 *   Ctrl-]           (VIEW_PAGE_KEY) shows the next page of processes in the
 *                    visible slots (pxvm/view.h); never part of the input
 *   Ctrl-C           "^C"; discards the line and the typed-ahead input, and
 *                    kills the foreground process (status STATUS_KILLED) unless
 *                    it is pid 1 or a console owner (it gave itself the console
 *                    with SETFG, or got it back when its foreground child
 *                    ended: a shell at its prompt). A console owner instead
 *                    gets an empty line ("\n") so it can prompt again.
 *   ESC sequences    (ESC [ ... final byte, ESC O x, ESC x) are swallowed: the
 *                    arrow keys do nothing
 *   other controls   ignored
 * Finished lines wait in a queue of TTY_INPUT_MAX bytes (a line that does not
 * fit is dropped with a warning). READ on fd 0 returns at most one line.
 * Only the foreground process reads; another reader blocks until it becomes
 * the foreground. When nobody is the foreground, the first reader becomes it.
 */
#include "tty.h"
#include "proc.h"
#include "view.h"
#include "host.h"
#include "port.h"

#define TTY_EOF 0x100u /* end-of-input mark in the queue */

static uint16_t queue[TTY_INPUT_MAX];
static uint32_t q_head, q_count;
static char line[TTY_LINE_MAX];
static uint32_t line_len;
static uint32_t fg;       /* foreground pid, 0 = none */
static bool fg_owner;     /* the foreground is a console owner (see above) */
static int esc;           /* 0 none, 1 after ESC, 2 inside a sequence */
static bool after_cr;     /* the last byte was CR: a LF now is part of it */

void tty_init(void)
{
	proc_on_gone(tty_proc_gone);
	q_head = q_count = line_len = 0;
	fg = 0;
	fg_owner = false;
	esc = 0;
	after_cr = false;
}

uint32_t tty_foreground(void) { return fg; }

static void echo(const char *s, size_t n) { pxhost_output(0, 1, s, n); }

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
	if (q_count + line_len + nl > TTY_INPUT_MAX) {
		pxhost_log(2, "tty: input queue full, line of %u bytes dropped", line_len);
	} else {
		for (uint32_t i = 0; i < line_len; i++)
			push((uint8_t)line[i]);
		if (nl)
			push('\n');
	}
	line_len = 0;
	try_deliver();
}

static void interrupt(void)
{
	echo("^C\n", 3);
	line_len = 0;
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
	bool crlf = after_cr && c == '\n';
	after_cr = c == '\r';
	if (crlf)
		return;
	if (esc == 1) {
		esc = (c == '[' || c == 'O') ? 2 : 0;
		return;
	}
	if (esc == 2) {
		if (c >= 0x40 && c <= 0x7E)
			esc = 0;
		return;
	}
	switch (c) {
	case 0x1B:
		esc = 1;
		return;
	case '\r':
	case '\n':
		echo("\n", 1);
		commit(true);
		return;
	case 0x08:
	case 0x7F:
		if (line_len) {
			line_len--;
			echo("\b \b", 3);
		}
		return;
	case 0x15: /* Ctrl-U */
		while (line_len) {
			line_len--;
			echo("\b \b", 3);
		}
		return;
	case 0x03:
		interrupt();
		return;
	case 0x04:
		if (line_len)
			commit(false);
		else if (q_count < TTY_INPUT_MAX) {
			push(TTY_EOF);
			try_deliver();
		}
		return;
	default:
		if (c < 0x20 && c != '\t')
			return;
		if (line_len + 1 >= TTY_LINE_MAX) /* keep room for the '\n' */
			return;
		line[line_len++] = (char)c;
		echo((const char *)&c, 1);
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

void tty_proc_gone(struct proc *p)
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
