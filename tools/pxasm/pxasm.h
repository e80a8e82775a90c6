/*
 * pxasm.h — the pxVM assembler as a library (host C).
 *
 * pxasm_assemble() turns pxVM assembly source (docs/pxasm.md) into a program
 * image for address PXVM_IMAGE_BASE, plus diagnostics, a listing and a symbol
 * table. tools/pxasm/main.c is the command-line front end; the unit tests call
 * the library directly. The instruction set comes from PXVM_OPCODES (pxvm/isa.h),
 * the image and .pxe header rules from pxvm/abi.h.
 *
 * Out of memory is not reported as a diagnostic: the library prints
 * "pxasm: out of memory" on stderr and exits with status 1.
 */
#ifndef PXASM_H
#define PXASM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PXASM_MAX_ERRORS 20 /* default limit of reported errors */

enum pxasm_severity { PXASM_ERROR, PXASM_NOTE };

/* One diagnostic. A note follows the error it explains (e.g. "first defined
 * here" after a duplicate label, "in expansion of macro" for macro lines). */
struct pxasm_diag {
	enum pxasm_severity severity;
	const char *file; /* source path as named by the user or .include; never NULL */
	int line;         /* 1-based line; 0 when the diagnostic has no location */
	int col;          /* 1-based byte column; 0 when none */
	char *message;    /* the message, without location or severity */
	char *source;     /* the source line (for macro lines: after substitution), or NULL */
};

/* Include reader: read the whole file at `path` (as built by the assembler:
 * the including file's directory or an include directory joined with the name,
 * lexically normalised). On success store a malloc'd buffer (freed by the
 * library with free()) in *text and its length in *len and return 0; otherwise
 * return an errno value, or PXASM_ENOTREG for a path that is not a regular
 * file. ENOENT means "try the next directory"; any other value stops the
 * search with an error that names pxasm_strerror(value). */
#define PXASM_ENOTREG 0x10000
typedef int (*pxasm_read_fn)(void *ctx, const char *path, char **text, size_t *len);

struct pxasm_options {
	const char *const *include_dirs; /* -I directories, searched in order */
	size_t n_include_dirs;
	pxasm_read_fn read;  /* NULL: pxasm_read_file */
	void *read_ctx;
	int max_errors;      /* errors reported before giving up; 0: PXASM_MAX_ERRORS */
};

/* Listing: one entry per source line, in assembly order (an included file's
 * lines follow the .include line; a macro's expanded lines follow the call). */
enum pxasm_list_kind {
	PXASM_LIST_NONE,  /* produced nothing (comment, label, .equ, macro definition...) */
	PXASM_LIST_CODE,  /* one instruction: size is 4 or 8 bytes */
	PXASM_LIST_DATA,  /* .byte .word .string .ascii bytes */
	PXASM_LIST_FILL,  /* zero padding from .zero .org .align */
};

struct pxasm_list_entry {
	enum pxasm_list_kind kind;
	uint32_t addr;       /* address of the line's first byte (current address for NONE) */
	uint32_t size;       /* bytes produced */
	const char *file;
	int line;            /* 1-based line in `file` */
	int macro_depth;     /* 0, or how many macro expansions deep this line is */
	int labeled;         /* 1 when the line defines a label (at addr) */
	const char *text;    /* the line as assembled (macro lines after substitution) */
};

struct pxasm_symbol {
	const char *name;    /* local labels as scope.name, e.g. "main.loop" */
	int64_t value;
	int is_label;        /* 1: label (an address), 0: constant (.equ / =) */
	const char *file;
	int line;
};

struct pxasm_result {
	uint8_t *image;      /* image_size bytes for address `base`; NULL when errors */
	size_t image_size;   /* a multiple of 4 (zero-padded) */
	uint32_t base;       /* PXVM_IMAGE_BASE */
	uint32_t entry;      /* entry point: .entry, else _start, else base */
	struct pxasm_diag *diags;
	size_t ndiags;
	size_t nerrors;      /* diagnostics of severity PXASM_ERROR */
	struct pxasm_list_entry *list;
	size_t nlist;
	struct pxasm_symbol *syms; /* sorted by name */
	size_t nsyms;
	void *priv;          /* owns the strings above */
};

/* pxasm_assemble: assemble `len` bytes of source `text`, named `name` (used in
 * diagnostics and as the base for relative .include paths), into *res (always
 * filled in; release it with pxasm_result_free). Returns 0 when there were no
 * errors and res->image holds the image, -1 otherwise (res->diags explain). */
int pxasm_assemble(const char *name, const char *text, size_t len,
		   const struct pxasm_options *opt, struct pxasm_result *res);

/* pxasm_result_free: release everything pxasm_assemble put in *res. */
void pxasm_result_free(struct pxasm_result *res);

/* pxasm_read_file: the default include reader; see pxasm_read_fn. It reads
 * regular files of at most PXASM_FILE_MAX bytes (kernel/param.h) only:
 * PXASM_ENOTREG for a device, FIFO or socket, EISDIR for a directory, EFBIG
 * for a larger file. */
int pxasm_read_file(void *ctx, const char *path, char **text, size_t *len);

/* pxasm_strerror: the text of a reader's result: "not a regular file" for
 * PXASM_ENOTREG, the size limit for EFBIG, else strerror. */
const char *pxasm_strerror(int rc);

/* pxasm_format_diag: write "file:line:col: error: message" (or "note:"; the
 * location is shortened when line or col is 0) into buf (cap bytes, always
 * NUL-terminated when cap > 0). Returns the length the full text has. */
size_t pxasm_format_diag(const struct pxasm_diag *d, char *buf, size_t cap);

/* pxasm_print_diags: print every diagnostic of `res` on `f`: the formatted line,
 * then the source line and a caret under the column (tabs kept so it lines up). */
void pxasm_print_diags(FILE *f, const struct pxasm_result *res);

/* pxasm_write_listing: print the listing of a successful assembly on `f`:
 * per line the address, the encoded words (instructions) or bytes (data) in
 * hex, the file:line and the source; then the symbol table. Returns 0, or -1
 * when writing failed. */
int pxasm_write_listing(FILE *f, const struct pxasm_result *res);

/* pxasm_pxe_header: the 16-byte .pxe header (pxvm/abi.h struct pxe_header,
 * little-endian) for a successful result. */
void pxasm_pxe_header(const struct pxasm_result *res, uint8_t out[16]);

/* pxasm_print_opcodes: print the instruction set as pxasm accepts it, one line
 * per opcode: code, mnemonic with its operands, summary (from PXVM_OPCODES). */
void pxasm_print_opcodes(FILE *f);

#endif /* PXASM_H */
