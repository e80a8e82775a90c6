/*
 * test_llmscript.c — the scripted LLM backend's rules (tools/common/llmscript.c),
 * shared by pxbridge --script and pxsim --llm-script: the file syntax and its
 * errors, matching a prompt or a conversation's last user turn (or any
 * turn), kind and system filters, a rule's sequence of replies, repeat and
 * truncate.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "tools/common/llmscript.h"
#include "pxvm/abi.h"
#include "pxvm/frame.h"

static char path[64];

/* load: `text` as a rules file into *s; llmscript_load's result, message in err. */
static int load(struct llm_script *s, const char *text, char *err, size_t cap)
{
	snprintf(path, sizeof(path), "/tmp/test_llmscript.%d", (int)getpid());
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	int r = llmscript_load(s, path, err, cap);
	unlink(path);
	return r;
}

/* chat: a conversation body: system id, then turns "u:text" / "a:text". */
static size_t chat(uint8_t *b, size_t cap, const char *system, int n, ...)
{
	size_t at = frame_chat_begin(b, cap, system);
	va_list ap;
	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		const char *t = va_arg(ap, const char *);
		at = frame_chat_turn(b, cap, at, t[0] == 'u' ? FRAME_ROLE_USER : FRAME_ROLE_ASSISTANT, t + 2, strlen(t + 2));
	}
	va_end(ap);
	assert_true(at > 0);
	return at;
}

static const char *answer(const struct llm_reply *r, char *buf)
{
	size_t n = llmscript_total(r);
	llmscript_copy(r, 0, buf, n);
	buf[n] = 0;
	return buf;
}

static const char rules[] =
	"# comment\n"
	"rule: errors\n"
	"kind: chat\n"
	"system: pxasm\n"
	"reply: fixed\\n\n"
	"  reply: more\n"
	"rule: write\n"
	"kind: chat\n"
	"system: pxasm\n"
	"reply: one\n"
	"next:\n"
	"reply: two-two-two\n"
	"truncate: 5\n"
	"next:\n"
	"fail: gone\n"
	"rule: history\n"
	"where: any\n"
	"reply: any turn\n"
	"rule: plain\n"
	"system: none\n"
	"kind: chat\n"
	"reply: no system\n"
	"rule: ab\n"
	"kind: llm\n"
	"reply: ab\n"
	"repeat: 3\n"
	"delay: 5\n"
	"gap: 6\n"
	"chunk: 7\n"
	"rule: *\n"
	"kind: oracle\n"
	"reply: yes\\x21\n";

static void test_match(void **state)
{
	(void)state;
	struct llm_script s;
	char err[256], buf[256];
	uint8_t b[512];
	assert_int_equal(load(&s, rules, err, sizeof(err)), 0);
	assert_int_equal(s.nrules, 6);
	const struct llm_rule *rule;
	/* The first question, then the errors in the same conversation: the
	 * errors rule answers, because only the last user turn counts. */
	size_t n = chat(b, sizeof(b), "pxasm@12345678", 1, "u:write a program");
	const struct llm_reply *r = llmscript_match(&s, PXVM_TRAP_LLM_CHAT, b, n, &rule);
	assert_non_null(r);
	assert_string_equal(answer(r, buf), "one");
	assert_int_equal(rule->line, 7);
	n = chat(b, sizeof(b), "pxasm", 3, "u:write a program", "a:one", "u:errors: bad");
	r = llmscript_match(&s, PXVM_TRAP_LLM_CHAT, b, n, NULL);
	assert_string_equal(answer(r, buf), "fixed\nmore");
	/* The rule's next match gets its next reply (cut at 5), then a failure, which repeats. */
	n = chat(b, sizeof(b), "pxasm", 1, "u:write again");
	r = llmscript_match(&s, PXVM_TRAP_LLM_CHAT, b, n, NULL);
	assert_string_equal(answer(r, buf), "two-t");
	assert_int_equal(llmscript_total(r), 5);
	r = llmscript_match(&s, PXVM_TRAP_LLM_CHAT, b, n, NULL);
	assert_string_equal(r->fail, "gone");
	r = llmscript_match(&s, PXVM_TRAP_LLM_CHAT, b, n, NULL);
	assert_string_equal(r->fail, "gone");
	/* Another system prompt: the pxasm rules do not match; "plain" wants none. */
	n = chat(b, sizeof(b), "python", 1, "u:write plain");
	assert_null(llmscript_match(&s, PXVM_TRAP_LLM_CHAT, b, n, NULL));
	n = chat(b, sizeof(b), "", 1, "u:write plain");
	r = llmscript_match(&s, PXVM_TRAP_LLM_CHAT, b, n, NULL);
	assert_string_equal(answer(r, buf), "no system");
	/* where: any finds an earlier turn, the assistant's too. */
	n = chat(b, sizeof(b), "", 3, "u:x", "a:the history", "u:y");
	r = llmscript_match(&s, PXVM_TRAP_LLM_CHAT, b, n, NULL);
	assert_string_equal(answer(r, buf), "any turn");
	/* A plain prompt: kind llm, repeat, pacing; the oracle's catch-all. */
	r = llmscript_match(&s, PXVM_TRAP_CALL_LLM, (const uint8_t *)"xaby", 4, NULL);
	assert_string_equal(answer(r, buf), "ababab");
	assert_true(r->delay_ms == 5 && r->gap_ms == 6 && r->chunk == 7);
	llmscript_copy(r, 3, buf, 3);
	assert_memory_equal(buf, "bab", 3);
	r = llmscript_match(&s, PXVM_TRAP_ORACLE, (const uint8_t *)"anything", 8, NULL);
	assert_string_equal(answer(r, buf), "yes!");
	assert_null(llmscript_match(&s, PXVM_TRAP_CALL_LLM, (const uint8_t *)"nothing", 7, NULL));
	/* A malformed conversation matches nothing. */
	assert_null(llmscript_match(&s, PXVM_TRAP_LLM_CHAT, (const uint8_t *)"\x00u", 2, NULL));
	llmscript_free(&s);
}

static void test_errors(void **state)
{
	(void)state;
	static const struct { const char *text, *msg; } bad[] = {
		{ "reply: x\n", ":1: 'reply' before the first 'rule:'" },
		{ "rule: a\nbogus\n", ":2: expected 'key: value'" },
		{ "rule: a\nkind: chatty\n", ":2: kind is llm, oracle or chat" },
		{ "rule: a\nwhere: first\n", ":2: where is last or any" },
		{ "rule: a\nrepeat: 3x\n", ":2: 'repeat' needs a number" },
		{ "rule: a\ncolour: red\n", ":2: unknown key 'colour'" },
		{ "# nothing\n", ": no rules" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct llm_script s;
		char err[256] = "";
		assert_int_equal(load(&s, bad[i].text, err, sizeof(err)), -1);
		if (!strstr(err, bad[i].msg))
			fail_msg("%s: got '%s', want '%s'", bad[i].text, err, bad[i].msg);
		assert_int_equal(s.nrules, 0);
	}
	struct llm_script s;
	char err[256];
	assert_int_equal(llmscript_load(&s, "/nonexistent/rules", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot open"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
