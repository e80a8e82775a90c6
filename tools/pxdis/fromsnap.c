/*
 * fromsnap.c — pxdis input from a snapshot (docs/snapshots.md): a process's
 * whole 64 KiB memory image, exact (all four bytes of every word, unlike a
 * screendump's tile), taken from the snapshot's state.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pxdis.h"
#include "pxvm/abi.h"
#include "tools/common/snapfile.h"

int pxdis_from_snapshot(const char *path, uint32_t pid, uint32_t from, uint32_t to, struct pxdis_image *img,
			uint32_t *pc, char *name, size_t name_cap, char *err, size_t cap)
{
	struct snapfile sf;
	struct snap_proc procs[NPROC];
	memset(img, 0, sizeof *img);
	if ((from & 3u) || (to & 3u) || from >= PXVM_MEM_SIZE || to > PXVM_MEM_SIZE || (to && to <= from)) {
		snprintf(err, cap, "bad range 0x%04X..0x%04X: 4-aligned, start below end, end at most 0x10000",
			 (unsigned)from, (unsigned)to);
		return -1;
	}
	if (snapfile_read(path, &sf, err, cap) != 0)
		return -1;
	int n = snapfile_procs(&sf, procs, NPROC, err, cap);
	int rc = -1;
	const struct snap_proc *p = 0;
	for (int i = 0; i < n; i++)
		if (procs[i].pid == pid)
			p = &procs[i];
	uint32_t regs[8];
	const uint8_t *mem = p ? snapfmt_pxvm_memory(p, pc, regs) : 0;
	if (n < 0) {
		/* err is set */
	} else if (!p) {
		snprintf(err, cap, "%s: the snapshot holds no pid %u", path, (unsigned)pid);
	} else if (!mem) {
		snprintf(err, cap, "%s: pid %u (%s) has no memory in the snapshot (%s)", path, (unsigned)pid, p->name,
			 p->record ? "a kind pxdis does not read" : "it had ended");
	} else {
		if (!to) {
			to = from + 4;
			for (uint32_t a = from; a < PXVM_STACK_TOP; a += 4)
				if (mem[a] | mem[a + 1] | mem[a + 2] | mem[a + 3])
					to = a + 4;
		}
		snprintf(name, name_cap, "%s", p->name);
		rc = pxdis_from_raw(mem + from, to - from, from, *pc >= from && *pc < to ? *pc : from, img, err, cap);
	}
	snapfile_free(&sf);
	return rc;
}
