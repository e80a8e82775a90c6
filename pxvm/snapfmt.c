/*
 * snapfmt.c — the snapshot file format; see snapfmt.h and docs/snapshots.md.
 */
#include "snapfmt.h"
#include "crc32.h"
#include "port.h"

#ifndef PXOS_BUILD_REV
#define PXOS_BUILD_REV "unknown"
#endif

const char *snap_build_id(void) { return "pxOS " PXOS_VERSION_STRING " " PXOS_BUILD_REV; }

void snapw_build_id(struct snapw *w)
{
	char id[SNAP_BUILD_ID_MAX];
	memset(id, 0, sizeof(id));
	snprintf(id, sizeof(id), "%s", snap_build_id());
	snapw_bytes(w, id, sizeof(id));
}

uint32_t snap_state_crc(const uint8_t *raw, size_t n) { return crc32(raw, n); }

int snapfmt_section_next(struct snapr *r, struct snap_section *s)
{
	if (r->pos == r->len && !r->bad)
		return 0;
	snapr_bytes(r, s->tag, 4);
	s->tag[4] = 0;
	s->version = snapr_u32(r);
	s->len = snapr_u32(r);
	s->body = snapr_ptr(r, s->len);
	return r->bad ? -1 : 1;
}

int snapfmt_find(const uint8_t *raw, size_t n, const char *tag, struct snap_section *s)
{
	struct snapr r = { raw, n, 0, false };
	int k;
	while ((k = snapfmt_section_next(&r, s)) == 1)
		if (!memcmp(s->tag, tag, 4))
			return 0;
	return -1;
}

const char *snapfmt_proc_next(struct snapr *r, struct snap_proc *p)
{
	memset(p, 0, sizeof(*p));
	p->index = snapr_u32(r);
	snapr_str(r, p->kind, sizeof(p->kind));
	p->state = snapr_u32(r);
	p->block = snapr_u32(r);
	p->pid = snapr_u32(r);
	p->ppid = snapr_u32(r);
	p->wait_pid = snapr_u32(r);
	p->status = snapr_u32(r);
	p->slot = snapr_u32(r);
	p->pgid = snapr_u32(r);
	p->sid = snapr_u32(r);
	p->by_init = snapr_u32(r);
	p->io_total = snapr_u32(r);
	p->io_fd = snapr_u32(r);
	p->io_nl = snapr_u32(r);
	p->io_seq = snapr_u64(r);
	p->tty_raw = snapr_u32(r);
	p->intr_catch = snapr_u32(r);
	p->intr_pending = snapr_u32(r);
	p->syscalls = snapr_u64(r);
	p->charged = snapr_u64(r);
	p->sys_errors = snapr_u32(r);
	p->faults = snapr_u32(r);
	p->wake_left = snapr_u64(r);
	p->io_buf = snapr_u32(r);
	p->io_len = snapr_u32(r);
	for (uint32_t f = 0; f < NOFILE; f++) {
		int32_t v = (int32_t)snapr_u32(r);
		if (v < -1 || v >= (int32_t)(NPROC * NOFILE))
			return "a file descriptor out of range";
		p->fd[f] = (int16_t)v;
	}
	p->layer = snapr_u32(r);
	snapr_str(r, p->name, sizeof(p->name));
	p->record_len = snapr_u32(r);
	if (r->bad)
		return "a truncated process entry";
	if (p->record_len > SNAP_RECORD_MAX)
		return "a process record larger than any kind's";
	p->record = p->record_len ? snapr_ptr(r, p->record_len) : 0;
	for (int k = 0; k < 2; k++) {
		uint32_t flag = snapr_u32(r);
		if (flag > 1)
			return "a canvas flag that is neither 0 nor 1";
		const uint8_t *w = flag ? snapr_ptr(r, PXVM_TILE_W * PXVM_TILE_H * 4u) : 0;
		if (k == 0)
			p->canvas = w;
		else
			p->back = w;
	}
	if (r->bad)
		return "a truncated process entry";
	if (p->index >= NPROC)
		return "a table index out of range";
	if (p->layer > 1)
		return "a canvas layer out of range";
	if (p->by_init > 1 || p->io_fd > 2 || p->io_nl > 1 || p->tty_raw > 1 || p->intr_catch > 1 || p->intr_pending > 1)
		return "a flag that is neither 0 nor 1";
	if (p->io_len > PXVM_MEM_SIZE || p->io_buf > PXVM_MEM_SIZE || p->io_buf > PXVM_MEM_SIZE - p->io_len)
		return "an I/O buffer outside the process's memory";
	return 0;
}

const uint8_t *snapfmt_pxvm_memory(const struct snap_proc *p, uint32_t *pc, uint32_t regs[8])
{
	/* pxvm/proc_pxvm.h: magic "PXVS", version, R0..R7, pc, ..., memory last. */
	if (strcmp(p->kind, "pxvm") || !p->record || p->record_len < PXVM_MEM_SIZE + 44u)
		return 0;
	struct snapr r = { p->record, p->record_len, 0, false };
	if (snapr_u32(&r) != 0x53565850u)
		return 0;
	snapr_u32(&r);
	for (int i = 0; i < 8; i++)
		regs[i] = snapr_u32(&r);
	*pc = snapr_u32(&r);
	return p->record + p->record_len - PXVM_MEM_SIZE;
}

/* ---- the pxSt chunk ---------------------------------------------------------- */

void snap_chunk_head(uint8_t *head, size_t state_len, uint32_t state_crc, bool zlib)
{
	struct snapw w = { head, SNAP_HEAD_SIZE, 0 };
	snapw_u32(&w, SNAP_MAGIC);
	snapw_u32(&w, SNAP_FORMAT);
	snapw_u32(&w, zlib ? SNAP_F_ZLIB : 0);
	snapw_u32(&w, (uint32_t)state_len);
	snapw_u32(&w, state_crc);
	snapw_build_id(&w);
}

int snap_chunk_parse(const uint8_t *data, size_t n, struct snap_info *info, char *why, size_t why_cap)
{
	struct snapr r = { data, n, 0, false };
	memset(info, 0, sizeof(*info));
	uint32_t magic = snapr_u32(&r);
	info->format = snapr_u32(&r);
	info->flags = snapr_u32(&r);
	info->state_len = snapr_u32(&r);
	info->state_crc = snapr_u32(&r);
	snapr_bytes(&r, info->build_id, SNAP_BUILD_ID_MAX);
	info->build_id[SNAP_BUILD_ID_MAX] = 0;
	for (uint32_t i = 0; info->build_id[i]; i++)
		if (info->build_id[i] < 0x20 || info->build_id[i] > 0x7E)
			info->build_id[i] = '?';
	if (r.bad || magic != SNAP_MAGIC) {
		snprintf(why, why_cap, "the %s chunk does not start with a snapshot head", SNAP_CHUNK_TYPE);
		return -PXE_EINVAL;
	}
	if (info->format > SNAP_FORMAT || info->format == 0) {
		snprintf(why, why_cap, "snapshot format %u is newer than this build's (%u), made by %s", info->format,
		         SNAP_FORMAT, info->build_id);
		return -PXE_EINVAL;
	}
	if (info->flags & ~SNAP_F_ZLIB) {
		snprintf(why, why_cap, "snapshot flags 0x%x unknown to this build", info->flags);
		return -PXE_EINVAL;
	}
	if (info->state_len > SNAP_STATE_MAX) {
		snprintf(why, why_cap, "snapshot state of %u bytes is larger than any machine's (%zu)", info->state_len,
		         (size_t)SNAP_STATE_MAX);
		return -PXE_EINVAL;
	}
	info->payload = data + r.pos;
	info->payload_len = n - r.pos;
	if (!(info->flags & SNAP_F_ZLIB) && info->payload_len != info->state_len) {
		snprintf(why, why_cap, "snapshot state is %zu bytes, its head says %u", info->payload_len,
		         info->state_len);
		return -PXE_EINVAL;
	}
	return 0;
}

/* ---- PNG chunks (PNG 1.2 §3.2-3.4, §4.4) --------------------------------------- */

static const uint8_t png_sig[8] = { 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A };

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int snap_png_find(const uint8_t *png, size_t n, const uint8_t **data, size_t *len, char *why, size_t why_cap)
{
	size_t pos = 8;
	bool found = false, first = true;
	if (n < 8 || memcmp(png, png_sig, 8)) {
		snprintf(why, why_cap, "not a PNG file (no PNG signature)");
		return -PXE_EINVAL;
	}
	for (;;) {
		if (n - pos < 12) {
			snprintf(why, why_cap, "the PNG ends inside a chunk at byte %zu (truncated)", pos);
			return -PXE_EINVAL;
		}
		uint32_t clen = be32(png + pos);
		const uint8_t *type = png + pos + 4;
		if (clen > 0x7FFFFFFFu || clen > n - pos - 12) {
			snprintf(why, why_cap, "a PNG chunk at byte %zu runs past the end (truncated)", pos);
			return -PXE_EINVAL;
		}
		if (crc32(type, 4 + (size_t)clen) != be32(png + pos + 8 + clen)) {
			char t[5];
			for (int k = 0; k < 4; k++)
				t[k] = type[k] >= 0x20 && type[k] <= 0x7E ? (char)type[k] : '?';
			t[4] = 0;
			snprintf(why, why_cap, "the PNG chunk %s at byte %zu has a bad CRC (damaged)", t, pos);
			return -PXE_EINVAL;
		}
		if (first && memcmp(type, "IHDR", 4)) {
			snprintf(why, why_cap, "the PNG does not start with IHDR");
			return -PXE_EINVAL;
		}
		first = false;
		if (!memcmp(type, SNAP_CHUNK_TYPE, 4)) {
			if (found) {
				snprintf(why, why_cap, "two %s chunks", SNAP_CHUNK_TYPE);
				return -PXE_EINVAL;
			}
			found = true;
			*data = png + pos + 8;
			*len = clen;
		}
		pos += 12 + (size_t)clen;
		if (!memcmp(type, "IEND", 4))
			break;
	}
	if (!found) {
		snprintf(why, why_cap, "a picture, not a snapshot: no %s chunk", SNAP_CHUNK_TYPE);
		return -PXE_EINVAL;
	}
	return 0;
}

size_t snap_png_insert(const uint8_t *png, size_t n, const uint8_t *head, const uint8_t *payload,
                       size_t payload_len, uint8_t *out, size_t cap)
{
	static const uint8_t iend[12] = { 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82 };
	size_t clen = SNAP_HEAD_SIZE + payload_len;
	size_t total = n + 12 + clen;
	if (n < 8 + 12 || memcmp(png + n - 12, iend, 12) || clen > 0x7FFFFFFFu || total > cap)
		return 0;
	size_t at = n - 12;
	memcpy(out, png, at);
	put_be32(out + at, (uint32_t)clen);
	memcpy(out + at + 4, SNAP_CHUNK_TYPE, 4);
	memcpy(out + at + 8, head, SNAP_HEAD_SIZE);
	memcpy(out + at + 8 + SNAP_HEAD_SIZE, payload, payload_len);
	put_be32(out + at + 8 + clen, crc32(out + at + 4, 4 + clen));
	memcpy(out + at + 12 + clen, iend, 12);
	return total;
}

int snapfmt_info(const uint8_t *raw, size_t n, struct snap_info *info, char *why, size_t why_cap)
{
	struct snapr r = { raw, n, 0, false };
	struct snap_section s;
	int k;
	bool mach = false, schd = false, proc = false;
	while ((k = snapfmt_section_next(&r, &s)) == 1) {
		struct snapr b = { s.body, s.len, 0, false };
		if (!memcmp(s.tag, "MACH", 4) && s.version == 1) {
			info->clock_us = snapr_u64(&b);
			info->nslots = snapr_u32(&b);
			mach = !b.bad;
		} else if (!memcmp(s.tag, "SCHD", 4) && s.version == 2) {
			info->steps = snapr_u64(&b);
			info->charged = snapr_u64(&b);
			schd = !b.bad;
		} else if (!memcmp(s.tag, "PROC", 4) && s.version == 2) {
			info->nproc = snapr_u32(&b);
			proc = !b.bad;
		}
	}
	if (k < 0) {
		snprintf(why, why_cap, "the state's sections run past its end (damaged)");
		return -PXE_EINVAL;
	}
	if (!mach || !schd || !proc) {
		snprintf(why, why_cap, "the state lacks section %s (MACH v1, SCHD v2, PROC v2)", !mach ? "MACH" : !schd ? "SCHD" : "PROC");
		return -PXE_EINVAL;
	}
	return 0;
}

void snapfmt_tiles(const uint32_t *const *mems, uint32_t n, uint8_t *rgb, uint32_t *w, uint32_t *h)
{
	uint32_t cols = n < 8 ? (n ? n : 1) : 8, rows = n ? (n + 7) / 8 : 1;
	*w = cols * PXVM_TILE_W;
	*h = rows * PXVM_TILE_H;
	if (!rgb)
		return;
	memset(rgb, 0, (size_t)*w * *h * 3);
	for (uint32_t k = 0; k < n; k++)
		for (uint32_t y = 0; y < PXVM_TILE_H; y++)
			for (uint32_t x = 0; x < PXVM_TILE_W; x++) {
				uint32_t v = mems[k][y * PXVM_TILE_W + x];
				uint8_t *p = rgb + (((size_t)(k / 8) * PXVM_TILE_H + y) * *w + (k % 8) * PXVM_TILE_W + x) * 3;
				p[0] = (uint8_t)v;
				p[1] = (uint8_t)(v >> 8);
				p[2] = (uint8_t)(v >> 16);
			}
}
