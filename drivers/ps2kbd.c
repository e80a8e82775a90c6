/*
 * ps2kbd.c — i8042 controller and PS/2 keyboard; see ps2kbd.h.
 */
#include "ps2kbd.h"
#include "kbdmap.h"
#include "portio.h"
#include "timer.h"
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

#define WAIT_US 50000u     /* per byte */
#define RESET_WAIT_US 500000u /* keyboard self-test (BAT) can take ~0.5 s */

static bool present;
static struct ring kbd_ring;
static struct kbdmap map;
static volatile uint64_t received, dropped;

static bool wait_in_empty(void)
{
	uint64_t end = timer_us() + WAIT_US;
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

static bool command(uint8_t c)
{
	if (!wait_in_empty())
		return false;
	outb(CMD, c);
	return true;
}

static bool write_data(uint8_t v)
{
	if (!wait_in_empty())
		return false;
	outb(DATA, v);
	return true;
}

static void flush(void)
{
	for (int i = 0; i < 64 && (inb(STATUS) & ST_OUT_FULL); i++)
		(void)inb(DATA);
}

/* kbd_command: send a byte to the keyboard and wait for its 0xFA ACK (0xFE =
 * resend: tried up to three times). */
static bool kbd_command(uint8_t c)
{
	for (int tries = 0; tries < 3; tries++) {
		if (!write_data(c))
			return false;
		int r = read_data(WAIT_US);
		if (r == 0xFA)
			return true;
		if (r != 0xFE)
			return false;
	}
	return false;
}

bool ps2kbd_init(const char **why)
{
	present = false;
	ring_init(&kbd_ring);
	kbdmap_init(&map);
	if (inb(STATUS) == 0xFF) {
		*why = "no i8042 controller (status port reads 0xFF)";
		return false;
	}
	if (!command(0xAD) || !command(0xA7)) {
		*why = "controller does not take commands";
		return false;
	}
	flush();
	int cfg;
	if (!command(0x20) || (cfg = read_data(WAIT_US)) < 0) {
		*why = "cannot read the configuration byte";
		return false;
	}
	cfg &= ~(CFG_IRQ1 | CFG_IRQ12);
	cfg |= CFG_TRANSLATE | CFG_PORT2_OFF;
	if (!command(0x60) || !write_data((uint8_t)cfg)) {
		*why = "cannot write the configuration byte";
		return false;
	}
	if (!command(0xAA) || read_data(WAIT_US) != 0x55) {
		*why = "controller self-test failed";
		return false;
	}
	/* The self-test may reset the configuration byte: write it again. */
	if (!command(0x60) || !write_data((uint8_t)cfg)) {
		*why = "cannot write the configuration byte";
		return false;
	}
	if (!command(0xAB) || read_data(WAIT_US) != 0x00) {
		*why = "keyboard port interface test failed";
		return false;
	}
	if (!command(0xAE)) {
		*why = "cannot enable the keyboard port";
		return false;
	}
	if (!kbd_command(0xFF) || read_data(RESET_WAIT_US) != 0xAA) {
		*why = "no keyboard answered the reset";
		return false;
	}
	if (!kbd_command(0xF4)) {
		*why = "keyboard did not enable scanning";
		return false;
	}
	flush();
	/* Read while port 1 was disabled (0xAD), cfg has its clock-off bit set;
	 * 0xAE cleared it in the controller: keep it clear. */
	cfg = (cfg & ~CFG_PORT1_OFF) | CFG_IRQ1;
	if (!command(0x60) || !write_data((uint8_t)cfg)) {
		*why = "cannot enable the keyboard interrupt";
		return false;
	}
	present = true;
	return true;
}

bool ps2kbd_present(void) { return present; }

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
		if (!ring_put(&kbd_ring, sc))
			dropped++;
	}
}

size_t ps2kbd_read(char *out, size_t cap)
{
	size_t n = 0;
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
