/*
 * debugcon.h — a test-only output channel: the Bochs/QEMU "debug console"
 * port (QEMU's isa-debugcon, `-debugcon file:LOG`, I/O port 0xE9 by default),
 * where every byte written appears on the host at once. It is how the tests
 * watch a machine that has no serial port at all (keyboard and screen only):
 * the kernel mirrors its console output there when booted with the
 * `debugcon=PORT` option. Real PCs have no such device; the option is ignored
 * unless a read of the port gives 0xE9, as the Bochs and QEMU devices answer
 * (QEMU isa-debugcon's `readback` property, 0xE9 by default at any iobase).
 */
#ifndef PXOS_DEBUGCON_H
#define PXOS_DEBUGCON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DEBUGCON_PORT     0xE9
#define DEBUGCON_READBACK 0xE9

/* debugcon_init: use I/O port `port` (1..0xFFFF) when reading it gives
 * DEBUGCON_READBACK (a debug console answers there). Returns whether it does. */
bool debugcon_init(uint16_t port);

/* debugcon_port: the port in use, or 0 when debugcon_init found no device. */
uint16_t debugcon_port(void);

/* debugcon_write: `n` bytes to the debug console as they are (no newline
 * translation; one OUT per byte, the device never makes the CPU wait). No
 * effect without the device. */
void debugcon_write(const char *s, size_t n);

#endif /* PXOS_DEBUGCON_H */
