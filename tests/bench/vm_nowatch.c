/*
 * vm_nowatch.c — pxvm/vm.c built without watching and imperfect mode
 * (PXVM_WATCH_NONE): pxvm_run is the plain run loop alone, with no test of
 * vm->watch or vm->imp per run. Only pxbench-nowatch links it, so that `make
 * bench` can set the interpreter every process runs (watching off) beside
 * one that has no watching at all (docs/performance.md, "Watching off").
 */
#define PXVM_WATCH_NONE 1
#include "pxvm/vm.c"
