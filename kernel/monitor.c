/*
 * monitor.c — the serial debug monitor; see monitor.h.
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
#include "pxvm/sched.h"
#include "drivers/uart16550.h"
#include "drivers/timer.h"
#include "drivers/rng.h"
#include "pxvm/rng.h"

#define LINE_MAX 160
#define MAX_ARGS 12

static const struct pxfs *fs;

static void cmd_help(int argc, char **argv);

static void cmd_ps(int argc, char **argv)
{
	(void)argc, (void)argv;
	kprintf("  PID  PPID SLOT STATE     STEPS        PC     NAME\n");
	for (uint32_t i = 0; i < sched_nproc(); i++) {
		struct proc *p = sched_proc(i);
		if (p->state == PROC_FREE)
			continue;
		kprintf("  %3u  %4u %4u %-9s %-12llu 0x%04x %s\n", p->pid, p->ppid, p->slot, sched_state_name(p->state),
		        (unsigned long long)p->vm.steps, p->vm.pc, p->name);
	}
	kprintf("  %u slots, %llu instructions run in all\n", sched_nproc(), (unsigned long long)sched_total_steps());
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
	for (uint32_t i = 0; i < L->nslots; i++)
		kprintf("slot %u tile %d,%d canvas %d,%d\n", i, L->slot[i].tile.x, L->slot[i].tile.y,
		        L->slot[i].canvas.x, L->slot[i].canvas.y);
}

static void cmd_fs(int argc, char **argv)
{
	(void)argc, (void)argv;
	if (!fs || !fs->count) {
		kprintf("no PixelFS mounted\n");
		return;
	}
	kprintf("  ID TYPE SIZE     CRC32    PATH\n");
	for (uint32_t i = 0; i < fs->count; i++) {
		const struct pxfs_dirent *d = &fs->dir[i];
		char path[PXFS_PATH_MAX];
		memcpy(path, d->path, sizeof(path));
		path[sizeof(path) - 1] = '\0';
		for (char *c = path; *c; c++)
			if (*c < 32 || *c > 126)
				*c = '?';
		kprintf("  %2u %4u %-8u %08x %s%s\n", d->id, d->type, d->size, d->crc, path,
		        fs->bad[i] ? "  (rejected)" : "");
	}
}

static void cmd_mem(int argc, char **argv)
{
	(void)argc, (void)argv;
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
	sched_run(0);
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
	{ "regions", "", "VRAM regions and process slots", cmd_regions },
	{ "fs", "", "PixelFS directory (rejected files marked)", cmd_fs },
	{ "mem", "", "physical memory and heap", cmd_mem },
	{ "run", "PATH [ARGS]", "start a program and run until all processes end", cmd_run },
	{ "fault", "ud|pf|de|gp", "raise a CPU exception (tests the handler; halts)", cmd_fault },
	{ "panic", "", "panic the kernel (tests the panic path; halts)", cmd_panic },
	{ "exit", "[CODE]", "end QEMU (isa-debug-exit); default 0, or 1 if the kernel logged errors", cmd_exit },
	{ "reset", "", "reset the machine", cmd_reset },
	{ "seed", "[N]", "reseed the random generator (repeatable noise); no N: show the seed", cmd_seed },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void cmd_help(int argc, char **argv)
{
	(void)argc, (void)argv;
	for (unsigned i = 0; i < NCOMMANDS; i++)
		kprintf("  %-8s %-12s %s\n", commands[i].name, commands[i].args, commands[i].help);
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

static void read_line(char *buf, size_t cap)
{
	size_t n = 0;
	for (;;) {
		int c = uart_getc();
		if (c < 0) {
			cpu_pause();
			continue;
		}
		if (c == '\r' || c == '\n') {
			uart_write("\n", 1);
			buf[n] = '\0';
			return;
		}
		if ((c == 0x7F || c == '\b') && n > 0) {
			n--;
			uart_write("\b \b", 3);
		} else if (c >= 32 && c < 127 && n + 1 < cap) {
			buf[n++] = (char)c;
			char ch = (char)c;
			uart_write(&ch, 1);
		}
	}
}

void monitor_run(const struct pxfs *f)
{
	fs = f;
	if (!uart_present()) {
		kinfo("monitor", "no serial port: nothing to talk to; halting (the screen keeps the state)");
		halt_forever();
	}
	kinfo("monitor", "debug monitor on serial; type help");
	char line[LINE_MAX];
	for (;;) {
		uart_write("pxmon> ", 7);
		read_line(line, sizeof(line));
		monitor_execute(line);
	}
}
