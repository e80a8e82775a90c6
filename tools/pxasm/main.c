/*
 * main.c — pxasm, the pxVM assembler: command-line front end of the library in
 * pxasm.h (docs/pxasm.md).
 *
 *   pxasm [-o out.pxe] [-l listing.lst] [-I dir]... [--raw] input.pxs
 *   pxasm --opcodes
 *
 * Exit status: 0 assembled, 1 errors in the source or a file could not be
 * read or written, 2 bad command line. On error no output file is written and
 * an existing one is left as it was: outputs are written to temporary files
 * that are renamed into place only when all of them were written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/pxasm/pxasm.h"

static void usage(FILE *f)
{
	fputs("usage: pxasm [-o out.pxe] [-l listing.lst] [-I dir]... [--raw] input.pxs\n"
	      "       pxasm --opcodes\n"
	      "  -o FILE    output file (default: the input name with .pxe, or .bin with --raw)\n"
	      "  -l FILE    write a listing (addresses, code, source) and the symbol table\n"
	      "  -I DIR     search DIR for .include files after the including file's directory\n"
	      "  --raw      write the image bytes only, without the 16-byte .pxe header\n"
	      "  --opcodes  print the instruction set and exit\n", f);
}

/* The input name with its extension replaced by `ext`. */
static char *default_output(const char *in, const char *ext)
{
	const char *slash = strrchr(in, '/');
	const char *dot = strrchr(slash ? slash + 1 : in, '.');
	size_t stem = dot && dot != (slash ? slash + 1 : in) ? (size_t)(dot - in) : strlen(in);
	char *out = malloc(stem + strlen(ext) + 1);
	if (!out) {
		fputs("pxasm: out of memory\n", stderr);
		exit(1);
	}
	memcpy(out, in, stem);
	strcpy(out + stem, ext);
	return out;
}

typedef int (*writer_fn)(FILE *f, const struct pxasm_result *res, int raw);

/* Write a temporary file next to `path` with `fn`; returns its malloc'd name,
 * or NULL with *err set (and nothing left behind). */
static char *write_tmp(const char *path, writer_fn fn, const struct pxasm_result *res, int raw, int *err)
{
	size_t n = strlen(path) + 32;
	char *tmp = malloc(n);
	if (!tmp) {
		*err = ENOMEM;
		return NULL;
	}
	snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "wb");
	*err = 0;
	if (!f) {
		*err = errno;
	} else {
		if (fn(f, res, raw) != 0 || ferror(f))
			*err = errno ? errno : EIO;
		if (fclose(f) != 0 && !*err)
			*err = errno ? errno : EIO;
		if (*err)
			remove(tmp);
	}
	if (*err) {
		free(tmp);
		return NULL;
	}
	return tmp;
}

static int write_image(FILE *f, const struct pxasm_result *res, int raw)
{
	uint8_t hdr[16];
	errno = 0;
	if (!raw) {
		pxasm_pxe_header(res, hdr);
		if (fwrite(hdr, 1, sizeof hdr, f) != sizeof hdr)
			return -1;
	}
	if (res->image_size && fwrite(res->image, 1, res->image_size, f) != res->image_size)
		return -1;
	return 0;
}

static int write_list(FILE *f, const struct pxasm_result *res, int raw)
{
	(void)raw;
	errno = 0;
	return pxasm_write_listing(f, res);
}

/* The program, with `dirs` (room for argc -I directories) owned by main. */
static int pxasm_main(int argc, char **argv, const char **dirs)
{
	const char *out = NULL, *list = NULL, *in = NULL;
	size_t ndirs = 0;
	int raw = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--opcodes")) {
			pxasm_print_opcodes(stdout);
			return 0;
		} else if (!strcmp(a, "--raw")) {
			raw = 1;
		} else if (!strcmp(a, "-o") || !strcmp(a, "-l") || !strcmp(a, "-I")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "pxasm: %s needs an argument\n", a);
				usage(stderr);
				return 2;
			}
			const char *v = argv[++i];
			if (a[1] == 'o')
				out = v;
			else if (a[1] == 'l')
				list = v;
			else
				dirs[ndirs++] = v;
		} else if (!strncmp(a, "-I", 2)) {
			dirs[ndirs++] = a + 2;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "pxasm: unknown option '%s'\n", a);
			usage(stderr);
			return 2;
		} else if (in) {
			fprintf(stderr, "pxasm: more than one input file ('%s' and '%s')\n", in, a);
			return 2;
		} else {
			in = a;
		}
	}
	if (!in) {
		fputs("pxasm: no input file\n", stderr);
		usage(stderr);
		return 2;
	}
	char *def = out ? NULL : default_output(in, raw ? ".bin" : ".pxe");
	if (!out)
		out = def;
	if (!strcmp(out, in) || (list && (!strcmp(list, in) || !strcmp(list, out)))) {
		fprintf(stderr, "pxasm: the input, output and listing files must differ\n");
		free(def);
		return 2;
	}

	char *text = NULL;
	size_t len = 0;
	int rc = pxasm_read_file(NULL, in, &text, &len);
	if (rc) {
		fprintf(stderr, "pxasm: cannot read '%s': %s\n", in, pxasm_strerror(rc));
		free(def);
		return 1;
	}
	struct pxasm_options opt = { .include_dirs = dirs, .n_include_dirs = ndirs };
	struct pxasm_result res;
	int status = 0;
	if (pxasm_assemble(in, text, len, &opt, &res) != 0) {
		pxasm_print_diags(stderr, &res);
		fprintf(stderr, "pxasm: %zu error%s; no output written\n", res.nerrors, res.nerrors == 1 ? "" : "s");
		status = 1;
	} else {
		pxasm_print_diags(stderr, &res);
		int err = 0;
		char *tmp_out = write_tmp(out, write_image, &res, raw, &err);
		const char *failed = err ? out : NULL;
		char *tmp_list = NULL;
		if (!err && list && !(tmp_list = write_tmp(list, write_list, &res, raw, &err)))
			failed = list;
		if (!err && rename(tmp_out, out) != 0)
			err = errno, failed = out;
		if (!err && tmp_list && rename(tmp_list, list) != 0)
			err = errno, failed = list;
		if (err) {
			fprintf(stderr, "pxasm: cannot write '%s': %s\n", failed, strerror(err));
			if (tmp_out)
				remove(tmp_out);
			if (tmp_list)
				remove(tmp_list);
			status = 1;
		}
		free(tmp_out);
		free(tmp_list);
	}
	pxasm_result_free(&res);
	free(text);
	free(def);
	return status;
}

int main(int argc, char **argv)
{
	const char **dirs = calloc((size_t)argc + 1, sizeof *dirs);
	if (!dirs) {
		fputs("pxasm: out of memory\n", stderr);
		return 1;
	}
	int status = pxasm_main(argc, argv, dirs);
	free(dirs);
	return status;
}
