/*
 * uart16550.c — polled 16550 UART driver; see uart16550.h.
 */
#include "uart16550.h"
#include "portio.h"

enum {
	REG_DATA = 0, REG_IER = 1, REG_FCR = 2, REG_LCR = 3,
	REG_MCR = 4, REG_LSR = 5, REG_MSR = 6, REG_SCR = 7,
};
#define IER_RX_DATA    0x01
#define IER_THR_EMPTY  0x02
#define IIR_FIFO_ON    0xC0   /* IIR bits 7:6 = 11: the 16-byte FIFOs are enabled (16550A) */
#define TX_FIFO_DEPTH  16
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY  0x20
#define LCR_DLAB       0x80
#define LCR_8N1        0x03
#define MCR_DTR_RTS_OUT2 0x0B
#define MCR_LOOPBACK   0x10
#define UART_CLOCK     115200u

/* Iterations of an LSR poll before the loopback probe gives up. Each IN from
 * an I/O port takes about 1 us on real chipsets, so this bounds it to ~10 ms. */
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

static uint16_t g_base;
static bool g_present;
static bool g_stalled;       /* the last byte timed out */
static uint64_t g_dropped;   /* bytes given up on since uart_init */
static uint8_t g_ier;        /* what IER holds */
static unsigned g_fifo;      /* bytes THR takes at once when empty: 16 or 1 */

static bool probe(uint16_t base)
{
	/* Scratch register: absent ports read back 0xFF (floating bus). */
	outb(base + REG_SCR, 0x5A);
	if (inb(base + REG_SCR) != 0x5A)
		return false;
	outb(base + REG_SCR, 0xA5);
	if (inb(base + REG_SCR) != 0xA5)
		return false;

	/* Loopback: a byte written to THR comes back on RBR. */
	uint8_t saved_mcr = inb(base + REG_MCR);
	outb(base + REG_IER, 0x00);
	outb(base + REG_FCR, 0x07); /* enable and clear FIFOs */
	outb(base + REG_MCR, MCR_LOOPBACK | 0x0F);
	outb(base + REG_DATA, 0xAE);
	bool ok = false;
	for (unsigned i = 0; i < UART_SPIN_LIMIT; i++) {
		if (inb(base + REG_LSR) & LSR_DATA_READY) {
			ok = inb(base + REG_DATA) == 0xAE;
			break;
		}
	}
	outb(base + REG_MCR, saved_mcr);
	return ok;
}

bool uart_init(uint16_t base, uint32_t baud)
{
	g_present = false;
	g_base = 0;
	g_stalled = false;
	g_dropped = 0;
	if (!probe(base))
		return false;
	if (baud == 0 || baud > UART_CLOCK)
		baud = UART_CLOCK;
	uint32_t div = (UART_CLOCK + baud / 2) / baud;
	if (div == 0)
		div = 1;
	if (div > 0xFFFF)
		div = 0xFFFF;
	outb(base + REG_IER, 0x00);
	outb(base + REG_LCR, LCR_DLAB);
	outb(base + REG_DATA, (uint8_t)(div & 0xFF));
	outb(base + REG_IER, (uint8_t)(div >> 8));
	outb(base + REG_LCR, LCR_8N1);
	outb(base + REG_FCR, 0xC7); /* FIFO on, clear both, 14-byte RX trigger */
	outb(base + REG_MCR, MCR_DTR_RTS_OUT2);
	g_fifo = (inb(base + REG_FCR) & IIR_FIFO_ON) == IIR_FIFO_ON ? TX_FIFO_DEPTH : 1; /* reads IIR */
	g_ier = 0;
	g_base = base;
	g_present = true;
	return true;
}

bool uart_present(void) { return g_present; }
uint16_t uart_base(void) { return g_present ? g_base : 0; }

static bool thr_empty(void) { return inb(g_base + REG_LSR) & LSR_THR_EMPTY; }

void uart_putc_raw(uint8_t c)
{
	if (!g_present)
		return;
	/* Bounded by TSC cycles, not by a count of status reads: under an
	 * emulator on a loaded host, draining one byte can take many reads. */
	uint64_t start = rdtsc(), limit = g_stalled ? UART_STALLED_TSC : UART_STALL_TSC;
	do {
		if (thr_empty()) {
			outb(g_base + REG_DATA, c);
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
	if (inb(g_base + REG_LSR) & LSR_DATA_READY)
		return inb(g_base + REG_DATA);
	return -1;
}

int uart_irq_line(void)
{
	if (!g_present)
		return -1;
	if (g_base == UART_COM1)
		return 4;
	if (g_base == UART_COM2)
		return 3;
	return -1;
}

static void set_ier(uint8_t bit, bool on)
{
	uint8_t v = on ? (uint8_t)(g_ier | bit) : (uint8_t)(g_ier & ~bit);
	if (!g_present || v == g_ier)
		return;
	g_ier = v;
	outb(g_base + REG_IER, v);
}

void uart_rx_irq(bool on) { set_ier(IER_RX_DATA, on); }

void uart_irq_rearm(void)
{
	if (!g_present || !g_ier)
		return;
	outb(g_base + REG_IER, 0);
	outb(g_base + REG_IER, g_ier);
}

void uart_tx_irq(bool on) { set_ier(IER_THR_EMPTY, on); }

unsigned uart_tx_room(void)
{
	return g_present && thr_empty() ? g_fifo : 0;
}

void uart_tx_put(uint8_t c)
{
	if (g_present)
		outb(g_base + REG_DATA, c);
}
