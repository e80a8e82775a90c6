/*
 * rng.h — the pxOS pseudo-random generator: xoshiro256** (Blackman & Vigna,
 * 2018, https://prng.di.unimi.it/) seeded through SplitMix64, plus uniform and
 * Gaussian samples in 16.16 fixed point. Integer arithmetic only (the kernel
 * has no FPU: -mgeneral-regs-only). Portable: kernel, host tools, tests.
 *
 * Not cryptographic. One generator serves the whole system; the same seed
 * gives the same sequence on every platform, so a run seeded with `seed=N`
 * (kernel option) or `seed N` (monitor) is repeatable. drivers/hwrng.c seeds it
 * from hardware entropy at boot.
 */
#ifndef PXVM_RNG_H
#define PXVM_RNG_H

#include <stdint.h>

/* Fixed point used by the samplers: signed 16.16 (value = q / 65536). */
#define RNG_Q16_ONE 65536

/* rng_seed: restart the generator from `seed` (any value, 0 included). */
void rng_seed(uint64_t seed);

/* rng_last_seed: the seed given to the last rng_seed (0 before any). */
uint64_t rng_last_seed(void);

/* rng_next64: the next 64 uniformly distributed bits. */
uint64_t rng_next64(void);

/* rng_u32: the next 32 uniformly distributed bits. */
uint32_t rng_u32(void);

/* rng_below: a uniform integer in [0, n) without modulo bias (Lemire's
 * multiply-and-reject); 0 when n == 0. */
uint32_t rng_below(uint32_t n);

/* rng_uniform_q16: a uniform 16.16 value in [lo, hi) (lo < hi, both signed
 * 16.16); lo when lo >= hi. */
int32_t rng_uniform_q16(int32_t lo, int32_t hi);

/* rng_gauss_q24: a standard normal deviate z in signed 8.24 fixed point,
 * |z| <= 6 * 2^24. Method: the sum of 12 uniforms in [0,1) minus 6
 * (Irwin-Hall): mean 0 and variance 1 exactly, kurtosis 2.9 instead of 3, no
 * values beyond 6 standard deviations. */
int32_t rng_gauss_q24(void);

/* rng_gauss_q16: mean + std * z in signed 16.16 (std >= 0), saturated to the
 * int32 range. */
int32_t rng_gauss_q16(int32_t mean, int32_t std);

/* rng_state_get / rng_state_set: the generator's whole state (the four
 * xoshiro256** words, then the last seed), for snapshots (pxvm/snap.h). */
#define RNG_STATE_WORDS 5
void rng_state_get(uint64_t out[RNG_STATE_WORDS]);
void rng_state_set(const uint64_t in[RNG_STATE_WORDS]);

#endif /* PXVM_RNG_H */
