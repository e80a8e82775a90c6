/*
 * handoff.c — ExitBootServices and the jump to the kernel; see handoff.h.
 */
#include "boot/handoff.h"
#include "drivers/portio.h"

#include <efilib.h>

#define MSR_EFER   0xC0000080u
#define EFER_NXE   (1u << 11)
#define CR4_LA57   (1ull << 12)

static uint64_t read_cr4(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

void handoff_cpu_features(struct handoff_cpu *c)
{
	uint32_t a, b, cx, d;
	cpuid(0x80000000u, 0, &a, &b, &cx, &d);
	c->page1gb = c->nx = false;
	if (a >= 0x80000001u) {
		cpuid(0x80000001u, 0, &a, &b, &cx, &d);
		c->page1gb = (d >> 26) & 1;
		c->nx = (d >> 20) & 1;
	}
	c->la57 = (read_cr4() & CR4_LA57) != 0;
}

EFI_STATUS handoff_exit_boot_services(EFI_HANDLE image, void *mmap, UINTN cap,
				      struct pxos_bootinfo *bi, bool *called)
{
	EFI_STATUS st = EFI_INVALID_PARAMETER;
	*called = false;
	for (int attempt = 0; attempt < HANDOFF_EBS_TRIES; attempt++) {
		UINTN size = cap, key = 0, desc_size = 0;
		UINT32 desc_version = 0;
		st = uefi_call_wrapper(BS->GetMemoryMap, 5, &size, (EFI_MEMORY_DESCRIPTOR *)mmap, &key,
				       &desc_size, &desc_version);
		if (EFI_ERROR(st))
			return st;
		/* Nothing between these two calls may allocate or print. */
		*called = true;
		st = uefi_call_wrapper(BS->ExitBootServices, 2, image, key);
		if (st == EFI_SUCCESS) {
			bi->mmap = (uint64_t)(UINTN)mmap;
			bi->mmap_size = size;
			bi->mmap_desc_size = desc_size;
			bi->mmap_desc_version = desc_version;
			return EFI_SUCCESS;
		}
		if (st != EFI_INVALID_PARAMETER)
			return st;
	}
	return st;
}

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

void handoff_jump(uint64_t pml4, uint64_t entry, struct pxos_bootinfo *bi, bool nxe)
{
	__asm__ volatile("cli" ::: "memory");
	if (nxe)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	__asm__ volatile(
		"mov %0, %%cr3\n\t"
		/* CR3 loads keep global TLB entries: toggle CR4.PGE to drop them. */
		"mov %%cr4, %%rax\n\t"
		"test $0x80, %%eax\n\t"
		"jz 1f\n\t"
		"mov %%rax, %%rcx\n\t"
		"and $~0x80, %%rcx\n\t"
		"mov %%rcx, %%cr4\n\t"
		"mov %%rax, %%cr4\n\t"
		"1:\n\t"
		/* As after a CALL: RSP + 8 is 16-byte aligned at the entry point. */
		"and $-16, %%rsp\n\t"
		"push $0\n\t"
		"xor %%ebp, %%ebp\n\t"
		"jmp *%1\n\t"
		:
		: "r"(pml4), "r"(entry), "D"(bi)
		: "rax", "rcx", "memory");
	__builtin_unreachable();
}
