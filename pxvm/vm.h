/*
 * vm.h — the pxVM interpreter core.
 *
 * The core knows nothing of the machine it runs on (uxn style): it executes
 * instruction words from a process's memory, and reaches the outside world only
 * through the syscall hook. The same code runs in the kernel, in the host runner
 * (tools/pxsim) and in the unit tests.
 *
 * Memory is the process's RAM shadow of its VRAM tile: PXVM_MEM_WORDS 32-bit
 * words, word i being tile pixel (i % 128, i / 128). Every store marks the tile
 * row it touched in `dirty`; the owner copies dirty rows to the framebuffer
 * (kernel/vram.c). Every access is bounds-checked, every run is bounded by a step
 * budget, and every rule broken by the guest becomes a fault that stops this VM
 * and nothing else.
 */
#ifndef PXVM_VM_H
#define PXVM_VM_H

#include <stdint.h>
#include <stddef.h>
#include "isa.h"
#include "abi.h"
#include "rng.h"

struct pxvm;
struct pxvm_watch; /* pxvm/watch.h */

/* Syscall hook: serve system call `number` for `vm` (arguments in vm->r[1..5],
 * result into vm->r[0]). Return 0 to continue running, or 1 to make pxvm_run
 * return PXVM_RUN_SYSCALL after this instruction (the process blocked, exited
 * or yielded). The hook may call pxvm_fault() to stop the guest, and may set
 * vm->charge: that many more instructions are taken off the budget of this
 * pxvm_run (not counted in vm->steps), so an expensive call shortens the
 * caller's quantum. */
typedef int (*pxvm_syscall_fn)(struct pxvm *vm, uint32_t number);

/* Words of memory to allocate for one VM: the 64 KiB plus one guard word past
 * the end that always holds an invalid instruction, so running off the end
 * faults without a bounds check on every fetch. */
#define PXVM_MEM_ALLOC_WORDS (PXVM_MEM_WORDS + 1u)

/* Imperfect mode (pxvm_set_imperfect): bits of the process's own memory flip
 * at random, `rate` per million instructions on average. The flips are a
 * Bernoulli trial per instruction with probability rate / 10^6, drawn as
 * geometric gaps from a stream of their own, so they depend only on the
 * stream and on how many instructions the process has run: never on budgets
 * or on the other processes. */
struct pxvm_imperfect {
	uint32_t rate;          /* flips per million instructions, 0 (off) .. IMPERFECT_RATE_MAX */
	uint32_t lo, hi;        /* flips hit bytes [lo, hi) of the process's memory */
	uint64_t nlog2q;        /* -log2(1 - rate / 10^6) in 32.32 (rng_stream_geometric) */
	uint64_t next;          /* the flip happens when steps reaches this, before the next instruction */
	uint64_t flips;         /* bits flipped so far */
	struct rng_stream rng;  /* where the flips and their times come from */
};

struct pxvm {
	uint32_t r[PXVM_NREGS];     /* R0..R7; R7 = SP */
	uint32_t pc;                /* byte address of the next instruction */
	uint32_t *mem;              /* PXVM_MEM_ALLOC_WORDS words, owned by the caller */
	uint64_t dirty[PXVM_TILE_H / 64]; /* bit y: tile row y was stored to */
	uint64_t steps;             /* instructions retired since pxvm_init */
	uint32_t fault;             /* enum pxvm_fault; nonzero once faulted */
	uint32_t fault_pc;          /* address of the faulting instruction */
	uint32_t fault_word;        /* the faulting instruction word */
	uint32_t fault_addr;        /* memory address or jump target involved, if any */
	uint64_t charge;            /* set by the syscall hook: budget to take off (see above) */
	pxvm_syscall_fn syscall;    /* NULL: every SYSCALL returns -PXE_ENOSYS */
	void *user;                 /* owner's context for the hook */
	struct rng_stream rng;      /* the process's random stream: RAND, UNIF, NOISE, PJMP,
	                             * SAMPLE_NOISE (pxvm/rng.h says how it is seeded) */
	struct pxvm_imperfect imp;  /* imperfect mode; rate 0 = off */
	struct pxvm_watch *watch;   /* not NULL: runs instrumented (pxvm/watch.h), owned by the caller */
};

enum pxvm_run_result {
	PXVM_RUN_BUDGET = 0,  /* the step budget ran out; runnable */
	PXVM_RUN_HALT = 1,    /* HALT executed */
	PXVM_RUN_FAULT = 2,   /* vm->fault says why; vm->fault_pc where */
	PXVM_RUN_SYSCALL = 3, /* the syscall hook asked to stop */
	PXVM_RUN_TRAP = 4,    /* a store set the TRAP_FLAG byte (0xF000) nonzero; pc is past
	                       * that store. The owner serves the trap (pxvm/hv.h). */
};

/* pxvm_init: make `vm` a fresh process over `mem` (PXVM_MEM_ALLOC_WORDS words,
 * which this zeroes, then fills the vector page with PXVM_NULL_GUARD and puts
 * the guard word past the end): registers 0, SP = PXVM_STACK_TOP, pc =
 * PXVM_IMAGE_BASE, every row dirty (docs/pxvm-isa.md, "Faults"). */
void pxvm_init(struct pxvm *vm, uint32_t *mem);

/* pxvm_load_pxe: check a .pxe file (`size` bytes at `file`) and copy its image to
 * PXVM_IMAGE_BASE, setting pc to its entry. Returns 0, or -PXE_ENOEXEC with a
 * reason in *why (static string) when the header, size or entry is invalid. */
int pxvm_load_pxe(struct pxvm *vm, const void *file, size_t size, const char **why);

/* pxvm_check_pxe: the checks of pxvm_load_pxe without loading. */
int pxvm_check_pxe(const void *file, size_t size, const char **why);

/* pxvm_run: execute at most `budget` instructions (budget >= 1). Returns why it
 * stopped. A faulted VM stays faulted: running it again returns PXVM_RUN_FAULT.
 * A VM with neither a watch nor imperfect mode runs the plain interpreter; a
 * watched one the instrumented copy (same results, plus watch.h's records);
 * in imperfect mode the run stops between instructions for each flip due. */
enum pxvm_run_result pxvm_run(struct pxvm *vm, uint64_t budget);

/* pxvm_set_imperfect: imperfect mode for `vm`: `rate` flips per million
 * instructions (0 = off, at most IMPERFECT_RATE_MAX), hitting bytes [lo, hi)
 * (0, 0 = all PXVM_MEM_SIZE bytes; else lo < hi <= PXVM_MEM_SIZE). The next
 * flip is drawn from vm->imp.rng from now (vm->steps). Returns 0, or
 * -PXE_EINVAL (nothing changed). */
int pxvm_set_imperfect(struct pxvm *vm, uint32_t rate, uint32_t lo, uint32_t hi);

/* pxvm_fault: stop `vm` with fault `f` at the current instruction (for hooks). */
void pxvm_fault(struct pxvm *vm, enum pxvm_fault f, uint32_t addr);

/* pxvm_range_ok: whether the guest byte range [addr, addr+len) lies inside a
 * process's PXVM_MEM_SIZE bytes (no overflow for any addr, len). Every guest
 * pointer and length the kernel takes is checked with it (or by the helpers
 * below, which use it). */
static inline int pxvm_range_ok(uint32_t addr, uint32_t len)
{
	return len <= PXVM_MEM_SIZE && addr <= PXVM_MEM_SIZE - len;
}

/* Guest memory helpers for syscall hooks. Each returns 0, or -PXE_EFAULT when
 * [addr, addr+len) is not inside the process's memory. */
int pxvm_read(const struct pxvm *vm, uint32_t addr, void *dst, uint32_t len);
int pxvm_write(struct pxvm *vm, uint32_t addr, const void *src, uint32_t len);
/* pxvm_read_str: copy the NUL-terminated string at `addr` into dst (cap bytes
 * including the NUL). Returns its length, -PXE_EFAULT if it leaves memory, or
 * -PXE_ENAMETOOLONG if it does not fit in cap. */
int pxvm_read_str(const struct pxvm *vm, uint32_t addr, char *dst, uint32_t cap);

/* pxvm_mark_dirty: mark the tile rows covering [addr, addr+len) (clipped). */
void pxvm_mark_dirty(struct pxvm *vm, uint32_t addr, uint32_t len);

#endif /* PXVM_VM_H */
