/*
 * test_vm.c — the pxVM interpreter, opcode by opcode and fault by fault.
 *
 * Programs are encoded directly with PXVM_ENCODE so this test depends on
 * nothing but the interpreter (the assembler has its own tests).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "pxvm/vm.h"

#define E(op, ra, rb, imm) PXVM_ENCODE(PXVM_OP_##op, ra, rb, (imm) & 0xFFFF)
#define E3(op, ra, rb, rc) PXVM_ENCODE(PXVM_OP_##op, ra, rb, rc)
#define HALT E(HALT, 0, 0, 0)

static struct pxvm vm;
static uint32_t *mem;

static int setup(void **state)
{
	(void)state;
	mem = malloc(PXVM_MEM_ALLOC_WORDS * 4);
	pxvm_init(&vm, mem);
	return mem ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(mem);
	return 0;
}

/* Put `n` words at PXVM_IMAGE_BASE and run until stop. */
static enum pxvm_run_result run_words(const uint32_t *w, size_t n, uint64_t budget)
{
	memcpy((uint8_t *)mem + PXVM_IMAGE_BASE, w, n * 4);
	vm.pc = PXVM_IMAGE_BASE;
	return pxvm_run(&vm, budget);
}
#define RUN(...) run_words((const uint32_t[]){ __VA_ARGS__ }, sizeof((const uint32_t[]){ __VA_ARGS__ }) / 4, 1000)

static void test_init_state(void **state)
{
	(void)state;
	assert_int_equal(vm.r[PXVM_SP], PXVM_STACK_TOP);
	assert_int_equal(vm.pc, PXVM_IMAGE_BASE);
	for (int i = 0; i < 7; i++)
		assert_int_equal(vm.r[i], 0);
	assert_int_equal(mem[PXVM_MEM_WORDS], 0xFFFFFFFFu);
	assert_int_equal(vm.dirty[0], ~0ull);
}

static void test_halt_nop(void **state)
{
	(void)state;
	assert_int_equal(RUN(E(NOP, 0, 0, 0), E(NOP, 0, 0, 0), HALT), PXVM_RUN_HALT);
	assert_int_equal(vm.steps, 3);
	assert_int_equal(vm.fault, PXVM_FAULT_NONE);
}

static void test_immediates(void **state)
{
	(void)state;
	assert_int_equal(RUN(E(IMM8, 1, 0, 0xFE), E(IMM16, 2, 0, -2), E(IMM16, 3, 0, 0x7FFF),
	                     E(IMM32, 4, 0, 0), 0xDEADBEEF, E(MOV, 5, 4, 0), HALT),
	                 PXVM_RUN_HALT);
	assert_int_equal(vm.r[1], 0xFE);
	assert_int_equal(vm.r[2], 0xFFFFFFFEu);
	assert_int_equal(vm.r[3], 0x7FFF);
	assert_int_equal(vm.r[4], 0xDEADBEEFu);
	assert_int_equal(vm.r[5], 0xDEADBEEFu);
	assert_int_equal(vm.steps, 6); /* IMM32 is one instruction of two words */
}

struct alu_case {
	uint32_t op, b, c, want;
};

static void test_alu(void **state)
{
	(void)state;
	static const struct alu_case cases[] = {
		{ PXVM_OP_ADD, 0xFFFFFFFFu, 2, 1 },
		{ PXVM_OP_SUB, 1, 2, 0xFFFFFFFFu },
		{ PXVM_OP_MUL, 0x10000u, 0x10001u, 0x10000u },
		{ PXVM_OP_DIVU, 0xFFFFFFFFu, 2, 0x7FFFFFFFu },
		{ PXVM_OP_MODU, 17, 5, 2 },
		{ PXVM_OP_DIV, (uint32_t)-7, 2, (uint32_t)-3 },
		{ PXVM_OP_DIV, 0x80000000u, 0xFFFFFFFFu, 0x80000000u },
		{ PXVM_OP_MOD, (uint32_t)-7, 2, (uint32_t)-1 },
		{ PXVM_OP_MOD, 7, (uint32_t)-2, 1 },
		{ PXVM_OP_MOD, 0x80000000u, 0xFFFFFFFFu, 0 },
		{ PXVM_OP_AND, 0xF0F0, 0xFF00, 0xF000 },
		{ PXVM_OP_OR, 0xF0F0, 0x0F00, 0xFFF0 },
		{ PXVM_OP_XOR, 0xFF, 0x0F, 0xF0 },
		{ PXVM_OP_SHL, 1, 33, 2 },            /* shift counts use their low 5 bits */
		{ PXVM_OP_SHR, 0x80000000u, 31, 1 },
		{ PXVM_OP_SAR, 0x80000000u, 31, 0xFFFFFFFFu },
		{ PXVM_OP_CMP, 5, 5, 1 },
		{ PXVM_OP_CMP, 5, 6, 0 },
		{ PXVM_OP_SLT, (uint32_t)-1, 0, 1 },
		{ PXVM_OP_SLTU, (uint32_t)-1, 0, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pxvm_init(&vm, mem);
		vm.r[1] = cases[i].b;
		vm.r[2] = cases[i].c;
		uint32_t prog[] = { PXVM_ENCODE(cases[i].op, 3, 1, 2), HALT };
		assert_int_equal(run_words(prog, 2, 10), PXVM_RUN_HALT);
		if (vm.r[3] != cases[i].want)
			fail_msg("case %zu: %s 0x%x, 0x%x gave 0x%x, want 0x%x", i, pxvm_opinfo(cases[i].op)->name,
			         cases[i].b, cases[i].c, vm.r[3], cases[i].want);
	}
}

static void test_unary_and_addi(void **state)
{
	(void)state;
	vm.r[1] = 5;
	assert_int_equal(RUN(E(NOT, 2, 1, 0), E(NEG, 3, 1, 0), E(ADDI, 4, 1, -6), E(ADDI, 5, 1, 0x7FFF), HALT),
	                 PXVM_RUN_HALT);
	assert_int_equal(vm.r[2], ~5u);
	assert_int_equal(vm.r[3], (uint32_t)-5);
	assert_int_equal(vm.r[4], (uint32_t)-1);
	assert_int_equal(vm.r[5], 5 + 0x7FFF);
}

static void test_branches(void **state)
{
	(void)state;
	/* Each taken branch skips an IMM8 R6, 1 that would mark failure. */
	vm.r[1] = 0;
	vm.r[2] = 7;
	vm.r[3] = (uint32_t)-1;
	uint32_t base = PXVM_IMAGE_BASE;
	uint32_t p[] = {
		E(JZ, 1, 0, base + 8), E(IMM8, 6, 0, 1),               /* 0x200: taken */
		E(JNZ, 2, 0, base + 16), E(IMM8, 6, 0, 1),             /* 0x208: taken */
		E(BEQ, 2, 2, base + 24), E(IMM8, 6, 0, 1),             /* 0x210 */
		E(BNE, 1, 2, base + 32), E(IMM8, 6, 0, 1),             /* 0x218 */
		E(BLT, 3, 1, base + 40), E(IMM8, 6, 0, 1),             /* 0x220: -1 < 0 signed */
		E(BGE, 2, 1, base + 48), E(IMM8, 6, 0, 1),             /* 0x228 */
		E(BLTU, 1, 3, base + 56), E(IMM8, 6, 0, 1),            /* 0x230: 0 < 0xFFFFFFFF */
		E(BGEU, 3, 2, base + 64), E(IMM8, 6, 0, 1),            /* 0x238 */
		E(JZ, 2, 0, base + 80), E(BLT, 1, 3, base + 80),       /* 0x240: both not taken */
		E(JMP, 0, 0, base + 84), E(IMM8, 6, 0, 1),             /* 0x248 */
		HALT, E(IMM8, 5, 0, 9), HALT,                          /* 0x250: JMP lands at 0x254 */
	};
	assert_int_equal(run_words(p, sizeof(p) / 4, 100), PXVM_RUN_HALT);
	assert_int_equal(vm.r[6], 0);
	assert_int_equal(vm.r[5], 9);
}

static void test_call_ret_push_pop(void **state)
{
	(void)state;
	uint32_t base = PXVM_IMAGE_BASE;
	uint32_t q[] = {
		E(IMM8, 1, 0, 11),        /* 0x200 */
		E(PUSH, 1, 0, 0),         /* 0x204 */
		E(CALL, 0, 0, base + 40), /* 0x208 → f at 0x228 */
		E(POP, 2, 0, 0),          /* 0x20C: R2 = 11 */
		E(IMM32, 3, 0, 0),        /* 0x210 */
		base + 48,                /* 0x214: g */
		E(CALLR, 3, 0, 0),        /* 0x218 → g at 0x230 */
		HALT,                     /* 0x21C */
		E(NOP, 0, 0, 0),          /* 0x220 */
		E(NOP, 0, 0, 0),          /* 0x224 */
		E(IMM8, 4, 0, 44),        /* 0x228: f */
		E(RET, 0, 0, 0),          /* 0x22C */
		E(POP, 5, 0, 0),          /* 0x230: g pops its own return address */
		E(JR, 5, 0, 0),           /* 0x234 */
	};
	assert_int_equal(run_words(q, sizeof(q) / 4, 100), PXVM_RUN_HALT);
	assert_int_equal(vm.r[2], 11);
	assert_int_equal(vm.r[4], 44);
	assert_int_equal(vm.r[5], base + 0x1C);
	assert_int_equal(vm.r[PXVM_SP], PXVM_STACK_TOP);
	assert_int_equal(vm.pc, base + 0x20); /* just past HALT */
}

static void test_memory(void **state)
{
	(void)state;
	vm.r[1] = 0x1000;
	vm.r[2] = 0xA1B2C3D4u;
	assert_int_equal(RUN(E(STW, 2, 1, 8), E(LDW, 3, 1, 8), E(LDB, 4, 1, 9), E(STB, 2, 1, -1),
	                     E(LDB, 5, 1, -1), E(STORE, 2, 0, 0x2000), E(LOAD, 6, 0, 0x2000), HALT),
	                 PXVM_RUN_HALT);
	assert_int_equal(mem[0x1008 / 4], 0xA1B2C3D4u);
	assert_int_equal(vm.r[3], 0xA1B2C3D4u);
	assert_int_equal(vm.r[4], 0xC3);      /* little-endian: byte 1 of the word */
	assert_int_equal(vm.r[5], 0xD4);
	assert_int_equal(((uint8_t *)mem)[0xFFF], 0xD4);
	assert_int_equal(vm.r[6], 0xA1B2C3D4u);
}

static void test_dirty_rows(void **state)
{
	(void)state;
	vm.dirty[0] = vm.dirty[1] = 0;
	vm.r[1] = 0xE000; /* row 0xE000 / 512 = 112 */
	assert_int_equal(RUN(E(STW, 1, 1, 0), E(STB, 1, 1, 0x200), E(PUSH, 1, 0, 0), HALT), PXVM_RUN_HALT);
	assert_true(vm.dirty[1] & (1ull << (112 - 64)));
	assert_true(vm.dirty[1] & (1ull << (113 - 64)));
	assert_true(vm.dirty[1] & (1ull << ((0xEFFC / 512) - 64))); /* the stack row */
	assert_int_equal(vm.dirty[0], 0);
}

static int hook_calls;
static uint32_t hook_number;
static int hook(struct pxvm *v, uint32_t number)
{
	hook_calls++;
	hook_number = number;
	v->r[0] = v->r[1] * 2;
	return number == 99;
}

static void test_syscall(void **state)
{
	(void)state;
	assert_int_equal(RUN(E(SYSCALL, 0, 0, 7), HALT), PXVM_RUN_HALT);
	assert_int_equal(vm.r[0], (uint32_t)-PXE_ENOSYS); /* no hook: ENOSYS */
	pxvm_init(&vm, mem);
	vm.syscall = hook;
	vm.r[1] = 21;
	assert_int_equal(RUN(E(SYSCALL, 0, 0, 5), E(SYSCALL, 0, 0, 99), HALT), PXVM_RUN_SYSCALL);
	assert_int_equal(hook_calls, 2);
	assert_int_equal(hook_number, 99);
	assert_int_equal(vm.r[0], 42);
	assert_int_equal(vm.pc, PXVM_IMAGE_BASE + 8);
	assert_int_equal(vm.steps, 2);
	assert_int_equal(pxvm_run(&vm, 10), PXVM_RUN_HALT); /* resumes after the syscall */
	assert_int_equal(vm.steps, 3);
}

static void test_budget(void **state)
{
	(void)state;
	uint32_t loop[] = { E(ADDI, 1, 1, 1), E(JMP, 0, 0, PXVM_IMAGE_BASE) };
	assert_int_equal(run_words(loop, 2, 1001), PXVM_RUN_BUDGET);
	assert_int_equal(vm.steps, 1001);
	assert_int_equal(vm.r[1], 501);
	assert_int_equal(pxvm_run(&vm, 1), PXVM_RUN_BUDGET);
	assert_int_equal(vm.steps, 1002);
}

struct fault_case {
	const char *what;
	uint32_t words[4];
	uint32_t r1;
	enum pxvm_fault fault;
	uint32_t pc, addr;
};

static void test_faults(void **state)
{
	(void)state;
	const uint32_t B = PXVM_IMAGE_BASE;
	const struct fault_case cases[] = {
		{ "unknown opcode", { 0x000000EEu }, 0, PXVM_FAULT_OPCODE, B, B },
		{ "reserved bits", { E(NOP, 1, 0, 0) }, 0, PXVM_FAULT_ENCODING, B, B },
		{ "register 8", { E3(ADD, 8, 1, 1) }, 0, PXVM_FAULT_ENCODING, B, B },
		{ "rc above 7", { E3(ADD, 1, 1, 9) }, 0, PXVM_FAULT_ENCODING, B, B },
		{ "load past the end", { E(LDW, 2, 1, 0) }, 0xFFFE, PXVM_FAULT_MEM_RANGE, B, 0xFFFE },
		{ "negative address", { E(LDW, 2, 1, -4) }, 0, PXVM_FAULT_MEM_RANGE, B, 0xFFFFFFFCu },
		{ "byte store outside", { E(STB, 2, 1, 0) }, 0x10000, PXVM_FAULT_MEM_RANGE, B, 0x10000 },
		{ "unaligned word", { E(STW, 2, 1, 2) }, 0x1000, PXVM_FAULT_UNALIGNED, B, 0x1002 },
		{ "unaligned LOAD", { E(LOAD, 2, 0, 0x1001) }, 0, PXVM_FAULT_UNALIGNED, B, 0x1001 },
		{ "DIVU by zero", { E3(DIVU, 2, 1, 3) }, 0, PXVM_FAULT_DIV_ZERO, B, B },
		{ "MODU by zero", { E3(MODU, 2, 1, 3) }, 0, PXVM_FAULT_DIV_ZERO, B, B },
		{ "DIV by zero", { E3(DIV, 2, 1, 3) }, 0, PXVM_FAULT_DIV_ZERO, B, B },
		{ "MOD by zero", { E3(MOD, 2, 1, 3) }, 0, PXVM_FAULT_DIV_ZERO, B, B },
		{ "jump out of memory", { E(JR, 1, 0, 0) }, 0x12345678u, PXVM_FAULT_JUMP, B, 0x12345678u },
		{ "unaligned jump", { E(JMP, 0, 0, 0x0302) }, 0, PXVM_FAULT_JUMP, B, 0x0302 },
		{ "unaligned branch", { E(BEQ, 0, 0, 0x0301) }, 0, PXVM_FAULT_JUMP, B, 0x0301 },
		{ "CALLR outside", { E(CALLR, 1, 0, 0) }, 0x10000, PXVM_FAULT_JUMP, B, 0x10000 },
		{ "breakpoint", { E(BRK, 0, 0, 0) }, 0, PXVM_FAULT_BREAKPOINT, B, B },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fault_case *c = &cases[i];
		pxvm_init(&vm, mem);
		vm.r[1] = c->r1;
		assert_int_equal(run_words(c->words, 4, 10), PXVM_RUN_FAULT);
		if (vm.fault != (uint32_t)c->fault || vm.fault_pc != c->pc || vm.fault_addr != c->addr)
			fail_msg("%s: fault %u pc 0x%x addr 0x%x, want %u 0x%x 0x%x", c->what, vm.fault, vm.fault_pc,
			         vm.fault_addr, c->fault, c->pc, c->addr);
		assert_int_equal(vm.fault_word, c->words[0]);
		/* A faulted VM stays faulted and runs nothing more. */
		uint64_t steps = vm.steps;
		assert_int_equal(pxvm_run(&vm, 10), PXVM_RUN_FAULT);
		assert_int_equal(vm.steps, steps);
	}
}

static void test_stack_faults(void **state)
{
	(void)state;
	vm.r[PXVM_SP] = 0; /* PUSH would write at 0xFFFFFFFC */
	assert_int_equal(RUN(E(PUSH, 1, 0, 0)), PXVM_RUN_FAULT);
	assert_int_equal(vm.fault, PXVM_FAULT_MEM_RANGE);
	pxvm_init(&vm, mem);
	mem[(PXVM_STACK_TOP - 4) / 4] = 0x0BAD0000u; /* a corrupt return address */
	vm.r[PXVM_SP] = PXVM_STACK_TOP - 4;
	assert_int_equal(RUN(E(RET, 0, 0, 0)), PXVM_RUN_FAULT);
	assert_int_equal(vm.fault, PXVM_FAULT_JUMP);
	assert_int_equal(vm.fault_addr, 0x0BAD0000u);
}

static void test_run_off_the_end(void **state)
{
	(void)state;
	/* NOPs in the last two words: execution reaches the guard word. */
	mem[PXVM_MEM_WORDS - 2] = E(NOP, 0, 0, 0);
	mem[PXVM_MEM_WORDS - 1] = E(NOP, 0, 0, 0);
	vm.pc = PXVM_MEM_SIZE - 8;
	assert_int_equal(pxvm_run(&vm, 10), PXVM_RUN_FAULT);
	assert_int_equal(vm.fault, PXVM_FAULT_PC_END);
	/* IMM32 whose value word would be past the end. */
	pxvm_init(&vm, mem);
	mem[PXVM_MEM_WORDS - 1] = E(IMM32, 1, 0, 0);
	vm.pc = PXVM_MEM_SIZE - 4;
	assert_int_equal(pxvm_run(&vm, 10), PXVM_RUN_FAULT);
	assert_int_equal(vm.fault, PXVM_FAULT_MEM_RANGE);
}

/* Every opcode rejects each bit of its format's must-be-zero mask: generated
 * from the ISA table, so a new opcode is covered without touching this test. */
static void test_every_opcode_checks_reserved_bits(void **state)
{
	(void)state;
	for (uint32_t op = 0; op < 256; op++) {
		const struct pxvm_opinfo *info = pxvm_opinfo(op);
		if (!info->name)
			continue;
		for (int bit = 8; bit < 32; bit++) {
			if (!(info->zero_mask & (1u << bit)))
				continue;
			pxvm_init(&vm, mem);
			uint32_t w[2] = { op | (1u << bit), 0 };
			enum pxvm_run_result r = run_words(w, 2, 1);
			if (r != PXVM_RUN_FAULT || vm.fault != PXVM_FAULT_ENCODING)
				fail_msg("%s with bit %d set: result %d fault %u", info->name, bit, r, vm.fault);
		}
	}
}

/* Every byte that is not an opcode faults as an unknown opcode. */
static void test_every_unassigned_opcode_faults(void **state)
{
	(void)state;
	for (uint32_t op = 0; op < 256; op++) {
		if (pxvm_opinfo(op)->name)
			continue;
		pxvm_init(&vm, mem);
		uint32_t w = op;
		assert_int_equal(run_words(&w, 1, 1), PXVM_RUN_FAULT);
		assert_int_equal(vm.fault, PXVM_FAULT_OPCODE);
	}
}

static void put_header(uint8_t *f, uint32_t magic, uint16_t ver, uint32_t entry, uint32_t size)
{
	memcpy(f, &magic, 4);
	memcpy(f + 4, &ver, 2);
	memset(f + 6, 0, 2);
	memcpy(f + 8, &entry, 4);
	memcpy(f + 12, &size, 4);
}

static void test_load_pxe(void **state)
{
	(void)state;
	uint8_t f[16 + 8];
	const char *why;
	uint32_t code[2] = { E(IMM8, 1, 0, 3), HALT };
	memcpy(f + 16, code, 8);
	put_header(f, PXE_MAGIC, PXE_VERSION, PXVM_IMAGE_BASE + 4, 8);
	assert_int_equal(pxvm_load_pxe(&vm, f, sizeof(f), &why), 0);
	assert_int_equal(vm.pc, PXVM_IMAGE_BASE + 4); /* entry skips the IMM8 */
	assert_int_equal(pxvm_run(&vm, 10), PXVM_RUN_HALT);
	assert_int_equal(vm.r[1], 0);

	struct { uint32_t magic; uint16_t ver; uint32_t entry, size; size_t len; const char *why; } bad[] = {
		{ 0x12345678, 1, 0x200, 8, 24, "bad magic" },
		{ PXE_MAGIC, 2, 0x200, 8, 24, "version" },
		{ PXE_MAGIC, 1, 0x200, 12, 24, "disagrees" },
		{ PXE_MAGIC, 1, 0x208, 8, 24, "entry" },
		{ PXE_MAGIC, 1, 0x202, 8, 24, "entry" },
		{ PXE_MAGIC, 1, 0x100, 8, 24, "entry" },
		{ PXE_MAGIC, 1, 0x200, 0xF000, 24, "larger" },
		{ PXE_MAGIC, 1, 0x200, 8, 10, "shorter" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put_header(f, bad[i].magic, bad[i].ver, bad[i].entry, bad[i].size);
		assert_int_equal(pxvm_check_pxe(f, bad[i].len, &why), -PXE_ENOEXEC);
		if (!strstr(why, bad[i].why))
			fail_msg("case %zu: reason '%s' lacks '%s'", i, why, bad[i].why);
	}
}

static void test_guest_memory_helpers(void **state)
{
	(void)state;
	char buf[8];
	memcpy((uint8_t *)mem + 0x300, "hello", 6);
	assert_int_equal(pxvm_read_str(&vm, 0x300, buf, sizeof(buf)), 5);
	assert_string_equal(buf, "hello");
	assert_int_equal(pxvm_read_str(&vm, 0x300, buf, 4), -PXE_ENAMETOOLONG);
	((uint8_t *)mem)[0xFFFF] = 'x'; /* a string running off the end */
	assert_int_equal(pxvm_read_str(&vm, 0xFFFF, buf, sizeof(buf)), -PXE_EFAULT);
	assert_int_equal(pxvm_read(&vm, 0xFFFC, buf, 4), 0);
	assert_int_equal(pxvm_read(&vm, 0xFFFD, buf, 4), -PXE_EFAULT);
	assert_int_equal(pxvm_read(&vm, 0xFFFFFFFFu, buf, 2), -PXE_EFAULT);
	assert_int_equal(pxvm_write(&vm, 0x10000, buf, 1), -PXE_EFAULT);
	vm.dirty[0] = vm.dirty[1] = 0;
	assert_int_equal(pxvm_write(&vm, 0x1FF, "ab", 2), 0); /* straddles rows 0 and 1 */
	assert_int_equal(vm.dirty[0], 3);
}

static void test_self_modifying_code(void **state)
{
	(void)state;
	/* Store a HALT over the next instruction (an unknown opcode) and run it. */
	vm.r[1] = E(IMM8, 2, 0, 77);
	assert_int_equal(RUN(E(STORE, 1, 0, PXVM_IMAGE_BASE + 4), 0x000000EEu, HALT), PXVM_RUN_HALT);
	assert_int_equal(vm.r[2], 77);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_halt_nop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_immediates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unary_and_addi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_branches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_call_ret_push_pop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dirty_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syscall, setup, teardown),
		cmocka_unit_test_setup_teardown(test_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stack_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_off_the_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_opcode_checks_reserved_bits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_unassigned_opcode_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_pxe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_memory_helpers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_self_modifying_code, setup, teardown),
	};
	return cmocka_run_group_tests_name("pxvm interpreter", tests, NULL, NULL);
}
