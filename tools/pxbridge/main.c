/*
 * pxbridge — the user's serial terminal to pxOS and its LLM relay.
 *
 *   pxbridge (--socket PATH | --serial DEV [--baud N]) [options]
 *
 * One serial line carries the console and the bridge's frames
 * (docs/bridge-protocol.md): console bytes from pxOS go to stdout, keystrokes
 * go to the line, frames are answered here. REQUEST frames become chat
 * completions at an OpenAI-compatible server (streamed back as REPLY_PART
 * frames), or scripted/offline answers. `pxbridge --help` lists the options.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "pxbridge.h"
#include "pxvm/abi.h"
#include "pxvm/ascii.h"

#define MENU_KEY 0x1D /* Ctrl-] */

static struct pxb_opts opt = {
	.baud = 115200, .probe = 1, .connect_ms = 5000, .first_ms = 120000, .token_ms = 30000,
	.max_tokens = 1024, .seed = 1,
};
static CURLM *multi;
static int line_fd = -1;
static FILE *logf;
static int log_view;
static int tty_raw;
static struct termios tty_saved;
static volatile sig_atomic_t stop_signal;

static struct pxb_req reqs[PXB_REQ_MAX];

/* Link state (stop-and-wait, as the kernel's; see docs/bridge-protocol.md). */
struct txframe {
	uint8_t type;
	uint32_t id;
	uint16_t len;
	uint8_t *payload;
	struct txframe *next;
};
static struct txframe *txq_head, *txq_tail;
static size_t txq_len;
static int tx_busy;
static uint16_t tx_seq;
static double tx_sent;
static unsigned tx_tries;
static int rx_have;
static uint16_t rx_last;
static uint32_t my_session, kernel_session;
static int kernel_known;
/* A HELLO with another session number than the kernel's: a restarted pxOS,
 * or a forgery. The current session's requests stay until a frame keyed
 * with the new session arrives (which only a kernel that saw our HELLO_ACK
 * can send). */
static uint32_t pending_session;
static int pending_known;
static double hello_sent, nak_sent;
static struct frame_demux dmx;
static struct frame rxf;
static uint64_t rng_state;
static struct {
	unsigned long frames_out, frames_in, retransmits, naks_in, naks_out, dups, corrupted, dropped,
		requests, answered, failed, window, busy, naks_ignored;
} st;

double pxb_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void pxb_log(const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	time_t t = time(NULL);
	struct tm tm;
	char ts[32];
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", gmtime_r(&t, &tm));
	if (logf) {
		fprintf(logf, "%s %s\n", ts, buf);
		fflush(logf);
	}
	if (log_view || !logf)
		fprintf(stderr, "%s[pxbridge] %s%s\n", tty_raw ? "\r" : "", buf, tty_raw ? "\r" : "");
}

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 32);
}

/* ---- the serial line ------------------------------------------------------ */

static void write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;
	while (n) {
		ssize_t w = write(fd, b, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd pf = { .fd = fd, .events = POLLOUT };
				poll(&pf, 1, 100);
				continue;
			}
			return; /* the line is gone: the read side notices */
		}
		b += w;
		n -= (size_t)w;
	}
}

/* send_frame: encode and write one frame; --corrupt-frames may damage or drop
 * it (never HELLO/HELLO_ACK, so the handshake itself stays testable). */
static void send_frame(uint8_t type, uint32_t id, uint16_t seq, const void *p, size_t len)
{
	static uint8_t buf[FRAME_ENCODED_MAX];
	size_t n = frame_encode(buf, sizeof(buf), my_session ^ kernel_session, type, id, seq, p, len);
	if (!n) {
		pxb_log("internal error: frame type %c len %zu does not encode", type, len);
		return;
	}
	st.frames_out++;
	if (opt.corrupt_pct > 0 && type != FRAME_HELLO && type != FRAME_HELLO_ACK &&
	    (rnd() % 1000000) < opt.corrupt_pct * 10000) {
		switch (rnd() % 3) {
		case 0:
			st.dropped++;
			return;
		case 1: { /* one body byte replaced by another body character */
			size_t i = 2 + rnd() % (n - 4);
			uint8_t c = buf[i];
			buf[i] = c == 'A' ? 'B' : 'A';
			st.corrupted++;
			break;
		}
		default: /* cut short: the rest never arrives */
			n = 2 + rnd() % (n - 3);
			st.corrupted++;
			break;
		}
	}
	write_all(line_fd, buf, n);
}

static void send_hello(uint8_t type)
{
	char banner[160];
	const char *be = opt.backend == BE_HTTP ? "http" : opt.backend == BE_SCRIPT ? "script" : "offline";
	int n = snprintf(banner, sizeof(banner), "pxbridge proto=%c max=%u backend=%s home=%d", FRAME_VERSION,
	                 (unsigned)FRAME_PAYLOAD_MAX, be, pxb_home_active());
	send_frame(type, my_session, 0, banner, (size_t)n);
}

static void queue(uint8_t type, uint32_t id, const void *p, size_t len)
{
	struct txframe *f = calloc(1, sizeof(*f));
	if (!f || (len && !(f->payload = malloc(len)))) {
		free(f);
		pxb_log("out of memory: frame to request %u dropped", id);
		return;
	}
	f->type = type;
	f->id = id;
	f->len = (uint16_t)len;
	if (len)
		memcpy(f->payload, p, len);
	if (txq_tail)
		txq_tail->next = f;
	else
		txq_head = f;
	txq_tail = f;
	txq_len++;
}

static void tx_send_head(void)
{
	send_frame(txq_head->type, txq_head->id, tx_seq, txq_head->payload, txq_head->len);
	tx_sent = pxb_now();
	tx_tries++;
}

/* set_keys: the demultiplexer accepts frames keyed with the current session
 * and, while one is pending, with the pending one. */
static void set_keys(void)
{
	uint32_t k[2];
	unsigned n = 0;
	if (kernel_known)
		k[n++] = my_session ^ kernel_session;
	if (pending_known)
		k[n++] = my_session ^ pending_session;
	frame_demux_set_keys(&dmx, k, n);
}

static void tx_pop(void)
{
	struct txframe *f = txq_head;
	txq_head = f->next;
	if (!txq_head)
		txq_tail = NULL;
	free(f->payload);
	free(f);
	txq_len--;
	tx_busy = 0;
}

static void tx_flush(void)
{
	while (txq_head)
		tx_pop();
}

static void pump(void)
{
	if (tx_busy || !txq_head)
		return;
	tx_seq++;
	tx_tries = 0;
	tx_busy = 1;
	tx_send_head();
}

void pxb_queue(uint8_t type, uint32_t id, const void *p, size_t len)
{
	queue(type, id, p, len);
	pump();
}

/* ---- requests ------------------------------------------------------------- */

static struct pxb_req *find_req(uint32_t id)
{
	for (int i = 0; i < PXB_REQ_MAX; i++)
		if (reqs[i].used && reqs[i].id == id)
			return &reqs[i];
	return NULL;
}

static void req_free(struct pxb_req *r)
{
	pxb_backend_stop(multi, r);
	memset(r, 0, sizeof(*r));
}

static const char *kind_name(uint8_t k)
{
	return k == PXVM_TRAP_ORACLE ? "oracle" : k == PXVM_TRAP_LLM_CHAT ? "chat" : "llm";
}

static void req_log_end(const struct pxb_req *r, const char *how)
{
	double now = pxb_now();
	pxb_log("request %u %s model %s (guest %s) max_tokens %u%s%s: prompt %zu bytes, answer %zu bytes, "
	        "first part %.0f ms, total %.0f ms: %s%s%s", r->id, kind_name(r->kind), r->model, r->guest_model,
	        r->max_tokens, r->system ? " system " : "", r->system ? r->system->name : "", r->prompt_len,
	        r->total, r->t_first ? (r->t_first - r->t_start) * 1000 : -1.0, (now - r->t_start) * 1000,
	        how, r->err_code ? ": " : "", r->err_code ? r->err_msg : "");
}

/* refuse: answer request `id` with ERROR `code` and `msg` (logged). */
static void refuse(uint32_t id, uint8_t code, const char *msg)
{
	uint8_t e[300];
	pxb_log("request %u refused: %s", id, msg);
	queue(FRAME_ERROR, id, e, frame_error_encode(e, sizeof(e), code, msg));
}

/* begin: the body of `r` is complete: check a conversation and its system
 * prompt, then start the backend. */
static void begin(struct pxb_req *r)
{
	r->started = 1;
	r->prompt[r->prompt_len] = '\0';
	if (r->kind == PXVM_TRAP_LLM_CHAT) {
		struct frame_chat c;
		char err[256];
		if (frame_chat_parse((const uint8_t *)r->prompt, r->prompt_len, &c) != 0) {
			refuse(r->id, FRAME_ERR_REQUEST, "malformed conversation");
			req_free(r);
			return;
		}
		r->turns = c.turns;
		if (c.system[0] && !(r->system = sysprompt_resolve(c.system, err, sizeof(err)))) {
			refuse(r->id, FRAME_ERR_REQUEST, err);
			req_free(r);
			return;
		}
	}
	st.requests++;
	pxb_backend_start(&opt, multi, r);
	r->t_sent = r->t_keepalive = r->t_start;
	pxb_log("request %u %s model %s (guest %s) max_tokens %u%s%s: %zu bytes of prompt%s", r->id,
	        kind_name(r->kind), r->model, r->guest_model, r->max_tokens, r->system ? " system " : "",
	        r->system ? r->system->name : "", r->prompt_len,
	        r->kind == PXVM_TRAP_LLM_CHAT ? " (a conversation)" : "");
}

static void start_request(const struct frame *f)
{
	struct frame_request q;
	if (find_req(f->id))
		return; /* already being answered */
	if (frame_request_parse(f->payload, f->len, &q) != 0 ||
	    (q.kind != PXVM_TRAP_CALL_LLM && q.kind != PXVM_TRAP_ORACLE && q.kind != PXVM_TRAP_LLM_CHAT)) {
		refuse(f->id, FRAME_ERR_REQUEST, "malformed request");
		return;
	}
	if (q.total > FRAME_BODY_MAX_TOTAL) {
		refuse(f->id, FRAME_ERR_REQUEST, "request body over 64 KiB");
		return;
	}
	struct pxb_req *r = NULL;
	for (int i = 0; i < PXB_REQ_MAX && !r; i++)
		if (!reqs[i].used)
			r = &reqs[i];
	if (!r) {
		st.busy++;
		refuse(f->id, FRAME_ERR_BUSY, "bridge busy");
		return;
	}
	memset(r, 0, sizeof(*r));
	r->prompt = malloc(q.total + 1);
	if (!r->prompt) {
		refuse(f->id, FRAME_ERR_BACKEND, "out of memory");
		return;
	}
	r->used = 1;
	r->id = f->id;
	r->kind = q.kind;
	r->max_tokens = q.max_tokens;
	memcpy(r->prompt, q.body, q.body_len);
	r->prompt_len = q.body_len;
	r->body_total = q.total;
	r->t_keepalive = pxb_now();
	snprintf(r->guest_model, sizeof(r->guest_model), "%s", q.model);
	if (r->prompt_len == r->body_total)
		begin(r);
}

/* request_data: the next bytes of a request's body (REQUEST_DATA). */
static void request_data(const struct frame *f)
{
	struct pxb_req *r = find_req(f->id);
	if (!r || r->started)
		return; /* cancelled meanwhile, or from before a restart */
	if (f->len > r->body_total - r->prompt_len) {
		refuse(f->id, FRAME_ERR_REQUEST, "more request data than announced");
		req_free(r);
		return;
	}
	memcpy(r->prompt + r->prompt_len, f->payload, f->len);
	r->prompt_len += f->len;
	if (r->prompt_len == r->body_total)
		begin(r);
}

/* serve: move answer text into REPLY_PART frames, end finished requests,
 * send keep-alives. The queue is kept short so a CANCEL acts promptly. */
static void serve(double now)
{
	for (int i = 0; i < PXB_REQ_MAX; i++) {
		struct pxb_req *r = &reqs[i];
		if (!r->used)
			continue;
		if (!r->started) { /* its body is still arriving: pxOS hears it is alive */
			if (now - r->t_keepalive >= PXB_KEEPALIVE_MS / 1000.0) {
				send_frame(FRAME_KEEPALIVE, r->id, 0, NULL, 0);
				r->t_keepalive = now;
			}
			continue;
		}
		pxb_backend_tick(&opt, multi, r, now);
		size_t off = 0;
		while (r->out_len - off > 0 && txq_len < 8) {
			size_t k = r->out_len - off < PXB_PART_MAX ? r->out_len - off : PXB_PART_MAX;
			queue(FRAME_REPLY_PART, r->id, r->out + off, k);
			off += k;
			r->t_sent = now;
		}
		if (off) {
			memmove(r->out, r->out + off, r->out_len - off);
			r->out_len -= off;
		}
		if (r->finished && !r->out_len) {
			if (r->err_code) {
				uint8_t e[300];
				queue(FRAME_ERROR, r->id, e, frame_error_encode(e, sizeof(e), (uint8_t)r->err_code, r->err_msg));
				st.failed++;
				req_log_end(r, "failed");
			} else {
				queue(FRAME_REPLY_END, r->id, NULL, 0);
				st.answered++;
				req_log_end(r, "answered");
			}
			req_free(r);
			continue;
		}
		if (now - r->t_sent >= PXB_KEEPALIVE_MS / 1000.0 && now - r->t_keepalive >= PXB_KEEPALIVE_MS / 1000.0) {
			send_frame(FRAME_KEEPALIVE, r->id, 0, NULL, 0);
			r->t_keepalive = now;
		}
	}
	pump();
}

static void drop_all_requests(const char *why)
{
	int n = 0;
	for (int i = 0; i < PXB_REQ_MAX; i++) {
		if (reqs[i].used) {
			req_free(&reqs[i]);
			n++;
		}
	}
	tx_flush();
	pxb_home_reset();
	if (n)
		pxb_log("%d request(s) dropped: %s", n, why);
}

/* ---- frames from the kernel ------------------------------------------------- */

/* kernel_session_seen: HELLO or HELLO_ACK from pxOS with session `s`. The
 * kernel sends one at boot and again after it lost the link, so any of them
 * restarts our duplicate filter (the next reliable frame may carry any
 * sequence number). A new session number is taken at once only when no
 * session is known; otherwise it waits (pending) for a frame with its key. */
static void kernel_session_seen(uint32_t s, const struct frame *f)
{
	char banner[128];
	banner[ascii_sanitise(banner, f->payload, f->len < sizeof(banner) - 1 ? f->len : sizeof(banner) - 1,
	                      '?')] = '\0';
	if (kernel_known && s != kernel_session) {
		if (!pending_known || pending_session != s)
			pxb_log("pxOS says it restarted (%s); the current session's requests are kept until "
			        "it sends a frame of the new session", banner);
		pending_session = s;
		pending_known = 1;
		set_keys();
		return;
	}
	rx_have = 0;
	if (kernel_known)
		return;
	pxb_log("pxOS connected: %s", banner);
	kernel_known = 1;
	kernel_session = s;
	pending_known = 0;
	set_keys();
}

/* session_proven: a frame keyed with the pending session arrived: pxOS did
 * restart. The old session's requests are dropped. */
static void session_proven(void)
{
	drop_all_requests("pxOS restarted");
	pxb_log("pxOS restarted: now session %08X", pending_session);
	kernel_session = pending_session;
	pending_known = 0;
	rx_have = 0;
	set_keys();
}

static void on_frame(const struct frame *f)
{
	st.frames_in++;
	if (frame_keyed(f->type) && pending_known && f->key_slot == 1)
		session_proven();
	switch (f->type) {
	case FRAME_HELLO:
		send_hello(FRAME_HELLO_ACK);
		kernel_session_seen(f->id, f);
		return;
	case FRAME_HELLO_ACK:
		kernel_session_seen(f->id, f);
		return;
	case FRAME_ACK:
		if (tx_busy && f->seq == tx_seq) {
			tx_pop();
			pump();
		}
		return;
	case FRAME_NAK:
		st.naks_in++;
		/* One resend per NAK, but not more often than a frame's time on
		 * the line, and within the retry limit (checked in main's loop). */
		if (tx_busy && tx_tries < PXB_RETRIES && pxb_now() - tx_sent >= PXB_NAK_GAP_MS / 1000.0) {
			st.retransmits++;
			tx_send_head();
		} else {
			st.naks_ignored++;
		}
		return;
	default:
		break;
	}
	if (!frame_reliable(f->type))
		return;
	/* Stop-and-wait: the next frame is the last one again (our ACK was lost)
	 * or the one after it; anything else is not from this session's kernel. */
	if (rx_have && f->seq != rx_last && f->seq != (uint16_t)(rx_last + 1)) {
		st.window++;
		if (st.window <= 10 || st.window % 1000 == 0)
			pxb_log("frame %c %u with sequence number %u outside the window (last %u): dropped (%lu so far)",
			        f->type, f->id, f->seq, rx_last, st.window);
		return;
	}
	send_frame(FRAME_ACK, 0, f->seq, NULL, 0);
	if (rx_have && f->seq == rx_last) {
		st.dups++;
		return;
	}
	rx_have = 1;
	rx_last = f->seq;
	if (pxb_home_frame(f))
		return;
	if (f->type == FRAME_REQUEST) {
		start_request(f);
	} else if (f->type == FRAME_REQUEST_DATA) {
		request_data(f);
	} else if (f->type == FRAME_SNAPSHOT) {
		pxb_snapshot_frame(&opt, f);
	} else if (f->type == FRAME_CANCEL) {
		struct pxb_req *r = find_req(f->id);
		if (r) {
			req_log_end(r, "cancelled by pxOS");
			req_free(r);
		}
	}
}

static void line_input(const uint8_t *p, size_t n)
{
	static uint8_t text[8192];
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t out[2];
		size_t no;
		int r = frame_demux_byte(&dmx, p[i], out, &no, &rxf, NULL);
		for (size_t k = 0; k < no; k++)
			text[m++] = out[k];
		if (m >= sizeof(text) - 2) {
			write_all(STDOUT_FILENO, text, m);
			m = 0;
		}
		if (r == FD_FRAME) {
			on_frame(&rxf);
		} else if (r == FD_BAD) {
			double now = pxb_now();
			if (!kernel_known) {
				/* Most likely keyed for a session we do not know (we
				 * restarted): introduce ourselves, so the kernel re-sends
				 * with our key. No NAK: it could not check ours. */
				if (now - hello_sent >= PXB_RETRY_MS / 1000.0) {
					hello_sent = now;
					send_hello(FRAME_HELLO);
				}
			} else if (now - nak_sent >= PXB_NAK_GAP_MS / 1000.0) {
				nak_sent = now;
				st.naks_out++;
				send_frame(FRAME_NAK, 0, 0, NULL, 0);
			}
		}
	}
	if (m)
		write_all(STDOUT_FILENO, text, m);
}

/* ---- the terminal ------------------------------------------------------------- */

static void tty_restore(void)
{
	if (tty_raw) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &tty_saved);
		tty_raw = 0;
	}
}

static void tty_setup(void)
{
	if (opt.no_tty || !isatty(STDIN_FILENO))
		return;
	if (tcgetattr(STDIN_FILENO, &tty_saved))
		return;
	struct termios t = tty_saved;
	cfmakeraw(&t); /* pxOS sends CR LF itself; our own messages write "\r\n" */
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) == 0) {
		tty_raw = 1;
		atexit(tty_restore);
	}
}

static void status_report(void)
{
	int active = 0;
	for (int i = 0; i < PXB_REQ_MAX; i++)
		active += reqs[i].used;
	fprintf(stderr, "\r\n[pxbridge] pxOS %s; backend %s%s%s; %d request(s) active, %lu served, %lu failed; "
	        "frames %lu out, %lu in; %lu retransmits, %lu NAKs in (%lu ignored), %lu NAKs out, %lu duplicates, "
	        "%u bad in, %lu outside the sequence window, %lu requests refused (busy); "
	        "fault injection: %lu corrupted, %lu dropped\r\n",
	        kernel_known ? "connected" : "not heard yet",
	        opt.backend == BE_HTTP ? opt.chat_url : opt.backend == BE_SCRIPT ? "scripted" : "offline",
	        opt.backend == BE_HTTP && opt.model ? " model " : "", opt.backend == BE_HTTP && opt.model ? opt.model : "",
	        active, st.answered, st.failed, st.frames_out, st.frames_in, st.retransmits, st.naks_in,
	        st.naks_ignored, st.naks_out, st.dups, dmx.bad, st.window, st.busy, st.corrupted, st.dropped);
	char home[1200];
	pxb_home_status(home, sizeof(home));
	fprintf(stderr, "[pxbridge] %s\r\n", home);
}

/* keys: stdin bytes; Ctrl-] opens the menu. Returns 1 to quit. */
static int keys(const uint8_t *p, size_t n)
{
	static int menu;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (menu) {
			menu = 0;
			switch (c) {
			case 'q': case 'Q': case 'x':
				return 1;
			case 's':
				status_report();
				break;
			case 'l':
				log_view = !log_view;
				fprintf(stderr, "\r\n[pxbridge] log view %s\r\n", log_view ? "on" : "off");
				break;
			case 'h':
				send_hello(FRAME_HELLO);
				fprintf(stderr, "\r\n[pxbridge] HELLO sent\r\n");
				break;
			case MENU_KEY:
				write_all(line_fd, &c, 1);
				break;
			default:
				fprintf(stderr, "\r\n[pxbridge] menu closed\r\n");
				break;
			}
			continue;
		}
		if (c == MENU_KEY && tty_raw) {
			menu = 1;
			fprintf(stderr, "\r\n[pxbridge] q quit · s status · l log view on/off · h send HELLO · "
			        "Ctrl-] send Ctrl-] · other: back\r\n");
			continue;
		}
		write_all(line_fd, &c, 1);
	}
	return 0;
}

/* ---- connecting ------------------------------------------------------------------ */

static int open_socket(const char *path, double wait_s)
{
	double until = pxb_now() + wait_s;
	for (;;) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		struct sockaddr_un a = { .sun_family = AF_UNIX };
		if (fd < 0 || strlen(path) >= sizeof(a.sun_path)) {
			fprintf(stderr, "pxbridge: %s: %s\n", path, fd < 0 ? strerror(errno) : "path too long");
			return -1;
		}
		memcpy(a.sun_path, path, strlen(path) + 1);
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
			return fd;
		int e = errno;
		close(fd);
		if (pxb_now() > until || (e != ENOENT && e != ECONNREFUSED)) {
			fprintf(stderr, "pxbridge: cannot connect to %s: %s\n", path, strerror(e));
			return -1;
		}
		usleep(50000);
	}
}

static speed_t baud_const(unsigned b)
{
	switch (b) {
	case 9600: return B9600;
	case 19200: return B19200;
	case 38400: return B38400;
	case 57600: return B57600;
	case 115200: return B115200;
	case 230400: return B230400;
	case 460800: return B460800;
	case 921600: return B921600;
	default: return 0;
	}
}

static int open_serial(const char *dev, unsigned baud)
{
	speed_t sp = baud_const(baud);
	if (!sp) {
		fprintf(stderr, "pxbridge: --baud %u: use 9600, 19200, 38400, 57600, 115200, 230400, 460800 or 921600\n", baud);
		return -1;
	}
	int fd = open(dev, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "pxbridge: %s: %s%s\n", dev, strerror(errno),
		        errno == EACCES ? " (join the 'dialout' group)" : "");
		return -1;
	}
	struct termios t;
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		t.c_cflag |= CLOCAL | CREAD;
		t.c_cflag &= ~(CSTOPB | CRTSCTS);
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
		cfsetispeed(&t, sp);
		cfsetospeed(&t, sp);
		if (tcsetattr(fd, TCSANOW, &t)) {
			fprintf(stderr, "pxbridge: %s: cannot set %u baud 8N1: %s\n", dev, baud, strerror(errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

static void on_signal(int sig) { stop_signal = sig; }

static void usage(FILE *f)
{
	fprintf(f,
	"usage: pxbridge (--socket PATH | --serial DEV [--baud N]) [options]\n"
	"  the serial terminal to pxOS and its LLM relay (docs/bridge-protocol.md)\n"
	"connection:\n"
	"  --socket PATH         QEMU's serial as a Unix socket (make run: build/qemu-run/serial.sock)\n"
	"  --serial DEV          a serial port, e.g. /dev/ttyUSB0 (real hardware) or a pty\n"
	"  --baud N              its speed (default 115200, as the kernel's)\n"
	"  --wait S              keep trying to connect for S seconds (default 10)\n"
	"  --hello               greet pxOS at once (when it is already running)\n"
	"backend (first that applies):\n"
	"  --script FILE         scripted answers (rules: see docs/bridge-protocol.md)\n"
	"  --url URL             an OpenAI-compatible server (.../v1/chat/completions)\n"
	"                        API key: $PXBRIDGE_API_KEY or $OPENAI_API_KEY\n"
	"  (none)                probe LM Studio :1234, Ollama :11434, llama.cpp :8080 on\n"
	"                        127.0.0.1; if none answers, the offline backend\n"
	"  --offline             the offline backend without probing\n"
	"  --model NAME          model to ask (default: the server's first)\n"
	"  --model-map MAP       guest model ids to models: 0=name,1=name\n"
	"  --max-tokens N        answer length limit sent to the server (default 1024; 0: none)\n"
	"timeouts (ms): --connect-timeout (5000) --first-token-timeout (120000)\n"
	"               --token-timeout (30000, between tokens)\n"
	"files (docs/bridge-protocol.md, \"Files\"):\n"
	"  --home DIR            keep pxOS's /home in DIR (default build/home): what pxOS\n"
	"                        writes there comes back at its next boot\n"
	"  --no-home             keep nothing\n"
	"other:\n"
	"  --log FILE            log each exchange with its timing (default: stderr)\n"
	"  --snapshots DIR       where the monitor's `snapshot` files go (default build/snapshots)\n"
	"  --no-tty              never put stdin in raw mode (tests; also when it is no tty)\n"
	"  --corrupt-frames PCT  damage or drop PCT%% of outgoing frames (fault tests)\n"
	"  --seed N              seed of --corrupt-frames' choices (default 1)\n"
	"keys: Ctrl-] opens a menu: q quit, s status, l log view, h HELLO\n");
}

int main(int argc, char **argv)
{
	enum { O_SOCKET = 256, O_SERIAL, O_BAUD, O_URL, O_MODEL, O_MAP, O_SCRIPT, O_LOG, O_NOTTY,
	       O_CORRUPT, O_SEED, O_CONNECT, O_FIRST, O_TOKEN, O_OFFLINE, O_HELLO, O_WAIT, O_MAXTOK,
	       O_HOME, O_NOHOME, O_SNAPS };
	static const struct option lo[] = {
		{ "socket", 1, 0, O_SOCKET }, { "serial", 1, 0, O_SERIAL }, { "baud", 1, 0, O_BAUD },
		{ "url", 1, 0, O_URL }, { "model", 1, 0, O_MODEL }, { "model-map", 1, 0, O_MAP },
		{ "script", 1, 0, O_SCRIPT }, { "log", 1, 0, O_LOG }, { "no-tty", 0, 0, O_NOTTY },
		{ "corrupt-frames", 1, 0, O_CORRUPT }, { "seed", 1, 0, O_SEED },
		{ "connect-timeout", 1, 0, O_CONNECT }, { "first-token-timeout", 1, 0, O_FIRST },
		{ "token-timeout", 1, 0, O_TOKEN }, { "offline", 0, 0, O_OFFLINE }, { "hello", 0, 0, O_HELLO },
		{ "wait", 1, 0, O_WAIT }, { "max-tokens", 1, 0, O_MAXTOK }, { "home", 1, 0, O_HOME },
		{ "no-home", 0, 0, O_NOHOME }, { "snapshots", 1, 0, O_SNAPS }, { "help", 0, 0, 'h' }, { 0, 0, 0, 0 },
	};
	double wait_s = 10;
	const char *home_dir = NULL;
	int no_home = 0;
	int c;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		char *end = NULL;
		switch (c) {
		case O_SOCKET: opt.socket_path = optarg; break;
		case O_SERIAL: opt.serial_dev = optarg; break;
		case O_BAUD: opt.baud = (unsigned)strtoul(optarg, &end, 10); break;
		case O_URL: opt.url = optarg; break;
		case O_MODEL: opt.model = optarg; break;
		case O_MAP: opt.model_map = optarg; break;
		case O_SCRIPT: opt.script = optarg; break;
		case O_LOG: opt.log_path = optarg; break;
		case O_NOTTY: opt.no_tty = 1; break;
		case O_CORRUPT: opt.corrupt_pct = strtod(optarg, &end); break;
		case O_SEED: opt.seed = (unsigned)strtoul(optarg, &end, 10); break;
		case O_CONNECT: opt.connect_ms = (unsigned)strtoul(optarg, &end, 10); break;
		case O_FIRST: opt.first_ms = (unsigned)strtoul(optarg, &end, 10); break;
		case O_TOKEN: opt.token_ms = (unsigned)strtoul(optarg, &end, 10); break;
		case O_MAXTOK: opt.max_tokens = (unsigned)strtoul(optarg, &end, 10); break;
		case O_OFFLINE: opt.probe = 0; break;
		case O_HELLO: opt.hello = 1; break;
		case O_WAIT: wait_s = strtod(optarg, &end); break;
		case O_SNAPS: opt.snap_dir = optarg; break;
		case O_HOME: home_dir = optarg; break;
		case O_NOHOME: no_home = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
		if (end && (*end || end == optarg)) {
			fprintf(stderr, "pxbridge: --%s: '%s' is not a number\n", lo[c - O_SOCKET].name, optarg);
			return 2;
		}
	}
	if (optind != argc || !opt.socket_path == !opt.serial_dev) {
		usage(stderr);
		return 2;
	}
	if (opt.corrupt_pct < 0 || opt.corrupt_pct > 100) {
		fprintf(stderr, "pxbridge: --corrupt-frames takes 0..100\n");
		return 2;
	}
	if (opt.log_path && !(logf = fopen(opt.log_path, "a"))) {
		fprintf(stderr, "pxbridge: %s: %s\n", opt.log_path, strerror(errno));
		return 1;
	}
	rng_state = 0x9E3779B97F4A7C15ull ^ ((uint64_t)opt.seed * 0xBF58476D1CE4E5B9ull);
	if (!rng_state)
		rng_state = 1;
	my_session = ((uint32_t)getpid() << 16) ^ (uint32_t)time(NULL) ^ (uint32_t)(pxb_now() * 1e6);
	if (!my_session)
		my_session = 1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	multi = curl_multi_init();
	if (pxb_backend_init(&opt, multi))
		return 1;
	if (!no_home && pxb_home_open(home_dir ? home_dir : PXB_HOME_DEFAULT) != 0) {
		if (home_dir) {
			fprintf(stderr, "pxbridge: --home %s: cannot keep files there (see the log)\n", home_dir);
			return 1;
		}
		pxb_log("home: /home is not kept (--home DIR names a directory that can be)");
	}
	line_fd = opt.socket_path ? open_socket(opt.socket_path, wait_s) : open_serial(opt.serial_dev, opt.baud);
	if (line_fd < 0)
		return 1;
	fcntl(line_fd, F_SETFL, fcntl(line_fd, F_GETFL) | O_NONBLOCK);
	pxb_log("connected to %s%s", opt.socket_path ? opt.socket_path : opt.serial_dev,
	        isatty(STDIN_FILENO) && !opt.no_tty ? "; Ctrl-] opens the menu" : "");
	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	tty_setup();
	frame_demux_init(&dmx);
	if (opt.hello)
		send_hello(FRAME_HELLO);

	int stdin_open = 1;
	int status = 0;
	while (!stop_signal) {
		struct curl_waitfd w[2];
		unsigned nw = 0;
		w[nw++] = (struct curl_waitfd){ .fd = line_fd, .events = CURL_WAIT_POLLIN };
		if (stdin_open)
			w[nw++] = (struct curl_waitfd){ .fd = STDIN_FILENO, .events = CURL_WAIT_POLLIN };
		int numfds;
		curl_multi_poll(multi, w, nw, 50, &numfds);
		int running;
		curl_multi_perform(multi, &running);
		CURLMsg *m;
		int left;
		while ((m = curl_multi_info_read(multi, &left))) {
			if (m->msg != CURLMSG_DONE)
				continue;
			struct pxb_req *r = NULL;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
			if (r)
				pxb_backend_done(&opt, multi, r, m->data.result);
		}
		if (w[0].revents) {
			uint8_t buf[8192];
			ssize_t n = read(line_fd, buf, sizeof(buf));
			if (n > 0) {
				line_input(buf, (size_t)n);
			} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
				pxb_log("the serial line closed (%s): pxOS or QEMU ended", n == 0 ? "end of file" : strerror(errno));
				break;
			}
		}
		if (stdin_open && nw > 1 && w[1].revents) {
			uint8_t buf[1024];
			ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n > 0) {
				if (keys(buf, (size_t)n))
					break;
			} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
				stdin_open = 0; /* keep relaying; quit with a signal or when the line closes */
			}
		}
		double now = pxb_now();
		if (tx_busy && now - tx_sent >= PXB_RETRY_MS / 1000.0) {
			if (tx_tries >= PXB_RETRIES) {
				pxb_log("pxOS stopped acknowledging (%u sends of one frame)", tx_tries);
				drop_all_requests("pxOS does not answer");
				kernel_known = 0;
				if (pending_known) { /* the restarted kernel, most likely */
					kernel_known = 1;
					kernel_session = pending_session;
					pending_known = 0;
					rx_have = 0;
				}
				set_keys();
			} else {
				st.retransmits++;
				tx_send_head();
			}
		}
		serve(now);
	}
	if (stop_signal)
		pxb_log("stopped by signal %d", (int)stop_signal);
	drop_all_requests("pxbridge quits");
	pxb_snapshot_abort("pxbridge quits");
	tty_restore();
	pxb_log("bye: %lu requests, %lu answered, %lu failed, %lu retransmits, %lu frames damaged/dropped on purpose, "
	        "%lu NAKs ignored, %lu frames outside the sequence window",
	        st.requests, st.answered, st.failed, st.retransmits, st.corrupted + st.dropped, st.naks_ignored, st.window);
	curl_multi_cleanup(multi);
	curl_global_cleanup();
	close(line_fd);
	return status;
}
