/*
 * irq.c — interrupt routing, the tick, the input rings, idle; see irq.h.
 */
#include "irq.h"
#include "cpu.h"
#include "klog.h"
#include "lib.h"
#include "param.h"
#include "ring.h"
#include "trap.h"
#include "serial.h"
#include "drivers/acpi.h"
#include "drivers/pic8259.h"
#include "drivers/pit.h"
#include "drivers/ps2kbd.h"
#include "drivers/timer.h"
#include "drivers/uart16550.h"

#define IRQ_TIMER 0

static volatile uint64_t ticks;
static volatile uint64_t irq_count[PIC_IRQ_COUNT];
static volatile uint64_t spurious[2];          /* IRQ 7, IRQ 15 */
static struct ring serial_ring;
static volatile uint64_t serial_rx, serial_dropped;
static int serial_irq = -1;                    /* -1: polled from the tick */
static bool serial_polled;
static uint64_t halts, halted_tsc;
static bool polled_mode;                       /* no interrupts reach the CPU: poll, never halt */

#define TICK_CHECK_US 100000u                  /* how long irq_init waits for the first tick */

/* Move every byte the UART holds into the serial ring (interrupt context, or
 * the main loop in polled mode). */
static void serial_drain(void)
{
	int c;
	for (int i = 0; i < 64 && (c = uart_getc()) >= 0; i++) {
		serial_rx++;
		if (!ring_put(&serial_ring, (uint8_t)c))
			serial_dropped++;
	}
}

static void on_irq(struct trapframe *tf)
{
	unsigned irq = (unsigned)tf->vector - PIC_VECTOR_BASE;
	if ((irq == 7 || irq == 15) && pic_spurious(irq)) {
		spurious[irq == 15]++;
		return;
	}
	irq_count[irq]++;
	if (irq == IRQ_TIMER) {
		ticks++;
		if (serial_polled)
			serial_drain();
		serial_tx_service(); /* no THRE interrupt, or one lost: 16 bytes a tick */
	} else if (irq == PS2KBD_IRQ) {
		ps2kbd_irq();
	} else if ((int)irq == serial_irq) {
		serial_drain();
		serial_tx_service(); /* THRE: refill the transmit FIFO from the ring */
		uart_irq_rearm();    /* a new edge for whatever is still pending */
	}
	pic_eoi(irq);
}

/* enter_polled_mode: the devices are read from the main loop, with interrupts
 * masked at the 8259s (the rings keep a single producer). */
static void enter_polled_mode(const char *why)
{
	cli();
	for (unsigned irq = 0; irq < PIC_IRQ_COUNT; irq++)
		pic_mask(irq);
	uart_rx_irq(false);
	serial_use_irq(false);
	polled_mode = true;
	sti();
	kwarn("irq", "%s: keyboard and serial polled from the main loop; the CPU never halts", why);
}

void irq_poll_devices(void)
{
	if (!polled_mode)
		return;
	if (ps2kbd_present())
		ps2kbd_irq();
	serial_drain();
	serial_tx_service();
}

void irq_init(const char *mode)
{
	ring_init(&serial_ring);
	pic_init();
	for (unsigned irq = 0; irq < PIC_IRQ_COUNT; irq++)
		trap_register(PIC_VECTOR_BASE + irq, on_irq);

	uint64_t mhz = pit_start(TICK_HZ);
	pic_unmask(IRQ_TIMER);
	kinfo("irq", "8259 pair at vectors 0x%x..0x%x; PIT tick %llu.%03llu Hz on IRQ 0", PIC_VECTOR_BASE,
	      PIC_VECTOR_BASE + 15, (unsigned long long)(mhz / 1000), (unsigned long long)(mhz % 1000));

	const char *why = "";
	if (ps2kbd_init(&why)) {
		pic_unmask(PS2KBD_IRQ);
		if (ps2kbd_keyboard())
			kinfo("irq", "PS/2 keyboard on IRQ 1");
		else
			kinfo("irq", "PS/2 controller on IRQ 1, %s: a keyboard plugged in later works", why);
	} else {
		kinfo("irq", "no PS/2 keyboard: %s%s", why,
		      acpi_get()->has_fadt && !acpi_get()->has_8042 ? " (ACPI says there is no 8042)" : "");
	}

	if (uart_present()) {
		serial_irq = uart_irq_line();
		if (serial_irq >= 0) {
			uart_rx_irq(true);
			serial_use_irq(true);
			pic_unmask((unsigned)serial_irq);
			kinfo("irq", "serial receive on IRQ %d", serial_irq);
		} else {
			serial_polled = true;
			kinfo("irq", "serial port 0x%x has no known IRQ: received bytes polled on each tick",
			      uart_base());
		}
	}
	sti();
	if (mode && !strcmp(mode, "poll")) {
		enter_polled_mode("irq=poll");
		return;
	}
	/* UEFI firmware leaves the LAPIC in virtual-wire mode, so the 8259 reaches
	 * the CPU; where it does not, a HLT would never wake up. */
	uint64_t end = timer_us() + TICK_CHECK_US;
	while (!ticks && timer_us() < end)
		cpu_pause();
	if (!ticks)
		enter_polled_mode("no PIT tick within 100 ms (the 8259 does not reach the CPU)");
}


uint64_t irq_ticks(void) { return ticks; }

size_t irq_serial_read(uint8_t *out, size_t cap)
{
	size_t n = 0;
	while (n < cap && ring_get(&serial_ring, &out[n]))
		n++;
	return n;
}

bool irq_input_pending(void)
{
	return !ring_empty(&serial_ring) || ps2kbd_pending();
}

void irq_idle(void)
{
	if (polled_mode) {
		cpu_pause();
		return;
	}
	cli();
	if (irq_input_pending()) {
		sti();
		return;
	}
	uint64_t t0 = rdtsc();
	/* STI takes effect after the next instruction: an interrupt that became
	 * pending after the check above wakes the HLT instead of being missed. */
	__asm__ volatile("sti; hlt" ::: "memory");
	halted_tsc += rdtsc() - t0;
	halts++;
}

void irq_idle_stats(uint64_t *h, uint64_t *us)
{
	*h = halts;
	uint64_t hz = timer_tsc_hz();
	*us = hz ? halted_tsc / hz * 1000000ull + halted_tsc % hz * 1000000ull / hz : 0;
}

void irq_report(void)
{
	uint64_t h, us, kr, kd;
	irq_idle_stats(&h, &us);
	ps2kbd_stats(&kr, &kd);
	kprintf("  IRQ  VECTOR  COUNT\n");
	for (unsigned i = 0; i < PIC_IRQ_COUNT; i++)
		if (irq_count[i] || !(pic_mask_bits() & (1u << i)))
			kprintf("  %3u  0x%02x    %llu%s\n", i, PIC_VECTOR_BASE + i, (unsigned long long)irq_count[i],
			        (pic_mask_bits() & (1u << i)) ? " (masked)" : "");
	kprintf("  spurious IRQ 7: %llu, IRQ 15: %llu; PIC mask 0x%04x\n", (unsigned long long)spurious[0],
	        (unsigned long long)spurious[1], pic_mask_bits());
	unsigned last;
	uint64_t other = trap_unexpected(&last);
	if (other)
		kprintf("  unexpected interrupts on unrouted vectors: %llu (last 0x%x)\n", (unsigned long long)other, last);
	kprintf("  keyboard: %s, %llu scancodes, %llu dropped\n",
	        ps2kbd_keyboard() ? "PS/2" : ps2kbd_present() ? "PS/2 controller, no keyboard yet" : "none",
	        (unsigned long long)kr, (unsigned long long)kd);
	kprintf("  mode: %s\n", polled_mode ? "polled (no interrupts reach the CPU, or irq=poll)" : "interrupts");
	kprintf("  serial: %s, %llu bytes received, %llu dropped\n",
	        !uart_present() ? "none" : polled_mode ? "polled" : serial_polled ? "polled on the tick" : "IRQ",
	        (unsigned long long)serial_rx, (unsigned long long)serial_dropped);
	serial_report();
	kprintf("  idle: %llu halts, %llu ms halted\n", (unsigned long long)h, (unsigned long long)(us / 1000));
}
