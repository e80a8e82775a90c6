/*
 * idt.h — the interrupt descriptor table (Intel SDM vol. 3A §6.10-6.14).
 */
#ifndef PXOS_IDT_H
#define PXOS_IDT_H

/* idt_init: fill and load the IDT: all 256 vectors through isr_stub_table
 * (kernel/isr.asm, which enters kernel/trap.c), #DF, NMI and #MC on their own
 * IST stacks (kernel/gdt.c's TSS). */
void idt_init(void);

#endif /* PXOS_IDT_H */
