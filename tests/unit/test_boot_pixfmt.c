/*
 * test_boot_pixfmt.c — GOP pixel-format classification (boot/pixfmt.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "boot/pixfmt.h"
#include "boot/bootinfo.h"

static char why[128];
static struct pixfmt_masks out;

static int check(uint32_t format, uint32_t r, uint32_t g, uint32_t b, uint32_t x)
{
	struct pixfmt_masks in = { r, g, b, x };
	why[0] = '\0';
	memset(&out, 0, sizeof(out));
	return pixfmt_check(format, &in, &out, why, sizeof(why));
}

static void test_fixed_formats(void **state)
{
	(void)state;
	/* masks passed in are ignored for RGB/BGR: the equivalents come out */
	assert_int_equal(check(PIXFMT_UEFI_BGRX8, 1, 2, 3, 4), 0);
	assert_true(out.red == 0x00FF0000u && out.green == 0x0000FF00u &&
		    out.blue == 0x000000FFu && out.reserved == 0xFF000000u);
	assert_int_equal(check(PIXFMT_UEFI_RGBX8, 0, 0, 0, 0), 0);
	assert_true(out.red == 0x000000FFu && out.green == 0x0000FF00u &&
		    out.blue == 0x00FF0000u && out.reserved == 0xFF000000u);
	/* the UEFI numbers are the boot-info numbers */
	assert_int_equal(PIXFMT_UEFI_RGBX8, PXOS_PIXEL_RGBX8);
	assert_int_equal(PIXFMT_UEFI_BGRX8, PXOS_PIXEL_BGRX8);
	assert_int_equal(PIXFMT_UEFI_BITMASK, PXOS_PIXEL_BITMASK);
}

static void test_blt_only_and_unknown(void **state)
{
	(void)state;
	assert_int_equal(check(PIXFMT_UEFI_BLT_ONLY, 0, 0, 0, 0), -1);
	assert_string_equal(why, "BltOnly");
	assert_int_equal(check(7, 0, 0, 0, 0), -1);
	assert_string_equal(why, "unknown pixel format 7");
	assert_string_equal(pixfmt_name(PIXFMT_UEFI_BLT_ONLY), "BltOnly");
	assert_string_equal(pixfmt_name(PIXFMT_UEFI_BGRX8), "BGRX8");
	assert_string_equal(pixfmt_name(99), "unknown");
}

static void test_bitmask_good(void **state)
{
	(void)state;
	/* 10-10-10-2 with the reserved bits on top */
	assert_int_equal(check(PIXFMT_UEFI_BITMASK, 0x3FF00000u, 0x000FFC00u, 0x000003FFu, 0xC0000000u), 0);
	assert_true(out.red == 0x3FF00000u && out.reserved == 0xC0000000u);
	/* no reserved mask, but the colour reaches bit 31 */
	assert_int_equal(check(PIXFMT_UEFI_BITMASK, 0xFF000000u, 0x00FF0000u, 0x0000FF00u, 0), 0);
	/* highest bit exactly 24 */
	assert_int_equal(check(PIXFMT_UEFI_BITMASK, 0x000000FFu, 0x0000FF00u, 0x00FF0000u, 0x01000000u), 0);
}

static void test_bitmask_bad(void **state)
{
	(void)state;
	assert_int_equal(check(PIXFMT_UEFI_BITMASK, 0, 0x0000FF00u, 0x000000FFu, 0xFF000000u), -1);
	assert_string_equal(why, "bitmask with an empty red mask");
	assert_int_equal(check(PIXFMT_UEFI_BITMASK, 0x00FF0000u, 0x0000FF00u, 0, 0xFF000000u), -1);
	assert_string_equal(why, "bitmask with an empty blue mask");
	assert_int_equal(check(PIXFMT_UEFI_BITMASK, 0x00F0F000u, 0x00000F00u, 0x000000FFu, 0xFF000000u), -1);
	assert_string_equal(why, "bitmask with a non-contiguous red mask 0x00f0f000");
	assert_int_equal(check(PIXFMT_UEFI_BITMASK, 0x00FF0000u, 0x0000FF00u, 0x000000FFu, 0x81000000u), -1);
	assert_string_equal(why, "bitmask with a non-contiguous reserved mask 0x81000000");
	assert_int_equal(check(PIXFMT_UEFI_BITMASK, 0x00FF0000u, 0x0001FF00u, 0x000000FFu, 0xFF000000u), -1);
	assert_string_equal(why, "bitmask whose red and green masks overlap");
	assert_int_equal(check(PIXFMT_UEFI_BITMASK, 0x00FF0000u, 0x0000FF00u, 0x000000FFu, 0x00000080u), -1);
	assert_string_equal(why, "bitmask whose blue and reserved masks overlap");
	/* 24-bit pixels (3 bytes) */
	assert_int_equal(check(PIXFMT_UEFI_BITMASK, 0x00FF0000u, 0x0000FF00u, 0x000000FFu, 0), -1);
	assert_string_equal(why, "bitmask with 24-bit pixels, not 32-bit");
	/* 16-bit 5-6-5 */
	assert_int_equal(check(PIXFMT_UEFI_BITMASK, 0xF800u, 0x07E0u, 0x001Fu, 0), -1);
	assert_string_equal(why, "bitmask with 16-bit pixels, not 32-bit");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_formats),
		cmocka_unit_test(test_blt_only_and_unknown),
		cmocka_unit_test(test_bitmask_good),
		cmocka_unit_test(test_bitmask_bad),
	};
	return cmocka_run_group_tests_name("boot/pixfmt", tests, NULL, NULL);
}
