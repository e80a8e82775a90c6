/*
 * vfs.c — file descriptors over PixelFS with writes in RAM; see vfs.h.
 */
#include "vfs.h"
#include "proc.h"
#include "host.h"
#include "crc32.h"
#include "snapio.h"
#include "port.h"

_Static_assert(VFS_FILE_MAX <= PXVM_MEM_ALLOC_WORDS * 4, "a RAM file fits one pxhost_mem_alloc block");
_Static_assert(NOFILE < 128, "fd indexes fit int16_t with room");

#define NOPEN (NPROC * NOFILE) /* every open file is held by at least one fd */

struct ram_file {
	bool used;
	char path[PXFS_PATH_MAX];
	uint32_t type;        /* enum pxfs_type */
	uint32_t size;
	uint8_t *data;        /* VFS_FILE_MAX bytes from pxhost_mem_alloc */
};

struct open_file {
	uint32_t refs;        /* descriptors pointing here; 0 = unused */
	int ram;              /* RAM file index, or -1 for a PixelFS file */
	const char *pxpath;   /* PixelFS: the entry's path (its identity) */
	const uint8_t *pxdata;
	uint32_t pxsize;
	uint32_t off;
	uint32_t flags;       /* PXVM_O_* */
};

static const struct pxfs *fs;
static struct ram_file ram[VFS_RAM_FILES];
static struct open_file open_files[NOPEN];

/* vfs_proc_gone: close every descriptor of `p`. */
static void vfs_proc_gone(struct proc *p);

void vfs_init(const struct pxfs *f)
{
	proc_on_gone(vfs_proc_gone);
	for (uint32_t i = 0; i < VFS_RAM_FILES; i++)
		if (ram[i].data)
			pxhost_mem_free((uint32_t *)ram[i].data);
	memset(ram, 0, sizeof(ram));
	memset(open_files, 0, sizeof(open_files));
	fs = f;
}

const struct pxfs *vfs_fs(void) { return fs; }

uint32_t vfs_ram_files(void)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < VFS_RAM_FILES; i++)
		n += ram[i].used;
	return n;
}

static int find_ram(const char *path)
{
	for (int i = 0; i < (int)VFS_RAM_FILES; i++)
		if (ram[i].used && !strcmp(ram[i].path, path))
			return i;
	return -1;
}

/* Is `prefix` (no trailing '/') followed by '/' the start of `path`? */
static bool under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);
	if (n == 1 && prefix[0] == '/')
		return path[0] == '/';
	return !strncmp(path, prefix, n) && path[n] == '/';
}

static bool is_dir(const char *path)
{
	if (!strcmp(path, "/"))
		return true;
	char pre[PXFS_PATH_MAX + 1];
	snprintf(pre, sizeof(pre), "%s/", path);
	if (fs && pxfs_count_in(fs, pre))
		return true;
	for (uint32_t i = 0; i < VFS_RAM_FILES; i++)
		if (ram[i].used && under(ram[i].path, path))
			return true;
	return false;
}

int vfs_lookup(const char *path, struct vfs_file *out)
{
	if (strcmp(path, "/") && pxfs_check_path(path))
		return -PXE_ENOENT;
	int r = find_ram(path);
	if (r >= 0) {
		*out = (struct vfs_file){ ram[r].data, ram[r].size, ram[r].type, true };
		return 0;
	}
	struct pxfs_file f;
	if (fs && pxfs_lookup(fs, path, &f) == 0) {
		*out = (struct vfs_file){ f.data, f.size, f.type, false };
		return 0;
	}
	if (is_dir(path)) {
		*out = (struct vfs_file){ 0, 0, PXVM_FT_DIR, false };
		return 0;
	}
	return -PXE_ENOENT;
}

/* check_new_path: may a file be created at `path`? 0, or -PXE_EINVAL (not a
 * valid PixelFS path), -PXE_EISDIR (a directory is there), -PXE_EEXIST (a file
 * is where one of its directories would be). */
static int check_new_path(const char *path)
{
	if (pxfs_check_path(path))
		return -PXE_EINVAL;
	if (is_dir(path))
		return -PXE_EISDIR;
	char pre[PXFS_PATH_MAX];
	struct vfs_file f;
	for (size_t i = 1; path[i]; i++) {
		if (path[i] != '/')
			continue;
		memcpy(pre, path, i);
		pre[i] = '\0';
		if (vfs_lookup(pre, &f) == 0 && f.type != PXVM_FT_DIR)
			return -PXE_EEXIST;
	}
	return 0;
}

/* new_ram: a RAM file at `path` with the first `size` bytes of `data`;
 * returns its index or -PXE_ENOSPC / -PXE_ENOMEM. */
static int new_ram(const char *path, uint32_t type, const uint8_t *data, uint32_t size)
{
	for (int i = 0; i < (int)VFS_RAM_FILES; i++) {
		if (ram[i].used)
			continue;
		uint8_t *buf = (uint8_t *)pxhost_mem_alloc();
		if (!buf)
			return -PXE_ENOMEM;
		ram[i].used = true;
		snprintf(ram[i].path, sizeof(ram[i].path), "%s", path);
		ram[i].type = type;
		ram[i].data = buf;
		ram[i].size = size;
		if (size)
			memcpy(buf, data, size);
		return i;
	}
	return -PXE_ENOSPC;
}

/* to_ram: the RAM file for existing file `path`, copying a PixelFS file into
 * RAM (`keep` = how many of its bytes to copy: all, or 0 when truncating);
 * open PixelFS descriptors of that file follow it into RAM. Returns the index,
 * -PXE_ENOENT, -PXE_ENOSPC (RAM table full or file too large) or -PXE_ENOMEM. */
static int to_ram(const char *path, bool keep)
{
	int r = find_ram(path);
	if (r >= 0)
		return r;
	struct pxfs_file f;
	if (!fs || pxfs_lookup(fs, path, &f) != 0)
		return -PXE_ENOENT;
	if (keep && f.size > VFS_FILE_MAX)
		return -PXE_ENOSPC;
	r = new_ram(path, f.type, f.data, keep ? f.size : 0);
	if (r < 0)
		return r;
	for (uint32_t i = 0; i < NOPEN; i++) {
		struct open_file *o = &open_files[i];
		if (o->refs && o->ram < 0 && o->pxpath == f.path) {
			o->ram = r;
			if (o->off > ram[r].size)
				o->off = ram[r].size;
		}
	}
	return r;
}

int vfs_create(const char *path)
{
	struct vfs_file f;
	if (pxfs_check_path(path))
		return -PXE_EINVAL;
	if (vfs_lookup(path, &f) == 0) {
		if (f.type == PXVM_FT_DIR)
			return -PXE_EISDIR;
		int r = to_ram(path, false);
		if (r < 0)
			return r;
		ram[r].size = 0;
		return 0;
	}
	int e = check_new_path(path);
	if (e)
		return e;
	int r = new_ram(path, PXFS_TYPE_DATA, 0, 0);
	return r < 0 ? r : 0;
}

static struct open_file *get_fd(const struct proc *p, uint32_t fd)
{
	if (fd < PXVM_FD_FIRST || fd - PXVM_FD_FIRST >= NOFILE)
		return 0;
	int16_t i = p->fd[fd - PXVM_FD_FIRST];
	return i >= 0 && i < (int)NOPEN && open_files[i].refs ? &open_files[i] : 0;
}

int vfs_open(struct proc *p, const char *path, uint32_t flags)
{
	const uint32_t known = PXVM_O_WRITE | PXVM_O_CREATE | PXVM_O_TRUNC | PXVM_O_APPEND;
	if (flags & ~known)
		return -PXE_EINVAL;
	if ((flags & (PXVM_O_TRUNC | PXVM_O_APPEND | PXVM_O_CREATE)) && !(flags & PXVM_O_WRITE))
		return -PXE_EINVAL;
	if (pxfs_check_path(path))
		return strcmp(path, "/") ? -PXE_EINVAL : -PXE_EISDIR;
	uint32_t slot = NOFILE;
	for (uint32_t i = 0; i < NOFILE; i++)
		if (p->fd[i] < 0) {
			slot = i;
			break;
		}
	if (slot == NOFILE)
		return -PXE_EMFILE;
	struct open_file *o = 0;
	int16_t oi = -1;
	for (uint32_t i = 0; i < NOPEN; i++)
		if (!open_files[i].refs) {
			o = &open_files[i];
			oi = (int16_t)i;
			break;
		}
	if (!o)
		return -PXE_EMFILE; /* cannot happen: NOPEN covers every fd */

	struct vfs_file f;
	int found = vfs_lookup(path, &f) == 0;
	if (found && f.type == PXVM_FT_DIR)
		return -PXE_EISDIR;
	if (!found && !(flags & PXVM_O_CREATE))
		return -PXE_ENOENT;
	memset(o, 0, sizeof(*o));
	o->ram = -1;
	if (!found) {
		int e = check_new_path(path);
		if (e)
			return e;
		int r = new_ram(path, PXFS_TYPE_DATA, 0, 0);
		if (r < 0)
			return r;
		o->ram = r;
	} else if (flags & PXVM_O_WRITE) {
		int r = to_ram(path, !(flags & PXVM_O_TRUNC));
		if (r < 0)
			return r;
		if (flags & PXVM_O_TRUNC)
			ram[r].size = 0;
		o->ram = r;
	} else if (f.in_ram) {
		o->ram = find_ram(path);
	} else {
		struct pxfs_file pf;
		pxfs_lookup(fs, path, &pf);
		o->pxpath = pf.path;
		o->pxdata = pf.data;
		o->pxsize = pf.size;
	}
	o->flags = flags;
	o->refs = 1;
	p->fd[slot] = oi;
	return (int)(PXVM_FD_FIRST + slot);
}

static void drop(struct open_file *o)
{
	if (o->refs)
		o->refs--;
}

int vfs_close(struct proc *p, uint32_t fd)
{
	struct open_file *o = get_fd(p, fd);
	if (!o)
		return -PXE_EBADF;
	drop(o);
	p->fd[fd - PXVM_FD_FIRST] = -1;
	return 0;
}

int vfs_read(struct proc *p, uint32_t fd, uint32_t buf, uint32_t len)
{
	struct open_file *o = get_fd(p, fd);
	if (!o)
		return -PXE_EBADF;
	if (!pxvm_range_ok(buf, len))
		return -PXE_EFAULT;
	const uint8_t *data = o->ram >= 0 ? ram[o->ram].data : o->pxdata;
	uint32_t size = o->ram >= 0 ? ram[o->ram].size : o->pxsize;
	if (o->off >= size)
		return 0;
	uint32_t n = size - o->off;
	if (n > len)
		n = len;
	if (n > WRITE_MAX)
		n = WRITE_MAX;
	pxvm_write(&p->vm, buf, data + o->off, n);
	o->off += n;
	return (int)n;
}

int vfs_write(struct proc *p, uint32_t fd, uint32_t buf, uint32_t len)
{
	struct open_file *o = get_fd(p, fd);
	if (!o || !(o->flags & PXVM_O_WRITE) || o->ram < 0)
		return -PXE_EBADF;
	if (len > WRITE_MAX)
		return -PXE_EINVAL;
	if (!pxvm_range_ok(buf, len))
		return -PXE_EFAULT;
	struct ram_file *r = &ram[o->ram];
	if (o->flags & PXVM_O_APPEND)
		o->off = r->size;
	if (o->off > r->size)
		o->off = r->size; /* another descriptor truncated it */
	uint32_t n = VFS_FILE_MAX - o->off;
	if (n > len)
		n = len;
	if (!n)
		return len ? -PXE_ENOSPC : 0;
	pxvm_read(&p->vm, buf, r->data + o->off, n);
	o->off += n;
	if (o->off > r->size)
		r->size = o->off;
	return (int)n;
}

int vfs_stat(const char *path, uint32_t out[3])
{
	struct vfs_file f;
	if (strcmp(path, "/") && pxfs_check_path(path))
		return -PXE_EINVAL;
	if (vfs_lookup(path, &f) != 0)
		return -PXE_ENOENT;
	out[0] = f.size;
	out[1] = f.type;
	out[2] = (f.in_ram ? PXVM_ST_F_RAM : 0) | (f.type == PXVM_FT_DIR ? PXVM_ST_F_DIR : 0);
	return 0;
}

/* child_name: the component of `path` right under directory `dir` (path is
 * under it): its start and length. */
static const char *child_name(const char *path, const char *dir, uint32_t *len)
{
	const char *s = path + (strcmp(dir, "/") ? strlen(dir) + 1 : 1);
	const char *e = s;
	while (*e && *e != '/')
		e++;
	*len = (uint32_t)(e - s);
	return s;
}

/* Does directory `dir`'s PixelFS listing have `name` (len bytes)? */
static bool pxfs_has(const char *dir, const char *name, uint32_t len)
{
	const char *n;
	uint32_t l;
	for (uint32_t i = 0; fs && pxfs_readdir(fs, dir, i, &n, &l) == 0; i++)
		if (l == len && !memcmp(n, name, len))
			return true;
	return false;
}

int vfs_readdir(const char *dir_in, uint32_t index, char *name, uint32_t cap)
{
	char dir[PXFS_PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", dir_in);
	size_t dl = strlen(dir);
	if (dl > 1 && dir[dl - 1] == '/')
		dir[dl - 1] = '\0';
	const char *n = 0;
	uint32_t len = 0, i = 0;
	for (; fs && pxfs_readdir(fs, dir, i, &n, &len) == 0; i++)
		if (i == index)
			goto found;
	/* Then the names only RAM files bring, each once. */
	for (uint32_t r = 0; r < VFS_RAM_FILES; r++) {
		if (!ram[r].used || !under(ram[r].path, dir))
			continue;
		n = child_name(ram[r].path, dir, &len);
		if (pxfs_has(dir, n, len))
			continue;
		bool seen = false;
		for (uint32_t q = 0; q < r && !seen; q++) {
			uint32_t ql;
			const char *qn;
			if (!ram[q].used || !under(ram[q].path, dir))
				continue;
			qn = child_name(ram[q].path, dir, &ql);
			seen = ql == len && !memcmp(qn, n, len);
		}
		if (seen)
			continue;
		if (i++ == index)
			goto found;
	}
	return -PXE_ERANGE;
found:
	if (len + 1 > cap)
		return -PXE_ENAMETOOLONG;
	memcpy(name, n, len);
	name[len] = '\0';
	return (int)len;
}

void vfs_fork(const struct proc *parent, struct proc *child)
{
	for (uint32_t i = 0; i < NOFILE; i++) {
		int16_t o = parent->fd[i];
		child->fd[i] = o;
		if (o >= 0)
			open_files[o].refs++;
	}
}

static void vfs_proc_gone(struct proc *p)
{
	for (uint32_t i = 0; i < NOFILE; i++) {
		if (p->fd[i] >= 0)
			drop(&open_files[p->fd[i]]);
		p->fd[i] = -1;
	}
}

/* ---- snapshots (pxvm/snap.h, section VFS v1) ------------------------------ */

void vfs_snap_save(struct snapw *w)
{
	uint32_t nram = 0, nopen = 0;
	for (uint32_t i = 0; i < VFS_RAM_FILES; i++)
		nram += ram[i].used;
	for (uint32_t i = 0; i < NOPEN; i++)
		nopen += open_files[i].refs != 0;
	snapw_u32(w, nram);
	for (uint32_t i = 0; i < VFS_RAM_FILES; i++) {
		if (!ram[i].used)
			continue;
		snapw_u32(w, i);
		snapw_bytes(w, ram[i].path, PXFS_PATH_MAX);
		snapw_u32(w, ram[i].type);
		snapw_u32(w, ram[i].size);
		snapw_bytes(w, ram[i].data, ram[i].size);
	}
	snapw_u32(w, nopen);
	for (uint32_t i = 0; i < NOPEN; i++) {
		const struct open_file *o = &open_files[i];
		if (!o->refs)
			continue;
		char path[PXFS_PATH_MAX];
		memset(path, 0, sizeof(path));
		if (o->ram < 0)
			snprintf(path, sizeof(path), "%s", o->pxpath);
		snapw_u32(w, i);
		snapw_u32(w, (uint32_t)o->ram);
		snapw_bytes(w, path, sizeof(path));
		snapw_u32(w, o->ram < 0 ? o->pxsize : 0);
		snapw_u32(w, o->ram < 0 ? crc32(o->pxdata, o->pxsize) : 0);
		snapw_u32(w, o->off);
		snapw_u32(w, o->flags);
	}
}

int vfs_snap_load(struct snapr *r, bool apply)
{
	uint32_t nram = snapr_u32(r);
	if (nram > VFS_RAM_FILES)
		return -PXE_EINVAL;
	bool seen[VFS_RAM_FILES];
	memset(seen, 0, sizeof(seen));
	for (uint32_t k = 0; k < nram; k++) {
		char path[PXFS_PATH_MAX];
		uint32_t i = snapr_u32(r);
		snapr_str(r, path, sizeof(path));
		uint32_t type = snapr_u32(r), size = snapr_u32(r);
		if (r->bad || i >= VFS_RAM_FILES || seen[i] || size > VFS_FILE_MAX || pxfs_check_path(path))
			return -PXE_EINVAL;
		const uint8_t *data = snapr_ptr(r, size);
		if (!data)
			return -PXE_EINVAL;
		seen[i] = true;
		if (!apply)
			continue;
		uint8_t *buf = (uint8_t *)pxhost_mem_alloc();
		if (!buf)
			return -PXE_ENOMEM;
		ram[i].used = true;
		memcpy(ram[i].path, path, sizeof(path));
		ram[i].type = type;
		ram[i].size = size;
		ram[i].data = buf;
		memcpy(buf, data, size);
	}
	uint32_t nopen = snapr_u32(r);
	if (nopen > NOPEN)
		return -PXE_EINVAL;
	for (uint32_t k = 0; k < nopen; k++) {
		char path[PXFS_PATH_MAX];
		uint32_t i = snapr_u32(r);
		int32_t ri = (int32_t)snapr_u32(r);
		snapr_str(r, path, sizeof(path));
		uint32_t size = snapr_u32(r), crc = snapr_u32(r), off = snapr_u32(r), flags = snapr_u32(r);
		if (r->bad || i >= NOPEN || (ri >= 0 && (ri >= (int32_t)VFS_RAM_FILES || !seen[ri])) || ri < -1 ||
		    off > VFS_FILE_MAX * 2u || (flags & ~(PXVM_O_WRITE | PXVM_O_CREATE | PXVM_O_TRUNC | PXVM_O_APPEND)))
			return -PXE_EINVAL;
		if (!apply)
			continue;
		struct open_file *o = &open_files[i];
		memset(o, 0, sizeof(*o));
		o->ram = ri;
		o->off = off;
		o->flags = flags;
		if (ri < 0) {
			/* A PixelFS file is opened again by path in this machine's
			 * PixelFS; a different or missing one is closed. */
			struct pxfs_file pf;
			if (!fs || pxfs_lookup(fs, path, &pf) != 0 || pf.size != size || crc32(pf.data, pf.size) != crc) {
				pxhost_log(2, "resume: %s differs from the snapshot's or is missing: its descriptors are closed",
				           path);
				continue;
			}
			o->pxpath = pf.path;
			o->pxdata = pf.data;
			o->pxsize = pf.size;
		}
		o->refs = 1; /* counted again by vfs_snap_settle */
	}
	return 0;
}

void vfs_snap_settle(void)
{
	uint32_t refs[NOPEN];
	memset(refs, 0, sizeof(refs));
	for (uint32_t k = 0; k < NPROC; k++) {
		struct proc *p = proc_at(k);
		for (uint32_t f = 0; f < NOFILE; f++) {
			int16_t o = p->fd[f];
			if (o < 0)
				continue;
			if (p->state == PROC_FREE || p->state == PROC_ZOMBIE || o >= (int)NOPEN || !open_files[o].refs)
				p->fd[f] = -1;
			else
				refs[o]++;
		}
	}
	for (uint32_t i = 0; i < NOPEN; i++)
		open_files[i].refs = refs[i];
}
