/*
 * pagemap.h — editing live x86-64 4-level page tables (Intel SDM vol. 3A §4.5):
 * mapping a range with a memory type, splitting 1 GiB and 2 MiB pages where a
 * part of them needs another type, walking and counting the leaves.
 *
 * Portable and pure: table pages are reached through their physical address
 * used as a pointer (the identity map in the kernel; host memory in the unit
 * tests). The caller invalidates the TLB (and flushes caches when a type
 * changed: pm->retyped) after an edit; every edit here keeps the translations
 * it does not mean to change equivalent, so the CPU may go on using old TLB
 * entries until then.
 *
 * Memory types are PAT indexes (SDM §11.12.3): index = PAT<<2 | PCD<<1 | PWT,
 * with the PAT bit at bit 7 of a 4 KiB PTE and bit 12 of a 2 MiB / 1 GiB entry.
 * pxOS programs IA32_PAT with PAGEMAP_PAT_MSR, which gives indexes 0-3 the types
 * below and repeats them in 4-7, so the PAT bit never matters.
 */
#ifndef PXOS_PAGEMAP_H
#define PXOS_PAGEMAP_H

#include <stdint.h>
#include <stdbool.h>

#define PAGEMAP_4K (1ull << 12)
#define PAGEMAP_2M (1ull << 21)
#define PAGEMAP_1G (1ull << 30)

/* Entry bits (SDM vol. 3A tables 4-14 to 4-20). */
#define PGE_P       (1ull << 0)
#define PGE_RW      (1ull << 1)
#define PGE_US      (1ull << 2)
#define PGE_PWT     (1ull << 3)
#define PGE_PCD     (1ull << 4)
#define PGE_A       (1ull << 5)
#define PGE_D       (1ull << 6)
#define PGE_PS      (1ull << 7)   /* in a PDPTE / PDE: a 1 GiB / 2 MiB leaf */
#define PGE_PAT4K   (1ull << 7)   /* in a PTE */
#define PGE_G       (1ull << 8)
#define PGE_PATBIG  (1ull << 12)  /* in a 1 GiB / 2 MiB leaf */
#define PGE_NX      (1ull << 63)
#define PGE_ADDR    0x000FFFFFFFFFF000ull

enum pagemap_type {
	PAGEMAP_WB = 0,        /* write-back: RAM */
	PAGEMAP_WC = 1,        /* write-combining: framebuffers */
	PAGEMAP_UC_MINUS = 2,  /* uncached, MTRR WC may override */
	PAGEMAP_UC = 3,        /* uncached: device registers */
};
/* IA32_PAT: PA0 WB (06), PA1 WC (01), PA2 UC- (07), PA3 UC (00), PA4-7 the same. */
#define PAGEMAP_PAT_MSR 0x0007010600070106ull

/* Errors (negative results). */
#define PAGEMAP_EINVAL (-1)   /* misaligned, empty, wrapping or non-canonical range */
#define PAGEMAP_EEXIST (-2)   /* part of the range already maps other physical memory */
#define PAGEMAP_ENOMEM (-3)   /* no page for a table */

struct pagemap {
	uint64_t *pml4;                /* the PML4 (CR3's address) */
	uint64_t (*alloc)(void *ctx);  /* one zeroed, identity-reachable 4 KiB page; 0 = none */
	void *ctx;
	bool huge_1g;                  /* new mappings may use 1 GiB pages (CPUID Page1GB) */
	bool nx;                       /* new mappings are NX (EFER.NXE is set) */
	unsigned tables;               /* table pages taken from alloc */
	unsigned splits;               /* 1 GiB / 2 MiB pages split */
	unsigned retyped;              /* existing leaves whose type was changed */
};

struct pagemap_leaf {
	uint64_t pa;          /* physical address the looked-up byte maps to */
	uint64_t size;        /* page size: PAGEMAP_4K, _2M or _1G */
	unsigned pat_index;   /* 0..7 */
	bool writable, nx;    /* of the leaf entry itself */
};

/* pagemap_lookup: the leaf that maps virtual address `va`. Returns 0 and fills
 * *out, or -1 when `va` is not mapped. */
int pagemap_lookup(const struct pagemap *pm, uint64_t va, struct pagemap_leaf *out);

/* pagemap_map: make every page of [va, va + size) map [pa, pa + size) with type
 * `type` (va, pa, size 4 KiB multiples; the range in one canonical half, pa below
 * 2^52). Pages already mapping the same physical memory keep their permissions
 * and only change type (a large page partly inside the range is split first,
 * unless it already has the type); unmapped pages become present, writable, NX
 * when pm->nx, using the largest page size the alignment allows. Checks the
 * whole range before changing anything: PAGEMAP_EEXIST leaves the tables as
 * they were; PAGEMAP_ENOMEM leaves only equivalent splits and empty tables.
 * Returns 0 or a PAGEMAP_E* error. */
int pagemap_map(struct pagemap *pm, uint64_t va, uint64_t pa, uint64_t size, enum pagemap_type type);

/* pagemap_split_mixed: split every 1 GiB and 2 MiB leaf that maps part of
 * [va, end) and whose physical range `uniform(ctx, pa, size)` calls not uniform
 * (e.g. it spans two MTRR types), down to 4 KiB pages where needed; translations
 * stay equivalent. Returns the number of splits, or PAGEMAP_ENOMEM. */
int pagemap_split_mixed(struct pagemap *pm, uint64_t va, uint64_t end,
			bool (*uniform)(void *ctx, uint64_t pa, uint64_t size), void *ctx);

/* pagemap_count: count the leaves mapping part of [va, end): counts[0] 4 KiB,
 * counts[1] 2 MiB, counts[2] 1 GiB pages. */
void pagemap_count(const struct pagemap *pm, uint64_t va, uint64_t end, uint64_t counts[3]);

/* pagemap_error: "invalid range", "already mapped elsewhere", "out of memory". */
const char *pagemap_error(int err);

#endif /* PXOS_PAGEMAP_H */
