/*
 * syscall.c — serving pxVM system calls; see syscall.h, abi.h for numbers,
 * costs and registers, docs/pxvm-abi.md for the prose.
 *
 * One table: the dispatch table is generated from PXVM_SYSCALLS in abi.h (as
 * vm.c's opcode labels are from PXVM_OPCODES), so every number there has a
 * handler `sys_NAME` here (a missing one fails the build: used but never
 * defined) and every handler is in the table (an extra one is an unused
 * function). Each handler has the same signature, sets R0 through ret() (or
 * done(), for services that set the registers themselves), and returns
 * SYS_CONTINUE, or SYS_STOP when the caller blocked, ended, yielded or was
 * replaced by EXEC.
 *
 * Cost: sys_dispatch charges the table's cost column against the caller's
 * quantum (vm->charge, taken off pxvm_run's budget); a handler whose work
 * grows with its arguments adds charge() on top (bytes written to the
 * console, pixels filled, bytes copied). So a process of expensive calls runs
 * fewer of them per quantum, and one call cannot hold the CPU for long.
 *
 * Every pointer a guest passes is a byte address inside its own 64 KiB and is
 * checked (pxvm_range_ok, pxvm_read, pxvm_write, pxvm_read_str) before use;
 * every length is bounded (PRINT_MAX, WRITE_MAX, IPC_MSG_MAX, PXFS_PATH_MAX);
 * drawing is clipped to the caller's own canvas. So a guest can hurt nobody
 * but itself, and a bad argument costs it an error code, not its life.
 */
#include "syscall.h"
#include "sched.h"
#include "proc_pxvm.h"
#include "canvas.h"
#include "host.h"
#include "hv.h"
#include "ipc.h"
#include "job.h"
#include "tty.h"
#include "vfs.h"
#include "port.h"

enum sys_result {
	SYS_CONTINUE = 0, /* R0 is set; the caller runs on */
	SYS_STOP = 1,     /* the caller blocked, ended, yielded or exec'd: its quantum ends */
};

static uint64_t counts[SYS_TABLE_SIZE];
static bool snap_asked;          /* SNAPSHOT: one was granted ... */
static uint64_t snap_asked_us;   /* ... at this time */

void sys_reset_counts(void)
{
	memset(counts, 0, sizeof(counts));
	snap_asked = false;
	snap_asked_us = 0;
}

void sys_snap_gap(bool *asked, uint64_t *at_us)
{
	*asked = snap_asked;
	*at_us = snap_asked_us;
}

void sys_set_snap_gap(bool asked, uint64_t at_us)
{
	snap_asked = asked;
	snap_asked_us = at_us;
}
uint64_t sys_count(uint32_t num) { return num < SYS_TABLE_SIZE ? counts[num] : 0; }
void sys_set_count(uint32_t num, uint64_t n)
{
	if (num < SYS_TABLE_SIZE)
		counts[num] = n;
}

/* ret: R0 = v, a count or value (>= 0) or -PXE_E* (counted as a failed call). */
static enum sys_result ret(struct proc *p, int v)
{
	p->vm.r[0] = (uint32_t)v;
	if (v < 0)
		p->sys_errors++;
	return SYS_CONTINUE;
}

/* done: a service set R0 (and maybe R1, R2) itself; `blocked` says it blocked
 * the caller instead (the registers are set when it wakes). */
static enum sys_result done(struct proc *p, int blocked)
{
	if (blocked)
		return SYS_STOP;
	if (pxvm_is_error(p->vm.r[0]))
		p->sys_errors++;
	return SYS_CONTINUE;
}

/* charge: `n` instructions more against the caller's quantum. */
static void charge(struct proc *p, uint64_t n)
{
	p->vm.charge += n;
	p->charged += n;
}

/* read_text: the guest string at `addr` for PRINT and TEXT, into buf
 * (PRINT_MAX + 1 bytes): its length, -PXE_EFAULT, or -PXE_EINVAL when longer
 * than PRINT_MAX. */
static int read_text(const struct proc *p, uint32_t addr, char *buf)
{
	int n = pxvm_read_str(&p->vm, addr, buf, PRINT_MAX + 1);
	return n == -PXE_ENAMETOOLONG ? -PXE_EINVAL : n;
}

/* read_path: the guest path at `addr` into buf (PXFS_PATH_MAX bytes): its
 * length, -PXE_EFAULT or -PXE_ENAMETOOLONG. */
static int read_path(const struct proc *p, uint32_t addr, char *buf)
{
	return pxvm_read_str(&p->vm, addr, buf, PXFS_PATH_MAX);
}

/* ---- the console and the canvas ------------------------------------------- */

/* PRINT and WRITE to the console: the tty hands the bytes to the platform
 * as it has room; the caller blocks (BLOCK_OUTPUT) while it has none. */
static enum sys_result sys_PRINT(struct proc *p)
{
	char buf[PRINT_MAX + 1];
	int n = read_text(p, p->vm.r[1], buf);
	if (n < 0)
		return ret(p, n);
	charge(p, (uint64_t)(n + 1) * SYS_COST_CONSOLE_BYTE);
	return done(p, tty_write(p, 1, p->vm.r[1], (uint32_t)n, 1));
}

static enum sys_result sys_WRITE(struct proc *p)
{
	uint32_t fd = p->vm.r[1], addr = p->vm.r[2], len = p->vm.r[3];
	if (fd >= PXVM_FD_FIRST) {
		int n = vfs_write(p, fd, addr, len);
		if (n > 0)
			charge(p, (uint32_t)n >> SYS_COST_COPY_SHIFT);
		return ret(p, n);
	}
	if (fd != 1 && fd != 2)
		return ret(p, -PXE_EBADF);
	if (len > WRITE_MAX)
		return ret(p, -PXE_EINVAL);
	if (!pxvm_range_ok(addr, len))
		return ret(p, -PXE_EFAULT);
	charge(p, (uint64_t)len * SYS_COST_CONSOLE_BYTE);
	return done(p, tty_write(p, (int)fd, addr, len, 0));
}

/* READ and FS_READ: fd 0 is the console, fds from 3 are files. */
static enum sys_result sys_READ(struct proc *p)
{
	uint32_t fd = p->vm.r[1], addr = p->vm.r[2], len = p->vm.r[3];
	if (fd == 0)
		return done(p, tty_read(p, addr, len));
	if (fd < PXVM_FD_FIRST)
		return ret(p, -PXE_EBADF);
	int n = vfs_read(p, fd, addr, len);
	if (n > 0)
		charge(p, (uint32_t)n >> SYS_COST_COPY_SHIFT);
	return ret(p, n);
}

static enum sys_result sys_FS_WRITE(struct proc *p) { return sys_WRITE(p); }
static enum sys_result sys_FS_READ(struct proc *p) { return sys_READ(p); }

static enum sys_result sys_RECT(struct proc *p)
{
	const uint32_t *r = p->vm.r;
	int n = canvas_rect(p, (int32_t)r[1], (int32_t)r[2], (int32_t)r[3], (int32_t)r[4], r[5]);
	if (n < 0)
		return ret(p, n);
	charge(p, (uint32_t)n >> SYS_COST_PIXELS_SHIFT);
	return ret(p, 0);
}

static enum sys_result sys_PIXEL(struct proc *p)
{
	const uint32_t *r = p->vm.r;
	int n = canvas_rect(p, (int32_t)r[1], (int32_t)r[2], 1, 1, r[3]);
	return ret(p, n < 0 ? n : 0);
}

static enum sys_result sys_TEXT(struct proc *p)
{
	char buf[PRINT_MAX + 1];
	int n = read_text(p, p->vm.r[3], buf);
	if (n < 0)
		return ret(p, n);
	int e = canvas_text(p, (int32_t)p->vm.r[1], (int32_t)p->vm.r[2], buf, (uint32_t)n, p->vm.r[4]);
	if (e < 0)
		return ret(p, e);
	charge(p, (uint64_t)n * SYS_COST_GLYPH);
	return ret(p, n);
}

/* LAYER_USE: R1 = layer to draw on (0 visible, 1 back), R2 flags (bit 0: show
 * the back layer on the canvas first). R0 = the previous layer. */
static enum sys_result sys_LAYER_USE(struct proc *p)
{
	uint32_t want = p->vm.r[1], flags = p->vm.r[2];
	if (want > PXVM_LAYER_BACK || (flags & ~(uint32_t)PXVM_LAYER_SHOW))
		return ret(p, -PXE_EINVAL);
	if (want == PXVM_LAYER_BACK || (flags & PXVM_LAYER_SHOW)) {
		int e = canvas_use_back(p);
		if (e)
			return ret(p, e);
	}
	if (flags & PXVM_LAYER_SHOW) {
		int e = canvas_show_back(p);
		if (e)
			return ret(p, e);
		charge(p, SYS_COST_LAYER_SHOW);
	}
	uint32_t old = p->layer;
	p->layer = want;
	return ret(p, (int)old);
}

/* ---- files ------------------------------------------------------------------ */

static enum sys_result sys_READDIR(struct proc *p)
{
	char dir[PXFS_PATH_MAX], out[PXFS_PATH_MAX + 1];
	const uint32_t *r = p->vm.r;
	int n = read_path(p, r[1], dir);
	if (n < 0)
		return ret(p, n);
	uint32_t cap = r[4] < sizeof(out) ? r[4] : sizeof(out);
	n = vfs_readdir(dir, r[2], out, cap);
	if (n < 0)
		return ret(p, n);
	int e = pxvm_write(&p->vm, r[3], out, (uint32_t)n + 1);
	return ret(p, e ? e : n);
}

static enum sys_result sys_FS_OPEN(struct proc *p)
{
	char path[PXFS_PATH_MAX];
	int n = read_path(p, p->vm.r[1], path);
	return ret(p, n < 0 ? n : vfs_open(p, path, p->vm.r[2]));
}

static enum sys_result sys_FS_CLOSE(struct proc *p) { return ret(p, vfs_close(p, p->vm.r[1])); }

static enum sys_result sys_FS_STAT(struct proc *p)
{
	char path[PXFS_PATH_MAX];
	uint32_t st[3];
	int n = read_path(p, p->vm.r[1], path);
	if (n < 0)
		return ret(p, n);
	/* Check the buffer first so a bad one is -EFAULT whatever the path. */
	if (!pxvm_range_ok(p->vm.r[2], sizeof(st)))
		return ret(p, -PXE_EFAULT);
	int e = vfs_stat(path, st);
	if (e)
		return ret(p, e);
	return ret(p, pxvm_write(&p->vm, p->vm.r[2], st, sizeof(st)));
}

static enum sys_result sys_FS_CREATE(struct proc *p)
{
	char path[PXFS_PATH_MAX];
	int n = read_path(p, p->vm.r[1], path);
	return ret(p, n < 0 ? n : vfs_create(path));
}

static enum sys_result sys_UNLINK(struct proc *p)
{
	char path[PXFS_PATH_MAX];
	int n = read_path(p, p->vm.r[1], path);
	return ret(p, n < 0 ? n : vfs_unlink(path));
}

static enum sys_result sys_RENAME(struct proc *p)
{
	char from[PXFS_PATH_MAX], to[PXFS_PATH_MAX];
	int n = read_path(p, p->vm.r[1], from);
	if (n >= 0)
		n = read_path(p, p->vm.r[2], to);
	return ret(p, n < 0 ? n : vfs_rename(from, to));
}

static enum sys_result sys_FS_USAGE(struct proc *p)
{
	char path[PXFS_PATH_MAX];
	uint32_t us[PXVM_USAGE_SIZE / 4];
	int n = read_path(p, p->vm.r[1], path);
	if (n < 0)
		return ret(p, n);
	if (!pxvm_range_ok(p->vm.r[2], sizeof(us)))
		return ret(p, -PXE_EFAULT);
	int e = vfs_usage(path, us);
	return ret(p, e ? e : pxvm_write(&p->vm, p->vm.r[2], us, sizeof(us)));
}

/* KLOG_READ: the kernel log's kept lines (pxvm/logring.h), for any process:
 * the log holds nothing secret (docs/pxvm-abi.md says what it holds). The
 * copy is charged per byte, as file reads are, and is at most KLOG_KEEP. */
static enum sys_result sys_KLOG_READ(struct proc *p)
{
	uint32_t buf = p->vm.r[1], len = p->vm.r[2], at = p->vm.r[3], done = 0;
	if (!pxvm_range_ok(buf, len))
		return ret(p, -PXE_EFAULT);
	if (len > KLOG_KEEP)
		len = KLOG_KEEP;
	while (done < len) {
		char chunk[256];
		uint32_t want = len - done < sizeof(chunk) ? len - done : (uint32_t)sizeof(chunk), next;
		size_t n = pxhost_klog_read(at, chunk, want, &next);
		if (done && next - (uint32_t)n != at)
			break; /* lines were dropped between two pieces: stop before the gap */
		pxvm_write(&p->vm, buf + done, chunk, (uint32_t)n); /* in range: checked above */
		done += (uint32_t)n;
		at = next;
		if (n < want)
			break;
	}
	charge(p, done >> SYS_COST_COPY_SHIFT);
	p->vm.r[1] = at;
	return ret(p, (int)done);
}

/* ---- processes --------------------------------------------------------------- */

static enum sys_result sys_EXIT(struct proc *p)
{
	sched_exit(p, p->vm.r[1] & 0xFFu);
	return SYS_STOP;
}

static enum sys_result sys_GETPID(struct proc *p)
{
	p->vm.r[0] = p->pid;
	p->vm.r[1] = p->ppid;
	return SYS_CONTINUE;
}

static enum sys_result sys_YIELD(struct proc *p)
{
	p->vm.r[0] = 0;
	return SYS_STOP;
}

static enum sys_result sys_SLEEP(struct proc *p)
{
	uint32_t ms = p->vm.r[1];
	if (ms > SLEEP_MAX_MS)
		return ret(p, -PXE_EINVAL);
	p->vm.r[0] = 0;
	if (!ms)
		return SYS_STOP; /* SLEEP 0 = YIELD */
	p->wake_us = pxhost_time_us() + (uint64_t)ms * 1000u;
	proc_block(p, BLOCK_SLEEP);
	return SYS_STOP;
}

static enum sys_result sys_TIME(struct proc *p)
{
	uint64_t us = pxhost_time_us();
	p->vm.r[0] = (uint32_t)(us / 1000);
	p->vm.r[1] = (uint32_t)us;
	return SYS_CONTINUE;
}

static enum sys_result sys_FORK(struct proc *p) { return ret(p, sched_fork(p)); }

/* read_program: path (R1) and optional argument string (R2, 0 = none) of
 * SPAWN and EXEC. Returns 0 or -PXE_E*; *args is NULL or points into `args`. */
static int read_program(const struct proc *p, char *path, char *args, const char **a)
{
	int n = read_path(p, p->vm.r[1], path);
	if (n < 0)
		return n;
	*a = 0;
	if (p->vm.r[2]) {
		n = pxvm_read_str(&p->vm, p->vm.r[2], args, PXVM_ARGSTR_SIZE);
		if (n < 0)
			return n;
		*a = args;
	}
	return 0;
}

static enum sys_result sys_SPAWN(struct proc *p)
{
	char path[PXFS_PATH_MAX], args[PXVM_ARGSTR_SIZE];
	const char *a;
	int e = read_program(p, path, args, &a);
	return ret(p, e ? e : sched_spawn(path, a, p->pid));
}

/* EXEC: on success the new image starts at its entry (nothing is returned);
 * on error R0 says why and the old image goes on. */
static enum sys_result sys_EXEC(struct proc *p)
{
	char path[PXFS_PATH_MAX], args[PXVM_ARGSTR_SIZE];
	const char *a;
	int e = read_program(p, path, args, &a);
	if (!e)
		e = sched_exec(p, path, a);
	return e ? ret(p, e) : SYS_STOP;
}

static enum sys_result sys_WAIT(struct proc *p) { return done(p, sched_wait(p, p->vm.r[1])); }

/* KILL: R1 = pid, or -pgid (a negative number) for every process of a group:
 * R0 = 0 for a process, the number ended for a group. */
static enum sys_result sys_KILL(struct proc *p)
{
	int32_t who = (int32_t)p->vm.r[1];
	if (who < 0 && who != INT32_MIN)
		ret(p, job_kill(p, (uint32_t)-who));
	else
		ret(p, sched_kill(p, (uint32_t)who));
	return p->state == PROC_RUNNING ? SYS_CONTINUE : SYS_STOP; /* it may have killed itself */
}

static enum sys_result sys_SETFG(struct proc *p) { return ret(p, tty_setfg(p, p->vm.r[1])); }

/* ---- jobs and the console's modes (pxvm/job.h, pxvm/tty.h) -------------------- */

static enum sys_result sys_SETSID(struct proc *p) { return ret(p, job_setsid(p)); }

static enum sys_result sys_SETPGID(struct proc *p) { return ret(p, job_setpgid(p, p->vm.r[1], p->vm.r[2])); }

/* GETPGID: R1 = pid (0: the caller) -> R0 = its group, R1 = its session. */
static enum sys_result sys_GETPGID(struct proc *p)
{
	const struct proc *t = p->vm.r[1] ? proc_find(p->vm.r[1]) : p;
	if (!t)
		return ret(p, -PXE_ESRCH);
	p->vm.r[1] = t->sid;
	return ret(p, (int)t->pgid);
}

static enum sys_result sys_TTYMODE(struct proc *p) { return ret(p, tty_mode(p, p->vm.r[1])); }

static enum sys_result sys_INTR(struct proc *p) { return ret(p, tty_intr(p, p->vm.r[1])); }

static enum sys_result sys_PROCINFO(struct proc *p)
{
	uint8_t rec[PXVM_PROCINFO_SIZE];
	int e = sched_procinfo(p->vm.r[1], rec);
	if (e)
		return ret(p, e);
	return ret(p, pxvm_write(&p->vm, p->vm.r[2], rec, sizeof(rec)));
}

/* ---- messages and the hypervisor ------------------------------------------- */

static enum sys_result sys_IPC_SEND(struct proc *p)
{
	const uint32_t *r = p->vm.r;
	int e = ipc_send(p, r[1], r[2], r[3]);
	if (!e)
		charge(p, r[3] >> SYS_COST_COPY_SHIFT);
	return ret(p, e);
}

static enum sys_result sys_IPC_RECV(struct proc *p)
{
	const uint32_t *r = p->vm.r;
	return done(p, ipc_recv(p, r[1], r[2], r[3]));
}

static enum sys_result sys_HVTRAP(struct proc *p) { return done(p, hv_syscall(p)); }

/* IMPERFECT: the imperfect mode (pxvm_set_imperfect) of the caller or of a
 * descendant; R0 = its previous rate, R1 = its flips so far (low word). */
static enum sys_result sys_IMPERFECT(struct proc *p)
{
	uint32_t pid = p->vm.r[1], rate = p->vm.r[2], lo = p->vm.r[3], hi = p->vm.r[4];
	struct proc *t = pid ? proc_find(pid) : p;
	if (!t || t->state == PROC_ZOMBIE)
		return ret(p, -PXE_ESRCH);
	if (t != p && !proc_is_ancestor(p->pid, t->pid))
		return ret(p, -PXE_EPERM);
	if (t->ops != &proc_pxvm_ops)
		return ret(p, -PXE_EINVAL);
	uint32_t prev = t->vm.imp.rate;
	uint64_t flips = t->vm.imp.flips;
	if (rate != (uint32_t)PXVM_IMPERFECT_KEEP) {
		int e = pxvm_set_imperfect(&t->vm, rate, lo, hi);
		if (e)
			return ret(p, e);
		if (rate)
			pxhost_log(1, "pid %u: imperfect mode of pid %u: %u flips per million instructions in 0x%04x..0x%04x",
			           p->pid, t->pid, rate, t->vm.imp.lo, t->vm.imp.hi - 1);
		else if (prev)
			pxhost_log(1, "pid %u: imperfect mode of pid %u off after %llu flips", p->pid, t->pid,
			           (unsigned long long)flips);
	}
	p->vm.r[1] = (uint32_t)flips;
	return ret(p, (int)prev);
}

/* ---- snapshots --------------------------------------------------------------------- */

/* SNAPSHOT: the console's foreground process only (the person at the
 * console asked for it), one granted per SNAP_GAP_MS; the platform takes it
 * between quanta (pxhost_snapshot). */
static enum sys_result sys_SNAPSHOT(struct proc *p)
{
	if (tty_foreground() != p->pid)
		return ret(p, -PXE_EPERM);
	uint64_t now = pxhost_time_us();
	if (snap_asked && now - snap_asked_us < (uint64_t)SNAP_GAP_MS * 1000u)
		return ret(p, -PXE_EBUSY);
	int e = pxhost_snapshot(p->pid);
	if (!e) {
		snap_asked = true;
		snap_asked_us = now;
	}
	return ret(p, e);
}

/* ---- the table ------------------------------------------------------------------- */

typedef enum sys_result (*sys_fn)(struct proc *p);

#define SYS_X_ASSERT(name, num, cost, args, doc)                                              \
	_Static_assert((num) > 0 && (num) < SYS_TABLE_SIZE - 1, "SYS_" #name ": number outside the table"); \
	_Static_assert((cost) >= 1, "SYS_" #name ": a call costs at least its one instruction");
PXVM_SYSCALLS(SYS_X_ASSERT)
#undef SYS_X_ASSERT

static const struct {
	sys_fn fn;
	uint32_t cost;
} table[SYS_TABLE_SIZE] = {
#define SYS_X_ENTRY(name, num, cost, args, doc) [num] = { sys_##name, cost },
	PXVM_SYSCALLS(SYS_X_ENTRY) /* a number used twice: -Woverride-init fails the build */
#undef SYS_X_ENTRY
};

int sys_dispatch(struct pxvm *vm, uint32_t number)
{
	struct proc *p = vm->user;
	p->syscalls++;
	counts[number < SYS_TABLE_SIZE ? number : SYS_TABLE_SIZE - 1]++;
	if (number >= SYS_TABLE_SIZE || !table[number].fn)
		return ret(p, -PXE_ENOSYS);
	charge(p, table[number].cost - 1); /* the SYSCALL instruction itself is one */
	/* How long each call takes: the quantum-overrun log names the slowest. */
	uint64_t t0 = pxhost_time_us();
	int r = table[number].fn(p);
	uint64_t us = pxhost_time_us() - t0;
	if (p->state == PROC_FREE)
		return r; /* it ended and nobody waits for it */
	p->sys_last = number;
	if (us >= p->sys_slow_us) {
		p->sys_slow_us = us;
		p->sys_slow = number;
	}
	return r;
}
