/*
 * test_pagemap.c — kernel/pagemap.c on the page tables the loader builds
 * (boot/paging.c), checked by walking them the way the MMU does (Intel SDM
 * vol. 3A §4.5; PAT index from PWT, PCD and the PAT bit, §11.12.3): retyping
 * part of a 1 GiB page, mapping above the identity map, refusing to remap
 * other memory, running out of table pages, splitting at MTRR-like boundaries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "boot/bootinfo.h"
#include "boot/paging.h"
#include "kernel/pagemap.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)

struct walk {
	int present;
	uint64_t phys;
	uint64_t size;
	unsigned pat;
	int writable, nx;
};

static struct walk translate(const uint64_t *pml4, uint64_t va)
{
	struct walk w = { 0, 0, 0, 0, 1, 0 };
	const uint64_t *t = pml4;
	for (int level = 4; level >= 1; level--) {
		uint64_t e = t[(va >> (12 + 9 * (level - 1))) & 511];
		if (!(e & PGE_P))
			return w;
		w.writable &= (e & PGE_RW) != 0;
		w.nx |= (e & PGE_NX) != 0;
		if (level == 1 || (level <= 3 && (e & PGE_PS))) {
			uint64_t page = 1ull << (12 + 9 * (level - 1));
			uint64_t patbit = level == 1 ? PGE_PAT4K : PGE_PATBIG;
			w.present = 1;
			w.size = page;
			w.phys = (e & PGE_ADDR & ~(page - 1)) | (va & (page - 1));
			w.pat = ((e & patbit) ? 4 : 0) | ((e & PGE_PCD) ? 2 : 0) | ((e & PGE_PWT) ? 1 : 0);
			return w;
		}
		t = (const uint64_t *)(uintptr_t)(e & PGE_ADDR);
	}
	return w;
}

/* ---- a loader-built table set and a page pool for new tables ---- */

static void *loader_pool;
static uint64_t *pml4;
static uint8_t *pool;
static size_t pool_cap, pool_used, pool_limit;

static uint64_t alloc_page(void *ctx)
{
	(void)ctx;
	if (pool_used == pool_cap || pool_used == pool_limit)
		return 0;
	uint8_t *p = pool + pool_used++ * 4096;
	memset(p, 0, 4096);
	return (uint64_t)(uintptr_t)p;
}

static struct pagemap pm;

static void build(uint64_t top, bool huge)
{
	static const struct paging_segment seg[] = {
		{ PXOS_KERNEL_VBASE, 0x200000, 0x3000, false, true },
		{ PXOS_KERNEL_VBASE + 0x3000, 0x203000, 0x2000, true, false },
	};
	struct paging_request r = { top, huge, true, 2, seg };
	size_t pages = paging_tables_needed(&r), used;
	free(loader_pool);
	loader_pool = aligned_alloc(4096, pages * 4096);
	assert_non_null(loader_pool);
	char err[160];
	uint64_t root;
	assert_int_equal(paging_build(&r, loader_pool, pages, &root, &used, err, sizeof(err)), 0);
	pml4 = (uint64_t *)(uintptr_t)root;
	free(pool);
	pool_cap = 64;
	pool_used = 0;
	pool_limit = (size_t)-1;
	pool = aligned_alloc(4096, pool_cap * 4096);
	assert_non_null(pool);
	pm = (struct pagemap){ .pml4 = pml4, .alloc = alloc_page, .huge_1g = huge, .nx = true };
}

static int teardown(void **state)
{
	(void)state;
	free(loader_pool);
	free(pool);
	loader_pool = pool = 0;
	return 0;
}

/* Every sampled address of [lo, hi) still maps to itself (the identity map). */
static void assert_identity(uint64_t lo, uint64_t hi, uint64_t step)
{
	for (uint64_t va = lo; va < hi; va += step) {
		struct walk w = translate(pml4, va);
		assert_true(w.present);
		assert_int_equal(w.phys, va);
		assert_true(w.writable);
		assert_false(w.nx);
	}
}

static void assert_page(uint64_t va, uint64_t size, unsigned pat)
{
	struct walk w = translate(pml4, va);
	assert_true(w.present);
	assert_int_equal(w.size, size);
	assert_int_equal(w.pat, pat);
	struct pagemap_leaf l;
	assert_int_equal(pagemap_lookup(&pm, va, &l), 0);
	assert_int_equal(l.size, size);
	assert_int_equal(l.pat_index, pat);
	assert_int_equal(l.pa, w.phys);
}

static void test_framebuffer_wc_in_1g_page(void **state)
{
	(void)state;
	build(4 * GiB, true);
	assert_page(0xC0000000, GiB, PAGEMAP_WB);
	assert_int_equal(pagemap_map(&pm, 0xC0000000, 0xC0000000, 0x3E8000, PAGEMAP_WC), 0);
	assert_int_equal(pm.splits, 2);       /* 1 GiB -> 2 MiB, then the last 2 MiB -> 4 KiB */
	assert_int_equal(pm.tables, 2);
	assert_int_equal(pm.retyped, 1 + 0x1E8);
	assert_page(0xC0000000, 2 * MiB, PAGEMAP_WC);
	assert_page(0xC0200000, 4 * KiB, PAGEMAP_WC);
	assert_page(0xC03E7000, 4 * KiB, PAGEMAP_WC);
	assert_page(0xC03E8000, 4 * KiB, PAGEMAP_WB);
	assert_page(0xC0400000, 2 * MiB, PAGEMAP_WB);
	assert_page(0xFFE00000, 2 * MiB, PAGEMAP_WB);
	assert_page(0x80000000, GiB, PAGEMAP_WB);
	assert_identity(0, 4 * GiB, 61 * 4096 + 4096);
	assert_identity(0xC0000000, 0xC0800000, 4096);
	/* the kernel's own pages are untouched */
	struct walk k = translate(pml4, PXOS_KERNEL_VBASE + 0x3000);
	assert_int_equal(k.phys, 0x203000);
	assert_true(k.nx && k.writable);
	uint64_t n[3];
	pagemap_count(&pm, 0, 4 * GiB, n);
	assert_int_equal(n[2], 3);
	assert_int_equal(n[1], 511);
	assert_int_equal(n[0], 512);
	/* the same request again changes nothing */
	unsigned tables = pm.tables, splits = pm.splits;
	pm.retyped = 0;
	assert_int_equal(pagemap_map(&pm, 0xC0000000, 0xC0000000, 0x3E8000, PAGEMAP_WC), 0);
	assert_int_equal(pm.tables, tables);
	assert_int_equal(pm.splits, splits);
	assert_int_equal(pm.retyped, 0);
	/* WC -> UC -> WC, as fbbench does */
	assert_int_equal(pagemap_map(&pm, 0xC0000000, 0xC0000000, 0x3E8000, PAGEMAP_UC), 0);
	assert_page(0xC0001000, 2 * MiB, PAGEMAP_UC);
	assert_page(0xC0300000, 4 * KiB, PAGEMAP_UC);
	assert_int_equal(pagemap_map(&pm, 0xC0000000, 0xC0000000, 0x3E8000, PAGEMAP_WC), 0);
	assert_page(0xC0300000, 4 * KiB, PAGEMAP_WC);
	assert_int_equal(pm.splits, splits);
}

static void test_compatible_type_changes_nothing(void **state)
{
	(void)state;
	build(4 * GiB, true);
	uint8_t before[4096 * 8];
	size_t bytes = 4096 * 5;
	memcpy(before, loader_pool, bytes);
	assert_int_equal(pagemap_map(&pm, 0x1000, 0x1000, 3 * GiB, PAGEMAP_WB), 0);
	assert_int_equal(pm.splits + pm.tables + pm.retyped, 0);
	assert_memory_equal(before, loader_pool, bytes);
}

static void test_ecam_uc_2m_pages(void **state)
{
	(void)state;
	build(4 * GiB, false);                /* a CPU without 1 GiB pages: 2 MiB identity */
	assert_int_equal(pagemap_map(&pm, 0xB0000000, 0xB0000000, 256 * MiB, PAGEMAP_UC), 0);
	assert_int_equal(pm.splits, 0);       /* whole 2 MiB pages only change type */
	assert_int_equal(pm.retyped, 128);
	assert_page(0xB0000000, 2 * MiB, PAGEMAP_UC);
	assert_page(0xBFE00000, 2 * MiB, PAGEMAP_UC);
	assert_page(0xC0000000, 2 * MiB, PAGEMAP_WB);
	assert_page(0xAFE00000, 2 * MiB, PAGEMAP_WB);
	assert_identity(0xA0000000, 0xD0000000, 1 * MiB);
}

static void test_map_above_identity(void **state)
{
	(void)state;
	build(4 * GiB, true);
	/* a 64-bit BAR of 16 KiB at 896 GiB */
	assert_int_equal(pagemap_map(&pm, 0xE000000000ull, 0xE000000000ull, 16 * KiB, PAGEMAP_UC), 0);
	assert_int_equal(pm.tables, 3);       /* PDPT, PD, PT */
	for (uint64_t off = 0; off < 16 * KiB; off += 4 * KiB) {
		struct walk w = translate(pml4, 0xE000000000ull + off);
		assert_true(w.present && w.writable && w.nx);
		assert_int_equal(w.phys, 0xE000000000ull + off);
		assert_int_equal(w.size, 4 * KiB);
		assert_int_equal(w.pat, PAGEMAP_UC);
	}
	assert_false(translate(pml4, 0xE000004000ull).present);
	assert_false(translate(pml4, 0xDFFFFFF000ull).present);
	/* 2 GiB + 4 MiB at 1 GiB alignment: two 1 GiB pages and two 2 MiB pages */
	pm.tables = 0;
	assert_int_equal(pagemap_map(&pm, 0x10000000000ull, 0x10000000000ull, 2 * GiB + 4 * MiB, PAGEMAP_WC), 0);
	assert_page(0x10000000000ull, GiB, PAGEMAP_WC);
	assert_page(0x10040000000ull, GiB, PAGEMAP_WC);
	assert_page(0x10080000000ull, 2 * MiB, PAGEMAP_WC);
	assert_page(0x10080200000ull, 2 * MiB, PAGEMAP_WC);
	assert_false(translate(pml4, 0x10080400000ull).present);
	assert_int_equal(pm.tables, 2);       /* PDPT and one PD */
	/* without 1 GiB pages the same takes 2 MiB pages */
	pm.huge_1g = false;
	assert_int_equal(pagemap_map(&pm, 0x20000000000ull, 0x20000000000ull, GiB, PAGEMAP_WB), 0);
	assert_page(0x20000000000ull, 2 * MiB, PAGEMAP_WB);
	assert_page(0x2003FE00000ull, 2 * MiB, PAGEMAP_WB);
	/* the upper half: another virtual address than the physical one */
	assert_int_equal(pagemap_map(&pm, 0xFFFF800000000000ull, 0x300000000000ull, 8 * KiB, PAGEMAP_UC), 0);
	struct walk w = translate(pml4, 0xFFFF800000001234ull);
	assert_int_equal(w.phys, 0x300000001234ull);
	assert_int_equal(w.pat, PAGEMAP_UC);
}

static void test_other_memory_is_refused(void **state)
{
	(void)state;
	build(4 * GiB, true);
	assert_int_equal(pagemap_map(&pm, 0xE000000000ull, 0xE000000000ull, 16 * KiB, PAGEMAP_UC), 0);
	size_t used = pool_used;
	uint8_t *snap = malloc(pool_used * 4096 + 5 * 4096);
	memcpy(snap, pool, pool_used * 4096);
	memcpy(snap + pool_used * 4096, loader_pool, 5 * 4096);
	/* identity pages cannot be made to map something else, nor can the BAR's */
	assert_int_equal(pagemap_map(&pm, 0x200000, 0x400000, 4096, PAGEMAP_UC), PAGEMAP_EEXIST);
	assert_int_equal(pagemap_map(&pm, 0xC0000000, 0xD0000000, 16 * MiB, PAGEMAP_WC), PAGEMAP_EEXIST);
	/* the conflict is at the far end (the BAR maps other memory there): nothing
	 * may change before it is found, not even the tables for the free part */
	assert_int_equal(pagemap_map(&pm, 0xDFFFFF0000ull, 0x5000000000ull, 68 * KiB, PAGEMAP_UC), PAGEMAP_EEXIST);
	assert_false(translate(pml4, 0xDFFFFF0000ull).present);
	assert_int_equal(pool_used, used);
	assert_memory_equal(snap, pool, used * 4096);
	/* the same physical memory again, another type: allowed (a retype) */
	assert_int_equal(pagemap_map(&pm, 0xE000000000ull, 0xE000000000ull, 4 * KiB, PAGEMAP_WC), 0);
	assert_page(0xE000000000ull, 4 * KiB, PAGEMAP_WC);
	assert_page(0xE000001000ull, 4 * KiB, PAGEMAP_UC);
	assert_memory_equal(snap + pool_used * 4096, loader_pool, 5 * 4096);
	free(snap);
}

static void test_out_of_tables(void **state)
{
	(void)state;
	build(4 * GiB, true);
	pool_limit = 1;                        /* the 1 GiB split succeeds, the 2 MiB one cannot */
	assert_int_equal(pagemap_map(&pm, 0xC0000000, 0xC0000000, 0x3E8000, PAGEMAP_WC), PAGEMAP_ENOMEM);
	/* only equivalent changes: every page maps itself, write-back */
	for (uint64_t va = 0xBFF00000; va < 0xC0500000; va += 4096) {
		struct walk w = translate(pml4, va);
		assert_int_equal(w.phys, va);
		assert_int_equal(w.pat, PAGEMAP_WB);
	}
	pool_limit = (size_t)-1;
	assert_int_equal(pagemap_map(&pm, 0xC0000000, 0xC0000000, 0x3E8000, PAGEMAP_WC), 0);
	assert_page(0xC03E7000, 4 * KiB, PAGEMAP_WC);
	pool_limit = pool_used;                /* no table for a new mapping at all */
	assert_int_equal(pagemap_map(&pm, 0xE000000000ull, 0xE000000000ull, 4096, PAGEMAP_UC), PAGEMAP_ENOMEM);
	assert_false(translate(pml4, 0xE000000000ull).present);
}

/* MTRR-like boundaries: a page is uniform when no boundary lies strictly inside it. */
static const uint64_t bounds[] = { 0xA0000, 0x100000, 0x80200000, 0x100000000ull };

static bool no_boundary(void *ctx, uint64_t pa, uint64_t size)
{
	(void)ctx;
	for (unsigned i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++)
		if (bounds[i] > pa && bounds[i] < pa + size)
			return false;
	return true;
}

static void test_split_mixed(void **state)
{
	(void)state;
	build(8 * GiB, true);
	assert_int_equal(pagemap_split_mixed(&pm, 0, 8 * GiB, no_boundary, 0), 3);
	uint64_t n[3];
	pagemap_count(&pm, 0, 8 * GiB, n);
	assert_int_equal(n[2], 6);             /* [1,2) and [3,8) GiB */
	assert_int_equal(n[1], 511 + 512);     /* [0,1) GiB less its first 2 MiB; [2,3) GiB */
	assert_int_equal(n[0], 512);           /* the first 2 MiB */
	assert_identity(0, 8 * GiB, 37 * 4096 + 4096);
	assert_identity(0, 2 * MiB, 4096);
	for (uint64_t a = 0; a < 8 * GiB; a += 2 * MiB) {
		struct walk w = translate(pml4, a);
		assert_true(no_boundary(0, a & ~(w.size - 1), w.size));
	}
	/* idempotent */
	assert_int_equal(pagemap_split_mixed(&pm, 0, 8 * GiB, no_boundary, 0), 0);
	/* part of a range: only pages touching it */
	build(8 * GiB, false);
	assert_int_equal(pagemap_split_mixed(&pm, 4 * GiB, 8 * GiB, no_boundary, 0), 0);
	assert_int_equal(pagemap_split_mixed(&pm, 0x80000000, 0x80400000, no_boundary, 0), 0);
	assert_int_equal(pagemap_split_mixed(&pm, 0, 0x80400000, no_boundary, 0), 1);
}

static void test_pat_bit_follows_split(void **state)
{
	(void)state;
	build(4 * GiB, false);
	/* index 5 needs the PAT bit: bit 12 in a 2 MiB leaf, bit 7 in a 4 KiB one */
	assert_int_equal(pagemap_map(&pm, 0x40000000, 0x40000000, 2 * MiB, (enum pagemap_type)5), 0);
	assert_page(0x40000000, 2 * MiB, 5);
	assert_int_equal(translate(pml4, 0x40000000).phys, 0x40000000); /* bit 12 not taken as address */
	assert_int_equal(pagemap_map(&pm, 0x40001000, 0x40001000, 4096, PAGEMAP_WB), 0);
	assert_page(0x40000000, 4 * KiB, 5);
	assert_page(0x40001000, 4 * KiB, PAGEMAP_WB);
	assert_page(0x401FF000, 4 * KiB, 5);
	assert_identity(0x40000000, 0x40200000, 4096);
}

static void test_bad_ranges(void **state)
{
	(void)state;
	build(4 * GiB, true);
	assert_int_equal(pagemap_map(&pm, 0x1000, 0x1000, 0, PAGEMAP_UC), PAGEMAP_EINVAL);
	assert_int_equal(pagemap_map(&pm, 0x1001, 0x1000, 4096, PAGEMAP_UC), PAGEMAP_EINVAL);
	assert_int_equal(pagemap_map(&pm, 0x1000, 0x1800, 4096, PAGEMAP_UC), PAGEMAP_EINVAL);
	assert_int_equal(pagemap_map(&pm, 0x1000, 0x1000, 100, PAGEMAP_UC), PAGEMAP_EINVAL);
	assert_int_equal(pagemap_map(&pm, 1ull << 47, 0, 4096, PAGEMAP_UC), PAGEMAP_EINVAL);     /* non-canonical */
	assert_int_equal(pagemap_map(&pm, (1ull << 47) - 4096, 0, 8192, PAGEMAP_UC), PAGEMAP_EINVAL);
	assert_int_equal(pagemap_map(&pm, 0x1000, 1ull << 52, 4096, PAGEMAP_UC), PAGEMAP_EINVAL);
	assert_int_equal(pagemap_map(&pm, 0xFFFFFFFFFFFFF000ull, 0, 4096, PAGEMAP_UC), PAGEMAP_EINVAL);
	assert_int_equal(pagemap_map(&pm, 0x1000, 0x1000, 4096, (enum pagemap_type)8), PAGEMAP_EINVAL);
	assert_int_equal(pm.tables + pm.splits, 0);
	struct pagemap_leaf l;
	assert_int_equal(pagemap_lookup(&pm, 0x123456789000ull, &l), -1);
	assert_string_equal(pagemap_error(PAGEMAP_EEXIST), "already mapped elsewhere");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_framebuffer_wc_in_1g_page, teardown),
		cmocka_unit_test_teardown(test_compatible_type_changes_nothing, teardown),
		cmocka_unit_test_teardown(test_ecam_uc_2m_pages, teardown),
		cmocka_unit_test_teardown(test_map_above_identity, teardown),
		cmocka_unit_test_teardown(test_other_memory_is_refused, teardown),
		cmocka_unit_test_teardown(test_out_of_tables, teardown),
		cmocka_unit_test_teardown(test_split_mixed, teardown),
		cmocka_unit_test_teardown(test_pat_bit_follows_split, teardown),
		cmocka_unit_test_teardown(test_bad_ranges, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
