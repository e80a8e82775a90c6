/*
 * mpconfigvariant.h — MicroPython's unix port as `make bench` builds it
 * (tests/bench/build.mk), from the same fetched source as pxOS's Python
 * guests and with the same language and speed choices
 * (pxvm/py/mpconfigcore.h): what pxOS's interpreter is compared with.
 * The port's own parts (files, the terminal, the heap's size) stay the
 * unix port's; no budget hook (pxOS's figures include its hook).
 */
#include "pxvm/py/mpconfigcore.h"

/* The unix port's main.c reads its -v flag (as its standard variant). */
#define MICROPY_DEBUG_PRINTERS (1)
