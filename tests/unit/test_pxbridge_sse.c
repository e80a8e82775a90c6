/*
 * test_pxbridge_sse.c — pxbridge's reader of LLM server answers
 * (tools/pxbridge/sse.c): a streamed answer split at every byte, CRLF and LF
 * line ends, other SSE fields, [DONE] and finish_reason, error events, a
 * whole JSON answer, model lists of OpenAI/LM Studio/llama.cpp and Ollama,
 * broken JSON and overlong lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tools/pxbridge/sse.h"

static char got[4096];
static size_t ngot;

static void text(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	assert_true(ngot + n < sizeof(got));
	memcpy(got + ngot, s, n);
	ngot += n;
	got[ngot] = '\0';
}

static const char STREAM[] =
	": keep-alive comment\r\n"
	"event: message\r\n"
	"data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}\r\n\r\n"
	"data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n"
	"data:{\"choices\":[{\"delta\":{\"content\":\"lo \\u00e9\\n\"}}]}\n\n"
	"data: not json\n\n"
	"data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
	"data: [DONE]\n\n";

static void test_stream_every_split(void **state)
{
	(void)state;
	size_t n = strlen(STREAM);
	for (size_t cut = 0; cut <= n; cut++) {
		struct sse s;
		assert_int_equal(sse_init(&s), 0);
		ngot = 0;
		got[0] = 0;
		sse_feed(&s, STREAM, cut, text, NULL);
		sse_feed(&s, STREAM + cut, n - cut, text, NULL);
		assert_string_equal(got, "Hello \xc3\xa9\n");
		assert_true(s.done);
		assert_int_equal(s.bad, 1);
		assert_int_equal(s.events, 6);
		assert_string_equal(s.error, "");
		sse_free(&s);
	}
}

static void test_stream_error(void **state)
{
	(void)state;
	struct sse s;
	assert_int_equal(sse_init(&s), 0);
	ngot = 0;
	const char *e = "data: {\"error\":{\"message\":\"model not loaded\",\"type\":\"x\"}}\n\n";
	sse_feed(&s, e, strlen(e), text, NULL);
	assert_string_equal(s.error, "model not loaded");
	assert_int_equal(ngot, 0);
	sse_free(&s);
	assert_int_equal(sse_init(&s), 0);
	e = "data: {\"error\":\"bad key\"}\n";
	sse_feed(&s, e, strlen(e), text, NULL);
	assert_string_equal(s.error, "bad key");
	sse_free(&s);
}

static void test_overlong_line(void **state)
{
	(void)state;
	struct sse s;
	assert_int_equal(sse_init(&s), 0);
	ngot = 0;
	got[0] = 0;
	char *big = malloc(SSE_LINE_MAX + 100);
	memcpy(big, "data: ", 6);
	memset(big + 6, 'x', SSE_LINE_MAX + 94);
	sse_feed(&s, big, SSE_LINE_MAX + 100, text, NULL);
	const char *after = "\ndata: {\"choices\":[{\"delta\":{\"content\":\"ok\"}}]}\n";
	sse_feed(&s, after, strlen(after), text, NULL);
	assert_string_equal(got, "ok");
	assert_int_equal(s.bad, 1);
	free(big);
	sse_free(&s);
}

static void test_whole_answer(void **state)
{
	(void)state;
	char err[64];
	ngot = 0;
	const char *j = "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"no\"}}]}";
	assert_int_equal(sse_json_answer(j, strlen(j), text, NULL, err, sizeof(err)), 1);
	assert_string_equal(got, "no");
	ngot = 0;
	j = "{\"choices\":[{\"text\":\"completion\"}]}";
	assert_int_equal(sse_json_answer(j, strlen(j), text, NULL, err, sizeof(err)), 1);
	assert_string_equal(got, "completion");
	j = "{\"error\":{\"message\":\"Invalid API key\"}}";
	assert_int_equal(sse_json_answer(j, strlen(j), text, NULL, err, sizeof(err)), 0);
	assert_string_equal(err, "Invalid API key");
	j = "{\"choices\":[]}";
	assert_int_equal(sse_json_answer(j, strlen(j), text, NULL, err, sizeof(err)), 0);
	assert_true(strstr(err, "no choices") != NULL);
	assert_int_equal(sse_json_answer("<html>", 6, text, NULL, err, sizeof(err)), -1);
	/* Truncated to fit the caller's buffer. */
	char small[8];
	j = "{\"error\":{\"message\":\"a long error message\"}}";
	assert_int_equal(sse_json_answer(j, strlen(j), text, NULL, small, sizeof(small)), 0);
	assert_string_equal(small, "a long ");
}

static void test_models(void **state)
{
	(void)state;
	char m[16];
	const char *j = "{\"object\":\"list\",\"data\":[{\"id\":\"qwen2.5-7b\"},{\"id\":\"other\"}]}";
	assert_int_equal(sse_json_first_model(j, strlen(j), m, sizeof(m)), 0);
	assert_string_equal(m, "qwen2.5-7b");
	j = "{\"models\":[{\"name\":\"llama3.2:latest\"}]}";
	assert_int_equal(sse_json_first_model(j, strlen(j), m, sizeof(m)), 0);
	assert_string_equal(m, "llama3.2:latest");
	j = "{\"data\":[]}";
	assert_int_equal(sse_json_first_model(j, strlen(j), m, sizeof(m)), -1);
	j = "{\"data\":[{\"id\":\"a-very-long-model-name-indeed\"}]}";
	assert_int_equal(sse_json_first_model(j, strlen(j), m, sizeof(m)), 0);
	assert_int_equal(strlen(m), sizeof(m) - 1);
	assert_int_equal(sse_json_first_model("nope", 4, m, sizeof(m)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_every_split),
		cmocka_unit_test(test_stream_error),
		cmocka_unit_test(test_overlong_line),
		cmocka_unit_test(test_whole_answer),
		cmocka_unit_test(test_models),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
