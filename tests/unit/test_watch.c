/*
 * test_watch.c — watching execution, imperfect mode and the processes'
 * random streams, on the shared test platform (real VM, scheduler, system
 * calls, and kernel/vram.c on a screen in memory):
 *
 *   - the overlay is never read back: with watching on, every pixel of a
 *     tile is its process's memory word; the pane beside it shows the pc,
 *     the writes and the rewritten code; off again, the canvas and the tile's
 *     frame are as before;
 *   - the write log answers "who wrote this word, and when" for the
 *     program's stores, the kernel's writes (a system call's answer) and
 *     imperfect mode's flips; exec forgets it, fork does not inherit it, the
 *     memory goes back when the process ends;
 *   - imperfect mode's isolation: a process flipping a bit of its memory at
 *     every instruction leaves every other process (memory word for word,
 *     registers, counts, screen) and the kernel's memory (guard words around
 *     every block) exactly as a run without it;
 *   - repeatability: the same seed gives the same flips and the same random
 *     numbers whatever the interleaving (alone, among busy processes, or in
 *     odd-sized steps), for a process and its forked child; another seed
 *     gives others;
 *   - the IMPERFECT system call (rates, ranges, permission, queries), the
 *     streams' lineage, and the pxVM snapshot record with streams and mode.
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
#include "kernel/vram_watch.h"
#include "pxvm/canvas.h"
#include "pxvm/proc_pxvm.h"
#include "pxvm/sched.h"
#include "pxvm/view.h"
#include "pxvm/watch.h"

#define PARK " IMM32 R1, 0xC000\n IMM8 R2, 4\n IMM8 R3, 0\n SYSCALL SYS_IPC_RECV\n JMP park\n"

/* selfmod: counts to 500 into `counter`, rewrites the IMM8 at `patch` from
 * 7 to 9, stores what it then loads into `result`, and parks. */
static const char selfmod_src[] = ".include \"pxos.inc\"\n_start:\n"
	" IMM8 R1, 0\n IMM16 R4, 500\n"
	"loop:\n ADDI R1, R1, 1\n STORE counter, R1\n DJNZ R4, loop\n"
	" LOAD R3, patch\n IMM32 R5, 0xFF00FFFF\n AND R3, R3, R5\n IMM32 R5, 0x00090000\n OR R3, R3, R5\n"
	" STORE patch, R3\n"
	"patch:\n IMM8 R2, 7\n STORE result, R2\n"
	"park:\n" PARK
	".align 4\ncounter: .word 0\nresult: .word 0\n";

/* reader: reads 16 bytes of /etc/data into 0x8000 with FS_READ, parks. */
static const char reader_src[] = ".include \"pxos.inc\"\n_start:\n"
	" IMM32 R1, path\n IMM8 R2, 0\n SYSCALL SYS_FS_OPEN\n MOV R1, R0\n IMM32 R2, 0x8000\n IMM8 R3, 16\n"
	" SYSCALL SYS_FS_READ\n"
	"park:\n" PARK "path: .string \"/etc/data\"\n";

/* worker: 3000 random words (RAND) times a counter into 0x9000..0xAFFF,
 * round and round, then parks. */
static const char worker_src[] = ".include \"pxos.inc\"\n_start:\n"
	" IMM32 R2, 0x9000\n IMM16 R4, 3000\n"
	"loop:\n RAND R1\n MUL R3, R1, R4\n STW R3, [R2 + 0]\n ADDI R2, R2, 4\n IMM32 R5, 0xB000\n"
	" BLTU R2, R5, next\n IMM32 R2, 0x9000\n"
	"next:\n DJNZ R4, loop\n"
	"park:\n" PARK;

/* spinner: stores everywhere in 0x8000..0xEFFF for ever; with a flip at every
 * instruction it soon breaks and faults. */
static const char spinner_src[] = ".include \"pxos.inc\"\n_start:\n"
	" IMM32 R2, 0x8000\n IMM32 R5, 0xF000\n"
	"loop:\n STW R2, [R2 + 0]\n ADDI R2, R2, 4\n BLTU R2, R5, loop\n IMM32 R2, 0x8000\n JMP loop\n";

/* mutant: FORKs (the child inherits imperfect mode), then both sum the
 * words of 0x8000..0x80FF 2000 times, NOISE-perturbed, into 0xA000 + 4 * i,
 * and park. Flips are kept to 0x8000..0x8FFF, so neither faults. */
static const char mutant_src[] = ".include \"pxos.inc\"\n_start:\n"
	" SYSCALL SYS_FORK\n IMM16 R4, 2000\n IMM32 R6, 0xA000\n"
	"round:\n IMM32 R2, 0x8000\n IMM8 R1, 0\n IMM32 R5, 0x8100\n"
	"sum:\n LDW R3, [R2 + 0]\n ADD R1, R1, R3\n ADDI R2, R2, 4\n BLTU R2, R5, sum\n"
	" IMM32 R3, 0x10000\n NOISE R1, R1, R3\n STW R1, [R6 + 0]\n ADDI R6, R6, 4\n IMM32 R5, 0xC000\n"
	" BLTU R6, R5, on\n IMM32 R6, 0xA000\n"
	"on:\n DJNZ R4, round\n"
	"park:\n" PARK;

/* setter: IMPERFECT on itself, then forks a child and sets the child's;
 * the child tries its parent's (-EPERM) and sets its own. Results in
 * 0xD000... of each. */
static const char setter_src[] = ".include \"pxos.inc\"\n_start:\n"
	" IMM32 R6, 0xD000\n"
	" IMM8 R1, 0\n IMM16 R2, 1000\n IMM32 R3, 0x8000\n IMM32 R4, 0x9000\n SYSCALL SYS_IMPERFECT\n"
	" STW R0, [R6 + 0]\n"                                                  /* previous rate: 0 */
	" IMM8 R1, 0\n IMM32 R2, IMPERFECT_KEEP\n SYSCALL SYS_IMPERFECT\n STW R0, [R6 + 4]\n" /* 1000 */
	" IMM8 R1, 0\n IMM32 R2, 1000001\n IMM8 R3, 0\n IMM8 R4, 0\n SYSCALL SYS_IMPERFECT\n STW R0, [R6 + 8]\n"
	" IMM8 R1, 0\n IMM16 R2, 5\n IMM32 R3, 0x9000\n IMM32 R4, 0x8000\n SYSCALL SYS_IMPERFECT\n STW R0, [R6 + 12]\n"
	" IMM16 R1, 999\n IMM16 R2, 5\n IMM8 R3, 0\n IMM8 R4, 0\n SYSCALL SYS_IMPERFECT\n STW R0, [R6 + 16]\n"
	" SYSCALL SYS_FORK\n JZ R0, child\n STW R0, [R6 + 20]\n"
	" MOV R1, R0\n IMM8 R2, 0\n IMM8 R3, 0\n IMM8 R4, 0\n SYSCALL SYS_IMPERFECT\n STW R0, [R6 + 24]\n" /* child's: 1000 */
	"park:\n" PARK
	"child:\n SYSCALL SYS_GETPID\n IMM16 R2, 7\n IMM8 R3, 0\n IMM8 R4, 0\n SYSCALL SYS_IMPERFECT\n" /* R1: parent */
	" STW R0, [R6 + 32]\n"
	" IMM8 R1, 0\n IMM16 R2, 7\n IMM8 R3, 0\n IMM8 R4, 0\n SYSCALL SYS_IMPERFECT\n STW R0, [R6 + 36]\n"
	" JMP park\n";

static const char data_text[] = "sixteen bytes!!\n";

static const struct th_file files[] = {
	{ "/bin/selfmod", selfmod_src, 0, 0 },  { "/bin/reader", reader_src, 0, 0 },
	{ "/bin/worker", worker_src, 0, 0 },    { "/bin/spinner", spinner_src, 0, 0 },
	{ "/bin/mutant", mutant_src, 0, 0 },    { "/bin/setter", setter_src, 0, 0 },
	{ "/etc/data", 0, data_text, sizeof(data_text) - 1 },
};
#define NFILES (sizeof(files) / sizeof(files[0]))

/* label: the address of `name` in a program, from its listing-free layout:
 * found by searching the process's memory for the word `w` from 0x0200. */
static uint32_t find_word(const struct proc *p, uint32_t w)
{
	for (uint32_t a = PXVM_IMAGE_BASE; a < PXVM_STACK_TOP; a += 4)
		if (p->vm.mem[a >> 2] == w)
			return a;
	fail_msg("word 0x%08x not found", w);
	return 0;
}

static uint32_t px(int x, int y) { return fb_get(&th_fb, x, y) & 0xFFFFFFu; }

static void assert_tile_is_memory(const struct proc *p)
{
	const struct vram_rect *t = &vram_layout()->slot[p->slot].tile;
	for (uint32_t i = 0; i < PXVM_MEM_WORDS; i++)
		if (px(t->x + (int)(i % PXVM_TILE_W), t->y + (int)(i / PXVM_TILE_W)) != (p->vm.mem[i] & 0xFFFFFFu))
			fail_msg("tile pixel of word 0x%04x is 0x%06x, memory holds 0x%08x", i * 4,
			         px(t->x + (int)(i % PXVM_TILE_W), t->y + (int)(i / PXVM_TILE_W)), p->vm.mem[i]);
}

/* ---- the overlay -------------------------------------------------------- */

static void test_overlay_is_never_read_back(void **state)
{
	(void)state;
	th_boot(1280, 800, files, NFILES);
	struct proc *p = th_spawn_proc("/bin/selfmod");
	const struct vram_slot *s = &vram_layout()->slot[p->slot];
	/* The frame and the canvas before watching. */
	uint32_t frame_top[PXVM_TILE_W + 4], canvas_before = px(s->canvas.x + 5, s->canvas.y + 5);
	for (int x = 0; x < (int)PXVM_TILE_W + 4; x++)
		frame_top[x] = px(s->tile.x - 2 + x, s->tile.y - 1);
	assert_int_equal(proc_pxvm_watch(p, WATCH_ALL), 0);
	th_run_all();
	assert_int_equal(p->state, PROC_BLOCKED);
	vram_refresh(th_now_us, true);
	assert_tile_is_memory(p);

	/* The pane beside it: the pc's word white inside a cyan square. */
	uint32_t pc = p->vm.pc, cx = (pc >> 2) % PXVM_TILE_W, cy = (pc >> 2) / PXVM_TILE_W;
	assert_int_equal(px(s->canvas.x + (int)cx, s->canvas.y + (int)cy), 0xFFFFFF);
	assert_int_equal(px(s->canvas.x + (int)cx + 2, s->canvas.y + (int)cy + 2), 0xFFFF00);
	/* ... and ticks on the tile's frame at the pc's column and row. */
	assert_int_equal(px(s->tile.x + (int)cx, s->tile.y - 1), 0xFFFFFF);
	assert_int_equal(px(s->tile.x + (int)cx, s->tile.y + (int)PXVM_TILE_H), 0xFFFFFF);
	assert_int_equal(px(s->tile.x - 1, s->tile.y + (int)cy), 0xFFFFFF);
	assert_int_equal(px(s->tile.x + (int)PXVM_TILE_W, s->tile.y + (int)cy), 0xFFFFFF);

	/* The rewritten IMM8 (now IMM8 R2, 9): bright from its write, then,
	 * once the heat has faded, tinted magenta. */
	uint32_t patch = find_word(p, 0x00090210u); /* IMM8 R2, 9 */
	uint32_t ppx = (patch >> 2) % PXVM_TILE_W, ppy = (patch >> 2) / PXVM_TILE_W;
	assert_true(watch_bit(p->vm.watch->rewritten, patch >> 2));
	for (int f = 0; f < 16; f++)
		vram_refresh(th_now_us, true);
	uint32_t c = px(s->canvas.x + (int)ppx, s->canvas.y + (int)ppy);
	assert_true((c & 0xFF) >= 0x7F && (c >> 16) >= 0x7F && ((c >> 8) & 0xFF) < 0x20);
	/* A word written but never run is not tinted; the tile is still memory. */
	uint32_t result = find_word(p, 9);
	assert_false(watch_bit(p->vm.watch->rewritten, result >> 2));
	assert_tile_is_memory(p);

	/* Off: the canvas and the frame come back as they were. */
	assert_int_equal(proc_pxvm_watch(p, 0), 0);
	assert_null(p->vm.watch);
	vram_refresh(th_now_us, true);
	assert_int_equal(px(s->canvas.x + 5, s->canvas.y + 5), canvas_before);
	for (int x = 0; x < (int)PXVM_TILE_W + 4; x++)
		assert_int_equal(px(s->tile.x - 2 + x, s->tile.y - 1), frame_top[x]);
	assert_tile_is_memory(p);
	assert_int_equal(sched_kill(0, p->pid), 0);
	assert_int_equal(th_live_allocs, 0);
}

/* A process that ends watched leaves its last pane, as the view keeps an
 * ended process's last image, without the pc ticks; the next process in the
 * slot gets its canvas drawn there. */
static void test_a_watched_process_ends(void **state)
{
	(void)state;
	th_boot(1280, 800, files, NFILES);
	assert_int_equal(vram_layout()->nslots, 8);
	struct proc *p = th_spawn_proc("/bin/selfmod");
	uint32_t slot = p->slot;
	const struct vram_slot *s = &vram_layout()->slot[slot];
	uint32_t frame_top[PXVM_TILE_W + 4];
	for (int x = 0; x < (int)PXVM_TILE_W + 4; x++)
		frame_top[x] = px(s->tile.x - 2 + x, s->tile.y - 1);
	assert_int_equal(proc_pxvm_watch(p, WATCH_ALL), 0);
	th_run_all();
	vram_refresh(th_now_us, true);
	uint32_t k = p->vm.pc >> 2;
	int x = s->canvas.x + (int)(k % PXVM_TILE_W), y = s->canvas.y + (int)(k / PXVM_TILE_W);
	assert_int_equal(px(x, y), 0xFFFFFF);
	assert_true(vram_watch_pane(slot));
	assert_int_equal(sched_kill(0, p->pid), 0);
	vram_refresh(th_now_us, true);
	vram_refresh(th_now_us, true);
	assert_false(vram_watch_pane(slot));
	assert_int_equal(px(x, y), 0xFFFFFF); /* the last pane */
	for (int i = 0; i < (int)PXVM_TILE_W + 4; i++)
		assert_int_equal(px(s->tile.x - 2 + i, s->tile.y - 1), frame_top[i]);
	/* Seven more fill the free slots; the eighth takes the ended one. */
	struct proc *q[8];
	for (int i = 0; i < 8; i++)
		q[i] = th_spawn_proc("/bin/worker");
	assert_int_equal(q[7]->slot, slot);
	th_run_all();
	vram_refresh(th_now_us, true);
	const struct vram_slot *o = &vram_layout()->slot[q[0]->slot];
	assert_int_equal(px(x, y), px(o->canvas.x + (x - s->canvas.x), o->canvas.y + (y - s->canvas.y)));
	assert_tile_is_memory(q[7]);
	for (int i = 0; i < 8; i++)
		assert_int_equal(sched_kill(0, q[i]->pid), 0);
	assert_int_equal(th_live_allocs, 0);
}

/* ---- the write log ---------------------------------------------------------- */

static void test_who_wrote_this_word(void **state)
{
	(void)state;
	char buf[4096];
	th_boot(0, 0, files, NFILES); /* no screen: the log does not need one */
	struct proc *p = th_spawn_proc("/bin/selfmod");
	assert_int_equal(proc_pxvm_watch(p, WATCH_LOG), 0);
	th_run_all();
	uint32_t counter = find_word(p, 500), result = find_word(p, 9), patch = find_word(p, 0x00090210u);
	/* counter: 500 stores by the same STORE, newest first, with their steps. */
	assert_int_equal(watch_who(p->vm.watch, counter, 3, buf, sizeof(buf)), 3);
	assert_non_null(strstr(buf, "STORE 0x"));
	assert_non_null(strstr(buf, "became 0x000001f4"));
	assert_non_null(strstr(buf, "became 0x000001f3"));
	assert_true(strstr(buf, "0x000001f4") < strstr(buf, "0x000001f3"));
	/* result: the one store, and which instruction it was. */
	assert_int_equal(watch_who(p->vm.watch, result + 2, WATCH_WHO_MAX, buf, sizeof(buf)), 1);
	assert_non_null(strstr(buf, "STORE"));
	assert_non_null(strstr(buf, "became 0x00000009"));
	/* patch: rewritten by the program, which then ran it. */
	assert_int_equal(watch_who(p->vm.watch, patch, WATCH_WHO_MAX, buf, sizeof(buf)), 1);
	assert_int_equal(p->vm.watch->rewrites, 1);
	/* Nothing wrote the first word of the image. */
	assert_int_equal(watch_who(p->vm.watch, PXVM_IMAGE_BASE, WATCH_WHO_MAX, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "no write to word 0x0200 among the last"));
	assert_int_equal(p->vm.watch->writes, 502);

	/* The kernel's answer to FS_READ is logged as the kernel's, for the SYSCALL. */
	struct proc *r = th_spawn_proc("/bin/reader");
	assert_int_equal(proc_pxvm_watch(r, WATCH_LOG), 0);
	th_run_all();
	assert_memory_equal((uint8_t *)r->vm.mem + 0x8000, data_text, 16);
	assert_int_equal(watch_who(r->vm.watch, 0x800C, WATCH_WHO_MAX, buf, sizeof(buf)), 1);
	assert_non_null(strstr(buf, "the kernel, answering"));
	assert_non_null(strstr(buf, "FS_READ"));
	assert_non_null(strstr(buf, "wrote 16 bytes at 0x8000"));

	/* A flip is logged as one. */
	assert_int_equal(pxvm_set_imperfect(&r->vm, 1000000, 0xE000, 0xE004), 0);
	proc_wake(r); /* out of its IPC_RECV: three steps, then it is back in it */
	r->vm.r[0] = 0;
	sched_step(r, 3);
	assert_true(r->vm.imp.flips >= 1);
	assert_true(watch_who(r->vm.watch, 0xE000, WATCH_WHO_MAX, buf, sizeof(buf)) >= 1);
	assert_non_null(strstr(buf, "imperfect mode flipped bit"));

	/* Fork: the child is not watched; the end of a process frees its log. */
	long before = th_live_allocs;
	assert_int_equal(sched_kill(0, r->pid), 0);
	assert_int_equal(th_live_allocs, before - 2); /* memory and watch */
	assert_int_equal(sched_kill(0, p->pid), 0);
	assert_int_equal(th_live_allocs, 0);
}

/* The watched interpreter counts steps and stops as the plain one. */
static void test_watching_changes_nothing(void **state)
{
	(void)state;
	uint32_t *mem[2];
	uint64_t steps[2];
	for (int k = 0; k < 2; k++) {
		rng_seed(11);
		th_boot(640, 480, files, NFILES);
		struct proc *p = th_spawn_proc("/bin/worker");
		if (k)
			assert_int_equal(proc_pxvm_watch(p, WATCH_ALL), 0);
		th_run_all();
		mem[k] = malloc(PXVM_MEM_SIZE);
		memcpy(mem[k], p->vm.mem, PXVM_MEM_SIZE);
		steps[k] = p->vm.steps;
		assert_int_equal(sched_kill(0, p->pid), 0);
	}
	assert_int_equal(steps[0], steps[1]);
	assert_memory_equal(mem[0], mem[1], PXVM_MEM_SIZE);
	free(mem[0]);
	free(mem[1]);
}

/* ---- imperfect mode: isolation -------------------------------------------- */

struct picture {
	uint32_t *mem[2];
	uint32_t r[2][PXVM_NREGS], pc[2];
	uint64_t steps[2], syscalls[2];
	uint32_t tile[2][PXVM_MEM_WORDS];
};

/* scenario: two workers around a spinner flipping at `rate`; what the
 * workers end as. The spinner runs until it faults or 4M instructions pass. */
static void scenario(uint32_t rate, struct picture *out, uint64_t *flips)
{
	rng_seed(2024);
	th_boot(1280, 800, files, NFILES);
	struct proc *w[2];
	w[0] = th_spawn_proc("/bin/worker");
	struct proc *s = th_spawn_proc("/bin/spinner");
	w[1] = th_spawn_proc("/bin/worker");
	assert_int_equal(pxvm_set_imperfect(&s->vm, rate, 0, 0), 0);
	th_no_idle = 1;
	sched_run(4000000);
	assert_true(th_guards_ok()); /* nothing outside any block was touched */
	if (s->vm.mem)
		assert_int_equal(s->vm.mem[PXVM_MEM_WORDS], 0xFFFFFFFFu); /* the guard word past its memory */
	*flips = s->vm.imp.flips;
	if (s->state != PROC_FREE && s->state != PROC_ZOMBIE) /* flips may have made a loop that never faults */
		assert_int_equal(sched_kill(0, s->pid), 0);
	th_run_all(); /* the workers finish in any case */
	vram_refresh(th_now_us, true);
	for (int k = 0; k < 2; k++) {
		assert_int_equal(w[k]->state, PROC_BLOCKED);
		out->mem[k] = malloc(PXVM_MEM_ALLOC_WORDS * 4);
		memcpy(out->mem[k], w[k]->vm.mem, PXVM_MEM_ALLOC_WORDS * 4);
		memcpy(out->r[k], w[k]->vm.r, sizeof(out->r[k]));
		out->pc[k] = w[k]->vm.pc;
		out->steps[k] = w[k]->vm.steps;
		out->syscalls[k] = w[k]->syscalls;
		const struct vram_rect *t = &vram_layout()->slot[w[k]->slot].tile;
		for (uint32_t i = 0; i < PXVM_MEM_WORDS; i++)
			out->tile[k][i] = px(t->x + (int)(i % PXVM_TILE_W), t->y + (int)(i / PXVM_TILE_W));
		assert_int_equal(w[k]->vm.imp.flips, 0);
	}
	assert_true(th_guards_ok());
}

static void test_imperfect_touches_nobody_else(void **state)
{
	(void)state;
	static struct picture calm, wild;
	uint64_t flips0, flips1;
	scenario(0, &calm, &flips0);
	scenario(IMPERFECT_RATE_MAX, &wild, &flips1); /* a flip at every instruction of the spinner */
	assert_int_equal(flips0, 0);
	assert_true(flips1 > 100);
	for (int k = 0; k < 2; k++) {
		for (uint32_t i = 0; i < PXVM_MEM_ALLOC_WORDS; i++)
			if (calm.mem[k][i] != wild.mem[k][i])
				fail_msg("worker %d word 0x%04x: 0x%08x without flips, 0x%08x with", k, i * 4, calm.mem[k][i],
				         wild.mem[k][i]);
		assert_memory_equal(calm.r[k], wild.r[k], sizeof(calm.r[k]));
		assert_int_equal(calm.pc[k], wild.pc[k]);
		assert_int_equal(calm.steps[k], wild.steps[k]);
		assert_int_equal(calm.syscalls[k], wild.syscalls[k]);
		assert_memory_equal(calm.tile[k], wild.tile[k], sizeof(calm.tile[k]));
		free(calm.mem[k]);
		free(wild.mem[k]);
	}
}

/* ---- imperfect mode: repeatability -------------------------------------- */

struct outcome {
	uint8_t mem[2][PXVM_MEM_SIZE];
	uint64_t flips[2], steps[2];
	struct rng_stream rng[2];
};

enum how { ALONE, CROWDED, STEPPED };

/* mutate: the mutant (and its forked child) with imperfect mode from the
 * start, `how` interleaved, seeded `seed`; what they end as. */
static void mutate(uint64_t seed, enum how how, struct outcome *o)
{
	rng_seed(seed);
	th_boot(1280, 800, files, NFILES);
	struct proc *m = th_spawn_proc("/bin/mutant"); /* the kernel's first: root stream 0 in every case */
	assert_int_equal(pxvm_set_imperfect(&m->vm, 5000, 0x8000, 0x9000), 0);
	if (how == CROWDED) /* busy neighbours: the mutants' quanta interleave with theirs */
		for (int k = 0; k < 3; k++)
			th_spawn_proc("/bin/worker");
	if (how == STEPPED) { /* odd-sized pieces, out of turn, the child first */
		for (int guard = 0; guard < 100000; guard++) {
			int ran = 0;
			for (uint32_t i = NPROC; i-- > 0;) {
				struct proc *p = proc_at(i);
				if (p->state == PROC_RUNNABLE) {
					sched_step(p, 777 + (uint64_t)i * 13);
					ran = 1;
				}
			}
			if (!ran)
				break;
		}
	}
	th_run_all();
	struct proc *c = 0;
	for (uint32_t i = 0; i < NPROC; i++)
		if (proc_at(i)->state != PROC_FREE && proc_at(i)->ppid == m->pid)
			c = proc_at(i);
	assert_non_null(c);
	const struct proc *both[2] = { m, c };
	for (int k = 0; k < 2; k++) {
		assert_int_equal(both[k]->state, PROC_BLOCKED); /* parked: neither faulted */
		memcpy(o->mem[k], both[k]->vm.mem, PXVM_MEM_SIZE);
		o->flips[k] = both[k]->vm.imp.flips;
		o->steps[k] = both[k]->vm.steps;
		o->rng[k] = both[k]->vm.rng;
		assert_int_equal(both[k]->vm.imp.rate, 5000);
	}
	/* The pids differ between the scenarios; the system areas say so. */
	memset(o->mem[0] + PXVM_SYSAREA, 0, 0x100);
	memset(o->mem[1] + PXVM_SYSAREA, 0, 0x100);
}

static void test_imperfect_repeats_whatever_the_interleaving(void **state)
{
	(void)state;
	static struct outcome a, b, c, d;
	mutate(77, ALONE, &a);
	mutate(77, CROWDED, &b);
	mutate(77, STEPPED, &c);
	mutate(78, ALONE, &d);
	for (int k = 0; k < 2; k++) {
		/* About 5000 per million of some 540k instructions each. */
		assert_true(a.flips[k] > 2000 && a.flips[k] < 3400);
		assert_int_equal(a.flips[k], b.flips[k]);
		assert_int_equal(a.flips[k], c.flips[k]);
		assert_int_equal(a.steps[k], b.steps[k]);
		assert_int_equal(a.steps[k], c.steps[k]);
		assert_memory_equal(a.mem[k], b.mem[k], PXVM_MEM_SIZE);
		assert_memory_equal(a.mem[k], c.mem[k], PXVM_MEM_SIZE);
		assert_memory_equal(&a.rng[k], &b.rng[k], sizeof(a.rng[k]));
		assert_memory_equal(&a.rng[k], &c.rng[k], sizeof(a.rng[k]));
		assert_true(memcmp(a.mem[k] + 0x8000, d.mem[k] + 0x8000, 0x1000) != 0); /* another seed */
	}
	/* Parent and child flipped apart. */
	assert_true(memcmp(a.mem[0] + 0x8000, a.mem[1] + 0x8000, 0x1000) != 0);
	/* Flips stayed inside 0x8000..0x8FFF: the code is the program's. */
	assert_memory_equal(a.mem[0] + PXVM_IMAGE_BASE, d.mem[0] + PXVM_IMAGE_BASE, 0x100);
}

/* Flips per million: the rate holds on average (a Bernoulli trial per
 * instruction), and flips stay inside [lo, hi). */
static void test_imperfect_rate(void **state)
{
	(void)state;
	static const uint32_t rates[] = { 1, 100, 20000, 500000, 1000000 };
	th_boot(0, 0, files, NFILES);
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		struct proc *p = th_spawn_proc("/bin/spinner");
		memset(p->vm.mem + (0x4000 >> 2), 0, 16);
		assert_int_equal(pxvm_set_imperfect(&p->vm, rates[i], 0x4000, 0x4010), 0);
		uint64_t n = rates[i] < 100 ? 20000000 : 2000000;
		assert_int_equal(sched_step(p, n), 0);
		double want = (double)n * rates[i] / 1e6, got = (double)p->vm.imp.flips, d = got - want;
		if (d * d > (4 * 4) * want + (0.01 * want) * (0.01 * want) + 1)
			fail_msg("rate %u: %.0f flips in %llu instructions, want about %.0f", rates[i], got,
			         (unsigned long long)n, want);
		for (uint32_t a = 0; a < PXVM_MEM_SIZE; a += 4)
			if ((a < 0x4000 || a >= 0x4010) && a < 0x8000 && a != 0x100 && a != 0x104 &&
			    p->vm.mem[a >> 2] != 0 && a >= 0x1000)
				fail_msg("rate %u: word 0x%04x outside the range changed", rates[i], a);
		assert_int_equal(sched_kill(0, p->pid), 0);
	}
	struct proc *p = th_spawn_proc("/bin/spinner");
	assert_int_equal(pxvm_set_imperfect(&p->vm, 1000001, 0, 0), -PXE_EINVAL);
	assert_int_equal(pxvm_set_imperfect(&p->vm, 5, 0x100, 0x100), -PXE_EINVAL);
	assert_int_equal(pxvm_set_imperfect(&p->vm, 5, 0, 0x10001), -PXE_EINVAL);
	assert_int_equal(pxvm_set_imperfect(&p->vm, 5, 0xFFFF, 0x10000), 0);
	assert_int_equal(p->vm.imp.rate, 5);
	assert_int_equal(sched_kill(0, p->pid), 0);
}

static uint32_t at(const struct proc *p, uint32_t addr) { return p->vm.mem[addr >> 2]; }

static void test_imperfect_syscall(void **state)
{
	(void)state;
	th_boot(0, 0, files, NFILES);
	struct proc *p = th_spawn_proc("/bin/setter");
	th_run_all();
	assert_int_equal(at(p, 0xD000), 0);                      /* no mode before */
	assert_int_equal(at(p, 0xD004), 1000);                   /* KEEP only asks */
	assert_int_equal((int32_t)at(p, 0xD008), -PXE_EINVAL);   /* rate above the maximum */
	assert_int_equal((int32_t)at(p, 0xD00C), -PXE_EINVAL);   /* lo >= hi */
	assert_int_equal((int32_t)at(p, 0xD010), -PXE_ESRCH);    /* no pid 999 */
	uint32_t child = at(p, 0xD014);
	struct proc *c = proc_find(child);
	assert_non_null(c);
	assert_int_equal(at(p, 0xD018), 1000);                   /* the child inherited 1000; the parent turned it off */
	assert_int_equal((int32_t)at(c, 0xD020), -PXE_EPERM);    /* a child may not set its parent's */
	assert_int_equal(at(c, 0xD024), 0);                      /* then it set its own: it was off */
	assert_int_equal(c->vm.imp.rate, 7);
	assert_int_equal(c->vm.imp.lo, 0);
	assert_int_equal(c->vm.imp.hi, PXVM_MEM_SIZE);
	assert_int_equal(p->vm.imp.rate, 1000);
	assert_int_equal(p->vm.imp.lo, 0x8000);
	assert_int_equal(p->vm.imp.hi, 0x9000);
	assert_int_equal(sched_kill(0, c->pid), 0);
	assert_int_equal(sched_kill(0, p->pid), 0);
}

/* ---- streams ------------------------------------------------------------------ */

static void test_streams_follow_the_lineage(void **state)
{
	(void)state;
	th_boot(0, 0, files, NFILES);
	rng_seed(5);
	struct rng_stream first = th_spawn_proc("/bin/worker")->vm.rng, second = th_spawn_proc("/bin/worker")->vm.rng;
	assert_true(memcmp(&first, &second, sizeof(first)) != 0);
	rng_seed(5); /* the k-th process the kernel starts after a seed gets the k-th root stream */
	assert_memory_equal(&th_spawn_proc("/bin/worker")->vm.rng, &first, sizeof(first));
	assert_memory_equal(&th_spawn_proc("/bin/worker")->vm.rng, &second, sizeof(first));
	/* Draws of the system's generator do not move them. */
	rng_seed(5);
	for (int i = 0; i < 10; i++)
		rng_next64();
	assert_memory_equal(&th_spawn_proc("/bin/worker")->vm.rng, &first, sizeof(first));
	rng_seed(6);
	assert_true(memcmp(&th_spawn_proc("/bin/worker")->vm.rng, &first, sizeof(first)) != 0);
}

/* The pxVM snapshot record carries the stream and imperfect mode: restored,
 * a process goes on drawing and flipping exactly as the original. */
static void test_snapshot_keeps_streams_and_mode(void **state)
{
	(void)state;
	rng_seed(3);
	th_boot(0, 0, files, NFILES);
	struct proc *p = th_spawn_proc("/bin/worker");
	assert_int_equal(pxvm_set_imperfect(&p->vm, 30000, 0xB000, 0xB100), 0);
	assert_int_equal(sched_step(p, 4321), 0);
	uint8_t *snap = malloc(PROC_PXVM_SNAP_SIZE);
	assert_int_equal(p->ops->snapshot(p, snap, PROC_PXVM_SNAP_SIZE), PROC_PXVM_SNAP_SIZE);
	struct proc *q = proc_alloc(&proc_pxvm_ops, 0);
	assert_non_null(q);
	assert_int_equal(q->ops->alloc(q), 0);
	uint32_t bad = 0xFFFFFFFFu, k = 2 + PXVM_NREGS + 7 + 8, keep; /* the rate */
	memcpy(&keep, snap + 4 * k, 4);
	memcpy(snap + 4 * k, &bad, 4);
	assert_int_equal(q->ops->restore(q, snap, PROC_PXVM_SNAP_SIZE), -PXE_EINVAL);
	memcpy(snap + 4 * k, &keep, 4);
	assert_int_equal(q->ops->restore(q, snap, PROC_PXVM_SNAP_SIZE), 0);
	q->state = PROC_RUNNABLE;
	assert_int_equal(sched_step(p, 20000), 0);
	assert_int_equal(sched_step(q, 20000), 0);
	assert_memory_equal(q->vm.mem, p->vm.mem, PXVM_MEM_SIZE);
	assert_memory_equal(&q->vm.rng, &p->vm.rng, sizeof(p->vm.rng));
	assert_int_equal(q->vm.imp.flips, p->vm.imp.flips);
	assert_true(p->vm.imp.flips > 100);
	assert_int_equal(q->vm.imp.next, p->vm.imp.next);
	free(snap);
}

/* /apps/mutants (its source, assembled here) prints the same run, flips and
 * genomes included, alone and among busy processes; another seed, another. */
#ifndef WATCH_APPS_SRC
#error "build with -DWATCH_APPS_SRC=\"<repo>/userland/apps\""
#endif
static char *mutants_run(uint64_t seed, int crowded)
{
	static char *src;
	if (!src) {
		FILE *f = fopen(WATCH_APPS_SRC "/mutants.pxs", "rb");
		assert_non_null(f);
		src = calloc(1, 1 << 16);
		assert_true(fread(src, 1, (1 << 16) - 1, f) > 0);
		fclose(f);
	}
	const struct th_file fs[] = { { "/apps/mutants", src, 0, 0 }, { "/bin/worker", worker_src, 0, 0 } };
	rng_seed(seed);
	th_boot(640, 480, fs, 2);
	int pid = th_spawn("/apps/mutants", "80");
	if (crowded)
		for (int k = 0; k < 3; k++)
			th_spawn_proc("/bin/worker");
	th_no_idle = 0;
	sched_run(0);
	uint32_t st = 1;
	assert_int_equal(sched_reaped_status((uint32_t)pid, &st), 0);
	assert_int_equal(st, 0);
	return strdup(th_stdout);
}

static void test_mutants_repeat(void **state)
{
	(void)state;
	char *a = mutants_run(9, 0), *b = mutants_run(9, 1), *c = mutants_run(10, 0);
	assert_non_null(strstr(a, "mutants: 80 frames, births "));
	assert_non_null(strstr(a, "genomes alive (rrggbb:speed):"));
	assert_null(strstr(a, "bit flips 0,"));
	assert_string_equal(a, b);
	assert_true(strcmp(a, c) != 0);
	free(a);
	free(b);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overlay_is_never_read_back),
		cmocka_unit_test(test_a_watched_process_ends),
		cmocka_unit_test(test_who_wrote_this_word),
		cmocka_unit_test(test_watching_changes_nothing),
		cmocka_unit_test(test_imperfect_touches_nobody_else),
		cmocka_unit_test(test_imperfect_repeats_whatever_the_interleaving),
		cmocka_unit_test(test_imperfect_rate),
		cmocka_unit_test(test_imperfect_syscall),
		cmocka_unit_test(test_streams_follow_the_lineage),
		cmocka_unit_test(test_snapshot_keeps_streams_and_mode),
		cmocka_unit_test(test_mutants_repeat),
	};
	return cmocka_run_group_tests_name("watching, imperfect mode, random streams", tests, NULL, NULL);
}
