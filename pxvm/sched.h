/*
 * sched.h — the top of the process core: the life cycle (spawn, fork, exec,
 * exit, kill, wait, reap) and the round-robin scheduler.
 *
 * Processes live in the process table (pxvm/proc.h, the bottom layer); each
 * is of a kind (pxVM programs: pxvm/proc_pxvm.h) whose operations load, fork
 * and run it. The scheduler runs each RUNNABLE process for a quantum of
 * SCHED_QUANTUM instructions, round-robin, so a busy loop cannot starve the
 * others (system calls are charged against the quantum, pxvm/syscall.c); a
 * process that faults is stopped and reported (pid, pc, word, reason) and the
 * rest go on. Portable: the same code runs in the kernel and in tools/pxsim.
 */
#ifndef PXVM_SCHED_H
#define PXVM_SCHED_H

#include <stdint.h>
#include <stdbool.h>
#include "proc.h"
#include "pixelfs.h"

/* sched_init: empty the process table and reset the process subsystems
 * (IPC queues, RAM files, console, hypervisor, breakpoints); `fs` is the
 * mounted PixelFS (may have no files); `nslots` is how many visible slots the
 * platform shows (0: no screen, every process runs unseen; pxvm/view.h). The
 * table has NPROC entries whatever the screen. */
void sched_init(const struct pxfs *fs, uint32_t nslots);

/* sched_spawn: start program `path` (a PROGRAM file in PixelFS, or a file
 * written since boot that holds a valid .pxe) with argument string `args`
 * (space-separated, may be NULL) as a child of `ppid` (0 = the kernel), in
 * the group and session pxvm/job.h gives a process `ppid` starts.
 * Returns the new pid (> 0) or -PXE_E*: NOENT (no such file), EISDIR, NOEXEC
 * (not a program, or a malformed one: the reason is logged), AGAIN (process
 * table full), PROCLIM (the job is full), NOMEM, NAMETOOLONG (the words do
 * not fit the system area), 2BIG (more than PXVM_ARGV_MAX words). */
int sched_spawn(const char *path, const char *args, uint32_t ppid);

/* sched_spawn_kind: sched_spawn as a process of kind `kind` (NULL: the
 * first registered kind whose probe claims the file, pxVM for a program or
 * a RAM file; pxvm/proc.h proc_kind_add). A file `kind` does not claim is
 * -PXE_ENOEXEC. */
int sched_spawn_kind(const char *path, const char *args, uint32_t ppid, const struct proc_ops *kind);

/* sched_fork: copy `parent` (its image, registers, open files, console
 * modes; not its IPC queue, canvas or back layer) into a free table entry
 * as its child, in the group pxvm/job.h gives it. The child's R0 is 0 and
 * its system area names its own pid and parent. Returns the child's pid, or
 * -PXE_EAGAIN (table full) / -PXE_EPROCLIM (job full) / -PXE_ENOMEM, or
 * -PXE_ENOSYS for a kind that cannot be copied (a Python process: its heap
 * holds absolute pointers). */
int sched_fork(struct proc *parent);

/* sched_exec: replace `p`'s image with program `path` and `args`, keeping its
 * pid, parent, open files and IPC queue. Everything is checked before the old
 * image is touched, so on error (as sched_spawn's) `p` runs on unchanged. */
int sched_exec(struct proc *p, const char *path, const char *args);

/* sched_kill: end live process `pid` with PXVM_STATUS_KILLED on behalf of
 * `killer` (NULL = the kernel or the console: allowed everything; the console
 * itself spares pid 1).
 * Permission: a process may kill itself and its descendants; pid 1 may kill
 * anyone. Returns 0, -PXE_ESRCH (no such live process) or -PXE_EPERM. */
int sched_kill(struct proc *killer, uint32_t pid);

/* sched_exit: end `p` with `status` (0..255, PXVM_STATUS_FAULTED | fault or
 * PXVM_STATUS_KILLED): the modules' teardown hooks release its files, IPC
 * queue, console, hypervisor requests and breakpoints, its kind its memory;
 * it becomes a zombie for its parent's WAIT, or is freed at once when nobody
 * waits for it; a parent blocked in WAIT on it wakes with its status. No
 * effect on a process that is not live. */
void sched_exit(struct proc *p, uint32_t status);

/* sched_wait: WAIT for `p`: reap a zombie child `pid` (0 = any), or block.
 * Returns 1 when `p` blocked, 0 when R0/R1 got the result or an error. */
int sched_wait(struct proc *p, uint32_t pid);

/* sched_reaped_status: the exit status of recently ended process `pid` whose
 * parent was the kernel (ppid 0) or had gone; the last SCHED_REAPED_MAX such
 * ends are kept. Returns 0 and *status, or -1 when unknown. */
#define SCHED_REAPED_MAX 16
int sched_reaped_status(uint32_t pid, uint32_t *status);

/* sched_run: run processes until nothing can run any more or `max_steps`
 * instructions have run in total (0 = no limit). Between quanta it calls
 * pxhost_poll() and hv_poll(now) and wakes sleepers whose time has come; when
 * nothing is runnable but processes are blocked it calls
 * pxhost_idle(earliest deadline, 0 = none) and returns when that gives -1.
 * Returns the number of processes still alive (RUNNABLE, BLOCKED). */
uint32_t sched_run(uint64_t max_steps);

/* sched_step: run RUNNABLE `p` for at most `n` (>= 1) instructions now, out
 * of turn, with everything a quantum does on its end (exit, fault report,
 * trap, syscall blocking, showing it): the debug monitor's single step.
 * Returns 0, or -1 when `p` is not RUNNABLE or n is 0. */
int sched_step(struct proc *p, uint64_t n);

/* sched_step_over: make `p` (stopped at a breakpoint, or RUNNABLE) execute one
 * instruction, the program's own: a breakpoint at its pc is lifted for it and
 * put back after (pxvm/debug.h). Afterwards `p` is RUNNABLE, or whatever that
 * instruction made it (blocked in a system call, ended). Returns 0, or -1 when
 * `p` is neither stopped nor RUNNABLE. The monitor's `step` and `continue`. */
int sched_step_over(struct proc *p);

/* sched_resume_stopped: sched_step_over every process stopped at a
 * breakpoint; returns how many. */
uint32_t sched_resume_stopped(void);

/* sched_total_steps: instructions run by every process since sched_init. */
uint64_t sched_total_steps(void);

/* sched_total_charged: instructions charged for system calls beyond their
 * own since sched_init (pxvm/syscall.c's costs); pxsim's virtual clock
 * counts them as time. */
uint64_t sched_total_charged(void);

/* sched_procinfo: fill `out` (PXVM_PROCINFO_SIZE bytes, layout in abi.h) with
 * table entry `i`. Returns 0, or -PXE_ERANGE past the end of the table. */
int sched_procinfo(uint32_t i, uint8_t *out);

struct snapw;
struct snapr;
/* sched_snap_save / sched_snap_load: the scheduler's own state (instructions
 * run and charged, the entry run last, the recently reaped) as section SCHD v2; load
 * with `apply` false only checks. 0 or -PXE_EINVAL. pxvm/snap.h. */
void sched_snap_save(struct snapw *w);
int sched_snap_load(struct snapr *r, bool apply);

#endif /* PXVM_SCHED_H */
