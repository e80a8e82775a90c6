/*
 * pci.h — PCI and PCI Express functions: enumeration, BARs, capabilities,
 * configuration-space access.
 *
 * Configuration space is reached through ECAM (PCIe base spec 5.0 §7.2.2;
 * the ACPI MCFG table, PCI Firmware spec 3.2 §4.1.2, gives each segment's base
 * and bus range) or, when there is no usable MCFG, through configuration
 * mechanism #1, I/O ports 0xCF8/0xCFC (PCI Local Bus spec 3.0 §3.2.2.3.2;
 * segment 0, the first 256 bytes of each function only).
 *
 * Enumeration (PCI LB 3.0 §3.2.2.3.1, PCI-to-PCI bridge spec 1.2 §3.2.5.3):
 * each segment's first bus, then every bus behind a bridge (its secondary bus,
 * as the firmware numbered it), then every other bus of the segment's range
 * (further host bridges); every function of a multi-function device. BARs are
 * sized by writing all-ones with the device's decoding turned off (§6.2.5.1;
 * host bridges keep decoding on, as in Linux). The device table is filled once,
 * sorted by segment, bus, device, function.
 *
 * drivers/pci.c is portable (enumeration over a struct pci_cfg_ops, so the unit
 * tests run it on a fake configuration space); drivers/pci_host.c holds the
 * kernel's access mechanisms, pci_init and the `pci` monitor command.
 */
#ifndef PXOS_PCI_H
#define PXOS_PCI_H

#include <stdint.h>
#include <stdbool.h>

/* Configuration-space registers (PCI LB 3.0 §6.1, figure 6-1; bridges: PCI-to-PCI bridge spec 1.2 §3.2). */
#define PCI_VENDOR_ID      0x00
#define PCI_DEVICE_ID      0x02
#define PCI_COMMAND        0x04
#define PCI_STATUS         0x06
#define PCI_REVISION       0x08
#define PCI_PROG_IF        0x09
#define PCI_SUBCLASS       0x0A
#define PCI_CLASS          0x0B
#define PCI_HEADER_TYPE    0x0E
#define PCI_BAR0           0x10
#define PCI_PRIMARY_BUS    0x18   /* type 1 */
#define PCI_SECONDARY_BUS  0x19   /* type 1 and 2 */
#define PCI_SUBORDINATE    0x1A   /* type 1 and 2 */
#define PCI_CAP_PTR        0x34   /* type 0 and 1 */
#define PCI_CB_CAP_PTR     0x14   /* type 2 (CardBus) */
#define PCI_IRQ_LINE       0x3C
#define PCI_IRQ_PIN        0x3D

#define PCI_CMD_IO         0x0001
#define PCI_CMD_MEM        0x0002
#define PCI_CMD_MASTER     0x0004
#define PCI_CMD_INTX_OFF   0x0400
#define PCI_STATUS_CAPS    0x0010

/* Capability IDs (PCI Code and ID Assignment spec 1.11 ch. 2 and 3). */
#define PCI_CAP_PM         0x01
#define PCI_CAP_MSI        0x05
#define PCI_CAP_VENDOR     0x09
#define PCI_CAP_PCIE       0x10
#define PCI_CAP_MSIX       0x11
#define PCI_CAP_SATA       0x12
#define PCI_EXT_CAP_AER    0x0001
#define PCI_EXT_CAP_VC     0x0002
#define PCI_EXT_CAP_DSN    0x0003

struct pci_bar {
	uint64_t base, size;  /* size 0: BAR not implemented (or the upper half of a 64-bit one) */
	bool io, is64, prefetch;
};

struct pci_dev {
	uint16_t seg;
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint8_t class_code, subclass, prog_if, revision, header_type,
		irq_line, irq_pin;
	struct pci_bar bar[6];   /* type 0: 6; bridges (type 1): 2; CardBus: none */
	uint16_t cfg_size;       /* bytes of configuration space reachable: 256, or 4096 through ECAM */
	uint8_t secondary_bus, subordinate_bus; /* bridges only */
};

/* How configuration space is reached: width 1, 2 or 4 bytes, `off` aligned to
 * it and below the function's cfg_size. A read of an absent function returns
 * all-ones. */
struct pci_cfg_ops {
	uint32_t (*read)(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, unsigned width);
	void (*write)(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, unsigned width,
		      uint32_t value);
	void *ctx;
	uint16_t cfg_size;       /* 256 (mechanism #1) or 4096 (ECAM) */
	const char *name;        /* "ECAM", "CF8" */
};

/* One segment's bus range, from MCFG (for ECAM: base = the address of bus 0's
 * configuration space, even when start_bus > 0) or 0/0-255 for mechanism #1. */
struct pci_ecam {
	uint64_t base;
	uint16_t seg;
	uint8_t start_bus, end_bus;
};

/* pci_mcfg_parse: the entries of ACPI table MCFG (`len` bytes at `table`, its
 * header's checksum already checked): 44-byte header then 16-byte entries
 * (base u64, segment u16, start bus u8, end bus u8, 4 reserved). Keeps entries
 * with a non-zero, 1 MiB-aligned base, start <= end and no address overflow,
 * at most `max`; returns how many, or -1 when the table is shorter than its
 * header. `*bad` counts the entries dropped. */
int pci_mcfg_parse(const void *table, uint32_t len, struct pci_ecam *out, unsigned max, unsigned *bad);

/* pci_bar_decode: one BAR from its value `lo` (and `hi`, the next BAR, for a
 * 64-bit memory BAR) and what they read back after writing all-ones
 * (`lo_probe`, `hi_probe`), PCI LB 3.0 §6.2.5.1: size = the lowest writable
 * address bit. Returns the BAR slots used: 2 for a 64-bit memory BAR, else 1;
 * out->size = 0 when the BAR is not implemented. */
unsigned pci_bar_decode(uint32_t lo, uint32_t hi, uint32_t lo_probe, uint32_t hi_probe, struct pci_bar *out);

/* pci_scan: enumerate every segment in `segs` (`nseg`, each with its own
 * ops: ops[i] for segs[i]) into the device table, replacing what it held.
 * Returns the number of functions found (at most PCI_MAX_DEVICES; *dropped
 * counts the rest). */
unsigned pci_scan(const struct pci_cfg_ops *const *ops, const struct pci_ecam *segs, unsigned nseg,
		  unsigned *dropped);

/* The device table. pci_get: entry i < pci_count(), else NULL. */
unsigned pci_count(void);
const struct pci_dev *pci_get(unsigned i);

/* pci_find_class: the `index`-th function (0 = first) with class `cls`,
 * subclass `sub` and programming interface `prog_if` (-1 = any), or NULL. */
const struct pci_dev *pci_find_class(uint8_t cls, uint8_t sub, int prog_if, unsigned index);

/* pci_find_bdf: the function at segment:bus:device.function, or NULL. */
const struct pci_dev *pci_find_bdf(uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn);

/* Configuration-space access to a function from the table; `off` must be
 * aligned to the width and below d->cfg_size (else reads give all-ones and
 * writes are dropped). */
uint8_t pci_read8(const struct pci_dev *d, uint16_t off);
uint16_t pci_read16(const struct pci_dev *d, uint16_t off);
uint32_t pci_read32(const struct pci_dev *d, uint16_t off);
void pci_write8(const struct pci_dev *d, uint16_t off, uint8_t v);
void pci_write16(const struct pci_dev *d, uint16_t off, uint16_t v);
void pci_write32(const struct pci_dev *d, uint16_t off, uint32_t v);

/* pci_find_cap: offset of the first capability `cap_id` in the capability
 * list (PCI LB 3.0 §6.7), or 0. The walk stops at a pointer below 0x40 and
 * after PCI_MAX_CAPS entries (so a looping list ends too). pci_next_cap: the capability after the
 * one at `off` (0 = start of the list) whatever its ID, or 0; *id gets its ID. */
uint16_t pci_find_cap(const struct pci_dev *d, uint8_t cap_id);
uint16_t pci_next_cap(const struct pci_dev *d, uint16_t off, uint8_t *id);

/* pci_find_ext_cap / pci_next_ext_cap: the same for PCI Express extended
 * capabilities at 0x100.. (PCIe base spec 5.0 §7.6); 0 when cfg_size is 256. */
uint16_t pci_find_ext_cap(const struct pci_dev *d, uint16_t cap_id);
uint16_t pci_next_ext_cap(const struct pci_dev *d, uint16_t off, uint16_t *id);

/* pci_enable: set the command register's memory-space, I/O-space and
 * bus-master bits that are true (bits that are false are left as they are). */
void pci_enable(const struct pci_dev *d, bool mem, bool io, bool bus_master);

/* pci_class_name: a short English name of class/subclass/prog-if ("VGA
 * controller", "USB xHCI controller", ...), or "class XX.YY" for others,
 * written to `buf` (`n` bytes); returns buf. */
const char *pci_class_name(uint8_t cls, uint8_t sub, uint8_t prog_if, char *buf, unsigned n);

/* pci_cap_name: "MSI", "MSI-X", "PCIe", "PM", ... or NULL; pci_ext_cap_name the same for extended IDs. */
const char *pci_cap_name(uint8_t id);
const char *pci_ext_cap_name(uint16_t id);

/* Kernel only (drivers/pci_host.c). */

/* pci_init: choose the access mechanism — ECAM for every MCFG entry, its
 * buses mapped uncached through vmm_map, if 00:00.0 reads the same through
 * it as through 0xCF8; else mechanism #1 when it answers — enumerate, and
 * log the method and one line per function. Boot option `pci=cf8` forces
 * mechanism #1, `pci=off` skips PCI. Call after acpi_init and vmm_init. */
void pci_init(void);

/* pci_method: "ECAM", "CF8" or "none" (no mechanism, or pci=off). */
const char *pci_method(void);

/* pci_monitor_cmd: the `pci` monitor command: alone, every function with
 * its IDs, class, BARs, capabilities and interrupt pin/line; `pci BB:DD.F`
 * adds its configuration space in hex; `pci read BB:DD.F BAR OFF [1|2|4]`
 * reads one register of a memory BAR (mapped uncached) or an I/O BAR. */
void pci_monitor_cmd(int argc, char **argv);

#endif /* PXOS_PCI_H */
