/*
 * isa.h — the pxVM instruction set, defined once.
 *
 * One instruction word is one 32-bit RGBA pixel, stored little-endian, so byte 0
 * of the word is the pixel's red channel. The opcode sits in red: instruction
 * kinds are visibly colour-coded by their red intensity (control flow 0x4x is a
 * dim red, SYSCALL 0xF0 a bright one); registers tint green, immediates blue.
 *
 *   31          24 23          16 15      12 11       8 7            0
 *  +--------------+--------------+----------+----------+--------------+
 *  |      A       |      B       |    G     |    G     |      R       |
 *  |  imm16 high  |  imm16 low   |    rb    |    ra    |    opcode    |
 *  |              |  imm8 / rc   |          |          |              |
 *  +--------------+--------------+----------+----------+--------------+
 *
 *  ra, rb, rc  register numbers 0..7 (R7 is also SP); bit 3 of each must be 0
 *  imm8        bits 16..23, zero-extended
 *  imm16       bits 16..31; addresses are taken as is (0..0xFFFF), offsets and
 *              IMM16/ADDI operands are sign-extended
 *  word        IMM32 only: the next word in memory is the 32-bit immediate
 *
 * Every bit a format does not use must be zero, so a word has exactly one
 * meaning and the disassembler round-trips; a word that breaks this raises
 * PXVM_FAULT_ENCODING. docs/pxvm-isa.md is the prose specification.
 *
 * PXVM_OPCODES(X) is the single table: X(name, code, format, imm, syntax, summary).
 *   format  one of the PXVM_F_* below: which fields are used and checked
 *   imm     the class of the immediate operand, PXVM_IMM_* below: how it is
 *           range-checked by the assembler and printed by the disassembler
 *   syntax  operand order as written in assembly:
 *             ""       no operands          "a"        ra
 *             "a,b"    ra, rb               "a,b,c"    ra, rb, rc
 *             "a,i"    ra, immediate        "i,a"      immediate, ra
 *             "a,b,i"  ra, rb, immediate    "a,[b+i]"  ra, [rb + offset]
 *             "i"      immediate
 * The enum, the name table, the assembler, the disassembler and the interpreter's
 * dispatch table are all generated from it.
 */
#ifndef PXVM_ISA_H
#define PXVM_ISA_H

#include <stdint.h>

/* ---- Fields of the instruction word ---------------------------------------- */
#define PXVM_OP(w)     ((uint32_t)(w) & 0xFFu)
#define PXVM_RA(w)     (((uint32_t)(w) >> 8) & 0xFu)
#define PXVM_RB(w)     (((uint32_t)(w) >> 12) & 0xFu)
#define PXVM_RC(w)     (((uint32_t)(w) >> 16) & 0xFu)
#define PXVM_IMM8(w)   (((uint32_t)(w) >> 16) & 0xFFu)
#define PXVM_IMM16(w)  ((uint32_t)(w) >> 16)
#define PXVM_SIMM16(w) ((uint32_t)(int32_t)(int16_t)((uint32_t)(w) >> 16))

#define PXVM_ENCODE(op, ra, rb, imm16) \
	((uint32_t)(op) | ((uint32_t)(ra) << 8) | ((uint32_t)(rb) << 12) | ((uint32_t)(imm16) << 16))

/* The null guard: every word of the vector page (0x0000-0x00FF) holds it when
 * a process starts (pxvm_init), so executing it means a jump, call or return
 * to a null pointer: PXVM_FAULT_NULL_JUMP. Opcode 0xFF stays unassigned for
 * good (the guard past memory, 0xFFFFFFFF, is the other one); on screen it is
 * a bright red pixel. */
#define PXVM_NULL_GUARD 0xFF0000FFu

#define PXVM_NREGS 8
#define PXVM_SP    7 /* R7 is the stack pointer for PUSH, POP, CALL, RET */

/* ---- Formats: which fields an opcode uses, and which bits must be zero ------ */
/*  X(format, words, must-be-zero mask) */
#define PXVM_FORMATS(X)                                    \
	X(N,     1, 0xFFFFFF00u) /* no operands            */ \
	X(A,     1, 0xFFFFF800u) /* ra                     */ \
	X(AB,    1, 0xFFFF8800u) /* ra rb                  */ \
	X(ABC,   1, 0xFFF88800u) /* ra rb rc               */ \
	X(AI8,   1, 0xFF00F800u) /* ra imm8                */ \
	X(AI16,  1, 0x0000F800u) /* ra imm16               */ \
	X(ABI16, 1, 0x00008800u) /* ra rb imm16            */ \
	X(I16,   1, 0x0000FF00u) /* imm16                  */ \
	X(AW,    2, 0xFFFFF800u) /* ra + next word (IMM32) */

enum pxvm_format {
#define PXVM_X_FMT(f, words, zero) PXVM_F_##f,
	PXVM_FORMATS(PXVM_X_FMT)
#undef PXVM_X_FMT
	PXVM_F_COUNT
};

/* ---- Immediate operand classes ------------------------------------------- */
enum pxvm_imm_kind {
	PXVM_IMM_NONE = 0, /* no immediate operand */
	PXVM_IMM_U8,       /* imm8: 0..255 */
	PXVM_IMM_S16,      /* imm16 sign-extended (IMM16, ADDI): -32768..65535 accepted */
	PXVM_IMM_OFFSET,   /* "[b+i]" memory offset, sign-extended: -32768..65535 */
	PXVM_IMM_U16,      /* imm16 taken as is (SYSCALL): 0..65535 */
	PXVM_IMM_TARGET,   /* jump target: 0..0xFFFF, 4-aligned */
	PXVM_IMM_ADDR,     /* LOAD/STORE word address: 0..0xFFFF, 4-aligned */
	PXVM_IMM_W32,      /* the next word (IMM32): any 32-bit value */
};

/* ---- The opcode table --------------------------------------------------------
 * Codes 0x00, 0x01, 0x10, 0x11, 0x20, 0x30, 0x31, 0x40, 0x41, 0x42, 0x50, 0x51
 * and 0xF0 are fixed by the design notes; the others extend them. Codes 0x6x
 * are fused instructions, 0x7x imperfect computing (seed 000's noise and
 * prob_jump as instructions): they draw from the process's own random stream
 * (pxvm/rng.h), so they repeat with the seed whatever the scheduling. */
#define PXVM_OPCODES(X)                                                                                       \
	X(HALT,    0x00, N,     NONE,   "",        "stop the process; exit status 0")                                \
	X(NOP,     0x01, N,     NONE,   "",        "do nothing")                                                     \
	X(BRK,     0x02, N,     NONE,   "",        "breakpoint: stop with PXVM_FAULT_BREAKPOINT")                    \
	X(IMM8,    0x10, AI8,   U8,     "a,i",     "ra = imm8 (zero-extended)")                                      \
	X(IMM32,   0x11, AW,    W32,    "a,i",     "ra = the next word; pc += 8")                                    \
	X(IMM16,   0x12, AI16,  S16,    "a,i",     "ra = imm16 (sign-extended)")                                     \
	X(MOV,     0x20, AB,    NONE,   "a,b",     "ra = rb")                                                        \
	X(ADD,     0x30, ABC,   NONE,   "a,b,c",   "ra = rb + rc (mod 2^32)")                                        \
	X(SUB,     0x31, ABC,   NONE,   "a,b,c",   "ra = rb - rc (mod 2^32)")                                        \
	X(MUL,     0x32, ABC,   NONE,   "a,b,c",   "ra = low 32 bits of rb * rc")                                    \
	X(DIVU,    0x33, ABC,   NONE,   "a,b,c",   "ra = rb / rc unsigned; rc = 0 faults")                           \
	X(MODU,    0x34, ABC,   NONE,   "a,b,c",   "ra = rb % rc unsigned; rc = 0 faults")                           \
	X(DIV,     0x35, ABC,   NONE,   "a,b,c",   "ra = rb / rc signed, toward 0; rc = 0 faults")                   \
	X(MOD,     0x36, ABC,   NONE,   "a,b,c",   "ra = rb % rc signed, sign of rb; rc = 0 faults")                 \
	X(AND,     0x37, ABC,   NONE,   "a,b,c",   "ra = rb & rc")                                                   \
	X(OR,      0x38, ABC,   NONE,   "a,b,c",   "ra = rb | rc")                                                   \
	X(XOR,     0x39, ABC,   NONE,   "a,b,c",   "ra = rb ^ rc")                                                   \
	X(NOT,     0x3A, AB,    NONE,   "a,b",     "ra = ~rb")                                                       \
	X(SHL,     0x3B, ABC,   NONE,   "a,b,c",   "ra = rb << (rc & 31)")                                           \
	X(SHR,     0x3C, ABC,   NONE,   "a,b,c",   "ra = rb >> (rc & 31), logical")                                  \
	X(SAR,     0x3D, ABC,   NONE,   "a,b,c",   "ra = rb >> (rc & 31), arithmetic")                               \
	X(ADDI,    0x3E, ABI16, S16,    "a,b,i",   "ra = rb + imm16 (sign-extended)")                                \
	X(NEG,     0x3F, AB,    NONE,   "a,b",     "ra = -rb (mod 2^32)")                                            \
	X(JMP,     0x40, I16,   TARGET, "i",       "pc = imm16")                                                     \
	X(JZ,      0x41, AI16,  TARGET, "a,i",     "if ra == 0: pc = imm16")                                         \
	X(CMP,     0x42, ABC,   NONE,   "a,b,c",   "ra = (rb == rc) ? 1 : 0")                                        \
	X(JNZ,     0x43, AI16,  TARGET, "a,i",     "if ra != 0: pc = imm16")                                         \
	X(CALL,    0x44, I16,   TARGET, "i",       "push pc + 4; pc = imm16")                                        \
	X(RET,     0x45, N,     NONE,   "",        "pc = pop")                                                       \
	X(JR,      0x46, A,     NONE,   "a",       "pc = ra")                                                        \
	X(CALLR,   0x47, A,     NONE,   "a",       "push pc + 4; pc = ra")                                           \
	X(SLT,     0x48, ABC,   NONE,   "a,b,c",   "ra = (rb < rc signed) ? 1 : 0")                                  \
	X(SLTU,    0x49, ABC,   NONE,   "a,b,c",   "ra = (rb < rc unsigned) ? 1 : 0")                                \
	X(BEQ,     0x4A, ABI16, TARGET, "a,b,i",   "if ra == rb: pc = imm16")                                        \
	X(BNE,     0x4B, ABI16, TARGET, "a,b,i",   "if ra != rb: pc = imm16")                                        \
	X(BLT,     0x4C, ABI16, TARGET, "a,b,i",   "if ra < rb signed: pc = imm16")                                  \
	X(BGE,     0x4D, ABI16, TARGET, "a,b,i",   "if ra >= rb signed: pc = imm16")                                 \
	X(BLTU,    0x4E, ABI16, TARGET, "a,b,i",   "if ra < rb unsigned: pc = imm16")                                \
	X(BGEU,    0x4F, ABI16, TARGET, "a,b,i",   "if ra >= rb unsigned: pc = imm16")                               \
	X(LOAD,    0x50, AI16,  ADDR,   "a,i",     "ra = word at address imm16")                                     \
	X(STORE,   0x51, AI16,  ADDR,   "i,a",     "word at address imm16 = ra")                                     \
	X(LDW,     0x52, ABI16, OFFSET, "a,[b+i]", "ra = word at rb + imm16")                                        \
	X(STW,     0x53, ABI16, OFFSET, "a,[b+i]", "word at rb + imm16 = ra")                                        \
	X(LDB,     0x54, ABI16, OFFSET, "a,[b+i]", "ra = byte at rb + imm16 (zero-extended)")                        \
	X(STB,     0x55, ABI16, OFFSET, "a,[b+i]", "byte at rb + imm16 = ra & 0xFF")                                 \
	X(PUSH,    0x56, A,     NONE,   "a",       "sp -= 4; word at sp = ra")                                       \
	X(POP,     0x57, A,     NONE,   "a",       "ra = word at sp; sp += 4")                                       \
	X(DJNZ,    0x60, AI16,  TARGET, "a,i",     "ra = ra - 1; if ra != 0: pc = imm16")                            \
	X(RAND,    0x70, A,     NONE,   "a",       "ra = 32 random bits from the process's stream")                  \
	X(UNIF,    0x71, ABC,   NONE,   "a,b,c",   "ra = uniform random in [rb, rc) signed; rb when rb >= rc")       \
	X(NOISE,   0x72, ABC,   NONE,   "a,b,c",   "ra = Gaussian sample, 16.16: mean rb, standard deviation rc")   \
	X(PJMP,    0x73, AI16,  TARGET, "a,i",     "with probability ra / 0x10000: pc = imm16")                      \
	X(SYSCALL, 0xF0, I16,   U16,    "i",       "system call number imm16; see pxvm/abi.h")

enum pxvm_opcode {
#define PXVM_X_ENUM(name, code, fmt, imm, syn, doc) PXVM_OP_##name = (code),
	PXVM_OPCODES(PXVM_X_ENUM)
#undef PXVM_X_ENUM
};

/* Static description of one opcode, generated from the table. */
struct pxvm_opinfo {
	const char *name;     /* mnemonic, upper case; NULL for unassigned codes */
	const char *syntax;   /* operand pattern, see above */
	const char *summary;  /* one-line semantics */
	uint8_t format;       /* enum pxvm_format */
	uint8_t imm;          /* enum pxvm_imm_kind */
	uint8_t words;        /* instruction length in words (1 or 2) */
	uint32_t zero_mask;   /* bits that must be zero */
};

/* pxvm_opinfo: the description of opcode byte `op` (0..255); its name is NULL
 * when no instruction has that code. Never returns NULL. */
const struct pxvm_opinfo *pxvm_opinfo(uint32_t op);

/* pxvm_opcode_by_name: the opcode (0..255) whose mnemonic equals `name`
 * (case-insensitive, `len` bytes), or -PXE_ENOENT (pxvm/abi.h) when none does. */
int pxvm_opcode_by_name(const char *name, unsigned len);

#endif /* PXVM_ISA_H */
