/*
 * snapshot.h — the monitor's `snapshot` command (docs/snapshots.md).
 */
#ifndef PXOS_SNAPSHOT_H
#define PXOS_SNAPSHOT_H

/* snapshot_monitor_cmd: `snapshot`: take the machine's state now (the monitor
 * is open: between two quanta), make the snapshot PNG (the screen as RGB, the
 * state in its pxSt chunk) and send it to the host bridge with progress; the
 * result (bytes, time, CRC-32, or why nothing was sent) on the console. */
void snapshot_monitor_cmd(int argc, char **argv);

/* snapshot_monitor_line: the monitor's line `line` (NUL-terminated) is about
 * to be ended by the Enter just typed, before anything is echoed or printed:
 * when it is the `snapshot` command, the picture is taken now (the screen as
 * it shows the command, cursor and all), and that command's snapshot holds
 * it; so the picture is the screen at a moment a screendump can see too
 * (tests/qemu/test_snapshot.py compares them whole). */
void snapshot_monitor_line(const char *line);

#include <stdint.h>

/* snapshot_request: the SNAPSHOT system call's platform side (pxhost_snapshot):
 * take a snapshot for process `pid` at the next poll (between quanta) and
 * send it in the background. 0, -PXE_ENOBRIDGE (no host bridge), or
 * -PXE_EBUSY (one is asked for or being sent). */
int snapshot_request(uint32_t pid);

/* snapshot_poll: from pxhost_poll, between quanta: take the snapshot asked
 * for, if any, and start sending it. */
void snapshot_poll(void);
#include "boot/bootinfo.h"
#include "pxvm/pixelfs.h"

/* snapshot_resume: go on from the snapshot the loader loaded for boot.cfg's
 * `resume =` (bi->resume), if any: every check of docs/snapshots.md, then
 * the process core replaced by its state (sched_init with `fs` and `nslots`
 * included; deadlines rebased to this boot's clock, LLM calls in flight
 * failed, the slots kept or assigned anew). Returns 1 when it resumed; 0
 * when there is none or it was refused (logged with the reason: the caller
 * boots normally, starting init). */
int snapshot_resume(const struct pxos_bootinfo *bi, const struct pxfs *fs, uint32_t nslots);

#endif /* PXOS_SNAPSHOT_H */
