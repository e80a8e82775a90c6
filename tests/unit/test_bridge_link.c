/*
 * test_bridge_link.c — the kernel's bridge link layer (kernel/bridge.c, built
 * hosted) against a scripted host, with a fake transmit ring and clock:
 *   - a call end to end (HELLO, REQUEST, ACK, REPLY_PART, REPLY_END);
 *   - a NAK storm (4 KiB of NAKs): the head frame is resent at most
 *     BRIDGE_RETRIES times in all, then the link counts as lost; NAKs that
 *     arrive while the last copy still waits in the ring resend nothing;
 *   - a bad-frame storm: at most one NAK per BRIDGE_NAK_GAP_MS;
 *   - a HELLO storm with a new session in every HELLO: at most one HELLO_ACK
 *     per BRIDGE_HELLO_GAP_MS, one new session per BRIDGE_SESSION_GAP_MS, a
 *     call re-sent at most BRIDGE_RESUBMITS times;
 *   - frames with another link key (anyone but the real bridge) are refused;
 *   - a frame that does not fit in the ring waits for room, then goes out;
 *   - a conversation larger than a frame: REQUEST (with max_tokens and the
 *     total), then REQUEST_DATA pieces in order, the body whole at the host.
 * Each scenario runs in its own process (the bridge's state is static).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "drivers/timer.h"
#include "kernel/bridge.h"
#include "kernel/klog.h"
#include "kernel/panic.h"
#include "kernel/param.h"
#include "kernel/serial.h"
#include "pxvm/abi.h"
#include "pxvm/frame.h"
#include "pxvm/host.h"
#include "pxvm/hv.h"

/* ---- what bridge.c needs, faked ------------------------------------------------ */

static uint64_t now_us, auto_step;
uint64_t timer_us(void) { return now_us += auto_step; }

static uint8_t line[1 << 22];        /* every byte the kernel put on the line */
static size_t line_len;
static size_t ring_cap = SERIAL_TX_RING, ring_used;
static uint64_t pos_head, pos_tail;
static void (*room_fn)(void *);
static void *room_arg;
static size_t room_need;

bool serial_present(void) { return true; }
size_t serial_tx_free(void) { return ring_cap - ring_used; }
bool serial_tx_unit(const void *p, size_t n)
{
	if (ring_cap - ring_used < n)
		return false;
	if (line_len + n > sizeof line)
		abort();
	memcpy(line + line_len, p, n);
	line_len += n;
	ring_used += n;
	pos_head += n;
	return true;
}
uint64_t serial_tx_pos(void) { return pos_head; }
bool serial_tx_sent(uint64_t pos) { return pos_tail >= pos; }
int serial_tx_notify(size_t need, void (*fn)(void *), void *arg)
{
	if (room_fn)
		return -1;
	room_fn = fn;
	room_arg = arg;
	room_need = need;
	return 0;
}

/* drain: the UART took everything; run a due wake-up as serial_poll would. */
static void drain(void)
{
	ring_used = 0;
	pos_tail = pos_head;
	if (room_fn && ring_cap - ring_used >= room_need) {
		void (*fn)(void *) = room_fn;
		room_fn = NULL;
		fn(room_arg);
	}
}

static char logbuf[1 << 16];
static size_t loglen;
static void logv(const char *fmt, va_list ap)
{
	if (loglen < sizeof logbuf - 1) {
		int n = vsnprintf(logbuf + loglen, sizeof logbuf - loglen, fmt, ap);
		if (n > 0)
			loglen += (size_t)n < sizeof logbuf - loglen ? (size_t)n : sizeof logbuf - loglen - 1;
	}
}
void klog(enum klog_level level, const char *sys, const char *fmt, ...)
{
	(void)level;
	(void)sys;
	va_list ap;
	va_start(ap, fmt);
	logv(fmt, ap);
	va_end(ap);
	logv("\n", ap);
}
void kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	logv(fmt, ap);
	va_end(ap);
}
void klog_write(const char *s, size_t n) { (void)s; (void)n; }
void klog_poll(void) {}
void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	abort();
}
const char *pxvm_error_text(uint32_t e) { (void)e; return "error"; }

/* The hypervisor's side: what each call got. */
static char answer[8192];
static size_t answer_len;
static int ended, end_status;
void hv_llm_reply(uint32_t id, int status, const char *text, uint32_t len, int more)
{
	(void)id;
	if (len && answer_len + len < sizeof answer) {
		memcpy(answer + answer_len, text, len);
		answer_len += len;
	}
	if (!more) {
		ended++;
		end_status = status;
	}
}
void hv_llm_alive(uint32_t id) { (void)id; }

/* ---- the scripted host --------------------------------------------------------- */

#define HOST_SESSION 0xB0B0CAFEu

static uint32_t host_session = HOST_SESSION; /* the session the host claims */
static uint32_t kernel_session;      /* from the kernel's HELLO */
static struct frame_demux host_dmx;  /* reads the line as pxbridge does */
static size_t host_read;             /* line bytes the host has read */
static struct frame hf;
static unsigned seen[128];           /* frames of each type the host has seen */
static uint16_t last_q_seq;          /* sequence number of the last REQUEST seen */
static size_t last_q_size;
static uint16_t last_seq;            /* ... of the last reliable frame seen */
static uint8_t body[HV_CHAT_MAX];    /* the request body the host put together */
static size_t body_len, body_total;
static unsigned body_max_tokens;

static void host_keys(void)
{
	uint32_t k = kernel_session ^ host_session;
	frame_demux_set_keys(&host_dmx, &k, kernel_session ? 1 : 0);
}

/* host_read_line: decode what the kernel sent since last time. */
static void host_read_line(void)
{
	size_t start = host_read;
	for (; host_read < line_len; host_read++) {
		uint8_t out[2];
		size_t no;
		if (frame_demux_byte(&host_dmx, line[host_read], out, &no, &hf, NULL) != FD_FRAME)
			continue;
		seen[hf.type & 127]++;
		if (hf.type == FRAME_HELLO || hf.type == FRAME_HELLO_ACK) {
			kernel_session = hf.id;
			host_keys();
		}
		if (frame_reliable(hf.type))
			last_seq = hf.seq;
		if (hf.type == FRAME_REQUEST) {
			last_q_seq = hf.seq;
			last_q_size = FRAME_HEADER_CHARS + FRAME_B64_LEN(hf.len) + 12;
			struct frame_request q;
			if (frame_request_parse(hf.payload, hf.len, &q) == 0 && q.total <= sizeof body) {
				memcpy(body, q.body, q.body_len);
				body_len = q.body_len;
				body_total = q.total;
				body_max_tokens = q.max_tokens;
			}
		}
		if (hf.type == FRAME_REQUEST_DATA && body_len + hf.len <= sizeof body) {
			memcpy(body + body_len, hf.payload, hf.len);
			body_len += hf.len;
		}
	}
	(void)start;
}

/* to_kernel: a frame from the host, keyed with `key`. */
static void to_kernel_key(uint32_t key, uint8_t type, uint32_t id, uint16_t seq, const void *p, size_t len)
{
	static uint8_t enc[FRAME_ENCODED_MAX];
	uint8_t console[FRAME_ENCODED_MAX + 1];
	size_t n = frame_encode(enc, sizeof enc, key, type, id, seq, p, len);
	if (!n)
		abort();
	bridge_rx(enc, n, console);
}
static void to_kernel(uint8_t type, uint32_t id, uint16_t seq, const void *p, size_t len)
{
	to_kernel_key(kernel_session ^ host_session, type, id, seq, p, len);
}

static void hello_ack_poll(void)
{
	static int done;
	host_read_line();
	if (!done && seen[FRAME_HELLO]) {
		done = 1;
		to_kernel(FRAME_HELLO_ACK, HOST_SESSION, 0, "pxbridge proto=3", 16);
	}
}

/* connect: boot handshake with the scripted host. */
static void connect(void)
{
	frame_demux_init(&host_dmx);
	auto_step = 1000;
	now_us = 5000000;
	bridge_init(0x12345678u, hello_ack_poll);
	auto_step = 0;
	host_read_line();
	drain();
}

/* Checks inside a scenario's process. */
#define CHECK(c, ...)                                                            \
	do {                                                                         \
		if (!(c)) {                                                              \
			fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, #c);              \
			fprintf(stderr, __VA_ARGS__);                                        \
			fprintf(stderr, "\nkernel log:\n%s\n", logbuf);                      \
			_exit(1);                                                            \
		}                                                                        \
	} while (0)

static void scenario(void (*fn)(void))
{
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fn();
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static char prompt[4000];

/* submit: a call with a long prompt (a REQUEST frame of about 5.4 KB). */
static void submit(uint32_t id)
{
	memset(prompt, 'p', sizeof prompt);
	CHECK(pxhost_llm_submit(id, PXVM_TRAP_CALL_LLM, "0", 0, prompt, sizeof prompt) == 0, "submit");
	host_read_line();
}

/* ---- scenarios -------------------------------------------------------------------- */

static void sc_call(void)
{
	connect();
	CHECK(seen[FRAME_HELLO] == 1, "one boot HELLO");
	CHECK(strstr(logbuf, "host bridge connected (pxbridge proto=3)"), "connected");
	submit(5);
	CHECK(seen[FRAME_REQUEST] == 1, "REQUEST out");
	to_kernel(FRAME_ACK, 0, last_q_seq, NULL, 0);
	to_kernel(FRAME_REPLY_PART, 5, 1, "hello ", 6);
	to_kernel(FRAME_REPLY_PART, 5, 1, "hello ", 6); /* our ACK was lost: a duplicate */
	to_kernel(FRAME_REPLY_PART, 5, 2, "world", 5);
	to_kernel(FRAME_REPLY_END, 5, 3, NULL, 0);
	host_read_line();
	CHECK(ended == 1 && end_status == 0, "ended %d status %d", ended, end_status);
	CHECK(answer_len == 11 && !memcmp(answer, "hello world", 11), "answer '%.*s'", (int)answer_len, answer);
	CHECK(seen[FRAME_ACK] == 4, "ACKs %u", seen[FRAME_ACK]);
}

/* A 20 KB conversation: the REQUEST carries the head and what fits, the
 * rest follows in REQUEST_DATA frames, one acknowledged at a time. */
static void sc_chat_body(void)
{
	static uint8_t conv[20000];
	connect();
	size_t n = frame_chat_begin(conv, sizeof conv, "pxasm@0123ABCD");
	uint8_t text[19000];
	for (size_t i = 0; i < sizeof text; i++)
		text[i] = (uint8_t)(i * 31 + (i >> 8));
	n = frame_chat_turn(conv, sizeof conv, n, FRAME_ROLE_USER, text, sizeof text);
	CHECK(n > 0, "conversation built");
	CHECK(pxhost_llm_submit(9, PXVM_TRAP_LLM_CHAT, "3", 777, (const char *)conv, (uint32_t)n) == 0, "submit");
	for (int i = 0; i < 20 && seen[FRAME_REQUEST_DATA] < 5; i++) {
		host_read_line();
		drain();
		to_kernel(FRAME_ACK, 0, last_seq, NULL, 0);
		bridge_poll();
	}
	host_read_line();
	CHECK(seen[FRAME_REQUEST] == 1, "one REQUEST (%u)", seen[FRAME_REQUEST]);
	CHECK(seen[FRAME_REQUEST_DATA] == (n - (BRIDGE_PAYLOAD_MAX - FRAME_REQUEST_HEAD(1)) + BRIDGE_PAYLOAD_MAX - 1) /
	      BRIDGE_PAYLOAD_MAX, "%u REQUEST_DATA frames for %zu bytes", seen[FRAME_REQUEST_DATA], n);
	CHECK(body_total == n && body_len == n && !memcmp(body, conv, n), "body %zu of %zu bytes", body_len, body_total);
	CHECK(body_max_tokens == 777, "max_tokens %u", body_max_tokens);
	to_kernel(FRAME_REPLY_PART, 9, 1, "ok", 2);
	to_kernel(FRAME_REPLY_END, 9, 2, NULL, 0);
	CHECK(ended == 1 && end_status == 0 && answer_len == 2, "answered");
}

/* 4 KiB of NAKs, the UART draining everything at once (QEMU): BRIDGE_RETRIES
 * sends of the head in all, then the link is lost and the call fails. */
static void sc_nak_storm(void)
{
	connect();
	submit(6);
	size_t before = line_len;
	uint8_t nak[128];
	size_t nak_len = frame_encode(nak, sizeof nak, kernel_session ^ HOST_SESSION, FRAME_NAK, 0, 0, NULL, 0);
	unsigned naks = 0;
	for (size_t sent = 0; sent < 4096; sent += nak_len, naks++) {
		drain();
		to_kernel(FRAME_NAK, 0, 0, NULL, 0);
		now_us += 1000;
	}
	host_read_line();
	size_t out = line_len - before;
	CHECK(seen[FRAME_REQUEST] == BRIDGE_RETRIES, "%u REQUEST sends for %u NAKs", seen[FRAME_REQUEST], naks);
	CHECK(out <= BRIDGE_RETRIES * last_q_size + 1024, "%zu bytes out for %u NAKs", out, naks);
	CHECK(ended == 1 && end_status == -PXE_EIO, "call failed with EIO (%d, %d)", ended, end_status);
	CHECK(strstr(logbuf, "link lost (no acknowledgement)"), "link lost logged");
	/* More NAKs now change nothing. */
	size_t after = line_len;
	for (int i = 0; i < 100; i++)
		to_kernel(FRAME_NAK, 0, 0, NULL, 0);
	CHECK(line_len == after, "output after the link was lost");
}

/* NAKs while the last copy is still in the ring (a slow UART): no resend. */
static void sc_nak_slow_line(void)
{
	connect();
	submit(7);
	for (int i = 0; i < 1000; i++) {
		to_kernel(FRAME_NAK, 0, 0, NULL, 0);
		now_us += 100;
	}
	host_read_line();
	CHECK(seen[FRAME_REQUEST] == 1, "%u REQUEST sends while the first waits in the ring", seen[FRAME_REQUEST]);
	drain();
	to_kernel(FRAME_NAK, 0, 0, NULL, 0);
	host_read_line();
	CHECK(seen[FRAME_REQUEST] == 2, "one resend once the copy left (%u)", seen[FRAME_REQUEST]);
}

/* 4 KiB of damaged frames at once: one NAK per BRIDGE_NAK_GAP_MS. */
static void sc_bad_storm(void)
{
	connect();
	uint8_t console[4096 + 1];
	static const char cut[] = "\x1b_PXB3Q\n";
	for (int i = 0; i < 4096 / 8; i++)
		bridge_rx((const uint8_t *)cut, 8, console);
	host_read_line();
	CHECK(seen[FRAME_NAK] == 1, "%u NAKs for 512 bad frames at one moment", seen[FRAME_NAK]);
	now_us += BRIDGE_NAK_GAP_MS * 1000;
	for (int i = 0; i < 10; i++)
		bridge_rx((const uint8_t *)cut, 8, console);
	host_read_line();
	CHECK(seen[FRAME_NAK] == 2, "%u NAKs a gap later", seen[FRAME_NAK]);
}

/* HELLOs with a new session each, 4 KiB of them over 4 s; the "bridge" of
 * each session acknowledges the call re-sent to it. */
static void sc_hello_storm(void)
{
	connect();
	submit(8);
	to_kernel(FRAME_ACK, 0, last_q_seq, NULL, 0);
	drain();
	host_read_line();
	unsigned q0 = seen[FRAME_REQUEST], acks0 = seen[FRAME_HELLO_ACK];
	uint64_t t0 = now_us;
	unsigned hellos = 0;
	for (size_t bytes = 0; bytes < 4096; bytes += 45, hellos++) {
		unsigned q = seen[FRAME_REQUEST];
		host_session = 0x5E550000u + hellos;
		host_keys();
		to_kernel(FRAME_HELLO, host_session, 0, "x", 1);
		host_read_line();
		if (seen[FRAME_REQUEST] != q) /* re-sent to "us": acknowledge it */
			to_kernel(FRAME_ACK, 0, last_q_seq, NULL, 0);
		now_us += 4000000 / 91;
		drain();
	}
	host_read_line();
	uint64_t ms = (now_us - t0) / 1000;
	unsigned acks = seen[FRAME_HELLO_ACK] - acks0;
	CHECK(acks <= ms / BRIDGE_HELLO_GAP_MS + 1, "%u HELLO_ACKs for %u HELLOs in %llu ms", acks, hellos,
	      (unsigned long long)ms);
	unsigned resent = seen[FRAME_REQUEST] - q0;
	CHECK(resent == BRIDGE_RESUBMITS, "the call re-sent %u times", resent);
	CHECK(ended == 1 && end_status == -PXE_EIO, "call failed after its re-sends (%d, %d)", ended, end_status);
	CHECK(strstr(logbuf, "the bridge restarted 3 times during it"), "reason logged");
	CHECK(strstr(logbuf, "reconnected"), "new sessions taken");
}

/* Frames keyed for another session (a forger, an old bridge) are refused. */
static void sc_wrong_key(void)
{
	connect();
	submit(9);
	to_kernel(FRAME_ACK, 0, last_q_seq, NULL, 0);
	to_kernel_key(0xDEADBEEFu, FRAME_REPLY_PART, 9, 1, "forged", 6);
	to_kernel_key(0, FRAME_REPLY_END, 9, 2, NULL, 0);
	CHECK(answer_len == 0 && ended == 0, "a forged frame was delivered");
	to_kernel(FRAME_REPLY_END, 9, 3, NULL, 0);
	CHECK(ended == 1 && end_status == 0, "the real end (%d, %d)", ended, end_status);
}

/* A REQUEST that does not fit in the ring waits, then goes when room frees. */
static void sc_ring_full(void)
{
	connect();
	ring_cap = 2000;
	submit(10);
	CHECK(seen[FRAME_REQUEST] == 0, "a 5 KB frame in a 2 KB ring");
	CHECK(room_fn != NULL, "a wake-up registered");
	ring_cap = SERIAL_TX_RING;
	drain();
	host_read_line();
	CHECK(seen[FRAME_REQUEST] == 1, "sent after the wake-up (%u)", seen[FRAME_REQUEST]);
}

static void test_chat_body(void **s) { (void)s; scenario(sc_chat_body); }
static void test_call(void **s) { (void)s; scenario(sc_call); }
static void test_nak_storm(void **s) { (void)s; scenario(sc_nak_storm); }
static void test_nak_slow_line(void **s) { (void)s; scenario(sc_nak_slow_line); }
static void test_bad_storm(void **s) { (void)s; scenario(sc_bad_storm); }
static void test_hello_storm(void **s) { (void)s; scenario(sc_hello_storm); }
static void test_wrong_key(void **s) { (void)s; scenario(sc_wrong_key); }
static void test_ring_full(void **s) { (void)s; scenario(sc_ring_full); }

int main(void)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chat_body),
		cmocka_unit_test(test_call),
		cmocka_unit_test(test_nak_storm),
		cmocka_unit_test(test_nak_slow_line),
		cmocka_unit_test(test_bad_storm),
		cmocka_unit_test(test_hello_storm),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_ring_full),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("test_bridge_link: %.2f s\n", (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return r;
}
