/*
 * hv.c — the trap hypervisor; see hv.h and docs/hypervisor.md (the spec).
 *
 * Short traps (LOAD_FILE, SAMPLE_NOISE, RUN_PYTHON) are served at once. LLM
 * and oracle calls become requests in a small table (HV_INFLIGHT_MAX): the
 * prompt goes to the platform through pxhost_llm_submit, the process is
 * BLOCKED (BLOCK_TRAP) and everybody else keeps running; the reply streams in
 * through hv_llm_reply straight into the guest's buffer, and the process wakes
 * with RESULT written. Each request has a deadline, pushed back by every sign
 * of life (a part of the reply or a keep-alive), so a lost answer ends with
 * -PXE_ETIMEDOUT instead of a process blocked forever.
 *
 * Every guest address and length is checked here before use; buffers the
 * hypervisor writes must lie below the trap page (0xF000).
 */
#include "hv.h"
#include "proc.h"
#include "host.h"
#include "rng.h"
#include "vfs.h"
#include "snapio.h"
#include "frame.h"
#include "crc32.h"
#include "port.h"

#define ORACLE_KEEP 64 /* bytes of an oracle's answer kept to read yes/no from */

static const char oracle_prefix[] =
	"Answer the following question with exactly one word, yes or no.\nQuestion: ";

struct hv_req {
	uint32_t id;             /* 0 = free slot */
	uint32_t pid;            /* the caller */
	uint32_t kind;           /* PXVM_TRAP_CALL_LLM, PXVM_TRAP_ORACLE or PXVM_TRAP_LLM_CHAT */
	int via_syscall;         /* answer in R0 (HVTRAP) instead of the trap page */
	uint32_t buf, cap;       /* CALL_LLM: reply buffer in guest memory, usable bytes incl. NUL */
	char *keep;              /* a native caller's reply buffer (hv_llm_call), keep_cap bytes incl. NUL */
	uint32_t keep_cap;
	uint32_t got;            /* reply bytes received so far (all of them, kept or not) */
	uint32_t filed;          /* LLM_CHAT: reply bytes appended to the reply file */
	bool file_short;         /* ... the file refused some (quota, VFS_FILE_MAX, removed) */
	char path[PXFS_PATH_MAX];/* LLM_CHAT: the reply file ("" = none) */
	uint8_t *chat;           /* LLM_CHAT: the encoded conversation (a pxhost_mem_alloc block) */
	char answer[ORACLE_KEEP];/* ORACLE: the start of the answer */
	uint64_t started_us;     /* submit time: the HV_LLM_MAX_MS limit counts from here */
	uint64_t deadline_us;    /* give up at this time unless a sign of life comes first */
};

static struct hv_req reqs[HV_INFLIGHT_MAX];
static uint32_t next_id = 1;
static char prompt_buf[sizeof(oracle_prefix) + HV_PROMPT_MAX];
static struct hv_stats stats;

/* release: request slot `r` is free again (its conversation block too). */
static void release(struct hv_req *r)
{
	if (r->chat)
		pxhost_mem_free((uint32_t *)r->chat);
	r->chat = 0;
	r->id = 0;
}

void hv_init(void)
{
	proc_on_gone(hv_proc_gone);
	for (uint32_t i = 0; i < HV_INFLIGHT_MAX; i++)
		release(&reqs[i]);
	memset(reqs, 0, sizeof(reqs));
	memset(&stats, 0, sizeof(stats));
	next_id = 1;
}

/* ---- argument checks ---------------------------------------------------- */

/* out_ok: may the hypervisor write [addr, addr+len) for the guest? Only below
 * the trap page, so no reply can overwrite the flag, the arguments or RESULT. */
static int out_ok(uint32_t addr, uint32_t len)
{
	return pxvm_range_ok(addr, len) && addr + len <= PXVM_TRAP_FLAG;
}

/* read_string: a NUL-terminated guest string into dst (cap bytes with NUL):
 * its length; -PXE_EFAULT when it runs out of memory; `toolong` when it does
 * not fit; -PXE_EINVAL when empty. */
static int read_string(const struct proc *p, uint32_t addr, char *dst, uint32_t cap, int toolong)
{
	int n = pxvm_read_str(&p->vm, addr, dst, cap);
	if (n == -PXE_ENAMETOOLONG)
		return toolong;
	if (n == 0)
		return -PXE_EINVAL;
	return n;
}

/* ---- the short traps ------------------------------------------------------ */

static int32_t trap_load_file(struct proc *p, uint32_t src, uint32_t dst, uint32_t cap)
{
	const uint8_t *data;
	uint32_t size;
	if (src & HV_FILE_BY_ID) {
		const struct pxfs *fs = vfs_fs();
		struct pxfs_file f;
		uint32_t id = src & ~HV_FILE_BY_ID;
		if (id == 0)
			return -PXE_EINVAL;
		if (!out_ok(dst, cap))
			return -PXE_EFAULT;
		if (!fs || pxfs_lookup_id(fs, id, &f) != 0)
			return -PXE_ENOENT;
		data = f.data;
		size = f.size;
	} else {
		char path[PXFS_PATH_MAX];
		struct vfs_file f;
		if (src >= PXVM_MEM_SIZE)
			return -PXE_EINVAL;
		int n = read_string(p, src, path, sizeof(path), -PXE_ENAMETOOLONG);
		if (n < 0)
			return n;
		if (!out_ok(dst, cap))
			return -PXE_EFAULT;
		if (vfs_lookup(path, &f) != 0)
			return -PXE_ENOENT;
		if (!f.data && f.type == 0)
			return -PXE_EISDIR;
		data = f.data;
		size = f.size;
	}
	uint32_t n = size < cap ? size : cap;
	if (n)
		pxvm_write(&p->vm, dst, data, n); /* in range: checked by out_ok */
	return (int32_t)(n | (size > cap ? HV_TRUNCATED : 0));
}

/* trap_sample: a sample from the caller's own random stream (pxvm/rng.h), so
 * it repeats with the seed whatever the scheduling. */
static int32_t trap_sample(struct proc *p, uint32_t a0, uint32_t a1, uint32_t kind, uint32_t *value)
{
	switch (kind) {
	case HV_NOISE_GAUSS:
		if ((int32_t)a1 < 0)
			return -PXE_EINVAL;
		*value = (uint32_t)rng_stream_gauss_q16(&p->vm.rng, (int32_t)a0, (int32_t)a1);
		return 0;
	case HV_NOISE_UNIFORM:
		if ((int32_t)a0 >= (int32_t)a1)
			return -PXE_EINVAL;
		*value = (uint32_t)rng_stream_range(&p->vm.rng, (int32_t)a0, (int32_t)a1);
		return 0;
	case HV_NOISE_BITS:
		if (a0 || a1)
			return -PXE_EINVAL;
		*value = rng_stream_u32(&p->vm.rng);
		return 0;
	default:
		return -PXE_EINVAL;
	}
}

/* trap_run: RUN_PYTHON: start the Python program at ARG0 (a path, or
 * HV_FILE_BY_ID | a PixelFS file id) with the argument string at ARG1 as a
 * Python process, a child of `p`. */
static int32_t trap_run(struct proc *p, uint32_t src, uint32_t args_addr, uint32_t a2)
{
	char path[PXFS_PATH_MAX], args[PXVM_ARGSTR_SIZE];
	const char *a = 0;
	if (a2)
		return -PXE_EINVAL;
	if (src & HV_FILE_BY_ID) {
		const struct pxfs *fs = vfs_fs();
		struct pxfs_file f;
		uint32_t id = src & ~HV_FILE_BY_ID;
		if (id == 0)
			return -PXE_EINVAL;
		if (!fs || pxfs_lookup_id(fs, id, &f) != 0)
			return -PXE_ENOENT;
		snprintf(path, sizeof(path), "%s", f.path);
	} else {
		if (src >= PXVM_MEM_SIZE)
			return -PXE_EINVAL;
		int n = read_string(p, src, path, sizeof(path), -PXE_ENAMETOOLONG);
		if (n < 0)
			return n;
	}
	if (args_addr) {
		int n = pxvm_read_str(&p->vm, args_addr, args, sizeof(args));
		if (n < 0)
			return n;
		a = args;
	}
	const struct proc_ops *python = proc_kind_find("python");
	if (!python)
		return -PXE_ENOSYS; /* a platform built without the Python runtime */
	return proc_request_spawn(path, a, p->pid, python);
}

/* ---- LLM and oracle requests -------------------------------------------- */

static struct hv_req *find_req(uint32_t id)
{
	if (id == 0)
		return 0;
	for (uint32_t i = 0; i < HV_INFLIGHT_MAX; i++)
		if (reqs[i].id == id)
			return &reqs[i];
	return 0;
}

/* What a request needs besides its prompt (struct start, filled by each entry). */
struct start {
	uint32_t kind, model, max_tokens;
	int via_syscall;
	uint32_t buf, cap;       /* CALL_LLM from a guest: the reply buffer */
	char *keep;              /* hv_llm_call: the caller's buffer */
	uint32_t keep_cap;
	const char *path;        /* LLM_CHAT: the reply file (resolved), or NULL */
	uint8_t *chat;           /* LLM_CHAT: the conversation block (the request takes it) */
	const char *body;        /* what goes to the platform */
	uint32_t len;
};

/* submit: take a free slot, block `p` and hand the request to the platform.
 * Returns 1 when `p` is now blocked waiting, else 0 with the error in
 * *result (the conversation block, if any, is freed either way when it
 * fails). */
static int submit(struct proc *p, const struct start *s, int32_t *result)
{
	struct hv_req *r = 0;
	for (uint32_t i = 0; i < HV_INFLIGHT_MAX; i++)
		if (reqs[i].id && reqs[i].pid == p->pid) {
			/* A caller waits for one call at a time: one still here was
			 * given up (the process was woken otherwise, e.g. Ctrl-C). */
			pxhost_llm_cancel(reqs[i].id);
			stats.cancelled++;
			release(&reqs[i]);
		}
	for (uint32_t i = 0; i < HV_INFLIGHT_MAX && !r; i++)
		if (reqs[i].id == 0)
			r = &reqs[i];
	if (!r) {
		if (s->chat)
			pxhost_mem_free((uint32_t *)s->chat);
		stats.busy++;
		*result = -PXE_EBUSY;
		return 0;
	}
	char model_str[12];
	snprintf(model_str, sizeof(model_str), "%u", s->model);
	uint32_t id = next_id++;
	if (next_id >= 0x80000000u) /* ids with bit 31 set are the monitor's `llm` calls */
		next_id = 1;
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->pid = p->pid;
	r->kind = s->kind;
	r->via_syscall = s->via_syscall;
	r->buf = s->buf;
	r->cap = s->cap > HV_REPLY_MAX + 1 ? HV_REPLY_MAX + 1 : s->cap;
	r->keep = s->keep;
	r->keep_cap = s->keep_cap;
	r->chat = s->chat;
	if (s->path)
		snprintf(r->path, sizeof(r->path), "%s", s->path);
	r->started_us = pxhost_time_us();
	r->deadline_us = r->started_us + (uint64_t)HV_LLM_TIMEOUT_MS * 1000u;
	/* Registered and blocked before the platform sees it, so an answer that
	 * comes back during pxhost_llm_submit already finds its caller. */
	proc_block(p, BLOCK_TRAP);
	int e = pxhost_llm_submit(id, s->kind, model_str, s->max_tokens, s->body, s->len);
	if (e < 0) {
		release(r);
		proc_unblock(p); /* not blocked after all: the error is the result */
		stats.failed++;
		*result = e;
		return 0;
	}
	stats.submitted++;
	return 1;
}

/* start_llm: check and submit a CALL_LLM or ORACLE trap. Returns 1 when `p`
 * is now blocked waiting, else a result (negative error) in *result and 0. */
static int start_llm(struct proc *p, uint32_t kind, uint32_t a0, uint32_t a1, uint32_t a2,
                     int via_syscall, int32_t *result)
{
	struct start s = { .kind = kind, .via_syscall = via_syscall };
	if (kind == PXVM_TRAP_CALL_LLM) {
		s.model = a1 & 0xFFFFu;
		s.cap = a1 >> 16;
		s.buf = a2;
		if (s.model > HV_MODEL_MAX || s.cap == 0) {
			*result = -PXE_EINVAL;
			return 0;
		}
		if (!out_ok(s.buf, s.cap)) {
			*result = -PXE_EFAULT;
			return 0;
		}
	} else {
		s.model = a1;
		if (s.model > HV_MODEL_MAX || a2) {
			*result = -PXE_EINVAL;
			return 0;
		}
	}
	/* The prompt: the guest's text, after the yes/no instruction for an oracle. */
	uint32_t off = kind == PXVM_TRAP_ORACLE ? sizeof(oracle_prefix) - 1 : 0;
	memcpy(prompt_buf, oracle_prefix, off);
	int n = read_string(p, a0, prompt_buf + off, HV_PROMPT_MAX + 1, -PXE_EINVAL);
	if (n < 0) {
		*result = n;
		return 0;
	}
	s.body = prompt_buf;
	s.len = off + (uint32_t)n;
	return submit(p, &s, result);
}

/* ---- LLM_CHAT: conversations ------------------------------------------------ */

/* system_id: the system id sent for prompt `name` (FRAME_SYSTEM_NAME_MAX
 * bytes at most, [a-z0-9_-]): "NAME@CRC" with the CRC-32 of pxOS's copy,
 * HV_SYSTEM_DIR NAME ".txt", so a bridge holding another text says so.
 * Returns 0, -PXE_EINVAL (a bad name) or -PXE_ENOENT (pxOS has no such
 * prompt). */
static int system_id(const char *name, char out[FRAME_SYSTEM_MAX + 1])
{
	char n[FRAME_SYSTEM_NAME_MAX + 1], path[PXFS_PATH_MAX];
	uint32_t crc;
	int has;
	if (frame_system_split(name, n, &crc, &has) != 0 || has)
		return -PXE_EINVAL;
	snprintf(path, sizeof(path), "%s%s.txt", HV_SYSTEM_DIR, n);
	struct vfs_file f;
	if (vfs_lookup(path, &f) != 0 || !f.data)
		return -PXE_ENOENT;
	snprintf(out, FRAME_SYSTEM_MAX + 1, "%s@%08X", n, crc32(f.data, f.size));
	return 0;
}

/* chat_marker: the marker line at s[0..n) (without its line end): 'u'
 * (@@user), 'a' (@@assistant), 's' (@@system NAME: *arg, *arg_len), or 0. */
static int chat_marker(const char *s, uint32_t n, const char **arg, uint32_t *arg_len)
{
	if (n && s[n - 1] == '\r')
		n--;
	if (n == 6 && !memcmp(s, "@@user", 6))
		return 'u';
	if (n == 11 && !memcmp(s, "@@assistant", 11))
		return 'a';
	if (n > 9 && !memcmp(s, "@@system ", 9)) {
		*arg = s + 9;
		*arg_len = n - 9;
		return 's';
	}
	return 0;
}

/* chat_from_text: a chat file's text (`n` bytes: marker lines "@@system
 * NAME", "@@user", "@@assistant", each turn's text between them; the line
 * end before a marker, and the file's last one, are not part of a turn)
 * into a conversation in `out` (HV_CHAT_MAX bytes). Returns its length, or -PXE_EINVAL (text before the
 * first marker, a second or late @@system, no turn, the last turn not the
 * user's), -PXE_ENOENT (no such system prompt) or -PXE_ENOSPC (more than
 * HV_CHAT_MAX bytes encoded). */
static int chat_from_text(const char *t, uint32_t n, uint8_t *out)
{
	size_t len = 0;
	int role = 0, turns = 0, last = 0;
	uint32_t start = 0, i = 0;
	/* Turn boundaries are found line by line; a turn's text runs from
	 * `start` up to the line end before the next marker. */
	while (i <= n) {
		uint32_t e = i;
		while (e < n && t[e] != '\n')
			e++;
		const char *arg = 0;
		uint32_t al = 0;
		int m = i < n ? chat_marker(t + i, e - i, &arg, &al) : 0;
		if (m || i >= n) {
			if (role) {
				/* The line end before the marker (or the file's last one) is not the turn's. */
				uint32_t end = i < n ? (i > start ? i - 1 : start) : n;
				if (i >= n && end > start && t[end - 1] == '\n')
					end--;
				if (end > start && t[end - 1] == '\r')
					end--;
				size_t k = frame_chat_turn(out, HV_CHAT_MAX, len, (uint8_t)role, t + start, end - start);
				if (!k)
					return -PXE_ENOSPC;
				len = k;
				turns++;
				last = role;
			} else {
				for (uint32_t k = start; k < (i < n ? i : n); k++)
					if (t[k] != ' ' && t[k] != '\t' && t[k] != '\r' && t[k] != '\n')
						return -PXE_EINVAL; /* text outside a turn (before the first one) */
			}
			if (i >= n)
				break;
			if (m == 's') {
				if (len || role)
					return -PXE_EINVAL; /* @@system comes first, once */
				char name[FRAME_SYSTEM_NAME_MAX + 1], id[FRAME_SYSTEM_MAX + 1];
				if (al > FRAME_SYSTEM_NAME_MAX)
					return -PXE_EINVAL;
				memcpy(name, arg, al);
				name[al] = '\0';
				int e2 = system_id(name, id);
				if (e2)
					return e2;
				len = frame_chat_begin(out, HV_CHAT_MAX, id);
				role = 0;
			} else {
				if (!len)
					len = frame_chat_begin(out, HV_CHAT_MAX, "");
				role = m == 'u' ? FRAME_ROLE_USER : FRAME_ROLE_ASSISTANT;
			}
			start = e < n ? e + 1 : n;
		}
		i = e < n ? e + 1 : n; /* a last line without its line end: the end comes next */
	}
	if (!turns || last != FRAME_ROLE_USER)
		return -PXE_EINVAL;
	return (int)len;
}

/* chat_numbers_ok: max_tokens and the model id in their ranges. */
static int chat_numbers_ok(uint32_t max_tokens, uint32_t model)
{
	return max_tokens <= HV_MAX_TOKENS && model <= HV_MODEL_MAX;
}

/* start_chat: LLM_CHAT from a guest: ARG0 chat file path, ARG1 reply file
 * path, ARG2 max_tokens (bits 0..23, 0 = the bridge's default) | model << 24. */
static int start_chat(struct proc *p, uint32_t a0, uint32_t a1, uint32_t a2, int via_syscall, int32_t *result)
{
	char chat_path[PXFS_PATH_MAX], reply_path[PXFS_PATH_MAX], abs[PXFS_PATH_MAX];
	struct start s = { .kind = PXVM_TRAP_LLM_CHAT, .via_syscall = via_syscall,
	                   .max_tokens = a2 & ((1u << HV_CHAT_MODEL_SHIFT) - 1), .model = a2 >> HV_CHAT_MODEL_SHIFT };
	int n;
	if (!chat_numbers_ok(s.max_tokens, s.model))
		return *result = -PXE_EINVAL, 0;
	if ((n = read_string(p, a0, chat_path, sizeof(chat_path), -PXE_ENAMETOOLONG)) < 0 ||
	    (n = read_string(p, a1, reply_path, sizeof(reply_path), -PXE_ENAMETOOLONG)) < 0)
		return *result = n, 0;
	struct vfs_file f;
	if (vfs_lookup(chat_path, &f) != 0)
		return *result = -PXE_ENOENT, 0;
	if (f.type == PXVM_FT_DIR)
		return *result = -PXE_EISDIR, 0;
	if (f.size > HV_CHAT_MAX)
		return *result = -PXE_ENOSPC, 0;
	if ((n = vfs_resolve(reply_path, abs)) != 0)
		return *result = n, 0;
	uint8_t *block = (uint8_t *)pxhost_mem_alloc();
	if (!block)
		return *result = -PXE_ENOMEM, 0;
	n = chat_from_text((const char *)f.data, f.size, block);
	if (n < 0) {
		pxhost_mem_free((uint32_t *)block);
		return *result = n, 0;
	}
	/* The reply file: created or emptied now, so what it holds is this answer. */
	int e = vfs_create(abs);
	if (e) {
		pxhost_mem_free((uint32_t *)block);
		return *result = e, 0;
	}
	s.chat = block;
	s.body = (const char *)block;
	s.len = (uint32_t)n;
	s.path = abs;
	return submit(p, &s, result);
}

int hv_llm_call(struct proc *p, const struct hv_call *c, int32_t *result)
{
	struct start s = { .kind = c->kind, .model = c->model, .max_tokens = c->max_tokens,
	                   .keep = c->reply, .keep_cap = c->reply_cap };
	char abs[PXFS_PATH_MAX];
	if (!chat_numbers_ok(c->max_tokens, c->model) || !c->reply || !c->reply_cap)
		return *result = -PXE_EINVAL, 0;
	if (c->kind == PXVM_TRAP_CALL_LLM) {
		if (!c->len || c->len > HV_PROMPT_MAX || c->reply_path)
			return *result = -PXE_EINVAL, 0;
		for (uint32_t i = 0; i < c->len; i++)
			if (!c->body[i])
				return *result = -PXE_EINVAL, 0;
		memcpy(prompt_buf, c->body, c->len);
		s.body = prompt_buf;
		s.len = c->len;
		return submit(p, &s, result);
	}
	if (c->kind != PXVM_TRAP_LLM_CHAT)
		return *result = -PXE_EINVAL, 0;
	if (c->len > HV_CHAT_MAX)
		return *result = -PXE_ENOSPC, 0;
	struct frame_chat fc;
	if (frame_chat_parse((const uint8_t *)c->body, c->len, &fc) != 0)
		return *result = -PXE_EINVAL, 0;
	uint8_t *block = (uint8_t *)pxhost_mem_alloc();
	if (!block)
		return *result = -PXE_ENOMEM, 0;
	/* The system id gets pxOS's CRC of the prompt; the turns are copied. */
	size_t len = 0;
	if (fc.system[0]) {
		char id[FRAME_SYSTEM_MAX + 1];
		int e = system_id(fc.system, id);
		if (e) {
			pxhost_mem_free((uint32_t *)block);
			return *result = e, 0;
		}
		len = frame_chat_begin(block, HV_CHAT_MAX, id);
	} else {
		len = frame_chat_begin(block, HV_CHAT_MAX, "");
	}
	uint32_t head = 1u + (uint32_t)(unsigned char)c->body[0];
	if (len + (c->len - head) > HV_CHAT_MAX) {
		pxhost_mem_free((uint32_t *)block);
		return *result = -PXE_ENOSPC, 0;
	}
	memcpy(block + len, c->body + head, c->len - head);
	len += c->len - head;
	if (c->reply_path) {
		int e = vfs_resolve(c->reply_path, abs);
		if (!e)
			e = vfs_create(abs);
		if (e) {
			pxhost_mem_free((uint32_t *)block);
			return *result = e, 0;
		}
		s.path = abs;
	}
	s.chat = block;
	s.body = (const char *)block;
	s.len = (uint32_t)len;
	return submit(p, &s, result);
}

/* oracle_answer: 1 for yes, 0 for no, -PXE_EIO for anything else. Leading
 * spaces, quotes, '*', '(' and similar are skipped; the word compared is the
 * first run of letters, case-insensitive: yes/y/true → 1, no/n/false → 0. */
static int32_t oracle_answer(const char *s, uint32_t len)
{
	uint32_t i = 0;
	while (i < len && !((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
		i++;
	char w[8];
	uint32_t k = 0;
	for (; i < len && k < sizeof(w) - 1; i++, k++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c < 'a' || c > 'z')
			break;
		w[k] = c;
	}
	if (i < len && k == sizeof(w) - 1)
		return -PXE_EIO; /* a longer word than any we accept */
	w[k] = 0;
	if (!strcmp(w, "yes") || !strcmp(w, "y") || !strcmp(w, "true"))
		return 1;
	if (!strcmp(w, "no") || !strcmp(w, "n") || !strcmp(w, "false"))
		return 0;
	return -PXE_EIO;
}

/* deliver: write `result` (and `value` into ARG0 / R1) and clear the flag. */
static void deliver(struct proc *p, int via_syscall, int32_t result, uint32_t value, int has_value)
{
	if (via_syscall) {
		p->vm.r[0] = (uint32_t)result;
		if (has_value)
			p->vm.r[1] = value;
		return;
	}
	uint8_t zero = 0;
	if (has_value)
		pxvm_write(&p->vm, PXVM_TRAP_ARG0, &value, 4);
	pxvm_write(&p->vm, PXVM_TRAP_RESULT, &result, 4);
	pxvm_write(&p->vm, PXVM_TRAP_FLAG, &zero, 1);
}

/* finish: end request `r` with `result`, waking its process if it still waits. */
static void finish(struct hv_req *r, int32_t result)
{
	struct proc *p = proc_find(r->pid);
	if (result < 0)
		stats.failed++;
	else
		stats.answered++;
	if (p && p->state == PROC_BLOCKED && p->block == BLOCK_TRAP) {
		deliver(p, r->via_syscall, result, 0, 0);
		proc_wake(p);
	}
	release(r);
}

/* room: reply bytes request `r` keeps (in the guest's buffer, the caller's
 * buffer or the reply file). */
static uint32_t room(const struct hv_req *r)
{
	if (r->keep)
		return r->keep_cap - 1 < HV_CHAT_REPLY_MAX ? r->keep_cap - 1 : HV_CHAT_REPLY_MAX;
	if (r->kind == PXVM_TRAP_LLM_CHAT)
		return HV_CHAT_REPLY_MAX;
	return r->cap - 1;
}

static int32_t llm_result(const struct hv_req *r)
{
	if (r->kind == PXVM_TRAP_ORACLE) {
		uint32_t n = r->got < ORACLE_KEEP ? r->got : ORACLE_KEEP;
		return oracle_answer(r->answer, n);
	}
	uint32_t max = room(r), n = r->got < max ? r->got : max;
	bool cut = r->got > max || r->file_short;
	if (r->kind == PXVM_TRAP_LLM_CHAT && !r->keep)
		n = r->filed; /* a guest's chat: what its reply file holds */
	return (int32_t)(n | (cut ? HV_TRUNCATED : 0));
}

/* take: reply bytes `text` (len) for request `r` of process `p` (still
 * waiting for it): into its buffer(s) and reply file, up to room(r). */
static void take(struct hv_req *r, struct proc *p, const char *text, uint32_t len)
{
	uint32_t max = room(r);
	uint32_t n = r->got < max ? (max - r->got < len ? max - r->got : len) : 0;
	if (!n)
		return;
	if (r->keep)
		memcpy(r->keep + r->got, text, n);
	else if (r->kind == PXVM_TRAP_CALL_LLM)
		pxvm_write(&p->vm, r->buf + r->got, text, n); /* inside: checked at submit */
	if (r->path[0] && !r->file_short) {
		int w = vfs_append(r->path, text, n);
		if (w > 0)
			r->filed += (uint32_t)w;
		if (w < (int)n)
			r->file_short = true; /* removed, or quota: the file keeps what it has */
	}
}

void hv_llm_reply(uint32_t id, int status, const char *text, uint32_t len, int more)
{
	struct hv_req *r = find_req(id);
	if (!r)
		return; /* timed out, cancelled or never ours: nobody waits for it */
	if (!text)
		len = 0;
	if (status < 0) {
		finish(r, pxvm_is_error((uint32_t)status) ? status : -PXE_EIO);
		return;
	}
	struct proc *p = proc_find(r->pid);
	if (!p || p->state != PROC_BLOCKED || p->block != BLOCK_TRAP) {
		/* Its caller is gone or no longer waits (woken otherwise): nobody
		 * may be written for it any more. */
		pxhost_llm_cancel(id);
		stats.cancelled++;
		release(r);
		return;
	}
	if (r->kind == PXVM_TRAP_ORACLE) {
		if (r->got < ORACLE_KEEP) {
			uint32_t n = ORACLE_KEEP - r->got < len ? ORACLE_KEEP - r->got : len;
			memcpy(r->answer + r->got, text, n);
		}
	} else {
		take(r, p, text, len);
	}
	r->got = (uint32_t)-1 - r->got < len ? (uint32_t)-1 : r->got + len;
	if (more) {
		hv_llm_alive(id);
		return;
	}
	uint32_t max = room(r), end = r->got < max ? r->got : max;
	if (r->keep)
		r->keep[end] = 0;
	else if (r->kind == PXVM_TRAP_CALL_LLM) {
		uint8_t zero = 0;
		pxvm_write(&p->vm, r->buf + end, &zero, 1);
	}
	finish(r, llm_result(r));
}

void hv_llm_alive(uint32_t id)
{
	struct hv_req *r = find_req(id);
	if (!r)
		return;
	uint64_t now = pxhost_time_us();
	uint64_t d = now + (uint64_t)HV_LLM_TIMEOUT_MS * 1000u;
	uint64_t limit = r->started_us + (uint64_t)HV_LLM_MAX_MS * 1000u;
	r->deadline_us = d < limit ? d : limit;
}

void hv_proc_gone(struct proc *p)
{
	for (uint32_t i = 0; i < HV_INFLIGHT_MAX; i++)
		if (reqs[i].id && reqs[i].pid == p->pid) {
			pxhost_llm_cancel(reqs[i].id);
			release(&reqs[i]);
			stats.cancelled++;
		}
}

/* interrupted: Ctrl-C came for the caller of `r`, which catches it (the
 * console leaves it pending: pxvm/tty.c): the call is cancelled (the bridge
 * is told; a late reply finds no id and is dropped) and ends at once with
 * -PXE_EINTR, as a caught Ctrl-C ends a READ or a SLEEP. */
static bool interrupted(struct hv_req *r)
{
	struct proc *p = proc_find(r->pid);
	if (!p || !p->intr_pending || p->state != PROC_BLOCKED || p->block != BLOCK_TRAP)
		return false;
	p->intr_pending = false;
	p->sys_errors++;
	pxhost_llm_cancel(r->id);
	stats.cancelled++;
	deliver(p, r->via_syscall, -PXE_EINTR, 0, 0);
	proc_wake(p);
	release(r); /* and its conversation block (LLM_CHAT) */
	return true;
}

void hv_poll(uint64_t now_us)
{
	for (uint32_t i = 0; i < HV_INFLIGHT_MAX; i++)
		if (reqs[i].id && interrupted(&reqs[i]))
			continue;
		else if (reqs[i].id && now_us >= reqs[i].deadline_us) {
			pxhost_llm_cancel(reqs[i].id);
			stats.timedout++;
			finish(&reqs[i], -PXE_ETIMEDOUT);
		}
}

uint64_t hv_next_deadline(void)
{
	uint64_t d = 0;
	for (uint32_t i = 0; i < HV_INFLIGHT_MAX; i++)
		if (reqs[i].id && (d == 0 || reqs[i].deadline_us < d))
			d = reqs[i].deadline_us;
	return d;
}

uint32_t hv_inflight(void)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < HV_INFLIGHT_MAX; i++)
		n += reqs[i].id != 0;
	return n;
}

void hv_get_stats(struct hv_stats *out) { *out = stats; }

/* ---- entry points --------------------------------------------------------- */

/* serve: trap `type` with its arguments. Returns 1 when `p` blocked; else 0
 * with the result in *result and, for SAMPLE_NOISE, the sample in *value. */
static int serve(struct proc *p, uint32_t type, const uint32_t a[3], int via_syscall,
                 int32_t *result, uint32_t *value, int *has_value)
{
	*has_value = 0;
	switch (type) {
	case PXVM_TRAP_RUN_PYTHON:
		*result = trap_run(p, a[0], a[1], a[2]);
		return 0;
	case PXVM_TRAP_CALL_LLM:
	case PXVM_TRAP_ORACLE:
		return start_llm(p, type, a[0], a[1], a[2], via_syscall, result);
	case PXVM_TRAP_LLM_CHAT:
		return start_chat(p, a[0], a[1], a[2], via_syscall, result);
	case PXVM_TRAP_LOAD_FILE:
		*result = trap_load_file(p, a[0], a[1], a[2]);
		return 0;
	case PXVM_TRAP_SAMPLE_NOISE:
		*result = trap_sample(p, a[0], a[1], a[2], value);
		*has_value = *result == 0;
		return 0;
	default:
		*result = -PXE_ENOSYS;
		return 0;
	}
}

int hv_trap(struct proc *p)
{
	uint8_t page[PXVM_TRAP_RESULT - PXVM_TRAP_FLAG];
	uint32_t a[3], value = 0;
	int32_t result;
	int has_value;
	pxvm_read(&p->vm, PXVM_TRAP_FLAG, page, sizeof(page));
	memcpy(&a[0], page + (PXVM_TRAP_ARG0 - PXVM_TRAP_FLAG), 4);
	memcpy(&a[1], page + (PXVM_TRAP_ARG1 - PXVM_TRAP_FLAG), 4);
	memcpy(&a[2], page + (PXVM_TRAP_ARG2 - PXVM_TRAP_FLAG), 4);
	stats.traps++;
	if (page[0] == 0)
		return 0; /* nothing asked (the flag was cleared again) */
	if (serve(p, page[0], a, 0, &result, &value, &has_value))
		return 1;
	deliver(p, 0, result, value, has_value);
	return 0;
}

int hv_syscall(struct proc *p)
{
	uint32_t a[3] = { p->vm.r[2], p->vm.r[3], p->vm.r[4] }, value = 0;
	int32_t result;
	int has_value;
	uint32_t type = p->vm.r[1];
	stats.traps++;
	if (type == 0 || type > 0xFF)
		type = 0x100; /* not a trap type: ENOSYS below */
	if (serve(p, type, a, 1, &result, &value, &has_value))
		return 1;
	deliver(p, 1, result, value, has_value);
	return 0;
}

/* ---- snapshots (pxvm/snap.h, section HV v1) ------------------------------- */

void hv_snap_save(struct snapw *w)
{
	const uint64_t *st = &stats.traps;
	snapw_u32(w, next_id);
	for (uint32_t i = 0; i < sizeof(stats) / sizeof(uint64_t); i++)
		snapw_u64(w, st[i]);
	snapw_u32(w, hv_inflight());
	for (uint32_t i = 0; i < HV_INFLIGHT_MAX; i++)
		if (reqs[i].id) {
			snapw_u32(w, reqs[i].pid);
			snapw_u32(w, (uint32_t)reqs[i].via_syscall);
		}
}

int hv_snap_load(struct snapr *r, bool apply)
{
	struct hv_stats s;
	uint64_t *st = &s.traps;
	uint32_t id = snapr_u32(r);
	for (uint32_t i = 0; i < sizeof(s) / sizeof(uint64_t); i++)
		st[i] = snapr_u64(r);
	uint32_t n = snapr_u32(r);
	if (r->bad || !id || n > HV_INFLIGHT_MAX)
		return -PXE_EINVAL;
	if (apply) {
		next_id = id;
		stats = s;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t pid = snapr_u32(r), via = snapr_u32(r);
		if (r->bad || via > 1)
			return -PXE_EINVAL;
		if (!apply)
			continue;
		/* The call was in flight to the old machine's bridge: it fails now. */
		struct proc *p = proc_find(pid);
		stats.failed++;
		if (p && p->state == PROC_BLOCKED && p->block == BLOCK_TRAP) {
			deliver(p, (int)via, -PXE_EIO, 0, 0);
			proc_wake(p);
		}
	}
	return 0;
}
