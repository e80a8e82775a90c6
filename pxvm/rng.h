/*
 * rng.h — the pxOS pseudo-random generator: xoshiro256** (Blackman & Vigna,
 * 2018, https://prng.di.unimi.it/) seeded through SplitMix64, plus uniform and
 * Gaussian samples in 16.16 fixed point. Integer arithmetic only (the kernel
 * has no FPU: -mgeneral-regs-only). Portable: kernel, host tools, tests.
 *
 * Not cryptographic. The same seed gives the same sequence on every platform,
 * so a run seeded with `seed=N` (kernel option) or `seed N` (monitor) is
 * repeatable. drivers/hwrng.c seeds it from hardware entropy at boot.
 *
 * Streams. The rng_* functions draw from the system's own generator. Every
 * process draws from a stream of its own (struct rng_stream, in its struct
 * pxvm): a process started by the kernel gets root stream k, made from the
 * seed and k (the count of root streams made since the last rng_seed); a
 * process started or forked by a process gets a stream split from its
 * parent's (one draw of the parent's stream seeds it). So what a process
 * draws depends on the seed and on its lineage only, never on how the
 * scheduler interleaves processes (docs/hypervisor.md, "Random numbers").
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

/* ---- Streams ------------------------------------------------------------- */

/* One xoshiro256** state. All zero (a zeroed struct) behaves as seeded with 0. */
struct rng_stream {
	uint64_t s[4];
};

/* rng_stream_seed: restart stream `st` from `seed` (SplitMix64 expansion, as rng_seed). */
void rng_stream_seed(struct rng_stream *st, uint64_t seed);

/* rng_stream_next64 / rng_stream_u32: the next 64 / 32 uniform bits of `st`. */
uint64_t rng_stream_next64(struct rng_stream *st);
uint32_t rng_stream_u32(struct rng_stream *st);

/* rng_stream_range: a uniform integer in [lo, hi) (signed; also 16.16 values),
 * lo when lo >= hi. One 64-bit draw scaled by the range (Lemire's
 * multiply-high without the rejection step): constant time, bias below
 * 2^-32 for every range. */
int32_t rng_stream_range(struct rng_stream *st, int32_t lo, int32_t hi);

/* rng_stream_gauss_q16: mean + std * z in signed 16.16 (z as rng_gauss_q24:
 * the Irwin-Hall sum of 12 uniforms minus 6), saturated to the int32 range;
 * the mean itself when std <= 0 (no draw is made then). */
int32_t rng_stream_gauss_q16(struct rng_stream *st, int32_t mean, int32_t std);

/* rng_log2_q32: log2(v) for 1 <= v <= 2^32 in unsigned 32.32 fixed point:
 * the integer part from the highest set bit, 32 fraction bits by squaring
 * the mantissa (each square that reaches 2 gives a 1 bit); absolute error
 * below 2^-28. Integer only (the kernel has no FPU). */
uint64_t rng_log2_q32(uint64_t v);

/* rng_stream_geometric: the number of trials up to and including the first
 * success of trials that each succeed with probability p, where `nlog2q` =
 * -log2(1 - p) in 32.32 (> 0; rng_log2_q32 gives it): ceil(-log2(U) /
 * nlog2q) with U uniform in (0, 1] from one 32-bit draw, at least 1, at most
 * 2^37 / nlog2q. */
uint64_t rng_stream_geometric(struct rng_stream *st, uint64_t nlog2q);

/* rng_stream_split: seed `child` from one draw of `parent` (which advances). */
void rng_stream_split(struct rng_stream *parent, struct rng_stream *child);

/* rng_stream_root: seed `child` as root stream k = the number of root streams
 * made since the last rng_seed (or since boot), from that seed and k. */
void rng_stream_root(struct rng_stream *child);

/* rng_state_get / rng_state_set: the system generator's whole state (its
 * four xoshiro256** words, the last seed, the root streams made since), for
 * snapshots (pxvm/snap.h). Each process's own streams are in its record. */
#define RNG_STATE_WORDS 6
void rng_state_get(uint64_t out[RNG_STATE_WORDS]);
void rng_state_set(const uint64_t in[RNG_STATE_WORDS]);

#endif /* PXVM_RNG_H */
