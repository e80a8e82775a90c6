/*
 * irq.h — pxOS's hardware interrupts: the 8259 pair or the I/O APIC, the
 * tick (PIT, LAPIC timer or HPET), the PS/2 keyboard and serial receive, and
 * halting the idle CPU.
 *
 * Vectors: ISA IRQ n arrives on vector 0x20 + n, through the 8259s
 * (drivers/pic8259.h) or the I/O APIC (drivers/ioapic.h).
 *   0x20 IRQ 0  PIT channel 0 or HPET timer 0, TICK_HZ: counts ticks, polls a UART without IRQ
 *   0x21 IRQ 1  PS/2 keyboard: scancodes into the keyboard ring
 *   0x23 IRQ 3  COM2 receive (when the console UART is COM2)
 *   0x24 IRQ 4  COM1 receive (when the console UART is COM1)
 *   0x27 IRQ 7  spurious master interrupt (counted, no EOI)
 *   0x2F IRQ 15 spurious slave interrupt (counted, EOI to the master)
 *   0x30        LAPIC timer tick (when it is the tick)
 *   0xFF        LAPIC spurious interrupt (counted, no EOI)
 * Handlers only move bytes from a device into a lock-free ring (kernel/ring.h)
 * and count; the main loop (kernel/input.c) decodes and delivers them.
 */
#ifndef PXOS_IRQ_H
#define PXOS_IRQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* irq_init: bring up the interrupt controllers and the tick, then the
 * keyboard and serial receive interrupts, with interrupts enabled (STI).
 * The tick (`tick_opt`, the tick= kernel option: pit, lapic, hpet or auto)
 * is the first source that ticks within TICK_CHECK_MS, in the order PIT (on
 * IRQ 0 through the 8259s, as UEFI leaves them in virtual-wire mode), the
 * LAPIC timer (calibrated against the TSC), the HPET (timer 0, legacy
 * replacement routing); once the PIT has failed, ISA interrupts go through
 * the I/O APIC when the MADT lists one (8259s masked). Every fallback is
 * logged once with its reason. `mode` is the irq= kernel option: "ioapic"
 * uses the I/O APIC from the start; "poll" (or no tick source at all) masks
 * everything and switches to polled mode: the main loop reads the devices
 * (irq_poll_devices) and the CPU never halts. Call once, after timer_init,
 * and uart_init. */
void irq_init(const char *mode, const char *tick_opt);

/* irq_tick_name: "PIT", "LAPIC timer", "HPET" or "none (polled)". */
const char *irq_tick_name(void);

/* irq_tick_reason: why the tick is not the PIT (the fallbacks taken, or the
 * tick= option), "" when it is the first choice. */
const char *irq_tick_reason(void);

/* irq_controller_name: "8259", "I/O APIC" or "none (polled)". */
const char *irq_controller_name(void);

/* irq_hwinfo: the hwinfo lines of the tick, the interrupt controllers and
 * the HPET ("tick: ...", "interrupts: ...", "local APIC: ...", ...). */
void irq_hwinfo(void);

/* irq_poll_devices: in polled mode, move what the keyboard controller and
 * the UART hold into their rings (main loop); no effect otherwise. */
void irq_poll_devices(void);

/* irq_ticks: ticks since irq_init (about TICK_HZ a second). */
uint64_t irq_ticks(void);

/* irq_serial_read: move at most `cap` received serial bytes into `out`;
 * returns how many. Main loop only. */
size_t irq_serial_read(uint8_t *out, size_t cap);

/* irq_input_pending: whether a keyboard or serial ring holds bytes. */
bool irq_input_pending(void);

/* irq_idle: halt the CPU until the next interrupt (STI; HLT, with no window
 * for a wake-up to be lost), unless input is already pending. Counts the halt
 * and the time spent halted. Returns with interrupts enabled. */
void irq_idle(void);

/* irq_report: print the interrupt counters (per IRQ, spurious, rings, idle)
 * with kprintf, for the monitor. */
void irq_report(void);

/* irq_idle_stats: halts so far and microseconds spent halted. */
void irq_idle_stats(uint64_t *halts, uint64_t *halted_us);

#endif /* PXOS_IRQ_H */
