/*
 * kbdmap.c — scancode set 1 to terminal bytes, US layout; see kbdmap.h.
 */
#include "kbdmap.h"

/* Make codes 0x00..0x39 (set 1): unshifted and shifted characters. */
static const char plain[0x3A] = {
	0, 0x1B, '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '=', 0x7F, '\t',
	'q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', '[', ']', '\r', 0, 'a', 's',
	'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`', 0, '\\', 'z', 'x', 'c', 'v',
	'b', 'n', 'm', ',', '.', '/', 0, '*', 0, ' ',
};
static const char shifted[0x3A] = {
	0, 0x1B, '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_', '+', 0x7F, '\t',
	'Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', '{', '}', '\r', 0, 'A', 'S',
	'D', 'F', 'G', 'H', 'J', 'K', 'L', ':', '"', '~', 0, '|', 'Z', 'X', 'C', 'V',
	'B', 'N', 'M', '<', '>', '?', 0, '*', 0, ' ',
};

enum {
	SC_LCTRL = 0x1D, SC_LSHIFT = 0x2A, SC_RSHIFT = 0x36, SC_LALT = 0x38,
	SC_CAPS = 0x3A, SC_NUMLOCK = 0x45,
	SC_KP7 = 0x47, SC_KP8, SC_KP9, SC_KPMINUS, SC_KP4, SC_KP5, SC_KP6, SC_KPPLUS,
	SC_KP1, SC_KP2, SC_KP3, SC_KP0, SC_KPDOT,
};

void kbdmap_init(struct kbdmap *k)
{
	*k = (struct kbdmap){ 0 };
}

static size_t put_str(char *out, const char *s)
{
	size_t n = 0;
	while (s[n] && n < KBDMAP_OUT_MAX) {
		out[n] = s[n];
		n++;
	}
	return n;
}

/* The editing keys shared by the E0 block and the keypad with Num Lock off. */
static size_t cursor_key(uint8_t code, char *out)
{
	switch (code) {
	case SC_KP8: return put_str(out, "\x1b[A");
	case SC_KP2: return put_str(out, "\x1b[B");
	case SC_KP6: return put_str(out, "\x1b[C");
	case SC_KP4: return put_str(out, "\x1b[D");
	case SC_KP7: return put_str(out, "\x1b[H");
	case SC_KP1: return put_str(out, "\x1b[F");
	case SC_KPDOT: return put_str(out, "\x1b[3~");
	default: return 0;
	}
}

size_t kbdmap_feed(struct kbdmap *k, uint8_t sc, char out[KBDMAP_OUT_MAX])
{
	if (k->skip) {          /* Pause: E1 1D 45 E1 9D C5 */
		k->skip--;
		return 0;
	}
	if (sc == 0xE0) {
		k->prefix = 0xE0;
		return 0;
	}
	if (sc == 0xE1) {
		k->skip = 5;
		k->prefix = 0;
		return 0;
	}
	int ext = k->prefix == 0xE0;
	k->prefix = 0;
	int release = sc & 0x80;
	uint8_t code = sc & 0x7F;
	uint8_t down = release ? 0 : 1;

	/* Modifiers. E0 2A / E0 AA are fake shifts around Print Screen and friends. */
	switch (code) {
	case SC_LSHIFT: if (!ext) k->lshift = down; return 0;
	case SC_RSHIFT: if (!ext) k->rshift = down; return 0;
	case SC_LCTRL: if (ext) k->rctrl = down; else k->lctrl = down; return 0;
	case SC_LALT: k->alt = down; return 0;
	default: break;
	}
	if (release)
		return 0;
	if (code == SC_CAPS && !ext) {
		k->caps ^= 1;
		return 0;
	}
	if (code == SC_NUMLOCK && !ext) {
		k->numlock ^= 1;
		return 0;
	}
	if (ext) {
		switch (code) {
		case 0x1C: out[0] = '\r'; return 1;               /* keypad Enter */
		case 0x35: out[0] = '/'; return 1;                /* keypad / */
		case 0x48: return put_str(out, "\x1b[A");
		case 0x50: return put_str(out, "\x1b[B");
		case 0x4D: return put_str(out, "\x1b[C");
		case 0x4B: return put_str(out, "\x1b[D");
		case 0x47: return put_str(out, "\x1b[H");
		case 0x4F: return put_str(out, "\x1b[F");
		case 0x53: return put_str(out, "\x1b[3~");
		default: return 0;
		}
	}
	if (code >= SC_KP7 && code <= SC_KPDOT) {
		static const char kp[] = "789-456+1230.";
		char c = kp[code - SC_KP7];
		if (c == '-' || c == '+' || k->numlock) {
			out[0] = c;
			return 1;
		}
		return cursor_key(code, out);
	}
	if (code >= sizeof(plain) || !plain[code])
		return 0;
	int shift = k->lshift || k->rshift;
	char c = plain[code];
	if (c >= 'a' && c <= 'z')
		c = (shift ^ k->caps) ? shifted[code] : c;
	else if (shift)
		c = shifted[code];
	if (k->lctrl || k->rctrl) {
		char u = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
		if (u == '2' || u == ' ')
			return 0;                 /* Ctrl-@ would be NUL: dropped */
		if (u == '6')
			u = '^';
		else if (u == '-')
			u = '_';
		if (u >= '@' && u <= '_') {
			out[0] = (char)(u & 0x1F);
			return 1;
		}
		if (c == 0x7F || c == '\r' || c == '\t' || c == 0x1B) {
			out[0] = c;
			return 1;
		}
		return 0;
	}
	out[0] = c;
	return 1;
}

/* HID usages 0x04..0x65 in order (see kbdmap.h for the source). */
static const uint16_t usage_set1[0x66] = {
	[0x04] = 0x1E, 0x30, 0x2E, 0x20, 0x12, 0x21, 0x22, 0x23, 0x17, 0x24, 0x25, 0x26, /* a..l */
	0x32, 0x31, 0x18, 0x19, 0x10, 0x13, 0x1F, 0x14, 0x16, 0x2F, 0x11, 0x2D,           /* m..x */
	0x15, 0x2C,                                                                      /* y, z */
	0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B,                       /* 1..0 */
	0x1C, 0x01, 0x0E, 0x0F, 0x39,               /* Enter, Esc, Backspace, Tab, Space */
	0x0C, 0x0D, 0x1A, 0x1B, 0x2B, 0x2B,         /* - = [ ] \ non-US # */
	0x27, 0x28, 0x29, 0x33, 0x34, 0x35,         /* ; ' ` , . / */
	0x3A,                                       /* Caps Lock */
	0x3B, 0x3C, 0x3D, 0x3E, 0x3F, 0x40, 0x41, 0x42, 0x43, 0x44, 0x57, 0x58, /* F1..F12 */
	KBDMAP_E0 | 0x37, 0x46, 0,                  /* Print Screen, Scroll Lock, Pause */
	KBDMAP_E0 | 0x52, KBDMAP_E0 | 0x47, KBDMAP_E0 | 0x49, /* Insert, Home, Page Up */
	KBDMAP_E0 | 0x53, KBDMAP_E0 | 0x4F, KBDMAP_E0 | 0x51, /* Delete, End, Page Down */
	KBDMAP_E0 | 0x4D, KBDMAP_E0 | 0x4B, KBDMAP_E0 | 0x50, KBDMAP_E0 | 0x48, /* Right Left Down Up */
	0x45, KBDMAP_E0 | 0x35, 0x37, 0x4A, 0x4E, KBDMAP_E0 | 0x1C, /* Num Lock, KP / * - + Enter */
	0x4F, 0x50, 0x51, 0x4B, 0x4C, 0x4D, 0x47, 0x48, 0x49, 0x52, 0x53, /* KP 1..9, 0, . */
	0x56, KBDMAP_E0 | 0x5D,                     /* non-US \, Application */
};

/* Modifiers 0xE0..0xE7: left Ctrl, Shift, Alt, GUI, then the right ones. */
static const uint16_t modifier_set1[8] = {
	0x1D, 0x2A, 0x38, KBDMAP_E0 | 0x5B, KBDMAP_E0 | 0x1D, 0x36, KBDMAP_E0 | 0x38, KBDMAP_E0 | 0x5C,
};

uint16_t kbdmap_usage_to_set1(uint8_t usage)
{
	if (usage >= 0xE0 && usage <= 0xE7)
		return modifier_set1[usage - 0xE0];
	return usage < sizeof(usage_set1) / sizeof(usage_set1[0]) ? usage_set1[usage] : 0;
}
