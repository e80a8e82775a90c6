/*
 * heap.c — kernel heap; see heap.h.
 */
#include <stdint.h>
#include "heap.h"
#include "pmm.h"
#include "param.h"
#include "lib.h"
#include "panic.h"

#define HDR_MAGIC_USED 0x5553454450584F53ull /* "SOXPDESU" */
#define HDR_MAGIC_FREE 0x4545524650584F53ull
#define ALIGN 16u
#define MIN_SPLIT 64u

struct block {
	size_t size;          /* bytes including this header, multiple of ALIGN */
	uint64_t magic;
	struct block *next;   /* free blocks only: next free block by address */
	uint64_t pad;
};
_Static_assert(sizeof(struct block) % ALIGN == 0, "header keeps alignment");
#define HDR ((size_t)sizeof(struct block) - sizeof(struct block *) - sizeof(uint64_t))

static struct block *free_list;
static size_t arena_bytes, used_bytes;

static void insert_free(struct block *b)
{
	b->magic = HDR_MAGIC_FREE;
	struct block **pp = &free_list;
	while (*pp && *pp < b)
		pp = &(*pp)->next;
	b->next = *pp;
	*pp = b;
	/* Merge with the next block, then with the previous one. */
	if (b->next && (uint8_t *)b + b->size == (uint8_t *)b->next) {
		b->size += b->next->size;
		b->next = b->next->next;
	}
	if (pp != &free_list) {
		struct block *prev = (struct block *)((uint8_t *)pp - offsetof(struct block, next));
		if ((uint8_t *)prev + prev->size == (uint8_t *)b) {
			prev->size += b->size;
			prev->next = b->next;
		}
	}
}

static int grow(size_t need)
{
	size_t bytes = need + PAGE_SIZE;
	if (bytes < HEAP_GROW_MIN)
		bytes = HEAP_GROW_MIN;
	size_t pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	uint64_t mem = pmm_alloc(pages);
	if (!mem)
		return -1;
	struct block *b = (struct block *)(uintptr_t)mem;
	b->size = pages * PAGE_SIZE;
	arena_bytes += b->size;
	insert_free(b);
	return 0;
}

void *kmalloc(size_t n)
{
	if (n == 0 || n > ((size_t)1 << 40))
		return 0;
	size_t need = (n + HDR + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (need < sizeof(struct block))
		need = sizeof(struct block);
	for (int attempt = 0; attempt < 2; attempt++) {
		for (struct block **pp = &free_list; *pp; pp = &(*pp)->next) {
			struct block *b = *pp;
			if (b->magic != HDR_MAGIC_FREE)
				panic("kmalloc: free list corrupted at %p", (void *)b);
			if (b->size < need)
				continue;
			if (b->size - need >= MIN_SPLIT) {
				struct block *rest = (struct block *)((uint8_t *)b + need);
				rest->size = b->size - need;
				rest->magic = HDR_MAGIC_FREE;
				rest->next = b->next;
				*pp = rest;
				b->size = need;
			} else {
				*pp = b->next;
			}
			b->magic = HDR_MAGIC_USED;
			used_bytes += b->size;
			return (uint8_t *)b + HDR;
		}
		if (grow(need) != 0)
			return 0;
	}
	return 0;
}

static struct block *block_of(void *p, const char *who)
{
	struct block *b = (struct block *)((uint8_t *)p - HDR);
	if (((uintptr_t)p & (ALIGN - 1)) || b->magic != HDR_MAGIC_USED)
		panic("%s: %p was not allocated by kmalloc (or was freed twice)", who, p);
	return b;
}

void kfree(void *p)
{
	if (!p)
		return;
	struct block *b = block_of(p, "kfree");
	used_bytes -= b->size;
	insert_free(b);
}

void *krealloc(void *p, size_t n)
{
	if (!p)
		return kmalloc(n);
	if (n == 0) {
		kfree(p);
		return 0;
	}
	struct block *b = block_of(p, "krealloc");
	size_t have = b->size - HDR;
	if (n <= have)
		return p;
	void *q = kmalloc(n);
	if (!q)
		return 0;
	memcpy(q, p, have);
	kfree(p);
	return q;
}

void heap_stats(size_t *arena, size_t *in_use)
{
	*arena = arena_bytes;
	*in_use = used_bytes;
}
