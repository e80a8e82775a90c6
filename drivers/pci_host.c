/*
 * pci_host.c — the kernel's PCI configuration access (ECAM through MCFG,
 * mechanism #1 at 0xCF8/0xCFC), pci_init and the `pci` monitor command; see
 * pci.h.
 */
#include "drivers/pci.h"
#include "drivers/acpi.h"
#include "drivers/portio.h"
#include "kernel/cmdline.h"
#include "kernel/klog.h"
#include "kernel/lib.h"
#include "kernel/param.h"
#include "kernel/vmm.h"

#define CF8_ADDR 0xCF8
#define CF8_DATA 0xCFC

struct ecam {
	volatile uint8_t *bus0;   /* virtual address of bus 0's configuration space */
};

static struct ecam ecams[PCI_MAX_ECAM];
static struct pci_cfg_ops ecam_ops[PCI_MAX_ECAM];
static struct pci_ecam ranges[PCI_MAX_ECAM];
static const struct pci_cfg_ops *range_ops[PCI_MAX_ECAM];
static unsigned nranges;
static const char *method = "none";

/* ---- ECAM (PCIe base spec 5.0 §7.2.2): bus << 20 | dev << 15 | fn << 12 | off ---- */

static volatile void *ecam_at(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	struct ecam *e = ctx;
	return e->bus0 + ((uint64_t)bus << 20 | (uint64_t)dev << 15 | (uint64_t)fn << 12 | off);
}

static uint32_t ecam_read(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, unsigned w)
{
	(void)seg;
	volatile void *p = ecam_at(ctx, bus, dev, fn, off);
	return w == 1 ? *(volatile uint8_t *)p : w == 2 ? *(volatile uint16_t *)p : *(volatile uint32_t *)p;
}

static void ecam_write(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, unsigned w,
		       uint32_t v)
{
	(void)seg;
	volatile void *p = ecam_at(ctx, bus, dev, fn, off);
	if (w == 1)
		*(volatile uint8_t *)p = (uint8_t)v;
	else if (w == 2)
		*(volatile uint16_t *)p = (uint16_t)v;
	else
		*(volatile uint32_t *)p = v;
}

/* ---- configuration mechanism #1 (PCI LB 3.0 §3.2.2.3.2) ---- */

static uint32_t cf8_read(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, unsigned w)
{
	(void)ctx, (void)seg;
	outl(CF8_ADDR, 0x80000000u | (uint32_t)bus << 16 | (uint32_t)dev << 11 | (uint32_t)fn << 8 | (off & 0xFC));
	uint16_t port = (uint16_t)(CF8_DATA + (off & 3));
	return w == 1 ? inb(port) : w == 2 ? inw(port) : inl(port);
}

static void cf8_write(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, unsigned w,
		      uint32_t v)
{
	(void)ctx, (void)seg;
	outl(CF8_ADDR, 0x80000000u | (uint32_t)bus << 16 | (uint32_t)dev << 11 | (uint32_t)fn << 8 | (off & 0xFC));
	uint16_t port = (uint16_t)(CF8_DATA + (off & 3));
	if (w == 1)
		outb(port, (uint8_t)v);
	else if (w == 2)
		outw(port, (uint16_t)v);
	else
		outl(port, v);
}

static const struct pci_cfg_ops cf8_ops = { cf8_read, cf8_write, 0, 256, "CF8" };

/* cf8_present: the address register holds what is written to it (the check
 * Linux's pci_check_type1 makes). */
static bool cf8_present(void)
{
	outb(0xCFB, 0x01);
	uint32_t saved = inl(CF8_ADDR);
	outl(CF8_ADDR, 0x80000000u);
	bool ok = inl(CF8_ADDR) == 0x80000000u;
	outl(CF8_ADDR, saved);
	return ok;
}

/* ecam_setup: one access range per usable MCFG entry; returns how many. */
static unsigned ecam_setup(bool cf8)
{
	const uint8_t *mcfg = acpi_find_table("MCFG", 0);
	if (!mcfg) {
		kinfo("pci", "no ACPI MCFG table: configuration mechanism #1 (0xCF8/0xCFC)");
		return 0;
	}
	uint32_t len;
	memcpy(&len, mcfg + 4, 4);
	struct pci_ecam found[PCI_MAX_ECAM];
	unsigned bad;
	int n = pci_mcfg_parse(mcfg, len, found, PCI_MAX_ECAM, &bad);
	if (n < 0) {
		kwarn("pci", "MCFG of %u bytes is shorter than its header: ignored", len);
		return 0;
	}
	if (bad)
		kwarn("pci", "MCFG: %u entries unusable (zero or misaligned base, bad bus range, or more than %u)", bad,
		      PCI_MAX_ECAM);
	unsigned used = 0;
	for (int i = 0; i < n; i++) {
		struct pci_ecam *r = &found[i];
		uint64_t first = r->base + ((uint64_t)r->start_bus << 20);
		uint64_t size = ((uint64_t)r->end_bus - r->start_bus + 1) << 20;
		uint8_t *p = vmm_map(first, size, VMM_UC);
		if (!p) {
			kwarn("pci", "ECAM at 0x%llx (segment %u): cannot map it; left out", (unsigned long long)first, r->seg);
			continue;
		}
		ecams[used].bus0 = p - ((uint64_t)r->start_bus << 20);
		ecam_ops[used] = (struct pci_cfg_ops){ ecam_read, ecam_write, &ecams[used], 4096, "ECAM" };
		if (cf8 && r->seg == 0) {
			/* Firmware has been known to describe ECAM that does not decode:
			 * compare the root bus's device 0 with mechanism #1. */
			uint32_t via_ecam = ecam_read(&ecams[used], 0, r->start_bus, 0, 0, 0, 4);
			uint32_t via_cf8 = cf8_read(0, 0, r->start_bus, 0, 0, 0, 4);
			if (via_ecam != via_cf8) {
				kwarn("pci", "ECAM at 0x%llx reads %02x:00.0 as 0x%08x, 0xCF8 as 0x%08x: ECAM not used",
				      (unsigned long long)r->base, r->start_bus, via_ecam, via_cf8);
				continue;
			}
		}
		kinfo("pci", "ECAM segment %u buses %02x-%02x at 0x%llx (MCFG), mapped uncached", r->seg, r->start_bus,
		      r->end_bus, (unsigned long long)first);
		ranges[used] = *r;
		range_ops[used] = &ecam_ops[used];
		used++;
	}
	return used;
}

static void bdf_text(const struct pci_dev *d, char *buf, unsigned n)
{
	if (d->seg)
		snprintf(buf, n, "%04x:%02x:%02x.%u", d->seg, d->bus, d->dev, d->fn);
	else
		snprintf(buf, n, "%02x:%02x.%u", d->bus, d->dev, d->fn);
}

void pci_init(void)
{
	const char *opt = cmdline_get("pci");
	if (opt && !strcmp(opt, "off")) {
		kinfo("pci", "pci=off: PCI not scanned");
		return;
	}
	if (opt && strcmp(opt, "cf8") && strcmp(opt, "ecam"))
		kwarn("pci", "pci=%s unknown (off, cf8, ecam); using the default", opt);
	bool cf8 = cf8_present();
	nranges = 0;
	if (opt && !strcmp(opt, "cf8"))
		kinfo("pci", "pci=cf8: configuration mechanism #1 (0xCF8/0xCFC), MCFG not used");
	else
		nranges = ecam_setup(cf8);
	if (nranges) {
		method = "ECAM";
	} else if (cf8) {
		ranges[0] = (struct pci_ecam){ 0, 0, 0, 255 };
		range_ops[0] = &cf8_ops;
		nranges = 1;
		method = "CF8";
	} else {
		kwarn("pci", "neither ECAM nor configuration mechanism #1 works: no PCI devices");
		return;
	}
	unsigned dropped;
	unsigned n = pci_scan(range_ops, ranges, nranges, &dropped);
	if (dropped)
		kwarn("pci", "%u more functions than the %u kept (PCI_MAX_DEVICES)", dropped, PCI_MAX_DEVICES);
	unsigned buses = 0, last = 0x10000;
	for (unsigned i = 0; i < n; i++) {
		const struct pci_dev *d = pci_get(i);
		unsigned b = (unsigned)d->seg << 8 | d->bus;
		buses += b != last;
		last = b;
	}
	kinfo("pci", "%u functions on %u bus%s through %s", n, buses, buses == 1 ? "" : "es", method);
	for (unsigned i = 0; i < n; i++) {
		const struct pci_dev *d = pci_get(i);
		char bdf[16], cls[48];
		bdf_text(d, bdf, sizeof(bdf));
		kinfo("pci", "%s %04x:%04x %s [%02x.%02x.%02x]", bdf, d->vendor, d->device,
		      pci_class_name(d->class_code, d->subclass, d->prog_if, cls, sizeof(cls)), d->class_code,
		      d->subclass, d->prog_if);
	}
}

const char *pci_method(void) { return method; }

/* ---- the monitor command ---- */

static void size_text(uint64_t n, char *buf, unsigned cap)
{
	static const char *const unit[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
	unsigned u = 0;
	while (u < 4 && n >= 1024 && n % 1024 == 0) {
		n /= 1024;
		u++;
	}
	snprintf(buf, cap, "%llu %s", (unsigned long long)n, unit[u]);
}

static void print_dev(const struct pci_dev *d)
{
	char bdf[16], cls[48], sz[24];
	bdf_text(d, bdf, sizeof(bdf));
	kprintf("%s %04x:%04x rev %02x %s [%02x.%02x.%02x]", bdf, d->vendor, d->device, d->revision,
		pci_class_name(d->class_code, d->subclass, d->prog_if, cls, sizeof(cls)), d->class_code, d->subclass,
		d->prog_if);
	if (d->irq_pin >= 1 && d->irq_pin <= 4)
		kprintf(" IRQ pin %c line %u", 'A' + d->irq_pin - 1, d->irq_line);
	if ((d->header_type & 0x7F) == 1)
		kprintf(" buses %02x-%02x", d->secondary_bus, d->subordinate_bus);
	kprintf("\n");
	for (unsigned i = 0; i < 6; i++) {
		const struct pci_bar *b = &d->bar[i];
		if (!b->size)
			continue;
		size_text(b->size, sz, sizeof(sz));
		kprintf("    BAR%u %s%s 0x%llx %s\n", i, b->io ? "io" : b->is64 ? "mem64" : "mem32",
			b->prefetch ? " prefetchable" : "", (unsigned long long)b->base, sz);
	}
	uint8_t id;
	uint16_t off = 0, xid;
	unsigned n = 0;
	while (n < PCI_MAX_CAPS && (off = pci_next_cap(d, off, &id))) {
		const char *name = pci_cap_name(id);
		if (!n++)
			kprintf("    caps:");
		if (name)
			kprintf(" %s(%02x)@%02x", name, id, off);
		else
			kprintf(" %02x@%02x", id, off);
	}
	off = 0;
	unsigned m = 0;
	while (m < PCI_MAX_EXT_CAPS && (off = pci_next_ext_cap(d, off, &xid))) {
		const char *name = pci_ext_cap_name(xid);
		if (!m++ && !n)
			kprintf("    caps:");
		if (name)
			kprintf(" %s(%04x)@%03x", name, xid, off);
		else
			kprintf(" ext-%04x@%03x", xid, off);
	}
	if (n || m)
		kprintf("\n");
}

/* parse_bdf: "BB:DD.F" or "SSSS:BB:DD.F", hex. */
static const struct pci_dev *parse_bdf(const char *s)
{
	unsigned v[4], k = 0;
	char sep[4] = { 0 };
	while (k < 4) {
		unsigned x = 0, digits = 0;
		for (; *s; s++, digits++) {
			char c = *s;
			unsigned h = c >= '0' && c <= '9' ? (unsigned)(c - '0') : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
				   : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16;
			if (h == 16)
				break;
			x = x * 16 + h;
			if (x > 0xFFFF)
				return 0;
		}
		if (!digits)
			return 0;
		v[k] = x;
		sep[k++] = *s;
		if (!*s)
			break;
		s++;
	}
	if (k == 3 && sep[0] == ':' && sep[1] == '.' && v[0] < 256 && v[1] < 32 && v[2] < 8)
		return pci_find_bdf(0, (uint8_t)v[0], (uint8_t)v[1], (uint8_t)v[2]);
	if (k == 4 && sep[0] == ':' && sep[1] == ':' && sep[2] == '.' && v[1] < 256 && v[2] < 32 && v[3] < 8)
		return pci_find_bdf((uint16_t)v[0], (uint8_t)v[1], (uint8_t)v[2], (uint8_t)v[3]);
	return 0;
}

static void cmd_read(int argc, char **argv)
{
	const struct pci_dev *d = argc >= 3 ? parse_bdf(argv[2]) : 0;
	if (argc >= 3 && !d) {
		kprintf("no function %s (pci lists them)\n", argv[2]);
		return;
	}
	uint64_t bar, off, width = 4;
	const char *bs = argc >= 4 && !strncmp(argv[3], "bar", 3) ? argv[3] + 3 : argc >= 4 ? argv[3] : "";
	if (argc < 5 || argc > 6 || !d || parse_u64(bs, &bar) || bar > 5 || parse_u64(argv[4], &off) ||
	    (argc == 6 && parse_u64(argv[5], &width)) || (width != 1 && width != 2 && width != 4) || off % width) {
		kprintf("usage: pci read BB:DD.F BAR OFF [1|2|4]  (a function `pci` lists; OFF aligned to the width)\n");
		return;
	}
	const struct pci_bar *b = &d->bar[bar];
	if (!b->size || !b->base || off + width > b->size) {
		kprintf("BAR%llu of %s is %s\n", (unsigned long long)bar, argv[2],
			!b->size ? "not implemented" : !b->base ? "not assigned an address" : "smaller than OFF + width");
		return;
	}
	uint16_t cmd = pci_read16(d, PCI_COMMAND), want = b->io ? PCI_CMD_IO : PCI_CMD_MEM;
	if (!(cmd & want)) {
		pci_enable(d, !b->io, b->io, false);
		kprintf("(%s decoding was off: turned on)\n", b->io ? "I/O" : "memory");
	}
	uint32_t v;
	if (b->io) {
		uint16_t port = (uint16_t)(b->base + off);
		v = width == 1 ? inb(port) : width == 2 ? inw(port) : inl(port);
		kprintf("%s BAR%llu io 0x%llx + 0x%llx = 0x%0*x\n", argv[2], (unsigned long long)bar,
			(unsigned long long)b->base, (unsigned long long)off, (int)width * 2, v);
		return;
	}
	enum vmm_type type = VMM_UC;
	volatile uint8_t *p = vmm_map(b->base, b->size, type);
	if (!p && b->prefetch)
		p = vmm_map(b->base, b->size, type = VMM_WC);
	if (!p) {
		kprintf("BAR%llu at 0x%llx cannot be mapped (see the log)\n", (unsigned long long)bar,
			(unsigned long long)b->base);
		return;
	}
	p += off;
	v = width == 1 ? *(volatile uint8_t *)p : width == 2 ? *(volatile uint16_t *)p : *(volatile uint32_t *)p;
	kprintf("%s BAR%llu %s 0x%llx mapped %s at %p%s: + 0x%llx = 0x%0*x\n", argv[2], (unsigned long long)bar,
		b->is64 ? "mem64" : "mem32", (unsigned long long)b->base, vmm_type_name(type), (void *)(p - off),
		b->base >= vmm_identity_top() ? " (above the identity map)" : "", (unsigned long long)off,
		(int)width * 2, v);
}

void pci_monitor_cmd(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "read")) {
		cmd_read(argc, argv);
		return;
	}
	if (argc == 2) {
		const struct pci_dev *d = parse_bdf(argv[1]);
		if (!d) {
			kprintf("no function %s (pci lists them; pci BB:DD.F, pci read BB:DD.F BAR OFF [1|2|4])\n", argv[1]);
			return;
		}
		print_dev(d);
		for (unsigned off = 0; off < 256; off += 16) {
			kprintf("    %03x:", off);
			for (unsigned i = 0; i < 16; i += 4)
				kprintf(" %08x", pci_read32(d, (uint16_t)(off + i)));
			kprintf("\n");
		}
		return;
	}
	kprintf("%u PCI functions through %s\n", pci_count(), method);
	for (unsigned i = 0; i < pci_count(); i++)
		print_dev(pci_get(i));
}
