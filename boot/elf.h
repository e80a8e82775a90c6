/*
 * elf.h — validating and loading the pxOS kernel ELF file (pure C: no EFI, no
 * libc), so host unit tests can feed it hand-made good and bad files.
 *
 * Follows the System V gABI (ELF-64 Object File Format 1.5, "Generic ABI" 4.1
 * chapters 4-5) and the x86-64 psABI 1.0 (EM_X86_64). The kernel must be an
 * ELF64 little-endian x86-64 ET_EXEC whose PT_LOAD segments are 4 KiB aligned,
 * disjoint and inside [PXOS_KERNEL_VBASE, PXOS_KERNEL_VBASE + PXOS_KERNEL_MAX_SIZE)
 * (boot/bootinfo.h), with its entry point in an executable PT_LOAD.
 */
#ifndef PXOS_BOOT_ELF_H
#define PXOS_BOOT_ELF_H

#include <stddef.h>
#include <stdint.h>

/* ELF-64 structures and constants (gABI names). */
#define EI_NIDENT   16
#define EI_CLASS    4
#define EI_DATA     5
#define EI_VERSION  6
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define EV_CURRENT  1
#define ET_EXEC     2
#define EM_X86_64   62
#define PT_LOAD     1
#define PF_X        1u
#define PF_W        2u
#define PF_R        4u
#define SHT_SYMTAB  2
#define SHT_STRTAB  3
#define SHN_UNDEF   0

typedef struct {
	unsigned char e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
} Elf64_Ehdr;

typedef struct {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
} Elf64_Phdr;

typedef struct {
	uint32_t sh_name;
	uint32_t sh_type;
	uint64_t sh_flags;
	uint64_t sh_addr;
	uint64_t sh_offset;
	uint64_t sh_size;
	uint32_t sh_link;
	uint32_t sh_info;
	uint64_t sh_addralign;
	uint64_t sh_entsize;
} Elf64_Shdr;

typedef struct {
	uint32_t st_name;
	unsigned char st_info;
	unsigned char st_other;
	uint16_t st_shndx;
	uint64_t st_value;
	uint64_t st_size;
} Elf64_Sym;

/* Most PT_LOAD segments a kernel may have. */
#define ELF_MAX_LOAD 16

/* One PT_LOAD segment as validated. */
struct elf_segment {
	uint64_t vaddr;   /* 4 KiB aligned */
	uint64_t memsz;   /* bytes in memory */
	uint64_t offset;  /* file offset of the initialised bytes */
	uint64_t filesz;  /* initialised bytes (<= memsz); the rest is zero */
	uint32_t flags;   /* PF_R | PF_W | PF_X */
};

/* A validated kernel: its PT_LOAD segments in file order and their span. */
struct elf_kernel {
	uint64_t entry;
	unsigned nload;
	struct elf_segment load[ELF_MAX_LOAD];
	uint64_t virt_lo;  /* lowest segment start (4 KiB aligned) */
	uint64_t virt_hi;  /* highest segment end rounded up to 4 KiB */
};

/* Where .symtab and its string table sit in the file. */
struct elf_symbols {
	uint64_t symtab_offset, symtab_size;  /* bytes; a multiple of sizeof(Elf64_Sym) */
	uint64_t strtab_offset, strtab_size;
};

/* elf_validate: check that `file` (`size` bytes, any alignment) is a kernel pxOS
 * can load (see the top of this header) and describe it in *out. Returns 0, or
 * -1 with a one-line reason in `err` (`errlen` bytes, e.g. "not an ELF file (bad
 * magic)"); the caller prefixes the file name. */
int elf_validate(const void *file, uint64_t size, struct elf_kernel *out,
		 char *err, size_t errlen);

/* elf_find_symbols: locate the first SHT_SYMTAB section and the SHT_STRTAB it
 * links to, checking the section header table and both sections lie inside the
 * file. Returns 1 and fills *out when found; 0 when the file has no section
 * headers or no symbol table; -1 with a reason in `err` when the section headers
 * are malformed. */
int elf_find_symbols(const void *file, uint64_t size, struct elf_symbols *out,
		     char *err, size_t errlen);

/* elf_load: lay out a kernel validated by elf_validate at `dst`, which holds
 * k->virt_hi - k->virt_lo bytes standing for virtual address k->virt_lo: zero
 * it all, then copy each segment's file bytes to dst + (vaddr - virt_lo). */
void elf_load(const void *file, const struct elf_kernel *k, void *dst);

#endif /* PXOS_BOOT_ELF_H */
