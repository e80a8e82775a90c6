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
 * process, into `area` (256 bytes). 0, or -PXE_ENAMETOOLONG when the words or
 * their count do not fit. Python processes have the same system area. */
int proc_sysarea(uint8_t *area, const char *path, const char *args, uint32_t pid, uint32_t ppid);

/* A snapshot record (proc_ops.snapshot), little-endian 32-bit words:
 *   magic PROC_PXVM_SNAP_MAGIC ("PXVS"), version 1, R0..R7, pc, steps (low,
 *   high), fault, fault_pc, fault_word, fault_addr, then the PXVM_MEM_WORDS
 *   words of memory. */
#define PROC_PXVM_SNAP_MAGIC 0x53565850u
#define PROC_PXVM_SNAP_HEAD  (4u * (2u + PXVM_NREGS + 1u + 2u + 4u))
#define PROC_PXVM_SNAP_SIZE  (PROC_PXVM_SNAP_HEAD + PXVM_MEM_SIZE)

#endif /* PXVM_PROC_PXVM_H */
