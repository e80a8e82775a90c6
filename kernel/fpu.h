/*
 * fpu.h — the x87/SSE unit, for Python guests only (docs/python.md).
 *
 * The kernel proper is built with -mgeneral-regs-only and never touches the
 * FPU or the XMM registers. MicroPython and the code of the pxos module run
 * with SSE on each Python process's own stack, and their state is saved and
 * loaded with FXSAVE/FXRSTOR at every switch (kernel/pyswitch.asm). For that
 * the OS must say it supports FXSAVE and SSE exceptions (Intel SDM vol. 3A
 * §2.5, §13.1.3): CR4.OSFXSR and CR4.OSXMMEXCPT set, CR0.EM clear, CR0.MP
 * set, CR0.TS clear.
 */
#ifndef KERNEL_FPU_H
#define KERNEL_FPU_H

#include <stdbool.h>

/* fpu_init: check CPUID for FXSR and SSE2 (leaf 1 EDX bits 24, 26), set up
 * CR0 and CR4 as above and initialise the unit (FNINIT, MXCSR 0x1F80: every
 * SSE exception masked). Returns false (and changes nothing) on a CPU
 * without them: Python guests are then not offered. */
bool fpu_init(void);

#endif /* KERNEL_FPU_H */
