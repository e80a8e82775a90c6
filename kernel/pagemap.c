/*
 * pagemap.c — page-table edits; see pagemap.h.
 */
#include "kernel/pagemap.h"

#define ENTRIES 512u
#define LOWER_HALF_END (1ull << 47)
#define UPPER_HALF     0xFFFF800000000000ull
#define PHYS_LIMIT     (1ull << 52)

enum phase { CHECK, BUILD, SET };

static inline uint64_t lvl_size(int lvl) { return 1ull << (12 + 9 * (lvl - 1)); }
static inline unsigned lvl_index(uint64_t va, int lvl) { return (unsigned)(va >> (12 + 9 * (lvl - 1))) & (ENTRIES - 1); }
static inline uint64_t *table_of(uint64_t e) { return (uint64_t *)(uintptr_t)(e & PGE_ADDR); }
static inline bool is_leaf(uint64_t e, int lvl) { return lvl == 1 || (lvl <= 3 && (e & PGE_PS)); }

/* Physical base of the page a leaf at `lvl` maps (bit 12 of a large leaf is PAT). */
static inline uint64_t leaf_base(uint64_t e, int lvl) { return e & PGE_ADDR & ~(lvl_size(lvl) - 1); }

static inline uint64_t pat_bit(int lvl) { return lvl == 1 ? PGE_PAT4K : PGE_PATBIG; }

static unsigned leaf_type(uint64_t e, int lvl)
{
	return (unsigned)(((e & pat_bit(lvl)) ? 4 : 0) | ((e & PGE_PCD) ? 2 : 0) | ((e & PGE_PWT) ? 1 : 0));
}

static uint64_t type_bits(unsigned type, int lvl)
{
	return ((type & 1) ? PGE_PWT : 0) | ((type & 2) ? PGE_PCD : 0) | ((type & 4) ? pat_bit(lvl) : 0);
}

static uint64_t with_type(uint64_t e, unsigned type, int lvl)
{
	return (e & ~(PGE_PWT | PGE_PCD | pat_bit(lvl))) | type_bits(type, lvl);
}

const char *pagemap_error(int err)
{
	switch (err) {
	case PAGEMAP_EINVAL: return "invalid range";
	case PAGEMAP_EEXIST: return "already mapped elsewhere";
	case PAGEMAP_ENOMEM: return "out of memory for page tables";
	default: return "no error";
	}
}

static uint64_t *new_table(struct pagemap *pm)
{
	uint64_t t = pm->alloc(pm->ctx);
	if (!t)
		return 0;
	pm->tables++;
	return (uint64_t *)(uintptr_t)t;
}

/* split: replace the large leaf *e at `lvl` (3 or 2) by a table of 512 leaves
 * one level down that map the same memory with the same attributes. */
static int split(struct pagemap *pm, uint64_t *e, int lvl)
{
	uint64_t *t = new_table(pm);
	if (!t)
		return PAGEMAP_ENOMEM;
	uint64_t old = *e;
	uint64_t child = lvl_size(lvl - 1);
	uint64_t flags = old & (PGE_P | PGE_RW | PGE_US | PGE_PWT | PGE_PCD | PGE_A | PGE_D | PGE_G | PGE_NX);
	uint64_t pat = (old & PGE_PATBIG) ? pat_bit(lvl - 1) : 0;
	uint64_t base = leaf_base(old, lvl);
	for (unsigned i = 0; i < ENTRIES; i++)
		t[i] = (base + i * child) | flags | pat | (lvl - 1 > 1 ? PGE_PS : 0);
	/* A table entry lets everything through; the leaves decide. */
	*e = (uint64_t)(uintptr_t)t | PGE_P | PGE_RW | (old & PGE_US);
	pm->splits++;
	return 0;
}

static bool range_ok(uint64_t va, uint64_t pa, uint64_t size)
{
	if (!size || ((va | pa | size) & (PAGEMAP_4K - 1)))
		return false;
	if (pa >= PHYS_LIMIT || size > PHYS_LIMIT - pa)
		return false;
	if (va < LOWER_HALF_END)
		return size <= LOWER_HALF_END - va;
	return va >= UPPER_HALF && size - 1 <= ~va;
}

/* One pass over [va, end) mapping from `pa`; see pagemap_map. */
static int map_pass(struct pagemap *pm, uint64_t va, uint64_t pa, uint64_t end, unsigned type, enum phase ph)
{
	while (va < end) {
		uint64_t *t = pm->pml4, *e = 0;
		int lvl = 4;
		uint64_t sz = 0, step = 0;
		for (;;) {
			e = &t[lvl_index(va, lvl)];
			sz = lvl_size(lvl);
			uint64_t base = va & ~(sz - 1);
			bool fits = lvl <= 3 && va == base && !(pa & (sz - 1)) && end - va >= sz;
			if (!(*e & PGE_P)) {
				if (lvl == 1 || (fits && (lvl < 3 || pm->huge_1g)))
					break;                      /* an empty slot of the right size */
				if (ph == CHECK) {              /* nothing mapped here: no conflict */
					step = (end - va < base + sz - va) ? end - va : base + sz - va;
					break;
				}
				if (ph == SET)
					return PAGEMAP_EINVAL;      /* BUILD made this table */
				uint64_t *nt = new_table(pm);
				if (!nt)
					return PAGEMAP_ENOMEM;
				*e = (uint64_t)(uintptr_t)nt | PGE_P | PGE_RW;
				t = nt;
				lvl--;
				continue;
			}
			if (is_leaf(*e, lvl)) {
				if (fits)
					break;                      /* the whole leaf is in the range */
				uint64_t at = leaf_base(*e, lvl) + (va - base);
				if (at != pa)
					return PAGEMAP_EEXIST;
				if (leaf_type(*e, lvl) == type) {
					/* already right: go past what this leaf covers */
					step = (end - va < base + sz - va) ? end - va : base + sz - va;
					break;
				}
				if (ph == CHECK) {
					step = (end - va < base + sz - va) ? end - va : base + sz - va;
					break;
				}
				if (ph == SET)
					return PAGEMAP_EINVAL;      /* BUILD split it */
				int r = split(pm, e, lvl);
				if (r < 0)
					return r;
			}
			t = table_of(*e);
			lvl--;
		}
		if (step) {
			va += step;
			pa += step;
			continue;
		}
		if (*e & PGE_P) {
			if (leaf_base(*e, lvl) != pa)
				return PAGEMAP_EEXIST;
			if (ph == SET && leaf_type(*e, lvl) != type) {
				*e = with_type(*e, type, lvl);
				pm->retyped++;
			}
		} else if (ph == SET) {
			*e = pa | PGE_P | PGE_RW | type_bits(type, lvl) | (lvl > 1 ? PGE_PS : 0) | (pm->nx ? PGE_NX : 0);
		}
		va += sz;
		pa += sz;
	}
	return 0;
}

int pagemap_map(struct pagemap *pm, uint64_t va, uint64_t pa, uint64_t size, enum pagemap_type type)
{
	if (!range_ok(va, pa, size) || (unsigned)type > 7)
		return PAGEMAP_EINVAL;
	uint64_t end = va + size; /* 0 when the range ends at the top of the upper half */
	if (end == 0)
		return PAGEMAP_EINVAL;
	int r = map_pass(pm, va, pa, end, type, CHECK);
	if (r == 0)
		r = map_pass(pm, va, pa, end, type, BUILD);
	if (r == 0)
		r = map_pass(pm, va, pa, end, type, SET);
	return r;
}

/* find_leaf: the entry mapping `va` and its level, or NULL with *skip = bytes
 * from va to the end of the empty entry that covers it. */
static uint64_t *find_leaf(const struct pagemap *pm, uint64_t va, int *lvl_out, uint64_t *skip)
{
	uint64_t *t = pm->pml4;
	for (int lvl = 4; lvl >= 1; lvl--) {
		uint64_t *e = &t[lvl_index(va, lvl)];
		if (!(*e & PGE_P)) {
			uint64_t sz = lvl_size(lvl);
			*skip = (va & ~(sz - 1)) + sz - va;
			return 0;
		}
		if (is_leaf(*e, lvl)) {
			*lvl_out = lvl;
			return e;
		}
		t = table_of(*e);
	}
	*skip = PAGEMAP_4K;
	return 0;
}

int pagemap_lookup(const struct pagemap *pm, uint64_t va, struct pagemap_leaf *out)
{
	int lvl;
	uint64_t skip;
	uint64_t *e = find_leaf(pm, va, &lvl, &skip);
	if (!e)
		return -1;
	out->size = lvl_size(lvl);
	out->pa = leaf_base(*e, lvl) + (va & (out->size - 1));
	out->pat_index = leaf_type(*e, lvl);
	out->writable = (*e & PGE_RW) != 0;
	out->nx = (*e & PGE_NX) != 0;
	return 0;
}

/* advance: va + n, or `end` when that passes it or wraps. */
static uint64_t advance(uint64_t va, uint64_t n, uint64_t end)
{
	return (va + n < va || va + n > end) ? end : va + n;
}

/* next_leaf: the leaf entry that maps *va, or the first mapped address after
 * it below `end` (*va moved past the holes), its level in *lvl; NULL (*va =
 * end) when nothing below end is mapped. */
static uint64_t *next_leaf(const struct pagemap *pm, uint64_t *va, uint64_t end, int *lvl)
{
	while (*va < end) {
		uint64_t skip;
		uint64_t *e = find_leaf(pm, *va, lvl, &skip);
		if (e)
			return e;
		*va = advance(*va, skip, end);
	}
	return 0;
}

int pagemap_split_mixed(struct pagemap *pm, uint64_t va, uint64_t end,
			bool (*uniform)(void *ctx, uint64_t pa, uint64_t size), void *ctx)
{
	int splits = 0, lvl;
	uint64_t *e;
	while ((e = next_leaf(pm, &va, end, &lvl)) != 0) {
		uint64_t sz = lvl_size(lvl);
		uint64_t base = va & ~(sz - 1);
		if (lvl == 1) {                 /* a table of 4 KiB pages: nothing to split */
			va = advance(va & ~(PAGEMAP_2M - 1), PAGEMAP_2M, end);
			continue;
		}
		if (uniform(ctx, leaf_base(*e, lvl), sz)) {
			va = advance(base, sz, end);
			continue;
		}
		int r = split(pm, e, lvl);
		if (r < 0)
			return r;
		splits++;                       /* look at the same va again, one level down */
	}
	return splits;
}

void pagemap_count(const struct pagemap *pm, uint64_t va, uint64_t end, uint64_t counts[3])
{
	counts[0] = counts[1] = counts[2] = 0;
	int lvl;
	while (next_leaf(pm, &va, end, &lvl)) {
		counts[lvl - 1]++;
		uint64_t sz = lvl_size(lvl);
		va = advance(va & ~(sz - 1), sz, end);
	}
}
