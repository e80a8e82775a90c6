/*
 * idt.c — the interrupt descriptor table (Intel SDM vol. 3A §6.14.1).
 */
#include <stdint.h>
#include "idt.h"
#include "trap.h"
#include "gdt.h"
#include "cpu.h"

struct __attribute__((packed)) idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
};

extern const uint64_t isr_stub_table[256];
static struct idt_gate idt[256] __attribute__((aligned(16)));

static void set_gate(unsigned v, uint64_t handler, uint8_t ist)
{
	idt[v].offset_lo = (uint16_t)handler;
	idt[v].selector = GDT_KERNEL_CODE;
	idt[v].ist = ist;
	idt[v].type_attr = 0x8E; /* present, DPL 0, 64-bit interrupt gate */
	idt[v].offset_mid = (uint16_t)(handler >> 16);
	idt[v].offset_hi = (uint32_t)(handler >> 32);
	idt[v].reserved = 0;
}

void idt_init(void)
{
	for (unsigned v = 0; v < 256; v++)
		set_gate(v, isr_stub_table[v], 0);
	set_gate(2, isr_stub_table[2], IST_NMI);
	set_gate(8, isr_stub_table[8], IST_DOUBLE_FAULT);
	set_gate(18, isr_stub_table[18], IST_MACHINE_CHECK);
	struct dtr d = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };
	__asm__ volatile("lidt %0" : : "m"(d));
}
