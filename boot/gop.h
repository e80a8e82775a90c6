/*
 * gop.h — choosing and setting the video mode through the UEFI Graphics Output
 * Protocol (UEFI 2.10 §12.9) and describing its linear framebuffer.
 *
 * Choice, in order: the mode boot.cfg asks for (if GOP offers it with a 32-bit
 * linear framebuffer, else a warning); else the current mode if it is 32-bit
 * linear (on real PCs usually the panel's native mode); else the largest 32-bit
 * linear mode. "32-bit linear" is decided by pixfmt_check (boot/pixfmt.h).
 * SetMode is called only when the mode changes, and as late as possible (see
 * gop_apply).
 */
#ifndef PXOS_BOOT_GOP_H
#define PXOS_BOOT_GOP_H

#include <efi.h>
#include <stdbool.h>
#include "boot/bootinfo.h"

/* The mode gop_choose picked. */
struct gop_choice {
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;
	UINT32 mode;   /* GOP mode number */
	bool change;   /* differs from the current mode: gop_apply calls SetMode */
};

/* gop_choose: pick the mode (want_w x want_h from boot.cfg, or 0 x 0 for no
 * request) without changing anything yet, and report the choice and any
 * warning. Errors (already reported): EFI_NOT_FOUND without GOP,
 * EFI_UNSUPPORTED without a usable mode, EFI_DEVICE_ERROR when QueryMode fails
 * for the chosen mode. */
EFI_STATUS gop_choose(UINT32 want_w, UINT32 want_h, struct gop_choice *c);

/* gop_apply: set the chosen mode if it differs from the current one and fill
 * *fb (base, size, width, height, stride = PixelsPerScanLine, format, the four
 * channel masks, mode). The loader calls it after its last fallible file step:
 * the firmware's text console keeps the old geometry after a mode change, so
 * messages printed later may be clipped on screen (serial keeps them whole).
 * Errors (already reported): the status of a failed SetMode; EFI_DEVICE_ERROR
 * or EFI_UNSUPPORTED when the mode in force is not usable or its framebuffer is
 * smaller than stride * height * 4 bytes. */
EFI_STATUS gop_apply(const struct gop_choice *c, struct pxos_framebuffer *fb);

#endif /* PXOS_BOOT_GOP_H */
