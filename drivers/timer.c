/*
 * timer.c — TSC calibration against every reference, and timestamps; see timer.h.
 */
#include "timer.h"
#include "portio.h"
#include "rtc.h"
#include "kernel/param.h"

#define PM_TIMER_HZ 3579545u
#define PIT_HZ      1193182u
#define ASSUMED_HZ  2000000000ull
#define READS       5          /* bracketed reads per sample; the tightest wins */

static uint64_t tsc_hz;
static uint64_t origin;
static char source[48] = "none";
static struct timer_estimate est[TIMER_PICK_MAX];
static unsigned nest;
static enum timer_verdict verdict = TIMER_NONE;

/* TSC ticks that take `ms` at TIMER_MAX_HZ: a bound that holds before the
 * frequency is known (it lasts longer on a slower TSC, never for ever). */
static uint64_t bound_ms(uint64_t ms) { return ms * (TIMER_MAX_HZ / 1000); }

static void add(const char *src, uint64_t hz, const char *why)
{
	if (nest < TIMER_PICK_MAX)
		est[nest++] = (struct timer_estimate){ .source = src, .hz = hz, .why = hz ? 0 : why };
}

/* ---- CPUID -------------------------------------------------------------- */

static uint64_t from_cpuid15(const char **why)
{
	uint32_t a, b, c, d;
	cpuid(0, 0, &a, &b, &c, &d);
	if (a < 0x15) {
		*why = "CPUID leaf 0x15 not implemented";
		return 0;
	}
	cpuid(0x15, 0, &a, &b, &c, &d);
	if (!a || !b || !c) {
		*why = "CPUID leaf 0x15 gives no crystal frequency";
		return 0;
	}
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

/* ---- free-running counters: HPET and PM timer, one common window -------- */

struct counter {
	const char *name;
	uint64_t hz, mask;
	const struct timer_refs *r;
	uint64_t (*read)(const struct timer_refs *r);
	uint64_t tsc0, val0, tsc1, val1;
	bool ok;
};

static uint64_t read_pm(const struct timer_refs *r) { return inl(r->pm_port); }

static uint64_t read_hpet(const struct timer_refs *r)
{
	if (r->hpet_64bit)
		return *(const volatile uint64_t *)r->hpet_counter;
	return *(const volatile uint32_t *)r->hpet_counter;
}

/* One sample: the counter value with the TSC at the middle of the tightest
 * of READS bracketed reads (a read the host or an SMI delayed is dropped). */
static void sample(struct counter *c, uint64_t *tsc, uint64_t *val)
{
	uint64_t best = ~0ull;
	for (int i = 0; i < READS; i++) {
		uint64_t t0 = rdtsc();
		uint64_t v = c->read(c->r) & c->mask;
		uint64_t t1 = rdtsc();
		if (t1 - t0 < best) {
			best = t1 - t0;
			*tsc = t0 + (t1 - t0) / 2;
			*val = v;
		}
	}
}

static void measure_counters(struct counter *c, unsigned n)
{
	if (!n)
		return;
	for (unsigned i = 0; i < n; i++)
		sample(&c[i], &c[i].tsc0, &c[i].val0);
	/* The window is timed by the first counter; bounded by the TSC. */
	uint64_t want = c[0].hz * TIMER_CAL_MS / 1000, limit = rdtsc() + bound_ms(4 * TIMER_CAL_MS);
	while (((c[0].read(c[0].r) - c[0].val0) & c[0].mask) < want && rdtsc() < limit)
		cpu_pause();
	for (unsigned i = 0; i < n; i++)
		sample(&c[i], &c[i].tsc1, &c[i].val1);
	for (unsigned i = 0; i < n; i++) {
		uint64_t ticks = (c[i].val1 - c[i].val0) & c[i].mask;
		uint64_t dtsc = c[i].tsc1 - c[i].tsc0;
		if (!ticks) {
			add(c[i].name, 0, "the counter did not count");
			continue;
		}
		/* dtsc * hz overflows past ~2^64: divide first when it would. */
		uint64_t hz = dtsc < (~0ull / c[i].hz) ? dtsc * c[i].hz / ticks : dtsc / ticks * c[i].hz;
		add(c[i].name, hz, 0);
	}
}

/* ---- PIT channel 2 one-shot -------------------------------------------- */

static uint64_t from_pit(const char **why)
{
	uint32_t count = PIT_HZ * TIMER_CAL_MS / 1000; /* 59659 fits 16 bits */
	/* Gate off, speaker off; channel 2, lobyte/hibyte, mode 0 (OUT2 low until
	 * terminal count), then the gate on starts the count. */
	uint8_t v = inb(0x61);
	outb(0x61, (uint8_t)(v & ~0x03u));
	outb(0x43, 0xB0);
	outb(0x42, (uint8_t)(count & 0xFF));
	outb(0x42, (uint8_t)(count >> 8));
	if (inb(0x61) & 0x20) {
		*why = "OUT2 high before the count started (no PIT channel 2)";
		return 0;
	}
	uint64_t t0 = rdtsc();
	outb(0x61, (uint8_t)((v & ~0x02u) | 0x01u));
	uint64_t t0b = rdtsc(), limit = t0b + bound_ms(4 * TIMER_CAL_MS), t1;
	for (;;) {
		t1 = rdtsc();
		if (inb(0x61) & 0x20)
			break;
		if (t1 > limit) {
			*why = "OUT2 never rose (PIT channel 2 gated off or absent)";
			return 0;
		}
	}
	uint64_t t1b = rdtsc();
	outb(0x61, (uint8_t)(v & ~0x03u));
	uint64_t dtsc = (t1 + (t1b - t1) / 2) - (t0 + (t0b - t0) / 2);
	return dtsc * 1000 / TIMER_CAL_MS;
}

/* ---- the decision ---------------------------------------------------------- */

/* source = a + b + c (NULLs skipped), cut to fit. */
static void set_source(const char *a, const char *b, const char *c)
{
	const char *part[3] = { a, b, c };
	unsigned k = 0;
	for (int i = 0; i < 3; i++)
		for (const char *p = part[i]; p && *p && k + 1 < sizeof(source); p++)
			source[k++] = *p;
	source[k] = '\0';
}

/* Whether two estimates agree now; if so, that is the answer. */
static bool decided(void)
{
	struct timer_choice c = timer_pick(est, nest);
	if (c.verdict != TIMER_AGREED)
		return false;
	tsc_hz = c.hz;
	verdict = c.verdict;
	set_source(est[c.first].source, "+", est[c.second].source);
	return true;
}

void timer_init(uint64_t origin_tsc, const struct timer_refs *r)
{
	nest = 0;
	const char *why = "";
	uint64_t hz = from_cpuid15(&why);
	add("cpuid15", hz, why);

	struct counter c[2];
	unsigned n = 0;
	if (r && r->hpet_counter && r->hpet_hz)
		c[n++] = (struct counter){ .name = "hpet", .hz = r->hpet_hz, .r = r, .read = read_hpet,
		                           .mask = r->hpet_64bit ? ~0ull : 0xFFFFFFFFull };
	if (r && r->pm_port)
		c[n++] = (struct counter){ .name = "acpi-pm", .hz = PM_TIMER_HZ, .r = r, .read = read_pm,
		                           .mask = r->pm_32bit ? 0xFFFFFFFFull : 0xFFFFFFull };
	measure_counters(c, n);

	if (!decided()) {
		hz = from_pit(&why);
		add("pit", hz, why);
	}
	/* The RTC's update-in-progress flag is high for only ~244 us a second:
	 * a CPU held off at the wrong moment (SMIs on a PC, a busy host under
	 * QEMU) reads an edge late, so a failed measurement is taken again,
	 * up to TIMER_RTC_TRIES times; a missing RTC is not. */
	for (unsigned t = 0; t < TIMER_RTC_TRIES && !decided(); t++) {
		hz = rtc_tsc_per_second(bound_ms(TIMER_RTC_WAIT_MS), &why);
		if (hz || !rtc_retry_worthwhile(why) || t + 1 == TIMER_RTC_TRIES) {
			add("rtc", hz, why);
			break;
		}
	}
	if (!decided()) {
		struct timer_choice ch = timer_pick(est, nest);
		verdict = ch.verdict;
		if (ch.verdict == TIMER_SINGLE || ch.verdict == TIMER_DISAGREE) {
			tsc_hz = ch.hz;
			set_source(est[ch.first].source, ch.verdict == TIMER_SINGLE ? " alone" : ", disagreeing", 0);
		} else if ((tsc_hz = from_cpuid16()) >= TIMER_MIN_HZ && tsc_hz <= TIMER_MAX_HZ) {
			set_source("cpuid16 fallback", 0, 0);
		} else {
			tsc_hz = ASSUMED_HZ;
			set_source("assumed 2 GHz", 0, 0);
		}
	}
	origin = origin_tsc;
	if (!origin || origin > rdtsc())
		origin = rdtsc();
}

uint64_t timer_tsc_hz(void) { return tsc_hz; }
const char *timer_source(void) { return source; }
enum timer_verdict timer_verdict(void) { return verdict; }

const struct timer_estimate *timer_estimates(unsigned *n)
{
	*n = nest;
	return est;
}

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
