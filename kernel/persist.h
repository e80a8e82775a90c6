/*
 * persist.h — files of /home that persist through the host bridge
 * (docs/bridge-protocol.md "Files", docs/shell.md "Files that persist").
 *
 * pxbridge keeps a directory that mirrors /home. Every change of a file of
 * /home (pxvm/vfs.h vfs_watch) marks /home as changed; between quanta
 * (bridge_poll) the kernel compares each file with what it last sent
 * (size and CRC-32) and sends what differs, one frame at a time (FILE, then
 * FILE_DATA parts, then FILE_END with nothing but the frame's own checks;
 * the bridge checks the whole file's size and CRC before it replaces its
 * copy), and FILE_GONE for files removed. At every new bridge session (boot,
 * or pxbridge restarted) it asks for the bridge's copy (RESTORE): the files
 * come back in the background, each checked against its CRC, and go into
 * /home unless a file of that name was written since boot (the newer one
 * wins). Without a bridge nothing leaves RAM, and the first change of /home
 * says so once in the log.
 */
#ifndef PXOS_PERSIST_H
#define PXOS_PERSIST_H

/* persist_init: watch /home (vfs_watch) and register with the bridge
 * (bridge_files_register). Call after sched_init (the files exist) and
 * before bridge_init (whose handshake starts the restore). */
void persist_init(void);

#endif /* PXOS_PERSIST_H */
