/*
 * timer.c — TSC calibration and timestamps; see timer.h.
 */
#include "timer.h"
#include "portio.h"

#define PM_TIMER_HZ 3579545u
#define PIT_HZ      1193182u
#define CALIBRATE_MS 50u
#define ASSUMED_HZ  2000000000ull

static uint64_t tsc_hz;
static uint64_t origin;
static const char *source = "none";

static uint64_t from_cpuid15(void)
{
	uint32_t a, b, c, d;
	cpuid(0, 0, &a, &b, &c, &d);
	if (a < 0x15)
		return 0;
	cpuid(0x15, 0, &a, &b, &c, &d);
	if (!a || !b || !c)
		return 0;
	return (uint64_t)c * b / a;
}

static uint64_t from_cpuid16(void)
{
	uint32_t a, b, c, d;
	cpuid(0, 0, &a, &b, &c, &d);
	if (a < 0x16)
		return 0;
	cpuid(0x16, 0, &a, &b, &c, &d);
	return (uint64_t)(a & 0xFFFF) * 1000000ull;
}

static uint16_t pm_port;  /* ACPI PM timer I/O port, 0 = none */
static bool pm_32bit;

static uint64_t from_pm_timer(void)
{
	if (!pm_port)
		return 0;
	uint32_t mask = pm_32bit ? 0xFFFFFFFFu : 0xFFFFFFu;
	uint32_t ticks = PM_TIMER_HZ / (1000 / CALIBRATE_MS);
	uint32_t start = inl(pm_port) & mask;
	uint64_t t0 = rdtsc();
	uint32_t elapsed = 0;
	/* A PM timer that does not move would spin forever: bound by TSC too. */
	for (uint64_t spins = 0; elapsed < ticks; spins++) {
		elapsed = ((inl(pm_port) & mask) - start) & mask;
		if (spins > 50000000ull)
			return 0;
	}
	uint64_t t1 = rdtsc();
	return (t1 - t0) * PM_TIMER_HZ / elapsed;
}

static uint64_t from_pit(void)
{
	uint32_t count = PIT_HZ / (1000 / CALIBRATE_MS); /* 59659 fits 16 bits */
	/* Gate channel 2 on, speaker off; mode 0 (interrupt on terminal count). */
	outb(0x61, (uint8_t)((inb(0x61) & ~0x02u) | 0x01u));
	outb(0x43, 0xB0);
	outb(0x42, (uint8_t)(count & 0xFF));
	outb(0x42, (uint8_t)(count >> 8));
	/* Restart the count by toggling the gate. */
	uint8_t v = inb(0x61);
	outb(0x61, (uint8_t)(v & ~0x01u));
	outb(0x61, (uint8_t)(v | 0x01u));
	uint64_t t0 = rdtsc();
	for (uint64_t spins = 0; !(inb(0x61) & 0x20); spins++)
		if (spins > 50000000ull)
			return 0; /* no PIT (gated off on some newer chipsets) */
	uint64_t t1 = rdtsc();
	return (t1 - t0) * (1000 / CALIBRATE_MS);
}

void timer_init(uint64_t origin_tsc, uint16_t pm_timer_port, bool pm_timer_32bit)
{
	origin = origin_tsc;
	pm_port = pm_timer_port;
	pm_32bit = pm_timer_32bit;
	if ((tsc_hz = from_cpuid15()))
		source = "cpuid15";
	else if ((tsc_hz = from_pm_timer()))
		source = "acpi-pm";
	else if ((tsc_hz = from_pit()))
		source = "pit";
	else if ((tsc_hz = from_cpuid16()))
		source = "cpuid16";
	else {
		tsc_hz = ASSUMED_HZ;
		source = "assumed";
	}
	if (!origin || origin > rdtsc())
		origin = rdtsc();
}

uint64_t timer_tsc_hz(void) { return tsc_hz; }
const char *timer_source(void) { return source; }

uint64_t timer_us(void)
{
	if (!tsc_hz)
		return 0;
	uint64_t delta = rdtsc() - origin;
	uint64_t sec = delta / tsc_hz;
	uint64_t rem = delta % tsc_hz;
	return sec * 1000000ull + rem * 1000000ull / tsc_hz;
}

void timer_delay_us(uint64_t us)
{
	uint64_t end = timer_us() + us;
	while (timer_us() < end)
		cpu_pause();
}
