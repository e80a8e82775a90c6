/*
 * logring.c — the last lines of a log in a byte ring; see logring.h.
 */
#include "logring.h"
#include "ascii.h"
#include "port.h"

void logring_init(struct logring *r, char *buf, uint32_t size)
{
	r->buf = buf;
	r->size = size;
	r->head = 0;
	r->tail = 0;
}

/* drop_line: forget the oldest kept line (to its '\n', or all when none). */
static void drop_line(struct logring *r)
{
	while (r->tail < r->head) {
		char c = r->buf[r->tail % r->size];
		r->tail++;
		if (c == '\n')
			return;
	}
}

/* put: one byte at the head, making room first. */
static void put(struct logring *r, char c)
{
	while (r->head - r->tail >= r->size)
		drop_line(r);
	r->buf[r->head % r->size] = c;
	r->head++;
}

void logring_add(struct logring *r, const char *s, size_t n)
{
	if (!n)
		return;
	if (n >= r->size) { /* only its end fits: the ring holds that alone */
		s += n - (r->size - 1);
		n = r->size - 1;
		r->tail = r->head;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		put(r, c == '\n' || ascii_printable(c) ? (char)c : '?');
	}
	if (s[n - 1] != '\n')
		put(r, '\n');
}

size_t logring_read(const struct logring *r, uint32_t from, char *dst, size_t len, uint32_t *next)
{
	uint64_t kept = r->head - r->tail;
	uint32_t back = (uint32_t)r->head - from; /* bytes from `from` to the head, mod 2^32 */
	uint64_t at = back > kept ? r->tail : r->head - back;
	uint64_t n = r->head - at;
	if (n > len)
		n = len;
	for (uint64_t i = 0; i < n; i++)
		dst[i] = r->buf[(at + i) % r->size];
	*next = (uint32_t)(at + n);
	return (size_t)n;
}
