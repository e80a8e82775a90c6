/*
 * test_pci.c — drivers/pci.c on a fake configuration space: MCFG parsing (PCI
 * Firmware spec 3.2 §4.1.2), BAR decoding and sizing (PCI LB 3.0 §6.2.5.1),
 * enumeration behind bridges, multi-function devices and other root buses,
 * capability and extended-capability walks, access widths, the table limit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "drivers/pci.h"
#include "kernel/param.h"

/* ---- the fake: up to 4 buses x 32 devices x 8 functions of 4 KiB ---- */

#define FBUSES 8
struct ffn {
	bool present;
	uint8_t cfg[4096];
	uint32_t bar_size[6];     /* 0: BAR not implemented; for a 64-bit BAR, on its low slot */
	bool bar_hi[6];           /* the upper half of a 64-bit BAR */
	uint64_t bar64_size[6];
};
static struct ffn (*fake)[32][8];
static unsigned probes_while_decoding; /* all-ones BAR writes with decoding on (host bridges excepted) */
static unsigned accesses[5];           /* reads by width */
static unsigned writes[5];             /* writes by width */
static bool dense;                      /* every function of buses 0 and 1 present */

static struct ffn *fn_at(uint8_t bus, uint8_t dev, uint8_t fn)
{
	if (dense)
		return 0;
	return bus < FBUSES ? &fake[bus][dev][fn] : 0;
}

static uint32_t get(const uint8_t *p, unsigned w)
{
	uint32_t v = 0;
	memcpy(&v, p, w);
	return v;
}

static uint32_t fake_read(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, unsigned w)
{
	(void)ctx;
	assert_int_equal(seg, 0);
	assert_true(w == 1 || w == 2 || w == 4);
	assert_int_equal(off % w, 0);
	accesses[w]++;
	if (dense) {
		if (bus > 1)
			return 0xFFFFFFFFu >> (32 - 8 * w);
		uint8_t cfg[64] = { 0x34, 0x12, 0x78, 0x56 };
		cfg[0x0E] = 0x80;
		return off < 64 ? get(cfg + off, w) : 0;
	}
	struct ffn *f = fn_at(bus, dev, fn);
	if (!f || !f->present)
		return 0xFFFFFFFFu >> (32 - 8 * w);
	return get(f->cfg + off, w);
}

static void fake_write(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, unsigned w,
		       uint32_t v)
{
	(void)ctx, (void)seg;
	assert_true(w == 1 || w == 2 || w == 4);
	assert_int_equal(off % w, 0);
	writes[w]++;
	struct ffn *f = fn_at(bus, dev, fn);
	if (!f || !f->present)
		return;
	if (off >= PCI_BAR0 && off < PCI_BAR0 + 24 && w == 4) {
		unsigned i = (off - PCI_BAR0) / 4;
		uint16_t cmd = (uint16_t)get(f->cfg + PCI_COMMAND, 2);
		bool host = f->cfg[PCI_CLASS] == 6 && f->cfg[PCI_SUBCLASS] == 0;
		if (v == 0xFFFFFFFFu && (cmd & (PCI_CMD_MEM | PCI_CMD_IO)) && !host)
			probes_while_decoding++;
		uint32_t old = get(f->cfg + off, 4), nv;
		if (f->bar_hi[i]) {
			uint64_t size = f->bar64_size[i - 1];
			nv = v & (uint32_t)(~(size - 1) >> 32);
		} else if (f->bar64_size[i]) {
			nv = (v & (uint32_t)~(f->bar64_size[i] - 1) & ~0xFu) | (old & 0xF);
		} else if (f->bar_size[i]) {
			uint32_t flags = old & ((old & 1) ? 0x3u : 0xFu);
			uint32_t mask = ~(f->bar_size[i] - 1) & ((old & 1) ? 0x0000FFFFu & ~3u : ~0xFu);
			nv = (v & mask) | flags;
		} else {
			nv = 0;
		}
		memcpy(f->cfg + off, &nv, 4);
		return;
	}
	memcpy(f->cfg + off, &v, w);
}

static const struct pci_cfg_ops fake_ops = { fake_read, fake_write, 0, 4096, "fake" };
static const struct pci_cfg_ops fake_ops256 = { fake_read, fake_write, 0, 256, "fake256" };

static struct ffn *add(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t vendor, uint16_t device, uint8_t cls,
		       uint8_t sub, uint8_t pi)
{
	struct ffn *f = &fake[bus][dev][fn];
	f->present = true;
	memcpy(f->cfg + 0, &vendor, 2);
	memcpy(f->cfg + 2, &device, 2);
	f->cfg[PCI_REVISION] = 0x01;
	f->cfg[PCI_PROG_IF] = pi;
	f->cfg[PCI_SUBCLASS] = sub;
	f->cfg[PCI_CLASS] = cls;
	return f;
}

static void set32(struct ffn *f, uint16_t off, uint32_t v) { memcpy(f->cfg + off, &v, 4); }
static void set16(struct ffn *f, uint16_t off, uint16_t v) { memcpy(f->cfg + off, &v, 2); }

static void bar32(struct ffn *f, unsigned i, uint32_t value, uint32_t size)
{
	set32(f, (uint16_t)(PCI_BAR0 + 4 * i), value);
	f->bar_size[i] = size;
}

static void bar64(struct ffn *f, unsigned i, uint64_t value, uint64_t size)
{
	set32(f, (uint16_t)(PCI_BAR0 + 4 * i), (uint32_t)value | 0x4);
	set32(f, (uint16_t)(PCI_BAR0 + 4 * i + 4), (uint32_t)(value >> 32));
	f->bar64_size[i] = size;
	f->bar_hi[i + 1] = true;
}

static void bridge(struct ffn *f, uint8_t primary, uint8_t secondary, uint8_t subordinate)
{
	f->cfg[PCI_HEADER_TYPE] = 0x01;
	f->cfg[PCI_PRIMARY_BUS] = primary;
	f->cfg[PCI_SECONDARY_BUS] = secondary;
	f->cfg[PCI_SUBORDINATE] = subordinate;
}

/* cap: capability `id` at `off`, linking to `next`. */
static void cap(struct ffn *f, uint8_t off, uint8_t id, uint8_t next)
{
	f->cfg[off] = id;
	f->cfg[off + 1] = next;
}

static void ext_cap(struct ffn *f, uint16_t off, uint16_t id, uint16_t next)
{
	set32(f, off, (uint32_t)id | 1u << 16 | (uint32_t)next << 20);
}

/*
 * The machine:
 *   00:00.0 host bridge (BAR sizing with decoding on is allowed)
 *   00:01.0 multi-function: fn 0 VGA (32-bit prefetchable BAR0 16 MiB, BAR2 4 KiB), fn 1 absent, fn 2 serial (I/O BAR 8 ports)
 *   00:02.0 PCI bridge -> bus 1 (buses 1-2)
 *     01:00.0 xHCI: 64-bit BAR0 16 KiB above 4 GiB, caps MSI-X -> PCIe -> MSI, ext caps AER -> DSN
 *     01:03.0 PCI bridge -> bus 2
 *       02:05.0 NVMe with a 64-bit BAR of 8 GiB
 *   00:03.0 a bridge the firmware did not number (secondary 0)
 *   00:1f.0 single-function ISA bridge whose header says function 0 only (fn 3 exists but must not be seen)
 *   05:00.0 on another root bus (only found by the sweep), a looping capability list
 */
static void build_machine(void)
{
	fake = calloc(FBUSES, sizeof(*fake));
	assert_non_null(fake);
	struct ffn *f = add(0, 0, 0, 0x8086, 0x29c0, 0x06, 0x00, 0x00);
	set16(f, PCI_COMMAND, PCI_CMD_MEM);

	f = add(0, 1, 0, 0x1234, 0x1111, 0x03, 0x00, 0x00);
	f->cfg[PCI_HEADER_TYPE] = 0x80;
	set16(f, PCI_COMMAND, PCI_CMD_MEM | PCI_CMD_IO);
	bar32(f, 0, 0xC0000008, 16u << 20);
	bar32(f, 2, 0xC1011000, 4096);
	f->cfg[PCI_IRQ_PIN] = 0;
	f = add(0, 1, 2, 0x1b36, 0x0002, 0x07, 0x00, 0x02);
	set16(f, PCI_COMMAND, PCI_CMD_IO);
	bar32(f, 0, 0x6061, 8);
	f->cfg[PCI_IRQ_PIN] = 1;
	f->cfg[PCI_IRQ_LINE] = 11;

	f = add(0, 2, 0, 0x1b36, 0x000c, 0x06, 0x04, 0x00);
	bridge(f, 0, 1, 2);
	f = add(1, 0, 0, 0x1b36, 0x000d, 0x0C, 0x03, 0x30);
	set16(f, PCI_COMMAND, PCI_CMD_MEM | PCI_CMD_MASTER);
	set16(f, PCI_STATUS, PCI_STATUS_CAPS);
	bar64(f, 0, 0xE000000000ull, 16384);
	f->cfg[PCI_CAP_PTR] = 0x91;          /* low bits must be ignored */
	cap(f, 0x90, PCI_CAP_MSIX, 0xA0);
	cap(f, 0xA0, PCI_CAP_PCIE, 0x70);
	cap(f, 0x70, PCI_CAP_MSI, 0x00);
	ext_cap(f, 0x100, PCI_EXT_CAP_AER, 0x148);
	ext_cap(f, 0x148, PCI_EXT_CAP_DSN, 0);
	f = add(1, 3, 0, 0x1b36, 0x000c, 0x06, 0x04, 0x00);
	bridge(f, 1, 2, 2);
	f = add(2, 5, 0, 0x1b36, 0x0010, 0x01, 0x08, 0x02);
	set16(f, PCI_COMMAND, PCI_CMD_MEM);
	bar64(f, 0, 0x4000000000ull, 8ull << 30);

	f = add(0, 3, 0, 0x1b36, 0x000c, 0x06, 0x04, 0x00);
	bridge(f, 0, 0, 0);

	add(0, 0x1f, 0, 0x8086, 0x2918, 0x06, 0x01, 0x00);
	add(0, 0x1f, 3, 0x8086, 0x2930, 0x0C, 0x05, 0x00);

	f = add(5, 0, 0, 0x1af4, 0x1000, 0x02, 0x00, 0x00);
	set16(f, PCI_STATUS, PCI_STATUS_CAPS);
	f->cfg[PCI_CAP_PTR] = 0x40;
	cap(f, 0x40, PCI_CAP_VENDOR, 0x50);
	cap(f, 0x50, PCI_CAP_PM, 0x40);      /* loops back */
}

static int setup(void **state)
{
	(void)state;
	build_machine();
	probes_while_decoding = 0;
	dense = false;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(fake);
	fake = 0;
	return 0;
}

static unsigned scan_all(const struct pci_cfg_ops *o)
{
	const struct pci_cfg_ops *ops[1] = { o };
	struct pci_ecam seg = { 0, 0, 0, 255 };
	unsigned dropped;
	unsigned n = pci_scan(ops, &seg, 1, &dropped);
	assert_int_equal(dropped, 0);
	return n;
}

static void test_enumerates_every_bus(void **state)
{
	(void)state;
	assert_int_equal(scan_all(&fake_ops), 10);
	assert_int_equal(pci_count(), 10);
	/* sorted by bus, device, function */
	static const unsigned order[][3] = { { 0, 0, 0 }, { 0, 1, 0 }, { 0, 1, 2 }, { 0, 2, 0 }, { 0, 3, 0 },
					     { 0, 0x1f, 0 }, { 1, 0, 0 }, { 1, 3, 0 }, { 2, 5, 0 }, { 5, 0, 0 } };
	for (unsigned i = 0; i < 10; i++) {
		const struct pci_dev *d = pci_get(i);
		assert_non_null(d);
		assert_int_equal(d->seg, 0);
		assert_int_equal(d->bus, order[i][0]);
		assert_int_equal(d->dev, order[i][1]);
		assert_int_equal(d->fn, order[i][2]);
		assert_int_equal(d->cfg_size, 4096);
	}
	assert_null(pci_get(10));
	assert_null(pci_find_bdf(0, 0, 0x1f, 3));     /* fn 3 of a single-function device */
	assert_null(pci_find_bdf(0, 0, 1, 1));        /* absent function of a multi-function device */
	const struct pci_dev *d = pci_find_bdf(0, 0, 1, 2);
	assert_non_null(d);
	assert_int_equal(d->vendor, 0x1b36);
	assert_int_equal(d->device, 0x0002);
	assert_int_equal(d->class_code, 0x07);
	assert_int_equal(d->prog_if, 0x02);
	assert_int_equal(d->revision, 0x01);
	const struct pci_dev *br = pci_find_bdf(0, 0, 2, 0);
	assert_int_equal(br->header_type & 0x7F, 1);
	assert_int_equal(br->secondary_bus, 1);
	assert_int_equal(br->subordinate_bus, 2);
}

static void test_root_buses_only_where_no_bridge_leads(void **state)
{
	(void)state;
	/* With the sweep, bus 5 (no bridge leads there) is found; each bus is
	 * scanned once, so nothing appears twice. */
	scan_all(&fake_ops);
	for (unsigned i = 0; i + 1 < pci_count(); i++) {
		const struct pci_dev *a = pci_get(i), *b = pci_get(i + 1);
		assert_false(a->bus == b->bus && a->dev == b->dev && a->fn == b->fn);
	}
	assert_non_null(pci_find_bdf(0, 5, 0, 0));
	/* A segment starting at bus 5: the root is bus 5, buses below it are out of range. */
	const struct pci_cfg_ops *ops[1] = { &fake_ops };
	struct pci_ecam seg = { 0, 0, 5, 7 };
	unsigned dropped;
	assert_int_equal(pci_scan(ops, &seg, 1, &dropped), 1);
	assert_int_equal(pci_get(0)->bus, 5);
}

static void test_bars(void **state)
{
	(void)state;
	scan_all(&fake_ops);
	assert_int_equal(probes_while_decoding, 0);
	const struct pci_dev *vga = pci_find_class(0x03, 0x00, -1, 0);
	assert_non_null(vga);
	assert_int_equal(vga->bar[0].base, 0xC0000000);
	assert_int_equal(vga->bar[0].size, 16u << 20);
	assert_true(vga->bar[0].prefetch);
	assert_false(vga->bar[0].is64);
	assert_false(vga->bar[0].io);
	assert_int_equal(vga->bar[1].size, 0);
	assert_int_equal(vga->bar[2].base, 0xC1011000);
	assert_int_equal(vga->bar[2].size, 4096);
	/* the command register is back as it was, and so are the BARs */
	assert_int_equal(pci_read16(vga, PCI_COMMAND), PCI_CMD_MEM | PCI_CMD_IO);
	assert_int_equal(pci_read32(vga, PCI_BAR0), 0xC0000008);

	const struct pci_dev *ser = pci_find_class(0x07, 0x00, -1, 0);
	assert_true(ser->bar[0].io);
	assert_int_equal(ser->bar[0].base, 0x6060);
	assert_int_equal(ser->bar[0].size, 8);
	assert_int_equal(ser->irq_pin, 1);
	assert_int_equal(ser->irq_line, 11);

	const struct pci_dev *x = pci_find_class(0x0C, 0x03, 0x30, 0);
	assert_true(x->bar[0].is64);
	assert_int_equal(x->bar[0].base, 0xE000000000ull);
	assert_int_equal(x->bar[0].size, 16384);
	assert_int_equal(x->bar[1].size, 0);            /* the upper half */
	const struct pci_dev *nvme = pci_find_class(0x01, 0x08, 2, 0);
	assert_int_equal(nvme->bar[0].base, 0x4000000000ull);
	assert_int_equal(nvme->bar[0].size, 8ull << 30);
	assert_int_equal(pci_read32(nvme, PCI_BAR0 + 4), 0x40);
}

static void test_bar_decode(void **state)
{
	(void)state;
	struct pci_bar b;
	/* I/O BAR whose upper 16 bits are hardwired to 0 */
	assert_int_equal(pci_bar_decode(0xC001, 0, 0x0000FFE1, 0, &b), 1);
	assert_true(b.io);
	assert_int_equal(b.base, 0xC000);
	assert_int_equal(b.size, 32);
	/* 32-bit memory, 1 MiB */
	assert_int_equal(pci_bar_decode(0xFEB00000, 0, 0xFFF00000, 0, &b), 1);
	assert_int_equal(b.size, 1u << 20);
	assert_int_equal(b.base, 0xFEB00000);
	assert_false(b.is64);
	/* 64-bit prefetchable, 8 GiB: the low half's address bits are all zero */
	assert_int_equal(pci_bar_decode(0x0000000C, 0x80, 0x0000000C, 0xFFFFFFFE, &b), 2);
	assert_true(b.is64 && b.prefetch);
	assert_int_equal(b.size, 8ull << 30);
	assert_int_equal(b.base, 0x8000000000ull);
	/* not implemented: reads back 0 */
	assert_int_equal(pci_bar_decode(0, 0, 0, 0, &b), 1);
	assert_int_equal(b.size, 0);
	assert_int_equal(b.base, 0);
	/* an unimplemented 64-bit BAR still takes two slots */
	assert_int_equal(pci_bar_decode(0x4, 0, 0x4, 0, &b), 2);
	assert_int_equal(b.size, 0);
	/* type 1 (below 1 MiB, PCI 2.x): one slot */
	assert_int_equal(pci_bar_decode(0x000D0002, 0, 0xFFFF0002, 0, &b), 1);
	assert_int_equal(b.size, 65536);
}

static void test_caps(void **state)
{
	(void)state;
	scan_all(&fake_ops);
	const struct pci_dev *x = pci_find_class(0x0C, 0x03, 0x30, 0);
	assert_int_equal(pci_find_cap(x, PCI_CAP_MSIX), 0x90);
	assert_int_equal(pci_find_cap(x, PCI_CAP_PCIE), 0xA0);
	assert_int_equal(pci_find_cap(x, PCI_CAP_MSI), 0x70);
	assert_int_equal(pci_find_cap(x, PCI_CAP_PM), 0);
	uint8_t id;
	assert_int_equal(pci_next_cap(x, 0, &id), 0x90);
	assert_int_equal(id, PCI_CAP_MSIX);
	assert_int_equal(pci_next_cap(x, 0x70, &id), 0);
	assert_int_equal(pci_find_ext_cap(x, PCI_EXT_CAP_AER), 0x100);
	assert_int_equal(pci_find_ext_cap(x, PCI_EXT_CAP_DSN), 0x148);
	assert_int_equal(pci_find_ext_cap(x, PCI_EXT_CAP_VC), 0);
	/* no capabilities bit: no list, whatever the pointer says */
	const struct pci_dev *vga = pci_find_class(0x03, 0x00, -1, 0);
	assert_int_equal(pci_next_cap(vga, 0, &id), 0);
	assert_int_equal(pci_find_ext_cap(vga, PCI_EXT_CAP_AER), 0);
}

static void test_looping_cap_list_ends(void **state)
{
	(void)state;
	const struct pci_cfg_ops *ops[1] = { &fake_ops };
	struct pci_ecam seg = { 0, 0, 0, 255 };
	unsigned dropped;
	pci_scan(ops, &seg, 1, &dropped);
	const struct pci_dev *nic = pci_find_bdf(0, 5, 0, 0);
	assert_non_null(nic);                            /* another root bus, found by the sweep */
	assert_int_equal(pci_find_cap(nic, PCI_CAP_PM), 0x50);
	assert_int_equal(pci_find_cap(nic, PCI_CAP_MSI), 0); /* ends though the list loops */
	/* an extended-capability loop ends too */
	struct ffn *f = &fake[5][0][0];
	ext_cap(f, 0x100, PCI_EXT_CAP_AER, 0x100);
	assert_int_equal(pci_find_ext_cap(nic, PCI_EXT_CAP_DSN), 0);
}

static void test_cf8_sized_space(void **state)
{
	(void)state;
	scan_all(&fake_ops256);
	const struct pci_dev *x = pci_find_class(0x0C, 0x03, 0x30, 0);
	assert_int_equal(x->cfg_size, 256);
	assert_int_equal(pci_find_cap(x, PCI_CAP_MSIX), 0x90);
	assert_int_equal(pci_find_ext_cap(x, PCI_EXT_CAP_AER), 0); /* beyond mechanism #1's reach */
	assert_int_equal(pci_read32(x, 0x100), 0xFFFFFFFFu);
	assert_int_equal(pci_read16(x, 3), 0xFFFF);                /* misaligned */
}

static void test_access_widths_and_enable(void **state)
{
	(void)state;
	scan_all(&fake_ops);
	const struct pci_dev *ser = pci_find_class(0x07, 0x00, -1, 0);
	memset(accesses, 0, sizeof(accesses));
	memset(writes, 0, sizeof(writes));
	pci_enable(ser, true, false, true);
	assert_int_equal(accesses[2], 1);          /* a 16-bit read and a 16-bit write: */
	assert_int_equal(writes[2], 1);            /* no read-modify-write of the status register */
	assert_int_equal(writes[4] + writes[1] + accesses[4] + accesses[1], 0);
	assert_int_equal(pci_read16(ser, PCI_COMMAND), PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER);
	pci_enable(ser, false, false, false);      /* clears nothing */
	assert_int_equal(pci_read16(ser, PCI_COMMAND), PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER);
	pci_write8(ser, PCI_IRQ_LINE, 5);
	assert_int_equal(writes[1], 1);
	assert_int_equal(pci_read8(ser, PCI_IRQ_LINE), 5);
	assert_int_equal(pci_read8(ser, PCI_IRQ_PIN), 1);         /* its neighbour untouched */
	pci_write32(ser, 0x40, 0xA5A5A5A5u);
	assert_int_equal(writes[4], 1);
	assert_int_equal(pci_read32(ser, 0x40), 0xA5A5A5A5u);
	assert_int_equal(pci_read32(ser, PCI_VENDOR_ID), 0x00021b36);
}

static void test_find(void **state)
{
	(void)state;
	scan_all(&fake_ops);
	assert_non_null(pci_find_class(0x06, 0x04, -1, 0));
	assert_non_null(pci_find_class(0x06, 0x04, -1, 2));
	assert_null(pci_find_class(0x06, 0x04, -1, 3));
	assert_null(pci_find_class(0x0C, 0x03, 0x20, 0));
	assert_null(pci_find_bdf(1, 0, 0, 0));
	char buf[48];
	assert_string_equal(pci_class_name(0x0C, 0x03, 0x30, buf, sizeof(buf)), "USB xHCI controller");
	assert_string_equal(pci_class_name(0x0C, 0x03, 0x40, buf, sizeof(buf)), "USB controller");
	assert_string_equal(pci_class_name(0x11, 0x22, 0, buf, sizeof(buf)), "class 11.22");
	assert_string_equal(pci_cap_name(PCI_CAP_MSIX), "MSI-X");
	assert_null(pci_cap_name(0xEE));
}

static void test_table_limit(void **state)
{
	(void)state;
	dense = true; /* 2 buses x 32 devices x 8 functions = 512 */
	const struct pci_cfg_ops *ops[1] = { &fake_ops };
	struct pci_ecam seg = { 0, 0, 0, 255 };
	unsigned dropped;
	assert_int_equal(pci_scan(ops, &seg, 1, &dropped), PCI_MAX_DEVICES);
	assert_int_equal(dropped, 512 - PCI_MAX_DEVICES);
	dense = false;
}

static void test_bus_range_limits_scan(void **state)
{
	(void)state;
	/* A segment covering buses 0-1 only: bus 2 behind the bridge and bus 5 are out of range. */
	const struct pci_cfg_ops *ops[1] = { &fake_ops };
	struct pci_ecam seg = { 0, 0, 0, 1 };
	unsigned dropped;
	assert_int_equal(pci_scan(ops, &seg, 1, &dropped), 8);
	assert_null(pci_find_bdf(0, 2, 5, 0));
	assert_null(pci_find_bdf(0, 5, 0, 0));
}

/* An MCFG: header (36) + 8 reserved + entries of 16. */
static size_t mcfg(uint8_t *t, const uint64_t (*e)[4], unsigned n, unsigned extra)
{
	memset(t, 0, 44 + 16 * n + extra);
	memcpy(t, "MCFG", 4);
	uint32_t len = 44 + 16 * n + extra;
	memcpy(t + 4, &len, 4);
	for (unsigned i = 0; i < n; i++) {
		memcpy(t + 44 + 16 * i, &e[i][0], 8);
		uint16_t seg = (uint16_t)e[i][1];
		memcpy(t + 44 + 16 * i + 8, &seg, 2);
		t[44 + 16 * i + 10] = (uint8_t)e[i][2];
		t[44 + 16 * i + 11] = (uint8_t)e[i][3];
	}
	return len;
}

static void test_mcfg(void **state)
{
	(void)state;
	uint8_t t[256];
	struct pci_ecam out[4];
	unsigned bad;
	const uint64_t good[][4] = { { 0xB0000000, 0, 0, 255 }, { 0x3F000000000ull, 1, 0x80, 0x8F } };
	size_t len = mcfg(t, good, 2, 0);
	assert_int_equal(pci_mcfg_parse(t, (uint32_t)len, out, 4, &bad), 2);
	assert_int_equal(bad, 0);
	assert_int_equal(out[0].base, 0xB0000000);
	assert_int_equal(out[0].end_bus, 255);
	assert_int_equal(out[1].seg, 1);
	assert_int_equal(out[1].start_bus, 0x80);
	assert_int_equal(out[1].base, 0x3F000000000ull);

	const uint64_t bads[][4] = { { 0, 0, 0, 255 },             /* no base */
				     { 0xB0080000, 0, 0, 255 },     /* not 1 MiB aligned */
				     { 0xB0000000, 0, 9, 3 },       /* start > end */
				     { 0xFFFFFFFFFFF00000ull, 0, 0, 255 }, /* wraps */
				     { 0xE0000000, 2, 0, 63 } };
	len = mcfg(t, bads, 5, 0);
	assert_int_equal(pci_mcfg_parse(t, (uint32_t)len, out, 4, &bad), 1);
	assert_int_equal(bad, 4);
	assert_int_equal(out[0].seg, 2);

	len = mcfg(t, good, 2, 7);                                 /* a truncated third entry */
	assert_int_equal(pci_mcfg_parse(t, (uint32_t)len, out, 4, &bad), 2);
	assert_int_equal(bad, 1);
	assert_int_equal(pci_mcfg_parse(t, (uint32_t)len, out, 1, &bad), 1); /* more than max */
	assert_int_equal(bad, 2);
	assert_int_equal(pci_mcfg_parse(t, 43, out, 4, &bad), -1);
	assert_int_equal(pci_mcfg_parse(t, 44, out, 4, &bad), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_enumerates_every_bus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_root_buses_only_where_no_bridge_leads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bars, setup, teardown),
		cmocka_unit_test(test_bar_decode),
		cmocka_unit_test_setup_teardown(test_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_looping_cap_list_ends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cf8_sized_space, setup, teardown),
		cmocka_unit_test_setup_teardown(test_access_widths_and_enable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bus_range_limits_scan, setup, teardown),
		cmocka_unit_test(test_mcfg),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
