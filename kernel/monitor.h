/*
 * monitor.h — the kernel's debug monitor ("pxmon> ").
 *
 * It reads from the keyboard and the serial line alike (kernel/input.h) and
 * writes to both consoles. It is entered when every process has ended
 * (kmain), and at any time with the hot key Ctrl-\ (0x1C), which the
 * scheduler notices between quanta (pxhost_poll): processes stay frozen while
 * it runs and go on after `continue`. A process that reaches one of the
 * monitor's breakpoints (pxvm/debug.h) stops and the monitor opens on its own
 * (monitor_breakpoint_hits). Commands: help, ps, regs, mem, dis, step, break,
 * delete, kill, continue, run, uptime, irq, hwinfo, regions, fs, fault, panic, exit,
 * reset, seed (docs/architecture.md lists them).
 */
#ifndef PXOS_MONITOR_H
#define PXOS_MONITOR_H

#include <stdbool.h>

/* monitor_enter: say `why`, then serve commands until `continue` (or a `run`
 * that started a program); returns to the caller. While waiting for input the
 * CPU halts. A call while the monitor is already active returns at once. */
void monitor_enter(const char *why);

/* monitor_breakpoint_hits: when processes have stopped at breakpoints since
 * the last call, print "pid P hit breakpoint at 0xADDR: <instruction>" for
 * each and enter the monitor (the scheduler's poll calls this between quanta).
 * No effect while the monitor is active. */
void monitor_breakpoint_hits(void);


/* monitor_active: whether the monitor is open (serving commands). */
bool monitor_active(void);

/* monitor_execute: run one command line (for tests and for monitor_enter). */
void monitor_execute(char *line);

#endif /* PXOS_MONITOR_H */
