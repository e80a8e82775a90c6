/*
 * config.h — the loader's boot.cfg parser (pure C: no EFI, no libc).
 *
 * Format (docs/boot-info.md): one `key = value` per line; blank lines and lines
 * whose first non-blank character is `#` are ignored; spaces and tabs around
 * keys and values are dropped; a value may be wrapped in double quotes to keep
 * leading or trailing spaces; CRLF line ends and a UTF-8 byte-order mark are
 * accepted. Keys:
 *   video   = WIDTHxHEIGHT     GOP mode to ask for, e.g. 1024x768
 *   kernel  = \path\on\esp     kernel ELF (default \pxos\kernel.elf)
 *   ramdisk = \path\on\esp     PixelFS image (default \pxos\pixelfs.png)
 *   resume  = \path\on\esp     a snapshot to go on from (docs/snapshots.md); empty: none
 *   cmdline = text             kernel command line, at most PXOS_CMDLINE_MAX-1 bytes
 * Paths may use / or \ and are made absolute. A later line overrides an earlier
 * one. An unknown key, a malformed line or a bad value produces a warning that
 * names the line and is otherwise ignored (the setting keeps its default).
 */
#ifndef PXOS_BOOT_CONFIG_H
#define PXOS_BOOT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/bootinfo.h"

#define CONFIG_PATH_MAX 128 /* bytes of a path, including the NUL */

struct boot_config {
	uint32_t video_width;           /* 0 = not set: keep or pick a mode */
	uint32_t video_height;
	char kernel[CONFIG_PATH_MAX];   /* "\..." with backslashes; "" = PXOS_ESP_KERNEL */
	char ramdisk[CONFIG_PATH_MAX];  /* "" = PXOS_ESP_RAMDISK */
	char resume[CONFIG_PATH_MAX];   /* "" = boot normally; else a snapshot to resume */
	char cmdline[PXOS_CMDLINE_MAX]; /* "" = none */
};

/* config_warn_fn: receives each warning as one line, e.g.
 * "line 3: unknown key \"vidoe\" (ignored)". */
typedef void (*config_warn_fn)(void *ctx, const char *msg);

/* config_defaults: every setting unset (the loader's built-in defaults apply). */
void config_defaults(struct boot_config *cfg);

/* config_parse: apply the settings in `text` (`len` bytes, need not be
 * NUL-terminated) on top of *cfg. Calls `warn` (may be NULL) once per ignored
 * line or value. Returns the number of warnings. */
unsigned config_parse(const char *text, size_t len, struct boot_config *cfg,
		      config_warn_fn warn, void *ctx);

#endif /* PXOS_BOOT_CONFIG_H */
