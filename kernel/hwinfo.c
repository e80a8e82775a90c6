/*
 * hwinfo.c — the hardware report and its basic topics; see hwinfo.h.
 */
#include "hwinfo.h"
#include "clock.h"
#include "irq.h"
#include "klog.h"
#include "lib.h"
#include "param.h"
#include "pmm.h"
#include "uartsel.h"
#include "vram.h"
#include "drivers/acpi.h"
#include "drivers/ioapic.h"
#include "drivers/pci.h"
#include "drivers/portio.h"
#include "drivers/rtc.h"
#include "drivers/timer.h"
#include "drivers/uart16550.h"
#include "drivers/usb.h"
#include "input.h"

static struct {
	const char *topic;
	hwinfo_fn fn;
} providers[HWINFO_MAX];
static unsigned nproviders;
static struct pxos_framebuffer fb;
static uint64_t mmap_top;

int hwinfo_add(const char *topic, hwinfo_fn fn)
{
	if (nproviders == HWINFO_MAX) {
		kwarn("hwinfo", "no room for the %s report (HWINFO_MAX %u)", topic, HWINFO_MAX);
		return -1;
	}
	providers[nproviders].topic = topic;
	providers[nproviders++].fn = fn;
	return 0;
}

static void cpu_info(void)
{
	uint32_t a, b, c, d, max, vendor[4] = { 0 }, brand[13] = { 0 };
	cpuid(0, 0, &max, &vendor[0], &vendor[2], &vendor[1]);
	cpuid(1, 0, &a, &b, &c, &d);
	unsigned family = (a >> 8) & 0xF, model = (a >> 4) & 0xF;
	if (family == 0xF)
		family += (a >> 20) & 0xFF;
	if (family >= 6)
		model |= ((a >> 16) & 0xF) << 4;
	uint32_t ext;
	cpuid(0x80000000u, 0, &ext, &b, &c, &d);
	if (ext >= 0x80000004u)
		for (uint32_t i = 0; i < 3; i++)
			cpuid(0x80000002u + i, 0, &brand[4 * i], &brand[4 * i + 1], &brand[4 * i + 2], &brand[4 * i + 3]);
	const char *name = (const char *)brand;
	while (*name == ' ')
		name++;
	const struct madt_info *m = ioapic_madt();
	kprintf("cpu: %s \"%s\", family %u model %u stepping %u; %u CPUs (MADT), pxOS uses 1\n",
	        (const char *)vendor, *name ? name : "?", family, model, a & 0xF, m ? m->cpus : 1);
}

static void memory_info(void)
{
	kprintf("memory: %zu MiB usable, %zu MiB free; physical map reaches 0x%llx\n", pmm_total_pages() / 256,
	        pmm_free_pages() / 256, (unsigned long long)mmap_top);
}

static void acpi_info(void)
{
	const struct acpi_info *a = acpi_get();
	if (!a->present) {
		kprintf("acpi: none (no valid RSDP or root table)\n");
		return;
	}
	char list[4 * 5 * 32 + 1];
	unsigned k = 0;
	for (uint32_t i = 0; i < a->table_count && k + 6 < sizeof(list); i++) {
		char sig[5];
		if (acpi_table_signature(i, sig))
			k += (unsigned)snprintf(list + k, sizeof(list) - k, " %s", sig);
	}
	list[k] = '\0';
	kprintf("acpi: revision %u, OEM %s, %u tables:%s\n", a->revision, a->oem_id, a->table_count, list);
	kprintf("acpi: PM timer %s, reset register %s, 8042 %s\n", a->pm_timer_port ? "yes" : "no",
	        a->has_reset_reg ? "yes" : "no", a->has_8042 ? "present (or not said)" : "absent");
}

static void screen_info(void)
{
	if (!fb.base) {
		kprintf("screen: none: no GOP framebuffer from the loader (headless; see the loader's log for why)\n");
		return;
	}
	static const char *const fmt[] = { "RGBX8", "BGRX8", "bitmask" };
	kprintf("screen: GOP mode %u, %ux%u %s, stride %u pixels, framebuffer 0x%llx (%llu KiB); %u process slots\n",
	        fb.mode, fb.width, fb.height, fb.format <= 2 ? fmt[fb.format] : "?", fb.stride,
	        (unsigned long long)fb.base, (unsigned long long)(fb.size / 1024),
	        vram_ready() ? vram_layout()->nslots : 0);
}

static void pci_info(void)
{
	kprintf("pci: %u functions, configuration space through %s\n", pci_count(), pci_method());
	for (unsigned i = 0; i < pci_count(); i++) {
		const struct pci_dev *d = pci_get(i);
		char cls[48];
		kprintf("pci: %04x:%02x:%02x.%u %04x:%04x %s\n", d->seg, d->bus, d->dev, d->fn, d->vendor, d->device,
		        pci_class_name(d->class_code, d->subclass, d->prog_if, cls, sizeof(cls)));
	}
}

static void console_info(void)
{
	if (uart_present())
		kprintf("console: serial on %s (the serial: lines say why)\n", uartsel_name());
	else
		kprintf("console: no serial port\n");
	char kbd[160];
	input_keyboards_text(kbd, sizeof(kbd));
	kprintf("console: keyboards: %s\n", kbd);
}

static void time_info(void)
{
	struct rtc_time t;
	uint64_t limit = timer_tsc_hz() ? timer_tsc_hz() : TIMER_MAX_HZ; /* 1 s */
	if (rtc_read(&t, limit))
		kprintf("clock: RTC %04u-%02u-%02u %02u:%02u:%02u, up %llu s\n", t.year, t.month, t.day, t.hour,
		        t.minute, t.second, (unsigned long long)(timer_us() / 1000000));
	else
		kprintf("clock: RTC unreadable, up %llu s\n", (unsigned long long)(timer_us() / 1000000));
}

void hwinfo_init(const struct pxos_bootinfo *bi)
{
	fb = bi->fb;
	if (!bi->fb.base || !bi->fb.width)
		fb.base = 0;
	const uint8_t *p = (const uint8_t *)(uintptr_t)bi->mmap;
	for (uint64_t off = 0; off + bi->mmap_desc_size <= bi->mmap_size; off += bi->mmap_desc_size) {
		const struct pxos_mmap_desc *d = (const struct pxos_mmap_desc *)(const void *)(p + off);
		uint64_t end = d->phys_start + d->num_pages * 4096;
		if (end > mmap_top)
			mmap_top = end;
	}
	hwinfo_add("cpu", cpu_info);
	hwinfo_add("memory", memory_info);
	hwinfo_add("acpi", acpi_info);
	hwinfo_add("screen", screen_info);
	hwinfo_add("pci", pci_info);
	hwinfo_add("clock", time_info);
	hwinfo_add("console", console_info);
	hwinfo_add("timer", clock_hwinfo);
	hwinfo_add("interrupts", irq_hwinfo);
	hwinfo_add("usb", usb_hwinfo);
}

void hwinfo_print(void)
{
	kprintf("pxOS %s hardware report (hwinfo)\n", PXOS_VERSION_STRING);
	for (unsigned i = 0; i < nproviders; i++)
		providers[i].fn();
	kprintf("end of hardware report\n");
}
