/*
 * test_python.c — Python guests (pxvm/py, docs/python.md) on the shared test
 * platform (sched_testhost.h): the real scheduler, system calls, hypervisor
 * and MicroPython, a fake clock and a fake LLM.
 *
 * Every pxos function and its error paths (a script of checks run as a
 * process, each failure printed as "FAIL"), a busy loop and a C-level
 * iteration preempted so others run, MemoryError and deep recursion ending
 * only their program, three Python processes at once with separate heaps
 * (one blocked in call_llm while the others run), RUN_PYTHON from a pxVM
 * program (a .py path, a file id, a .pxe refused), FORK of a Python process
 * (-ENOSYS), a process killed while it waits for the LLM, IPC between Python
 * and pxVM, the REPL on the console, random source lines fed to the REPL,
 * and no memory block left behind by any of it.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sched_testhost.h"
#include "pxvm/host.h"
#include "pxvm/hv.h"
#include "pxvm/rng.h"
#include "pxvm/sched.h"
#include "pxvm/snap.h"
#include "pxvm/tty.h"
#include "pxvm/vfs.h"
#include "pxvm/py/pyproc.h"

/* The Python programs of /apps (PY_TEST_APPS: userland/apps in the source tree). */
#ifndef PY_TEST_APPS
#error "build with -DPY_TEST_APPS=\"<repository>/userland/apps\""
#endif

/* ---- the fake LLM ---------------------------------------------------------------- */

static struct { uint32_t id, kind; char prompt[HV_PROMPT_MAX + 256]; } sub[16];
static int nsub, ncancel;
static const char *reply_now; /* set: answer each request at once with it */

static int fake_submit(uint32_t id, uint32_t kind, const char *model, const char *prompt, uint32_t len)
{
	(void)model;
	assert_true(nsub < 16);
	sub[nsub].id = id;
	sub[nsub].kind = kind;
	memcpy(sub[nsub].prompt, prompt, len);
	sub[nsub].prompt[len] = 0;
	/* The platform's prompt is len bytes, not a C string, and a conversation
	 * (LLM_CHAT) holds NULs in its encoding: the copy with them as spaces. */
	for (uint32_t i = 0; i < len; i++)
		if (!sub[nsub].prompt[i])
			sub[nsub].prompt[i] = ' ';
	prompt = sub[nsub].prompt;
	nsub++;
	const char *r = reply_now;
	if (!r) /* by the question: the oracle's "yes?" / "no?" / anything else */
		r = strstr(prompt, "yes?") ? "**Yes**, sure" : strstr(prompt, "no?") ? "No." : strstr(prompt, "wait") ? 0
		  : "It is yes.";
	if (r)
		hv_llm_reply(id, 0, r, (uint32_t)strlen(r), 0);
	return 0;
}

static void fake_cancel(uint32_t id)
{
	(void)id;
	ncancel++;
}

/* ---- files and runs ----------------------------------------------------------------- */

static const char fox[] = "The quick brown fox\njumps over the lazy dog.\n";

/* A pxVM program: IPC echo (receive one message, send it back with "!"). */
static const char echo_pxs[] =
	".include \"pxos.inc\"\n_start:\n"
	" IMM32 R1, buf\n IMM32 R2, 200\n IMM8 R3, 0\n SYSCALL SYS_IPC_RECV\n"
	" MOV R4, R0\n IMM32 R5, buf\n ADD R5, R5, R4\n IMM8 R3, 33\n STB R3, [R5 + 0]\n"
	" ADDI R3, R4, 1\n IMM32 R2, buf\n SYSCALL SYS_IPC_SEND\n HALT\n"
	".align 4\nbuf: .zero 256\n";

/* A pxVM program that raises RUN_PYTHON through the trap page: ARG0 = the
 * path at `path` (or the file id in R6 when nonzero), exit status = the low
 * byte of RESULT's sign (0 ok, 1 error), RESULT kept at 0x3000. */
static const char runpy_pxs[] =
	".include \"pxos.inc\"\n_start:\n"
	" IMM32 R1, path\n"
	" IMM32 R5, 0xF001\n STB R1, [R5 + 0]\n IMM8 R2, 8\n SHR R1, R1, R2\n STB R1, [R5 + 1]\n"
	" IMM8 R1, 1\n IMM32 R5, 0xF000\n STB R1, [R5 + 0]\n"
	" IMM32 R5, 0xF00D\n LDW R0, [R5 + 0]\n IMM32 R5, 0x3000\n STW R0, [R5 + 0]\n"
	" IMM8 R1, 0\n SYSCALL SYS_WAIT\n IMM32 R5, 0x3004\n STW R1, [R5 + 0]\n"
	" IMM32 R1, 0\n SYSCALL SYS_EXIT\n"
	"path: .string \"/bin/child.py\"\n";

static struct th_file files[16];
static uint32_t nfiles;
static long allocs_before;

static void fs_reset(void) { nfiles = 0; }

static void add_py(const char *path, const char *src)
{
	files[nfiles++] = (struct th_file){ path, 0, src, (uint32_t)strlen(src) };
}

static void add_pxs(const char *path, const char *src) { files[nfiles++] = (struct th_file){ path, src, 0, 0 }; }

static void boot(void)
{
	add_py("/data/fox.txt", fox);
	add_pxs("/bin/echo", echo_pxs);
	th_boot(0, 0, files, nfiles);
	py_proc_init();
	th_llm_submit = fake_submit;
	th_llm_cancel = fake_cancel;
	nsub = ncancel = 0;
	reply_now = 0;
	allocs_before = th_live_allocs;
}

/* run_main: spawn `path`, run everything to the end; its exit status. */
static uint32_t run_main(const char *path, const char *args)
{
	int pid = th_spawn(path, args);
	sched_run(0);
	uint32_t st = 0xFFFFFFFF;
	assert_int_equal(sched_reaped_status((uint32_t)pid, &st), 0);
	return st;
}

/* want_status: the status, or the test fails showing the output. */
static void want_status(uint32_t st, uint32_t want)
{
	if (st != want)
		fail_msg("exit status %u, not %u; output:\n%s", st, want, th_out);
}

static void no_leak(void) { assert_int_equal(th_live_allocs, allocs_before); }

static void expect_out(const char *what)
{
	if (!strstr(th_out, what))
		fail_msg("output lacks \"%s\"; output was:\n%s", what, th_out);
}

/* ---- the pxos API ------------------------------------------------------------------- */

/* Every function, each error path: the script prints FAIL for a check that
 * does not hold, and "done N" at the end. */
static const char api_py[] =
	"import pxos, sys\n"
	"n = 0\n"
	"def check(c, what):\n"
	"    global n\n"
	"    n += 1\n"
	"    if not c: print('FAIL', what)\n"
	"def err(f, kind, code=None):\n"
	"    try:\n"
	"        f()\n"
	"    except kind as e:\n"
	"        if code is not None and e.args[0] != code: print('FAIL code', e.args, code)\n"
	"        return True\n"
	"    print('FAIL no', kind)\n"
	"# seed 000: pixels of the canvas, y*128 + x\n"
	"check(pxos.read_pixel(0) == (16, 16, 24, 0), 'empty canvas')\n"
	"pxos.write_pixel(5 * 128 + 7, (1, 2, 3, 4))\n"
	"check(pxos.read_pixel(5 * 128 + 7) == (1, 2, 3, 4), 'pixel back')\n"
	"pxos.write_pixel(16383, 0x00ff00)\n"
	"check(pxos.read_pixel(16383) == (0, 255, 0, 0), 'last pixel, int colour')\n"
	"err(lambda: pxos.read_pixel(16384), ValueError)\n"
	"err(lambda: pxos.read_pixel(-1), ValueError)\n"
	"err(lambda: pxos.write_pixel(0, (1, 2)), ValueError)\n"
	"err(lambda: pxos.write_pixel(0, (1, 2, 256)), ValueError)\n"
	"# seed 000: bytes and strings of the data area\n"
	"pxos.write_bytes(0x5000, b'\\x01\\x02\\x03')\n"
	"check(pxos.read_bytes(0x5000, 3) == b'\\x01\\x02\\x03', 'bytes back')\n"
	"check(pxos.write_string(0x8000, 'hello') == 5, 'write_string length')\n"
	"check(pxos.read_string(0x8000) == 'hello', 'string back')\n"
	"check(pxos.read_string(0x8000, 3) == 'hel', 'max_len')\n"
	"pxos.write_bytes(0xBFFF, b'z')\n"
	"check(pxos.read_string(0xBFFF) == 'z', 'string at the end of the area')\n"
	"err(lambda: pxos.read_bytes(0x4FFF, 1), ValueError)\n"
	"err(lambda: pxos.read_bytes(0xBFFF, 2), ValueError)\n"
	"err(lambda: pxos.write_bytes(0xC000, b'x'), ValueError)\n"
	"err(lambda: pxos.write_string(0xBFFF, 'ab'), ValueError)\n"
	"err(lambda: pxos.read_bytes(0x5000, -1), ValueError)\n"
	"# load_file by path and by id\n"
	"check(pxos.load_file('/data/fox.txt').startswith(b'The quick'), 'load_file path')\n"
	"err(lambda: pxos.load_file('/none'), OSError, pxos.ENOENT)\n"
	"err(lambda: pxos.load_file('/data'), OSError, pxos.EISDIR)\n"
	"err(lambda: pxos.load_file(0), OSError, pxos.EINVAL)\n"
	"err(lambda: pxos.load_file(9999), OSError, pxos.ENOENT)\n"
	"check(len(pxos.load_file(1)) > 0, 'load_file id 1')\n"
	"# noise\n"
	"xs = [pxos.sample_noise(100, 10) for i in range(400)]\n"
	"m = sum(xs) / len(xs)\n"
	"check(95 < m < 105, 'noise mean %f' % m)\n"
	"check(pxos.sample_noise(std=0, mean=3.5) == 3.5, 'std 0')\n"
	"check(isinstance(pxos.sample_noise(), float), 'float')\n"
	"err(lambda: pxos.sample_noise(0, -1), ValueError)\n"
	"us = [pxos.sample_uniform(2, 3) for i in range(200)]\n"
	"check(min(us) >= 2 and max(us) < 3, 'uniform range')\n"
	"check(0 <= pxos.sample_uniform() < 1, 'uniform default')\n"
	"err(lambda: pxos.sample_uniform(1, 1), ValueError)\n"
	"# the log: stderr\n"
	"pxos.log('a log line')\n"
	"# the kernel log's kept lines (KLOG_READ), at most 4 KiB a call\n"
	"whole, at = '', 0\n"
	"while True:\n"
	"    t, at = pxos.klog(at)\n"
	"    check(len(t) <= 4096, 'klog piece')\n"
	"    if not t: break\n"
	"    whole += t\n"
	"check('spawned pid' in whole and whole.endswith('\\n'), 'klog text')\n"
	"check(pxos.klog(at) == ('', at), 'klog: nothing newer')\n"
	"check(pxos.klog(at - 5) == (whole[-5:], at), 'klog from inside')\n"
	"check(pxos.klog(at + 100) == pxos.klog(0), 'klog: an offset not in the log reads from the oldest kept')\n"
	"err(lambda: pxos.klog('x'), TypeError)\n"
	"check(pxos.PROMPT_MAX == 4096, 'PROMPT_MAX')\n"
	"# drawing\n"
	"pxos.rect(0, 0, 10, 10, (9, 9, 9))\n"
	"check(pxos.read_pixel(9 * 128 + 9) == (9, 9, 9, 0), 'rect')\n"
	"pxos.rect(-50, -50, 10**6, 3, 0)\n"
	"pxos.pixel(127, 127, (7, 7, 7))\n"
	"check(pxos.read_pixel(16383) == (7, 7, 7, 0), 'pixel')\n"
	"check(pxos.text(0, 0, 'abc', (255, 255, 255)) == 3, 'text glyphs')\n"
	"check(pxos.text(120, 0, 'abc') == 1, 'text: whole glyphs only')\n"
	"check(pxos.text(121, 0, 'abc') == 0, 'text clipped')\n"
	"err(lambda: pxos.text(0, 0, 'x' * 1025), ValueError)\n"
	"check(pxos.layer(1) == 0, 'layer back')\n"
	"pxos.rect(0, 0, 128, 128, (50, 60, 70))\n"
	"check(pxos.read_pixel(0) == (50, 60, 70, 0), 'back layer drawn')\n"
	"check(pxos.layer(0, True) == 1, 'show back')\n"
	"check(pxos.read_pixel(64) == (50, 60, 70, 0), 'back shown')\n"
	"err(lambda: pxos.layer(2), ValueError)\n"
	"# processes\n"
	"check(pxos.getpid() > 0 and pxos.getppid() == 0, 'pids')\n"
	"err(lambda: pxos.fork(), OSError, pxos.ENOSYS)\n"
	"err(lambda: pxos.spawn('/none'), OSError, pxos.ENOENT)\n"
	"err(lambda: pxos.wait(), OSError, pxos.ECHILD)\n"
	"err(lambda: pxos.kill(99), OSError, pxos.ESRCH)\n"
	"pid = pxos.spawn('/bin/echo')\n"
	"pxos.send(pid, b'ping')\n"
	"check(pxos.recv() == (pid, b'ping!'), 'IPC with a pxVM program')\n"
	"check(pxos.wait(pid) == (pid, 0), 'wait for it')\n"
	"check(pxos.recv(False) is None, 'recv without blocking')\n"
	"err(lambda: pxos.send(pid, b'x'), OSError, pxos.ESRCH)\n"
	"err(lambda: pxos.send(pxos.getpid(), b'x' * 257), OSError, pxos.EINVAL)\n"
	"c = pxos.run_python('/bin/child.py', ['a', 'b'])\n"
	"check(pxos.wait(c) == (c, 7), 'run_python child')\n"
	"err(lambda: pxos.run_python('/bin/echo'), OSError, pxos.ENOEXEC)\n"
	"# time\n"
	"t = pxos.time_ms()\n"
	"pxos.sleep_ms(50)\n"
	"check(pxos.time_ms() - t >= 50, 'sleep_ms')\n"
	"pxos.sleep(0.02)\n"
	"pxos.sleep(0)\n"
	"err(lambda: pxos.sleep(-1), ValueError)\n"
	"err(lambda: pxos.sleep_ms(3600001), ValueError)\n"
	"# files\n"
	"with open('/tmp/x.txt', 'w') as f:\n"
	"    f.write('one\\ntwo\\n')\n"
	"check(open('/tmp/x.txt').read() == 'one\\ntwo\\n', 'file back')\n"
	"check(list(open('/tmp/x.txt')) == ['one\\n', 'two\\n'], 'lines')\n"
	"with open('/tmp/x.txt', 'a') as f:\n"
	"    f.write(b'three')\n"
	"check(open('/tmp/x.txt', 'rb').read(100) == b'one\\ntwo\\nthree', 'append, bytes')\n"
	"check(pxos.stat('/tmp/x.txt')[0] == 13, 'stat size')\n"
	"check('x.txt' in pxos.listdir('/tmp'), 'listdir')\n"
	"err(lambda: open('/none'), OSError, pxos.ENOENT)\n"
	"err(lambda: open('/data/fox.txt', 'q'), ValueError)\n"
	"f = open('/data/fox.txt')\n"
	"f.close()\n"
	"err(lambda: f.read(), ValueError)\n"
	"# the LLM and the oracle (the test's fake LLM answers at once)\n"
	"check(pxos.call_llm('What is pxOS?') == 'It is yes.', 'call_llm')\n"
	"check(pxos.call_llm('x', model_id=3, max_tokens=5) == 'It is yes.', 'call_llm kw')\n"
	"err(lambda: pxos.call_llm(''), ValueError)\n"
	"err(lambda: pxos.call_llm('x' * 4097), ValueError)\n"
	"err(lambda: pxos.call_llm('x', 256), ValueError)\n"
	"err(lambda: pxos.call_llm('x', max_tokens=0), ValueError)\n"
	"check(pxos.oracle('Say yes?') is True, 'oracle yes')\n"
	"check(pxos.oracle('Say no?', 7) is False, 'oracle no')\n"
	"err(lambda: pxos.oracle('Say something'), OSError, pxos.EIO)\n"
	"err(lambda: pxos.oracle('x', -1), ValueError)\n"
	"print('done', n)\n";

static const char child_py[] = "import sys\nprint('child', sys.argv[1:])\nsys.exit(7)\n";

static void test_api(void **state)
{
	(void)state;
	fs_reset();
	add_py("/bin/api.py", api_py);
	add_py("/bin/child.py", child_py);
	boot();
	want_status(run_main("/bin/api.py", 0), 0);
	assert_int_equal(nsub, 5);
	assert_string_equal(sub[0].prompt, "What is pxOS?");
	assert_int_equal(sub[2].kind, PXVM_TRAP_ORACLE);
	if (strstr(th_out, "FAIL") || !strstr(th_out, "done"))
		fail_msg("the API script failed:\n%s", th_out);
	assert_int_equal(th_live_allocs, allocs_before + 1); /* the RAM file /tmp/x.txt stays */
}

/* Without a bridge the LLM call fails with ENOBRIDGE at once. */
static void test_no_bridge(void **state)
{
	(void)state;
	fs_reset();
	add_py("/bin/t.py", "import pxos\n"
	                    "try:\n    pxos.call_llm('hi')\nexcept OSError as e:\n    print('err', e.args[0] == pxos.ENOBRIDGE, e.args[1])\n");
	boot();
	th_llm_submit = 0;
	want_status(run_main("/bin/t.py", 0), 0);
	expect_out("err True no host bridge on the serial line");
	no_leak();
}

/* ---- preemption ------------------------------------------------------------------------ */

/* A busy loop and a C-level iteration (sum over a huge range, one bytecode)
 * are preempted: a ticker beside them finishes on time. */
static void test_busy_preempted(void **state)
{
	(void)state;
	fs_reset();
	add_py("/bin/busy.py", "while True:\n    pass\n");
	add_py("/bin/sum.py", "print(sum(range(10**15)))\n");
	add_py("/bin/tick.py", "import pxos\nfor i in range(5):\n    pxos.sleep_ms(2)\nprint('ticker done', pxos.time_ms())\n");
	boot();
	th_tick_us = 0;
	int busy = th_spawn("/bin/busy.py", 0), sum = th_spawn("/bin/sum.py", 0);
	int tick = th_spawn("/bin/tick.py", 0);
	uint32_t st;
	for (int i = 0; i < 400 && sched_reaped_status((uint32_t)tick, &st) != 0; i++) {
		sched_run(SCHED_QUANTUM);
		th_now_us += 200; /* a quantum is at most about this long */
	}
	assert_int_equal(sched_reaped_status((uint32_t)tick, &st), 0);
	assert_int_equal(st, 0);
	expect_out("ticker done");
	struct proc *b = proc_find((uint32_t)busy), *s = proc_find((uint32_t)sum);
	assert_non_null(b);
	assert_non_null(s);
	assert_true(b->vm.steps > 0 && s->vm.steps > 0); /* both ran, both still running */
	assert_int_equal(sched_kill(0, (uint32_t)busy), 0);
	assert_int_equal(sched_kill(0, (uint32_t)sum), 0);
	no_leak();
}

/* Every quantum of a Python process ends within its budget of hooks and
 * within PY_QUANTUM_US of real time (plus one chunk of hooks), whatever the
 * program does: the scheduler's count moves by at most a quantum each time,
 * and no quantum computes for more than 20 ms (the thread's CPU time). */
static void test_quantum_bounded(void **state)
{
	(void)state;
	static const char *const progs[] = {
		"while True:\n    pass\n",
		"x = 0\nwhile True:\n    x = sorted([i * 7919 % 1000 for i in range(2000)])\n",
		"import gc\nwhile True:\n    a = [[i] for i in range(500)]\n    gc.collect()\n",
		"print(max(range(10**15)))\n",
		"print('x' in map(str, range(10**15)))\n",
		"s = 'ab' * 20000\nwhile True:\n    s.replace('a', 'b').count('b')\n",
		"def f(n):\n    return f(n + 1) if n < 100 else 0\nwhile True:\n    f(0)\n",
	};
	for (size_t k = 0; k < sizeof(progs) / sizeof(progs[0]); k++) {
		fs_reset();
		add_py("/bin/t.py", progs[k]);
		boot();
		th_real_clock = 1;
		int pid = th_spawn("/bin/t.py", 0);
		struct proc *p = proc_find((uint32_t)pid);
		uint64_t worst = 0;
		for (int i = 0; i < 40; i++) {
			uint64_t before = sched_total_steps(), t0 = pxhost_time_us();
			sched_run(1);
			uint64_t d = sched_total_steps() - before, dt = pxhost_time_us() - t0;
			if (d > SCHED_QUANTUM + 4096)
				fail_msg("program %zu: a quantum of %llu hooks", k, (unsigned long long)d);
			if (i > 0 && dt > worst) /* the first quantum compiles the program */
				worst = dt;
		}
		if (worst > 20000)
			fail_msg("program %zu: a quantum of %llu us", k, (unsigned long long)worst);
		if (p->state != PROC_RUNNABLE)
			fail_msg("program %zu ended:\n%s", k, th_out);
		assert_int_equal(sched_kill(0, (uint32_t)pid), 0);
		no_leak();
	}
}

/* ---- errors end only their program -------------------------------------------------- */

static void test_memory_and_recursion(void **state)
{
	(void)state;
	fs_reset();
	add_py("/bin/mem.py", "a = []\nwhile True:\n    a.append(bytearray(4096))\n");
	add_py("/bin/rec.py", "def f(n):\n    return f(n + 1)\nf(0)\n");
	add_py("/bin/rec2.py", "try:\n    eval('(' * 300 + ')' * 300)\nexcept Exception as e:\n    print('deep', type(e).__name__)\n"
	                       "def g(n):\n    return g(n+1)\ntry:\n    g(0)\nexcept RecursionError:\n    print('caught RecursionError')\n");
	add_py("/bin/ok.py", "import pxos\npxos.sleep_ms(5)\nprint('still here')\n");
	boot();
	int ok = th_spawn("/bin/ok.py", 0);
	int mem = th_spawn("/bin/mem.py", 0), rec = th_spawn("/bin/rec.py", 0), rec2 = th_spawn("/bin/rec2.py", 0);
	sched_run(0);
	uint32_t st;
	assert_int_equal(sched_reaped_status((uint32_t)mem, &st), 0);
	assert_int_equal(st, 1);
	assert_int_equal(sched_reaped_status((uint32_t)rec, &st), 0);
	assert_int_equal(st, 1);
	assert_int_equal(sched_reaped_status((uint32_t)rec2, &st), 0);
	assert_int_equal(st, 0);
	assert_int_equal(sched_reaped_status((uint32_t)ok, &st), 0);
	assert_int_equal(st, 0);
	expect_out("MemoryError: memory allocation failed");
	expect_out("RuntimeError: maximum recursion depth exceeded");
	expect_out("caught RecursionError");
	expect_out("still here");
	no_leak();
}

/* A traceback names the file and line; SystemExit's code is the status. */
static void test_traceback_and_exit(void **state)
{
	(void)state;
	fs_reset();
	add_py("/bin/tb.py", "def f():\n    return 1 // 0\nprint('before')\nf()\n");
	add_py("/bin/ex.py", "import sys\nsys.exit(42)\n");
	add_py("/bin/syn.py", "def (:\n");
	boot();
	want_status(run_main("/bin/tb.py", 0), 1);
	expect_out("File \"/bin/tb.py\", line 4, in <module>");
	expect_out("File \"/bin/tb.py\", line 2, in f");
	expect_out("ZeroDivisionError: divide by zero");
	want_status(run_main("/bin/ex.py", 0), 42);
	want_status(run_main("/bin/syn.py", 0), 1);
	expect_out("SyntaxError");
	no_leak();
}

/* ---- three at once -------------------------------------------------------------------- */

/* Three Python processes, separate heaps: one waits for the LLM while the
 * other two count; each sees only its own globals. */
static void test_three_at_once(void **state)
{
	(void)state;
	fs_reset();
	add_py("/bin/ask.py", "import pxos\nx = 'asker'\nprint('answer:', pxos.call_llm('please wait'), x)\n");
	add_py("/bin/count.py", "import sys\nx = sys.argv[1]\nn = 0\nfor i in range(20000):\n    n += i\nprint(x, n)\n");
	boot();
	int a = th_spawn("/bin/ask.py", 0);
	int b = th_spawn("/bin/count.py", "first"), c = th_spawn("/bin/count.py", "second");
	th_no_idle = 1;
	sched_run(0); /* runs until everything left is blocked: the asker */
	expect_out("first 199990000");
	expect_out("second 199990000");
	struct proc *pa = proc_find((uint32_t)a);
	assert_non_null(pa);
	assert_int_equal(pa->state, PROC_BLOCKED);
	assert_int_equal(pa->block, BLOCK_TRAP);
	assert_int_equal(nsub, 1);
	hv_llm_reply(sub[0].id, 0, "forty-two", 9, 0);
	th_no_idle = 0;
	sched_run(0);
	expect_out("answer: forty-two asker");
	uint32_t st;
	assert_int_equal(sched_reaped_status((uint32_t)b, &st), 0);
	assert_int_equal(sched_reaped_status((uint32_t)c, &st), 0);
	no_leak();
}

/* A process killed while it waits for the LLM: the call is cancelled and
 * everything it held comes back. */
static void test_kill_waiting(void **state)
{
	(void)state;
	fs_reset();
	add_py("/bin/ask.py", "import pxos\npxos.call_llm('please wait')\n");
	boot();
	int a = th_spawn("/bin/ask.py", 0);
	th_no_idle = 1;
	sched_run(0);
	th_no_idle = 0;
	assert_int_equal(nsub, 1);
	assert_int_equal(sched_kill(0, (uint32_t)a), 0);
	assert_int_equal(ncancel, 1);
	uint32_t st;
	assert_int_equal(sched_reaped_status((uint32_t)a, &st), 0);
	assert_int_equal(st, PXVM_STATUS_KILLED);
	no_leak();
}

/* Ctrl-C while a Python process waits for the LLM: KeyboardInterrupt at
 * once (at the scheduler's next pass), the call cancelled on the platform,
 * the late answer dropped by its id; the program goes on. */
static void test_ctrl_c_call_llm(void **state)
{
	(void)state;
	fs_reset();
	add_py("/bin/ask.py", "import pxos\n"
	                      "try:\n    pxos.call_llm('please wait')\nexcept KeyboardInterrupt:\n    print('call interrupted')\n"
	                      "print('then', pxos.call_llm('again'))\n");
	boot();
	int a = th_spawn("/bin/ask.py", 0);
	tty_set_foreground((uint32_t)a);
	th_no_idle = 1;
	sched_run(0);
	assert_int_equal(nsub, 1);
	struct proc *p = proc_find((uint32_t)a);
	assert_int_equal(p->state, PROC_BLOCKED);
	assert_int_equal(p->block, BLOCK_TRAP);
	tty_input("\x03", 1);
	th_no_idle = 0;
	sched_run(0);
	assert_int_equal(ncancel, 1);
	hv_llm_reply(sub[0].id, 0, "late", 4, 0); /* dropped: nobody waits for it */
	expect_out("call interrupted");
	expect_out("then It is yes.");
	uint32_t st;
	assert_int_equal(sched_reaped_status((uint32_t)a, &st), 0);
	assert_int_equal(st, 0);
	assert_null(strstr(th_out, "late"));
	no_leak();
}

/* The same for a conversation (LLM_CHAT): the call is cancelled and its
 * conversation block freed (no_leak), and the next chat is answered. */
static void test_ctrl_c_chat(void **state)
{
	(void)state;
	fs_reset();
	add_py("/bin/chat.py", "import pxos\n"
	                       "try:\n    pxos.chat([('user', 'please wait')])\nexcept KeyboardInterrupt:\n    print('chat interrupted')\n"
	                       "print('then', pxos.chat([('user', 'again')]))\n");
	boot();
	int a = th_spawn("/bin/chat.py", 0);
	tty_set_foreground((uint32_t)a);
	th_no_idle = 1;
	sched_run(0);
	assert_int_equal(nsub, 1);
	tty_input("\x03", 1);
	th_no_idle = 0;
	sched_run(0);
	assert_int_equal(ncancel, 1);
	hv_llm_reply(sub[0].id, 0, "late", 4, 0); /* dropped: nobody waits for it */
	expect_out("chat interrupted");
	expect_out("then It is yes.");
	uint32_t st;
	assert_int_equal(sched_reaped_status((uint32_t)a, &st), 0);
	assert_int_equal(st, 0);
	no_leak();
}

/* ---- RUN_PYTHON, FORK ---------------------------------------------------------------- */

static void test_run_python_trap(void **state)
{
	(void)state;
	fs_reset();
	add_pxs("/bin/runpy", runpy_pxs);
	add_py("/bin/child.py", child_py);
	boot();
	int pid = th_spawn("/bin/runpy", 0);
	struct proc *p = proc_find((uint32_t)pid);
	th_no_idle = 1;
	sched_run(0);
	th_no_idle = 0;
	sched_run(0);
	uint32_t st;
	assert_int_equal(sched_reaped_status((uint32_t)pid, &st), 0);
	(void)p;
	expect_out("child []");
	/* the pxVM parent got the child's pid in RESULT and its status 7 by WAIT:
	 * its output says nothing, so check through another run below. */
	no_leak();
}

/* RUN_PYTHON through HVTRAP on the process table directly: a .py path, a
 * file id, a .pxe (ENOEXEC), no such file. */
static void test_run_python_errors(void **state)
{
	(void)state;
	fs_reset();
	add_pxs("/bin/park", ".include \"pxos.inc\"\n_start:\n IMM32 R1, 0x4000\n IMM8 R2, 8\n IMM8 R3, 0\n SYSCALL SYS_IPC_RECV\n HALT\n");
	add_py("/bin/child.py", child_py);
	boot();
	int pid = th_spawn("/bin/park", 0);
	th_no_idle = 1;
	sched_run(0);
	struct proc *p = proc_find((uint32_t)pid);
	assert_int_equal(p->state, PROC_BLOCKED);
	uint32_t addr = 0x3000;
	struct { const char *path; int32_t want; } cases[] = {
		{ "/bin/child.py", 1 }, { "/bin/park", -PXE_ENOEXEC }, { "/bin/none.py", -PXE_ENOENT },
	};
	for (size_t i = 0; i < 3; i++) {
		pxvm_write(&p->vm, addr, cases[i].path, (uint32_t)strlen(cases[i].path) + 1);
		p->vm.r[1] = PXVM_TRAP_RUN_PYTHON;
		p->vm.r[2] = addr;
		p->vm.r[3] = 0;
		p->vm.r[4] = 0;
		p->state = PROC_RUNNING;
		hv_syscall(p);
		p->state = PROC_BLOCKED;
		int32_t r = (int32_t)p->vm.r[0];
		if (cases[i].want > 0) {
			assert_true(r > 0);
			struct proc *c = proc_find((uint32_t)r);
			assert_non_null(c);
			assert_string_equal(c->ops->name, "python");
			assert_int_equal(c->ppid, p->pid);
			/* FORK of a Python process: -ENOSYS, nothing left behind */
			assert_int_equal(sched_fork(c), -PXE_ENOSYS);
		} else {
			assert_int_equal(r, cases[i].want);
		}
	}
	/* by PixelFS file id: find child.py's id */
	struct pxfs_file f;
	assert_int_equal(pxfs_lookup(vfs_fs(), "/bin/child.py", &f), 0);
	p->vm.r[1] = PXVM_TRAP_RUN_PYTHON;
	p->vm.r[2] = HV_FILE_BY_ID | f.id;
	p->vm.r[3] = p->vm.r[4] = 0;
	p->state = PROC_RUNNING;
	hv_syscall(p);
	p->state = PROC_BLOCKED;
	assert_true((int32_t)p->vm.r[0] > 0);
	th_no_idle = 0;
	sched_kill(0, (uint32_t)pid);
	sched_run(0);
	no_leak();
}

/* ---- the REPL on the console ----------------------------------------------------------- */

static void test_repl(void **state)
{
	(void)state;
	fs_reset();
	add_py("/bin/python", "#!python\nimport sys, pxos\nif len(sys.argv) > 1:\n    pxos.exec_main(sys.argv[1:])\npxos.repl()\n");
	add_py("/bin/child.py", child_py);
	boot();
	th_input = "1 + 2\nfor i in range(3):\n  print('i', i)\n\n1/0\nx = 5\nx * 2\n\x04";
	int pid = th_spawn("/bin/python", 0);
	tty_set_foreground((uint32_t)pid);
	sched_run(0);
	uint32_t st;
	assert_int_equal(sched_reaped_status((uint32_t)pid, &st), 0);
	assert_int_equal(st, 0);
	expect_out(">>> ");
	expect_out("3\n");
	expect_out("... ");
	expect_out("i 2\n");
	expect_out("ZeroDivisionError");
	expect_out("10\n");
	/* python FILE ARGS: the program runs as __main__ with its argv */
	th_out_clear();
	th_input = 0;
	want_status(run_main("/bin/python", "/bin/child.py x y"), 7);
	expect_out("child ['x', 'y']");
	no_leak();
}

/* count_out: how many times `what` is in the output. */
static int count_out(const char *what)
{
	int n = 0;
	for (const char *s = th_out; (s = strstr(s, what)) != NULL; s += strlen(what))
		n++;
	return n;
}

/* only_allowed_csi: every ESC the REPL wrote starts ESC [ digits/';' and a
 * final byte of the console escaper's allowlist (docs/isolation.md). */
static void only_allowed_csi(void)
{
	for (const char *s = th_out; (s = strchr(s, 0x1b)) != NULL; s++) {
		const char *q = s + 1;
		if (*q++ != '[')
			fail_msg("ESC not followed by [ in the REPL's output at offset %zu", (size_t)(s - th_out));
		while ((*q >= '0' && *q <= '9') || *q == ';')
			q++;
		if (!*q || !strchr("ABCDGHJKfm", *q))
			fail_msg("CSI with final byte 0x%02x outside the allowlist", (unsigned char)*q);
	}
}

/* The REPL's line editor (MicroPython's shared/readline over raw mode),
 * keys typed one at a time: Up Up Enter runs the first line again, Up then
 * edits (Left, Backspace, typing), ESC O A / ESC O B, the history keeps the
 * last MICROPY_READLINE_HISTORY_SIZE lines, input() in a statement reads a
 * cooked line, CR LF is one Enter, Ctrl-C drops a half-typed line (KeyboardInterrupt, the REPL
 * goes on), Ctrl-D on an empty line ends it. */
static void test_repl_history(void **state)
{
	(void)state;
	fs_reset();
	add_py("/bin/python", "#!python\nimport pxos\npxos.repl()\n");
	boot();
	th_input =
		"print('first')\n"
		"print('second')\n"
		"\x1b[A\x1b[A\n"                         /* Up Up Enter: first again */
		"\x1b[A\x1b[D\x1b[D\x7f\x7f\x7f\x7f\x7fthird\n" /* Up, Left Left, 5 x Backspace, type */
		"\x1bOA\x1bOB6 * 7\n"                     /* Up, Down: back to an empty line */
		"\x1bOA\x1bOA\x1bOA\n"                    /* Up Up Up: the first line */
		"s = input('? ')\nfrom cooked\ns\n"       /* input() reads a cooked line */
		"100 + 0\n100 + 1\n100 + 2\n100 + 3\n100 + 4\n100 + 5\n"
		"100 + 6\n100 + 7\n100 + 8\n100 + 9\n100 + 10\n100 + 11\n"
		"\x1b[A\x1b[A\x1b[A\x1b[A\x1b[A\x1b[A\x1b[A\x1b[A\x1b[A\x1b[A\x1b[A\x1b[A\n" /* 12 x Up: the oldest kept */
		"for i in range(2):\r\n  print('cr', i)\r\n\r\n" /* CR LF (one byte a READ): one Enter */
		"print('half\x03"                           /* Ctrl-C drops the line */
		"print('after')\n"
		"\x04";
	th_input_chunk = 1;
	int pid = th_spawn("/bin/python", 0);
	tty_set_foreground((uint32_t)pid);
	sched_run(0);
	uint32_t st;
	if (sched_reaped_status((uint32_t)pid, &st) != 0)
		fail_msg("the REPL did not end; output:\n%s", th_out);
	assert_int_equal(st, 0);
	assert_int_equal(count_out("\nfirst\n"), 3);
	assert_int_equal(count_out("\nsecond\n"), 1);
	assert_int_equal(count_out("\nthird\n"), 1);
	expect_out("\n42\n");
	expect_out("'from cooked'\n");
	/* 8 lines kept (100 + 4 .. 100 + 11): 12 x Up stops at the oldest */
	assert_int_equal(count_out("\n104\n"), 2);
	assert_int_equal(count_out("\n100\n"), 1);
	expect_out("\ncr 0\ncr 1\n");
	expect_out("KeyboardInterrupt\n");
	if (strstr(th_out, "\nhalf"))
		fail_msg("the line Ctrl-C dropped was run:\n%s", th_out);
	expect_out("\nafter\n");
	only_allowed_csi();
	no_leak();
}

/* Two REPLs share MicroPython's line editor: one blocked half-way through a
 * line while the other edits (and recalls) lines gets its own line back. */
static void test_repl_two_at_once(void **state)
{
	(void)state;
	fs_reset();
	add_py("/bin/python", "#!python\nimport pxos\npxos.repl()\n");
	boot();
	int a = th_spawn("/bin/python", 0);
	int b = th_spawn("/bin/python", 0);
	tty_set_foreground((uint32_t)a);
	th_input = "a = 1\nprint('A', ";
	sched_run(0);
	tty_set_foreground((uint32_t)b);
	th_input = "print('B')\n\x1b[A\n";
	sched_run(0);
	tty_set_foreground((uint32_t)a);
	th_input = "6 * 7)\n\x1b[A\x1b[A\n\x04";
	sched_run(0);
	tty_set_foreground((uint32_t)b);
	th_input = "\x04";
	sched_run(0);
	uint32_t st;
	assert_int_equal(sched_reaped_status((uint32_t)a, &st), 0);
	assert_int_equal(st, 0);
	assert_int_equal(sched_reaped_status((uint32_t)b, &st), 0);
	assert_int_equal(st, 0);
	assert_int_equal(count_out("\nB\n"), 2);
	assert_int_equal(count_out("\nA 42\n"), 1);
	no_leak();
}

/* Random source lines fed to the REPL: whatever they are, the REPL answers
 * each (a value, nothing, or a traceback) and the process ends normally at
 * end of input; nothing else is disturbed. */
static void test_repl_random_lines(void **state)
{
	(void)state;
	static const char *const atoms[] = {
		"(", ")", "[", "]", "{", "}", ":", ",", ".", "+", "-", "*", "**", "/", "//", "%", "=", "==",
		"lambda", "def", "class", "if", "else", "for", "in", "while", "not", "and", "or", "1", "0",
		"2**63", "9" , "'s'", "b'x'", "\"", "'", "x", "y", "pxos", "import", "print", "len", "range",
		"None", "True", "1.5e308", "-1", "yield", "return", "try", "except", "\\", "#", "@", "~", "<<", ">>",
		"[i for i in range(3)]", "pxos.rect", "open", "sum", "exec", "eval", "compile", "del", "global",
	};
	static char input[1 << 15];
	size_t len = 0;
	rng_seed(12345);
	for (int line = 0; line < 300; line++) {
		int n = 1 + (int)rng_below(12);
		for (int k = 0; k < n; k++)
			len += (size_t)snprintf(input + len, sizeof(input) - len, "%s ", atoms[rng_below(sizeof(atoms) / sizeof(atoms[0]))]);
		input[len++] = '\n';
		if (rng_below(10) == 0)
			input[len++] = '\n'; /* ends a block */
	}
	input[len++] = '\n';
	input[len++] = '\n';
	input[len++] = 4;
	input[len] = 0;
	fs_reset();
	add_py("/bin/python", "#!python\nimport pxos\npxos.repl()\n");
	boot();
	th_input = input;
	th_input_chunk = 8; /* typed as it goes, never more than the console queue holds */
	int pid = th_spawn("/bin/python", 0);
	tty_set_foreground((uint32_t)pid);
	sched_run(0);
	uint32_t st;
	if (sched_reaped_status((uint32_t)pid, &st) != 0)
		fail_msg("the REPL did not end; the end of its output:\n%s", th_out + (th_out_len > 3000 ? th_out_len - 3000 : 0));
	assert_true(st < 256); /* ended by itself, not by a fault */
	no_leak();
}

/* ---- Ctrl-C (the console contract, pxvm/tty.h) ------------------------------------------ */

/* A Python process in the foreground catches Ctrl-C: computing, it becomes
 * KeyboardInterrupt at the next bytecode boundary; blocked in sleep, the
 * sleep ends with it; a second Ctrl-C within TTY_INTR_KILL_US of a caught
 * one ends the program all the same. */
static void test_ctrl_c(void **state)
{
	(void)state;
	fs_reset();
	add_py("/bin/ki.py",
	       "import pxos\n"
	       "try:\n    pxos.sleep(100)\nexcept KeyboardInterrupt:\n    print('sleep interrupted')\n"
	       "n = 0\nwhile True:\n    try:\n        while True:\n            pass\n"
	       "    except KeyboardInterrupt:\n        n += 1\n        print('interrupted', n)\n");
	boot();
	th_tick_us = 0; /* the test keeps the time */
	int init = th_spawn("/bin/echo", 0); /* pid 1, whom Ctrl-C never ends, waits for a message */
	int pid = th_spawn("/bin/ki.py", 0);
	tty_set_foreground((uint32_t)pid);
	th_no_idle = 1;
	sched_run(100000);
	struct proc *p = proc_find((uint32_t)pid);
	assert_int_equal(p->state, PROC_BLOCKED); /* in sleep */
	th_now_us = 1000000;
	tty_input("\x03", 1);
	sched_run(200000);
	expect_out("sleep interrupted");
	assert_int_equal(p->state, PROC_RUNNABLE); /* spinning */
	th_now_us = 2500000;
	tty_input("\x03", 1);
	sched_run(200000);
	expect_out("interrupted 1");
	assert_int_equal(p->state, PROC_RUNNABLE);
	th_now_us = 4000000;
	tty_input("\x03", 1);
	sched_run(200000);
	expect_out("interrupted 2");
	th_now_us = 4500000; /* half a second later: the job ends */
	tty_input("\x03", 1);
	th_no_idle = 0;
	sched_run(0);
	uint32_t st;
	assert_int_equal(sched_reaped_status((uint32_t)pid, &st), 0);
	assert_int_equal(st, PXVM_STATUS_KILLED);
	if (strstr(th_out, "interrupted 3"))
		fail_msg("a Ctrl-C within a second of a caught one was caught:\n%s", th_out);
	assert_int_equal(sched_kill(0, (uint32_t)init), 0);
	sched_run(0);
	no_leak();
}

/* ---- the programs in /apps -------------------------------------------------------------- */

/* app_source: userland/apps/NAME, read whole (static: one at a time per slot). */
static const char *app_source(const char *name, char *buf, size_t cap)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", PY_TEST_APPS, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot read %s", path);
	size_t n = fread(buf, 1, cap - 1, f);
	fclose(f);
	assert_true(n > 0 && n < cap - 1);
	buf[n] = 0;
	return buf;
}

/* mandel_inside: the points mandel.py counts inside after `n` iterations,
 * computed here in C with the same doubles. */
static int mandel_inside(int n)
{
	int inside = 0;
	for (int y = 0; y < 128; y++) {
		double ci = -1.5 + 3.0 * y / 128;
		for (int x = 0; x < 128; x++) {
			double cr = -2.2 + 3.0 * x / 128, zr = 0, zi = 0;
			int k = 0;
			while (k < n && zr * zr + zi * zi <= 4.0) {
				double t = zr * zr - zi * zi + cr;
				zi = 2 * zr * zi + ci;
				zr = t;
				k++;
			}
			inside += k >= n;
		}
	}
	return inside;
}

/* mandel.py, organism.py and hellopy.py as shipped: their results, exit 0,
 * nothing left behind. organism.py's meetings are all decided by the
 * oracle (the fake LLM answers yes to all), none by a coin flip. */
static void test_apps(void **state)
{
	(void)state;
	static char mandel[8192], organism[16384], hello[4096];
	fs_reset();
	add_py("/apps/mandel.py", app_source("mandel.py", mandel, sizeof(mandel)));
	add_py("/apps/organism.py", app_source("organism.py", organism, sizeof(organism)));
	add_py("/apps/hellopy.py", app_source("hellopy.py", hello, sizeof(hello)));
	boot();
	want_status(run_main("/apps/mandel.py", "12"), 0);
	char want[96];
	snprintf(want, sizeof(want), "mandel.py: %d of 16384 points inside after 12 iterations", mandel_inside(12));
	expect_out(want);
	want_status(run_main("/apps/hellopy.py", "x y"), 0);
	expect_out("args ['x', 'y']");
	expect_out("sum of squares below 1000: 332833500");
	reply_now = "Yes."; /* the oracle says yes to every meeting */
	want_status(run_main("/apps/organism.py", "200"), 0);
	expect_out("organism.py: 200 frames, ");
	const char *line = strstr(th_out, "organism.py: 200 frames, ");
	unsigned meetings, coop, comp, coin, reborn;
	assert_int_equal(sscanf(line, "organism.py: 200 frames, %u meetings: %u cooperated, %u competed (%u by coin flip), %u reborn",
	                        &meetings, &coop, &comp, &coin, &reborn), 5);
	assert_true(meetings > 0); /* 200 frames of 8 organisms on 128x128 meet (a fixed seed) */
	assert_int_equal(coin, 0);
	assert_int_equal(coop, meetings);
	assert_int_equal(comp, 0);
	no_leak();
}

/* ---- Snapshots --------------------------------------------------------------------- */

/* snapshot_now: the machine's state as a snapshot image (malloc'd; the
 * caller frees it), *n bytes. */
static uint8_t *snapshot_now(size_t *n)
{
	*n = snap_state_save(0, 0, th_now_us);
	uint8_t *img = malloc(*n);
	assert_non_null(img);
	assert_int_equal(snap_state_save(img, *n, th_now_us), *n);
	return img;
}

/* resume: load snapshot img[0..n) on the machine booted again; the test
 * fails with the reason if it is refused. */
static void resume(const uint8_t *img, size_t n)
{
	char why[200];
	if (snap_state_load(img, n, th_now_us, vfs_fs(), 0, why, sizeof(why)) != 0)
		fail_msg("snapshot refused: %s", why);
}

/* A Python process's state is native pointers: it resumes only where its
 * blocks can be had at their old addresses on the identical build, which this
 * test platform cannot do (pxhost_code_id 0). A snapshot holding one resumes
 * the rest, and the Python process ends with STATUS_NOT_RESUMABLE
 * (docs/snapshots.md; tests/unit/test_snapshot.py resumes one in pxsim). */
static void test_snapshot_not_resumable(void **state)
{
	(void)state;
	fs_reset();
	add_py("/bin/busy.py", "while True:\n    pass\n");
	add_pxs("/bin/spin", ".include \"pxos.inc\"\n_start:\n ADDI R1, R1, 1\n JMP _start\n");
	boot();
	th_tick_us = 0;
	int py = th_spawn("/bin/busy.py", 0), vm = th_spawn("/bin/spin", 0);
	for (int i = 0; i < 20; i++) {
		sched_run(SCHED_QUANTUM);
		th_now_us += 200;
	}
	assert_non_null(proc_find((uint32_t)py));
	size_t n;
	uint8_t *img = snapshot_now(&n);
	assert_int_equal(sched_kill(0, (uint32_t)py), 0);
	assert_int_equal(sched_kill(0, (uint32_t)vm), 0);

	fs_reset();
	add_py("/bin/busy.py", "while True:\n    pass\n");
	add_pxs("/bin/spin", ".include \"pxos.inc\"\n_start:\n ADDI R1, R1, 1\n JMP _start\n");
	boot();
	resume(img, n);
	uint32_t st;
	assert_null(proc_find((uint32_t)py));
	assert_int_equal(sched_reaped_status((uint32_t)py, &st), 0);
	assert_int_equal(st, PXVM_STATUS_NOT_RESUMABLE);
	struct proc *p = proc_find((uint32_t)vm);
	assert_non_null(p);
	uint64_t before = p->vm.steps;
	sched_run(SCHED_QUANTUM);
	assert_true(p->vm.steps > before);
	assert_int_equal(sched_kill(0, (uint32_t)vm), 0);
	free(img);
}

/* On a platform that places its blocks (th_fixed_place, as pxsim and the
 * kernel do) a snapshotted Python process goes on in the same binary: here
 * it was blocked in call_llm, whose call in flight fails with -EIO on the
 * resume (OSError in the program, as for a pxVM process), and it carries on
 * with its state: its variables, its sleeps, its output. */
static void test_snapshot_resumes(void **state)
{
	(void)state;
	static const char ask[] =
		"import pxos\nseen = [7, 'kept']\nprint('asking')\n"
		"try:\n    print('answer', pxos.call_llm('please wait'))\nexcept OSError as e:\n    print('llm failed', e.args[0])\n"
		"for i in range(3):\n    pxos.sleep_ms(5)\n    print('tick', i, seen)\n";
	fs_reset();
	add_py("/bin/ask.py", ask);
	boot();
	th_fixed_place = 1;
	th_no_idle = 1; /* nothing to run: back here (the call would time out) */
	int py = th_spawn("/bin/ask.py", 0);
	struct proc *p = proc_find((uint32_t)py);
	for (int i = 0; i < 200 && !(p->state == PROC_BLOCKED && p->block == BLOCK_TRAP); i++) {
		sched_run(SCHED_QUANTUM);
		th_now_us += 200;
	}
	if (p->block != BLOCK_TRAP || hv_inflight() != 1)
		fail_msg("not waiting for its call (state %d, block %d); output:\n%s", p->state, p->block, th_out);
	expect_out("asking");
	size_t n;
	uint8_t *img = snapshot_now(&n);
	assert_int_equal(sched_kill(0, (uint32_t)py), 0);
	sched_run(0);
	assert_null(proc_find((uint32_t)py));

	fs_reset();
	add_py("/bin/ask.py", ask);
	boot();
	th_out_clear();
	resume(img, n);
	p = proc_find((uint32_t)py);
	assert_non_null(p);
	assert_int_equal(hv_inflight(), 0);
	th_no_idle = 0;
	sched_run(0);
	uint32_t st = 0xFFFFFFFF;
	assert_int_equal(sched_reaped_status((uint32_t)py, &st), 0);
	want_status(st, 0);
	expect_out("llm failed");
	expect_out("tick 2 [7, 'kept']");
	assert_null(strstr(th_out, "asking"));
	no_leak();
	th_fixed_place = 0;
	free(img);
}

/* The REPL goes on from a snapshot too: a line half typed (in its line
 * editor's state, on the process's stack and heap) is finished after the
 * resume, and the names defined before it are still there. */
static void test_snapshot_resumes_repl(void **state)
{
	(void)state;
	static const char repl[] = "#!python\nimport pxos\npxos.repl()\n";
	fs_reset();
	add_py("/bin/python", repl);
	boot();
	th_fixed_place = 1;
	th_no_idle = 1;
	th_input = "x = 6\nprint(x * 7";
	int py = th_spawn("/bin/python", 0);
	tty_set_foreground((uint32_t)py);
	sched_run(0);
	struct proc *p = proc_find((uint32_t)py);
	assert_non_null(p);
	assert_int_equal(p->block, BLOCK_READ);
	size_t n;
	uint8_t *img = snapshot_now(&n);
	assert_int_equal(sched_kill(0, (uint32_t)py), 0);
	sched_run(0);
	assert_null(proc_find((uint32_t)py));

	fs_reset();
	add_py("/bin/python", repl);
	boot();
	th_out_clear();
	resume(img, n);
	th_no_idle = 0;
	th_input = ")\n\x04";
	sched_run(0);
	uint32_t st = 0xFFFFFFFF;
	assert_int_equal(sched_reaped_status((uint32_t)py, &st), 0);
	want_status(st, 0);
	expect_out("42");
	th_input = 0;
	no_leak();
	th_fixed_place = 0;
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_api),
		cmocka_unit_test(test_no_bridge),
		cmocka_unit_test(test_busy_preempted),
		cmocka_unit_test(test_quantum_bounded),
		cmocka_unit_test(test_memory_and_recursion),
		cmocka_unit_test(test_traceback_and_exit),
		cmocka_unit_test(test_three_at_once),
		cmocka_unit_test(test_kill_waiting),
		cmocka_unit_test(test_ctrl_c_call_llm),
		cmocka_unit_test(test_ctrl_c_chat),
		cmocka_unit_test(test_snapshot_not_resumable),
		cmocka_unit_test(test_snapshot_resumes),
		cmocka_unit_test(test_snapshot_resumes_repl),
		cmocka_unit_test(test_run_python_trap),
		cmocka_unit_test(test_run_python_errors),
		cmocka_unit_test(test_repl),
		cmocka_unit_test(test_repl_history),
		cmocka_unit_test(test_repl_two_at_once),
		cmocka_unit_test(test_repl_random_lines),
		cmocka_unit_test(test_ctrl_c),
		cmocka_unit_test(test_apps),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
