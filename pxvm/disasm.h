/*
 * disasm.h — the pxVM one-instruction disassembler, and the operand classes
 * that the assembler (tools/pxasm) and the disassembler share.
 *
 * Portable: no allocation, no stdio; it is built into the kernel (debug monitor)
 * and into the host tools and tests. Everything is driven by PXVM_OPCODES in
 * isa.h: there is no second list of opcodes.
 *
 * Output syntax is pxasm's (docs/pxasm.md), so every line pxvm_disasm writes
 * assembles back to the same word(s):
 *   HALT                  MOV R1, R2             ADD R0, R1, SP
 *   IMM8 R1, 255          IMM16 R2, -1           IMM32 R3, 0xDEADBEEF
 *   JZ R1, 0x0240         STORE 0x0400, R1       LDW R1, [SP + 8]
 *   SYSCALL 1 ; PRINT     .word 0x0000FF01  (not a valid instruction)
 */
#ifndef PXVM_DISASM_H
#define PXVM_DISASM_H

#include <stddef.h>
#include <stdint.h>
#include "isa.h"

/* Longest text pxvm_disasm writes, including the NUL. */
#define PXVM_DISASM_MAX 80

/* pxvm_disasm_imm_kind: the class of opcode `op`'s immediate operand (op is the
 * opcode byte 0..255): the imm column of its PXVM_OPCODES row in isa.h;
 * PXVM_IMM_NONE for unassigned opcodes. */
enum pxvm_imm_kind pxvm_disasm_imm_kind(uint32_t op);

/* pxvm_disasm_imm_name: a short name of an operand class as pxasm's messages
 * and docs use it ("imm8", "imm16", "offset", "target", "addr", "imm32"; ""
 * for NONE). Never NULL. */
const char *pxvm_disasm_imm_name(enum pxvm_imm_kind k);

/* pxvm_disasm: write instruction `word` (as read from memory at byte address
 * `addr`, followed in memory by `next_word`) into `out` (`cap` bytes, always
 * NUL-terminated when cap > 0; PXVM_DISASM_MAX always suffices, shorter
 * buffers truncate) in pxasm syntax: mnemonic upper case, registers R0..R6 and
 * SP, jump targets and LOAD/STORE addresses as 0x%04X, IMM32 values in hex,
 * IMM8/SYSCALL numbers unsigned decimal, IMM16/ADDI values and memory offsets
 * signed decimal; SYSCALL gets a `; NAME` comment when the number is a known
 * system call. Returns the number of words consumed: 2 for IMM32 (next_word is
 * its value), otherwise 1.
 * A word that is not a valid instruction (unassigned opcode, or a nonzero bit
 * in its format's must-be-zero mask, see isa.h) is written as `.word 0xXXXXXXXX`
 * and consumes 1 word. So is a valid encoding pxasm refuses to assemble: a jump
 * target or LOAD/STORE address that is not 4-aligned; it gets a comment with the
 * decoded form, e.g. `.word 0x02410141 ; JZ R1, 0x0241 (target not 4-aligned)`.
 * `addr` does not change the output today (every pxVM target is absolute); it
 * is part of the interface so callers need no change if relative forms appear. */
int pxvm_disasm(uint32_t word, uint32_t next_word, uint32_t addr, char *out, size_t cap);

/* pxvm_disasm_last: as pxvm_disasm for an instruction with no word after it
 * in memory (at the last word, 0xFFFC): a two-word instruction (IMM32) is
 * written with `?` for its value and the comment `; value word past the end
 * of memory` instead of a value that does not exist. Returns 1. */
int pxvm_disasm_last(uint32_t word, uint32_t addr, char *out, size_t cap);

#endif /* PXVM_DISASM_H */
