/*
 * listing.c — pxasm's outputs besides the image: the listing, the symbol table,
 * the .pxe header (pxvm/abi.h) and the opcode table printout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/pxasm/internal.h"
#include "pxvm/abi.h"
#include "pxvm/disasm.h"
#include "pxvm/isa.h"

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct pxasm_symbol *)a)->name, ((const struct pxasm_symbol *)b)->name);
}

void pa_build_outputs(struct pa_asm *as, struct pxasm_result *res)
{
	res->diags = as->diags;
	res->ndiags = as->ndiags;
	res->nerrors = as->nerrors;
	if (as->nerrors)
		return;

	res->list = pa_realloc(NULL, (as->nlines + 1) * sizeof *res->list);
	res->nlist = as->nlines;
	size_t si = 0;
	for (size_t li = 0; li < as->nlines; li++) {
		const struct pa_line *l = &as->lines[li];
		struct pxasm_list_entry *e = &res->list[li];
		while (si < as->nstmts && as->stmts[si].line < (int)li)
			si++;
		memset(e, 0, sizeof *e);
		e->kind = PXASM_LIST_NONE;
		e->addr = (uint32_t)(si < as->nstmts ? as->stmts[si].addr : as->end);
		e->file = as->files[l->file].path;
		e->line = l->lineno;
		e->macro_depth = l->depth;
		e->text = l->text;
		for (size_t j = si; j < as->nstmts && as->stmts[j].line == (int)li; j++)
			if (as->stmts[j].kind == S_LABEL)
				e->labeled = 1;
		if (l->stmt >= 0) {
			const struct pa_stmt *st = &as->stmts[l->stmt];
			e->addr = (uint32_t)st->addr;
			e->size = (uint32_t)st->size;
			switch (st->kind) {
			case S_INSN: e->kind = PXASM_LIST_CODE; break;
			case S_BYTE:
			case S_WORD:
			case S_DATA: e->kind = PXASM_LIST_DATA; break;
			default:     e->kind = PXASM_LIST_FILL; break;
			}
		}
	}

	res->syms = pa_realloc(NULL, (as->nsyms + 1) * sizeof *res->syms);
	res->nsyms = 0;
	for (size_t i = 0; i < as->nsyms; i++) {
		const struct pa_sym *y = &as->syms[i];
		int64_t v = y->value;
		if (y->kind == SYM_UNDEF || (y->kind == SYM_EQU && pa_eval(as, y->expr, y->dot, false, &v) != EV_OK))
			continue;
		struct pxasm_symbol *s = &res->syms[res->nsyms++];
		s->name = y->name;
		s->value = v;
		s->is_label = y->kind == SYM_LABEL;
		s->file = as->files[as->lines[y->def_line].file].path;
		s->line = as->lines[y->def_line].lineno;
	}
	qsort(res->syms, res->nsyms, sizeof *res->syms, by_name);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#define DATA_PER_LINE 6 /* data bytes shown per listing line */

static void list_line(FILE *f, const char *addr, const char *code, const struct pxasm_list_entry *e)
{
	char loc[64];
	if (e) {
		snprintf(loc, sizeof loc, "%s:%d%s", e->file, e->line, e->macro_depth ? "+" : "");
		fprintf(f, "%-6s%-19s %-18s %s\n", addr, code, loc, e->text);
	} else {
		fprintf(f, "%-6s%s\n", addr, code);
	}
}

int pxasm_write_listing(FILE *f, const struct pxasm_result *res)
{
	char addr[16], code[64];
	fprintf(f, "; pxasm listing: image 0x%04X..0x%04X (%zu bytes), entry 0x%04X\n", (unsigned)res->base,
		(unsigned)(res->base + res->image_size), res->image_size, (unsigned)res->entry);
	fprintf(f, "; lines marked + come from a macro expansion\n");
	fprintf(f, "%-6s%-19s %-18s %s\n", "addr", "code", "file:line", "source");
	for (size_t i = 0; i < res->nlist; i++) {
		const struct pxasm_list_entry *e = &res->list[i];
		const uint8_t *p = res->image ? res->image + (e->addr - res->base) : NULL;
		snprintf(addr, sizeof addr, "%04X", (unsigned)e->addr);
		if (e->kind == PXASM_LIST_NONE || !p || e->size == 0) {
			list_line(f, e->kind == PXASM_LIST_NONE && !e->labeled ? "" : addr, "", e);
		} else if (e->kind == PXASM_LIST_CODE) {
			if (e->size == 8)
				snprintf(code, sizeof code, "%08X %08X", get32(p), get32(p + 4));
			else
				snprintf(code, sizeof code, "%08X", get32(p));
			list_line(f, addr, code, e);
		} else if (e->kind == PXASM_LIST_FILL) {
			snprintf(code, sizeof code, "(%u zero bytes)", (unsigned)e->size);
			list_line(f, addr, code, e);
		} else {
			for (uint32_t off = 0; off < e->size; off += DATA_PER_LINE) {
				size_t n = 0;
				for (uint32_t b = off; b < e->size && b < off + DATA_PER_LINE; b++)
					n += (size_t)snprintf(code + n, sizeof code - n, "%s%02X", b > off ? " " : "", p[b]);
				snprintf(addr, sizeof addr, "%04X", (unsigned)(e->addr + off));
				list_line(f, addr, code, off == 0 ? e : NULL);
			}
		}
	}
	fprintf(f, "\n; symbols (%zu)\n%-10s %-12s %-9s %-24s %s\n", res->nsyms, "value", "decimal", "kind", "name",
		"defined at");
	for (size_t i = 0; i < res->nsyms; i++) {
		const struct pxasm_symbol *s = &res->syms[i];
		char where[300];
		snprintf(where, sizeof where, "%s:%d", s->file, s->line);
		fprintf(f, "0x%08X %-12lld %-9s %-24s %s\n", (unsigned)(uint32_t)s->value, (long long)s->value,
			s->is_label ? "label" : "constant", s->name, where);
	}
	return ferror(f) ? -1 : 0;
}

void pxasm_pxe_header(const struct pxasm_result *res, uint8_t out[16])
{
	uint32_t f[4] = { PXE_MAGIC, PXE_VERSION /* flags 0 in the high half */, res->entry,
			  (uint32_t)res->image_size };
	for (int i = 0; i < 4; i++) {
		out[4 * i + 0] = (uint8_t)f[i];
		out[4 * i + 1] = (uint8_t)(f[i] >> 8);
		out[4 * i + 2] = (uint8_t)(f[i] >> 16);
		out[4 * i + 3] = (uint8_t)(f[i] >> 24);
	}
}

void pxasm_print_opcodes(FILE *f)
{
	fprintf(f, "%-6s %-8s %-22s %s\n", "code", "mnemonic", "operands", "meaning");
	for (uint32_t op = 0; op < 256; op++) {
		const struct pxvm_opinfo *oi = pxvm_opinfo(op);
		if (!oi->name)
			continue;
		char ops[64];
		pa_describe_operands(op, ops, sizeof ops);
		fprintf(f, "0x%02X   %-8s %-22s %s\n", (unsigned)op, oi->name, ops, oi->summary);
	}
}
