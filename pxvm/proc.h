/*
 * proc.h — the process table: the bottom layer of the process core.
 *
 * A fixed table of NPROC processes (kernel/param.h), whatever the screen:
 * entries, pids, states and block reasons, parent links, and the per-kind
 * process operations (struct proc_ops) that run, fork, load, describe and
 * save a process of one kind. pxVM programs are the first kind
 * (pxvm/proc_pxvm.h); another kind (Python guests, a snapshot's restored
 * processes) plugs in with its own ops.
 *
 * The layers above (docs/architecture.md, tests/layers.txt) are ipc, tty,
 * vfs, view, debug and hv, then the life cycle and the scheduler (sched.h)
 * and the system calls (syscall.h). This layer calls none of them: what
 * must go upward goes through what they register here — teardown hooks run
 * when a process ends (proc_on_gone), and two requests (kill, spawn) that the
 * console's Ctrl-C and the hypervisor's RUN_PYTHON make of the life cycle.
 */
#ifndef PXVM_PROC_H
#define PXVM_PROC_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "vm.h"
#include "kernel/param.h"

enum proc_state {
	PROC_FREE = 0,  /* entry unused */
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
	BLOCK_OUTPUT,   /* in WRITE/PRINT on the console, its output full (pxvm/tty.c) */
};

/* PROC_NO_SLOT: proc.slot of a process no visible slot shows (pxvm/view.h);
 * PROCINFO reports it as PXVM_SLOT_NONE. */
#define PROC_NO_SLOT 0xFFFFFFFFu

struct proc;

/* What one quantum of a process ended with (struct proc_ops.run). */
enum proc_run {
	PROC_RUN_BUDGET = 0, /* the budget ran out; still runnable */
	PROC_RUN_EXIT,       /* it ended by itself with status p->status (0..255,
	                      * or PXVM_STATUS_KILLED; pxVM: HALT, status 0) */
	PROC_RUN_FAULT,      /* it broke a rule: proc_ops.fault says which */
	PROC_RUN_TRAP,       /* it raised a hypervisor trap (pxvm/hv.h) */
	PROC_RUN_STOP,       /* a system call stopped it (blocked, ended, yielded) */
};

/* A program to load (struct proc_ops.exec): the file's bytes, the path it was
 * found at (argv[0]) and the argument string (space-separated, may be NULL). */
struct proc_image {
	const uint8_t *data;
	uint32_t size;
	const char *path;
	const char *args;
};

/* The operations of one process kind. Each is called only by the layers
 * above (life cycle, scheduler, monitor, snapshots). */
struct proc_ops {
	const char *name;
	/* probe: whether `img` is a program of this kind (its format: a .pxe
	 * header, a Python source); the life cycle asks the registered kinds
	 * (proc_kind_for) which one starts it. */
	bool (*probe)(const struct proc_image *img);
	/* alloc: memory for new process `p`; 0, or -PXE_ENOMEM. */
	int (*alloc)(struct proc *p);
	/* release: give back what alloc took (the process has ended). */
	void (*release)(struct proc *p);
	/* check: whether program `img` can be loaded into `p` (its pid and
	 * parent set): 0, or -PXE_E* (NOEXEC with the reason logged,
	 * NAMETOOLONG). Changes nothing. */
	int (*check)(const struct proc *p, const struct proc_image *img);
	/* load: replace `p`'s image (fresh or running) with checked program
	 * `img`: memory, registers, entry point, name; its accounting stays. */
	void (*load)(struct proc *p, const struct proc_image *img);
	/* fork: make `child` (alloc'd, pid set) a copy of `parent`; 0 or -PXE_E*
	 * (-PXE_ENOSYS: this kind cannot be copied). */
	int (*fork)(const struct proc *parent, struct proc *child);
	/* run: run `p` for at most `budget` (>= 1) instructions. */
	enum proc_run (*run)(struct proc *p, uint64_t budget);
	/* fault: after PROC_RUN_FAULT, the fault code (nonzero, enum pxvm_fault)
	 * and a one-line report into buf (cap bytes). */
	uint32_t (*fault)(const struct proc *p, char *buf, size_t cap);
	/* dump: `p`'s registers as lines of text into buf (the monitor's `regs`);
	 * returns the length. */
	size_t (*dump)(const struct proc *p, char *buf, size_t cap);
	/* snapshot: `p`'s state (registers, memory) as bytes into out; returns
	 * the length, or 0 when cap is too small (proc_pxvm.h says how big). */
	size_t (*snapshot)(const struct proc *p, uint8_t *out, size_t cap);
	/* restore: load a snapshot's `n` bytes into `p` (alloc'd); 0, or
	 * -PXE_EINVAL for bytes that are not one of this kind's snapshots (the
	 * whole snapshot is refused), or -PXE_ENOEXEC for a valid record this
	 * machine cannot resume (another build, other addresses: the process
	 * ends with PXVM_STATUS_NOT_RESUMABLE and the rest goes on; the kind
	 * logs why). snap.c's check pass calls it on an entry this kind did
	 * not alloc (pxVM memory, kind_state NULL): a kind whose state lives
	 * elsewhere then only checks the bytes. */
	int (*restore)(struct proc *p, const uint8_t *in, size_t n);
};

struct proc {
	struct pxvm vm;             /* pxVM: registers and memory (the tile's 64 KiB) */
	const struct proc_ops *ops; /* its kind; NULL for a free entry */
	enum proc_state state;
	enum proc_block block;
	uint32_t pid, ppid;
	uint32_t pgid, sid;         /* process group (its job) and session (pid of its leader),
	                             * pxvm/job.h; set when it is made, never 0 for a live process */
	bool by_init;               /* started by pid 1 or the kernel: may lead a session (SETSID) */
	uint32_t wait_pid;
	uint32_t status;            /* ZOMBIE: 0..255, PXVM_STATUS_FAULTED | fault, or
	                             * PXVM_STATUS_KILLED */
	uint32_t slot;              /* visible slot showing it (pxvm/view.h) or PROC_NO_SLOT */
	uint64_t syscalls;          /* system calls made */
	uint64_t charged;           /* instructions charged for them beyond their own */
	uint32_t sys_errors;        /* system calls that returned an error */
	uint32_t faults;            /* faults taken (a fault ends the process: 0 or 1) */
	uint64_t wake_us;           /* BLOCK_SLEEP: pxhost_time_us() to wake at */
	uint32_t io_buf, io_len;    /* BLOCK_READ / BLOCK_IPC: the guest buffer to fill;
	                             * BLOCK_OUTPUT: the bytes still to write */
	uint32_t io_total;          /* BLOCK_OUTPUT: R0 when the write is done (its whole length) */
	uint8_t io_fd, io_nl;       /* BLOCK_OUTPUT: 1 or 2; a '\n' still to add (PRINT) */
	uint64_t io_seq;            /* BLOCK_OUTPUT: order of blocking (first blocked, first served) */
	bool tty_raw;               /* reads the console raw (TTYMODE, pxvm/tty.h) */
	bool intr_catch;            /* Ctrl-C is an interrupt it takes (INTR), not the end of its job */
	bool intr_pending;          /* an interrupt it has not taken yet */
	uint64_t typed_us;          /* when the input its READ got was typed (tty latency), 0 = none */
	uint32_t sys_last;          /* the system call made last (the quantum-overrun log) */
	uint32_t sys_slow;          /* the slowest system call of the current quantum, and its time */
	uint64_t sys_slow_us;
	int16_t fd[NOFILE];         /* fd 3 + i -> open-file index in pxvm/vfs.c, -1 closed */
	uint32_t layer;             /* canvas layer RECT/TEXT/PIXEL draw on (LAYER_USE) */
	uint32_t *canvas;           /* its canvas (PXVM_TILE_W x PXVM_TILE_H pixel words,
	                             * pxvm/canvas.h), NULL until first drawn on */
	uint64_t canvas_dirty[PXVM_TILE_H / 64]; /* canvas rows changed since shown */
	uint32_t *back;             /* its back canvas layer, NULL until first used */
	char name[PROC_NAME_MAX];
	void *kind_state;           /* what the kind keeps beyond vm (Python: pxvm/py/pyproc.c) */
};

/* proc_init: empty the table (every entry FREE, no pid handed out yet) and
 * forget the registered hooks and requests. */
void proc_init(void);

/* proc_at: table entry `i` (0 <= i < NPROC), NULL past the end. */
struct proc *proc_at(uint32_t i);

/* proc_index: the table index of entry `p`. */
uint32_t proc_index(const struct proc *p);

/* proc_find: the live or zombie process with `pid`, or NULL. */
struct proc *proc_find(uint32_t pid);

/* proc_alloc: a FREE entry made ready for a new process of kind `ops` with
 * parent `ppid`: zeroed, the next pid, no files, no slot, state still FREE
 * (invisible to proc_find until the caller makes it RUNNABLE once loaded).
 * NULL when the table is full. */
struct proc *proc_alloc(const struct proc_ops *ops, uint32_t ppid);

/* proc_free: entry `p` becomes FREE (its kind has released its memory). */
void proc_free(struct proc *p);

/* proc_count: entries in `state`. */
uint32_t proc_count(enum proc_state state);

/* proc_is_ancestor: whether `anc` is `pid`'s parent, grandparent, ... */
bool proc_is_ancestor(uint32_t anc, uint32_t pid);

/* proc_is_live: `p` is RUNNABLE, RUNNING or BLOCKED (not free, not a zombie). */
bool proc_is_live(const struct proc *p);

/* proc_group_count: entries (live or zombie) in process group `pgid`;
 * `live`: only the live ones. */
uint32_t proc_group_count(uint32_t pgid, bool live);

/* proc_block: the running process `p` becomes BLOCKED for `why` (its system
 * call then stops it). */
void proc_block(struct proc *p, enum proc_block why);

/* proc_unblock: undo proc_block made during the call `p` is running now (the
 * call found it need not wait after all): `p` is RUNNING again. */
void proc_unblock(struct proc *p);

/* proc_wake: BLOCKED `p` becomes RUNNABLE (its registers already hold the
 * result of the call it blocked in). No effect on a process in another state. */
void proc_wake(struct proc *p);

/* proc_state_name: "free", "runnable", "running", "blocked", "zombie". */
const char *proc_state_name(enum proc_state s);

/* proc_block_name: "-", "wait", "sleep", "ipc", "read", "trap", "debug", "output". */
const char *proc_block_name(enum proc_block b);

/* proc_on_gone: call `fn` for every process that ends, before its kind
 * releases its memory (in the order registered; registering `fn` again does
 * nothing). The modules above register their teardown here. */
void proc_on_gone(void (*fn)(struct proc *p));

/* proc_gone: run the teardown hooks for `p` (the life cycle, when it ends). */
void proc_gone(struct proc *p);

/* proc_kind_add: register process kind `ops` (its probe says which programs
 * it runs); kinds added first are asked first. At most PROC_KINDS_MAX; adding
 * one again does nothing. proc_init forgets them all. */
#define PROC_KINDS_MAX 4
void proc_kind_add(const struct proc_ops *ops);

/* proc_kind_at: the `i`th registered kind (0 first), NULL past the last
 * (a reset that must keep them: snap_state_load). */
const struct proc_ops *proc_kind_at(uint32_t i);

/* proc_kind_find: the registered kind called `name`, or NULL. */
const struct proc_ops *proc_kind_find(const char *name);

/* proc_kind_for: the first registered kind whose probe claims `img`, or NULL. */
const struct proc_ops *proc_kind_for(const struct proc_image *img);

/* Requests the layers between make of the life cycle above them, which
 * registers how it serves them (sched_init). */
struct proc_requests {
	/* kill: end live `pid` on behalf of `killer` (NULL: the console/kernel);
	 * 0 or -PXE_E* (sched_kill). */
	int (*kill)(struct proc *killer, uint32_t pid);
	/* spawn: start program `path` with `args` as a child of `ppid`, as a
	 * process of kind `kind` (NULL: whichever kind claims it): the pid or
	 * -PXE_E* (sched_spawn_kind). */
	int (*spawn)(const char *path, const char *args, uint32_t ppid, const struct proc_ops *kind);
	/* kill_group: end every live process of group `pgid` on behalf of
	 * `killer` (NULL: the console/kernel); how many, or -PXE_E* (job_kill). */
	int (*kill_group)(struct proc *killer, uint32_t pgid);
};

/* proc_set_requests: how kill and spawn requests are served. */
void proc_set_requests(const struct proc_requests *r);

/* proc_request_kill / proc_request_spawn: ask the life cycle; -PXE_ENOSYS
 * when nothing is registered. */
int proc_request_kill(struct proc *killer, uint32_t pid);
int proc_request_spawn(const char *path, const char *args, uint32_t ppid, const struct proc_ops *kind);
int proc_request_kill_group(struct proc *killer, uint32_t pgid);

/* proc_next_pid / proc_set_next_pid: the pid the next proc_alloc hands out
 * (snapshots save it and put it back, pxvm/snap.h). */
uint32_t proc_next_pid(void);
void proc_set_next_pid(uint32_t pid);

#endif /* PXVM_PROC_H */
