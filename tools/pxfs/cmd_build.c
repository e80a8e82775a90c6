/*
 * cmd_build.c — `pxfs build OUT.png ROOTDIR [--width N]`: every regular file
 * under ROOTDIR becomes a PixelFS file (docs/pixelfs.md, "Building an image").
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pxvm/abi.h"
#include "pxvm/pixelfs.h"
#include "tools/pxfs/pxfs_tool.h"

struct src_file {
	char *src;                 /* host path, for messages */
	char path[PXFS_PATH_MAX];  /* path in the image */
	uint32_t type;
	uint8_t *data;
	uint32_t size;
};

struct walk {
	struct src_file *files;
	uint32_t n, cap;
	uint64_t row, rows;        /* bytes per row; data rows so far */
	int failed, stopped;       /* an error was reported; stop adding files */
};

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 2);

	if (!s) {
		fputs("pxfs: out of memory\n", stderr);
		exit(1);
	}
	memcpy(s, a, la);
	s[la] = '/';
	memcpy(s + la + 1, b, lb + 1);
	return s;
}

/* Reads all of `host` (st_size bytes). Returns 0, or reports and returns -1. */
static int read_all(const char *host, uint64_t size, uint8_t **out)
{
	uint8_t *buf = malloc(size ? size : 1);
	FILE *f = fopen(host, "rb");

	if (!buf || !f) {
		tool_error(host, "%s", buf ? strerror(errno) : "out of memory");
		free(buf);
		if (f)
			fclose(f);
		return -1;
	}
	size_t got = fread(buf, 1, size, f);
	int err = ferror(f) ? errno : 0, extra = fgetc(f) != EOF;
	fclose(f);
	if (err || got != size || extra) {
		tool_error(host, "%s", err ? strerror(err) : "file changed size while being read");
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

static void add_file(struct walk *w, const char *host, const char *rel, uint64_t size)
{
	struct src_file f = { 0 };
	char path[PATH_MAX];

	if (w->stopped)
		return;
	if (w->n == PXFS_MAX_FILES) {
		tool_error(host, "too many files: a PixelFS image holds at most %u", PXFS_MAX_FILES);
		w->failed = w->stopped = 1;
		return;
	}
	snprintf(path, sizeof path, "%s", rel);
	int pxe = ends_with(path, ".pxe");
	if (pxe) {
		path[strlen(path) - 4] = 0;
		if (ends_with(path, "/")) {
			tool_error(host, "name is empty without its .pxe suffix");
			w->failed = 1;
			return;
		}
	}
	if (strlen(path) >= PXFS_PATH_MAX) {
		tool_error(host, "image path %s is %zu bytes long (%u at most)", path, strlen(path),
		           PXFS_PATH_MAX - 1);
		w->failed = 1;
		return;
	}
	const char *why = pxfs_check_path(path);
	if (why) {
		tool_error(host, "image path %s: %s", path, why);
		w->failed = 1;
		return;
	}
	if (size > UINT32_MAX) {
		tool_error(host, "file too large (%llu bytes)", (unsigned long long)size);
		w->failed = 1;
		return;
	}
	w->rows += (size + w->row - 1) / w->row;
	if (w->rows > PXFS_MAX_HEIGHT) {
		tool_error(host, "the files so far need more than %u rows of %llu bytes: too much "
		           "data for one image (try a larger --width)", PXFS_MAX_HEIGHT,
		           (unsigned long long)w->row);
		w->failed = w->stopped = 1;
		return;
	}
	if (read_all(host, size, &f.data) != 0) {
		w->failed = 1;
		return;
	}
	uint32_t magic = 0;
	if (size >= 4)
		memcpy(&magic, f.data, 4);
	if (pxe || magic == PXE_MAGIC)
		f.type = PXFS_TYPE_PROGRAM;
	else if (ends_with(path, ".txt") || ends_with(path, ".md") || ends_with(path, ".cfg") || ends_with(path, ".py"))
		f.type = PXFS_TYPE_TEXT;
	else
		f.type = PXFS_TYPE_DATA;
	if (pxe && magic != PXE_MAGIC)
		fprintf(stderr, "pxfs: warning: %s: no PXE1 header, stored as a program anyway\n",
		        host);
	memcpy(f.path, path, strlen(path) + 1);
	f.size = (uint32_t)size;
	f.src = strdup(host);
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 64;
		w->files = realloc(w->files, w->cap * sizeof *w->files);
	}
	if (!f.src || !w->files) {
		fputs("pxfs: out of memory\n", stderr);
		exit(1);
	}
	w->files[w->n++] = f;
}

static int dir_is_empty(const char *host)
{
	DIR *d = opendir(host);
	struct dirent *e;
	int empty = 1;

	while (d && empty && (e = readdir(d)) != NULL)
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return empty;
}

static void walk_dir(struct walk *w, const char *host, const char *rel)
{
	DIR *d = opendir(host);
	struct dirent *e;

	if (!d) {
		tool_error(host, "%s", strerror(errno));
		w->failed = 1;
		return;
	}
	while (!w->stopped && (errno = 0, e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *chost = join(host, e->d_name), *crel = join(rel, e->d_name);
		struct stat st;
		if (stat(chost, &st) != 0) {
			tool_error(chost, "%s", strerror(errno));
			w->failed = 1;
		} else if (S_ISDIR(st.st_mode)) {
			/* Bounds the recursion too (symbolic link loops). */
			if (strlen(crel) + 2 >= PXFS_PATH_MAX) {
				if (!dir_is_empty(chost)) {
					tool_error(chost, "directory path %s is too long to hold files "
					           "(paths are %u bytes at most)", crel, PXFS_PATH_MAX - 1);
					w->failed = 1;
				}
			} else {
				walk_dir(w, chost, crel);
			}
		} else if (S_ISREG(st.st_mode)) {
			add_file(w, chost, crel, (uint64_t)st.st_size);
		} else {
			tool_error(chost, "not a regular file or directory");
			w->failed = 1;
		}
		free(chost);
		free(crel);
	}
	if (errno && !w->stopped) {
		tool_error(host, "%s", strerror(errno));
		w->failed = 1;
	}
	closedir(d);
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct src_file *)a)->path, ((const struct src_file *)b)->path);
}

/* Two sources that map to one image path, or a file that is also a directory. */
static int find_clashes(const struct walk *w)
{
	int clash = 0;

	for (uint32_t i = 0; i < w->n; i++) {
		const char *a = w->files[i].path;
		size_t la = strlen(a);
		for (uint32_t j = i + 1; j < w->n; j++) {
			const char *b = w->files[j].path;
			if (!strcmp(a, b)) {
				tool_error(w->files[i].src, "clashes with %s: both become %s",
				           w->files[j].src, a);
				clash = 1;
			} else if (!strncmp(a, b, la) && b[la] == '/') {
				tool_error(w->files[i].src, "becomes %s, which is also the directory of "
				           "%s (from %s)", a, b, w->files[j].src);
				clash = 1;
			}
		}
	}
	return clash;
}

static int build_image(const struct walk *w, const char *out, uint32_t width)
{
	struct pxfs_input *in = calloc(w->n ? w->n : 1, sizeof *in);
	const char *why = NULL;
	int rc = 1;

	if (!in) {
		fputs("pxfs: out of memory\n", stderr);
		return 1;
	}
	for (uint32_t i = 0; i < w->n; i++)
		in[i] = (struct pxfs_input){ w->files[i].path, w->files[i].type, w->files[i].data,
		                             w->files[i].size };
	uint32_t height = pxfs_layout_check(in, w->n, width, &why);
	uint8_t *px = height ? malloc((size_t)width * height * 4u) : NULL;
	if (!height) {
		tool_error(out, "%s", why);
	} else if (!px) {
		fputs("pxfs: out of memory\n", stderr);
	} else if (pxfs_build(in, w->n, width, height, px, &why) != 0) {
		tool_error(out, "%s", why);
	} else {
		/* Self-check: the image must mount with every file good. */
		static uint8_t bad[PXFS_MAX_FILES];
		struct pxfs fs;
		int m = pxfs_mount(&fs, px, width, height, bad, NULL, NULL);
		if (m != 0 || fs.good != w->n) {
			tool_error(out, "internal error: the built image does not verify (%s)",
			           m ? pxfs_strerror(m) : "bad files");
		} else if (png_save(out, px, width, height) == 0) {
			uint64_t bytes = 0;
			for (uint32_t i = 0; i < w->n; i++)
				bytes += w->files[i].size;
			printf("%s: %u files, %llu bytes, %u x %u pixels\n", out, w->n,
			       (unsigned long long)bytes, width, height);
			rc = 0;
		}
	}
	free(px);
	free(in);
	return rc;
}

int cmd_build(int argc, char **argv)
{
	const char *pos[2];
	int npos = 0;
	uint32_t width = PXFS_DEFAULT_WIDTH;

	for (int i = 1; i < argc; i++) {
		const char *val = NULL;
		if (!strcmp(argv[i], "--width")) {
			if (i + 1 >= argc) {
				tool_error("--width", "needs a value");
				return 1;
			}
			val = argv[++i];
		} else if (!strncmp(argv[i], "--width=", 8)) {
			val = argv[i] + 8;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			tool_error(argv[i], "unknown option (usage: pxfs build OUT.png ROOTDIR "
			           "[--width N])");
			return 1;
		} else if (npos < 2) {
			pos[npos++] = argv[i];
			continue;
		} else {
			tool_error(argv[i], "extra argument (usage: pxfs build OUT.png ROOTDIR "
			           "[--width N])");
			return 1;
		}
		if (tool_parse_u32(val, &width) != 0 || width < PXFS_MIN_WIDTH ||
		    width > PXFS_MAX_WIDTH) {
			tool_error("--width", "'%s' is not a width in %u..%u pixels", val,
			           PXFS_MIN_WIDTH, PXFS_MAX_WIDTH);
			return 1;
		}
	}
	if (npos != 2) {
		fputs("usage: pxfs build OUT.png ROOTDIR [--width N]\n", stderr);
		return 1;
	}

	const char *out = pos[0], *root = pos[1];
	struct stat st;
	if (stat(root, &st) != 0) {
		tool_error(root, "%s", strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		tool_error(root, "not a directory");
		return 1;
	}
	/* rows: the superblock and the data so far, to stop reading early when the
	 * files cannot fit; pxfs_layout_check does the exact sum with the directory. */
	struct walk w = { .row = (uint64_t)width * 4u, .rows = 1 };
	walk_dir(&w, root, "");
	int rc = 1;
	if (!w.failed) {
		if (w.n)
			qsort(w.files, w.n, sizeof *w.files, by_path);
		if (!find_clashes(&w))
			rc = build_image(&w, out, width);
	}
	if (rc)
		fprintf(stderr, "pxfs: %s: not written\n", out);
	for (uint32_t i = 0; i < w.n; i++) {
		free(w.files[i].src);
		free(w.files[i].data);
	}
	free(w.files);
	return rc;
}
