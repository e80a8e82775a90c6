/*
 * hv.c — the trap hypervisor; see hv.h and docs/hypervisor.md.
 *
 * Baseline: every trap type answers -PXE_ENOSYS in RESULT and the flag is
 * cleared, so a guest that traps is told plainly that nothing serves it.
 */
#include "hv.h"
#include "sched.h"
#include "port.h"

void hv_init(void) {}

static void finish(struct proc *p, uint32_t result)
{
	uint8_t zero = 0;
	pxvm_write(&p->vm, PXVM_TRAP_RESULT, &result, 4);
	pxvm_write(&p->vm, PXVM_TRAP_FLAG, &zero, 1);
}

int hv_trap(struct proc *p)
{
	finish(p, (uint32_t)-PXE_ENOSYS);
	return 0;
}

int hv_syscall(struct proc *p)
{
	p->vm.r[0] = (uint32_t)-PXE_ENOSYS;
	return 0;
}

void hv_llm_reply(uint32_t id, int status, const char *text, uint32_t len, int more)
{
	(void)id; (void)status; (void)text; (void)len; (void)more;
}

void hv_llm_alive(uint32_t id) { (void)id; }
void hv_proc_gone(const struct proc *p) { (void)p; }
void hv_poll(uint64_t now_us) { (void)now_us; }
