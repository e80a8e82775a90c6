/*
 * pyproc.c — the Python process kind: memory, the stack switch, the budget,
 * the tile's heap window; see pyproc.h. Built like the rest of the kernel
 * (no SSE): it never runs interpreter code itself, it only switches to the
 * process's stack, where pymain.c runs.
 */
#include <stdarg.h>
#include "pyproc.h"
#include "pxvm/host.h"
#include "pxvm/port.h"
#include "pxvm/proc_pxvm.h"
#include "pxvm/pixelfs.h"
#include "pxvm/snapfmt.h"
#include "pxvm/snapio.h"
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

/* Every block of a Python process is a pxhost_fixed_alloc block: they hold
 * native pointers to each other, so a snapshot's process can only go on with
 * each at the address it had (py_restore). */
static void py_release(struct proc *p)
{
	struct py_state *st = p->kind_state;
	if (st) {
		for (uint32_t i = 0; i < PY_HEAP_BLOCKS; i++)
			pxhost_fixed_free(st->heap[i]);
		pxhost_fixed_free(st->stack_block);
	}
	p->kind_state = 0;
	pxhost_fixed_free(p->vm.mem);
	p->vm.mem = 0;
}

/* stack_head: the bytes at the bottom of the stack block before the stack
 * proper: struct py_state with MicroPython's state, then the guard. */
static size_t stack_head(void)
{
	return ((sizeof(struct py_state) + py_state_size + 15u) & ~(size_t)15u) + PY_STACK_GUARD;
}

static int py_alloc(struct proc *p)
{
	uint32_t *mem = pxhost_fixed_alloc(0), *stack = pxhost_fixed_alloc(0);
	struct py_state *st = (struct py_state *)stack; /* page-aligned: 16 too */
	p->vm.mem = mem;
	p->kind_state = 0;
	if (!mem || !stack) {
		pxhost_fixed_free(stack);
		py_release(p);
		return -PXE_ENOMEM;
	}
	memset(st, 0, stack_head() - PY_STACK_GUARD);
	st->stack_block = stack;
	p->kind_state = st;
	for (uint32_t i = 0; i < PY_HEAP_BLOCKS; i++)
		if (!(st->heap[i] = pxhost_fixed_alloc(0))) {
			py_release(p);
			return -PXE_ENOMEM;
		}
	st->guard = (uint8_t *)stack + stack_head() - PY_STACK_GUARD;
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

/* ---- snapshots ------------------------------------------------------------------
 * A Python process's record holds its whole state with the addresses it had
 * (docs/snapshots.md, "The Python kind's record"): the build and code it ran
 * on, its pxVM registers, the addresses of its blocks, the bottom of its
 * stack block (struct py_state: the saved stack pointer, the FXSAVE image,
 * MicroPython's global state; the guard), the used part of its C stack, its
 * pixel memory and its heap. The stack and the heap are full of native
 * pointers (into each other, into the program's code and data), so it goes
 * on only on the identical build with every block at its old address:
 * otherwise py_restore says which check failed and the process ends
 * PXVM_STATUS_NOT_RESUMABLE. */
#define PY_SNAP_MAGIC   0x4E535950u /* "PYSN" */
#define PY_SNAP_VERSION 2u
#define PY_SNAP_HEAD    (8u + SNAP_BUILD_ID_MAX + 4u + 3u * 8u + 2u * 4u + (PXVM_NREGS + 1u) * 4u + 8u + \
                         4u * 8u + (2u + PY_HEAP_BLOCKS) * 8u + 2u * 4u)
_Static_assert(PY_SNAP_HEAD + PY_BLOCK_BYTES + PXVM_MEM_SIZE + PY_HEAP_BLOCKS * PY_BLOCK_BYTES <= SNAP_RECORD_MAX,
               "a Python record fits SNAP_RECORD_MAX");

/* The record of format 1 (before the state was saved): only this marker. */
static const uint8_t py_record_v1[8] = { 'p', 'y', 't', 'h', 'o', 'n', 0, 1 };

/* A record taken apart (rec_parse). */
struct py_rec {
	bool v1;                             /* format 1's marker */
	char build_id[SNAP_BUILD_ID_MAX + 1];
	uint32_t code_id;
	uint64_t at_code, at_data, at_table; /* py_main, py_budget, the process table */
	uint32_t ctx_size, st_size;          /* py_state_size, sizeof(struct py_state) */
	uint32_t r[PXVM_NREGS], pc;
	uint64_t steps;
	struct rng_stream rng;
	uint64_t mem, stack, heap[PY_HEAP_BLOCKS];
	uint32_t head_len, sp_off;           /* the stack block's bottom, the saved stack pointer's offset */
	const uint8_t *head, *used, *pixels, *heap_bytes;
};

static size_t py_snapshot(const struct proc *p, uint8_t *out, size_t cap)
{
	const struct py_state *st = p->kind_state;
	const uint8_t *block = (const uint8_t *)st->stack_block;
	uint32_t sp_off = (uint32_t)((const uint8_t *)st->sp - block), head_len = (uint32_t)stack_head();
	size_t n = PY_SNAP_HEAD + head_len + (PY_BLOCK_BYTES - sp_off) + PXVM_MEM_SIZE +
	           (size_t)PY_HEAP_BLOCKS * PY_BLOCK_BYTES;
	if (cap < n)
		return 0;
	if (sp_off < head_len || sp_off > PY_BLOCK_BYTES)
		pxhost_panic("py_snapshot: the saved stack pointer is outside the stack");
	struct snapw w = { out, cap, 0 };
	snapw_u32(&w, PY_SNAP_MAGIC);
	snapw_u32(&w, PY_SNAP_VERSION);
	snapw_build_id(&w);
	snapw_u32(&w, pxhost_code_id());
	snapw_u64(&w, (uint64_t)(uintptr_t)py_main);
	snapw_u64(&w, (uint64_t)(uintptr_t)&py_budget);
	snapw_u64(&w, (uint64_t)(uintptr_t)proc_at(0));
	snapw_u32(&w, (uint32_t)py_state_size);
	snapw_u32(&w, (uint32_t)sizeof(struct py_state));
	for (int i = 0; i < PXVM_NREGS; i++)
		snapw_u32(&w, p->vm.r[i]);
	snapw_u32(&w, p->vm.pc);
	snapw_u64(&w, p->vm.steps);
	for (int i = 0; i < 4; i++)
		snapw_u64(&w, p->vm.rng.s[i]);
	snapw_u64(&w, (uint64_t)(uintptr_t)p->vm.mem);
	snapw_u64(&w, (uint64_t)(uintptr_t)st->stack_block);
	for (uint32_t i = 0; i < PY_HEAP_BLOCKS; i++)
		snapw_u64(&w, (uint64_t)(uintptr_t)st->heap[i]);
	snapw_u32(&w, head_len);
	snapw_u32(&w, sp_off);
	snapw_bytes(&w, block, head_len);
	snapw_bytes(&w, block + sp_off, PY_BLOCK_BYTES - sp_off);
	snapw_bytes(&w, p->vm.mem, PXVM_MEM_SIZE);
	for (uint32_t i = 0; i < PY_HEAP_BLOCKS; i++)
		snapw_bytes(&w, st->heap[i], PY_BLOCK_BYTES);
	if (w.len != n)
		pxhost_panic("py_snapshot: the record's length is not what was counted");
	return n;
}

/* rec_parse: take record `in` (n bytes) apart into *r: 0; -PXE_ENOEXEC for
 * the marker of format 1 (r->v1) and for a record of another build (whose
 * layout, its heap's size say, may not be this build's: it is not read
 * past the build id); -PXE_EINVAL for bytes that are not a record. */
static int rec_parse(const uint8_t *in, size_t n, struct py_rec *r)
{
	r->v1 = n == sizeof(py_record_v1) && !memcmp(in, py_record_v1, n);
	if (r->v1)
		return -PXE_ENOEXEC;
	struct snapr sr = { in, n, 0, false };
	if (snapr_u32(&sr) != PY_SNAP_MAGIC || snapr_u32(&sr) != PY_SNAP_VERSION)
		return -PXE_EINVAL;
	snapr_bytes(&sr, r->build_id, SNAP_BUILD_ID_MAX);
	r->build_id[SNAP_BUILD_ID_MAX] = 0;
	for (uint32_t i = 0; r->build_id[i]; i++)
		if (r->build_id[i] < 0x20 || r->build_id[i] > 0x7E)
			r->build_id[i] = '?';
	if (sr.bad)
		return -PXE_EINVAL;
	if (strcmp(r->build_id, snap_build_id()))
		return -PXE_ENOEXEC;
	r->code_id = snapr_u32(&sr);
	r->at_code = snapr_u64(&sr);
	r->at_data = snapr_u64(&sr);
	r->at_table = snapr_u64(&sr);
	r->ctx_size = snapr_u32(&sr);
	r->st_size = snapr_u32(&sr);
	for (int i = 0; i < PXVM_NREGS; i++)
		r->r[i] = snapr_u32(&sr);
	r->pc = snapr_u32(&sr);
	r->steps = snapr_u64(&sr);
	for (int i = 0; i < 4; i++)
		r->rng.s[i] = snapr_u64(&sr);
	r->mem = snapr_u64(&sr);
	r->stack = snapr_u64(&sr);
	for (uint32_t i = 0; i < PY_HEAP_BLOCKS; i++)
		r->heap[i] = snapr_u64(&sr);
	r->head_len = snapr_u32(&sr);
	r->sp_off = snapr_u32(&sr);
	if (sr.bad || r->head_len > r->sp_off || r->sp_off > PY_BLOCK_BYTES)
		return -PXE_EINVAL;
	r->head = snapr_ptr(&sr, r->head_len);
	r->used = snapr_ptr(&sr, PY_BLOCK_BYTES - r->sp_off);
	r->pixels = snapr_ptr(&sr, PXVM_MEM_SIZE);
	r->heap_bytes = snapr_ptr(&sr, (size_t)PY_HEAP_BLOCKS * PY_BLOCK_BYTES);
	return sr.bad || sr.pos != n ? -PXE_EINVAL : 0;
}

/* not_here: the record is valid but cannot go on here: say why, -PXE_ENOEXEC. */
static int not_here(const struct proc *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int not_here(const struct proc *p, const char *fmt, ...)
{
	char why[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	pxhost_log(2, "resume: Python pid %u (%s) not resumable: %s", p->pid, p->name, why);
	return -PXE_ENOEXEC;
}

/* same_build: whether this binary (of the record's build: rec_parse) is the
 * one that wrote `r`, with its code and data where they were; -PXE_ENOEXEC
 * (said why) if not. */
static int same_build(const struct proc *p, const struct py_rec *r)
{
	uint32_t code = pxhost_code_id();
	if (!code)
		return not_here(p, "this platform cannot tell its code's identity");
	if (r->code_id != code)
		return not_here(p, "its code's CRC-32 was %08x, this binary's is %08x (another build)", r->code_id, code);
	if (r->at_code != (uint64_t)(uintptr_t)py_main || r->at_data != (uint64_t)(uintptr_t)&py_budget ||
	    r->at_table != (uint64_t)(uintptr_t)proc_at(0))
		return not_here(p, "the program's code or data is at other addresses (code 0x%llx there, 0x%llx here)",
		                (unsigned long long)r->at_code, (unsigned long long)(uintptr_t)py_main);
	if (r->ctx_size != py_state_size || r->st_size != sizeof(struct py_state) || r->head_len != stack_head())
		return not_here(p, "the interpreter's state has another size");
	return 0;
}

/* claim: every block of `r` at its old address into `blocks` (mem, stack,
 * heap...); 0, or -PXE_ENOEXEC (said which) with none of them kept. */
static int claim(const struct proc *p, const struct py_rec *r, uint32_t **blocks)
{
	uint64_t at[2 + PY_HEAP_BLOCKS];
	at[0] = r->mem;
	at[1] = r->stack;
	memcpy(at + 2, r->heap, sizeof(r->heap));
	for (uint32_t i = 0; i < 2 + PY_HEAP_BLOCKS; i++) {
		blocks[i] = at[i] && at[i] == (uintptr_t)at[i] ? pxhost_fixed_alloc((uintptr_t)at[i]) : 0;
		if (!blocks[i]) {
			for (uint32_t k = 0; k < i; k++)
				pxhost_fixed_free(blocks[k]);
			return not_here(p, "its memory at 0x%llx cannot be had here (in use, or not this machine's)",
			                (unsigned long long)at[i]);
		}
	}
	return 0;
}

/* py_restore: called by snap.c's check pass on an entry this kind did not
 * alloc (kind_state NULL): only the record's bytes are checked. Otherwise
 * (alloc'd): the same build and every block at its old address, then the
 * state copied back; the process goes on where it was (blocked in sleep,
 * read, wait or a trap: snap.c rebases the sleep; an LLM call in flight
 * gets -PXE_EIO from hv.c, which the pxos module raises as OSError). */
static int py_restore(struct proc *p, const uint8_t *in, size_t n)
{
	static struct py_rec r;
	int e = rec_parse(in, n, &r);
	if (e == -PXE_ENOEXEC && p->kind_state)
		return r.v1 ? not_here(p, "the snapshot's format 1 kept no Python state")
		            : not_here(p, "taken by build \"%s\", this is \"%s\"", r.build_id, snap_build_id());
	if (e || !p->kind_state)
		return e;
	if ((e = same_build(p, &r)) != 0)
		return e;
	uint32_t *blocks[2 + PY_HEAP_BLOCKS];
	py_release(p); /* the blocks alloc took, at whatever address */
	if ((e = claim(p, &r, blocks)) != 0)
		return e;
	uint8_t *stack = (uint8_t *)blocks[1];
	struct py_state *st = (struct py_state *)stack;
	memcpy(stack, r.head, r.head_len);
	/* The head's own pointers are the old addresses, which are these now. */
	bool heap_ok = true;
	for (uint32_t i = 0; i < PY_HEAP_BLOCKS; i++)
		heap_ok &= st->heap[i] == blocks[2 + i];
	if (!heap_ok || st->stack_block != blocks[1] || st->guard != stack + r.head_len - PY_STACK_GUARD ||
	    st->sp != (void *)(stack + r.sp_off) ||
	    st->stack_hi != (uint8_t *)(((uintptr_t)stack + PY_BLOCK_BYTES) & ~(uintptr_t)15u) ||
	    r.sp_off > (uint32_t)(st->stack_hi - stack)) {
		for (uint32_t i = 0; i < 2 + PY_HEAP_BLOCKS; i++)
			pxhost_fixed_free(blocks[i]);
		return not_here(p, "its stack head disagrees with the addresses of its blocks");
	}
	memcpy(stack + r.sp_off, r.used, PY_BLOCK_BYTES - r.sp_off);
	for (uint32_t i = 0; i < PY_HEAP_BLOCKS; i++)
		memcpy(blocks[2 + i], r.heap_bytes + (size_t)i * PY_BLOCK_BYTES, PY_BLOCK_BYTES);
	pxvm_init(&p->vm, blocks[0]);
	memcpy(p->vm.mem, r.pixels, PXVM_MEM_SIZE);
	memcpy(p->vm.r, r.r, sizeof(r.r));
	p->vm.pc = r.pc;
	p->vm.steps = r.steps;
	p->vm.rng = r.rng;
	p->vm.user = p;
	p->kind_state = st;
	return 0;
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
