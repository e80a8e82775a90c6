/*
 * uart16550.h — driver for a 16550-compatible UART: the PC's COM ports, the
 * UARTs of PCI/PCIe serial cards, and the memory-mapped ones the ACPI SPCR
 * and DBG2 tables describe. Output polled or by a transmit ring above the
 * driver (uart_tx_room / uart_tx_put / uart_tx_irq); input polled or by the
 * receive interrupt (uart_rx_irq).
 *
 * Follows the TI/National PC16550D datasheet register map, registers numbered
 * 0..7: RBR/THR (0), IER (1), IIR/FCR (2), LCR (3), MCR (4), LSR (5), MSR (6),
 * SCR (7); DLL/DLM at 0/1 while LCR.DLAB = 1; baud = clock / (16 x divisor),
 * the PC clock being 1.8432 MHz (115200 baud at divisor 1).
 *
 * Register access (struct uart_port): I/O ports (IN/OUT) or memory-mapped
 * registers, each register `width` bytes wide (1, 2 or 4: an MMIO UART whose
 * registers must be read as 32-bit words) and `stride` bytes apart (1 on PCs;
 * 4 on most MMIO UARTs: "reg-shift 2"); or callbacks (host tests). Register
 * n is at base + n x stride; only its low 8 bits carry data.
 *
 * Used by both the UEFI loader and the kernel (each has its own copy of the
 * state). uart_init_port probes before it uses a port, and every wait is
 * bounded, so an absent, unplugged or stuck port never hangs the caller:
 * output it cannot take is dropped and counted (uart_dropped).
 */
#ifndef PXOS_UART16550_H
#define PXOS_UART16550_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#define UART_COM1 0x3F8
#define UART_COM2 0x2F8
#define UART_CLOCK_PC 1843200u   /* Hz: the PC's UART crystal (16 x 115200) */
#define UART_REGS 8              /* registers of a 16550 */

enum uart_space {
	UART_SPACE_IO,    /* I/O ports: base is the port of register 0 */
	UART_SPACE_MMIO,  /* memory: `regs` points at register 0 (mapped uncached) */
	UART_SPACE_FN,    /* callbacks: `fn` reads and writes registers */
};

/* Register access by callbacks: `offset` = register number x stride, bytes. */
struct uart_access {
	uint32_t (*read)(void *ctx, unsigned offset, unsigned width);
	void (*write)(void *ctx, unsigned offset, unsigned width, uint32_t value);
	void *ctx;
};

/* One UART and how to reach it. */
struct uart_port {
	enum uart_space space;
	uint64_t base;                 /* I/O port, or MMIO physical address (for messages) */
	volatile void *regs;           /* UART_SPACE_MMIO: register 0, mapped */
	const struct uart_access *fn;  /* UART_SPACE_FN */
	uint8_t width;                 /* bytes per register access: 1, 2 or 4 */
	uint8_t stride;                /* bytes from one register to the next: 1, 2, 4 or 8, >= width */
	uint32_t clock;                /* input clock, Hz; 0 = UART_CLOCK_PC */
	uint32_t baud;                 /* 0 = keep the divisor the firmware programmed */
	int irq;                       /* legacy (ISA) IRQ line, or -1 when none is known */
};

/* uart_port_io: the description of a PC UART at I/O port `port` (width and
 * stride 1, PC clock, `baud`), with the PC/AT IRQ of COM1 (4) and COM2 (3),
 * else -1. */
struct uart_port uart_port_io(uint16_t port, uint32_t baud);

/* uart_port_check: whether `p` describes a usable register access: width 1, 2
 * or 4; stride 1, 2, 4 or 8 and >= width; base aligned to width; an I/O range
 * inside 0..0xFFFF and an MMIO one that does not wrap; MMIO with `regs` and FN
 * with `fn` set. Returns NULL when it does, else why not (a static string). */
const char *uart_port_check(const struct uart_port *p);

/* uart_reg_read / uart_reg_write: register `reg` (0..7) of port `p` through
 * its access method (I/O: IN/OUT of the width at base + reg x stride; MMIO: a
 * volatile load/store of the width; FN: the callback). Reads give the
 * register's low 8 bits. No checks: `p` must pass uart_port_check. */
uint8_t uart_reg_read(const struct uart_port *p, unsigned reg);
void uart_reg_write(const struct uart_port *p, unsigned reg, uint8_t value);

/* uart_probe: whether a working 16550 answers at `p`: the scratch register
 * keeps two patterns (an absent port floats at 0xFF) and, in loopback mode
 * (MCR bit 4), a byte written to THR comes back on RBR within a bounded
 * number of LSR reads. Leaves MCR as it found it, IER 0 and the FIFOs
 * cleared; does not change the driver's state. */
bool uart_probe(const struct uart_port *p);

/* uart_init_port: probe `p`; when it answers, make it the driver's port:
 * program p->baud (divisor round(clock / (16 baud)), clamped to 1..65535;
 * baud 0 keeps the divisor), 8N1, FIFOs on, interrupts off, DTR/RTS/OUT2 on.
 * Returns true then; otherwise false, and the port in use before (if any)
 * stays in use. */
bool uart_init_port(const struct uart_port *p);

/* uart_init: uart_init_port(uart_port_io(base, baud)) (the loader's COM1/COM2;
 * `baud` 1..115200). */
bool uart_init(uint16_t base, uint32_t baud);

/* uart_present: whether a UART is in use. */
bool uart_present(void);

/* uart_port_get: the port in use (a copy of what uart_init_port was given),
 * or NULL. */
const struct uart_port *uart_port_get(void);

/* uart_base: the I/O port in use, or 0 (no UART, or not an I/O-port UART). */
uint16_t uart_base(void);

/* uart_baud: the baud rate programmed (clock / (16 x divisor)), or 0 when no
 * UART is in use or its divisor was kept as the firmware left it. */
uint32_t uart_baud(void);

/* uart_write: send `n` bytes, turning "\n" into "\r\n". Each byte waits at most
 * 5e8 TSC cycles (0.1..0.5 s) for the transmitter (THR empty, LSR bit 5); a
 * byte that times out is dropped, and until a byte goes through again the
 * wait is 100 times shorter, so a reader that stopped reading (an emulator's
 * backpressure) slows the kernel little and a slow one loses little. */
void uart_write(const char *s, size_t n);

/* uart_dropped: bytes dropped because the transmitter did not drain in time. */
uint64_t uart_dropped(void);

/* uart_putc_raw: send one byte as is (no newline translation), bounded wait. */
void uart_putc_raw(uint8_t c);

/* uart_getc: the next received byte, or -1 when none is waiting (never blocks). */
int uart_getc(void);

/* uart_irq_line: the legacy (ISA) IRQ of the port in use (COM1 4, COM2 3, or
 * what SPCR names), or -1 when none is known (the receiver is then polled). */
int uart_irq_line(void);

/* uart_rx_irq: turn the "received data available" interrupt (IER bit 0) on or
 * off; MCR OUT2, which gates the UART's interrupt line on PCs, is already set
 * by uart_init_port. No effect without a UART. */
void uart_rx_irq(bool on);

/* The transmit side without waiting, for a transmit ring above the driver;
 * the caller keeps interrupts off around these when an interrupt handler
 * uses them too. */

/* uart_tx_room: how many bytes uart_tx_put may write now without waiting: the
 * transmit FIFO's depth (16 on a 16550A with FIFOs on, IIR bits 7:6 = 11;
 * else 1) when the transmitter holding register is empty (LSR bit 5, THRE),
 * else 0. */
unsigned uart_tx_room(void);

/* uart_tx_put: write one byte to THR as is. Only after uart_tx_room said so. */
void uart_tx_put(uint8_t c);

/* uart_irq_rearm: end of the UART's interrupt handler: write IER 0, then its
 * setting again. The 8259 takes interrupts on an edge (PC/AT convention), and
 * the UART's INTR line stays high while any enabled condition is pending
 * (data arrived or THR emptied again during the handler): without a low
 * pulse no new edge would come and the port's interrupts would stop for good.
 * With the pulse, a condition still pending raises a new edge at once. */
void uart_irq_rearm(void);

/* uart_tx_irq: turn the "transmitter holding register empty" interrupt (IER
 * bit 1, ETBEI) on or off. While on, the UART interrupts (IIR 0x02) whenever
 * THR empties; writing THR or turning it off clears that. IER is written only
 * when the setting changes. No effect without a UART. */
void uart_tx_irq(bool on);

#endif /* PXOS_UART16550_H */
