/*
 * debug.h — breakpoints of the debug monitor (portable; used by kernel/monitor.c
 * and unit-tested on the host).
 *
 * A breakpoint is a word of a live process's memory replaced by BRK
 * (DEBUG_BRK_WORD); the original word is kept in a table (at most DEBUG_BP_MAX in
 * all, DEBUG_BP_PER_PROC per process, kernel/param.h). When the process
 * executes such a BRK, the scheduler's fault path asks debug_fault_stop(), which
 * turns the fault into a stop: the process stays alive, BLOCKED in
 * BLOCK_DEBUG with pc at the breakpoint, and is queued for the monitor
 * (debug_next_hit). A BRK the program itself contains still faults and ends it.
 * sched_step_over() runs the original instruction (debug_step_begin lifts
 * the breakpoint, the scheduler single-steps, debug_step_end re-inserts it),
 * which is how `step` and `continue` leave a breakpoint.
 *
 * The monitor shows memory through debug_word()/debug_read(), so `mem` and `dis`
 * show the original words. The words are restored when a breakpoint is
 * deleted and when the process ends or execs (its breakpoints are dropped);
 * a forked child gets the original words (its parent's breakpoints are not
 * inherited). Limits: the program itself reading a patched word (LOAD of its
 * own code) sees BRK; a breakpoint is refused on the data word of an IMM32.
 */
#ifndef PXVM_DEBUG_H
#define PXVM_DEBUG_H

#include <stdint.h>
#include <stdbool.h>
#include "proc.h"

/* The word a breakpoint puts in memory: BRK with zero operands. */
#define DEBUG_BRK_WORD ((uint32_t)PXVM_OP_BRK)

/* debug_init: forget every breakpoint and pending hit, and register
 * debug_proc_gone as a teardown hook (sched_init calls it). */
void debug_init(void);

/* debug_break_set: put a breakpoint on the word at byte address `addr` of live
 * (RUNNABLE or BLOCKED) process `p`. Returns 0, or -PXE_E*: SRCH (`p` not
 * live), INVAL (addr not 4-aligned, outside 0..PXVM_MEM_SIZE-4, or the data
 * word of an IMM32), EXIST (already set), NOSPC (DEBUG_BP_PER_PROC for `p` or
 * DEBUG_BP_MAX in all). */
int debug_break_set(struct proc *p, uint32_t addr);

/* debug_break_delete: remove the breakpoint of process `pid` at `addr`,
 * restoring the original word (unless the program has since stored another
 * word there). A process stopped at it stays stopped until step/continue.
 * Returns 0 or -PXE_ENOENT. */
int debug_break_delete(uint32_t pid, uint32_t addr);

/* debug_break_count: breakpoints set now (all processes). */
uint32_t debug_break_count(void);

/* debug_break_get: breakpoint `i` (0 <= i < debug_break_count(), in the order
 * they were set): its pid, address and original word. Returns 0, or
 * -PXE_ERANGE (pxvm/abi.h) past the end. */
int debug_break_get(uint32_t i, uint32_t *pid, uint32_t *addr, uint32_t *orig);

/* debug_is_break: whether `p` has a breakpoint at `addr`. */
bool debug_is_break(const struct proc *p, uint32_t addr);

/* debug_word: the word at 4-aligned `addr` (< PXVM_MEM_SIZE) of `p` as the
 * program has it: the original word where a breakpoint is inserted. */
uint32_t debug_word(const struct proc *p, uint32_t addr);

/* debug_read: copy `len` bytes of `p`'s memory from `addr` (the range must lie
 * inside PXVM_MEM_SIZE) into `dst`, original words in place of breakpoints. */
void debug_read(const struct proc *p, uint32_t addr, uint8_t *dst, uint32_t len);

/* debug_fault_stop: the scheduler's hook for a process `p` that has just
 * faulted. When the fault is a BRK at one of p's breakpoints (and p is not
 * being stepped over it), clear the fault, leave pc at the breakpoint, do not
 * count the BRK as an instruction, make p BLOCKED in BLOCK_DEBUG, queue it
 * for debug_next_hit and return true. Otherwise change nothing and return false
 * (the fault ends the process as before). */
bool debug_fault_stop(struct proc *p);

/* debug_stopped: whether `p` is stopped by the debugger (BLOCKED in BLOCK_DEBUG). */
bool debug_stopped(const struct proc *p);

/* debug_step_begin: the monitor is about to run one instruction of `p`, the
 * program's own (sched_step_over): a breakpoint at p's pc is lifted (the
 * original word put back) and a BRK that instruction executes is not taken for
 * a breakpoint hit. */
void debug_step_begin(struct proc *p);

/* debug_step_end: that instruction has run: the lifted breakpoint goes back
 * in (if p is still alive; a word the instruction stored there becomes the
 * new original). */
void debug_step_end(struct proc *p);

/* debug_next_hit: a process that stopped at a breakpoint and has not been
 * reported yet (each is returned once), or NULL. */
struct proc *debug_next_hit(void);

/* debug_fork: child `c` was copied from `parent`: put the original words back
 * in c's memory where parent has breakpoints. */
void debug_fork(const struct proc *parent, struct proc *c);

/* debug_proc_gone: `p` ends or replaces its image: drop its breakpoints
 * (restoring the words while its memory is there) and its pending hit. */
void debug_proc_gone(struct proc *p);

struct snapw;
struct snapr;
/* debug_snap_save / debug_snap_load: the breakpoints and the pending hits as section DBUG v1
 * (pxvm/snap.h); load with `apply` false only checks, true loads into the
 * module just reset by its init. 0 or -PXE_EINVAL. */
void debug_snap_save(struct snapw *w);
int debug_snap_load(struct snapr *r, bool apply);

#endif /* PXVM_DEBUG_H */
