/*
 * gdt.h — the kernel's GDT and TSS (Intel SDM vol. 3A §3.4.5, §7.7).
 * pxOS runs everything in ring 0 (guests are interpreted, not run natively), so
 * the GDT holds one 64-bit code and one data segment plus a TSS whose interrupt
 * stack table gives #DF, NMI and #MC known-good stacks.
 */
#ifndef PXOS_GDT_H
#define PXOS_GDT_H

#define GDT_KERNEL_CODE 0x08
#define GDT_KERNEL_DATA 0x10
#define GDT_TSS         0x18

#define IST_DOUBLE_FAULT 1
#define IST_NMI          2
#define IST_MACHINE_CHECK 3

/* gdt_init: load the GDT, reload every segment register, load the TSS. */
void gdt_init(void);

#endif /* PXOS_GDT_H */
