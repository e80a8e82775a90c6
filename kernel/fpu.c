/*
 * fpu.c — the x87/SSE unit set up for Python guests; see fpu.h.
 */
#include "fpu.h"
#include "cpu.h"
#include "klog.h"
#include "drivers/portio.h"

#define CR0_MP         (1ull << 1)
#define CR0_EM         (1ull << 2)
#define CR0_TS         (1ull << 3)
#define CR4_OSFXSR     (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CPUID1_FXSR    (1u << 24)
#define CPUID1_SSE2    (1u << 26)

bool fpu_init(void)
{
	uint32_t a, b, c, d;
	cpuid(1, 0, &a, &b, &c, &d);
	if ((d & (CPUID1_FXSR | CPUID1_SSE2)) != (CPUID1_FXSR | CPUID1_SSE2)) {
		kwarn("fpu", "no FXSR/SSE2 (CPUID.1 EDX %08x): Python guests are not available", d);
		return false;
	}
	write_cr0((read_cr0() | CR0_MP) & ~(CR0_EM | CR0_TS));
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	uint32_t mxcsr = 0x1F80;
	__asm__ volatile("fninit\n\tldmxcsr %0" : : "m"(mxcsr));
	kinfo("fpu", "SSE on (CR4.OSFXSR, OSXMMEXCPT), FXSAVE per Python process; the kernel itself uses none");
	return true;
}
