/*
 * pxsim — the pxOS host simulator: the kernel's own VM, scheduler, system
 * calls, tty, PixelFS and VRAM substrate running on the host, VRAM in memory.
 *
 *   pxsim [options] PROGRAM [ARGS...]
 *   pxsim [options] --boot [INIT-ARGS...]
 *
 * PROGRAM is a .pxe file on the host (it is placed in the in-memory PixelFS as
 * /bin/NAME) or, with --fs, an absolute path inside that PixelFS image.
 * --boot starts /boot/init from the filesystem, as the kernel does.
 * Console input comes from --type/--input (a script typed line by line when
 * the foreground process reads stdin), --at (typed at a given time), or the
 * terminal (--interactive). docs/pxsim.md is the manual.
 *
 * Exit status: the first process's exit status (0..255); 128 + fault code when
 * a fault stopped it; 137 when it was killed; 124 when --max-steps ran out; 125
 * when processes were left blocked with nothing that could wake them; 2 for
 * usage or input errors.
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
#include "pxvm/host.h"
#include "pxvm/sched.h"
#include "pxvm/tty.h"
#include "pxvm/py/pyproc.h"
#include "pxvm/proc.h"
#include "pxvm/rng.h"
#include "pxvm/watch.h"

#include "tools/common/hostio.h"
#include <stb/stb_image_write.h> /* implementation in tools/common/hostio.c */

#define MAX_ADDS 32
#define MAX_FILES (PXFS_MAX_FILES + MAX_ADDS + 1)

static void usage(void)
{
	fprintf(stderr,
	        "usage: pxsim [options] PROGRAM [ARGS...]\n"
	        "       pxsim [options] --boot [INIT-ARGS...]\n"
	        "       pxsim [options] --resume SNAPSHOT.png\n"
	        "  PROGRAM           a .pxe file, or with --fs an absolute PixelFS path\n"
	        "  --boot            run /boot/init from the filesystem, as the kernel does\n"
	        "  --fs IMG.png      mount this PixelFS image (e.g. build/pixelfs.png)\n"
	        "  --add FILE=PATH   put host FILE in the PixelFS at PATH (repeatable; with\n"
	        "                    --fs, added to the image's files or replacing one)\n"
	        "  --type STRING     console input, typed a line at a time when the foreground\n"
	        "                    process reads stdin; escapes \\n \\t \\r \\e \\\\ \\xHH\n"
	        "                    (\\x03 is Ctrl-C, \\x04 Ctrl-D); repeatable, in order\n"
	        "  --input FILE      console input from FILE, as --type (- for stdin)\n"
	        "  --at MS:STRING    type STRING (escapes as --type) when the clock reaches MS\n"
	        "  --interactive     console input from the terminal as you type (raw mode;\n"
	        "                    Ctrl-\\ quits); implies --realtime\n"
	        "  --realtime        wall-clock time; default: a virtual clock ((instructions +\n"
	        "                    system-call charges) / --mips, plus sleeps skipped), so\n"
	        "                    runs repeat exactly\n"
	        "  --mips N          virtual clock speed, million instructions a second (100)\n"
	        "  --screen WxH      VRAM size in pixels (default 1280x800); `none`: no\n"
	        "                    screen, every process runs unseen (as a headless PC)\n"
	        "  --stride N        pixels per scan line (default: the width)\n"
	        "  --format F        rgbx, bgrx (default) or bitmask (R,G,B at bits 8,16,24)\n"
	        "  --png OUT.png     write the final screen as an RGB PNG (needs a screen)\n"
	        "  --max-steps N     stop after N instructions in all (default 1000000000),\n"
	        "                    counted from the machine's boot, also after --resume\n"
	        "  --snapshot-at N FILE  write the machine as a snapshot PNG once N\n"
	        "                    instructions have run in all, between two quanta\n"
	        "                    (repeatable; docs/snapshots.md)\n"
	        "  --resume FILE     go on from snapshot FILE instead of starting a program\n"
	        "  --snapshots DIR   where a program's SNAPSHOT call writes (DIR/snapshot-N.png)\n"
	        "  --seed N          seed the random generator (default 0), as the kernel's seed=N\n"
	        "  --watch PID[:WHAT] watch process PID from its start: WHAT is all (default),\n"
	        "                    or pc, writes, code, log joined by commas (repeatable)\n"
	        "  --imperfect PID:RATE[:LO:HI]  imperfect mode for PID from its start: RATE bit\n"
	        "                    flips per million instructions in bytes [LO, HI)\n"
	        "  --who PID:ADDR    at the end, which instructions wrote that word of PID\n"
	        "                    (watched) and when; on stdout (repeatable)\n"
	        "  --llm-script FILE answer LLM calls with FILE's scripted rules (as pxbridge\n"
	        "                    --script; docs/bridge-protocol.md); default: no LLM,\n"
	        "                    every call fails with ENOBRIDGE\n"
	        "  --quiet           only warnings and errors from the scheduler\n");
}

/* read_file: the whole host file, or NULL after a message. */
static uint8_t *read_file(const char *path, size_t *size)
{
	uint8_t *data;
	int e = hostio_read_file(path, &data, size);
	if (e)
		fprintf(stderr, "pxsim: %s: %s\n", path, strerror(e));
	return data;
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
	uint8_t *rgb = pxsim_screen_rgb(fb);
	if (!rgb)
		return -1;
	int ok = stbi_write_png(path, (int)fb->width, (int)fb->height, 3, rgb, (int)fb->width * 3);
	free(rgb);
	if (!ok)
		fprintf(stderr, "pxsim: %s: cannot write PNG\n", path);
	return ok ? 0 : -1;
}

/* Snapshots asked for with --snapshot-at, in the order given. */
#define MAX_SNAPS 8
static struct { uint64_t at; const char *path; } snaps[MAX_SNAPS];
static int nsnaps;

/* run: run the machine until `max_steps` instructions in all (counted from
 * its boot: a resumed machine goes on counting), writing the snapshots due on
 * the way, each between two quanta once its count is reached. Returns the
 * processes still alive. */
static uint32_t run(uint64_t max_steps, const struct fb *fb)
{
	uint32_t alive = 1;
	for (int k = 0; k < nsnaps; k++) {
		uint64_t at = snaps[k].at < max_steps ? snaps[k].at : max_steps;
		if (alive && sched_total_steps() < at)
			alive = sched_run(at - sched_total_steps());
		if (pxsim_snapshot(snaps[k].path, fb))
			return (uint32_t)-1;
	}
	if (alive && sched_total_steps() < max_steps)
		alive = sched_run(max_steps - sched_total_steps());
	else
		alive = proc_count(PROC_RUNNABLE) + proc_count(PROC_BLOCKED);
	return alive;
}

/* Add one file to the input list, replacing an earlier one with the same path. */
static void add_input(struct pxfs_input *in, uint32_t *n, const char *path, const uint8_t *data,
                      uint32_t size, uint32_t type)
{
	uint32_t i = 0;
	while (i < *n && strcmp(in[i].path, path))
		i++;
	if (i == *n)
		(*n)++;
	in[i].path = path;
	in[i].data = data;
	in[i].size = size;
	in[i].type = type;
}

/* The filesystem: the image `fs_path` (may be NULL) with the host files `adds`
 * (FILE=PATH) and `program` (may be NULL; at /bin/NAME, its path in *start)
 * added. Returns 0, or -1 after a message. */
static int make_fs(struct pxfs *fs, const char *fs_path, const char **adds, int nadds, const char *program,
                   char *start, size_t start_size)
{
	static uint8_t bad[PXFS_MAX_FILES];
	static struct pxfs_input in[MAX_FILES];
	static char paths[MAX_ADDS + 1][PXFS_PATH_MAX];
	uint32_t n = 0;
	struct hostio_image image; /* stays allocated: the inputs point into it */
	if (fs_path) {
		char msg[256];
		if (hostio_load_image(fs_path, 4, PXFS_MAX_WIDTH, PXFS_MAX_HEIGHT, &image, msg, sizeof msg)) {
			fprintf(stderr, "pxsim: %s\n", msg);
			return -1;
		}
		int err = pxfs_mount(fs, image.px, image.width, image.height, bad, report, 0);
		if (err) {
			fprintf(stderr, "pxsim: %s: %s\n", fs_path, pxfs_strerror(err));
			return -1;
		}
		if (!nadds && !program)
			return 0; /* the image as it is */
		struct pxfs_file f;
		for (uint32_t i = 0; i < fs->count; i++)
			if (pxfs_entry(fs, i, &f) == 0)
				add_input(in, &n, f.path, f.data, f.size, f.type);
	}
	for (int k = 0; k <= nadds; k++) {
		const char *file;
		static char fname[MAX_ADDS][512];
		if (k < nadds) {
			const char *eq = strchr(adds[k], '=');
			snprintf(fname[k], sizeof(fname[k]), "%.*s", (int)(eq - adds[k]), adds[k]);
			if (strlen(eq + 1) >= sizeof(paths[k])) {
				fprintf(stderr, "pxsim: --add %s: the path is too long\n", adds[k]);
				return -1;
			}
			memcpy(paths[k], eq + 1, strlen(eq + 1) + 1);
			file = fname[k];
		} else if (program) {
			const char *base = strrchr(program, '/') ? strrchr(program, '/') + 1 : program;
			size_t bl = strlen(base);
			int keep = bl > 3 && !strcmp(base + bl - 3, ".py"); /* a Python program keeps .py */
			snprintf(paths[k], sizeof(paths[k]), "/bin/%.*s", keep ? (int)bl : (int)strcspn(base, "."), base);
			size_t pl = strlen(paths[k]);
			if (pl >= start_size)
				return -1;
			memcpy(start, paths[k], pl + 1);
			file = program;
		} else {
			break;
		}
		const char *why = pxfs_check_path(paths[k]);
		if (why) {
			fprintf(stderr, "pxsim: %s: not a PixelFS path: %s\n", paths[k], why);
			return -1;
		}
		size_t size;
		uint8_t *data = read_file(file, &size);
		if (!data)
			return -1;
		add_input(in, &n, paths[k], data, (uint32_t)size,
		          size >= 4 && !memcmp(data, "PXE1", 4) ? PXFS_TYPE_PROGRAM : PXFS_TYPE_DATA);
	}
	if (!n) {
		memset(fs, 0, sizeof(*fs)); /* --resume alone: no files */
		return 0;
	}
	uint32_t hh = pxfs_layout(in, n, PXFS_DEFAULT_WIDTH);
	const char *why = "";
	uint8_t *img = hh ? calloc((size_t)PXFS_DEFAULT_WIDTH * hh, 4) : 0;
	if (!img || pxfs_build(in, n, PXFS_DEFAULT_WIDTH, hh, img, &why) ||
	    pxfs_mount(fs, img, PXFS_DEFAULT_WIDTH, hh, bad, report, 0)) {
		fprintf(stderr, "pxsim: cannot build the in-memory PixelFS: %s\n", why);
		return -1;
	}
	return 0;
}

/* parse_apply: --watch PID[:WHAT] or --imperfect PID:RATE[:LO:HI] into the
 * table pxhost_poll applies. Returns 0 or -1 after a message. */
static int parse_apply(const char *opt, const char *v)
{
	struct pxsim_apply a = { 0 };
	char *end;
	unsigned long long n[4] = { 0, 0, 0, 0 };
	int k = 0;
	if (pxsim_napply == PXSIM_APPLY_MAX) {
		fprintf(stderr, "pxsim: at most %d --watch and --imperfect\n", PXSIM_APPLY_MAX);
		return -1;
	}
	a.imperfect = !strcmp(opt, "--imperfect");
	errno = 0;
	n[k++] = strtoull(v, &end, 0);
	if (a.imperfect)
		while (!errno && *end == ':' && k < 4)
			n[k++] = strtoull(end + 1, &end, 0);
	if (errno || !n[0] || n[0] > 0xFFFFFFFFu || (a.imperfect && k != 2 && k != 4) || (*end && *end != ':') ||
	    (a.imperfect && *end)) {
		fprintf(stderr, "pxsim: %s wants %s\n", opt, a.imperfect ? "PID:RATE[:LO:HI]" : "PID[:WHAT]");
		return -1;
	}
	a.pid = (uint32_t)n[0];
	if (a.imperfect) {
		struct pxvm probe;
		memset(&probe, 0, sizeof(probe));
		if (n[1] > 0xFFFFFFFFu || n[2] > 0xFFFFFFFFu || n[3] > 0xFFFFFFFFu ||
		    pxvm_set_imperfect(&probe, (uint32_t)n[1], (uint32_t)n[2], (uint32_t)n[3])) {
			fprintf(stderr, "pxsim: --imperfect: RATE is 0..%u, LO < HI <= 0x10000\n", IMPERFECT_RATE_MAX);
			return -1;
		}
		a.rate = (uint32_t)n[1];
		a.lo = (uint32_t)n[2];
		a.hi = (uint32_t)n[3];
	} else if (!*end || !strcmp(end + 1, "all")) {
		a.flags = WATCH_ALL;
	} else {
		static const char *const names[] = { "pc", "writes", "code", "log" };
		for (const char *w = end + 1; *w;) {
			size_t len = strcspn(w, ",");
			int i = 0;
			while (i < 4 && (strlen(names[i]) != len || strncmp(w, names[i], len)))
				i++;
			if (i == 4) {
				fprintf(stderr, "pxsim: --watch: WHAT is all, or pc, writes, code, log joined by commas\n");
				return -1;
			}
			a.flags |= 1u << i; /* WATCH_PC, WATCH_WRITES, WATCH_CODE, WATCH_LOG */
			w += len + (w[len] == ',');
		}
	}
	pxsim_apply[pxsim_napply++] = a;
	return 0;
}

/* who: --who PID:ADDR at the end of the run, on stdout. */
static void who(const char *v)
{
	unsigned long long pid, addr;
	char *end;
	static char buf[WATCH_WHO_MAX * 200 + 200];
	pid = strtoull(v, &end, 0);
	addr = *end == ':' ? strtoull(end + 1, &end, 0) : PXVM_MEM_SIZE;
	struct proc *p = pid <= 0xFFFFFFFFu ? proc_find((uint32_t)pid) : 0;
	if (addr >= PXVM_MEM_SIZE || *end) {
		printf("who %s: PID:ADDR, ADDR below 0x10000\n", v);
	} else if (!p || p->state == PROC_ZOMBIE || !p->vm.mem) {
		printf("who %s: pid %llu is not alive (its log ended with it)\n", v, pid);
	} else if (!p->vm.watch) {
		printf("who %s: pid %llu is not watched (--watch %llu)\n", v, pid, pid);
	} else {
		uint32_t a = (uint32_t)addr & ~3u;
		unsigned n = watch_who(p->vm.watch, a, WATCH_WHO_MAX, buf, sizeof(buf));
		printf("who pid %u word 0x%04x = 0x%08x, at step %llu: %u write%s, newest first\n%s", p->pid, a,
		       p->vm.mem[a >> 2], (unsigned long long)p->vm.steps, n, n == 1 ? "" : "s", buf);
	}
}

/* Add console input from --type / --at / --input. Returns 0 or -1 after a message. */
static int add_input_option(const char *opt, const char *v)
{
	char *bytes = 0;
	size_t n = 0;
	uint64_t at = 0;
	if (!strcmp(opt, "--input")) {
		bytes = (char *)read_file(strcmp(v, "-") ? v : "/dev/stdin", &n);
		if (!bytes)
			return -1;
	} else {
		if (!strcmp(opt, "--at")) {
			char *end;
			errno = 0;
			at = strtoull(v, &end, 10);
			if (errno || end == v || *end != ':') {
				fprintf(stderr, "pxsim: --at wants MS:STRING\n");
				return -1;
			}
			v = end + 1;
		}
		if (pxsim_unescape(v, &bytes, &n)) {
			fprintf(stderr, "pxsim: %s: bad escape in \"%s\" (\\n \\r \\t \\e \\\\ \\xHH)\n", opt, v);
			return -1;
		}
	}
	int err = !strcmp(opt, "--at") ? pxsim_script_at(at, bytes, n) : pxsim_script_add(bytes, n);
	free(bytes);
	if (err)
		fprintf(stderr, "pxsim: out of memory for the input\n");
	return err;
}

int main(int argc, char **argv)
{
	const char *fs_path = 0, *png_path = 0, *format = "bgrx", *resume_path = 0, *snap_dir = 0;
	const char *adds[MAX_ADDS];
	int nadds = 0, boot = 0;
	uint64_t width = 1280, height = 800, stride = 0, max_steps = 1000000000ull, seed = 0;
	const char *whos[MAX_ADDS];
	int nwhos = 0;
	int screen = 1;
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		const char *o = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : 0;
		if (!strcmp(o, "--quiet")) { pxsim_quiet = 1; continue; }
		if (!strcmp(o, "--boot")) { boot = 1; continue; }
		if (!strcmp(o, "--realtime")) { pxsim_realtime = 1; continue; }
		if (!strcmp(o, "--interactive")) { pxsim_interactive = pxsim_realtime = 1; continue; }
		if (!strcmp(o, "--help")) { usage(); return 0; }
		if (!v) { fprintf(stderr, "pxsim: %s needs a value\n", o); return 2; }
		i++;
		if (!strcmp(o, "--snapshot-at")) {
			uint64_t at;
			if (i + 1 >= argc || parse_uint(v, &at) || nsnaps == MAX_SNAPS) {
				fprintf(stderr, "pxsim: --snapshot-at N FILE (at most %d)\n", MAX_SNAPS);
				return 2;
			}
			int k = nsnaps++;
			for (; k > 0 && snaps[k - 1].at > at; k--)
				snaps[k] = snaps[k - 1];
			snaps[k].at = at;
			snaps[k].path = argv[++i]; /* the loop's i++ steps past it */
			continue;
		}
		if (!strcmp(o, "--llm-script")) {
			if (pxsim_llm_script(v))
				return 2;
			continue;
		}
		if (!strcmp(o, "--fs")) fs_path = v;
		else if (!strcmp(o, "--resume")) resume_path = v;
		else if (!strcmp(o, "--snapshots")) snap_dir = v;
		else if (!strcmp(o, "--png")) png_path = v;
		else if (!strcmp(o, "--format")) format = v;
		else if (!strcmp(o, "--type") || !strcmp(o, "--input") || !strcmp(o, "--at")) {
			if (add_input_option(o, v))
				return 2;
		} else if (!strcmp(o, "--watch") || !strcmp(o, "--imperfect")) {
			if (parse_apply(o, v))
				return 2;
		} else if (!strcmp(o, "--who")) {
			if (nwhos == MAX_ADDS) { fprintf(stderr, "pxsim: at most %d --who\n", MAX_ADDS); return 2; }
			whos[nwhos++] = v;
		} else if (!strcmp(o, "--seed")) {
			if (parse_uint(v, &seed)) { fprintf(stderr, "pxsim: bad --seed\n"); return 2; }
		} else if (!strcmp(o, "--add")) {
			if (nadds == MAX_ADDS || !strchr(v, '=')) { fprintf(stderr, "pxsim: --add FILE=PATH (at most %d)\n", MAX_ADDS); return 2; }
			adds[nadds++] = v;
		} else if (!strcmp(o, "--screen") && !strcmp(v, "none")) {
			screen = 0;
		} else if (!strcmp(o, "--screen")) {
			screen = 1;
			if (sscanf(v, "%llux%llu", (unsigned long long *)&width, (unsigned long long *)&height) != 2 ||
			    width < 64 || height < 64 || width > 8192 || height > 8192) {
				fprintf(stderr, "pxsim: --screen wants WxH between 64 and 8192\n");
				return 2;
			}
		} else if (!strcmp(o, "--stride")) {
			if (parse_uint(v, &stride)) { fprintf(stderr, "pxsim: bad --stride\n"); return 2; }
		} else if (!strcmp(o, "--max-steps")) {
			if (parse_uint(v, &max_steps) || !max_steps) { fprintf(stderr, "pxsim: bad --max-steps\n"); return 2; }
		} else if (!strcmp(o, "--mips")) {
			if (parse_uint(v, &pxsim_steps_per_us) || !pxsim_steps_per_us || pxsim_steps_per_us > 100000) {
				fprintf(stderr, "pxsim: --mips wants 1..100000\n");
				return 2;
			}
		} else {
			fprintf(stderr, "pxsim: unknown option %s\n", o);
			usage();
			return 2;
		}
	}
	if (resume_path && (boot || i < argc)) {
		fprintf(stderr, "pxsim: --resume goes on from a snapshot: no PROGRAM or --boot with it\n");
		return 2;
	}
	if (!boot && !resume_path && i >= argc) {
		usage();
		return 2;
	}
	const char *program = boot || resume_path ? 0 : argv[i++];
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

	if (png_path && !screen) {
		fprintf(stderr, "pxsim: --png needs a screen (not --screen none)\n");
		return 2;
	}
	/* The screen: host memory described exactly like a GOP framebuffer. */
	uint32_t fmt, masks[4] = { 0x0000FF00u, 0x00FF0000u, 0xFF000000u, 0x000000FFu };
	if (!strcmp(format, "rgbx")) fmt = PXOS_PIXEL_RGBX8;
	else if (!strcmp(format, "bgrx")) fmt = PXOS_PIXEL_BGRX8;
	else if (!strcmp(format, "bitmask")) fmt = PXOS_PIXEL_BITMASK;
	else { fprintf(stderr, "pxsim: --format is rgbx, bgrx or bitmask\n"); return 2; }
	uint32_t *vram = screen ? calloc((size_t)stride * height, 4) : 0;
	struct fb fb;
	if (screen && (!vram || fb_init(&fb, vram, (uint32_t)width, (uint32_t)height, (uint32_t)stride, fmt, masks))) {
		fprintf(stderr, "pxsim: cannot set up a %llux%llu screen\n", (unsigned long long)width,
		        (unsigned long long)height);
		return 2;
	}
	pxsim_clock_start();
	if (screen && vram_init(&fb) != 0) {
		fprintf(stderr, "pxsim: screen too small for even one process slot\n");
		return 2;
	}

	/* The filesystem: an image, host files, or both. */
	static struct pxfs fs;
	char start_path[PXFS_PATH_MAX];
	snprintf(start_path, sizeof(start_path), "%s", boot ? "/boot/init" : program ? program : "");
	if (make_fs(&fs, fs_path, adds, nadds, fs_path || boot ? 0 : program, start_path, sizeof(start_path)))
		return 2;

	if (pxsim_interactive && pxsim_terminal_raw())
		fprintf(stderr, "pxsim: warning: cannot put the terminal in raw mode\n");
	pxsim_snapshot_setup(snap_dir, screen ? &fb : 0);
	int pid;
	if (resume_path) {
		uint32_t first;
		if (pxsim_resume(resume_path, &fs, screen ? vram_layout()->nslots : 0, &first))
			return 2;
		pid = (int)first;
	} else {
		tty_init();
		rng_seed(seed);
		sched_init(&fs, screen ? vram_layout()->nslots : 0);
		py_proc_init();
		pid = sched_spawn(start_path, args, 0);
		if (pid < 0) {
			fprintf(stderr, "pxsim: %s: %s\n", start_path, pxvm_error_text((uint32_t)-pid));
			return 2;
		}
		tty_set_foreground((uint32_t)pid);
	}
	pxsim_apply_poll();
	uint32_t alive = run(max_steps, screen ? &fb : 0);
	if (alive == (uint32_t)-1)
		return 2;
	int status;
	uint32_t st;
	if (alive) {
		int budget = sched_total_steps() >= max_steps;
		fprintf(stderr, "pxsim: stopped after %llu instructions with %u processes alive%s\n",
		        (unsigned long long)sched_total_steps(), alive,
		        budget ? " (--max-steps)" : ", blocked with nothing left to wake them");
		status = budget ? 124 : 125;
	} else if (sched_reaped_status((uint32_t)pid, &st) == 0) {
		status = (st & PXVM_STATUS_KILLED) ? 137
		       : (st & PXVM_STATUS_FAULTED) ? 128 + (int)(st & 0xFF) : (int)(st & 0xFF);
	} else {
		status = 0;
	}
	for (int k = 0; k < nwhos; k++)
		who(whos[k]);
	vram_refresh(pxhost_time_us(), true); /* the tables as they are at the end */
	if (png_path && write_png(png_path, &fb))
		status = 2;
	return status;
}
