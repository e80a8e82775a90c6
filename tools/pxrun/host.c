/*
 * host.c — pxrun's side of pxvm/host.h: process output to stdout/stderr,
 * wall-clock time, process memory from malloc, log lines to stderr.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "pxvm/host.h"
#include "pxvm/vm.h"
#include "pxrun.h"

int pxrun_quiet;
static struct timespec t0;

void pxrun_clock_start(void) { clock_gettime(CLOCK_MONOTONIC, &t0); }

uint64_t pxhost_time_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)(t.tv_sec - t0.tv_sec) * 1000000u + (uint64_t)((t.tv_nsec - t0.tv_nsec) / 1000);
}

void pxhost_output(uint32_t pid, int fd, const char *s, size_t n)
{
	(void)pid;
	FILE *f = fd == 2 ? stderr : stdout;
	fwrite(s, 1, n, f);
	fflush(f);
}

uint32_t *pxhost_mem_alloc(void) { return malloc(PXVM_MEM_ALLOC_WORDS * sizeof(uint32_t)); }

void pxhost_mem_free(uint32_t *mem) { free(mem); }

void pxhost_log(int level, const char *fmt, ...)
{
	static const char *const names[] = { "DEBUG", "INFO ", "WARN ", "ERROR" };
	if (pxrun_quiet && level < 2)
		return;
	uint64_t us = pxhost_time_us();
	fprintf(stderr, "[%5llu.%06llu] %s sched: ", (unsigned long long)(us / 1000000),
	        (unsigned long long)(us % 1000000), names[level < 0 ? 0 : level > 3 ? 3 : level]);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void pxhost_poll(void) {}

int pxhost_idle(uint64_t until_us)
{
	/* No input source here: only a sleeper's deadline can wake anyone. */
	if (!until_us)
		return -1;
	uint64_t now = pxhost_time_us();
	if (until_us > now) {
		struct timespec d = { (time_t)((until_us - now) / 1000000u), (long)((until_us - now) % 1000000u) * 1000 };
		nanosleep(&d, 0);
	}
	return 0;
}

int pxhost_llm_submit(uint32_t id, uint32_t kind, const char *model, const char *prompt, uint32_t len)
{
	(void)id; (void)kind; (void)model; (void)prompt; (void)len;
	return -PXE_ENOBRIDGE;
}

void pxhost_llm_cancel(uint32_t id) { (void)id; }
