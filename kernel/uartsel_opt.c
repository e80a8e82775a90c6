/*
 * uartsel_opt.c — the `serial=` option and the memory-map check, portable;
 * see uartsel.h.
 */
#include "uartsel.h"
#include "pxvm/port.h"
#include "numparse.h"
#include "boot/bootinfo.h"

#define BAUD_MAX  4000000u
#define CLOCK_MIN 16u
#define IO_TOP    0x10000u
#define UEFI_PERSISTENT_MEMORY 14u

static int fail(struct uartsel_opt *o, char *err, size_t errlen, const char *what, const char *detail)
{
	memset(o, 0, sizeof(*o));
	o->kind = UARTSEL_AUTO;
	if (errlen)
		snprintf(err, errlen, "%s%s%s", what, detail ? ": " : "", detail ? detail : "");
	return -1;
}

/* bdf: [SEG:]BB:DD.F in hex, the whole rest up to ',' or NUL. */
static int bdf(const char **p, struct uartsel_opt *o)
{
	uint64_t f[4];
	unsigned n = 0;
	const char *s = *p;
	for (;;) {
		if (n == 4 || parse_u64_prefix(&s, ":.,", 16, &f[n]))
			return -1;
		n++;
		if (*s == ':') {
			s++;
			continue;
		}
		break;
	}
	/* n fields before the '.': 2 (BB:DD) or 3 (SEG:BB:DD) */
	if ((n != 2 && n != 3) || *s != '.')
		return -1;
	s++;
	uint64_t fn;
	if (parse_u64_prefix(&s, ",", 16, &fn))
		return -1;
	uint64_t seg = n == 3 ? f[0] : 0, bus = f[n - 2], dev = f[n - 1];
	if (seg > 0xFFFF || bus > 0xFF || dev > 0x1F || fn > 7)
		return -1;
	o->seg = (uint16_t)seg;
	o->bus = (uint8_t)bus;
	o->dev = (uint8_t)dev;
	o->fn = (uint8_t)fn;
	*p = s;
	return 0;
}

int uartsel_parse(const char *s, struct uartsel_opt *o, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	o->kind = UARTSEL_AUTO;
	if (errlen)
		err[0] = '\0';
	if (!s)
		return 0;
	const char *p = s;
	if (!*s)
		return fail(o, err, errlen, "serial= needs a value", "off, com1, com2, io:PORT, mmio:ADDR, pci:BB:DD.F, spcr or dbg2");
	struct {
		const char *word;
		enum uartsel_kind kind;
		uint64_t addr;
	} words[] = {
		{ "off", UARTSEL_OFF, 0 }, { "com1", UARTSEL_IO, 0x3F8 }, { "com2", UARTSEL_IO, 0x2F8 },
		{ "spcr", UARTSEL_SPCR, 0 }, { "dbg2", UARTSEL_DBG2, 0 },
	};
	bool matched = false;
	for (unsigned i = 0; i < sizeof(words) / sizeof(words[0]) && !matched; i++) {
		size_t n = strlen(words[i].word);
		if (!strncmp(p, words[i].word, n) && (p[n] == '\0' || p[n] == ',')) {
			o->kind = words[i].kind;
			o->addr = words[i].addr;
			p += n;
			matched = true;
		}
	}
	if (!matched && !strncmp(p, "io:", 3)) {
		p += 3;
		if (parse_u64_prefix(&p, ",", 0, &o->addr))
			return fail(o, err, errlen, "serial=io: bad I/O port number", s);
		o->kind = UARTSEL_IO;
	} else if (!matched && !strncmp(p, "mmio:", 5)) {
		p += 5;
		if (parse_u64_prefix(&p, ",", 0, &o->addr))
			return fail(o, err, errlen, "serial=mmio: bad address", s);
		o->kind = UARTSEL_MMIO;
	} else if (!matched && !strncmp(p, "pci:", 4)) {
		p += 4;
		if (bdf(&p, o))
			return fail(o, err, errlen, "serial=pci: wants [SEG:]BB:DD.F in hex (bus <= ff, device <= 1f, function <= 7)", s);
		o->kind = UARTSEL_PCI;
	} else if (!matched) {
		if (parse_u64_prefix(&p, ",", 0, &o->addr))
			return fail(o, err, errlen, "serial= unknown (off, com1, com2, io:PORT, mmio:ADDR, pci:BB:DD.F, spcr, dbg2)", s);
		o->kind = UARTSEL_IO;
	}

	/* ,KEY=N options */
	while (*p == ',') {
		p++;
		static const char *const keys[] = { "width=", "stride=", "baud=", "clock=" };
		unsigned k;
		for (k = 0; k < 4 && strncmp(p, keys[k], strlen(keys[k])); k++)
			;
		if (k == 4)
			return fail(o, err, errlen, "serial= unknown option (width=, stride=, baud=, clock=)", s);
		p += strlen(keys[k]);
		uint64_t v;
		if (parse_u64_prefix(&p, ",", 0, &v))
			return fail(o, err, errlen, "serial= bad number", s);
		bool shape = k < 2;
		if (o->kind == UARTSEL_OFF || (shape && (o->kind == UARTSEL_SPCR || o->kind == UARTSEL_DBG2)))
			return fail(o, err, errlen, shape ? "serial= width/stride come from the ACPI table for spcr and dbg2"
			                                  : "serial=off takes no options", s);
		if (k == 0 && v != 1 && v != 2 && v != 4)
			return fail(o, err, errlen, "serial= width must be 1, 2 or 4", s);
		if (k == 1 && v != 1 && v != 2 && v != 4 && v != 8)
			return fail(o, err, errlen, "serial= stride must be 1, 2, 4 or 8", s);
		if (k == 2 && (v < 1 || v > BAUD_MAX))
			return fail(o, err, errlen, "serial= baud must be 1..4000000", s);
		if (k == 3 && (v < CLOCK_MIN || v > UINT32_MAX))
			return fail(o, err, errlen, "serial= clock must be 16..4294967295 Hz", s);
		if (k == 0) o->width = (uint8_t)v;
		else if (k == 1) o->stride = (uint8_t)v;
		else if (k == 2) o->baud = (uint32_t)v;
		else o->clock = (uint32_t)v;
	}
	if (*p)
		return fail(o, err, errlen, "serial= unexpected text", p);

	unsigned width = o->width ? o->width : 1, stride = o->stride ? o->stride : width;
	if (stride < width)
		return fail(o, err, errlen, "serial= stride below the register width", s);
	uint64_t span = 7ull * stride + width;
	if (o->kind == UARTSEL_IO && (o->addr == 0 || o->addr > IO_TOP - span))
		return fail(o, err, errlen, "serial= I/O port must be 1..0xffff with all 8 registers below 0x10000", s);
	if (o->kind == UARTSEL_MMIO && (o->addr == 0 || o->addr > UINT64_MAX - span))
		return fail(o, err, errlen, "serial=mmio: address 0 or wrapping around", s);
	if ((o->kind == UARTSEL_IO || o->kind == UARTSEL_MMIO) && o->addr % width)
		return fail(o, err, errlen, "serial= address not aligned to the register width", s);
	return 0;
}

int uartsel_ram_type(const void *mmap, uint64_t mmap_size, uint64_t desc_size, uint64_t addr, uint64_t len)
{
	if (!mmap || desc_size < sizeof(struct pxos_mmap_desc) || !len)
		return -1;
	uint64_t end = addr + len < addr ? UINT64_MAX : addr + len;
	const uint8_t *m = mmap;
	for (uint64_t off = 0; off + desc_size <= mmap_size; off += desc_size) {
		struct pxos_mmap_desc d;
		memcpy(&d, m + off, sizeof(d));
		bool ram = (d.type >= PXOS_MEM_LOADER_CODE && d.type <= 10u) || d.type == UEFI_PERSISTENT_MEMORY;
		if (!ram || d.num_pages == 0 || d.num_pages > (UINT64_MAX - d.phys_start) / 4096)
			continue;
		uint64_t s = d.phys_start, e = d.phys_start + d.num_pages * 4096;
		if (addr < e && s < end)
			return (int)d.type;
	}
	return -1;
}
