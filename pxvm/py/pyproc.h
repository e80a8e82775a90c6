/*
 * pyproc.h — Python guests as a process kind (struct proc_ops, pxvm/proc.h):
 * MicroPython (fetched and built by pxvm/py/build.mk) running a script or
 * the REPL, one interpreter per process. docs/python.md is the manual.
 *
 * What a Python process is made of (all from pxhost_mem_alloc blocks):
 *   - its pixel memory, p->vm.mem, 64 KiB laid out like a pxVM process's
 *     and shown in its tile (PY_* addresses below): the system area (pid,
 *     parent, argv: sys.argv), a window onto its heap, the data area of
 *     pxos.read_bytes & co. (seed 000's guest region from 0x5000), the
 *     bridge buffer where the pxos module puts the bytes of a system call
 *     (a prompt, a reply, file bytes), and the trap page the module raises
 *     the hypervisor's traps in;
 *   - a C stack of its own (one block), at whose bottom the kind keeps its
 *     state (struct py_state): the saved stack pointer, the FPU/SSE state
 *     (FXSAVE), MicroPython's global state (mp_state_ctx) while another
 *     process runs, and a guard checked at every switch;
 *   - its heap: PY_HEAP_BLOCKS blocks, MicroPython's split GC heap.
 * The tile is a window onto the heap: the heap is larger than 64 KiB, so the
 * first PY_WINDOW_SIZE bytes of it (the GC's allocation table, then the first
 * objects) are copied into the tile at most every PY_MIRROR_US (the frame
 * rate: heap writes do not go through the VM's dirty rows).
 *
 * Running: the kind's run operation switches from the scheduler's stack to
 * the process's (py_switch, kernel/pyswitch.asm, with the process's FXSAVE
 * image loaded), MicroPython runs until its budget of hooks is spent (a
 * backward branch, a return, a step of an iteration in C: py_budget), a
 * pxos call blocks (sleep, wait, call_llm, input: the call stays on the
 * process's stack while others run), or the program ends; then it switches
 * back. So a Python process can block in the middle of a C call and the
 * scheduler runs the others, like any pxVM process.
 */
#ifndef PXVM_PY_PYPROC_H
#define PXVM_PY_PYPROC_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "pxvm/proc.h"

/* Pixel memory (p->vm.mem) of a Python process, byte addresses. */
#define PY_WINDOW_BASE  0x0200u  /* heap window, to PY_DATA_BASE */
#define PY_WINDOW_SIZE  (PY_DATA_BASE - PY_WINDOW_BASE)
#define PY_DATA_BASE    0x5000u  /* pxos.read_bytes & co.: the data area (seed 000: 0x5000-) */
#define PY_DATA_END     0xC000u
#define PY_BRIDGE_BASE  0xC000u  /* the bridge buffer: a call's bytes */
#define PY_PROMPT_CAP   0x1001u  /* a prompt of HV_PROMPT_MAX bytes and its NUL, at PY_BRIDGE_BASE */
#define PY_REPLY_BASE   0xD004u  /* a reply (call_llm), to the trap page */
#define PY_BRIDGE_END   0xF000u  /* the trap page (abi.h PXVM_TRAP_*) */

/* The Python kind's operations, named "python" (proc_kind_find). */
extern const struct proc_ops proc_python_ops;

/* py_proc_init: register the Python kind with the process table (after
 * sched_init, which empties the registry): spawning a .py file, or a file
 * whose first line is a "#!...python" line, starts a Python process; the
 * hypervisor's RUN_PYTHON finds it by name. */
void py_proc_init(void);

/* ---- used by the code running on a Python process's stack ------------------ */

/* py_current: the Python process running now (on its own stack), or NULL
 * when the scheduler's stack runs. */
struct proc *py_current(void);

/* py_budget: hooks left in this quantum (mpconfigport.h decrements it). */
extern int32_t py_budget;

/* py_budget_spent: the budget is used up: give the CPU back to the scheduler
 * (the process stays runnable) and return when it is next run. */
void py_budget_spent(void);

/* py_charge: `n` more units off the budget (the cost of a pxos call that does
 * work for its arguments, as system calls are charged: pxvm/syscall.c). */
void py_charge(uint64_t n);

/* py_block: the running Python process has just been blocked by a service
 * (proc_block: sleep, wait, read, IPC, a trap): give the CPU back and
 * return when it has been woken and is run again; its p->vm.r[] then hold
 * the service's result, as for a pxVM process. */
void py_block(void);

/* py_interrupt: Ctrl-C came while the running Python process computed
 * (pxvm/tty.h INTR_TAKE, looked at every refill of the budget): raise
 * KeyboardInterrupt at its next bytecode boundary (pymain.c). */
void py_interrupt(void);

/* py_yield: give up the rest of the quantum (stays runnable). */
void py_yield(void);

/* py_exit: the program ends with `status` (0..255, or PXVM_STATUS_KILLED when
 * it killed itself): switch back for good
 * (the scheduler ends the process; its stack is freed). */
void py_exit(uint32_t status) __attribute__((noreturn));

/* py_stack_limit: bytes of the process's C stack MicroPython may use before
 * it raises RecursionError (the rest is margin for interrupts and calls
 * made without a check). */
size_t py_stack_limit(void);

/* py_heap_block: heap block `i` (0..PY_HEAP_BLOCKS-1) of the running
 * process, and the bytes of each. */
void *py_heap_block(uint32_t i);
#define PY_BLOCK_BYTES (PXVM_MEM_ALLOC_WORDS * 4u)

/* py_args: how the running process was started: the program's path (its
 * script; "" for the REPL) — sys.argv comes from the system area. */
const char *py_script(void);

/* ---- the stack switch (kernel/pyswitch.asm) ------------------------------- */

/* py_switch: store the stack pointer in *save_sp (the callee-saved registers
 * pushed, and FXSAVE into fx_save when not NULL), continue on new_sp
 * (FXRSTOR from fx_load when not NULL). Returns when someone switches back. */
void py_switch(void **save_sp, void *new_sp, void *fx_save, const void *fx_load);

/* ---- the interpreter's side (pxvm/py/pymain.c, built with SSE) ------------ */

/* py_main: the first function of a Python process's stack: sets up the
 * interpreter on the process's heap, runs its script or the REPL, and ends
 * the process with py_exit. */
void py_main(void) __attribute__((noreturn));

/* The size of MicroPython's global state, and its swap: py_state_save copies
 * the live state out into `dst`, py_state_load a saved one in. */
extern const size_t py_state_size;
void py_state_save(void *dst);
void py_state_load(const void *src);

#endif /* PXVM_PY_PYPROC_H */
