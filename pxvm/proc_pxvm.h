/*
 * proc_pxvm.h — pxVM programs as a process kind (struct proc_ops, pxvm/proc.h):
 * the interpreter (pxvm/vm.h) on a 64 KiB RAM image, loaded from a .pxe with
 * its system area (pid, parent, argv; pxvm/abi.h), forked by copying, saved
 * and restored as a snapshot record.
 */
#ifndef PXVM_PROC_PXVM_H
#define PXVM_PROC_PXVM_H

#include "proc.h"

/* The pxVM kind's operations. */
extern const struct proc_ops proc_pxvm_ops;

/* proc_pxvm_set_syscall: the hook every pxVM process's SYSCALL goes to (the
 * system-call table, registered from above by sched_init). */
void proc_pxvm_set_syscall(pxvm_syscall_fn fn);

/* proc_sysarea: the system area (PXVM_SYSAREA..0x1FF: pid, parent, ABI
 * version, argc, argv with argv[0] = `path` and the words of `args`) of a
 * process, into `area` (256 bytes). 0, -PXE_E2BIG for more than
 * PXVM_ARGV_MAX words, or -PXE_ENAMETOOLONG when the words do not fit.
 * Python processes have the same system area. */
int proc_sysarea(uint8_t *area, const char *path, const char *args, uint32_t pid, uint32_t ppid);
/* proc_pxvm_watch: watch pxVM process `p` with `flags` (WATCH_*, pxvm/watch.h;
 * 0: stop watching and free what it kept). The first flags allocate the
 * watch state (one pxhost_mem_alloc block); changing them keeps what was
 * seen. Returns 0, -PXE_ENOMEM, or -PXE_EINVAL (not a live pxVM process, or
 * unknown flags). */
int proc_pxvm_watch(struct proc *p, uint32_t flags);

/* A snapshot record (proc_ops.snapshot), little-endian 32-bit words:
 *   magic PROC_PXVM_SNAP_MAGIC ("PXVS"), version 2, R0..R7, pc, steps (low,
 *   high), fault, fault_pc, fault_word, fault_addr, the random stream (4 x
 *   64 bits, low word first), imperfect mode: rate, lo, hi, next flip (low,
 *   high), flips (low, high), its stream (4 x 64 bits); then the
 *   PXVM_MEM_WORDS words of memory. Watching is not part of it. */
#define PROC_PXVM_SNAP_MAGIC   0x53565850u
#define PROC_PXVM_SNAP_VERSION 2u
#define PROC_PXVM_SNAP_HEAD  (4u * (2u + PXVM_NREGS + 1u + 2u + 4u + 8u + 7u + 8u))
#define PROC_PXVM_SNAP_SIZE  (PROC_PXVM_SNAP_HEAD + PXVM_MEM_SIZE)

#endif /* PXVM_PROC_PXVM_H */
