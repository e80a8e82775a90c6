/*
 * pymem.h — memory for state that holds native pointers (Python processes:
 * pxvm/host.h pxhost_fixed_alloc), kept where a later boot of the same
 * kernel can have it again.
 *
 * An arena of PY_ARENA_BLOCKS blocks (kernel/param.h) is taken from the page
 * allocator first thing at boot, at PY_ARENA_PHYS when those pages are free
 * RAM (else wherever pmm_alloc puts it, which is the same on the same machine
 * since nothing was allocated before): a Python process's six blocks come
 * from it, the lowest free first, so the same boot and the same programs give
 * the same addresses. A block asked for at an address (a snapshot's Python
 * process, on resume) is taken there if it is free. Beyond the arena, blocks
 * come from the page allocator (pmm_alloc, pmm_alloc_at: a resume gets them
 * only if they are still free).
 */
#ifndef PXOS_PYMEM_H
#define PXOS_PYMEM_H

/* pymem_init: reserve the arena (after pmm_init, before anything else takes
 * pages); logs where. Without it (no memory), blocks come from pmm_alloc. */
void pymem_init(void);

#endif /* PXOS_PYMEM_H */
