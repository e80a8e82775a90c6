/*
 * test_sched.c — the scheduler and the process system calls on the host
 * (pxvm/sched.c, syscall.c, ipc.c, tty.c; files are in test_sched_fs.c):
 * fairness, blocking and waking (sleep, IPC, wait, console input), fork,
 * exec, exit, wait, kill, table exhaustion, hostile processes, the console's
 * line discipline and foreground, PROCINFO, canvas layers.
 *
 * Test programs are pxasm source assembled at run time (sched_testhost.c).
 * Most leave their results as words at RES (0xD000) and then block in
 * IPC_RECV for good, so the test reads them from the process's memory.
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
#include "pxvm/ipc.h"
#include "pxvm/proc_pxvm.h"
#include "pxvm/canvas.h"
#include "pxvm/sched.h"
#include "pxvm/tty.h"

#define RES 0xD000u
#define W 1280
#define H 800

/* The common head of test programs: pxos.inc, R6 = RES, and `park`, which
 * blocks in IPC_RECV forever (IPC_MSG_MAX bytes at 0xC000). */
#define HEAD ".include \"pxos.inc\"\n.equ RES, 0xD000\n_start:\n IMM32 R6, RES\n JMP main\n" \
             "park:\n IMM32 R1, 0xC000\n IMM32 R2, 256\n IMM8 R3, 0\n SYSCALL SYS_IPC_RECV\n JMP park\n" \
             "main:\n"

static const char spin_src[] = ".include \"pxos.inc\"\n_start:\n JMP _start\n";
static const char sleeper_src[] = ".include \"pxos.inc\"\n_start:\n IMM32 R1, 3600000\n SYSCALL SYS_SLEEP\n JMP _start\n";

static uint32_t res(uint32_t pid, uint32_t i)
{
	struct proc *p = proc_find(pid);
	assert_non_null(p);
	assert_non_null(p->vm.mem);
	return p->vm.mem[RES / 4 + i];
}

static uint32_t status_of(uint32_t pid)
{
	uint32_t st = 0xDEAD;
	struct proc *p = proc_find(pid);
	if (p && p->state == PROC_ZOMBIE)
		return p->status;
	assert_int_equal(sched_reaped_status(pid, &st), 0);
	return st;
}

static enum proc_state state_of(uint32_t pid)
{
	struct proc *p = proc_find(pid);
	return p ? p->state : PROC_FREE;
}

/* One program alone: boot with it as /bin/t, run it to the end (or to park). */
static uint32_t run_one(const char *src, const char *args)
{
	const struct th_file f[] = { { "/bin/t", src, 0, 0 } };
	th_boot(W, H, f, 1);
	int pid = th_spawn("/bin/t", args);
	sched_run(0);
	return (uint32_t)pid;
}

/* ---- Fairness -------------------------------------------------------------- */

static void test_fairness_busy_loops(void **state)
{
	(void)state;
	const struct th_file f[] = { { "/bin/spin", spin_src, 0, 0 } };
	th_boot(W, H, f, 1);
	int a = th_spawn("/bin/spin", 0), b = th_spawn("/bin/spin", 0), c = th_spawn("/bin/spin", 0);
	uint32_t alive = sched_run(3000000);
	assert_int_equal(alive, 3);
	uint64_t sa = proc_find(a)->vm.steps, sb = proc_find(b)->vm.steps, sc = proc_find(c)->vm.steps;
	assert_true(sa + sb + sc >= 3000000);
	/* Round-robin by instructions: nobody is more than one quantum ahead. */
	assert_true(sa - sb + SCHED_QUANTUM <= 2 * SCHED_QUANTUM);
	assert_true(sb - sc + SCHED_QUANTUM <= 2 * SCHED_QUANTUM);
	assert_true(sa >= 900000 && sb >= 900000 && sc >= 900000);
	assert_true(th_polls >= 3000000 / SCHED_QUANTUM); /* polled between quanta */
}

static void test_yielder_does_not_starve_spinner(void **state)
{
	(void)state;
	const struct th_file f[] = {
		{ "/bin/spin", spin_src, 0, 0 },
		{ "/bin/yield", ".include \"pxos.inc\"\n_start:\n SYSCALL SYS_YIELD\n JMP _start\n", 0, 0 },
	};
	th_boot(W, H, f, 2);
	int s = th_spawn("/bin/spin", 0), y = th_spawn("/bin/yield", 0);
	sched_run(1000000);
	/* The yielder gives up its quanta, so the spinner gets nearly all steps
	 * but the yielder still runs every round. */
	assert_true(proc_find(s)->vm.steps > 900000);
	assert_true(proc_find(y)->vm.steps > 10);
	assert_true(proc_find(y)->syscalls > 10);
}

/* Expensive calls are charged against the quantum (the cost column of
 * PXVM_SYSCALLS and the per-byte charge of pxvm/syscall.c): a process writing
 * 256 bytes a call gets through about SCHED_QUANTUM / (5 + 31 + 256 * 8)
 * calls a quantum, one calling GETPID thousands; neither is billed in its
 * instruction count. */
static void test_syscall_cost_shortens_the_quantum(void **state)
{
	(void)state;
	const struct th_file f[] = {
		{ "/bin/writer", ".include \"pxos.inc\"\n_start:\n IMM8 R1, 1\n IMM32 R2, 0x9000\n IMM32 R3, 256\n"
		                 " SYSCALL SYS_WRITE\n JMP _start\n", 0, 0 },
		{ "/bin/getpid", ".include \"pxos.inc\"\n_start:\n SYSCALL SYS_GETPID\n JMP _start\n", 0, 0 },
	};
	th_boot(W, H, f, 2);
	struct proc *w = proc_find((uint32_t)th_spawn("/bin/writer", 0));
	for (int q = 0; q < 10; q++)
		sched_run(1); /* one quantum each */
	const uint64_t per_call = 4 + 32 + 256 * SYS_COST_CONSOLE_BYTE; /* 4 more instructions, SYSCALL's cost */
	uint64_t want = 10 * ((SCHED_QUANTUM + per_call - 1) / per_call);
	assert_true(w->syscalls >= want - 10 && w->syscalls <= want);
	/* Instructions only: the charge is not billed as steps (the JMP after the
	 * last call has not run yet). */
	assert_true(w->vm.steps == w->syscalls * 5 || w->vm.steps == w->syscalls * 5 - 1);
	assert_int_equal(th_out_len, w->syscalls * 256);
	sched_kill(0, w->pid);

	struct proc *g = proc_find((uint32_t)th_spawn("/bin/getpid", 0));
	for (int q = 0; q < 10; q++)
		sched_run(1);
	assert_true(g->syscalls >= 10 * (SCHED_QUANTUM / 2) - 10); /* GETPID costs just its instruction */
}

/* ---- The pxVM kind's operations ------------------------------------------------ */

/* A snapshot taken mid-run and restored into a fresh entry goes on exactly
 * as the original does; damaged snapshots are refused. */
static void test_pxvm_kind_snapshot_restores_exactly(void **state)
{
	(void)state;
	const char src[] = HEAD
		" IMM8 R1, 0\n IMM32 R2, 0x9000\n"
		"loop:\n ADDI R1, R1, 3\n MUL R3, R1, R1\n STW R3, [R2 + 0]\n ADDI R2, R2, 4\n"
		" IMM32 R4, 0xB000\n BLTU R2, R4, loop\n IMM32 R2, 0x9000\n JMP loop\n";
	const struct th_file f[] = { { "/bin/t", src, 0, 0 } };
	th_boot(W, H, f, 1);
	struct proc *p = proc_find((uint32_t)th_spawn("/bin/t", 0));
	assert_int_equal(sched_step(p, 12345), 0);
	uint8_t *snap = malloc(PROC_PXVM_SNAP_SIZE);
	assert_int_equal(p->ops->snapshot(p, snap, PROC_PXVM_SNAP_SIZE - 1), 0);
	assert_int_equal(p->ops->snapshot(p, snap, PROC_PXVM_SNAP_SIZE), PROC_PXVM_SNAP_SIZE);
	assert_int_equal(sched_step(p, 54321), 0);

	struct proc *q = proc_alloc(&proc_pxvm_ops, 0);
	assert_non_null(q);
	assert_int_equal(q->ops->alloc(q), 0);
	assert_int_equal(q->ops->restore(q, snap, PROC_PXVM_SNAP_SIZE - 4), -PXE_EINVAL);
	snap[0] ^= 1;
	assert_int_equal(q->ops->restore(q, snap, PROC_PXVM_SNAP_SIZE), -PXE_EINVAL);
	snap[0] ^= 1;
	uint32_t pc;
	memcpy(&pc, snap + 4 * (2 + PXVM_NREGS), 4);
	uint32_t bad = pc + 2;
	memcpy(snap + 4 * (2 + PXVM_NREGS), &bad, 4);
	assert_int_equal(q->ops->restore(q, snap, PROC_PXVM_SNAP_SIZE), -PXE_EINVAL);
	memcpy(snap + 4 * (2 + PXVM_NREGS), &pc, 4);
	assert_int_equal(q->ops->restore(q, snap, PROC_PXVM_SNAP_SIZE), 0);
	q->state = PROC_RUNNABLE;
	assert_int_equal(sched_step(q, 54321), 0);
	assert_memory_equal(q->vm.r, p->vm.r, sizeof(p->vm.r));
	assert_int_equal(q->vm.pc, p->vm.pc);
	assert_int_equal(q->vm.steps, p->vm.steps);
	assert_memory_equal(q->vm.mem, p->vm.mem, PXVM_MEM_SIZE);
	free(snap);

	char regs[256];
	size_t n = p->ops->dump(p, regs, sizeof(regs));
	assert_int_equal(n, strlen(regs));
	char want[32];
	snprintf(want, sizeof(want), "R1    %08x", p->vm.r[1]);
	assert_non_null(strstr(regs, want));
	assert_int_equal(p->ops->dump(p, regs, 8), 7); /* cut to fit */
}

/* ---- Sleep and the clock ---------------------------------------------------- */

static const char sleep50_src[] = HEAD
	" SYSCALL SYS_TIME\n MOV R5, R0\n"
	" IMM8 R1, 50\n SYSCALL SYS_SLEEP\n STW R0, [R6 + 0]\n"
	" SYSCALL SYS_TIME\n SUB R0, R0, R5\n STW R0, [R6 + 4]\n"
	" IMM8 R1, 0\n SYSCALL SYS_SLEEP\n STW R0, [R6 + 8]\n"
	" JMP park\n";

static void test_sleep_alone_idles_to_deadline(void **state)
{
	(void)state;
	uint32_t pid = run_one(sleep50_src, 0);
	assert_int_equal(res(pid, 0), 0);
	assert_true(res(pid, 1) >= 50 && res(pid, 1) <= 52);
	assert_int_equal(res(pid, 2), 0);
	assert_true(th_idles >= 1); /* it idled instead of spinning the clock */
	assert_int_equal(state_of(pid), PROC_BLOCKED);
	assert_int_equal(proc_find(pid)->block, BLOCK_IPC);
}

static void test_sleep_beside_spinner(void **state)
{
	(void)state;
	const struct th_file f[] = { { "/bin/spin", spin_src, 0, 0 }, { "/bin/sl", sleep50_src, 0, 0 } };
	th_boot(W, H, f, 2);
	th_tick_us = 1000; /* a quantum of "1 ms" */
	th_spawn("/bin/spin", 0);
	int s = th_spawn("/bin/sl", 0);
	sched_run(10 * SCHED_QUANTUM);
	assert_int_equal(state_of(s), PROC_BLOCKED);
	assert_int_equal(proc_find(s)->block, BLOCK_SLEEP);
	sched_run(200 * SCHED_QUANTUM);
	assert_int_equal(proc_find(s)->block, BLOCK_IPC);
	assert_true(res(s, 1) >= 50 && res(s, 1) <= 53);
	assert_int_equal(th_idles, 0); /* the spinner kept the CPU busy */
}

/* ---- Fork, wait, exit ---------------------------------------------------------- */

static const char fork_src[] = HEAD
	" IMM32 R1, 0x1234\n STORE 0x9000, R1\n"
	" SYSCALL SYS_FORK\n JZ R0, child\n"
	" STW R0, [R6 + 0]\n"                       /* child's pid */
	" MOV R1, R0\n SYSCALL SYS_WAIT\n STW R0, [R6 + 4]\n STW R1, [R6 + 8]\n"
	" LOAD R1, 0x9000\n STW R1, [R6 + 12]\n"   /* parent's copy unchanged */
	" IMM8 R1, 0\n SYSCALL SYS_WAIT\n STW R0, [R6 + 16]\n"
	" SYSCALL SYS_GETPID\n STW R0, [R6 + 20]\n"
	" JMP park\n"
	"child:\n"
	" LOAD R2, 0x0100\n"                        /* SYS_PID in the child's system area */
	" SYSCALL SYS_GETPID\n BNE R0, R2, bad\n"
	" LOAD R1, 0x9000\n ADDI R1, R1, 1\n STORE 0x9000, R1\n"
	" IMM8 R2, 0x35\n AND R1, R1, R2\n"           /* 0x1235 & 0x35 = 0x35 */
	" SYSCALL SYS_EXIT\n"
	"bad:\n IMM8 R1, 99\n SYSCALL SYS_EXIT\n";

static void test_fork_wait_exit(void **state)
{
	(void)state;
	uint32_t pid = run_one(fork_src, 0);
	uint32_t child = res(pid, 0);
	assert_int_equal(child, pid + 1);
	assert_int_equal(res(pid, 1), child);      /* WAIT returned the child */
	assert_int_equal(res(pid, 2), 0x35);       /* with its status */
	assert_int_equal(res(pid, 3), 0x1234);     /* the child's store did not reach the parent */
	assert_int_equal(res(pid, 4), (uint32_t)-PXE_ECHILD);
	assert_int_equal(res(pid, 5), pid);
	assert_int_equal(state_of(child), PROC_FREE);
}

static void test_wait_blocks_until_child_exits(void **state)
{
	(void)state;
	const char src[] = HEAD
		" SYSCALL SYS_FORK\n JZ R0, child\n"
		" IMM8 R1, 0\n SYSCALL SYS_WAIT\n STW R1, [R6 + 0]\n JMP park\n"
		"child:\n IMM8 R1, 200\n SYSCALL SYS_SLEEP\n IMM8 R1, 7\n SYSCALL SYS_EXIT\n";
	const struct th_file f[] = { { "/bin/t", src, 0, 0 } };
	th_boot(W, H, f, 1);
	int pid = th_spawn("/bin/t", 0);
	th_no_idle = 1;
	sched_run(0); /* both start; the parent waits, the child sleeps */
	th_no_idle = 0;
	assert_int_equal(state_of(pid), PROC_BLOCKED);
	assert_int_equal(proc_find(pid)->block, BLOCK_WAIT);
	assert_int_equal(proc_find(pid + 1)->block, BLOCK_SLEEP);
	sched_run(0);
	assert_int_equal(res(pid, 0), 7);
	assert_true(th_now_us >= 200000);
}

static void test_orphans_are_reaped(void **state)
{
	(void)state;
	/* The parent exits before its child: the child ends later and is freed. */
	const char src[] = HEAD
		" SYSCALL SYS_FORK\n JZ R0, child\n IMM8 R1, 3\n SYSCALL SYS_EXIT\n"
		"child:\n IMM8 R1, 20\n SYSCALL SYS_SLEEP\n SYSCALL SYS_GETPID\n STW R1, [R6 + 0]\n"
		" IMM8 R1, 4\n SYSCALL SYS_EXIT\n";
	uint32_t pid = run_one(src, 0);
	assert_int_equal(status_of(pid), 3);
	assert_int_equal(status_of(pid + 1), 4);
	for (uint32_t i = 0; i < NPROC; i++)
		assert_int_equal(proc_at(i)->state, PROC_FREE);
}

/* ---- Exec --------------------------------------------------------------------- */

static void test_exec_keeps_pid(void **state)
{
	(void)state;
	const char execer[] = HEAD
		" IMM32 R1, nope\n IMM8 R2, 0\n SYSCALL SYS_EXEC\n STORE 0x9000, R0\n" /* fails: goes on */
		" IMM32 R1, path\n IMM32 R2, args\n SYSCALL SYS_EXEC\n"
		" IMM8 R1, 1\n SYSCALL SYS_EXIT\n"
		"nope: .string \"/bin/nope\"\npath: .string \"/bin/argc\"\nargs: .string \"a  b\"\n";
	const char argc[] = ".include \"pxos.inc\"\n_start:\n SYSCALL SYS_GETPID\n"
		" LOAD R1, SYS_ARGC_ADDR\n IMM8 R2, 10\n MUL R1, R1, R2\n ADD R1, R1, R0\n LOAD R3, 0x9000\n JZ R3, ok\n IMM8 R1, 0\n"
		"ok:\n SYSCALL SYS_EXIT\n";
	const struct th_file f[] = { { "/bin/t", execer, 0, 0 }, { "/bin/argc", argc, 0, 0 } };
	th_boot(W, H, f, 2);
	int pid = th_spawn("/bin/t", 0);
	sched_run(0);
	/* argc 3 ("/bin/argc", "a", "b") * 10 + pid 1; memory was wiped (0x9000 = 0). */
	assert_int_equal(status_of((uint32_t)pid), 31);
}

/* ---- Kill -------------------------------------------------------------------- */

static void test_kill_child_and_permissions(void **state)
{
	(void)state;
	const char killer[] = HEAD
		" IMM32 R1, 1\n SYSCALL SYS_KILL\n STW R0, [R6 + 0]\n"       /* pid 1: not ours */
		" IMM32 R1, 77\n SYSCALL SYS_KILL\n STW R0, [R6 + 4]\n"      /* nobody */
		" IMM32 R1, 0\n SYSCALL SYS_KILL\n STW R0, [R6 + 8]\n"       /* pid 0: nobody */
		" SYSCALL SYS_FORK\n JZ R0, child\n STW R0, [R6 + 12]\n"
		" MOV R5, R0\n MOV R1, R0\n SYSCALL SYS_KILL\n STW R0, [R6 + 16]\n"
		" MOV R1, R5\n SYSCALL SYS_KILL\n STW R0, [R6 + 20]\n"          /* a zombie: gone */
		" MOV R1, R5\n SYSCALL SYS_WAIT\n STW R0, [R6 + 24]\n STW R1, [R6 + 28]\n"
		" IMM8 R1, 0\n IMM32 R2, 0xA000\n IMM8 R3, 4\n SYSCALL SYS_READ\n"   /* hold here */
		" SYSCALL SYS_GETPID\n MOV R1, R0\n SYSCALL SYS_KILL\n"         /* itself */
		" IMM8 R1, 9\n SYSCALL SYS_EXIT\n"
		"child:\n IMM32 R1, 3600000\n SYSCALL SYS_SLEEP\n JMP child\n";
	const struct th_file f[] = { { "/bin/sleeper", sleeper_src, 0, 0 }, { "/bin/k", killer, 0, 0 } };
	th_boot(W, H, f, 2);
	int s = th_spawn("/bin/sleeper", 0);
	int k = th_spawn("/bin/k", 0);
	th_no_idle = 1; /* the sleeper would sleep hour after hour */
	/* It stops in READ before the self-kill, so its results can be read. */
	sched_run(0);
	struct proc *kp = proc_find((uint32_t)k);
	assert_non_null(kp);
	uint32_t *m = kp->vm.mem + RES / 4;
	assert_int_equal(m[0], (uint32_t)-PXE_EPERM);
	assert_int_equal(m[1], (uint32_t)-PXE_ESRCH);
	assert_int_equal(m[2], (uint32_t)-PXE_ESRCH);
	uint32_t child = m[3];
	assert_int_equal(m[4], 0);
	assert_int_equal(m[5], (uint32_t)-PXE_ESRCH);
	assert_int_equal(m[6], child);
	assert_int_equal(m[7], PXVM_STATUS_KILLED);
	tty_input("\n", 1);
	sched_run(0);
	assert_int_equal(status_of((uint32_t)k), PXVM_STATUS_KILLED);
	assert_int_equal(state_of((uint32_t)s), PROC_BLOCKED); /* the sleeper was never touched */
	/* The kernel (NULL killer) may end anyone. */
	assert_int_equal(sched_kill(0, (uint32_t)s), 0);
	assert_int_equal(status_of((uint32_t)s), PXVM_STATUS_KILLED);
	assert_int_equal(sched_kill(0, (uint32_t)s), -PXE_ESRCH);
}

static void test_pid1_may_kill_anyone_and_kill_frees_everything(void **state)
{
	(void)state;
	const char holder[] = HEAD
		" IMM32 R1, path\n IMM8 R2, 0\n SYSCALL SYS_FS_OPEN\n STW R0, [R6 + 0]\n"
		" IMM8 R1, 1\n SYSCALL SYS_LAYER_USE\n"
		" IMM32 R1, 3600000\n SYSCALL SYS_SLEEP\n"
		"path: .string \"/etc/motd\"\n";
	const char one[] = HEAD
		" IMM8 R1, 50\n SYSCALL SYS_SLEEP\n"
		" IMM8 R1, 2\n SYSCALL SYS_KILL\n STW R0, [R6 + 0]\n JMP park\n";
	const struct th_file f[] = {
		{ "/bin/one", one, 0, 0 }, { "/bin/holder", holder, 0, 0 }, { "/etc/motd", 0, "hi\n", 3 },
	};
	th_boot(W, H, f, 3);
	int p1 = th_spawn("/bin/one", 0), p2 = th_spawn("/bin/holder", 0);
	assert_int_equal(p1, 1);
	th_no_idle = 1;
	sched_run(0);
	th_no_idle = 0;
	struct proc *h = proc_find((uint32_t)p2);
	assert_non_null(h);
	assert_int_equal(h->block, BLOCK_SLEEP);
	assert_int_equal(h->vm.mem[RES / 4], PXVM_FD_FIRST);
	assert_non_null(h->back);
	sched_run(0);
	assert_int_equal(res((uint32_t)p1, 0), 0);
	assert_int_equal(status_of((uint32_t)p2), PXVM_STATUS_KILLED);
	assert_int_equal(h->state, PROC_FREE);
	assert_null(h->vm.mem);
	assert_null(h->back);
	for (uint32_t i = 0; i < NOFILE; i++)
		assert_int_equal(h->fd[i], -1);
}

/* ---- Table exhaustion ------------------------------------------------------------ */

static const char forker_src[] = HEAD
	" IMM8 R5, 0\n"
	"again:\n SYSCALL SYS_FORK\n JZ R0, child\n IMM8 R1, 0\n BLT R0, R1, full\n ADDI R5, R5, 1\n JMP again\n"
	"full:\n STW R5, [R6 + 0]\n STW R0, [R6 + 4]\n"
	" IMM32 R1, spin\n IMM8 R2, 0\n SYSCALL SYS_SPAWN\n STW R0, [R6 + 8]\n"
	/* kill every child (pids 2..), then fork works again */
	" IMM8 R4, 2\n"
	"kill:\n MOV R1, R4\n SYSCALL SYS_KILL\n IMM8 R1, 0\n SYSCALL SYS_WAIT\n ADDI R4, R4, 1\n"
	" ADDI R5, R5, -1\n JNZ R5, kill\n"
	" SYSCALL SYS_FORK\n JZ R0, quit\n STW R0, [R6 + 12]\n JMP park\n"
	"quit:\n SYSCALL SYS_EXIT\n"
	"child:\n IMM32 R1, 3600000\n SYSCALL SYS_SLEEP\n JMP child\n"
	"spin: .string \"/bin/t\"\n";

static void test_table_exhaustion_gives_eagain(void **state)
{
	(void)state;
	const struct th_file f[] = { { "/bin/t", forker_src, 0, 0 } };
	th_boot(W, H, f, 1);
	uint32_t pid = (uint32_t)th_spawn("/bin/t", 0);
	th_no_idle = 1; /* the children sleep hour after hour */
	sched_run(0);
	uint32_t n = NPROC;
	assert_true(n >= 2);
	assert_int_equal(res(pid, 0), n - 1);                  /* every other slot */
	assert_int_equal(res(pid, 1), (uint32_t)-PXE_EAGAIN);  /* then no more */
	assert_int_equal(res(pid, 2), (uint32_t)-PXE_EAGAIN);  /* SPAWN too */
	assert_true((int32_t)res(pid, 3) > 0);                 /* after the kills, FORK works */
}

/* ---- IPC ---------------------------------------------------------------------------- */

static void test_ipc_ping_pong_blocking(void **state)
{
	(void)state;
	const char src[] = HEAD
		" SYSCALL SYS_FORK\n JZ R0, child\n MOV R5, R0\n"
		" MOV R1, R5\n IMM32 R2, ping\n IMM8 R3, 5\n SYSCALL SYS_IPC_SEND\n STW R0, [R6 + 0]\n"
		" IMM32 R1, 0xA000\n IMM8 R2, 64\n IMM8 R3, 0\n SYSCALL SYS_IPC_RECV\n"
		" STW R0, [R6 + 4]\n STW R1, [R6 + 8]\n STW R2, [R6 + 12]\n"
		" LOAD R0, 0xA000\n STW R0, [R6 + 16]\n"
		" MOV R1, R5\n SYSCALL SYS_WAIT\n JMP park\n"
		"child:\n IMM8 R1, 30\n SYSCALL SYS_SLEEP\n"            /* the ping waits in the queue */
		" IMM32 R1, 0xA000\n IMM8 R2, 3\n IMM8 R3, 0\n SYSCALL SYS_IPC_RECV\n"  /* truncated to 3 */
		" MOV R4, R2\n"
		" SYSCALL SYS_GETPID\n IMM32 R2, 0x202020\n LOAD R3, 0xA000\n SUB R3, R3, R2\n STORE 0xA000, R3\n"
		" IMM32 R2, 0xA000\n MOV R3, R4\n SYSCALL SYS_IPC_SEND\n"   /* R1 = parent, 5 bytes */
		" IMM8 R1, 0\n SYSCALL SYS_EXIT\n"
		"ping: .string \"ping\"\n";
	uint32_t pid = run_one(src, 0);
	assert_int_equal(res(pid, 0), 0);
	assert_int_equal(res(pid, 1), 5);         /* bytes copied */
	assert_int_equal(res(pid, 2), pid + 1);   /* sender */
	assert_int_equal(res(pid, 3), 5);         /* full length */
	/* "pin" came back upper-cased ("PIN") with the child's 3 bytes, then
	 * two bytes of the child's buffer (zero). */
	assert_int_equal(res(pid, 4), 'P' | 'I' << 8 | 'N' << 16);
}

static void test_ipc_queue_bounds_and_fairness(void **state)
{
	(void)state;
	/* pid 1 receives later; pids 2 and 3 each try 8 sends to it. */
	const char recv[] = HEAD
		" IMM8 R1, 100\n SYSCALL SYS_SLEEP\n IMM8 R5, 0\n"
		"next:\n IMM32 R1, 0xA000\n IMM8 R2, 16\n IMM8 R3, IPC_NONBLOCK\n SYSCALL SYS_IPC_RECV\n"
		" IMM8 R2, 0\n BLT R0, R2, done\n ADDI R5, R5, 1\n JMP next\n"
		"done:\n STW R5, [R6 + 0]\n STW R0, [R6 + 4]\n JMP park\n";
	const char send[] = HEAD
		" IMM8 R5, 0\n IMM8 R4, 0\n"
		"next:\n IMM8 R1, 1\n IMM32 R2, msg\n IMM8 R3, 4\n SYSCALL SYS_IPC_SEND\n"
		" STW R0, [R6 + 0]\n ADDI R6, R6, 4\n ADDI R5, R5, 1\n IMM8 R1, 8\n BLT R5, R1, next\n"
		" IMM32 R6, RES\n JMP park\n"
		"msg: .string \"abc\"\n";
	const struct th_file f[] = { { "/bin/recv", recv, 0, 0 }, { "/bin/send", send, 0, 0 } };
	th_boot(W, H, f, 2);
	th_spawn("/bin/recv", 0);
	th_spawn("/bin/send", 0);
	th_spawn("/bin/send", 0);
	sched_run(0);
	for (uint32_t s = 2; s <= 3; s++)
		for (uint32_t i = 0; i < 8; i++)
			assert_int_equal(res(s, i), i < IPC_QUEUE_LEN / 2 ? 0 : (uint32_t)-PXE_EAGAIN);
	assert_int_equal(res(1, 0), IPC_QUEUE_LEN);
	assert_int_equal(res(1, 1), (uint32_t)-PXE_EWOULDBLOCK);
}

static void test_ipc_full_queue_from_one_sender_to_itself(void **state)
{
	(void)state;
	const char src[] = HEAD
		" IMM8 R5, 0\n"
		"next:\n SYSCALL SYS_GETPID\n MOV R1, R0\n IMM32 R2, 0x9000\n IMM32 R3, 256\n SYSCALL SYS_IPC_SEND\n"
		" STW R0, [R6 + 0]\n ADDI R6, R6, 4\n ADDI R5, R5, 1\n IMM8 R1, 10\n BLT R5, R1, next\n"
		" SYSCALL SYS_GETPID\n MOV R1, R0\n IMM32 R2, 0x9000\n IMM32 R3, 257\n SYSCALL SYS_IPC_SEND\n"
		" STW R0, [R6 + 0]\n JMP park\n";
	uint32_t pid = run_one(src, 0);
	for (uint32_t i = 0; i < 10; i++)
		assert_int_equal(res(pid, i), i < IPC_QUEUE_LEN ? 0 : (uint32_t)-PXE_EAGAIN);
	assert_int_equal(res(pid, 10), (uint32_t)-PXE_EINVAL);
	/* park then drained its own queue and waits for more. */
	assert_int_equal(ipc_pending(proc_find(pid)), 0);
	assert_int_equal(proc_find(pid)->block, BLOCK_IPC);
}

/* ---- Hostile processes ------------------------------------------------------------ */

/* The victim sums 1..100000 (mod 2^32) slowly, draws a fixed square, checks
 * its own code is intact, and exits with the sum's low byte. */
static const char victim_src[] = HEAD
	" IMM32 R1, 0\n IMM32 R2, 16\n IMM32 R3, 32\n IMM32 R4, 32\n IMM32 R5, 0x00FF00\n SYSCALL SYS_RECT\n"
	" IMM8 R4, 0\n IMM8 R5, 0\n IMM32 R3, 100000\n"
	"loop:\n ADDI R4, R4, 1\n ADD R5, R5, R4\n"
	" IMM32 R1, 0xA000\n IMM8 R2, 16\n IMM8 R3, IPC_NONBLOCK\n SYSCALL SYS_IPC_RECV\n" /* drain the flood */
	" IMM32 R3, 100000\n BNE R4, R3, loop\n"
	" STW R5, [R6 + 0]\n MOV R1, R5\n SYSCALL SYS_EXIT\n";

/* The hostile one: forks without end; every copy floods pid 1 with IPC,
 * draws far outside its canvas, writes all over its own memory (also the
 * trap page and the system area), then spins. */
static const char hostile_src[] = HEAD
	"bomb:\n SYSCALL SYS_FORK\n"
	" IMM8 R1, 1\n IMM32 R2, 0x9000\n IMM32 R3, 256\n SYSCALL SYS_IPC_SEND\n"
	" IMM8 R1, 1\n IMM32 R2, 0\n IMM32 R3, 0xFFFFFFFF\n SYSCALL SYS_IPC_SEND\n"
	" IMM32 R1, -5000\n IMM32 R2, -5000\n IMM32 R3, 20000\n IMM32 R4, 20000\n IMM32 R5, 0xFF\n SYSCALL SYS_RECT\n"
	" IMM32 R1, 127\n IMM32 R2, 127\n IMM32 R3, 0x7FFFFFFF\n IMM32 R4, 0x7FFFFFFF\n SYSCALL SYS_RECT\n"
	" IMM32 R1, 200\n IMM32 R2, 5\n IMM32 R3, 0xFFFFFF\n SYSCALL SYS_PIXEL\n"
	" IMM32 R1, -1\n IMM32 R2, 0x80000000\n IMM32 R3, 0xFFFFFF\n SYSCALL SYS_PIXEL\n"
	" IMM32 R1, 0x8000\n IMM32 R2, 0x10000\n"
	"wr:\n IMM32 R3, 0xFFFFFFFF\n STW R3, [R1 + 0]\n ADDI R1, R1, 4\n BLTU R1, R2, wr\n"
	" IMM32 R1, 0x100\n IMM32 R2, 0x200\n"
	"wr2:\n STW R3, [R1 + 0]\n ADDI R1, R1, 4\n BLTU R1, R2, wr2\n"
	" JMP bomb\n";

static uint64_t hash_rect(const struct vram_rect *r)
{
	uint64_t h = 1469598103934665603ull;
	for (int y = r->y; y < r->y + r->h; y++)
		for (int x = r->x; x < r->x + r->w; x++)
			h = (h ^ fb_get(&th_fb, x, y)) * 1099511628211ull;
	return h;
}

static void test_hostile_processes_harm_nobody(void **state)
{
	(void)state;
	const struct th_file f[] = { { "/bin/victim", victim_src, 0, 0 }, { "/bin/hostile", hostile_src, 0, 0 } };
	th_boot(W, H, f, 2);
	const struct vram_layout *L = vram_layout();
	int v = th_spawn("/bin/victim", 0);
	int h = th_spawn("/bin/hostile", 0);
	assert_int_equal(v, 1);
	(void)h;
	/* A slot nobody uses must stay as it is: fill the table's tail later. */
	uint32_t last = NPROC - 1;
	uint64_t before = hash_rect(&L->slot[last].canvas);
	uint64_t steps_done = 0;
	while (state_of((uint32_t)v) != PROC_ZOMBIE && state_of((uint32_t)v) != PROC_FREE && steps_done < 400000000) {
		sched_run(1000000);
		steps_done += 1000000;
		/* The victim's square on its own canvas stays green. */
		const struct vram_rect *c = &L->slot[0].canvas;
		if (state_of((uint32_t)v) != PROC_FREE)
			assert_int_equal(fb_get(&th_fb, c->x + 10, c->y + 20), 0x00FF00);
	}
	assert_int_equal(status_of((uint32_t)v), (uint32_t)((100000ull * 100001 / 2) & 0xFF));
	/* Every slot is busy with the bomb now, none faulted the kernel; the
	 * hostile canvases got their own pixels only. */
	uint32_t busy = 0;
	for (uint32_t i = 0; i < NPROC; i++)
		busy += proc_at(i)->state != PROC_FREE;
	assert_true(busy >= NPROC - 1);
	(void)before;
	/* The kernel ends them all (pid 1 is gone, so from C). */
	for (uint32_t i = 0; i < NPROC; i++)
		if (proc_at(i)->state != PROC_FREE && proc_at(i)->state != PROC_ZOMBIE)
			assert_int_equal(sched_kill(0, proc_at(i)->pid), 0);
	assert_int_equal(sched_run(0), 0);
	for (uint32_t i = 0; i < NPROC; i++)
		assert_int_equal(proc_at(i)->state, PROC_FREE);
}

/* The screen outside the drawing process's own canvas does not change when a
 * process draws anywhere at all. */
static void test_drawing_stays_on_own_canvas(void **state)
{
	(void)state;
	const char src[] = HEAD
		" IMM32 R1, -5000\n IMM32 R2, -5000\n IMM32 R3, 20000\n IMM32 R4, 20000\n IMM32 R5, 0x0000FF\n SYSCALL SYS_RECT\n"
		" IMM32 R1, 0x7FFFFFF0\n IMM32 R2, 0x7FFFFFF0\n IMM32 R3, 0x7FFFFFFF\n IMM32 R4, 0x7FFFFFFF\n SYSCALL SYS_RECT\n"
		" IMM32 R1, 120\n IMM32 R2, 120\n IMM32 R3, text\n IMM32 R4, 0xFFFFFF\n SYSCALL SYS_TEXT\n"
		" IMM32 R1, 128\n IMM32 R2, 0\n IMM32 R3, 0xFFFFFF\n SYSCALL SYS_PIXEL\n"
		" IMM32 R1, 0\n IMM32 R2, 128\n IMM32 R3, 0xFFFFFF\n SYSCALL SYS_PIXEL\n"
		" IMM32 R1, 127\n IMM32 R2, 127\n IMM32 R3, 0x00FF00\n SYSCALL SYS_PIXEL\n"
		" JMP park\ntext: .string \"overflowing text\"\n";
	const struct th_file f[] = { { "/bin/t", src, 0, 0 } };
	th_boot(W, H, f, 1);
	const struct vram_layout *L = vram_layout();
	uint32_t *copy = malloc((size_t)W * H * 4);
	memcpy(copy, th_vram, (size_t)W * H * 4);
	th_spawn("/bin/t", 0);
	sched_run(0);
	const struct vram_rect *c = &L->slot[0].canvas;
	const struct vram_rect *pr = &L->region[VR_PROCS], *sr = &L->region[VR_SYSCALLS];
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			bool in_canvas = x >= c->x && x < c->x + c->w && y >= c->y && y < c->y + c->h;
			bool in_tile = x >= L->slot[0].tile.x && x < L->slot[0].tile.x + 128 && y >= L->slot[0].tile.y &&
			               y < L->slot[0].tile.y + 128;
			bool in_label = y >= L->slot[0].label.y && y < L->slot[0].label.y + L->slot[0].label.h &&
			                x >= L->slot[0].label.x && x < L->slot[0].label.x + L->slot[0].label.w;
			bool in_tables = (y >= pr->y && y < pr->y + pr->h) || (y >= sr->y && y < sr->y + sr->h);
			if (!in_canvas && !in_tile && !in_label && !in_tables && copy[y * W + x] != th_vram[y * W + x]) {
				fprintf(stderr, "pixel (%d,%d) changed\n", x, y);
				fail();
			}
		}
	assert_int_equal(fb_get(&th_fb, c->x + 127, c->y + 127), 0x00FF00);
	assert_int_equal(fb_get(&th_fb, c->x, c->y), 0x0000FF);
	free(copy);
}

/* ---- Canvas layers -------------------------------------------------------------------- */

static void test_layer_use_back_then_show(void **state)
{
	(void)state;
	const char src[] = HEAD
		" IMM8 R1, 1\n IMM8 R2, 0\n SYSCALL SYS_LAYER_USE\n STW R0, [R6 + 0]\n"
		" IMM8 R1, 0\n IMM8 R2, 0\n IMM8 R3, 128\n IMM8 R4, 128\n IMM32 R5, 0x0000FF\n SYSCALL SYS_RECT\n"
		" IMM8 R1, 5\n IMM8 R2, 6\n IMM32 R3, 0x00FF00\n SYSCALL SYS_PIXEL\n"
		" IMM8 R1, 0\n IMM32 R2, 0xB000\n IMM8 R3, 1\n SYSCALL SYS_READ\n"   /* wait for a key */
		" IMM8 R1, 0\n IMM8 R2, LAYER_SHOW\n SYSCALL SYS_LAYER_USE\n STW R0, [R6 + 4]\n"
		" IMM8 R1, 2\n IMM8 R2, 0\n SYSCALL SYS_LAYER_USE\n STW R0, [R6 + 8]\n"
		" IMM8 R1, 0\n IMM8 R2, 2\n SYSCALL SYS_LAYER_USE\n STW R0, [R6 + 12]\n"
		" JMP park\n";
	uint32_t pid = run_one(src, 0);
	const struct vram_rect *c = &vram_layout()->slot[0].canvas;
	assert_int_equal(state_of(pid), PROC_BLOCKED);
	assert_int_equal(proc_find(pid)->block, BLOCK_READ);
	assert_int_equal(res(pid, 0), 0);
	assert_int_equal(fb_get(&th_fb, c->x + 50, c->y + 50), CANVAS_BG); /* not shown yet */
	uint8_t pi[PXVM_PROCINFO_SIZE];
	assert_int_equal(sched_procinfo(0, pi), 0);
	assert_true(pi[PXVM_PI_FLAGS] & PXVM_PIF_BACK);
	tty_input("\n", 1);
	sched_run(0);
	assert_int_equal(res(pid, 1), 1);
	assert_int_equal(fb_get(&th_fb, c->x + 50, c->y + 50), 0x0000FF);
	assert_int_equal(fb_get(&th_fb, c->x + 5, c->y + 6), 0x00FF00);
	assert_int_equal(res(pid, 2), (uint32_t)-PXE_EINVAL);
	assert_int_equal(res(pid, 3), (uint32_t)-PXE_EINVAL);
}

/* ---- Console ---------------------------------------------------------------------------- */

static const char cat_src[] = HEAD
	"next:\n IMM8 R1, 0\n IMM32 R2, 0xA000\n IMM8 R3, 64\n SYSCALL SYS_READ\n"
	" JZ R0, eof\n IMM8 R1, 0\n BLT R0, R1, eof\n"
	" MOV R3, R0\n IMM8 R1, 1\n IMM32 R2, 0xA000\n SYSCALL SYS_WRITE\n JMP next\n"
	"eof:\n MOV R1, R0\n ADDI R1, R1, 7\n SYSCALL SYS_EXIT\n";

static void test_tty_cooked_input(void **state)
{
	(void)state;
	const struct th_file f[] = { { "/bin/cat", cat_src, 0, 0 } };
	th_boot(W, H, f, 1);
	int pid = th_spawn("/bin/cat", 0);
	sched_run(0); /* cat waits in READ: what is typed now is echoed as typed */
	assert_int_equal(proc_find((uint32_t)pid)->block, BLOCK_READ);
	th_input = "ab\bc\r\nxy\x1b[Az\x15q\x7fr\x04\x04";
	sched_run(0);
	assert_int_equal(status_of((uint32_t)pid), 7);
	/* Echo of the typing of the first line, then what cat wrote: "ac\n".
	 * The rest was typed ahead, behind a line cat had not read yet: its
	 * editing is not shown; "r" (after Ctrl-U erased "xyz" and DEL erased
	 * "q"), ended by Ctrl-D, is echoed when cat's READ takes it, then cat
	 * writes it; then end of input. */
	assert_string_equal(th_out, "ab\b \bc\nac\nrr");
}

static void test_tty_background_reader_waits_for_foreground(void **state)
{
	(void)state;
	const char sh[] = HEAD
		" IMM8 R1, 0\n SYSCALL SYS_SETFG\n STW R0, [R6 + 0]\n"
		" IMM32 R1, cat\n IMM8 R2, 0\n SYSCALL SYS_SPAWN\n STW R0, [R6 + 4]\n"  /* in the background */
		" IMM8 R1, 0\n IMM32 R2, 0xA000\n IMM8 R3, 64\n SYSCALL SYS_READ\n STW R0, [R6 + 8]\n"
		" LDW R1, [R6 + 4]\n SYSCALL SYS_SETFG\n STW R0, [R6 + 12]\n"          /* now cat reads */
		" LDW R1, [R6 + 4]\n SYSCALL SYS_WAIT\n STW R1, [R6 + 16]\n"
		" SYSCALL SYS_GETPID\n MOV R1, R0\n SYSCALL SYS_SETFG\n STW R0, [R6 + 20]\n"
		" JMP park\n"
		"cat: .string \"/bin/cat\"\n";
	const char sh2[] = HEAD " IMM8 R1, 1\n SYSCALL SYS_SETFG\n STW R0, [R6 + 0]\n"
		" IMM8 R1, 0\n SYSCALL SYS_SETFG\n STW R0, [R6 + 4]\n IMM8 R1, 99\n SYSCALL SYS_SETFG\n STW R0, [R6 + 8]\n"
		" JMP park\n";
	const struct th_file f[] = { { "/bin/cat", cat_src, 0, 0 }, { "/bin/sh", sh, 0, 0 }, { "/bin/sh2", sh2, 0, 0 } };
	th_boot(W, H, f, 3);
	int s = th_spawn("/bin/sh", 0);
	sched_run(0);
	assert_int_equal(tty_foreground(), (uint32_t)s);
	assert_int_equal(res((uint32_t)s, 0), 0);
	uint32_t cat = res((uint32_t)s, 1);
	assert_int_equal(proc_find(cat)->block, BLOCK_READ);   /* background: waits */
	assert_int_equal(proc_find((uint32_t)s)->block, BLOCK_READ);
	tty_input("one\n", 4);                                 /* goes to the shell */
	sched_run(0);
	assert_int_equal(res((uint32_t)s, 2), 4);
	assert_int_equal(res((uint32_t)s, 3), 0);
	assert_int_equal(tty_foreground(), cat);
	tty_input("two\n\x04", 5);
	sched_run(0);
	assert_int_equal(res((uint32_t)s, 4), 7);               /* cat saw the end */
	assert_int_equal(res((uint32_t)s, 5), 0);
	assert_int_equal(tty_foreground(), (uint32_t)s);
	assert_non_null(strstr(th_out, "one\ntwo\ntwo\n"));
	/* Another process cannot take the console. */
	int t = th_spawn("/bin/sh2", 0);
	sched_run(0);
	assert_int_equal(res((uint32_t)t, 0), (uint32_t)-PXE_EPERM);
	assert_int_equal(res((uint32_t)t, 1), (uint32_t)-PXE_EPERM);
	assert_int_equal(res((uint32_t)t, 2), (uint32_t)-PXE_ESRCH);
	assert_int_equal(tty_foreground(), (uint32_t)s);
}

/* Ctrl-C ends the foreground program; the shell catches it (INTR_CATCH), so
 * at its prompt its READ returns -EINTR (docs/isolation.md; the job control
 * and the second Ctrl-C are in test_jobs.c). */
static void test_tty_ctrl_c(void **state)
{
	(void)state;
	const char sh[] = HEAD
		" IMM8 R1, 0\n SYSCALL SYS_SETFG\n IMM8 R1, INTR_CATCH\n SYSCALL SYS_INTR\n"
		" IMM32 R1, spin\n IMM8 R2, 0\n SYSCALL SYS_SPAWN\n MOV R5, R0\n"
		" MOV R1, R5\n SYSCALL SYS_SETFG\n"
		" MOV R1, R5\n SYSCALL SYS_WAIT\n STW R1, [R6 + 0]\n"
		" IMM8 R1, 0\n IMM32 R2, 0xA000\n IMM8 R3, 64\n SYSCALL SYS_READ\n STW R0, [R6 + 4]\n"
		" LOAD R0, 0xA000\n STW R0, [R6 + 8]\n JMP park\n"
		"spin: .string \"/bin/spin\"\n";
	const struct th_file f[] = { { "/bin/spin", spin_src, 0, 0 }, { "/bin/sh", sh, 0, 0 } };
	th_boot(W, H, f, 2);
	int s = th_spawn("/bin/sh", 0);
	sched_run(200000);
	assert_int_equal(tty_foreground(), (uint32_t)s + 1);
	tty_input("ab\x03", 3);                  /* kills the spinner, drops "ab" */
	sched_run(200000);
	assert_int_equal(res((uint32_t)s, 0), PXVM_STATUS_KILLED);
	assert_int_equal(tty_foreground(), (uint32_t)s);
	assert_int_equal(proc_find((uint32_t)s)->block, BLOCK_READ);
	tty_input("\x03", 1);                    /* the shell itself is not killed */
	sched_run(0);
	assert_int_equal(state_of((uint32_t)s), PROC_BLOCKED);
	assert_int_equal(res((uint32_t)s, 1), (uint32_t)-PXE_EINTR);
	/* "ab" was typed while nobody read: never echoed; each Ctrl-C is. */
	assert_non_null(strstr(th_out, "^C\n^C\n"));
	assert_null(strstr(th_out, "ab"));
}

/* ---- PROCINFO ------------------------------------------------------------------------------ */

static void test_procinfo_records(void **state)
{
	(void)state;
	const char src[] = HEAD
		" IMM8 R1, 0\n IMM32 R2, 0xA000\n SYSCALL SYS_PROCINFO\n STW R0, [R6 + 0]\n"
		" IMM8 R1, 1\n IMM32 R2, 0xA000 + PROCINFO_SIZE\n SYSCALL SYS_PROCINFO\n STW R0, [R6 + 4]\n"
		" IMM8 R1, 2\n IMM32 R2, 0xA000 + 2 * PROCINFO_SIZE\n SYSCALL SYS_PROCINFO\n STW R0, [R6 + 8]\n"
		" IMM32 R1, 1000\n IMM32 R2, 0xA000\n SYSCALL SYS_PROCINFO\n STW R0, [R6 + 12]\n"
		" IMM8 R1, 0\n IMM32 R2, 0xFFC0\n SYSCALL SYS_PROCINFO\n STW R0, [R6 + 16]\n"
		" JMP park\n";
	const struct th_file f[] = { { "/bin/sleeper", sleeper_src, 0, 0 }, { "/bin/info", src, 0, 0 } };
	th_boot(W, H, f, 2);
	th_spawn("/bin/sleeper", 0);
	int me = th_spawn("/bin/info", 0);
	th_no_idle = 1;
	sched_run(0);
	struct proc *p = proc_find((uint32_t)me);
	assert_int_equal(res((uint32_t)me, 0), 0);
	assert_int_equal(res((uint32_t)me, 1), 0);
	assert_int_equal(res((uint32_t)me, 2), 0);
	assert_int_equal(res((uint32_t)me, 3), (uint32_t)-PXE_ERANGE);
	assert_int_equal(res((uint32_t)me, 4), (uint32_t)-PXE_EFAULT);
	const uint8_t *b = (const uint8_t *)p->vm.mem + 0xA000;
	uint32_t w[PXVM_PROCINFO_SIZE / 4];
	memcpy(w, b, PXVM_PROCINFO_SIZE);
	assert_int_equal(w[PXVM_PI_PID / 4], 1);
	assert_int_equal(w[PXVM_PI_STATE / 4], PXVM_PS_BLOCKED);
	assert_int_equal(w[PXVM_PI_BLOCK / 4], PXVM_PB_SLEEP);
	assert_int_equal(w[PXVM_PI_SLOT / 4], 0);
	assert_int_equal(w[PXVM_PI_SYSCALLS / 4], 1);
	assert_true(w[PXVM_PI_STEPS_LO / 4] >= 2);
	assert_string_equal((const char *)b + PXVM_PI_NAME, "sleeper");
	memcpy(w, b + PXVM_PROCINFO_SIZE, PXVM_PROCINFO_SIZE);
	assert_int_equal(w[PXVM_PI_PID / 4], (uint32_t)me);
	assert_int_equal(w[PXVM_PI_STATE / 4], PXVM_PS_RUNNING);
	assert_int_equal(w[PXVM_PI_SYSCALLS / 4], 2);
	assert_int_equal(w[PXVM_PI_SLOT / 4], 1); /* the second slot */
	assert_string_equal((const char *)b + PXVM_PROCINFO_SIZE + PXVM_PI_NAME, "info");
	memcpy(w, b + 2 * PXVM_PROCINFO_SIZE, PXVM_PROCINFO_SIZE);
	assert_int_equal(w[PXVM_PI_PID / 4], 0);            /* a free slot */
	assert_int_equal(w[PXVM_PI_STATE / 4], PXVM_PS_FREE);
	assert_int_equal(w[PXVM_PI_SLOT / 4], (uint32_t)PXVM_SLOT_NONE);
	assert_int_equal(p->sys_errors, 2);
}

static void test_fault_accounting(void **state)
{
	(void)state;
	uint32_t pid = run_one(".include \"pxos.inc\"\n_start:\n IMM32 R1, 0x12345\n JR R1\n", 0);
	assert_int_equal(status_of(pid), PXVM_STATUS_FAULTED | PXVM_FAULT_JUMP);
	assert_int_equal(proc_at(0)->faults, 1);
	assert_true(th_warnings >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fairness_busy_loops),
		cmocka_unit_test(test_yielder_does_not_starve_spinner),
		cmocka_unit_test(test_syscall_cost_shortens_the_quantum),
		cmocka_unit_test(test_pxvm_kind_snapshot_restores_exactly),
		cmocka_unit_test(test_sleep_alone_idles_to_deadline),
		cmocka_unit_test(test_sleep_beside_spinner),
		cmocka_unit_test(test_fork_wait_exit),
		cmocka_unit_test(test_wait_blocks_until_child_exits),
		cmocka_unit_test(test_orphans_are_reaped),
		cmocka_unit_test(test_exec_keeps_pid),
		cmocka_unit_test(test_kill_child_and_permissions),
		cmocka_unit_test(test_pid1_may_kill_anyone_and_kill_frees_everything),
		cmocka_unit_test(test_table_exhaustion_gives_eagain),
		cmocka_unit_test(test_ipc_ping_pong_blocking),
		cmocka_unit_test(test_ipc_queue_bounds_and_fairness),
		cmocka_unit_test(test_ipc_full_queue_from_one_sender_to_itself),
		cmocka_unit_test(test_hostile_processes_harm_nobody),
		cmocka_unit_test(test_drawing_stays_on_own_canvas),
		cmocka_unit_test(test_layer_use_back_then_show),
		cmocka_unit_test(test_tty_cooked_input),
		cmocka_unit_test(test_tty_background_reader_waits_for_foreground),
		cmocka_unit_test(test_tty_ctrl_c),
		cmocka_unit_test(test_procinfo_records),
		cmocka_unit_test(test_fault_accounting),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
