/*
 * mtrr.h — what memory type the MTRRs give a physical range (Intel SDM vol. 3A
 * §11.11; AMD64 APM vol. 2 §7.7 describes the same registers).
 *
 * Portable and pure: the kernel reads the MSRs into a struct mtrr_state
 * (kernel/vmm.c), the host unit tests build one by hand. The rules followed:
 *   - MTRRs absent (CPUID.01h:EDX[12] = 0): the PAT alone decides; every range
 *     counts as one type (WB);
 *   - IA32_MTRR_DEF_TYPE.E = 0: all memory is UC (§11.11.2.1);
 *   - below 1 MiB with DEF_TYPE.FE = 1: the 88 fixed ranges (§11.11.2.2);
 *   - else the variable ranges that match (addr & mask) == (base & mask), with
 *     the precedence of §11.11.4.1: one match gives its type; several: UC if any
 *     is UC, WT if they are all WT or WB, their type if they agree, else UC
 *     (the SDM calls it undefined; UC is the safe reading); none: the default.
 */
#ifndef PXOS_MTRR_H
#define PXOS_MTRR_H

#include <stdint.h>
#include <stdbool.h>
#include "kernel/param.h"

/* Memory type encodings (SDM vol. 3A table 11-8). */
#define MTRR_UC 0
#define MTRR_WC 1
#define MTRR_WT 4
#define MTRR_WP 5
#define MTRR_WB 6
#define MTRR_MIXED 0xFF   /* not a type: the range holds more than one */

#define MTRR_FIXED_RANGES 88     /* 8 x 64 KiB, 16 x 16 KiB, 64 x 4 KiB below 1 MiB */
#define MTRR_FIXED_MSRS 11       /* the fixed-range MSRs, in address order */
#define MTRR_FIXED_END 0x100000ull

struct mtrr_var {
	uint64_t base;   /* IA32_MTRR_PHYSBASEn bits 51:12 (page aligned) */
	uint64_t mask;   /* IA32_MTRR_PHYSMASKn bits 51:12, limited to MAXPHYADDR */
	uint8_t type;    /* PHYSBASEn bits 7:0 */
	bool valid;      /* PHYSMASKn bit 11 */
};

struct mtrr_state {
	bool present;        /* the CPU has MTRRs */
	bool enabled;        /* DEF_TYPE.E */
	bool fixed_enabled;  /* DEF_TYPE.FE, and MTRRCAP.FIX says the fixed ranges exist */
	uint8_t def_type;    /* DEF_TYPE bits 7:0 */
	uint8_t fixed[MTRR_FIXED_RANGES];
	unsigned nvar;       /* MTRRCAP.VCNT, at most MTRR_VAR_MAX kept */
	struct mtrr_var var[MTRR_VAR_MAX];
};

/* mtrr_decode_fixed: spread the 11 fixed-range MSR values (IA32_MTRR_FIX64K_00000,
 * FIX16K_80000, FIX16K_A0000, FIX4K_C0000 .. FIX4K_F8000; one type per byte, low
 * byte = lowest range; SDM table 11-9) over `out[88]`, in address order. Bits 3
 * and 4 of a byte (AMD's RdMem/WrMem) are dropped. */
void mtrr_decode_fixed(const uint64_t msr[MTRR_FIXED_MSRS], uint8_t out[MTRR_FIXED_RANGES]);

/* mtrr_var_set: fill variable range `v` from the PHYSBASE and PHYSMASK MSR
 * values; `maxphyaddr` is CPUID.80000008h:EAX[7:0] (36 when the leaf is absent). */
void mtrr_var_set(struct mtrr_var *v, uint64_t physbase, uint64_t physmask, unsigned maxphyaddr);

/* mtrr_fixed_index: the index (0..87) of the fixed range holding `addr` (< 1 MiB),
 * its length in *len (64, 16 or 4 KiB). */
unsigned mtrr_fixed_index(uint64_t addr, uint64_t *len);

/* mtrr_type_at: the MTRR memory type of physical byte `addr`. */
uint8_t mtrr_type_at(const struct mtrr_state *s, uint64_t addr);

/* mtrr_range_type: the one memory type of every byte of [base, base + size)
 * (base and size 4 KiB multiples, size > 0, no wrap), or MTRR_MIXED when
 * two bytes of it differ. Exact for ranges from 4 KiB up; bounded in time
 * (a pathological mask layout makes it answer MTRR_MIXED, never wrongly uniform). */
uint8_t mtrr_range_type(const struct mtrr_state *s, uint64_t base, uint64_t size);

/* mtrr_type_name: "UC", "WC", "WT", "WP", "WB", "mixed", or "?" for a reserved value. */
const char *mtrr_type_name(uint8_t type);

#endif /* PXOS_MTRR_H */
