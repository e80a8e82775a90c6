/*
 * proc_pxvm.c — the pxVM process kind; see proc_pxvm.h.
 */
#include "proc_pxvm.h"
#include "disasm.h"
#include "host.h"
#include "watch.h"
#include "port.h"

static pxvm_syscall_fn syscall_hook;

void proc_pxvm_set_syscall(pxvm_syscall_fn fn) { syscall_hook = fn; }

/* proc_sysarea: the system area (0x100..0x1FF) for a program started as
 * `path` with `args`: pid, ppid, ABI version, argc and argv (argv[0] = path),
 * into area (256 bytes, zeroed here). Returns 0, -PXE_E2BIG for more than
 * PXVM_ARGV_MAX words (the path included), or -PXE_ENAMETOOLONG when the
 * words do not fit the argument area. */
int proc_sysarea(uint8_t *area, const char *path, const char *args, uint32_t pid, uint32_t ppid)
{
	uint32_t argv[PXVM_ARGV_MAX];
	uint32_t argc = 0, off = PXVM_SYS_ARGSTR;
	const uint32_t end = PXVM_SYS_ARGSTR + PXVM_ARGSTR_SIZE;
	const char *s = path;
	int first = 1;
	memset(area, 0, 0x100);
	uint8_t *m = area - PXVM_SYSAREA; /* index by guest address */
	for (;;) {
		while (!first && *s == ' ')
			s++;
		if (!*s) {
			if (!first)
				break;
			first = 0;
			s = args ? args : "";
			continue;
		}
		if (argc == PXVM_ARGV_MAX)
			return -PXE_E2BIG;
		argv[argc++] = off;
		while (*s && (first || *s != ' ')) {
			if (off + 1 >= end)
				return -PXE_ENAMETOOLONG;
			m[off++] = (uint8_t)*s++;
		}
		m[off++] = 0;
		if (first) {
			first = 0;
			s = args ? args : "";
		}
	}
	uint32_t words[5] = { pid, ppid, argc, PXVM_SYS_ARGV_ARR, PXVM_ABI_VERSION };
	memcpy(m + PXVM_SYS_PID, words, sizeof(words));
	memcpy(m + PXVM_SYS_ARGV_ARR, argv, argc * 4);
	return 0;
}

/* fresh: p's VM reset over its memory (zeroed), hooked to the system calls.
 * What belongs to the process rather than to its image stays: its random
 * stream, its imperfect mode (with the flip count) and its watching (which
 * forgets what it saw). */
static void fresh(struct proc *p)
{
	struct rng_stream rng = p->vm.rng;
	struct pxvm_imperfect imp = p->vm.imp;
	struct pxvm_watch *watch = p->vm.watch;
	uint64_t steps = p->vm.steps;
	pxvm_init(&p->vm, p->vm.mem);
	p->vm.syscall = syscall_hook;
	p->vm.user = p;
	p->vm.rng = rng;
	p->vm.imp = imp;
	p->vm.watch = watch;
	if (imp.rate)
		p->vm.imp.next = imp.next - steps; /* steps restart at 0 (the caller may restore them) */
	if (watch)
		watch_reset(watch);
}

static bool pxvm_probe(const struct proc_image *img)
{
	uint32_t magic;
	if (img->size < sizeof(magic))
		return false;
	memcpy(&magic, img->data, sizeof(magic));
	return magic == PXE_MAGIC;
}

static int pxvm_alloc(struct proc *p)
{
	p->vm.mem = pxhost_mem_alloc();
	if (!p->vm.mem)
		return -PXE_ENOMEM;
	fresh(p);
	return 0;
}

static void pxvm_release(struct proc *p)
{
	pxhost_mem_free(p->vm.mem);
	p->vm.mem = 0;
	pxhost_mem_free((uint32_t *)p->vm.watch);
	p->vm.watch = 0;
}

int proc_pxvm_watch(struct proc *p, uint32_t flags)
{
	if (p->ops != &proc_pxvm_ops || !p->vm.mem || (flags & ~WATCH_ALL))
		return -PXE_EINVAL;
	if (!flags) {
		pxhost_mem_free((uint32_t *)p->vm.watch);
		p->vm.watch = 0;
		return 0;
	}
	if (!p->vm.watch) {
		uint32_t *block = pxhost_mem_alloc();
		if (!block)
			return -PXE_ENOMEM;
		p->vm.watch = (struct pxvm_watch *)(void *)block;
		watch_init(p->vm.watch, flags);
	}
	p->vm.watch->flags = flags;
	return 0;
}

static int pxvm_check(const struct proc *p, const struct proc_image *img)
{
	const char *why;
	uint8_t area[0x100];
	if (pxvm_check_pxe(img->data, img->size, &why) != 0) {
		pxhost_log(2, "spawn %s: malformed program: %s", img->path, why);
		return -PXE_ENOEXEC;
	}
	return proc_sysarea(area, img->path, img->args, p->pid, p->ppid);
}

static void pxvm_load(struct proc *p, const struct proc_image *img)
{
	uint8_t area[0x100];
	uint64_t steps = p->vm.steps;
	proc_sysarea(area, img->path, img->args, p->pid, p->ppid); /* fits: checked */
	fresh(p);
	p->vm.steps = steps;
	p->vm.imp.next += steps;
	pxvm_load_pxe(&p->vm, img->data, img->size, 0);
	pxvm_write(&p->vm, PXVM_SYSAREA, area, sizeof(area));
	const char *base = img->path;
	for (const char *c = img->path; *c; c++)
		if (*c == '/')
			base = c + 1;
	snprintf(p->name, sizeof(p->name), "%s", base);
}

static int pxvm_fork(const struct proc *parent, struct proc *c)
{
	memcpy(c->vm.mem, parent->vm.mem, PXVM_MEM_ALLOC_WORDS * sizeof(uint32_t));
	memcpy(c->vm.r, parent->vm.r, sizeof(c->vm.r));
	c->vm.pc = parent->vm.pc;
	c->vm.r[0] = 0;
	uint32_t ids[2] = { c->pid, c->ppid };
	pxvm_write(&c->vm, PXVM_SYS_PID, ids, sizeof(ids));
	c->vm.dirty[0] = c->vm.dirty[1] = ~0ull;
	memcpy(c->name, parent->name, sizeof(c->name));
	/* The child inherits imperfect mode (not the flip count); its flips come
	 * from its own flip stream (sched.c made it), so parent and child mutate
	 * apart. */
	if (parent->vm.imp.rate)
		pxvm_set_imperfect(&c->vm, parent->vm.imp.rate, parent->vm.imp.lo, parent->vm.imp.hi);
	return 0;
}

static enum proc_run pxvm_run_quantum(struct proc *p, uint64_t budget)
{
	if (p->vm.watch)
		p->vm.watch->now_us = pxhost_time_us();
	switch (pxvm_run(&p->vm, budget)) {
	case PXVM_RUN_BUDGET:  return PROC_RUN_BUDGET;
	case PXVM_RUN_HALT:    return PROC_RUN_EXIT;
	case PXVM_RUN_FAULT:   return PROC_RUN_FAULT;
	case PXVM_RUN_TRAP:    return PROC_RUN_TRAP;
	case PXVM_RUN_SYSCALL: return PROC_RUN_STOP;
	}
	return PROC_RUN_FAULT;
}

static uint32_t pxvm_fault_report(const struct proc *p, char *buf, size_t cap)
{
	const struct pxvm *vm = &p->vm;
	char dis[PXVM_DISASM_MAX];
	if (vm->fault_pc + 4 < PXVM_MEM_SIZE)
		pxvm_disasm(vm->fault_word, vm->mem[(vm->fault_pc + 4) >> 2], vm->fault_pc, dis, sizeof(dis));
	else
		pxvm_disasm_last(vm->fault_word, vm->fault_pc, dis, sizeof(dis)); /* no word follows */
	snprintf(buf, cap, "fault %u: %s; pc 0x%04x word 0x%08x (%s), address 0x%x", vm->fault,
	         pxvm_fault_text(vm->fault), vm->fault_pc, vm->fault_word, dis, vm->fault_addr);
	return vm->fault;
}

static size_t pxvm_dump(const struct proc *p, char *buf, size_t cap)
{
	size_t n = 0;
	for (int i = 0; i < PXVM_NREGS && n < cap; i++)
		n += (size_t)snprintf(buf + n, cap - n, "  R%d%s %08x%s", i, i == PXVM_SP ? "/SP" : "   ", p->vm.r[i],
		                      i % 4 == 3 ? "\n" : "");
	return n < cap ? n : cap - 1;
}

/* put_stream / get_stream: a random stream as 8 words of the record. */
static uint32_t put_stream(uint32_t *head, uint32_t k, const struct rng_stream *st)
{
	for (int i = 0; i < 4; i++) {
		head[k++] = (uint32_t)st->s[i];
		head[k++] = (uint32_t)(st->s[i] >> 32);
	}
	return k;
}

static uint32_t get_stream(const uint32_t *head, uint32_t k, struct rng_stream *st)
{
	for (int i = 0; i < 4; i++, k += 2)
		st->s[i] = head[k] | (uint64_t)head[k + 1] << 32;
	return k;
}

static size_t pxvm_snapshot(const struct proc *p, uint8_t *out, size_t cap)
{
	const struct pxvm *vm = &p->vm;
	uint32_t head[PROC_PXVM_SNAP_HEAD / 4], k = 0;
	if (cap < PROC_PXVM_SNAP_SIZE)
		return 0;
	head[k++] = PROC_PXVM_SNAP_MAGIC;
	head[k++] = PROC_PXVM_SNAP_VERSION;
	for (int i = 0; i < PXVM_NREGS; i++)
		head[k++] = vm->r[i];
	head[k++] = vm->pc;
	head[k++] = (uint32_t)vm->steps;
	head[k++] = (uint32_t)(vm->steps >> 32);
	head[k++] = vm->fault;
	head[k++] = vm->fault_pc;
	head[k++] = vm->fault_word;
	head[k++] = vm->fault_addr;
	k = put_stream(head, k, &vm->rng);
	head[k++] = vm->imp.rate;
	head[k++] = vm->imp.lo;
	head[k++] = vm->imp.hi;
	head[k++] = (uint32_t)vm->imp.next;
	head[k++] = (uint32_t)(vm->imp.next >> 32);
	head[k++] = (uint32_t)vm->imp.flips;
	head[k++] = (uint32_t)(vm->imp.flips >> 32);
	k = put_stream(head, k, &vm->imp.rng);
	memcpy(out, head, sizeof(head));
	memcpy(out + sizeof(head), vm->mem, PXVM_MEM_SIZE);
	return PROC_PXVM_SNAP_SIZE;
}

static int pxvm_restore(struct proc *p, const uint8_t *in, size_t n)
{
	uint32_t head[PROC_PXVM_SNAP_HEAD / 4], k = 2;
	if (n != PROC_PXVM_SNAP_SIZE)
		return -PXE_EINVAL;
	memcpy(head, in, sizeof(head));
	if (head[0] != PROC_PXVM_SNAP_MAGIC || head[1] != PROC_PXVM_SNAP_VERSION || head[2 + PXVM_NREGS] % 4 ||
	    head[2 + PXVM_NREGS] > PXVM_MEM_SIZE || head[2 + PXVM_NREGS + 3] >= PXVM_FAULT_COUNT)
		return -PXE_EINVAL;
	const uint32_t *imp = head + 2 + PXVM_NREGS + 7 + 8; /* rate, lo, hi after the process's stream */
	struct pxvm probe;
	memset(&probe, 0, sizeof(probe));
	if (imp[0] && pxvm_set_imperfect(&probe, imp[0], imp[1], imp[2]) != 0)
		return -PXE_EINVAL;
	fresh(p);
	struct pxvm *vm = &p->vm;
	for (int i = 0; i < PXVM_NREGS; i++)
		vm->r[i] = head[k++];
	vm->pc = head[k++];
	vm->steps = head[k] | (uint64_t)head[k + 1] << 32;
	k += 2;
	vm->fault = head[k++];
	vm->fault_pc = head[k++];
	vm->fault_word = head[k++];
	vm->fault_addr = head[k++];
	k = get_stream(head, k, &vm->rng);
	memset(&vm->imp, 0, sizeof(vm->imp));
	if (head[k])
		pxvm_set_imperfect(vm, head[k], head[k + 1], head[k + 2]); /* checked above; sets nlog2q */
	k += 3;
	vm->imp.next = head[k] | (uint64_t)head[k + 1] << 32;
	vm->imp.flips = head[k + 2] | (uint64_t)head[k + 3] << 32;
	k = get_stream(head, k + 4, &vm->imp.rng);
	memcpy(vm->mem, in + sizeof(head), PXVM_MEM_SIZE);
	return 0;
}

const struct proc_ops proc_pxvm_ops = {
	.name = "pxvm",
	.probe = pxvm_probe,
	.alloc = pxvm_alloc,
	.release = pxvm_release,
	.check = pxvm_check,
	.load = pxvm_load,
	.fork = pxvm_fork,
	.run = pxvm_run_quantum,
	.fault = pxvm_fault_report,
	.dump = pxvm_dump,
	.snapshot = pxvm_snapshot,
	.restore = pxvm_restore,
};
