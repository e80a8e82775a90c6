/*
 * fbbench.c — tile-flush bandwidth; see fbbench.h.
 */
#include "fbbench.h"
#include "klog.h"
#include "lib.h"
#include "param.h"
#include "vmm.h"
#include "vram.h"
#include "drivers/fb.h"
#include "drivers/timer.h"
#include "pxvm/abi.h"

static uint32_t tile_words[PXVM_MEM_WORDS];
static uint32_t ram_copy[PXVM_MEM_WORDS];

struct result {
	uint64_t bytes, us;
	unsigned rounds;
};

/* run: repeat `step` for FBBENCH_MS (at least twice). */
static struct result run(void (*step)(void))
{
	struct result r = { 0, 0, 0 };
	uint64_t t0 = timer_us();
	do {
		step();
		r.rounds++;
		r.us = timer_us() - t0;
	} while (r.us < FBBENCH_MS * 1000ull || r.rounds < 2);
	r.bytes = (uint64_t)r.rounds * sizeof(tile_words);
	return r;
}

static void flush_step(void)
{
	uint64_t dirty[2] = { ~0ull, ~0ull };
	vram_tile_flush(0, tile_words, dirty);
}

static void copy_step(void)
{
	memcpy(ram_copy, tile_words, sizeof(ram_copy));
	__asm__ volatile("" : : "r"(ram_copy) : "memory");
}

static void report(const char *what, struct result r)
{
	uint64_t bps = r.us ? r.bytes * 1000000ull / r.us : 0;
	kprintf("  %-24s %12llu bytes/s (%llu MiB/s; %u x 64 KiB in %llu ms)\n", what, (unsigned long long)bps,
		(unsigned long long)(bps >> 20), r.rounds, (unsigned long long)(r.us / 1000));
}

void fbbench_monitor_cmd(int argc, char **argv)
{
	(void)argc, (void)argv;
	if (!vram_ready() || vram_layout()->nslots == 0) {
		kprintf("fbbench: no framebuffer substrate (no process slot to flush into)\n");
		return;
	}
	const struct fb *fb = vram_fb();
	const struct vram_rect *t = &vram_layout()->slot[0].tile;
	for (unsigned i = 0; i < PXVM_MEM_WORDS; i++)
		tile_words[i] = fb_get(fb, t->x + (int)(i % PXVM_TILE_W), t->y + (int)(i / PXVM_TILE_W));
	uint64_t base = (uint64_t)(uintptr_t)fb->base;
	uint64_t size = (uint64_t)fb->stride * fb->height * 4;
	kprintf("fbbench: tile flush of slot 0 (128 x 128 pixels, 64 KiB a flush), framebuffer at 0x%llx\n",
		(unsigned long long)base);
	if (vmm_retype(base, size, VMM_WC) != 0) {
		report("framebuffer as mapped", run(flush_step));
	} else {
		report("framebuffer WC", run(flush_step));
		vmm_retype(base, size, VMM_UC);
		report("framebuffer UC", run(flush_step));
		vmm_retype(base, size, VMM_WC);
	}
	report("RAM copy WB", run(copy_step));
}
