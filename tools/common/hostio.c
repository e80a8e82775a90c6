/*
 * hostio.c — file and image input for the host tools; see hostio.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/common/hostio.h"
#include "kernel/param.h"
#include "pxvm/pngcheck.h"

/* Third-party code: any warning suppression it needs goes inside this push/pop. */
#pragma GCC diagnostic push
#define STBI_ONLY_PNG
#define STBI_ONLY_PNM /* QEMU's `screendump` writes PPM unless asked for PNG */
#define STBI_NO_HDR
#define STBI_NO_LINEAR
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>
#pragma GCC diagnostic pop

/* finish_read: the end of a read of n bytes into buf (room for n + 1):
 * on error rc, buf freed and rc; else the NUL after the data, *data and *len
 * set, 0. */
static int finish_read(uint8_t *buf, size_t n, int rc, uint8_t **data, size_t *len)
{
	if (rc) {
		free(buf);
		return rc;
	}
	buf[n] = 0;
	*data = buf;
	*len = n;
	return 0;
}

int hostio_read_file(const char *path, uint8_t **data, size_t *len)
{
	*data = NULL;
	*len = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return errno ? errno : ENOENT;
	size_t cap = 0, n = 0;
	uint8_t *buf = NULL;
	for (;;) {
		if (n + 1 >= cap) { /* room for the data and the NUL after it */
			cap = cap ? cap * 2 : 65536;
			uint8_t *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return ENOMEM;
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - 1 - n, f);
		n += got;
		if (got == 0)
			break;
	}
	int rc = ferror(f) ? EIO : 0;
	fclose(f);
	return finish_read(buf, n, rc, data, len);
}

int hostio_read_regular(const char *path, size_t max, uint8_t **data, size_t *len)
{
	*data = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno ? errno : ENOENT;
	struct stat sb;
	int rc = 0;
	if (fstat(fd, &sb) != 0)
		rc = errno;
	else if (S_ISDIR(sb.st_mode))
		rc = EISDIR;
	else if (!S_ISREG(sb.st_mode))
		rc = HOSTIO_ENOTREG;
	else if ((uint64_t)sb.st_size > max)
		rc = EFBIG;
	uint8_t *buf = NULL;
	size_t n = 0;
	if (!rc) {
		size_t cap = (size_t)sb.st_size + 1; /* room for the NUL; a file may still grow */
		buf = malloc(cap + 1);
		if (!buf)
			rc = ENOMEM;
		for (;;) {
			if (rc)
				break;
			ssize_t got = read(fd, buf + n, cap - n);
			if (got < 0) {
				if (errno == EINTR)
					continue;
				rc = errno;
				break;
			}
			if (got == 0)
				break;
			n += (size_t)got;
			if (n > max) {
				rc = EFBIG;
			} else if (n == cap) {
				size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
				uint8_t *nb = ncap > cap ? realloc(buf, ncap + 1) : NULL;
				if (!nb)
					rc = ncap > cap ? ENOMEM : EFBIG;
				else
					buf = nb, cap = ncap;
			}
		}
	}
	close(fd);
	return finish_read(buf, n, rc, data, len);
}

int hostio_fail(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (cap)
		vsnprintf(err, cap, fmt, ap);
	va_end(ap);
	return -1;
}

const char *hostio_strerror(int rc)
{
	return rc == HOSTIO_ENOTREG ? "not a regular file" : strerror(rc);
}

int hostio_load_image(const char *path, uint32_t channels, uint32_t max_w, uint32_t max_h,
                      struct hostio_image *img, char *err, size_t cap)
{
	int w, h, comp;
	memset(img, 0, sizeof *img);
	uint8_t *data;
	size_t n;
	int rc = hostio_read_regular(path, HOSTIO_IMAGE_FILE_MAX, &data, &n);
	if (rc) {
		if (rc == EFBIG)
			snprintf(err, cap, "%s: larger than %u MiB, the limit of an image file", path,
			         (unsigned)(HOSTIO_IMAGE_FILE_MAX >> 20));
		else
			snprintf(err, cap, "%s: %s", path, hostio_strerror(rc));
		return -1;
	}
	char why[160];
	if (png_is_png(data, n) && png_check(data, n, HOSTIO_DECODE_MAX, NULL, why, sizeof why)) {
		snprintf(err, cap, "%s: not a readable PNG: %s", path, why);
		free(data);
		return -1;
	}
	if (n > 0x7FFFFFFF || !stbi_info_from_memory(data, (int)n, &w, &h, &comp)) {
		const char *r = n > 0x7FFFFFFF ? "too large" : stbi_failure_reason();
		snprintf(err, cap, "%s: not a readable PNG or PPM (%s)", path, r ? r : "no reason given");
		free(data);
		return -1;
	}
	if (w < 1 || h < 1 || (uint32_t)w > max_w || (uint32_t)h > max_h) {
		snprintf(err, cap, "%s: %d x %d pixels: at most %u x %u here", path, w, h, max_w, max_h);
		free(data);
		return -1;
	}
	uint8_t *px = stbi_load_from_memory(data, (int)n, &w, &h, &comp, (int)channels);
	free(data);
	if (!px) {
		const char *r = stbi_failure_reason();
		snprintf(err, cap, "%s: cannot decode the image (%s)", path, r ? r : "no reason given");
		return -1;
	}
	img->px = px;
	img->width = (uint32_t)w;
	img->height = (uint32_t)h;
	img->channels = channels;
	return 0;
}

void hostio_image_free(struct hostio_image *img)
{
	stbi_image_free(img->px);
	img->px = NULL;
}
