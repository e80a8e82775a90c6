/*
 * hv.h — the trap hypervisor: serves what guests ask for through the trap
 * interface at 0xF000 (abi.h PXVM_TRAP_*) or SYSCALL HVTRAP.
 * docs/hypervisor.md is the specification.
 *
 * A guest writes ARG0..ARG2, then the trap type into TRAP_FLAG; the store
 * makes pxvm_run return PXVM_RUN_TRAP and the scheduler calls hv_trap().
 * Short traps are served at once; LLM and oracle calls go to the platform
 * (pxhost_llm_submit) and block the process until hv_llm_reply().
 */
#ifndef PXVM_HV_H
#define PXVM_HV_H

#include <stdint.h>
#include <stdbool.h>

struct proc;

/* Argument encodings (docs/hypervisor.md). */
#define HV_TRUNCATED     0x40000000u /* RESULT flag: CALL_LLM / LOAD_FILE data was cut to the buffer */
#define HV_FILE_BY_ID    0x80000000u /* LOAD_FILE ARG0: bit set = PixelFS file id, else a path address */
#define HV_MODEL_MAX     255u        /* model ids 0..255 */
#define HV_NOISE_GAUSS   0u          /* SAMPLE_NOISE ARG2: Gaussian, ARG0 = mean, ARG1 = std (16.16) */
#define HV_NOISE_UNIFORM 1u          /* uniform in [ARG0, ARG1) (16.16) */
#define HV_NOISE_BITS    2u          /* 32 random bits (ARG0 = ARG1 = 0) */
#define HV_CHAT_MODEL_SHIFT 24u      /* LLM_CHAT ARG2: max_tokens (bits 0..23) | model << 24 */
#define HV_SYSTEM_DIR    "/lib/llm/" /* system prompts pxOS knows: NAME.txt (tools/gen-sysprompt) */

/* Counters since hv_init, for the monitor and tests. */
struct hv_stats {
	uint64_t traps;      /* traps and HVTRAP calls served */
	uint64_t submitted;  /* LLM/oracle requests handed to the platform */
	uint64_t answered;   /* ... that ended with an answer */
	uint64_t failed;     /* ... that ended with an error (submit refused, bridge error, bad oracle answer) */
	uint64_t timedout;   /* ... that passed their deadline */
	uint64_t cancelled;  /* ... dropped because their process ended */
	uint64_t busy;       /* calls refused with -PXE_EBUSY (table full) */
};

/* hv_init: no request in flight; register hv_proc_gone as a teardown hook. */
void hv_init(void);

/* hv_trap: serve the trap `p` raised in its trap page. Returns 1 when `p`
 * blocked (BLOCK_TRAP), 0 when RESULT is written and the flag cleared. */
int hv_trap(struct proc *p);

/* hv_syscall: SYSCALL HVTRAP (R1 = type, R2..R4 = ARG0..ARG2), result in R0.
 * Returns 1 when `p` blocked, else 0. */
int hv_syscall(struct proc *p);

/* A native caller's LLM call (the Python runtime's pxos.call_llm and
 * pxos.chat, pxvm/py/modpxos.c): the same checks, limits and deadlines as
 * the traps, with the caller's own buffer for the reply. */
struct hv_call {
	uint32_t kind;           /* PXVM_TRAP_CALL_LLM or PXVM_TRAP_LLM_CHAT */
	uint32_t model;          /* 0..HV_MODEL_MAX */
	uint32_t max_tokens;     /* 0..HV_MAX_TOKENS; 0 = the bridge's default */
	const char *body;        /* CALL_LLM: the prompt, 1..HV_PROMPT_MAX bytes, no NUL;
	                          * LLM_CHAT: a conversation (pxvm/frame.h frame_chat_*, system id a bare
	                          * NAME of HV_SYSTEM_DIR, or none), at most HV_CHAT_MAX bytes */
	uint32_t len;
	const char *reply_path;  /* LLM_CHAT: NULL, or a file of /home or /tmp the reply streams into */
	char *reply;             /* the reply, NUL-terminated: reply_cap bytes (with the NUL) */
	uint32_t reply_cap;
};

/* hv_llm_call: start call `c` for process `p` (the running one). Returns 1
 * when `p` is now blocked (BLOCK_TRAP; the caller gives up the CPU; when it
 * runs again its trap page's RESULT holds the result and `c->reply` the
 * text: the reply length, at most reply_cap - 1 and HV_CHAT_REPLY_MAX, |
 * HV_TRUNCATED when the answer was longer or the reply file refused some of
 * it), else 0 with the error in *result: -PXE_EINVAL (bad numbers, prompt or
 * conversation), -PXE_ENOSPC (over HV_CHAT_MAX), -PXE_ENOENT (no such system
 * prompt), the reply file's errors (vfs_create), -PXE_ENOMEM, -PXE_EBUSY, or
 * the platform's (-PXE_ENOBRIDGE, -PXE_EIO). `c->reply` must stay valid
 * while `p` waits; nothing is written there once `p` no longer waits. */
int hv_llm_call(struct proc *p, const struct hv_call *c, int32_t *result);

/* hv_llm_reply: the platform's answer to request `id`: status 0 and `len`
 * bytes of text (a part when `more` is nonzero; parts are appended), or a
 * negative -PXE_E* status (TIMEDOUT, IO, NOBRIDGE). */
void hv_llm_reply(uint32_t id, int status, const char *text, uint32_t len, int more);

/* hv_llm_alive: a keep-alive for request `id` (the model is still working). */
void hv_llm_alive(uint32_t id);

/* hv_proc_gone: `p` ended or was killed; drop and cancel its requests. */
void hv_proc_gone(struct proc *p);

/* hv_poll: expire requests past their deadline (called with the clock):
 * each ends with -PXE_ETIMEDOUT and is cancelled on the platform. A request
 * whose caller catches Ctrl-C (INTR_CATCH) and got one while it waited (the
 * console left it pending, pxvm/tty.c) is cancelled the same way and ends
 * with -PXE_EINTR at once (Python: KeyboardInterrupt). */
void hv_poll(uint64_t now_us);

/* hv_next_deadline: the earliest deadline (pxhost_time_us) of a request in
 * flight, 0 when none: the scheduler's idle wait should not sleep past it. */
uint64_t hv_next_deadline(void);

/* hv_inflight: LLM/oracle requests in flight now (0..HV_INFLIGHT_MAX). */
uint32_t hv_inflight(void);

/* hv_get_stats: copy the counters. */
void hv_get_stats(struct hv_stats *out);

struct snapw;
struct snapr;
/* hv_snap_save / hv_snap_load: the counters and the calls in flight as section HV v1; loading fails each call in flight with -PXE_EIO and wakes its process
 * (pxvm/snap.h); load with `apply` false only checks, true loads into the
 * module just reset by its init. 0 or -PXE_EINVAL. */
void hv_snap_save(struct snapw *w);
int hv_snap_load(struct snapr *r, bool apply);

#endif /* PXVM_HV_H */
