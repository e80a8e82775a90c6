/*
 * pic8259.c — remap and mask the 8259A pair; see pic8259.h.
 */
#include "pic8259.h"
#include "portio.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1

static void io_wait(void) { outb(0x80, 0); }

void pic_disable(void)
{
	outb(PIC1_CMD, 0x11); io_wait();  /* ICW1: init, ICW4 follows */
	outb(PIC2_CMD, 0x11); io_wait();
	outb(PIC1_DATA, 0x20); io_wait(); /* ICW2: vector base */
	outb(PIC2_DATA, 0x28); io_wait();
	outb(PIC1_DATA, 0x04); io_wait(); /* ICW3: slave on IRQ2 */
	outb(PIC2_DATA, 0x02); io_wait();
	outb(PIC1_DATA, 0x01); io_wait(); /* ICW4: 8086 mode */
	outb(PIC2_DATA, 0x01); io_wait();
	outb(PIC1_DATA, 0xFF);            /* mask everything */
	outb(PIC2_DATA, 0xFF);
}
