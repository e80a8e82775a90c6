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
#include "pxvm/watch.h"

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

/* Opcodes that some test ran to completion (or, for BRK, to its fault). */
static uint8_t covered[256];
static uint32_t step_mem[PXVM_MEM_ALLOC_WORDS];
static uint32_t watch_mem[PXVM_MEM_ALLOC_WORDS];
static struct pxvm_watch watch_state;

/* Put `n` words at PXVM_IMAGE_BASE and run until stop, in one pxvm_run.
 * Unless a syscall hook is set (hooks count their calls), the same run is
 * repeated on a copy one instruction at a time: it must end in the same
 * state (the budget is exact, so quanta cannot change a result), and it
 * records which opcodes ran, for test_every_opcode_covered. And once more,
 * watched (pxvm/watch.h): the instrumented interpreter must end in the same
 * state as the plain one, so every test here covers both. */
static enum pxvm_run_result run_words(const uint32_t *w, size_t n, uint64_t budget)
{
	memcpy((uint8_t *)mem + PXVM_IMAGE_BASE, w, n * 4);
	vm.pc = PXVM_IMAGE_BASE;
	struct pxvm s = vm, ws = vm;
	memcpy(step_mem, mem, sizeof(step_mem));
	memcpy(watch_mem, mem, sizeof(watch_mem));
	s.mem = step_mem;
	ws.mem = watch_mem;
	watch_init(&watch_state, WATCH_ALL);
	ws.watch = &watch_state;
	enum pxvm_run_result r = pxvm_run(&vm, budget);
	if (vm.syscall)
		return r;
	enum pxvm_run_result wr = pxvm_run(&ws, budget);
	if (wr != r || ws.pc != vm.pc || ws.steps != vm.steps || memcmp(ws.r, vm.r, sizeof(ws.r)) ||
	    ws.fault != vm.fault || ws.fault_addr != vm.fault_addr || ws.fault_word != vm.fault_word ||
	    memcmp(ws.dirty, vm.dirty, sizeof(ws.dirty)) || memcmp(watch_mem, mem, sizeof(watch_mem)) ||
	    memcmp(&ws.rng, &vm.rng, sizeof(ws.rng)))
		fail_msg("the watched run differs from the plain one: result %d/%d pc 0x%x/0x%x steps %llu/%llu", wr, r,
		         ws.pc, vm.pc, (unsigned long long)ws.steps, (unsigned long long)vm.steps);
	enum pxvm_run_result sr = PXVM_RUN_BUDGET;
	for (uint64_t k = 0; k < budget && sr == PXVM_RUN_BUDGET && !s.fault; k++) {
		uint32_t op = s.pc < PXVM_MEM_SIZE ? step_mem[s.pc / 4] & 0xFFu : 0xFFu;
		sr = pxvm_run(&s, 1);
		if (!s.fault || s.fault == PXVM_FAULT_BREAKPOINT)
			covered[op] = 1;
	}
	if (s.fault)
		sr = PXVM_RUN_FAULT;
	if (sr != r || s.pc != vm.pc || s.steps != vm.steps || memcmp(s.r, vm.r, sizeof(s.r)) ||
	    s.fault != vm.fault || s.fault_addr != vm.fault_addr || memcmp(step_mem, mem, sizeof(step_mem)))
		fail_msg("run in single steps differs from one run: result %d/%d pc 0x%x/0x%x steps %llu/%llu", sr, r,
		         s.pc, vm.pc, (unsigned long long)s.steps, (unsigned long long)vm.steps);
	return r;
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

/* run_alu_cases: each case as OP R3, R1, R2 with R1 = b, R2 = c on a fresh
 * machine: R3 must be `want`, R1 and R2 untouched. */
static void run_alu_cases(const struct alu_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		pxvm_init(&vm, mem);
		vm.r[1] = cases[i].b;
		vm.r[2] = cases[i].c;
		uint32_t prog[] = { PXVM_ENCODE(cases[i].op, 3, 1, 2), HALT };
		assert_int_equal(run_words(prog, 2, 10), PXVM_RUN_HALT);
		if (vm.r[3] != cases[i].want)
			fail_msg("case %zu: %s 0x%x, 0x%x gave 0x%x, want 0x%x", i, pxvm_opinfo(cases[i].op)->name,
			         cases[i].b, cases[i].c, vm.r[3], cases[i].want);
		assert_int_equal(vm.r[1], cases[i].b); /* sources untouched */
		assert_int_equal(vm.r[2], cases[i].c);
	}
}

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
	run_alu_cases(cases, sizeof(cases) / sizeof(cases[0]));
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

/* ---- Edge cases of the semantics ------------------------------------------ */

static void test_alu_edges(void **state)
{
	(void)state;
	static const struct alu_case cases[] = {
		{ PXVM_OP_MUL, 0xFFFFFFFFu, 0xFFFFFFFFu, 1 },          /* low 32 bits of the product */
		{ PXVM_OP_MUL, 0x80000000u, 2, 0 },
		{ PXVM_OP_DIVU, 7, 0xFFFFFFFFu, 0 },
		{ PXVM_OP_MODU, 7, 0xFFFFFFFFu, 7 },
		{ PXVM_OP_DIVU, 0x80000000u, 0x80000000u, 1 },
		{ PXVM_OP_DIV, (uint32_t)-7, (uint32_t)-2, 3 },         /* toward zero */
		{ PXVM_OP_DIV, 7, (uint32_t)-2, (uint32_t)-3 },
		{ PXVM_OP_DIV, 0x80000000u, 1, 0x80000000u },
		{ PXVM_OP_MOD, (uint32_t)-7, (uint32_t)-2, (uint32_t)-1 }, /* sign of the dividend */
		{ PXVM_OP_MOD, 0x80000000u, 3, (uint32_t)-2 },
		{ PXVM_OP_SHL, 0x12345678u, 32, 0x12345678u },         /* 32 & 31 = 0 */
		{ PXVM_OP_SHL, 1, 31, 0x80000000u },
		{ PXVM_OP_SHL, 3, 0xFFFFFFFFu, 0x80000000u },          /* count 31 */
		{ PXVM_OP_SHR, 0x80000000u, 32, 0x80000000u },
		{ PXVM_OP_SHR, 0xFFFFFFFFu, 63, 1 },
		{ PXVM_OP_SAR, 0x80000000u, 32, 0x80000000u },
		{ PXVM_OP_SAR, 0x80000000u, 1, 0xC0000000u },          /* copies the sign bit */
		{ PXVM_OP_SAR, 0x40000000u, 30, 1 },
		{ PXVM_OP_SHR, 0x80000000u, 1, 0x40000000u },          /* shifts in zeros */
		{ PXVM_OP_ADD, 0x80000000u, 0x80000000u, 0 },
		{ PXVM_OP_SUB, 0, 0x80000000u, 0x80000000u },
		{ PXVM_OP_SLT, 5, 5, 0 },
		{ PXVM_OP_SLT, 0x80000000u, 0x7FFFFFFFu, 1 },          /* INT_MIN < INT_MAX */
		{ PXVM_OP_SLTU, 0x7FFFFFFFu, 0x80000000u, 1 },
		{ PXVM_OP_SLTU, 5, 5, 0 },
		{ PXVM_OP_CMP, 0, 0, 1 },
		{ PXVM_OP_AND, 0xFFFFFFFFu, 0, 0 },
		{ PXVM_OP_OR, 0, 0, 0 },
		{ PXVM_OP_XOR, 0xFFFFFFFFu, 0xFFFFFFFFu, 0 },
	};
	run_alu_cases(cases, sizeof(cases) / sizeof(cases[0]));
	/* One register as destination and both sources. */
	pxvm_init(&vm, mem);
	vm.r[4] = 21;
	assert_int_equal(RUN(E3(ADD, 4, 4, 4), E3(SUB, 5, 4, 4), E3(MUL, 6, 4, 4), HALT), PXVM_RUN_HALT);
	assert_int_equal(vm.r[4], 42);
	assert_int_equal(vm.r[5], 0);
	assert_int_equal(vm.r[6], 42 * 42);
}

static void test_unary_edges(void **state)
{
	(void)state;
	vm.r[1] = 0x80000000u;
	vm.r[2] = 0;
	assert_int_equal(RUN(E(NEG, 3, 1, 0), E(NEG, 4, 2, 0), E(NOT, 5, 2, 0), E(NEG, 1, 1, 0), HALT),
	                 PXVM_RUN_HALT);
	assert_int_equal(vm.r[3], 0x80000000u); /* -INT_MIN wraps to itself */
	assert_int_equal(vm.r[4], 0);
	assert_int_equal(vm.r[5], 0xFFFFFFFFu);
	assert_int_equal(vm.r[1], 0x80000000u);
}

static void test_immediate_extension(void **state)
{
	(void)state;
	vm.r[1] = 0x1000;
	assert_int_equal(RUN(E(IMM8, 2, 0, 0xFF), E(IMM16, 3, 0, 0x8000), E(IMM16, 4, 0, 0xFFFF),
	                     E(ADDI, 5, 1, 0x8000), E(ADDI, 6, 1, 0x7FFF), HALT),
	                 PXVM_RUN_HALT);
	assert_int_equal(vm.r[2], 0xFF);                 /* imm8 zero-extended */
	assert_int_equal(vm.r[3], 0xFFFF8000u);          /* imm16 sign-extended */
	assert_int_equal(vm.r[4], 0xFFFFFFFFu);
	assert_int_equal(vm.r[5], 0x1000u - 0x8000u);    /* ADDI's imm16 sign-extended */
	assert_int_equal(vm.r[6], 0x1000u + 0x7FFFu);
	/* Memory offsets are sign-extended: [R1 + 0xFFFC] is R1 - 4; [R1 + 0x7FFC] is R1 + 0x7FFC. */
	pxvm_init(&vm, mem);
	mem[0x0FFC / 4] = 0x11111111u;
	mem[0x8FFC / 4] = 0x22222222u;
	vm.r[1] = 0x1000;
	assert_int_equal(RUN(E(LDW, 2, 1, 0xFFFC), E(LDW, 3, 1, 0x7FFC), HALT), PXVM_RUN_HALT);
	assert_int_equal(vm.r[2], 0x11111111u);
	assert_int_equal(vm.r[3], 0x22222222u);
	/* LDB zero-extends: bytes 0x80..0xFF do not become negative. */
	pxvm_init(&vm, mem);
	vm.r[1] = 0x3000;
	((uint8_t *)mem)[0x3000] = 0x80;
	((uint8_t *)mem)[0x3001] = 0xFF;
	vm.r[2] = vm.r[3] = 0xDEADBEEFu;
	assert_int_equal(RUN(E(LDB, 2, 1, 0), E(LDB, 3, 1, 1), HALT), PXVM_RUN_HALT);
	assert_int_equal(vm.r[2], 0x80);
	assert_int_equal(vm.r[3], 0xFF);
	/* STB stores the low byte only and leaves its neighbours alone. */
	pxvm_init(&vm, mem);
	mem[0x3000 / 4] = 0xAAAAAAAAu;
	vm.r[1] = 0x3000;
	vm.r[2] = 0x12345678u;
	assert_int_equal(RUN(E(STB, 2, 1, 2), HALT), PXVM_RUN_HALT);
	assert_int_equal(mem[0x3000 / 4], 0xAA78AAAAu);
}

static void test_branches_not_taken(void **state)
{
	(void)state;
	/* Every branch below is false and must fall through to the next word;
	 * a taken one lands on the BRK at 0x300 instead. */
	vm.r[1] = 0x80000000u; /* INT_MIN: below 1 signed, above it unsigned */
	vm.r[2] = 1;
	vm.r[3] = 0;
	mem[0x300 / 4] = E(BRK, 0, 0, 0);
	assert_int_equal(RUN(E(JZ, 2, 0, 0x300), E(JNZ, 3, 0, 0x300), E(BEQ, 1, 2, 0x300), E(BNE, 2, 2, 0x300),
	                     E(BLT, 2, 1, 0x300), E(BGE, 1, 2, 0x300), E(BLTU, 1, 2, 0x300), E(BGEU, 2, 1, 0x300),
	                     E(BLT, 2, 2, 0x300), E(BLTU, 2, 2, 0x300), HALT),
	                 PXVM_RUN_HALT);
	assert_int_equal(vm.steps, 11);
	/* ... and these are true: signed and unsigned orders differ on INT_MIN; >= holds on equality. */
	static const uint32_t taken[] = {
		E(BLT, 1, 2, 0x300), E(BGEU, 1, 2, 0x300), E(BGE, 2, 2, 0x300), E(BGEU, 2, 2, 0x300),
	};
	for (size_t i = 0; i < sizeof(taken) / sizeof(taken[0]); i++) {
		pxvm_init(&vm, mem);
		vm.r[1] = 0x80000000u;
		vm.r[2] = 1;
		mem[0x300 / 4] = HALT;
		uint32_t p[] = { taken[i], E(BRK, 0, 0, 0) };
		assert_int_equal(run_words(p, 2, 10), PXVM_RUN_HALT);
	}
}

static void test_djnz(void **state)
{
	(void)state;
	/* R1 counts 5 down to 0; R2 counts the loop's turns. */
	vm.r[1] = 5;
	assert_int_equal(RUN(E(ADDI, 2, 2, 1), E(DJNZ, 1, 0, PXVM_IMAGE_BASE), HALT), PXVM_RUN_HALT);
	assert_int_equal(vm.r[1], 0);
	assert_int_equal(vm.r[2], 5);
	assert_int_equal(vm.steps, 11);
	/* From 0 it wraps to 0xFFFFFFFF and branches. */
	pxvm_init(&vm, mem);
	mem[0x300 / 4] = HALT;
	assert_int_equal(RUN(E(DJNZ, 3, 0, 0x300), E(BRK, 0, 0, 0)), PXVM_RUN_HALT);
	assert_int_equal(vm.r[3], 0xFFFFFFFFu);
}

static void test_stack_register_rules(void **state)
{
	(void)state;
	/* PUSH SP pushes SP's value from before the push. */
	assert_int_equal(RUN(E(PUSH, PXVM_SP, 0, 0), HALT), PXVM_RUN_HALT);
	assert_int_equal(mem[(PXVM_STACK_TOP - 4) / 4], PXVM_STACK_TOP);
	assert_int_equal(vm.r[PXVM_SP], PXVM_STACK_TOP - 4);
	/* POP SP: SP ends up holding the popped word, not popped word + 4. */
	pxvm_init(&vm, mem);
	mem[(PXVM_STACK_TOP - 4) / 4] = 0x1234;
	vm.r[PXVM_SP] = PXVM_STACK_TOP - 4;
	assert_int_equal(RUN(E(POP, PXVM_SP, 0, 0), HALT), PXVM_RUN_HALT);
	assert_int_equal(vm.r[PXVM_SP], 0x1234);
	/* CALL pushes the address of the next instruction, RET pops it. */
	pxvm_init(&vm, mem);
	mem[0x300 / 4] = E(RET, 0, 0, 0);
	assert_int_equal(RUN(E(CALL, 0, 0, 0x300), HALT), PXVM_RUN_HALT);
	assert_int_equal(mem[(PXVM_STACK_TOP - 4) / 4], PXVM_IMAGE_BASE + 4);
	assert_int_equal(vm.r[PXVM_SP], PXVM_STACK_TOP);
	assert_int_equal(vm.steps, 3);
}

static void test_memory_edges(void **state)
{
	(void)state;
	/* The last word and the last byte are inside memory. */
	vm.r[1] = 0xFFFC;
	vm.r[2] = 0xCAFEF00Du;
	assert_int_equal(RUN(E(STW, 2, 1, 0), E(LDW, 3, 1, 0), E(STB, 2, 1, 3), E(LDB, 4, 1, 3),
	                     E(STORE, 2, 0, 0xFFFC), E(LOAD, 5, 0, 0xFFFC), E(LDW, 6, 0, 0), HALT),
	                 PXVM_RUN_HALT);
	assert_int_equal(vm.r[3], 0xCAFEF00Du);
	assert_int_equal(vm.r[4], 0x0D);
	assert_int_equal(vm.r[5], 0xCAFEF00Du);
	assert_int_equal(vm.r[6], mem[0]);              /* address 0 is ordinary memory */
	assert_int_equal(mem[PXVM_MEM_WORDS], 0xFFFFFFFFu); /* the guard word is never written */
	/* A store marks exactly the tile row it touched. */
	pxvm_init(&vm, mem);
	vm.dirty[0] = vm.dirty[1] = 0;
	vm.r[1] = 0x1FF;
	assert_int_equal(RUN(E(STB, 1, 1, 0), HALT), PXVM_RUN_HALT);
	assert_int_equal(vm.dirty[0], 1);
	assert_int_equal(vm.dirty[1], 0);
	/* Range is checked before alignment: 0xFFFE is out of range, not unaligned. */
	pxvm_init(&vm, mem);
	vm.r[1] = 0xFFFE;
	assert_int_equal(RUN(E(LDW, 2, 1, 0)), PXVM_RUN_FAULT);
	assert_int_equal(vm.fault, PXVM_FAULT_MEM_RANGE);
	pxvm_init(&vm, mem);
	vm.r[1] = 0x10000;
	assert_int_equal(RUN(E(LDB, 2, 1, 0)), PXVM_RUN_FAULT);
	assert_int_equal(vm.fault, PXVM_FAULT_MEM_RANGE);
	assert_int_equal(vm.fault_addr, 0x10000);
}

/* ---- Faults leave the machine as it was before the faulting instruction ---- */

struct fault_state_case {
	const char *what;
	uint32_t word;            /* the faulting instruction, at IMAGE_BASE */
	uint32_t r1, sp;          /* R1 and SP before it */
	enum pxvm_fault fault;
	uint32_t addr;            /* fault_addr */
};

static void test_fault_leaves_state(void **state)
{
	(void)state;
	const struct fault_state_case cases[] = {
		{ "STW out of range", E(STW, 2, 1, 0), 0xFFFE, PXVM_STACK_TOP, PXVM_FAULT_MEM_RANGE, 0xFFFE },
		{ "STW unaligned", E(STW, 2, 1, 1), 0x1000, PXVM_STACK_TOP, PXVM_FAULT_UNALIGNED, 0x1001 },
		{ "STB out of range", E(STB, 2, 1, 0x7FFF), 0xFFFF, PXVM_STACK_TOP, PXVM_FAULT_MEM_RANGE, 0x17FFE },
		{ "STORE unaligned", E(STORE, 2, 0, 0x1002), 0, PXVM_STACK_TOP, PXVM_FAULT_UNALIGNED, 0x1002 },
		{ "LDW unaligned", E(LDW, 2, 1, 0), 0x1003, PXVM_STACK_TOP, PXVM_FAULT_UNALIGNED, 0x1003 },
		{ "LOAD unaligned", E(LOAD, 2, 0, 0x1002), 0, PXVM_STACK_TOP, PXVM_FAULT_UNALIGNED, 0x1002 },
		{ "PUSH below 0", E(PUSH, 2, 0, 0), 0, 0, PXVM_FAULT_MEM_RANGE, 0xFFFFFFFCu },
		{ "PUSH unaligned", E(PUSH, 2, 0, 0), 0, 0x1002, PXVM_FAULT_UNALIGNED, 0x0FFE },
		{ "POP past the end", E(POP, 2, 0, 0), 0, 0x10000, PXVM_FAULT_MEM_RANGE, 0x10000 },
		{ "POP unaligned", E(POP, 2, 0, 0), 0, 0x1001, PXVM_FAULT_UNALIGNED, 0x1001 },
		{ "CALL, stack below 0", E(CALL, 0, 0, 0x300), 0, 0, PXVM_FAULT_MEM_RANGE, 0xFFFFFFFCu },
		{ "CALL unaligned target", E(CALL, 0, 0, 0x302), 0, PXVM_STACK_TOP, PXVM_FAULT_JUMP, 0x302 },
		{ "CALLR outside", E(CALLR, 1, 0, 0), 0x10000, PXVM_STACK_TOP, PXVM_FAULT_JUMP, 0x10000 },
		{ "CALLR, stack unaligned", E(CALLR, 1, 0, 0), 0x300, 0x1001, PXVM_FAULT_UNALIGNED, 0x0FFD },
		{ "RET to a bad address", E(RET, 0, 0, 0), 0, 0x1000, PXVM_FAULT_JUMP, 0x0BAD0000u },
		{ "RET, stack past the end", E(RET, 0, 0, 0), 0, 0xFFFE, PXVM_FAULT_MEM_RANGE, 0xFFFE },
		{ "RET on an empty stack", E(RET, 0, 0, 0), 0, PXVM_STACK_TOP, PXVM_FAULT_STACK_EMPTY, PXVM_STACK_TOP },
		{ "RET, SP in the trap page", E(RET, 0, 0, 0), 0, 0xF008, PXVM_FAULT_STACK_EMPTY, 0xF008 },
		{ "RET, SP on the last word", E(RET, 0, 0, 0), 0, 0xFFFC, PXVM_FAULT_STACK_EMPTY, 0xFFFC },
		{ "RET, SP unaligned above the top", E(RET, 0, 0, 0), 0, 0xF001, PXVM_FAULT_UNALIGNED, 0xF001 },
		{ "JR unaligned", E(JR, 1, 0, 0), 0x301, PXVM_STACK_TOP, PXVM_FAULT_JUMP, 0x301 },
		{ "JNZ unaligned", E(JNZ, 1, 0, 0x303), 1, PXVM_STACK_TOP, PXVM_FAULT_JUMP, 0x303 },
		{ "DJNZ unaligned", E(DJNZ, 1, 0, 0x302), 5, PXVM_STACK_TOP, PXVM_FAULT_JUMP, 0x302 },
		{ "DIV by zero", E3(DIV, 1, 1, 3), 77, PXVM_STACK_TOP, PXVM_FAULT_DIV_ZERO, PXVM_IMAGE_BASE },
		{ "MODU by zero", E3(MODU, 1, 1, 3), 77, PXVM_STACK_TOP, PXVM_FAULT_DIV_ZERO, PXVM_IMAGE_BASE },
		{ "unknown opcode", 0x00000003u, 0, PXVM_STACK_TOP, PXVM_FAULT_OPCODE, PXVM_IMAGE_BASE },
		{ "opcode 0xFF", 0xFFFFFFFFu, 0, PXVM_STACK_TOP, PXVM_FAULT_OPCODE, PXVM_IMAGE_BASE },
		{ "reserved bit in ADDI", E(ADDI, 1, 1, 1) | 0x8000u, 5, PXVM_STACK_TOP, PXVM_FAULT_ENCODING,
		  PXVM_IMAGE_BASE },
		{ "breakpoint", E(BRK, 0, 0, 0), 0, PXVM_STACK_TOP, PXVM_FAULT_BREAKPOINT, PXVM_IMAGE_BASE },
	};
	static uint32_t before[PXVM_MEM_ALLOC_WORDS];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fault_state_case *c = &cases[i];
		pxvm_init(&vm, mem);
		mem[0x1000 / 4] = 0x0BAD0000u;  /* RET's bad return address */
		mem[0xEFFC / 4] = 0x55555555u;
		for (int r = 0; r < PXVM_NREGS; r++)
			vm.r[r] = 0x100u * (uint32_t)r + 7; /* distinct values */
		vm.r[1] = c->r1;
		vm.r[3] = 0;
		vm.r[PXVM_SP] = c->sp;
		mem[PXVM_IMAGE_BASE / 4] = c->word;
		uint32_t regs[PXVM_NREGS];
		memcpy(regs, vm.r, sizeof(regs));
		memcpy(before, mem, sizeof(before));
		uint64_t dirty0 = vm.dirty[0] = 0, dirty1 = vm.dirty[1] = 0;
		vm.pc = PXVM_IMAGE_BASE;
		enum pxvm_run_result r = pxvm_run(&vm, 10);
		if (r != PXVM_RUN_FAULT || vm.fault != (uint32_t)c->fault || vm.fault_addr != c->addr)
			fail_msg("%s: result %d fault %u addr 0x%x, want fault %u addr 0x%x", c->what, r, vm.fault,
			         vm.fault_addr, c->fault, c->addr);
		if (memcmp(regs, vm.r, sizeof(regs)))
			fail_msg("%s: the registers changed", c->what);
		if (memcmp(before, mem, sizeof(before)))
			fail_msg("%s: memory changed", c->what);
		if (vm.dirty[0] != dirty0 || vm.dirty[1] != dirty1)
			fail_msg("%s: rows marked dirty", c->what);
		assert_int_equal(vm.pc, PXVM_IMAGE_BASE);
		assert_int_equal(vm.fault_pc, PXVM_IMAGE_BASE);
		assert_int_equal(vm.fault_word, c->word);
		assert_int_equal(vm.steps, 1); /* the faulting instruction counts */
	}
}

/* No silent ends: following a null pointer and returning from an empty stack
 * used to run the zero word at 0x0000, which is HALT (exit 0, no report). */
static void test_null_jump_and_empty_stack(void **state)
{
	(void)state;
	/* A fresh process's vector page is all guard words, the rest zero. */
	for (uint32_t a = PXVM_VECTORS; a < PXVM_SYSAREA; a += 4)
		assert_int_equal(mem[a / 4], PXVM_NULL_GUARD);
	assert_int_equal(mem[PXVM_SYSAREA / 4], 0);
	struct {
		const char *what;
		uint32_t word, r1, sp_after, target;
	} cases[] = {
		{ "CALLR through a null pointer", E(CALLR, 1, 0, 0), 0, PXVM_STACK_TOP - 4, 0 },
		{ "CALL 0", E(CALL, 0, 0, 0), 0, PXVM_STACK_TOP - 4, 0 },
		{ "JMP 0", E(JMP, 0, 0, 0), 0, PXVM_STACK_TOP, 0 },
		{ "JR to a null struct's method", E(JR, 1, 0, 0), 0x40, PXVM_STACK_TOP, 0x40 },
		{ "JZ to the last vector word", E(JZ, 0, 0, 0xFC), 0, PXVM_STACK_TOP, 0xFC },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pxvm_init(&vm, mem);
		vm.r[1] = cases[i].r1;
		assert_int_equal(RUN(cases[i].word, HALT), PXVM_RUN_FAULT);
		if (vm.fault != PXVM_FAULT_NULL_JUMP || vm.fault_pc != cases[i].target || vm.fault_addr != cases[i].target)
			fail_msg("%s: fault %u pc 0x%x addr 0x%x", cases[i].what, vm.fault, vm.fault_pc, vm.fault_addr);
		assert_int_equal(vm.fault_word, PXVM_NULL_GUARD);
		assert_int_equal(vm.pc, cases[i].target);
		assert_int_equal(vm.r[PXVM_SP], cases[i].sp_after); /* the call itself completed */
		assert_int_equal(vm.steps, 2);
	}
	/* RET popping a zero return address lands on the guard too. */
	pxvm_init(&vm, mem);
	vm.r[PXVM_SP] = PXVM_STACK_TOP - 4; /* the word there is 0 */
	assert_int_equal(RUN(E(RET, 0, 0, 0)), PXVM_RUN_FAULT);
	assert_int_equal(vm.fault, PXVM_FAULT_NULL_JUMP);
	assert_int_equal(vm.fault_pc, 0);
	/* A program that returns from its entry point as if it were a function. */
	pxvm_init(&vm, mem);
	assert_int_equal(RUN(E(IMM8, 1, 0, 5), E(RET, 0, 0, 0), HALT), PXVM_RUN_FAULT);
	assert_int_equal(vm.fault, PXVM_FAULT_STACK_EMPTY);
	assert_int_equal(vm.fault_pc, PXVM_IMAGE_BASE + 4);
	assert_int_equal(vm.fault_addr, PXVM_STACK_TOP);
	/* Balanced calls still return normally right up to the top. */
	pxvm_init(&vm, mem);
	mem[0x300 / 4] = E(RET, 0, 0, 0);
	assert_int_equal(RUN(E(CALL, 0, 0, 0x300), E(CALL, 0, 0, 0x300), HALT), PXVM_RUN_HALT);
	assert_int_equal(vm.r[PXVM_SP], PXVM_STACK_TOP);
	/* The guard word anywhere else is only an unknown opcode... */
	pxvm_init(&vm, mem);
	assert_int_equal(RUN(PXVM_NULL_GUARD), PXVM_RUN_FAULT);
	assert_int_equal(vm.fault, PXVM_FAULT_OPCODE);
	/* ... and the vector page is the program's memory: it may put code there. */
	pxvm_init(&vm, mem);
	mem[0] = HALT;
	assert_int_equal(RUN(E(CALL, 0, 0, 0)), PXVM_RUN_HALT);
	pxvm_init(&vm, mem);
	mem[0] = 0x000000EEu; /* not the guard: an ordinary unknown opcode */
	assert_int_equal(RUN(E(JMP, 0, 0, 0)), PXVM_RUN_FAULT);
	assert_int_equal(vm.fault, PXVM_FAULT_OPCODE);
}

static void test_pc_end_state(void **state)
{
	(void)state;
	mem[PXVM_MEM_WORDS - 1] = E(IMM8, 1, 0, 9);
	vm.pc = PXVM_MEM_SIZE - 4;
	assert_int_equal(pxvm_run(&vm, 10), PXVM_RUN_FAULT);
	assert_int_equal(vm.r[1], 9);                    /* the last word ran */
	assert_int_equal(vm.fault, PXVM_FAULT_PC_END);
	assert_int_equal(vm.pc, PXVM_MEM_SIZE);
	assert_int_equal(vm.fault_pc, PXVM_MEM_SIZE);
	assert_int_equal(vm.fault_addr, PXVM_MEM_SIZE);
	assert_int_equal(vm.fault_word, 0xFFFFFFFFu);    /* the guard word */
	assert_int_equal(vm.steps, 2);
}

static int fault_hook(struct pxvm *v, uint32_t number)
{
	pxvm_fault(v, PXVM_FAULT_MEM_RANGE, number);
	return 0;
}

static void test_fault_from_syscall_hook(void **state)
{
	(void)state;
	vm.syscall = fault_hook;
	assert_int_equal(RUN(E(NOP, 0, 0, 0), E(SYSCALL, 0, 0, 0x1234), HALT), PXVM_RUN_FAULT);
	assert_int_equal(vm.fault, PXVM_FAULT_MEM_RANGE);
	assert_int_equal(vm.fault_pc, PXVM_IMAGE_BASE + 4);
	assert_int_equal(vm.fault_word, E(SYSCALL, 0, 0, 0x1234));
	assert_int_equal(vm.fault_addr, 0x1234);
	assert_int_equal(pxvm_run(&vm, 10), PXVM_RUN_FAULT);
}

/* ---- The step budget is exact ------------------------------------------------ */

static void test_budget_exact(void **state)
{
	(void)state;
	/* A loop of mixed instructions (one of them the two-word IMM32). */
	const uint32_t loop[] = {
		E(ADDI, 1, 1, 1), E(IMM32, 2, 0, 0), 0x12345678u, E3(ADD, 3, 3, 1),
		E(STW, 3, 0, 0x1000), E(JMP, 0, 0, PXVM_IMAGE_BASE),
	};
	for (uint64_t k = 0; k <= 40; k++) {
		pxvm_init(&vm, mem);
		assert_int_equal(run_words(loop, 6, k), PXVM_RUN_BUDGET);
		if (vm.steps != k)
			fail_msg("budget %llu ran %llu instructions", (unsigned long long)k, (unsigned long long)vm.steps);
		assert_int_equal(vm.r[1], (k + 4) / 5); /* ADDI runs once every 5 instructions */
	}
	/* Budget 1, 100 times, is the same as budget 100 once. */
	pxvm_init(&vm, mem);
	assert_int_equal(run_words(loop, 6, 100), PXVM_RUN_BUDGET);
	uint32_t regs[PXVM_NREGS], pc = vm.pc;
	memcpy(regs, vm.r, sizeof(regs));
	pxvm_init(&vm, mem);
	assert_int_equal(run_words(loop, 6, 1), PXVM_RUN_BUDGET);
	for (int i = 1; i < 100; i++)
		assert_int_equal(pxvm_run(&vm, 1), PXVM_RUN_BUDGET);
	assert_int_equal(vm.steps, 100);
	assert_int_equal(vm.pc, pc);
	assert_memory_equal(vm.r, regs, sizeof(regs));
	/* An instruction that stops the run counts when it is the budget's last. */
	pxvm_init(&vm, mem);
	assert_int_equal(RUN(E(NOP, 0, 0, 0), HALT), PXVM_RUN_HALT);
	pxvm_init(&vm, mem);
	uint32_t two[] = { E(NOP, 0, 0, 0), HALT };
	assert_int_equal(run_words(two, 2, 2), PXVM_RUN_HALT);
	assert_int_equal(vm.steps, 2);
	pxvm_init(&vm, mem);
	assert_int_equal(run_words(two, 2, 1), PXVM_RUN_BUDGET);
	assert_int_equal(vm.pc, PXVM_IMAGE_BASE + 4);
	assert_int_equal(pxvm_run(&vm, 1), PXVM_RUN_HALT);
	assert_int_equal(vm.steps, 2);
	/* A budget that ends right after a SYSCALL: the call counts once. */
	pxvm_init(&vm, mem);
	uint32_t sc[] = { E(SYSCALL, 0, 0, 1), E(SYSCALL, 0, 0, 1), HALT };
	assert_int_equal(run_words(sc, 3, 1), PXVM_RUN_BUDGET);
	assert_int_equal(vm.steps, 1);
	assert_int_equal(pxvm_run(&vm, 5), PXVM_RUN_HALT);
	assert_int_equal(vm.steps, 3);
}

/* ---- The trap flag ----------------------------------------------------------- */

struct trap_case {
	const char *what;
	uint32_t word;   /* one store instruction at IMAGE_BASE, then HALT */
	uint32_t r1, r2, sp;
	enum pxvm_run_result want;
	uint32_t pc;     /* pc after the run */
};

static void test_trap_flag(void **state)
{
	(void)state;
	const uint32_t B = PXVM_IMAGE_BASE, T = PXVM_TRAP_FLAG;
	const struct trap_case cases[] = {
		{ "STB nonzero to the flag", E(STB, 2, 1, 0), T, 0x02, PXVM_STACK_TOP, PXVM_RUN_TRAP, B + 4 },
		{ "STB zero to the flag", E(STB, 2, 1, 0), T, 0x100, PXVM_STACK_TOP, PXVM_RUN_HALT, B + 8 },
		{ "STW, low byte nonzero", E(STW, 2, 1, 0), T, 0x05, PXVM_STACK_TOP, PXVM_RUN_TRAP, B + 4 },
		{ "STW, low byte zero", E(STW, 2, 1, 0), T, 0xFFFFFF00u, PXVM_STACK_TOP, PXVM_RUN_HALT, B + 8 },
		{ "STORE to the flag", E(STORE, 2, 0, 0xF000), 0, 0x03, PXVM_STACK_TOP, PXVM_RUN_TRAP, B + 4 },
		{ "STB to ARG0", E(STB, 2, 1, 1), T, 0x02, PXVM_STACK_TOP, PXVM_RUN_HALT, B + 8 },
		{ "STW to RESULT's word", E(STW, 2, 1, 0x0C), T, 0x02, PXVM_STACK_TOP, PXVM_RUN_HALT, B + 8 },
		{ "STW just below", E(STW, 2, 1, -4), T, 0xFFFFFFFFu, PXVM_STACK_TOP, PXVM_RUN_HALT, B + 8 },
		{ "PUSH onto the flag", E(PUSH, 2, 0, 0), 0, 0x04, 0xF004, PXVM_RUN_TRAP, B + 4 },
		{ "PUSH zero onto the flag", E(PUSH, 2, 0, 0), 0, 0, 0xF004, PXVM_RUN_HALT, B + 8 },
		{ "CALL pushing onto the flag", E(CALL, 0, 0, 0x300), 0, 0, 0xF004, PXVM_RUN_TRAP, 0x300 },
		{ "CALLR pushing onto the flag", E(CALLR, 1, 0, 0), 0x300, 0, 0xF004, PXVM_RUN_TRAP, 0x300 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct trap_case *c = &cases[i];
		pxvm_init(&vm, mem);
		mem[0x300 / 4] = HALT;
		vm.r[1] = c->r1;
		vm.r[2] = c->r2;
		vm.r[PXVM_SP] = c->sp;
		uint32_t p[] = { c->word, HALT };
		enum pxvm_run_result r = run_words(p, 2, 10);
		if (r != c->want || vm.pc != c->pc)
			fail_msg("%s: result %d pc 0x%x, want %d pc 0x%x", c->what, r, vm.pc, c->want, c->pc);
		assert_int_equal(vm.steps, c->want == PXVM_RUN_TRAP ? 1 : 2);
	}
	/* The flag already set: every later store that leaves it nonzero traps
	 * again, and a store clearing it does not. Stores elsewhere never trap. */
	pxvm_init(&vm, mem);
	((uint8_t *)mem)[PXVM_TRAP_FLAG] = 0x02;
	vm.r[1] = PXVM_TRAP_FLAG;
	vm.r[2] = 0x07;
	assert_int_equal(RUN(E(STB, 2, 1, 4), E(STB, 2, 1, 0), HALT), PXVM_RUN_TRAP);
	assert_int_equal(vm.steps, 2);
	assert_int_equal(pxvm_run(&vm, 10), PXVM_RUN_HALT); /* resumes after the store */
	pxvm_init(&vm, mem);
	((uint8_t *)mem)[PXVM_TRAP_FLAG] = 0x02;
	vm.r[1] = PXVM_TRAP_FLAG;
	assert_int_equal(RUN(E(STB, 3, 1, 0), HALT), PXVM_RUN_HALT);
	/* Writes by the owner (pxvm_write, e.g. a READ into the trap page) do not trap. */
	pxvm_init(&vm, mem);
	uint8_t one = 1;
	assert_int_equal(pxvm_write(&vm, PXVM_TRAP_FLAG, &one, 1), 0);
	assert_int_equal(RUN(E(NOP, 0, 0, 0), HALT), PXVM_RUN_HALT);
}

/* ---- Imperfect computing: RAND, UNIF, NOISE, PJMP ------------------------- */

/* Each draws from vm.rng exactly what the same rng.h call on a copy of the
 * stream gives, reads its sources before it writes (UNIF R1, R1, R2), and
 * draws nothing when the result is fixed (UNIF with rb >= rc, NOISE with a
 * standard deviation <= 0). */
static void test_random_opcodes(void **state)
{
	(void)state;
	struct rng_stream ref;
	rng_stream_seed(&vm.rng, 42);
	rng_stream_seed(&ref, 42);
	vm.r[2] = (uint32_t)-5;
	vm.r[3] = 5;
	vm.r[4] = 3 * 65536;
	vm.r[5] = 65536 / 2;
	assert_int_equal(RUN(E(RAND, 1, 0, 0), E3(UNIF, 2, 2, 3), E3(NOISE, 4, 4, 5), E3(UNIF, 6, 3, 3), HALT),
	                 PXVM_RUN_HALT);
	assert_int_equal(vm.r[1], rng_stream_u32(&ref));
	assert_int_equal(vm.r[2], (uint32_t)rng_stream_range(&ref, -5, 5));
	assert_int_equal(vm.r[4], (uint32_t)rng_stream_gauss_q16(&ref, 3 * 65536, 65536 / 2));
	assert_int_equal(vm.r[6], 5); /* rb >= rc: rb, no draw */
	assert_memory_equal(&vm.rng, &ref, sizeof(ref));
	assert_true((int32_t)vm.r[2] >= -5 && (int32_t)vm.r[2] < 5);

	/* No draw for a fixed result: NOISE with sd 0 or below is the mean. */
	vm.r[1] = 7;
	vm.r[2] = 0;
	vm.r[3] = (uint32_t)-1;
	assert_int_equal(RUN(E3(NOISE, 4, 1, 2), E3(NOISE, 5, 1, 3), HALT), PXVM_RUN_HALT);
	assert_int_equal(vm.r[4], 7);
	assert_int_equal(vm.r[5], 7);
	assert_memory_equal(&vm.rng, &ref, sizeof(ref));

	/* The whole signed range, 1000 times: always inside it; a run of samples
	 * is never constant. */
	vm.r[2] = 0x80000000u;
	vm.r[3] = 0x7FFFFFFFu;
	vm.r[4] = 1000;
	vm.r[6] = 0;
	const uint32_t loop = PXVM_IMAGE_BASE + 4;
	assert_int_equal(run_words((const uint32_t[]){ E(IMM8, 5, 0, 0), E3(UNIF, 1, 2, 3), E3(XOR, 6, 6, 1),
	                                               E3(SLT, 5, 1, 3), E(DJNZ, 4, 0, loop), HALT }, 6, 10000),
	                 PXVM_RUN_HALT);
	assert_true(vm.r[6] != 0);
	assert_int_equal(vm.r[5], 1); /* the last sample was below INT32_MAX */
}

/* PJMP ra, target: taken with probability ra / 0x10000 (ra signed: <= 0
 * never, >= 0x10000 always), one draw either way; a bad target faults only
 * when the jump is taken. */
static void test_pjmp(void **state)
{
	(void)state;
	struct rng_stream ref;
	rng_stream_seed(&vm.rng, 7);
	rng_stream_seed(&ref, 7);
	const uint32_t base = PXVM_IMAGE_BASE;
	/* count taken jumps of 4000 with probability R1 into R2 */
	const uint32_t prog[] = {
		E(IMM16, 4, 0, 4000),            /* base +  0 */
		E(IMM8, 2, 0, 0),                /*      +  4 */
		E(PJMP, 1, 0, base + 24),        /*      +  8 loop */
		E(DJNZ, 4, 0, base + 8),         /*      + 12 back */
		HALT,                            /*      + 16 */
		E(NOP, 0, 0, 0),                 /*      + 20 */
		E(ADDI, 2, 2, 1),                /*      + 24 taken */
		E(JMP, 0, 0, base + 12),         /*      + 28 */
	};
	static const struct { uint32_t p; uint32_t lo, hi; } cases[] = {
		{ 0, 0, 0 }, { 0xFFFF8000u, 0, 0 }, { 0x80000000u, 0, 0 },        /* never */
		{ 0x10000, 4000, 4000 }, { 0x7FFFFFFFu, 4000, 4000 },             /* always */
		{ 0x8000, 1800, 2200 }, { 0x4000, 850, 1150 }, { 1, 0, 3 },       /* 1/2, 1/4, 1/65536 */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vm.r[1] = cases[i].p;
		assert_int_equal(run_words(prog, sizeof(prog) / 4, 40000), PXVM_RUN_HALT);
		if (vm.r[2] < cases[i].lo || vm.r[2] > cases[i].hi)
			fail_msg("PJMP with 0x%08x: taken %u times of 4000", cases[i].p, vm.r[2]);
		for (int k = 0; k < 4000; k++)
			rng_stream_u32(&ref);
		assert_memory_equal(&vm.rng, &ref, sizeof(ref)); /* one draw per PJMP, taken or not */
	}
	/* A bad target: no fault while not taken, FAULT_JUMP when taken. */
	vm.r[1] = 0;
	assert_int_equal(RUN(E(PJMP, 1, 0, 0x0202), HALT), PXVM_RUN_HALT);
	vm.r[1] = 0x10000;
	ref = vm.rng;
	assert_int_equal(RUN(E(PJMP, 1, 0, 0x0202), HALT), PXVM_RUN_FAULT);
	assert_int_equal(vm.fault, PXVM_FAULT_JUMP);
	assert_int_equal(vm.fault_addr, 0x0202);
	assert_memory_equal(&vm.rng, &ref, sizeof(ref)); /* no effect: not even the draw */
}

/* Registered last: every opcode in the ISA table was run by a test above, so
 * a new opcode cannot be added without a test of its semantics. */
static void test_every_opcode_covered(void **state)
{
	(void)state;
	for (uint32_t op = 0; op < 256; op++)
		if (pxvm_opinfo(op)->name && !covered[op])
			fail_msg("no test runs %s (0x%02X)", pxvm_opinfo(op)->name, op);
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
		cmocka_unit_test_setup_teardown(test_alu_edges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unary_edges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_immediate_extension, setup, teardown),
		cmocka_unit_test_setup_teardown(test_branches_not_taken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_djnz, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stack_register_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_edges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_leaves_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_null_jump_and_empty_stack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pc_end_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_from_syscall_hook, setup, teardown),
		cmocka_unit_test_setup_teardown(test_budget_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trap_flag, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_opcodes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pjmp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_opcode_covered, setup, teardown),
	};
	return cmocka_run_group_tests_name("pxvm interpreter", tests, NULL, NULL);
}
