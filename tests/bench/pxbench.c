/*
 * pxbench — time pxVM programs on the host (`make bench`, tests/bench/bench.py).
 *
 *   pxbench run PROGRAM.pxe [ARG]
 *       Run one process on the bare interpreter: pxvm_run in quanta of
 *       SCHED_QUANTUM instructions, as the scheduler gives them, with a minimal
 *       system-call hook (WRITE, PRINT, EXIT, TIME). Prints the program's output,
 *       then "steps N seconds S cpu C" (wall-clock and CPU seconds of the run).
 *   pxbench watched PROGRAM.pxe [ARG]
 *       The same with the process watched (pxvm/watch.h, WATCH_ALL: the
 *       instrumented run loop, the write log and the marks), then "watch: W
 *       writes logged, R words of rewritten code". Built as pxbench-nowatch
 *       (pxvm/vm.c without watching, tests/bench/vm_nowatch.c), the watch is
 *       ignored and 0 writes are logged: make bench's baseline.
 *   pxbench procs N PROGRAM.pxe [ARG]
 *       Run N copies of the program (each with argument ARG) under the real
 *       scheduler, system calls and VRAM substrate (pxvm/sched.c, pxvm/syscall.c,
 *       kernel/vram.c) on an in-memory screen large enough for NPROC slots.
 *       Checks that every copy printed the same result line, that none
 *       faulted, and the exit status of the last SCHED_REAPED_MAX to end;
 *       then prints that line once and "steps N seconds S cpu C".
 *       A Python program (PROGRAM.py: tests/bench/NAME.py) runs the same way as
 *       Python processes (pxvm/py, docs/python.md), its budget hook included.
 *   pxbench ref NAME [ARG]
 *       The result line a benchmark must print (loop, fib, sieve, copy),
 *       computed in C, for the correctness checks.
 *
 * Exit status 0, or 1 when a program faulted, did not exit 0, or the copies
 * disagreed; 2 for a usage or input error.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tools/common/hostio.h"
#include "boot/bootinfo.h"
#include "drivers/fb.h"
#include "kernel/param.h"
#include "kernel/vram.h"
#include "pxvm/host.h"
#include "pxvm/logring.h"
#include "pxvm/pixelfs.h"
#include "pxvm/sched.h"
#include "pxvm/vm.h"
#include "pxvm/py/pyproc.h"
#include "pxvm/watch.h"

#define OUT_MAX (1u << 20)

/* What the guests print: everything in order (out), and per process. */
static char out[OUT_MAX];
static size_t out_len;
#define PROC_OUT_MAX 256
static char proc_out[NPROC + 1][PROC_OUT_MAX];
static size_t proc_out_len[NPROC + 1];
static int warnings; /* scheduler warnings and errors (faults, failed spawns) */

static void out_add(const char *s, size_t n)
{
	if (n > OUT_MAX - out_len)
		n = OUT_MAX - out_len;
	memcpy(out + out_len, s, n);
	out_len += n;
}

static struct timespec t0;

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) * 1e-9;
}

/* CPU time of this process: what a run costs, whatever else the machine runs. */
static double cpu_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* ---- pxvm/host.h for the scheduler ---------------------------------------- */

uint64_t pxhost_time_us(void) { return (uint64_t)(now_s() * 1e6); }
size_t pxhost_output(uint32_t pid, int fd, const char *s, size_t n)
{
	(void)fd;
	out_add(s, n);
	if (pid > NPROC)
		return n;
	size_t room = PROC_OUT_MAX - proc_out_len[pid];
	memcpy(proc_out[pid] + proc_out_len[pid], s, n < room ? n : room);
	proc_out_len[pid] += n < room ? n : room;
	return n;
}
void pxhost_output_wait(void) {} /* never asked: everything is taken */
uint32_t *pxhost_mem_alloc(void) { return malloc(PXVM_MEM_ALLOC_WORDS * sizeof(uint32_t)); }
/* Blocks for native pointers: malloc's; never placed (`at`: NULL). */
void *pxhost_fixed_alloc(uintptr_t at) { return at ? 0 : calloc(PXVM_MEM_ALLOC_WORDS, sizeof(uint32_t)); }

void pxhost_fixed_free(void *mem) { free(mem); }

uint32_t pxhost_code_id(void) { return 0; }

void pxhost_mem_free(uint32_t *mem) { free(mem); }
/* The screen's tables at their frame rate, as the kernel redraws them. */
void pxhost_poll(void) { vram_refresh(pxhost_time_us(), false); }
int pxhost_idle(uint64_t until_us) { (void)until_us; return -1; }
void pxhost_llm_cancel(uint32_t id) { (void)id; }
int pxhost_snapshot(uint32_t pid) { (void)pid; return -PXE_ENOBRIDGE; }
void pxhost_show_tile(uint32_t slot, const uint32_t *words, const uint64_t rows[2]) { vram_tile_flush(slot, words, rows); }
void pxhost_show_canvas(uint32_t slot, const uint32_t *words, const uint64_t rows[2]) { vram_canvas_flush(slot, words, rows); }

void pxhost_panic(const char *why)
{
	fprintf(stderr, "pxbench: panic: %s\n", why);
	abort();
}

/* The log's newest lines, as the kernel keeps them (KLOG_READ). */
static char keep_buf[KLOG_KEEP];
static struct logring keep = { keep_buf, KLOG_KEEP, 0, 0 };

size_t pxhost_klog_read(uint32_t from, char *dst, size_t len, uint32_t *next)
{
	return logring_read(&keep, from, dst, len, next);
}

void pxhost_log(int level, const char *fmt, ...)
{
	char line[KLOG_LINE_MAX];
	va_list lp;
	va_start(lp, fmt);
	vsnprintf(line, sizeof(line), fmt, lp);
	va_end(lp);
	logring_add(&keep, line, strlen(line));
	if (level < 2)
		return;
	warnings++;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "pxbench: sched: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int pxhost_llm_submit(uint32_t id, uint32_t kind, const char *model, uint32_t max_tokens, const char *prompt,
                      uint32_t len)
{
	(void)id; (void)kind; (void)model; (void)max_tokens; (void)prompt; (void)len;
	return -PXE_ENOBRIDGE;
}

/* ---- Input ----------------------------------------------------------------- */

static uint8_t *read_file(const char *path, size_t *size)
{
	uint8_t *buf;
	int e = hostio_read_file(path, &buf, size);
	if (e)
		fprintf(stderr, "pxbench: %s: %s\n", path, strerror(e));
	else if (*size > PXE_HEADER_SIZE + PXVM_IMAGE_MAX) {
		fprintf(stderr, "pxbench: %s: larger than any program\n", path);
		free(buf);
		buf = NULL;
	}
	return buf;
}

static int parse_u32(const char *s, uint32_t *v)
{
	char *end;
	errno = 0;
	unsigned long x = strtoul(s, &end, 10);
	if (errno || end == s || *end || x > 0xFFFFFFFFul)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

/* ---- Bare interpreter ------------------------------------------------------- */

static int exited, exit_status;

static int bare_syscall(struct pxvm *vm, uint32_t number)
{
	char buf[PRINT_MAX + 1];
	switch (number) {
	case PXVM_SYS_WRITE: {
		uint32_t len = vm->r[3];
		if ((vm->r[1] != 1 && vm->r[1] != 2) || len > sizeof(buf) || pxvm_read(vm, vm->r[2], buf, len)) {
			vm->r[0] = (uint32_t)-PXE_EINVAL;
			return 0;
		}
		out_add(buf, len);
		vm->r[0] = len;
		return 0;
	}
	case PXVM_SYS_PRINT: {
		int n = pxvm_read_str(vm, vm->r[1], buf, sizeof(buf) - 1);
		if (n < 0) {
			vm->r[0] = (uint32_t)n;
			return 0;
		}
		buf[n] = '\n';
		out_add(buf, (size_t)n + 1);
		vm->r[0] = (uint32_t)n;
		return 0;
	}
	case PXVM_SYS_EXIT:
		exited = 1;
		exit_status = (int)(vm->r[1] & 0xFF);
		return 1;
	case PXVM_SYS_TIME: {
		uint64_t us = pxhost_time_us();
		vm->r[0] = (uint32_t)(us / 1000);
		vm->r[1] = (uint32_t)us;
		return 0;
	}
	default:
		vm->r[0] = (uint32_t)-PXE_ENOSYS;
		return 0;
	}
}

/* The system area as sched_spawn fills it: pid 1, argv = { "bench", arg }. */
static void set_args(struct pxvm *vm, const char *arg)
{
	uint8_t *m = (uint8_t *)vm->mem;
	uint32_t argc = 1, argv[2] = { PXVM_SYS_ARGSTR, 0 };
	memcpy(m + PXVM_SYS_ARGSTR, "bench", 6);
	if (arg) {
		argv[1] = PXVM_SYS_ARGSTR + 6;
		snprintf((char *)m + argv[1], PXVM_ARGSTR_SIZE - 6, "%s", arg);
		argc = 2;
	}
	uint32_t words[5] = { 1, 0, argc, PXVM_SYS_ARGV_ARR, PXVM_ABI_VERSION };
	memcpy(m + PXVM_SYS_PID, words, sizeof(words));
	memcpy(m + PXVM_SYS_ARGV_ARR, argv, sizeof(argv));
}

static int cmd_run(const char *path, const char *arg, int watched)
{
	size_t size;
	uint8_t *file = read_file(path, &size);
	if (!file)
		return 2;
	static uint32_t mem[PXVM_MEM_ALLOC_WORDS];
	struct pxvm vm;
	const char *why;
	pxvm_init(&vm, mem);
	if (pxvm_load_pxe(&vm, file, size, &why)) {
		fprintf(stderr, "pxbench: %s: %s\n", path, why);
		return 2;
	}
	free(file);
	set_args(&vm, arg);
	vm.syscall = bare_syscall;
	struct pxvm_watch *w = 0;
	if (watched) {
		if (!(w = malloc(WATCH_BYTES))) {
			fprintf(stderr, "pxbench: out of memory\n");
			return 2;
		}
		watch_init(w, WATCH_ALL);
		vm.watch = w;
	}
	double start = now_s(), cpu = cpu_s();
	enum pxvm_run_result r;
	do
		r = pxvm_run(&vm, SCHED_QUANTUM);
	while (r == PXVM_RUN_BUDGET || (r == PXVM_RUN_SYSCALL && !exited) || r == PXVM_RUN_TRAP);
	double secs = now_s() - start;
	cpu = cpu_s() - cpu;
	fwrite(out, 1, out_len, stdout);
	printf("steps %llu seconds %.6f cpu %.6f\n", (unsigned long long)vm.steps, secs, cpu);
	if (w) {
		printf("watch: %llu writes logged, %u words of rewritten code\n", (unsigned long long)w->writes,
		       w->rewrites);
		free(w);
	}
	if (r == PXVM_RUN_FAULT) {
		fprintf(stderr, "pxbench: %s: fault %u (%s) at pc 0x%04x\n", path, vm.fault, pxvm_fault_text(vm.fault),
		        vm.fault_pc);
		return 1;
	}
	if (r == PXVM_RUN_HALT || exit_status != 0) {
		fprintf(stderr, "pxbench: %s: ended without EXIT 0\n", path);
		return 1;
	}
	return 0;
}

/* ---- Under the scheduler ------------------------------------------------------ */

static void fs_report(void *ctx, const char *path, const char *why)
{
	(void)ctx;
	fprintf(stderr, "pxbench: PixelFS: %s: %s\n", path, why);
}

static int cmd_procs(uint32_t n, const char *path, const char *arg)
{
	/* A screen with room for NPROC slots (8 columns of 4 rows at least), so
	 * every process is shown as on a big screen. */
	static const uint32_t W = 2400, H = 1400;
	uint32_t masks[4] = { 0 };
	uint32_t *vram = calloc((size_t)W * H, 4);
	static struct fb fb;
	if (!vram || fb_init(&fb, vram, W, H, W, PXOS_PIXEL_BGRX8, masks) || vram_init(&fb)) {
		fprintf(stderr, "pxbench: cannot set up the in-memory screen\n");
		return 2;
	}
	if (n < 1 || n > NPROC) {
		fprintf(stderr, "pxbench: %u processes: the table has %u entries\n", n, NPROC);
		return 2;
	}
	size_t size;
	uint8_t *file = read_file(path, &size);
	if (!file)
		return 2;
	size_t pl = strlen(path);
	int python = pl > 3 && !strcmp(path + pl - 3, ".py");
	const char *name = python ? "/bin/bench.py" : "/bin/bench";
	struct pxfs_input in = { .path = name, .data = file, .size = (uint32_t)size,
	                         .type = python ? PXFS_TYPE_TEXT : PXFS_TYPE_PROGRAM };
	uint32_t h = pxfs_layout(&in, 1, PXFS_DEFAULT_WIDTH);
	uint8_t *pixels = h ? calloc((size_t)PXFS_DEFAULT_WIDTH * h, 4) : 0;
	static struct pxfs fs;
	static uint8_t bad[PXFS_MAX_FILES];
	const char *why = "";
	if (!pixels || pxfs_build(&in, 1, PXFS_DEFAULT_WIDTH, h, pixels, &why) ||
	    pxfs_mount(&fs, pixels, PXFS_DEFAULT_WIDTH, h, bad, fs_report, 0)) {
		fprintf(stderr, "pxbench: cannot build the in-memory PixelFS: %s\n", why);
		return 2;
	}
	sched_init(&fs, vram_layout()->nslots);
	py_proc_init();
	int pids[NPROC];
	for (uint32_t i = 0; i < n; i++) {
		pids[i] = sched_spawn(name, arg, 0);
		if (pids[i] < 0) {
			fprintf(stderr, "pxbench: spawn %u: %s\n", i, pxvm_error_text((uint32_t)-pids[i]));
			return 2;
		}
	}
	double start = now_s(), cpu = cpu_s();
	uint32_t alive = sched_run(0);
	double secs = now_s() - start;
	cpu = cpu_s() - cpu;
	/* Every copy must have printed the same line, and nothing may have
	 * faulted (the scheduler logs a warning for every fault). Pids are 1..n. */
	const char *line = proc_out[1];
	size_t len = proc_out_len[1];
	int bad_end = alive != 0 || warnings != 0 || !len || line[len - 1] != '\n';
	for (uint32_t i = 0; i < n; i++) {
		uint32_t pid = (uint32_t)pids[i];
		if (pid > NPROC || proc_out_len[pid] != len || memcmp(proc_out[pid], line, len)) {
			fprintf(stderr, "pxbench: process %u printed \"%.*s\", process 1 \"%.*s\"\n", pid,
			        (int)(pid <= NPROC ? proc_out_len[pid] : 0), pid <= NPROC ? proc_out[pid] : "",
			        (int)len, line);
			bad_end = 1;
		}
		/* The scheduler remembers the last SCHED_REAPED_MAX exits. */
		uint32_t st;
		if (sched_reaped_status(pid, &st) == 0 && st != 0) {
			fprintf(stderr, "pxbench: process %u ended with status 0x%x\n", pid, st);
			bad_end = 1;
		}
	}
	fwrite(line, 1, len, stdout);
	printf("steps %llu seconds %.6f cpu %.6f\n", (unsigned long long)sched_total_steps(), secs, cpu);
	return bad_end;
}

/* ---- Reference results ---------------------------------------------------------- */

static uint32_t ref_fib(uint32_t n) { return n < 2 ? n : ref_fib(n - 1) + ref_fib(n - 2); }

static int cmd_ref(const char *name, const char *arg)
{
	uint32_t v, x;
	if (!strcmp(name, "loop")) {
		if (!arg || parse_u32(arg, &x)) x = 100000000u;
		v = (uint32_t)((uint64_t)x * (x + 1ull) / 2);
	} else if (!strcmp(name, "fib")) {
		if (!arg || parse_u32(arg, &x)) x = 30;
		v = ref_fib(x);
	} else if (!strcmp(name, "sieve")) {
		if (!arg || parse_u32(arg, &x)) x = 200;
		static uint8_t s[50001];
		v = 0;
		if (x) {
			for (uint32_t i = 2; i * i <= 50000; i++)
				if (!s[i])
					for (uint32_t j = i * i; j <= 50000; j += i)
						s[j] = 1;
			for (uint32_t i = 2; i <= 50000; i++)
				v += !s[i];
		}
	} else if (!strcmp(name, "copy")) {
		if (!arg || parse_u32(arg, &x)) x = 10000;
		uint32_t r = 1;
		v = 0;
		for (int i = 0; i < 4096; i++) {
			r = r * 1664525u + 1013904223u;
			v += x ? r : 0;
		}
	} else {
		fprintf(stderr, "pxbench: no reference for %s\n", name);
		return 2;
	}
	printf("%s: %u\n", name, v);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: pxbench run|watched PROGRAM.pxe [ARG]\n"
	                "       pxbench procs N PROGRAM.pxe [ARG]\n"
	                "       pxbench ref loop|fib|sieve|copy [ARG]\n");
	return 2;
}

int main(int argc, char **argv)
{
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (argc >= 3 && argc <= 4 && (!strcmp(argv[1], "run") || !strcmp(argv[1], "watched")))
		return cmd_run(argv[2], argc == 4 ? argv[3] : 0, !strcmp(argv[1], "watched"));
	if (argc >= 4 && argc <= 5 && !strcmp(argv[1], "procs")) {
		uint32_t n;
		if (parse_u32(argv[2], &n))
			return usage();
		return cmd_procs(n, argv[3], argc == 5 ? argv[4] : 0);
	}
	if (argc >= 3 && argc <= 4 && !strcmp(argv[1], "ref"))
		return cmd_ref(argv[2], argc == 4 ? argv[3] : 0);
	return usage();
}
