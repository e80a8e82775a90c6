/*
 * timer_pick.h — deciding the TSC frequency from several measurements
 * (portable: the kernel and the host unit tests share it).
 *
 * Each reference clock pxOS can count the TSC against (HPET, ACPI PM timer,
 * PIT channel 2, the CMOS RTC's second edges) or read it from (CPUID leaf
 * 0x15) gives one estimate. An estimate outside [TIMER_MIN_HZ, TIMER_MAX_HZ]
 * is rejected (issue 10: a PIT that is not there made the TSC 0.5 MHz). Two
 * estimates agree when they differ by at most TIMER_AGREE_PPM of the larger.
 * The answer is the best-ranked estimate of the best-ranked agreeing pair;
 * without a pair, the best-ranked sane estimate, flagged so the caller says so.
 */
#ifndef PXOS_TIMER_PICK_H
#define PXOS_TIMER_PICK_H

#include <stdint.h>
#include <stdbool.h>

#define TIMER_PICK_MAX 8

enum timer_est_state {
	TEST_UNUSED,      /* not judged yet */
	TEST_FAILED,      /* the measurement itself failed (hz == 0; `why` says how) */
	TEST_OUT_OF_RANGE,/* hz outside [TIMER_MIN_HZ, TIMER_MAX_HZ] */
	TEST_AGREES,      /* part of the chosen agreeing pair */
	TEST_SANE,        /* in range, not part of the chosen pair */
};

struct timer_estimate {
	const char *source;   /* "cpuid15", "hpet", "acpi-pm", "pit", "rtc" */
	uint64_t hz;          /* TSC frequency this source gives, 0 = failed */
	const char *why;      /* for a failed measurement: why (static text) */
	enum timer_est_state state; /* set by timer_pick */
};

enum timer_verdict {
	TIMER_AGREED,     /* two sources agree: hz is trusted */
	TIMER_SINGLE,     /* one sane source, nothing to check it against */
	TIMER_DISAGREE,   /* several sane sources, no two agree: best-ranked taken */
	TIMER_NONE,       /* no sane source: the caller must fall back */
};

struct timer_choice {
	enum timer_verdict verdict;
	uint64_t hz;      /* 0 when verdict == TIMER_NONE */
	int first;        /* index of the estimate whose hz is used, -1 for none */
	int second;       /* index of the estimate that agrees with it, -1 for none */
};

/* timer_pick: judge `n` estimates (n <= TIMER_PICK_MAX), given best rank
 * first (index 0 is the most trusted), setting each one's `state`, and
 * return the choice. Pure: no I/O. */
struct timer_choice timer_pick(struct timer_estimate *est, unsigned n);

/* timer_agree: whether TSC frequencies `a` and `b` (Hz) differ by at most
 * TIMER_AGREE_PPM parts per million of the larger. */
bool timer_agree(uint64_t a, uint64_t b);

/* timer_verdict_name: "agreed", "single source", "sources disagree", "none". */
const char *timer_verdict_name(enum timer_verdict v);

#endif /* PXOS_TIMER_PICK_H */
