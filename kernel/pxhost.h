/*
 * pxhost.h — what the kernel's side of pxvm/host.h (kernel/pxhost.c) offers
 * the rest of the kernel besides that interface.
 */
#ifndef PXOS_PXHOST_H
#define PXOS_PXHOST_H

#include <stdbool.h>

/* pxhost_poll_report: the longest time each part of pxhost_poll took (input,
 * the bridge, the console, resumed output, the screen's tables), with
 * kprintf; `reset` forgets them (monitor `latency`). */
void pxhost_poll_report(bool reset);

#endif /* PXOS_PXHOST_H */
