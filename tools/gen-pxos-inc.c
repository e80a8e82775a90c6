/*
 * gen-pxos-inc — print pxos.inc, the pxasm include file with the ABI's numbers
 * (system calls, error codes, fault codes, the process memory map), generated
 * from pxvm/abi.h so that they are defined in one place only.
 */
#include <stdio.h>
#include "pxvm/abi.h"

int main(void)
{
	printf("; pxos.inc — generated from pxvm/abi.h by tools/gen-pxos-inc; do not edit.\n");
	printf("\n; System calls: SYSCALL SYS_x, arguments in R1..R5, result in R0.\n");
#define X(name, num, args, doc) printf(".equ SYS_%-8s %3d    ; %s: %s\n", #name ",", num, args, doc);
	PXVM_SYSCALLS(X)
#undef X
	printf("\n; Error codes: a failing system call returns R0 = -code.\n");
#define X(name, code, text) printf(".equ E%-12s %3d    ; %s\n", #name ",", code, text);
	PXVM_ERRORS(X)
#undef X
	printf("\n; Fault codes, as WAIT reports them: status = STATUS_FAULTED | fault.\n");
#define X(name, code, text) printf(".equ FAULT_%-11s %3d    ; %s\n", #name ",", code, text);
	PXVM_FAULTS(X)
#undef X
	printf(".equ STATUS_FAULTED, 0x%X\n", PXVM_STATUS_FAULTED);
	printf("\n; Process memory map (byte addresses).\n");
	printf(".equ MEM_SIZE, 0x%X\n.equ SYSAREA, 0x%X\n.equ IMAGE_BASE, 0x%X\n.equ STACK_TOP, 0x%X\n",
	       PXVM_MEM_SIZE, PXVM_SYSAREA, PXVM_IMAGE_BASE, PXVM_STACK_TOP);
	printf(".equ SYS_PID_ADDR, 0x%X\n.equ SYS_PPID_ADDR, 0x%X\n.equ SYS_ARGC_ADDR, 0x%X\n.equ SYS_ARGV_ADDR, 0x%X\n",
	       PXVM_SYS_PID, PXVM_SYS_PPID, PXVM_SYS_ARGC, PXVM_SYS_ARGV);
	printf(".equ TRAP_FLAG, 0x%X\n.equ TRAP_ARG0, 0x%X\n.equ TRAP_ARG1, 0x%X\n.equ TRAP_ARG2, 0x%X\n.equ TRAP_RESULT, 0x%X\n",
	       PXVM_TRAP_FLAG, PXVM_TRAP_ARG0, PXVM_TRAP_ARG1, PXVM_TRAP_ARG2, PXVM_TRAP_RESULT);
	printf(".equ STDOUT, 1\n.equ STDERR, 2\n");
	printf(".equ CANVAS_W, %u\n.equ CANVAS_H, %u\n", PXVM_TILE_W, PXVM_TILE_H);
	return 0;
}
