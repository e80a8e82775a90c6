/*
 * backend.c — where pxbridge's answers come from: an OpenAI-compatible
 * /v1/chat/completions server (streamed through libcurl), a scripted rules
 * file (tests), or the offline backend. See pxbridge.h.
 */
#define _GNU_SOURCE /* memmem */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "pxbridge.h"
#include "pxvm/abi.h"
#include "pxvm/crc32.h"

static const char *const SYS_LLM =
	"You answer questions from a program running inside pxOS, a small pixel operating "
	"system. Answer briefly in plain text.";
static const char *const SYS_ORACLE =
	"Answer the question with exactly one word: yes or no.";

void pxb_req_text(void *req, const char *s, size_t n)
{
	struct pxb_req *r = req;
	if (!n)
		return;
	if (r->out_len + n > r->out_cap) {
		size_t cap = r->out_cap ? r->out_cap : 1024;
		while (cap < r->out_len + n)
			cap *= 2;
		char *p = realloc(r->out, cap);
		if (!p) {
			r->err_code = FRAME_ERR_BACKEND;
			snprintf(r->err_msg, sizeof(r->err_msg), "out of memory");
			r->finished = 1;
			return;
		}
		r->out = p;
		r->out_cap = cap;
	}
	memcpy(r->out + r->out_len, s, n);
	r->out_len += n;
	r->total += n;
	double now = pxb_now();
	if (!r->t_first)
		r->t_first = now;
	r->t_last = now;
}

char *pxb_offline_answer(uint8_t kind, const char *prompt, size_t len, size_t *out_len)
{
	char *s = malloc(512);
	if (!s)
		return NULL;
	int n;
	if (kind == PXVM_TRAP_ORACLE) {
		/* Deterministic: yes when the question's CRC-32 is odd. */
		n = snprintf(s, 512, "%s (offline oracle: no LLM server; answer from the CRC-32 of the question)",
		             (crc32(prompt, len) & 1) ? "yes" : "no");
	} else {
		int shown = len > 120 ? 120 : (int)len;
		n = snprintf(s, 512, "[offline] pxbridge found no LLM server, so nobody can answer. "
		             "Start LM Studio, Ollama or llama.cpp's server, or run pxbridge --url URL. "
		             "You asked: %.*s%s", shown, prompt, len > 120 ? "..." : "");
	}
	*out_len = (size_t)n;
	return s;
}

/* ---- scripted backend (tools/common/llmscript.c) ---------------------------- */

static void script_tick(struct pxb_req *r, double now)
{
	const struct llm_reply *u = r->reply;
	if (r->finished || now < r->next_at)
		return;
	if (u->fail) {
		r->err_code = FRAME_ERR_BACKEND;
		snprintf(r->err_msg, sizeof(r->err_msg), "%s", u->fail);
		r->finished = 1;
		return;
	}
	size_t total = llmscript_total(u);
	size_t chunk = u->chunk ? u->chunk : PXB_PART_MAX;
	/* Without a gap the whole answer is produced at once. */
	size_t want = u->gap_ms ? chunk : total;
	char buf[4096];
	while (want && r->script_pos < total) {
		size_t k = total - r->script_pos;
		if (k > want)
			k = want;
		if (k > sizeof(buf))
			k = sizeof(buf);
		llmscript_copy(u, r->script_pos, buf, k);
		pxb_req_text(r, buf, k);
		r->script_pos += k;
		want -= k;
	}
	if (r->script_pos >= total)
		r->finished = 1;
	r->next_at = now + u->gap_ms / 1000.0;
}

/* ---- HTTP backend ----------------------------------------------------------- */

static size_t on_body(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct pxb_req *r = ctx;
	size_t n = size * nmemb;
	sse_feed(&r->sse, p, n, pxb_req_text, r);
	if (r->raw_len + n <= PXB_RAW_MAX) {
		char *q = realloc(r->raw, r->raw_len + n + 1);
		if (q) {
			r->raw = q;
			memcpy(r->raw + r->raw_len, p, n);
			r->raw_len += n;
			r->raw[r->raw_len] = '\0';
		}
	}
	return n;
}

/* http_get: a short GET (model probes); the body (malloc'd) or NULL. */
static char *http_get(const char *url, long timeout_ms, long *status)
{
	CURL *e = curl_easy_init();
	if (!e)
		return NULL;
	struct pxb_req tmp;
	memset(&tmp, 0, sizeof(tmp));
	if (sse_init(&tmp.sse)) {
		curl_easy_cleanup(e);
		return NULL;
	}
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &tmp);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	CURLcode c = curl_easy_perform(e);
	*status = 0;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(e);
	sse_free(&tmp.sse);
	free(tmp.out);
	if (c != CURLE_OK) {
		free(tmp.raw);
		return NULL;
	}
	return tmp.raw ? tmp.raw : strdup("");
}

/* chat_url: base URL → .../v1/chat/completions. */
static void make_chat_url(char *out, size_t cap, const char *base)
{
	size_t n = strlen(base);
	while (n && base[n - 1] == '/')
		n--;
	const char *suffix = "/v1/chat/completions";
	if (n >= 17 && !strncmp(base + n - 17, "/chat/completions", 17))
		suffix = "";
	else if (n >= 3 && !strncmp(base + n - 3, "/v1", 3))
		suffix = "/chat/completions";
	snprintf(out, cap, "%.*s%s", (int)n, base, suffix);
}

static int probe(struct pxb_opts *o, const char *base, long timeout_ms)
{
	char url[1100];
	char b[1024];
	make_chat_url(b, sizeof(b), base);
	/* .../chat/completions → .../models */
	size_t n = strlen(b) - strlen("/chat/completions");
	snprintf(url, sizeof(url), "%.*s/models", (int)n, b);
	long status;
	char *body = http_get(url, timeout_ms, &status);
	if (!body)
		return -1;
	int ok = status >= 200 && status < 300;
	if (ok && sse_json_first_model(body, strlen(body), o->probed_model, sizeof(o->probed_model)) != 0)
		o->probed_model[0] = '\0';
	free(body);
	if (!ok)
		return -1;
	snprintf(o->chat_url, sizeof(o->chat_url), "%s", b);
	return 0;
}

int pxb_backend_init(struct pxb_opts *o, CURLM *multi)
{
	(void)multi;
	if (o->script) {
		char err[512];
		if (llmscript_load(&o->script_rules, o->script, err, sizeof(err))) {
			fprintf(stderr, "pxbridge: %s\n", err);
			return -1;
		}
		o->backend = BE_SCRIPT;
		pxb_log("backend: scripted (%s, %zu rules)", o->script, o->script_rules.nrules);
		return 0;
	}
	if (o->url) {
		make_chat_url(o->chat_url, sizeof(o->chat_url), o->url);
		o->backend = BE_HTTP;
		if (!o->model && probe(o, o->url, 3000) == 0 && o->probed_model[0])
			pxb_log("backend: %s (model %s, from its model list)", o->chat_url, o->probed_model);
		else
			pxb_log("backend: %s (model %s)", o->chat_url, o->model ? o->model : "default");
		return 0;
	}
	if (o->probe) {
		static const struct { const char *name, *base; } local[] = {
			{ "LM Studio", "http://127.0.0.1:1234" },
			{ "Ollama", "http://127.0.0.1:11434" },
			{ "llama.cpp server", "http://127.0.0.1:8080" },
		};
		for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++) {
			if (probe(o, local[i].base, 800) == 0) {
				o->backend = BE_HTTP;
				pxb_log("backend: %s at %s (model %s)", local[i].name, o->chat_url,
				        o->model ? o->model : o->probed_model[0] ? o->probed_model : "default");
				return 0;
			}
		}
	}
	o->backend = BE_OFFLINE;
	pxb_log("backend: offline (no LLM server answered on localhost:1234, :11434 or :8080; "
	        "answers say so)");
	return 0;
}

/* map_model: the configured model for guest model id `g`. */
static void map_model(const struct pxb_opts *o, const char *g, char *out, size_t cap)
{
	if (o->model_map) {
		size_t gl = strlen(g);
		for (const char *p = o->model_map; *p;) {
			const char *end = strchr(p, ',');
			size_t len = end ? (size_t)(end - p) : strlen(p);
			const char *eq = memchr(p, '=', len);
			if (eq && (size_t)(eq - p) == gl && !strncmp(p, g, gl)) {
				snprintf(out, cap, "%.*s", (int)(len - gl - 1), eq + 1);
				return;
			}
			p += len + (end ? 1 : 0);
		}
	}
	snprintf(out, cap, "%s", o->model ? o->model : o->probed_model[0] ? o->probed_model : "default");
}

static void http_start(struct pxb_opts *o, CURLM *multi, struct pxb_req *r)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "model", r->model);
	cJSON_AddBoolToObject(root, "stream", 1);
	unsigned max_tokens = r->max_tokens ? r->max_tokens : o->max_tokens;
	if (max_tokens)
		cJSON_AddNumberToObject(root, "max_tokens", max_tokens);
	cJSON *msgs = cJSON_AddArrayToObject(root, "messages");
	const char *system = r->kind == PXVM_TRAP_ORACLE ? SYS_ORACLE : r->kind == PXVM_TRAP_CALL_LLM ? SYS_LLM
	                   : r->system ? r->system->text : NULL;
	if (system) {
		cJSON *sys = cJSON_CreateObject();
		cJSON_AddStringToObject(sys, "role", "system");
		cJSON_AddStringToObject(sys, "content", system);
		cJSON_AddItemToArray(msgs, sys);
	}
	if (r->kind == PXVM_TRAP_LLM_CHAT) {
		struct frame_chat c;
		uint8_t role;
		const uint8_t *t;
		uint32_t n;
		frame_chat_parse((const uint8_t *)r->prompt, r->prompt_len, &c); /* checked when it arrived */
		while (frame_chat_next(&c, &role, &t, &n)) {
			cJSON *m = cJSON_CreateObject();
			char *text = malloc(n + 1);
			if (!m || !text) {
				free(text);
				cJSON_Delete(m);
				break;
			}
			memcpy(text, t, n);
			text[n] = '\0'; /* a NUL inside ends the turn there: JSON strings are C strings here */
			cJSON_AddStringToObject(m, "role", role == FRAME_ROLE_USER ? "user" : "assistant");
			cJSON_AddStringToObject(m, "content", text);
			cJSON_AddItemToArray(msgs, m);
			free(text);
		}
	} else {
		cJSON *user = cJSON_CreateObject();
		cJSON_AddStringToObject(user, "role", "user");
		cJSON_AddStringToObject(user, "content", r->prompt); /* NUL-terminated copy */
		cJSON_AddItemToArray(msgs, user);
	}
	r->body = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (sse_init(&r->sse) || !r->body || !(r->easy = curl_easy_init())) {
		r->err_code = FRAME_ERR_BACKEND;
		snprintf(r->err_msg, sizeof(r->err_msg), "out of memory");
		r->finished = 1;
		return;
	}
	r->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	r->hdrs = curl_slist_append(r->hdrs, "Accept: text/event-stream");
	const char *key = getenv("PXBRIDGE_API_KEY");
	if (!key || !*key)
		key = getenv("OPENAI_API_KEY");
	if (key && *key) {
		char h[1024];
		snprintf(h, sizeof(h), "Authorization: Bearer %s", key);
		r->hdrs = curl_slist_append(r->hdrs, h);
	}
	curl_easy_setopt(r->easy, CURLOPT_URL, o->chat_url);
	curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, r->hdrs);
	curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, r->body);
	curl_easy_setopt(r->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)o->connect_ms);
	curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(r->easy, CURLOPT_PRIVATE, r);
	curl_easy_setopt(r->easy, CURLOPT_ERRORBUFFER, r->curl_err);
	curl_easy_setopt(r->easy, CURLOPT_NOSIGNAL, 1L);
	curl_multi_add_handle(multi, r->easy);
}

void pxb_backend_start(struct pxb_opts *o, CURLM *multi, struct pxb_req *r)
{
	map_model(o, r->guest_model, r->model, sizeof(r->model));
	r->t_start = pxb_now();
	switch (o->backend) {
	case BE_SCRIPT:
		r->reply = llmscript_match(&o->script_rules, r->kind, (const uint8_t *)r->prompt, r->prompt_len, NULL);
		if (!r->reply) {
			r->err_code = FRAME_ERR_BACKEND;
			snprintf(r->err_msg, sizeof(r->err_msg), "no script rule matches the %s",
			         r->kind == PXVM_TRAP_LLM_CHAT ? "conversation" : "prompt");
			r->finished = 1;
			return;
		}
		r->next_at = r->t_start + r->reply->delay_ms / 1000.0;
		break;
	case BE_OFFLINE: {
		size_t n;
		const char *q = r->prompt;
		size_t ql = r->prompt_len;
		struct frame_chat c;
		if (r->kind == PXVM_TRAP_LLM_CHAT && frame_chat_parse((const uint8_t *)r->prompt, r->prompt_len, &c) == 0) {
			q = (const char *)c.last_user;
			ql = c.last_user_len;
		}
		char *a = pxb_offline_answer(r->kind, q, ql, &n);
		if (a)
			pxb_req_text(r, a, n);
		free(a);
		r->finished = 1;
		break;
	}
	case BE_HTTP:
		http_start(o, multi, r);
		break;
	}
}

static void drop_text(void *ctx, const char *s, size_t n) { (void)ctx, (void)s, (void)n; }

static void fail(CURLM *multi, struct pxb_req *r, int code, const char *msg)
{
	if (r->easy) {
		curl_multi_remove_handle(multi, r->easy);
		curl_easy_cleanup(r->easy);
		r->easy = NULL;
	}
	r->err_code = code;
	size_t n = strlen(msg) < sizeof(r->err_msg) - 1 ? strlen(msg) : sizeof(r->err_msg) - 1;
	memcpy(r->err_msg, msg, n);
	r->err_msg[n] = '\0';
	r->finished = 1;
}

void pxb_backend_tick(struct pxb_opts *o, CURLM *multi, struct pxb_req *r, double now)
{
	if (r->finished)
		return;
	if (o->backend == BE_SCRIPT) {
		script_tick(r, now);
		return;
	}
	if (o->backend != BE_HTTP || !r->easy)
		return;
	if (!r->t_first && now - r->t_start > o->first_ms / 1000.0) {
		char m[128];
		snprintf(m, sizeof(m), "no first token within %u ms", o->first_ms);
		fail(multi, r, FRAME_ERR_TIMEOUT, m);
	} else if (r->t_first && now - r->t_last > o->token_ms / 1000.0) {
		char m[128];
		snprintf(m, sizeof(m), "no next token within %u ms", o->token_ms);
		fail(multi, r, FRAME_ERR_TIMEOUT, m);
	}
}

void pxb_backend_done(struct pxb_opts *o, CURLM *multi, struct pxb_req *r, CURLcode code)
{
	(void)o;
	long status = 0;
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_multi_remove_handle(multi, r->easy);
	curl_easy_cleanup(r->easy);
	r->easy = NULL;
	char m[512];
	if (code != CURLE_OK) {
		snprintf(m, sizeof(m), "%.200s: %.200s", o->chat_url, r->curl_err[0] ? r->curl_err : curl_easy_strerror(code));
		fail(multi, r, code == CURLE_OPERATION_TIMEDOUT ? FRAME_ERR_TIMEOUT : FRAME_ERR_BACKEND, m);
		return;
	}
	if (status >= 400 || r->sse.error[0]) {
		char err[256] = "";
		if (r->sse.error[0])
			snprintf(err, sizeof(err), "%s", r->sse.error);
		else if (r->raw && sse_json_answer(r->raw, r->raw_len, drop_text, NULL, err, sizeof(err)) < 0)
			snprintf(err, sizeof(err), "%.200s", r->raw);
		snprintf(m, sizeof(m), "HTTP %ld: %s", status, err);
		fail(multi, r, FRAME_ERR_BACKEND, m);
		return;
	}
	if (!r->sse.events && r->raw) {
		/* Not streamed: one JSON answer. */
		char err[256] = "";
		if (sse_json_answer(r->raw, r->raw_len, pxb_req_text, r, err, sizeof(err)) != 1) {
			snprintf(m, sizeof(m), "unusable answer: %s", err[0] ? err : "not JSON");
			fail(multi, r, FRAME_ERR_BACKEND, m);
			return;
		}
	}
	r->finished = 1;
}

void pxb_backend_stop(CURLM *multi, struct pxb_req *r)
{
	if (r->easy) {
		curl_multi_remove_handle(multi, r->easy);
		curl_easy_cleanup(r->easy);
		r->easy = NULL;
	}
	curl_slist_free_all(r->hdrs);
	r->hdrs = NULL;
	free(r->body);
	r->body = NULL;
	sse_free(&r->sse);
	free(r->raw);
	r->raw = NULL;
	free(r->out);
	r->out = NULL;
	free(r->prompt);
	r->prompt = NULL;
}
