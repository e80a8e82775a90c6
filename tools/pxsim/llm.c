/*
 * llm.c — pxsim's LLM backend (pxvm/host.h pxhost_llm_submit): with
 * --llm-script FILE, the same scripted rules as pxbridge's --script
 * (tools/common/llmscript.h; syntax in docs/bridge-protocol.md, "Scripted
 * answers"), so a program that talks to the LLM (pxos.chat, CALL_LLM,
 * LLM_CHAT) is tested on the host in seconds; without it every call fails at
 * once with -PXE_ENOBRIDGE, as a pxOS without a bridge does.
 *
 * Answers stream on pxsim's clock: a rule's delay and gap are virtual
 * milliseconds, its parts go out from pxhost_poll/pxhost_idle, so runs
 * repeat exactly. A conversation's system prompt is checked against the
 * prompts compiled in (tools/common/sysprompt.h), as pxbridge checks it.
 * Each request is logged on stderr (kind, model, max_tokens, system, sizes,
 * the rule's line) unless --quiet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pxvm/abi.h"
#include "pxvm/frame.h"
#include "pxvm/host.h"
#include "pxvm/hv.h"
#include "tools/common/llmscript.h"
#include "tools/common/sysprompt.h"
#include "pxsim.h"

#define SIM_PART_MAX 512 /* bytes per part when the rule gives no chunk (as pxbridge's) */

struct sim_call {
	uint32_t id;                  /* 0 = free */
	const struct llm_reply *reply;/* NULL: fails with err */
	char err[256];
	size_t pos, total;
	uint64_t due_us;              /* the next part (or the failure) is due */
};

static struct llm_script script;
static int loaded;
static struct sim_call calls[HV_INFLIGHT_MAX + 1];

int pxsim_llm_script(const char *path)
{
	char err[512];
	if (llmscript_load(&script, path, err, sizeof(err))) {
		fprintf(stderr, "pxsim: --llm-script: %s\n", err);
		return -1;
	}
	loaded = 1;
	return 0;
}

static const char *kind_name(uint32_t k)
{
	return k == PXVM_TRAP_ORACLE ? "oracle" : k == PXVM_TRAP_LLM_CHAT ? "chat" : "llm";
}

int pxhost_llm_submit(uint32_t id, uint32_t kind, const char *model, uint32_t max_tokens, const char *body,
                      uint32_t len)
{
	if (!loaded)
		return -PXE_ENOBRIDGE; /* no backend: as a pxOS without a bridge */
	struct sim_call *c = NULL;
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]) && !c; i++)
		if (!calls[i].id)
			c = &calls[i];
	if (!c)
		return -PXE_EBUSY;
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->due_us = pxhost_time_us();
	const char *system = "";
	struct frame_chat fc;
	if (kind == PXVM_TRAP_LLM_CHAT) {
		if (frame_chat_parse((const uint8_t *)body, len, &fc) != 0) {
			snprintf(c->err, sizeof(c->err), "malformed conversation");
			goto log;
		}
		system = fc.system;
		if (fc.system[0] && !sysprompt_resolve(fc.system, c->err, sizeof(c->err)))
			goto log;
	}
	const struct llm_rule *rule = NULL;
	c->reply = llmscript_match(&script, (uint8_t)kind, (const uint8_t *)body, len, &rule);
	if (!c->reply) {
		snprintf(c->err, sizeof(c->err), "no script rule matches the %s",
		         kind == PXVM_TRAP_LLM_CHAT ? "conversation" : "prompt");
	} else if (c->reply->fail) {
		snprintf(c->err, sizeof(c->err), "%s", c->reply->fail);
		c->reply = NULL;
	} else {
		c->total = llmscript_total(c->reply);
	}
	if (c->reply)
		c->due_us += (uint64_t)c->reply->delay_ms * 1000u;
log:
	if (pxsim_quiet)
		return 0;
	fprintf(stderr, "pxsim: llm request %u %s model %s max_tokens %u system %s: %u bytes", id, kind_name(kind),
	        model, max_tokens, *system ? system : "none", len);
	if (c->reply)
		fprintf(stderr, ", answer of %zu bytes from the rule at line %d\n", c->total, rule->line);
	else
		fprintf(stderr, ": fails: %s\n", c->err);
	return 0;
}

void pxhost_llm_cancel(uint32_t id)
{
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (calls[i].id == id && id)
			calls[i].id = 0;
}

/* part: deliver what is due of call `c` at `now`. */
static void part(struct sim_call *c, uint64_t now)
{
	uint32_t id = c->id;
	if (!c->reply) {
		c->id = 0; /* before the reply: hv may cancel it meanwhile */
		if (!pxsim_quiet)
			fprintf(stderr, "pxsim: llm request %u failed: %s\n", id, c->err);
		hv_llm_reply(id, -PXE_EIO, NULL, 0, 0);
		return;
	}
	const struct llm_reply *y = c->reply;
	size_t chunk = y->chunk ? y->chunk : SIM_PART_MAX;
	char buf[4096];
	if (chunk > sizeof(buf))
		chunk = sizeof(buf);
	do {
		size_t k = c->total - c->pos < chunk ? c->total - c->pos : chunk;
		if (!k)
			break;
		llmscript_copy(y, c->pos, buf, k);
		c->pos += k;
		hv_llm_reply(id, 0, buf, (uint32_t)k, 1);
		if (c->id != id)
			return; /* cancelled by its caller meanwhile */
	} while (!y->gap_ms && c->pos < c->total);
	if (c->pos >= c->total) {
		c->id = 0;
		hv_llm_reply(id, 0, NULL, 0, 0);
		return;
	}
	c->due_us = now + (uint64_t)y->gap_ms * 1000u;
}

void pxsim_llm_pump(void)
{
	uint64_t now = pxhost_time_us();
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (calls[i].id && now >= calls[i].due_us)
			part(&calls[i], now);
}

uint64_t pxsim_llm_next_due(void)
{
	uint64_t d = 0;
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (calls[i].id && (!d || calls[i].due_us < d))
			d = calls[i].due_us;
	return d;
}
