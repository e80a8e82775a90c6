/*
 * rtc.c — CMOS RTC: date and time, second edges; see rtc.h.
 */
#include "rtc.h"
#include "portio.h"

#define CMOS_ADDR   0x70
#define CMOS_DATA   0x71
#define REG_SEC     0x00
#define REG_MIN     0x02
#define REG_HOUR    0x04
#define REG_DAY     0x07
#define REG_MONTH   0x08
#define REG_YEAR    0x09
#define REG_A       0x0A
#define REG_B       0x0B
#define REG_CENTURY 0x32   /* the usual place; the FADT's CENTURY field names it */
#define A_UIP       0x80
#define B_24H       0x02
#define B_BINARY    0x04
#define HOUR_PM     0x80

/* Bit 7 of the address port masks NMIs on many chipsets: leave it clear. */
static uint8_t cmos(uint8_t reg)
{
	outb(CMOS_ADDR, reg);
	return inb(CMOS_DATA);
}

static bool uip(void) { return (cmos(REG_A) & A_UIP) != 0; }

/* Wait until UIP reads `level`; false when the TSC passes `deadline`. On
 * success *tsc is the middle of the read that saw it. */
static bool wait_uip(bool level, uint64_t deadline, uint64_t *tsc)
{
	for (;;) {
		uint64_t t0 = rdtsc();
		bool v = uip();
		uint64_t t1 = rdtsc();
		if (v == level) {
			if (tsc)
				*tsc = t0 + (t1 - t0) / 2;
			return true;
		}
		if (t1 > deadline)
			return false;
		cpu_pause();
	}
}

static uint8_t from_bcd(uint8_t v, bool binary)
{
	return binary ? v : (uint8_t)((v >> 4) * 10 + (v & 0x0F));
}

/* The seconds register, right after an update (UIP has just fallen). */
static int read_seconds(void)
{
	uint8_t s = from_bcd(cmos(REG_SEC), (cmos(REG_B) & B_BINARY) != 0);
	return s < 60 ? s : -1;
}

static const char why_absent[] = "no RTC (CMOS ports read 0xFF)";

bool rtc_retry_worthwhile(const char *why) { return why != why_absent; }

uint64_t rtc_tsc_per_second(uint64_t tsc_limit, const char **why)
{
	uint64_t deadline = rdtsc() + tsc_limit, t0, t1;
	if (cmos(REG_A) == 0xFF && cmos(REG_B) == 0xFF) {
		*why = why_absent;
		return 0;
	}
	/* The first edge: UIP low, then high. */
	if (!wait_uip(false, deadline, 0) || !wait_uip(true, deadline, &t0) || !wait_uip(false, deadline, 0)) {
		*why = "UIP never changed (the RTC does not update)";
		return 0;
	}
	int s0 = read_seconds();
	if (!wait_uip(true, deadline, &t1) || !wait_uip(false, deadline, 0)) {
		*why = "no second UIP edge in time";
		return 0;
	}
	int s1 = read_seconds();
	if (s0 < 0 || s1 < 0) {
		*why = "the seconds register reads an impossible value";
		return 0;
	}
	int elapsed = (s1 - s0 + 60) % 60;
	if (elapsed < 1 || elapsed > 3) {
		*why = "the seconds register did not advance with the UIP edges";
		return 0;
	}
	*why = 0;
	return (t1 - t0) / (uint64_t)elapsed;
}

static bool read_raw(uint8_t r[7], uint64_t deadline)
{
	if (!wait_uip(false, deadline, 0))
		return false;
	r[0] = cmos(REG_SEC);
	r[1] = cmos(REG_MIN);
	r[2] = cmos(REG_HOUR);
	r[3] = cmos(REG_DAY);
	r[4] = cmos(REG_MONTH);
	r[5] = cmos(REG_YEAR);
	r[6] = cmos(REG_CENTURY);
	return true;
}

bool rtc_read(struct rtc_time *t, uint64_t tsc_limit)
{
	uint64_t deadline = rdtsc() + tsc_limit;
	uint8_t a[7], b[7];
	if (!read_raw(a, deadline))
		return false;
	for (;;) {
		if (!read_raw(b, deadline))
			return false;
		bool same = true;
		for (int i = 0; i < 7; i++)
			same = same && a[i] == b[i];
		if (same)
			break;
		for (int i = 0; i < 7; i++)
			a[i] = b[i];
	}
	uint8_t regb = cmos(REG_B);
	bool bin = (regb & B_BINARY) != 0;
	bool pm = !(regb & B_24H) && (a[2] & HOUR_PM);
	uint8_t hour = from_bcd((uint8_t)(a[2] & ~HOUR_PM), bin);
	if (!(regb & B_24H))
		hour = (uint8_t)(hour % 12 + (pm ? 12 : 0));
	struct rtc_time v = {
		.second = from_bcd(a[0], bin), .minute = from_bcd(a[1], bin), .hour = hour,
		.day = from_bcd(a[3], bin), .month = from_bcd(a[4], bin),
	};
	uint8_t cent = from_bcd(a[6], bin);
	v.year = (uint16_t)((cent >= 19 && cent <= 20 ? cent : 20) * 100 + from_bcd(a[5], bin));
	if (v.second > 59 || v.minute > 59 || v.hour > 23 || !v.day || v.day > 31 || !v.month || v.month > 12)
		return false;
	*t = v;
	return true;
}
