/*
 * pxdis.h — the pxVM disassembler library behind tools/pxdis (docs/pxdis.md).
 *
 * pxdis turns bytes of pxVM memory back into pxasm source that reassembles to
 * the same bytes. The bytes come from a .pxe executable, a raw binary, a file
 * in a PixelFS image, or a process tile in a screendump PNG (see the loaders
 * below); pxdis_write does the rest:
 *
 *   1. code discovery: from the entry point, follow fall-through, jumps,
 *      branches and calls (not JR/CALLR targets, which are in registers);
 *   2. layout: reached code becomes instructions (text from pxvm_disasm, the
 *      kernel's own disassembler); the rest becomes data: NUL-terminated text
 *      as .string, runs of zero words as .zero, other words as the instruction
 *      they encode if valid or .word 0x..., leftover bytes as .byte;
 *   3. labels: jump/call targets (L_XXXX), LOAD/STORE addresses and IMM32
 *      values that point at a string (D_XXXX), and the entry point (_start),
 *      wherever such an address starts a line; other values stay numeric.
 *
 * Every line is exact: the output, assembled by pxasm, gives the input bytes
 * (with a .pxe header equal to the input's for a .pxe). Bytes that are unknown
 * (a screendump loses bits 24..31 of every word) are written as 0 and the line
 * is marked `; ??`; such output is the best reading, not an exact one.
 */
#ifndef PXDIS_H
#define PXDIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Bytes of pxVM memory to disassemble. */
struct pxdis_image {
	uint8_t *bytes;   /* `size` bytes, byte 0 at address `base` (heap; pxdis_image_free) */
	uint8_t *known;   /* NULL: every byte known; else per byte 1 known, 0 unknown (read as 0) */
	size_t size;      /* bytes; base + size <= 0x10000 */
	uint32_t base;    /* address of bytes[0], 4-aligned */
	bool pxe;         /* from a .pxe: output carries _start / .entry for `entry` */
	uint32_t entry;   /* where code discovery starts (pxe: the header's entry) */
};

/* Output choices. */
struct pxdis_options {
	bool no_labels;     /* numeric targets everywhere */
	bool no_addresses;  /* no "; 0x0200: 00050110" comment on each line */
	bool no_strings;    /* data as words and bytes only, no .string */
	const char *title;  /* first comment line: what was disassembled (may be NULL) */
};

/* What pxdis_write produced. */
struct pxdis_stats {
	size_t insns;      /* instruction lines */
	size_t data_lines; /* .word .byte .string .zero lines */
	size_t labels;     /* labels defined */
	size_t ambiguous;  /* lines marked `; ??` (they hold unknown bytes that matter) */
};

/* pxdis_write: write the disassembly of `img` as pxasm source on `f`.
 * Labels are used only when img->base >= 0x0200 (pxasm's image base): a base
 * above it is reached with `.org base`, so reassembling gives (base - 0x0200)
 * zero bytes and then the input; below it, every address stays numeric and the
 * output reassembles to the input itself. Returns 0, or -1 when writing failed
 * or the image is unusable (base not 4-aligned, or it does not fit in 64 KiB).
 * `st` may be NULL. */
int pxdis_write(FILE *f, const struct pxdis_image *img, const struct pxdis_options *opt,
		struct pxdis_stats *st);

/* pxdis_code_map: step 1 alone, from each of `roots` (addresses): code[i]
 * (img->size / 4 entries) becomes 1 where reached code has an instruction
 * starting at word i, 2 for an IMM32's value word, 0 elsewhere (pxdiff
 * disassembles only words that are code). Returns 0, or -1 when the image is
 * unusable or memory runs out. */
int pxdis_code_map(const struct pxdis_image *img, const uint32_t *roots, size_t nroots, uint8_t *code);

/* pxdis_image_free: release an image's buffers (safe on a zeroed image). */
void pxdis_image_free(struct pxdis_image *img);

/* ---- Loaders: each returns 0 and fills *img, or -1 with a reason in err (cap
 * bytes, always NUL-terminated) ------------------------------------------------ */

/* pxdis_from_pxe: a .pxe file's bytes (`len`). Checks what pxasm would write:
 * magic "PXE1", version 1, flags 0, image size a multiple of 4 and at most
 * PXVM_IMAGE_MAX, file length = 16 + image size, entry 4-aligned inside the
 * image; anything else is refused (use pxdis_from_raw to see such bytes). */
int pxdis_from_pxe(const uint8_t *file, size_t len, struct pxdis_image *img, char *err, size_t cap);

/* pxdis_from_raw: `len` bytes loaded at `base` (4-aligned, base + len <=
 * 0x10000); code discovery starts at `entry`. */
int pxdis_from_raw(const uint8_t *data, size_t len, uint32_t base, uint32_t entry,
		   struct pxdis_image *img, char *err, size_t cap);

/* pxdis_fs_file: read file `path` (absolute, e.g. "/apps/hello") from the
 * PixelFS image in PNG file `png` (mounted with pxvm/pixelfs.c; a file that
 * fails its checks is not found). *data is malloc'd. */
int pxdis_fs_file(const char *png, const char *path, uint8_t **data, size_t *len, char *err, size_t cap);

/* A screendump's pixels, as RGB (alpha, if any, is dropped: framebuffers have
 * no visible alpha, and QEMU's screendumps are RGB). */
struct pxdis_shot {
	uint8_t *rgb;         /* width * height * 3 bytes */
	uint32_t width, height;
};

/* pxdis_shot_load: decode image file `path`: PNG, or PPM/PGM (QEMU's
 * `screendump` default). pxdis_shot_free releases it. */
int pxdis_shot_load(const char *path, struct pxdis_shot *s, char *err, size_t cap);
void pxdis_shot_free(struct pxdis_shot *s);

/* pxdis_shot_slot: the tile position of process slot `slot` from the record in
 * row 0 that kernel/vram.c writes (docs/architecture.md: pixel k holds a 24-bit
 * value R | G << 8 | B << 16: 'pxO', 'S' major minor, width, height, slot
 * count, tile size, 12 region values, then per slot tile x, tile y, canvas x,
 * canvas y). Checks the magic, version 0.x, the size against the PNG's, and
 * that the slot exists. */
int pxdis_shot_slot(const struct pxdis_shot *s, uint32_t slot, uint32_t *x, uint32_t *y,
		    char *err, size_t cap);

/* pxdis_from_tile: process memory from the 128x128 tile whose top-left pixel
 * is (x, y): word i is pixel (x + i % 128, y + i / 128), bytes 0, 1, 2 in R, G,
 * B; byte 3 is unknown. The image covers addresses [from, to) (4-aligned,
 * from < to <= 0x10000); to == 0 means: up to the end of the last word below
 * PXVM_STACK_TOP whose known bytes are not all zero (at least one word).
 * Code discovery starts at `from`. */
int pxdis_from_tile(const struct pxdis_shot *s, uint32_t x, uint32_t y, uint32_t from, uint32_t to,
		    struct pxdis_image *img, char *err, size_t cap);

/* pxdis_from_snapshot: the memory of process `pid` in snapshot file `path`
 * (docs/snapshots.md), every byte known, from `from` to `to` (0: up to the
 * last nonzero word below the stack top); code discovery starts at its pc
 * when inside. *pc gets its pc, name its name. 0, or -1 with err (a damaged
 * or newer snapshot, no such pid, an ended one). */
int pxdis_from_snapshot(const char *path, uint32_t pid, uint32_t from, uint32_t to, struct pxdis_image *img,
			uint32_t *pc, char *name, size_t name_cap, char *err, size_t cap);

#endif /* PXDIS_H */
