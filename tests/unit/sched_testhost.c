/*
 * sched_testhost.c — the one test platform for pxvm/ (see sched_testhost.h).
 */
#include <stdarg.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include "sched_testhost.h"
#include "boot/bootinfo.h"
#include "kernel/vram.h"
#include "pxvm/host.h"
#include "pxvm/logring.h"
#include "pxvm/pixelfs.h"
#include "pxvm/sched.h"
#include "pxvm/tty.h"
#include "tools/pxasm/pxasm.h"

#ifndef TH_INC_DIR
#define TH_INC_DIR "build/userland/include"
#endif
#ifndef TH_LIB_DIR
#define TH_LIB_DIR "userland/lib"
#endif

uint64_t th_now_us, th_tick_us = 100, th_clock_step_us;
size_t th_out_room = (size_t)-1, th_out_refill;
unsigned th_out_waits;
static int out_wait_asked;
char th_out[1 << 16], th_stdout[1 << 16], th_stderr[1 << 16];
size_t th_out_len, th_stdout_len, th_stderr_len;
unsigned th_polls, th_idles, th_warnings;
char th_last_warning[256], th_warn_log[1 << 14];
static size_t th_warn_log_len;
const char *th_input;
size_t th_input_chunk;
int th_no_idle;
void (*th_poll_hook)(void);
int (*th_llm_submit)(uint32_t id, uint32_t kind, const char *model, const char *prompt, uint32_t len);
void (*th_llm_cancel)(uint32_t id);
uint32_t th_llm_max_tokens;
long th_live_allocs;
struct fb th_fb;
uint32_t *th_vram;

static struct pxfs fs;
static uint8_t fs_bad[PXFS_MAX_FILES];
static uint8_t *fs_pixels;

void th_out_clear(void)
{
	th_out_len = th_stdout_len = th_stderr_len = 0;
	th_out[0] = th_stdout[0] = th_stderr[0] = '\0';
}

/* append: n bytes of s to buf (NUL-terminated, cut at its size). */
static void append(char *buf, size_t size, size_t *len, const char *s, size_t n)
{
	if (n > size - 1 - *len)
		n = size - 1 - *len;
	memcpy(buf + *len, s, n);
	*len += n;
	buf[*len] = '\0';
}

size_t pxhost_output(uint32_t pid, int fd, const char *s, size_t n)
{
	if (pid && th_out_room != (size_t)-1) {
		if (n > th_out_room)
			n = th_out_room;
		th_out_room -= n;
	}
	append(th_out, sizeof(th_out), &th_out_len, s, n);
	if (fd == 2)
		append(th_stderr, sizeof(th_stderr), &th_stderr_len, s, n);
	else
		append(th_stdout, sizeof(th_stdout), &th_stdout_len, s, n);
	return n;
}

void pxhost_output_wait(void)
{
	th_out_waits++;
	out_wait_asked = 1;
}

int th_real_clock;

uint64_t pxhost_time_us(void)
{
	if (th_real_clock) {
		struct timespec t;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
		return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
	}
	uint64_t t = th_now_us;
	th_now_us += th_clock_step_us;
	return t;
}

/* Every block has TH_GUARD_WORDS words of TH_GUARD on either side; a write
 * past a block's ends shows there (th_guards_ok, and on free). */
#define TH_GUARD_WORDS 64u
#define TH_GUARD 0xA5C3E10Fu
#define TH_BLOCKS_MAX 512
static uint32_t *blocks[TH_BLOCKS_MAX]; /* live blocks, as handed out */

static int guards_intact(const uint32_t *m)
{
	for (uint32_t i = 1; i <= TH_GUARD_WORDS; i++)
		if (m[-(int32_t)i] != TH_GUARD || m[PXVM_MEM_ALLOC_WORDS - 1 + i] != TH_GUARD)
			return 0;
	return 1;
}

uint32_t *pxhost_mem_alloc(void)
{
	uint32_t *raw = malloc((PXVM_MEM_ALLOC_WORDS + 2 * TH_GUARD_WORDS) * sizeof(uint32_t));
	if (!raw)
		return 0;
	for (uint32_t i = 0; i < TH_GUARD_WORDS; i++)
		raw[i] = raw[TH_GUARD_WORDS + PXVM_MEM_ALLOC_WORDS + i] = TH_GUARD;
	uint32_t *m = raw + TH_GUARD_WORDS;
	for (int i = 0; i < TH_BLOCKS_MAX; i++)
		if (!blocks[i]) {
			blocks[i] = m;
			break;
		}
	th_live_allocs++;
	return m;
}

int th_guards_ok(void)
{
	for (int i = 0; i < TH_BLOCKS_MAX; i++)
		if (blocks[i] && !guards_intact(blocks[i]))
			return 0;
	return 1;
}

void pxhost_mem_free(uint32_t *mem)
{
	if (!mem)
		return;
	if (!guards_intact(mem)) {
		fprintf(stderr, "pxhost_mem_free: a write ran past the ends of block %p\n", (void *)mem);
		abort();
	}
	for (int i = 0; i < TH_BLOCKS_MAX; i++)
		if (blocks[i] == mem)
			blocks[i] = 0;
	th_live_allocs--;
	free(mem - TH_GUARD_WORDS);
}

/* The log's newest lines, as the kernel keeps them (KLOG_READ). */
static char th_keep_buf[KLOG_KEEP];
static struct logring th_keep = { th_keep_buf, KLOG_KEEP, 0, 0 };

size_t pxhost_klog_read(uint32_t from, char *dst, size_t len, uint32_t *next)
{
	return logring_read(&th_keep, from, dst, len, next);
}

/* Blocks for native pointers (sched_testhost.h th_fixed_place). Placed:
 * anonymous mappings from TH_FIXED_BASE on, the lowest free slot first. */
int th_fixed_place;
#define TH_FIXED_BASE  0x3E0000000000ull
#define TH_FIXED_SLOTS 1024u
#define TH_FIXED_BYTES (((size_t)PXVM_MEM_ALLOC_WORDS * 4u + 4095u) & ~(size_t)4095u)

static void *th_map_at(uintptr_t at)
{
	void *m = mmap((void *)at, TH_FIXED_BYTES, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (m == MAP_FAILED)
		return 0;
	if ((uintptr_t)m != at) {
		munmap(m, TH_FIXED_BYTES);
		return 0;
	}
	th_live_allocs++;
	return m;
}

static int th_placed(const void *mem)
{
	uint64_t a = (uintptr_t)mem;
	return a >= TH_FIXED_BASE && a < TH_FIXED_BASE + (uint64_t)TH_FIXED_SLOTS * TH_FIXED_BYTES;
}

void *pxhost_fixed_alloc(uintptr_t at)
{
	if (!th_fixed_place) {
		uint32_t *m = at ? 0 : pxhost_mem_alloc();
		if (m)
			memset(m, 0, PXVM_MEM_ALLOC_WORDS * sizeof(uint32_t));
		return m;
	}
	if (at)
		return th_placed((void *)at) && (at - TH_FIXED_BASE) % TH_FIXED_BYTES == 0 ? th_map_at(at) : 0;
	for (uint32_t k = 0; k < TH_FIXED_SLOTS; k++) {
		void *m = th_map_at((uintptr_t)(TH_FIXED_BASE + (uint64_t)k * TH_FIXED_BYTES));
		if (m)
			return m;
	}
	return 0;
}

void pxhost_fixed_free(void *mem)
{
	if (!mem)
		return;
	if (!th_placed(mem)) {
		pxhost_mem_free(mem);
		return;
	}
	munmap(mem, TH_FIXED_BYTES);
	th_live_allocs--;
}

extern const char __executable_start[], etext[];

uint32_t pxhost_code_id(void)
{
	uint32_t id = 0;
	if (th_fixed_place) /* a simple sum: this binary stays the same within one run */
		for (const char *c = __executable_start; c < etext; c += 64)
			id = id * 31u + (uint8_t)*c;
	return th_fixed_place ? id | 1u : 0;
}

void pxhost_log(int level, const char *fmt, ...)
{
	va_list ap;
	char line[KLOG_LINE_MAX];
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	logring_add(&th_keep, line, strlen(line));
	if (level >= 2) {
		th_warnings++;
		va_start(ap, fmt);
		vsnprintf(th_last_warning, sizeof(th_last_warning), fmt, ap);
		va_end(ap);
		append(th_warn_log, sizeof(th_warn_log), &th_warn_log_len, th_last_warning, strlen(th_last_warning));
		append(th_warn_log, sizeof(th_warn_log), &th_warn_log_len, "\n", 1);
	}
	if (!getenv("TH_LOG"))
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void pxhost_panic(const char *why)
{
	fprintf(stderr, "pxhost_panic: %s\n", why);
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

void pxhost_poll(void)
{
	th_polls++;
	th_now_us += th_tick_us;
	if (th_poll_hook)
		th_poll_hook();
	if (th_vram)
		vram_refresh(th_now_us, false);
	if (th_out_room != (size_t)-1)
		th_out_room += th_out_refill;
	if (out_wait_asked && th_out_room) {
		out_wait_asked = 0;
		tty_output_ready();
	}
	if (th_input && *th_input) {
		size_t n = strlen(th_input);
		if (th_input_chunk && n > th_input_chunk)
			n = th_input_chunk;
		tty_input(th_input, n);
		th_input += n;
	}
}

int pxhost_idle(uint64_t until_us)
{
	th_idles++;
	if (th_no_idle)
		return -1;
	if (until_us) {
		if (until_us > th_now_us)
			th_now_us = until_us;
		return 0;
	}
	if (out_wait_asked && th_out_refill)
		return 0; /* the output drains: a blocked writer will go on */
	return th_input && *th_input ? 0 : -1;
}

int pxhost_llm_submit(uint32_t id, uint32_t kind, const char *model, uint32_t max_tokens, const char *prompt,
                      uint32_t len)
{
	th_llm_max_tokens = max_tokens;
	return th_llm_submit ? th_llm_submit(id, kind, model, prompt, len) : -PXE_ENOBRIDGE;
}

unsigned th_snapshots;
int th_snapshot_result;

int pxhost_snapshot(uint32_t pid)
{
	(void)pid;
	if (!th_snapshot_result)
		th_snapshots++;
	return th_snapshot_result;
}

void pxhost_llm_cancel(uint32_t id)
{
	if (th_llm_cancel)
		th_llm_cancel(id);
}

uint8_t *th_assemble(const char *src, size_t *size)
{
	static const char *const dirs[] = { TH_INC_DIR, TH_LIB_DIR };
	const struct pxasm_options opt = { dirs, 2, 0, 0, 0 };
	struct pxasm_result r;
	if (pxasm_assemble("test.pxs", src, strlen(src), &opt, &r) != 0) {
		pxasm_print_diags(stderr, &r);
		pxasm_result_free(&r);
		return 0;
	}
	uint8_t *out = malloc(PXE_HEADER_SIZE + r.image_size);
	pxasm_pxe_header(&r, out);
	memcpy(out + PXE_HEADER_SIZE, r.image, r.image_size);
	*size = PXE_HEADER_SIZE + r.image_size;
	pxasm_result_free(&r);
	return out;
}

uint32_t th_start(uint32_t w, uint32_t h, const struct pxfs *f)
{
	static const uint32_t masks[4] = { 0xFF, 0xFF00, 0xFF0000, 0xFF000000u };
	free(th_vram);
	th_vram = 0;
	if (w && h) {
		th_vram = calloc((size_t)w * h, 4);
		if (!th_vram || fb_init(&th_fb, th_vram, w, h, w, PXOS_PIXEL_RGBX8, masks) || vram_init(&th_fb)) {
			fprintf(stderr, "th_start: no %ux%u screen\n", w, h);
			abort();
		}
	}
	th_now_us = 0;
	th_tick_us = 100;
	th_clock_step_us = 0;
	th_out_room = (size_t)-1;
	th_out_refill = 0;
	th_out_waits = 0;
	out_wait_asked = 0;
	th_polls = th_idles = th_warnings = 0;
	th_last_warning[0] = '\0';
	th_warn_log[0] = '\0';
	th_warn_log_len = 0;
	th_input = 0;
	th_input_chunk = 0;
	th_no_idle = 0;
	th_real_clock = 0;
	th_poll_hook = 0;
	th_llm_submit = 0;
	th_llm_cancel = 0;
	th_out_clear();
	uint32_t nslots = th_vram ? vram_layout()->nslots : 0;
	sched_init(f, nslots);
	return nslots;
}

uint32_t th_boot(uint32_t w, uint32_t h, const struct th_file *files, uint32_t n)
{
	struct pxfs_input in[64];
	uint8_t *bufs[64];
	if (n > 64)
		abort();
	for (uint32_t i = 0; i < n; i++) {
		size_t size = files[i].size;
		bufs[i] = 0;
		if (files[i].src) {
			bufs[i] = th_assemble(files[i].src, &size);
			if (!bufs[i]) {
				fprintf(stderr, "th_boot: %s does not assemble\n", files[i].path);
				abort();
			}
		}
		in[i].path = files[i].path;
		in[i].type = files[i].src ? PXFS_TYPE_PROGRAM : PXFS_TYPE_TEXT;
		in[i].data = files[i].src ? bufs[i] : (const uint8_t *)files[i].data;
		in[i].size = (uint32_t)size;
	}
	const char *why = "";
	uint32_t hh = pxfs_layout_check(in, n, PXFS_DEFAULT_WIDTH, &why);
	free(fs_pixels);
	fs_pixels = hh ? calloc((size_t)PXFS_DEFAULT_WIDTH * hh, 4) : 0;
	if (!fs_pixels || pxfs_build(in, n, PXFS_DEFAULT_WIDTH, hh, fs_pixels, &why) ||
	    pxfs_mount(&fs, fs_pixels, PXFS_DEFAULT_WIDTH, hh, fs_bad, 0, 0)) {
		fprintf(stderr, "th_boot: PixelFS: %s\n", why);
		abort();
	}
	for (uint32_t i = 0; i < n; i++)
		free(bufs[i]);
	return th_start(w, h, &fs);
}

int th_spawn(const char *path, const char *args)
{
	int pid = sched_spawn(path, args, 0);
	if (pid <= 0) {
		fprintf(stderr, "th_spawn %s: error %d\n", path, pid);
		abort();
	}
	return pid;
}

struct proc *th_spawn_proc(const char *path)
{
	struct proc *p = proc_find((uint32_t)th_spawn(path, 0));
	if (!p) {
		fprintf(stderr, "th_spawn_proc %s: no process\n", path);
		abort();
	}
	return p;
}

void th_run_all(void)
{
	th_no_idle = 1;
	sched_run(0);
}
