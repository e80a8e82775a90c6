/*
 * snap.h — one-file snapshots of the machine: the exact state of the process
 * core, taken between two quanta, in a private chunk of a PNG whose visible
 * image is the screen. docs/snapshots.md is the specification; in short:
 *
 *   PNG file     signature, IHDR, ..., IDAT (the screen as RGB), pxSt, IEND
 *   pxSt chunk   an ancillary, private, safe-to-copy PNG chunk (PNG 1.2 §3.3,
 *                §4.4) with the PNG CRC-32 over its type and data; its data:
 *     head       SNAP_HEAD_SIZE bytes, little-endian: magic "PXSN", format
 *                version SNAP_FORMAT, flags (SNAP_F_ZLIB: the state is a
 *                zlib stream, RFC 1950), the state's length and CRC-32, the
 *                build id (SNAP_BUILD_ID_MAX bytes, NUL-padded)
 *     payload    the state, compressed or not
 *   state        sections in a fixed order, each: tag (4 ASCII bytes),
 *                version, length, then `length` bytes: MACH SCHD RNG  SYSC
 *                VFS  PROC IPC  TTY  VIEW DBUG HV  (one per subsystem)
 *
 * A reader refuses a newer format, an unknown section, a newer section
 * version, a section out of order or missing, a length or count beyond the
 * limits, a bad CRC, and anything that does not parse exactly — with a
 * message saying which, and before it changes anything: the whole state is
 * checked first, then loaded.
 *
 * Portable: the kernel and the host tools run the same code. Compression and
 * the PNG image itself are the platform's (stb_image_write / stb_image: the
 * kernel's kernel/pngsave.c and pngload.c, the tools' tools/common/snapfile.c).
 */
#ifndef PXVM_SNAP_H
#define PXVM_SNAP_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "pixelfs.h"
#include "snapfmt.h"


/* snap_state_save: the machine's state now (between quanta: no process
 * RUNNING) as the sections above into out (cap bytes; out NULL counts).
 * `now_us` is the clock (pxhost_time_us) deadlines are saved against.
 * Returns the state's length; more than cap means nothing useful was
 * written (call again with a buffer that large). */
size_t snap_state_save(uint8_t *out, size_t cap, uint64_t now_us);

/* snap_state_info: check the framing of state `raw` (n bytes: every section
 * known, in order, lengths inside) and read the clock, steps, slots and
 * process count into *info. 0, or -PXE_EINVAL with the reason in why. */
int snap_state_info(const uint8_t *raw, size_t n, struct snap_info *info, char *why, size_t why_cap);

/* snap_state_load: replace the machine's process core with state `raw`:
 * checks all of it first (nothing changes when it is refused), then resets
 * the core (sched_init with `fs` and `nslots`) and loads it. Deadlines are
 * rebased from the snapshot's clock to `now_us`; LLM calls in flight fail
 * with -PXE_EIO; open PixelFS files are found again by path in `fs`; when
 * `nslots` differs from the snapshot's, the live processes take the slots in
 * pid order. Returns 0, or -PXE_EINVAL (refused: why says what) or
 * -PXE_ENOMEM (out of memory half way: the core is left empty, reset). */
int snap_state_load(const uint8_t *raw, size_t n, uint64_t now_us, const struct pxfs *fs, uint32_t nslots,
                    char *why, size_t why_cap);

#endif /* PXVM_SNAP_H */
