/*
 * snap.c — snapshots of the process core; see snap.h and docs/snapshots.md.
 */
#include "snap.h"
#include "snapio.h"
#include "crc32.h"
#include "sched.h"
#include "syscall.h"
#include "proc_pxvm.h"
#include "canvas.h"
#include "debug.h"
#include "hv.h"
#include "ipc.h"
#include "rng.h"
#include "tty.h"
#include "vfs.h"
#include "view.h"
#include "host.h"
#include "port.h"

_Static_assert(PROC_NAME_MAX <= 64, "a name field stays small");

/* ---- the load context: what one load (check or apply) carries along ---- */

struct load {
	bool apply;
	uint64_t clock_us;   /* the snapshot's clock (MACH) */
	uint64_t now_us;     /* the clock deadlines are rebased to */
	uint32_t nslots;     /* the snapshot's slots (MACH) */
	uint32_t nproc;      /* processes in PROC */
	uint32_t next_pid;   /* the pid handed out next (MACH) */
	uint32_t version;    /* the version of the section being loaded */
	bool view_restored;
	bool gone[NPROC];    /* table entries whose process this build cannot resume */
	char *why;
	size_t why_cap;
};

/* ---- MACH: the clock and the screen ---------------------------------------- */

static void mach_save(struct snapw *w, uint64_t now_us)
{
	snapw_u64(w, now_us);
	snapw_u32(w, view_slots());
	snapw_u32(w, proc_next_pid());
}

static int mach_load(struct snapr *r, struct load *l)
{
	l->clock_us = snapr_u64(r);
	l->nslots = snapr_u32(r);
	uint32_t next = snapr_u32(r);
	if (r->bad || !next)
		return -PXE_EINVAL;
	l->next_pid = next;
	if (l->apply)
		proc_set_next_pid(next);
	return 0;
}

/* ---- RNG and SYSC: the random generator, the system-call counts ----------- */

static void rng_save(struct snapw *w)
{
	uint64_t st[RNG_STATE_WORDS];
	rng_state_get(st);
	for (int i = 0; i < RNG_STATE_WORDS; i++)
		snapw_u64(w, st[i]);
}

static int rng_load(struct snapr *r, struct load *l)
{
	uint64_t st[RNG_STATE_WORDS] = { 0 };
	for (int i = 0; i < (l->version >= 2 ? RNG_STATE_WORDS : 5); i++)
		st[i] = snapr_u64(r); /* v1: no count of root streams (0) */
	if (r->bad)
		return -PXE_EINVAL;
	if (l->apply)
		rng_state_set(st);
	return 0;
}

static void sysc_save(struct snapw *w, uint64_t now_us)
{
	bool asked;
	uint64_t at;
	snapw_u32(w, SYS_TABLE_SIZE);
	for (uint32_t i = 0; i < SYS_TABLE_SIZE; i++)
		snapw_u64(w, sys_count(i));
	/* v2: SNAPSHOT's rate limit, as the time since the last one granted */
	sys_snap_gap(&asked, &at);
	snapw_u32(w, asked);
	snapw_u64(w, asked && now_us > at ? now_us - at : 0);
}

static int sysc_load(struct snapr *r, struct load *l)
{
	uint32_t n = snapr_u32(r);
	if (r->bad || n > 4096)
		return -PXE_EINVAL;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t c = snapr_u64(r);
		if (l->apply)
			sys_set_count(i, c); /* a number past this build's table is dropped */
	}
	if (l->version >= 2) {
		uint32_t asked = snapr_u32(r);
		uint64_t ago = snapr_u64(r);
		if (asked > 1)
			return -PXE_EINVAL;
		if (l->apply)
			sys_set_snap_gap(asked, l->now_us > ago ? l->now_us - ago : 0);
	}
	return r->bad ? -PXE_EINVAL : 0;
}

/* ---- PROC: the process table ---------------------------------------------- */

/* kind_by_name: the kind a record names, NULL for one this build does not
 * have (the Python kind only where it is registered: py_proc_init). */
static const struct proc_ops *kind_by_name(const char *name)
{
	const struct proc_ops *k = proc_kind_find(name);
	return k ? k : strcmp(name, proc_pxvm_ops.name) ? 0 : &proc_pxvm_ops;
}

static void layer_save(struct snapw *w, const uint32_t *words)
{
	snapw_u32(w, words != 0);
	if (words)
		for (uint32_t i = 0; i < PXVM_TILE_W * PXVM_TILE_H; i++)
			snapw_u32(w, words[i]);
}

static void proc_save(struct snapw *w, uint64_t now_us)
{
	static uint8_t rec[SNAP_RECORD_MAX];
	uint32_t n = 0;
	for (uint32_t i = 0; i < NPROC; i++)
		n += proc_at(i)->state != PROC_FREE;
	snapw_u32(w, n);
	for (uint32_t i = 0; i < NPROC; i++) {
		const struct proc *p = proc_at(i);
		if (p->state == PROC_FREE)
			continue;
		if (p->state == PROC_RUNNING)
			pxhost_panic("snap_state_save: a process is running (snapshots are taken between quanta)");
		char kind[SNAP_KIND_MAX];
		memset(kind, 0, sizeof(kind));
		snprintf(kind, sizeof(kind), "%s", p->ops ? p->ops->name : "");
		snapw_u32(w, i);
		snapw_bytes(w, kind, sizeof(kind));
		snapw_u32(w, (uint32_t)p->state);
		snapw_u32(w, (uint32_t)p->block);
		snapw_u32(w, p->pid);
		snapw_u32(w, p->ppid);
		snapw_u32(w, p->wait_pid);
		snapw_u32(w, p->status);
		snapw_u32(w, p->slot);
		snapw_u32(w, p->pgid);
		snapw_u32(w, p->sid);
		snapw_u32(w, p->by_init);
		snapw_u32(w, p->io_total);
		snapw_u32(w, p->io_fd);
		snapw_u32(w, p->io_nl);
		snapw_u64(w, p->io_seq);
		snapw_u32(w, p->tty_raw);
		snapw_u32(w, p->intr_catch);
		snapw_u32(w, p->intr_pending);
		snapw_u64(w, p->syscalls);
		snapw_u64(w, p->charged);
		snapw_u32(w, p->sys_errors);
		snapw_u32(w, p->faults);
		/* A deadline is kept as the time left, so a resume can rebase it. */
		snapw_u64(w, p->wake_us > now_us ? p->wake_us - now_us : 0);
		snapw_u32(w, p->io_buf);
		snapw_u32(w, p->io_len);
		for (uint32_t f = 0; f < NOFILE; f++)
			snapw_u32(w, (uint32_t)(int32_t)p->fd[f]);
		snapw_u32(w, p->layer);
		char name[PROC_NAME_MAX];
		memset(name, 0, sizeof(name));
		snprintf(name, sizeof(name), "%s", p->name);
		snapw_bytes(w, name, sizeof(name));
		size_t len = p->vm.mem && p->ops ? p->ops->snapshot(p, rec, sizeof(rec)) : 0;
		if (p->vm.mem && !len)
			pxhost_panic("snap_state_save: a process kind's record does not fit");
		snapw_u32(w, (uint32_t)len);
		snapw_bytes(w, rec, len);
		layer_save(w, p->canvas);
		layer_save(w, p->back);
	}
}

static int load_layer_words(uint32_t **dst, const uint8_t *src)
{
	uint32_t *w = pxhost_mem_alloc();
	if (!w)
		return -PXE_ENOMEM;
	for (uint32_t i = 0; i < PXVM_TILE_W * PXVM_TILE_H; i++)
		w[i] = (uint32_t)src[4 * i] | (uint32_t)src[4 * i + 1] << 8 | (uint32_t)src[4 * i + 2] << 16 |
		       (uint32_t)src[4 * i + 3] << 24;
	*dst = w;
	return 0;
}

/* scratch: a process entry the check pass restores records into, so a kind
 * checks its own record without touching the table. Its memory is a pxVM
 * process's and its kind_state NULL: a kind whose state lives elsewhere
 * (Python) sees it was not alloc'd by it and only checks the bytes. */
static struct proc scratch;

static int fail(struct load *l, const char *what)
{
	snprintf(l->why, l->why_cap, "PROC: %s", what);
	return -PXE_EINVAL;
}

static int proc_load(struct snapr *r, struct load *l)
{
	uint32_t n = snapr_u32(r);
	bool used[NPROC];
	uint32_t pids[NPROC];
	memset(used, 0, sizeof(used));
	if (r->bad || n > NPROC)
		return fail(l, "more processes than the table holds");
	l->nproc = n;
	for (uint32_t k = 0; k < n; k++) {
		struct snap_proc e;
		const char *bad = snapfmt_proc_next(r, &e);
		if (bad)
			return fail(l, bad);
		const struct proc_ops *ops = kind_by_name(e.kind);
		if (used[e.index])
			return fail(l, "a table index twice");
		if (e.state != PROC_RUNNABLE && e.state != PROC_BLOCKED && e.state != PROC_ZOMBIE)
			return fail(l, "a process state a snapshot cannot hold");
		if (e.block > BLOCK_OUTPUT || (e.state == PROC_BLOCKED) != (e.block != BLOCK_NONE))
			return fail(l, "a block reason that does not match the state");
		if (!e.pid || e.pid >= l->next_pid)
			return fail(l, "a pid out of range");
		for (uint32_t j = 0; j < k; j++)
			if (pids[j] == e.pid)
				return fail(l, "a pid twice");
		if ((e.state == PROC_ZOMBIE) != (e.record_len == 0))
			return fail(l, "a live process without its record, or a zombie with one");
		if (e.slot != PROC_NO_SLOT && e.slot >= VIEW_SLOTS_MAX)
			return fail(l, "a slot out of range");
		used[e.index] = true;
		pids[k] = e.pid;
		if (!l->apply) {
			if (e.record_len && ops) {
				if (!scratch.vm.mem && proc_pxvm_ops.alloc(&scratch))
					return -PXE_ENOMEM;
				scratch.ops = ops;
				scratch.kind_state = 0;
				int r = ops->restore(&scratch, e.record, e.record_len);
				if (r && r != -PXE_ENOEXEC)
					return fail(l, "a process record its kind refuses");
			}
			continue;
		}
		struct proc *p = proc_at(e.index);
		memset(p, 0, sizeof(*p));
		p->ops = ops;
		p->state = (enum proc_state)e.state;
		p->block = (enum proc_block)e.block;
		p->pid = e.pid;
		p->ppid = e.ppid;
		p->wait_pid = e.wait_pid;
		p->status = e.status;
		p->slot = e.slot;
		p->pgid = e.pgid;
		p->sid = e.sid;
		p->by_init = e.by_init;
		p->io_total = e.io_total;
		p->io_fd = (uint8_t)e.io_fd;
		p->io_nl = (uint8_t)e.io_nl;
		p->io_seq = e.io_seq;
		p->tty_raw = e.tty_raw;
		p->intr_catch = e.intr_catch;
		p->intr_pending = e.intr_pending;
		p->syscalls = e.syscalls;
		p->charged = e.charged;
		p->sys_errors = e.sys_errors;
		p->faults = e.faults;
		/* Deadlines are rebased: the time left at the snapshot, from now. */
		p->wake_us = e.block == BLOCK_SLEEP ? l->now_us + e.wake_left : 0;
		p->io_buf = e.io_buf;
		p->io_len = e.io_len;
		memcpy(p->fd, e.fd, sizeof(p->fd));
		p->layer = e.layer;
		memcpy(p->name, e.name, sizeof(p->name));
		if (e.record_len && ops) {
			if (ops->alloc(p))
				return -PXE_ENOMEM;
			int r = ops->restore(p, e.record, e.record_len);
			if (r == -PXE_ENOEXEC) { /* the kind cannot resume it here (checked: nothing else) */
				ops->release(p);
				l->gone[e.index] = true;
			} else if (r) {
				return -PXE_ENOMEM;
			}
		} else if (e.record_len) {
			l->gone[e.index] = true; /* a kind this build does not have */
		}
		if (l->gone[e.index]) {
			/* Until it is ended (below, once every section is loaded) it
			 * stands in as a pxVM process with empty memory, so what the
			 * later sections do to it (a call in flight failed into its trap
			 * page, its tile shown) touches memory of its own. */
			p->ops = &proc_pxvm_ops;
			p->kind_state = 0;
			if (proc_pxvm_ops.alloc(p))
				return -PXE_ENOMEM;
		}
		if (e.canvas && load_layer_words(&p->canvas, e.canvas))
			return -PXE_ENOMEM;
		if (e.back && load_layer_words(&p->back, e.back))
			return -PXE_ENOMEM;
	}
	return 0;
}

/* ---- the sections ---------------------------------------------------------- */

/* The modules' sections adapted to one shape. */
static int sched_l(struct snapr *r, struct load *l) { return sched_snap_load(r, l->apply); }
static int vfs_l(struct snapr *r, struct load *l) { return vfs_snap_load(r, l->apply); }
static int ipc_l(struct snapr *r, struct load *l) { return ipc_snap_load(r, l->apply); }
static int tty_l(struct snapr *r, struct load *l) { return tty_snap_load(r, l->apply, l->now_us); }
static int debug_l(struct snapr *r, struct load *l) { return debug_snap_load(r, l->apply); }
static int hv_l(struct snapr *r, struct load *l) { return hv_snap_load(r, l->apply); }

static int view_l(struct snapr *r, struct load *l)
{
	int e = view_snap_load(r, l->apply);
	if (e < 0)
		return e;
	l->view_restored = e == 1;
	return 0;
}

static void mach_s(struct snapw *w, uint64_t now) { mach_save(w, now); }
static void sched_s(struct snapw *w, uint64_t now) { (void)now; sched_snap_save(w); }
static void rng_s(struct snapw *w, uint64_t now) { (void)now; rng_save(w); }
static void sysc_s(struct snapw *w, uint64_t now) { sysc_save(w, now); }
static void vfs_s(struct snapw *w, uint64_t now) { (void)now; vfs_snap_save(w); }
static void proc_s(struct snapw *w, uint64_t now) { proc_save(w, now); }
static void ipc_s(struct snapw *w, uint64_t now) { (void)now; ipc_snap_save(w); }
static void tty_s(struct snapw *w, uint64_t now) { tty_snap_save(w, now); }
static void view_s(struct snapw *w, uint64_t now) { (void)now; view_snap_save(w); }
static void debug_s(struct snapw *w, uint64_t now) { (void)now; debug_snap_save(w); }
static void hv_s(struct snapw *w, uint64_t now) { (void)now; hv_snap_save(w); }

/* Every section, in the order they are written and loaded: the files before
 * the processes that hold them open, the processes before what refers to
 * them. A new subsystem adds its section here (and docs/snapshots.md); a
 * changed one raises its version. */
static const struct section {
	char tag[5];
	uint32_t version, oldest; /* written; the oldest still read */
	void (*save)(struct snapw *w, uint64_t now_us);
	int (*load)(struct snapr *r, struct load *l);
} sections[] = {
	{ "MACH", 1, 1, mach_s, mach_load },
	{ "SCHD", 2, 2, sched_s, sched_l },
	{ "RNG ", 2, 1, rng_s, rng_load },
	{ "SYSC", 2, 1, sysc_s, sysc_load },
	{ "VFS ", 2, 2, vfs_s, vfs_l },
	{ "PROC", 2, 2, proc_s, proc_load },
	{ "IPC ", 1, 1, ipc_s, ipc_l },
	{ "TTY ", 2, 2, tty_s, tty_l },
	{ "VIEW", 1, 1, view_s, view_l },
	{ "DBUG", 1, 1, debug_s, debug_l },
	{ "HV  ", 1, 1, hv_s, hv_l },
};
#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))

size_t snap_state_save(uint8_t *out, size_t cap, uint64_t now_us)
{
	struct snapw w = { out, out ? cap : 0, 0 };
	for (uint32_t i = 0; i < NSECTIONS; i++) {
		snapw_bytes(&w, sections[i].tag, 4);
		snapw_u32(&w, sections[i].version);
		size_t at = w.len;
		snapw_u32(&w, 0); /* the length, filled in below */
		sections[i].save(&w, now_us);
		size_t len = w.len - at - 4;
		if (out && w.len <= cap) {
			struct snapw lw = { out + at, 4, 0 };
			snapw_u32(&lw, (uint32_t)len);
		}
	}
	return w.len;
}


/* walk: frame every section of `raw` and run its loader (check or apply). */
static int walk(const uint8_t *raw, size_t n, struct load *l)
{
	struct snapr r = { raw, n, 0, false };
	for (uint32_t i = 0; i < NSECTIONS; i++) {
		char tag[5] = { 0 };
		snapr_bytes(&r, tag, 4);
		uint32_t version = snapr_u32(&r), len = snapr_u32(&r);
		if (r.bad) {
			snprintf(l->why, l->why_cap, "truncated before section %s", sections[i].tag);
			return -PXE_EINVAL;
		}
		if (memcmp(tag, sections[i].tag, 4)) {
			for (uint32_t k = 0; k < 4; k++)
				if (tag[k] < 0x20 || tag[k] > 0x7E)
					tag[k] = '?';
			bool known = false;
			for (uint32_t k = 0; k < NSECTIONS; k++)
				known |= !memcmp(tag, sections[k].tag, 4);
			snprintf(l->why, l->why_cap, known ? "section %s where %s belongs (out of order)"
			                                   : "unknown section %s where %s belongs (made by a newer pxOS?)",
			         tag, sections[i].tag);
			return -PXE_EINVAL;
		}
		if (version > sections[i].version || version < sections[i].oldest) {
			snprintf(l->why, l->why_cap, "section %s is version %u, this build reads versions %u to %u", tag,
			         version, sections[i].oldest, sections[i].version);
			return -PXE_EINVAL;
		}
		const uint8_t *body = snapr_ptr(&r, len);
		if (!body) {
			snprintf(l->why, l->why_cap, "section %s: length %u runs past the end", tag, len);
			return -PXE_EINVAL;
		}
		struct snapr sr = { body, len, 0, false };
		l->why[0] = 0;
		l->version = version;
		int e = sections[i].load(&sr, l);
		if (e == -PXE_ENOMEM) {
			snprintf(l->why, l->why_cap, "out of memory loading section %s", tag);
			return e;
		}
		if (e || sr.bad || sr.pos != len) {
			if (!l->why[0])
				snprintf(l->why, l->why_cap, "section %s is malformed", tag);
			return -PXE_EINVAL;
		}
	}
	if (r.pos != n) {
		snprintf(l->why, l->why_cap, "%zu bytes after the last section", n - r.pos);
		return -PXE_EINVAL;
	}
	return 0;
}

int snap_state_info(const uint8_t *raw, size_t n, struct snap_info *info, char *why, size_t why_cap)
{
	char dummy[1];
	struct load l;
	memset(&l, 0, sizeof(l));
	l.why = why_cap ? why : dummy;
	l.why_cap = why_cap ? why_cap : sizeof(dummy);
	int e = walk(raw, n, &l);
	if (e)
		return e;
	/* SCHD comes right after MACH: its first words are the instructions run and charged. */
	struct snapr r = { raw, n, 0, false };
	for (uint32_t i = 0; i < 2; i++) {
		snapr_ptr(&r, 8);
		uint32_t len = snapr_u32(&r);
		const uint8_t *b = snapr_ptr(&r, len);
		struct snapr br = { b, len, 0, false };
		if (i == 1) {
			info->steps = snapr_u64(&br);
			info->charged = snapr_u64(&br);
		}
	}
	info->clock_us = l.clock_us;
	info->nslots = l.nslots;
	info->nproc = l.nproc;
	return 0;
}

/* reset: an empty process core (sched_init), with the kinds registered now
 * (sched_init forgets all but pxVM's: the Python kind stays). */
static void reset(const struct pxfs *fs, uint32_t nslots)
{
	const struct proc_ops *kinds[PROC_KINDS_MAX];
	uint32_t k = 0;
	while (k < PROC_KINDS_MAX && (kinds[k] = proc_kind_at(k)) != 0)
		k++;
	sched_init(fs, nslots);
	for (uint32_t i = 0; i < k; i++)
		proc_kind_add(kinds[i]);
}

int snap_state_load(const uint8_t *raw, size_t n, uint64_t now_us, const struct pxfs *fs, uint32_t nslots,
                    char *why, size_t why_cap)
{
	char dummy[1];
	struct load l;
	memset(&l, 0, sizeof(l));
	l.why = why_cap ? why : dummy;
	l.why_cap = why_cap ? why_cap : sizeof(dummy);
	l.now_us = now_us;
	int e = walk(raw, n, &l);
	if (scratch.vm.mem) {
		proc_pxvm_ops.release(&scratch);
		memset(&scratch, 0, sizeof(scratch));
	}
	if (e)
		return e;
	reset(fs, nslots);
	l.apply = true;
	e = walk(raw, n, &l);
	if (e) {
		reset(fs, nslots); /* only memory can fail now: leave the core empty */
		return e;
	}
	vfs_snap_settle();
	/* Processes this machine cannot resume end now, with their own status;
	 * the rest goes on (their parents can WAIT for them). */
	for (uint32_t i = 0; i < NPROC; i++) {
		if (!l.gone[i])
			continue;
		struct proc *p = proc_at(i);
		pxhost_log(2, "resume: pid %u (%s) cannot be resumed by this build: ended", p->pid, p->name);
		sched_exit(p, PXVM_STATUS_NOT_RESUMABLE);
	}
	view_snap_show(l.view_restored);
	pxhost_log(1, "resumed %u processes from a snapshot (clock %llu.%06llu s there)%s", l.nproc,
	           (unsigned long long)(l.clock_us / 1000000), (unsigned long long)(l.clock_us % 1000000),
	           l.view_restored ? "" : "; the slots are assigned anew");
	return 0;
}

