/*
 * view.h — which process each visible slot of the screen shows.
 *
 * Processes do not depend on the screen: the table always has NPROC entries,
 * a process's memory is its 64 KiB RAM image and its canvas is in RAM
 * (pxvm/canvas.h). The platform shows `nslots` slots (0 with no screen: then
 * every process runs unseen), each a tile (exactly the 128 x 128 words of a
 * process's memory) and a canvas; this module decides which process each
 * shows and sends their changed rows to the platform (pxhost_show_tile,
 * pxhost_show_canvas). The rules, in docs/architecture.md:
 *
 *  1. A new process takes a free slot: one that shows nobody, else the one
 *     whose process ended longest ago. With none free it runs unseen.
 *  2. A slot whose process ends keeps its last image, labelled as ended,
 *     until it is needed: between quanta, unseen live processes take the
 *     free slots (the console's foreground process first, then by pid).
 *  3. A process that becomes the console's foreground while unseen takes a
 *     free slot, else the slot assigned longest ago.
 *  4. Paging (view_page: the console's Ctrl-^, the monitor's `page`): the
 *     live processes in pid order make pages of nslots; choosing page k
 *     shows its processes in slots 0, 1, ... and empties the slots left;
 *     the others run unseen until a rule above gives them a slot.
 *
 * Portable; unit-tested on the host (tests/unit/test_view.c).
 */
#ifndef PXVM_VIEW_H
#define PXVM_VIEW_H

#include <stdint.h>
#include <stdbool.h>
#include "proc.h"

/* What a slot shows (for the platform's slot labels). */
struct view_slot {
	uint32_t pid;            /* the process shown, or that ended there; 0 = nobody */
	bool ended;              /* pid has ended: its last image stays until needed */
	uint32_t status;         /* ended: its exit status (as WAIT reports it) */
	uint64_t since;          /* when it was assigned (a sequence number) */
	uint64_t ended_at;       /* ended: when (a sequence number) */
	char name[PROC_NAME_MAX];
};

/* view_init: `nslots` visible slots (at most VIEW_SLOTS_MAX), all empty,
 * page 1; registers view_proc_gone as a teardown hook. */
void view_init(uint32_t nslots);

/* view_slots: the number of visible slots. */
uint32_t view_slots(void);

/* view_slot: slot `i` (< view_slots()). */
const struct view_slot *view_slot(uint32_t i);

/* view_attach: new live process `p` (spawned or forked) takes a free slot
 * (rule 1) and is shown there in full, or runs unseen. */
void view_attach(struct proc *p);

/* view_flush: show the rows of `p`'s memory (p->vm.dirty) and canvas
 * (p->canvas_dirty) changed since the last flush, in its slot if it has one,
 * and clear those marks. */
void view_flush(struct proc *p);

/* view_tick: between quanta: `fg` is the console's foreground pid (0 = none):
 * rules 2 and 3. Cheap when nothing changed. */
void view_tick(uint32_t fg);

/* view_page: show page `k` (0-based, taken modulo the page count; -1: the
 * page after the current one), rule 4. */
void view_page(int32_t k);

/* view_page_index: the page chosen last (0-based). */
uint32_t view_page_index(void);

/* view_page_count: pages of live processes, max(1, ceil(live / slots)). */
uint32_t view_page_count(void);

/* view_unseen: live processes no slot shows. */
uint32_t view_unseen(void);

struct snapw;
struct snapr;
/* view_snap_save / view_snap_load: the slots as section VIEW v1
 * (pxvm/snap.h); load with `apply` false only checks, true loads into the
 * module just reset by its init. -PXE_EINVAL, or (applied) 1 when the
 * slots were restored (the screen has as many slots as the snapshot's), else 0. */
void view_snap_save(struct snapw *w);
int view_snap_load(struct snapr *r, bool apply);
/* view_snap_show: after a snapshot is loaded: unless `restored`, the live
 * processes take the slots in pid order (rule 1); every slot is then shown in
 * full. */
void view_snap_show(bool restored);

#endif /* PXVM_VIEW_H */
