/*
 * main.c — the boot story of the pxOS kernel, one step a line.
 *
 * BOOTX64.EFI has loaded us, exited boot services and jumped to _start
 * (entry.asm) with the boot info (boot/bootinfo.h); _start moved to our own
 * stack and called kmain.
 */
#include "bootcheck.h"
#include "clock.h"
#include "hwinfo.h"
#include "cmdline.h"
#include "console.h"
#include "cpu.h"
#include "fpu.h"
#include "gdt.h"
#include "idt.h"
#include "input.h"
#include "irq.h"
#include "klog.h"
#include "lib.h"
#include "monitor.h"
#include "bridge.h"
#include "persist.h"
#include "panic.h"
#include "param.h"
#include "pmm.h"
#include "pymem.h"
#include "power.h"
#include "ramdisk.h"
#include "snapshot.h"
#include "trap.h"
#include "uartsel.h"
#include "vram.h"
#include "vmm.h"
#include "drivers/acpi.h"
#include "drivers/fb.h"
#include "drivers/hwrng.h"
#include "drivers/pci.h"
#include "drivers/usb.h"
#include "drivers/timer.h"
#include "drivers/debugcon.h"
#include "pxvm/host.h"
#include "pxvm/sched.h"
#include "pxvm/hv.h"
#include "pxvm/py/pyproc.h"

/* The boot CPU's kernel stack; entry.asm loads kernel_stack_top into RSP. */
static uint8_t kernel_stack[KSTACK_SIZE] __attribute__((aligned(16)));
void *const kernel_stack_top = kernel_stack + sizeof(kernel_stack);

static struct fb screen;
static struct pxfs rootfs;

void kmain(struct pxos_bootinfo *bi) __attribute__((noreturn));

/* debug_console_init: the test-only debug console (drivers/debugcon.h) when
 * the `debugcon` option asks for it (bare: port 0xE9, or debugcon=PORT). */
static void debug_console_init(void)
{
	const char *opt = cmdline_get("debugcon");
	uint64_t port = DEBUGCON_PORT;
	if (!opt || (*opt && (parse_u64(opt, &port) || !port || port > 0xFFFF)))
		return;
	debugcon_init((uint16_t)port);
}

static void log_level_init(void)
{
	const char *lv = cmdline_get("loglevel");
	if (!lv)
		return;
	if (!strcmp(lv, "debug")) klog_set_level(KLOG_DEBUG);
	else if (!strcmp(lv, "info")) klog_set_level(KLOG_INFO);
	else if (!strcmp(lv, "warn")) klog_set_level(KLOG_WARN);
	else if (!strcmp(lv, "error")) klog_set_level(KLOG_ERROR);
	else kwarn("kernel", "loglevel=%s unknown (debug, info, warn, error)", lv);
}

/* screen_init: the GOP framebuffer, the VRAM substrate on it, and the screen
 * console in its kernel region. Without a usable framebuffer the kernel goes
 * on with the serial console alone. */
static void screen_init(const struct pxos_bootinfo *bi, int fb_ok)
{
	const struct pxos_framebuffer *f = &bi->fb;
	uint32_t masks[4] = { f->mask_red, f->mask_green, f->mask_blue, f->mask_reserved };
	if (f->absent) {
		kwarn("fb", "no framebuffer: %s: headless, 0 visible process slots, the serial console is the only console",
		      bootinfo_fb_absent_text(f->absent));
		return;
	}
	if (!fb_ok || fb_init(&screen, (void *)(uintptr_t)f->base, f->width, f->height, f->stride, f->format, masks)) {
		kerror("fb", "framebuffer from the loader unusable (%ux%u stride %u format %u); serial only",
		       f->width, f->height, f->stride, f->format);
		return;
	}
	kinfo("fb", "GOP mode %u: %ux%u %s, stride %u pixels, at 0x%llx", f->mode, f->width, f->height,
	      fb_format_name(&screen), f->stride, (unsigned long long)f->base);
	if (vram_init(&screen) != 0) {
		kerror("vram", "screen %ux%u too small for the substrate (needs room for one 128x128 slot)",
		       f->width, f->height);
		return;
	}
	const struct vram_layout *L = vram_layout();
	const struct vram_rect *k = &L->body[VR_KERNEL];
	console_attach(&screen, L->font, k->x + 4, k->y, k->w - 8, k->h);
	for (int r = 0; r < VR_COUNT; r++)
		kinfo("vram", "region %-9s y=%-4d h=%d", vram_region_name((enum vram_region)r), L->region[r].y,
		      L->region[r].h);
	kinfo("vram", "%u process slots of 128x128 tile + 128x128 canvas", L->nslots);
}

static const struct pxos_bootinfo *boot_info;

static void status_line(const struct pxos_bootinfo *bi)
{
	char buf[200], kbd[40];
	input_keyboards_short(kbd, sizeof(kbd));
	/* Most telling first: a 640-pixel screen shows about 80 characters. */
	snprintf(buf, sizeof(buf), "pxOS %s | %ux%u %s | serial %s | %s | tick %s (TSC %s) | %u slots | %u files | loader->kernel %llu ms",
	         PXOS_VERSION_STRING, screen.width, screen.height, screen.base ? fb_format_name(&screen) : "-",
	         uartsel_name(), kbd, irq_tick_name(), timer_source(), vram_ready() ? vram_layout()->nslots : 0, rootfs.good,
	         (unsigned long long)(timer_tsc_hz() ? (bi->tsc_at_exit - bi->tsc_at_entry) * 1000 / timer_tsc_hz() : 0));
	vram_status(buf);
}

/* status_refresh: a keyboard came or went (kernel/input.c). */
static void status_refresh(void) { status_line(boot_info); }

static void start_init(void)
{
	const char *path = cmdline_get("init");
	if (!path || !*path)
		path = "/boot/init";
	int pid = sched_spawn(path, cmdline_get("initargs"), 0);
	if (pid < 0) {
		kerror("init", "cannot start %s: %s", path, pxvm_error_text((uint32_t)-pid));
		return;
	}
	kinfo("init", "started %s as pid %d", path, pid);
}

/* main_loop: run processes for ever. Interrupts are on: their handlers fill
 * the input rings, and pxhost_poll (between quanta) moves the bytes on and
 * opens the monitor on its hot key. When processes are alive but none can
 * run, the CPU halts until an interrupt; when none is alive, the monitor
 * takes over until `continue` or `run`. */
static void main_loop(void) __attribute__((noreturn));
static void main_loop(void)
{
	console_defer(); /* from now on the screen console is drawn between quanta */
	for (;;) {
		if (sched_run(0) > 0) {
			pxhost_poll();
			pxhost_idle(0);
			continue;
		}
		kinfo("kernel", "no process is alive (%llu instructions run in all)",
		      (unsigned long long)sched_total_steps());
		monitor_enter("all processes have ended");
	}
}

void kmain(struct pxos_bootinfo *bi)
{
	const char *why;
	int fb_ok;
	int bi_ok = bootinfo_check(bi, &why, &fb_ok) == 0;
	cmdline_init(bi_ok ? bi->cmdline : "");
	debug_console_init();
	uartsel_early(cmdline_get("serial"));
	if (!bi_ok) {
		kerror("kernel", "boot info rejected: %s", why);
		halt_forever();
	}
	power_init();
	gdt_init();
	idt_init();
	panic_set_symbols((const void *)(uintptr_t)bi->symtab, bi->symtab_size,
	                  (const char *)(uintptr_t)bi->strtab, bi->strtab_size);
	kinfo("kernel", "pxOS kernel %s starting", PXOS_VERSION_STRING);
	if (debugcon_port())
		kinfo("kernel", "debug console (a test channel) on I/O port 0x%x", debugcon_port());
	log_level_init();
	const char *pe = cmdline_get("panic");
	power_set_panic_exit(pe && !strcmp(pe, "exit"));
	if (*cmdline_raw())
		kinfo("kernel", "command line: %s", cmdline_raw());
	if (pmm_init(bi) != 0)
		panic("kmain: the UEFI memory map has no usable memory");
	kinfo("pmm", "%zu MiB free for the kernel", pmm_free_pages() / 256);
	pymem_init(); /* first: the Python arena at the same address in every boot */
	vmm_init(bi, fb_ok);
	hwinfo_init(bi);
	acpi_init(bi->acpi_rsdp);
	pci_init();
	uartsel_choose(bi);
	hwinfo_add("serial", uartsel_report);
	clock_init(bi->tsc_at_entry);
	usb_init();     /* before the PS/2 controller: the xHCI handoff ends the BIOS's PS/2 emulation */
	irq_init(cmdline_get("irq"), cmdline_get("tick"));
	bool fpu_ok = fpu_init();
	if (power_under_qemu())
		kinfo("kernel", "running under QEMU (%s)", power_hypervisor_name());
	hwrng_boot_seed(cmdline_get("seed"));
	hv_init();
	screen_init(bi, fb_ok);
	ramdisk_mount(bi, &rootfs);
	sched_init(&rootfs, vram_ready() ? vram_layout()->nslots : 0);
	if (fpu_ok)
		py_proc_init(); /* .py programs and RUN_PYTHON start Python processes */
	boot_info = bi;
	status_line(bi);
	input_keyboards_report();
	input_keyboards_watch(status_refresh);
	persist_init(); /* before the handshake, which asks the bridge for /home */
	bridge_init((uint32_t)hwrng_entropy64(NULL), input_poll);
	kinfo("kernel", "boot took %llu ms from loader entry", (unsigned long long)(timer_us() / 1000));
	if (!snapshot_resume(bi, &rootfs, vram_ready() ? vram_layout()->nslots : 0))
		start_init();
	main_loop();
}
