/*
 * pmm.h — the physical page allocator, fed by the UEFI memory map.
 *
 * One bit per 4 KiB page. Free memory is what UEFI calls EfiConventionalMemory,
 * EfiBootServicesCode/Data and EfiLoaderCode (the loader's own image: dead once
 * the kernel runs); EfiLoaderData holds the kernel, the boot info, the ramdisk,
 * the symbol table and the page tables and is never handed out, nor is anything
 * below 1 MiB. Physical memory is identity-mapped (boot/bootinfo.h), so a page's
 * physical address is also the pointer to it.
 */
#ifndef PXOS_PMM_H
#define PXOS_PMM_H

#include <stdint.h>
#include <stddef.h>
#include "boot/bootinfo.h"

#define PAGE_SIZE 4096u

/* pmm_init: build the page bitmap from the boot info's memory map. Returns 0,
 * or -1 when the map is unusable (no descriptors, absurd descriptor size, no
 * room for the bitmap) — the caller panics. */
int pmm_init(const struct pxos_bootinfo *bi);

/* pmm_alloc: `n` physically contiguous zeroed pages; returns the address or 0. */
uint64_t pmm_alloc(size_t n);

/* pmm_alloc_below: like pmm_alloc, all pages below physical address `limit`
 * (DMA for devices that address only 32 bits: limit 1 << 32). */
uint64_t pmm_alloc_below(size_t n, uint64_t limit);

/* pmm_alloc_at: the `n` pages at `addr` exactly (page-aligned), zeroed, when
 * every one is free RAM: returns addr, or 0 (any of them in use, not RAM, below
 * 1 MiB or past the bitmap). For memory that must be where it was in an earlier
 * boot (kernel/pymem.c: a Python process of a snapshot). */
uint64_t pmm_alloc_at(uint64_t addr, size_t n);

/* pmm_free: give back `n` pages at `addr` (as returned by pmm_alloc). Freeing a
 * page that is already free panics. */
void pmm_free(uint64_t addr, size_t n);

/* Statistics, in pages. */
size_t pmm_total_pages(void);
size_t pmm_free_pages(void);

#endif /* PXOS_PMM_H */
