/*
 * sha256.h — SHA-256 (FIPS 180-4 §6.2), for the signed loader's check of the
 * kernel and ramdisk it loads. Pure C, no allocation: the loader and the host
 * unit tests share it.
 */
#ifndef PXOS_BOOT_SHA256_H
#define PXOS_BOOT_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_BYTES 32

struct sha256 {
	uint32_t h[8];
	uint64_t length;      /* bytes hashed so far */
	uint8_t block[64];
	size_t used;          /* bytes waiting in block */
};

/* sha256_init: start a hash (the initial hash value of FIPS 180-4 §5.3.3). */
void sha256_init(struct sha256 *s);

/* sha256_update: hash `n` more bytes of `data` (any length, any alignment). */
void sha256_update(struct sha256 *s, const void *data, size_t n);

/* sha256_final: pad (§5.1.1), finish and write the 32-byte digest to `out`. */
void sha256_final(struct sha256 *s, uint8_t out[SHA256_BYTES]);

/* sha256: the digest of `n` bytes at `data` in one call. */
void sha256(const void *data, size_t n, uint8_t out[SHA256_BYTES]);

#endif /* PXOS_BOOT_SHA256_H */
