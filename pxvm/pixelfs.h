/*
 * pixelfs.h — PixelFS v1: a filesystem whose on-disk form is an RGBA8 PNG.
 *
 * The image's pixels, read row by row and channel by channel (R, G, B, A), form
 * a byte stream: byte b lives in pixel (b/4 % width, b/4 / width), channel b % 4.
 * That stream holds, each part starting on a pixel row of its own:
 *
 *   row 0        superblock (struct pxfs_super), CRC32-protected
 *   rows 1..     directory: file_count entries of struct pxfs_dirent, CRC32-protected
 *   rows ...     file data, each file starting on a new row, CRC32 per file
 *
 * so each file is a visible band of the picture. All integers are little-endian.
 * The format is defined only here: the kernel (mounting the ramdisk), the host
 * tool tools/pxfs (build, list, extract, verify) and the tests include this file.
 * PNG encoding and decoding stay outside (stb_image / stb_image_write): this
 * module works on decoded RGBA8 pixels. docs/pixelfs.md is the prose version.
 */
#ifndef PXVM_PIXELFS_H
#define PXVM_PIXELFS_H

#include <stdint.h>
#include <stddef.h>

#define PXFS_MAGIC    0x53465850u /* "PXFS" */
#define PXFS_VERSION  1u
#define PXFS_PATH_MAX 96u         /* bytes of a path, including its NUL */
#define PXFS_MIN_WIDTH 32u        /* rows of at least 128 bytes (superblock: 64) */
#define PXFS_MAX_WIDTH 4096u
#define PXFS_MAX_HEIGHT 16384u
#define PXFS_MAX_FILES 1024u
#define PXFS_DEFAULT_WIDTH 256u   /* 1 KiB per row */

enum pxfs_type {
	PXFS_TYPE_PROGRAM = 1, /* a pxVM executable (.pxe) */
	PXFS_TYPE_TEXT = 2,    /* UTF-8 text */
	PXFS_TYPE_DATA = 3,    /* anything else */
};

struct pxfs_super {
	uint32_t magic;       /* PXFS_MAGIC */
	uint16_t version;     /* PXFS_VERSION */
	uint16_t flags;       /* 0 */
	uint32_t width;       /* image width in pixels; must equal the PNG's */
	uint32_t height;      /* image height in pixels; must equal the PNG's */
	uint32_t file_count;  /* directory entries */
	uint32_t dir_offset;  /* byte offset of the directory (row-aligned) */
	uint32_t dir_size;    /* file_count * sizeof(struct pxfs_dirent) */
	uint32_t data_offset; /* byte offset of the first file (row-aligned) */
	uint32_t data_size;   /* bytes from data_offset to the end of the last file */
	uint32_t dir_crc;     /* CRC32 of the directory bytes */
	uint32_t reserved[5]; /* 0 */
	uint32_t super_crc;   /* CRC32 of this struct with super_crc = 0 */
};

struct pxfs_dirent {
	char path[PXFS_PATH_MAX]; /* absolute path, e.g. "/boot/init"; NUL-padded */
	uint32_t id;          /* file id, unique in the image, >= 1 */
	uint32_t type;        /* enum pxfs_type */
	uint32_t size;        /* bytes */
	uint32_t offset;      /* byte offset of the data (row-aligned) */
	uint32_t crc;         /* CRC32 of the data */
	uint32_t reserved[3]; /* 0 */
};

_Static_assert(sizeof(struct pxfs_super) == 64, "superblock is 64 bytes");
_Static_assert(sizeof(struct pxfs_dirent) == 128, "directory entry is 128 bytes");

/* Image-level results of pxfs_mount (negative) — X(name, code, text). */
#define PXFS_ERRORS(X)                                                  \
	X(OK,        0, "ok")                                           \
	X(SIZE,      1, "image smaller than a superblock or wrong size") \
	X(MAGIC,     2, "bad magic: not a PixelFS image")              \
	X(VERSION,   3, "unsupported PixelFS version")                  \
	X(SUPER_CRC, 4, "superblock checksum mismatch")                 \
	X(GEOMETRY,  5, "superblock geometry disagrees with the image") \
	X(DIR,       6, "directory outside the image or too large")     \
	X(DIR_CRC,   7, "directory checksum mismatch")                 \
	X(ARG,       8, "invalid argument (NULL or misaligned buffer)")

enum pxfs_error {
#define PXFS_X_ERR(name, code, text) PXFS_E##name = (code),
	PXFS_ERRORS(PXFS_X_ERR)
#undef PXFS_X_ERR
};

/* pxfs_strerror: text for a pxfs_error code (positive or negated); a static
 * string, "unknown PixelFS error" for codes outside PXFS_ERRORS. */
const char *pxfs_strerror(int err);

/* A mounted image: views into the caller's decoded pixel buffer. */
struct pxfs {
	const uint8_t *bytes;          /* the byte stream (decoded RGBA8 pixels) */
	size_t nbytes;                 /* width * height * 4 */
	const struct pxfs_dirent *dir; /* file_count entries inside bytes */
	uint32_t count;                /* directory entries, good and bad */
	uint32_t good;                 /* entries that passed every check */
	uint8_t *bad;                  /* count flags (caller-provided), 1 = rejected */
};
/* `dir` points into the caller's pixels, so it is only as aligned as they are
 * (pxfs_mount insists on 4-byte alignment); this module itself reads entries with
 * memcpy. Every pointer stays valid as long as the pixel buffer does. */

/* Called once per rejected file, in directory order: `path` is the entry's path
 * sanitised to printable ASCII (other bytes shown as '?'; an empty path appears
 * as "(entry N: empty path)"), a string that lives only for the call, and `why`
 * a static reason such as "checksum mismatch" or "duplicate path". */
typedef void (*pxfs_report_fn)(void *ctx, const char *path, const char *why);

/* pxfs_mount: check and mount decoded pixels (`width` x `height` RGBA8, row-major,
 * no padding, 4-byte aligned; never written). `bad` must hold PXFS_MAX_FILES
 * bytes. Checks the superblock and directory (image-level: returns -PXFS_E*,
 * mounts nothing: fs->count = fs->good = 0) and then every file (path, id, type,
 * reserved fields, bounds, CRC32, then duplicate path, file-versus-directory clash
 * and duplicate id against the earlier good entries: the first good entry wins);
 * a bad file is flagged in bad[], reported through `report` (may be NULL) and
 * left out, the others stay usable. No byte of the image is trusted: every offset
 * and size is checked with overflow-safe arithmetic before use. Returns 0 when the
 * image itself is sound (fs->good tells how many files are). Cost: O(bytes) for
 * the CRCs plus O(count^2) path comparisons. Format: this header. */
int pxfs_mount(struct pxfs *fs, const uint8_t *pixels, uint32_t width, uint32_t height,
               uint8_t *bad, pxfs_report_fn report, void *ctx);

/* A file as the lookups return it. */
struct pxfs_file {
	const char *path;
	uint32_t id, type, size;
	const uint8_t *data;
};

/* Results of the lookups and of pxfs_build: 0, or -PXE_E* (pxvm/abi.h), the
 * error convention of all pxvm code. pxfs_mount alone returns -PXFS_E*: each
 * of those names one way an image is corrupt (pxfs_strerror). */

/* pxfs_lookup: find good file `path` (exact match, NUL-terminated). Returns 0 and
 * fills *out; -PXE_ENOENT when there is no such good file, -PXE_ENAMETOOLONG
 * for a path of PXFS_PATH_MAX bytes or more, -PXE_EINVAL for a NULL argument. */
int pxfs_lookup(const struct pxfs *fs, const char *path, struct pxfs_file *out);

/* pxfs_lookup_id: find good file with id `id` (>= 1). Returns 0 and fills *out;
 * -PXE_ENOENT when there is none, -PXE_EINVAL for id 0 or a NULL argument. */
int pxfs_lookup_id(const struct pxfs *fs, uint32_t id, struct pxfs_file *out);

/* pxfs_readdir: the `index`-th good entry directly inside directory `dir`
 * ("/apps", no trailing slash; "/" for the root's files). Entries come in
 * directory order. On success writes the entry's last path component to *name
 * (pointer into the image, `*name_len` bytes, not NUL-terminated) and returns 0;
 * returns -PXE_ERANGE past the last entry, -PXE_ENAMETOOLONG for a `dir` of
 * PXFS_PATH_MAX bytes or more, -PXE_EINVAL for a relative or empty `dir` or a
 * NULL argument. Subdirectories are listed by their name once. */
int pxfs_readdir(const struct pxfs *fs, const char *dir, uint32_t index,
                 const char **name, uint32_t *name_len);

/* pxfs_count_in: number of good files whose path starts with `prefix` (a plain
 * string prefix: pass "/apps/" for the files under /apps; NULL or "" counts all). */
uint32_t pxfs_count_in(const struct pxfs *fs, const char *prefix);

/* pxfs_entry: directory entry `index` (0 <= index < fs->count) when it is good:
 * returns 0 and fills *out; -PXE_ENOENT for a rejected entry, -PXE_ERANGE for
 * an index out of range, -PXE_EINVAL for a NULL argument. */
int pxfs_entry(const struct pxfs *fs, uint32_t index, struct pxfs_file *out);

/* pxfs_type_name: "program", "text", "data" for a pxfs_type, NULL otherwise. */
const char *pxfs_type_name(uint32_t type);

/* pxfs_check_path: is `path` a valid PixelFS file path? NULL when it is, else a
 * static reason. Valid: starts with '/', shorter than PXFS_PATH_MAX bytes,
 * printable ASCII (0x20..0x7E), components separated by single '/', none empty,
 * "." or "..", no trailing '/'. The same rule pxfs_mount and pxfs_build apply. */
const char *pxfs_check_path(const char *path);

/* ---- Building an image (host tool, tests; pure, no allocation) -------------- */

struct pxfs_input {
	const char *path;   /* absolute, < PXFS_PATH_MAX bytes */
	uint32_t type;      /* enum pxfs_type */
	const uint8_t *data;
	uint32_t size;
};

/* pxfs_layout: the image height (rows) needed for `n` files at `width` pixels per
 * row: 1 superblock row, ceil(n*128 / row) directory rows, then ceil(size / row)
 * rows per file (none for an empty file). Returns 0 when the inputs cannot form a
 * valid image (any reason pxfs_layout_check gives). */
uint32_t pxfs_layout(const struct pxfs_input *files, uint32_t n, uint32_t width);

/* pxfs_layout_check: pxfs_layout that says why: returns the height, or 0 and sets
 * *why (when `why` is not NULL) to a static reason: width outside
 * [PXFS_MIN_WIDTH, PXFS_MAX_WIDTH], more than PXFS_MAX_FILES files, an invalid
 * path (pxfs_check_path), unknown type, NULL data with size > 0, duplicate path,
 * a file path that is also another file's directory, or more than PXFS_MAX_HEIGHT
 * rows. Cost O(n^2) path comparisons. */
uint32_t pxfs_layout_check(const struct pxfs_input *files, uint32_t n, uint32_t width,
                           const char **why);

/* pxfs_build: write the image for `files` into `pixels` (width x height x 4 bytes,
 * height >= pxfs_layout's and <= PXFS_MAX_HEIGHT; extra rows are zero). Files are
 * laid out in input order; ids are assigned 1..n in input order. Returns 0, or
 * -PXE_EINVAL when an input is invalid (path not absolute or too long, duplicate path,
 * bad type; see pxfs_layout_check) or the geometry is wrong; *why then says
 * which and `pixels` is untouched. */
int pxfs_build(const struct pxfs_input *files, uint32_t n, uint32_t width, uint32_t height,
               uint8_t *pixels, const char **why);

#endif /* PXVM_PIXELFS_H */
