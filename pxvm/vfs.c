/*
 * vfs.c — file descriptors over the read-only PixelFS and the RAM trees
 * /home and /tmp with their quotas; see vfs.h.
 */
#include "vfs.h"
#include "proc.h"
#include "host.h"
#include "crc32.h"
#include "snapio.h"
#include "port.h"

_Static_assert(VFS_FILE_MAX <= PXVM_MEM_ALLOC_WORDS * 4, "a RAM file fits one pxhost_mem_alloc block");
_Static_assert(NOFILE < 128, "fd indexes fit int16_t with room");
_Static_assert(VFS_HOME_FILES + VFS_TMP_FILES == VFS_RAM_FILES,
               "the trees' file quotas share out the RAM file table exactly");
_Static_assert(VFS_HOME_BYTES >= VFS_FILE_MAX && VFS_TMP_BYTES >= VFS_FILE_MAX,
               "a file of VFS_FILE_MAX bytes fits each tree");

#define NOPEN (NPROC * NOFILE) /* every open file is held by at least one fd */

enum tree { TREE_NONE, TREE_HOME, TREE_TMP, TREES };

static const struct {
	const char *root;
	uint32_t files_max, bytes_max;
} tree_def[TREES] = {
	[TREE_HOME] = { "/home", VFS_HOME_FILES, VFS_HOME_BYTES },
	[TREE_TMP] = { "/tmp", VFS_TMP_FILES, VFS_TMP_BYTES },
};

struct ram_file {
	bool used;
	bool unlinked;        /* no longer in the tree; kept while open */
	uint8_t tree;         /* enum tree */
	uint8_t type;         /* PXVM_FT_DATA, or the image's type for a seeded file */
	char path[PXFS_PATH_MAX];
	uint32_t size;
	uint32_t opens;       /* open files (struct open_file) on it */
	uint8_t *data;        /* VFS_FILE_MAX bytes from pxhost_mem_alloc */
};

struct open_file {
	uint32_t refs;        /* descriptors pointing here; 0 = unused */
	int ram;              /* RAM file index, or -1 for a PixelFS file */
	const uint8_t *pxdata;
	uint32_t pxsize;
	uint32_t off;
	uint32_t flags;       /* PXVM_O_* */
};

static const struct pxfs *fs;
static struct ram_file ram[VFS_RAM_FILES];
static struct open_file open_files[NOPEN];
static struct { uint32_t files, bytes; } use[TREES];
static void (*watch)(const char *path); /* vfs_watch's hook */

/* vfs_proc_gone: close every descriptor of `p`. */
static void vfs_proc_gone(struct proc *p);
static void seed(void);

/* tree_of: the writable tree `path` (absolute, valid) lies in, its root
 * included, or TREE_NONE (PixelFS's, read-only). */
static enum tree tree_of(const char *path)
{
	for (int t = TREE_HOME; t < TREES; t++) {
		size_t n = strlen(tree_def[t].root);
		if (!strncmp(path, tree_def[t].root, n) && (path[n] == '\0' || path[n] == '/'))
			return (enum tree)t;
	}
	return TREE_NONE;
}

void vfs_init(const struct pxfs *f)
{
	proc_on_gone(vfs_proc_gone);
	for (uint32_t i = 0; i < VFS_RAM_FILES; i++)
		if (ram[i].data)
			pxhost_mem_free((uint32_t *)ram[i].data);
	memset(ram, 0, sizeof(ram));
	memset(open_files, 0, sizeof(open_files));
	memset(use, 0, sizeof(use));
	fs = f;
	seed();
}

const struct pxfs *vfs_fs(void) { return fs; }

uint32_t vfs_ram_files(void)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < VFS_RAM_FILES; i++)
		n += ram[i].used;
	return n;
}

int vfs_resolve(const char *path, char *out)
{
	size_t n = strlen(path);
	if (!n)
		return -PXE_EINVAL;
	if (path[0] == '/') {
		if (n >= PXFS_PATH_MAX)
			return -PXE_ENAMETOOLONG;
		memcpy(out, path, n + 1);
	} else {
		if (n + sizeof("/home/") - 1 >= PXFS_PATH_MAX)
			return -PXE_ENAMETOOLONG;
		memcpy(out, "/home/", sizeof("/home/") - 1);
		memcpy(out + sizeof("/home/") - 1, path, n + 1);
	}
	if (strcmp(out, "/") && pxfs_check_path(out))
		return -PXE_EINVAL;
	return 0;
}

/* Forward: seed() uses what comes below. */
static int check_new_path(const char *path);
static int new_ram(const char *path, enum tree t);

/* seed: copy the image's files under /home and /tmp into RAM files, as if
 * written since boot, within the quotas; one that cannot be is left out with
 * a warning (the image itself stays as it is). */
static void seed(void)
{
	struct pxfs_file e;
	uint32_t n = 0;
	for (uint32_t i = 0; fs && i < fs->count; i++) {
		enum tree t;
		if (pxfs_entry(fs, i, &e) != 0 || (t = tree_of(e.path)) == TREE_NONE)
			continue;
		const char *why = 0;
		int r = -1;
		if (e.size > VFS_FILE_MAX)
			why = "larger than a file may be";
		else if (e.size > tree_def[t].bytes_max - use[t].bytes)
			why = "over the tree's byte quota";
		else if (check_new_path(e.path))
			why = "a file and a directory of the same name";
		else if ((r = new_ram(e.path, t)) < 0)
			why = r == -PXE_EDQUOT ? "over the tree's file quota" : "out of memory";
		if (why) {
			pxhost_log(2, "vfs: %s of the image left out of RAM: %s", e.path, why);
			continue;
		}
		memcpy(ram[r].data, e.data, e.size);
		ram[r].size = e.size;
		ram[r].type = (uint8_t)e.type;
		use[t].bytes += e.size;
		n++;
	}
	if (n)
		pxhost_log(1, "vfs: %u files of the image copied into /home and /tmp", n);
}

/* changed: a file of /home was created, written, truncated, removed or
 * renamed: tell the vfs_watch hook. */
static void changed(const char *path)
{
	if (watch && tree_of(path) == TREE_HOME)
		watch(path);
}

void vfs_watch(void (*fn)(const char *path)) { watch = fn; }

static int find_ram(const char *path)
{
	for (int i = 0; i < (int)VFS_RAM_FILES; i++)
		if (ram[i].used && !ram[i].unlinked && !strcmp(ram[i].path, path))
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

/* is_dir: is absolute `path` a directory: "/", a tree's root, a PixelFS
 * directory outside the trees, or a prefix of RAM files inside them? */
static bool is_dir(const char *path)
{
	if (!strcmp(path, "/"))
		return true;
	enum tree t = tree_of(path);
	if (t == TREE_NONE) {
		char pre[PXFS_PATH_MAX + 1];
		snprintf(pre, sizeof(pre), "%s/", path);
		return fs && pxfs_count_in(fs, pre);
	}
	if (!strcmp(path, tree_def[t].root))
		return true;
	for (uint32_t i = 0; i < VFS_RAM_FILES; i++)
		if (ram[i].used && !ram[i].unlinked && under(ram[i].path, path))
			return true;
	return false;
}

/* ram_type: a RAM file's PXVM_FT_*: a program when it starts with the .pxe
 * magic, else data (or the image's type, for a file seeded from it). */
static uint32_t ram_type(const struct ram_file *r)
{
	static const uint8_t magic[4] = { 'P', 'X', 'E', '1' };
	if (r->size >= PXE_HEADER_SIZE && !memcmp(r->data, magic, 4))
		return PXVM_FT_PROGRAM;
	return r->type == PXVM_FT_PROGRAM ? PXVM_FT_DATA : r->type;
}

/* lookup_abs: vfs_lookup of an absolute, valid path. */
static int lookup_abs(const char *path, struct vfs_file *out)
{
	if (tree_of(path) != TREE_NONE) {
		int r = find_ram(path);
		if (r >= 0) {
			*out = (struct vfs_file){ ram[r].data, ram[r].size, ram_type(&ram[r]), true };
			return 0;
		}
	} else {
		struct pxfs_file f;
		if (fs && pxfs_lookup(fs, path, &f) == 0) {
			*out = (struct vfs_file){ f.data, f.size, f.type, false };
			return 0;
		}
	}
	if (is_dir(path)) {
		*out = (struct vfs_file){ 0, 0, PXVM_FT_DIR, false };
		return 0;
	}
	return -PXE_ENOENT;
}

int vfs_lookup(const char *path_in, struct vfs_file *out)
{
	char path[PXFS_PATH_MAX];
	if (vfs_resolve(path_in, path))
		return -PXE_ENOENT;
	return lookup_abs(path, out);
}

/* check_new_path: may a file be created (or renamed) at absolute `path`?
 * 0, or -PXE_EISDIR (a directory is there), -PXE_EEXIST (a file is where
 * one of its directories would be). */
static int check_new_path(const char *path)
{
	if (is_dir(path))
		return -PXE_EISDIR;
	char pre[PXFS_PATH_MAX];
	struct vfs_file f;
	for (size_t i = 1; path[i]; i++) {
		if (path[i] != '/')
			continue;
		memcpy(pre, path, i);
		pre[i] = '\0';
		if (lookup_abs(pre, &f) == 0 && f.type != PXVM_FT_DIR)
			return -PXE_EEXIST;
	}
	return 0;
}

/* new_ram: an empty RAM file at absolute `path` in tree `t`; returns its
 * index or -PXE_EDQUOT (the tree's file quota is used up) / -PXE_ENOMEM. */
static int new_ram(const char *path, enum tree t)
{
	if (use[t].files >= tree_def[t].files_max)
		return -PXE_EDQUOT;
	for (int i = 0; i < (int)VFS_RAM_FILES; i++) {
		if (ram[i].used)
			continue;
		uint8_t *buf = (uint8_t *)pxhost_mem_alloc();
		if (!buf)
			return -PXE_ENOMEM;
		ram[i] = (struct ram_file){ .used = true, .tree = (uint8_t)t, .type = PXVM_FT_DATA, .data = buf };
		snprintf(ram[i].path, sizeof(ram[i].path), "%s", path);
		use[t].files++;
		return i;
	}
	pxhost_panic("new_ram: RAM file table full although no tree is over its quota");
}

/* ram_truncate: RAM file r becomes empty; its bytes leave the quota. */
static void ram_truncate(int r)
{
	use[ram[r].tree].bytes -= ram[r].size;
	ram[r].size = 0;
}

/* ram_release: RAM file r is gone: its block and its quota are freed. */
static void ram_release(int r)
{
	ram_truncate(r);
	use[ram[r].tree].files--;
	pxhost_mem_free((uint32_t *)ram[r].data);
	memset(&ram[r], 0, sizeof(ram[r]));
}

/* ram_unlink: RAM file r leaves its tree: released now, or when its last
 * open file closes. */
static void ram_unlink(int r)
{
	if (ram[r].opens) {
		ram[r].unlinked = true;
		ram[r].path[0] = '\0';
	} else {
		ram_release(r);
	}
}

/* writable: the writable tree of absolute `path`, or -PXE_EROFS. */
static int writable(const char *path)
{
	enum tree t = tree_of(path);
	return t == TREE_NONE ? -PXE_EROFS : (int)t;
}

/* writable_path: `path_in` (absolute or relative, as vfs_resolve takes it)
 * resolved into path[PXFS_PATH_MAX] for a change to the file there: its
 * writable tree, or vfs_resolve's error, -PXE_EINVAL for "/" itself,
 * -PXE_EROFS outside every writable tree. */
static int writable_path(const char *path_in, char *path)
{
	int e = vfs_resolve(path_in, path);
	if (e)
		return e;
	if (!strcmp(path, "/"))
		return -PXE_EINVAL;
	return writable(path);
}

int vfs_create(const char *path_in)
{
	char path[PXFS_PATH_MAX];
	int t = writable_path(path_in, path);
	if (t < 0)
		return t;
	int r = find_ram(path);
	if (r >= 0) {
		ram_truncate(r);
		changed(path);
		return 0;
	}
	int e = check_new_path(path);
	if (e)
		return e;
	r = new_ram(path, (enum tree)t);
	if (r < 0)
		return r;
	changed(path);
	return 0;
}

static struct open_file *get_fd(const struct proc *p, uint32_t fd)
{
	if (fd < PXVM_FD_FIRST || fd - PXVM_FD_FIRST >= NOFILE)
		return 0;
	int16_t i = p->fd[fd - PXVM_FD_FIRST];
	return i >= 0 && i < (int)NOPEN && open_files[i].refs ? &open_files[i] : 0;
}

int vfs_open(struct proc *p, const char *path_in, uint32_t flags)
{
	const uint32_t known = PXVM_O_WRITE | PXVM_O_CREATE | PXVM_O_TRUNC | PXVM_O_APPEND;
	if (flags & ~known)
		return -PXE_EINVAL;
	if ((flags & (PXVM_O_TRUNC | PXVM_O_APPEND | PXVM_O_CREATE)) && !(flags & PXVM_O_WRITE))
		return -PXE_EINVAL;
	char path[PXFS_PATH_MAX];
	int e = vfs_resolve(path_in, path);
	if (e)
		return e;
	if (!strcmp(path, "/"))
		return -PXE_EISDIR;
	int t = TREE_NONE;
	if ((flags & PXVM_O_WRITE) && (t = writable(path)) < 0)
		return t;
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
		pxhost_panic("vfs_open: no free open file although NOPEN covers every descriptor");

	struct vfs_file f;
	int found = lookup_abs(path, &f) == 0;
	if (found && f.type == PXVM_FT_DIR)
		return -PXE_EISDIR;
	if (!found && !(flags & PXVM_O_CREATE))
		return -PXE_ENOENT;
	int r = -1;
	if (!found) {
		e = check_new_path(path);
		if (e)
			return e;
		r = new_ram(path, (enum tree)t);
		if (r < 0)
			return r;
	} else if (f.in_ram) {
		r = find_ram(path);
		if (flags & PXVM_O_TRUNC)
			ram_truncate(r);
	}
	*o = (struct open_file){ .refs = 1, .ram = r, .flags = flags };
	if (r >= 0)
		ram[r].opens++;
	else {
		o->pxdata = f.data;
		o->pxsize = f.size;
	}
	p->fd[slot] = oi;
	if (flags & PXVM_O_WRITE)
		changed(path);
	return (int)(PXVM_FD_FIRST + slot);
}

static void drop(struct open_file *o)
{
	if (!o->refs)
		return;
	if (--o->refs || o->ram < 0)
		return;
	struct ram_file *r = &ram[o->ram];
	r->opens--;
	if (r->unlinked && !r->opens)
		ram_release(o->ram);
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
	/* Growth beyond the file's end comes out of the tree's byte quota. */
	uint32_t room = tree_def[r->tree].bytes_max - use[r->tree].bytes;
	if (o->off + n > r->size && o->off + n - r->size > room)
		n = r->size + room - o->off;
	if (!n)
		return !len ? 0 : o->off >= VFS_FILE_MAX ? -PXE_ENOSPC : -PXE_EDQUOT;
	pxvm_read(&p->vm, buf, r->data + o->off, n);
	o->off += n;
	if (o->off > r->size) {
		use[r->tree].bytes += o->off - r->size;
		r->size = o->off;
	}
	if (!r->unlinked)
		changed(r->path);
	return (int)n;
}

int vfs_stat(const char *path_in, uint32_t out[3])
{
	char path[PXFS_PATH_MAX];
	struct vfs_file f;
	int e = vfs_resolve(path_in, path);
	if (e)
		return e;
	if (lookup_abs(path, &f) != 0)
		return -PXE_ENOENT;
	out[0] = f.size;
	out[1] = f.type;
	out[2] = (f.in_ram ? PXVM_ST_F_RAM : 0) | (f.type == PXVM_FT_DIR ? PXVM_ST_F_DIR : 0);
	return 0;
}

int vfs_unlink(const char *path_in)
{
	char path[PXFS_PATH_MAX];
	int e = writable_path(path_in, path);
	if (e < 0)
		return e;
	int r = find_ram(path);
	if (r < 0)
		return is_dir(path) ? -PXE_EISDIR : -PXE_ENOENT;
	ram_unlink(r);
	changed(path);
	return 0;
}

int vfs_rename(const char *from_in, const char *to_in)
{
	char from[PXFS_PATH_MAX], to[PXFS_PATH_MAX];
	int e = vfs_resolve(from_in, from);
	if (!e)
		e = vfs_resolve(to_in, to);
	if (e)
		return e;
	if (!strcmp(from, "/") || !strcmp(to, "/"))
		return -PXE_EINVAL;
	int tf = writable(from), tt = writable(to);
	if (tf < 0 || tt < 0)
		return -PXE_EROFS;
	if (tf != tt)
		return -PXE_EXDEV;
	int r = find_ram(from);
	if (r < 0)
		return is_dir(from) ? -PXE_EISDIR : -PXE_ENOENT;
	if (!strcmp(from, to))
		return 0;
	int old = find_ram(to);
	if (old < 0 && (e = check_new_path(to)) != 0)
		return e;
	/* Every check is done: from here nothing can fail, so the rename is
	 * all or nothing, and no process runs in between. */
	if (old >= 0)
		ram_unlink(old);
	snprintf(ram[r].path, sizeof(ram[r].path), "%s", to);
	changed(from);
	changed(to);
	return 0;
}

int vfs_home_file(uint32_t index, const char **path, struct vfs_file *out)
{
	if (index >= VFS_RAM_FILES)
		return -PXE_ERANGE;
	const struct ram_file *r = &ram[index];
	if (!r->used || r->unlinked || r->tree != TREE_HOME)
		return -PXE_ENOENT;
	*path = r->path;
	*out = (struct vfs_file){ .data = r->data, .size = r->size, .type = ram_type(r), .in_ram = true };
	return 0;
}

int vfs_put_new(const char *path_in, const void *data, uint32_t size)
{
	char path[PXFS_PATH_MAX];
	int e, t = writable_path(path_in, path);
	if (t < 0)
		return t;
	struct vfs_file f;
	if (lookup_abs(path, &f) == 0)
		return f.type == PXVM_FT_DIR ? -PXE_EISDIR : -PXE_EEXIST;
	if (size > VFS_FILE_MAX)
		return -PXE_ENOSPC;
	if (size > tree_def[t].bytes_max - use[t].bytes)
		return -PXE_EDQUOT;
	if ((e = check_new_path(path)) != 0)
		return e;
	int r = new_ram(path, (enum tree)t);
	if (r < 0)
		return r;
	memcpy(ram[r].data, data, size);
	ram[r].size = size;
	use[t].bytes += size;
	changed(path);
	return 0;
}

int vfs_usage(const char *path_in, uint32_t out[4])
{
	char path[PXFS_PATH_MAX];
	int e = vfs_resolve(path_in, path);
	if (e)
		return e;
	int t = writable(path);
	if (t < 0)
		return t;
	out[0] = use[t].files;
	out[1] = tree_def[t].files_max;
	out[2] = use[t].bytes;
	out[3] = tree_def[t].bytes_max;
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

/* ram_child: the name RAM file r adds to directory `dir`, unless an earlier
 * RAM file added it already (or r is not under dir): NULL then. */
static const char *ram_child(uint32_t r, const char *dir, uint32_t *len)
{
	if (!ram[r].used || ram[r].unlinked || !under(ram[r].path, dir))
		return 0;
	const char *n = child_name(ram[r].path, dir, len);
	for (uint32_t q = 0; q < r; q++) {
		uint32_t ql;
		if (!ram[q].used || ram[q].unlinked || !under(ram[q].path, dir))
			continue;
		const char *qn = child_name(ram[q].path, dir, &ql);
		if (ql == *len && !memcmp(qn, n, ql))
			return 0;
	}
	return n;
}

int vfs_readdir(const char *dir_in, uint32_t index, char *name, uint32_t cap)
{
	char in[PXFS_PATH_MAX], dir[PXFS_PATH_MAX];
	snprintf(in, sizeof(in), "%s", dir_in);
	size_t dl = strlen(in);
	if (dl > 1 && in[dl - 1] == '/')
		in[dl - 1] = '\0';
	int e = vfs_resolve(in, dir);
	if (e)
		return e;
	const char *n = 0;
	uint32_t len = 0, i = 0;
	if (tree_of(dir) == TREE_NONE) {
		/* PixelFS's entries; in "/" its own home and tmp are hidden, and
		 * the trees follow. */
		bool root = !strcmp(dir, "/");
		for (uint32_t k = 0; fs && pxfs_readdir(fs, dir, k, &n, &len) == 0; k++) {
			if (root && ((len == 4 && !memcmp(n, "home", 4)) || (len == 3 && !memcmp(n, "tmp", 3))))
				continue;
			if (i++ == index)
				goto found;
		}
		for (int t = TREE_HOME; root && t < TREES; t++) {
			n = tree_def[t].root + 1;
			len = (uint32_t)strlen(n);
			if (i++ == index)
				goto found;
		}
		return -PXE_ERANGE;
	}
	for (uint32_t r = 0; r < VFS_RAM_FILES; r++)
		if ((n = ram_child(r, dir, &len)) && i++ == index)
			goto found;
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

/* ---- snapshots (pxvm/snap.h, section VFS v2) ------------------------------ */

/* px_path: the PixelFS path of an open PixelFS file (found by its bytes). */
static const char *px_path(const struct open_file *o)
{
	struct pxfs_file f;
	for (uint32_t i = 0; fs && i < fs->count; i++)
		if (pxfs_entry(fs, i, &f) == 0 && f.data == o->pxdata)
			return f.path;
	return "";
}

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
		snapw_u32(w, ram[i].tree);
		snapw_u32(w, ram[i].unlinked);
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
			snprintf(path, sizeof(path), "%s", px_path(o));
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
	if (apply) {
		/* The snapshot's RAM files replace what this boot seeded (its /home). */
		for (uint32_t i = 0; i < VFS_RAM_FILES; i++)
			if (ram[i].used)
				pxhost_mem_free((uint32_t *)ram[i].data);
		memset(ram, 0, sizeof(ram));
		memset(use, 0, sizeof(use));
	}
	bool seen[VFS_RAM_FILES];
	memset(seen, 0, sizeof(seen));
	for (uint32_t k = 0; k < nram; k++) {
		char path[PXFS_PATH_MAX];
		uint32_t i = snapr_u32(r);
		snapr_str(r, path, sizeof(path));
		uint32_t type = snapr_u32(r), tree = snapr_u32(r), unlinked = snapr_u32(r), size = snapr_u32(r);
		if (r->bad || i >= VFS_RAM_FILES || seen[i] || size > VFS_FILE_MAX || type > 255 || unlinked > 1 ||
		    tree == TREE_NONE || tree >= TREES || (!unlinked && tree_of(path) != (enum tree)tree))
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
		ram[i].type = (uint8_t)type;
		ram[i].tree = (uint8_t)tree;
		ram[i].unlinked = unlinked;
		ram[i].size = size;
		ram[i].data = buf;
		memcpy(buf, data, size);
		use[tree].files++;
		use[tree].bytes += size;
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
	for (uint32_t i = 0; i < VFS_RAM_FILES; i++)
		ram[i].opens = 0;
	for (uint32_t i = 0; i < NOPEN; i++) {
		open_files[i].refs = refs[i];
		if (refs[i] && open_files[i].ram >= 0)
			ram[open_files[i].ram].opens++;
	}
	/* An unlinked file no open file holds any more is gone. */
	for (uint32_t i = 0; i < VFS_RAM_FILES; i++)
		if (ram[i].used && ram[i].unlinked && !ram[i].opens)
			ram_release((int)i);
}
