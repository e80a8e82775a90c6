/*
 * main.c — `pxfs`, the PixelFS host tool: command dispatch and the helpers the
 * commands share (error messages, mounting a PNG file).
 *
 *   pxfs build OUT.png ROOTDIR [--width N]   pack a directory tree into an image
 *   pxfs list IMG                            geometry and one line per file
 *   pxfs verify IMG                          check the image and every file
 *   pxfs extract IMG DIR                     write every good file under DIR
 *   pxfs cat IMG PATH                        one file's bytes to stdout
 *   pxfs corrupt IMG OUT (--file PATH | --super | --dir) [--at N]
 *                                            testing aid: flip one byte
 *   pxfs snapshot SNAP.png [PATH]            a machine snapshot: what it holds,
 *                                            or one of its RAM files
 *
 * Errors go to stderr as `pxfs: <what>: <why>`; the exit status is 0 on success
 * and 1 on any error. docs/pixelfs.md describes the format and the tool.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pxvm/ascii.h"
#include "tools/pxfs/pxfs_tool.h"

static const char usage_text[] =
	"usage: pxfs build OUT.png ROOTDIR [--width N]\n"
	"       pxfs list IMG\n"
	"       pxfs verify IMG\n"
	"       pxfs extract IMG DIR\n"
	"       pxfs cat IMG PATH\n"
	"       pxfs corrupt IMG OUT (--file PATH | --super | --dir) [--at N]\n"
	"       pxfs snapshot SNAP.png [PATH]\n"
	"\n"
	"build    pack every regular file under ROOTDIR into a PixelFS image (an RGBA8\n"
	"         PNG, N pixels wide, default 256): ROOTDIR/a/b becomes /a/b; *.pxe files\n"
	"         and files starting with the PXE1 magic are programs (stored without\n"
	"         .pxe); *.txt, *.md, *.cfg are text; the rest data. Sorted by path.\n"
	"list     print the image geometry and id, type, size, CRC-32, row, path of\n"
	"         every file\n"
	"verify   check the superblock, directory and every file; exit 0 only if all\n"
	"         are good\n"
	"extract  write every good file to DIR/PATH (programs as DIR/PATH.pxe, so that\n"
	"         `pxfs build` of DIR gives the same image); existing files are not\n"
	"         overwritten\n"
	"cat      write the bytes of file PATH to stdout\n"
	"corrupt  (testing aid) write a copy of IMG to OUT with one byte inverted: in\n"
	"         file PATH's data (default: its middle byte), in the superblock\n"
	"         (default: byte 16, file_count) or in the directory (default: byte 0);\n"
	"         --at N picks the byte offset inside that region\n"
	"snapshot a machine snapshot (docs/snapshots.md): its format, build id,\n"
	"         clock, sections, processes and RAM files; with PATH, that RAM\n"
	"         file's bytes to stdout\n";

void tool_error(const char *what, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pxfs: %s: ", what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int tool_parse_u32(const char *s, uint32_t *out)
{
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

struct mount_ctx {
	struct tool_fs *m;
	const char *image;
	const char **reasons;
	uint32_t n;
	int loud;
};

static void on_bad_file(void *ctx, const char *path, const char *why)
{
	struct mount_ctx *c = ctx;

	if (c->n < PXFS_MAX_FILES)
		c->reasons[c->n++] = why;
	if (c->loud)
		fprintf(stderr, "pxfs: %s: %s: %s\n", c->image, path, why);
}

int tool_mount(const char *path, struct tool_fs *m, int loud)
{
	const char *reasons[PXFS_MAX_FILES];
	struct mount_ctx ctx = { m, path, reasons, 0, loud };

	memset(m, 0, sizeof *m);
	if (png_load(path, &m->img) != 0)
		return -1;
	int rc = pxfs_mount(&m->fs, m->img.pixels, m->img.width, m->img.height, m->bad,
	                    on_bad_file, &ctx);
	if (rc != 0) {
		tool_error(path, "%s", pxfs_strerror(rc));
		png_free(&m->img);
		return -1;
	}
	/* pxfs_mount reports the bad entries once each, in directory order. */
	for (uint32_t i = 0, k = 0; i < m->fs.count; i++)
		m->why[i] = m->bad[i] ? (k < ctx.n ? reasons[k++] : "rejected") : NULL;
	m->nbad = m->fs.count - m->fs.good;
	return 0;
}

void tool_unmount(struct tool_fs *m)
{
	png_free(&m->img);
}

const char *tool_entry_path(const struct tool_fs *m, uint32_t i, char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)m->fs.dir + (size_t)i * 128u;

	if (!len)
		return buf;
	buf[ascii_sanitise(buf, p, len - 1 < PXFS_PATH_MAX ? len - 1 : PXFS_PATH_MAX, '?')] = 0;
	return buf;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int, char **);
	} cmds[] = {
		{ "build", cmd_build },     { "list", cmd_list }, { "verify", cmd_verify },
		{ "extract", cmd_extract }, { "cat", cmd_cat },   { "corrupt", cmd_corrupt },
		{ "snapshot", cmd_snapshot },
	};

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	                  !strcmp(argv[1], "help"))) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc < 2) {
		fputs(usage_text, stderr);
		return 1;
	}
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].run(argc - 1, argv + 1);
	tool_error(argv[1], "unknown command (try `pxfs --help`)");
	return 1;
}
