/*
 * home.h — pxbridge's copy of pxOS's /home (home.c; docs/bridge-protocol.md,
 * "Files"). It needs only pxb_queue and pxb_log from the rest of pxbridge,
 * so the unit test (tests/unit/test_pxbridge_home.c) links it alone.
 */
#ifndef PXBRIDGE_HOME_H
#define PXBRIDGE_HOME_H

#include <stddef.h>
#include <stdint.h>

#include "pxvm/frame.h"
#include "kernel/param.h"

/* pxb_queue: queue a reliable frame for pxOS (main.c). */
void pxb_queue(uint8_t type, uint32_t id, const void *payload, size_t len);

/* pxb_log: a line to the --log file (main.c). */
void pxb_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* pxb_home_open: keep /home in directory `dir` (made when missing; its
 * parent must exist); removes temporary files a killed pxbridge left.
 * Returns 0, or -1 (logged) when it cannot be made or opened. */
int pxb_home_open(const char *dir);

/* pxb_home_path_ok: whether `p` is a path pxbridge writes: relative to the
 * directory, 1..FRAME_FILE_PATH_MAX bytes of printable ASCII, no empty, "."
 * or ".." component, no component starting with ".pxhome-" (its temporary
 * files). */
int pxb_home_path_ok(const char *p);

/* pxb_home_frame: a reliable frame from pxOS (after its ACK): RESTORE
 * queues every file of the directory (FILE, FILE_DATA..., FILE_END each,
 * then RESTORE_END); FILE, FILE_DATA and FILE_END write a file through a
 * temporary one, renamed over the old only when its size and CRC-32 match
 * FILE's; FILE_GONE removes one. Without a directory (pxb_home_open not
 * called) RESTORE is answered with RESTORE_END of 0 files and the rest is
 * dropped. Returns 1 when `f` was one of these, else 0. */
int pxb_home_frame(const struct frame *f);

/* pxb_home_active: 1 when a directory is kept (pxb_home_open succeeded):
 * pxbridge's HELLO and HELLO_ACK say "home=1", and only then does pxOS
 * send its files and ask for them. */
int pxb_home_active(void);

/* pxb_home_reset: drop an unfinished transfer (its temporary file): pxOS
 * restarted or the link was lost; the old copy stays. */
void pxb_home_reset(void);

/* pxb_home_status: one line for the menu's status: the directory, counts. */
void pxb_home_status(char *out, size_t cap);

#endif /* PXBRIDGE_HOME_H */
