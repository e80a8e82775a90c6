/*
 * pit.c — 8254 channel 0 as the periodic tick; see pit.h.
 */
#include "pit.h"
#include "portio.h"

#define PIT_CH0  0x40
#define PIT_MODE 0x43
#define PIT_CH0_LOHI_MODE2 0x34  /* channel 0, lobyte/hibyte, mode 2, binary */

uint64_t pit_start(uint32_t hz)
{
	if (hz < 19)
		hz = 19;               /* divisor must fit 16 bits */
	if (hz > PIT_INPUT_HZ)
		hz = PIT_INPUT_HZ;
	uint32_t div = (PIT_INPUT_HZ + hz / 2) / hz;
	if (div < 2)
		div = 2;               /* mode 2 forbids a count of 1 */
	if (div > 0xFFFF)
		div = 0xFFFF;
	outb(PIT_MODE, PIT_CH0_LOHI_MODE2);
	outb(PIT_CH0, (uint8_t)(div & 0xFF));
	outb(PIT_CH0, (uint8_t)(div >> 8));
	return (uint64_t)PIT_INPUT_HZ * 1000u / div;
}
