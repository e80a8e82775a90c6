/*
 * cmd_snapshot.c — `pxfs snapshot SNAP.png [PATH]`: what a machine snapshot
 * holds (docs/snapshots.md): its head (format, build id, sizes), its
 * sections, its processes and its RAM files; with PATH, that RAM file's bytes
 * to stdout (the files written since boot live in the snapshot, not in
 * PixelFS).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/pxfs/pxfs_tool.h"
#include "tools/common/snapfile.h"
#include "pxvm/snapio.h"

static const char *const states[] = { "free", "runnable", "running", "blocked", "zombie" };
static const char *const blocks[] = { "-", "wait", "sleep", "ipc", "read", "trap", "debug" };

/* ram_files: walk section VFS v1's RAM files; print them, or (path != NULL)
 * write that one to stdout. Returns 0, 1 when path is not there, -1 bad. */
static int ram_files(const struct snapfile *sf, const char *path)
{
	struct snap_section s;
	if (snapfmt_find(sf->state, sf->state_len, "VFS ", &s) || s.version != 2)
		return -1;
	struct snapr r = { s.body, s.len, 0, false };
	uint32_t n = snapr_u32(&r);
	if (!path)
		printf("RAM files: %u\n", (unsigned)n);
	for (uint32_t k = 0; k < n && !r.bad; k++) {
		char p[PXFS_PATH_MAX];
		snapr_u32(&r);
		snapr_str(&r, p, sizeof p);
		uint32_t type = snapr_u32(&r);
		snapr_u32(&r); /* tree */
		uint32_t unlinked = snapr_u32(&r), size = snapr_u32(&r);
		const uint8_t *data = snapr_ptr(&r, size);
		if (r.bad)
			return -1;
		if (!path) {
			printf("  %-7s %8u  %s\n", type == PXFS_TYPE_PROGRAM ? "program" : type == PXFS_TYPE_TEXT ? "text" : "data",
			       (unsigned)size, unlinked ? "(unlinked, still open)" : p);
		} else if (!unlinked && !strcmp(p, path)) {
			return fwrite(data, 1, size, stdout) == size ? 0 : -1;
		}
	}
	return r.bad ? -1 : path ? 1 : 0;
}

int cmd_snapshot(int argc, char **argv)
{
	if (argc != 2 && argc != 3) {
		tool_error("snapshot", "usage: pxfs snapshot SNAP.png [PATH]");
		return 1;
	}
	struct snapfile sf;
	char why[256];
	struct snap_proc procs[NPROC];
	if (snapfile_read(argv[1], &sf, why, sizeof why) ||
	    snapfmt_info(sf.state, sf.state_len, &sf.info, why, sizeof why)) {
		tool_error(argv[1], "%s", why);
		snapfile_free(&sf);
		return 1;
	}
	if (argc == 3) {
		int rc = ram_files(&sf, argv[2]);
		if (rc)
			tool_error(argv[1], rc > 0 ? "no RAM file %s in the snapshot" : "section VFS is damaged (%s)", argv[2]);
		snapfile_free(&sf);
		return rc ? 1 : 0;
	}
	int n = snapfile_procs(&sf, procs, NPROC, why, sizeof why);
	if (n < 0) {
		tool_error(argv[1], "%s", why);
		snapfile_free(&sf);
		return 1;
	}
	printf("snapshot: format %u, taken by %s (this pxfs: %s)\n", (unsigned)sf.info.format, sf.info.build_id,
	       snap_build_id());
	printf("picture: %ux%u RGB; file %zu bytes; state %zu bytes%s, CRC-32 %08x\n", (unsigned)sf.width,
	       (unsigned)sf.height, sf.file_len, sf.state_len, sf.info.flags & SNAP_F_ZLIB ? " (zlib)" : "",
	       (unsigned)sf.info.state_crc);
	printf("clock %" PRIu64 " us, %" PRIu64 " instructions, %u visible slots\n", sf.info.clock_us, sf.info.steps,
	       (unsigned)sf.info.nslots);
	printf("sections:");
	struct snapr r = { sf.state, sf.state_len, 0, false };
	struct snap_section s;
	while (snapfmt_section_next(&r, &s) == 1)
		printf(" %s v%u (%u)", s.tag, (unsigned)s.version, (unsigned)s.len);
	printf("\nprocesses: %d\n  PID  PPID STATE    BLOCK  SLOT   PC     INSTRUCTIONS NAME\n", n);
	for (int i = 0; i < n; i++) {
		const struct snap_proc *p = &procs[i];
		uint32_t pc = 0, regs[8];
		char slot[12] = "-";
		if (p->slot != 0xFFFFFFFFu)
			snprintf(slot, sizeof slot, "%u", (unsigned)p->slot);
		const uint8_t *mem = snapfmt_pxvm_memory(p, &pc, regs);
		uint64_t steps = 0;
		if (mem && p->record_len >= 52)
			memcpy(&steps, p->record + 44, 8); /* after magic, version, R0..R7, pc */
		printf("%5u %5u %-8s %-6s %-4s %s%04X %14" PRIu64 " %s\n", (unsigned)p->pid, (unsigned)p->ppid,
		       p->state < 5 ? states[p->state] : "?", p->block < 7 ? blocks[p->block] : "?", slot,
		       mem ? "0x" : "  ", mem ? (unsigned)pc : 0, steps, p->name);
	}
	int rc = ram_files(&sf, 0);
	if (rc)
		tool_error(argv[1], "section VFS is damaged");
	snapfile_free(&sf);
	return rc ? 1 : 0;
}
