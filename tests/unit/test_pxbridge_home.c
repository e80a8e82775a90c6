/*
 * test_pxbridge_home.c — pxbridge's copy of /home (tools/pxbridge/home.c) in
 * a temporary directory, fed the frames pxOS sends: a file kept whole, a
 * transfer cut anywhere or with a wrong CRC leaving the previous version,
 * temporary files of a killed pxbridge removed at start, nothing written
 * outside the directory (.., absolute paths, symbolic links on the way or in
 * the file's place), FILE_GONE, and RESTORE sending every file back.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "tools/pxbridge/home.h"
#include "pxvm/crc32.h"

static char dir[256], outside[256];

/* pxb_queue: frames pxbridge would send to pxOS, kept in order. */
static struct { uint8_t type; uint32_t id; size_t len; uint8_t *p; } q[512];
static size_t nq;

void pxb_queue(uint8_t type, uint32_t id, const void *payload, size_t len)
{
	assert_true(nq < sizeof(q) / sizeof(q[0]));
	q[nq].type = type;
	q[nq].id = id;
	q[nq].len = len;
	q[nq].p = malloc(len + 1);
	if (len)
		memcpy(q[nq].p, payload, len);
	nq++;
}

void pxb_log(const char *fmt, ...)
{
	(void)fmt;
}

static void frame(uint8_t type, uint32_t id, const void *p, size_t len)
{
	static struct frame f;
	f.type = type;
	f.id = id;
	f.len = (uint16_t)len;
	if (len)
		memcpy(f.payload, p, len);
	assert_int_equal(pxb_home_frame(&f), 1);
}

static void file_begin(uint32_t id, const char *path, const void *data, size_t n)
{
	uint8_t p[8 + FRAME_FILE_PATH_MAX];
	size_t len = frame_file_encode(p, (uint32_t)n, crc32(data, n), path, strlen(path));
	assert_true(len > 0);
	frame(FRAME_FILE, id, p, len);
}

/* send: the whole transfer of `data` to `path`, as pxOS sends it. */
static void send(uint32_t id, const char *path, const char *data)
{
	size_t n = strlen(data);
	file_begin(id, path, data, n);
	for (size_t off = 0; off < n; off += 3) /* small parts: several FILE_DATA frames */
		frame(FRAME_FILE_DATA, id, data + off, n - off < 3 ? n - off : 3);
	frame(FRAME_FILE_END, id, NULL, 0);
}

static char *slurp(const char *rel)
{
	static char buf[4096];
	char path[600];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static int temporaries(const char *sub)
{
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "ls -a '%s/%s' | grep -c '^\\.pxhome-' >/dev/null", dir, sub);
	return system(cmd) == 0;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_pxbridge_home.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(outside, sizeof(outside), "/tmp/test_pxbridge_outside.XXXXXX");
	assert_non_null(mkdtemp(outside));
	assert_int_equal(pxb_home_open(dir), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", dir, outside);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void test_paths(void **state)
{
	(void)state;
	const char *good[] = { "a", "notes.txt", "src/a.pxs", "a b/c d", "x..y", ".hidden", "a/.b/c", "~ed" };
	const char *bad[] = { "", "/abs", "../x", "a/../b", "..", ".", "a/./b", "a//b", "a/", "/",
	                      ".pxhome-1.part", "d/.pxhome-x", "tab\there", "\x7f", "\xc3\xa9" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(pxb_home_path_ok(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(pxb_home_path_ok(bad[i]));
	char longp[FRAME_FILE_PATH_MAX + 2];
	memset(longp, 'a', sizeof(longp));
	longp[FRAME_FILE_PATH_MAX] = '\0';
	assert_true(pxb_home_path_ok(longp));
	longp[FRAME_FILE_PATH_MAX] = 'a';
	longp[FRAME_FILE_PATH_MAX + 1] = '\0';
	assert_false(pxb_home_path_ok(longp));
}

static void test_kept_whole(void **state)
{
	(void)state;
	send(1, "hi.txt", "hello from pxOS\n");
	assert_string_equal(slurp("hi.txt"), "hello from pxOS\n");
	send(2, "src/deep/a.pxs", "HALT\n");
	assert_string_equal(slurp("src/deep/a.pxs"), "HALT\n");
	send(3, "hi.txt", "second version\n");
	assert_string_equal(slurp("hi.txt"), "second version\n");
	send(4, "empty", "");
	assert_string_equal(slurp("empty"), "");
	assert_false(temporaries(""));
}

static void test_cut_transfers_keep_the_old(void **state)
{
	(void)state;
	send(1, "f", "old version\n");
	/* cut after some data: pxOS restarted or the link was lost */
	const char *new = "new version, longer\n";
	file_begin(2, "f", new, strlen(new));
	frame(FRAME_FILE_DATA, 2, new, 5);
	assert_true(temporaries(""));
	pxb_home_reset();
	assert_string_equal(slurp("f"), "old version\n");
	assert_false(temporaries(""));
	/* cut by the next FILE (pxOS dropped a transfer of a file that changed) */
	file_begin(3, "f", new, strlen(new));
	frame(FRAME_FILE_DATA, 3, new, 5);
	send(4, "g", "other\n");
	frame(FRAME_FILE_END, 3, NULL, 0); /* a late end of the dropped one: nothing */
	assert_string_equal(slurp("f"), "old version\n");
	/* every byte there but the CRC wrong */
	uint8_t p[8 + FRAME_FILE_PATH_MAX];
	size_t len = frame_file_encode(p, (uint32_t)strlen(new), crc32(new, strlen(new)) ^ 1, "f", 1);
	frame(FRAME_FILE, 5, p, len);
	frame(FRAME_FILE_DATA, 5, new, strlen(new));
	frame(FRAME_FILE_END, 5, NULL, 0);
	assert_string_equal(slurp("f"), "old version\n");
	/* fewer bytes than announced, or more */
	file_begin(6, "f", new, strlen(new));
	frame(FRAME_FILE_DATA, 6, new, 4);
	frame(FRAME_FILE_END, 6, NULL, 0);
	assert_string_equal(slurp("f"), "old version\n");
	file_begin(7, "f", "abc", 3);
	frame(FRAME_FILE_DATA, 7, "abcd", 4);
	frame(FRAME_FILE_END, 7, NULL, 0);
	assert_string_equal(slurp("f"), "old version\n");
	assert_false(temporaries(""));
	/* a pxbridge killed mid-transfer leaves a temporary file: the next one
	 * removes it at start (here: one made by hand, also in a subdirectory) */
	char t[700];
	snprintf(t, sizeof(t), "%s/.pxhome-0000002A.part", dir);
	close(open(t, O_WRONLY | O_CREAT, 0644));
	send(8, "sub/x", "x\n");
	snprintf(t, sizeof(t), "%s/sub/.pxhome-0000002B.part", dir);
	close(open(t, O_WRONLY | O_CREAT, 0644));
	assert_true(temporaries("") && temporaries("sub"));
	assert_int_equal(pxb_home_open(dir), 0);
	assert_false(temporaries("") || temporaries("sub"));
	assert_string_equal(slurp("f"), "old version\n");
}

static void test_only_inside(void **state)
{
	(void)state;
	char link[700], target[700];
	/* a symbolic link to a directory outside, on the way */
	snprintf(link, sizeof(link), "%s/out", dir);
	assert_int_equal(symlink(outside, link), 0);
	send(1, "out/escaped", "no\n");
	snprintf(target, sizeof(target), "%s/escaped", outside);
	assert_int_equal(access(target, F_OK), -1);
	/* a symbolic link in the file's place: replaced, not followed */
	snprintf(target, sizeof(target), "%s/victim", outside);
	FILE *f = fopen(target, "w");
	fputs("untouched\n", f);
	fclose(f);
	snprintf(link, sizeof(link), "%s/name", dir);
	assert_int_equal(symlink(target, link), 0);
	send(2, "name", "inside\n");
	struct stat sb;
	assert_int_equal(lstat(link, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_string_equal(slurp("name"), "inside\n");
	f = fopen(target, "r");
	char buf[32] = { 0 };
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "untouched\n");
	/* paths that are refused outright */
	const char *bad[] = { "../escaped", "/tmp/escaped", "a/../../escaped", ".pxhome-1.part" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t p[8 + FRAME_FILE_PATH_MAX];
		size_t len = frame_file_encode(p, 1, crc32("x", 1), bad[i], strlen(bad[i]));
		frame(FRAME_FILE, 10 + (uint32_t)i, p, len);
		frame(FRAME_FILE_DATA, 10 + (uint32_t)i, "x", 1);
		frame(FRAME_FILE_END, 10 + (uint32_t)i, NULL, 0);
	}
	assert_int_equal(access("/tmp/escaped", F_OK), -1);
	snprintf(target, sizeof(target), "%s/../escaped", dir);
	assert_int_equal(access(target, F_OK), -1);
	/* FILE_GONE through the link is refused; of a file, removes it */
	frame(FRAME_FILE_GONE, 0, "out/victim", 10);
	assert_int_equal(access(target, F_OK), -1);
	snprintf(target, sizeof(target), "%s/victim", outside);
	assert_int_equal(access(target, F_OK), 0);
	frame(FRAME_FILE_GONE, 0, "name", 4);
	assert_int_equal(lstat(link, &sb), -1);
}

static void test_restore(void **state)
{
	(void)state;
	send(1, "a.txt", "first\n");
	send(2, "src/b.pxs", "second file\n");
	char big[9000];
	for (size_t i = 0; i < sizeof(big) - 1; i++)
		big[i] = (char)('a' + i % 26);
	big[sizeof(big) - 1] = '\0';
	send(3, "big", big);
	char p[700];
	snprintf(p, sizeof(p), "%s/link", dir); /* links are not sent */
	assert_int_equal(symlink("a.txt", p), 0);
	snprintf(p, sizeof(p), "%s/.pxhome-00000009.part", dir); /* nor temporary files */
	close(open(p, O_WRONLY | O_CREAT, 0644));
	nq = 0;
	frame(FRAME_RESTORE, 0, NULL, 0);
	/* reassemble what would go to pxOS */
	int seen = 0;
	size_t i = 0;
	while (i < nq && q[i].type == FRAME_FILE) {
		uint32_t size, crc;
		char path[FRAME_FILE_PATH_MAX + 1];
		assert_int_equal(frame_file_parse(q[i].p, q[i].len, &size, &crc, path), 0);
		uint32_t id = q[i].id;
		static char data[16384];
		size_t n = 0;
		for (i++; i < nq && q[i].type == FRAME_FILE_DATA; i++) {
			assert_int_equal(q[i].id, id);
			assert_true(q[i].len <= FRAME_FILE_DATA_MAX);
			memcpy(data + n, q[i].p, q[i].len);
			n += q[i].len;
		}
		assert_int_equal(q[i].type, FRAME_FILE_END);
		assert_int_equal(q[i].id, id);
		i++;
		assert_int_equal(n, size);
		assert_int_equal(crc32(data, n), crc);
		data[n] = '\0';
		if (!strcmp(path, "a.txt")) {
			assert_string_equal(data, "first\n");
			seen |= 1;
		} else if (!strcmp(path, "src/b.pxs")) {
			assert_string_equal(data, "second file\n");
			seen |= 2;
		} else if (!strcmp(path, "big")) {
			assert_string_equal(data, big);
			seen |= 4;
		} else {
			fail_msg("restored %s, which is not a file of the copy", path);
		}
	}
	assert_int_equal(seen, 7);
	assert_int_equal(i + 1, nq);
	assert_int_equal(q[i].type, FRAME_RESTORE_END);
	assert_int_equal(q[i].len, 4);
	assert_int_equal(q[i].p[0], 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test_setup_teardown(test_kept_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cut_transfers_keep_the_old, setup, teardown),
		cmocka_unit_test_setup_teardown(test_only_inside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
