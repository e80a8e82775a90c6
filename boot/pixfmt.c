/*
 * pixfmt.c — GOP pixel-format checks; see pixfmt.h.
 */
#include "boot/pixfmt.h"
#include "boot/fmt.h"

#include <stdbool.h>

/* One contiguous run of set bits (zero counts as contiguous). */
static bool contiguous(uint32_t m)
{
	if (m == 0)
		return true;
	uint32_t low = m & (~m + 1u); /* lowest set bit */
	uint32_t run = m + low;        /* carries out of the run if contiguous */
	return (run & m) == 0;
}

static int highest_bit(uint32_t m)
{
	int b = -1;
	while (m) {
		b++;
		m >>= 1;
	}
	return b;
}

int pixfmt_check(uint32_t format, const struct pixfmt_masks *in, struct pixfmt_masks *out,
		 char *why, size_t whylen)
{
	switch (format) {
	case PIXFMT_UEFI_RGBX8:
		*out = (struct pixfmt_masks){ 0x000000FFu, 0x0000FF00u, 0x00FF0000u, 0xFF000000u };
		return 0;
	case PIXFMT_UEFI_BGRX8:
		*out = (struct pixfmt_masks){ 0x00FF0000u, 0x0000FF00u, 0x000000FFu, 0xFF000000u };
		return 0;
	case PIXFMT_UEFI_BLT_ONLY:
		fmt_snprintf(why, whylen, "BltOnly");
		return -1;
	case PIXFMT_UEFI_BITMASK:
		break;
	default:
		fmt_snprintf(why, whylen, "unknown pixel format %u", format);
		return -1;
	}

	const uint32_t m[4] = { in->red, in->green, in->blue, in->reserved };
	const char *names[4] = { "red", "green", "blue", "reserved" };
	for (int i = 0; i < 3; i++) {
		if (m[i] == 0) {
			fmt_snprintf(why, whylen, "bitmask with an empty %s mask", names[i]);
			return -1;
		}
	}
	for (int i = 0; i < 4; i++) {
		if (!contiguous(m[i])) {
			fmt_snprintf(why, whylen, "bitmask with a non-contiguous %s mask 0x%08x",
				     names[i], m[i]);
			return -1;
		}
		for (int j = i + 1; j < 4; j++) {
			if (m[i] & m[j]) {
				fmt_snprintf(why, whylen, "bitmask whose %s and %s masks overlap",
					     names[i], names[j]);
				return -1;
			}
		}
	}
	int top = highest_bit(m[0] | m[1] | m[2] | m[3]);
	if (top < 24) {
		fmt_snprintf(why, whylen, "bitmask with %d-bit pixels, not 32-bit", top + 1);
		return -1;
	}
	*out = (struct pixfmt_masks){ m[0], m[1], m[2], m[3] };
	return 0;
}

const char *pixfmt_name(uint32_t format)
{
	switch (format) {
	case PIXFMT_UEFI_RGBX8: return "RGBX8";
	case PIXFMT_UEFI_BGRX8: return "BGRX8";
	case PIXFMT_UEFI_BITMASK: return "bitmask";
	case PIXFMT_UEFI_BLT_ONLY: return "BltOnly";
	default: return "unknown";
	}
}
