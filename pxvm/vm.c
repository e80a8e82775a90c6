/*
 * vm.c — the pxVM interpreter; see vm.h for the contract and isa.h for the
 * instruction word.
 *
 * The run loop is vm_run.inc, compiled twice: run_plain for every process,
 * run_watched for a watched one (pxvm/watch.h). pxvm_run picks one per call
 * (one test per quantum, none per instruction), and in imperfect mode cuts
 * the run at each bit flip due (pxvm_set_imperfect). Compiled with
 * PXVM_WATCH_NONE (only make bench does: tests/bench/vm_nowatch.c), pxvm_run
 * is the plain copy alone, the baseline that shows the off path's cost.
 */
#include "vm.h"
#include "watch.h"
#include "port.h"

#define GUARD_WORD 0xFFFFFFFFu /* opcode 0xFF: unassigned, so fetching it faults */

/* Must-be-zero masks by format, as compile-time constants for the handlers. */
#define PXVM_X_FMT(f, words, zero) static const uint32_t ZM_##f = (zero);
PXVM_FORMATS(PXVM_X_FMT)
#undef PXVM_X_FMT

void pxvm_init(struct pxvm *vm, uint32_t *mem)
{
	memset(vm, 0, sizeof(*vm));
	memset(mem, 0, PXVM_MEM_ALLOC_WORDS * sizeof(uint32_t));
	mem[PXVM_MEM_WORDS] = GUARD_WORD;
	for (uint32_t a = PXVM_VECTORS; a < PXVM_SYSAREA; a += 4)
		mem[a / 4] = PXVM_NULL_GUARD;
	vm->mem = mem;
	vm->r[PXVM_SP] = PXVM_STACK_TOP;
	vm->pc = PXVM_IMAGE_BASE;
	vm->dirty[0] = vm->dirty[1] = ~0ull;
}

static uint32_t rd32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int pxvm_check_pxe(const void *file, size_t size, const char **why)
{
	const uint8_t *p = file;
	const char *dummy;
	if (!why)
		why = &dummy;
	if (!p || size < PXE_HEADER_SIZE) {
		*why = "file shorter than the 16-byte .pxe header";
		return -PXE_ENOEXEC;
	}
	uint32_t magic = rd32le(p), entry = rd32le(p + 8), image = rd32le(p + 12);
	uint16_t version = (uint16_t)(p[4] | p[5] << 8), flags = (uint16_t)(p[6] | p[7] << 8);
	if (magic != PXE_MAGIC) {
		*why = "bad magic (not a PXE1 executable)";
		return -PXE_ENOEXEC;
	}
	if (version != PXE_VERSION || flags != 0) {
		*why = "unsupported .pxe version or flags";
		return -PXE_ENOEXEC;
	}
	if (image > PXVM_IMAGE_MAX) {
		*why = "image larger than the 60928 bytes between 0x0200 and 0xF000";
		return -PXE_ENOEXEC;
	}
	if ((uint64_t)image + PXE_HEADER_SIZE != size) {
		*why = "image size in the header disagrees with the file size (truncated?)";
		return -PXE_ENOEXEC;
	}
	if (image % 4) {
		*why = "image size not a multiple of 4";
		return -PXE_ENOEXEC;
	}
	if (entry % 4 || entry < PXVM_IMAGE_BASE || entry >= PXVM_IMAGE_BASE + image) {
		*why = "entry point not an aligned address inside the image";
		return -PXE_ENOEXEC;
	}
	*why = "";
	return 0;
}

int pxvm_load_pxe(struct pxvm *vm, const void *file, size_t size, const char **why)
{
	int err = pxvm_check_pxe(file, size, why);
	if (err)
		return err;
	const uint8_t *p = file;
	uint32_t image = rd32le(p + 12);
	memcpy((uint8_t *)vm->mem + PXVM_IMAGE_BASE, p + PXE_HEADER_SIZE, image);
	pxvm_mark_dirty(vm, PXVM_IMAGE_BASE, image);
	vm->pc = rd32le(p + 8);
	return 0;
}

void pxvm_mark_dirty(struct pxvm *vm, uint32_t addr, uint32_t len)
{
	if (!len || addr >= PXVM_MEM_SIZE)
		return;
	uint64_t end = (uint64_t)addr + len;
	if (end > PXVM_MEM_SIZE)
		end = PXVM_MEM_SIZE;
	for (uint32_t row = addr / PXVM_ROW_BYTES; row <= (uint32_t)((end - 1) / PXVM_ROW_BYTES); row++)
		vm->dirty[row >> 6] |= 1ull << (row & 63);
}

int pxvm_read(const struct pxvm *vm, uint32_t addr, void *dst, uint32_t len)
{
	if (!pxvm_range_ok(addr, len))
		return -PXE_EFAULT;
	memcpy(dst, (const uint8_t *)vm->mem + addr, len);
	return 0;
}

int pxvm_write(struct pxvm *vm, uint32_t addr, const void *src, uint32_t len)
{
	if (!pxvm_range_ok(addr, len))
		return -PXE_EFAULT;
	memcpy((uint8_t *)vm->mem + addr, src, len);
	pxvm_mark_dirty(vm, addr, len);
	if (vm->watch && len) { /* the kernel answering the instruction that ran last */
		uint32_t at = vm->pc >= 4 && vm->pc <= PXVM_MEM_SIZE ? vm->pc - 4 : 0;
		watch_write(vm->watch, vm->mem, addr, len, at, vm->mem[at >> 2], vm->steps, WATCH_BY_KERNEL);
	}
	return 0;
}

int pxvm_read_str(const struct pxvm *vm, uint32_t addr, char *dst, uint32_t cap)
{
	const uint8_t *m = (const uint8_t *)vm->mem;
	for (uint32_t i = 0; i < cap; i++) {
		if (addr + (uint64_t)i >= PXVM_MEM_SIZE)
			return -PXE_EFAULT;
		dst[i] = (char)m[addr + i];
		if (!dst[i])
			return (int)i;
	}
	if (cap)
		dst[cap - 1] = '\0';
	return -PXE_ENAMETOOLONG;
}

void pxvm_fault(struct pxvm *vm, enum pxvm_fault f, uint32_t addr)
{
	vm->fault = f;
	vm->fault_pc = vm->pc >= 4 ? vm->pc - 4 : 0;
	vm->fault_word = vm->fault_pc < PXVM_MEM_SIZE ? vm->mem[vm->fault_pc >> 2] : 0;
	vm->fault_addr = addr;
}

#define RUN_NAME run_plain
#define RUN_WATCHED 0
#include "vm_run.inc"
#undef RUN_NAME
#undef RUN_WATCHED

#if !PXVM_WATCH_NONE
#define RUN_NAME run_watched
#define RUN_WATCHED 1
#include "vm_run.inc"
#undef RUN_NAME
#undef RUN_WATCHED
#endif

/* ---- Imperfect mode ------------------------------------------------------- */

/* imp_schedule: draw the step of the next flip from now. */
static void imp_schedule(struct pxvm *vm)
{
	struct pxvm_imperfect *m = &vm->imp;
	m->next = vm->steps + (m->rate >= 1000000u ? 1 : rng_stream_geometric(&m->rng, m->nlog2q));
}

int pxvm_set_imperfect(struct pxvm *vm, uint32_t rate, uint32_t lo, uint32_t hi)
{
	if (rate > IMPERFECT_RATE_MAX || rate > 1000000u)
		return -PXE_EINVAL;
	if (!lo && !hi)
		hi = PXVM_MEM_SIZE;
	if (lo >= hi || hi > PXVM_MEM_SIZE)
		return -PXE_EINVAL;
	struct pxvm_imperfect *m = &vm->imp;
	m->rate = rate;
	m->lo = lo;
	m->hi = hi;
	/* -log2(1 - p) for p = rate / 10^6: log2(10^6) - log2(10^6 - rate). */
	m->nlog2q = rate && rate < 1000000u ? rng_log2_q32(1000000u) - rng_log2_q32(1000000u - rate) : 0;
	if (rate)
		imp_schedule(vm);
	return 0;
}

#if PXVM_WATCH_NONE
/* The interpreter as it was before watching and imperfect mode (make bench's
 * baseline, tests/bench/vm_nowatch.c): the plain copy only, no test per run;
 * a watch or imperfect mode is ignored. Never in the kernel or the tools. */
enum pxvm_run_result pxvm_run(struct pxvm *vm, uint64_t budget)
{
	uint64_t rest;
	enum pxvm_run_result r = run_plain(vm, budget, &rest);
	vm->charge = 0;
	return r;
}
#else
/* imp_flip: flip one bit of [lo, hi), chosen uniformly, and draw the next time. */
static void imp_flip(struct pxvm *vm)
{
	struct pxvm_imperfect *m = &vm->imp;
	uint32_t b = (uint32_t)rng_stream_range(&m->rng, 0, (int32_t)((m->hi - m->lo) * 8u));
	uint32_t byte = m->lo + b / 8u, bit = b % 8u;
	((uint8_t *)vm->mem)[byte] ^= (uint8_t)(1u << bit);
	vm->dirty[byte >> 15] |= 1ull << ((byte >> 9) & 63u);
	m->flips++;
	if (vm->watch)
		watch_write(vm->watch, vm->mem, byte, 1, vm->pc, bit, vm->steps, WATCH_BY_FLIP);
	imp_schedule(vm);
}

enum pxvm_run_result pxvm_run(struct pxvm *vm, uint64_t budget)
{
	uint64_t rest;
	enum pxvm_run_result r;
	if (__builtin_expect(!vm->watch && !vm->imp.rate, 1)) {
		r = run_plain(vm, budget, &rest);
		vm->charge = 0;
		return r;
	}
	/* Watched or imperfect: in pieces that end where a flip is due. */
	uint64_t left = budget;
	for (;;) {
		if (vm->fault)
			return PXVM_RUN_FAULT;
		if (vm->imp.rate && vm->steps >= vm->imp.next)
			imp_flip(vm);
		uint64_t piece = left;
		if (vm->imp.rate && vm->imp.next - vm->steps < piece)
			piece = vm->imp.next - vm->steps;
		r = vm->watch ? run_watched(vm, piece, &rest) : run_plain(vm, piece, &rest);
		uint64_t used = piece - rest + vm->charge; /* a call's charge may reach past the piece */
		vm->charge = 0;
		left = used < left ? left - used : 0;
		if (r != PXVM_RUN_BUDGET || !left)
			return r;
	}
}
#endif /* PXVM_WATCH_NONE */
