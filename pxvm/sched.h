/*
 * sched.h — the pxVM process table and its round-robin scheduler.
 *
 * A fixed table of processes (NPROC in kernel/param.h, fewer when VRAM has fewer
 * slots): process i lives in VRAM slot i, its memory mirrored in that slot's
 * tile. The scheduler runs each RUNNABLE process for a quantum of SCHED_QUANTUM
 * instructions, round-robin, so a busy loop cannot starve the others; a process
 * that faults is stopped and reported (pid, pc, word, reason) and the rest go
 * on. Portable: the same code runs in the kernel and in tools/pxsim.
 */
#ifndef PXVM_SCHED_H
#define PXVM_SCHED_H

#include <stdint.h>
#include <stdbool.h>
#include "vm.h"
#include "pixelfs.h"
#include "kernel/param.h"

enum proc_state {
	PROC_FREE = 0,  /* slot unused */
	PROC_RUNNABLE,  /* ready to run */
	PROC_RUNNING,   /* being run by the scheduler now */
	PROC_BLOCKED,   /* waiting: see block */
	PROC_ZOMBIE,    /* ended; status kept until the parent's WAIT */
};

enum proc_block {
	BLOCK_NONE = 0,
	BLOCK_WAIT,     /* in WAIT for child wait_pid (0 = any child) */
	BLOCK_SLEEP,    /* in SLEEP until wake_us */
	BLOCK_IPC,      /* in IPC_RECV, queue empty */
	BLOCK_READ,     /* in READ on stdin, no input yet (pxvm/tty.c) */
	BLOCK_TRAP,     /* trap or HVTRAP waiting for the hypervisor (pxvm/hv.c) */
	BLOCK_DEBUG,    /* stopped at a monitor breakpoint (pxvm/debug.c) */
};

struct proc {
	struct pxvm vm;
	enum proc_state state;
	enum proc_block block;
	uint32_t pid, ppid;
	uint32_t wait_pid;
	uint32_t status;            /* ZOMBIE: 0..255, PXVM_STATUS_FAULTED | fault, or
	                             * PXVM_STATUS_KILLED */
	uint32_t slot;              /* index in the table = VRAM slot */
	uint64_t syscalls;          /* system calls made */
	uint32_t sys_errors;        /* system calls that returned an error */
	uint32_t faults;            /* faults taken (a fault ends the process: 0 or 1) */
	uint64_t wake_us;           /* BLOCK_SLEEP: pxhost_time_us() to wake at */
	uint32_t io_buf, io_len;    /* BLOCK_READ / BLOCK_IPC: the guest buffer to fill */
	int16_t fd[NOFILE];         /* fd 3 + i -> open-file index in pxvm/vfs.c, -1 closed */
	uint32_t layer;             /* canvas layer RECT/TEXT/PIXEL draw on (LAYER_USE) */
	uint32_t *back;             /* the back canvas layer (PXVM_MEM_ALLOC_WORDS words
	                             * from pxhost_mem_alloc), NULL until first used */
	char name[PROC_NAME_MAX];
};

/* sched_init: empty the table and reset the process subsystems (IPC queues,
 * RAM files, console, hypervisor); `fs` is the mounted PixelFS (may have no
 * files); `nslots` is how many VRAM slots exist (the table uses
 * min(NPROC, nslots)). */
void sched_init(const struct pxfs *fs, uint32_t nslots);

/* sched_spawn: start program `path` (a PROGRAM file in PixelFS, or a file
 * written since boot that holds a valid .pxe) with argument string `args`
 * (space-separated, may be NULL) as a child of `ppid` (0 = the kernel).
 * Returns the new pid (> 0) or -PXE_E*: NOENT (no such file), NOEXEC (not a
 * program, or a malformed one: the reason is logged), AGAIN (table full),
 * NOMEM, NAMETOOLONG (arguments do not fit the system area). */
int sched_spawn(const char *path, const char *args, uint32_t ppid);

/* sched_fork: copy `parent` (its 64 KiB, registers, open files; not its IPC
 * queue, canvas or back layer) into a free slot as its child. The child's R0
 * is 0 and its system area names its own pid and parent. Returns the child's
 * pid, or -PXE_EAGAIN (table full) / -PXE_ENOMEM. */
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

/* sched_is_ancestor: whether `anc` is `pid`'s parent, grandparent, ... */
bool sched_is_ancestor(uint32_t anc, uint32_t pid);

/* sched_run: run processes until nothing can run any more or `max_steps`
 * instructions have run in total (0 = no limit). Between quanta it calls
 * pxhost_poll() and hv_poll(now) and wakes sleepers whose time has come; when
 * nothing is runnable but processes are blocked it calls
 * pxhost_idle(earliest sleep deadline, 0 = none) and returns when that gives
 * -1. Returns the number of processes still alive (RUNNABLE, BLOCKED). */
uint32_t sched_run(uint64_t max_steps);

/* sched_step: run RUNNABLE `p` for at most `n` (>= 1) instructions now, out
 * of turn, with everything a quantum does on its end (exit, fault report,
 * trap, syscall blocking, tile flush): the debug monitor's single step.
 * Returns 0, or -1 when `p` is not RUNNABLE or n is 0. */
int sched_step(struct proc *p, uint64_t n);

/* sched_nproc: size of the table. */
uint32_t sched_nproc(void);

/* sched_proc: table entry `i` (0 <= i < sched_nproc()). */
struct proc *sched_proc(uint32_t i);

/* sched_find: the live or zombie process with `pid`, or NULL. */
struct proc *sched_find(uint32_t pid);

/* sched_state_name: "free", "runnable", "running", "blocked", "zombie". */
const char *sched_state_name(enum proc_state s);

/* sched_block_name: "-", "wait", "sleep", "ipc", "read", "trap", "debug". */
const char *sched_block_name(enum proc_block b);

/* sched_exit: end `p` with `status` (0..255, PXVM_STATUS_FAULTED | fault or
 * PXVM_STATUS_KILLED): its files, IPC queue, console and hypervisor requests
 * are released; it becomes a zombie for its parent's WAIT, or is freed at once
 * when nobody waits for it; a parent blocked in WAIT on it wakes with its
 * status. No effect on a process that is not live. */
void sched_exit(struct proc *p, uint32_t status);

/* sched_wait: WAIT for `p`: reap a zombie child `pid` (0 = any), or block.
 * Returns 1 when `p` blocked, 0 when R0/R1 got the result or an error. */
int sched_wait(struct proc *p, uint32_t pid);

/* sched_reaped_status: the exit status of recently ended process `pid` whose
 * parent was the kernel (ppid 0) or had gone; the last SCHED_REAPED_MAX such
 * ends are kept. Returns 0 and *status, or -1 when unknown. */
#define SCHED_REAPED_MAX 16
int sched_reaped_status(uint32_t pid, uint32_t *status);

/* sched_block: make the running process `p` BLOCKED for `why` (its syscall
 * hook then returns 1). */
void sched_block(struct proc *p, enum proc_block why);

/* sched_wake: make BLOCKED `p` RUNNABLE again (its registers already hold the
 * result of the call it blocked in). No effect on a process in another state. */
void sched_wake(struct proc *p);

/* sched_render: redraw the process table region and slot labels. */
void sched_render(void);

/* sched_total_steps: instructions run by every process since sched_init. */
uint64_t sched_total_steps(void);

/* sched_fs: the filesystem given to sched_init. */
const struct pxfs *sched_fs(void);

/* sched_procinfo: fill `out` (PXVM_PROCINFO_SIZE bytes, layout in abi.h) with
 * table entry `i`. Returns 0, or -PXE_ERANGE past the end of the table. */
int sched_procinfo(uint32_t i, uint8_t *out);

/* Call counts per syscall number (numbers >= SCHED_SYSCALL_SLOTS are counted
 * in the last slot). */
#define SCHED_SYSCALL_SLOTS 64
extern uint64_t sched_syscall_counts[SCHED_SYSCALL_SLOTS];

#endif /* PXVM_SCHED_H */
