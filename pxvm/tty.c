/*
 * tty.c — the console: input modes, Ctrl-C, stdin, blocking output; see tty.h.
 *
 * Cooked mode: typed bytes are edited into a line by the line editor
 * (pxvm/lineedit.h: appending, BS/DEL, Ctrl-U, CR/LF/CR LF, ESC sequences
 * swallowed), echoed through pxhost_output as pid 0 — as it is typed while
 * the foreground process waits in a cooked READ with no line queued for it;
 * typed ahead (while it computes, or behind a line it has not read yet), a
 * line is echoed when a cooked READ takes it, and never by the tty when a
 * raw READ does (the raw reader shows what it takes, as the Python REPL's
 * line editor does: so typed-ahead keys appear once). What the console adds:
 *   Ctrl-^ (Ctrl-6)  (VIEW_PAGE_KEY) shows the next page of processes in the
 *                    visible slots (pxvm/view.h); never part of the input
 *   Ctrl-]           (WATCH_KEY) watching on or off for the foreground
 *                    process (pxvm/watch.h); never part of the input
 *   end of line      the line ('\n' is part of it) becomes readable
 *   Ctrl-D           on an empty line: end of input (the next READ returns 0);
 *                    otherwise makes the line readable without a '\n'
 *   Ctrl-C           "^C"; discards the line and the typed-ahead input, then
 *                    interrupts or ends the foreground job (tty.h)
 * Raw mode (the foreground process asked for it): every byte but Ctrl-C and
 * Ctrl-^ is queued as typed, nothing is echoed.
 * Input waits in a queue of TTY_INPUT_MAX bytes, each with the time it was
 * typed (the latency log); a line that does not fit is dropped with a
 * warning. READ on fd 0 returns at most one line (cooked) or what is queued
 * (raw). Only the foreground process reads; another reader blocks until it
 * becomes the foreground. When nobody is the foreground, the first reader
 * becomes it; when the foreground ends, its parent, else its session's
 * leader, else pid 1 becomes it.
 */
#include "tty.h"
#include "lineedit.h"
#include "proc.h"
#include "proc_pxvm.h"
#include "view.h"
#include "watch.h"
#include "host.h"
#include "snapio.h"
#include "port.h"

#define TTY_EOF 0x100u /* end-of-input mark in the queue */
#define TTY_UNSHOWN 0x200u /* queue flag: a byte typed ahead, not echoed yet */
#define CTRL_C  0x03u

static uint16_t queue[TTY_INPUT_MAX];
static uint64_t stamp[TTY_INPUT_MAX]; /* when each queued byte was typed */
static uint32_t q_head, q_count;
static char line[TTY_LINE_MAX];
static struct lineedit ed;  /* the line being typed, in `line` */
static bool ed_shown;       /* ... is on the screen (echoed as typed) */
static uint32_t fg;         /* foreground pid, 0 = none */
static uint64_t typing_us;  /* when the bytes being taken in were typed */
static uint64_t intr_us;    /* the last Ctrl-C given as an interrupt, 0 = none */
static uint32_t intr_pgid;  /* ... to this group */
static uint64_t write_seq;  /* order of blocked writers */
static struct tty_latency lat;

static void echo(const char *s, size_t n)
{
	(void)pxhost_output(0, 1, s, n); /* the platform takes its own echo whole */
}

/* echo_to: the line editor's echo, shown only while its line is (ed_shown). */
static void echo_to(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	if (ed_shown)
		echo(s, n);
}

/* tty_proc_gone: `p` ended; if it was the foreground, the console passes on. */
static void tty_proc_gone(struct proc *p);

void tty_init(void)
{
	proc_on_gone(tty_proc_gone);
	q_head = q_count = 0;
	lineedit_init(&ed, line, sizeof(line), echo_to, 0); /* room kept for the '\n' */
	ed_shown = false;
	fg = 0;
	intr_us = 0;
	intr_pgid = 0;
	write_seq = 0;
	memset(&lat, 0, sizeof(lat));
}

uint32_t tty_foreground(void) { return fg; }

static struct proc *fg_proc(void)
{
	struct proc *p = proc_find(fg);
	return p && proc_is_live(p) ? p : 0;
}

/* ---- the latency log ------------------------------------------------------- */

static void record_latency(const struct proc *p, uint64_t typed)
{
	uint64_t now = pxhost_time_us();
	uint64_t us = now > typed ? now - typed : 0;
	lat.count++;
	lat.last_us = us;
	if (us >= lat.max_us) {
		lat.max_us = us;
		lat.max_pid = p->pid;
	}
	if (us > INPUT_LATENCY_MAX_US) {
		lat.over++;
		pxhost_log(2, "tty: pid %u (%s) got its input %llu ms after it was typed (more than %u ms)", p->pid,
		           p->name, (unsigned long long)(us / 1000), INPUT_LATENCY_MAX_US / 1000);
	}
}

void tty_latency(struct tty_latency *out) { *out = lat; }
void tty_latency_reset(void) { memset(&lat, 0, sizeof(lat)); }

void tty_resumed(struct proc *p)
{
	if (!p->typed_us)
		return;
	record_latency(p, p->typed_us);
	p->typed_us = 0;
}

/* ---- input ------------------------------------------------------------------ */

/* deliver: READ for `p` from the queue into its saved buffer: R0 = bytes up
 * to and including the first '\n' (cooked; raw: what is queued), at most
 * io_len, or 0 for an end mark. p->typed_us = when the last of them was
 * typed. */
static void deliver(struct proc *p)
{
	uint8_t out[TTY_INPUT_MAX];
	uint32_t n = 0;
	uint64_t typed = stamp[q_head];
	if (queue[q_head] == TTY_EOF) {
		q_head = (q_head + 1) % TTY_INPUT_MAX;
		q_count--;
		p->vm.r[0] = 0;
		p->typed_us = typed;
		return;
	}
	uint32_t unshown = 0, from = 0; /* typed-ahead bytes, echoed now for a cooked reader */
	while (q_count && n < p->io_len && n < sizeof(out) && queue[q_head] != TTY_EOF) {
		uint8_t c = (uint8_t)queue[q_head];
		if ((queue[q_head] & TTY_UNSHOWN) && !unshown++)
			from = n;
		typed = stamp[q_head];
		out[n++] = c;
		q_head = (q_head + 1) % TTY_INPUT_MAX;
		q_count--;
		if (c == '\n' && !p->tty_raw)
			break;
	}
	if (unshown && !p->tty_raw)
		echo((const char *)out + from, n - from); /* a line is queued whole: its bytes are all unshown */
	pxvm_write(&p->vm, p->io_buf, out, n); /* range checked in tty_read */
	p->vm.r[0] = n;
	p->typed_us = typed;
}

/* try_deliver: hand queued input to a foreground process blocked in READ. */
static void try_deliver(void)
{
	struct proc *p = fg_proc();
	if (p && q_count && p->state == PROC_BLOCKED && p->block == BLOCK_READ) {
		deliver(p);
		proc_wake(p);
	}
}

static bool push(uint16_t v)
{
	if (q_count >= TTY_INPUT_MAX)
		return false;
	uint32_t i = (q_head + q_count) % TTY_INPUT_MAX;
	queue[i] = v;
	stamp[i] = typing_us;
	q_count++;
	return true;
}

/* commit: make the edited line (plus `nl`) readable; a line not shown
 * yet is marked so, to be echoed when a cooked READ takes it. */
static void commit(bool nl)
{
	uint16_t mark = ed_shown ? 0 : TTY_UNSHOWN;
	if (q_count + ed.len + nl > TTY_INPUT_MAX) {
		pxhost_log(2, "tty: input queue full, line of %u bytes dropped", ed.len);
	} else {
		for (uint32_t i = 0; i < ed.len; i++)
			push((uint8_t)line[i] | mark);
		if (nl)
			push('\n' | mark);
	}
	lineedit_clear(&ed);
	ed_shown = false;
	try_deliver();
}

/* reader_waits: the foreground process waits in a cooked READ and no line
 * is queued for it: what is typed now is its input, echoed as typed. */
static bool reader_waits(void)
{
	struct proc *f = fg_proc();
	return f && !f->tty_raw && f->state == PROC_BLOCKED && f->block == BLOCK_READ && !q_count;
}

/* show_line: the line typed ahead so far is for the reader now: on the screen. */
static void show_line(void)
{
	if (ed_shown)
		return;
	ed_shown = true;
	echo(line, ed.len);
}

/* interruptible: block reasons a caught Ctrl-C ends with -EINTR. */
static bool interruptible(enum proc_block b)
{
	return b == BLOCK_READ || b == BLOCK_SLEEP || b == BLOCK_WAIT || b == BLOCK_IPC;
}

/* interrupt: Ctrl-C (tty.h says what it does). */
static void interrupt(void)
{
	struct proc *f = fg_proc();
	if (!f || !f->tty_raw)
		echo("^C\n", 3);
	lineedit_clear(&ed);
	ed_shown = false;
	q_count = 0;
	if (!f)
		return;
	uint64_t now = pxhost_time_us();
	bool waiting = f->state == PROC_BLOCKED && f->block == BLOCK_READ;
	bool again = intr_us && now - intr_us < TTY_INTR_KILL_US && intr_pgid == f->pgid;
	if (f->intr_catch && (waiting || !again || f->pid == 1)) {
		intr_us = now;
		intr_pgid = f->pgid;
		if (f->state == PROC_BLOCKED && interruptible(f->block)) {
			f->vm.r[0] = (uint32_t)-PXE_EINTR;
			f->sys_errors++;
			proc_wake(f);
		} else {
			f->intr_pending = true;
		}
		return;
	}
	intr_us = 0;
	if (f->pid == 1)
		return; /* init is never ended from the console */
	pxhost_log(1, "tty: Ctrl-C%s ends the foreground job %u (pid %u, %s)",
	           again ? " again within a second" : "", f->pgid, f->pid, f->name);
	proc_request_kill_group(0, f->pgid);
}

static void input_byte(uint8_t c)
{
	if (c == VIEW_PAGE_KEY) { /* a hot key, whatever else is being typed */
		view_page(-1);
		return;
	}
	if (c == CTRL_C) {
		interrupt();
		return;
	}
	if (c == WATCH_KEY) { /* a hot key too: watch the foreground process, or stop */
		struct proc *p = proc_find(fg);
		if (p && p->state != PROC_ZOMBIE && proc_pxvm_watch(p, p->vm.watch ? 0 : WATCH_ALL) == 0)
			pxhost_log(1, "tty: watching pid %u (%s) %s", p->pid, p->name, p->vm.watch ? "on" : "off");
		return;
	}
	struct proc *f = fg_proc();
	if (f && f->tty_raw) {
		push(c); /* delivered when the whole batch is in (tty_input_at) */
		return;
	}
	if (!ed_shown && reader_waits())
		show_line();
	switch (lineedit_feed(&ed, c)) {
	case LE_LINE:
		commit(true);
		return;
	case LE_FLUSH:
		commit(false);
		return;
	case LE_EOF:
		if (push(TTY_EOF))
			try_deliver();
		return;
	case LE_INTR: /* taken above */
	case LE_NONE:
		return;
	}
}

void tty_input_at(const char *bytes, size_t n, uint64_t typed_us)
{
	typing_us = typed_us;
	for (size_t i = 0; i < n; i++)
		input_byte((uint8_t)bytes[i]);
	try_deliver(); /* raw bytes: all of a batch in one READ */
}

void tty_input(const char *bytes, size_t n) { tty_input_at(bytes, n, pxhost_time_us()); }

int tty_read(struct proc *p, uint32_t buf, uint32_t len)
{
	if (!pxvm_range_ok(buf, len)) {
		p->vm.r[0] = (uint32_t)-PXE_EFAULT;
		return 0;
	}
	if (p->intr_pending) {
		p->intr_pending = false;
		p->vm.r[0] = (uint32_t)-PXE_EINTR;
		return 0;
	}
	if (!len) {
		p->vm.r[0] = 0;
		return 0;
	}
	if (!fg_proc())
		fg = p->pid;
	p->io_buf = buf;
	p->io_len = len;
	if (p->pid == fg && q_count) {
		deliver(p);
		record_latency(p, p->typed_us);
		p->typed_us = 0;
		return 0;
	}
	proc_block(p, BLOCK_READ);
	if (p->pid == fg && !p->tty_raw && ed.len)
		show_line(); /* what was typed meanwhile appears after its prompt */
	return 1;
}

int tty_mode(struct proc *p, uint32_t mode)
{
	if (mode != PXVM_TTY_COOKED && mode != PXVM_TTY_RAW)
		return -PXE_EINVAL;
	int old = p->tty_raw ? PXVM_TTY_RAW : PXVM_TTY_COOKED;
	if (mode == PXVM_TTY_RAW && !p->tty_raw && p->pid == fg && ed.len) {
		for (uint32_t i = 0; i < ed.len; i++) /* what was typed is kept */
			push((uint8_t)line[i]);
		lineedit_clear(&ed);
		ed_shown = false;
	}
	p->tty_raw = mode == PXVM_TTY_RAW;
	return old;
}

int tty_intr(struct proc *p, uint32_t op)
{
	int old = p->intr_catch;
	switch (op) {
	case PXVM_INTR_DEFAULT:
		p->intr_catch = false;
		p->intr_pending = false;
		return old;
	case PXVM_INTR_CATCH:
		p->intr_catch = true;
		return old;
	case PXVM_INTR_TAKE:
		old = p->intr_pending;
		p->intr_pending = false;
		return old;
	default:
		return -PXE_EINVAL;
	}
}

/* ---- output ------------------------------------------------------------------ */

/* oldest_writer: the process blocked in console output longest, or NULL. */
static struct proc *oldest_writer(void)
{
	struct proc *best = 0;
	for (uint32_t i = 0; i < NPROC; i++) {
		struct proc *p = proc_at(i);
		if (p->state == PROC_BLOCKED && p->block == BLOCK_OUTPUT && (!best || p->io_seq < best->io_seq))
			best = p;
	}
	return best;
}

/* write_some: hand `p`'s pending output (io_buf, io_len, then io_nl) to the
 * platform until it is all taken (true) or the platform is full (false). */
static bool write_some(struct proc *p)
{
	char chunk[TTY_OUT_CHUNK];
	while (p->io_len) {
		uint32_t k = p->io_len < sizeof(chunk) ? p->io_len : (uint32_t)sizeof(chunk);
		if (pxvm_read(&p->vm, p->io_buf, chunk, k) != 0)
			pxhost_panic("tty: write_some: a checked output range left memory");
		size_t took = pxhost_output(p->pid, p->io_fd, chunk, k);
		p->io_buf += (uint32_t)took;
		p->io_len -= (uint32_t)took;
		if (took < k)
			return false;
	}
	if (p->io_nl) {
		if (!pxhost_output(p->pid, p->io_fd, "\n", 1))
			return false;
		p->io_nl = 0;
	}
	return true;
}

int tty_write(struct proc *p, int fd, uint32_t buf, uint32_t len, int nl)
{
	p->io_buf = buf;
	p->io_len = len;
	p->io_total = len;
	p->io_fd = (uint8_t)fd;
	p->io_nl = (uint8_t)(nl != 0);
	p->vm.r[0] = len;
	if (!oldest_writer() && write_some(p))
		return 0;
	p->io_seq = ++write_seq;
	proc_block(p, BLOCK_OUTPUT);
	pxhost_output_wait();
	return 1;
}

void tty_output_ready(void)
{
	for (struct proc *p; (p = oldest_writer()) != 0;) {
		if (!write_some(p)) {
			pxhost_output_wait();
			return;
		}
		p->vm.r[0] = p->io_total;
		proc_wake(p);
	}
}

/* ---- the foreground ------------------------------------------------------------ */

void tty_set_foreground(uint32_t pid)
{
	fg = pid;
	try_deliver();
}

int tty_setfg(struct proc *caller, uint32_t pid)
{
	if (!pid)
		pid = caller->pid;
	struct proc *t = proc_find(pid);
	if (!t || !proc_is_live(t))
		return -PXE_ESRCH;
	if (t != caller && !proc_is_ancestor(caller->pid, pid))
		return -PXE_EPERM;
	bool holds = !fg_proc() || fg == caller->pid || proc_is_ancestor(caller->pid, fg);
	if (!holds)
		return -PXE_EPERM;
	fg = pid;
	try_deliver();
	return 0;
}

static void tty_proc_gone(struct proc *p)
{
	if (p->pid != fg)
		return;
	const uint32_t heirs[3] = { p->ppid, p->sid, 1 };
	fg = 0;
	for (uint32_t i = 0; i < 3 && !fg; i++) {
		struct proc *h = proc_find(heirs[i]);
		if (h && h != p && proc_is_live(h))
			fg = h->pid;
	}
	try_deliver();
}

/* ---- snapshots (pxvm/snap.h, section TTY v2) ------------------------------ */

void tty_snap_save(struct snapw *w, uint64_t now_us)
{
	snapw_u32(w, fg);
	snapw_u32(w, q_count);
	for (uint32_t k = 0; k < q_count; k++)
		snapw_u32(w, queue[(q_head + k) % TTY_INPUT_MAX] & ~TTY_UNSHOWN); /* resumed: echoed or not, as shown */
	snapw_u32(w, ed.len);
	snapw_bytes(w, line, ed.len);
	snapw_u32(w, ed.esc);
	snapw_u32(w, ed.after_cr);
	/* the last Ctrl-C given as an interrupt, as the time since (0: none) */
	snapw_u64(w, intr_us ? (now_us > intr_us ? now_us - intr_us : 1) : 0);
	snapw_u32(w, intr_pgid);
	snapw_u64(w, write_seq);
}

int tty_snap_load(struct snapr *r, bool apply, uint64_t now_us)
{
	uint32_t f = snapr_u32(r), count = snapr_u32(r);
	if (r->bad || count > TTY_INPUT_MAX)
		return -PXE_EINVAL;
	for (uint32_t k = 0; k < count; k++) {
		uint32_t v = snapr_u32(r);
		if (v > TTY_EOF)
			return -PXE_EINVAL;
		if (apply) {
			queue[k] = (uint16_t)v;
			stamp[k] = now_us;
		}
	}
	uint32_t len = snapr_u32(r);
	if (r->bad || len >= TTY_LINE_MAX)
		return -PXE_EINVAL;
	const uint8_t *text = snapr_ptr(r, len);
	uint32_t esc = snapr_u32(r), cr = snapr_u32(r);
	uint64_t intr_ago = snapr_u64(r);
	uint32_t ipgid = snapr_u32(r);
	uint64_t wseq = snapr_u64(r);
	if (r->bad || esc > 2 || cr > 1)
		return -PXE_EINVAL;
	if (!apply)
		return 0;
	fg = f;
	q_head = 0;
	q_count = count;
	memcpy(line, text, len);
	ed.len = len;
	ed.esc = (uint8_t)esc;
	ed.after_cr = cr;
	ed_shown = len > 0; /* on the snapshot's screen already, if anywhere */
	intr_us = intr_ago ? (now_us > intr_ago ? now_us - intr_ago : 1) : 0;
	intr_pgid = ipgid;
	write_seq = wseq;
	return 0;
}
