/*
 * watchmon.c — the monitor's watch, who and imperfect commands; see
 * watchmon.h.
 */
#include "watchmon.h"
#include "klog.h"
#include "lib.h"
#include "pxvm/proc_pxvm.h"
#include "pxvm/watch.h"

static const struct {
	const char *name;
	uint32_t flag;
} what[] = {
	{ "pc", WATCH_PC }, { "writes", WATCH_WRITES }, { "code", WATCH_CODE }, { "log", WATCH_LOG },
	{ "all", WATCH_ALL }, { "off", 0 },
};
#define NWHAT (sizeof(what) / sizeof(what[0]))

/* find: the live pxVM process `s` names, or NULL after saying why. */
static struct proc *find(const char *s)
{
	uint64_t pid;
	struct proc *p = parse_u64(s, &pid) == 0 && pid <= 0xFFFFFFFFu ? proc_find((uint32_t)pid) : 0;
	if (!p || p->state == PROC_ZOMBIE || !p->vm.mem || p->ops != &proc_pxvm_ops) {
		kprintf("'%s' is not a live pxVM process (ps lists them)\n", s);
		return 0;
	}
	return p;
}

static void show(const struct proc *p)
{
	const struct pxvm_watch *w = p->vm.watch;
	if (!w) {
		kprintf("pid %u (%s): not watched\n", p->pid, p->name);
		return;
	}
	kprintf("pid %u (%s): watching", p->pid, p->name);
	for (unsigned i = 0; i < 4; i++)
		if (w->flags & what[i].flag)
			kprintf(" %s", what[i].name);
	kprintf("; %llu writes logged (the last %u kept), %u words of rewritten code, %llu frames drawn\n",
	        (unsigned long long)w->writes, WATCH_LOG_LEN, w->rewrites, (unsigned long long)w->frames);
}

static void cmd_watch(int argc, char **argv)
{
	if (argc < 2) {
		unsigned n = 0;
		for (uint32_t i = 0; i < NPROC; i++) {
			const struct proc *p = proc_at(i);
			if (p->state != PROC_FREE && p->vm.watch && ++n)
				show(p);
		}
		if (!n)
			kprintf("no process is watched (watch PID starts; Ctrl-] on the console watches the foreground)\n");
		return;
	}
	struct proc *p = find(argv[1]);
	if (!p)
		return;
	uint32_t flags = p->vm.watch ? p->vm.watch->flags : 0;
	if (argc == 2)
		flags = flags ? 0 : WATCH_ALL;
	for (int a = 2; a < argc; a++) {
		unsigned i = 0;
		while (i < NWHAT && strcmp(argv[a], what[i].name))
			i++;
		if (i == NWHAT) {
			kprintf("usage: watch PID [pc|writes|code|log|all|off]...   ('%s' is none of them)\n", argv[a]);
			return;
		}
		flags = !what[i].flag ? 0 : what[i].flag == WATCH_ALL ? WATCH_ALL : flags ^ what[i].flag;
	}
	if (proc_pxvm_watch(p, flags) != 0) {
		kprintf("pid %u: out of memory for watching\n", p->pid);
		return;
	}
	show(p);
}

static void cmd_who(int argc, char **argv)
{
	uint64_t addr;
	if (argc != 3) {
		kprintf("usage: who PID ADDR\n");
		return;
	}
	struct proc *p = find(argv[1]);
	if (!p)
		return;
	if (parse_u64(argv[2], &addr) != 0 || addr >= PXVM_MEM_SIZE) {
		kprintf("'%s' is not an address of a process's memory (0..0xffff)\n", argv[2]);
		return;
	}
	if (!p->vm.watch) {
		kprintf("pid %u (%s) is not watched, so nothing was logged: `watch %u` (or `watch %u log`) first\n",
		        p->pid, p->name, p->pid, p->pid);
		return;
	}
	static char buf[WATCH_WHO_MAX * 200 + 200];
	uint32_t a = (uint32_t)addr & ~3u;
	unsigned n = watch_who(p->vm.watch, a, WATCH_WHO_MAX, buf, sizeof(buf));
	kprintf("pid %u (%s) word 0x%04x = 0x%08x, at step %llu: %u write%s, newest first\n", p->pid, p->name, a,
	        p->vm.mem[a >> 2], (unsigned long long)p->vm.steps, n, n == 1 ? "" : "s");
	kprintf("%s", buf);
}

static void cmd_imperfect(int argc, char **argv)
{
	uint64_t v[3] = { 0, 0, 0 };
	if (argc < 2 || argc == 4 || argc > 5) {
		kprintf("usage: imperfect PID [RATE [LO HI]]   (RATE flips per million instructions, 0 = off)\n");
		return;
	}
	struct proc *p = find(argv[1]);
	if (!p)
		return;
	for (int a = 2; a < argc; a++)
		if (parse_u64(argv[a], &v[a - 2]) != 0 || v[a - 2] > 0xFFFFFFFFu) {
			kprintf("'%s' is not a number\n", argv[a]);
			return;
		}
	if (argc >= 3 && pxvm_set_imperfect(&p->vm, (uint32_t)v[0], (uint32_t)v[1], (uint32_t)v[2]) != 0) {
		kprintf("imperfect: RATE is 0..%u, LO < HI <= 0x10000 (or both 0: all memory)\n", IMPERFECT_RATE_MAX);
		return;
	}
	const struct pxvm_imperfect *m = &p->vm.imp;
	if (!m->rate)
		kprintf("pid %u (%s): imperfect mode off; %llu bits flipped before\n", p->pid, p->name,
		        (unsigned long long)m->flips);
	else
		kprintf("pid %u (%s): %u flips per million instructions in 0x%04x..0x%04x; %llu so far, the next at "
		        "step %llu\n", p->pid, p->name, m->rate, m->lo, m->hi - 1, (unsigned long long)m->flips,
		        (unsigned long long)m->next);
}

void watchmon_cmd(int argc, char **argv)
{
	if (!strcmp(argv[0], "watch"))
		cmd_watch(argc, argv);
	else if (!strcmp(argv[0], "who"))
		cmd_who(argc, argv);
	else
		cmd_imperfect(argc, argv);
}
