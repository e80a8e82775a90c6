/*
 * test_view.c — processes decoupled from the screen (pxvm/view.c, canvases
 * in RAM) and what the screen's tables show of them (kernel/vram.c), on the
 * shared test platform: with no screen every process runs unseen; at 640x480
 * (two slots) new processes take free slots, an ended process's image stays
 * until its slot is needed, an unseen one takes the first slot freed, the
 * console's foreground is shown first, paging (view_page, Ctrl-^) walks
 * through every process, each slot shows its process's memory and canvas
 * pixel for pixel; the process table's counts are never cut.
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
#include "pxvm/canvas.h"
#include "pxvm/sched.h"
#include "pxvm/tty.h"
#include "pxvm/view.h"

/* park: draw a square of colour R1 (from argv: the pid's low byte makes it
 * unique) on the canvas, then wait for a message for ever. */
static const char park_src[] = ".include \"pxos.inc\"\n_start:\n"
	" SYSCALL SYS_GETPID\n IMM8 R2, 40\n MUL R5, R0, R2\n"       /* colour: 40 * pid */
	" IMM8 R1, 10\n IMM8 R2, 20\n IMM8 R3, 30\n IMM8 R4, 30\n SYSCALL SYS_RECT\n"
	"wait:\n IMM32 R1, 0xC000\n IMM32 R2, 64\n IMM8 R3, 0\n SYSCALL SYS_IPC_RECV\n JMP wait\n";
/* quick: draws, prints, exits 5. */
static const char quick_src[] = ".include \"pxos.inc\"\n_start:\n"
	" IMM8 R1, 0\n IMM8 R2, 0\n IMM8 R3, 8\n IMM8 R4, 8\n IMM32 R5, 0xFFFFFF\n SYSCALL SYS_RECT\n"
	" IMM32 R1, msg\n SYSCALL SYS_PRINT\n IMM8 R1, 5\n SYSCALL SYS_EXIT\nmsg: .string \"quick\"\n";

static const struct th_file files[] = {
	{ "/bin/park", park_src, 0, 0 },
	{ "/bin/quick", quick_src, 0, 0 },
};

/* shows: slot `s`'s tile and canvas are p's memory and canvas, pixel for pixel. */
static void assert_slot_shows(uint32_t s, const struct proc *p)
{
	const struct vram_slot *vs = &vram_layout()->slot[s];
	assert_int_equal(p->slot, s);
	for (uint32_t y = 0; y < PXVM_TILE_H; y++)
		for (uint32_t x = 0; x < PXVM_TILE_W; x++) {
			uint32_t i = y * PXVM_TILE_W + x;
			assert_int_equal(fb_get(&th_fb, vs->tile.x + (int)x, vs->tile.y + (int)y) & 0xFFFFFFu,
			                 p->vm.mem[i] & 0xFFFFFFu);
			assert_int_equal(fb_get(&th_fb, vs->canvas.x + (int)x, vs->canvas.y + (int)y) & 0xFFFFFFu,
			                 p->canvas ? p->canvas[i] & 0xFFFFFFu : CANVAS_BG);
		}
}

static uint32_t slot_info(uint32_t index)
{
	uint8_t rec[PXVM_PROCINFO_SIZE];
	uint32_t w;
	assert_int_equal(sched_procinfo(index, rec), 0);
	memcpy(&w, rec + PXVM_PI_SLOT, 4);
	return w;
}

static void test_no_screen_every_process_runs_unseen(void **state)
{
	(void)state;
	assert_int_equal(th_boot(0, 0, files, 2), 0);
	assert_int_equal(view_slots(), 0);
	struct proc *p[NPROC];
	for (uint32_t i = 0; i < NPROC - 1; i++)
		p[i] = th_spawn_proc("/bin/park");
	struct proc *q = th_spawn_proc("/bin/quick");
	assert_int_equal(sched_spawn("/bin/park", 0, 0), -PXE_EAGAIN); /* the table is full, not the screen */
	th_run_all();
	assert_int_equal(sched_reaped_status(q->pid, &(uint32_t){ 0 }), 0);
	assert_non_null(strstr(th_out, "quick\n"));
	for (uint32_t i = 0; i < NPROC - 1; i++) {
		assert_int_equal(p[i]->state, PROC_BLOCKED);
		assert_int_equal(p[i]->slot, PROC_NO_SLOT);
		assert_int_equal(slot_info(proc_index(p[i])), (uint32_t)PXVM_SLOT_NONE);
		/* Drawing works without a screen: the canvas is in RAM. */
		assert_non_null(p[i]->canvas);
		assert_int_equal(p[i]->canvas[20 * PXVM_TILE_W + 10], 40 * p[i]->pid);
		assert_int_equal(p[i]->canvas[0], CANVAS_BG);
	}
	view_page(-1); /* nothing to page through */
	assert_int_equal(view_page_count(), 1);
	assert_int_equal(view_unseen(), NPROC - 1);
}

static void test_slots_fill_linger_and_go_to_unseen_processes(void **state)
{
	(void)state;
	assert_int_equal(th_boot(640, 480, files, 2), 2);
	struct proc *a = th_spawn_proc("/bin/park"), *b = th_spawn_proc("/bin/quick");
	th_run_all();
	assert_int_equal(a->slot, 0);
	assert_slot_shows(0, a);
	/* quick ended: its slot keeps its last image, labelled ended. */
	assert_true(view_slot(1)->ended);
	assert_int_equal(view_slot(1)->pid, 2);
	assert_int_equal(view_slot(1)->status, 5);
	const struct vram_slot *s1 = &vram_layout()->slot[1];
	assert_int_equal(fb_get(&th_fb, s1->canvas.x + 3, s1->canvas.y + 3), 0xFFFFFF);
	assert_int_equal(fb_get(&th_fb, s1->tile.x + PXVM_SYS_PID / 4, s1->tile.y) & 0xFFFFFFu, 2); /* its pid */
	(void)b;
	/* The next process takes the ended slot; one more runs unseen. */
	struct proc *c = th_spawn_proc("/bin/park"), *d = th_spawn_proc("/bin/park");
	th_run_all();
	assert_int_equal(c->slot, 1);
	assert_int_equal(d->slot, PROC_NO_SLOT);
	assert_int_equal(slot_info(proc_index(d)), (uint32_t)PXVM_SLOT_NONE);
	assert_int_equal(view_unseen(), 1);
	assert_int_equal(view_page_count(), 2);
	assert_non_null(d->canvas); /* it drew while unseen */
	/* A slot freed goes to the unseen process, with everything it drew. */
	assert_int_equal(sched_kill(0, a->pid), 0);
	th_run_all();
	assert_int_equal(d->slot, 0);
	assert_slot_shows(0, d);
	assert_slot_shows(1, c);
	assert_int_equal(view_unseen(), 0);
}

static void test_foreground_is_shown_first(void **state)
{
	(void)state;
	th_boot(640, 480, files, 2);
	struct proc *a = th_spawn_proc("/bin/park"), *b = th_spawn_proc("/bin/park"), *c = th_spawn_proc("/bin/park");
	th_run_all();
	assert_int_equal(c->slot, PROC_NO_SLOT);
	tty_set_foreground(c->pid);
	th_run_all();
	assert_int_equal(c->slot, 0); /* the slot assigned longest ago: a's */
	assert_int_equal(a->slot, PROC_NO_SLOT);
	assert_int_equal(b->slot, 1);
	assert_slot_shows(0, c);
	/* When a shown process ends, the unseen one gets its slot. */
	assert_int_equal(sched_kill(0, b->pid), 0);
	th_run_all();
	assert_int_equal(a->slot, 1);
	assert_slot_shows(1, a);
}

static void test_paging_walks_through_every_process(void **state)
{
	(void)state;
	th_boot(640, 480, files, 2);
	struct proc *p[5];
	for (int i = 0; i < 5; i++)
		p[i] = th_spawn_proc("/bin/park");
	th_run_all();
	assert_int_equal(view_page_count(), 3);
	assert_int_equal(view_page_index(), 0);
	view_page(-1);
	assert_int_equal(view_page_index(), 1);
	assert_int_equal(p[2]->slot, 0);
	assert_int_equal(p[3]->slot, 1);
	assert_int_equal(p[0]->slot, PROC_NO_SLOT);
	assert_slot_shows(0, p[2]);
	assert_slot_shows(1, p[3]);
	tty_input("\x1e", 1); /* Ctrl-^: the next page */
	assert_int_equal(view_page_index(), 2);
	assert_slot_shows(0, p[4]);
	assert_int_equal(view_slot(1)->pid, 0); /* nobody on the rest of the last page */
	const struct vram_slot *s1 = &vram_layout()->slot[1];
	assert_int_equal(fb_get(&th_fb, s1->tile.x + PXVM_SYS_PID / 4, s1->tile.y) & 0xFFFFFFu, 0);
	assert_int_equal(fb_get(&th_fb, s1->canvas.x + 15, s1->canvas.y + 25), CANVAS_BG);
	view_page(-1); /* wraps */
	assert_int_equal(view_page_index(), 0);
	assert_slot_shows(0, p[0]);
	assert_slot_shows(1, p[1]);
	view_page(7); /* modulo the page count */
	assert_int_equal(view_page_index(), 1);
	assert_int_equal(th_out_len, 0); /* Ctrl-^ is never input */
	/* The table and the header say so once drawn. */
	vram_refresh(th_now_us, true);
	for (uint32_t i = 0; i < NPROC; i++)
		if (proc_at(i)->state != PROC_FREE)
			assert_int_equal(slot_info(i), proc_at(i)->slot);
}

/* The process table's counts keep their unit: 150,000,000,000 instructions
 * are 150000M, not a cut "150000000"; 1,234,567 calls 1234k, not "123456". */
static void test_counts_are_never_cut(void **state)
{
	(void)state;
	static const struct { size_t width; uint64_t v; const char *want; } cases[] = {
		{ 9, 150000000000ull, "150000M" },
		{ 6, 1234567, "1234k" },
		{ 9, 999999999, "999999999" },
		{ 9, 1000000000, "1000000k" },
		{ 6, 999999, "999999" },
		{ 6, 1000000, "1000k" },
		{ 6, 999999999, "999M" },
		{ 6, 1000000000000ull, "1000G" },
		{ 9, UINT64_MAX, "18446744T" },
		{ 6, UINT64_MAX, "18446P" },
		{ 5, UINT64_MAX, "18E" },
		{ 6, 0, "0" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[16];
		vram_fmt_count(buf, cases[i].width, cases[i].v);
		assert_string_equal(buf, cases[i].want);
	}
	struct proc p;
	memset(&p, 0, sizeof(p));
	p.pid = 7;
	p.state = PROC_RUNNABLE;
	p.vm.steps = 150000000000ull;
	p.syscalls = 1234567;
	p.faults = 1;
	snprintf(p.name, sizeof(p.name), "bigcount");
	char cell[64];
	vram_proc_cell_text(cell, sizeof(cell), &p);
	assert_string_equal(cell, "  7 bigcount ready    150000M  1234k 1");
	assert_true(strlen(cell) <= PROC_CELL_COLS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_screen_every_process_runs_unseen),
		cmocka_unit_test(test_slots_fill_linger_and_go_to_unseen_processes),
		cmocka_unit_test(test_foreground_is_shown_first),
		cmocka_unit_test(test_paging_walks_through_every_process),
		cmocka_unit_test(test_counts_are_never_cut),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
