/*
 * test_vfs.c — the file namespace (pxvm/vfs.c) through its own interface:
 * relative paths, the read-only PixelFS, the writable trees /home and /tmp
 * (seeded from the image's files there) and their quotas of files and bytes, UNLINK (also of open files), RENAME
 * (atomic replacement, descriptors that follow, nothing changed on error),
 * implicit directories, and the memory every RAM file holds coming back.
 * test_sched_fs.c drives the same through the system calls.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sched_testhost.h"
#include "pxvm/sched.h"
#include "pxvm/vfs.h"

static const char motd[] = "hello motd\n";
#define BUF 0x8000u /* a scratch buffer in the test process's memory */

/* boot: PixelFS with /bin/idle (sleeps for ever), /apps/ls and /etc/motd,
 * plus `extra` files; returns the idle process. */
static struct proc *boot(const struct th_file *extra, uint32_t nextra)
{
	struct th_file f[8] = {
		{ "/bin/idle", ".include \"pxos.inc\"\n_start:\n IMM32 R1, 3600000\n SYSCALL SYS_SLEEP\n JMP _start\n", 0, 0 },
		{ "/apps/ls", ".include \"pxos.inc\"\n_start:\n HALT\n", 0, 0 },
		{ "/etc/motd", 0, motd, sizeof(motd) - 1 },
	};
	for (uint32_t i = 0; i < nextra; i++)
		f[3 + i] = extra[i];
	th_boot(0, 0, f, 3 + nextra);
	struct proc *p = proc_find((uint32_t)th_spawn("/bin/idle", 0));
	assert_non_null(p);
	return p;
}

/* put: write `s` (its bytes, no NUL) to file fd of p; returns vfs_write's. */
static int put(struct proc *p, int fd, const char *s)
{
	pxvm_write(&p->vm, BUF, s, (uint32_t)strlen(s));
	return vfs_write(p, (uint32_t)fd, BUF, (uint32_t)strlen(s));
}

/* get: read up to 255 bytes from fd into a static string. */
static const char *get(struct proc *p, int fd)
{
	static char out[256];
	int n = vfs_read(p, (uint32_t)fd, BUF, sizeof(out) - 1);
	assert_true(n >= 0);
	memcpy(out, (const uint8_t *)p->vm.mem + BUF, (size_t)n);
	out[n] = 0;
	return out;
}

/* make: create `path` holding `s`. */
static void make(struct proc *p, const char *path, const char *s)
{
	int fd = vfs_open(p, path, PXVM_O_WRITE | PXVM_O_CREATE | PXVM_O_TRUNC);
	assert_true(fd >= PXVM_FD_FIRST);
	assert_int_equal(put(p, fd, s), (int)strlen(s));
	assert_int_equal(vfs_close(p, (uint32_t)fd), 0);
}

/* contents: the bytes file `path` holds now, as a string ("?" when none). */
static const char *contents(const char *path)
{
	static char out[256];
	struct vfs_file f;
	if (vfs_lookup(path, &f) != 0 || f.type == PXVM_FT_DIR || f.size >= sizeof(out))
		return "?";
	memcpy(out, f.data, f.size);
	out[f.size] = 0;
	return out;
}

static void usage(const char *tree, uint32_t files, uint32_t bytes)
{
	uint32_t u[4];
	assert_int_equal(vfs_usage(tree, u), 0);
	if (u[0] != files || u[2] != bytes)
		fail_msg("%s: %u files, %u bytes; want %u, %u", tree, u[0], u[2], files, bytes);
}

static void test_resolve(void **state)
{
	(void)state;
	char out[PXFS_PATH_MAX];
	assert_int_equal(vfs_resolve("notes.txt", out), 0);
	assert_string_equal(out, "/home/notes.txt");
	assert_int_equal(vfs_resolve("src/a.pxs", out), 0);
	assert_string_equal(out, "/home/src/a.pxs");
	assert_int_equal(vfs_resolve("/apps/ls", out), 0);
	assert_string_equal(out, "/apps/ls");
	assert_int_equal(vfs_resolve("/", out), 0);
	assert_int_equal(vfs_resolve("", out), -PXE_EINVAL);
	assert_int_equal(vfs_resolve("../apps/ls", out), -PXE_EINVAL);
	assert_int_equal(vfs_resolve("/home/./x", out), -PXE_EINVAL);
	assert_int_equal(vfs_resolve("a//b", out), -PXE_EINVAL);
	assert_int_equal(vfs_resolve("dir/", out), -PXE_EINVAL);
	assert_int_equal(vfs_resolve("bad\tname", out), -PXE_EINVAL);
	/* The longest relative name fits with "/home/" in front; one more does not. */
	char name[PXFS_PATH_MAX];
	memset(name, 'n', sizeof(name));
	name[PXFS_PATH_MAX - 7] = 0;
	assert_int_equal(vfs_resolve(name, out), 0);
	assert_int_equal(strlen(out), PXFS_PATH_MAX - 1);
	name[PXFS_PATH_MAX - 7] = 'n';
	name[PXFS_PATH_MAX - 6] = 0;
	assert_int_equal(vfs_resolve(name, out), -PXE_ENAMETOOLONG);
}

static void test_pixelfs_is_read_only(void **state)
{
	(void)state;
	struct proc *p = boot(0, 0);
	const char *ro[] = { "/apps/ls", "/etc/motd", "/apps/new", "/boot/init", "/apps", "/x" };
	for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
		assert_int_equal(vfs_open(p, ro[i], PXVM_O_WRITE), -PXE_EROFS);
		assert_int_equal(vfs_open(p, ro[i], PXVM_O_WRITE | PXVM_O_CREATE | PXVM_O_TRUNC), -PXE_EROFS);
		assert_int_equal(vfs_open(p, ro[i], PXVM_O_WRITE | PXVM_O_APPEND), -PXE_EROFS);
		assert_int_equal(vfs_create(ro[i]), -PXE_EROFS);
		assert_int_equal(vfs_unlink(ro[i]), -PXE_EROFS);
		assert_int_equal(vfs_rename(ro[i], "/tmp/x"), -PXE_EROFS);
		assert_int_equal(vfs_rename("/tmp/x", ro[i]), -PXE_EROFS);
		uint32_t u[4];
		assert_int_equal(vfs_usage(ro[i], u), -PXE_EROFS);
	}
	/* A program that would replace /apps/ls: written elsewhere, it cannot be
	 * renamed over it either. */
	make(p, "/tmp/ls", "evil");
	assert_int_equal(vfs_rename("/tmp/ls", "/apps/ls"), -PXE_EROFS);
	struct vfs_file f;
	assert_int_equal(vfs_lookup("/apps/ls", &f), 0);
	assert_int_equal(f.type, PXVM_FT_PROGRAM);
	assert_false(f.in_ram);
	/* Reading works; a read-only descriptor cannot write. */
	int fd = vfs_open(p, "/etc/motd", 0);
	assert_int_equal(fd, PXVM_FD_FIRST);
	assert_int_equal(put(p, fd, "x"), -PXE_EBADF);
	assert_string_equal(get(p, fd), motd);
	assert_int_equal(vfs_ram_files(), 1);
}

static void test_trees_and_seeded_files(void **state)
{
	(void)state;
	/* Files the image has under /home and /tmp become RAM files at boot,
	 * within the quotas; one that does not fit is left out, with a warning. */
	static char big[VFS_FILE_MAX + 1];
	const struct th_file extra[] = {
		{ "/home/preset", 0, "from the image", 14 },
		{ "/tmp/old/x", 0, "stale", 5 },
		{ "/tmp/huge", 0, big, sizeof(big) },
	};
	struct proc *p = boot(extra, 3);
	assert_int_equal(th_warnings, 1); /* /tmp/huge */
	assert_string_equal(contents("preset"), "from the image");
	assert_string_equal(contents("/tmp/old/x"), "stale");
	assert_string_equal(contents("/tmp/huge"), "?");
	usage("/home", 1, 14);
	usage("/tmp", 1, 5);
	uint32_t st[3];
	assert_int_equal(vfs_stat("/home/preset", st), 0);
	assert_int_equal(st[2], PXVM_ST_F_RAM);
	/* They are ordinary files of their tree: written, removed. */
	make(p, "preset", "mine");
	assert_string_equal(contents("/home/preset"), "mine");
	assert_int_equal(vfs_unlink("/tmp/old/x"), 0);
	assert_int_equal(vfs_stat("/tmp/old", st), -PXE_ENOENT);
	usage("/tmp", 0, 0);
	/* The trees always exist. "/" lists PixelFS's directories, then home
	 * and tmp once each (the image's own home and tmp entries are not
	 * listed twice). */
	struct vfs_file f;
	assert_int_equal(vfs_lookup("/home", &f), 0);
	assert_int_equal(f.type, PXVM_FT_DIR);
	assert_int_equal(vfs_lookup("/tmp", &f), 0);
	assert_int_equal(f.type, PXVM_FT_DIR);
	char name[32];
	const char *want[] = { "bin", "apps", "etc", "home", "tmp" };
	for (uint32_t i = 0; i < 5; i++) {
		assert_int_equal(vfs_readdir("/", i, name, sizeof(name)), (int)strlen(want[i]));
		assert_string_equal(name, want[i]);
	}
	assert_int_equal(vfs_readdir("/", 5, name, sizeof(name)), -PXE_ERANGE);
	assert_int_equal(vfs_readdir("/tmp/", 0, name, sizeof(name)), -PXE_ERANGE);
	assert_int_equal(vfs_readdir("", 0, name, sizeof(name)), -PXE_EINVAL);
	assert_int_equal(vfs_readdir("/home", 0, name, sizeof(name)), 6);
	assert_string_equal(name, "preset");
	assert_int_equal(vfs_readdir("/home", 1, name, sizeof(name)), -PXE_ERANGE);
	/* A boot without them: the trees are there, empty. */
	boot(0, 0);
	assert_int_equal(th_warnings, 0);
	assert_int_equal(vfs_readdir("/home", 0, name, sizeof(name)), -PXE_ERANGE);
	assert_int_equal(vfs_stat("/home", st), 0);
	assert_int_equal(st[1], PXVM_FT_DIR);
}

static void test_implicit_directories(void **state)
{
	(void)state;
	struct proc *p = boot(0, 0);
	make(p, "src/a.pxs", "a");
	make(p, "/home/src/b.pxs", "b");
	make(p, "top", "t");
	char name[32];
	assert_int_equal(vfs_readdir("/home", 0, name, sizeof(name)), 3);
	assert_string_equal(name, "src");
	assert_int_equal(vfs_readdir("/home", 1, name, sizeof(name)), 3);
	assert_string_equal(name, "top");
	assert_int_equal(vfs_readdir("/home", 2, name, sizeof(name)), -PXE_ERANGE);
	assert_int_equal(vfs_readdir("src", 1, name, sizeof(name)), 5); /* relative */
	assert_string_equal(name, "b.pxs");
	uint32_t st[3];
	assert_int_equal(vfs_stat("src", st), 0);
	assert_int_equal(st[1], PXVM_FT_DIR);
	/* A directory is no file: it cannot be opened, created, unlinked or
	 * renamed, nor replaced by a rename; nor can a file hold a directory. */
	assert_int_equal(vfs_open(p, "src", 0), -PXE_EISDIR);
	assert_int_equal(vfs_open(p, "src", PXVM_O_WRITE), -PXE_EISDIR);
	assert_int_equal(vfs_create("src"), -PXE_EISDIR);
	assert_int_equal(vfs_unlink("src"), -PXE_EISDIR);
	assert_int_equal(vfs_unlink("/home"), -PXE_EISDIR);
	assert_int_equal(vfs_rename("src", "src2"), -PXE_EISDIR);
	assert_int_equal(vfs_rename("top", "src"), -PXE_EISDIR);
	assert_int_equal(vfs_rename("top", "/home"), -PXE_EISDIR);
	assert_int_equal(vfs_create("top/x"), -PXE_EEXIST);
	assert_int_equal(vfs_rename("src/a.pxs", "top/a.pxs"), -PXE_EEXIST);
	assert_int_equal(vfs_rename("top", "top/x"), -PXE_EEXIST);
	assert_string_equal(contents("top"), "t");
	/* Moving a file into a new directory makes it; the last file out of a
	 * directory takes it away. */
	assert_int_equal(vfs_rename("top", "new/dir/top"), 0);
	assert_int_equal(vfs_stat("new/dir", st), 0);
	assert_int_equal(vfs_unlink("src/a.pxs"), 0);
	assert_int_equal(vfs_unlink("/home/src/b.pxs"), 0);
	assert_int_equal(vfs_stat("src", st), -PXE_ENOENT);
	assert_int_equal(vfs_readdir("/home", 0, name, sizeof(name)), 3);
	assert_string_equal(name, "new");
	assert_int_equal(vfs_readdir("/home", 1, name, sizeof(name)), -PXE_ERANGE);
	assert_int_equal(vfs_rename("new/dir/top", "top"), 0);
	assert_int_equal(vfs_stat("new", st), -PXE_ENOENT);
	assert_int_equal(vfs_stat("/home", st), 0); /* the trees always exist */
	assert_int_equal(st[1], PXVM_FT_DIR);
}

static void test_file_quota(void **state)
{
	(void)state;
	struct proc *p = boot(0, 0);
	long blocks = th_live_allocs;
	char path[32];
	for (uint32_t i = 0; i < VFS_TMP_FILES; i++) {
		snprintf(path, sizeof(path), "/tmp/f%u", i);
		assert_int_equal(vfs_create(path), 0);
	}
	usage("/tmp", VFS_TMP_FILES, 0);
	/* Full: no new file in /tmp, whichever way... */
	assert_int_equal(vfs_create("/tmp/more"), -PXE_EDQUOT);
	assert_int_equal(vfs_open(p, "/tmp/more", PXVM_O_WRITE | PXVM_O_CREATE), -PXE_EDQUOT);
	assert_int_equal(vfs_rename("/tmp/f0", "/tmp/f1"), 0); /* replacing frees one */
	assert_int_equal(vfs_create("/tmp/more"), 0);
	assert_int_equal(vfs_create("/tmp/more2"), -PXE_EDQUOT);
	/* ... but the files there can still be opened, written and truncated,
	 * and /home is not touched by /tmp's quota. */
	int fd = vfs_open(p, "/tmp/f3", PXVM_O_WRITE | PXVM_O_TRUNC);
	assert_true(fd >= PXVM_FD_FIRST);
	assert_int_equal(put(p, fd, "still"), 5);
	assert_int_equal(vfs_close(p, (uint32_t)fd), 0);
	for (uint32_t i = 0; i < VFS_HOME_FILES; i++) {
		snprintf(path, sizeof(path), "h%u", i);
		assert_int_equal(vfs_create(path), 0);
	}
	assert_int_equal(vfs_create("one-more"), -PXE_EDQUOT);
	usage("/home/anything", VFS_HOME_FILES, 0);
	/* The whole RAM file table is in use and nothing is broken: UNLINK
	 * frees a place at once. */
	assert_int_equal(vfs_ram_files(), VFS_RAM_FILES);
	assert_int_equal(th_live_allocs - blocks, VFS_RAM_FILES);
	assert_int_equal(vfs_unlink("h7"), 0);
	assert_int_equal(vfs_unlink("/tmp/f9"), 0);
	assert_int_equal(th_live_allocs - blocks, VFS_RAM_FILES - 2);
	assert_int_equal(vfs_create("one-more"), 0);
	assert_int_equal(vfs_create("/tmp/more2"), 0);
	usage("/tmp", VFS_TMP_FILES, 5);
}

static void test_byte_quota(void **state)
{
	(void)state;
	struct proc *p = boot(0, 0);
	/* Fill /tmp's bytes with whole files of VFS_FILE_MAX. */
	char path[32];
	int fd = -1;
	uint32_t full = VFS_TMP_BYTES / VFS_FILE_MAX;
	for (uint32_t i = 0; i < full; i++) {
		snprintf(path, sizeof(path), "/tmp/big%u", i);
		fd = vfs_open(p, path, PXVM_O_WRITE | PXVM_O_CREATE);
		assert_true(fd >= PXVM_FD_FIRST);
		for (uint32_t k = 0; k < VFS_FILE_MAX / WRITE_MAX; k++)
			assert_int_equal(vfs_write(p, (uint32_t)fd, 0x1000, WRITE_MAX), WRITE_MAX);
		assert_int_equal(vfs_write(p, (uint32_t)fd, 0x1000, 1), -PXE_ENOSPC); /* the file's limit */
		assert_int_equal(vfs_close(p, (uint32_t)fd), 0);
	}
	usage("/tmp", full, VFS_TMP_BYTES);
	/* A new file can be made, but not one byte written: EDQUOT. */
	fd = vfs_open(p, "/tmp/last", PXVM_O_WRITE | PXVM_O_CREATE);
	assert_true(fd >= PXVM_FD_FIRST);
	assert_int_equal(put(p, fd, "x"), -PXE_EDQUOT);
	assert_int_equal(put(p, fd, ""), 0);
	/* Overwriting inside a file needs no room. */
	int w = vfs_open(p, "/tmp/big0", PXVM_O_WRITE);
	assert_int_equal(put(p, w, "overwrite"), 9);
	assert_int_equal(put(p, w, ""), 0);
	/* Truncating one file makes room; a write across the quota's end is
	 * cut to what fits. */
	int t = vfs_open(p, "/tmp/big1", PXVM_O_WRITE | PXVM_O_TRUNC);
	assert_true(t >= PXVM_FD_FIRST);
	assert_int_equal(vfs_close(p, (uint32_t)t), 0);
	usage("/tmp", full + 1, VFS_TMP_BYTES - VFS_FILE_MAX);
	for (uint32_t k = 0; k < VFS_FILE_MAX / WRITE_MAX - 1; k++)
		assert_int_equal(vfs_write(p, (uint32_t)fd, 0x1000, WRITE_MAX), WRITE_MAX);
	int o = vfs_open(p, "/tmp/other", PXVM_O_WRITE | PXVM_O_CREATE);
	assert_int_equal(vfs_write(p, (uint32_t)o, 0x1000, 3000), 3000);
	assert_int_equal(vfs_write(p, (uint32_t)o, 0x1000, 3000), WRITE_MAX - 3000);
	assert_int_equal(vfs_write(p, (uint32_t)o, 0x1000, 1), -PXE_EDQUOT);
	assert_int_equal(vfs_write(p, (uint32_t)fd, 0x1000, 1), -PXE_EDQUOT);
	usage("/tmp", full + 2, VFS_TMP_BYTES);
	/* /home's bytes are its own. */
	make(p, "notes", "plenty of room");
	usage("/home", 1, 14);
	/* Unlinking gives the bytes back. */
	assert_int_equal(vfs_unlink("/tmp/big2"), 0);
	usage("/tmp", full + 1, VFS_TMP_BYTES - VFS_FILE_MAX);
	assert_int_equal(vfs_write(p, (uint32_t)o, 0x1000, 1), 1);
	assert_int_equal(put(p, w, "more"), 4); /* overwrite, no growth */
}

static void test_unlink_open_file(void **state)
{
	(void)state;
	struct proc *p = boot(0, 0);
	long blocks = th_live_allocs;
	make(p, "/tmp/log", "first ");
	int r = vfs_open(p, "/tmp/log", 0);
	int w = vfs_open(p, "/tmp/log", PXVM_O_WRITE | PXVM_O_APPEND);
	assert_int_equal(vfs_unlink("/tmp/log"), 0);
	/* Gone from the tree: the name is free for a new file... */
	struct vfs_file f;
	assert_int_equal(vfs_lookup("/tmp/log", &f), -PXE_ENOENT);
	assert_int_equal(vfs_unlink("/tmp/log"), -PXE_ENOENT);
	char name[32];
	assert_int_equal(vfs_readdir("/tmp", 0, name, sizeof(name)), -PXE_ERANGE);
	make(p, "/tmp/log", "new");
	assert_string_equal(contents("/tmp/log"), "new");
	/* ... while the open descriptors still use the old one, which counts
	 * in the quota until the last one closes. */
	assert_int_equal(put(p, w, "second"), 6);
	assert_string_equal(get(p, r), "first second");
	usage("/tmp", 2, 12 + 3);
	assert_int_equal(th_live_allocs - blocks, 2);
	assert_int_equal(vfs_close(p, (uint32_t)w), 0);
	assert_int_equal(th_live_allocs - blocks, 2);
	/* A forked child shares the descriptor: the file lives until both are
	 * gone; a process that ends closes its descriptors. */
	int c = sched_fork(p);
	assert_true(c > 0);
	assert_int_equal(vfs_close(p, (uint32_t)r), 0);
	assert_int_equal(th_live_allocs - blocks - 1 /* the child's memory */, 2);
	assert_int_equal(sched_kill(0, (uint32_t)c), 0);
	assert_int_equal(th_live_allocs - blocks, 1);
	usage("/tmp", 1, 3);
	/* Killing the process that holds an unlinked file frees it. */
	r = vfs_open(p, "/tmp/log", 0);
	assert_int_equal(vfs_unlink("/tmp/log"), 0);
	usage("/tmp", 1, 3);
	assert_int_equal(sched_kill(0, p->pid), 0);
	usage("/tmp", 0, 0);
	assert_int_equal(th_live_allocs, blocks - 1); /* and the process's memory */
}

static void test_rename(void **state)
{
	(void)state;
	struct proc *p = boot(0, 0);
	/* Write a new version under a temporary name, then RENAME it over the
	 * old one: at every moment the name holds one whole version. */
	make(p, "prog.pxe", "old version");
	int reader = vfs_open(p, "prog.pxe", 0);
	make(p, "prog.pxe.tmp", "new version");
	usage("/home", 2, 22);
	assert_int_equal(vfs_rename("prog.pxe.tmp", "prog.pxe"), 0);
	assert_string_equal(contents("/home/prog.pxe"), "new version");
	assert_string_equal(contents("prog.pxe.tmp"), "?");
	assert_string_equal(get(p, reader), "old version"); /* a reader keeps what it opened */
	usage("/home", 2, 22);
	assert_int_equal(vfs_close(p, (uint32_t)reader), 0);
	usage("/home", 1, 11);
	/* Descriptors follow the file to its new name. */
	int w = vfs_open(p, "prog.pxe", PXVM_O_WRITE | PXVM_O_APPEND);
	assert_int_equal(vfs_rename("/home/prog.pxe", "/home/bin/prog"), 0);
	assert_int_equal(put(p, w, "!"), 1);
	assert_string_equal(contents("bin/prog"), "new version!");
	/* Renaming to itself changes nothing. */
	assert_int_equal(vfs_rename("bin/prog", "/home/bin/prog"), 0);
	assert_string_equal(contents("bin/prog"), "new version!");
	/* Between the trees: EXDEV, both sides as they were (copy instead). */
	make(p, "/tmp/t", "tmp file");
	assert_int_equal(vfs_rename("/tmp/t", "bin/prog"), -PXE_EXDEV);
	assert_int_equal(vfs_rename("bin/prog", "/tmp/t"), -PXE_EXDEV);
	assert_int_equal(vfs_rename("bin/prog", "/tmp/new"), -PXE_EXDEV);
	assert_string_equal(contents("/tmp/t"), "tmp file");
	assert_string_equal(contents("bin/prog"), "new version!");
	/* Other failures change nothing either. */
	assert_int_equal(vfs_rename("missing", "bin/prog"), -PXE_ENOENT);
	assert_int_equal(vfs_rename("bin/prog", "bin/prog/x"), -PXE_EEXIST);
	assert_int_equal(vfs_rename("bin/prog", ""), -PXE_EINVAL);
	assert_int_equal(vfs_rename("bin/prog", "../apps/ls"), -PXE_EINVAL);
	assert_int_equal(vfs_rename("bin/prog", "/apps/ls"), -PXE_EROFS);
	assert_string_equal(contents("bin/prog"), "new version!");
	usage("/home", 1, 12);
	usage("/tmp", 1, 8);
}

/* A program written in RAM can be spawned under a relative name. */
static void test_spawn_relative(void **state)
{
	(void)state;
	struct proc *p = boot(0, 0);
	size_t size;
	uint8_t *pxe = th_assemble(".include \"pxos.inc\"\n_start:\n IMM8 R1, 7\n SYSCALL SYS_EXIT\n", &size);
	assert_non_null(pxe);
	int fd = vfs_open(p, "bin/seven", PXVM_O_WRITE | PXVM_O_CREATE);
	pxvm_write(&p->vm, BUF, pxe, (uint32_t)size);
	assert_int_equal(vfs_write(p, (uint32_t)fd, BUF, (uint32_t)size), (int)size);
	int child = sched_spawn("bin/seven", 0, 0);
	assert_true(child > 0);
	assert_string_equal(proc_find((uint32_t)child)->name, "seven");
	th_no_idle = 1;
	sched_run(0);
	uint32_t st;
	assert_int_equal(sched_reaped_status((uint32_t)child, &st), 0);
	assert_int_equal(st, 7);
	assert_int_equal(sched_spawn("bin", 0, 0), -PXE_EISDIR);
	assert_int_equal(sched_spawn("nothing", 0, 0), -PXE_ENOENT);
	free(pxe);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_pixelfs_is_read_only),
		cmocka_unit_test(test_trees_and_seeded_files),
		cmocka_unit_test(test_implicit_directories),
		cmocka_unit_test(test_file_quota),
		cmocka_unit_test(test_byte_quota),
		cmocka_unit_test(test_unlink_open_file),
		cmocka_unit_test(test_rename),
		cmocka_unit_test(test_spawn_relative),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
