/*
 * pymod.h — what the parts of the Python runtime that run on a Python
 * process's stack share (pymain.c, modpxos.c, pyfile.c).
 */
#ifndef PXVM_PY_PYMOD_H
#define PXVM_PY_PYMOD_H

#include <stddef.h>
#include "py/obj.h"
#include "py/lexer.h"
#include "py/mpprint.h"
#include "pxvm/proc.h"

/* py_err_print: MicroPython's printer for the process's stderr. */
extern const mp_print_t py_err_print;

/* py_raise_pxe: raise OSError(e, its text) for pxOS error `e` (-PXE_E* or
 * PXE_E*: the errno is the positive code, pxos.E* names them). */
void py_raise_pxe(int e) __attribute__((noreturn));

/* py_check: `r` when it is not an error (>= 0), else raise it. */
int py_check(int r);

/* py_console_read: READ a line of console input (fd 0) into the process's
 * bridge buffer (PY_BRIDGE_BASE), blocking until there is one: its length
 * (with the '\n'), 0 at end of input, or -PXE_E*. */
int py_console_read(struct proc *p);

/* py_read_file: the whole file at `path` copied into the heap (*len bytes);
 * raises OSError or MemoryError. */
char *py_read_file(const char *path, size_t *len);

/* py_exec_file: run the file at `path` as the program (__main__): 0, or the
 * exit status an uncaught exception gives (its traceback printed on stderr;
 * SystemExit: its code). */
int py_exec_file(const char *path);

/* py_exec_main: py_exec_file with the globals made a fresh __main__ first
 * (the `python` launcher running a program in its own process). */
int py_exec_main(const char *path);

/* py_repl: the read-eval-print loop on the console; returns the exit status
 * (0 at end of input, SystemExit's code). */
int py_repl(void);

/* py_lexer: a lexer over the `len` bytes at `buf` (kept alive by the
 * caller), named `name`, that takes budget as it reads (pymain.c): every
 * program and REPL line is compiled through it. Raises MemoryError. */
mp_lexer_t *py_lexer(qstr name, const char *buf, size_t len);

/* The builtin open() over the pxOS files (pyfile.c). */
extern const mp_obj_fun_builtin_var_t py_open_obj;

#endif /* PXVM_PY_PYMOD_H */
