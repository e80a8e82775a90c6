/*
 * main.c — the pxdis command line (docs/pxdis.md): pick the input, load it
 * (load.c), disassemble it (dis.c), write the source.
 *
 * Exit status: 0 written; 1 the input could not be read or used, or the
 * output could not be written; 2 bad command line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pxvm/abi.h"
#include "tools/common/hostio.h"
#include "tools/pxdis/pxdis.h"

static void usage(FILE *f)
{
	fputs("usage: pxdis [options] FILE.pxe            a pxVM executable\n"
	      "       pxdis [options] --raw FILE           raw bytes (--base, --entry)\n"
	      "       pxdis [options] --fs IMG.png PATH    a file in a PixelFS image (.pxe, or --raw)\n"
	      "       pxdis [options] --slot N SHOT.png    process slot N of a pxOS screendump\n"
	      "       pxdis [options] --tile X,Y SHOT.png  the 128x128 tile at pixel (X,Y)\n"
	      "       pxdis [options] --pid N SNAP.png     process N's memory in a snapshot (exact)\n"
	      "options:\n"
	      "  -o FILE          write the source to FILE (default: standard output)\n"
	      "  --base ADDR      --raw: the address of the first byte (default 0x0200)\n"
	      "  --entry ADDR     --raw: where code starts (default: the base)\n"
	      "  --from ADDR      screendump: first address (default 0x0200)\n"
	      "  --to ADDR        screendump: end address (default: after the last nonzero word below 0xF000)\n"
	      "  --no-labels      numeric jump targets and addresses\n"
	      "  --no-addresses   no address/word comment on each line\n"
	      "  --no-strings     data as words and bytes, no .string\n"
	      "  -h, --help       this text\n",
	      f);
}

static int bad_usage(const char *fmt, const char *arg)
{
	fputs("pxdis: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	usage(stderr);
	return 2;
}

/* Decimal or 0x-hex, whole string, at most 0x10000. */
static int parse_addr(const char *s, uint32_t *out)
{
	char *end;
	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	unsigned long v = strtoul(s, &end, 0);
	if (errno || *end || v > PXVM_MEM_SIZE)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int main(int argc, char **argv)
{
	const char *out = NULL, *input = NULL, *fs_img = NULL, *tile = NULL, *slot = NULL, *pid = NULL;
	uint32_t base = PXVM_IMAGE_BASE, entry = 0, from = PXVM_IMAGE_BASE, to = 0;
	int raw = 0, have_entry = 0, have_base = 0, have_range = 0;
	struct pxdis_options opt = { 0 };

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--raw")) {
			raw = 1;
		} else if (!strcmp(a, "--no-labels")) {
			opt.no_labels = true;
		} else if (!strcmp(a, "--no-addresses")) {
			opt.no_addresses = true;
		} else if (!strcmp(a, "--no-strings")) {
			opt.no_strings = true;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--base") || !strcmp(a, "--entry") || !strcmp(a, "--fs") ||
			   !strcmp(a, "--tile") || !strcmp(a, "--slot") || !strcmp(a, "--from") || !strcmp(a, "--to") ||
			   !strcmp(a, "--pid")) {
			if (i + 1 >= argc)
				return bad_usage("%s needs an argument", a);
			const char *v = argv[++i];
			if (!strcmp(a, "-o")) {
				out = v;
			} else if (!strcmp(a, "--fs")) {
				fs_img = v;
			} else if (!strcmp(a, "--tile")) {
				tile = v;
			} else if (!strcmp(a, "--slot")) {
				slot = v;
			} else if (!strcmp(a, "--pid")) {
				pid = v;
			} else {
				uint32_t *dst = !strcmp(a, "--base") ? &base : !strcmp(a, "--entry") ? &entry
									 : !strcmp(a, "--from") ? &from : &to;
				if (parse_addr(v, dst) != 0)
					return bad_usage("bad address '%s' (decimal or 0x-hex, 0..0x10000)", v);
				have_base |= !strcmp(a, "--base");
				have_entry |= !strcmp(a, "--entry");
				have_range |= !strcmp(a, "--from") || !strcmp(a, "--to");
			}
		} else if (a[0] == '-' && a[1]) {
			return bad_usage("unknown option '%s'", a);
		} else if (input) {
			return bad_usage("more than one input ('%s')", a);
		} else {
			input = a;
		}
	}
	if (!input)
		return bad_usage("%s", "no input file");
	if (!!fs_img + !!tile + !!slot + !!pid > 1)
		return bad_usage("%s", "--fs, --tile, --slot and --pid exclude each other");
	if ((tile || slot || pid) && (raw || have_base || have_entry))
		return bad_usage("%s", "--raw, --base and --entry do not apply to a screendump or snapshot (use --from/--to)");
	if (!(tile || slot || pid) && have_range)
		return bad_usage("%s", "--from and --to apply to a screendump or snapshot (--tile, --slot, --pid)");
	if (!raw && (have_base || have_entry))
		return bad_usage("%s", "--base and --entry need --raw (a .pxe has its own)");
	if (!have_entry)
		entry = base;

	char err[512], title[1024];
	struct pxdis_image img;
	int rc;
	bool screendump = tile || slot;
	if (pid) {
		uint32_t n, pc;
		char name[64];
		if (parse_addr(pid, &n) != 0)
			return bad_usage("bad pid '%s'", pid);
		rc = pxdis_from_snapshot(input, n, from, to, &img, &pc, name, sizeof name, err, sizeof err);
		if (rc == 0)
			snprintf(title, sizeof title, "%s: pid %u (%s), pc 0x%04X", input, (unsigned)n, name, (unsigned)pc);
	} else if (screendump) {
		struct pxdis_shot shot;
		uint32_t x = 0, y = 0;
		if (pxdis_shot_load(input, &shot, err, sizeof err) != 0) {
			fprintf(stderr, "pxdis: %s\n", err);
			return 1;
		}
		rc = 0;
		if (tile) {
			char *e1, *e2 = NULL;
			unsigned long tx = strtoul(tile, &e1, 0), ty = *e1 == ',' ? strtoul(e1 + 1, &e2, 0) : 0;
			if (*e1 != ',' || *e2 || e1 == tile || e2 == e1 + 1 || tx > 65535 || ty > 65535) {
				pxdis_shot_free(&shot);
				return bad_usage("--tile wants X,Y (the tile's top-left pixel), got '%s'", tile);
			}
			x = (uint32_t)tx, y = (uint32_t)ty;
			snprintf(title, sizeof title, "%s: the tile at (%u,%u)", input, (unsigned)x, (unsigned)y);
		} else {
			uint32_t n;
			if (parse_addr(slot, &n) != 0) {
				pxdis_shot_free(&shot);
				return bad_usage("bad slot number '%s'", slot);
			}
			rc = pxdis_shot_slot(&shot, n, &x, &y, err, sizeof err);
			snprintf(title, sizeof title, "%s: slot %u, the tile at (%u,%u)", input, (unsigned)n,
				 (unsigned)x, (unsigned)y);
		}
		if (rc == 0)
			rc = pxdis_from_tile(&shot, x, y, from, to, &img, err, sizeof err);
		pxdis_shot_free(&shot);
	} else {
		uint8_t *data;
		size_t len;
		if (fs_img) {
			rc = pxdis_fs_file(fs_img, input, &data, &len, err, sizeof err);
			snprintf(title, sizeof title, "%s in %s", input, fs_img);
		} else {
			int e = hostio_read_file(input, &data, &len);
			if (e)
				snprintf(err, sizeof err, "cannot read '%s': %s", input, strerror(e));
			rc = e ? -1 : 0;
			snprintf(title, sizeof title, "%s", input);
		}
		if (rc == 0) {
			rc = raw ? pxdis_from_raw(data, len, base, entry, &img, err, sizeof err)
				 : pxdis_from_pxe(data, len, &img, err, sizeof err);
			if (rc != 0 && !raw) {
				fprintf(stderr, "pxdis: %s: %s (--raw shows the bytes as they are)\n", title, err);
				free(data);
				return 1;
			}
			free(data);
		}
	}
	if (rc != 0) {
		fprintf(stderr, "pxdis: %s\n", err);
		return 1;
	}
	if (raw && (img.size & 3u))
		fprintf(stderr, "pxdis: warning: %s: %zu bytes, not a multiple of 4: pxasm pads its output "
			"with zero bytes to a whole word\n", title, img.size);

	FILE *f = stdout;
	if (out && !(f = fopen(out, "w"))) {
		fprintf(stderr, "pxdis: cannot write '%s': %s\n", out, strerror(errno));
		pxdis_image_free(&img);
		return 1;
	}
	opt.title = title;
	struct pxdis_stats st;
	rc = pxdis_write(f, &img, &opt, &st);
	if (out && fclose(f) != 0)
		rc = -1;
	else if (!out && fflush(f) != 0)
		rc = -1;
	pxdis_image_free(&img);
	if (rc != 0) {
		fprintf(stderr, "pxdis: cannot write '%s'\n", out ? out : "standard output");
		return 1;
	}
	if (screendump)
		fprintf(stderr, "pxdis: warning: %s: a screendump keeps only R, G and B: bits 24..31 of every word "
			"are lost and read as 0; %zu line%s depend on them and are marked with ?? (data words, "
			"16-bit immediates, IMM32 values); instructions that leave those bits zero are exact\n",
			input, st.ambiguous, st.ambiguous == 1 ? "" : "s");
	return 0;
}
