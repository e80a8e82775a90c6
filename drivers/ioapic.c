/*
 * ioapic.c — I/O APIC routing of ISA interrupts; see ioapic.h.
 */
#include "ioapic.h"
#include "acpi.h"
#include "mmio.h"
#include "kernel/klog.h"
#include "kernel/lib.h"

#define IOREGSEL   0x00
#define IOWIN      0x10
#define REG_ID     0x00
#define REG_VER    0x01
#define REG_RED(n) (0x10u + 2u * (n))

#define RED_MASKED    (1u << 16)
#define RED_LEVEL     (1u << 15)
#define RED_ACTIVE_LOW (1u << 13)

struct ioapic {
	volatile void *regs;
	uint32_t gsi_base, pins;
	uint8_t id, version;
	uint64_t phys;
};

static struct madt_info madt;
static bool have_madt;
static struct ioapic io[MADT_MAX_IOAPIC];
static unsigned nio;

static uint32_t rd(const struct ioapic *a, uint32_t reg)
{
	mmio_write32(a->regs, IOREGSEL, reg);
	return mmio_read32(a->regs, IOWIN);
}

static void wr(const struct ioapic *a, uint32_t reg, uint32_t v)
{
	mmio_write32(a->regs, IOREGSEL, reg);
	mmio_write32(a->regs, IOWIN, v);
}

/* The I/O APIC serving `gsi` and its pin there, or NULL. */
static struct ioapic *serving(uint32_t gsi, uint32_t *pin)
{
	for (unsigned i = 0; i < nio; i++) {
		if (gsi >= io[i].gsi_base && gsi - io[i].gsi_base < io[i].pins) {
			*pin = gsi - io[i].gsi_base;
			return &io[i];
		}
	}
	return 0;
}

unsigned ioapic_init(void)
{
	const uint8_t *t = acpi_find_table("APIC", 0);
	if (!t) {
		kinfo("ioapic", "no MADT in the ACPI tables: no I/O APIC known (the 8259s route interrupts)");
		return 0;
	}
	uint32_t len;
	memcpy(&len, t + 4, 4);
	if (madt_parse(t, len, &madt) != 0) {
		kwarn("ioapic", "MADT unusable: %s", madt.problem);
		return 0;
	}
	have_madt = true;
	if (madt.problem)
		kwarn("ioapic", "MADT: %s; the entries before it are used", madt.problem);
	if (madt.dropped)
		kwarn("ioapic", "MADT: %u I/O APICs or overrides beyond pxOS's limits ignored", madt.dropped);
	for (unsigned i = 0; i < madt.nioapic; i++) {
		struct ioapic a = { .phys = madt.ioapic[i].address, .gsi_base = madt.ioapic[i].gsi_base,
		                    .id = madt.ioapic[i].id };
		a.regs = mmio_map(a.phys, 0x20);
		if (!a.regs) {
			kwarn("ioapic", "I/O APIC at 0x%llx is outside the mapped memory: not used", (unsigned long long)a.phys);
			continue;
		}
		uint32_t ver = rd(&a, REG_VER);
		if (ver == 0xFFFFFFFFu) {
			kwarn("ioapic", "I/O APIC at 0x%llx does not answer: not used", (unsigned long long)a.phys);
			continue;
		}
		a.version = (uint8_t)ver;
		a.pins = ((ver >> 16) & 0xFF) + 1;
		for (uint32_t p = 0; p < a.pins; p++) {
			wr(&a, REG_RED(p) + 1, 0);
			wr(&a, REG_RED(p), RED_MASKED);
		}
		io[nio++] = a;
		char line[96];
		ioapic_describe(nio - 1, line, sizeof(line));
		kinfo("ioapic", "%s", line);
	}
	kinfo("ioapic", "MADT: %u CPUs, %u I/O APICs, %u interrupt source overrides, %s8259s", madt.cpus,
	      madt.nioapic, madt.niso, (madt.flags & MADT_PCAT_COMPAT) ? "" : "no ");
	return nio;
}

const struct madt_info *ioapic_madt(void) { return have_madt ? &madt : 0; }

int ioapic_route_gsi(uint32_t gsi, uint8_t vector, uint32_t dest, bool active_low, bool level)
{
	uint32_t pin;
	struct ioapic *a = serving(gsi, &pin);
	if (!a || dest > 0xFF)
		return -1;
	uint32_t lo = vector | (active_low ? RED_ACTIVE_LOW : 0) | (level ? RED_LEVEL : 0);
	wr(a, REG_RED(pin), RED_MASKED);
	wr(a, REG_RED(pin) + 1, dest << 24);
	wr(a, REG_RED(pin), lo);
	return (int)gsi;
}

int ioapic_route_isa(unsigned irq, uint8_t vector, uint32_t dest)
{
	bool low, level;
	uint32_t gsi = madt_isa_irq(have_madt ? &madt : 0, irq, &low, &level);
	return ioapic_route_gsi(gsi, vector, dest, low, level);
}

void ioapic_mask_gsi(uint32_t gsi)
{
	uint32_t pin;
	struct ioapic *a = serving(gsi, &pin);
	if (a)
		wr(a, REG_RED(pin), rd(a, REG_RED(pin)) | RED_MASKED);
}

unsigned ioapic_count(void) { return nio; }

void ioapic_mask_isa(unsigned irq)
{
	bool low, level;
	ioapic_mask_gsi(madt_isa_irq(have_madt ? &madt : 0, irq, &low, &level));
}

void ioapic_describe(unsigned i, char *buf, unsigned n)
{
	if (i >= nio) {
		snprintf(buf, n, "no I/O APIC %u", i);
		return;
	}
	const struct ioapic *a = &io[i];
	snprintf(buf, n, "I/O APIC %u id %u at 0x%llx, GSI %u..%u, version 0x%x", i, a->id,
	         (unsigned long long)a->phys, a->gsi_base, a->gsi_base + a->pins - 1, a->version);
}
