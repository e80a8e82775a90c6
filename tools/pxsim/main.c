/*
 * pxsim — run pxVM programs on the host with the kernel's own VM, scheduler,
 * system calls, PixelFS and VRAM substrate (VRAM is host memory here).
 *
 *   pxsim [options] PROGRAM [ARGS...]
 *
 * PROGRAM is a .pxe file on the host (it is placed in an in-memory PixelFS as
 * /bin/NAME) or, with --fs, an absolute path inside that PixelFS image.
 * Exit status: the program's exit status (0..255); 128 + fault code when a
 * fault stopped it; 124 when --max-steps ran out; 2 for usage or input errors.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pxsim.h"
#include "boot/bootinfo.h"
#include "drivers/fb.h"
#include "kernel/vram.h"
#include "pxvm/pixelfs.h"
#include "pxvm/sched.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#include <stb/stb_image.h>
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>
#pragma GCC diagnostic pop

#define MAX_ADDS 32

static void usage(void)
{
	fprintf(stderr,
	        "usage: pxsim [options] PROGRAM [ARGS...]\n"
	        "  PROGRAM           a .pxe file, or with --fs an absolute PixelFS path\n"
	        "  --fs IMG.png      mount this PixelFS image\n"
	        "  --add FILE=PATH   put host FILE in the in-memory PixelFS at PATH (repeatable)\n"
	        "  --screen WxH      VRAM size in pixels (default 1280x800)\n"
	        "  --stride N        pixels per scan line (default: the width)\n"
	        "  --format F        rgbx, bgrx (default) or bitmask (R,G,B at bits 8,16,24)\n"
	        "  --png OUT.png     write the final screen as an RGB PNG\n"
	        "  --max-steps N     stop after N instructions in all (default 1000000000)\n"
	        "  --quiet           only warnings and errors from the scheduler\n");
}

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "pxsim: %s: %s\n", path, strerror(errno));
		return 0;
	}
	uint8_t *buf = 0;
	size_t cap = 0, n = 0;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			uint8_t *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				fprintf(stderr, "pxsim: %s: out of memory\n", path);
				return 0;
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		fprintf(stderr, "pxsim: %s: read error\n", path);
		free(buf);
		return 0;
	}
	*size = n;
	return buf;
}

static int parse_uint(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		return -1;
	*out = v;
	return 0;
}

static void report(void *ctx, const char *path, const char *why)
{
	(void)ctx;
	fprintf(stderr, "pxsim: PixelFS: %s: %s; file left out\n", path, why);
}

static int write_png(const char *path, const struct fb *fb)
{
	uint8_t *rgb = malloc((size_t)fb->width * fb->height * 3);
	if (!rgb)
		return -1;
	for (uint32_t y = 0; y < fb->height; y++)
		for (uint32_t x = 0; x < fb->width; x++) {
			uint32_t c = fb_get(fb, (int)x, (int)y);
			uint8_t *p = rgb + ((size_t)y * fb->width + x) * 3;
			p[0] = (uint8_t)FB_R(c);
			p[1] = (uint8_t)FB_G(c);
			p[2] = (uint8_t)FB_B(c);
		}
	int ok = stbi_write_png(path, (int)fb->width, (int)fb->height, 3, rgb, (int)fb->width * 3);
	free(rgb);
	if (!ok)
		fprintf(stderr, "pxsim: %s: cannot write PNG\n", path);
	return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	const char *fs_path = 0, *png_path = 0, *format = "bgrx";
	const char *adds[MAX_ADDS];
	int nadds = 0;
	uint64_t width = 1280, height = 800, stride = 0, max_steps = 1000000000ull;
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		const char *o = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : 0;
		if (!strcmp(o, "--quiet")) { pxsim_quiet = 1; continue; }
		if (!strcmp(o, "--help")) { usage(); return 0; }
		if (!v) { fprintf(stderr, "pxsim: %s needs a value\n", o); return 2; }
		i++;
		if (!strcmp(o, "--fs")) fs_path = v;
		else if (!strcmp(o, "--png")) png_path = v;
		else if (!strcmp(o, "--format")) format = v;
		else if (!strcmp(o, "--add")) {
			if (nadds == MAX_ADDS || !strchr(v, '=')) { fprintf(stderr, "pxsim: --add FILE=PATH (at most %d)\n", MAX_ADDS); return 2; }
			adds[nadds++] = v;
		} else if (!strcmp(o, "--screen")) {
			if (sscanf(v, "%llux%llu", (unsigned long long *)&width, (unsigned long long *)&height) != 2 ||
			    width < 64 || height < 64 || width > 8192 || height > 8192) {
				fprintf(stderr, "pxsim: --screen wants WxH between 64 and 8192\n");
				return 2;
			}
		} else if (!strcmp(o, "--stride")) {
			if (parse_uint(v, &stride)) { fprintf(stderr, "pxsim: bad --stride\n"); return 2; }
		} else if (!strcmp(o, "--max-steps")) {
			if (parse_uint(v, &max_steps) || !max_steps) { fprintf(stderr, "pxsim: bad --max-steps\n"); return 2; }
		} else {
			fprintf(stderr, "pxsim: unknown option %s\n", o);
			usage();
			return 2;
		}
	}
	if (i >= argc) {
		usage();
		return 2;
	}
	const char *program = argv[i++];
	char args[256] = "";
	size_t an = 0;
	for (; i < argc && an < sizeof(args); i++)
		an += (size_t)snprintf(args + an, sizeof(args) - an, "%s%s", an ? " " : "", argv[i]);
	if (an >= sizeof(args)) {
		fprintf(stderr, "pxsim: arguments too long\n");
		return 2;
	}
	if (!stride)
		stride = width;
	if (stride < width || stride > 16384) {
		fprintf(stderr, "pxsim: --stride must be at least the width\n");
		return 2;
	}

	/* The screen: host memory described exactly like a GOP framebuffer. */
	uint32_t fmt, masks[4] = { 0x0000FF00u, 0x00FF0000u, 0xFF000000u, 0x000000FFu };
	if (!strcmp(format, "rgbx")) fmt = PXOS_PIXEL_RGBX8;
	else if (!strcmp(format, "bgrx")) fmt = PXOS_PIXEL_BGRX8;
	else if (!strcmp(format, "bitmask")) fmt = PXOS_PIXEL_BITMASK;
	else { fprintf(stderr, "pxsim: --format is rgbx, bgrx or bitmask\n"); return 2; }
	uint32_t *vram = calloc((size_t)stride * height, 4);
	struct fb fb;
	if (!vram || fb_init(&fb, vram, (uint32_t)width, (uint32_t)height, (uint32_t)stride, fmt, masks)) {
		fprintf(stderr, "pxsim: cannot set up a %llux%llu screen\n", (unsigned long long)width,
		        (unsigned long long)height);
		return 2;
	}
	pxsim_clock_start();
	if (vram_init(&fb) != 0) {
		fprintf(stderr, "pxsim: screen too small for even one process slot\n");
		return 2;
	}

	/* The filesystem: an image, or one built in memory from host files. */
	static struct pxfs fs;
	static uint8_t bad[PXFS_MAX_FILES];
	uint8_t *pixels = 0;
	int w = 0, h = 0;
	char start_path[PXFS_PATH_MAX];
	if (fs_path) {
		int comp;
		pixels = stbi_load(fs_path, &w, &h, &comp, 4);
		if (!pixels) {
			fprintf(stderr, "pxsim: %s: not a decodable PNG (%s)\n", fs_path, stbi_failure_reason());
			return 2;
		}
		int err = pxfs_mount(&fs, pixels, (uint32_t)w, (uint32_t)h, bad, report, 0);
		if (err) {
			fprintf(stderr, "pxsim: %s: %s\n", fs_path, pxfs_strerror(err));
			return 2;
		}
		snprintf(start_path, sizeof(start_path), "%s", program);
	} else {
		struct pxfs_input in[MAX_ADDS + 1];
		uint8_t *datas[MAX_ADDS + 1];
		char paths[MAX_ADDS + 1][PXFS_PATH_MAX];
		int n = 0;
		const char *base = strrchr(program, '/') ? strrchr(program, '/') + 1 : program;
		snprintf(paths[0], sizeof(paths[0]), "/bin/%.*s", (int)strcspn(base, "."), base);
		snprintf(start_path, sizeof(start_path), "%s", paths[0]);
		const char *files[MAX_ADDS + 1];
		files[n++] = program;
		for (int k = 0; k < nadds; k++) {
			const char *eq = strchr(adds[k], '=');
			static char fname[MAX_ADDS][512];
			snprintf(fname[k], sizeof(fname[k]), "%.*s", (int)(eq - adds[k]), adds[k]);
			snprintf(paths[n], sizeof(paths[n]), "%s", eq + 1);
			files[n++] = fname[k];
		}
		for (int k = 0; k < n; k++) {
			size_t size;
			datas[k] = read_file(files[k], &size);
			if (!datas[k])
				return 2;
			in[k].path = paths[k];
			in[k].data = datas[k];
			in[k].size = (uint32_t)size;
			in[k].type = size >= 4 && !memcmp(datas[k], "PXE1", 4) ? PXFS_TYPE_PROGRAM : PXFS_TYPE_DATA;
		}
		uint32_t hh = pxfs_layout(in, (uint32_t)n, PXFS_DEFAULT_WIDTH);
		const char *why = "";
		pixels = hh ? calloc((size_t)PXFS_DEFAULT_WIDTH * hh, 4) : 0;
		if (!pixels || pxfs_build(in, (uint32_t)n, PXFS_DEFAULT_WIDTH, hh, pixels, &why) ||
		    pxfs_mount(&fs, pixels, PXFS_DEFAULT_WIDTH, hh, bad, report, 0)) {
			fprintf(stderr, "pxsim: cannot build the in-memory PixelFS: %s\n", why);
			return 2;
		}
	}

	sched_init(&fs, vram_layout()->nslots);
	int pid = sched_spawn(start_path, args, 0);
	if (pid < 0) {
		fprintf(stderr, "pxsim: %s: %s\n", start_path, pxvm_error_text((uint32_t)-pid));
		return 2;
	}
	uint32_t alive = sched_run(max_steps);
	int status;
	uint32_t st;
	if (alive) {
		fprintf(stderr, "pxsim: stopped after %llu instructions with %u processes alive\n",
		        (unsigned long long)sched_total_steps(), alive);
		status = 124;
	} else if (sched_reaped_status((uint32_t)pid, &st) == 0) {
		status = (st & PXVM_STATUS_FAULTED) ? 128 + (int)(st & 0xFF) : (int)(st & 0xFF);
	} else {
		status = 0;
	}
	if (png_path && write_png(png_path, &fb))
		status = 2;
	return status;
}
