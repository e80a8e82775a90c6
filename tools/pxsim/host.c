/*
 * host.c — pxsim's side of pxvm/host.h: process output to stdout/stderr, the
 * clock (virtual by default, so runs are repeatable), process memory from
 * malloc, log lines to stderr, console input from a script or from the
 * terminal, fed to pxvm/tty.c as the kernel feeds keystrokes, and the display
 * (kernel/vram.c on a screen in memory, when there is one).
 *
 * The virtual clock: pxhost_time_us() = the instructions run so far, plus
 * the instructions system calls were charged (their cost column and their
 * per-byte, per-pixel charges: docs/pxvm-abi.md), divided by
 * pxsim_steps_per_us, plus the time skipped while every process was blocked
 * (pxhost_idle jumps straight to the next deadline). So SLEEP costs no real
 * time, a flood of expensive calls costs virtual time as it costs the kernel
 * real time, and the same input gives the same run, byte for byte.
 *
 * Scripted input (pxsim_script_*) is typed one line at a time (a line ends
 * after '\n', or after a lone Ctrl-C or Ctrl-D): the next line goes in when the
 * console's foreground process waits in READ on stdin, or, when nothing at
 * all can run and no deadline is pending, as type-ahead. When the script is
 * used up, every further READ of the foreground process gets end of input
 * (Ctrl-D), as from a pipe. Timed input (pxsim_script_at) is typed when the
 * clock reaches its time, whatever runs.
 */
/* _DEFAULT_SOURCE (HOST_REQ): MAP_FIXED_NOREPLACE, MAP_ANONYMOUS */
#include <errno.h>
#include <sys/mman.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "kernel/vram.h"
#include "pxvm/crc32.h"
#include "pxvm/host.h"
#include "pxvm/logring.h"
#include "pxvm/sched.h"
#include "pxvm/tty.h"
#include "pxvm/vm.h"
#include "pxvm/proc_pxvm.h"
#include "pxsim.h"

#define EOF_MAX 64 /* end-of-input answers before pxsim stops offering them */

int pxsim_quiet;
int pxsim_realtime;
int pxsim_interactive;
uint64_t pxsim_steps_per_us = 100;

static struct timespec t0;
static uint64_t skipped_us;        /* virtual time jumped over while idle */

static char *script;               /* untimed input, typed line by line */
static size_t script_len, script_pos;
static unsigned eofs_sent;

struct timed { uint64_t at_us; char *bytes; size_t n; };
static struct timed *timed;
static size_t ntimed, timed_next;  /* sorted by at_us; [timed_next..) pending */

static int stdin_open = 1;         /* interactive: stdin not yet at its end */
static struct termios saved_tio;
static int tio_saved;

void pxsim_clock_start(void) { clock_gettime(CLOCK_MONOTONIC, &t0); }

static uint64_t wall_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)(t.tv_sec - t0.tv_sec) * 1000000u + (uint64_t)((t.tv_nsec - t0.tv_nsec) / 1000);
}

uint64_t pxsim_clock_resume(uint64_t clock_us, uint64_t steps)
{
	uint64_t ran = steps / pxsim_steps_per_us; /* steps: run and charged */
	skipped_us = clock_us > ran ? clock_us - ran : 0;
	if (pxsim_realtime)
		return wall_us();
	return skipped_us + ran;
}

uint64_t pxhost_time_us(void)
{
	if (pxsim_realtime)
		return wall_us();
	/* What system calls are charged (pxvm/syscall.c's costs) takes time too,
	 * as their work does in the kernel: a flood of expensive calls shows. */
	return skipped_us + (sched_total_steps() + sched_total_charged()) / pxsim_steps_per_us;
}

size_t pxhost_output(uint32_t pid, int fd, const char *s, size_t n)
{
	(void)pid;
	FILE *f = fd == 2 ? stderr : stdout;
	fwrite(s, 1, n, f);
	fflush(f);
	return n;
}

void pxhost_output_wait(void) {} /* never asked: stdout takes everything */

uint32_t *pxhost_mem_alloc(void) { return malloc(PXVM_MEM_ALLOC_WORDS * sizeof(uint32_t)); }

void pxhost_mem_free(uint32_t *mem) { free(mem); }

/* The log's newest lines, as the kernel keeps them (KLOG_READ, pxos.klog):
 * every line, shown or not (--quiet). */
static char keep_buf[KLOG_KEEP];
static struct logring keep = { keep_buf, KLOG_KEEP, 0, 0 };

size_t pxhost_klog_read(uint32_t from, char *dst, size_t len, uint32_t *next)
{
	return logring_read(&keep, from, dst, len, next);
}

/* Blocks for native pointers (Python processes): anonymous mappings in a
 * range of the address space nothing else uses, PXSIM_FIXED_BASE on, one
 * slot of whole pages per block, the lowest free slot first, so a run of
 * one build gives the same addresses every time, and a resumed pxsim gets
 * a snapshot's blocks back where they were (MAP_FIXED_NOREPLACE: never over
 * anything mapped). pxsim is linked without PIE (tools/pxsim/build.mk), so
 * its code and data, which these blocks point into, do not move either. */
#define PXSIM_FIXED_BASE  0x3F0000000000ull
#define PXSIM_FIXED_SLOTS 4096u
#define PXSIM_FIXED_BYTES (((size_t)PXVM_MEM_ALLOC_WORDS * 4u + 4095u) & ~(size_t)4095u)
static uint32_t fixed_hint; /* no free slot below this one */

static void *map_at(uintptr_t at)
{
	void *m = mmap((void *)at, PXSIM_FIXED_BYTES, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (m == MAP_FAILED)
		return 0;
	if ((uintptr_t)m != at) { /* a kernel older than MAP_FIXED_NOREPLACE took it as a hint */
		munmap(m, PXSIM_FIXED_BYTES);
		return 0;
	}
	return m;
}

void *pxhost_fixed_alloc(uintptr_t at)
{
	if (at)
		return at % 4096u ? 0 : map_at(at);
	for (uint32_t k = fixed_hint; k < PXSIM_FIXED_SLOTS; k++) {
		void *m = map_at((uintptr_t)(PXSIM_FIXED_BASE + (uint64_t)k * PXSIM_FIXED_BYTES));
		if (m) {
			fixed_hint = k + 1;
			return m;
		}
	}
	return 0;
}

void pxhost_fixed_free(void *mem)
{
	if (!mem)
		return;
	uint64_t a = (uintptr_t)mem;
	if (a >= PXSIM_FIXED_BASE && (a - PXSIM_FIXED_BASE) / PXSIM_FIXED_BYTES < fixed_hint)
		fixed_hint = (uint32_t)((a - PXSIM_FIXED_BASE) / PXSIM_FIXED_BYTES);
	munmap(mem, PXSIM_FIXED_BYTES);
}

/* The code's identity: CRC-32 of the executable's text (GNU ld's
 * __executable_start and etext bound it). */
extern const char __executable_start[], etext[];

uint32_t pxhost_code_id(void)
{
	static uint32_t id;
	if (!id)
		id = crc32_update(0, __executable_start, (size_t)(etext - __executable_start));
	return id ? id : 1;
}

void pxhost_log(int level, const char *fmt, ...)
{
	static const char *const names[] = { "DEBUG", "INFO ", "WARN ", "ERROR" };
	char line[KLOG_LINE_MAX];
	uint64_t us = pxhost_time_us();
	int n = snprintf(line, sizeof(line), "[%5llu.%06llu] %s sched: ", (unsigned long long)(us / 1000000),
	                 (unsigned long long)(us % 1000000), names[level < 0 ? 0 : level > 3 ? 3 : level]);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	logring_add(&keep, line, strlen(line));
	if (pxsim_quiet && level < 2)
		return;
	fprintf(stderr, "%s\n", line);
}

/* ---- scripted input ---------------------------------------------------------- */

int pxsim_unescape(const char *s, char **out, size_t *n)
{
	size_t len = strlen(s), k = 0;
	char *b = malloc(len + 1);
	if (!b)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '\\') {
			b[k++] = s[i];
			continue;
		}
		char c = s[++i];
		switch (c) {
		case 'n': b[k++] = '\n'; break;
		case 'r': b[k++] = '\r'; break;
		case 't': b[k++] = '\t'; break;
		case 'e': b[k++] = 0x1b; break;
		case '\\': b[k++] = '\\'; break;
		case 'x': {
			unsigned v = 0;
			int d = 0;
			for (; d < 2; d++) {
				char h = s[i + 1 + d];
				if (h >= '0' && h <= '9') v = v * 16 + (unsigned)(h - '0');
				else if (h >= 'a' && h <= 'f') v = v * 16 + (unsigned)(h - 'a' + 10);
				else if (h >= 'A' && h <= 'F') v = v * 16 + (unsigned)(h - 'A' + 10);
				else break;
			}
			if (d != 2) {
				free(b);
				return -1;
			}
			b[k++] = (char)v;
			i += 2;
			break;
		}
		default:
			free(b);
			return -1;
		}
	}
	*out = b;
	*n = k;
	return 0;
}

int pxsim_script_add(const char *bytes, size_t n)
{
	char *nb = realloc(script, script_len + n + 1);
	if (!nb)
		return -1;
	script = nb;
	memcpy(script + script_len, bytes, n);
	script_len += n;
	return 0;
}

int pxsim_script_at(uint64_t at_ms, const char *bytes, size_t n)
{
	struct timed *nt = realloc(timed, (ntimed + 1) * sizeof(*timed));
	char *copy = malloc(n ? n : 1);
	if (!nt || !copy) {
		free(copy);
		if (nt)
			timed = nt;
		return -1;
	}
	timed = nt;
	memcpy(copy, bytes, n);
	size_t i = ntimed++;
	while (i > 0 && timed[i - 1].at_us > at_ms * 1000) { /* keep them sorted, stable */
		timed[i] = timed[i - 1];
		i--;
	}
	timed[i].at_us = at_ms * 1000;
	timed[i].bytes = copy;
	timed[i].n = n;
	return 0;
}

/* The console's foreground process is blocked in READ on stdin. */
static int fg_waiting(void)
{
	struct proc *p = proc_find(tty_foreground());
	return p && p->state == PROC_BLOCKED && p->block == BLOCK_READ;
}

/* Type the next line of the script. Returns 1 when something was typed. */
static int type_line(void)
{
	if (script_pos >= script_len)
		return 0;
	size_t end = script_pos;
	if (script[end] == 3 || script[end] == 4) {
		end++; /* a Ctrl-C or Ctrl-D is a line of its own */
	} else {
		while (end < script_len && script[end] != 3 && script[end] != 4)
			if (script[end++] == '\n')
				break;
	}
	tty_input(script + script_pos, end - script_pos);
	script_pos = end;
	return 1;
}

/* Type the timed input that is due. Returns 1 when something was typed. */
static int type_due(uint64_t now)
{
	int typed = 0;
	while (timed_next < ntimed && timed[timed_next].at_us <= now) {
		tty_input(timed[timed_next].bytes, timed[timed_next].n);
		timed_next++;
		typed = 1;
	}
	return typed;
}

/* ---- the terminal (--interactive) ---------------------------------------------- */

static void restore_terminal(void)
{
	if (tio_saved)
		tcsetattr(0, TCSANOW, &saved_tio);
}

int pxsim_terminal_raw(void)
{
	if (!isatty(0))
		return 0;
	struct termios t;
	if (tcgetattr(0, &saved_tio) != 0)
		return -1;
	tio_saved = 1;
	atexit(restore_terminal);
	t = saved_tio;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG); /* pxOS's tty echoes and sees Ctrl-C */
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	return tcsetattr(0, TCSANOW, &t);
}

/* Read what the terminal has, waiting at most timeout_ms (-1: no limit).
 * Returns 1 when bytes were typed or stdin ended, else 0. */
static int read_terminal(int timeout_ms)
{
	if (!stdin_open)
		return 0;
	struct pollfd pfd = { .fd = 0, .events = POLLIN };
	int r = poll(&pfd, 1, timeout_ms);
	if (r <= 0)
		return 0;
	char buf[256];
	ssize_t n = read(0, buf, sizeof(buf));
	if (n <= 0) {
		stdin_open = 0;
		tty_input("\x04", 1); /* end of input */
		return 1;
	}
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == 0x1c) { /* Ctrl-\: leave pxsim at once */
			restore_terminal();
			fprintf(stderr, "\npxsim: quit (Ctrl-\\)\n");
			exit(130);
		}
	tty_input(buf, (size_t)n);
	return 1;
}

/* ---- the scheduler's hooks ------------------------------------------------------ */

/* Feed what is due; returns 1 when anything was typed. */
static int feed(void)
{
	int typed = type_due(pxhost_time_us());
	if (pxsim_interactive)
		return read_terminal(0) | typed;
	if (fg_waiting()) {
		if (type_line())
			return 1;
		if (script_pos >= script_len && eofs_sent < EOF_MAX) {
			eofs_sent++;
			tty_input("\x04", 1); /* the script has ended: end of input */
			return 1;
		}
	}
	return typed;
}

struct pxsim_apply pxsim_apply[PXSIM_APPLY_MAX];
int pxsim_napply;

void pxsim_apply_poll(void)
{
	for (int i = 0; i < pxsim_napply; i++) {
		struct pxsim_apply *a = &pxsim_apply[i];
		struct proc *p = a->done ? 0 : proc_find(a->pid);
		if (!p || p->state == PROC_ZOMBIE)
			continue;
		a->done = 1;
		int e = a->imperfect ? pxvm_set_imperfect(&p->vm, a->rate, a->lo, a->hi) : proc_pxvm_watch(p, a->flags);
		if (e)
			fprintf(stderr, "pxsim: %s of pid %u refused: %s\n", a->imperfect ? "--imperfect" : "--watch", a->pid,
			        pxvm_error_text((uint32_t)-e));
	}
}

void pxhost_poll(void)
{
	pxsim_llm_pump();
	pxsim_snapshot_poll();
	feed();
	pxsim_apply_poll();
	vram_refresh(pxhost_time_us(), false);
}

void pxhost_panic(const char *why)
{
	restore_terminal();
	fprintf(stderr, "pxsim: panic: %s\n", why);
	abort();
}

void pxhost_show_tile(uint32_t slot, const uint32_t *words, const uint64_t rows[2])
{
	vram_tile_flush(slot, words, rows);
}

void pxhost_show_canvas(uint32_t slot, const uint32_t *words, const uint64_t rows[2])
{
	vram_canvas_flush(slot, words, rows);
}

int pxhost_idle(uint64_t until_us)
{
	if (feed())
		return 0;
	pxsim_llm_pump();
	uint64_t now = pxhost_time_us();
	uint64_t next = until_us, llm = pxsim_llm_next_due();
	if (timed_next < ntimed && (!next || timed[timed_next].at_us < next))
		next = timed[timed_next].at_us;
	if (llm && (!next || llm < next))
		next = llm > now ? llm : now; /* an answer part is due: never give up before it */
	if (pxsim_interactive) {
		int ms = -1;
		if (next)
			ms = next > now ? (int)((next - now + 999) / 1000) : 0;
		if (!stdin_open && !next)
			return -1;
		read_terminal(ms);
		type_due(pxhost_time_us());
		return 0;
	}
	if (!next) {
		/* Nothing can run and nothing is due: type ahead, or give up. */
		return type_line() ? 0 : -1;
	}
	if (next > now) {
		if (pxsim_realtime) {
			uint64_t d = next - now;
			struct timespec ts = { (time_t)(d / 1000000), (long)(d % 1000000) * 1000 };
			while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
			}
		} else {
			skipped_us += next - now;
		}
	}
	type_due(pxhost_time_us());
	return 0;
}

int pxsim_input_left(void) { return script_pos < script_len || timed_next < ntimed; }

/* pxhost_llm_submit / pxhost_llm_cancel: tools/pxsim/llm.c. */
