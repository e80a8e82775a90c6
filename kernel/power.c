/*
 * power.c — QEMU exit, reset; see power.h.
 */
#include "power.h"
#include "param.h"
#include "cpu.h"
#include "drivers/acpi.h"
#include "pxvm/port.h"

static char hv_name[13];
static bool under_qemu;
static bool exit_on_panic;

void power_set_panic_exit(bool on) { exit_on_panic = on; }

void power_panic_exit(void)
{
	if (exit_on_panic)
		power_exit_qemu(PXOS_EXIT_PANIC);
}

void power_init(void)
{
	uint32_t a, b, c, d;
	cpuid(1, 0, &a, &b, &c, &d);
	if (!(c & (1u << 31)))
		return; /* no hypervisor */
	cpuid(0x40000000, 0, &a, &b, &c, &d);
	memcpy(hv_name + 0, &b, 4);
	memcpy(hv_name + 4, &c, 4);
	memcpy(hv_name + 8, &d, 4);
	hv_name[12] = '\0';
	under_qemu = memcmp(hv_name, "TCGTCGTCGTCG", 12) == 0 || memcmp(hv_name, "KVMKVMKVM", 9) == 0;
}

bool power_under_qemu(void) { return under_qemu; }
const char *power_hypervisor_name(void) { return hv_name; }

void power_exit_qemu(uint8_t code)
{
	if (under_qemu)
		outl(DEBUG_EXIT_PORT, code);
}

void power_reset(void)
{
	cli();
	const struct acpi_info *ai = acpi_get();
	if (ai->has_reset_reg)
		outb(ai->reset_port, ai->reset_value);
	/* 8042 keyboard controller: pulse the reset line. */
	for (int i = 0; i < 100000 && (inb(0x64) & 0x02); i++)
		cpu_pause();
	outb(0x64, 0xFE);
	/* Last resort: an empty IDT turns the next interrupt into a triple fault. */
	struct dtr empty = { 0, 0 };
	__asm__ volatile("lidt %0; int3" : : "m"(empty));
	halt_forever();
}
