/*
 * isa.c — tables generated from the PXVM_OPCODES / PXVM_FORMATS / PXVM_FAULTS /
 * PXVM_ERRORS / PXVM_SYSCALLS lists in isa.h and abi.h.
 */
#include "isa.h"
#include "abi.h"

static const uint32_t format_zero[PXVM_F_COUNT] = {
#define PXVM_X_FMT(f, words, zero) [PXVM_F_##f] = (zero),
	PXVM_FORMATS(PXVM_X_FMT)
#undef PXVM_X_FMT
};

static const uint8_t format_words[PXVM_F_COUNT] = {
#define PXVM_X_FMT(f, words, zero) [PXVM_F_##f] = (words),
	PXVM_FORMATS(PXVM_X_FMT)
#undef PXVM_X_FMT
};

static const struct pxvm_opinfo optable[256] = {
#define PXVM_X_OP(name, code, fmt, imm, syn, doc) \
	[code] = { #name, syn, doc, PXVM_F_##fmt, PXVM_IMM_##imm, 0, 0 },
	PXVM_OPCODES(PXVM_X_OP)
#undef PXVM_X_OP
};

/* optable leaves words/zero_mask 0 to stay a constant initializer; fill them in
 * on the copy we hand out. 256 entries of 32 bytes: small and built once. */
static struct pxvm_opinfo opinfo_full[256];
static int opinfo_ready;

static void opinfo_build(void)
{
	for (unsigned i = 0; i < 256; i++) {
		opinfo_full[i] = optable[i];
		if (optable[i].name) {
			opinfo_full[i].words = format_words[optable[i].format];
			opinfo_full[i].zero_mask = format_zero[optable[i].format];
		} else {
			opinfo_full[i].syntax = "";
			opinfo_full[i].summary = "unassigned";
		}
	}
	opinfo_ready = 1;
}

const struct pxvm_opinfo *pxvm_opinfo(uint32_t op)
{
	if (!opinfo_ready)
		opinfo_build();
	return &opinfo_full[op & 0xFFu];
}

static int lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

int pxvm_opcode_by_name(const char *name, unsigned len)
{
	for (unsigned op = 0; op < 256; op++) {
		const char *n = optable[op].name;
		if (!n)
			continue;
		unsigned i = 0;
		while (i < len && n[i] && lower((unsigned char)n[i]) == lower((unsigned char)name[i]))
			i++;
		if (i == len && n[i] == '\0')
			return (int)op;
	}
	return -PXE_ENOENT;
}

const char *pxvm_fault_text(uint32_t f)
{
	switch (f) {
#define PXVM_X_FAULT(name, code, text) case code: return text;
	PXVM_FAULTS(PXVM_X_FAULT)
#undef PXVM_X_FAULT
	}
	return "unknown fault";
}

/* Error codes are 1..PXE_ERRNO_MAX, each once (a duplicate case label below
 * fails to compile), so PXE_ERRNO_MAX bounds them all. */
#define PXVM_X_ERR_RANGE(name, code, text) \
	_Static_assert((code) >= 1 && (code) <= PXE_ERRNO_MAX, "error code E" #name " outside 1..PXE_ERRNO_MAX");
PXVM_ERRORS(PXVM_X_ERR_RANGE)
#undef PXVM_X_ERR_RANGE

const char *pxvm_error_text(uint32_t e)
{
	switch (e) {
#define PXVM_X_ERR(name, code, text) case code: return text;
	PXVM_ERRORS(PXVM_X_ERR)
#undef PXVM_X_ERR
	}
	return "unknown error";
}

const char *pxvm_syscall_name(uint32_t n)
{
	switch (n) {
#define PXVM_X_SYS(name, num, cost, args, doc) case num: return #name;
	PXVM_SYSCALLS(PXVM_X_SYS)
#undef PXVM_X_SYS
	}
	return 0;
}
