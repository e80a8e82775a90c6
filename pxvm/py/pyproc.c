/*
 * pyproc.c — the Python process kind: memory, the stack switch, the budget,
 * the tile's heap window; see pyproc.h. Built like the rest of the kernel
 * (no SSE): it never runs interpreter code itself, it only switches to the
 * process's stack, where pymain.c runs.
 */
#include "pyproc.h"
#include "pxvm/host.h"
#include "pxvm/port.h"
#include "pxvm/proc_pxvm.h"
#include "pxvm/pixelfs.h"
#include "pxvm/tty.h"

#define PY_GUARD_BYTE 0xA5u

struct py_state {
	uint8_t fx[512];             /* FXSAVE image while switched out (16-aligned: first) */
	void *sp;                    /* its stack pointer while switched out */
	uint32_t *heap[PY_HEAP_BLOCKS];
	uint32_t *stack_block;       /* the block this state and the stack live in */
	uint8_t *guard;              /* PY_STACK_GUARD bytes of PY_GUARD_BYTE below the stack */
	uint8_t *stack_hi;           /* top of the stack (16-aligned) */
	enum proc_run why;           /* what the last switch back to the scheduler means */
	uint32_t fault;              /* PROC_RUN_FAULT: the fault code */
	char fault_text[96];
	uint64_t mirror_us;          /* when the heap window was copied last */
	int32_t chunk;               /* hooks between two looks at the clock (refill), learned in a quantum */
	char script[PXFS_PATH_MAX];  /* the program's path (argv[0]) */
	_Alignas(16) uint8_t ctx[];  /* MicroPython's global state while switched out */
};

int32_t py_budget = INT32_MAX;
static int64_t hooks_left;       /* budget of the quantum beyond py_budget's chunk */
static uint64_t quantum_start;   /* pxhost_time_us() when the quantum began */
static uint64_t chunk_start;     /* pxhost_time_us() when the current chunk began */
static struct proc *running;     /* the Python process on its own stack now */
static void *sched_sp;           /* the scheduler's stack while a Python process runs */

struct proc *py_current(void) { return running; }
const char *py_script(void) { return running ? ((struct py_state *)running->kind_state)->script : ""; }

void *py_heap_block(uint32_t i)
{
	struct py_state *st = running ? running->kind_state : 0;
	return st && i < PY_HEAP_BLOCKS ? st->heap[i] : 0;
}

size_t py_stack_limit(void)
{
	struct py_state *st = running->kind_state;
	return (size_t)(st->stack_hi - (st->guard + PY_STACK_GUARD)) - PY_STACK_MARGIN;
}

/* ---- switching ---------------------------------------------------------------- */

/* switch_out: back to the scheduler, which reads `why`; returns when the
 * process is run again. */
static void switch_out(enum proc_run why)
{
	struct py_state *st = running->kind_state;
	st->why = why;
	py_switch(&st->sp, sched_sp, st->fx, 0);
}

/* refill: py_budget is used up: another chunk of the quantum's hooks while
 * the quantum is younger than PY_QUANTUM_US. Returns whether the process may
 * go on. The chunk is learned from the last one's pace: about a quarter of
 * the quantum's time left, between 1 and PY_CHECK_HOOKS hooks, at most twice
 * the last, starting from 1 in every quantum (a program whose hooks turn
 * slow is found out within the quantum's first few hooks); so a quantum
 * ends after its budget of hooks or about PY_QUANTUM_US of time, whichever
 * comes first, however much each hook costs (a bytecode over a long string,
 * a GC cycle), at one clock read per PY_CHECK_HOOKS hooks in fast code.
 * A Ctrl-C that came meanwhile becomes KeyboardInterrupt here. */
static bool refill(void)
{
	struct py_state *st = running->kind_state;
	if (tty_intr(running, PXVM_INTR_TAKE) == 1) /* Ctrl-C while computing */
		py_interrupt();
	uint64_t now = pxhost_time_us(), spent = now - quantum_start;
	if (hooks_left <= 0 || spent >= PY_QUANTUM_US)
		return false;
	uint64_t dt = now - chunk_start, left = PY_QUANTUM_US - spent;
	uint64_t most = 2u * (uint64_t)st->chunk; /* grows at most twofold: one cheap chunk proves little */
	uint64_t want = dt ? (uint64_t)st->chunk * left / (4 * dt) : most;
	if (want > most)
		want = most;
	st->chunk = want < 1 ? 1 : want > PY_CHECK_HOOKS ? PY_CHECK_HOOKS : (int32_t)want;
	chunk_start = now;
	int64_t need = (int64_t)st->chunk - py_budget; /* py_charge may have gone far below 0 */
	int64_t c = hooks_left < need ? hooks_left : need;
	hooks_left -= c;
	py_budget += (int32_t)c;
	return py_budget > 0;
}

void py_budget_spent(void)
{
	if (!running) {
		py_budget = INT32_MAX;
		return;
	}
	if (!refill())
		switch_out(PROC_RUN_BUDGET);
}

void py_charge(uint64_t n)
{
	py_budget -= n > (uint64_t)INT32_MAX / 2 ? INT32_MAX / 2 : (int32_t)n;
	if (py_budget <= 0)
		py_budget_spent();
}

void py_block(void) { switch_out(PROC_RUN_STOP); }
void py_yield(void) { switch_out(PROC_RUN_STOP); }

void py_exit(uint32_t status)
{
	running->status = status == PXVM_STATUS_KILLED ? status : status & 0xFFu;
	switch_out(PROC_RUN_EXIT);
	pxhost_panic("py_exit: an ended Python process was run again");
}

/* stack_start: lay out a fresh stack so that py_switch's pops and `ret`
 * enter py_main with the ABI's alignment (RSP + 8 a multiple of 16). */
static void *stack_start(struct py_state *st)
{
	uint64_t *sp = (uint64_t *)st->stack_hi;
	*--sp = 0;                           /* py_main's "return address": it never returns */
	*--sp = (uint64_t)(uintptr_t)py_main;
	for (int i = 0; i < 6; i++)          /* RBP RBX R12-R15 */
		*--sp = 0;
	return sp;
}

/* guard_ok: the bytes below the stack are untouched. */
static bool guard_ok(const struct py_state *st)
{
	for (uint32_t i = 0; i < PY_STACK_GUARD; i++)
		if (st->guard[i] != PY_GUARD_BYTE)
			return false;
	return true;
}

/* mirror: copy the heap window into the tile, marking the rows that changed. */
static void mirror(struct proc *p, struct py_state *st)
{
	const uint8_t *heap = (const uint8_t *)st->heap[0];
	uint8_t *mem = (uint8_t *)p->vm.mem;
	for (uint32_t a = PY_WINDOW_BASE; a < PY_DATA_BASE; a += PXVM_ROW_BYTES) {
		uint32_t n = PY_DATA_BASE - a < PXVM_ROW_BYTES ? PY_DATA_BASE - a : PXVM_ROW_BYTES;
		if (memcmp(mem + a, heap + (a - PY_WINDOW_BASE), n)) {
			memcpy(mem + a, heap + (a - PY_WINDOW_BASE), n);
			pxvm_mark_dirty(&p->vm, a, n);
		}
	}
}

static enum proc_run py_run(struct proc *p, uint64_t budget)
{
	struct py_state *st = p->kind_state;
	if (running)
		pxhost_panic("py_run: a Python process runs another");
	int64_t b = budget > (uint64_t)INT32_MAX ? INT32_MAX : (int64_t)budget;
	st->chunk = 1;
	py_budget = b > st->chunk ? st->chunk : (int32_t)b;
	hooks_left = b - py_budget;
	quantum_start = chunk_start = pxhost_time_us();
	running = p;
	py_state_load(st->ctx);
	py_switch(&sched_sp, st->sp, 0, st->fx);
	py_state_save(st->ctx);
	running = 0;
	int64_t used = b - hooks_left - (py_budget > 0 ? py_budget : 0);
	p->vm.steps += used > 0 ? (uint64_t)used : 0;
	py_budget = INT32_MAX;
	if (!guard_ok(st)) {
		st->fault = PXVM_FAULT_MEM_RANGE;
		snprintf(st->fault_text, sizeof(st->fault_text),
		         "C stack overflow: the guard below the Python stack was overwritten");
		return PROC_RUN_FAULT;
	}
	uint64_t now = pxhost_time_us();
	if (st->why == PROC_RUN_EXIT || now - st->mirror_us >= PY_MIRROR_US) {
		st->mirror_us = now;
		mirror(p, st);
	}
	return st->why;
}

/* ---- the kind's operations ------------------------------------------------------ */

static bool py_probe(const struct proc_image *img)
{
	size_t n = strlen(img->path);
	if (n > 3 && !strcmp(img->path + n - 3, ".py"))
		return true;
	/* "#!" and a first line that names python */
	if (img->size < 2 || img->data[0] != '#' || img->data[1] != '!')
		return false;
	for (uint32_t i = 2; i + 6 <= img->size && img->data[i] != '\n'; i++)
		if (!memcmp(img->data + i, "python", 6))
			return true;
	return false;
}

static void py_release(struct proc *p)
{
	struct py_state *st = p->kind_state;
	if (st) {
		for (uint32_t i = 0; i < PY_HEAP_BLOCKS; i++)
			pxhost_mem_free(st->heap[i]);
		pxhost_mem_free(st->stack_block);
	}
	p->kind_state = 0;
	pxhost_mem_free(p->vm.mem);
	p->vm.mem = 0;
}

static int py_alloc(struct proc *p)
{
	uint32_t *mem = pxhost_mem_alloc(), *stack = pxhost_mem_alloc();
	uintptr_t base = ((uintptr_t)stack + 15u) & ~(uintptr_t)15u;
	struct py_state *st = (struct py_state *)base;
	size_t head = (sizeof(*st) + py_state_size + 15u) & ~(size_t)15u;
	p->vm.mem = mem;
	p->kind_state = 0;
	if (!mem || !stack) {
		pxhost_mem_free(stack);
		py_release(p);
		return -PXE_ENOMEM;
	}
	memset(st, 0, head);
	st->stack_block = stack;
	p->kind_state = st;
	for (uint32_t i = 0; i < PY_HEAP_BLOCKS; i++)
		if (!(st->heap[i] = pxhost_mem_alloc())) {
			py_release(p);
			return -PXE_ENOMEM;
		}
	st->guard = (uint8_t *)base + head;
	memset(st->guard, PY_GUARD_BYTE, PY_STACK_GUARD);
	st->stack_hi = (uint8_t *)(((uintptr_t)stack + PY_BLOCK_BYTES) & ~(uintptr_t)15u);
	/* The FPU/SSE state a new process starts with (FXSAVE layout, SDM vol. 1
	 * §10.5.1): x87 control word 0x037F, MXCSR 0x1F80 (every exception masked,
	 * round to nearest), everything else 0. */
	st->fx[0] = 0x7F;
	st->fx[1] = 0x03;
	st->fx[24] = 0x80;
	st->fx[25] = 0x1F;
	pxvm_init(&p->vm, mem);
	p->vm.user = p;
	return 0;
}

static int py_check(const struct proc *p, const struct proc_image *img)
{
	uint8_t area[0x100];
	if (strlen(img->path) >= PXFS_PATH_MAX)
		return -PXE_ENAMETOOLONG;
	return proc_sysarea(area, img->path, img->args, p->pid, p->ppid);
}

static void py_load(struct proc *p, const struct proc_image *img)
{
	struct py_state *st = p->kind_state;
	uint8_t area[0x100];
	proc_sysarea(area, img->path, img->args, p->pid, p->ppid); /* fits: checked */
	pxvm_write(&p->vm, PXVM_SYSAREA, area, sizeof(area));
	snprintf(st->script, sizeof(st->script), "%s", img->path);
	st->sp = stack_start(st);
	const char *base = img->path;
	for (const char *c = img->path; *c; c++)
		if (*c == '/')
			base = c + 1;
	snprintf(p->name, sizeof(p->name), "%s", base);
}

static int py_fork(const struct proc *parent, struct proc *child)
{
	(void)parent;
	(void)child;
	return -PXE_ENOSYS; /* the heap and the C stack hold absolute pointers */
}

static uint32_t py_fault(const struct proc *p, char *buf, size_t cap)
{
	const struct py_state *st = p->kind_state;
	snprintf(buf, cap, "fault %u: %s", st->fault, st->fault_text);
	return st->fault;
}

static size_t py_dump(const struct proc *p, char *buf, size_t cap)
{
	const struct py_state *st = p->kind_state;
	size_t used = st ? (size_t)(st->stack_hi - (const uint8_t *)st->sp) : 0;
	int n = snprintf(buf, cap,
	                 "  Python process: MicroPython on its own C stack; no pxVM registers\n"
	                 "  script %s\n  C stack: %zu bytes in use of %zu (RecursionError past %zu)\n"
	                 "  heap: %u blocks of %u bytes; tile 0x%04x-0x%04x shows its first %u bytes\n",
	                 st ? st->script : "?", used,
	                 st ? (size_t)(st->stack_hi - (st->guard + PY_STACK_GUARD)) : 0,
	                 st ? (size_t)(st->stack_hi - (st->guard + PY_STACK_GUARD)) - PY_STACK_MARGIN : 0,
	                 PY_HEAP_BLOCKS, PY_BLOCK_BYTES, PY_WINDOW_BASE, PY_DATA_BASE, PY_WINDOW_SIZE);
	return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

/* A Python process's record is only this marker: its state is native
 * pointers into the kernel's heap and C stack, which another boot does not
 * have, so it is never resumed (docs/snapshots.md). */
static const uint8_t py_record[8] = { 'p', 'y', 't', 'h', 'o', 'n', 0, 1 };

static size_t py_snapshot(const struct proc *p, uint8_t *out, size_t cap)
{
	(void)p;
	if (cap < sizeof(py_record))
		return 0;
	memcpy(out, py_record, sizeof(py_record));
	return sizeof(py_record);
}

/* py_restore: our marker gives -PXE_ENOEXEC (the process ends with
 * STATUS_NOT_RESUMABLE, the others go on); any other bytes are not a
 * Python record (-PXE_EINVAL: the snapshot is refused). */
static int py_restore(struct proc *p, const uint8_t *in, size_t n)
{
	(void)p;
	if (n == sizeof(py_record) && !memcmp(in, py_record, n))
		return -PXE_ENOEXEC;
	return -PXE_EINVAL;
}

const struct proc_ops proc_python_ops = {
	.name = "python",
	.probe = py_probe,
	.alloc = py_alloc,
	.release = py_release,
	.check = py_check,
	.load = py_load,
	.fork = py_fork,
	.run = py_run,
	.fault = py_fault,
	.dump = py_dump,
	.snapshot = py_snapshot,
	.restore = py_restore,
};

void py_proc_init(void) { proc_kind_add(&proc_python_ops); }
