/*
 * trap.h — interrupt descriptor table and the C side of every interrupt and
 * exception (Intel SDM vol. 3A ch. 6).
 */
#ifndef PXOS_TRAP_H
#define PXOS_TRAP_H

#include <stdint.h>

/* The frame isr_common builds: general registers as pushed, then the vector and
 * error code, then what the CPU pushed. */
struct trapframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

/* An interrupt handler for vectors 32..255. */
typedef void (*irq_handler_fn)(struct trapframe *tf);

/* trap_register: route vector `vector` (32..255) to `fn`. Returns 0 or -1. */
int trap_register(unsigned vector, irq_handler_fn fn);

/* trap_unexpected: how many interrupts arrived on vectors >= 32 with no
 * handler, and in *last_vector the latest such vector. */
uint64_t trap_unexpected(unsigned *last_vector);

/* trap_dispatch: called by isr_common for every interrupt. CPU exceptions
 * (vectors 0..31) print the vector, its name, the error code, CR2, every
 * register and a backtrace to serial and screen, then stop the machine. */
void trap_dispatch(struct trapframe *tf);

/* trap_exception_name: mnemonic and name of exception `vector`, e.g. "#PF page fault". */
const char *trap_exception_name(unsigned vector);

#endif /* PXOS_TRAP_H */
