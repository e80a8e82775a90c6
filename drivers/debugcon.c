/*
 * debugcon.c — the Bochs/QEMU debug console port; see debugcon.h.
 */
#include "debugcon.h"
#include "portio.h"

static uint16_t dc_port;

bool debugcon_init(uint16_t port)
{
	dc_port = 0;
	if (port && inb(port) == DEBUGCON_READBACK)
		dc_port = port;
	return dc_port != 0;
}

uint16_t debugcon_port(void) { return dc_port; }

void debugcon_write(const char *s, size_t n)
{
	if (!dc_port)
		return;
	for (size_t i = 0; i < n; i++)
		outb(dc_port, (uint8_t)s[i]);
}
