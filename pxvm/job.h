/*
 * job.h — sessions, process groups (jobs) and the job limit, beside the life
 * cycle (pxvm/sched.h). docs/pxvm-abi.md "Jobs" and docs/isolation.md state
 * the rules; in short:
 *
 *   - Every process is in a process group (its job, `pgid`) and a session
 *     (`sid`, the pid of the session's leader). A process the kernel starts
 *     (init, the monitor's `run`) leads a new session and group. A process
 *     started by pid 1 may make itself the leader of a new session (SETSID):
 *     that is how the shell gets job control.
 *   - A session leader's children (spawned or forked) each start a new group
 *     in its session: every command the shell runs is a job of its own. Any
 *     other process's children join their creator's group, so nothing a job
 *     starts can leave it: a fork-and-exit chain changes pid each round, its
 *     group stays. Only a session leader moves processes between groups
 *     (SETPGID), and only its own children, within its session.
 *   - A group holds at most JOB_PROCS_MAX processes (zombies included):
 *     FORK, SPAWN or SETPGID that would pass it is -PXE_EPROCLIM, so a fork
 *     or spawn bomb stops there while everything else runs on.
 *   - Ending a group (KILL of -pgid, Ctrl-C, the monitor's `kill`) ends every
 *     live process in it at once; pid 1 is never part of such an end.
 *
 * Portable: the kernel and the host tools run the same code.
 */
#ifndef PXVM_JOB_H
#define PXVM_JOB_H

#include <stdint.h>
#include "proc.h"

/* Where a new process goes: its group and session (0: its own pid, a new
 * one) and whether it may lead a session. */
struct job_place {
	uint32_t pgid, sid;
	bool by_init;
};

/* job_place: where a process that `creator` starts goes (creator NULL: the
 * kernel starts it), by the rules above. Returns 0, or -PXE_EPROCLIM when
 * it would join a group that already holds JOB_PROCS_MAX processes (logged,
 * at most once per SCHED_LOG_GAP_US). Changes nothing. */
int job_place(const struct proc *creator, struct job_place *out);

/* job_join: put new process `p` (its pid set) where `pl` says. */
void job_join(struct proc *p, const struct job_place *pl);

/* job_setsid: SETSID for `p`: it leads a new session and group (sid = pgid =
 * its pid). Allowed when pid 1 or the kernel started it, it leads no session
 * yet and no other process is in its group. Returns the session id, or
 * -PXE_EPERM. */
int job_setsid(struct proc *p);

/* job_setpgid: SETPGID for session leader `caller`: move its child `pid`
 * (live, in its session) into group `pgid`: 0 or pid itself makes a new
 * group led by pid; else pgid must be a group of the caller's session with a
 * live member, not the caller's own, and not full. Returns 0, -PXE_ESRCH (no
 * such child), -PXE_EPERM or -PXE_EPROCLIM. */
int job_setpgid(struct proc *caller, uint32_t pid, uint32_t pgid);

/* job_kill: end every live process of group `pgid` but pid 1 with
 * PXVM_STATUS_KILLED, on behalf of `killer` (NULL: the kernel, the console).
 * Allowed for the kernel, pid 1, a member of the group, the leader of its
 * session, and a process that is an ancestor of every live member. A killer
 * in the group is ended last. Returns how many ended (>= 1), -PXE_ESRCH (no
 * live member) or -PXE_EPERM. */
int job_kill(struct proc *killer, uint32_t pgid);

/* job_describe: "job 12 (swarm, 5 processes)" for group `pgid`, into buf. */
void job_describe(uint32_t pgid, char *buf, size_t cap);

#endif /* PXVM_JOB_H */
