/*
 * test_snap.c — snapshots of the process core (pxvm/snap.h, pxvm/snapfmt.h):
 *
 *  - the determinism property: N instructions, snapshot, a fresh machine
 *    resumed from it, M more instructions give the same state, byte for byte,
 *    and the same output as N + M straight through, for random programs
 *    (arithmetic, memory, system calls: files, IPC, canvas, sleep, time,
 *    fork, faults) on a screen with fewer slots than processes and with none;
 *  - a resume on another screen size goes on with the same output;
 *  - rebased sleeps, LLM calls in flight failing with -EIO;
 *  - every damaged, truncated, newer or hostile state, chunk and PNG refused
 *    with a reason and nothing changed.
 * On the one test platform (sched_testhost.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "sched_testhost.h"
#include "pxvm/sched.h"
#include "pxvm/snap.h"
#include "pxvm/crc32.h"
#include "pxvm/hv.h"
#include "pxvm/rng.h"
#include "pxvm/vfs.h"
#include "pxvm/view.h"
#include "pxvm/tty.h"

/* ---- random programs ------------------------------------------------------------- */

static uint64_t rs;
static uint32_t rnd(uint32_t n)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return n ? (uint32_t)(rs % n) : 0;
}

#define R(x) (1 + rnd(5)) /* R1..R5 */

/* gen: a random program: a loop of random instructions over R1..R5 with R6
 * pointing at its data, that HALTs after `iters` rounds; with `wild`, raw
 * random words too (they may fault). Returns a malloc'd source. */
static char *gen(uint32_t iters, int wild)
{
	size_t cap = 1 << 16, n = 0;
	char *s = malloc(cap);
#define OUT(...) (n += (size_t)snprintf(s + n, cap - n, __VA_ARGS__))
	OUT(".include \"pxos.inc\"\n_start:\n IMM32 R6, 0x8000\n");
	if (rnd(3) == 0)
		OUT(" SYSCALL SYS_FORK\n");
	OUT("top:\n");
	uint32_t len = 8 + rnd(24), printed = 0;
	static const char *const alu[] = { "ADD", "SUB", "MUL", "XOR", "AND", "OR", "SHL", "SHR", "SAR", "SLTU" };
	for (uint32_t i = 0; i < len; i++) {
		switch (rnd(wild ? 17 : 16)) {
		case 0: case 1: case 2: case 3:
			OUT(" %s R%u, R%u, R%u\n", alu[rnd(10)], R(), R(), R());
			break;
		case 4:
			OUT(" ADDI R%u, R%u, %u\n", R(), R(), rnd(1000));
			break;
		case 5:
			OUT(" IMM32 R%u, 0x%x\n", R(), (uint32_t)rs);
			break;
		case 6:
			OUT(" STW R%u, [R6 + %u]\n", R(), 4 * rnd(256));
			break;
		case 7:
			OUT(" LDW R%u, [R6 + %u]\n", R(), 4 * rnd(256));
			break;
		case 8:
			OUT(rnd(2) ? " SYSCALL SYS_YIELD\n" : " SYSCALL SYS_TIME\n ADD R%u, R%u, R0\n", R(), R());
			break;
		case 9:
			OUT(" IMM8 R1, %u\n SYSCALL SYS_SLEEP\n", 1 + rnd(5));
			break;
		case 10:
			OUT(" IMM8 R1, %u\n IMM8 R2, %u\n MOV R3, R%u\n SYSCALL SYS_PIXEL\n", rnd(128), rnd(128), R());
			if (rnd(4) == 0)
				OUT(" IMM8 R1, %u\n IMM8 R2, 0\n SYSCALL SYS_LAYER_USE\n", rnd(2));
			break;
		case 11:
			OUT(" IMM8 R1, %u\n MOV R2, R6\n IMM8 R3, %u\n SYSCALL SYS_IPC_SEND\n", 1 + rnd(6), 4 + rnd(60));
			break;
		case 12:
			OUT(" IMM32 R1, 0x9000\n IMM8 R2, 64\n IMM8 R3, %u\n SYSCALL SYS_IPC_RECV\n", rnd(8) ? 1 : 0);
			break;
		case 13:
			OUT(" IMM32 R1, path%u\n IMM8 R2, 11\n SYSCALL SYS_FS_OPEN\n MOV R1, R0\n MOV R2, R6\n"
			    " IMM8 R3, %u\n SYSCALL SYS_FS_WRITE\n", i, 1 + rnd(100));
			if (rnd(2))
				OUT(" SYSCALL SYS_FS_CLOSE\n");
			break;
		case 14:
			if (!printed++)
				OUT(" IMM32 R1, msg\n SYSCALL SYS_PRINT\n");
			break;
		case 15: /* 32 random bits from the generator */
			OUT(" IMM8 R1, 4\n IMM8 R2, 0\n IMM8 R3, 0\n IMM8 R4, 2\n SYSCALL SYS_HVTRAP\n XOR R%u, R%u, R1\n", R(), R());
			break;
		case 16:
			OUT(" .word 0x%08x\n", (uint32_t)rs & 0xFFFF3FFFu);
			break;
		}
	}
	OUT(" LDW R1, [R6 + 0x800]\n ADDI R1, R1, 1\n STW R1, [R6 + 0x800]\n IMM32 R2, %u\n BLTU R1, R2, top\n"
	    " HALT\nmsg: .string \"tick\"\n", iters);
	for (uint32_t i = 0; i < len; i++)
		OUT("path%u: .string \"/tmp/f%u\"\n", i, rnd(4));
	return s;
#undef OUT
}

/* ---- running a machine ------------------------------------------------------------ */

#define NPROGS 5

struct run {
	uint8_t *state;
	size_t len;
	char *out;
	size_t out_len;
};

static uint8_t *take(size_t *len)
{
	size_t n = snap_state_save(0, 0, th_now_us);
	uint8_t *b = malloc(n);
	assert_int_equal(snap_state_save(b, n, th_now_us), n);
	*len = n;
	return b;
}

static struct th_file files[NPROGS];
static char paths[NPROGS][16];

/* boot: a fresh machine of w x h with the programs, all spawned. */
static void boot(uint32_t w, uint32_t h)
{
	th_boot(w, h, files, NPROGS);
	th_tick_us = 0; /* the clock moves by sleeps only: not by how often sched_run is entered */
	rng_seed(42);   /* as seed=42: the machine's generator starts the same each boot */
	for (int i = 0; i < NPROGS; i++)
		th_spawn(files[i].path, 0);
}

/* resume: a fresh machine of w x h (same files) resumed from `state`. */
static void resume(uint32_t w, uint32_t h, const uint8_t *state, size_t len)
{
	char why[200];
	struct snap_info info;
	th_boot(w, h, files, NPROGS);
	th_tick_us = 0;
	assert_int_equal(snap_state_info(state, len, &info, why, sizeof(why)), 0);
	th_now_us = info.clock_us; /* the test platform's clock goes on, as pxsim's */
	int e = snap_state_load(state, len, th_now_us, vfs_fs(), view_slots(), why, sizeof(why));
	if (e)
		fail_msg("resume refused: %s", why);
}

static void run_to(uint64_t total)
{
	if (sched_total_steps() < total)
		sched_run(total - sched_total_steps());
}

static void make_programs(uint64_t seed)
{
	rs = seed * 0x9E3779B97F4A7C15ull + 1;
	for (int i = 0; i < NPROGS; i++) {
		free((char *)files[i].src);
		snprintf(paths[i], sizeof(paths[i]), "/bin/r%d", i);
		files[i] = (struct th_file){ paths[i], gen(50 + rnd(3000), i == NPROGS - 1), 0, 0 };
	}
}

/* where_differs: the first section (and offset in it) where a and b differ. */
static const char *where_differs(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	static char msg[128];
	struct snapr ra = { a, an, 0, false }, rb = { b, bn, 0, false };
	struct snap_section sa, sb;
	while (snapfmt_section_next(&ra, &sa) == 1 && snapfmt_section_next(&rb, &sb) == 1) {
		if (sa.len != sb.len) {
			snprintf(msg, sizeof(msg), "section %s: %u bytes against %u", sa.tag, sa.len, sb.len);
			return msg;
		}
		for (uint32_t k = 0; k < sa.len; k++)
			if (sa.body[k] != sb.body[k]) {
				snprintf(msg, sizeof(msg), "section %s, byte %u: %02x against %02x", sa.tag, k, sa.body[k],
				         sb.body[k]);
				return msg;
			}
	}
	return "the framing";
}

/* The determinism property, on screen w x h. */
static void property(uint32_t w, uint32_t h, uint64_t seeds)
{
	for (uint64_t seed = 1; seed <= seeds; seed++) {
		make_programs(seed + w);
		uint64_t n = 1 + rnd(400000), m = 1 + rnd(400000);
		/* straight through */
		boot(w, h);
		th_out_clear();
		run_to(n + m);
		size_t straight_len;
		uint8_t *straight = take(&straight_len);
		char *out = malloc(th_out_len + 1);
		size_t out_len = th_out_len;
		memcpy(out, th_out, th_out_len);
		/* N, snapshot, a new machine, M */
		boot(w, h);
		th_out_clear();
		run_to(n);
		size_t mid_len;
		uint8_t *mid = take(&mid_len);
		if (getenv("SNAP_TEST_VERBOSE"))
			fprintf(stderr, "seed %llu: %u runnable %u blocked %u zombies, %u RAM files, %llu steps, %zu bytes\n",
			        (unsigned long long)seed, proc_count(PROC_RUNNABLE), proc_count(PROC_BLOCKED),
			        proc_count(PROC_ZOMBIE), vfs_ram_files(), (unsigned long long)sched_total_steps(), mid_len);
		char *out1 = malloc(th_out_len + 1);
		size_t out1_len = th_out_len;
		memcpy(out1, th_out, th_out_len);
		resume(w, h, mid, mid_len);
		th_out_clear();
		run_to(n + m);
		size_t resumed_len;
		uint8_t *resumed = take(&resumed_len);
		if (resumed_len != straight_len || memcmp(resumed, straight, straight_len))
			fail_msg("seed %llu %ux%u: N=%llu M=%llu: the resumed state differs from the straight one: %s",
			         (unsigned long long)seed, w, h, (unsigned long long)n, (unsigned long long)m,
			         where_differs(straight, straight_len, resumed, resumed_len));
		if (out_len < sizeof(th_out) - 1) { /* the output was not cut off at th_out's size */
			assert_int_equal(out1_len + th_out_len, out_len);
			assert_memory_equal(out1, out, out1_len);
			assert_memory_equal(th_out, out + out1_len, th_out_len);
		}
		free(straight);
		free(mid);
		free(resumed);
		free(out);
		free(out1);
	}
}

/* SNAP_TEST_SEEDS=N runs N seeds instead (a longer search). */
static uint64_t seeds(uint64_t dflt)
{
	const char *e = getenv("SNAP_TEST_SEEDS");
	return e ? strtoull(e, 0, 0) : dflt;
}

static void test_determinism_random_programs_screen(void **state)
{
	(void)state;
	property(640, 480, seeds(12)); /* two slots for five processes and their children */
}

static void test_determinism_random_programs_headless(void **state)
{
	(void)state;
	property(0, 0, seeds(12));
}

/* Another screen (here: none, then a small one) goes on with the same output. */
static void test_resume_on_another_screen(void **state)
{
	(void)state;
	make_programs(77);
	boot(1280, 800);
	th_out_clear();
	run_to(900000);
	char *out = malloc(th_out_len);
	size_t out_len = th_out_len;
	memcpy(out, th_out, out_len);
	boot(1280, 800);
	th_out_clear();
	run_to(300000);
	size_t out1_len = th_out_len, mid_len;
	uint8_t *mid = take(&mid_len);
	for (int k = 0; k < 2; k++) {
		resume(k ? 640 : 0, k ? 480 : 0, mid, mid_len);
		th_out_clear();
		run_to(900000);
		assert_int_equal(out1_len + th_out_len, out_len);
		assert_memory_equal(th_out, out + out1_len, th_out_len);
		for (uint32_t i = 0; i < NPROC; i++) /* every live process shown or unseen, consistently */
			if (proc_at(i)->slot != PROC_NO_SLOT)
				assert_true(proc_at(i)->slot < view_slots());
	}
	free(out);
	free(mid);
}

/* A sleep's time left is kept: resumed on a clock 5 s later, it wakes 5 s later. */
static void test_sleep_rebased(void **state)
{
	(void)state;
	const struct th_file f[] = { { "/bin/s", ".include \"pxos.inc\"\n_start:\n IMM32 R1, 1000\n SYSCALL SYS_SLEEP\n"
	                                         " IMM32 R1, m\n SYSCALL SYS_PRINT\n HALT\nm: .string \"woke\"\n", 0, 0 } };
	th_boot(0, 0, f, 1);
	struct proc *p = proc_find((uint32_t)th_spawn("/bin/s", 0));
	th_no_idle = 1;
	sched_run(0);
	assert_int_equal(p->block, BLOCK_SLEEP);
	uint64_t left = p->wake_us - th_now_us;
	size_t len;
	uint8_t *s = take(&len);
	th_boot(0, 0, f, 1);
	th_now_us = 5000000;
	char why[200];
	assert_int_equal(snap_state_load(s, len, th_now_us, vfs_fs(), 0, why, sizeof(why)), 0);
	p = proc_find(1);
	assert_non_null(p);
	assert_int_equal(p->wake_us, 5000000 + left);
	th_no_idle = 0;
	th_out_clear();
	sched_run(0);
	assert_non_null(strstr(th_out, "woke"));
	assert_true(th_now_us >= 5000000 + left);
	free(s);
}

static int llm_submit(uint32_t id, uint32_t kind, const char *model, const char *prompt, uint32_t len)
{
	(void)id; (void)kind; (void)model; (void)prompt; (void)len;
	return 0; /* accepted; never answered */
}

/* An LLM call in flight at the snapshot fails with -EIO on resume; the process goes on. */
static void test_llm_in_flight_fails(void **state)
{
	(void)state;
	const struct th_file f[] = { { "/bin/l", ".include \"pxos.inc\"\n_start:\n IMM8 R1, 2\n IMM32 R2, q\n"
	                                         " IMM32 R3, 0x01000000\n IMM32 R4, 0x9000\n SYSCALL SYS_HVTRAP\n"
	                                         " STW R0, [R6 + 0]\n HALT\nq: .string \"hello?\"\n", 0, 0 } };
	th_boot(0, 0, f, 1);
	th_llm_submit = llm_submit;
	struct proc *p = proc_find((uint32_t)th_spawn("/bin/l", 0));
	p->vm.r[6] = 0xA000;
	th_no_idle = 1;
	sched_run(0);
	assert_int_equal(p->block, BLOCK_TRAP);
	size_t len;
	uint8_t *s = take(&len);
	th_boot(0, 0, f, 1);
	char why[200];
	assert_int_equal(snap_state_load(s, len, th_now_us, vfs_fs(), 0, why, sizeof(why)), 0);
	p = proc_find(1);
	assert_int_equal(p->state, PROC_RUNNABLE);
	assert_int_equal((int32_t)p->vm.r[0], -PXE_EIO);
	assert_int_equal(hv_inflight(), 0);
	th_no_idle = 0;
	free(s);
}


/* resumed_without: load snapshot s[0..len) on the machine booted again: it
 * is taken, pid `gone` ended with STATUS_NOT_RESUMABLE and pid `goes` runs on. */
static void resumed_without(const uint8_t *s, size_t len, int gone, int goes)
{
	char why[200];
	assert_int_equal(snap_state_load(s, len, th_now_us, vfs_fs(), 0, why, sizeof(why)), 0);
	uint32_t st;
	assert_null(proc_find((uint32_t)gone));
	assert_int_equal(sched_reaped_status((uint32_t)gone, &st), 0);
	assert_int_equal(st, PXVM_STATUS_NOT_RESUMABLE);
	struct proc *p = proc_find((uint32_t)goes);
	assert_non_null(p);
	uint64_t before = p->vm.steps;
	sched_run(100000);
	assert_true(p->vm.steps > before);
}
/* A process that cannot be resumed (its kind renamed to one this build does
 * not have) while its LLM call, raised through the trap page, is in flight:
 * failing the call on resume writes into its trap page, which must be
 * memory of its own until it is ended NOT_RESUMABLE; the others go on. */
static void test_gone_with_call_in_flight(void **state)
{
	(void)state;
	static const char trap[] = ".include \"pxos.inc\"\n_start:\n IMM32 R2, args\n IMM32 R3, 0xF001\n IMM8 R4, 12\n"
		"copy:\n LDB R1, [R2 + 0]\n STB R1, [R3 + 0]\n ADDI R2, R2, 1\n ADDI R3, R3, 1\n DJNZ R4, copy\n"
		" IMM32 R3, 0xF000\n IMM8 R1, 2\n STB R1, [R3 + 0]\n HALT\n"
		".align 4\nargs: .word q\n .word 0x01000000\n .word 0x9000\nq: .string \"hello?\"\n";
	static const char spin[] = ".include \"pxos.inc\"\n_start:\n ADDI R1, R1, 1\n JMP _start\n";
	const struct th_file f[] = { { "/bin/t", trap, 0, 0 }, { "/bin/s", spin, 0, 0 } };
	th_boot(0, 0, f, 2);
	th_llm_submit = llm_submit;
	int t = th_spawn("/bin/t", 0), sp = th_spawn("/bin/s", 0);
	sched_run(100000);
	struct proc *p = proc_find((uint32_t)t);
	assert_int_equal(p->state, PROC_BLOCKED);
	assert_int_equal(p->block, BLOCK_TRAP);
	assert_int_equal(hv_inflight(), 1);
	size_t len;
	uint8_t *s = take(&len);
	struct snap_section sec;
	assert_int_equal(snapfmt_find(s, len, "PROC", &sec), 0);
	struct snapr r = { sec.body + 4, sec.len - 4, 0, false };
	struct snap_proc e;
	size_t first = (size_t)(sec.body - s) + 4;
	assert_null(snapfmt_proc_next(&r, &e));
	assert_int_equal(e.pid, (uint32_t)t);
	memcpy(s + first + 4, "zzzz\0\0\0\0", 8);
	th_boot(0, 0, f, 2);
	resumed_without(s, len, t, sp);
	assert_int_equal(hv_inflight(), 0);
	free(s);
}

/* A process of a kind this build does not have (here: renamed "python") ends
 * with STATUS_NOT_RESUMABLE; the others go on. */
static void test_unknown_kind_not_resumable(void **state)
{
	(void)state;
	static const char spin[] = ".include \"pxos.inc\"\n_start:\n ADDI R1, R1, 1\n JMP _start\n";
	const struct th_file f[] = { { "/bin/a", spin, 0, 0 }, { "/bin/b", spin, 0, 0 } };
	th_boot(0, 0, f, 2);
	int a = th_spawn("/bin/a", 0), b = th_spawn("/bin/b", 0);
	sched_run(100000);
	size_t len;
	uint8_t *s = take(&len);
	struct snap_section sec;
	assert_int_equal(snapfmt_find(s, len, "PROC", &sec), 0);
	struct snapr r = { sec.body + 4, sec.len - 4, 0, false };
	struct snap_proc e;
	assert_null(snapfmt_proc_next(&r, &e));
	size_t second = (size_t)(sec.body - s) + 4 + r.pos;
	assert_int_equal(e.pid, (uint32_t)a);
	memcpy(s + second + 4, "python\0\0", 8);
	th_boot(0, 0, f, 2);
	resumed_without(s, len, b, a);
	free(s);
}

/* SNAPSHOT: the console's foreground only, one per SNAP_GAP_MS; the
 * platform's refusal passes through and costs no turn. */
static void test_snapshot_syscall(void **state)
{
	(void)state;
	static const char src[] = ".include \"pxos.inc\"\n_start:\n IMM32 R6, 0x9000\n"
		" SYSCALL SYS_SNAPSHOT\n STW R0, [R6 + 0]\n IMM32 R1, 100\n SYSCALL SYS_SLEEP\n"
		" SYSCALL SYS_SNAPSHOT\n STW R0, [R6 + 4]\n IMM32 R1, 20000\n SYSCALL SYS_SLEEP\n"
		" SYSCALL SYS_SNAPSHOT\n STW R0, [R6 + 8]\n"
		" IMM32 R1, 0xA000\n IMM8 R2, 16\n IMM8 R3, 0\n SYSCALL SYS_IPC_RECV\n";
	const struct th_file f[] = { { "/bin/s", src, 0, 0 } };
	th_boot(0, 0, f, 1);
	th_snapshots = 0;
	th_snapshot_result = 0;
	struct proc *fg = proc_find((uint32_t)th_spawn("/bin/s", 0));
	struct proc *bg = proc_find((uint32_t)th_spawn("/bin/s", 0));
	tty_set_foreground(fg->pid);
	sched_run(0);
	int32_t r[3];
	memcpy(r, (uint8_t *)fg->vm.mem + 0x9000, sizeof(r));
	assert_int_equal(r[0], 0);
	assert_int_equal(r[1], -PXE_EBUSY);
	assert_int_equal(r[2], 0);
	memcpy(r, (uint8_t *)bg->vm.mem + 0x9000, sizeof(r));
	assert_int_equal(r[0], -PXE_EPERM);
	assert_int_equal(r[1], -PXE_EPERM);
	assert_int_equal(r[2], -PXE_EPERM);
	assert_int_equal(th_snapshots, 2);
	/* No bridge: the error, and the next ask is not held back by it. */
	th_boot(0, 0, f, 1);
	th_snapshots = 0;
	th_snapshot_result = -PXE_ENOBRIDGE;
	fg = proc_find((uint32_t)th_spawn("/bin/s", 0));
	tty_set_foreground(fg->pid);
	sched_run(0);
	memcpy(r, (uint8_t *)fg->vm.mem + 0x9000, sizeof(r));
	assert_int_equal(r[0], -PXE_ENOBRIDGE);
	assert_int_equal(r[1], -PXE_ENOBRIDGE);
	assert_int_equal(th_snapshots, 0);
	th_snapshot_result = 0;
}

/* ---- refusals ------------------------------------------------------------------------ */

/* expect_refused: loading `s` fails with a reason containing `what` (NULL:
 * any), and the running machine (one process, pid `pid`) is untouched. */
static void expect_refused(const uint8_t *s, size_t len, const char *what)
{
	char why[200] = "";
	uint64_t steps = sched_total_steps();
	uint32_t live = proc_count(PROC_RUNNABLE) + proc_count(PROC_BLOCKED);
	assert_int_equal(snap_state_load(s, len, th_now_us, vfs_fs(), view_slots(), why, sizeof(why)), -PXE_EINVAL);
	assert_true(why[0] != 0);
	if (what && !strstr(why, what))
		fail_msg("refused with \"%s\", expected \"%s\"", why, what);
	assert_int_equal(sched_total_steps(), steps);
	assert_int_equal(proc_count(PROC_RUNNABLE) + proc_count(PROC_BLOCKED), live);
}

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

static void test_damaged_states_refused(void **state)
{
	(void)state;
	make_programs(5);
	boot(640, 480);
	run_to(200000);
	size_t len;
	uint8_t *s = take(&len);
	uint8_t *c = malloc(len + 64);
	/* every truncation at a section boundary and many inside */
	for (size_t cut = 0; cut < len; cut += cut < 4096 ? 1 : 997) {
		memcpy(c, s, cut);
		expect_refused(c, cut, 0);
	}
	/* trailing bytes */
	memcpy(c, s, len);
	expect_refused(c, len + 1, "after the last section");
	/* newer section version, unknown section, out of order, hostile length */
	memcpy(c, s, len);
	put32(c + 4, 2);
	expect_refused(c, len, "MACH is version 2");
	memcpy(c, s, len);
	memcpy(c, "GRPS", 4);
	expect_refused(c, len, "unknown section GRPS");
	memcpy(c, s, len);
	memcpy(c, "PROC", 4);
	expect_refused(c, len, "out of order");
	memcpy(c, s, len);
	put32(c + 8, 0xFFFFFFF0u);
	expect_refused(c, len, "runs past the end");
	/* hostile counts inside PROC: find it and claim 1000 processes */
	struct snap_section sec;
	assert_int_equal(snapfmt_find(s, len, "PROC", &sec), 0);
	size_t at = (size_t)(sec.body - s);
	memcpy(c, s, len);
	put32(c + at, 1000);
	expect_refused(c, len, "more processes");
	/* a pid of 0, a bad state, a pc out of memory inside a record */
	memcpy(c, s, len);
	put32(c + at + 4 + 4 + SNAP_KIND_MAX + 8, 0);
	expect_refused(c, len, "pid");
	memcpy(c, s, len);
	put32(c + at + 4 + 4 + SNAP_KIND_MAX, 7);
	expect_refused(c, len, "state");
	/* flipping any one byte of PROC's first entry is refused or loads a state
	 * that still parses: it never crashes (and byte flips in the memory image
	 * are a valid snapshot of another machine) */
	for (size_t k = 0; k < 4 + 4 + SNAP_KIND_MAX + 64; k++) {
		memcpy(c, s, len);
		c[at + k] ^= 0x80;
		char why[200];
		if (snap_state_load(c, len, th_now_us, vfs_fs(), view_slots(), why, sizeof(why)) == 0) {
			boot(640, 480); /* it loaded: start again from a known machine */
			run_to(200000);
		}
	}
	free(c);
	free(s);
}

static void test_chunk_and_png_refused(void **state)
{
	(void)state;
	char why[200];
	struct snap_info info;
	uint8_t head[SNAP_HEAD_SIZE + 8];
	const uint8_t st[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	snap_chunk_head(head, 8, snap_state_crc(st, 8), false);
	memcpy(head + SNAP_HEAD_SIZE, st, 8);
	assert_int_equal(snap_chunk_parse(head, sizeof(head), &info, why, sizeof(why)), 0);
	assert_string_equal(info.build_id, snap_build_id());
	assert_int_equal(info.payload_len, 8);
	assert_int_equal(snap_chunk_parse(head, SNAP_HEAD_SIZE - 1, &info, why, sizeof(why)), -PXE_EINVAL);
	uint8_t bad[sizeof(head)];
	memcpy(bad, head, sizeof(head));
	put32(bad + 4, SNAP_FORMAT + 1);
	assert_int_equal(snap_chunk_parse(bad, sizeof(bad), &info, why, sizeof(why)), -PXE_EINVAL);
	assert_non_null(strstr(why, "newer"));
	memcpy(bad, head, sizeof(head));
	put32(bad + 8, 6);
	assert_int_equal(snap_chunk_parse(bad, sizeof(bad), &info, why, sizeof(why)), -PXE_EINVAL);
	memcpy(bad, head, sizeof(head));
	put32(bad + 12, 0xFFFFFFF0u);
	assert_int_equal(snap_chunk_parse(bad, sizeof(bad), &info, why, sizeof(why)), -PXE_EINVAL);
	assert_non_null(strstr(why, "larger"));
	memcpy(bad, head, sizeof(head));
	put32(bad + 12, 7); /* stored: payload and length disagree */
	assert_int_equal(snap_chunk_parse(bad, sizeof(bad), &info, why, sizeof(why)), -PXE_EINVAL);
	memcpy(bad, head, sizeof(head));
	bad[0] ^= 1;
	assert_int_equal(snap_chunk_parse(bad, sizeof(bad), &info, why, sizeof(why)), -PXE_EINVAL);

	/* A minimal PNG (signature, IHDR, IEND) with the chunk added, then found. */
	uint8_t png[8 + 25 + 12], out[sizeof(png) + 12 + sizeof(head)];
	const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A };
	const uint8_t ihdr[17] = { 'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0 };
	memcpy(png, sig, 8);
	png[8] = png[9] = png[10] = 0;
	png[11] = 13;
	memcpy(png + 12, ihdr, 17);
	uint32_t crc = crc32(ihdr, 17);
	png[29] = (uint8_t)(crc >> 24); png[30] = (uint8_t)(crc >> 16); png[31] = (uint8_t)(crc >> 8); png[32] = (uint8_t)crc;
	const uint8_t iend[12] = { 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82 };
	memcpy(png + 33, iend, 12);
	const uint8_t *data;
	size_t dlen;
	assert_int_equal(snap_png_find(png, sizeof(png), &data, &dlen, why, sizeof(why)), -PXE_EINVAL);
	assert_non_null(strstr(why, "not a snapshot"));
	assert_int_equal(snap_png_insert(png, sizeof(png), head, st, 8, out, sizeof(out) - 1), 0);
	size_t n = snap_png_insert(png, sizeof(png), head, st, 8, out, sizeof(out));
	assert_int_equal(n, sizeof(out));
	assert_int_equal(snap_png_find(out, n, &data, &dlen, why, sizeof(why)), 0);
	assert_int_equal(dlen, sizeof(head));
	assert_memory_equal(data, head, sizeof(head));
	for (size_t cut = 0; cut < n; cut++) /* every truncation */
		assert_int_equal(snap_png_find(out, cut, &data, &dlen, why, sizeof(why)), -PXE_EINVAL);
	for (size_t k = 8; k < n; k++) { /* every byte flipped: a CRC, length or structure error */
		out[k] ^= 0x10;
		assert_int_equal(snap_png_find(out, n, &data, &dlen, why, sizeof(why)), -PXE_EINVAL);
		out[k] ^= 0x10;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_determinism_random_programs_screen),
		cmocka_unit_test(test_determinism_random_programs_headless),
		cmocka_unit_test(test_resume_on_another_screen),
		cmocka_unit_test(test_sleep_rebased),
		cmocka_unit_test(test_llm_in_flight_fails),
		cmocka_unit_test(test_gone_with_call_in_flight),
		cmocka_unit_test(test_unknown_kind_not_resumable),
		cmocka_unit_test(test_snapshot_syscall),
		cmocka_unit_test(test_damaged_states_refused),
		cmocka_unit_test(test_chunk_and_png_refused),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
