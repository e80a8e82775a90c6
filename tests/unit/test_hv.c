/*
 * test_hv.c — the trap hypervisor (pxvm/hv.c) and the random generator
 * (pxvm/rng.c) on the host.
 *
 * The real VM, scheduler, system calls and PixelFS run on the shared test
 * platform (sched_testhost.h), headless, with its clock set by the tests and
 * this file's fake LLM, which records what was submitted and cancelled; the
 * tests then answer, stream, keep alive or let requests time out through
 * hv_llm_reply / hv_llm_alive / hv_poll.
 * Trap arguments are written into a process's trap page the way a guest
 * would and served by hv_trap, as the scheduler does after the flag store;
 * one test runs a real guest whose STB to TRAP_FLAG raises the trap.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "pxvm/hv.h"
#include "pxvm/rng.h"
#include "pxvm/sched.h"
#include "pxvm/host.h"
#include "pxvm/pixelfs.h"
#include "pxvm/vfs.h"
#include "pxvm/frame.h"
#include "sched_testhost.h"

/* ---- the fake LLM, on the shared test platform (sched_testhost.h) ---------- */

static int submit_error;                 /* nonzero: pxhost_llm_submit fails with it */
static const char *answer_at_once;       /* set: pxhost_llm_submit answers with it before returning */
static struct { uint32_t id, kind; char model[16]; char prompt[HV_PROMPT_MAX + 256]; uint32_t len; uint64_t t; } sub[64];
static int nsub;
static uint32_t cancelled[64];
static int answered_upto;                /* submissions the fake LLM has answered */
static int ncancel;

static int fake_submit(uint32_t id, uint32_t kind, const char *model, const char *prompt, uint32_t len)
{
	if (submit_error)
		return submit_error;
	assert_true(nsub < 64);
	assert_true(len <= sizeof(sub[0].prompt) - 1);
	if (kind != PXVM_TRAP_LLM_CHAT)
		assert_int_equal(strlen(prompt), len); /* the prompt is handed over NUL-terminated too */
	sub[nsub].id = id;
	sub[nsub].kind = kind;
	snprintf(sub[nsub].model, sizeof(sub[nsub].model), "%s", model);
	memcpy(sub[nsub].prompt, prompt, len);
	sub[nsub].prompt[len] = 0;
	sub[nsub].len = len;
	sub[nsub].t = th_now_us;
	nsub++;
	if (answer_at_once) {
		answered_upto = nsub;
		hv_llm_reply(id, 0, answer_at_once, (uint32_t)strlen(answer_at_once), 0);
	}
	return 0;
}

static void fake_cancel(uint32_t id)
{
	assert_true(ncancel < 64);
	cancelled[ncancel++] = id;
}

/* ---- a PixelFS with programs and a data file ------------------------------- */

#define FS_W 256
#define FS_H 256
static uint8_t fs_px[FS_W * FS_H * 4] __attribute__((aligned(8)));
static struct pxfs fs;
static uint8_t fs_bad[PXFS_MAX_FILES];
static uint8_t prog_halt[PXE_HEADER_SIZE + 4];
static uint8_t prog_oracle[PXE_HEADER_SIZE + 64];
static uint32_t prog_oracle_size;
static const char data_text[] = "The quick brown fox jumps over the lazy dog.";

#define E(op, ra, rb, imm) PXVM_ENCODE(PXVM_OP_##op, ra, rb, (imm) & 0xFFFF)

static uint32_t make_pxe(uint8_t *out, const uint32_t *words, uint32_t n)
{
	struct pxe_header h = { PXE_MAGIC, PXE_VERSION, 0, PXVM_IMAGE_BASE, n * 4 };
	memcpy(out, &h, sizeof(h));
	memcpy(out + PXE_HEADER_SIZE, words, n * 4);
	return PXE_HEADER_SIZE + n * 4;
}

/* The userland programs, assembled by the build (HV_TEST_APPS: their directory). */
#ifndef HV_TEST_APPS
#error "build with -DHV_TEST_APPS=\"<build>/userland/apps\""
#endif
#define NAPPS 3
static struct app { const char *file, *fs_path; uint8_t *data; uint32_t size; } apps[NAPPS] = {
	{ "ask.pxe", "/apps/ask", 0, 0 },
	{ "oracle.pxe", "/apps/oracle", 0, 0 },
	{ "organism.pxe", "/apps/organism", 0, 0 },
};

static void load_app(struct app *a)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", HV_TEST_APPS, a->file);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (build the userland first)", path);
	static uint8_t buf[NAPPS][65536];
	size_t n = fread(buf[a - apps], 1, sizeof(buf[0]), f);
	fclose(f);
	assert_true(n > PXE_HEADER_SIZE && n < sizeof(buf[0]));
	a->data = buf[a - apps];
	a->size = (uint32_t)n;
}

/* The question the guest asks lives at 0x0300 (set by the test before it runs). */
static void build_fs(void)
{
	uint32_t halt[] = { E(HALT, 0, 0, 0) };
	make_pxe(prog_halt, halt, 1);
	/* R1 = 0xF000 (IMM32), ARG0 byte 1 = 0x03 (address 0x0300), flag = ORACLE,
	 * then R1 = RESULT's low byte ... exit with it. */
	uint32_t oracle[] = {
		E(IMM32, 1, 0, 0), PXVM_TRAP_FLAG,
		E(IMM8, 2, 0, 3),
		E(STB, 2, 1, 2),
		E(IMM8, 2, 0, PXVM_TRAP_ORACLE),
		E(STB, 2, 1, 0),
		E(LDB, 3, 1, PXVM_TRAP_RESULT - PXVM_TRAP_FLAG),
		E(LDB, 4, 1, 0),               /* the flag, cleared by then */
		E(ADD, 1, 3, 4),               /* R1 = R3 + R4 */
		E(SYSCALL, 0, 0, PXVM_SYS_EXIT),
	};
	prog_oracle_size = make_pxe(prog_oracle, oracle, sizeof(oracle) / 4);
	struct pxfs_input in[3 + NAPPS] = {
		{ "/bin/halt", PXFS_TYPE_PROGRAM, prog_halt, sizeof(prog_halt) },
		{ "/bin/oracle", PXFS_TYPE_PROGRAM, prog_oracle, prog_oracle_size },
		{ "/data/fox.txt", PXFS_TYPE_TEXT, (const uint8_t *)data_text, sizeof(data_text) - 1 },
	};
	for (int i = 0; i < NAPPS; i++) {
		if (!apps[i].data)
			load_app(&apps[i]);
		in[3 + i] = (struct pxfs_input){ apps[i].fs_path, PXFS_TYPE_PROGRAM, apps[i].data, apps[i].size };
	}
	const char *why = 0;
	uint32_t h = pxfs_layout(in, 3 + NAPPS, FS_W);
	assert_true(h > 0 && h <= FS_H);
	assert_int_equal(pxfs_build(in, 3 + NAPPS, FS_W, h, fs_px, &why), 0);
	assert_int_equal(pxfs_mount(&fs, fs_px, FS_W, h, fs_bad, 0, 0), 0);
	assert_int_equal(fs.good, 3 + NAPPS);
}

/* The fake LLM's automatic mode: when set, every submission not yet answered
 * gets auto_reply(index) as its whole answer (0: the answer is an error). */
static const char *(*auto_reply)(int k);
static uint64_t reply_delay_us; /* the fake LLM answers this long after the submission */

static void serve_pending(void)
{
	if (!auto_reply)
		return;
	while (answered_upto < nsub && th_now_us >= sub[answered_upto].t + reply_delay_us) {
		int k = answered_upto++;
		const char *a = auto_reply(k);
		if (a)
			hv_llm_reply(sub[k].id, 0, a, (uint32_t)strlen(a), 0);
		else
			hv_llm_reply(sub[k].id, -PXE_ETIMEDOUT, 0, 0, 0);
	}
}

static int setup(void **state)
{
	(void)state;
	build_fs();
	th_start(0, 0, &fs); /* no screen: every process runs unseen */
	th_tick_us = 0;      /* the clock moves only when a test or an idle wait moves it */
	th_poll_hook = serve_pending;
	th_llm_submit = fake_submit;
	th_llm_cancel = fake_cancel;
	th_no_idle = 0;
	hv_init();
	rng_seed(42);
	th_now_us = 1000;
	submit_error = 0;
	answer_at_once = 0;
	nsub = ncancel = 0;
	answered_upto = 0;
	auto_reply = 0;
	reply_delay_us = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sched_init(&fs, 0); /* gives back every process's memory */
	return 0;
}

/* ---- helpers ---------------------------------------------------------------- */

static struct proc *spawn(void)
{
	int pid = sched_spawn("/bin/halt", 0, 0);
	assert_true(pid > 0);
	struct proc *p = proc_find((uint32_t)pid);
	assert_non_null(p);
	p->state = PROC_RUNNING; /* as the scheduler has it while it runs */
	return p;
}

static uint8_t *bytes(struct proc *p) { return (uint8_t *)p->vm.mem; }

static void put_str(struct proc *p, uint32_t addr, const char *s)
{
	memcpy(bytes(p) + addr, s, strlen(s) + 1);
}

static uint32_t get32(struct proc *p, uint32_t addr)
{
	uint32_t v;
	memcpy(&v, bytes(p) + addr, 4);
	return v;
}

/* trap: what a guest does (ARG0..2, then the flag) and what the scheduler
 * does after the flag store. Returns hv_trap's result (1 = blocked). */
static int trap(struct proc *p, uint8_t type, uint32_t a0, uint32_t a1, uint32_t a2)
{
	memcpy(bytes(p) + PXVM_TRAP_ARG0, &a0, 4);
	memcpy(bytes(p) + PXVM_TRAP_ARG1, &a1, 4);
	memcpy(bytes(p) + PXVM_TRAP_ARG2, &a2, 4);
	memset(bytes(p) + PXVM_TRAP_RESULT, 0xEE, 4);
	bytes(p)[PXVM_TRAP_FLAG] = type;
	int blocked = hv_trap(p);
	if (blocked) {
		assert_int_equal(p->state, PROC_BLOCKED);
		assert_int_equal(p->block, BLOCK_TRAP);
		assert_int_equal(bytes(p)[PXVM_TRAP_FLAG], type); /* still set while it waits */
	} else {
		assert_int_equal(bytes(p)[PXVM_TRAP_FLAG], 0);
	}
	return blocked;
}

/* trap_now: a trap that must be served at once; returns RESULT. */
static int32_t trap_now(struct proc *p, uint8_t type, uint32_t a0, uint32_t a1, uint32_t a2)
{
	assert_int_equal(trap(p, type, a0, a1, a2), 0);
	return (int32_t)get32(p, PXVM_TRAP_RESULT);
}

/* answered: p was woken with the flag cleared; returns RESULT. */
static int32_t answered(struct proc *p)
{
	assert_int_equal(p->state, PROC_RUNNABLE);
	assert_int_equal(bytes(p)[PXVM_TRAP_FLAG], 0);
	return (int32_t)get32(p, PXVM_TRAP_RESULT);
}

static void reply(uint32_t id, const char *text, int more)
{
	hv_llm_reply(id, 0, text, (uint32_t)strlen(text), more);
}

#define LLM_ARG1(model, cap) ((uint32_t)(model) | ((uint32_t)(cap) << 16))

/* ---- the random generator -------------------------------------------------- */

static void test_rng_deterministic(void **state)
{
	(void)state;
	uint64_t a[16], b[16];
	rng_seed(12345);
	for (int i = 0; i < 16; i++)
		a[i] = rng_next64();
	rng_seed(12345);
	for (int i = 0; i < 16; i++)
		b[i] = rng_next64();
	assert_memory_equal(a, b, sizeof(a));
	assert_int_equal(rng_last_seed(), 12345);
	rng_seed(12346);
	int same = 0;
	for (int i = 0; i < 16; i++)
		same += rng_next64() == a[i];
	assert_int_equal(same, 0);
	/* xoshiro256** seeded by SplitMix64(0): its first outputs, computed with an
	 * independent Python model of the published algorithms, pin it down. */
	rng_seed(0);
	assert_true(rng_next64() == 0x99EC5F36CB75F2B4ull);
	assert_true(rng_next64() == 0xBF6E1F784956452Aull);
}

static void test_rng_below_and_uniform(void **state)
{
	(void)state;
	int hist[10] = { 0 };
	for (int i = 0; i < 100000; i++) {
		uint32_t v = rng_below(10);
		assert_true(v < 10);
		hist[v]++;
	}
	for (int i = 0; i < 10; i++)
		assert_true(hist[i] > 9400 && hist[i] < 10600);
	assert_int_equal(rng_below(0), 0);
	assert_int_equal(rng_below(1), 0);
	int64_t sum = 0;
	for (int i = 0; i < 100000; i++) {
		int32_t v = rng_uniform_q16(-5 * RNG_Q16_ONE, 3 * RNG_Q16_ONE);
		assert_true(v >= -5 * RNG_Q16_ONE && v < 3 * RNG_Q16_ONE);
		sum += v;
	}
	int64_t mean = sum / 100000; /* expected -1.0 */
	assert_true(mean > -RNG_Q16_ONE - RNG_Q16_ONE / 50 && mean < -RNG_Q16_ONE + RNG_Q16_ONE / 50);
	assert_int_equal(rng_uniform_q16(7, 7), 7);
	assert_int_equal(rng_uniform_q16(INT32_MIN, INT32_MIN + 1), INT32_MIN);
	/* The widest range works without overflow. */
	for (int i = 0; i < 1000; i++)
		(void)rng_uniform_q16(INT32_MIN, INT32_MAX);
}

static void test_rng_gauss(void **state)
{
	(void)state;
	const int n = 200000;
	int64_t sum = 0, sq = 0, within1 = 0;
	for (int i = 0; i < n; i++) {
		int32_t v = rng_gauss_q16(100 * RNG_Q16_ONE, 10 * RNG_Q16_ONE);
		int64_t d = v - 100 * (int64_t)RNG_Q16_ONE;
		sum += v;
		sq += (d >> 8) * (d >> 8); /* in 8.8 squared: no overflow */
		within1 += d > -10 * RNG_Q16_ONE && d < 10 * RNG_Q16_ONE;
	}
	double mean = (double)sum / n / RNG_Q16_ONE;
	double var = (double)sq / n / 65536.0;
	assert_true(mean > 99.9 && mean < 100.1);
	assert_true(var > 98.0 && var < 102.0); /* std 10 within 1% */
	double f1 = (double)within1 / n;        /* 68.27% within one sigma */
	assert_true(f1 > 0.675 && f1 < 0.690);
	/* std 0 gives the mean; huge values saturate instead of wrapping. */
	assert_int_equal(rng_gauss_q16(12345, 0), 12345);
	int hi = 0, lo = 0;
	for (int i = 0; i < 1000; i++) {
		hi += rng_gauss_q16(INT32_MAX, INT32_MAX) == INT32_MAX; /* z > 0: saturates */
		lo += rng_gauss_q16(INT32_MIN, INT32_MAX) == INT32_MIN;
	}
	assert_true(hi > 400 && hi < 600);
	assert_true(lo > 400 && lo < 600);
}

/* ---- short traps and their argument checks ----------------------------------- */

static void test_unknown_types(void **state)
{
	(void)state;
	struct proc *p = spawn();
	assert_int_equal(trap_now(p, 0x07, 0, 0, 0), -PXE_ENOSYS);
	assert_int_equal(trap_now(p, 0xFF, 0, 0, 0), -PXE_ENOSYS);
	p->vm.r[1] = 0;
	assert_int_equal(hv_syscall(p), 0);
	assert_int_equal((int32_t)p->vm.r[0], -PXE_ENOSYS);
	p->vm.r[1] = 0x102; /* 0x02 in the low byte must not count */
	assert_int_equal(hv_syscall(p), 0);
	assert_int_equal((int32_t)p->vm.r[0], -PXE_ENOSYS);
}

static void test_sample_noise(void **state)
{
	(void)state;
	struct proc *p = spawn();
	const uint8_t T = PXVM_TRAP_SAMPLE_NOISE;
	assert_int_equal(trap_now(p, T, 0, 0, 3), -PXE_EINVAL);
	assert_int_equal(trap_now(p, T, 0, (uint32_t)-1, HV_NOISE_GAUSS), -PXE_EINVAL);
	assert_int_equal(trap_now(p, T, 5, 5, HV_NOISE_UNIFORM), -PXE_EINVAL);
	assert_int_equal(trap_now(p, T, 6, 5, HV_NOISE_UNIFORM), -PXE_EINVAL);
	assert_int_equal(trap_now(p, T, 1, 0, HV_NOISE_BITS), -PXE_EINVAL);
	assert_int_equal(trap_now(p, T, 0, 1, HV_NOISE_BITS), -PXE_EINVAL);
	/* std 0: exactly the mean, in ARG0. */
	assert_int_equal(trap_now(p, T, (uint32_t)(-3 * RNG_Q16_ONE), 0, HV_NOISE_GAUSS), 0);
	assert_int_equal((int32_t)get32(p, PXVM_TRAP_ARG0), -3 * RNG_Q16_ONE);
	int64_t sum = 0;
	for (int i = 0; i < 2000; i++) {
		assert_int_equal(trap_now(p, T, (uint32_t)(-2 * RNG_Q16_ONE), 2 * RNG_Q16_ONE, HV_NOISE_UNIFORM), 0);
		int32_t v = (int32_t)get32(p, PXVM_TRAP_ARG0);
		assert_true(v >= -2 * RNG_Q16_ONE && v < 2 * RNG_Q16_ONE);
		sum += v;
	}
	assert_true(sum / 2000 > -RNG_Q16_ONE / 8 && sum / 2000 < RNG_Q16_ONE / 8);
	/* Samples come from the caller's own stream (pxvm/rng.h): the same
	 * stream gives the same samples; the system's generator is not drawn. */
	struct rng_stream ref;
	rng_stream_seed(&p->vm.rng, 7);
	rng_stream_seed(&ref, 7);
	rng_seed(99);
	assert_int_equal(trap_now(p, T, 0, 0, HV_NOISE_BITS), 0);
	uint32_t first = get32(p, PXVM_TRAP_ARG0);
	assert_int_equal(rng_stream_u32(&ref), first);
	assert_int_equal(trap_now(p, T, -RNG_Q16_ONE, RNG_Q16_ONE, HV_NOISE_UNIFORM), 0);
	assert_int_equal((int32_t)get32(p, PXVM_TRAP_ARG0), rng_stream_range(&ref, -RNG_Q16_ONE, RNG_Q16_ONE));
	assert_int_equal(trap_now(p, T, 0, RNG_Q16_ONE, HV_NOISE_GAUSS), 0);
	assert_int_equal((int32_t)get32(p, PXVM_TRAP_ARG0), rng_stream_gauss_q16(&ref, 0, RNG_Q16_ONE));
	uint64_t sys_next = rng_next64(); /* the system's generator was not drawn by the traps */
	rng_seed(99);
	assert_true(rng_next64() == sys_next);
	/* The system-call form: status in R0, sample in R1. */
	p->vm.r[1] = T;
	p->vm.r[2] = 10 * RNG_Q16_ONE;
	p->vm.r[3] = 0;
	p->vm.r[4] = HV_NOISE_GAUSS;
	assert_int_equal(hv_syscall(p), 0);
	assert_int_equal(p->vm.r[0], 0);
	assert_int_equal(p->vm.r[1], 10 * RNG_Q16_ONE);
	p->vm.r[1] = T; /* R1 now holds the sample */
	p->vm.r[4] = 9;
	assert_int_equal(hv_syscall(p), 0);
	assert_int_equal((int32_t)p->vm.r[0], -PXE_EINVAL);
}

static void test_load_file(void **state)
{
	(void)state;
	struct proc *p = spawn();
	const uint8_t T = PXVM_TRAP_LOAD_FILE;
	const uint32_t n = sizeof(data_text) - 1;
	put_str(p, 0x3000, "/data/fox.txt");
	memset(bytes(p) + 0x4000, 0xAA, 0x100);
	/* By path, fits. */
	assert_int_equal(trap_now(p, T, 0x3000, 0x4000, 0x100), (int32_t)n);
	assert_memory_equal(bytes(p) + 0x4000, data_text, n);
	assert_int_equal(bytes(p)[0x4000 + n], 0xAA); /* nothing past the data */
	/* By id (3: the third file), truncated and flagged. */
	memset(bytes(p) + 0x5000, 0xAA, 0x20);
	assert_int_equal(trap_now(p, T, HV_FILE_BY_ID | 3, 0x5000, 10), (int32_t)(10 | HV_TRUNCATED));
	assert_memory_equal(bytes(p) + 0x5000, data_text, 10);
	assert_int_equal(bytes(p)[0x500A], 0xAA);
	/* Capacity 0 copies nothing and says the file did not fit. */
	assert_int_equal(trap_now(p, T, 0x3000, 0x5000, 0), (int32_t)HV_TRUNCATED);
	/* A buffer ending exactly at the trap page is fine... */
	assert_int_equal(trap_now(p, T, 0x3000, PXVM_TRAP_FLAG - n, n), (int32_t)n);
	/* ...one byte more reaches it. */
	assert_int_equal(trap_now(p, T, 0x3000, PXVM_TRAP_FLAG - n, n + 1), -PXE_EFAULT);
	assert_int_equal(trap_now(p, T, 0x3000, PXVM_TRAP_FLAG, 1), -PXE_EFAULT);
	assert_int_equal(trap_now(p, T, 0x3000, 0xFFFFFFF0u, 0x20), -PXE_EFAULT); /* wraps */
	assert_int_equal(trap_now(p, T, 0x3000, 0, 0xFFFFFFFFu), -PXE_EFAULT);
	assert_int_equal(trap_now(p, T, HV_FILE_BY_ID | 3, 0xEFF0, 0x20), -PXE_EFAULT);
	/* Bad sources. */
	assert_int_equal(trap_now(p, T, 0x10000, 0x4000, 0x10), -PXE_EINVAL);
	assert_int_equal(trap_now(p, T, HV_FILE_BY_ID, 0x4000, 0x10), -PXE_EINVAL);
	assert_int_equal(trap_now(p, T, HV_FILE_BY_ID | 99, 0x4000, 0x10), -PXE_ENOENT);
	put_str(p, 0x3100, "/tmp/none");
	assert_int_equal(trap_now(p, T, 0x3100, 0x4000, 0x10), -PXE_ENOENT);
	/* Files created since boot (RAM) are seen too; a directory is not a file. */
	assert_int_equal(vfs_create("/tmp/none"), 0);
	assert_int_equal(trap_now(p, T, 0x3100, 0x4000, 0x10), 0);
	put_str(p, 0x3180, "/tmp");
	assert_int_equal(trap_now(p, T, 0x3180, 0x4000, 0x10), -PXE_EISDIR);
	/* A relative path names a file in /home. */
	assert_int_equal(vfs_create("/home/notes"), 0);
	put_str(p, 0x3180, "notes");
	assert_int_equal(trap_now(p, T, 0x3180, 0x4000, 0x10), 0);
	put_str(p, 0x3200, "");
	assert_int_equal(trap_now(p, T, 0x3200, 0x4000, 0x10), -PXE_EINVAL);
	memset(bytes(p) + 0x3300, 'a', PXFS_PATH_MAX + 10);
	bytes(p)[0x3300 + PXFS_PATH_MAX + 10] = 0;
	assert_int_equal(trap_now(p, T, 0x3300, 0x4000, 0x10), -PXE_ENAMETOOLONG);
	memset(bytes(p) + 0xFFF0, 'b', 16); /* runs off the end of memory */
	assert_int_equal(trap_now(p, T, 0xFFF0, 0x4000, 0x10), -PXE_EFAULT);
}

/* RUN_PYTHON on a platform built without the Python runtime (this test's):
 * its arguments are checked as on any other, then -ENOSYS, never a pxVM
 * program in its place. tests/unit/test_python.c runs it with the runtime. */
static void test_run_python(void **state)
{
	(void)state;
	struct proc *p = spawn();
	const uint8_t T = PXVM_TRAP_RUN_PYTHON;
	put_str(p, 0x3000, "/bin/halt");
	put_str(p, 0x3100, "one two");
	assert_int_equal(trap_now(p, T, 0x3000, 0x3100, 0), -PXE_ENOSYS);
	assert_int_equal(trap_now(p, T, 0x3000, 0, 0), -PXE_ENOSYS);
	assert_int_equal(trap_now(p, T, 0x3000, 0, 1), -PXE_EINVAL);
	assert_int_equal(trap_now(p, T, 0x10000, 0, 0), -PXE_EINVAL);
	assert_int_equal(trap_now(p, T, HV_FILE_BY_ID, 0, 0), -PXE_EINVAL);
	assert_int_equal(trap_now(p, T, HV_FILE_BY_ID | 999, 0, 0), -PXE_ENOENT);
	memset(bytes(p) + 0xFFF8, 'c', 8);
	assert_int_equal(trap_now(p, T, 0xFFF8, 0, 0), -PXE_EFAULT);
	assert_int_equal(trap_now(p, T, 0x3000, 0xFFF8, 0), -PXE_EFAULT);
	for (uint32_t i = 0; i < NPROC; i++) /* nothing was started */
		assert_false(proc_at(i)->state != PROC_FREE && proc_at(i)->ppid == p->pid);
}

/* ---- LLM and oracle calls ---------------------------------------------------- */

static void test_llm_arguments(void **state)
{
	(void)state;
	struct proc *p = spawn();
	const uint8_t T = PXVM_TRAP_CALL_LLM;
	put_str(p, 0x3000, "hello?");
	assert_int_equal(trap_now(p, T, 0x10000, LLM_ARG1(0, 64), 0x4000), -PXE_EFAULT);
	memset(bytes(p) + 0xFFF0, 'x', 16);
	assert_int_equal(trap_now(p, T, 0xFFF0, LLM_ARG1(0, 64), 0x4000), -PXE_EFAULT);
	put_str(p, 0x3100, "");
	assert_int_equal(trap_now(p, T, 0x3100, LLM_ARG1(0, 64), 0x4000), -PXE_EINVAL);
	memset(bytes(p) + 0x5000, 'p', HV_PROMPT_MAX + 1);
	bytes(p)[0x5000 + HV_PROMPT_MAX + 1] = 0;
	assert_int_equal(trap_now(p, T, 0x5000, LLM_ARG1(0, 64), 0x4000), -PXE_EINVAL);
	assert_int_equal(trap_now(p, T, 0x3000, LLM_ARG1(256, 64), 0x4000), -PXE_EINVAL);
	assert_int_equal(trap_now(p, T, 0x3000, LLM_ARG1(0, 0), 0x4000), -PXE_EINVAL);
	assert_int_equal(trap_now(p, T, 0x3000, LLM_ARG1(0, 2), PXVM_TRAP_FLAG - 1), -PXE_EFAULT);
	assert_int_equal(trap_now(p, T, 0x3000, LLM_ARG1(0, 16), 0xFFFFFFF8u), -PXE_EFAULT);
	assert_int_equal(trap_now(p, T, 0x3000, LLM_ARG1(0, 64), 0xF100), -PXE_EFAULT);
	assert_int_equal(nsub, 0); /* nothing bad was ever submitted */
	const uint8_t O = PXVM_TRAP_ORACLE;
	assert_int_equal(trap_now(p, O, 0x3000, 0, 1), -PXE_EINVAL);
	assert_int_equal(trap_now(p, O, 0x3000, 256, 0), -PXE_EINVAL);
	assert_int_equal(trap_now(p, O, 0x3100, 0, 0), -PXE_EINVAL);
	assert_int_equal(trap_now(p, O, 0xFFF0, 0, 0), -PXE_EFAULT);
	assert_int_equal(nsub, 0);
	/* A prompt of exactly HV_PROMPT_MAX bytes and a buffer ending at 0xF000 pass. */
	bytes(p)[0x5000 + HV_PROMPT_MAX] = 0;
	assert_int_equal(trap(p, T, 0x5000, LLM_ARG1(0, 16), PXVM_TRAP_FLAG - 16), 1);
	assert_int_equal(nsub, 1);
	assert_int_equal(sub[0].len, HV_PROMPT_MAX);
}

static void test_no_bridge(void **state)
{
	(void)state;
	struct proc *p = spawn();
	put_str(p, 0x3000, "is anyone there?");
	submit_error = -PXE_ENOBRIDGE;
	assert_int_equal(trap_now(p, PXVM_TRAP_CALL_LLM, 0x3000, LLM_ARG1(0, 64), 0x4000), -PXE_ENOBRIDGE);
	assert_int_equal(trap_now(p, PXVM_TRAP_ORACLE, 0x3000, 0, 0), -PXE_ENOBRIDGE);
	assert_int_equal(p->state, PROC_RUNNING);
	assert_int_equal(hv_inflight(), 0);
}

/* A platform may answer inside pxhost_llm_submit: the caller gets it at once. */
static void test_llm_answer_during_submit(void **state)
{
	(void)state;
	struct proc *p = spawn();
	put_str(p, 0x3000, "quick?");
	answer_at_once = "instant";
	memcpy(bytes(p) + PXVM_TRAP_RESULT, "\xEE\xEE\xEE\xEE", 4);
	bytes(p)[PXVM_TRAP_ARG0] = 0x00;
	uint32_t a0 = 0x3000, a1 = LLM_ARG1(0, 32), a2 = 0x4000;
	memcpy(bytes(p) + PXVM_TRAP_ARG0, &a0, 4);
	memcpy(bytes(p) + PXVM_TRAP_ARG1, &a1, 4);
	memcpy(bytes(p) + PXVM_TRAP_ARG2, &a2, 4);
	bytes(p)[PXVM_TRAP_FLAG] = PXVM_TRAP_CALL_LLM;
	hv_trap(p);
	assert_int_equal(answered(p), 7);
	assert_string_equal((char *)bytes(p) + 0x4000, "instant");
	assert_int_equal(hv_inflight(), 0);
	/* The same through the system call. */
	p->state = PROC_RUNNING;
	p->vm.r[1] = PXVM_TRAP_ORACLE;
	p->vm.r[2] = 0x3000;
	p->vm.r[3] = 0;
	p->vm.r[4] = 0;
	answer_at_once = "yes";
	hv_syscall(p);
	assert_int_equal(p->state, PROC_RUNNABLE);
	assert_int_equal(p->vm.r[0], 1);
}

static void test_llm_answer_streamed(void **state)
{
	(void)state;
	struct proc *p = spawn();
	put_str(p, 0x3000, "What is pxOS?");
	memset(bytes(p) + 0x4000, 0xAA, 0x80);
	assert_int_equal(trap(p, PXVM_TRAP_CALL_LLM, 0x3000, LLM_ARG1(3, 64), 0x4000), 1);
	assert_int_equal(nsub, 1);
	assert_int_equal(sub[0].kind, PXVM_TRAP_CALL_LLM);
	assert_string_equal(sub[0].model, "3");
	assert_string_equal(sub[0].prompt, "What is pxOS?");
	assert_int_equal(hv_inflight(), 1);
	reply(sub[0].id, "An OS ", 1);
	assert_int_equal(p->state, PROC_BLOCKED);
	reply(sub[0].id, "in pixels.", 1);
	reply(sub[0].id, "", 0);
	assert_int_equal(answered(p), 16);
	assert_string_equal((char *)bytes(p) + 0x4000, "An OS in pixels.");
	assert_int_equal(bytes(p)[0x4011], 0xAA);
	assert_int_equal(hv_inflight(), 0);
	/* A reply for a finished request changes nothing. */
	reply(sub[0].id, "late", 0);
	assert_string_equal((char *)bytes(p) + 0x4000, "An OS in pixels.");
}

static void test_llm_truncated(void **state)
{
	(void)state;
	struct proc *p = spawn();
	put_str(p, 0x3000, "Tell me a long story.");
	memset(bytes(p) + 0x4000, 0xAA, 0x40);
	assert_int_equal(trap(p, PXVM_TRAP_CALL_LLM, 0x3000, LLM_ARG1(0, 8), 0x4000), 1);
	reply(sub[0].id, "Once upon", 1);
	reply(sub[0].id, " a time there was a kernel.", 0);
	assert_int_equal(answered(p), (int32_t)(7 | HV_TRUNCATED));
	assert_string_equal((char *)bytes(p) + 0x4000, "Once up");
	assert_int_equal(bytes(p)[0x4008], 0xAA); /* nothing past the 8-byte buffer */
	/* Capacity 1: only the NUL fits. */
	p->state = PROC_RUNNING;
	assert_int_equal(trap(p, PXVM_TRAP_CALL_LLM, 0x3000, LLM_ARG1(0, 1), 0x4010), 1);
	reply(sub[1].id, "x", 0);
	assert_int_equal(answered(p), (int32_t)HV_TRUNCATED);
	assert_int_equal(bytes(p)[0x4010], 0);
	assert_int_equal(bytes(p)[0x4011], 0xAA);
	/* An empty answer is length 0, not truncated. */
	p->state = PROC_RUNNING;
	assert_int_equal(trap(p, PXVM_TRAP_CALL_LLM, 0x3000, LLM_ARG1(0, 4), 0x4020), 1);
	reply(sub[2].id, "", 0);
	assert_int_equal(answered(p), 0);
}

static void test_llm_error_status(void **state)
{
	(void)state;
	struct proc *p = spawn();
	put_str(p, 0x3000, "q");
	assert_int_equal(trap(p, PXVM_TRAP_CALL_LLM, 0x3000, LLM_ARG1(0, 16), 0x4000), 1);
	hv_llm_reply(sub[0].id, -PXE_EIO, 0, 0, 0);
	assert_int_equal(answered(p), -PXE_EIO);
	p->state = PROC_RUNNING;
	assert_int_equal(trap(p, PXVM_TRAP_CALL_LLM, 0x3000, LLM_ARG1(0, 16), 0x4000), 1);
	hv_llm_reply(sub[1].id, -99999, 0, 0, 0); /* not an error code: reported as IO */
	assert_int_equal(answered(p), -PXE_EIO);
}

static void test_oracle_answers(void **state)
{
	(void)state;
	static const struct { const char *parts[3]; int32_t want; } cases[] = {
		{ { "Yes.", 0, 0 }, 1 },
		{ { "  no", 0, 0 }, 0 },
		{ { "**YES** because", 0, 0 }, 1 },
		{ { "\"No\", I think", 0, 0 }, 0 },
		{ { "Y", "es", 0 }, 1 },
		{ { "true", 0, 0 }, 1 },
		{ { "False!", 0, 0 }, 0 },
		{ { "maybe", 0, 0 }, -PXE_EIO },
		{ { "Nope", 0, 0 }, -PXE_EIO },
		{ { "yesterday", 0, 0 }, -PXE_EIO },
		{ { "[offline] no model", 0, 0 }, -PXE_EIO },
		{ { "", 0, 0 }, -PXE_EIO },
	};
	struct proc *p = spawn();
	put_str(p, 0x3000, "Should we cooperate?");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p->state = PROC_RUNNING;
		assert_int_equal(trap(p, PXVM_TRAP_ORACLE, 0x3000, 2, 0), 1);
		int k = nsub - 1;
		assert_int_equal(sub[k].kind, PXVM_TRAP_ORACLE);
		assert_string_equal(sub[k].model, "2");
		assert_non_null(strstr(sub[k].prompt, "yes or no"));
		assert_non_null(strstr(sub[k].prompt, "Should we cooperate?"));
		for (int j = 0; j < 3 && cases[i].parts[j]; j++)
			reply(sub[k].id, cases[i].parts[j], 1);
		reply(sub[k].id, "", 0);
		if (answered(p) != cases[i].want)
			fail_msg("oracle answer %zu: got %d, want %d", i, (int)get32(p, PXVM_TRAP_RESULT), cases[i].want);
	}
}

static void test_many_in_flight(void **state)
{
	(void)state;
	struct proc *ps[HV_INFLIGHT_MAX + 1];
	for (int i = 0; i <= HV_INFLIGHT_MAX; i++) {
		ps[i] = spawn();
		char q[32];
		snprintf(q, sizeof(q), "question %d", i);
		put_str(ps[i], 0x3000, q);
	}
	for (int i = 0; i < HV_INFLIGHT_MAX; i++)
		assert_int_equal(trap(ps[i], PXVM_TRAP_CALL_LLM, 0x3000, LLM_ARG1(0, 64), 0x4000), 1);
	assert_int_equal(hv_inflight(), HV_INFLIGHT_MAX);
	/* One more is refused at once, and nothing is submitted for it. */
	assert_int_equal(trap_now(ps[HV_INFLIGHT_MAX], PXVM_TRAP_CALL_LLM, 0x3000, LLM_ARG1(0, 64), 0x4000),
	                 -PXE_EBUSY);
	assert_int_equal(nsub, HV_INFLIGHT_MAX);
	/* Answers in reverse order each reach their own process. */
	for (int i = HV_INFLIGHT_MAX - 1; i >= 0; i--) {
		char a[32];
		snprintf(a, sizeof(a), "answer to %.20s", sub[i].prompt); /* prompts: "question N" */
		reply(sub[i].id, a, 0);
		for (int j = 0; j < HV_INFLIGHT_MAX; j++)
			assert_int_equal(ps[j]->state, j >= i ? PROC_RUNNABLE : PROC_BLOCKED);
	}
	for (int i = 0; i < HV_INFLIGHT_MAX; i++) {
		char want[48];
		snprintf(want, sizeof(want), "answer to question %d", i);
		assert_string_equal((char *)bytes(ps[i]) + 0x4000, want);
	}
	/* A slot is free again. */
	ps[HV_INFLIGHT_MAX]->state = PROC_RUNNING;
	assert_int_equal(trap(ps[HV_INFLIGHT_MAX], PXVM_TRAP_CALL_LLM, 0x3000, LLM_ARG1(0, 64), 0x4000), 1);
}

static void test_timeout(void **state)
{
	(void)state;
	struct proc *p = spawn();
	put_str(p, 0x3000, "slow question");
	assert_int_equal(trap(p, PXVM_TRAP_CALL_LLM, 0x3000, LLM_ARG1(0, 64), 0x4000), 1);
	uint64_t deadline = th_now_us + (uint64_t)HV_LLM_TIMEOUT_MS * 1000;
	assert_true(hv_next_deadline() == deadline);
	hv_poll(deadline - 1);
	assert_int_equal(p->state, PROC_BLOCKED);
	hv_poll(deadline);
	assert_int_equal(answered(p), -PXE_ETIMEDOUT);
	assert_int_equal(ncancel, 1);
	assert_int_equal(cancelled[0], sub[0].id);
	assert_int_equal(hv_inflight(), 0);
	assert_true(hv_next_deadline() == 0);
	/* The answer arriving after the timeout is dropped. */
	memset(bytes(p) + 0x4000, 0xAA, 8);
	reply(sub[0].id, "too late", 0);
	assert_int_equal(bytes(p)[0x4000], 0xAA);
	struct hv_stats st;
	hv_get_stats(&st);
	assert_int_equal(st.timedout, 1);
}

static void test_keepalive(void **state)
{
	(void)state;
	struct proc *p = spawn();
	put_str(p, 0x3000, "think hard");
	assert_int_equal(trap(p, PXVM_TRAP_CALL_LLM, 0x3000, LLM_ARG1(0, 64), 0x4000), 1);
	uint64_t t0 = th_now_us, to = (uint64_t)HV_LLM_TIMEOUT_MS * 1000;
	th_now_us = t0 + to / 2;
	hv_llm_alive(sub[0].id);
	th_now_us = t0 + to + 1;
	hv_poll(th_now_us);
	assert_int_equal(p->state, PROC_BLOCKED); /* kept alive past the first deadline */
	/* A streamed part counts as a sign of life too. */
	th_now_us = t0 + to + to / 2;
	reply(sub[0].id, "hmm", 1);
	th_now_us = t0 + 2 * to + 1;
	hv_poll(th_now_us);
	assert_int_equal(p->state, PROC_BLOCKED);
	/* Keep-alives cannot stretch a call past HV_LLM_MAX_MS. */
	uint64_t max = t0 + (uint64_t)HV_LLM_MAX_MS * 1000;
	while (th_now_us + to / 2 < max) {
		th_now_us += to / 2;
		hv_llm_alive(sub[0].id);
		hv_poll(th_now_us);
		assert_int_equal(p->state, PROC_BLOCKED);
	}
	hv_poll(max);
	assert_int_equal(answered(p), -PXE_ETIMEDOUT);
	/* Unknown ids are ignored. */
	hv_llm_alive(12345);
	hv_llm_alive(0);
}

static void test_process_gone(void **state)
{
	(void)state;
	struct proc *a = spawn(), *b = spawn();
	put_str(a, 0x3000, "from a");
	put_str(b, 0x3000, "from b");
	assert_int_equal(trap(a, PXVM_TRAP_CALL_LLM, 0x3000, LLM_ARG1(0, 64), 0x4000), 1);
	assert_int_equal(trap(b, PXVM_TRAP_ORACLE, 0x3000, 0, 0), 1);
	uint32_t ida = sub[0].id, idb = sub[1].id;
	/* a is killed mid-call: its request is cancelled on the platform. */
	hv_proc_gone(a);
	sched_exit(a, PXVM_STATUS_KILLED);
	assert_int_equal(ncancel, 1);
	assert_int_equal(cancelled[0], ida);
	assert_int_equal(hv_inflight(), 1);
	reply(ida, "nobody listens", 0); /* harmless */
	/* b is untouched and still gets its answer. */
	assert_int_equal(b->state, PROC_BLOCKED);
	reply(idb, "yes", 0);
	assert_int_equal(answered(b), 1);
	struct hv_stats st;
	hv_get_stats(&st);
	assert_int_equal(st.cancelled, 1);
	assert_int_equal(st.answered, 1);
}

/* ---- LLM_CHAT: conversations (hv_llm_call for Python, the trap for pxVM) -------- */

static uint8_t conv[HV_CHAT_MAX + 64];

/* conversation: "" or a system id, then turns "u:text" / "a:text". */
static uint32_t conversation(const char *system, int n, const char *const *turns)
{
	size_t at = frame_chat_begin(conv, sizeof conv, system);
	for (int i = 0; i < n; i++)
		at = frame_chat_turn(conv, sizeof conv, at, turns[i][0] == 'u' ? FRAME_ROLE_USER : FRAME_ROLE_ASSISTANT,
		                     turns[i] + 2, strlen(turns[i] + 2));
	assert_true(at > 0);
	return (uint32_t)at;
}

static void file_is(const char *path, const char *want)
{
	struct vfs_file f;
	assert_int_equal(vfs_lookup(path, &f), 0);
	assert_int_equal(f.size, strlen(want));
	assert_memory_equal(f.data, want, f.size);
}

static void test_native_chat(void **state)
{
	(void)state;
	struct proc *p = spawn();
	static const char *const turns[] = { "u:write it", "a:FOO", "u:errors" };
	char keep[64];
	memset(keep, 'X', sizeof keep);
	struct hv_call c = { .kind = PXVM_TRAP_LLM_CHAT, .model = 2, .max_tokens = 99, .reply_path = "r.txt",
	                     .reply = keep, .reply_cap = 16 };
	c.body = (const char *)conv;
	c.len = conversation("", 3, turns);
	int32_t r = 0x7777;
	assert_int_equal(hv_llm_call(p, &c, &r), 1);
	assert_int_equal(p->state, PROC_BLOCKED);
	assert_int_equal(sub[0].kind, PXVM_TRAP_LLM_CHAT);
	assert_string_equal(sub[0].model, "2");
	assert_int_equal(th_llm_max_tokens, 99);
	assert_int_equal(sub[0].len, c.len);
	assert_memory_equal(sub[0].prompt, conv, c.len);
	file_is("/home/r.txt", ""); /* created at the start */
	reply(sub[0].id, "hello ", 1);
	assert_memory_equal(keep, "hello ", 6);
	file_is("/home/r.txt", "hello ");
	reply(sub[0].id, "world, and more", 0);
	/* 15 bytes kept (room for the NUL), TRUNCATED; the file has the same. */
	assert_int_equal(answered(p), (int32_t)(HV_TRUNCATED | 15));
	assert_string_equal(keep, "hello world, an");
	assert_int_equal(keep[16], 'X');
	file_is("/home/r.txt", "hello world, an");

	/* Refused at once: nothing submitted. */
	p->state = PROC_RUNNING;
	static const char *const asst_last[] = { "u:x", "a:y" };
	c.len = conversation("", 2, asst_last);
	assert_int_equal(hv_llm_call(p, &c, &r), 0);
	assert_int_equal(r, -PXE_EINVAL);
	static const char *const one[] = { "u:x" };
	c.len = conversation("nosuch", 1, one);
	assert_int_equal(hv_llm_call(p, &c, &r), 0);
	assert_int_equal(r, -PXE_ENOENT); /* no /lib/llm/nosuch.txt */
	c.len = conversation("", 1, one);
	c.max_tokens = HV_MAX_TOKENS + 1;
	assert_int_equal(hv_llm_call(p, &c, &r), 0);
	assert_int_equal(r, -PXE_EINVAL);
	c.max_tokens = 0;
	c.reply_path = "/data/x.txt";
	assert_int_equal(hv_llm_call(p, &c, &r), 0);
	assert_int_equal(r, -PXE_EROFS);
	c.reply_path = 0;
	c.len = HV_CHAT_MAX + 1;
	assert_int_equal(hv_llm_call(p, &c, &r), 0);
	assert_int_equal(r, -PXE_ENOSPC);
	assert_int_equal(nsub, 1);
}

/* A caller woken otherwise (Ctrl-C) or killed: nothing is written for it any
 * more, its call is cancelled, the conversation's block is freed. */
static void test_native_chat_abandoned(void **state)
{
	(void)state;
	struct proc *p = spawn();
	static const char *const one[] = { "u:x" };
	char keep[32] = "";
	struct hv_call c = { .kind = PXVM_TRAP_LLM_CHAT, .reply = keep, .reply_cap = sizeof keep };
	c.body = (const char *)conv;
	c.len = conversation("", 1, one);
	long allocs = th_live_allocs;
	int32_t r;
	assert_int_equal(hv_llm_call(p, &c, &r), 1);
	assert_int_equal(th_live_allocs, allocs + 1); /* the conversation's block */
	proc_wake(p); /* as Ctrl-C would */
	reply(sub[0].id, "late", 1);
	assert_string_equal(keep, "");
	assert_int_equal(ncancel, 1);
	assert_int_equal(hv_inflight(), 0);
	assert_int_equal(th_live_allocs, allocs);
	/* A second call of the same process replaces a first one still in flight. */
	p->state = PROC_RUNNING;
	assert_int_equal(hv_llm_call(p, &c, &r), 1);
	p->state = PROC_RUNNING;
	assert_int_equal(hv_llm_call(p, &c, &r), 1);
	assert_int_equal(hv_inflight(), 1);
	assert_int_equal(ncancel, 2);
	assert_int_equal(th_live_allocs, allocs + 1);
	/* Killed: cancelled and freed. */
	hv_proc_gone(p);
	assert_int_equal(hv_inflight(), 0);
	assert_int_equal(th_live_allocs, allocs);
	assert_int_equal(ncancel, 3);
}

/* The pxVM trap: a chat file, the reply streamed into a file, cut at
 * HV_CHAT_REPLY_MAX and flagged. */
static void test_chat_trap(void **state)
{
	(void)state;
	struct proc *p = spawn();
	static const char chat[] = "@@user\nline one\nline two\n@@assistant\nok\n@@user\nthe errors\n";
	assert_int_equal(vfs_put_new("/tmp/c.txt", chat, sizeof chat - 1), 0);
	put_str(p, 0x3000, "/tmp/c.txt");
	put_str(p, 0x3100, "out.txt");
	assert_int_equal(trap(p, PXVM_TRAP_LLM_CHAT, 0x3000, 0x3100, 5 | 7u << HV_CHAT_MODEL_SHIFT), 1);
	assert_string_equal(sub[0].model, "7");
	assert_int_equal(th_llm_max_tokens, 5);
	struct frame_chat fc;
	assert_int_equal(frame_chat_parse((const uint8_t *)sub[0].prompt, sub[0].len, &fc), 0);
	assert_int_equal(fc.turns, 3);
	uint8_t role;
	const uint8_t *t;
	uint32_t len;
	assert_int_equal(frame_chat_next(&fc, &role, &t, &len), 1);
	assert_true(role == FRAME_ROLE_USER && len == 17 && !memcmp(t, "line one\nline two", 17));
	assert_int_equal(frame_chat_next(&fc, &role, &t, &len), 1);
	assert_true(role == FRAME_ROLE_ASSISTANT && len == 2);
	assert_int_equal(frame_chat_next(&fc, &role, &t, &len), 1);
	assert_true(len == 10 && !memcmp(t, "the errors", 10));
	static char big[1000];
	memset(big, 'z', sizeof big);
	big[sizeof big - 1] = 0;
	for (int i = 0; i < 40; i++)
		reply(sub[0].id, big, 1); /* 39960 bytes */
	reply(sub[0].id, "", 0);
	assert_int_equal(answered(p), (int32_t)(HV_TRUNCATED | HV_CHAT_REPLY_MAX));
	struct vfs_file f;
	assert_int_equal(vfs_lookup("/home/out.txt", &f), 0);
	assert_int_equal(f.size, HV_CHAT_REPLY_MAX);
	/* Malformed chat files. */
	static const struct { const char *text; int32_t err; } bad[] = {
		{ "text first\n@@user\nx\n", -PXE_EINVAL },
		{ "@@user\nx\n@@assistant\ny\n", -PXE_EINVAL },
		{ "@@user\nx\n@@system pxasm\n@@user\ny\n", -PXE_EINVAL },
		{ "", -PXE_EINVAL },
		{ "@@system nosuch\n@@user\nx\n", -PXE_ENOENT },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		p->state = PROC_RUNNING;
		vfs_unlink("/tmp/c.txt");
		assert_int_equal(vfs_put_new("/tmp/c.txt", bad[i].text, (uint32_t)strlen(bad[i].text)), 0);
		assert_int_equal(trap_now(p, PXVM_TRAP_LLM_CHAT, 0x3000, 0x3100, 0), bad[i].err);
	}
	/* A last line without its line end, CR LF lines, an empty turn. */
	static const char crlf[] = "\r\n@@user\r\n@@assistant\r\nok\r\n@@user\r\nno line end";
	p->state = PROC_RUNNING;
	vfs_unlink("/tmp/c.txt");
	assert_int_equal(vfs_put_new("/tmp/c.txt", crlf, sizeof crlf - 1), 0);
	assert_int_equal(trap(p, PXVM_TRAP_LLM_CHAT, 0x3000, 0x3100, 0), 1);
	assert_int_equal(frame_chat_parse((const uint8_t *)sub[1].prompt, sub[1].len, &fc), 0);
	assert_int_equal(fc.turns, 3);
	assert_true(fc.last_user_len == 11 && !memcmp(fc.last_user, "no line end", 11));
	assert_int_equal(frame_chat_next(&fc, &role, &t, &len), 1);
	assert_true(role == FRAME_ROLE_USER && len == 0);
	assert_int_equal(frame_chat_next(&fc, &role, &t, &len), 1);
	assert_true(role == FRAME_ROLE_ASSISTANT && len == 2 && !memcmp(t, "ok", 2));
	reply(sub[1].id, "", 0);
	assert_int_equal(answered(p), 0);
	p->state = PROC_RUNNING;
	assert_int_equal(trap_now(p, PXVM_TRAP_LLM_CHAT, 0x3000, 0x3100, HV_MAX_TOKENS + 1), -PXE_EINVAL);
	put_str(p, 0x3000, "/tmp/none.txt");
	assert_int_equal(trap_now(p, PXVM_TRAP_LLM_CHAT, 0x3000, 0x3100, 0), -PXE_ENOENT);
	assert_int_equal(trap_now(p, PXVM_TRAP_LLM_CHAT, 0x10000, 0x3100, 0), -PXE_EFAULT);
	assert_int_equal(nsub, 2);
}

static void test_syscall_llm(void **state)
{
	(void)state;
	struct proc *p = spawn();
	put_str(p, 0x3000, "via syscall");
	p->vm.r[1] = PXVM_TRAP_CALL_LLM;
	p->vm.r[2] = 0x3000;
	p->vm.r[3] = LLM_ARG1(1, 32);
	p->vm.r[4] = 0x4000;
	assert_int_equal(hv_syscall(p), 1);
	assert_int_equal(p->state, PROC_BLOCKED);
	assert_int_equal(bytes(p)[PXVM_TRAP_FLAG], 0); /* the trap page is not used */
	reply(sub[0].id, "ok", 0);
	assert_int_equal(p->state, PROC_RUNNABLE);
	assert_int_equal(p->vm.r[0], 2);
	assert_string_equal((char *)bytes(p) + 0x4000, "ok");
	p->state = PROC_RUNNING;
	p->vm.r[4] = 0xF000;
	assert_int_equal(hv_syscall(p), 0);
	assert_int_equal((int32_t)p->vm.r[0], -PXE_EFAULT);
}

/* A real guest: its STB to TRAP_FLAG raises the trap in pxvm_run, the
 * scheduler blocks it, others could run; the oracle's "yes" wakes it and it
 * exits with RESULT + the flag it read back (1 + 0). */
static void test_guest_oracle_end_to_end(void **state)
{
	(void)state;
	th_no_idle = 1; /* the test answers (or times out) the call itself */
	int pid = sched_spawn("/bin/oracle", 0, 0);
	assert_true(pid > 0);
	struct proc *p = proc_find((uint32_t)pid);
	put_str(p, 0x0300, "Is the sky blue?");
	int other = sched_spawn("/bin/halt", 0, 0);
	assert_true(other > 0);
	assert_int_equal(sched_run(0), 1); /* the halt program ran to its end; the guest waits */
	assert_null(proc_find((uint32_t)other));
	assert_int_equal(p->state, PROC_BLOCKED);
	assert_int_equal(p->block, BLOCK_TRAP);
	assert_int_equal(nsub, 1);
	assert_non_null(strstr(sub[0].prompt, "Is the sky blue?"));
	reply(sub[0].id, "Yes", 0);
	assert_int_equal(p->state, PROC_RUNNABLE);
	assert_int_equal(sched_run(0), 0);
	uint32_t status;
	assert_int_equal(sched_reaped_status((uint32_t)pid, &status), 0);
	assert_int_equal(status, 1);
}


/* ---- the guest programs (userland/apps), with the fake LLM --------------- */

/* run_program: spawn `path` with `args`, run the scheduler until it has
 * ended, answering LLM calls (serve_pending) between runs. Returns its exit
 * status. */
static uint32_t run_program(const char *path, const char *args)
{
	int pid = sched_spawn(path, args, 0);
	assert_true(pid > 0);
	for (int rounds = 0; rounds < 100000 && proc_find((uint32_t)pid); rounds++) {
		sched_run(2000000);
		serve_pending();
		hv_poll(th_now_us);
		if (!auto_reply && proc_find((uint32_t)pid) && proc_find((uint32_t)pid)->state == PROC_BLOCKED &&
		    answered_upto == nsub)
			break; /* waits for an answer the test gives itself */
	}
	uint32_t status = 0xFFFF;
	if (!proc_find((uint32_t)pid))
		assert_int_equal(sched_reaped_status((uint32_t)pid, &status), 0);
	return status;
}

static const char *reply_pixels(int k) { (void)k; return "pxOS is an operating system whose processes live in pixels."; }

static void test_ask_answer(void **state)
{
	(void)state;
	auto_reply = reply_pixels;
	assert_int_equal(run_program("/apps/ask", "what is pxOS?"), 0);
	assert_int_equal(nsub, 1);
	assert_int_equal(sub[0].kind, PXVM_TRAP_CALL_LLM);
	assert_string_equal(sub[0].model, "0");
	assert_string_equal(sub[0].prompt, "what is pxOS?");
	assert_string_equal(th_stdout, "pxOS is an operating system whose processes live in pixels.\n");
	assert_string_equal(th_stderr, "");
}

static void test_ask_streamed_by_hand(void **state)
{
	(void)state;
	th_no_idle = 1; /* the test answers (or times out) the call itself */
	int pid = sched_spawn("/apps/ask", "two words", 0);
	assert_true(pid > 0);
	sched_run(0);
	struct proc *p = proc_find((uint32_t)pid);
	assert_non_null(p);
	assert_int_equal(p->state, PROC_BLOCKED);
	assert_int_equal(p->block, BLOCK_TRAP);
	assert_int_equal(nsub, 1);
	reply(sub[0].id, "Hello ", 1);
	hv_llm_alive(sub[0].id);
	reply(sub[0].id, "from the bridge.", 0);
	sched_run(0);
	uint32_t status;
	assert_int_equal(sched_reaped_status((uint32_t)pid, &status), 0);
	assert_int_equal(status, 0);
	assert_string_equal(th_stdout, "Hello from the bridge.\n");
}

static void test_ask_no_bridge(void **state)
{
	(void)state;
	submit_error = -PXE_ENOBRIDGE;
	assert_int_equal(run_program("/apps/ask", "anyone?"), 1);
	assert_string_equal(th_stdout, "");
	assert_string_equal(th_stderr, "ask: no host bridge on the serial line\n");
}

static const char *reply_long(int k)
{
	(void)k;
	static char big[6000];
	for (size_t i = 0; i < sizeof(big) - 1; i++)
		big[i] = (char)('a' + i % 26);
	big[sizeof(big) - 1] = 0;
	return big;
}

static void test_ask_truncated(void **state)
{
	(void)state;
	auto_reply = reply_long;
	assert_int_equal(run_program("/apps/ask", "tell me everything"), 0);
	/* ask's buffer is 4096 bytes: 4095 characters and the NUL. */
	assert_int_equal(th_stdout_len, 4095 + 1);
	assert_memory_equal(th_stdout, reply_long(0), 4095);
	assert_non_null(strstr(th_stderr, "truncated"));
}

static void test_ask_timeout(void **state)
{
	(void)state;
	th_no_idle = 1; /* the test answers (or times out) the call itself */
	int pid = sched_spawn("/apps/ask", "slow", 0);
	sched_run(0);
	assert_int_equal(nsub, 1);
	th_now_us += (uint64_t)HV_LLM_TIMEOUT_MS * 1000;
	hv_poll(th_now_us);
	sched_run(0);
	uint32_t status;
	assert_int_equal(sched_reaped_status((uint32_t)pid, &status), 0);
	assert_int_equal(status, 1);
	assert_string_equal(th_stderr, "ask: timed out\n");
}

/* Nobody answers and nothing else is runnable: the scheduler's idle wait
 * lasts until the call's deadline, and the call ends with ETIMEDOUT. */
static void test_lost_answer_times_out_in_scheduler(void **state)
{
	(void)state;
	uint64_t t0 = th_now_us;
	int pid = sched_spawn("/apps/ask", "anyone?", 0);
	assert_true(pid > 0);
	sched_run(0);
	uint32_t status;
	assert_int_equal(sched_reaped_status((uint32_t)pid, &status), 0);
	assert_int_equal(status, 1);
	assert_string_equal(th_stderr, "ask: timed out\n");
	assert_true(th_now_us - t0 >= (uint64_t)HV_LLM_TIMEOUT_MS * 1000);
	assert_int_equal(ncancel, 1);
}

static const char *reply_oracle(int k)
{
	static const char *const a[] = { "Yes.", "No, it is not.", "It depends." };
	return a[k % 3];
}

static void test_oracle_demo(void **state)
{
	(void)state;
	auto_reply = reply_oracle;
	/* One question of three gets no yes/no answer: exit status 1. */
	assert_int_equal(run_program("/apps/oracle", 0), 1);
	assert_int_equal(nsub, 3);
	for (int k = 0; k < 3; k++)
		assert_int_equal(sub[k].kind, PXVM_TRAP_ORACLE);
	assert_non_null(strstr(th_stdout, "sample mean 6")); /* 2000 samples of N(64, 14): 63..65 */
	assert_non_null(strstr(th_stdout, "Is 7 a prime number? -> yes\n"));
	assert_non_null(strstr(th_stdout, "Is the Earth flat? -> no\n"));
	assert_non_null(strstr(th_stdout, "-> no answer: input/output error (bridge or device)\n"));
	/* A question from the arguments. */
	th_out_clear();
	auto_reply = reply_oracle; /* k = 3: "Yes." */
	assert_int_equal(run_program("/apps/oracle", "Is this a test?"), 0);
	assert_string_equal(sub[3].prompt + strlen(sub[3].prompt) - strlen("Is this a test?"), "Is this a test?");
}

static const char *reply_coop(int k) { return k % 2 ? "no" : "yes"; }

static void test_organism(void **state)
{
	(void)state;
	auto_reply = reply_coop;
	reply_delay_us = 1000000; /* the oracle takes a second to answer */
	uint64_t t0 = th_now_us;
	assert_int_equal(run_program("/apps/organism", "300"), 0);
	uint64_t elapsed = th_now_us - t0;
	unsigned frames, meetings, coop, comp, by_oracle, by_coin;
	const char *line = strstr(th_stdout, "organism: ");
	assert_non_null(line);
	assert_int_equal(sscanf(line, "organism: %u frames, %u meetings: %u cooperated, %u competed; "
	                              "decided by the oracle %u, by a coin %u",
	                        &frames, &meetings, &coop, &comp, &by_oracle, &by_coin), 6);
	assert_int_equal(frames, 300);
	assert_true(meetings > 0);
	assert_int_equal(coop + comp, by_oracle + by_coin);
	if (strstr(th_stderr, "FORK is not available")) {
		/* A system without FORK: coin flips, no oracle calls at all. */
		assert_int_equal(nsub, 0);
		assert_int_equal(by_oracle, 0);
	} else {
		/* Every meeting went to the oracle through a forked asker, and
		 * every answer (all of them yes or no) was used. */
		assert_true(nsub > 0);
		assert_int_equal(by_coin, 0);
		assert_true(by_oracle > 0 && by_oracle <= (unsigned)nsub);
		assert_non_null(strstr(sub[0].prompt, "Should they cooperate"));
		/* It kept animating while the askers waited: 300 frames of 40 ms
		 * took 12 s of (virtual) time, not 12 s plus a second per answer. */
		assert_true(by_oracle >= 4);
		assert_true(elapsed >= 300 * 40000ull);
		assert_true(elapsed < 300 * 40000ull + 2000000ull);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rng_deterministic),
		cmocka_unit_test(test_rng_below_and_uniform),
		cmocka_unit_test(test_rng_gauss),
		cmocka_unit_test_setup_teardown(test_unknown_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sample_noise, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_python, setup, teardown),
		cmocka_unit_test_setup_teardown(test_llm_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_bridge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_llm_answer_during_submit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_llm_answer_streamed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_llm_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_llm_error_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oracle_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_in_flight, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keepalive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_process_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syscall_llm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_native_chat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_native_chat_abandoned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chat_trap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_oracle_end_to_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ask_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ask_streamed_by_hand, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ask_no_bridge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ask_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ask_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_answer_times_out_in_scheduler, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oracle_demo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_organism, setup, teardown),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
