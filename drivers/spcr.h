/*
 * spcr.h — the serial ports the firmware describes in ACPI: the console port
 * of SPCR (Microsoft "Serial Port Console Redirection Table", revisions 1-4)
 * and the debug ports of DBG2 (Microsoft "Debug Port Table 2"), reduced to
 * what a 16550 driver needs (drivers/uart16550.h).
 *
 * SPCR layout (bytes from the table's start): 36 interface type (revision 1:
 * 0 = 16550, 1 = 16450; revision 2+: a DBG2 serial subtype), 40 base address
 * (ACPI Generic Address Structure, 12 bytes; address 0 = redirection off),
 * 52 interrupt type (bit 0: PC-AT 8259 IRQ, bit 1: I/O APIC GSI), 53 IRQ,
 * 54 GSI (u32), 58 configured baud rate (0 = as the firmware left it, 3 = 9600,
 * 4 = 19200, 6 = 57600, 7 = 115200), 59 parity, 60 stop bits, 61 flow control,
 * 62 terminal type, 64 PCI device ID (0xFFFF = not PCI), 66 PCI vendor ID,
 * 68 bus, 69 device, 70 function, 71 PCI flags (u32), 75 PCI segment;
 * revision 3+: 76 UART clock frequency (Hz, 0 = not given); revision 4+: 80
 * precise baud rate (non-zero overrides the configured one). 80 bytes at least.
 *
 * DBG2 layout: 36 offset of the first device information structure, 40 their
 * count. Each structure: 0 revision, 1 length (u16), 3 number of base address
 * registers, 4/6 namespace string length/offset, 8/10 OEM data length/offset,
 * 12 port type (0x8000 = serial), 14 port subtype, 18 offset of the base
 * address GAS array, 20 offset of the address size array (u32 each); offsets
 * from the structure's start. pxOS uses the first base address register.
 *
 * A Generic Address Structure (ACPI 6.5 §5.2.3.2) gives the space (0 memory,
 * 1 I/O), the register bit width, the bit offset, the access size (0
 * undefined, 1 byte, 2 word, 3 dword, 4 qword) and the address. For a 16550
 * pxOS reads it as Linux does: registers are accessed at the access size (or
 * the bit width when the access size is undefined) and lie bit-width / 8 bytes
 * apart, at least the access size (a dword access means 4-byte strides).
 *
 * Portable (no kernel calls): the kernel passes tables found by
 * acpi_find_table (checksum verified); the unit tests pass hostile ones.
 */
#ifndef PXOS_SPCR_H
#define PXOS_SPCR_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

/* DBG2 serial port subtypes (SPCR interface types from revision 2 on). */
#define SPCR_TYPE_16550          0x0000
#define SPCR_TYPE_16450          0x0001  /* "16550 subset compatible with DBGP revision 1" */
#define SPCR_TYPE_16550_GAS      0x0012  /* "16550-compatible with parameters defined in GAS" */
#define DBG2_PORT_SERIAL         0x8000

#define SPCR_MIN_LEN      80u
#define DBG2_MIN_LEN      44u
#define DBG2_DEVICE_MIN   22u

/* One serial port as SPCR or DBG2 gives it. */
struct spcr_uart {
	uint16_t type;            /* interface type / serial subtype */
	bool mmio;                /* GAS space 0 (memory), else 1 (I/O) */
	uint64_t address;         /* register 0 */
	uint8_t width, stride;    /* register access bytes, bytes between registers */
	uint32_t baud;            /* 0: keep what the firmware programmed */
	bool baud_code_bad;       /* the configured-baud code was not 0/3/4/6/7 (baud 0 then) */
	uint32_t clock;           /* UART input clock, Hz; 0 = not given */
	int irq;                  /* PC-AT IRQ (interrupt type bit 0), else -1 */
	bool has_gsi;             /* interrupt type bit 1 */
	uint32_t gsi;
	bool pci;                 /* the UART is a PCI function */
	uint16_t pci_vendor, pci_device;
	uint8_t pci_seg, pci_bus, pci_dev, pci_fn;
	uint8_t flow_control;     /* SPCR bits: 0 DCD, 1 RTS/CTS, 2 XON/XOFF (pxOS uses none) */
	uint8_t revision;         /* table revision (DBG2: the device structure's) */
};

/* spcr_type_16550: whether interface type / subtype `type` is one pxOS's
 * 16550 driver can run (0x0000, 0x0001, 0x0012). */
bool spcr_type_16550(uint16_t type);

/* spcr_type_name: the DBG2 specification's name of serial subtype `type`
 * ("16550-compatible", "ARM PL011", "Intel LPSS", ...), or "subtype 0xNNNN"
 * for others, in `buf` (`n` bytes); returns buf. */
const char *spcr_type_name(uint16_t type, char *buf, size_t n);

/* spcr_gas: fill out->mmio, address, width and stride from the 12-byte
 * Generic Address Structure at `gas`. Returns NULL, or why pxOS cannot use
 * it (address space other than memory or I/O, bit offset not 0, 64-bit
 * access, address 0, an I/O address above 0xFFFF). */
const char *spcr_gas(const uint8_t *gas, struct spcr_uart *out);

/* spcr_parse: the console port of SPCR table `t` (`len` bytes: the header's
 * length, the checksum already checked). Returns 0 with *out filled when the
 * port is a 16550 pxOS can drive; -1 with *why (a static string) and as much
 * of *out as could be read (type at least, when len allows) otherwise: table
 * shorter than SPCR_MIN_LEN or than its header says, not 16550-compatible,
 * redirection off (address 0), unusable address. */
int spcr_parse(const void *t, uint32_t len, struct spcr_uart *out, const char **why);

/* dbg2_parse: the serial ports of DBG2 table `t` (`len` bytes), at most `max`
 * into `out` (16550-compatible ones and others: out[i].type says which).
 * Device structures that are not serial ports are passed over; ones whose
 * length, offsets or counts point outside the structure or the table are
 * dropped and counted in *bad, as are serial ports whose address pxOS cannot
 * use. Returns how many were stored, or -1 when the table is shorter than
 * DBG2_MIN_LEN or its device array starts outside it (*bad then 0). */
int dbg2_parse(const void *t, uint32_t len, struct spcr_uart *out, unsigned max, unsigned *bad);

#endif /* PXOS_SPCR_H */
