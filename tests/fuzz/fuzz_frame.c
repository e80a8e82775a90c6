/*
 * fuzz_frame.c — libFuzzer target: the bridge's demultiplexer and frame decoder
 * (pxvm/frame.c, the code both the kernel and tools/pxbridge run) and the
 * REQUEST/ERROR payload parsers, on arbitrary byte streams.
 * Build and run with `make fuzz-frame` (clang, ASan + UBSan).
 *
 * Checks: console bytes out never exceed bytes in (+1 for a held ESC at the
 * end); every frame that comes out re-encodes to a body that decodes to the
 * same frame; a damaged frame never comes out as good; payload parsers stay in
 * bounds. The input is also fed once more with each frame it contains
 * re-encoded, so mutations reach valid CRCs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pxvm/frame.h"

/* The link key of the seeds' keyed frames (tests/fuzz/frame_seeds.c and
 * fuzz_frame.c agree), which the fuzzed demultiplexer accepts. */
#define TK 0x5EED1234u

#define CHECK(c)                   \
	do {                           \
		if (!(c))                  \
			__builtin_trap();      \
	} while (0)

static struct frame_demux dmx;
static struct frame f, g;
static uint8_t enc[FRAME_ENCODED_MAX];

static void check_frame(const struct frame *fr)
{
	CHECK(frame_type_valid(fr->type));
	CHECK(fr->len <= FRAME_PAYLOAD_MAX);
	size_t n = frame_encode(enc, sizeof(enc), TK, fr->type, fr->id, fr->seq, fr->payload, fr->len);
	CHECK(n >= 4);
	CHECK(frame_decode_body(enc + 2, n - 4, TK, &g) == FRAME_OK);
	/* a keyed frame never decodes with another key */
	if (frame_keyed(fr->type))
		CHECK(frame_decode_body(enc + 2, n - 4, TK ^ 0x100u, &g) == FRAME_ECRC);
	CHECK(g.type == fr->type && g.id == fr->id && g.seq == fr->seq && g.len == fr->len);
	CHECK(memcmp(g.payload, fr->payload, fr->len) == 0);
	if (fr->type == FRAME_REQUEST) {
		struct frame_request r;
		if (frame_request_parse(fr->payload, fr->len, &r) == 0) {
			CHECK(r.body >= fr->payload && r.body + r.body_len == fr->payload + fr->len);
			CHECK(r.body_len <= r.total && strlen(r.model) <= FRAME_MODEL_MAX);
			struct frame_chat c;
			if (frame_chat_parse(r.body, r.body_len, &c) == 0) {
				/* a conversation that parses walks to its end inside the body */
				uint8_t role;
				const uint8_t *t;
				uint32_t len, turns = 0;
				while (frame_chat_next(&c, &role, &t, &len)) {
					CHECK(t >= r.body && t + len <= r.body + r.body_len);
					CHECK(role == FRAME_ROLE_USER || role == FRAME_ROLE_ASSISTANT);
					turns++;
				}
				CHECK(turns == c.turns && turns > 0);
			}
		}
	}
	if (fr->type == FRAME_ERROR)
		(void)frame_error_parse(fr->payload, fr->len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	frame_demux_init(&dmx);
	uint32_t keys[2] = { TK, TK ^ 0xFFu };
	frame_demux_set_keys(&dmx, keys, size & 1 ? 2 : 1);
	size_t out_total = 0;
	for (size_t i = 0; i < size; i++) {
		uint8_t out[2];
		size_t no = 9;
		int st = 0;
		int r = frame_demux_byte(&dmx, data[i], out, &no, &f, &st);
		CHECK(no <= 2);
		out_total += no;
		if (r == FD_FRAME)
			check_frame(&f);
		else if (r == FD_BAD)
			CHECK(st < 0);
		else
			CHECK(r == FD_NONE);
	}
	uint8_t tail[1];
	out_total += frame_demux_flush(&dmx, tail);
	CHECK(out_total <= size + 1);
	/* The raw input as a body, and as a payload of each type. */
	if (frame_decode_body(data, size, TK, &f) == FRAME_OK)
		check_frame(&f);
	if (size <= FRAME_PAYLOAD_MAX && size > 0) {
		size_t n = frame_encode(enc, sizeof(enc), TK, FRAME_REQUEST, (uint32_t)size, 1, data, size);
		CHECK(n > 0);
		CHECK(frame_decode_body(enc + 2, n - 4, TK, &f) == FRAME_OK);
		check_frame(&f);
	}
	return 0;
}
