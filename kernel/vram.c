/*
 * vram.c — the VRAM substrate: layout, static drawing, tiles and canvases;
 * see vram.h.
 */
#include "vram.h"
#include "vram_watch.h"
#include "param.h"
#include "pxvm/isa.h"
#include "pxvm/abi.h"
#include "pxvm/canvas.h"
#include "pxvm/proc.h"
#include "pxvm/syscall.h"
#include "pxvm/view.h"
#include "pxvm/port.h"
#include "boot/bootinfo.h"

#define COL_BG        FB_RGB(6, 6, 14)
#define COL_TEXT      FB_RGB(210, 210, 210)
#define COL_DIM       FB_RGB(120, 120, 130)
#define COL_FRAME     FB_RGB(70, 70, 90)
#define COL_TILE_BG   FB_RGB(0, 0, 0)
#define GAP 4

static const uint32_t header_bg[VR_COUNT] = {
	FB_RGB(30, 30, 60), FB_RGB(60, 24, 24), FB_RGB(20, 52, 28),
	FB_RGB(56, 50, 18), FB_RGB(18, 48, 56), FB_RGB(48, 22, 56),
};

static const char *const region_names[VR_COUNT] = {
	"metadata", "palette", "kernel", "syscalls", "processes", "programs",
};

static const char *const region_titles[VR_COUNT] = {
	"", "OPCODE PALETTE  opcode = red channel of the instruction pixel",
	"KERNEL  console", "SYSCALL TABLE  number name calls",
	"PROCESS TABLE  pid name state steps syscalls faults",
	"", /* PROGRAM AREA: programs_title() */
};

static struct fb fb;
static struct vram_layout L;
static bool ready;

/* Palette and syscall table geometry, derived in layout(). */
static uint32_t pal_cols, pal_cell_w;
static bool pal_labels;
static uint32_t sys_cols, sys_cell_w, proc_cols, proc_cell_w;
static int sys_compact; /* small screens: "num:count" cells without the name */

#define OPCODE_COUNT_X(name, code, fmt, imm, syn, doc) +1
static const uint32_t n_opcodes = 0 PXVM_OPCODES(OPCODE_COUNT_X);
#define SYSCALL_COUNT_X(name, num, cost, args, doc) +1
static const uint32_t n_syscalls = 0 PXVM_SYSCALLS(SYSCALL_COUNT_X);

static const uint8_t opcode_codes[] = {
#define OPCODE_CODE_X(name, code, fmt, imm, syn, doc) code,
	PXVM_OPCODES(OPCODE_CODE_X)
};
static const uint16_t syscall_numbers[] = {
#define SYSCALL_NUM_X(name, num, cost, args, doc) num,
	PXVM_SYSCALLS(SYSCALL_NUM_X)
};

const char *vram_region_name(enum vram_region r) { return (unsigned)r < VR_COUNT ? region_names[r] : "?"; }
bool vram_ready(void) { return ready; }
const struct vram_layout *vram_layout(void) { return &L; }
const struct fb *vram_fb(void) { return &fb; }

/* What each table cell and slot label shows now, so a refresh redraws only
 * what changed. */
#define CELL_MAX (NPROC + 1)
static struct shown {
	char text[48];
	uint32_t color;
} sys_shown[64], cell_shown[CELL_MAX], label_shown[VRAM_MAX_SLOTS];
static uint32_t ncells;        /* process-table cells that fit */
static uint64_t last_refresh;
static bool refreshed;

static uint32_t ceil_div(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

static void band(enum vram_region r, int *y, int body_h)
{
	int fh = (int)L.font->height;
	int header = r == VR_META ? 0 : fh;
	L.region[r] = (struct vram_rect){ 0, *y, (int)L.width, header + body_h };
	L.body[r] = (struct vram_rect){ 0, *y + header, (int)L.width, body_h };
	*y += header + body_h;
}

static int layout(void)
{
	const int fw = (int)L.font->width, fh = (int)L.font->height;
	const int W = (int)L.width, H = (int)L.height;
	const int line = fh + 2;

	/* Palette: labelled cells if they fit in four rows, else bare swatches. */
	pal_cell_w = (uint32_t)(fh + 2 + 7 * fw + 6);
	pal_cols = (uint32_t)W / pal_cell_w;
	pal_labels = pal_cols && ceil_div(n_opcodes, pal_cols) <= 4;
	if (!pal_labels) {
		pal_cell_w = (uint32_t)fh + 2;
		pal_cols = (uint32_t)W / pal_cell_w;
	}
	if (!pal_cols)
		return -1;
	int pal_h = (int)ceil_div(n_opcodes, pal_cols) * line + 2;

	sys_cell_w = (uint32_t)(20 * fw); /* "nn NAME_____ count_" */
	sys_cols = (uint32_t)W / sys_cell_w;
	sys_compact = !sys_cols || ceil_div(n_syscalls, sys_cols) > 4;
	if (sys_compact) {
		sys_cell_w = (uint32_t)(10 * fw);
		sys_cols = (uint32_t)W / sys_cell_w;
	}
	proc_cell_w = (uint32_t)(40 * fw);
	proc_cols = (uint32_t)W / proc_cell_w;
	if (!sys_cols || !proc_cols)
		return -1;
	int sys_h = (int)ceil_div(n_syscalls, sys_cols) * line + 2;

	const int slot_w = (int)PXVM_TILE_W * 2 + GAP + 3 * GAP;
	const int slot_h = fh + 2 + (int)PXVM_TILE_H + GAP + 2;
	const int slot_cols = (W - GAP) / slot_w;
	if (slot_cols < 1)
		return -1;

	/* Most slot rows that leave the console at least 5 lines (3 if only one
	 * row fits); the process table is sized for the slots it will show. */
	int fixed = (fh + 3) + (fh + pal_h) + fh /* kernel header */ + (fh + sys_h) + fh /* procs header */ + fh;
	int slot_rows = 0, console_rows = 0, proc_h = 0;
	for (int sr = (H - fixed) / slot_h; sr >= 1; sr--) {
		uint32_t slots = (uint32_t)(sr * slot_cols);
		if (slots > NPROC)
			slots = NPROC;
		int ph = (int)ceil_div(slots, proc_cols) * line + 2;
		int cr = (H - fixed - ph - sr * slot_h) / fh;
		if (cr >= 5 || (sr == 1 && cr >= 3)) {
			slot_rows = sr;
			console_rows = cr > 10 ? 10 : cr;
			proc_h = ph;
			break;
		}
	}
	if (!slot_rows)
		return -1;

	int y = 0;
	band(VR_META, &y, fh + 3);
	band(VR_PALETTE, &y, pal_h);
	band(VR_KERNEL, &y, console_rows * fh);
	band(VR_SYSCALLS, &y, sys_h);
	band(VR_PROCS, &y, proc_h);
	band(VR_PROGRAMS, &y, H - y - fh);

	/* Centre the slot grid horizontally. */
	int x_off = (W - slot_cols * slot_w) / 2 + GAP;
	L.nslots = 0;
	for (int r = 0; r < slot_rows; r++) {
		for (int c = 0; c < slot_cols && L.nslots < VRAM_MAX_SLOTS; c++) {
			struct vram_slot *s = &L.slot[L.nslots++];
			int x0 = x_off + c * slot_w, y0 = L.body[VR_PROGRAMS].y + 2 + r * slot_h;
			s->label = (struct vram_rect){ x0, y0, 2 * (int)PXVM_TILE_W + GAP, fh };
			s->tile = (struct vram_rect){ x0 + 1, y0 + fh + 2, (int)PXVM_TILE_W, (int)PXVM_TILE_H };
			s->canvas = (struct vram_rect){ x0 + 1 + (int)PXVM_TILE_W + GAP, y0 + fh + 2,
			                                (int)PXVM_TILE_W, (int)PXVM_TILE_H };
		}
	}
	return 0;
}

/* The machine-readable record in row 0 (see vram.h). */
static void draw_record(void)
{
	uint32_t rec[18 + 4 * VRAM_MAX_SLOTS];
	uint32_t n = 0;
	rec[n++] = VRAM_RECORD_MAGIC0;
	rec[n++] = 'S' | (0u << 8) | (1u << 16); /* record format 0.1 */
	rec[n++] = L.width;
	rec[n++] = L.height;
	rec[n++] = L.nslots;
	rec[n++] = PXVM_TILE_W;
	for (int r = 0; r < VR_COUNT; r++) {
		rec[n++] = (uint32_t)L.region[r].y;
		rec[n++] = (uint32_t)L.region[r].h;
	}
	for (uint32_t i = 0; i < L.nslots; i++) {
		rec[n++] = (uint32_t)L.slot[i].tile.x;
		rec[n++] = (uint32_t)L.slot[i].tile.y;
		rec[n++] = (uint32_t)L.slot[i].canvas.x;
		rec[n++] = (uint32_t)L.slot[i].canvas.y;
	}
	for (uint32_t i = 0; i < n; i++)
		rec[i] &= 0xFFFFFFu; /* visible channels only: alpha 0 */
	fb_put_row(&fb, 0, 0, rec, n);
}

/* The program area's header: which page of processes the slots show. */
static char programs_title_shown[160];

static void programs_title(char *buf, size_t n)
{
	uint32_t unseen = view_unseen();
	int k = snprintf(buf, n, "PROGRAM AREA  page %u/%u", view_page_index() + 1, view_page_count());
	if (unseen && k > 0 && (size_t)k < n)
		k += snprintf(buf + k, n - (size_t)k, ", %u unseen (Ctrl-^ pages)", unseen);
	if (k > 0 && (size_t)k < n)
		snprintf(buf + k, n - (size_t)k, "  tile = 64 KiB of process memory, 1 word per pixel | canvas");
}

static void draw_header(int r, const char *title)
{
	const struct vram_rect *g = &L.region[r];
	fb_fill(&fb, g->x, g->y, g->w, (int)L.font->height, header_bg[r]);
	fb_text(&fb, L.font, g->x + 4, g->y, title, 200, COL_TEXT, FB_TRANSPARENT);
}

static void draw_headers(void)
{
	for (int r = 1; r < VR_PROGRAMS; r++)
		draw_header(r, region_titles[r]);
	programs_title(programs_title_shown, sizeof(programs_title_shown));
	draw_header(VR_PROGRAMS, programs_title_shown);
}

static void draw_palette(void)
{
	const struct vram_rect *b = &L.body[VR_PALETTE];
	const int fh = (int)L.font->height, line = fh + 2;
	for (uint32_t i = 0; i < n_opcodes; i++) {
		uint32_t op = opcode_codes[i];
		int x = b->x + 2 + (int)((i % pal_cols) * pal_cell_w);
		int y = b->y + 1 + (int)(i / pal_cols) * line;
		int sw = fh - 2;
		/* The literal instruction pixel: opcode in red, no operands. */
		fb_frame(&fb, x, y, sw + 2, sw + 2, COL_FRAME);
		fb_fill(&fb, x + 1, y + 1, sw, sw, op);
		if (pal_labels) {
			char buf[16];
			snprintf(buf, sizeof(buf), "%s", pxvm_opinfo(op)->name);
			fb_text(&fb, L.font, x + fh + 2, y, buf, sizeof(buf), COL_DIM, FB_TRANSPARENT);
		}
	}
}

/* show_text: draw `text` in `color` at x, y (COL_BG behind it, `cols`
 * columns) unless `cache` says it is there already. */
static void show_text(struct shown *cache, int x, int y, uint32_t cols, const char *text, uint32_t color)
{
	char buf[48];
	snprintf(buf, sizeof(buf), "%-*.*s", (int)cols, (int)cols, text);
	if (cache->color == color && !strcmp(cache->text, buf))
		return;
	snprintf(cache->text, sizeof(cache->text), "%s", buf);
	cache->color = color;
	fb_text(&fb, L.font, x, y, buf, cols, color, COL_BG);
}

void vram_fmt_count(char *buf, size_t width, uint64_t v)
{
	static const char units[] = "kMGTPE";
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v);
	/* Drop three digits at a time for the next unit until it fits. */
	for (const char *u = units; (size_t)n > width && *u; u++) {
		v /= 1000;
		n = snprintf(tmp, sizeof(tmp), "%llu%c", (unsigned long long)v, *u);
	}
	snprintf(buf, width + 1, "%s", tmp);
}

static void draw_syscall_counts(void)
{
	const struct vram_rect *b = &L.body[VR_SYSCALLS];
	const int line = (int)L.font->height + 2;
	for (uint32_t i = 0; i < n_syscalls && i < 64; i++) {
		uint32_t num = syscall_numbers[i];
		char buf[32], cnt[16];
		vram_fmt_count(cnt, 6, sys_count(num));
		if (sys_compact)
			snprintf(buf, sizeof(buf), "%2u:%-6s", num, cnt);
		else
			snprintf(buf, sizeof(buf), "%2u %-9s %-6s", num, pxvm_syscall_name(num), cnt);
		int x = b->x + 4 + (int)((i % sys_cols) * sys_cell_w);
		int y = b->y + 1 + (int)(i / sys_cols) * line;
		show_text(&sys_shown[i], x, y, sys_compact ? 9 : 19, buf, COL_TEXT);
	}
}

static uint32_t state_color(const struct proc *p)
{
	switch (p->state) {
	case PROC_RUNNABLE:
	case PROC_RUNNING: return FB_RGB(120, 230, 120);
	case PROC_BLOCKED: return FB_RGB(230, 200, 90);
	case PROC_ZOMBIE:  return FB_RGB(160, 160, 160);
	default:           return FB_RGB(90, 90, 100);
	}
}

/* The short state word of the process table: ready, run, a block reason, zombie. */
static const char *state_word(const struct proc *p)
{
	switch (p->state) {
	case PROC_RUNNABLE: return "ready";
	case PROC_RUNNING:  return "run";
	case PROC_BLOCKED:  return proc_block_name(p->block);
	case PROC_ZOMBIE:   return "zombie";
	default:            return "free";
	}
}

void vram_proc_cell_text(char *buf, size_t n, const struct proc *p)
{
	char steps[24], calls[24];
	vram_fmt_count(steps, 9, p->vm.steps);
	vram_fmt_count(calls, 6, p->syscalls);
	/* pid name state steps syscalls faults: 38 of the cell's 39 columns. */
	snprintf(buf, n, "%3u %-8.8s %-6.6s %9.9s %6.6s %u", p->pid, p->name, state_word(p), steps, calls, p->faults);
}

/* cell_xy: the position of process-table cell `i`. */
static void cell_xy(uint32_t i, int *x, int *y)
{
	const struct vram_rect *b = &L.body[VR_PROCS];
	*x = b->x + 4 + (int)((i % proc_cols) * proc_cell_w);
	*y = b->y + 1 + (int)(i / proc_cols) * ((int)L.font->height + 2);
}

/* draw_procs: the process table: the processes the slots show, in slot
 * order, then the others (unseen, zombies) by pid; when they do not all fit,
 * the last cell says how many more there are. */
static void draw_procs(void)
{
	const struct proc *list[NPROC];
	uint32_t n = 0;
	for (uint32_t s = 0; s < view_slots(); s++) {
		const struct view_slot *v = view_slot(s);
		const struct proc *p = v->pid && !v->ended ? proc_find(v->pid) : 0;
		if (p && p->slot == s)
			list[n++] = p;
	}
	uint32_t shown = n;
	for (uint32_t i = 0; i < NPROC; i++) {
		const struct proc *p = proc_at(i);
		if (p->state == PROC_FREE || p->slot != PROC_NO_SLOT)
			continue;
		uint32_t k = n++;
		for (; k > shown && list[k - 1]->pid > p->pid; k--)
			list[k] = list[k - 1];
		list[k] = p;
	}
	for (uint32_t i = 0; i < ncells; i++) {
		char buf[64];
		int x, y;
		cell_xy(i, &x, &y);
		if (i + 1 == ncells && n > ncells) {
			snprintf(buf, sizeof(buf), "+%u more (ps lists them all)", n - ncells + 1);
			show_text(&cell_shown[i], x, y, PROC_CELL_COLS, buf, COL_DIM);
		} else if (i < n) {
			vram_proc_cell_text(buf, sizeof(buf), list[i]);
			show_text(&cell_shown[i], x, y, PROC_CELL_COLS, buf, state_color(list[i]));
		} else {
			show_text(&cell_shown[i], x, y, PROC_CELL_COLS, "-", COL_DIM);
		}
	}
}

void vram_slot_label(char *buf, size_t cap, uint32_t cols, uint32_t pid, const char *name, const char *tail)
{
	if (cols >= cap)
		cols = (uint32_t)cap - 1;
	size_t nlen = strlen(name), tlen = strlen(tail);
	char id[16];
	int idlen = snprintf(id, sizeof(id), "%u ", pid);
	if (4 + (size_t)idlen + nlen + tlen <= cols) {
		snprintf(buf, cap, "pid %s%s%s", id, name, tail);
		return;
	}
	if ((size_t)idlen + nlen + tlen <= cols) {
		snprintf(buf, cap, "%s%s%s", id, name, tail);
		return;
	}
	size_t room = cols > (size_t)idlen + tlen ? cols - (size_t)idlen - tlen : 0;
	if (room >= 2) /* "pid 7 organ~: killed" at its narrowest: "7 o~: killed" */
		snprintf(buf, cap, "%s%.*s~%s", id, (int)(room - 1), name, tail);
	else /* too narrow for any name: what fits of "7 : killed" */
		snprintf(buf, cap, "%.*s%s", (int)cols, id, tail);
	if (strlen(buf) > cols)
		buf[cols] = '\0';
}

/* draw_labels: the line above each slot: who it shows, and how it is; the
 * state always whole, however narrow the label (vram_slot_label). */
static void draw_labels(void)
{
	for (uint32_t i = 0; i < L.nslots && i < view_slots(); i++) {
		const struct view_slot *v = view_slot(i);
		const struct proc *p = v->pid && !v->ended ? proc_find(v->pid) : 0;
		const struct vram_rect *r = &L.slot[i].label;
		uint32_t cols = (uint32_t)(r->w / (int)L.font->width);
		char buf[64], tail[40];
		uint32_t color = COL_DIM;
		if (cols > sizeof(label_shown[i].text) - 1)
			cols = sizeof(label_shown[i].text) - 1;
		if (p) {
			snprintf(tail, sizeof(tail), " [%s]%s", state_word(p), p->vm.watch ? " watched" : "");
			color = state_color(p);
		} else if (v->ended && (v->status & PXVM_STATUS_FAULTED)) {
			snprintf(tail, sizeof(tail), ": fault %u", v->status & 0xFFu);
		} else if (v->ended && v->status == PXVM_STATUS_KILLED) {
			snprintf(tail, sizeof(tail), ": killed");
		} else if (v->ended) {
			snprintf(tail, sizeof(tail), ": exit %u", v->status & 0xFFu);
		} else {
			snprintf(buf, sizeof(buf), "slot %u: free", i);
			show_text(&label_shown[i], r->x, r->y, cols, buf, color);
			continue;
		}
		vram_slot_label(buf, sizeof(buf), cols, p ? p->pid : v->pid, p ? p->name : v->name, tail);
		show_text(&label_shown[i], r->x, r->y, cols, buf, color);
	}
}

void vram_refresh(uint64_t now_us, bool force)
{
	if (!ready || (!force && refreshed && now_us - last_refresh < VRAM_FRAME_US))
		return;
	refreshed = true;
	last_refresh = now_us;
	draw_procs();
	draw_labels();
	draw_syscall_counts();
	vram_watch_frame();
	char title[sizeof(programs_title_shown)];
	programs_title(title, sizeof(title));
	if (strcmp(title, programs_title_shown)) {
		memcpy(programs_title_shown, title, sizeof(title));
		draw_header(VR_PROGRAMS, title);
	}
}

static void draw_slots(void)
{
	for (uint32_t i = 0; i < L.nslots; i++) {
		const struct vram_slot *s = &L.slot[i];
		char buf[32];
		fb_frame(&fb, s->tile.x - 1, s->tile.y - 1, s->tile.w + 2, s->tile.h + 2, COL_FRAME);
		fb_frame(&fb, s->canvas.x - 1, s->canvas.y - 1, s->canvas.w + 2, s->canvas.h + 2, COL_FRAME);
		fb_fill(&fb, s->tile.x, s->tile.y, s->tile.w, s->tile.h, COL_TILE_BG);
		fb_fill(&fb, s->canvas.x, s->canvas.y, s->canvas.w, s->canvas.h, CANVAS_BG);
		snprintf(buf, sizeof(buf), "slot %u: free", i);
		show_text(&label_shown[i], s->label.x, s->label.y, (uint32_t)(s->label.w / (int)L.font->width), buf, COL_DIM);
	}
	for (uint32_t i = 0; i < ncells; i++) {
		int x, y;
		cell_xy(i, &x, &y);
		show_text(&cell_shown[i], x, y, PROC_CELL_COLS, "-", COL_DIM);
	}
}

int vram_init(const struct fb *f)
{
	fb = *f;
	ready = false;
	refreshed = false;
	memset(&L, 0, sizeof(L));
	memset(sys_shown, 0, sizeof(sys_shown));
	memset(cell_shown, 0, sizeof(cell_shown));
	memset(label_shown, 0, sizeof(label_shown));
	vram_watch_reset();
	L.width = fb.width;
	L.height = fb.height;
	L.font = font_builtin(fb.width >= 2560 && fb.height >= 1440 ? 32 : 16);
	if (!L.font)
		return -1;
	fb_fill(&fb, 0, 0, (int)fb.width, (int)fb.height, COL_BG);
	if (layout() != 0)
		return -1;
	ncells = (uint32_t)((L.body[VR_PROCS].h - 2) / ((int)L.font->height + 2)) * proc_cols;
	if (ncells > CELL_MAX)
		ncells = CELL_MAX;
	ready = true;
	draw_record();
	draw_headers();
	draw_palette();
	draw_syscall_counts();
	draw_slots();
	return 0;
}

void vram_status(const char *text)
{
	if (!ready)
		return;
	const struct vram_rect *b = &L.body[VR_META];
	fb_fill(&fb, b->x, b->y + 2, b->w, b->h - 2, COL_BG);
	fb_text(&fb, L.font, b->x + 4, b->y + 2, text, 256, COL_TEXT, FB_TRANSPARENT);
}

/* flush_rows: copy the rows of `words` marked in `rows` to `r` (PXVM_TILE_W
 * wide), or fill them with `blank` when words is NULL. */
static void flush_rows(const struct vram_rect *r, const uint32_t *words, const uint64_t rows[2], uint32_t blank)
{
	for (unsigned w = 0; w < 2; w++) {
		uint64_t bits = rows[w];
		while (bits) {
			unsigned y = w * 64 + (unsigned)__builtin_ctzll(bits);
			bits &= bits - 1;
			if (words)
				fb_put_row(&fb, r->x, r->y + (int)y, words + y * PXVM_TILE_W, PXVM_TILE_W);
			else
				fb_fill(&fb, r->x, r->y + (int)y, (int)PXVM_TILE_W, 1, blank);
		}
	}
}

void vram_tile_flush(unsigned slot, const uint32_t *words, const uint64_t rows[2])
{
	if (ready && slot < L.nslots)
		flush_rows(&L.slot[slot].tile, words, rows, COL_TILE_BG);
}

void vram_canvas_flush(unsigned slot, const uint32_t *words, const uint64_t rows[2])
{
	if (ready && slot < L.nslots && !vram_watch_pane(slot)) /* the watch pane is there (vram_watch.h) */
		flush_rows(&L.slot[slot].canvas, words, rows, CANVAS_BG);
}
