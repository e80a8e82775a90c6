/*
 * parse.c — pxasm phase 2: each line into statements (docs/pxasm.md, "Syntax").
 *
 *   line := (label ':')* [ name '=' expr | directive args | mnemonic operands ]
 *
 * Instruction operands follow the opcode's syntax string in PXVM_OPCODES
 * ("a,b,c", "a,[b+i]", ...): 'a' 'b' 'c' are registers, 'i' an expression,
 * "[b+i]" a memory operand [rb], [rb + expr] or [rb - expr].
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/pxasm/internal.h"
#include "pxvm/isa.h"
#include "pxvm/disasm.h"

static const char *const directives[] = {
	".equ", ".org", ".align", ".byte", ".word", ".string", ".ascii", ".zero",
	".include", ".macro", ".endm", ".entry", NULL,
};

static int new_stmt(struct pa_asm *as, int kind, int line, int col)
{
	PA_GROW(as->stmts, as->nstmts, as->capstmts);
	struct pa_stmt *s = &as->stmts[as->nstmts];
	memset(s, 0, sizeof *s);
	s->kind = (uint8_t)kind;
	s->line = line;
	s->col = col;
	s->sym = -1;
	s->imm = -1;
	if (kind != S_LABEL && kind != S_EQU && kind != S_ENTRY)
		as->lines[line].stmt = (int)as->nstmts;
	return (int)as->nstmts++;
}

static struct pa_pctx pctx(struct pa_asm *as, int li, struct pa_toks *t, size_t i, size_t end)
{
	struct pa_pctx p;
	memset(&p, 0, sizeof p);
	p.as = as;
	p.line = li;
	p.text = as->lines[li].text;
	p.t = t;
	p.i = i;
	p.end = end;
	return p;
}

/* Parse one expression filling [i, end) exactly; returns the node or -1. */
static int expr_range(struct pa_asm *as, int li, struct pa_toks *t, size_t i, size_t end, const char *what)
{
	struct pa_pctx p = pctx(as, li, t, i, end);
	int n = pa_parse_expr(&p);
	if (n >= 0 && p.i < end) {
		char d[64];
		pa_error(as, li, t->v[p.i].col, "unexpected %s after %s", pa_tok_desc(&p, &t->v[p.i], d, sizeof d), what);
		return -1;
	}
	return n;
}

/* Error unless a symbol named `full` can be defined; reports duplicates. */
static bool can_define(struct pa_asm *as, int li, const struct pa_tok *k, const char *full, const char *what)
{
	const char *s = as->lines[li].text + k->col;
	if (pa_register(s, (size_t)k->len) >= 0) {
		pa_error(as, li, k->col, "'%.*s' is a register name and cannot be a %s", k->len, s, what);
		return false;
	}
	int prev = pa_sym_find(as, full, strlen(full));
	if (prev >= 0 && as->syms[prev].kind != SYM_UNDEF) {
		const struct pa_sym *p = &as->syms[prev];
		if (p->kind == SYM_LABEL && !strcmp(what, "label"))
			pa_error(as, li, k->col, "duplicate label '%s'", full);
		else
			pa_error(as, li, k->col, "'%s' is already defined (as a %s)", full,
				 p->kind == SYM_LABEL ? "label" : "constant");
		pa_note(as, p->def_line, p->def_col, "'%s' was first defined here", full);
		return false;
	}
	return true;
}

static void define_label(struct pa_asm *as, int li, const struct pa_tok *k)
{
	const char *s = as->lines[li].text + k->col;
	char *full = pa_scoped_name(as, s, (size_t)k->len);
	if (can_define(as, li, k, full, "label")) {
		int sym = pa_sym_get(as, full, strlen(full));
		as->syms[sym].kind = SYM_LABEL;
		as->syms[sym].def_line = li;
		as->syms[sym].def_col = k->col;
		int si = new_stmt(as, S_LABEL, li, k->col);
		as->stmts[si].sym = sym;
		if (s[0] != '.')
			as->scope = sym;
	} else if (s[0] != '.') {
		int sym = pa_sym_find(as, full, strlen(full));
		if (sym >= 0)
			as->scope = sym;
	}
	free(full);
}

/* name = expr   or   .equ name, expr (the expression starts at token e). A
 * constant whose expression does not parse is still defined (as invalid), so
 * its uses do not add "unknown label" errors. */
static void define_constant(struct pa_asm *as, int li, struct pa_toks *t, const struct pa_tok *k, size_t e)
{
	const char *s = as->lines[li].text + k->col;
	char *full = pa_scoped_name(as, s, (size_t)k->len);
	char what[80];
	snprintf(what, sizeof what, "the value of '%s'", full);
	if (can_define(as, li, k, full, "constant")) {
		int n = t->v[e].kind == TK_END ? -1 : expr_range(as, li, t, e, t->n - 1, what);
		if (t->v[e].kind == TK_END)
			pa_error(as, li, t->v[e].col, "missing value for '%s'", full);
		int sym = pa_sym_get(as, full, strlen(full));
		struct pa_sym *y = &as->syms[sym];
		y->kind = SYM_EQU;
		y->expr = n;
		y->def_line = li;
		y->def_col = k->col;
		if (n >= 0) {
			int si = new_stmt(as, S_EQU, li, k->col);
			as->stmts[si].sym = sym;
		}
	}
	free(full);
}

/* Comma-separated list of expressions from token i to the end of the line. */
static void expr_list(struct pa_asm *as, int li, struct pa_toks *t, size_t i, int kind, const char *dir)
{
	struct pa_tok *d = &t->v[i - 1];
	if (t->v[i].kind == TK_END) {
		pa_error(as, li, d->col, "%s needs at least one value", dir);
		return;
	}
	int *exprs = NULL;
	int n = 0;
	for (;;) {
		size_t j = i;
		int nest = 0;
		while (t->v[j].kind != TK_END && !(nest == 0 && pa_is_punct(&t->v[j], ','))) {
			nest += pa_is_punct(&t->v[j], '(') - (pa_is_punct(&t->v[j], ')') && nest > 0);
			j++;
		}
		if (j == i) {
			pa_error(as, li, t->v[j].col, "missing value in %s list", dir);
			free(exprs);
			return;
		}
		char what[48];
		snprintf(what, sizeof what, "value %d of %s", n + 1, dir);
		int e = expr_range(as, li, t, i, j, what);
		if (e < 0) {
			free(exprs);
			return;
		}
		exprs = pa_realloc(exprs, (size_t)(n + 1) * sizeof *exprs);
		exprs[n++] = e;
		if (t->v[j].kind == TK_END)
			break;
		i = j + 1;
	}
	int si = new_stmt(as, kind, li, d->col);
	struct pa_stmt *s = &as->stmts[si];
	s->exprs = exprs;
	s->nexprs = n;
}

static void string_list(struct pa_asm *as, int li, struct pa_toks *t, size_t i, bool nul, const char *dir)
{
	struct pa_tok *d = &t->v[i - 1];
	uint8_t *bytes = NULL;
	size_t n = 0;
	for (;;) {
		const struct pa_tok *k = &t->v[i];
		if (k->kind != TK_STR) {
			struct pa_pctx p = pctx(as, li, t, i, t->n - 1);
			char desc[64];
			pa_error(as, li, k->col, "expected a string in quotes after %s, found %s", dir,
				 pa_tok_desc(&p, k, desc, sizeof desc));
			free(bytes);
			return;
		}
		bytes = pa_realloc(bytes, n + k->slen + 1);
		memcpy(bytes + n, t->sbuf + k->str, k->slen);
		n += k->slen;
		if (nul)
			bytes[n++] = 0;
		i++;
		if (t->v[i].kind == TK_END)
			break;
		if (!pa_is_punct(&t->v[i], ',')) {
			pa_error(as, li, t->v[i].col, "expected ',' between the strings of %s", dir);
			free(bytes);
			return;
		}
		i++;
	}
	int si = new_stmt(as, S_DATA, li, d->col);
	struct pa_stmt *s = &as->stmts[si];
	s->bytes = bytes;
	s->nbytes = n;
}

static void directive(struct pa_asm *as, int li, struct pa_toks *t, size_t i)
{
	const struct pa_tok *k = &t->v[i];
	const char *s = as->lines[li].text + k->col;
	size_t len = (size_t)k->len;
	char what[48];
	snprintf(what, sizeof what, "the operand of %.*s", k->len > 20 ? 20 : k->len, s);
	static const struct { const char *name; int kind; } single[] = {
		{ ".org", S_ORG }, { ".align", S_ALIGN }, { ".zero", S_ZERO }, { ".entry", S_ENTRY },
	};
	for (size_t d = 0; d < sizeof single / sizeof single[0]; d++) {
		if (!pa_eq_ci(s, len, single[d].name))
			continue;
		if (t->v[i + 1].kind == TK_END) {
			pa_error(as, li, k->col, "%s needs an operand", single[d].name);
			return;
		}
		int e = expr_range(as, li, t, i + 1, t->n - 1, what);
		if (e >= 0) {
			int si = new_stmt(as, single[d].kind, li, k->col);
			as->stmts[si].imm = e;
		}
		return;
	}
	if (pa_eq_ci(s, len, ".equ")) {
		const struct pa_tok *name = &t->v[i + 1];
		if (name->kind != TK_IDENT)
			pa_error(as, li, name->col, "expected a name after .equ (.equ name, value)");
		else if (!pa_is_punct(&t->v[i + 2], ','))
			pa_error(as, li, t->v[i + 2].col, "expected ',' after the name in .equ (.equ name, value)");
		else
			define_constant(as, li, t, name, i + 3);
	} else if (pa_eq_ci(s, len, ".byte")) {
		expr_list(as, li, t, i + 1, S_BYTE, ".byte");
	} else if (pa_eq_ci(s, len, ".word")) {
		expr_list(as, li, t, i + 1, S_WORD, ".word");
	} else if (pa_eq_ci(s, len, ".string")) {
		string_list(as, li, t, i + 1, true, ".string");
	} else if (pa_eq_ci(s, len, ".ascii")) {
		string_list(as, li, t, i + 1, false, ".ascii");
	} else if (pa_eq_ci(s, len, ".include") || pa_eq_ci(s, len, ".macro") || pa_eq_ci(s, len, ".endm")) {
		pa_error(as, li, k->col, "%.*s must be the first word of its line", k->len, s);
	} else {
		struct pa_suggest sg;
		pa_suggest_init(&sg);
		for (int d = 0; directives[d]; d++)
			pa_suggest_try(&sg, s, len, directives[d]);
		const char *best = pa_suggest_get(&sg, len);
		pa_error(as, li, k->col, "unknown directive '%.*s'%s%s%s", k->len, s,
			 best ? "; did you mean '" : "", best ? best : "", best ? "'?" : "");
	}
}

/* ---- Instructions ------------------------------------------------------------------ */

void pa_describe_operands(uint32_t op, char *buf, size_t cap)
{
	const char *syn = pxvm_opinfo(op)->syntax;
	enum pxvm_imm_kind ik = pxvm_disasm_imm_kind(op);
	size_t n = 0;
	if (cap)
		buf[0] = '\0';
	for (const char *c = syn; *c && n + 20 < cap; c++) {
		const char *part = "";
		switch (*c) {
		case 'a': part = "ra"; break;
		case 'b': part = "rb"; break;
		case 'c': part = "rc"; break;
		case 'i': part = pxvm_disasm_imm_name(ik); break;
		case ',': part = ", "; break;
		case '[':
			part = "[rb + offset]";
			while (c[1] && *c != ']')
				c++;
			break;
		default: break;
		}
		n += (size_t)snprintf(buf + n, cap - n, "%s", part);
	}
}

static int parse_reg(struct pa_asm *as, int li, struct pa_toks *t, size_t s, size_t e, int opn, const char *mn)
{
	const struct pa_tok *k = &t->v[s];
	const char *txt = as->lines[li].text + k->col;
	struct pa_pctx p = pctx(as, li, t, s, e);
	char d[64];
	if (k->kind == TK_IDENT && pa_register(txt, (size_t)k->len) >= 0) {
		if (e > s + 1) {
			pa_error(as, li, t->v[s + 1].col, "unexpected %s after register %.*s",
				 pa_tok_desc(&p, &t->v[s + 1], d, sizeof d), k->len, txt);
			return -1;
		}
		return pa_register(txt, (size_t)k->len);
	}
	if (k->kind == TK_IDENT && (txt[0] == 'r' || txt[0] == 'R') && k->len > 1 && txt[1] >= '0' && txt[1] <= '9')
		pa_error(as, li, k->col, "no register %.*s; registers are R0..R7 and SP", k->len, txt);
	else
		pa_error(as, li, k->col, "operand %d of %s must be a register (R0..R7 or SP), found %s", opn, mn,
			 pa_tok_desc(&p, k, d, sizeof d));
	return -1;
}

static int parse_imm(struct pa_asm *as, int li, struct pa_toks *t, size_t s, size_t e, int opn,
		     const char *mn, enum pxvm_imm_kind ik)
{
	const struct pa_tok *k = &t->v[s];
	const char *txt = as->lines[li].text + k->col;
	if (e == s + 1 && k->kind == TK_IDENT && pa_register(txt, (size_t)k->len) >= 0) {
		pa_error(as, li, k->col, "operand %d of %s (%s) must be an expression, not register %.*s", opn, mn,
			 pxvm_disasm_imm_name(ik), k->len, txt);
		return -1;
	}
	char what[48];
	snprintf(what, sizeof what, "operand %d of %s", opn, mn);
	return expr_range(as, li, t, s, e, what);
}

static bool parse_mem(struct pa_asm *as, int li, struct pa_toks *t, size_t s, size_t e, int opn,
		      const char *mn, struct pa_stmt *out)
{
	struct pa_pctx p = pctx(as, li, t, s, e);
	char d[64];
	if (!pa_is_punct(&t->v[s], '[')) {
		pa_error(as, li, t->v[s].col, "operand %d of %s must be a memory operand [rb + offset], found %s",
			 opn, mn, pa_tok_desc(&p, &t->v[s], d, sizeof d));
		return false;
	}
	if (e - s < 2 || !pa_is_punct(&t->v[e - 1], ']')) {
		pa_error(as, li, t->v[e - 1].col, "expected ']' to close the memory operand [rb + offset]");
		return false;
	}
	const struct pa_tok *rt = &t->v[s + 1];
	int r = rt->kind == TK_IDENT ? pa_register(as->lines[li].text + rt->col, (size_t)rt->len) : -1;
	if (r < 0) {
		pa_error(as, li, rt->col, "a memory operand starts with a base register: [rb + offset], found %s",
			 pa_tok_desc(&p, rt, d, sizeof d));
		return false;
	}
	out->rb = (uint8_t)r;
	if (s + 2 == e - 1) { /* [rb]: offset 0 */
		PA_GROW(as->nodes, as->nnodes, as->capnodes);
		struct pa_node *n = &as->nodes[as->nnodes];
		memset(n, 0, sizeof *n);
		n->op = N_NUM;
		n->a = n->b = n->sym = -1;
		n->line = li;
		n->col = n->scol = t->v[s].col;
		out->imm = (int)as->nnodes++;
		return true;
	}
	const struct pa_tok *k = &t->v[s + 2];
	if (!pa_is_punct(k, '+') && !pa_is_punct(k, '-')) {
		pa_error(as, li, k->col, "expected '+', '-' or ']' after the base register, found %s",
			 pa_tok_desc(&p, k, d, sizeof d));
		return false;
	}
	char what[48];
	snprintf(what, sizeof what, "the offset of operand %d of %s", opn, mn);
	out->imm = expr_range(as, li, t, s + 2, e - 1, what);
	return out->imm >= 0;
}

static void unknown_mnemonic(struct pa_asm *as, int li, struct pa_toks *t, size_t i)
{
	const struct pa_tok *k = &t->v[i];
	const char *s = as->lines[li].text + k->col;
	struct pa_suggest sg;
	pa_suggest_init(&sg);
	for (uint32_t op = 0; op < 256; op++)
		if (pxvm_opinfo(op)->name)
			pa_suggest_try(&sg, s, (size_t)k->len, pxvm_opinfo(op)->name);
	for (size_t m = 0; m < as->nmacros; m++)
		pa_suggest_try(&sg, s, (size_t)k->len, as->macros[m].name);
	const char *best = pa_suggest_get(&sg, (size_t)k->len);
	if (best)
		pa_error(as, li, k->col, "unknown mnemonic '%.*s'; did you mean '%s'?", k->len, s, best);
	else if (t->v[i + 1].kind == TK_END)
		pa_error(as, li, k->col, "unknown mnemonic '%.*s' (to define a label, write '%.*s:')", k->len, s,
			 k->len, s);
	else
		pa_error(as, li, k->col, "unknown mnemonic '%.*s'", k->len, s);
}

#define MAX_OPERANDS 8

static void instruction(struct pa_asm *as, int li, struct pa_toks *t, size_t i)
{
	const struct pa_tok *k = &t->v[i];
	const char *s = as->lines[li].text + k->col;
	int op = pxvm_opcode_by_name(s, (unsigned)k->len);
	if (op < 0) {
		unknown_mnemonic(as, li, t, i);
		return;
	}
	const struct pxvm_opinfo *oi = pxvm_opinfo((uint32_t)op);
	enum pxvm_imm_kind ik = pxvm_disasm_imm_kind((uint32_t)op);

	size_t start[MAX_OPERANDS], end[MAX_OPERANDS];
	int nops = pa_split_commas(t, i + 1, start, end, MAX_OPERANDS);
	int nsyn = oi->syntax[0] ? 1 : 0;
	for (const char *c = oi->syntax; *c; c++)
		nsyn += *c == ',';
	if (nops != nsyn) {
		char desc[64];
		pa_describe_operands((uint32_t)op, desc, sizeof desc);
		if (nsyn == 0)
			pa_error(as, li, k->col, "%s takes no operands (got %d)", oi->name, nops);
		else
			pa_error(as, li, k->col, "%s takes %s (got %d operand%s)", oi->name, desc, nops,
				 nops == 1 ? "" : "s");
		return;
	}

	struct pa_stmt in;
	memset(&in, 0, sizeof in);
	in.imm = -1;
	const char *c = oi->syntax;
	for (int n = 0; n < nops; n++) {
		if (start[n] == end[n]) {
			pa_error(as, li, t->v[end[n]].col, "operand %d of %s is empty", n + 1, oi->name);
			return;
		}
		int r = 0;
		switch (*c) {
		case 'a':
		case 'b':
		case 'c':
			r = parse_reg(as, li, t, start[n], end[n], n + 1, oi->name);
			if (r >= 0)
				*(*c == 'a' ? &in.ra : *c == 'b' ? &in.rb : &in.rc) = (uint8_t)r;
			break;
		case 'i':
			in.imm = r = parse_imm(as, li, t, start[n], end[n], n + 1, oi->name, ik);
			break;
		case '[':
			r = parse_mem(as, li, t, start[n], end[n], n + 1, oi->name, &in) ? 0 : -1;
			break;
		default:
			r = -1;
			pa_error(as, li, k->col, "internal: unknown syntax '%s' of %s in pxvm/isa.h",
				 oi->syntax, oi->name);
			break;
		}
		if (r < 0)
			return;
		while (*c && *c != ',')
			c++;
		if (*c == ',')
			c++;
	}
	int si = new_stmt(as, S_INSN, li, k->col);
	struct pa_stmt *st = &as->stmts[si];
	st->op = op;
	st->ra = in.ra;
	st->rb = in.rb;
	st->rc = in.rc;
	st->imm = in.imm;
}

/* ---- Lines ----------------------------------------------------------------------------- */

static void parse_line(struct pa_asm *as, int li, struct pa_toks *t)
{
	const struct pa_line *l = &as->lines[li];
	size_t i = 0;
	while (t->v[i].kind == TK_IDENT && pa_is_punct(&t->v[i + 1], ':')) {
		define_label(as, li, &t->v[i]);
		i += 2;
	}
	if (l->kind == L_CALL)
		return;
	if (t->err_col >= 0) {
		pa_error(as, li, t->err_col, "%s", t->err);
		return;
	}
	const struct pa_tok *k = &t->v[i];
	if (k->kind == TK_END)
		return;
	if (k->kind == TK_IDENT && pa_is_punct(&t->v[i + 1], '=')) {
		define_constant(as, li, t, k, i + 2);
	} else if (k->kind == TK_IDENT && l->text[k->col] == '.') {
		directive(as, li, t, i);
	} else if (k->kind == TK_IDENT) {
		instruction(as, li, t, i);
	} else {
		struct pa_pctx p = pctx(as, li, t, i, t->n - 1);
		char d[64];
		pa_error(as, li, k->col, "expected a label, directive or instruction, found %s",
			 pa_tok_desc(&p, k, d, sizeof d));
	}
}

void pa_parse_all(struct pa_asm *as)
{
	struct pa_toks t = { 0 };
	as->scope = -1;
	for (size_t li = 0; li < as->nlines && !as->stopped; li++) {
		if (as->lines[li].kind == L_SKIP)
			continue;
		pa_lex(as->lines[li].text, as->lines[li].len, &t);
		parse_line(as, (int)li, &t);
	}
	pa_toks_free(&t);
}
