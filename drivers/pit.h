/*
 * pit.h — channel 0 of the 8254 programmable interval timer (Intel 8254
 * datasheet), wired to IRQ 0 on PCs: pxOS's periodic tick.
 *
 * The tick does not keep time (the TSC does, drivers/timer.h); it wakes a
 * halted CPU and bounds how late a deadline can be noticed.
 */
#ifndef PXOS_PIT_H
#define PXOS_PIT_H

#include <stdint.h>

#define PIT_INPUT_HZ 1193182u

/* pit_start: program channel 0 as a rate generator (mode 2, binary) firing
 * `hz` times a second (19..1193182; clamped). Returns the rate achieved in
 * millihertz (the divisor is an integer). */
uint64_t pit_start(uint32_t hz);

#endif /* PXOS_PIT_H */
