/*
 * png_io.c — PNG files in and out of `pxfs`, via stb_image / stb_image_write
 * (Debian libstb-dev), whose implementations are compiled here and only here.
 * Input is checked with pxvm/pngcheck.h before stb_image sees it.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/pxfs/pxfs_tool.h"
#include "kernel/param.h"
#include "pxvm/pngcheck.h"

/* Third-party code: a warning suppression it ever needs goes inside this
 * push/pop, never on the command line. Debian 12's stb needs none with gcc 12 or
 * clang 14 under -Wall -Wextra at -O0..-O3 (checked also with the headers outside
 * /usr/include, where system-header silencing does not apply). */
#pragma GCC diagnostic push
#define STBI_ONLY_PNG
#define STBI_NO_HDR
#define STBI_NO_LINEAR
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>
#pragma GCC diagnostic pop

/* read_file: the whole regular file `path` of at most HOSTIO_IMAGE_FILE_MAX
 * bytes into a malloc'd buffer; NULL with the reason reported. */
static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat sb;
	if (!f) {
		tool_error(path, "%s", strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &sb) != 0) {
		tool_error(path, "%s", strerror(errno));
		fclose(f);
		return NULL;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size > HOSTIO_IMAGE_FILE_MAX) {
		tool_error(path, "%s", S_ISDIR(sb.st_mode) ? "is a directory"
		           : !S_ISREG(sb.st_mode) ? "not a regular file"
		           : "larger than the limit of an image file (HOSTIO_IMAGE_FILE_MAX)");
		fclose(f);
		return NULL;
	}
	size_t n = (size_t)sb.st_size;
	uint8_t *buf = malloc(n ? n : 1);
	if (!buf || fread(buf, 1, n, f) != n) {
		tool_error(path, "cannot read: %s", buf ? (ferror(f) ? strerror(errno) : "shorter than it was")
		                                        : strerror(ENOMEM));
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

int png_load(const char *path, struct tool_image *img)
{
	int w, h, comp;
	size_t n;

	memset(img, 0, sizeof *img);
	uint8_t *data = read_file(path, &n);
	if (!data)
		return -1;
	char why[160];
	struct png_info info;
	if (png_check(data, n, HOSTIO_DECODE_MAX, &info, why, sizeof why)) {
		tool_error(path, "not a readable PNG: %s", why);
		free(data);
		return -1;
	}
	if (n > INT_MAX || !stbi_info_from_memory(data, (int)n, &w, &h, &comp)) {
		const char *r = stbi_failure_reason();
		tool_error(path, "not a readable PNG (%s)", r ? r : "no reason given");
		free(data);
		return -1;
	}
	int is16 = stbi_is_16_bit_from_memory(data, (int)n);
	if (is16 || comp != 4) {
		tool_error(path, "not an 8-bit RGBA PNG (%d channels%s): PixelFS images are RGBA8",
		           comp, is16 ? ", 16-bit" : "");
		free(data);
		return -1;
	}
	if (w < (int)PXFS_MIN_WIDTH || w > (int)PXFS_MAX_WIDTH || h < 1 ||
	    h > (int)PXFS_MAX_HEIGHT) {
		tool_error(path, "%d x %d pixels: a PixelFS image is %u..%u pixels wide and at most "
		           "%u rows", w, h, PXFS_MIN_WIDTH, PXFS_MAX_WIDTH, PXFS_MAX_HEIGHT);
		free(data);
		return -1;
	}
	uint8_t *px = stbi_load_from_memory(data, (int)n, &w, &h, &comp, 4);
	free(data);
	if (!px) {
		const char *r = stbi_failure_reason();
		tool_error(path, "cannot decode PNG (%s)", r ? r : "no reason given");
		return -1;
	}
	img->pixels = px;
	img->width = (uint32_t)w;
	img->height = (uint32_t)h;
	return 0;
}

void png_free(struct tool_image *img)
{
	stbi_image_free(img->pixels);
	img->pixels = NULL;
}

struct png_sink {
	FILE *f;
	int failed;
};

static void png_sink_write(void *ctx, void *data, int size)
{
	struct png_sink *s = ctx;

	if (!s->failed && fwrite(data, 1, (size_t)size, s->f) != (size_t)size)
		s->failed = errno ? errno : EIO;
}

int png_save(const char *path, const uint8_t *pixels, uint32_t width, uint32_t height)
{
	char tmp[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path) + 1 : 0;

	if (snprintf(tmp, sizeof tmp, "%.*s.%s.XXXXXX", dirlen, path, path + dirlen) >=
	    (int)sizeof tmp) {
		tool_error(path, "path too long");
		return -1;
	}
	int fd = mkstemp(tmp);
	if (fd < 0) {
		tool_error(path, "cannot create a temporary file beside it: %s", strerror(errno));
		return -1;
	}
	mode_t mask = umask(0);
	umask(mask);
	struct png_sink sink = { fdopen(fd, "wb"), 0 };
	int ok = sink.f != NULL;
	if (!ok) {
		sink.failed = errno;
		close(fd);
	} else {
		errno = 0;
		ok = stbi_write_png_to_func(png_sink_write, &sink, (int)width, (int)height, 4,
		                            pixels, (int)(width * 4u));
		if (!ok && !sink.failed)
			sink.failed = ENOMEM;
		if (fflush(sink.f) != 0 && !sink.failed)
			sink.failed = errno;
		if (fchmod(fd, 0666 & ~mask) != 0 && !sink.failed)
			sink.failed = errno;
		if (fsync(fd) != 0 && !sink.failed)
			sink.failed = errno;
		if (fclose(sink.f) != 0 && !sink.failed)
			sink.failed = errno;
	}
	if (!sink.failed && rename(tmp, path) != 0)
		sink.failed = errno;
	if (sink.failed) {
		tool_error(path, "cannot write PNG: %s", strerror(sink.failed));
		unlink(tmp);
		return -1;
	}
	return 0;
}
