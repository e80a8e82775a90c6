/*
 * source.c — pxasm phase 1: read the source, splice in .include files, record
 * .macro bodies and expand macro calls, producing the flat list of lines that
 * the parser reads (docs/pxasm.md, "Includes" and "Macros").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/common/hostio.h"
#include "tools/pxasm/internal.h"
#include "pxvm/isa.h"
#include "kernel/param.h"

_Static_assert(PXASM_ENOTREG == HOSTIO_ENOTREG, "pxasm.h and hostio.h name the same code");

#define PA_MAX_LINES     1000000 /* lines after includes and macro expansion */
#define PA_MAX_INCLUDE   32      /* include nesting */
#define PA_MAX_EXPANSION 64      /* macro call nesting */

static void process_file(struct pa_asm *as, int fi, int exp, int depth);

/* ---- Paths --------------------------------------------------------------------- */

/* Lexical normalisation: drop "." and empty components, fold "dir/..". */
static char *normalize(const char *path)
{
	size_t n = strlen(path);
	const char **cs = pa_realloc(NULL, (n + 1) * sizeof *cs);
	size_t *cl = pa_realloc(NULL, (n + 1) * sizeof *cl);
	size_t nc = 0;
	bool abs_path = path[0] == '/';
	for (size_t i = 0; i <= n;) {
		size_t j = i;
		while (j < n && path[j] != '/')
			j++;
		const char *c = path + i;
		size_t len = j - i;
		bool dotdot = len == 2 && c[0] == '.' && c[1] == '.';
		if (len == 0 || (len == 1 && c[0] == '.')) {
			/* nothing */
		} else if (dotdot && nc && !(cl[nc - 1] == 2 && memcmp(cs[nc - 1], "..", 2) == 0)) {
			nc--;
		} else if (!(dotdot && abs_path)) {
			cs[nc] = c;
			cl[nc++] = len;
		}
		i = j + 1;
	}
	char *out = pa_realloc(NULL, n + 2);
	size_t o = 0;
	if (abs_path)
		out[o++] = '/';
	for (size_t k = 0; k < nc; k++) {
		if (k)
			out[o++] = '/';
		memcpy(out + o, cs[k], cl[k]);
		o += cl[k];
	}
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
	free(cs);
	free(cl);
	return out;
}

static char *join(const char *dir, const char *name)
{
	if (name[0] == '/' || !dir[0])
		return pa_strndup(name, strlen(name));
	return pa_printf("%s/%s", dir, name);
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return pa_strndup("", 0);
	return pa_strndup(path, slash == path ? 1 : (size_t)(slash - path));
}

/* ---- Files and lines ----------------------------------------------------------- */

static int add_file(struct pa_asm *as, char *path, char *key, char *text, size_t len)
{
	PA_GROW(as->files, as->nfiles, as->capfiles);
	struct pa_file *f = &as->files[as->nfiles];
	f->path = path;
	f->key = key;
	f->text = text;
	f->len = len;
	return (int)as->nfiles++;
}

static int push_line(struct pa_asm *as, int file, int lineno, char *text, size_t len, int exp, int depth)
{
	PA_GROW(as->lines, as->nlines, as->caplines);
	struct pa_line *l = &as->lines[as->nlines];
	memset(l, 0, sizeof *l);
	l->file = file;
	l->lineno = lineno;
	l->text = text;
	l->len = len;
	l->kind = L_NORMAL;
	l->exp = exp;
	l->depth = depth;
	l->stmt = -1;
	return (int)as->nlines++;
}

int pa_find_macro(struct pa_asm *as, const char *name, size_t len)
{
	for (size_t m = 0; m < as->nmacros; m++)
		if ((int)m != as->collecting && strlen(as->macros[m].name) == len &&
		    memcmp(as->macros[m].name, name, len) == 0)
			return (int)m;
	return -1;
}

static bool tok_is(const struct pa_line *l, const struct pa_tok *k, const char *word)
{
	return k->kind == TK_IDENT && pa_eq_ci(l->text + k->col, (size_t)k->len, word);
}

/* ---- .include ------------------------------------------------------------------ */

static void do_include(struct pa_asm *as, int li, struct pa_toks *t, size_t i)
{
	const struct pa_tok *k = &t->v[i + 1];
	if (t->err_col >= 0) {
		pa_error(as, li, t->err_col, "%s", t->err);
		return;
	}
	if (k->kind != TK_STR || k->slen == 0 || memchr(t->sbuf + k->str, 0, k->slen)) {
		pa_error(as, li, k->col, "expected a file name in quotes after .include");
		return;
	}
	if (t->v[i + 2].kind != TK_END) {
		pa_error(as, li, t->v[i + 2].col, "unexpected text after the .include file name");
		return;
	}
	if (as->incdepth >= PA_MAX_INCLUDE) {
		pa_error(as, li, k->col, "includes nested too deeply (limit %d)", PA_MAX_INCLUDE);
		return;
	}
	char *name = pa_strndup(t->sbuf + k->str, k->slen);
	char *dir = dir_of(as->files[as->lines[li].file].key);
	char *tried = pa_strndup("", 0);
	size_t ndirs = as->opt->n_include_dirs;
	pxasm_read_fn rd = as->opt->read ? as->opt->read : pxasm_read_file;
	bool done = false;

	for (size_t d = 0; d <= ndirs && !done; d++) {
		if (d > 0 && name[0] == '/')
			break;
		char *raw = join(d == 0 ? dir : as->opt->include_dirs[d - 1], name);
		char *key = normalize(raw);
		free(raw);
		for (int s = 0; s < as->incdepth; s++) {
			if (strcmp(as->files[as->incstack[s]].key, key) != 0)
				continue;
			char *chain = pa_strndup("", 0);
			for (int c = s; c < as->incdepth; c++) {
				char *nc = pa_printf("%s%s -> ", chain, as->files[as->incstack[c]].path);
				free(chain);
				chain = nc;
			}
			pa_error(as, li, k->col, "include cycle: %s%s", chain, key);
			free(chain);
			free(key);
			done = true;
			break;
		}
		if (done)
			break;
		char *buf = NULL;
		size_t blen = 0;
		int rc = rd(as->opt->read_ctx, key, &buf, &blen);
		if (rc == 0) {
			int fi = add_file(as, pa_strndup(key, strlen(key)), key, buf, blen);
			as->incstack[as->incdepth++] = fi;
			process_file(as, fi, as->lines[li].exp, as->lines[li].depth);
			as->incdepth--;
			done = true;
		} else if (rc != ENOENT) {
			pa_error(as, li, k->col, "cannot read include file '%s': %s", key, pxasm_strerror(rc));
			free(key);
			done = true;
		} else {
			char *nt = pa_printf("%s%s'%s'", tried, tried[0] ? ", " : "", key);
			free(tried);
			tried = nt;
			free(key);
		}
	}
	if (!done)
		pa_error(as, li, k->col, "include file '%s' not found (tried %s)", name, tried);
	free(tried);
	free(dir);
	free(name);
}

/* ---- .macro ... .endm ---------------------------------------------------------- */

static void begin_macro(struct pa_asm *as, int li, struct pa_toks *t, size_t i)
{
	const struct pa_line *l = &as->lines[li];
	const struct pa_tok *k = &t->v[i + 1];
	bool bad = false;
	char *name;
	if (t->err_col >= 0) {
		pa_error(as, li, t->err_col, "%s", t->err);
		bad = true;
	}
	if (i > 0) {
		pa_error(as, li, t->v[0].col, "a label cannot share a line with .macro");
		bad = true;
	}
	if (k->kind != TK_IDENT || l->text[k->col] == '.' || memchr(l->text + k->col, '.', (size_t)k->len)) {
		pa_error(as, li, k->col, "expected a macro name after .macro");
		name = pa_strndup("?", 1);
		bad = true;
	} else {
		name = pa_strndup(l->text + k->col, (size_t)k->len);
		int prev = pa_find_macro(as, name, strlen(name));
		if (pxvm_opcode_by_name(name, (unsigned)k->len) >= 0) {
			pa_error(as, li, k->col, "macro name '%s' is an instruction mnemonic", name);
			bad = true;
		} else if (pa_register(name, strlen(name)) >= 0) {
			pa_error(as, li, k->col, "macro name '%s' is a register name", name);
			bad = true;
		} else if (prev >= 0) {
			pa_error(as, li, k->col, "macro '%s' is already defined", name);
			pa_note(as, as->macros[prev].def_line, as->macros[prev].def_col, "first defined here");
			bad = true;
		}
	}
	PA_GROW(as->macros, as->nmacros, as->capmacros);
	struct pa_macro *m = &as->macros[as->nmacros];
	memset(m, 0, sizeof *m);
	m->name = name;
	m->def_line = li;
	m->def_col = k->col;
	for (size_t j = i + 2; k->kind == TK_IDENT && t->v[j].kind != TK_END; j++) {
		const struct pa_tok *p = &t->v[j];
		size_t plen = (size_t)p->len;
		const char *ps = l->text + p->col;
		if (p->kind != TK_IDENT || memchr(ps, '.', plen)) {
			pa_error(as, li, p->col, "expected a parameter name in .macro");
			bad = true;
			break;
		}
		for (int q = 0; q < m->nparams; q++)
			if (strlen(m->params[q]) == plen && memcmp(m->params[q], ps, plen) == 0) {
				pa_error(as, li, p->col, "duplicate macro parameter '%.*s'", (int)plen, ps);
				bad = true;
			}
		m->params = pa_realloc(m->params, (size_t)(m->nparams + 1) * sizeof *m->params);
		m->params[m->nparams++] = pa_strndup(ps, plen);
		if (pa_is_punct(&t->v[j + 1], ','))
			j++;
	}
	as->collecting = (int)as->nmacros++;
	as->collect_bad = bad;
	as->collect_file = l->file;
}

static void free_macro(struct pa_macro *m)
{
	for (int q = 0; q < m->nparams; q++)
		free(m->params[q]);
	free(m->params);
	for (size_t b = 0; b < m->nbody; b++)
		free(m->body[b].text);
	free(m->body);
	free(m->name);
}

static void end_macro(struct pa_asm *as)
{
	if (as->collect_bad)
		free_macro(&as->macros[--as->nmacros]);
	as->collecting = -1;
}

static void collect(struct pa_asm *as, int li)
{
	struct pa_line *l = &as->lines[li];
	struct pa_toks t = { 0 };
	pa_lex(l->text, l->len, &t);
	l->kind = L_SKIP;
	if (tok_is(l, &t.v[0], ".endm")) {
		if (t.v[1].kind != TK_END)
			pa_error(as, li, t.v[1].col, "unexpected text after .endm");
		end_macro(as);
	} else if (tok_is(l, &t.v[0], ".macro")) {
		pa_error(as, li, t.v[0].col, "nested .macro definitions are not supported "
			 "(close macro '%s' with .endm first)", as->macros[as->collecting].name);
	} else {
		struct pa_macro *m = &as->macros[as->collecting];
		PA_GROW(m->body, m->nbody, m->capbody);
		m->body[m->nbody].file = l->file;
		m->body[m->nbody].lineno = l->lineno;
		m->body[m->nbody].text = pa_strndup(l->text, l->len);
		m->nbody++;
	}
	pa_toks_free(&t);
}

/* ---- Macro calls ------------------------------------------------------------------ */

static void append(char **out, size_t *n, size_t *cap, const char *s, size_t len)
{
	while (*n + len + 1 > *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*out = pa_realloc(*out, *cap);
	}
	memcpy(*out + *n, s, len);
	*n += len;
	(*out)[*n] = '\0';
}

/* Replace \param, \@ (expansion number) and \() (nothing) in one body line. */
static char *substitute(const struct pa_macro *m, const char *text, const char *const *args,
			const size_t *arglen, int counter, size_t *outlen)
{
	char *out = NULL;
	size_t n = 0, cap = 0;
	append(&out, &n, &cap, "", 0);
	for (size_t i = 0; text[i];) {
		if (text[i] != '\\') {
			append(&out, &n, &cap, text + i, 1);
			i++;
		} else if (text[i + 1] == '@') {
			char num[16];
			snprintf(num, sizeof num, "%d", counter);
			append(&out, &n, &cap, num, strlen(num));
			i += 2;
		} else if (text[i + 1] == '(' && text[i + 2] == ')') {
			i += 3;
		} else if (text[i + 1] == '\\') {
			append(&out, &n, &cap, text + i, 2);
			i += 2;
		} else {
			size_t j = i + 1;
			while (pa_is_ident_char((unsigned char)text[j]) && text[j] != '.')
				j++;
			int q = 0;
			for (; q < m->nparams; q++)
				if (strlen(m->params[q]) == j - i - 1 && memcmp(m->params[q], text + i + 1, j - i - 1) == 0)
					break;
			if (j > i + 1 && q < m->nparams) {
				append(&out, &n, &cap, args[q], arglen[q]);
				i = j;
			} else {
				append(&out, &n, &cap, text + i, 1);
				i++;
			}
		}
	}
	*outlen = n;
	return out;
}

static void process_line(struct pa_asm *as, int file, int lineno, char *text, size_t len, int exp, int depth);

static void expand(struct pa_asm *as, int li, struct pa_toks *t, size_t i, int mi)
{
	const struct pa_line *l = &as->lines[li];
	const struct pa_tok *k = &t->v[i];
	const struct pa_macro *m = &as->macros[mi];
	if (t->err_col >= 0) {
		pa_error(as, li, t->err_col, "%s", t->err);
		return;
	}
	if (l->depth >= PA_MAX_EXPANSION) {
		pa_error(as, li, k->col, "macro calls nested too deeply (limit %d): is macro '%s' recursive?",
			 PA_MAX_EXPANSION, m->name);
		return;
	}
	const char **args = pa_realloc(NULL, (t->n + 1) * sizeof *args);
	size_t *arglen = pa_realloc(NULL, (t->n + 1) * sizeof *arglen);
	size_t *from = pa_realloc(NULL, (t->n + 1) * sizeof *from);
	size_t *to = pa_realloc(NULL, (t->n + 1) * sizeof *to);
	int nargs = pa_split_commas(t, i + 1, from, to, (int)t->n + 1);
	bool bad = false;
	for (int n = 0; n < nargs; n++) {
		args[n] = l->text + t->v[from[n]].col;
		arglen[n] = 0;
		if (from[n] == to[n]) {
			pa_error(as, li, t->v[to[n]].col, "macro argument %d is empty", n + 1);
			bad = true;
		} else {
			arglen[n] = (size_t)(t->v[to[n] - 1].col + t->v[to[n] - 1].len - t->v[from[n]].col);
		}
	}
	free(from);
	free(to);
	if (!bad && nargs != m->nparams) {
		if (m->nparams == 0) {
			pa_error(as, li, k->col, "macro '%s' takes no arguments, got %d", m->name, nargs);
		} else {
			char *list = pa_strndup("", 0);
			for (int q = 0; q < m->nparams; q++) {
				char *nl = pa_printf("%s%s%s", list, q ? ", " : "", m->params[q]);
				free(list);
				list = nl;
			}
			pa_error(as, li, k->col, "macro '%s' takes %d argument%s (%s), got %d", m->name,
				 m->nparams, m->nparams == 1 ? "" : "s", list, nargs);
			free(list);
		}
		bad = true;
	}
	if (!bad) {
		PA_GROW(as->exps, as->nexps, as->capexps);
		int ei = (int)as->nexps++;
		as->exps[ei] = (struct pa_exp){ li, k->col, mi, l->exp };
		int counter = ++as->exp_counter;
		int ndepth = l->depth + 1;
		for (size_t b = 0; b < as->macros[mi].nbody && !as->too_big; b++) {
			const struct pa_mline *bl = &as->macros[mi].body[b];
			size_t nlen;
			char *nt = substitute(&as->macros[mi], bl->text, args, arglen, counter, &nlen);
			process_line(as, bl->file, bl->lineno, nt, nlen, ei, ndepth);
		}
	}
	free(args);
	free(arglen);
}

/* ---- Lines and files --------------------------------------------------------------- */

static void process_line(struct pa_asm *as, int file, int lineno, char *text, size_t len, int exp, int depth)
{
	if (as->too_big) {
		free(text);
		return;
	}
	int li = push_line(as, file, lineno, text, len, exp, depth);
	if (as->nlines > PA_MAX_LINES) {
		pa_error(as, li, -1, "source too large: more than %d lines after includes and macro expansion",
			 PA_MAX_LINES);
		as->too_big = true;
		as->lines[li].kind = L_SKIP;
		return;
	}
	if (as->collecting >= 0) {
		collect(as, li);
		return;
	}
	struct pa_toks t = { 0 };
	pa_lex(text, len, &t);
	size_t i = 0;
	while (t.v[i].kind == TK_IDENT && pa_is_punct(&t.v[i + 1], ':'))
		i += 2;
	const struct pa_tok *k = &t.v[i];
	struct pa_line *l = &as->lines[li];
	int mi;
	if (tok_is(l, k, ".include")) {
		l->kind = L_SKIP;
		if (i > 0)
			pa_error(as, li, t.v[0].col, "a label cannot share a line with .include");
		else
			do_include(as, li, &t, i);
	} else if (tok_is(l, k, ".macro")) {
		l->kind = L_SKIP;
		begin_macro(as, li, &t, i);
	} else if (tok_is(l, k, ".endm")) {
		l->kind = L_SKIP;
		pa_error(as, li, k->col, ".endm without a matching .macro");
	} else if (k->kind == TK_IDENT && !pa_is_punct(&t.v[i + 1], ':') && !pa_is_punct(&t.v[i + 1], '=') &&
		   (mi = pa_find_macro(as, text + k->col, (size_t)k->len)) >= 0) {
		l->kind = L_CALL;
		l->stmt_col = k->col;
		expand(as, li, &t, i, mi);
	}
	pa_toks_free(&t);
}

static void process_file(struct pa_asm *as, int fi, int exp, int depth)
{
	size_t pos = 0, len = as->files[fi].len;
	int lineno = 0;
	if (len >= 3 && memcmp(as->files[fi].text, "\xEF\xBB\xBF", 3) == 0)
		pos = 3; /* UTF-8 byte order mark */
	while (pos < len && !as->too_big) {
		const char *text = as->files[fi].text;
		size_t e = pos;
		while (e < len && text[e] != '\n')
			e++;
		size_t ll = e - pos;
		if (ll && text[pos + ll - 1] == '\r')
			ll--;
		lineno++;
		process_line(as, fi, lineno, pa_strndup(text + pos, ll), ll, exp, depth);
		pos = e + 1;
	}
	if (as->collecting >= 0 && as->collect_file == fi) {
		const struct pa_macro *m = &as->macros[as->collecting];
		pa_error(as, m->def_line, m->def_col, "macro '%s' has no .endm before the end of %s",
			 m->name, as->files[fi].path);
		as->collect_bad = true;
		end_macro(as);
	}
}

void pa_source_run(struct pa_asm *as, const char *name, const char *text, size_t len)
{
	int fi = add_file(as, pa_strndup(name, strlen(name)), normalize(name),
			  pa_strndup(text, len), len);
	as->incstack[0] = fi;
	as->incdepth = 1;
	process_file(as, fi, -1, 0);
}

int pxasm_read_file(void *ctx, const char *path, char **text, size_t *len)
{
	(void)ctx;
	/* Only regular files, of bounded size: `.include "/dev/zero"` or a FIFO
	 * must not read until memory is gone or block for ever. */
	return hostio_read_regular(path, PXASM_FILE_MAX, (uint8_t **)text, len);
}

const char *pxasm_strerror(int rc)
{
	if (rc == PXASM_ENOTREG)
		return "not a regular file";
	if (rc == EFBIG) {
		static char msg[80];
		snprintf(msg, sizeof msg, "larger than %d bytes, the limit of a source file", PXASM_FILE_MAX);
		return msg;
	}
	return strerror(rc);
}
