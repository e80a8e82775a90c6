/*
 * hostio.c — file and image input for the host tools; see hostio.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/common/hostio.h"

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
	if (rc) {
		free(buf);
		return rc;
	}
	buf[n] = 0;
	*data = buf;
	*len = n;
	return 0;
}

int hostio_load_image(const char *path, uint32_t channels, uint32_t max_w, uint32_t max_h,
                      struct hostio_image *img, char *err, size_t cap)
{
	int w, h, comp;
	memset(img, 0, sizeof *img);
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, cap, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!stbi_info_from_file(f, &w, &h, &comp)) {
		snprintf(err, cap, "%s: not a readable PNG or PPM (%s)", path, stbi_failure_reason());
		fclose(f);
		return -1;
	}
	if (w < 1 || h < 1 || (uint32_t)w > max_w || (uint32_t)h > max_h) {
		snprintf(err, cap, "%s: %d x %d pixels: at most %u x %u here", path, w, h, max_w, max_h);
		fclose(f);
		return -1;
	}
	uint8_t *px = stbi_load_from_file(f, &w, &h, &comp, (int)channels);
	fclose(f);
	if (!px) {
		snprintf(err, cap, "%s: cannot decode the image (%s)", path, stbi_failure_reason());
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
