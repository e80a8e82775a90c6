/*
 * test_pxasm.c — the pxVM assembler (tools/pxasm/pxasm.h, docs/pxasm.md):
 * every opcode's encoding (driven by PXVM_OPCODES), every directive,
 * expressions and precedence, forward references, local labels, macros,
 * includes, entry selection, the listing, each error message with its
 * line:col, and the command-line tool (build/tools/pxasm).
 *
 * Files for the include tests are in memory (mem_read); the command-line test
 * reads tests/unit/pxasm/ (relative to the current directory, or the directory
 * in $PXASM_TEST_DIR) and runs the pxasm binary next to this test's build
 * directory ($BUILD/tools/pxasm, found from /proc/self/exe).
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "kernel/param.h"
#include "pxvm/abi.h"
#include "pxvm/disasm.h"
#include "pxvm/isa.h"
#include "tools/pxasm/pxasm.h"
#include "tooltest.h"

/* ---- Helpers ----------------------------------------------------------------------- */

struct mem_file { const char *path, *text; };
static const struct mem_file *mem_files; /* NULL-terminated, for mem_read */

static int mem_read(void *ctx, const char *path, char **text, size_t *len)
{
	(void)ctx;
	for (const struct mem_file *f = mem_files; f && f->path; f++)
		if (!strcmp(f->path, path)) {
			if (!f->text)
				return EACCES; /* a file that exists but cannot be read */
			*len = strlen(f->text);
			*text = malloc(*len + 1);
			memcpy(*text, f->text, *len + 1);
			return 0;
		}
	return ENOENT;
}

static const char *const test_dirs[] = { "lib", "other" };
static const struct pxasm_options mem_opt = { test_dirs, 2, mem_read, NULL, 0 };

static int assemble(const char *src, struct pxasm_result *res)
{
	return pxasm_assemble("t.pxs", src, strlen(src), &mem_opt, res);
}

static uint32_t word_at(const struct pxasm_result *r, size_t i)
{
	const uint8_t *p = r->image + 4 * i;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void fail_diags(const char *what, const char *src, const struct pxasm_result *r)
{
	char msg[512];
	if (r->ndiags)
		pxasm_format_diag(&r->diags[0], msg, sizeof msg);
	else
		snprintf(msg, sizeof msg, "(no diagnostics)");
	fail_msg("%s\n--- source:\n%s\n--- first diagnostic: %s", what, src, msg);
}

/* Assemble src; the image must be exactly `n` bytes equal to `bytes`. */
static void expect_bytes(const char *src, const uint8_t *bytes, size_t n)
{
	struct pxasm_result r;
	if (assemble(src, &r) != 0)
		fail_diags("unexpected errors", src, &r);
	if (r.image_size != n || memcmp(r.image, bytes, n) != 0) {
		char got[256] = "", *g = got;
		for (size_t i = 0; i < r.image_size && i < 64; i++)
			g += sprintf(g, "%02X ", r.image[i]);
		fail_msg("image differs for:\n%s\ngot %zu bytes: %s(expected %zu)", src, r.image_size, got, n);
	}
	pxasm_result_free(&r);
}

static void expect_words(const char *src, const uint32_t *w, size_t n)
{
	uint8_t b[512];
	assert_true(n * 4 <= sizeof b);
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < 4; k++)
			b[4 * i + k] = (uint8_t)(w[i] >> (8 * k));
	expect_bytes(src, b, n * 4);
}

/* Assemble src; it must fail and its first diagnostic must read `want`
 * ("file:line:col: error: message"). */
static void expect_error(const char *src, const char *want)
{
	struct pxasm_result r;
	char got[512];
	if (assemble(src, &r) == 0)
		fail_msg("no error for:\n%s\n(expected %s)", src, want);
	assert_null(r.image);
	assert_true(r.nerrors > 0);
	pxasm_format_diag(&r.diags[0], got, sizeof got);
	if (strcmp(got, want) != 0)
		fail_msg("wrong diagnostic for:\n%s\ngot:      %s\nexpected: %s", src, got, want);
	pxasm_result_free(&r);
}

/* The value of a .word expression assembled at the image base. */
static int64_t word_value(const char *expr)
{
	char src[256];
	struct pxasm_result r;
	snprintf(src, sizeof src, ".word %s\n", expr);
	if (assemble(src, &r) != 0)
		fail_diags("expression failed", src, &r);
	int64_t v = (int32_t)word_at(&r, 0);
	pxasm_result_free(&r);
	return v;
}

/* ---- Every opcode, from the table ---------------------------------------------------- */

/* Operand text and expected encoding for opcode `op`, with registers chosen from
 * the opcode number and an immediate typical of its class. */
static void make_insn(uint32_t op, int lower, char *src, size_t cap, uint32_t *w, uint32_t *next)
{
	const struct pxvm_opinfo *oi = pxvm_opinfo(op);
	enum pxvm_imm_kind k = pxvm_disasm_imm_kind(op);
	unsigned ra = op % 8, rb = (op + 3) % 8, rc = (op + 5) % 8;
	int64_t imm = 0;
	switch (k) {
	case PXVM_IMM_U8: imm = 0xA5; break;
	case PXVM_IMM_S16: imm = -2; break;
	case PXVM_IMM_OFFSET: imm = -8; break;
	case PXVM_IMM_U16: imm = 0x1234; break;
	case PXVM_IMM_TARGET: imm = 0x0240; break;
	case PXVM_IMM_ADDR: imm = 0xF00C; break;
	case PXVM_IMM_W32: imm = 0x89ABCDEF; break;
	case PXVM_IMM_NONE: break;
	}
	size_t n = (size_t)snprintf(src, cap, "%s", oi->name);
	for (size_t i = 0; lower && i < n; i++)
		src[i] = (char)(src[i] >= 'A' && src[i] <= 'Z' ? src[i] + 32 : src[i]);
	*w = op;
	*next = 0;
	const char *sep = " ";
	for (const char *c = oi->syntax; *c; c++) {
		char r = lower ? 'r' : 'R';
		if (*c == 'a') {
			n += (size_t)snprintf(src + n, cap - n, "%s%c%u", sep, r, ra);
			*w |= ra << 8;
		} else if (*c == 'b') {
			n += (size_t)snprintf(src + n, cap - n, "%s%c%u", sep, r, rb);
			*w |= rb << 12;
		} else if (*c == 'c') {
			n += (size_t)snprintf(src + n, cap - n, "%s%c%u", sep, r, rc);
			*w |= rc << 16;
		} else if (*c == 'i') {
			n += (size_t)snprintf(src + n, cap - n, "%s%lld", sep, (long long)imm);
			if (k == PXVM_IMM_W32)
				*next = (uint32_t)imm;
			else
				*w |= ((uint32_t)imm & (k == PXVM_IMM_U8 ? 0xFFu : 0xFFFFu)) << 16;
		} else if (*c == '[') {
			n += (size_t)snprintf(src + n, cap - n, "%s[%c%u - %lld]", sep, r, rb, (long long)-imm);
			*w |= rb << 12 | ((uint32_t)imm & 0xFFFFu) << 16;
			c = strchr(c, ']');
		}
		if (*c == ',')
			sep = ", ";
		else
			sep = "";
	}
}

static void test_every_opcode_encoding(void **state)
{
	(void)state;
	int count = 0;
	for (uint32_t op = 0; op < 256; op++) {
		if (!pxvm_opinfo(op)->name)
			continue;
		for (int lower = 0; lower < 2; lower++) {
			char src[128];
			uint32_t w[2];
			make_insn(op, lower, src, sizeof src, &w[0], &w[1]);
			strcat(src, "\n");
			expect_words(src, w, pxvm_opinfo(op)->words);
		}
		count++;
	}
	assert_true(count >= 13); /* at least the design notes' opcodes */
}

/* Wrong operand counts: the message names the syntax, for every opcode. */
static void test_every_opcode_operand_count(void **state)
{
	(void)state;
	for (uint32_t op = 0; op < 256; op++) {
		const struct pxvm_opinfo *oi = pxvm_opinfo(op);
		if (!oi->name)
			continue;
		char src[128], want[256], ops[64] = "";
		uint32_t w, next;
		make_insn(op, 0, src, sizeof src, &w, &next);
		strcat(src, oi->syntax[0] ? ", R1\n" : " R1\n");
		int n = oi->syntax[0] ? 2 : 1;
		for (const char *c = oi->syntax; *c; c++)
			n += *c == ',';
		/* the operand description, independently of the assembler's code */
		for (const char *c = oi->syntax; *c; c++) {
			const char *p = *c == 'a' ? "ra" : *c == 'b' ? "rb" : *c == 'c' ? "rc" : *c == ',' ? ", " : "";
			if (*c == 'i')
				p = pxvm_disasm_imm_name(pxvm_disasm_imm_kind(op));
			if (*c == '[') {
				p = "[rb + offset]";
				c = strchr(c, ']');
			}
			strcat(ops, p);
		}
		if (oi->syntax[0])
			snprintf(want, sizeof want, "t.pxs:1:1: error: %s takes %s (got %d operands)", oi->name, ops, n);
		else
			snprintf(want, sizeof want, "t.pxs:1:1: error: %s takes no operands (got 1)", oi->name);
		expect_error(src, want);
	}
}

static void test_registers(void **state)
{
	(void)state;
	uint32_t w[] = { PXVM_ENCODE(PXVM_OP_ADD, 7, 0, 0) | 7u << 16, PXVM_ENCODE(PXVM_OP_MOV, 7, 6, 0) };
	expect_words("ADD sp, R0, Sp\nmov SP, r6\n", w, 2);
}

/* ---- Directives ------------------------------------------------------------------------ */

static void test_directive_byte_word(void **state)
{
	(void)state;
	static const uint8_t b[] = { 1, 0xFF, 0x80, 'A', 0x78, 0x56, 0x34, 0x12, 0xFF, 0xFF, 0xFF, 0xFF,
				     0x10, 0x02, 0, 0, 0x00, 0x00, 0x00, 0x80 };
	expect_bytes(".byte 1, -1, 128, 'A'\n.word 0x12345678, -1, here\nhere: .word -2147483648\n", b, sizeof b);
}

static void test_directive_string_ascii(void **state)
{
	(void)state;
	static const uint8_t b[] = { 'h', 'i', '\n', 0, 'a', '\t', '\r', '\\', '"', '\'', 0x41, 0x7F, 0,
				     'x', 'y', 'z', ';', '/', '/', 0 };
	expect_bytes(".string \"hi\\n\"\n.ascii \"a\\t\\r\\\\\\\"\\'\\x41\\x7f\\0\"\n"
		     ".ascii \"xyz\", \";//\"\n", b, 19 + 1);
	/* the image is padded to a multiple of 4 */
	static const uint8_t c[] = { 'a', 0, 'b', 0 };
	expect_bytes(".string \"a\", \"b\"\n", c, 4);
}

static void test_directive_zero_org_align(void **state)
{
	(void)state;
	uint8_t b[0x120];
	memset(b, 0, sizeof b);
	b[0] = 1;
	b[4] = 2;             /* after .zero 3: 0x204 */
	b[8] = 3;             /* .align 8 from 0x205 -> 0x208 */
	b[0x100] = 4;         /* .org 0x300 */
	b[0x110] = 5;         /* .org . + 0xF (from 0x301) */
	expect_bytes(".byte 1\n.zero 3\n.byte 2\n.align 8\n.byte 3\n.org 0x300\n.byte 4\n.org . + 0xF\n.byte 5\n"
		     ".align 1\n.align 4\n.zero 0\n", b, 0x114);
	/* .org to the current address and .align when aligned add nothing */
	static const uint32_t w[] = { 1, 2 };
	expect_words(".word 1\n.org 0x204\n.align 4\n.word 2\n", w, 2);
}

static void test_directive_equ(void **state)
{
	(void)state;
	static const uint32_t w[] = { 5, 6, 7, (uint32_t)-1, 0x210 };
	expect_words(".equ FIVE, 5\nSIX = FIVE + 1\n.EQU seven, SIX+1\nneg=-1\n"
		     ".word FIVE, SIX, seven, neg\nhere = .\n.word here\n", w, 5);
	/* constants may use later constants and labels */
	static const uint32_t v[] = { 0x208, 8, 0 };
	expect_words("A = B\nB = end\nLEN = end - start\nstart: .word A, LEN\nend: .word 0\n", v, 3);
}

static void test_directive_entry(void **state)
{
	(void)state;
	struct pxasm_result r;
	assert_int_equal(assemble("NOP\nNOP\n_start: NOP\nmain: HALT\n.entry main\n", &r), 0);
	assert_int_equal(r.entry, 0x20C); /* .entry wins over _start */
	pxasm_result_free(&r);
	assert_int_equal(assemble("NOP\n_start: HALT\n", &r), 0);
	assert_int_equal(r.entry, 0x204);
	pxasm_result_free(&r);
	assert_int_equal(assemble("NOP\nHALT\n", &r), 0);
	assert_int_equal(r.entry, 0x200);
	pxasm_result_free(&r);
	assert_int_equal(assemble(".entry go + 4\nNOP\ngo: NOP\nHALT\n", &r), 0);
	assert_int_equal(r.entry, 0x208);
	pxasm_result_free(&r);
}

static void test_entry_errors(void **state)
{
	(void)state;
	expect_error("NOP\n.entry 0x202\n", "t.pxs:2:8: error: entry point 0x0202 (.entry) is not 4-aligned");
	expect_error("NOP\n.entry 0x204\n",
		     "t.pxs:2:8: error: entry point 0x0204 (.entry) is outside the image (0x0200..0x0204)");
	expect_error("NOP\n.entry 0\n", "t.pxs:2:8: error: entry point 0x0000 (.entry) is outside the image (0x0200..0x0204)");
	expect_error("NOP\n_start = 0x300\n",
		     "t.pxs:2:1: error: entry point 0x0300 (_start) is outside the image (0x0200..0x0204)");
	expect_error(".entry a\n.entry b\na: NOP\nb: NOP\n", "t.pxs:2:1: error: duplicate .entry");
	struct pxasm_result r2;
	char note[256];
	assert_int_equal(assemble(".entry a\n.entry b\na: NOP\nb: NOP\n", &r2), -1);
	assert_int_equal(r2.ndiags, 2);
	pxasm_format_diag(&r2.diags[1], note, sizeof note);
	assert_string_equal(note, "t.pxs:1:1: note: the first .entry is here");
	pxasm_result_free(&r2);
}

static void test_pxe_header(void **state)
{
	(void)state;
	struct pxasm_result r;
	uint8_t h[16];
	assert_int_equal(assemble("NOP\n_start: HALT\n.byte 7\n", &r), 0);
	assert_int_equal(r.image_size, 12);
	pxasm_pxe_header(&r, h);
	static const uint8_t want[16] = { 'P', 'X', 'E', '1', 1, 0, 0, 0, 0x04, 0x02, 0, 0, 12, 0, 0, 0 };
	assert_memory_equal(h, want, 16);
	pxasm_result_free(&r);
}

/* ---- Expressions -------------------------------------------------------------------------- */

static void test_expressions(void **state)
{
	(void)state;
	static const struct { const char *e; int64_t v; } cases[] = {
		{ "1 + 2 * 3", 7 }, { "(1 + 2) * 3", 9 }, { "10 - 4 - 3", 3 }, { "2 * 3 % 4", 2 },
		{ "7 / 2", 3 }, { "-7 / 2", -3 }, { "-7 % 2", -1 }, { "100 / 10 / 5", 2 },
		{ "1 << 2 + 1", 8 }, { "(1 << 2) + 1", 5 }, { "0x10 >> 2", 4 }, { "-16 >> 2", -4 },
		{ "6 & 3 | 8", 10 }, { "1 | 6 ^ 3", 5 }, { "12 & 10 ^ 6", 14 }, { "1 + 2 & 3", 3 },
		{ "~0", -1 }, { "-1", -1 }, { "- -5", 5 }, { "+5", 5 }, { "~(1 << 4) & 0xFF", 0xEF },
		{ "0b1010", 10 }, { "0B11", 3 }, { "0X1f", 31 }, { "0xffffffff", -1 }, { "'A'", 65 },
		{ "'\\n'", 10 }, { "'\\x41' + 1", 66 }, { "'\\''", 39 }, { "'\\\\'", 92 }, { "'\\0'", 0 },
		{ "' '", 32 }, { ". - 0x200", 0 }, { ".", 0x200 }, { "(((3)))", 3 }, { "2*(3+4)*5", 70 },
		{ "0x100000000 >> 4", 0x10000000 }, { "1 << 31", (int32_t)0x80000000 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t v = word_value(cases[i].e);
		if (v != cases[i].v)
			fail_msg("%s = %lld, expected %lld", cases[i].e, (long long)v, (long long)cases[i].v);
	}
}

static void test_forward_references(void **state)
{
	(void)state;
	static const uint32_t w[] = {
		PXVM_ENCODE(PXVM_OP_JMP, 0, 0, 0x214), PXVM_ENCODE(PXVM_OP_IMM32, 1, 0, 0), 0x218,
		PXVM_ENCODE(PXVM_OP_JZ, 1, 0, 0x214), 0x218, PXVM_ENCODE(PXVM_OP_HALT, 0, 0, 0), 0x1234,
	};
	expect_words("JMP fwd\nIMM32 R1, data\nJZ R1, fwd\n.word data\nfwd: HALT\ndata: .word 0x1234\n", w, 7);
	/* .zero and .org sized by symbols defined later */
	uint8_t b[0x24];
	memset(b, 0, sizeof b);
	b[8] = 0x11, b[12] = 0x22, b[0x20] = 0x33;
	expect_bytes(".zero SIZE\n.byte 0x11\n.align 4\ntbl: .byte 0x22, 0, 0, 0\ntbl_end:\n.org DATA_AT\n"
		     ".byte 0x33\nSIZE = tbl_end - tbl + 4\nDATA_AT = 0x220\n", b, sizeof b);
	/* a size that moves the label it depends on can not be laid out */
	expect_error(".zero 8 - (b - 0x200)\nb: NOP\n", "t.pxs:1:1: error: cannot lay out this line: its size "
		     "depends on labels that move with it (0 bytes now, 8 in the last layout pass)");
}

static void test_local_labels(void **state)
{
	(void)state;
	static const uint32_t w[] = {
		PXVM_ENCODE(PXVM_OP_JMP, 0, 0, 0x200), PXVM_ENCODE(PXVM_OP_JMP, 0, 0, 0x208),
		PXVM_ENCODE(PXVM_OP_JMP, 0, 0, 0x208), PXVM_ENCODE(PXVM_OP_JMP, 0, 0, 0x200),
		PXVM_ENCODE(PXVM_OP_JMP, 0, 0, 0x214), 0x214,
	};
	expect_words("one:\n.loop: JMP .loop\n  JMP two.loop\ntwo:\n.loop: JMP .loop\n JMP one.loop\n"
		     " JMP .next\n.next: .word .next\n", w, 6);
	/* the symbol table names them scope.name */
	struct pxasm_result r;
	assert_int_equal(assemble("f:\n.x: NOP\ng:\n.x: NOP\n", &r), 0);
	assert_int_equal(r.nsyms, 4);
	assert_string_equal(r.syms[0].name, "f");
	assert_string_equal(r.syms[1].name, "f.x");
	assert_int_equal(r.syms[1].value, 0x200);
	assert_string_equal(r.syms[3].name, "g.x");
	assert_int_equal(r.syms[3].value, 0x204);
	assert_int_equal(r.syms[3].is_label, 1);
	pxasm_result_free(&r);
}

/* ---- Macros --------------------------------------------------------------------------------- */

static void test_macros(void **state)
{
	(void)state;
	static const uint32_t w[] = {
		PXVM_ENCODE(PXVM_OP_PUSH, 1, 0, 0), PXVM_ENCODE(PXVM_OP_PUSH, 2, 0, 0),
		PXVM_ENCODE(PXVM_OP_ADDI, 3, 3, 0xFFFF), PXVM_ENCODE(PXVM_OP_JNZ, 3, 0, 0x208),
		PXVM_ENCODE(PXVM_OP_ADDI, 4, 4, 0xFFFF), PXVM_ENCODE(PXVM_OP_JNZ, 4, 0, 0x210),
		PXVM_ENCODE(PXVM_OP_IMM8, 5, 0, 9), PXVM_ENCODE(PXVM_OP_MOV, 6, 5, 0),
		PXVM_ENCODE(PXVM_OP_HALT, 0, 0, 0),
	};
	expect_words(".macro push2 a, b\n PUSH \\a\n PUSH \\b\n.endm\n"
		     ".macro spin reg\n.l\\@: ADDI \\reg, \\reg, -1\n JNZ \\reg, .l\\@\n.ENDM\n"
		     ".macro set r v\n IMM8 \\r, \\v\n.endm\n"
		     ".macro twice r\n set \\r, (4 + 5)\n MOV R6, \\r\n.endm\n"
		     ".macro stop\n HALT\n.endm\n"
		     "main: push2 R1, R2\n spin R3\n spin R4\n twice R5\n stop\n", w, 9);
	/* \() separates a parameter from following text; strings are substituted too */
	static const uint8_t b[] = { 'i', 'd', '=', '7', 0, 0, 0, 0, 0x04, 0x02, 0, 0 };
	expect_bytes(".macro named n, v\n\\n\\()_x: .string \"id=\\v\"\n.endm\n"
		     "named tag, 7\n.align 4\n.word tag_x + 4\n", b, 12);
}

static void test_macro_listing_and_notes(void **state)
{
	(void)state;
	struct pxasm_result r;
	const char *src = ".macro m x\n IMM8 R1, \\x\n.endm\n m 300\n";
	assert_int_equal(assemble(src, &r), -1);
	assert_int_equal(r.nerrors, 1);
	assert_int_equal(r.ndiags, 2);
	char buf[256];
	pxasm_format_diag(&r.diags[0], buf, sizeof buf);
	assert_string_equal(buf, "t.pxs:2:11: error: IMM8 value 300 is out of range (0..255)");
	assert_string_equal(r.diags[0].source, " IMM8 R1, 300");
	pxasm_format_diag(&r.diags[1], buf, sizeof buf);
	assert_string_equal(buf, "t.pxs:4:2: note: in expansion of macro 'm'");
	pxasm_result_free(&r);
}

/* ---- Includes -------------------------------------------------------------------------------- */

static void test_includes(void **state)
{
	(void)state;
	static const struct mem_file files[] = {
		{ "dir/a.pxs", ".include \"b.pxs\"\nA = B + 1\n" },     /* relative to dir/ */
		{ "dir/b.pxs", ".include \"../dir/./c.pxs\"\nB = C + 1\n" },
		{ "dir/c.pxs", "C = 10\n.include \"deep.pxs\"\n" },  /* found via -I lib */
		{ "lib/deep.pxs", ".macro one\n.byte 1\n.endm\n" },
		{ "other/x.pxs", ".byte 0xEE\n" },
		{ "lib/x.pxs", ".byte 0xDD\n" }, /* -I order: lib before other */
		{ NULL, NULL },
	};
	mem_files = files;
	static const uint8_t b[] = { 12, 1, 0xDD, 0 };
	expect_bytes(".include \"dir/a.pxs\"\n.byte A\none\n.include \"x.pxs\"\n", b, 4);
	expect_error(".include \"nope.pxs\"\n",
		     "t.pxs:1:10: error: include file 'nope.pxs' not found (tried 'nope.pxs', 'lib/nope.pxs', "
		     "'other/nope.pxs')");
	mem_files = NULL;
}

/* Includes nested deeper than 32 levels; an include file that exists but
 * cannot be read. */
static void test_include_limits(void **state)
{
	(void)state;
	static struct mem_file files[42];
	static char names[40][16], texts[40][40];
	for (int i = 0; i < 40; i++) {
		snprintf(names[i], sizeof names[i], "d%d.pxs", i);
		snprintf(texts[i], sizeof texts[i], ".byte %d\n.include \"d%d.pxs\"\n", i, i + 1);
		files[i] = (struct mem_file){ names[i], texts[i] };
	}
	files[40] = (struct mem_file){ "locked.pxs", NULL };
	files[41] = (struct mem_file){ NULL, NULL };
	mem_files = files;
	/* files 32 deep are fine: t.pxs (1), d0 (2) ... d30 (32); d30's include
	 * would be the 33rd level */
	expect_error(".include \"d0.pxs\"\n", "d30.pxs:2:10: error: includes nested too deeply (limit 32)");
	expect_error("NOP\n.include \"locked.pxs\"\n",
		     "t.pxs:2:10: error: cannot read include file 'locked.pxs': Permission denied");
	mem_files = NULL;
}

/* The default reader (issue 9): only regular files of at most PXASM_FILE_MAX
 * bytes, so `.include "/dev/zero"`, a FIFO or a huge file stop with a clear
 * error instead of reading until memory is gone or blocking. */
static void test_include_not_regular(void **state)
{
	(void)state;
	struct pxasm_options opt = { NULL, 0, NULL, NULL, 0 }; /* pxasm_read_file */
	struct pxasm_result r;
	char got[512], src[PATH_MAX + 32], want[2 * PATH_MAX];
	static const struct { const char *path, *why; } cases[] = {
		{ "/dev/zero", "not a regular file" },
		{ "/dev/null", "not a regular file" },
		{ "/", "Is a directory" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(src, sizeof src, ".include \"%s\"\n", cases[i].path);
		assert_int_not_equal(pxasm_assemble("t.pxs", src, strlen(src), &opt, &r), 0);
		pxasm_format_diag(&r.diags[0], got, sizeof got);
		snprintf(want, sizeof want, "t.pxs:1:10: error: cannot read include file '%s': %s", cases[i].path,
		         cases[i].why);
		assert_string_equal(got, want);
		pxasm_result_free(&r);
	}
	/* a FIFO: refused at once, never waiting for a writer */
	char dir[] = "/tmp/pxasm-inc-XXXXXX", fifo[64], big[64];
	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof fifo, "%s/fifo.pxs", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	snprintf(src, sizeof src, ".include \"%s\"\n", fifo);
	assert_int_not_equal(pxasm_assemble("t.pxs", src, strlen(src), &opt, &r), 0);
	pxasm_format_diag(&r.diags[0], got, sizeof got);
	assert_non_null(strstr(got, "fifo.pxs': not a regular file"));
	pxasm_result_free(&r);
	/* one byte over the limit (a sparse file) */
	snprintf(big, sizeof big, "%s/big.pxs", dir);
	FILE *f = fopen(big, "w");
	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), PXASM_FILE_MAX + 1), 0);
	fclose(f);
	snprintf(src, sizeof src, "NOP\n.include \"%s\"\n", big);
	assert_int_not_equal(pxasm_assemble("t.pxs", src, strlen(src), &opt, &r), 0);
	pxasm_format_diag(&r.diags[0], got, sizeof got);
	snprintf(want, sizeof want, "t.pxs:2:10: error: cannot read include file '%s': larger than %d bytes, "
	         "the limit of a source file", big, PXASM_FILE_MAX);
	assert_string_equal(got, want);
	assert_non_null(strstr(want, ": larger than 16777216 bytes, the limit of a source file"));
	pxasm_result_free(&r);
	/* exactly at the limit is read (and assembled: blank lines) */
	f = fopen(big, "w");
	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), 0), 0);
	for (int i = 0; i < 1024; i++)
		fputc('\n', f);
	fclose(f);
	assert_int_equal(pxasm_assemble("t.pxs", src, strlen(src), &opt, &r), 0);
	pxasm_result_free(&r);
	unlink(fifo);
	unlink(big);
	rmdir(dir);
}

static void test_include_cycles(void **state)
{
	(void)state;
	static const struct mem_file files[] = {
		{ "p.pxs", ".byte 1\n.include \"q/r.pxs\"\n" },
		{ "q/r.pxs", "\n.include \"../p.pxs\"\n" },
		{ "self.pxs", ".include \"self.pxs\"\n" },
		{ NULL, NULL },
	};
	mem_files = files;
	struct pxasm_result r;
	char buf[256];
	assert_int_equal(pxasm_assemble("p.pxs", files[0].text, strlen(files[0].text), &mem_opt, &r), -1);
	pxasm_format_diag(&r.diags[0], buf, sizeof buf);
	assert_string_equal(buf, "q/r.pxs:2:10: error: include cycle: p.pxs -> q/r.pxs -> p.pxs");
	pxasm_result_free(&r);
	expect_error(".include \"self.pxs\"\n", "self.pxs:1:10: error: include cycle: self.pxs -> self.pxs");
	mem_files = NULL;
}

/* Many errors: at most 20 are reported, then a note says assembly stopped. */
static void test_error_limit(void **state)
{
	(void)state;
	char src[1024] = "";
	for (int i = 0; i < 30; i++)
		strcat(src, "FOO\n");
	struct pxasm_result r;
	assert_int_equal(assemble(src, &r), -1);
	assert_int_equal(r.nerrors, 20);
	char buf[256];
	pxasm_format_diag(&r.diags[r.ndiags - 1], buf, sizeof buf);
	assert_string_equal(buf, "t.pxs: note: stopped after 20 errors");
	pxasm_format_diag(&r.diags[19], buf, sizeof buf);
	assert_string_equal(buf, "t.pxs:20:1: error: unknown mnemonic 'FOO' (to define a label, write 'FOO:')");
	pxasm_result_free(&r);
	/* errors come in source order, whatever phase found them */
	assert_int_equal(assemble("IMM8 R1, 999\nBAR R1\n", &r), -1);
	assert_int_equal(r.nerrors, 2);
	assert_int_equal(r.diags[0].line, 1);
	assert_int_equal(r.diags[1].line, 2);
	pxasm_result_free(&r);
}

/* ---- Limits: hostile input gets an error, not a crash or a hang --------------------------------- */

static char *grow_src(char *s, size_t *n, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	char line[128];
	va_start(ap, fmt);
	int k = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (*n + (size_t)k + 1 > *cap) {
		*cap = (*cap + (size_t)k + 1) * 2;
		s = realloc(s, *cap);
	}
	memcpy(s + *n, line, (size_t)k + 1);
	*n += (size_t)k;
	return s;
}

static void test_limits(void **state)
{
	(void)state;
	char *s = NULL;
	size_t n = 0, cap = 0;
	/* constants that double: evaluated once each, not 2^60 times */
	s = grow_src(s, &n, &cap, "A0 = 1\n");
	for (int i = 1; i < 60; i++)
		s = grow_src(s, &n, &cap, "A%d = A%d + A%d\n", i, i - 1, i - 1);
	s = grow_src(s, &n, &cap, ".word A20, A59 >> 40\n");
	static const uint32_t w[] = { 1u << 20, 1u << 19 };
	expect_words(s, w, 2);
	/* a chain of constants deeper than the evaluator allows (in source order
	 * each is evaluated once from the previous one, so define it backwards) */
	n = 0;
	for (int i = 0; i < 5999; i++)
		s = grow_src(s, &n, &cap, "B%d = B%d + 1\n", i, i + 1);
	s = grow_src(s, &n, &cap, "B5999 = 1\n");
	expect_error(s, "t.pxs:1:6: error: expression nested too deeply (more than 10000 levels, counting the "
			"constants it uses)");
	/* parentheses */
	n = 0;
	s = grow_src(s, &n, &cap, ".word ");
	for (int i = 0; i < 200; i++)
		s = grow_src(s, &n, &cap, "(");
	expect_error(s, "t.pxs:1:107: error: expression nested too deeply (limit 100)");
	/* unary operators */
	n = 0;
	s = grow_src(s, &n, &cap, ".word ");
	for (int i = 0; i < 200; i++)
		s = grow_src(s, &n, &cap, i % 2 ? "-" : "~");
	s = grow_src(s, &n, &cap, "1\n");
	expect_error(s, "t.pxs:1:107: error: expression nested too deeply (limit 100)");
	/* exponential macro expansion stops at the line limit */
	n = 0;
	s = grow_src(s, &n, &cap, ".macro m0\nNOP\n.endm\n");
	for (int i = 1; i < 30; i++)
		s = grow_src(s, &n, &cap, ".macro m%d\nm%d\nm%d\n.endm\n", i, i - 1, i - 1);
	s = grow_src(s, &n, &cap, "m29\n");
	struct pxasm_result r;
	assert_int_equal(assemble(s, &r), -1);
	assert_int_equal(r.nerrors, 1);
	assert_string_equal(r.diags[0].message,
			    "source too large: more than 1000000 lines after includes and macro expansion");
	pxasm_result_free(&r);
	/* a program that fills the image area exactly is fine */
	expect_error(".zero 0xEE00\nNOP\n", "t.pxs:2:1: error: image larger than PXVM_IMAGE_MAX (0xEE00 bytes): "
					  "this line ends at 0xF004, past the end of the image area (0xF000)");
	assert_int_equal(assemble(".zero 0xEDFC\nHALT\n", &r), 0);
	assert_int_equal(r.image_size, PXVM_IMAGE_MAX);
	pxasm_result_free(&r);
	free(s);
}

/* ---- Error messages: text and line:col ---------------------------------------------------------- */

static const struct { const char *src, *want; } error_cases[] = {
	/* mnemonics, operands, registers */
	{ "  ADDD R1, R2, R3\n", "t.pxs:1:3: error: unknown mnemonic 'ADDD'; did you mean 'ADD'?" },
	{ "NOP\nloop\n", "t.pxs:2:1: error: unknown mnemonic 'loop' (to define a label, write 'loop:')" },
	{ "ADD R1, R2\n", "t.pxs:1:1: error: ADD takes ra, rb, rc (got 2 operands)" },
	{ "LDW R1\n", "t.pxs:1:1: error: LDW takes ra, [rb + offset] (got 1 operand)" },
	{ "IMM8 R1,\n", "t.pxs:1:9: error: operand 2 of IMM8 is empty" },
	{ "ADD R1,,R2\n", "t.pxs:1:8: error: operand 2 of ADD is empty" },
	{ "MOV R1, R8\n", "t.pxs:1:9: error: no register R8; registers are R0..R7 and SP" },
	{ "MOV R1, 5\n", "t.pxs:1:9: error: operand 2 of MOV must be a register (R0..R7 or SP), found '5'" },
	{ "JZ R1, R2\n", "t.pxs:1:8: error: operand 2 of JZ (target) must be an expression, not register R2" },
	{ "ADD R1, R2, R3 + 1\n", "t.pxs:1:16: error: unexpected '+' after register R3" },
	{ "IMM8 R1, SP + 1\n", "t.pxs:1:10: error: register SP cannot be used in an expression" },
	{ "LDW R1, R2\n", "t.pxs:1:9: error: operand 2 of LDW must be a memory operand [rb + offset], found 'R2'" },
	{ "LDW R1, [R2 + 4\n", "t.pxs:1:15: error: expected ']' to close the memory operand [rb + offset]" },
	{ "LDW R1, [R2 * 4]\n", "t.pxs:1:13: error: expected '+', '-' or ']' after the base register, found '*'" },
	{ "LDB R1, []\n", "t.pxs:1:10: error: a memory operand starts with a base register: [rb + offset], found ']'" },
	{ "LDB R1, [\n", "t.pxs:1:9: error: expected ']' to close the memory operand [rb + offset]" },
	{ "STB R1, [5]\n", "t.pxs:1:10: error: a memory operand starts with a base register: [rb + offset], found '5'" },
	{ "5 NOP\n", "t.pxs:1:1: error: expected a label, directive or instruction, found '5'" },
	{ "FOOBAR R1\n", "t.pxs:1:1: error: unknown mnemonic 'FOOBAR'" },
	/* labels and constants */
	{ "JMP nowhere\n", "t.pxs:1:5: error: unknown label 'nowhere'" },
	{ "loop: NOP\nJMP lop\n", "t.pxs:2:5: error: unknown label 'lop'; did you mean 'loop'?" },
	{ "f:\n.loop: NOP\nJMP .lop\n", "t.pxs:3:5: error: unknown label '.lop' (looked for 'f.lop'); did you mean 'f.loop'?" },
	{ ".word R9\n", "t.pxs:1:7: error: unknown label 'R9'; registers are R0..R7 and SP" },
	{ "a: NOP\n  a: NOP\n", "t.pxs:2:3: error: duplicate label 'a'" },
	{ "X = 1\nX: NOP\n", "t.pxs:2:1: error: 'X' is already defined (as a constant)" },
	{ "X: NOP\n.equ X, 2\n", "t.pxs:2:6: error: 'X' is already defined (as a label)" },
	{ "R1: NOP\n", "t.pxs:1:1: error: 'R1' is a register name and cannot be a label" },
	{ "sp = 4\n", "t.pxs:1:1: error: 'sp' is a register name and cannot be a constant" },
	{ "A = B\nB = A\n", "t.pxs:1:1: error: circular definition of 'A'" },
	{ "X =\n", "t.pxs:1:4: error: missing value for 'X'" },
	{ ".equ 5, 1\n", "t.pxs:1:6: error: expected a name after .equ (.equ name, value)" },
	{ ".equ X\n", "t.pxs:1:7: error: expected ',' after the name in .equ (.equ name, value)" },
	/* value ranges */
	{ "IMM8 R1, 256\n", "t.pxs:1:10: error: IMM8 value 256 is out of range (0..255)" },
	{ "IMM8 R1, -1\n", "t.pxs:1:10: error: IMM8 value -1 is out of range (0..255)" },
	{ "IMM16 R1, 65536\n", "t.pxs:1:11: error: IMM16 value 65536 is out of range (-32768..65535)" },
	{ "IMM16 R1, -32769\n", "t.pxs:1:11: error: IMM16 value -32769 is out of range (-32768..65535)" },
	{ "ADDI R1, R1, 1 << 16\n", "t.pxs:1:14: error: ADDI value 65536 is out of range (-32768..65535)" },
	{ "LDW R1, [R2 + 65536]\n", "t.pxs:1:13: error: LDW offset 65536 is out of range (-32768..65535)" },
	{ "STW R1, [R2 - 32769]\n", "t.pxs:1:13: error: STW offset -32769 is out of range (-32768..65535)" },
	{ "SYSCALL 65536\n", "t.pxs:1:9: error: SYSCALL value 65536 is out of range (0..65535)" },
	{ "SYSCALL -1\n", "t.pxs:1:9: error: SYSCALL value -1 is out of range (0..65535)" },
	{ "JMP 0x10000\n", "t.pxs:1:5: error: JMP target 0x10000 is out of range (0x0000..0xFFFF)" },
	{ "CALL -4\n", "t.pxs:1:6: error: CALL target -4 is out of range (0x0000..0xFFFF)" },
	{ "JZ R1, 0x202\n", "t.pxs:1:8: error: JZ target 0x0202 is not 4-aligned" },
	{ "x: BEQ R1, R2, x + 1\n", "t.pxs:1:16: error: BEQ target 0x0201 is not 4-aligned" },
	{ "LOAD R1, 0x401\n", "t.pxs:1:10: error: LOAD address 0x0401 is not 4-aligned (LOAD and STORE access whole words)" },
	{ "STORE 0x10000, R1\n", "t.pxs:1:7: error: STORE address 0x10000 is out of range (0x0000..0xFFFF)" },
	{ "IMM32 R1, 0x100000000\n", "t.pxs:1:11: error: IMM32 value 4294967296 is out of range (-2147483648..4294967295)" },
	{ "IMM32 R1, -2147483649\n", "t.pxs:1:11: error: IMM32 value -2147483649 is out of range (-2147483648..4294967295)" },
	{ ".byte 1, 256\n", "t.pxs:1:10: error: .byte value 256 is out of range (-128..255)" },
	{ ".byte -129\n", "t.pxs:1:7: error: .byte value -129 is out of range (-128..255)" },
	{ ".word 0x100000000\n", "t.pxs:1:7: error: .word value 4294967296 is out of range (-2147483648..4294967295)" },
	/* expressions */
	{ "IMM8 R1, (1 + 2\n", "t.pxs:1:16: error: expected ')' to close the '(' at column 10, found the end of the line" },
	{ "IMM8 R1, 1 +\n", "t.pxs:1:13: error: expected an expression, found the end of the line" },
	{ ".byte 1 +, 2\n", "t.pxs:1:10: error: expected an expression, found ','" },
	{ ".word 1 / 0\n", "t.pxs:1:9: error: division by zero in expression" },
	{ ".word 1 % (2 - 2)\n", "t.pxs:1:9: error: division by zero in expression" },
	{ ".word 1 << 64\n", "t.pxs:1:9: error: shift count 64 is out of range (0..63)" },
	{ ".word 1 2\n", "t.pxs:1:9: error: unexpected '2' after value 1 of .word" },
	{ "IMM8 R1, 5 6\n", "t.pxs:1:12: error: unexpected '6' after operand 2 of IMM8" },
	{ ".byte 1,\n", "t.pxs:1:9: error: missing value in .byte list" },
	/* lexical */
	{ ".string \"abc\n", "t.pxs:1:9: error: unterminated string (missing closing \")" },
	{ ".ascii \"a\\qb\"\n", "t.pxs:1:10: error: bad escape '\\q'; the escapes are \\n \\t \\r \\0 \\\\ \\\" \\' \\xHH" },
	{ ".byte '\\x4'\n", "t.pxs:1:8: error: bad escape: \\x needs two hex digits (\\xHH)" },
	{ ".byte 'ab'\n", "t.pxs:1:7: error: a character literal holds one character (use .ascii for more)" },
	{ ".byte ''\n", "t.pxs:1:7: error: empty character literal" },
	{ ".byte 'a\n", "t.pxs:1:7: error: unterminated character literal (missing closing ')" },
	{ ".byte '\\\n", "t.pxs:1:8: error: bad escape '\\' at the end of the line" },
	{ ".string \"ab\\\n", "t.pxs:1:12: error: bad escape '\\' at the end of the line" },
	/* lexical errors on the lines the source phase reads: .include, .macro, a call */
	{ ".include \"abc\n", "t.pxs:1:10: error: unterminated string (missing closing \")" },
	{ ".macro m \"\n.endm\n", "t.pxs:1:10: error: unterminated string (missing closing \")" },
	{ ".macro m x\n.endm\nm \"\n", "t.pxs:3:3: error: unterminated string (missing closing \")" },
	{ ".byte 0x\n", "t.pxs:1:7: error: bad number: '0x' prefix without digits" },
	{ ".byte 0b102\n", "t.pxs:1:11: error: bad digit '2' in binary number" },
	{ ".byte 12a\n", "t.pxs:1:9: error: bad digit 'a' in decimal number" },
	{ ".word 99999999999999999999\n", "t.pxs:1:7: error: number too large (limit 2^63-1)" },
	{ "NOP @\n", "t.pxs:1:5: error: unexpected character '@'" },
	{ ".word 1 < 2\n", "t.pxs:1:9: error: unexpected character '<' (shifts are << and >>)" },
	{ "NOP \\x\n", "t.pxs:1:5: error: stray '\\': macro parameters (\\name) are replaced only inside a .macro "
		       "body, and only for that macro's parameter names" },
	/* directives */
	{ ".foo 1\n", "t.pxs:1:1: error: unknown directive '.foo'" },
	{ "  .strng \"x\"\n", "t.pxs:1:3: error: unknown directive '.strng'; did you mean '.string'?" },
	{ ".org\n", "t.pxs:1:1: error: .org needs an operand" },
	{ ".byte\n", "t.pxs:1:1: error: .byte needs at least one value" },
	{ ".string 5\n", "t.pxs:1:9: error: expected a string in quotes after .string, found '5'" },
	{ ".string \"a\" \"b\"\n", "t.pxs:1:13: error: expected ',' between the strings of .string" },
	{ ".org 0x100\n", "t.pxs:1:6: error: .org 0x0100 goes backwards: the current address is already 0x0200" },
	{ "NOP\n.org 0x200\n", "t.pxs:2:6: error: .org 0x0200 goes backwards: the current address is already 0x0204" },
	{ ".org 0xF004\n", "t.pxs:1:6: error: .org 0xF004 is past the end of the image area (0xF000)" },
	{ ".align 3\n", "t.pxs:1:8: error: .align needs a power of two from 1 to 65536, got 3" },
	{ ".align 0\n", "t.pxs:1:8: error: .align needs a power of two from 1 to 65536, got 0" },
	{ ".zero -1\n", "t.pxs:1:7: error: .zero count -1 is out of range (0..60928)" },
	{ ".byte 1\nNOP\n", "t.pxs:2:1: error: instruction at unaligned address 0x0201: the data before it ends "
			    "unaligned; put .align 4 before this instruction" },
	{ ".zero 0xEE00\n.byte 1\n", "t.pxs:2:1: error: image larger than PXVM_IMAGE_MAX (0xEE00 bytes): this line "
				     "ends at 0xF001, past the end of the image area (0xF000)" },
	{ ".include foo\n", "t.pxs:1:10: error: expected a file name in quotes after .include" },
	{ ".include \"a\" x\n", "t.pxs:1:14: error: unexpected text after the .include file name" },
	{ "x: .include \"a\"\n", "t.pxs:1:1: error: a label cannot share a line with .include" },
	/* macros */
	{ ".macro m a\n.endm\nm\n", "t.pxs:3:1: error: macro 'm' takes 1 argument (a), got 0" },
	{ ".macro m a, b\n.endm\nm 1, 2, 3\n", "t.pxs:3:1: error: macro 'm' takes 2 arguments (a, b), got 3" },
	{ ".macro m\n.endm\nm 1, 2\n", "t.pxs:3:1: error: macro 'm' takes no arguments, got 2" },
	{ ".macro m a, b\n.endm\nm 1,\n", "t.pxs:3:5: error: macro argument 2 is empty" },
	{ ".macro m\nNOP\n", "t.pxs:1:8: error: macro 'm' has no .endm before the end of t.pxs" },
	{ ".endm\n", "t.pxs:1:1: error: .endm without a matching .macro" },
	{ ".macro m\n.macro n\n.endm\n",
	  "t.pxs:2:1: error: nested .macro definitions are not supported (close macro 'm' with .endm first)" },
	{ ".macro add\n.endm\n", "t.pxs:1:8: error: macro name 'add' is an instruction mnemonic" },
	{ ".macro m\n.endm\n.macro m\n.endm\n", "t.pxs:3:8: error: macro 'm' is already defined" },
	{ ".macro m a, a\n.endm\n", "t.pxs:1:13: error: duplicate macro parameter 'a'" },
	{ ".macro\n.endm\n", "t.pxs:1:7: error: expected a macro name after .macro" },
	{ ".macro r1\n.endm\n", "t.pxs:1:8: error: macro name 'r1' is a register name" },
	{ ".macro m 5\n.endm\n", "t.pxs:1:10: error: expected a parameter name in .macro" },
	{ ".macro m a.b\n.endm\n", "t.pxs:1:10: error: expected a parameter name in .macro" },
	{ ".macro m\n.endm x\n", "t.pxs:2:7: error: unexpected text after .endm" },
	{ "x: .macro m\n.endm\n", "t.pxs:1:1: error: a label cannot share a line with .macro" },
	{ ".macro r x\n r \\x\n.endm\n r 1\n",
	  "t.pxs:2:2: error: macro calls nested too deeply (limit 64): is macro 'r' recursive?" },
	{ ".macro m\n.endm\nm\n.endm x\n", "t.pxs:4:1: error: .endm without a matching .macro" },
};

static void test_error_messages(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof error_cases / sizeof error_cases[0]; i++)
		expect_error(error_cases[i].src, error_cases[i].want);
}

/* Errors with notes, and the printed form with the source line and caret. */
static void test_error_notes_and_caret(void **state)
{
	(void)state;
	struct pxasm_result r;
	char buf[256];
	assert_int_equal(assemble("a: NOP\n\ta: NOP\n", &r), -1);
	assert_int_equal(r.ndiags, 2);
	pxasm_format_diag(&r.diags[1], buf, sizeof buf);
	assert_string_equal(buf, "t.pxs:1:1: note: 'a' was first defined here");
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	pxasm_print_diags(f, &r);
	fclose(f);
	assert_string_equal(out, "t.pxs:2:2: error: duplicate label 'a'\n\ta: NOP\n\t^\n"
				 "t.pxs:1:1: note: 'a' was first defined here\na: NOP\n^\n");
	free(out);
	pxasm_result_free(&r);

	assert_int_equal(assemble(".macro m\n.endm\n.macro m\n.endm\n", &r), -1);
	pxasm_format_diag(&r.diags[1], buf, sizeof buf);
	assert_string_equal(buf, "t.pxs:1:8: note: first defined here");
	pxasm_result_free(&r);

	/* keeps going: several independent errors are all reported */
	assert_int_equal(assemble("IMM8 R1, 300\nFOO\nJMP nowhere\n.align 3\n", &r), -1);
	assert_int_equal(r.nerrors, 4);
	pxasm_result_free(&r);
}

/* ---- Listing ------------------------------------------------------------------------------------- */

static void test_listing(void **state)
{
	(void)state;
	struct pxasm_result r;
	const char *src = "_start: IMM8 R1, 5\n IMM32 R2, msg\n.macro h\n HALT\n.endm\n h\n"
			  "msg: .string \"hello!!\"\nK = 3\n";
	assert_int_equal(assemble(src, &r), 0);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_int_equal(pxasm_write_listing(f, &r), 0);
	fclose(f);
	static const char *const want[] = {
		"; pxasm listing: image 0x0200..0x0218 (24 bytes), entry 0x0200\n",
		"0200  00050110            t.pxs:1            _start: IMM8 R1, 5\n",
		"0204  00000211 00000210   t.pxs:2             IMM32 R2, msg\n",
		"                          t.pxs:3            .macro h\n",
		"020C  00000000            t.pxs:4+            HALT\n",
		"0210  68 65 6C 6C 6F 21   t.pxs:7            msg: .string \"hello!!\"\n",
		"0216  21 00\n",
		"0x00000003 3            constant  K                        t.pxs:8\n",
		"0x00000200 512          label     _start                   t.pxs:1\n",
		"0x00000210 528          label     msg                      t.pxs:7\n",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (!strstr(out, want[i]))
			fail_msg("listing lacks:\n%s\nlisting:\n%s", want[i], out);
	assert_int_equal(r.nlist, 9); /* 8 source lines and 1 expanded macro line */
	assert_int_equal(r.list[3].kind, PXASM_LIST_NONE); /* the macro body as defined */
	assert_int_equal(r.list[6].kind, PXASM_LIST_CODE); /* ... and as expanded */
	assert_int_equal(r.list[6].macro_depth, 1);
	assert_int_equal(r.list[6].line, 4);
	assert_int_equal(r.list[7].kind, PXASM_LIST_DATA);
	assert_int_equal(r.list[7].size, 8);
	assert_int_equal(r.list[7].labeled, 1);
	free(out);
	pxasm_result_free(&r);
}

/* ---- The command-line tool ------------------------------------------------------------------------ */

static char tool[PATH_MAX + 16];

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int cli_setup(void **state)
{
	(void)state;
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return -1;
	self[n] = '\0';
	*strrchr(self, '/') = '\0'; /* $BUILD/tests */
	*strrchr(self, '/') = '\0'; /* $BUILD */
	snprintf(tool, sizeof tool, "%s/tools/pxasm", self);
	return tooltest_tmpdir_make("pxasm");
}

static int cli_teardown(void **state)
{
	(void)state;
	return tooltest_tmpdir_remove();
}

/* The text in file `errfile` must contain `want`. */
static void expect_stderr(const char *errfile, const char *want)
{
	size_t len;
	char *msg = tooltest_slurp(errfile, &len);
	if (!strstr(msg, want))
		fail_msg("stderr:\n%s\nlacks:\n%s", msg, want);
	free(msg);
}

static void test_cli(void **state)
{
	(void)state;
	char src[PATH_MAX], out[PATH_MAX], lst[PATH_MAX], err[PATH_MAX], bin[PATH_MAX], bad[PATH_MAX];
	snprintf(src, sizeof src, "%s/prog.pxs", tooltest_tmpdir);
	snprintf(out, sizeof out, "%s/out.pxe", tooltest_tmpdir);
	snprintf(lst, sizeof lst, "%s/out.lst", tooltest_tmpdir);
	snprintf(err, sizeof err, "%s/err.txt", tooltest_tmpdir);
	snprintf(bin, sizeof bin, "%s/prog.bin", tooltest_tmpdir);
	snprintf(bad, sizeof bad, "%s/bad.pxs", tooltest_tmpdir);
	put_file(src, "NOP\n_start: IMM8 R1, 7\nHALT\n");

	const char *a1[] = { tool, "-o", out, "-l", lst, src, NULL };
	assert_int_equal(tooltest_run(a1, NULL, err), 0);
	size_t len;
	char *img = tooltest_slurp(out, &len);
	assert_non_null(img);
	static const uint8_t want[] = { 'P', 'X', 'E', '1', 1, 0, 0, 0, 0x04, 0x02, 0, 0, 12, 0, 0, 0,
					0x01, 0, 0, 0, 0x10, 0x01, 0x07, 0, 0, 0, 0, 0 };
	assert_int_equal(len, sizeof want);
	assert_memory_equal(img, want, sizeof want);
	free(img);
	char *listing = tooltest_slurp(lst, &len);
	assert_non_null(listing);
	assert_non_null(strstr(listing, "0204  00070110"));
	free(listing);

	const char *a2[] = { tool, "--raw", src, NULL }; /* default name: prog.bin */
	assert_int_equal(tooltest_run(a2, NULL, err), 0);
	img = tooltest_slurp(bin, &len);
	assert_non_null(img);
	assert_int_equal(len, 12);
	assert_memory_equal(img, want + 16, 12);
	free(img);

	/* errors: status 1, the diagnostic with source and caret, the old output kept */
	put_file(bad, "NOP\nJMP  nowhere\n");
	const char *a3[] = { tool, "-o", out, bad, NULL };
	assert_int_equal(tooltest_run(a3, NULL, err), 1);
	char *msg = tooltest_slurp(err, &len);
	char expect[PATH_MAX + 128];
	snprintf(expect, sizeof expect, "%s:2:6: error: unknown label 'nowhere'\nJMP  nowhere\n     ^\n", bad);
	if (!strstr(msg, expect))
		fail_msg("stderr:\n%s\nlacks:\n%s", msg, expect);
	assert_non_null(strstr(msg, "1 error; no output written"));
	free(msg);
	img = tooltest_slurp(out, &len);
	assert_int_equal(len, sizeof want);
	assert_memory_equal(img, want, sizeof want);
	free(img);
	char badout[PATH_MAX];
	snprintf(badout, sizeof badout, "%s/bad.pxe", tooltest_tmpdir);
	const char *a4[] = { tool, bad, NULL };
	assert_int_equal(tooltest_run(a4, NULL, err), 1);
	assert_int_equal(access(badout, F_OK), -1); /* no output file on error */

	/* command-line mistakes: status 2 and a message */
	const char *a5[] = { tool, NULL };
	assert_int_equal(tooltest_run(a5, NULL, err), 2);
	expect_stderr(err, "pxasm: no input file\n");
	const char *a6[] = { tool, "--bogus", src, NULL };
	assert_int_equal(tooltest_run(a6, NULL, err), 2);
	expect_stderr(err, "pxasm: unknown option '--bogus'\n");
	const char *a7[] = { tool, "-o", NULL };
	assert_int_equal(tooltest_run(a7, NULL, err), 2);
	expect_stderr(err, "pxasm: -o needs an argument\n");
	const char *a7b[] = { tool, src, bad, NULL };
	assert_int_equal(tooltest_run(a7b, NULL, err), 2);
	char two[2 * PATH_MAX + 64];
	snprintf(two, sizeof two, "pxasm: more than one input file ('%s' and '%s')\n", src, bad);
	expect_stderr(err, two);
	const char *a7c[] = { tool, "-o", src, src, NULL };
	assert_int_equal(tooltest_run(a7c, NULL, err), 2);
	expect_stderr(err, "pxasm: the input, output and listing files must differ\n");
	char nodir[PATH_MAX + 16];
	snprintf(nodir, sizeof nodir, "%s/no/such/dir/x.pxe", tooltest_tmpdir);
	const char *a7d[] = { tool, "-o", nodir, src, NULL };
	assert_int_equal(tooltest_run(a7d, NULL, err), 1);
	char cw[2 * PATH_MAX];
	snprintf(cw, sizeof cw, "pxasm: cannot write '%s': No such file or directory\n", nodir);
	expect_stderr(err, cw);
	const char *a7e[] = { tool, "/dev/zero", NULL };
	assert_int_equal(tooltest_run(a7e, NULL, err), 1);
	expect_stderr(err, "pxasm: cannot read '/dev/zero': not a regular file\n");
	char missing[PATH_MAX];
	snprintf(missing, sizeof missing, "%s/missing.pxs", tooltest_tmpdir);
	const char *a8[] = { tool, missing, NULL };
	assert_int_equal(tooltest_run(a8, NULL, err), 1);
	msg = tooltest_slurp(err, &len);
	assert_non_null(strstr(msg, "cannot read"));
	free(msg);
}

/* Real files: tests/unit/pxasm/prog.pxs includes inc/defs.pxs (relative) and
 * util.pxs (from -I tests/unit/pxasm/lib); the tool and the library agree. */
static void test_cli_include_files(void **state)
{
	(void)state;
	const char *dir = getenv("PXASM_TEST_DIR") ? getenv("PXASM_TEST_DIR") : "tests/unit/pxasm";
	char src[PATH_MAX], lib[PATH_MAX], out[PATH_MAX], err[PATH_MAX];
	snprintf(src, sizeof src, "%s/prog.pxs", dir);
	snprintf(lib, sizeof lib, "%s/lib", dir);
	snprintf(out, sizeof out, "%s/prog.pxe", tooltest_tmpdir);
	snprintf(err, sizeof err, "%s/err.txt", tooltest_tmpdir);
	struct stat sb;
	if (stat(src, &sb) != 0)
		fail_msg("%s not found: run from the repository root or set PXASM_TEST_DIR", src);
	const char *argv[] = { tool, "-I", lib, "-o", out, src, NULL };
	assert_int_equal(tooltest_run(argv, NULL, err), 0);

	size_t len, slen;
	char *text = tooltest_slurp(src, &slen);
	const char *dirs[] = { lib };
	struct pxasm_options opt = { dirs, 1, NULL, NULL, 0 };
	struct pxasm_result r;
	if (pxasm_assemble(src, text, slen, &opt, &r) != 0)
		fail_diags("prog.pxs", text, &r);
	char *img = tooltest_slurp(out, &len);
	assert_int_equal(len, 16 + r.image_size);
	assert_memory_equal(img + 16, r.image, r.image_size);
	/* spot checks: the constants from inc/defs.pxs and the macro from lib/util.pxs */
	assert_int_equal(word_at(&r, 0), PXVM_ENCODE(PXVM_OP_IMM8, 1, 0, 42));
	assert_int_equal(word_at(&r, 1), PXVM_ENCODE(PXVM_OP_MOV, 3, 1, 0));
	assert_int_equal(word_at(&r, 2), PXVM_ENCODE(PXVM_OP_MOV, 1, 3, 0));
	assert_int_equal(word_at(&r, 3), PXVM_ENCODE(PXVM_OP_SYSCALL, 0, 0, PXVM_SYS_EXIT));
	assert_int_equal(r.entry, PXVM_IMAGE_BASE);
	free(img);
	free(text);
	pxasm_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_opcode_encoding),
		cmocka_unit_test(test_every_opcode_operand_count),
		cmocka_unit_test(test_registers),
		cmocka_unit_test(test_directive_byte_word),
		cmocka_unit_test(test_directive_string_ascii),
		cmocka_unit_test(test_directive_zero_org_align),
		cmocka_unit_test(test_directive_equ),
		cmocka_unit_test(test_directive_entry),
		cmocka_unit_test(test_entry_errors),
		cmocka_unit_test(test_pxe_header),
		cmocka_unit_test(test_expressions),
		cmocka_unit_test(test_forward_references),
		cmocka_unit_test(test_local_labels),
		cmocka_unit_test(test_macros),
		cmocka_unit_test(test_macro_listing_and_notes),
		cmocka_unit_test(test_includes),
		cmocka_unit_test(test_include_cycles),
		cmocka_unit_test(test_include_limits),
		cmocka_unit_test(test_include_not_regular),
		cmocka_unit_test(test_error_limit),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_error_messages),
		cmocka_unit_test(test_error_notes_and_caret),
		cmocka_unit_test(test_listing),
		cmocka_unit_test(test_cli),
		cmocka_unit_test(test_cli_include_files),
	};
	return cmocka_run_group_tests_name("pxasm", tests, cli_setup, cli_teardown);
}
