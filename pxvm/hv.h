/*
 * hv.h — the trap hypervisor: serves what guests ask for through the trap
 * interface at 0xF000 (abi.h PXVM_TRAP_*) or SYSCALL HVTRAP.
 * docs/hypervisor.md is the specification.
 *
 * A guest writes ARG0..ARG2, then the trap type into TRAP_FLAG; the store
 * makes pxvm_run return PXVM_RUN_TRAP and the scheduler calls hv_trap().
 * Short traps are served at once; LLM and oracle calls go to the platform
 * (pxhost_llm_submit) and block the process until hv_llm_reply().
 */
#ifndef PXVM_HV_H
#define PXVM_HV_H

#include <stdint.h>

struct proc;

/* hv_init: no request in flight. */
void hv_init(void);

/* hv_trap: serve the trap `p` raised in its trap page. Returns 1 when `p`
 * blocked (BLOCK_TRAP), 0 when RESULT is written and the flag cleared. */
int hv_trap(struct proc *p);

/* hv_syscall: SYSCALL HVTRAP (R1 = type, R2..R4 = ARG0..ARG2), result in R0.
 * Returns 1 when `p` blocked, else 0. */
int hv_syscall(struct proc *p);

/* hv_llm_reply: the platform's answer to request `id`: status 0 and `len`
 * bytes of text (a part when `more` is nonzero; parts are appended), or a
 * negative -PXE_E* status (TIMEDOUT, IO, NOBRIDGE). */
void hv_llm_reply(uint32_t id, int status, const char *text, uint32_t len, int more);

/* hv_llm_alive: a keep-alive for request `id` (the model is still working). */
void hv_llm_alive(uint32_t id);

/* hv_proc_gone: `p` ended or was killed; drop and cancel its requests. */
void hv_proc_gone(const struct proc *p);

/* hv_poll: expire requests past their deadline (called with the clock). */
void hv_poll(uint64_t now_us);

#endif /* PXVM_HV_H */
