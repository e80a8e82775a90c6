/*
 * pixelfs.c — PixelFS v1 (format in pxvm/pixelfs.h, prose in docs/pixelfs.md):
 * mount-time checks, lookups and directory listing over a decoded RGBA8 pixel
 * buffer, and the image builder.
 *
 * Portable: no allocation, no stdio. The mount trusts no byte of the image:
 * structures are copied out with memcpy (no alignment or aliasing assumptions),
 * every offset and size is checked in 64-bit arithmetic against the buffer size
 * before any access, and paths are only handled as strings once they are known
 * to be NUL-terminated inside their 96-byte field.
 */
#include "pxvm/port.h"
#include "pxvm/abi.h"
#include "pxvm/ascii.h"
#include "pxvm/pixelfs.h"
#include "pxvm/crc32.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "PixelFS copies its little-endian structures as they are: little-endian CPUs only"
#endif

#define DIRENT_SIZE ((uint32_t)sizeof(struct pxfs_dirent))

_Static_assert(PXFS_MIN_WIDTH == 32 && PXFS_MAX_WIDTH == 4096 && PXFS_MAX_FILES == 1024 &&
               PXFS_MAX_HEIGHT == 16384 && PXFS_PATH_MAX == 96,
               "limits are spelled out in the error strings below");
_Static_assert(PXFS_MIN_WIDTH * 4u >= sizeof(struct pxfs_super), "row 0 holds the superblock");

const char *pxfs_strerror(int err)
{
	static const char *const text[] = {
#define PXFS_X_TEXT(name, code, t) [code] = t,
		PXFS_ERRORS(PXFS_X_TEXT)
#undef PXFS_X_TEXT
	};
	unsigned u = err < 0 ? (unsigned)-(err + 1) + 1u : (unsigned)err; /* |err|, INT_MIN too */

	if (u < sizeof text / sizeof text[0] && text[u])
		return text[u];
	return "unknown PixelFS error";
}

const char *pxfs_type_name(uint32_t type)
{
	switch (type) {
	case PXFS_TYPE_PROGRAM: return "program";
	case PXFS_TYPE_TEXT: return "text";
	case PXFS_TYPE_DATA: return "data";
	default: return NULL;
	}
}

/* ---- Paths -------------------------------------------------------------------- */

/* strnlen (which strict ISO C lacks): the length of `s`, at most `max`. */
static size_t bounded_len(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

enum path_fault { PATH_OK, PATH_LONG, PATH_RELATIVE, PATH_BYTE, PATH_COMPONENT };

/* Checks the string at `p` (at most `max` bytes are read, stopping at a NUL). */
static enum path_fault path_fault(const char *p, size_t max)
{
	size_t len = bounded_len(p, max), comp = 0;

	if (len == max)
		return PATH_LONG;
	if (len == 0 || p[0] != '/')
		return PATH_RELATIVE;
	for (size_t i = 1; i <= len; i++) {
		unsigned char c = (unsigned char)p[i];
		if (i == len || c == '/') {
			if (comp == 0 || (comp == 1 && p[i - 1] == '.') ||
			    (comp == 2 && p[i - 1] == '.' && p[i - 2] == '.'))
				return PATH_COMPONENT;
			comp = 0;
		} else if (!ascii_printable(c)) {
			return PATH_BYTE;
		} else {
			comp++;
		}
	}
	return PATH_OK;
}

static const char *const why_component = "path has an empty, \".\" or \"..\" component";
static const char *const why_byte = "path has a byte outside printable ASCII";

const char *pxfs_check_path(const char *path)
{
	if (!path)
		return "path missing";
	switch (path_fault(path, PXFS_PATH_MAX)) {
	case PATH_OK: return NULL;
	case PATH_LONG: return "path too long (95 bytes at most)";
	case PATH_RELATIVE: return "path not absolute";
	case PATH_BYTE: return why_byte;
	default: return why_component;
	}
}

/* How two valid paths relate: 0 unrelated, 1 equal, 2 one is a directory of the
 * other ("/a" and "/a/b"). One pass up to the first difference. */
static int path_relation(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	if (*a == *b)
		return 1;
	if ((*a == 0 && *b == '/') || (*b == 0 && *a == '/'))
		return 2;
	return 0;
}

/* ---- Mounting ----------------------------------------------------------------- */

static const uint8_t *entry_bytes(const struct pxfs *fs, uint32_t i)
{
	return (const uint8_t *)fs->dir + (size_t)i * DIRENT_SIZE;
}

static uint32_t entry_id(const struct pxfs *fs, uint32_t i)
{
	uint32_t id;
	memcpy(&id, entry_bytes(fs, i) + offsetof(struct pxfs_dirent, id), sizeof id);
	return id;
}

/* The checks one entry can fail on its own (everything but the duplicates). */
static const char *entry_fault(const struct pxfs *fs, const struct pxfs_dirent *d,
                               uint64_t row, uint64_t data_lo, uint64_t data_hi)
{
	enum path_fault pf = path_fault(d->path, PXFS_PATH_MAX);
	uint64_t end = (uint64_t)d->offset + d->size;

	if (pf == PATH_LONG || pf == PATH_RELATIVE)
		return "path not absolute or not NUL-terminated";
	if (pf == PATH_BYTE)
		return why_byte;
	if (pf == PATH_COMPONENT)
		return why_component;
	for (size_t i = strlen(d->path); i < PXFS_PATH_MAX; i++)
		if (d->path[i])
			return "path padding not zero";
	if (d->id == 0)
		return "bad id (0)";
	if (!pxfs_type_name(d->type))
		return "unknown type";
	if (d->reserved[0] || d->reserved[1] || d->reserved[2])
		return "reserved fields not zero";
	if (end > fs->nbytes)
		return "data outside the image";
	if (d->offset % row)
		return "data offset not row-aligned";
	if (d->offset < data_lo || end > data_hi)
		return "data outside the data area";
	if (crc32(fs->bytes + d->offset, d->size) != d->crc)
		return "checksum mismatch";
	return NULL;
}

/* The clash of entry i with the good entries before it, or NULL. */
static const char *entry_clash(const struct pxfs *fs, uint32_t i)
{
	const char *p = (const char *)entry_bytes(fs, i);
	uint32_t id = entry_id(fs, i);

	for (uint32_t j = 0; j < i; j++) {
		if (fs->bad[j])
			continue;
		int rel = path_relation(p, (const char *)entry_bytes(fs, j));
		if (rel == 1)
			return "duplicate path";
		if (rel == 2)
			return "path clashes with a directory of another file";
		if (entry_id(fs, j) == id)
			return "duplicate id";
	}
	return NULL;
}

static void put_uint(char *buf, size_t *n, uint32_t v)
{
	char tmp[10];
	size_t k = 0;

	do {
		tmp[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (k)
		buf[(*n)++] = tmp[--k];
}

static void report_bad(pxfs_report_fn report, void *ctx, const uint8_t *e, uint32_t index,
                       const char *why)
{
	static const char empty_a[] = "(entry ", empty_b[] = ": empty path)";
	char buf[PXFS_PATH_MAX + 8];
	size_t n;

	if (!report)
		return;
	n = ascii_sanitise(buf, e, PXFS_PATH_MAX, '?');
	if (n == PXFS_PATH_MAX) {
		memcpy(buf + n, "...", 3);
		n += 3;
	} else if (n == 0) {
		memcpy(buf, empty_a, sizeof empty_a - 1);
		n = sizeof empty_a - 1;
		put_uint(buf, &n, index);
		memcpy(buf + n, empty_b, sizeof empty_b - 1);
		n += sizeof empty_b - 1;
	}
	buf[n] = 0;
	report(ctx, buf, why);
}

int pxfs_mount(struct pxfs *fs, const uint8_t *pixels, uint32_t width, uint32_t height,
               uint8_t *bad, pxfs_report_fn report, void *ctx)
{
	struct pxfs_super s;
	uint32_t want_crc;

	if (!fs)
		return -PXFS_EARG;
	memset(fs, 0, sizeof *fs);
	fs->bad = bad;
	if (!pixels || !bad || ((uintptr_t)pixels & 3u))
		return -PXFS_EARG;
	if (width < PXFS_MIN_WIDTH || width > PXFS_MAX_WIDTH || height == 0 ||
	    height > PXFS_MAX_HEIGHT)
		return -PXFS_ESIZE;

	uint64_t row = (uint64_t)width * 4u;
	uint64_t nbytes = row * height;

	memcpy(&s, pixels, sizeof s);
	if (s.magic != PXFS_MAGIC)
		return -PXFS_EMAGIC;
	if (s.version != PXFS_VERSION)
		return -PXFS_EVERSION;
	want_crc = s.super_crc;
	s.super_crc = 0;
	if (crc32(&s, sizeof s) != want_crc)
		return -PXFS_ESUPER_CRC;
	if (s.flags || s.reserved[0] || s.reserved[1] || s.reserved[2] || s.reserved[3] ||
	    s.reserved[4])
		return -PXFS_EVERSION; /* features this reader does not know */
	if (s.width != width || s.height != height)
		return -PXFS_EGEOMETRY;

	uint64_t dir_end = (uint64_t)s.dir_offset + s.dir_size;
	if (s.file_count > PXFS_MAX_FILES || (uint64_t)s.file_count * DIRENT_SIZE != s.dir_size ||
	    s.dir_offset < row || s.dir_offset % row || dir_end > nbytes)
		return -PXFS_EDIR;

	uint64_t data_hi = (uint64_t)s.data_offset + s.data_size;
	if (s.data_offset % row || s.data_offset < dir_end || data_hi > nbytes)
		return -PXFS_EGEOMETRY;
	if (crc32(pixels + s.dir_offset, s.dir_size) != s.dir_crc)
		return -PXFS_EDIR_CRC;

	fs->bytes = pixels;
	fs->nbytes = (size_t)nbytes;
	fs->dir = (const struct pxfs_dirent *)(const void *)(pixels + s.dir_offset);
	fs->count = s.file_count;
	for (uint32_t i = 0; i < fs->count; i++) {
		struct pxfs_dirent d;
		memcpy(&d, entry_bytes(fs, i), sizeof d);
		const char *why = entry_fault(fs, &d, row, s.data_offset, data_hi);
		if (!why)
			why = entry_clash(fs, i);
		bad[i] = why != NULL;
		if (why)
			report_bad(report, ctx, entry_bytes(fs, i), i, why);
		else
			fs->good++;
	}
	return 0;
}

/* ---- Lookups ------------------------------------------------------------------ */

static void fill_file(const struct pxfs *fs, uint32_t i, struct pxfs_file *out)
{
	struct pxfs_dirent d;

	memcpy(&d, entry_bytes(fs, i), sizeof d);
	out->path = (const char *)entry_bytes(fs, i);
	out->id = d.id;
	out->type = d.type;
	out->size = d.size;
	out->data = fs->bytes + d.offset;
}

int pxfs_entry(const struct pxfs *fs, uint32_t index, struct pxfs_file *out)
{
	if (!fs || !out)
		return -PXE_EINVAL;
	if (index >= fs->count)
		return -PXE_ERANGE;
	if (fs->bad[index])
		return -PXE_ENOENT;
	fill_file(fs, index, out);
	return 0;
}

int pxfs_lookup(const struct pxfs *fs, const char *path, struct pxfs_file *out)
{
	if (!fs || !path || !out)
		return -PXE_EINVAL;
	size_t len = bounded_len(path, PXFS_PATH_MAX);
	if (len >= PXFS_PATH_MAX)
		return -PXE_ENAMETOOLONG;
	for (uint32_t i = 0; i < fs->count; i++) {
		if (!fs->bad[i] && memcmp(entry_bytes(fs, i), path, len + 1) == 0) {
			fill_file(fs, i, out);
			return 0;
		}
	}
	return -PXE_ENOENT;
}

int pxfs_lookup_id(const struct pxfs *fs, uint32_t id, struct pxfs_file *out)
{
	if (!fs || !out || id == 0)
		return -PXE_EINVAL;
	for (uint32_t i = 0; i < fs->count; i++) {
		if (!fs->bad[i] && entry_id(fs, i) == id) {
			fill_file(fs, i, out);
			return 0;
		}
	}
	return -PXE_ENOENT;
}

uint32_t pxfs_count_in(const struct pxfs *fs, const char *prefix)
{
	uint32_t n = 0;
	size_t len = prefix ? bounded_len(prefix, PXFS_PATH_MAX) : 0;

	if (!fs)
		return 0;
	for (uint32_t i = 0; i < fs->count; i++)
		if (!fs->bad[i] && strncmp((const char *)entry_bytes(fs, i), prefix ? prefix : "",
		                           len) == 0)
			n++;
	return n;
}

/* The part of good entry i's path below directory `dir` (`dl` bytes, "/" for the
 * root), or NULL when the entry is not under it. */
static const char *below(const struct pxfs *fs, uint32_t i, const char *dir, size_t dl)
{
	const char *p = (const char *)entry_bytes(fs, i);

	if (dl == 1)
		return p + 1;
	if (strncmp(p, dir, dl) == 0 && p[dl] == '/')
		return p + dl + 1;
	return NULL;
}

static size_t component_len(const char *s)
{
	size_t n = 0;

	while (s[n] && s[n] != '/')
		n++;
	return n;
}

int pxfs_readdir(const struct pxfs *fs, const char *dir, uint32_t index,
                 const char **name, uint32_t *name_len)
{
	if (!fs || !dir || !name || !name_len)
		return -PXE_EINVAL;
	size_t dl = bounded_len(dir, PXFS_PATH_MAX);
	if (dl >= PXFS_PATH_MAX)
		return -PXE_ENAMETOOLONG;
	if (dl == 0 || dir[0] != '/')
		return -PXE_EINVAL;
	while (dl > 1 && dir[dl - 1] == '/')
		dl--; /* tolerate "/apps/" */

	uint32_t seen = 0;
	for (uint32_t i = 0; i < fs->count; i++) {
		const char *rest = fs->bad[i] ? NULL : below(fs, i, dir, dl);
		if (!rest)
			continue;
		size_t cl = component_len(rest);
		if (rest[cl] == '/') {
			/* A subdirectory: list it at its first entry only. Looking back
			 * from i finds the previous sibling at once in a sorted image. */
			int listed = 0;
			for (uint32_t j = i; j > 0 && !listed; j--) {
				const char *r = fs->bad[j - 1] ? NULL : below(fs, j - 1, dir, dl);
				listed = r && strncmp(r, rest, cl) == 0 && r[cl] == '/';
			}
			if (listed)
				continue;
		}
		if (seen++ == index) {
			*name = rest;
			*name_len = (uint32_t)cl;
			return 0;
		}
	}
	return -PXE_ERANGE;
}

/* ---- Building ----------------------------------------------------------------- */

static uint64_t rows_for(uint64_t bytes, uint64_t row)
{
	return (bytes + row - 1) / row;
}

uint32_t pxfs_layout_check(const struct pxfs_input *files, uint32_t n, uint32_t width,
                           const char **why)
{
	const char *w = NULL;
	uint64_t row = (uint64_t)width * 4u, rows = 1;

	if (width < PXFS_MIN_WIDTH || width > PXFS_MAX_WIDTH)
		w = "width outside 32..4096 pixels";
	else if (n > PXFS_MAX_FILES)
		w = "more than 1024 files";
	else if (n && !files)
		w = "file list missing";
	for (uint32_t i = 0; !w && i < n; i++) {
		const struct pxfs_input *f = &files[i];
		if ((w = pxfs_check_path(f->path)) != NULL)
			break;
		if (!pxfs_type_name(f->type))
			w = "unknown type";
		else if (f->size && !f->data)
			w = "file data missing";
		for (uint32_t j = 0; !w && j < i; j++) {
			int rel = path_relation(f->path, files[j].path);
			if (rel == 1)
				w = "duplicate path";
			else if (rel == 2)
				w = "path clashes with a directory of another file";
		}
		rows += rows_for(f->size, row);
	}
	if (!w) {
		rows += rows_for((uint64_t)n * DIRENT_SIZE, row);
		if (rows > PXFS_MAX_HEIGHT)
			w = "image would be taller than 16384 rows";
	}
	if (w) {
		if (why)
			*why = w;
		return 0;
	}
	return (uint32_t)rows;
}

uint32_t pxfs_layout(const struct pxfs_input *files, uint32_t n, uint32_t width)
{
	return pxfs_layout_check(files, n, width, NULL);
}

int pxfs_build(const struct pxfs_input *files, uint32_t n, uint32_t width, uint32_t height,
               uint8_t *pixels, const char **why)
{
	const char *w = NULL;
	uint32_t need = pxfs_layout_check(files, n, width, &w);

	if (need && (height < need || height > PXFS_MAX_HEIGHT))
		w = "height does not fit the layout";
	else if (need && !pixels)
		w = "pixel buffer missing";
	if (w) {
		if (why)
			*why = w;
		return -PXE_EINVAL;
	}

	uint32_t row = width * 4u;
	struct pxfs_super s;

	memset(pixels, 0, (size_t)row * height);
	memset(&s, 0, sizeof s);
	s.magic = PXFS_MAGIC;
	s.version = PXFS_VERSION;
	s.width = width;
	s.height = height;
	s.file_count = n;
	s.dir_offset = row;
	s.dir_size = n * DIRENT_SIZE;
	s.data_offset = row + (uint32_t)rows_for(s.dir_size, row) * row;

	uint32_t cur = s.data_offset, end = s.data_offset;
	for (uint32_t i = 0; i < n; i++) {
		const struct pxfs_input *f = &files[i];
		struct pxfs_dirent d;

		memset(&d, 0, sizeof d);
		memcpy(d.path, f->path, strlen(f->path));
		d.id = i + 1;
		d.type = f->type;
		d.size = f->size;
		d.offset = cur;
		d.crc = crc32(f->data, f->size);
		if (f->size)
			memcpy(pixels + cur, f->data, f->size);
		memcpy(pixels + s.dir_offset + (size_t)i * DIRENT_SIZE, &d, sizeof d);
		end = cur + f->size;
		cur += (uint32_t)rows_for(f->size, row) * row;
	}
	s.data_size = end - s.data_offset;
	s.dir_crc = crc32(pixels + s.dir_offset, s.dir_size);
	s.super_crc = crc32(&s, sizeof s);
	memcpy(pixels, &s, sizeof s);
	return 0;
}
