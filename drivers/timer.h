/*
 * timer.h — timekeeping on the time-stamp counter.
 *
 * The TSC frequency comes from CPUID leaf 0x15 when the CPU reports it, else it
 * is measured against the ACPI PM timer (3.579545 MHz; ACPI 6.5 §4.8.3.3), else
 * against PIT channel 2 (1.193182 MHz; Intel 8254 datasheet), else CPUID leaf
 * 0x16's base frequency. Time zero is the loader's entry (bootinfo.tsc_at_entry),
 * so timestamps measure the whole boot.
 */
#ifndef PXOS_TIMER_H
#define PXOS_TIMER_H

#include <stdint.h>
#include <stdbool.h>

/* timer_init: calibrate the TSC; `origin_tsc` is time zero. `pm_timer_port`
 * is the ACPI PM timer's I/O port from the FADT (0 = none), `pm_timer_32bit`
 * its TMR_VAL_EXT flag (32-bit counter, else 24-bit). */
void timer_init(uint64_t origin_tsc, uint16_t pm_timer_port, bool pm_timer_32bit);

/* timer_us: microseconds since time zero (0 before timer_init). */
uint64_t timer_us(void);

/* timer_tsc_hz: the TSC frequency in Hz (0 before timer_init). */
uint64_t timer_tsc_hz(void);

/* timer_source: how the frequency was found ("cpuid15", "acpi-pm", "pit", "cpuid16", "assumed"). */
const char *timer_source(void);

/* timer_delay_us: busy-wait `us` microseconds. */
void timer_delay_us(uint64_t us);

#endif /* PXOS_TIMER_H */
