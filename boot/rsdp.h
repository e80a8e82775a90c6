/*
 * rsdp.h — validating an ACPI Root System Description Pointer (pure C: no EFI).
 *
 * Follows ACPI 6.5 §5.2.5.3 (RSDP structure): signature "RSD PTR ", the first
 * 20 bytes sum to 0 mod 256; for revision >= 2 the 36-byte-or-longer structure
 * (Length at offset 20) also sums to 0 (extended checksum).
 */
#ifndef PXOS_BOOT_RSDP_H
#define PXOS_BOOT_RSDP_H

#include <stddef.h>
#include <stdint.h>

#define RSDP_V1_SIZE 20u
#define RSDP_V2_SIZE 36u
#define RSDP_MAX_LENGTH 4096u /* longest Length believed before summing */

/* rsdp_check: validate the RSDP at `p`, which must be readable for RSDP_V1_SIZE
 * bytes and, when its revision is >= 2, for its Length field's bytes. Returns
 * the revision byte (0 = ACPI 1.0, 2 = ACPI 2.0+) or -1 with a reason in `why`. */
int rsdp_check(const void *p, char *why, size_t whylen);

#endif /* PXOS_BOOT_RSDP_H */
