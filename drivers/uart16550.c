/*
 * uart16550.c — 16550 UART driver over any register access; see uart16550.h.
 */
#include "uart16550.h"
#include "portio.h"

enum {
	REG_DATA = 0, REG_IER = 1, REG_FCR = 2, REG_LCR = 3,
	REG_MCR = 4, REG_LSR = 5, REG_MSR = 6, REG_SCR = 7,
};
#define REG_IIR        REG_FCR  /* read side of FCR */
#define REG_DLL        REG_DATA /* while LCR.DLAB = 1 */
#define REG_DLM        REG_IER
#define IER_RX_DATA    0x01
#define IER_THR_EMPTY  0x02
#define IIR_FIFO_ON    0xC0     /* IIR bits 7:6 = 11: the 16-byte FIFOs are enabled (16550A) */
#define TX_FIFO_DEPTH  16
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY  0x20
#define LCR_DLAB       0x80
#define LCR_8N1        0x03
#define MCR_DTR_RTS_OUT2 0x0B
#define MCR_LOOPBACK   0x10
#define FCR_ON_CLEAR   0x07     /* enable and clear both FIFOs */
#define FCR_ON_CLEAR_RX14 0xC7  /* the same, receive trigger at 14 bytes */

/* Status reads before the loopback probe gives up. An IN from an I/O port
 * takes about 1 us on real chipsets (an uncached MMIO read less), so this
 * bounds it to ~10 ms. */
#define UART_SPIN_LIMIT 10000u
/* Longest wait for the transmitter to take one byte, in TSC cycles: 0.1 s at
 * 5 GHz, 0.5 s at 1 GHz (the frequency is not known yet when the loader and
 * the kernel start writing). A real 16550 always drains (it does not wait for
 * the other end), so only an emulated port whose reader has stopped reading
 * (QEMU's chardev backpressure) stalls. Once one byte has timed out, later
 * bytes wait only UART_STALLED_TSC each, so a stuck reader costs the kernel
 * little, and as soon as one byte goes through, full waits resume: a reader
 * that was only slow (a loaded host) gets the console back. */
#define UART_STALL_TSC   500000000ull
#define UART_STALLED_TSC (UART_STALL_TSC / 100)

static struct uart_port g_port;
static bool g_present;
static bool g_stalled;       /* the last byte timed out */
static uint64_t g_dropped;   /* bytes given up on since uart_init_port */
static uint8_t g_ier;        /* what IER holds */
static unsigned g_fifo;      /* bytes THR takes at once when empty: 16 or 1 */
static uint32_t g_baud;      /* programmed, 0 = as the firmware left it */

struct uart_port uart_port_io(uint16_t port, uint32_t baud)
{
	struct uart_port p = {
		.space = UART_SPACE_IO, .base = port, .width = 1, .stride = 1,
		.clock = UART_CLOCK_PC, .baud = baud,
		.irq = port == UART_COM1 ? 4 : port == UART_COM2 ? 3 : -1,
	};
	return p;
}

const char *uart_port_check(const struct uart_port *p)
{
	if (p->width != 1 && p->width != 2 && p->width != 4)
		return "register width must be 1, 2 or 4 bytes";
	if ((p->stride != 1 && p->stride != 2 && p->stride != 4 && p->stride != 8) || p->stride < p->width)
		return "register stride must be 1, 2, 4 or 8 bytes and at least the width";
	if (p->base % p->width)
		return "base address not aligned to the register width";
	uint64_t span = (uint64_t)(UART_REGS - 1) * p->stride + p->width;
	switch (p->space) {
	case UART_SPACE_IO:
		if (p->base > 0x10000 - span)
			return "I/O registers beyond port 0xffff";
		return 0;
	case UART_SPACE_MMIO:
		if (!p->regs)
			return "MMIO registers not mapped";
		if (p->base > UINT64_MAX - span)
			return "MMIO range wraps around";
		return 0;
	case UART_SPACE_FN:
		return p->fn && p->fn->read && p->fn->write ? 0 : "no register callbacks";
	}
	return "unknown register space";
}

uint8_t uart_reg_read(const struct uart_port *p, unsigned reg)
{
	unsigned off = reg * p->stride;
	switch (p->space) {
	case UART_SPACE_IO: {
		uint16_t port = (uint16_t)(p->base + off);
		return p->width == 4 ? (uint8_t)inl(port) : p->width == 2 ? (uint8_t)inw(port) : inb(port);
	}
	case UART_SPACE_MMIO: {
		volatile uint8_t *a = (volatile uint8_t *)p->regs + off;
		if (p->width == 4)
			return (uint8_t)*(volatile uint32_t *)(volatile void *)a;
		if (p->width == 2)
			return (uint8_t)*(volatile uint16_t *)(volatile void *)a;
		return *a;
	}
	case UART_SPACE_FN:
		return (uint8_t)p->fn->read(p->fn->ctx, off, p->width);
	}
	return 0xFF;
}

void uart_reg_write(const struct uart_port *p, unsigned reg, uint8_t value)
{
	unsigned off = reg * p->stride;
	switch (p->space) {
	case UART_SPACE_IO: {
		uint16_t port = (uint16_t)(p->base + off);
		if (p->width == 4)
			outl(port, value);
		else if (p->width == 2)
			outw(port, value);
		else
			outb(port, value);
		return;
	}
	case UART_SPACE_MMIO: {
		volatile uint8_t *a = (volatile uint8_t *)p->regs + off;
		if (p->width == 4)
			*(volatile uint32_t *)(volatile void *)a = value;
		else if (p->width == 2)
			*(volatile uint16_t *)(volatile void *)a = value;
		else
			*a = value;
		return;
	}
	case UART_SPACE_FN:
		p->fn->write(p->fn->ctx, off, p->width, value);
		return;
	}
}

bool uart_probe(const struct uart_port *p)
{
	if (uart_port_check(p))
		return false;
	/* Scratch register: absent ports read back 0xFF (floating bus). */
	uart_reg_write(p, REG_SCR, 0x5A);
	if (uart_reg_read(p, REG_SCR) != 0x5A)
		return false;
	uart_reg_write(p, REG_SCR, 0xA5);
	if (uart_reg_read(p, REG_SCR) != 0xA5)
		return false;

	/* Loopback: a byte written to THR comes back on RBR. */
	uint8_t saved_mcr = uart_reg_read(p, REG_MCR);
	uart_reg_write(p, REG_IER, 0x00);
	uart_reg_write(p, REG_FCR, FCR_ON_CLEAR);
	uart_reg_write(p, REG_MCR, MCR_LOOPBACK | 0x0F);
	uart_reg_write(p, REG_DATA, 0xAE);
	bool ok = false;
	for (unsigned i = 0; i < UART_SPIN_LIMIT; i++) {
		if (uart_reg_read(p, REG_LSR) & LSR_DATA_READY) {
			ok = uart_reg_read(p, REG_DATA) == 0xAE;
			break;
		}
	}
	uart_reg_write(p, REG_MCR, saved_mcr);
	uart_reg_write(p, REG_FCR, FCR_ON_CLEAR);
	return ok;
}

/* divisor: clock / (16 baud), rounded, clamped to what DLL/DLM hold. */
static uint32_t divisor(uint32_t clock, uint32_t baud)
{
	uint64_t d = ((uint64_t)clock + 8ull * baud) / (16ull * baud);
	return d == 0 ? 1 : d > 0xFFFF ? 0xFFFF : (uint32_t)d;
}

bool uart_init_port(const struct uart_port *p)
{
	if (!uart_probe(p))
		return false;
	struct uart_port q = *p;
	if (!q.clock)
		q.clock = UART_CLOCK_PC;
	uart_reg_write(&q, REG_IER, 0x00);
	g_baud = 0;
	if (q.baud) {
		uint32_t div = divisor(q.clock, q.baud);
		uart_reg_write(&q, REG_LCR, LCR_DLAB);
		uart_reg_write(&q, REG_DLL, (uint8_t)(div & 0xFF));
		uart_reg_write(&q, REG_DLM, (uint8_t)(div >> 8));
		g_baud = q.clock / 16 / div;
	}
	uart_reg_write(&q, REG_LCR, LCR_8N1);
	uart_reg_write(&q, REG_FCR, FCR_ON_CLEAR_RX14);
	uart_reg_write(&q, REG_MCR, MCR_DTR_RTS_OUT2);
	g_fifo = (uart_reg_read(&q, REG_IIR) & IIR_FIFO_ON) == IIR_FIFO_ON ? TX_FIFO_DEPTH : 1;
	g_port = q;
	g_ier = 0;
	g_stalled = false;
	g_dropped = 0;
	g_present = true;
	return true;
}

bool uart_init(uint16_t base, uint32_t baud)
{
	struct uart_port p = uart_port_io(base, baud ? baud : 115200);
	return uart_init_port(&p);
}

bool uart_present(void) { return g_present; }
const struct uart_port *uart_port_get(void) { return g_present ? &g_port : 0; }
uint16_t uart_base(void) { return g_present && g_port.space == UART_SPACE_IO ? (uint16_t)g_port.base : 0; }
uint32_t uart_baud(void) { return g_present ? g_baud : 0; }

static bool thr_empty(void) { return uart_reg_read(&g_port, REG_LSR) & LSR_THR_EMPTY; }

void uart_putc_raw(uint8_t c)
{
	if (!g_present)
		return;
	/* Bounded by TSC cycles, not by a count of status reads: under an
	 * emulator on a loaded host, draining one byte can take many reads. */
	uint64_t start = rdtsc(), limit = g_stalled ? UART_STALLED_TSC : UART_STALL_TSC;
	do {
		if (thr_empty()) {
			uart_reg_write(&g_port, REG_DATA, c);
			g_stalled = false;
			return;
		}
		cpu_pause();
	} while (rdtsc() - start < limit);
	g_stalled = true; /* the reader is not draining the port: drop this byte */
	g_dropped++;
}

uint64_t uart_dropped(void) { return g_dropped; }

void uart_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n && g_present; i++) {
		if (s[i] == '\n')
			uart_putc_raw('\r');
		uart_putc_raw((uint8_t)s[i]);
	}
}

int uart_getc(void)
{
	if (!g_present)
		return -1;
	if (uart_reg_read(&g_port, REG_LSR) & LSR_DATA_READY)
		return uart_reg_read(&g_port, REG_DATA);
	return -1;
}

int uart_irq_line(void) { return g_present ? g_port.irq : -1; }

static void set_ier(uint8_t bit, bool on)
{
	uint8_t v = on ? (uint8_t)(g_ier | bit) : (uint8_t)(g_ier & ~bit);
	if (!g_present || v == g_ier)
		return;
	g_ier = v;
	uart_reg_write(&g_port, REG_IER, v);
}

void uart_rx_irq(bool on) { set_ier(IER_RX_DATA, on); }

void uart_irq_rearm(void)
{
	if (!g_present || !g_ier)
		return;
	uart_reg_write(&g_port, REG_IER, 0);
	uart_reg_write(&g_port, REG_IER, g_ier);
}

void uart_tx_irq(bool on) { set_ier(IER_THR_EMPTY, on); }

unsigned uart_tx_room(void) { return g_present && thr_empty() ? g_fifo : 0; }

void uart_tx_put(uint8_t c)
{
	if (g_present)
		uart_reg_write(&g_port, REG_DATA, c);
}
