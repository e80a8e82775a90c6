/*
 * irq.h — pxOS's hardware interrupts: the 8259 pair, the PIT tick, the PS/2
 * keyboard and serial receive, and halting the idle CPU.
 *
 * Vectors: IRQ n of the 8259s arrives on vector 0x20 + n (drivers/pic8259.h).
 *   0x20 IRQ 0  PIT channel 0, TICK_HZ: counts ticks, polls a UART without IRQ
 *   0x21 IRQ 1  PS/2 keyboard: scancodes into the keyboard ring
 *   0x23 IRQ 3  COM2 receive (when the console UART is COM2)
 *   0x24 IRQ 4  COM1 receive (when the console UART is COM1)
 *   0x27 IRQ 7  spurious master interrupt (counted, no EOI)
 *   0x2F IRQ 15 spurious slave interrupt (counted, EOI to the master)
 * Handlers only move bytes from a device into a lock-free ring (kernel/ring.h)
 * and count; the main loop (kernel/input.c) decodes and delivers them.
 */
#ifndef PXOS_IRQ_H
#define PXOS_IRQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* irq_init: program the 8259s and the PIT, bring up the keyboard and serial
 * receive interrupts, route the vectors, then enable interrupts (STI) and
 * check that the PIT tick arrives. `mode` is the irq= kernel option: "poll"
 * (or no tick within 100 ms) masks every IRQ and switches to polled mode:
 * the main loop reads the devices (irq_poll_devices) and the CPU never
 * halts. Call once, after timer_init and uart_init. */
void irq_init(const char *mode);


/* irq_poll_devices: in polled mode, move what the keyboard controller and
 * the UART hold into their rings (main loop); no effect otherwise. */
void irq_poll_devices(void);

/* irq_ticks: PIT ticks since irq_init (TICK_HZ a second). */
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
