/*
 * loader.c — BOOTX64.EFI, the pxOS UEFI loader: efi_main tells the boot story,
 * one step per line; the steps follow below it in the same order.
 *
 * What the kernel receives is the contract in boot/bootinfo.h and
 * docs/boot-info.md. Every step reports on ConOut and serial (boot/log.h); a
 * failing step reports why, and the loader gives back its memory, waits 5 s so a
 * person can read the message, and returns the error to the firmware, which then
 * tries its next boot option.
 */
#include <efi.h>
#include <efilib.h>

#include "boot/bootinfo.h"
#include "boot/config.h"
#include "boot/elf.h"
#include "boot/fileio.h"
#include "boot/fmt.h"
#include "boot/gop.h"
#include "boot/handoff.h"
#include "boot/log.h"
#include "boot/paging.h"
#include "boot/rsdp.h"
#include "boot/verify.h"
#include "drivers/portio.h"
#include "kernel/param.h"

#define CONFIG_FILE_MAX  (64ull << 10)   /* bytes of boot.cfg read at most */
#define KERNEL_FILE_MAX  (256ull << 20)  /* kernel ELF file, symbols included */
#define RAMDISK_FILE_MAX (1ull << 30)    /* PixelFS image */
#define RESUME_FILE_MAX  (256ull << 20)  /* a snapshot (docs/snapshots.md: SNAP_STATE_MAX and a picture) */
#define MMAP_SLACK_DESCS 16              /* room for map growth before ExitBootServices */
#define FAIL_STALL_US    5000000         /* 5 s to read a fatal message */

/* Everything the steps find out; copied into the boot-info page at the end. */
struct boot {
	EFI_HANDLE image;
	struct boot_config cfg;
	struct gop_choice video;
	struct elf_kernel kernel;
	struct pxos_bootinfo info;   /* staged here, copied to *bi in prepare_handoff */
	bool nx;                     /* kernel tables use NX: set EFER.NXE */
	struct pxos_bootinfo *bi;    /* the boot-info page handed to the kernel */
	void *mmap;                  /* memory-map buffer */
	UINTN mmap_cap;
	bool ebs_called;             /* ExitBootServices was called: no more ConOut */
};

static EFI_STATUS start_up(struct boot *b);
static EFI_STATUS read_config(struct boot *b);
static EFI_STATUS choose_video(struct boot *b);
static EFI_STATUS set_video(struct boot *b);
static EFI_STATUS load_kernel(struct boot *b);
static EFI_STATUS load_ramdisk(struct boot *b);
static void load_resume(struct boot *b);
static EFI_STATUS find_acpi(struct boot *b);
static EFI_STATUS build_page_tables(struct boot *b);
static EFI_STATUS prepare_handoff(struct boot *b);
static EFI_STATUS exit_boot_services(struct boot *b);
static __attribute__((noreturn)) void jump_to_kernel(struct boot *b);
static EFI_STATUS fail(struct boot *b, EFI_STATUS st);

#define TRY(step) do { EFI_STATUS st_ = (step); if (EFI_ERROR(st_)) return fail(&b, st_); } while (0)

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	static struct boot b;
	b.info.tsc_at_entry = rdtsc();   /* boot-time origin, first thing */
	b.image = image;
	InitializeLib(image, systab);

	TRY(start_up(&b));            /* watchdog off, serial, banner, open the ESP */
	TRY(read_config(&b));         /* \pxos\boot.cfg (optional) */
	TRY(choose_video(&b));        /* GOP mode: boot.cfg's, the current or the largest */
	TRY(load_kernel(&b));         /* \pxos\kernel.elf: validate, load, symbols */
	TRY(load_ramdisk(&b));        /* \pxos\pixelfs.png (optional) */
	load_resume(&b);              /* boot.cfg's resume = (optional) */
	TRY(find_acpi(&b));           /* ACPI RSDP (optional) */
	TRY(set_video(&b));           /* SetMode if needed; framebuffer description */
	TRY(build_page_tables(&b));   /* identity map + kernel segments */
	TRY(prepare_handoff(&b));     /* boot-info page, memory-map buffer */
	TRY(exit_boot_services(&b));  /* final memory map, ExitBootServices */
	jump_to_kernel(&b);           /* CR3, RDI = boot info, kernel entry */
}

/* ---- helpers ------------------------------------------------------------ */

/* ASCII copy of a UCS-2 string (non-ASCII becomes '?'), for messages. */
static const char *ascii(const CHAR16 *w, char *buf, size_t n)
{
	size_t i = 0;
	for (; w && w[i] && i + 1 < n; i++)
		buf[i] = w[i] < 0x80 ? (char)w[i] : '?';
	buf[i] = '\0';
	return buf;
}

/* UCS-2 copy of an ASCII path from boot.cfg. */
static void widen(const char *s, CHAR16 *w, size_t n)
{
	size_t i = 0;
	for (; s[i] && i + 1 < n; i++)
		w[i] = (CHAR16)(unsigned char)s[i];
	w[i] = 0;
}

/* The path to use for a file: boot.cfg's setting or the built-in default. */
static void pick_path(const char *cfg, const CHAR16 *dflt, CHAR16 *w, char *name)
{
	if (cfg[0]) {
		widen(cfg, w, CONFIG_PATH_MAX);
		fmt_snprintf(name, CONFIG_PATH_MAX, "%s", cfg);
	} else {
		size_t i = 0;
		for (; dflt[i] && i + 1 < CONFIG_PATH_MAX; i++)
			w[i] = dflt[i];
		w[i] = 0;
		ascii(dflt, name, CONFIG_PATH_MAX);
	}
}

/* Give back pages no longer needed; a failure only costs memory, so warn. */
static void release(EFI_PHYSICAL_ADDRESS addr, const char *what)
{
	if (!addr)
		return;
	EFI_STATUS st = fio_free(addr);
	if (EFI_ERROR(st))
		log_warn("cannot free the memory of %s (%s)", what, log_status(st));
}

/* ---- steps -------------------------------------------------------------- */

/* Say whether the firmware enforces Secure Boot (UEFI 2.10 §3.3: the
 * SecureBoot global variable, 1 = on) and whether this loader checks what it
 * loads (boot/verify.h). */
static void log_secure_boot(void)
{
	static EFI_GUID global = EFI_GLOBAL_VARIABLE;
	UINTN size = 0;
	UINT8 *v = LibGetVariableAndSize(L"SecureBoot", &global, &size);
	bool on = v && size == 1 && *v == 1;
	if (v)
		FreePool(v);
	log_info("secure boot: %s; %s", on ? "on (the firmware checked this loader's signature)" : "off",
		 verify_enabled() ? "this signed build checks the kernel and ramdisk against its SHA-256 digests"
				  : "this build does not check the kernel and ramdisk (make signed-img does)");
}

static EFI_STATUS start_up(struct boot *b)
{
	(void)b;
	/* The firmware's 5-minute watchdog would reset a slow boot. */
	EFI_STATUS st = uefi_call_wrapper(BS->SetWatchdogTimer, 4, 0, 0, 0, NULL);
	log_init();
	char vendor[48];
	log_info("pxOS %s loader: firmware %s rev 0x%x, UEFI %u.%u; serial %s",
		 PXOS_VERSION_STRING, ascii(ST->FirmwareVendor, vendor, sizeof(vendor)),
		 ST->FirmwareRevision, ST->Hdr.Revision >> 16, (ST->Hdr.Revision & 0xFFFF) / 10,
		 log_serial_desc());
	if (EFI_ERROR(st))
		log_warn("cannot disable the watchdog timer (%s)", log_status(st));
	log_secure_boot();
	st = fio_open_volume(b->image);
	if (EFI_ERROR(st))
		log_info("cannot open the volume the loader was started from (%s)", log_status(st));
	return st;
}

static void config_warning(void *ctx, const char *msg)
{
	log_warn("%s: %s", (const char *)ctx, msg);
}

static EFI_STATUS read_config(struct boot *b)
{
	char name[CONFIG_PATH_MAX];
	ascii(PXOS_ESP_CONFIG, name, sizeof(name));
	config_defaults(&b->cfg);

	struct fio_file f;
	const char *what = "";
	EFI_STATUS st = fio_read(PXOS_ESP_CONFIG, CONFIG_FILE_MAX, &f, &what);
	if (st == EFI_NOT_FOUND) {
		log_info("config: no %s, using the defaults", name);
		return EFI_SUCCESS;
	}
	if (EFI_ERROR(st)) {
		log_warn("%s: %s (%s): using the defaults", name, what, log_status(st));
		return EFI_SUCCESS;
	}
	unsigned warnings = config_parse((const char *)(UINTN)f.addr, f.size, &b->cfg,
					 config_warning, name);
	release(f.addr, name);

	const struct boot_config *c = &b->cfg;
	char video[24] = "auto";
	if (c->video_width)
		fmt_snprintf(video, sizeof(video), "%ux%u", c->video_width, c->video_height);
	log_info("config: %s (%u warnings): video %s, kernel %s, ramdisk %s, resume %s, cmdline \"%s\"",
		 name, warnings, video, c->kernel[0] ? c->kernel : "default",
		 c->ramdisk[0] ? c->ramdisk : "default", c->resume[0] ? c->resume : "none", c->cmdline);
	fmt_snprintf(b->info.cmdline, sizeof(b->info.cmdline), "%s", c->cmdline);
	return EFI_SUCCESS;
}

static EFI_STATUS choose_video(struct boot *b)
{
	return gop_choose(b->cfg.video_width, b->cfg.video_height, &b->video);
}

/* After the file steps, so their messages stay readable on screen. */
static EFI_STATUS set_video(struct boot *b)
{
	return gop_apply(&b->video, &b->info.fb);
}

/* Copy .symtab and its string table into their own pages (optional). */
static void copy_symbols(struct boot *b, const char *name, const void *file, uint64_t size)
{
	struct elf_symbols sym;
	char err[160];
	int r = elf_find_symbols(file, size, &sym, err, sizeof(err));
	if (r < 0) {
		log_warn("%s: %s: booting without kernel symbols", name, err);
		return;
	}
	if (r == 0 || sym.symtab_size == 0 || sym.strtab_size == 0) {
		log_info("kernel: %s has no symbol table: backtraces will not be symbolised", name);
		return;
	}
	EFI_PHYSICAL_ADDRESS symtab, strtab;
	EFI_STATUS st = fio_alloc(sym.symtab_size, false, &symtab);
	if (!EFI_ERROR(st)) {
		st = fio_alloc(sym.strtab_size, false, &strtab);
		if (EFI_ERROR(st))
			release(symtab, "the symbol table");
	}
	if (EFI_ERROR(st)) {
		log_warn("cannot allocate memory for the kernel symbols (%s): booting without them",
			 log_status(st));
		return;
	}
	const UINT8 *f = file;
	CopyMem((void *)(UINTN)symtab, (void *)(f + sym.symtab_offset), sym.symtab_size);
	CopyMem((void *)(UINTN)strtab, (void *)(f + sym.strtab_offset), sym.strtab_size);
	b->info.symtab = symtab;
	b->info.symtab_size = sym.symtab_size;
	b->info.strtab = strtab;
	b->info.strtab_size = sym.strtab_size;
}

static EFI_STATUS load_kernel(struct boot *b)
{
	CHAR16 path[CONFIG_PATH_MAX];
	char name[CONFIG_PATH_MAX];
	pick_path(b->cfg.kernel, PXOS_ESP_KERNEL, path, name);

	struct fio_file f;
	const char *what = "";
	EFI_STATUS st = fio_read(path, KERNEL_FILE_MAX, &f, &what);
	if (EFI_ERROR(st)) {
		log_info("%s: %s (%s)", name, what, log_status(st));
		return st;
	}
	const void *file = (const void *)(UINTN)f.addr;
	if (!verify_file(VERIFY_KERNEL, name, file, f.size)) {
		release(f.addr, name);
		return EFI_SECURITY_VIOLATION;
	}
	char err[200];
	struct elf_kernel *k = &b->kernel;
	if (elf_validate(file, f.size, k, err, sizeof(err)) < 0) {
		log_info("%s: %s", name, err);
		release(f.addr, name);
		return EFI_LOAD_ERROR;
	}
	uint64_t span = k->virt_hi - k->virt_lo;
	EFI_PHYSICAL_ADDRESS phys = 0;
	st = span ? fio_alloc(span, false, &phys) : EFI_LOAD_ERROR;
	if (EFI_ERROR(st)) {
		log_info("%s: cannot allocate 0x%llx bytes for the kernel image (%s)", name,
			 (unsigned long long)span, log_status(st));
		release(f.addr, name);
		return st;
	}
	elf_load(file, k, (void *)(UINTN)phys);
	copy_symbols(b, name, file, f.size);
	release(f.addr, name);

	b->info.kernel_phys = phys;
	b->info.kernel_virt = k->virt_lo;
	b->info.kernel_size = span;
	log_info("kernel: %s, %llu bytes, %u PT_LOAD segments, entry 0x%llx; image 0x%llx bytes at phys 0x%llx, virt 0x%llx; %llu symbols",
		 name, (unsigned long long)f.size, k->nload, (unsigned long long)k->entry,
		 (unsigned long long)span, (unsigned long long)phys, (unsigned long long)k->virt_lo,
		 (unsigned long long)(b->info.symtab_size / sizeof(Elf64_Sym)));
	return EFI_SUCCESS;
}

static EFI_STATUS load_ramdisk(struct boot *b)
{
	CHAR16 path[CONFIG_PATH_MAX];
	char name[CONFIG_PATH_MAX];
	pick_path(b->cfg.ramdisk, PXOS_ESP_RAMDISK, path, name);

	struct fio_file f;
	const char *what = "";
	EFI_STATUS st = fio_read(path, RAMDISK_FILE_MAX, &f, &what);
	if (EFI_ERROR(st) && verify_enabled()) {
		log_info("secure boot: %s: %s (%s): this signed loader needs the ramdisk it vouches for", name,
			 st == EFI_NOT_FOUND ? "not found" : what, log_status(st));
		return EFI_SECURITY_VIOLATION;
	}
	if (st == EFI_NOT_FOUND) {
		log_warn("no ramdisk: %s not found; the kernel starts without PixelFS", name);
		return EFI_SUCCESS;
	}
	if (EFI_ERROR(st)) {
		log_warn("%s: %s (%s); the kernel starts without PixelFS", name, what, log_status(st));
		return EFI_SUCCESS;
	}
	if (f.size == 0) {
		log_warn("%s is empty; the kernel starts without PixelFS", name);
		return EFI_SUCCESS;
	}
	if (!verify_file(VERIFY_RAMDISK, name, (const void *)(UINTN)f.addr, f.size)) {
		release(f.addr, name);
		return EFI_SECURITY_VIOLATION;
	}
	b->info.ramdisk = f.addr;
	b->info.ramdisk_size = f.size;
	log_info("ramdisk: %s, %llu bytes at 0x%llx", name, (unsigned long long)f.size,
		 (unsigned long long)f.addr);
	return EFI_SUCCESS;
}

/* load_resume: the snapshot boot.cfg's `resume =` names, for the kernel to go
 * on from (docs/snapshots.md). The kernel checks all of it and boots normally
 * when it refuses it; a missing or unreadable file is a warning here. A
 * signed loader vouches only for the kernel and ramdisk, so it loads none. */
static void load_resume(struct boot *b)
{
	if (!b->cfg.resume[0])
		return;
	CHAR16 path[CONFIG_PATH_MAX];
	char name[CONFIG_PATH_MAX];
	pick_path(b->cfg.resume, L"", path, name);
	if (verify_enabled()) {
		log_warn("resume: %s ignored: this signed loader loads only what it vouches for; booting normally", name);
		return;
	}
	struct fio_file f;
	const char *what = "";
	EFI_STATUS st = fio_read(path, RESUME_FILE_MAX, &f, &what);
	if (EFI_ERROR(st) || f.size == 0) {
		log_warn("resume: %s: %s (%s); booting normally", name,
			 st == EFI_NOT_FOUND ? "not found" : EFI_ERROR(st) ? what : "empty", log_status(st));
		if (!EFI_ERROR(st))
			release(f.addr, name);
		return;
	}
	b->info.resume = f.addr;
	b->info.resume_size = f.size;
	log_info("resume: %s, %llu bytes at 0x%llx", name, (unsigned long long)f.size, (unsigned long long)f.addr);
}

/* The RSDP the configuration table lists under `guid`, if it checks out. */
static bool try_rsdp(struct boot *b, EFI_GUID *guid, const char *which)
{
	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &ST->ConfigurationTable[i];
		if (CompareGuid(&t->VendorGuid, guid) != 0 || !t->VendorTable)
			continue;
		char why[96];
		int rev = rsdp_check(t->VendorTable, why, sizeof(why));
		if (rev < 0) {
			log_warn("ACPI: the %s RSDP at 0x%llx is invalid: %s", which,
				 (unsigned long long)(UINTN)t->VendorTable, why);
			continue;
		}
		b->info.acpi_rsdp = (uint64_t)(UINTN)t->VendorTable;
		b->info.acpi_revision = (uint32_t)rev;
		log_info("ACPI: RSDP revision %d at 0x%llx (%s table)", rev,
			 (unsigned long long)b->info.acpi_rsdp, which);
		return true;
	}
	return false;
}

static EFI_STATUS find_acpi(struct boot *b)
{
	static EFI_GUID acpi20 = ACPI_20_TABLE_GUID;
	static EFI_GUID acpi10 = ACPI_TABLE_GUID;
	if (!try_rsdp(b, &acpi20, "ACPI 2.0") && !try_rsdp(b, &acpi10, "ACPI 1.0"))
		log_warn("ACPI: no valid RSDP in the EFI configuration table; the kernel gets none");
	return EFI_SUCCESS;
}

/* The end of the highest memory-map descriptor. */
static EFI_STATUS memory_top(uint64_t *top)
{
	UINTN n = 0, key = 0, dsize = 0;
	UINT32 dver = 0;
	EFI_MEMORY_DESCRIPTOR *map = LibMemoryMap(&n, &key, &dsize, &dver);
	if (!map)
		return EFI_OUT_OF_RESOURCES;
	*top = 0;
	for (UINTN i = 0; i < n; i++) {
		EFI_MEMORY_DESCRIPTOR *d = (EFI_MEMORY_DESCRIPTOR *)((UINT8 *)map + i * dsize);
		uint64_t end = d->PhysicalStart + d->NumberOfPages * EFI_PAGE_SIZE;
		if (end > *top)
			*top = end;
	}
	FreePool(map);
	return EFI_SUCCESS;
}

static EFI_STATUS build_page_tables(struct boot *b)
{
	struct handoff_cpu cpu;
	handoff_cpu_features(&cpu);
	if (cpu.la57) {
		log_info("paging: the firmware runs 5-level paging (CR4.LA57); pxOS needs 4-level paging");
		return EFI_UNSUPPORTED;
	}
	uint64_t top;
	EFI_STATUS st = memory_top(&top);
	if (EFI_ERROR(st)) {
		log_info("paging: cannot read the memory map (%s)", log_status(st));
		return st;
	}
	uint64_t fb_end = b->info.fb.base + b->info.fb.size;
	if (fb_end > top)
		top = fb_end;
	top = (top + PAGING_1G - 1) & ~(PAGING_1G - 1);

	struct paging_segment seg[ELF_MAX_LOAD];
	const struct elf_kernel *k = &b->kernel;
	for (unsigned i = 0; i < k->nload; i++)
		seg[i] = (struct paging_segment){
			.vaddr = k->load[i].vaddr,
			.phys = b->info.kernel_phys + (k->load[i].vaddr - k->virt_lo),
			.size = k->load[i].memsz,
			.writable = (k->load[i].flags & PF_W) != 0,
			.executable = (k->load[i].flags & PF_X) != 0,
		};
	struct paging_request req = {
		.identity_top = top, .huge_1g = cpu.page1gb, .nx = cpu.nx,
		.nseg = k->nload, .seg = seg,
	};
	if (top > PAGING_IDENTITY_LIMIT) {
		log_info("paging: physical memory reaches 0x%llx, beyond the 0x%llx a 4-level identity map covers",
			 (unsigned long long)top, (unsigned long long)PAGING_IDENTITY_LIMIT);
		return EFI_UNSUPPORTED;
	}
	size_t pages = paging_tables_needed(&req);
	EFI_PHYSICAL_ADDRESS pool;
	st = fio_alloc(pages * PAGING_PAGE_SIZE, false, &pool);
	if (EFI_ERROR(st)) {
		log_info("paging: cannot allocate %zu page-table pages (%s)", pages, log_status(st));
		return st;
	}
	char err[160];
	size_t used;
	if (paging_build(&req, (void *)(UINTN)pool, pages, &b->info.pml4, &used, err, sizeof(err)) < 0) {
		log_info("paging: %s", err);
		return EFI_LOAD_ERROR;
	}
	b->info.identity_top = top;
	b->nx = cpu.nx;
	log_info("paging: identity map [0, 0x%llx) with %s pages, kernel with 4 KiB pages%s; PML4 at 0x%llx, %zu table pages",
		 (unsigned long long)top, cpu.page1gb ? "1 GiB" : "2 MiB",
		 cpu.nx ? " and NX" : " (no NX on this CPU)", (unsigned long long)b->info.pml4, used);
	return EFI_SUCCESS;
}

static EFI_STATUS prepare_handoff(struct boot *b)
{
	fio_close_volume(); /* every file is read */
	EFI_PHYSICAL_ADDRESS page;
	EFI_STATUS st = fio_alloc(sizeof(struct pxos_bootinfo), true, &page);
	if (EFI_ERROR(st)) {
		log_info("cannot allocate the boot-info page (%s)", log_status(st));
		return st;
	}
	b->bi = (struct pxos_bootinfo *)(UINTN)page;

	UINTN size = 0, key = 0, dsize = 0;
	UINT32 dver = 0;
	st = uefi_call_wrapper(BS->GetMemoryMap, 5, &size, NULL, &key, &dsize, &dver);
	if (st != EFI_BUFFER_TOO_SMALL || dsize == 0) {
		log_info("GetMemoryMap does not report the map size (%s)", log_status(st));
		return EFI_ERROR(st) ? st : EFI_DEVICE_ERROR;
	}
	/* Allocating the buffer changes the map: leave room for it to grow. */
	b->mmap_cap = size + MMAP_SLACK_DESCS * dsize;
	EFI_PHYSICAL_ADDRESS buf;
	st = fio_alloc(b->mmap_cap, true, &buf);
	if (EFI_ERROR(st)) {
		log_info("cannot allocate 0x%llx bytes for the memory map (%s)",
			 (unsigned long long)b->mmap_cap, log_status(st));
		return st;
	}
	b->mmap = (void *)(UINTN)buf;

	struct pxos_bootinfo *i = &b->info;
	i->magic = PXOS_BOOTINFO_MAGIC;
	i->version = PXOS_BOOTINFO_VERSION;
	i->size = sizeof(struct pxos_bootinfo);
	CopyMem(b->bi, i, sizeof(*i));
	log_info("boot info at 0x%llx (version %u, %u bytes); memory map buffer 0x%llx bytes (%llu descriptors of %llu bytes now)",
		 (unsigned long long)page, i->version, i->size, (unsigned long long)b->mmap_cap,
		 (unsigned long long)(size / dsize), (unsigned long long)dsize);
	return EFI_SUCCESS;
}

static EFI_STATUS exit_boot_services(struct boot *b)
{
	log_info("exiting boot services");
	EFI_STATUS st = handoff_exit_boot_services(b->image, b->mmap, b->mmap_cap, b->bi,
						   &b->ebs_called);
	if (!EFI_ERROR(st)) {
		log_boot_services_exited();
		return st;
	}
	if (b->ebs_called) {
		log_boot_services_exited(); /* boot services may be half gone */
		log_info("ExitBootServices failed %d times (%s)", HANDOFF_EBS_TRIES, log_status(st));
	} else {
		log_info("GetMemoryMap failed before ExitBootServices (%s)", log_status(st));
	}
	return st;
}

static void jump_to_kernel(struct boot *b)
{
	log_info("jumping to kernel at 0x%llx (boot info at 0x%llx, %llu memory-map bytes)",
		 (unsigned long long)b->kernel.entry, (unsigned long long)(UINTN)b->bi,
		 (unsigned long long)b->bi->mmap_size);
	b->bi->tsc_at_exit = rdtsc();
	handoff_jump(b->bi->pml4, b->kernel.entry, b->bi, b->nx);
}

static EFI_STATUS fail(struct boot *b, EFI_STATUS st)
{
	fio_free_all(); /* a memory-allocation service: allowed even after ExitBootServices failed */
	if (b->ebs_called) {
		log_info("boot failed (%s) after ExitBootServices; returning to the firmware",
			 log_status(st));
		return st;
	}
	fio_close_volume();
	log_info("boot failed (%s); returning to the firmware in 5 seconds", log_status(st));
	EFI_STATUS stall = uefi_call_wrapper(BS->Stall, 1, FAIL_STALL_US);
	if (EFI_ERROR(stall))
		log_warn("cannot wait before returning (%s)", log_status(stall));
	return st;
}
