/*
 * disasm.c — one-instruction pxVM disassembler (see disasm.h), driven by the
 * PXVM_OPCODES table through pxvm_opinfo(). Portable: no allocation, no stdio.
 */
#include "port.h"
#include "isa.h"
#include "abi.h"
#include "disasm.h"

/* ---- Operand classes ------------------------------------------------------ */

enum pxvm_imm_kind pxvm_disasm_imm_kind(uint32_t op)
{
	const struct pxvm_opinfo *oi = pxvm_opinfo(op);
	return oi->name ? (enum pxvm_imm_kind)oi->imm : PXVM_IMM_NONE;
}

const char *pxvm_disasm_imm_name(enum pxvm_imm_kind k)
{
	switch (k) {
	case PXVM_IMM_U8:     return "imm8";
	case PXVM_IMM_S16:    return "imm16";
	case PXVM_IMM_OFFSET: return "offset";
	case PXVM_IMM_U16:    return "imm16";
	case PXVM_IMM_TARGET: return "target";
	case PXVM_IMM_ADDR:   return "addr";
	case PXVM_IMM_W32:    return "imm32";
	case PXVM_IMM_NONE:   break;
	}
	return "";
}

/* ---- A bounded text builder ----------------------------------------------- */

struct tb {
	char *out;
	size_t cap;
	size_t n; /* length the full text would have */
};

static void tb_putc(struct tb *b, char c)
{
	if (b->cap && b->n + 1 < b->cap)
		b->out[b->n] = c;
	b->n++;
}

static void tb_puts(struct tb *b, const char *s)
{
	while (*s)
		tb_putc(b, *s++);
}

static void tb_hex(struct tb *b, uint32_t v, int min_digits)
{
	char d[8];
	int n = 0;
	do {
		d[n++] = "0123456789ABCDEF"[v & 0xFu];
		v >>= 4;
	} while (v);
	while (n < min_digits)
		d[n++] = '0';
	tb_puts(b, "0x");
	while (n)
		tb_putc(b, d[--n]);
}

static void tb_udec(struct tb *b, uint32_t v)
{
	char d[10];
	int n = 0;
	do {
		d[n++] = (char)('0' + v % 10u);
		v /= 10u;
	} while (v);
	while (n)
		tb_putc(b, d[--n]);
}

static void tb_sdec(struct tb *b, int32_t v)
{
	if (v < 0) {
		tb_putc(b, '-');
		tb_udec(b, (uint32_t)0 - (uint32_t)v);
	} else {
		tb_udec(b, (uint32_t)v);
	}
}

static void tb_reg(struct tb *b, uint32_t r)
{
	if (r == PXVM_SP) {
		tb_puts(b, "SP");
	} else {
		tb_putc(b, 'R');
		tb_udec(b, r);
	}
}

static void tb_end(struct tb *b)
{
	if (b->cap)
		b->out[b->n < b->cap ? b->n : b->cap - 1] = '\0';
}

/* ---- The disassembler ----------------------------------------------------- */

/* The immediate field of `word` for an opcode of class `k`. */
static uint32_t imm_value(enum pxvm_imm_kind k, uint32_t word, uint32_t next)
{
	switch (k) {
	case PXVM_IMM_U8:  return PXVM_IMM8(word);
	case PXVM_IMM_W32: return next;
	case PXVM_IMM_S16:
	case PXVM_IMM_OFFSET: return PXVM_SIMM16(word);
	default: return PXVM_IMM16(word);
	}
}

static void put_imm(struct tb *b, enum pxvm_imm_kind k, uint32_t v)
{
	switch (k) {
	case PXVM_IMM_S16:    tb_sdec(b, (int32_t)v); break;
	case PXVM_IMM_TARGET:
	case PXVM_IMM_ADDR:   tb_hex(b, v, 4); break;
	case PXVM_IMM_W32:    tb_hex(b, v, 1); break;
	default:              tb_udec(b, v); break;
	}
}

/* Writes the decoded form of a valid `word` (mnemonic and operands);
 * `no_value`: its value word does not exist (written `?`). */
static void put_insn(struct tb *b, const struct pxvm_opinfo *oi, uint32_t op,
		     uint32_t word, uint32_t next, bool no_value)
{
	enum pxvm_imm_kind k = pxvm_disasm_imm_kind(op);
	uint32_t imm = imm_value(k, word, next);
	const char *s = oi->syntax;

	tb_puts(b, oi->name);
	if (*s)
		tb_putc(b, ' ');
	for (; *s; s++) {
		switch (*s) {
		case 'a': tb_reg(b, PXVM_RA(word)); break;
		case 'b': tb_reg(b, PXVM_RB(word)); break;
		case 'c': tb_reg(b, PXVM_RC(word)); break;
		case 'i':
			if (no_value)
				tb_putc(b, '?');
			else
				put_imm(b, k, imm);
			break;
		case ',': tb_puts(b, ", "); break;
		case '[': /* "[b+i]": base register and signed offset */
			tb_putc(b, '[');
			tb_reg(b, PXVM_RB(word));
			if ((int32_t)imm < 0) {
				tb_puts(b, " - ");
				tb_udec(b, (uint32_t)0 - imm);
			} else if (imm) {
				tb_puts(b, " + ");
				tb_udec(b, imm);
			}
			tb_putc(b, ']');
			while (s[1] && s[1] != ']')
				s++;
			if (s[1])
				s++;
			break;
		default: break;
		}
	}
	if (op == PXVM_OP_SYSCALL && pxvm_syscall_name(imm)) {
		tb_puts(b, " ; ");
		tb_puts(b, pxvm_syscall_name(imm));
	}
}

/* disasm: pxvm_disasm; `no_next`: no word follows `word` in memory (a
 * two-word instruction's value is missing). */
static int disasm(uint32_t word, uint32_t next_word, bool no_next, char *out, size_t cap)
{
	struct tb b = { out, out ? cap : 0, 0 };
	uint32_t op = PXVM_OP(word);
	const struct pxvm_opinfo *oi = pxvm_opinfo(op);

	if (!oi->name || (word & oi->zero_mask)) {
		tb_puts(&b, ".word ");
		tb_hex(&b, word, 8);
		tb_end(&b);
		return 1;
	}

	enum pxvm_imm_kind k = pxvm_disasm_imm_kind(op);
	if ((k == PXVM_IMM_TARGET || k == PXVM_IMM_ADDR) && (PXVM_IMM16(word) & 3u)) {
		tb_puts(&b, ".word ");
		tb_hex(&b, word, 8);
		tb_puts(&b, " ; ");
		put_insn(&b, oi, op, word, next_word, false);
		tb_puts(&b, k == PXVM_IMM_TARGET ? " (target not 4-aligned)"
						 : " (address not 4-aligned)");
		tb_end(&b);
		return 1;
	}

	if (oi->words == 2 && no_next) { /* "IMM32 R1, ? ; value word past the end of memory" */
		put_insn(&b, oi, op, word, 0, true);
		tb_puts(&b, " ; value word past the end of memory");
		tb_end(&b);
		return 1;
	}
	put_insn(&b, oi, op, word, next_word, false);
	tb_end(&b);
	return oi->words == 2 ? 2 : 1;
}

int pxvm_disasm(uint32_t word, uint32_t next_word, uint32_t addr, char *out, size_t cap)
{
	(void)addr; /* every pxVM target is absolute, see disasm.h */
	return disasm(word, next_word, false, out, cap);
}

int pxvm_disasm_last(uint32_t word, uint32_t addr, char *out, size_t cap)
{
	(void)addr;
	return disasm(word, 0, true, out, cap);
}
