/*
 * pxbridge.h — shared declarations of the host bridge (tools/pxbridge):
 * options, the request table and the backends. docs/bridge-protocol.md
 * describes the protocol, README.md the use.
 */
#ifndef PXBRIDGE_H
#define PXBRIDGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <curl/curl.h>

#include "pxvm/frame.h"
#include "sse.h"
#include "home.h"
#include "tools/common/llmscript.h"
#include "tools/common/sysprompt.h"

#include "kernel/param.h"

#define PXB_REQ_MAX     (HV_INFLIGHT_MAX + 1) /* requests served at once: the kernel's limit (+ the monitor's) */
#define PXB_PART_MAX    512    /* answer bytes per REPLY_PART frame */
#define PXB_RETRY_MS    300    /* resend an unacknowledged frame after this long */
#define PXB_RETRIES     10     /* sends of one frame before the kernel counts as gone */
#define PXB_NAK_GAP_MS  100    /* at most one NAK sent, and one resend for NAKs, per this long */
#define PXB_KEEPALIVE_MS 1000  /* KEEPALIVE while a request has sent nothing for this long */
#define PXB_HOME_DEFAULT "build/home" /* --home: where /home is kept */
#define PXB_RAW_MAX     (1024 * 1024) /* HTTP body bytes kept for a non-streamed answer */

enum pxb_backend { BE_HTTP, BE_SCRIPT, BE_OFFLINE };

struct pxb_opts {
	const char *socket_path, *serial_dev, *url, *model, *model_map, *script, *log_path;
	const char *snap_dir;        /* --snapshots: where SNAPSHOT files go (default build/snapshots) */
	unsigned baud;
	int no_tty, hello, probe;
	unsigned connect_ms, first_ms, token_ms, max_tokens;
	double corrupt_pct;
	unsigned seed;
	enum pxb_backend backend;
	char chat_url[1024];          /* .../v1/chat/completions */
	char probed_model[256];
	struct llm_script script_rules; /* --script */
};

/* One request from the kernel. */
struct pxb_req {
	int used;
	uint32_t id;
	uint8_t kind;
	char guest_model[FRAME_MODEL_MAX + 1];
	char model[256];
	char *prompt;                  /* the body: a prompt, or an LLM_CHAT conversation (NUL added) */
	size_t prompt_len;             /* bytes of it received so far */
	size_t body_total;             /* ... of this many (REQUEST, then REQUEST_DATA frames) */
	int started;                   /* the body is complete and the backend started */
	unsigned max_tokens;           /* asked for by pxOS (0: --max-tokens) */
	const struct sysprompt_def *system; /* LLM_CHAT: its system prompt, or NULL */
	uint32_t turns;                /* LLM_CHAT: turns in the conversation */
	/* answer text not yet sent to the kernel */
	char *out;
	size_t out_len, out_cap;
	size_t total;                  /* answer bytes produced */
	int finished;                  /* the backend is done (out may still hold bytes) */
	int err_code;                  /* FRAME_ERR_* when failed */
	char err_msg[256];
	double t_start, t_first, t_last, t_sent, t_keepalive;
	/* HTTP */
	CURL *easy;
	struct curl_slist *hdrs;
	char *body;
	struct sse sse;
	char *raw;
	size_t raw_len;
	char curl_err[CURL_ERROR_SIZE];
	/* scripted */
	const struct llm_reply *reply; /* the scripted answer */
	size_t script_pos;             /* bytes of it produced */
	double next_at;                /* when the next scripted part is due */
};

/* pxb_now: seconds on the monotonic clock. */
double pxb_now(void);

/* pxb_log: a line to the --log file (and to stderr when the log view is on). */
void pxb_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* backend.c */
/* pxb_backend_init: pick the backend (script, --url, probed local server, or
 * offline) and print which. Returns 0, or -1 with a message on stderr. */
int pxb_backend_init(struct pxb_opts *o, CURLM *multi);

/* pxb_backend_start: begin answering `r` (prompt and model set). Text arrives
 * later in r->out; r->finished / r->err_code tell the end. */
void pxb_backend_start(struct pxb_opts *o, CURLM *multi, struct pxb_req *r);

/* pxb_backend_tick: timers of `r` (scripted parts, HTTP timeouts) at `now`. */
void pxb_backend_tick(struct pxb_opts *o, CURLM *multi, struct pxb_req *r, double now);

/* pxb_backend_done: a curl transfer of `r` ended with `code`. */
void pxb_backend_done(struct pxb_opts *o, CURLM *multi, struct pxb_req *r, CURLcode code);

/* pxb_backend_stop: abandon `r`'s backend work and free its buffers. */
void pxb_backend_stop(CURLM *multi, struct pxb_req *r);

/* pxb_req_text: append answer text to r->out. */
void pxb_req_text(void *req, const char *s, size_t n);

/* pxb_offline_answer: the offline backend's answer to a prompt (for a
 * conversation: its last user turn) (malloc'd). */
char *pxb_offline_answer(uint8_t kind, const char *prompt, size_t len, size_t *out_len);

/* pxb_snapshot_frame: a SNAPSHOT frame from pxOS (reliable, in order, already
 * ACKed): BEGIN opens a temporary file in the snapshot directory, DATA
 * appends, END checks length and CRC-32 and renames it to DIR/TIMESTAMP.png
 * (tools/pxbridge/snapshot.c). */
void pxb_snapshot_frame(const struct pxb_opts *o, const struct frame *f);

/* pxb_snapshot_abort: drop a snapshot in progress (its temporary file). */
void pxb_snapshot_abort(const char *why);

#endif /* PXBRIDGE_H */
