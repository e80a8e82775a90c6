/*
 * timer.h — timekeeping on the time-stamp counter, with a frequency pxOS can
 * trust (issue 10 item 8).
 *
 * The TSC frequency is judged from every reference available, cheapest first,
 * stopping as soon as two agree (drivers/timer_pick.h):
 *   1. CPUID leaf 0x15 (TSC/crystal ratio times the crystal, when reported),
 *      the HPET main counter and the ACPI PM timer (3.579545 MHz, ACPI 6.5
 *      §4.8.3.3), counted over one common TIMER_CAL_MS window;
 *   2. PIT channel 2 (1.193182 MHz, Intel 8254 datasheet) one-shot, only if
 *      no two agree yet, and only if its OUT2 reads low before it runs;
 *   3. the CMOS RTC's second edges (drivers/rtc.h, 1..2 s), only if still no
 *      two agree.
 * A result outside 100 MHz..10 GHz is rejected. With one sane source left
 * it is used and the log says nothing could check it; with sources that
 * disagree the best-ranked is used and the log says so; with none, CPUID
 * leaf 0x16's base frequency, else 2 GHz, with a warning. Time zero is the
 * loader's entry (bootinfo.tsc_at_entry), so timestamps measure the whole boot.
 *
 * Every wait here is bounded by TSC ticks counted at TIMER_MAX_HZ (the TSC
 * frequency is what is being found), i.e. at most a few times longer than
 * meant on a slow machine, never unbounded. Leaf module (port I/O, RDTSC,
 * the RTC): the caller passes the HPET's counter address and logs the result.
 */
#ifndef PXOS_TIMER_H
#define PXOS_TIMER_H

#include <stdint.h>
#include <stdbool.h>
#include "drivers/timer_pick.h"

/* The reference clocks the caller found (0/NULL: none). */
struct timer_refs {
	uint16_t pm_port;                 /* ACPI PM timer I/O port (FADT) */
	bool pm_32bit;                    /* TMR_VAL_EXT: 32-bit counter, else 24-bit */
	const volatile void *hpet_counter;/* mapped HPET main counter (hpet_counter_addr) */
	uint64_t hpet_hz;                 /* its frequency */
	bool hpet_64bit;                  /* 64-bit counter, else 32-bit */
};

/* timer_init: calibrate the TSC against `refs` as described above; `origin_tsc`
 * is time zero. Call once, before anything uses timer_us. */
void timer_init(uint64_t origin_tsc, const struct timer_refs *refs);

/* timer_us: microseconds since time zero (0 before timer_init). */
uint64_t timer_us(void);

/* timer_tsc_hz: the TSC frequency in Hz (0 before timer_init). */
uint64_t timer_tsc_hz(void);

/* timer_source: how the frequency was decided, for logs and the status line:
 * "hpet+acpi-pm" (the first two sources that agreed), "rtc alone" (one sane
 * source), "hpet, disagreeing" (no two agree), "cpuid16 fallback",
 * "assumed 2 GHz". */
const char *timer_source(void);

/* timer_estimates: every estimate judged by timer_init, best rank first, and
 * their count in *n (for the log and hwinfo). */
const struct timer_estimate *timer_estimates(unsigned *n);

/* timer_verdict: the verdict of the choice (TIMER_NONE when a fallback was used). */
enum timer_verdict timer_verdict(void);

/* timer_delay_us: busy-wait `us` microseconds. */
void timer_delay_us(uint64_t us);

#endif /* PXOS_TIMER_H */
