/*
 * test_spcr.c — drivers/spcr.c: the ACPI SPCR console port (Microsoft SPCR
 * revisions 1-4) and the DBG2 serial ports (Microsoft DBG2), from tables
 * built here: every field, the Generic Address Structure's width and stride,
 * the baud codes, interrupt types, PCI fields; hostile lengths, offsets and
 * counts (each table also cut at every length, in a heap buffer of exactly
 * that size, so a sanitizer build catches any read past it; checked with
 * -fsanitize=address,undefined) and interface types pxOS cannot drive.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "drivers/spcr.h"

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, "PXTEST", 6);
}

static void gas(uint8_t *g, uint8_t space, uint8_t bits, uint8_t off, uint8_t access, uint64_t addr)
{
	g[0] = space;
	g[1] = bits;
	g[2] = off;
	g[3] = access;
	put64(g + 4, addr);
}

/* An SPCR of `rev` for a 16550 at I/O 0x3F8, IRQ 4, 115200 baud, not PCI. */
static void spcr_com1(uint8_t t[96], uint8_t rev, uint32_t len)
{
	memset(t, 0, 96);
	header(t, "SPCR", len, rev);
	t[36] = 0;
	gas(t + 40, 1, 8, 0, 1, 0x3F8);
	t[52] = 0x01;
	t[53] = 4;
	t[58] = 7;
	t[60] = 1;
	put16(t + 64, 0xFFFF);
	put16(t + 66, 0xFFFF);
}

static void test_spcr_com1(void **state)
{
	(void)state;
	uint8_t t[96];
	struct spcr_uart u;
	const char *why = "unset";
	spcr_com1(t, 2, 80);
	assert_int_equal(spcr_parse(t, 80, &u, &why), 0);
	assert_null(why);
	assert_int_equal(u.type, SPCR_TYPE_16550);
	assert_false(u.mmio);
	assert_int_equal(u.address, 0x3F8);
	assert_int_equal(u.width, 1);
	assert_int_equal(u.stride, 1);
	assert_int_equal(u.baud, 115200);
	assert_false(u.baud_code_bad);
	assert_int_equal(u.irq, 4);
	assert_false(u.has_gsi);
	assert_false(u.pci);
	assert_int_equal(u.revision, 2);
	assert_int_equal(u.clock, 0);
	/* Revision 1 (interface type 1 = 16450), access size 0 ("undefined"). */
	spcr_com1(t, 1, 80);
	t[36] = 1;
	t[43] = 0;
	assert_int_equal(spcr_parse(t, 80, &u, &why), 0);
	assert_int_equal(u.type, SPCR_TYPE_16450);
	assert_int_equal(u.width, 1);
	assert_int_equal(u.stride, 1);
}

static void test_spcr_mmio_rev4(void **state)
{
	(void)state;
	uint8_t t[96];
	struct spcr_uart u;
	const char *why;
	spcr_com1(t, 4, 88);
	t[36] = SPCR_TYPE_16550_GAS;
	gas(t + 40, 0, 32, 0, 3, 0xFEDC9000);
	t[52] = 0x02;                   /* I/O APIC only */
	put32(t + 54, 36);
	put32(t + 76, 48000000);        /* UART clock, revision 3+ */
	put32(t + 80, 1500000);         /* precise baud, revision 4+ */
	assert_int_equal(spcr_parse(t, 88, &u, &why), 0);
	assert_true(u.mmio);
	assert_int_equal(u.address, 0xFEDC9000);
	assert_int_equal(u.width, 4);
	assert_int_equal(u.stride, 4);
	assert_int_equal(u.irq, -1);
	assert_true(u.has_gsi);
	assert_int_equal(u.gsi, 36);
	assert_int_equal(u.clock, 48000000);
	assert_int_equal(u.baud, 1500000);
	/* Precise baud 0: the configured code stands. */
	put32(t + 80, 0);
	assert_int_equal(spcr_parse(t, 88, &u, &why), 0);
	assert_int_equal(u.baud, 115200);
	/* Revision 2: the clock field was reserved, the precise baud absent. */
	put32(t + 80, 1500000);
	t[8] = 2;
	assert_int_equal(spcr_parse(t, 88, &u, &why), 0);
	assert_int_equal(u.clock, 0);
	assert_int_equal(u.baud, 115200);
	/* Revision 4 but an 80-byte table: no precise baud field to read. */
	t[8] = 4;
	put32(t + 4, 80);
	assert_int_equal(spcr_parse(t, 80, &u, &why), 0);
	assert_int_equal(u.baud, 115200);
	assert_int_equal(u.clock, 48000000);
}

static void test_spcr_gas_shapes(void **state)
{
	(void)state;
	struct {
		uint8_t space, bits, access;
		uint64_t addr;
		int ok;
		uint8_t width, stride;
	} cases[] = {
		{ 0, 8, 1, 0x1000, 1, 1, 1 },      /* byte registers, packed */
		{ 0, 32, 1, 0x1000, 1, 1, 4 },     /* byte access, 4-byte stride */
		{ 0, 32, 0, 0x1000, 1, 4, 4 },     /* undefined access: from the bit width */
		{ 0, 16, 2, 0x1000, 1, 2, 2 },
		{ 0, 8, 3, 0x1000, 1, 4, 4 },      /* dword access: stride at least 4 */
		{ 0, 64, 1, 0x1000, 1, 1, 8 },
		{ 0, 32, 4, 0x1000, 0, 0, 0 },     /* qword access */
		{ 2, 8, 1, 0x1000, 0, 0, 0 },      /* PCI configuration space */
		{ 0x7F, 8, 1, 0x1000, 0, 0, 0 },   /* functional fixed hardware */
		{ 1, 8, 1, 0x10000, 0, 0, 0 },     /* I/O above 0xFFFF */
		{ 1, 8, 1, 0, 0, 0, 0 },           /* redirection off */
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t g[12];
		struct spcr_uart u;
		memset(&u, 0, sizeof(u));
		gas(g, cases[i].space, cases[i].bits, 0, cases[i].access, cases[i].addr);
		const char *why = spcr_gas(g, &u);
		if (cases[i].ok) {
			assert_null(why);
			assert_int_equal(u.width, cases[i].width);
			assert_int_equal(u.stride, cases[i].stride);
			assert_int_equal(u.address, cases[i].addr);
		} else {
			assert_non_null(why);
		}
	}
	uint8_t g[12];
	struct spcr_uart u;
	gas(g, 0, 8, 4, 1, 0x1000); /* bit offset */
	assert_string_equal(spcr_gas(g, &u), "registers at a bit offset");
}

static void test_spcr_rejects(void **state)
{
	(void)state;
	uint8_t t[96];
	struct spcr_uart u;
	const char *why;
	spcr_com1(t, 2, 80);
	/* Shorter than the fixed fields, in the buffer or in the header. */
	assert_int_equal(spcr_parse(t, 79, &u, &why), -1);
	assert_non_null(strstr(why, "shorter"));
	put32(t + 4, 79);
	assert_int_equal(spcr_parse(t, 80, &u, &why), -1);
	put32(t + 4, 81);  /* the header claims more than there is */
	assert_int_equal(spcr_parse(t, 80, &u, &why), -1);
	put32(t + 4, 80);
	assert_int_equal(spcr_parse(t, 0, &u, &why), -1);
	/* Not a 16550: the type is still reported. */
	t[36] = 3;
	assert_int_equal(spcr_parse(t, 80, &u, &why), -1);
	assert_int_equal(u.type, 3);
	assert_non_null(strstr(why, "not 16550"));
	t[36] = 0x14;   /* Intel LPSS: needs its private registers */
	assert_int_equal(spcr_parse(t, 80, &u, &why), -1);
	t[36] = 0;
	/* Redirection off. */
	put64(t + 44, 0);
	assert_int_equal(spcr_parse(t, 80, &u, &why), -1);
	assert_non_null(strstr(why, "redirection off"));
	put64(t + 44, 0x3F8);
	/* Baud codes, and an unknown one flagged. */
	const struct { uint8_t code; uint32_t baud; bool bad; } bauds[] = {
		{ 0, 0, false }, { 3, 9600, false }, { 4, 19200, false }, { 6, 57600, false }, { 7, 115200, false },
		{ 5, 0, true }, { 1, 0, true }, { 0xFF, 0, true },
	};
	for (unsigned i = 0; i < sizeof(bauds) / sizeof(bauds[0]); i++) {
		t[58] = bauds[i].code;
		assert_int_equal(spcr_parse(t, 80, &u, &why), 0);
		assert_int_equal(u.baud, bauds[i].baud);
		assert_int_equal(u.baud_code_bad, bauds[i].bad);
	}
	/* An 8259 IRQ beyond 15 is not one. */
	t[53] = 200;
	assert_int_equal(spcr_parse(t, 80, &u, &why), 0);
	assert_int_equal(u.irq, -1);
	t[52] = 0;
	t[53] = 4;
	assert_int_equal(spcr_parse(t, 80, &u, &why), 0);
	assert_int_equal(u.irq, -1);
}

static void test_spcr_pci(void **state)
{
	(void)state;
	uint8_t t[96];
	struct spcr_uart u;
	const char *why;
	spcr_com1(t, 2, 80);
	put16(t + 64, 0x0002);
	put16(t + 66, 0x1B36);
	t[68] = 0x01;
	t[69] = 0x1F;
	t[70] = 0x07;
	t[75] = 0x02;
	assert_int_equal(spcr_parse(t, 80, &u, &why), 0);
	assert_true(u.pci);
	assert_int_equal(u.pci_vendor, 0x1B36);
	assert_int_equal(u.pci_device, 0x0002);
	assert_int_equal(u.pci_bus, 1);
	assert_int_equal(u.pci_dev, 0x1F);
	assert_int_equal(u.pci_fn, 7);
	assert_int_equal(u.pci_seg, 2);
	put16(t + 66, 0xFFFF);  /* vendor 0xFFFF: not a PCI device */
	assert_int_equal(spcr_parse(t, 80, &u, &why), 0);
	assert_false(u.pci);
}

static void test_type_names(void **state)
{
	(void)state;
	char b[40];
	assert_string_equal(spcr_type_name(0, b, sizeof(b)), "16550-compatible");
	assert_string_equal(spcr_type_name(3, b, sizeof(b)), "ARM PL011");
	assert_string_equal(spcr_type_name(0x12, b, sizeof(b)), "16550-compatible (GAS)");
	assert_string_equal(spcr_type_name(0x14, b, sizeof(b)), "Intel LPSS");
	assert_string_equal(spcr_type_name(7, b, sizeof(b)), "subtype 0x0007");
	assert_string_equal(spcr_type_name(0x99, b, sizeof(b)), "subtype 0x0099");
	assert_string_equal(spcr_type_name(0xFFFF, b, 8), "subtype");
	assert_true(spcr_type_16550(0) && spcr_type_16550(1) && spcr_type_16550(0x12));
	assert_false(spcr_type_16550(3) || spcr_type_16550(5) || spcr_type_16550(0x14));
}

/* ---- DBG2 ---- */

/* dev: one device information structure at `p`: port type, subtype, GAS
 * (space, bits, access, address), `nregs` registers; its length. */
static unsigned dev(uint8_t *p, uint16_t type, uint16_t sub, uint8_t space, uint64_t addr, uint8_t nregs)
{
	unsigned bar = 22, size = bar + 12u * nregs, ns = size + 4u * nregs, len = ns + 2;
	memset(p, 0, len);
	p[0] = 0;
	put16(p + 1, (uint16_t)len);
	p[3] = nregs;
	put16(p + 4, 2);
	put16(p + 6, (uint16_t)ns);
	put16(p + 12, type);
	put16(p + 14, sub);
	put16(p + 18, (uint16_t)bar);
	put16(p + 20, (uint16_t)size);
	for (unsigned i = 0; i < nregs; i++) {
		gas(p + bar + 12 * i, space, space ? 8 : 32, 0, space ? 1 : 3, addr + 0x100 * i);
		put32(p + size + 4 * i, 0x100);
	}
	memcpy(p + ns, ".", 2);
	return len;
}

/* A DBG2 with an xHCI debug port, a 16550 (GAS) at I/O 0x2F8 and an MMIO
 * 16550 with two registers. Returns the length. */
static uint32_t dbg2_table(uint8_t *t)
{
	memset(t, 0, 512);
	uint32_t off = 44;
	off += dev(t + off, 0x8002, 0x0000, 0, 0xFE000000, 1);
	off += dev(t + off, DBG2_PORT_SERIAL, 0x12, 1, 0x2F8, 1);
	off += dev(t + off, DBG2_PORT_SERIAL, 0x00, 0, 0xFEDC9000, 2);
	header(t, "DBG2", off, 0);
	put32(t + 36, 44);
	put32(t + 40, 3);
	return off;
}

static void test_dbg2_ports(void **state)
{
	(void)state;
	uint8_t t[512];
	struct spcr_uart u[4];
	unsigned bad = 99;
	uint32_t len = dbg2_table(t);
	assert_int_equal(dbg2_parse(t, len, u, 4, &bad), 2);
	assert_int_equal(bad, 0);
	assert_int_equal(u[0].type, 0x12);
	assert_false(u[0].mmio);
	assert_int_equal(u[0].address, 0x2F8);
	assert_int_equal(u[0].irq, -1);
	assert_int_equal(u[1].type, 0);
	assert_true(u[1].mmio);
	assert_int_equal(u[1].address, 0xFEDC9000);
	assert_int_equal(u[1].width, 4);
	assert_int_equal(u[1].stride, 4);
	/* At most `max` stored. */
	assert_int_equal(dbg2_parse(t, len, u, 1, &bad), 1);
	assert_int_equal(u[0].address, 0x2F8);
	assert_int_equal(dbg2_parse(t, len, u, 0, &bad), 0);
}

static void test_dbg2_hostile(void **state)
{
	(void)state;
	uint8_t t[512];
	struct spcr_uart u[4];
	unsigned bad;
	uint32_t len = dbg2_table(t);
	/* Too short, or the device array outside the table. */
	assert_int_equal(dbg2_parse(t, 43, u, 4, &bad), -1);
	put32(t + 36, len + 1);
	assert_int_equal(dbg2_parse(t, len, u, 4, &bad), -1);
	put32(t + 36, 40);  /* inside the header */
	assert_int_equal(dbg2_parse(t, len, u, 4, &bad), -1);
	put32(t + 36, 44);
	/* A count far beyond the structures there: the walk ends at the table's end. */
	put32(t + 40, 0xFFFFFFFF);
	assert_int_equal(dbg2_parse(t, len, u, 4, &bad), 2);
	assert_int_equal(bad, 1);
	put32(t + 40, 3);
	/* Length 0 or beyond the table: the walk stops there. */
	uint8_t *d2 = t + 44 + t[45];
	uint16_t l2 = (uint16_t)(d2[1] | d2[2] << 8);
	put16(d2 + 1, 0);
	assert_int_equal(dbg2_parse(t, len, u, 4, &bad), 0);
	assert_int_equal(bad, 1);
	put16(d2 + 1, 0xFFFF);
	assert_int_equal(dbg2_parse(t, len, u, 4, &bad), 0);
	assert_int_equal(bad, 1);
	put16(d2 + 1, l2);
	/* Register array past the structure, no registers, size array past it:
	 * that port is dropped, the next one read. */
	put16(d2 + 18, (uint16_t)(l2 - 11));
	assert_int_equal(dbg2_parse(t, len, u, 4, &bad), 1);
	assert_int_equal(bad, 1);
	assert_true(u[0].mmio);
	put16(d2 + 18, 22);
	d2[3] = 0;
	assert_int_equal(dbg2_parse(t, len, u, 4, &bad), 1);
	assert_int_equal(bad, 1);
	d2[3] = 1;
	put16(d2 + 20, (uint16_t)(l2 - 3));
	assert_int_equal(dbg2_parse(t, len, u, 4, &bad), 1);
	put16(d2 + 20, 22 + 12);
	/* An address pxOS cannot use (PCI configuration space). */
	d2[22] = 2;
	assert_int_equal(dbg2_parse(t, len, u, 4, &bad), 1);
	assert_int_equal(bad, 1);
	d2[22] = 1;
	assert_int_equal(dbg2_parse(t, len, u, 4, &bad), 2);
	assert_int_equal(bad, 0);
}

/* Every prefix of each table, in a heap buffer of exactly that length with
 * the header's length patched to match: the parsers read nothing past it
 * (AddressSanitizer), and SPCR needs its 80 bytes. */
static void test_truncated(void **state)
{
	(void)state;
	uint8_t full[512];
	struct spcr_uart u[4];
	const char *why;
	unsigned bad;
	uint32_t dlen = dbg2_table(full);
	for (uint32_t n = 0; n <= dlen; n++) {
		uint8_t *b = malloc(n ? n : 1);
		memcpy(b, full, n);
		if (n >= 8)
			put32(b + 4, n);
		int r = dbg2_parse(b, n, u, 4, &bad);
		assert_true(r >= -1 && r <= 2);
		if (n < 44)
			assert_int_equal(r, -1);
		free(b);
	}
	uint8_t s[96];
	spcr_com1(s, 4, 88);
	put32(s + 80, 230400);
	for (uint32_t n = 0; n <= 88; n++) {
		uint8_t *b = malloc(n ? n : 1);
		memcpy(b, s, n);
		if (n >= 8)
			put32(b + 4, n);
		int r = spcr_parse(b, n, u, &why);
		assert_int_equal(r, n >= 80 ? 0 : -1);
		if (n >= 80)
			assert_int_equal(u[0].baud, n >= 84 ? 230400 : 115200);
		free(b);
	}
}

/* Random tables (fixed seed): any bytes, any lengths; results stay in range. */
static void test_random_tables(void **state)
{
	(void)state;
	uint32_t x = 12345;
	for (unsigned iter = 0; iter < 20000; iter++) {
		uint32_t n = 0;
		uint8_t *b;
		x = x * 1103515245u + 12345u;
		n = (x >> 8) % 300;
		b = malloc(n ? n : 1);
		for (uint32_t i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			b[i] = (uint8_t)(x >> 16);
		}
		if (n >= 8)
			put32(b + 4, n);
		if (n >= 44 && iter % 2) {
			put32(b + 36, 44 + (x >> 20) % 16);
			put32(b + 40, (x >> 12) % 6);
		}
		struct spcr_uart u[3];
		const char *why;
		unsigned bad;
		int r = spcr_parse(b, n, u, &why);
		assert_true(r == 0 || (r == -1 && why));
		if (r == 0) {
			assert_true(u[0].width == 1 || u[0].width == 2 || u[0].width == 4);
			assert_true(u[0].stride >= u[0].width && u[0].stride <= 8);
			assert_true(u[0].mmio || u[0].address <= 0xFFFF);
		}
		r = dbg2_parse(b, n, u, 3, &bad);
		assert_true(r >= -1 && r <= 3);
		for (int i = 0; i < r; i++)
			assert_true(u[i].address && u[i].stride >= u[i].width);
		free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spcr_com1),
		cmocka_unit_test(test_spcr_mmio_rev4),
		cmocka_unit_test(test_spcr_gas_shapes),
		cmocka_unit_test(test_spcr_rejects),
		cmocka_unit_test(test_spcr_pci),
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_dbg2_ports),
		cmocka_unit_test(test_dbg2_hostile),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_random_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
