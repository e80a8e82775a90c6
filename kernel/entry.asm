; entry.asm — the kernel's first instructions.
;
; The loader jumps here (boot/bootinfo.h "Handoff state") with RDI = the boot
; info, interrupts off, on the firmware's stack, GDT and IDT. Leave the firmware
; stack at once (its pages are boot-services memory the page allocator reuses),
; zero the frame pointer so backtraces stop at kmain, and call kmain(bootinfo)
; with the SysV alignment (RSP + 8 a multiple of 16 at the callee's entry).

bits 64
section .text.entry
global _start:function
extern kmain
extern kernel_stack_top         ; kernel/main.c: end of the KSTACK_SIZE boot stack

_start:
	cli
	cld
	mov rsp, [rel kernel_stack_top]
	xor ebp, ebp
	call kmain
.hang:
	cli
	hlt
	jmp .hang

section .note.GNU-stack noalloc noexec nowrite progbits
