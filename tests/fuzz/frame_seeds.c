/*
 * frame_seeds.c — writes seed inputs for fuzz_frame into the directory given:
 * console text interleaved with frames of every type, damaged and cut frames.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pxvm/frame.h"

/* The link key of the seeds' keyed frames (tests/fuzz/frame_seeds.c and
 * fuzz_frame.c agree), which the fuzzed demultiplexer accepts. */
#define TK 0x5EED1234u

static unsigned char buf[4 * FRAME_ENCODED_MAX];

static void put(const char *dir, int k, size_t n)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/seed-%02d", dir, k);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, n, f) != n || fclose(f)) {
		perror(path);
		_exit(1);
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: frame_seeds DIR\n");
		return 2;
	}
	static const uint8_t types[] = { FRAME_HELLO, FRAME_HELLO_ACK, FRAME_REQUEST, FRAME_ACK,
	                                 FRAME_NAK, FRAME_KEEPALIVE, FRAME_REPLY_PART,
	                                 FRAME_REPLY_END, FRAME_ERROR, FRAME_CANCEL };
	int k = 0;
	for (size_t t = 0; t < sizeof(types); t++) {
		uint8_t p[64];
		uint32_t copied;
		size_t pl = types[t] == FRAME_REQUEST ? frame_request_encode(p, sizeof(p), 2, 100, "0", "hi?", 3, &copied)
		          : types[t] == FRAME_ERROR  ? frame_error_encode(p, sizeof(p), 2, "timeout")
		                                     : (memcpy(p, "text", 4), 4);
		size_t n = 0;
		memcpy(buf, "boot> ", 6);
		n = 6;
		n += frame_encode(buf + n, sizeof(buf) - n, TK, types[t], (uint32_t)t * 7, (uint16_t)t, p, pl);
		memcpy(buf + n, "\x1b[1mok\r\n", 8);
		n += 8;
		put(argv[1], k++, n);
	}
	/* Two frames, the first cut short. */
	size_t a = frame_encode(buf, sizeof(buf), TK, FRAME_REPLY_PART, 1, 1, "abcdef", 6);
	size_t b = frame_encode(buf + a / 2, sizeof(buf) - a / 2, TK, FRAME_REPLY_END, 1, 2, NULL, 0);
	put(argv[1], k++, a / 2 + b);
	return 0;
}
