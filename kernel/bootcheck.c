/*
 * bootcheck.c — boot info validation; see bootcheck.h.
 */
#include "bootcheck.h"
#include "lib.h"

static int inside(uint64_t base, uint64_t size, uint64_t top)
{
	return base && size <= top && base <= top - size;
}

int bootinfo_check(const struct pxos_bootinfo *bi, const char **why, int *fb_ok)
{
	*fb_ok = 0;
	if (!bi || ((uintptr_t)bi & 7)) {
		*why = "no boot info pointer (RDI) or a misaligned one";
		return -1;
	}
	if (bi->magic != PXOS_BOOTINFO_MAGIC) {
		*why = "boot info magic mismatch: not started by the pxOS loader?";
		return -1;
	}
	if (bi->version != PXOS_BOOTINFO_VERSION || bi->size < sizeof(*bi)) {
		*why = "boot info version or size unknown to this kernel: rebuild loader and kernel together";
		return -1;
	}
	if (!bi->identity_top || (bi->identity_top & 0xFFF)) {
		*why = "boot info: identity map size missing or not page-aligned";
		return -1;
	}
	if (!bi->mmap || bi->mmap_desc_size < sizeof(struct pxos_mmap_desc) || bi->mmap_desc_size > 4096 ||
	    bi->mmap_size < bi->mmap_desc_size || !inside(bi->mmap, bi->mmap_size, bi->identity_top)) {
		*why = "boot info: memory map missing or malformed";
		return -1;
	}
	if (bi->resume_size && !inside(bi->resume, bi->resume_size, bi->identity_top)) {
		*why = "boot info: the snapshot to resume lies outside the identity map";
		return -1;
	}
	if (bi->ramdisk_size && !inside(bi->ramdisk, bi->ramdisk_size, bi->identity_top)) {
		*why = "boot info: ramdisk outside mapped memory";
		return -1;
	}
	if (bi->symtab_size && (!inside(bi->symtab, bi->symtab_size, bi->identity_top) ||
	                        !inside(bi->strtab, bi->strtab_size, bi->identity_top))) {
		*why = "boot info: symbol table outside mapped memory";
		return -1;
	}
	if (strnlen(bi->cmdline, PXOS_CMDLINE_MAX) == PXOS_CMDLINE_MAX) {
		*why = "boot info: command line not NUL-terminated";
		return -1;
	}
	const struct pxos_framebuffer *fb = &bi->fb;
	uint64_t need = (uint64_t)fb->stride * fb->height * 4;
	*fb_ok = !fb->absent && fb->base && fb->width && fb->height && fb->stride >= fb->width && fb->format <= PXOS_PIXEL_BITMASK &&
	         fb->size >= need && inside(fb->base, need, bi->identity_top);
	*why = "";
	return 0;
}

const char *bootinfo_fb_absent_text(uint32_t absent)
{
	switch (absent) {
	case PXOS_FB_PRESENT: return 0;
	case PXOS_FB_NO_GOP: return "the firmware has no Graphics Output Protocol (no display, or -vga none)";
	case PXOS_FB_NO_LINEAR_MODE: return "GOP offers no 32-bit linear mode (BltOnly only, e.g. virtio-gpu)";
	case PXOS_FB_SET_FAILED: return "setting the GOP mode failed (see the loader's log)";
	default: return "the loader gave an unknown reason";
	}
}
