/*
 * clock.c — the time base, decided and logged; see clock.h.
 */
#include "clock.h"
#include "klog.h"
#include "lib.h"
#include "param.h"
#include "drivers/acpi.h"
#include "drivers/hpet.h"
#include "drivers/timer.h"

static void mhz(char *buf, size_t n, uint64_t hz)
{
	snprintf(buf, n, "%llu.%03llu MHz", (unsigned long long)(hz / 1000000), (unsigned long long)(hz / 1000 % 1000));
}

/* One estimate as text: "hpet 2400.123 MHz (agrees)". */
static void estimate_text(const struct timer_estimate *e, char *buf, size_t n)
{
	char f[32];
	mhz(f, sizeof(f), e->hz);
	switch (e->state) {
	case TEST_FAILED:
		snprintf(buf, n, "%s failed: %s", e->source, e->why ? e->why : "?");
		break;
	case TEST_OUT_OF_RANGE:
		snprintf(buf, n, "%s %s: outside 100 MHz..10 GHz, rejected", e->source, f);
		break;
	case TEST_AGREES:
		snprintf(buf, n, "%s %s (agrees)", e->source, f);
		break;
	default:
		snprintf(buf, n, "%s %s", e->source, f);
		break;
	}
}

void clock_hwinfo(void)
{
	char f[32], line[128];
	unsigned n;
	const struct timer_estimate *e = timer_estimates(&n);
	mhz(f, sizeof(f), timer_tsc_hz());
	kprintf("timer: TSC %s from %s (%s)\n", f, timer_source(), timer_verdict_name(timer_verdict()));
	for (unsigned i = 0; i < n; i++) {
		estimate_text(&e[i], line, sizeof(line));
		kprintf("timer:   %s\n", line);
	}
}

void clock_init(uint64_t origin_tsc)
{
	hpet_init();
	const struct acpi_info *a = acpi_get();
	struct timer_refs refs = {
		.pm_port = a->pm_timer_port, .pm_32bit = a->pm_timer_32bit,
		.hpet_counter = hpet_counter_addr(), .hpet_hz = hpet_hz(), .hpet_64bit = hpet_is64(),
	};
	timer_init(origin_tsc, &refs);

	unsigned n;
	const struct timer_estimate *e = timer_estimates(&n);
	char line[128], f[32];
	for (unsigned i = 0; i < n; i++) {
		estimate_text(&e[i], line, sizeof(line));
		if (e[i].state == TEST_OUT_OF_RANGE)
			kwarn("timer", "%s", line);
		else
			kinfo("timer", "%s", line);
	}
	uint64_t hz = timer_tsc_hz();
	mhz(f, sizeof(f), hz);
	switch (timer_verdict()) {
	case TIMER_AGREED:
		kinfo("timer", "TSC %s from %s (two sources agree within %u ppm)", f, timer_source(), TIMER_AGREE_PPM);
		break;
	case TIMER_SINGLE:
		kwarn("timer", "TSC %s from %s: no second source to check it against", f, timer_source());
		break;
	case TIMER_DISAGREE:
		kwarn("timer", "TSC %s from %s: the sources disagree by more than %u ppm; the best-ranked is used", f,
		      timer_source(), TIMER_AGREE_PPM);
		break;
	default:
		kerror("timer", "TSC %s: %s (no reference clock gave a sane result): times may be wrong", f,
		       timer_source());
		break;
	}
}
