/*
 * verify.c — SHA-256 check of the kernel and ramdisk; see verify.h.
 */
#include "boot/verify.h"
#include "boot/log.h"
#include "boot/sha256.h"

#ifdef PXOS_HASHES_H
#include PXOS_HASHES_H
static const uint8_t digests[2][SHA256_BYTES] = { PXOS_KERNEL_SHA256, PXOS_RAMDISK_SHA256 };
#endif

bool verify_enabled(void)
{
#ifdef PXOS_HASHES_H
	return true;
#else
	return false;
#endif
}

bool verify_file(enum verify_what what, const char *name, const void *data, uint64_t size)
{
#ifdef PXOS_HASHES_H
	uint8_t d[SHA256_BYTES];
	sha256(data, (size_t)size, d);
	char got[2 * SHA256_BYTES + 1];
	static const char hexd[] = "0123456789abcdef";
	bool same = true;
	for (int i = 0; i < SHA256_BYTES; i++) {
		got[2 * i] = hexd[d[i] >> 4];
		got[2 * i + 1] = hexd[d[i] & 15];
		same = same && d[i] == digests[what][i];
	}
	got[2 * SHA256_BYTES] = '\0';
	if (same)
		log_info("secure boot: %s: SHA-256 %s matches the digest built into this signed loader", name, got);
	else
		log_info("secure boot: %s: SHA-256 %s is not the digest built into this signed loader: refusing it",
			 name, got);
	return same;
#else
	(void)what, (void)name, (void)data, (void)size;
	return true;
#endif
}
