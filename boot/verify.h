/*
 * verify.h — the signed loader's check of what it loads (issue 10 item 10).
 *
 * A Secure Boot signature on BOOTX64.EFI vouches only for the loader: the
 * kernel and ramdisk it then loads must be checked by the loader itself, or
 * the signature protects nothing. The Secure Boot build of the loader
 * (`make signed-img`, iso/build.mk) is compiled with the SHA-256 digests of
 * the kernel and ramdisk it was built with (PXOS_HASHES_H names a generated
 * header defining PXOS_KERNEL_SHA256 and PXOS_RAMDISK_SHA256 as byte
 * initializers); it refuses a kernel or ramdisk whose digest differs, and a
 * missing ramdisk. The plain build (BOOTX64.EFI) has no digests and checks
 * nothing.
 */
#ifndef PXOS_BOOT_VERIFY_H
#define PXOS_BOOT_VERIFY_H

#include <stdbool.h>
#include <stdint.h>

enum verify_what { VERIFY_KERNEL, VERIFY_RAMDISK };

/* verify_enabled: whether this loader carries digests (the signed build). */
bool verify_enabled(void);

/* verify_file: in the signed build, whether SHA-256 of the `size` bytes at
 * `data` equals the built-in digest of `what`; logs the outcome for file
 * `name` either way. In the plain build: true, nothing logged. */
bool verify_file(enum verify_what what, const char *name, const void *data, uint64_t size);

#endif /* PXOS_BOOT_VERIFY_H */
