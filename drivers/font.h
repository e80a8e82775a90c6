/*
 * font.h — bitmap console fonts in PC Screen Font format (PSF1 and PSF2, as
 * documented in kbd's "The PC Screen Font File Format"), with their Unicode
 * tables. pxOS embeds two Terminus fonts from Debian's console-setup-linux
 * package: 8x16 for ordinary screens and 16x32 for large ones.
 */
#ifndef PXOS_FONT_H
#define PXOS_FONT_H

#include <stdint.h>
#include <stddef.h>

struct font {
	uint32_t width, height;   /* glyph cell in pixels */
	uint32_t row_bytes;       /* bytes per glyph row: (width + 7) / 8 */
	uint32_t glyph_bytes;     /* bytes per glyph */
	uint32_t count;           /* glyphs */
	const uint8_t *glyphs;    /* count * glyph_bytes */
	uint16_t map[256];        /* Latin-1 code point -> glyph index */
};

/* font_load_psf: parse a PSF1 or PSF2 file (`size` bytes at `data`, which must
 * stay valid). Builds the Latin-1 map from the Unicode table (glyph i = code i
 * when the font has none; unmapped code points show '?'). Returns 0, or -1 for
 * a bad magic, truncated file or impossible geometry. */
int font_load_psf(struct font *f, const void *data, size_t size);

/* font_glyph: the bitmap of Latin-1 character `c`. */
const uint8_t *font_glyph(const struct font *f, uint8_t c);

/* font_builtin: the embedded font closest to `height` pixels (16 or 32), or
 * NULL if the embedded data is broken. Parsed once. */
const struct font *font_builtin(uint32_t height);

#endif /* PXOS_FONT_H */
