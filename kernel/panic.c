/*
 * panic.c — panic, symbolised backtraces, halting; see panic.h.
 */
#include <stdarg.h>
#include "panic.h"
#include "klog.h"
#include "console.h"
#include "lib.h"
#include "cpu.h"
#include "param.h"
#include "power.h"
#include "boot/bootinfo.h"

/* ELF64 symbol (System V gABI, "Symbol Table"). */
struct elf64_sym {
	uint32_t st_name;
	uint8_t st_info;
	uint8_t st_other;
	uint16_t st_shndx;
	uint64_t st_value;
	uint64_t st_size;
};
#define STT_FUNC 2

static const struct elf64_sym *syms;
static uint64_t nsyms;
static const char *strs;
static uint64_t strs_size;
static volatile int panicking;

extern char __kernel_start[], __kernel_end[];

void panic_set_symbols(const void *symtab, uint64_t symtab_size, const char *strtab, uint64_t strtab_size)
{
	if (!symtab || !strtab || symtab_size < sizeof(struct elf64_sym) || !strtab_size)
		return;
	syms = symtab;
	nsyms = symtab_size / sizeof(struct elf64_sym);
	strs = strtab;
	strs_size = strtab_size;
}

const char *panic_symbolize(uint64_t addr, uint64_t *offset)
{
	const struct elf64_sym *best = 0;
	for (uint64_t i = 0; i < nsyms; i++) {
		const struct elf64_sym *s = &syms[i];
		if ((s->st_info & 0xF) != STT_FUNC || s->st_value > addr || s->st_name >= strs_size)
			continue;
		if (s->st_size && addr >= s->st_value + s->st_size)
			continue;
		if (!best || s->st_value > best->st_value)
			best = s;
	}
	if (!best)
		return 0;
	*offset = addr - best->st_value;
	return strs + best->st_name;
}

static int kernel_address(uint64_t a)
{
	return a >= (uint64_t)(uintptr_t)__kernel_start && a < (uint64_t)(uintptr_t)__kernel_end;
}

void panic_backtrace(uint64_t rbp, int max)
{
	for (int i = 1; i <= max && rbp; i++) {
		/* Frames live on kernel stacks, inside the kernel image (.bss). */
		if (!kernel_address(rbp) || (rbp & 7)) {
			kprintf("  (frame pointer %016llx leaves the kernel stacks)\n", (unsigned long long)rbp);
			return;
		}
		const uint64_t *frame = (const uint64_t *)(uintptr_t)rbp;
		uint64_t ret = frame[1];
		if (!ret)
			return;
		uint64_t off;
		const char *name = panic_symbolize(ret - 1, &off);
		if (name)
			kprintf("  #%d %016llx <%s+0x%llx>\n", i, (unsigned long long)ret, name, (unsigned long long)(off + 1));
		else
			kprintf("  #%d %016llx\n", i, (unsigned long long)ret);
		if (frame[0] <= rbp)
			return; /* stacks grow down: the caller's frame must be above */
		rbp = frame[0];
	}
}

void panic_print_control_regs(void)
{
	kprintf("  CR0 %016llx  CR2 %016llx  CR3 %016llx  CR4 %016llx\n",
	        (unsigned long long)read_cr0(), (unsigned long long)read_cr2(),
	        (unsigned long long)read_cr3(), (unsigned long long)read_cr4());
}

void panic(const char *fmt, ...)
{
	cli();
	if (panicking++) {
		power_panic_exit();
		halt_forever();
	}
	char msg[KLOG_LINE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	uint64_t rbp = read_rbp();
	uint64_t rsp;
	__asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
	console_grow_to_bottom();
	console_set_color(PANIC_COLOR);
	kprintf("\n*** PANIC: %s\n", msg);
	kprintf("  RSP %016llx  RBP %016llx  RFLAGS %016llx\n", (unsigned long long)rsp,
	        (unsigned long long)rbp, (unsigned long long)read_rflags());
	panic_print_control_regs();
	kprintf("backtrace:\n");
	panic_backtrace(rbp, 16);
	kprintf("system halted.\n");
	power_panic_exit();
	halt_forever();
}
