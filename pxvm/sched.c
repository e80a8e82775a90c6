/*
 * sched.c — the process life cycle and the round-robin scheduler; see sched.h.
 *
 * One loop (sched_run) does everything between quanta: it lets the platform
 * move input into the console and the hypervisor (pxhost_poll, hv_poll), wakes
 * sleepers whose time has come, picks the next RUNNABLE process after the one
 * run last, and runs it for at most SCHED_QUANTUM instructions through its
 * kind's run operation. When nothing is runnable but something is blocked it
 * asks the platform to idle until the earliest deadline. A process's
 * resources (breakpoints, files, IPC queue, hypervisor requests, console,
 * slot, canvas: the teardown hooks the modules registered in the process
 * table; then its kind's memory) are released the moment it ends; a zombie
 * keeps only its table entry for the parent's WAIT. What the screen shows of
 * all this is the platform's business (pxhost_poll, pxvm/view.h).
 */
#include "sched.h"
#include "canvas.h"
#include "proc_pxvm.h"
#include "syscall.h"
#include "debug.h"
#include "host.h"
#include "hv.h"
#include "ipc.h"
#include "job.h"
#include "tty.h"
#include "vfs.h"
#include "view.h"
#include "snapio.h"
#include "port.h"

_Static_assert(PROC_NAME_MAX == PXVM_PROCINFO_SIZE - PXVM_PI_NAME, "PROCINFO name field holds a name");
_Static_assert((int)BLOCK_DEBUG == (int)PXVM_PB_DEBUG, "PROCINFO reports BLOCK_DEBUG as PB_DEBUG");
_Static_assert((int)BLOCK_OUTPUT == (int)PXVM_PB_OUTPUT, "PROCINFO reports BLOCK_OUTPUT as PB_OUTPUT");
_Static_assert((uint32_t)PXVM_SLOT_NONE == PROC_NO_SLOT, "PROCINFO reports PROC_NO_SLOT as SLOT_NONE");

static uint64_t total_steps;
static uint64_t total_charged; /* instructions charged for system calls beyond their own */
static uint64_t last_overrun_us; /* the quantum-overrun log line, rate-limited */
static uint32_t overruns_unlogged;
static uint32_t last_run;      /* index of the process run last */
static struct { uint32_t pid, status; } reaped[SCHED_REAPED_MAX];
static uint32_t nreaped;

static const struct proc_requests requests = { sched_kill, sched_spawn_kind, job_kill };

void sched_init(const struct pxfs *fs, uint32_t nslots)
{
	for (uint32_t i = 0; i < NPROC; i++) {
		struct proc *p = proc_at(i);
		if (p->ops && p->vm.mem)
			p->ops->release(p);
		pxhost_mem_free(p->canvas);
		pxhost_mem_free(p->back);
	}
	proc_init();
	proc_kind_add(&proc_pxvm_ops);
	proc_set_requests(&requests);
	proc_pxvm_set_syscall(sys_dispatch);
	sys_reset_counts();
	nreaped = 0;
	total_steps = 0;
	total_charged = 0;
	last_overrun_us = 0;
	overruns_unlogged = 0;
	last_run = NPROC - 1;
	/* The modules' teardown runs in this order when a process ends:
	 * breakpoints first (their words go back while the memory is there),
	 * the view before the canvas (the slot keeps the last image). */
	debug_init();
	vfs_init(fs);
	ipc_init();
	hv_init();
	tty_init();
	view_init(nslots);
	canvas_init();
}

uint64_t sched_total_steps(void) { return total_steps; }
uint64_t sched_total_charged(void) { return total_charged; }

int sched_procinfo(uint32_t i, uint8_t *out)
{
	const struct proc *p = proc_at(i);
	if (!p)
		return -PXE_ERANGE;
	uint32_t w[PXVM_PI_NAME / 4];
	memset(w, 0, sizeof(w));
	memset(out, 0, PXVM_PROCINFO_SIZE);
	w[PXVM_PI_SLOT / 4] = p->slot;
	if (p->state != PROC_FREE) {
		w[PXVM_PI_PID / 4] = p->pid;
		w[PXVM_PI_PPID / 4] = p->ppid;
		w[PXVM_PI_STATE / 4] = (uint32_t)p->state;
		w[PXVM_PI_BLOCK / 4] = p->state == PROC_BLOCKED ? (uint32_t)p->block : 0;
		w[PXVM_PI_STEPS_LO / 4] = (uint32_t)p->vm.steps;
		w[PXVM_PI_STEPS_HI / 4] = (uint32_t)(p->vm.steps >> 32);
		w[PXVM_PI_SYSCALLS / 4] = (uint32_t)p->syscalls;
		w[PXVM_PI_FAULTS / 4] = p->faults;
		w[PXVM_PI_STATUS / 4] = p->state == PROC_ZOMBIE ? p->status : 0;
		w[PXVM_PI_ERRORS / 4] = p->sys_errors;
		w[PXVM_PI_FLAGS / 4] = (tty_foreground() == p->pid ? PXVM_PIF_FG : 0) |
		                       (p->layer == PXVM_LAYER_BACK ? PXVM_PIF_BACK : 0) |
		                       (p->intr_catch ? PXVM_PIF_CATCH : 0) | (p->tty_raw ? PXVM_PIF_RAW : 0);
		w[PXVM_PI_PGID / 4] = p->pgid;
		w[PXVM_PI_SID / 4] = p->sid;
		memcpy(out + PXVM_PI_NAME, p->name, PROC_NAME_MAX);
		out[PXVM_PROCINFO_SIZE - 1] = 0;
	}
	memcpy(out, w, sizeof(w));
	return 0;
}

/* find_program: the program file at `path` (RAM files first, then PixelFS),
 * as an image to check and load, and the kind that runs it: `want` if that
 * kind claims it (else -PXE_ENOEXEC), or the first registered kind that
 * does (pxVM: a PROGRAM file, or a file written since boot). */
static int find_program(const char *path, const char *args, const struct proc_ops *want,
                        struct proc_image *img, const struct proc_ops **kind)
{
	struct vfs_file f;
	if (vfs_lookup(path, &f) != 0)
		return -PXE_ENOENT;
	if (f.type == PXVM_FT_DIR)
		return -PXE_EISDIR;
	*img = (struct proc_image){ f.data, f.size, path, args };
	if (want) {
		if (!want->probe || !want->probe(img)) {
			pxhost_log(2, "spawn %s: not a %s program", path, want->name);
			return -PXE_ENOEXEC;
		}
		*kind = want;
		return 0;
	}
	*kind = proc_kind_for(img);
	if (*kind != &proc_pxvm_ops && *kind)
		return 0;
	if (f.type != PXFS_TYPE_PROGRAM && !f.in_ram) {
		pxhost_log(2, "spawn %s: not a program (PixelFS type %u)", path, f.type);
		return -PXE_ENOEXEC;
	}
	*kind = &proc_pxvm_ops;
	return 0;
}

/* make_runnable: a new process (spawned or forked) joins the round, in a
 * visible slot when one is free. */
static void make_runnable(struct proc *p)
{
	p->state = PROC_RUNNABLE;
	view_attach(p);
}

/* where: " in slot N" or " unseen (every slot in use)", for the log. */
static const char *where(const struct proc *p, char *buf, size_t n)
{
	if (p->slot == PROC_NO_SLOT)
		snprintf(buf, n, " unseen (%s)", view_slots() ? "every slot in use" : "no screen");
	else
		snprintf(buf, n, " in slot %u", p->slot);
	return buf;
}

/* new_proc: a table entry and memory for a process that `creator` starts
 * (NULL: the kernel) as a child of `ppid`, in the group and session the job
 * rules give it (pxvm/job.h), of kind `kind`; or -PXE_E* (PROCLIM, AGAIN,
 * NOMEM). */
static int new_proc(const struct proc *creator, uint32_t ppid, const struct proc_ops *kind, struct proc **out)
{
	struct job_place pl;
	int e = job_place(creator, &pl);
	if (e)
		return e;
	struct proc *p = proc_alloc(kind, ppid);
	if (!p)
		return -PXE_EAGAIN;
	e = p->ops->alloc(p);
	if (e) {
		proc_free(p);
		return e;
	}
	job_join(p, &pl);
	/* Its random streams come from its lineage, not from the order things
	 * run in (pxvm/rng.h): split from its parent's, or a root stream. */
	struct proc *parent = ppid ? proc_find(ppid) : 0;
	if (parent)
		rng_stream_split(&parent->vm.rng, &p->vm.rng);
	else
		rng_stream_root(&p->vm.rng);
	rng_stream_split(&p->vm.rng, &p->vm.imp.rng);
	*out = p;
	return 0;
}

int sched_spawn(const char *path, const char *args, uint32_t ppid)
{
	return sched_spawn_kind(path, args, ppid, 0);
}

int sched_spawn_kind(const char *path, const char *args, uint32_t ppid, const struct proc_ops *want)
{
	struct proc_image img;
	const struct proc_ops *kind;
	struct proc *p;
	const struct proc *creator = ppid ? proc_find(ppid) : 0;
	if (creator && !proc_is_live(creator))
		creator = 0;
	int e = find_program(path, args, want, &img, &kind);
	if (e)
		return e;
	e = new_proc(creator, creator ? ppid : 0, kind, &p);
	if (e)
		return e;
	e = p->ops->check(p, &img);
	if (e) {
		p->ops->release(p);
		proc_free(p);
		return e;
	}
	p->ops->load(p, &img);
	make_runnable(p);
	char w[40];
	pxhost_log(1, "spawned pid %u %s (parent %u)%s", p->pid, path, ppid, where(p, w, sizeof(w)));
	return (int)p->pid;
}

int sched_fork(struct proc *parent)
{
	struct proc *c;
	int e = new_proc(parent, parent->pid, parent->ops, &c);
	if (e)
		return e;
	e = c->ops->fork(parent, c);
	if (e) {
		c->ops->release(c);
		proc_free(c);
		return e;
	}
	c->tty_raw = parent->tty_raw;       /* the console's modes go with the copy */
	c->intr_catch = parent->intr_catch;
	debug_fork(parent, c); /* the child gets the original words, not the BRKs */
	vfs_fork(parent, c);
	make_runnable(c);
	char w[40];
	pxhost_log(1, "pid %u (%s) forked pid %u%s", parent->pid, parent->name, c->pid, where(c, w, sizeof(w)));
	return (int)c->pid;
}

int sched_exec(struct proc *p, const char *path, const char *args)
{
	struct proc_image img;
	const struct proc_ops *kind;
	int e = find_program(path, args, 0, &img, &kind);
	if (!e && kind != p->ops) {
		pxhost_log(2, "exec %s: a %s program cannot replace a %s process", path, kind->name, p->ops->name);
		e = -PXE_ENOEXEC;
	}
	if (!e)
		e = p->ops->check(p, &img);
	if (e)
		return e;
	/* Past every check: the old image goes, with its breakpoints; the new
	 * program starts with the console's defaults (cooked, Ctrl-C ends it). */
	debug_proc_gone(p);
	p->ops->load(p, &img);
	p->tty_raw = p->intr_catch = p->intr_pending = false;
	pxhost_log(1, "pid %u exec %s", p->pid, path);
	return 0;
}

/* release: give back everything `p` holds except its table entry. */
static void release(struct proc *p)
{
	proc_gone(p);
	if (p->vm.mem)
		p->ops->release(p);
}

static int wait_matches(const struct proc *parent, const struct proc *child)
{
	return parent->state == PROC_BLOCKED && parent->block == BLOCK_WAIT &&
	       (parent->wait_pid == 0 || parent->wait_pid == child->pid);
}

void sched_exit(struct proc *p, uint32_t status)
{
	if (p->state == PROC_FREE || p->state == PROC_ZOMBIE)
		return;
	if (status & PXVM_STATUS_FAULTED)
		pxhost_log(2, "pid %u (%s) ended by fault %u", p->pid, p->name, status & 0xFFu);
	else if (status == PXVM_STATUS_KILLED)
		pxhost_log(1, "pid %u (%s) killed", p->pid, p->name);
	else
		pxhost_log(1, "pid %u (%s) exited with status %u", p->pid, p->name, status);
	p->status = status;
	release(p);
	p->state = PROC_ZOMBIE;
	p->block = BLOCK_NONE;
	/* Living orphans go to their grandparent when it is alive (so the shell
	 * that started a job can still see, kill and reap what the job left
	 * behind), else to the kernel (ppid 0), which reaps them as they end.
	 * Orphans already ended are reaped now. */
	struct proc *parent = p->ppid ? proc_find(p->ppid) : 0;
	uint32_t heir = parent && parent->state != PROC_ZOMBIE ? parent->pid : 0;
	for (uint32_t i = 0; i < NPROC; i++) {
		struct proc *c = proc_at(i);
		if (c->state != PROC_FREE && c != p && c->ppid == p->pid) {
			c->ppid = heir;
			if (c->state == PROC_ZOMBIE)
				proc_free(c);
		}
	}
	if (!parent || parent->state == PROC_ZOMBIE) {
		reaped[nreaped % SCHED_REAPED_MAX].pid = p->pid;
		reaped[nreaped % SCHED_REAPED_MAX].status = status;
		nreaped++;
		proc_free(p);
		return;
	}
	if (wait_matches(parent, p)) {
		parent->vm.r[0] = p->pid;
		parent->vm.r[1] = p->status;
		proc_wake(parent);
		proc_free(p);
		return;
	}
}

int sched_kill(struct proc *killer, uint32_t pid)
{
	struct proc *t = proc_find(pid);
	if (!t || t->state == PROC_ZOMBIE)
		return -PXE_ESRCH;
	if (killer && killer != t && killer->pid != 1 && !proc_is_ancestor(killer->pid, pid))
		return -PXE_EPERM;
	sched_exit(t, PXVM_STATUS_KILLED);
	return 0;
}

int sched_reaped_status(uint32_t pid, uint32_t *status)
{
	for (uint32_t k = 0; k < SCHED_REAPED_MAX && k < nreaped; k++) {
		uint32_t i = (nreaped - 1 - k) % SCHED_REAPED_MAX;
		if (reaped[i].pid == pid) {
			*status = reaped[i].status;
			return 0;
		}
	}
	return -1;
}

int sched_wait(struct proc *p, uint32_t pid)
{
	int have_child = 0;
	for (uint32_t i = 0; i < NPROC; i++) {
		struct proc *c = proc_at(i);
		if (c->state == PROC_FREE || c->ppid != p->pid || (pid && c->pid != pid))
			continue;
		have_child = 1;
		if (c->state == PROC_ZOMBIE) {
			p->vm.r[0] = c->pid;
			p->vm.r[1] = c->status;
			proc_free(c);
			return 0;
		}
	}
	if (!have_child) {
		p->vm.r[0] = (uint32_t)-PXE_ECHILD;
		return 0;
	}
	proc_block(p, BLOCK_WAIT);
	p->wait_pid = pid;
	return 1;
}

static struct proc *pick_next(void)
{
	for (uint32_t k = 1; k <= NPROC; k++) {
		uint32_t i = (last_run + k) % NPROC;
		if (proc_at(i)->state == PROC_RUNNABLE) {
			last_run = i;
			return proc_at(i);
		}
	}
	return 0;
}

/* wake_sleepers: wake every sleeper whose time has come; returns the earliest
 * deadline of those still asleep (0 = none). */
static uint64_t wake_sleepers(uint64_t now)
{
	uint64_t next = 0;
	for (uint32_t i = 0; i < NPROC; i++) {
		struct proc *p = proc_at(i);
		if (p->state != PROC_BLOCKED || p->block != BLOCK_SLEEP)
			continue;
		if (p->wake_us <= now) {
			p->vm.r[0] = 0;
			proc_wake(p);
		} else if (!next || p->wake_us < next) {
			next = p->wake_us;
		}
	}
	return next;
}

/* overrun: a quantum of `p` took `us` of wall-clock time, more than
 * SCHED_QUANTUM_BUDGET_US: say so with its slowest system call (at most one
 * line per SCHED_LOG_GAP_US). */
static void overrun(const struct proc *p, uint64_t now, uint64_t us)
{
	if (last_overrun_us && now - last_overrun_us < SCHED_LOG_GAP_US) {
		overruns_unlogged++;
		return;
	}
	const char *call = p->sys_slow ? pxvm_syscall_name(p->sys_slow) : 0;
	char slow[64] = "; no system call";
	if (call)
		snprintf(slow, sizeof(slow), "; slowest system call %s, %llu us", call,
		         (unsigned long long)p->sys_slow_us);
	pxhost_log(2, "pid %u (%s): one quantum took %llu us, budget %u us%s%s", p->pid, p->name,
	           (unsigned long long)us, SCHED_QUANTUM_BUDGET_US, slow,
	           overruns_unlogged ? "; more overruns not logged" : "");
	last_overrun_us = now;
	overruns_unlogged = 0;
}

/* run_budget: run `p` for at most `budget` instructions and settle what it did. */
static void run_budget(struct proc *p, uint64_t budget)
{
	char why[160];
	tty_resumed(p); /* a READ it was woken from returns now: input latency */
	p->state = PROC_RUNNING;
	p->sys_slow = 0;
	p->sys_slow_us = 0;
	uint64_t before = p->vm.steps, charged = p->charged, t0 = pxhost_time_us();
	enum proc_run r = p->ops->run(p, budget);
	uint64_t t1 = pxhost_time_us();
	total_steps += p->vm.steps - before;
	total_charged += p->charged - charged;
	if (t1 - t0 > SCHED_QUANTUM_BUDGET_US)
		overrun(p, t1, t1 - t0);
	switch (r) {
	case PROC_RUN_BUDGET:
	case PROC_RUN_STOP:
		break;
	case PROC_RUN_EXIT:
		sched_exit(p, p->status);
		break;
	case PROC_RUN_FAULT:
		if (debug_fault_stop(p))
			break; /* a monitor breakpoint: stopped, not ended */
		p->faults++;
		uint32_t fault = p->ops->fault(p, why, sizeof(why));
		pxhost_log(2, "pid %u (%s) stopped by %s", p->pid, p->name, why);
		sched_exit(p, PXVM_STATUS_FAULTED | fault);
		break;
	case PROC_RUN_TRAP:
		hv_trap(p);
		break;
	}
	if (p->state == PROC_RUNNING)
		p->state = PROC_RUNNABLE;
	if (p->state != PROC_FREE && p->state != PROC_ZOMBIE)
		view_flush(p);
}

int sched_step(struct proc *p, uint64_t n)
{
	if (p->state != PROC_RUNNABLE || !n)
		return -1;
	run_budget(p, n);
	return 0;
}

int sched_step_over(struct proc *p)
{
	if (!debug_stopped(p) && p->state != PROC_RUNNABLE)
		return -1;
	debug_step_begin(p);
	proc_wake(p);
	sched_step(p, 1);
	debug_step_end(p);
	return 0;
}

uint32_t sched_resume_stopped(void)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < NPROC; i++) {
		struct proc *p = proc_at(i);
		if (debug_stopped(p)) {
			sched_step_over(p);
			n++;
		}
	}
	return n;
}

uint32_t sched_run(uint64_t max_steps)
{
	uint64_t start = total_steps;
	for (;;) {
		if (max_steps && total_steps - start >= max_steps)
			break;
		pxhost_poll();
		uint64_t now = pxhost_time_us();
		hv_poll(now);
		uint64_t deadline = wake_sleepers(now);
		uint64_t hv_deadline = hv_next_deadline(); /* an LLM call's timeout wakes too */
		if (hv_deadline && (!deadline || hv_deadline < deadline))
			deadline = hv_deadline;
		view_tick(tty_foreground());
		struct proc *p = pick_next();
		if (!p) {
			if (!proc_count(PROC_BLOCKED))
				break;
			if (pxhost_idle(deadline) < 0)
				break;
			continue;
		}
		run_budget(p, SCHED_QUANTUM);
	}
	return proc_count(PROC_RUNNABLE) + proc_count(PROC_BLOCKED);
}

/* ---- snapshots (pxvm/snap.h, section SCHD v2) ----------------------------- */

void sched_snap_save(struct snapw *w)
{
	snapw_u64(w, total_steps);
	snapw_u64(w, total_charged);
	snapw_u32(w, last_run);
	snapw_u32(w, nreaped);
	for (uint32_t i = 0; i < SCHED_REAPED_MAX; i++) {
		snapw_u32(w, reaped[i].pid);
		snapw_u32(w, reaped[i].status);
	}
}

int sched_snap_load(struct snapr *r, bool apply)
{
	uint64_t steps = snapr_u64(r), charged = snapr_u64(r);
	uint32_t last = snapr_u32(r), n = snapr_u32(r);
	if (r->bad || last >= NPROC)
		return -PXE_EINVAL;
	for (uint32_t i = 0; i < SCHED_REAPED_MAX; i++) {
		uint32_t pid = snapr_u32(r), status = snapr_u32(r);
		if (apply) {
			reaped[i].pid = pid;
			reaped[i].status = status;
		}
	}
	if (r->bad)
		return -PXE_EINVAL;
	if (apply) {
		total_steps = steps;
		total_charged = charged;
		last_run = last;
		nreaped = n;
	}
	return 0;
}
