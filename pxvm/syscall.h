/*
 * syscall.h — the pxVM system calls (numbers, costs and register ABI in
 * abi.h, prose in docs/pxvm-abi.md).
 */
#ifndef PXVM_SYSCALL_H
#define PXVM_SYSCALL_H

#include <stdint.h>
#include <stdbool.h>
#include "vm.h"

/* Size of the dispatch table: every syscall number is below SYS_TABLE_SIZE - 1
 * (checked at compile time); calls to numbers at or above it are counted in
 * the last entry. */
#define SYS_TABLE_SIZE 64

/* sys_dispatch: the syscall hook of every pxVM process (vm->user is its struct
 * proc). Charges the call's cost, validates every argument against the
 * caller's memory, serves the call, sets R0 (negative = -PXE_E*). Returns 1
 * when the process must stop running for now (it exited, blocked, yielded or
 * exec'd), else 0. */
int sys_dispatch(struct pxvm *vm, uint32_t number);

/* sys_reset_counts: zero the call counts (sched_init). */
void sys_reset_counts(void);

/* sys_count: calls made to syscall number `num` (< SYS_TABLE_SIZE) since the
 * last reset. */
uint64_t sys_count(uint32_t num);

/* sys_snap_gap / sys_set_snap_gap: SNAPSHOT's rate limit: whether one was
 * granted and when (pxhost_time_us), for snapshots (section SYSC v2). */
void sys_snap_gap(bool *asked, uint64_t *at_us);
void sys_set_snap_gap(bool asked, uint64_t at_us);

/* sys_set_count: set that count (a snapshot's, pxvm/snap.h); no effect past
 * the table. */
void sys_set_count(uint32_t num, uint64_t n);

#endif /* PXVM_SYSCALL_H */
