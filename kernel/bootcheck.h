/*
 * bootcheck.h — checking the boot info before the kernel trusts it
 * (boot/bootinfo.h is the contract).
 */
#ifndef PXOS_BOOTCHECK_H
#define PXOS_BOOTCHECK_H

#include "boot/bootinfo.h"

/* bootinfo_check: 0 when `bi` is usable: magic, a version and size this kernel
 * knows, a memory map with a sane descriptor size, a framebuffer inside the
 * identity map, a ramdisk and symbol table (if any) inside it too. Otherwise
 * -1 with *why a static description. Framebuffer problems are not fatal here
 * (the kernel runs on serial alone): *fb_ok tells. */
int bootinfo_check(const struct pxos_bootinfo *bi, const char **why, int *fb_ok);

/* bootinfo_fb_absent_text: why the loader passed no framebuffer, from
 * fb.absent (enum pxos_fb_absent), e.g. "the firmware has no Graphics Output
 * Protocol"; NULL when fb.absent is 0 (a framebuffer was passed). */
const char *bootinfo_fb_absent_text(uint32_t absent);

#endif /* PXOS_BOOTCHECK_H */
