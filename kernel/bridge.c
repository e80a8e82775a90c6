/*
 * bridge.c — the kernel's link layer of the serial bridge; see bridge.h and
 * docs/bridge-protocol.md.
 *
 * Sending: reliable frames (REQUEST, CANCEL) wait in a queue and go out one at
 * a time (stop-and-wait): the head is sent with the next sequence number and
 * resent every BRIDGE_RETRY_MS until the bridge ACKs it (a NAK resends it as
 * soon as the previous copy has left the transmit ring); BRIDGE_RETRIES sends
 * in all, whatever caused them, and the bridge counts as lost: every call
 * fails with -PXE_EIO. Every frame goes into the serial transmit ring
 * (kernel/serial.h) as one unit; one that does not fit waits for room
 * (serial_tx_notify), so no frame is ever written with interrupts off.
 * Receiving: every intact reliable frame is ACKed; a repeat of the last
 * sequence number (our ACK was lost) is ACKed again and not delivered twice;
 * a damaged frame is answered with NAK, at most one per BRIDGE_NAK_GAP_MS.
 *
 * Sessions: HELLO and HELLO_ACK carry the sender's session number in the id
 * field; every other frame carries the link key (the XOR of both sessions) in
 * its CRC. A new bridge session (the bridge restarted) re-sends the calls that
 * have had no answer bytes yet (at most BRIDGE_RESUBMITS times each) and fails
 * those that had (-PXE_EIO): a new bridge cannot continue a half-streamed
 * answer. HELLOs are answered at most once per BRIDGE_HELLO_GAP_MS and a new
 * session is taken at most once per BRIDGE_SESSION_GAP_MS, so a storm of them
 * costs a bounded amount of output.
 */
#include "bridge.h"
#include "pxvm/frame.h"
#include "pxvm/crc32.h"
#include "pxvm/host.h"
#include "pxvm/hv.h"
#include "pxvm/abi.h"
#include "pxvm/ascii.h"
#include "drivers/timer.h"
#include "drivers/portio.h"
#include "klog.h"
#include "lib.h"
#include "panic.h"
#include "param.h"
#include "serial.h"

#define US_PER_MS 1000ull

struct txent {
	uint8_t type;
	uint32_t id;
	uint16_t len;
	uint8_t payload[BRIDGE_PAYLOAD_MAX];
};

struct call {
	bool used;
	bool acked;          /* the bridge has the REQUEST */
	uint8_t kind;
	uint8_t resubmits;   /* re-sent to a restarted bridge so often */
	uint32_t id;
	uint32_t got;        /* answer bytes received */
	uint64_t start_us, heard_us;
	uint16_t req_len;
	uint8_t req[BRIDGE_PAYLOAD_MAX]; /* the REQUEST payload, for a re-send after a bridge restart */
	const uint8_t *body; /* the whole body (kept by the caller until the call ends) */
	uint32_t total;      /* its length */
	uint32_t head;       /* body bytes the REQUEST itself carries */
	uint32_t queued;     /* body bytes queued so far (REQUEST + REQUEST_DATA frames) */
};

static struct txent txq[BRIDGE_TXQ];
static unsigned tx_head, tx_count;
static bool tx_busy;         /* txq[tx_head] is out and not yet acknowledged */
static bool tx_unsent;       /* ... and its last send did not fit in the transmit ring */
static bool tx_waiting;      /* a serial_tx_notify wake-up is registered */
static uint16_t tx_seq;
static uint64_t tx_sent_us;
static uint64_t tx_end;      /* transmit-ring position after its last copy */
static unsigned tx_tries;

static bool rx_have;
static uint16_t rx_last;

static bool present;
static bool peer_files;      /* the bridge's banner says home=1: it keeps /home */
static uint32_t my_session, peer_session;
static uint64_t peer_heard_us, probe_us;

/* Rate limits of what the bridge can make us send. */
struct gap {
	bool used;
	uint64_t at_us;
};
static struct gap nak_gap, hello_gap, session_gap;

static struct call calls[HV_INFLIGHT_MAX + 1]; /* + the monitor's own */
static const struct bridge_files *files; /* kernel/persist.c's hooks */

static struct frame_demux dmx;
static struct frame rxf;
static uint8_t txbuf[FRAME_ENCODED_MAX];

static struct {
	uint32_t frames_out, frames_in, retransmits, naks_in, naks_out, dups, timeouts, lost;
	uint32_t naks_ignored, naks_held, hellos_ignored, sessions_ignored, ring_full, resubmit_fail;
} st;

/* The monitor's call: its answer is printed as it arrives. */
static struct {
	bool waiting;
	uint32_t id;
	int status;
	uint32_t bytes;
	uint32_t crc;        /* CRC-32 of the answer received (what the console shows may lose bytes) */
} mon;
static uint32_t mon_next;

/* gap_pass: whether `ms` have passed since the last time this gap let an
 * event through (always, the first time); if so, that time is now. */
static bool gap_pass(struct gap *g, uint64_t ms, uint64_t now)
{
	if (g->used && now - g->at_us < ms * US_PER_MS)
		return false;
	g->used = true;
	g->at_us = now;
	return true;
}

static uint32_t link_key(void) { return my_session ^ peer_session; }

/* send_frame: one frame into the transmit ring as a unit; false when the ring
 * has no room for it (nothing written). */
static bool send_frame(uint8_t type, uint32_t id, uint16_t seq, const void *p, size_t len)
{
	size_t n = frame_encode(txbuf, sizeof(txbuf), link_key(), type, id, seq, p, len);
	if (!n)
		panic("send_frame: a frame the kernel built does not encode");
	if (!serial_tx_unit(txbuf, n)) {
		st.ring_full++;
		return false;
	}
	st.frames_out++;
	return true;
}

static void send_hello(uint8_t type)
{
	char banner[64];
	int n = snprintf(banner, sizeof(banner), "pxOS %s proto=%c max=%u", PXOS_VERSION_STRING,
	                 FRAME_VERSION, (unsigned)BRIDGE_PAYLOAD_MAX);
	send_frame(type, my_session, 0, banner, (size_t)n);
}

static struct call *find_call(uint32_t id)
{
	for (unsigned i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (calls[i].used && calls[i].id == id)
			return &calls[i];
	return NULL;
}

/* deliver: an answer part, the end, or a failure of call `id`. */
static void deliver(uint32_t id, int status, const uint8_t *text, uint32_t len, int more)
{
	if (id & BRIDGE_ID_KERNEL) {
		if (!mon.waiting || mon.id != id)
			return;
		if (len) {
			klog_write((const char *)text, len);
			mon.crc = crc32_update(mon.crc, text, len);
		}
		mon.bytes += len;
		if (!more) {
			mon.status = status;
			mon.waiting = false;
		}
		return;
	}
	hv_llm_reply(id, status, (const char *)text, len, more);
}

static void end_call(struct call *c, int status)
{
	uint32_t id = c->id;
	c->used = false;
	deliver(id, status, NULL, 0, 0);
}

static int queue(uint8_t type, uint32_t id, const void *p, size_t len)
{
	if (tx_count >= BRIDGE_TXQ || len > BRIDGE_PAYLOAD_MAX)
		return -1;
	struct txent *e = &txq[(tx_head + tx_count) % BRIDGE_TXQ];
	e->type = type;
	e->id = id;
	e->len = (uint16_t)len;
	if (len)
		memcpy(e->payload, p, len);
	tx_count++;
	return 0;
}

static void link_lost(const char *why);
static void send_head(uint64_t now);
static void snap_pump(void);

/* body_pump: queue REQUEST_DATA frames with the rest of each call's body
 * (after its REQUEST, which is queued first), using at most half the queue
 * so CANCELs and file frames still get in. */
static void body_pump(void)
{
	for (unsigned i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		struct call *c = &calls[i];
		while (c->used && c->queued < c->total && tx_count < BRIDGE_TXQ / 2) {
			uint32_t k = c->total - c->queued < BRIDGE_PAYLOAD_MAX ? c->total - c->queued : BRIDGE_PAYLOAD_MAX;
			if (queue(FRAME_REQUEST_DATA, c->id, c->body + c->queued, k) != 0)
				panic("body_pump: the queue refused a frame it had room for");
			c->queued += k;
		}
	}
}

/* on_room: the transmit ring has room for the head that did not fit. */
static void on_room(void *arg)
{
	(void)arg;
	tx_waiting = false;
	if (tx_busy && tx_unsent)
		send_head(timer_us());
}

/* send_head: (re)send the unacknowledged frame. Every send counts towards
 * BRIDGE_RETRIES, whatever caused it (timer, NAK, new session); past that
 * the link is lost. */
static void send_head(uint64_t now)
{
	if (tx_tries >= BRIDGE_RETRIES) {
		link_lost("no acknowledgement");
		return;
	}
	struct txent *e = &txq[tx_head];
	tx_sent_us = now;
	if (!send_frame(e->type, e->id, tx_seq, e->payload, e->len)) {
		tx_unsent = true;
		if (!tx_waiting && serial_tx_notify(FRAME_ENCODED_MAX, on_room, NULL) == 0)
			tx_waiting = true;
		return;
	}
	tx_unsent = false;
	tx_end = serial_tx_pos();
	tx_tries++;
}

static void pump(uint64_t now)
{
	if (tx_busy || !tx_count || !present)
		return;
	tx_seq++;
	tx_tries = 0;
	tx_busy = true;
	send_head(now);
}

/* link_lost: the bridge stopped acknowledging: fail every call. */
static void link_lost(const char *why)
{
	if (present)
		kwarn("bridge", "link lost (%s): failing %s calls", why, bridge_busy() ? "the" : "no");
	present = false;
	st.lost++;
	tx_busy = false;
	tx_unsent = false;
	tx_count = 0;
	for (unsigned i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (calls[i].used)
			end_call(&calls[i], -PXE_EIO);
	if (files)
		files->lost();
}

/* banner_says_home: whether a HELLO/HELLO_ACK banner has the word "home=1"
 * (a bridge that keeps /home: docs/bridge-protocol.md, "Files"). */
static bool banner_says_home(const char *b)
{
	static const char word[] = "home=1";
	for (const char *p = b; *p; p++)
		if ((p == b || p[-1] == ' ') && !strncmp(p, word, sizeof(word) - 1) &&
		    (p[sizeof(word) - 1] == ' ' || p[sizeof(word) - 1] == '\0'))
			return true;
	return false;
}

/* new_session: HELLO or HELLO_ACK with session number `s` arrived. */
static void new_session(uint32_t s, const struct frame *f, uint64_t now)
{
	bool was = present;
	peer_heard_us = now;
	if (was && s == peer_session)
		return;
	if (s != peer_session && !gap_pass(&session_gap, BRIDGE_SESSION_GAP_MS, now)) {
		st.sessions_ignored++; /* a storm of sessions: the next HELLO or probe answers */
		return;
	}
	present = true;
	char banner[80];
	banner[ascii_sanitise(banner, f->payload, f->len < sizeof(banner) - 1 ? f->len : sizeof(banner) - 1,
	                      '?')] = '\0';
	kinfo("bridge", "host bridge %s (%s)", peer_session ? "reconnected" : "connected", banner);
	peer_files = banner_says_home(banner);
	peer_session = s;
	uint32_t key = link_key();
	frame_demux_set_keys(&dmx, &key, 1);
	rx_have = false;
	/* The old session's unacknowledged frame goes to the new one (with the
	 * new key); its sends so far still count. */
	if (tx_busy)
		send_head(now);
	for (unsigned i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		struct call *c = &calls[i];
		if (!c->used || !c->acked)
			continue;
		if (c->got) {
			kwarn("bridge", "call %u: the bridge restarted mid-answer", c->id);
			end_call(c, -PXE_EIO);
		} else if (c->resubmits >= BRIDGE_RESUBMITS) {
			kwarn("bridge", "call %u: the bridge restarted %u times during it", c->id, c->resubmits + 1);
			st.resubmit_fail++;
			end_call(c, -PXE_EIO);
		} else if (queue(FRAME_REQUEST, c->id, c->req, c->req_len) == 0) {
			c->acked = false;
			c->resubmits++;
			c->heard_us = now;
			c->queued = c->head; /* the rest of the body follows again */
		} else {
			end_call(c, -PXE_EBUSY);
		}
	}
	if (files && peer_files)
		files->connected();
	pump(now);
}

static void on_ack(uint16_t seq, uint64_t now)
{
	if (!tx_busy || seq != tx_seq)
		return;
	struct txent *e = &txq[tx_head];
	if (e->type == FRAME_REQUEST) {
		struct call *c = find_call(e->id);
		if (c)
			c->acked = true;
	}
	tx_head = (tx_head + 1) % BRIDGE_TXQ;
	tx_count--;
	tx_busy = false;
	pump(now);
}

static void on_reliable(const struct frame *f, uint64_t now)
{
	(void)send_frame(FRAME_ACK, 0, f->seq, NULL, 0); /* no room: the bridge resends */
	if (rx_have && f->seq == rx_last) {
		st.dups++;
		return;
	}
	rx_have = true;
	rx_last = f->seq;
	if (files && files->frame(f))
		return;
	struct call *c = find_call(f->id);
	if (!c)
		return; /* cancelled or expired meanwhile */
	c->heard_us = now;
	switch (f->type) {
	case FRAME_REPLY_PART:
		c->got += f->len;
		deliver(c->id, 0, f->payload, f->len, 1);
		break;
	case FRAME_REPLY_END:
		end_call(c, 0);
		break;
	case FRAME_ERROR: {
		uint8_t code = frame_error_parse(f->payload, f->len);
		char msg[96];
		size_t n = f->len > 1 ? f->len - 1 : 0;
		msg[ascii_sanitise(msg, f->payload + 1, n < sizeof(msg) - 1 ? n : sizeof(msg) - 1, '?')] = '\0';
		kwarn("bridge", "call %u failed on the host: %s", c->id, msg);
		end_call(c, code == FRAME_ERR_TIMEOUT ? -PXE_ETIMEDOUT
		          : code == FRAME_ERR_BUSY  ? -PXE_EBUSY : -PXE_EIO);
		break;
	}
	default:
		break; /* REQUEST/CANCEL are ours to send, not to receive */
	}
}

static void on_frame(const struct frame *f, uint64_t now)
{
	st.frames_in++;
	peer_heard_us = now;
	switch (f->type) {
	case FRAME_HELLO:
		if (!gap_pass(&hello_gap, BRIDGE_HELLO_GAP_MS, now)) {
			st.hellos_ignored++;
			break;
		}
		send_hello(FRAME_HELLO_ACK);
		new_session(f->id, f, now);
		break;
	case FRAME_HELLO_ACK:
		new_session(f->id, f, now);
		break;
	case FRAME_ACK:
		on_ack(f->seq, now);
		break;
	case FRAME_NAK:
		st.naks_in++;
		/* Resend, unless the last copy is still waiting in the ring: then
		 * this NAK was for an older copy, and one resend per copy is plenty. */
		if (tx_busy && !tx_unsent && serial_tx_sent(tx_end)) {
			st.retransmits++;
			send_head(now);
		} else {
			st.naks_ignored++;
		}
		break;
	case FRAME_KEEPALIVE: {
		struct call *c = find_call(f->id);
		if (c) {
			c->heard_us = now;
			if (!(c->id & BRIDGE_ID_KERNEL))
				hv_llm_alive(c->id);
		}
		break;
	}
	default:
		if (frame_reliable(f->type))
			on_reliable(f, now);
		break;
	}
}

size_t bridge_rx(const uint8_t *in, size_t n, uint8_t *console)
{
	size_t m = 0;
	uint64_t now = timer_us();
	for (size_t i = 0; i < n; i++) {
		uint8_t out[2];
		size_t no;
		int r = frame_demux_byte(&dmx, in[i], out, &no, &rxf, NULL);
		for (size_t k = 0; k < no; k++)
			console[m++] = out[k];
		if (r == FD_FRAME) {
			on_frame(&rxf, now);
		} else if (r == FD_BAD && present) {
			if (gap_pass(&nak_gap, BRIDGE_NAK_GAP_MS, now)) {
				st.naks_out++;
				(void)send_frame(FRAME_NAK, 0, 0, NULL, 0);
			} else {
				st.naks_held++;
			}
		}
	}
	return m;
}

/* rx_poll: the input path's poll (kernel/input.c input_poll, given to
 * bridge_init): it drains the serial ring through bridge_rx. */
static void (*rx_poll)(void);

void bridge_uart_poll(void)
{
	if (rx_poll)
		rx_poll();
}


static unsigned calls_in_flight(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		n += calls[i].used;
	return n;
}

bool bridge_busy(void) { return calls_in_flight() != 0; }

void bridge_poll(void)
{
	uint64_t now = timer_us();
	if (tx_busy && tx_unsent && serial_tx_free() >= FRAME_ENCODED_MAX)
		send_head(now); /* the ring has room again */
	if (tx_busy && now - tx_sent_us >= BRIDGE_RETRY_MS * US_PER_MS) {
		if (!tx_unsent)
			st.retransmits++;
		send_head(now);
	}
	bool busy = false;
	for (unsigned i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		struct call *c = &calls[i];
		if (!c->used)
			continue;
		busy = true;
		bool idle = now - c->heard_us >= BRIDGE_IDLE_TIMEOUT_MS * US_PER_MS;
		if (idle || now - c->start_us >= BRIDGE_CALL_TIMEOUT_MS * US_PER_MS) {
			st.timeouts++;
			kwarn("bridge", "call %u timed out (%s)", c->id, idle ? "the bridge went silent" : "too long");
			uint32_t id = c->id;
			end_call(c, -PXE_ETIMEDOUT);
			if (present)
				(void)queue(FRAME_CANCEL, id, NULL, 0);
		}
	}
	/* Calls wait and the bridge is silent: it may have restarted without
	 * knowing us. A HELLO makes a new one answer (and re-sends the calls). */
	if (busy && serial_present() && now - peer_heard_us >= BRIDGE_PROBE_MS * US_PER_MS &&
	    now - probe_us >= BRIDGE_PROBE_MS * US_PER_MS) {
		probe_us = now;
		send_hello(FRAME_HELLO);
	}
	body_pump();
	pump(now);
	snap_pump();
	if (files)
		files->poll();
}

void bridge_files_register(const struct bridge_files *ops) { files = ops; }

bool bridge_present(void) { return present; }

bool bridge_keeps_files(void) { return present && peer_files; }

int bridge_send(uint8_t type, uint32_t id, const void *payload, size_t len)
{
	if (!present)
		return -PXE_ENOBRIDGE;
	if (queue(type, id, payload, len) != 0)
		return -PXE_EBUSY;
	pump(timer_us());
	return 0;
}

/* is_file_frame: a frame type of the files of /home. */
static bool is_file_frame(uint8_t t)
{
	return t == FRAME_RESTORE || t == FRAME_FILE || t == FRAME_FILE_DATA || t == FRAME_FILE_END ||
	       t == FRAME_FILE_GONE;
}

bool bridge_files_pending(void)
{
	for (unsigned i = 0; i < tx_count; i++)
		if (is_file_frame(txq[(tx_head + i) % BRIDGE_TXQ].type))
			return true;
	return false;
}

void bridge_init(uint32_t session, void (*input_poll_fn)(void))
{
	frame_demux_init(&dmx);
	rx_poll = input_poll_fn;
	uint64_t t0 = timer_us();
	my_session = session | 1u; /* nonzero */
	if (!serial_present()) {
		kinfo("bridge", "no serial port: LLM calls will fail with \"no bridge\"");
		return;
	}
	send_hello(FRAME_HELLO);
	probe_us = t0;
	while (!present && timer_us() - t0 < BRIDGE_HELLO_WAIT_MS * US_PER_MS) {
		bridge_uart_poll();
		cpu_pause();
	}
	if (!present)
		kinfo("bridge", "no host bridge answered in %u ms: LLM calls fail with \"no bridge\" "
		      "until one says HELLO", (unsigned)BRIDGE_HELLO_WAIT_MS);
}

int pxhost_llm_submit(uint32_t id, uint32_t kind, const char *model, uint32_t max_tokens, const char *body,
                      uint32_t len)
{
	uint64_t now = timer_us();
	if (!present) {
		/* Ask once in a while whether a bridge has appeared; fail now. */
		if (serial_present() && now - probe_us >= BRIDGE_RETRY_MS * US_PER_MS) {
			probe_us = now;
			send_hello(FRAME_HELLO);
		}
		return -PXE_ENOBRIDGE;
	}
	if (find_call(id))
		return -PXE_EBUSY;
	struct call *c = NULL;
	unsigned last = sizeof(calls) / sizeof(calls[0]) - 1; /* the monitor's slot */
	for (unsigned i = (id & BRIDGE_ID_KERNEL) ? last : 0; i <= last; i++) {
		if (!calls[i].used && ((id & BRIDGE_ID_KERNEL) || i < last)) {
			c = &calls[i];
			break;
		}
	}
	if (!c || tx_count >= BRIDGE_TXQ)
		return -PXE_EBUSY;
	if (max_tokens > 0xFFFFu || len > FRAME_BODY_MAX_TOTAL)
		return -PXE_EIO; /* over the protocol's limits (the hypervisor checks before) */
	uint32_t copied;
	size_t n = frame_request_encode(c->req, sizeof(c->req), (uint8_t)kind, (uint16_t)max_tokens, model, body,
	                                len, &copied);
	if (!n)
		return -PXE_EIO; /* model id over the protocol's limits */
	c->req_len = (uint16_t)n;
	c->used = true;
	c->acked = false;
	c->resubmits = 0;
	c->kind = (uint8_t)kind;
	c->id = id;
	c->got = 0;
	c->body = (const uint8_t *)body;
	c->total = len;
	c->head = c->queued = copied;
	c->start_us = c->heard_us = now;
	(void)queue(FRAME_REQUEST, id, c->req, n);
	body_pump();
	pump(now);
	return 0;
}

void pxhost_llm_cancel(uint32_t id)
{
	struct call *c = find_call(id);
	if (!c)
		return;
	c->used = false;
	if (present)
		(void)queue(FRAME_CANCEL, id, NULL, 0);
	pump(timer_us());
}

/* ---- snapshots --------------------------------------------------------------- */

/* The snapshot being sent: its pieces are queued as the queue has room (at
 * most half of it, so LLM calls still get in), from bridge_poll. */
static struct {
	bool active;
	const uint8_t *data;
	size_t n, off;
	uint32_t id, crc;
	int step;
	uint64_t t0;
	void (*done)(int result, size_t n, uint64_t ms);
} snap;

static void snap_end(int result)
{
	snap.active = false;
	if (snap.done)
		snap.done(result, snap.n, (timer_us() - snap.t0) / 1000);
}

/* snap_pump: queue the next pieces; end the transfer when all are acknowledged. */
static void snap_pump(void)
{
	if (!snap.active)
		return;
	if (!present) {
		snap_end(-PXE_EIO); /* the link was lost: the bridge drops the partial file */
		return;
	}
	while (snap.step <= FRAME_SNAP_END && tx_count < BRIDGE_TXQ / 2) {
		uint8_t p[BRIDGE_PAYLOAD_MAX];
		size_t len = 9;
		uint32_t w[2] = { (uint32_t)snap.n, snap.crc };
		p[0] = (uint8_t)snap.step;
		if (snap.step == FRAME_SNAP_DATA) {
			size_t k = snap.n - snap.off < FRAME_SNAP_DATA_MAX ? snap.n - snap.off : FRAME_SNAP_DATA_MAX;
			w[0] = (uint32_t)snap.off;
			memcpy(p + 5, snap.data + snap.off, k);
			len = 5 + k;
			snap.off += k;
		}
		memcpy(p + 1, w, snap.step == FRAME_SNAP_DATA ? 4 : 8);
		if (queue(FRAME_SNAPSHOT, snap.id, p, len) != 0)
			panic("snap_pump: the queue refused a piece it had room for");
		if (snap.step != FRAME_SNAP_DATA || snap.off == snap.n)
			snap.step++;
	}
	pump(timer_us());
	if (snap.step > FRAME_SNAP_END && !tx_count)
		snap_end(0); /* every piece acknowledged */
}

bool bridge_snapshot_active(void) { return snap.active; }

size_t bridge_snapshot_progress(void)
{
	size_t queued = (size_t)tx_count * FRAME_SNAP_DATA_MAX;
	return !snap.active ? 0 : snap.off > queued ? snap.off - queued : 0;
}

int bridge_snapshot_start(const uint8_t *data, size_t n, void (*done)(int result, size_t n, uint64_t ms))
{
	if (!present)
		return -PXE_ENOBRIDGE;
	if (snap.active)
		return -PXE_EBUSY;
	if (n > 0xFFFFFFFFu)
		return -PXE_EINVAL;
	snap.active = true;
	snap.data = data;
	snap.n = n;
	snap.off = 0;
	snap.id = BRIDGE_ID_KERNEL | (++mon_next & 0xFFFFFF);
	snap.crc = crc32(data, n);
	snap.step = FRAME_SNAP_BEGIN;
	snap.t0 = timer_us();
	snap.done = done;
	snap_pump();
	return 0;
}

/* ---- monitor commands ---------------------------------------------------- */

static void cmd_status(void)
{
	kprintf("bridge: %s; %u calls in flight; %u frames out, %u in; "
	        "%u retransmits, %u NAKs in, %u NAKs out, %u duplicates, %u bad frames, "
	        "%u timeouts, %u links lost\n",
	        present ? "present" : "absent", calls_in_flight(),
	        st.frames_out, st.frames_in, st.retransmits, st.naks_in, st.naks_out, st.dups, dmx.bad,
	        st.timeouts, st.lost);
	kprintf("bridge: storms held off: %u NAKs in ignored, %u NAKs out held, %u HELLOs ignored, "
	        "%u sessions ignored, %u calls failed after %u re-sends; %u frames waited for the "
	        "transmit ring\n", st.naks_ignored, st.naks_held, st.hellos_ignored, st.sessions_ignored,
	        st.resubmit_fail, (unsigned)BRIDGE_RESUBMITS, st.ring_full);
}

void bridge_monitor_cmd(int argc, char **argv)
{
	if (!strcmp(argv[0], "bridge")) {
		cmd_status();
		return;
	}
	/* llm [-m MODEL | -o] WORDS... */
	uint32_t kind = PXVM_TRAP_CALL_LLM;
	const char *model = "0";
	int a = 1;
	while (a < argc && argv[a][0] == '-') {
		if (!strcmp(argv[a], "-o")) {
			kind = PXVM_TRAP_ORACLE;
			a++;
		} else if (!strcmp(argv[a], "-m") && a + 1 < argc) {
			model = argv[a + 1];
			a += 2;
		} else {
			break;
		}
	}
	char prompt[512];
	size_t n = 0;
	for (; a < argc; a++) {
		size_t l = strlen(argv[a]);
		if (n + l + 1 >= sizeof(prompt))
			break;
		if (n)
			prompt[n++] = ' ';
		memcpy(prompt + n, argv[a], l);
		n += l;
	}
	if (!n) {
		kprintf("usage: llm [-m MODEL] [-o] PROMPT...\n");
		return;
	}
	uint32_t id = BRIDGE_ID_KERNEL | (++mon_next & 0xFFFFFF);
	mon.id = id;
	mon.bytes = 0;
	mon.crc = 0;
	mon.status = 0;
	mon.waiting = true;
	uint64_t t0 = timer_us();
	int r = pxhost_llm_submit(id, kind, model, 0, prompt, (uint32_t)n);
	if (r < 0) {
		mon.waiting = false;
		kprintf("llm: %s\n", pxvm_error_text((uint32_t)-r));
		return;
	}
	while (mon.waiting) {
		bridge_uart_poll();
		bridge_poll();
		klog_poll();
		cpu_pause();
	}
	uint64_t ms = (timer_us() - t0) / 1000;
	if (mon.status < 0)
		kprintf("\nllm: %s after %llu ms\n", pxvm_error_text((uint32_t)-mon.status), (unsigned long long)ms);
	else
		kprintf("\nllm: %u bytes in %llu ms, crc32 %08x\n", mon.bytes, (unsigned long long)ms, mon.crc);
}
