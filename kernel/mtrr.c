/*
 * mtrr.c — memory types from the MTRRs; see mtrr.h.
 */
#include "kernel/mtrr.h"

#define PAGE 4096ull
#define RANGE_BUDGET 4096   /* block visits per mtrr_range_type call */

void mtrr_decode_fixed(const uint64_t msr[MTRR_FIXED_MSRS], uint8_t out[MTRR_FIXED_RANGES])
{
	for (unsigned i = 0; i < MTRR_FIXED_RANGES; i++)
		out[i] = (uint8_t)((msr[i / 8] >> (8 * (i % 8))) & 0x07);
}

void mtrr_var_set(struct mtrr_var *v, uint64_t physbase, uint64_t physmask, unsigned maxphyaddr)
{
	if (maxphyaddr < 36)
		maxphyaddr = 36;
	if (maxphyaddr > 52)
		maxphyaddr = 52;
	uint64_t addr_bits = ((1ull << maxphyaddr) - 1) & ~(PAGE - 1);
	v->base = physbase & addr_bits;
	v->mask = physmask & addr_bits;
	v->type = (uint8_t)(physbase & 0xFF);
	v->valid = (physmask >> 11) & 1;
}

const char *mtrr_type_name(uint8_t type)
{
	switch (type) {
	case MTRR_UC: return "UC";
	case MTRR_WC: return "WC";
	case MTRR_WT: return "WT";
	case MTRR_WP: return "WP";
	case MTRR_WB: return "WB";
	case MTRR_MIXED: return "mixed";
	default: return "?";
	}
}

/* SDM vol. 3A table 11-9. */
unsigned mtrr_fixed_index(uint64_t addr, uint64_t *len)
{
	if (addr < 0x80000) {
		*len = 0x10000;
		return (unsigned)(addr >> 16);
	}
	if (addr < 0xC0000) {
		*len = 0x4000;
		return 8 + (unsigned)((addr - 0x80000) >> 14);
	}
	*len = 0x1000;
	return 24 + (unsigned)((addr - 0xC0000) >> 12);
}

/* Several variable ranges match one address: §11.11.4.1. */
static uint8_t precedence(uint8_t a, uint8_t b)
{
	if (a == b)
		return a;
	if (a == MTRR_UC || b == MTRR_UC)
		return MTRR_UC;
	if ((a == MTRR_WT || a == MTRR_WB) && (b == MTRR_WT || b == MTRR_WB))
		return MTRR_WT;
	return MTRR_UC; /* undefined by the SDM */
}

/* The variable ranges' type for the aligned block [a, a + len) (len a power of
 * two, a multiple of it), or *partial = true when some range covers only part
 * of the block. */
static uint8_t var_type(const struct mtrr_state *s, uint64_t a, uint64_t len, bool *partial)
{
	bool any = false;
	uint8_t t = s->def_type;
	*partial = false;
	for (unsigned i = 0; i < s->nvar && i < MTRR_VAR_MAX; i++) {
		const struct mtrr_var *v = &s->var[i];
		if (!v->valid)
			continue;
		uint64_t high = v->mask & ~(len - 1);
		if ((a & high) != (v->base & high))
			continue;                 /* no byte of the block matches */
		if (v->mask & (len - 1)) {
			*partial = true;          /* the mask looks inside the block */
			return 0;
		}
		t = any ? precedence(t, v->type) : v->type;
		any = true;
	}
	return t;
}

uint8_t mtrr_type_at(const struct mtrr_state *s, uint64_t addr)
{
	if (!s->present)
		return MTRR_WB;
	if (!s->enabled)
		return MTRR_UC;
	uint64_t len;
	if (s->fixed_enabled && addr < MTRR_FIXED_END)
		return s->fixed[mtrr_fixed_index(addr, &len)];
	bool partial;
	return var_type(s, addr & ~(PAGE - 1), PAGE, &partial);
}

/* The type of the aligned block [a, a + len), len a power of two >= 4 KiB. */
static uint8_t block_type(const struct mtrr_state *s, uint64_t a, uint64_t len, int *budget)
{
	if (--*budget < 0)
		return MTRR_MIXED;
	if (!s->present)
		return MTRR_WB;
	if (!s->enabled)
		return MTRR_UC;
	if (s->fixed_enabled && a < MTRR_FIXED_END) {
		if (a + len <= MTRR_FIXED_END) {
			uint64_t step;
			uint8_t t = s->fixed[mtrr_fixed_index(a, &step)];
			for (uint64_t p = a; p < a + len; p += step)
				if (s->fixed[mtrr_fixed_index(p, &step)] != t)
					return MTRR_MIXED;
			return t;
		}
	} else {
		bool partial;
		uint8_t t = var_type(s, a, len, &partial);
		if (!partial)
			return t;
		if (len <= PAGE)
			return MTRR_MIXED; /* cannot happen: masks are page granular */
	}
	uint8_t lo = block_type(s, a, len / 2, budget);
	if (lo == MTRR_MIXED)
		return MTRR_MIXED;
	uint8_t hi = block_type(s, a + len / 2, len / 2, budget);
	return lo == hi ? lo : MTRR_MIXED;
}

uint8_t mtrr_range_type(const struct mtrr_state *s, uint64_t base, uint64_t size)
{
	int budget = RANGE_BUDGET;
	uint8_t first = MTRR_MIXED;
	bool have = false;
	if ((base | size) & (PAGE - 1) || size == 0 || base + size < base)
		return MTRR_MIXED;
	while (size) {
		uint64_t len = base ? base & -base : 1ull << 63;
		while (len > size)
			len >>= 1;
		uint8_t t = block_type(s, base, len, &budget);
		if (t == MTRR_MIXED || (have && t != first))
			return MTRR_MIXED;
		first = t;
		have = true;
		base += len;
		size -= len;
	}
	return first;
}
