/*
 * rtc.h — the CMOS real-time clock (Motorola MC146818A datasheet; the PC's
 * RTC at I/O ports 0x70/0x71): the date and time, and its once-a-second
 * update as a reference for measuring the TSC.
 *
 * Register A bit 7 (UIP, update in progress) rises 244 us before each
 * second's update and falls when the update is done, so its rising edges are
 * exactly one second apart. Every PC has the RTC; it needs no ACPI table.
 * Leaf module: port I/O and RDTSC only. Every wait is bounded by a TSC count
 * the caller gives (the TSC frequency may not be known yet).
 */
#ifndef PXOS_RTC_H
#define PXOS_RTC_H

#include <stdint.h>
#include <stdbool.h>

struct rtc_time {
	uint16_t year;   /* e.g. 2026 (century from CMOS 0x32 when it holds 19..20, else 20xx) */
	uint8_t month, day, hour, minute, second;
};

/* rtc_read: the date and time (binary, 24-hour, as the RTC keeps it: local
 * time or UTC is the firmware's choice). Waits for no update in progress and
 * reads until two reads agree, giving up after `tsc_limit` TSC ticks.
 * Returns false (and *t untouched) when the RTC never settles or reads back
 * impossible values (no RTC: every port reads 0xFF). */
bool rtc_read(struct rtc_time *t, uint64_t tsc_limit);

/* rtc_tsc_per_second: the TSC ticks in one RTC second, measured between two
 * rising edges of UIP; the seconds register read after each update counts
 * the seconds between them, so a missed edge lengthens the interval instead
 * of corrupting it. Takes 1..2 s. Gives up after `tsc_limit` TSC ticks in all
 * and returns 0 with a reason in *why (static text). */
uint64_t rtc_tsc_per_second(uint64_t tsc_limit, const char **why);

/* rtc_retry_worthwhile: whether a measurement that failed with reason `why`
 * (from rtc_tsc_per_second) may succeed if taken again: every reason but a
 * missing RTC (an edge read late is a matter of timing). */
bool rtc_retry_worthwhile(const char *why);

#endif /* PXOS_RTC_H */
