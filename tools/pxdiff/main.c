/*
 * main.c — the pxdiff command line (docs/pxdiff.md): load two pictures of a
 * pxOS machine (input.c), compare them (diff.c), report, mark.
 *
 *   pxdiff [options] A B
 *
 * Exit status: 0 no difference; 1 differences; 2 bad usage, or a picture
 * that cannot be read or used, or an image that cannot be written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/pxdiff/pxdiff.h"
#include <stb/stb_image_write.h> /* implementation in tools/common/hostio.c */

static void usage(FILE *f)
{
	fputs("usage: pxdiff [options] A B\n"
	      "  A, B            two pictures of a pxOS machine: screendumps (PNG, or the PPM of QEMU's\n"
	      "                  screendump) with the row-0 layout record\n"
	      "options:\n"
	      "  -o OUT.png      write B's screen with the changes marked: memory words red,\n"
	      "                  canvas pixels yellow, other pixels blue, changed slots framed\n"
	      "  --words N       list at most N changed words per process (default 64)\n"
	      "  --all           list every changed word\n"
	      "  -q, --quiet     only which processes changed and the summary\n"
	      "  -h, --help      this text\n"
	      "exit status: 0 the same, 1 different, 2 trouble\n",
	      f);
}

int main(int argc, char **argv)
{
	const char *out = 0, *files[2];
	int nfiles = 0;
	struct pxdiff_options opt = { 64, false };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			opt.quiet = true;
		} else if (!strcmp(a, "--all")) {
			opt.max_words = 0;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--words")) {
			if (++i == argc) {
				fprintf(stderr, "pxdiff: %s needs a value\n", a);
				return 2;
			}
			if (!strcmp(a, "-o")) {
				out = argv[i];
				continue;
			}
			char *end;
			errno = 0;
			unsigned long n = strtoul(argv[i], &end, 10);
			if (errno || *end || !*argv[i] || !n || n > PXVM_MEM_WORDS) {
				fprintf(stderr, "pxdiff: --words wants 1..%u\n", PXVM_MEM_WORDS);
				return 2;
			}
			opt.max_words = (uint32_t)n;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "pxdiff: unknown option %s\n", a);
			usage(stderr);
			return 2;
		} else if (nfiles == 2) {
			fprintf(stderr, "pxdiff: more than two pictures\n");
			usage(stderr);
			return 2;
		} else {
			files[nfiles++] = a;
		}
	}
	if (nfiles != 2) {
		usage(stderr);
		return 2;
	}
	static struct pxdiff_machine m[2];
	char err[512];
	for (int k = 0; k < 2; k++)
		if (pxdiff_load(files[k], &m[k], err, sizeof(err)) != 0) {
			fprintf(stderr, "pxdiff: %s\n", err);
			return 2;
		}
	struct pxdiff_result r;
	if (pxdiff_compare(&m[0], &m[1], &r) != 0) {
		fprintf(stderr, "pxdiff: out of memory\n");
		return 2;
	}
	pxdiff_report(stdout, files[0], files[1], &m[0], &m[1], &r, &opt);
	int status = r.changed || r.screen_px ? 1 : 0;
	if (out) {
		uint8_t *rgb;
		uint32_t w, h;
		if (pxdiff_mark(&m[0], &m[1], &r, &rgb, &w, &h) != 0) {
			fprintf(stderr, "pxdiff: %s: no screen to mark the changes on\n", out);
			status = 2;
		} else {
			if (!stbi_write_png(out, (int)w, (int)h, 3, rgb, (int)w * 3)) {
				fprintf(stderr, "pxdiff: %s: cannot write the PNG\n", out);
				status = 2;
			}
			free(rgb);
		}
	}
	pxdiff_result_free(&r);
	pxdiff_free(&m[0]);
	pxdiff_free(&m[1]);
	return status;
}
