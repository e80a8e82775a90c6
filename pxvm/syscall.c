/*
 * syscall.c — serving pxVM system calls; see syscall.h.
 *
 * Every pointer a guest passes is a byte address inside its own 64 KiB and is
 * checked with pxvm_read/pxvm_read_str before use; every length is bounded
 * (PRINT_MAX, WRITE_MAX); drawing is clipped to the caller's own canvas. So a
 * guest can hurt nobody but itself, and a bad argument costs it an error code,
 * not its life.
 */
#include "syscall.h"
#include "sched.h"
#include "host.h"
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
	char buf[WRITE_MAX];
	if (fd != 1 && fd != 2)
		return err(-PXE_EBADF);
	if (len > WRITE_MAX)
		return err(-PXE_EINVAL);
	int e = pxvm_read(&p->vm, addr, buf, len);
	if (e)
		return err(e);
	pxhost_output(p->pid, (int)fd, buf, len);
	return len;
}

static uint32_t sys_rect(struct proc *p)
{
	const uint32_t *r = p->vm.r;
	vram_canvas_rect(p->slot, (int32_t)r[1], (int32_t)r[2], (int32_t)r[3], (int32_t)r[4], r[5]);
	return 0;
}

static uint32_t sys_text(struct proc *p)
{
	char buf[PRINT_MAX + 1];
	int n = read_text(p, p->vm.r[3], buf);
	if (n < 0)
		return err(n);
	vram_canvas_text(p->slot, (int32_t)p->vm.r[1], (int32_t)p->vm.r[2], buf, (uint32_t)n, p->vm.r[4]);
	return (uint32_t)n;
}

static uint32_t sys_readdir(struct proc *p)
{
	char dir[PXFS_PATH_MAX];
	const uint32_t *r = p->vm.r;
	int n = pxvm_read_str(&p->vm, r[1], dir, sizeof(dir));
	if (n < 0)
		return err(n);
	const char *name;
	uint32_t len;
	if (!sched_fs() || pxfs_readdir(sched_fs(), dir, r[2], &name, &len) != 0)
		return err(-PXE_ERANGE);
	if (len + 1 > r[4])
		return err(-PXE_ENAMETOOLONG);
	char out[PXFS_PATH_MAX + 1];
	memcpy(out, name, len);
	out[len] = '\0';
	int e = pxvm_write(&p->vm, r[3], out, len + 1);
	return e ? err(e) : len;
}

static uint32_t sys_spawn(struct proc *p)
{
	char path[PXFS_PATH_MAX], args[PXVM_ARGSTR_SIZE];
	int n = pxvm_read_str(&p->vm, p->vm.r[1], path, sizeof(path));
	if (n < 0)
		return err(n);
	const char *a = 0;
	if (p->vm.r[2]) {
		n = pxvm_read_str(&p->vm, p->vm.r[2], args, sizeof(args));
		if (n < 0)
			return err(n);
		a = args;
	}
	return (uint32_t)sched_spawn(path, a, p->pid);
}

int sys_dispatch(struct pxvm *vm, uint32_t number)
{
	struct proc *p = vm->user;
	p->syscalls++;
	sched_syscall_counts[number < SCHED_SYSCALL_SLOTS ? number : SCHED_SYSCALL_SLOTS - 1]++;
	uint64_t us;
	switch (number) {
	case PXVM_SYS_PRINT:  vm->r[0] = sys_print(p); return 0;
	case PXVM_SYS_RECT:   vm->r[0] = sys_rect(p); return 0;
	case PXVM_SYS_TEXT:   vm->r[0] = sys_text(p); return 0;
	case PXVM_SYS_WRITE:  vm->r[0] = sys_write(p); return 0;
	case PXVM_SYS_EXIT:
		sched_exit(p, vm->r[1] & 0xFFu);
		return 1;
	case PXVM_SYS_GETPID: vm->r[0] = p->pid; return 0;
	case PXVM_SYS_TIME:
		us = pxhost_time_us();
		vm->r[0] = (uint32_t)(us / 1000);
		vm->r[1] = (uint32_t)us;
		return 0;
	case PXVM_SYS_READDIR: vm->r[0] = sys_readdir(p); return 0;
	case PXVM_SYS_SPAWN:  vm->r[0] = sys_spawn(p); return 0;
	case PXVM_SYS_WAIT:   return sched_wait(p, vm->r[1]);
	default:
		vm->r[0] = err(-PXE_ENOSYS);
		return 0;
	}
}
