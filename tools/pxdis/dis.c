/*
 * dis.c — pxdis_write: code discovery, layout into lines, labels, output
 * (see pxdis.h). Instruction text comes from pxvm_disasm (pxvm/disasm.c).
 */
#include <stdlib.h>
#include <string.h>

#include "pxvm/abi.h"
#include "pxvm/ascii.h"
#include "pxvm/disasm.h"
#include "pxvm/isa.h"
#include "tools/pxdis/pxdis.h"

enum item_kind { I_INSN, I_WORD, I_STRING, I_BYTES, I_ZERO };

struct item {
	uint32_t off;   /* byte offset in the image */
	uint32_t size;
	uint8_t kind;
	bool amb;       /* holds unknown bytes that matter */
};

/* Label kinds, in order of preference when an address has several reasons. */
enum { LB_NONE, LB_DATA, LB_CODE, LB_ENTRY };

struct dis {
	const struct pxdis_image *img;
	const struct pxdis_options *opt;
	size_t nwords;
	uint8_t *code;       /* per word: 0, 1 instruction start, 2 IMM32 value */
	uint8_t *dref;       /* per byte: reached code names it: 1 by LOAD/STORE (a word), 2 by IMM32 */
	uint8_t *start;      /* per byte: 1 when an item starts there */
	uint8_t *label;      /* per byte: LB_* */
	uint32_t *next_ref;  /* per byte: the offset of the next dref after it, or size */
	struct item *items;
	size_t nitems, capitems;
	bool labels;         /* labels allowed at all */
};

/* ---- Reading the image ------------------------------------------------------ */

static uint32_t word_at(const struct dis *d, size_t off)
{
	const uint8_t *p = d->img->bytes + off;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Bit mask of the unknown bits of the word at `off`. */
static uint32_t unknown_bits(const struct dis *d, size_t off)
{
	uint32_t m = 0;
	if (!d->img->known)
		return 0;
	for (int k = 0; k < 4; k++)
		if (off + (size_t)k >= d->img->size || !d->img->known[off + (size_t)k])
			m |= 0xFFu << (8 * k);
	return m;
}

static bool byte_known(const struct dis *d, size_t off)
{
	return !d->img->known || d->img->known[off];
}

/* Whether `w` is an instruction pxasm writes (pxvm_disasm would not give .word). */
static bool valid_insn(uint32_t w)
{
	const struct pxvm_opinfo *oi = pxvm_opinfo(PXVM_OP(w));
	if (!oi->name || (w & oi->zero_mask))
		return false;
	enum pxvm_imm_kind k = pxvm_disasm_imm_kind(PXVM_OP(w));
	return !((k == PXVM_IMM_TARGET || k == PXVM_IMM_ADDR) && (PXVM_IMM16(w) & 3u));
}

/* Whether unknown bits `unk` of instruction word `w` change its meaning: bits
 * that the format requires to be zero are recovered (as zero) by reading the
 * word as an instruction; any other unknown bit is a guess. */
static bool insn_ambiguous(uint32_t w, uint32_t unk)
{
	return (unk & ~pxvm_opinfo(PXVM_OP(w))->zero_mask) != 0;
}

static bool in_image(const struct dis *d, uint32_t addr)
{
	return addr >= d->img->base && addr - d->img->base < d->img->size;
}

/* ---- 1. Code discovery ------------------------------------------------------------ */

static bool ends_path(uint32_t w)
{
	switch (PXVM_OP(w)) {
	case PXVM_OP_HALT: case PXVM_OP_BRK: case PXVM_OP_JMP: case PXVM_OP_RET: case PXVM_OP_JR:
		return true;
	case PXVM_OP_SYSCALL:
		return PXVM_IMM16(w) == PXVM_SYS_EXIT;
	default:
		return false;
	}
}

static void discover(struct dis *d, uint32_t root)
{
	uint32_t *stack = malloc((d->nwords + 1) * sizeof *stack);
	size_t sp = 0;
	if (!stack)
		return;
	stack[sp++] = root;
	while (sp) {
		uint32_t a = stack[--sp];
		while (in_image(d, a) && !(a & 3u)) {
			size_t i = (a - d->img->base) / 4;
			if (i >= d->nwords || d->code[i])
				break;
			uint32_t w = word_at(d, i * 4);
			uint32_t unk = unknown_bits(d, i * 4);
			if ((unk & 0xFFu) || !valid_insn(w))
				break;
			unsigned words = pxvm_opinfo(PXVM_OP(w))->words;
			if (words == 2 && (i + 1 >= d->nwords || d->code[i + 1]))
				break;
			d->code[i] = 1;
			if (words == 2)
				d->code[i + 1] = 2;
			enum pxvm_imm_kind k = pxvm_disasm_imm_kind(PXVM_OP(w));
			bool amb = insn_ambiguous(w, unk);
			if (k == PXVM_IMM_TARGET && !amb && sp < d->nwords)
				stack[sp++] = PXVM_IMM16(w);
			if (!amb && k == PXVM_IMM_ADDR && in_image(d, PXVM_IMM16(w)))
				d->dref[PXVM_IMM16(w) - d->img->base] |= 1;
			if (k == PXVM_IMM_W32 && !unknown_bits(d, (i + 1) * 4)) {
				uint32_t v = word_at(d, (i + 1) * 4);
				if (in_image(d, v))
					d->dref[v - d->img->base] |= 2;
			}
			if (ends_path(w))
				break;
			a += 4u * words;
		}
	}
	free(stack);
}

/* ---- 2. Layout ---------------------------------------------------------------------- */

static void add_item(struct dis *d, uint32_t off, uint32_t size, enum item_kind kind, bool amb)
{
	if (d->nitems == d->capitems) {
		size_t nc = d->capitems ? d->capitems * 2 : 256;
		struct item *n = realloc(d->items, nc * sizeof *n);
		if (!n) {
			fputs("pxdis: out of memory\n", stderr);
			exit(1);
		}
		d->items = n, d->capitems = nc;
	}
	d->items[d->nitems++] = (struct item){ off, size, (uint8_t)kind, amb };
	d->start[off] = 1;
}

/* Bytes a string may hold (besides its final NUL): printable ASCII, tab, line
 * feed, carriage return, escape (terminal colours) and UTF-8 bytes. */
static bool string_byte(uint8_t c)
{
	return ascii_printable(c) || c == '\n' || c == '\t' || c == '\r' || c == 0x1B || c >= 0x80;
}

/* Data between offsets p and e (both word-aligned, no code inside). Items end
 * where reached code names an address, so that address can get a label. */
static void layout_data(struct dis *d, uint32_t p, uint32_t e)
{
	while (p < e) {
		uint32_t lim = d->next_ref[p] < e ? d->next_ref[p] : e;
		if (!d->opt->no_strings && !(d->dref[p] == 1 && !(p & 3u) && p + 4 <= lim)) {
			uint32_t q = p;
			while (q < lim && byte_known(d, q) && string_byte(d->img->bytes[q]))
				q++;
			uint32_t min = (d->dref[p] & 2) ? 1 : 3; /* IMM32 R, addr: likely a string */
			if (q < lim && byte_known(d, q) && d->img->bytes[q] == 0 && q - p >= min) {
				add_item(d, p, q + 1 - p, I_STRING, false);
				p = q + 1;
				continue;
			}
		}
		if (!(p & 3u) && p + 4 <= lim) {
			uint32_t z = p;
			bool amb = false;
			while (z + 4 <= lim && word_at(d, z) == 0) {
				amb |= unknown_bits(d, z) != 0;
				z += 4;
			}
			if (z - p >= 8) {
				add_item(d, p, z - p, I_ZERO, amb);
				p = z;
				continue;
			}
			uint32_t w = word_at(d, p), unk = unknown_bits(d, p);
			unsigned words = pxvm_opinfo(PXVM_OP(w))->words;
			if (!(unk & 0xFFu) && valid_insn(w) && (words == 1 || p + 8 <= lim)) {
				bool amb2 = insn_ambiguous(w, unk) || (words == 2 && unknown_bits(d, p + 4));
				add_item(d, p, 4 * words, I_INSN, amb2);
				p += 4 * words;
			} else {
				add_item(d, p, 4, I_WORD, unk != 0);
				p += 4;
			}
			continue;
		}
		add_item(d, p, 1, I_BYTES, !byte_known(d, p));
		p++;
	}
}

static void layout(struct dis *d)
{
	size_t i = 0;
	uint32_t next = (uint32_t)d->img->size;
	for (size_t b = d->img->size; b-- > 0;) {
		d->next_ref[b] = next;
		if (d->dref[b])
			next = (uint32_t)b;
	}
	while (i < d->nwords) {
		if (d->code[i] == 1) {
			uint32_t off = (uint32_t)i * 4;
			uint32_t w = word_at(d, off);
			unsigned words = pxvm_opinfo(PXVM_OP(w))->words;
			bool amb = insn_ambiguous(w, unknown_bits(d, off)) ||
				   (words == 2 && unknown_bits(d, off + 4));
			add_item(d, off, 4 * words, I_INSN, amb);
			i += words;
			continue;
		}
		size_t j = i;
		while (j < d->nwords && d->code[j] != 1)
			j++;
		layout_data(d, (uint32_t)i * 4, (uint32_t)(j * 4 < d->img->size ? j * 4 : d->img->size));
		i = j;
	}
	/* a tail shorter than a word (raw input) */
	if (d->nwords * 4 < d->img->size)
		layout_data(d, (uint32_t)d->nwords * 4, (uint32_t)d->img->size);
}

/* ---- 3. Labels ------------------------------------------------------------------------ */

static void want_label(struct dis *d, uint32_t addr, int kind, bool need_string)
{
	if (!in_image(d, addr))
		return;
	uint32_t off = addr - d->img->base;
	if (!d->start[off])
		return;
	if (need_string) {
		size_t lo = 0, hi = d->nitems;
		while (lo < hi) { /* items are sorted by offset */
			size_t mid = (lo + hi) / 2;
			if (d->items[mid].off < off)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo >= d->nitems || d->items[lo].kind != I_STRING)
			return;
	}
	if (d->label[off] < kind)
		d->label[off] = (uint8_t)kind;
}

static void find_labels(struct dis *d)
{
	if (d->img->pxe)
		want_label(d, d->img->entry, LB_ENTRY, false);
	for (size_t n = 0; n < d->nitems; n++) {
		const struct item *it = &d->items[n];
		if (it->kind != I_INSN || it->amb)
			continue;
		uint32_t w = word_at(d, it->off);
		enum pxvm_imm_kind k = pxvm_disasm_imm_kind(PXVM_OP(w));
		if (k == PXVM_IMM_TARGET)
			want_label(d, PXVM_IMM16(w), LB_CODE, false);
		else if (k == PXVM_IMM_ADDR)
			want_label(d, PXVM_IMM16(w), LB_DATA, false);
		else if (k == PXVM_IMM_W32)
			want_label(d, word_at(d, it->off + 4), LB_DATA, true);
	}
}

static void label_name(const struct dis *d, uint32_t addr, char *buf, size_t cap)
{
	int k = d->label[addr - d->img->base];
	if (k == LB_ENTRY)
		snprintf(buf, cap, "_start");
	else
		snprintf(buf, cap, "%c_%04X", k == LB_CODE ? 'L' : 'D', (unsigned)addr);
}

/* ---- Output ------------------------------------------------------------------------------- */

/* Replace the hex number `v` (as pxvm_disasm wrote it: "0x%04X", or "0x%X" for
 * IMM32) in `text` by the label at `v`, when there is one. */
static void substitute(const struct dis *d, char *text, size_t cap, uint32_t v, bool imm32)
{
	if (!d->labels || !in_image(d, v) || !d->label[v - d->img->base])
		return;
	char num[16], name[16];
	snprintf(num, sizeof num, imm32 ? "0x%X" : "0x%04X", (unsigned)v);
	label_name(d, v, name, sizeof name);
	char *at = NULL;
	for (char *s = strstr(text, num); s; s = strstr(s + 1, num))
		if (!((s[strlen(num)] >= '0' && s[strlen(num)] <= '9') ||
		      (s[strlen(num)] >= 'A' && s[strlen(num)] <= 'F')))
			at = s;
	if (!at)
		return;
	char rest[PXVM_DISASM_MAX + 32];
	snprintf(rest, sizeof rest, "%s", at + strlen(num));
	snprintf(at, cap - (size_t)(at - text), "%s%s", name, rest);
}

struct out {
	FILE *f;
	bool addresses;
};

/* Word `w` at `off` in hex, unknown bytes of an ambiguous line shown as "??". */
static void put_word(const struct dis *d, FILE *f, uint32_t off, bool amb, uint32_t recovered)
{
	uint32_t w = word_at(d, off), unk = amb ? unknown_bits(d, off) & ~recovered : 0;
	fputc(' ', f);
	for (int k = 3; k >= 0; k--)
		if ((unk >> (8 * k)) & 0xFFu)
			fputs("?\?", f);
		else
			fprintf(f, "%02X", (unsigned)(w >> (8 * k)) & 0xFFu);
}

/* One output line: `text` indented, then a comment with the address and the
 * words, and for an ambiguous line the mark "??" (the words show which bytes
 * are unknown; they were read as 0 in `text`). */
static void put_line(const struct dis *d, struct out *o, const char *text, uint32_t off, uint32_t size,
		     bool amb, bool insn)
{
	int n = fprintf(o->f, "        %s", text);
	bool words = size >= 4 && size <= 8 && !((d->img->base + off) & 3u);
	if (o->addresses || amb) {
		fprintf(o->f, "%*s", n < 40 ? 40 - n : 1, "");
		fputs(strchr(text, ';') ? " |" : ";", o->f);
	}
	if (o->addresses)
		fprintf(o->f, " %04X:", (unsigned)(d->img->base + off));
	if (o->addresses || (amb && words))
		for (uint32_t k = 0; words && k + 4 <= size; k += 4)
			put_word(d, o->f, off + k, amb,
				 insn && k == 0 ? pxvm_opinfo(PXVM_OP(word_at(d, off)))->zero_mask : 0);
	if (amb)
		fputs(" ?\? unknown byte, read as 0", o->f);
	fputc('\n', o->f);
}

/* Writes `.string "..."` for n bytes (the NUL not included); returns the
 * number of characters written. */
static int put_string(FILE *f, const uint8_t *s, size_t n)
{
	int len = fprintf(f, ".string \"");
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];
		if (c == '"' || c == '\\')
			len += fprintf(f, "\\%c", c);
		else if (c == '\n')
			len += fprintf(f, "\\n");
		else if (c == '\t')
			len += fprintf(f, "\\t");
		else if (c == '\r')
			len += fprintf(f, "\\r");
		else if (!ascii_printable(c))
			len += fprintf(f, "\\x%02X", c);
		else
			len += fprintf(f, "%c", c);
	}
	return len + fprintf(f, "\"");
}

static void emit(struct dis *d, struct out *o, struct pxdis_stats *st)
{
	char text[PXVM_DISASM_MAX + 64];
	for (size_t n = 0; n < d->nitems; n++) {
		const struct item *it = &d->items[n];
		uint32_t addr = d->img->base + it->off;
		if (d->labels && d->label[it->off]) {
			label_name(d, addr, text, sizeof text);
			fprintf(o->f, "%s:\n", text);
			st->labels++;
		}
		if (it->amb)
			st->ambiguous++;
		switch (it->kind) {
		case I_INSN:
		case I_WORD: {
			uint32_t w = word_at(d, it->off);
			uint32_t next = it->size == 8 ? word_at(d, it->off + 4) : 0;
			pxvm_disasm(w, next, addr, text, sizeof text);
			if (it->kind == I_WORD && strncmp(text, ".word", 5) != 0) /* e.g. an IMM32 cut short */
				snprintf(text, sizeof text, ".word 0x%08X", (unsigned)w);
			if (it->kind == I_INSN && !it->amb) {
				enum pxvm_imm_kind k = pxvm_disasm_imm_kind(PXVM_OP(w));
				if (k == PXVM_IMM_TARGET || k == PXVM_IMM_ADDR)
					substitute(d, text, sizeof text, PXVM_IMM16(w), false);
				else if (k == PXVM_IMM_W32)
					substitute(d, text, sizeof text, next, true);
			}
			put_line(d, o, text, it->off, it->size, it->amb, it->kind == I_INSN);
			if (it->kind == I_INSN)
				st->insns++;
			else
				st->data_lines++;
			break;
		}
		case I_STRING: {
			fputs("        ", o->f);
			int n = 8 + put_string(o->f, d->img->bytes + it->off, it->size - 1);
			if (o->addresses)
				fprintf(o->f, "%*s; %04X: %u bytes", n < 40 ? 40 - n : 1, "", (unsigned)addr,
					(unsigned)it->size);
			fputc('\n', o->f);
			st->data_lines++;
			break;
		}
		case I_ZERO:
			snprintf(text, sizeof text, ".zero %u", (unsigned)it->size);
			put_line(d, o, text, it->off, 0, it->amb, false);
			st->data_lines++;
			break;
		case I_BYTES: {
			/* up to 8 bytes a line, while no label intervenes */
			size_t m = n;
			bool amb = false;
			int len = snprintf(text, sizeof text, ".byte ");
			for (; m < d->nitems && m < n + 8 && d->items[m].kind == I_BYTES &&
			       (m == n || !(d->labels && d->label[d->items[m].off]));
			     m++) {
				len += snprintf(text + len, sizeof text - (size_t)len, "%s0x%02X", m == n ? "" : ", ",
						d->img->bytes[d->items[m].off]);
				amb |= d->items[m].amb;
			}
			put_line(d, o, text, it->off, 0, amb, false);
			if (amb && !it->amb)
				st->ambiguous++;
			st->data_lines++;
			n = m - 1;
			break;
		}
		}
	}
}

int pxdis_code_map(const struct pxdis_image *img, const uint32_t *roots, size_t nroots, uint8_t *code)
{
	if ((img->base & 3u) || img->base > PXVM_MEM_SIZE || img->size > PXVM_MEM_SIZE - img->base)
		return -1;
	struct dis d = { .img = img };
	d.nwords = img->size / 4;
	d.code = code;
	d.dref = calloc(img->size + 1, 1);
	if (!d.dref)
		return -1;
	memset(code, 0, d.nwords);
	for (size_t i = 0; i < nroots; i++)
		discover(&d, roots[i]);
	free(d.dref);
	return 0;
}

int pxdis_write(FILE *f, const struct pxdis_image *img, const struct pxdis_options *opt,
		struct pxdis_stats *st)
{
	static const struct pxdis_options defaults;
	struct pxdis_stats dummy;
	if (!opt)
		opt = &defaults;
	if (!st)
		st = &dummy;
	memset(st, 0, sizeof *st);
	if ((img->base & 3u) || img->base > PXVM_MEM_SIZE || img->size > PXVM_MEM_SIZE - img->base)
		return -1;

	struct dis d = { .img = img, .opt = opt };
	d.nwords = img->size / 4;
	d.code = calloc(d.nwords + 1, 1);
	d.dref = calloc(img->size + 1, 1);
	d.start = calloc(img->size + 1, 1);
	d.label = calloc(img->size + 1, 1);
	d.next_ref = calloc(img->size + 1, sizeof *d.next_ref);
	if (!d.code || !d.dref || !d.start || !d.label || !d.next_ref) {
		free(d.code), free(d.dref), free(d.start), free(d.label), free(d.next_ref);
		return -1;
	}
	d.labels = !opt->no_labels && img->base >= PXVM_IMAGE_BASE;

	discover(&d, img->entry);
	layout(&d);
	if (d.labels)
		find_labels(&d);

	struct out o = { f, !opt->no_addresses };
	if (opt->title) { /* a file name may hold anything; keep the comment on one line */
		fputs("; pxdis: ", f);
		for (const char *c = opt->title; *c; c++)
			fputc((unsigned char)*c < 0x20 || *c == 0x7F ? '?' : *c, f);
		fputc('\n', f);
	}
	fprintf(f, "; %zu bytes at 0x%04X..0x%04zX", img->size, (unsigned)img->base, img->base + img->size);
	if (img->pxe)
		fprintf(f, ", entry 0x%04X", (unsigned)img->entry);
	fputc('\n', f);
	if (img->base != PXVM_IMAGE_BASE) {
		if (d.labels)
			fprintf(f, "; reassembled, the image starts with 0x%X zero bytes before 0x%04X\n"
				   "        .org 0x%04X\n",
				(unsigned)(img->base - PXVM_IMAGE_BASE), (unsigned)img->base, (unsigned)img->base);
		else
			fprintf(f, "; the base is below pxasm's 0x0200: addresses stay numeric\n");
	}
	if (img->pxe && img->entry != PXVM_IMAGE_BASE &&
	    !(d.labels && d.label[img->entry - img->base] == LB_ENTRY))
		fprintf(f, "        .entry 0x%04X\n", (unsigned)img->entry);
	emit(&d, &o, st);

	free(d.code), free(d.dref), free(d.start), free(d.label), free(d.next_ref), free(d.items);
	return ferror(f) ? -1 : 0;
}

void pxdis_image_free(struct pxdis_image *img)
{
	free(img->bytes);
	free(img->known);
	img->bytes = NULL;
	img->known = NULL;
}
