/*
 * acpi.c — ACPI table discovery; see acpi.h.
 */
#include "acpi.h"
#include "pxvm/port.h"
#include "kernel/klog.h"

struct __attribute__((packed)) rsdp {
	char signature[8];
	uint8_t checksum;
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length;   /* revision >= 2 */
	uint64_t xsdt;
	uint8_t ext_checksum;
	uint8_t reserved[3];
};

struct __attribute__((packed)) sdt_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
};

struct __attribute__((packed)) gas {
	uint8_t space;     /* 0 = system memory, 1 = system I/O */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
};

/* FADT fields up to RESET_VALUE (ACPI 6.5 table 5.9); offsets are fixed. */
#define FADT_PM_TMR_BLK   76
#define FADT_PM_TMR_LEN   91
#define FADT_IAPC_BOOT    109
#define FADT_FLAGS        112
#define FADT_RESET_REG    116
#define FADT_RESET_VALUE  128
#define FADT_X_PM_TMR_BLK 208
#define FADT_FLAG_TMR_VAL_EXT (1u << 8)
#define FADT_FLAG_RESET_REG_SUP (1u << 10)
#define MAX_TABLE_LEN (16u << 20)

static struct acpi_info info;
static const struct sdt_header *root;
static bool root_is_xsdt;

static uint8_t sum_bytes(const void *p, uint32_t n)
{
	const uint8_t *b = p;
	uint8_t s = 0;
	for (uint32_t i = 0; i < n; i++)
		s = (uint8_t)(s + b[i]);
	return s;
}

static bool table_ok(const struct sdt_header *h)
{
	if (!h || h->length < sizeof(*h) || h->length > MAX_TABLE_LEN)
		return false;
	return sum_bytes(h, h->length) == 0;
}

static const struct sdt_header *root_entry(uint32_t i)
{
	const uint8_t *p = (const uint8_t *)root + sizeof(*root);
	uint64_t addr;
	if (root_is_xsdt) {
		memcpy(&addr, p + (uint64_t)i * 8, 8);
	} else {
		uint32_t a32;
		memcpy(&a32, p + (uint64_t)i * 4, 4);
		addr = a32;
	}
	return (const struct sdt_header *)(uintptr_t)addr;
}

const void *acpi_find_table(const char *sig, unsigned index)
{
	if (!root)
		return 0;
	for (uint32_t i = 0; i < info.table_count; i++) {
		const struct sdt_header *h = root_entry(i);
		if (!h || memcmp(h->signature, sig, 4) != 0)
			continue;
		if (!table_ok(h)) {
			kwarn("acpi", "table %.4s at %p fails its checksum; ignored", sig, (const void *)h);
			continue;
		}
		if (index-- == 0)
			return h;
	}
	return 0;
}

bool acpi_table_signature(unsigned index, char sig[5])
{
	if (!root || index >= info.table_count)
		return false;
	const struct sdt_header *h = root_entry(index);
	if (!h)
		return false;
	for (int i = 0; i < 4; i++)
		sig[i] = h->signature[i] >= 0x20 && h->signature[i] < 0x7F ? h->signature[i] : '?';
	sig[4] = '\0';
	return true;
}

static void parse_fadt(const uint8_t *f, uint32_t len)
{
	info.has_fadt = true;
	info.has_8042 = true; /* FADTs before ACPI 2.0 cannot say otherwise */
	if (len >= FADT_PM_TMR_LEN + 1) {
		uint32_t blk;
		memcpy(&blk, f + FADT_PM_TMR_BLK, 4);
		if (f[FADT_PM_TMR_LEN] == 4 && blk && blk <= 0xFFFF)
			info.pm_timer_port = (uint16_t)blk;
	}
	if (len >= FADT_X_PM_TMR_BLK + sizeof(struct gas)) {
		struct gas g;
		memcpy(&g, f + FADT_X_PM_TMR_BLK, sizeof(g));
		if (g.space == 1 && g.address && g.address <= 0xFFFF)
			info.pm_timer_port = (uint16_t)g.address;
	}
	uint32_t flags = 0;
	if (len >= FADT_FLAGS + 4)
		memcpy(&flags, f + FADT_FLAGS, 4);
	info.pm_timer_32bit = (flags & FADT_FLAG_TMR_VAL_EXT) != 0;
	if (len >= FADT_IAPC_BOOT + 2) {
		uint16_t arch;
		memcpy(&arch, f + FADT_IAPC_BOOT, 2);
		if (((const struct sdt_header *)f)->revision >= 2)
			info.has_8042 = (arch & 2) != 0;
	}
	if (len >= FADT_RESET_VALUE + 1 && (flags & FADT_FLAG_RESET_REG_SUP)) {
		struct gas g;
		memcpy(&g, f + FADT_RESET_REG, sizeof(g));
		if (g.space == 1 && g.address && g.address <= 0xFFFF) {
			info.has_reset_reg = true;
			info.reset_port = (uint16_t)g.address;
			info.reset_value = f[FADT_RESET_VALUE];
		}
	}
}

int acpi_init(uint64_t rsdp_addr)
{
	memset(&info, 0, sizeof(info));
	root = 0;
	if (!rsdp_addr) {
		kwarn("acpi", "no RSDP from the loader: running without ACPI tables");
		return -1;
	}
	const struct rsdp *r = (const struct rsdp *)(uintptr_t)rsdp_addr;
	if (memcmp(r->signature, "RSD PTR ", 8) != 0 || sum_bytes(r, 20) != 0) {
		kwarn("acpi", "RSDP at 0x%llx has a bad signature or checksum", (unsigned long long)rsdp_addr);
		return -1;
	}
	info.revision = r->revision;
	memcpy(info.oem_id, r->oem_id, 6);
	info.oem_id[6] = '\0';
	const struct sdt_header *h = 0;
	if (r->revision >= 2 && r->length >= sizeof(*r) && r->length <= 4096 &&
	    sum_bytes(r, r->length) == 0 && r->xsdt) {
		h = (const struct sdt_header *)(uintptr_t)r->xsdt;
		root_is_xsdt = true;
		if (!table_ok(h) || memcmp(h->signature, "XSDT", 4) != 0)
			h = 0;
	}
	if (!h && r->rsdt) {
		h = (const struct sdt_header *)(uintptr_t)r->rsdt;
		root_is_xsdt = false;
		if (!table_ok(h) || memcmp(h->signature, "RSDT", 4) != 0)
			h = 0;
	}
	if (!h) {
		kwarn("acpi", "no valid XSDT or RSDT: running without ACPI tables");
		return -1;
	}
	root = h;
	info.table_count = (h->length - (uint32_t)sizeof(*h)) / (root_is_xsdt ? 8u : 4u);
	info.present = true;

	const struct sdt_header *fadt = acpi_find_table("FACP", 0);
	if (fadt)
		parse_fadt((const uint8_t *)fadt, fadt->length);
	kinfo("acpi", "ACPI %s rev %u (%s), %u tables, PM timer %s0x%x, reset reg %s",
	      root_is_xsdt ? "XSDT" : "RSDT", info.revision, info.oem_id, info.table_count,
	      info.pm_timer_32bit ? "32-bit " : "", info.pm_timer_port,
	      info.has_reset_reg ? "yes" : "no");
	return 0;
}

const struct acpi_info *acpi_get(void) { return &info; }
