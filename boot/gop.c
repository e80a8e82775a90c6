/*
 * gop.c — GOP mode selection; see gop.h.
 */
#include "boot/gop.h"
#include "boot/fmt.h"
#include "boot/log.h"
#include "boot/pixfmt.h"

#include <efilib.h>

#define NO_MODE 0xFFFFFFFFu

struct mode {
	UINT32 width, height, stride, format;
	struct pixfmt_masks masks;
	bool usable;
	char why[96];  /* when !usable */
};

/* Query mode `n`; false when the firmware cannot describe it. */
static bool query(EFI_GRAPHICS_OUTPUT_PROTOCOL *gop, UINT32 n, struct mode *m)
{
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info = NULL;
	UINTN size = 0;
	EFI_STATUS st = uefi_call_wrapper(gop->QueryMode, 4, gop, n, &size, &info);
	if (EFI_ERROR(st) || !info || size < sizeof(*info))
		return false;
	m->width = info->HorizontalResolution;
	m->height = info->VerticalResolution;
	m->stride = info->PixelsPerScanLine;
	m->format = (UINT32)info->PixelFormat;
	struct pixfmt_masks in = {
		info->PixelInformation.RedMask, info->PixelInformation.GreenMask,
		info->PixelInformation.BlueMask, info->PixelInformation.ReservedMask,
	};
	FreePool(info);
	m->usable = pixfmt_check(m->format, &in, &m->masks, m->why, sizeof(m->why)) == 0;
	if (m->usable && (m->width == 0 || m->height == 0 || m->stride < m->width)) {
		fmt_snprintf(m->why, sizeof(m->why), "%ux%u with %u pixels per scan line",
			     m->width, m->height, m->stride);
		m->usable = false;
	}
	return true;
}

static void warn_unusable(UINT32 n, const struct mode *m, const char *which)
{
	if (m->format == PIXFMT_UEFI_BLT_ONLY)
		log_warn("%sGOP mode %u is BltOnly: pxOS needs a linear framebuffer", which, n);
	else
		log_warn("%sGOP mode %u (%ux%u) is unusable (%s): pxOS needs a 32-bit linear framebuffer",
			 which, n, m->width, m->height, m->why);
}

/* The mode boot.cfg asks for, or NO_MODE (with a warning saying why). */
static UINT32 find_requested(EFI_GRAPHICS_OUTPUT_PROTOCOL *gop, UINT32 w, UINT32 h)
{
	char offered[LOG_LINE_MAX - 100];
	size_t len = 0;
	bool seen = false, cut = false;
	offered[0] = '\0';
	for (UINT32 n = 0; n < gop->Mode->MaxMode; n++) {
		struct mode m;
		if (!query(gop, n, &m))
			continue;
		if (m.width == w && m.height == h) {
			if (m.usable)
				return n;
			warn_unusable(n, &m, "boot.cfg video: ");
			seen = true;
		} else if (m.usable) {
			/* Append " WxH" only when it fits whole; else mark the cut. */
			char item[24];
			size_t k = (size_t)fmt_snprintf(item, sizeof(item), " %ux%u", m.width, m.height);
			if (!cut && len + k + 4 < sizeof(offered)) {
				__builtin_memcpy(offered + len, item, k + 1);
				len += k;
			} else if (!cut) {
				__builtin_memcpy(offered + len, " ...", 5);
				cut = true;
			}
		}
	}
	if (!seen)
		log_warn("boot.cfg asks for video %ux%u, which GOP does not offer (it offers:%s)",
			 w, h, len ? offered : " nothing usable");
	return NO_MODE;
}

/* The largest usable mode, or NO_MODE; counts the BltOnly modes in *blt_only. */
static UINT32 find_largest(EFI_GRAPHICS_OUTPUT_PROTOCOL *gop, UINT32 *blt_only)
{
	*blt_only = 0;
	UINT32 best = NO_MODE;
	UINT64 best_area = 0;
	for (UINT32 n = 0; n < gop->Mode->MaxMode; n++) {
		struct mode m;
		if (!query(gop, n, &m))
			continue;
		if (!m.usable) {
			*blt_only += m.format == PIXFMT_UEFI_BLT_ONLY;
			continue;
		}
		UINT64 area = (UINT64)m.width * m.height;
		if (area > best_area) {
			best = n;
			best_area = area;
		}
	}
	return best;
}

/* headless: choose no framebuffer, for `why`. */
static EFI_STATUS headless(struct gop_choice *c, uint32_t why)
{
	*c = (struct gop_choice){ .gop = NULL, .absent = why };
	log_warn("no usable screen: booting headless, the serial console is the only console");
	return EFI_SUCCESS;
}

EFI_STATUS gop_choose(UINT32 want_w, UINT32 want_h, struct gop_choice *c)
{
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = NULL;
	EFI_STATUS st = uefi_call_wrapper(BS->LocateProtocol, 3, &GraphicsOutputProtocol, NULL,
					  (void **)&gop);
	if (EFI_ERROR(st) || !gop || !gop->Mode) {
		log_warn("no Graphics Output Protocol (%s): the firmware offers no framebuffer",
			 log_status(EFI_ERROR(st) ? st : EFI_NOT_FOUND));
		return headless(c, PXOS_FB_NO_GOP);
	}

	/* The current mode, when the firmware has started one. */
	UINT32 current = NO_MODE;
	struct mode cur;
	if (gop->Mode->Mode < gop->Mode->MaxMode && query(gop, gop->Mode->Mode, &cur))
		current = gop->Mode->Mode;

	UINT32 chosen = NO_MODE;
	const char *reason = "";
	if (want_w) {
		chosen = find_requested(gop, want_w, want_h);
		reason = "asked for by boot.cfg";
	}
	if (chosen == NO_MODE && current != NO_MODE) {
		if (cur.usable) {
			chosen = current;
			reason = "the current mode";
		} else {
			warn_unusable(current, &cur, "current ");
		}
	}
	if (chosen == NO_MODE) {
		UINT32 blt_only;
		chosen = find_largest(gop, &blt_only);
		reason = "the largest 32-bit linear mode";
		if (chosen == NO_MODE) {
			log_warn("no GOP mode (of %u, %u of them BltOnly) has a 32-bit linear framebuffer",
				 gop->Mode->MaxMode, blt_only);
			return headless(c, PXOS_FB_NO_LINEAR_MODE);
		}
	}
	struct mode m;
	if (!query(gop, chosen, &m)) {
		log_info("GOP cannot describe mode %u", chosen);
		return EFI_DEVICE_ERROR;
	}
	c->gop = gop;
	c->mode = chosen;
	c->change = chosen != current;
	c->absent = PXOS_FB_PRESENT;
	log_info("video: GOP mode %u, %ux%u %s (%s)%s", chosen, m.width, m.height,
		 pixfmt_name(m.format), reason,
		 c->change ? "; it is set just before the handoff" : "; keeping it");
	return EFI_SUCCESS;
}

/* apply_headless: no framebuffer in the boot info, for `why`. */
static EFI_STATUS apply_headless(struct pxos_framebuffer *fb, uint32_t why)
{
	*fb = (struct pxos_framebuffer){ .absent = why };
	log_info("video: none (headless): the kernel uses the serial console only");
	return EFI_SUCCESS;
}

EFI_STATUS gop_apply(const struct gop_choice *c, struct pxos_framebuffer *fb)
{
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = c->gop;
	if (!gop)
		return apply_headless(fb, c->absent ? c->absent : PXOS_FB_NO_GOP);
	if (c->change) {
		EFI_STATUS st = uefi_call_wrapper(gop->SetMode, 2, gop, c->mode);
		if (EFI_ERROR(st)) {
			log_warn("GOP SetMode(%u) failed (%s)", c->mode, log_status(st));
			return apply_headless(fb, PXOS_FB_SET_FAILED);
		}
	}

	/* Describe the mode now in force, as the firmware reports it. */
	struct mode m;
	if (gop->Mode->Mode != c->mode || !query(gop, c->mode, &m) || !m.usable) {
		log_warn("GOP mode %u is not in force or not usable after setting it", c->mode);
		return apply_headless(fb, PXOS_FB_SET_FAILED);
	}
	UINT64 need = (UINT64)m.stride * m.height * 4;
	if (gop->Mode->FrameBufferBase == 0 || gop->Mode->FrameBufferSize < need) {
		log_warn("GOP mode %u: framebuffer at 0x%llx of 0x%llx bytes, need 0x%llx (stride %u x height %u x 4)",
			 c->mode, (unsigned long long)gop->Mode->FrameBufferBase,
			 (unsigned long long)gop->Mode->FrameBufferSize, (unsigned long long)need,
			 m.stride, m.height);
		return apply_headless(fb, PXOS_FB_SET_FAILED);
	}
	*fb = (struct pxos_framebuffer){
		.base = gop->Mode->FrameBufferBase,
		.size = gop->Mode->FrameBufferSize,
		.width = m.width,
		.height = m.height,
		.stride = m.stride,
		.format = m.format,
		.mask_red = m.masks.red,
		.mask_green = m.masks.green,
		.mask_blue = m.masks.blue,
		.mask_reserved = m.masks.reserved,
		.mode = c->mode,
		.absent = PXOS_FB_PRESENT,
	};
	log_info("video: GOP mode %u %s, %ux%u, stride %u, %s, framebuffer 0x%llx (0x%llx bytes)",
		 c->mode, c->change ? "set" : "kept", m.width, m.height, m.stride,
		 pixfmt_name(m.format), (unsigned long long)fb->base, (unsigned long long)fb->size);
	return EFI_SUCCESS;
}
