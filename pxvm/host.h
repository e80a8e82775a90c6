/*
 * host.h — the one interface between pxvm/ and the platform it runs on:
 * output, time, memory, log, input and idle, the LLM backend, and the display.
 *
 * The kernel implements it in kernel/pxhost.c (and kernel/bridge.c for the
 * LLM calls), the host simulator in tools/pxsim/host.c, the benchmark in
 * tests/bench/pxbench.c and the unit tests in tests/unit/sched_testhost.c;
 * nothing else in pxvm/ knows which one it runs on. Every layer of pxvm may
 * call these (tests/layers.txt allows pxhost_*).
 */
#ifndef PXVM_HOST_H
#define PXVM_HOST_H

#include <stdint.h>
#include <stddef.h>

/* ---- Output, time, memory, log --------------------------------------------- */

/* pxhost_output: bytes a process wrote to stdout (fd 1) or stderr (fd 2);
 * pid 0 is the console's own echo. Returns how many of the `n` bytes the
 * platform took: all of them, or fewer when its output is full (a slow
 * serial line): the console (pxvm/tty.c) then blocks the writer and calls
 * pxhost_output_wait. The echo (pid 0) is always taken whole. Never waits. */
size_t pxhost_output(uint32_t pid, int fd, const char *s, size_t n);

/* pxhost_output_wait: output was refused for want of room: call
 * tty_output_ready() from pxhost_poll once there is room again (one call
 * however often this is asked before it). */
void pxhost_output_wait(void);

/* pxhost_time_us: microseconds since boot. */
uint64_t pxhost_time_us(void);

/* pxhost_mem_alloc / pxhost_mem_free: one block of PXVM_MEM_ALLOC_WORDS
 * 32-bit words, 8-byte aligned (a process's memory, a canvas layer, a RAM
 * file); NULL when out of memory. Freeing NULL does nothing. */
uint32_t *pxhost_mem_alloc(void);
void pxhost_mem_free(uint32_t *mem);

/* pxhost_fixed_alloc / pxhost_fixed_free: one block of PXVM_MEM_ALLOC_WORDS
 * 32-bit words, zeroed, 16-byte aligned (page-aligned where the platform
 * places blocks), for state that holds native pointers
 * (a Python process's pixel memory, C stack and heap: pxvm/py/pyproc.h).
 * `at` 0: a block wherever the platform keeps them (the same places in every
 * run of one build on one machine, as far as it can: the kernel's arena, a
 * fixed range in pxsim); `at` nonzero: the block at exactly that address
 * (one this call handed out in an earlier run: a snapshot's), NULL when it
 * is in use or the platform cannot place blocks. NULL when out of memory.
 * Freeing NULL does nothing. */
void *pxhost_fixed_alloc(uintptr_t at);
void pxhost_fixed_free(void *mem);

/* pxhost_code_id: the identity of the running binary's code: CRC-32 (ISO-HDLC)
 * of its text and read-only data, computed once; 0 when the platform cannot
 * tell (then state that needs the identical build is never resumed). */
uint32_t pxhost_code_id(void);

/* pxhost_log: a kernel log line from the process core (level as in
 * kernel/klog.h: 0 debug, 1 info, 2 warn, 3 error). */
void pxhost_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* pxhost_klog_read: up to `len` bytes of the kernel log's kept lines from
 * position `from` into dst (pxvm/logring.h logring_read: an old position
 * reads from the oldest kept line); *next = the position after them. Returns
 * the bytes copied. The platform keeps the lines it logs (KLOG_KEEP bytes). */
size_t pxhost_klog_read(uint32_t from, char *dst, size_t len, uint32_t *next);

/* pxhost_panic: an invariant of the process core is broken (a bug, never a
 * guest's doing): stop with `why` ("func: reason"). Does not return. */
void pxhost_panic(const char *why) __attribute__((noreturn));

/* ---- Input and idle ------------------------------------------------------------ */

/* pxhost_poll: called by the scheduler between quanta. The platform moves
 * pending input (keyboard, serial bytes, bridge frames) into pxvm/tty.h and
 * pxvm/hv.h, runs its timers and redraws what it shows of the process table
 * at its frame rate. Cheap when nothing happened. */
void pxhost_poll(void);

/* pxhost_idle: nothing is runnable but processes are blocked. Wait until
 * something may have changed (an interrupt, input) or the clock reaches
 * `until_us` (pxhost_time_us; 0 = no deadline), then return 0. Return -1 when
 * nothing can ever wake a process (a host simulator out of scripted input with
 * no deadline): the scheduler then returns. */
int pxhost_idle(uint64_t until_us);

/* ---- The LLM backend -------------------------------------------------------------- */

/* pxhost_llm_submit: send LLM request `id` (kind: PXVM_TRAP_CALL_LLM,
 * PXVM_TRAP_ORACLE or PXVM_TRAP_LLM_CHAT; model: the guest's model id as a
 * string; max_tokens: the answer's length limit, 0 = the platform's default)
 * to whatever answers on this platform (kernel: the serial bridge;
 * simulator: its scripted backend). `body` is `len` bytes: the prompt, or for
 * LLM_CHAT a conversation (pxvm/frame.h frame_chat_*). The platform copies
 * what fits its first frame at once and may read the rest later: `body` must
 * stay valid until the call ends (its last hv_llm_reply, or
 * pxhost_llm_cancel). Returns 0 when sent, or -PXE_E* (NOBRIDGE, BUSY, IO).
 * The answer arrives later through hv_llm_reply(). */
int pxhost_llm_submit(uint32_t id, uint32_t kind, const char *model, uint32_t max_tokens, const char *body,
                      uint32_t len);

/* pxhost_snapshot: process `pid` asked for a snapshot (SNAPSHOT): the
 * platform takes it at its next poll, between quanta (pxvm/snap.h,
 * docs/snapshots.md) and sends or writes it in the background. 0, or
 * -PXE_ENOBRIDGE (nowhere to send it), -PXE_EBUSY (one is on its way). */
int pxhost_snapshot(uint32_t pid);

/* pxhost_llm_cancel: request `id` is no longer wanted (the guest ended). */
void pxhost_llm_cancel(uint32_t id);

/* ---- The display ------------------------------------------------------------------ *
 * A platform with a screen shows the `nslots` visible slots it gave
 * sched_init; pxvm/view.h decides which process each shows. Each slot has a
 * tile and a canvas of PXVM_TILE_W x PXVM_TILE_H pixels; a tile is exactly a
 * process's 64 KiB, word i being pixel (i % 128, i / 128). With no screen
 * (0 slots) these are never called. `rows` marks the rows to copy (2 x 64
 * bits, bit y = row y); `words` is PXVM_TILE_W x PXVM_TILE_H pixel words,
 * 0x00BBGGRR, row by row. */

/* pxhost_show_tile: copy the marked rows of `words` into slot `slot`'s tile;
 * `words` NULL: clear them (the slot shows nobody). */
void pxhost_show_tile(uint32_t slot, const uint32_t *words, const uint64_t rows[2]);

/* pxhost_show_canvas: copy the marked rows of `words` into slot `slot`'s
 * canvas; `words` NULL: fill them with CANVAS_BG (pxvm/canvas.h), a canvas
 * never drawn on. */
void pxhost_show_canvas(uint32_t slot, const uint32_t *words, const uint64_t rows[2]);

#endif /* PXVM_HOST_H */
