/*
 * sbenroll.c — SBENROLL.EFI: enroll Secure Boot keys from files on the volume
 * it was started from, for pxOS's signed-boot tests (and for a PC whose
 * firmware is in Setup Mode, i.e. has no platform key).
 *
 * Reads \db.auth, \KEK.auth and \PK.auth (EFI_VARIABLE_AUTHENTICATION_2
 * followed by an EFI_SIGNATURE_LIST, as efitools' sign-efi-sig-list writes
 * them) and sets db, KEK and PK, in that order (UEFI 2.10 §32.3: setting PK
 * ends Setup Mode), with time-based authenticated write access. Reports each
 * step on ConOut ("sbenroll: db enrolled" or the EFI status), then powers the
 * machine off. Built with GNU-EFI like the loader.
 */
#include <efi.h>
#include <efilib.h>

#define MAX_AUTH_FILE (64u << 10)

static EFI_GUID image_security_db = { 0xd719b2cb, 0x3d3a, 0x4596, { 0xa3, 0xbc, 0xda, 0xd0, 0x0e, 0x67, 0x65, 0x6f } };
static EFI_GUID global_variable = EFI_GLOBAL_VARIABLE;

/* read_file: the whole file `path` of `root` into a pool buffer (caller frees). */
static EFI_STATUS read_file(EFI_FILE_HANDLE root, CHAR16 *path, void **data, UINTN *size)
{
	EFI_FILE_HANDLE f;
	EFI_STATUS st = uefi_call_wrapper(root->Open, 5, root, &f, path, EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(st))
		return st;
	EFI_FILE_INFO *info = LibFileInfo(f);
	if (!info || info->FileSize == 0 || info->FileSize > MAX_AUTH_FILE) {
		if (info)
			FreePool(info);
		uefi_call_wrapper(f->Close, 1, f);
		return EFI_BAD_BUFFER_SIZE;
	}
	*size = info->FileSize;
	FreePool(info);
	*data = AllocatePool(*size);
	if (!*data) {
		uefi_call_wrapper(f->Close, 1, f);
		return EFI_OUT_OF_RESOURCES;
	}
	st = uefi_call_wrapper(f->Read, 3, f, size, *data);
	uefi_call_wrapper(f->Close, 1, f);
	if (EFI_ERROR(st))
		FreePool(*data);
	return st;
}

static EFI_STATUS enroll(EFI_FILE_HANDLE root, CHAR16 *file, CHAR16 *var, EFI_GUID *guid)
{
	void *data;
	UINTN size;
	EFI_STATUS st = read_file(root, file, &data, &size);
	if (EFI_ERROR(st)) {
		Print(L"sbenroll: cannot read %s: %r\n", file, st);
		return st;
	}
	UINT32 attr = EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS |
		      EFI_VARIABLE_RUNTIME_ACCESS | EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS;
	st = uefi_call_wrapper(RT->SetVariable, 5, var, guid, attr, size, data);
	FreePool(data);
	if (EFI_ERROR(st))
		Print(L"sbenroll: setting %s failed: %r\n", var, st);
	else
		Print(L"sbenroll: %s enrolled (%u bytes)\n", var, (unsigned)size);
	return st;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	InitializeLib(image, systab);
	EFI_LOADED_IMAGE *li = NULL;
	EFI_STATUS st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&li);
	EFI_FILE_HANDLE root = EFI_ERROR(st) || !li ? NULL : LibOpenRoot(li->DeviceHandle);
	if (!root) {
		Print(L"sbenroll: cannot open the volume I was started from\n");
	} else {
		int bad = 0;
		bad |= EFI_ERROR(enroll(root, L"\\db.auth", L"db", &image_security_db));
		bad |= EFI_ERROR(enroll(root, L"\\KEK.auth", L"KEK", &global_variable));
		bad |= EFI_ERROR(enroll(root, L"\\PK.auth", L"PK", &global_variable));
		Print(bad ? L"sbenroll: FAILED\n" : L"sbenroll: all keys enrolled; Secure Boot is on from the next boot\n");
	}
	uefi_call_wrapper(RT->ResetSystem, 4, EfiResetShutdown, EFI_SUCCESS, 0, NULL);
	return EFI_SUCCESS;
}
