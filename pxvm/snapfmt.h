/*
 * snapfmt.h — the snapshot file format without the machine: the pxSt chunk's
 * head, finding and adding the chunk in a PNG, walking the state's sections
 * and reading the process entries. pxvm/snap.h saves and loads a machine
 * with it; pxdis, pxfs and pxsim read snapshots with it. Portable, and it
 * needs nothing but CRC-32 (pxvm-base). docs/snapshots.md is the format.
 */
#ifndef PXVM_SNAPFMT_H
#define PXVM_SNAPFMT_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "snapio.h"
#include "abi.h"
#include "kernel/param.h"

#define SNAP_CHUNK_TYPE   "pxSt"     /* ancillary, private, reserved bit clear, safe to copy */
#define SNAP_MAGIC        0x4E535850u /* "PXSN" */
#define SNAP_FORMAT       2u          /* this build writes format 2 and reads 1 and 2 */
#define SNAP_F_ZLIB       1u          /* the payload is a zlib stream */
#define SNAP_BUILD_ID_MAX 48u
#define SNAP_HEAD_SIZE    (5u * 4u + SNAP_BUILD_ID_MAX)
/* The largest process record of any kind (format 2; format 1's was 4 x 64 KiB):
 * a Python process's, with its heap blocks, its C stack and its pixel memory
 * (pxvm/py/pyproc.c). */
#define SNAP_RECORD_MAX   ((PY_HEAP_BLOCKS + 2u) * (PXVM_MEM_SIZE + 4u) + 4096u)
/* The largest state a reader accepts: every process with its largest record,
 * canvas and back layer, every RAM file, and room for the small sections. */
#define SNAP_STATE_MAX    ((size_t)NPROC * (SNAP_RECORD_MAX + 2u * PXVM_MEM_SIZE + 4096u) + \
                           (size_t)VFS_RAM_FILES * (VFS_FILE_MAX + 256u) + 1024u * 1024u)

/* snap_build_id: this build's id ("pxOS VERSION GITREV", '+' after the
 * revision for uncommitted changes), NUL-terminated. */
const char *snap_build_id(void);

/* snapw_build_id: append this build's id as a NUL-padded field of
 * SNAP_BUILD_ID_MAX bytes (the chunk head's and a Python record's). */
void snapw_build_id(struct snapw *w);

/* What the head of a pxSt chunk says (snap_chunk_parse). */
struct snap_info {
	uint32_t format, flags;
	uint32_t state_len, state_crc;
	char build_id[SNAP_BUILD_ID_MAX + 1];
	const uint8_t *payload;  /* inside the chunk data */
	size_t payload_len;
	uint64_t clock_us;       /* from section MACH (snap_state_info) */
	uint64_t steps;          /* instructions run, from section SCHD */
	uint64_t charged;        /* instructions charged for system calls beyond their own (SCHD) */
	uint32_t nslots;         /* visible slots of the machine that took it */
	uint32_t nproc;          /* processes (live and zombie) it holds */
};

/* One section's frame (snapfmt_section_next). */
struct snap_section {
	char tag[5];             /* 4 bytes as written, NUL-terminated */
	uint32_t version, len;
	const uint8_t *body;     /* len bytes */
};

/* snapfmt_section_next: the next section's frame from `r` (over the state):
 * 1 and *s, 0 at the end of the state, -1 when the frame is cut short. */
int snapfmt_section_next(struct snapr *r, struct snap_section *s);

/* snapfmt_info: frame every section of state `raw` (n bytes) and read the
 * clock, slots (MACH v1), instructions (SCHD v1) and process count (PROC v1)
 * into *info, without the machine (for the tools: pxvm/snap.h's
 * snap_state_info checks all of it). 0, or -PXE_EINVAL with why. */
int snapfmt_info(const uint8_t *raw, size_t n, struct snap_info *info, char *why, size_t why_cap);

/* snapfmt_tiles: the picture of a machine with no screen: the memory of
 * each of `n` processes (mems[k]: PXVM_MEM_WORDS words) as a 128 x 128 tile
 * of RGB pixels (a word's bytes 0, 1, 2 are R, G, B), eight tiles to a row.
 * *w and *h get its size; rgb (NULL: only the size) gets *w * *h * 3 bytes. */
void snapfmt_tiles(const uint32_t *const *mems, uint32_t n, uint8_t *rgb, uint32_t *w, uint32_t *h);

/* snapfmt_find: section `tag` of state `raw` (n bytes): 0 and *s, or -1. */
int snapfmt_find(const uint8_t *raw, size_t n, const char *tag, struct snap_section *s);

/* One process entry of section PROC v2 (docs/snapshots.md). */
#define SNAP_KIND_MAX 16u
struct snap_proc {
	uint32_t index;
	char kind[SNAP_KIND_MAX];
	uint32_t state, block, pid, ppid, wait_pid, status, slot;
	uint32_t pgid, sid, by_init;          /* v2: its job and session */
	uint32_t io_total, io_fd, io_nl;      /* v2: a write blocked on the console */
	uint64_t io_seq;
	uint32_t tty_raw, intr_catch, intr_pending; /* v2: console mode and Ctrl-C */
	uint64_t syscalls, charged;
	uint32_t sys_errors, faults;
	uint64_t wake_left;      /* sleeping: microseconds left at the snapshot */
	uint32_t io_buf, io_len;
	int16_t fd[NOFILE];
	uint32_t layer;
	char name[PROC_NAME_MAX];
	const uint8_t *record;   /* the kind's record (proc_ops.snapshot), NULL for a zombie */
	uint32_t record_len;
	const uint8_t *canvas;   /* PXVM_TILE_W x PXVM_TILE_H little-endian words, or NULL */
	const uint8_t *back;     /* its back layer, or NULL */
};

/* snapfmt_proc_next: read one process entry from a PROC section's reader;
 * NULL, or a short reason for an entry that does not parse or is out of
 * range (fields the table cannot hold). Cross-entry checks are the caller's. */
const char *snapfmt_proc_next(struct snapr *r, struct snap_proc *p);

/* snapfmt_pxvm_memory: the 64 KiB memory image inside a pxVM kind's record
 * (its registers before it: pxvm/proc_pxvm.h), or NULL when the record is not
 * one this build knows. *pc gets the pc, regs (8 words) the registers. */
const uint8_t *snapfmt_pxvm_memory(const struct snap_proc *p, uint32_t *pc, uint32_t regs[8]);

/* snap_chunk_head: the head of a pxSt chunk for a state of `state_len` bytes
 * with CRC-32 `state_crc`, payload compressed when `zlib`, into
 * head[SNAP_HEAD_SIZE]. */
void snap_chunk_head(uint8_t *head, size_t state_len, uint32_t state_crc, bool zlib);

/* snap_chunk_parse: check the data of a pxSt chunk (n bytes) and describe it:
 * 0, or -PXE_EINVAL with why (not a snapshot, a newer format, unknown flags,
 * a state larger than SNAP_STATE_MAX). */
int snap_chunk_parse(const uint8_t *data, size_t n, struct snap_info *info, char *why, size_t why_cap);

/* snap_png_find: walk the PNG datastream `png` (n bytes): signature, chunk
 * lengths inside the file, every chunk's CRC (PNG 1.2 §3.4), IHDR first and
 * IEND last; the data of its one pxSt chunk into *data, *len. 0, or
 * -PXE_EINVAL with why (damaged PNG, no pxSt: "a picture, not a snapshot",
 * two pxSt chunks). */
int snap_png_find(const uint8_t *png, size_t n, const uint8_t **data, size_t *len, char *why, size_t why_cap);

/* snap_png_insert: PNG `png` (n bytes, as an encoder wrote it, ending with
 * IEND) with a pxSt chunk of head + payload put just before IEND, into out
 * (cap bytes). Returns the new length, 0 when cap is too small or png does
 * not end with IEND. The new length is n + 12 + SNAP_HEAD_SIZE + payload_len. */
size_t snap_png_insert(const uint8_t *png, size_t n, const uint8_t *head, const uint8_t *payload,
                       size_t payload_len, uint8_t *out, size_t cap);

/* snap_state_crc: CRC-32 of the state bytes, as the head records it. */
uint32_t snap_state_crc(const uint8_t *raw, size_t n);

#endif /* PXVM_SNAPFMT_H */
