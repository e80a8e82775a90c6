/*
 * hwrng.h — the kernel's entropy source: seeds the pxOS generator (pxvm/rng.h).
 *
 * RDSEED when CPUID says the CPU has it (leaf 7, EBX bit 18), else RDRAND
 * (leaf 1, ECX bit 30), else the jitter between the TSC and port I/O to the
 * PIT (Intel 8254) mixed over many rounds. None of this is for cryptography:
 * it only makes each boot's noise and oracle runs different unless a seed is
 * given (boot option `seed=N`, monitor command `seed N`), which makes them
 * repeatable.
 */
#ifndef PXOS_DRIVERS_HWRNG_H
#define PXOS_DRIVERS_HWRNG_H

#include <stdint.h>

/* hwrng_entropy64: 64 bits from the best source present; *source (may be
 * NULL) gets "rdseed", "rdrand" or "tsc-jitter". */
uint64_t hwrng_entropy64(const char **source);

/* hwrng_boot_seed: seed the generator at boot: from `seed_opt` (the `seed=`
 * boot option, decimal or 0x-hex) when given and valid, else from
 * hwrng_entropy64. Logs which; an invalid option is logged as an error and
 * ignored. */
void hwrng_boot_seed(const char *seed_opt);

/* hwrng_source: how the generator was seeded last ("seed=", "monitor",
 * "rdseed", "rdrand", "tsc-jitter"). */
const char *hwrng_source(void);

/* hwrng_set_source: record how a later reseed happened (e.g. "monitor"). */
void hwrng_set_source(const char *source);

#endif /* PXOS_DRIVERS_HWRNG_H */
