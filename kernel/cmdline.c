/*
 * cmdline.c — kernel command line; see cmdline.h.
 */
#include "cmdline.h"
#include "lib.h"
#include "boot/bootinfo.h"

#define MAX_WORDS 32

static char raw[PXOS_CMDLINE_MAX];
static char buf[PXOS_CMDLINE_MAX];
static const char *keys[MAX_WORDS], *vals[MAX_WORDS];
static int nwords;

void cmdline_init(const char *s)
{
	size_t n = strnlen(s, PXOS_CMDLINE_MAX - 1);
	memcpy(raw, s, n);
	raw[n] = '\0';
	memcpy(buf, raw, n + 1);
	nwords = 0;
	char *p = buf;
	while (*p && nwords < MAX_WORDS) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (!*p)
			break;
		keys[nwords] = p;
		vals[nwords] = "";
		int have_value = 0;
		while (*p && *p != ' ' && *p != '\t') {
			if (*p == '=' && !have_value) {
				*p = '\0';
				vals[nwords] = p + 1;
				have_value = 1;
			}
			p++;
		}
		nwords++;
	}
}

const char *cmdline_get(const char *key)
{
	for (int i = nwords - 1; i >= 0; i--)
		if (strcmp(keys[i], key) == 0)
			return vals[i];
	return 0;
}

const char *cmdline_raw(void) { return raw; }
