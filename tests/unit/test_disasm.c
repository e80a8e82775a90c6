/*
 * test_disasm.c — pxvm_disasm (pxvm/disasm.h): exact output for known words,
 * invalid words as `.word`, and the round trip encode -> pxvm_disasm -> pxasm
 * -> the same word(s) for every opcode of PXVM_OPCODES over a spread of
 * operand values (new opcodes are covered without touching this file).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pxvm/abi.h"
#include "pxvm/disasm.h"
#include "pxvm/isa.h"
#include "tools/pxasm/pxasm.h"

static const char *dis(uint32_t w, uint32_t next, int *words)
{
	static char buf[PXVM_DISASM_MAX];
	memset(buf, 'X', sizeof buf);
	int n = pxvm_disasm(w, next, 0x0200, buf, sizeof buf);
	if (words)
		*words = n;
	assert_non_null(memchr(buf, 0, sizeof buf));
	return buf;
}

static void expect_dis(uint32_t w, uint32_t next, const char *text, int words)
{
	int n;
	const char *got = dis(w, next, &n);
	if (strcmp(got, text) != 0)
		fail_msg("word 0x%08X: got \"%s\", expected \"%s\"", (unsigned)w, got, text);
	assert_int_equal(n, words);
}

static void test_known_words(void **state)
{
	(void)state;
	expect_dis(PXVM_ENCODE(PXVM_OP_HALT, 0, 0, 0), 0, "HALT", 1);
	expect_dis(PXVM_ENCODE(PXVM_OP_MOV, 1, 2, 0), 0, "MOV R1, R2", 1);
	expect_dis(PXVM_ENCODE(PXVM_OP_ADD, 0, 1, 7), 0, "ADD R0, R1, SP", 1);
	expect_dis(PXVM_ENCODE(PXVM_OP_IMM8, 1, 0, 255), 0, "IMM8 R1, 255", 1);
	expect_dis(PXVM_ENCODE(PXVM_OP_IMM16, 2, 0, 0xFFFF), 0, "IMM16 R2, -1", 1);
	expect_dis(PXVM_ENCODE(PXVM_OP_IMM16, 2, 0, 0x7FFF), 0, "IMM16 R2, 32767", 1);
	expect_dis(PXVM_ENCODE(PXVM_OP_IMM32, 3, 0, 0), 0xDEADBEEF, "IMM32 R3, 0xDEADBEEF", 2);
	expect_dis(PXVM_ENCODE(PXVM_OP_IMM32, 3, 0, 0), 0, "IMM32 R3, 0x0", 2);
	expect_dis(PXVM_ENCODE(PXVM_OP_JZ, 1, 0, 0x0240), 0, "JZ R1, 0x0240", 1);
	expect_dis(PXVM_ENCODE(PXVM_OP_JMP, 0, 0, 0xFFFC), 0, "JMP 0xFFFC", 1);
	expect_dis(PXVM_ENCODE(PXVM_OP_STORE, 1, 0, 0x0400), 0, "STORE 0x0400, R1", 1);
	expect_dis(PXVM_ENCODE(PXVM_OP_LOAD, 6, 0, 0xF00C), 0, "LOAD R6, 0xF00C", 1);
	expect_dis(PXVM_ENCODE(PXVM_OP_LDW, 1, 7, 8), 0, "LDW R1, [SP + 8]", 1);
	expect_dis(PXVM_ENCODE(PXVM_OP_STB, 1, 2, 0xFFFC), 0, "STB R1, [R2 - 4]", 1);
	expect_dis(PXVM_ENCODE(PXVM_OP_LDB, 1, 2, 0), 0, "LDB R1, [R2]", 1);
	expect_dis(PXVM_ENCODE(PXVM_OP_ADDI, 7, 7, 0xFFFC), 0, "ADDI SP, SP, -4", 1);
	expect_dis(PXVM_ENCODE(PXVM_OP_BLTU, 1, 2, 0x0300), 0, "BLTU R1, R2, 0x0300", 1);
	expect_dis(PXVM_ENCODE(PXVM_OP_SYSCALL, 0, 0, PXVM_SYS_PRINT), 0, "SYSCALL 1 ; PRINT", 1);
	expect_dis(PXVM_ENCODE(PXVM_OP_SYSCALL, 0, 0, 999), 0, "SYSCALL 999", 1);
	expect_dis(PXVM_ENCODE(PXVM_OP_PUSH, 5, 0, 0), 0, "PUSH R5", 1);
}

static void test_invalid_words(void **state)
{
	(void)state;
	char want[64];
	for (uint32_t op = 0; op < 256; op++) {
		const struct pxvm_opinfo *oi = pxvm_opinfo(op);
		if (!oi->name) { /* unassigned opcode */
			uint32_t w = op | 0x12340000u;
			snprintf(want, sizeof want, ".word 0x%08X", (unsigned)w);
			expect_dis(w, 0, want, 1);
			continue;
		}
		for (int bit = 8; bit < 32; bit++) { /* every must-be-zero bit alone */
			uint32_t w = op | (1u << bit);
			if (!(oi->zero_mask & (1u << bit)))
				continue;
			snprintf(want, sizeof want, ".word 0x%08X", (unsigned)w);
			expect_dis(w, 0xFFFFFFFFu, want, 1);
		}
	}
	/* a valid encoding pxasm refuses: unaligned jump target / word address */
	expect_dis(PXVM_ENCODE(PXVM_OP_JZ, 1, 0, 0x0241), 0,
		   ".word 0x02410141 ; JZ R1, 0x0241 (target not 4-aligned)", 1);
	expect_dis(PXVM_ENCODE(PXVM_OP_LOAD, 2, 0, 0x0402), 0,
		   ".word 0x04020250 ; LOAD R2, 0x0402 (address not 4-aligned)", 1);
}

static void test_small_buffers(void **state)
{
	(void)state;
	char buf[8];
	uint32_t w = PXVM_ENCODE(PXVM_OP_IMM32, 3, 0, 0);
	memset(buf, 'X', sizeof buf);
	assert_int_equal(pxvm_disasm(w, 0x12345678u, 0x200, buf, 6), 2);
	assert_string_equal(buf, "IMM32");
	assert_int_equal(buf[6], 'X');
	assert_int_equal(pxvm_disasm(w, 0, 0x200, NULL, 0), 2);
	assert_int_equal(pxvm_disasm(w, 0, 0x200, buf, 0), 2);
	assert_int_equal(buf[0], 'I'); /* cap 0: untouched */
	assert_int_equal(pxvm_disasm(w, 0, 0x200, buf, 1), 2);
	assert_int_equal(buf[0], '\0');
}

/* No output is longer than PXVM_DISASM_MAX - 1, over every opcode byte with
 * extreme field values (valid and invalid). */
static void test_max_length(void **state)
{
	(void)state;
	static const uint32_t fields[] = { 0, 0x7777u, 0x7FFFu, 0x8000u, 0xFFFFu, 0xFFFDu, 0x8001u, 0x3u };
	size_t longest = 0;
	for (uint32_t op = 0; op < 256; op++)
		for (size_t hi = 0; hi < sizeof fields / 4; hi++)
			for (uint32_t regs = 0; regs < 256; regs += 0x11) {
				char buf[256];
				uint32_t w = op | regs << 8 | fields[hi] << 16;
				pxvm_disasm(w, 0xFFFFFFFFu, 0, buf, sizeof buf);
				if (strlen(buf) > longest)
					longest = strlen(buf);
			}
	assert_true(longest < PXVM_DISASM_MAX);
	assert_true(longest < 64); /* pxvm/sched.c reports faults with a 64-byte buffer */
}

/* The brief's operand rules, as derived from the table (pxvm_disasm_imm_kind). */
static void test_imm_kinds(void **state)
{
	(void)state;
	static const struct { uint32_t op; enum pxvm_imm_kind k; } cases[] = {
		{ PXVM_OP_JMP, PXVM_IMM_TARGET }, { PXVM_OP_JZ, PXVM_IMM_TARGET },
		{ PXVM_OP_JNZ, PXVM_IMM_TARGET }, { PXVM_OP_CALL, PXVM_IMM_TARGET },
		{ PXVM_OP_BEQ, PXVM_IMM_TARGET }, { PXVM_OP_BNE, PXVM_IMM_TARGET },
		{ PXVM_OP_BLT, PXVM_IMM_TARGET }, { PXVM_OP_BGE, PXVM_IMM_TARGET },
		{ PXVM_OP_BLTU, PXVM_IMM_TARGET }, { PXVM_OP_BGEU, PXVM_IMM_TARGET },
		{ PXVM_OP_LOAD, PXVM_IMM_ADDR }, { PXVM_OP_STORE, PXVM_IMM_ADDR },
		{ PXVM_OP_IMM16, PXVM_IMM_S16 }, { PXVM_OP_ADDI, PXVM_IMM_S16 },
		{ PXVM_OP_LDW, PXVM_IMM_OFFSET }, { PXVM_OP_STW, PXVM_IMM_OFFSET },
		{ PXVM_OP_LDB, PXVM_IMM_OFFSET }, { PXVM_OP_STB, PXVM_IMM_OFFSET },
		{ PXVM_OP_SYSCALL, PXVM_IMM_U16 }, { PXVM_OP_IMM8, PXVM_IMM_U8 },
		{ PXVM_OP_IMM32, PXVM_IMM_W32 }, { PXVM_OP_ADD, PXVM_IMM_NONE },
		{ PXVM_OP_HALT, PXVM_IMM_NONE }, { PXVM_OP_JR, PXVM_IMM_NONE },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (pxvm_disasm_imm_kind(cases[i].op) != cases[i].k)
			fail_msg("%s: imm kind %d, expected %d", pxvm_opinfo(cases[i].op)->name,
				 (int)pxvm_disasm_imm_kind(cases[i].op), (int)cases[i].k);
	}
	assert_int_equal(pxvm_disasm_imm_kind(0xFF), PXVM_IMM_NONE); /* unassigned */
}

/* ---- Round trip --------------------------------------------------------------- */

/* Immediate values to try for each class (raw field values). */
static size_t imm_values(enum pxvm_imm_kind k, uint32_t *v)
{
	static const uint32_t u8[] = { 0, 1, 9, 10, 127, 128, 255 };
	static const uint32_t s16[] = { 0, 1, 0x7FFF, 0x8000, 0x8001, 0xFFFF, 0x1234, 0xFFFE };
	static const uint32_t u16[] = { 0, 1, 7, 0x8000, 0xFFFF, 0x1234 };
	static const uint32_t tgt[] = { 0, 4, 0x0200, 0x7FFC, 0x8000, 0xFFFC, 0xF000 };
	static const uint32_t w32[] = { 0, 1, 0x7FFFFFFF, 0x80000000u, 0xFFFFFFFFu, 0xDEADBEEFu, 0x200 };
	const uint32_t *src = NULL;
	size_t n = 0;
	switch (k) {
	case PXVM_IMM_U8: src = u8, n = sizeof u8 / 4; break;
	case PXVM_IMM_S16:
	case PXVM_IMM_OFFSET: src = s16, n = sizeof s16 / 4; break;
	case PXVM_IMM_U16: src = u16, n = sizeof u16 / 4; break;
	case PXVM_IMM_TARGET:
	case PXVM_IMM_ADDR: src = tgt, n = sizeof tgt / 4; break;
	case PXVM_IMM_W32: src = w32, n = sizeof w32 / 4; break;
	case PXVM_IMM_NONE: v[0] = 0; return 1;
	}
	memcpy(v, src, n * 4);
	return n;
}

static const uint8_t regsets[][3] = {
	{ 0, 0, 0 }, { 1, 2, 3 }, { 7, 6, 5 }, { 4, 7, 0 }, { 2, 5, 7 }, { 7, 7, 7 },
};

/* pxvm_opcode_by_name: every mnemonic finds its opcode, in any case; a name
 * that is no mnemonic, a prefix or an extension of one, is -PXE_ENOENT. */
static void test_opcode_by_name(void **state)
{
	(void)state;
	unsigned found = 0;
	for (uint32_t op = 0; op < 256; op++) {
		const char *name = pxvm_opinfo(op)->name;
		if (!name)
			continue;
		char lower[32];
		size_t n = strlen(name);
		assert_true(n < sizeof lower);
		for (size_t i = 0; i <= n; i++)
			lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
		assert_int_equal(pxvm_opcode_by_name(name, (unsigned)n), (int)op);
		assert_int_equal(pxvm_opcode_by_name(lower, (unsigned)n), (int)op);
		found++;
	}
	assert_true(found > 13); /* at least the design notes' opcodes */
	assert_int_equal(pxvm_opcode_by_name("ADD", 3), 0x30);
	assert_int_equal(pxvm_opcode_by_name("HALT", 4), 0x00);
	assert_int_equal(pxvm_opcode_by_name("ADDX", 4), -PXE_ENOENT);
	assert_int_equal(pxvm_opcode_by_name("ADD", 2), -PXE_ENOENT);
	assert_int_equal(pxvm_opcode_by_name("", 0), -PXE_ENOENT);
}

static void test_round_trip_every_opcode(void **state)
{
	(void)state;
	size_t total = 0;
	for (uint32_t op = 0; op < 256; op++) {
		const struct pxvm_opinfo *oi = pxvm_opinfo(op);
		if (!oi->name)
			continue;
		enum pxvm_imm_kind k = pxvm_disasm_imm_kind(op);
		uint32_t imms[16];
		size_t nimm = imm_values(k, imms);
		uint32_t expect[256];
		size_t nw = 0;
		char src[16384];
		size_t sl = 0;
		for (size_t r = 0; r < sizeof regsets / sizeof regsets[0]; r++)
			for (size_t v = 0; v < nimm; v++) {
				uint32_t w = op, next = 0;
				for (const char *c = oi->syntax; *c; c++) {
					if (*c == 'a') w |= (uint32_t)regsets[r][0] << 8;
					if (*c == 'b') w |= (uint32_t)regsets[r][1] << 12;
					if (*c == 'c') w |= (uint32_t)regsets[r][2] << 16;
				}
				if (k == PXVM_IMM_W32)
					next = imms[v];
				else if (k != PXVM_IMM_NONE)
					w |= imms[v] << 16;
				assert_int_equal(w & oi->zero_mask, 0); /* the table is consistent */
				char line[PXVM_DISASM_MAX];
				int n = pxvm_disasm(w, next, 0x200, line, sizeof line);
				assert_int_equal(n, oi->words);
				assert_string_not_equal(line, "");
				expect[nw++] = w;
				if (n == 2)
					expect[nw++] = next;
				sl += (size_t)snprintf(src + sl, sizeof src - sl, "%s\n", line);
				assert_true(sl < sizeof src);
			}
		struct pxasm_result res;
		int rc = pxasm_assemble("rt.pxs", src, sl, NULL, &res);
		if (rc != 0) {
			char msg[256];
			pxasm_format_diag(&res.diags[0], msg, sizeof msg);
			fail_msg("%s: disassembly does not assemble: %s", oi->name, msg);
		}
		assert_int_equal(res.image_size, nw * 4);
		for (size_t i = 0; i < nw; i++) {
			const uint8_t *p = res.image + 4 * i;
			uint32_t got = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
			if (got != expect[i])
				fail_msg("%s: word %zu is 0x%08X after the round trip, expected 0x%08X", oi->name, i,
					 (unsigned)got, (unsigned)expect[i]);
		}
		total += nw;
		pxasm_result_free(&res);
	}
	assert_true(total > 500);
}

/* Invalid words round-trip too: `.word 0x...` (with or without a comment). */
static void test_round_trip_invalid(void **state)
{
	(void)state;
	static const uint32_t words[] = {
		0x000000FFu, 0x12345603u, 0x00000800u, 0xFFFFFF30u, 0x00000810u,
		0x02410141u /* JZ unaligned */, 0x04020250u /* LOAD unaligned */, 0x00008040u,
	};
	char src[1024];
	size_t sl = 0;
	for (size_t i = 0; i < sizeof words / 4; i++) {
		char line[PXVM_DISASM_MAX];
		assert_int_equal(pxvm_disasm(words[i], 0, 0x200, line, sizeof line), 1);
		assert_memory_equal(line, ".word 0x", 8);
		sl += (size_t)snprintf(src + sl, sizeof src - sl, "%s\n", line);
	}
	struct pxasm_result res;
	assert_int_equal(pxasm_assemble("inv.pxs", src, sl, NULL, &res), 0);
	assert_int_equal(res.image_size, sizeof words);
	for (size_t i = 0; i < sizeof words / 4; i++) {
		const uint8_t *p = res.image + 4 * i;
		uint32_t got = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		assert_int_equal(got, words[i]);
	}
	pxasm_result_free(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_words),
		cmocka_unit_test(test_invalid_words),
		cmocka_unit_test(test_small_buffers),
		cmocka_unit_test(test_max_length),
		cmocka_unit_test(test_imm_kinds),
		cmocka_unit_test(test_opcode_by_name),
		cmocka_unit_test(test_round_trip_every_opcode),
		cmocka_unit_test(test_round_trip_invalid),
	};
	return cmocka_run_group_tests_name("disasm", tests, NULL, NULL);
}
