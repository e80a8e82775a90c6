/*
 * pic8259.c — the 8259A pair: remap, mask, EOI, spurious checks; see pic8259.h.
 */
#include "pic8259.h"
#include "portio.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1

#define ICW1_INIT_ICW4 0x11  /* init, edge triggered, cascade, ICW4 follows */
#define ICW4_8086      0x01
#define OCW2_EOI       0x20  /* non-specific end of interrupt */
#define OCW3_READ_IRR  0x0A
#define OCW3_READ_ISR  0x0B

static uint16_t mask = 0xFFFF;

static void io_wait(void) { outb(0x80, 0); }

static void write_mask(void)
{
	outb(PIC1_DATA, (uint8_t)mask);
	outb(PIC2_DATA, (uint8_t)(mask >> 8));
}

void pic_init(void)
{
	outb(PIC1_CMD, ICW1_INIT_ICW4); io_wait();
	outb(PIC2_CMD, ICW1_INIT_ICW4); io_wait();
	outb(PIC1_DATA, PIC_VECTOR_BASE); io_wait();     /* ICW2: vector base */
	outb(PIC2_DATA, PIC_VECTOR_BASE + 8); io_wait();
	outb(PIC1_DATA, 0x04); io_wait();                /* ICW3: slave on IR2 */
	outb(PIC2_DATA, 0x02); io_wait();                /* ICW3: slave id 2 */
	outb(PIC1_DATA, ICW4_8086); io_wait();
	outb(PIC2_DATA, ICW4_8086); io_wait();
	mask = 0xFFFF;
	write_mask();
}

void pic_unmask(unsigned irq)
{
	if (irq >= PIC_IRQ_COUNT)
		return;
	mask &= (uint16_t)~(1u << irq);
	if (irq >= 8)
		mask &= (uint16_t)~(1u << 2);
	write_mask();
}

void pic_mask(unsigned irq)
{
	if (irq >= PIC_IRQ_COUNT)
		return;
	mask |= (uint16_t)(1u << irq);
	write_mask();
}

uint16_t pic_mask_bits(void) { return mask; }

void pic_eoi(unsigned irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, OCW2_EOI);
	outb(PIC1_CMD, OCW2_EOI);
}

static uint16_t read_reg(uint8_t ocw3)
{
	outb(PIC1_CMD, ocw3);
	outb(PIC2_CMD, ocw3);
	return (uint16_t)(inb(PIC1_CMD) | (inb(PIC2_CMD) << 8));
}

uint16_t pic_isr(void) { return read_reg(OCW3_READ_ISR); }
uint16_t pic_irr(void) { return read_reg(OCW3_READ_IRR); }

bool pic_spurious(unsigned irq)
{
	if (irq != 7 && irq != 15)
		return false;
	if (pic_isr() & (1u << irq))
		return false;
	if (irq == 15)
		outb(PIC1_CMD, OCW2_EOI); /* the master did see a real request on IR2 */
	return true;
}
