/*
 * watchmon.h — the debug monitor's commands for watching execution and
 * imperfect mode (docs/watching.md):
 *
 *   watch                    the processes being watched
 *   watch PID [WHAT...]      toggle watching pid: alone, all of it; else each
 *                            WHAT named: pc, writes, code, log; `all`, `off`
 *   who PID ADDR             which instruction wrote the word at ADDR, and when
 *                            (the newest WATCH_WHO_MAX writes of the log)
 *   imperfect PID [RATE [LO HI]]
 *                            show or set pid's imperfect mode: RATE bit flips
 *                            per million instructions in bytes [LO, HI)
 */
#ifndef PXOS_WATCHMON_H
#define PXOS_WATCHMON_H

/* watchmon_cmd: serve monitor command argv[0] (watch, who or imperfect). */
void watchmon_cmd(int argc, char **argv);

#endif /* PXOS_WATCHMON_H */
