/*
 * rng.c — xoshiro256** and its samplers, the system's generator and the
 * processes' streams; see rng.h.
 */
#include "rng.h"

static struct rng_stream sys;  /* the system's own generator (rng_*) */
static uint64_t last_seed;
static uint64_t roots;         /* root streams made since the last rng_seed */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void rng_stream_seed(struct rng_stream *st, uint64_t seed)
{
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		st->s[i] = splitmix64(&x); /* never all zero: splitmix64 is a bijection of distinct inputs */
}

uint64_t rng_stream_next64(struct rng_stream *st)
{
	uint64_t *s = st->s;
	if ((s[0] | s[1] | s[2] | s[3]) == 0)
		rng_stream_seed(st, 0); /* used before any seed: behave as seed 0 */
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

uint32_t rng_stream_u32(struct rng_stream *st) { return (uint32_t)(rng_stream_next64(st) >> 32); }

int32_t rng_stream_range(struct rng_stream *st, int32_t lo, int32_t hi)
{
	if (lo >= hi)
		return lo;
	uint64_t range = (uint64_t)((int64_t)hi - (int64_t)lo); /* 1 .. 2^32 - 1 */
	uint64_t x = rng_stream_next64(st);
	/* floor(x * range / 2^64), exactly, without a 128-bit type. */
	uint64_t off = ((x >> 32) * range + (((x & 0xFFFFFFFFull) * range) >> 32)) >> 32;
	return (int32_t)((int64_t)lo + (int64_t)off);
}

static int32_t gauss_q24(struct rng_stream *st)
{
	int64_t sum = 0;
	for (int i = 0; i < 12; i++)
		sum += rng_stream_u32(st) >> 8;  /* uniform in [0, 1) as 0.24 */
	return (int32_t)(sum - (6ll << 24)); /* |result| < 6 * 2^24 < 2^27 */
}

static int32_t gauss_q16(struct rng_stream *st, int32_t mean, int32_t std)
{
	if (std <= 0)
		return mean;
	int64_t d = (int64_t)std * gauss_q24(st); /* < 2^31 * 2^27: fits */
	d = d >= 0 ? d >> 24 : -((-d) >> 24);    /* round toward zero, symmetric */
	int64_t v = (int64_t)mean + d;
	if (v > INT32_MAX)
		return INT32_MAX;
	if (v < INT32_MIN)
		return INT32_MIN;
	return (int32_t)v;
}

int32_t rng_stream_gauss_q16(struct rng_stream *st, int32_t mean, int32_t std) { return gauss_q16(st, mean, std); }

uint64_t rng_log2_q32(uint64_t v)
{
	if (!v)
		return 0; /* outside the contract; defined anyway */
	uint32_t k = 63u - (uint32_t)__builtin_clzll(v);
	uint64_t m = k <= 31 ? v << (31 - k) : v >> (k - 31); /* [2^31, 2^32) = [1, 2) in 1.31 */
	uint64_t frac = 0;
	for (int i = 31; i >= 0; i--) {
		m = (m * m) >> 31; /* < 2^33: the square of [1, 2) is below 4 */
		if (m >= (1ull << 32)) {
			m >>= 1;
			frac |= 1ull << i;
		}
	}
	return (uint64_t)k << 32 | frac;
}

uint64_t rng_stream_geometric(struct rng_stream *st, uint64_t nlog2q)
{
	uint64_t v = (uint64_t)rng_stream_u32(st) + 1;        /* U = v / 2^32 in (0, 1] */
	uint64_t nlog2u = (32ull << 32) - rng_log2_q32(v);    /* -log2 U, 32.32, at most 2^37 */
	if (!nlog2q)
		nlog2q = 1;
	uint64_t k = nlog2u / nlog2q + (nlog2u % nlog2q != 0);
	return k ? k : 1;
}

void rng_stream_split(struct rng_stream *parent, struct rng_stream *child)
{
	rng_stream_seed(child, rng_stream_next64(parent) ^ 0x6A09E667F3BCC908ull);
}

void rng_stream_root(struct rng_stream *child)
{
	uint64_t k = roots++;
	rng_stream_seed(child, last_seed ^ rotl(0xD1B54A32D192ED03ull * (k + 1), 17) ^ 0xBB67AE8584CAA73Bull);
}

/* ---- The system's generator --------------------------------------------- */

void rng_seed(uint64_t seed)
{
	last_seed = seed;
	roots = 0;
	rng_stream_seed(&sys, seed);
}

uint64_t rng_last_seed(void) { return last_seed; }

uint64_t rng_next64(void) { return rng_stream_next64(&sys); }

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

int32_t rng_gauss_q24(void) { return gauss_q24(&sys); }

int32_t rng_gauss_q16(int32_t mean, int32_t std) { return gauss_q16(&sys, mean, std); }

void rng_state_get(uint64_t out[RNG_STATE_WORDS])
{
	for (int i = 0; i < 4; i++)
		out[i] = sys.s[i];
	out[4] = last_seed;
	out[5] = roots;
}

void rng_state_set(const uint64_t in[RNG_STATE_WORDS])
{
	for (int i = 0; i < 4; i++)
		sys.s[i] = in[i];
	last_seed = in[4];
	roots = in[5];
}
