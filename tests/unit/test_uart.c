/*
 * test_uart.c — drivers/uart16550.c on a model of a 16550 (PC16550D register
 * map) reached through callbacks at any register width and stride: the
 * probe (scratch register, loopback), the divisor for any clock and baud,
 * line settings, output with newline translation, input, the interrupt
 * enables, the transmit-ring calls, a transmitter that never drains (bounded,
 * dropped and counted), a failed init that keeps the port in use; and the
 * MMIO accessors' addresses and widths on a plain buffer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "drivers/uart16550.h"

/* ---- the model ---- */

struct model {
	unsigned width, stride;
	bool absent;          /* reads float at 0xFF, writes vanish */
	bool no_loopback;     /* scratch works, loopback does not */
	bool no_fifo;         /* a 16450: FCR ignored, IIR bits 7:6 stay 0 */
	bool stuck;           /* THR never empties */
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	bool fifo;
	uint8_t rx[64];
	unsigned rx_n;
	char tx[256];
	unsigned tx_n;
	unsigned ier_writes, accesses;
};

static unsigned reg_of(struct model *m, unsigned off, unsigned width)
{
	assert_int_equal(width, m->width);
	assert_int_equal(off % m->stride, 0);
	assert_true(off / m->stride < 8);
	m->accesses++;
	return off / m->stride;
}

static uint32_t m_read(void *ctx, unsigned off, unsigned width)
{
	struct model *m = ctx;
	unsigned reg = reg_of(m, off, width);
	if (m->absent)
		return 0xFFFFFFFFu >> (32 - 8 * width);
	bool dlab = m->lcr & 0x80;
	uint8_t v = 0;
	switch (reg) {
	case 0:
		if (dlab) {
			v = m->dll;
		} else if (m->rx_n) {
			v = m->rx[0];
			memmove(m->rx, m->rx + 1, --m->rx_n);
		}
		break;
	case 1: v = dlab ? m->dlm : m->ier; break;
	case 2: v = (uint8_t)((m->fifo ? 0xC0 : 0) | 0x01); break;
	case 3: v = m->lcr; break;
	case 4: v = m->mcr; break;
	case 5: v = (uint8_t)((m->rx_n ? 0x01 : 0) | (m->stuck ? 0 : 0x60)); break;
	case 6: v = 0; break;
	case 7: v = m->scr; break;
	}
	return 0xA500u << 8 | v; /* upper bits of a wide register are noise */
}

static void m_write(void *ctx, unsigned off, unsigned width, uint32_t value)
{
	struct model *m = ctx;
	unsigned reg = reg_of(m, off, width);
	uint8_t v = (uint8_t)value;
	assert_int_equal(value, v);
	if (m->absent)
		return;
	bool dlab = m->lcr & 0x80;
	switch (reg) {
	case 0:
		if (dlab)
			m->dll = v;
		else if (m->mcr & 0x10) {
			if (!m->no_loopback && m->rx_n < sizeof(m->rx))
				m->rx[m->rx_n++] = v;
		} else if (!m->stuck && m->tx_n < sizeof(m->tx)) {
			m->tx[m->tx_n++] = (char)v;
		}
		break;
	case 1:
		if (dlab) {
			m->dlm = v;
		} else {
			m->ier = v;
			m->ier_writes++;
		}
		break;
	case 2:
		if (!m->no_fifo) {
			m->fifo = v & 1;
			if (v & 2)
				m->rx_n = 0;
		}
		break;
	case 3: m->lcr = v; break;
	case 4: m->mcr = v; break;
	case 7: m->scr = v; break;
	}
}

static struct model md;
static struct uart_access acc = { m_read, m_write, &md };

static struct uart_port fn_port(unsigned width, unsigned stride, uint32_t clock, uint32_t baud)
{
	memset(&md, 0, sizeof(md));
	md.width = width;
	md.stride = stride;
	struct uart_port p = {
		.space = UART_SPACE_FN, .base = 0x1000, .fn = &acc, .width = (uint8_t)width,
		.stride = (uint8_t)stride, .clock = clock, .baud = baud, .irq = -1,
	};
	return p;
}

/* ---- tests ---- */

static void test_init_shapes(void **state)
{
	(void)state;
	const unsigned shapes[][2] = { { 1, 1 }, { 1, 4 }, { 2, 2 }, { 4, 4 }, { 4, 8 } };
	for (unsigned i = 0; i < 5; i++) {
		struct uart_port p = fn_port(shapes[i][0], shapes[i][1], 0, 115200);
		assert_true(uart_init_port(&p));
		assert_true(uart_present());
		assert_int_equal(md.dll, 1);
		assert_int_equal(md.dlm, 0);
		assert_int_equal(md.lcr, 0x03);       /* 8N1, DLAB off */
		assert_int_equal(md.mcr, 0x0B);       /* DTR, RTS, OUT2; loopback off again */
		assert_int_equal(md.ier, 0);
		assert_true(md.fifo);
		assert_int_equal(uart_baud(), 115200);
		assert_int_equal(uart_port_get()->clock, UART_CLOCK_PC); /* 0 means the PC's */
		assert_int_equal(uart_base(), 0);                         /* not an I/O port */
		assert_int_equal(uart_irq_line(), -1);
	}
}

static void test_divisors(void **state)
{
	(void)state;
	const struct { uint32_t clock, baud, div, actual; } c[] = {
		{ 1843200, 115200, 1, 115200 }, { 1843200, 9600, 12, 9600 }, { 1843200, 57600, 2, 57600 },
		{ 48000000, 115200, 26, 115384 }, { 48000000, 3000000, 1, 3000000 },
		{ 1843200, 230400, 1, 115200 },   /* faster than the clock allows: divisor 1 */
		{ 1843200, 1, 0xFFFF, 1 },        /* slower than 16 bits allow: 0xFFFF */
		{ 62500000, 115200, 34, 114889 },
	};
	for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct uart_port p = fn_port(1, 1, c[i].clock, c[i].baud);
		assert_true(uart_init_port(&p));
		assert_int_equal(md.dll | md.dlm << 8, c[i].div);
		assert_int_equal(uart_baud(), c[i].actual);
	}
	/* Baud 0: the firmware's divisor stays, and the rate is not claimed. */
	struct uart_port p = fn_port(4, 4, 0, 0);
	md.dll = 7;
	md.dlm = 1;
	assert_true(uart_init_port(&p));
	assert_int_equal(md.dll, 7);
	assert_int_equal(md.dlm, 1);
	assert_int_equal(uart_baud(), 0);
}

static void test_probe_failures_keep_port(void **state)
{
	(void)state;
	struct uart_port good = fn_port(1, 1, 0, 115200);
	assert_true(uart_init_port(&good));
	static struct model other;
	static struct uart_access other_acc = { m_read, m_write, &other };
	struct uart_port bad = good;
	bad.fn = &other_acc;
	bad.base = 0x2000;
	memset(&other, 0, sizeof(other));
	other.width = other.stride = 1;
	other.absent = true;
	assert_false(uart_probe(&bad));
	assert_false(uart_init_port(&bad));
	assert_true(uart_present());
	assert_int_equal(uart_port_get()->base, 0x1000);
	memset(&other, 0, sizeof(other));
	other.width = other.stride = 1;
	other.no_loopback = true;
	assert_false(uart_init_port(&bad));
	assert_int_equal(other.mcr, 0);        /* MCR put back after the loopback test */
	assert_int_equal(uart_port_get()->base, 0x1000);
	/* A description that fails uart_port_check is not touched at all. */
	bad.width = 3;
	other.accesses = 0;
	assert_false(uart_probe(&bad));
	assert_int_equal(other.accesses, 0);
}

static void test_io_output_input(void **state)
{
	(void)state;
	struct uart_port p = fn_port(4, 4, 0, 115200);
	assert_true(uart_init_port(&p));
	uart_write("ab\ncd", 5);
	assert_int_equal(md.tx_n, 6);
	assert_memory_equal(md.tx, "ab\r\ncd", 6);
	uart_putc_raw('\n');
	assert_int_equal(md.tx[6], '\n');
	assert_int_equal(uart_getc(), -1);
	md.rx[0] = 'x';
	md.rx[1] = 'y';
	md.rx_n = 2;
	assert_int_equal(uart_getc(), 'x');
	assert_int_equal(uart_getc(), 'y');
	assert_int_equal(uart_getc(), -1);
	assert_int_equal(uart_dropped(), 0);
}

static void test_irq_enables_and_tx_ring_calls(void **state)
{
	(void)state;
	struct uart_port p = fn_port(1, 1, 0, 115200);
	p.irq = 4;
	assert_true(uart_init_port(&p));
	assert_int_equal(uart_irq_line(), 4);
	unsigned w = md.ier_writes;
	uart_rx_irq(true);
	assert_int_equal(md.ier, 0x01);
	uart_tx_irq(true);
	assert_int_equal(md.ier, 0x03);
	uart_tx_irq(true);                 /* no change: no write */
	assert_int_equal(md.ier_writes, w + 2);
	w = md.ier_writes;
	uart_irq_rearm();                  /* a low pulse on INTR: IER 0, then 0x03 again */
	assert_int_equal(md.ier_writes, w + 2);
	assert_int_equal(md.ier, 0x03);
	uart_rx_irq(false);
	assert_int_equal(md.ier, 0x02);
	uart_tx_irq(false);
	assert_int_equal(md.ier, 0x00);
	w = md.ier_writes;
	uart_irq_rearm();                  /* nothing enabled: nothing written */
	assert_int_equal(md.ier_writes, w);
	assert_int_equal(uart_tx_room(), 16);  /* 16550A with FIFOs on */
	uart_tx_put('Z');
	assert_int_equal(md.tx[md.tx_n - 1], 'Z');
	md.stuck = true;
	assert_int_equal(uart_tx_room(), 0);
	/* A 16450 (no FIFO): one byte at a time. */
	p = fn_port(1, 1, 0, 115200);
	md.no_fifo = true;
	assert_true(uart_init_port(&p));
	assert_int_equal(uart_tx_room(), 1);
}

static void test_stuck_transmitter(void **state)
{
	(void)state;
	struct uart_port p = fn_port(1, 1, 0, 115200);
	assert_true(uart_init_port(&p));
	md.stuck = true;
	uart_write("ab", 2);   /* one full wait, then a short one */
	assert_int_equal(uart_dropped(), 2);
	md.stuck = false;
	uart_putc_raw('c');
	assert_int_equal(md.tx_n, 1);
	assert_int_equal(md.tx[0], 'c');
}

static void test_port_check(void **state)
{
	(void)state;
	static volatile uint8_t buf[64];
	struct uart_port p = uart_port_io(UART_COM1, 115200);
	assert_null(uart_port_check(&p));
	assert_int_equal(p.irq, 4);
	assert_int_equal(uart_port_io(UART_COM2, 9600).irq, 3);
	assert_int_equal(uart_port_io(0x3E8, 9600).irq, -1);
	p.base = 0xFFF8;
	assert_null(uart_port_check(&p));
	p.base = 0xFFF9;
	assert_non_null(uart_port_check(&p));
	p.base = 0x3F8;
	p.width = 3;
	assert_non_null(uart_port_check(&p));
	p.width = 4;
	p.stride = 2;
	assert_non_null(uart_port_check(&p));
	p.stride = 16;
	assert_non_null(uart_port_check(&p));
	p.stride = 4;
	p.base = 0x3FA;   /* not aligned to 4 */
	assert_non_null(uart_port_check(&p));
	p.space = UART_SPACE_MMIO;
	p.base = 0xFEDC9000;
	assert_non_null(uart_port_check(&p)); /* not mapped */
	p.regs = buf;
	assert_null(uart_port_check(&p));
	p.base = UINT64_MAX - 16;
	assert_non_null(uart_port_check(&p));
	p.space = UART_SPACE_FN;
	p.base = 0;
	p.fn = 0;
	assert_non_null(uart_port_check(&p));
}

/* MMIO: register n at regs + n x stride, one access of the width. */
static void test_mmio_accessors(void **state)
{
	(void)state;
	static uint32_t words[16];
	struct uart_port p = { .space = UART_SPACE_MMIO, .base = 0xFEDC9000, .regs = words, .width = 4, .stride = 4 };
	memset(words, 0, sizeof(words));
	uart_reg_write(&p, 5, 0xAB);
	assert_int_equal(words[5], 0xAB);
	words[3] = 0x12345678;
	assert_int_equal(uart_reg_read(&p, 3), 0x78);
	uint8_t *bytes = (uint8_t *)words;
	memset(words, 0, sizeof(words));
	p.width = 1;
	p.stride = 1;
	uart_reg_write(&p, 7, 0x5A);
	assert_int_equal(bytes[7], 0x5A);
	assert_int_equal(words[1], 0x5A000000u);  /* byte 7: the top of word 1 */
	memset(words, 0, sizeof(words));
	p.width = 1;
	p.stride = 4;
	uart_reg_write(&p, 2, 0xC7);
	assert_int_equal(words[2], 0xC7);
	memset(words, 0, sizeof(words));
	p.width = 2;
	p.stride = 8;
	uart_reg_write(&p, 1, 0x33);
	assert_int_equal(words[2], 0x33);
	words[4] = 0xFFFF0044;
	assert_int_equal(uart_reg_read(&p, 2), 0x44);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_shapes),
		cmocka_unit_test(test_divisors),
		cmocka_unit_test(test_probe_failures_keep_port),
		cmocka_unit_test(test_io_output_input),
		cmocka_unit_test(test_irq_enables_and_tx_ring_calls),
		cmocka_unit_test(test_stuck_transmitter),
		cmocka_unit_test(test_port_check),
		cmocka_unit_test(test_mmio_accessors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
