/*
 * view.c — visible slots; see view.h for the rules.
 */
#include "view.h"
#include "host.h"
#include "snapio.h"
#include "port.h"

static const uint64_t all_rows[PXVM_TILE_H / 64] = { ~0ull, ~0ull };

static struct view_slot slots[VIEW_SLOTS_MAX];
static uint32_t nslots;
static uint64_t seq;          /* assignment and end order */
static uint32_t page;         /* the page chosen last */
static uint32_t last_fg;      /* the foreground pid view_tick saw last */
static bool pending;          /* a slot may have become free for an unseen process */

/* view_proc_gone: `p` ends: its slot keeps its last image (flushed now) and
 * is marked ended (rule 2). */
static void view_proc_gone(struct proc *p);

void view_init(uint32_t n)
{
	nslots = n < VIEW_SLOTS_MAX ? n : VIEW_SLOTS_MAX;
	memset(slots, 0, sizeof(slots));
	seq = 0;
	page = 0;
	last_fg = 0;
	pending = false;
	proc_on_gone(view_proc_gone);
}

uint32_t view_slots(void) { return nslots; }
const struct view_slot *view_slot(uint32_t i) { return &slots[i < nslots ? i : 0]; }
uint32_t view_page_index(void) { return page; }

static bool live(const struct proc *p)
{
	return p && (p->state == PROC_RUNNABLE || p->state == PROC_RUNNING || p->state == PROC_BLOCKED);
}

/* shows: the live process slot `i` shows, or NULL. */
static struct proc *shows(uint32_t i)
{
	struct proc *p = slots[i].pid && !slots[i].ended ? proc_find(slots[i].pid) : 0;
	return p && p->slot == i ? p : 0;
}

/* blank: slot `i` shows nobody: an empty tile and canvas. */
static void blank(uint32_t i)
{
	memset(&slots[i], 0, sizeof(slots[i]));
	pxhost_show_tile(i, 0, all_rows);
	pxhost_show_canvas(i, 0, all_rows);
}

/* put: slot `i` shows `p` from now on, all of it. The process it showed, if
 * live, becomes unseen; a slot `p` had before becomes empty. */
static void put(uint32_t i, struct proc *p)
{
	struct proc *was = shows(i);
	if (was == p)
		return;
	if (was)
		was->slot = PROC_NO_SLOT;
	if (p->slot < nslots)
		blank(p->slot);
	memset(&slots[i], 0, sizeof(slots[i]));
	slots[i].pid = p->pid;
	slots[i].since = ++seq;
	snprintf(slots[i].name, sizeof(slots[i].name), "%s", p->name);
	p->slot = i;
	pxhost_show_tile(i, p->vm.mem, all_rows);
	pxhost_show_canvas(i, p->canvas, all_rows);
	p->vm.dirty[0] = p->vm.dirty[1] = 0;
	p->canvas_dirty[0] = p->canvas_dirty[1] = 0;
}

/* free_slot: a slot showing nobody (the lowest), else the one whose process
 * ended longest ago; nslots when every slot shows a live process. */
static uint32_t free_slot(void)
{
	uint32_t best = nslots;
	for (uint32_t i = 0; i < nslots; i++) {
		if (!slots[i].pid)
			return i;
		if (slots[i].ended && (best == nslots || slots[i].ended_at < slots[best].ended_at))
			best = i;
	}
	return best;
}

void view_attach(struct proc *p)
{
	p->slot = PROC_NO_SLOT;
	uint32_t i = free_slot();
	if (i < nslots)
		put(i, p);
}

void view_flush(struct proc *p)
{
	if (p->slot < nslots) {
		if (p->vm.mem && (p->vm.dirty[0] | p->vm.dirty[1]))
			pxhost_show_tile(p->slot, p->vm.mem, p->vm.dirty);
		if (p->canvas && (p->canvas_dirty[0] | p->canvas_dirty[1]))
			pxhost_show_canvas(p->slot, p->canvas, p->canvas_dirty);
	}
	p->vm.dirty[0] = p->vm.dirty[1] = 0;
	p->canvas_dirty[0] = p->canvas_dirty[1] = 0;
}

static void view_proc_gone(struct proc *p)
{
	if (p->slot >= nslots) {
		p->slot = PROC_NO_SLOT;
		return;
	}
	view_flush(p); /* the tile and canvas keep their last image */
	struct view_slot *s = &slots[p->slot];
	snprintf(s->name, sizeof(s->name), "%s", p->name); /* as it ended (after any EXEC) */
	s->ended = true;
	s->status = p->status;
	s->ended_at = ++seq;
	p->slot = PROC_NO_SLOT;
	pending = true;
}

/* unseen_first: the unseen live process to show next: `fg` first, then the
 * lowest pid; NULL when every live process is shown. */
static struct proc *unseen_first(uint32_t fg)
{
	struct proc *best = 0;
	for (uint32_t i = 0; i < NPROC; i++) {
		struct proc *p = proc_at(i);
		if (!live(p) || p->slot != PROC_NO_SLOT)
			continue;
		if (p->pid == fg)
			return p;
		if (!best || p->pid < best->pid)
			best = p;
	}
	return best;
}

uint32_t view_unseen(void)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < NPROC; i++)
		n += live(proc_at(i)) && proc_at(i)->slot == PROC_NO_SLOT;
	return n;
}

void view_tick(uint32_t fg)
{
	if (!nslots)
		return;
	if (fg != last_fg) {
		last_fg = fg;
		struct proc *f = proc_find(fg);
		if (live(f) && f->slot == PROC_NO_SLOT) {
			uint32_t i = free_slot();
			if (i == nslots) /* none free: the slot assigned longest ago */
				for (uint32_t k = i = 0; k < nslots; k++)
					if (slots[k].since < slots[i].since)
						i = k;
			put(i, f);
		}
	}
	if (!pending)
		return;
	pending = false;
	for (uint32_t i = free_slot(); i < nslots; i = free_slot()) {
		struct proc *p = unseen_first(fg);
		if (!p)
			break;
		put(i, p);
	}
}

/* live_by_pid: the live processes in pid order into out (NPROC entries);
 * returns how many. */
static uint32_t live_by_pid(struct proc **out)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < NPROC; i++) {
		struct proc *p = proc_at(i);
		if (!live(p))
			continue;
		uint32_t k = n++;
		for (; k > 0 && out[k - 1]->pid > p->pid; k--)
			out[k] = out[k - 1];
		out[k] = p;
	}
	return n;
}

uint32_t view_page_count(void)
{
	struct proc *list[NPROC];
	uint32_t n = live_by_pid(list);
	return nslots && n > nslots ? (n + nslots - 1) / nslots : 1;
}

void view_page(int32_t k)
{
	struct proc *list[NPROC];
	uint32_t n = live_by_pid(list), pages = view_page_count();
	if (!nslots)
		return;
	page = (k < 0 ? page + 1 : (uint32_t)k) % pages;
	for (uint32_t i = 0; i < n; i++)
		if (i / nslots != page && list[i]->slot < nslots) {
			blank(list[i]->slot);
			list[i]->slot = PROC_NO_SLOT;
		}
	for (uint32_t i = 0; i < nslots; i++) {
		uint32_t j = page * nslots + i;
		if (j < n)
			put(i, list[j]);
		else if (slots[i].pid)
			blank(i);
	}
	pxhost_log(1, "view: page %u of %u (%u processes, %u slots)", page + 1, pages, n, nslots);
}

/* ---- snapshots (pxvm/snap.h, section VIEW v1) ----------------------------- */

void view_snap_save(struct snapw *w)
{
	snapw_u32(w, nslots);
	snapw_u64(w, seq);
	snapw_u32(w, page);
	snapw_u32(w, last_fg);
	snapw_u32(w, pending);
	for (uint32_t i = 0; i < nslots; i++) {
		const struct view_slot *s = &slots[i];
		snapw_u32(w, s->pid);
		snapw_u32(w, s->ended);
		snapw_u32(w, s->status);
		snapw_u64(w, s->since);
		snapw_u64(w, s->ended_at);
		snapw_bytes(w, s->name, PROC_NAME_MAX);
	}
}

int view_snap_load(struct snapr *r, bool apply)
{
	uint32_t n = snapr_u32(r);
	uint64_t sq = snapr_u64(r);
	uint32_t pg = snapr_u32(r), lfg = snapr_u32(r), pend = snapr_u32(r);
	if (r->bad || n > VIEW_SLOTS_MAX || pend > 1)
		return -PXE_EINVAL;
	bool same = n == nslots;
	for (uint32_t i = 0; i < n; i++) {
		struct view_slot s;
		s.pid = snapr_u32(r);
		uint32_t ended = snapr_u32(r);
		s.status = snapr_u32(r);
		s.since = snapr_u64(r);
		s.ended_at = snapr_u64(r);
		snapr_str(r, s.name, PROC_NAME_MAX);
		if (r->bad || ended > 1)
			return -PXE_EINVAL;
		s.ended = ended;
		if (apply && same)
			slots[i] = s;
	}
	if (apply && same) {
		seq = sq;
		page = pg;
		last_fg = lfg;
		pending = pend;
	}
	return apply ? same : 0;
}

void view_snap_show(bool restored)
{
	struct proc *list[NPROC];
	uint32_t n = live_by_pid(list);
	if (!restored) {
		/* Another screen: every slot starts empty and the live processes
		 * take them in pid order (rule 1); the rest run unseen. */
		for (uint32_t i = 0; i < NPROC; i++)
			proc_at(i)->slot = PROC_NO_SLOT;
		for (uint32_t i = 0; i < n; i++)
			view_attach(list[i]);
	} else {
		for (uint32_t i = 0; i < NPROC; i++) {
			struct proc *p = proc_at(i);
			if (p->slot != PROC_NO_SLOT &&
			    (!live(p) || p->slot >= nslots || slots[p->slot].pid != p->pid || slots[p->slot].ended))
				p->slot = PROC_NO_SLOT;
		}
	}
	/* The screen shows what the snapshot shows: each slot in full. */
	for (uint32_t i = 0; i < nslots; i++) {
		pxhost_show_tile(i, 0, all_rows);
		pxhost_show_canvas(i, 0, all_rows);
	}
	for (uint32_t i = 0; i < n; i++) {
		struct proc *p = list[i];
		p->vm.dirty[0] = p->vm.dirty[1] = ~0ull;
		p->canvas_dirty[0] = p->canvas_dirty[1] = p->canvas ? ~0ull : 0;
		view_flush(p);
	}
}
