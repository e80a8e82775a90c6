/*
 * internal.h — data structures shared by the parts of the pxasm library.
 * Not a public interface: only the .c files of tools/pxasm include it.
 *
 * Phases (asm.c drives them):
 *   1. source.c  read the input, splice .include files, record .macro bodies and
 *                expand macro calls: the result is one flat list of lines.
 *   2. parse.c   lex (lex.c) and parse each line into statements; expressions
 *                become trees of nodes (expr.c); labels are defined here.
 *   3. asm.c     lay out addresses (repeated until no label moves, so forward
 *                references work everywhere), then emit bytes and check ranges.
 *   diag.c       diagnostics and suggestions; listing.c listing and symbols.
 */
#ifndef PXASM_INTERNAL_H
#define PXASM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tools/pxasm/pxasm.h"

/* ---- Memory: abort with a message on exhaustion (see pxasm.h) ------------- */
void *pa_realloc(void *p, size_t n);
char *pa_strndup(const char *s, size_t n);
char *pa_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow array `a` (count n, capacity cap) so that a[n] is valid. */
#define PA_GROW(a, n, cap)                                                    \
	do {                                                                  \
		if ((size_t)(n) >= (size_t)(cap)) {                           \
			size_t nc_ = (cap) ? (size_t)(cap) * 2 : 16;          \
			(a) = pa_realloc((a), nc_ * sizeof *(a));             \
			(cap) = nc_;                                          \
		}                                                             \
	} while (0)

/* ---- Lexer ------------------------------------------------------------------ */
enum pa_tok_kind { TK_END, TK_IDENT, TK_NUM, TK_STR, TK_DOT, TK_PUNCT };
enum { P_SHL = 256, P_SHR = 257 }; /* two-character operators; others are chars */

struct pa_tok {
	uint8_t kind;
	int op;       /* TK_PUNCT: the character, or P_SHL / P_SHR */
	int col;      /* 0-based byte offset in the line */
	int len;      /* bytes of source text */
	int64_t num;  /* TK_NUM (numbers and character literals) */
	size_t str;   /* TK_STR: offset of the decoded bytes in sbuf */
	size_t slen;  /* TK_STR: decoded length */
};

struct pa_toks {
	struct pa_tok *v;
	size_t n, cap;
	char *sbuf;      /* decoded string bytes */
	size_t sn, scap;
	int err_col;     /* -1, or the column of the first lexical error */
	char err[200];   /* its message */
};

/* pa_lex: split line `s` (`len` bytes) into tokens, always ending with one
 * TK_END (at the comment or the end of the line). Stops at the first lexical
 * error (t->err_col, t->err). Reuses t's buffers. */
void pa_lex(const char *s, size_t len, struct pa_toks *t);
void pa_toks_free(struct pa_toks *t);

/* pa_is_punct: whether token `k` is the punctuation `op`. */
bool pa_is_punct(const struct pa_tok *k, int op);

/* pa_split_commas: split the tokens from index `first` to the TK_END of `t` at
 * commas outside parentheses and brackets. Piece n is tokens [start[n], end[n])
 * (empty when start[n] == end[n]; end[n] indexes the comma or TK_END). Fills at
 * most `max` pieces and returns how many there are (possibly more than `max`);
 * no tokens at all gives 0. */
int pa_split_commas(const struct pa_toks *t, size_t first, size_t *start, size_t *end, int max);
bool pa_is_ident_char(int c);

/* ---- Source lines ------------------------------------------------------------ */
struct pa_file {
	char *path;   /* as given or as resolved for .include (diagnostics) */
	char *key;    /* lexically normalised path (include-cycle identity) */
	char *text;
	size_t len;
};

enum pa_line_kind {
	L_NORMAL, /* statements */
	L_SKIP,   /* handled by source.c: .include, .macro ... .endm */
	L_CALL,   /* macro call: only labels before stmt_col are statements */
};

struct pa_line {
	int file;       /* index in files */
	int lineno;     /* 1-based line in that file */
	char *text;     /* NUL-terminated copy (macro lines: after substitution) */
	size_t len;
	uint8_t kind;   /* enum pa_line_kind */
	int stmt_col;   /* L_CALL: column of the macro name */
	int exp;        /* macro expansion this line comes from, or -1 */
	int depth;      /* expansion depth, 0 outside macros */
	int stmt;       /* the statement that produces bytes on this line, or -1 */
};

struct pa_exp {         /* one macro expansion */
	int line;       /* the calling line */
	int col;        /* column of the macro name there */
	int macro;
	int parent;     /* enclosing expansion or -1 */
};

struct pa_mline { int file; int lineno; char *text; };

struct pa_macro {
	char *name;
	char **params;
	int nparams;
	struct pa_mline *body;
	size_t nbody, capbody;
	int def_line;   /* line of the .macro directive */
	int def_col;
};

/* ---- Expressions and symbols -------------------------------------------------- */
enum pa_node_op {
	N_NUM, N_SYM, N_DOT, N_NEG, N_NOT,
	N_MUL, N_DIV, N_MOD, N_ADD, N_SUB, N_SHL, N_SHR, N_AND, N_XOR, N_OR,
};

struct pa_node {
	uint8_t op;
	int a, b;       /* operand nodes */
	int64_t v;      /* N_NUM */
	int sym;        /* N_SYM */
	int line, col, len; /* where it was written (operator or operand token) */
	int scol;       /* root of a parsed expression: column where it starts */
};

enum pa_sym_kind { SYM_UNDEF, SYM_LABEL, SYM_EQU };

struct pa_sym {
	char *name;     /* full name; local labels are scope.name */
	uint8_t kind;
	bool known;     /* SYM_LABEL: has an address from a layout pass */
	bool busy;      /* SYM_EQU: being evaluated (cycle detection) */
	int64_t value;  /* SYM_LABEL: address */
	int expr;       /* SYM_EQU: its expression */
	int64_t dot;    /* SYM_EQU: address of the .equ statement */
	int def_line, def_col;
	int next;       /* hash chain */
	uint32_t cache_gen; /* SYM_EQU: cache_ev/cache_val hold its value in generation */
	uint8_t cache_ev;   /* as->eval_gen (one layout pass, or emission) */
	int64_t cache_val;
};

/* ---- Statements ----------------------------------------------------------------- */
enum pa_stmt_kind { S_LABEL, S_EQU, S_INSN, S_BYTE, S_WORD, S_DATA, S_ZERO, S_ORG, S_ALIGN, S_ENTRY };

struct pa_stmt {
	uint8_t kind;
	int line, col;      /* line index; column of the mnemonic / directive / name */
	int sym;            /* S_LABEL, S_EQU */
	int op;             /* S_INSN: opcode */
	uint8_t ra, rb, rc; /* S_INSN registers */
	int imm;            /* S_INSN immediate, S_ZERO/ORG/ALIGN/ENTRY operand: node or -1 */
	int *exprs;         /* S_BYTE, S_WORD */
	int nexprs;
	uint8_t *bytes;     /* S_DATA */
	size_t nbytes;
	uint64_t addr;      /* from layout */
	uint64_t size;
};

/* ---- The assembler state ---------------------------------------------------------- */
struct pa_asm {
	const struct pxasm_options *opt;
	int max_errors;

	struct pa_file *files;   size_t nfiles, capfiles;
	struct pa_line *lines;   size_t nlines, caplines;
	struct pa_exp *exps;     size_t nexps, capexps;
	struct pa_macro *macros; size_t nmacros, capmacros;
	struct pa_node *nodes;   size_t nnodes, capnodes;
	struct pa_sym *syms;     size_t nsyms, capsyms;
	int *hash;               size_t hcap;
	struct pa_stmt *stmts;   size_t nstmts, capstmts;

	struct pxasm_diag *diags; size_t ndiags, capdiags;
	size_t *dkeys;           /* per diagnostic: flat line index, for sorting */
	size_t capdkeys;
	size_t nerrors;
	bool stopped;        /* max_errors reached: no more diagnostics */
	bool dropped;        /* the last error was not recorded, so drop its notes */

	/* source.c */
	int incstack[33];    /* files being included, outermost first */
	int incdepth;
	int collecting;      /* macro whose body is being recorded, or -1 */
	int collect_file;    /* the file its .macro is in */
	bool collect_bad;    /* ... and it will not be registered */
	int exp_counter;     /* for \@ */
	bool too_big;

	/* parse.c */
	int scope;           /* last global label (symbol index) or -1 */

	/* expr.c, asm.c */
	uint32_t eval_gen;   /* bumped whenever labels may have moved */
	int eval_depth;
	bool eval_deep;      /* an evaluation hit PA_MAX_EVAL_DEPTH */
	int cycle_sym;       /* the symbol a circular definition came back to */
	int64_t entry;
	int entry_stmt;
	uint64_t end;
};

/* diag.c: report at line index `line` (-1: no location) and 0-based column
 * `col` (-1: none). Notes attach to the preceding error. */
void pa_error(struct pa_asm *as, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void pa_note(struct pa_asm *as, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* pa_sort_diags: order the errors (each with its notes) by source position,
 * keeping the order of errors on the same line. */
void pa_sort_diags(struct pa_asm *as);

/* Closest candidate by edit distance (case-insensitive), for "did you mean". */
struct pa_suggest { const char *best; int dist; };
void pa_suggest_init(struct pa_suggest *s);
void pa_suggest_try(struct pa_suggest *s, const char *word, size_t len, const char *cand);
/* The suggestion if it is close enough to be useful, else NULL. */
const char *pa_suggest_get(const struct pa_suggest *s, size_t len);

bool pa_eq_ci(const char *a, size_t alen, const char *b);

/* source.c */
void pa_source_run(struct pa_asm *as, const char *name, const char *text, size_t len);
int pa_find_macro(struct pa_asm *as, const char *name, size_t len);

/* expr.c */
int pa_sym_find(struct pa_asm *as, const char *name, size_t len);
int pa_sym_get(struct pa_asm *as, const char *name, size_t len);
int pa_register(const char *s, size_t len); /* 0..7, or -1 (not R0..R7 / SP) */

struct pa_pctx {       /* an expression parser over tokens [i, end) of one line */
	struct pa_asm *as;
	int line;
	const char *text;
	struct pa_toks *t;
	size_t i, end;
	int nest;              /* parenthesis depth */
	struct pa_tok endtok;  /* what pa_peek returns at `end` */
};
const struct pa_tok *pa_peek(struct pa_pctx *p);
/* "'text'" of the token for messages, or "end of line"; buf of >= 48 bytes. */
const char *pa_tok_desc(struct pa_pctx *p, const struct pa_tok *k, char *buf, size_t cap);
/* pa_scoped_name: malloc'd full name of identifier `s` (local ".x" gets the
 * current scope prefix). */
char *pa_scoped_name(struct pa_asm *as, const char *s, size_t len);
/* pa_parse_expr: parse one expression; returns its node, or -1 after reporting. */
int pa_parse_expr(struct pa_pctx *p);

enum pa_ev { EV_OK, EV_UNKNOWN, EV_ERROR, EV_CYCLE };
/* pa_eval: value of `node` with `.` = dot. report: emit errors (unknown label,
 * division by zero...) instead of failing quietly. */
enum pa_ev pa_eval(struct pa_asm *as, int node, int64_t dot, bool report, int64_t *out);

/* parse.c */
void pa_parse_all(struct pa_asm *as);
/* pa_describe_operands: "ra, rb, rc", "ra, [rb + offset]", "target"... of opcode op. */
void pa_describe_operands(uint32_t op, char *buf, size_t cap);

/* listing.c */
void pa_build_outputs(struct pa_asm *as, struct pxasm_result *res);

#endif /* PXASM_INTERNAL_H */
