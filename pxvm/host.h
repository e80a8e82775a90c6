/*
 * host.h — what the scheduler and the system calls need from the platform they
 * run on. The kernel implements these in kernel/pxhost.c, the host runner in
 * tools/pxsim; nothing else in pxvm/ knows which one it is.
 */
#ifndef PXVM_HOST_H
#define PXVM_HOST_H

#include <stdint.h>
#include <stddef.h>

/* pxhost_output: bytes a process wrote to stdout (fd 1) or stderr (fd 2). */
void pxhost_output(uint32_t pid, int fd, const char *s, size_t n);

/* pxhost_time_us: microseconds since boot. */
uint64_t pxhost_time_us(void);

/* pxhost_mem_alloc / pxhost_mem_free: memory for one process's RAM shadow,
 * PXVM_MEM_ALLOC_WORDS 32-bit words, 8-byte aligned; NULL when out of memory. */
uint32_t *pxhost_mem_alloc(void);
void pxhost_mem_free(uint32_t *mem);

/* pxhost_log: a kernel log line from the scheduler (level as in kernel/klog.h:
 * 0 debug, 1 info, 2 warn, 3 error). */
void pxhost_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* pxhost_poll: called by the scheduler between quanta. The platform moves
 * pending input (keyboard, serial bytes, bridge frames) into pxvm/tty.h and
 * pxvm/hv.h and runs its timers. Cheap when nothing happened. */
void pxhost_poll(void);

/* pxhost_idle: nothing is runnable but processes are blocked. Wait until
 * something may have changed (an interrupt, input) or the clock reaches
 * `until_us` (pxhost_time_us; 0 = no deadline), then return 0. Return -1 when
 * nothing can ever wake a process (a host simulator out of scripted input with
 * no deadline): the scheduler then returns. */
int pxhost_idle(uint64_t until_us);

/* pxhost_llm_submit: send LLM request `id` (kind: PXVM_TRAP_CALL_LLM or
 * PXVM_TRAP_ORACLE; model: the guest's model id as a string; prompt: `len`
 * bytes) to whatever answers on this platform (kernel: the serial bridge;
 * simulator: its scripted/offline backend). Returns 0 when sent, or -PXE_E*
 * (NOBRIDGE, BUSY, IO). The answer arrives later through hv_llm_reply(). */
int pxhost_llm_submit(uint32_t id, uint32_t kind, const char *model, const char *prompt, uint32_t len);

/* pxhost_llm_cancel: request `id` is no longer wanted (the guest ended). */
void pxhost_llm_cancel(uint32_t id);

#endif /* PXVM_HOST_H */
