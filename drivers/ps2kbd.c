/*
 * ps2kbd.c — i8042 controller and PS/2 keyboard; see ps2kbd.h.
 */
#include "ps2kbd.h"
#include "kbdmap.h"
#include "portio.h"
#include "timer.h"
#include "kernel/param.h"
#include "kernel/ring.h"

#define DATA   0x60
#define STATUS 0x64
#define CMD    0x64

#define ST_OUT_FULL 0x01   /* a byte waits in the output buffer (port 0x60) */
#define ST_IN_FULL  0x02   /* the controller has not taken our last byte yet */
#define ST_AUX_DATA 0x20   /* the waiting byte came from port 2 (mouse) */

#define CFG_IRQ1      0x01
#define CFG_IRQ12     0x02
#define CFG_PORT1_OFF 0x10
#define CFG_PORT2_OFF 0x20
#define CFG_TRANSLATE 0x40

static bool present;             /* a controller answers: IRQ 1 is served */
static volatile bool answered;   /* the keyboard acknowledged a command or sent a byte */
static bool announced;           /* ps2kbd_keyboard() true: seen from the main loop */
static struct ring kbd_ring;
static struct kbdmap map;
static volatile uint64_t received, dropped;

static bool wait_in_empty(void)
{
	uint64_t end = timer_us() + PS2_WAIT_US;
	while (inb(STATUS) & ST_IN_FULL)
		if (timer_us() > end)
			return false;
	return true;
}

static int read_data(uint32_t wait_us)
{
	uint64_t end = timer_us() + wait_us;
	while (!(inb(STATUS) & ST_OUT_FULL))
		if (timer_us() > end)
			return -1;
	return inb(DATA);
}

/* command: a controller command byte, sent again when the controller was
 * still busy with an earlier byte. */
static bool command(uint8_t c)
{
	for (int tries = 0; tries < PS2_TRIES; tries++)
		if (wait_in_empty()) {
			outb(CMD, c);
			return true;
		}
	return false;
}

static bool write_data(uint8_t v)
{
	for (int tries = 0; tries < PS2_TRIES; tries++)
		if (wait_in_empty()) {
			outb(DATA, v);
			return true;
		}
	return false;
}

static void flush(void)
{
	for (int i = 0; i < 64 && (inb(STATUS) & ST_OUT_FULL); i++)
		(void)inb(DATA);
}

/* read_config: the controller configuration byte (command 0x20), asked up to
 * PS2_TRIES times; -1 when it never came. */
static int read_config(void)
{
	for (int tries = 0; tries < PS2_TRIES; tries++) {
		flush();
		int cfg;
		if (command(0x20) && (cfg = read_data(PS2_WAIT_US)) >= 0)
			return cfg;
	}
	return -1;
}

/* kbd_command: send a byte to the keyboard and wait for its 0xFA ACK; 0xFE
 * (resend) and silence are retried, PS2_TRIES sends in all. */
static bool kbd_command(uint8_t c)
{
	for (int tries = 0; tries < PS2_TRIES; tries++) {
		if (!write_data(c))
			continue;
		int r = read_data(PS2_WAIT_US);
		if (r == 0xFA)
			return true;
	}
	return false;
}

bool ps2kbd_init(const char **why)
{
	present = answered = announced = false;
	ring_init(&kbd_ring);
	kbdmap_init(&map);
	*why = "";
	if (inb(STATUS) == 0xFF) {
		*why = "no i8042 controller (status port reads 0xFF)";
		return false;
	}
	if (!command(0xAD) || !command(0xA7)) {
		*why = "controller does not take commands";
		return false;
	}
	int cfg = read_config();
	if (cfg < 0) {
		*why = "controller never sent its configuration byte";
		return false;
	}
	/* Port 1 on, its IRQ off for now, translation on (set 2 arrives as set
	 * 1); port 2 (mouse) off. No controller self-test (0xAA) and no port test
	 * (0xAB): emulated controllers and KVM switches miss them, and a self-test
	 * can reset the controller (Linux skips both on x86 too). */
	cfg = (cfg & ~(CFG_IRQ1 | CFG_IRQ12 | CFG_PORT1_OFF)) | CFG_TRANSLATE | CFG_PORT2_OFF;
	if (!command(0x60) || !write_data((uint8_t)cfg) || !command(0xAE)) {
		*why = "cannot write the configuration byte";
		return false;
	}
	/* No keyboard reset (0xFF) either: enable scanning (0xF4), which a
	 * keyboard acknowledges in any state. A keyboard that does not answer
	 * (unplugged, behind a KVM switch, late) is listened for anyway: its
	 * first byte on IRQ 1 marks it present. */
	flush();
	if (kbd_command(0xF4))
		answered = true;
	else
		*why = "no keyboard acknowledged enable-scanning (0xF4)";
	flush();
	cfg |= CFG_IRQ1;
	if (!command(0x60) || !write_data((uint8_t)cfg)) {
		*why = "cannot enable the keyboard interrupt";
		return false;
	}
	present = true;
	announced = answered;
	return true;
}

bool ps2kbd_present(void) { return present; }

bool ps2kbd_keyboard(void) { return present && announced; }

void ps2kbd_irq(void)
{
	for (int i = 0; i < 16; i++) {
		uint8_t st = inb(STATUS);
		if (!(st & ST_OUT_FULL))
			break;
		uint8_t sc = inb(DATA);
		if (st & ST_AUX_DATA)
			continue;               /* port 2 is off; a stray mouse byte */
		received++;
		answered = true;
		if (!ring_put(&kbd_ring, sc))
			dropped++;
	}
}

size_t ps2kbd_read(char *out, size_t cap)
{
	size_t n = 0;
	if (answered && !announced)
		announced = true;      /* kernel/input.c says so */
	uint8_t sc;
	while (n + KBDMAP_OUT_MAX <= cap && ring_get(&kbd_ring, &sc))
		n += kbdmap_feed(&map, sc, out + n);
	return n;
}

bool ps2kbd_pending(void) { return !ring_empty(&kbd_ring); }

void ps2kbd_stats(uint64_t *r, uint64_t *d)
{
	*r = received;
	*d = dropped;
}
