/*
 * pic8259.h — the legacy 8259A interrupt controllers (Intel 8259A datasheet).
 * pxOS does not use them; they are remapped to vectors 0x20..0x2F (away from CPU
 * exceptions) and fully masked, so a stray legacy IRQ can never look like #DF.
 */
#ifndef PXOS_PIC8259_H
#define PXOS_PIC8259_H

/* pic_disable: remap both PICs to vectors 0x20..0x2F and mask every line. */
void pic_disable(void);

#endif /* PXOS_PIC8259_H */
