/*
 * mmio.h — memory-mapped device registers (LAPIC, I/O APIC, HPET): where they
 * are mapped and how they are read and written (volatile, one access of the
 * register's width: Intel SDM vol. 3A §10.4.1 wants 32-bit aligned accesses
 * to the LAPIC; the HPET spec allows 32- or 64-bit).
 *
 * Mapping, interim: the loader identity-maps [0, bootinfo.identity_top) with
 * the default PAT entry; the firmware's MTRRs make the chipset's MMIO range
 * (0xFEC00000..0xFFFFFFFF on PCs) uncached. mmio_map hands out that identity
 * address. When kernel/vmm.h (vmm_map with an uncached type) lands, mmio_map
 * becomes a call to it and ranges above identity_top work too.
 */
#ifndef PXOS_MMIO_H
#define PXOS_MMIO_H

#include <stdint.h>
#include <stddef.h>

/* mmio_init: record how far the identity map reaches (bootinfo.identity_top). */
void mmio_init(uint64_t identity_top);

/* mmio_map: a pointer through which `size` bytes of device registers at
 * physical `phys` can be accessed, or NULL when they cannot be mapped (beyond
 * the identity map, or phys == 0). */
volatile void *mmio_map(uint64_t phys, size_t size);

static inline uint32_t mmio_read32(volatile void *base, uint32_t off)
{
	return *(volatile uint32_t *)((volatile uint8_t *)base + off);
}

static inline void mmio_write32(volatile void *base, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)((volatile uint8_t *)base + off) = v;
}

static inline uint64_t mmio_read64(volatile void *base, uint32_t off)
{
	return *(volatile uint64_t *)((volatile uint8_t *)base + off);
}

static inline void mmio_write64(volatile void *base, uint32_t off, uint64_t v)
{
	*(volatile uint64_t *)((volatile uint8_t *)base + off) = v;
}

#endif /* PXOS_MMIO_H */
