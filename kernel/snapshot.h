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

#endif /* PXOS_SNAPSHOT_H */
