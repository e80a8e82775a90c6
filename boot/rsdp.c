/*
 * rsdp.c — ACPI RSDP validation; see rsdp.h.
 */
#include "boot/rsdp.h"
#include "boot/fmt.h"

static uint8_t sum(const uint8_t *b, uint32_t n)
{
	uint8_t s = 0;
	for (uint32_t i = 0; i < n; i++)
		s = (uint8_t)(s + b[i]);
	return s;
}

int rsdp_check(const void *p, char *why, size_t whylen)
{
	const uint8_t *b = p;
	static const char sig[8] = { 'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ' };
	for (int i = 0; i < 8; i++) {
		if (b[i] != (uint8_t)sig[i]) {
			fmt_snprintf(why, whylen, "bad signature (not \"RSD PTR \")");
			return -1;
		}
	}
	if (sum(b, RSDP_V1_SIZE) != 0) {
		fmt_snprintf(why, whylen, "bad checksum over the first %u bytes", RSDP_V1_SIZE);
		return -1;
	}
	uint8_t rev = b[15];
	if (rev >= 2) {
		uint32_t len = (uint32_t)b[20] | (uint32_t)b[21] << 8 | (uint32_t)b[22] << 16 |
			       (uint32_t)b[23] << 24;
		if (len < RSDP_V2_SIZE || len > RSDP_MAX_LENGTH) {
			fmt_snprintf(why, whylen, "revision %u RSDP with implausible length %u", rev, len);
			return -1;
		}
		if (sum(b, len) != 0) {
			fmt_snprintf(why, whylen, "bad extended checksum over %u bytes", len);
			return -1;
		}
	}
	return rev;
}
