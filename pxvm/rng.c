/*
 * rng.c — xoshiro256** and its samplers; see rng.h.
 */
#include "rng.h"

static uint64_t s[4];
static uint64_t last_seed;

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void rng_seed(uint64_t seed)
{
	uint64_t x = seed;
	last_seed = seed;
	for (int i = 0; i < 4; i++)
		s[i] = splitmix64(&x); /* never all zero: splitmix64 is a bijection of distinct inputs */
}

uint64_t rng_last_seed(void) { return last_seed; }

uint64_t rng_next64(void)
{
	if ((s[0] | s[1] | s[2] | s[3]) == 0)
		rng_seed(0); /* used before any seed: behave as seed 0 */
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint32_t rng_u32(void) { return (uint32_t)(rng_next64() >> 32); }

uint32_t rng_below(uint32_t n)
{
	if (n == 0)
		return 0;
	uint64_t m = (uint64_t)rng_u32() * n;
	uint32_t low = (uint32_t)m;
	if (low < n) {
		uint32_t threshold = (uint32_t)-n % n;
		while (low < threshold) {
			m = (uint64_t)rng_u32() * n;
			low = (uint32_t)m;
		}
	}
	return (uint32_t)(m >> 32);
}

int32_t rng_uniform_q16(int32_t lo, int32_t hi)
{
	if (lo >= hi)
		return lo;
	uint64_t range = (uint64_t)((int64_t)hi - (int64_t)lo); /* 1 .. 2^32 - 1 */
	uint64_t off = (range * rng_u32()) >> 32;               /* 0 .. range - 1 */
	return (int32_t)((int64_t)lo + (int64_t)off);
}

int32_t rng_gauss_q24(void)
{
	int64_t sum = 0;
	for (int i = 0; i < 12; i++)
		sum += rng_u32() >> 8;      /* uniform in [0, 1) as 0.24 */
	return (int32_t)(sum - (6ll << 24)); /* |result| < 6 * 2^24 < 2^27 */
}

int32_t rng_gauss_q16(int32_t mean, int32_t std)
{
	if (std <= 0)
		return mean;
	int64_t d = (int64_t)std * rng_gauss_q24(); /* < 2^31 * 2^27: fits */
	d = d >= 0 ? d >> 24 : -((-d) >> 24);       /* round toward zero, symmetric */
	int64_t v = (int64_t)mean + d;
	if (v > INT32_MAX)
		return INT32_MAX;
	if (v < INT32_MIN)
		return INT32_MIN;
	return (int32_t)v;
}

void rng_state_get(uint64_t out[RNG_STATE_WORDS])
{
	for (int i = 0; i < 4; i++)
		out[i] = s[i];
	out[4] = last_seed;
}

void rng_state_set(const uint64_t in[RNG_STATE_WORDS])
{
	for (int i = 0; i < 4; i++)
		s[i] = in[i];
	last_seed = in[4];
}
