/*
 * portio.h — x86 port I/O and a few CPU primitives shared by the loader and the
 * kernel (Intel SDM vol. 2: IN, OUT, RDTSC, CPUID, PAUSE).
 */
#ifndef PXOS_PORTIO_H
#define PXOS_PORTIO_H

#include <stdint.h>

#ifdef PXOS_PORTIO_FAKE
/* Host unit tests of a driver (e.g. tests/unit/test_ps2kbd.c) build it with
 * -DPXOS_PORTIO_FAKE and supply these: a model of the device behind the ports. */
void outb(uint16_t port, uint8_t v);
uint8_t inb(uint16_t port);
#else
static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
#endif
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void cpu_pause(void) { __asm__ volatile("pause"); }

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

#endif /* PXOS_PORTIO_H */
