/*
 * fuzz_sse.c — libFuzzer target: pxbridge's reader of LLM server answers
 * (tools/pxbridge/sse.c: Server-Sent Events lines, chat-completion JSON via
 * cJSON, the /v1/models list) on arbitrary bytes. `make fuzz-sse`.
 *
 * Byte 0 picks where the body is split into two reads (as curl may deliver
 * it); the rest is the body. Checks: the answer text handed out is never
 * longer than the input (JSON escapes only shrink), the reader's state stays
 * in bounds, the whole-JSON and model-list parsers terminate and NUL-terminate.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tools/pxbridge/sse.h"

#define CHECK(c)                   \
	do {                           \
		if (!(c))                  \
			__builtin_trap();      \
	} while (0)

static size_t got;

static void text(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	CHECK(n > 0);
	volatile char sink = 0;
	for (size_t i = 0; i < n; i++)
		sink ^= s[i]; /* ASan checks every byte handed out */
	(void)sink;
	got += n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t cut = data[0];
	const char *body = (const char *)data + 1;
	size_t n = size - 1;
	if (cut > n)
		cut = n;
	struct sse s;
	if (sse_init(&s))
		return 0;
	got = 0;
	sse_feed(&s, body, cut, text, NULL);
	sse_feed(&s, body + cut, n - cut, text, NULL);
	CHECK(got <= n);
	CHECK(s.n <= SSE_LINE_MAX);
	CHECK(memchr(s.error, 0, sizeof(s.error)) != NULL);
	sse_free(&s);
	char err[64];
	got = 0;
	int r = sse_json_answer(body, n, text, NULL, err, sizeof(err));
	CHECK(r >= -1 && r <= 1);
	CHECK(got <= n);
	if (r == 0)
		CHECK(memchr(err, 0, sizeof(err)) != NULL);
	char model[32];
	if (sse_json_first_model(body, n, model, sizeof(model)) == 0)
		CHECK(strlen(model) < sizeof(model) && model[0]);
	return 0;
}
