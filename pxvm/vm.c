/*
 * vm.c — the pxVM interpreter; see vm.h for the contract and isa.h for the
 * instruction word.
 *
 * Dispatch is a computed goto through a 256-entry table generated from
 * PXVM_OPCODES, so every opcode in the table must have a handler label here
 * (the build fails otherwise) and every unassigned byte lands on op_invalid.
 * Each handler first checks its format's must-be-zero bits, which also rejects
 * register numbers above 7, so register fields can then be masked with & 7.
 */
#include "vm.h"
#include "port.h"

#define GUARD_WORD 0xFFFFFFFFu /* opcode 0xFF: unassigned, so fetching it faults */

/* Must-be-zero masks by format, as compile-time constants for the handlers. */
#define PXVM_X_FMT(f, words, zero) static const uint32_t ZM_##f = (zero);
PXVM_FORMATS(PXVM_X_FMT)
#undef PXVM_X_FMT

void pxvm_init(struct pxvm *vm, uint32_t *mem)
{
	memset(vm, 0, sizeof(*vm));
	memset(mem, 0, PXVM_MEM_ALLOC_WORDS * sizeof(uint32_t));
	mem[PXVM_MEM_WORDS] = GUARD_WORD;
	for (uint32_t a = PXVM_VECTORS; a < PXVM_SYSAREA; a += 4)
		mem[a / 4] = PXVM_NULL_GUARD;
	vm->mem = mem;
	vm->r[PXVM_SP] = PXVM_STACK_TOP;
	vm->pc = PXVM_IMAGE_BASE;
	vm->dirty[0] = vm->dirty[1] = ~0ull;
}

static uint32_t rd32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int pxvm_check_pxe(const void *file, size_t size, const char **why)
{
	const uint8_t *p = file;
	const char *dummy;
	if (!why)
		why = &dummy;
	if (!p || size < PXE_HEADER_SIZE) {
		*why = "file shorter than the 16-byte .pxe header";
		return -PXE_ENOEXEC;
	}
	uint32_t magic = rd32le(p), entry = rd32le(p + 8), image = rd32le(p + 12);
	uint16_t version = (uint16_t)(p[4] | p[5] << 8), flags = (uint16_t)(p[6] | p[7] << 8);
	if (magic != PXE_MAGIC) {
		*why = "bad magic (not a PXE1 executable)";
		return -PXE_ENOEXEC;
	}
	if (version != PXE_VERSION || flags != 0) {
		*why = "unsupported .pxe version or flags";
		return -PXE_ENOEXEC;
	}
	if (image > PXVM_IMAGE_MAX) {
		*why = "image larger than the 60928 bytes between 0x0200 and 0xF000";
		return -PXE_ENOEXEC;
	}
	if ((uint64_t)image + PXE_HEADER_SIZE != size) {
		*why = "image size in the header disagrees with the file size (truncated?)";
		return -PXE_ENOEXEC;
	}
	if (image % 4) {
		*why = "image size not a multiple of 4";
		return -PXE_ENOEXEC;
	}
	if (entry % 4 || entry < PXVM_IMAGE_BASE || entry >= PXVM_IMAGE_BASE + image) {
		*why = "entry point not an aligned address inside the image";
		return -PXE_ENOEXEC;
	}
	*why = "";
	return 0;
}

int pxvm_load_pxe(struct pxvm *vm, const void *file, size_t size, const char **why)
{
	int err = pxvm_check_pxe(file, size, why);
	if (err)
		return err;
	const uint8_t *p = file;
	uint32_t image = rd32le(p + 12);
	memcpy((uint8_t *)vm->mem + PXVM_IMAGE_BASE, p + PXE_HEADER_SIZE, image);
	pxvm_mark_dirty(vm, PXVM_IMAGE_BASE, image);
	vm->pc = rd32le(p + 8);
	return 0;
}

void pxvm_mark_dirty(struct pxvm *vm, uint32_t addr, uint32_t len)
{
	if (!len || addr >= PXVM_MEM_SIZE)
		return;
	uint64_t end = (uint64_t)addr + len;
	if (end > PXVM_MEM_SIZE)
		end = PXVM_MEM_SIZE;
	for (uint32_t row = addr / PXVM_ROW_BYTES; row <= (uint32_t)((end - 1) / PXVM_ROW_BYTES); row++)
		vm->dirty[row >> 6] |= 1ull << (row & 63);
}

int pxvm_read(const struct pxvm *vm, uint32_t addr, void *dst, uint32_t len)
{
	if (!pxvm_range_ok(addr, len))
		return -PXE_EFAULT;
	memcpy(dst, (const uint8_t *)vm->mem + addr, len);
	return 0;
}

int pxvm_write(struct pxvm *vm, uint32_t addr, const void *src, uint32_t len)
{
	if (!pxvm_range_ok(addr, len))
		return -PXE_EFAULT;
	memcpy((uint8_t *)vm->mem + addr, src, len);
	pxvm_mark_dirty(vm, addr, len);
	return 0;
}

int pxvm_read_str(const struct pxvm *vm, uint32_t addr, char *dst, uint32_t cap)
{
	const uint8_t *m = (const uint8_t *)vm->mem;
	for (uint32_t i = 0; i < cap; i++) {
		if (addr + (uint64_t)i >= PXVM_MEM_SIZE)
			return -PXE_EFAULT;
		dst[i] = (char)m[addr + i];
		if (!dst[i])
			return (int)i;
	}
	if (cap)
		dst[cap - 1] = '\0';
	return -PXE_ENAMETOOLONG;
}

void pxvm_fault(struct pxvm *vm, enum pxvm_fault f, uint32_t addr)
{
	vm->fault = f;
	vm->fault_pc = vm->pc >= 4 ? vm->pc - 4 : 0;
	vm->fault_word = vm->fault_pc < PXVM_MEM_SIZE ? vm->mem[vm->fault_pc >> 2] : 0;
	vm->fault_addr = addr;
}

/* GCC merges the handlers' identical dispatch tails into one shared indirect
 * jump ("cross-jumping"), which costs the branch predictor the per-opcode
 * history that threaded code is for; keep one dispatch per handler. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-crossjumping")))
#endif
enum pxvm_run_result pxvm_run(struct pxvm *vm, uint64_t budget)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
	static const void *const table[256] = {
		[0 ... 255] = &&op_invalid,
#define PXVM_X_LABEL(name, code, fmt, imm, syn, doc) [code] = &&op_##name,
		PXVM_OPCODES(PXVM_X_LABEL)
#undef PXVM_X_LABEL
	};
#pragma GCC diagnostic pop
	if (vm->fault)
		return PXVM_RUN_FAULT;

	uint32_t R[PXVM_NREGS];
	memcpy(R, vm->r, sizeof(R));
	uint8_t *const bmem = (uint8_t *)vm->mem;
	uint32_t pc = vm->pc, w = 0, addr = 0, t;
	uint64_t left = budget;
	enum pxvm_run_result result;
	enum pxvm_fault fault = PXVM_FAULT_NONE;

	/* pc is always 4-aligned and <= PXVM_MEM_SIZE (the guard word). */
#define NEXT()                                         \
	do {                                               \
		if (__builtin_expect(left == 0, 0))            \
			goto out_budget;                           \
		left--;                                        \
		w = *(const uint32_t *)(bmem + pc);            \
		pc += 4;                                       \
		goto *table[w & 0xFFu];                        \
	} while (0)
#define CHECK(fmt) \
	do { if (__builtin_expect(w & ZM_##fmt, 0)) goto f_encoding; } while (0)
/* The word at byte address a (4-aligned, checked): byte-offset addressing
 * saves the shift of mem[a >> 2]. */
#define MEMW(a) (*(uint32_t *)(bmem + (a)))
#define RA R[(w >> 8) & 7u]
#define RB R[(w >> 12) & 7u]
#define RC R[(w >> 16) & 7u]
#define IMM16 (w >> 16)
#define SIMM16 PXVM_SIMM16(w)
#define DIRTY(a) (vm->dirty[(a) >> 15] |= 1ull << (((a) >> 9) & 63u))
#define JUMP_TO(target)                                            \
	do {                                                           \
		addr = (target);                                           \
		if (__builtin_expect((addr & 3u) || addr >= PXVM_MEM_SIZE, 0)) \
			goto f_jump;                                           \
		pc = addr;                                                 \
	} while (0)
#define WORD_ADDR(a)                                               \
	do {                                                           \
		addr = (a);                                                \
		if (__builtin_expect(addr > PXVM_MEM_SIZE - 4, 0))         \
			goto f_range;                                          \
		if (__builtin_expect(addr & 3u, 0))                        \
			goto f_unaligned;                                      \
	} while (0)
/* After a store to `addr`: a nonzero TRAP_FLAG byte written by this store hands
 * the process to the hypervisor. One compare per store on the hot path. */
#define TRAP_CHECK()                                                       \
	do {                                                               \
		if (__builtin_expect(addr == PXVM_TRAP_FLAG, 0) && bmem[PXVM_TRAP_FLAG]) { \
			result = PXVM_RUN_TRAP;                                    \
			goto out;                                                  \
		}                                                              \
	} while (0)
#define BYTE_ADDR(a)                                               \
	do {                                                           \
		addr = (a);                                                \
		if (__builtin_expect(addr >= PXVM_MEM_SIZE, 0))            \
			goto f_range;                                          \
	} while (0)

	NEXT();

op_HALT:  CHECK(N); result = PXVM_RUN_HALT; goto out;
op_NOP:   CHECK(N); NEXT();
op_BRK:   CHECK(N); fault = PXVM_FAULT_BREAKPOINT; addr = pc - 4; goto out_fault;
op_IMM8:  CHECK(AI8); RA = (w >> 16) & 0xFFu; NEXT();
op_IMM32: CHECK(AW);
	if (__builtin_expect(pc >= PXVM_MEM_SIZE, 0)) { addr = pc; goto f_range; }
	RA = MEMW(pc);
	pc += 4;
	NEXT();
op_IMM16: CHECK(AI16); RA = SIMM16; NEXT();
op_MOV:   CHECK(AB); RA = RB; NEXT();
op_ADD:   CHECK(ABC); RA = RB + RC; NEXT();
op_SUB:   CHECK(ABC); RA = RB - RC; NEXT();
op_MUL:   CHECK(ABC); RA = RB * RC; NEXT();
op_DIVU:  CHECK(ABC); if (!RC) goto f_div; RA = RB / RC; NEXT();
op_MODU:  CHECK(ABC); if (!RC) goto f_div; RA = RB % RC; NEXT();
op_DIV:   CHECK(ABC);
	if (!RC) goto f_div;
	if (RB == 0x80000000u && RC == 0xFFFFFFFFu) RA = 0x80000000u; /* INT_MIN / -1 wraps */
	else RA = (uint32_t)((int32_t)RB / (int32_t)RC);
	NEXT();
op_MOD:   CHECK(ABC);
	if (!RC) goto f_div;
	if (RB == 0x80000000u && RC == 0xFFFFFFFFu) RA = 0;
	else RA = (uint32_t)((int32_t)RB % (int32_t)RC);
	NEXT();
op_AND:   CHECK(ABC); RA = RB & RC; NEXT();
op_OR:    CHECK(ABC); RA = RB | RC; NEXT();
op_XOR:   CHECK(ABC); RA = RB ^ RC; NEXT();
op_NOT:   CHECK(AB); RA = ~RB; NEXT();
op_SHL:   CHECK(ABC); RA = RB << (RC & 31u); NEXT();
op_SHR:   CHECK(ABC); RA = RB >> (RC & 31u); NEXT();
op_SAR:   CHECK(ABC); RA = (uint32_t)((int32_t)RB >> (RC & 31u)); NEXT();
op_ADDI:  CHECK(ABI16); RA = RB + SIMM16; NEXT();
op_NEG:   CHECK(AB); RA = 0u - RB; NEXT();
op_JMP:   CHECK(I16); JUMP_TO(IMM16); NEXT();
op_JZ:    CHECK(AI16); if (RA == 0) JUMP_TO(IMM16); NEXT();
op_CMP:   CHECK(ABC); RA = RB == RC; NEXT();
op_JNZ:   CHECK(AI16); if (RA != 0) JUMP_TO(IMM16); NEXT();
op_CALL:  CHECK(I16);
	t = IMM16;
	if (t & 3u) { addr = t; goto f_jump; }
	WORD_ADDR(R[PXVM_SP] - 4);
	MEMW(addr) = pc;
	DIRTY(addr);
	R[PXVM_SP] = addr;
	pc = t;
	TRAP_CHECK();
	NEXT();
op_RET:   CHECK(N);
	/* One compare covers the range check and the empty stack: nothing the
	 * program pushed lies at or above PXVM_STACK_TOP (f_ret sorts them out). */
	addr = R[PXVM_SP];
	if (__builtin_expect(addr >= PXVM_STACK_TOP, 0))
		goto f_ret;
	if (__builtin_expect(addr & 3u, 0))
		goto f_unaligned;
	t = MEMW(addr);
	if (__builtin_expect((t & 3u) || t >= PXVM_MEM_SIZE, 0)) { addr = t; goto f_jump; }
	R[PXVM_SP] = addr + 4; /* only now: a fault leaves SP as it was */
	pc = t;
	NEXT();
op_JR:    CHECK(A); JUMP_TO(RA); NEXT();
op_CALLR: CHECK(A);
	t = RA;
	if ((t & 3u) || t >= PXVM_MEM_SIZE) { addr = t; goto f_jump; }
	WORD_ADDR(R[PXVM_SP] - 4);
	MEMW(addr) = pc;
	DIRTY(addr);
	R[PXVM_SP] = addr;
	pc = t;
	TRAP_CHECK();
	NEXT();
op_SLT:   CHECK(ABC); RA = (int32_t)RB < (int32_t)RC; NEXT();
op_SLTU:  CHECK(ABC); RA = RB < RC; NEXT();
op_BEQ:   CHECK(ABI16); if (RA == RB) JUMP_TO(IMM16); NEXT();
op_BNE:   CHECK(ABI16); if (RA != RB) JUMP_TO(IMM16); NEXT();
op_BLT:   CHECK(ABI16); if ((int32_t)RA < (int32_t)RB) JUMP_TO(IMM16); NEXT();
op_BGE:   CHECK(ABI16); if ((int32_t)RA >= (int32_t)RB) JUMP_TO(IMM16); NEXT();
op_BLTU:  CHECK(ABI16); if (RA < RB) JUMP_TO(IMM16); NEXT();
op_BGEU:  CHECK(ABI16); if (RA >= RB) JUMP_TO(IMM16); NEXT();
op_LOAD:  CHECK(AI16); WORD_ADDR(IMM16); RA = MEMW(addr); NEXT();
op_STORE: CHECK(AI16); WORD_ADDR(IMM16); MEMW(addr) = RA; DIRTY(addr); TRAP_CHECK(); NEXT();
op_LDW:   CHECK(ABI16); WORD_ADDR(RB + SIMM16); RA = MEMW(addr); NEXT();
op_STW:   CHECK(ABI16); WORD_ADDR(RB + SIMM16); MEMW(addr) = RA; DIRTY(addr); TRAP_CHECK(); NEXT();
op_LDB:   CHECK(ABI16); BYTE_ADDR(RB + SIMM16); RA = bmem[addr]; NEXT();
op_STB:   CHECK(ABI16); BYTE_ADDR(RB + SIMM16); bmem[addr] = (uint8_t)RA; DIRTY(addr); TRAP_CHECK(); NEXT();
op_PUSH:  CHECK(A);
	t = RA;
	WORD_ADDR(R[PXVM_SP] - 4);
	MEMW(addr) = t;
	DIRTY(addr);
	R[PXVM_SP] = addr;
	TRAP_CHECK();
	NEXT();
op_POP:   CHECK(A);
	WORD_ADDR(R[PXVM_SP]);
	t = MEMW(addr);
	R[PXVM_SP] = addr + 4;
	RA = t; /* POP SP loads the popped word into SP */
	NEXT();
op_DJNZ:  CHECK(AI16);
	t = RA - 1;
	if (t != 0)
		JUMP_TO(IMM16); /* a bad target faults before ra changes */
	RA = t;
	NEXT();
op_SYSCALL: {
	CHECK(I16);
	vm->pc = pc;
	memcpy(vm->r, R, sizeof(R));
	vm->steps += budget - left;
	budget = left;
	int stop;
	if (vm->syscall) {
		stop = vm->syscall(vm, IMM16);
	} else {
		vm->r[0] = (uint32_t)-PXE_ENOSYS;
		stop = 0;
	}
	if (vm->fault) {
		vm->charge = 0;
		return PXVM_RUN_FAULT;
	}
	memcpy(R, vm->r, sizeof(R));
	pc = vm->pc;
	if (vm->charge) { /* the call's cost beyond its one instruction */
		left = vm->charge < left ? left - vm->charge : 0;
		budget = left;
		vm->charge = 0;
	}
	if (stop) {
		result = PXVM_RUN_SYSCALL;
		goto out;
	}
	NEXT();
}

op_invalid:
	if (pc - 4 == PXVM_MEM_SIZE) {
		fault = PXVM_FAULT_PC_END;
		addr = PXVM_MEM_SIZE;
	} else if (pc - 4 < PXVM_SYSAREA && w == PXVM_NULL_GUARD) {
		fault = PXVM_FAULT_NULL_JUMP; /* the vector page's guard: a null pointer was followed */
		addr = pc - 4;
	} else {
		fault = PXVM_FAULT_OPCODE;
		addr = pc - 4;
	}
	goto out_fault;
f_encoding:  fault = PXVM_FAULT_ENCODING; addr = pc - 4; goto out_fault;
f_range:     fault = PXVM_FAULT_MEM_RANGE; goto out_fault;
f_unaligned: fault = PXVM_FAULT_UNALIGNED; goto out_fault;
f_div:       fault = PXVM_FAULT_DIV_ZERO; addr = pc - 4; goto out_fault;
f_jump:      fault = PXVM_FAULT_JUMP; goto out_fault;
f_ret: /* RET with SP >= PXVM_STACK_TOP: out of range, unaligned, or empty */
	if (addr > PXVM_MEM_SIZE - 4)
		goto f_range;
	if (addr & 3u)
		goto f_unaligned;
	fault = PXVM_FAULT_STACK_EMPTY;
	goto out_fault;

out_fault:
	vm->fault = fault;
	vm->fault_pc = pc - 4;
	vm->fault_word = w;
	vm->fault_addr = addr;
	vm->pc = pc - 4;
	memcpy(vm->r, R, sizeof(R));
	vm->steps += budget - left;
	return PXVM_RUN_FAULT;

out_budget:
	result = PXVM_RUN_BUDGET;
out:
	vm->pc = pc;
	memcpy(vm->r, R, sizeof(R));
	vm->steps += budget - left;
	return result;

#undef NEXT
#undef CHECK
#undef RA
#undef RB
#undef RC
#undef IMM16
#undef SIMM16
#undef DIRTY
#undef JUMP_TO
#undef WORD_ADDR
#undef BYTE_ADDR
#undef TRAP_CHECK
}
