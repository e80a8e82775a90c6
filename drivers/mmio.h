/*
 * mmio.h — memory-mapped device registers (LAPIC, I/O APIC, HPET): where they
 * are mapped and how they are read and written (volatile, one access of the
 * register's width: Intel SDM vol. 3A §10.4.1 wants 32-bit aligned accesses
 * to the LAPIC; the HPET spec allows 32- or 64-bit).
 *
 * Mapping: kernel/vmm.h's vmm_map with the uncached type (VMM_UC), so the
 * registers are uncached whatever the MTRRs say, wherever they lie.
 */
#ifndef PXOS_MMIO_H
#define PXOS_MMIO_H

#include <stdint.h>
#include <stddef.h>

/* mmio_map: a pointer through which `size` bytes of device registers at
 * physical `phys` can be accessed, mapped uncached, or NULL when they cannot
 * be mapped (phys == 0, or vmm_map failed: it logs why). */
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
