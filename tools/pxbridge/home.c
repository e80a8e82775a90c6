/*
 * home.c — pxbridge's copy of pxOS's /home (docs/bridge-protocol.md,
 * "Files"): a directory on the host (--home DIR) where every file pxOS
 * sends is kept, and from which pxOS's /home is restored at its next boot.
 *
 * It writes only inside that directory: every path is checked (relative,
 * printable ASCII, no empty, "." or ".." component, none of our temporary
 * names), every directory on the way is opened relative to the one before
 * with O_NOFOLLOW (a symbolic link is never followed, so nothing can lead
 * outside), and a file is written to a temporary name beside it
 * (".pxhome-ID.part", O_EXCL), checked against the size and CRC-32 pxOS
 * announced, synced, and only then renamed over the old one: a transfer cut
 * at any point leaves the previous version. Temporary files left by a
 * pxbridge that was killed are removed when it starts.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "home.h"
#include "pxvm/crc32.h"

#define TMP_PREFIX ".pxhome-"
#define DEPTH_MAX 16 /* directories below the top: more than a PixelFS path can have */

static int top = -1;          /* the directory, open */
static char top_name[1024];
static struct {
	int on;
	uint32_t id, size, crc, off, crc_so_far;
	int dir, fd;              /* the file's directory, the temporary file */
	char name[FRAME_FILE_PATH_MAX + 1], tmp[64], path[FRAME_FILE_PATH_MAX + 1];
} rx;
static uint32_t restore_id;
static unsigned long kept, removed, refused;

int pxb_home_path_ok(const char *p)
{
	size_t n = strlen(p), comp = 0;
	if (n == 0 || n > FRAME_FILE_PATH_MAX || p[0] == '/')
		return 0;
	for (size_t i = 0; i <= n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (i == n || c == '/') {
			const char *s = p + i - comp;
			if (comp == 0 || (comp == 1 && s[0] == '.') || (comp == 2 && s[0] == '.' && s[1] == '.') ||
			    (comp >= sizeof(TMP_PREFIX) - 1 && !strncmp(s, TMP_PREFIX, sizeof(TMP_PREFIX) - 1)))
				return 0;
			comp = 0;
		} else if (c < 0x20 || c > 0x7E) {
			return 0;
		} else {
			comp++;
		}
	}
	return 1;
}

/* open_parent: the directory that holds `path` (checked), opened without
 * following a link; its last component in *name. Missing directories are
 * made when `make`. Returns the fd or -1 (errno set). */
static int open_parent(const char *path, int make, const char **name)
{
	int d = dup(top);
	const char *p = path;
	for (;;) {
		const char *slash = strchr(p, '/');
		if (!slash) {
			*name = p;
			return d;
		}
		char comp[FRAME_FILE_PATH_MAX + 1];
		memcpy(comp, p, (size_t)(slash - p));
		comp[slash - p] = '\0';
		int n = openat(d, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (n < 0 && errno == ENOENT && make && mkdirat(d, comp, 0755) == 0)
			n = openat(d, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int e = errno;
		close(d);
		if (n < 0) {
			errno = e;
			return -1;
		}
		d = n;
		p = slash + 1;
	}
}

static void rx_drop(void)
{
	if (!rx.on)
		return;
	close(rx.fd);
	unlinkat(rx.dir, rx.tmp, 0);
	close(rx.dir);
	rx.on = 0;
}

/* walk: call fn(dir fd, name, path relative to the top) for every regular
 * file under directory fd `d` (taken: closed here), never following a link. */
static void walk(int d, const char *prefix, int depth, void (*fn)(int, const char *, const char *))
{
	DIR *dp = fdopendir(d);
	if (!dp) {
		close(d);
		return;
	}
	rewinddir(dp); /* a dup of `top` shares its offset with every earlier walk */
	struct dirent *de;
	while ((de = readdir(dp))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char path[2 * FRAME_FILE_PATH_MAX];
		size_t pl = strlen(prefix), nl = strlen(de->d_name);
		if (pl + 1 + nl >= sizeof(path))
			continue; /* deeper or longer than a path pxOS can have */
		memcpy(path, prefix, pl);
		if (pl)
			path[pl++] = '/';
		memcpy(path + pl, de->d_name, nl + 1);
		struct stat sb;
		if (fstatat(dirfd(dp), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (S_ISDIR(sb.st_mode) && depth < DEPTH_MAX) {
			int n = openat(dirfd(dp), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (n >= 0)
				walk(n, path, depth + 1, fn);
		} else if (S_ISREG(sb.st_mode)) {
			fn(dirfd(dp), de->d_name, path);
		}
	}
	closedir(dp);
}

static void remove_stale(int d, const char *name, const char *path)
{
	(void)path;
	if (!strncmp(name, TMP_PREFIX, sizeof(TMP_PREFIX) - 1) && unlinkat(d, name, 0) == 0)
		pxb_log("home: removed %s, an unfinished transfer", path);
}

int pxb_home_open(const char *dir)
{
	rx_drop();
	if (top >= 0)
		close(top);
	top = -1;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		pxb_log("home: cannot make %s: %s", dir, strerror(errno));
		return -1;
	}
	top = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (top < 0) {
		pxb_log("home: cannot open %s: %s", dir, strerror(errno));
		return -1;
	}
	snprintf(top_name, sizeof(top_name), "%s", dir);
	walk(dup(top), "", 0, remove_stale);
	pxb_log("home: pxOS's /home is kept in %s", dir);
	return 0;
}

void pxb_home_reset(void) { rx_drop(); }

int pxb_home_active(void) { return top >= 0; }

/* send_file: one file of the copy to pxOS: FILE, FILE_DATA parts, FILE_END. */
static unsigned long sent_files, sent_bytes;
static void send_file(int d, const char *name, const char *path)
{
	if (!strncmp(name, TMP_PREFIX, sizeof(TMP_PREFIX) - 1))
		return;
	if (!pxb_home_path_ok(path)) {
		pxb_log("home: %s not sent to pxOS: not a name pxOS can have", path);
		return;
	}
	int fd = openat(d, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	static uint8_t buf[VFS_FILE_MAX + 1];
	size_t n = 0;
	ssize_t r;
	while (n < sizeof(buf) && (r = read(fd, buf + n, sizeof(buf) - n)) > 0)
		n += (size_t)r;
	close(fd);
	if (n > VFS_FILE_MAX) {
		pxb_log("home: %s not sent to pxOS: larger than %u bytes", path, (unsigned)VFS_FILE_MAX);
		return;
	}
	uint8_t p[8 + FRAME_FILE_PATH_MAX];
	uint32_t id = ++restore_id;
	pxb_queue(FRAME_FILE, id, p, frame_file_encode(p, (uint32_t)n, crc32(buf, n), path, strlen(path)));
	for (size_t off = 0; off < n; off += FRAME_FILE_DATA_MAX)
		pxb_queue(FRAME_FILE_DATA, id, buf + off, n - off < FRAME_FILE_DATA_MAX ? n - off : FRAME_FILE_DATA_MAX);
	pxb_queue(FRAME_FILE_END, id, NULL, 0);
	sent_files++;
	sent_bytes += n;
}

static void restore(void)
{
	sent_files = sent_bytes = 0;
	if (top >= 0)
		walk(dup(top), "", 0, send_file);
	uint8_t c[4] = { (uint8_t)sent_files, (uint8_t)(sent_files >> 8), (uint8_t)(sent_files >> 16),
	                 (uint8_t)(sent_files >> 24) };
	pxb_queue(FRAME_RESTORE_END, 0, c, 4);
	pxb_log("home: pxOS asked for /home: %lu files (%lu bytes) queued", sent_files, sent_bytes);
}

static void rx_file(const struct frame *f)
{
	uint32_t size, crc;
	char path[FRAME_FILE_PATH_MAX + 1];
	rx_drop();
	if (frame_file_parse(f->payload, f->len, &size, &crc, path) != 0 || !pxb_home_path_ok(path) ||
	    size > VFS_FILE_MAX) {
		refused++;
		pxb_log("home: FILE %u refused: a malformed path or size", f->id);
		return;
	}
	const char *name;
	int d = open_parent(path, 1, &name);
	if (d < 0) {
		refused++;
		pxb_log("home: %s refused: %s", path, strerror(errno));
		return;
	}
	snprintf(rx.tmp, sizeof(rx.tmp), TMP_PREFIX "%08X.part", f->id);
	int fd = openat(d, rx.tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST && unlinkat(d, rx.tmp, 0) == 0)
		fd = openat(d, rx.tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		refused++;
		pxb_log("home: %s refused: %s", path, strerror(errno));
		close(d);
		return;
	}
	rx.on = 1;
	rx.id = f->id;
	rx.size = size;
	rx.crc = crc;
	rx.off = 0;
	rx.crc_so_far = 0;
	rx.dir = d;
	rx.fd = fd;
	snprintf(rx.name, sizeof(rx.name), "%s", name);
	snprintf(rx.path, sizeof(rx.path), "%s", path);
}

static void rx_data(const struct frame *f)
{
	if (!rx.on || f->id != rx.id)
		return;
	if (f->len > rx.size - rx.off) {
		pxb_log("home: %s: more bytes than announced: dropped", rx.path);
		refused++;
		rx_drop();
		return;
	}
	size_t done = 0;
	while (done < f->len) {
		ssize_t w = write(rx.fd, f->payload + done, f->len - done);
		if (w <= 0) {
			pxb_log("home: %s: %s: dropped, the old copy kept", rx.path, strerror(errno));
			refused++;
			rx_drop();
			return;
		}
		done += (size_t)w;
	}
	rx.off += f->len;
	rx.crc_so_far = crc32_update(rx.crc_so_far, f->payload, f->len);
}

static void rx_end(const struct frame *f)
{
	if (!rx.on || f->id != rx.id)
		return;
	if (rx.off != rx.size || rx.crc_so_far != rx.crc) {
		pxb_log("home: %s: %u of %u bytes, CRC %08X, announced %08X: dropped, the old copy kept", rx.path,
		        rx.off, rx.size, rx.crc_so_far, rx.crc);
		refused++;
		rx_drop();
		return;
	}
	if (fsync(rx.fd) != 0 || renameat(rx.dir, rx.tmp, rx.dir, rx.name) != 0) {
		pxb_log("home: %s: %s: dropped, the old copy kept", rx.path, strerror(errno));
		refused++;
		rx_drop();
		return;
	}
	fsync(rx.dir);
	close(rx.fd);
	close(rx.dir);
	rx.on = 0;
	kept++;
	pxb_log("home: kept %s (%u bytes, CRC %08X)", rx.path, rx.size, rx.crc);
}

static void rx_gone(const struct frame *f)
{
	char path[FRAME_FILE_PATH_MAX + 1];
	if (f->len > FRAME_FILE_PATH_MAX || memchr(f->payload, 0, f->len)) {
		refused++;
		return;
	}
	memcpy(path, f->payload, f->len);
	path[f->len] = '\0';
	const char *name;
	int d;
	if (!pxb_home_path_ok(path) || (d = open_parent(path, 0, &name)) < 0) {
		pxb_log("home: FILE_GONE %s ignored: no such file in the copy", path);
		return;
	}
	if (unlinkat(d, name, 0) == 0) {
		removed++;
		pxb_log("home: removed %s", path);
	}
	close(d);
}

int pxb_home_frame(const struct frame *f)
{
	if (top < 0) /* --no-home: nothing is kept, nothing comes back */
		return f->type == FRAME_RESTORE ? (pxb_queue(FRAME_RESTORE_END, 0, "\0\0\0\0", 4), 1)
		       : f->type == FRAME_FILE || f->type == FRAME_FILE_DATA || f->type == FRAME_FILE_END ||
		       f->type == FRAME_FILE_GONE;
	switch (f->type) {
	case FRAME_RESTORE: restore(); return 1;
	case FRAME_FILE: rx_file(f); return 1;
	case FRAME_FILE_DATA: rx_data(f); return 1;
	case FRAME_FILE_END: rx_end(f); return 1;
	case FRAME_FILE_GONE: rx_gone(f); return 1;
	default: return 0;
	}
}

void pxb_home_status(char *out, size_t cap)
{
	if (top < 0)
		snprintf(out, cap, "home: not kept (--no-home)");
	else
		snprintf(out, cap, "home: %s: %lu files kept, %lu removed, %lu refused", top_name, kept, removed, refused);
}
