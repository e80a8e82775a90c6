/*
 * pixfmt.h — deciding whether a GOP pixel format is a 32-bit linear framebuffer
 * pxOS can use, and its channel masks (pure C: no EFI, no libc).
 *
 * Follows UEFI 2.10 §12.9 (EFI_GRAPHICS_PIXEL_FORMAT, EFI_PIXEL_BITMASK): the
 * pixel size of PixelBitMask is given by the highest bit set in the masks.
 * Usable: PixelRedGreenBlueReserved8BitPerColor (0),
 * PixelBlueGreenRedReserved8BitPerColor (1), and PixelBitMask (2) whose red,
 * green and blue masks are non-zero, each mask is one contiguous run of bits,
 * no two masks overlap, and the highest set bit is in bits 24..31 (a 4-byte
 * pixel). PixelBltOnly (3) has no framebuffer at all.
 */
#ifndef PXOS_BOOT_PIXFMT_H
#define PXOS_BOOT_PIXFMT_H

#include <stddef.h>
#include <stdint.h>

/* UEFI EFI_GRAPHICS_PIXEL_FORMAT values (same numbers as enum pxos_pixel_format). */
#define PIXFMT_UEFI_RGBX8    0u
#define PIXFMT_UEFI_BGRX8    1u
#define PIXFMT_UEFI_BITMASK  2u
#define PIXFMT_UEFI_BLT_ONLY 3u

/* Channel masks within a 32-bit little-endian pixel. */
struct pixfmt_masks {
	uint32_t red, green, blue, reserved;
};

/* pixfmt_check: classify UEFI pixel format `format` with masks `in` (only read
 * for PixelBitMask). Returns 0 and fills *out with the masks (the equivalent
 * masks for RGBX8/BGRX8, e.g. BGRX8: red 0x00FF0000, green 0x0000FF00, blue
 * 0x000000FF, reserved 0xFF000000), or -1 with a reason in `why` (`whylen`
 * bytes, e.g. "BltOnly"). */
int pixfmt_check(uint32_t format, const struct pixfmt_masks *in, struct pixfmt_masks *out,
		 char *why, size_t whylen);

/* pixfmt_name: short name of a UEFI pixel format ("BGRX8", "bitmask", ...). */
const char *pixfmt_name(uint32_t format);

#endif /* PXOS_BOOT_PIXFMT_H */
