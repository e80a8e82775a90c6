/*
 * test_sched_fs.c — every system call's error paths (bad pointers, lengths,
 * descriptors, paths, flags), and files through the system calls: PixelFS
 * read through descriptors and read-only, files of /home and /tmp in RAM,
 * relative paths, directory listings, limits. test_vfs.c has the quotas,
 * UNLINK and RENAME in detail.
 *
 * A call table drives one generated program: for each entry the program runs
 * the entry's setup instructions, the SYSCALL, and stores R0 at RES + 4 * i;
 * at the end it blocks, and the test compares every stored R0.
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

#define RES 0xD000u
#define E(x) ((uint32_t)-PXE_E##x)

struct call {
	const char *setup; /* instructions before the SYSCALL (must keep R6) */
	const char *sys;   /* SYS_ name, or a number */
	uint32_t want;     /* R0 after it */
};

static const char motd[] = "hello motd\n";

/* Data every generated program carries. */
static char *data_section(void)
{
	static char big[1200], bigargs[400];
	memset(big, 'x', 1100);
	big[1100] = 0;
	for (int i = 0; i < 300; i++)
		bigargs[i] = (i % 3 == 2) ? ' ' : 'y';
	bigargs[300] = 0;
	char *d = malloc(8192);
	snprintf(d, 8192,
	         "s_hello: .string \"/bin/hello\"\n"
	         "s_motd: .string \"/etc/motd\"\n"
	         "s_root: .string \"/\"\n"
	         "s_etc: .string \"/etc\"\n"
	         "s_nope: .string \"/nope\"\n"
	         "s_rel: .string \"relative\"\n"
	         "s_homerel: .string \"/home/relative\"\n"
	         "s_home: .string \"/home\"\n"
	         "s_dots: .string \"/tmp/../apps\"\n"
	         "s_empty: .string \"\"\n"
	         "s_tmp: .string \"/tmp\"\n"
	         "s_tmpa: .string \"/tmp/a\"\n"
	         "s_tmpb: .string \"/tmp/b\"\n"
	         "s_under: .string \"/etc/motd/x\"\n"
	         "s_data: .string \"hello\"\n"
	         "s_long: .string \"/%0120d\"\n"
	         "s_big: .string \"%s\"\n"
	         "s_bigargs: .string \"%s\"\n"
	         ".align 4\nbuf: .zero 512\n",
	         0, big, bigargs);
	return d;
}

/* run_calls: boot with /bin/hello, /etc/motd and the generated /bin/t; run
 * it; return its pid (its results at RES). */
static uint32_t run_calls(const struct call *c, size_t n)
{
	size_t cap = 65536 + n * 256;
	char *src = malloc(cap), *data = data_section();
	size_t len = (size_t)snprintf(src, cap, ".include \"pxos.inc\"\n_start:\n IMM32 R6, 0x%X\n", RES);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(src + len, cap - len, " %s\n SYSCALL %s\n STW R0, [R6 + %zu]\n", c[i].setup,
		                        c[i].sys, 4 * i);
	len += (size_t)snprintf(src + len, cap - len,
	                        "park:\n IMM32 R1, 0xC000\n IMM8 R2, 16\n IMM8 R3, 0\n SYSCALL SYS_IPC_RECV\n JMP park\n%s",
	                        data);
	const struct th_file f[] = {
		{ "/bin/hello", ".include \"pxos.inc\"\n_start:\n HALT\n", 0, 0 },
		{ "/etc/motd", 0, motd, sizeof(motd) - 1 },
		{ "/bin/t", src, 0, 0 },
	};
	th_boot(1280, 800, f, 3);
	int pid = th_spawn("/bin/t", 0);
	th_no_idle = 1;
	sched_run(0);
	struct proc *p = proc_find((uint32_t)pid);
	assert_non_null(p);
	assert_int_equal(p->state, PROC_BLOCKED);
	for (size_t i = 0; i < n; i++) {
		uint32_t got = p->vm.mem[RES / 4 + i];
		if (got != c[i].want) {
			fprintf(stderr, "call %zu (%s after `%s`): R0 = %d, want %d\n", i, c[i].sys, c[i].setup,
			        (int32_t)got, (int32_t)c[i].want);
			fail();
		}
	}
	free(src);
	free(data);
	return (uint32_t)pid;
}

static void test_error_paths_of_every_call(void **state)
{
	(void)state;
	static const struct call calls[] = {
		/* PRINT, TEXT: strings must end inside memory and be short enough */
		{ "IMM32 R1, 0x41414141\n STORE 0xFFFC, R1\n IMM32 R1, 0xFFFC", "SYS_PRINT", E(FAULT) },
		{ "IMM32 R1, 0x10000", "SYS_PRINT", E(FAULT) },
		{ "IMM32 R1, 0xFFFFFFFF", "SYS_PRINT", E(FAULT) },
		{ "IMM32 R1, s_big", "SYS_PRINT", E(INVAL) },
		{ "IMM32 R1, s_data", "SYS_PRINT", 5 },
		{ "IMM8 R1, 0\n IMM8 R2, 0\n IMM32 R3, 0x10000", "SYS_TEXT", E(FAULT) },
		{ "IMM8 R1, 0\n IMM8 R2, 0\n IMM32 R3, s_big", "SYS_TEXT", E(INVAL) },
		/* WRITE */
		{ "IMM8 R1, 1\n IMM32 R2, s_data\n IMM32 R3, 5000", "SYS_WRITE", E(INVAL) },
		{ "IMM8 R1, 1\n IMM32 R2, 0xFFFE\n IMM8 R3, 4", "SYS_WRITE", E(FAULT) },
		{ "IMM8 R1, 1\n IMM32 R2, 0xFFFFFFFF\n IMM8 R3, 2", "SYS_WRITE", E(FAULT) },
		{ "IMM8 R1, 0\n IMM32 R2, s_data\n IMM8 R3, 1", "SYS_WRITE", E(BADF) },
		{ "IMM8 R1, 7\n IMM32 R2, s_data\n IMM8 R3, 1", "SYS_WRITE", E(BADF) },
		{ "IMM32 R1, 0xFFFFFFFF\n IMM32 R2, s_data\n IMM8 R3, 1", "SYS_WRITE", E(BADF) },
		{ "IMM8 R1, 2\n IMM32 R2, s_data\n IMM8 R3, 5", "SYS_WRITE", 5 },
		/* READ */
		{ "IMM8 R1, 1\n IMM32 R2, buf\n IMM8 R3, 4", "SYS_READ", E(BADF) },
		{ "IMM8 R1, 3\n IMM32 R2, buf\n IMM8 R3, 4", "SYS_READ", E(BADF) },
		{ "IMM8 R1, 0\n IMM32 R2, 0xFFFF\n IMM8 R3, 2", "SYS_READ", E(FAULT) },
		{ "IMM8 R1, 0\n IMM32 R2, buf\n IMM8 R3, 0", "SYS_READ", 0 },
		/* LAYER_USE, SLEEP */
		{ "IMM8 R1, 2\n IMM8 R2, 0", "SYS_LAYER_USE", E(INVAL) },
		{ "IMM8 R1, 0\n IMM8 R2, 4", "SYS_LAYER_USE", E(INVAL) },
		{ "IMM32 R1, 3600001", "SYS_SLEEP", E(INVAL) },
		/* IPC */
		{ "IMM8 R1, 99\n IMM32 R2, s_data\n IMM8 R3, 3", "SYS_IPC_SEND", E(SRCH) },
		{ "IMM8 R1, 1\n IMM32 R2, s_data\n IMM32 R3, 257", "SYS_IPC_SEND", E(INVAL) },
		{ "IMM8 R1, 1\n IMM32 R2, 0xFFFF\n IMM8 R3, 4", "SYS_IPC_SEND", E(FAULT) },
		{ "IMM32 R1, buf\n IMM8 R2, 16\n IMM8 R3, 2", "SYS_IPC_RECV", E(INVAL) },
		{ "IMM32 R1, 0xFFFF\n IMM8 R2, 16\n IMM8 R3, 1", "SYS_IPC_RECV", E(FAULT) },
		{ "IMM32 R1, buf\n IMM8 R2, 16\n IMM8 R3, 1", "SYS_IPC_RECV", E(WOULDBLOCK) },
		/* FS_OPEN */
		{ "IMM32 R1, 0x10000\n IMM8 R2, 0", "SYS_FS_OPEN", E(FAULT) },
		{ "IMM32 R1, s_nope\n IMM8 R2, 0", "SYS_FS_OPEN", E(NOENT) },
		{ "IMM32 R1, s_rel\n IMM8 R2, 0", "SYS_FS_OPEN", E(NOENT) }, /* /home/relative */
		{ "IMM32 R1, s_dots\n IMM8 R2, 0", "SYS_FS_OPEN", E(INVAL) },
		{ "IMM32 R1, s_empty\n IMM8 R2, 0", "SYS_FS_OPEN", E(INVAL) },
		{ "IMM32 R1, s_motd\n IMM8 R2, 0x10", "SYS_FS_OPEN", E(INVAL) },
		{ "IMM32 R1, s_motd\n IMM8 R2, O_TRUNC", "SYS_FS_OPEN", E(INVAL) },
		{ "IMM32 R1, s_root\n IMM8 R2, 0", "SYS_FS_OPEN", E(ISDIR) },
		{ "IMM32 R1, s_etc\n IMM8 R2, 0", "SYS_FS_OPEN", E(ISDIR) },
		{ "IMM32 R1, s_long\n IMM8 R2, 0", "SYS_FS_OPEN", E(NAMETOOLONG) },
		{ "IMM32 R1, s_under\n IMM8 R2, O_WRITE | O_CREATE", "SYS_FS_OPEN", E(ROFS) },
		{ "IMM32 R1, s_motd\n IMM8 R2, O_WRITE", "SYS_FS_OPEN", E(ROFS) },
		{ "IMM32 R1, s_motd\n IMM8 R2, O_WRITE | O_TRUNC", "SYS_FS_OPEN", E(ROFS) },
		{ "IMM32 R1, s_etc\n IMM8 R2, O_WRITE", "SYS_FS_OPEN", E(ROFS) },
		{ "IMM32 R1, s_nope\n IMM8 R2, O_WRITE | O_CREATE", "SYS_FS_OPEN", E(ROFS) },
		{ "IMM32 R1, s_tmp\n IMM8 R2, O_WRITE", "SYS_FS_OPEN", E(ISDIR) },
		{ "IMM32 R1, s_tmpa\n IMM8 R2, O_WRITE", "SYS_FS_OPEN", E(NOENT) },
		{ "IMM32 R1, s_motd\n IMM8 R2, 0", "SYS_FS_OPEN", 3 },
		/* descriptor 3 is /etc/motd, read-only */
		{ "IMM8 R1, 3\n IMM32 R2, s_data\n IMM8 R3, 1", "SYS_FS_WRITE", E(BADF) },
		{ "IMM8 R1, 3\n IMM32 R2, 0xFFF0\n IMM8 R3, 0x20", "SYS_FS_READ", E(FAULT) },
		{ "IMM8 R1, 3\n IMM32 R2, buf\n IMM8 R3, 4", "SYS_FS_READ", 4 },
		{ "IMM8 R1, 3\n IMM32 R2, buf\n IMM8 R3, 100", "SYS_READ", 7 },
		{ "IMM8 R1, 3\n IMM32 R2, buf\n IMM8 R3, 100", "SYS_READ", 0 },
		{ "IMM8 R1, 0", "SYS_FS_CLOSE", E(BADF) },
		{ "IMM8 R1, 100", "SYS_FS_CLOSE", E(BADF) },
		{ "IMM8 R1, 3", "SYS_FS_CLOSE", 0 },
		{ "IMM8 R1, 3", "SYS_FS_CLOSE", E(BADF) },
		/* FS_STAT */
		{ "IMM32 R1, s_nope\n IMM32 R2, buf", "SYS_FS_STAT", E(NOENT) },
		{ "IMM32 R1, s_motd\n IMM32 R2, 0xFFFC", "SYS_FS_STAT", E(FAULT) },
		{ "IMM32 R1, s_rel\n IMM32 R2, buf", "SYS_FS_STAT", E(NOENT) },
		{ "IMM32 R1, s_dots\n IMM32 R2, buf", "SYS_FS_STAT", E(INVAL) },
		{ "IMM32 R1, 0xFFFFFFF0\n IMM32 R2, buf", "SYS_FS_STAT", E(FAULT) },
		/* READDIR */
		{ "IMM32 R1, 0x10000\n IMM8 R2, 0\n IMM32 R3, buf\n IMM8 R4, 64", "SYS_READDIR", E(FAULT) },
		{ "IMM32 R1, s_etc\n IMM8 R2, 5\n IMM32 R3, buf\n IMM8 R4, 64", "SYS_READDIR", E(RANGE) },
		{ "IMM32 R1, s_etc\n IMM8 R2, 0\n IMM32 R3, buf\n IMM8 R4, 1", "SYS_READDIR", E(NAMETOOLONG) },
		{ "IMM32 R1, s_etc\n IMM8 R2, 0\n IMM32 R3, 0xFFFE\n IMM8 R4, 64", "SYS_READDIR", E(FAULT) },
		{ "IMM32 R1, s_etc\n IMM8 R2, 0\n IMM32 R3, buf\n IMM8 R4, 64", "SYS_READDIR", 4 },
		{ "IMM32 R1, s_dots\n IMM8 R2, 0\n IMM32 R3, buf\n IMM8 R4, 64", "SYS_READDIR", E(INVAL) },
		{ "IMM32 R1, s_home\n IMM8 R2, 0\n IMM32 R3, buf\n IMM8 R4, 64", "SYS_READDIR", E(RANGE) },
		/* FS_CREATE: only in /home and /tmp */
		{ "IMM32 R1, s_etc", "SYS_FS_CREATE", E(ROFS) },
		{ "IMM32 R1, s_under", "SYS_FS_CREATE", E(ROFS) },
		{ "IMM32 R1, s_motd", "SYS_FS_CREATE", E(ROFS) },
		{ "IMM32 R1, s_hello", "SYS_FS_CREATE", E(ROFS) },
		{ "IMM32 R1, s_tmp", "SYS_FS_CREATE", E(ISDIR) },
		{ "IMM32 R1, s_home", "SYS_FS_CREATE", E(ISDIR) },
		{ "IMM32 R1, s_dots", "SYS_FS_CREATE", E(INVAL) },
		{ "IMM32 R1, s_empty", "SYS_FS_CREATE", E(INVAL) },
		{ "IMM32 R1, s_root", "SYS_FS_CREATE", E(INVAL) },
		{ "IMM32 R1, 0x10000", "SYS_FS_CREATE", E(FAULT) },
		{ "IMM32 R1, s_long", "SYS_FS_CREATE", E(NAMETOOLONG) },
		/* UNLINK: only files of /home and /tmp */
		{ "IMM32 R1, 0x10000", "SYS_UNLINK", E(FAULT) },
		{ "IMM32 R1, s_long", "SYS_UNLINK", E(NAMETOOLONG) },
		{ "IMM32 R1, s_dots", "SYS_UNLINK", E(INVAL) },
		{ "IMM32 R1, s_empty", "SYS_UNLINK", E(INVAL) },
		{ "IMM32 R1, s_root", "SYS_UNLINK", E(INVAL) },
		{ "IMM32 R1, s_motd", "SYS_UNLINK", E(ROFS) },
		{ "IMM32 R1, s_hello", "SYS_UNLINK", E(ROFS) },
		{ "IMM32 R1, s_etc", "SYS_UNLINK", E(ROFS) },
		{ "IMM32 R1, s_tmp", "SYS_UNLINK", E(ISDIR) },
		{ "IMM32 R1, s_tmpa", "SYS_UNLINK", E(NOENT) },
		{ "IMM32 R1, s_rel", "SYS_UNLINK", E(NOENT) },
		/* RENAME */
		{ "IMM32 R1, 0x10000\n IMM32 R2, s_tmpa", "SYS_RENAME", E(FAULT) },
		{ "IMM32 R1, s_tmpa\n IMM32 R2, 0xFFFFFFFF", "SYS_RENAME", E(FAULT) },
		{ "IMM32 R1, s_long\n IMM32 R2, s_tmpa", "SYS_RENAME", E(NAMETOOLONG) },
		{ "IMM32 R1, s_tmpa\n IMM32 R2, s_dots", "SYS_RENAME", E(INVAL) },
		{ "IMM32 R1, s_root\n IMM32 R2, s_tmpa", "SYS_RENAME", E(INVAL) },
		{ "IMM32 R1, s_motd\n IMM32 R2, s_tmpa", "SYS_RENAME", E(ROFS) },
		{ "IMM32 R1, s_tmpa\n IMM32 R2, s_hello", "SYS_RENAME", E(ROFS) },
		{ "IMM32 R1, s_tmpa\n IMM32 R2, s_rel", "SYS_RENAME", E(XDEV) },
		{ "IMM32 R1, s_tmpa\n IMM32 R2, s_tmpb", "SYS_RENAME", E(NOENT) },
		{ "IMM32 R1, s_tmp\n IMM32 R2, s_tmpb", "SYS_RENAME", E(ISDIR) },
		/* FS_USAGE */
		{ "IMM32 R1, 0x10000\n IMM32 R2, buf", "SYS_FS_USAGE", E(FAULT) },
		{ "IMM32 R1, s_tmp\n IMM32 R2, 0xFFF8", "SYS_FS_USAGE", E(FAULT) },
		{ "IMM32 R1, s_dots\n IMM32 R2, buf", "SYS_FS_USAGE", E(INVAL) },
		{ "IMM32 R1, s_motd\n IMM32 R2, buf", "SYS_FS_USAGE", E(ROFS) },
		{ "IMM32 R1, s_root\n IMM32 R2, buf", "SYS_FS_USAGE", E(ROFS) },
		{ "IMM32 R1, s_rel\n IMM32 R2, buf", "SYS_FS_USAGE", 0 },
		/* SPAWN, EXEC, WAIT, KILL, SETFG, PROCINFO */
		{ "IMM32 R1, s_nope\n IMM8 R2, 0", "SYS_SPAWN", E(NOENT) },
		{ "IMM32 R1, s_motd\n IMM8 R2, 0", "SYS_SPAWN", E(NOEXEC) },
		{ "IMM32 R1, s_etc\n IMM8 R2, 0", "SYS_SPAWN", E(ISDIR) },
		{ "IMM32 R1, s_hello\n IMM32 R2, s_bigargs", "SYS_SPAWN", E(NAMETOOLONG) },
		{ "IMM32 R1, 0x10000\n IMM8 R2, 0", "SYS_SPAWN", E(FAULT) },
		{ "IMM32 R1, s_hello\n IMM32 R2, 0x10000", "SYS_SPAWN", E(FAULT) },
		{ "IMM32 R1, s_nope\n IMM8 R2, 0", "SYS_EXEC", E(NOENT) },
		{ "IMM32 R1, s_motd\n IMM8 R2, 0", "SYS_EXEC", E(NOEXEC) },
		{ "IMM32 R1, s_hello\n IMM32 R2, s_bigargs", "SYS_EXEC", E(NAMETOOLONG) },
		{ "IMM8 R1, 0", "SYS_WAIT", E(CHILD) },
		{ "IMM8 R1, 55", "SYS_WAIT", E(CHILD) },
		{ "IMM8 R1, 99", "SYS_KILL", E(SRCH) },
		{ "IMM8 R1, 99", "SYS_SETFG", E(SRCH) },
		{ "IMM32 R1, 1000\n IMM32 R2, buf", "SYS_PROCINFO", E(RANGE) },
		{ "IMM8 R1, 0\n IMM32 R2, 0xFFC0", "SYS_PROCINFO", E(FAULT) },
		/* numbers nobody serves */
		{ "", "0", E(NOSYS) },
		{ "", "13", E(NOSYS) },
		{ "", "54", E(NOSYS) },
		/* KLOG_READ: the log's kept lines (the spawn's line at least) */
		{ "IMM32 R1, 0xFFF8\n IMM8 R2, 16\n IMM8 R3, 0", "SYS_KLOG_READ", E(FAULT) },
		{ "IMM32 R1, buf\n IMM8 R2, 16\n IMM8 R3, 0", "SYS_KLOG_READ", 16 },
		{ "IMM32 R1, buf\n IMM8 R2, 0\n IMM8 R3, 0", "SYS_KLOG_READ", 0 },
		{ "", "63", E(NOSYS) },
		{ "", "0xFFFF", E(NOSYS) },
	};
	uint32_t pid = run_calls(calls, sizeof(calls) / sizeof(calls[0]));
	/* Every failure was counted, and the process is alive and well. */
	struct proc *p = proc_find(pid);
	assert_int_equal(p->faults, 0);
	assert_true(p->sys_errors >= 100);
	assert_int_equal(vfs_ram_files(), 0); /* no failed call left a file behind */
}

static void test_files_in_ram(void **state)
{
	(void)state;
	static const struct call calls[] = {
		{ "IMM32 R1, s_tmpa", "SYS_FS_CREATE", 0 },
		{ "IMM32 R1, s_tmpa\n IMM8 R2, O_WRITE", "SYS_FS_OPEN", 3 },
		{ "IMM8 R1, 3\n IMM32 R2, s_data\n IMM8 R3, 5", "SYS_FS_WRITE", 5 },
		{ "IMM8 R1, 3\n IMM32 R2, s_data\n IMM8 R3, 2", "SYS_WRITE", 2 },   /* WRITE works on files too */
		{ "IMM8 R1, 3", "SYS_FS_CLOSE", 0 },
		{ "IMM32 R1, s_tmpa\n IMM8 R2, 0", "SYS_FS_OPEN", 3 },
		{ "IMM8 R1, 3\n IMM32 R2, buf\n IMM8 R3, 64", "SYS_FS_READ", 7 },
		{ "IMM8 R1, 3\n IMM32 R2, buf\n IMM8 R3, 64", "SYS_FS_READ", 0 },
		{ "IMM32 R1, s_tmpa\n IMM32 R2, buf + 64", "SYS_FS_STAT", 0 },
		/* the root lists PixelFS's bin and etc, then the trees home and tmp */
		{ "IMM32 R1, s_root\n IMM8 R2, 2\n IMM32 R3, buf + 128\n IMM8 R4, 16", "SYS_READDIR", 4 },
		{ "IMM32 R1, s_tmp\n IMM8 R2, 0\n IMM32 R3, buf + 144\n IMM8 R4, 16", "SYS_READDIR", 1 },
		{ "IMM32 R1, s_tmp\n IMM32 R2, buf + 160", "SYS_FS_STAT", 0 },
		{ "IMM32 R1, s_root\n IMM8 R2, 3\n IMM32 R3, buf + 176\n IMM8 R4, 16", "SYS_READDIR", 3 },
		{ "IMM32 R1, s_root\n IMM8 R2, 4\n IMM32 R3, buf + 176\n IMM8 R4, 16", "SYS_READDIR", E(RANGE) },
		/* PixelFS files cannot be written, whatever the flags */
		{ "IMM32 R1, s_motd\n IMM8 R2, O_WRITE | O_APPEND", "SYS_FS_OPEN", E(ROFS) },
		{ "IMM32 R1, s_motd\n IMM8 R2, O_WRITE | O_CREATE | O_TRUNC", "SYS_FS_OPEN", E(ROFS) },
		/* appending to a RAM file */
		{ "IMM32 R1, s_tmpa\n IMM8 R2, O_WRITE | O_APPEND", "SYS_FS_OPEN", 4 },
		{ "IMM8 R1, 4\n IMM32 R2, s_data\n IMM8 R3, 1", "SYS_FS_WRITE", 1 },
		{ "IMM32 R1, s_tmpa\n IMM32 R2, buf + 192", "SYS_FS_STAT", 0 },
		{ "IMM32 R1, s_tmpa\n IMM8 R2, 0", "SYS_FS_OPEN", 5 },
		{ "IMM8 R1, 5\n IMM32 R2, buf + 208\n IMM8 R3, 64", "SYS_READ", 8 },
		/* a relative path is a file of /home */
		{ "IMM32 R1, s_rel\n IMM8 R2, O_WRITE | O_CREATE", "SYS_FS_OPEN", 6 },
		{ "IMM8 R1, 6\n IMM32 R2, s_data\n IMM8 R3, 5", "SYS_FS_WRITE", 5 },
		{ "IMM32 R1, s_homerel\n IMM32 R2, buf + 224", "SYS_FS_STAT", 0 },
		{ "IMM32 R1, s_home\n IMM8 R2, 0\n IMM32 R3, buf + 240\n IMM8 R4, 16", "SYS_READDIR", 8 },
		{ "IMM32 R1, s_rel\n IMM32 R2, buf + 256", "SYS_FS_USAGE", 0 },
		/* O_TRUNC empties a file */
		{ "IMM32 R1, s_tmpa\n IMM8 R2, O_WRITE | O_TRUNC", "SYS_FS_OPEN", 7 },
		/* UNLINK and RENAME through the calls (test_vfs.c has the details) */
		{ "IMM32 R1, s_rel\n IMM32 R2, s_homerel", "SYS_RENAME", 0 },
		{ "IMM32 R1, s_tmpa\n IMM32 R2, s_tmpb", "SYS_RENAME", 0 },
		{ "IMM32 R1, s_tmpa\n IMM32 R2, buf + 272", "SYS_FS_STAT", E(NOENT) },
		{ "IMM32 R1, s_tmpb", "SYS_UNLINK", 0 },
		{ "IMM32 R1, s_tmpb", "SYS_UNLINK", E(NOENT) },
	};
	uint32_t pid = run_calls(calls, sizeof(calls) / sizeof(calls[0]));
	const uint8_t *m = (const uint8_t *)proc_find(pid)->vm.mem;
	uint32_t st[4];
	/* buf is the first word-aligned label after the strings; find it through
	 * what FS_READ left there: "hellohe". */
	const uint8_t *buf = memmem(m + 0x200, 0xB000, "hellohe", 7);
	assert_non_null(buf);
	memcpy(st, buf + 64, 12);
	assert_int_equal(st[0], 7);
	assert_int_equal(st[1], PXVM_FT_DATA);
	assert_int_equal(st[2], PXVM_ST_F_RAM);
	assert_string_equal((const char *)buf + 128, "home");
	assert_string_equal((const char *)buf + 144, "a");
	memcpy(st, buf + 160, 12);
	assert_int_equal(st[1], PXVM_FT_DIR);
	assert_int_equal(st[2], PXVM_ST_F_DIR);
	assert_string_equal((const char *)buf + 176, "tmp");
	memcpy(st, buf + 192, 12);
	assert_int_equal(st[0], 8);
	assert_memory_equal(buf + 208, "helloheh", 8);
	memcpy(st, buf + 224, 12);
	assert_int_equal(st[0], 5);
	assert_int_equal(st[2], PXVM_ST_F_RAM);
	assert_string_equal((const char *)buf + 240, "relative");
	memcpy(st, buf + 256, 16);
	assert_int_equal(st[0], 1);
	assert_int_equal(st[1], VFS_HOME_FILES);
	assert_int_equal(st[2], 5);
	assert_int_equal(st[3], VFS_HOME_BYTES);
	/* /tmp/a was emptied, renamed to /tmp/b and unlinked, but fd 7 (and
	 * fd 5) still hold it: it stays until they close. */
	struct vfs_file f;
	assert_int_equal(vfs_lookup("/tmp/a", &f), -PXE_ENOENT);
	assert_int_equal(vfs_lookup("/tmp/b", &f), -PXE_ENOENT);
	assert_int_equal(vfs_lookup("relative", &f), 0);
	assert_int_equal(f.size, 5);
	assert_true(f.in_ram);
	assert_int_equal(vfs_ram_files(), 2);
	/* The PixelFS file is as it was. */
	assert_int_equal(vfs_lookup("/etc/motd", &f), 0);
	assert_false(f.in_ram);
	assert_memory_equal(f.data, motd, sizeof(motd) - 1);
	/* Its descriptors closed, the unlinked file is gone. */
	assert_int_equal(sched_kill(0, pid), 0);
	assert_int_equal(vfs_ram_files(), 1);
}

static void test_file_limits(void **state)
{
	(void)state;
	/* 8 descriptors, then EMFILE; a file grows to VFS_FILE_MAX, then ENOSPC. */
	char setup[1][64];
	struct call calls[NOFILE + 1 + 3 + VFS_FILE_MAX / WRITE_MAX + 2];
	size_t n = 0;
	for (uint32_t i = 0; i <= NOFILE; i++)
		calls[n++] = (struct call){ "IMM32 R1, s_motd\n IMM8 R2, 0", "SYS_FS_OPEN",
		                            i < NOFILE ? PXVM_FD_FIRST + i : E(MFILE) };
	calls[n++] = (struct call){ "IMM8 R1, 3", "SYS_FS_CLOSE", 0 };
	calls[n++] = (struct call){ "IMM32 R1, s_tmpa\n IMM8 R2, O_WRITE | O_CREATE", "SYS_FS_OPEN", 3 };
	calls[n++] = (struct call){ "IMM8 R1, 3\n IMM32 R2, 0x1000\n IMM32 R3, 4097", "SYS_FS_WRITE", E(INVAL) };
	for (uint32_t i = 0; i < VFS_FILE_MAX / WRITE_MAX; i++) {
		snprintf(setup[0], sizeof(setup[0]), "IMM8 R1, 3\n IMM32 R2, 0x1000\n IMM32 R3, %u", WRITE_MAX);
		calls[n++] = (struct call){ setup[0], "SYS_FS_WRITE", WRITE_MAX };
	}
	calls[n++] = (struct call){ "IMM8 R1, 3\n IMM32 R2, 0x1000\n IMM8 R3, 1", "SYS_FS_WRITE", E(NOSPC) };
	calls[n++] = (struct call){ "IMM8 R1, 3\n IMM32 R2, 0x1000\n IMM8 R3, 0", "SYS_FS_WRITE", 0 };
	run_calls(calls, n);
	struct vfs_file f;
	assert_int_equal(vfs_lookup("/tmp/a", &f), 0);
	assert_int_equal(f.size, VFS_FILE_MAX);
	/* /tmp's file quota: VFS_TMP_FILES files, then EDQUOT (test_vfs.c
	 * has the rest of the quotas). */
	char path[32];
	uint32_t made = vfs_ram_files();
	for (uint32_t i = made; i < VFS_TMP_FILES; i++) {
		snprintf(path, sizeof(path), "/tmp/f%u", i);
		assert_int_equal(vfs_create(path), 0);
	}
	assert_int_equal(vfs_create("/tmp/one-too-many"), -PXE_EDQUOT);
	assert_int_equal(vfs_create("/tmp/f5"), 0); /* truncating one is fine */
}

static void test_spawn_program_written_in_ram(void **state)
{
	(void)state;
	/* A program copied into a RAM file with FS_WRITE can be spawned. */
	size_t size;
	uint8_t *pxe = th_assemble(".include \"pxos.inc\"\n_start:\n IMM8 R1, 42\n SYSCALL SYS_EXIT\n", &size);
	assert_non_null(pxe);
	const struct th_file f[] = { { "/bin/hello", ".include \"pxos.inc\"\n_start:\n HALT\n", 0, 0 } };
	th_boot(1280, 800, f, 1);
	int pid = th_spawn("/bin/hello", 0);
	struct proc *p = proc_find((uint32_t)pid);
	assert_int_equal(vfs_create("/tmp/prog"), 0);
	int fd = vfs_open(p, "/tmp/prog", PXVM_O_WRITE);
	assert_int_equal(fd, PXVM_FD_FIRST);
	assert_int_equal(pxvm_write(&p->vm, 0x8000, pxe, (uint32_t)size), 0);
	assert_int_equal(vfs_write(p, (uint32_t)fd, 0x8000, (uint32_t)size), (int)size);
	uint32_t stat[3];
	assert_int_equal(vfs_stat("/tmp/prog", stat), 0);
	assert_int_equal(stat[1], PXVM_FT_PROGRAM); /* it starts with the .pxe magic */
	int child = sched_spawn("/tmp/prog", 0, 0);
	assert_true(child > 0);
	sched_run(0);
	uint32_t st;
	assert_int_equal(sched_reaped_status((uint32_t)child, &st), 0);
	assert_int_equal(st, 42);
	free(pxe);
}

/* Read `n` bytes through fd into the process's memory at 0x8000. */
static int rd(struct proc *p, int fd, uint32_t n, char *out)
{
	int got = vfs_read(p, (uint32_t)fd, 0x8000, n);
	if (got > 0)
		memcpy(out, (const uint8_t *)p->vm.mem + 0x8000, (size_t)got);
	return got;
}

static void test_descriptors_shared_and_read_only_pixelfs(void **state)
{
	(void)state;
	const struct th_file f[] = {
		{ "/bin/hello", ".include \"pxos.inc\"\n_start:\n IMM32 R1, 3600000\n SYSCALL SYS_SLEEP\n JMP _start\n", 0, 0 },
		{ "/etc/motd", 0, motd, sizeof(motd) - 1 },
	};
	th_boot(1280, 800, f, 2);
	struct proc *a = proc_find((uint32_t)th_spawn("/bin/hello", 0));
	char buf[64];
	int fd = vfs_open(a, "/etc/motd", 0);
	assert_int_equal(fd, 3);
	assert_int_equal(rd(a, fd, 6, buf), 6);
	/* A forked child shares the open file and its offset. */
	int c = sched_fork(a);
	assert_true(c > 0);
	struct proc *b = proc_find((uint32_t)c);
	assert_int_equal(rd(b, fd, 2, buf), 2);
	assert_memory_equal(buf, "mo", 2);
	assert_int_equal(rd(a, fd, 2, buf), 2);
	assert_memory_equal(buf, "td", 2);
	/* The PixelFS file cannot be written; a RAM file can, and a reader
	 * sees another descriptor's writes. */
	assert_int_equal(vfs_open(b, "/etc/motd", PXVM_O_WRITE), -PXE_EROFS);
	assert_int_equal(vfs_create("/etc/motd"), -PXE_EROFS);
	int w = vfs_open(b, "/home/motd", PXVM_O_WRITE | PXVM_O_CREATE);
	assert_int_equal(w, 4);
	int r = vfs_open(a, "motd", 0); /* relative: /home/motd */
	assert_int_equal(r, 4);
	pxvm_write(&b->vm, 0x8000, "HELLO MOTD!", 11);
	assert_int_equal(vfs_write(b, (uint32_t)w, 0x8000, 11), 11);
	assert_int_equal(rd(a, r, 6, buf), 6);
	assert_memory_equal(buf, "HELLO ", 6);
	/* Truncation through another descriptor: readers see the end. */
	assert_int_equal(vfs_create("/home/motd"), 0);
	assert_int_equal(rd(a, r, 64, buf), 0);
	assert_int_equal(vfs_write(b, (uint32_t)w, 0x8000, 3), 3); /* at its offset, clamped to the end */
	struct vfs_file vf;
	assert_int_equal(vfs_lookup("/home/motd", &vf), 0);
	assert_int_equal(vf.size, 3);
	assert_int_equal(rd(a, fd, 64, buf), 1); /* the PixelFS file is as it was */
	assert_memory_equal(buf, "\n", 1);
	/* Closing in one process leaves the other's descriptor open. */
	assert_int_equal(vfs_close(b, (uint32_t)fd), 0);
	assert_int_equal(vfs_close(b, (uint32_t)fd), -PXE_EBADF);
	assert_int_equal(vfs_read(a, (uint32_t)fd, 0x8000, 1), 0);
	/* Nested RAM directories list once, under the right parent. */
	assert_int_equal(vfs_create("/tmp/d/e"), 0);
	assert_int_equal(vfs_create("/tmp/d/f"), 0);
	assert_int_equal(vfs_create("/tmp/g"), 0);
	char name[32];
	assert_int_equal(vfs_readdir("/tmp", 0, name, sizeof(name)), 1);
	assert_string_equal(name, "d");
	assert_int_equal(vfs_readdir("/tmp/", 1, name, sizeof(name)), 1);
	assert_string_equal(name, "g");
	assert_int_equal(vfs_readdir("/tmp", 2, name, sizeof(name)), -PXE_ERANGE);
	assert_int_equal(vfs_readdir("/tmp/d", 1, name, sizeof(name)), 1);
	assert_string_equal(name, "f");
	assert_int_equal(vfs_readdir("/", 2, name, sizeof(name)), 4);
	assert_string_equal(name, "home");
	assert_int_equal(vfs_readdir("/", 3, name, sizeof(name)), 3);
	assert_string_equal(name, "tmp");
	assert_int_equal(vfs_readdir("/", 4, name, sizeof(name)), -PXE_ERANGE);
	assert_int_equal(vfs_create("/tmp/d"), -PXE_EISDIR);
	/* Ending the processes closes everything. */
	assert_int_equal(sched_kill(0, a->pid), 0);
	assert_int_equal(sched_kill(0, b->pid), 0);
	for (uint32_t i = 0; i < NOFILE; i++)
		assert_int_equal(a->fd[i], -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_paths_of_every_call),
		cmocka_unit_test(test_files_in_ram),
		cmocka_unit_test(test_file_limits),
		cmocka_unit_test(test_spawn_program_written_in_ram),
		cmocka_unit_test(test_descriptors_shared_and_read_only_pixelfs),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
