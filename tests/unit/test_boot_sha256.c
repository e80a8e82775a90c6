/*
 * test_boot_sha256.c — SHA-256 (boot/sha256.h) against the FIPS 180-4
 * examples (NIST CSRC "SHA256.pdf": "abc", the 448-bit message), the empty
 * message, a million 'a's, and the same digests fed in every split.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "boot/sha256.h"

static const char *hex(const uint8_t d[SHA256_BYTES])
{
	static char s[2 * SHA256_BYTES + 1];
	for (int i = 0; i < SHA256_BYTES; i++)
		snprintf(s + 2 * i, 3, "%02x", d[i]);
	return s;
}

static const char *digest_of(const char *msg)
{
	uint8_t d[SHA256_BYTES];
	sha256(msg, strlen(msg), d);
	return hex(d);
}

static void test_vectors(void **state)
{
	(void)state;
	assert_string_equal(digest_of(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_string_equal(digest_of("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_string_equal(digest_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
	                    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_million_a(void **state)
{
	(void)state;
	static char a[1000];
	memset(a, 'a', sizeof(a));
	struct sha256 s;
	uint8_t d[SHA256_BYTES];
	sha256_init(&s);
	for (int i = 0; i < 1000; i++)
		sha256_update(&s, a, sizeof(a));
	sha256_final(&s, d);
	assert_string_equal(hex(d), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_every_split(void **state)
{
	(void)state;
	/* Lengths around the padding edges (55, 56, 63, 64, 119...), fed whole and in two parts. */
	uint8_t msg[200], whole[SHA256_BYTES], parts[SHA256_BYTES];
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7 + 3);
	for (size_t n = 0; n <= sizeof(msg); n++) {
		sha256(msg, n, whole);
		for (size_t k = 0; k <= n; k += (n > 70 ? 13 : 1)) {
			struct sha256 s;
			sha256_init(&s);
			sha256_update(&s, msg, k);
			sha256_update(&s, msg + k, n - k);
			sha256_final(&s, parts);
			assert_memory_equal(whole, parts, SHA256_BYTES);
		}
	}
	/* 55 and 56 bytes: one block of padding, then two. */
	memset(msg, 'a', 56);
	sha256(msg, 55, whole);
	assert_string_equal(hex(whole), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
	sha256(msg, 56, whole);
	assert_string_equal(hex(whole), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_million_a),
		cmocka_unit_test(test_every_split),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
