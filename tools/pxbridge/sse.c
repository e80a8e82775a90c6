/*
 * sse.c — reading chat-completion answers; see sse.h.
 */
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "sse.h"

int sse_init(struct sse *s)
{
	memset(s, 0, sizeof(*s));
	s->line = malloc(SSE_LINE_MAX);
	return s->line ? 0 : -1;
}

void sse_free(struct sse *s)
{
	free(s->line);
	s->line = NULL;
}

static void copy_msg(char *dst, size_t cap, const char *src)
{
	if (!cap)
		return;
	size_t n = strlen(src);
	if (n > cap - 1)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* error_message: the message of {"error": {"message": "..."}} or {"error": "..."}. */
static int error_message(const cJSON *root, char *err, size_t cap)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
	if (!e)
		return 0;
	if (cJSON_IsString(e) && e->valuestring) {
		copy_msg(err, cap, e->valuestring);
		return 1;
	}
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");
	copy_msg(err, cap, cJSON_IsString(m) && m->valuestring ? m->valuestring : "error (no message)");
	return 1;
}

/* choice_text: text of choices[0] in a chunk or answer: delta.content,
 * message.content or text. Sets *finished when finish_reason is a string. */
static const char *choice_text(const cJSON *root, int *finished)
{
	const cJSON *choices = cJSON_GetObjectItemCaseSensitive(root, "choices");
	const cJSON *c0 = cJSON_IsArray(choices) ? cJSON_GetArrayItem(choices, 0) : NULL;
	if (!cJSON_IsObject(c0))
		return NULL;
	const cJSON *fr = cJSON_GetObjectItemCaseSensitive(c0, "finish_reason");
	if (finished && cJSON_IsString(fr))
		*finished = 1;
	static const char *const holders[] = { "delta", "message" };
	for (int i = 0; i < 2; i++) {
		const cJSON *h = cJSON_GetObjectItemCaseSensitive(c0, holders[i]);
		const cJSON *t = cJSON_IsObject(h) ? cJSON_GetObjectItemCaseSensitive(h, "content") : NULL;
		if (cJSON_IsString(t) && t->valuestring)
			return t->valuestring;
	}
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(c0, "text");
	if (cJSON_IsString(t) && t->valuestring)
		return t->valuestring;
	return NULL;
}

static void line_done(struct sse *s, sse_text_fn fn, void *ctx)
{
	size_t n = s->n;
	s->n = 0;
	if (n && s->line[n - 1] == '\r')
		n--;
	if (n < 5 || memcmp(s->line, "data:", 5) != 0)
		return; /* blank line, comment, event:, id:, retry: */
	const char *v = s->line + 5;
	size_t vn = n - 5;
	if (vn && *v == ' ') {
		v++;
		vn--;
	}
	s->events++;
	if (vn == 6 && !memcmp(v, "[DONE]", 6)) {
		s->done = 1;
		return;
	}
	cJSON *root = cJSON_ParseWithLength(v, vn);
	if (!root) {
		s->bad++;
		return;
	}
	if (!error_message(root, s->error, sizeof(s->error))) {
		int fin = 0;
		const char *t = choice_text(root, &fin);
		if (t && *t)
			fn(ctx, t, strlen(t));
		if (fin)
			s->done = 1;
	}
	cJSON_Delete(root);
}

void sse_feed(struct sse *s, const char *p, size_t n, sse_text_fn fn, void *ctx)
{
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c == '\n') {
			if (s->skipping)
				s->skipping = 0;
			else
				line_done(s, fn, ctx);
			s->n = 0;
			continue;
		}
		if (s->skipping)
			continue;
		if (s->n >= SSE_LINE_MAX) {
			s->skipping = 1;
			s->bad++;
			s->n = 0;
			continue;
		}
		s->line[s->n++] = c;
	}
}

int sse_json_answer(const char *json, size_t n, sse_text_fn fn, void *ctx, char *err, size_t errcap)
{
	cJSON *root = cJSON_ParseWithLength(json, n);
	if (!root)
		return -1;
	int r = 0;
	const char *t = choice_text(root, NULL);
	if (t) {
		if (*t)
			fn(ctx, t, strlen(t));
		r = 1;
	} else if (!error_message(root, err, errcap)) {
		copy_msg(err, errcap, "the answer has no choices[0].message.content");
	}
	cJSON_Delete(root);
	return r;
}

int sse_json_first_model(const char *json, size_t n, char *out, size_t cap)
{
	cJSON *root = cJSON_ParseWithLength(json, n);
	if (!root)
		return -1;
	int r = -1;
	static const char *const lists[][2] = { { "data", "id" }, { "models", "name" } };
	for (int i = 0; i < 2 && r < 0; i++) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, lists[i][0]);
		const cJSON *e = cJSON_IsArray(a) ? cJSON_GetArrayItem(a, 0) : NULL;
		const cJSON *id = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, lists[i][1]) : NULL;
		if (cJSON_IsString(id) && id->valuestring && *id->valuestring && cap) {
			copy_msg(out, cap, id->valuestring);
			r = 0;
		}
	}
	cJSON_Delete(root);
	return r;
}
