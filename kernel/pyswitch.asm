; pyswitch.asm — the stack switch of Python processes (pxvm/py/pyproc.h,
; docs/python.md): each Python process runs MicroPython on a C stack of its
; own, and the scheduler's stack and a process's stack hand the CPU to each
; other here. Built into the kernel and, unchanged, into the host tools
; (the System V AMD64 ABI is the same; FXSAVE is not privileged).
;
; py_switch(void **save_sp, void *new_sp, void *fx_save, const void *fx_load)
;   RDI save_sp  where the current stack pointer is stored
;   RSI new_sp   the stack pointer to continue on (one py_switch saved, or a
;                fresh stack laid out by py_stack_init: 6 zero registers and
;                the address of the function to start)
;   RDX fx_save  NULL, or 512 bytes, 16-aligned: FXSAVE of the x87/SSE state
;                (with MXCSR) of the code being left (Intel SDM vol. 1
;                §10.5, vol. 2A FXSAVE)
;   RCX fx_load  NULL, or an FXSAVE image to load for the code resumed
; The callee-saved registers of the ABI (RBX, RBP, R12-R15) are pushed on
; the old stack and popped from the new one; every other register is
; caller-saved at a call, so nothing else needs keeping. The kernel proper
; is built without SSE: only a Python process's own state is saved and
; loaded (fx_save on its way out, fx_load on its way in), so its XMM
; registers and MXCSR are its own whatever ran in between.

bits 64
section .text
global py_switch:function

py_switch:
	push rbp
	push rbx
	push r12
	push r13
	push r14
	push r15
	test rdx, rdx
	jz .saved
	fxsave64 [rdx]
.saved:
	mov [rdi], rsp
	mov rsp, rsi
	test rcx, rcx
	jz .loaded
	fxrstor64 [rcx]
.loaded:
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret

section .note.GNU-stack noalloc noexec nowrite progbits
