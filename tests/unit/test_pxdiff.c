/*
 * test_pxdiff.c — tools/pxdiff on known pairs.
 *
 * The library on synthetic screens (a row-0 record, two slots): no change;
 * one change of each kind (a data word, a code word, a canvas pixel, a pixel
 * of the tables) found exactly, code disassembled and data in hex; the marked
 * image; pairing by pid for pictures that know pids (as snapshots will); the
 * pictures it refuses. Then pairs pxsim draws of one program at two moments
 * (before and after it counts on and rewrites an instruction), through the
 * command line: the report names exactly those words, the exit status says
 * whether anything changed, the marked PNG has them in red.
 *
 * Environment (from the build's wrapper): PXDIFF, PXSIM, PXDIFF_INC.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "pxvm/disasm.h"
#include "tools/common/hostio.h"
#include "tools/pxasm/pxasm.h"
#include "tools/pxdiff/pxdiff.h"
#include "tooltest.h"

#define W 400
#define H 300

/* ---- synthetic screens ------------------------------------------------------- */

struct screen {
	uint8_t rgb[W * H * 3];
};

static void put24(struct screen *s, uint32_t x, uint32_t y, uint32_t v)
{
	uint8_t *p = s->rgb + ((size_t)y * W + x) * 3;
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16);
}

static uint32_t get24(const uint8_t *rgb, uint32_t w, uint32_t x, uint32_t y)
{
	const uint8_t *p = rgb + ((size_t)y * w + x) * 3;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

/* Slot k: tile at (10 + 200 k, 20), canvas at (10 + 200 k, 160). */
static void make_screen(struct screen *s)
{
	memset(s->rgb, 0x20, sizeof(s->rgb));
	uint32_t rec[18 + 8] = { 0x4F7870u, 'S' | 1u << 16, W, H, 2, 128 };
	for (uint32_t k = 0; k < 2; k++) {
		rec[18 + 4 * k] = 10 + 200 * k;
		rec[19 + 4 * k] = 20;
		rec[20 + 4 * k] = 10 + 200 * k;
		rec[21 + 4 * k] = 160;
		for (uint32_t i = 0; i < PXVM_MEM_WORDS; i++) {
			put24(s, 10 + 200 * k + i % 128, 20 + i / 128, 0);
			put24(s, 10 + 200 * k + i % 128, 160 + i / 128, 0x102030);
		}
	}
	for (uint32_t i = 0; i < 26; i++)
		put24(s, i, 0, rec[i]);
}

/* The screen position of word `addr` of slot `slot`'s tile. */
#define TX(slot, addr) (10 + 200 * (slot) + ((addr) / 4) % 128)
#define TY(addr) (20 + ((addr) / 4) / 128)

static void set_word(struct screen *s, uint32_t slot, uint32_t addr, uint32_t v)
{
	put24(s, TX(slot, addr), TY(addr), v & 0xFFFFFFu);
}

/* dim: a word's pixel at a third of its brightness, as pxdiff_mark draws it. */
static uint32_t dim(uint32_t v)
{
	return (v & 0xFF) / 3 | ((v >> 8 & 0xFF) / 3) << 8 | ((v >> 16 & 0xFF) / 3) << 16;
}

static void load(const struct screen *s, struct pxdiff_machine *m)
{
	char err[256];
	if (pxdiff_from_screen(s->rgb, W, H, m, err, sizeof err) != 0)
		fail_msg("pxdiff_from_screen: %s", err);
}

/* report: pxdiff_report into a string (caller frees). */
static char *report(const struct pxdiff_machine *a, const struct pxdiff_machine *b, const struct pxdiff_result *r)
{
	char *text;
	size_t len;
	FILE *f = open_memstream(&text, &len);
	struct pxdiff_options opt = { 0, false };
	pxdiff_report(f, "a", "b", a, b, r, &opt);
	fclose(f);
	return text;
}

static void test_no_change(void **state)
{
	(void)state;
	static struct screen s;
	static struct pxdiff_machine a, b;
	struct pxdiff_result r;
	make_screen(&s);
	load(&s, &a);
	load(&s, &b);
	assert_int_equal(a.nproc, 2);
	assert_string_equal(a.kind, "screendump");
	assert_int_equal(pxdiff_compare(&a, &b, &r), 0);
	assert_int_equal(r.changed, 0);
	assert_int_equal(r.screen_px, 0);
	assert_true(r.same_screen);
	char *t = report(&a, &b, &r);
	assert_non_null(strstr(t, "slot 0: unchanged\nslot 1: unchanged\n"));
	assert_non_null(strstr(t, "summary: 0 of 2 processes changed: 0 words, 0 canvas pixels"));
	free(t);
	pxdiff_result_free(&r);
	pxdiff_free(&a);
	pxdiff_free(&b);
}

static void test_each_kind_of_change(void **state)
{
	(void)state;
	static struct screen sa, sb;
	static struct pxdiff_machine a, b;
	struct pxdiff_result r;
	make_screen(&sa);
	/* slot 0's code at 0x0200: IMM8 R1, 5; STORE 0x8000, R1; HALT */
	const uint32_t code[] = { PXVM_ENCODE(PXVM_OP_IMM8, 1, 0, 5), PXVM_ENCODE(PXVM_OP_STORE, 1, 0, 0x8000),
	                          PXVM_ENCODE(PXVM_OP_HALT, 0, 0, 0) };
	for (uint32_t i = 0; i < 3; i++)
		set_word(&sa, 0, PXVM_IMAGE_BASE + 4 * i, code[i]);
	set_word(&sa, 0, 0x8000, 5);
	memcpy(&sb, &sa, sizeof(sa));
	set_word(&sb, 0, PXVM_IMAGE_BASE, PXVM_ENCODE(PXVM_OP_IMM8, 1, 0, 6)); /* the code changed */
	set_word(&sb, 0, 0x8000, 6);                                          /* ... and its data */
	put24(&sb, 210 + 7, 160 + 9, 0xFFFFFF);                               /* slot 1's canvas */
	put24(&sb, 390, 290, 0xABCDEF);                                       /* the rest of the screen */
	load(&sa, &a);
	load(&sb, &b);
	assert_int_equal(pxdiff_compare(&a, &b, &r), 0);
	assert_int_equal(r.npairs, 2);
	assert_int_equal(r.changed, 2);
	assert_int_equal(r.screen_px, 1);
	const struct pxdiff_pair *p0 = &r.pairs[0], *p1 = &r.pairs[1];
	assert_int_equal(p0->a->slot, 0);
	assert_int_equal(p0->nwords, 2);
	assert_int_equal(p0->words[0].addr, PXVM_IMAGE_BASE);
	assert_int_equal(p0->words[1].addr, 0x8000);
	assert_int_equal(p0->words[1].a, 5);
	assert_int_equal(p0->words[1].b, 6);
	assert_int_equal(p0->canvas_px, 0);
	assert_int_equal(p1->nwords, 0);
	assert_int_equal(p1->canvas_px, 1);
	assert_true(pxdiff_is_code(p0->a, PXVM_IMAGE_BASE));
	assert_true(pxdiff_is_code(p0->a, PXVM_IMAGE_BASE + 8)); /* the HALT, reached */
	assert_false(pxdiff_is_code(p0->a, PXVM_IMAGE_BASE + 12)); /* past the HALT: zero, not reached */
	assert_false(pxdiff_is_code(p0->a, 0x8000));
	char *t = report(&a, &b, &r);
	assert_non_null(strstr(t, "slot 0: 2 words of memory changed, 0 canvas pixels\n"));
	assert_non_null(strstr(t, "  0x0200  code  IMM8 R1, 5                   -> IMM8 R1, 6\n"));
	assert_non_null(strstr(t, "  0x8000  data  0x??000005                   -> 0x??000006\n"));
	assert_non_null(strstr(t, "slot 1: 0 words of memory changed, 1 canvas pixel\n"));
	assert_non_null(strstr(t, "screen: 1 other pixel changed"));
	assert_non_null(strstr(t, "summary: 2 of 2 processes changed: 2 words, 1 canvas pixel\n"));
	free(t);

	/* The marked image: B a third as bright; the changes in colour. */
	uint8_t *m;
	uint32_t mw, mh;
	assert_int_equal(pxdiff_mark(&a, &b, &r, &m, &mw, &mh), 0);
	assert_int_equal(mw, W);
	assert_int_equal(mh, H);
	assert_int_equal(get24(m, W, TX(0, PXVM_IMAGE_BASE), TY(PXVM_IMAGE_BASE)), 0x2828FF); /* word: red */
	assert_int_equal(get24(m, W, TX(0, 0x8000), TY(0x8000)), 0x2828FF);
	assert_int_equal(get24(m, W, 217, 169), 0x28FFFF);                             /* canvas: yellow */
	assert_int_equal(get24(m, W, 390, 290), 0xFFA050);                             /* screen: blue */
	assert_int_equal(get24(m, W, TX(0, PXVM_IMAGE_BASE + 4), TY(PXVM_IMAGE_BASE + 4)), dim(code[1])); /* dimmed */
	assert_int_equal(get24(m, W, 380, 150), 0x0A0A0A);                             /* 0x20 / 3 */
	assert_int_equal(get24(m, W, 7, 40), 0x0000FF);                                /* a frame around slot 0 */
	assert_int_equal(get24(m, W, 207, 40), 0x0000FF);                              /* ... and slot 1 (its canvas) */
	free(m);
	pxdiff_result_free(&r);
	pxdiff_free(&a);
	pxdiff_free(&b);
}

/* Pictures that know pids (a snapshot reader's) pair by pid, whatever the
 * slots, and compare all four bytes. */
static void test_pairing_by_pid(void **state)
{
	(void)state;
	static struct pxdiff_proc pa[2], pb[2];
	struct pxdiff_machine a = { "test", 0, 0, 0, 2, pa }, b = { "test", 0, 0, 0, 2, pb };
	struct pxdiff_result r;
	for (int k = 0; k < 2; k++) {
		pa[k] = (struct pxdiff_proc){ .slot = (uint32_t)k, .pid = 5 + (uint32_t)k, .known = ~0u, .tile_x = -1 };
		pb[k] = pa[k];
		pa[k].pc = pb[k].pc = PXDIFF_NONE;
	}
	pb[0].pid = 6, pb[1].pid = 7; /* pid 5 ended, 7 is new; 6 moved to another slot */
	pb[0].mem[0x9000 / 4] = 0x01000000u; /* only byte 3 differs */
	pb[0].slot = 1, pb[1].slot = 0;
	assert_int_equal(pxdiff_compare(&a, &b, &r), 0);
	assert_int_equal(r.npairs, 3);
	assert_ptr_equal(r.pairs[0].a, &pa[0]);
	assert_null(r.pairs[0].b);                 /* pid 5: only in A */
	assert_ptr_equal(r.pairs[1].b, &pb[0]);    /* pid 6 */
	assert_int_equal(r.pairs[1].nwords, 1);
	assert_int_equal(r.pairs[1].words[0].addr, 0x9000);
	assert_null(r.pairs[2].a);                 /* pid 7: only in B */
	assert_int_equal(r.changed, 3);
	assert_false(r.same_screen);
	char *t = report(&a, &b, &r);
	assert_non_null(strstr(t, "pid 5 (slot 0): only in A\n"));
	assert_non_null(strstr(t, "pid 6 (slot 1): 1 word of memory changed\n"));
	assert_non_null(strstr(t, "  0x9000  data  0x00000000                   -> 0x01000000\n"));
	assert_non_null(strstr(t, "pid 7 (slot 0): only in B\n"));
	free(t);
	uint8_t *m;
	uint32_t mw, mh;
	assert_int_equal(pxdiff_mark(&a, &b, &r, &m, &mw, &mh), -1); /* no screen to mark on */
	pxdiff_result_free(&r);
}

static void test_refused_pictures(void **state)
{
	(void)state;
	static struct screen s;
	static struct pxdiff_machine m;
	char err[256], path[128];
	make_screen(&s);
	put24(&s, 0, 0, 0x123456);
	assert_int_equal(pxdiff_from_screen(s.rgb, W, H, &m, err, sizeof err), -1);
	assert_non_null(strstr(err, "no pxOS layout record in row 0"));
	make_screen(&s);
	put24(&s, 2, 0, 999); /* the width */
	assert_int_equal(pxdiff_from_screen(s.rgb, W, H, &m, err, sizeof err), -1);
	assert_non_null(strstr(err, "the layout record is for a 999 x 300 screen"));
	make_screen(&s);
	put24(&s, 18 + 4, 0, 350); /* slot 1's tile past the right edge */
	assert_int_equal(pxdiff_from_screen(s.rgb, W, H, &m, err, sizeof err), -1);
	assert_non_null(strstr(err, "outside the 400 x 300 screen"));
	make_screen(&s);
	put24(&s, 1, 0, 'S' | 1u << 8);
	assert_int_equal(pxdiff_from_screen(s.rgb, W, H, &m, err, sizeof err), -1);
	assert_non_null(strstr(err, "layout record version 1.0: pxdiff reads version 0.x"));
	/* Files: missing, not a picture, a truncated PNG. */
	assert_int_equal(pxdiff_load("/nonexistent.png", &m, err, sizeof err), -1);
	assert_non_null(strstr(err, "/nonexistent.png: "));
	snprintf(path, sizeof path, "%s/text.png", tooltest_tmpdir);
	FILE *f = fopen(path, "w");
	fputs("hello", f);
	fclose(f);
	assert_int_equal(pxdiff_load(path, &m, err, sizeof err), -1);
	assert_non_null(strstr(err, "not a picture pxdiff reads"));
	f = fopen(path, "wb");
	fwrite("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 1, 16, f);
	fclose(f);
	assert_int_equal(pxdiff_load(path, &m, err, sizeof err), -1);
	assert_non_null(strstr(err, path));
}

/* ---- pairs pxsim draws --------------------------------------------------------------- */

static const char counter_src[] = ".include \"pxos.inc\"\n_start:\n"
	" IMM8 R1, 0\n IMM32 R4, 30000\n"
	"loop:\n ADDI R1, R1, 1\n STORE counter, R1\n DJNZ R4, loop\n"
	" LOAD R3, patch\n IMM32 R5, 0xFF00FFFF\n AND R3, R3, R5\n IMM32 R5, 0x00090000\n OR R3, R3, R5\n"
	" STORE patch, R3\n"
	"patch:\n IMM8 R2, 7\n STORE result, R2\n"
	"park:\n IMM32 R1, 0xC000\n IMM8 R2, 4\n IMM8 R3, 0\n SYSCALL SYS_IPC_RECV\n JMP park\n"
	".align 4\ncounter: .word 0\nresult: .word 0\n";

static uint32_t sym(const struct pxasm_result *r, const char *name)
{
	for (size_t i = 0; i < r->nsyms; i++)
		if (!strcmp(r->syms[i].name, name))
			return (uint32_t)r->syms[i].value;
	fail_msg("no symbol %s", name);
	return 0;
}

/* sh: run a shell command; its exit status. */
static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_pairs_from_pxsim(void **state)
{
	(void)state;
	const char *inc[] = { tooltest_env("PXDIFF_INC") };
	struct pxasm_options opt = { inc, 1, NULL, NULL, 0 };
	struct pxasm_result r;
	if (pxasm_assemble("counter.pxs", counter_src, strlen(counter_src), &opt, &r) != 0)
		fail_msg("counter.pxs does not assemble");
	uint32_t counter = sym(&r, "counter"), result = sym(&r, "result"), patch = sym(&r, "patch");
	char pxe[128], out[128], a[128], b[128], c[128], marked[128], line[256];
	snprintf(pxe, sizeof pxe, "%s/counter.pxe", tooltest_tmpdir);
	uint8_t hdr[16];
	pxasm_pxe_header(&r, hdr);
	FILE *f = fopen(pxe, "wb");
	fwrite(hdr, 1, 16, f);
	fwrite(r.image, 1, r.image_size, f);
	fclose(f);
	pxasm_result_free(&r);
	snprintf(a, sizeof a, "%s/a.png", tooltest_tmpdir);
	snprintf(b, sizeof b, "%s/b.png", tooltest_tmpdir);
	snprintf(c, sizeof c, "%s/c.png", tooltest_tmpdir);
	snprintf(out, sizeof out, "%s/out.txt", tooltest_tmpdir);
	snprintf(marked, sizeof marked, "%s/marked.png", tooltest_tmpdir);
	/* A: one quantum in (counting); B: parked, the IMM8 rewritten; C: B again. */
	assert_int_equal(sh("%s --quiet --max-steps 20000 --png %s %s 2>/dev/null", tooltest_env("PXSIM"), a, pxe), 124);
	assert_int_equal(sh("%s --quiet --png %s %s 2>/dev/null", tooltest_env("PXSIM"), b, pxe), 125);
	assert_int_equal(sh("%s --quiet --png %s %s 2>/dev/null", tooltest_env("PXSIM"), c, pxe), 125);

	/* The same moment twice: no difference, status 0. */
	assert_int_equal(sh("%s %s %s > %s", tooltest_env("PXDIFF"), b, c, out), 0);
	char *t = tooltest_slurp(out, NULL);
	assert_non_null(strstr(t, "summary: 0 of 8 processes changed: 0 words, 0 canvas pixels"));
	free(t);

	/* A to B: exactly the counter, the rewritten instruction and the result. */
	assert_int_equal(sh("%s -o %s %s %s > %s", tooltest_env("PXDIFF"), marked, a, b, out), 1);
	t = tooltest_slurp(out, NULL);
	assert_non_null(strstr(t, "slot 0: 3 words of memory changed, 0 canvas pixels\n"));
	snprintf(line, sizeof line, "  0x%04x  code  IMM8 R2, 7                   -> IMM8 R2, 9\n", patch);
	assert_non_null(strstr(t, line));
	snprintf(line, sizeof line, "  0x%04x  data  0x??", counter);
	assert_non_null(strstr(t, line));
	snprintf(line, sizeof line, "-> 0x??007530\n  0x%04x  data  0x??000000                   -> 0x??000009\n",
	         result);
	assert_non_null(strstr(t, line));
	assert_non_null(strstr(t, "slot 1: unchanged\n"));
	assert_non_null(strstr(t, "summary: 1 of 8 processes changed: 3 words, 0 canvas pixels"));
	free(t);
	struct hostio_image img;
	char err[256];
	assert_int_equal(hostio_load_image(marked, 3, 16384, 16384, &img, err, sizeof err), 0);
	static struct pxdiff_machine mb; /* the record is dimmed too: slot 0's position comes from B */
	assert_int_equal(pxdiff_load(b, &mb, err, sizeof err), 0);
	const struct pxdiff_proc *p0 = &mb.proc[0];
	assert_int_equal(get24(img.px, img.width, (uint32_t)p0->tile_x + (patch / 4) % 128,
	                       (uint32_t)p0->tile_y + (patch / 4) / 128), 0x2828FF);
	assert_int_equal(get24(img.px, img.width, (uint32_t)p0->tile_x + (PXVM_IMAGE_BASE / 4) % 128,
	                       (uint32_t)p0->tile_y + (PXVM_IMAGE_BASE / 4) / 128), dim(p0->mem[PXVM_IMAGE_BASE / 4]));
	hostio_image_free(&img);
	pxdiff_free(&mb);

	/* -q: the summary lines; bad usage and unreadable pictures: status 2. */
	assert_int_equal(sh("%s -q %s %s > %s", tooltest_env("PXDIFF"), a, b, out), 1);
	t = tooltest_slurp(out, NULL);
	assert_null(strstr(t, "code"));
	assert_null(strstr(t, "unchanged"));
	free(t);
	assert_int_equal(sh("%s %s > /dev/null 2>&1", tooltest_env("PXDIFF"), a), 2);
	assert_int_equal(sh("%s %s %s/none.png > /dev/null 2>%s", tooltest_env("PXDIFF"), a, tooltest_tmpdir, out), 2);
	t = tooltest_slurp(out, NULL);
	assert_non_null(strstr(t, "none.png"));
	free(t);
	assert_int_equal(sh("%s --words 0 %s %s > /dev/null 2>&1", tooltest_env("PXDIFF"), a, b), 2);
}

static int setup(void **state)
{
	(void)state;
	return tooltest_tmpdir_make("pxdiff");
}

static int teardown(void **state)
{
	(void)state;
	return tooltest_tmpdir_remove();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_change),
		cmocka_unit_test(test_each_kind_of_change),
		cmocka_unit_test(test_pairing_by_pid),
		cmocka_unit_test(test_refused_pictures),
		cmocka_unit_test(test_pairs_from_pxsim),
	};
	return cmocka_run_group_tests_name("pxdiff", tests, setup, teardown);
}
