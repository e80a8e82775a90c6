/*
 * sysprompt.h — the LLM system prompts the host side holds (pxbridge,
 * pxsim): generated at build time by tools/gen-sysprompt from the ISA and
 * ABI tables and compiled in (docs/bridge-protocol.md, "System prompts").
 * pxOS has the same texts as /lib/llm/NAME.txt and names a prompt in an
 * LLM_CHAT request as "NAME@CRC" (frame.h frame_chat_*), so a bridge built
 * from another tree says so instead of teaching the model the wrong ISA.
 */
#ifndef TOOLS_COMMON_SYSPROMPT_H
#define TOOLS_COMMON_SYSPROMPT_H

#include <stddef.h>
#include <stdint.h>

struct sysprompt_def {
	const char *name;   /* the id: "pxasm", "python" */
	uint32_t crc;       /* CRC-32 of the text */
	size_t len;
	const char *text;
};

/* sysprompt_count / sysprompt_at: the prompts compiled in. */
size_t sysprompt_count(void);
const struct sysprompt_def *sysprompt_at(size_t i);

/* sysprompt_resolve: the prompt a request's system id ("NAME" or
 * "NAME@XXXXXXXX") names. Returns it, or NULL with a message for the ERROR
 * frame in `err` (`cap` bytes): a malformed id, an unknown name (the known
 * ones listed), or a CRC other than this copy's (pxOS and the bridge were
 * built from different trees). */
const struct sysprompt_def *sysprompt_resolve(const char *id, char *err, size_t cap);

#endif
