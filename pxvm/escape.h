/*
 * escape.h — the output escaper: what a guest (or any text the kernel did not
 * write itself) may send to the user's terminal. docs/isolation.md, "The
 * serial line", is the specification; this is its one implementation, used by
 * the kernel (freestanding) and tested on the host.
 *
 * Allowlist (everything here passes through unchanged):
 *   - printable ASCII 0x20..0x7E, and CR, LF, TAB, BS;
 *   - well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
 *     above U+10FFFF) except the C1 controls U+0080..U+009F;
 *   - CSI sequences ESC '[' P F where P is 0..ESCAPE_CSI_MAX bytes of digits
 *     and ';' and F is one of A B C D G H J K f m (ECMA-48 §8.3: CUU CUD CUF
 *     CUB CHA CUP ED EL HVP SGR: cursor moves, erase, colours).
 * Everything else is shown harmlessly, in `cat -v` notation: C0 controls as
 * ^@..^_, DEL as ^?, a byte 0x80..0xFF that is not part of allowed UTF-8 as
 * M- followed by the same form of its low 7 bits; an ESC that does not start
 * an allowed CSI sequence as ^[ with what follows it shown as text. So no
 * APC (the bridge's frames), OSC, DCS, SOS, PM, string terminator, other
 * escape sequence, CSI query (6n, c, t, ...), private CSI (?25l) or 8-bit C1
 * control ever reaches the terminal.
 *
 * The escaper is a state machine fed in pieces: a sequence split between two
 * writes is held back (at most ESCAPE_HOLD_MAX bytes) until it is complete,
 * so it can neither slip through nor be cut in two on the line.
 */
#ifndef PXVM_ESCAPE_H
#define PXVM_ESCAPE_H

#include <stddef.h>
#include <stdint.h>
#include "kernel/param.h"

/* Longest held piece: ESC '[' + parameters, or a 4-byte UTF-8 sequence. */
#define ESCAPE_HOLD_MAX (2 + ESCAPE_CSI_MAX)

/* ESCAPE_OUT_MAX(n): output room escape_run needs for n input bytes (each
 * byte becomes at most 4, "M-^X", and held bytes released as text at most
 * 4 each). ESCAPE_FLUSH_MAX: room escape_flush needs. */
#define ESCAPE_FLUSH_MAX   (4u * ESCAPE_HOLD_MAX)
#define ESCAPE_OUT_MAX(n)  (4u * (size_t)(n) + ESCAPE_FLUSH_MAX)

struct escaper {
	uint8_t state;   /* internal (escape.c) */
	uint8_t need;    /* UTF-8 continuation bytes still to come */
	uint8_t lo, hi;  /* allowed range of the next continuation byte */
	uint8_t len;     /* bytes held in `hold` */
	uint8_t hold[ESCAPE_HOLD_MAX];
};

/* escape_init: a fresh escaper (nothing held). */
void escape_init(struct escaper *e);

/* escape_run: escape `n` bytes at `in` into `out`, which must have room for
 * ESCAPE_OUT_MAX(n) bytes. Returns the number of bytes written. Bytes of an
 * unfinished sequence at the end are held in *e for the next call. */
size_t escape_run(struct escaper *e, const void *in, size_t n, char *out);

/* escape_flush: the writer is done (or another writer takes the line): write
 * any held bytes as harmless text into `out` (room: ESCAPE_FLUSH_MAX) and
 * return their count; *e is fresh afterwards. */
size_t escape_flush(struct escaper *e, char *out);

/* escape_csi_final: whether `b` is the final byte of an allowed CSI
 * sequence (the allowlist above: A B C D G H J K f m). The one definition:
 * the screen console's parser (kernel/vt.h) acts on exactly these. */
int escape_csi_final(uint8_t b);

/* escape_pending: whether bytes are held (an unfinished sequence). */
int escape_pending(const struct escaper *e);

#endif /* PXVM_ESCAPE_H */
