/*
 * sysprompt.c — the compiled-in system prompts; see sysprompt.h.
 */
#include <stdio.h>
#include <string.h>
#include "sysprompt.h"
#include "pxvm/frame.h"
#include "sysprompt_defs.h" /* generated: sysprompt_defs[] */

size_t sysprompt_count(void) { return sizeof(sysprompt_defs) / sizeof(sysprompt_defs[0]); }

const struct sysprompt_def *sysprompt_at(size_t i) { return i < sysprompt_count() ? &sysprompt_defs[i] : NULL; }

const struct sysprompt_def *sysprompt_resolve(const char *id, char *err, size_t cap)
{
	char name[FRAME_SYSTEM_NAME_MAX + 1];
	uint32_t crc;
	int has;
	if (frame_system_split(id, name, &crc, &has) != 0) {
		snprintf(err, cap, "malformed system prompt id '%.48s'", id);
		return NULL;
	}
	for (size_t i = 0; i < sysprompt_count(); i++) {
		const struct sysprompt_def *d = &sysprompt_defs[i];
		if (strcmp(d->name, name))
			continue;
		if (has && crc != d->crc) {
			snprintf(err, cap, "system prompt '%s' differs: pxOS has CRC %08X, this bridge %08X "
			         "(built from another tree: rebuild both)", name, crc, d->crc);
			return NULL;
		}
		return d;
	}
	size_t n = (size_t)snprintf(err, cap, "unknown system prompt '%s' (known:", name);
	for (size_t i = 0; i < sysprompt_count() && n < cap; i++)
		n += (size_t)snprintf(err + n, cap - n, " %s", sysprompt_defs[i].name);
	if (n < cap)
		snprintf(err + n, cap - n, ")");
	return NULL;
}
