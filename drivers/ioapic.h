/*
 * ioapic.h — the I/O APICs the ACPI MADT lists (ACPI 6.5 §5.2.12.3; register
 * layout: Intel 82093AA I/O APIC datasheet §3): ISA device interrupts routed
 * to the boot CPU through them, with the MADT's interrupt source overrides,
 * when the 8259 path is not used.
 */
#ifndef PXOS_IOAPIC_H
#define PXOS_IOAPIC_H

#include <stdint.h>
#include <stdbool.h>
#include "drivers/madt.h"

/* ioapic_init: parse the MADT (if the ACPI tables have one), map every I/O
 * APIC it lists and mask all their pins. Logs what it found. Returns the
 * number of usable I/O APICs (0: none, or no MADT). */
unsigned ioapic_init(void);

/* ioapic_madt: what the MADT said (CPUs, overrides, 8259 presence); NULL
 * when there was no usable MADT. */
const struct madt_info *ioapic_madt(void);

/* ioapic_route_isa: deliver ISA IRQ `irq` (0..15) as `vector` to the CPU with
 * APIC id `dest` (fixed delivery, physical destination), polarity and trigger
 * from its override or ISA defaults, unmasked. Returns the GSI used, or -1
 * when no I/O APIC serves it (or `dest` > 255: needs interrupt remapping). */
int ioapic_route_isa(unsigned irq, uint8_t vector, uint32_t dest);

/* ioapic_route_gsi: deliver global system interrupt `gsi` as `vector` to APIC
 * id `dest`, with the polarity and trigger given, unmasked. Returns `gsi`, or
 * -1 when no I/O APIC serves it or `dest` > 255. */
int ioapic_route_gsi(uint32_t gsi, uint8_t vector, uint32_t dest, bool active_low, bool level);

/* ioapic_mask_isa / ioapic_mask_gsi: mask the pin of ISA IRQ `irq` / of `gsi`. */
void ioapic_mask_isa(unsigned irq);
void ioapic_mask_gsi(uint32_t gsi);

/* ioapic_count: usable I/O APICs found by ioapic_init. */
unsigned ioapic_count(void);

/* ioapic_describe: line `i` (0..count-1) about I/O APIC i for hwinfo, e.g.
 * "I/O APIC 0 id 0 at 0xfec00000, GSI 0..23, version 0x20". */
void ioapic_describe(unsigned i, char *buf, unsigned n);

#endif /* PXOS_IOAPIC_H */
