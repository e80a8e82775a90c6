/*
 * gdt.c — GDT and TSS; see gdt.h.
 */
#include <stdint.h>
#include "gdt.h"
#include "cpu.h"
#include "param.h"

struct __attribute__((packed)) tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
};

static struct tss64 tss;
static uint8_t ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));

/* 0: null, 1: code64, 2: data, 3-4: TSS (a 16-byte system descriptor). */
static uint64_t gdt[5];

static uint64_t code_data_descriptor(int code)
{
	/* Base and limit are ignored in long mode; P=1, DPL=0, S=1. */
	uint64_t d = (1ull << 47) | (1ull << 44);
	if (code)
		d |= (1ull << 43) | (1ull << 41) | (1ull << 53); /* executable, readable, L=1 */
	else
		d |= (1ull << 41) | (1ull << 55) | (1ull << 54) | (0xFull << 48) | 0xFFFFull; /* writable */
	return d;
}

void gdt_init(void)
{
	for (int i = 0; i < 3; i++)
		tss.ist[i] = (uint64_t)(uintptr_t)&ist_stacks[i][IST_STACK_SIZE];
	tss.iomap_base = sizeof(tss); /* no I/O permission bitmap */

	uint64_t base = (uint64_t)(uintptr_t)&tss;
	uint64_t limit = sizeof(tss) - 1;
	gdt[0] = 0;
	gdt[1] = code_data_descriptor(1);
	gdt[2] = code_data_descriptor(0);
	gdt[3] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x9ull << 40) /* available 64-bit TSS */
	         | (1ull << 47) | (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
	gdt[4] = base >> 32;

	struct dtr d = { sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt };
	__asm__ volatile(
		"lgdt %0\n\t"
		"pushq %1\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movw %w2, %%ax\n\t"
		"movw %%ax, %%ds\n\t"
		"movw %%ax, %%es\n\t"
		"movw %%ax, %%ss\n\t"
		"xorl %%eax, %%eax\n\t"
		"movw %%ax, %%fs\n\t"
		"movw %%ax, %%gs\n\t"
		:
		: "m"(d), "i"(GDT_KERNEL_CODE), "i"(GDT_KERNEL_DATA)
		: "rax", "memory");
	__asm__ volatile("ltr %w0" : : "r"((uint16_t)GDT_TSS));
}
