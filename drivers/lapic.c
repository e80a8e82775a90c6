/*
 * lapic.c — local APIC, xAPIC or x2APIC; see lapic.h.
 */
#include "lapic.h"
#include "mmio.h"
#include "kernel/cpu.h"
#include "kernel/klog.h"
#include "kernel/lib.h"

#define MSR_APIC_BASE   0x1Bu
#define BASE_BSP        (1ull << 8)
#define BASE_EXTD       (1ull << 10)   /* x2APIC mode */
#define BASE_EN         (1ull << 11)
#define BASE_ADDR_MASK  0x000FFFFFFFFFF000ull
#define X2APIC_MSR(off) (0x800u + ((off) >> 4))

/* Register offsets (SDM table 10-1). */
#define REG_ID      0x020
#define REG_VERSION 0x030
#define REG_TPR     0x080
#define REG_EOI     0x0B0
#define REG_SVR     0x0F0
#define REG_LVT_TIMER 0x320
#define REG_LVT_LINT0 0x350
#define REG_LVT_LINT1 0x360
#define REG_TIMER_INIT 0x380
#define REG_TIMER_CUR  0x390
#define REG_TIMER_DIV  0x3E0

#define SVR_ENABLE     (1u << 8)
#define LVT_MASKED     (1u << 16)
#define LVT_PERIODIC   (1u << 17)
#define LVT_EXTINT     (7u << 8)
#define LVT_NMI        (4u << 8)
#define DIV_16         0x3u
#define CAL_DIVISOR    16u
#define CAL_MS         10u

static volatile void *regs;   /* xAPIC MMIO, NULL in x2APIC mode */
static bool x2apic, present;
static uint64_t base_phys, timer_hz; /* timer_hz: input clock after the divider */

static uint32_t rd(uint32_t off)
{
	return x2apic ? (uint32_t)rdmsr(X2APIC_MSR(off)) : mmio_read32(regs, off);
}

static void wr(uint32_t off, uint32_t v)
{
	if (x2apic)
		wrmsr(X2APIC_MSR(off), v);
	else
		mmio_write32(regs, off, v);
}

bool lapic_init(uint8_t spurious_vector)
{
	uint32_t a, b, c, d;
	cpuid(1, 0, &a, &b, &c, &d);
	if (!(d & (1u << 9))) {
		kwarn("lapic", "CPUID says there is no local APIC");
		return false;
	}
	uint64_t base = rdmsr(MSR_APIC_BASE);
	bool was_enabled = (base & BASE_EN) != 0;
	if (!was_enabled) {
		base |= BASE_EN;
		wrmsr(MSR_APIC_BASE, base);
	}
	x2apic = (base & BASE_EXTD) != 0;
	base_phys = base & BASE_ADDR_MASK;
	if (!x2apic) {
		regs = mmio_map(base_phys, 0x1000);
		if (!regs) {
			kwarn("lapic", "local APIC at 0x%llx is outside the mapped memory: not used",
			      (unsigned long long)base_phys);
			return false;
		}
	}
	present = true;
	wr(REG_LVT_TIMER, LVT_MASKED);
	wr(REG_TIMER_INIT, 0);
	wr(REG_TPR, 0);
	wr(REG_SVR, (rd(REG_SVR) & ~0xFFu) | SVR_ENABLE | spurious_vector);
	if (!was_enabled) {
		/* The 8259 used to reach the CPU's INTR pin directly: keep that. */
		wr(REG_LVT_LINT0, LVT_EXTINT);
		wr(REG_LVT_LINT1, LVT_NMI);
		kwarn("lapic", "the firmware left the local APIC disabled: enabled, LINT0 = ExtINT (virtual wire)");
	}
	char line[120];
	lapic_describe(line, sizeof(line));
	kinfo("lapic", "%s", line);
	return true;
}

bool lapic_present(void) { return present; }

uint32_t lapic_id(void)
{
	if (!present)
		return 0;
	return x2apic ? rd(REG_ID) : rd(REG_ID) >> 24;
}

void lapic_eoi(void)
{
	if (present)
		wr(REG_EOI, 0);
}

uint64_t lapic_timer_start(uint32_t hz, uint8_t vector, uint64_t tsc_hz)
{
	if (!present || !hz || !tsc_hz)
		return 0;
	/* One-shot from the top, masked, for CAL_MS of TSC time. */
	wr(REG_LVT_TIMER, LVT_MASKED | vector);
	wr(REG_TIMER_DIV, DIV_16);
	wr(REG_TIMER_INIT, 0xFFFFFFFFu);
	uint64_t t0 = rdtsc(), want = tsc_hz / (1000 / CAL_MS), t1;
	while ((t1 = rdtsc()) - t0 < want)
		cpu_pause();
	uint32_t cur = rd(REG_TIMER_CUR);
	uint64_t t2 = rdtsc();
	uint64_t counted = 0xFFFFFFFFull - cur;
	uint64_t dtsc = t1 + (t2 - t1) / 2 - t0;
	wr(REG_TIMER_INIT, 0);
	if (!counted || !dtsc)
		return 0;
	timer_hz = counted * tsc_hz / dtsc;
	uint64_t init = (timer_hz + hz / 2) / hz;
	if (!init || init > 0xFFFFFFFFull)
		return 0;
	wr(REG_LVT_TIMER, LVT_PERIODIC | vector);
	wr(REG_TIMER_INIT, (uint32_t)init);
	return timer_hz * 1000ull / init;
}

void lapic_timer_stop(void)
{
	if (!present)
		return;
	wr(REG_LVT_TIMER, LVT_MASKED);
	wr(REG_TIMER_INIT, 0);
}

void lapic_describe(char *buf, unsigned n)
{
	if (!present) {
		snprintf(buf, n, "no local APIC");
		return;
	}
	char where[32] = "";
	if (!x2apic)
		snprintf(where, sizeof(where), " at 0x%llx", (unsigned long long)base_phys);
	char timer[64] = "";
	if (timer_hz)
		snprintf(timer, sizeof(timer), ", timer %llu.%03llu MHz (bus clock / %u)",
		         (unsigned long long)(timer_hz / 1000000), (unsigned long long)(timer_hz / 1000 % 1000),
		         CAL_DIVISOR);
	snprintf(buf, n, "%s%s, id %u, version 0x%x%s", x2apic ? "x2APIC (MSRs)" : "xAPIC", where, lapic_id(),
	         rd(REG_VERSION) & 0xFF, timer);
}
