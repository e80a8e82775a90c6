/*
 * proc.c — the process table; see proc.h.
 */
#include "proc.h"
#include "host.h"
#include "port.h"

#define GONE_HOOKS_MAX 8 /* teardown hooks: one per module above (ipc, tty, vfs, view, debug, hv, ...) */

static struct proc table[NPROC];
static uint32_t next_pid = 1;
static void (*gone_hooks[GONE_HOOKS_MAX])(struct proc *p);
static uint32_t ngone;
static struct proc_requests requests;
static const struct proc_ops *kinds[PROC_KINDS_MAX];
static uint32_t nkinds;

static const char *const state_names[] = { "free", "runnable", "running", "blocked", "zombie" };
static const char *const block_names[] = { "-", "wait", "sleep", "ipc", "read", "trap", "debug", "output" };

const char *proc_state_name(enum proc_state s)
{
	return (unsigned)s < sizeof(state_names) / sizeof(state_names[0]) ? state_names[s] : "?";
}

const char *proc_block_name(enum proc_block b)
{
	return (unsigned)b < sizeof(block_names) / sizeof(block_names[0]) ? block_names[b] : "?";
}

void proc_init(void)
{
	memset(table, 0, sizeof(table));
	for (uint32_t i = 0; i < NPROC; i++) {
		table[i].slot = PROC_NO_SLOT;
		for (uint32_t k = 0; k < NOFILE; k++)
			table[i].fd[k] = -1;
	}
	next_pid = 1;
	ngone = 0;
	memset(&requests, 0, sizeof(requests));
	nkinds = 0;
}

struct proc *proc_at(uint32_t i) { return i < NPROC ? &table[i] : 0; }
uint32_t proc_index(const struct proc *p) { return (uint32_t)(p - table); }

struct proc *proc_find(uint32_t pid)
{
	if (!pid)
		return 0;
	for (uint32_t i = 0; i < NPROC; i++)
		if (table[i].state != PROC_FREE && table[i].pid == pid)
			return &table[i];
	return 0;
}

struct proc *proc_alloc(const struct proc_ops *ops, uint32_t ppid)
{
	for (uint32_t i = 0; i < NPROC; i++) {
		struct proc *p = &table[i];
		if (p->state != PROC_FREE || p->ops)
			continue;
		memset(p, 0, sizeof(*p));
		p->slot = PROC_NO_SLOT;
		p->ops = ops;
		p->pid = next_pid++;
		p->ppid = ppid;
		for (uint32_t f = 0; f < NOFILE; f++)
			p->fd[f] = -1;
		return p;
	}
	return 0;
}

void proc_free(struct proc *p)
{
	p->state = PROC_FREE;
	p->block = BLOCK_NONE;
	p->ops = 0;
}

uint32_t proc_count(enum proc_state state)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < NPROC; i++)
		n += table[i].state == state;
	return n;
}

bool proc_is_ancestor(uint32_t anc, uint32_t pid)
{
	struct proc *p = proc_find(pid);
	/* Parent links cannot form a cycle (a parent is always older), but the
	 * walk is bounded by the table size all the same. */
	for (uint32_t k = 0; p && k < NPROC; k++) {
		if (!p->ppid)
			return false;
		if (p->ppid == anc)
			return true;
		p = proc_find(p->ppid);
	}
	return false;
}

bool proc_is_live(const struct proc *p)
{
	return p->state == PROC_RUNNABLE || p->state == PROC_RUNNING || p->state == PROC_BLOCKED;
}

uint32_t proc_group_count(uint32_t pgid, bool live)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < NPROC; i++) {
		const struct proc *p = &table[i];
		if (p->state != PROC_FREE && p->pgid == pgid && (!live || p->state != PROC_ZOMBIE))
			n++;
	}
	return n;
}

void proc_block(struct proc *p, enum proc_block why)
{
	p->state = PROC_BLOCKED;
	p->block = why;
}

void proc_unblock(struct proc *p)
{
	p->state = PROC_RUNNING;
	p->block = BLOCK_NONE;
}

void proc_wake(struct proc *p)
{
	if (p->state != PROC_BLOCKED)
		return;
	p->state = PROC_RUNNABLE;
	p->block = BLOCK_NONE;
}

void proc_on_gone(void (*fn)(struct proc *p))
{
	for (uint32_t i = 0; i < ngone; i++)
		if (gone_hooks[i] == fn)
			return;
	if (ngone == GONE_HOOKS_MAX)
		pxhost_panic("proc_on_gone: more teardown hooks than GONE_HOOKS_MAX");
	gone_hooks[ngone++] = fn;
}

void proc_gone(struct proc *p)
{
	for (uint32_t i = 0; i < ngone; i++)
		gone_hooks[i](p);
}

void proc_set_requests(const struct proc_requests *r) { requests = *r; }

int proc_request_kill(struct proc *killer, uint32_t pid)
{
	return requests.kill ? requests.kill(killer, pid) : -PXE_ENOSYS;
}

int proc_request_spawn(const char *path, const char *args, uint32_t ppid, const struct proc_ops *kind)
{
	return requests.spawn ? requests.spawn(path, args, ppid, kind) : -PXE_ENOSYS;
}

void proc_kind_add(const struct proc_ops *ops)
{
	for (uint32_t i = 0; i < nkinds; i++)
		if (kinds[i] == ops)
			return;
	if (nkinds == PROC_KINDS_MAX)
		pxhost_panic("proc_kind_add: more kinds than PROC_KINDS_MAX");
	kinds[nkinds++] = ops;
}

const struct proc_ops *proc_kind_at(uint32_t i) { return i < nkinds ? kinds[i] : 0; }

const struct proc_ops *proc_kind_find(const char *name)
{
	for (uint32_t i = 0; i < nkinds; i++)
		if (!strcmp(kinds[i]->name, name))
			return kinds[i];
	return 0;
}

const struct proc_ops *proc_kind_for(const struct proc_image *img)
{
	for (uint32_t i = 0; i < nkinds; i++)
		if (kinds[i]->probe && kinds[i]->probe(img))
			return kinds[i];
	return 0;
}

int proc_request_kill_group(struct proc *killer, uint32_t pgid)
{
	return requests.kill_group ? requests.kill_group(killer, pgid) : -PXE_ENOSYS;
}

uint32_t proc_next_pid(void) { return next_pid; }
void proc_set_next_pid(uint32_t pid) { next_pid = pid; }
