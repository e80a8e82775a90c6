/*
 * persist.c — /home mirrored to the host bridge; see persist.h and
 * docs/bridge-protocol.md ("Files").
 *
 * Sending: `gen` counts changes of /home (the vfs_watch hook); when it moved
 * since the last complete pass, a pass walks the RAM file table, one file per
 * bridge_poll (its CRC-32 is the expensive part: at most VFS_FILE_MAX bytes),
 * and starts a transfer for the first file whose size or CRC differs from
 * what the bridge was last sent; transfers go one frame at a time (the next
 * only once the bridge acknowledged the last), FILE_DATA frames read the
 * file as it is then, and FILE_END goes only when the file still has the
 * size and CRC that FILE announced (else the transfer is dropped and the
 * next pass sends the file again; the bridge drops an unfinished transfer at
 * the next FILE). A file is recorded as sent once its FILE_END is
 * acknowledged. At the end of a pass, files recorded but gone get FILE_GONE.
 * Receiving (the restore): one file at a time into a pxhost_mem_alloc block,
 * put into /home (vfs_put_new) when FILE_END comes and its size and CRC
 * match.
 */
#include "persist.h"
#include "bridge.h"
#include "klog.h"
#include "lib.h"
#include "param.h"
#include "drivers/timer.h"
#include "pxvm/abi.h"
#include "pxvm/crc32.h"
#include "pxvm/frame.h"
#include "pxvm/host.h"
#include "pxvm/vfs.h"
#include "pxvm/vm.h"

#define HOME_PREFIX "/home/"
#define HOME_PREFIX_LEN (sizeof(HOME_PREFIX) - 1)

_Static_assert(FRAME_FILE_DATA_MAX <= BRIDGE_PAYLOAD_MAX, "a FILE_DATA frame fits a frame");
_Static_assert(HOME_PREFIX_LEN + FRAME_FILE_PATH_MAX < PXFS_PATH_MAX, "a restored path fits PixelFS's");
_Static_assert(VFS_FILE_MAX <= PXVM_MEM_ALLOC_WORDS * 4, "a restored file fits one block");

/* What the bridge was last sent of each file of /home. */
struct sent {
	bool used;
	bool seen;            /* found in the current pass */
	uint32_t size, crc;
	char path[PXFS_PATH_MAX];
};

static struct sent sent[VFS_HOME_FILES];
static uint32_t gen, pass_gen, done_gen;
static bool passing, want_restore, warned;
static uint32_t pass_index;

/* The transfer to the bridge. */
static struct {
	bool on;
	bool ending;          /* FILE_END queued */
	uint32_t id, size, crc, off;
	char path[PXFS_PATH_MAX];
} tx;
static uint32_t next_id;

/* The file coming back from the bridge. */
static struct {
	bool on;
	uint32_t id, size, crc, off;
	char path[PXFS_PATH_MAX];
	uint8_t *buf;
} rx;
static struct {
	uint32_t sent, gone, restored, restored_bytes, refused, kept;
	uint64_t restore_us;
} st;

static struct sent *find_sent(const char *path)
{
	for (unsigned i = 0; i < VFS_HOME_FILES; i++)
		if (sent[i].used && !strcmp(sent[i].path, path))
			return &sent[i];
	return NULL;
}

/* record: `path` now has `size` bytes with CRC `crc` on the bridge. */
static void record(const char *path, uint32_t size, uint32_t crc)
{
	struct sent *s = find_sent(path);
	for (unsigned i = 0; !s && i < VFS_HOME_FILES; i++)
		if (!sent[i].used)
			s = &sent[i];
	if (!s) /* more than /home can hold: the next pass finds out */
		return;
	s->used = true;
	s->seen = true;
	s->size = size;
	s->crc = crc;
	snprintf(s->path, sizeof(s->path), "%s", path);
}

/* on_change: the vfs_watch hook: a file of /home changed. */
static void on_change(const char *path)
{
	(void)path;
	gen++;
	if (!bridge_keeps_files() && !warned) {
		warned = true;
		if (bridge_present())
			kwarn("persist", "the host bridge keeps no files (pxbridge --no-home): files written to "
			      "/home stay in RAM and are lost at power-off");
		else
			kwarn("persist", "no host bridge: files written to /home stay in RAM and are lost at "
			      "power-off (pxbridge on the serial line keeps them)");
	}
}

static void rx_drop(void)
{
	if (rx.buf)
		pxhost_mem_free((uint32_t *)rx.buf);
	memset(&rx, 0, sizeof(rx));
}

static void on_connected(void)
{
	/* A new bridge session: its directory may hold anything, so everything
	 * is sent again (what is already there costs its transfer only), and
	 * its files are asked for. */
	memset(sent, 0, sizeof(sent));
	memset(&tx, 0, sizeof(tx));
	passing = false;
	gen++;
	want_restore = true;
	rx_drop();
}

static void on_lost(void)
{
	memset(&tx, 0, sizeof(tx)); /* not acknowledged: not recorded */
	passing = false;
	gen++;
	rx_drop();
}

/* start: begin sending `path` (absolute, in /home) of `size` bytes, CRC
 * `crc`. Returns false when the frame could not be queued. */
static bool start(const char *path, uint32_t size, uint32_t crc)
{
	uint8_t p[8 + FRAME_FILE_PATH_MAX];
	const char *rel = path + HOME_PREFIX_LEN;
	size_t n = frame_file_encode(p, size, crc, rel, strlen(rel));
	if (!n) {
		kwarn("persist", "%s: path too long for the bridge: not kept", path);
		return true;
	}
	uint32_t id = ++next_id;
	if (bridge_send(FRAME_FILE, id, p, n) != 0)
		return false;
	memset(&tx, 0, sizeof(tx));
	tx.on = true;
	tx.id = id;
	tx.size = size;
	tx.crc = crc;
	snprintf(tx.path, sizeof(tx.path), "%s", path);
	return true;
}

/* tx_step: the bridge acknowledged the last frame: send the next. */
static void tx_step(void)
{
	if (tx.ending) {
		record(tx.path, tx.size, tx.crc);
		st.sent++;
		tx.on = false;
		return;
	}
	struct vfs_file f;
	if (vfs_lookup(tx.path, &f) != 0 || f.size != tx.size || f.type == PXVM_FT_DIR) {
		tx.on = false; /* changed meanwhile: the next pass sends it again */
		gen++;
		return;
	}
	if (tx.off < tx.size) {
		uint32_t n = tx.size - tx.off;
		if (n > FRAME_FILE_DATA_MAX)
			n = FRAME_FILE_DATA_MAX;
		if (bridge_send(FRAME_FILE_DATA, tx.id, f.data + tx.off, n) == 0)
			tx.off += n;
		return;
	}
	if (crc32(f.data, f.size) != tx.crc) {
		tx.on = false;
		gen++;
		return;
	}
	if (bridge_send(FRAME_FILE_END, tx.id, NULL, 0) == 0)
		tx.ending = true;
}

/* pass_step: look at the next file of the pass, or at its end send FILE_GONE
 * for one file recorded but no longer there. */
static void pass_step(void)
{
	while (pass_index < VFS_RAM_FILES) {
		const char *path;
		struct vfs_file f;
		int r = vfs_home_file(pass_index, &path, &f);
		pass_index++;
		if (r != 0)
			continue;
		uint32_t crc = crc32(f.data, f.size);
		struct sent *s = find_sent(path);
		if (s)
			s->seen = true; /* it exists: never FILE_GONE, even if this transfer is dropped */
		if (s && s->size == f.size && s->crc == crc)
			return; /* one CRC per poll */
		if (!start(path, f.size, crc))
			pass_index--; /* the queue is full: again next time */
		return;
	}
	for (unsigned i = 0; i < VFS_HOME_FILES; i++) {
		struct sent *s = &sent[i];
		if (!s->used || s->seen)
			continue;
		const char *rel = s->path + HOME_PREFIX_LEN;
		if (bridge_send(FRAME_FILE_GONE, 0, rel, strlen(rel)) == 0) {
			s->used = false;
			st.gone++;
		}
		return;
	}
	passing = false;
	done_gen = pass_gen;
}

static void on_poll(void)
{
	if (!bridge_keeps_files() || bridge_files_pending())
		return;
	if (tx.on) {
		tx_step();
		return;
	}
	if (want_restore) {
		if (bridge_send(FRAME_RESTORE, 0, NULL, 0) == 0) {
			want_restore = false;
			st.restore_us = timer_us();
		}
		return;
	}
	if (!passing) {
		if (gen == done_gen)
			return;
		passing = true;
		pass_gen = gen;
		pass_index = 0;
		for (unsigned i = 0; i < VFS_HOME_FILES; i++)
			sent[i].seen = false;
	}
	pass_step();
}

/* rx_file: FILE from the bridge: a file of its copy of /home begins. */
static void rx_file(const struct frame *f)
{
	char rel[FRAME_FILE_PATH_MAX + 1];
	uint32_t size, crc;
	rx_drop();
	if (frame_file_parse(f->payload, f->len, &size, &crc, rel) != 0 || rel[0] == '/') {
		st.refused++;
		kwarn("persist", "the bridge sent a malformed FILE frame: ignored");
		return;
	}
	char path[PXFS_PATH_MAX];
	int e = vfs_resolve(rel, path);
	struct vfs_file old;
	if (!e && size > VFS_FILE_MAX)
		e = -PXE_ENOSPC;
	if (e) {
		st.refused++;
		kwarn("persist", "/home/%s from the bridge not restored: %s", rel, pxvm_error_text((uint32_t)-e));
		return;
	}
	if (vfs_lookup(path, &old) == 0) {
		st.kept++; /* written since boot: the newer one stays, and goes to the bridge */
		kinfo("persist", "%s was written since boot: the bridge's older copy is not restored", path);
		return;
	}
	rx.buf = (uint8_t *)pxhost_mem_alloc();
	if (!rx.buf) {
		kwarn("persist", "%s not restored: out of memory", path);
		return;
	}
	rx.on = true;
	rx.id = f->id;
	rx.size = size;
	rx.crc = crc;
	snprintf(rx.path, sizeof(rx.path), "%s", path);
}

static void rx_end(void)
{
	int e;
	if (rx.off != rx.size || crc32(rx.buf, rx.size) != rx.crc) {
		st.refused++;
		kwarn("persist", "%s from the bridge: %u of %u bytes, CRC %s: not restored", rx.path, rx.off,
		      rx.size, rx.off == rx.size ? "wrong" : "unchecked");
	} else if ((e = vfs_put_new(rx.path, rx.buf, rx.size)) != 0) {
		if (e == -PXE_EEXIST)
			st.kept++;
		else
			kwarn("persist", "%s not restored: %s", rx.path, pxvm_error_text((uint32_t)-e));
	} else {
		record(rx.path, rx.size, rx.crc);
		st.restored++;
		st.restored_bytes += rx.size;
	}
	rx_drop();
}

static bool on_frame(const struct frame *f)
{
	switch (f->type) {
	case FRAME_FILE:
		rx_file(f);
		return true;
	case FRAME_FILE_DATA:
		if (rx.on && f->id == rx.id) {
			if (f->len > rx.size - rx.off) {
				kwarn("persist", "%s from the bridge: more bytes than announced: not restored", rx.path);
				st.refused++;
				rx_drop();
			} else {
				memcpy(rx.buf + rx.off, f->payload, f->len);
				rx.off += f->len;
			}
		}
		return true;
	case FRAME_FILE_END:
		if (rx.on && f->id == rx.id)
			rx_end();
		return true;
	case FRAME_RESTORE_END:
		kinfo("persist", "%u files (%u bytes) restored into /home from the bridge in %llu ms; %u kept "
		      "as written since boot, %u refused", st.restored, st.restored_bytes,
		      (unsigned long long)((timer_us() - st.restore_us) / 1000), st.kept, st.refused);
		return true;
	case FRAME_RESTORE:
	case FRAME_FILE_GONE:
		return true; /* the kernel's to send */
	default:
		return false;
	}
}

static const struct bridge_files hooks = {
	.connected = on_connected,
	.lost = on_lost,
	.frame = on_frame,
	.poll = on_poll,
};

void persist_init(void)
{
	vfs_watch(on_change);
	bridge_files_register(&hooks);
}
