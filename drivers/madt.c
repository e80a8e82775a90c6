/*
 * madt.c — MADT parsing; see madt.h.
 */
#include "madt.h"

#define HDR_LEN     36   /* the ACPI table header */
#define ENTRIES_AT  44   /* after LAPIC address (u32) and flags (u32) */

enum {
	ET_LAPIC = 0, ET_IOAPIC = 1, ET_ISO = 2, ET_NMI_SOURCE = 3, ET_LAPIC_NMI = 4,
	ET_LAPIC_OVERRIDE = 5, ET_X2APIC = 9,
};

static uint16_t u16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t u32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t u64(const uint8_t *p) { return u32(p) | (uint64_t)u32(p + 4) << 32; }

int madt_parse(const void *table, size_t len, struct madt_info *m)
{
	const uint8_t *t = table;
	*m = (struct madt_info){ 0 };
	if (!t || len < ENTRIES_AT || t[0] != 'A' || t[1] != 'P' || t[2] != 'I' || t[3] != 'C') {
		m->problem = "not a MADT, or shorter than its fixed part";
		return -1;
	}
	if (u32(t + 4) < len)
		len = u32(t + 4); /* never read past the table's own length */
	m->lapic_address = u32(t + HDR_LEN);
	m->flags = u32(t + HDR_LEN + 4);
	for (size_t off = ENTRIES_AT; off < len;) {
		if (len - off < 2) {
			m->problem = "truncated entry header";
			break;
		}
		uint8_t type = t[off], elen = t[off + 1];
		if (elen < 2 || elen > len - off) {
			m->problem = "entry length 0, 1 or past the table's end";
			break;
		}
		const uint8_t *e = t + off;
		switch (type) {
		case ET_LAPIC:
			if (elen >= 8 && (u32(e + 4) & 1))
				m->cpus++;
			break;
		case ET_X2APIC:
			if (elen >= 16 && (u32(e + 8) & 1))
				m->cpus++;
			break;
		case ET_IOAPIC:
			if (elen < 12)
				break;
			if (m->nioapic < MADT_MAX_IOAPIC)
				m->ioapic[m->nioapic++] = (struct madt_ioapic){ e[2], u32(e + 4), u32(e + 8) };
			else
				m->dropped++;
			break;
		case ET_ISO:
			if (elen < 10)
				break;
			if (m->niso < MADT_MAX_ISO)
				m->iso[m->niso++] = (struct madt_iso){ e[2], e[3], u32(e + 4), u16(e + 8) };
			else
				m->dropped++;
			break;
		case ET_LAPIC_OVERRIDE:
			if (elen >= 12)
				m->lapic_address = u64(e + 4);
			break;
		default:
			break; /* NMI sources, LAPIC NMIs, GIC entries...: not used */
		}
		off += elen;
	}
	return 0;
}

uint32_t madt_isa_irq(const struct madt_info *m, unsigned irq, bool *active_low, bool *level)
{
	*active_low = false; /* ISA: active high, edge triggered */
	*level = false;
	for (unsigned i = 0; m && i < m->niso; i++) {
		const struct madt_iso *o = &m->iso[i];
		if (o->bus != 0 || o->source != irq)
			continue;
		uint16_t pol = o->flags & MADT_POLARITY_MASK, trig = o->flags & MADT_TRIGGER_MASK;
		*active_low = pol == MADT_POLARITY_LOW;
		*level = trig == MADT_TRIGGER_LEVEL;
		return o->gsi;
	}
	return irq;
}
