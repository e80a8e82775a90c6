/*
 * vmm.c — page mapping with memory types, PAT and MTRR set-up; see vmm.h.
 */
#include "vmm.h"
#include "mtrr.h"
#include "pagemap.h"
#include "cpu.h"
#include "klog.h"
#include "lib.h"
#include "panic.h"
#include "param.h"
#include "pmm.h"

#define LOWER_HALF_END (1ull << 47)
#define PHYS_LIMIT     (1ull << 52)

struct mapping {
	uint64_t phys, end;   /* page-rounded physical range */
	uint64_t virt;        /* where phys is mapped */
	enum vmm_type type;
};

static struct pagemap pm;
static struct mtrr_state mtrr;
static bool have_pat, have_mtrr;
static uint64_t pat_before, identity_top;
static unsigned maxphyaddr = 36;
static int boundary_splits;
static struct mapping maps[VMM_MAPPINGS_MAX];
static unsigned nmaps;
static uint64_t window_next = VMM_WINDOW_BASE;

static uint64_t table_page(void *ctx)
{
	(void)ctx;
	return pmm_alloc(1);
}

const char *vmm_type_name(enum vmm_type type)
{
	switch (type) {
	case VMM_WB: return "WB";
	case VMM_WC: return "WC";
	case VMM_UC: return "UC";
	}
	return "?";
}

/* read_mtrrs: IA32_MTRRCAP, IA32_MTRR_DEF_TYPE, the fixed and the variable
 * range MSRs (SDM vol. 3A §11.11.1-11.11.3). */
static void read_mtrrs(void)
{
	memset(&mtrr, 0, sizeof(mtrr));
	mtrr.present = have_mtrr;
	if (!have_mtrr)
		return;
	uint64_t cap = rdmsr(MSR_MTRRCAP), def = rdmsr(MSR_MTRR_DEF_TYPE);
	mtrr.def_type = (uint8_t)(def & 0xFF);
	mtrr.enabled = (def >> 11) & 1;
	mtrr.fixed_enabled = ((def >> 10) & 1) && ((cap >> 8) & 1);
	if (mtrr.fixed_enabled) {
		uint64_t fix[MTRR_FIXED_MSRS];
		fix[0] = rdmsr(MSR_MTRR_FIX64K_00000);
		fix[1] = rdmsr(MSR_MTRR_FIX16K_80000);
		fix[2] = rdmsr(MSR_MTRR_FIX16K_A0000);
		for (unsigned i = 0; i < 8; i++)
			fix[3 + i] = rdmsr(MSR_MTRR_FIX4K_C0000 + i);
		mtrr_decode_fixed(fix, mtrr.fixed);
	}
	mtrr.nvar = (unsigned)(cap & 0xFF);
	if (mtrr.nvar > MTRR_VAR_MAX) {
		kwarn("vmm", "%u variable MTRRs, only the first %u are read", mtrr.nvar, MTRR_VAR_MAX);
		mtrr.nvar = MTRR_VAR_MAX;
	}
	for (unsigned i = 0; i < mtrr.nvar; i++)
		mtrr_var_set(&mtrr.var[i], rdmsr(MSR_MTRR_PHYSBASE0 + 2 * i), rdmsr(MSR_MTRR_PHYSBASE0 + 2 * i + 1),
			     maxphyaddr);
}

/* program_pat: IA32_PAT = PAGEMAP_PAT_MSR with the cache-disabled sequence of
 * SDM vol. 3A §11.11.8 (which §11.12.4 asks for when the PAT changes). */
static void program_pat(void)
{
	uint64_t flags = read_rflags();
	cli();
	uint64_t cr0 = read_cr0();
	write_cr0((cr0 | CR0_CD) & ~CR0_NW);
	wbinvd();
	tlb_flush_all();
	pat_before = rdmsr(MSR_PAT);
	wrmsr(MSR_PAT, PAGEMAP_PAT_MSR);
	wbinvd();
	tlb_flush_all();
	write_cr0(cr0);
	if (flags & (1u << 9))
		sti();
}

static bool mtrr_uniform(void *ctx, uint64_t pa, uint64_t size)
{
	return mtrr_range_type(ctx, pa, size) != MTRR_MIXED;
}

uint64_t vmm_identity_top(void) { return identity_top; }

/* apply: after an edit, drop stale TLB entries; after a type change, also
 * the cache lines the old type may have left (SDM vol. 3A §11.12.4). */
static void apply(void)
{
	tlb_flush_all();
	if (pm.retyped) {
		wbinvd();
		pm.retyped = 0;
	}
}

static const char *type_or_uc(enum vmm_type t)
{
	return t == VMM_WC && !have_pat ? "UC (no PAT for WC)" : vmm_type_name(t);
}

void *vmm_map(uint64_t phys, uint64_t size, enum vmm_type type)
{
	uint64_t start = phys & ~(PAGEMAP_4K - 1);
	uint64_t end = phys + size;
	if (!size || end < phys || end > PHYS_LIMIT) {
		kwarn("vmm", "cannot map 0x%llx + 0x%llx: %s", (unsigned long long)phys, (unsigned long long)size,
		      size ? "beyond the 52-bit physical address space" : "empty range");
		return 0;
	}
	end = (end + PAGEMAP_4K - 1) & ~(PAGEMAP_4K - 1);
	for (unsigned i = 0; i < nmaps; i++) {
		struct mapping *m = &maps[i];
		if (m->end <= start || end <= m->phys)
			continue;
		if (m->type != type) {
			kwarn("vmm", "cannot map 0x%llx-0x%llx %s: 0x%llx-0x%llx is already mapped %s",
			      (unsigned long long)start, (unsigned long long)end, vmm_type_name(type),
			      (unsigned long long)m->phys, (unsigned long long)m->end, vmm_type_name(m->type));
			return 0;
		}
		if (m->phys <= start && end <= m->end)
			return (void *)(uintptr_t)(m->virt + (phys - m->phys));
	}
	if (nmaps == VMM_MAPPINGS_MAX) {
		kwarn("vmm", "cannot map 0x%llx-0x%llx: all %u mapping records in use (VMM_MAPPINGS_MAX)",
		      (unsigned long long)start, (unsigned long long)end, VMM_MAPPINGS_MAX);
		return 0;
	}
	uint64_t virt = start;
	if (end > LOWER_HALF_END) {
		/* Above the lower half: the window, congruent to phys modulo 2 MiB
		 * so large pages stay possible. A window range must not overlap. */
		for (unsigned i = 0; i < nmaps; i++)
			if (maps[i].virt >= VMM_WINDOW_BASE && maps[i].phys < end && start < maps[i].end) {
				kwarn("vmm", "cannot map 0x%llx-0x%llx: it overlaps part of an earlier mapping",
				      (unsigned long long)start, (unsigned long long)end);
				return 0;
			}
		virt = ((window_next + PAGEMAP_2M - 1) & ~(PAGEMAP_2M - 1)) + (start & (PAGEMAP_2M - 1));
		if (virt + (end - start) > VMM_WINDOW_BASE + VMM_WINDOW_SIZE) {
			kwarn("vmm", "cannot map 0x%llx-0x%llx: the %llu GiB window is full",
			      (unsigned long long)start, (unsigned long long)end,
			      (unsigned long long)(VMM_WINDOW_SIZE >> 30));
			return 0;
		}
	}
	enum pagemap_type pt = (type == VMM_WC && !have_pat) ? PAGEMAP_UC : (enum pagemap_type)type;
	int r = pagemap_map(&pm, virt, start, end - start, pt);
	apply();
	if (r < 0) {
		kwarn("vmm", "cannot map 0x%llx-0x%llx %s: %s", (unsigned long long)start,
		      (unsigned long long)end, vmm_type_name(type), pagemap_error(r));
		return 0;
	}
	if (virt >= VMM_WINDOW_BASE)
		window_next = virt + (end - start);
	maps[nmaps++] = (struct mapping){ start, end, virt, type };
	kdebug("vmm", "mapped 0x%llx-0x%llx %s at 0x%llx", (unsigned long long)start, (unsigned long long)end,
	       type_or_uc(type), (unsigned long long)virt);
	return (void *)(uintptr_t)(virt + (phys - start));
}

int vmm_retype(uint64_t phys, uint64_t size, enum vmm_type type)
{
	uint64_t start = phys & ~(PAGEMAP_4K - 1);
	uint64_t end = (phys + size + PAGEMAP_4K - 1) & ~(PAGEMAP_4K - 1);
	for (unsigned i = 0; i < nmaps; i++) {
		struct mapping *m = &maps[i];
		if (!size || start < m->phys || end > m->end || end < start)
			continue;
		enum pagemap_type pt = (type == VMM_WC && !have_pat) ? PAGEMAP_UC : (enum pagemap_type)type;
		int r = pagemap_map(&pm, m->virt + (start - m->phys), start, end - start, pt);
		apply();
		if (r < 0)
			panic("vmm_retype: retyping a mapped range failed: %s", pagemap_error(r));
		if (start == m->phys && end == m->end)
			m->type = type;
		return 0;
	}
	return -1;
}

/* split_identity: no identity page may span two MTRR types. */
static void split_identity(void)
{
	if (!have_mtrr)
		return;
	boundary_splits = pagemap_split_mixed(&pm, 0, identity_top, mtrr_uniform, &mtrr);
	tlb_flush_all();
	if (boundary_splits < 0)
		panic("vmm_init: no memory to split the identity map at MTRR boundaries");
}

static void map_framebuffer(const struct pxos_bootinfo *bi)
{
	const struct pxos_framebuffer *f = &bi->fb;
	uint8_t mt = mtrr_range_type(&mtrr, f->base & ~(PAGEMAP_4K - 1),
				     ((f->base + f->size + PAGEMAP_4K - 1) & ~(PAGEMAP_4K - 1)) - (f->base & ~(PAGEMAP_4K - 1)));
	void *p = vmm_map(f->base, f->size, VMM_WC);
	if (p != (void *)(uintptr_t)f->base) {
		kerror("vmm", "framebuffer 0x%llx: not mapped write-combining at its address; left as the loader mapped it",
		       (unsigned long long)f->base);
		return;
	}
	kinfo("vmm", "framebuffer 0x%llx-0x%llx (%llu KiB) mapped %s (MTRR type %s)",
	      (unsigned long long)f->base, (unsigned long long)(f->base + f->size),
	      (unsigned long long)(f->size >> 10), have_pat ? "write-combining" : "uncached (no PAT)",
	      mtrr_type_name(mt));
}

void vmm_init(const struct pxos_bootinfo *bi, bool fb_ok)
{
	uint32_t a, b, c, d;
	cpuid(1, 0, &a, &b, &c, &d);
	have_mtrr = (d >> 12) & 1;
	have_pat = (d >> 16) & 1;
	bool page1g = false;
	cpuid(0x80000000u, 0, &a, &b, &c, &d);
	uint32_t max_ext = a;
	if (max_ext >= 0x80000001u) {
		cpuid(0x80000001u, 0, &a, &b, &c, &d);
		page1g = (d >> 26) & 1;
	}
	if (max_ext >= 0x80000008u) {
		cpuid(0x80000008u, 0, &a, &b, &c, &d);
		maxphyaddr = a & 0xFF;
	}
	if (maxphyaddr < 36 || maxphyaddr > 52)
		maxphyaddr = 36; /* SDM vol. 3A §11.11.2.3: 36 when CPUID does not say */
	if ((read_cr3() & PGE_ADDR) != bi->pml4)
		panic("vmm_init: CR3 0x%llx is not the loader's PML4 0x%llx", (unsigned long long)read_cr3(),
		      (unsigned long long)bi->pml4);
	pm = (struct pagemap){
		.pml4 = (uint64_t *)(uintptr_t)bi->pml4, .alloc = table_page, .ctx = 0,
		.huge_1g = page1g, .nx = (rdmsr(MSR_EFER) & EFER_NXE) != 0,
	};
	identity_top = bi->identity_top;
	read_mtrrs();
	if (have_pat)
		program_pat();
	split_identity();
	uint64_t n[3];
	pagemap_count(&pm, 0, identity_top, n);
	unsigned used = 0;
	for (unsigned i = 0; i < mtrr.nvar; i++)
		used += mtrr.var[i].valid;
	kinfo("vmm", "PAT %s; MTRRs %s, default %s, fixed %s, %u of %u variable in use; identity map [0, 0x%llx): "
	      "%llu x 1 GiB, %llu x 2 MiB, %llu x 4 KiB pages (%d split at MTRR type boundaries)",
	      have_pat ? "WB WC UC- UC" : "absent (no write-combining)",
	      !have_mtrr ? "absent" : mtrr.enabled ? "on" : "off (all UC)", mtrr_type_name(mtrr.def_type),
	      mtrr.fixed_enabled ? "on" : "off", used, mtrr.nvar, (unsigned long long)identity_top,
	      (unsigned long long)n[2], (unsigned long long)n[1], (unsigned long long)n[0], boundary_splits);
	if (fb_ok && bi->fb.base && bi->fb.size)
		map_framebuffer(bi);
}

/* print_fixed: the fixed ranges as runs of one type. */
static void print_fixed(void)
{
	uint64_t run_start = 0, len;
	for (uint64_t a = 0; a < MTRR_FIXED_END; a += len) {
		uint8_t t = mtrr.fixed[mtrr_fixed_index(a, &len)];
		uint64_t next = a + len, unused;
		if (next == MTRR_FIXED_END || mtrr.fixed[mtrr_fixed_index(next, &unused)] != t) {
			kprintf("  fixed 0x%05llx-0x%05llx %s\n", (unsigned long long)run_start,
				(unsigned long long)next - 1, mtrr_type_name(t));
			run_start = next;
		}
	}
}

void vmm_monitor_mtrr(int argc, char **argv)
{
	(void)argc, (void)argv;
	static const char *const pat_names[8] = { "UC", "WC", "?", "?", "WT", "WP", "WB", "UC-" };
	if (have_pat) {
		uint64_t pat = rdmsr(MSR_PAT);
		kprintf("PAT 0x%016llx (firmware left 0x%016llx):", (unsigned long long)pat, (unsigned long long)pat_before);
		for (int i = 0; i < 8; i++)
			kprintf(" %d=%s", i, pat_names[(pat >> (8 * i)) & 7]);
		kprintf("\n");
	} else {
		kprintf("no PAT: write-combining is not available\n");
	}
	if (!have_mtrr) {
		kprintf("no MTRRs: the PAT alone sets memory types\n");
	} else {
		kprintf("MTRRs %s, default type %s, fixed ranges %s, %u variable ranges, MAXPHYADDR %u\n",
			mtrr.enabled ? "enabled" : "disabled (everything UC)", mtrr_type_name(mtrr.def_type),
			mtrr.fixed_enabled ? "on" : "off", mtrr.nvar, maxphyaddr);
		if (mtrr.fixed_enabled)
			print_fixed();
		for (unsigned i = 0; i < mtrr.nvar; i++) {
			const struct mtrr_var *v = &mtrr.var[i];
			if (!v->valid)
				continue;
			uint64_t low = v->mask & -v->mask;
			if (low && (v->mask | (low - 1)) == (1ull << maxphyaddr) - 1)
				kprintf("  var%u 0x%llx-0x%llx %s\n", i, (unsigned long long)v->base,
					(unsigned long long)(v->base + low - 1), mtrr_type_name(v->type));
			else
				kprintf("  var%u base 0x%llx mask 0x%llx %s (not one range)\n", i,
					(unsigned long long)v->base, (unsigned long long)v->mask, mtrr_type_name(v->type));
		}
	}
	uint64_t n[3];
	pagemap_count(&pm, 0, identity_top, n);
	kprintf("identity map [0, 0x%llx): %llu x 1 GiB, %llu x 2 MiB, %llu x 4 KiB pages; %d split at MTRR boundaries\n",
		(unsigned long long)identity_top, (unsigned long long)n[2], (unsigned long long)n[1],
		(unsigned long long)n[0], boundary_splits);
	kprintf("vmm_map ranges (%u, %u page-table pages added):\n", nmaps, pm.tables);
	for (unsigned i = 0; i < nmaps; i++) {
		const struct mapping *m = &maps[i];
		kprintf("  0x%012llx-0x%012llx at 0x%016llx %-3s (MTRR %s)\n", (unsigned long long)m->phys,
			(unsigned long long)m->end, (unsigned long long)m->virt, type_or_uc(m->type),
			mtrr_type_name(mtrr_range_type(&mtrr, m->phys, m->end - m->phys)));
	}
}
