/*
 * test_boot_rsdp.c — ACPI RSDP validation (boot/rsdp.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "boot/rsdp.h"

static uint8_t rsdp[64];
static char why[128];

static uint8_t sum(const uint8_t *b, unsigned n)
{
	uint8_t s = 0;
	for (unsigned i = 0; i < n; i++)
		s = (uint8_t)(s + b[i]);
	return s;
}

/* A valid RSDP of `rev` (0 or 2) with correct checksums. */
static void build(uint8_t rev)
{
	memset(rsdp, 0, sizeof(rsdp));
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "PXOSTS", 6);
	rsdp[15] = rev;
	rsdp[16] = 0x78; /* RsdtAddress */
	if (rev >= 2) {
		rsdp[20] = 36; /* Length */
		rsdp[24] = 0x80; /* XsdtAddress */
	}
	rsdp[8] = (uint8_t)(0 - sum(rsdp, 20));
	if (rev >= 2)
		rsdp[32] = (uint8_t)(0 - sum(rsdp, 36));
}

static void test_valid(void **state)
{
	(void)state;
	build(0);
	assert_int_equal(rsdp_check(rsdp, why, sizeof(why)), 0);
	build(2);
	assert_int_equal(rsdp_check(rsdp, why, sizeof(why)), 2);
}

static void test_invalid(void **state)
{
	(void)state;
	build(2);
	rsdp[3] = 'X';
	assert_int_equal(rsdp_check(rsdp, why, sizeof(why)), -1);
	assert_string_equal(why, "bad signature (not \"RSD PTR \")");

	build(0);
	rsdp[16] ^= 1;
	assert_int_equal(rsdp_check(rsdp, why, sizeof(why)), -1);
	assert_string_equal(why, "bad checksum over the first 20 bytes");

	build(2);
	rsdp[24] ^= 1; /* outside the first 20 bytes: only the extended sum sees it */
	assert_int_equal(rsdp_check(rsdp, why, sizeof(why)), -1);
	assert_string_equal(why, "bad extended checksum over 36 bytes");

	build(2);
	rsdp[20] = 20; /* too short; fix the v1 sum so only the length is wrong */
	rsdp[8] = 0;
	rsdp[8] = (uint8_t)(0 - sum(rsdp, 20));
	assert_int_equal(rsdp_check(rsdp, why, sizeof(why)), -1);
	assert_string_equal(why, "revision 2 RSDP with implausible length 20");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
	};
	return cmocka_run_group_tests_name("boot/rsdp", tests, NULL, NULL);
}
