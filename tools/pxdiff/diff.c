/*
 * diff.c — comparing two pictures of a machine, the report and the marked
 * image; see pxdiff.h.
 */
#include <stdlib.h>
#include <string.h>

#include "pxvm/disasm.h"
#include "pxvm/isa.h"
#include "tools/pxdiff/pxdiff.h"

void pxdiff_result_free(struct pxdiff_result *r)
{
	for (uint32_t i = 0; i < r->npairs; i++)
		free(r->pairs[i].words);
	free(r->pairs);
	memset(r, 0, sizeof(*r));
}

/* partner: B's process for A's `p`: the same pid when both know pids, else
 * the same slot; NULL when there is none. */
static const struct pxdiff_proc *partner(const struct pxdiff_proc *p, const struct pxdiff_machine *b)
{
	for (uint32_t i = 0; i < b->nproc; i++) {
		const struct pxdiff_proc *q = &b->proc[i];
		if (p->pid && q->pid ? p->pid == q->pid : p->slot != PXDIFF_NONE && p->slot == q->slot)
			return q;
	}
	return 0;
}

static int compare_pair(struct pxdiff_pair *x)
{
	x->known = x->a->known & x->b->known;
	for (uint32_t i = 0; i < PXVM_MEM_WORDS; i++)
		x->nwords += ((x->a->mem[i] ^ x->b->mem[i]) & x->known) != 0;
	x->words = malloc((x->nwords ? x->nwords : 1) * sizeof(*x->words));
	if (!x->words)
		return -1;
	uint32_t k = 0;
	for (uint32_t i = 0; i < PXVM_MEM_WORDS; i++)
		if ((x->a->mem[i] ^ x->b->mem[i]) & x->known)
			x->words[k++] = (struct pxdiff_word){ i * 4, x->a->mem[i], x->b->mem[i] };
	if (x->a->has_canvas && x->b->has_canvas)
		for (uint32_t i = 0; i < PXVM_MEM_WORDS; i++)
			x->canvas_px += ((x->a->canvas[i] ^ x->b->canvas[i]) & 0xFFFFFFu) != 0;
	return 0;
}

/* inside: whether screen pixel (x, y) lies in a tile or canvas of `m`. */
static bool inside(const struct pxdiff_machine *m, uint32_t x, uint32_t y)
{
	for (uint32_t i = 0; i < m->nproc; i++) {
		const struct pxdiff_proc *p = &m->proc[i];
		if (p->tile_x >= 0 && x - (uint32_t)p->tile_x < PXVM_TILE_W && y - (uint32_t)p->tile_y < PXVM_TILE_H)
			return true;
		if (p->has_canvas && p->canvas_x >= 0 && x - (uint32_t)p->canvas_x < PXVM_TILE_W &&
		    y - (uint32_t)p->canvas_y < PXVM_TILE_H)
			return true;
	}
	return false;
}

int pxdiff_compare(const struct pxdiff_machine *a, const struct pxdiff_machine *b, struct pxdiff_result *r)
{
	memset(r, 0, sizeof(*r));
	r->pairs = calloc((size_t)a->nproc + b->nproc + 1, sizeof(*r->pairs));
	if (!r->pairs)
		return -1;
	for (uint32_t i = 0; i < a->nproc; i++) {
		struct pxdiff_pair *x = &r->pairs[r->npairs++];
		x->a = &a->proc[i];
		x->b = partner(x->a, b);
		if (x->b && compare_pair(x) != 0)
			return -1;
		r->changed += !x->b || x->nwords || x->canvas_px;
	}
	for (uint32_t i = 0; i < b->nproc; i++) {
		bool paired = false;
		for (uint32_t k = 0; k < r->npairs && !paired; k++)
			paired = r->pairs[k].b == &b->proc[i];
		if (!paired) {
			r->pairs[r->npairs++].b = &b->proc[i];
			r->changed++;
		}
	}
	r->same_screen = a->rgb && b->rgb && a->width == b->width && a->height == b->height;
	if (r->same_screen)
		for (uint32_t y = 0; y < a->height; y++)
			for (uint32_t x = 0; x < a->width; x++) {
				size_t o = ((size_t)y * a->width + x) * 3;
				if (memcmp(a->rgb + o, b->rgb + o, 3) && !inside(a, x, y) && !inside(b, x, y))
					r->screen_px++;
			}
	return 0;
}

bool pxdiff_is_code(const struct pxdiff_proc *p, uint32_t addr)
{
	return addr < PXVM_MEM_SIZE && !(addr & 3u) && p->code[addr / 4] == 1;
}

/* hex: the word with its unknown bytes as ?? ("0x??0001f4"). */
static const char *hex(char *buf, uint32_t v, uint32_t known)
{
	if (known == 0xFFFFFFFFu)
		snprintf(buf, 16, "0x%08x", v);
	else
		snprintf(buf, 16, "0x??%06x", v & 0xFFFFFFu);
	return buf;
}

/* show: the word at `addr` of `p` as the report shows it: its disassembly when
 * it is code (with "?" when an unknown byte is an operand), else ".word". */
static void show(char *buf, size_t cap, const struct pxdiff_proc *p, uint32_t addr, uint32_t w)
{
	char h[16];
	if (!pxdiff_is_code(p, addr) || !pxvm_opinfo(w & 0xFFu)->name || (w & pxvm_opinfo(w & 0xFFu)->zero_mask)) {
		snprintf(buf, cap, ".word %s", hex(h, w, p->known));
		return;
	}
	uint32_t next = addr + 4 < PXVM_MEM_SIZE ? p->mem[(addr + 4) >> 2] : 0;
	pxvm_disasm(w, next, addr, buf, cap);
	const struct pxvm_opinfo *op = pxvm_opinfo(w & 0xFFu);
	bool unsure = (p->known & 0xFF000000u) != 0xFF000000u && !(op->zero_mask & 0xFF000000u);
	if (unsure && strlen(buf) + 2 < cap)
		strcat(buf, " ?");
}

static const char *who(char *buf, size_t cap, const struct pxdiff_proc *p)
{
	if (p->pid && p->slot != PXDIFF_NONE)
		snprintf(buf, cap, "pid %u (%s%sslot %u)", p->pid, p->name, *p->name ? ", " : "", p->slot);
	else if (p->pid)
		snprintf(buf, cap, "pid %u (%s)", p->pid, *p->name ? p->name : "unseen");
	else
		snprintf(buf, cap, "slot %u", p->slot);
	return buf;
}

void pxdiff_report(FILE *f, const char *name_a, const char *name_b, const struct pxdiff_machine *a,
                   const struct pxdiff_machine *b, const struct pxdiff_result *r, const struct pxdiff_options *opt)
{
	char n[96], sa[PXVM_DISASM_MAX + 8], sb[PXVM_DISASM_MAX + 8];
	uint64_t words = 0, canvas = 0;
	fprintf(f, "A %s: %s, %u x %u, %u process%s\nB %s: %s, %u x %u, %u process%s\n", name_a, a->kind, a->width,
	        a->height, a->nproc, a->nproc == 1 ? "" : "es", name_b, b->kind, b->width, b->height, b->nproc,
	        b->nproc == 1 ? "" : "es");
	if ((a->nproc && a->proc[0].known != 0xFFFFFFFFu) || (b->nproc && b->proc[0].known != 0xFFFFFFFFu))
		fprintf(f, "(a screendump holds bytes 0..2 of each word: byte 3 shows as ??, and an instruction whose "
		           "operand it is as \"?\")\n");
	for (uint32_t i = 0; i < r->npairs; i++) {
		const struct pxdiff_pair *x = &r->pairs[i];
		if (!x->a || !x->b) {
			fprintf(f, "%s: only in %s\n", who(n, sizeof(n), x->a ? x->a : x->b), x->a ? "A" : "B");
			continue;
		}
		words += x->nwords;
		canvas += x->canvas_px;
		if (!x->nwords && !x->canvas_px) {
			if (!opt->quiet)
				fprintf(f, "%s: unchanged\n", who(n, sizeof(n), x->b));
			continue;
		}
		fprintf(f, "%s: %u word%s of memory changed", who(n, sizeof(n), x->b), x->nwords, x->nwords == 1 ? "" : "s");
		if (x->a->has_canvas && x->b->has_canvas)
			fprintf(f, ", %u canvas pixel%s", x->canvas_px, x->canvas_px == 1 ? "" : "s");
		fputc('\n', f);
		if (opt->quiet)
			continue;
		uint32_t shown = opt->max_words && opt->max_words < x->nwords ? opt->max_words : x->nwords;
		for (uint32_t k = 0; k < shown; k++) {
			const struct pxdiff_word *w = &x->words[k];
			bool code = pxdiff_is_code(x->a, w->addr) || pxdiff_is_code(x->b, w->addr);
			char ha[16], hb[16];
			if (code) {
				show(sa, sizeof(sa), x->a, w->addr, w->a);
				show(sb, sizeof(sb), x->b, w->addr, w->b);
				fprintf(f, "  0x%04x  code  %-28s -> %s\n", w->addr, sa, sb);
			} else {
				fprintf(f, "  0x%04x  data  %-28s -> %s\n", w->addr, hex(ha, w->a, x->known),
				        hex(hb, w->b, x->known));
			}
		}
		if (shown < x->nwords)
			fprintf(f, "  ... %u more (--words N, or --all)\n", x->nwords - shown);
	}
	if (r->same_screen)
		fprintf(f, "screen: %llu other pixel%s changed (tables, labels, console)\n", (unsigned long long)r->screen_px,
		        r->screen_px == 1 ? "" : "s");
	else if (a->rgb && b->rgb)
		fprintf(f, "screen: the sizes differ (%u x %u, %u x %u): processes compared, not the rest\n", a->width,
		        a->height, b->width, b->height);
	fprintf(f, "summary: %u of %u process%s changed: %llu word%s, %llu canvas pixel%s\n", r->changed, r->npairs,
	        r->npairs == 1 ? "" : "es", (unsigned long long)words, words == 1 ? "" : "s",
	        (unsigned long long)canvas, canvas == 1 ? "" : "s");
}

static void put(uint8_t *rgb, uint32_t w, uint32_t h, int x, int y, uint32_t c)
{
	if (x < 0 || y < 0 || (uint32_t)x >= w || (uint32_t)y >= h)
		return;
	uint8_t *p = rgb + ((size_t)y * w + (uint32_t)x) * 3;
	p[0] = (uint8_t)c;
	p[1] = (uint8_t)(c >> 8);
	p[2] = (uint8_t)(c >> 16);
}

#define MARK_WORD   0x2828FFu /* red (0x00BBGGRR) */
#define MARK_CANVAS 0x28FFFFu /* yellow */
#define MARK_SCREEN 0xFFA050u /* blue */
#define MARK_FRAME  0x0000FFu

int pxdiff_mark(const struct pxdiff_machine *a, const struct pxdiff_machine *b, const struct pxdiff_result *r,
                uint8_t **out, uint32_t *w, uint32_t *h)
{
	const struct pxdiff_machine *m = b->rgb ? b : a;
	if (!m->rgb)
		return -1;
	*w = m->width;
	*h = m->height;
	size_t n = (size_t)*w * *h * 3;
	uint8_t *rgb = *out = malloc(n);
	if (!rgb)
		return -1;
	for (size_t i = 0; i < n; i++)
		rgb[i] = m->rgb[i] / 3;
	if (r->same_screen)
		for (uint32_t y = 0; y < *h; y++)
			for (uint32_t x = 0; x < *w; x++) {
				size_t o = ((size_t)y * *w + x) * 3;
				if (memcmp(a->rgb + o, b->rgb + o, 3) && !inside(a, x, y) && !inside(b, x, y))
					put(rgb, *w, *h, (int)x, (int)y, MARK_SCREEN);
			}
	for (uint32_t i = 0; i < r->npairs; i++) {
		const struct pxdiff_pair *x = &r->pairs[i];
		const struct pxdiff_proc *p = m == b ? x->b : x->a;
		if (!p || p->tile_x < 0 || (x->a && x->b && !x->nwords && !x->canvas_px))
			continue;
		for (uint32_t k = 0; k < x->nwords; k++) {
			uint32_t wi = x->words[k].addr / 4;
			put(rgb, *w, *h, p->tile_x + (int)(wi % PXVM_TILE_W), p->tile_y + (int)(wi / PXVM_TILE_W), MARK_WORD);
		}
		if (x->a && x->b && x->a->has_canvas && x->b->has_canvas)
			for (uint32_t k = 0; k < PXVM_MEM_WORDS; k++)
				if ((x->a->canvas[k] ^ x->b->canvas[k]) & 0xFFFFFFu)
					put(rgb, *w, *h, p->canvas_x + (int)(k % PXVM_TILE_W), p->canvas_y + (int)(k / PXVM_TILE_W),
					    MARK_CANVAS);
		for (int d = -3; d < (int)PXVM_TILE_W + 3; d++) { /* a frame 2 pixels outside the tile */
			put(rgb, *w, *h, p->tile_x + d, p->tile_y - 3, MARK_FRAME);
			put(rgb, *w, *h, p->tile_x + d, p->tile_y + (int)PXVM_TILE_H + 2, MARK_FRAME);
			put(rgb, *w, *h, p->tile_x - 3, p->tile_y + d, MARK_FRAME);
			put(rgb, *w, *h, p->tile_x + (int)PXVM_TILE_W + 2, p->tile_y + d, MARK_FRAME);
		}
	}
	return 0;
}
