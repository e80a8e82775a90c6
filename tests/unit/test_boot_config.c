/*
 * test_boot_config.c — the loader's boot.cfg parser (boot/config.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>

#include "boot/config.h"

/* Warnings collected from the parser. */
static char warnings[8][200];
static unsigned nwarn;

static void collect(void *ctx, const char *msg)
{
	(void)ctx;
	if (nwarn < 8)
		snprintf(warnings[nwarn], sizeof(warnings[0]), "%s", msg);
	nwarn++;
}

static struct boot_config cfg;

static unsigned parse(const char *text)
{
	nwarn = 0;
	config_defaults(&cfg);
	unsigned n = config_parse(text, strlen(text), &cfg, collect, NULL);
	assert_int_equal(n, nwarn);
	return n;
}

static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(parse(""), 0);
	assert_int_equal(cfg.video_width, 0);
	assert_int_equal(cfg.video_height, 0);
	assert_string_equal(cfg.kernel, "");
	assert_string_equal(cfg.ramdisk, "");
	assert_string_equal(cfg.resume, "");
	assert_string_equal(cfg.cmdline, "");
	assert_int_equal(parse("# only a comment\n\n   \t\n  # indented comment\n"), 0);
	assert_int_equal(cfg.video_width, 0);
}

static void test_all_keys(void **state)
{
	(void)state;
	assert_int_equal(parse("video = 1024x768\n"
			       "kernel=\\pxos\\k2.elf\n"
			       "  ramdisk   =   /pxos/fs/test.png  \n"
			       "resume = /pxos/snap.png\n"
			       "cmdline = debugexit loglevel=debug\n"), 0);
	assert_string_equal(cfg.resume, "\\pxos\\snap.png");
	assert_int_equal(cfg.video_width, 1024);
	assert_int_equal(cfg.video_height, 768);
	assert_string_equal(cfg.kernel, "\\pxos\\k2.elf");
	assert_string_equal(cfg.ramdisk, "\\pxos\\fs\\test.png");
	assert_string_equal(cfg.cmdline, "debugexit loglevel=debug");
}

/* resume = names a snapshot; an empty value clears it (boot normally). */
static void test_resume(void **state)
{
	(void)state;
	assert_int_equal(parse("resume = snaps/m.png\n"), 0);
	assert_string_equal(cfg.resume, "\\snaps\\m.png");
	assert_int_equal(parse("resume = \\pxos\\a.png\nresume =\n"), 0);
	assert_string_equal(cfg.resume, "");
	assert_int_equal(parse("resume = \\pxos\\\xc3\xa9.png\n"), 1);
	assert_string_equal(cfg.resume, "");
}

static void test_line_ends_and_bom(void **state)
{
	(void)state;
	assert_int_equal(parse("\xEF\xBB\xBFvideo = 800X600\r\ncmdline = a=b\r\n"), 0);
	assert_int_equal(cfg.video_width, 800);
	assert_int_equal(cfg.video_height, 600);
	assert_string_equal(cfg.cmdline, "a=b");
	/* no newline at the end of the file */
	assert_int_equal(parse("kernel = k.elf"), 0);
	assert_string_equal(cfg.kernel, "\\k.elf");
}

static void test_quotes_and_override(void **state)
{
	(void)state;
	assert_int_equal(parse("cmdline = \"  spaced  \"\ncmdline = first\ncmdline = second\n"), 0);
	assert_string_equal(cfg.cmdline, "second");
	assert_int_equal(parse("cmdline = \"  spaced  \"\n"), 0);
	assert_string_equal(cfg.cmdline, "  spaced  ");
	assert_int_equal(parse("cmdline = x\ncmdline =\n"), 0); /* empty clears it */
	assert_string_equal(cfg.cmdline, "");
}

static void test_malformed_lines(void **state)
{
	(void)state;
	assert_int_equal(parse("video = 1024x768\nthis line has no equals\n= 5\nkey with space = 1\nvidoe = 1\n"), 4);
	assert_string_equal(warnings[0], "line 2: expected \"key = value\", found \"this line has no equals\" (ignored)");
	assert_string_equal(warnings[1], "line 3: expected \"key = value\", found \"= 5\" (ignored)");
	assert_string_equal(warnings[2], "line 4: expected \"key = value\", found \"key with space = 1\" (ignored)");
	assert_string_equal(warnings[3], "line 5: unknown key \"vidoe\" (ignored; known keys: video, kernel, ramdisk, resume, cmdline)");
	assert_int_equal(cfg.video_width, 1024); /* good lines still apply */

	/* a NUL byte inside a line */
	nwarn = 0;
	config_defaults(&cfg);
	const char text[] = "video = 640x480\nkernel = a\0b\n";
	assert_int_equal(config_parse(text, sizeof(text) - 1, &cfg, collect, NULL), 1);
	assert_string_equal(warnings[0], "line 2: contains a NUL byte (ignored)");
	assert_string_equal(cfg.kernel, "");
	assert_int_equal(cfg.video_width, 640);

	/* a NULL callback is allowed */
	config_defaults(&cfg);
	assert_int_equal(config_parse("bad\n", 4, &cfg, NULL, NULL), 1);
}

static void test_bad_video(void **state)
{
	(void)state;
	const char *bad[] = { "1024", "1024x", "x768", "axb", "0x768", "1024x0", "65536x10",
			      "1024x768x2", "-1x5", "1024 x 768", "123456x1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char line[64], want[160];
		snprintf(line, sizeof(line), "video = 800x600\nvideo = %s\n", bad[i]);
		assert_int_equal(parse(line), 1);
		snprintf(want, sizeof(want), "line 2: video \"%s\" is not WIDTHxHEIGHT, e.g. 1024x768 (ignored)", bad[i]);
		assert_string_equal(warnings[0], want);
		assert_int_equal(cfg.video_width, 800); /* the earlier good value stays */
		assert_int_equal(cfg.video_height, 600);
	}
	assert_int_equal(parse("video =\n"), 1);
	assert_string_equal(warnings[0], "line 1: video has no value (ignored)");
	assert_int_equal(parse("video = 65535x1\n"), 0);
	assert_int_equal(cfg.video_width, 65535);
}

static void test_bad_paths(void **state)
{
	(void)state;
	char text[400];
	memset(text, 0, sizeof(text));
	strcpy(text, "kernel = \\");
	memset(text + strlen(text), 'a', CONFIG_PATH_MAX); /* one byte too many */
	strcat(text, "\n");
	assert_int_equal(parse(text), 1);
	assert_string_equal(warnings[0], "line 1: kernel path is 129 bytes, longer than the 127 allowed (ignored)");
	assert_string_equal(cfg.kernel, "");

	/* exactly the longest path: 127 bytes */
	memset(text, 0, sizeof(text));
	strcpy(text, "kernel = \\");
	memset(text + strlen(text), 'b', CONFIG_PATH_MAX - 2);
	assert_int_equal(parse(text), 0);
	assert_int_equal(strlen(cfg.kernel), CONFIG_PATH_MAX - 1);

	/* relative path: 126 bytes + the added backslash */
	memset(text, 0, sizeof(text));
	strcpy(text, "ramdisk = ");
	memset(text + strlen(text), 'c', CONFIG_PATH_MAX - 2);
	assert_int_equal(parse(text), 0);
	assert_int_equal(strlen(cfg.ramdisk), CONFIG_PATH_MAX - 1);
	assert_int_equal(cfg.ramdisk[0], '\\');

	assert_int_equal(parse("ramdisk = \\pxos\\\xc3\xa9.png\n"), 1);
	assert_string_equal(warnings[0], "line 1: ramdisk path has a byte (0xc3) outside printable ASCII (ignored)");
	assert_int_equal(parse("kernel = \t\n"), 1);
	assert_string_equal(warnings[0], "line 1: kernel has no value (ignored)");
}

static void test_bad_cmdline(void **state)
{
	(void)state;
	char text[600];
	strcpy(text, "cmdline = ");
	size_t at = strlen(text);
	memset(text + at, 'x', PXOS_CMDLINE_MAX - 1);
	text[at + PXOS_CMDLINE_MAX - 1] = '\0';
	assert_int_equal(parse(text), 0);
	assert_int_equal(strlen(cfg.cmdline), PXOS_CMDLINE_MAX - 1);

	text[at + PXOS_CMDLINE_MAX - 1] = 'y';
	text[at + PXOS_CMDLINE_MAX] = '\0';
	assert_int_equal(parse(text), 1);
	assert_string_equal(warnings[0], "line 1: cmdline is 256 bytes, longer than the 255 allowed (ignored)");
	assert_string_equal(cfg.cmdline, "");

	assert_int_equal(parse("cmdline = a\x01" "b\n"), 1);
	assert_string_equal(warnings[0], "line 1: cmdline has a byte (0x01) outside printable ASCII (ignored)");
}

static void test_long_bad_line_is_quoted_short(void **state)
{
	(void)state;
	char text[300];
	memset(text, 'z', 200);
	text[200] = '\0';
	assert_int_equal(parse(text), 1);
	/* quoted to 40 bytes */
	assert_string_equal(warnings[0], "line 1: expected \"key = value\", found \"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\" (ignored)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all_keys),
		cmocka_unit_test(test_resume),
		cmocka_unit_test(test_line_ends_and_bom),
		cmocka_unit_test(test_quotes_and_override),
		cmocka_unit_test(test_malformed_lines),
		cmocka_unit_test(test_bad_video),
		cmocka_unit_test(test_bad_paths),
		cmocka_unit_test(test_bad_cmdline),
		cmocka_unit_test(test_long_bad_line_is_quoted_short),
	};
	return cmocka_run_group_tests_name("boot/config", tests, NULL, NULL);
}
