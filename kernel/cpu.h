/*
 * cpu.h — x86-64 control registers, MSRs, descriptor tables and halting
 * (Intel SDM vol. 3A ch. 2-3). Kernel only.
 */
#ifndef PXOS_CPU_H
#define PXOS_CPU_H

#include <stdint.h>
#include "drivers/portio.h"

#define CR0_NW  (1ull << 29)
#define CR0_CD  (1ull << 30)
#define CR4_PGE (1ull << 7)

static inline uint64_t read_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr2(void) { uint64_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr3(void) { uint64_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline uint64_t read_rbp(void) { uint64_t v; __asm__ volatile("mov %%rbp, %0" : "=r"(v)); return v; }
static inline uint64_t read_rflags(void) { uint64_t v; __asm__ volatile("pushfq; pop %0" : "=r"(v)); return v; }

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline void write_cr0(uint64_t v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
static inline void write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
static inline void write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }

/* wbinvd: write back and invalidate every cache line (SDM vol. 2 WBINVD). */
static inline void wbinvd(void) { __asm__ volatile("wbinvd" ::: "memory"); }

/* tlb_flush_all: drop every TLB entry, global ones too (SDM vol. 3A §4.10.4.1:
 * toggling CR4.PGE), else by reloading CR3. */
static inline void tlb_flush_all(void)
{
	uint64_t cr4 = read_cr4();
	if (cr4 & CR4_PGE) {
		write_cr4(cr4 & ~CR4_PGE);
		write_cr4(cr4);
	} else {
		write_cr3(read_cr3());
	}
}

static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void hlt(void) { __asm__ volatile("hlt" ::: "memory"); }

/* halt_forever: disable interrupts and halt this CPU for good (an NMI that
 * wakes it halts it again). */
static inline __attribute__((noreturn)) void halt_forever(void)
{
	for (;;) {
		cli();
		hlt();
	}
}

struct __attribute__((packed)) dtr {
	uint16_t limit;
	uint64_t base;
};

#define MSR_EFER 0xC0000080u
#define EFER_NXE (1ull << 11)
#define MSR_PAT  0x00000277u

/* Memory type range registers (SDM vol. 3A §11.11, table 11-9 / vol. 4 ch. 2). */
#define MSR_MTRRCAP          0x000000FEu  /* VCNT 7:0, FIX 8, WC 10, SMRR 11 */
#define MSR_MTRR_DEF_TYPE    0x000002FFu  /* type 7:0, FE 10, E 11 */
#define MSR_MTRR_PHYSBASE0   0x00000200u  /* PHYSBASEn = 0x200 + 2n, PHYSMASKn = 0x201 + 2n */
#define MSR_MTRR_FIX64K_00000 0x00000250u
#define MSR_MTRR_FIX16K_80000 0x00000258u
#define MSR_MTRR_FIX16K_A0000 0x00000259u
#define MSR_MTRR_FIX4K_C0000  0x00000268u /* .. FIX4K_F8000 = 0x26F */

#endif /* PXOS_CPU_H */
