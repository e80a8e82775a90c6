/*
 * asm.c — pxasm phase 3 and the library entry point: lay out addresses, emit
 * and check every statement, choose the entry point (docs/pxasm.md).
 *
 * Layout runs until no label moves (at most PA_MAX_PASSES times), using the
 * previous pass's addresses for labels not reached yet; so forward references
 * work everywhere, also in .org, .zero and .align. Instruction sizes never
 * depend on values (IMM32 is always two words), so only those three can move
 * labels. Emission then evaluates every expression once more with errors on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/pxasm/internal.h"
#include "pxvm/abi.h"
#include "pxvm/disasm.h"
#include "pxvm/isa.h"

#define PA_MAX_PASSES 32
#define IMAGE_END     ((uint64_t)PXVM_IMAGE_BASE + PXVM_IMAGE_MAX) /* = PXVM_STACK_TOP */

static bool pow2(int64_t v)
{
	return v > 0 && (v & (v - 1)) == 0;
}

/* Bytes a .zero/.org/.align with value v at `addr` produces; 0 when v is invalid
 * (emit reports it). */
static uint64_t fill_size(int kind, int64_t v, uint64_t addr)
{
	switch (kind) {
	case S_ZERO:  return v >= 0 && v <= (int64_t)PXVM_IMAGE_MAX ? (uint64_t)v : 0;
	case S_ORG:   return v >= (int64_t)addr && v <= (int64_t)IMAGE_END ? (uint64_t)v - addr : 0;
	case S_ALIGN: return pow2(v) && v <= 65536 ? (0 - addr) & (uint64_t)(v - 1) : 0;
	default:      return 0;
	}
}

/* One layout pass; true when nothing moved and every size was known. */
static bool layout_pass(struct pa_asm *as)
{
	bool stable = true;
	uint64_t addr = PXVM_IMAGE_BASE;
	as->eval_gen++;
	for (size_t i = 0; i < as->nstmts; i++) {
		struct pa_stmt *st = &as->stmts[i];
		struct pa_sym *y = st->sym >= 0 ? &as->syms[st->sym] : NULL;
		int64_t v;
		uint64_t size = 0;
		st->addr = addr;
		switch (st->kind) {
		case S_LABEL:
			if (!y->known || y->value != (int64_t)addr)
				stable = false;
			y->known = true;
			y->value = (int64_t)addr;
			break;
		case S_EQU:
			if (y->dot != (int64_t)addr)
				stable = false;
			y->dot = (int64_t)addr;
			break;
		case S_INSN:  size = 4u * pxvm_opinfo((uint32_t)st->op)->words; break;
		case S_BYTE:  size = (uint64_t)st->nexprs; break;
		case S_WORD:  size = 4u * (uint64_t)st->nexprs; break;
		case S_DATA:  size = st->nbytes; break;
		case S_ZERO:
		case S_ORG:
		case S_ALIGN:
			switch (pa_eval(as, st->imm, (int64_t)addr, false, &v)) {
			case EV_OK: size = fill_size(st->kind, v, addr); break;
			case EV_UNKNOWN: stable = false; break;
			default: break;
			}
			break;
		default:
			break;
		}
		st->size = size;
		addr += size;
	}
	as->end = addr;
	return stable;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* "0x1F" for addresses, or decimal when negative. */
static const char *addr_text(int64_t v, char *buf, size_t cap)
{
	if (v < 0)
		snprintf(buf, cap, "%lld", (long long)v);
	else
		snprintf(buf, cap, "0x%04llX", (unsigned long long)v);
	return buf;
}

/* Range check of an instruction's immediate; true when it may be encoded. */
static bool check_imm(struct pa_asm *as, const struct pa_stmt *st, const char *mn, enum pxvm_imm_kind ik, int64_t v)
{
	const struct pa_node *n = &as->nodes[st->imm];
	int li = n->line, col = n->scol;
	char b[32];
	switch (ik) {
	case PXVM_IMM_U8:
		if (v >= 0 && v <= 255)
			return true;
		pa_error(as, li, col, "%s value %lld is out of range (0..255)", mn, (long long)v);
		return false;
	case PXVM_IMM_S16:
	case PXVM_IMM_OFFSET:
		if (v >= -32768 && v <= 65535)
			return true;
		pa_error(as, li, col, "%s %s %lld is out of range (-32768..65535)", mn,
			 ik == PXVM_IMM_OFFSET ? "offset" : "value", (long long)v);
		return false;
	case PXVM_IMM_U16:
		if (v >= 0 && v <= 65535)
			return true;
		pa_error(as, li, col, "%s value %lld is out of range (0..65535)", mn, (long long)v);
		return false;
	case PXVM_IMM_TARGET:
	case PXVM_IMM_ADDR: {
		const char *what = ik == PXVM_IMM_TARGET ? "target" : "address";
		if (v < 0 || v > 0xFFFF) {
			pa_error(as, li, col, "%s %s %s is out of range (0x0000..0xFFFF)", mn, what, addr_text(v, b, sizeof b));
			return false;
		}
		if (v & 3) {
			pa_error(as, li, col, "%s %s %s is not 4-aligned%s", mn, what, addr_text(v, b, sizeof b),
				 ik == PXVM_IMM_ADDR ? " (LOAD and STORE access whole words)" : "");
			return false;
		}
		return true;
	}
	case PXVM_IMM_W32:
		if (v >= -2147483648LL && v <= 4294967295LL)
			return true;
		pa_error(as, li, col, "%s value %lld is out of range (-2147483648..4294967295)", mn, (long long)v);
		return false;
	case PXVM_IMM_NONE:
		break;
	}
	return false;
}

static void emit_insn(struct pa_asm *as, const struct pa_stmt *st, uint8_t *out)
{
	const struct pxvm_opinfo *oi = pxvm_opinfo((uint32_t)st->op);
	enum pxvm_imm_kind ik = pxvm_disasm_imm_kind((uint32_t)st->op);
	uint32_t word = PXVM_ENCODE(st->op, st->ra, st->rb, 0), next = 0;
	if (st->addr & 3) {
		pa_error(as, st->line, st->col, "instruction at unaligned address 0x%04llX: the data before it "
			 "ends unaligned; put .align 4 before this instruction", (unsigned long long)st->addr);
		return;
	}
	if (oi->format == PXVM_F_ABC)
		word |= (uint32_t)st->rc << 16;
	if (st->imm >= 0) {
		int64_t v;
		if (pa_eval(as, st->imm, (int64_t)st->addr, true, &v) != EV_OK || !check_imm(as, st, oi->name, ik, v))
			return;
		if (ik == PXVM_IMM_W32)
			next = (uint32_t)v;
		else if (ik == PXVM_IMM_U8)
			word |= (uint32_t)v << 16;
		else
			word |= ((uint32_t)v & 0xFFFFu) << 16;
	}
	if (out) {
		put32(out, word);
		if (oi->words == 2)
			put32(out + 4, next);
	}
}

static void emit_equ(struct pa_asm *as, const struct pa_stmt *st)
{
	struct pa_sym *y = &as->syms[st->sym];
	int64_t v;
	y->busy = true;
	as->cycle_sym = -1;
	enum pa_ev r = pa_eval(as, y->expr, y->dot, true, &v);
	as->syms[st->sym].busy = false;
	if (r == EV_CYCLE && as->cycle_sym == st->sym)
		pa_error(as, st->line, st->col, "circular definition of '%s'", as->syms[st->sym].name);
}

static void emit_fill(struct pa_asm *as, const struct pa_stmt *st, int64_t v)
{
	const struct pa_node *n = &as->nodes[st->imm];
	char b[32];
	if (st->kind == S_ZERO && (v < 0 || v > (int64_t)PXVM_IMAGE_MAX)) {
		pa_error(as, n->line, n->scol, ".zero count %lld is out of range (0..%u)", (long long)v,
			 (unsigned)PXVM_IMAGE_MAX);
	} else if (st->kind == S_ORG && v < (int64_t)st->addr) {
		pa_error(as, n->line, n->scol, ".org %s goes backwards: the current address is already 0x%04llX",
			 addr_text(v, b, sizeof b), (unsigned long long)st->addr);
	} else if (st->kind == S_ORG && v > (int64_t)IMAGE_END) {
		pa_error(as, n->line, n->scol, ".org %s is past the end of the image area (0x%04llX)",
			 addr_text(v, b, sizeof b), (unsigned long long)IMAGE_END);
	} else if (st->kind == S_ALIGN && !(pow2(v) && v <= 65536)) {
		pa_error(as, n->line, n->scol, ".align needs a power of two from 1 to 65536, got %lld", (long long)v);
	} else if (fill_size(st->kind, v, st->addr) != st->size) {
		pa_error(as, st->line, st->col, "cannot lay out this line: its size depends on labels that move "
			 "with it (%llu bytes now, %llu in the last layout pass)",
			 (unsigned long long)fill_size(st->kind, v, st->addr), (unsigned long long)st->size);
	}
}

static void emit(struct pa_asm *as, uint8_t *img)
{
	bool overflow = false;
	as->eval_gen++;
	for (size_t i = 0; i < as->nstmts && !as->stopped; i++) {
		struct pa_stmt *st = &as->stmts[i];
		bool fits = st->addr + st->size <= IMAGE_END;
		uint8_t *out = fits ? img + (st->addr - PXVM_IMAGE_BASE) : NULL;
		int64_t v;
		switch (st->kind) {
		case S_EQU:
			emit_equ(as, st);
			break;
		case S_INSN:
			emit_insn(as, st, out);
			break;
		case S_BYTE:
		case S_WORD:
			for (int e = 0; e < st->nexprs; e++) {
				const struct pa_node *n = &as->nodes[st->exprs[e]];
				bool byte = st->kind == S_BYTE;
				int64_t lo = byte ? -128 : -2147483648LL, hi = byte ? 255 : 4294967295LL;
				if (pa_eval(as, st->exprs[e], (int64_t)st->addr, true, &v) != EV_OK)
					continue;
				if (v < lo || v > hi)
					pa_error(as, n->line, n->scol, "%s value %lld is out of range (%lld..%lld)",
						 byte ? ".byte" : ".word", (long long)v, (long long)lo, (long long)hi);
				else if (out && byte)
					out[e] = (uint8_t)v;
				else if (out)
					put32(out + 4 * e, (uint32_t)v);
			}
			break;
		case S_DATA:
			if (out)
				memcpy(out, st->bytes, st->nbytes);
			break;
		case S_ZERO:
		case S_ORG:
		case S_ALIGN:
			if (pa_eval(as, st->imm, (int64_t)st->addr, true, &v) == EV_OK)
				emit_fill(as, st, v);
			break;
		case S_ENTRY:
			if (pa_eval(as, st->imm, (int64_t)st->addr, true, &v) != EV_OK)
				break;
			if (as->entry_stmt >= 0) {
				pa_error(as, st->line, st->col, "duplicate .entry");
				pa_note(as, as->stmts[as->entry_stmt].line, as->stmts[as->entry_stmt].col,
					"the first .entry is here");
			} else {
				as->entry = v;
				as->entry_stmt = (int)i;
			}
			break;
		default:
			break;
		}
		if (!fits && !overflow) {
			pa_error(as, st->line, st->col, "image larger than PXVM_IMAGE_MAX (0x%X bytes): this line ends at "
				 "0x%llX, past the end of the image area (0x%04llX)", (unsigned)PXVM_IMAGE_MAX,
				 (unsigned long long)(st->addr + st->size), (unsigned long long)IMAGE_END);
			overflow = true;
		}
	}
}

/* Entry point: .entry, else the symbol _start, else the image base. */
static void choose_entry(struct pa_asm *as, uint64_t size)
{
	int line, col;
	int64_t v;
	const char *what;
	if (as->entry_stmt >= 0) {
		const struct pa_node *n = &as->nodes[as->stmts[as->entry_stmt].imm];
		v = as->entry, line = n->line, col = n->scol, what = ".entry";
	} else {
		int s = pa_sym_find(as, "_start", 6);
		if (s < 0 || as->syms[s].kind == SYM_UNDEF) {
			as->entry = PXVM_IMAGE_BASE;
			return;
		}
		const struct pa_sym *y = &as->syms[s];
		if (y->kind == SYM_EQU && (y->expr < 0 || pa_eval(as, y->expr, y->dot, false, &v) != EV_OK))
			return; /* its own error was reported */
		if (y->kind == SYM_LABEL)
			v = y->value;
		line = y->def_line, col = y->def_col, what = "_start";
	}
	char b[32];
	if (v & 3)
		pa_error(as, line, col, "entry point %s (%s) is not 4-aligned", addr_text(v, b, sizeof b), what);
	else if (v < (int64_t)PXVM_IMAGE_BASE || (uint64_t)v >= PXVM_IMAGE_BASE + size)
		pa_error(as, line, col, "entry point %s (%s) is outside the image (0x%04X..0x%04llX)",
			 addr_text(v, b, sizeof b), what, (unsigned)PXVM_IMAGE_BASE,
			 (unsigned long long)(PXVM_IMAGE_BASE + size));
	as->entry = v;
}

int pxasm_assemble(const char *name, const char *text, size_t len,
		   const struct pxasm_options *opt, struct pxasm_result *res)
{
	static const struct pxasm_options defaults;
	struct pa_asm *as = pa_realloc(NULL, sizeof *as);
	memset(as, 0, sizeof *as);
	memset(res, 0, sizeof *res);
	as->opt = opt ? opt : &defaults;
	as->max_errors = as->opt->max_errors > 0 ? as->opt->max_errors : PXASM_MAX_ERRORS;
	as->collecting = -1;
	as->scope = -1;
	as->entry_stmt = -1;
	as->cycle_sym = -1;
	as->eval_gen = 1;
	res->priv = as;
	res->base = PXVM_IMAGE_BASE;

	pa_source_run(as, name ? name : "<input>", text ? text : "", text ? len : 0);
	if (!as->stopped && !as->too_big) /* a truncated source would only add confusing errors */
		pa_parse_all(as);
	uint8_t *img = NULL;
	uint64_t size = 0;
	if (!as->stopped && !as->too_big) {
		for (int pass = 0; pass < PA_MAX_PASSES && !layout_pass(as); pass++)
			;
		img = pa_realloc(NULL, PXVM_IMAGE_MAX + 4u);
		memset(img, 0, PXVM_IMAGE_MAX + 4u);
		emit(as, img);
		uint64_t end = as->end < IMAGE_END ? as->end : IMAGE_END;
		size = (end - PXVM_IMAGE_BASE + 3u) & ~(uint64_t)3u;
		if (!as->stopped)
			choose_entry(as, size);
	}
	pa_sort_diags(as);
	if (as->stopped) {
		as->dropped = false;
		pa_note(as, -1, -1, "stopped after %d errors", as->max_errors);
	}
	if (as->nerrors == 0) {
		res->image = img;
		res->image_size = (size_t)size;
		res->entry = (uint32_t)as->entry;
	} else {
		free(img);
	}
	pa_build_outputs(as, res);
	return as->nerrors ? -1 : 0;
}

void pxasm_result_free(struct pxasm_result *res)
{
	struct pa_asm *as = res->priv;
	if (as) {
		for (size_t i = 0; i < as->nfiles; i++) {
			free(as->files[i].path);
			free(as->files[i].key);
			free(as->files[i].text);
		}
		for (size_t i = 0; i < as->nlines; i++)
			free(as->lines[i].text);
		for (size_t m = 0; m < as->nmacros; m++) {
			struct pa_macro *mc = &as->macros[m];
			for (int q = 0; q < mc->nparams; q++)
				free(mc->params[q]);
			for (size_t b = 0; b < mc->nbody; b++)
				free(mc->body[b].text);
			free(mc->params);
			free(mc->body);
			free(mc->name);
		}
		for (size_t i = 0; i < as->nsyms; i++)
			free(as->syms[i].name);
		for (size_t i = 0; i < as->nstmts; i++) {
			free(as->stmts[i].exprs);
			free(as->stmts[i].bytes);
		}
		for (size_t i = 0; i < as->ndiags; i++) {
			free(as->diags[i].message);
			free(as->diags[i].source);
		}
		free(as->files);
		free(as->lines);
		free(as->exps);
		free(as->macros);
		free(as->nodes);
		free(as->syms);
		free(as->hash);
		free(as->stmts);
		free(as->diags);
		free(as->dkeys);
		free(as);
	}
	free(res->image);
	free(res->list);
	free(res->syms);
	memset(res, 0, sizeof *res);
}
