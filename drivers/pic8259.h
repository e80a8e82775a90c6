/*
 * pic8259.h — the legacy 8259A interrupt controller pair (Intel 8259A
 * datasheet, PC/AT wiring: the slave's INT on master IR2).
 *
 * pxOS routes its few legacy interrupts (PIT, keyboard, COM ports) through the
 * 8259s: they are remapped to vectors 0x20..0x2F, away from CPU exceptions, and
 * every line starts masked; drivers unmask the lines they serve. The 8259 in
 * the firmware's "virtual wire" mode (LAPIC LINT0 = ExtINT, as UEFI firmware
 * leaves it) reaches the CPU without any LAPIC or IOAPIC programming.
 */
#ifndef PXOS_PIC8259_H
#define PXOS_PIC8259_H

#include <stdbool.h>
#include <stdint.h>

#define PIC_VECTOR_BASE 0x20u   /* IRQ n arrives on vector 0x20 + n */
#define PIC_IRQ_COUNT   16u

/* pic_init: ICW1..ICW4 on both chips (edge triggered, cascade on IR2, 8086
 * mode, normal EOI), vectors 0x20..0x2F, every line masked. */
void pic_init(void);

/* pic_unmask / pic_mask: let IRQ `irq` (0..15) through, or hold it back.
 * Unmasking a slave line (8..15) also unmasks the cascade line IRQ2. */
void pic_unmask(unsigned irq);
void pic_mask(unsigned irq);

/* pic_eoi: end of interrupt for IRQ `irq` (0..15): a non-specific EOI to the
 * slave (for 8..15) and to the master. */
void pic_eoi(unsigned irq);

/* pic_spurious: for IRQ 7 or 15 only: whether the interrupt is spurious (its
 * in-service bit is clear: the request went away before the CPU acknowledged
 * it; datasheet "interrupt sequence"). A spurious IRQ 7 needs no EOI; a
 * spurious IRQ 15 needs an EOI to the master only: this sends it. Returns
 * false for a real IRQ (the caller handles it and calls pic_eoi). */
bool pic_spurious(unsigned irq);

/* pic_isr / pic_irr: the in-service and request registers of both chips
 * (bit n = IRQ n), for diagnostics. */
uint16_t pic_isr(void);
uint16_t pic_irr(void);

/* pic_mask_bits: the current mask (bit n set = IRQ n masked). */
uint16_t pic_mask_bits(void);

#endif /* PXOS_PIC8259_H */
