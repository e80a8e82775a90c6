/*
 * fileio.c — ESP file reading and page bookkeeping; see fileio.h.
 */
#include "boot/fileio.h"
#include "boot/fmt.h"

#include <efilib.h>

#define READ_CHUNK (4ull << 20) /* bytes per EFI_FILE_PROTOCOL.Read call */

static EFI_FILE_HANDLE g_root;
static struct {
	EFI_PHYSICAL_ADDRESS addr;
	UINTN pages;
} g_allocs[FIO_MAX_ALLOCS];

EFI_STATUS fio_open_volume(EFI_HANDLE image)
{
	EFI_LOADED_IMAGE *li = NULL;
	EFI_STATUS st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol,
					  (void **)&li);
	if (EFI_ERROR(st))
		return st;
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs = NULL;
	st = uefi_call_wrapper(BS->HandleProtocol, 3, li->DeviceHandle, &FileSystemProtocol,
			       (void **)&fs);
	if (EFI_ERROR(st))
		return st;
	return uefi_call_wrapper(fs->OpenVolume, 2, fs, &g_root);
}

void fio_close_volume(void)
{
	if (g_root)
		(void)uefi_call_wrapper(g_root->Close, 1, g_root); /* read-only: nothing to flush */
	g_root = NULL;
}

EFI_STATUS fio_alloc(UINT64 bytes, bool zero, EFI_PHYSICAL_ADDRESS *addr)
{
	unsigned slot = 0;
	while (slot < FIO_MAX_ALLOCS && g_allocs[slot].pages)
		slot++;
	if (slot == FIO_MAX_ALLOCS || bytes == 0)
		return bytes ? EFI_OUT_OF_RESOURCES : EFI_INVALID_PARAMETER;
	UINTN pages = EFI_SIZE_TO_PAGES(bytes);
	EFI_PHYSICAL_ADDRESS a = 0;
	EFI_STATUS st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, EfiLoaderData,
					  pages, &a);
	if (EFI_ERROR(st))
		return st;
	if (zero)
		uefi_call_wrapper(BS->SetMem, 3, (void *)(UINTN)a, pages * EFI_PAGE_SIZE, 0);
	g_allocs[slot].addr = a;
	g_allocs[slot].pages = pages;
	*addr = a;
	return EFI_SUCCESS;
}

EFI_STATUS fio_free(EFI_PHYSICAL_ADDRESS addr)
{
	for (unsigned i = 0; i < FIO_MAX_ALLOCS; i++) {
		if (g_allocs[i].pages && g_allocs[i].addr == addr) {
			EFI_STATUS st = uefi_call_wrapper(BS->FreePages, 2, addr, g_allocs[i].pages);
			g_allocs[i].pages = 0; /* forget it either way: retrying cannot help */
			return st;
		}
	}
	return EFI_NOT_FOUND;
}

void fio_free_all(void)
{
	for (unsigned i = 0; i < FIO_MAX_ALLOCS; i++)
		if (g_allocs[i].pages)
			(void)fio_free(g_allocs[i].addr); /* a failed boot: nothing more to do */
}

/* Read `size` bytes from `f` into `dst`. */
static EFI_STATUS read_all(EFI_FILE_HANDLE f, UINT8 *dst, UINT64 size, const char **what)
{
	UINT64 done = 0;
	while (done < size) {
		UINTN n = size - done < READ_CHUNK ? size - done : READ_CHUNK;
		EFI_STATUS st = uefi_call_wrapper(f->Read, 3, f, &n, dst + done);
		if (EFI_ERROR(st)) {
			*what = "cannot read it";
			return st;
		}
		if (n == 0) {
			*what = "read stopped before the end of the file";
			return EFI_END_OF_FILE;
		}
		done += n;
	}
	return EFI_SUCCESS;
}

EFI_STATUS fio_read(const CHAR16 *path, UINT64 max_size, struct fio_file *out,
		    const char **what)
{
	if (!g_root) {
		*what = "cannot open (no volume)";
		return EFI_NOT_READY;
	}
	EFI_FILE_HANDLE f = NULL;
	EFI_STATUS st = uefi_call_wrapper(g_root->Open, 5, g_root, &f, (CHAR16 *)path,
					  EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(st)) {
		*what = "cannot open";
		return st;
	}
	EFI_FILE_INFO *info = LibFileInfo(f);
	if (!info) {
		*what = "cannot get the size of the file";
		st = EFI_DEVICE_ERROR;
		goto close;
	}
	UINT64 size = info->FileSize;
	bool dir = (info->Attribute & EFI_FILE_DIRECTORY) != 0;
	FreePool(info);
	if (dir) {
		*what = "is a directory";
		st = EFI_INVALID_PARAMETER;
		goto close;
	}
	if (size == 0) {
		out->addr = 0; /* nothing to read; the caller judges an empty file */
		out->size = 0;
		goto close;
	}
	if (size > max_size) {
		static char too_big[80];
		fmt_snprintf(too_big, sizeof(too_big), "is %llu bytes, more than the %llu allowed",
			     (unsigned long long)size, (unsigned long long)max_size);
		*what = too_big;
		st = EFI_BAD_BUFFER_SIZE;
		goto close;
	}
	EFI_PHYSICAL_ADDRESS a;
	st = fio_alloc(size, false, &a);
	if (EFI_ERROR(st)) {
		*what = "cannot allocate memory for it";
		goto close;
	}
	st = read_all(f, (UINT8 *)(UINTN)a, size, what);
	if (EFI_ERROR(st)) {
		(void)fio_free(a); /* the read error is the one to report */
		goto close;
	}
	out->addr = a;
	out->size = size;
close:
	(void)uefi_call_wrapper(f->Close, 1, f); /* read-only: nothing to flush */
	return st;
}
