/*
 * power.h — leaving the machine: QEMU's isa-debug-exit, reset, halt.
 */
#ifndef PXOS_POWER_H
#define PXOS_POWER_H

#include <stdint.h>
#include <stdbool.h>

/* power_init: note whether we run under QEMU (CPUID hypervisor leaf 0x40000000
 * says "TCGTCGTCGTCG" or "KVMKVMKVM"); only then is port 0xF4 written. */
void power_init(void);

/* power_under_qemu: whether power_init recognised QEMU (TCG or KVM). */
bool power_under_qemu(void);

/* power_hypervisor_name: CPUID hypervisor vendor string, "" on bare metal. */
const char *power_hypervisor_name(void);

/* power_exit_qemu: under QEMU with `-device isa-debug-exit,iobase=0xf4`, end the
 * VM with exit status (code << 1) | 1. Returns if not under QEMU or the device
 * is absent. */
void power_exit_qemu(uint8_t code);

/* power_set_panic_exit: whether a panic or CPU exception also ends QEMU (with
 * PXOS_EXIT_PANIC) after printing its report; set by the `panic=exit` boot
 * option. By default the machine halts and keeps the report on screen. */
void power_set_panic_exit(bool on);

/* power_panic_exit: end QEMU with PXOS_EXIT_PANIC if power_set_panic_exit(true). */
void power_panic_exit(void);

/* power_reset: reset the machine (ACPI reset register when the FADT has one,
 * then the 8042 pulse, then a triple fault). Never returns. */
void power_reset(void) __attribute__((noreturn));

#endif /* PXOS_POWER_H */
