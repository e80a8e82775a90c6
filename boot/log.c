/*
 * log.c — loader reporting on ConOut and serial; see log.h.
 */
#include "boot/log.h"
#include "boot/fmt.h"
#include "boot/bootinfo.h"
#include "drivers/uart16550.h"
#include "kernel/param.h"

#include <efilib.h>
#include <stdarg.h>

static bool g_conout = true;         /* ConOut usable (boot services alive) */
static bool g_serial_mirrored;       /* ConOut already reaches a serial port */
static char g_serial_desc[96];

/* Whether the "ConOut" variable names a device path with a UART node. */
static bool conout_reaches_serial(void)
{
	UINTN size = 0;
	UINT8 *var = LibGetVariableAndSize(L"ConOut", &EfiGlobalVariable, &size);
	if (!var)
		return false;
	bool uart = false;
	UINTN off = 0;
	while (off + sizeof(EFI_DEVICE_PATH) <= size) {
		EFI_DEVICE_PATH *node = (EFI_DEVICE_PATH *)(var + off);
		UINTN len = DevicePathNodeLength(node);
		if (len < sizeof(EFI_DEVICE_PATH) || len > size - off)
			break; /* malformed: stop rather than walk off the buffer */
		if (DevicePathType(node) == MESSAGING_DEVICE_PATH &&
		    DevicePathSubType(node) == MSG_UART_DP) {
			uart = true;
			break;
		}
		if (IsDevicePathEnd(node))
			break;
		off += len; /* END_INSTANCE nodes just separate instances */
	}
	FreePool(var);
	return uart;
}

void log_init(void)
{
	/* Keep firmware timer callbacks (its own serial console polling) out of
	 * the UART probe's loopback test. */
	EFI_TPL old = uefi_call_wrapper(BS->RaiseTPL, 1, TPL_HIGH_LEVEL);
	bool ok = uart_init(UART_COM1, SERIAL_BAUD) || uart_init(UART_COM2, SERIAL_BAUD);
	uefi_call_wrapper(BS->RestoreTPL, 1, old);

	g_serial_mirrored = conout_reaches_serial();
	if (ok)
		fmt_snprintf(g_serial_desc, sizeof(g_serial_desc), "%s (0x%x) at %u baud%s",
			     uart_base() == UART_COM1 ? "COM1" : "COM2", uart_base(), SERIAL_BAUD,
			     g_serial_mirrored ? ", ConOut already mirrored to serial" : "");
	else
		fmt_snprintf(g_serial_desc, sizeof(g_serial_desc), "no 16550 UART at COM1 or COM2%s",
			     g_serial_mirrored ? " (ConOut reaches a serial port of its own)" : "");
}

const char *log_serial_desc(void) { return g_serial_desc; }

void log_boot_services_exited(void) { g_conout = false; }

/* Write to ConOut; false when the firmware reports an error (warnings such as
 * EFI_WARN_UNKNOWN_GLYPH still count as written). */
static bool conout_write(const char *s, size_t n)
{
	CHAR16 wide[64];
	size_t k = 0;
	bool ok = true;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			wide[k++] = L'\r';
		wide[k++] = (CHAR16)(unsigned char)s[i];
		if (k >= 62 || i + 1 == n) {
			wide[k] = 0;
			EFI_STATUS st = uefi_call_wrapper(ST->ConOut->OutputString, 2, ST->ConOut, wide);
			ok = ok && !EFI_ERROR(st);
			k = 0;
		}
	}
	return ok;
}

static void emit(const char *tag, const char *fmt, va_list ap)
{
	char line[sizeof(LOG_PREFIX) + 16 + LOG_LINE_MAX + 2];
	int n = fmt_snprintf(line, sizeof(line), "%s%s", LOG_PREFIX, tag);
	int m = fmt_vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	size_t len = (size_t)n + ((size_t)m < sizeof(line) - (size_t)n - 1 ? (size_t)m
					: sizeof(line) - (size_t)n - 2);
	line[len++] = '\n';
	line[len] = '\0';

	bool on_conout = g_conout && ST && ST->ConOut && conout_write(line, len);
	/* Serial too, unless ConOut took the line and already mirrors it there. */
	if (!on_conout || !g_serial_mirrored)
		uart_write(line, len);
}

void log_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("warning: ", fmt, ap);
	va_end(ap);
}

const char *log_status(EFI_STATUS st)
{
	static const struct {
		EFI_STATUS st;
		const char *name;
	} names[] = {
		{ EFI_SUCCESS, "Success" },
		{ EFI_LOAD_ERROR, "Load Error" },
		{ EFI_INVALID_PARAMETER, "Invalid Parameter" },
		{ EFI_UNSUPPORTED, "Unsupported" },
		{ EFI_BAD_BUFFER_SIZE, "Bad Buffer Size" },
		{ EFI_BUFFER_TOO_SMALL, "Buffer Too Small" },
		{ EFI_NOT_READY, "Not Ready" },
		{ EFI_DEVICE_ERROR, "Device Error" },
		{ EFI_WRITE_PROTECTED, "Write Protected" },
		{ EFI_OUT_OF_RESOURCES, "Out of Resources" },
		{ EFI_VOLUME_CORRUPTED, "Volume Corrupt" },
		{ EFI_VOLUME_FULL, "Volume Full" },
		{ EFI_NO_MEDIA, "No Media" },
		{ EFI_MEDIA_CHANGED, "Media Changed" },
		{ EFI_NOT_FOUND, "Not Found" },
		{ EFI_ACCESS_DENIED, "Access Denied" },
		{ EFI_NO_RESPONSE, "No Response" },
		{ EFI_NO_MAPPING, "No Mapping" },
		{ EFI_TIMEOUT, "Time Out" },
		{ EFI_NOT_STARTED, "Not Started" },
		{ EFI_ALREADY_STARTED, "Already Started" },
		{ EFI_ABORTED, "Aborted" },
		{ EFI_PROTOCOL_ERROR, "Protocol Error" },
		{ EFI_INCOMPATIBLE_VERSION, "Incompatible Version" },
		{ EFI_SECURITY_VIOLATION, "Security Violation" },
		{ EFI_CRC_ERROR, "CRC Error" },
		{ EFI_END_OF_MEDIA, "End of Media" },
		{ EFI_END_OF_FILE, "End of File" },
		{ EFI_COMPROMISED_DATA, "Compromised Data" },
	};
	static char other[32];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].st == st)
			return names[i].name;
	fmt_snprintf(other, sizeof(other), "status 0x%llx", (unsigned long long)st);
	return other;
}
