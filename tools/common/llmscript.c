/*
 * llmscript.c — scripted LLM answers; see llmscript.h and
 * docs/bridge-protocol.md ("Scripted answers").
 */
#define _GNU_SOURCE /* memmem */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "llmscript.h"
#include "pxvm/abi.h"
#include "pxvm/frame.h"

/* unescape: C escapes \n \t \r \0 \\ \xHH resolved (malloc'd; length in *len). */
static char *unescape(const char *s, size_t *len)
{
	size_t n = strlen(s);
	char *o = malloc(n + 1);
	size_t k = 0;
	if (!o)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\' || i + 1 == n) {
			o[k++] = s[i];
			continue;
		}
		char c = s[++i];
		if (c == 'n') o[k++] = '\n';
		else if (c == 't') o[k++] = '\t';
		else if (c == 'r') o[k++] = '\r';
		else if (c == '0') o[k++] = '\0';
		else if (c == 'x' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) && isxdigit((unsigned char)s[i + 2])) {
			char h[3] = { s[i + 1], s[i + 2], 0 };
			o[k++] = (char)strtoul(h, NULL, 16);
			i += 2;
		} else o[k++] = c;
	}
	o[k] = '\0';
	*len = k;
	return o;
}

static int fail_at(char *err, size_t cap, const char *path, int ln, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int fail_at(char *err, size_t cap, const char *path, int ln, const char *fmt, ...)
{
	int n = snprintf(err, cap, "%s:%d: ", path, ln);
	va_list ap;
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < cap)
		vsnprintf(err + n, cap - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* new_reply: append an empty reply to rule `r`; NULL when out of memory. */
static struct llm_reply *new_reply(struct llm_rule *r)
{
	struct llm_reply *nr = realloc(r->replies, (r->nreplies + 1) * sizeof(*nr));
	if (!nr)
		return NULL;
	r->replies = nr;
	struct llm_reply *p = &nr[r->nreplies++];
	memset(p, 0, sizeof(*p));
	p->repeat = 1;
	p->text = calloc(1, 1);
	return p->text ? p : NULL;
}

static int parse_line(struct llm_script *s, char *p, const char *path, int ln, char *err, size_t cap)
{
	char *colon = strchr(p, ':');
	if (!colon)
		return fail_at(err, cap, path, ln, "expected 'key: value'");
	*colon = '\0';
	char *v = colon + 1;
	if (*v == ' ')
		v++;
	if (!strcmp(p, "rule")) {
		struct llm_rule *nr = realloc(s->rules, (s->nrules + 1) * sizeof(*nr));
		if (!nr)
			return fail_at(err, cap, path, ln, "out of memory");
		s->rules = nr;
		struct llm_rule *r = &s->rules[s->nrules++];
		memset(r, 0, sizeof(*r));
		r->line = ln;
		r->match = strdup(v);
		if (!r->match || !new_reply(r))
			return fail_at(err, cap, path, ln, "out of memory");
		return 0;
	}
	if (!s->nrules)
		return fail_at(err, cap, path, ln, "'%s' before the first 'rule:'", p);
	struct llm_rule *r = &s->rules[s->nrules - 1];
	struct llm_reply *y = &r->replies[r->nreplies - 1];
	if (!strcmp(p, "next")) {
		if (!new_reply(r))
			return fail_at(err, cap, path, ln, "out of memory");
	} else if (!strcmp(p, "reply")) {
		size_t l = 0;
		char *u = unescape(v, &l);
		char *joined = u ? malloc(y->len + l + 1) : NULL;
		if (!joined) {
			free(u);
			return fail_at(err, cap, path, ln, "out of memory");
		}
		memcpy(joined, y->text, y->len);
		memcpy(joined + y->len, u, l + 1);
		free(y->text);
		free(u);
		y->text = joined;
		y->len += l;
	} else if (!strcmp(p, "fail")) {
		free(y->fail);
		y->fail = strdup(v);
	} else if (!strcmp(p, "kind")) {
		r->kind = !strcmp(v, "oracle") ? (int)PXVM_TRAP_ORACLE : !strcmp(v, "llm") ? (int)PXVM_TRAP_CALL_LLM
		        : !strcmp(v, "chat") ? (int)PXVM_TRAP_LLM_CHAT : -1;
		if (r->kind < 0)
			return fail_at(err, cap, path, ln, "kind is llm, oracle or chat");
	} else if (!strcmp(p, "where")) {
		if (!strcmp(v, "last"))
			r->where = LLM_WHERE_LAST;
		else if (!strcmp(v, "any"))
			r->where = LLM_WHERE_ANY;
		else
			return fail_at(err, cap, path, ln, "where is last or any");
	} else if (!strcmp(p, "system")) {
		free(r->system);
		r->system = strdup(!strcmp(v, "none") ? "" : v);
		if (!strcmp(v, "any")) {
			free(r->system);
			r->system = NULL;
		}
	} else {
		static const char *const numeric[] = { "delay", "gap", "chunk", "repeat", "truncate" };
		int known = 0;
		for (size_t i = 0; i < sizeof(numeric) / sizeof(numeric[0]); i++)
			known |= !strcmp(p, numeric[i]);
		if (!known)
			return fail_at(err, cap, path, ln, "unknown key '%s' (rule, kind, where, system, reply, next, "
			               "fail, delay, gap, chunk, repeat, truncate)", p);
		char *end;
		unsigned long val = strtoul(v, &end, 10);
		if (!*v || *end)
			return fail_at(err, cap, path, ln, "'%s' needs a number", p);
		if (!strcmp(p, "delay")) y->delay_ms = (unsigned)val;
		else if (!strcmp(p, "gap")) y->gap_ms = (unsigned)val;
		else if (!strcmp(p, "chunk")) y->chunk = (unsigned)val;
		else if (!strcmp(p, "repeat")) y->repeat = (unsigned)val;
		else y->truncate = val;
	}
	return 0;
}

int llmscript_load(struct llm_script *s, const char *path, char *err, size_t cap)
{
	memset(s, 0, sizeof(*s));
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, cap, "%s: cannot open the script", path);
		return -1;
	}
	char line[16384];
	int ln = 0, bad = 0;
	while (!bad && fgets(line, sizeof(line), f)) {
		ln++;
		size_t n = strlen(line);
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			continue;
		bad = parse_line(s, p, path, ln, err, cap);
	}
	fclose(f);
	if (!bad && !s->nrules) {
		snprintf(err, cap, "%s: no rules", path);
		bad = -1;
	}
	if (bad)
		llmscript_free(s);
	return bad ? -1 : 0;
}

void llmscript_free(struct llm_script *s)
{
	for (size_t i = 0; i < s->nrules; i++) {
		struct llm_rule *r = &s->rules[i];
		for (size_t k = 0; k < r->nreplies; k++) {
			free(r->replies[k].text);
			free(r->replies[k].fail);
		}
		free(r->replies);
		free(r->match);
		free(r->system);
	}
	free(s->rules);
	memset(s, 0, sizeof(*s));
}

static int has(const uint8_t *t, size_t n, const char *m)
{
	return !strcmp(m, "*") || memmem(t, n, m, strlen(m)) != NULL;
}

/* matches: does rule `r` match the request? */
static int matches(const struct llm_rule *r, uint8_t kind, const uint8_t *body, size_t len)
{
	if (r->kind && r->kind != kind)
		return 0;
	if (kind != PXVM_TRAP_LLM_CHAT)
		return (!r->system || !*r->system) && has(body, len, r->match);
	struct frame_chat c;
	if (frame_chat_parse(body, len, &c) != 0)
		return 0;
	if (r->system) {
		char name[FRAME_SYSTEM_NAME_MAX + 1] = "";
		uint32_t crc;
		int hc;
		if (c.system[0] && frame_system_split(c.system, name, &crc, &hc) != 0)
			return 0;
		if (strcmp(name, r->system))
			return 0;
	}
	if (r->where == LLM_WHERE_LAST)
		return has(c.last_user, c.last_user_len, r->match);
	uint8_t role;
	const uint8_t *t;
	uint32_t n;
	while (frame_chat_next(&c, &role, &t, &n))
		if (has(t, n, r->match))
			return 1;
	return 0;
}

const struct llm_reply *llmscript_match(struct llm_script *s, uint8_t kind, const uint8_t *body, size_t len,
                                        const struct llm_rule **rule)
{
	for (size_t i = 0; i < s->nrules; i++) {
		struct llm_rule *r = &s->rules[i];
		if (!matches(r, kind, body, len))
			continue;
		size_t k = r->uses < r->nreplies ? r->uses : r->nreplies - 1;
		r->uses++;
		if (rule)
			*rule = r;
		return &r->replies[k];
	}
	return NULL;
}

size_t llmscript_total(const struct llm_reply *r)
{
	size_t t = r->len * r->repeat;
	return r->truncate && r->truncate < t ? r->truncate : t;
}

void llmscript_copy(const struct llm_reply *r, size_t pos, char *out, size_t n)
{
	while (n) {
		size_t off = pos % r->len, k = r->len - off < n ? r->len - off : n;
		memcpy(out, r->text + off, k);
		out += k;
		pos += k;
		n -= k;
	}
}
