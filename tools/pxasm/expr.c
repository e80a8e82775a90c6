/*
 * expr.c — pxasm's symbols and expressions (docs/pxasm.md, "Expressions").
 *
 * Grammar, loosest first, with C's precedence and left associativity:
 *   expr := xor ('|' xor)*      xor := and ('^' and)*     and := shift ('&' shift)*
 *   shift := add (('<<'|'>>') add)*      add := mul (('+'|'-') mul)*
 *   mul := unary (('*'|'/'|'%') unary)*  unary := ('-'|'~'|'+') unary | primary
 *   primary := number | 'c' | symbol | '.' | '(' expr ')'
 * Values are 64-bit signed; + - * << wrap modulo 2^64; / and % truncate toward
 * zero; >> is arithmetic. Range checks happen where a value is used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/pxasm/internal.h"

#define PA_MAX_NEST 100          /* parentheses and unary operators */
#define PA_MAX_EVAL_DEPTH 10000 /* nodes on one evaluation path */

/* ---- Registers and symbols -------------------------------------------------- */

int pa_register(const char *s, size_t len)
{
	if (len == 2 && (s[0] == 'r' || s[0] == 'R') && s[1] >= '0' && s[1] <= '7')
		return s[1] - '0';
	if (pa_eq_ci(s, len, "sp"))
		return 7;
	return -1;
}

static uint32_t hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

int pa_sym_find(struct pa_asm *as, const char *name, size_t len)
{
	if (!as->hcap)
		return -1;
	for (int i = as->hash[hash(name, len) & (as->hcap - 1)]; i >= 0; i = as->syms[i].next)
		if (strlen(as->syms[i].name) == len && memcmp(as->syms[i].name, name, len) == 0)
			return i;
	return -1;
}

static void rehash(struct pa_asm *as)
{
	size_t cap = as->hcap ? as->hcap * 2 : 256;
	free(as->hash);
	as->hash = pa_realloc(NULL, cap * sizeof *as->hash);
	as->hcap = cap;
	for (size_t b = 0; b < cap; b++)
		as->hash[b] = -1;
	for (size_t i = 0; i < as->nsyms; i++) {
		struct pa_sym *s = &as->syms[i];
		size_t b = hash(s->name, strlen(s->name)) & (cap - 1);
		s->next = as->hash[b];
		as->hash[b] = (int)i;
	}
}

int pa_sym_get(struct pa_asm *as, const char *name, size_t len)
{
	int i = pa_sym_find(as, name, len);
	if (i >= 0)
		return i;
	PA_GROW(as->syms, as->nsyms, as->capsyms);
	struct pa_sym *s = &as->syms[as->nsyms];
	memset(s, 0, sizeof *s);
	s->name = pa_strndup(name, len);
	s->kind = SYM_UNDEF;
	s->expr = -1;
	s->def_line = -1;
	as->nsyms++;
	if (as->nsyms * 2 > as->hcap) {
		rehash(as);
	} else {
		size_t b = hash(name, len) & (as->hcap - 1);
		s->next = as->hash[b];
		as->hash[b] = (int)as->nsyms - 1;
	}
	return (int)as->nsyms - 1;
}

char *pa_scoped_name(struct pa_asm *as, const char *s, size_t len)
{
	if (s[0] == '.' && as->scope >= 0)
		return pa_printf("%s%.*s", as->syms[as->scope].name, (int)len, s);
	return pa_strndup(s, len);
}

/* ---- Parser ---------------------------------------------------------------------- */

const struct pa_tok *pa_peek(struct pa_pctx *p)
{
	if (p->i < p->end)
		return &p->t->v[p->i];
	memset(&p->endtok, 0, sizeof p->endtok);
	p->endtok.kind = TK_END;
	p->endtok.col = p->t->v[p->end < p->t->n ? p->end : p->t->n - 1].col;
	return &p->endtok;
}

const char *pa_tok_desc(struct pa_pctx *p, const struct pa_tok *k, char *buf, size_t cap)
{
	if (k->kind == TK_END) {
		const struct pa_tok *stop = &p->t->v[p->end < p->t->n ? p->end : p->t->n - 1];
		snprintf(buf, cap, "%s", stop->kind == TK_END ? "the end of the line" : "','");
	} else {
		int n = k->len > 32 ? 32 : k->len;
		snprintf(buf, cap, "'%.*s%s'", n, p->text + k->col, k->len > 32 ? "..." : "");
	}
	return buf;
}

static int new_node(struct pa_pctx *p, int op, const struct pa_tok *k)
{
	struct pa_asm *as = p->as;
	PA_GROW(as->nodes, as->nnodes, as->capnodes);
	struct pa_node *n = &as->nodes[as->nnodes];
	memset(n, 0, sizeof *n);
	n->op = (uint8_t)op;
	n->a = n->b = n->sym = -1;
	n->line = p->line;
	n->col = k->col;
	n->len = k->len;
	return (int)as->nnodes++;
}

static int parse_unary(struct pa_pctx *p);

static int parse_primary(struct pa_pctx *p)
{
	const struct pa_tok *k = pa_peek(p);
	char d[64];
	int n;
	switch (k->kind) {
	case TK_NUM:
		n = new_node(p, N_NUM, k);
		p->as->nodes[n].v = k->num;
		p->i++;
		return n;
	case TK_DOT:
		p->i++;
		return new_node(p, N_DOT, k);
	case TK_IDENT: {
		const char *s = p->text + k->col;
		if (pa_register(s, (size_t)k->len) >= 0) {
			pa_error(p->as, p->line, k->col, "register %.*s cannot be used in an expression",
				 k->len, s);
			return -1;
		}
		char *name = pa_scoped_name(p->as, s, (size_t)k->len);
		n = new_node(p, N_SYM, k);
		p->as->nodes[n].sym = pa_sym_get(p->as, name, strlen(name));
		free(name);
		p->i++;
		return n;
	}
	case TK_PUNCT:
		if (k->op == '(') {
			int open = k->col;
			if (++p->nest > PA_MAX_NEST) {
				pa_error(p->as, p->line, k->col, "expression nested too deeply (limit %d)", PA_MAX_NEST);
				return -1;
			}
			p->i++;
			n = pa_parse_expr(p);
			p->nest--;
			if (n < 0)
				return -1;
			k = pa_peek(p);
			if (k->kind != TK_PUNCT || k->op != ')') {
				pa_error(p->as, p->line, k->col, "expected ')' to close the '(' at column %d, found %s",
					 open + 1, pa_tok_desc(p, k, d, sizeof d));
				return -1;
			}
			p->i++;
			return n;
		}
		break;
	default:
		break;
	}
	pa_error(p->as, p->line, k->col, "expected an expression, found %s", pa_tok_desc(p, k, d, sizeof d));
	return -1;
}

static int parse_unary(struct pa_pctx *p)
{
	const struct pa_tok *k = pa_peek(p);
	if (k->kind == TK_PUNCT && (k->op == '-' || k->op == '~' || k->op == '+')) {
		struct pa_tok op = *k;
		if (++p->nest > PA_MAX_NEST) {
			pa_error(p->as, p->line, k->col, "expression nested too deeply (limit %d)", PA_MAX_NEST);
			return -1;
		}
		p->i++;
		int a = parse_unary(p);
		p->nest--;
		if (a < 0 || op.op == '+')
			return a;
		int n = new_node(p, op.op == '-' ? N_NEG : N_NOT, &op);
		p->as->nodes[n].a = a;
		return n;
	}
	return parse_primary(p);
}

/* Binary levels, tightest first: each lists its operators and node ops. */
static const struct { int ops[3]; uint8_t nodes[3]; } levels[] = {
	{ { '*', '/', '%' }, { N_MUL, N_DIV, N_MOD } },
	{ { '+', '-', 0 }, { N_ADD, N_SUB, 0 } },
	{ { P_SHL, P_SHR, 0 }, { N_SHL, N_SHR, 0 } },
	{ { '&', 0, 0 }, { N_AND, 0, 0 } },
	{ { '^', 0, 0 }, { N_XOR, 0, 0 } },
	{ { '|', 0, 0 }, { N_OR, 0, 0 } },
};

static int parse_level(struct pa_pctx *p, int level)
{
	int lhs = level < 0 ? parse_unary(p) : parse_level(p, level - 1);
	while (lhs >= 0) {
		const struct pa_tok *k = pa_peek(p);
		int which = -1;
		for (int j = 0; j < 3 && k->kind == TK_PUNCT; j++)
			if (levels[level < 0 ? 0 : level].ops[j] == k->op && k->op)
				which = j;
		if (level < 0 || which < 0)
			return lhs;
		struct pa_tok op = *k;
		p->i++;
		int rhs = parse_level(p, level - 1);
		if (rhs < 0)
			return -1;
		int n = new_node(p, levels[level].nodes[which], &op);
		p->as->nodes[n].a = lhs;
		p->as->nodes[n].b = rhs;
		lhs = n;
	}
	return lhs;
}

int pa_parse_expr(struct pa_pctx *p)
{
	int col = pa_peek(p)->col;
	int n = parse_level(p, (int)(sizeof levels / sizeof levels[0]) - 1);
	if (n >= 0)
		p->as->nodes[n].scol = col;
	return n;
}

/* ---- Evaluation ------------------------------------------------------------------ */

static void unknown_label(struct pa_asm *as, const struct pa_node *n)
{
	const struct pa_sym *s = &as->syms[n->sym];
	const char *w = as->lines[n->line].text + n->col;
	struct pa_suggest sg;
	pa_suggest_init(&sg);
	for (size_t i = 0; i < as->nsyms; i++)
		if (as->syms[i].kind != SYM_UNDEF)
			pa_suggest_try(&sg, s->name, strlen(s->name), as->syms[i].name);
	const char *best = pa_suggest_get(&sg, strlen(s->name));
	char *looked = (size_t)n->len != strlen(s->name) ? pa_printf(" (looked for '%s')", s->name)
							 : pa_strndup("", 0);
	bool reglike = (w[0] == 'r' || w[0] == 'R') && n->len > 1 && w[1] >= '0' && w[1] <= '9';
	pa_error(as, n->line, n->col, "unknown label '%.*s'%s%s%s%s%s", n->len, w, looked,
		 best ? "; did you mean '" : "", best ? best : "", best ? "'?" : "",
		 reglike ? "; registers are R0..R7 and SP" : "");
	free(looked);
}

static enum pa_ev combine(enum pa_ev a, enum pa_ev b)
{
	return a > b ? a : b;
}

static enum pa_ev eval_node(struct pa_asm *as, int node, int64_t dot, bool report, int64_t *out);

/* Depth-limited: a long chain of constants (A1 = A0 + 1, A2 = A1 + 1, ...) or
 * a long left-leaning expression must not overflow the host's stack. */
enum pa_ev pa_eval(struct pa_asm *as, int node, int64_t dot, bool report, int64_t *out)
{
	*out = 0;
	if (as->eval_depth >= PA_MAX_EVAL_DEPTH) {
		as->eval_deep = true;
		return EV_ERROR;
	}
	as->eval_depth++;
	enum pa_ev r = eval_node(as, node, dot, report, out);
	as->eval_depth--;
	if (as->eval_depth == 0 && as->eval_deep) {
		as->eval_deep = false;
		if (report)
			pa_error(as, as->nodes[node].line, as->nodes[node].scol,
				 "expression nested too deeply (more than %d levels, counting the constants it uses)",
				 PA_MAX_EVAL_DEPTH);
		r = EV_ERROR;
	}
	return r;
}

static enum pa_ev eval_node(struct pa_asm *as, int node, int64_t dot, bool report, int64_t *out)
{
	const struct pa_node *n = &as->nodes[node];
	int64_t a = 0, b = 0;
	enum pa_ev r;
	*out = 0;
	switch (n->op) {
	case N_NUM:
		*out = n->v;
		return EV_OK;
	case N_DOT:
		*out = dot;
		return EV_OK;
	case N_SYM: {
		struct pa_sym *s = &as->syms[n->sym];
		if (s->kind == SYM_UNDEF) {
			if (report)
				unknown_label(as, n);
			return report ? EV_ERROR : EV_UNKNOWN;
		}
		if (s->kind == SYM_LABEL) {
			*out = s->value;
			return s->known ? EV_OK : EV_UNKNOWN;
		}
		if (s->expr < 0)
			return EV_ERROR; /* its definition did not parse (reported there) */
		if (s->busy) {
			as->cycle_sym = n->sym;
			return EV_CYCLE;
		}
		if (s->cache_gen == as->eval_gen) {
			r = (enum pa_ev)s->cache_ev;
			*out = s->cache_val;
		} else {
			s->busy = true;
			r = pa_eval(as, s->expr, s->dot, false, out);
			s = &as->syms[n->sym];
			s->busy = false;
			if (r != EV_CYCLE && !as->eval_deep) {
				s->cache_gen = as->eval_gen;
				s->cache_ev = (uint8_t)r;
				s->cache_val = *out;
			}
		}
		return r == EV_UNKNOWN && report ? EV_ERROR : r;
	}
	case N_NEG:
	case N_NOT:
		r = pa_eval(as, n->a, dot, report, &a);
		*out = (int64_t)(n->op == N_NEG ? 0 - (uint64_t)a : ~(uint64_t)a);
		return r;
	default:
		break;
	}
	r = combine(pa_eval(as, n->a, dot, report, &a), pa_eval(as, n->b, dot, report, &b));
	if (r != EV_OK)
		return r;
	uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
	switch (n->op) {
	case N_ADD: *out = (int64_t)(ua + ub); break;
	case N_SUB: *out = (int64_t)(ua - ub); break;
	case N_MUL: *out = (int64_t)(ua * ub); break;
	case N_AND: *out = (int64_t)(ua & ub); break;
	case N_OR:  *out = (int64_t)(ua | ub); break;
	case N_XOR: *out = (int64_t)(ua ^ ub); break;
	case N_DIV:
	case N_MOD:
		if (b == 0) {
			if (report)
				pa_error(as, n->line, n->col, "division by zero in expression");
			return EV_ERROR;
		}
		if (b == -1)
			*out = n->op == N_DIV ? (int64_t)(0 - ua) : 0;
		else
			*out = n->op == N_DIV ? a / b : a % b;
		break;
	case N_SHL:
	case N_SHR:
		if (b < 0 || b > 63) {
			if (report)
				pa_error(as, n->line, n->col, "shift count %lld is out of range (0..63)", (long long)b);
			return EV_ERROR;
		}
		if (n->op == N_SHL)
			*out = (int64_t)(ua << b);
		else
			*out = a < 0 ? ~(~a >> b) : a >> b;
		break;
	default:
		return EV_ERROR;
	}
	return EV_OK;
}
