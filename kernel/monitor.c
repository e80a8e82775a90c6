/*
 * monitor.c — the kernel debug monitor (keyboard and serial); see monitor.h.
 */
#include "monitor.h"
#include "klog.h"
#include "lib.h"
#include "cpu.h"
#include "pmm.h"
#include "heap.h"
#include "panic.h"
#include "power.h"
#include "vram.h"
#include "input.h"
#include "irq.h"
#include "hwinfo.h"
#include "pxvm/sched.h"
#include "pxvm/job.h"
#include "pxvm/tty.h"
#include "pxvm/disasm.h"
#include "pxvm/debug.h"
#include "pxvm/proc_pxvm.h"
#include "pxvm/ascii.h"
#include "pxvm/vfs.h"
#include "pxvm/view.h"
#include "pxvm/lineedit.h"
#include "pxvm/hv.h"
#include "pxvm/ipc.h"
#include "drivers/ps2kbd.h"
#include "bridge.h"
#include "snapshot.h"
#include "drivers/uart16550.h"
#include "drivers/timer.h"
#include "drivers/hwrng.h"
#include "pxvm/rng.h"
#include "vmm.h"
#include "fbbench.h"
#include "pxhost.h"
#include "watchmon.h"
#include "drivers/pci.h"
#include "drivers/usb.h"

#define LINE_MAX 160
#define MAX_ARGS 12

static bool active;      /* serving commands now (monitor_enter is not re-entered) */
static bool last_cr;     /* the last byte typed at the prompt was CR */
static bool leave;       /* `continue` or a started `run`: back to the scheduler */

static void cmd_help(int argc, char **argv);

/* arg_u32: parse argv value `s` (decimal or 0x-hex) no larger than `max`. */
static int arg_u32(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v;
	if (parse_u64(s, &v) != 0 || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* arg_proc: the process named by pid string `s` whose memory is still there
 * (live, or a zombie not yet reaped), or NULL after saying why. */
static struct proc *arg_proc(const char *s)
{
	uint32_t pid;
	if (arg_u32(s, 0xFFFFFFFFu, &pid) != 0) {
		kprintf("'%s' is not a pid\n", s);
		return 0;
	}
	struct proc *p = proc_find(pid);
	if (!p || !p->vm.mem)
		kprintf("no process with pid %u (ps lists them)\n", pid);
	return p && p->vm.mem ? p : 0;
}

static const char *block_name(const struct proc *p)
{
	return p->state == PROC_BLOCKED ? proc_block_name(p->block) : "";
}

/* state_text: "runnable", "blocked in read", "stopped at breakpoint", ... */
static void state_text(const struct proc *p, char *buf, size_t n)
{
	if (debug_stopped(p))
		snprintf(buf, n, "stopped at breakpoint");
	else
		snprintf(buf, n, "%s%s%s", proc_state_name(p->state), *block_name(p) ? " in " : "", block_name(p));
}

/* disasm_at: the disassembly of `p`'s instruction at 4-aligned `addr` (inside
 * memory) as the program has it (original words under breakpoints); returns
 * its words (1 or 2). */
static int disasm_at(const struct proc *p, uint32_t addr, char *dis, size_t n)
{
	if (addr + 8 > PXVM_MEM_SIZE) /* the last word: nothing follows it */
		return pxvm_disasm_last(debug_word(p, addr), addr, dis, n);
	return pxvm_disasm(debug_word(p, addr), debug_word(p, addr + 4), addr, dis, n);
}

/* print_hit: the line that says `p` stopped at a breakpoint. */
static void print_hit(const struct proc *p)
{
	char dis[64];
	disasm_at(p, p->vm.pc, dis, sizeof(dis));
	kprintf("pid %u hit breakpoint at 0x%04x: %s\n", p->pid, p->vm.pc, dis);
}

/* report_hits: print every breakpoint hit not reported yet; returns how many. */
static unsigned report_hits(void)
{
	unsigned n = 0;
	for (struct proc *p; (p = debug_next_hit()) != 0; n++)
		print_hit(p);
	return n;
}

/* print_insn: "  ADDR  disassembly" of the instruction at `addr` of `p`, or a
 * note when pc is outside memory or not 4-aligned. */
static void print_insn(const struct proc *p, const char *mark, uint32_t addr)
{
	char dis[64];
	if (addr > PXVM_MEM_SIZE - 4 || (addr & 3)) {
		kprintf("%s%08x  (outside memory or not 4-aligned)\n", mark, addr);
		return;
	}
	disasm_at(p, addr, dis, sizeof(dis));
	kprintf("%s%08x  %s%s\n", mark, addr, dis, debug_is_break(p, addr) ? "   <- breakpoint" : "");
}

/* print_regs: `p`'s registers, as its kind lays them out. */
static void print_regs(const struct proc *p)
{
	char buf[256];
	p->ops->dump(p, buf, sizeof(buf));
	kprintf("%s", buf);
}

static void cmd_ps(int argc, char **argv)
{
	(void)argc, (void)argv;
	uint64_t us = timer_us();
	kprintf("  up %llu.%03llu s\n", (unsigned long long)(us / 1000000), (unsigned long long)(us / 1000 % 1000));
	kprintf("  PID  PPID SLOT STATE         STEPS        PC     NAME\n");
	for (uint32_t i = 0; i < NPROC; i++) {
		struct proc *p = proc_at(i);
		if (p->state == PROC_FREE)
			continue;
		char state[16], slot[12];
		snprintf(state, sizeof(state), "%s%s%s", debug_stopped(p) ? "stopped" : proc_state_name(p->state),
		         *block_name(p) && !debug_stopped(p) ? ":" : "", debug_stopped(p) ? "" : block_name(p));
		snprintf(slot, sizeof(slot), p->slot == PROC_NO_SLOT ? "-" : "%u", p->slot);
		kprintf("  %3u  %4u %4s %-13s %-12llu 0x%04x %s%s\n", p->pid, p->ppid, slot, state,
		        (unsigned long long)p->vm.steps, p->vm.pc, p->name, debug_stopped(p) ? "  (stopped at breakpoint)" : "");
	}
	kprintf("  %u table entries, page %u/%u of %u visible slots, %llu instructions run in all\n", NPROC,
	        view_page_index() + 1, view_page_count(), view_slots(), (unsigned long long)sched_total_steps());
}

static void cmd_regions(int argc, char **argv)
{
	(void)argc, (void)argv;
	if (!vram_ready()) {
		kprintf("no VRAM substrate (no usable framebuffer)\n");
		return;
	}
	const struct vram_layout *L = vram_layout();
	const struct fb *fb = vram_fb();
	kprintf("screen %ux%u %s stride %u, font %ux%u\n", L->width, L->height, fb_format_name(fb), fb->stride,
	        L->font->width, L->font->height);
	for (int r = 0; r < VR_COUNT; r++)
		kprintf("region %-9s y=%d h=%d\n", vram_region_name((enum vram_region)r), L->region[r].y, L->region[r].h);
	for (uint32_t i = 0; i < L->nslots; i++) {
		const struct view_slot *v = view_slot(i);
		kprintf("slot %u tile %d,%d canvas %d,%d\n", i, L->slot[i].tile.x, L->slot[i].tile.y,
		        L->slot[i].canvas.x, L->slot[i].canvas.y);
		if (v->pid)
			kprintf("  shows pid %u %s%s\n", v->pid, v->name, v->ended ? " (ended)" : "");
		else
			kprintf("  shows nobody\n");
	}
}

/* hv: the trap hypervisor's counters. */
static void cmd_hv(int argc, char **argv)
{
	(void)argc, (void)argv;
	struct hv_stats st;
	hv_get_stats(&st);
	kprintf("hypervisor: %llu traps served; LLM/oracle calls: %u in flight (at most %u), %llu submitted, "
	        "%llu answered, %llu failed, %llu timed out, %llu cancelled, %llu refused (busy)\n",
	        (unsigned long long)st.traps, hv_inflight(), HV_INFLIGHT_MAX, (unsigned long long)st.submitted,
	        (unsigned long long)st.answered, (unsigned long long)st.failed, (unsigned long long)st.timedout,
	        (unsigned long long)st.cancelled, (unsigned long long)st.busy);
}

/* page [N|next]: which page of processes the visible slots show. */
static void cmd_page(int argc, char **argv)
{
	uint32_t n;
	if (!view_slots()) {
		kprintf("no visible slots (no screen): every process runs unseen\n");
		return;
	}
	if (argc == 2 && !strcmp(argv[1], "next"))
		view_page(-1);
	else if (argc == 2 && arg_u32(argv[1], 0x7FFFFFFF, &n) == 0 && n >= 1)
		view_page((int32_t)(n - 1));
	else if (argc != 1) {
		kprintf("usage: page [N|next]\n");
		return;
	}
	kprintf("page %u of %u: %u slots, %u processes unseen\n", view_page_index() + 1, view_page_count(),
	        view_slots(), view_unseen());
}

static void cmd_fs(int argc, char **argv)
{
	(void)argc, (void)argv;
	const struct pxfs *fs = vfs_fs();
	if (!fs || !fs->count) {
		kprintf("no PixelFS mounted\n");
		return;
	}
	kprintf("  ID TYPE SIZE     CRC32    PATH\n");
	for (uint32_t i = 0; i < fs->count; i++) {
		const struct pxfs_dirent *d = &fs->dir[i];
		char path[PXFS_PATH_MAX];
		path[ascii_sanitise(path, d->path, sizeof(path) - 1, '?')] = '\0';
		kprintf("  %2u %4u %-8u %08x %s%s\n", d->id, d->type, d->size, d->crc, path,
		        fs->bad[i] ? "  (rejected)" : "");
	}
}

/* mem PID ADDR [LEN]: hex dump of a process's memory, 16 bytes a line. */
static void dump_proc_mem(int argc, char **argv)
{
	struct proc *p = arg_proc(argv[1]);
	uint32_t addr, len = 64;
	if (!p)
		return;
	if (argc < 3 || arg_u32(argv[2], PXVM_MEM_SIZE - 1, &addr) != 0 ||
	    (argc > 3 && arg_u32(argv[3], PXVM_MEM_SIZE, &len) != 0)) {
		kprintf("usage: mem PID ADDR [LEN]  (ADDR < 0x%x, LEN <= 0x%x)\n", PXVM_MEM_SIZE, PXVM_MEM_SIZE);
		return;
	}
	if (len > PXVM_MEM_SIZE - addr)
		len = PXVM_MEM_SIZE - addr;
	for (uint32_t line = addr & ~15u; line < addr + len; line += 16) {
		char hex[16 * 3 + 2], asc[17];
		size_t h = 0;
		uint8_t m[16]; /* the line as the program has it (original words under breakpoints) */
		debug_read(p, line, m, 16);
		for (uint32_t i = 0; i < 16; i++) {
			uint32_t a = line + i;
			bool in = a >= addr && a < addr + len;
			if (in)
				h += (size_t)snprintf(hex + h, sizeof(hex) - h, "%02x ", m[i]);
			else
				h += (size_t)snprintf(hex + h, sizeof(hex) - h, "   ");
			if (i == 7)
				h += (size_t)snprintf(hex + h, sizeof(hex) - h, " ");
			asc[i] = !in ? ' ' : ascii_printable(m[i]) ? (char)m[i] : '.';
		}
		asc[16] = '\0';
		kprintf("  %04x  %s |%s|\n", line, hex, asc);
	}
}

static void cmd_mem(int argc, char **argv)
{
	if (argc > 1) {
		dump_proc_mem(argc, argv);
		return;
	}
	size_t arena, used;
	heap_stats(&arena, &used);
	kprintf("physical: %zu KiB free of %zu KiB usable\n", pmm_free_pages() * 4, pmm_total_pages() * 4);
	kprintf("heap: %zu KiB in use of %zu KiB\n", used / 1024, arena / 1024);
}

static void cmd_run(int argc, char **argv)
{
	if (argc < 2) {
		kprintf("usage: run PATH [ARGS...]\n");
		return;
	}
	char args[LINE_MAX] = "";
	size_t n = 0;
	for (int i = 2; i < argc && n < sizeof(args); i++)
		n += (size_t)snprintf(args + n, sizeof(args) - n, "%s%s", i > 2 ? " " : "", argv[i]);
	if (n >= sizeof(args)) {
		kprintf("run: arguments too long\n");
		return;
	}
	int pid = sched_spawn(argv[1], args, 0);
	if (pid < 0) {
		kprintf("run %s: %s\n", argv[1], pxvm_error_text((uint32_t)-pid));
		return;
	}
	kprintf("pid %d started; back to the scheduler (Ctrl-\\ returns here)\n", pid);
	leave = true;
}

/* continue: processes stopped at breakpoints step over them, then everything
 * goes back to the scheduler. */
static void cmd_continue(int argc, char **argv)
{
	(void)argc, (void)argv;
	uint32_t n = sched_resume_stopped();
	if (n)
		kprintf("%u stopped process%s resumed\n", n, n == 1 ? "" : "es");
	report_hits();
	leave = true;
}

/* break [PID ADDR]: set a breakpoint, or list them. */
/* pxvm_code: whether `p` runs pxVM code (dis and break apply); otherwise
 * says so for `cmd`: a Python process (docs/python.md) runs MicroPython on
 * its own C stack, its pixel memory holds data, never code. */
static bool pxvm_code(const struct proc *p, const char *cmd)
{
	if (p->ops == &proc_pxvm_ops)
		return true;
	kprintf("%s: pid %u is a %s process: no pxVM code to %s (regs shows its stack and heap, mem its pixel memory)\n",
	        cmd, p->pid, p->ops->name, cmd[0] == 'd' ? "disassemble" : "break in");
	return false;
}

static void cmd_break(int argc, char **argv)
{
	if (argc == 1) {
		uint32_t pid, addr, orig;
		if (!debug_break_count()) {
			kprintf("no breakpoints (break PID ADDR sets one)\n");
			return;
		}
		kprintf("  N  PID  ADDR    INSTRUCTION\n");
		for (uint32_t i = 0; debug_break_get(i, &pid, &addr, &orig) == 0; i++) {
			struct proc *p = proc_find(pid);
			char dis[64] = "?";
			if (p && p->vm.mem)
				disasm_at(p, addr, dis, sizeof(dis));
			kprintf("  %u %4u  0x%04x  %s%s\n", i, pid, addr, dis, p && debug_stopped(p) && p->vm.pc == addr ?
			        "   <- stopped here" : "");
		}
		return;
	}
	uint32_t addr;
	if (argc != 3 || arg_u32(argv[2], 0xFFFFFFFFu, &addr) != 0) {
		kprintf("usage: break [PID ADDR]\n");
		return;
	}
	struct proc *p = arg_proc(argv[1]);
	if (!p || !pxvm_code(p, "break"))
		return;
	int e = debug_break_set(p, addr);
	char dis[64];
	switch (e) {
	case 0:
		disasm_at(p, addr, dis, sizeof(dis));
		kprintf("breakpoint %u: pid %u at 0x%04x: %s\n", debug_break_count() - 1, p->pid, addr, dis);
		break;
	case -PXE_EINVAL:
		kprintf("break: 0x%x is not an instruction address (4-aligned, below 0x%x, not the data word of an "
		        "IMM32)\n", addr, PXVM_MEM_SIZE);
		break;
	case -PXE_EEXIST:
		kprintf("break: pid %u already has a breakpoint at 0x%04x\n", p->pid, addr);
		break;
	case -PXE_ENOSPC:
		kprintf("break: too many breakpoints (%u per process, %u in all)\n", DEBUG_BP_PER_PROC, DEBUG_BP_MAX);
		break;
	default:
		kprintf("break: pid %u: %s\n", p->pid, pxvm_error_text((uint32_t)-e));
	}
}

/* delete PID ADDR | delete N: remove a breakpoint (N as `break` lists them). */
static void cmd_delete(int argc, char **argv)
{
	uint32_t pid, addr, orig, n;
	if (argc == 2 && arg_u32(argv[1], 0xFFFFFFFFu, &n) == 0) {
		if (debug_break_get(n, &pid, &addr, &orig) != 0) {
			kprintf("delete: no breakpoint %u (break lists them)\n", n);
			return;
		}
	} else if (argc != 3 || arg_u32(argv[1], 0xFFFFFFFFu, &pid) != 0 ||
	           arg_u32(argv[2], 0xFFFFFFFFu, &addr) != 0) {
		kprintf("usage: delete PID ADDR | delete N\n");
		return;
	}
	if (debug_break_delete(pid, addr) != 0)
		kprintf("delete: pid %u has no breakpoint at 0x%04x\n", pid, addr);
	else
		kprintf("breakpoint of pid %u at 0x%04x deleted\n", pid, addr);
}

static void cmd_regs(int argc, char **argv)
{
	if (argc != 2) {
		kprintf("usage: regs PID\n");
		return;
	}
	struct proc *p = arg_proc(argv[1]);
	if (!p)
		return;
	const struct pxvm *vm = &p->vm;
	char state[32];
	state_text(p, state, sizeof(state));
	char slot[12];
	snprintf(slot, sizeof(slot), p->slot == PROC_NO_SLOT ? "none (unseen)" : "%u", p->slot);
	kprintf("pid %u (%s) %s, parent %u, slot %s\n", p->pid, p->name, state, p->ppid, slot);
	print_regs(p);
	print_insn(p, "  PC    ", vm->pc);
	kprintf("  %llu instructions, %llu system calls (charged %llu more instructions), %u messages queued\n",
	        (unsigned long long)vm->steps, (unsigned long long)p->syscalls, (unsigned long long)p->charged,
	        ipc_pending(p));
	if (vm->fault)
		kprintf("  fault %u: %s at pc 0x%04x, word 0x%08x, address 0x%x\n", vm->fault, pxvm_fault_text(vm->fault),
		        vm->fault_pc, vm->fault_word, vm->fault_addr);
	if (p->state == PROC_ZOMBIE)
		kprintf("  ended with status 0x%x\n", p->status);
}

/* dis PID [ADDR [N]]: N instructions from ADDR (default: 12 from the pc). */
static void cmd_dis(int argc, char **argv)
{
	if (argc < 2 || argc > 4) {
		kprintf("usage: dis PID [ADDR [N]]\n");
		return;
	}
	struct proc *p = arg_proc(argv[1]);
	if (!p || !pxvm_code(p, "dis"))
		return;
	uint32_t addr = p->vm.pc, count = 12;
	char mark[3];
	if ((argc > 2 && arg_u32(argv[2], PXVM_MEM_SIZE - 4, &addr) != 0) ||
	    (argc > 3 && (arg_u32(argv[3], 256, &count) != 0 || !count))) {
		kprintf("usage: dis PID [ADDR [N]]  (ADDR < 0x%x, N 1..256)\n", PXVM_MEM_SIZE - 3);
		return;
	}
	addr &= ~3u;
	/* Original words under breakpoints; a '*' after the pc mark flags one. */
	for (uint32_t i = 0; i < count && addr + 4 <= PXVM_MEM_SIZE; i++) {
		char dis[64];
		uint32_t next = addr + 8 <= PXVM_MEM_SIZE ? debug_word(p, addr + 4) : 0;
		int words = disasm_at(p, addr, dis, sizeof(dis));
		snprintf(mark, sizeof(mark), "%s", addr == p->vm.pc ? "=>" : "  ");
		char bp = debug_is_break(p, addr) ? '*' : ' ';
		if (words == 2)
			kprintf("%s%c%04x  %08x %08x  %s\n", mark, bp, addr, debug_word(p, addr), next, dis);
		else
			kprintf("%s%c%04x  %08x           %s\n", mark, bp, addr, debug_word(p, addr), dis);
		addr += 4u * (uint32_t)(words > 0 ? words : 1);
	}
}

/* step PID [N]: run N instructions (default 1) of a runnable process, or of
 * one stopped at a breakpoint, out of turn, printing each before it runs,
 * then the registers. An instruction under a breakpoint runs as the program
 * has it (sched_step_over). */
static void cmd_step(int argc, char **argv)
{
	uint32_t n = 1;
	if (argc < 2 || argc > 3 || (argc == 3 && (arg_u32(argv[2], 100, &n) != 0 || !n))) {
		kprintf("usage: step PID [N]  (N 1..100)\n");
		return;
	}
	struct proc *p = arg_proc(argv[1]);
	if (!p)
		return;
	uint32_t pid = p->pid;
	char state[32];
	for (uint32_t i = 0; i < n; i++) {
		if (p->pid != pid || (p->state != PROC_RUNNABLE && !debug_stopped(p))) {
			state_text(p, state, sizeof(state));
			kprintf("pid %u is %s: cannot step\n", pid, p->pid == pid ? state : "gone");
			return;
		}
		print_insn(p, "  ", p->vm.pc);
		sched_step_over(p);
	}
	report_hits();
	if (p->pid == pid && p->vm.mem) {
		print_regs(p);
		print_insn(p, "  next  ", p->vm.pc);
		if (p->state != PROC_RUNNABLE) {
			state_text(p, state, sizeof(state));
			kprintf("pid %u is now %s\n", pid, state);
		}
	}
}

/* kill_job: end every process of group `pgid` (nothing can stop it). */
static void kill_job(uint32_t pgid)
{
	char job[64];
	job_describe(pgid, job, sizeof(job));
	int n = job_kill(0, pgid);
	if (n < 0)
		kprintf("kill: no live process in group %u (jobs lists them)\n", pgid);
	else
		kprintf("%s ended: %d process%s killed\n", job, n, n == 1 ? "" : "es");
}

/* kill: the foreground job; kill PID: one process; kill -G or %G: group G. */
static void cmd_kill(int argc, char **argv)
{
	uint32_t g;
	if (argc == 1) {
		struct proc *f = proc_find(tty_foreground());
		if (!f || !proc_is_live(f) || f->pid == 1) {
			kprintf("kill: no foreground job (the console's foreground is %s)\n",
			        f && f->pid == 1 ? "init, pid 1" : "nobody");
			return;
		}
		kill_job(f->pgid);
		return;
	}
	if (argc == 2 && (argv[1][0] == '-' || argv[1][0] == '%')) {
		if (arg_u32(argv[1] + 1, 0x7FFFFFFF, &g) != 0 || !g) {
			kprintf("usage: kill [PID | -PGID | %%PGID]\n");
			return;
		}
		kill_job(g);
		return;
	}
	if (argc != 2) {
		kprintf("usage: kill [PID | -PGID | %%PGID]\n");
		return;
	}
	struct proc *p = arg_proc(argv[1]);
	if (!p)
		return;
	if (p->state != PROC_RUNNABLE && p->state != PROC_BLOCKED) {
		kprintf("pid %u is %s: nothing to kill\n", p->pid, proc_state_name(p->state));
		return;
	}
	uint32_t pid = p->pid;
	int err = sched_kill(0, pid); /* also drops its files, messages, LLM calls, console */
	if (err)
		kprintf("kill %u: %s\n", pid, pxvm_error_text((uint32_t)-err));
	else
		kprintf("pid %u killed\n", pid);
}

/* jobs: every process group with a live member: its number, session,
 * processes (live, zombies), its oldest member's name, the foreground's. */
static void cmd_jobs(int argc, char **argv)
{
	(void)argc, (void)argv;
	uint32_t seen[NPROC], nseen = 0, fg = tty_foreground();
	kprintf("  PGID  SID LIVE ZOMBIES NAME\n");
	for (uint32_t i = 0; i < NPROC; i++) {
		const struct proc *p = proc_at(i);
		if (!proc_is_live(p))
			continue;
		uint32_t k = 0;
		while (k < nseen && seen[k] != p->pgid)
			k++;
		if (k < nseen)
			continue;
		seen[nseen++] = p->pgid;
		const struct proc *lead = proc_find(p->pgid);
		const struct proc *f = proc_find(fg);
		uint32_t live = proc_group_count(p->pgid, true);
		kprintf("  %4u %4u %4u %7u %s%s\n", p->pgid, p->sid, live, proc_group_count(p->pgid, false) - live,
		        lead && lead->pgid == p->pgid ? lead->name : p->name,
		        f && proc_is_live(f) && f->pgid == p->pgid ? "  (foreground)" : "");
	}
	kprintf("  %u jobs; at most %u processes a job (JOB_PROCS_MAX); kill -PGID ends one, kill alone the "
	        "foreground's\n", nseen, JOB_PROCS_MAX);
}

/* latency [reset]: the input latency logs, in guest time: typed input to the
 * READ that returns it, the hot key to the monitor's prompt. */
static void cmd_latency(int argc, char **argv)
{
	bool reset = argc == 2 && !strcmp(argv[1], "reset");
	if (argc > 2 || (argc == 2 && !reset)) {
		kprintf("usage: latency [reset]\n");
		return;
	}
	struct tty_latency t;
	struct input_latency m;
	tty_latency(&t);
	input_monitor_latency(&m, reset);
	if (reset)
		tty_latency_reset();
	kprintf("latency: input read: %llu, max %llu us (pid %u), last %llu us, %llu over %u ms\n",
	        (unsigned long long)t.count, (unsigned long long)t.max_us, t.max_pid, (unsigned long long)t.last_us,
	        (unsigned long long)t.over, INPUT_LATENCY_MAX_US / 1000);
	kprintf("latency: monitor prompt: %llu, max %llu us, last %llu us, %llu over %u ms%s\n",
	        (unsigned long long)m.count, (unsigned long long)m.max_us, (unsigned long long)m.last_us,
	        (unsigned long long)m.over, INPUT_LATENCY_MAX_US / 1000, reset ? " (both logs emptied)" : "");
	pxhost_poll_report(reset);
}

static void cmd_uptime(int argc, char **argv)
{
	(void)argc, (void)argv;
	uint64_t us = timer_us(), halts, halted_us, tty, mon;
	irq_idle_stats(&halts, &halted_us);
	input_stats(&tty, &mon);
	kprintf("up %llu.%03llu s, %llu ticks at %u Hz, %llu idle halts, %llu ms halted, input %llu bytes to "
	        "the tty, %llu to the monitor\n",
	        (unsigned long long)(us / 1000000), (unsigned long long)(us / 1000 % 1000),
	        (unsigned long long)irq_ticks(), TICK_HZ, (unsigned long long)halts,
	        (unsigned long long)(halted_us / 1000), (unsigned long long)tty, (unsigned long long)mon);
}

static void cmd_irq(int argc, char **argv)
{
	(void)argc, (void)argv;
	irq_report();
	klog_report();
}

static void cmd_hwinfo(int argc, char **argv)
{
	(void)argc, (void)argv;
	hwinfo_print();
}

static void cmd_fault(int argc, char **argv)
{
	const char *k = argc > 1 ? argv[1] : "";
	if (!strcmp(k, "ud")) {
		__asm__ volatile("ud2");
	} else if (!strcmp(k, "pf")) {
		volatile uint64_t *bad = (volatile uint64_t *)0x00007F0000000000ull; /* beyond the identity map */
		*bad = 1;
	} else if (!strcmp(k, "de")) {
		volatile uint32_t zero = 0;
		uint32_t q;
		__asm__ volatile("divl %1" : "=a"(q) : "r"(zero), "a"(1u), "d"(0u));
		(void)q;
	} else if (!strcmp(k, "gp")) {
		__asm__ volatile("mov %0, %%ds" : : "r"((uint16_t)0x1234));
	} else {
		kprintf("usage: fault ud|pf|de|gp  (raise a CPU exception to test the handler)\n");
	}
}

static void cmd_panic(int argc, char **argv)
{
	(void)argc, (void)argv;
	panic("monitor: panic requested");
}

static void cmd_exit(int argc, char **argv)
{
	uint64_t code = klog_error_count() ? 1 : 0;
	if (argc > 1 && (parse_u64(argv[1], &code) != 0 || code > 0x7F)) {
		kprintf("usage: exit [0..127]\n");
		return;
	}
	kprintf("exit %u\n", (unsigned)code);
	power_exit_qemu((uint8_t)code);
	kprintf("exit: not running under QEMU with isa-debug-exit; use `reset`\n");
}

static void cmd_reset(int argc, char **argv)
{
	(void)argc, (void)argv;
	power_reset();
}

/* seed [N]: reseed the random generator with N (repeatable runs), or show how it was seeded. */
static void cmd_seed(int argc, char **argv)
{
	uint64_t n;
	if (argc < 2) {
		kprintf("seed %llu (from %s)\n", (unsigned long long)rng_last_seed(), hwrng_source());
		return;
	}
	if (parse_u64(argv[1], &n) != 0) {
		kprintf("usage: seed [N]   (N decimal or 0x-hex)\n");
		return;
	}
	rng_seed(n);
	hwrng_set_source("monitor");
	kprintf("seed %llu\n", (unsigned long long)n);
}

static const struct {
	const char *name, *args, *help;
	void (*fn)(int, char **);
} commands[] = {
	{ "help", "", "this list", cmd_help },
	{ "ps", "", "processes: pid, parent, slot, state, instructions, pc", cmd_ps },
	{ "regs", "PID", "a process's registers, pc and fault", cmd_regs },
	{ "mem", "[PID ADDR [LEN]]", "hex dump of process memory; alone: physical memory and heap", cmd_mem },
	{ "dis", "PID [ADDR [N]]", "disassemble N instructions (default 12 from the pc)", cmd_dis },
	{ "step", "PID [N]", "single-step N instructions (default 1) of a runnable process", cmd_step },
	{ "break", "[PID ADDR]", "breakpoint on a process's instruction at ADDR; alone: list them", cmd_break },
	{ "delete", "PID ADDR | N", "remove a breakpoint (N: its number in the break list)", cmd_delete },
	{ "kill", "[PID|-PGID]", "end a process, or a job (group); alone: the foreground job", cmd_kill },
	{ "jobs", "", "process groups (jobs): sessions, processes, the foreground's", cmd_jobs },
	{ "latency", "[reset]", "input latency: typed -> READ returns, hot key -> this prompt", cmd_latency },
	{ "continue", "", "leave the monitor: stopped processes step over their breakpoint, all run on", cmd_continue },
	{ "run", "PATH [ARGS]", "start a program and go back to the scheduler", cmd_run },
	{ "uptime", "", "time since boot, timer ticks, idle halts", cmd_uptime },
	{ "irq", "", "interrupt counts, input rings, idle", cmd_irq },
	{ "hwinfo", "", "hardware report: CPU, memory, ACPI, screen, timers, interrupts, console", cmd_hwinfo },
	{ "regions", "", "VRAM regions and process slots", cmd_regions },
	{ "page", "[N|next]", "show page N (or the next) of processes in the slots; alone: which", cmd_page },
	{ "fs", "", "PixelFS directory (rejected files marked)", cmd_fs },
	{ "fault", "ud|pf|de|gp", "raise a CPU exception (tests the handler; halts)", cmd_fault },
	{ "panic", "", "panic the kernel (tests the panic path; halts)", cmd_panic },
	{ "exit", "[CODE]", "end QEMU (isa-debug-exit); default 0, or 1 if the kernel logged errors", cmd_exit },
	{ "reset", "", "reset the machine", cmd_reset },
	{ "seed", "[N]", "reseed the random generator (repeatable noise); no N: show the seed", cmd_seed },
	{ "watch", "[PID [WHAT..]]", "watch a process run: pc, writes, code, log (toggles; alone: all)", watchmon_cmd },
	{ "who", "PID ADDR", "which instruction wrote the word at ADDR, and when (watched processes)", watchmon_cmd },
	{ "imperfect", "PID [RATE..]", "show or set imperfect mode: RATE bit flips per million instructions", watchmon_cmd },
	{ "llm", "[-m M] [-o] TEXT", "ask the host bridge's LLM (-o: oracle) and print the answer", bridge_monitor_cmd },
	{ "bridge", "", "serial bridge link status and counters", bridge_monitor_cmd },
	{ "snapshot", "", "the machine as one PNG (screen + state) sent to the host bridge", snapshot_monitor_cmd },
	{ "hv", "", "trap hypervisor counters: traps served, LLM calls in flight and how they ended", cmd_hv },
	{ "pci", "[BB:DD.F | read ..]", "PCI functions: IDs, class, BARs, capabilities, IRQ; one with its config space", pci_monitor_cmd },
	{ "usb", "", "USB controllers, root ports, devices: VID:PID, class, tier, where, speed, driver", usb_monitor_cmd },
	{ "mtrr", "", "PAT, MTRRs, identity-map page sizes, mapped ranges and their memory types", vmm_monitor_mtrr },
	{ "fbbench", "", "bytes/second of the tile flush into the framebuffer, WC and UC", fbbench_monitor_cmd },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void cmd_help(int argc, char **argv)
{
	(void)argc, (void)argv;
	for (unsigned i = 0; i < NCOMMANDS; i++)
		kprintf("  %-9s %-16s %s\n", commands[i].name, commands[i].args, commands[i].help);
	kprintf("  Ctrl-\\ (0x1C) on the keyboard or serial line enters this monitor at any time.\n");
}

void monitor_execute(char *line)
{
	char *argv[MAX_ARGS];
	int argc = 0;
	for (char *p = line; *p && argc < MAX_ARGS;) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (!*p)
			break;
		argv[argc++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	if (!argc)
		return;
	for (unsigned i = 0; i < NCOMMANDS; i++) {
		if (!strcmp(argv[0], commands[i].name)) {
			commands[i].fn(argc, argv);
			return;
		}
	}
	kprintf("unknown command '%s' (try help)\n", argv[0]);
}

static void echo_to_consoles(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	klog_write(s, n);
}

/* read_line: one edited line from the monitor's input (keyboard or serial),
 * echoed on every console, edited as the console's lines are
 * (pxvm/lineedit.h; Ctrl-C drops the line); the CPU halts while nothing is
 * typed. Whether the last byte was CR carries over from line to line, so a
 * "\n" right after the "\r" that ended the previous line is skipped (CR LF
 * terminals). */
static void read_line(char *buf, size_t cap)
{
	struct lineedit ed;
	lineedit_init(&ed, buf, (uint32_t)cap, echo_to_consoles, 0);
	ed.after_cr = last_cr;
	for (;;) {
		bridge_poll(); /* timers of LLM calls in flight */
		klog_poll();   /* serial output, screen console redraw */
		int c = input_monitor_getc();
		if (c < 0) {
			irq_idle();
			continue;
		}
		if ((c == '\r' || (c == '\n' && !ed.after_cr)) && ed.len < cap) {
			buf[ed.len] = '\0';
			snapshot_monitor_line(buf); /* before the Enter is echoed */
		}
		enum lineedit_event e = lineedit_feed(&ed, (uint8_t)c);
		last_cr = ed.after_cr;
		if (e == LE_LINE) {
			buf[ed.len] = '\0';
			return;
		}
		if (e == LE_INTR)
			lineedit_erase(&ed);
	}
}

void monitor_breakpoint_hits(void)
{
	if (active || !report_hits())
		return;
	monitor_enter("breakpoint");
}

void monitor_enter(const char *why)
{
	if (active)
		return;
	active = true;
	leave = false;
	vram_refresh(timer_us(), true); /* the screen shows the state being inspected */
	input_monitor_open();
	if (uart_present() || ps2kbd_present())
		kinfo("monitor", "%s: debug monitor (help lists commands, continue resumes)", why);
	else
		kinfo("monitor", "%s: no serial port and no keyboard, nobody can type; idling", why);
	char line[LINE_MAX];
	klog_set_wait(true); /* what the monitor prints waits for the line: it is all that runs */
	while (!leave) {
		kprintf("pxmon> ");
		input_monitor_prompted();
		read_line(line, sizeof(line));
		monitor_execute(line);
	}
	klog_set_wait(false);
	input_monitor_close();
	active = false;
}
