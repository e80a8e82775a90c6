/*
 * pymem.c — the Python arena and the code's identity; see pymem.h and
 * pxvm/host.h (pxhost_fixed_alloc, pxhost_code_id).
 */
#include "pymem.h"
#include "pmm.h"
#include "param.h"
#include "lib.h"
#include "klog.h"
#include "panic.h"
#include "pxvm/crc32.h"
#include "pxvm/host.h"
#include "pxvm/vm.h"

#define BLOCK_PAGES ((PXVM_MEM_ALLOC_WORDS * 4u + PAGE_SIZE - 1u) / PAGE_SIZE)
#define BLOCK_BYTES ((uint64_t)BLOCK_PAGES * PAGE_SIZE)

static uint64_t arena;                             /* physical = virtual (identity map); 0: none */
static uint64_t used[(PY_ARENA_BLOCKS + 63) / 64]; /* bit k: arena block k is handed out */

void pymem_init(void)
{
	uint64_t pages = (uint64_t)PY_ARENA_BLOCKS * BLOCK_PAGES;
	arena = pmm_alloc_at(PY_ARENA_PHYS, pages);
	if (!arena)
		arena = pmm_alloc(pages);
	if (arena)
		kinfo("pymem", "Python arena: %u blocks at 0x%llx%s", PY_ARENA_BLOCKS, (unsigned long long)arena,
		      arena == PY_ARENA_PHYS ? "" : " (its usual place was not free RAM)");
	else
		kwarn("pymem", "no memory for the Python arena: Python processes take pages as they come");
}

/* slot: arena block index of address `a`, or -1 when `a` is not the start of one. */
static int32_t slot(uint64_t a)
{
	if (!arena || a < arena || a >= arena + PY_ARENA_BLOCKS * BLOCK_BYTES || (a - arena) % BLOCK_BYTES)
		return -1;
	return (int32_t)((a - arena) / BLOCK_BYTES);
}

static bool taken(uint32_t k) { return (used[k / 64] >> (k % 64)) & 1; }

static void *take(uint32_t k)
{
	used[k / 64] |= 1ull << (k % 64);
	void *m = (void *)(uintptr_t)(arena + k * BLOCK_BYTES);
	memset(m, 0, BLOCK_BYTES);
	return m;
}

void *pxhost_fixed_alloc(uintptr_t at)
{
	if (at) {
		int32_t k = slot(at);
		if (k >= 0)
			return taken((uint32_t)k) ? 0 : take((uint32_t)k);
		if (arena && at < arena + PY_ARENA_BLOCKS * BLOCK_BYTES && at + BLOCK_BYTES > arena)
			return 0; /* inside the arena but not a block's start */
		return (void *)(uintptr_t)pmm_alloc_at(at, BLOCK_PAGES);
	}
	for (uint32_t k = 0; arena && k < PY_ARENA_BLOCKS; k++)
		if (!taken(k))
			return take(k);
	return (void *)(uintptr_t)pmm_alloc(BLOCK_PAGES);
}

void pxhost_fixed_free(void *mem)
{
	if (!mem)
		return;
	int32_t k = slot((uintptr_t)mem);
	if (k < 0) {
		pmm_free((uintptr_t)mem, BLOCK_PAGES);
		return;
	}
	if (!taken((uint32_t)k))
		panic("pxhost_fixed_free: arena block %d is already free", k);
	used[k / 64] &= ~(1ull << (k % 64));
}

/* The kernel's text and read-only data (kernel/kernel.ld). */
extern const char __kernel_start[], __rodata_end[];

uint32_t pxhost_code_id(void)
{
	static uint32_t id;
	if (!id)
		id = crc32_update(0, __kernel_start, (size_t)(__rodata_end - __kernel_start));
	return id ? id : 1;
}
