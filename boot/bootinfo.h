/*
 * bootinfo.h — the boot-info contract between BOOTX64.EFI and the kernel.
 *
 * Defined once, included by both sides (the GNU-EFI loader and the freestanding
 * kernel), so it uses only <stdint.h> types and no firmware headers.
 * See docs/boot-info.md for the prose version of this contract.
 *
 * Handoff state (what the kernel may rely on when its entry point runs):
 *   - long mode, CPL 0, interrupts disabled (RFLAGS.IF = 0), boot services exited;
 *   - CR3 points at page tables built by the loader:
 *       * physical memory identity-mapped from 0 up to bi->identity_top
 *         (covers every memory-map descriptor and the framebuffer), RW, executable;
 *       * the kernel ELF's PT_LOAD segments mapped at their p_vaddr (higher half,
 *         PXOS_KERNEL_VBASE and up) with their ELF permissions (W only if PF_W,
 *         NX unless PF_X when the CPU has NX);
 *   - RDI = physical (= identity-mapped) address of struct pxos_bootinfo;
 *   - the stack is the firmware's: the kernel must switch to its own at once;
 *   - the GDT and IDT are the firmware's: the kernel must load its own.
 *
 * Everything the boot-info points at (this struct, the memory map copy, the kernel
 * image, the ramdisk, the symbol table, the page tables) sits in EfiLoaderData
 * pages, which the kernel must not reuse.
 *
 * Versioning: `version` grows when fields are added at the end; `size` is
 * sizeof(struct pxos_bootinfo) as the loader saw it. The kernel rejects a magic
 * mismatch, a version it does not know, or a size smaller than it needs.
 */
#ifndef PXOS_BOOTINFO_H
#define PXOS_BOOTINFO_H

#include <stdint.h>

#define PXOS_BOOTINFO_MAGIC   0x544F4F42534F5870ull /* "pxOSBOOT" little-endian */
#define PXOS_BOOTINFO_VERSION 3u

/* The kernel is linked here (top 2 GiB, -mcmodel=kernel); every PT_LOAD segment
 * must lie in [PXOS_KERNEL_VBASE, PXOS_KERNEL_VBASE + PXOS_KERNEL_MAX_SIZE). */
#define PXOS_KERNEL_VBASE     0xFFFFFFFF80000000ull
#define PXOS_KERNEL_MAX_SIZE  (64ull << 20)

/* Files on the EFI system partition (FAT paths, as UEFI spells them). */
#define PXOS_ESP_CONFIG   L"\\pxos\\boot.cfg"
#define PXOS_ESP_KERNEL   L"\\pxos\\kernel.elf"
#define PXOS_ESP_RAMDISK  L"\\pxos\\pixelfs.png"

/* Pixel formats, numbered as UEFI's EFI_GRAPHICS_PIXEL_FORMAT (UEFI 2.10 §12.9).
 * BltOnly never reaches the kernel: the loader boots headless instead. */
enum pxos_pixel_format {
	PXOS_PIXEL_RGBX8 = 0, /* PixelRedGreenBlueReserved8BitPerColor: byte 0 = R */
	PXOS_PIXEL_BGRX8 = 1, /* PixelBlueGreenRedReserved8BitPerColor: byte 0 = B */
	PXOS_PIXEL_BITMASK = 2, /* PixelBitMask: see mask_* */
};

struct pxos_framebuffer {
	uint64_t base;          /* physical address of pixel (0,0) */
	uint64_t size;          /* bytes mapped (>= stride * height * 4) */
	uint32_t width;         /* visible pixels per row */
	uint32_t height;        /* rows */
	uint32_t stride;        /* pixels per scan line (PixelsPerScanLine), >= width */
	uint32_t format;        /* enum pxos_pixel_format */
	uint32_t mask_red;      /* PixelBitMask only: bit masks within a 32-bit pixel; */
	uint32_t mask_green;    /* for RGBX8/BGRX8 the loader fills in the equivalent masks */
	uint32_t mask_blue;
	uint32_t mask_reserved;
	uint32_t mode;          /* GOP mode number the loader set */
	uint32_t absent;        /* enum pxos_fb_absent: 0 = this framebuffer is there; else
	                           why there is none, and every field above is 0 (headless) */
};

/* Why the loader passes no framebuffer (version 2): the kernel then runs
 * headless, with the serial console only. */
enum pxos_fb_absent {
	PXOS_FB_PRESENT = 0,
	PXOS_FB_NO_GOP = 1,         /* the firmware has no Graphics Output Protocol */
	PXOS_FB_NO_LINEAR_MODE = 2, /* GOP offers no 32-bit linear mode (e.g. BltOnly only) */
	PXOS_FB_SET_FAILED = 3,     /* SetMode failed, or the mode in force is unusable */
};

/* One UEFI memory descriptor (UEFI 2.10 §7.2, EFI_MEMORY_DESCRIPTOR). The array
 * stride is mmap_desc_size, which may exceed sizeof(struct pxos_mmap_desc). */
struct pxos_mmap_desc {
	uint32_t type;          /* EFI_MEMORY_TYPE, see PXOS_MEM_* */
	uint32_t pad;
	uint64_t phys_start;    /* 4 KiB aligned */
	uint64_t virt_start;
	uint64_t num_pages;     /* 4 KiB pages */
	uint64_t attribute;
};

/* EFI_MEMORY_TYPE values the kernel cares about. */
#define PXOS_MEM_LOADER_CODE        1u
#define PXOS_MEM_LOADER_DATA        2u
#define PXOS_MEM_BOOT_SERVICES_CODE 3u
#define PXOS_MEM_BOOT_SERVICES_DATA 4u
#define PXOS_MEM_CONVENTIONAL       7u
#define PXOS_MEM_ACPI_RECLAIM       9u

#define PXOS_CMDLINE_MAX 256

struct pxos_bootinfo {
	uint64_t magic;             /* PXOS_BOOTINFO_MAGIC */
	uint32_t version;           /* PXOS_BOOTINFO_VERSION */
	uint32_t size;              /* sizeof(struct pxos_bootinfo) */

	struct pxos_framebuffer fb;

	uint64_t mmap;              /* physical address of the descriptor array */
	uint64_t mmap_size;         /* bytes used in the array */
	uint64_t mmap_desc_size;    /* stride between descriptors */
	uint32_t mmap_desc_version;
	uint32_t reserved1;

	uint64_t identity_top;      /* physical memory [0, identity_top) is identity-mapped */
	uint64_t pml4;              /* physical address of the loader's PML4 (CR3) */

	uint64_t kernel_phys;       /* physical base of the loaded kernel image */
	uint64_t kernel_virt;       /* virtual address of that base (lowest segment) */
	uint64_t kernel_size;       /* bytes of the image (page-rounded span of PT_LOADs) */

	uint64_t symtab;            /* physical address of a copy of .symtab (Elf64_Sym[]), or 0 */
	uint64_t symtab_size;       /* bytes */
	uint64_t strtab;            /* physical address of a copy of its string table, or 0 */
	uint64_t strtab_size;       /* bytes */

	uint64_t ramdisk;           /* physical address of the PixelFS image (PNG bytes), or 0 */
	uint64_t ramdisk_size;      /* bytes, 0 when no ramdisk was found */

	uint64_t acpi_rsdp;         /* physical address of the ACPI RSDP, or 0 */
	uint32_t acpi_revision;     /* RSDP revision byte (0 = ACPI 1.0, 2 = ACPI 2.0+) */
	uint32_t reserved2;

	uint64_t tsc_at_entry;      /* RDTSC at efi_main entry: boot-time measurement origin */
	uint64_t tsc_at_exit;       /* RDTSC just before the jump to the kernel */

	char cmdline[PXOS_CMDLINE_MAX]; /* NUL-terminated, from boot.cfg "cmdline =" */
	/* version 3: */
	uint64_t resume;            /* physical address of a snapshot to resume (PNG bytes), or 0 */
	uint64_t resume_size;       /* bytes, 0 when boot.cfg names none or it was not found */
};

#endif /* PXOS_BOOTINFO_H */
