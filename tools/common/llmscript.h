/*
 * llmscript.h — scripted LLM answers for tests: the rules file of pxbridge's
 * --script and pxsim's --llm-script (one parser and matcher for both;
 * docs/bridge-protocol.md, "Scripted answers", is the syntax).
 *
 * A rule matches a request by a substring of its text (for an LLM_CHAT
 * conversation the last user turn, or any turn), its kind and its system
 * prompt; it answers with its replies in order (the first match gets the
 * first reply, the next match the next one, the last one again after that),
 * each a text repeated, cut short, paced or replaced by a failure.
 */
#ifndef TOOLS_COMMON_LLMSCRIPT_H
#define TOOLS_COMMON_LLMSCRIPT_H

#include <stddef.h>
#include <stdint.h>

enum llm_where { LLM_WHERE_LAST = 0, LLM_WHERE_ANY = 1 };

struct llm_reply {
	char *text;          /* the answer (escapes resolved) */
	size_t len;
	unsigned repeat;     /* the text this many times (long answers) */
	unsigned delay_ms;   /* before the first part */
	unsigned gap_ms;     /* between parts (0: all at once) */
	unsigned chunk;      /* bytes per part (0: the caller's default) */
	size_t truncate;     /* nonzero: the answer stops after this many bytes (a cut-short reply) */
	char *fail;          /* answer with an error carrying this message instead */
};

struct llm_rule {
	char *match;         /* substring of the text; "*" matches any */
	int where;           /* enum llm_where: a conversation's last user turn, or any turn */
	char *system;        /* NULL any; "" none; else this system prompt name */
	int kind;            /* 0 any, else PXVM_TRAP_CALL_LLM, PXVM_TRAP_ORACLE or PXVM_TRAP_LLM_CHAT */
	struct llm_reply *replies;
	size_t nreplies;
	unsigned uses;       /* requests answered so far: the next reply's index */
	int line;            /* where it starts in the file */
};

struct llm_script {
	struct llm_rule *rules;
	size_t nrules;
};

/* llmscript_load: parse rules file `path` into *s (zeroed first). Returns 0,
 * or -1 with "file:line: message" in `err` (`cap` bytes). */
int llmscript_load(struct llm_script *s, const char *path, char *err, size_t cap);

/* llmscript_free: release what llmscript_load allocated. */
void llmscript_free(struct llm_script *s);

/* llmscript_match: the reply of the first rule matching a request of `kind`
 * (PXVM_TRAP_*) with body `body` (`len` bytes: the prompt, or an LLM_CHAT
 * conversation, pxvm/frame.h), counting the use; NULL when none matches (or
 * the conversation is malformed). *rule (if not NULL) gets the rule. */
const struct llm_reply *llmscript_match(struct llm_script *s, uint8_t kind, const uint8_t *body, size_t len,
                                        const struct llm_rule **rule);

/* llmscript_total: the bytes reply `r` produces (its text times repeat, cut
 * at truncate). */
size_t llmscript_total(const struct llm_reply *r);

/* llmscript_copy: bytes [pos, pos + n) of reply `r`'s answer into `out`
 * (n <= llmscript_total(r) - pos). */
void llmscript_copy(const struct llm_reply *r, size_t pos, char *out, size_t n);

#endif
