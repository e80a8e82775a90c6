/*
 * crc32.h — CRC-32/ISO-HDLC, the CRC of zlib, PNG, gzip and Ethernet:
 * polynomial 0x04C11DB7 (0xEDB88320 reflected), input and output reflected,
 * initial value and final XOR 0xFFFFFFFF; check value crc32("123456789") =
 * 0xCBF43926. Portable (kernel and host). PixelFS uses it for its superblock,
 * directory and file checksums.
 */
#ifndef PXVM_CRC32_H
#define PXVM_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* crc32_update: continue a CRC over `n` bytes at `p` (`p` may be NULL when n == 0).
 * `crc` is the CRC of the bytes so far (0 for none), as zlib's crc32(crc, p, n):
 * crc32_update(crc32_update(0, a, na), b, nb) == crc32(a ++ b). Returns the new CRC. */
uint32_t crc32_update(uint32_t crc, const void *p, size_t n);

/* crc32: CRC-32/ISO-HDLC of `n` bytes at `p` (0 for n == 0). */
uint32_t crc32(const void *p, size_t n);

#endif /* PXVM_CRC32_H */
