/*
 * console.h — the on-screen text console in the KERNEL region of VRAM.
 * klog and klog_write (klog.h) feed it; the serial port gets the same bytes.
 */
#ifndef PXOS_CONSOLE_H
#define PXOS_CONSOLE_H

#include <stdint.h>
#include <stddef.h>
#include "drivers/fb.h"
#include "drivers/font.h"

/* console_attach: start drawing text into the w x h rectangle at (x, y) of `fb`
 * with `font`. Text written before (kept in a small buffer) is replayed. */
void console_attach(const struct fb *fb, const struct font *font, int x, int y, int w, int h);

/* console_screen_write: put bytes on the screen console, a terminal that
 * acts like a VT100 on exactly the control functions the output escaper
 * passes (kernel/vt.h: BS, CR, LF, TAB, CSI cursor moves, erase, SGR
 * colours). Long lines wrap; the oldest line scrolls away. Its grid has at
 * least VT_ROWS_MIN rows; the screen shows the ones around the cursor, the
 * cursor as a reversed cell. Once the scheduler runs (console_defer) only
 * the text in RAM changes and console_poll draws it, so a write costs time in
 * proportion to its bytes, whatever they are, and never draws. */
void console_screen_write(const char *s, size_t n);

/* console_defer: from now on writes only change the text and console_poll
 * draws it, as below; until then (the boot, before the scheduler runs) a
 * write draws what it changed at once. kmain calls it as the scheduler
 * starts. */
void console_defer(void);

/* console_early_text: the text written before console_attach (kept for the
 * replay, at most 4 KiB: later bytes are not kept); *n gets its length. The
 * serial console replays it on a port chosen after early boot (uartsel.h). */
const char *console_early_text(size_t *n);

/* console_poll: draw what changed (klog_poll calls it between quanta): a
 * drawing pass starts at most once per CONSOLE_FRAME_US, draws only cells
 * that differ from what the screen shows, and each call spends at most
 * CONSOLE_DRAW_US on it, going on at the next. */
void console_poll(void);

/* console_flush: draw everything that changed now, however long it takes
 * (panic and exception reports, early boot: interrupts off). */
void console_flush(void);

/* console_grow_to_bottom: for panic and exception reports: clear the console
 * and let it run from its top edge to the bottom of the screen, over the
 * regions below it, so the whole report stays visible. */
void console_grow_to_bottom(void);

/* console_set_color: text colour (a pixel word) for the following bytes, on
 * the default background, bold and reverse off (vt_set_color). */
void console_set_color(uint32_t color);

/* console_text_save: keep a copy of the grid's text and cursor (the monitor
 * takes one when it is entered, before it writes anything). */
void console_text_save(void);

/* The copy's shape: grid rows x cols, cursor row/col, screen rows shown
 * (view_top..view_top + view_rows - 1), all 0-based. */
struct console_text {
	int rows, cols, row, col, view_top, view_rows;
};

/* console_text_saved: the shape of the last console_text_save into *t;
 * -1 when there is none (no screen console). */
int console_text_saved(struct console_text *t);

/* console_text_row: row `row` of that copy as UTF-8 without trailing blanks
 * into `out` (cap: 2 * cols + 1 holds any row); returns its length. */
size_t console_text_row(int row, char *out, size_t cap);

#define CONSOLE_DEFAULT_COLOR FB_RGB(200, 200, 200)
#define PANIC_COLOR FB_RGB(255, 80, 80) /* panic and CPU exception reports */

#endif /* PXOS_CONSOLE_H */
