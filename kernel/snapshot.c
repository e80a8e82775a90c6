/*
 * snapshot.c — the monitor's `snapshot`: the machine as one PNG, sent to the
 * host bridge (docs/snapshots.md). Taken while the monitor is open, so
 * between two quanta (the scheduler is paused): the state is the process
 * core's (pxvm/snap.h), the picture the framebuffer read back as RGB (or,
 * with no screen, every process's memory as tiles), encoded with
 * stb_image_write (kernel/pngsave.c) and streamed as SNAPSHOT frames
 * (kernel/bridge.c); pxbridge writes it under build/snapshots/.
 */
#include "snapshot.h"
#include "bridge.h"
#include "heap.h"
#include "klog.h"
#include "lib.h"
#include "pngload.h"
#include "pngsave.h"
#include "vram.h"
#include "drivers/fb.h"
#include "drivers/timer.h"
#include "drivers/portio.h"
#include "pxvm/crc32.h"
#include "pxvm/host.h"
#include "pxvm/proc.h"
#include "pxvm/snap.h"

/* picture: the screen now as RGB (heap), or the processes' tiles headless. */
static uint8_t *picture(uint64_t now, uint32_t *w, uint32_t *h)
{
	const struct fb *fb = vram_ready() ? vram_fb() : 0;
	uint8_t *rgb;
	if (fb) {
		vram_refresh(now, true); /* the tables as they are now */
		*w = fb->width;
		*h = fb->height;
		rgb = kmalloc((size_t)*w * *h * 3);
		if (!rgb)
			return 0;
		fb_read_rgb(fb, rgb);
		return rgb;
	}
	const uint32_t *mems[NPROC];
	uint32_t k = 0;
	for (uint32_t i = 0; i < NPROC; i++)
		if (proc_at(i)->vm.mem)
			mems[k++] = proc_at(i)->vm.mem;
	snapfmt_tiles(mems, k, 0, w, h);
	rgb = kmalloc((size_t)*w * *h * 3);
	if (rgb)
		snapfmt_tiles(mems, k, rgb, w, h);
	return rgb;
}

/* The picture taken when the monitor's `snapshot` line was entered
 * (snapshot_monitor_line), for that command's build. */
static struct {
	uint8_t *rgb;
	uint32_t w, h;
} early;

void snapshot_monitor_line(const char *line)
{
	while (*line == ' ')
		line++;
	size_t n = strlen(line);
	while (n && line[n - 1] == ' ')
		n--;
	if (n != 8 || memcmp(line, "snapshot", 8))
		return;
	kfree(early.rgb);
	early.rgb = picture(pxhost_time_us(), &early.w, &early.h); /* NULL: build takes one itself */
}

/* build: the snapshot file of the machine now (between quanta), on the heap
 * (*flen bytes), with a line on the console saying what it holds; NULL when
 * out of memory (said too). The picture is the one taken when the command
 * was entered, if it was (snapshot_monitor_line), else the screen now. */
static uint8_t *build(size_t *flen)
{
	uint64_t now = pxhost_time_us();
	size_t n = snap_state_save(0, 0, now), zlen = 0, plen = 0;
	uint32_t w = early.w, h = early.h;
	uint8_t *state = kmalloc(n), *rgb = early.rgb, *z = 0, *png = 0, *file = 0;
	early.rgb = 0;
	*flen = 0;
	if (!state || snap_state_save(state, n, now) != n)
		goto out;
	uint32_t crc = snap_state_crc(state, n);
	if ((!rgb && !(rgb = picture(now, &w, &h))) || !(z = zlib_compress(state, n, &zlen)) ||
	    !(png = png_encode_rgb(rgb, w, h, &plen)))
		goto out;
	kfree(rgb);
	rgb = 0;
	uint8_t head[SNAP_HEAD_SIZE];
	snap_chunk_head(head, n, crc, true);
	size_t cap = plen + 12 + SNAP_HEAD_SIZE + zlen;
	if ((file = kmalloc(cap)) && !(*flen = snap_png_insert(png, plen, head, z, zlen, file, cap))) {
		kfree(file);
		file = 0;
	}
out:
	if (file)
		kprintf("snapshot: %u processes, state %zu bytes (%zu compressed), picture %ux%u; %zu bytes to the host "
		        "bridge\n", proc_count(PROC_RUNNABLE) + proc_count(PROC_BLOCKED) + proc_count(PROC_ZOMBIE), n, zlen,
		        w, h, *flen);
	else
		kprintf("snapshot: out of memory (state %zu bytes, picture %ux%u)\n", n, w, h);
	kfree(state);
	kfree(rgb);
	kfree(z);
	kfree(png);
	return file;
}

static struct {
	uint8_t *file;       /* being sent */
	uint32_t pending;    /* pid that asked (SNAPSHOT), to be taken at the next poll; 0 = none */
	bool done;
	int result;
	uint64_t ms;
} req;

static void sent(int result, size_t n, uint64_t ms)
{
	req.done = true;
	req.result = result;
	req.ms = ms;
	if (result < 0)
		kprintf("snapshot: not sent: %s (%llu ms)\n", result == -PXE_ENOBRIDGE ? "no host bridge" :
		        "the bridge link was lost on the way", (unsigned long long)ms);
	else
		kprintf("snapshot: %zu bytes sent in %llu ms, crc32 %08x (pxbridge writes it under build/snapshots/)\n",
		        n, (unsigned long long)ms, crc32(req.file, n));
	kfree(req.file);
	req.file = 0;
}

void snapshot_monitor_cmd(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (bridge_snapshot_active()) {
		kfree(early.rgb);
		early.rgb = 0;
		kprintf("snapshot: one is being sent (%zu bytes so far)\n", bridge_snapshot_progress());
		return;
	}
	size_t n;
	uint8_t *file = build(&n);
	if (!file)
		return;
	req.file = file;
	req.done = false;
	int r = bridge_snapshot_start(file, n, sent);
	if (r < 0) {
		sent(r, n, 0);
		return;
	}
	uint64_t shown = timer_us();
	while (!req.done) { /* the monitor waits: processes stay frozen */
		bridge_uart_poll();
		bridge_poll();
		klog_poll();
		uint64_t now = timer_us();
		if (!req.done && now - shown >= 1000000) {
			shown = now;
			size_t acked = bridge_snapshot_progress();
			kprintf("snapshot: %zu of %zu bytes sent (%u%%)\n", acked, n, (unsigned)(n ? acked * 100 / n : 100));
		}
		cpu_pause();
	}
}

int snapshot_request(uint32_t pid)
{
	if (!bridge_present())
		return -PXE_ENOBRIDGE;
	if (req.pending || bridge_snapshot_active())
		return -PXE_EBUSY;
	req.pending = pid;
	return 0;
}

void snapshot_poll(void)
{
	if (!req.pending)
		return;
	uint32_t pid = req.pending;
	req.pending = 0;
	kinfo("snapshot", "taken for pid %u; sent in the background", pid);
	size_t n;
	uint8_t *file = build(&n);
	if (!file)
		return;
	req.file = file;
	req.done = false;
	int r = bridge_snapshot_start(file, n, sent);
	if (r < 0)
		sent(r, n, 0);
}

int snapshot_resume(const struct pxos_bootinfo *bi, const struct pxfs *fs, uint32_t nslots)
{
	if (!bi->resume || !bi->resume_size)
		return 0;
	const uint8_t *png = (const uint8_t *)(uintptr_t)bi->resume;
	const uint8_t *chunk;
	size_t clen;
	struct snap_info info;
	char why[160];
	uint8_t *state = 0;
	if (snap_png_find(png, bi->resume_size, &chunk, &clen, why, sizeof(why)) ||
	    snap_chunk_parse(chunk, clen, &info, why, sizeof(why)))
		goto refused;
	state = kmalloc(info.state_len ? info.state_len : 1);
	if (!state) {
		snprintf(why, sizeof(why), "no memory for its state of %u bytes", info.state_len);
		goto refused;
	}
	if (info.flags & SNAP_F_ZLIB ? zlib_inflate(info.payload, info.payload_len, state, info.state_len) != 0
	                             : (memcpy(state, info.payload, info.state_len), 0)) {
		snprintf(why, sizeof(why), "its state does not inflate to the %u bytes its head says (damaged)",
		         info.state_len);
		goto refused;
	}
	if (snap_state_crc(state, info.state_len) != info.state_crc) {
		snprintf(why, sizeof(why), "its state fails its CRC-32 (damaged)");
		goto refused;
	}
	if (snapfmt_info(state, info.state_len, &info, why, sizeof(why)) ||
	    snap_state_load(state, info.state_len, pxhost_time_us(), fs, nslots, why, sizeof(why)))
		goto refused;
	kinfo("resume", "went on from a snapshot taken by %s at %llu.%06llu s after %llu instructions: %u processes, "
	      "%u slots there, %u here", info.build_id, (unsigned long long)(info.clock_us / 1000000),
	      (unsigned long long)(info.clock_us % 1000000), (unsigned long long)info.steps, info.nproc, info.nslots,
	      nslots);
	kfree(state);
	return 1;
refused:
	kerror("resume", "snapshot refused: %s; booting normally", why);
	kfree(state);
	return 0;
}
