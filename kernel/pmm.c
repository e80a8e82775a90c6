/*
 * pmm.c — bitmap page allocator; see pmm.h.
 */
#include "pmm.h"
#include "param.h"
#include "lib.h"
#include "klog.h"
#include "panic.h"

static uint64_t *bitmap;      /* bit set = page used or not RAM */
static uint64_t npages;       /* pages covered by the bitmap */
static size_t total_free_at_boot, free_now;
static uint64_t hint;         /* first page worth searching from */

static int usable(uint32_t type)
{
	return type == PXOS_MEM_CONVENTIONAL || type == PXOS_MEM_BOOT_SERVICES_CODE ||
	       type == PXOS_MEM_BOOT_SERVICES_DATA || type == PXOS_MEM_LOADER_CODE;
}

static inline int test_bit(uint64_t p) { return (bitmap[p / 64] >> (p % 64)) & 1; }
static inline void set_bit(uint64_t p) { bitmap[p / 64] |= 1ull << (p % 64); }
static inline void clear_bit(uint64_t p) { bitmap[p / 64] &= ~(1ull << (p % 64)); }

#define DESC(bi, i) ((const struct pxos_mmap_desc *)(uintptr_t)((bi)->mmap + (uint64_t)(i) * (bi)->mmap_desc_size))

int pmm_init(const struct pxos_bootinfo *bi)
{
	if (!bi->mmap || bi->mmap_desc_size < sizeof(struct pxos_mmap_desc) || bi->mmap_desc_size > 4096 ||
	    bi->mmap_size < bi->mmap_desc_size)
		return -1;
	uint64_t count = bi->mmap_size / bi->mmap_desc_size;

	/* 1. How much memory must the bitmap cover: up to the end of usable RAM. */
	uint64_t top = 0;
	for (uint64_t i = 0; i < count; i++) {
		const struct pxos_mmap_desc *d = DESC(bi, i);
		if (!usable(d->type) || d->num_pages > (1ull << 40))
			continue;
		uint64_t end = d->phys_start + d->num_pages * PAGE_SIZE;
		if (end > top)
			top = end;
	}
	if (top > bi->identity_top)
		top = bi->identity_top; /* only hand out memory we can address */
	npages = top / PAGE_SIZE;
	uint64_t bitmap_bytes = ((npages + 63) / 64) * 8;
	uint64_t bitmap_pages = (bitmap_bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	if (!npages)
		return -1;

	/* 2. Place the bitmap in the first usable run above 1 MiB that holds it. */
	uint64_t where = 0;
	for (uint64_t i = 0; i < count && !where; i++) {
		const struct pxos_mmap_desc *d = DESC(bi, i);
		uint64_t start = d->phys_start, end = d->phys_start + d->num_pages * PAGE_SIZE;
		if (!usable(d->type))
			continue;
		if (start < LOW_MEMORY_LIMIT)
			start = LOW_MEMORY_LIMIT;
		if (end > top)
			end = top;
		if (end > start && (end - start) / PAGE_SIZE >= bitmap_pages)
			where = start;
	}
	if (!where)
		return -1;
	bitmap = (uint64_t *)(uintptr_t)where;
	memset(bitmap, 0xFF, bitmap_bytes);

	/* 3. Free every usable page above 1 MiB, then take back the bitmap's own. */
	free_now = 0;
	for (uint64_t i = 0; i < count; i++) {
		const struct pxos_mmap_desc *d = DESC(bi, i);
		if (!usable(d->type))
			continue;
		uint64_t first = d->phys_start / PAGE_SIZE, last = first + d->num_pages;
		if (first < LOW_MEMORY_LIMIT / PAGE_SIZE)
			first = LOW_MEMORY_LIMIT / PAGE_SIZE;
		if (last > npages)
			last = npages;
		for (uint64_t p = first; p < last; p++) {
			if (test_bit(p)) {
				clear_bit(p);
				free_now++;
			}
		}
	}
	for (uint64_t p = where / PAGE_SIZE; p < where / PAGE_SIZE + bitmap_pages; p++) {
		set_bit(p);
		free_now--;
	}
	total_free_at_boot = free_now;
	hint = LOW_MEMORY_LIMIT / PAGE_SIZE;
	return 0;
}

uint64_t pmm_alloc(size_t n)
{
	return pmm_alloc_below(n, UINT64_MAX);
}

uint64_t pmm_alloc_below(size_t n, uint64_t limit)
{
	if (!n || n > free_now)
		return 0;
	uint64_t top = limit / PAGE_SIZE < npages ? limit / PAGE_SIZE : npages;
	uint64_t run = 0;
	for (int pass = 0; pass < 2; pass++) {
		uint64_t start = pass == 0 ? hint : LOW_MEMORY_LIMIT / PAGE_SIZE;
		uint64_t end = pass == 0 ? top : hint + n;
		if (end > top)
			end = top;
		run = 0;
		for (uint64_t p = start; p < end; p++) {
			if (!(p % 64) && bitmap[p / 64] == ~0ull) {
				run = 0;
				p += 63;
				continue;
			}
			if (test_bit(p)) {
				run = 0;
				continue;
			}
			if (++run == n) {
				uint64_t first = p + 1 - n;
				for (uint64_t q = first; q <= p; q++)
					set_bit(q);
				free_now -= n;
				hint = p + 1;
				void *mem = (void *)(uintptr_t)(first * PAGE_SIZE);
				memset(mem, 0, n * PAGE_SIZE);
				return first * PAGE_SIZE;
			}
		}
	}
	return 0;
}

uint64_t pmm_alloc_at(uint64_t addr, size_t n)
{
	uint64_t first = addr / PAGE_SIZE;
	if (!n || addr % PAGE_SIZE || first < LOW_MEMORY_LIMIT / PAGE_SIZE || first > npages || n > npages - first)
		return 0;
	for (uint64_t p = first; p < first + n; p++)
		if (test_bit(p))
			return 0;
	for (uint64_t p = first; p < first + n; p++)
		set_bit(p);
	free_now -= n;
	memset((void *)(uintptr_t)addr, 0, n * PAGE_SIZE);
	return addr;
}

void pmm_free(uint64_t addr, size_t n)
{
	uint64_t first = addr / PAGE_SIZE;
	if (addr % PAGE_SIZE || first + n > npages || first < LOW_MEMORY_LIMIT / PAGE_SIZE)
		panic("pmm_free: bad range 0x%llx + %zu pages", (unsigned long long)addr, n);
	for (uint64_t p = first; p < first + n; p++) {
		if (!test_bit(p))
			panic("pmm_free: page 0x%llx is already free", (unsigned long long)(p * PAGE_SIZE));
		clear_bit(p);
	}
	free_now += n;
	if (first < hint)
		hint = first;
}

size_t pmm_total_pages(void) { return total_free_at_boot; }
size_t pmm_free_pages(void) { return free_now; }
