/*
 * test_jobs.c — issue 9's process rules on the test platform: sessions and
 * process groups (pxvm/job.c), the job limit against fork and spawn bombs
 * and fork-and-exit chains, the console contract (pxvm/tty.c: Ctrl-C as a
 * catchable interrupt, the second one ending the job, raw mode, output that
 * blocks the writer), E2BIG, the quantum-overrun and input-latency logs, a
 * fault report for IMM32 in the last word, slot labels that keep their
 * state. docs/isolation.md states the rules these check.
 *
 * Programs are pxasm source assembled at run time (sched_testhost.c); they
 * leave results as words at RES (0xD000) and park in IPC_RECV.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sched_testhost.h"
#include "kernel/vram.h"
#include "pxvm/disasm.h"
#include "pxvm/isa.h"
#include "pxvm/job.h"
#include "pxvm/sched.h"
#include "pxvm/tty.h"

#define RES 0xD000u
#define W 1280
#define H 800

/* pxos.inc, R6 = RES, then main; `park` blocks in IPC_RECV for good. */
#define PRELUDE ".include \"pxos.inc\"\n_start:\n IMM32 R6, 0xD000\n JMP main\n" \
                "park:\n IMM32 R1, 0xC000\n IMM32 R2, 256\n IMM8 R3, 0\n SYSCALL SYS_IPC_RECV\n JMP park\n" \
                "main:\n"

static const char spin_src[] = ".include \"pxos.inc\"\n_start:\n ADDI R6, R6, 1\n JMP _start\n";
static const char park_src[] = PRELUDE " JMP park\n";

static uint32_t res(uint32_t pid, uint32_t i)
{
	struct proc *p = proc_find(pid);
	assert_non_null(p);
	assert_non_null(p->vm.mem);
	return p->vm.mem[RES / 4 + i];
}

static uint32_t live_in(uint32_t pgid) { return proc_group_count(pgid, true); }

/* boot_shell: the test platform booted with /bin/sh (pxasm source `sh`) and
 * `path` (source `src`), the shell started; its pid. */
static uint32_t boot_shell(const char *sh, const char *path, const char *src)
{
	const struct th_file f[] = { { "/bin/sh", sh, 0, 0 }, { path, src, 0, 0 } };
	th_boot(W, H, f, 2);
	return (uint32_t)th_spawn("/bin/sh", 0);
}

/* boot_one: the test platform booted with /bin/t (pxasm source `src`) alone,
 * started; its pid. */
static uint32_t boot_one(const char *src)
{
	const struct th_file f[] = { { "/bin/t", src, 0, 0 } };
	th_boot(W, H, f, 1);
	return (uint32_t)th_spawn("/bin/t", 0);
}

/* sh: spawns PROG (a job of its own), stores its pid at RES+0, parks. */
#define SPAWN_SHELL(prog) PRELUDE \
	" IMM32 R1, prog\n IMM8 R2, 0\n SYSCALL SYS_SPAWN\n STW R0, [R6 + 0]\n JMP park\n" \
	"prog: .string \"" prog "\"\n"

/* ---- sessions and groups ------------------------------------------------------- */

static void test_sessions_groups_and_setpgid(void **state)
{
	(void)state;
	const char ctl[] = PRELUDE
		" IMM8 R1, 0\n SYSCALL SYS_GETPGID\n STW R0, [R6 + 0]\n STW R1, [R6 + 4]\n"
		" SYSCALL SYS_SETSID\n STW R0, [R6 + 8]\n"                       /* leads one already */
		" IMM32 R1, member\n IMM8 R2, 0\n SYSCALL SYS_SPAWN\n STW R0, [R6 + 12]\n"
		" IMM32 R1, member\n IMM8 R2, 0\n SYSCALL SYS_SPAWN\n STW R0, [R6 + 16]\n"
		" LDW R1, [R6 + 16]\n LDW R2, [R6 + 12]\n SYSCALL SYS_SETPGID\n STW R0, [R6 + 20]\n" /* join */
		" IMM8 R1, 0\n IMM8 R2, 0\n SYSCALL SYS_SETPGID\n STW R0, [R6 + 24]\n"               /* itself */
		" IMM8 R1, 1\n IMM8 R2, 0\n SYSCALL SYS_SETPGID\n STW R0, [R6 + 28]\n"               /* not a child */
		" LDW R1, [R6 + 16]\n SYSCALL SYS_GETPID\n MOV R2, R0\n LDW R1, [R6 + 16]\n SYSCALL SYS_SETPGID\n"
		" STW R0, [R6 + 32]\n"                                                               /* my group */
		" LDW R1, [R6 + 16]\n IMM8 R2, 99\n SYSCALL SYS_SETPGID\n STW R0, [R6 + 36]\n"      /* no group */
		" IMM32 R1, 999\n SYSCALL SYS_GETPGID\n STW R0, [R6 + 40]\n"
		" JMP park\n"
		"member: .string \"/bin/member\"\n";
	/* A member forks (the child stays in its group) and tries SETSID: only
	 * processes pid 1 or the kernel started may. */
	const char member[] = PRELUDE
		" SYSCALL SYS_FORK\n STW R0, [R6 + 0]\n JZ R0, park\n"
		" SYSCALL SYS_SETSID\n STW R0, [R6 + 4]\n JMP park\n";
	const struct th_file f[] = { { "/bin/park", park_src, 0, 0 }, { "/bin/ctl", ctl, 0, 0 },
	                             { "/bin/member", member, 0, 0 } };
	th_boot(W, H, f, 3);
	th_spawn("/bin/park", 0);            /* pid 1 */
	int c = th_spawn("/bin/ctl", 0);     /* pid 2: the kernel started it: a session of its own */
	th_no_idle = 1;
	sched_run(0);
	assert_int_equal(res((uint32_t)c, 0), (uint32_t)c);
	assert_int_equal(res((uint32_t)c, 1), (uint32_t)c);
	assert_int_equal(res((uint32_t)c, 2), (uint32_t)-PXE_EPERM);
	uint32_t m1 = res((uint32_t)c, 3), m2 = res((uint32_t)c, 4);
	struct proc *a = proc_find(m1), *b = proc_find(m2);
	assert_non_null(a);
	assert_non_null(b);
	/* The session leader's children: a job each, in its session... */
	assert_int_equal(a->pgid, m1);
	assert_int_equal(a->sid, (uint32_t)c);
	/* ... until it put the second into the first's group. */
	assert_int_equal(res((uint32_t)c, 5), 0);
	assert_int_equal(b->pgid, m1);
	assert_int_equal(res((uint32_t)c, 6), (uint32_t)-PXE_EPERM);
	assert_int_equal(res((uint32_t)c, 7), (uint32_t)-PXE_ESRCH);
	assert_int_equal(res((uint32_t)c, 8), (uint32_t)-PXE_EPERM);
	assert_int_equal(res((uint32_t)c, 9), (uint32_t)-PXE_EPERM);
	assert_int_equal(res((uint32_t)c, 10), (uint32_t)-PXE_ESRCH);
	/* A member's child stays in the member's group; a member leads nothing. */
	uint32_t kid = res(m1, 0);
	assert_int_equal(proc_find(kid)->pgid, m1);
	assert_int_equal(proc_find(kid)->sid, (uint32_t)c);
	assert_int_equal(res(m1, 1), (uint32_t)-PXE_EPERM);
	/* The job (both members and their children) ends as one. */
	assert_int_equal(live_in(m1), 4);
	assert_int_equal(job_kill(0, m1), 4);
	assert_int_equal(live_in(m1), 0);
	assert_int_equal(job_kill(0, m1), -PXE_ESRCH);
}

/* A child of pid 1 may lead a session of its own (the shell does), once. */
static void test_setsid_for_children_of_pid1(void **state)
{
	(void)state;
	const char init[] = SPAWN_SHELL("/bin/sh");
	const char sh[] = PRELUDE
		" SYSCALL SYS_SETSID\n STW R0, [R6 + 0]\n SYSCALL SYS_SETSID\n STW R0, [R6 + 4]\n"
		" SYSCALL SYS_FORK\n JZ R0, park\n STW R0, [R6 + 8]\n JMP park\n";
	const struct th_file f[] = { { "/bin/init", init, 0, 0 }, { "/bin/sh", sh, 0, 0 } };
	th_boot(W, H, f, 2);
	th_spawn("/bin/init", 0);
	th_no_idle = 1;
	sched_run(0);
	uint32_t s = res(1, 0);
	assert_int_equal(res(s, 0), s);
	assert_int_equal(res(s, 1), (uint32_t)-PXE_EPERM);
	struct proc *child = proc_find(res(s, 2));
	assert_non_null(child);
	assert_int_equal(child->sid, s);            /* the shell's children: jobs of its session */
	assert_int_equal(child->pgid, child->pid);
}

/* ---- the job limit --------------------------------------------------------------- */

static void test_fork_bomb_stops_at_the_job_limit(void **state)
{
	(void)state;
	const char sh[] = SPAWN_SHELL("/bin/bomb");
	/* Every process forks for ever; the first refusal's code goes to RES. */
	const char bomb[] = PRELUDE
		"again:\n SYSCALL SYS_FORK\n IMM8 R1, 0\n BGE R0, R1, again\n"
		" LDW R1, [R6 + 0]\n JNZ R1, again\n STW R0, [R6 + 0]\n JMP again\n";
	const struct th_file f[] = { { "/bin/sh", sh, 0, 0 }, { "/bin/bomb", bomb, 0, 0 },
	                             { "/bin/spin", spin_src, 0, 0 } };
	th_boot(W, H, f, 3);
	int s = th_spawn("/bin/sh", 0);
	int spinner = th_spawn("/bin/spin", 0);
	sched_run(3000000);
	uint32_t job = res((uint32_t)s, 0);
	assert_int_equal(proc_group_count(job, false), JOB_PROCS_MAX);
	assert_int_equal(res(job, 0), (uint32_t)-PXE_EPROCLIM);
	assert_non_null(strstr(th_last_warning, "no new process"));
	assert_true(th_warnings <= 2); /* logged once a second, not per refusal */
	/* Everything else runs on: the spinner, and room in the table. */
	assert_true(proc_find((uint32_t)spinner)->vm.steps > 100000);
	assert_true(proc_count(PROC_FREE) >= NPROC - JOB_PROCS_MAX - 2);
	/* An unrelated process may not end the job; its session's leader may. */
	assert_int_equal(job_kill(proc_find((uint32_t)spinner), job), -PXE_EPERM);
	assert_int_equal(job_kill(proc_find((uint32_t)s), job), JOB_PROCS_MAX);
	assert_int_equal(live_in(job), 0);
}

/* A fork-and-exit chain changes pid each round; its group stays, and ends. */
static void test_fork_and_exit_chain_keeps_its_group(void **state)
{
	(void)state;
	const char chain[] = PRELUDE
		"round:\n SYSCALL SYS_FORK\n JZ R0, round\n IMM8 R1, 0\n BLT R0, R1, round\n"
		" IMM8 R1, 0\n SYSCALL SYS_EXIT\n";
	const char sh[] = PRELUDE
		" IMM32 R1, chain\n IMM8 R2, 0\n SYSCALL SYS_SPAWN\n STW R0, [R6 + 0]\n"
		"reap:\n IMM8 R1, 0\n SYSCALL SYS_WAIT\n JMP reap\n" /* reaps what comes to it */
		"chain: .string \"/bin/chain\"\n";
	uint32_t s = boot_shell(sh, "/bin/chain", chain);
	sched_run(400000);
	uint32_t job = res(s, 0);
	assert_null(proc_find(job)); /* the first process is long gone */
	assert_true(live_in(job) >= 1 && live_in(job) <= 2);
	uint32_t now = 0;
	for (uint32_t i = 0; i < NPROC; i++)
		if (proc_is_live(proc_at(i)) && proc_at(i)->pgid == job)
			now = proc_at(i)->pid;
	assert_true(now > job + 5);
	/* KILL -job from the shell ends it, whatever its pid now. */
	assert_true(proc_request_kill_group(proc_find((uint32_t)s), job) >= 1);
	assert_int_equal(live_in(job), 0);
}

/* A chain nobody waits for: its ended rounds count against the job limit
 * (zombies included), so it stops, and the kernel's line says why. */
static void test_chain_nobody_waits_for_stops(void **state)
{
	(void)state;
	const char chain[] = PRELUDE
		"round:\n SYSCALL SYS_FORK\n JZ R0, round\n IMM8 R1, 0\n BLT R0, R1, round\n"
		" IMM8 R1, 0\n SYSCALL SYS_EXIT\n";
	const char sh[] = SPAWN_SHELL("/bin/chain");
	uint32_t s = boot_shell(sh, "/bin/chain", chain);
	sched_run(400000);
	uint32_t job = res(s, 0);
	assert_int_equal(proc_group_count(job, false), JOB_PROCS_MAX);
	assert_int_equal(live_in(job), 1);
	char want[96];
	snprintf(want, sizeof(want), "holds %u (%u of them ended, not yet waited for)", JOB_PROCS_MAX,
	         JOB_PROCS_MAX - 1);
	assert_non_null(strstr(th_last_warning, want));
	assert_true(proc_request_kill_group(proc_find((uint32_t)s), job) >= 1);
	assert_int_equal(live_in(job), 0);
}

/* A spawn bomb: the same limit. */
static void test_spawn_bomb_stops_at_the_job_limit(void **state)
{
	(void)state;
	const char sb[] = PRELUDE
		"again:\n IMM32 R1, self\n IMM8 R2, 0\n SYSCALL SYS_SPAWN\n IMM8 R1, 0\n BGE R0, R1, again\n"
		" STW R0, [R6 + 0]\n JMP again\n"
		"self: .string \"/bin/sb\"\n";
	const char sh[] = SPAWN_SHELL("/bin/sb");
	uint32_t s = boot_shell(sh, "/bin/sb", sb);
	sched_run(3000000);
	uint32_t job = res(s, 0);
	assert_int_equal(proc_group_count(job, false), JOB_PROCS_MAX);
	assert_int_equal(res(job, 0), (uint32_t)-PXE_EPROCLIM);
	assert_int_equal(job_kill(0, job), JOB_PROCS_MAX);
}

/* ---- Ctrl-C ----------------------------------------------------------------------- */

/* sh: takes the console, catches Ctrl-C, runs PROG (R1) in the foreground,
 * stores its status at RES+0, then reads the console into RES+4 (R0) for
 * good. */
#define FG_SHELL(prog) PRELUDE \
	" IMM8 R1, 0\n SYSCALL SYS_SETFG\n IMM8 R1, INTR_CATCH\n SYSCALL SYS_INTR\n" \
	" IMM32 R1, prog\n IMM8 R2, 0\n SYSCALL SYS_SPAWN\n MOV R5, R0\n STW R0, [R6 + 8]\n" \
	" MOV R1, R5\n SYSCALL SYS_SETFG\n MOV R1, R5\n SYSCALL SYS_WAIT\n STW R1, [R6 + 0]\n" \
	"read:\n IMM8 R1, 0\n IMM32 R2, 0xA000\n IMM8 R3, 64\n SYSCALL SYS_READ\n STW R0, [R6 + 4]\n JMP read\n" \
	"prog: .string \"" prog "\"\n"

static void test_ctrl_c_ends_the_whole_job(void **state)
{
	(void)state;
	const char family[] = PRELUDE
		" SYSCALL SYS_FORK\n JZ R0, spin\n SYSCALL SYS_FORK\n JZ R0, spin\n SYSCALL SYS_FORK\n"
		"spin:\n ADDI R5, R5, 1\n JMP spin\n";
	const char sh[] = FG_SHELL("/bin/family");
	uint32_t s = boot_shell(sh, "/bin/family", family);
	sched_run(300000);
	uint32_t job = res(s, 2);
	assert_int_equal(live_in(job), 4);
	tty_input("\x03", 1);
	assert_int_equal(live_in(job), 0);       /* every process of the job, not its first alone */
	sched_run(100000);
	assert_int_equal(res(s, 0), PXVM_STATUS_KILLED);
	assert_int_equal(tty_foreground(), s);
}

static void test_ctrl_c_caught_then_again_within_a_second(void **state)
{
	(void)state;
	/* catch: counts the interrupts it takes at RES+0, spinning between. */
	const char catcher[] = PRELUDE
		" IMM8 R1, INTR_CATCH\n SYSCALL SYS_INTR\n"
		"spin:\n IMM8 R1, INTR_TAKE\n SYSCALL SYS_INTR\n JZ R0, spin\n"
		" LDW R1, [R6 + 0]\n ADDI R1, R1, 1\n STW R1, [R6 + 0]\n JMP spin\n";
	const char sh[] = FG_SHELL("/bin/catch");
	uint32_t s = boot_shell(sh, "/bin/catch", catcher);
	th_tick_us = 0;                           /* the test keeps the time */
	sched_run(200000);
	uint32_t c = res(s, 2);
	th_now_us = 1000000;
	tty_input("\x03", 1);
	sched_run(200000);
	assert_int_equal(res(c, 0), 1);           /* taken, it spins on */
	th_now_us = 2500000;                      /* 1.5 s later: caught again */
	tty_input("\x03", 1);
	sched_run(200000);
	assert_int_equal(res(c, 0), 2);
	assert_int_equal(proc_find(c)->state, PROC_RUNNABLE);
	th_now_us = 3000000;                      /* 0.5 s later: nothing can stop it */
	tty_input("\x03", 1);
	assert_int_equal(live_in(c), 0);
	sched_run(100000);
	assert_int_equal(res(s, 0), PXVM_STATUS_KILLED);
	/* The shell at its prompt (blocked in READ): every Ctrl-C is -EINTR. */
	th_now_us = 3100000;
	tty_input("\x03", 1);
	sched_run(100000);
	assert_int_equal(res(s, 1), (uint32_t)-PXE_EINTR);
	res(s, 1);
	proc_find(s)->vm.mem[RES / 4 + 1] = 0;
	th_now_us = 3200000;
	tty_input("\x03", 1);
	sched_run(100000);
	assert_int_equal(res(s, 1), (uint32_t)-PXE_EINTR);
	assert_int_equal(proc_find(s)->state, PROC_BLOCKED);
}

/* SETFG 0 then spinning gives no shelter: the first Ctrl-C ends it. */
static void test_setfg_self_is_no_shelter(void **state)
{
	(void)state;
	const char nofg[] = PRELUDE " IMM8 R1, 0\n SYSCALL SYS_SETFG\n STW R0, [R6 + 0]\nspin:\n JMP spin\n";
	const char sh[] = FG_SHELL("/bin/nofg");
	uint32_t s = boot_shell(sh, "/bin/nofg", nofg);
	sched_run(200000);
	uint32_t n = res(s, 2);
	assert_int_equal(res(n, 0), 0);
	assert_int_equal(tty_foreground(), n);
	tty_input("\x03", 1);
	sched_run(100000);
	assert_int_equal(res(s, 0), PXVM_STATUS_KILLED);
	assert_int_equal(tty_foreground(), s);
}

/* ---- raw mode ---------------------------------------------------------------------- */

static void test_raw_mode(void **state)
{
	(void)state;
	const char src[] = PRELUDE
		" IMM8 R1, 0\n SYSCALL SYS_SETFG\n"
		" IMM8 R1, 7\n SYSCALL SYS_TTYMODE\n STW R0, [R6 + 0]\n"
		" IMM8 R1, TTY_RAW\n SYSCALL SYS_TTYMODE\n STW R0, [R6 + 4]\n"
		" IMM8 R1, 0\n IMM32 R2, 0xA000\n IMM8 R3, 16\n SYSCALL SYS_READ\n STW R0, [R6 + 8]\n"
		" IMM8 R1, 0\n IMM32 R2, 0xA010\n IMM8 R3, 16\n SYSCALL SYS_READ\n STW R0, [R6 + 12]\n"
		" IMM8 R1, TTY_COOKED\n SYSCALL SYS_TTYMODE\n STW R0, [R6 + 16]\n"
		" IMM8 R1, 0\n IMM32 R2, 0xA020\n IMM8 R3, 16\n SYSCALL SYS_READ\n STW R0, [R6 + 20]\n"
		" JMP park\n";
	uint32_t p = boot_one(src);
	sched_run(0);
	assert_int_equal(res(p, 0), (uint32_t)-PXE_EINVAL);
	assert_int_equal(res(p, 1), PXVM_TTY_COOKED);
	assert_int_equal(proc_find(p)->block, BLOCK_READ);
	/* Raw: no echo, a READ returns what is there, escape sequences and
	 * Ctrl-D are bytes like the others. */
	tty_input("a", 1);
	sched_run(0);
	tty_input("b\x1b[A\x04", 5);
	sched_run(0);
	assert_int_equal(res(p, 2), 1);
	assert_int_equal(res(p, 3), 5);
	const uint8_t *m = (const uint8_t *)proc_find(p)->vm.mem;
	assert_memory_equal(m + 0xA000, "a", 1);
	assert_memory_equal(m + 0xA010, "b\x1b[A\x04", 5);
	assert_int_equal(th_out_len, 0);
	/* Back to cooked: edited lines, echoed. */
	assert_int_equal(res(p, 4), PXVM_TTY_RAW);
	tty_input("xq\x7fy\r", 5);
	sched_run(0);
	assert_int_equal(res(p, 5), 3);
	assert_memory_equal(m + 0xA020, "xy\n", 3);
	assert_string_equal(th_out, "xq\b \by\n");
}

/* In raw mode Ctrl-C is still the interrupt, never a byte. */
static void test_raw_mode_ctrl_c_is_no_byte(void **state)
{
	(void)state;
	const char src[] = PRELUDE
		" IMM8 R1, 0\n SYSCALL SYS_SETFG\n IMM8 R1, INTR_CATCH\n SYSCALL SYS_INTR\n"
		" IMM8 R1, TTY_RAW\n SYSCALL SYS_TTYMODE\n"
		" IMM8 R1, 0\n IMM32 R2, 0xA000\n IMM8 R3, 16\n SYSCALL SYS_READ\n STW R0, [R6 + 0]\n"
		" IMM8 R1, 0\n IMM32 R2, 0xA000\n IMM8 R3, 16\n SYSCALL SYS_READ\n STW R0, [R6 + 4]\n"
		" JMP park\n";
	uint32_t p = boot_one(src);
	sched_run(0);
	tty_input("\x03", 1);
	sched_run(0);
	assert_int_equal(res(p, 0), (uint32_t)-PXE_EINTR);
	tty_input("z", 1);
	sched_run(0);
	assert_int_equal(res(p, 1), 1);
	assert_int_equal(th_out_len, 0); /* not even "^C": the program draws its screen */
}

/* ---- output that blocks ------------------------------------------------------------ */

static void test_console_output_blocks_the_writer(void **state)
{
	(void)state;
	/* Writes 1000 bytes ('A' or argv's first byte) at once, then parks. */
	const char w[] = PRELUDE
		" LOAD R1, SYS_ARGC_ADDR\n IMM8 R3, 'A'\n IMM8 R2, 2\n BLTU R1, R2, fill\n"
		" LOAD R1, 0x124\n LDB R3, [R1]\n"
		"fill:\n IMM32 R1, 0x8000\n IMM32 R2, 0x8000 + 1000\n"
		"loop:\n STB R3, [R1]\n ADDI R1, R1, 1\n BLTU R1, R2, loop\n"
		" IMM8 R1, 1\n IMM32 R2, 0x8000\n IMM32 R3, 1000\n SYSCALL SYS_WRITE\n STW R0, [R6 + 0]\n"
		" JMP park\n";
	const struct th_file f[] = { { "/bin/w", w, 0, 0 }, { "/bin/spin", spin_src, 0, 0 } };
	th_boot(W, H, f, 2);
	th_out_room = 100;
	th_out_refill = 30;
	int a = th_spawn("/bin/w", 0);
	int b = th_spawn("/bin/w", "B");
	int s = th_spawn("/bin/spin", 0);
	sched_run(40000);
	/* Both wait, as PROCINFO says; the spinner runs meanwhile. */
	uint8_t pi[PXVM_PROCINFO_SIZE];
	uint32_t wd[PXVM_PROCINFO_SIZE / 4];
	assert_int_equal(sched_procinfo(proc_index(proc_find((uint32_t)a)), pi), 0);
	memcpy(wd, pi, sizeof(wd));
	assert_int_equal(wd[PXVM_PI_STATE / 4], PXVM_PS_BLOCKED);
	assert_int_equal(wd[PXVM_PI_BLOCK / 4], PXVM_PB_OUTPUT);
	assert_int_equal(proc_find((uint32_t)b)->block, BLOCK_OUTPUT);
	assert_true(proc_find((uint32_t)s)->vm.steps >= 20000);
	assert_true(th_out_waits >= 1);
	th_no_idle = 1;
	sched_run(3000000);
	/* Everything came out, first blocked first served, and WRITE said 1000. */
	assert_int_equal(res((uint32_t)a, 0), 1000);
	assert_int_equal(res((uint32_t)b, 0), 1000);
	assert_int_equal(th_stdout_len, 2000);
	for (uint32_t i = 0; i < 2000; i++)
		assert_int_equal(th_stdout[i], i < 1000 ? 'A' : 'B');
	/* The calls were charged: the simulator's clock counts that as time. */
	assert_true(sched_total_charged() >= 2000 * SYS_COST_CONSOLE_BYTE);
}

static void test_killed_while_blocked_in_output(void **state)
{
	(void)state;
	const char w[] = PRELUDE
		" IMM8 R1, 1\n IMM32 R2, 0x8000\n IMM32 R3, 4000\n SYSCALL SYS_WRITE\n STW R0, [R6 + 0]\n JMP park\n";
	const struct th_file f[] = { { "/bin/w", w, 0, 0 } };
	th_boot(W, H, f, 1);
	th_out_room = 10;
	int a = th_spawn("/bin/w", 0);
	int b = th_spawn("/bin/w", 0);
	sched_run(100000);
	assert_int_equal(proc_find((uint32_t)a)->block, BLOCK_OUTPUT);
	assert_int_equal(sched_kill(0, (uint32_t)a), 0);
	th_out_refill = 1000;
	sched_run(100000);
	assert_int_equal(res((uint32_t)b, 0), 4000); /* the next one goes on */
}

/* ---- small defects ---------------------------------------------------------------- */

static void test_too_many_arguments_is_e2big(void **state)
{
	(void)state;
	const struct th_file f[] = { { "/bin/t", park_src, 0, 0 } };
	th_boot(W, H, f, 1);
	assert_true(sched_spawn("/bin/t", "1 2 3 4 5 6 7", 0) > 0);      /* argv[0..7] */
	assert_int_equal(sched_spawn("/bin/t", "1 2 3 4 5 6 7 8", 0), -PXE_E2BIG);
	char longarg[200];
	memset(longarg, 'x', sizeof(longarg) - 1);
	longarg[sizeof(longarg) - 1] = '\0';
	assert_int_equal(sched_spawn("/bin/t", longarg, 0), -PXE_ENAMETOOLONG);
}

static void test_fault_report_of_imm32_in_the_last_word(void **state)
{
	(void)state;
	char dis[PXVM_DISASM_MAX];
	uint32_t imm32_r1 = PXVM_ENCODE(PXVM_OP_IMM32, 1, 0, 0);
	assert_int_equal(pxvm_disasm_last(imm32_r1, 0xFFFC, dis, sizeof(dis)), 1);
	assert_string_equal(dis, "IMM32 R1, ? ; value word past the end of memory");
	assert_int_equal(pxvm_disasm_last(PXVM_ENCODE(PXVM_OP_NOP, 0, 0, 0), 0xFFFC, dis, sizeof(dis)), 1);
	assert_string_equal(dis, "NOP");
	/* A program that puts an IMM32 in the last word and jumps there. */
	const char src[] = PRELUDE
		" LOAD R2, tmpl\n IMM32 R3, 0xFFFC\n STW R2, [R3]\n JR R3\n"
		"tmpl: IMM32 R1, 0x12345678\n";
	boot_one(src);
	sched_run(0);
	assert_non_null(strstr(th_warn_log, "pc 0xfffc"));
	assert_non_null(strstr(th_warn_log, "(IMM32 R1, ? ; value word past the end of memory)"));
}

static void test_quantum_overrun_is_logged(void **state)
{
	(void)state;
	const char src[] = ".include \"pxos.inc\"\n_start:\n SYSCALL SYS_GETPID\n JMP _start\n";
	boot_one(src);
	th_clock_step_us = 5; /* a slow machine: every clock reading costs 5 us */
	sched_run(200000);
	assert_non_null(strstr(th_last_warning, "one quantum took"));
	assert_non_null(strstr(th_last_warning, "slowest system call GETPID"));
	assert_true(th_warnings < 10); /* at most one a second */
}

static void test_input_latency_log(void **state)
{
	(void)state;
	const char src[] = PRELUDE
		"read:\n IMM8 R1, 0\n IMM32 R2, 0xA000\n IMM8 R3, 64\n SYSCALL SYS_READ\n JMP read\n";
	boot_one(src);
	th_no_idle = 1;
	sched_run(0);
	th_now_us = 1000000;
	tty_input_at("fast\n", 5, th_now_us - 2000);
	sched_run(0);
	struct tty_latency l;
	tty_latency(&l);
	assert_int_equal(l.count, 1);
	assert_true(l.max_us >= 2000 && l.max_us < 10000);
	assert_int_equal(l.over, 0);
	tty_input_at("slow\n", 5, th_now_us - 150000);
	sched_run(0);
	tty_latency(&l);
	assert_int_equal(l.count, 2);
	assert_true(l.max_us >= 150000);
	assert_int_equal(l.over, 1);
	assert_non_null(strstr(th_last_warning, "after it was typed"));
	tty_latency_reset();
	tty_latency(&l);
	assert_int_equal(l.count, 0);
}

static void test_slot_labels_keep_their_state(void **state)
{
	(void)state;
	char b[64];
	vram_slot_label(b, sizeof(b), 33, 5, "swarm", ": killed");
	assert_string_equal(b, "pid 5 swarm: killed");
	vram_slot_label(b, sizeof(b), 16, 5, "swarm", ": killed");   /* a 16x32 font: 16 columns */
	assert_string_equal(b, "5 swarm: killed");
	vram_slot_label(b, sizeof(b), 16, 12, "organism", ": killed");
	assert_string_equal(b, "12 orga~: killed");
	vram_slot_label(b, sizeof(b), 33, 31, "a-very-long-program-name-indeed", " [output]");
	assert_string_equal(b, "31 a-very-long-program-~ [output]");
	vram_slot_label(b, sizeof(b), 8, 12, "x", ": fault 6");
	assert_int_equal(strlen(b), 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sessions_groups_and_setpgid),
		cmocka_unit_test(test_setsid_for_children_of_pid1),
		cmocka_unit_test(test_fork_bomb_stops_at_the_job_limit),
		cmocka_unit_test(test_fork_and_exit_chain_keeps_its_group),
		cmocka_unit_test(test_chain_nobody_waits_for_stops),
		cmocka_unit_test(test_spawn_bomb_stops_at_the_job_limit),
		cmocka_unit_test(test_ctrl_c_ends_the_whole_job),
		cmocka_unit_test(test_ctrl_c_caught_then_again_within_a_second),
		cmocka_unit_test(test_setfg_self_is_no_shelter),
		cmocka_unit_test(test_raw_mode),
		cmocka_unit_test(test_raw_mode_ctrl_c_is_no_byte),
		cmocka_unit_test(test_console_output_blocks_the_writer),
		cmocka_unit_test(test_killed_while_blocked_in_output),
		cmocka_unit_test(test_too_many_arguments_is_e2big),
		cmocka_unit_test(test_fault_report_of_imm32_in_the_last_word),
		cmocka_unit_test(test_quantum_overrun_is_logged),
		cmocka_unit_test(test_input_latency_log),
		cmocka_unit_test(test_slot_labels_keep_their_state),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
