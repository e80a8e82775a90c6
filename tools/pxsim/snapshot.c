/*
 * snapshot.c — pxsim's snapshots: --snapshot-at N FILE writes the machine as
 * one PNG between two quanta, --resume FILE goes on from one
 * (docs/snapshots.md, docs/pxsim.md).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pxsim.h"
#include "drivers/fb.h"
#include "kernel/vram.h"
#include "pxvm/host.h"
#include "pxvm/sched.h"
#include "pxvm/snap.h"
#include "pxvm/py/pyproc.h"
#include "tools/common/snapfile.h"

uint8_t *pxsim_screen_rgb(const struct fb *fb)
{
	uint8_t *rgb = malloc((size_t)fb->width * fb->height * 3);
	if (!rgb)
		return 0;
	fb_read_rgb(fb, rgb);
	return rgb;
}

int pxsim_snapshot(const char *path, const struct fb *fb)
{
	uint64_t now = pxhost_time_us();
	size_t n = snap_state_save(0, 0, now);
	uint8_t *state = malloc(n);
	uint8_t *rgb = 0, *png = 0;
	uint32_t w = 0, h = 0;
	size_t len = 0;
	int rc = -1;
	char why[256] = "out of memory";
	if (!state || snap_state_save(state, n, now) != n)
		goto out;
	if (fb) {
		vram_refresh(now, true); /* the tables as they are now */
		rgb = pxsim_screen_rgb(fb);
		w = fb->width;
		h = fb->height;
	} else {
		/* No screen: the picture is every live process's memory. */
		const uint32_t *mems[NPROC];
		uint32_t k = 0;
		for (uint32_t i = 0; i < NPROC; i++)
			if (proc_at(i)->vm.mem)
				mems[k++] = proc_at(i)->vm.mem;
		rgb = snapfile_tiles_rgb(mems, k, &w, &h);
	}
	if (!rgb || !(png = snapfile_encode(rgb, w, h, state, n, &len)))
		goto out;
	if (snapfile_write_atomic(path, png, len, why, sizeof(why)) == 0) {
		rc = 0;
		fprintf(stderr, "pxsim: snapshot after %llu instructions (clock %llu us): %s, %zu bytes (state %zu)\n",
		        (unsigned long long)sched_total_steps(), (unsigned long long)now, path, len, n);
	}
out:
	if (rc)
		fprintf(stderr, "pxsim: snapshot %s: %s\n", path, why);
	free(state);
	free(rgb);
	free(png);
	return rc;
}

int pxsim_resume(const char *path, const struct pxfs *fs, uint32_t nslots, uint32_t *first_pid)
{
	struct snapfile sf;
	char why[256];
	if (snapfile_read(path, &sf, why, sizeof(why)) ||
	    snap_state_info(sf.state, sf.state_len, &sf.info, why, sizeof(why))) {
		fprintf(stderr, "pxsim: %s: refused: %s\n", path, why);
		snapfile_free(&sf);
		return -1;
	}
	if (strcmp(sf.info.build_id, snap_build_id()))
		fprintf(stderr, "pxsim: %s: taken by %s, resumed by %s\n", path, sf.info.build_id, snap_build_id());
	uint64_t now = pxsim_clock_resume(sf.info.clock_us, sf.info.steps + sf.info.charged);
	py_proc_init(); /* the kinds a snapshot's processes may be of (snap_state_load keeps them) */
	if (snap_state_load(sf.state, sf.state_len, now, fs, nslots, why, sizeof(why))) {
		fprintf(stderr, "pxsim: %s: refused: %s\n", path, why);
		snapfile_free(&sf);
		return -1;
	}
	*first_pid = 0;
	for (uint32_t i = 0; i < NPROC; i++) {
		const struct proc *p = proc_at(i);
		if (p->state != PROC_FREE && (!*first_pid || p->pid < *first_pid))
			*first_pid = p->pid;
	}
	snapfile_free(&sf);
	return 0;
}

/* ---- SNAPSHOT from a guest (--snapshots DIR) ---------------------------------- */

static const char *snap_dir;
static const struct fb *snap_fb;
static uint32_t snap_pending;

void pxsim_snapshot_setup(const char *dir, const struct fb *fb)
{
	snap_dir = dir;
	snap_fb = fb;
}

int pxhost_snapshot(uint32_t pid)
{
	if (!snap_dir)
		return -PXE_ENOBRIDGE; /* nowhere to write it: say so, as the kernel without a bridge */
	if (snap_pending)
		return -PXE_EBUSY;
	snap_pending = pid;
	return 0;
}

void pxsim_snapshot_poll(void)
{
	if (!snap_pending)
		return;
	char path[1024];
	snprintf(path, sizeof(path), "%s/snapshot-%llu.png", snap_dir, (unsigned long long)sched_total_steps());
	snap_pending = 0;
	pxsim_snapshot(path, snap_fb);
}
