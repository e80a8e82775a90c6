/*
 * klog.c — kernel log and console output; see klog.h.
 *
 * Every byte for the consoles passes the output escaper (pxvm/escape.h,
 * docs/isolation.md) and then goes to the serial transmit ring
 * (kernel/serial.h) and to the screen console (kernel/console.h), so nothing
 * but the bridge's own frames (kernel/bridge.c, straight into the ring as
 * units) can start a terminal control sequence on the line.
 */
#include <stdarg.h>
#include "klog.h"
#include "lib.h"
#include "param.h"
#include "console.h"
#include "cpu.h"
#include "serial.h"
#include "drivers/debugcon.h"
#include "drivers/timer.h"
#include "pxvm/escape.h"
#include "pxvm/logring.h"

#define RFLAGS_IF (1u << 9)
#define CHUNK KLOG_CHUNK

static enum klog_level min_level = KLOG_INFO;
static unsigned errors;

/* The backlog: console text (each piece one escaper output, a unit nothing
 * may split, stored as a 2-byte length and the bytes) waiting for room in the
 * serial ring, so that no kernel path waits for a slow serial line while
 * the scheduler runs. It drains first (klog_poll): process output waits
 * behind it. */
static char backlog[KLOG_BACKLOG];
static size_t bl_len;
static bool may_wait;              /* klog_set_wait: the monitor's output waits for room */
static uint64_t bl_units, bl_dropped, bl_dropped_told;

/* The line the consoles are on: what was emitted since the last LF (up to
 * KLOG_REDRAW_MAX bytes; cur_long: more), so that a log line starts on a
 * fresh line and the input line it cut is drawn again after it (redraw). */
static char cur_line[KLOG_REDRAW_MAX], redraw_line[KLOG_REDRAW_MAX];
static size_t cur_len, redraw_len;
static bool cur_long, redraw_pending, in_log;
static bool (*input_line_open)(void);

/* Log lines held while a process writes a line (hold_add), each stored as
 * its level, a 2-byte length and the text: printed when that line ends
 * (emit) or KLOG_HOLD_US after the first was held (klog_poll). */
static char hold[KLOG_HOLD];
static size_t hold_len;
static uint64_t hold_since_us;
static bool hold_flushing;
static void hold_flush(void);
static bool guest_line_open(void);

/* Process output: one escaper, owned by the process that wrote last, so a
 * sequence a process splits between two writes is held, not cut or shown. */
static struct escaper guest_esc;
static uint32_t guest_owner;

/* The newest log lines (klog's, not kprintf's text), for readers: KLOG_READ,
 * pxos.klog, dmesg. Written and read with interrupts off, so a line logged
 * by an interrupt handler never lands in the middle of a read. */
static char keep_buf[KLOG_KEEP];
static struct logring keep = { keep_buf, KLOG_KEEP, 0, 0 };

static const char *const level_names[] = { "DEBUG", "INFO ", "WARN ", "ERROR" };
static const uint32_t level_colors[] = {
	FB_RGB(130, 130, 140), FB_RGB(200, 200, 200), FB_RGB(255, 210, 80), FB_RGB(255, 90, 90),
};

void klog_set_level(enum klog_level level) { min_level = level; }
unsigned klog_error_count(void) { return errors; }

static bool intr_on(void) { return read_rflags() & RFLAGS_IF; }

/* backlog_flush: move whole units from the backlog into the serial ring, as
 * many as fit (`wait`: all of them, each waiting for room, bounded as
 * serial_tx_text_wait). When it empties after drops, a note says so. */
static void backlog_flush(bool wait)
{
	size_t off = 0;
	while (off < bl_len) {
		uint16_t n;
		memcpy(&n, backlog + off, 2);
		if (wait)
			serial_tx_text_wait(backlog + off + 2, n);
		else if (!serial_tx_text(backlog + off + 2, n))
			break;
		off += 2u + n;
	}
	memmove(backlog, backlog + off, bl_len - off);
	bl_len -= off;
	if (!bl_len && bl_dropped != bl_dropped_told) {
		char note[96];
		int k = snprintf(note, sizeof(note), "\n[klog: %llu bytes of console output dropped: the serial line "
		                 "was too slow]\n", (unsigned long long)(bl_dropped - bl_dropped_told));
		if (k > 0 && serial_tx_text(note, (size_t)k))
			bl_dropped_told = bl_dropped;
	}
}

/* backlog_add: keep unit s[0..n) for later; false when it does not fit. */
static bool backlog_add(const char *s, size_t n)
{
	if (n > 0xFFFFu || bl_len + 2 + n > sizeof(backlog))
		return false;
	uint16_t k = (uint16_t)n;
	memcpy(backlog + bl_len, &k, 2);
	memcpy(backlog + bl_len + 2, s, n);
	bl_len += 2 + n;
	bl_units++;
	return true;
}

static void emit(const char *s, size_t n);

/* redraw: the line log lines interrupted, drawn again (before other output);
 * not while the monitor is open (klog_set_wait): after it. */
static void redraw(void)
{
	if (!redraw_pending || may_wait)
		return;
	redraw_pending = false;
	emit(redraw_line, redraw_len);
}

/* track_line: keep the line the consoles are on, after escaped unit s[0..n). */
static void track_line(const char *s, size_t n)
{
	size_t i = n;
	while (i && s[i - 1] != '\n')
		i--;
	if (i) {
		cur_len = 0;
		cur_long = false;
	}
	if (cur_long || n - i > sizeof(cur_line) - cur_len) {
		cur_long = true;
		return;
	}
	memcpy(cur_line + cur_len, s + i, n - i);
	cur_len += n - i;
}

/* same_row: whether escaped line s[0..n) keeps the cursor in its row (no
 * CSI A, B, H, f or J: the escaper lets no other ESC through). */
static bool same_row(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != 0x1B)
			continue;
		while (i + 1 < n && (s[i + 1] == '[' || s[i + 1] == ';' || (s[i + 1] >= '0' && s[i + 1] <= '9')))
			i++;
		if (i + 1 < n && s[i + 1] && strchr("ABHfJ", s[i + 1]))
			return false;
	}
	return true;
}

/* fresh_line: before a log line: end the line the consoles are in the middle
 * of, keeping it to draw again if a reader is typing it. */
static void fresh_line(void)
{
	if (!cur_len && !cur_long)
		return;
	if (!cur_long && input_line_open && input_line_open() && same_row(cur_line, cur_len)) {
		memcpy(redraw_line, cur_line, cur_len);
		redraw_len = cur_len;
		redraw_pending = true;
	}
	emit("\n", 1);
}

void klog_set_input_line(bool (*open)(void)) { input_line_open = open; }

/* emit: escaped bytes to both consoles. With interrupts off (early boot, a
 * panic, a CPU exception) they are on the line and the screen before it
 * returns. Otherwise they never wait for the serial line: what does not fit
 * in the ring goes to the backlog, and when that is full too it is dropped
 * and counted (the monitor, klog_set_wait, waits instead, bounded). Other
 * output than a log line first draws a line log lines cut again (redraw);
 * every unit is kept as part of the consoles' line (track_line). */
static void emit(const char *s, size_t n)
{
	if (!n)
		return;
	if (!in_log)
		redraw();
	track_line(s, n);
	debugcon_write(s, n); /* when configured: a port write per byte, synchronous */
	console_screen_write(s, n);
	if (!intr_on()) {
		backlog_flush(true);
		serial_tx_text_wait(s, n);
		console_flush();
		return;
	}
	if (bl_len)
		backlog_flush(false);
	if (!bl_len && serial_tx_text(s, n))
		return;
	if (backlog_add(s, n))
		return;
	if (may_wait) {
		backlog_flush(true);
		serial_tx_text_wait(s, n);
		return;
	}
	bl_dropped += n;
}

/* guest_room: bytes of escaped process output the serial line takes now:
 * none while kernel text waits in the backlog. */
static size_t guest_room(void) { return bl_len ? 0 : serial_tx_free(); }

void klog_set_wait(bool wait) { may_wait = wait; }

size_t klog_backlog(void) { return bl_len; }

void klog_report(void)
{
	kprintf("  console backlog: %zu of %u bytes waiting for the serial line, %llu pieces kept, %llu bytes "
	        "dropped\n", bl_len, KLOG_BACKLOG, (unsigned long long)bl_units, (unsigned long long)bl_dropped);
}

void klog_write(const char *s, size_t n)
{
	struct escaper e;
	char out[ESCAPE_OUT_MAX(CHUNK)];
	if (!in_log && hold_len && intr_on())
		hold_flush(); /* kernel text (the monitor, echo) comes after the log lines before it */
	escape_init(&e);
	while (n) {
		size_t k = n < CHUNK ? n : CHUNK;
		emit(out, escape_run(&e, s, k, out));
		s += k;
		n -= k;
	}
	emit(out, escape_flush(&e, out));
}

size_t klog_guest_output(uint32_t pid, const char *s, size_t n, bool all)
{
	char out[ESCAPE_OUT_MAX(CHUNK)];
	if (pid != guest_owner) {
		/* Another writer: what the last one left unfinished is shown as text. */
		emit(out, escape_flush(&guest_esc, out));
		guest_owner = pid;
	}
	size_t done = 0;
	while (done < n) {
		size_t k = n - done < CHUNK ? n - done : CHUNK;
		if (!all && guest_room() < ESCAPE_OUT_MAX(k))
			break; /* would block: the caller waits with serial_tx_notify */
		emit(out, escape_run(&guest_esc, s + done, k, out));
		done += k;
	}
	if (hold_len && !cur_len && !cur_long)
		hold_flush(); /* the line ended: the log lines held meanwhile */
	return done;
}

size_t klog_guest_room(void)
{
	size_t f = guest_room();
	return f > ESCAPE_FLUSH_MAX ? (f - ESCAPE_FLUSH_MAX) / 4 : 0;
}

void klog_poll(void)
{
	if (hold_len && (!guest_line_open() || may_wait || timer_us() - hold_since_us >= KLOG_HOLD_US))
		hold_flush();
	redraw();
	if (bl_len)
		backlog_flush(false); /* before the ring's wake-ups: kernel text goes first */
	serial_poll();
	console_poll();
}

size_t klog_read(uint32_t from, char *dst, size_t len, uint32_t *next)
{
	uint64_t flags = read_rflags();
	cli();
	size_t n = logring_read(&keep, from, dst, len, next);
	if (flags & RFLAGS_IF)
		sti();
	return n;
}

void kprintf(const char *fmt, ...)
{
	char buf[KLOG_LINE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	klog_write(buf, strlen(buf));
}

/* log_line: one formatted log line (with its LF) to the consoles, on a
 * fresh line, in its level's colour. */
static void log_line(enum klog_level level, const char *buf, size_t len)
{
	in_log = true;
	fresh_line();
	console_set_color(level_colors[level]);
	klog_write(buf, len);
	console_set_color(CONSOLE_DEFAULT_COLOR);
	in_log = false;
}

/* guest_line_open: a process's output left the consoles in the middle of a
 * line, and no reader is typing it (that line is drawn again instead). */
static bool guest_line_open(void)
{
	return (cur_len || cur_long) && !(input_line_open && input_line_open());
}

/* hold_add: keep log line buf[0..len) of `level` until the line a process is
 * writing ends (or KLOG_HOLD_US passes: hold_flush), so log lines do not cut
 * a process's output line in two. Interrupts off. False when it does not fit
 * (the caller prints it now, after the held ones). */
static bool hold_add(enum klog_level level, const char *buf, size_t len)
{
	if (len > 0xFFFF || hold_len + 3 + len > sizeof(hold))
		return false;
	if (!hold_len)
		hold_since_us = timer_us();
	hold[hold_len] = (char)level;
	hold[hold_len + 1] = (char)(len & 0xFF);
	hold[hold_len + 2] = (char)(len >> 8);
	memcpy(hold + hold_len + 3, buf, len);
	hold_len += 3 + len;
	return true;
}

/* hold_flush: print the held log lines, oldest first (each taken out with
 * interrupts off, printed with them as they were). */
static void hold_flush(void)
{
	char line[KLOG_LINE_MAX + 1];
	while (!hold_flushing) {
		uint64_t flags = read_rflags();
		cli();
		if (!hold_len) {
			if (flags & RFLAGS_IF)
				sti();
			return;
		}
		enum klog_level level = (enum klog_level)hold[0];
		size_t len = (uint8_t)hold[1] | (size_t)(uint8_t)hold[2] << 8;
		if (len > sizeof(line))
			len = sizeof(line);
		memcpy(line, hold + 3, len);
		memmove(hold, hold + 3 + len, hold_len - 3 - len);
		hold_len -= 3 + len;
		if (flags & RFLAGS_IF)
			sti();
		hold_flushing = true;
		log_line(level, line, len);
		hold_flushing = false;
	}
}

void klog(enum klog_level level, const char *sys, const char *fmt, ...)
{
	if ((unsigned)level > KLOG_ERROR)
		level = KLOG_ERROR;
	if (level == KLOG_ERROR)
		errors++;
	if (level < min_level)
		return;
	char buf[KLOG_LINE_MAX];
	uint64_t us = timer_us();
	int n = snprintf(buf, sizeof(buf), "[%5llu.%06llu] %s %s: ", (unsigned long long)(us / 1000000),
	                 (unsigned long long)(us % 1000000), level_names[level], sys);
	if (n < 0 || (size_t)n >= sizeof(buf) - 2)
		n = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	size_t len = strlen(buf);
	buf[len++] = '\n';
	uint64_t flags = read_rflags();
	cli();
	logring_add(&keep, buf, len);
	bool held = level < KLOG_ERROR && (flags & RFLAGS_IF) && !may_wait && guest_line_open() &&
	            hold_add(level, buf, len);
	if (flags & RFLAGS_IF)
		sti();
	if (held)
		return;
	hold_flush(); /* lines held before this one go first */
	log_line(level, buf, len);
}
