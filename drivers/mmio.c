/*
 * mmio.c — mapping device registers; see mmio.h.
 */
#include "mmio.h"

static uint64_t identity_limit;

void mmio_init(uint64_t identity_top) { identity_limit = identity_top; }

volatile void *mmio_map(uint64_t phys, size_t size)
{
	/* Interim (see mmio.h): only what the loader's identity map covers. */
	if (!phys || size > identity_limit || phys > identity_limit - size)
		return 0;
	return (volatile void *)(uintptr_t)phys;
}
