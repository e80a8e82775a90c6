/*
 * tooltest.c — shared helpers of the command-line tools' unit tests; see
 * tooltest.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "tools/common/hostio.h"
#include "tooltest.h"

char tooltest_tmpdir[64];

const char *tooltest_env(const char *name)
{
	const char *v = getenv(name);
	if (!v)
		fail_msg("%s is not set: run this test through its wrapper in build/tests/", name);
	return v;
}

int tooltest_run(const char *const *argv, const char *outfile, const char *errfile)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (!freopen(errfile ? errfile : "/dev/null", "w", stderr))
			_exit(127);
		if (!freopen(outfile ? outfile : "/dev/null", "w", stdout))
			_exit(127);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

char *tooltest_slurp(const char *path, size_t *len)
{
	uint8_t *data;
	size_t n;
	if (hostio_read_file(path, &data, &n) != 0)
		fail_msg("cannot read %s", path);
	if (len)
		*len = n;
	return (char *)data; /* hostio_read_file ends it with a NUL */
}

int tooltest_tmpdir_make(const char *name)
{
	snprintf(tooltest_tmpdir, sizeof tooltest_tmpdir, "/tmp/%s-test-XXXXXX", name);
	return mkdtemp(tooltest_tmpdir) ? 0 : -1;
}

int tooltest_tmpdir_remove(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tooltest_tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}
