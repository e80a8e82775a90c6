/*
 * elf.c — kernel ELF validation and loading; see elf.h.
 *
 * Every check reads the file through bounds-checked copies, so a truncated or
 * hostile file can only produce an error message, never an out-of-bounds read.
 */
#include "boot/elf.h"
#include "boot/bootinfo.h"
#include "boot/fmt.h"

#include <stdbool.h>

#define PAGE_SIZE 4096ull
#define PAGE_MASK (PAGE_SIZE - 1)

static const uint64_t window_lo = PXOS_KERNEL_VBASE;
static const uint64_t window_hi = PXOS_KERNEL_VBASE + PXOS_KERNEL_MAX_SIZE;

/* Whether [off, off + len) lies inside a file of `size` bytes (overflow-safe). */
static bool in_file(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static void read_phdr(const unsigned char *file, uint64_t phoff, unsigned i, Elf64_Phdr *ph)
{
	__builtin_memcpy(ph, file + phoff + (uint64_t)i * sizeof(*ph), sizeof(*ph));
}

static int check_header(const unsigned char *f, uint64_t size, Elf64_Ehdr *eh,
			char *err, size_t errlen)
{
	if (size == 0) {
		fmt_snprintf(err, errlen, "empty file");
		return -1;
	}
	if (size < 4 || f[0] != 0x7F || f[1] != 'E' || f[2] != 'L' || f[3] != 'F') {
		fmt_snprintf(err, errlen, "not an ELF file (bad magic)");
		return -1;
	}
	if (size < sizeof(*eh)) {
		fmt_snprintf(err, errlen, "truncated: %llu bytes is shorter than the %zu-byte ELF header",
			     (unsigned long long)size, sizeof(*eh));
		return -1;
	}
	__builtin_memcpy(eh, f, sizeof(*eh));
	if (eh->e_ident[EI_CLASS] != ELFCLASS64) {
		fmt_snprintf(err, errlen, "not a 64-bit ELF file (EI_CLASS %u, need ELFCLASS64)",
			     eh->e_ident[EI_CLASS]);
		return -1;
	}
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB) {
		fmt_snprintf(err, errlen, "not a little-endian ELF file (EI_DATA %u, need ELFDATA2LSB)",
			     eh->e_ident[EI_DATA]);
		return -1;
	}
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT) {
		fmt_snprintf(err, errlen, "unsupported ELF version (EI_VERSION %u, e_version %u, need %u)",
			     eh->e_ident[EI_VERSION], eh->e_version, EV_CURRENT);
		return -1;
	}
	if (eh->e_machine != EM_X86_64) {
		fmt_snprintf(err, errlen, "not an x86-64 file (e_machine %u, need EM_X86_64 = %u)",
			     eh->e_machine, EM_X86_64);
		return -1;
	}
	if (eh->e_type != ET_EXEC) {
		fmt_snprintf(err, errlen, "not an executable (e_type %u, need ET_EXEC = %u)",
			     eh->e_type, ET_EXEC);
		return -1;
	}
	if (eh->e_phnum == 0) {
		fmt_snprintf(err, errlen, "no program headers (e_phnum 0)");
		return -1;
	}
	if (eh->e_phentsize != sizeof(Elf64_Phdr)) {
		fmt_snprintf(err, errlen, "program header entry size %u, need %zu",
			     eh->e_phentsize, sizeof(Elf64_Phdr));
		return -1;
	}
	if (!in_file(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), size)) {
		fmt_snprintf(err, errlen,
			     "program header table (offset 0x%llx, %u entries) extends past the end of the file (%llu bytes)",
			     (unsigned long long)eh->e_phoff, eh->e_phnum, (unsigned long long)size);
		return -1;
	}
	return 0;
}

static int check_segment(const Elf64_Phdr *ph, unsigned i, uint64_t size, char *err, size_t errlen)
{
	if (!in_file(ph->p_offset, ph->p_filesz, size)) {
		fmt_snprintf(err, errlen,
			     "segment %u: file bytes [0x%llx, +0x%llx) extend past the end of the file (%llu bytes)",
			     i, (unsigned long long)ph->p_offset, (unsigned long long)ph->p_filesz,
			     (unsigned long long)size);
		return -1;
	}
	if (ph->p_filesz > ph->p_memsz) {
		fmt_snprintf(err, errlen, "segment %u: p_filesz 0x%llx is larger than p_memsz 0x%llx",
			     i, (unsigned long long)ph->p_filesz, (unsigned long long)ph->p_memsz);
		return -1;
	}
	if (ph->p_vaddr & PAGE_MASK) {
		fmt_snprintf(err, errlen, "segment %u: p_vaddr 0x%llx is not 4 KiB aligned",
			     i, (unsigned long long)ph->p_vaddr);
		return -1;
	}
	if (ph->p_vaddr < window_lo || ph->p_vaddr >= window_hi ||
	    ph->p_memsz > window_hi - ph->p_vaddr) {
		fmt_snprintf(err, errlen,
			     "segment %u: [0x%llx, +0x%llx) is outside the kernel window [0x%llx, 0x%llx)",
			     i, (unsigned long long)ph->p_vaddr, (unsigned long long)ph->p_memsz,
			     (unsigned long long)window_lo, (unsigned long long)window_hi);
		return -1;
	}
	return 0;
}

int elf_validate(const void *file, uint64_t size, struct elf_kernel *out,
		 char *err, size_t errlen)
{
	const unsigned char *f = file;
	Elf64_Ehdr eh;
	if (check_header(f, size, &eh, err, errlen) < 0)
		return -1;

	out->entry = eh.e_entry;
	out->nload = 0;
	unsigned index[ELF_MAX_LOAD]; /* program header number of each PT_LOAD */
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		read_phdr(f, eh.e_phoff, i, &ph);
		if (ph.p_type != PT_LOAD)
			continue;
		if (check_segment(&ph, i, size, err, errlen) < 0)
			return -1;
		if (out->nload == ELF_MAX_LOAD) {
			fmt_snprintf(err, errlen, "more than %u PT_LOAD segments", ELF_MAX_LOAD);
			return -1;
		}
		for (unsigned j = 0; j < out->nload; j++) {
			const struct elf_segment *o = &out->load[j];
			if (ph.p_vaddr < o->vaddr + o->memsz && o->vaddr < ph.p_vaddr + ph.p_memsz) {
				fmt_snprintf(err, errlen,
					     "segments %u and %u overlap ([0x%llx, +0x%llx) and [0x%llx, +0x%llx))",
					     index[j], i, (unsigned long long)o->vaddr,
					     (unsigned long long)o->memsz, (unsigned long long)ph.p_vaddr,
					     (unsigned long long)ph.p_memsz);
				return -1;
			}
		}
		index[out->nload] = i;
		out->load[out->nload++] = (struct elf_segment){
			.vaddr = ph.p_vaddr, .memsz = ph.p_memsz,
			.offset = ph.p_offset, .filesz = ph.p_filesz, .flags = ph.p_flags,
		};
	}
	if (out->nload == 0) {
		fmt_snprintf(err, errlen, "no PT_LOAD segment");
		return -1;
	}

	bool entry_ok = false;
	out->virt_lo = window_hi;
	out->virt_hi = window_lo;
	for (unsigned j = 0; j < out->nload; j++) {
		const struct elf_segment *s = &out->load[j];
		uint64_t end = (s->vaddr + s->memsz + PAGE_MASK) & ~PAGE_MASK;
		if (s->vaddr < out->virt_lo)
			out->virt_lo = s->vaddr;
		if (end > out->virt_hi)
			out->virt_hi = end;
		if ((s->flags & PF_X) && eh.e_entry >= s->vaddr && eh.e_entry - s->vaddr < s->memsz)
			entry_ok = true;
	}
	if (out->virt_hi < out->virt_lo) /* only empty segments */
		out->virt_hi = out->virt_lo;
	if (!entry_ok) {
		fmt_snprintf(err, errlen, "entry point 0x%llx is not inside an executable PT_LOAD segment",
			     (unsigned long long)eh.e_entry);
		return -1;
	}
	return 0;
}

int elf_find_symbols(const void *file, uint64_t size, struct elf_symbols *out,
		     char *err, size_t errlen)
{
	const unsigned char *f = file;
	Elf64_Ehdr eh;
	if (size < sizeof(eh))
		return 0;
	__builtin_memcpy(&eh, f, sizeof(eh));
	if (eh.e_shoff == 0 || eh.e_shnum == 0)
		return 0; /* no section headers (or extended numbering): no symbols */
	if (eh.e_shentsize != sizeof(Elf64_Shdr)) {
		fmt_snprintf(err, errlen, "section header entry size %u, need %zu",
			     eh.e_shentsize, sizeof(Elf64_Shdr));
		return -1;
	}
	if (!in_file(eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr), size)) {
		fmt_snprintf(err, errlen,
			     "section header table (offset 0x%llx, %u entries) extends past the end of the file (%llu bytes)",
			     (unsigned long long)eh.e_shoff, eh.e_shnum, (unsigned long long)size);
		return -1;
	}
	for (unsigned i = 0; i < eh.e_shnum; i++) {
		Elf64_Shdr sh;
		__builtin_memcpy(&sh, f + eh.e_shoff + (uint64_t)i * sizeof(sh), sizeof(sh));
		if (sh.sh_type != SHT_SYMTAB)
			continue;
		if (!in_file(sh.sh_offset, sh.sh_size, size)) {
			fmt_snprintf(err, errlen, "section %u (.symtab) extends past the end of the file", i);
			return -1;
		}
		if (sh.sh_entsize != sizeof(Elf64_Sym) || sh.sh_size % sizeof(Elf64_Sym)) {
			fmt_snprintf(err, errlen,
				     "section %u (.symtab): entry size %llu and size %llu do not fit %zu-byte Elf64_Sym entries",
				     i, (unsigned long long)sh.sh_entsize, (unsigned long long)sh.sh_size,
				     sizeof(Elf64_Sym));
			return -1;
		}
		if (sh.sh_link == SHN_UNDEF || sh.sh_link >= eh.e_shnum) {
			fmt_snprintf(err, errlen, "section %u (.symtab) links to section %u, which does not exist",
				     i, sh.sh_link);
			return -1;
		}
		Elf64_Shdr st;
		__builtin_memcpy(&st, f + eh.e_shoff + (uint64_t)sh.sh_link * sizeof(st), sizeof(st));
		if (st.sh_type != SHT_STRTAB) {
			fmt_snprintf(err, errlen, "section %u (.symtab) links to section %u, which is not a string table",
				     i, sh.sh_link);
			return -1;
		}
		if (!in_file(st.sh_offset, st.sh_size, size)) {
			fmt_snprintf(err, errlen, "section %u (string table) extends past the end of the file",
				     sh.sh_link);
			return -1;
		}
		*out = (struct elf_symbols){
			.symtab_offset = sh.sh_offset, .symtab_size = sh.sh_size,
			.strtab_offset = st.sh_offset, .strtab_size = st.sh_size,
		};
		return 1;
	}
	return 0;
}

void elf_load(const void *file, const struct elf_kernel *k, void *dst)
{
	const unsigned char *f = file;
	unsigned char *d = dst;
	__builtin_memset(d, 0, k->virt_hi - k->virt_lo);
	for (unsigned j = 0; j < k->nload; j++) {
		const struct elf_segment *s = &k->load[j];
		__builtin_memcpy(d + (s->vaddr - k->virt_lo), f + s->offset, s->filesz);
	}
}
