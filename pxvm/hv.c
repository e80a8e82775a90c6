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
#include "port.h"

#define ORACLE_KEEP 64 /* bytes of an oracle's answer kept to read yes/no from */

static const char oracle_prefix[] =
	"Answer the following question with exactly one word, yes or no.\nQuestion: ";

struct hv_req {
	uint32_t id;             /* 0 = free slot */
	uint32_t pid;            /* the caller */
	uint32_t kind;           /* PXVM_TRAP_CALL_LLM or PXVM_TRAP_ORACLE */
	int via_syscall;         /* answer in R0 (HVTRAP) instead of the trap page */
	uint32_t buf, cap;       /* CALL_LLM: reply buffer in guest memory, usable bytes incl. NUL */
	uint32_t got;            /* reply bytes received so far (all of them, kept or not) */
	char answer[ORACLE_KEEP];/* ORACLE: the start of the answer */
	uint64_t started_us;     /* submit time: the HV_LLM_MAX_MS limit counts from here */
	uint64_t deadline_us;    /* give up at this time unless a sign of life comes first */
};

static struct hv_req reqs[HV_INFLIGHT_MAX];
static uint32_t next_id = 1;
static char prompt_buf[sizeof(oracle_prefix) + HV_PROMPT_MAX];
static struct hv_stats stats;

void hv_init(void)
{
	proc_on_gone(hv_proc_gone);
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

/* start_llm: check and submit a CALL_LLM or ORACLE. Returns 1 when `p` is now
 * blocked waiting, else a result (negative error) in *result and 0. */
static int start_llm(struct proc *p, uint32_t kind, uint32_t a0, uint32_t a1, uint32_t a2,
                     int via_syscall, int32_t *result)
{
	uint32_t model, buf = 0, cap = 0;
	if (kind == PXVM_TRAP_CALL_LLM) {
		model = a1 & 0xFFFFu;
		cap = a1 >> 16;
		buf = a2;
		if (model > HV_MODEL_MAX || cap == 0) {
			*result = -PXE_EINVAL;
			return 0;
		}
		if (!out_ok(buf, cap)) {
			*result = -PXE_EFAULT;
			return 0;
		}
	} else {
		model = a1;
		if (model > HV_MODEL_MAX || a2) {
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
	struct hv_req *r = 0;
	for (uint32_t i = 0; i < HV_INFLIGHT_MAX && !r; i++)
		if (reqs[i].id == 0)
			r = &reqs[i];
	if (!r) {
		stats.busy++;
		*result = -PXE_EBUSY;
		return 0;
	}
	char model_str[12];
	snprintf(model_str, sizeof(model_str), "%u", model);
	uint32_t id = next_id++;
	if (next_id >= 0x80000000u) /* ids with bit 31 set are the monitor's `llm` calls */
		next_id = 1;
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->pid = p->pid;
	r->kind = kind;
	r->via_syscall = via_syscall;
	r->buf = buf;
	r->cap = cap > HV_REPLY_MAX + 1 ? HV_REPLY_MAX + 1 : cap;
	r->started_us = pxhost_time_us();
	r->deadline_us = r->started_us + (uint64_t)HV_LLM_TIMEOUT_MS * 1000u;
	/* Registered and blocked before the platform sees it, so an answer that
	 * comes back during pxhost_llm_submit already finds its caller. */
	proc_block(p, BLOCK_TRAP);
	int e = pxhost_llm_submit(id, kind, model_str, prompt_buf, off + (uint32_t)n);
	if (e < 0) {
		r->id = 0;
		proc_unblock(p); /* not blocked after all: the error is the result */
		stats.failed++;
		*result = e;
		return 0;
	}
	stats.submitted++;
	return 1;
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
	r->id = 0;
}

static int32_t llm_result(const struct hv_req *r)
{
	if (r->kind == PXVM_TRAP_ORACLE) {
		uint32_t n = r->got < ORACLE_KEEP ? r->got : ORACLE_KEEP;
		return oracle_answer(r->answer, n);
	}
	uint32_t room = r->cap - 1, n = r->got < room ? r->got : room;
	return (int32_t)(n | (r->got > room ? HV_TRUNCATED : 0));
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
	if (!p) {
		r->id = 0;
		return;
	}
	if (r->kind == PXVM_TRAP_ORACLE) {
		if (r->got < ORACLE_KEEP) {
			uint32_t n = ORACLE_KEEP - r->got < len ? ORACLE_KEEP - r->got : len;
			memcpy(r->answer + r->got, text, n);
		}
	} else {
		uint32_t room = r->cap - 1;
		if (r->got < room) {
			uint32_t n = room - r->got < len ? room - r->got : len;
			pxvm_write(&p->vm, r->buf + r->got, text, n); /* inside: checked at submit */
		}
	}
	r->got = (uint32_t)-1 - r->got < len ? (uint32_t)-1 : r->got + len;
	if (more) {
		hv_llm_alive(id);
		return;
	}
	if (r->kind == PXVM_TRAP_CALL_LLM) {
		uint8_t zero = 0;
		uint32_t room = r->cap - 1;
		pxvm_write(&p->vm, r->buf + (r->got < room ? r->got : room), &zero, 1);
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
			reqs[i].id = 0;
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
	r->id = 0;
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
