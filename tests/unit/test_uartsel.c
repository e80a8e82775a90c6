/*
 * test_uartsel.c — kernel/uartsel_opt.c: the `serial=` option (every form,
 * every KEY, every limit and malformed text, with the reason given) and the
 * UEFI memory-map check that keeps a memory-mapped UART's registers out of
 * RAM.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "kernel/uartsel.h"
#include "boot/bootinfo.h"

static struct uartsel_opt o;
static char err[160];

static int parse(const char *s) { return uartsel_parse(s, &o, err, sizeof(err)); }

static void ok(const char *s, enum uartsel_kind kind)
{
	if (parse(s) != 0)
		fail_msg("serial=%s: %s", s, err);
	assert_int_equal(o.kind, kind);
	assert_string_equal(err, "");
}

static void bad(const char *s, const char *why)
{
	if (parse(s) != -1)
		fail_msg("serial=%s accepted", s);
	assert_int_equal(o.kind, UARTSEL_AUTO);
	if (!strstr(err, why))
		fail_msg("serial=%s: \"%s\" does not say \"%s\"", s, err, why);
}

static void test_words(void **state)
{
	(void)state;
	ok(NULL, UARTSEL_AUTO);
	ok("off", UARTSEL_OFF);
	ok("spcr", UARTSEL_SPCR);
	ok("dbg2", UARTSEL_DBG2);
	ok("com1", UARTSEL_IO);
	assert_int_equal(o.addr, 0x3F8);
	ok("com2", UARTSEL_IO);
	assert_int_equal(o.addr, 0x2F8);
	ok("spcr,baud=9600", UARTSEL_SPCR);
	assert_int_equal(o.baud, 9600);
	ok("dbg2,clock=48000000", UARTSEL_DBG2);
	assert_int_equal(o.clock, 48000000);
	bad("", "needs a value");
	bad("com3", "unknown");
	bad("offx", "unknown");
	bad("OFF", "unknown");
	bad("off,baud=9600", "takes no options");
	bad("spcr,width=4", "come from the ACPI table");
	bad("dbg2,stride=4", "come from the ACPI table");
}

static void test_io(void **state)
{
	(void)state;
	ok("0x3f8", UARTSEL_IO);
	assert_int_equal(o.addr, 0x3F8);
	ok("1016", UARTSEL_IO);            /* the old form, decimal */
	assert_int_equal(o.addr, 1016);
	ok("io:0x2E8,baud=9600", UARTSEL_IO);
	assert_int_equal(o.addr, 0x2E8);
	assert_int_equal(o.baud, 9600);
	assert_int_equal(o.width, 0);
	ok("io:0xfff8", UARTSEL_IO);       /* registers 0xfff8..0xffff */
	ok("com1,baud=57600,clock=1843200", UARTSEL_IO);
	assert_int_equal(o.baud, 57600);
	ok("io:0xff00,width=4,stride=4", UARTSEL_IO);
	bad("io:0xfff9", "below 0x10000");
	bad("io:0xfff0,stride=4", "below 0x10000");
	bad("io:0", "1..0xffff");
	bad("0", "1..0xffff");
	bad("io:", "bad I/O port");
	bad("io:0x", "bad I/O port");
	bad("io:3f8", "bad I/O port");     /* hex needs 0x */
	bad("0x3f8junk", "unknown");
	bad("io:99999999999999999999999", "bad I/O port");
	bad("io:0x3fa,width=4", "not aligned");
}

static void test_mmio(void **state)
{
	(void)state;
	ok("mmio:0xfedc9000", UARTSEL_MMIO);
	assert_int_equal(o.addr, 0xFEDC9000);
	assert_int_equal(o.width, 0);
	assert_int_equal(o.stride, 0);
	ok("mmio:0xfedc9000,width=4", UARTSEL_MMIO);
	assert_int_equal(o.width, 4);
	assert_int_equal(o.stride, 0);     /* the kernel makes it the width */
	ok("mmio:0xfedc9000,width=1,stride=4,baud=115200,clock=48000000", UARTSEL_MMIO);
	assert_int_equal(o.width, 1);
	assert_int_equal(o.stride, 4);
	assert_int_equal(o.clock, 48000000);
	ok("mmio:0x4000000000,width=2", UARTSEL_MMIO);   /* above 4 GiB */
	ok("mmio:0xfedc9000,stride=8,width=4", UARTSEL_MMIO);
	bad("mmio:0", "address 0");
	bad("mmio:0xffffffffffffffff", "wrapping");
	bad("mmio:0xfffffffffffffff0,stride=4", "wrapping");
	bad("mmio:0xfedc9002,width=4", "not aligned");
	bad("mmio:0x1000,width=3", "width must be 1, 2 or 4");
	bad("mmio:0x1000,width=0", "width must be 1, 2 or 4");
	bad("mmio:0x1000,stride=3", "stride must be 1, 2, 4 or 8");
	bad("mmio:0x1000,stride=16", "stride must be 1, 2, 4 or 8");
	bad("mmio:0x1000,width=4,stride=2", "stride below the register width");
	bad("mmio:", "bad address");
	bad("mmio:0x1000,", "unknown option");
	bad("mmio:0x1000,,width=4", "unknown option");
	bad("mmio:0x1000,speed=9600", "unknown option");
	bad("mmio:0x1000,width=", "bad number");
	bad("mmio:0x1000,width=4x", "bad number");
	bad("mmio:0x1000 ,width=4", "bad address");
}

static void test_pci(void **state)
{
	(void)state;
	ok("pci:00:03.0", UARTSEL_PCI);
	assert_int_equal(o.seg, 0);
	assert_int_equal(o.bus, 0);
	assert_int_equal(o.dev, 3);
	assert_int_equal(o.fn, 0);
	ok("pci:0001:ff:1f.7", UARTSEL_PCI);
	assert_int_equal(o.seg, 1);
	assert_int_equal(o.bus, 0xFF);
	assert_int_equal(o.dev, 0x1F);
	assert_int_equal(o.fn, 7);
	ok("pci:3:0.1,baud=9600", UARTSEL_PCI);   /* short hex fields */
	assert_int_equal(o.bus, 3);
	assert_int_equal(o.fn, 1);
	ok("pci:00:1F.0,width=4", UARTSEL_PCI);
	bad("pci:00:20.0", "device <= 1f");
	bad("pci:00:03.8", "function <= 7");
	bad("pci:100:00.0", "bus <= ff");
	bad("pci:10000:00:00.0", "[SEG:]BB:DD.F");
	bad("pci:0:0:0:0.0", "[SEG:]BB:DD.F");
	bad("pci:03.0", "[SEG:]BB:DD.F");
	bad("pci:00:03", "[SEG:]BB:DD.F");
	bad("pci:00:03.", "[SEG:]BB:DD.F");
	bad("pci:00:0x3.0", "[SEG:]BB:DD.F");
	bad("pci:", "[SEG:]BB:DD.F");
	bad("pci:00:03.0x", "[SEG:]BB:DD.F");
}

static void test_limits(void **state)
{
	(void)state;
	ok("com1,baud=1", UARTSEL_IO);
	ok("com1,baud=4000000", UARTSEL_IO);
	ok("com1,clock=16", UARTSEL_IO);
	ok("com1,clock=4294967295", UARTSEL_IO);
	assert_int_equal(o.clock, 4294967295u);
	ok("com1,baud=9600,baud=19200", UARTSEL_IO);   /* the last one wins */
	assert_int_equal(o.baud, 19200);
	bad("com1,baud=0", "baud must be");
	bad("com1,baud=4000001", "baud must be");
	bad("com1,clock=15", "clock must be");
	bad("com1,clock=4294967296", "clock must be");
	/* A failed parse leaves nothing half-set. */
	assert_int_equal(o.baud, 0);
	assert_int_equal(o.addr, 0);
	/* The reason fits any buffer, even none. */
	struct uartsel_opt q;
	char tiny[8];
	assert_int_equal(uartsel_parse("bogus", &q, tiny, sizeof(tiny)), -1);
	assert_int_equal(strlen(tiny), 7);
	assert_int_equal(uartsel_parse("bogus", &q, NULL, 0), -1);
}

/* ---- the memory-map check ---- */

struct wide_desc {                 /* firmware descriptors are often 48 bytes apart */
	struct pxos_mmap_desc d;
	uint64_t pad;
};

static void test_ram_type(void **state)
{
	(void)state;
	struct wide_desc m[5];
	memset(m, 0, sizeof(m));
	m[0].d = (struct pxos_mmap_desc){ .type = PXOS_MEM_CONVENTIONAL, .phys_start = 0x100000, .num_pages = 256 };
	m[1].d = (struct pxos_mmap_desc){ .type = 11, .phys_start = 0xFE000000, .num_pages = 16 };  /* MMIO */
	m[2].d = (struct pxos_mmap_desc){ .type = 0, .phys_start = 0xFED00000, .num_pages = 1 };    /* reserved */
	m[3].d = (struct pxos_mmap_desc){ .type = 10, .phys_start = 0x7F000000, .num_pages = 4 };   /* ACPI NVS */
	m[4].d = (struct pxos_mmap_desc){ .type = PXOS_MEM_CONVENTIONAL, .phys_start = 0xFFFFFFFFFFFFF000ull,
	                                  .num_pages = 0x10 };                                       /* wraps: ignored */
	uint64_t size = sizeof(m), ds = sizeof(m[0]);
	assert_int_equal(uartsel_ram_type(m, size, ds, 0x180000, 8), PXOS_MEM_CONVENTIONAL);
	assert_int_equal(uartsel_ram_type(m, size, ds, 0xFFFF8, 16), PXOS_MEM_CONVENTIONAL); /* overlaps the start */
	assert_int_equal(uartsel_ram_type(m, size, ds, 0x1FFFFF, 1), PXOS_MEM_CONVENTIONAL);
	assert_int_equal(uartsel_ram_type(m, size, ds, 0x200000, 32), -1);                  /* just after */
	assert_int_equal(uartsel_ram_type(m, size, ds, 0xFFFF8, 8), -1);                    /* just before */
	assert_int_equal(uartsel_ram_type(m, size, ds, 0xFE001000, 32), -1);                /* MMIO */
	assert_int_equal(uartsel_ram_type(m, size, ds, 0xFED00000, 32), -1);                /* reserved */
	assert_int_equal(uartsel_ram_type(m, size, ds, 0xFEDC9000, 32), -1);                /* unlisted */
	assert_int_equal(uartsel_ram_type(m, size, ds, 0x7F000010, 4), 10);
	assert_int_equal(uartsel_ram_type(m, size, ds, 0xFFFFFFFFFFFFFFF0ull, 32), -1);
	/* A descriptor stride below the descriptor's size, no map, an empty range. */
	assert_int_equal(uartsel_ram_type(m, size, 16, 0x180000, 8), -1);
	assert_int_equal(uartsel_ram_type(NULL, size, ds, 0x180000, 8), -1);
	assert_int_equal(uartsel_ram_type(m, size, ds, 0x180000, 0), -1);
	/* A map size that is not a multiple of the stride: the tail is ignored. */
	assert_int_equal(uartsel_ram_type(m, ds + 10, ds, 0x180000, 8), PXOS_MEM_CONVENTIONAL);
	assert_int_equal(uartsel_ram_type(m, ds - 1, ds, 0x180000, 8), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_io),
		cmocka_unit_test(test_mmio),
		cmocka_unit_test(test_pci),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_ram_type),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
