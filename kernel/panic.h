/*
 * panic.h — stopping the kernel when one of its own invariants breaks.
 *
 * panic() prints "PANIC: <message>", the registers at the call, and a
 * symbolised frame-pointer backtrace (symbols from the ELF .symtab the loader
 * passes in the boot info) to serial and to the screen (in red), then halts the
 * CPU so the report stays visible; with the boot option `panic=exit` under QEMU
 * it ends QEMU with PXOS_EXIT_PANIC instead.
 * Guests never cause a panic: their faults stop only the guest.
 * Convention, as in xv6: panic("func: reason").
 */
#ifndef PXOS_PANIC_H
#define PXOS_PANIC_H

#include <stdint.h>

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* panic_symbolize: name of the function containing kernel address `addr` and the
 * offset into it; returns NULL when unknown. */
const char *panic_symbolize(uint64_t addr, uint64_t *offset);

/* panic_backtrace: print up to `max` frames starting from frame pointer `rbp`. */
void panic_backtrace(uint64_t rbp, int max);

/* panic_set_symbols: install the symbol table from the boot info (addresses are
 * identity-mapped physical addresses of the .symtab and .strtab copies). */
void panic_set_symbols(const void *symtab, uint64_t symtab_size, const char *strtab, uint64_t strtab_size);

/* panic_print_control_regs: print CR0, CR2, CR3 and CR4 on one line. */
void panic_print_control_regs(void);

#endif /* PXOS_PANIC_H */
