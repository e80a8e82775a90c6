/*
 * test_boot_paging.c — the handoff page tables (boot/paging.c), checked by
 * walking them the way the MMU does (Intel SDM vol. 3A §4.5).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "boot/bootinfo.h"
#include "boot/paging.h"

#define VB PXOS_KERNEL_VBASE
#define GiB (1ull << 30)

struct walk {
	int present;
	uint64_t phys;
	int writable;  /* every level has RW */
	int nx;        /* any level has NX */
	int level;     /* 1 = 4 KiB page, 2 = 2 MiB, 3 = 1 GiB */
};

static struct walk translate(uint64_t pml4, uint64_t va)
{
	struct walk w = { 0, 0, 1, 0, 0 };
	const uint64_t *t = (const uint64_t *)(uintptr_t)pml4;
	for (int level = 4; level >= 1; level--) {
		unsigned idx = (unsigned)(va >> (12 + 9 * (level - 1))) & 511;
		uint64_t e = t[idx];
		if (!(e & PTE_P))
			return w;
		w.writable &= (e & PTE_RW) != 0;
		w.nx |= (e & PTE_NX) != 0;
		if (level == 1 || (level <= 3 && (e & PTE_PS))) {
			uint64_t page = 1ull << (12 + 9 * (level - 1));
			w.present = 1;
			w.level = level;
			w.phys = (e & PTE_ADDR_MASK & ~(page - 1)) | (va & (page - 1));
			return w;
		}
		t = (const uint64_t *)(uintptr_t)(e & PTE_ADDR_MASK);
	}
	return w;
}

static void *pool;
static size_t pool_pages;
static char err[200];

static int build(const struct paging_request *r, size_t pages, uint64_t *pml4, size_t *used)
{
	free(pool);
	pool_pages = pages;
	pool = aligned_alloc(PAGING_PAGE_SIZE, pages * PAGING_PAGE_SIZE);
	assert_non_null(pool);
	memset(pool, 0xA5, pages * PAGING_PAGE_SIZE); /* garbage: the builder must clear */
	err[0] = '\0';
	return paging_build(r, pool, pages, pml4, used, err, sizeof(err));
}

/* A kernel like a real one: text RX, rodata R, data+bss RW across a 2 MiB line. */
static const struct paging_segment kseg[] = {
	{ .vaddr = VB, .phys = 0x1000000, .size = 0x3000, .writable = false, .executable = true },
	{ .vaddr = VB + 0x3000, .phys = 0x1003000, .size = 0x1800, .writable = false, .executable = false },
	{ .vaddr = VB + 0x1FF000, .phys = 0x11FF000, .size = 0x3000, .writable = true, .executable = false },
};

static void check_kernel(uint64_t pml4, bool nx)
{
	struct walk w = translate(pml4, VB + 0x123);
	assert_true(w.present && w.level == 1 && w.phys == 0x1000123 && !w.writable && !w.nx);
	w = translate(pml4, VB + 0x4FFF); /* last byte of the rounded-up rodata page */
	assert_true(w.present && w.phys == 0x1004FFF && !w.writable && w.nx == nx);
	w = translate(pml4, VB + 0x200800); /* data, second 2 MiB region */
	assert_true(w.present && w.phys == 0x1200800 && w.writable && w.nx == nx);
	assert_false(translate(pml4, VB + 0x5000).present);       /* gap */
	assert_false(translate(pml4, VB + 0x202000).present);     /* past the end */
	assert_false(translate(pml4, VB - 0x1000).present);       /* below the window */
	assert_false(translate(pml4, 0xFFFF800000000000ull).present);
}

static void test_2m_identity(void **state)
{
	(void)state;
	struct paging_request r = { .identity_top = 4 * GiB, .huge_1g = false, .nx = true,
				    .nseg = 3, .seg = kseg };
	size_t need = paging_tables_needed(&r);
	assert_int_equal(need, 1 + 1 + 4 + 2 + 2); /* PML4, PDPT, 4 PDs, kernel PDPT+PD, 2 PTs */
	uint64_t pml4;
	size_t used;
	assert_int_equal(build(&r, need, &pml4, &used), 0);
	assert_int_equal(used, need);
	assert_true(pml4 == (uint64_t)(uintptr_t)pool);
	uint64_t probes[] = { 0, 0x1234567, 0xC0000000, 4 * GiB - 1 };
	for (size_t i = 0; i < 4; i++) {
		struct walk w = translate(pml4, probes[i]);
		assert_true(w.present && w.level == 2 && w.phys == probes[i] && w.writable && !w.nx);
	}
	assert_false(translate(pml4, 4 * GiB).present);
	check_kernel(pml4, true);
}

static void test_1g_identity_no_nx(void **state)
{
	(void)state;
	struct paging_request r = { .identity_top = 64 * GiB, .huge_1g = true, .nx = false,
				    .nseg = 3, .seg = kseg };
	size_t need = paging_tables_needed(&r);
	assert_int_equal(need, 1 + 1 + 2 + 2);
	uint64_t pml4;
	size_t used;
	assert_int_equal(build(&r, need, &pml4, &used), 0);
	assert_int_equal(used, need);
	struct walk w = translate(pml4, 63 * GiB + 0x5000);
	assert_true(w.present && w.level == 3 && w.phys == 63 * GiB + 0x5000 && w.writable && !w.nx);
	assert_false(translate(pml4, 64 * GiB).present);
	check_kernel(pml4, false);
}

static void test_large_memory(void **state)
{
	(void)state;
	/* 1 TiB with 2 MiB pages spans two PML4 slots */
	struct paging_request r = { .identity_top = 1024 * GiB, .huge_1g = false, .nx = true,
				    .nseg = 0, .seg = NULL };
	size_t need = paging_tables_needed(&r);
	assert_int_equal(need, 1 + 2 + 1024);
	uint64_t pml4;
	size_t used;
	assert_int_equal(build(&r, need, &pml4, &used), 0);
	assert_int_equal(used, need);
	struct walk w = translate(pml4, 700 * GiB + 0x3FFFFF);
	assert_true(w.present && w.phys == 700 * GiB + 0x3FFFFF);
}

static void test_bad_requests(void **state)
{
	(void)state;
	uint64_t pml4;
	size_t used;
	struct paging_request r = { .identity_top = 3 * GiB + 0x1000, .huge_1g = true, .nx = true };
	assert_int_equal(build(&r, 8, &pml4, &used), -1);
	assert_string_equal(err, "identity map top 0xc0001000 is not a non-zero multiple of 1 GiB up to 0x800000000000");
	r.identity_top = 0;
	assert_int_equal(build(&r, 8, &pml4, &used), -1);
	r.identity_top = PAGING_IDENTITY_LIMIT + GiB;
	assert_int_equal(build(&r, 8, &pml4, &used), -1);

	struct paging_segment s = { .vaddr = VB + 0x800, .phys = 0x100000, .size = 0x1000 };
	r = (struct paging_request){ .identity_top = GiB, .huge_1g = true, .nseg = 1, .seg = &s };
	assert_int_equal(build(&r, 8, &pml4, &used), -1);
	assert_string_equal(err, "kernel segment 0 (virt 0xffffffff80000800, phys 0x100000, 0x1000 bytes) is misaligned or outside the kernel window");
	s.vaddr = 0x400000; /* a low address */
	assert_int_equal(build(&r, 8, &pml4, &used), -1);
	s.vaddr = VB + PXOS_KERNEL_MAX_SIZE - 0x1000;
	s.size = 0x2000; /* runs out of the window */
	assert_int_equal(build(&r, 8, &pml4, &used), -1);

	struct paging_segment two[] = {
		{ .vaddr = VB, .phys = 0x100000, .size = 0x1800 },
		{ .vaddr = VB + 0x1000, .phys = 0x200000, .size = 0x1000 },
	};
	r.nseg = 2;
	r.seg = two;
	assert_int_equal(build(&r, 8, &pml4, &used), -1);
	assert_string_equal(err, "kernel segment 1 maps 0xffffffff80001000, which is already mapped");

	/* a pool one page short */
	r = (struct paging_request){ .identity_top = 4 * GiB, .huge_1g = false, .nseg = 3, .seg = kseg };
	size_t need = paging_tables_needed(&r);
	assert_int_equal(build(&r, need - 1, &pml4, &used), -1);
	assert_non_null(strstr(err, "page-table pool of"));
	r.huge_1g = true;
	r.nseg = 0;
	assert_int_equal(build(&r, 1, &pml4, &used), -1);
	assert_string_equal(err, "page-table pool of 1 pages is too small");
}

static int teardown(void **state)
{
	(void)state;
	free(pool);
	pool = NULL;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_2m_identity),
		cmocka_unit_test(test_1g_identity_no_nx),
		cmocka_unit_test(test_large_memory),
		cmocka_unit_test(test_bad_requests),
	};
	return cmocka_run_group_tests_name("boot/paging", tests, NULL, teardown);
}
