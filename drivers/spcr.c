/*
 * spcr.c — SPCR and DBG2 serial ports; see spcr.h.
 */
#include "spcr.h"
#include "pxvm/port.h"

/* SPCR field offsets (spcr.h). */
#define SPCR_TYPE       36
#define SPCR_BASE       40
#define SPCR_INT_TYPE   52
#define SPCR_IRQ        53
#define SPCR_GSI        54
#define SPCR_BAUD       58
#define SPCR_FLOW       61
#define SPCR_PCI_DEVICE 64
#define SPCR_PCI_VENDOR 66
#define SPCR_PCI_BUS    68
#define SPCR_PCI_DEV    69
#define SPCR_PCI_FN     70
#define SPCR_PCI_SEG    75
#define SPCR_CLOCK      76   /* revision 3+ */
#define SPCR_PRECISE    80   /* revision 4+ */
#define SPCR_INT_8259   0x01
#define SPCR_INT_APIC   0x02

/* DBG2 offsets: the table, then each device information structure. */
#define DBG2_INFO_OFF   36
#define DBG2_INFO_COUNT 40
#define DEV_LEN         1
#define DEV_NREGS       3
#define DEV_PORT_TYPE   12
#define DEV_SUBTYPE     14
#define DEV_BAR_OFF     18
#define DEV_SIZE_OFF    20

#define HDR_REVISION    8
#define GAS_LEN         12
#define GAS_SPACE_MEM   0
#define GAS_SPACE_IO    1

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) | (uint32_t)get16(p + 2) << 16; }
static uint64_t get64(const uint8_t *p) { return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32; }

bool spcr_type_16550(uint16_t type)
{
	return type == SPCR_TYPE_16550 || type == SPCR_TYPE_16450 || type == SPCR_TYPE_16550_GAS;
}

const char *spcr_type_name(uint16_t type, char *buf, size_t n)
{
	static const char *const names[] = {
		"16550-compatible", "16450 (16550 subset)", "MAX311xE SPI UART", "ARM PL011",
		"MSM8x60", "Nvidia 16550", "TI OMAP", 0, "APM88xxxx", "MSM8974", "SAM5250",
		"Intel USIF", "i.MX 6", "ARM SBSA 32-bit UART", "ARM SBSA generic UART", "ARM DCC",
		"BCM2835", "SDM845 (1.8432 MHz)", "16550-compatible (GAS)", "SDM845 (7.372 MHz)",
		"Intel LPSS", "RISC-V SBI console",
	};
	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		snprintf(buf, n, "%s", names[type]);
	else
		snprintf(buf, n, "subtype 0x%04x", type);
	return buf;
}

const char *spcr_gas(const uint8_t *gas, struct spcr_uart *out)
{
	uint8_t space = gas[0], bits = gas[1], bit_off = gas[2], access = gas[3];
	uint64_t addr = get64(gas + 4);
	if (space != GAS_SPACE_MEM && space != GAS_SPACE_IO)
		return "address space is neither memory nor I/O";
	if (bit_off)
		return "registers at a bit offset";
	if (access > 3)
		return "64-bit register access";
	if (!addr)
		return "address 0 (redirection off)";
	uint8_t width = access == 3 ? 4 : access == 2 ? 2 : access == 1 ? 1
		: bits == 32 ? 4 : bits == 16 ? 2 : 1;
	uint8_t stride = bits == 64 ? 8 : bits == 32 ? 4 : bits == 16 ? 2 : 1;
	if (stride < width)
		stride = width;
	if (space == GAS_SPACE_IO && addr > 0xFFFF)
		return "I/O address above 0xffff";
	out->mmio = space == GAS_SPACE_MEM;
	out->address = addr;
	out->width = width;
	out->stride = stride;
	return 0;
}

int spcr_parse(const void *t, uint32_t len, struct spcr_uart *out, const char **why)
{
	const uint8_t *b = t;
	memset(out, 0, sizeof(*out));
	out->irq = -1;
	if (len < SPCR_MIN_LEN || get32(b + 4) < SPCR_MIN_LEN || get32(b + 4) > len) {
		*why = "SPCR shorter than its 80 bytes of fixed fields";
		return -1;
	}
	out->revision = b[HDR_REVISION];
	out->type = b[SPCR_TYPE];
	if (b[SPCR_INT_TYPE] & SPCR_INT_8259 && b[SPCR_IRQ] < 16)
		out->irq = b[SPCR_IRQ];
	if (b[SPCR_INT_TYPE] & SPCR_INT_APIC) {
		out->has_gsi = true;
		out->gsi = get32(b + SPCR_GSI);
	}
	switch (b[SPCR_BAUD]) {
	case 0: out->baud = 0; break;
	case 3: out->baud = 9600; break;
	case 4: out->baud = 19200; break;
	case 6: out->baud = 57600; break;
	case 7: out->baud = 115200; break;
	default: out->baud = 0; out->baud_code_bad = true; break;
	}
	out->flow_control = b[SPCR_FLOW];
	uint16_t dev = get16(b + SPCR_PCI_DEVICE), ven = get16(b + SPCR_PCI_VENDOR);
	if (dev != 0xFFFF && ven != 0xFFFF) {
		out->pci = true;
		out->pci_device = dev;
		out->pci_vendor = ven;
		out->pci_bus = b[SPCR_PCI_BUS];
		out->pci_dev = b[SPCR_PCI_DEV];
		out->pci_fn = b[SPCR_PCI_FN];
		out->pci_seg = b[SPCR_PCI_SEG];
	}
	if (out->revision >= 3)
		out->clock = get32(b + SPCR_CLOCK);
	if (out->revision >= 4 && get32(b + 4) >= SPCR_PRECISE + 4 && get32(b + SPCR_PRECISE)) {
		out->baud = get32(b + SPCR_PRECISE);
		out->baud_code_bad = false;
	}
	*why = spcr_gas(b + SPCR_BASE, out);
	if (!spcr_type_16550(out->type))
		*why = "SPCR's UART is not 16550-compatible";
	return *why ? -1 : 0;
}

int dbg2_parse(const void *t, uint32_t len, struct spcr_uart *out, unsigned max, unsigned *bad)
{
	const uint8_t *b = t;
	*bad = 0;
	if (len < DBG2_MIN_LEN || get32(b + 4) < DBG2_MIN_LEN || get32(b + 4) > len)
		return -1;
	len = get32(b + 4);
	uint32_t off = get32(b + DBG2_INFO_OFF), count = get32(b + DBG2_INFO_COUNT);
	if (off < DBG2_MIN_LEN || off > len)
		return -1;
	unsigned n = 0;
	/* Each structure is at least DBG2_DEVICE_MIN bytes, so the walk ends
	 * after len / DBG2_DEVICE_MIN steps whatever `count` says. */
	for (uint32_t i = 0; i < count; i++) {
		if (len - off < DBG2_DEVICE_MIN) {
			*bad += 1;  /* the count promises more structures than the table holds */
			break;
		}
		const uint8_t *d = b + off;
		uint16_t dlen = get16(d + DEV_LEN);
		if (dlen < DBG2_DEVICE_MIN || dlen > len - off) {
			*bad += 1;
			break;   /* the next structure's position is unknown */
		}
		off += dlen;
		if (get16(d + DEV_PORT_TYPE) != DBG2_PORT_SERIAL)
			continue;
		uint8_t nregs = d[DEV_NREGS];
		uint16_t bar = get16(d + DEV_BAR_OFF), size = get16(d + DEV_SIZE_OFF);
		if (!nregs || bar < DBG2_DEVICE_MIN || bar > dlen || (uint32_t)(dlen - bar) < (uint32_t)nregs * GAS_LEN ||
		    size < DBG2_DEVICE_MIN || size > dlen || (uint32_t)(dlen - size) < (uint32_t)nregs * 4u) {
			*bad += 1;
			continue;
		}
		struct spcr_uart u;
		memset(&u, 0, sizeof(u));
		u.irq = -1;
		u.type = get16(d + DEV_SUBTYPE);
		u.revision = d[0];
		if (spcr_gas(d + bar, &u)) {
			*bad += 1;
			continue;
		}
		if (n < max)
			out[n] = u;
		n++;
	}
	return (int)(n < max ? n : max);
}
