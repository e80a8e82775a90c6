/*
 * vfs.h — files for pxVM processes: the PixelFS ramdisk, read-only, and two
 * writable trees in RAM, /home and /tmp, each with a quota.
 *
 * The namespace (docs/pxvm-abi.md "Files" is the prose, docs/isolation.md
 * what a guest can and cannot do with it):
 *   - Paths are absolute PixelFS paths ("/apps/ls"), or relative ones
 *     ("notes.txt", "src/a.pxs"), which resolve in /home. No "." or ".."
 *     components (pxfs_check_path's rules).
 *   - /home and /tmp are the writable trees. Their files live in RAM only
 *     (until power-off; kernel/persist.c mirrors /home to the host bridge
 *     through vfs_watch) and are counted
 *     against the tree's quota: VFS_HOME_FILES / VFS_HOME_BYTES and
 *     VFS_TMP_FILES / VFS_TMP_BYTES (kernel/param.h), whose file counts add
 *     up to the RAM file table, so a full tree never keeps the other from
 *     working and the table itself can never fill. Directories there are
 *     implicit: the prefixes of file paths (creating /home/src/a makes
 *     /home/src, removing its last file removes it); /home and /tmp always
 *     exist.
 *   - Everything else is the PixelFS image's (/boot, /apps, ...) and is
 *     read-only: opening for writing, creating, truncating, unlinking and
 *     renaming there fail with -PXE_EROFS. Files the image has under /home
 *     or /tmp (the build puts none there; pxsim --add can) are copied into
 *     RAM files at vfs_init, within the quotas, as if written since boot.
 * Each process has NOFILE descriptors, numbered from PXVM_FD_FIRST (3); 0, 1
 * and 2 are the console (pxvm/syscall.c, pxvm/tty.c). Descriptors point at
 * shared open files (offset, mode), which FORK shares between parent and
 * child. A RAM file unlinked (or replaced by RENAME) while open stays
 * readable and writable through its open descriptors, and counted in its
 * tree's quota, until the last one closes (POSIX semantics).
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
	bool in_ram;          /* a file of /home or /tmp */
};

/* vfs_init: forget every RAM file and open file; `fs` is the mounted PixelFS
 * (NULL: none); its files under /home and /tmp become RAM files (one left
 * out, with a warning, when it does not fit a file or the quotas). Registers
 * vfs_proc_gone as a teardown hook (pxvm/proc.h). */
void vfs_init(const struct pxfs *fs);

/* vfs_fs: the PixelFS given to vfs_init. */
const struct pxfs *vfs_fs(void);

/* vfs_resolve: the absolute path `path` names: itself when it starts with
 * '/', else "/home/" + path. Writes it into out (PXFS_PATH_MAX bytes).
 * Returns 0, -PXE_EINVAL (empty, or not a valid path: pxfs_check_path; "/"
 * is valid) or -PXE_ENAMETOOLONG (PXFS_PATH_MAX bytes or more resolved). */
int vfs_resolve(const char *path, char *out);

/* vfs_lookup: what `path` (absolute or relative) names now. Returns 0 and
 * *out, or -PXE_ENOENT (also for an invalid path). */
int vfs_lookup(const char *path, struct vfs_file *out);

/* vfs_open: FS_OPEN of `path` with PXVM_O_* `flags` for `p`. Returns the fd
 * (>= PXVM_FD_FIRST) or -PXE_E*: INVAL (bad path or flags), NAMETOOLONG,
 * ROFS (O_WRITE outside /home and /tmp), NOENT, ISDIR, EXIST (a file stands
 * where a directory of the path would be), MFILE (all NOFILE fds in use),
 * DQUOT (a new file beyond the tree's file quota), NOMEM. */
int vfs_open(struct proc *p, const char *path, uint32_t flags);

/* vfs_close: FS_CLOSE. Returns 0 or -PXE_EBADF. */
int vfs_close(struct proc *p, uint32_t fd);

/* vfs_read: read up to `len` bytes (at most WRITE_MAX at once) from file fd
 * `fd` at its offset into guest address `buf`. Returns the count (0 at the
 * end) or -PXE_EBADF / -PXE_EFAULT (buf..buf+len outside memory). */
int vfs_read(struct proc *p, uint32_t fd, uint32_t buf, uint32_t len);

/* vfs_write: write `len` bytes (at most WRITE_MAX, else -PXE_EINVAL) from
 * guest address `buf` to file fd `fd` opened for writing, at its offset (the
 * end with O_APPEND). Returns the count written, fewer when the file reaches
 * VFS_FILE_MAX or the tree its byte quota, or -PXE_E*: BADF (not open, or
 * read-only), FAULT, INVAL, NOSPC (no byte fits: the file is VFS_FILE_MAX
 * bytes), DQUOT (no byte fits: the tree's byte quota is used up). */
int vfs_write(struct proc *p, uint32_t fd, uint32_t buf, uint32_t len);

/* vfs_stat: out = { size, type (PXVM_FT_*), flags (PXVM_ST_F_*) } of `path`.
 * A RAM file is FT_PROGRAM when it starts with the .pxe magic, else FT_DATA
 * (a file seeded from the image: FT_TEXT when the image said so).
 * Returns 0, -PXE_EINVAL (bad path), -PXE_ENAMETOOLONG or -PXE_ENOENT. */
int vfs_stat(const char *path, uint32_t out[3]);

/* vfs_readdir: the name (not the path) of entry `index` of directory `dir`
 * ("/", "/apps", "src" = /home/src; a trailing '/' is ignored): for a
 * PixelFS directory its entries in image order; for "/" those, then "home"
 * and "tmp"; in /home and /tmp the RAM files' names, each once. Writes it
 * NUL-terminated into `name` (`cap` bytes) and returns its length, or
 * -PXE_ERANGE past the last entry (or no such directory), -PXE_ENAMETOOLONG
 * when cap is too small, -PXE_EINVAL for a bad path. */
int vfs_readdir(const char *dir, uint32_t index, char *name, uint32_t cap);

/* vfs_create: FS_CREATE: make `path` an empty RAM file (new, or truncating an
 * existing one). Returns 0 or an error as vfs_open's ("/": -PXE_EINVAL). */
int vfs_create(const char *path);

/* vfs_unlink: UNLINK: remove file `path` from its tree; its bytes and its
 * place in the quota are freed at once, or when its last open descriptor
 * closes. Returns 0 or -PXE_E*: INVAL, NAMETOOLONG, ROFS (outside /home and
 * /tmp), NOENT, ISDIR (a directory: they go with their last file). */
int vfs_unlink(const char *path);

/* vfs_rename: RENAME: file `from` is called `to` from now on, in one step (no
 * moment where neither or both names exist); a file already called `to` is
 * replaced (unlinked as by vfs_unlink). Open descriptors of `from` follow
 * it. Both must be in the same tree. Returns 0 (also for from == to) or
 * -PXE_E*: INVAL, NAMETOOLONG, ROFS (either outside /home and /tmp), XDEV
 * (one in /home, the other in /tmp), NOENT (no file `from`), ISDIR (`from`
 * or `to` is a directory), EXIST (a file stands where a directory of `to`
 * would be). Nothing changes on error. */
int vfs_rename(const char *from, const char *to);

/* vfs_usage: the quota of the writable tree holding `path`: out = { files,
 * files allowed, bytes, bytes allowed } (files unlinked while open count).
 * Returns 0, -PXE_EINVAL, -PXE_ENAMETOOLONG or -PXE_EROFS (a read-only tree:
 * nothing can be written there, so it has no quota). */
int vfs_usage(const char *path, uint32_t out[4]);

/* vfs_watch: `fn` is called with the absolute path of every file of /home
 * that is created, opened for writing, written, truncated, removed or
 * renamed (both names), after the change; NULL: nobody. The kernel's
 * persistence (kernel/persist.c) mirrors /home to the host bridge with it. */
void vfs_watch(void (*fn)(const char *path));

/* vfs_home_file: entry `index` (0 .. VFS_RAM_FILES - 1) of the RAM file table
 * when it is a file of /home: *path = its absolute path, *out = its contents
 * (valid until the next change of the file). Returns 0, -PXE_ENOENT (an
 * unused entry, a file of /tmp, or one unlinked while open) or -PXE_ERANGE
 * past the table. */
int vfs_home_file(uint32_t index, const char **path, struct vfs_file *out);

/* vfs_put_new: make `path` (absolute or relative, in /home or /tmp) a new RAM
 * file holding the `size` bytes at `data`, within the tree's quotas. A file
 * already there is left as it is. Returns 0 or -PXE_E*: EXIST (a file is
 * there), ISDIR, INVAL, NAMETOOLONG, ROFS, NOSPC (over VFS_FILE_MAX), DQUOT,
 * NOMEM. The kernel's persistence puts restored files with it. */
int vfs_put_new(const char *path, const void *data, uint32_t size);

/* vfs_append: append `n` bytes at `data` to the RAM file `path` (absolute,
 * or relative to /home): the kernel writing for a process (the hypervisor's
 * LLM_CHAT reply). Returns the bytes appended, fewer when the file reaches
 * VFS_FILE_MAX or its tree its byte quota, or -PXE_ENOENT (no such RAM
 * file: removed meanwhile), -PXE_EINVAL / -PXE_ENAMETOOLONG (bad path). */
int vfs_append(const char *path, const void *data, uint32_t n);

/* vfs_fork: `child` gets `parent`'s descriptors, sharing their open files. */
void vfs_fork(const struct proc *parent, struct proc *child);

/* vfs_ram_files: how many RAM files exist (unlinked ones still open too):
 * each holds one pxhost_mem_alloc block. */
uint32_t vfs_ram_files(void);

struct snapw;
struct snapr;
/* vfs_snap_save: the RAM files (path, type, tree, unlinked, bytes) and the
 * open files (RAM file index or PixelFS path with its size and CRC-32,
 * offset, flags) as section VFS v2 (docs/snapshots.md). Loading replaces
 * the RAM files this boot seeded: the snapshot's /home and /tmp win. */
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
