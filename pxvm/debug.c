/*
 * debug.c — breakpoints of the debug monitor; see debug.h.
 *
 * The table is small (DEBUG_BP_MAX) and only the monitor and the fault path
 * look at it, so it is searched linearly; the interpreter's hot path knows
 * nothing of it.
 */
#include "debug.h"
#include "host.h"
#include "snapio.h"
#include "port.h"

struct bp {
	uint32_t pid;
	uint32_t addr;
	uint32_t orig;  /* the program's word at addr */
};

static struct bp bps[DEBUG_BP_MAX];
static uint32_t nbps;
static bool hit_pending[NPROC];   /* by table index */
static const struct proc *stepping; /* being stepped over its breakpoint */
static uint32_t step_pid, step_addr; /* ... its pid and pc then */
static bool step_lifted;          /* ... and whether a breakpoint was lifted there */

void debug_init(void)
{
	proc_on_gone(debug_proc_gone);
	nbps = 0;
	memset(hit_pending, 0, sizeof(hit_pending));
	stepping = 0;
}

static bool live(const struct proc *p)
{
	return p && p->vm.mem && (p->state == PROC_RUNNABLE || p->state == PROC_BLOCKED || p->state == PROC_RUNNING);
}

static struct bp *find(uint32_t pid, uint32_t addr)
{
	for (uint32_t i = 0; i < nbps; i++)
		if (bps[i].pid == pid && bps[i].addr == addr)
			return &bps[i];
	return 0;
}

static void remove_at(uint32_t i)
{
	memmove(&bps[i], &bps[i + 1], (nbps - i - 1) * sizeof(bps[0]));
	nbps--;
}

/* poke: store word `w` at `addr` of `p` and mark the tile row dirty. */
static void poke(struct proc *p, uint32_t addr, uint32_t w)
{
	p->vm.mem[addr >> 2] = w;
	pxvm_mark_dirty(&p->vm, addr, 4);
}

/* restore: put the original word of `b` back into `p` unless the program
 * has stored something else there since. */
static void restore(struct proc *p, const struct bp *b)
{
	if (p && p->vm.mem && p->vm.mem[b->addr >> 2] == DEBUG_BRK_WORD)
		poke(p, b->addr, b->orig);
}

int debug_break_set(struct proc *p, uint32_t addr)
{
	if (!live(p))
		return -PXE_ESRCH;
	if ((addr & 3u) || !pxvm_range_ok(addr, 4))
		return -PXE_EINVAL;
	if (find(p->pid, addr))
		return -PXE_EEXIST;
	if (addr >= 4) {
		uint32_t prev = debug_word(p, addr - 4);
		if (PXVM_OP(prev) == PXVM_OP_IMM32 && !(prev & 0xFFFFF800u))
			return -PXE_EINVAL; /* BRK would become the IMM32's value */
	}
	uint32_t mine = 0;
	for (uint32_t i = 0; i < nbps; i++)
		mine += bps[i].pid == p->pid;
	if (nbps >= DEBUG_BP_MAX || mine >= DEBUG_BP_PER_PROC)
		return -PXE_ENOSPC;
	bps[nbps].pid = p->pid;
	bps[nbps].addr = addr;
	bps[nbps].orig = p->vm.mem[addr >> 2];
	nbps++;
	poke(p, addr, DEBUG_BRK_WORD);
	return 0;
}

int debug_break_delete(uint32_t pid, uint32_t addr)
{
	struct bp *b = find(pid, addr);
	if (!b)
		return -PXE_ENOENT;
	restore(proc_find(pid), b);
	remove_at((uint32_t)(b - bps));
	return 0;
}

uint32_t debug_break_count(void) { return nbps; }

int debug_break_get(uint32_t i, uint32_t *pid, uint32_t *addr, uint32_t *orig)
{
	if (i >= nbps)
		return -PXE_ERANGE;
	*pid = bps[i].pid;
	*addr = bps[i].addr;
	*orig = bps[i].orig;
	return 0;
}

bool debug_is_break(const struct proc *p, uint32_t addr)
{
	return p && find(p->pid, addr) != 0;
}

uint32_t debug_word(const struct proc *p, uint32_t addr)
{
	uint32_t w = p->vm.mem[addr >> 2];
	const struct bp *b;
	if (w == DEBUG_BRK_WORD && (b = find(p->pid, addr)) != 0)
		return b->orig;
	return w;
}

void debug_read(const struct proc *p, uint32_t addr, uint8_t *dst, uint32_t len)
{
	memcpy(dst, (const uint8_t *)p->vm.mem + addr, len);
	for (uint32_t i = 0; i < nbps; i++) {
		const struct bp *b = &bps[i];
		if (b->pid != p->pid || p->vm.mem[b->addr >> 2] != DEBUG_BRK_WORD)
			continue;
		for (uint32_t k = 0; k < 4; k++)
			if (b->addr + k >= addr && b->addr + k < addr + len)
				dst[b->addr + k - addr] = (uint8_t)(b->orig >> (8 * k)); /* memory is little-endian */
	}
}

bool debug_fault_stop(struct proc *p)
{
	struct pxvm *vm = &p->vm;
	if (vm->fault != PXVM_FAULT_BREAKPOINT || p == stepping || !find(p->pid, vm->fault_pc))
		return false;
	vm->pc = vm->fault_pc;
	vm->fault = PXVM_FAULT_NONE;
	vm->fault_pc = vm->fault_word = vm->fault_addr = 0;
	if (vm->steps)
		vm->steps--; /* the BRK stands for the instruction, which has not run */
	proc_block(p, BLOCK_DEBUG);
	hit_pending[proc_index(p)] = true;
	pxhost_log(1, "pid %u (%s) stopped at breakpoint 0x%04x", p->pid, p->name, vm->pc);
	return true;
}

bool debug_stopped(const struct proc *p)
{
	return p->state == PROC_BLOCKED && p->block == BLOCK_DEBUG;
}

void debug_step_begin(struct proc *p)
{
	step_pid = p->pid;
	step_addr = p->vm.pc;
	struct bp *b = find(step_pid, step_addr);
	step_lifted = b != 0;
	if (b)
		restore(p, b);
	stepping = p;
}

void debug_step_end(struct proc *p)
{
	stepping = 0;
	/* The instruction may have ended p (its breakpoints went with it). */
	struct bp *b = step_lifted ? find(step_pid, step_addr) : 0;
	if (b && p->pid == step_pid && p->vm.mem) {
		b->orig = p->vm.mem[step_addr >> 2];
		poke(p, step_addr, DEBUG_BRK_WORD);
	}
	step_lifted = false;
}

struct proc *debug_next_hit(void)
{
	for (uint32_t i = 0; i < NPROC; i++) {
		if (!hit_pending[i])
			continue;
		hit_pending[i] = false;
		struct proc *p = proc_at(i);
		if (debug_stopped(p))
			return p;
	}
	return 0;
}

void debug_fork(const struct proc *parent, struct proc *c)
{
	for (uint32_t i = 0; i < nbps; i++) {
		const struct bp *b = &bps[i];
		if (b->pid == parent->pid && c->vm.mem[b->addr >> 2] == DEBUG_BRK_WORD)
			poke(c, b->addr, b->orig);
	}
}

void debug_proc_gone(struct proc *p)
{
	for (uint32_t i = nbps; i-- > 0;) {
		if (bps[i].pid != p->pid)
			continue;
		restore(p, &bps[i]);
		remove_at(i);
	}
	hit_pending[proc_index(p)] = false;
}

/* ---- snapshots (pxvm/snap.h, section DBUG v1) ----------------------------- */

void debug_snap_save(struct snapw *w)
{
	snapw_u32(w, nbps);
	for (uint32_t i = 0; i < nbps; i++) {
		snapw_u32(w, bps[i].pid);
		snapw_u32(w, bps[i].addr);
		snapw_u32(w, bps[i].orig);
	}
	for (uint32_t i = 0; i < NPROC; i++)
		snapw_u32(w, hit_pending[i]);
}

int debug_snap_load(struct snapr *r, bool apply)
{
	uint32_t n = snapr_u32(r);
	if (r->bad || n > DEBUG_BP_MAX)
		return -PXE_EINVAL;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t pid = snapr_u32(r), addr = snapr_u32(r), orig = snapr_u32(r);
		if (r->bad || !pid || (addr & 3u) || !pxvm_range_ok(addr, 4))
			return -PXE_EINVAL;
		if (apply)
			bps[i] = (struct bp){ pid, addr, orig };
	}
	for (uint32_t i = 0; i < NPROC; i++) {
		uint32_t h = snapr_u32(r);
		if (h > 1)
			return -PXE_EINVAL;
		if (apply)
			hit_pending[i] = h;
	}
	if (r->bad)
		return -PXE_EINVAL;
	if (apply) {
		nbps = n;
		/* A breakpoint of a process the snapshot does not hold goes. */
		for (uint32_t i = 0; i < nbps;)
			if (!live(proc_find(bps[i].pid)))
				remove_at(i);
			else
				i++;
	}
	return 0;
}
