/*
 * test_debug.c — the debug monitor's breakpoints (pxvm/debug.c) with the real
 * scheduler on the test platform: setting and refusing them, the original
 * words behind debug_word/debug_read, a hit stopping (not ending) the process
 * with pc at the breakpoint, stepping over it, deleting it, continue, the
 * program's own BRK still faulting, kill while stopped, fork, exec, HALT at a
 * breakpoint, and the limits of kernel/param.h.
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
#include "pxvm/debug.h"
#include "pxvm/sched.h"

#define W 1280
#define H 800

/* count: 0x200 IMM8 R1,0; 0x204 ADDI R1,R1,1; 0x208 JMP 0x204; then
 * 0x20C IMM32 R2, 0x12345678 (never reached; its data word is 0x210). */
static const char count_src[] = ".include \"pxos.inc\"\n_start:\n IMM8 R1, 0\nloop:\n ADDI R1, R1, 1\n JMP loop\n"
                                " IMM32 R2, 0x12345678\n";
/* own_brk: 0x200 IMM8 R1, 7; 0x204 BRK (the program's own). */
static const char own_brk_src[] = ".include \"pxos.inc\"\n_start:\n IMM8 R1, 7\n BRK\n";
/* halter: 0x200 IMM8 R1, 1; 0x204 HALT. */
static const char halter_src[] = ".include \"pxos.inc\"\n_start:\n IMM8 R1, 1\n HALT\n";

#define A_ADDI 0x204u
#define A_JMP  0x208u

static struct proc *boot_one(const char *src)
{
	const struct th_file f[] = { { "/bin/t", src, 0, 0 } };
	th_boot(W, H, f, 1);
	th_no_idle = 1; /* sched_run returns once nothing can run */
	struct proc *p = proc_find((uint32_t)th_spawn("/bin/t", 0));
	assert_non_null(p);
	return p;
}

static int teardown(void **state)
{
	(void)state;
	th_no_idle = 0;
	return 0;
}

static void test_set_list_delete_and_refusals(void **state)
{
	(void)state;
	struct proc *p = boot_one(count_src);
	uint32_t jmp = p->vm.mem[A_JMP / 4];
	assert_int_equal(PXVM_OP(jmp), PXVM_OP_JMP);

	assert_int_equal(debug_break_set(p, A_JMP + 1), -PXE_EINVAL);        /* not aligned */
	assert_int_equal(debug_break_set(p, PXVM_MEM_SIZE), -PXE_EINVAL);    /* outside */
	assert_int_equal(debug_break_set(p, 0x210), -PXE_EINVAL);            /* IMM32's data word */
	assert_int_equal(debug_break_set(p, PXVM_MEM_SIZE - 4), 0);          /* last word is fine */
	assert_int_equal(debug_break_set(p, A_JMP), 0);
	assert_int_equal(debug_break_set(p, A_JMP), -PXE_EEXIST);
	assert_int_equal(debug_break_count(), 2);

	/* Memory holds BRK; the monitor's view holds the original. */
	assert_int_equal(p->vm.mem[A_JMP / 4], DEBUG_BRK_WORD);
	assert_int_equal(debug_word(p, A_JMP), jmp);
	assert_true(debug_is_break(p, A_JMP));
	assert_false(debug_is_break(p, A_ADDI));
	uint8_t buf[7], want[7];
	p->vm.mem[A_JMP / 4] = jmp;
	memcpy(want, (uint8_t *)p->vm.mem + A_JMP - 2, sizeof(want));
	p->vm.mem[A_JMP / 4] = DEBUG_BRK_WORD;
	debug_read(p, A_JMP - 2, buf, sizeof(buf)); /* straddles the breakpoint */
	assert_memory_equal(buf, want, sizeof(buf));
	debug_read(p, A_JMP + 1, buf, 2);          /* inside it */
	assert_memory_equal(buf, want + 3, 2);

	uint32_t pid, addr, orig;
	assert_int_equal(debug_break_get(1, &pid, &addr, &orig), 0);
	assert_int_equal(pid, p->pid);
	assert_int_equal(addr, A_JMP);
	assert_int_equal(orig, jmp);
	assert_int_equal(debug_break_get(2, &pid, &addr, &orig), -PXE_ERANGE);

	assert_int_equal(debug_break_delete(p->pid, A_ADDI), -PXE_ENOENT);
	assert_int_equal(debug_break_delete(p->pid + 1, A_JMP), -PXE_ENOENT);
	assert_int_equal(debug_break_delete(p->pid, A_JMP), 0);
	assert_int_equal(p->vm.mem[A_JMP / 4], jmp);
	assert_int_equal(debug_break_count(), 1);
	assert_int_equal(debug_break_delete(p->pid, PXVM_MEM_SIZE - 4), 0);
	assert_int_equal(p->vm.mem[PXVM_MEM_SIZE / 4 - 1], 0);
	assert_int_equal(debug_break_count(), 0);
}

static void test_hit_stops_step_over_continue(void **state)
{
	(void)state;
	struct proc *p = boot_one(count_src);
	uint32_t jmp = p->vm.mem[A_JMP / 4];
	assert_int_equal(debug_break_set(p, A_JMP), 0);
	assert_null(debug_next_hit());

	sched_run(1000);
	/* IMM8, ADDI ran; the BRK in place of JMP stopped it, not ended it. */
	assert_int_equal(p->state, PROC_BLOCKED);
	assert_int_equal(p->block, BLOCK_DEBUG);
	assert_true(debug_stopped(p));
	assert_int_equal(p->vm.pc, A_JMP);
	assert_int_equal(p->vm.r[1], 1);
	assert_int_equal(p->vm.steps, 2);
	assert_int_equal(p->vm.fault, 0);
	assert_int_equal(p->faults, 0);
	assert_string_equal(proc_block_name(p->block), "debug");
	assert_ptr_equal(debug_next_hit(), p);
	assert_null(debug_next_hit()); /* reported once */

	/* Stopped means stopped: the scheduler does not run it. */
	sched_run(1000);
	assert_int_equal(p->vm.steps, 2);
	assert_int_equal(p->vm.pc, A_JMP);

	/* Step over: the original JMP runs, the BRK is back afterwards. */
	assert_int_equal(sched_step_over(p), 0);
	assert_int_equal(p->state, PROC_RUNNABLE);
	assert_int_equal(p->vm.pc, A_ADDI);
	assert_int_equal(p->vm.steps, 3);
	assert_int_equal(p->vm.mem[A_JMP / 4], DEBUG_BRK_WORD);
	/* Single steps of a runnable process execute the program's instructions,
	 * the one under the breakpoint too (no stop on it). */
	assert_int_equal(sched_step_over(p), 0);
	assert_int_equal(p->vm.pc, A_JMP);
	assert_int_equal(p->vm.r[1], 2);
	assert_int_equal(p->state, PROC_RUNNABLE);
	assert_int_equal(sched_step_over(p), 0);
	assert_int_equal(p->vm.pc, A_ADDI);
	assert_int_equal(p->state, PROC_RUNNABLE);
	assert_int_equal(p->vm.steps, 5);
	assert_int_equal(p->vm.mem[A_JMP / 4], DEBUG_BRK_WORD);
	assert_null(debug_next_hit());

	/* Runs on and hits again, one more ADDI later. */
	sched_run(1000);
	assert_true(debug_stopped(p));
	assert_int_equal(p->vm.r[1], 3);
	assert_int_equal(p->vm.pc, A_JMP);
	assert_ptr_equal(debug_next_hit(), p);

	/* Continue (every stopped process) a few times: one ADDI per hit. */
	for (uint32_t k = 4; k < 7; k++) {
		assert_int_equal(sched_resume_stopped(), 1);
		sched_run(1000);
		assert_true(debug_stopped(p));
		assert_int_equal(p->vm.r[1], k);
	}
	assert_int_equal(sched_resume_stopped(), 1);
	assert_int_equal(sched_resume_stopped(), 0);

	/* Deleted while runnable: it counts on freely. */
	assert_int_equal(debug_break_delete(p->pid, A_JMP), 0);
	assert_int_equal(p->vm.mem[A_JMP / 4], jmp);
	sched_run(3000);
	assert_int_equal(p->state, PROC_RUNNABLE);
	assert_true(p->vm.r[1] > 500);
	assert_null(debug_next_hit());
}

static void test_delete_while_stopped_then_continue(void **state)
{
	(void)state;
	struct proc *p = boot_one(count_src);
	uint32_t jmp = p->vm.mem[A_JMP / 4];
	assert_int_equal(debug_break_set(p, A_JMP), 0);
	sched_run(1000);
	assert_true(debug_stopped(p));
	assert_int_equal(debug_break_delete(p->pid, A_JMP), 0);
	assert_int_equal(p->vm.mem[A_JMP / 4], jmp);
	assert_true(debug_stopped(p)); /* still stopped until continue */
	assert_int_equal(sched_resume_stopped(), 1);
	assert_int_equal(p->vm.pc, A_ADDI);
	sched_run(1000);
	assert_int_equal(p->state, PROC_RUNNABLE);
	assert_true(p->vm.r[1] > 100);
}

static void test_programs_own_brk_still_faults(void **state)
{
	(void)state;
	struct proc *p = boot_one(own_brk_src);
	uint32_t pid = p->pid, st = 0;
	assert_int_equal(debug_break_set(p, 0x200), 0); /* elsewhere: does not make BRK at 0x204 ours */
	sched_run(1000);
	assert_true(debug_stopped(p));
	assert_int_equal(p->vm.pc, 0x200);
	assert_int_equal(sched_resume_stopped(), 1);
	sched_run(1000);
	assert_int_equal(sched_reaped_status(pid, &st), 0);
	assert_int_equal(st, PXVM_STATUS_FAULTED | PXVM_FAULT_BREAKPOINT);
	assert_int_equal(debug_break_count(), 0); /* dropped with the process */
}

static void test_break_on_own_brk_stops_then_faults(void **state)
{
	(void)state;
	struct proc *p = boot_one(own_brk_src);
	uint32_t pid = p->pid, st = 0;
	assert_int_equal(debug_break_set(p, 0x204), 0);
	sched_run(1000);
	assert_true(debug_stopped(p));
	assert_int_equal(p->vm.r[1], 7);
	/* Stepping over runs the program's own BRK: that one ends it. */
	assert_int_equal(sched_step_over(p), 0);
	assert_int_equal(sched_reaped_status(pid, &st), 0);
	assert_int_equal(st, PXVM_STATUS_FAULTED | PXVM_FAULT_BREAKPOINT);
	assert_int_equal(debug_break_count(), 0);
}

static void test_step_over_halt_ends(void **state)
{
	(void)state;
	struct proc *p = boot_one(halter_src);
	uint32_t pid = p->pid, st = 0xDEAD;
	assert_int_equal(debug_break_set(p, 0x204), 0);
	sched_run(1000);
	assert_true(debug_stopped(p));
	assert_int_equal(sched_resume_stopped(), 1);
	assert_int_equal(sched_reaped_status(pid, &st), 0);
	assert_int_equal(st, 0);
	assert_int_equal(debug_break_count(), 0);
	assert_null(debug_next_hit());
}

static void test_kill_while_stopped_frees(void **state)
{
	(void)state;
	long allocs = th_live_allocs;
	struct proc *p = boot_one(count_src);
	uint32_t pid = p->pid, st = 0;
	assert_int_equal(debug_break_set(p, A_JMP), 0);
	assert_int_equal(debug_break_set(p, A_ADDI), 0);
	sched_run(1000);
	assert_true(debug_stopped(p));
	assert_int_equal(p->vm.pc, A_ADDI);
	assert_int_equal(sched_kill(0, pid), 0);
	assert_int_equal(sched_reaped_status(pid, &st), 0);
	assert_int_equal(st, PXVM_STATUS_KILLED);
	assert_int_equal(p->state, PROC_FREE);
	assert_int_equal(debug_break_count(), 0);
	assert_null(debug_next_hit());
	assert_int_equal(th_live_allocs, allocs);
	assert_int_equal(sched_resume_stopped(), 0);
}

static void test_fork_child_gets_original_words(void **state)
{
	(void)state;
	struct proc *p = boot_one(count_src);
	uint32_t jmp = p->vm.mem[A_JMP / 4];
	assert_int_equal(debug_break_set(p, A_JMP), 0);
	int cpid = sched_fork(p);
	assert_true(cpid > 0);
	struct proc *c = proc_find((uint32_t)cpid);
	assert_int_equal(c->vm.mem[A_JMP / 4], jmp);
	assert_int_equal(p->vm.mem[A_JMP / 4], DEBUG_BRK_WORD);
	assert_false(debug_is_break(c, A_JMP));
	sched_run(50000);
	assert_true(debug_stopped(p));
	assert_int_equal(c->state, PROC_RUNNABLE); /* the child counts on */
	assert_true(c->vm.r[1] > 1000);
	assert_int_equal(c->faults, 0);
}

/* exec: 0x200 IMM32 R1, path (0x204 its data); 0x208 IMM8 R2, 0; 0x20C SYSCALL
 * SYS_EXEC; 0x210 HALT (only if EXEC failed). /bin/t is count_src. */
static const char execer_src[] = ".include \"pxos.inc\"\n_start:\n IMM32 R1, path\n IMM8 R2, 0\n"
                                 " SYSCALL SYS_EXEC\n HALT\npath: .string \"/bin/t\"\n";

static void test_exec_drops_breakpoints(void **state)
{
	(void)state;
	const struct th_file f[] = { { "/bin/t", count_src, 0, 0 }, { "/bin/x", execer_src, 0, 0 } };
	th_boot(W, H, f, 2);
	th_no_idle = 1;
	struct proc *p = proc_find((uint32_t)th_spawn("/bin/x", 0));
	assert_int_equal(debug_break_set(p, 0x20C), 0); /* the SYSCALL */
	assert_int_equal(debug_break_set(p, 0x210), 0); /* the HALT; after exec: count's IMM32 data */
	sched_run(1000);
	assert_true(debug_stopped(p));
	assert_int_equal(p->vm.pc, 0x20C);
	/* Stepping over the SYSCALL execs count: the breakpoints go with the old
	 * image, and count's word at 0x210 is its own, not BRK. */
	assert_int_equal(sched_step_over(p), 0);
	assert_int_equal(debug_break_count(), 0);
	assert_int_equal(p->vm.mem[0x210 / 4], 0x12345678);
	sched_run(2000);
	assert_int_equal(p->state, PROC_RUNNABLE);
	assert_true(p->vm.r[1] > 100);
	assert_int_equal(p->faults, 0);
}

static void test_limits(void **state)
{
	(void)state;
	const struct th_file f[] = { { "/bin/t", count_src, 0, 0 } };
	th_boot(W, H, f, 1);
	uint32_t nproc = DEBUG_BP_MAX / DEBUG_BP_PER_PROC + 1;
	struct proc *ps[DEBUG_BP_MAX / DEBUG_BP_PER_PROC + 1];
	for (uint32_t i = 0; i < nproc; i++)
		ps[i] = proc_find((uint32_t)th_spawn("/bin/t", 0));
	for (uint32_t i = 0; i + 1 < nproc; i++) {
		for (uint32_t k = 0; k < DEBUG_BP_PER_PROC; k++)
			assert_int_equal(debug_break_set(ps[i], 0x1000 + 4 * k), 0);
		assert_int_equal(debug_break_set(ps[i], 0x2000), -PXE_ENOSPC); /* per process */
	}
	assert_int_equal(debug_break_count(), DEBUG_BP_MAX);
	assert_int_equal(debug_break_set(ps[nproc - 1], 0x1000), -PXE_ENOSPC); /* in all */
	assert_int_equal(debug_break_delete(ps[0]->pid, 0x1000), 0);
	assert_int_equal(debug_break_set(ps[nproc - 1], 0x1000), 0);
	/* A process that has ended cannot get one. */
	uint32_t pid = ps[1]->pid;
	assert_int_equal(sched_kill(0, pid), 0);
	assert_int_equal(debug_break_count(), DEBUG_BP_MAX - DEBUG_BP_PER_PROC);
	assert_int_equal(debug_break_set(ps[1], 0x1000), -PXE_ESRCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_set_list_delete_and_refusals, teardown),
		cmocka_unit_test_teardown(test_hit_stops_step_over_continue, teardown),
		cmocka_unit_test_teardown(test_delete_while_stopped_then_continue, teardown),
		cmocka_unit_test_teardown(test_programs_own_brk_still_faults, teardown),
		cmocka_unit_test_teardown(test_break_on_own_brk_stops_then_faults, teardown),
		cmocka_unit_test_teardown(test_step_over_halt_ends, teardown),
		cmocka_unit_test_teardown(test_kill_while_stopped_frees, teardown),
		cmocka_unit_test_teardown(test_fork_child_gets_original_words, teardown),
		cmocka_unit_test_teardown(test_exec_drops_breakpoints, teardown),
		cmocka_unit_test_teardown(test_limits, teardown),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
