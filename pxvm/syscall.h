/*
 * syscall.h — the pxVM system calls (numbers and register ABI in abi.h,
 * prose in docs/pxvm-abi.md).
 */
#ifndef PXVM_SYSCALL_H
#define PXVM_SYSCALL_H

#include <stdint.h>
#include "vm.h"

/* sys_dispatch: the syscall hook of every process (vm->user is its struct proc).
 * Validates every argument against the caller's memory, serves the call, sets
 * R0 (negative = -PXE_E*). Returns 1 when the process must stop running for now
 * (it exited or blocked), else 0. */
int sys_dispatch(struct pxvm *vm, uint32_t number);

#endif /* PXVM_SYSCALL_H */
