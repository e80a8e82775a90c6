/*
 * pci.c — PCI enumeration, BARs and capabilities over any configuration
 * access mechanism; see pci.h. Portable: no port I/O, no MMIO here.
 */
#include "drivers/pci.h"
#include "kernel/param.h"
#include "pxvm/port.h"

#define MCFG_HEADER 44u   /* 36-byte SDT header + 8 reserved */
#define MCFG_ENTRY 16u

static struct pci_dev devs[PCI_MAX_DEVICES];
static unsigned ndevs;
static const struct pci_cfg_ops *seg_ops[PCI_MAX_ECAM];
static struct pci_ecam seg_range[PCI_MAX_ECAM];
static unsigned nsegs;

/* ---- MCFG and BARs: pure decoding ---- */

int pci_mcfg_parse(const void *table, uint32_t len, struct pci_ecam *out, unsigned max, unsigned *bad)
{
	const uint8_t *t = table;
	*bad = 0;
	if (len < MCFG_HEADER)
		return -1;
	unsigned n = 0;
	for (uint32_t off = MCFG_HEADER; off + MCFG_ENTRY <= len; off += MCFG_ENTRY) {
		struct pci_ecam e;
		memcpy(&e.base, t + off, 8);
		memcpy(&e.seg, t + off + 8, 2);
		e.start_bus = t[off + 10];
		e.end_bus = t[off + 11];
		uint64_t top = e.base + ((uint64_t)e.end_bus + 1) * (1u << 20);
		if (!e.base || e.base & ((1u << 20) - 1) || e.start_bus > e.end_bus || top < e.base ||
		    top > (1ull << 52) || n == max) {
			(*bad)++;
			continue;
		}
		out[n++] = e;
	}
	if ((len - MCFG_HEADER) % MCFG_ENTRY)
		(*bad)++; /* a truncated entry at the end */
	return (int)n;
}

unsigned pci_bar_decode(uint32_t lo, uint32_t hi, uint32_t lo_probe, uint32_t hi_probe, struct pci_bar *out)
{
	memset(out, 0, sizeof(*out));
	if (lo & 1) {                           /* I/O space */
		uint32_t mask = lo_probe & ~3u;
		out->io = true;
		out->size = mask & -mask;
		out->base = out->size ? lo & ~3u : 0;
		return 1;
	}
	unsigned type = (lo >> 1) & 3;           /* 0: 32-bit, 1: below 1 MiB (PCI 2.x), 2: 64-bit */
	out->prefetch = (lo >> 3) & 1;
	uint64_t mask = lo_probe & ~0xFu;
	uint64_t base = lo & ~0xFu;
	if (type == 2) {
		out->is64 = true;
		mask |= (uint64_t)hi_probe << 32;
		base |= (uint64_t)hi << 32;
	}
	out->size = mask & -mask;
	out->base = out->size ? base : 0;
	if (!out->size)
		out->prefetch = false;
	return type == 2 ? 2 : 1;
}

/* ---- configuration access through the segment's mechanism ---- */

static const struct pci_cfg_ops *ops_for(const struct pci_dev *d)
{
	for (unsigned i = 0; i < nsegs; i++)
		if (seg_range[i].seg == d->seg && d->bus >= seg_range[i].start_bus && d->bus <= seg_range[i].end_bus)
			return seg_ops[i];
	return 0;
}

static uint32_t cfg_read(const struct pci_dev *d, uint16_t off, unsigned width)
{
	const struct pci_cfg_ops *o = ops_for(d);
	if (!o || off % width || off + width > d->cfg_size)
		return 0xFFFFFFFFu >> (32 - 8 * width);
	return o->read(o->ctx, d->seg, d->bus, d->dev, d->fn, off, width);
}

static void cfg_write(const struct pci_dev *d, uint16_t off, unsigned width, uint32_t v)
{
	const struct pci_cfg_ops *o = ops_for(d);
	if (o && !(off % width) && off + width <= d->cfg_size)
		o->write(o->ctx, d->seg, d->bus, d->dev, d->fn, off, width, v);
}

uint8_t pci_read8(const struct pci_dev *d, uint16_t off) { return (uint8_t)cfg_read(d, off, 1); }
uint16_t pci_read16(const struct pci_dev *d, uint16_t off) { return (uint16_t)cfg_read(d, off, 2); }
uint32_t pci_read32(const struct pci_dev *d, uint16_t off) { return cfg_read(d, off, 4); }
void pci_write8(const struct pci_dev *d, uint16_t off, uint8_t v) { cfg_write(d, off, 1, v); }
void pci_write16(const struct pci_dev *d, uint16_t off, uint16_t v) { cfg_write(d, off, 2, v); }
void pci_write32(const struct pci_dev *d, uint16_t off, uint32_t v) { cfg_write(d, off, 4, v); }

void pci_enable(const struct pci_dev *d, bool mem, bool io, bool bus_master)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);
	cmd |= (mem ? PCI_CMD_MEM : 0) | (io ? PCI_CMD_IO : 0) | (bus_master ? PCI_CMD_MASTER : 0);
	pci_write16(d, PCI_COMMAND, cmd);
}

/* ---- capabilities ---- */

uint16_t pci_next_cap(const struct pci_dev *d, uint16_t off, uint8_t *id)
{
	uint8_t ptr;
	if (off == 0) {
		if (!(pci_read16(d, PCI_STATUS) & PCI_STATUS_CAPS) || (d->header_type & 0x7F) > 2)
			return 0;
		ptr = pci_read8(d, (d->header_type & 0x7F) == 2 ? PCI_CB_CAP_PTR : PCI_CAP_PTR);
	} else {
		ptr = pci_read8(d, (uint16_t)(off + 1));
	}
	ptr &= 0xFC;
	if (ptr < 0x40)
		return 0;
	*id = pci_read8(d, ptr);
	return ptr;
}

uint16_t pci_find_cap(const struct pci_dev *d, uint8_t cap_id)
{
	uint16_t off = 0;
	uint8_t id;
	for (unsigned n = 0; n < PCI_MAX_CAPS; n++) {
		off = pci_next_cap(d, off, &id);
		if (!off)
			return 0;
		if (id == cap_id)
			return off;
	}
	return 0;
}

uint16_t pci_next_ext_cap(const struct pci_dev *d, uint16_t off, uint16_t *id)
{
	if (d->cfg_size < 4096)
		return 0;
	uint16_t at = off == 0 ? 0x100 : (uint16_t)((pci_read32(d, off) >> 20) & 0xFFC);
	if (at < 0x100)
		return 0;
	uint32_t h = pci_read32(d, at);
	if (h == 0 || h == 0xFFFFFFFFu)
		return 0;
	*id = (uint16_t)h;
	return at;
}

uint16_t pci_find_ext_cap(const struct pci_dev *d, uint16_t cap_id)
{
	uint16_t off = 0, id;
	for (unsigned n = 0; n < PCI_MAX_EXT_CAPS; n++) {
		off = pci_next_ext_cap(d, off, &id);
		if (!off)
			return 0;
		if (id == cap_id)
			return off;
	}
	return 0;
}

/* ---- enumeration ---- */

struct scan {
	const struct pci_cfg_ops *o;
	const struct pci_ecam *s;
	uint8_t visited[32];      /* one bit per bus */
	uint8_t stack[256];       /* buses waiting to be scanned */
	unsigned depth;
	unsigned dropped;
};

static uint32_t rd(struct scan *sc, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, unsigned w)
{
	return sc->o->read(sc->o->ctx, sc->s->seg, bus, dev, fn, off, w);
}

static void wr(struct scan *sc, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, unsigned w, uint32_t v)
{
	sc->o->write(sc->o->ctx, sc->s->seg, bus, dev, fn, off, w, v);
}

static bool visited(const struct scan *sc, unsigned bus) { return (sc->visited[bus / 8] >> (bus % 8)) & 1; }

static void push_bus(struct scan *sc, unsigned bus)
{
	if (bus < sc->s->start_bus || bus > sc->s->end_bus || visited(sc, bus))
		return;
	sc->visited[bus / 8] |= (uint8_t)(1u << (bus % 8));
	sc->stack[sc->depth++] = (uint8_t)bus; /* at most 256: each bus once */
}

/* size_bars: base and size of each BAR, decoding off meanwhile (§6.2.5.1). */
static void size_bars(struct scan *sc, struct pci_dev *d, unsigned nbars)
{
	uint16_t cmd = (uint16_t)rd(sc, d->bus, d->dev, d->fn, PCI_COMMAND, 2);
	bool keep_on = d->class_code == 0x06 && d->subclass == 0x00; /* a host bridge */
	if (!keep_on && (cmd & (PCI_CMD_IO | PCI_CMD_MEM)))
		wr(sc, d->bus, d->dev, d->fn, PCI_COMMAND, 2, cmd & ~(PCI_CMD_IO | PCI_CMD_MEM));
	for (unsigned i = 0; i < nbars;) {
		uint16_t off = (uint16_t)(PCI_BAR0 + 4 * i);
		uint32_t lo = rd(sc, d->bus, d->dev, d->fn, off, 4), hi = 0, lo_p, hi_p = 0;
		wr(sc, d->bus, d->dev, d->fn, off, 4, 0xFFFFFFFFu);
		lo_p = rd(sc, d->bus, d->dev, d->fn, off, 4);
		wr(sc, d->bus, d->dev, d->fn, off, 4, lo);
		if (!(lo & 1) && ((lo >> 1) & 3) == 2 && i + 1 < nbars) {
			hi = rd(sc, d->bus, d->dev, d->fn, off + 4, 4);
			wr(sc, d->bus, d->dev, d->fn, off + 4, 4, 0xFFFFFFFFu);
			hi_p = rd(sc, d->bus, d->dev, d->fn, off + 4, 4);
			wr(sc, d->bus, d->dev, d->fn, off + 4, 4, hi);
		}
		i += pci_bar_decode(lo, hi, lo_p, hi_p, &d->bar[i]);
	}
	if (!keep_on && (cmd & (PCI_CMD_IO | PCI_CMD_MEM)))
		wr(sc, d->bus, d->dev, d->fn, PCI_COMMAND, 2, cmd);
}

static void add_function(struct scan *sc, uint8_t bus, uint8_t dev, uint8_t fn, uint32_t id)
{
	if (ndevs == PCI_MAX_DEVICES) {
		sc->dropped++;
		return;
	}
	struct pci_dev *d = &devs[ndevs++];
	memset(d, 0, sizeof(*d));
	d->seg = sc->s->seg;
	d->bus = bus;
	d->dev = dev;
	d->fn = fn;
	d->vendor = (uint16_t)id;
	d->device = (uint16_t)(id >> 16);
	uint32_t cls = rd(sc, bus, dev, fn, PCI_REVISION, 4);
	d->revision = (uint8_t)cls;
	d->prog_if = (uint8_t)(cls >> 8);
	d->subclass = (uint8_t)(cls >> 16);
	d->class_code = (uint8_t)(cls >> 24);
	d->header_type = (uint8_t)rd(sc, bus, dev, fn, PCI_HEADER_TYPE, 1);
	d->cfg_size = sc->o->cfg_size;
	unsigned type = d->header_type & 0x7F;
	if (type <= 1) {
		d->irq_line = (uint8_t)rd(sc, bus, dev, fn, PCI_IRQ_LINE, 1);
		d->irq_pin = (uint8_t)rd(sc, bus, dev, fn, PCI_IRQ_PIN, 1);
		size_bars(sc, d, type == 0 ? 6 : 2);
	}
	if (type == 1 || type == 2) {
		d->secondary_bus = (uint8_t)rd(sc, bus, dev, fn, PCI_SECONDARY_BUS, 1);
		d->subordinate_bus = (uint8_t)rd(sc, bus, dev, fn, PCI_SUBORDINATE, 1);
		if (d->secondary_bus > bus)
			push_bus(sc, d->secondary_bus); /* 0 or <= bus: not numbered by the firmware */
	}
}

static bool present(uint32_t id)
{
	uint16_t vendor = (uint16_t)id;
	return vendor != 0xFFFF && vendor != 0x0000;
}

static void scan_bus(struct scan *sc, uint8_t bus)
{
	for (uint8_t dev = 0; dev < 32; dev++) {
		uint32_t id = rd(sc, bus, dev, 0, PCI_VENDOR_ID, 4);
		if (!present(id))
			continue;
		bool multi = rd(sc, bus, dev, 0, PCI_HEADER_TYPE, 1) & 0x80;
		add_function(sc, bus, dev, 0, id);
		for (uint8_t fn = 1; multi && fn < 8; fn++) {
			id = rd(sc, bus, dev, fn, PCI_VENDOR_ID, 4);
			if (present(id))
				add_function(sc, bus, dev, fn, id);
		}
	}
}

static void drain(struct scan *sc)
{
	while (sc->depth)
		scan_bus(sc, sc->stack[--sc->depth]);
}

static uint64_t key(const struct pci_dev *d)
{
	return ((uint64_t)d->seg << 24) | ((uint64_t)d->bus << 16) | ((uint64_t)d->dev << 8) | d->fn;
}

unsigned pci_scan(const struct pci_cfg_ops *const *ops, const struct pci_ecam *segs, unsigned nseg,
		  unsigned *dropped)
{
	ndevs = 0;
	nsegs = 0;
	*dropped = 0;
	for (unsigned i = 0; i < nseg && i < PCI_MAX_ECAM; i++) {
		seg_ops[nsegs] = ops[i];
		seg_range[nsegs++] = segs[i];
	}
	for (unsigned i = 0; i < nsegs; i++) {
		struct scan sc;
		memset(&sc, 0, sizeof(sc));
		sc.o = seg_ops[i];
		sc.s = &seg_range[i];
		push_bus(&sc, sc.s->start_bus);   /* the root bus and what hangs below it */
		drain(&sc);
		for (unsigned bus = sc.s->start_bus; bus <= sc.s->end_bus; bus++) {
			push_bus(&sc, bus);           /* buses of other host bridges */
			drain(&sc);
		}
		*dropped += sc.dropped;
	}
	for (unsigned i = 1; i < ndevs; i++) {    /* insertion sort by seg:bus:dev.fn */
		struct pci_dev d = devs[i];
		unsigned j = i;
		for (; j > 0 && key(&devs[j - 1]) > key(&d); j--)
			devs[j] = devs[j - 1];
		devs[j] = d;
	}
	return ndevs;
}

unsigned pci_count(void) { return ndevs; }

const struct pci_dev *pci_get(unsigned i) { return i < ndevs ? &devs[i] : 0; }

const struct pci_dev *pci_find_class(uint8_t cls, uint8_t sub, int prog_if, unsigned index)
{
	for (unsigned i = 0; i < ndevs; i++) {
		const struct pci_dev *d = &devs[i];
		if (d->class_code == cls && d->subclass == sub && (prog_if < 0 || d->prog_if == prog_if) &&
		    index-- == 0)
			return d;
	}
	return 0;
}

const struct pci_dev *pci_find_bdf(uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn)
{
	for (unsigned i = 0; i < ndevs; i++)
		if (devs[i].seg == seg && devs[i].bus == bus && devs[i].dev == dev && devs[i].fn == fn)
			return &devs[i];
	return 0;
}

/* ---- names ---- */

static const struct {
	uint8_t cls, sub;
	int16_t prog_if;   /* -1: any */
	const char *name;
} class_names[] = {
	{ 0x01, 0x01, -1, "IDE controller" },
	{ 0x01, 0x06, 0x01, "SATA controller (AHCI)" },
	{ 0x01, 0x06, -1, "SATA controller" },
	{ 0x01, 0x08, 0x02, "NVMe controller" },
	{ 0x01, 0x00, -1, "SCSI controller" },
	{ 0x01, 0x80, -1, "storage controller" },
	{ 0x02, 0x00, -1, "Ethernet controller" },
	{ 0x02, 0x80, -1, "network controller" },
	{ 0x03, 0x00, -1, "VGA controller" },
	{ 0x03, 0x80, -1, "display controller" },
	{ 0x04, 0x03, -1, "audio device" },
	{ 0x06, 0x00, -1, "host bridge" },
	{ 0x06, 0x01, -1, "ISA bridge" },
	{ 0x06, 0x04, -1, "PCI bridge" },
	{ 0x06, 0x80, -1, "bridge" },
	{ 0x07, 0x00, -1, "serial controller (16550-compatible)" },
	{ 0x07, 0x80, -1, "communication controller" },
	{ 0x08, 0x00, -1, "interrupt controller" },
	{ 0x08, 0x80, -1, "system peripheral" },
	{ 0x0C, 0x03, 0x00, "USB UHCI controller" },
	{ 0x0C, 0x03, 0x10, "USB OHCI controller" },
	{ 0x0C, 0x03, 0x20, "USB EHCI controller" },
	{ 0x0C, 0x03, 0x30, "USB xHCI controller" },
	{ 0x0C, 0x03, -1, "USB controller" },
	{ 0x0C, 0x05, -1, "SMBus controller" },
};

const char *pci_class_name(uint8_t cls, uint8_t sub, uint8_t prog_if, char *buf, unsigned n)
{
	for (unsigned i = 0; i < sizeof(class_names) / sizeof(class_names[0]); i++)
		if (class_names[i].cls == cls && class_names[i].sub == sub &&
		    (class_names[i].prog_if < 0 || class_names[i].prog_if == prog_if)) {
			snprintf(buf, n, "%s", class_names[i].name);
			return buf;
		}
	snprintf(buf, n, "class %02x.%02x", cls, sub);
	return buf;
}

const char *pci_cap_name(uint8_t id)
{
	switch (id) {
	case PCI_CAP_PM: return "PM";
	case 0x02: return "AGP";
	case 0x03: return "VPD";
	case 0x04: return "slot-id";
	case PCI_CAP_MSI: return "MSI";
	case 0x06: return "hot-swap";
	case 0x07: return "PCI-X";
	case 0x08: return "HyperTransport";
	case PCI_CAP_VENDOR: return "vendor";
	case 0x0A: return "debug-port";
	case 0x0C: return "hot-plug";
	case 0x0D: return "bridge-subsys";
	case PCI_CAP_PCIE: return "PCIe";
	case PCI_CAP_MSIX: return "MSI-X";
	case PCI_CAP_SATA: return "SATA";
	case 0x13: return "AF";
	case 0x14: return "EA";
	default: return 0;
	}
}

const char *pci_ext_cap_name(uint16_t id)
{
	switch (id) {
	case PCI_EXT_CAP_AER: return "AER";
	case PCI_EXT_CAP_VC: return "VC";
	case PCI_EXT_CAP_DSN: return "serial-number";
	case 0x000B: return "vendor";
	case 0x000D: return "ACS";
	case 0x000E: return "ARI";
	case 0x0010: return "SR-IOV";
	case 0x0015: return "resizable-BAR";
	case 0x0018: return "LTR";
	case 0x0019: return "secondary-PCIe";
	case 0x001E: return "L1-PM";
	default: return 0;
	}
}
