/*
 * font.c — PSF1/PSF2 parsing and the embedded fonts; see font.h.
 */
#include "font.h"
#include "pxvm/port.h"

#define PSF1_MAGIC0 0x36
#define PSF1_MAGIC1 0x04
#define PSF1_MODE512 0x01
#define PSF1_MODEHASTAB 0x02
#define PSF1_SEPARATOR 0xFFFF
#define PSF1_STARTSEQ 0xFFFE
#define PSF2_MAGIC 0x864AB572u
#define PSF2_HAS_UNICODE_TABLE 0x01u
#define PSF2_SEPARATOR 0xFF
#define PSF2_STARTSEQ 0xFE

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

static void map_code(struct font *f, uint32_t code, uint32_t glyph)
{
	if (code < 256 && f->map[code] == 0xFFFF)
		f->map[code] = (uint16_t)glyph;
}

/* PSF1 table: per glyph, UCS-2 values, then optional sequences, then 0xFFFF. */
static void parse_psf1_table(struct font *f, const uint8_t *t, const uint8_t *end)
{
	uint32_t glyph = 0;
	int in_seq = 0;
	while (t + 2 <= end && glyph < f->count) {
		uint32_t v = (uint32_t)t[0] | (uint32_t)t[1] << 8;
		t += 2;
		if (v == PSF1_SEPARATOR) {
			glyph++;
			in_seq = 0;
		} else if (v == PSF1_STARTSEQ) {
			in_seq = 1;
		} else if (!in_seq) {
			map_code(f, v, glyph);
		}
	}
}

/* PSF2 table: per glyph, UTF-8 characters, then sequences after 0xFE, then 0xFF. */
static void parse_psf2_table(struct font *f, const uint8_t *t, const uint8_t *end)
{
	uint32_t glyph = 0;
	int in_seq = 0;
	while (t < end && glyph < f->count) {
		uint8_t b = *t;
		if (b == PSF2_SEPARATOR) {
			glyph++;
			in_seq = 0;
			t++;
			continue;
		}
		if (b == PSF2_STARTSEQ) {
			in_seq = 1;
			t++;
			continue;
		}
		uint32_t code, len;
		if (b < 0x80) { code = b; len = 1; }
		else if ((b & 0xE0) == 0xC0) { code = b & 0x1F; len = 2; }
		else if ((b & 0xF0) == 0xE0) { code = b & 0x0F; len = 3; }
		else if ((b & 0xF8) == 0xF0) { code = b & 0x07; len = 4; }
		else { t++; continue; } /* stray continuation byte */
		if ((size_t)(end - t) < len)
			break;
		for (uint32_t i = 1; i < len; i++)
			code = (code << 6) | (t[i] & 0x3F);
		t += len;
		if (!in_seq)
			map_code(f, code, glyph);
	}
}

int font_load_psf(struct font *f, const void *data, size_t size)
{
	const uint8_t *p = data;
	const uint8_t *end = p + size;
	memset(f, 0, sizeof(*f));
	for (int i = 0; i < 256; i++)
		f->map[i] = 0xFFFF;
	int has_table = 0;
	const uint8_t *table;
	if (size >= 4 && p[0] == PSF1_MAGIC0 && p[1] == PSF1_MAGIC1) {
		f->width = 8;
		f->height = p[3];
		f->count = (p[2] & PSF1_MODE512) ? 512 : 256;
		f->row_bytes = 1;
		f->glyph_bytes = f->height;
		f->glyphs = p + 4;
		has_table = (p[2] & PSF1_MODEHASTAB) != 0;
	} else if (size >= 32 && rd32(p) == PSF2_MAGIC) {
		uint32_t hdr = rd32(p + 8), flags = rd32(p + 12);
		f->count = rd32(p + 16);
		f->glyph_bytes = rd32(p + 20);
		f->height = rd32(p + 24);
		f->width = rd32(p + 28);
		f->row_bytes = (f->width + 7) / 8;
		if (hdr < 32 || hdr > size)
			return -1;
		f->glyphs = p + hdr;
		has_table = (flags & PSF2_HAS_UNICODE_TABLE) != 0;
	} else {
		return -1;
	}
	if (!f->width || f->width > 64 || !f->height || f->height > 64 || !f->count || f->count > 65535 ||
	    f->glyph_bytes != f->row_bytes * f->height)
		return -1;
	if ((size_t)(end - f->glyphs) / f->glyph_bytes < f->count)
		return -1; /* truncated */
	table = f->glyphs + (size_t)f->count * f->glyph_bytes;
	if (has_table) {
		if (p[0] == PSF1_MAGIC0)
			parse_psf1_table(f, table, end);
		else
			parse_psf2_table(f, table, end);
	} else {
		for (uint32_t i = 0; i < 256 && i < f->count; i++)
			f->map[i] = (uint16_t)i;
	}
	uint16_t fallback = f->map['?'] != 0xFFFF ? f->map['?'] : 0;
	for (int i = 0; i < 256; i++)
		if (f->map[i] == 0xFFFF || f->map[i] >= f->count)
			f->map[i] = fallback;
	/* Control characters have no business on screen: show them as '?'. */
	for (int i = 0; i < 32; i++)
		f->map[i] = fallback;
	return 0;
}

const uint8_t *font_glyph(const struct font *f, uint8_t c)
{
	return f->glyphs + (size_t)f->map[c] * f->glyph_bytes;
}

extern const uint8_t font_terminus16[], font_terminus16_end[];
extern const uint8_t font_terminus32[], font_terminus32_end[];

const struct font *font_builtin(uint32_t height)
{
	static struct font f16, f32;
	static int state16, state32; /* 0 = not parsed, 1 = ok, -1 = broken */
	if (height >= 32) {
		if (!state32)
			state32 = font_load_psf(&f32, font_terminus32,
			                        (size_t)(font_terminus32_end - font_terminus32)) == 0 ? 1 : -1;
		if (state32 > 0)
			return &f32;
	}
	if (!state16)
		state16 = font_load_psf(&f16, font_terminus16,
		                        (size_t)(font_terminus16_end - font_terminus16)) == 0 ? 1 : -1;
	return state16 > 0 ? &f16 : 0;
}
