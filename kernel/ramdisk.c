/*
 * ramdisk.c — PixelFS ramdisk mounting; see ramdisk.h.
 */
#include "ramdisk.h"
#include "pngload.h"
#include "klog.h"
#include "lib.h"

static uint8_t bad_flags[PXFS_MAX_FILES];
static unsigned rejected;

static void report(void *ctx, const char *path, const char *why)
{
	(void)ctx;
	rejected++;
	kerror("pixelfs", "%s: %s; file left out", path, why);
}

int ramdisk_mount(const struct pxos_bootinfo *bi, struct pxfs *fs)
{
	memset(fs, 0, sizeof(*fs));
	if (!bi->ramdisk || !bi->ramdisk_size) {
		kerror("pixelfs", "no ramdisk from the loader (is \\pxos\\pixelfs.png on the ESP?); no files");
		return -1;
	}
	const char *why;
	uint32_t w, h;
	uint8_t *px = png_decode_rgba((const void *)(uintptr_t)bi->ramdisk, bi->ramdisk_size, &w, &h, &why);
	if (!px) {
		kerror("pixelfs", "ramdisk image corrupt: not a decodable PNG (%s); continuing without files", why);
		return -1;
	}
	rejected = 0;
	int err = pxfs_mount(fs, px, w, h, bad_flags, report, 0);
	if (err) {
		kerror("pixelfs", "ramdisk image corrupt: %s; continuing without files", pxfs_strerror(err));
		png_free(px);
		memset(fs, 0, sizeof(*fs));
		return -1;
	}
	/* The decoded pixels stay allocated: the mounted files point into them. */
	kinfo("pixelfs", "mounted %u files (%u rejected) from a %ux%u image: /boot %u, /apps %u",
	      fs->good, rejected, w, h, pxfs_count_in(fs, "/boot/"), pxfs_count_in(fs, "/apps/"));
	return 0;
}
