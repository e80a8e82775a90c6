/*
 * trap.c — the C side of interrupts and CPU exceptions; see trap.h.
 */
#include <stdint.h>
#include "trap.h"
#include "cpu.h"
#include "klog.h"
#include "console.h"
#include "panic.h"
#include "power.h"
#include "param.h"
#include "drivers/uart16550.h"

static irq_handler_fn handlers[256];
static volatile int exception_depth;
static volatile uint64_t unexpected;
static volatile unsigned last_unexpected;

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved 15", "#MF x87 floating point", "#AC alignment check",
	"#MC machine check", "#XM SIMD floating point", "#VE virtualization",
	"#CP control protection", "reserved 22", "reserved 23", "reserved 24",
	"reserved 25", "reserved 26", "reserved 27", "#HV hypervisor injection",
	"#VC VMM communication", "#SX security", "reserved 31",
};

const char *trap_exception_name(unsigned vector)
{
	return vector < 32 ? exception_names[vector] : "interrupt";
}

int trap_register(unsigned vector, irq_handler_fn fn)
{
	if (vector < 32 || vector > 255)
		return -1;
	handlers[vector] = fn;
	return 0;
}

uint64_t trap_unexpected(unsigned *last_vector)
{
	*last_vector = last_unexpected;
	return unexpected;
}

static void print_symbol(uint64_t addr)
{
	uint64_t off;
	const char *name = panic_symbolize(addr, &off);
	if (name)
		kprintf(" <%s+0x%llx>", name, (unsigned long long)off);
}

static void dump_exception(const struct trapframe *tf)
{
	console_grow_to_bottom();
	console_set_color(PANIC_COLOR);
	kprintf("\n*** CPU EXCEPTION %llu %s, error code 0x%llx",
	        (unsigned long long)tf->vector, trap_exception_name((unsigned)tf->vector),
	        (unsigned long long)tf->error);
	if (tf->vector == 14)
		kprintf(" (%s, %s, %s%s)", (tf->error & 1) ? "protection violation" : "page not present",
		        (tf->error & 2) ? "write" : "read", (tf->error & 4) ? "user" : "kernel",
		        (tf->error & 16) ? ", instruction fetch" : "");
	kprintf("\n  RIP %016llx", (unsigned long long)tf->rip);
	print_symbol(tf->rip);
	kprintf("\n  CS %04llx  SS %04llx  RFLAGS %016llx\n", (unsigned long long)tf->cs,
	        (unsigned long long)tf->ss, (unsigned long long)tf->rflags);
	panic_print_control_regs();
	kprintf("  RAX %016llx  RBX %016llx  RCX %016llx  RDX %016llx\n",
	        (unsigned long long)tf->rax, (unsigned long long)tf->rbx,
	        (unsigned long long)tf->rcx, (unsigned long long)tf->rdx);
	kprintf("  RSI %016llx  RDI %016llx  RBP %016llx  RSP %016llx\n",
	        (unsigned long long)tf->rsi, (unsigned long long)tf->rdi,
	        (unsigned long long)tf->rbp, (unsigned long long)tf->rsp);
	kprintf("  R8  %016llx  R9  %016llx  R10 %016llx  R11 %016llx\n",
	        (unsigned long long)tf->r8, (unsigned long long)tf->r9,
	        (unsigned long long)tf->r10, (unsigned long long)tf->r11);
	kprintf("  R12 %016llx  R13 %016llx  R14 %016llx  R15 %016llx\n",
	        (unsigned long long)tf->r12, (unsigned long long)tf->r13,
	        (unsigned long long)tf->r14, (unsigned long long)tf->r15);
	kprintf("backtrace:\n  #0 %016llx", (unsigned long long)tf->rip);
	print_symbol(tf->rip);
	kprintf("\n");
	panic_backtrace(tf->rbp, 16);
	kprintf("system halted.\n");
}

void trap_dispatch(struct trapframe *tf)
{
	if (tf->vector >= 32) {
		if (handlers[tf->vector]) {
			handlers[tf->vector](tf);
		} else {
			/* Interrupt context: count it (monitor `irq`), never print. */
			unexpected++;
			last_unexpected = (unsigned)tf->vector;
		}
		return;
	}
	if (++exception_depth > 1) {
		/* Faulted while reporting a fault: the console itself may be broken. */
		static const char msg[] = "\n*** nested CPU exception while reporting one; halting\n";
		uart_write(msg, sizeof(msg) - 1);
		power_panic_exit();
		halt_forever();
	}
	dump_exception(tf);
	power_panic_exit();
	halt_forever();
}
