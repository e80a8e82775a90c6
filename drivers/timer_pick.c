/*
 * timer_pick.c — choosing the TSC frequency among estimates; see timer_pick.h.
 */
#include "timer_pick.h"
#include "kernel/param.h"

bool timer_agree(uint64_t a, uint64_t b)
{
	uint64_t hi = a > b ? a : b, lo = a > b ? b : a;
	if (!hi)
		return false;
	/* (hi - lo) / hi <= ppm / 1e6, without overflow: hi <= 10 GHz < 2^34. */
	return (hi - lo) * 1000000ull <= hi * (uint64_t)TIMER_AGREE_PPM;
}

static bool sane(uint64_t hz)
{
	return hz >= TIMER_MIN_HZ && hz <= TIMER_MAX_HZ;
}

struct timer_choice timer_pick(struct timer_estimate *est, unsigned n)
{
	struct timer_choice c = { TIMER_NONE, 0, -1, -1 };
	if (n > TIMER_PICK_MAX)
		n = TIMER_PICK_MAX;
	unsigned nsane = 0;
	for (unsigned i = 0; i < n; i++) {
		if (!est[i].hz)
			est[i].state = TEST_FAILED;
		else if (!sane(est[i].hz))
			est[i].state = TEST_OUT_OF_RANGE;
		else {
			est[i].state = TEST_SANE;
			nsane++;
		}
	}
	/* Pairs in rank order: (0,1), (0,2), ..., (1,2), ... */
	for (unsigned i = 0; i < n && c.first < 0; i++) {
		if (est[i].state != TEST_SANE)
			continue;
		for (unsigned j = i + 1; j < n; j++) {
			if (est[j].state == TEST_SANE && timer_agree(est[i].hz, est[j].hz)) {
				c = (struct timer_choice){ TIMER_AGREED, est[i].hz, (int)i, (int)j };
				est[i].state = est[j].state = TEST_AGREES;
				break;
			}
		}
	}
	if (c.first >= 0 || !nsane)
		return c;
	for (unsigned i = 0; i < n; i++) {
		if (est[i].state == TEST_SANE) {
			c = (struct timer_choice){ nsane == 1 ? TIMER_SINGLE : TIMER_DISAGREE, est[i].hz, (int)i, -1 };
			break;
		}
	}
	return c;
}

const char *timer_verdict_name(enum timer_verdict v)
{
	switch (v) {
	case TIMER_AGREED: return "agreed";
	case TIMER_SINGLE: return "single source";
	case TIMER_DISAGREE: return "sources disagree";
	default: return "none";
	}
}
