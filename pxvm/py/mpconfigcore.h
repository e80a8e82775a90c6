/*
 * mpconfigcore.h — the choices of MicroPython's language and speed that
 * pxOS's Python guests (pxvm/py/mpconfigport.h, which includes this file)
 * and the unix port `make bench` compares them with
 * (tests/bench/mpy-unix/mpconfigvariant.h) share, so the two interpreters
 * differ only in their ports: ROM level, integers, floats, error texts,
 * the stack check and the VM's speed options. docs/python.md has the reasons.
 */
#ifndef PXVM_PY_MPCONFIGCORE_H
#define PXVM_PY_MPCONFIGCORE_H

#define MICROPY_CONFIG_ROM_LEVEL            (MICROPY_CONFIG_ROM_LEVEL_EXTRA_FEATURES)
#define MICROPY_ENABLE_COMPILER             (1)
#define MICROPY_ENABLE_GC                   (1)
#define MICROPY_ENABLE_SOURCE_LINE          (1)
#define MICROPY_ERROR_REPORTING             (MICROPY_ERROR_REPORTING_NORMAL)
#define MICROPY_STACK_CHECK                 (1)
#define MICROPY_KBD_EXCEPTION               (1)
#define MICROPY_LONGINT_IMPL                (MICROPY_LONGINT_IMPL_LONGLONG)
#define MICROPY_FLOAT_IMPL                  (MICROPY_FLOAT_IMPL_DOUBLE)
#define MICROPY_PY_BUILTINS_FLOAT           (1)
#define MICROPY_PY_MATH                     (1)
#define MICROPY_PY_CMATH                    (0)
#define MICROPY_PY_BUILTINS_COMPLEX         (0)
#define MICROPY_CPYTHON_COMPAT              (1)
#define MICROPY_WARNINGS                    (0)
#define MICROPY_OPT_COMPUTED_GOTO           (1)
#define MICROPY_OPT_LOAD_ATTR_FAST_PATH     (1)
#define MICROPY_OPT_MAP_LOOKUP_CACHE        (1)
#define MICROPY_OPT_CACHE_MAP_LOOKUP_IN_BYTECODE (1)

#endif /* PXVM_PY_MPCONFIGCORE_H */
