/*
 * mpconfigport.h — MicroPython's configuration for pxOS's Python guests
 * (docs/python.md). The same file builds the runtime into the kernel
 * (freestanding, SSE on for these objects only), into pxsim and the tests
 * (hosted), and the unix port `make bench` compares against
 * (tests/bench/mpy-unix/mpconfigvariant.h includes it).
 *
 * Choices and why:
 * - ROM level EXTRA_FEATURES: f-strings, str.format, generators, classes,
 *   set, slices, tracebacks with line numbers, KeyboardInterrupt,
 *   MICROPY_STACK_CHECK (RecursionError instead of a C stack overflow).
 * - Integers are 64-bit (LONGINT_IMPL_LONGLONG): an overflow raises
 *   OverflowError. So no integer operation costs more than a few
 *   instructions: big integers would let one bytecode (10**10**6) hold the
 *   CPU for seconds, past the 100 ms input bound (docs/isolation.md).
 * - Floats are doubles (the pxos API returns them: sample_noise).
 * - Preemption: every backward branch and every return takes one unit off the
 *   process's budget (MICROPY_VM_HOOK_LOOP / _RETURN), and so does every
 *   step of an iteration in C (mp_iternext, wrapped at link time: sum(),
 *   max(), any() over a huge range); at 0 the process gives up the CPU in
 *   the middle of whatever it was doing (pxvm/py/pyproc.h).
 * - The heap is split into PY_HEAP_BLOCKS areas of 64 KiB (the platform's
 *   memory block), MICROPY_GC_SPLIT_HEAP.
 */
#ifndef PXVM_PY_MPCONFIGPORT_H
#define PXVM_PY_MPCONFIGPORT_H

#include <stdint.h>
#include <alloca.h>
#include "mpconfigcore.h" /* the language and speed choices, shared with make bench's unix port */

#define MICROPY_GC_SPLIT_HEAP               (1)
#define MICROPY_HELPER_REPL                 (1)
#define MICROPY_REPL_AUTO_INDENT            (0) /* pasted or scripted lines keep their own indentation */
#define MICROPY_ENABLE_EXTERNAL_IMPORT      (1)
#define MICROPY_READER_VFS                  (0)
#define MICROPY_ENABLE_SCHEDULER            (0)
#define MICROPY_PY_BUILTINS_INPUT           (1)
#define MICROPY_PY_BUILTINS_HELP            (0)
#define MICROPY_PY_IO                       (0)
#define MICROPY_PY_SYS                      (1)
#define MICROPY_PY_SYS_ARGV                 (1)
#define MICROPY_PY_SYS_EXIT                 (1)
#define MICROPY_PY_SYS_PATH                 (1)
#define MICROPY_PY_SYS_STDFILES             (0)
#define MICROPY_PY_SYS_MODULES              (1)
#define MICROPY_PY_THREAD                   (0)
#define MICROPY_PY_MICROPYTHON_MEM_INFO     (1)
#define MICROPY_PY_GC                       (1)
#define MICROPY_PY_ARRAY                    (1)
#define MICROPY_PY_COLLECTIONS              (1)
#define MICROPY_PY_STRUCT                   (1)
#define MICROPY_PY_ATTRTUPLE                (1)
#define MICROPY_USE_INTERNAL_PRINTF         (0)
#define MICROPY_USE_INTERNAL_ERRNO          (1)
#define MICROPY_PY_ERRNO                    (0)
#define MICROPY_MODULE_FROZEN               (0)
#define MICROPY_VFS                         (0)
#define MICROPY_PERSISTENT_CODE_LOAD        (0)
#define MICROPY_ENABLE_FINALISER            (0)
#define MICROPY_PY_UCTYPES                  (0)
#define MICROPY_FLOAT_USE_NATIVE_FLT16      (0)

/* Preemption and the console (pxvm/py/pyproc.c). */
extern int32_t py_budget;
void py_budget_spent(void);
#define MICROPY_VM_HOOK_LOOP   { if (--py_budget <= 0) py_budget_spent(); }
#define MICROPY_VM_HOOK_RETURN { if (--py_budget <= 0) py_budget_spent(); }

/* input() reads a line through the process's console (pxvm/py/pyport.c). */
#define mp_hal_readline py_readline
struct _vstr_t;
int py_readline(struct _vstr_t *line, const char *prompt);

typedef intptr_t mp_int_t;   /* pointer size */
typedef uintptr_t mp_uint_t; /* pointer size */
typedef long mp_off_t;

#define MICROPY_MPHALPORT_H "pxvm/py/mphalport.h"
#define MICROPY_HW_BOARD_NAME "pxOS"
#define MICROPY_HW_MCU_NAME "pxVM"
#define MICROPY_PY_SYS_PLATFORM "pxos"
#define MICROPY_BANNER_MACHINE "pxOS with pxVM"

#define MP_STATE_PORT MP_STATE_VM

/* open() over pxOS's files (pxvm/py/pyfile.c); RecursionError, CPython's
 * name for what MicroPython raises as RuntimeError("maximum recursion depth
 * exceeded"), as another name of RuntimeError; exit(), CPython's REPL
 * helper, as sys.exit. */
#define MICROPY_PORT_BUILTINS \
	{ MP_ROM_QSTR(MP_QSTR_open), MP_ROM_PTR(&py_open_obj) }, \
	{ MP_ROM_QSTR(MP_QSTR_exit), MP_ROM_PTR(&mp_sys_exit_obj) }, \
	{ MP_ROM_QSTR(MP_QSTR_RecursionError), MP_ROM_PTR(&mp_type_RuntimeError) },
extern const struct _mp_obj_fun_builtin_var_t py_open_obj;

#endif /* PXVM_PY_MPCONFIGPORT_H */
