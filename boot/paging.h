/*
 * paging.h — building the x86-64 4-level page tables the kernel starts on
 * (pure C: no EFI, no libc; the caller supplies the memory for the tables).
 *
 * Follows the Intel SDM vol. 3A §4.5 (4-level paging): PML4 -> PDPT -> PD -> PT,
 * 512 eight-byte entries per 4 KiB table; PS in a PDPTE maps 1 GiB, in a PDE
 * 2 MiB; bit 63 (XD/NX) is honoured only with EFER.NXE = 1.
 *
 * The tables map
 *   - physical [0, identity_top) at the same virtual addresses, present,
 *     writable, executable, with 1 GiB pages (when the CPU has them) or 2 MiB pages;
 *   - each kernel segment at its virtual address with 4 KiB pages: writable only
 *     when asked, NX when not executable and NX is in use.
 * The identity map uses the lower canonical half (identity_top <= 128 TiB); the
 * kernel segments must lie in [PXOS_KERNEL_VBASE, PXOS_KERNEL_VBASE + PXOS_KERNEL_MAX_SIZE).
 */
#ifndef PXOS_BOOT_PAGING_H
#define PXOS_BOOT_PAGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGING_PAGE_SIZE 4096ull
#define PAGING_1G (1ull << 30)
#define PAGING_2M (1ull << 21)
#define PAGING_IDENTITY_LIMIT (1ull << 47) /* the lower canonical half */

/* Page-table entry bits (SDM vol. 3A table 4-14 ff.). */
#define PTE_P   (1ull << 0)
#define PTE_RW  (1ull << 1)
#define PTE_PS  (1ull << 7)
#define PTE_NX  (1ull << 63)
#define PTE_ADDR_MASK 0x000FFFFFFFFFF000ull

/* One kernel segment to map with 4 KiB pages. */
struct paging_segment {
	uint64_t vaddr;   /* 4 KiB aligned, in the kernel window */
	uint64_t phys;    /* 4 KiB aligned */
	uint64_t size;    /* bytes; rounded up to 4 KiB; 0 maps nothing */
	bool writable;
	bool executable;
};

struct paging_request {
	uint64_t identity_top;  /* a non-zero multiple of 1 GiB, <= PAGING_IDENTITY_LIMIT */
	bool huge_1g;           /* 1 GiB pages (CPUID.80000001h:EDX[26] Page1GB) */
	bool nx;                /* mark non-executable kernel pages NX (EFER.NXE will be set) */
	unsigned nseg;
	const struct paging_segment *seg;
};

/* paging_tables_needed: how many 4 KiB table pages paging_build will use for `r`
 * (r is assumed to pass paging_build's checks). */
size_t paging_tables_needed(const struct paging_request *r);

/* paging_build: write the tables for `r` into `pool` (`pool_pages` pages of 4 KiB,
 * 4 KiB aligned; its address is taken as its physical address, as under UEFI's
 * identity mapping). Returns 0 with the PML4's address in *pml4 and the pages
 * used in *used, or -1 with a reason in `err` (bad request, pool too small, two
 * segments mapping one page). */
int paging_build(const struct paging_request *r, void *pool, size_t pool_pages,
		 uint64_t *pml4, size_t *used, char *err, size_t errlen);

#endif /* PXOS_BOOT_PAGING_H */
