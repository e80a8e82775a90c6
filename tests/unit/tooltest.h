/*
 * tooltest.h — what the unit tests of the command-line tools (test_pxasm,
 * test_pxdis, test_pxdiff) share: the environment their build wrapper sets,
 * running a tool with its output in files, reading those files, and a
 * scratch directory for the test group. Failures fail the running cmocka test.
 */
#ifndef PXOS_TOOLTEST_H
#define PXOS_TOOLTEST_H

#include <stddef.h>

/* The group's scratch directory ("/tmp/NAME-test-XXXXXX" made unique), set
 * by tooltest_tmpdir_make. */
extern char tooltest_tmpdir[64];

/* tooltest_env: the value of environment variable `name`; fails the test when
 * it is not set (the test binary was run without its wrapper). */
const char *tooltest_env(const char *name);

/* tooltest_run: runs argv[0] (a path; argv NULL-terminated) with stdout into
 * file `outfile` and stderr into `errfile` (NULL: /dev/null), waits; its exit
 * status (127: could not redirect or exec). Fails the test when fork fails or
 * the program did not exit (a signal). */
int tooltest_run(const char *const *argv, const char *outfile, const char *errfile);

/* tooltest_slurp: the whole file `path` as a malloc'd NUL-terminated string
 * (*len bytes without the NUL, when len is not NULL); fails the test when it
 * cannot be read. */
char *tooltest_slurp(const char *path, size_t *len);

/* tooltest_tmpdir_make / tooltest_tmpdir_remove: a cmocka group's setup and
 * teardown: make tooltest_tmpdir for tool `name` / remove it with what is in
 * it. 0, or -1 (cmocka then fails the group). */
int tooltest_tmpdir_make(const char *name);
int tooltest_tmpdir_remove(void);

#endif /* PXOS_TOOLTEST_H */
