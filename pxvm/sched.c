/*
 * sched.c — process table and round-robin scheduler; see sched.h.
 */
#include "sched.h"
#include "syscall.h"
#include "disasm.h"
#include "host.h"
#include "hv.h"
#include "port.h"
#include "kernel/vram.h"

#define RENDER_EVERY 64 /* quanta between process-table redraws */

static struct proc table[NPROC];
static uint32_t nproc;
static uint32_t next_pid = 1;
static uint32_t next_slot;     /* rotate slot use so finished tiles stay visible */
static const struct pxfs *fs;
static uint64_t total_steps;
static uint32_t last_run;      /* index of the process run last */
uint64_t sched_syscall_counts[SCHED_SYSCALL_SLOTS];
static struct { uint32_t pid, status; } reaped[SCHED_REAPED_MAX];
static uint32_t nreaped;

static const char *const state_names[] = { "free", "runnable", "running", "blocked", "zombie" };

const char *sched_state_name(enum proc_state s)
{
	return (unsigned)s < 5 ? state_names[s] : "?";
}

void sched_init(const struct pxfs *f, uint32_t nslots)
{
	memset(table, 0, sizeof(table));
	memset(sched_syscall_counts, 0, sizeof(sched_syscall_counts));
	nproc = nslots < NPROC ? nslots : NPROC;
	for (uint32_t i = 0; i < nproc; i++)
		table[i].slot = i;
	fs = f;
	next_pid = 1;
	next_slot = 0;
	nreaped = 0;
	total_steps = 0;
	last_run = nproc ? nproc - 1 : 0;
}

uint32_t sched_nproc(void) { return nproc; }
struct proc *sched_proc(uint32_t i) { return i < nproc ? &table[i] : 0; }
const struct pxfs *sched_fs(void) { return fs; }
uint64_t sched_total_steps(void) { return total_steps; }

struct proc *sched_find(uint32_t pid)
{
	for (uint32_t i = 0; i < nproc; i++)
		if (table[i].state != PROC_FREE && table[i].pid == pid)
			return &table[i];
	return 0;
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

static void render_one(struct proc *p)
{
	char buf[96];
	if (p->state == PROC_FREE)
		return;
	snprintf(buf, sizeof(buf), "%3u %-12.12s %-8s %llu", p->pid, p->name, sched_state_name(p->state),
	         (unsigned long long)p->vm.steps);
	vram_proc_cell(p->slot, buf, state_color(p));
	snprintf(buf, sizeof(buf), "pid %u %s [%s]", p->pid, p->name, sched_state_name(p->state));
	vram_slot_label(p->slot, buf, state_color(p));
}

void sched_render(void)
{
	for (uint32_t i = 0; i < nproc; i++)
		render_one(&table[i]);
	vram_syscall_counts(sched_syscall_counts, SCHED_SYSCALL_SLOTS);
}

/* Fill the system area: pid, ppid, ABI version, argc and argv (argv[0] = path). */
static int set_args(struct proc *p, const char *path, const char *args)
{
	uint8_t *m = (uint8_t *)p->vm.mem;
	uint32_t argv[PXVM_ARGV_MAX];
	uint32_t argc = 0, off = PXVM_SYS_ARGSTR;
	const uint32_t end = PXVM_SYS_ARGSTR + PXVM_ARGSTR_SIZE;
	const char *s = path;
	int first = 1;
	for (;;) {
		while (!first && *s == ' ')
			s++;
		if (!*s)
			break;
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
	uint32_t words[5] = { p->pid, p->ppid, argc, PXVM_SYS_ARGV_ARR, PXVM_ABI_VERSION };
	memcpy(m + PXVM_SYS_PID, words, sizeof(words));
	memcpy(m + PXVM_SYS_ARGV_ARR, argv, argc * 4);
	pxvm_mark_dirty(&p->vm, PXVM_SYSAREA, 0x100);
	return 0;
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

int sched_spawn(const char *path, const char *args, uint32_t ppid)
{
	struct pxfs_file f;
	if (!fs || pxfs_lookup(fs, path, &f) != 0)
		return -PXE_ENOENT;
	if (f.type != PXFS_TYPE_PROGRAM) {
		pxhost_log(2, "spawn %s: not a program (PixelFS type %u)", path, f.type);
		return -PXE_ENOEXEC;
	}
	const char *why;
	if (pxvm_check_pxe(f.data, f.size, &why) != 0) {
		pxhost_log(2, "spawn %s: malformed program: %s", path, why);
		return -PXE_ENOEXEC;
	}
	struct proc *p = alloc_slot();
	if (!p)
		return -PXE_EAGAIN;
	uint32_t *mem = pxhost_mem_alloc();
	if (!mem)
		return -PXE_ENOMEM;
	uint32_t slot = p->slot;
	memset(p, 0, sizeof(*p));
	p->slot = slot;
	pxvm_init(&p->vm, mem);
	pxvm_load_pxe(&p->vm, f.data, f.size, &why);
	p->pid = next_pid++;
	p->ppid = ppid;
	const char *base = path;
	for (const char *c = path; *c; c++)
		if (*c == '/')
			base = c + 1;
	snprintf(p->name, sizeof(p->name), "%s", base);
	int err = set_args(p, path, args);
	if (err) {
		pxhost_mem_free(mem);
		memset(&p->vm, 0, sizeof(p->vm));
		p->state = PROC_FREE;
		return err;
	}
	p->vm.syscall = sys_dispatch;
	p->vm.user = p;
	p->state = PROC_RUNNABLE;
	vram_canvas_clear(slot, FB_RGB(16, 16, 24));
	vram_tile_flush(slot, mem, p->vm.dirty);
	render_one(p);
	pxhost_log(1, "spawned pid %u %s (parent %u) in slot %u", p->pid, path, ppid, slot);
	return (int)p->pid;
}

static void free_proc(struct proc *p)
{
	vram_tile_flush(p->slot, p->vm.mem, p->vm.dirty); /* the tile keeps its last image */
	pxhost_mem_free(p->vm.mem);
	p->vm.mem = 0;
	p->state = PROC_FREE;
	char buf[96];
	snprintf(buf, sizeof(buf), "slot %u: pid %u %s ended %s%u", p->slot, p->pid, p->name,
	         (p->status & PXVM_STATUS_FAULTED) ? "fault " : "", p->status & 0xFFu);
	vram_slot_label(p->slot, buf, FB_RGB(110, 110, 120));
	snprintf(buf, sizeof(buf), "%3u %-12.12s ended", p->pid, p->name);
	vram_proc_cell(p->slot, buf, FB_RGB(90, 90, 100));
}

static int wait_matches(const struct proc *parent, const struct proc *child)
{
	return parent->state == PROC_BLOCKED && parent->block == BLOCK_WAIT &&
	       (parent->wait_pid == 0 || parent->wait_pid == child->pid);
}

void sched_exit(struct proc *p, uint32_t status)
{
	if (status & PXVM_STATUS_FAULTED)
		pxhost_log(2, "pid %u (%s) ended by fault %u", p->pid, p->name, status & 0xFFu);
	else
		pxhost_log(1, "pid %u (%s) exited with status %u", p->pid, p->name, status);
	p->status = status;
	p->state = PROC_ZOMBIE;
	/* Orphans go to the kernel (ppid 0), which reaps them as they end. */
	for (uint32_t i = 0; i < nproc; i++) {
		struct proc *c = &table[i];
		if (c->state != PROC_FREE && c->ppid == p->pid) {
			c->ppid = 0;
			if (c->state == PROC_ZOMBIE)
				free_proc(c);
		}
	}
	struct proc *parent = p->ppid ? sched_find(p->ppid) : 0;
	if (!parent) {
		reaped[nreaped % SCHED_REAPED_MAX].pid = p->pid;
		reaped[nreaped % SCHED_REAPED_MAX].status = status;
		nreaped++;
		free_proc(p);
		return;
	}
	if (wait_matches(parent, p)) {
		parent->vm.r[0] = p->pid;
		parent->vm.r[1] = p->status;
		parent->state = PROC_RUNNABLE;
		parent->block = BLOCK_NONE;
		render_one(parent);
		free_proc(p);
		return;
	}
	render_one(p);
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

uint32_t sched_run(uint64_t max_steps)
{
	uint64_t start = total_steps;
	uint32_t quanta = 0;
	struct proc *p;
	while ((p = pick_next()) != 0) {
		if (max_steps && total_steps - start >= max_steps)
			break;
		p->state = PROC_RUNNING;
		uint64_t before = p->vm.steps;
		enum pxvm_run_result r = pxvm_run(&p->vm, SCHED_QUANTUM);
		total_steps += p->vm.steps - before;
		switch (r) {
		case PXVM_RUN_BUDGET:
			p->state = PROC_RUNNABLE;
			break;
		case PXVM_RUN_HALT:
			sched_exit(p, 0);
			break;
		case PXVM_RUN_FAULT:
			report_fault(p);
			sched_exit(p, PXVM_STATUS_FAULTED | p->vm.fault);
			break;
		case PXVM_RUN_TRAP:
			if (!hv_trap(p) && p->state == PROC_RUNNING)
				p->state = PROC_RUNNABLE;
			break;
		case PXVM_RUN_SYSCALL:
			if (p->state == PROC_RUNNING)
				p->state = PROC_RUNNABLE;
			break;
		}
		if (p->state != PROC_FREE)
			vram_tile_flush(p->slot, p->vm.mem, p->vm.dirty);
		if (++quanta % RENDER_EVERY == 0 || p->state != PROC_RUNNABLE)
			sched_render();
		pxhost_poll(); /* input, timers, the monitor's hot key: between quanta */
	}
	sched_render();
	uint32_t alive = 0;
	for (uint32_t i = 0; i < nproc; i++)
		if (table[i].state == PROC_RUNNABLE || table[i].state == PROC_BLOCKED)
			alive++;
	return alive;
}
