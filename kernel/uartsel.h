/*
 * uartsel.h — which UART is pxOS's serial console, and why.
 *
 * The `serial=` kernel option (docs/architecture.md, "Kernel options"):
 *   serial=off                     no serial port
 *   serial=com1 | com2             the PC's legacy ports (I/O 0x3F8 IRQ 4, 0x2F8 IRQ 3)
 *   serial=io:PORT | serial=PORT   a 16550 at that I/O port (polled unless COM1/COM2)
 *   serial=mmio:ADDR               a memory-mapped 16550 at physical ADDR
 *   serial=pci:[SEG:]BB:DD.F       the 16550 of that PCI function (hex, as lspci)
 *   serial=spcr | serial=dbg2      the port ACPI's SPCR / DBG2 table names
 * followed by ",KEY=N" options: width=1|2|4 (register access bytes),
 * stride=1|2|4|8 (bytes between registers; default the width), for io, mmio,
 * com and pci; baud=N and clock=HZ (the UART's input clock, default 1.8432
 * MHz, or what SPCR says) for all but off. Numbers are decimal or 0x-hex.
 *
 * Without the option the default order is SPCR (the firmware's console
 * port), COM1, COM2, the first 16550-compatible PCI function (class 07,
 * subclass 00, programming interface 02-06), the first 16550-compatible DBG2
 * port: the first that answers the probe (uart_probe) is the console. An
 * explicit choice that cannot be used is logged with its reason and the
 * default order is tried instead.
 *
 * Timing: uartsel_early runs before anything else (the command line is all
 * it needs) and sets up what I/O ports alone can give: an explicit I/O port,
 * or for the default order COM1 or COM2 provisionally, so early messages
 * reach a legacy port as before. uartsel_choose runs once ACPI and PCI are
 * known and makes the final choice; when it differs from the provisional
 * port, the switch is logged on both. The choice's name and reason go to the
 * log, the status line (uartsel_name) and the hardware report (uartsel_report).
 *
 * uartsel_parse and uartsel_ram_type are portable (host unit tests).
 */
#ifndef PXOS_UARTSEL_H
#define PXOS_UARTSEL_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

struct pxos_bootinfo;

enum uartsel_kind {
	UARTSEL_AUTO,   /* no option: the default order */
	UARTSEL_OFF,
	UARTSEL_IO,
	UARTSEL_MMIO,
	UARTSEL_PCI,
	UARTSEL_SPCR,
	UARTSEL_DBG2,
};

/* A parsed `serial=` value. */
struct uartsel_opt {
	enum uartsel_kind kind;
	uint64_t addr;                 /* IO: port; MMIO: physical address */
	uint16_t seg;                  /* PCI: segment, bus, device, function */
	uint8_t bus, dev, fn;
	uint8_t width, stride;         /* 0 = not given */
	uint32_t baud, clock;          /* 0 = not given */
};

/* uartsel_parse: parse the value of `serial=` (`s`; NULL = option absent,
 * AUTO). Returns 0 with *o filled, or -1 with a one-line reason in `err`
 * (`errlen` bytes, NUL-terminated) and *o set to AUTO: unknown form, bad or
 * out-of-range number (port range beyond 0xFFFF, MMIO address 0, unaligned
 * to the width, or wrapping; bus > 0xFF, device > 0x1F, function > 7), unknown
 * or misplaced KEY, width not 1/2/4, stride not 1/2/4/8 or below the width,
 * baud outside 1..4000000, clock below 16 Hz. */
int uartsel_parse(const char *s, struct uartsel_opt *o, char *err, size_t errlen);

/* uartsel_ram_type: whether physical [addr, addr + len) overlaps RAM in the
 * UEFI memory map (`mmap`, `mmap_size` bytes of descriptors `desc_size`
 * apart, UEFI 2.10 §7.2): a descriptor of type 1..10 (loader, boot and runtime
 * services code and data, conventional, unusable, ACPI reclaim and NVS) or 14
 * (persistent). Returns that type, or -1 when the range is only in MMIO,
 * reserved or unlisted space (where device registers live). */
int uartsel_ram_type(const void *mmap, uint64_t mmap_size, uint64_t desc_size, uint64_t addr, uint64_t len);

/* Kernel only (kernel/uartsel.c). */

/* uartsel_early: parse `opt` (the `serial=` value, or NULL) and set up the
 * UARTs that need nothing but I/O ports (see above). Call first in kmain. */
void uartsel_early(const char *opt);

/* uartsel_choose: the final choice (see above), logged with its reason; MMIO
 * registers are mapped uncached (vmm_map) after the memory map of `bi` says
 * they are not RAM; a PCI function gets I/O or memory decoding enabled. Call
 * after acpi_init and pci_init, before irq_init. */
void uartsel_choose(const struct pxos_bootinfo *bi);

/* uartsel_name: a short name of the console UART for the status line:
 * "COM1", "COM2", "io 0x3e8", "mmio 0xfedc9000", "pci 00:03.0", "SPCR io
 * 0x2f8", "DBG2 mmio 0x...", or "none". */
const char *uartsel_name(void);

/* uartsel_reason: why it was chosen, one line ("serial=pci:00:03.0", "default
 * order: no SPCR; COM1 answered", ...). */
const char *uartsel_reason(void);

/* uartsel_report: the serial lines of the hardware report (kprintf): the port,
 * its registers, baud and interrupt, the reason, and every candidate of the
 * default order with what was found there. */
void uartsel_report(void);

#endif /* PXOS_UARTSEL_H */
