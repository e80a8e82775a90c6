/*
 * acpi.h — reading the ACPI tables the firmware left in memory (ACPI 6.5 §5.2):
 * RSDP → XSDT (or RSDT) → the tables pxOS uses today (FADT: PM timer, reset
 * register, 8042 presence). Every table's length and checksum is verified
 * before any field is used; a table that fails is skipped with a warning.
 */
#ifndef PXOS_ACPI_H
#define PXOS_ACPI_H

#include <stdint.h>
#include <stdbool.h>

struct acpi_info {
	bool present;           /* a valid RSDP and root table were found */
	uint8_t revision;       /* RSDP revision */
	char oem_id[7];         /* RSDP OEM id, NUL-terminated */
	uint32_t table_count;   /* tables listed in the root table */
	bool has_fadt;
	uint16_t pm_timer_port; /* ACPI PM timer I/O port (3.579545 MHz), 0 if none */
	bool pm_timer_32bit;    /* TMR_VAL_EXT: 32-bit counter, else 24-bit */
	bool has_reset_reg;     /* FADT RESET_REG usable (system I/O space) */
	uint16_t reset_port;
	uint8_t reset_value;
	bool has_8042;          /* IAPC_BOOT_ARCH bit 1, or FADT too old to say */
};

/* acpi_init: parse the tables from the RSDP at physical (identity-mapped)
 * address `rsdp` (0 = none). Returns 0 when a usable root table was found, -1
 * otherwise (acpi_get() then reports present = false). */
int acpi_init(uint64_t rsdp);

/* acpi_get: what acpi_init found. */
const struct acpi_info *acpi_get(void);

/* acpi_find_table: the `index`-th table with signature `sig` (4 chars) whose
 * checksum is valid, or NULL. */
const void *acpi_find_table(const char *sig, unsigned index);

/* acpi_table_signature: the signature of the `index`-th table the root
 * table lists (index < table_count) into sig[5], NUL-terminated; false when
 * there is no such entry. For reports: the table's checksum is not checked. */
bool acpi_table_signature(unsigned index, char sig[5]);

#endif /* PXOS_ACPI_H */
