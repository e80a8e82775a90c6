/*
 * hwrng.c — the kernel's entropy source; see hwrng.h.
 */
#include "hwrng.h"
#include "portio.h"
#include "pxvm/rng.h"
#include "kernel/klog.h"
#include "kernel/lib.h"

#define RDSEED_TRIES 128 /* RDSEED may fail transiently while its conditioner refills */
#define RDRAND_TRIES 16  /* Intel's recommendation: 10 retries before giving up */
#define JITTER_ROUNDS 512

static const char *source = "none";

static int has_rdrand(void)
{
	uint32_t a, b, c, d;
	cpuid(0, 0, &a, &b, &c, &d);
	if (a < 1)
		return 0;
	cpuid(1, 0, &a, &b, &c, &d);
	return (c >> 30) & 1;
}

static int has_rdseed(void)
{
	uint32_t a, b, c, d;
	cpuid(0, 0, &a, &b, &c, &d);
	if (a < 7)
		return 0;
	cpuid(7, 0, &a, &b, &c, &d);
	return (b >> 18) & 1;
}

/* The instructions are written as bytes so any assembler accepts them:
 * RDSEED rax = 48 0F C7 F8, RDRAND rax = 48 0F C7 F0; CF = 1 on success. */
static int rdseed64(uint64_t *v)
{
	uint8_t ok;
	__asm__ volatile(".byte 0x48, 0x0f, 0xc7, 0xf8; setc %1" : "=a"(*v), "=qm"(ok) : : "cc");
	return ok;
}

static int rdrand64(uint64_t *v)
{
	uint8_t ok;
	__asm__ volatile(".byte 0x48, 0x0f, 0xc7, 0xf0; setc %1" : "=a"(*v), "=qm"(ok) : : "cc");
	return ok;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
	h *= 0xBF58476D1CE4E5B9ull;
	return h ^ (h >> 31);
}

/* jitter: the time port I/O to the PIT takes, in TSC ticks, and the PIT's own
 * count, over many rounds. Each round contributes a few unpredictable low
 * bits; the mixing spreads them over the whole word. */
static uint64_t jitter(void)
{
	uint64_t h = rdtsc();
	for (int i = 0; i < JITTER_ROUNDS; i++) {
		uint64_t t0 = rdtsc();
		outb(0x43, 0x00);          /* latch channel 0's count */
		uint8_t lo = inb(0x40);
		uint8_t hi = inb(0x40);
		uint64_t t1 = rdtsc();
		h = mix(h, ((t1 - t0) << 16) ^ ((uint64_t)hi << 8 | lo) ^ (t1 << 32));
	}
	return h;
}

uint64_t hwrng_entropy64(const char **src)
{
	uint64_t v;
	if (has_rdseed())
		for (int i = 0; i < RDSEED_TRIES; i++)
			if (rdseed64(&v)) {
				if (src)
					*src = "rdseed";
				return v;
			}
	if (has_rdrand())
		for (int i = 0; i < RDRAND_TRIES; i++)
			if (rdrand64(&v)) {
				if (src)
					*src = "rdrand";
				return v;
			}
	if (src)
		*src = "tsc-jitter";
	return jitter();
}

void hwrng_boot_seed(const char *seed_opt)
{
	uint64_t seed;
	if (seed_opt) {
		if (parse_u64(seed_opt, &seed) == 0) {
			rng_seed(seed);
			source = "seed=";
			kinfo("rng", "seeded with seed=%llu: noise and oracle runs repeat", (unsigned long long)seed);
			return;
		}
		kwarn("rng", "seed=%s is not a number (decimal or 0x-hex); seeding from the hardware", seed_opt);
	}
	seed = hwrng_entropy64(&source);
	rng_seed(seed);
	kinfo("rng", "seeded from %s (seed %llu; boot with seed=N to repeat a run)", source,
	      (unsigned long long)seed);
}

const char *hwrng_source(void) { return source; }
void hwrng_set_source(const char *s) { source = s; }
