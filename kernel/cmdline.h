/*
 * cmdline.h — the kernel command line (bootinfo.cmdline, from boot.cfg's
 * "cmdline ="): space-separated `key=value` or bare `flag` words.
 * Keys the kernel knows are listed in docs/boot-info.md ("Kernel options").
 */
#ifndef PXOS_CMDLINE_H
#define PXOS_CMDLINE_H

/* cmdline_init: copy and split `s` (NUL-terminated, bounded by PXOS_CMDLINE_MAX). */
void cmdline_init(const char *s);

/* cmdline_get: the value of `key`: its text after '=', "" for a bare flag, or
 * NULL when absent. The last occurrence wins. */
const char *cmdline_get(const char *key);

/* cmdline_raw: the whole line as given. */
const char *cmdline_raw(void);

#endif /* PXOS_CMDLINE_H */
