/*
 * standalone.c — the fuzzing driver for a compiler without libFuzzer
 * (tests/fuzz/build.mk picks it): main() feeds the target's
 * LLVMFuzzerTestOneInput its corpus, then mutated corpus entries drawn from a
 * seeded generator, so that a run with the same seed repeats exactly. No
 * coverage feedback: new inputs are not kept. The sanitizers (ASan, UBSan)
 * and the target's own checks find the faults, as under libFuzzer.
 *
 * The command line is the subset of libFuzzer's that tests/fuzz/run.sh uses,
 * so one command runs either kind:
 *   fuzz_X [-seed=N] [-runs=N] [-max_len=N] [-max_total_time=S]
 *          [-artifact_prefix=P] [-NAME=VALUE ...ignored] DIR|FILE ...
 * Every file of each DIR is an input and a parent for mutations; with FILEs
 * and no DIR, each FILE runs once (reproducing a crash) and the driver exits.
 * -runs counts every input run, the corpus included (default: no limit);
 * -max_total_time stops after S seconds (default: no limit); -seed 0 or
 * absent: one from the clock. The seed is printed first ("INFO: Seed: N").
 * A crash writes its input to P crash-standalone-SEED-RUN before the process
 * dies, and prints the file name.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STANDALONE_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define STANDALONE_ASAN 1
#endif
#ifdef STANDALONE_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

/* The fuzz target: one input of `size` bytes; returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { CORPUS_MAX = 4096, PATH_MAX_LEN = 4096 };

struct input {
	uint8_t *data;
	size_t len;
};

static struct input corpus[CORPUS_MAX];
static size_t ncorpus;
static size_t max_len = 4096;

/* What is running now, for the crash handlers. */
static const uint8_t *cur_data;
static size_t cur_len;
static unsigned long long cur_seed;
static unsigned long cur_run;
static char artifact_prefix[PATH_MAX_LEN / 2];

/* xorshift64*: the one source of randomness (Vigna, "An experiment with
 * xorshift generators", 2014). */
static uint64_t rng_state;
static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}
static size_t rng_below(size_t n)
{
	return n ? (size_t)(rng_next() % n) : 0;
}

/* Appends the decimal digits of v to p (async-signal-safe); returns the end. */
static char *put_dec(char *p, unsigned long long v)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* Writes the running input to <prefix>crash-standalone-SEED-RUN and says so on
 * stderr; only async-signal-safe calls (it runs in a signal handler). */
static void save_crash(void)
{
	static int saved;
	if (saved || !cur_data)
		return;
	saved = 1;
	char path[PATH_MAX_LEN], *p = path;
	for (const char *s = artifact_prefix; *s; s++)
		*p++ = *s;
	static const char name[] = "crash-standalone-";
	for (const char *s = name; *s; s++)
		*p++ = *s;
	p = put_dec(p, cur_seed);
	*p++ = '-';
	p = put_dec(p, cur_run);
	*p = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		size_t off = 0;
		while (off < cur_len) {
			ssize_t w = write(fd, cur_data + off, cur_len - off);
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		close(fd);
	}
	static const char msg[] = "standalone: crash; input written to ";
	if (write(2, msg, sizeof(msg) - 1) < 0 || write(2, path, (size_t)(p - path)) < 0 ||
	    write(2, "\n", 1) < 0)
		return;
}

static void on_signal(int sig)
{
	save_crash();
	signal(sig, SIG_DFL);
	raise(sig);
}

#ifdef STANDALONE_ASAN
static void on_sanitizer_death(void)
{
	save_crash();
}
#endif

/* Installs the crash handlers. Under ASan its own SEGV/BUS/FPE reports stay
 * (they end in the death callback); abort() and traps come here. */
static void install_crash_handlers(void)
{
	signal(SIGABRT, on_signal);
	signal(SIGILL, on_signal);
	signal(SIGTRAP, on_signal);
#ifdef STANDALONE_ASAN
	__sanitizer_set_death_callback(on_sanitizer_death);
#else
	signal(SIGSEGV, on_signal);
	signal(SIGBUS, on_signal);
	signal(SIGFPE, on_signal);
#endif
}

/* Reads up to max_len bytes of `path` into a new corpus entry; 0 or -1. */
static int load_file(const char *path)
{
	if (ncorpus == CORPUS_MAX)
		return 0;
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	uint8_t *buf = malloc(max_len ? max_len : 1);
	if (!buf) {
		fclose(f);
		fprintf(stderr, "standalone: out of memory reading %s\n", path);
		return -1;
	}
	size_t n = fread(buf, 1, max_len, f);
	fclose(f);
	corpus[ncorpus].data = buf;
	corpus[ncorpus].len = n;
	ncorpus++;
	return 0;
}

/* Loads every regular file of `dir` (sorted by name, so runs repeat). */
static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}
static int load_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		perror(dir);
		return -1;
	}
	char *names[CORPUS_MAX];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < CORPUS_MAX) {
		if (e->d_name[0] == '.')
			continue;
		names[n] = strdup(e->d_name);
		if (!names[n])
			break;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), name_cmp);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX_LEN];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (rc == 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode))
			rc = load_file(path);
		free(names[i]);
	}
	return rc;
}

/* Replaces buf[0..*len) by a mutation of it: 1 to 4 edits (bit flip, byte
 * set, insertion, erasure, copy within, splice from another entry), the
 * result at most max_len bytes. */
static void mutate(uint8_t *buf, size_t *len)
{
	static const uint8_t special[] = { 0x00, 0x01, 0x7F, 0x80, 0xFF, 0xA0, 0xF0, 0x40 };
	size_t n = *len;
	int edits = 1 + (int)rng_below(4);
	for (int k = 0; k < edits; k++) {
		switch (rng_below(6)) {
		case 0: /* flip one bit */
			if (n)
				buf[rng_below(n)] ^= (uint8_t)(1u << rng_below(8));
			break;
		case 1: /* set one byte */
			if (n)
				buf[rng_below(n)] = rng_below(2) ? special[rng_below(sizeof(special))]
				                                 : (uint8_t)rng_next();
			break;
		case 2: { /* insert 1..16 random bytes */
			size_t m = 1 + rng_below(16), at = rng_below(n + 1);
			if (n + m > max_len)
				break;
			memmove(buf + at + m, buf + at, n - at);
			for (size_t i = 0; i < m; i++)
				buf[at + i] = (uint8_t)rng_next();
			n += m;
			break;
		}
		case 3: { /* erase 1..16 bytes */
			if (!n)
				break;
			size_t at = rng_below(n), m = 1 + rng_below(16);
			if (m > n - at)
				m = n - at;
			memmove(buf + at, buf + at + m, n - at - m);
			n -= m;
			break;
		}
		case 4: { /* copy a chunk over another place */
			if (n < 2)
				break;
			size_t from = rng_below(n), to = rng_below(n), m = 1 + rng_below(32);
			if (m > n - from)
				m = n - from;
			if (m > n - to)
				m = n - to;
			memmove(buf + to, buf + from, m);
			break;
		}
		default: { /* splice: this entry's head, another entry's tail */
			if (!ncorpus)
				break;
			const struct input *o = &corpus[rng_below(ncorpus)];
			if (!o->len)
				break;
			size_t cut = rng_below(n + 1), from = rng_below(o->len), m = o->len - from;
			if (cut + m > max_len)
				m = max_len - cut;
			memmove(buf + cut, o->data + from, m);
			n = cut + m;
			break;
		}
		}
	}
	*len = n;
}

static void run_one(const uint8_t *data, size_t len)
{
	cur_data = data;
	cur_len = len;
	LLVMFuzzerTestOneInput(data, len);
	cur_run++;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long long seed = 0;
	unsigned long runs = 0; /* 0: no limit */
	double max_time = 0;    /* 0: no limit */
	int ndirs = 0, nfiles = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strncmp(a, "-seed=", 6))
			seed = strtoull(a + 6, 0, 0);
		else if (!strncmp(a, "-runs=", 6))
			runs = strtoul(a + 6, 0, 0);
		else if (!strncmp(a, "-max_len=", 9))
			max_len = strtoul(a + 9, 0, 0);
		else if (!strncmp(a, "-max_total_time=", 16))
			max_time = atof(a + 16);
		else if (!strncmp(a, "-artifact_prefix=", 17))
			snprintf(artifact_prefix, sizeof(artifact_prefix), "%s", a + 17);
		else if (a[0] == '-')
			; /* libFuzzer-only options (-timeout=, -print_final_stats=, ...) */
		else {
			struct stat st;
			if (stat(a, &st) != 0) {
				perror(a);
				return 1;
			}
			if (S_ISDIR(st.st_mode))
				ndirs++;
			else
				nfiles++;
		}
	}
	if (!seed)
		seed = (unsigned long long)time(0) ^ ((unsigned long long)getpid() << 20);
	printf("INFO: Seed: %llu\n", seed);
	printf("INFO: standalone driver (no libFuzzer, no coverage feedback)\n");
	fflush(stdout);
	cur_seed = seed;
	rng_state = seed * 0x9E3779B97F4A7C15ULL | 1;
	install_crash_handlers();

	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (argv[i][0] == '-' || stat(argv[i], &st) != 0)
			continue;
		if ((S_ISDIR(st.st_mode) ? load_dir(argv[i]) : load_file(argv[i])) != 0)
			return 1;
	}
	double t0 = now();
	/* Every corpus input once, first. */
	for (size_t i = 0; i < ncorpus && (!runs || cur_run < runs); i++)
		run_one(corpus[i].data, corpus[i].len);
	if (nfiles && !ndirs) {
		printf("Executed %lu inputs\n", cur_run);
		return 0;
	}
	uint8_t *buf = malloc(max_len ? max_len : 1);
	if (!buf) {
		fprintf(stderr, "standalone: out of memory\n");
		return 1;
	}
	while ((!runs || cur_run < runs) && (!max_time || now() - t0 < max_time)) {
		size_t len = 0;
		if (ncorpus && rng_below(8)) {
			const struct input *p = &corpus[rng_below(ncorpus)];
			len = p->len;
			memcpy(buf, p->data, len);
			mutate(buf, &len);
		} else { /* now and then a fresh random input */
			len = rng_below(max_len + 1);
			for (size_t i = 0; i < len; i++)
				buf[i] = (uint8_t)rng_next();
		}
		run_one(buf, len);
	}
	printf("Done %lu runs in %.0f second(s)\n", cur_run, now() - t0);
	return 0;
}
