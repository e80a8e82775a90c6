/*
 * diag.c — pxasm's diagnostics ("file:line:col: error: message", then the
 * source line and a caret), "did you mean" suggestions, and allocation helpers.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/pxasm/internal.h"

void *pa_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fputs("pxasm: out of memory\n", stderr);
		exit(1);
	}
	return q;
}

char *pa_strndup(const char *s, size_t n)
{
	char *d = pa_realloc(NULL, n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static char *vprintf_alloc(const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		n = 0;
	char *s = pa_realloc(NULL, (size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

char *pa_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = vprintf_alloc(fmt, ap);
	va_end(ap);
	return s;
}

bool pa_eq_ci(const char *a, size_t alen, const char *b)
{
	size_t i = 0;
	for (; i < alen && b[i]; i++)
		if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
			return false;
	return i == alen && b[i] == '\0';
}

/* ---- Diagnostics ------------------------------------------------------------- */

static void add_diag(struct pa_asm *as, enum pxasm_severity sev, int line, int col, char *msg)
{
	PA_GROW(as->diags, as->ndiags, as->capdiags);
	PA_GROW(as->dkeys, as->ndiags, as->capdkeys);
	as->dkeys[as->ndiags] = sev == PXASM_NOTE && as->ndiags ? as->dkeys[as->ndiags - 1]
				: line >= 0 ? (size_t)line : (size_t)-1;
	struct pxasm_diag *d = &as->diags[as->ndiags++];
	memset(d, 0, sizeof *d);
	d->severity = sev;
	d->message = msg;
	if (line >= 0 && (size_t)line < as->nlines) {
		const struct pa_line *l = &as->lines[line];
		d->file = as->files[l->file].path;
		d->line = l->lineno;
		d->col = col >= 0 ? col + 1 : 0;
		d->source = pa_strndup(l->text, strlen(l->text));
	} else {
		d->file = as->nfiles ? as->files[0].path : "";
	}
}

void pa_error(struct pa_asm *as, int line, int col, const char *fmt, ...)
{
	if (as->stopped) {
		as->dropped = true;
		return;
	}
	as->dropped = false;
	va_list ap;
	va_start(ap, fmt);
	add_diag(as, PXASM_ERROR, line, col, vprintf_alloc(fmt, ap));
	va_end(ap);
	as->nerrors++;
	if (line >= 0 && (size_t)line < as->nlines)
		for (int e = as->lines[line].exp; e >= 0; e = as->exps[e].parent)
			add_diag(as, PXASM_NOTE, as->exps[e].line, as->exps[e].col,
				 pa_printf("in expansion of macro '%s'",
					   as->macros[as->exps[e].macro].name));
	if (as->nerrors >= (size_t)as->max_errors)
		as->stopped = true;
}

void pa_note(struct pa_asm *as, int line, int col, const char *fmt, ...)
{
	if (as->dropped)
		return;
	va_list ap;
	va_start(ap, fmt);
	add_diag(as, PXASM_NOTE, line, col, vprintf_alloc(fmt, ap));
	va_end(ap);
}

struct group { size_t start, count, key; };

static int by_key(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

void pa_sort_diags(struct pa_asm *as)
{
	size_t n = as->ndiags, ng = 0;
	struct group *g = pa_realloc(NULL, (n + 1) * sizeof *g);
	for (size_t i = 0; i < n; i++) {
		if (as->diags[i].severity == PXASM_ERROR || ng == 0)
			g[ng++] = (struct group){ i, 0, as->dkeys[i] };
		g[ng - 1].count++;
	}
	qsort(g, ng, sizeof *g, by_key);
	struct pxasm_diag *d = pa_realloc(NULL, (n + 1) * sizeof *d);
	size_t *k = pa_realloc(NULL, (n + 1) * sizeof *k);
	size_t o = 0;
	for (size_t i = 0; i < ng; i++)
		for (size_t j = 0; j < g[i].count; j++, o++) {
			d[o] = as->diags[g[i].start + j];
			k[o] = as->dkeys[g[i].start + j];
		}
	free(as->diags);
	free(as->dkeys);
	free(g);
	as->diags = d;
	as->dkeys = k;
	as->capdiags = as->capdkeys = n + 1;
}

size_t pxasm_format_diag(const struct pxasm_diag *d, char *buf, size_t cap)
{
	const char *sev = d->severity == PXASM_ERROR ? "error" : "note";
	int n;
	if (d->line && d->col)
		n = snprintf(buf, cap, "%s:%d:%d: %s: %s", d->file, d->line, d->col, sev, d->message);
	else if (d->line)
		n = snprintf(buf, cap, "%s:%d: %s: %s", d->file, d->line, sev, d->message);
	else
		n = snprintf(buf, cap, "%s: %s: %s", d->file, sev, d->message);
	return n < 0 ? 0 : (size_t)n;
}

void pxasm_print_diags(FILE *f, const struct pxasm_result *res)
{
	for (size_t i = 0; i < res->ndiags; i++) {
		const struct pxasm_diag *d = &res->diags[i];
		size_t n = pxasm_format_diag(d, NULL, 0);
		char *buf = pa_realloc(NULL, n + 1);
		pxasm_format_diag(d, buf, n + 1);
		fprintf(f, "%s\n", buf);
		free(buf);
		if (!d->source)
			continue;
		fprintf(f, "%s\n", d->source);
		size_t slen = strlen(d->source);
		if (d->col > 0 && (size_t)d->col - 1 <= slen) {
			for (int c = 0; c < d->col - 1; c++)
				fputc(d->source[c] == '\t' ? '\t' : ' ', f);
			fputs("^\n", f);
		}
	}
}

/* ---- Suggestions: Levenshtein distance, case-insensitive ------------------------ */

static int distance(const char *a, size_t la, const char *b, size_t lb)
{
	int row[65];
	if (la > 64 || lb > 64)
		return 1000;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int diag = row[0];
		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int up = row[j];
			int cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			int best = diag + cost;
			if (up + 1 < best) best = up + 1;
			if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

void pa_suggest_init(struct pa_suggest *s)
{
	s->best = NULL;
	s->dist = 1000;
}

void pa_suggest_try(struct pa_suggest *s, const char *word, size_t len, const char *cand)
{
	int d = distance(word, len, cand, strlen(cand));
	if (d < s->dist) {
		s->dist = d;
		s->best = cand;
	}
}

const char *pa_suggest_get(const struct pa_suggest *s, size_t len)
{
	int limit = len <= 4 ? 1 : len <= 7 ? 2 : 3;
	return s->best && s->dist <= limit && (size_t)s->dist < len ? s->best : NULL;
}
