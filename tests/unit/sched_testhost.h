/*
 * sched_testhost.h — pxvm/host.h for the unit tests (test_sched*, test_debug,
 * test_hv, test_view, test_vram) and the VM fuzz target: the one test
 * platform. A fake clock, captured output, process memory from malloc, a
 * screen in host memory (or none), a fake LLM the test programs, and a
 * PixelFS built from assembly sources (assembled with the pxasm library,
 * `.include "pxos.inc"` works) or given by the test.
 */
#ifndef SCHED_TESTHOST_H
#define SCHED_TESTHOST_H

#include <stdint.h>
#include <stddef.h>
#include "drivers/fb.h"
#include "pxvm/pixelfs.h"

/* A file for th_boot: `src` is pxasm source (becomes a PROGRAM) unless
 * `data` is set (then `size` bytes of TEXT). */
struct th_file {
	const char *path;
	const char *src;
	const char *data;
	uint32_t size;
};

/* The fake clock: pxhost_time_us() returns th_now_us; every pxhost_poll()
 * adds th_tick_us (default 100; 0 keeps the clock still); pxhost_idle(until)
 * jumps to `until`; every pxhost_time_us() call adds th_clock_step_us after
 * it reads (default 0: a slow machine, for the quantum-overrun log). */
extern uint64_t th_now_us, th_tick_us, th_clock_step_us;

/* Process output room (a slow serial line): pxhost_output takes at most
 * th_out_room bytes of process output (the echo, pid 0, always whole) and
 * counts them off; every pxhost_poll adds th_out_refill and, when a writer
 * asked (pxhost_output_wait, counted in th_out_waits) and there is room,
 * calls tty_output_ready (pxhost_idle waits for that rather than giving up
 * while th_out_refill is set). Default (size_t)-1: no limit. */
extern size_t th_out_room, th_out_refill;
extern unsigned th_out_waits;

/* When set, pxhost_time_us() is the CPU time this thread has used instead
 * (a test that measures how long something really computes, whatever else
 * the host runs meanwhile). */
extern int th_real_clock;

/* Output of every process (and the console echo, pid 0), in order; and the
 * same split by fd: th_stdout (fd 1, the echo included) and th_stderr (fd 2). */
extern char th_out[1 << 16], th_stdout[1 << 16], th_stderr[1 << 16];
extern size_t th_out_len, th_stdout_len, th_stderr_len;
void th_out_clear(void);

/* Counters: pxhost_poll and pxhost_idle calls, log lines at level >= 2;
 * the last of those lines, and all of them (one a line, cut at its size). */
extern unsigned th_polls, th_idles, th_warnings;
extern char th_last_warning[256], th_warn_log[1 << 14];

/* Console input: when th_input is set, pxhost_poll feeds its bytes to the
 * tty (all at once, or th_input_chunk bytes per poll when nonzero); idle
 * without a deadline returns -1 only once it is all fed. */
extern const char *th_input;
extern size_t th_input_chunk;

/* When set, pxhost_idle returns -1 at once: sched_run stops as soon as
 * everything is blocked (to look at processes mid-way). */
extern int th_no_idle;

/* Called by every pxhost_poll when set (a test's fake backend). */
extern void (*th_poll_hook)(void);

/* SNAPSHOT's platform side: pxhost_snapshot returns th_snapshot_result
 * (default 0) and counts the ones it granted in th_snapshots. */
extern unsigned th_snapshots;
extern int th_snapshot_result;

/* The fake LLM: pxhost_llm_submit / pxhost_llm_cancel call these when set;
 * unset, a submit fails with -PXE_ENOBRIDGE. */
extern int (*th_llm_submit)(uint32_t id, uint32_t kind, const char *model, const char *prompt, uint32_t len);
extern void (*th_llm_cancel)(uint32_t id);

/* pxhost_fixed_alloc: 0 (the default): ordinary guarded blocks, never placed
 * (`at` gets NULL) and pxhost_code_id 0, so a Python process is never
 * resumed; 1: blocks mapped at fixed addresses (placed on request, as pxsim
 * does) and the code's identity known, so a Python process snapshotted in
 * this test process can go on in it. Either way they count as allocations. */
extern int th_fixed_place;

/* Blocks from pxhost_mem_alloc (and pxhost_fixed_alloc) not yet freed. */
extern long th_live_allocs;

/* th_guards_ok: whether the guard words around every live pxhost_mem_alloc
 * block are intact (nothing wrote past a process's memory, a canvas, a RAM
 * file); pxhost_mem_free aborts on a block whose guards are not. */
int th_guards_ok(void);

/* The screen (RGBX8) and its pixels; th_vram is NULL with no screen. */
extern struct fb th_fb;
extern uint32_t *th_vram;

/* th_start: a fresh screen of w x h (0 x 0: none, every process unseen), the
 * clock at 0, no input, no hooks, output cleared, and sched_init on `fs`.
 * Returns the number of visible slots. */
uint32_t th_start(uint32_t w, uint32_t h, const struct pxfs *fs);

/* th_boot: th_start with the files assembled into a PixelFS. Aborts with the
 * assembler's messages when a source does not assemble. */
uint32_t th_boot(uint32_t w, uint32_t h, const struct th_file *files, uint32_t n);

/* th_assemble: pxasm source -> a malloc'd .pxe (*size bytes), or NULL. */
uint8_t *th_assemble(const char *src, size_t *size);

/* th_spawn: sched_spawn that aborts the test when it fails. */
int th_spawn(const char *path, const char *args);

/* th_spawn_proc: th_spawn (no arguments), the new process itself. */
struct proc;
struct proc *th_spawn_proc(const char *path);

/* th_run_all: th_no_idle set, the scheduler runs until every process is
 * blocked or ended. */
void th_run_all(void);

#endif /* SCHED_TESTHOST_H */
