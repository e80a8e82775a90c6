/*
 * test_boot_elf.c — the loader's kernel ELF validator and loader (boot/elf.c)
 * on hand-built good and bad ELF64 images.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "boot/bootinfo.h"
#include "boot/elf.h"

#define VB PXOS_KERNEL_VBASE
#define IMG_SIZE 0x4000

/* A hand-built kernel file: ELF header, 3 program headers at 0x40, text at
 * 0x1000 (RX, entry), data at 0x2000 (RW, 0x10 bytes in the file, 0x3000 in
 * memory), symbol table + string table + 4 section headers after 0x3000. */
struct img {
	unsigned char b[IMG_SIZE];
	uint64_t size;
};

static Elf64_Ehdr *eh(struct img *m) { return (Elf64_Ehdr *)(void *)m->b; }
static Elf64_Phdr *ph(struct img *m, unsigned i) { return (Elf64_Phdr *)(void *)(m->b + 0x40 + i * sizeof(Elf64_Phdr)); }
static Elf64_Shdr *sh(struct img *m, unsigned i) { return (Elf64_Shdr *)(void *)(m->b + 0x3400 + i * sizeof(Elf64_Shdr)); }

static void build(struct img *m)
{
	memset(m, 0, sizeof(*m));
	m->size = IMG_SIZE;
	Elf64_Ehdr *e = eh(m);
	memcpy(e->e_ident, "\x7f" "ELF", 4);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_type = ET_EXEC;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_entry = VB + 0x10;
	e->e_phoff = 0x40;
	e->e_ehsize = sizeof(Elf64_Ehdr);
	e->e_phentsize = sizeof(Elf64_Phdr);
	e->e_phnum = 3;
	e->e_shoff = 0x3400;
	e->e_shentsize = sizeof(Elf64_Shdr);
	e->e_shnum = 4;

	*ph(m, 0) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0x1000,
				  .p_vaddr = VB, .p_filesz = 0x100, .p_memsz = 0x100, .p_align = 0x1000 };
	*ph(m, 1) = (Elf64_Phdr){ .p_type = 4 /* PT_NOTE */, .p_offset = 0x200, .p_filesz = 0x10 };
	*ph(m, 2) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = 0x2000,
				  .p_vaddr = VB + 0x1000, .p_filesz = 0x10, .p_memsz = 0x3000, .p_align = 0x1000 };
	memset(m->b + 0x1000, 0xCC, 0x100);  /* text */
	memset(m->b + 0x2000, 0xDD, 0x10);   /* data */
	memset(m->b + 0x2010, 0xEE, 0x10);   /* bytes past p_filesz: must not be copied */

	/* .symtab: 2 symbols at 0x3000; .strtab at 0x3100 */
	Elf64_Sym *sym = (Elf64_Sym *)(void *)(m->b + 0x3000);
	sym[1] = (Elf64_Sym){ .st_name = 1, .st_info = 0x12, .st_shndx = 1, .st_value = VB + 0x10 };
	memcpy(m->b + 0x3100, "\0_start\0", 8);
	*sh(m, 1) = (Elf64_Shdr){ .sh_type = 1 /* PROGBITS */, .sh_offset = 0x1000, .sh_size = 0x100 };
	*sh(m, 2) = (Elf64_Shdr){ .sh_type = SHT_SYMTAB, .sh_offset = 0x3000, .sh_size = 2 * sizeof(Elf64_Sym),
				  .sh_link = 3, .sh_entsize = sizeof(Elf64_Sym) };
	*sh(m, 3) = (Elf64_Shdr){ .sh_type = SHT_STRTAB, .sh_offset = 0x3100, .sh_size = 8 };
}

static char err[256];
static struct elf_kernel k;

static int validate(struct img *m)
{
	err[0] = '\0';
	return elf_validate(m->b, m->size, &k, err, sizeof(err));
}

/* The image fails with exactly `msg`. */
static void expect_error(struct img *m, const char *msg)
{
	assert_int_equal(validate(m), -1);
	assert_string_equal(err, msg);
}

static void test_good_kernel(void **state)
{
	(void)state;
	static struct img m;
	build(&m);
	assert_int_equal(validate(&m), 0);
	assert_int_equal(k.nload, 2);
	assert_true(k.entry == VB + 0x10);
	assert_true(k.virt_lo == VB);
	assert_true(k.virt_hi == VB + 0x4000);
	assert_true(k.load[0].flags == (PF_R | PF_X));
	assert_true(k.load[1].vaddr == VB + 0x1000 && k.load[1].memsz == 0x3000);

	static unsigned char dst[0x4000];
	memset(dst, 0x55, sizeof(dst));
	elf_load(m.b, &k, dst);
	for (size_t i = 0; i < sizeof(dst); i++) {
		unsigned char want = 0;
		if (i < 0x100)
			want = 0xCC;
		else if (i >= 0x1000 && i < 0x1010)
			want = 0xDD;
		assert_int_equal(dst[i], want);
	}
}

static void test_bad_ident(void **state)
{
	(void)state;
	static struct img m;
	build(&m);
	m.size = 0;
	expect_error(&m, "empty file");

	build(&m);
	m.b[1] = 'X';
	expect_error(&m, "not an ELF file (bad magic)");

	build(&m);
	m.size = 3;
	expect_error(&m, "not an ELF file (bad magic)");

	build(&m);
	m.size = 20;
	expect_error(&m, "truncated: 20 bytes is shorter than the 64-byte ELF header");

	build(&m);
	m.b[EI_CLASS] = 1;
	expect_error(&m, "not a 64-bit ELF file (EI_CLASS 1, need ELFCLASS64)");

	build(&m);
	m.b[EI_DATA] = 2;
	expect_error(&m, "not a little-endian ELF file (EI_DATA 2, need ELFDATA2LSB)");

	build(&m);
	m.b[EI_VERSION] = 0;
	expect_error(&m, "unsupported ELF version (EI_VERSION 0, e_version 1, need 1)");

	build(&m);
	eh(&m)->e_version = 2;
	expect_error(&m, "unsupported ELF version (EI_VERSION 1, e_version 2, need 1)");

	build(&m);
	eh(&m)->e_machine = 3; /* EM_386 */
	expect_error(&m, "not an x86-64 file (e_machine 3, need EM_X86_64 = 62)");

	build(&m);
	eh(&m)->e_type = 3; /* ET_DYN */
	expect_error(&m, "not an executable (e_type 3, need ET_EXEC = 2)");
}

static void test_bad_program_headers(void **state)
{
	(void)state;
	static struct img m;
	build(&m);
	eh(&m)->e_phnum = 0;
	expect_error(&m, "no program headers (e_phnum 0)");

	build(&m);
	eh(&m)->e_phentsize = 32;
	expect_error(&m, "program header entry size 32, need 56");

	build(&m);
	eh(&m)->e_phoff = IMG_SIZE - 100;
	expect_error(&m, "program header table (offset 0x3f9c, 3 entries) extends past the end of the file (16384 bytes)");

	build(&m);
	eh(&m)->e_phoff = UINT64_MAX - 8; /* offset + size wraps around */
	assert_int_equal(validate(&m), -1);
	assert_non_null(strstr(err, "extends past the end of the file"));

	build(&m);
	m.size = 0x2008; /* cuts the data segment's file bytes */
	expect_error(&m, "segment 2: file bytes [0x2000, +0x10) extend past the end of the file (8200 bytes)");

	build(&m);
	ph(&m, 0)->p_offset = UINT64_MAX - 0x10;
	assert_int_equal(validate(&m), -1);
	assert_non_null(strstr(err, "segment 0: file bytes"));

	build(&m);
	ph(&m, 2)->p_filesz = 0x3001;
	ph(&m, 2)->p_memsz = 0x3000;
	ph(&m, 2)->p_offset = 0;
	expect_error(&m, "segment 2: p_filesz 0x3001 is larger than p_memsz 0x3000");

	build(&m);
	ph(&m, 2)->p_vaddr = VB + 0x1800;
	expect_error(&m, "segment 2: p_vaddr 0xffffffff80001800 is not 4 KiB aligned");
}

static void test_bad_placement(void **state)
{
	(void)state;
	static struct img m;
	build(&m);
	ph(&m, 0)->p_vaddr = 0x100000; /* a low-half kernel */
	expect_error(&m, "segment 0: [0x100000, +0x100) is outside the kernel window [0xffffffff80000000, 0xffffffff84000000)");

	build(&m);
	ph(&m, 2)->p_vaddr = VB + PXOS_KERNEL_MAX_SIZE; /* starts at the window's end */
	assert_int_equal(validate(&m), -1);
	assert_non_null(strstr(err, "segment 2: [0xffffffff84000000, +0x3000) is outside the kernel window"));

	build(&m);
	ph(&m, 2)->p_vaddr = VB + PXOS_KERNEL_MAX_SIZE - 0x1000; /* runs past the end */
	assert_int_equal(validate(&m), -1);
	assert_non_null(strstr(err, "is outside the kernel window"));

	build(&m);
	ph(&m, 2)->p_memsz = UINT64_MAX - 0x1000; /* vaddr + memsz wraps */
	assert_int_equal(validate(&m), -1);
	assert_non_null(strstr(err, "is outside the kernel window"));

	build(&m);
	ph(&m, 0)->p_memsz = 0x1001; /* reaches into the data segment */
	expect_error(&m, "segments 0 and 2 overlap ([0xffffffff80000000, +0x1001) and [0xffffffff80001000, +0x3000))");

	build(&m);
	ph(&m, 0)->p_type = 4;
	ph(&m, 2)->p_type = 4;
	expect_error(&m, "no PT_LOAD segment");

	build(&m);
	eh(&m)->e_entry = VB + 0x1000; /* in the RW data segment */
	expect_error(&m, "entry point 0xffffffff80001000 is not inside an executable PT_LOAD segment");

	build(&m);
	eh(&m)->e_entry = VB + 0x100; /* just past the text segment */
	expect_error(&m, "entry point 0xffffffff80000100 is not inside an executable PT_LOAD segment");

	build(&m);
	eh(&m)->e_entry = 0;
	expect_error(&m, "entry point 0x0 is not inside an executable PT_LOAD segment");
}

static void test_too_many_segments(void **state)
{
	(void)state;
	static struct img m;
	build(&m);
	eh(&m)->e_phnum = ELF_MAX_LOAD + 1;
	for (unsigned i = 0; i <= ELF_MAX_LOAD; i++)
		*ph(&m, i) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0x1000,
					   .p_vaddr = VB + i * 0x1000, .p_filesz = 0x10, .p_memsz = 0x100 };
	expect_error(&m, "more than 16 PT_LOAD segments");

	eh(&m)->e_phnum = ELF_MAX_LOAD;
	assert_int_equal(validate(&m), 0);
	assert_int_equal(k.nload, ELF_MAX_LOAD);
}

/* Every prefix of the good image is rejected until the last segment's bytes
 * are in, and never read out of bounds (run under ASan to see it). */
static void test_every_truncation(void **state)
{
	(void)state;
	static struct img m;
	build(&m);
	uint64_t need = 0x2010;
	for (uint64_t len = 0; len <= IMG_SIZE; len++) {
		static unsigned char copy[IMG_SIZE];
		memcpy(copy, m.b, len);
		int r = elf_validate(copy, len, &k, err, sizeof(err));
		assert_int_equal(r, len >= need ? 0 : -1);
	}
}

static void test_symbols(void **state)
{
	(void)state;
	static struct img m;
	struct elf_symbols s;
	build(&m);
	assert_int_equal(elf_find_symbols(m.b, m.size, &s, err, sizeof(err)), 1);
	assert_true(s.symtab_offset == 0x3000 && s.symtab_size == 2 * sizeof(Elf64_Sym));
	assert_true(s.strtab_offset == 0x3100 && s.strtab_size == 8);

	build(&m);
	eh(&m)->e_shoff = 0;
	assert_int_equal(elf_find_symbols(m.b, m.size, &s, err, sizeof(err)), 0);

	build(&m);
	sh(&m, 2)->sh_type = 1;
	assert_int_equal(elf_find_symbols(m.b, m.size, &s, err, sizeof(err)), 0);

	build(&m);
	eh(&m)->e_shentsize = 40;
	assert_int_equal(elf_find_symbols(m.b, m.size, &s, err, sizeof(err)), -1);
	assert_string_equal(err, "section header entry size 40, need 64");

	build(&m);
	m.size = 0x3400 + 3 * sizeof(Elf64_Shdr);
	assert_int_equal(elf_find_symbols(m.b, m.size, &s, err, sizeof(err)), -1);
	assert_string_equal(err, "section header table (offset 0x3400, 4 entries) extends past the end of the file (13504 bytes)");

	build(&m);
	sh(&m, 2)->sh_offset = IMG_SIZE - 8;
	assert_int_equal(elf_find_symbols(m.b, m.size, &s, err, sizeof(err)), -1);
	assert_string_equal(err, "section 2 (.symtab) extends past the end of the file");

	build(&m);
	sh(&m, 2)->sh_size = 30;
	assert_int_equal(elf_find_symbols(m.b, m.size, &s, err, sizeof(err)), -1);
	assert_string_equal(err, "section 2 (.symtab): entry size 24 and size 30 do not fit 24-byte Elf64_Sym entries");

	build(&m);
	sh(&m, 2)->sh_link = 9;
	assert_int_equal(elf_find_symbols(m.b, m.size, &s, err, sizeof(err)), -1);
	assert_string_equal(err, "section 2 (.symtab) links to section 9, which does not exist");

	build(&m);
	sh(&m, 2)->sh_link = 1;
	assert_int_equal(elf_find_symbols(m.b, m.size, &s, err, sizeof(err)), -1);
	assert_string_equal(err, "section 2 (.symtab) links to section 1, which is not a string table");

	build(&m);
	sh(&m, 3)->sh_size = IMG_SIZE;
	assert_int_equal(elf_find_symbols(m.b, m.size, &s, err, sizeof(err)), -1);
	assert_string_equal(err, "section 3 (string table) extends past the end of the file");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_kernel),
		cmocka_unit_test(test_bad_ident),
		cmocka_unit_test(test_bad_program_headers),
		cmocka_unit_test(test_bad_placement),
		cmocka_unit_test(test_too_many_segments),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_symbols),
	};
	return cmocka_run_group_tests_name("boot/elf", tests, NULL, NULL);
}
