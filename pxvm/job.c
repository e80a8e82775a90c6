/*
 * job.c — sessions, process groups and the job limit; see job.h.
 */
#include "job.h"
#include "sched.h"
#include "host.h"
#include "port.h"

static uint64_t last_refusal_us; /* the job limit's log line, rate-limited */
static uint32_t refusals_unlogged;

static bool leads_session(const struct proc *p) { return p->pid == p->sid; }

/* group_name: the name of the oldest live member of `pgid` (its leader when
 * alive), or of any member, or "?". */
static const char *group_name(uint32_t pgid)
{
	const struct proc *best = 0;
	for (uint32_t i = 0; i < NPROC; i++) {
		const struct proc *p = proc_at(i);
		if (p->state == PROC_FREE || p->pgid != pgid)
			continue;
		if (!best || (proc_is_live(p) && (!proc_is_live(best) || p->pid < best->pid)))
			best = p;
	}
	return best ? best->name : "?";
}

void job_describe(uint32_t pgid, char *buf, size_t cap)
{
	uint32_t n = proc_group_count(pgid, true);
	snprintf(buf, cap, "job %u (%s, %u process%s)", pgid, group_name(pgid), n, n == 1 ? "" : "es");
}

int job_place(const struct proc *creator, struct job_place *out)
{
	*out = (struct job_place){ 0, 0, !creator || creator->pid == 1 };
	if (!creator)
		return 0;                    /* the kernel's: a new session */
	if (leads_session(creator)) {
		out->sid = creator->sid;     /* a new job in the leader's session */
		return 0;
	}
	out->pgid = creator->pgid;
	out->sid = creator->sid;
	if (proc_group_count(creator->pgid, false) < JOB_PROCS_MAX)
		return 0;
	uint64_t now = pxhost_time_us();
	if (!last_refusal_us || now - last_refusal_us >= SCHED_LOG_GAP_US) {
		char job[64], ended[64] = "";
		job_describe(creator->pgid, job, sizeof(job));
		uint32_t zombies = proc_group_count(creator->pgid, false) - proc_group_count(creator->pgid, true);
		if (zombies)   /* a fork-and-exit chain: its ended rounds count until they are waited for */
			snprintf(ended, sizeof(ended), " (%u of them ended, not yet waited for)", zombies);
		pxhost_log(2, "pid %u (%s): no new process: %s holds %u%s, the most a job may (JOB_PROCS_MAX)%s",
		           creator->pid, creator->name, job, JOB_PROCS_MAX, ended,
		           refusals_unlogged ? "; more refusals not logged" : "");
		last_refusal_us = now;
		refusals_unlogged = 0;
	} else {
		refusals_unlogged++;
	}
	return -PXE_EPROCLIM;
}

void job_join(struct proc *p, const struct job_place *pl)
{
	p->pgid = pl->pgid ? pl->pgid : p->pid;
	p->sid = pl->sid ? pl->sid : p->pid;
	p->by_init = pl->by_init;
}

int job_setsid(struct proc *p)
{
	if (!p->by_init || leads_session(p))
		return -PXE_EPERM;
	if (proc_group_count(p->pgid, false) > 1 || (p->pgid != p->pid && proc_group_count(p->pid, false)))
		return -PXE_EPERM;
	p->sid = p->pgid = p->pid;
	pxhost_log(1, "pid %u (%s) leads a new session", p->pid, p->name);
	return (int)p->sid;
}

int job_setpgid(struct proc *caller, uint32_t pid, uint32_t pgid)
{
	if (!leads_session(caller))
		return -PXE_EPERM;
	if (!pid || pid == caller->pid)
		return -PXE_EPERM; /* a session's leader stays in its group */
	struct proc *t = proc_find(pid);
	if (!t || !proc_is_live(t) || t->ppid != caller->pid)
		return -PXE_ESRCH;
	if (t->sid != caller->sid)
		return -PXE_EPERM;
	if (!pgid)
		pgid = pid;
	if (pgid == t->pgid)
		return 0;
	if (pgid != pid) {
		bool in_session = false;
		for (uint32_t i = 0; i < NPROC && !in_session; i++) {
			const struct proc *m = proc_at(i);
			in_session = proc_is_live(m) && m->pgid == pgid && m->sid == caller->sid;
		}
		if (!in_session || pgid == caller->pgid)
			return -PXE_EPERM;
		if (proc_group_count(pgid, false) >= JOB_PROCS_MAX)
			return -PXE_EPROCLIM;
	} else if (proc_group_count(pid, false)) {
		return -PXE_EPERM; /* a group with its number exists: never merge by accident */
	}
	t->pgid = pgid;
	return 0;
}

/* may_kill: whether `killer` may end group `pgid` (see job.h). */
static bool may_kill(const struct proc *killer, uint32_t pgid)
{
	if (!killer || killer->pid == 1 || killer->pgid == pgid)
		return true;
	for (uint32_t i = 0; i < NPROC; i++) {
		const struct proc *m = proc_at(i);
		if (!proc_is_live(m) || m->pgid != pgid)
			continue;
		if (m->sid == killer->pid)
			return true; /* the leader of its session */
		if (!proc_is_ancestor(killer->pid, m->pid))
			return false;
	}
	return true;
}

int job_kill(struct proc *killer, uint32_t pgid)
{
	uint32_t live = 0;
	for (uint32_t i = 0; i < NPROC; i++) {
		const struct proc *m = proc_at(i);
		live += proc_is_live(m) && m->pgid == pgid && m->pid != 1;
	}
	if (!pgid || !live)
		return -PXE_ESRCH;
	if (!may_kill(killer, pgid))
		return -PXE_EPERM;
	char job[64], by[48];
	job_describe(pgid, job, sizeof(job));
	if (killer)
		snprintf(by, sizeof(by), "pid %u (%s)", killer->pid, killer->name);
	else
		snprintf(by, sizeof(by), "the console");
	pxhost_log(1, "%s ended by %s", job, by);
	int n = 0;
	bool self = false;
	/* Ending a member never starts a new one, so one pass ends them all. */
	for (uint32_t i = 0; i < NPROC; i++) {
		struct proc *m = proc_at(i);
		if (!proc_is_live(m) || m->pgid != pgid || m->pid == 1)
			continue;
		if (m == killer) {
			self = true;
			continue;
		}
		sched_exit(m, PXVM_STATUS_KILLED);
		n++;
	}
	if (self) {
		sched_exit(killer, PXVM_STATUS_KILLED);
		n++;
	}
	return n;
}
