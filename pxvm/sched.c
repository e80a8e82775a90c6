/*
 * sched.c — process table and round-robin scheduler; see sched.h.
 *
 * One loop (sched_run) does everything between quanta: it lets the platform
 * move input into the console and the hypervisor (pxhost_poll, hv_poll), wakes
 * sleepers whose time has come, picks the next RUNNABLE process after the one
 * run last, and runs it for at most SCHED_QUANTUM instructions. When nothing
 * is runnable but something is blocked it asks the platform to idle until the
 * earliest sleep deadline. A process's resources (memory, open files, IPC
 * queue, back canvas layer, console and hypervisor state) are released the
 * moment it ends; a zombie keeps only its table entry for the parent's WAIT.
 */
#include "sched.h"
#include "syscall.h"
#include "debug.h"
#include "disasm.h"
#include "host.h"
#include "hv.h"
#include "ipc.h"
#include "tty.h"
#include "vfs.h"
#include "port.h"
#include "kernel/vram.h"

/* While busy, the process table is redrawn at most every RENDER_US of the
 * platform clock (and on every state change). A redraw of 32 rows costs about
 * a millisecond: redrawing every 64 quanta cost 32 processes 16% of their
 * throughput. */
#define RENDER_US    50000u

_Static_assert(PROC_NAME_MAX == PXVM_PROCINFO_SIZE - PXVM_PI_NAME, "PROCINFO name field holds a name");

static struct proc table[NPROC];
static uint32_t nproc;
static uint32_t next_pid = 1;
static uint32_t next_slot;     /* rotate slot use so finished tiles stay visible */
static const struct pxfs *fs;
static uint64_t total_steps;
static uint32_t last_run;      /* index of the process run last */
static struct { uint32_t pid, status; } reaped[SCHED_REAPED_MAX];
static uint32_t nreaped;

static const char *const state_names[] = { "free", "runnable", "running", "blocked", "zombie" };
static const char *const block_names[] = { "-", "wait", "sleep", "ipc", "read", "trap", "debug" };

const char *sched_state_name(enum proc_state s)
{
	return (unsigned)s < 5 ? state_names[s] : "?";
}

const char *sched_block_name(enum proc_block b)
{
	return (unsigned)b < 7 ? block_names[b] : "?";
}

void sched_init(const struct pxfs *f, uint32_t nslots)
{
	for (uint32_t i = 0; i < NPROC; i++) {
		if (table[i].vm.mem)
			pxhost_mem_free(table[i].vm.mem);
		if (table[i].back)
			pxhost_mem_free(table[i].back);
	}
	memset(table, 0, sizeof(table));
	memset(sched_syscall_counts, 0, sizeof(sched_syscall_counts));
	nproc = nslots < NPROC ? nslots : NPROC;
	for (uint32_t i = 0; i < NPROC; i++) {
		table[i].slot = i;
		for (uint32_t k = 0; k < NOFILE; k++)
			table[i].fd[k] = -1;
	}
	fs = f;
	next_pid = 1;
	next_slot = 0;
	nreaped = 0;
	total_steps = 0;
	last_run = nproc ? nproc - 1 : 0;
	vfs_init(f);
	ipc_init();
	tty_init();
	hv_init();
	debug_init();
}

uint32_t sched_nproc(void) { return nproc; }
struct proc *sched_proc(uint32_t i) { return i < nproc ? &table[i] : 0; }
const struct pxfs *sched_fs(void) { return fs; }
uint64_t sched_total_steps(void) { return total_steps; }

struct proc *sched_find(uint32_t pid)
{
	if (!pid)
		return 0;
	for (uint32_t i = 0; i < nproc; i++)
		if (table[i].state != PROC_FREE && table[i].pid == pid)
			return &table[i];
	return 0;
}

bool sched_is_ancestor(uint32_t anc, uint32_t pid)
{
	struct proc *p = sched_find(pid);
	/* Parent links cannot form a cycle (a parent is always older), but the
	 * walk is bounded by the table size all the same. */
	for (uint32_t k = 0; p && k < nproc; k++) {
		if (!p->ppid)
			return false;
		if (p->ppid == anc)
			return true;
		p = sched_find(p->ppid);
	}
	return false;
}

static uint32_t state_color(const struct proc *p)
{
	switch (p->state) {
	case PROC_RUNNABLE:
	case PROC_RUNNING: return FB_RGB(120, 230, 120);
	case PROC_BLOCKED: return FB_RGB(230, 200, 90);
	case PROC_ZOMBIE:  return FB_RGB(160, 160, 160);
	default:           return FB_RGB(90, 90, 100);
	}
}

/* The short state word of the process table: ready, run, a block reason, zombie. */
static const char *state_word(const struct proc *p)
{
	switch (p->state) {
	case PROC_RUNNABLE: return "ready";
	case PROC_RUNNING:  return "run";
	case PROC_BLOCKED:  return sched_block_name(p->block);
	case PROC_ZOMBIE:   return "zombie";
	default:            return "free";
	}
}

/* A count in at most 9 characters: as is, else in thousands or millions. */
static void fmt_count(char *buf, size_t n, uint64_t v)
{
	if (v < 1000000000ull)
		snprintf(buf, n, "%llu", (unsigned long long)v);
	else if (v < 1000000000000ull)
		snprintf(buf, n, "%lluk", (unsigned long long)(v / 1000));
	else
		snprintf(buf, n, "%lluM", (unsigned long long)(v / 1000000));
}

static void render_one(struct proc *p)
{
	char buf[96], steps[24], calls[24];
	if (p->state == PROC_FREE)
		return;
	fmt_count(steps, sizeof(steps), p->vm.steps);
	fmt_count(calls, sizeof(calls), p->syscalls);
	/* pid name state steps syscalls faults: 38 of the cell's 39 columns. */
	snprintf(buf, sizeof(buf), "%3u %-8.8s %-6.6s %9.9s %6.6s %u", p->pid, p->name, state_word(p), steps,
	         calls, p->faults);
	vram_proc_cell(p->slot, buf, state_color(p));
	snprintf(buf, sizeof(buf), "pid %u %s [%s]", p->pid, p->name, state_word(p));
	vram_slot_label(p->slot, buf, state_color(p));
}

void sched_render(void)
{
	for (uint32_t i = 0; i < nproc; i++)
		render_one(&table[i]);
	vram_syscall_counts(sched_syscall_counts, SCHED_SYSCALL_SLOTS);
}

int sched_procinfo(uint32_t i, uint8_t *out)
{
	if (i >= nproc)
		return -PXE_ERANGE;
	const struct proc *p = &table[i];
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
		                       (p->layer == PXVM_LAYER_BACK ? PXVM_PIF_BACK : 0);
		memcpy(out + PXVM_PI_NAME, p->name, PROC_NAME_MAX);
		out[PXVM_PROCINFO_SIZE - 1] = 0;
	}
	memcpy(out, w, sizeof(w));
	return 0;
}

/* build_sysarea: the system area (0x100..0x1FF) for a program started as
 * `path` with `args`: pid, ppid, ABI version, argc and argv (argv[0] = path),
 * into area (256 bytes, zeroed here). Returns 0 or -PXE_ENAMETOOLONG when the
 * words or their count do not fit. */
static int build_sysarea(uint8_t *area, const char *path, const char *args, uint32_t pid, uint32_t ppid)
{
	uint32_t argv[PXVM_ARGV_MAX];
	uint32_t argc = 0, off = PXVM_SYS_ARGSTR;
	const uint32_t end = PXVM_SYS_ARGSTR + PXVM_ARGSTR_SIZE;
	const char *s = path;
	int first = 1;
	memset(area, 0, 0x100);
	uint8_t *m = area - PXVM_SYSAREA; /* index by guest address */
	for (;;) {
		while (!first && *s == ' ')
			s++;
		if (!*s) {
			if (!first)
				break;
			first = 0;
			s = args ? args : "";
			continue;
		}
		if (argc == PXVM_ARGV_MAX)
			return -PXE_ENAMETOOLONG;
		argv[argc++] = off;
		while (*s && (first || *s != ' ')) {
			if (off + 1 >= end)
				return -PXE_ENAMETOOLONG;
			m[off++] = (uint8_t)*s++;
		}
		m[off++] = 0;
		if (first) {
			first = 0;
			s = args ? args : "";
		}
	}
	uint32_t words[5] = { pid, ppid, argc, PXVM_SYS_ARGV_ARR, PXVM_ABI_VERSION };
	memcpy(m + PXVM_SYS_PID, words, sizeof(words));
	memcpy(m + PXVM_SYS_ARGV_ARR, argv, argc * 4);
	return 0;
}

/* find_program: the checked .pxe at `path` (RAM files first, then PixelFS). */
static int find_program(const char *path, const uint8_t **data, uint32_t *size)
{
	struct vfs_file f;
	if (vfs_lookup(path, &f) != 0)
		return -PXE_ENOENT;
	if (f.type == PXVM_FT_DIR)
		return -PXE_EISDIR;
	if (f.type != PXFS_TYPE_PROGRAM && !f.in_ram) {
		pxhost_log(2, "spawn %s: not a program (PixelFS type %u)", path, f.type);
		return -PXE_ENOEXEC;
	}
	const char *why;
	if (pxvm_check_pxe(f.data, f.size, &why) != 0) {
		pxhost_log(2, "spawn %s: malformed program: %s", path, why);
		return -PXE_ENOEXEC;
	}
	*data = f.data;
	*size = f.size;
	return 0;
}

static void set_name(struct proc *p, const char *path)
{
	const char *base = path;
	for (const char *c = path; *c; c++)
		if (*c == '/')
			base = c + 1;
	snprintf(p->name, sizeof(p->name), "%s", base);
}

static struct proc *alloc_slot(void)
{
	for (uint32_t k = 0; k < nproc; k++) {
		uint32_t i = (next_slot + k) % nproc;
		if (table[i].state == PROC_FREE) {
			next_slot = (i + 1) % nproc;
			return &table[i];
		}
	}
	return 0;
}

/* new_proc: a fresh entry in slot `p` with memory `mem`, not yet runnable. */
static void new_proc(struct proc *p, uint32_t *mem, uint32_t ppid)
{
	uint32_t slot = p->slot;
	memset(p, 0, sizeof(*p));
	p->slot = slot;
	pxvm_init(&p->vm, mem);
	p->vm.syscall = sys_dispatch;
	p->vm.user = p;
	p->pid = next_pid++;
	p->ppid = ppid;
	for (uint32_t i = 0; i < NOFILE; i++)
		p->fd[i] = -1;
}

/* make_runnable: a new process (spawned or forked) joins the round: a blank
 * canvas, its tile on screen, its row in the process table. */
static void make_runnable(struct proc *p)
{
	p->state = PROC_RUNNABLE;
	vram_canvas_clear(p->slot, VRAM_CANVAS_BG);
	vram_tile_flush(p->slot, p->vm.mem, p->vm.dirty);
	render_one(p);
}

/* prepare_program: look up program `path` (*data, *size) and build the system
 * area it will start with (pid, ppid, argv). 0, or -PXE_E* before anything
 * has changed. */
static int prepare_program(const char *path, const char *args, uint32_t pid, uint32_t ppid,
                           const uint8_t **data, uint32_t *size, uint8_t area[0x100])
{
	int e = find_program(path, data, size);
	if (e)
		return e;
	return build_sysarea(area, path, args, pid, ppid) != 0 ? -PXE_ENAMETOOLONG : 0;
}

/* load_program: put a prepared program into `p`'s fresh memory. */
static void load_program(struct proc *p, const char *path, const uint8_t *data, uint32_t size,
                         const uint8_t area[0x100])
{
	pxvm_load_pxe(&p->vm, data, size, 0);
	pxvm_write(&p->vm, PXVM_SYSAREA, area, 0x100);
	set_name(p, path);
}

int sched_spawn(const char *path, const char *args, uint32_t ppid)
{
	const uint8_t *data;
	uint32_t size;
	uint8_t area[0x100];
	int e = prepare_program(path, args, next_pid, ppid, &data, &size, area);
	if (e)
		return e;
	struct proc *p = alloc_slot();
	if (!p)
		return -PXE_EAGAIN;
	uint32_t *mem = pxhost_mem_alloc();
	if (!mem)
		return -PXE_ENOMEM;
	new_proc(p, mem, ppid);
	load_program(p, path, data, size, area);
	make_runnable(p);
	pxhost_log(1, "spawned pid %u %s (parent %u) in slot %u", p->pid, path, ppid, p->slot);
	return (int)p->pid;
}

int sched_fork(struct proc *parent)
{
	struct proc *c = alloc_slot();
	if (!c)
		return -PXE_EAGAIN;
	uint32_t *mem = pxhost_mem_alloc();
	if (!mem)
		return -PXE_ENOMEM;
	new_proc(c, mem, parent->pid);
	memcpy(mem, parent->vm.mem, PXVM_MEM_ALLOC_WORDS * sizeof(uint32_t));
	memcpy(c->vm.r, parent->vm.r, sizeof(c->vm.r));
	c->vm.pc = parent->vm.pc;
	c->vm.r[0] = 0;
	uint32_t ids[2] = { c->pid, c->ppid };
	pxvm_write(&c->vm, PXVM_SYS_PID, ids, sizeof(ids));
	c->vm.dirty[0] = c->vm.dirty[1] = ~0ull;
	debug_fork(parent, c); /* the child gets the original words, not the BRKs */
	memcpy(c->name, parent->name, sizeof(c->name));
	vfs_fork(parent, c);
	make_runnable(c);
	pxhost_log(1, "pid %u (%s) forked pid %u in slot %u", parent->pid, parent->name, c->pid, c->slot);
	return (int)c->pid;
}

int sched_exec(struct proc *p, const char *path, const char *args)
{
	const uint8_t *data;
	uint32_t size;
	uint8_t area[0x100];
	int e = prepare_program(path, args, p->pid, p->ppid, &data, &size, area);
	if (e)
		return e;
	/* Past every check: the old image goes. */
	debug_proc_gone(p);
	uint64_t steps = p->vm.steps;
	pxvm_init(&p->vm, p->vm.mem);
	p->vm.syscall = sys_dispatch;
	p->vm.user = p;
	p->vm.steps = steps;
	load_program(p, path, data, size, area);
	render_one(p);
	pxhost_log(1, "pid %u exec %s", p->pid, path);
	return 0;
}

/* release: give back everything `p` holds except its table entry. */
static void release(struct proc *p)
{
	vfs_proc_gone(p);
	ipc_proc_gone(p);
	hv_proc_gone(p);
	tty_proc_gone(p);
	if (p->vm.mem) {
		vram_tile_flush(p->slot, p->vm.mem, p->vm.dirty); /* the tile keeps its last image */
		pxhost_mem_free(p->vm.mem);
		p->vm.mem = 0;
	}
	if (p->back) {
		pxhost_mem_free(p->back);
		p->back = 0;
	}
	p->layer = 0;
}

static void free_proc(struct proc *p)
{
	p->state = PROC_FREE;
	p->block = BLOCK_NONE;
	char buf[96];
	const char *how = (p->status & PXVM_STATUS_FAULTED) ? "fault " :
	                  p->status == PXVM_STATUS_KILLED   ? "killed" : "";
	snprintf(buf, sizeof(buf), "slot %u: pid %u %s ended %s", p->slot, p->pid, p->name, how);
	if (p->status != PXVM_STATUS_KILLED)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%u", p->status & 0xFFu);
	vram_slot_label(p->slot, buf, FB_RGB(110, 110, 120));
	snprintf(buf, sizeof(buf), "%3u %-8.8s ended", p->pid, p->name);
	vram_proc_cell(p->slot, buf, FB_RGB(90, 90, 100));
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
	debug_proc_gone(p);
	release(p);
	p->state = PROC_ZOMBIE;
	p->block = BLOCK_NONE;
	/* Living orphans go to their grandparent when it is alive (so the shell
	 * that started a job can still see, kill and reap what the job left
	 * behind), else to the kernel (ppid 0), which reaps them as they end.
	 * Orphans already ended are reaped now. */
	struct proc *parent = p->ppid ? sched_find(p->ppid) : 0;
	uint32_t heir = parent && parent->state != PROC_ZOMBIE ? parent->pid : 0;
	for (uint32_t i = 0; i < nproc; i++) {
		struct proc *c = &table[i];
		if (c->state != PROC_FREE && c != p && c->ppid == p->pid) {
			c->ppid = heir;
			if (c->state == PROC_ZOMBIE)
				free_proc(c);
		}
	}
	if (!parent || parent->state == PROC_ZOMBIE) {
		reaped[nreaped % SCHED_REAPED_MAX].pid = p->pid;
		reaped[nreaped % SCHED_REAPED_MAX].status = status;
		nreaped++;
		free_proc(p);
		return;
	}
	if (wait_matches(parent, p)) {
		parent->vm.r[0] = p->pid;
		parent->vm.r[1] = p->status;
		sched_wake(parent);
		free_proc(p);
		return;
	}
	render_one(p);
}

int sched_kill(struct proc *killer, uint32_t pid)
{
	struct proc *t = sched_find(pid);
	if (!t || t->state == PROC_ZOMBIE)
		return -PXE_ESRCH;
	if (killer && killer != t && killer->pid != 1 && !sched_is_ancestor(killer->pid, pid))
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
	for (uint32_t i = 0; i < nproc; i++) {
		struct proc *c = &table[i];
		if (c->state == PROC_FREE || c->ppid != p->pid || (pid && c->pid != pid))
			continue;
		have_child = 1;
		if (c->state == PROC_ZOMBIE) {
			p->vm.r[0] = c->pid;
			p->vm.r[1] = c->status;
			free_proc(c);
			return 0;
		}
	}
	if (!have_child) {
		p->vm.r[0] = (uint32_t)-PXE_ECHILD;
		return 0;
	}
	sched_block(p, BLOCK_WAIT);
	p->wait_pid = pid;
	return 1;
}

void sched_block(struct proc *p, enum proc_block why)
{
	p->state = PROC_BLOCKED;
	p->block = why;
	render_one(p); /* one row: the table shows why it waits at once */
}

void sched_wake(struct proc *p)
{
	if (p->state != PROC_BLOCKED)
		return;
	p->state = PROC_RUNNABLE;
	p->block = BLOCK_NONE;
	render_one(p);
}

static void report_fault(struct proc *p)
{
	const struct pxvm *vm = &p->vm;
	char dis[64];
	uint32_t next = vm->fault_pc + 4 < PXVM_MEM_SIZE ? vm->mem[(vm->fault_pc + 4) >> 2] : 0;
	pxvm_disasm(vm->fault_word, next, vm->fault_pc, dis, sizeof(dis));
	pxhost_log(2, "pid %u (%s) stopped by fault %u: %s; pc 0x%04x word 0x%08x (%s), address 0x%x",
	           p->pid, p->name, vm->fault, pxvm_fault_text(vm->fault), vm->fault_pc, vm->fault_word, dis,
	           vm->fault_addr);
}

static struct proc *pick_next(void)
{
	for (uint32_t k = 1; k <= nproc; k++) {
		uint32_t i = (last_run + k) % nproc;
		if (table[i].state == PROC_RUNNABLE) {
			last_run = i;
			return &table[i];
		}
	}
	return 0;
}

/* wake_sleepers: wake every sleeper whose time has come; returns the earliest
 * deadline of those still asleep (0 = none). */
static uint64_t wake_sleepers(uint64_t now)
{
	uint64_t next = 0;
	for (uint32_t i = 0; i < nproc; i++) {
		struct proc *p = &table[i];
		if (p->state != PROC_BLOCKED || p->block != BLOCK_SLEEP)
			continue;
		if (p->wake_us <= now) {
			p->vm.r[0] = 0;
			sched_wake(p);
		} else if (!next || p->wake_us < next) {
			next = p->wake_us;
		}
	}
	return next;
}

static uint32_t count_state(enum proc_state s)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < nproc; i++)
		n += table[i].state == s;
	return n;
}

/* run_quantum: run `p` for one quantum and settle what it did. */
static void run_budget(struct proc *p, uint64_t budget)
{
	p->state = PROC_RUNNING;
	uint64_t before = p->vm.steps;
	enum pxvm_run_result r = pxvm_run(&p->vm, budget);
	total_steps += p->vm.steps - before;
	switch (r) {
	case PXVM_RUN_BUDGET:
		p->state = PROC_RUNNABLE;
		break;
	case PXVM_RUN_HALT:
		sched_exit(p, 0);
		break;
	case PXVM_RUN_FAULT:
		if (debug_fault_stop(p))
			break; /* a monitor breakpoint: stopped, not ended */
		p->faults++;
		report_fault(p);
		sched_exit(p, PXVM_STATUS_FAULTED | p->vm.fault);
		break;
	case PXVM_RUN_TRAP:
		hv_trap(p);
		break;
	case PXVM_RUN_SYSCALL:
		break;
	}
	if (p->state == PROC_RUNNING)
		p->state = PROC_RUNNABLE;
	if (p->vm.mem)
		vram_tile_flush(p->slot, p->vm.mem, p->vm.dirty);
}

static void run_quantum(struct proc *p) { run_budget(p, SCHED_QUANTUM); }

int sched_step(struct proc *p, uint64_t n)
{
	if (p->state != PROC_RUNNABLE || !n)
		return -1;
	run_budget(p, n);
	render_one(p);
	return 0;
}

uint32_t sched_run(uint64_t max_steps)
{
	uint64_t start = total_steps, last_render = pxhost_time_us();
	bool idle = false;
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
		struct proc *p = pick_next();
		if (!p) {
			if (!count_state(PROC_BLOCKED))
				break;
			if (!idle) { /* once on going idle: nothing changes while idle */
				sched_render();
				last_render = now;
				idle = true;
			}
			if (pxhost_idle(deadline) < 0)
				break;
			continue;
		}
		idle = false;
		run_quantum(p);
		if (now - last_render >= RENDER_US) {
			sched_render();
			last_render = now;
		}
	}
	sched_render();
	return count_state(PROC_RUNNABLE) + count_state(PROC_BLOCKED);
}
