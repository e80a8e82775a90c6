/*
 * fileio.h — reading files from the EFI system partition the loader was started
 * from, into EfiLoaderData pages, and keeping track of those pages.
 *
 * Uses EFI_LOADED_IMAGE_PROTOCOL.DeviceHandle and its
 * EFI_SIMPLE_FILE_SYSTEM_PROTOCOL / EFI_FILE_PROTOCOL (UEFI 2.10 §9.1, §13.4,
 * §13.5) and AllocatePages(AllocateAnyPages, EfiLoaderData) (§7.2). Every
 * allocation made here is recorded so that a failed boot can give it all back
 * (fio_free_all) before returning to the firmware.
 */
#ifndef PXOS_BOOT_FILEIO_H
#define PXOS_BOOT_FILEIO_H

#include <efi.h>
#include <stdbool.h>

#define FIO_MAX_ALLOCS 32 /* allocations tracked at once */

/* A file read into memory. */
struct fio_file {
	EFI_PHYSICAL_ADDRESS addr; /* 4 KiB-aligned EfiLoaderData pages */
	UINT64 size;               /* bytes of the file */
};

/* fio_open_volume: open the root directory of the volume `image` was loaded
 * from. Errors: the firmware's status (the loader reports it). */
EFI_STATUS fio_open_volume(EFI_HANDLE image);

/* fio_close_volume: close the root directory, if open. */
void fio_close_volume(void);

/* fio_read: read the file at `path` (absolute, backslashes) of at most
 * `max_size` bytes into fresh pages (an empty file gives addr 0, size 0 and no
 * pages). On failure returns the status and sets *what to the failing action,
 * for a message "<path>: <what> (<status>)": "cannot open", "cannot get the size
 * of the file", "is a directory", "is N bytes, more than the M allowed", "cannot
 * allocate memory for it", "cannot read it", "read stopped before the end of the
 * file". */
EFI_STATUS fio_read(const CHAR16 *path, UINT64 max_size, struct fio_file *out,
		    const char **what);

/* fio_alloc: `bytes` (> 0) of EfiLoaderData pages anywhere, zeroed when `zero`.
 * Errors: EFI_OUT_OF_RESOURCES also when FIO_MAX_ALLOCS are in use. */
EFI_STATUS fio_alloc(UINT64 bytes, bool zero, EFI_PHYSICAL_ADDRESS *addr);

/* fio_free: give back an allocation made by fio_alloc/fio_read. Returns the
 * FreePages status, or EFI_NOT_FOUND for an address it did not hand out. */
EFI_STATUS fio_free(EFI_PHYSICAL_ADDRESS addr);

/* fio_free_all: give back every allocation still recorded (failed boot). */
void fio_free_all(void);

#endif /* PXOS_BOOT_FILEIO_H */
