/*
 * monitor.h — the debug monitor on the serial console ("pxmon> ").
 * Commands: help, ps, regions, fs, mem, run, fault, panic, exit, reset
 * (docs/architecture.md lists them). It is where the kernel sits once the
 * programs it started have all ended.
 */
#ifndef PXOS_MONITOR_H
#define PXOS_MONITOR_H

#include "pxvm/pixelfs.h"

/* monitor_run: serve monitor commands from the serial port forever. Without a
 * UART there is nobody to talk to: the CPU halts (the screen keeps its state). */
void monitor_run(const struct pxfs *fs) __attribute__((noreturn));

/* monitor_execute: run one command line (for tests and for monitor_run). */
void monitor_execute(char *line);

#endif /* PXOS_MONITOR_H */
