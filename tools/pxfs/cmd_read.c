/*
 * cmd_read.c — the commands that read an image: `pxfs list`, `pxfs verify`,
 * `pxfs extract` and `pxfs cat` (docs/pixelfs.md, "The pxfs tool").
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/pxfs/pxfs_tool.h"

static int usage(const char *text)
{
	fprintf(stderr, "usage: %s\n", text);
	return 1;
}

/* malloc + tool_mount; NULL (reported) on failure. Release with close_image. */
static struct tool_fs *open_image(const char *path, int loud)
{
	struct tool_fs *m = malloc(sizeof *m);

	if (!m)
		fputs("pxfs: out of memory\n", stderr);
	else if (tool_mount(path, m, loud) != 0) {
		free(m);
		m = NULL;
	}
	return m;
}

static void close_image(struct tool_fs *m)
{
	tool_unmount(m);
	free(m);
}

static void raw_entry(const struct tool_fs *m, uint32_t i, struct pxfs_dirent *d)
{
	memcpy(d, (const uint8_t *)m->fs.dir + (size_t)i * sizeof *d, sizeof *d);
}

int cmd_list(int argc, char **argv)
{
	struct tool_fs *m = NULL;
	struct pxfs_super s;
	char path[PXFS_PATH_MAX + 4], type[16];

	if (argc != 2)
		return usage("pxfs list IMG");
	if (!(m = open_image(argv[1], 1)))
		return 1;
	memcpy(&s, m->img.pixels, sizeof s);
	uint32_t row = s.width * 4u;
	printf("%s: PixelFS v%u, %u x %u pixels, %u bytes a row\n", argv[1], s.version, s.width,
	       s.height, row);
	printf("directory: row %u, %u entries (%u good); data: row %u, %u bytes\n",
	       s.dir_offset / row, s.file_count, m->fs.good, s.data_offset / row, s.data_size);
	printf("%5s  %-8s %10s  %-10s  %5s  %s\n", "ID", "TYPE", "SIZE", "CRC32", "ROW", "PATH");
	for (uint32_t i = 0; i < m->fs.count; i++) {
		struct pxfs_dirent d;
		const char *tn;
		raw_entry(m, i, &d);
		if ((tn = pxfs_type_name(d.type)) != NULL)
			snprintf(type, sizeof type, "%s", tn);
		else
			snprintf(type, sizeof type, "?%u", d.type);
		printf("%5u  %-8s %10u  0x%08x  %5u  %s", d.id, type, d.size, d.crc,
		       d.offset / row, tool_entry_path(m, i, path, sizeof path));
		if (m->why[i])
			printf("  BAD: %s", m->why[i]);
		putchar('\n');
	}
	int rc = m->nbad ? 1 : 0;
	if (m->nbad)
		tool_error(argv[1], "%u of %u files bad", m->nbad, m->fs.count);
	close_image(m);
	return rc;
}

int cmd_verify(int argc, char **argv)
{
	struct tool_fs *m = NULL;

	if (argc != 2)
		return usage("pxfs verify IMG");
	if (!(m = open_image(argv[1], 1)))
		return 1;
	int rc = m->nbad ? 1 : 0;
	if (m->nbad)
		tool_error(argv[1], "%u of %u files bad", m->nbad, m->fs.count);
	else
		printf("%s: ok, %u files\n", argv[1], m->fs.count);
	close_image(m);
	return rc;
}

/* mkdir -p for `path` (everything up to its last '/' when `parent_only`). */
static int make_dirs(char *path, int parent_only)
{
	size_t len = strlen(path);
	struct stat st;

	for (size_t i = 1; i <= len; i++) {
		if (path[i] != '/' && (path[i] != 0 || parent_only))
			continue;
		char c = path[i];
		path[i] = 0;
		int ok = mkdir(path, 0777) == 0 ||
		         (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode));
		if (!ok)
			tool_error(path, "cannot create directory: %s",
			           errno == EEXIST ? "a file of that name exists" : strerror(errno));
		path[i] = c;
		if (!ok)
			return -1;
	}
	return 0;
}

static int write_file(const char *target, const uint8_t *data, uint32_t size)
{
	int fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);

	if (fd < 0) {
		tool_error(target, "%s", errno == EEXIST ? "exists already: not overwritten"
		                                         : strerror(errno));
		return -1;
	}
	for (uint32_t done = 0; done < size;) {
		ssize_t n = write(fd, data + done, size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			tool_error(target, "%s", n < 0 ? strerror(errno) : "short write");
			close(fd);
			return -1;
		}
		done += (uint32_t)n;
	}
	if (close(fd) != 0) {
		tool_error(target, "%s", strerror(errno));
		return -1;
	}
	return 0;
}

int cmd_extract(int argc, char **argv)
{
	struct tool_fs *m = NULL;
	char target[PATH_MAX];
	uint32_t written = 0, failed = 0;

	if (argc != 3)
		return usage("pxfs extract IMG DIR");
	if (!(m = open_image(argv[1], 1)))
		return 1;
	snprintf(target, sizeof target, "%s", argv[2]);
	if (make_dirs(target, 0) != 0) {
		close_image(m);
		return 1;
	}
	for (uint32_t i = 0; i < m->fs.count; i++) {
		struct pxfs_file f;
		if (pxfs_entry(&m->fs, i, &f) != 0)
			continue; /* bad: reported by tool_mount */
		/* Programs get their .pxe back, so `pxfs build` of DIR rebuilds the image. */
		int n = snprintf(target, sizeof target, "%s%s%s", argv[2], f.path,
		                 f.type == PXFS_TYPE_PROGRAM ? ".pxe" : "");
		if (n < 0 || n >= (int)sizeof target) {
			tool_error(f.path, "target path too long");
			failed++;
		} else if (make_dirs(target, 1) != 0 || write_file(target, f.data, f.size) != 0) {
			failed++;
		} else {
			written++;
		}
	}
	printf("%s: extracted %u of %u files\n", argv[2], written, m->fs.count);
	int rc = (m->nbad || failed) ? 1 : 0;
	if (m->nbad)
		tool_error(argv[1], "%u of %u files bad, not extracted", m->nbad, m->fs.count);
	close_image(m);
	return rc;
}

int cmd_cat(int argc, char **argv)
{
	struct tool_fs *m = NULL;
	struct pxfs_file f;
	int rc = 1;

	if (argc != 3)
		return usage("pxfs cat IMG PATH");
	if (!(m = open_image(argv[1], 0)))
		return 1;
	if (pxfs_lookup(&m->fs, argv[2], &f) == 0) {
		if (fwrite(f.data, 1, f.size, stdout) != f.size || fflush(stdout) != 0)
			tool_error("stdout", "%s", strerror(errno));
		else
			rc = 0;
	} else {
		const char *why = "no such file";
		size_t len = strlen(argv[2]);
		for (uint32_t i = 0; i < m->fs.count; i++)
			if (m->why[i] && len < PXFS_PATH_MAX &&
			    !memcmp((const uint8_t *)m->fs.dir + (size_t)i * 128u, argv[2], len + 1))
				why = m->why[i];
		tool_error(argv[2], "%s in %s", why, argv[1]);
	}
	close_image(m);
	return rc;
}
