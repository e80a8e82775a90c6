/*
 * vmm.h — the kernel's page mapping: physical ranges made reachable with a
 * memory type, the PAT and the MTRRs (Intel SDM vol. 3A §4.5, §11.11, §11.12).
 *
 * The kernel keeps the loader's page tables (docs/boot-info.md): physical
 * [0, identity_top) mapped at the same addresses, every page with PAT entry 0.
 * vmm_init programs IA32_PAT so entry 1 is write-combining (kernel/pagemap.h:
 * WB, WC, UC-, UC, twice), splits every 1 GiB / 2 MiB identity page whose
 * range the MTRRs give two types (the SDM leaves such pages' type undefined,
 * §11.11.9) and maps the framebuffer write-combining, where it already is.
 *
 * vmm_map(phys, size, type) gives a pointer to any physical range:
 *   - below 128 TiB (the lower canonical half) at virt = phys: inside the
 *     identity map it only changes the pages' type (splitting large pages at the
 *     range's ends), above it new pages are added (from the page allocator);
 *   - above that, in a window at VMM_WINDOW_BASE (kernel/param.h).
 * One physical range has one type: a request that overlaps an earlier
 * vmm_map range of another type is refused (vmm_retype changes it). One CPU:
 * TLBs are flushed on this CPU only, and the PAT is programmed on the boot
 * CPU (a CPU started later must load PAGEMAP_PAT_MSR too).
 */
#ifndef PXOS_VMM_H
#define PXOS_VMM_H

#include <stdint.h>
#include <stdbool.h>
#include "boot/bootinfo.h"
#include "kernel/pagemap.h"

enum vmm_type {
	VMM_WB = PAGEMAP_WB,   /* RAM, and tables in it */
	VMM_WC = PAGEMAP_WC,   /* framebuffers (UC without a PAT) */
	VMM_UC = PAGEMAP_UC,   /* device registers (MMIO) */
};

/* vmm_init: program the PAT, read the MTRRs, split the identity map's large
 * pages at MTRR type boundaries, and map the framebuffer (bi->fb, when `fb_ok`)
 * write-combining. Logs one summary line. Panics only when the loader's
 * tables are gone (CR3 is not bi->pml4). Call after pmm_init. */
void vmm_init(const struct pxos_bootinfo *bi, bool fb_ok);

/* vmm_map: a virtual address at which physical [phys, phys + size) (bytes; any
 * alignment, size > 0) is mapped writable, NX, with memory type `type`; the
 * pages around it in the same 4 KiB pages come along. NULL, with a log line
 * saying why, when the range wraps or exceeds 2^52, overlaps an earlier
 * mapping of another type, or page tables run out. Mapping the same range
 * again with the same type returns the same address. */
void *vmm_map(uint64_t phys, uint64_t size, enum vmm_type type);

/* vmm_retype: give physical [phys, phys + size), inside one earlier vmm_map
 * range, memory type `type` (flushing TLB and caches). Returns 0, or -1 when
 * no vmm_map range holds it. */
int vmm_retype(uint64_t phys, uint64_t size, enum vmm_type type);

/* vmm_identity_top: the end of the loader's identity map (bootinfo.identity_top). */
uint64_t vmm_identity_top(void);

/* vmm_type_name: "WB", "WC", "UC". */
const char *vmm_type_name(enum vmm_type type);

/* vmm_monitor_mtrr: the `mtrr` monitor command: the PAT, the MTRRs, the
 * identity map's page sizes and the vmm_map ranges with their types. */
void vmm_monitor_mtrr(int argc, char **argv);

#endif /* PXOS_VMM_H */
