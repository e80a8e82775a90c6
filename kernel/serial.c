/*
 * serial.c — the serial transmit ring and its draining; see serial.h.
 */
#include "serial.h"
#include "txring.h"
#include "cpu.h"
#include "klog.h"
#include "param.h"
#include "drivers/timer.h"
#include "drivers/uart16550.h"

#define RFLAGS_IF (1u << 9)
/* Before the TSC is calibrated: SERIAL_STALL_US at up to 2.5 GHz. */
#define STALL_TSC_UNCALIBRATED (SERIAL_STALL_US * 2500ull)

static struct txring tx;
static bool use_irq;          /* the THRE interrupt drains the ring */
static volatile bool thre_on; /* its interrupt is enabled: it (or the tick) moves the ring */
static bool stalled;          /* the last synchronous wait gave up */
static uint64_t dropped, units, waits, full;

static struct waiter {
	size_t need;
	void (*fn)(void *arg);
	void *arg;
} waiters[SERIAL_TX_WAITERS];

static uint64_t intr_save(void)
{
	uint64_t f = read_rflags();
	cli();
	return f;
}

static void intr_restore(uint64_t f)
{
	if (f & RFLAGS_IF)
		sti();
}

static bool intr_on(void) { return read_rflags() & RFLAGS_IF; }

bool serial_present(void) { return uart_present(); }

/* tx_irq: the THRE interrupt on or off (remembered, so a writer need not
 * touch the port while it is on). */
static void tx_irq(bool on)
{
	thre_on = on;
	uart_tx_irq(on);
}

/* fill: ring → UART, as much as its transmitter takes now. Interrupts off. */
static void fill(void)
{
	uint8_t b[16];
	unsigned room = uart_tx_room();
	while (room) {
		size_t n = txring_get(&tx, b, room < sizeof(b) ? room : sizeof(b));
		if (!n)
			break;
		for (size_t i = 0; i < n; i++)
			uart_tx_put(b[i]);
		room -= (unsigned)n;
	}
}

void serial_tx_service(void)
{
	if (!uart_present())
		return;
	if (txring_used(&tx))
		fill();
	if (!txring_used(&tx))
		tx_irq(false);
}

void serial_use_irq(bool on)
{
	uint64_t f = intr_save();
	use_irq = on;
	tx_irq(on && txring_used(&tx));
	intr_restore(f);
}

/* kick: after a put: start the transmitter; the interrupt takes it from
 * there. While the THRE interrupt is on, it will come (or the tick moves the
 * ring) and the writer touches no port: under an emulator each port access
 * is costly, and a flood of writes would pay for it again and again. */
static void kick(void)
{
	uint64_t f = intr_save();
	if (!(use_irq && thre_on)) {
		fill();
		tx_irq(use_irq && txring_used(&tx));
	}
	intr_restore(f);
}

size_t serial_tx_free(void) { return uart_present() ? txring_free(&tx) : TXRING_SIZE; }

static bool put(const void *p, size_t n, bool crlf)
{
	if (!uart_present())
		return true;
	if (!txring_put(&tx, p, n, crlf)) {
		full++;
		return false;
	}
	units++;
	kick();
	return true;
}

bool serial_tx_unit(const void *p, size_t n) { return put(p, n, false); }

bool serial_tx_text(const char *s, size_t n) { return put(s, n, true); }

/* stall_limit: TSC cycles a synchronous wait may go without progress. */
static uint64_t stall_limit(void)
{
	uint64_t hz = timer_tsc_hz();
	uint64_t c = hz ? hz / 1000000u * SERIAL_STALL_US : STALL_TSC_UNCALIBRATED;
	return stalled ? c / 100 : c;
}

/* drain_until: drain the ring into the UART by polling until it has `need`
 * bytes of room; false when it stalls (SERIAL_STALL_US without progress). */
static bool drain_until(size_t need)
{
	uint64_t t0 = rdtsc(), last = tx.tail, limit = stall_limit();
	while (txring_free(&tx) < need) {
		uint64_t f = intr_save();
		fill();
		intr_restore(f);
		if (tx.tail != last) {
			last = tx.tail;
			t0 = rdtsc();
			stalled = false;
		} else if (rdtsc() - t0 >= limit) {
			stalled = true;
			return false;
		} else {
			cpu_pause();
		}
	}
	return true;
}

void serial_tx_text_wait(const char *s, size_t n)
{
	if (!uart_present())
		return;
	size_t need = txring_text_size(s, n);
	if (need > TXRING_SIZE) { /* larger than the ring: in pieces */
		size_t half = n / 2;
		serial_tx_text_wait(s, half);
		serial_tx_text_wait(s + half, n - half);
		return;
	}
	if (txring_free(&tx) < need) {
		waits++;
		if (!drain_until(need)) {
			dropped += need;
			return;
		}
	}
	(void)put(s, n, true);
	if (!intr_on())
		serial_tx_flush_sync();
}

void serial_tx_flush_sync(void)
{
	if (uart_present() && !drain_until(TXRING_SIZE)) {
		/* The reader is gone: forget what is queued, so later reports get out
		 * as soon as it reads again. */
		uint64_t f = intr_save();
		dropped += txring_used(&tx);
		tx.tail = tx.head;
		intr_restore(f);
	}
}

uint64_t serial_tx_pos(void) { return txring_head(&tx); }

bool serial_tx_sent(uint64_t pos) { return txring_sent(&tx, pos); }

int serial_tx_notify(size_t need, void (*fn)(void *arg), void *arg)
{
	if (need > TXRING_SIZE)
		return -1;
	for (unsigned i = 0; i < SERIAL_TX_WAITERS; i++) {
		if (!waiters[i].fn) {
			waiters[i] = (struct waiter){ need, fn, arg };
			return 0;
		}
	}
	return -1;
}

void serial_poll(void)
{
	if (!uart_present())
		return;
	if (!use_irq && txring_used(&tx)) {
		uint64_t f = intr_save();
		fill();
		intr_restore(f);
	}
	for (unsigned i = 0; i < SERIAL_TX_WAITERS; i++) {
		struct waiter w = waiters[i];
		if (w.fn && txring_free(&tx) >= w.need) {
			waiters[i].fn = 0;
			w.fn(w.arg);
		}
	}
}

void serial_report(void)
{
	kprintf("  serial out: %s, ring %zu of %u bytes queued, %llu units, %llu full (would block), "
	        "%llu waits, %llu bytes dropped (reader not draining)\n",
	        !uart_present() ? "none" : use_irq ? "THRE interrupt" : "polled", txring_used(&tx),
	        (unsigned)TXRING_SIZE, (unsigned long long)units, (unsigned long long)full,
	        (unsigned long long)waits, (unsigned long long)dropped);
}
