/*
 * paging.c — handoff page tables; see paging.h.
 */
#include "boot/paging.h"
#include "boot/bootinfo.h"
#include "boot/fmt.h"

#define ENTRIES 512u
#define WINDOW_LO PXOS_KERNEL_VBASE
#define WINDOW_HI (PXOS_KERNEL_VBASE + PXOS_KERNEL_MAX_SIZE)
#define WINDOW_2M_SLOTS (PXOS_KERNEL_MAX_SIZE / PAGING_2M)

/* The kernel window sits in one PML4 slot and one 1 GiB region, and its 2 MiB
 * regions fit a 64-bit set: the counting below relies on it. */
_Static_assert((WINDOW_LO >> 39) == ((WINDOW_HI - 1) >> 39), "kernel window spans PML4 slots");
_Static_assert((WINDOW_LO >> 30) == ((WINDOW_HI - 1) >> 30), "kernel window spans 1 GiB regions");
_Static_assert(WINDOW_2M_SLOTS <= 64 && WINDOW_LO % PAGING_2M == 0, "kernel window layout");
_Static_assert((WINDOW_LO >> 39) % ENTRIES >= 256, "kernel window in the upper half");

struct pool {
	unsigned char *base;
	size_t cap, used;
};

static uint64_t round_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

static uint64_t *alloc_table(struct pool *p)
{
	if (p->used == p->cap)
		return 0;
	uint64_t *t = (uint64_t *)(void *)(p->base + p->used * PAGING_PAGE_SIZE);
	p->used++;
	__builtin_memset(t, 0, PAGING_PAGE_SIZE);
	return t;
}

static uint64_t *table_at(uint64_t entry)
{
	return (uint64_t *)(uintptr_t)(entry & PTE_ADDR_MASK);
}

/* The table an entry points to, creating it (present, writable, executable:
 * the leaf decides) when absent. NULL when the pool is exhausted. */
static uint64_t *next_table(struct pool *p, uint64_t *entry)
{
	if (*entry & PTE_P)
		return table_at(*entry);
	uint64_t *t = alloc_table(p);
	if (t)
		*entry = (uint64_t)(uintptr_t)t | PTE_P | PTE_RW;
	return t;
}

/* Bit i set = the 2 MiB region i of the kernel window holds a mapped page. */
static uint64_t kernel_2m_slots(const struct paging_request *r)
{
	uint64_t slots = 0;
	for (unsigned i = 0; i < r->nseg; i++) {
		uint64_t size = round_up(r->seg[i].size, PAGING_PAGE_SIZE);
		if (size == 0)
			continue;
		uint64_t first = (r->seg[i].vaddr - WINDOW_LO) / PAGING_2M;
		uint64_t last = (r->seg[i].vaddr + size - 1 - WINDOW_LO) / PAGING_2M;
		for (uint64_t s = first; s <= last && s < WINDOW_2M_SLOTS; s++)
			slots |= 1ull << s;
	}
	return slots;
}

size_t paging_tables_needed(const struct paging_request *r)
{
	uint64_t gigs = r->identity_top / PAGING_1G;
	size_t n = 1;                               /* PML4 */
	n += (size_t)((gigs + ENTRIES - 1) / ENTRIES); /* identity PDPTs */
	if (!r->huge_1g)
		n += (size_t)gigs;                  /* identity PDs */
	uint64_t slots = kernel_2m_slots(r);
	if (slots) {
		n += 2;                             /* kernel PDPT and PD */
		for (; slots; slots &= slots - 1)
			n++;                        /* kernel PTs, one per 2 MiB slot */
	}
	return n;
}

static int check_request(const struct paging_request *r, char *err, size_t errlen)
{
	if (r->identity_top == 0 || r->identity_top % PAGING_1G ||
	    r->identity_top > PAGING_IDENTITY_LIMIT) {
		fmt_snprintf(err, errlen,
			     "identity map top 0x%llx is not a non-zero multiple of 1 GiB up to 0x%llx",
			     (unsigned long long)r->identity_top,
			     (unsigned long long)PAGING_IDENTITY_LIMIT);
		return -1;
	}
	for (unsigned i = 0; i < r->nseg; i++) {
		const struct paging_segment *s = &r->seg[i];
		uint64_t size = round_up(s->size, PAGING_PAGE_SIZE);
		if ((s->vaddr | s->phys) % PAGING_PAGE_SIZE || s->vaddr < WINDOW_LO ||
		    s->vaddr > WINDOW_HI || size > WINDOW_HI - s->vaddr ||
		    s->phys > PTE_ADDR_MASK || size > PTE_ADDR_MASK - s->phys) {
			fmt_snprintf(err, errlen,
				     "kernel segment %u (virt 0x%llx, phys 0x%llx, 0x%llx bytes) is misaligned or outside the kernel window",
				     i, (unsigned long long)s->vaddr, (unsigned long long)s->phys,
				     (unsigned long long)s->size);
			return -1;
		}
	}
	return 0;
}

static int map_identity(const struct paging_request *r, struct pool *p, uint64_t *pml4)
{
	uint64_t gigs = r->identity_top / PAGING_1G;
	for (uint64_t g = 0; g < gigs; g++) {
		uint64_t *pdpt = next_table(p, &pml4[g / ENTRIES]);
		if (!pdpt)
			return -1;
		uint64_t base = g * PAGING_1G;
		if (r->huge_1g) {
			pdpt[g % ENTRIES] = base | PTE_P | PTE_RW | PTE_PS;
			continue;
		}
		uint64_t *pd = next_table(p, &pdpt[g % ENTRIES]);
		if (!pd)
			return -1;
		for (unsigned i = 0; i < ENTRIES; i++)
			pd[i] = (base + i * PAGING_2M) | PTE_P | PTE_RW | PTE_PS;
	}
	return 0;
}

static int map_segment(const struct paging_request *r, const struct paging_segment *s,
		       unsigned index, struct pool *p, uint64_t *pml4, char *err, size_t errlen)
{
	uint64_t flags = PTE_P;
	if (s->writable)
		flags |= PTE_RW;
	if (r->nx && !s->executable)
		flags |= PTE_NX;
	uint64_t size = round_up(s->size, PAGING_PAGE_SIZE);
	for (uint64_t off = 0; off < size; off += PAGING_PAGE_SIZE) {
		uint64_t va = s->vaddr + off;
		uint64_t *pdpt = next_table(p, &pml4[(va >> 39) % ENTRIES]);
		uint64_t *pd = pdpt ? next_table(p, &pdpt[(va >> 30) % ENTRIES]) : 0;
		uint64_t *pt = pd ? next_table(p, &pd[(va >> 21) % ENTRIES]) : 0;
		if (!pt) {
			fmt_snprintf(err, errlen, "page-table pool of %zu pages is too small", p->cap);
			return -1;
		}
		uint64_t *pte = &pt[(va >> 12) % ENTRIES];
		if (*pte & PTE_P) {
			fmt_snprintf(err, errlen, "kernel segment %u maps 0x%llx, which is already mapped",
				     index, (unsigned long long)va);
			return -1;
		}
		*pte = (s->phys + off) | flags;
	}
	return 0;
}

int paging_build(const struct paging_request *r, void *pool, size_t pool_pages,
		 uint64_t *pml4_out, size_t *used, char *err, size_t errlen)
{
	if (check_request(r, err, errlen) < 0)
		return -1;
	struct pool p = { pool, pool_pages, 0 };
	uint64_t *pml4 = alloc_table(&p);
	if (!pml4 || map_identity(r, &p, pml4) < 0) {
		fmt_snprintf(err, errlen, "page-table pool of %zu pages is too small", pool_pages);
		return -1;
	}
	for (unsigned i = 0; i < r->nseg; i++)
		if (map_segment(r, &r->seg[i], i, &p, pml4, err, errlen) < 0)
			return -1;
	*pml4_out = (uint64_t)(uintptr_t)pml4;
	*used = p.used;
	return 0;
}
