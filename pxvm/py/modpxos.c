/*
 * modpxos.c — the `pxos` module: seed 000's PixelBridge API for Python
 * guests, plus drawing, processes, messages and time (docs/python.md is the
 * reference). Every function goes through the same services and checks as a
 * pxVM program's system call or trap (pxvm/syscall.c, pxvm/hv.c), is charged
 * against the quantum like one, and turns an error into OSError(errno, text)
 * with errno a pxOS code (pxos.E*). A call that waits (call_llm, oracle,
 * wait, recv, sleep, input) blocks only its caller: the process gives the
 * CPU back on its own stack and continues there when woken (pyproc.h).
 *
 * Addresses: read_pixel/write_pixel take a pixel of the caller's canvas,
 * y*128 + x; read_bytes/write_bytes/read_string/write_string a byte address
 * in the caller's data area, PY_DATA_BASE..PY_DATA_END (seed 000's guest
 * region from 0x5000), never the interpreter's heap.
 */
#include <string.h>
#include "py/runtime.h"
#include "py/objstr.h"
#include "pyproc.h"
#include "pymod.h"
#include "pxvm/canvas.h"
#include "pxvm/frame.h"
#include "pxvm/host.h"
#include "pxvm/hv.h"
#include "pxvm/ipc.h"
#include "pxvm/rng.h"
#include "pxvm/sched.h"
#include "pxvm/tty.h"
#include "pxvm/vfs.h"

/* ---- errors ----------------------------------------------------------------------- */

void py_raise_pxe(int e)
{
	int code = e < 0 ? -e : e;
	if (code == PXE_EINTR) /* Ctrl-C while it waited (the console contract) */
		mp_raise_type(&mp_type_KeyboardInterrupt);
	mp_obj_t args[2] = { MP_OBJ_NEW_SMALL_INT(code), MP_OBJ_NULL };
	const char *t = pxvm_error_text((uint32_t)code);
	args[1] = mp_obj_new_str(t, strlen(t));
	nlr_raise(mp_obj_new_exception_args(&mp_type_OSError, 2, args));
}

int py_check(int r)
{
	if (r < 0)
		py_raise_pxe(r);
	return r;
}

static struct proc *me(void) { return py_current(); }

/* ---- argument helpers ---------------------------------------------------------- */

/* color_of: a colour as a pixel word 0xAABBGGRR: an int, or (r, g, b[, a]). */
static uint32_t color_of(mp_obj_t c)
{
	if (mp_obj_is_int(c))
		return (uint32_t)mp_obj_get_int_truncated(c);
	size_t n;
	mp_obj_t *v;
	mp_obj_get_array(c, &n, &v);
	if (n != 3 && n != 4)
		mp_raise_ValueError(MP_ERROR_TEXT("colour: (r, g, b) or (r, g, b, a)"));
	uint32_t w = 0;
	for (size_t i = 0; i < n; i++) {
		mp_int_t x = mp_obj_get_int(v[i]);
		if (x < 0 || x > 255)
			mp_raise_ValueError(MP_ERROR_TEXT("colour channel outside 0..255"));
		w |= (uint32_t)x << (8 * i);
	}
	return w;
}

/* data_addr: check [addr, addr+len) lies in the data area; returns addr. */
static uint32_t data_addr(mp_obj_t addr_in, mp_int_t len)
{
	mp_int_t a = mp_obj_get_int(addr_in);
	if (len < 0 || a < (mp_int_t)PY_DATA_BASE || a > (mp_int_t)PY_DATA_END || len > (mp_int_t)PY_DATA_END - a)
		mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("0x%x+%d is outside the data area 0x%x-0x%x"),
		                  (unsigned)a, (int)len, PY_DATA_BASE, PY_DATA_END - 1);
	return (uint32_t)a;
}

/* pixel_of: the canvas pixel index y*128 + x. */
static uint32_t pixel_of(mp_obj_t addr_in)
{
	mp_int_t a = mp_obj_get_int(addr_in);
	if (a < 0 || a >= (mp_int_t)(PXVM_TILE_W * PXVM_TILE_H))
		mp_raise_ValueError(MP_ERROR_TEXT("pixel address outside the canvas (0..16383 = y*128 + x)"));
	return (uint32_t)a;
}

/* bridge_put: bytes into the bridge buffer (NUL-terminated), for a call. */
static void bridge_put(struct proc *p, uint32_t at, const void *s, size_t n)
{
	uint8_t zero = 0;
	pxvm_write(&p->vm, at, s, (uint32_t)n);
	pxvm_write(&p->vm, at + (uint32_t)n, &zero, 1);
}

/* trap: raise hypervisor trap `type` in the trap page, as a pxVM guest does
 * (arguments, then the flag: pxvm/hv.h), and wait for its RESULT. */
static int32_t trap(struct proc *p, uint8_t type, uint32_t a0, uint32_t a1, uint32_t a2)
{
	int32_t r;
	pxvm_write(&p->vm, PXVM_TRAP_ARG0, &a0, 4);
	pxvm_write(&p->vm, PXVM_TRAP_ARG1, &a1, 4);
	pxvm_write(&p->vm, PXVM_TRAP_ARG2, &a2, 4);
	pxvm_write(&p->vm, PXVM_TRAP_FLAG, &type, 1);
	py_charge(64);
	if (hv_trap(p))
		py_block(); /* the call is in flight: others run until the answer */
	pxvm_read(&p->vm, PXVM_TRAP_RESULT, &r, 4);
	return r;
}

/* ---- seed 000: pixel memory ------------------------------------------------------ */

static mp_obj_t pxos_read_pixel(mp_obj_t addr)
{
	struct proc *p = me();
	uint32_t i = pixel_of(addr);
	const uint32_t *layer = p->layer == PXVM_LAYER_BACK ? p->back : p->canvas;
	uint32_t w = layer ? layer[i] : CANVAS_BG;
	mp_obj_t t[4] = { MP_OBJ_NEW_SMALL_INT(w & 0xFF), MP_OBJ_NEW_SMALL_INT((w >> 8) & 0xFF),
	                  MP_OBJ_NEW_SMALL_INT((w >> 16) & 0xFF), MP_OBJ_NEW_SMALL_INT(w >> 24) };
	return mp_obj_new_tuple(4, t);
}
static MP_DEFINE_CONST_FUN_OBJ_1(pxos_read_pixel_obj, pxos_read_pixel);

static mp_obj_t pxos_write_pixel(mp_obj_t addr, mp_obj_t rgba)
{
	uint32_t i = pixel_of(addr), w = color_of(rgba);
	py_check(canvas_rect(me(), (int32_t)(i % PXVM_TILE_W), (int32_t)(i / PXVM_TILE_W), 1, 1, w));
	py_charge(4);
	return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(pxos_write_pixel_obj, pxos_write_pixel);

static mp_obj_t pxos_read_bytes(mp_obj_t addr, mp_obj_t len_in)
{
	mp_int_t len = mp_obj_get_int(len_in);
	uint32_t a = data_addr(addr, len);
	py_charge(16 + ((uint64_t)len >> SYS_COST_COPY_SHIFT));
	return mp_obj_new_bytes((const uint8_t *)me()->vm.mem + a, (size_t)len);
}
static MP_DEFINE_CONST_FUN_OBJ_2(pxos_read_bytes_obj, pxos_read_bytes);

static mp_obj_t pxos_write_bytes(mp_obj_t addr, mp_obj_t data)
{
	mp_buffer_info_t b;
	mp_get_buffer_raise(data, &b, MP_BUFFER_READ);
	uint32_t a = data_addr(addr, (mp_int_t)b.len);
	pxvm_write(&me()->vm, a, b.buf, (uint32_t)b.len);
	py_charge(16 + (b.len >> SYS_COST_COPY_SHIFT));
	return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(pxos_write_bytes_obj, pxos_write_bytes);

static mp_obj_t pxos_read_string(size_t n_args, const mp_obj_t *args)
{
	mp_int_t max = n_args > 1 ? mp_obj_get_int(args[1]) : 1024;
	if (max < 0)
		mp_raise_ValueError(MP_ERROR_TEXT("max_len < 0"));
	mp_int_t a0 = mp_obj_get_int(args[0]);
	if (a0 >= (mp_int_t)PY_DATA_BASE && a0 <= (mp_int_t)PY_DATA_END && max > (mp_int_t)PY_DATA_END - a0)
		max = (mp_int_t)PY_DATA_END - a0; /* up to the end of the area at most */
	uint32_t a = data_addr(args[0], max);
	const char *s = (const char *)me()->vm.mem + a;
	size_t n = 0;
	while (n < (size_t)max && s[n])
		n++;
	py_charge(16 + (n >> SYS_COST_COPY_SHIFT));
	return mp_obj_new_str(s, n);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(pxos_read_string_obj, 1, 2, pxos_read_string);

static mp_obj_t pxos_write_string(mp_obj_t addr, mp_obj_t text)
{
	size_t n;
	const char *s = mp_obj_str_get_data(text, &n);
	uint32_t a = data_addr(addr, (mp_int_t)n + 1);
	bridge_put(me(), a, s, n);
	py_charge(16 + (n >> SYS_COST_COPY_SHIFT));
	return MP_OBJ_NEW_SMALL_INT(n);
}
static MP_DEFINE_CONST_FUN_OBJ_2(pxos_write_string_obj, pxos_write_string);

/* ---- seed 000: the LLM, the oracle, files, noise, the log ------------------------- */

static uint32_t model_of(mp_obj_t m)
{
	mp_int_t v = mp_obj_get_int(m);
	if (v < 0 || v > (mp_int_t)HV_MODEL_MAX)
		mp_raise_ValueError(MP_ERROR_TEXT("model_id outside 0..255"));
	return (uint32_t)v;
}

/* put_prompt: the prompt into the bridge buffer; its length. */
static size_t put_prompt(struct proc *p, mp_obj_t text)
{
	size_t n;
	const char *s = mp_obj_str_get_data(text, &n);
	if (n == 0 || n > HV_PROMPT_MAX || memchr(s, 0, n))
		mp_raise_ValueError(MP_ERROR_TEXT("prompt: 1..4096 bytes, no NUL"));
	bridge_put(p, PY_BRIDGE_BASE, s, n);
	return n;
}

/* utf8_whole: the length of s[0..n) without a multi-byte UTF-8 sequence cut
 * at its end (a reply cut at a byte limit), so it makes a valid str. */
static size_t utf8_whole(const char *s, size_t n)
{
	size_t i = n;
	while (i > 0 && n - i < 4 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return n;
	unsigned char lead = (unsigned char)s[i - 1];
	size_t need = lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
	return i - 1 + need > n ? i - 1 : n;
}

/* llm_call: hv_llm_call for the running process, waiting for the answer in
 * `reply` (a vstr of cap bytes); the reply as a str. */
static mp_obj_t llm_call(struct hv_call *c, vstr_t *reply)
{
	struct proc *p = me();
	int32_t r = -PXE_EINTR; /* what stays there when something else wakes us (Ctrl-C) */
	c->reply = reply->buf;
	c->reply_cap = (uint32_t)reply->alloc;
	pxvm_write(&p->vm, PXVM_TRAP_RESULT, &r, 4);
	py_charge(64 + (c->len >> SYS_COST_COPY_SHIFT));
	if (hv_llm_call(p, c, &r)) {
		py_block(); /* the call is in flight: others run until the answer */
		pxvm_read(&p->vm, PXVM_TRAP_RESULT, &r, 4);
	}
	py_check(r);
	size_t n = (uint32_t)r & ~HV_TRUNCATED;
	reply->len = utf8_whole(reply->buf, n);
	return mp_obj_new_str_from_vstr(reply);
}

static mp_int_t max_tokens_of(mp_int_t v)
{
	if (v < 1 || v > (mp_int_t)HV_MAX_TOKENS)
		mp_raise_ValueError(MP_ERROR_TEXT("max_tokens outside 1..65535"));
	return v;
}

static mp_obj_t pxos_call_llm(size_t n_args, const mp_obj_t *pos, mp_map_t *kw)
{
	enum { ARG_prompt, ARG_model_id, ARG_max_tokens };
	static const mp_arg_t allowed[] = {
		{ MP_QSTR_prompt, MP_ARG_REQUIRED | MP_ARG_OBJ, { .u_obj = MP_OBJ_NULL } },
		{ MP_QSTR_model_id, MP_ARG_OBJ, { .u_obj = MP_OBJ_NEW_SMALL_INT(0) } },
		{ MP_QSTR_max_tokens, MP_ARG_INT, { .u_int = 512 } },
	};
	mp_arg_val_t a[3];
	mp_arg_parse_all(n_args, pos, kw, 3, allowed, a);
	struct hv_call c = { .kind = PXVM_TRAP_CALL_LLM, .model = model_of(a[ARG_model_id].u_obj),
	                     .max_tokens = (uint32_t)max_tokens_of(a[ARG_max_tokens].u_int) };
	size_t n;
	c.body = mp_obj_str_get_data(a[ARG_prompt].u_obj, &n);
	if (n == 0 || n > HV_PROMPT_MAX || memchr(c.body, 0, n))
		mp_raise_ValueError(MP_ERROR_TEXT("prompt: 1..4096 bytes, no NUL"));
	c.len = (uint32_t)n;
	vstr_t reply;
	vstr_init(&reply, HV_REPLY_MAX + 1);
	return llm_call(&c, &reply);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(pxos_call_llm_obj, 1, pxos_call_llm);

/* chat(messages, system=None, reply_path=None, model_id=0, max_tokens=1024):
 * a conversation (LLM_CHAT): messages a list of (role, text), role "user"
 * or "assistant", the last one the user's; system a prompt id of /lib/llm
 * ("pxasm", "python") or None; reply_path a file of /home or /tmp the reply
 * streams into as it arrives. The reply, a str (at most HV_CHAT_REPLY_MAX). */
static mp_obj_t pxos_chat(size_t n_args, const mp_obj_t *pos, mp_map_t *kw)
{
	enum { ARG_messages, ARG_system, ARG_reply_path, ARG_model_id, ARG_max_tokens };
	static const mp_arg_t allowed[] = {
		{ MP_QSTR_messages, MP_ARG_REQUIRED | MP_ARG_OBJ, { .u_obj = MP_OBJ_NULL } },
		{ MP_QSTR_system, MP_ARG_OBJ, { .u_obj = MP_ROM_NONE } },
		{ MP_QSTR_reply_path, MP_ARG_OBJ, { .u_obj = MP_ROM_NONE } },
		{ MP_QSTR_model_id, MP_ARG_OBJ, { .u_obj = MP_OBJ_NEW_SMALL_INT(0) } },
		{ MP_QSTR_max_tokens, MP_ARG_INT, { .u_int = 1024 } },
	};
	mp_arg_val_t a[5];
	mp_arg_parse_all(n_args, pos, kw, 5, allowed, a);
	struct hv_call c = { .kind = PXVM_TRAP_LLM_CHAT, .model = model_of(a[ARG_model_id].u_obj),
	                     .max_tokens = (uint32_t)max_tokens_of(a[ARG_max_tokens].u_int) };
	const char *system = "";
	if (a[ARG_system].u_obj != mp_const_none) {
		system = mp_obj_str_get_str(a[ARG_system].u_obj);
		if (!*system || strlen(system) > FRAME_SYSTEM_NAME_MAX || strchr(system, '@'))
			mp_raise_ValueError(MP_ERROR_TEXT("system: a prompt id such as 'pxasm' (pxos.SYSTEM_PROMPTS)"));
	}
	if (a[ARG_reply_path].u_obj != mp_const_none)
		c.reply_path = mp_obj_str_get_str(a[ARG_reply_path].u_obj);
	size_t nm;
	mp_obj_t *msgs;
	mp_obj_get_array(a[ARG_messages].u_obj, &nm, &msgs);
	if (nm == 0)
		mp_raise_ValueError(MP_ERROR_TEXT("messages: at least one (role, text)"));
	/* Size first, then the conversation (pxvm/frame.h) in one heap block. */
	size_t total = 1 + strlen(system);
	for (size_t i = 0; i < nm; i++) {
		size_t k, len;
		mp_obj_t *rt;
		mp_obj_get_array(msgs[i], &k, &rt);
		if (k != 2)
			mp_raise_ValueError(MP_ERROR_TEXT("messages: a list of (role, text) pairs"));
		const char *role = mp_obj_str_get_str(rt[0]);
		bool user = !strcmp(role, "user");
		if (!user && strcmp(role, "assistant"))
			mp_raise_ValueError(MP_ERROR_TEXT("message role: 'user' or 'assistant'"));
		if (i == nm - 1 && !user)
			mp_raise_ValueError(MP_ERROR_TEXT("messages: the last one is the user's"));
		mp_obj_str_get_data(rt[1], &len);
		total += 5 + len;
		if (total > HV_CHAT_MAX)
			mp_raise_ValueError(MP_ERROR_TEXT("conversation over 48 KiB (HV_CHAT_MAX)"));
	}
	uint8_t *body = m_new(uint8_t, total);
	size_t at = frame_chat_begin(body, total, system);
	for (size_t i = 0; i < nm; i++) {
		size_t k, len;
		mp_obj_t *rt;
		mp_obj_get_array(msgs[i], &k, &rt);
		const char *text = mp_obj_str_get_data(rt[1], &len);
		bool user = !strcmp(mp_obj_str_get_str(rt[0]), "user");
		at = frame_chat_turn(body, total, at, user ? FRAME_ROLE_USER : FRAME_ROLE_ASSISTANT, text, len);
	}
	c.body = (const char *)body;
	c.len = (uint32_t)at;
	vstr_t reply;
	vstr_init(&reply, HV_CHAT_REPLY_MAX + 1);
	mp_obj_t text = llm_call(&c, &reply); /* hv_llm_call copied the conversation */
	m_del(uint8_t, body, total);
	return text;
}
static MP_DEFINE_CONST_FUN_OBJ_KW(pxos_chat_obj, 1, pxos_chat);

/* system_prompts(): the ids chat() takes as system: the NAME of each
 * HV_SYSTEM_DIR NAME.txt ("pxasm", "python"). */
static mp_obj_t pxos_system_prompts(void)
{
	mp_obj_t list = mp_obj_new_list(0, NULL);
	char name[PXFS_PATH_MAX + 1];
	for (uint32_t i = 0;; i++) {
		int n = vfs_readdir(HV_SYSTEM_DIR, i, name, sizeof(name));
		if (n < 0)
			break;
		if (n > 4 && !strcmp(name + n - 4, ".txt"))
			mp_obj_list_append(list, mp_obj_new_str(name, (size_t)n - 4));
		py_charge(64);
	}
	return list;
}
static MP_DEFINE_CONST_FUN_OBJ_0(pxos_system_prompts_obj, pxos_system_prompts);

static mp_obj_t pxos_oracle(size_t n_args, const mp_obj_t *args)
{
	struct proc *p = me();
	uint32_t model = n_args > 1 ? model_of(args[1]) : 0;
	put_prompt(p, args[0]);
	return mp_obj_new_bool(py_check(trap(p, PXVM_TRAP_ORACLE, PY_BRIDGE_BASE, model, 0)));
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(pxos_oracle_obj, 1, 2, pxos_oracle);

static mp_obj_t pxos_load_file(mp_obj_t which)
{
	const uint8_t *data;
	uint32_t size;
	if (mp_obj_is_int(which)) {
		const struct pxfs *fs = vfs_fs();
		struct pxfs_file f;
		mp_int_t id = mp_obj_get_int(which);
		if (id <= 0 || id >= (mp_int_t)HV_FILE_BY_ID)
			py_raise_pxe(-PXE_EINVAL);
		if (!fs || pxfs_lookup_id(fs, (uint32_t)id, &f) != 0)
			py_raise_pxe(-PXE_ENOENT);
		data = f.data;
		size = f.size;
	} else {
		struct vfs_file f;
		const char *path = mp_obj_str_get_str(which);
		if (vfs_lookup(path, &f) != 0)
			py_raise_pxe(-PXE_ENOENT);
		if (f.type == PXVM_FT_DIR)
			py_raise_pxe(-PXE_EISDIR);
		data = f.data;
		size = f.size;
	}
	py_charge(64 + (size >> SYS_COST_COPY_SHIFT));
	return mp_obj_new_bytes(data, size);
}
static MP_DEFINE_CONST_FUN_OBJ_1(pxos_load_file_obj, pxos_load_file);

/* unit: a uniform double in [0, 1) with 53 random bits. */
static double unit(void) { return (double)(rng_next64() >> 11) * (1.0 / 9007199254740992.0); }

/* sample_noise: mean + std * z, z standard normal made as the hypervisor
 * makes it (docs/hypervisor.md): twelve uniforms summed, minus 6. */
static mp_obj_t pxos_sample_noise(size_t n_args, const mp_obj_t *pos, mp_map_t *kw)
{
	static const mp_arg_t allowed[] = {
		{ MP_QSTR_mean, MP_ARG_OBJ, { .u_obj = MP_OBJ_NULL } },
		{ MP_QSTR_std, MP_ARG_OBJ, { .u_obj = MP_OBJ_NULL } },
	};
	mp_arg_val_t a[2];
	mp_arg_parse_all(n_args, pos, kw, 2, allowed, a);
	mp_float_t mean = a[0].u_obj ? mp_obj_get_float(a[0].u_obj) : 0.0;
	mp_float_t sd = a[1].u_obj ? mp_obj_get_float(a[1].u_obj) : 1.0;
	if (!(sd >= 0))
		mp_raise_ValueError(MP_ERROR_TEXT("std must be >= 0"));
	mp_float_t z = -6.0;
	for (int i = 0; i < 12; i++)
		z += unit();
	py_charge(16);
	return mp_obj_new_float(mean + sd * z);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(pxos_sample_noise_obj, 0, pxos_sample_noise);

static mp_obj_t pxos_sample_uniform(size_t n_args, const mp_obj_t *pos, mp_map_t *kw)
{
	static const mp_arg_t allowed[] = {
		{ MP_QSTR_low, MP_ARG_OBJ, { .u_obj = MP_OBJ_NULL } },
		{ MP_QSTR_high, MP_ARG_OBJ, { .u_obj = MP_OBJ_NULL } },
	};
	mp_arg_val_t a[2];
	mp_arg_parse_all(n_args, pos, kw, 2, allowed, a);
	mp_float_t lo = a[0].u_obj ? mp_obj_get_float(a[0].u_obj) : 0.0;
	mp_float_t hi = a[1].u_obj ? mp_obj_get_float(a[1].u_obj) : 1.0;
	if (!(lo < hi))
		mp_raise_ValueError(MP_ERROR_TEXT("low must be < high"));
	py_charge(4);
	mp_float_t v = lo + (hi - lo) * unit();
	return mp_obj_new_float(v < hi ? v : lo);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(pxos_sample_uniform_obj, 0, pxos_sample_uniform);

static mp_obj_t pxos_log(mp_obj_t msg)
{
	size_t n;
	const char *s = mp_obj_str_get_data(mp_obj_is_str(msg) ? msg : mp_obj_str_make_new(&mp_type_str, 1, 0, &msg), &n);
	mp_print_strn(&py_err_print, s, n, 0, 0, 0);
	mp_print_str(&py_err_print, "\n");
	return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(pxos_log_obj, pxos_log);

/* klog(offset=0) -> (text, next): up to KLOG_READ_MAX bytes of the kernel
 * log's kept lines from byte `offset` (system call KLOG_READ); text '' when
 * nothing is newer; next - len(text) > offset: lines before were lost. */
static mp_obj_t pxos_klog(size_t n_args, const mp_obj_t *args)
{
	uint32_t from = n_args ? (uint32_t)mp_obj_get_int_truncated(args[0]) : 0, next;
	vstr_t v;
	vstr_init(&v, KLOG_READ_MAX);
	size_t n = pxhost_klog_read(from, v.buf, KLOG_READ_MAX, &next);
	v.len = n;
	py_charge(32 + (n >> SYS_COST_COPY_SHIFT));
	mp_obj_t t[2] = { mp_obj_new_str_from_vstr(&v), mp_obj_new_int_from_uint(next) };
	return mp_obj_new_tuple(2, t);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(pxos_klog_obj, 0, 1, pxos_klog);

/* ---- drawing on the canvas ----------------------------------------------------- */

static mp_obj_t pxos_rect(size_t n_args, const mp_obj_t *a)
{
	(void)n_args;
	int n = py_check(canvas_rect(me(), (int32_t)mp_obj_get_int(a[0]), (int32_t)mp_obj_get_int(a[1]),
	                             (int32_t)mp_obj_get_int(a[2]), (int32_t)mp_obj_get_int(a[3]), color_of(a[4])));
	py_charge(16 + ((uint32_t)n >> SYS_COST_PIXELS_SHIFT));
	return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(pxos_rect_obj, 5, 5, pxos_rect);

static mp_obj_t pxos_pixel(mp_obj_t x, mp_obj_t y, mp_obj_t c)
{
	py_check(canvas_rect(me(), (int32_t)mp_obj_get_int(x), (int32_t)mp_obj_get_int(y), 1, 1, color_of(c)));
	py_charge(4);
	return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_3(pxos_pixel_obj, pxos_pixel);

static mp_obj_t pxos_text(size_t n_args, const mp_obj_t *a)
{
	size_t n;
	const char *s = mp_obj_str_get_data(a[2], &n);
	uint32_t c = n_args > 3 ? color_of(a[3]) : 0xFFFFFFu;
	if (n > PRINT_MAX)
		mp_raise_ValueError(MP_ERROR_TEXT("text longer than 1024 bytes"));
	int g = py_check(canvas_text(me(), (int32_t)mp_obj_get_int(a[0]), (int32_t)mp_obj_get_int(a[1]), s,
	                             (uint32_t)n, c));
	py_charge(16 + (uint64_t)n * SYS_COST_GLYPH);
	return MP_OBJ_NEW_SMALL_INT(g);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(pxos_text_obj, 3, 4, pxos_text);

/* layer(n, show=False): LAYER_USE: draw on layer n (0 the canvas, 1 the back
 * layer); show copies the back layer onto the canvas first. The previous. */
static mp_obj_t pxos_layer(size_t n_args, const mp_obj_t *a)
{
	struct proc *p = me();
	mp_int_t want = mp_obj_get_int(a[0]);
	bool show = n_args > 1 && mp_obj_is_true(a[1]);
	if (want != PXVM_LAYER_FRONT && want != PXVM_LAYER_BACK)
		mp_raise_ValueError(MP_ERROR_TEXT("layer is 0 (canvas) or 1 (back)"));
	if (want == PXVM_LAYER_BACK || show)
		py_check(canvas_use_back(p));
	if (show) {
		py_check(canvas_show_back(p));
		py_charge(SYS_COST_LAYER_SHOW);
	}
	uint32_t old = p->layer;
	p->layer = (uint32_t)want;
	py_charge(8);
	return MP_OBJ_NEW_SMALL_INT(old);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(pxos_layer_obj, 1, 2, pxos_layer);

/* ---- processes, messages, time ----------------------------------------------------- */

static mp_obj_t pxos_getpid(void) { return MP_OBJ_NEW_SMALL_INT(me()->pid); }
static MP_DEFINE_CONST_FUN_OBJ_0(pxos_getpid_obj, pxos_getpid);

static mp_obj_t pxos_getppid(void) { return MP_OBJ_NEW_SMALL_INT(me()->ppid); }
static MP_DEFINE_CONST_FUN_OBJ_0(pxos_getppid_obj, pxos_getppid);

/* args_of: an argument string: a str, or a list/tuple of words. */
static const char *args_of(mp_obj_t a, char *buf, size_t cap)
{
	if (a == mp_const_none)
		return 0;
	if (mp_obj_is_str(a)) {
		size_t n;
		const char *s = mp_obj_str_get_data(a, &n);
		if (n >= cap)
			py_raise_pxe(-PXE_ENAMETOOLONG);
		memcpy(buf, s, n);
		buf[n] = 0;
		return buf;
	}
	size_t n, k = 0;
	mp_obj_t *v;
	mp_obj_get_array(a, &n, &v);
	buf[0] = 0;
	for (size_t i = 0; i < n; i++) {
		size_t l;
		const char *s = mp_obj_str_get_data(v[i], &l);
		if (k + l + 2 > cap)
			py_raise_pxe(-PXE_ENAMETOOLONG);
		if (k)
			buf[k++] = ' ';
		memcpy(buf + k, s, l);
		k += l;
		buf[k] = 0;
	}
	return buf;
}

static mp_obj_t pxos_spawn(size_t n_args, const mp_obj_t *a)
{
	char args[PXVM_ARGSTR_SIZE];
	const char *path = mp_obj_str_get_str(a[0]);
	const char *s = n_args > 1 ? args_of(a[1], args, sizeof(args)) : 0;
	if (strlen(path) >= PXFS_PATH_MAX)
		py_raise_pxe(-PXE_ENAMETOOLONG);
	py_charge(4096);
	return MP_OBJ_NEW_SMALL_INT(py_check(sched_spawn(path, s, me()->pid)));
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(pxos_spawn_obj, 1, 2, pxos_spawn);

/* run_python(path, args=None): the RUN_PYTHON trap (0x01): a Python child. */
static mp_obj_t pxos_run_python(size_t n_args, const mp_obj_t *a)
{
	struct proc *p = me();
	char args[PXVM_ARGSTR_SIZE];
	size_t n;
	const char *path = mp_obj_str_get_data(a[0], &n);
	const char *s = n_args > 1 ? args_of(a[1], args, sizeof(args)) : 0;
	if (n >= PXFS_PATH_MAX)
		py_raise_pxe(-PXE_ENAMETOOLONG);
	bridge_put(p, PY_BRIDGE_BASE, path, n);
	uint32_t aa = 0;
	if (s) {
		aa = PY_BRIDGE_BASE + PXFS_PATH_MAX;
		bridge_put(p, aa, s, strlen(s));
	}
	py_charge(4096);
	return MP_OBJ_NEW_SMALL_INT(py_check(trap(p, PXVM_TRAP_RUN_PYTHON, PY_BRIDGE_BASE, aa, 0)));
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(pxos_run_python_obj, 1, 2, pxos_run_python);

static mp_obj_t pxos_wait(size_t n_args, const mp_obj_t *a)
{
	struct proc *p = me();
	mp_int_t pid = n_args ? mp_obj_get_int(a[0]) : 0;
	if (pid < 0)
		py_raise_pxe(-PXE_EINVAL);
	py_charge(8);
	if (sched_wait(p, (uint32_t)pid))
		py_block();
	py_check((int32_t)p->vm.r[0]);
	mp_obj_t t[2] = { MP_OBJ_NEW_SMALL_INT(p->vm.r[0]), mp_obj_new_int_from_uint(p->vm.r[1]) };
	return mp_obj_new_tuple(2, t);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(pxos_wait_obj, 0, 1, pxos_wait);

static mp_obj_t pxos_kill(mp_obj_t pid)
{
	struct proc *p = me();
	mp_int_t v = mp_obj_get_int(pid);
	py_charge(64);
	if (v <= 0)
		py_raise_pxe(-PXE_ESRCH);
	if ((uint32_t)v == p->pid)
		py_exit(PXVM_STATUS_KILLED); /* a process that kills itself ends now, killed */
	py_check(sched_kill(p, (uint32_t)v));
	return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(pxos_kill_obj, pxos_kill);

static mp_obj_t pxos_fork(void) { return MP_OBJ_NEW_SMALL_INT(py_check(sched_fork(me()))); }
static MP_DEFINE_CONST_FUN_OBJ_0(pxos_fork_obj, pxos_fork);

static mp_obj_t pxos_setfg(mp_obj_t pid)
{
	py_check(tty_setfg(me(), (uint32_t)mp_obj_get_int(pid)));
	return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(pxos_setfg_obj, pxos_setfg);

static mp_obj_t pxos_send(mp_obj_t pid, mp_obj_t data)
{
	struct proc *p = me();
	mp_buffer_info_t b;
	mp_get_buffer_raise(data, &b, MP_BUFFER_READ);
	if (b.len > IPC_MSG_MAX)
		py_raise_pxe(-PXE_EINVAL);
	pxvm_write(&p->vm, PY_BRIDGE_BASE, b.buf, (uint32_t)b.len);
	py_charge(16 + (b.len >> SYS_COST_COPY_SHIFT));
	py_check(ipc_send(p, (uint32_t)mp_obj_get_int(pid), PY_BRIDGE_BASE, (uint32_t)b.len));
	return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(pxos_send_obj, pxos_send);

/* recv(block=True): (sender pid, bytes); None when not blocking and empty. */
static mp_obj_t pxos_recv(size_t n_args, const mp_obj_t *a)
{
	struct proc *p = me();
	bool block = n_args == 0 || mp_obj_is_true(a[0]);
	py_charge(16);
	if (ipc_recv(p, PY_BRIDGE_BASE, IPC_MSG_MAX, block ? 0 : PXVM_IPC_NONBLOCK))
		py_block();
	int32_t r = (int32_t)p->vm.r[0];
	if (r == -PXE_EWOULDBLOCK)
		return mp_const_none;
	py_check(r);
	mp_obj_t t[2] = { MP_OBJ_NEW_SMALL_INT(p->vm.r[1]),
	                  mp_obj_new_bytes((const uint8_t *)p->vm.mem + PY_BRIDGE_BASE, (size_t)r) };
	return mp_obj_new_tuple(2, t);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(pxos_recv_obj, 0, 1, pxos_recv);

static mp_obj_t pxos_time_ms(void) { return mp_obj_new_int_from_ull(pxhost_time_us() / 1000u); }
static MP_DEFINE_CONST_FUN_OBJ_0(pxos_time_ms_obj, pxos_time_ms);

static mp_obj_t pxos_time_us(void) { return mp_obj_new_int_from_ull(pxhost_time_us()); }
static MP_DEFINE_CONST_FUN_OBJ_0(pxos_time_us_obj, pxos_time_us);

/* sleep_for: SLEEP `ms` milliseconds (0: yield). */
static void sleep_for(mp_int_t ms)
{
	struct proc *p = me();
	if (ms < 0 || ms > SLEEP_MAX_MS)
		mp_raise_ValueError(MP_ERROR_TEXT("sleep: 0..3600 s"));
	py_charge(4);
	if (ms == 0) {
		py_yield();
		return;
	}
	p->wake_us = pxhost_time_us() + (uint64_t)ms * 1000u;
	proc_block(p, BLOCK_SLEEP);
	py_block();
	py_check((int32_t)p->vm.r[0]); /* -EINTR: Ctrl-C ended the sleep (KeyboardInterrupt) */
}

static mp_obj_t pxos_sleep(mp_obj_t s)
{
	mp_float_t v = mp_obj_get_float(s);
	if (!(v >= 0 && v <= SLEEP_MAX_MS / 1000))
		mp_raise_ValueError(MP_ERROR_TEXT("sleep: 0..3600 s"));
	sleep_for((mp_int_t)(v * 1000 + 0.5));
	return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(pxos_sleep_obj, pxos_sleep);

static mp_obj_t pxos_sleep_ms(mp_obj_t ms)
{
	sleep_for(mp_obj_get_int(ms));
	return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(pxos_sleep_ms_obj, pxos_sleep_ms);

/* ---- files: listing, status -------------------------------------------------------- */

static mp_obj_t pxos_listdir(size_t n_args, const mp_obj_t *a)
{
	const char *dir = n_args ? mp_obj_str_get_str(a[0]) : "/";
	mp_obj_t list = mp_obj_new_list(0, NULL);
	char name[PXFS_PATH_MAX + 1];
	for (uint32_t i = 0;; i++) {
		int n = vfs_readdir(dir, i, name, sizeof(name));
		if (n == -PXE_ERANGE)
			break;
		py_check(n);
		mp_obj_list_append(list, mp_obj_new_str(name, (size_t)n));
		py_charge(64);
	}
	return list;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(pxos_listdir_obj, 0, 1, pxos_listdir);

static mp_obj_t pxos_stat(mp_obj_t path)
{
	uint32_t st[3];
	py_check(vfs_stat(mp_obj_str_get_str(path), st));
	py_charge(64);
	mp_obj_t t[3] = { mp_obj_new_int_from_uint(st[0]), MP_OBJ_NEW_SMALL_INT(st[1]), MP_OBJ_NEW_SMALL_INT(st[2]) };
	return mp_obj_new_tuple(3, t);
}
static MP_DEFINE_CONST_FUN_OBJ_1(pxos_stat_obj, pxos_stat);

/* ---- the `python` command (userland/apps/python) ------------------------------ */

/* repl(): the interactive loop on the console, then the process ends with
 * its status (0 after Ctrl-D). */
static mp_obj_t pxos_repl(void)
{
	py_exit((uint32_t)py_repl());
}
static MP_DEFINE_CONST_FUN_OBJ_0(pxos_repl_obj, pxos_repl);

/* exec_main(argv): run the program argv[0] in this process as __main__, with
 * sys.argv = argv; the process ends with its status. */
static mp_obj_t pxos_exec_main(mp_obj_t argv)
{
	size_t n;
	mp_obj_t *v;
	mp_obj_get_array(argv, &n, &v);
	if (n == 0)
		mp_raise_ValueError(MP_ERROR_TEXT("exec_main: argv[0] is the program"));
	const char *path = mp_obj_str_get_str(v[0]);
	mp_obj_list_init(MP_OBJ_TO_PTR(mp_sys_argv), 0);
	for (size_t i = 0; i < n; i++)
		mp_obj_list_append(mp_sys_argv, v[i]);
	py_exit((uint32_t)py_exec_main(path));
}
static MP_DEFINE_CONST_FUN_OBJ_1(pxos_exec_main_obj, pxos_exec_main);

/* ---- the module -------------------------------------------------------------------- */

static const mp_rom_map_elem_t pxos_globals_table[] = {
	{ MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_pxos) },
	/* seed 000's PixelBridge */
	{ MP_ROM_QSTR(MP_QSTR_read_pixel), MP_ROM_PTR(&pxos_read_pixel_obj) },
	{ MP_ROM_QSTR(MP_QSTR_write_pixel), MP_ROM_PTR(&pxos_write_pixel_obj) },
	{ MP_ROM_QSTR(MP_QSTR_read_bytes), MP_ROM_PTR(&pxos_read_bytes_obj) },
	{ MP_ROM_QSTR(MP_QSTR_write_bytes), MP_ROM_PTR(&pxos_write_bytes_obj) },
	{ MP_ROM_QSTR(MP_QSTR_read_string), MP_ROM_PTR(&pxos_read_string_obj) },
	{ MP_ROM_QSTR(MP_QSTR_write_string), MP_ROM_PTR(&pxos_write_string_obj) },
	{ MP_ROM_QSTR(MP_QSTR_call_llm), MP_ROM_PTR(&pxos_call_llm_obj) },
	{ MP_ROM_QSTR(MP_QSTR_chat), MP_ROM_PTR(&pxos_chat_obj) },
	{ MP_ROM_QSTR(MP_QSTR_system_prompts), MP_ROM_PTR(&pxos_system_prompts_obj) },
	{ MP_ROM_QSTR(MP_QSTR_oracle), MP_ROM_PTR(&pxos_oracle_obj) },
	{ MP_ROM_QSTR(MP_QSTR_load_file), MP_ROM_PTR(&pxos_load_file_obj) },
	{ MP_ROM_QSTR(MP_QSTR_sample_noise), MP_ROM_PTR(&pxos_sample_noise_obj) },
	{ MP_ROM_QSTR(MP_QSTR_sample_uniform), MP_ROM_PTR(&pxos_sample_uniform_obj) },
	{ MP_ROM_QSTR(MP_QSTR_log), MP_ROM_PTR(&pxos_log_obj) },
	{ MP_ROM_QSTR(MP_QSTR_klog), MP_ROM_PTR(&pxos_klog_obj) },
	{ MP_ROM_QSTR(MP_QSTR_PROMPT_MAX), MP_ROM_INT(HV_PROMPT_MAX) },
	/* drawing */
	{ MP_ROM_QSTR(MP_QSTR_rect), MP_ROM_PTR(&pxos_rect_obj) },
	{ MP_ROM_QSTR(MP_QSTR_pixel), MP_ROM_PTR(&pxos_pixel_obj) },
	{ MP_ROM_QSTR(MP_QSTR_text), MP_ROM_PTR(&pxos_text_obj) },
	{ MP_ROM_QSTR(MP_QSTR_layer), MP_ROM_PTR(&pxos_layer_obj) },
	/* processes, messages, time */
	{ MP_ROM_QSTR(MP_QSTR_getpid), MP_ROM_PTR(&pxos_getpid_obj) },
	{ MP_ROM_QSTR(MP_QSTR_getppid), MP_ROM_PTR(&pxos_getppid_obj) },
	{ MP_ROM_QSTR(MP_QSTR_spawn), MP_ROM_PTR(&pxos_spawn_obj) },
	{ MP_ROM_QSTR(MP_QSTR_run_python), MP_ROM_PTR(&pxos_run_python_obj) },
	{ MP_ROM_QSTR(MP_QSTR_wait), MP_ROM_PTR(&pxos_wait_obj) },
	{ MP_ROM_QSTR(MP_QSTR_kill), MP_ROM_PTR(&pxos_kill_obj) },
	{ MP_ROM_QSTR(MP_QSTR_fork), MP_ROM_PTR(&pxos_fork_obj) },
	{ MP_ROM_QSTR(MP_QSTR_setfg), MP_ROM_PTR(&pxos_setfg_obj) },
	{ MP_ROM_QSTR(MP_QSTR_send), MP_ROM_PTR(&pxos_send_obj) },
	{ MP_ROM_QSTR(MP_QSTR_recv), MP_ROM_PTR(&pxos_recv_obj) },
	{ MP_ROM_QSTR(MP_QSTR_time_ms), MP_ROM_PTR(&pxos_time_ms_obj) },
	{ MP_ROM_QSTR(MP_QSTR_time_us), MP_ROM_PTR(&pxos_time_us_obj) },
	{ MP_ROM_QSTR(MP_QSTR_sleep), MP_ROM_PTR(&pxos_sleep_obj) },
	{ MP_ROM_QSTR(MP_QSTR_sleep_ms), MP_ROM_PTR(&pxos_sleep_ms_obj) },
	/* files (open() is a builtin) */
	{ MP_ROM_QSTR(MP_QSTR_listdir), MP_ROM_PTR(&pxos_listdir_obj) },
	{ MP_ROM_QSTR(MP_QSTR_stat), MP_ROM_PTR(&pxos_stat_obj) },
	/* the `python` command */
	{ MP_ROM_QSTR(MP_QSTR_repl), MP_ROM_PTR(&pxos_repl_obj) },
	{ MP_ROM_QSTR(MP_QSTR_exec_main), MP_ROM_PTR(&pxos_exec_main_obj) },
	/* numbers */
	{ MP_ROM_QSTR(MP_QSTR_CANVAS_W), MP_ROM_INT(PXVM_TILE_W) },
	{ MP_ROM_QSTR(MP_QSTR_CANVAS_H), MP_ROM_INT(PXVM_TILE_H) },
	{ MP_ROM_QSTR(MP_QSTR_CANVAS_BG), MP_ROM_INT(CANVAS_BG) },
	{ MP_ROM_QSTR(MP_QSTR_DATA_BASE), MP_ROM_INT(PY_DATA_BASE) },
	{ MP_ROM_QSTR(MP_QSTR_DATA_END), MP_ROM_INT(PY_DATA_END) },
	{ MP_ROM_QSTR(MP_QSTR_STATUS_FAULTED), MP_ROM_INT(PXVM_STATUS_FAULTED) },
	{ MP_ROM_QSTR(MP_QSTR_STATUS_KILLED), MP_ROM_INT(PXVM_STATUS_KILLED) },
#define PY_X_ERR(name, code, text) { MP_ROM_QSTR(MP_QSTR_E##name), MP_ROM_INT(code) },
	PXVM_ERRORS(PY_X_ERR)
#undef PY_X_ERR
};
static MP_DEFINE_CONST_DICT(pxos_globals, pxos_globals_table);

const mp_obj_module_t pxos_module = {
	.base = { &mp_type_module },
	.globals = (mp_obj_dict_t *)&pxos_globals,
};
MP_REGISTER_MODULE(MP_QSTR_pxos, pxos_module);
