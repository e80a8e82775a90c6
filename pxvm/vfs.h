/*
 * vfs.h — files for pxVM processes: PixelFS from the ramdisk, read-only, with
 * every write and every new file kept in RAM.
 *
 * A path names a RAM file if one exists (created, or copied from PixelFS when
 * first opened for writing or truncated), else the PixelFS file. RAM files
 * live until power-off: nothing is ever written back to the ramdisk. At most
 * VFS_RAM_FILES RAM files of at most VFS_FILE_MAX bytes each (kernel/param.h).
 * Each process has NOFILE descriptors, numbered from PXVM_FD_FIRST (3); 0, 1
 * and 2 are the console (pxvm/syscall.c, pxvm/tty.c). Descriptors point at
 * shared open files (offset, mode), which FORK shares between parent and
 * child. docs/pxvm-abi.md is the prose.
 */
#ifndef PXVM_VFS_H
#define PXVM_VFS_H

#include <stdint.h>
#include <stdbool.h>
#include "pixelfs.h"

struct proc;

/* A file or directory as vfs_lookup finds it. */
struct vfs_file {
	const uint8_t *data;  /* contents (NULL for a directory) */
	uint32_t size;        /* bytes */
	uint32_t type;        /* PXVM_FT_*: 0 directory, else enum pxfs_type */
	bool in_ram;          /* created or written since boot */
};

/* vfs_init: forget every RAM file and open file; `fs` is the mounted PixelFS
 * (NULL: none). Registers vfs_proc_gone as a teardown hook (pxvm/proc.h). */
void vfs_init(const struct pxfs *fs);

/* vfs_fs: the PixelFS given to vfs_init. */
const struct pxfs *vfs_fs(void);

/* vfs_lookup: what `path` names now. Returns 0 and *out, or -PXE_ENOENT. */
int vfs_lookup(const char *path, struct vfs_file *out);

/* vfs_open: FS_OPEN of `path` with PXVM_O_* `flags` for `p`. Returns the fd
 * (>= PXVM_FD_FIRST) or -PXE_E*: INVAL (bad path or flags), NOENT, ISDIR,
 * EXIST (a file stands where a directory of the path would be), MFILE (all
 * NOFILE fds in use), NOSPC (RAM file table full, or a PixelFS file larger
 * than VFS_FILE_MAX opened for writing), NOMEM. */
int vfs_open(struct proc *p, const char *path, uint32_t flags);

/* vfs_close: FS_CLOSE. Returns 0 or -PXE_EBADF. */
int vfs_close(struct proc *p, uint32_t fd);

/* vfs_read: read up to `len` bytes (at most WRITE_MAX at once) from file fd
 * `fd` at its offset into guest address `buf`. Returns the count (0 at the
 * end) or -PXE_EBADF / -PXE_EFAULT (buf..buf+len outside memory). */
int vfs_read(struct proc *p, uint32_t fd, uint32_t buf, uint32_t len);

/* vfs_write: write `len` bytes (at most WRITE_MAX, else -PXE_EINVAL) from
 * guest address `buf` to file fd `fd` opened for writing, at its offset (the
 * end with O_APPEND). Returns the count written, fewer at VFS_FILE_MAX, or
 * -PXE_E*: BADF (not open, or read-only), FAULT, INVAL, NOSPC (no byte fits). */
int vfs_write(struct proc *p, uint32_t fd, uint32_t buf, uint32_t len);

/* vfs_stat: out = { size, type (PXVM_FT_*), flags (PXVM_ST_F_*) } of `path`.
 * Returns 0, -PXE_EINVAL (bad path) or -PXE_ENOENT. */
int vfs_stat(const char *path, uint32_t out[3]);

/* vfs_readdir: the name (not the path) of entry `index` of directory `dir`
 * ("/", "/apps"; a trailing '/' is ignored): PixelFS entries first, in image
 * order, then the names only RAM files add. Writes it NUL-terminated into
 * `name` (`cap` bytes) and returns its length, or -PXE_ERANGE past the last
 * entry, -PXE_ENAMETOOLONG when cap is too small. */
int vfs_readdir(const char *dir, uint32_t index, char *name, uint32_t cap);

/* vfs_create: FS_CREATE: make `path` an empty RAM file (new, or truncating an
 * existing one). Returns 0 or an error as vfs_open's. */
int vfs_create(const char *path);

/* vfs_fork: `child` gets `parent`'s descriptors, sharing their open files. */
void vfs_fork(const struct proc *parent, struct proc *child);

/* vfs_ram_files: how many RAM files exist. */
uint32_t vfs_ram_files(void);

struct snapw;
struct snapr;
/* vfs_snap_save: the RAM files (path, type, bytes) and the open files (RAM
 * file index or PixelFS path with its size and CRC-32, offset, flags) as
 * section VFS v1 (docs/snapshots.md). */
void vfs_snap_save(struct snapw *w);
/* vfs_snap_load: read section VFS v1; `apply` false: only check it, true: load
 * it into a vfs just reset by vfs_init. A PixelFS file that this machine's
 * PixelFS lacks or holds with other bytes is left closed (logged). Returns 0,
 * -PXE_EINVAL (malformed) or -PXE_ENOMEM. */
int vfs_snap_load(struct snapr *r, bool apply);
/* vfs_snap_settle: after the processes are loaded: each open file's count of
 * descriptors is counted again from the process table, and descriptors that
 * point to no open file are closed. */
void vfs_snap_settle(void);

#endif /* PXVM_VFS_H */
