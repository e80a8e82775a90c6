/*
 * snapshot.c — pxbridge's side of the monitor's `snapshot`: SNAPSHOT frames
 * (docs/bridge-protocol.md) become a file under the snapshot directory
 * (default build/snapshots), named by the time it arrived. The pieces go to
 * a temporary file in that directory; only a complete file whose length and
 * CRC-32 match what the kernel announced is renamed to its final name, so a
 * final name never holds a partial or damaged snapshot.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pxbridge.h"
#include "pxvm/crc32.h"

static struct {
	int open;
	uint32_t id, total, crc, got, sum;
	FILE *f;
	char tmp[1024];
	double started;
} in;

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* mkdirs: make `dir` and its parents (like mkdir -p). 0 or -1. */
static int mkdirs(const char *dir)
{
	char p[1024];
	if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p)
		return -1;
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			if (mkdir(p, 0777) != 0 && errno != EEXIST)
				return -1;
			*s = '/';
		}
	return mkdir(p, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

static void drop(const char *why)
{
	if (!in.open)
		return;
	pxb_log("snapshot %08X dropped after %u of %u bytes: %s", in.id, in.got, in.total, why);
	fclose(in.f);
	unlink(in.tmp);
	in.open = 0;
}

void pxb_snapshot_abort(const char *why) { drop(why); }

void pxb_snapshot_frame(const struct pxb_opts *o, const struct frame *f)
{
	const char *dir = o->snap_dir ? o->snap_dir : "build/snapshots";
	if (f->len < 5) {
		pxb_log("snapshot %08X: a piece of %u bytes, too short: ignored", f->id, f->len);
		return;
	}
	uint8_t step = f->payload[0];
	if (step == FRAME_SNAP_BEGIN && f->len == 9) {
		drop("a new snapshot began");
		if (mkdirs(dir) != 0) {
			pxb_log("snapshot %08X: cannot make %s: %s", f->id, dir, strerror(errno));
			return;
		}
		snprintf(in.tmp, sizeof in.tmp, "%s/.incoming-%08X-%ld.tmp", dir, f->id, (long)getpid());
		if (!(in.f = fopen(in.tmp, "wb"))) {
			pxb_log("snapshot %08X: %s: %s", f->id, in.tmp, strerror(errno));
			return;
		}
		in.open = 1;
		in.id = f->id;
		in.total = le32(f->payload + 1);
		in.crc = le32(f->payload + 5);
		in.got = 0;
		in.sum = 0;
		in.started = pxb_now();
		pxb_log("snapshot %08X: %u bytes coming", f->id, in.total);
		return;
	}
	if (!in.open || f->id != in.id) {
		pxb_log("snapshot %08X: a piece of no snapshot in progress: ignored", f->id);
		return;
	}
	if (step == FRAME_SNAP_DATA) {
		uint32_t off = le32(f->payload + 1), n = f->len - 5u;
		if (off != in.got || n > in.total - in.got) {
			drop("a piece out of place");
			return;
		}
		if (fwrite(f->payload + 5, 1, n, in.f) != n) {
			drop(strerror(errno));
			return;
		}
		in.got += n;
		in.sum = crc32_update(in.sum, f->payload + 5, n);
		return;
	}
	if (step != FRAME_SNAP_END || f->len != 9) {
		drop("an unknown step");
		return;
	}
	if (in.got != in.total || in.sum != in.crc || le32(f->payload + 1) != in.total || le32(f->payload + 5) != in.crc) {
		drop("its length or CRC-32 does not match");
		return;
	}
	if (fclose(in.f) != 0) {
		in.open = 0;
		unlink(in.tmp);
		pxb_log("snapshot %08X: %s: %s", in.id, in.tmp, strerror(errno));
		return;
	}
	in.open = 0;
	/* build/snapshots/20261207-071530.png, -2, -3 ... when taken in the same second */
	char name[1200], stamp[32];
	time_t t = time(NULL);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", gmtime(&t));
	struct stat sb;
	snprintf(name, sizeof name, "%s/%s.png", dir, stamp);
	for (int k = 2; stat(name, &sb) == 0 && k < 1000; k++)
		snprintf(name, sizeof name, "%s/%s-%d.png", dir, stamp, k);
	if (rename(in.tmp, name) != 0) {
		pxb_log("snapshot %08X: rename to %s: %s", in.id, name, strerror(errno));
		unlink(in.tmp);
		return;
	}
	pxb_log("snapshot saved: %s (%u bytes, crc32 %08X, %.1f s)", name, in.total, in.crc, pxb_now() - in.started);
}
