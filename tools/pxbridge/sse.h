/*
 * sse.h — pxbridge's reader of OpenAI-compatible chat-completion answers:
 * the streamed form (Server-Sent Events, WHATWG HTML §9.2: "data: {json}"
 * lines, "data: [DONE]" at the end) and the whole-JSON form, plus the model
 * list of GET /v1/models. Pure functions on bytes (cJSON for the JSON), so the
 * fuzz target tests/fuzz/fuzz_sse.c can drive them.
 */
#ifndef PXBRIDGE_SSE_H
#define PXBRIDGE_SSE_H

#include <stddef.h>

#define SSE_LINE_MAX (256 * 1024) /* longest event line kept; longer ones are skipped */

/* sse_text_fn: called with each piece of answer text (not NUL-terminated). */
typedef void (*sse_text_fn)(void *ctx, const char *s, size_t n);

struct sse {
	char *line;         /* SSE_LINE_MAX bytes, owned */
	size_t n;           /* bytes in line */
	int skipping;       /* inside an overlong line: drop up to its end */
	int events;         /* data events seen */
	int done;           /* "data: [DONE]" seen, or a finish_reason */
	int bad;            /* data lines that were not JSON (ignored) */
	char error[256];    /* an error object's message, if the server sent one */
};

/* sse_init: an empty reader; returns 0, or -1 when out of memory. */
int sse_init(struct sse *s);

/* sse_free: release the line buffer (s may be reused after sse_init). */
void sse_free(struct sse *s);

/* sse_feed: `n` more body bytes. For every complete line (LF or CRLF) that
 * is "data: ..." the JSON's choices[0].delta.content (or .message.content, or
 * .text) goes to `fn`; "[DONE]" sets done; {"error": {"message": ...}} fills
 * error. Other SSE fields (event:, id:, retry:, comments) are ignored. */
void sse_feed(struct sse *s, const char *p, size_t n, sse_text_fn fn, void *ctx);

/* sse_json_answer: a whole (non-streamed) chat-completion JSON of `n` bytes:
 * choices[0].message.content (or .text) goes to `fn`. Returns 1 when an answer
 * was found, 0 when the JSON has none (its error message, if any, goes to
 * `err`, `errcap` bytes), -1 when it is not JSON. */
int sse_json_answer(const char *json, size_t n, sse_text_fn fn, void *ctx, char *err, size_t errcap);

/* sse_json_first_model: the id of the first entry of a /v1/models answer
 * ({"data": [{"id": ...}, ...]}, or Ollama's {"models": [{"name": ...}]})
 * into `out` (`cap` bytes, NUL-terminated). Returns 0, or -1 when there is none. */
int sse_json_first_model(const char *json, size_t n, char *out, size_t cap);

#endif /* PXBRIDGE_SSE_H */
