/*
 * pyfile.c — open(): Python file objects over pxOS's files (pxvm/vfs.h), the
 * same descriptors, flags and checks as FS_OPEN/FS_READ/FS_WRITE/FS_CLOSE of
 * a pxVM program. Bytes go through the process's bridge buffer
 * (PY_BRIDGE_BASE), as a pxVM program's go through its memory.
 */
#include <string.h>
#include "py/runtime.h"
#include "py/objstr.h"
#include "py/stream.h"
#include "pyproc.h"
#include "pymod.h"
#include "pxvm/vfs.h"

typedef struct {
	mp_obj_base_t base;
	int fd;         /* -1 once closed */
	bool binary;
} py_file_t;

static const mp_obj_type_t py_file_type;

static py_file_t *open_file(mp_obj_t self)
{
	py_file_t *f = MP_OBJ_TO_PTR(self);
	if (f->fd < 0)
		mp_raise_ValueError(MP_ERROR_TEXT("I/O operation on closed file"));
	return f;
}

/* chunk: read at most n (<= WRITE_MAX) bytes into the bridge buffer: count. */
static int chunk(py_file_t *f, uint32_t n)
{
	int r = py_check(vfs_read(py_current(), (uint32_t)f->fd, PY_BRIDGE_BASE, n));
	py_charge(16 + ((uint32_t)r >> SYS_COST_COPY_SHIFT));
	return r;
}

static mp_obj_t result(py_file_t *f, vstr_t *v)
{
	return f->binary ? mp_obj_new_bytes_from_vstr(v) : mp_obj_new_str_from_vstr(v);
}

static mp_obj_t file_read(size_t n_args, const mp_obj_t *a)
{
	py_file_t *f = open_file(a[0]);
	mp_int_t want = n_args > 1 && a[1] != mp_const_none ? mp_obj_get_int(a[1]) : -1;
	vstr_t v;
	vstr_init(&v, 64);
	const uint8_t *buf = (const uint8_t *)py_current()->vm.mem + PY_BRIDGE_BASE;
	while (want < 0 || (mp_int_t)v.len < want) {
		uint32_t n = want < 0 || want - (mp_int_t)v.len > WRITE_MAX ? WRITE_MAX : (uint32_t)(want - (mp_int_t)v.len);
		int r = chunk(f, n);
		if (r == 0)
			break;
		vstr_add_strn(&v, (const char *)buf, (size_t)r);
	}
	return result(f, &v);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(file_read_obj, 1, 2, file_read);

static mp_obj_t file_readline(mp_obj_t self)
{
	py_file_t *f = open_file(self);
	vstr_t v;
	vstr_init(&v, 32);
	const char *buf = (const char *)py_current()->vm.mem + PY_BRIDGE_BASE;
	while (chunk(f, 1) == 1) {
		vstr_add_byte(&v, (byte)buf[0]);
		if (buf[0] == '\n')
			break;
	}
	return result(f, &v);
}
static MP_DEFINE_CONST_FUN_OBJ_1(file_readline_obj, file_readline);

static mp_obj_t file_write(mp_obj_t self, mp_obj_t data)
{
	py_file_t *f = open_file(self);
	struct proc *p = py_current();
	mp_buffer_info_t b;
	mp_get_buffer_raise(data, &b, MP_BUFFER_READ);
	for (size_t off = 0; off < b.len;) {
		uint32_t n = b.len - off > WRITE_MAX ? WRITE_MAX : (uint32_t)(b.len - off);
		pxvm_write(&p->vm, PY_BRIDGE_BASE, (const uint8_t *)b.buf + off, n);
		int r = py_check(vfs_write(p, (uint32_t)f->fd, PY_BRIDGE_BASE, n));
		py_charge(16 + ((uint32_t)r >> SYS_COST_COPY_SHIFT));
		off += n;
	}
	return MP_OBJ_NEW_SMALL_INT(b.len);
}
static MP_DEFINE_CONST_FUN_OBJ_2(file_write_obj, file_write);

static mp_obj_t file_close(mp_obj_t self)
{
	py_file_t *f = MP_OBJ_TO_PTR(self);
	if (f->fd >= 0)
		vfs_close(py_current(), (uint32_t)f->fd);
	f->fd = -1;
	return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(file_close_obj, file_close);

static mp_obj_t file_exit(size_t n_args, const mp_obj_t *a)
{
	(void)n_args;
	return file_close(a[0]);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(file_exit_obj, 4, 4, file_exit);

static mp_obj_t file_iternext(mp_obj_t self)
{
	mp_obj_t line = file_readline(self);
	return mp_obj_len(line) == MP_OBJ_NEW_SMALL_INT(0) ? MP_OBJ_STOP_ITERATION : line;
}

static const mp_rom_map_elem_t file_locals_table[] = {
	{ MP_ROM_QSTR(MP_QSTR_read), MP_ROM_PTR(&file_read_obj) },
	{ MP_ROM_QSTR(MP_QSTR_readline), MP_ROM_PTR(&file_readline_obj) },
	{ MP_ROM_QSTR(MP_QSTR_write), MP_ROM_PTR(&file_write_obj) },
	{ MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&file_close_obj) },
	{ MP_ROM_QSTR(MP_QSTR___enter__), MP_ROM_PTR(&mp_identity_obj) },
	{ MP_ROM_QSTR(MP_QSTR___exit__), MP_ROM_PTR(&file_exit_obj) },
};
static MP_DEFINE_CONST_DICT(file_locals, file_locals_table);

static void file_print(const mp_print_t *print, mp_obj_t self, mp_print_kind_t kind)
{
	(void)kind;
	py_file_t *f = MP_OBJ_TO_PTR(self);
	mp_printf(print, "<file fd=%d%s>", f->fd, f->fd < 0 ? " closed" : "");
}

static MP_DEFINE_CONST_OBJ_TYPE(py_file_type, MP_QSTR_file, MP_TYPE_FLAG_ITER_IS_ITERNEXT,
	print, file_print, iter, file_iternext, locals_dict, &file_locals);

/* open(path, mode='r'): r, w (create, truncate), a (create, append), and
 * r+ / w+ / a+ (also read); b for bytes. */
static mp_obj_t py_open(size_t n_args, const mp_obj_t *a)
{
	const char *path = mp_obj_str_get_str(a[0]);
	const char *mode = n_args > 1 ? mp_obj_str_get_str(a[1]) : "r";
	uint32_t flags = 0;
	bool binary = false;
	for (const char *m = mode; *m; m++) {
		switch (*m) {
		case 'r': break;
		case 'w': flags |= PXVM_O_WRITE | PXVM_O_CREATE | PXVM_O_TRUNC; break;
		case 'a': flags |= PXVM_O_WRITE | PXVM_O_CREATE | PXVM_O_APPEND; break;
		case '+': flags |= PXVM_O_WRITE; break;
		case 'b': binary = true; break;
		case 't': break;
		default: mp_raise_ValueError(MP_ERROR_TEXT("mode: r, w, a, +, b, t"));
		}
	}
	if (strlen(path) >= PXFS_PATH_MAX)
		py_raise_pxe(-PXE_ENAMETOOLONG);
	py_charge(64);
	int fd = py_check(vfs_open(py_current(), path, flags));
	py_file_t *f = mp_obj_malloc(py_file_t, &py_file_type);
	f->fd = fd;
	f->binary = binary;
	return MP_OBJ_FROM_PTR(f);
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(py_open_obj, 1, 2, py_open);
