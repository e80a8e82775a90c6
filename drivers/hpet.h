/*
 * hpet.h — the High Precision Event Timer (IA-PC HPET Specification 1.0a):
 * its main counter as a reference clock for the TSC, and timer 0 as the
 * periodic tick when the PIT cannot be.
 *
 * Found through the ACPI "HPET" table (spec §3.2.4); when the ACPI tables have
 * none (QEMU's acpi=off), the chipset's standard address 0xFED00000 is probed
 * and used only if its capability register is plausible (a vendor id, a
 * counter period of 1..100 ns) and the counter then counts.
 */
#ifndef PXOS_HPET_H
#define PXOS_HPET_H

#include <stdint.h>
#include <stdbool.h>

/* hpet_init: find the HPET, check it, start its main counter (interrupts of
 * every timer off). Logs what it found. Returns whether it is usable. */
bool hpet_init(void);

/* hpet_present: whether hpet_init found a usable HPET. */
bool hpet_present(void);

/* hpet_counter_addr: the mapped address of the main counter (offset 0xF0),
 * for readers that must not call into this module; NULL without an HPET. */
const volatile void *hpet_counter_addr(void);

/* hpet_hz: the main counter's frequency in Hz (10^15 / period in fs); 0 without. */
uint64_t hpet_hz(void);

/* hpet_is64: whether the main counter is 64 bits wide (else 32, wrapping). */
bool hpet_is64(void);

/* hpet_tick_start: timer 0 in periodic mode at `hz` (clamped to what the
 * comparator can do), with legacy replacement routing (spec §2.3.9.1): ISA
 * IRQ 0 on the 8259, pin 2 of the first I/O APIC. Returns the rate achieved
 * in millihertz, 0 when the HPET is missing or cannot do it (no legacy
 * replacement capability, timer 0 not periodic-capable). */
uint64_t hpet_tick_start(uint32_t hz);

/* hpet_tick_stop: timer 0's interrupt off, legacy replacement off. */
void hpet_tick_stop(void);

/* hpet_describe: one line about the HPET for hwinfo/logs, e.g.
 * "HPET at 0xfed00000 (ACPI), 100.000 MHz, 64-bit, 3 timers, vendor 0x8086". */
void hpet_describe(char *buf, unsigned n);

#endif /* PXOS_HPET_H */
