/*
 * syscall.c — serving pxVM system calls; see syscall.h, abi.h for numbers and
 * registers, docs/pxvm-abi.md for the prose.
 *
 * Every pointer a guest passes is a byte address inside its own 64 KiB and is
 * checked (pxvm_read, pxvm_write, pxvm_read_str) before use; every length is
 * bounded (PRINT_MAX, WRITE_MAX, IPC_MSG_MAX, PXFS_PATH_MAX); drawing is
 * clipped to the caller's own canvas. So a guest can hurt nobody but itself,
 * and a bad argument costs it an error code, not its life.
 *
 * Each handler returns R0 (a negative value is -PXE_E*) or, for calls that
 * may block or end the process, sets R0 itself and returns STOP.
 */
#include "syscall.h"
#include "sched.h"
#include "host.h"
#include "hv.h"
#include "ipc.h"
#include "tty.h"
#include "vfs.h"
#include "port.h"
#include "kernel/vram.h"

static uint32_t err(int e) { return (uint32_t)e; } /* e is already negative */

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

/* The layer drawing goes to: NULL = the visible canvas. */
static uint32_t *layer(const struct proc *p) { return p->layer == PXVM_LAYER_BACK ? p->back : 0; }

static uint32_t sys_print(struct proc *p)
{
	char buf[PRINT_MAX + 1];
	int n = read_text(p, p->vm.r[1], buf);
	if (n < 0)
		return err(n);
	buf[n] = '\n';
	pxhost_output(p->pid, 1, buf, (size_t)n + 1);
	return (uint32_t)n;
}

static uint32_t sys_write(struct proc *p)
{
	uint32_t fd = p->vm.r[1], addr = p->vm.r[2], len = p->vm.r[3];
	if (fd >= PXVM_FD_FIRST)
		return err(vfs_write(p, fd, addr, len));
	if (fd != 1 && fd != 2)
		return err(-PXE_EBADF);
	if (len > WRITE_MAX)
		return err(-PXE_EINVAL);
	char buf[WRITE_MAX];
	int e = pxvm_read(&p->vm, addr, buf, len);
	if (e)
		return err(e);
	pxhost_output(p->pid, (int)fd, buf, len);
	return len;
}

/* READ and FS_READ: fd 0 is the console, fds from 3 are files. */
static int sys_read(struct proc *p)
{
	uint32_t fd = p->vm.r[1], addr = p->vm.r[2], len = p->vm.r[3];
	if (fd == 0)
		return tty_read(p, addr, len);
	p->vm.r[0] = fd >= PXVM_FD_FIRST ? err(vfs_read(p, fd, addr, len)) : err(-PXE_EBADF);
	return 0;
}

static uint32_t sys_rect(struct proc *p)
{
	const uint32_t *r = p->vm.r;
	vram_draw_rect(p->slot, layer(p), (int32_t)r[1], (int32_t)r[2], (int32_t)r[3], (int32_t)r[4], r[5]);
	return 0;
}

static uint32_t sys_pixel(struct proc *p)
{
	const uint32_t *r = p->vm.r;
	vram_draw_pixel(p->slot, layer(p), (int32_t)r[1], (int32_t)r[2], r[3]);
	return 0;
}

static uint32_t sys_text(struct proc *p)
{
	char buf[PRINT_MAX + 1];
	int n = read_text(p, p->vm.r[3], buf);
	if (n < 0)
		return err(n);
	vram_draw_text(p->slot, layer(p), (int32_t)p->vm.r[1], (int32_t)p->vm.r[2], buf, (uint32_t)n, p->vm.r[4]);
	return (uint32_t)n;
}

/* LAYER_USE: R1 = layer to draw on (0 visible, 1 back), R2 flags (bit 0: show
 * the back layer on the canvas first). R0 = the previous layer. */
static uint32_t sys_layer_use(struct proc *p)
{
	uint32_t want = p->vm.r[1], flags = p->vm.r[2];
	if (want > PXVM_LAYER_BACK || (flags & ~(uint32_t)PXVM_LAYER_SHOW))
		return err(-PXE_EINVAL);
	if ((want == PXVM_LAYER_BACK || (flags & PXVM_LAYER_SHOW)) && !p->back) {
		p->back = pxhost_mem_alloc();
		if (!p->back)
			return err(-PXE_ENOMEM);
		vram_layer_fill(p->back, VRAM_CANVAS_BG);
	}
	if (flags & PXVM_LAYER_SHOW)
		vram_layer_show(p->slot, p->back);
	uint32_t old = p->layer;
	p->layer = want;
	return old;
}

static uint32_t sys_readdir(struct proc *p)
{
	char dir[PXFS_PATH_MAX], out[PXFS_PATH_MAX + 1];
	const uint32_t *r = p->vm.r;
	int n = read_path(p, r[1], dir);
	if (n < 0)
		return err(n);
	uint32_t cap = r[4] < sizeof(out) ? r[4] : sizeof(out);
	n = vfs_readdir(dir, r[2], out, cap);
	if (n < 0)
		return err(n);
	int e = pxvm_write(&p->vm, r[3], out, (uint32_t)n + 1);
	return e ? err(e) : (uint32_t)n;
}

static uint32_t sys_open(struct proc *p)
{
	char path[PXFS_PATH_MAX];
	int n = read_path(p, p->vm.r[1], path);
	return err(n < 0 ? n : vfs_open(p, path, p->vm.r[2]));
}

static uint32_t sys_close(struct proc *p)
{
	return err(vfs_close(p, p->vm.r[1]));
}

static uint32_t sys_stat(struct proc *p)
{
	char path[PXFS_PATH_MAX];
	uint32_t st[3];
	int n = read_path(p, p->vm.r[1], path);
	if (n < 0)
		return err(n);
	/* Check the buffer first so a bad one is -EFAULT whatever the path. */
	if (p->vm.r[2] > PXVM_MEM_SIZE - sizeof(st))
		return err(-PXE_EFAULT);
	int e = vfs_stat(path, st);
	if (e)
		return err(e);
	return err(pxvm_write(&p->vm, p->vm.r[2], st, sizeof(st)));
}

static uint32_t sys_create(struct proc *p)
{
	char path[PXFS_PATH_MAX];
	int n = read_path(p, p->vm.r[1], path);
	return err(n < 0 ? n : vfs_create(path));
}

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

static uint32_t sys_spawn(struct proc *p)
{
	char path[PXFS_PATH_MAX], args[PXVM_ARGSTR_SIZE];
	const char *a;
	int e = read_program(p, path, args, &a);
	return err(e ? e : sched_spawn(path, a, p->pid));
}

/* EXEC: on success the new image starts at its entry (nothing is returned);
 * on error R0 says why and the old image goes on. */
static int sys_exec(struct proc *p)
{
	char path[PXFS_PATH_MAX], args[PXVM_ARGSTR_SIZE];
	const char *a;
	int e = read_program(p, path, args, &a);
	if (!e)
		e = sched_exec(p, path, a);
	if (e) {
		p->vm.r[0] = err(e);
		return 0;
	}
	return 1;
}

static int sys_sleep(struct proc *p)
{
	uint32_t ms = p->vm.r[1];
	if (ms > SLEEP_MAX_MS) {
		p->vm.r[0] = err(-PXE_EINVAL);
		return 0;
	}
	p->vm.r[0] = 0;
	if (!ms)
		return 1; /* SLEEP 0 = YIELD */
	p->wake_us = pxhost_time_us() + (uint64_t)ms * 1000u;
	sched_block(p, BLOCK_SLEEP);
	return 1;
}

static int sys_kill(struct proc *p)
{
	uint32_t pid = p->vm.r[1];
	int e = sched_kill(p, pid);
	p->vm.r[0] = err(e);
	return p->state != PROC_RUNNING; /* it killed itself */
}

static uint32_t sys_procinfo(struct proc *p)
{
	uint8_t rec[PXVM_PROCINFO_SIZE];
	int e = sched_procinfo(p->vm.r[1], rec);
	if (e)
		return err(e);
	return err(pxvm_write(&p->vm, p->vm.r[2], rec, sizeof(rec)));
}

/* dispatch: serve `number`; returns 1 when the process must stop running. */
static int dispatch(struct proc *p, uint32_t number)
{
	struct pxvm *vm = &p->vm;
	uint64_t us;
	switch (number) {
	case PXVM_SYS_PRINT:     vm->r[0] = sys_print(p); return 0;
	case PXVM_SYS_RECT:      vm->r[0] = sys_rect(p); return 0;
	case PXVM_SYS_TEXT:      vm->r[0] = sys_text(p); return 0;
	case PXVM_SYS_LAYER_USE: vm->r[0] = sys_layer_use(p); return 0;
	case PXVM_SYS_READ:      return sys_read(p);
	case PXVM_SYS_WRITE:     vm->r[0] = sys_write(p); return 0;
	case PXVM_SYS_EXIT:
		sched_exit(p, vm->r[1] & 0xFFu);
		return 1;
	case PXVM_SYS_GETPID:
		vm->r[0] = p->pid;
		vm->r[1] = p->ppid;
		return 0;
	case PXVM_SYS_YIELD:
		vm->r[0] = 0;
		return 1;
	case PXVM_SYS_SLEEP:     return sys_sleep(p);
	case PXVM_SYS_TIME:
		us = pxhost_time_us();
		vm->r[0] = (uint32_t)(us / 1000);
		vm->r[1] = (uint32_t)us;
		return 0;
	case PXVM_SYS_PIXEL:     vm->r[0] = sys_pixel(p); return 0;
	case PXVM_SYS_IPC_SEND:  vm->r[0] = err(ipc_send(p, vm->r[1], vm->r[2], vm->r[3])); return 0;
	case PXVM_SYS_IPC_RECV:  return ipc_recv(p, vm->r[1], vm->r[2], vm->r[3]);
	case PXVM_SYS_FS_OPEN:   vm->r[0] = sys_open(p); return 0;
	case PXVM_SYS_FS_CLOSE:  vm->r[0] = sys_close(p); return 0;
	case PXVM_SYS_FS_WRITE:  vm->r[0] = sys_write(p); return 0;
	case PXVM_SYS_FS_READ:   return sys_read(p);
	case PXVM_SYS_FS_STAT:   vm->r[0] = sys_stat(p); return 0;
	case PXVM_SYS_READDIR:   vm->r[0] = sys_readdir(p); return 0;
	case PXVM_SYS_FS_CREATE: vm->r[0] = sys_create(p); return 0;
	case PXVM_SYS_FORK:      vm->r[0] = err(sched_fork(p)); return 0;
	case PXVM_SYS_SPAWN:     vm->r[0] = sys_spawn(p); return 0;
	case PXVM_SYS_EXEC:      return sys_exec(p);
	case PXVM_SYS_WAIT:      return sched_wait(p, vm->r[1]);
	case PXVM_SYS_KILL:      return sys_kill(p);
	case PXVM_SYS_SETFG:     vm->r[0] = err(tty_setfg(p, vm->r[1])); return 0;
	case PXVM_SYS_PROCINFO:  vm->r[0] = sys_procinfo(p); return 0;
	case PXVM_SYS_HVTRAP:    return hv_syscall(p);
	default:
		vm->r[0] = err(-PXE_ENOSYS);
		return 0;
	}
}

int sys_dispatch(struct pxvm *vm, uint32_t number)
{
	struct proc *p = vm->user;
	p->syscalls++;
	sched_syscall_counts[number < SCHED_SYSCALL_SLOTS ? number : SCHED_SYSCALL_SLOTS - 1]++;
	int stop = dispatch(p, number);
	/* A call that returned at once with a negative R0 (an error code) failed. */
	if (!stop && (int32_t)vm->r[0] < 0 && (int32_t)vm->r[0] >= -64 &&
	    number != PXVM_SYS_TIME && number != PXVM_SYS_GETPID)
		p->sys_errors++;
	return stop;
}
