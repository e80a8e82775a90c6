/*
 * log.h — the loader's reporting: every line goes to the UEFI console (ConOut)
 * and to the serial port, starts with "pxOS loader: ", and is written once.
 *
 * Before ExitBootServices a line goes to ConOut, and also straight to the UART
 * unless the firmware already mirrors ConOut to a serial port (the UEFI "ConOut"
 * global variable, UEFI 2.10 §3.3, holds a device path with a UART messaging
 * node, MSG_UART_DP, §10.3.4.13). After log_boot_services_exited() lines go to
 * the UART only. The UART is COM1 at 115200 8N1, else COM2, else none.
 */
#ifndef PXOS_BOOT_LOG_H
#define PXOS_BOOT_LOG_H

#include <efi.h>
#include <stdbool.h>

#define LOG_PREFIX "pxOS loader: "
#define LOG_LINE_MAX 400 /* bytes of one line after the prefix; longer lines are cut */

/* log_init: find the UART and decide where lines go (needs boot services and
 * InitializeLib). Never fails: with no UART and no ConOut, lines are dropped. */
void log_init(void);

/* log_info: one line "pxOS loader: <text>" (newline added). Also used for the
 * messages of fatal errors, which name the failing file or step. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* log_warn: one line "pxOS loader: warning: <text>". */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* log_boot_services_exited: from now on write to the UART only. */
void log_boot_services_exited(void);

/* log_serial_desc: where serial output goes, e.g. "COM1 (0x3f8), 115200 baud,
 * ConOut already mirrored to serial", for the start-up line. */
const char *log_serial_desc(void);

/* log_status: the UEFI name of `st` ("Not Found", ...) or "status 0x..."; the
 * result is valid until the next call. */
const char *log_status(EFI_STATUS st);

#endif /* PXOS_BOOT_LOG_H */
