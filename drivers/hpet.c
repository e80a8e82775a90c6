/*
 * hpet.c — HPET discovery, main counter and periodic timer 0; see hpet.h.
 */
#include "hpet.h"
#include "acpi.h"
#include "mmio.h"
#include "kernel/klog.h"
#include "kernel/lib.h"
#include "portio.h"

/* Registers (spec §2.3). */
#define GCAP_ID     0x000
#define GEN_CONF    0x010
#define GINTR_STA   0x020
#define MAIN_CNT    0x0F0
#define TN_CONF(n)  (0x100u + 0x20u * (n))
#define TN_COMP(n)  (0x108u + 0x20u * (n))
#define HPET_SIZE   0x400

#define CAP_COUNT_64    (1ull << 13)
#define CAP_LEG_RT      (1ull << 15)
#define CONF_ENABLE     (1ull << 0)
#define CONF_LEG_RT     (1ull << 1)
#define TN_INT_ENB      (1ull << 2)
#define TN_PERIODIC     (1ull << 3)
#define TN_PER_CAP      (1ull << 4)
#define TN_SIZE_64      (1ull << 5)
#define TN_VAL_SET      (1ull << 6)
#define TN_32MODE       (1ull << 8)

#define STANDARD_ADDR   0xFED00000ull
#define MAX_PERIOD_FS   100000000ull   /* spec: at most 100 ns per tick */
#define ACPI_HPET_ADDR  44             /* HPET table: BASE_ADDRESS (GAS) at 40, its address at 44 */
#define ACPI_HPET_LEN   56

static volatile void *regs;
static uint64_t phys, cap, hz;
static const char *found_by = "";

static uint64_t rd(uint32_t off) { return mmio_read64(regs, off); }
static void wr(uint32_t off, uint64_t v) { mmio_write64(regs, off, v); }

/* The HPET's address from the ACPI table, 0 when there is none. */
static uint64_t from_acpi(void)
{
	const uint8_t *t = acpi_find_table("HPET", 0);
	if (!t)
		return 0;
	uint32_t len;
	memcpy(&len, t + 4, 4);
	if (len < ACPI_HPET_LEN) {
		kwarn("hpet", "ACPI HPET table too short (%u bytes): ignored", len);
		return 0;
	}
	if (t[40] != 0) { /* address space: must be system memory */
		kwarn("hpet", "ACPI HPET table gives address space %u, not memory: ignored", t[40]);
		return 0;
	}
	uint64_t a;
	memcpy(&a, t + ACPI_HPET_ADDR, 8);
	return a;
}

/* Whether the capability register describes a real HPET; else why not. */
static const char *cap_problem(uint64_t c)
{
	uint64_t period = c >> 32;
	uint32_t vendor = (uint32_t)(c >> 16) & 0xFFFF;
	if (c == ~0ull || c == 0)
		return "nothing answers there";
	if (!period || period > MAX_PERIOD_FS)
		return "counter period outside 1 fs..100 ns";
	if (!vendor || vendor == 0xFFFF)
		return "no vendor id";
	if ((c & 0xFF) == 0)
		return "revision 0";
	return 0;
}

bool hpet_init(void)
{
	bool probed = false;
	uint64_t a = from_acpi();
	if (!a) {
		if (acpi_find_table("HPET", 0))
			return false; /* a table, but an unusable one: warned above */
		a = STANDARD_ADDR;
		probed = true;
	}
	found_by = probed ? "no ACPI HPET table, probed" : "ACPI";
	volatile void *r = mmio_map(a, HPET_SIZE);
	if (!r) {
		kwarn("hpet", "HPET at 0x%llx is outside the mapped memory: not used", (unsigned long long)a);
		return false;
	}
	uint64_t c = mmio_read64(r, GCAP_ID);
	const char *bad = cap_problem(c);
	if (bad) {
		if (probed)
			kinfo("hpet", "no HPET (no ACPI HPET table, and at 0x%llx %s)", (unsigned long long)a, bad);
		else
			kwarn("hpet", "HPET at 0x%llx unusable: %s", (unsigned long long)a, bad);
		return false;
	}
	regs = r;
	phys = a;
	cap = c;
	hz = 1000000000000000ull / (c >> 32);
	/* Timers' interrupts off, then the main counter on (it may have been stopped). */
	unsigned ntimers = (unsigned)((c >> 8) & 0x1F) + 1;
	for (unsigned n = 0; n < ntimers; n++)
		wr(TN_CONF(n), rd(TN_CONF(n)) & ~(TN_INT_ENB));
	wr(GEN_CONF, (rd(GEN_CONF) & ~CONF_LEG_RT) | CONF_ENABLE);
	/* It must count: wait about 10 us of HPET ticks, bounded by the TSC at 10 GHz. */
	uint64_t c0 = rd(MAIN_CNT), t0 = rdtsc();
	while (rd(MAIN_CNT) == c0) {
		if (rdtsc() - t0 > 10000000ull) { /* 1 ms at 10 GHz, 0.1 s at 100 MHz */
			kwarn("hpet", "HPET at 0x%llx: main counter does not count; not used", (unsigned long long)a);
			regs = 0;
			hz = 0;
			return false;
		}
		cpu_pause();
	}
	char line[160];
	hpet_describe(line, sizeof(line));
	kinfo("hpet", "%s", line);
	return true;
}

bool hpet_present(void) { return regs != 0; }
uint64_t hpet_hz(void) { return hz; }
bool hpet_is64(void) { return (cap & CAP_COUNT_64) != 0; }

const volatile void *hpet_counter_addr(void)
{
	return regs ? (const volatile uint8_t *)regs + MAIN_CNT : 0;
}

uint64_t hpet_tick_start(uint32_t rate)
{
	if (!regs || !(cap & CAP_LEG_RT) || !rate)
		return 0;
	uint64_t conf0 = rd(TN_CONF(0));
	if (!(conf0 & TN_PER_CAP))
		return 0;
	uint64_t period = (hz + rate / 2) / rate;
	bool wide = (conf0 & TN_SIZE_64) && hpet_is64();
	if (!period || (!wide && period > 0xFFFFFFFFull))
		return 0;
	/* Spec §2.3.9.2.2: stop the counter, set periodic + VAL_SET, write the
	 * comparator (first write: next match; second: the period), restart. */
	wr(GEN_CONF, rd(GEN_CONF) & ~CONF_ENABLE);
	wr(MAIN_CNT, 0);
	uint64_t conf = (conf0 & ~(TN_32MODE | (0x1Full << 9))) | TN_PERIODIC | TN_VAL_SET | TN_INT_ENB;
	if (!wide)
		conf |= TN_32MODE;
	conf &= ~(1ull << 1); /* edge triggered */
	wr(TN_CONF(0), conf);
	wr(TN_COMP(0), period);
	wr(TN_COMP(0), period);
	wr(GEN_CONF, rd(GEN_CONF) | CONF_LEG_RT | CONF_ENABLE);
	return hz * 1000ull / period;
}

void hpet_tick_stop(void)
{
	if (!regs)
		return;
	wr(TN_CONF(0), rd(TN_CONF(0)) & ~(TN_INT_ENB | TN_PERIODIC));
	wr(GEN_CONF, rd(GEN_CONF) & ~CONF_LEG_RT);
}

void hpet_describe(char *buf, unsigned n)
{
	if (!regs) {
		snprintf(buf, n, "no HPET");
		return;
	}
	snprintf(buf, n, "HPET at 0x%llx (%s), %llu.%03llu MHz, %s counter, %u timers, vendor 0x%04x%s",
	         (unsigned long long)phys, found_by, (unsigned long long)(hz / 1000000),
	         (unsigned long long)(hz / 1000 % 1000), hpet_is64() ? "64-bit" : "32-bit",
	         (unsigned)((cap >> 8) & 0x1F) + 1, (unsigned)(cap >> 16) & 0xFFFF,
	         (cap & CAP_LEG_RT) ? ", legacy replacement" : "");
}
