/*
 * handoff.h — the last steps of the loader: CPU feature checks for the page
 * tables, ExitBootServices with the memory map, and the jump to the kernel.
 *
 * Follows UEFI 2.10 §7.4 (ExitBootServices: a stale map key gives
 * EFI_INVALID_PARAMETER; call GetMemoryMap again and retry, using no other boot
 * service in between) and the Intel SDM (CPUID 80000001h EDX[20] NX, EDX[26]
 * Page1GB; IA32_EFER.NXE bit 11; CR4.LA57 bit 12, CR4.PGE bit 7).
 */
#ifndef PXOS_BOOT_HANDOFF_H
#define PXOS_BOOT_HANDOFF_H

#include <efi.h>
#include <stdbool.h>
#include "boot/bootinfo.h"

#define HANDOFF_EBS_TRIES 4 /* GetMemoryMap + ExitBootServices attempts */

struct handoff_cpu {
	bool page1gb;  /* CPUID.80000001h:EDX[26]: 1 GiB pages */
	bool nx;       /* CPUID.80000001h:EDX[20]: execute-disable */
	bool la57;     /* CR4.LA57: the firmware runs 5-level paging */
};

/* handoff_cpu_features: what the page tables may use. */
void handoff_cpu_features(struct handoff_cpu *c);

/* handoff_exit_boot_services: get the memory map into `mmap` (`cap` bytes,
 * EfiLoaderData, already allocated with slack) and call ExitBootServices with
 * its key, retrying up to HANDOFF_EBS_TRIES times on EFI_INVALID_PARAMETER.
 * On success fills bi->mmap, mmap_size, mmap_desc_size, mmap_desc_version and
 * returns EFI_SUCCESS: boot services are gone. On failure returns the status;
 * *called says whether ExitBootServices was called at all (if so, only the
 * serial port may be used for the report). */
EFI_STATUS handoff_exit_boot_services(EFI_HANDLE image, void *mmap, UINTN cap,
				      struct pxos_bootinfo *bi, bool *called);

/* handoff_jump: disable interrupts, set EFER.NXE when `nxe`, load CR3 = `pml4`
 * (and flush global TLB entries), align the stack as after a call, and jump to
 * `entry` with RDI = `bi` (SysV AMD64 first argument). Never returns. */
__attribute__((noreturn)) void handoff_jump(uint64_t pml4, uint64_t entry,
					    struct pxos_bootinfo *bi, bool nxe);

#endif /* PXOS_BOOT_HANDOFF_H */
