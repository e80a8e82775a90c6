/*
 * lapic.h — the boot CPU's local APIC (Intel SDM vol. 3A ch. 10): xAPIC
 * (MMIO) or x2APIC (MSRs) as the firmware left it, EOI, and its timer as
 * the periodic tick when the PIT cannot be (calibrated against the TSC).
 *
 * pxOS keeps the firmware's virtual-wire set-up (LINT0 = ExtINT, so the 8259
 * still reaches the CPU) unless the APIC was globally disabled, in which case
 * lapic_init enables it and programs LINT0 as ExtINT itself (MP spec 1.4
 * §3.6.2.2, virtual wire mode).
 */
#ifndef PXOS_LAPIC_H
#define PXOS_LAPIC_H

#include <stdint.h>
#include <stdbool.h>

/* lapic_init: find the local APIC (CPUID.1:EDX[9], IA32_APIC_BASE), map it,
 * software-enable it with spurious vector `spurious_vector`, mask its timer.
 * Logs what it found; returns whether it is usable. */
bool lapic_init(uint8_t spurious_vector);

/* lapic_present: whether lapic_init succeeded. */
bool lapic_present(void);

/* lapic_id: the boot CPU's APIC id (8 bits in xAPIC mode, 32 in x2APIC). */
uint32_t lapic_id(void);

/* lapic_eoi: signal end of interrupt for the vector being served (not for
 * the spurious vector, nor for ExtINT deliveries from the 8259). */
void lapic_eoi(void);

/* lapic_timer_start: measure the timer's input clock against the TSC
 * (`tsc_hz` Hz, 10 ms with divider 16), then run it periodic at `hz` on
 * `vector`. Returns the rate achieved in millihertz, 0 when the timer does
 * not count. */
uint64_t lapic_timer_start(uint32_t hz, uint8_t vector, uint64_t tsc_hz);

/* lapic_timer_stop: mask the timer and stop its count. */
void lapic_timer_stop(void);

/* lapic_describe: one line for hwinfo and logs, e.g. "xAPIC at 0xfee00000,
 * id 0, version 0x14, timer 62.500 MHz (divided by 16)". */
void lapic_describe(char *buf, unsigned n);

#endif /* PXOS_LAPIC_H */
