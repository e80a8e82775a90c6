/*
 * test_persist.c — the kernel's persistence of /home (kernel/persist.c, built
 * hosted) over the real vfs (pxvm/vfs.c on the test platform) with a fake
 * bridge that records every frame and acknowledges it when told:
 *   - without a bridge nothing is sent and the first write says so, once;
 *   - at a new session: RESTORE first, then every file of /home, one frame
 *     at a time (nothing while the last is unacknowledged), FILE_DATA parts
 *     of at most FRAME_FILE_DATA_MAX bytes, the bytes and CRC of the file;
 *   - a file that changes during its transfer: no FILE_END for the old
 *     transfer, the new content is sent whole;
 *   - a removed file: FILE_GONE; a renamed one: the new name, then FILE_GONE;
 *   - the link lost mid-transfer: nothing recorded, everything sent again at
 *     the next session;
 *   - the restore: a file put into /home; one written since boot kept; a
 *     wrong CRC or too many bytes refused; a path that is not relative
 *     refused; restored files are not sent back.
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
#include "drivers/timer.h"
#include "kernel/bridge.h"
#include "kernel/klog.h"
#include "kernel/persist.h"
#include "pxvm/crc32.h"
#include "pxvm/frame.h"
#include "pxvm/vfs.h"

/* ---- the fake bridge and log ------------------------------------------------------ */

static const struct bridge_files *hooks;
static bool present, pending;
static struct sentf { uint8_t type; uint32_t id; size_t len; uint8_t p[FRAME_PAYLOAD_MAX]; } out[256];
static size_t nout;
static char logbuf[8192];

uint64_t timer_us(void) { return 1000; }
void bridge_files_register(const struct bridge_files *ops) { hooks = ops; }
bool bridge_present(void) { return present; }
bool bridge_keeps_files(void) { return present; }
bool bridge_files_pending(void) { return pending; }
int bridge_send(uint8_t type, uint32_t id, const void *payload, size_t len)
{
	assert_false(pending); /* one at a time */
	assert_true(nout < sizeof(out) / sizeof(out[0]));
	assert_true(len <= FRAME_PAYLOAD_MAX);
	out[nout].type = type;
	out[nout].id = id;
	out[nout].len = len;
	if (len)
		memcpy(out[nout].p, payload, len);
	nout++;
	pending = true;
	return 0;
}

void klog(enum klog_level level, const char *sys, const char *fmt, ...)
{
	(void)level;
	size_t n = strlen(logbuf);
	snprintf(logbuf + n, sizeof(logbuf) - n, "%s: ", sys);
	n = strlen(logbuf);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(logbuf + n, sizeof(logbuf) - n, fmt, ap);
	va_end(ap);
	n = strlen(logbuf);
	snprintf(logbuf + n, sizeof(logbuf) - n, "\n");
}

/* pump: poll, acknowledging every frame, until nothing more is sent. */
static void pump(void)
{
	for (int idle = 0; idle < 200; idle++) {
		size_t before = nout;
		pending = false;
		hooks->poll();
		if (nout != before)
			idle = 0;
	}
	pending = false;
}

static void put(const char *path, const char *s)
{
	vfs_unlink(path); /* may not exist */
	assert_int_equal(vfs_put_new(path, s, (uint32_t)strlen(s)), 0);
}

/* transfer: the file transfer in out[] that starts at *i (FILE), with its
 * parts; its bytes into `data` -> 1 when it ended with FILE_END, 0 when it
 * was dropped (the next frame is another FILE or nothing). *i moves past it. */
static int transfer(size_t *i, char *path, char *data, size_t *n)
{
	uint32_t size, crc;
	if (getenv("DEBUG_PERSIST"))
		for (size_t k = 0; k < nout; k++)
			fprintf(stderr, "%zu: %c %u len %zu\n", k, out[k].type, out[k].id, out[k].len);
	assert_int_equal(out[*i].type, FRAME_FILE);
	assert_int_equal(frame_file_parse(out[*i].p, out[*i].len, &size, &crc, path), 0);
	uint32_t id = out[*i].id;
	*n = 0;
	for ((*i)++; *i < nout && out[*i].type == FRAME_FILE_DATA; (*i)++) {
		assert_int_equal(out[*i].id, id);
		assert_true(out[*i].len <= FRAME_FILE_DATA_MAX);
		memcpy(data + *n, out[*i].p, out[*i].len);
		*n += out[*i].len;
	}
	if (*i < nout && out[*i].type == FRAME_FILE_END) {
		assert_int_equal(out[*i].id, id);
		(*i)++;
		assert_int_equal(*n, size);
		assert_int_equal(crc32(data, *n), crc);
		return 1;
	}
	return 0;
}

static void boot(void)
{
	th_boot(0, 0, NULL, 0);
	persist_init();
	present = pending = false;
	nout = 0;
	logbuf[0] = '\0';
}

static void test_no_bridge_says_once(void **state)
{
	(void)state;
	boot();
	put("/home/a", "one");
	put("/home/b", "two");
	put("/tmp/c", "three");
	pump();
	assert_int_equal(nout, 0);
	assert_non_null(strstr(logbuf, "persist: no host bridge: files written to /home stay in RAM"));
	assert_null(strstr(strstr(logbuf, "no host bridge") + 1, "no host bridge"));
}

static void test_send_change_remove(void **state)
{
	(void)state;
	boot();
	static char big[10000];
	for (size_t i = 0; i < sizeof(big) - 1; i++)
		big[i] = (char)('a' + i % 23);
	put("/home/big", big);
	put("/home/src/a.pxs", "HALT\n");
	put("/tmp/scratch", "not sent");
	present = true;
	hooks->connected();
	pending = true; /* nothing goes while a frame is unacknowledged */
	hooks->poll();
	assert_int_equal(nout, 0);
	pump();
	assert_int_equal(out[0].type, FRAME_RESTORE);
	size_t i = 1;
	int seen = 0;
	static char path[128], data[VFS_FILE_MAX];
	size_t n;
	while (i < nout) {
		assert_int_equal(transfer(&i, path, data, &n), 1);
		data[n] = '\0';
		if (!strcmp(path, "big") && !strcmp(data, big))
			seen |= 1;
		else if (!strcmp(path, "src/a.pxs") && !strcmp(data, "HALT\n"))
			seen |= 2;
		else
			fail_msg("sent %s", path);
	}
	assert_int_equal(seen, 3);
	/* nothing changed: nothing more */
	nout = 0;
	pump();
	assert_int_equal(nout, 0);
	/* changed during its transfer (same size): the old transfer never ends */
	big[0] = 'Y';
	put("/home/big", big);
	for (int k = 0; k < 100 && nout == 0; k++) {
		pending = false;
		hooks->poll(); /* the pass, up to FILE */
	}
	assert_int_equal(nout, 1);
	pending = false;
	hooks->poll(); /* FILE_DATA */
	assert_int_equal(nout, 2);
	big[0] = 'Z';
	vfs_unlink("/home/big");
	assert_int_equal(vfs_put_new("/home/big", big, (uint32_t)strlen(big)), 0);
	pump();
	i = 0;
	assert_int_equal(transfer(&i, path, data, &n), 0);
	assert_int_equal(transfer(&i, path, data, &n), 1);
	data[n] = '\0';
	assert_string_equal(path, "big");
	assert_string_equal(data, big);
	assert_int_equal(i, nout);
	/* removed, and renamed */
	nout = 0;
	assert_int_equal(vfs_unlink("/home/src/a.pxs"), 0);
	assert_int_equal(vfs_rename("/home/big", "/home/huge"), 0);
	pump();
	i = 0;
	assert_int_equal(transfer(&i, path, data, &n), 1);
	assert_string_equal(path, "huge");
	int gone = 0;
	for (; i < nout; i++) {
		assert_int_equal(out[i].type, FRAME_FILE_GONE);
		out[i].p[out[i].len] = 0;
		gone |= !strcmp((char *)out[i].p, "src/a.pxs") ? 1 : !strcmp((char *)out[i].p, "big") ? 2 : 4;
	}
	assert_int_equal(gone, 3);
}

static void test_link_lost(void **state)
{
	(void)state;
	boot();
	put("/home/f", "content\n");
	present = true;
	hooks->connected();
	pending = false;
	hooks->poll(); /* RESTORE */
	pending = false;
	hooks->poll(); /* FILE */
	pending = false;
	hooks->poll(); /* FILE_DATA */
	assert_int_equal(out[2].type, FRAME_FILE_DATA);
	hooks->lost();
	present = false;
	nout = 0;
	pump();
	assert_int_equal(nout, 0);
	present = true;
	hooks->connected();
	pump();
	assert_int_equal(out[0].type, FRAME_RESTORE);
	size_t i = 1, n;
	static char path[128], data[256];
	assert_int_equal(transfer(&i, path, data, &n), 1);
	assert_string_equal(path, "f");
	assert_int_equal(i, nout);
}

static void rx(uint8_t type, uint32_t id, const void *p, size_t len)
{
	static struct frame f;
	f.type = type;
	f.id = id;
	f.len = (uint16_t)len;
	if (len)
		memcpy(f.payload, p, len);
	assert_true(hooks->frame(&f));
}

static void rx_file(uint32_t id, const char *path, const char *data, uint32_t crc_xor, size_t extra)
{
	uint8_t p[8 + FRAME_FILE_PATH_MAX];
	size_t n = strlen(data);
	rx(FRAME_FILE, id, p, frame_file_encode(p, (uint32_t)n, crc32(data, n) ^ crc_xor, path, strlen(path)));
	rx(FRAME_FILE_DATA, id, data, n);
	if (extra)
		rx(FRAME_FILE_DATA, id, "xyz", extra);
	rx(FRAME_FILE_END, id, NULL, 0);
}

static void test_restore(void **state)
{
	(void)state;
	boot();
	put("/home/mine", "written since boot\n");
	present = true;
	hooks->connected();
	pump();
	nout = 0;
	rx_file(1, "notes/r.txt", "restored\n", 0, 0);
	rx_file(2, "mine", "the host's older copy\n", 0, 0);
	rx_file(3, "bad", "damaged\n", 1, 0);
	rx_file(4, "long", "more bytes than said\n", 0, 2);
	rx_file(5, "/abs", "absolute\n", 0, 0);
	rx(FRAME_RESTORE_END, 0, "\5\0\0\0", 4);
	struct vfs_file f;
	assert_int_equal(vfs_lookup("/home/notes/r.txt", &f), 0);
	assert_int_equal(f.size, 9);
	assert_memory_equal(f.data, "restored\n", 9);
	assert_int_equal(vfs_lookup("/home/mine", &f), 0);
	assert_memory_equal(f.data, "written since boot\n", 19);
	assert_int_not_equal(vfs_lookup("/home/bad", &f), 0);
	assert_int_not_equal(vfs_lookup("/home/long", &f), 0);
	assert_int_not_equal(vfs_lookup("/abs", &f), 0);
	assert_non_null(strstr(logbuf, "persist: 1 files (9 bytes) restored into /home from the bridge"));
	assert_non_null(strstr(logbuf, "1 kept as written since boot, 3 refused"));
	pump();
	assert_int_equal(nout, 0); /* a restored file is not sent back */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_bridge_says_once),
		cmocka_unit_test(test_send_change_remove),
		cmocka_unit_test(test_link_lost),
		cmocka_unit_test(test_restore),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
