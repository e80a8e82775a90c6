/*
 * pxsim.h — internals of tools/pxsim, the host simulator of pxOS: settings
 * main.c takes from the command line, and the input script host.c types.
 */
#ifndef PXSIM_H
#define PXSIM_H

#include <stddef.h>
#include <stdint.h>

extern int pxsim_quiet;        /* only warnings and errors from the scheduler */
extern int pxsim_realtime;     /* wall-clock time instead of the virtual clock */
extern int pxsim_interactive;  /* console input from the terminal (implies realtime) */
extern uint64_t pxsim_steps_per_us; /* virtual clock: instructions per microsecond */

/* pxsim_clock_start: time 0 of the wall clock. */
void pxsim_clock_start(void);

/* pxsim_unescape: decode `s` with the escapes \n \r \t \e \\ \xHH into a new
 * malloc'd buffer *out of *n bytes. Returns 0, or -1 for a bad escape. */
int pxsim_unescape(const char *s, char **out, size_t *n);

/* pxsim_script_add: append `n` bytes to the input typed line by line. 0 or -1. */
int pxsim_script_add(const char *bytes, size_t n);

/* pxsim_script_at: type `n` bytes when the clock reaches `at_ms`. 0 or -1. */
int pxsim_script_at(uint64_t at_ms, const char *bytes, size_t n);

/* tools/pxsim/llm.c: the scripted LLM backend. pxsim_llm_script loads
 * --llm-script's rules (0, or -1 after a message); pxsim_llm_pump delivers
 * the answer parts that are due; pxsim_llm_next_due is the earliest time one
 * is due (0: no call in flight). */
int pxsim_llm_script(const char *path);
void pxsim_llm_pump(void);
uint64_t pxsim_llm_next_due(void);

/* pxsim_input_left: scripted input not typed yet. */
int pxsim_input_left(void);

/* Settings for processes by pid (--watch, --imperfect), applied by
 * pxhost_poll as soon as the process exists, before its first quantum. */
struct pxsim_apply {
	uint32_t pid;
	int imperfect;              /* 0: watch `flags`; 1: imperfect mode rate, lo, hi */
	uint32_t flags, rate, lo, hi;
	int done;
};
#define PXSIM_APPLY_MAX 16
extern struct pxsim_apply pxsim_apply[PXSIM_APPLY_MAX];
extern int pxsim_napply;

/* pxsim_apply_poll: apply the settings whose process has appeared. */
void pxsim_apply_poll(void);

/* pxsim_terminal_raw: put a terminal on stdin in non-canonical, no-echo, no
 * signal mode (restored at exit); nothing when stdin is not a terminal. */
int pxsim_terminal_raw(void);

/* pxsim_clock_resume: go on from a snapshot taken at `clock_us` after
 * `steps` instructions: the virtual clock reads clock_us again (when --mips
 * allows: never less than steps / mips). Returns the clock now. */
uint64_t pxsim_clock_resume(uint64_t clock_us, uint64_t steps);

struct fb;
struct pxfs;
/* pxsim_screen_rgb: the screen `fb` as a malloc'd RGB image, or NULL. */
uint8_t *pxsim_screen_rgb(const struct fb *fb);

/* pxsim_snapshot: write the machine now to `path` as a snapshot PNG
 * (docs/snapshots.md): the screen `fb`, or with no screen (NULL) every live
 * process's memory as tiles. 0, or -1 after a message. */
int pxsim_snapshot(const char *path, const struct fb *fb);

/* pxsim_resume: load snapshot `path` into the process core (sched_init with
 * `fs` and `nslots` included); *first_pid gets its lowest pid (0: none).
 * 0, or -1 after a message saying why it was refused. */
int pxsim_resume(const char *path, const struct pxfs *fs, uint32_t nslots, uint32_t *first_pid);

/* pxsim_snapshot_setup: where a guest's SNAPSHOT writes (--snapshots DIR:
 * DIR/snapshot-INSTRUCTIONS.png; NULL: the call fails with -ENOBRIDGE) and
 * the screen it shows (NULL: none). */
void pxsim_snapshot_setup(const char *dir, const struct fb *fb);

/* pxsim_snapshot_poll: from pxhost_poll: take the snapshot a guest asked for. */
void pxsim_snapshot_poll(void);

#endif /* PXSIM_H */
