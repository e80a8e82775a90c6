/*
 * madt.h — parsing the ACPI Multiple APIC Description Table (ACPI 6.5
 * §5.2.12): local APICs (CPUs), I/O APICs, interrupt source overrides.
 * Portable (no I/O): the kernel feeds it the table, the unit tests feed it
 * hand-built and hostile ones. A malformed entry ends the walk; what came
 * before it is kept.
 */
#ifndef PXOS_MADT_H
#define PXOS_MADT_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "kernel/param.h"

#define MADT_PCAT_COMPAT 1u   /* flags bit 0: the PC's dual 8259s are present */

/* Interrupt source override flags (ACPI 6.5 table 5.26, MPS INTI flags). */
#define MADT_POLARITY_MASK 0x3u
#define MADT_POLARITY_HIGH 0x1u
#define MADT_POLARITY_LOW  0x3u
#define MADT_TRIGGER_MASK  0xCu
#define MADT_TRIGGER_EDGE  0x4u
#define MADT_TRIGGER_LEVEL 0xCu

struct madt_ioapic {
	uint8_t id;
	uint32_t address;   /* physical */
	uint32_t gsi_base;  /* first global system interrupt it serves */
};

struct madt_iso {
	uint8_t bus;        /* 0 = ISA */
	uint8_t source;     /* ISA IRQ */
	uint32_t gsi;
	uint16_t flags;     /* MADT_POLARITY_* | MADT_TRIGGER_* (0 = bus default) */
};

struct madt_info {
	uint64_t lapic_address;  /* 32-bit field, or the 64-bit override (type 5) */
	uint32_t flags;          /* MADT_PCAT_COMPAT */
	unsigned cpus;           /* enabled local APIC / x2APIC entries */
	unsigned nioapic, niso;
	struct madt_ioapic ioapic[MADT_MAX_IOAPIC];
	struct madt_iso iso[MADT_MAX_ISO];
	unsigned dropped;        /* I/O APICs or overrides beyond the arrays */
	const char *problem;     /* NULL, or why the walk stopped early */
};

/* madt_parse: read `len` bytes of MADT at `table` (header included; the
 * caller has checked its checksum) into *m. Returns 0, or -1 when the table
 * is too short or not a MADT (m->problem says why). */
int madt_parse(const void *table, size_t len, struct madt_info *m);

/* madt_isa_irq: the GSI and flags ISA IRQ `irq` arrives on: its override if
 * there is one, else GSI = irq with ISA defaults (edge, active high).
 * *active_low and *level get the resolved polarity and trigger. */
uint32_t madt_isa_irq(const struct madt_info *m, unsigned irq, bool *active_low, bool *level);

#endif /* PXOS_MADT_H */
