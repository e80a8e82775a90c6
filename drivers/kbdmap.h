/*
 * kbdmap.h — PC scancode set 1 (what an i8042 with translation on delivers)
 * to the bytes a terminal would send, US layout. Portable (kernel and host
 * unit tests); no hardware access.
 *
 * Bytes produced:
 *   printable keys    ASCII, with Shift and Caps Lock (Caps affects letters only)
 *   Enter             '\r' (0x0D), as a serial terminal sends it; keypad Enter too
 *   Backspace         0x7F (DEL), as most terminals send it
 *   Tab, Esc          0x09, 0x1B
 *   Ctrl + key        the key's byte & 0x1F for @, A..Z, [, \, ], ^, _
 *                     (Ctrl-C 0x03, Ctrl-D 0x04, Ctrl-\ 0x1C); Ctrl-2 0x00 is dropped
 *   arrows            ESC [ A (up), B (down), C (right), D (left)
 *   Home, End         ESC [ H, ESC [ F;  Delete ESC [ 3 ~
 *   keypad            digits and . with Num Lock on; the cursor keys with it off
 * Alt, the Windows keys, function keys, Pause and Print Screen produce nothing.
 */
#ifndef PXOS_KBDMAP_H
#define PXOS_KBDMAP_H

#include <stdint.h>
#include <stddef.h>

struct kbdmap {
	uint8_t prefix;     /* 0, 0xE0, or 0xE1 while skipping the Pause sequence */
	uint8_t skip;       /* bytes of the Pause sequence still to skip */
	uint8_t lshift, rshift, lctrl, rctrl, alt;
	uint8_t caps, numlock;
};

#define KBDMAP_OUT_MAX 4    /* most bytes one scancode produces */

/* kbdmap_init: no key held, Caps Lock off, Num Lock off. */
void kbdmap_init(struct kbdmap *k);

/* kbdmap_feed: one scancode byte `sc` from the keyboard. Writes the bytes it
 * produces into out[0..KBDMAP_OUT_MAX) and returns their count (0 for key
 * releases, modifiers, prefixes and keys that map to nothing). */
size_t kbdmap_feed(struct kbdmap *k, uint8_t sc, char out[KBDMAP_OUT_MAX]);

#endif /* PXOS_KBDMAP_H */
