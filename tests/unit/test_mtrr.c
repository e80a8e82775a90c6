/*
 * test_mtrr.c — kernel/mtrr.c: the MSR layouts (Intel SDM vol. 3A §11.11.2,
 * table 11-9), the type of one address and the precedence of overlapping
 * variable ranges (§11.11.4.1), and whether a range has one type — checked on
 * the layout OVMF programs under QEMU q35 and, page by page, against
 * mtrr_type_at on random layouts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "kernel/mtrr.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)

static void set_var(struct mtrr_state *s, unsigned i, uint64_t base, uint64_t size, uint8_t type)
{
	/* PHYSMASK for a power-of-two size, valid bit 11, MAXPHYADDR 40 */
	mtrr_var_set(&s->var[i], base | type, (~(size - 1) & ((1ull << 40) - 1)) | (1u << 11), 40);
	if (s->nvar <= i)
		s->nvar = i + 1;
}

/* What OVMF leaves on q35 (seen with the `mtrr` monitor command): default WB,
 * fixed WB below 640 KiB and UC from 0xA0000, var0 2-4 GiB UC, var1 the 64-bit
 * PCI window 0xE000000000 + 128 GiB UC. */
static void qemu_layout(struct mtrr_state *s)
{
	memset(s, 0, sizeof(*s));
	s->present = s->enabled = s->fixed_enabled = true;
	s->def_type = MTRR_WB;
	uint64_t fix[MTRR_FIXED_MSRS];
	for (unsigned i = 0; i < MTRR_FIXED_MSRS; i++)
		fix[i] = 0x0606060606060606ull;
	fix[2] = 0; /* FIX16K_A0000: 0xA0000-0xBFFFF UC */
	for (unsigned i = 3; i < MTRR_FIXED_MSRS; i++)
		fix[i] = 0;
	mtrr_decode_fixed(fix, s->fixed);
	s->nvar = 8;
	set_var(s, 0, 0x80000000ull, 2 * GiB, MTRR_UC);
	set_var(s, 1, 0xE000000000ull, 128 * GiB, MTRR_UC);
}

static void test_fixed_decoding(void **state)
{
	(void)state;
	uint64_t fix[MTRR_FIXED_MSRS];
	for (unsigned i = 0; i < MTRR_FIXED_MSRS; i++)
		fix[i] = 0x0706050401000000ull + i;      /* bytes: i, 0, 0, 1, 4, 5, 6, 7 */
	fix[4] = 0x1E1E1E1E1E1E1E1Eull;              /* AMD RdMem/WrMem bits set on WB (6) */
	uint8_t out[MTRR_FIXED_RANGES];
	mtrr_decode_fixed(fix, out);
	assert_int_equal(out[0], 0);                 /* 0x00000 (64 KiB ranges) */
	assert_int_equal(out[3], 1);
	assert_int_equal(out[7], 7);
	assert_int_equal(out[8], 1);                 /* 0x80000 (16 KiB) from MSR 1: byte 0 = 1 */
	assert_int_equal(out[16], 2);                /* 0xA0000 from MSR 2 */
	assert_int_equal(out[24], 3);                /* 0xC0000 (4 KiB) from MSR 3 */
	assert_int_equal(out[32], 6);                /* MSR 4, masked to 3 bits */
	assert_int_equal(out[87], 7);
	uint64_t len;
	assert_int_equal(mtrr_fixed_index(0x7FFFF, &len), 7);
	assert_int_equal(len, 64 * KiB);
	assert_int_equal(mtrr_fixed_index(0x80000, &len), 8);
	assert_int_equal(len, 16 * KiB);
	assert_int_equal(mtrr_fixed_index(0xBC000, &len), 23);
	assert_int_equal(mtrr_fixed_index(0xC0000, &len), 24);
	assert_int_equal(len, 4 * KiB);
	assert_int_equal(mtrr_fixed_index(0xFF000, &len), 87);
}

static void test_var_set(void **state)
{
	(void)state;
	struct mtrr_var v;
	mtrr_var_set(&v, 0xFFFFFFFF80000000ull | MTRR_WC, 0xFFFFFFFFC0000800ull, 36);
	assert_int_equal(v.type, MTRR_WC);
	assert_true(v.valid);
	assert_int_equal(v.base, 0xF80000000ull);   /* bits above MAXPHYADDR dropped */
	assert_int_equal(v.mask, 0xFC0000000ull);
	mtrr_var_set(&v, 0, 0xFFFFF000ull, 36);
	assert_false(v.valid);
}

static void test_qemu_layout(void **state)
{
	(void)state;
	struct mtrr_state s;
	qemu_layout(&s);
	assert_int_equal(mtrr_type_at(&s, 0), MTRR_WB);
	assert_int_equal(mtrr_type_at(&s, 0x9FFFF), MTRR_WB);
	assert_int_equal(mtrr_type_at(&s, 0xA0000), MTRR_UC);
	assert_int_equal(mtrr_type_at(&s, 0xFFFFF), MTRR_UC);
	assert_int_equal(mtrr_type_at(&s, 0x100000), MTRR_WB);
	assert_int_equal(mtrr_type_at(&s, 0xC0000000), MTRR_UC);
	assert_int_equal(mtrr_type_at(&s, 4 * GiB), MTRR_WB);
	assert_int_equal(mtrr_type_at(&s, 0xE000000000ull), MTRR_UC);

	/* the identity map's pages as the loader builds them: */
	assert_int_equal(mtrr_range_type(&s, 0, GiB), MTRR_MIXED);        /* fixed ranges inside */
	assert_int_equal(mtrr_range_type(&s, GiB, GiB), MTRR_WB);
	assert_int_equal(mtrr_range_type(&s, 2 * GiB, GiB), MTRR_UC);
	assert_int_equal(mtrr_range_type(&s, 3 * GiB, GiB), MTRR_UC);
	assert_int_equal(mtrr_range_type(&s, 4 * GiB, GiB), MTRR_WB);
	assert_int_equal(mtrr_range_type(&s, 0, 2 * MiB), MTRR_MIXED);
	assert_int_equal(mtrr_range_type(&s, 2 * MiB, 2 * MiB), MTRR_WB);
	assert_int_equal(mtrr_range_type(&s, 0, 640 * KiB), MTRR_WB);
	assert_int_equal(mtrr_range_type(&s, 640 * KiB, 384 * KiB), MTRR_UC);
	assert_int_equal(mtrr_range_type(&s, 636 * KiB, 8 * KiB), MTRR_MIXED);
	assert_int_equal(mtrr_range_type(&s, 1 * MiB, 1 * GiB - 1 * MiB), MTRR_WB);
	assert_int_equal(mtrr_range_type(&s, 2 * GiB - 4 * KiB, 8 * KiB), MTRR_MIXED);
	assert_int_equal(mtrr_range_type(&s, 0xC0000000, 0x3E8000), MTRR_UC);  /* the framebuffer */
	/* bad arguments never claim a type */
	assert_int_equal(mtrr_range_type(&s, 0, 0), MTRR_MIXED);
	assert_int_equal(mtrr_range_type(&s, 100, 4096), MTRR_MIXED);
	assert_int_equal(mtrr_range_type(&s, 0xFFFFFFFFFFFFF000ull, 8192), MTRR_MIXED);
}

static void test_precedence(void **state)
{
	(void)state;
	struct mtrr_state s;
	memset(&s, 0, sizeof(s));
	s.present = s.enabled = true;
	s.def_type = MTRR_UC;
	set_var(&s, 0, 0, 4 * GiB, MTRR_WB);
	set_var(&s, 1, 0x40000000, GiB, MTRR_WT);       /* WB + WT = WT */
	set_var(&s, 2, 0x80000000, 512 * MiB, MTRR_UC); /* WB + UC = UC */
	set_var(&s, 3, 0xC0000000, 256 * MiB, MTRR_WB); /* WB + WB = WB */
	set_var(&s, 4, 0xD0000000, 256 * MiB, MTRR_WC); /* WB + WC: undefined -> UC */
	set_var(&s, 5, 0xE0000000, 256 * MiB, MTRR_WC);
	set_var(&s, 6, 0xE0000000, 256 * MiB, MTRR_WC); /* WC twice... */
	assert_int_equal(mtrr_type_at(&s, 0x100000), MTRR_WB); /* fixed ranges off: variable */
	assert_int_equal(mtrr_type_at(&s, 0x40000000), MTRR_WT);
	assert_int_equal(mtrr_type_at(&s, 0x80000000), MTRR_UC);
	assert_int_equal(mtrr_type_at(&s, 0xC0000000), MTRR_WB);
	assert_int_equal(mtrr_type_at(&s, 0xD0000000), MTRR_UC);
	assert_int_equal(mtrr_type_at(&s, 0xE0000000), MTRR_UC); /* ...but also WB from var0 */
	assert_int_equal(mtrr_type_at(&s, 5 * GiB), MTRR_UC);    /* default */
	assert_int_equal(mtrr_range_type(&s, 0x40000000, GiB), MTRR_WT);
	assert_int_equal(mtrr_range_type(&s, 0, GiB), MTRR_WB);
	assert_int_equal(mtrr_range_type(&s, 0, 2 * GiB), MTRR_MIXED);
	s.var[3].valid = false;                                  /* invalid ranges do not count */
	assert_int_equal(mtrr_type_at(&s, 0xC0000000), MTRR_WB);
	s.var[0].valid = false;
	assert_int_equal(mtrr_type_at(&s, 0xC0000000), MTRR_UC);
}

static void test_disabled_and_absent(void **state)
{
	(void)state;
	struct mtrr_state s;
	qemu_layout(&s);
	s.enabled = false;                                       /* E = 0: all UC */
	assert_int_equal(mtrr_type_at(&s, GiB), MTRR_UC);
	assert_int_equal(mtrr_range_type(&s, 0, 64 * GiB), MTRR_UC);
	s.present = false;                                       /* no MTRRs: the PAT decides */
	assert_int_equal(mtrr_range_type(&s, 0, 64 * GiB), MTRR_WB);
	qemu_layout(&s);
	s.fixed_enabled = false;                                 /* FE = 0: variable below 1 MiB too */
	assert_int_equal(mtrr_type_at(&s, 0xA0000), MTRR_WB);
	assert_int_equal(mtrr_range_type(&s, 0, GiB), MTRR_WB);
}

static void test_striped_mask(void **state)
{
	(void)state;
	/* A non-contiguous mask: every other 4 KiB page of the first 1 MiB... */
	struct mtrr_state s;
	memset(&s, 0, sizeof(s));
	s.present = s.enabled = true;
	s.def_type = MTRR_WB;
	s.nvar = 1;
	mtrr_var_set(&s.var[0], 0x1000 | MTRR_UC, 0xFFFF01000ull | (1u << 11), 36);
	assert_int_equal(mtrr_type_at(&s, 0x1000), MTRR_UC);
	assert_int_equal(mtrr_type_at(&s, 0x2000), MTRR_WB);
	assert_int_equal(mtrr_type_at(&s, 0x3000), MTRR_UC);
	assert_int_equal(mtrr_type_at(&s, 0x101000), MTRR_WB);
	assert_int_equal(mtrr_range_type(&s, 0x1000, 4096), MTRR_UC);
	assert_int_equal(mtrr_range_type(&s, 0, 8192), MTRR_MIXED);
	assert_int_equal(mtrr_range_type(&s, 0x100000, MiB), MTRR_WB);
	/* ...and over a large range: an answer in bounded time, never a wrong "uniform" */
	assert_int_equal(mtrr_range_type(&s, 0, GiB), MTRR_MIXED);
}

/* Page-by-page truth on random layouts with power-of-two ranges, overlaps
 * and fixed ranges, over random ranges up to 8 MiB. */
static void test_against_page_walk(void **state)
{
	(void)state;
	srand(12345);
	static const uint8_t types[] = { MTRR_UC, MTRR_WC, MTRR_WT, MTRR_WP, MTRR_WB };
	for (int round = 0; round < 300; round++) {
		struct mtrr_state s;
		memset(&s, 0, sizeof(s));
		s.present = s.enabled = true;
		s.fixed_enabled = rand() % 2;
		s.def_type = types[rand() % 5];
		for (unsigned i = 0; i < MTRR_FIXED_RANGES; i++)
			s.fixed[i] = (rand() % 4) ? MTRR_WB : types[rand() % 5];
		unsigned n = 1 + rand() % 6;
		for (unsigned i = 0; i < n; i++) {
			uint64_t size = 4 * KiB << (rand() % 12);            /* 4 KiB .. 8 MiB */
			uint64_t base = (uint64_t)(rand() % 16) * size;
			set_var(&s, i, base, size, types[rand() % 5]);
		}
		for (int q = 0; q < 40; q++) {
			uint64_t pages = 1 + rand() % 2048;
			uint64_t base = (uint64_t)(rand() % 4096) * 4 * KiB;
			uint8_t want = mtrr_type_at(&s, base);
			for (uint64_t p = 1; p < pages && want != MTRR_MIXED; p++)
				if (mtrr_type_at(&s, base + p * 4 * KiB) != want)
					want = MTRR_MIXED;
			assert_int_equal(mtrr_range_type(&s, base, pages * 4 * KiB), want);
		}
	}
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(mtrr_type_name(MTRR_WB), "WB");
	assert_string_equal(mtrr_type_name(MTRR_WC), "WC");
	assert_string_equal(mtrr_type_name(MTRR_UC), "UC");
	assert_string_equal(mtrr_type_name(MTRR_MIXED), "mixed");
	assert_string_equal(mtrr_type_name(2), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_decoding),
		cmocka_unit_test(test_var_set),
		cmocka_unit_test(test_qemu_layout),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_disabled_and_absent),
		cmocka_unit_test(test_striped_mask),
		cmocka_unit_test(test_against_page_walk),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
