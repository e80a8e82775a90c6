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
 *
 * Headless: when there is no GOP at all (QEMU -vga none), no 32-bit linear
 * mode (virtio-gpu offers only BltOnly modes), or setting the mode fails, the
 * loader says so and boots on: the boot info's framebuffer is all zero with
 * `absent` saying why (enum pxos_fb_absent), and the kernel runs with the
 * serial console alone.
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
	uint32_t absent; /* enum pxos_fb_absent: why there is no mode (gop == NULL) */
};

/* gop_choose: pick the mode (want_w x want_h from boot.cfg, or 0 x 0 for no
 * request) without changing anything yet, and report the choice and any
 * warning. Without a GOP or a usable mode it chooses headless (c->gop NULL,
 * c->absent set) and warns. Errors (already reported): EFI_DEVICE_ERROR when
 * QueryMode fails for the chosen mode. */
EFI_STATUS gop_choose(UINT32 want_w, UINT32 want_h, struct gop_choice *c);

/* gop_apply: set the chosen mode if it differs from the current one and fill
 * *fb (base, size, width, height, stride = PixelsPerScanLine, format, the four
 * channel masks, mode). The loader calls it after its last fallible file step:
 * the firmware's text console keeps the old geometry after a mode change, so
 * messages printed later may be clipped on screen (serial keeps them whole).
 * Headless (chosen so, or SetMode fails, or the mode in force is unusable or
 * its framebuffer smaller than stride * height * 4 bytes): *fb is all zero
 * but `absent`, with a warning. Always returns EFI_SUCCESS. */
EFI_STATUS gop_apply(const struct gop_choice *c, struct pxos_framebuffer *fb);

#endif /* PXOS_BOOT_GOP_H */
