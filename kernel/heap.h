/*
 * heap.h — the kernel heap (kmalloc/kfree/krealloc) on top of the page allocator.
 * First fit over an address-ordered free list with coalescing; 16-byte aligned
 * blocks; grows by asking pmm for HEAP_GROW_MIN bytes or more at a time.
 */
#ifndef PXOS_HEAP_H
#define PXOS_HEAP_H

#include <stddef.h>

/* kmalloc: `n` bytes, 16-byte aligned, not zeroed; NULL when memory runs out. */
void *kmalloc(size_t n);
/* krealloc: C realloc semantics (NULL p = kmalloc; n = 0 frees and returns NULL). */
void *krealloc(void *p, size_t n);
/* kfree: release a block from kmalloc; NULL is ignored; a pointer the heap did
 * not hand out panics. */
void kfree(void *p);

/* heap_stats: bytes obtained from pmm and bytes currently allocated. */
void heap_stats(size_t *arena, size_t *in_use);

#endif /* PXOS_HEAP_H */
