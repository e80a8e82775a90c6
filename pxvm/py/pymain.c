/*
 * pymain.c — the interpreter's side of a Python process: what runs on its own
 * stack (built with SSE, like MicroPython): starting MicroPython on the
 * process's heap, running its program, the ports MicroPython calls (output,
 * input, imports, the GC's root scan, a fatal error), ending the process.
 * See pyproc.h and docs/python.md.
 */
#include <string.h>
#include "py/builtin.h"
#include "py/compile.h"
#include "py/gc.h"
#include "py/lexer.h"
#include "py/mperrno.h"
#include "py/mphal.h"
#include "py/repl.h"
#include "py/runtime.h"
#include "py/stackctrl.h"
#include "shared/readline/readline.h"
#include "shared/runtime/gchelper.h"
#include "pyproc.h"
#include "pymod.h"
#include "pxvm/host.h"
#include "pxvm/vfs.h"
#include "pxvm/tty.h"

const size_t py_state_size = sizeof(mp_state_ctx_t);
void py_state_save(void *dst) { memcpy(dst, &mp_state_ctx, sizeof(mp_state_ctx)); }
void py_state_load(const void *src) { memcpy(&mp_state_ctx, src, sizeof(mp_state_ctx)); }

/* ---- output ---------------------------------------------------------------- */

/* out_fd: a program's output on fd 1 or 2, as a pxVM WRITE: through the
 * console's writer queue (tty_write), staged in the process's pixel memory
 * from PY_REPLY_BASE (free between calls: a reply is copied out as soon as
 * it comes); when the console's output is full (a slow serial line) the
 * process blocks (BLOCK_OUTPUT) until its turn, so a print loop neither
 * loses its text nor crowds out the other writers. */
static void out_fd(int fd, const char *s, size_t n)
{
	struct proc *p = py_current();
	py_charge((uint64_t)n * SYS_COST_CONSOLE_BYTE);
	while (n) {
		uint32_t k = n < PY_BRIDGE_END - PY_REPLY_BASE ? (uint32_t)n : PY_BRIDGE_END - PY_REPLY_BASE;
		pxvm_write(&p->vm, PY_REPLY_BASE, s, k);
		if (tty_write(p, fd, PY_REPLY_BASE, k, 0))
			py_block(); /* written when the console has room, in the writers' order */
		s += k;
		n -= k;
	}
}

/* rl_quiet: set while the REPL's line editor replays a line (below): its
 * screen output is dropped then, since it is already on the screen.
 * rl_echo: set while the line editor runs (shared/readline's one state, see
 * below): its output is the echo of the keys typed, taken whole as the
 * console's own echo is (pxhost_output pid 0: never blocks), so the editor
 * never stops half-way through a key while another REPL takes it over. */
static bool rl_quiet, rl_echo;

mp_uint_t mp_hal_stdout_tx_strn(const char *str, size_t len)
{
	if (rl_quiet)
		return len;
	if (rl_echo) {
		pxhost_output(0, 1, str, len);
		py_charge((uint64_t)len * SYS_COST_CONSOLE_BYTE);
	} else {
		out_fd(1, str, len);
	}
	return len;
}

void mp_hal_stdout_tx_strn_cooked(const char *str, size_t len) { mp_hal_stdout_tx_strn(str, len); }
void mp_hal_stdout_tx_str(const char *str) { mp_hal_stdout_tx_strn(str, strlen(str)); }

static void err_strn(void *env, const char *str, size_t len)
{
	(void)env;
	out_fd(2, str, len);
}

const mp_print_t py_err_print = { NULL, err_strn };

/* ---- input ----------------------------------------------------------------- */

int py_console_read(struct proc *p)
{
	py_charge(16);
	if (tty_read(p, PY_BRIDGE_BASE, TTY_LINE_MAX))
		py_block(); /* until a line is typed (or the input ends) */
	return (int32_t)p->vm.r[0];
}

int py_readline(vstr_t *line, const char *prompt)
{
	struct proc *p = py_current();
	mp_hal_stdout_tx_str(prompt);
	int n = py_console_read(p);
	if (n < 0)
		return CHAR_CTRL_C;
	if (n == 0)
		return CHAR_CTRL_D;
	const char *s = (const char *)p->vm.mem + PY_BRIDGE_BASE;
	if (s[n - 1] == '\n')
		n--;
	vstr_add_strn(line, s, (size_t)n);
	return 0;
}

/* ---- the REPL's line editor ------------------------------------------------
 * MicroPython's own shared/readline (line editing, Up/Down history of
 * MICROPY_READLINE_HISTORY_SIZE lines, Tab completion) over the console in
 * raw mode (pxvm/tty.h TTYMODE), raw only while a line is read. Its screen
 * output is BS, CR LF, ESC [ K and ESC [ n D: all in the console escaper's
 * allowlist (docs/isolation.md).
 *
 * Per process, in MicroPython's state (swapped with it at every switch):
 * the history (readline_hist), the bytes read but not yet edited (a batch
 * of typed-ahead lines), and the keys of the line being edited. The
 * editor's own state (shared/readline's static `rl`) is one for all
 * processes, so its owner is noted: when another process edited a line
 * while this one was blocked, this one's line is rebuilt by replaying its
 * keys with the output off, and editing goes on where it was. */
MP_REGISTER_ROOT_POINTER(vstr_t py_rl_in);
MP_REGISTER_ROOT_POINTER(vstr_t py_rl_keys);
MP_REGISTER_ROOT_POINTER(mp_uint_t py_rl_cr); /* the last byte taken was a CR */

static uint32_t rl_owner; /* pid whose line shared/readline's state holds (0: none) */

/* rl_take: the next typed byte for the line editor into *c: 0, or
 * CHAR_CTRL_C (a caught Ctrl-C: the typed-ahead bytes are dropped) or
 * CHAR_CTRL_D (the end of input) when there is none. Blocks in READ. A LF
 * right after a CR (a terminal's CR LF, maybe in two READs) is skipped. */
static int rl_take(struct proc *p, int *c)
{
	vstr_t *in = &MP_STATE_VM(py_rl_in);
	for (;;) {
		if (!in->len) {
			py_charge(16);
			if (tty_read(p, PY_BRIDGE_BASE, TTY_LINE_MAX))
				py_block();
			int n = (int32_t)p->vm.r[0];
			if (n <= 0) {
				MP_STATE_VM(py_rl_cr) = 0;
				if (n < 0)
					vstr_reset(in);
				return n < 0 ? CHAR_CTRL_C : CHAR_CTRL_D;
			}
			vstr_add_strn(in, (const char *)p->vm.mem + PY_BRIDGE_BASE, (size_t)n);
		}
		*c = (uint8_t)in->buf[0];
		vstr_cut_out_bytes(in, 0, 1);
		bool lf_after_cr = *c == '\n' && MP_STATE_VM(py_rl_cr);
		MP_STATE_VM(py_rl_cr) = *c == '\r';
		if (!lf_after_cr)
			return 0;
	}
}

/* mp_hal_stdin_rx_chr: MicroPython's HAL: the next typed byte of the
 * console in raw mode (shared/readline's readline() calls it; the REPL uses
 * py_repl_readline): CHAR_CTRL_C for a caught Ctrl-C, CHAR_CTRL_D at the
 * end of input. */
int mp_hal_stdin_rx_chr(void)
{
	int c, r = rl_take(py_current(), &c);
	return r ? r : c == '\n' ? '\r' : c;
}

/* py_repl_readline: read one line of the REPL into `line` (appended to
 * what it holds: the lines before, in a block) after `prompt`, with line
 * editing and history. Returns 0 for a line (Enter), CHAR_CTRL_C when
 * Ctrl-C was pressed (the line is dropped), CHAR_CTRL_D for Ctrl-D on an
 * empty line or the end of input. */
static int py_repl_readline(vstr_t *line, const char *prompt)
{
	struct proc *p = py_current();
	vstr_t *keys = &MP_STATE_VM(py_rl_keys);
	size_t start = line->len;
	vstr_reset(keys);
	tty_mode(p, PXVM_TTY_RAW);
	rl_echo = true;
	readline_init(line, prompt);
	rl_echo = false;
	rl_owner = p->pid;
	int r;
	for (;;) {
		int c;
		if ((r = rl_take(p, &c)) != 0) {
			mp_hal_stdout_tx_str("\r\n");
			break;
		}
		if (rl_owner != p->pid) { /* another REPL edited meanwhile: rebuild this line */
			py_charge(keys->len); /* the replay's work, like any other */
			rl_quiet = true;
			vstr_cut_tail_bytes(line, line->len - start);
			readline_init(line, prompt);
			for (size_t i = 0; i < keys->len; i++)
				readline_process_char((uint8_t)keys->buf[i]);
			rl_quiet = false;
			rl_owner = p->pid;
		}
		if (c == 'O' && keys->len && keys->buf[keys->len - 1] == 0x1b)
			c = '['; /* ESC O A..D, H, F (a terminal's application cursor keys): as ESC [ */
		vstr_add_byte(keys, (byte)c);
		rl_echo = true;
		r = readline_process_char(c == '\n' ? '\r' : c); /* LF: a keyboard's Enter */
		rl_echo = false;
		if (r == 0)
			break;
		if (r == CHAR_CTRL_C || r == CHAR_CTRL_D)
			break; /* Ctrl-A, -B, -E on an empty line (MicroPython's raw REPL keys): nothing */
	}
	rl_owner = 0;
	tty_mode(p, PXVM_TTY_COOKED);
	return r;
}

/* ---- Ctrl-C ----------------------------------------------------------------- */

void py_interrupt(void)
{
	mp_sched_keyboard_interrupt();
}

/* ---- the GC, a fatal error ------------------------------------------------- */

void gc_collect(void)
{
	gc_collect_start();
	gc_helper_collect_regs_and_stack();
	gc_collect_end();
}

void nlr_jump_fail(void *val)
{
	(void)val;
	mp_printf(&py_err_print, "python: fatal: an exception was raised outside any handler\n");
	py_exit(1);
}


/* ---- imports ---------------------------------------------------------------- */

mp_import_stat_t mp_import_stat(const char *path)
{
	uint32_t st[3];
	if (vfs_stat(path, st) != 0)
		return MP_IMPORT_STAT_NO_EXIST;
	return st[1] == PXVM_FT_DIR ? MP_IMPORT_STAT_DIR : MP_IMPORT_STAT_FILE;
}

/* py_read_file: the whole file `path` as a new heap buffer (*len bytes);
 * raises OSError (ENOENT, EISDIR) or MemoryError. The copy is the
 * program's own: another process may rewrite the file meanwhile. */
char *py_read_file(const char *path, size_t *len)
{
	struct vfs_file f;
	if (vfs_lookup(path, &f) != 0)
		mp_raise_OSError(MP_ENOENT);
	if (f.type == PXVM_FT_DIR)
		mp_raise_OSError(MP_EISDIR);
	char *buf = m_new(char, f.size ? f.size : 1);
	if (vfs_lookup(path, &f) != 0 || !f.data) /* the GC may have run: look again */
		mp_raise_OSError(MP_ENOENT);
	memcpy(buf, f.data, f.size);
	*len = f.size;
	return buf;
}

/* Source for the lexer from memory that takes one unit of the quantum's
 * budget per 16 bytes: the lexer and the parser pull every byte through it,
 * so compiling a long program is preempted like running one (the
 * compiler's pass over the parse tree is bounded by the source's size). */
typedef struct {
	const byte *cur, *end;
	unsigned n;
} budget_src_t;

static mp_uint_t budget_readbyte(void *data)
{
	budget_src_t *src = data;
	if (src->cur >= src->end)
		return MP_READER_EOF;
	if (!(++src->n & 15) && --py_budget <= 0)
		py_budget_spent();
	return *src->cur++;
}

static void budget_close(void *data) { (void)data; }

mp_lexer_t *py_lexer(qstr name, const char *buf, size_t len)
{
	budget_src_t *src = m_new_obj(budget_src_t);
	src->cur = (const byte *)buf;
	src->end = src->cur + len;
	src->n = 0;
	mp_reader_t reader = { src, budget_readbyte, budget_close };
	return mp_lexer_new(name, reader);
}

mp_lexer_t *mp_lexer_new_from_file(qstr filename)
{
	size_t len;
	char *buf = py_read_file(qstr_str(filename), &len);
	return py_lexer(filename, buf, len);
}

/* ---- running a program ---------------------------------------------------- */

/* status_of: the exit status an uncaught exception gives, after printing
 * its traceback on stderr (SystemExit: its code, nothing printed). */
static int status_of(mp_obj_t exc)
{
	if (mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(mp_obj_get_type(exc)), MP_OBJ_FROM_PTR(&mp_type_SystemExit))) {
		mp_obj_t code = mp_obj_exception_get_value(exc);
		if (code == mp_const_none)
			return 0;
		mp_int_t v;
		if (mp_obj_get_int_maybe(code, &v))
			return (int)(v & 0xFF);
		mp_obj_print_helper(&py_err_print, code, PRINT_STR);
		mp_print_str(&py_err_print, "\n");
		return 1;
	}
	mp_obj_print_exception(&py_err_print, exc);
	return 1;
}

/* exec_main_globals: make the globals the fresh __main__ of a program:
 * emptied, __name__ '__main__' (the launcher's own names are gone). */
static void exec_main_globals(void)
{
	mp_obj_dict_t *g = mp_globals_get();
	mp_map_clear(&g->map);
	mp_obj_dict_store(MP_OBJ_FROM_PTR(g), MP_OBJ_NEW_QSTR(MP_QSTR___name__), MP_OBJ_NEW_QSTR(MP_QSTR___main__));
}

int py_exec_main(const char *path)
{
	exec_main_globals();
	return py_exec_file(path);
}

int py_exec_file(const char *path)
{
	nlr_buf_t nlr;
	if (nlr_push(&nlr) == 0) {
		mp_lexer_t *lex = mp_lexer_new_from_file(qstr_from_str(path));
		qstr name = lex->source_name;
		mp_store_global(MP_QSTR___file__, MP_OBJ_NEW_QSTR(name));
		mp_parse_tree_t tree = mp_parse(lex, MP_PARSE_FILE_INPUT);
		py_yield(); /* the compiler's passes (no hooks) start a quantum of their own */
		mp_obj_t fun = mp_compile(&tree, name, false);
		mp_call_function_0(fun);
		nlr_pop();
		return 0;
	}
	return status_of(MP_OBJ_FROM_PTR(nlr.ret_val));
}

/* py_repl: the interactive loop: ">>> " and "... " prompts, a statement
 * at a time (compiled as a REPL line, so expressions print their value),
 * tracebacks printed and the loop going on; Ctrl-D on an empty line, or
 * exit() / SystemExit, ends it with the status to exit with. */
int py_repl(void)
{
	mp_hal_stdout_tx_str("MicroPython " MICROPY_VERSION_STRING " on pxOS (pxVM Python guest); Ctrl-D exits\n");
	readline_init0();
	vstr_init(&MP_STATE_VM(py_rl_in), 16);
	vstr_init(&MP_STATE_VM(py_rl_keys), 16);
	MP_STATE_VM(py_rl_cr) = 0;
	for (;;) {
		vstr_t line;
		vstr_init(&line, 32);
		int r = py_repl_readline(&line, ">>> ");
		if (r == CHAR_CTRL_D && line.len == 0) {
			vstr_clear(&line);
			return 0;
		}
		if (r == CHAR_CTRL_C) {
			mp_hal_stdout_tx_str("KeyboardInterrupt\n");
			vstr_clear(&line);
			continue;
		}
		while (mp_repl_continue_with_input(vstr_null_terminated_str(&line))) {
			vstr_add_byte(&line, '\n');
			r = py_repl_readline(&line, "... ");
			if (r == CHAR_CTRL_D) { /* end of input, even inside a block: the end */
				vstr_clear(&line);
				return 0;
			}
			if (r == CHAR_CTRL_C)
				break;
		}
		if (r == CHAR_CTRL_C) {
			mp_hal_stdout_tx_str("KeyboardInterrupt\n");
			vstr_clear(&line);
			continue;
		}
		nlr_buf_t nlr;
		if (nlr_push(&nlr) == 0) {
			mp_lexer_t *lex = py_lexer(MP_QSTR__lt_stdin_gt_, line.buf, line.len);
			mp_parse_tree_t tree = mp_parse(lex, MP_PARSE_SINGLE_INPUT);
			mp_obj_t fun = mp_compile(&tree, lex->source_name, true);
			mp_call_function_0(fun);
			nlr_pop();
		} else {
			mp_obj_t exc = MP_OBJ_FROM_PTR(nlr.ret_val);
			if (mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(mp_obj_get_type(exc)), MP_OBJ_FROM_PTR(&mp_type_SystemExit))) {
				vstr_clear(&line);
				return status_of(exc);
			}
			mp_obj_print_exception(&py_err_print, exc);
		}
		vstr_clear(&line);
	}
}

/* set_argv: sys.argv from the system area (argv[0] is the program's path). */
static void set_argv(struct proc *p)
{
	uint32_t argc, argv[PXVM_ARGV_MAX];
	pxvm_read(&p->vm, PXVM_SYS_ARGC, &argc, 4);
	if (argc > PXVM_ARGV_MAX)
		argc = PXVM_ARGV_MAX;
	pxvm_read(&p->vm, PXVM_SYS_ARGV_ARR, argv, argc * 4);
	mp_obj_list_init(MP_OBJ_TO_PTR(mp_sys_argv), 0);
	for (uint32_t i = 0; i < argc; i++) {
		char word[PXVM_ARGSTR_SIZE];
		if (pxvm_read_str(&p->vm, argv[i], word, sizeof(word)) >= 0)
			mp_obj_list_append(mp_sys_argv, mp_obj_new_str(word, strlen(word)));
	}
}

void py_main(void)
{
	struct proc *p = py_current();
	mp_stack_ctrl_init();
	mp_stack_set_limit(py_stack_limit());
	gc_init(py_heap_block(0), (uint8_t *)py_heap_block(0) + PY_BLOCK_BYTES);
	for (uint32_t i = 1; i < PY_HEAP_BLOCKS; i++)
		gc_add(py_heap_block(i), (uint8_t *)py_heap_block(i) + PY_BLOCK_BYTES);
	int status = 1;
	nlr_buf_t nlr;
	if (nlr_push(&nlr) == 0) {
		mp_init();
		set_argv(p);
		mp_obj_list_append(mp_sys_path, MP_OBJ_NEW_QSTR(qstr_from_str("/apps")));
		mp_obj_list_append(mp_sys_path, MP_OBJ_NEW_QSTR(qstr_from_str("/lib")));
		nlr_pop();
		tty_intr(p, PXVM_INTR_CATCH); /* Ctrl-C is KeyboardInterrupt (py_interrupt); a second one ends the job */
		py_yield(); /* setting up took this quantum; the program starts in the next */
		status = py_exec_file(py_script());
	} else {
		mp_obj_print_exception(&py_err_print, MP_OBJ_FROM_PTR(nlr.ret_val));
	}
	mp_deinit();
	py_exit((uint32_t)status);
}
