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
#include "uartsel.h"
#include "drivers/acpi.h"
#include "drivers/hpet.h"
#include "drivers/ioapic.h"
#include "drivers/lapic.h"
#include "drivers/pic8259.h"
#include "drivers/pit.h"
#include "drivers/ps2kbd.h"
#include "drivers/timer.h"
#include "drivers/uart16550.h"

#define IRQ_TIMER 0
#define HPET_LEGACY_GSI 2   /* HPET legacy replacement: timer 0 on I/O APIC pin 2 (HPET spec §2.3.9.1) */

enum controller { CTRL_PIC, CTRL_IOAPIC };
enum tick_source { TICK_NONE, TICK_PIT, TICK_LAPIC, TICK_HPET };
static const char *const tick_names[] = { "none", "PIT", "LAPIC timer", "HPET" };

static volatile uint64_t ticks;
static volatile uint64_t irq_count[PIC_IRQ_COUNT];
static volatile uint64_t spurious[2];          /* IRQ 7, IRQ 15 */
static volatile uint64_t apic_spurious;
static struct ring serial_ring;
static volatile uint64_t serial_rx, serial_dropped;
static int serial_irq = -1;                    /* -1: polled from the tick */
static bool serial_polled;
static uint64_t halts, halted_tsc;
static bool polled_mode;                       /* no interrupts reach the CPU: poll, never halt */
static enum controller ctrl = CTRL_PIC;
static enum tick_source tick = TICK_NONE;
static uint64_t tick_mhz;                      /* the tick's rate, millihertz */
static char tick_why[160];                     /* why this tick source: fallbacks taken */
static char ctrl_why[120];                     /* why this interrupt controller */
static uint16_t ioapic_routed;                 /* ISA IRQs routed through the I/O APIC */

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

static void on_tick(void)
{
	ticks++;
	if (serial_polled)
		serial_drain();
	serial_tx_service(); /* no THRE interrupt, or one lost: 16 bytes a tick */
}

/* ISA IRQ lines on either controller. */
static void isa_unmask(unsigned irq)
{
	if (ctrl == CTRL_PIC) {
		pic_unmask(irq);
	} else if (ioapic_route_isa(irq, (uint8_t)(PIC_VECTOR_BASE + irq), lapic_id()) >= 0) {
		ioapic_routed |= (uint16_t)(1u << irq);
	} else {
		kwarn("irq", "ISA IRQ %u: no I/O APIC pin serves it; the device is not heard", irq);
	}
}

static void isa_mask(unsigned irq)
{
	if (ctrl == CTRL_PIC) {
		pic_mask(irq);
	} else {
		ioapic_mask_isa(irq);
		ioapic_routed &= (uint16_t)~(1u << irq);
	}
}

static void on_irq(struct trapframe *tf)
{
	unsigned irq = (unsigned)tf->vector - PIC_VECTOR_BASE;
	if (irq == 7 || irq == 15) {
		/* The 8259 raises these when a request vanished before INTA; in I/O
		 * APIC mode they can only come from the (masked) 8259 through ExtINT. */
		if ((ctrl == CTRL_PIC && pic_spurious(irq)) || (ctrl == CTRL_IOAPIC && !(ioapic_routed & (1u << irq)))) {
			spurious[irq == 15]++;
			return;
		}
	}
	irq_count[irq]++;
	if (irq == IRQ_TIMER) {
		on_tick();
	} else if (irq == PS2KBD_IRQ) {
		ps2kbd_irq();
	} else if ((int)irq == serial_irq) {
		serial_drain();
		serial_tx_service(); /* THRE: refill the transmit FIFO from the ring */
		uart_irq_rearm();    /* a new edge for whatever is still pending */
	}
	if (ctrl == CTRL_PIC)
		pic_eoi(irq);
	else
		lapic_eoi();
}

static void on_lapic_timer(struct trapframe *tf)
{
	(void)tf;
	on_tick();
	lapic_eoi();
}

static void on_apic_spurious(struct trapframe *tf)
{
	(void)tf;
	apic_spurious++; /* SDM §10.9: no EOI for the spurious vector */
}

/* wait_tick: whether a tick arrives within TICK_CHECK_MS (interrupts on). */
static bool wait_tick(void)
{
	uint64_t start = ticks, end = timer_us() + TICK_CHECK_MS * 1000ull;
	while (ticks == start && timer_us() < end)
		cpu_pause();
	return ticks != start;
}

/* Each try_* starts one tick source and keeps it if it ticks; else stops it
 * and appends why (`reason` followed by `detail`) to tick_why. */
static void note(const char *reason, const char *detail)
{
	size_t k = strlen(tick_why);
	snprintf(tick_why + k, sizeof(tick_why) - k, "%s%s%s", k ? "; " : "", reason, detail);
}

static bool try_pit(void)
{
	tick_mhz = pit_start(TICK_HZ);
	isa_unmask(IRQ_TIMER); /* 8259 IRQ 0, or its GSI (2 on most PCs) on the I/O APIC */
	if (wait_tick())
		return true;
	isa_mask(IRQ_TIMER);
	note("no PIT tick within 100 ms", "");
	return false;
}

static bool try_lapic(void)
{
	if (!lapic_present()) {
		note("no LAPIC timer: ", "no usable local APIC");
		return false;
	}
	tick_mhz = lapic_timer_start(TICK_HZ, VECTOR_LAPIC_TIMER, timer_tsc_hz());
	if (tick_mhz && wait_tick())
		return true;
	lapic_timer_stop();
	note(tick_mhz ? "no LAPIC timer tick within 100 ms" : "the LAPIC timer does not count", "");
	return false;
}

static bool try_hpet(void)
{
	if (!hpet_present()) {
		note("no HPET tick: ", "no HPET");
		return false;
	}
	tick_mhz = hpet_tick_start(TICK_HZ);
	if (!tick_mhz) {
		note("no HPET tick: ", "timer 0 cannot run periodic with legacy routing");
		return false;
	}
	int ok = 0;
	if (ctrl == CTRL_PIC)
		pic_unmask(IRQ_TIMER);
	else
		ok = ioapic_route_gsi(HPET_LEGACY_GSI, PIC_VECTOR_BASE + IRQ_TIMER, lapic_id(), false, false);
	if (ok >= 0 && ctrl == CTRL_IOAPIC)
		ioapic_routed |= 1u << IRQ_TIMER;
	if (ok >= 0 && wait_tick())
		return true;
	hpet_tick_stop();
	if (ctrl == CTRL_PIC)
		pic_mask(IRQ_TIMER);
	else {
		ioapic_mask_gsi(HPET_LEGACY_GSI);
		ioapic_routed &= (uint16_t)~(1u << IRQ_TIMER);
	}
	note("no HPET tick within 100 ms", "");
	return false;
}

/* use_ioapic: route ISA interrupts through the I/O APIC from now on. */
static bool use_ioapic(const char *why)
{
	if (!ioapic_count() || !lapic_present() || lapic_id() > 0xFF)
		return false;
	for (unsigned irq = 0; irq < PIC_IRQ_COUNT; irq++)
		pic_mask(irq);
	ctrl = CTRL_IOAPIC;
	snprintf(ctrl_why, sizeof(ctrl_why), "%s", why);
	kinfo("irq", "interrupts through the I/O APIC (8259s masked): %s", why);
	return true;
}

/* choose_tick: the first source of `order` that ticks. */
static void choose_tick(const char *opt)
{
	static const enum tick_source automatic[] = { TICK_PIT, TICK_LAPIC, TICK_HPET };
	enum tick_source forced = TICK_NONE;
	if (opt && !strcmp(opt, "pit")) forced = TICK_PIT;
	else if (opt && !strcmp(opt, "lapic")) forced = TICK_LAPIC;
	else if (opt && !strcmp(opt, "hpet")) forced = TICK_HPET;
	else if (opt && *opt && strcmp(opt, "auto"))
		kwarn("irq", "tick=%s unknown (pit, lapic, hpet, auto): choosing automatically", opt);
	if (forced != TICK_NONE)
		note("tick=", opt);
	for (unsigned i = 0; i < 3 && tick == TICK_NONE; i++) {
		enum tick_source t = forced != TICK_NONE ? (i ? TICK_NONE : forced) : automatic[i];
		if (t == TICK_NONE)
			break;
		/* The PIT did not tick: either it is absent or gated, or the 8259
		 * does not reach the CPU; the I/O APIC serves in both cases. */
		if (t != TICK_PIT && ctrl == CTRL_PIC && forced == TICK_NONE)
			use_ioapic("no PIT tick through the 8259");
		if ((t == TICK_PIT && try_pit()) || (t == TICK_LAPIC && try_lapic()) || (t == TICK_HPET && try_hpet()))
			tick = t;
	}
}

/* enter_polled_mode: the devices are read from the main loop, with every
 * interrupt source masked (the rings keep a single producer). */
static void enter_polled_mode(const char *why)
{
	cli();
	for (unsigned irq = 0; irq < PIC_IRQ_COUNT; irq++)
		isa_mask(irq);
	lapic_timer_stop();
	hpet_tick_stop();
	uart_rx_irq(false);
	serial_use_irq(false);
	polled_mode = true;
	tick = TICK_NONE;
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

void irq_init(const char *mode, const char *tick_opt)
{
	ring_init(&serial_ring);
	pic_init();
	for (unsigned irq = 0; irq < PIC_IRQ_COUNT; irq++)
		trap_register(PIC_VECTOR_BASE + irq, on_irq);
	trap_register(VECTOR_LAPIC_TIMER, on_lapic_timer);
	trap_register(VECTOR_APIC_SPURIOUS, on_apic_spurious);
	lapic_init(VECTOR_APIC_SPURIOUS);
	ioapic_init();
	snprintf(ctrl_why, sizeof(ctrl_why), "UEFI leaves the LAPIC in virtual-wire mode");
	sti();
	if (mode && !strcmp(mode, "ioapic") && !use_ioapic("irq=ioapic"))
		kwarn("irq", "irq=ioapic: no usable I/O APIC and local APIC; the 8259s stay");

	if (mode && !strcmp(mode, "poll")) {
		enter_polled_mode("irq=poll");
	} else {
		choose_tick(tick_opt);
		if (tick == TICK_NONE) {
			char why[200];
			snprintf(why, sizeof(why), "no tick source works (%s)", tick_why);
			enter_polled_mode(why);
		} else {
			char line[120];
			snprintf(line, sizeof(line), "%s at %llu.%03llu Hz%s", tick_names[tick],
			         (unsigned long long)(tick_mhz / 1000), (unsigned long long)(tick_mhz % 1000),
			         tick == TICK_LAPIC ? " on vector 0x30"
			         : ctrl == CTRL_PIC ? " on IRQ 0 (8259)"
			         : tick == TICK_HPET ? " on GSI 2 (I/O APIC)" : " on IRQ 0 (I/O APIC)");
			if (!*tick_why)
				kinfo("irq", "tick: %s", line);
			else if (tick_opt && !strncmp(tick_why, "tick=", 5))
				kinfo("irq", "tick: %s, because %s", line, tick_why);
			else
				kwarn("irq", "tick: %s, a fallback: %s", line, tick_why);
		}
	}

	const char *why = "";
	if (ps2kbd_init(&why)) {
		if (!polled_mode)
			isa_unmask(PS2KBD_IRQ);
		if (ps2kbd_keyboard())
			kinfo("irq", "PS/2 keyboard on IRQ 1");
		else
			kinfo("irq", "PS/2 controller on IRQ 1, %s: a keyboard plugged in later works", why);
	} else {
		kinfo("irq", "no PS/2 keyboard: %s%s", why,
		      acpi_get()->has_fadt && !acpi_get()->has_8042 ? " (ACPI says there is no 8042)" : "");
	}
	if (uart_present() && !polled_mode) {
		serial_irq = uart_irq_line();
		if (serial_irq >= 0) {
			uart_rx_irq(true);
			serial_use_irq(true);
			isa_unmask((unsigned)serial_irq);
			kinfo("irq", "serial receive on IRQ %d", serial_irq);
		} else {
			serial_polled = true;
			kinfo("irq", "serial port %s has no known IRQ: received bytes polled on each tick",
			      uartsel_name());
		}
	}
}

const char *irq_tick_name(void) { return polled_mode ? "none (polled)" : tick_names[tick]; }
const char *irq_tick_reason(void) { return tick_why; }
const char *irq_controller_name(void)
{
	return polled_mode ? "none (polled)" : ctrl == CTRL_PIC ? "8259" : "I/O APIC";
}

void irq_hwinfo(void)
{
	char line[160];
	kprintf("tick: %s at %llu.%03llu Hz%s%s%s\n", irq_tick_name(), (unsigned long long)(tick_mhz / 1000),
	        (unsigned long long)(tick_mhz % 1000), *tick_why ? " (" : "", tick_why, *tick_why ? ")" : "");
	kprintf("interrupts: %s (%s)\n", irq_controller_name(), ctrl_why);
	lapic_describe(line, sizeof(line));
	kprintf("local APIC: %s\n", line);
	for (unsigned i = 0; i < ioapic_count(); i++) {
		ioapic_describe(i, line, sizeof(line));
		kprintf("I/O APIC: %s\n", line);
	}
	hpet_describe(line, sizeof(line));
	kprintf("HPET: %s\n", line);
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
	kprintf("  controller: %s; tick: %s, %llu ticks\n", irq_controller_name(), irq_tick_name(),
	        (unsigned long long)ticks);
	kprintf("  IRQ  VECTOR  COUNT\n");
	for (unsigned i = 0; i < PIC_IRQ_COUNT; i++) {
		bool on = ctrl == CTRL_PIC ? !(pic_mask_bits() & (1u << i)) : (ioapic_routed >> i) & 1;
		if (irq_count[i] || on)
			kprintf("  %3u  0x%02x    %llu%s\n", i, PIC_VECTOR_BASE + i, (unsigned long long)irq_count[i],
			        on ? "" : " (masked)");
	}
	kprintf("  spurious IRQ 7: %llu, IRQ 15: %llu; PIC mask 0x%04x\n", (unsigned long long)spurious[0],
	        (unsigned long long)spurious[1], pic_mask_bits());
	if (lapic_present())
		kprintf("  spurious APIC interrupts: %llu\n", (unsigned long long)apic_spurious);
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
