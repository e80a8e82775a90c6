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

_start:
	cli
	cld
	mov rsp, kernel_stack_top
	xor ebp, ebp
	call kmain
.hang:
	cli
	hlt
	jmp .hang

section .bss
align 16
global kernel_stack_bottom
kernel_stack_bottom:
	resb 65536              ; KSTACK_SIZE in kernel/param.h
global kernel_stack_top
kernel_stack_top:

section .note.GNU-stack noalloc noexec nowrite progbits
