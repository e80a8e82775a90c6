/*
 * test_pxdis.c — the pxVM disassembler (tools/pxdis/pxdis.h, docs/pxdis.md):
 * exact round trips through pxasm for random images, .pxe headers, raw bases;
 * the layout (code discovery, strings, zero runs, bytes, labels, entry);
 * unknown bytes marked "??"; every loader error; the screendump row-0 record;
 * a process tile from a real screendump drawn by the host runner; the
 * command line.
 *
 * The wrapper made by tools/pxdis/build.mk sets PXDIS_RUNNER (the runner that
 * writes --png screendumps), PXASM, PXDIS, PXDIS_INC (pxos.inc's directory)
 * and PXDIS_SRC (the repository root).
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "pxvm/abi.h"
#include "pxvm/disasm.h"
#include "pxvm/isa.h"
#include "tools/pxasm/pxasm.h"
#include "tools/common/hostio.h"
#include "tools/pxdis/pxdis.h"
#include "tooltest.h"

/* ---- Helpers ------------------------------------------------------------------------ */

static uint32_t rng_state = 12345;
static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int k = 0; k < 4; k++)
		p[k] = (uint8_t)(v >> (8 * k));
}

/* The disassembly of `img` (malloc'd text). */
static char *disasm(const struct pxdis_image *img, const struct pxdis_options *opt, struct pxdis_stats *st)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	assert_int_equal(pxdis_write(f, img, opt, st), 0);
	fclose(f);
	return out;
}

/* Assemble `src`; it must succeed. */
static void assemble_ok(const char *src, struct pxasm_result *r)
{
	if (pxasm_assemble("dis.pxs", src, strlen(src), NULL, r) != 0) {
		char msg[512] = "(none)";
		if (r->ndiags)
			pxasm_format_diag(&r->diags[0], msg, sizeof msg);
		fail_msg("the disassembly does not assemble: %s\n--- source:\n%s", msg, src);
	}
}

/* .pxe bytes for an image and entry. */
static uint8_t *make_pxe(const uint8_t *image, size_t size, uint32_t entry, size_t *len)
{
	uint8_t *f = calloc(1, PXE_HEADER_SIZE + size);
	put32(f, PXE_MAGIC);
	f[4] = 1;
	put32(f + 8, entry);
	put32(f + 12, (uint32_t)size);
	memcpy(f + PXE_HEADER_SIZE, image, size);
	*len = PXE_HEADER_SIZE + size;
	return f;
}

/* pxdis then pxasm on a .pxe: the header and image must come back unchanged. */
static char *pxe_round_trip(const uint8_t *image, size_t size, uint32_t entry, const struct pxdis_options *opt)
{
	size_t len;
	uint8_t *file = make_pxe(image, size, entry, &len);
	struct pxdis_image img;
	char err[256];
	if (pxdis_from_pxe(file, len, &img, err, sizeof err) != 0)
		fail_msg("pxdis_from_pxe: %s", err);
	char *src = disasm(&img, opt, NULL);
	struct pxasm_result r;
	assemble_ok(src, &r);
	uint8_t hdr[16];
	pxasm_pxe_header(&r, hdr);
	if (r.image_size != size || memcmp(r.image, image, size) != 0 || memcmp(hdr, file, 16) != 0) {
		size_t i = 0;
		while (i < size && i < r.image_size && r.image[i] == image[i])
			i++;
		FILE *keep = fopen("/tmp/pxdis-failed.pxe", "wb"); /* for a look with build/tools/pxdis */
		if (keep) {
			fwrite(file, 1, len, keep);
			fclose(keep);
		}
		fail_msg("round trip differs (size %zu -> %zu, entry 0x%X -> 0x%X, first difference at byte %zu)"
			 "\n--- source:\n%s", size, r.image_size, entry, r.entry, i, src);
	}
	pxasm_result_free(&r);
	pxdis_image_free(&img);
	free(file);
	return src;
}

/* A random word that is a valid instruction more often than not. */
static uint32_t random_word(void)
{
	uint32_t w = rnd();
	switch (rnd() % 4) {
	case 0:
		return w; /* anything */
	case 1:
		return w & 0x000000FFu; /* operand-less: HALT, NOP, RET... or invalid */
	default: {
		uint32_t op;
		do
			op = rnd() & 0xFFu;
		while (!pxvm_opinfo(op)->name);
		w = (w & ~pxvm_opinfo(op)->zero_mask & ~0xFFu) | op;
		if (rnd() % 2 && (pxvm_disasm_imm_kind(op) == PXVM_IMM_TARGET || pxvm_disasm_imm_kind(op) == PXVM_IMM_ADDR))
			w = (w & 0xFFFFu) | ((0x200u + 4u * (rnd() % 64u)) << 16); /* a target in the image */
		return w;
	}
	}
}

/* ---- Round trips ---------------------------------------------------------------------- */

/* Random images (valid and invalid words, text, zeros, any entry): pxdis then
 * pxasm gives the same .pxe every time, with and without labels and strings.
 * PXDIS_ITER=N runs N images instead of 300. */
static void test_random_round_trip(void **state)
{
	(void)state;
	static const char words[] = "hello, world\n";
	int iters = getenv("PXDIS_ITER") ? atoi(getenv("PXDIS_ITER")) : 300; /* more on demand */
	for (int iter = 0; iter < iters; iter++) {
		size_t nw = 1 + rnd() % 96;
		uint8_t *img = calloc(nw, 4);
		for (size_t i = 0; i < nw; i++)
			put32(img + 4 * i, random_word());
		if (nw > 8 && rnd() % 2) { /* some text, possibly unaligned, and a run of zeros */
			size_t at = rnd() % (nw * 4 - 8), n = rnd() % (nw * 4 - at);
			for (size_t k = 0; k < n; k++)
				img[at + k] = (uint8_t)(k + 1 == n ? 0 : words[k % (sizeof words - 1)]);
		}
		if (nw > 12 && rnd() % 2)
			memset(img + 4 * (rnd() % (nw - 8)), 0, 16);
		uint32_t entry = PXVM_IMAGE_BASE + 4 * (rnd() % (uint32_t)nw);
		struct pxdis_options opt = { .no_labels = iter % 5 == 1, .no_strings = iter % 7 == 2,
					     .no_addresses = iter % 3 == 0 };
		free(pxe_round_trip(img, nw * 4, entry, &opt));
		free(img);
	}
}

/* Raw bytes at, below and above pxasm's base; and a length that is not a
 * whole number of words. (test_pxdis_roundtrip.sh checks every program the
 * build makes, as .pxe, raw and PixelFS file.) */
static void test_raw_bases(void **state)
{
	(void)state;
	/* JMP 0x0204 ; HALT ; IMM32 R1, 0x0204 */
	uint8_t b[16];
	put32(b, PXVM_ENCODE(PXVM_OP_JMP, 0, 0, 0x204));
	put32(b + 4, 0);
	put32(b + 8, PXVM_ENCODE(PXVM_OP_IMM32, 1, 0, 0));
	put32(b + 12, 0x204);
	struct pxdis_image img;
	char err[256];
	struct pxasm_result r;

	/* at the image base: labels, exact */
	assert_int_equal(pxdis_from_raw(b, 16, 0x200, 0x200, &img, err, sizeof err), 0);
	char *src = disasm(&img, NULL, NULL);
	assert_non_null(strstr(src, "JMP L_0204"));
	assemble_ok(src, &r);
	assert_int_equal(r.image_size, 16);
	assert_memory_equal(r.image, b, 16);
	pxasm_result_free(&r);
	free(src);
	pxdis_image_free(&img);

	/* below it: numeric, and the bytes come back as they are */
	assert_int_equal(pxdis_from_raw(b, 16, 0x100, 0x100, &img, err, sizeof err), 0);
	src = disasm(&img, NULL, NULL);
	assert_null(strstr(src, "L_"));
	assert_non_null(strstr(src, "JMP 0x0204"));
	assemble_ok(src, &r);
	assert_int_equal(r.image_size, 16);
	assert_memory_equal(r.image, b, 16);
	pxasm_result_free(&r);
	free(src);
	pxdis_image_free(&img);

	/* above it: .org, labels at the right addresses */
	put32(b, PXVM_ENCODE(PXVM_OP_JMP, 0, 0, 0x404));
	assert_int_equal(pxdis_from_raw(b, 16, 0x400, 0x400, &img, err, sizeof err), 0);
	src = disasm(&img, NULL, NULL);
	assert_non_null(strstr(src, ".org 0x0400"));
	assert_non_null(strstr(src, "JMP L_0404"));
	assemble_ok(src, &r);
	assert_int_equal(r.image_size, 0x200 + 16);
	for (size_t i = 0; i < 0x200; i++)
		assert_int_equal(r.image[i], 0);
	assert_memory_equal(r.image + 0x200, b, 16);
	pxasm_result_free(&r);
	free(src);
	pxdis_image_free(&img);

	/* a length that is not a multiple of 4 ends in .byte */
	assert_int_equal(pxdis_from_raw(b, 6, 0x200, 0x200, &img, err, sizeof err), 0);
	src = disasm(&img, NULL, NULL);
	assert_non_null(strstr(src, ".byte 0x00, 0x00"));
	assemble_ok(src, &r);
	assert_int_equal(r.image_size, 8); /* pxasm pads to a word */
	assert_memory_equal(r.image, b, 6);
	pxasm_result_free(&r);
	free(src);
	pxdis_image_free(&img);
}

/* ---- Layout ----------------------------------------------------------------------------- */

/* Whether `src` has a line that starts (after indentation) with `want`. */
static bool has_line(const char *src, const char *want)
{
	for (const char *l = src; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *s = l;
		while (*s == ' ')
			s++;
		if (!strncmp(s, want, strlen(want)))
			return true;
	}
	return false;
}

static void expect_lines(const char *src, const char *const *want)
{
	for (; *want; want++)
		if (!has_line(src, *want))
			fail_msg("no line starting with '%s' in:\n%s", *want, src);
}

static void test_layout(void **state)
{
	(void)state;
	const char *prog =
		"        NOP\n"
		"_start: IMM32 R1, msg\n"           /* a string, named by IMM32 */
		"        LOAD R2, counter\n"         /* a data word, named by LOAD */
		"        CALL f\n"
		"        JZ R2, .skip\n"
		"        .word 0x0241 << 16 | 0x41\n" /* JZ to an unaligned target: .word + comment */
		".skip:  IMM8 R1, 0\n"
		"        SYSCALL 7\n"                /* EXIT ends the path: what follows is data */
		"msg:    .string \"hi \\\"you\\\"\\n\"\n"
		"        .byte 1, 2, 3\n"
		"        .align 4\n"
		"counter: .word 42\n"
		"        .zero 12\n"
		"        .word 0xFFFFFFFF\n"
		"f:      RET\n";
	struct pxasm_result r;
	assemble_ok(prog, &r);
	char *src = pxe_round_trip(r.image, r.image_size, r.entry, NULL);
	static const char *const want[] = {
		"_start:", "IMM32 R1, D_0224", "LOAD R2, D_0234", "CALL L_0248", "JZ R2, L_021C",
		".word 0x02410041 ; JZ R0, 0x0241 (target not 4-aligned)", "L_021C:", "SYSCALL 7 ; EXIT",
		"D_0224:", ".string \"hi \\\"you\\\"\\n\"", ".byte 0x01, 0x02", ".word 0x00000003", "D_0234:",
		".word 0x0000002A", ".zero 12", ".word 0xFFFFFFFF", "L_0248:", "RET", NULL,
	};
	expect_lines(src, want);
	assert_null(strstr(src, ".entry")); /* _start does it */
	free(src);
	pxasm_result_free(&r);

	/* an entry inside a string (its word is no instruction) cannot have a
	 * label: .entry with the number */
	uint8_t b[12] = "abcdefghijk";
	src = pxe_round_trip(b, 12, 0x204, NULL);
	assert_true(has_line(src, ".entry 0x0204"));
	assert_true(has_line(src, ".string \"abcdefghijk\""));
	assert_null(strstr(src, "_start"));
	free(src);
	/* an entry on an instruction is _start, wherever it is */
	put32(b, PXVM_ENCODE(PXVM_OP_IMM32, 1, 0, 0));
	put32(b + 4, 0);
	put32(b + 8, 0);
	src = pxe_round_trip(b, 12, 0x204, NULL);
	assert_true(has_line(src, "_start:"));
	assert_null(strstr(src, ".entry"));
	free(src);
	/* entry at the base with no label (--no-labels): nothing to say */
	struct pxdis_options nolab = { .no_labels = true };
	src = pxe_round_trip(b, 12, 0x200, &nolab);
	assert_null(strstr(src, ".entry"));
	assert_null(strstr(src, "_start"));
	free(src);
	/* an empty image */
	src = pxe_round_trip(b, 0, 0x200, NULL);
	free(src);
}

/* The addresses comment: address and words of each line; off with no_addresses. */
static void test_address_comments(void **state)
{
	(void)state;
	uint8_t b[8];
	put32(b, PXVM_ENCODE(PXVM_OP_IMM8, 1, 0, 5));
	put32(b + 4, 0);
	struct pxdis_image img;
	char err[128];
	assert_int_equal(pxdis_from_raw(b, 8, 0x200, 0x200, &img, err, sizeof err), 0);
	char *src = disasm(&img, NULL, NULL);
	assert_non_null(strstr(src, "IMM8 R1, 5                      ; 0200: 00050110\n"));
	free(src);
	struct pxdis_options o = { .no_addresses = true };
	src = disasm(&img, &o, NULL);
	assert_non_null(strstr(src, "        IMM8 R1, 5\n        HALT\n"));
	free(src);
	pxdis_image_free(&img);
}

/* Unknown bytes: lines that depend on them are marked, the rest is exact. */
static void test_unknown_bytes(void **state)
{
	(void)state;
	uint8_t b[24];
	put32(b, PXVM_ENCODE(PXVM_OP_ADD, 1, 2, 0) | 3u << 16);     /* byte 3 must be 0: exact */
	put32(b + 4, PXVM_ENCODE(PXVM_OP_JMP, 0, 0, 0x0040));       /* target high byte lost */
	put32(b + 8, PXVM_ENCODE(PXVM_OP_IMM32, 1, 0, 0));          /* first word exact */
	put32(b + 12, 0x00123456);                                  /* value's byte 3 lost */
	put32(b + 16, 0x00000061);                                  /* data: .word, lost byte */
	put32(b + 20, 0);
	struct pxdis_image img;
	char err[128];
	assert_int_equal(pxdis_from_raw(b, 24, 0x200, 0x200, &img, err, sizeof err), 0);
	img.known = malloc(24);
	for (int i = 0; i < 24; i++)
		img.known[i] = (i & 3) != 3;
	struct pxdis_stats st;
	char *src = disasm(&img, NULL, &st);
	assert_non_null(strstr(src, "ADD R1, R2, R3                  ; 0200: 00032130\n"));
	assert_non_null(strstr(src, "JMP 0x0040                      ; 0204: ??400040 ?? unknown byte, read as 0\n"));
	assert_non_null(strstr(src, "IMM32 R1, 0x123456              ; 0208: 00000111 ??123456 ?? unknown byte"));
	assert_non_null(strstr(src, ".word 0x00000061                ; 0210: ??000061 ?? unknown byte"));
	/* the final 0 reads as HALT, exact: HALT's bits 24..31 must be zero */
	assert_non_null(strstr(src, "HALT                            ; 0214: 00000000\n"));
	assert_int_equal(st.ambiguous, 3); /* JMP, IMM32, .word */
	assert_int_equal(st.insns, 4);
	free(src);
	pxdis_image_free(&img);
}

/* ---- Loaders -------------------------------------------------------------------------------- */

static void expect_pxe_error(const uint8_t *f, size_t len, const char *want)
{
	struct pxdis_image img;
	char err[256];
	assert_int_equal(pxdis_from_pxe(f, len, &img, err, sizeof err), -1);
	if (strcmp(err, want))
		fail_msg("got:      %s\nexpected: %s", err, want);
}

static void test_pxe_errors(void **state)
{
	(void)state;
	uint8_t img[8] = { 0 };
	size_t len;
	uint8_t *f = make_pxe(img, 8, 0x200, &len);
	expect_pxe_error(f, 10, "not a .pxe: 10 bytes, shorter than the 16-byte header");
	f[0] = 'X';
	expect_pxe_error(f, len, "not a .pxe: no \"PXE1\" magic");
	f[0] = 'P';
	f[4] = 2;
	expect_pxe_error(f, len, "unsupported .pxe version 2 (pxasm writes 1)");
	f[4] = 1;
	f[6] = 1;
	expect_pxe_error(f, len, ".pxe flags 0x0001: pxasm writes 0");
	f[6] = 0;
	put32(f + 12, 6);
	expect_pxe_error(f, len, "bad image size 6 in the .pxe header (a multiple of 4, at most 60928)");
	put32(f + 12, 12);
	expect_pxe_error(f, len, "the .pxe header says 12 image bytes, the file has 8");
	put32(f + 12, 8);
	put32(f + 8, 0x208);
	expect_pxe_error(f, len, "entry point 0x0208 is not a 4-aligned address in the image 0x0200..0x0208");
	put32(f + 8, 0x202);
	expect_pxe_error(f, len, "entry point 0x0202 is not a 4-aligned address in the image 0x0200..0x0208");
	free(f);

	struct pxdis_image im;
	char err[256];
	assert_int_equal(pxdis_from_raw(img, 8, 0x202, 0x202, &im, err, sizeof err), -1);
	assert_string_equal(err, "base 0x202 is not 4-aligned");
	assert_int_equal(pxdis_from_raw(img, 8, 0xFFFC, 0xFFFC, &im, err, sizeof err), -1);
	assert_string_equal(err, "8 bytes at 0xFFFC do not fit in the 64 KiB of a process");
}

static void test_fs_errors(void **state)
{
	(void)state;
	uint8_t *data;
	size_t len;
	char err[512];
	assert_int_equal(pxdis_fs_file("/nonexistent/fs.png", "/a", &data, &len, err, sizeof err), -1);
	assert_string_equal(err, "/nonexistent/fs.png: No such file or directory");
	char path[] = "/tmp/pxdis-notpng-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello", 5), 5);
	close(fd);
	assert_int_equal(pxdis_fs_file(path, "/a", &data, &len, err, sizeof err), -1);
	assert_non_null(strstr(err, "not a readable PNG"));
	struct pxdis_shot s;
	assert_int_equal(pxdis_shot_load(path, &s, err, sizeof err), -1);
	assert_non_null(strstr(err, "not a readable PNG or PPM"));
	unlink(path);
}

/* A synthetic screen with a row-0 record: slot lookup and its errors. */
static void set_px(struct pxdis_shot *s, uint32_t x, uint32_t y, uint32_t v)
{
	uint8_t *p = s->rgb + ((size_t)y * s->width + x) * 3;
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16);
}

static void expect_slot_error(struct pxdis_shot *s, uint32_t slot, const char *want)
{
	uint32_t x, y;
	char err[256];
	assert_int_equal(pxdis_shot_slot(s, slot, &x, &y, err, sizeof err), -1);
	if (strcmp(err, want))
		fail_msg("got:      %s\nexpected: %s", err, want);
}

static void test_slot_record(void **state)
{
	(void)state;
	struct pxdis_shot s = { calloc(300 * 200 * 3, 1), 300, 200 };
	uint32_t rec[26] = { 0x4F7870, 'S' | 1u << 16, 300, 200, 2, 128 };
	rec[18] = 10, rec[19] = 60, rec[22] = 150, rec[23] = 70;
	for (uint32_t i = 0; i < 26; i++)
		set_px(&s, i, 0, rec[i]);
	uint32_t x, y;
	char err[256];
	assert_int_equal(pxdis_shot_slot(&s, 1, &x, &y, err, sizeof err), 0);
	assert_int_equal(x, 150);
	assert_int_equal(y, 70);
	/* tile words: bytes 0..2 from R, G, B */
	set_px(&s, 150 + 1, 70 + 1, 0x0000F0); /* word 129: address 0x0204 */
	set_px(&s, 150 + 2, 70 + 1, 0x070000 | 0x44);
	struct pxdis_image img;
	assert_int_equal(pxdis_from_tile(&s, 200, 70, 0x200, 0, &img, err, sizeof err), -1);
	assert_string_equal(err, "a 128x128 tile at (200,70) does not fit in the 300 x 200 screen");
	assert_int_equal(pxdis_from_tile(&s, 150, 70, 0x200, 0, &img, err, sizeof err), 0);
	assert_int_equal(img.base, 0x200);
	assert_int_equal(img.size, 12); /* up to the last nonzero word */
	static const uint8_t tw[12] = { 0, 0, 0, 0, 0xF0, 0, 0, 0, 0x44, 0, 7, 0 };
	assert_memory_equal(img.bytes, tw, 12);
	assert_int_equal(img.known[7], 0);
	assert_int_equal(img.known[6], 1);
	pxdis_image_free(&img);

	expect_slot_error(&s, 2, "no slot 2: the screen has 2 slots (0..1)");
	set_px(&s, 5, 0, 64);
	expect_slot_error(&s, 0, "the layout record has tiles of 64 pixels, pxVM's are 128");
	set_px(&s, 5, 0, 128);
	set_px(&s, 4, 0, 1000);
	expect_slot_error(&s, 0, "the layout record claims 1000 slots, more than row 0 can hold");
	set_px(&s, 4, 0, 2);
	set_px(&s, 2, 0, 320);
	expect_slot_error(&s, 0, "the layout record is for a 320 x 200 screen, the PNG is 300 x 200 (scaled?)");
	set_px(&s, 2, 0, 300);
	set_px(&s, 1, 0, 'S' | 1u << 8);
	expect_slot_error(&s, 0, "layout record version 1.0: pxdis reads version 0.x");
	set_px(&s, 0, 0, 0x123456);
	expect_slot_error(&s, 0, "no pxOS layout record in row 0 (it starts with the colour 0x123456, not 'pxO' "
				 "0x4F7870): not a pxOS screen, or scaled or cropped; use --tile X,Y");
	assert_int_equal(pxdis_from_tile(&s, 0, 0, 0x202, 0, &img, err, sizeof err), -1);
	assert_string_equal(err, "bad range 0x0202..0x0000: 4-aligned, start below end, end at most 0x10000");
	free(s.rgb);
}

/* ---- A tile from a real screendump ------------------------------------------------------------ */

/* The text of the line for address `addr` in a disassembly with address
 * comments ("        TEXT   ; 0200: ..."), without its comment; NULL if no
 * line starts there. *amb: whether the line is marked "??". */
static char *line_at(const char *src, uint32_t addr, bool *amb)
{
	char key[16];
	snprintf(key, sizeof key, "; %04X:", (unsigned)addr);
	char key2[16];
	snprintf(key2, sizeof key2, "| %04X:", (unsigned)addr);
	for (const char *l = src; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *e = strchr(l, '\n');
		size_t n = e ? (size_t)(e - l) : strlen(l);
		char line[256];
		snprintf(line, sizeof line, "%.*s", (int)n, l);
		char *k = strstr(line, key);
		if (!k)
			k = strstr(line, key2);
		if (!k)
			continue;
		*amb = strstr(k, "??") != NULL;
		char *c = strchr(line, ';');
		*c = '\0';
		while (c > line && c[-1] == ' ')
			*--c = '\0';
		char *s = line;
		while (*s == ' ')
			s++;
		return strdup(s);
	}
	return NULL;
}

static void test_tile_from_screendump(void **state)
{
	(void)state;
	char src[PATH_MAX], pxe[PATH_MAX], png[PATH_MAX], lib[PATH_MAX], out[PATH_MAX], err[PATH_MAX];
	snprintf(src, sizeof src, "%s/tests/unit/pxdis/tile.pxs", tooltest_env("PXDIS_SRC"));
	snprintf(lib, sizeof lib, "%s/userland/lib", tooltest_env("PXDIS_SRC"));
	snprintf(pxe, sizeof pxe, "%s/tile.pxe", tooltest_tmpdir);
	snprintf(png, sizeof png, "%s/shot.png", tooltest_tmpdir);
	snprintf(out, sizeof out, "%s/out.pxs", tooltest_tmpdir);
	snprintf(err, sizeof err, "%s/err.txt", tooltest_tmpdir);
	const char *as[] = { tooltest_env("PXASM"), "-I", tooltest_env("PXDIS_INC"), "-I", lib, "-o", pxe, src, NULL };
	assert_int_equal(tooltest_run(as, NULL, err), 0);
	const char *rn[] = { tooltest_env("PXDIS_RUNNER"), "--quiet", "--png", png, pxe, NULL };
	assert_int_equal(tooltest_run(rn, NULL, err), 0);

	/* the program as assembled */
	size_t len;
	uint8_t *file;
	assert_int_equal(hostio_read_file(pxe, &file, &len), 0);
	struct pxdis_image orig, tile;
	char msg[512];
	assert_int_equal(pxdis_from_pxe(file, len, &orig, msg, sizeof msg), 0);

	/* the tile of slot 0 (the first process), over the image's addresses */
	struct pxdis_shot shot;
	if (pxdis_shot_load(png, &shot, msg, sizeof msg) != 0)
		fail_msg("%s", msg);
	uint32_t x, y;
	if (pxdis_shot_slot(&shot, 0, &x, &y, msg, sizeof msg) != 0)
		fail_msg("%s", msg);
	uint32_t end = PXVM_IMAGE_BASE + (uint32_t)orig.size;
	if (pxdis_from_tile(&shot, x, y, PXVM_IMAGE_BASE, end, &tile, msg, sizeof msg) != 0)
		fail_msg("%s", msg);
	assert_int_equal(tile.size, orig.size);
	for (size_t i = 0; i < orig.size; i++) {
		if (i % 4 == 3) {
			assert_int_equal(tile.known[i], 0);
			assert_int_equal(tile.bytes[i], 0);
		} else if (tile.bytes[i] != orig.bytes[i]) {
			fail_msg("byte 0x%04zX: tile 0x%02X, program 0x%02X", 0x200 + i, tile.bytes[i], orig.bytes[i]);
		}
	}

	/* instruction by instruction: where the program's bits 24..31 are zero the
	 * tile reads the same instruction; elsewhere the line is marked ?? */
	struct pxdis_options o = { .no_labels = true, .no_strings = true };
	char *want = disasm(&orig, &o, NULL);
	struct pxdis_stats st;
	char *got = disasm(&tile, &o, &st);
	int exact = 0, marked = 0;
	for (uint32_t a = PXVM_IMAGE_BASE; a < end; a += 4) {
		bool wamb, gamb;
		char *w = line_at(want, a, &wamb), *g = line_at(got, a, &gamb);
		if (!w) {
			free(g);
			continue;
		}
		if (!g)
			fail_msg("no tile line at 0x%04X (program: %s)\n%s", a, w, got);
		uint32_t i = a - PXVM_IMAGE_BASE;
		bool lost = orig.bytes[i + 3] != 0 ||
			    (!strncmp(w, "IMM32", 5) && i + 7 < orig.size && orig.bytes[i + 7] != 0);
		if (!lost && !gamb) {
			if (strcmp(w, g))
				fail_msg("0x%04X: tile reads '%s', the program has '%s'", a, g, w);
			exact++;
		} else if (lost && !gamb) {
			fail_msg("0x%04X: '%s' has lost bits but is not marked", a, g);
		} else {
			marked++;
		}
		free(w);
		free(g);
	}
	assert_true(exact >= 10); /* the program's register and 8-bit instructions */
	assert_true(marked >= 5); /* 16-bit immediates, targets, IMM32 values, data */
	assert_int_equal((size_t)marked, st.ambiguous);
	assert_non_null(strstr(got, "SYSCALL 7 ; EXIT"));
	free(want);
	free(got);
	pxdis_image_free(&orig);
	pxdis_image_free(&tile);
	free(file);

	/* the same screen as a PPM (what QEMU's screendump writes by default) */
	char ppm[PATH_MAX];
	snprintf(ppm, sizeof ppm, "%s/shot.ppm", tooltest_tmpdir);
	FILE *pf = fopen(ppm, "wb");
	assert_non_null(pf);
	fprintf(pf, "P6\n%u %u\n255\n", (unsigned)shot.width, (unsigned)shot.height);
	fwrite(shot.rgb, 3, (size_t)shot.width * shot.height, pf);
	fclose(pf);
	struct pxdis_shot shot2;
	if (pxdis_shot_load(ppm, &shot2, msg, sizeof msg) != 0)
		fail_msg("%s", msg);
	assert_int_equal(shot2.width, shot.width);
	assert_memory_equal(shot2.rgb, shot.rgb, (size_t)shot.width * shot.height * 3);
	uint32_t x2, y2;
	assert_int_equal(pxdis_shot_slot(&shot2, 0, &x2, &y2, msg, sizeof msg), 0);
	assert_int_equal(x2, x);
	assert_int_equal(y2, y);
	pxdis_shot_free(&shot2);
	pxdis_shot_free(&shot);

	/* the command line: --slot and --tile agree, and warn about the lost bits */
	char out2[PATH_MAX], tilearg[32];
	snprintf(out2, sizeof out2, "%s/out2.pxs", tooltest_tmpdir);
	snprintf(tilearg, sizeof tilearg, "%u,%u", (unsigned)x, (unsigned)y);
	const char *d1[] = { tooltest_env("PXDIS"), "--slot", "0", "-o", out, png, NULL };
	assert_int_equal(tooltest_run(d1, NULL, err), 0);
	char *e = tooltest_slurp(err, &len);
	assert_non_null(strstr(e, "bits 24..31 of every word are lost"));
	free(e);
	const char *d2[] = { tooltest_env("PXDIS"), "--tile", tilearg, "-o", out2, png, NULL };
	assert_int_equal(tooltest_run(d2, NULL, err), 0);
	char *t1 = tooltest_slurp(out, &len), *t2 = tooltest_slurp(out2, &len);
	assert_string_equal(strchr(t1, '\n'), strchr(t2, '\n')); /* all but the title line */
	assert_non_null(strstr(t1, "IMM8 R1, 3"));
	free(t1);
	free(t2);
	const char *d3[] = { tooltest_env("PXDIS"), "--slot", "99", png, NULL };
	assert_int_equal(tooltest_run(d3, NULL, err), 1);
	e = tooltest_slurp(err, &len);
	assert_non_null(strstr(e, "pxdis: no slot 99: the screen has"));
	free(e);
}

/* ---- The command line ---------------------------------------------------------------------------- */

static void test_cli(void **state)
{
	(void)state;
	char bin[PATH_MAX], err[PATH_MAX], out[PATH_MAX];
	snprintf(bin, sizeof bin, "%s/x.bin", tooltest_tmpdir);
	snprintf(err, sizeof err, "%s/err.txt", tooltest_tmpdir);
	snprintf(out, sizeof out, "%s/x.pxs", tooltest_tmpdir);
	FILE *f = fopen(bin, "wb");
	uint8_t b[8];
	put32(b, PXVM_ENCODE(PXVM_OP_IMM8, 1, 0, 7));
	put32(b + 4, 0);
	fwrite(b, 1, 8, f);
	fclose(f);
	const char *tool = tooltest_env("PXDIS");
	size_t len;

	const char *a1[] = { tool, "--raw", "-o", out, bin, NULL };
	assert_int_equal(tooltest_run(a1, NULL, err), 0);
	char *t = tooltest_slurp(out, &len);
	assert_non_null(strstr(t, "IMM8 R1, 7"));
	free(t);
	const char *a2[] = { tool, bin, NULL }; /* not a .pxe */
	assert_int_equal(tooltest_run(a2, NULL, err), 1);
	t = tooltest_slurp(err, &len);
	assert_non_null(strstr(t, "not a .pxe: 8 bytes, shorter than the 16-byte header (--raw shows the bytes"));
	free(t);
	const char *a3[] = { tool, NULL };
	assert_int_equal(tooltest_run(a3, NULL, err), 2);
	const char *a4[] = { tool, "--bogus", bin, NULL };
	assert_int_equal(tooltest_run(a4, NULL, err), 2);
	const char *a5[] = { tool, "--raw", "--base", "0x10001", bin, NULL };
	assert_int_equal(tooltest_run(a5, NULL, err), 2);
	const char *a6[] = { tool, "--base", "0x400", bin, NULL };
	assert_int_equal(tooltest_run(a6, NULL, err), 2);
	const char *a7[] = { tool, "--tile", "1", bin, NULL };
	assert_int_equal(tooltest_run(a7, NULL, err), 1); /* not a PNG: read before the argument */
	const char *a8[] = { tool, "--raw", "--base", "0x400", "--entry", "0x404", "-o", out, bin, NULL };
	assert_int_equal(tooltest_run(a8, NULL, err), 0);
	t = tooltest_slurp(out, &len);
	assert_non_null(strstr(t, ".org 0x0400"));
	free(t);
	const char *a9[] = { tool, "--fs", "/nonexistent.png", "/apps/x", NULL };
	assert_int_equal(tooltest_run(a9, NULL, err), 1);
	const char *a10[] = { tool, "--raw", "/nonexistent.bin", NULL };
	assert_int_equal(tooltest_run(a10, NULL, err), 1);
	t = tooltest_slurp(err, &len);
	assert_non_null(strstr(t, "pxdis: cannot read '/nonexistent.bin': No such file or directory"));
	free(t);
	const char *a11[] = { tool, "--slot", "0", "--raw", bin, NULL };
	assert_int_equal(tooltest_run(a11, NULL, err), 2);
}

static int setup(void **state)
{
	(void)state;
	return tooltest_tmpdir_make("pxdis");
}

static int teardown(void **state)
{
	(void)state;
	return tooltest_tmpdir_remove();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_round_trip),
		cmocka_unit_test(test_raw_bases),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_address_comments),
		cmocka_unit_test(test_unknown_bytes),
		cmocka_unit_test(test_pxe_errors),
		cmocka_unit_test(test_fs_errors),
		cmocka_unit_test(test_slot_record),
		cmocka_unit_test(test_tile_from_screendump),
		cmocka_unit_test(test_cli),
	};
	return cmocka_run_group_tests_name("pxdis", tests, setup, teardown);
}
