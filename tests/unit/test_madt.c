/*
 * test_madt.c — the MADT parser (drivers/madt.h, ACPI 6.5 §5.2.12): QEMU
 * q35's table shape (4 CPUs, one I/O APIC, the usual overrides), ISA IRQ
 * resolution through overrides (polarity, trigger), the LAPIC address
 * override, limits, and hostile tables: wrong signature, too short, an entry
 * of length 0 or running past the end, a header length shorter than the
 * buffer, every truncation of a good table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "drivers/madt.h"

static uint8_t tbl[1024];
static size_t len;

static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }

static void begin(void)
{
	memset(tbl, 0, sizeof(tbl));
	memcpy(tbl, "APIC", 4);
	put32(tbl + 36, 0xFEE00000u);
	put32(tbl + 40, MADT_PCAT_COMPAT);
	len = 44;
}

static void finish(void) { put32(tbl + 4, (uint32_t)len); }

static void lapic(uint8_t id, uint32_t flags)
{
	uint8_t *e = tbl + len;
	e[0] = 0; e[1] = 8; e[2] = id; e[3] = id; put32(e + 4, flags);
	len += 8;
}

static void ioapic(uint8_t id, uint32_t addr, uint32_t gsi)
{
	uint8_t *e = tbl + len;
	e[0] = 1; e[1] = 12; e[2] = id; put32(e + 4, addr); put32(e + 8, gsi);
	len += 12;
}

static void iso(uint8_t irq, uint32_t gsi, uint16_t flags)
{
	uint8_t *e = tbl + len;
	e[0] = 2; e[1] = 10; e[2] = 0; e[3] = irq; put32(e + 4, gsi); e[8] = (uint8_t)flags; e[9] = (uint8_t)(flags >> 8);
	len += 10;
}

static void q35(void)
{
	begin();
	for (uint8_t i = 0; i < 4; i++)
		lapic(i, 1);
	lapic(4, 0); /* disabled: not counted */
	ioapic(0, 0xFEC00000u, 0);
	iso(0, 2, 0);
	iso(5, 5, MADT_POLARITY_HIGH | MADT_TRIGGER_LEVEL);
	iso(9, 9, MADT_POLARITY_HIGH | MADT_TRIGGER_LEVEL);
	iso(10, 10, MADT_POLARITY_LOW | MADT_TRIGGER_LEVEL);
	uint8_t *e = tbl + len; /* LAPIC NMI: skipped */
	e[0] = 4; e[1] = 6; e[2] = 0xFF; e[5] = 1;
	len += 6;
	finish();
}

static void test_q35_table(void **state)
{
	(void)state;
	struct madt_info m;
	q35();
	assert_int_equal(madt_parse(tbl, len, &m), 0);
	assert_null(m.problem);
	assert_true(m.lapic_address == 0xFEE00000u);
	assert_int_equal(m.flags, MADT_PCAT_COMPAT);
	assert_int_equal(m.cpus, 4);
	assert_int_equal(m.nioapic, 1);
	assert_int_equal(m.ioapic[0].address, 0xFEC00000u);
	assert_int_equal(m.ioapic[0].gsi_base, 0);
	assert_int_equal(m.niso, 4);
	assert_int_equal(m.dropped, 0);
}

static void test_isa_resolution(void **state)
{
	(void)state;
	struct madt_info m;
	bool low, level;
	q35();
	assert_int_equal(madt_parse(tbl, len, &m), 0);
	assert_int_equal(madt_isa_irq(&m, 0, &low, &level), 2);  /* the PIT/HPET line */
	assert_false(low);
	assert_false(level);
	assert_int_equal(madt_isa_irq(&m, 1, &low, &level), 1);  /* no override: identity, ISA defaults */
	assert_false(low);
	assert_false(level);
	assert_int_equal(madt_isa_irq(&m, 9, &low, &level), 9);
	assert_false(low);
	assert_true(level);
	assert_int_equal(madt_isa_irq(&m, 10, &low, &level), 10);
	assert_true(low);
	assert_true(level);
	assert_int_equal(madt_isa_irq(NULL, 4, &low, &level), 4); /* no MADT at all */
}

static void test_lapic_override_and_x2apic(void **state)
{
	(void)state;
	struct madt_info m;
	begin();
	uint8_t *e = tbl + len;
	e[0] = 5; e[1] = 12; put32(e + 4, 0x00000000u); put32(e + 8, 0x1u); /* 0x1_0000_0000 */
	len += 12;
	e = tbl + len;
	e[0] = 9; e[1] = 16; put32(e + 4, 300); put32(e + 8, 1); put32(e + 12, 7);
	len += 16;
	finish();
	assert_int_equal(madt_parse(tbl, len, &m), 0);
	assert_true(m.lapic_address == 0x100000000ull);
	assert_int_equal(m.cpus, 1);
}

static void test_limits(void **state)
{
	(void)state;
	struct madt_info m;
	begin();
	for (unsigned i = 0; i < MADT_MAX_IOAPIC + 2; i++)
		ioapic((uint8_t)i, 0xFEC00000u + 0x1000u * i, 24 * i);
	for (unsigned i = 0; i < MADT_MAX_ISO + 3; i++)
		iso((uint8_t)(i % 16), i, 0);
	finish();
	assert_true(len < sizeof(tbl));
	assert_int_equal(madt_parse(tbl, len, &m), 0);
	assert_int_equal(m.nioapic, MADT_MAX_IOAPIC);
	assert_int_equal(m.niso, MADT_MAX_ISO);
	assert_int_equal(m.dropped, 5);
}

static void test_hostile(void **state)
{
	(void)state;
	struct madt_info m;
	q35();
	memcpy(tbl, "APIX", 4);
	assert_int_equal(madt_parse(tbl, len, &m), -1);
	assert_non_null(m.problem);
	assert_int_equal(madt_parse(NULL, 100, &m), -1);
	q35();
	assert_int_equal(madt_parse(tbl, 43, &m), -1);

	/* An entry of length 0 would loop for ever: the walk stops, keeps what came before. */
	q35();
	size_t at = len;
	tbl[at] = 1; tbl[at + 1] = 0;
	len += 12;
	finish();
	assert_int_equal(madt_parse(tbl, len, &m), 0);
	assert_non_null(m.problem);
	assert_int_equal(m.nioapic, 1);
	assert_int_equal(m.niso, 4);

	/* An entry running past the table's end. */
	q35();
	tbl[len] = 1; tbl[len + 1] = 200;
	len += 4;
	finish();
	assert_int_equal(madt_parse(tbl, len, &m), 0);
	assert_non_null(m.problem);
	assert_int_equal(m.nioapic, 1);

	/* The header's length is shorter than the buffer: nothing past it is read. */
	q35();
	size_t real = len;
	ioapic(9, 0xDEAD0000u, 100);
	put32(tbl + 4, (uint32_t)real);
	assert_int_equal(madt_parse(tbl, len, &m), 0);
	assert_int_equal(m.nioapic, 1);

	/* Short entries of known types are skipped, not read past. */
	begin();
	tbl[len] = 1; tbl[len + 1] = 4; len += 4;   /* I/O APIC entry of 4 bytes */
	tbl[len] = 2; tbl[len + 1] = 3; len += 3;   /* override of 3 bytes */
	finish();
	assert_int_equal(madt_parse(tbl, len, &m), 0);
	assert_int_equal(m.nioapic, 0);
	assert_int_equal(m.niso, 0);
}

static void test_every_truncation(void **state)
{
	(void)state;
	q35();
	size_t full = len;
	static uint8_t copy[1024];
	for (size_t n = 0; n <= full; n++) {
		struct madt_info m;
		memcpy(copy, tbl, n); /* the header's length still says `full` */
		int r = madt_parse(copy, n, &m);
		if (n < 44) {
			assert_int_equal(r, -1);
			continue;
		}
		assert_int_equal(r, 0);
		assert_true(m.nioapic <= 1 && m.niso <= 4 && m.cpus <= 4);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_q35_table),
		cmocka_unit_test(test_isa_resolution),
		cmocka_unit_test(test_lapic_override_and_x2apic),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_every_truncation),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
