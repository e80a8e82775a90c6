/*
 * watch.h — watching a process execute (issue 13, seed 001's "execution-flow
 * animation, self-modification tracking", seed 003's "who wrote this pixel,
 * when").
 *
 * A watched pxVM process (struct pxvm.watch not NULL) runs through the
 * instrumented copy of the interpreter (pxvm/vm.c), which notes every
 * instruction fetched and every store; an unwatched one runs the plain copy,
 * which has none of it (the off path costs nothing: docs/performance.md).
 * What is kept, per process:
 *
 *   - the write log: the last WATCH_LOG_LEN writes to its memory, each with
 *     the instruction that made it (address and word, as it was when it ran),
 *     the process's instruction count and the time, the value written; also
 *     the kernel's writes into it (a system call's answer) and the bit flips
 *     of imperfect mode. watch_who answers "which instruction wrote this word,
 *     and when" (the monitor's `who PID ADDR`).
 *   - which words ran (ever, and since the last frame drawn), which were
 *     written, which are code rewritten while it runs (a word stored to after
 *     it ran, or run after it was stored to), and a heat per word: 255 when
 *     written, fading each frame.
 *
 * watch_frame draws all this as a 128 x 128 picture of the tile for the
 * screen (kernel/vram_watch.c shows it beside the tile, never on it: a tile's
 * pixels stay exactly its memory words). Portable, no allocation: the owner
 * gives the memory (WATCH_BYTES; the pxVM kind uses one pxhost_mem_alloc
 * block). docs/watching.md is the manual.
 */
#ifndef PXVM_WATCH_H
#define PXVM_WATCH_H

#include <stdint.h>
#include <stddef.h>
#include "abi.h"

/* What to watch (struct pxvm_watch.flags); any of them keeps the write log. */
#define WATCH_PC     1u  /* the pc as a marker, and the words run in the last frame at full brightness */
#define WATCH_WRITES 2u  /* words written in the last frames highlighted, fading */
#define WATCH_CODE   4u  /* code rewritten while it runs tinted */
#define WATCH_LOG    8u  /* the write log only (also kept with any of the above) */
#define WATCH_SHOWN  (WATCH_PC | WATCH_WRITES | WATCH_CODE) /* drawn beside the tile */
#define WATCH_ALL    (WATCH_SHOWN | WATCH_LOG)

/* Who made a write. */
enum watch_by {
	WATCH_BY_INSN = 0,   /* a store instruction of the process */
	WATCH_BY_KERNEL = 1, /* the kernel, answering the instruction at pc (a SYSCALL, a trap) */
	WATCH_BY_FLIP = 2,   /* imperfect mode flipped a bit */
};

struct watch_entry {
	uint64_t step;   /* the process's instructions retired when it happened (the storing
	                  * instruction counted; for a flip, before instruction step + 1) */
	uint64_t us;     /* pxhost_time_us() when the run that made it began */
	uint32_t addr;   /* first byte written */
	uint32_t len;    /* bytes written: 1 or 4 by an instruction, any by the kernel, 1 by a flip */
	uint32_t pc;     /* the instruction's address (a flip: the pc it was about to run) */
	uint32_t insn;   /* that instruction's word as it ran; a flip: the bit number 0..7 */
	uint32_t value;  /* the word at addr & ~3 after the write */
	uint32_t by;     /* enum watch_by */
};

#define WATCH_BITMAP_WORDS (PXVM_MEM_WORDS / 64u)

struct pxvm_watch {
	uint32_t flags;        /* WATCH_* */
	uint32_t rewrites;     /* words that became rewritten code */
	uint64_t now_us;       /* set by the owner before each run (pxhost_time_us) */
	uint64_t writes;       /* writes logged in all; the ring keeps the last WATCH_LOG_LEN */
	uint64_t frames;       /* frames drawn */
	struct watch_entry log[WATCH_LOG_LEN];
	uint64_t ran[WATCH_BITMAP_WORDS];       /* bit i: word i ran since watching began */
	uint64_t ran_frame[WATCH_BITMAP_WORDS]; /* ... since the last frame was drawn */
	uint64_t written[WATCH_BITMAP_WORDS];   /* bit i: word i was written since watching began */
	uint64_t rewritten[WATCH_BITMAP_WORDS]; /* bit i: word i is code rewritten while running */
	uint8_t heat[PXVM_MEM_WORDS];           /* 255 when written, fading by 3/8 each frame */
};

#define WATCH_BYTES sizeof(struct pxvm_watch)

/* watch_init: `w` (WATCH_BYTES) starts watching with `flags`: nothing logged yet. */
void watch_init(struct pxvm_watch *w, uint32_t flags);

/* watch_reset: forget what `w` saw (a new image was loaded: exec), keep its flags. */
void watch_reset(struct pxvm_watch *w);

/* watch_bit / watch_set_bit: bit `word` (0..PXVM_MEM_WORDS-1) of a bitmap. */
static inline int watch_bit(const uint64_t *map, uint32_t word) { return (int)((map[word >> 6] >> (word & 63u)) & 1u); }
static inline void watch_set_bit(uint64_t *map, uint32_t word) { map[word >> 6] |= 1ull << (word & 63u); }

/* watch_fetch: the instrumented interpreter is about to run the word at byte
 * address `pc` (4-aligned, < PXVM_MEM_SIZE). */
static inline void watch_fetch(struct pxvm_watch *w, uint32_t pc)
{
	uint32_t i = pc >> 2;
	uint64_t bit = 1ull << (i & 63u);
	if ((w->written[i >> 6] & bit) && !(w->rewritten[i >> 6] & bit)) {
		w->rewritten[i >> 6] |= bit; /* stored to, now run: code made while running */
		w->rewrites++;
	}
	w->ran[i >> 6] |= bit;
	w->ran_frame[i >> 6] |= bit;
}

/* watch_write: log a write of `len` bytes at `addr` (inside memory) into `mem`
 * (the process's words, already written), made `by` the instruction `insn` at
 * `pc` as instruction number `step`. Marks heat and written words; a word that
 * had run becomes rewritten code. */
void watch_write(struct pxvm_watch *w, const uint32_t *mem, uint32_t addr, uint32_t len, uint32_t pc,
                 uint32_t insn, uint64_t step, enum watch_by by);

/* watch_who: the writes in `w`'s log that touched the word at `addr` (any
 * byte of addr & ~3; addr < PXVM_MEM_SIZE), newest first, at most `max`, as
 * lines of text into buf (cap bytes, NUL-terminated): step, time, the
 * instruction (address, word, disassembly) or the kernel or a flip, the value
 * written. A word the log has no write for says so, and how far back the log
 * reaches. Returns the number of writes listed. */
unsigned watch_who(const struct pxvm_watch *w, uint32_t addr, unsigned max, char *buf, size_t cap);

/* watch_frame: draw `w` over memory `mem` (PXVM_MEM_WORDS words) with the pc
 * at `pc` into `out` (PXVM_TILE_W x PXVM_TILE_H words 0x00BBGGRR, row by
 * row), then start the next frame: heat fades by 3/8, the words run in this
 * frame are forgotten. What each flag shows (docs/watching.md):
 *   base          every word's colour at 3/8 brightness;
 *   WATCH_PC      words run in the last frame at full brightness, the pc's
 *                 word white in a cyan square (5 x 5 pixels);
 *   WATCH_CODE    rewritten code half magenta;
 *   WATCH_WRITES  written words toward yellow by their heat. */
void watch_frame(struct pxvm_watch *w, const uint32_t *mem, uint32_t pc, uint32_t *out);

#endif /* PXVM_WATCH_H */
