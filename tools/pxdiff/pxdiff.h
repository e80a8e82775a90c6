/*
 * pxdiff.h — the library behind tools/pxdiff (docs/pxdiff.md): what changed
 * between two pictures of a pxOS machine.
 *
 * Input layer. A picture is read into a struct pxdiff_machine: the visible
 * screen (RGB) and the processes it holds, each with its 64 KiB of memory,
 * which bytes of each word are known, its canvas, and where they are on the
 * screen. Readers are tried in the order of pxdiff_readers: each has a probe
 * (does this file look like mine?) and a loader. Today there is one, for
 * screendumps (PNG or PPM of a pxOS screen, decoded through the row-0 layout
 * record, tools/common/vrecord.h): its processes are the visible slots, known
 * by slot number only, and byte 3 of every word is lost (a screen shows three
 * channels). A snapshot reader (issue 13 items 1-2) goes first in the table:
 * its processes carry their pid and name and all four bytes, and need not be
 * on the screen at all; nothing else changes.
 *
 * Comparison. Processes of A and B are paired by pid when both pictures know
 * pids, else by slot. For each pair: the words that differ in their known
 * bytes, the canvas pixels that differ; for the screen: the other pixels that
 * differ (tables, labels, console). pxdiff_report prints it, disassembling
 * the words that are code in A or in B (found by pxdis's code discovery,
 * pxdiff_map_code); pxdiff_mark draws B's screen dimmed with the changes
 * marked.
 */
#ifndef PXDIFF_H
#define PXDIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "pxvm/abi.h"

#define PXDIFF_NONE 0xFFFFFFFFu

struct pxdiff_proc {
	uint32_t slot;              /* visible slot, or PXDIFF_NONE */
	uint32_t pid;               /* 0: not known (a screendump) */
	char name[32];              /* "" when not known */
	uint32_t mem[PXVM_MEM_WORDS];
	uint32_t known;             /* the bits of every word the picture holds: 0x00FFFFFF or ~0 */
	bool has_canvas;
	uint32_t canvas[PXVM_MEM_WORDS]; /* 0x00BBGGRR, PXVM_TILE_W x PXVM_TILE_H */
	int tile_x, tile_y;         /* where the tile is on the screen; -1: not shown */
	int canvas_x, canvas_y;     /* ... and the canvas */
	uint32_t pc;                /* its pc, or PXDIFF_NONE (a screendump) */
	uint8_t code[PXVM_MEM_WORDS]; /* pxdiff_map_code: 1 instruction, 2 IMM32 value, 0 not code */
};

struct pxdiff_machine {
	const char *kind;           /* the reader's name: "screendump", ... */
	uint32_t width, height;     /* the screen; 0 x 0 when the picture has none */
	uint8_t *rgb;               /* width * height * 3 bytes, or NULL */
	uint32_t nproc;
	struct pxdiff_proc *proc;   /* nproc entries */
};

/* A reader of one kind of picture. */
struct pxdiff_reader {
	const char *name;
	/* probe: whether the file whose first `n` bytes are `head` is this kind. */
	bool (*probe)(const uint8_t *head, size_t n);
	/* load: read `path` into *m (zeroed first); 0, or -1 with a reason in err. */
	int (*load)(const char *path, struct pxdiff_machine *m, char *err, size_t cap);
};

/* The readers, in the order they are tried, NULL-terminated. */
extern const struct pxdiff_reader *const pxdiff_readers[];

/* pxdiff_load: read picture `path` with the first reader whose probe takes
 * it. Returns 0, or -1 with "PATH: why" in err (cap bytes). */
int pxdiff_load(const char *path, struct pxdiff_machine *m, char *err, size_t cap);

/* pxdiff_from_screen: a screendump's machine from its pixels (`rgb`, w x h,
 * copied): one process per slot of the row-0 record, with its tile and
 * canvas. Returns 0, or -1 with the reason (not a pxOS screen, ...). */
int pxdiff_from_screen(const uint8_t *rgb, uint32_t w, uint32_t h, struct pxdiff_machine *m, char *err, size_t cap);

/* pxdiff_map_code: which words of `p` are code (p->code): pxdis's code
 * discovery (tools/pxdis/pxdis.h) over its known bytes, from the start of
 * the program area (0x0200: where pxasm puts the code before the data, and
 * where a screendump's reader must guess) and from its pc when known. Every
 * reader calls it once the memory is in. 0, or -1 when out of memory. */
int pxdiff_map_code(struct pxdiff_proc *p);

/* pxdiff_free: release a machine (safe on a zeroed one). */
void pxdiff_free(struct pxdiff_machine *m);

/* One changed word: its address, and the word in A and in B. */
struct pxdiff_word {
	uint32_t addr, a, b;
};

/* One pair of processes (either side NULL: only in the other picture). */
struct pxdiff_pair {
	const struct pxdiff_proc *a, *b;
	uint32_t known;             /* bits known on both sides */
	uint32_t nwords;            /* words that differ */
	struct pxdiff_word *words;  /* all of them, by address */
	uint32_t canvas_px;         /* canvas pixels that differ (both have one) */
};

struct pxdiff_result {
	uint32_t npairs;
	struct pxdiff_pair *pairs;
	bool same_screen;           /* both screens exist with the same size */
	uint64_t screen_px;         /* pixels that differ outside every tile and canvas */
	uint32_t changed;           /* pairs with any change, or present on one side only */
};

/* pxdiff_compare: compare A with B into *r. Returns 0, or -1 when out of memory. */
int pxdiff_compare(const struct pxdiff_machine *a, const struct pxdiff_machine *b, struct pxdiff_result *r);

/* pxdiff_result_free: release a result. */
void pxdiff_result_free(struct pxdiff_result *r);

/* pxdiff_is_code: whether an instruction of `p`'s code starts at `addr`
 * (pxdiff_map_code). */
bool pxdiff_is_code(const struct pxdiff_proc *p, uint32_t addr);

/* Report choices. */
struct pxdiff_options {
	uint32_t max_words;         /* words listed per process (0: all) */
	bool quiet;                 /* the summary lines only */
};

/* pxdiff_report: the changes in words on `f`: per process, how many words and
 * canvas pixels changed, then each word, A's and B's, disassembled where it is
 * code; then the screen and a summary line. */
void pxdiff_report(FILE *f, const char *name_a, const char *name_b, const struct pxdiff_machine *a,
                   const struct pxdiff_machine *b, const struct pxdiff_result *r, const struct pxdiff_options *opt);

/* pxdiff_mark: B's screen (A's when B has none) with the changes marked, as
 * RGB into *out (malloc'd, *w x *h): everything at a third of its brightness,
 * changed memory words red, changed canvas pixels yellow, other changed pixels
 * blue, a red frame around each changed slot. Returns 0, or -1 (no screen in
 * either picture, or out of memory). */
int pxdiff_mark(const struct pxdiff_machine *a, const struct pxdiff_machine *b, const struct pxdiff_result *r,
                uint8_t **out, uint32_t *w, uint32_t *h);

#endif /* PXDIFF_H */
