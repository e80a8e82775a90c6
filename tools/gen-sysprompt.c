/*
 * gen-sysprompt — the LLM's system prompts (docs/bridge-protocol.md, "System
 * prompts"), generated at build time from the same X-macro tables as the
 * docs and pxos.inc (pxvm/isa.h PXVM_OPCODES, pxvm/abi.h PXVM_SYSCALLS,
 * PXVM_ERRORS, PXVM_ABI_CONSTS, the memory map and the trap page), so a new
 * opcode or system call reaches the model by itself.
 *
 *   gen-sysprompt TEMPLATE [EXAMPLE]     the prompt on stdout: TEMPLATE (the
 *       hand-written part, tools/sysprompt/NAME.txt) with each line that is
 *       exactly "@OPCODES@", "@SYSCALLS@", "@ERRORS@", "@ABI@", "@MEMMAP@",
 *       "@TRAPS@" or "@EXAMPLE@" replaced by that table (or EXAMPLE's text);
 *       "@PXOS_API@" by the rows of the "## The `pxos` module" tables of
 *       EXAMPLE when it is a Markdown file (docs/python.md), one "- " line each
 *   gen-sysprompt --header NAME=FILE...  a C header with each prompt's text
 *       and CRC-32 (struct sysprompt_def sysprompt_defs[]), for pxbridge
 *       and pxsim (tools/common/sysprompt.c)
 *   gen-sysprompt --mnemonics           every PXVM_OPCODES mnemonic, one a
 *       line (the unit test's expectation, from the table itself)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/param.h"
#include "pxvm/abi.h"
#include "pxvm/crc32.h"
#include "pxvm/disasm.h"
#include "pxvm/isa.h"
#include "pxvm/hv.h"

static const char *const format_names[] = {
#define X(f, words, zero) #f,
	PXVM_FORMATS(X)
#undef X
};

/* operands: the operand syntax of PXVM_OPCODES ("a,[b+i]") as written in
 * assembly ("Ra, [Rb + imm]"). */
static void operands(const char *syn, const char *imm)
{
	for (const char *c = syn; *c; c++) {
		switch (*c) {
		case 'a': printf("Ra"); break;
		case 'b': printf("Rb"); break;
		case 'c': printf("Rc"); break;
		case 'i': printf("%s", imm); break;
		case ',': printf(", "); break;
		case '+': printf(" + "); break;
		default: putchar(*c); break;
		}
	}
}

static void opcodes(void)
{
	printf("Instructions (mnemonic operands | opcode | words | what it does). Ra, Rb, Rc are R0..R7\n"
	       "(R7 is SP); imm is the immediate operand of the kind given in parentheses.\n");
#define X(name, code, fmt, imm, syn, doc)                                                              \
	do {                                                                                           \
		printf("%s%s", #name, *syn ? " " : "");                                                \
		operands(syn, "imm");                                                                  \
		printf(" | 0x%02X | %d | %s", code, pxvm_opinfo(code)->words, doc);                    \
		if (PXVM_IMM_##imm != PXVM_IMM_NONE)                                                    \
			printf(" (imm: %s)", pxvm_disasm_imm_name(PXVM_IMM_##imm));                     \
		printf(" [format %s]\n", format_names[PXVM_F_##fmt]);                                  \
	} while (0);
	PXVM_OPCODES(X)
#undef X
}

static void syscalls(void)
{
	printf("System calls: SYSCALL SYS_NAME with arguments in R1..R5; the result in R0, negative = -error\n"
	       "(number | name | arguments | what it does):\n");
#define X(name, num, cost, args, doc) printf("%d | SYS_%s | %s | %s\n", num, #name, *args ? args : "none", doc);
	PXVM_SYSCALLS(X)
#undef X
}

static void errors(void)
{
	printf("Error codes (R0 = -code; pxos.inc names them E<NAME>):\n");
#define X(name, code, text) printf("-%d E%s: %s\n", code, #name, text);
	PXVM_ERRORS(X)
#undef X
}

static void abi(void)
{
	printf("Constants of pxos.inc for the system calls (name = value: meaning):\n");
#define X(name, value, doc) printf("%s = 0x%X: %s\n", #name, (unsigned)(value), doc);
	PXVM_ABI_CONSTS(X)
#undef X
	printf("STDOUT = 1, STDERR = 2, CANVAS_W = %u, CANVAS_H = %u (the canvas is CANVAS_W x CANVAS_H pixels)\n",
	       PXVM_TILE_W, PXVM_TILE_H);
}

static void memmap(void)
{
	printf("Memory map of a process (byte addresses; %u KiB, one 128 x 128 pixel tile, word i = pixel i):\n",
	       PXVM_MEM_SIZE / 1024);
	printf("0x%04X-0x%04X vectors: null guard (jumping there faults)\n", PXVM_VECTORS, PXVM_SYSAREA - 1);
	printf("0x%04X-0x%04X system area: SYS_PID_ADDR 0x%X, SYS_PPID_ADDR 0x%X, SYS_ARGC_ADDR 0x%X, "
	       "SYS_ARGV_ADDR 0x%X (address of the argv array of string pointers)\n",
	       PXVM_SYSAREA, PXVM_IMAGE_BASE - 1, PXVM_SYS_PID, PXVM_SYS_PPID, PXVM_SYS_ARGC, PXVM_SYS_ARGV);
	printf("0x%04X-     IMAGE_BASE: the program is loaded here, then its data; the stack (R7) starts at "
	       "STACK_TOP 0x%04X and grows down\n", PXVM_IMAGE_BASE, PXVM_STACK_TOP);
	printf("0x%04X-0x%04X trap page (below)\n", PXVM_TRAP_FLAG, PXVM_MEM_SIZE - 1);
}

static void traps(void)
{
	printf("The trap interface (the hypervisor): write TRAP_ARG0 0x%X, TRAP_ARG1 0x%X, TRAP_ARG2 0x%X\n"
	       "(32-bit little-endian, not aligned: use STB per byte, or px.pxs), then the type with STB into\n"
	       "TRAP_FLAG 0x%X; the result is at TRAP_RESULT 0x%X (negative = -error). SYSCALL SYS_HVTRAP with\n"
	       "R1 = type, R2..R4 = ARG0..ARG2 does the same, result in R0. Types:\n",
	       PXVM_TRAP_ARG0, PXVM_TRAP_ARG1, PXVM_TRAP_ARG2, PXVM_TRAP_FLAG, PXVM_TRAP_RESULT);
	printf("TRAP_RUN_PYTHON %u: ARG0 path of a .py program, ARG1 argument string -> child pid\n",
	       PXVM_TRAP_RUN_PYTHON);
	printf("TRAP_CALL_LLM %u: ARG0 prompt, ARG1 model | buffer size << 16, ARG2 buffer -> reply length\n",
	       PXVM_TRAP_CALL_LLM);
	printf("TRAP_LOAD_FILE %u: ARG0 path, ARG1 buffer, ARG2 its size -> bytes loaded\n", PXVM_TRAP_LOAD_FILE);
	printf("TRAP_SAMPLE_NOISE %u: ARG0/ARG1 mean and std (or low and high), 16.16 fixed point, ARG2 kind "
	       "(%u Gaussian, %u uniform, %u 32 random bits) -> 0, the sample in TRAP_ARG0\n",
	       PXVM_TRAP_SAMPLE_NOISE, HV_NOISE_GAUSS, HV_NOISE_UNIFORM, HV_NOISE_BITS);
	printf("TRAP_ORACLE %u: ARG0 a yes/no question, ARG1 model -> 1 yes, 0 no\n", PXVM_TRAP_ORACLE);
	printf("TRAP_LLM_CHAT %u: ARG0 chat file path, ARG1 reply file path, ARG2 max_tokens | model << %u -> "
	       "reply length\n", PXVM_TRAP_LLM_CHAT, HV_CHAT_MODEL_SHIFT);
	printf("px.pxs wraps them: call_llm, oracle, load_file, sample_noise, sample_uniform, read_pixel, "
	       "write_pixel, log.\n");
}

static int copy_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "gen-sysprompt: %s: cannot open\n", path);
		return 1;
	}
	int c;
	while ((c = fgetc(f)) != EOF)
		putchar(c);
	fclose(f);
	return 0;
}

/* next_bar: the next cell separator '|' of a Markdown table row (not "\\|"). */
static char *next_bar(char *s)
{
	for (; *s; s++)
		if (*s == '|' && s[-1] != '\\')
			return s;
	return NULL;
}

/* unescape_bars: "\\|" in a cell is a literal '|'. */
static void unescape_bars(char *s)
{
	char *o = s;
	for (; *s; s++)
		if (!(s[0] == '\\' && s[1] == '|'))
			*o++ = *s;
	*o = '\0';
}

/* api_rows: the rows of the Markdown tables in section "## The `pxos`
 * module" of `md` whose first cell starts with '`', as "- cell: cell; cell;
 * cell" lines (the pxos reference of docs/python.md). */
static int api_rows(const char *md)
{
	FILE *f = fopen(md, "r");
	if (!f) {
		fprintf(stderr, "gen-sysprompt: %s: cannot open\n", md);
		return 1;
	}
	char line[4096];
	int in = 0, rows = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "## ", 3))
			in = !strncmp(line, "## The `pxos` module", 20);
		if (!in || strncmp(line, "| `", 3))
			continue;
		char *cell = line + 1;
		int k = 0;
		printf("  -");
		for (char *bar; (bar = next_bar(cell)); cell = bar + 1, k++) {
			*bar = '\0';
			unescape_bars(cell);
			while (*cell == ' ')
				cell++;
			size_t n = strlen(cell);
			while (n && cell[n - 1] == ' ')
				cell[--n] = '\0';
			if (n)
				printf("%s%s", k == 0 ? " " : k == 1 ? ": " : "; ", cell);
		}
		printf("\n");
		rows++;
	}
	fclose(f);
	if (!rows) {
		fprintf(stderr, "gen-sysprompt: %s: no rows in section \"## The `pxos` module\"\n", md);
		return 1;
	}
	return 0;
}

static int prompt(const char *tmpl, const char *example)
{
	FILE *f = fopen(tmpl, "r");
	if (!f) {
		fprintf(stderr, "gen-sysprompt: %s: cannot open\n", tmpl);
		return 1;
	}
	char line[4096];
	int bad = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strcmp(line, "@OPCODES@\n")) opcodes();
		else if (!strcmp(line, "@SYSCALLS@\n")) syscalls();
		else if (!strcmp(line, "@ERRORS@\n")) errors();
		else if (!strcmp(line, "@ABI@\n")) abi();
		else if (!strcmp(line, "@MEMMAP@\n")) memmap();
		else if (!strcmp(line, "@TRAPS@\n")) traps();
		else if (!strcmp(line, "@PXOS_API@\n") && example) bad |= api_rows(example);
		else if (!strcmp(line, "@EXAMPLE@\n")) {
			if (!example) {
				fprintf(stderr, "gen-sysprompt: %s: @EXAMPLE@ without an example file\n", tmpl);
				bad = 1;
			} else {
				bad |= copy_file(example);
			}
		} else if (line[0] == '@' && strchr(line + 1, '@') && line[strlen(line) - 2] == '@') {
			fprintf(stderr, "gen-sysprompt: %s: unknown placeholder %s", tmpl, line);
			bad = 1;
		} else {
			fputs(line, stdout);
		}
	}
	fclose(f);
	return bad;
}

/* header: the prompts NAME=FILE as C strings with their CRC-32. */
static int header(int n, char **defs)
{
	printf("/* sysprompt_defs.h — generated by tools/gen-sysprompt --header; do not edit. */\n");
	printf("static const struct sysprompt_def sysprompt_defs[] = {\n");
	for (int i = 0; i < n; i++) {
		char *eq = strchr(defs[i], '=');
		if (!eq) {
			fprintf(stderr, "gen-sysprompt: --header takes NAME=FILE, not %s\n", defs[i]);
			return 1;
		}
		*eq = '\0';
		FILE *f = fopen(eq + 1, "rb");
		if (!f) {
			fprintf(stderr, "gen-sysprompt: %s: cannot open\n", eq + 1);
			return 1;
		}
		static unsigned char buf[256 * 1024];
		size_t len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		if (len == sizeof(buf)) {
			fprintf(stderr, "gen-sysprompt: %s: larger than %zu bytes\n", eq + 1, sizeof(buf));
			return 1;
		}
		printf("\t{ \"%s\", 0x%08Xu, %zu,\n\t  \"", defs[i], crc32(buf, len), len);
		for (size_t k = 0; k < len; k++) {
			unsigned char c = buf[k];
			if (c == '\n')
				printf("\\n\"\n\t  \"");
			else if (c == '"' || c == '\\')
				printf("\\%c", c);
			else if (c < 0x20 || c >= 0x7F || c == '?')
				printf("\\%03o", c); /* '?' too: no trigraphs */
			else
				putchar(c);
		}
		printf("\" },\n");
	}
	printf("};\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "--header"))
		return header(argc - 2, argv + 2);
	if (argc == 2 && !strcmp(argv[1], "--mnemonics")) {
#define X(name, code, fmt, imm, syn, doc) puts(#name);
		PXVM_OPCODES(X)
#undef X
		return 0;
	}
	if (argc < 2 || argc > 3 || argv[1][0] == '-') {
		fprintf(stderr, "usage: gen-sysprompt TEMPLATE [EXAMPLE] | --header NAME=FILE... | --mnemonics\n");
		return 2;
	}
	return prompt(argv[1], argc > 2 ? argv[2] : NULL);
}
