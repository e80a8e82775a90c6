/*
 * clock.h — finding the machine's clocks and deciding the time base: the
 * ACPI PM timer (FADT) and the HPET (drivers/hpet.h) are handed to the TSC
 * calibration (drivers/timer.h), and what it decided is logged once: every
 * estimate, the choice, and the reason for any fallback.
 */
#ifndef PXOS_CLOCK_H
#define PXOS_CLOCK_H

#include <stdint.h>

/* clock_init: find the HPET, calibrate the TSC (time zero = `origin_tsc`,
 * the loader's entry), log every estimate and the result. Call after
 * acpi_init, before irq_init. */
void clock_init(uint64_t origin_tsc);

/* clock_hwinfo: the hwinfo lines of the time base ("timer: TSC ... from ...",
 * one line per estimate). */
void clock_hwinfo(void);

#endif /* PXOS_CLOCK_H */
