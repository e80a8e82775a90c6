/*
 * fuzz_vm.c — fuzz target: random pixel words and random system calls run by
 * the interpreter under the scheduler, with every subsystem live (IPC, files,
 * console, canvases, fork, exec, kill). Built with libFuzzer (clang
 * -fsanitize=fuzzer,address,undefined), or without it with the standalone
 * driver tests/fuzz/standalone.c, by tests/fuzz/build.mk (`make fuzz-vm`).
 *
 * Input: records, each 6 bytes:
 *   byte 0 < 0xA0   bytes 1..4 are one raw instruction word (any value)
 *   byte 0 >= 0xA0  a system call: byte 1 picks the number (a real one, or
 *                   any 16-bit value when byte 1 >= 0xF0, then byte 2..3), bytes
 *                   2..5 pick R1..R4 from values that matter (addresses at the
 *                   edges of memory, valid strings and buffers, pids, lengths
 *                   around the limits, fds); R5 = byte 5 * 0x01010101
 * The program is loaded at 0x0200 of a process; strings it can name (paths,
 * text) sit at 0x9000. Two bystanders started before it sleep for an hour;
 * one more is in IPC_RECV (its buffer may legitimately receive messages).
 *
 * Checked after each run, and after killing everything:
 *   - the sleeping bystanders' memory is exactly as it was, they have drawn
 *     nothing, and where a slot still shows them their tile and canvas on
 *     the screen are as they were;
 *   - every visible slot shows exactly the memory and canvas of the process
 *     it holds (rows not yet due for a flush aside);
 *   - the receiver's memory changed only inside its receive buffer;
 *   - every table entry is consistent (memory iff alive; fds point at open
 *     files); after all are killed every slot is free and no memory is left
 *     allocated but the RAM files';
 *   - nothing crashed (ASan/UBSan watch every access).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/sched_testhost.h"
#include "kernel/vram.h"
#include "pxvm/canvas.h"
#include "pxvm/sched.h"
#include "pxvm/vfs.h"
#include "pxvm/view.h"

#define CHECK(c)                                                       \
	do {                                                               \
		if (!(c)) {                                                    \
			fprintf(stderr, "fuzz_vm: check failed: %s (line %d)\n", #c, __LINE__); \
			abort();                                                   \
		}                                                              \
	} while (0)

#define STRINGS 0x9000u
#define RECV_BUF 0xA000u
#define RECV_CAP 64u

static const uint16_t calls[] = {
	PXVM_SYS_PRINT, PXVM_SYS_RECT, PXVM_SYS_TEXT, PXVM_SYS_LAYER_USE, PXVM_SYS_READ, PXVM_SYS_WRITE,
	PXVM_SYS_EXIT, PXVM_SYS_GETPID, PXVM_SYS_YIELD, PXVM_SYS_SLEEP, PXVM_SYS_TIME, PXVM_SYS_PIXEL,
	PXVM_SYS_IPC_SEND, PXVM_SYS_IPC_RECV, PXVM_SYS_FS_OPEN, PXVM_SYS_FS_CLOSE, PXVM_SYS_FS_WRITE,
	PXVM_SYS_FS_READ, PXVM_SYS_FS_STAT, PXVM_SYS_READDIR, PXVM_SYS_FS_CREATE, PXVM_SYS_FORK,
	PXVM_SYS_SPAWN, PXVM_SYS_EXEC, PXVM_SYS_WAIT, PXVM_SYS_KILL, PXVM_SYS_SETFG, PXVM_SYS_PROCINFO,
	PXVM_SYS_HVTRAP, PXVM_SYS_SETSID, PXVM_SYS_SETPGID, PXVM_SYS_GETPGID, PXVM_SYS_TTYMODE, PXVM_SYS_INTR,
};
#define NCALLS (sizeof(calls) / sizeof(calls[0]))

/* Strings at STRINGS + 32 * i. */
static const char *const strings[] = {
	"/bin/t", "/etc/motd", "/tmp/x", "/", "/etc", "/tmp", "/bin/t/x", "hello", "relative", "/bin/sleeper",
};
#define NSTRINGS (sizeof(strings) / sizeof(strings[0]))

static const uint32_t values[] = {
	0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 15, 16, 64, 127, 128, 255, 256, 257, 4096, 4097, 65535, 65536,
	0x200, 0x8000, 0xEFFC, 0xF000, 0xFFF0, 0xFFFC, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000u, 0xFFFFFFFFu,
	0xFFFFFF80u, RECV_BUF, STRINGS, STRINGS + 32, STRINGS + 64, STRINGS + 96, STRINGS + 128, STRINGS + 160,
	STRINGS + 192, STRINGS + 224, STRINGS + 256, STRINGS + 288, 0xB000, 0xB100, 3600001, 20,
};
#define NVALUES (sizeof(values) / sizeof(values[0]))

static const char sleeper_src[] =
	".include \"pxos.inc\"\n_start:\n IMM32 R1, 3600000\n SYSCALL SYS_SLEEP\n JMP _start\n";
static const char receiver_src[] =
	".include \"pxos.inc\"\n_start:\n IMM32 R1, 0xA000\n IMM8 R2, 64\n IMM8 R3, 0\n SYSCALL SYS_IPC_RECV\n"
	" JMP _start\n";
static const char motd[] = "hello from the ramdisk\n";

static int booted;
static uint32_t *snap[2];       /* the sleepers' memory */
static uint64_t screen_hash[2]; /* their tile + canvas */
static uint32_t shown_in[2];    /* their slots then */

static uint64_t hash_rect(const struct vram_rect *r)
{
	uint64_t h = 1469598103934665603ull;
	for (int y = r->y; y < r->y + r->h; y++)
		for (int x = r->x; x < r->x + r->w; x++)
			h = (h ^ th_vram[(size_t)y * th_fb.stride + (size_t)x]) * 1099511628211ull;
	return h;
}

static uint64_t slot_hash(uint32_t slot)
{
	const struct vram_slot *s = &vram_layout()->slot[slot];
	return hash_rect(&s->tile) * 31 + hash_rect(&s->canvas);
}

/* Build the program for `data` into `mem` (a process's memory). */
static void build(uint32_t *mem, const uint8_t *data, size_t size)
{
	uint32_t pc = PXVM_IMAGE_BASE / 4, end = STRINGS / 4 - 16;
	for (size_t i = 0; i + 6 <= size && pc < end; i += 6) {
		const uint8_t *r = data + i;
		if (r[0] < 0xA0) {
			mem[pc++] = (uint32_t)r[1] | (uint32_t)r[2] << 8 | (uint32_t)r[3] << 16 | (uint32_t)r[4] << 24;
			continue;
		}
		uint32_t num = r[1] >= 0xF0 ? ((uint32_t)r[2] | (uint32_t)r[3] << 8) : calls[r[1] % NCALLS];
		for (int k = 1; k <= 5; k++) {
			uint32_t v = k == 5 ? r[5] * 0x01010101u : values[r[1 + k] % NVALUES];
			mem[pc++] = PXVM_ENCODE(PXVM_OP_IMM32, k, 0, 0);
			mem[pc++] = v;
		}
		mem[pc++] = PXVM_ENCODE(PXVM_OP_SYSCALL, 0, 0, num & 0xFFFF);
	}
	mem[pc] = PXVM_ENCODE(PXVM_OP_HALT, 0, 0, 0);
	for (uint32_t i = 0; i < NSTRINGS; i++)
		memcpy((uint8_t *)mem + STRINGS + 32 * i, strings[i], strlen(strings[i]) + 1);
}

static void check_table(void)
{
	for (uint32_t i = 0; i < NPROC; i++) {
		const struct proc *p = proc_at(i);
		CHECK((unsigned)p->state <= PROC_ZOMBIE);
		bool live = p->state == PROC_RUNNABLE || p->state == PROC_BLOCKED;
		/* A visible slot shows it exactly when the view says so. */
		CHECK(live ? p->slot == PROC_NO_SLOT || (p->slot < view_slots() && view_slot(p->slot)->pid == p->pid &&
		                                         !view_slot(p->slot)->ended)
		           : p->slot == PROC_NO_SLOT);
		CHECK(p->state != PROC_RUNNING);
		CHECK(live == (p->vm.mem != 0));
		CHECK(p->state == PROC_BLOCKED ? p->block != BLOCK_NONE && p->block <= BLOCK_TRAP : p->block == BLOCK_NONE);
		for (uint32_t f = 0; f < NOFILE; f++)
			CHECK(p->fd[f] >= -1 && p->fd[f] < NPROC * NOFILE && (live || p->fd[f] == -1));
	}
}

/* check_screen: each slot showing a live process shows its memory word for
 * word (bytes 0..2 as R, G, B) and its canvas, except rows still marked
 * changed (shown at its next quantum's end). */
static void check_screen(void)
{
	const struct vram_layout *L = vram_layout();
	for (uint32_t s = 0; s < view_slots(); s++) {
		const struct view_slot *v = view_slot(s);
		const struct proc *p = v->pid && !v->ended ? proc_find(v->pid) : 0;
		if (!p || p->slot != s || !p->vm.mem)
			continue;
		const struct vram_slot *vs = &L->slot[s];
		for (uint32_t y = 0; y < PXVM_TILE_H; y++) {
			uint64_t bit = 1ull << (y & 63);
			for (uint32_t x = 0; x < PXVM_TILE_W; x++) {
				if (!(p->vm.dirty[y >> 6] & bit))
					CHECK((fb_get(&th_fb, vs->tile.x + (int)x, vs->tile.y + (int)y) & 0xFFFFFFu) ==
					      (p->vm.mem[y * PXVM_TILE_W + x] & 0xFFFFFFu));
				if (!(p->canvas_dirty[y >> 6] & bit))
					CHECK((fb_get(&th_fb, vs->canvas.x + (int)x, vs->canvas.y + (int)y) & 0xFFFFFFu) ==
					      (p->canvas ? p->canvas[y * PXVM_TILE_W + x] & 0xFFFFFFu : CANVAS_BG));
			}
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct th_file files[] = {
		{ "/bin/sleeper", sleeper_src, 0, 0 },
		{ "/bin/recv", receiver_src, 0, 0 },
		{ "/bin/t", ".include \"pxos.inc\"\n_start:\n IMM8 R1, 3\n SYSCALL SYS_EXIT\n", 0, 0 },
		{ "/etc/motd", 0, motd, sizeof(motd) - 1 },
	};
	if (!booted) {
		th_boot(1024, 768, files, 4);
		booted = 1;
	} else {
		sched_init(vfs_fs(), vram_layout()->nslots);
	}
	th_no_idle = 1; /* sleepers would sleep for ever: stop when all are blocked */
	th_input = "typed line\n\x04";
	th_out_clear();
	int s1 = sched_spawn("/bin/sleeper", 0, 0), s2 = sched_spawn("/bin/sleeper", 0, 0);
	int rv = sched_spawn("/bin/recv", 0, 0);
	CHECK(s1 == 1 && s2 == 2 && rv == 3);
	sched_run(0);
	for (int k = 0; k < 2; k++) {
		struct proc *p = proc_find((uint32_t)(k + 1));
		CHECK(p && p->state == PROC_BLOCKED && p->block == BLOCK_SLEEP);
		if (!snap[k])
			snap[k] = malloc(PXVM_MEM_ALLOC_WORDS * 4);
		memcpy(snap[k], p->vm.mem, PXVM_MEM_ALLOC_WORDS * 4);
		shown_in[k] = p->slot;
		if (p->slot != PROC_NO_SLOT)
			screen_hash[k] = slot_hash(p->slot);
	}
	uint32_t *recv_before = malloc(PXVM_MEM_ALLOC_WORDS * 4);
	memcpy(recv_before, proc_find(3)->vm.mem, PXVM_MEM_ALLOC_WORDS * 4);

	/* The fuzzed process: spawned from /bin/t, then given the input's program. */
	int f = sched_spawn("/bin/t", "a b", 0);
	CHECK(f == 4);
	struct proc *fp = proc_find(4);
	build(fp->vm.mem, data, size);
	fp->vm.pc = PXVM_IMAGE_BASE;
	pxvm_mark_dirty(&fp->vm, 0, PXVM_MEM_SIZE);
	sched_run(200000);
	check_table();

	for (int k = 0; k < 2; k++) {
		struct proc *p = proc_find((uint32_t)(k + 1));
		CHECK(p && p->state == PROC_BLOCKED);
		CHECK(memcmp(snap[k], p->vm.mem, PXVM_MEM_ALLOC_WORDS * 4) == 0);
		CHECK(!p->canvas && !p->back);
		if (p->slot != PROC_NO_SLOT && p->slot == shown_in[k])
			CHECK(slot_hash(p->slot) == screen_hash[k]);
	}
	struct proc *r = proc_find(3);
	if (r && r->vm.mem) {
		for (uint32_t a = 0; a < PXVM_MEM_SIZE; a += 4)
			if (a < RECV_BUF || a >= RECV_BUF + RECV_CAP)
				CHECK(r->vm.mem[a / 4] == recv_before[a / 4] || a >= PXVM_STACK_TOP - 64);
	}
	free(recv_before);
	check_screen();

	/* Kill everything; nothing may be left but RAM files. */
	for (uint32_t i = 0; i < NPROC; i++) {
		struct proc *p = proc_at(i);
		if (p->state == PROC_RUNNABLE || p->state == PROC_BLOCKED)
			CHECK(sched_kill(0, p->pid) == 0);
	}
	for (uint32_t i = 0; i < NPROC; i++) {
		struct proc *p = proc_at(i);
		if (p->state == PROC_ZOMBIE)
			p->ppid = 0; /* parents are gone; reap below */
	}
	CHECK(sched_run(0) == 0);
	check_table();
	for (uint32_t i = 0; i < NPROC; i++)
		CHECK(proc_at(i)->state == PROC_FREE || proc_at(i)->state == PROC_ZOMBIE);
	CHECK(th_live_allocs == (long)vfs_ram_files());
	return 0;
}
