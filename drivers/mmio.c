/*
 * mmio.c — mapping device registers; see mmio.h.
 */
#include "mmio.h"
#include "kernel/vmm.h"

volatile void *mmio_map(uint64_t phys, size_t size)
{
	if (!phys || !size)
		return 0;
	return vmm_map(phys, size, VMM_UC);
}
